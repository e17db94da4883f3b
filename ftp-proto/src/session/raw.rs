//! The raw-verb policy: which commands [`Session::raw`](super::Session::raw)
//! refuses to send, because the session must manage them.

use crate::command::Command;

use super::machine::Session;
use super::outcome::UsageError;
use super::state::Expect;

/// The verbs [`Session::raw`](super::Session::raw) refuses, compared without regard to case with
/// the first word of the line:
///
/// - those of data transfers (`PASV`, `EPSV`, `LPSV`, `PORT`, `EPRT`,
///   `LPRT`, `LIST`, `NLST`, `MLSD`, `RETR`, `STOR`, `STOU`, `APPE`,
///   `REST`): sent alone they leave the server waiting on a data connection
///   the session knows nothing of, and the next reply out of step;
/// - those that change how data is framed (`MODE`, `STRU`) or reset the
///   login and its settings (`REIN`): later transfers would be misread;
/// - those of TLS (`AUTH`, `PBSZ`, `PROT`, `CCC`): they change what the
///   connections carry, which the driver must know;
/// - `RNFR`: like `REST`, it leaves the server waiting for what must come
///   next (`RNTO`): proFTPD refuses every other command but a few with 501
///   until `RNTO` comes, and Pure-FTPd and pyftpdlib keep the rename
///   pending for the next `RNTO`, whenever it comes. A rename is
///   [`Session::rename`](super::Session::rename); asking whether one would be allowed is
///   [`Session::check_rename`](super::Session::check_rename). Each ends what `RNFR` started within the
///   operation. (`RNTO` alone leaves nothing pending: a server answers it
///   503 without an `RNFR` before it.)
pub const RESERVED_VERBS: &[&str] = &[
    "PASV", "EPSV", "LPSV", "PORT", "EPRT", "LPRT", "LIST", "NLST", "MLSD", "RETR", "STOR", "STOU",
    "APPE", "REST", "MODE", "STRU", "REIN", "AUTH", "PBSZ", "PROT", "CCC", "RNFR",
];

/// The first word of a command line: what a server takes as its verb.
/// Leading blanks are skipped, as some servers skip them.
pub(super) fn first_word(line: &[u8]) -> &[u8] {
    let is_blank = |b: &u8| *b == b' ' || *b == b'\t';
    let start = line.iter().position(|b| !is_blank(b)).unwrap_or(line.len());
    let line = &line[start..];
    let end = line.iter().position(is_blank).unwrap_or(line.len());
    &line[..end]
}

/// The verb of `command` if [`Session::raw`](super::Session::raw) must refuse it.
pub(super) fn reserved_verb(command: &Command) -> Option<&'static str> {
    let verb = match command {
        Command::Raw(line) => first_word(line.as_bytes()),
        other => other.verb().as_bytes(),
    };
    RESERVED_VERBS
        .iter()
        .copied()
        .find(|reserved| reserved.as_bytes().eq_ignore_ascii_case(verb))
}

impl Session {
    /// Sends a command the session has no operation for (`SYST`, `SITE …`,
    /// `STAT`, …) and succeeds with its first final (non-1xx) reply,
    /// whatever its code: the caller judges it. Refusals come back as
    /// [`Outcome::Completed`](super::Outcome::Completed) too.
    ///
    /// A command whose verb (the first word of a [`Command::Raw`] line, in
    /// any case) is one of the [`RESERVED_VERBS`] is refused with
    /// [`UsageError::ReservedVerb`] and nothing is sent: data transfers go
    /// through [`Session::transfer`], and the rest would change the
    /// session's state behind its back. A raw `TYPE` is sent, and the
    /// session sets its transfer type again before the next transfer.
    pub fn raw(&mut self, command: Command) -> Result<(), UsageError> {
        self.check_idle()?;
        if let Some(verb) = reserved_verb(&command) {
            return Err(UsageError::ReservedVerb(verb));
        }
        let verb = match &command {
            Command::Raw(line) => first_word(line.as_bytes()),
            other => other.verb().as_bytes(),
        };
        if verb.eq_ignore_ascii_case(b"OPTS") {
            // It may have selected another HASH algorithm.
            self.hash_selection = super::state::HashSelection::Unknown;
        }
        if verb.eq_ignore_ascii_case(b"TYPE") {
            // The representation type may change: set it again before the
            // next transfer.
            self.current_type = None;
        }
        self.simple(command, Expect::Any)?;
        // It may have changed the working directory (CWD, XCWD, CDUP…).
        self.working_directory = None;
        Ok(())
    }
}
