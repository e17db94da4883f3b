//! The blocking driver's way to open a connection: directly, through the
//! caller's [`Connector`](crate::Connector), or through a [`Proxy`] (its
//! handshake, [`ftp_proto::proxy`], driven over the socket), and active
//! mode's data connection through SOCKS5 `BIND`.

use std::io::{self, Read, Write};
use std::net::{IpAddr, TcpStream};
use std::time::{Duration, Instant};

use ftp_proto::proxy::{Handshake, Step};

use super::{Client, connect_tcp, resolve, socket_timeout};
use crate::config::Config;
use crate::error::Result;
use crate::proxy::{self, Proxy, Target};
use crate::shared::{Waited, is_timeout};

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

tunnel_api! { async: [], await: [] }

/// Writes `bytes` by `deadline`.
fn send_by(stream: &mut TcpStream, bytes: &[u8], deadline: Instant) -> io::Result<()> {
    let left = socket_timeout(deadline.saturating_duration_since(Instant::now()));
    stream.set_write_timeout(Some(left))?;
    stream.write_all(bytes)
}

/// Reads into `buf` by `deadline`.
fn recv_by(stream: &mut TcpStream, buf: &mut [u8], deadline: Instant) -> io::Result<usize> {
    let left = socket_timeout(deadline.saturating_duration_since(Instant::now()));
    stream.set_read_timeout(Some(left))?;
    stream.read(buf)
}

/// A data stream through the proxy, its reads and writes timed out after
/// `timeout` without progress.
fn ready_bound(stream: &TcpStream, timeout: Duration) -> io::Result<()> {
    stream.set_read_timeout(Some(socket_timeout(timeout)))?;
    stream.set_write_timeout(Some(socket_timeout(timeout)))
}
