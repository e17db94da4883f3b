//! The async driver's data connections: opened to the server (passive
//! mode) or accepted from it (active mode), each kept across a dropped
//! future so that the next operation completes the very same connection.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::time::{Duration, Instant};

use ::tokio::net::{TcpListener, TcpStream};

use super::{Client, open};
use crate::error::{Error, Result};
use crate::shared::{self, is_timeout};

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
            if !self.session.is_awaiting_data_connection() {
                self.accepting_from = None;
                return Ok(());
            }
            let (Some(listener), Some(deadline)) =
                (self.listener.as_ref(), self.session.poll_timeout())
            else {
                self.accepting_from = None;
                return Err(Error::Internal(
                    "accepting a data connection with no listening socket or deadline".to_owned(),
                ));
            };
            let now = Instant::now();
            if now >= deadline {
                self.accept_timed_out(now, from, rejected);
                return Ok(());
            }
            let wait = (deadline - now).min(shared::ACCEPT_POLL);
            match ::tokio::time::timeout(wait, listener.accept()).await {
                Ok(Ok((stream, addr))) if addr.ip() == from => {
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
                Ok(Ok((stream, addr))) => {
                    shared::refused_stranger(addr, from);
                    drop(stream);
                    rejected = Some(addr);
                }
                Ok(Err(e)) => break Error::io("accepting the data connection (active mode)", e),
                // Nothing yet: a reply on the control connection (a 425,
                // say) may have ended the wait.
                Err(_) => match self.read_control_once(Duration::from_millis(1)).await {
                    Err(e) if is_timeout(&e) => {}
                    other => self.after_control_read(other, wait)?,
                },
            }
        };
        self.accept_failed(failure)
    }
}
