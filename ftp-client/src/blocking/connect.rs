//! The blocking driver's way to open a connection: directly, through the
//! caller's [`Connector`](crate::Connector), or through a [`Proxy`] (its
//! handshake, [`ftp_proto::proxy`], driven over the socket), and active
//! mode's data connection through SOCKS5 `BIND`.

use std::io::{self, Read, Write};
use std::net::{IpAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use ftp_proto::proxy::{Handshake, Step};

use super::{Client, connect_tcp, socket_timeout};
use crate::config::Config;
use crate::error::Result;
use crate::proxy::{self, Proxy, Target};
use crate::shared::is_timeout;

/// A connection to `target` within the connect timeout, Nagle off: through
/// the connector if there is one, else the proxy, else directly.
pub(super) fn open(config: &Config, target: Target) -> io::Result<TcpStream> {
    let timeout = config.connect_timeout;
    if let Some(connector) = &config.connector {
        tracing::debug!("connecting to {target} through {connector:?}");
        let stream = connector.connect(&target, socket_timeout(timeout))?;
        stream.set_nodelay(true)?;
        return Ok(stream);
    }
    match (&config.proxy, target) {
        (Some(proxy), target) => through(proxy, &target, false, timeout).map(|(stream, ..)| stream),
        (None, Target::Addr(addr)) => connect_tcp(addr, timeout),
        (None, target) => Err(io::Error::other(format!(
            "{target}: a host name to connect to without a proxy"
        ))),
    }
}

/// A tunnel to `target` through `proxy` (SOCKS5 `BIND` if `bind`), the
/// handshake run within `timeout`: the stream, the handshake (for `BIND`,
/// still to read the second reply) and where it stopped.
fn through(
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
    let mut stream = reach(proxy, timeout)?;
    let step = drive(&mut stream, &mut handshake, proxy, deadline, timeout)?;
    Ok((stream, handshake, step))
}

/// A TCP connection to the proxy itself.
fn reach(proxy: &Proxy, timeout: Duration) -> io::Result<TcpStream> {
    let addrs = (proxy.host(), proxy.port())
        .to_socket_addrs()
        .map_err(|e| proxy::unreachable(proxy, e, timeout))?;
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the proxy's name has no address");
    for addr in addrs {
        match connect_tcp(addr, timeout) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e,
        }
    }
    Err(proxy::unreachable(proxy, last, timeout))
}

/// Runs `handshake` over `stream` until the tunnel is open (or, for
/// `BIND`, the proxy listens), each read and write by `deadline`.
fn drive(
    stream: &mut TcpStream,
    handshake: &mut Handshake,
    proxy: &Proxy,
    deadline: Instant,
    timeout: Duration,
) -> io::Result<Step> {
    let mut buf = [0u8; 512];
    let broken = |e| proxy::broken(proxy, e, timeout);
    loop {
        let left = socket_timeout(deadline.saturating_duration_since(Instant::now()));
        match handshake.poll() {
            Step::Send(bytes) => {
                stream.set_write_timeout(Some(left)).map_err(broken)?;
                stream.write_all(&bytes).map_err(broken)?;
            }
            Step::Read(n) => {
                stream.set_read_timeout(Some(left)).map_err(broken)?;
                match stream.read(&mut buf[..n.min(512)]) {
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
    pub(super) fn listen_through(&mut self, proxy: &Proxy) -> Result<()> {
        let timeout = self.config.connect_timeout;
        let bound = match crate::route::bind_target(&self.route, proxy) {
            Ok(from) => through(proxy, &from, true, timeout).and_then(|(stream, shake, step)| {
                Ok((
                    proxy::bound_address(proxy, step, stream.peer_addr()?)?,
                    stream,
                    shake,
                ))
            }),
            Err(e) => Err(e),
        };
        self.bound_listening(bound)
    }

    /// Active mode through a proxy: waits for the proxy's word that the
    /// server connected, from `from` only, until the session's deadline,
    /// while reading the control connection (a 425 there ends the wait).
    pub(super) fn accept_bound(&mut self, proxy: &Proxy, from: IpAddr) -> Result<()> {
        let timeout = self.config.data_timeout;
        loop {
            let Some(wait) = self.accept_wait(from)? else {
                return Ok(());
            };
            let Some((stream, handshake)) = self.bound.as_mut() else {
                return Ok(());
            };
            let failure = match drive(stream, handshake, proxy, Instant::now() + wait, timeout) {
                Ok(step) => proxy::bound_peer(proxy, step, from).and_then(|()| {
                    stream.set_read_timeout(Some(socket_timeout(timeout)))?;
                    stream.set_write_timeout(Some(socket_timeout(timeout)))
                }),
                Err(e) if is_timeout(&e) => {
                    match self.read_control_once(wait) {
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
