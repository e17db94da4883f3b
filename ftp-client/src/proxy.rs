//! Proxies: [`Proxy`] (SOCKS5 or HTTP `CONNECT`, from a URL), the
//! [`Connector`] hook for tunnels this crate does not know, and what both
//! drivers share to open a connection through either: the
//! [`Target`] of each connection and the errors. The handshakes themselves
//! are [`ftp_proto::proxy`]'s state machines; each driver only moves their
//! bytes.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use ftp_proto::proxy::{Destination, Handshake, HandshakeError, Login, Step};
use percent_encoding::percent_decode_str;

use crate::error::{Error, ProxyError, ProxyFailure};

/// A proxy every connection of a session goes through: the control
/// connection and each data connection, each a new tunnel (see
/// [`Config::proxy`](crate::Config::proxy)).
///
/// Parsed from a URL: `socks5://` (this host resolves the server's name),
/// `socks5h://` (the proxy resolves it), or `http://` (`CONNECT`; the
/// proxy resolves it), with an optional `user:password@` (percent-encoded)
/// and port (1080 by default, as in curl). The password is never shown:
/// not by `Debug`, `Display` or any error or log line.
///
/// ```
/// use ftp_client::{Proxy, ProxyKind};
/// let proxy = Proxy::parse("socks5h://alice:s3cret@127.0.0.1:1080")?;
/// assert_eq!(proxy.kind(), ProxyKind::Socks5h);
/// assert_eq!(proxy.to_string(), "socks5h://alice@127.0.0.1:1080");
/// assert!(!format!("{proxy:?}").contains("s3cret"));
/// assert!(Proxy::parse("ftp://127.0.0.1").is_err());
/// # Ok::<(), ftp_client::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    kind: ProxyKind,
    host: String,
    port: u16,
    login: Option<Login>,
}

/// The kind of a [`Proxy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    /// SOCKS5 (`socks5://`), given the server's address: names are
    /// resolved on this host.
    Socks5,
    /// SOCKS5 (`socks5h://`), given the server's name: the proxy resolves
    /// it.
    Socks5h,
    /// HTTP `CONNECT` (`http://`): the proxy resolves names. It cannot
    /// carry active-mode data connections.
    Http,
}

impl ProxyKind {
    fn scheme(self) -> &'static str {
        match self {
            ProxyKind::Socks5 => "socks5",
            ProxyKind::Socks5h => "socks5h",
            ProxyKind::Http => "http",
        }
    }
}

impl Proxy {
    /// Parses a proxy URL; see [`Proxy`]. A malformed one fails with
    /// [`Error::InvalidProxy`] (its password masked).
    pub fn parse(url: &str) -> Result<Proxy, Error> {
        parse(url).map_err(|reason| Error::InvalidProxy {
            url: mask(url),
            reason,
        })
    }

    /// The kind of proxy.
    pub fn kind(&self) -> ProxyKind {
        self.kind
    }

    /// The proxy's host, as given.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The proxy's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The user name it logs in with, if any.
    pub fn user(&self) -> Option<&str> {
        self.login.as_ref().map(Login::user)
    }

    /// Whether the proxy, not this host, resolves the server's name.
    pub fn resolves_names(&self) -> bool {
        self.kind != ProxyKind::Socks5
    }

    /// The handshake that opens a tunnel to `dest` (SOCKS5 `BIND` if
    /// `bind`).
    pub(crate) fn handshake(
        &self,
        dest: Destination,
        bind: bool,
    ) -> Result<Handshake, HandshakeError> {
        let login = self.login.clone();
        match (self.kind, bind) {
            (ProxyKind::Http, _) => Ok(Handshake::http_connect(dest, login)),
            (_, false) => Handshake::socks5_connect(dest, login),
            (_, true) => Handshake::socks5_bind(dest, login),
        }
    }
}

impl fmt::Display for Proxy {
    /// The URL without the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.kind.scheme())?;
        if let Some(user) = self.user() {
            write!(f, "{}@", user.escape_default())?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Proxy({self})")
    }
}

/// A URL with what follows `user:` up to `@` replaced by `***`.
fn mask(url: &str) -> String {
    let shown: String = url.escape_default().collect();
    let Some((before, after)) = shown.rsplit_once('@') else {
        return shown;
    };
    let start = before.find("://").map_or(0, |i| i + 3);
    match before[start..].find(':') {
        Some(colon) => format!("{}:***@{after}", &before[..start + colon]),
        None => shown,
    }
}

fn parse(url: &str) -> Result<Proxy, String> {
    if url.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err("control characters or spaces in it".to_owned());
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or("no scheme (socks5://, socks5h:// or http://)")?;
    let kind = match scheme.to_ascii_lowercase().as_str() {
        "socks5" => ProxyKind::Socks5,
        "socks5h" => ProxyKind::Socks5h,
        "http" => ProxyKind::Http,
        other => {
            return Err(format!(
                "unsupported scheme {other:?} (socks5, socks5h or http)"
            ));
        }
    };
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.contains(['/', '?', '#']) {
        return Err("a path, query or fragment after the host".to_owned());
    }
    let (login, hostport) = match authority.rsplit_once('@') {
        Some((userinfo, hostport)) => (Some(login(userinfo)?), hostport),
        None => (None, authority),
    };
    let (host, port) = host_port(hostport)?;
    Ok(Proxy {
        kind,
        host,
        port,
        login,
    })
}

fn login(userinfo: &str) -> Result<Login, String> {
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let decode = |s: &str| {
        percent_decode_str(s)
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(|_| "a user or password that is not UTF-8 once decoded".to_owned())
    };
    let user = decode(user)?;
    if user.is_empty() {
        return Err("an empty user name".to_owned());
    }
    Ok(Login::new(user, decode(password)?))
}

fn host_port(hostport: &str) -> Result<(String, u16), String> {
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or("an IPv6 address without its ']'")?;
        host.parse::<std::net::Ipv6Addr>()
            .map_err(|_| format!("{host:?} is no IPv6 address"))?;
        (host, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err("no host".to_owned());
    }
    let port = match port {
        None => 1080,
        Some(port) => port
            .parse::<u16>()
            .ok()
            .filter(|&p| p != 0)
            .ok_or_else(|| format!("port {port:?} is not 1-65535"))?,
    };
    Ok((host.to_owned(), port))
}

/// Where a connection goes, as handed to a [`Connector`]: an address, or
/// a host name nobody resolved yet (with a proxy that resolves names, or a
/// connector, [`Client::connect_url`](crate::Client::connect_url) does not
/// resolve the URL's host; data connections to the same server get its
/// name too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An address.
    Addr(SocketAddr),
    /// A host name and port.
    Name {
        /// The host name, as given.
        host: String,
        /// The port.
        port: u16,
    },
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Addr(addr) => write!(f, "{addr}"),
            Target::Name { host, port } => write!(f, "{host}:{port}"),
        }
    }
}

impl Target {
    /// What a proxy is asked to connect to.
    pub(crate) fn destination(&self) -> Result<Destination, HandshakeError> {
        match self {
            Target::Addr(addr) => Ok(Destination::addr(*addr)),
            Target::Name { host, port } => Destination::name(host, *port),
        }
    }
}

/// Opens the TCP connections of a session yourself: for tunnels this
/// crate does not know (an SSH forward, a proxy protocol of your own…).
/// Set in [`Config::connector`](crate::Config::connector); it is then called for the control
/// connection and for every passive-mode data connection (active mode
/// still listens on this host), in place of a direct connection or
/// [`Config::proxy`](crate::Config::proxy).
///
/// The stream it returns must be ready to carry the FTP (or FTPS) bytes
/// end to end. The async client calls it on tokio's blocking thread pool.
///
/// ```
/// use std::{io, net::TcpStream, time::Duration};
/// use ftp_client::{Config, Connector, Target};
///
/// #[derive(Debug)]
/// struct Direct;
/// impl Connector for Direct {
///     fn connect(&self, target: &Target, timeout: Duration) -> io::Result<TcpStream> {
///         match target {
///             Target::Addr(addr) => TcpStream::connect_timeout(addr, timeout),
///             Target::Name { host, port } => TcpStream::connect((host.as_str(), *port)),
///         }
///     }
/// }
/// let config = Config { connector: Some(std::sync::Arc::new(Direct)), ..Config::default() };
/// ```
pub trait Connector: fmt::Debug + Send + Sync {
    /// A TCP stream to `target`, open within `timeout`
    /// ([`Config::connect_timeout`](crate::Config::connect_timeout)).
    fn connect(&self, target: &Target, timeout: Duration) -> io::Result<std::net::TcpStream>;
}

/// `failure` of `proxy`, as the `io::Error` a connection attempt returns.
pub(crate) fn failed(proxy: &Proxy, failure: ProxyFailure) -> io::Error {
    let timeout = matches!(failure, ProxyFailure::Timeout(_));
    let error = ProxyError {
        proxy: proxy.to_string(),
        failure,
    };
    if timeout {
        io::Error::new(io::ErrorKind::TimedOut, error)
    } else {
        io::Error::other(error)
    }
}

/// The handshake to `target` through `proxy` (`bind`: SOCKS5 `BIND`).
pub(crate) fn handshake(proxy: &Proxy, target: &Target, bind: bool) -> io::Result<Handshake> {
    target
        .destination()
        .and_then(|dest| proxy.handshake(dest, bind))
        .map_err(|e| failed(proxy, e.into()))
}

/// The error for a proxy that could not be reached at all.
pub(crate) fn unreachable(proxy: &Proxy, error: io::Error, timeout: Duration) -> io::Error {
    failed(
        proxy,
        ProxyFailure::of_io(error, timeout, ProxyFailure::Unreachable),
    )
}

/// The error for an I/O failure during the handshake.
pub(crate) fn broken(proxy: &Proxy, error: io::Error, timeout: Duration) -> io::Error {
    failed(proxy, ProxyFailure::of_io(error, timeout, ProxyFailure::Io))
}

/// SOCKS5 `BIND`'s first reply (`step`): the address where the proxy
/// listens, to tell the server (`proxy_peer`: the proxy's own address).
pub(crate) fn bound_address(
    proxy: &Proxy,
    step: Step,
    proxy_peer: SocketAddr,
) -> io::Result<SocketAddr> {
    match step {
        Step::Bound(addr) => Ok(advertised(addr, proxy_peer)),
        _ => Err(not_a_bind_reply(proxy)),
    }
}

/// SOCKS5 `BIND`'s second reply (`step`): the server (`from`) connected
/// to the proxy, and it was the server.
pub(crate) fn bound_peer(proxy: &Proxy, step: Step, from: IpAddr) -> io::Result<()> {
    let Step::Done(peer) = step else {
        return Err(not_a_bind_reply(proxy));
    };
    check_bound_peer(proxy, peer, from)?;
    match peer {
        Some(addr) => tracing::debug!("data connection from {addr} through {proxy}"),
        None => tracing::debug!("data connection from the server through {proxy}"),
    }
    Ok(())
}

fn not_a_bind_reply(proxy: &Proxy) -> io::Error {
    failed(proxy, HandshakeError::Invalid("a BIND reply").into())
}

/// SOCKS5 `BIND`: the address to tell the server, the proxy's own IP
/// where the proxy gave the unspecified one.
pub(crate) fn advertised(bound: SocketAddr, proxy_peer: SocketAddr) -> SocketAddr {
    if bound.ip().is_unspecified() {
        SocketAddr::new(proxy_peer.ip(), bound.port())
    } else {
        bound
    }
}

/// SOCKS5 `BIND`: checks that the server (`from`; unspecified when only
/// the proxy knows its address) is who connected.
pub(crate) fn check_bound_peer(
    proxy: &Proxy,
    peer: Option<SocketAddr>,
    from: IpAddr,
) -> io::Result<()> {
    match peer {
        Some(got) if !from.is_unspecified() && got.ip() != from && !got.ip().is_unspecified() => {
            Err(failed(
                proxy,
                ProxyFailure::Stranger {
                    got,
                    expected: from,
                },
            ))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_masks() {
        let p = Proxy::parse("http://u%40x:p%3Aw@[::1]:3128/").unwrap();
        assert_eq!(p.kind(), ProxyKind::Http);
        assert_eq!(p.host(), "::1");
        assert_eq!(p.user(), Some("u@x"));
        assert_eq!(p.to_string(), "http://u@x@[::1]:3128");
        assert_eq!(Proxy::parse("socks5://h").unwrap().port(), 1080);
        for bad in [
            "h:1080",
            "socks4://h",
            "socks5://",
            "socks5://h:0",
            "socks5://h:x",
            "socks5://h/p",
            "socks5://:p@h",
            "http://h\n",
        ] {
            assert!(Proxy::parse(bad).is_err(), "{bad}");
        }
        let err = Proxy::parse("socks5://u:secret@h:99999")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secret") && err.contains("u:***@h"), "{err}");
    }
}
