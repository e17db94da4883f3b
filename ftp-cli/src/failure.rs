//! Why an operation failed: the exit code and the one line `main` prints,
//! and whether trying again may help.

use std::fmt;

use ftp_client::engine::Retryable;

use crate::exit::Exit;

/// Why the operation failed: the exit code and the one line to print.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub(crate) message: String,
    /// Another attempt may succeed (`--retry`): see
    /// [`ftp_client::engine::is_transient`].
    pub transient: bool,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            exit: Exit::Usage,
            message: message.into(),
            transient: false,
        }
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Failure {
            exit: Exit::Failure,
            message: message.into(),
            transient: false,
        }
    }

    /// A failure caused by `error`: transient if it is.
    pub fn caused_by(message: impl Into<String>, error: &ftp_client::Error) -> Self {
        Failure {
            transient: ftp_client::engine::is_transient(error),
            ..Failure::failed(message)
        }
    }
}

impl Retryable for Failure {
    fn is_retryable(&self) -> bool {
        self.transient
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
