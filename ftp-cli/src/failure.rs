//! Why an operation failed: the exit code and the one line `main` prints.

use std::fmt;

use crate::exit::Exit;

/// Why the operation failed: the exit code and the one line to print.
/// (Whether trying again may help is the engine's to judge: its retries
/// run inside the operation.)
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub(crate) message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Failure {
            exit: Exit::Failure,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
