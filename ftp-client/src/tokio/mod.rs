//! The async client on tokio (feature `tokio`): the same session, the same
//! operations, the same [`Error`], awaited.
//!
//! [`Client`] is the loop of the blocking [`crate::Client`] with `.await`:
//! it carries out the [`Session`]'s actions over
//! tokio sockets (and tokio-rustls for FTPS, with the same configuration
//! and session-reuse rules), with [`tokio::time`] timeouts on connecting,
//! every control read and write, and every data read and write.
//! Downloads are [`AsyncRead`] streams
//! ([`Download`]), uploads [`AsyncWrite`]
//! streams ([`Upload`]), each ended with `finish()`.
//!
//! ```no_run
//! use ftp_client::{Config, FtpUrl};
//!
//! # async fn demo() -> Result<(), ftp_client::Error> {
//! let url = FtpUrl::parse("ftp://demo:password@127.0.0.1:2121/")?;
//! let mut ftp = ftp_client::tokio::Client::connect_url(&url, Config::default()).await?;
//! ftp.store("hello.txt", &mut &b"hello\n"[..]).await?;
//! let mut copy = Vec::new();
//! ftp.retrieve("hello.txt", &mut copy).await?;
//! ftp.quit().await?;
//! # Ok(())
//! # }
//! ```
//!
//! ## Cancellation
//!
//! Any future of this client, and any [`Download`] or [`Upload`], may be
//! dropped at any await point (by `select!`, a timeout, a cancelled task).
//! The client then stays in step with the server: the next operation first
//! completes what the session still waits for — the rest of a command
//! being written, the replies of the abandoned command, `ABOR` for a
//! transfer whose data connection was dropped, the data connection that
//! was being opened (the same one: a server may have accepted it) — and
//! then runs. The one step that cannot be resumed, a TLS handshake on the
//! control connection, happens only inside [`Client::connect`] and its
//! siblings, whose client goes with the dropped future; should it ever be
//! left half done, the session is closed and the next operation fails
//! with an [`Error::Io`] that says so.
//!
//! A walk's `next()` ([`Walk`], [`DirWalk`]) dropped mid-listing takes
//! nothing from that listing: the next call lists the same directory again.

mod cancel;
mod connect;
mod data;
mod download;
mod stream;
mod transfer;
mod walk;

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use ::tokio::fs::File;
use ::tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use ::tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use ftp_proto::decode::{Facts, Features, Timestamp};
use ftp_proto::listing::{Entry, Format};
use ftp_proto::{
    Action, Command, DataCommand, Outcome, RenameCheck, Reply, ReplyCode, Session, TransferStart,
    TransferType,
};

use crate::api::ignore;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::proxy::Target;
use crate::route::{self, Route};
use crate::shared::{self, CONTROL_READ_SIZE, arg, is_timeout, optional_arg};
use crate::tls::{TlsContext, is_unclean_end, tls_io_error};
use crate::url::FtpUrl;
use connect::open;
pub use download::Download;
use stream::AsyncStream;
pub use transfer::Upload;
pub use walk::{DirWalk, Walk};

/// The driver's connection, by the name [`client_api!`](crate::api) uses.
type Stream = AsyncStream;

/// An FTP session over tokio sockets: the async twin of
/// [`crate::Client`], with the same operations, arguments and errors.
///
/// - **One operation at a time**: every method takes `&mut self`, and a
///   transfer's stream borrows the client until it is finished. For
///   parallel work, open one `Client` per task (a `Client` is `Send`).
/// - **Cancellation is safe**: see the [module documentation](self).
///
/// ```no_run
/// use ftp_client::{Config, FtpUrl};
/// use tokio::io::AsyncReadExt;
///
/// # async fn demo() -> Result<(), ftp_client::Error> {
/// let url = FtpUrl::parse("ftp://127.0.0.1:2121/")?;
/// let mut ftp = ftp_client::tokio::Client::connect_url(&url, Config::default()).await?;
/// let mut download = ftp.retrieve_stream("notes.txt").await?;
/// let mut text = String::new();
/// let _ = download.read_to_string(&mut text).await; // a failure is finish()'s error
/// download.finish().await?;
/// for line in ftp.list("").await? {
///     println!("{line}");
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Client {
    session: Session,
    /// `None` while a TLS handshake holds it, and for good if that
    /// handshake's future was dropped.
    control: Option<AsyncStream>,
    tls: Option<TlsContext>,
    config: Config,
    read_buf: Box<[u8]>,
    /// The command being written, and how much of it went out: a write cut
    /// short by a dropped future is completed before anything else.
    out: Vec<u8>,
    out_sent: usize,
    /// The data connection the session asked for, until a transfer takes it.
    data: Option<TcpStream>,
    /// Why the data connection could not be opened.
    data_connect_error: Option<Error>,
    /// What the session waits for from this driver, outside the loop.
    pending: Pending,
    /// The data connection being opened, kept across a dropped future so
    /// that the next operation completes this very connection: a server
    /// may already have accepted it.
    connecting: Option<(SocketAddr, data::Connecting)>,
    /// Active mode: the socket the server is to connect to, and the only
    /// address it may connect from once the session waits for it; kept
    /// across a dropped future as `connecting` is.
    listener: Option<TcpListener>,
    /// Active mode through a SOCKS5 proxy: the `BIND` connection, waiting
    /// for the proxy's word that the server connected.
    bound: Option<(TcpStream, ftp_proto::proxy::Handshake)>,
    /// The server, and its name where the proxy resolves it.
    route: Route,
    accepting_from: Option<IpAddr>,
    /// The buffer transfers copy through, kept between transfers.
    transfer_buf: Vec<u8>,
    welcome: Reply,
}

/// An event the session waits for from the driver rather than the server:
/// if the future (or stream) that was to bring it is dropped, the next
/// operation tells the session it will not come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    None,
    /// A transfer's data moving (a [`Download`] or [`Upload`] alive, or its
    /// data connection's TLS handshake under way).
    Data,
}

client_api! {
    driver: tokio,
    async: [async],
    await: [.await],
    write: [AsyncWrite + Unpin],
    read: [AsyncRead + Unpin],
}

impl Client {
    /// The client of `session` on `control`, before the greeting (and
    /// without TLS: [`Client::with_stream`] sets it).
    fn new(session: Session, control: TcpStream, config: Config) -> Client {
        Client {
            route: Route::addr(session.config().peer),
            session,
            control: Some(AsyncStream::Plain(control)),
            tls: None,
            config,
            read_buf: vec![0; CONTROL_READ_SIZE].into_boxed_slice(),
            out: Vec::with_capacity(256),
            out_sent: 0,
            data: None,
            data_connect_error: None,
            pending: Pending::None,
            connecting: None,
            listener: None,
            bound: None,
            accepting_from: None,
            transfer_buf: Vec::new(),
            welcome: Reply::new(ReplyCode::SERVICE_READY, Vec::new()),
        }
    }

    /// A new control timeout: each read and write takes it as it starts.
    fn control_timeout_changed(&mut self) {}

    /// Whether the control connection runs over TLS.
    pub fn is_tls(&self) -> bool {
        self.control.as_ref().is_some_and(AsyncStream::is_tls)
    }

    /// The loop hands over a transfer: its data is now pending.
    fn on_transfer(&mut self) {
        self.pending = Pending::Data;
    }

    /// The loop ends an operation: no data connection is awaited.
    fn on_done(&mut self) {
        self.accepting_from = None;
    }

    /// A transfer's stream ends: its data is no longer pending.
    fn transfer_over(&mut self) {
        self.pending = Pending::None;
    }

    /// The TLS handshake on the control connection, which it holds while
    /// it runs.
    async fn handshake_control(&mut self) -> Result<AsyncStream> {
        let (Some(tls), Some(AsyncStream::Plain(tcp))) = (self.tls.as_ref(), self.control.take())
        else {
            return Err(Error::Internal(
                "the session asked for TLS that was not configured".to_owned(),
            ));
        };
        let during = "TLS handshake on the control connection";
        stream::handshake(tls, tcp, self.config.control_timeout, during).await
    }

    async fn send(&mut self, command: &Command) -> Result<()> {
        tracing::debug!("> {command}");
        self.out.clear();
        self.out_sent = 0;
        command.encode(&mut self.out);
        self.write_out().await
    }

    /// Writes the rest of [`Client::out`]; cancel-safe: what went out is
    /// counted as it goes.
    async fn write_out(&mut self) -> Result<()> {
        let timeout = self.config.control_timeout;
        let Some(control) = self.control.as_mut() else {
            return Err(self.broken(Error::Internal("no control connection".to_owned())));
        };
        let written = ::tokio::time::timeout(timeout, async {
            while self.out_sent < self.out.len() {
                match control.write(&self.out[self.out_sent..]).await {
                    Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                    Ok(n) => self.out_sent += n,
                    Err(e) => return Err(e),
                }
            }
            control.flush().await
        })
        .await
        .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into()));
        written.map_err(|e| {
            let error = Error::io_or_timeout("sending a command", e, timeout);
            self.broken(error)
        })
    }

    /// One read of the control connection within `timeout`, its bytes fed
    /// to the session. Cancel-safe: bytes are fed as soon as they are read.
    async fn read_control_once(&mut self, timeout: Duration) -> io::Result<()> {
        let Some(control) = self.control.as_mut() else {
            return Err(io::ErrorKind::NotConnected.into());
        };
        let tls = control.is_tls();
        match ::tokio::time::timeout(timeout, control.read(&mut self.read_buf)).await {
            Err(_) => Err(io::ErrorKind::TimedOut.into()),
            Ok(read) => self.control_read(read, tls),
        }
    }

    /// A read of the control connection (`tls`: through TLS), its bytes
    /// fed to the session.
    fn control_read(&mut self, read: io::Result<usize>, tls: bool) -> io::Result<()> {
        let n = match read {
            Ok(n) => n,
            // A server that closes without close_notify: an end all the
            // same (after 221, many do).
            Err(e) if tls && is_unclean_end(&e) => 0,
            Err(e) => return Err(e),
        };
        self.control_fed(n);
        Ok(())
    }

    /// Ends the session at once, without QUIT.
    fn close_now(&mut self) {
        self.session.handle_control_eof();
        while self.session.poll(Instant::now()).is_some() {}
        self.drop_connections();
    }

    /// The session ended: its connections close, and nothing it waited for
    /// is pending.
    fn drop_connections(&mut self) {
        self.control = None;
        self.data = None;
        self.connecting = None;
        self.pending = Pending::None;
        self.out.clear();
        self.out_sent = 0;
    }
}

impl Drop for Client {
    /// Sends QUIT without waiting for the answer, if the session is idle
    /// and the connection in clear (a write that would block is skipped:
    /// nothing may wait here).
    fn drop(&mut self) {
        if self.session.is_idle()
            && self.pending == Pending::None
            && self.connecting.is_none()
            && self.accepting_from.is_none()
            && self.out_sent == self.out.len()
        {
            if let Some(AsyncStream::Plain(tcp)) = &self.control {
                let _ = tcp.try_write(b"QUIT\r\n");
            }
        }
    }
}

/// A TCP connection to `addr` within `timeout`, with Nagle off (the
/// control connection's commands and TLS handshakes are small writes).
async fn connect_tcp(addr: SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
    let stream = ::tokio::time::timeout(timeout, TcpStream::connect(addr))
        .await
        .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into()))?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Readies the control connection: nothing more (each write has its own
/// timeout).
fn prepare_control(_: &TcpStream, _: &Config) -> io::Result<()> {
    Ok(())
}

/// The addresses `addr` names.
async fn resolve(addr: impl ToSocketAddrs) -> io::Result<impl Iterator<Item = SocketAddr>> {
    ::tokio::net::lookup_host(addr).await
}

/// Moves `file`'s position to `offset`.
async fn seek(file: &mut File, offset: u64) -> io::Result<u64> {
    use ::tokio::io::AsyncSeekExt;
    file.seek(io::SeekFrom::Start(offset)).await
}

/// The TLS handshake on a data connection, within `timeout` (the
/// session's data deadline), resuming the control connection's session.
async fn handshake_data(
    tls: &TlsContext,
    data: TcpStream,
    timeout: Duration,
) -> Result<AsyncStream> {
    let during = "TLS handshake on the data connection";
    stream::handshake(tls, data, timeout, during).await
}
