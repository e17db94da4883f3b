//! Client settings: timeouts and protocol choices.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use ftp_proto::{Limits, TlsMode, TransferType};

use crate::proxy::{Connector, Proxy};
use crate::tls::{TlsVersion, Trust};

/// How a [`Client`](crate::Client) connects and how long it waits.
///
/// The timeouts can also be changed on a live client
/// ([`Client::set_data_timeout`](crate::Client::set_data_timeout) and its
/// siblings). A zero duration counts as one millisecond: sockets take no
/// zero timeout.
///
/// **How long a stalled transfer takes to fail**: a download or upload
/// whose data stops moving fails after [`Config::data_timeout`] without
/// progress (60 s by default), then waits up to 3 s more for the server's
/// word on the cut-short transfer (less if
/// [`Config::final_reply_timeout`] is shorter), so about 63 s by default.
/// A transfer whose data is complete waits up to
/// [`Config::final_reply_timeout`] for the final reply.
///
/// ```
/// use std::time::Duration;
/// let config = ftp_client::Config {
///     connect_timeout: Duration::from_secs(5),
///     ..Default::default()
/// };
/// assert!(!config.trust_pasv_host);
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    /// Opening the control or a data connection.
    pub connect_timeout: Duration,
    /// Each read of the control connection while a reply is awaited.
    pub control_timeout: Duration,
    /// Each read or write of a data connection: a stalled transfer fails
    /// after this long without progress.
    pub data_timeout: Duration,
    /// The final reply after a transfer's data is done (some servers check
    /// or sync the file first).
    pub final_reply_timeout: Duration,
    /// Connect data channels to the host named in a 227 reply instead of
    /// the control connection's peer. Off by default, as in curl and
    /// ftplib: servers behind NAT advertise unreachable addresses, and a
    /// hostile one could aim the client elsewhere.
    pub trust_pasv_host: bool,
    /// Try EPSV before PASV (required over IPv6), and in active mode EPRT
    /// before PORT. On by default.
    pub use_epsv: bool,
    /// Sends a download's `RETR` (or a listing's command) together with its
    /// `EPSV` once `EPSV` has worked on the session, as lftp's
    /// `ftp:sync-mode off` does: one round trip less per file. Passive
    /// downloads only (see
    /// [`SessionConfig::command_with_epsv`](ftp_proto::SessionConfig::command_with_epsv)).
    /// On by default.
    pub command_with_epsv: bool,
    /// Who opens data connections: the client ([`DataMode::Passive`], the
    /// default) or the server ([`DataMode::Active`]).
    pub data_mode: DataMode,
    /// Bounds on reply size.
    pub limits: Limits,
    /// The representation type of transfers: [`TransferType::Binary`]
    /// (`TYPE I`: bytes exactly as stored) by default, which is what files
    /// want. [`TransferType::Ascii`] (`TYPE A`) asks the server to send
    /// text with CRLF line ends (and to convert what is uploaded); the
    /// client passes the bytes through unchanged either way. Listings use
    /// the same type. This is the type a session starts with: the session
    /// owns it from then on ([`Client::transfer_type`](crate::Client::transfer_type),
    /// [`Client::set_transfer_type`](crate::Client::set_transfer_type)), and
    /// [`Client::config`](crate::Client::config) keeps what it was given.
    pub transfer_type: TransferType,
    /// TLS (FTPS): [`TlsMode::Plain`] by default. [`TlsMode::Explicit`]
    /// asks for it with `AUTH TLS` and fails if the server refuses;
    /// [`TlsMode::Implicit`] speaks TLS from the first byte (port 990).
    /// [`Client::connect_url`](crate::Client::connect_url) takes the mode
    /// from an `ftps://` or `ftpes://` URL, and this one for `ftp://`.
    pub tls: TlsMode,
    /// Which certificates TLS trusts: the system's roots by default.
    pub tls_trust: Trust,
    /// The newest TLS version to use: 1.3 by default.
    pub tls_max_version: TlsVersion,
    /// The name the server's certificate must carry. By default the URL's
    /// host for [`Client::connect_url`](crate::Client::connect_url), and
    /// the server's IP address for [`Client::connect`](crate::Client::connect)
    /// and [`Client::from_stream`](crate::Client::from_stream). Every data
    /// connection uses it too, whatever address PASV gives.
    pub tls_server_name: Option<String>,
    /// A proxy for the control connection and every data connection
    /// (SOCKS5 or HTTP `CONNECT`; see [`Proxy`]). Passive-mode data
    /// connections go through it to the server's address (or name) and the
    /// passive port, as they would directly ([`Config::trust_pasv_host`]
    /// applies as ever); active mode uses SOCKS5 `BIND`, and is refused
    /// through HTTP. TLS runs end to end: the proxy sees only ciphertext.
    /// `None` (the default): direct connections.
    pub proxy: Option<Proxy>,
    /// Opens the session's connections yourself (see [`Connector`]); when
    /// set, [`Config::proxy`] is not used for them. `None` by default.
    pub connector: Option<Arc<dyn Connector>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            connect_timeout: Duration::from_secs(30),
            control_timeout: Duration::from_secs(60),
            data_timeout: Duration::from_secs(60),
            final_reply_timeout: Duration::from_secs(120),
            trust_pasv_host: false,
            use_epsv: true,
            command_with_epsv: true,
            data_mode: DataMode::Passive,
            limits: Limits::default(),
            transfer_type: TransferType::Binary,
            tls: TlsMode::Plain,
            tls_trust: Trust::SystemRoots,
            tls_max_version: TlsVersion::Tls13,
            tls_server_name: None,
            proxy: None,
            connector: None,
        }
    }
}

/// Who opens each data connection.
///
/// ```
/// use ftp_client::{Config, DataMode};
/// // Active mode, listening on the control connection's local address:
/// let config = Config {
///     data_mode: DataMode::Active { address: None },
///     ..Config::default()
/// };
/// assert!(config.data_mode.is_active());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DataMode {
    /// Passive mode (`EPSV`, or `PASV`): the client connects to a port the
    /// server opens. Works through the client's firewall and NAT; the
    /// default.
    #[default]
    Passive,
    /// Active mode (`EPRT`, or `PORT`): the client listens on a port of its
    /// own and the server connects to it, for servers whose passive ports
    /// are closed by a firewall. `EPRT` is used over IPv6, and over IPv4
    /// unless [`Config::use_epsv`] is off or the server does not know it
    /// (then `PORT`, for the rest of the session).
    ///
    /// The client accepts the data connection only from the control
    /// connection's peer IP (another host connecting first could be
    /// stealing the transfer), within [`Config::data_timeout`]. If none
    /// comes, the transfer fails and the session ends (the server may still
    /// be trying to connect).
    Active {
        /// The local address to listen on and advertise; `None` (the
        /// default, like curl's `-P -`) uses the control connection's local
        /// address. It must be an address of this host that the server can
        /// reach.
        address: Option<IpAddr>,
    },
}

impl DataMode {
    /// Whether this is [`DataMode::Active`].
    pub fn is_active(self) -> bool {
        matches!(self, DataMode::Active { .. })
    }
}
