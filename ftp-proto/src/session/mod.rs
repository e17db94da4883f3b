//! The session state machine: every protocol decision of an FTP client.
//!
//! A driver starts an operation (`login`, `mkdir`, `transfer`, …), then
//! loops on [`Session::poll`] and does what each [`Action`] says, feeding
//! back what happened through the `handle_*` methods:
//!
//! | action | the driver |
//! |---|---|
//! | [`Action::Send`] | encodes the command and writes it to the control connection |
//! | [`Action::SecureControl`] | runs the TLS handshake on the control connection, then calls [`Session::handle_control_secured`] (or [`Session::handle_control_secure_failed`]) |
//! | [`Action::ReadControl`] | reads the control connection and calls [`Session::handle_control`] (or [`Session::handle_control_eof`]) |
//! | [`Action::ConnectData`] | connects the data channel, then calls [`Session::handle_data_connected`] or [`Session::handle_data_connect_failed`] |
//! | [`Action::Listen`] | (active mode) opens a listening socket, then calls [`Session::handle_listening`] with its address, or [`Session::handle_data_connect_failed`] |
//! | [`Action::AcceptData`] | (active mode) accepts the server's data connection from the given IP only, with a timeout, then calls [`Session::handle_data_connected`] or [`Session::handle_data_connect_failed`] |
//! | [`Action::Transfer`] | moves the bytes, closes the data channel, then calls [`Session::handle_data_finished`] |
//! | [`Action::Reply`] | nothing, or logs it: every reply is reported once |
//! | [`Action::Done`] | returns the operation's outcome to its caller |
//!
//! `poll` returning `None` means the session waits for the driver: for a
//! data-channel event, or for the next operation.
//!
//! ## Active mode
//!
//! With [`SessionConfig::active`] the server connects to the client:
//! after `TYPE`, [`Action::Listen`]; once the driver reports the address it
//! listens on ([`Session::handle_listening`]), the session sends `EPRT`
//! (always for IPv6; for IPv4 unless [`SessionConfig::use_epsv`] is off,
//! FEAT was asked and does not list `EPRT`, or the server refused it once)
//! or `PORT`. A 5xx refusal of `EPRT` on IPv4 falls back to `PORT` for the
//! rest of the session; any other refusal ends the transfer. Then `REST`
//! if restarting, the transfer command, and on its 1xx
//! [`Action::AcceptData`]: the driver accepts, and only a connection from
//! the control connection's peer IP (anything else could be a third party
//! stealing the port). While it waits, the driver may keep reading the
//! control connection: a refusal then (425: the server could not connect)
//! ends the transfer, and [`Session::is_awaiting_data_connection`] turns
//! false. If no connection comes, [`Session::handle_data_connect_failed`]
//! ends the session: the server may still be trying to connect, and its
//! next replies could not be told apart from those of the next command.
//!
//! ## TLS (RFC 4217)
//!
//! With [`SessionConfig::tls`] other than [`TlsMode::Plain`], the session
//! decides when the connections are secured; the driver holds the TLS
//! objects:
//!
//! - [`TlsMode::Implicit`]: [`Action::SecureControl`] comes first, before
//!   the greeting is read.
//! - [`TlsMode::Explicit`]: after the 220 greeting, `AUTH TLS`; a 234
//!   answer brings [`Action::SecureControl`], anything else ends the
//!   session with [`Failure::TlsRefused`], before `USER` could be sent.
//! - After the login, in both modes: `PBSZ 0` and `PROT P`; a refusal of
//!   either ends the session with [`Failure::TlsRefused`] (never a
//!   fallback to clear data). Once accepted, [`Session::is_data_protected`]
//!   is true and every data connection must be TLS: the driver runs its
//!   handshake when [`Action::Transfer`] comes, after the server's 1xx.

mod action;
mod config;
mod outcome;
mod raw;
mod state;

use std::collections::VecDeque;
use std::net::{SocketAddr, SocketAddrV4};

pub use action::{Action, DataCommand, Direction, TransferStart};
pub use config::{SessionConfig, TlsMode};
pub use outcome::{Failure, Outcome, RenameCheck, UsageError};
pub use raw::RESERVED_VERBS;
use raw::{first_word, reserved_verb};
use state::{Expect, Secured, State, Support, Transfer, TransferStep};

use crate::command::{Arg, Command, Password, ProtectionLevel, TransferType};
use crate::decode::{self, DecodeError, Features, Timestamp};
use crate::reply::{Reply, ReplyClass, ReplyCode, ReplyParser};

/// How many times a listing's CWD back to where it started is tried
/// before the session gives up on it.
const RETURN_ATTEMPTS: u8 = 3;

/// An FTP client session, without I/O; see the [module docs](self).
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    parser: ReplyParser,
    state: State,
    actions: VecDeque<Action>,
    /// The last command sent, named in failures.
    last_command: Command,
    /// The TYPE in force, if known.
    current_type: Option<TransferType>,
    /// Whether EPSV is worth trying (passive mode).
    epsv: Support,
    /// Whether EPRT is worth trying (active mode, IPv4).
    eprt: Support,
    /// The working directory, as the last PWD gave it, while no command
    /// since can have changed it.
    working_directory: Option<Arg>,
    /// The server's FEAT answer, once asked.
    features: Option<Features>,
    /// MLSD was refused although FEAT listed MLST: list with LIST.
    mlsd_refused: bool,
    /// `PROT P` is in force: every data connection is TLS.
    data_protected: bool,
    /// The control handshake offers TLS 1.2 at most ([`Session::tls12_only`]).
    tls12_only: bool,
    /// The offset the transfer under way restarts at (`REST`), 0 for none.
    /// Set only by [`Session::transfer_from`], cleared when the operation
    /// ends: no other operation ever sends REST.
    restart_offset: u64,
    /// The server greeted with 230: logged in already, so the next
    /// [`Session::login`] sends no USER or PASS.
    greeted_logged_in: Option<Reply>,
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
            features: None,
            mlsd_refused: false,
            data_protected: false,
            tls12_only: false,
            restart_offset: 0,
            greeted_logged_in: None,
        };
        if implicit {
            session.state = State::SecuringControl(Secured::ReadGreeting);
            session.actions.push_back(Action::SecureControl);
        }
        session
    }

    // --- Getters ---------------------------------------------------------

    /// The configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.config
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

    /// An abort has had one of its two replies and may get no other: some
    /// servers answer ABOR alone when the transfer had not really started,
    /// and others let the transfer's reply come late. A driver should wait
    /// for the last reply only briefly, then call
    /// [`Session::handle_abort_reply_timeout`].
    pub fn awaits_last_abort_reply(&self) -> bool {
        matches!(self.state, State::Aborting { last: Some(_), .. })
    }

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

    // --- Operations --------------------------------------------------------

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

    /// `MKD path`. Succeeds with [`Outcome::Completed`].
    pub fn mkdir(&mut self, path: Arg) -> Result<(), UsageError> {
        self.simple(Command::Mkd(path), Expect::Completion)
    }

    /// `RMD path`.
    pub fn rmdir(&mut self, path: Arg) -> Result<(), UsageError> {
        self.simple(Command::Rmd(path), Expect::Completion)
    }

    /// `DELE path`.
    pub fn delete(&mut self, path: Arg) -> Result<(), UsageError> {
        self.simple(Command::Dele(path), Expect::Completion)
    }

    /// `CWD path`.
    pub fn cwd(&mut self, path: Arg) -> Result<(), UsageError> {
        self.simple(Command::Cwd(path), Expect::Completion)?;
        self.working_directory = None;
        Ok(())
    }

    /// `CDUP`.
    pub fn cdup(&mut self) -> Result<(), UsageError> {
        self.simple(Command::Cdup, Expect::Completion)?;
        self.working_directory = None;
        Ok(())
    }

    /// `PWD`. Succeeds with [`Outcome::Path`].
    pub fn pwd(&mut self) -> Result<(), UsageError> {
        self.simple(Command::Pwd, Expect::Path)
    }

    /// `SIZE path`, after `TYPE I` if not yet in force (SIZE is defined
    /// for the current type and servers refuse it in ASCII). Succeeds with
    /// [`Outcome::Size`].
    pub fn size(&mut self, path: Arg) -> Result<(), UsageError> {
        if self.is_binary() {
            self.simple(Command::Size(path), Expect::Size)
        } else {
            self.begin(
                Command::Type(TransferType::Binary),
                State::TypeForSize(path),
            )
        }
    }

    /// `MDTM path`. Succeeds with [`Outcome::Modified`].
    pub fn mdtm(&mut self, path: Arg) -> Result<(), UsageError> {
        self.simple(Command::Mdtm(path), Expect::Modified)
    }

    /// `MLST [path]`: the facts about one file or directory, the working
    /// directory without a path (RFC 3659 7). Succeeds with
    /// [`Outcome::Facts`].
    pub fn mlst(&mut self, path: Option<Arg>) -> Result<(), UsageError> {
        self.simple(Command::Mlst(path), Expect::Facts)
    }

    /// `SITE command`: a server-specific command such as `CHMOD 644 f`.
    /// Succeeds with [`Outcome::Completed`] on a 2xx reply.
    pub fn site(&mut self, command: Arg) -> Result<(), UsageError> {
        self.simple(Command::Site(command), Expect::Completion)
    }

    /// `FEAT`. Succeeds with [`Outcome::Features`], empty if the server
    /// does not know FEAT.
    pub fn feat(&mut self) -> Result<(), UsageError> {
        self.simple(Command::Feat, Expect::Features)
    }

    /// `NOOP`.
    pub fn noop(&mut self) -> Result<(), UsageError> {
        self.simple(Command::Noop, Expect::Completion)
    }

    /// `MFMT YYYYMMDDHHMMSS path` (draft-somers-ftp-mfxx): sets a file's
    /// modification time, in UTC, to the second. Servers that support it
    /// list `MFMT` in FEAT ([`Session::supports`]). Succeeds with
    /// [`Outcome::Completed`] (213).
    pub fn mfmt(&mut self, path: Arg, time: Timestamp) -> Result<(), UsageError> {
        let mut line = format!(
            "MFMT {:04}{:02}{:02}{:02}{:02}{:02} ",
            time.year,
            time.month,
            time.day,
            time.hour,
            time.minute,
            time.second.min(59)
        )
        .into_bytes();
        line.extend_from_slice(path.as_bytes());
        // `path` holds no CR, LF or NUL, and neither does the prefix.
        let line = Arg::new(line).map_err(|_| UsageError::UnexpectedEvent("MFMT argument"))?;
        self.simple(Command::Raw(line), Expect::Completion)
    }

    // --- Listings as data --------------------------------------------------

    /// The server's FEAT answer, once [`Session::feat`] has run on this
    /// session.
    pub fn features(&self) -> Option<&Features> {
        self.features.as_ref()
    }

    /// Whether FEAT listed `feature` (`"MLST"`, `"MFMT"`…); `false` before
    /// FEAT was asked.
    pub fn supports(&self, feature: &str) -> bool {
        self.features.as_ref().is_some_and(|f| f.supports(feature))
    }

    /// How this session lists directories as data: MLSD when FEAT listed
    /// MLST (and MLSD was not refused since), LIST otherwise. `None`
    /// until FEAT has been asked: run [`Session::feat`] first. The choice
    /// holds for the whole session.
    pub fn listing_format(&self) -> Option<crate::listing::Format> {
        let features = self.features.as_ref()?;
        Some(if features.supports("MLST") && !self.mlsd_refused {
            crate::listing::Format::Mlsd
        } else {
            crate::listing::Format::List
        })
    }

    /// The transfer that lists `path` (`None`: the working directory) in
    /// [`Session::listing_format`], and that format; `None` until FEAT
    /// has been asked.
    pub fn listing_request(
        &self,
        path: Option<Arg>,
    ) -> Option<(DataCommand, crate::listing::Format)> {
        let format = self.listing_format()?;
        let request = match format {
            crate::listing::Format::Mlsd => DataCommand::Mlsd(path),
            crate::listing::Format::List => DataCommand::List(path),
        };
        Some((request, format))
    }

    /// Tells the session that its MLSD got `reply`, a refusal: if it is
    /// 500 or 502 (unknown or unimplemented) although FEAT listed MLST,
    /// later listings use LIST. Returns whether it was, so the caller knows
    /// to list again.
    pub fn note_mlsd_refusal(&mut self, reply: &Reply) -> bool {
        let unknown = matches!(reply.code().get(), 500 | 502)
            && self.listing_format() == Some(crate::listing::Format::Mlsd);
        if unknown {
            self.mlsd_refused = true;
        }
        unknown
    }

    /// `RNFR from`, then `RNTO to` once the server answers 350.
    pub fn rename(&mut self, from: Arg, to: Arg) -> Result<(), UsageError> {
        self.begin(Command::Rnfr(from), State::RenameFrom { to })
    }

    /// Asks whether the server would rename the file at `path`, without
    /// renaming it: `RNFR path`, and after any positive reply `RNTO path`,
    /// a rename of the file onto itself.
    ///
    /// `RNFR` leaves the server waiting for `RNTO`, as `REST` leaves it
    /// waiting for a transfer (which is why [`Session::raw`] refuses it),
    /// and on some servers only `RNTO` ends the wait: proFTPD answers every
    /// later command but `NOOP`, `HELP`, `STAT` and `QUIT` with `501 Bad
    /// sequence of commands` until it comes, and Pure-FTPd and pyftpdlib
    /// keep the rename pending across a `NOOP`, for the next `RNTO` to
    /// carry out. So this operation never ends with a rename pending: a
    /// positive reply is followed by `RNTO` to the same path, which renames
    /// nothing (POSIX `rename(2)` of a path onto itself does nothing;
    /// vsftpd, proFTPD, Pure-FTPd, pyftpdlib and libunftp answer 250 and
    /// keep the file as it was). A refused `RNFR` leaves nothing pending.
    /// What each reply means:
    ///
    /// - 350, then `RNTO` 2xx: [`Outcome::RenameChecked`] with
    ///   [`RenameCheck::Allowed`];
    /// - 5xx to `RNFR` (550 no such file or not allowed, 502 no `RNFR`…),
    ///   or to the `RNTO` after 350 (a server that will not rename over an
    ///   existing name): [`Outcome::RenameChecked`] with
    ///   [`RenameCheck::Refused`] and that reply, a success of the
    ///   operation, since the question was answered;
    /// - 4xx to either (450, the file busy): [`Failure::Refused`], which
    ///   [`Failure::is_transient`] says may be asked again later;
    /// - any other positive reply to `RNFR` (a 2xx): [`Failure::Unexpected`]
    ///   naming `RNFR`, after the `RNTO` that ends whatever it started.
    pub fn check_rename(&mut self, path: Arg) -> Result<(), UsageError> {
        let rnfr = Command::Rnfr(path.clone());
        self.begin(rnfr, State::RenameCheck { path })
    }

    /// `QUIT`; the session is closed afterwards.
    pub fn quit(&mut self) -> Result<(), UsageError> {
        self.simple(Command::Quit, Expect::Quit)
    }

    /// Sends a command the session has no operation for (`SYST`, `SITE …`,
    /// `STAT`, …) and succeeds with its first final (non-1xx) reply,
    /// whatever its code: the caller judges it. Refusals come back as
    /// [`Outcome::Completed`] too.
    ///
    /// A command whose verb (the first word of a [`Command::Raw`] line, in
    /// any case) is one of the [`RESERVED_VERBS`] is refused with
    /// [`UsageError::ReservedVerb`] and nothing is sent: data transfers go
    /// through [`Session::transfer`], and the rest would change the
    /// session's state behind its back. A raw `TYPE` is sent, and the
    /// session sets its transfer type again before the next transfer.
    pub fn raw(&mut self, command: Command) -> Result<(), UsageError> {
        self.check_idle()?;
        if let Some(verb) = reserved_verb(&command) {
            return Err(UsageError::ReservedVerb(verb));
        }
        let verb = match &command {
            Command::Raw(line) => first_word(line.as_bytes()),
            other => other.verb().as_bytes(),
        };
        if verb.eq_ignore_ascii_case(b"TYPE") {
            // The representation type may change: set it again before the
            // next transfer.
            self.current_type = None;
        }
        self.simple(command, Expect::Any)?;
        // It may have changed the working directory (CWD, XCWD, CDUP…).
        self.working_directory = None;
        Ok(())
    }

    /// Runs a data transfer: `TYPE` when the one in force is not
    /// [`SessionConfig::transfer_type`] (`TYPE I` once per session by
    /// default), `EPSV`, the data connection, the command, and its
    /// 1xx/final replies. Succeeds with [`Outcome::Transferred`] once the
    /// data is done *and* the final reply is 2xx, in either order.
    ///
    /// `EPSV` falls back to `PASV`, for the rest of the session, when the
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
    /// With TLS required ([`SessionConfig::tls`]), a transfer before `PROT
    /// P` was accepted (that is, before the login) is refused with
    /// [`UsageError::DataNotProtected`].
    pub fn transfer(&mut self, request: DataCommand) -> Result<(), UsageError> {
        self.check_idle()?;
        if self.config.tls.is_tls() && !self.data_protected {
            return Err(UsageError::DataNotProtected);
        }
        if request.listed_path().is_none() {
            self.start_transfer(request, None);
            return Ok(());
        }
        match self.working_directory.clone() {
            Some(home) => self.change_into_listed(request, home),
            None => {
                self.state = State::ListPwd { request };
                self.send(Command::Pwd);
            }
        }
        Ok(())
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
        self.transfer(request)?;
        self.restart_offset = offset;
        Ok(())
    }

    /// Aborts the transfer whose data is moving (after
    /// [`Action::Transfer`]), RFC 959 4.1.3: the driver closes the data
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

    // --- Inputs ------------------------------------------------------------

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

    /// The data connection asked for by [`Action::ConnectData`] is open, or
    /// the one [`Action::AcceptData`] waited for was accepted.
    pub fn handle_data_connected(&mut self) -> Result<(), UsageError> {
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
    /// session ends (see the [module docs](self#active-mode)).
    pub fn handle_data_connect_failed(&mut self) -> Result<(), UsageError> {
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
            TransferStep::Connecting { .. }
            | TransferStep::Listening
            | TransferStep::Accepting {
                final_reply: Some(_),
                ..
            } => {
                let home = transfer.home.take();
                self.end_transfer(home, Err(Failure::DataConnectFailed));
            }
            TransferStep::Accepting { .. } => self.close(Failure::DataConnectFailed),
            _ => return Err(UsageError::UnexpectedEvent("data connect failed")),
        }
        Ok(())
    }

    /// The data is done: end of file read (download) or all data written
    /// (upload), and the data connection closed. Also call this when the
    /// data connection broke, so that the server's final reply is read and
    /// the session stays in step.
    pub fn handle_data_finished(&mut self) -> Result<(), UsageError> {
        match &mut self.state {
            State::Transfer(Transfer {
                step: TransferStep::Data { data_done, .. },
                ..
            }) if !*data_done => {
                *data_done = true;
                self.finish_transfer_if_complete();
                Ok(())
            }
            _ => Err(UsageError::UnexpectedEvent("data finished")),
        }
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

    // --- Output ------------------------------------------------------------

    /// The next thing the driver must do, or `None` while the session waits
    /// for a driver event or a new operation.
    pub fn poll(&mut self) -> Option<Action> {
        if let Some(action) = self.actions.pop_front() {
            return Some(action);
        }
        let awaiting_reply = match &self.state {
            State::Idle | State::Closed | State::SecuringControl(_) => false,
            State::Transfer(Transfer { step, .. }) => match step {
                TransferStep::Connecting { .. }
                | TransferStep::Listening
                | TransferStep::Accepting { .. } => false,
                TransferStep::Data {
                    data_done,
                    final_reply,
                } => *data_done && final_reply.is_none(),
                _ => true,
            },
            _ => true,
        };
        awaiting_reply.then_some(Action::ReadControl)
    }

    // --- Internals ---------------------------------------------------------

    fn check_idle(&self) -> Result<(), UsageError> {
        match self.state {
            State::Idle => Ok(()),
            State::Closed => Err(UsageError::Closed),
            _ => Err(UsageError::Busy),
        }
    }

    fn begin(&mut self, command: Command, state: State) -> Result<(), UsageError> {
        self.check_idle()?;
        self.state = state;
        self.send(command);
        Ok(())
    }

    fn simple(&mut self, command: Command, expect: Expect) -> Result<(), UsageError> {
        self.begin(command, State::Simple(expect))
    }

    /// `CWD` into the directory a listing names, remembering `home`.
    fn change_into_listed(&mut self, request: DataCommand, home: Arg) {
        let Some(dir) = request.listed_path().cloned() else {
            return self.start_transfer(request, None);
        };
        self.state = State::ListCwd { request, home };
        self.send(Command::Cwd(dir));
    }

    /// Begins the transfer proper: `TYPE` unless the one wanted is in
    /// force, then the data connection's setup. `home` is where to change
    /// back to once it ends.
    fn start_transfer(&mut self, request: DataCommand, home: Option<Arg>) {
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
    fn set_step(&mut self, step: TransferStep) {
        if let State::Transfer(transfer) = &mut self.state {
            transfer.step = step;
        }
    }

    /// Ends the transfer under way with `failure` (after changing back to
    /// the directory a listing started from).
    fn fail_transfer(&mut self, failure: Failure) {
        let home = match &mut self.state {
            State::Transfer(transfer) => transfer.home.take(),
            _ => None,
        };
        self.end_transfer(home, Err(failure));
    }

    /// The failure for a reply whose data cannot be decoded.
    fn decode_failure(&self, error: DecodeError) -> Failure {
        Failure::Decode {
            command: self.last_command.clone(),
            error,
        }
    }

    /// A transfer ended with `result`: back to the directory a listing
    /// started from, if it changed directory, then done.
    fn end_transfer(&mut self, home: Option<Arg>, result: Result<Outcome, Failure>) {
        match home {
            Some(home) if !self.is_closed() => {
                self.state = State::Returning {
                    result,
                    home: home.clone(),
                    refused: 0,
                };
                self.send(Command::Cwd(home.clone()));
                self.working_directory = Some(home);
            }
            _ => self.finish(result),
        }
    }

    fn send(&mut self, command: Command) {
        self.last_command = command.clone();
        self.actions.push_back(Action::Send(command));
    }

    fn finish(&mut self, result: Result<Outcome, Failure>) {
        self.restart_offset = 0;
        if !self.is_closed() {
            self.state = State::Idle;
        }
        self.actions.push_back(Action::Done(result));
    }

    /// Ends the session; an operation under way fails with `failure`.
    fn close(&mut self, failure: Failure) {
        let running = !matches!(self.state, State::Idle | State::Closed);
        self.shut(running.then_some(failure));
    }

    /// Closes the session. `failed` is the failure of the operation that
    /// was under way, `None` when there was none.
    fn shut(&mut self, failed: Option<Failure>) {
        self.restart_offset = 0;
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

    fn refused(&self, reply: Reply) -> Failure {
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
    fn not_success(&self, reply: Reply) -> Failure {
        if reply.code().is_negative() {
            self.refused(reply)
        } else {
            self.unexpected(reply)
        }
    }

    /// A reply read from the control connection: reported, then handed to
    /// the operation under way, by the state it is in.
    fn on_reply(&mut self, reply: Reply) {
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
            State::Returning {
                result,
                home,
                refused,
            } => self.on_return_reply(result, home, refused, reply),
            // A transfer moves on from step to step in place.
            State::Transfer(transfer) => {
                self.state = State::Transfer(transfer);
                self.on_transfer_reply(reply);
            }
            State::Aborting {
                replies_left, home, ..
            } => self.on_abort_reply(replies_left, home, reply),
        }
    }

    /// The reply to the greeting: 220, or 230 when logged in already.
    fn on_greeting_reply(&mut self, reply: Reply) {
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
    fn on_auth_tls_reply(&mut self, greeting: Reply, reply: Reply) {
        match reply.code().get() {
            234 => {
                self.state = State::SecuringControl(Secured::Greeted(greeting));
                self.actions.push_back(Action::SecureControl);
            }
            _ => self.end_session(self.tls_refused(reply)),
        }
    }

    /// The reply to `PBSZ 0`, after a login that `login` accepted.
    fn on_pbsz_reply(&mut self, login: Reply, reply: Reply) {
        match reply.class() {
            ReplyClass::PositiveCompletion => {
                self.state = State::LoginProt { login };
                self.send(Command::Prot(ProtectionLevel::Private));
            }
            _ => self.end_session(self.tls_refused(reply)),
        }
    }

    /// The reply to `PROT P`, after a login that `login` accepted.
    fn on_prot_reply(&mut self, login: Reply, reply: Reply) {
        match reply.class() {
            ReplyClass::PositiveCompletion => {
                self.data_protected = true;
                self.finish(Ok(Outcome::LoggedIn(login)));
            }
            _ => self.end_session(self.tls_refused(reply)),
        }
    }

    /// The reply to `USER`.
    fn on_user_reply(&mut self, password: Password, account: Option<Arg>, reply: Reply) {
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
    fn on_pass_reply(&mut self, account: Option<Arg>, reply: Reply) {
        match reply.code().get() {
            200..=299 => self.logged_in(reply),
            332 => self.send_account(account, reply),
            _ => self.finish(Err(self.not_success(reply))),
        }
    }

    /// The reply to `ACCT`.
    fn on_acct_reply(&mut self, reply: Reply) {
        match reply.class() {
            ReplyClass::PositiveCompletion => self.logged_in(reply),
            _ => self.finish(Err(self.not_success(reply))),
        }
    }

    /// The reply to the `TYPE I` sent ahead of `SIZE path`.
    fn on_type_for_size_reply(&mut self, path: Arg, reply: Reply) {
        match reply.class() {
            ReplyClass::PositiveCompletion => {
                self.current_type = Some(TransferType::Binary);
                self.state = State::Simple(Expect::Size);
                self.send(Command::Size(path));
            }
            _ => self.finish(Err(self.not_success(reply))),
        }
    }

    /// The reply to the `RNFR` of a rename to `to`.
    fn on_rnfr_reply(&mut self, to: Arg, reply: Reply) {
        match reply.class() {
            ReplyClass::PositiveIntermediate => {
                self.state = State::Simple(Expect::Completion);
                self.send(Command::Rnto(to));
            }
            _ => self.finish(Err(self.not_success(reply))),
        }
    }

    /// The reply to the `RNTO path` that ends a checking `RNFR`, which the
    /// server answered with `rnfr`.
    fn on_rename_check_end(&mut self, path: Arg, rnfr: Reply, reply: Reply) {
        if rnfr.code().get() != 350 {
            return self.finish(Err(Failure::Unexpected {
                command: Command::Rnfr(path),
                reply: rnfr,
            }));
        }
        match reply.class() {
            ReplyClass::PositiveCompletion => {
                self.finish(Ok(Outcome::RenameChecked(RenameCheck::Allowed)));
            }
            ReplyClass::PermanentNegative => {
                self.finish(Ok(Outcome::RenameChecked(RenameCheck::Refused(reply))));
            }
            _ => self.finish(Err(self.not_success(reply))),
        }
    }

    /// The reply to the `PWD` before a listing of a named directory.
    fn on_list_pwd_reply(&mut self, request: DataCommand, reply: Reply) {
        if reply.class() != ReplyClass::PositiveCompletion {
            return self.finish(Err(self.not_success(reply)));
        }
        let home = decode::pathname(&reply).and_then(|path| {
            Arg::new(path)
                .ok()
                .ok_or_else(|| DecodeError::Pathname(reply.to_string()))
        });
        match home {
            Ok(home) => {
                self.working_directory = Some(home.clone());
                self.change_into_listed(request, home);
            }
            Err(error) => self.finish(Err(self.decode_failure(error))),
        }
    }

    /// The reply to the `CWD` into the directory a listing names.
    fn on_list_cwd_reply(&mut self, request: DataCommand, home: Arg, reply: Reply) {
        match reply.class() {
            ReplyClass::PositiveCompletion => {
                self.start_transfer(request.of_working_directory(), Some(home));
            }
            // A path ending in '/' names a directory: none is there.
            ReplyClass::PermanentNegative
                if request.listed_path().is_some_and(|path| {
                    is_plain_list_argument(path.as_bytes()) && !path.as_bytes().ends_with(b"/")
                }) =>
            {
                self.start_transfer(request, None);
            }
            _ => self.finish(Err(self.not_success(reply))),
        }
    }

    /// The reply to the `CWD home` after a listing, which ended with
    /// `result`, `refused` attempts so far.
    fn on_return_reply(
        &mut self,
        result: Result<Outcome, Failure>,
        home: Arg,
        refused: u8,
        reply: Reply,
    ) {
        match reply.class() {
            ReplyClass::PositiveCompletion => self.finish(result),
            // Some servers (libunftp) check a CWD by listing the
            // directory, which fails while entries vanish from it:
            // ask again before giving up.
            _ if refused < RETURN_ATTEMPTS - 1 && reply.code().get() != 421 => {
                self.state = State::Returning {
                    result,
                    home: home.clone(),
                    refused: refused + 1,
                };
                self.send(Command::Cwd(home));
            }
            // The session is in the listed directory, where every
            // relative path would name another file than meant: it
            // ends here.
            _ => {
                let failure = self.not_success(reply);
                self.state = State::Closed;
                self.actions.push_back(Action::Done(Err(failure)));
            }
        }
    }

    /// A reply after `ABOR`, `replies_left` of them still expected.
    fn on_abort_reply(&mut self, replies_left: u8, home: Option<Arg>, reply: Reply) {
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

    /// Ends the operation under way (whose state was already taken) and
    /// the session with `failure`: a required TLS step failed, and nothing
    /// more may be sent.
    fn end_session(&mut self, failure: Failure) {
        self.shut(Some(failure));
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

    /// The reply to a checking `RNFR` ([`Session::check_rename`]).
    fn on_rename_check(&mut self, path: Arg, reply: Reply) {
        match reply.class() {
            ReplyClass::PermanentNegative => {
                self.finish(Ok(Outcome::RenameChecked(RenameCheck::Refused(reply))));
            }
            ReplyClass::TransientNegative => self.finish(Err(self.refused(reply))),
            // 350, or a positive reply RNFR should not get: the server may
            // be waiting for RNTO either way, and only RNTO ends that on
            // every server. Onto itself: nothing is renamed.
            _ => {
                self.send(Command::Rnto(path.clone()));
                self.state = State::RenameCheckEnd { path, rnfr: reply };
            }
        }
    }

    fn on_simple_reply(&mut self, expect: Expect, reply: Reply) {
        let class = reply.class();
        let success = match expect {
            Expect::Any => true,
            // Servers without FEAT answer 500/502: no features, no error.
            Expect::Features => {
                class == ReplyClass::PositiveCompletion || class == ReplyClass::PermanentNegative
            }
            _ => class == ReplyClass::PositiveCompletion,
        };
        if !success {
            return self.finish(Err(self.not_success(reply)));
        }
        let decode_failure = |error| Failure::Decode {
            command: self.last_command.clone(),
            error,
        };
        let result = match expect {
            Expect::Completion | Expect::Any => Ok(Outcome::Completed(reply)),
            Expect::Quit => {
                self.state = State::Closed;
                Ok(Outcome::Completed(reply))
            }
            Expect::Path => decode::pathname(&reply)
                .map(Outcome::Path)
                .map_err(decode_failure),
            Expect::Size => decode::size(&reply)
                .map(Outcome::Size)
                .map_err(decode_failure),
            Expect::Modified => decode::mdtm(&reply)
                .map(Outcome::Modified)
                .map_err(decode_failure),
            Expect::Facts => decode::mlst(&reply)
                .map(Outcome::Facts)
                .map_err(decode_failure),
            Expect::Features => {
                let features = if class == ReplyClass::PositiveCompletion {
                    decode::features(&reply)
                } else {
                    Features::default()
                };
                self.features = Some(features.clone());
                Ok(Outcome::Features(features))
            }
        };
        self.finish(result);
    }

    /// The data connection's setup: passive (`EPSV`/`PASV`), or in active
    /// mode the driver's listening socket first.
    fn open_data(&mut self) {
        if !self.config.active {
            return self.send_passive();
        }
        self.set_step(TransferStep::Listening);
        self.actions.push_back(Action::Listen);
    }

    /// `EPRT` (`extended`) or `PORT` for the address the driver listens on.
    fn send_port(&mut self, addr: SocketAddr, extended: bool) {
        self.set_step(TransferStep::Port { extended, addr });
        self.send(match addr {
            SocketAddr::V4(v4) if !extended => Command::Port(v4),
            addr => Command::Eprt(addr),
        });
    }

    /// Once the data connection is set up: `REST offset` when restarting,
    /// else the transfer command.
    fn send_restart_or_command(&mut self) {
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

    fn send_passive(&mut self) {
        let extended = self.config.use_epsv && self.epsv != Support::Refused;
        self.set_step(TransferStep::Passive { extended });
        self.send(if extended {
            Command::Epsv
        } else {
            Command::Pasv
        });
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

    /// The server is ready and the data connection open: the driver moves
    /// the data. `final_reply` is the transfer's, if it came already.
    fn start_data(&mut self, size_hint: Option<u64>, final_reply: Option<Reply>) {
        let State::Transfer(transfer) = &mut self.state else {
            return;
        };
        transfer.step = TransferStep::Data {
            data_done: false,
            final_reply,
        };
        let direction = transfer.request.direction();
        self.actions.push_back(Action::Transfer(TransferStart {
            direction,
            size_hint,
        }));
    }

    /// A reply during a transfer, to the command of its step.
    fn on_transfer_reply(&mut self, reply: Reply) {
        let State::Transfer(transfer) = &self.state else {
            return;
        };
        match transfer.step {
            TransferStep::Type(transfer_type) => self.on_type_reply(transfer_type, reply),
            TransferStep::Passive { extended: true } => self.on_epsv_reply(reply),
            TransferStep::Passive { extended: false } => self.on_pasv_reply(reply),
            // A reply while the driver connects the data channel (or
            // opens its listening socket): the server spoke out of turn;
            // keep waiting for the connection.
            TransferStep::Connecting { .. } | TransferStep::Listening => {}
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

    /// The reply to `EPSV`.
    fn on_epsv_reply(&mut self, reply: Reply) {
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
    fn on_pasv_reply(&mut self, reply: Reply) {
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

    /// The reply to `EPRT` (`extended`) or `PORT` for `addr`.
    fn on_port_reply(&mut self, extended: bool, addr: SocketAddr, reply: Reply) {
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
    fn on_accepting_reply(&mut self, reply: Reply) {
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
            Ok(Outcome::Transferred(reply))
        } else {
            Err(self.not_success(reply))
        };
        self.end_transfer(home, result);
    }
}

/// Whether `path` means the same to every server as a listing's argument:
/// no leading `-` (options to servers that run or mimic `ls`), no white
/// space (Pure-FTPd splits there) and no glob characters.
fn is_plain_list_argument(path: &[u8]) -> bool {
    !path.is_empty()
        && path[0] != b'-'
        && !path
            .iter()
            .any(|b| b.is_ascii_whitespace() || b"*?[]{}~\\'\"".contains(b))
}
