//! A download's command sent together with its `EPSV`
//! ([`SessionConfig::command_with_epsv`](super::SessionConfig::command_with_epsv)):
//! the server reads `RETR` (or the listing) right after `EPSV`, answers the
//! 229 and then waits for the data connection as it would have anyway, so
//! the round trip between the two is saved.
//!
//! What can then come in another order than usual, and what it means:
//! - the command's replies before the driver has connected (a 550 for a
//!   missing file, often in the same read as the 229): kept, and read once
//!   the data connection is open, as if they had come then;
//! - a refused `EPSV`: the command's own refusal follows (no data
//!   connection: 425 or 503), and is read before the transfer ends with the
//!   `EPSV` failure, so that the next operation's replies stay in step;
//! - a data connection that cannot be opened: the server may have refused
//!   the command and closed its port before the driver connected (proFTPD
//!   does, over TLS often), or it may be waiting for the connection with
//!   the command pending, with no reply to give until its own timeout. So
//!   the command's reply is awaited a short while: a refusal ends the
//!   transfer with the session in step; anything else, or nothing in time,
//!   ends the session.

use std::net::SocketAddr;

use crate::command::Command;
use crate::decode;
use crate::reply::{Reply, ReplyClass};

use super::action::{Action, Direction};
use super::machine::Session;
use super::outcome::Failure;
use super::state::{State, Support, Transfer, TransferStep};

impl Session {
    /// Whether the transfer under way sends its command with `EPSV`: a
    /// download from the start, in passive mode, on a session where `EPSV`
    /// has carried a data connection (so no fallback to `PASV` can be
    /// needed).
    pub(super) fn sends_command_with_epsv(&self) -> bool {
        let State::Transfer(transfer) = &self.state else {
            return false;
        };
        self.config.command_with_epsv
            && !self.config.active
            && self.epsv == Support::Works
            && self.restart_offset == 0
            && transfer.request.direction() == Direction::Download
    }

    /// `EPSV`, then the transfer command without waiting.
    pub(super) fn send_epsv_with_command(&mut self) {
        let State::Transfer(transfer) = &mut self.state else {
            return;
        };
        transfer.step = TransferStep::PassiveWithCommand;
        let command = transfer.request.command();
        self.send(Command::Epsv);
        self.send(command);
    }

    /// The reply to `EPSV` when the command went with it.
    pub(super) fn on_epsv_reply_with_command(&mut self, reply: Reply) {
        let port = (reply.class() == ReplyClass::PositiveCompletion).then(|| decode::epsv(&reply));
        if let Some(Ok(port)) = port {
            let target = SocketAddr::new(self.config.peer.ip(), port);
            self.set_step(TransferStep::ConnectingWithCommand { early: Vec::new() });
            self.actions.push_back(Action::ConnectData(target));
            return;
        }
        // The failure is EPSV's: name it, not the command sent after it.
        let command = std::mem::replace(&mut self.last_command, Command::Epsv);
        let failure = match port {
            Some(Err(error)) => self.decode_failure(error),
            _ => self.not_success(reply),
        };
        self.last_command = command;
        self.set_step(TransferStep::DrainingCommand { failure });
    }

    /// Whether the driver connects the data connection of a command already
    /// sent: its replies then wait ([`Session::keep_early_reply`]).
    pub(super) fn is_connecting_with_command(&self) -> bool {
        matches!(
            self.state,
            State::Transfer(Transfer {
                step: TransferStep::ConnectingWithCommand { .. },
                ..
            })
        )
    }

    /// A reply to the command while the driver connects: kept for when the
    /// data connection is open.
    pub(super) fn keep_early_reply(&mut self, reply: Reply) {
        if let State::Transfer(Transfer {
            step: TransferStep::ConnectingWithCommand { early },
            ..
        }) = &mut self.state
        {
            early.push(reply);
        }
    }

    /// The data connection is open: the command's replies so far are
    /// reported and read as if they came now.
    pub(super) fn connected_with_command(&mut self) {
        let State::Transfer(transfer) = &mut self.state else {
            return;
        };
        let early = match &mut transfer.step {
            TransferStep::ConnectingWithCommand { early } => std::mem::take(early),
            _ => return,
        };
        transfer.step = TransferStep::AwaitingStart;
        for reply in early {
            self.on_reply(reply);
        }
    }

    /// The data connection could not be opened after the command went: the
    /// server's refusal of the command if it came, else the session ends
    /// (see the [module docs](self)).
    pub(super) fn connect_failed_with_command(&mut self) {
        let early = match &mut self.state {
            State::Transfer(Transfer {
                step: TransferStep::ConnectingWithCommand { early },
                ..
            }) => std::mem::take(early),
            _ => return,
        };
        for reply in &early {
            self.actions.push_back(Action::Reply(reply.clone()));
        }
        let nothing_came = early.is_empty();
        let refusal = early
            .into_iter()
            .find(|reply| reply.class() != ReplyClass::PositivePreliminary);
        match refusal {
            Some(reply) if reply.code().is_negative() => {
                let failure = self.not_success(reply);
                self.fail_transfer(failure);
            }
            // A 1xx: the server started the transfer and waits for the
            // connection that failed.
            None if nothing_came => self.set_step(TransferStep::RefusalAwaited),
            _ => self.close(Failure::DataConnectFailed),
        }
    }

    /// The command's reply after its data connection failed: a refusal
    /// keeps the session in step; anything else means the server went
    /// ahead without the connection, and the session ends.
    pub(super) fn on_awaited_refusal(&mut self, reply: Reply) {
        if reply.code().is_negative() {
            let failure = self.not_success(reply);
            self.fail_transfer(failure);
        } else {
            self.close(Failure::DataConnectFailed);
        }
    }

    /// A reply after a failed `EPSV` whose command went with it: 1xx is
    /// passed over; a final reply ends the transfer with `EPSV`'s failure.
    pub(super) fn on_drained_reply(&mut self, reply: Reply) {
        if reply.class() == ReplyClass::PositivePreliminary {
            return;
        }
        let State::Transfer(transfer) = &mut self.state else {
            return;
        };
        let step = std::mem::replace(&mut transfer.step, TransferStep::AwaitingStart);
        if let TransferStep::DrainingCommand { failure } = step {
            self.fail_transfer(failure);
        }
    }
}
