//! Time as an input: when the session next needs waking
//! ([`Session::poll_timeout`]) and what a deadline means
//! ([`Session::handle_timeout`]). The session reads no clock: every
//! deadline is armed from the `now` a driver passes to [`Session::poll`].

use std::time::{Duration, Instant};

use super::machine::Session;
use super::outcome::{Failure, Outcome, Wait};
use super::state::{State, Transfer, TransferStep};

impl Session {
    /// When the session next needs [`Session::handle_timeout`], if it waits
    /// for the server at all:
    ///
    /// - after [`Action::ReadControl`](super::Action::ReadControl), each
    ///   read must bring something within [`Timeouts::reply`](super::Timeouts::reply)
    ///   (a transfer's final reply: [`Timeouts::final_reply`](super::Timeouts::final_reply), or
    ///   [`Timeouts::cut_short_final_reply`](super::Timeouts::cut_short_final_reply) after
    ///   [`Session::handle_data_cut_short`]; an abort's second reply:
    ///   [`Timeouts::last_abort_reply`](super::Timeouts::last_abort_reply));
    /// - after [`Action::AcceptData`](super::Action::AcceptData), the server's
    ///   data connection must come within [`Timeouts::accept`](super::Timeouts::accept).
    ///
    /// A driver waits for its I/O until then (a socket's read timeout, a
    /// sleep), and if nothing came calls [`Session::handle_timeout`].
    pub fn poll_timeout(&self) -> Option<Instant> {
        let accept = self
            .accept_deadline
            .filter(|_| self.is_awaiting_data_connection());
        let reply = self
            .reply_deadline
            .filter(|_| self.awaits_reply())
            .map(|(at, _)| at);
        match (accept, reply) {
            (Some(a), Some(r)) => Some(a.min(r)),
            (a, r) => a.or(r),
        }
    }

    /// The driver's time is `now`: a deadline of
    /// [`Session::poll_timeout`] that has passed takes effect; before it,
    /// nothing happens.
    ///
    /// - No reply in time: the session ends with
    ///   [`Failure::TimedOut`] (a late reply could not be told apart from
    ///   the next command's), and the driver closes its connections.
    /// - An abort's second reply not in time: the abort ends with the
    ///   reply it had ([`Outcome::Aborted`]). Should the server answer later
    ///   after all, that reply would be read as the answer to the next
    ///   command; a short wait keeps that unlikely, a long one would stall
    ///   every abort on servers that never send it.
    /// - Active mode, no data connection in time: as
    ///   [`Session::handle_data_connect_failed`], with
    ///   [`Failure::TimedOut`]: the session ends unless the transfer's final
    ///   reply came (the server may still try to connect).
    pub fn handle_timeout(&mut self, now: Instant) {
        let timeouts = self.config.timeouts;
        if self.is_awaiting_data_connection() && self.accept_deadline.is_some_and(|at| now >= at) {
            self.accept_deadline = None;
            return self.accept_failed(Failure::TimedOut {
                waiting: Wait::DataConnection,
                after: timeouts.accept,
            });
        }
        let Some((at, after)) = self.reply_deadline else {
            return;
        };
        if now < at || !self.awaits_reply() {
            return;
        }
        self.reply_deadline = None;
        match std::mem::replace(&mut self.state, State::Idle) {
            State::Aborting {
                last: Some(reply),
                home,
                ..
            } => self.end_transfer(home, Ok(Outcome::Aborted(reply))),
            other => {
                self.state = other;
                self.close(Failure::TimedOut {
                    waiting: Wait::Reply,
                    after,
                });
            }
        }
    }

    /// Whether the session waits for a reply: what it asks the driver to
    /// read the control connection for.
    pub(super) fn awaits_reply(&self) -> bool {
        match &self.state {
            State::Idle | State::Closed | State::SecuringControl(_) => false,
            State::Transfer(Transfer { step, .. }) => match step {
                TransferStep::Connecting { .. }
                | TransferStep::Listening
                | TransferStep::Accepting { .. } => false,
                TransferStep::Data {
                    data_done,
                    final_reply,
                    ..
                } => *data_done && final_reply.is_none(),
                _ => true,
            },
            _ => true,
        }
    }

    /// How long the reply the session now waits for may take.
    pub(super) fn reply_timeout(&self) -> Duration {
        let timeouts = &self.config.timeouts;
        match &self.state {
            State::Transfer(Transfer {
                step: TransferStep::Data { cut_short, .. },
                ..
            }) => {
                if *cut_short {
                    timeouts.final_reply.min(timeouts.cut_short_final_reply)
                } else {
                    timeouts.final_reply
                }
            }
            State::Aborting { last: Some(_), .. } => timeouts.reply.min(timeouts.last_abort_reply),
            _ => timeouts.reply,
        }
    }
}
