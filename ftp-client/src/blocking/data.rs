//! The blocking driver's data connections: opened to the server (passive
//! mode) or accepted from it (active mode).

use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use super::{Client, open, socket_timeout};
use ftp_proto::Session;

use crate::error::{Error, Result};
use crate::shared::{self, Waited, is_timeout};

impl Client {
    /// Opens the data connection the session asks for, with the data
    /// timeout on its reads and writes.
    pub(super) fn connect_data(&mut self, addr: SocketAddr) -> Result<()> {
        tracing::debug!("opening data connection to {addr}");
        let timeout = socket_timeout(self.data_stall());
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
            let Some(deadline) = self.accept_deadline(from, rejected)? else {
                return Ok(());
            };
            let Some(listener) = self.listener.as_ref() else {
                return Err(Error::Internal(
                    "accepting a data connection with no listening socket".to_owned(),
                ));
            };
            let failure = match listener.accept() {
                Ok((stream, addr)) if addr.ip() == from => {
                    tracing::debug!("data connection from {addr}");
                    match ready_data(&stream, self.data_stall()) {
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
                    self.wait_accept(deadline)?;
                    continue;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => Error::io("accepting the data connection (active mode)", e),
            };
            return self.accept_failed(failure);
        }
    }

    /// Active mode: waits until the data side (the listening socket, else
    /// the proxy's `BIND` connection) is ready or the control connection
    /// has a reply (read, and fed to the session), by `deadline`.
    pub(super) fn wait_accept(&mut self, deadline: Instant) -> Result<Waited> {
        let left = deadline.saturating_duration_since(Instant::now());
        let read_for = if self.control.has_pending() {
            left
        } else {
            match self.ready(left) {
                Ok(Ready::Data) => return Ok(Waited::Data(deadline)),
                Ok(Ready::Neither) => return Ok(Waited::Deadline),
                Ok(Ready::Control(read_for)) => read_for,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(Waited::Control),
                Err(e) => {
                    return Err(Error::io(
                        "waiting for the data connection (active mode)",
                        e,
                    ));
                }
            }
        };
        match self.read_control_once(read_for) {
            // Only past the deadline (or, without poll(2), the slice).
            Err(e) if is_timeout(&e) => Ok(Waited::Data(deadline.min(Instant::now() + read_for))),
            other => self.accept_control_read(other).map(|()| Waited::Control),
        }
    }

    /// Active mode: which of the data side and the control connection is
    /// ready first, within `left`: poll(2) on both.
    #[cfg(unix)]
    fn ready(&self, left: Duration) -> io::Result<Ready> {
        use rustix::event::{PollFd, PollFlags, Timespec, poll};
        use std::os::fd::AsFd;
        let data = match (&self.listener, &self.bound) {
            (Some(listener), _) => listener.as_fd(),
            (None, Some((stream, _))) => stream.as_fd(),
            (None, None) => return Err(io::Error::other("no socket to wait on")),
        };
        let mut fds = [
            PollFd::from_borrowed_fd(data, PollFlags::IN),
            PollFd::new(self.control.tcp(), PollFlags::IN),
        ];
        let timeout = Timespec::try_from(left).ok();
        poll(&mut fds, timeout.as_ref())?;
        // An error or a hang-up is ready too: the step or the read reports it.
        Ok(if !fds[0].revents().is_empty() {
            Ready::Data
        } else if !fds[1].revents().is_empty() {
            Ready::Control(left)
        } else {
            Ready::Neither
        })
    }

    /// Active mode without poll(2): the control connection is read for a
    /// slice of `left`, then the data side is looked at.
    #[cfg(not(unix))]
    fn ready(&self, left: Duration) -> io::Result<Ready> {
        Ok(Ready::Control(left.min(Duration::from_millis(50))))
    }
}

/// What [`Client::ready`] found ready first.
enum Ready {
    /// The data side.
    Data,
    /// The control connection: read it, for at most this long.
    Control(Duration),
    /// Neither, by the deadline.
    Neither,
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
