//! The client's error type.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use ftp_proto::listing::NameError;
use ftp_proto::proxy::HandshakeError;
use ftp_proto::{Failure, InvalidArgument, Reply, ReplyClass, ReplyCode, UsageError};

/// Shorthand for `Result<T, ftp_client::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong talking to an FTP server.
///
/// Each variant's message is one line that names what failed and, where the
/// server answered, its reply code and text. No message ever holds the
/// password. Every type a variant holds is exported by this crate.
///
/// There is no `From<std::io::Error>`: an I/O error alone does not say
/// what failed (opening which file? the data connection?), and this type's
/// messages always do. In an application, return `Box<dyn std::error::Error>`
/// (or your own error type) and let `?` convert both; or build
/// [`Error::Io`] with the step that failed:
///
/// ```no_run
/// use ftp_client::{Client, Config, Error, ReplyCode};
///
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let mut ftp = Client::connect("127.0.0.1:2121", Config::default())?;
///     ftp.login("alice", "s3cret")?;
///     let mut file = std::fs::File::open("report.pdf")?; // io::Error
///     ftp.store("report.pdf", &mut file)?; // ftp_client::Error
///     match ftp.delete("old.pdf") {
///         Err(e) if e.reply_code() == Some(ReplyCode::FILE_UNAVAILABLE) => {}
///         other => other?,
///     }
///     let file = std::fs::File::open("notes.txt")
///         .map_err(|source| Error::Io { during: "opening notes.txt".into(), source })?;
///     # drop(file);
///     Ok(())
/// }
/// ```
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server refused a command with a 4xx or 5xx reply.
    #[error("{command}: {reply}")]
    Refused {
        /// The command as sent (PASS masked), e.g. `RETR docs/a.txt`.
        command: String,
        /// The server's reply.
        reply: Reply,
    },
    /// A connect, read or write took longer than its timeout.
    #[error("timed out after {after:?} {during}")]
    Timeout {
        /// What was under way, e.g. "waiting for the server's reply".
        during: String,
        /// The timeout that expired.
        after: Duration,
    },
    /// TLS failed: the handshake (an untrusted or mismatched certificate,
    /// a server that does not answer in TLS, no common version) or a TLS
    /// record. The message says why in words: unknown issuer, name
    /// mismatch, expired…
    #[error("{during}: {}", crate::tls_words::explain(.source))]
    Tls {
        /// What was under way, e.g. "TLS handshake on the control
        /// connection".
        during: String,
        /// The rustls error.
        source: rustls::Error,
    },
    /// TLS was required and the server refused it (`AUTH TLS`, `PBSZ` or
    /// `PROT P` answered 4xx/5xx): the session ended without sending
    /// anything in clear, user name and password included.
    #[error("{command}: {reply} (TLS is required: the session ended, nothing was sent in clear)")]
    TlsRefused {
        /// The command refused, e.g. `AUTH TLS` or `PROT P`.
        command: String,
        /// The server's reply.
        reply: Reply,
    },
    /// A TLS download ended without the server's close_notify and its
    /// size cannot be confirmed: the data may have been cut short by
    /// someone in the path.
    #[error("receiving data: the TLS data connection closed without close_notify after {received} bytes{}: the download may be truncated", match .expected { Some(n) => format!(" of {n} announced"), None => String::new() })]
    Truncated {
        /// Bytes received.
        received: u64,
        /// The size the server announced, if it did.
        expected: Option<u64>,
    },
    /// The server closed the control connection: with 421, or without a
    /// word.
    #[error("{}", match .reply { Some(r) => format!("server closed the connection: {r}"), None => "server closed the connection unexpectedly".to_owned() })]
    Closed {
        /// The 421 reply, if the server sent one.
        reply: Option<Reply>,
    },
    /// The server broke the protocol: bytes that are no reply, a reply that
    /// does not fit the command, or reply data that cannot be decoded.
    #[error("protocol error: {0}")]
    Protocol(Box<Failure>),
    /// A path, user name or password holds CR, LF or NUL, or a command
    /// that needs an argument was given an empty one (see
    /// [`Arg`](ftp_proto::Arg)); nothing was sent.
    #[error("invalid {what}: {source}")]
    InvalidArgument {
        /// Which argument: "path", "user name", "password"…
        what: &'static str,
        /// What is wrong: where the bad byte is, or that it is empty.
        source: InvalidArgument,
    },
    /// A connection through the [`Proxy`](crate::Proxy) failed: the proxy
    /// could not be reached, refused (what it said is kept: a SOCKS5 reply
    /// code, an HTTP status), rejected the login, or did not answer in
    /// time. Nothing reached the FTP server on that connection.
    #[error("{during} through {proxy}: {failure}")]
    Proxy {
        /// What was under way, e.g. "connecting to ftp.example.net:21".
        during: String,
        /// The proxy, as a URL without its password.
        proxy: String,
        /// What went wrong.
        failure: ProxyFailure,
    },
    /// A proxy URL that is not `socks5://`, `socks5h://` or `http://`
    /// `[user[:password]@]host[:port]`; nothing was connected.
    #[error("invalid proxy URL {url}: {reason}")]
    InvalidProxy {
        /// The URL, its password masked.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// A URL that is not `ftp://[user[:password]@]host[:port]/path`.
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    /// The server's name could not be resolved to an address (DNS), the
    /// address text was invalid (a port that is no number), or the name
    /// resolved to no address: no connection was tried. Unlike a refused or
    /// timed-out connection ([`Error::Io`], [`Error::Timeout`]), retrying
    /// the same name seldom helps.
    #[error("{}: {source}", match .host { Some(host) => format!("cannot resolve {host}"), None => "cannot resolve the server address".to_owned() })]
    Resolve {
        /// The name looked up, `host:port`, when the caller gave it as text
        /// ([`Client::connect_url`](crate::Client::connect_url) always
        /// does).
        host: Option<String>,
        /// The resolver's error.
        source: io::Error,
    },
    /// A network or local I/O error.
    #[error("{during}: {source}")]
    Io {
        /// What was under way, e.g. "connecting to 127.0.0.1:21".
        during: String,
        /// The underlying error.
        source: io::Error,
    },
    /// The session ended an operation in a way that does not fit it: a bug
    /// in this crate, reported instead of a panic.
    #[error("internal error: {0}")]
    Internal(String),
    /// The client was used wrongly (e.g. after the session closed).
    #[error("{0}")]
    Usage(#[from] UsageError),
    /// The operation needs a command the server does not offer (its FEAT
    /// does not list it); nothing was sent.
    #[error("the server does not support {feature}")]
    Unsupported {
        /// The missing feature, e.g. `"MFMT"`.
        feature: &'static str,
    },
    /// [`Client::hash`](crate::Client::hash): the server cannot compute
    /// this digest (its FEAT lists neither `HASH` with the algorithm nor
    /// the algorithm's own command); nothing was sent.
    #[error("the server has no {algorithm} hash: {reason}")]
    NoHash {
        /// The algorithm asked for.
        algorithm: ftp_proto::hash::HashAlgorithm,
        /// Why not.
        reason: &'static str,
    },
    /// A [`Walk`](crate::Walk) skipped a listed name that is not exactly
    /// one path component (`..`, `a/b`, a control character…) or a line
    /// that was not understood: it is neither reported as an entry nor
    /// descended into.
    #[error("skipped {} in {dir:?}: {reason}", name_for_display(.name))]
    UnsafeName {
        /// The directory whose listing held it.
        dir: String,
        /// The name (or, for an unparsed line, the line) as sent.
        name: Vec<u8>,
        /// Why it was refused.
        reason: NameError,
    },
    /// A [`Walk`](crate::Walk) reached one of its limits at `path`: the
    /// depth limit or a listing loop (the directory is not descended
    /// into), or the entry limit (the walk ends).
    #[error("{path:?}: {what}")]
    WalkLimit {
        /// Where the limit was reached.
        path: String,
        /// Which limit, e.g. "deeper than 256 levels".
        what: String,
    },
}

/// A name as a quoted string, bytes outside printable ASCII escaped, so
/// that a hostile name cannot drive the terminal.
fn name_for_display(name: &[u8]) -> String {
    format!("\"{}\"", name.escape_ascii())
}

impl Error {
    /// The server's reply that caused the error, if any.
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            Error::Refused { reply, .. } | Error::TlsRefused { reply, .. } => Some(reply),
            Error::Closed { reply } => reply.as_ref(),
            Error::Protocol(failure) => failure.reply(),
            _ => None,
        }
    }

    /// The server's reply code, if any (e.g. 550).
    pub fn code(&self) -> Option<u16> {
        self.reply().map(|r| r.code().get())
    }

    /// The server's reply code as a [`ReplyCode`], to compare with its
    /// named constants.
    ///
    /// ```
    /// # use ftp_client::{Error, Reply, ReplyCode};
    /// let error = Error::Refused {
    ///     command: "DELE x".into(),
    ///     reply: Reply::new(ReplyCode::FILE_UNAVAILABLE, vec!["No such file".into()]),
    /// };
    /// assert_eq!(error.reply_code(), Some(ReplyCode::FILE_UNAVAILABLE));
    /// ```
    pub fn reply_code(&self) -> Option<ReplyCode> {
        self.reply().map(Reply::code)
    }

    /// Whether this error means the session is over and the
    /// [`Client`](crate::Client) must be replaced by a new connection: the
    /// server closed it (421, or the connection ended), it sent bytes that
    /// are no reply, or the client was used after that.
    ///
    /// A timeout or I/O error on the control connection closes the session
    /// too, while one on a data connection leaves it usable; those variants
    /// do not say which connection failed, so for them (and to be sure in
    /// every case) ask [`Client::is_closed`](crate::Client::is_closed).
    pub fn is_session_closed(&self) -> bool {
        match self {
            Error::Closed { .. } | Error::Usage(UsageError::Closed) | Error::TlsRefused { .. } => {
                true
            }
            Error::Protocol(failure) => {
                matches!(
                    **failure,
                    Failure::Closed(_) | Failure::Malformed(_) | Failure::ClearTextAfterAuth
                )
            }
            _ => false,
        }
    }

    /// A 4xx refusal: the same request may succeed later.
    pub fn is_transient(&self) -> bool {
        self.reply()
            .is_some_and(|r| r.class() == ReplyClass::TransientNegative)
    }

    pub(crate) fn io(during: impl Into<String>, source: io::Error) -> Self {
        Error::Io {
            during: during.into(),
            source,
        }
    }

    /// An I/O error, or a [`Error::Timeout`] when that is what it was.
    pub(crate) fn io_or_timeout(
        during: impl Into<String>,
        source: io::Error,
        after: Duration,
    ) -> Self {
        if matches!(
            source.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ) {
            Error::Timeout {
                during: during.into(),
                after,
            }
        } else {
            Error::io(during, source)
        }
    }
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Refused { command, reply } => Error::Refused {
                command: command.to_string(),
                reply,
            },
            Failure::Greeting(reply) => Error::Refused {
                command: "connect".to_owned(),
                reply,
            },
            Failure::AccountRequired(reply) => Error::Refused {
                command: "login (an account is required)".to_owned(),
                reply,
            },
            Failure::Closed(reply) => Error::Closed { reply },
            Failure::TlsRefused { command, reply } => Error::TlsRefused {
                command: command.to_string(),
                reply,
            },
            Failure::Unsupported { feature } => Error::Unsupported { feature },
            Failure::NoHash { algorithm, reason } => Error::NoHash { algorithm, reason },
            Failure::TimedOut { waiting, after } => Error::Timeout {
                during: waiting.to_string(),
                after,
            },
            other => Error::Protocol(Box::new(other)),
        }
    }
}

/// What went wrong with a proxy; see [`Error::Proxy`].
#[derive(Debug, thiserror::Error)]
pub enum ProxyFailure {
    /// The proxy itself could not be reached (refused, unreachable, its
    /// name unknown).
    #[error("cannot reach the proxy: {0}")]
    Unreachable(io::Error),
    /// The proxy answered, and refused or broke its protocol.
    #[error("{0}")]
    Handshake(#[from] HandshakeError),
    /// The proxy did not answer the handshake in time.
    #[error("no answer from the proxy within {0:?}")]
    Timeout(Duration),
    /// The connection to the proxy failed during the handshake.
    #[error("{0}")]
    Io(io::Error),
    /// Active mode through an HTTP proxy: `CONNECT` cannot accept a
    /// connection from the server.
    #[error(
        "active mode is impossible through an HTTP proxy (use passive mode, or a SOCKS5 proxy, which accepts the data connection with BIND)"
    )]
    ActiveOverHttp,
    /// SOCKS5 `BIND`: a host other than the server connected.
    #[error("the data connection came from {got}, not from the server {expected}")]
    Stranger {
        /// Who connected.
        got: SocketAddr,
        /// The server.
        expected: IpAddr,
    },
}

impl ProxyFailure {
    /// What an I/O `error` with the proxy means: the bound (`timeout`)
    /// waited out, or `otherwise`.
    pub(crate) fn of_io(
        error: io::Error,
        timeout: Duration,
        otherwise: fn(io::Error) -> ProxyFailure,
    ) -> ProxyFailure {
        match error.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => ProxyFailure::Timeout(timeout),
            _ => otherwise(error),
        }
    }
}

/// A proxy failure on the way to an [`Error::Proxy`], carried inside an
/// `io::Error` through the drivers' connection paths.
#[derive(Debug, thiserror::Error)]
#[error("{proxy}: {failure}")]
pub(crate) struct ProxyError {
    pub(crate) proxy: String,
    pub(crate) failure: ProxyFailure,
}
