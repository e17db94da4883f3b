//! Setting up a transfer's data connection: passive (`EPSV`, falling
//! back to `PASV`) or active (`EPRT`, falling back to `PORT`, then the
//! server's connection accepted).

use std::net::{SocketAddr, SocketAddrV4};

use crate::command::Command;
use crate::decode;
use crate::reply::{Reply, ReplyClass};

use super::action::Action;
use super::machine::Session;
use super::outcome::{Failure, UsageError};
use super::state::{State, Support, Transfer, TransferStep};

impl Session {
    /// Active mode: the driver should be accepting the server's data
    /// connection ([`Action::AcceptData`]); false once a reply ended the
    /// transfer meanwhile.
    pub fn is_awaiting_data_connection(&self) -> bool {
        matches!(
            self.state,
            State::Transfer(Transfer {
                step: TransferStep::Accepting { .. },
                ..
            })
        )
    }

    /// The data connection asked for by [`Action::ConnectData`] is open, or
    /// the one [`Action::AcceptData`] waited for was accepted.
    pub fn handle_data_connected(&mut self) -> Result<(), UsageError> {
        self.accept_deadline = None;
        let State::Transfer(transfer) = &mut self.state else {
            return Err(UsageError::UnexpectedEvent("data connected"));
        };
        match &mut transfer.step {
            TransferStep::Connecting { extended } => {
                if *extended {
                    self.epsv = Support::Works;
                }
                self.send_restart_or_command();
            }
            TransferStep::ConnectingWithCommand { .. } => self.connected_with_command(),
            TransferStep::Accepting {
                size_hint,
                final_reply,
            } => {
                let (size_hint, final_reply) = (*size_hint, final_reply.take());
                self.start_data(size_hint, final_reply);
            }
            _ => return Err(UsageError::UnexpectedEvent("data connected")),
        }
        Ok(())
    }

    /// Active mode: the driver listens on `addr` ([`Action::Listen`]); the
    /// session tells the server with `EPRT` or `PORT`.
    pub fn handle_listening(&mut self, addr: SocketAddr) -> Result<(), UsageError> {
        match &self.state {
            State::Transfer(Transfer {
                step: TransferStep::Listening,
                ..
            }) => {
                let extended = addr.is_ipv6()
                    || (self.config.use_epsv
                        && self.eprt != Support::Refused
                        && self.features.as_ref().is_none_or(|f| f.supports("EPRT")));
                self.send_port(addr, extended);
                Ok(())
            }
            _ => Err(UsageError::UnexpectedEvent("listening")),
        }
    }

    /// The data connection could not be opened (or, in active mode, the
    /// listening socket, or no connection came). When it was the first
    /// EPSV port of the session (over IPv4), the session tries `PASV`
    /// instead (see [`Session::transfer`]). Otherwise the operation ends with
    /// [`Failure::DataConnectFailed`] (after changing back to the directory
    /// a listing started from), for the driver to report its own error. The
    /// session stays usable, except when the server had accepted an active
    /// mode transfer and never connected: then it may still try, and the
    /// session ends (see the [module docs](super#active-mode)).
    pub fn handle_data_connect_failed(&mut self) -> Result<(), UsageError> {
        self.accept_deadline = None;
        let may_fall_back = self.epsv == Support::Untried && self.may_fall_back_to_pasv();
        let State::Transfer(transfer) = &mut self.state else {
            return Err(UsageError::UnexpectedEvent("data connect failed"));
        };
        match &transfer.step {
            // No EPSV data connection has opened in this session yet: the
            // port a 229 named may be one the server (or a firewall before
            // it) never meant to open, while PASV's works (curl does the
            // same). Once per session; after that PASV only.
            TransferStep::Connecting { extended: true } if may_fall_back => {
                self.epsv = Support::Refused;
                self.send_passive();
            }
            TransferStep::Connecting { .. } | TransferStep::Listening => {
                let home = transfer.home.take();
                self.end_transfer(home, Err(Failure::DataConnectFailed));
            }
            TransferStep::Accepting { .. } => self.accept_failed(Failure::DataConnectFailed),
            TransferStep::ConnectingWithCommand { .. } => self.connect_failed_with_command(),
            _ => return Err(UsageError::UnexpectedEvent("data connect failed")),
        }
        Ok(())
    }

    /// Active mode: the server's data connection did not come (`failure`).
    /// The transfer ends if its final reply came; otherwise the server may
    /// still try to connect, and the session ends.
    pub(super) fn accept_failed(&mut self, failure: Failure) {
        match &mut self.state {
            State::Transfer(Transfer {
                step:
                    TransferStep::Accepting {
                        final_reply: Some(_),
                        ..
                    },
                home,
                ..
            }) => {
                let home = home.take();
                self.end_transfer(home, Err(failure));
            }
            _ => self.close(failure),
        }
    }

    /// The data connection's setup: passive (`EPSV`/`PASV`), or in active
    /// mode the driver's listening socket first.
    pub(super) fn open_data(&mut self) {
        if !self.config.active {
            return self.send_passive();
        }
        self.set_step(TransferStep::Listening);
        self.actions.push_back(Action::Listen);
    }

    fn send_passive(&mut self) {
        let extended = self.config.use_epsv && self.epsv != Support::Refused;
        if extended && self.sends_command_with_epsv() {
            return self.send_epsv_with_command();
        }
        self.set_step(TransferStep::Passive { extended });
        self.send(if extended {
            Command::Epsv
        } else {
            Command::Pasv
        });
    }

    /// The reply to `EPSV`.
    pub(super) fn on_epsv_reply(&mut self, reply: Reply) {
        let port = (reply.class() == ReplyClass::PositiveCompletion).then(|| decode::epsv(&reply));
        match port {
            Some(Ok(port)) => {
                let target = SocketAddr::new(self.config.peer.ip(), port);
                self.connect_data(target, true);
            }
            // Anything but a 229 with a port (500 or 502 unknown, 522, 4xx,
            // a 314 or a 229 without a port): PASV from now on, where it can
            // work. Once EPSV has carried a data connection, a refusal (a
            // 425 when the server's passive ports are all in use) is this
            // transfer's failure, for the caller to try again.
            _ if self.epsv == Support::Untried && self.may_fall_back_to_pasv() => {
                self.epsv = Support::Refused;
                self.send_passive();
            }
            None => self.fail_transfer(self.not_success(reply)),
            Some(Err(error)) => self.fail_transfer(self.decode_failure(error)),
        }
    }

    /// The reply to `PASV`.
    pub(super) fn on_pasv_reply(&mut self, reply: Reply) {
        if reply.class() != ReplyClass::PositiveCompletion {
            return self.fail_transfer(self.not_success(reply));
        }
        match decode::pasv(&reply) {
            Ok(addr) => {
                let target = self.pasv_target(addr);
                self.connect_data(target, false);
            }
            Err(error) => self.fail_transfer(self.decode_failure(error)),
        }
    }

    /// Where to connect for a 227 reply: the control connection's peer,
    /// unless the caller chose to trust the advertised host.
    fn pasv_target(&self, advertised: SocketAddrV4) -> SocketAddr {
        if self.config.trust_pasv_host && !advertised.ip().is_unspecified() {
            SocketAddr::V4(advertised)
        } else {
            SocketAddr::new(self.config.peer.ip(), advertised.port())
        }
    }

    /// Whether `PASV` can stand in for a failed `EPSV`: only over IPv4. A
    /// 227 reply cannot name an IPv6 address (RFC 2428 made EPSV for
    /// that), and servers refuse PASV over IPv6 (Pure-FTPd) or answer it
    /// with an IPv4 address that is not the server's: over IPv6 the EPSV
    /// failure is the transfer's.
    fn may_fall_back_to_pasv(&self) -> bool {
        self.config.use_epsv && self.config.peer.is_ipv4()
    }

    /// Asks the driver to connect the data channel to `target`, which a
    /// 229 (`extended`) or 227 reply named.
    fn connect_data(&mut self, target: SocketAddr, extended: bool) {
        self.set_step(TransferStep::Connecting { extended });
        self.actions.push_back(Action::ConnectData(target));
    }

    /// `EPRT` (`extended`) or `PORT` for the address the driver listens on.
    fn send_port(&mut self, addr: SocketAddr, extended: bool) {
        self.set_step(TransferStep::Port { extended, addr });
        self.send(match addr {
            SocketAddr::V4(v4) if !extended => Command::Port(v4),
            addr => Command::Eprt(addr),
        });
    }

    /// The reply to `EPRT` (`extended`) or `PORT` for `addr`.
    pub(super) fn on_port_reply(&mut self, extended: bool, addr: SocketAddr, reply: Reply) {
        match reply.class() {
            ReplyClass::PositiveCompletion => {
                if extended && addr.is_ipv4() {
                    self.eprt = Support::Works;
                }
                self.send_restart_or_command();
            }
            // EPRT unknown or refused (500, 501, 502, 522…): PORT says the
            // same for IPv4, from now on.
            ReplyClass::PermanentNegative if extended && addr.is_ipv4() => {
                self.eprt = Support::Refused;
                self.send_port(addr, false);
            }
            _ => self.fail_transfer(self.not_success(reply)),
        }
    }

    /// A reply while the driver accepts the server's data connection.
    pub(super) fn on_accepting_reply(&mut self, reply: Reply) {
        let class = reply.class();
        let State::Transfer(Transfer {
            step: TransferStep::Accepting { final_reply, .. },
            ..
        }) = &mut self.state
        else {
            return;
        };
        if final_reply.is_some() || class == ReplyClass::PositivePreliminary {
            return;
        }
        if class == ReplyClass::PositiveCompletion {
            *final_reply = Some(reply);
            return;
        }
        // The server gave up on the transfer (425: it could not connect):
        // no connection is coming. An AcceptData queued by a 1xx of the
        // same read is moot now.
        self.actions
            .retain(|action| !matches!(action, Action::AcceptData { .. }));
        self.fail_transfer(self.not_success(reply));
    }
}
