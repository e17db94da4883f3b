//! What both drivers (the blocking [`Client`](crate::Client) and the
//! async `tokio::Client`) need beyond carrying out the session's actions:
//! the session's settings from a [`Config`], the TLS context, the target
//! of a URL, command arguments, each operation's outcome as its result,
//! the end of an operation as an [`Error`], listings split into lines and
//! parsed into entries, and the rules for a transfer cut short. Written
//! once here, so that the drivers differ only in how they wait.

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ftp_proto::decode::{Facts, Features, Timestamp};
use ftp_proto::listing::{self, Entry, Format};
use ftp_proto::{
    Arg, Failure, Outcome, Password, RenameCheck, Reply, SessionConfig, Timeouts, Wait,
};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::tls::{TlsConfig, TlsContext, TlsVersion, Trust, client_config};
use crate::url::FtpUrl;

/// Size of each read from the control connection.
pub(crate) const CONTROL_READ_SIZE: usize = 8 * 1024;
/// Downloads read this much at a time: large reads keep system calls few.
pub(crate) const DOWNLOAD_CHUNK: usize = 256 * 1024;
/// Uploads from a reader write this much at a time.
pub(crate) const UPLOAD_CHUNK: usize = 256 * 1024;

/// The session's settings for a control connection to `peer`.
pub(crate) fn session_config(config: &Config, peer: SocketAddr) -> SessionConfig {
    let mut session = SessionConfig::new(peer);
    session.trust_pasv_host = config.trust_pasv_host;
    session.use_epsv = config.use_epsv;
    session.command_with_epsv = config.command_with_epsv;
    session.active = config.data_mode.is_active();
    session.limits = config.limits;
    session.transfer_type = config.transfer_type;
    session.tls = config.tls;
    session.tls13_one_use_tickets = offers_one_use_tls13_tickets(config);
    session.timeouts = timeouts(config, session.timeouts);
    session
}

/// The session's timeouts from `config`'s (`defaults` for the rest): the
/// session, not the driver, decides when a wait for the server is over.
pub(crate) fn timeouts(config: &Config, defaults: Timeouts) -> Timeouts {
    Timeouts {
        reply: config.control_timeout,
        final_reply: config.final_reply_timeout,
        accept: config.data_timeout,
        data: config.data_timeout,
        ..defaults
    }
}

/// Whether the session's TLS offers TLS 1.3 with rustls's tickets, each
/// presented once. A configuration of the caller's own is used as it is.
fn offers_one_use_tls13_tickets(config: &Config) -> bool {
    config.tls.is_tls()
        && config.tls_max_version == TlsVersion::Tls13
        && !matches!(config.tls_trust, Trust::Custom(_))
}

/// Before the control connection's handshake: where the session asks for
/// TLS 1.2 at most ([`ftp_proto::Session::tls12_only`]), the session's TLS
/// becomes a TLS 1.2 one (same trust and server name), which every data
/// connection then resumes.
pub(crate) fn tls_for_control(
    session: &ftp_proto::Session,
    config: &Config,
    tls: &mut Option<TlsContext>,
) -> Result<()> {
    let Some(current) = tls.as_ref() else {
        return Ok(());
    };
    if session.tls12_only() && offers_one_use_tls13_tickets(config) {
        tracing::debug!(
            "offering TLS 1.2 at most: {}",
            ftp_proto::tls_tickets::REASON
        );
        let tls12 = client_config(&config.tls_trust, TlsVersion::Tls12)?;
        *tls = Some(current.with_config(tls12));
    }
    Ok(())
}

/// Whether connecting failed only because the session, with implicit TLS
/// 1.3, would run out of session tickets: then `config` with TLS 1.2 at
/// most, to connect again with (once).
pub(crate) fn retry_with_tls12(error: &Error, config: &Config) -> Option<Config> {
    let Error::Protocol(failure) = error else {
        return None;
    };
    if !matches!(**failure, Failure::NeedsTls12(_)) || !offers_one_use_tls13_tickets(config) {
        return None;
    }
    tracing::debug!(
        "connecting again offering TLS 1.2 at most: {}",
        ftp_proto::tls_tickets::REASON
    );
    Some(Config {
        tls_max_version: TlsVersion::Tls12,
        ..config.clone()
    })
}

/// The session's rustls configuration, when `config` asks for TLS: built
/// once per session, before connecting (a missing CA file fails without a
/// connection).
pub(crate) fn tls_config(config: &Config) -> Result<Option<TlsConfig>> {
    if config.tls.is_tls() {
        client_config(&config.tls_trust, config.tls_max_version).map(Some)
    } else {
        Ok(None)
    }
}

/// The session's TLS once connected to `peer`: its configuration, and the
/// name every connection of the session uses ([`Config::tls_server_name`],
/// else `peer`'s address), so that data connections resume the control
/// connection's TLS session.
pub(crate) fn tls_context(
    config: &Config,
    tls: Option<TlsConfig>,
    peer: SocketAddr,
) -> Result<Option<TlsContext>> {
    let Some(tls) = tls else { return Ok(None) };
    let name = config
        .tls_server_name
        .clone()
        .unwrap_or_else(|| peer.ip().to_string());
    TlsContext::new(tls, &name).map(Some)
}

/// What connecting to `url` means: the `host:port` to resolve (as text,
/// for the error if it does not resolve), and `config` with the URL's TLS
/// mode and, unless set, its host as the TLS server name.
pub(crate) fn url_target(url: &FtpUrl, mut config: Config) -> (String, Config) {
    let name = if url.host().contains(':') {
        format!("[{}]:{}", url.host(), url.port())
    } else {
        format!("{}:{}", url.host(), url.port())
    };
    if url.tls().is_tls() {
        config.tls = url.tls();
    }
    if config.tls_server_name.is_none() {
        config.tls_server_name = Some(url.host().to_owned());
    }
    (name, config)
}

/// The error when a name resolved to no address at all.
pub(crate) fn no_addresses(name: Option<String>) -> Error {
    Error::Resolve {
        host: name,
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "no addresses"),
    }
}

/// A command argument; an empty one, or CR, LF or NUL in it, is refused
/// before sending.
pub(crate) fn arg(what: &'static str, value: impl AsRef<[u8]>) -> Result<Arg> {
    Arg::new(value.as_ref().to_vec()).map_err(|source| Error::InvalidArgument { what, source })
}

/// A password for `PASS`: CR, LF or NUL in it is refused; it may be empty.
pub(crate) fn password(value: &str) -> Result<Password> {
    Password::new(value.as_bytes().to_vec()).map_err(|source| Error::InvalidArgument {
        what: "password",
        source,
    })
}

/// `None` for an empty path: the command then goes without an argument.
pub(crate) fn optional_arg(path: impl AsRef<[u8]>) -> Result<Option<Arg>> {
    let path = path.as_ref();
    if path.is_empty() {
        Ok(None)
    } else {
        arg("path", path).map(Some)
    }
}

/// The session ended an operation with an outcome of another kind: a bug
/// in this crate or in `ftp-proto`, reported rather than panicking.
pub(crate) fn unexpected(operation: &str, outcome: Outcome) -> Error {
    Error::Internal(format!("{operation} ended with {outcome:?}"))
}

/// The operation's end as the driver reports it: its outcome, or its
/// failure as an [`Error`]; a data connection that could not be opened is
/// reported with the driver's own error (`connect_error`), which says why.
pub(crate) fn done(
    result: std::result::Result<Outcome, Failure>,
    connect_error: Option<Error>,
) -> Result<Outcome> {
    match (result, connect_error) {
        (
            Err(
                Failure::DataConnectFailed
                | Failure::TimedOut {
                    waiting: Wait::DataConnection,
                    ..
                },
            ),
            Some(error),
        ) => Err(error),
        (result, _) => result.map_err(Error::from),
    }
}

/// PWD's outcome.
pub(crate) fn path(outcome: Outcome) -> Result<Vec<u8>> {
    match outcome {
        Outcome::Path(path) => Ok(path),
        other => Err(unexpected("PWD", other)),
    }
}

/// SIZE's outcome.
pub(crate) fn size(outcome: Outcome) -> Result<u64> {
    match outcome {
        Outcome::Size(size) => Ok(size),
        other => Err(unexpected("SIZE", other)),
    }
}

/// MDTM's outcome.
pub(crate) fn modified(outcome: Outcome) -> Result<Timestamp> {
    match outcome {
        Outcome::Modified(time) => Ok(time),
        other => Err(unexpected("MDTM", other)),
    }
}

/// The outcome of MDTM for each of many paths.
pub(crate) fn times(outcome: Outcome) -> Result<Vec<Option<Timestamp>>> {
    match outcome {
        Outcome::Times(answers) => Ok(answers.into_iter().map(Result::ok).collect()),
        other => Err(unexpected("MDTM", other)),
    }
}

/// MLST's outcome.
pub(crate) fn facts(outcome: Outcome) -> Result<Facts> {
    match outcome {
        Outcome::Facts(facts) => Ok(facts),
        other => Err(unexpected("MLST", other)),
    }
}

/// The outcome of a rename check (RNFR, then NOOP).
pub(crate) fn rename_check(outcome: Outcome) -> Result<RenameCheck> {
    match outcome {
        Outcome::RenameChecked(check) => Ok(check),
        other => Err(unexpected("RNFR", other)),
    }
}

/// A digest's outcome ([`Client::hash`](crate::Client::hash)).
pub(crate) fn digest(outcome: Outcome) -> Result<ftp_proto::hash::Digest> {
    match outcome {
        Outcome::Hash(digest) => Ok(digest),
        other => Err(unexpected("HASH", other)),
    }
}

/// FEAT's outcome.
pub(crate) fn features(outcome: Outcome) -> Result<Features> {
    match outcome {
        Outcome::Features(features) => Ok(features),
        other => Err(unexpected("FEAT", other)),
    }
}

/// The final reply of a command answered with one (SITE, MFMT, a raw
/// command).
pub(crate) fn completed(operation: &str, outcome: Outcome) -> Result<Reply> {
    match outcome {
        Outcome::Completed(reply) => Ok(reply),
        other => Err(unexpected(operation, other)),
    }
}

/// The end of a transfer's final reply (226, 250).
pub(crate) fn transferred(outcome: Outcome) -> Result<()> {
    match outcome {
        Outcome::Transferred(_) => Ok(()),
        other => Err(Error::Internal(format!("transfer ended with {other:?}"))),
    }
}

/// The end of an abort (ABOR's replies read).
pub(crate) fn aborted(outcome: Outcome) -> Result<()> {
    match outcome {
        Outcome::Aborted(_) => Ok(()),
        other => Err(Error::Internal(format!("abort ended with {other:?}"))),
    }
}

/// The session handed over a data transfer where the operation has none.
pub(crate) fn transfer_outside_transfer() -> Error {
    Error::Internal("a data transfer started outside a transfer".to_owned())
}

/// The session waits for the driver with no operation under way.
pub(crate) fn session_waits() -> Error {
    Error::Internal("the session waits with no operation under way".to_owned())
}

/// A transfer's data connection that the session asked for is missing.
pub(crate) fn no_data_connection() -> Error {
    Error::Internal("transfer started without a data connection".to_owned())
}

/// A listing's lines, byte for byte, without line ends or empty lines.
pub(crate) fn split_lines(raw: &[u8]) -> Vec<Vec<u8>> {
    raw.split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// Lines decoded lossily (bytes that are not UTF-8 become `�`).
pub(crate) fn lossy(lines: Vec<Vec<u8>>) -> Vec<String> {
    lines
        .iter()
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .collect()
}

/// An `NLST` answer's lines as names: without `.`, `..` and paths ending
/// in them, which name no entry (see [`listing::nlst_name`]).
pub(crate) fn nlst_names(lines: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    lines
        .into_iter()
        .filter_map(|line| listing::nlst_name(&line).map(<[u8]>::to_vec))
        .collect()
}

/// A listing's lines parsed as `format` (the session's listing format,
/// known once FEAT was asked); `now` dates LIST lines that omit the year.
pub(crate) fn parse_entries(format: Option<Format>, lines: &[Vec<u8>]) -> Result<Vec<Entry>> {
    let format = listing_format(format)?;
    let now = now();
    Ok(lines
        .iter()
        .filter_map(|line| listing::parse_line(format, line, now))
        .collect())
}

/// The session's listing format, which FEAT (asked before) decided.
pub(crate) fn listing_format(format: Option<Format>) -> Result<Format> {
    format.ok_or_else(|| Error::Internal("no listing format after FEAT".to_owned()))
}

/// A stat's outcome.
pub(crate) fn stat(outcome: Outcome) -> Result<Entry> {
    match outcome {
        Outcome::Stat(entry) => Ok(entry),
        other => Err(unexpected("stat", other)),
    }
}

/// The current UTC time, for the year of `LIST` dates that omit it.
fn now() -> Timestamp {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    Timestamp::from_unix(seconds)
        .or_else(|| Timestamp::new(2000, 1, 1, 0, 0, 0))
        .unwrap_or(Timestamp {
            year: 2000,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            nanosecond: 0,
        })
}

/// The error to report for a transfer whose socket failed with `error`
/// and which `ended` as the server then said: its refusal (426, 552 disk
/// full…) or its closing the session explains more than a reset or a
/// broken pipe.
pub(crate) fn explained_by_server(ended: Result<()>, error: Error) -> Error {
    match ended {
        Err(server @ (Error::Refused { .. } | Error::Closed { .. })) => server,
        _ => error,
    }
}

/// Logs a reply line by line: the first as `123-text`, the last as
/// `123 text`, intermediate lines as parsed (a repeated `123-` prefix
/// dropped). Control characters are escaped so that a hostile server
/// cannot drive the terminal.
pub(crate) fn log_reply(reply: &Reply) {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return;
    }
    let code = reply.code();
    let last = reply.line_count() - 1;
    for (i, line) in reply.lines().enumerate() {
        let text: String = String::from_utf8_lossy(line)
            .chars()
            .flat_map(|c| {
                let escaped: Vec<char> = if c.is_control() {
                    c.escape_default().collect()
                } else {
                    vec![c]
                };
                escaped
            })
            .collect();
        match (i, last) {
            (0, 0) => tracing::debug!("< {code} {text}"),
            (0, _) => tracing::debug!("< {code}-{text}"),
            (i, last) if i == last => tracing::debug!("< {code} {text}"),
            _ => tracing::debug!("< {text}"),
        }
    }
}

/// Whether an I/O error is a timeout.
pub(crate) fn is_timeout(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

// ---------------------------------------------------------------- active mode

/// Active mode: what a driver's wait for the server's data connection saw
/// first (the deadline is the session's,
/// [`ftp_proto::Session::poll_timeout`]).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Waited {
    /// The data side (the listening socket, or the proxy's `BIND`
    /// connection) is ready: step it, waiting no later than this.
    Data(Instant),
    /// A reply on the control connection was read and fed to the session
    /// (a 425, say, ends the wait).
    Control,
    /// The session's deadline passed.
    Deadline,
}

/// Active mode: the address to listen on: the configured one, or the
/// control connection's local address (`control_local`).
pub(crate) fn listen_ip(
    config: &Config,
    control_local: impl FnOnce() -> std::io::Result<SocketAddr>,
) -> std::io::Result<std::net::IpAddr> {
    match config.data_mode {
        crate::DataMode::Active { address: Some(ip) } => Ok(ip),
        _ => control_local().map(|addr| addr.ip()),
    }
}

/// Passive mode: the connection to `addr` failed with `error`. Both
/// drivers report it to the session
/// ([`Session::handle_data_connect_failed`](ftp_proto::Session::handle_data_connect_failed)),
/// which decides what follows (PASV after a refused first EPSV port, or the
/// end of the transfer, which then fails with this error).
pub(crate) fn data_connect_error(
    addr: SocketAddr,
    error: std::io::Error,
    config: &Config,
) -> Error {
    tracing::debug!("data connection to {addr} failed: {error}");
    crate::route::connect_error(
        format!("opening the data connection to {addr}"),
        error,
        config.connect_timeout,
    )
}

/// Active mode: the error for a socket that could not listen.
pub(crate) fn listen_error(config: &Config, error: std::io::Error) -> Error {
    let on = match config.data_mode {
        crate::DataMode::Active { address: Some(ip) } => format!(" on {ip}"),
        _ => String::new(),
    };
    Error::io(
        format!("listening for the data connection (active mode){on}"),
        error,
    )
}

/// Active mode: a connection to the listening socket from `addr`, which is
/// not the server `from`, was refused (someone raced for the port).
pub(crate) fn refused_stranger(addr: SocketAddr, from: std::net::IpAddr) {
    tracing::warn!("refused a data connection from {addr}: only {from} (the server) may connect");
}

/// Active mode: the server `from` did not connect within `timeout`;
/// `rejected` is the last stranger refused meanwhile.
pub(crate) fn accept_timed_out(
    from: std::net::IpAddr,
    rejected: Option<SocketAddr>,
    timeout: Duration,
) -> Error {
    let refused = match rejected {
        Some(addr) => format!("; a connection from {addr} was refused"),
        None => String::new(),
    };
    Error::Timeout {
        during: format!(
            "waiting for the server {from} to open the data connection (active mode{refused})"
        ),
        after: timeout,
    }
}
