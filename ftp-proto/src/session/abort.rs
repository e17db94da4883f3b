//! Aborting a transfer whose data is moving (`ABOR`).

use crate::command::{Arg, Command};
use crate::reply::{Reply, ReplyCode};

use super::machine::Session;
use super::outcome::{Outcome, UsageError};
use super::state::{State, Transfer, TransferStep};

impl Session {
    /// Aborts the transfer whose data is moving (after
    /// [`Action::Transfer`](super::Action::Transfer)), RFC 959 4.1.3: the driver closes the data
    /// connection (and does not call [`Session::handle_data_finished`]),
    /// then the session sends `ABOR` and reads the server's answers — the
    /// transfer's own final reply, unless it came already (426, or 226 if
    /// the transfer had completed), and ABOR's (226, or 225) — in whatever
    /// order they come. A 225 ends the wait at once: the server says no
    /// transfer was running. Succeeds with [`Outcome::Aborted`]; the
    /// session is then idle and in step. Once one reply has come, the
    /// wait for the other is short
    /// ([`Timeouts::last_abort_reply`](super::Timeouts::last_abort_reply)): when it ends
    /// ([`Session::handle_timeout`]), the abort ends with the reply it had.
    ///
    /// A server that refuses ABOR (500, 502) still answers it once, so the
    /// session stays in step; its refusal is the outcome's reply. An upload
    /// aborted this way may leave a partial file on the server.
    pub fn abort(&mut self) -> Result<(), UsageError> {
        let (replies_left, home) = match &mut self.state {
            State::Transfer(Transfer {
                step: TransferStep::Data { final_reply, .. },
                home,
                ..
            }) => (if final_reply.is_some() { 1 } else { 2 }, home.take()),
            State::Closed => return Err(UsageError::Closed),
            _ => return Err(UsageError::NoTransfer),
        };
        self.state = State::Aborting {
            replies_left,
            last: None,
            home,
            range: false,
        };
        self.send(Command::Abor);
        Ok(())
    }

    /// Whether a range that stops before the file's end ends the session
    /// instead of [`Session::end_range`]'s `ABOR`: so over TLS data
    /// connections, because servers mishandle an `ABOR` after a TLS data
    /// connection ended early (proFTPD closes the control connection, and
    /// Pure-FTPd's next reply sometimes does not decrypt). The driver then
    /// closes the session; the range's bytes are all in.
    pub fn range_end_closes_session(&self) -> bool {
        self.is_data_protected()
    }

    /// Ends a download of one range of a file (a segmented download: `REST
    /// start`, then `RETR`, of which only the bytes up to the range's end
    /// are wanted) once the driver has read every byte of the range and
    /// closed the data connection. The server, which was sending on, is
    /// stopped as [`Session::abort`] stops it (`ABOR`, and the transfer's
    /// and ABOR's replies read, the second only briefly), but the range is
    /// whole: the operation succeeds with [`Outcome::Transferred`] carrying
    /// the last reply, whether the server answered the closed connection
    /// with 426 (vsftpd, proFTPD) or 451, the transfer with 226 (it had
    /// sent its last byte before the close), or ABOR with 225 or 226. Only
    /// a lost control connection or 421 ends it otherwise, as it ends the
    /// session.
    ///
    /// Call it instead of [`Session::handle_data_finished`]; a range that
    /// ends at the end of the file needs none of this (its data ends,
    /// and the 226 confirms it). Called while no transfer's data moves it
    /// is refused as [`Session::abort`] is.
    pub fn end_range(&mut self) -> Result<(), UsageError> {
        let (final_reply, home) = match &mut self.state {
            State::Transfer(Transfer {
                step: TransferStep::Data { final_reply, .. },
                home,
                ..
            }) => (final_reply.take(), home.take()),
            State::Closed => return Err(UsageError::Closed),
            _ => return Err(UsageError::NoTransfer),
        };
        if let Some(reply) = final_reply {
            // The server had finished already (or given up): nothing to
            // abort, and the bytes are all here.
            self.end_transfer(home, Ok(Outcome::Transferred(reply)));
            return Ok(());
        }
        self.state = State::Aborting {
            replies_left: 2,
            last: None,
            home,
            range: true,
        };
        self.send(Command::Abor);
        Ok(())
    }

    /// A reply after `ABOR`, `replies_left` of them still expected.
    pub(super) fn on_abort_reply(
        &mut self,
        replies_left: u8,
        home: Option<Arg>,
        range: bool,
        reply: Reply,
    ) {
        // 225: "no transfer in progress", ABOR's answer when the
        // transfer was over; nothing else is coming.
        if replies_left <= 1 || reply.code() == ReplyCode::DATA_CONNECTION_OPEN {
            self.end_transfer(home, Ok(aborted(range, reply)));
        } else {
            self.state = State::Aborting {
                replies_left: replies_left - 1,
                last: Some(reply),
                home,
                range,
            };
        }
    }
}

/// How an abort ends with `reply`: [`Outcome::Transferred`] for a range
/// whose bytes had all arrived ([`Session::end_range`]), else
/// [`Outcome::Aborted`].
pub(super) fn aborted(range: bool, reply: Reply) -> Outcome {
    if range {
        Outcome::Transferred(reply)
    } else {
        Outcome::Aborted(reply)
    }
}
