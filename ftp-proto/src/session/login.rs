//! Opening a session: the greeting, TLS on the control connection
//! (`AUTH TLS`), the login (`USER`, `PASS`, `ACCT`) and, with TLS, data
//! protection (`PBSZ 0`, `PROT P`).

use crate::command::{Arg, Command, Password, ProtectionLevel};
use crate::reply::{Reply, ReplyClass};

use super::action::Action;
use super::config::TlsMode;
use super::machine::Session;
use super::outcome::{Failure, Outcome, UsageError};
use super::state::{Secured, State};

impl Session {
    /// Logs in: USER, then PASS if asked (331), then ACCT if asked (332).
    /// With TLS, `PBSZ 0` and `PROT P` follow. The password is a
    /// [`Password`] (an [`Arg`] converts into one), the one argument that
    /// may be empty.
    ///
    /// A server that greeted with `230` instead of `220` says the session
    /// is logged in already (RFC 959 5.4: 230 is "user logged in, proceed";
    /// servers that admit by address do this). Then the first login sends
    /// neither USER nor PASS and succeeds with that 230, as curl does: a
    /// password is never sent to a server that did not ask for it, and a
    /// USER there could only be refused (503) or start another login. A 230
    /// read in clear before `AUTH TLS` ([`TlsMode::Explicit`]) proves
    /// nothing and is taken as a 220: the login runs through TLS as usual.
    pub fn login(
        &mut self,
        user: Arg,
        password: impl Into<Password>,
        account: Option<Arg>,
    ) -> Result<(), UsageError> {
        self.check_idle()?;
        let password = password.into();
        self.working_directory = None;
        if let Some(greeting) = self.greeted_logged_in.take() {
            self.logged_in(greeting);
            return Ok(());
        }
        self.begin(Command::User(user), State::LoginUser { password, account })
    }

    /// The TLS handshake asked for by [`Action::SecureControl`] succeeded:
    /// the control connection is TLS from now on.
    pub fn handle_control_secured(&mut self) -> Result<(), UsageError> {
        match std::mem::replace(&mut self.state, State::Idle) {
            State::SecuringControl(Secured::ReadGreeting) => self.state = State::Greeting,
            State::SecuringControl(Secured::Greeted(greeting)) => {
                self.finish(Ok(Outcome::Greeting(greeting)))
            }
            other => {
                self.state = other;
                return Err(UsageError::UnexpectedEvent("control secured"));
            }
        }
        Ok(())
    }

    /// The TLS handshake asked for by [`Action::SecureControl`] failed: the
    /// session ends with [`Failure::SecureControlFailed`], for the driver
    /// to report its own error, and nothing more is sent.
    pub fn handle_control_secure_failed(&mut self) -> Result<(), UsageError> {
        if !matches!(self.state, State::SecuringControl(_)) {
            return Err(UsageError::UnexpectedEvent("control secure failed"));
        }
        self.close(Failure::SecureControlFailed);
        Ok(())
    }

    /// The reply to the greeting: 220, or 230 when logged in already.
    pub(super) fn on_greeting_reply(&mut self, reply: Reply) {
        match reply.class() {
            ReplyClass::PositiveCompletion if self.config.tls == TlsMode::Explicit => {
                self.tls12_only = self.runs_out_of_tickets(&reply);
                self.state = State::AuthTls { greeting: reply };
                self.send(Command::Auth(Arg::from_static("TLS")));
            }
            ReplyClass::PositiveCompletion
                if self.config.tls == TlsMode::Implicit && self.runs_out_of_tickets(&reply) =>
            {
                self.end_session(Failure::NeedsTls12(reply))
            }
            ReplyClass::PositiveCompletion => {
                if reply.code().get() == 230 {
                    // Logged in already; see `login`.
                    self.greeted_logged_in = Some(reply.clone());
                }
                self.finish(Ok(Outcome::Greeting(reply)))
            }
            _ if self.config.tls.is_tls() => self.end_session(Failure::Greeting(reply)),
            _ => self.finish(Err(Failure::Greeting(reply))),
        }
    }

    /// The reply to `AUTH TLS`, sent after `greeting`.
    pub(super) fn on_auth_tls_reply(&mut self, greeting: Reply, reply: Reply) {
        match reply.code().get() {
            234 => {
                self.state = State::SecuringControl(Secured::Greeted(greeting));
                self.actions.push_back(Action::SecureControl);
            }
            _ => self.end_session(self.tls_refused(reply)),
        }
    }

    /// The reply to `USER`.
    pub(super) fn on_user_reply(&mut self, password: Password, account: Option<Arg>, reply: Reply) {
        match reply.code().get() {
            200..=299 => self.logged_in(reply),
            331 => {
                self.state = State::LoginPass { account };
                self.send(Command::Pass(password));
            }
            332 => self.send_account(account, reply),
            _ => self.finish(Err(self.not_success(reply))),
        }
    }

    /// The reply to `PASS`.
    pub(super) fn on_pass_reply(&mut self, account: Option<Arg>, reply: Reply) {
        match reply.code().get() {
            200..=299 => self.logged_in(reply),
            332 => self.send_account(account, reply),
            _ => self.finish(Err(self.not_success(reply))),
        }
    }

    /// The reply to `ACCT`.
    pub(super) fn on_acct_reply(&mut self, reply: Reply) {
        match reply.class() {
            ReplyClass::PositiveCompletion => self.logged_in(reply),
            _ => self.finish(Err(self.not_success(reply))),
        }
    }

    fn send_account(&mut self, account: Option<Arg>, reply: Reply) {
        match account {
            Some(account) => {
                self.state = State::LoginAcct;
                self.send(Command::Acct(account));
            }
            None => self.finish(Err(Failure::AccountRequired(reply))),
        }
    }

    /// The login succeeded with `reply`: done, or with TLS, `PBSZ 0` and
    /// `PROT P` first.
    fn logged_in(&mut self, reply: Reply) {
        if self.config.tls.is_tls() {
            self.data_protected = false;
            self.state = State::LoginPbsz { login: reply };
            self.send(Command::Pbsz(0));
        } else {
            self.finish(Ok(Outcome::LoggedIn(reply)));
        }
    }

    /// The reply to `PBSZ 0`, after a login that `login` accepted.
    pub(super) fn on_pbsz_reply(&mut self, login: Reply, reply: Reply) {
        match reply.class() {
            ReplyClass::PositiveCompletion => {
                self.state = State::LoginProt { login };
                self.send(Command::Prot(ProtectionLevel::Private));
            }
            _ => self.end_session(self.tls_refused(reply)),
        }
    }

    /// The reply to `PROT P`, after a login that `login` accepted.
    pub(super) fn on_prot_reply(&mut self, login: Reply, reply: Reply) {
        match reply.class() {
            ReplyClass::PositiveCompletion => {
                self.data_protected = true;
                self.finish(Ok(Outcome::LoggedIn(login)));
            }
            _ => self.end_session(self.tls_refused(reply)),
        }
    }

    /// Whether this session, with one-use TLS 1.3 tickets on offer, would
    /// run out of them with the server that sent `greeting`.
    fn runs_out_of_tickets(&self, greeting: &Reply) -> bool {
        self.config.tls13_one_use_tickets && crate::tls_tickets::runs_out_of_tickets(greeting)
    }

    fn tls_refused(&self, reply: Reply) -> Failure {
        Failure::TlsRefused {
            command: self.last_command.clone(),
            reply,
        }
    }
}
