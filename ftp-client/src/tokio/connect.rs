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
use ftp_proto::proxy::{Handshake, Step};
use std::time::Instant;

use super::{Client, connect_tcp, resolve};
use crate::config::Config;
use crate::error::Result;
use crate::proxy::{self, Proxy, Target};
use crate::shared::{Waited, is_timeout};

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

tunnel_api! { async: [async], await: [.await] }

/// Writes `bytes` by `deadline`.
async fn send_by(stream: &mut TcpStream, bytes: &[u8], deadline: Instant) -> io::Result<()> {
    let sent = ::tokio::time::timeout_at(deadline.into(), stream.write_all(bytes)).await;
    sent.unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into()))
}

/// Reads into `buf` by `deadline`.
async fn recv_by(stream: &mut TcpStream, buf: &mut [u8], deadline: Instant) -> io::Result<usize> {
    let read = ::tokio::time::timeout_at(deadline.into(), stream.read(buf)).await;
    read.unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into()))
}

/// A data stream through the proxy: each of its reads and writes has its
/// own timeout already.
fn ready_bound(_: &TcpStream, _: Duration) -> io::Result<()> {
    Ok(())
}
