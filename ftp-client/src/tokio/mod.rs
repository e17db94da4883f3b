//! The async client on tokio (feature `tokio`): the same session, the same
//! operations, the same [`Error`], awaited.
//!
//! [`Client`] is the loop of the blocking [`crate::Client`] with `.await`:
//! it carries out the [`Session`]'s actions over
//! tokio sockets (and tokio-rustls for FTPS, with the same configuration
//! and session-reuse rules), with [`tokio::time`] timeouts on connecting,
//! every control read and write, and every data read and write.
//! Downloads are [`AsyncRead`](::tokio::io::AsyncRead) streams
//! ([`Download`]), uploads [`AsyncWrite`](::tokio::io::AsyncWrite)
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

mod stream;
mod transfer;
mod walk;

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::time::Duration;

use ::tokio::io::{AsyncReadExt, AsyncWriteExt};
use ::tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use ftp_proto::decode::{Facts, Features, Timestamp};
use ftp_proto::listing::{Entry, Format};
use ftp_proto::{
    Action, Command, DataCommand, Outcome, RenameCheck, Reply, ReplyCode, Session, TransferStart,
    TransferType,
};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::shared::{
    self, CONTROL_READ_SIZE, arg, is_timeout, log_reply, optional_arg, unexpected,
};
use crate::tls::{TlsContext, is_unclean_end, tls_io_error};
use crate::url::FtpUrl;
use stream::AsyncStream;
pub use transfer::{Download, Upload};
pub use walk::{DirWalk, Walk};

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
    connecting: Option<(SocketAddr, Connecting)>,
    /// Active mode: the socket the server is to connect to, and the only
    /// address it may connect from once the session waits for it; kept
    /// across a dropped future as `connecting` is.
    listener: Option<TcpListener>,
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

/// A TCP connection being opened, with its timeout.
struct Connecting(Pin<Box<dyn Future<Output = io::Result<TcpStream>> + Send>>);

impl std::fmt::Debug for Connecting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Connecting")
    }
}

/// Where [`Client::run`] stopped.
enum Step {
    Done(Outcome),
    Transfer(TransferStart),
}

impl Client {
    /// Connects to `addr` and reads the server's greeting; log in next.
    /// Errors as [`crate::Client::connect`].
    pub async fn connect(addr: impl ToSocketAddrs, config: Config) -> Result<Client> {
        let addrs = ::tokio::net::lookup_host(addr).await;
        Client::connect_resolved(addrs, None, config).await
    }

    /// Connects to the URL's host and port and logs in with its user and
    /// password, with TLS as the scheme says: see
    /// [`crate::Client::connect_url`].
    pub async fn connect_url(url: &FtpUrl, config: Config) -> Result<Client> {
        let (name, config) = shared::url_target(url, config);
        let addrs = ::tokio::net::lookup_host((url.host(), url.port())).await;
        let mut client = Client::connect_resolved(addrs, Some(name), config).await?;
        client.login(url.user(), url.password()).await?;
        Ok(client)
    }

    async fn connect_resolved(
        addrs: io::Result<impl Iterator<Item = SocketAddr>>,
        name: Option<String>,
        config: Config,
    ) -> Result<Client> {
        let addrs: Vec<SocketAddr> = addrs
            .map_err(|source| Error::Resolve {
                host: name.clone(),
                source,
            })?
            .collect();
        let tls_config = shared::tls_config(&config)?;
        let mut last_error = None;
        for addr in &addrs {
            match connect_timeout(*addr, config.connect_timeout).await {
                Ok(stream) => {
                    return Client::with_stream_or_tls12(*addr, stream, config, tls_config).await;
                }
                Err(e) => last_error = Some((addr, e)),
            }
        }
        Err(match last_error {
            Some((addr, e)) => {
                Error::io_or_timeout(format!("connecting to {addr}"), e, config.connect_timeout)
            }
            None => shared::no_addresses(name),
        })
    }

    /// [`Client::with_stream`], and once more offering TLS 1.2 at most
    /// where the session asks for it ([`shared::retry_with_tls12`]).
    async fn with_stream_or_tls12(
        addr: SocketAddr,
        stream: TcpStream,
        config: Config,
        tls_config: Option<crate::tls::TlsConfig>,
    ) -> Result<Client> {
        let error = match Client::with_stream(stream, config.clone(), tls_config).await {
            Ok(client) => return Ok(client),
            Err(error) => error,
        };
        let Some(config) = shared::retry_with_tls12(&error, &config) else {
            return Err(error);
        };
        let tls_config = shared::tls_config(&config)?;
        let stream = connect_timeout(addr, config.connect_timeout)
            .await
            .map_err(|e| {
                Error::io_or_timeout(format!("connecting to {addr}"), e, config.connect_timeout)
            })?;
        Client::with_stream(stream, config, tls_config).await
    }

    /// Wraps an open control connection and reads the greeting (with TLS,
    /// secures the connection first: see [`Config::tls`]).
    pub async fn from_stream(control: TcpStream, config: Config) -> Result<Client> {
        let tls_config = shared::tls_config(&config)?;
        Client::with_stream(control, config, tls_config).await
    }

    async fn with_stream(
        control: TcpStream,
        config: Config,
        tls_config: Option<crate::tls::TlsConfig>,
    ) -> Result<Client> {
        let peer = control
            .peer_addr()
            .map_err(|e| Error::io("reading the server address", e))?;
        tracing::debug!("connected to {peer}");
        let tls = shared::tls_context(&config, tls_config, peer)?;
        control
            .set_nodelay(true)
            .map_err(|e| Error::io("configuring the control connection", e))?;
        let mut client = Client {
            session: Session::new(shared::session_config(&config, peer)),
            control: Some(AsyncStream::Plain(control)),
            tls,
            config,
            read_buf: vec![0; CONTROL_READ_SIZE].into_boxed_slice(),
            out: Vec::with_capacity(256),
            out_sent: 0,
            data: None,
            data_connect_error: None,
            pending: Pending::None,
            connecting: None,
            listener: None,
            accepting_from: None,
            transfer_buf: Vec::new(),
            welcome: Reply::new(ReplyCode::SERVICE_READY, Vec::new()),
        };
        match client.run_to_done().await? {
            Outcome::Greeting(reply) => client.welcome = reply,
            other => return Err(unexpected("the greeting", other)),
        }
        Ok(client)
    }

    /// The server's greeting (its 220 reply).
    pub fn welcome(&self) -> &Reply {
        &self.welcome
    }

    /// The settings in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Whether the session is over: every later operation fails, and a new
    /// connection is needed.
    pub fn is_closed(&self) -> bool {
        self.session.is_closed()
    }

    /// Whether the control connection runs over TLS.
    pub fn is_tls(&self) -> bool {
        self.control.as_ref().is_some_and(AsyncStream::is_tls)
    }

    /// The address of the server's end of the control connection.
    pub fn peer_addr(&self) -> SocketAddr {
        self.session.config().peer
    }

    /// Changes [`Config::connect_timeout`] for the data connections that
    /// follow.
    pub fn set_connect_timeout(&mut self, timeout: Duration) {
        self.config.connect_timeout = timeout;
    }

    /// Changes [`Config::control_timeout`].
    pub fn set_control_timeout(&mut self, timeout: Duration) {
        self.config.control_timeout = timeout;
    }

    /// Changes [`Config::data_timeout`] for the transfers that follow.
    pub fn set_data_timeout(&mut self, timeout: Duration) {
        self.config.data_timeout = timeout;
    }

    /// Changes [`Config::final_reply_timeout`] for the transfers that
    /// follow.
    pub fn set_final_reply_timeout(&mut self, timeout: Duration) {
        self.config.final_reply_timeout = timeout;
    }

    /// The representation type of transfers; see [`Config::transfer_type`].
    pub fn transfer_type(&self) -> TransferType {
        self.session.transfer_type()
    }

    /// Sets the representation type of the transfers that follow; see
    /// [`crate::Client::set_transfer_type`].
    pub fn set_transfer_type(&mut self, transfer_type: TransferType) {
        self.session.set_transfer_type(transfer_type);
        self.config.transfer_type = transfer_type;
    }

    /// Logs in: USER, and PASS when the server asks for it.
    pub async fn login(&mut self, user: &str, password: &str) -> Result<()> {
        let user = arg("user name", user)?;
        let password = shared::password(password)?;
        self.resync().await?;
        self.session.login(user, password, None)?;
        self.run_to_done().await.map(drop)
    }

    /// Creates a directory.
    pub async fn mkdir(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        let path = arg("path", path)?;
        self.resync().await?;
        self.session.mkdir(path)?;
        self.run_to_done().await.map(drop)
    }

    /// Removes an empty directory.
    pub async fn rmdir(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        let path = arg("path", path)?;
        self.resync().await?;
        self.session.rmdir(path)?;
        self.run_to_done().await.map(drop)
    }

    /// Deletes a file.
    pub async fn delete(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        let path = arg("path", path)?;
        self.resync().await?;
        self.session.delete(path)?;
        self.run_to_done().await.map(drop)
    }

    /// Renames (moves) a file or directory on the server.
    pub async fn rename(&mut self, from: impl AsRef<[u8]>, to: impl AsRef<[u8]>) -> Result<()> {
        let (from, to) = (arg("path", from)?, arg("path", to)?);
        self.resync().await?;
        self.session.rename(from, to)?;
        self.run_to_done().await.map(drop)
    }

    /// Whether the server would rename the file at `path`, asked without
    /// renaming it; see [`crate::Client::check_rename`].
    pub async fn check_rename(&mut self, path: impl AsRef<[u8]>) -> Result<RenameCheck> {
        let path = arg("path", path)?;
        self.resync().await?;
        self.session.check_rename(path)?;
        shared::rename_check(self.run_to_done().await?)
    }

    /// Changes the working directory.
    pub async fn cwd(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        let path = arg("path", path)?;
        self.resync().await?;
        self.session.cwd(path)?;
        self.run_to_done().await.map(drop)
    }

    /// Changes to the parent of the working directory (CDUP).
    pub async fn cdup(&mut self) -> Result<()> {
        self.resync().await?;
        self.session.cdup()?;
        self.run_to_done().await.map(drop)
    }

    /// The working directory, as bytes.
    pub async fn pwd(&mut self) -> Result<Vec<u8>> {
        self.resync().await?;
        self.session.pwd()?;
        shared::path(self.run_to_done().await?)
    }

    /// A file's size in bytes (SIZE, in binary mode).
    pub async fn size(&mut self, path: impl AsRef<[u8]>) -> Result<u64> {
        let path = arg("path", path)?;
        self.resync().await?;
        self.session.size(path)?;
        shared::size(self.run_to_done().await?)
    }

    /// A file's modification time in UTC (MDTM).
    pub async fn mdtm(&mut self, path: impl AsRef<[u8]>) -> Result<Timestamp> {
        let path = arg("path", path)?;
        self.resync().await?;
        self.session.mdtm(path)?;
        shared::modified(self.run_to_done().await?)
    }

    /// The facts about one file or directory (MLST); `""` for the working
    /// directory. See [`crate::Client::mlst`].
    pub async fn mlst(&mut self, path: impl AsRef<[u8]>) -> Result<Facts> {
        let path = optional_arg(path)?;
        self.resync().await?;
        self.session.mlst(path)?;
        shared::facts(self.run_to_done().await?)
    }

    /// Sends `SITE command` and returns the reply; a 4xx/5xx reply is an
    /// [`Error::Refused`].
    pub async fn site(&mut self, command: impl AsRef<[u8]>) -> Result<Reply> {
        let command = arg("SITE command", command)?;
        self.resync().await?;
        self.session.site(command)?;
        shared::completed("SITE", self.run_to_done().await?)
    }

    /// The server's extensions (FEAT); empty if it has none.
    pub async fn features(&mut self) -> Result<Features> {
        self.resync().await?;
        self.session.feat()?;
        shared::features(self.run_to_done().await?)
    }

    /// NOOP: keeps the session alive and checks it still works.
    pub async fn noop(&mut self) -> Result<()> {
        self.resync().await?;
        self.session.noop()?;
        self.run_to_done().await.map(drop)
    }

    /// Sends a command line as given and returns the server's final reply,
    /// whatever its code; see [`crate::Client::raw`] for the verbs refused.
    pub async fn raw(&mut self, line: &str) -> Result<Reply> {
        self.raw_bytes(line).await
    }

    /// [`Client::raw`] for a line that need not be UTF-8.
    pub async fn raw_bytes(&mut self, line: impl AsRef<[u8]>) -> Result<Reply> {
        let line = line.as_ref();
        let command = Command::Raw(arg("command", line)?);
        self.resync().await?;
        self.session.raw(command)?;
        shared::completed(&String::from_utf8_lossy(line), self.run_to_done().await?)
    }

    /// Ends the session politely (QUIT) and closes the connection.
    pub async fn quit(mut self) -> Result<()> {
        self.resync().await?;
        self.session.quit()?;
        self.run_to_done().await.map(drop)
    }

    /// The `LIST` lines for `path` (`""` for the working directory), names
    /// decoded lossily; [`Client::list_bytes`] keeps the bytes.
    pub async fn list(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
        let lines = self.listing_lines(DataCommand::List(optional_arg(path)?));
        lines.await.map(shared::lossy)
    }

    /// The `LIST` lines for `path` as bytes (line ends removed, empty
    /// lines dropped).
    pub async fn list_bytes(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Vec<u8>>> {
        self.listing_lines(DataCommand::List(optional_arg(path)?))
            .await
    }

    /// Starts a `LIST` of `path`: read the returned stream, then call
    /// [`Download::finish`].
    pub async fn list_stream(&mut self, path: impl AsRef<[u8]>) -> Result<Download<'_>> {
        self.start_download(DataCommand::List(optional_arg(path)?), 0)
            .await
    }

    /// The names `NLST` gives for `path`, decoded lossily, without `.` and
    /// `..`; see [`crate::Client::nlst`].
    pub async fn nlst(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
        self.nlst_bytes(path).await.map(shared::lossy)
    }

    /// The names `NLST` gives for `path`, as bytes, without `.` and `..`.
    pub async fn nlst_bytes(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Vec<u8>>> {
        self.listing_lines(DataCommand::Nlst(optional_arg(path)?))
            .await
            .map(shared::nlst_names)
    }

    /// The `MLSD` lines for `path`, decoded lossily.
    pub async fn mlsd(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
        let lines = self.listing_lines(DataCommand::Mlsd(optional_arg(path)?));
        lines.await.map(shared::lossy)
    }

    /// The `MLSD` lines for `path` as bytes; each parses with
    /// [`facts_line`](crate::facts_line).
    pub async fn mlsd_bytes(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Vec<u8>>> {
        self.listing_lines(DataCommand::Mlsd(optional_arg(path)?))
            .await
    }

    async fn listing_lines(&mut self, command: DataCommand) -> Result<Vec<Vec<u8>>> {
        let mut raw = Vec::new();
        let mut download = self.start_download(command, 0).await?;
        download.copy_to_end(&mut raw).await?;
        download.finish().await?;
        Ok(shared::split_lines(&raw))
    }

    /// The entries of the directory `path`, parsed (MLSD where FEAT lists
    /// MLST, LIST otherwise); see [`crate::Client::entries`].
    pub async fn entries(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Entry>> {
        let path = optional_arg(path)?;
        self.ensure_features().await?;
        loop {
            let Some((request, format)) = self.session.listing_request(path.clone()) else {
                return Err(Error::Internal("no listing format after FEAT".to_owned()));
            };
            match self.listing_lines(request).await {
                Ok(lines) => return Ok(shared::parse_entries(format, &lines)),
                Err(Error::Refused { command, reply })
                    if format == Format::Mlsd && self.session.note_mlsd_refusal(&reply) =>
                {
                    tracing::debug!("{command} refused ({reply}); listing with LIST from now on");
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// What `path` is: its kind, size and modification time; see
    /// [`crate::Client::stat`].
    pub async fn stat(&mut self, path: impl AsRef<[u8]>) -> Result<Entry> {
        let path = path.as_ref();
        self.ensure_features().await?;
        if self.session.supports("MLST") {
            match self.mlst(path).await {
                Ok(facts) => return Ok(shared::stat_entry(&facts)),
                Err(e) if shared::mlst_unknown(&e) => {}
                Err(e) => return Err(e),
            }
        }
        if path.is_empty() {
            return Ok(shared::dir_entry(path));
        }
        if shared::names_directory(path) {
            return self.dir_by_cwd(path).await?;
        }
        match self.size(path).await {
            Ok(size) => {
                let modified = self.mdtm(path).await.ok();
                Ok(shared::file_entry(path, size, modified))
            }
            Err(size_error) if shared::size_refusal_may_be_dir(&size_error) => {
                Ok(self.dir_by_cwd(path).await?.map_err(|_| size_error)?)
            }
            Err(e) => Err(e),
        }
    }

    /// Whether `path` is a directory, by changing into it and back; see
    /// the blocking client's.
    async fn dir_by_cwd(&mut self, path: &[u8]) -> Result<Result<Entry>> {
        let home = self.pwd().await?;
        if let Err(refused) = self.cwd(path).await {
            return Ok(Err(refused));
        }
        self.cwd(&home).await?;
        Ok(Ok(shared::dir_entry(path)))
    }

    /// Sets the modification time of the file at `path` (MFMT); fails with
    /// [`Error::Unsupported`] when FEAT does not list MFMT.
    pub async fn set_modified(&mut self, path: impl AsRef<[u8]>, time: Timestamp) -> Result<()> {
        let path = arg("path", path)?;
        self.ensure_features().await?;
        if !self.session.supports("MFMT") {
            return Err(Error::Unsupported { feature: "MFMT" });
        }
        self.session.mfmt(path, time)?;
        shared::completed("MFMT", self.run_to_done().await?).map(drop)
    }

    /// Whether the server's FEAT lists `feature`; FEAT is asked once per
    /// session.
    pub async fn supports(&mut self, feature: &str) -> Result<bool> {
        self.ensure_features().await?;
        Ok(self.session.supports(feature))
    }

    /// How [`Client::entries`] lists on this session (FEAT asked first).
    pub async fn listing_format(&mut self) -> Result<Format> {
        self.ensure_features().await?;
        self.session
            .listing_format()
            .ok_or_else(|| Error::Internal("no listing format after FEAT".to_owned()))
    }

    async fn ensure_features(&mut self) -> Result<()> {
        self.resync().await?;
        if self.session.features().is_none() {
            self.features().await?;
        }
        Ok(())
    }

    /// Downloads `path` into `out`; returns the bytes written. Succeeds
    /// only when the data reached its end and the server confirmed it.
    pub async fn retrieve(
        &mut self,
        path: impl AsRef<[u8]>,
        out: &mut (impl ::tokio::io::AsyncWrite + Unpin + ?Sized),
    ) -> Result<u64> {
        self.retrieve_from(path, 0, out).await
    }

    /// Downloads `path` into `file` at its current position.
    pub async fn retrieve_file(
        &mut self,
        path: impl AsRef<[u8]>,
        file: &mut ::tokio::fs::File,
    ) -> Result<u64> {
        self.retrieve_from(path, 0, file).await
    }

    /// Downloads `path` from byte `offset` on into `out` (REST, then RETR);
    /// a refused REST fails before RETR is sent. See
    /// [`crate::Client::retrieve_from`].
    pub async fn retrieve_from(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
        out: &mut (impl ::tokio::io::AsyncWrite + Unpin + ?Sized),
    ) -> Result<u64> {
        let mut download = self.retrieve_stream_from(path, offset).await?;
        download.copy_to_end(out).await?;
        download.finish().await
    }

    /// Like [`Client::retrieve_file`], from byte `offset` of the remote
    /// file on.
    pub async fn retrieve_file_from(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
        file: &mut ::tokio::fs::File,
    ) -> Result<u64> {
        self.retrieve_from(path, offset, file).await
    }

    /// Starts downloading `path`: read the returned stream, then call
    /// [`Download::finish`].
    pub async fn retrieve_stream(&mut self, path: impl AsRef<[u8]>) -> Result<Download<'_>> {
        self.retrieve_stream_from(path, 0).await
    }

    /// Like [`Client::retrieve_stream`], from byte `offset` on.
    pub async fn retrieve_stream_from(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
    ) -> Result<Download<'_>> {
        self.start_download(DataCommand::Retr(arg("path", path)?), offset)
            .await
    }

    /// Uploads everything `src` yields to `path`, replacing it; returns
    /// the bytes sent.
    pub async fn store(
        &mut self,
        path: impl AsRef<[u8]>,
        src: &mut (impl ::tokio::io::AsyncRead + Unpin + ?Sized),
    ) -> Result<u64> {
        let mut upload = self.store_stream(path).await?;
        upload.copy_from(src).await?;
        upload.finish().await
    }

    /// Uploads the rest of `file` to `path`, replacing it.
    pub async fn store_file(
        &mut self,
        path: impl AsRef<[u8]>,
        file: &mut ::tokio::fs::File,
    ) -> Result<u64> {
        self.store(path, file).await
    }

    /// Completes a partial upload: sends `file` from byte `offset` on to
    /// `path` with REST + STOR; `file` is sought to `offset` first.
    pub async fn store_file_from(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
        file: &mut ::tokio::fs::File,
    ) -> Result<u64> {
        use ::tokio::io::AsyncSeekExt;
        file.seek(io::SeekFrom::Start(offset))
            .await
            .map_err(|e| Error::io("seeking in the file to upload", e))?;
        let mut upload = self.store_stream_from(path, offset).await?;
        upload.copy_from(file).await?;
        upload.finish().await
    }

    /// Starts uploading to `path`: write to the returned stream, then call
    /// [`Upload::finish`].
    pub async fn store_stream(&mut self, path: impl AsRef<[u8]>) -> Result<Upload<'_>> {
        self.store_stream_from(path, 0).await
    }

    /// Starts an upload that writes to `path` from byte `offset` on (REST,
    /// then STOR); see [`crate::Client::store_stream_from`].
    pub async fn store_stream_from(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
    ) -> Result<Upload<'_>> {
        let command = DataCommand::Stor(arg("path", path)?);
        let (data, _) = self.start_transfer(command, offset).await?;
        Ok(Upload::new(self, data))
    }

    /// Like [`Client::store_stream`], appending to the file (APPE).
    pub async fn append_stream(&mut self, path: impl AsRef<[u8]>) -> Result<Upload<'_>> {
        let command = DataCommand::Appe(arg("path", path)?);
        let (data, _) = self.start_transfer(command, 0).await?;
        Ok(Upload::new(self, data))
    }

    async fn start_download(&mut self, command: DataCommand, offset: u64) -> Result<Download<'_>> {
        let (data, start) = self.start_transfer(command, offset).await?;
        Ok(Download::new(self, data, start))
    }

    async fn start_transfer(
        &mut self,
        command: DataCommand,
        offset: u64,
    ) -> Result<(AsyncStream, TransferStart)> {
        self.resync().await?;
        self.session.transfer_from(command, offset)?;
        let step = self.run(self.config.control_timeout).await;
        let data = self.data.take();
        match (step?, data) {
            (Step::Transfer(start), Some(data)) => Ok((self.secure_data(data).await?, start)),
            (Step::Transfer(_), None) => Err(shared::no_data_connection()),
            (Step::Done(outcome), _) => Err(unexpected("transfer", outcome)),
        }
    }

    /// The data connection of an accepted transfer, secured when the
    /// session protects data (resuming the control connection's session).
    async fn secure_data(&mut self, data: TcpStream) -> Result<AsyncStream> {
        if !self.session.is_data_protected() {
            return Ok(AsyncStream::Plain(data));
        }
        let Some(tls) = self.tls.as_ref() else {
            return Err(Error::Internal(
                "the session protects data without TLS configured".to_owned(),
            ));
        };
        let during = "TLS handshake on the data connection";
        match stream::handshake(tls, data, self.config.data_timeout, during).await {
            Ok(stream) => {
                if let Some(about) = stream.describe() {
                    tracing::debug!("data connection secured: {about}");
                }
                Ok(stream)
            }
            Err(error) => {
                let ended = self.finish_transfer(shared::early_end_timeout(&self.config));
                Err(shared::explained_by_server(ended.await, error))
            }
        }
    }

    /// Tells the session the data is done and waits up to `timeout` for
    /// the final reply.
    async fn finish_transfer(&mut self, timeout: Duration) -> Result<()> {
        self.pending = Pending::None;
        self.session.handle_data_finished()?;
        match self.run(timeout).await? {
            Step::Done(outcome) => shared::transferred(outcome),
            Step::Transfer(_) => Err(shared::transfer_outside_transfer()),
        }
    }

    /// ABOR for the transfer whose data connection was just closed, and
    /// the replies the session waits for.
    async fn abort_transfer(&mut self) -> Result<()> {
        self.pending = Pending::None;
        self.session.abort()?;
        match self.run(self.config.control_timeout).await? {
            Step::Done(outcome) => shared::aborted(outcome),
            Step::Transfer(_) => Err(shared::transfer_outside_transfer()),
        }
    }

    /// Brings the session back in step after a future or stream was
    /// dropped mid-operation: the rest of a command cut short is written,
    /// the session is told what will not come (the data connection, a
    /// transfer's data: ABOR), and the abandoned operation's replies are
    /// read. A no-op when the last operation ran to its end.
    async fn resync(&mut self) -> Result<()> {
        if self.session.is_closed() {
            // The operation itself reports it (UsageError::Closed).
            return Ok(());
        }
        if self.session.is_idle()
            && self.pending == Pending::None
            && self.connecting.is_none()
            && self.accepting_from.is_none()
            && self.out_sent == self.out.len()
        {
            return Ok(());
        }
        tracing::debug!("an operation was cancelled midway: bringing the session back in step");
        if self.control.is_none() {
            return Err(
                self.closed_by_cancel("the TLS handshake on the control connection was cancelled")
            );
        }
        if self.out_sent < self.out.len() {
            self.write_out().await?;
        }
        // A data connection half-opened: the same connection is completed
        // (a server may have accepted it already, and would send the next
        // transfer's data down it), and the transfer goes on to be aborted.
        self.finish_connect().await?;
        self.finish_accept().await?;
        let abandoned = match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::Data => {
                self.data = None;
                self.abort_transfer().await.map(|()| None)
            }
            Pending::None if self.session.is_idle() => Ok(None),
            Pending::None => self.run(self.config.control_timeout).await.map(Some),
        };
        match abandoned {
            // Accepted by the server just before it was abandoned: ABOR.
            Ok(Some(Step::Transfer(_))) => {
                self.data = None;
                self.abort_transfer().await?;
            }
            Ok(Some(Step::Done(outcome))) => {
                tracing::debug!("the cancelled operation ended: {outcome:?}");
            }
            Ok(None) => {}
            Err(e) if self.session.is_closed() => return Err(e),
            Err(e) => tracing::debug!("the cancelled operation failed: {e}"),
        }
        Ok(())
    }

    async fn run_to_done(&mut self) -> Result<Outcome> {
        match self.run(self.config.control_timeout).await? {
            Step::Done(outcome) => Ok(outcome),
            Step::Transfer(_) => Err(shared::transfer_outside_transfer()),
        }
    }

    /// The drive loop: does what the session asks until it reports an
    /// outcome or hands over a data transfer.
    async fn run(&mut self, reply_timeout: Duration) -> Result<Step> {
        loop {
            let Some(action) = self.session.poll() else {
                return Err(shared::session_waits());
            };
            match action {
                Action::Send(command) => self.send(&command).await?,
                Action::SecureControl => self.secure_control().await?,
                Action::ReadControl if self.session.awaits_last_abort_reply() => {
                    let timeout = shared::last_abort_reply_timeout(reply_timeout);
                    match self.read_control_once(timeout).await {
                        Err(e) if is_timeout(&e) => self.session.handle_abort_reply_timeout()?,
                        other => self.after_control_read(other, timeout)?,
                    }
                }
                Action::ReadControl => {
                    let read = self.read_control_once(reply_timeout).await;
                    self.after_control_read(read, reply_timeout)?;
                }
                Action::Reply(reply) => log_reply(&reply),
                Action::ConnectData(addr) => self.connect_data(addr).await?,
                Action::Listen => self.listen()?,
                Action::AcceptData { from } => {
                    self.accepting_from = Some(from);
                    self.finish_accept().await?;
                }
                Action::Transfer(start) => {
                    self.listener = None;
                    self.pending = Pending::Data;
                    return Ok(Step::Transfer(start));
                }
                Action::Done(result) => {
                    self.listener = None;
                    self.accepting_from = None;
                    if result.is_err() {
                        self.data = None;
                    }
                    let connect_error = self.data_connect_error.take();
                    return shared::done(result, connect_error).map(Step::Done);
                }
            }
        }
    }

    /// The TLS handshake on the control connection, as the session asks;
    /// a failure ends the session.
    async fn secure_control(&mut self) -> Result<()> {
        shared::tls_for_control(&self.session, &self.config, &mut self.tls)?;
        let (Some(tls), Some(AsyncStream::Plain(tcp))) = (self.tls.as_ref(), self.control.take())
        else {
            self.session.handle_control_secure_failed()?;
            return Err(self.broken(Error::Internal(
                "the session asked for TLS that was not configured".to_owned(),
            )));
        };
        let during = "TLS handshake on the control connection";
        match stream::handshake(tls, tcp, self.config.control_timeout, during).await {
            Ok(stream) => {
                if let Some(about) = stream.describe() {
                    tracing::debug!("control connection secured: {about}");
                }
                self.control = Some(stream);
                self.session.handle_control_secured()?;
                Ok(())
            }
            Err(error) => {
                self.session.handle_control_secure_failed()?;
                Err(self.broken(error))
            }
        }
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
        let read = ::tokio::time::timeout(timeout, control.read(&mut self.read_buf)).await;
        let n = match read {
            Err(_) => return Err(io::ErrorKind::TimedOut.into()),
            Ok(Ok(n)) => n,
            // A server that closes without close_notify: an end all the
            // same (after 221, many do).
            Ok(Err(e)) if control.is_tls() && is_unclean_end(&e) => 0,
            Ok(Err(e)) => return Err(e),
        };
        if n == 0 {
            self.session.handle_control_eof();
        } else {
            self.session.handle_control(&self.read_buf[..n]);
        }
        Ok(())
    }

    /// A failed control read ends the session.
    fn after_control_read(&mut self, read: io::Result<()>, timeout: Duration) -> Result<()> {
        read.map_err(|e| {
            let error = tls_io_error("waiting for the server's reply", e, timeout);
            self.broken(error)
        })
    }

    /// Opens the data connection the session asks for. Structured for a
    /// second way in: an accepted (active mode) connection would end the
    /// same way, in `data` and `handle_data_connected`.
    async fn connect_data(&mut self, addr: SocketAddr) -> Result<()> {
        tracing::debug!("opening data connection to {addr}");
        let connecting = Connecting(Box::pin(connect_timeout(addr, self.config.connect_timeout)));
        self.connecting = Some((addr, connecting));
        self.finish_connect().await
    }

    /// Completes the data connection being opened, if there is one, and
    /// tells the session how it went. Cancel-safe: the connection in
    /// progress stays in [`Client::connecting`] until it is done.
    async fn finish_connect(&mut self) -> Result<()> {
        let Some((addr, connecting)) = self.connecting.as_mut() else {
            return Ok(());
        };
        let addr = *addr;
        let connected = (&mut connecting.0).await;
        self.connecting = None;
        match connected {
            Ok(stream) => {
                self.data = Some(stream);
                self.session.handle_data_connected()?;
            }
            Err(e) => {
                self.data_connect_error = Some(shared::data_connect_error(addr, e, &self.config));
                self.session.handle_data_connect_failed()?;
            }
        }
        Ok(())
    }

    /// Active mode: listens for the server's data connection, on the
    /// configured address or the control connection's local one.
    fn listen(&mut self) -> Result<()> {
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
        match listening {
            Ok((listener, addr)) => {
                tracing::debug!("listening for the data connection on {addr}");
                self.listener = Some(listener);
                self.session.handle_listening(addr)?;
            }
            Err(e) => {
                self.data_connect_error = Some(shared::listen_error(&self.config, e));
                self.session.handle_data_connect_failed()?;
            }
        }
        Ok(())
    }

    /// Active mode: waits for the server's data connection, from the
    /// address the session named only, within the data timeout, while
    /// reading the control connection (a 425 there ends the wait).
    /// Cancel-safe: the listening socket and the awaited address stay in
    /// the client until the wait is over, and the next operation waits
    /// again.
    async fn finish_accept(&mut self) -> Result<()> {
        let Some(from) = self.accepting_from else {
            return Ok(());
        };
        let timeout = self.config.data_timeout;
        let deadline = ::tokio::time::Instant::now() + timeout;
        let mut rejected: Option<SocketAddr> = None;
        let failure = loop {
            if !self.session.is_awaiting_data_connection() {
                self.accepting_from = None;
                return Ok(());
            }
            let Some(listener) = self.listener.as_ref() else {
                self.accepting_from = None;
                return Err(Error::Internal(
                    "accepting a data connection with no listening socket".to_owned(),
                ));
            };
            let now = ::tokio::time::Instant::now();
            if now >= deadline {
                break shared::accept_timed_out(from, rejected, timeout);
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
        tracing::debug!("{failure}");
        self.listener = None;
        self.accepting_from = None;
        self.data_connect_error = Some(failure);
        self.session.handle_data_connect_failed()?;
        Ok(())
    }

    /// Closes the session that a cancellation left where it cannot be
    /// brought back in step, and says so.
    fn closed_by_cancel(&mut self, what: &str) -> Error {
        self.close_now();
        Error::io(
            "resuming after a cancelled operation",
            io::Error::new(
                io::ErrorKind::Interrupted,
                format!("{what}; the session is closed"),
            ),
        )
    }

    /// The control connection failed: the session cannot continue.
    fn broken(&mut self, error: Error) -> Error {
        self.close_now();
        error
    }

    /// Ends the session at once, without QUIT.
    fn close_now(&mut self) {
        self.session.handle_control_eof();
        while self.session.poll().is_some() {}
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
async fn connect_timeout(addr: SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
    let stream = ::tokio::time::timeout(timeout, TcpStream::connect(addr))
        .await
        .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into()))?;
    stream.set_nodelay(true)?;
    Ok(stream)
}
