//! How a session's connections reach the server: directly, through the
//! configured proxy, or through the user's connector; and the error a
//! failed connection attempt becomes.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::config::Config;
use crate::error::Error;
use crate::error::{ProxyError, ProxyFailure};
use crate::proxy::{Proxy, ProxyKind, Target};

/// The error for a connection attempt (`during`) that failed with
/// `error`: the proxy's, if it was one; else an I/O error or timeout.
pub(crate) fn connect_error(during: String, error: io::Error, timeout: Duration) -> Error {
    let is_proxy = error
        .get_ref()
        .is_some_and(|inner| inner.is::<ProxyError>());
    if is_proxy {
        if let Some(inner) = error.into_inner() {
            if let Ok(proxy) = inner.downcast::<ProxyError>() {
                let ProxyError { proxy, failure } = *proxy;
                return Error::Proxy {
                    during,
                    proxy,
                    failure,
                };
            }
        }
        return Error::Internal("a proxy error lost on the way".to_owned());
    }
    Error::io_or_timeout(during, error, timeout)
}

/// Whether the connections go through a tunnel (the configured proxy, or
/// the caller's connector) that may not carry a half-close: microsocks and
/// tinyproxy end both directions on the first FIN. There an upload over TLS
/// ends with close_notify alone, and the server closes first (see
/// `Stream::finish_sending`). Directly the client's FIN follows at once,
/// and the client's side, not the server's passive port, is the one left
/// in TIME_WAIT.
pub(crate) fn may_lack_half_close(config: &Config) -> bool {
    config.proxy.is_some() || config.connector.is_some()
}

/// The proxy that active mode listens through (SOCKS5 `BIND`), if the
/// session uses one (a connector opens only outgoing connections).
pub(crate) fn bind_proxy(config: &Config) -> Option<Proxy> {
    config.proxy.clone().filter(|_| config.connector.is_none())
}

/// Active mode through `proxy`: what to ask it to listen for (SOCKS5
/// `BIND` names the server that will connect); refused through HTTP.
pub(crate) fn bind_target(route: &Route, proxy: &Proxy) -> io::Result<Target> {
    match proxy.kind() {
        ProxyKind::Http => Err(crate::proxy::failed(proxy, ProxyFailure::ActiveOverHttp)),
        _ => Ok(route.target(SocketAddr::new(route.server.ip(), 0))),
    }
}

/// Active mode through a proxy: the proxy could not listen (`BIND`).
pub(crate) fn bind_error(error: io::Error, timeout: Duration) -> Error {
    connect_error(
        "listening for the data connection (active mode)".to_owned(),
        error,
        timeout,
    )
}

/// Active mode through a proxy: the server's data connection failed.
pub(crate) fn bound_accept_error(error: io::Error, timeout: Duration) -> Error {
    connect_error(
        "waiting for the server's data connection (active mode)".to_owned(),
        error,
        timeout,
    )
}

/// The server of a session and how its connections are opened: what the
/// session takes as its peer, and the server's name when nobody here
/// resolved it (so that data connections to the server go to the name).
#[derive(Debug, Clone)]
pub(crate) struct Route {
    /// The session's peer: the server's address, or, when only the proxy
    /// knows it, the unspecified address with the server's port.
    pub(crate) server: SocketAddr,
    /// The server's name, when the proxy or connector resolves it.
    pub(crate) name: Option<String>,
}

impl Route {
    /// A server reached at `addr`.
    pub(crate) fn addr(addr: SocketAddr) -> Route {
        Route {
            server: addr,
            name: None,
        }
    }

    /// Where a connection to `addr` (as the session names it) goes: to
    /// the server's name if that is who `addr` is.
    pub(crate) fn target(&self, addr: SocketAddr) -> Target {
        match &self.name {
            Some(host) if addr.ip() == self.server.ip() => Target::Name {
                host: host.clone(),
                port: addr.port(),
            },
            _ => Target::Addr(addr),
        }
    }
}

/// How `connect_url` reaches `host`: `Some` when it must not resolve the
/// name itself (a proxy that resolves names, or a connector), with the
/// route the session then takes.
pub(crate) fn unresolved(config: &Config, host: &str, port: u16) -> Option<(Route, Target)> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        let addr = SocketAddr::new(ip, port);
        return (config.connector.is_some() || config.proxy.is_some())
            .then(|| (Route::addr(addr), Target::Addr(addr)));
    }
    let resolves_elsewhere =
        config.connector.is_some() || config.proxy.as_ref().is_some_and(Proxy::resolves_names);
    resolves_elsewhere.then(|| {
        let route = Route {
            server: SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), port),
            name: Some(host.to_owned()),
        };
        let target = Target::Name {
            host: host.to_owned(),
            port,
        };
        (route, target)
    })
}

/// Refuses, before any connection, what no proxy can do: active mode
/// through HTTP.
pub(crate) fn check(config: &Config) -> Result<(), Error> {
    match &config.proxy {
        Some(proxy)
            if proxy.kind() == ProxyKind::Http
                && config.data_mode.is_active()
                && config.connector.is_none() =>
        {
            Err(Error::Proxy {
                during: "connecting".to_owned(),
                proxy: proxy.to_string(),
                failure: ProxyFailure::ActiveOverHttp,
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use ftp_proto::proxy::HandshakeError;

    use super::*;

    #[test]
    fn proxy_errors_come_back_whole() {
        let proxy = Proxy::parse("socks5://127.0.0.1:9").unwrap();
        let io = crate::proxy::failed(
            &proxy,
            ProxyFailure::Handshake(HandshakeError::Socks { code: 2 }),
        );
        let error = connect_error("connecting to h:21".to_owned(), io, Duration::from_secs(1));
        assert_eq!(
            error.to_string(),
            "connecting to h:21 through socks5://127.0.0.1:9: SOCKS5 reply 2: connection not allowed by ruleset"
        );
    }
}
