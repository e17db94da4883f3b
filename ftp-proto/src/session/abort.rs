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
    /// driver may stop waiting for the other: see
    /// [`Session::awaits_last_abort_reply`].
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

    /// An abort has had one of its two replies and may get no other: some
    /// servers answer ABOR alone when the transfer had not really started,
    /// and others let the transfer's reply come late. A driver should wait
    /// for the last reply only briefly, then call
    /// [`Session::handle_abort_reply_timeout`].
    pub fn awaits_last_abort_reply(&self) -> bool {
        matches!(self.state, State::Aborting { last: Some(_), .. })
    }

    /// The driver waited long enough for the last reply of an abort (see
    /// [`Session::awaits_last_abort_reply`]): the abort ends with the reply
    /// it had. Should the server answer later after all, that reply would
    /// be read as the answer to the next command; a short wait keeps that
    /// unlikely, a long one would stall every abort on such servers.
    pub fn handle_abort_reply_timeout(&mut self) -> Result<(), UsageError> {
        match std::mem::replace(&mut self.state, State::Idle) {
            State::Aborting {
                last: Some(reply),
                home,
                ..
            } => {
                self.end_transfer(home, Ok(Outcome::Aborted(reply)));
                Ok(())
            }
            other => {
                self.state = other;
                Err(UsageError::UnexpectedEvent("abort reply timeout"))
            }
        }
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
