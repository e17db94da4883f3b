//! Exit codes, in one place. A run ended by SIGINT, SIGTERM or SIGHUP exits
//! with 128 + the signal's number instead (130, 143, 129): see
//! `interrupt.rs`.

use std::process::ExitCode;

/// What the process reports to its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The operation succeeded.
    Success = 0,
    /// The operation failed: the server refused, the network failed, or a
    /// local file could not be read or written.
    Failure = 1,
    /// The command line was wrong: bad arguments or an unusable URL.
    Usage = 2,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::Exit;

    #[test]
    fn codes_are_stable() {
        assert_eq!(Exit::Success as u8, 0);
        assert_eq!(Exit::Failure as u8, 1);
        assert_eq!(Exit::Usage as u8, 2);
    }
}
