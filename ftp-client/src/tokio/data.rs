//! The async driver's data connections: opened to the server (passive
//! mode) or accepted from it (active mode), each kept across a dropped
//! future so that the next operation completes the very same connection.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::time::Instant;

use ::tokio::io::AsyncReadExt;
use ::tokio::net::{TcpListener, TcpStream};
use ::tokio::time::sleep_until;

use super::{Client, open};
use crate::error::{Error, Result};
use crate::shared::{self, Waited};

/// A TCP connection being opened, with its timeout.
pub(super) struct Connecting(Pin<Box<dyn Future<Output = io::Result<TcpStream>> + Send>>);

impl std::fmt::Debug for Connecting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Connecting")
    }
}

impl Client {
    /// Opens the data connection the session asks for.
    pub(super) async fn connect_data(&mut self, addr: SocketAddr) -> Result<()> {
        tracing::debug!("opening data connection to {addr}");
        let config = self.config.clone();
        let target = self.route.target(addr);
        let connecting = Connecting(Box::pin(async move { open(&config, target).await }));
        self.connecting = Some((addr, connecting));
        self.finish_connect().await
    }

    /// Completes the data connection being opened, if there is one, and
    /// tells the session how it went. Cancel-safe: the connection in
    /// progress stays in [`Client::connecting`] until it is done.
    pub(super) async fn finish_connect(&mut self) -> Result<()> {
        let Some((addr, connecting)) = self.connecting.as_mut() else {
            return Ok(());
        };
        let addr = *addr;
        let connected = (&mut connecting.0).await;
        self.connecting = None;
        self.data_connected(addr, connected)
    }

    /// Active mode: listens for the server's data connection, on the
    /// configured address or the control connection's local one.
    pub(super) async fn listen(&mut self) -> Result<()> {
        if let Some(proxy) = crate::route::bind_proxy(&self.config) {
            return self.listen_through(&proxy).await;
        }
        let control = self.control.as_ref();
        let ip = shared::listen_ip(&self.config, || match control {
            Some(control) => control.tcp().local_addr(),
            None => Err(io::ErrorKind::NotConnected.into()),
        });
        let listening = ip.and_then(|ip| {
            let listener = std::net::TcpListener::bind((ip, 0))?;
            listener.set_nonblocking(true)?;
            let listener = TcpListener::from_std(listener)?;
            let addr = listener.local_addr()?;
            Ok((listener, addr))
        });
        self.listening(listening)
    }

    /// Active mode: waits for the server's data connection from `from`.
    pub(super) async fn accept_data(&mut self, from: IpAddr) -> Result<()> {
        self.accepting_from = Some(from);
        self.finish_accept().await
    }

    /// Active mode: waits for the server's data connection, from the
    /// address the session named only, until the session's deadline, while
    /// reading the control connection (a 425 there ends the wait).
    /// Cancel-safe: the listening socket and the awaited address stay in
    /// the client until the wait is over, and the next operation waits
    /// again (the session's deadline stands).
    pub(super) async fn finish_accept(&mut self) -> Result<()> {
        let Some(from) = self.accepting_from else {
            return Ok(());
        };
        if let Some(proxy) = crate::route::bind_proxy(&self.config).filter(|_| self.bound.is_some())
        {
            return self.accept_bound(&proxy, from).await;
        }
        let mut rejected: Option<SocketAddr> = None;
        let failure = loop {
            let Some(deadline) = self.accept_deadline(from, rejected)? else {
                self.accepting_from = None;
                return Ok(());
            };
            let (Some(listener), Some(control)) = (self.listener.as_ref(), self.control.as_mut())
            else {
                self.accepting_from = None;
                return Err(Error::Internal(
                    "accepting a data connection with no listening socket".to_owned(),
                ));
            };
            let tls = control.is_tls();
            let event = ::tokio::select! {
                biased;
                accepted = listener.accept() => Event::Data(accepted),
                read = control.read(&mut self.read_buf) => Event::Control(read),
                () = sleep_until(deadline.into()) => Event::Deadline,
            };
            match event {
                Event::Data(Ok((stream, addr))) if addr.ip() == from => {
                    tracing::debug!("data connection from {addr}");
                    if let Err(e) = stream.set_nodelay(true) {
                        break Error::io("configuring the data connection", e);
                    }
                    self.listener = None;
                    self.accepting_from = None;
                    self.data = Some(stream);
                    self.session.handle_data_connected()?;
                    return Ok(());
                }
                Event::Data(Ok((stream, addr))) => {
                    shared::refused_stranger(addr, from);
                    drop(stream);
                    rejected = Some(addr);
                }
                Event::Data(Err(e)) => {
                    break Error::io("accepting the data connection (active mode)", e);
                }
                Event::Control(read) => {
                    let read = self.control_read(read, tls);
                    self.accept_control_read(read)?;
                }
                // The next look at the deadline tells the session.
                Event::Deadline => {}
            }
        };
        self.accept_failed(failure)
    }

    /// Active mode through a proxy: waits until its `BIND` connection is
    /// readable or the control connection has a reply (read, and fed to
    /// the session), by `deadline`.
    pub(super) async fn wait_accept(&mut self, deadline: Instant) -> Result<Waited> {
        let (Some((bound, _)), Some(control)) = (self.bound.as_ref(), self.control.as_mut()) else {
            return Err(Error::Internal(
                "waiting for a data connection with no proxy connection".to_owned(),
            ));
        };
        let tls = control.is_tls();
        let event = ::tokio::select! {
            biased;
            // An error is ready too: the step reports it.
            _ = bound.readable() => Event::Data(()),
            read = control.read(&mut self.read_buf) => Event::Control(read),
            () = sleep_until(deadline.into()) => Event::Deadline,
        };
        match event {
            Event::Data(()) => Ok(Waited::Data(deadline)),
            Event::Control(read) => {
                let read = self.control_read(read, tls);
                self.accept_control_read(read).map(|()| Waited::Control)
            }
            Event::Deadline => Ok(Waited::Deadline),
        }
    }
}

/// Active mode: what a wait for the server's data connection saw first.
enum Event<T> {
    /// The data side: the listening socket's accepted connection, or the
    /// proxy's `BIND` connection ready.
    Data(T),
    /// A read of the control connection.
    Control(io::Result<usize>),
    /// The session's deadline.
    Deadline,
}
