//! How a session is set up: [`SessionConfig`], its [`TlsMode`] and its
//! [`Timeouts`].

use std::net::SocketAddr;
use std::time::Duration;

use crate::command::TransferType;
use crate::reply::Limits;

/// How a session is set up.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// The address of the server's end of the control connection. Data
    /// connections go to this IP unless [`SessionConfig::trust_pasv_host`].
    pub peer: SocketAddr,
    /// Connect data channels to the host a 227 reply names instead of the
    /// control connection's peer. Off by default: a server behind NAT often
    /// advertises an unreachable private address, and a hostile one could
    /// aim the client at a third host (the FTP bounce problem).
    pub trust_pasv_host: bool,
    /// Try `EPSV` before `PASV` (the only way over IPv6). On by default.
    pub use_epsv: bool,
    /// Bounds on reply size.
    pub limits: Limits,
    /// The representation type of transfers: [`TransferType::Binary`]
    /// (`TYPE I`, bytes as stored) by default. With
    /// [`TransferType::Ascii`] (`TYPE A`) the server converts text to
    /// CRLF line ends on the wire, and the session does not convert back.
    pub transfer_type: TransferType,
    /// Whether and how the connections are secured with TLS;
    /// [`TlsMode::Plain`] by default.
    pub tls: TlsMode,
    /// Active mode: the server connects to the client (`PORT`/`EPRT`)
    /// instead of the client to the server (`EPSV`/`PASV`). Off by default;
    /// see the [module docs](super#active-mode).
    pub active: bool,
    /// The driver's TLS offers TLS 1.3 and presents each session ticket
    /// once (as rustls does). With a server that issues no ticket on
    /// upload data connections the session then offers TLS 1.2 at most:
    /// see [`tls_tickets`](crate::tls_tickets) and
    /// [`Session::tls12_only`](super::Session::tls12_only). Off by default.
    pub tls13_one_use_tickets: bool,
    /// Sends a download's command (`RETR`, or a listing's) together with
    /// its `EPSV`, without waiting for the 229 in between, once `EPSV` has
    /// carried a data connection in this session: one round trip less per
    /// file, as lftp's `ftp:sync-mode off` does. Passive mode only, never
    /// with `REST`, never for an upload (a server that opens the file
    /// before the data connection would create it even when the data
    /// connection then fails). See [`Session::transfer`](super::Session::transfer). Off by default
    /// here; `ftp-client` turns it on.
    pub command_with_epsv: bool,
    /// How long the session waits for the server before it gives up: see
    /// [`Session::poll_timeout`](super::Session::poll_timeout).
    pub timeouts: Timeouts,
}

/// How long the session waits for the server. The session reads no clock:
/// each wait is armed with the `now` the driver passes to
/// [`Session::poll`](super::Session::poll), and ends when the driver calls
/// [`Session::handle_timeout`](super::Session::handle_timeout) at or after
/// [`Session::poll_timeout`](super::Session::poll_timeout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Each read of a reply: the server must send something within this
    /// much of the session asking for it ([`Action::ReadControl`](super::Action::ReadControl)),
    /// or the session ends with [`Failure::TimedOut`](super::Failure::TimedOut). 60 s by default.
    pub reply: Duration,
    /// The wait for a transfer's final reply once its data is done (a
    /// server may take long to confirm a large upload). 120 s by default.
    pub final_reply: Duration,
    /// The wait for the final reply of a transfer the client cut short
    /// ([`Session::handle_data_cut_short`](super::Session::handle_data_cut_short)), at most (the shorter of this
    /// and [`Timeouts::final_reply`]): Pure-FTPd, for one, answers an
    /// abandoned download with another 1xx and nothing final, and waiting
    /// longer gains nothing. 3 s by default.
    pub cut_short_final_reply: Duration,
    /// Once an abort ([`Session::abort`](super::Session::abort)) has had one of its two
    /// replies, the wait for the other, at most (the shorter of this and
    /// [`Timeouts::reply`]): servers send both at once, or never send the
    /// second. 3 s by default.
    pub last_abort_reply: Duration,
    /// Active mode: the server must open the data connection within this
    /// much of the session asking the driver to accept it
    /// ([`Action::AcceptData`](super::Action::AcceptData)). 60 s by default.
    pub accept: Duration,
    /// A transfer's data must move (the driver reports each chunk with
    /// [`Session::handle_data_progress`](super::Session::handle_data_progress))
    /// within this much of its last progress, or the transfer fails with
    /// [`Failure::TimedOut`](super::Failure::TimedOut) waiting for
    /// [`Wait::Data`](super::Wait::Data). 60 s by default.
    pub data: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            reply: Duration::from_secs(60),
            final_reply: Duration::from_secs(120),
            cut_short_final_reply: Duration::from_secs(3),
            last_abort_reply: Duration::from_secs(3),
            accept: Duration::from_secs(60),
            data: Duration::from_secs(60),
        }
    }
}

/// Whether a session runs over TLS, and how it starts (RFC 4217).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TlsMode {
    /// No TLS: everything in clear.
    #[default]
    Plain,
    /// Explicit TLS, required: the session starts in clear and asks for
    /// TLS with `AUTH TLS` right after the greeting; a refusal ends it.
    Explicit,
    /// Implicit TLS: the control connection is TLS from its first byte
    /// (port 990 by convention).
    Implicit,
}

impl TlsMode {
    /// Whether the session uses TLS at all.
    pub fn is_tls(self) -> bool {
        self != TlsMode::Plain
    }
}

impl SessionConfig {
    /// Defaults for a control connection to `peer`.
    pub fn new(peer: SocketAddr) -> Self {
        SessionConfig {
            peer,
            trust_pasv_host: false,
            use_epsv: true,
            limits: Limits::default(),
            transfer_type: TransferType::Binary,
            tls: TlsMode::Plain,
            active: false,
            tls13_one_use_tickets: false,
            command_with_epsv: false,
            timeouts: Timeouts::default(),
        }
    }
}
