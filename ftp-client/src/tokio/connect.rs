//! The async driver's way to open a connection: directly, through the
//! caller's [`Connector`](crate::Connector) (on the blocking thread pool),
//! or through a [`Proxy`] (its handshake, [`ftp_proto::proxy`], driven
//! over the socket), and active mode's data connection through SOCKS5
//! `BIND`.

use std::io;
use std::net::IpAddr;
use std::time::Duration;

use ::tokio::io::{AsyncReadExt, AsyncWriteExt};
use ::tokio::net::TcpStream;
use ::tokio::time::Instant;
use ftp_proto::proxy::{Handshake, Step};

use super::{Client, connect_tcp};
use crate::config::Config;
use crate::error::ProxyFailure;
use crate::error::Result;
use crate::proxy::{self, Proxy, Target};
use crate::shared::is_timeout;

/// A connection to `target` within the connect timeout, Nagle off: through
/// the connector if there is one, else the proxy, else directly.
pub(super) async fn open(config: &Config, target: Target) -> io::Result<TcpStream> {
    let timeout = config.connect_timeout;
    if let Some(connector) = config.connector.clone() {
        tracing::debug!("connecting to {target} through {connector:?}");
        let opened = ::tokio::task::spawn_blocking(move || connector.connect(&target, timeout));
        let stream = opened.await.map_err(io::Error::other)??;
        stream.set_nonblocking(true)?;
        let stream = TcpStream::from_std(stream)?;
        stream.set_nodelay(true)?;
        return Ok(stream);
    }
    match (&config.proxy, target) {
        (Some(proxy), target) => {
            let opened = through(proxy, &target, false, timeout).await;
            opened.map(|(stream, ..)| stream)
        }
        (None, Target::Addr(addr)) => connect_tcp(addr, timeout).await,
        (None, target) => Err(io::Error::other(format!(
            "{target}: a host name to connect to without a proxy"
        ))),
    }
}

/// A tunnel to `target` through `proxy` (SOCKS5 `BIND` if `bind`), the
/// handshake run within `timeout`: the stream, the handshake (for `BIND`,
/// still to read the second reply) and where it stopped.
async fn through(
    proxy: &Proxy,
    target: &Target,
    bind: bool,
    timeout: Duration,
) -> io::Result<(TcpStream, Handshake, Step)> {
    let what = if bind {
        "listening for"
    } else {
        "connecting to"
    };
    tracing::debug!("{what} {target} through the proxy {proxy}");
    let mut handshake = proxy::handshake(proxy, target, bind)?;
    let deadline = Instant::now() + timeout;
    let mut stream = reach(proxy, timeout).await?;
    let step = drive(&mut stream, &mut handshake, proxy, deadline, timeout).await?;
    Ok((stream, handshake, step))
}

/// A TCP connection to the proxy itself.
async fn reach(proxy: &Proxy, timeout: Duration) -> io::Result<TcpStream> {
    let addrs = ::tokio::net::lookup_host((proxy.host(), proxy.port()))
        .await
        .map_err(|e| proxy::unreachable(proxy, e, timeout))?;
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the proxy's name has no address");
    for addr in addrs {
        match connect_tcp(addr, timeout).await {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e,
        }
    }
    Err(proxy::unreachable(proxy, last, timeout))
}

/// Runs `handshake` over `stream` until the tunnel is open (or, for
/// `BIND`, the proxy listens), by `deadline`. Cancel-safe between steps:
/// what was read is in the handshake.
async fn drive(
    stream: &mut TcpStream,
    handshake: &mut Handshake,
    proxy: &Proxy,
    deadline: Instant,
    timeout: Duration,
) -> io::Result<Step> {
    let mut buf = [0u8; 512];
    let broken = |e| proxy::broken(proxy, e, timeout);
    let late = || proxy::failed(proxy, ProxyFailure::Timeout(timeout));
    loop {
        match handshake.poll() {
            Step::Send(bytes) => {
                let sent = ::tokio::time::timeout_at(deadline, stream.write_all(&bytes));
                sent.await.map_err(|_| late())?.map_err(broken)?;
            }
            Step::Read(n) => {
                let read = ::tokio::time::timeout_at(deadline, stream.read(&mut buf[..n.min(512)]));
                match read.await.map_err(|_| late())? {
                    Ok(0) => handshake.handle_eof(),
                    Ok(k) => handshake.handle_input(&buf[..k]),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(broken(e)),
                }
            }
            Step::Failed(e) => return Err(proxy::failed(proxy, e.into())),
            step => return Ok(step),
        }
    }
}

impl Client {
    /// Active mode through `proxy`: asks it to listen (SOCKS5 `BIND`) and
    /// tells the session where.
    pub(super) async fn listen_through(&mut self, proxy: &Proxy) -> Result<()> {
        let timeout = self.config.connect_timeout;
        let bound = match crate::route::bind_target(&self.route, proxy) {
            Ok(from) => {
                through(proxy, &from, true, timeout)
                    .await
                    .and_then(|(stream, shake, step)| {
                        Ok((
                            proxy::bound_address(proxy, step, stream.peer_addr()?)?,
                            stream,
                            shake,
                        ))
                    })
            }
            Err(e) => Err(e),
        };
        self.bound_listening(bound)
    }

    /// Active mode through a proxy: waits for the proxy's word that the
    /// server connected, from `from` only, until the session's deadline,
    /// while reading the control connection (a 425 there ends the wait).
    pub(super) async fn accept_bound(&mut self, proxy: &Proxy, from: IpAddr) -> Result<()> {
        let timeout = self.config.data_timeout;
        loop {
            let Some(wait) = self.accept_wait(from)? else {
                self.accepting_from = None;
                return Ok(());
            };
            let Some((stream, handshake)) = self.bound.as_mut() else {
                return Ok(());
            };
            let failure =
                match drive(stream, handshake, proxy, Instant::now() + wait, timeout).await {
                    Ok(step) => proxy::bound_peer(proxy, step, from),
                    Err(e) if is_timeout(&e) => {
                        match self.read_control_once(Duration::from_millis(1)).await {
                            Err(e) if is_timeout(&e) => {}
                            other => self.after_control_read(other, wait)?,
                        }
                        continue;
                    }
                    Err(e) => Err(e),
                };
            let Some((stream, _)) = self.bound.take() else {
                return Ok(());
            };
            self.accepting_from = None;
            return match failure {
                Ok(()) => {
                    self.data = Some(stream);
                    self.session.handle_data_connected()?;
                    Ok(())
                }
                Err(e) => self.accept_failed(crate::route::bound_accept_error(e, timeout)),
            };
        }
    }
}
