//! The [`Session`] itself: what it holds, how replies and control
//! connection events reach the operation under way, and how an operation
//! ends.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::command::{Arg, Command, TransferType};
use crate::decode::{DecodeError, Features};
use crate::reply::{Reply, ReplyClass, ReplyCode, ReplyParser};

use super::action::Action;
use super::config::{SessionConfig, TlsMode};
use super::outcome::{Failure, Outcome, UsageError};
use super::state::{Expect, HashSelection, Secured, State, Support};

/// An FTP client session, without I/O; see the [module docs](super).
#[derive(Debug)]
pub struct Session {
    pub(super) config: SessionConfig,
    pub(super) parser: ReplyParser,
    pub(super) state: State,
    pub(super) actions: VecDeque<Action>,
    /// The last command sent, named in failures.
    pub(super) last_command: Command,
    /// The TYPE in force, if known.
    pub(super) current_type: Option<TransferType>,
    /// Whether EPSV is worth trying (passive mode).
    pub(super) epsv: Support,
    /// Whether EPRT is worth trying (active mode, IPv4).
    pub(super) eprt: Support,
    /// The working directory, as the last PWD gave it, while no command
    /// since can have changed it.
    pub(super) working_directory: Option<Arg>,
    /// A walk's listing ([`Session::walk_entries`]) left the session in the
    /// directory it listed, not in `working_directory` (home, an absolute
    /// path): operations other than the next walk listing, MDTM and those
    /// naming no path (FEAT, NOOP, QUIT) wait for [`Session::return_home`].
    pub(super) away: bool,
    /// The listing under way is [`Session::walk_entries`]': it stays in
    /// the directory it changed into. Cleared when the operation ends.
    pub(super) walking: bool,
    /// The server's FEAT answer, once asked.
    pub(super) features: Option<Features>,
    /// MLSD was refused although FEAT listed MLST: list with LIST.
    pub(super) mlsd_refused: bool,
    /// `PROT P` is in force: every data connection is TLS.
    pub(super) data_protected: bool,
    /// The control handshake offers TLS 1.2 at most ([`Session::tls12_only`]).
    pub(super) tls12_only: bool,
    /// The offset the transfer under way restarts at (`REST`), 0 for none.
    /// Set only by [`Session::transfer_from`], cleared when the operation
    /// ends: no other operation ever sends REST.
    pub(super) restart_offset: u64,
    /// The listing under way is [`Session::entries`]': an MLSD that the
    /// server refuses as unknown lists again with LIST. Set only there,
    /// cleared when the operation ends.
    pub(super) list_fallback: bool,
    /// The server greeted with 230: logged in already, so the next
    /// [`Session::login`] sends no USER or PASS.
    pub(super) greeted_logged_in: Option<Reply>,
    /// Which algorithm `HASH` uses now.
    pub(super) hash_selection: HashSelection,
    /// The reply asked for by the last [`Action::ReadControl`] is due by
    /// then (the wait it armed lasts the duration); see
    /// [`Session::poll_timeout`].
    pub(super) reply_deadline: Option<(Instant, Duration)>,
    /// Active mode: the server's data connection is due by then.
    pub(super) accept_deadline: Option<Instant>,
    /// The running transfer's data must move again by then (armed by
    /// [`Session::handle_data_progress`]).
    pub(super) data_deadline: Option<Instant>,
    /// The running transfer's data stalled for this long: it fails so,
    /// whatever its final reply (unless that is a refusal).
    pub(super) data_stalled: Option<Duration>,
}

impl Session {
    /// A session on a freshly opened control connection to
    /// `config.peer`; its first operation, reading the greeting, is
    /// already under way (with [`TlsMode::Implicit`], after
    /// [`Action::SecureControl`]; with [`TlsMode::Explicit`], it goes on
    /// with `AUTH TLS` and the handshake).
    pub fn new(config: SessionConfig) -> Self {
        let implicit = config.tls == TlsMode::Implicit;
        let mut session = Session {
            parser: ReplyParser::new(config.limits),
            config,
            state: State::Greeting,
            actions: VecDeque::new(),
            last_command: Command::Noop,
            current_type: None,
            epsv: Support::Untried,
            eprt: Support::Untried,
            working_directory: None,
            away: false,
            walking: false,
            features: None,
            mlsd_refused: false,
            data_protected: false,
            tls12_only: false,
            restart_offset: 0,
            list_fallback: false,
            greeted_logged_in: None,
            hash_selection: HashSelection::Feat,
            reply_deadline: None,
            accept_deadline: None,
            data_deadline: None,
            data_stalled: None,
        };
        if implicit {
            session.state = State::SecuringControl(Secured::ReadGreeting);
            session.actions.push_back(Action::SecureControl);
        }
        session
    }

    /// The configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// Changes how long the session waits for the server, from the next
    /// wait on ([`SessionConfig::timeouts`]).
    pub fn set_timeouts(&mut self, timeouts: super::Timeouts) {
        self.config.timeouts = timeouts;
    }

    /// Whether the TLS handshake that [`Action::SecureControl`] asks for
    /// must offer TLS 1.2 at most, for the reason in
    /// [`tls_tickets::REASON`](crate::tls_tickets::REASON) (the driver logs
    /// it). Decided from the greeting, before `AUTH TLS`; every data
    /// connection then resumes that TLS 1.2 session.
    pub fn tls12_only(&self) -> bool {
        self.tls12_only
    }

    /// No operation is running: a new one may start.
    pub fn is_idle(&self) -> bool {
        matches!(self.state, State::Idle)
    }

    /// The server closed the session, QUIT completed, or the control
    /// stream broke; the driver should close its sockets.
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// Bytes of an incomplete reply held by the parser; never more than
    /// the [`Limits`](crate::reply::Limits) allow.
    pub fn buffered_bytes(&self) -> usize {
        self.parser.buffered()
    }

    /// Whether data connections must be TLS: `PROT P` was accepted.
    pub fn is_data_protected(&self) -> bool {
        self.data_protected
    }

    /// Whether `TYPE I` is in force.
    pub fn is_binary(&self) -> bool {
        self.current_type == Some(TransferType::Binary)
    }

    /// The representation type transfers use; see
    /// [`SessionConfig::transfer_type`].
    pub fn transfer_type(&self) -> TransferType {
        self.config.transfer_type
    }

    /// Sets the representation type of the transfers that follow; the
    /// session sends `TYPE` before the next transfer if it differs from
    /// the one in force.
    pub fn set_transfer_type(&mut self, transfer_type: TransferType) {
        self.config.transfer_type = transfer_type;
    }

    /// Feeds bytes read from the control connection.
    pub fn handle_control(&mut self, mut data: &[u8]) {
        while !data.is_empty() && !self.is_closed() {
            match self.parser.feed(data) {
                Ok(progress) => {
                    data = &data[progress.consumed..];
                    if let Some(reply) = progress.reply {
                        self.on_reply(reply);
                    }
                }
                Err(error) => self.close(Failure::Malformed(error)),
            }
            if matches!(self.state, State::SecuringControl(_))
                && (!data.is_empty() || self.parser.is_mid_reply())
            {
                // Bytes after 234 that came in clear: none may be taken as
                // the server's word once TLS is up.
                self.close(Failure::ClearTextAfterAuth);
            }
        }
    }

    /// The control connection reached end of file.
    pub fn handle_control_eof(&mut self) {
        match self.state {
            State::Closed => {}
            // A server may close instead of answering QUIT.
            State::Simple(Expect::Quit) if !self.parser.is_mid_reply() => {
                self.state = State::Closed;
                self.actions
                    .push_back(Action::Done(Ok(Outcome::Completed(Reply::new(
                        ReplyCode::SERVICE_CLOSING,
                        Vec::new(),
                    )))));
            }
            _ => self.close(Failure::Closed(None)),
        }
    }

    /// The next thing the driver must do, or `None` while the session waits
    /// for a driver event or a new operation. `now` is the driver's time:
    /// the waits that [`Action::ReadControl`] and [`Action::AcceptData`]
    /// begin are armed from it (see [`Session::poll_timeout`]).
    pub fn poll(&mut self, now: Instant) -> Option<Action> {
        if let Some(action) = self.actions.pop_front() {
            if matches!(action, Action::AcceptData { .. }) {
                self.accept_deadline = Some(now + self.config.timeouts.accept);
            }
            return Some(action);
        }
        if !self.awaits_reply() {
            return None;
        }
        let after = self.reply_timeout();
        self.reply_deadline = Some((now + after, after));
        Some(Action::ReadControl)
    }

    /// Whether an operation that may run away from home (a walk's listing,
    /// MDTM, the return home) may start.
    pub(super) fn check_idle_anywhere(&self) -> Result<(), UsageError> {
        match self.state {
            State::Idle => Ok(()),
            State::Closed => Err(UsageError::Closed),
            _ => Err(UsageError::Busy),
        }
    }

    pub(super) fn check_idle(&self) -> Result<(), UsageError> {
        match self.state {
            State::Idle if self.away => Err(UsageError::AwayFromHome),
            State::Idle => Ok(()),
            State::Closed => Err(UsageError::Closed),
            _ => Err(UsageError::Busy),
        }
    }

    pub(super) fn begin(&mut self, command: Command, state: State) -> Result<(), UsageError> {
        self.check_idle()?;
        self.state = state;
        self.send(command);
        Ok(())
    }

    pub(super) fn send(&mut self, command: Command) {
        // The wait for its answer begins when the driver is asked to read.
        self.reply_deadline = None;
        self.last_command = command.clone();
        self.actions.push_back(Action::Send(command));
    }

    pub(super) fn finish(&mut self, result: Result<Outcome, Failure>) {
        self.reply_deadline = None;
        self.accept_deadline = None;
        self.data_deadline = None;
        self.data_stalled = None;
        self.restart_offset = 0;
        self.list_fallback = false;
        self.walking = false;
        if !self.is_closed() {
            self.state = State::Idle;
        }
        self.actions.push_back(Action::Done(result));
    }

    /// Ends the session; an operation under way fails with `failure`.
    pub(super) fn close(&mut self, failure: Failure) {
        let running = !matches!(self.state, State::Idle | State::Closed);
        self.shut(running.then_some(failure));
    }

    /// Closes the session. `failed` is the failure of the operation that
    /// was under way, `None` when there was none.
    fn shut(&mut self, failed: Option<Failure>) {
        self.reply_deadline = None;
        self.accept_deadline = None;
        self.data_deadline = None;
        self.data_stalled = None;
        self.restart_offset = 0;
        self.list_fallback = false;
        self.state = State::Closed;
        // Data-channel work queued by an earlier reply of the same input
        // (a 229 or 150 read together with a 421) is moot now, and a
        // driver doing it would report events a closed session refuses.
        self.actions.retain(|action| {
            !matches!(
                action,
                Action::ConnectData(_)
                    | Action::Listen
                    | Action::AcceptData { .. }
                    | Action::Transfer(_)
                    | Action::SecureControl
            )
        });
        if let Some(failure) = failed {
            self.actions.push_back(Action::Done(Err(failure)));
        }
    }

    /// Ends the operation under way (whose state was already taken) and
    /// the session with `failure`: a required TLS step failed, and nothing
    /// more may be sent.
    pub(super) fn end_session(&mut self, failure: Failure) {
        self.shut(Some(failure));
    }

    pub(super) fn refused(&self, reply: Reply) -> Failure {
        Failure::Refused {
            command: self.last_command.clone(),
            reply,
        }
    }

    fn unexpected(&self, reply: Reply) -> Failure {
        Failure::Unexpected {
            command: self.last_command.clone(),
            reply,
        }
    }

    /// The failure for a reply that is neither the expected success nor a
    /// preliminary 1xx.
    pub(super) fn not_success(&self, reply: Reply) -> Failure {
        if reply.code().is_negative() {
            self.refused(reply)
        } else {
            self.unexpected(reply)
        }
    }

    /// The failure for a reply whose data cannot be decoded.
    pub(super) fn decode_failure(&self, error: DecodeError) -> Failure {
        Failure::Decode {
            command: self.last_command.clone(),
            error,
        }
    }

    /// A reply read from the control connection: reported, then handed to
    /// the operation under way, by the state it is in.
    pub(super) fn on_reply(&mut self, reply: Reply) {
        if self.is_connecting_with_command() && reply.code() != ReplyCode::SERVICE_NOT_AVAILABLE {
            // Reported and read once the data connection is open.
            return self.keep_early_reply(reply);
        }
        self.actions.push_back(Action::Reply(reply.clone()));
        if reply.code() == ReplyCode::SERVICE_NOT_AVAILABLE {
            self.close(Failure::Closed(Some(reply)));
            return;
        }
        if reply.class() == ReplyClass::PositivePreliminary
            && !matches!(self.state, State::Transfer(_))
        {
            // 120 before 220, or a 1xx to a simple command: a final reply
            // follows.
            return;
        }
        match std::mem::replace(&mut self.state, State::Idle) {
            // Stray replies between operations are reported and ignored.
            State::Idle => {}
            State::Closed => self.state = State::Closed,
            State::Greeting => self.on_greeting_reply(reply),
            State::AuthTls { greeting } => self.on_auth_tls_reply(greeting, reply),
            // A reply while the driver secures the connection cannot be:
            // handle_control refuses it first. Kept closed to be sure.
            State::SecuringControl(_) => self.end_session(Failure::ClearTextAfterAuth),
            State::LoginPbsz { login } => self.on_pbsz_reply(login, reply),
            State::LoginProt { login } => self.on_prot_reply(login, reply),
            State::LoginUser { password, account } => self.on_user_reply(password, account, reply),
            State::LoginPass { account } => self.on_pass_reply(account, reply),
            State::LoginAcct => self.on_acct_reply(reply),
            State::Simple(expect) => self.on_simple_reply(expect, reply),
            State::TypeForSize(path) => self.on_type_for_size_reply(path, reply),
            State::RenameFrom { to } => self.on_rnfr_reply(to, reply),
            State::RenameCheck { path } => self.on_rename_check(path, reply),
            State::RenameCheckEnd { path, rnfr } => self.on_rename_check_end(path, rnfr, reply),
            State::ListPwd { request } => self.on_list_pwd_reply(request, reply),
            State::ListCwd { request, home } => self.on_list_cwd_reply(request, home, reply),
            State::Feat(needs) => self.on_feat_reply(needs, reply),
            State::StatMlst { path, goal } => self.on_stat_mlst_reply(path, goal, reply),
            State::StatType { path, goal } => self.on_stat_type_reply(path, goal, reply),
            State::StatSize { path, goal } => self.on_stat_size_reply(path, goal, reply),
            State::StatMdtm { path, size } => self.on_stat_mdtm_reply(path, size, reply),
            State::ProbePwd(probe) => self.on_probe_pwd_reply(probe, reply),
            State::ProbeCwd { probe, home } => self.on_probe_cwd_reply(probe, home, reply),
            State::HashOpts { path, algorithm } => self.on_hash_opts_reply(path, algorithm, reply),
            State::HashReply {
                path,
                algorithm,
                form,
            } => self.on_hash_reply(path, algorithm, form, reply),
            State::MakeDirs { dirs } => self.on_mkd_reply(dirs, reply),
            State::Times(times) => self.on_times_reply(times, reply),
            State::Returning {
                then,
                home,
                refused,
            } => self.on_return_reply(then, home, refused, reply),
            // A transfer moves on from step to step in place.
            State::Transfer(transfer) => {
                self.state = State::Transfer(transfer);
                self.on_transfer_reply(reply);
            }
            State::Aborting {
                replies_left,
                home,
                range,
                ..
            } => self.on_abort_reply(replies_left, home, range, reply),
        }
    }
}
