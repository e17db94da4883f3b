//! Data transfers: `TYPE`, `REST`, the transfer command, its replies
//! and the end of the data, in whatever order they come.

use crate::command::{Arg, Command, TransferType};
use crate::decode;
use crate::reply::{Reply, ReplyClass};

use super::action::{Action, DataCommand, TransferStart};
use super::machine::Session;
use super::outcome::{Failure, Outcome, UsageError};
use super::state::{State, Transfer, TransferStep};

impl Session {
    /// Runs a data transfer: `TYPE` when the one in force is not
    /// [`SessionConfig::transfer_type`](super::SessionConfig::transfer_type)
    /// (`TYPE I` once per session by default), the data connection (`EPSV`,
    /// or in [active mode](super#active-mode) `EPRT` or `PORT`), the
    /// command, and its 1xx/final replies. Succeeds with
    /// [`Outcome::Transferred`] once the data is done *and* the final reply
    /// is 2xx, in either order.
    ///
    /// In passive mode, `EPSV` falls back to `PASV`, for the rest of the session, when the
    /// server answers it with anything but a 229 naming a port (a refusal,
    /// 4xx or 5xx, or an odd answer such as 314), and when the port a 229
    /// named refuses the connection before any EPSV data connection of the
    /// session has opened ([`Session::handle_data_connect_failed`]). So
    /// there is at most one fallback per session. Over IPv6 there is none:
    /// a 227 cannot name an IPv6 address, and the EPSV failure is the
    /// transfer's.
    ///
    /// A listing (`LIST`, `NLST`, `MLSD`) of a named directory changes into
    /// it and lists with no argument, then changes back (`PWD` first, unless
    /// the working directory is known): servers read a listing's argument in
    /// their own ways — Pure-FTPd parses it as `ls` options and globs, so
    /// `LIST my dir` lists `my` and `dir`, and others take a leading `-` as
    /// options — while `CWD` takes a path and nothing else. When the name is
    /// no directory (`CWD` answers 5xx), the argument is sent as it is if no
    /// server could misread it (a file's own line, as `ls FILE` shows), and
    /// the `CWD` refusal ends the operation otherwise, as it does for a path
    /// ending in `/`, which can only name a directory.
    ///
    /// With TLS required ([`SessionConfig::tls`](super::SessionConfig::tls)), a transfer before `PROT
    /// P` was accepted (that is, before the login) is refused with
    /// [`UsageError::DataNotProtected`].
    pub fn transfer(&mut self, request: DataCommand) -> Result<(), UsageError> {
        self.check_idle()?;
        if self.config.tls.is_tls() && !self.data_protected {
            return Err(UsageError::DataNotProtected);
        }
        self.begin_transfer(request);
        Ok(())
    }

    /// [`Session::transfer`] once the session is known to be able to run
    /// it.
    pub(super) fn begin_transfer(&mut self, request: DataCommand) {
        if request.listed_path().is_none() {
            return self.start_transfer(request, None);
        }
        match self.working_directory.clone() {
            Some(home) => self.change_into_listed(request, home),
            None => {
                self.state = State::ListPwd { request };
                self.send(Command::Pwd);
            }
        }
    }

    /// Like [`Session::transfer`], restarting at byte `offset` (RFC 3659
    /// 5): once the data connection is open, `REST offset` is sent, and the
    /// transfer command only after the server accepts it with 350. RETR
    /// then sends the file from `offset` on; STOR writes the data the
    /// client sends at `offset` (the server keeps the bytes before it).
    ///
    /// REST and the transfer are one operation: nothing can come between
    /// them, and no other operation sends REST, so a restart marker never
    /// outlives its transfer. A server that refuses REST (500, 502, 501…)
    /// ends the operation with [`Failure::Refused`] naming `REST` before
    /// the transfer command is sent: nothing is transferred from offset 0
    /// in its place. An offset of 0 sends no REST.
    ///
    /// Only [`DataCommand::Retr`] and [`DataCommand::Stor`] can restart;
    /// others are refused with [`UsageError::NotRestartable`].
    pub fn transfer_from(&mut self, request: DataCommand, offset: u64) -> Result<(), UsageError> {
        self.check_idle()?;
        if offset > 0 && !matches!(request, DataCommand::Retr(_) | DataCommand::Stor(_)) {
            return Err(UsageError::NotRestartable);
        }
        // Set before the transfer begins: whether its command may go with
        // EPSV depends on it.
        self.restart_offset = offset;
        self.transfer(request)
            .inspect_err(|_| self.restart_offset = 0)
    }

    /// The data is done: end of file read (download) or all data written
    /// (upload), and the data connection closed. Also call this when the
    /// data connection broke, so that the server's final reply is read and
    /// the session stays in step.
    pub fn handle_data_finished(&mut self) -> Result<(), UsageError> {
        self.data_ended(false)
    }

    /// The data did not reach its end and the client closed the data
    /// connection without `ABOR` (a download dropped unread or whose data
    /// connection failed, a data connection whose TLS handshake failed): as
    /// [`Session::handle_data_finished`], but the server's final reply is
    /// waited for only briefly
    /// ([`Timeouts::cut_short_final_reply`](super::Timeouts::cut_short_final_reply)).
    pub fn handle_data_cut_short(&mut self) -> Result<(), UsageError> {
        self.data_ended(true)
    }

    pub(super) fn data_ended(&mut self, by_client: bool) -> Result<(), UsageError> {
        match &mut self.state {
            State::Transfer(Transfer {
                step:
                    TransferStep::Data {
                        data_done,
                        cut_short,
                        ..
                    },
                ..
            }) if !*data_done => {
                *data_done = true;
                *cut_short = by_client;
                self.finish_transfer_if_complete();
                Ok(())
            }
            _ => Err(UsageError::UnexpectedEvent("data finished")),
        }
    }

    /// Begins the transfer proper: `TYPE` unless the one wanted is in
    /// force, then the data connection's setup. `home` is where to change
    /// back to once it ends.
    pub(super) fn start_transfer(&mut self, request: DataCommand, home: Option<Arg>) {
        let wanted = self.config.transfer_type;
        self.state = State::Transfer(Transfer {
            request,
            step: TransferStep::Type(wanted),
            home,
        });
        if self.current_type == Some(wanted) {
            self.open_data();
        } else {
            self.send(Command::Type(wanted));
        }
    }

    /// Moves the transfer under way on to `step`.
    pub(super) fn set_step(&mut self, step: TransferStep) {
        if let State::Transfer(transfer) = &mut self.state {
            transfer.step = step;
        }
    }

    /// Ends the transfer under way with `failure` (after changing back to
    /// the directory a listing started from).
    pub(super) fn fail_transfer(&mut self, failure: Failure) {
        let home = match &mut self.state {
            State::Transfer(transfer) => transfer.home.take(),
            _ => None,
        };
        self.end_transfer(home, Err(failure));
    }

    /// Once the data connection is set up: `REST offset` when restarting,
    /// else the transfer command.
    pub(super) fn send_restart_or_command(&mut self) {
        let offset = self.restart_offset;
        let State::Transfer(transfer) = &mut self.state else {
            return;
        };
        let command = if offset > 0 {
            transfer.step = TransferStep::Restarting;
            Command::Rest(offset)
        } else {
            transfer.step = TransferStep::AwaitingStart;
            transfer.request.command()
        };
        self.send(command);
    }

    /// The server is ready and the data connection open: the driver moves
    /// the data. `final_reply` is the transfer's, if it came already.
    pub(super) fn start_data(&mut self, size_hint: Option<u64>, final_reply: Option<Reply>) {
        let State::Transfer(transfer) = &mut self.state else {
            return;
        };
        transfer.step = TransferStep::Data {
            data_done: false,
            cut_short: false,
            final_reply,
        };
        let direction = transfer.request.direction();
        self.actions.push_back(Action::Transfer(TransferStart {
            direction,
            size_hint,
        }));
    }

    /// A reply during a transfer, to the command of its step.
    pub(super) fn on_transfer_reply(&mut self, reply: Reply) {
        let State::Transfer(transfer) = &self.state else {
            return;
        };
        match transfer.step {
            TransferStep::Type(transfer_type) => self.on_type_reply(transfer_type, reply),
            TransferStep::Passive { extended: true } => self.on_epsv_reply(reply),
            TransferStep::Passive { extended: false } => self.on_pasv_reply(reply),
            TransferStep::PassiveWithCommand => self.on_epsv_reply_with_command(reply),
            TransferStep::DrainingCommand { .. } => self.on_drained_reply(reply),
            TransferStep::RefusalAwaited => self.on_awaited_refusal(reply),
            // A reply while the driver connects the data channel (or
            // opens its listening socket): the server spoke out of turn;
            // keep waiting for the connection.
            TransferStep::Connecting { .. } | TransferStep::Listening => {}
            TransferStep::ConnectingWithCommand { .. } => self.keep_early_reply(reply),
            TransferStep::Port { extended, addr } => self.on_port_reply(extended, addr, reply),
            TransferStep::Accepting { .. } => self.on_accepting_reply(reply),
            TransferStep::Restarting => self.on_rest_reply(reply),
            TransferStep::AwaitingStart => self.on_start_reply(reply),
            TransferStep::Data { .. } => self.on_data_reply(reply),
        }
    }

    /// The reply to `TYPE`.
    fn on_type_reply(&mut self, transfer_type: TransferType, reply: Reply) {
        if reply.class() != ReplyClass::PositiveCompletion {
            return self.fail_transfer(self.not_success(reply));
        }
        self.current_type = Some(transfer_type);
        self.open_data();
    }

    /// The reply to `REST`.
    fn on_rest_reply(&mut self, reply: Reply) {
        if reply.code().get() != 350 {
            // Never the transfer from offset 0 in its place.
            return self.fail_transfer(self.not_success(reply));
        }
        let State::Transfer(transfer) = &mut self.state else {
            return;
        };
        transfer.step = TransferStep::AwaitingStart;
        let command = transfer.request.command();
        self.send(command);
    }

    /// The first reply to the transfer command.
    fn on_start_reply(&mut self, reply: Reply) {
        let final_reply = match (reply.class(), reply.code().get()) {
            (ReplyClass::PositivePreliminary, _) => None,
            // The final reply with no 1xx before it: the data connection
            // still has to be drained and closed.
            (ReplyClass::PositiveCompletion, 226 | 250) => Some(reply.clone()),
            // Some servers send a stray 2xx before the 150.
            (ReplyClass::PositiveCompletion, _) => return,
            _ if self.falls_back_to_list(&reply) => return,
            _ => return self.fail_transfer(self.not_success(reply)),
        };
        let size_hint = if final_reply.is_none() {
            decode::size_hint(&reply)
        } else {
            None
        };
        if self.config.active {
            self.set_step(TransferStep::Accepting {
                size_hint,
                final_reply,
            });
            self.actions.push_back(Action::AcceptData {
                from: self.config.peer.ip(),
            });
        } else {
            self.start_data(size_hint, final_reply);
        }
    }

    /// A reply while the data moves.
    fn on_data_reply(&mut self, reply: Reply) {
        if let State::Transfer(Transfer {
            step: TransferStep::Data { final_reply, .. },
            ..
        }) = &mut self.state
        {
            // Further 1xx, or anything after the final reply, is reported
            // and otherwise ignored.
            if final_reply.is_none() && reply.class() != ReplyClass::PositivePreliminary {
                *final_reply = Some(reply);
            }
        }
        self.finish_transfer_if_complete();
    }

    fn finish_transfer_if_complete(&mut self) {
        let State::Transfer(Transfer {
            step:
                TransferStep::Data {
                    data_done: true,
                    final_reply,
                    ..
                },
            home,
            ..
        }) = &mut self.state
        else {
            return;
        };
        let Some(reply) = final_reply.take() else {
            return;
        };
        let home = home.take();
        let result = if reply.class() == ReplyClass::PositiveCompletion {
            match self.data_stalled {
                // The data stopped moving: the server's word that all is
                // well does not make the transfer whole.
                Some(after) => Err(Failure::TimedOut {
                    waiting: super::Wait::Data,
                    after,
                }),
                None => Ok(Outcome::Transferred(reply)),
            }
        } else {
            Err(self.not_success(reply))
        };
        self.end_transfer(home, result);
    }
}
