//! The blocking driver: carries out what the `ftp-proto` session asks over
//! `std::net` sockets. Its operations are written once, for both drivers,
//! in [`client_api!`](crate::api); this module holds only how it waits:
//! the client's sockets, its reads and writes with timeouts, its data
//! connections, and its streams ([`transfer`]).

mod connect;
mod data;
mod download;
mod transfer;
mod walk;

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

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
use crate::tls::{Stream, TlsContext, is_unclean_end, tls_io_error};
use crate::url::FtpUrl;
use connect::open;
pub use download::Download;
pub use transfer::{ByteCounter, Canceller, Upload};
pub use walk::{DirWalk, Walk};

type File = std::fs::File;

/// A logged-in (or about to log in) FTP session over blocking sockets.
///
/// - **One operation at a time.** FTP runs one command at a time on a
///   connection, and every method takes `&mut self`; a transfer's stream
///   borrows the client until it is finished. For parallel work open one
///   `Client` per thread (a `Client` is `Send`, so it can move to the
///   thread that uses it).
/// - **Transfers are binary** (`TYPE I`): bytes arrive exactly as stored.
///   ASCII mode is there for those who need it:
///   [`Config::transfer_type`], [`Client::set_transfer_type`].
/// - **Paths are bytes**: every path argument is `impl AsRef<[u8]>`, so
///   names that are not UTF-8 work; a path holding CR, LF or NUL is
///   refused before anything is sent.
/// - **After an error**, [`Error::is_session_closed`] or
///   [`Client::is_closed`] says whether the client can go on; a refusal
///   (4xx/5xx) never ends the session.
///
/// Every command and reply is logged with [`tracing`] at debug level,
/// the password masked.
///
/// ```no_run
/// use ftp_client::{Client, Config, FtpUrl};
///
/// let url = FtpUrl::parse("ftp://127.0.0.1:2121/")?;
/// let mut ftp = Client::connect_url(&url, Config::default())?;
/// ftp.mkdir("reports")?;
/// ftp.store("reports/q1.csv", &mut &b"region,total\nnorth,12\n"[..])?;
/// let mut copy = Vec::new();
/// ftp.retrieve("reports/q1.csv", &mut copy)?;
/// for line in ftp.list("reports")? {
///     println!("{line}");
/// }
/// ftp.quit()?;
/// # Ok::<(), ftp_client::Error>(())
/// ```
#[derive(Debug)]
pub struct Client {
    pub(crate) session: Session,
    control: Stream,
    /// The session's TLS configuration and server name, when it uses TLS.
    tls: Option<TlsContext>,
    pub(crate) config: Config,
    read_buf: Box<[u8]>,
    write_buf: Vec<u8>,
    /// The control connection's current read timeout.
    read_timeout: Option<Duration>,
    /// The data connection the session asked for, until a transfer takes it.
    data: Option<TcpStream>,
    /// Active mode: the socket the server's data connection comes to.
    listener: Option<TcpListener>,
    /// Active mode through a SOCKS5 proxy: the `BIND` connection, waiting
    /// for the proxy's word that the server connected.
    bound: Option<(TcpStream, ftp_proto::proxy::Handshake)>,
    /// The server, and its name where the proxy resolves it.
    route: Route,
    /// Why the data connection could not be opened, reported once the
    /// session ends the operation.
    data_connect_error: Option<Error>,
    /// The buffer transfers copy through, kept between transfers.
    pub(crate) transfer_buf: Vec<u8>,
    /// The server's greeting.
    welcome: Reply,
}

client_api! {
    driver: blocking,
    async: [],
    await: [],
    write: [Write],
    read: [Read],
}

impl Client {
    /// The client of `session` on `control`, before the greeting (and
    /// without TLS: [`Client::with_stream`] sets it).
    fn new(session: Session, control: TcpStream, config: Config) -> Client {
        Client {
            route: Route::addr(session.config().peer),
            session,
            control: Stream::Plain(control),
            tls: None,
            config,
            read_buf: vec![0; CONTROL_READ_SIZE].into_boxed_slice(),
            write_buf: Vec::with_capacity(256),
            read_timeout: None,
            data: None,
            listener: None,
            bound: None,
            data_connect_error: None,
            transfer_buf: Vec::new(),
            welcome: Reply::new(ReplyCode::SERVICE_READY, Vec::new()),
        }
    }

    /// A new control timeout: the read timeout is set before each read,
    /// the write timeout here.
    fn control_timeout_changed(&mut self) {
        let timeout = socket_timeout(self.config.control_timeout);
        let _ = self.control.tcp().set_write_timeout(Some(timeout));
    }

    /// Whether the control connection runs over TLS.
    pub fn is_tls(&self) -> bool {
        self.control.is_tls()
    }

    /// Nothing to bring back in step: a blocking operation runs to its end.
    fn resync(&mut self) -> Result<()> {
        Ok(())
    }

    /// The loop hands over a transfer: nothing more to note.
    fn on_transfer(&mut self) {}

    /// The loop ends an operation: nothing more to clear.
    fn on_done(&mut self) {}

    /// A transfer's stream ends: nothing more to clear.
    fn transfer_over(&mut self) {}

    /// The TLS handshake on the control connection (within the control
    /// timeout), on a second handle of its socket.
    fn handshake_control(&mut self) -> Result<Stream> {
        let Some(tls) = self.tls.as_ref() else {
            return Err(Error::Internal(
                "the session asked for TLS that was not configured".to_owned(),
            ));
        };
        let timeout = self.config.control_timeout;
        self.read_timeout = Some(timeout);
        self.control
            .tcp()
            .set_read_timeout(Some(socket_timeout(timeout)))
            .and_then(|()| self.control.tcp().try_clone())
            .map_err(|e| Error::io("configuring the control connection", e))
            .and_then(|tcp| tls.handshake(tcp, "TLS handshake on the control connection"))
    }

    fn send(&mut self, command: &Command) -> Result<()> {
        tracing::debug!("> {command}");
        self.write_buf.clear();
        command.encode(&mut self.write_buf);
        let during = || format!("sending {}", command.verb());
        self.control.write_all(&self.write_buf).map_err(|e| {
            self.broken(Error::io_or_timeout(
                during(),
                e,
                self.config.control_timeout,
            ))
        })
    }

    /// One read of the control connection, its bytes fed to the session.
    fn read_control_once(&mut self, timeout: Duration) -> io::Result<()> {
        if self.read_timeout != Some(timeout) {
            self.control
                .tcp()
                .set_read_timeout(Some(socket_timeout(timeout)))?;
            self.read_timeout = Some(timeout);
        }
        let n = loop {
            match self.control.read(&mut self.read_buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // A server that closes without close_notify: an end all
                // the same (after 221, many do).
                Err(e) if self.control.is_tls() && is_unclean_end(&e) => break 0,
                Err(e) => return Err(e),
            }
        };
        self.control_fed(n);
        Ok(())
    }

    /// Ends the session at once: the control connection closes without
    /// QUIT, and every later operation fails.
    pub(crate) fn close_now(&mut self) {
        self.session.handle_control_eof();
        while self.session.poll(Instant::now()).is_some() {}
        self.drop_connections();
    }

    /// The session ended: the control connection closes.
    fn drop_connections(&mut self) {
        let _ = self.control.tcp().shutdown(std::net::Shutdown::Both);
    }
}

impl Drop for Client {
    /// Sends QUIT without waiting for the answer, if the session is idle;
    /// ends the control connection's TLS with close_notify.
    fn drop(&mut self) {
        let _ = self
            .control
            .tcp()
            .set_write_timeout(Some(Duration::from_secs(1)));
        if self.session.is_idle() {
            let _ = self.control.write_all(b"QUIT\r\n");
        }
        self.control.close_notify();
    }
}

/// Readies the control connection: its writes time out.
fn prepare_control(control: &TcpStream, config: &Config) -> io::Result<()> {
    control.set_write_timeout(Some(socket_timeout(config.control_timeout)))
}

/// The addresses `addr` names.
fn resolve(addr: impl ToSocketAddrs) -> io::Result<impl Iterator<Item = SocketAddr>> {
    addr.to_socket_addrs()
}

/// A TCP connection to `addr` within `timeout`, with Nagle off: the
/// control connection's commands and the TLS handshakes' small writes must
/// not wait for an ACK (Nagle with delayed ACKs: ~40 ms a data
/// connection); bulk data goes in large writes either way.
fn connect_tcp(addr: SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, socket_timeout(timeout))?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Moves `file`'s position to `offset`.
fn seek(file: &mut File, offset: u64) -> io::Result<u64> {
    use std::io::Seek;
    file.seek(io::SeekFrom::Start(offset))
}

/// The TLS handshake on a data connection (its timeouts set), resuming the
/// control connection's session.
fn handshake_data(tls: &TlsContext, data: TcpStream, _: Duration) -> Result<Stream> {
    tls.handshake(data, "TLS handshake on the data connection")
}

/// A timeout a socket accepts: std refuses a zero duration.
fn socket_timeout(timeout: Duration) -> Duration {
    timeout.max(Duration::from_millis(1))
}
