//! Time as an input: when the session next needs waking
//! ([`Session::poll_timeout`]) and what a deadline means
//! ([`Session::handle_timeout`]). The session reads no clock: every
//! deadline is armed from the `now` a driver passes to [`Session::poll`].

use std::time::{Duration, Instant};

use super::machine::Session;
use super::outcome::{Failure, Wait};
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
    ///   data connection must come within [`Timeouts::accept`](super::Timeouts::accept);
    /// - while a transfer's data moves, it must move again within
    ///   [`Timeouts::data`](super::Timeouts::data) of its last progress
    ///   ([`Session::handle_data_progress`]).
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
        let data = self.data_deadline.filter(|_| self.is_moving_data());
        [accept, reply, data].into_iter().flatten().min()
    }

    /// The running transfer's data moved at `now` (a chunk read or
    /// written, or a rate limit's wait just ended): its stall deadline,
    /// [`Timeouts::data`](super::Timeouts::data), starts again from `now`.
    /// Call it once as the data connection is ready, then for each chunk;
    /// it costs an addition. Without a transfer moving data it does
    /// nothing.
    pub fn handle_data_progress(&mut self, now: Instant) {
        if self.is_moving_data() {
            self.data_deadline = Some(now + self.config.timeouts.data);
        }
    }

    /// Whether [`Session::handle_timeout`] ended the running transfer's
    /// data after a stall ([`Timeouts::data`](super::Timeouts::data)): the
    /// driver closes the data connection and reports nothing more of it
    /// (no [`Session::handle_data_finished`] or
    /// [`Session::handle_data_cut_short`]), but reads the final reply.
    pub fn is_data_stalled(&self) -> bool {
        self.data_stalled.is_some()
    }

    /// Whether a transfer's data is moving: its data connection is in use
    /// and the data not yet done. After [`Session::handle_timeout`] ends it
    /// (a stall), the driver closes the data connection.
    pub fn is_moving_data(&self) -> bool {
        matches!(
            &self.state,
            State::Transfer(Transfer {
                step: TransferStep::Data {
                    data_done: false,
                    ..
                },
                ..
            })
        )
    }

    /// The data stalled past [`Timeouts::data`](super::Timeouts::data):
    /// as the driver's cut-short data (a download) or ended data (an
    /// upload), and the transfer fails with [`Failure::TimedOut`] unless the
    /// server's final reply refuses it.
    fn data_timed_out(&mut self) {
        let State::Transfer(transfer) = &self.state else {
            return;
        };
        let download = transfer.request.direction() == super::Direction::Download;
        self.data_deadline = None;
        self.data_stalled = Some(self.config.timeouts.data);
        let _ = self.data_ended(download);
    }

    /// The driver's time is `now`: a deadline of
    /// [`Session::poll_timeout`] that has passed takes effect; before it,
    /// nothing happens.
    ///
    /// - No reply in time: the session ends with
    ///   [`Failure::TimedOut`] (a late reply could not be told apart from
    ///   the next command's), and the driver closes its connections.
    /// - An abort's second reply not in time: the abort ends with the
    ///   reply it had ([`Outcome::Aborted`](super::Outcome::Aborted)). Should the server answer later
    ///   after all, that reply would be read as the answer to the next
    ///   command; a short wait keeps that unlikely, a long one would stall
    ///   every abort on servers that never send it.
    /// - A transfer's data not moving in time ([`Timeouts::data`](super::Timeouts::data)):
    ///   as [`Session::handle_data_cut_short`] (a download) or
    ///   [`Session::handle_data_finished`] (an upload), the driver closes
    ///   the data connection, and the transfer fails with
    ///   [`Failure::TimedOut`] waiting for [`Wait::Data`] unless its final
    ///   reply refuses it.
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
        if self.is_moving_data() && self.data_deadline.is_some_and(|at| now >= at) {
            return self.data_timed_out();
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
                range,
                ..
            } => self.end_transfer(home, Ok(super::abort::aborted(range, reply))),
            // No refusal came after a failed data connection: the server
            // may be waiting for it, so the session cannot go on.
            other @ State::Transfer(Transfer {
                step: TransferStep::RefusalAwaited,
                ..
            }) => {
                self.state = other;
                self.close(Failure::DataConnectFailed);
            }
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
                | TransferStep::ConnectingWithCommand { .. }
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
            State::Transfer(Transfer {
                step: TransferStep::RefusalAwaited,
                ..
            }) => timeouts.reply.min(timeouts.cut_short_final_reply),
            State::Aborting { last: Some(_), .. } => timeouts.reply.min(timeouts.last_abort_reply),
            _ => timeouts.reply,
        }
    }
}
