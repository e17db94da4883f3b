//! The async connections: a tokio socket in clear or through tokio-rustls,
//! the handshake that makes one, and the timeout every read and write of a
//! data connection runs under.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use ftp_proto::Session;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};
use tokio_rustls::client::TlsStream;

use crate::error::{Error, Result};
use crate::tls::{TlsContext, tls_io_error};

/// A connection, in clear or through TLS.
#[derive(Debug)]
pub(crate) enum AsyncStream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncStream {
    pub(crate) fn is_tls(&self) -> bool {
        matches!(self, AsyncStream::Tls(_))
    }

    /// The TCP connection underneath.
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            AsyncStream::Plain(tcp) => tcp,
            AsyncStream::Tls(tls) => tls.get_ref().0,
        }
    }

    /// Whether the TLS session was resumed (`None` in clear).
    pub(crate) fn resumed(&self) -> Option<bool> {
        match self {
            AsyncStream::Tls(tls) => Some(crate::tls::resumed(tls.get_ref().1)),
            AsyncStream::Plain(_) => None,
        }
    }

    /// Ends the sending side, as the blocking client's `finish_sending`
    /// does: TLS close_notify, then the FIN, unless `tunnelled` over TLS:
    /// then the server closes first (a proxy without half-close would
    /// otherwise reset the server's side while it still reads the upload).
    pub(crate) async fn finish_sending(&mut self, tunnelled: bool) -> io::Result<()> {
        use tokio::io::AsyncWriteExt;
        match self {
            AsyncStream::Tls(tls) if tunnelled => {
                tls.get_mut().1.send_close_notify();
                tls.flush().await
            }
            _ => self.shutdown().await,
        }
    }

    /// Version, cipher suite and whether the session was resumed, for logs.
    pub(crate) fn describe(&self) -> Option<String> {
        let AsyncStream::Tls(tls) = self else {
            return None;
        };
        Some(crate::tls::describe(tls.get_ref().1))
    }
}

/// Runs the TLS handshake on `tcp` within `timeout`, with the session's
/// configuration and name (so a data connection resumes the control
/// connection's session, as with the blocking client).
pub(crate) async fn handshake(
    tls: &TlsContext,
    tcp: TcpStream,
    timeout: Duration,
    during: &str,
) -> Result<AsyncStream> {
    let connector = tokio_rustls::TlsConnector::from(tls.config.clone());
    let connect = connector.connect(tls.server_name.clone(), tcp);
    match tokio::time::timeout(timeout, connect).await {
        Ok(Ok(stream)) => Ok(AsyncStream::Tls(Box::new(stream))),
        Ok(Err(e)) => Err(tls_io_error(during, e, timeout)),
        Err(_) => Err(Error::Timeout {
            during: during.to_owned(),
            after: timeout,
        }),
    }
}

impl AsyncRead for AsyncStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            AsyncStream::Plain(tcp) => Pin::new(tcp).poll_read(cx, buf),
            AsyncStream::Tls(tls) => Pin::new(tls.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for AsyncStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            AsyncStream::Plain(tcp) => Pin::new(tcp).poll_write(cx, buf),
            AsyncStream::Tls(tls) => Pin::new(tls.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            AsyncStream::Plain(tcp) => Pin::new(tcp).poll_flush(cx),
            AsyncStream::Tls(tls) => Pin::new(tls.as_mut()).poll_flush(cx),
        }
    }

    /// TLS: close_notify, then the socket's FIN; in clear, the FIN.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            AsyncStream::Plain(tcp) => Pin::new(tcp).poll_shutdown(cx),
            AsyncStream::Tls(tls) => Pin::new(tls.as_mut()).poll_shutdown(cx),
        }
    }
}

/// The stall timeout of a data connection, kept by the session
/// ([`Timeouts::data`](ftp_proto::Timeouts::data)): each read or write
/// that makes progress tells it so, and the wait for the next ends at the
/// deadline it then gives ([`Session::poll_timeout`]).
#[derive(Debug)]
pub(crate) struct Deadline {
    sleep: Pin<Box<Sleep>>,
}

impl Deadline {
    /// The data starts moving now.
    pub(crate) fn new(session: &mut Session) -> Self {
        let mut deadline = Deadline {
            sleep: Box::pin(tokio::time::sleep_until(Instant::now())),
        };
        deadline.restart(session);
        deadline
    }

    /// The data moved, or a wait of the client's own (a rate limit) ended,
    /// which is no silence of the connection: the session's clock starts
    /// again, and the sleep lasts until its new deadline.
    pub(crate) fn restart(&mut self, session: &mut Session) {
        let now = std::time::Instant::now();
        session.handle_data_progress(now);
        let at = session
            .poll_timeout()
            .unwrap_or(now + session.config().timeouts.data);
        self.sleep.as_mut().reset(at.into());
    }

    /// Passes on what an I/O poll gave: progress restarts the clock, and a
    /// wait that outlasts it is a timeout (which the driver reports to the
    /// session: see `data_timed_out`).
    pub(crate) fn check<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<T>>,
        session: &mut Session,
    ) -> Poll<io::Result<T>> {
        match poll {
            Poll::Ready(result) => {
                self.restart(session);
                Poll::Ready(result)
            }
            Poll::Pending => {
                ready!(self.sleep.as_mut().poll(cx));
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the data connection made no progress",
                )))
            }
        }
    }
}
