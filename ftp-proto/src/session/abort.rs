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
        };
        self.send(Command::Abor);
        Ok(())
    }

    /// A reply after `ABOR`, `replies_left` of them still expected.
    pub(super) fn on_abort_reply(&mut self, replies_left: u8, home: Option<Arg>, reply: Reply) {
        // 225: "no transfer in progress", ABOR's answer when the
        // transfer was over; nothing else is coming.
        if replies_left <= 1 || reply.code() == ReplyCode::DATA_CONNECTION_OPEN {
            self.end_transfer(home, Ok(Outcome::Aborted(reply)));
        } else {
            self.state = State::Aborting {
                replies_left: replies_left - 1,
                last: Some(reply),
                home,
            };
        }
    }
}
