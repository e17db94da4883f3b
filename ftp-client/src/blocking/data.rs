//! The blocking driver's data connections: opened to the server (passive
//! mode) or accepted from it (active mode).

use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use super::{Client, open, socket_timeout};
use ftp_proto::Session;

use crate::error::{Error, Result};
use crate::shared::{self, is_timeout};

impl Client {
    /// Opens the data connection the session asks for, with the data
    /// timeout on its reads and writes.
    pub(super) fn connect_data(&mut self, addr: SocketAddr) -> Result<()> {
        tracing::debug!("opening data connection to {addr}");
        let timeout = socket_timeout(self.config.data_timeout);
        let target = self.route.target(addr);
        let connected = open(&self.config, target).and_then(|stream| {
            stream.set_read_timeout(Some(timeout))?;
            stream.set_write_timeout(Some(timeout))?;
            Ok(stream)
        });
        self.data_connected(addr, connected)
    }

    /// Active mode: listens for the server's data connection, on the
    /// configured address or the control connection's local one.
    pub(super) fn listen(&mut self) -> Result<()> {
        if let Some(proxy) = crate::route::bind_proxy(&self.config) {
            return self.listen_through(&proxy);
        }
        let ip = shared::listen_ip(&self.config, || self.control.tcp().local_addr());
        let listening = ip.and_then(|ip| {
            let listener = TcpListener::bind((ip, 0))?;
            let addr = listener.local_addr()?;
            listener.set_nonblocking(true)?;
            Ok((listener, addr))
        });
        self.listening(listening)
    }

    /// Active mode: waits for the server's data connection, from `from`
    /// only, until the session's deadline, while reading the control
    /// connection (a 425 there ends the wait).
    pub(super) fn accept_data(&mut self, from: IpAddr) -> Result<()> {
        if let Some(proxy) = crate::route::bind_proxy(&self.config).filter(|_| self.bound.is_some())
        {
            return self.accept_bound(&proxy, from);
        }
        let mut rejected: Option<SocketAddr> = None;
        loop {
            if !self.session.is_awaiting_data_connection() {
                return Ok(());
            }
            let Some(listener) = self.listener.as_ref() else {
                return Err(Error::Internal(
                    "accepting a data connection with no listening socket".to_owned(),
                ));
            };
            let failure = match listener.accept() {
                Ok((stream, addr)) if addr.ip() == from => {
                    tracing::debug!("data connection from {addr}");
                    match ready_data(&stream, self.config.data_timeout) {
                        Ok(()) => {
                            self.listener = None;
                            self.data = Some(stream);
                            self.session.handle_data_connected()?;
                            return Ok(());
                        }
                        Err(e) => Error::io("configuring the data connection", e),
                    }
                }
                Ok((stream, addr)) => {
                    shared::refused_stranger(addr, from);
                    drop(stream);
                    rejected = Some(addr);
                    continue;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    let now = Instant::now();
                    let Some(deadline) = self.session.poll_timeout() else {
                        return Err(Error::Internal("accepting without a deadline".to_owned()));
                    };
                    if now >= deadline {
                        self.accept_timed_out(now, from, rejected);
                        return Ok(());
                    }
                    let wait = (deadline - now).min(shared::ACCEPT_POLL);
                    match self.read_control_once(wait) {
                        Err(e) if is_timeout(&e) => {}
                        other => self.after_control_read(other, wait)?,
                    }
                    continue;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => Error::io("accepting the data connection (active mode)", e),
            };
            return self.accept_failed(failure);
        }
    }
}

/// Active mode: the server's data connection, accepted, made blocking with
/// the data timeout on its reads and writes.
fn ready_data(stream: &TcpStream, timeout: Duration) -> io::Result<()> {
    let timeout = socket_timeout(timeout);
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.set_nodelay(true)
}

/// Before each wait for a transfer's data on `tcp`: the session's stall
/// clock ([`Timeouts::data`](ftp_proto::Timeouts::data)) starts again (a
/// blocking driver waits only when it asks for data, so a pause of the
/// caller's own or a rate limit's does not count), and the socket's
/// timeouts follow the session's deadline. `set` is the timeout the socket
/// has (`None`: unknown); it changes only when the deadline moved by more
/// than a sixteenth of it, so that a read costs no extra system call.
pub(super) fn await_data(
    session: &mut Session,
    tcp: &TcpStream,
    set: &mut Option<Duration>,
) -> io::Result<()> {
    let now = Instant::now();
    session.handle_data_progress(now);
    let Some(deadline) = session.poll_timeout() else {
        return Ok(());
    };
    let left = socket_timeout(deadline.saturating_duration_since(now));
    if set.is_none_or(|set| left.abs_diff(set) > set / 16) {
        tcp.set_read_timeout(Some(left))?;
        tcp.set_write_timeout(Some(left))?;
        *set = Some(left);
    }
    Ok(())
}
