//! The blocking driver: a loop that does what the `ftp-proto` session asks.

mod entries;
mod transfer;
mod walk;

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::Duration;
use std::time::Instant;

use ftp_proto::decode::{Facts, Features, Timestamp};
use ftp_proto::{
    Action, Command, DataCommand, Outcome, RenameCheck, Reply, ReplyCode, Session, TransferStart,
    TransferType,
};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::shared::{
    self, CONTROL_READ_SIZE, arg, is_timeout, log_reply, optional_arg, unexpected,
};
use crate::tls::{Stream, TlsContext, is_unclean_end, tls_io_error};
use crate::url::FtpUrl;
use transfer::end_failed_start;
pub use transfer::{ByteCounter, Canceller, Download, Upload};
pub use walk::{DirWalk, Walk};

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
    /// Why the data connection could not be opened, reported once the
    /// session ends the operation.
    data_connect_error: Option<Error>,
    /// The buffer transfers copy through, kept between transfers.
    pub(crate) transfer_buf: Vec<u8>,
    /// The server's greeting.
    welcome: Reply,
}

/// Where [`Client::run`] stopped.
pub(crate) enum Step {
    Done(Outcome),
    Transfer(TransferStart),
}

impl Client {
    /// Connects to `addr` and reads the server's greeting; log in next.
    ///
    /// Each address `addr` resolves to is tried in turn. A name that does
    /// not resolve fails with [`Error::Resolve`] (no connection was tried);
    /// a refused or unreachable connection with [`Error::Io`], naming the
    /// address; no answer within [`Config::connect_timeout`] with
    /// [`Error::Timeout`].
    ///
    /// ```
    /// use ftp_client::{Client, Config, Error};
    /// // `.invalid` never resolves (RFC 2606).
    /// let err = Client::connect("ftp.example.invalid:21", Config::default()).unwrap_err();
    /// assert!(matches!(err, Error::Resolve { .. }), "{err}");
    /// ```
    pub fn connect(addr: impl ToSocketAddrs, config: Config) -> Result<Client> {
        Client::connect_resolved(addr.to_socket_addrs(), None, config)
    }

    /// Connects to the URL's host and port and logs in with its user and
    /// password (anonymous unless given). The URL's path is not used.
    ///
    /// An `ftps://` URL connects with implicit TLS, an `ftpes://` URL with
    /// explicit TLS (required), and an `ftp://` URL as
    /// [`Config::tls`] says (plain by default). With TLS the server's
    /// certificate must name the URL's host (unless
    /// [`Config::tls_server_name`] says otherwise), and the login happens
    /// only once the control connection is secure.
    ///
    /// ```no_run
    /// use ftp_client::{Client, Config, FtpUrl, Trust};
    /// let url = FtpUrl::parse("ftpes://alice:s3cret@ftp.example.net/")?;
    /// let config = Config {
    ///     tls_trust: Trust::CaFile("company-ca.pem".into()),
    ///     ..Config::default()
    /// };
    /// let mut ftp = Client::connect_url(&url, config)?;
    /// ftp.store("report.csv", &mut &b"a,b\n"[..])?; // over TLS, data too
    /// ftp.quit()?;
    /// # Ok::<(), ftp_client::Error>(())
    /// ```
    pub fn connect_url(url: &FtpUrl, config: Config) -> Result<Client> {
        let addrs = (url.host(), url.port()).to_socket_addrs();
        let (name, config) = shared::url_target(url, config);
        let mut client = Client::connect_resolved(addrs, Some(name), config)?;
        client.login(url.user(), url.password())?;
        Ok(client)
    }

    /// Connects to the first of `addrs` that answers; `name` is what was
    /// looked up, for the error if nothing resolves.
    fn connect_resolved(
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
        let connect_timeout = socket_timeout(config.connect_timeout);
        let mut last_error = None;
        for addr in &addrs {
            match TcpStream::connect_timeout(addr, connect_timeout) {
                Ok(stream) => {
                    return Client::with_stream_or_tls12(*addr, stream, config, tls_config);
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
    fn with_stream_or_tls12(
        addr: SocketAddr,
        stream: TcpStream,
        config: Config,
        tls_config: Option<crate::tls::TlsConfig>,
    ) -> Result<Client> {
        let error = match Client::with_stream(stream, config.clone(), tls_config) {
            Ok(client) => return Ok(client),
            Err(error) => error,
        };
        let Some(config) = shared::retry_with_tls12(&error, &config) else {
            return Err(error);
        };
        let tls_config = shared::tls_config(&config)?;
        let stream = TcpStream::connect_timeout(&addr, socket_timeout(config.connect_timeout))
            .map_err(|e| {
                Error::io_or_timeout(format!("connecting to {addr}"), e, config.connect_timeout)
            })?;
        Client::with_stream(stream, config, tls_config)
    }

    /// Wraps an open control connection and reads the greeting (with
    /// TLS, secures the connection first: see [`Config::tls`]).
    pub fn from_stream(control: TcpStream, config: Config) -> Result<Client> {
        let tls_config = shared::tls_config(&config)?;
        Client::with_stream(control, config, tls_config)
    }

    fn with_stream(
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
            .and_then(|()| control.set_write_timeout(Some(socket_timeout(config.control_timeout))))
            .map_err(|e| Error::io("configuring the control connection", e))?;
        let mut client = Client {
            session: Session::new(shared::session_config(&config, peer)),
            control: Stream::Plain(control),
            tls,
            config,
            read_buf: vec![0; CONTROL_READ_SIZE].into_boxed_slice(),
            write_buf: Vec::with_capacity(256),
            read_timeout: None,
            data: None,
            listener: None,
            data_connect_error: None,
            transfer_buf: Vec::new(),
            welcome: Reply::new(ReplyCode::SERVICE_READY, Vec::new()),
        };
        match client.run_to_done()? {
            Outcome::Greeting(reply) => client.welcome = reply,
            other => return Err(unexpected("the greeting", other)),
        }
        Ok(client)
    }

    /// The server's greeting (its 220 reply): the welcome message, often
    /// the server's name and rules, all lines kept.
    ///
    /// ```no_run
    /// # let ftp: ftp_client::Client = unimplemented!();
    /// println!("{}", ftp.welcome().text());
    /// ```
    pub fn welcome(&self) -> &Reply {
        &self.welcome
    }

    /// The settings in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Whether the session is over (the server closed it, QUIT was sent,
    /// or the control connection failed): every later operation fails, and
    /// a new connection is needed.
    pub fn is_closed(&self) -> bool {
        self.session.is_closed()
    }

    /// Changes [`Config::connect_timeout`] for the data connections that
    /// follow.
    pub fn set_connect_timeout(&mut self, timeout: Duration) {
        self.config.connect_timeout = timeout;
    }

    /// Changes [`Config::control_timeout`]: each later wait for a reply,
    /// and each write of a command.
    pub fn set_control_timeout(&mut self, timeout: Duration) {
        self.config.control_timeout = timeout;
        // The read timeout is set before each read; the write timeout here.
        let _ = self
            .control
            .tcp()
            .set_write_timeout(Some(socket_timeout(timeout)));
    }

    /// Changes [`Config::data_timeout`] for the transfers that follow.
    ///
    /// ```no_run
    /// # let mut ftp: ftp_client::Client = unimplemented!();
    /// use std::time::Duration;
    /// ftp.set_data_timeout(Duration::from_secs(10));
    /// ftp.set_final_reply_timeout(Duration::from_secs(30));
    /// assert_eq!(ftp.config().data_timeout, Duration::from_secs(10));
    /// ```
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

    /// Sets the representation type of the transfers that follow:
    /// [`TransferType::Ascii`] for `TYPE A`, [`TransferType::Binary`] (the
    /// default) for `TYPE I`. `TYPE` is sent before the next transfer only
    /// if it differs from the one in force. The client never rewrites line
    /// ends itself.
    ///
    /// ```no_run
    /// # let mut ftp: ftp_client::Client = unimplemented!();
    /// use ftp_client::TransferType;
    /// ftp.set_transfer_type(TransferType::Ascii);
    /// let mut text = Vec::new();
    /// ftp.retrieve("README.txt", &mut text)?; // CRLF line ends, as the server sends them
    /// ftp.set_transfer_type(TransferType::Binary);
    /// # Ok::<(), ftp_client::Error>(())
    /// ```
    pub fn set_transfer_type(&mut self, transfer_type: TransferType) {
        self.session.set_transfer_type(transfer_type);
        self.config.transfer_type = transfer_type;
    }

    /// Logs in: USER, and PASS when the server asks for it.
    pub fn login(&mut self, user: &str, password: &str) -> Result<()> {
        let user = arg("user name", user)?;
        let password = shared::password(password)?;
        self.session.login(user, password, None)?;
        self.run_to_done().map(drop)
    }

    /// The address of the server's end of the control connection.
    pub fn peer_addr(&self) -> SocketAddr {
        self.session.config().peer
    }

    /// Creates a directory.
    pub fn mkdir(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        self.session.mkdir(arg("path", path)?)?;
        self.run_to_done().map(drop)
    }

    /// Removes an empty directory.
    pub fn rmdir(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        self.session.rmdir(arg("path", path)?)?;
        self.run_to_done().map(drop)
    }

    /// Deletes a file.
    pub fn delete(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        self.session.delete(arg("path", path)?)?;
        self.run_to_done().map(drop)
    }

    /// Renames (moves) a file or directory on the server.
    pub fn rename(&mut self, from: impl AsRef<[u8]>, to: impl AsRef<[u8]>) -> Result<()> {
        self.session.rename(arg("path", from)?, arg("path", to)?)?;
        self.run_to_done().map(drop)
    }

    /// Whether the server would rename the file at `path`, asked without
    /// renaming it: `RNFR`, and after its 350 an `RNTO` onto the same name,
    /// which renames nothing and ends the pending rename (see [`Session::check_rename`](ftp_proto::Session::check_rename)
    /// for what each reply means). A 5xx answer is `Ok` with
    /// [`RenameCheck::Refused`](crate::RenameCheck::Refused); a 4xx is an
    /// error that may pass later.
    ///
    /// ```no_run
    /// # let mut ftp: ftp_client::Client = unimplemented!();
    /// use ftp_client::RenameCheck;
    /// if let RenameCheck::Refused(reply) = ftp.check_rename("incoming/report.pdf")? {
    ///     eprintln!("it cannot be replaced by a rename: {reply}");
    /// }
    /// # Ok::<(), ftp_client::Error>(())
    /// ```
    pub fn check_rename(&mut self, path: impl AsRef<[u8]>) -> Result<RenameCheck> {
        self.session.check_rename(arg("path", path)?)?;
        shared::rename_check(self.run_to_done()?)
    }

    /// Changes the working directory.
    pub fn cwd(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        self.session.cwd(arg("path", path)?)?;
        self.run_to_done().map(drop)
    }

    /// Changes to the parent of the working directory (CDUP).
    pub fn cdup(&mut self) -> Result<()> {
        self.session.cdup()?;
        self.run_to_done().map(drop)
    }

    /// The working directory, as bytes (a server's names need not be UTF-8).
    pub fn pwd(&mut self) -> Result<Vec<u8>> {
        self.session.pwd()?;
        shared::path(self.run_to_done()?)
    }

    /// A file's size in bytes (SIZE, in binary mode).
    pub fn size(&mut self, path: impl AsRef<[u8]>) -> Result<u64> {
        self.session.size(arg("path", path)?)?;
        shared::size(self.run_to_done()?)
    }

    /// A file's modification time in UTC (MDTM).
    ///
    /// [`Timestamp::to_system_time`] turns it into a
    /// [`SystemTime`](std::time::SystemTime), e.g. to set a local file's
    /// time:
    ///
    /// ```no_run
    /// # let mut ftp: ftp_client::Client = unimplemented!();
    /// let modified = ftp.mdtm("report.pdf")?;
    /// let when = modified.to_system_time();
    /// println!("{modified:?} = {} s since 1970", modified.unix_timestamp());
    /// # Ok::<(), ftp_client::Error>(())
    /// ```
    pub fn mdtm(&mut self, path: impl AsRef<[u8]>) -> Result<Timestamp> {
        self.session.mdtm(arg("path", path)?)?;
        shared::modified(self.run_to_done()?)
    }

    /// The facts about one file or directory (MLST, RFC 3659): its type,
    /// size, modification time, permissions… `""` for the working
    /// directory. Servers that do not list `MLST` in [`Client::features`]
    /// refuse it (500 or 502).
    ///
    /// ```no_run
    /// # let mut ftp: ftp_client::Client = unimplemented!();
    /// use ftp_client::EntryType;
    /// let facts = ftp.mlst("report.pdf")?;
    /// if facts.entry_type == Some(EntryType::File) {
    ///     println!("{:?} bytes, modified {:?}", facts.size, facts.modify);
    /// }
    /// println!("owner: {:?}", facts.get("unix.owner"));
    /// # Ok::<(), ftp_client::Error>(())
    /// ```
    pub fn mlst(&mut self, path: impl AsRef<[u8]>) -> Result<Facts> {
        self.session.mlst(optional_arg(path)?)?;
        shared::facts(self.run_to_done()?)
    }

    /// Sends `SITE command`, a server-specific command (e.g. `CHMOD 644
    /// f`), and returns the reply; a 4xx/5xx reply is an
    /// [`Error::Refused`].
    ///
    /// ```no_run
    /// # let mut ftp: ftp_client::Client = unimplemented!();
    /// ftp.site("CHMOD 600 secrets.txt")?;
    /// # Ok::<(), ftp_client::Error>(())
    /// ```
    pub fn site(&mut self, command: impl AsRef<[u8]>) -> Result<Reply> {
        self.session.site(arg("SITE command", command)?)?;
        shared::completed("SITE", self.run_to_done()?)
    }

    /// The server's extensions (FEAT); empty if it has none.
    pub fn features(&mut self) -> Result<Features> {
        self.session.feat()?;
        shared::features(self.run_to_done()?)
    }

    /// NOOP: keeps the session alive and checks it still works.
    pub fn noop(&mut self) -> Result<()> {
        self.session.noop()?;
        self.run_to_done().map(drop)
    }

    /// Sends a command line as given (e.g. `SYST`, `STAT`) and returns the
    /// server's final reply, whatever its code: a 5xx is `Ok` here.
    ///
    /// Lines whose verb (first word, any case) the session must manage are
    /// refused with [`UsageError::ReservedVerb`](crate::UsageError) and
    /// nothing is sent: data transfers (`PASV`, `EPSV`, `PORT`, `EPRT`,
    /// `LIST`, `NLST`, `MLSD`, `RETR`, `STOR`, `STOU`, `APPE`, `REST`), and
    /// `MODE`, `STRU`, `REIN`, `AUTH`, `PBSZ`, `PROT`, `CCC`; the full list
    /// is [`RESERVED_VERBS`](crate::RESERVED_VERBS). Use the typed methods
    /// for those.
    ///
    /// ```no_run
    /// use ftp_client::{Error, UsageError};
    /// # let mut ftp: ftp_client::Client = unimplemented!();
    /// let reply = ftp.raw("SYST")?;
    /// println!("{} {}", reply.code(), reply.text());
    /// assert!(matches!(
    ///     ftp.raw("pasv"),
    ///     Err(Error::Usage(UsageError::ReservedVerb("PASV")))
    /// ));
    /// # Ok::<(), ftp_client::Error>(())
    /// ```
    pub fn raw(&mut self, line: &str) -> Result<Reply> {
        self.raw_bytes(line)
    }

    /// [`Client::raw`] for a line that need not be UTF-8, such as a command
    /// naming a file whose name is not.
    pub fn raw_bytes(&mut self, line: impl AsRef<[u8]>) -> Result<Reply> {
        let line = line.as_ref();
        self.session.raw(Command::Raw(arg("command", line)?))?;
        shared::completed(&String::from_utf8_lossy(line), self.run_to_done()?)
    }

    /// Ends the session politely (QUIT) and closes the connection.
    pub fn quit(mut self) -> Result<()> {
        self.session.quit()?;
        self.run_to_done().map(drop)
    }

    /// The `LIST` lines for `path` (`""` for the working directory), as
    /// the server formats them.
    ///
    /// Names that are not UTF-8 are decoded lossily (bytes that are not
    /// UTF-8 become `�`), so a name read here may not be usable as a path;
    /// [`Client::list_bytes`] keeps the bytes.
    pub fn list(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
        self.listing(DataCommand::List(optional_arg(path)?))
    }

    /// Starts a `LIST` of `path` (`""` for the working directory): read the
    /// returned stream, the server's lines byte for byte, then call
    /// [`Download::finish`]. Memory stays constant however long the listing,
    /// and names that are not UTF-8 arrive as sent.
    pub fn list_stream(&mut self, path: impl AsRef<[u8]>) -> Result<Download<'_>> {
        self.start_download(DataCommand::List(optional_arg(path)?))
    }

    /// The `LIST` lines for `path` as bytes, exactly as the server sent
    /// them (line ends removed, empty lines dropped).
    pub fn list_bytes(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Vec<u8>>> {
        self.listing_lines(DataCommand::List(optional_arg(path)?))
    }

    /// The names `NLST` gives for `path` (`""` for the working directory):
    /// one per entry, so 24 files give 24 names. `.` and `..`, which some
    /// servers include (Pure-FTPd), name no entry and are dropped, as is
    /// any name ending in `/.` or `/..`; a leading `./` is dropped too
    /// ([`listing::nlst_name`](ftp_proto::listing::nlst_name)). A named
    /// directory is listed from inside it, so the names come without its
    /// path.
    ///
    /// Names that are not UTF-8 are decoded lossily; to pass a name back
    /// to the server (to download it, say), use [`Client::nlst_bytes`].
    pub fn nlst(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
        self.nlst_bytes(path).map(shared::lossy)
    }

    /// The names `NLST` gives for `path`, as bytes: each one can be passed
    /// back as a path, whatever its encoding. Without `.` and `..`, as
    /// [`Client::nlst`].
    ///
    /// ```no_run
    /// # let mut ftp: ftp_client::Client = unimplemented!();
    /// for name in ftp.nlst_bytes("")? {
    ///     println!("{} bytes", ftp.size(&name)?);
    /// }
    /// # Ok::<(), ftp_client::Error>(())
    /// ```
    pub fn nlst_bytes(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Vec<u8>>> {
        self.listing_lines(DataCommand::Nlst(optional_arg(path)?))
            .map(shared::nlst_names)
    }

    /// The `MLSD` lines (RFC 3659 facts, then the name) for `path` (`""`
    /// for the working directory), names decoded lossily; see
    /// [`Client::mlsd_bytes`].
    pub fn mlsd(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
        self.listing(DataCommand::Mlsd(optional_arg(path)?))
    }

    /// The `MLSD` lines for `path` as bytes; each parses with
    /// [`facts_line`](crate::facts_line).
    pub fn mlsd_bytes(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Vec<u8>>> {
        self.listing_lines(DataCommand::Mlsd(optional_arg(path)?))
    }

    fn listing(&mut self, command: DataCommand) -> Result<Vec<String>> {
        self.listing_lines(command).map(shared::lossy)
    }

    /// A listing's lines, byte for byte, without line ends or empty lines.
    pub(crate) fn listing_lines(&mut self, command: DataCommand) -> Result<Vec<Vec<u8>>> {
        let mut raw = Vec::new();
        let mut download = self.start_download(command)?;
        download.copy_to_end(&mut raw)?;
        download.finish()?;
        Ok(shared::split_lines(&raw))
    }

    /// Downloads `path` into `out`; returns the bytes written. Succeeds only
    /// when the data reached its end and the server confirmed with 2xx.
    /// `out` may be a `&mut dyn Write`.
    ///
    /// On failure `out` holds what arrived before it: to keep a complete
    /// file or none, download to a temporary file and rename it into place
    /// on success (as the CLI does).
    pub fn retrieve(
        &mut self,
        path: impl AsRef<[u8]>,
        out: &mut (impl Write + ?Sized),
    ) -> Result<u64> {
        let mut download = self.retrieve_stream(path)?;
        download.copy_to_end(out)?;
        download.finish()
    }

    /// Downloads `path` into `file` at its current position; returns the
    /// bytes written. On Linux the kernel moves the data from the socket to
    /// the file (splice), so it never passes through this process.
    ///
    /// The data is written **in place**, into the caller's file: a failed
    /// download leaves the bytes that arrived, and nothing is truncated or
    /// renamed. (The CLI instead downloads to a temporary file beside the
    /// destination and renames it into place only once the server
    /// confirmed the transfer; do the same when a half-written file must
    /// never be seen.)
    pub fn retrieve_file(
        &mut self,
        path: impl AsRef<[u8]>,
        file: &mut std::fs::File,
    ) -> Result<u64> {
        let mut download = self.retrieve_stream(path)?;
        download.copy_to_file(file)?;
        download.finish()
    }

    /// Starts downloading `path`; read the returned stream, then call
    /// [`Download::finish`] to check the server's final reply.
    pub fn retrieve_stream(&mut self, path: impl AsRef<[u8]>) -> Result<Download<'_>> {
        self.start_download(DataCommand::Retr(arg("path", path)?))
    }

    /// Downloads `path` from byte `offset` on into `out` (`REST offset`,
    /// then `RETR`), to complete a partial download; returns the bytes
    /// written, which do not count the `offset` skipped.
    ///
    /// A server that refuses REST fails with [`Error::Refused`] naming
    /// `REST`, before RETR is sent: nothing is ever downloaded from byte 0
    /// in its place. An offset of 0 is a plain [`Client::retrieve`].
    ///
    /// ```no_run
    /// # let mut ftp: ftp_client::Client = unimplemented!();
    /// use std::fs::OpenOptions;
    /// let mut part = OpenOptions::new().append(true).open("big.iso.part")?;
    /// let have = part.metadata()?.len();
    /// ftp.retrieve_from("big.iso", have, &mut part)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn retrieve_from(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
        out: &mut (impl Write + ?Sized),
    ) -> Result<u64> {
        let mut download = self.retrieve_stream_from(path, offset)?;
        download.copy_to_end(out)?;
        download.finish()
    }

    /// Like [`Client::retrieve_file`], from byte `offset` of the remote
    /// file on (see [`Client::retrieve_from`]); the data is written at
    /// `file`'s current position, which the caller sets (usually its end).
    pub fn retrieve_file_from(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
        file: &mut std::fs::File,
    ) -> Result<u64> {
        let mut download = self.retrieve_stream_from(path, offset)?;
        download.copy_to_file(file)?;
        download.finish()
    }

    /// Like [`Client::retrieve_stream`], from byte `offset` on (see
    /// [`Client::retrieve_from`]).
    pub fn retrieve_stream_from(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
    ) -> Result<Download<'_>> {
        let (data, start) =
            self.start_transfer_from(DataCommand::Retr(arg("path", path)?), offset)?;
        Ok(Download::new(self, data, start))
    }

    /// Starts an upload that writes to `path` from byte `offset` on
    /// (`REST offset`, then `STOR`): the server keeps the first `offset`
    /// bytes of the file and the data sent replaces the rest. To complete
    /// a partial upload, send the local file from `offset` on. Servers
    /// that list `REST STREAM` in [`Client::features`] support it; for
    /// others [`Client::append_stream`] (APPE) does the same when `offset`
    /// is the remote file's size. A refused REST fails with
    /// [`Error::Refused`] before STOR is sent, so the remote file is never
    /// replaced by the tail alone. An offset of 0 is a plain
    /// [`Client::store_stream`].
    pub fn store_stream_from(&mut self, path: impl AsRef<[u8]>, offset: u64) -> Result<Upload<'_>> {
        let (data, _) = self.start_transfer_from(DataCommand::Stor(arg("path", path)?), offset)?;
        Ok(Upload::new(self, data))
    }

    /// Completes a partial upload: sends `file` from byte `offset` on to
    /// `path` with REST + STOR (see [`Client::store_stream_from`]);
    /// returns the bytes sent, without the `offset` skipped. `file` is
    /// sought to `offset` first.
    pub fn store_file_from(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
        file: &mut std::fs::File,
    ) -> Result<u64> {
        use std::io::{Seek, SeekFrom};
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| Error::io("seeking in the file to upload", e))?;
        let mut upload = self.store_stream_from(path, offset)?;
        upload.copy_from_file(file)?;
        upload.finish()
    }

    /// Uploads everything `src` yields to `path`, replacing it; returns
    /// the bytes sent. `src` may be a `&mut dyn Read`. For a file,
    /// [`Client::store_file`] is faster.
    pub fn store(&mut self, path: impl AsRef<[u8]>, src: &mut (impl Read + ?Sized)) -> Result<u64> {
        let mut upload = self.store_stream(path)?;
        upload.copy_from(src)?;
        upload.finish()
    }

    /// Uploads the rest of `file` to `path`, replacing it; returns the
    /// bytes sent. On Linux the kernel copies the file to the socket
    /// (sendfile), so the data never passes through this process.
    pub fn store_file(&mut self, path: impl AsRef<[u8]>, file: &mut std::fs::File) -> Result<u64> {
        let mut upload = self.store_stream(path)?;
        upload.copy_from_file(file)?;
        upload.finish()
    }

    /// Starts uploading to `path`; write to the returned stream, then call
    /// [`Upload::finish`] to check the server's final reply.
    pub fn store_stream(&mut self, path: impl AsRef<[u8]>) -> Result<Upload<'_>> {
        self.start_upload(DataCommand::Stor(arg("path", path)?))
    }

    /// Like [`Client::store_stream`], appending to the file (APPE).
    pub fn append_stream(&mut self, path: impl AsRef<[u8]>) -> Result<Upload<'_>> {
        self.start_upload(DataCommand::Appe(arg("path", path)?))
    }

    fn start_download(&mut self, command: DataCommand) -> Result<Download<'_>> {
        let (data, start) = self.start_transfer(command)?;
        Ok(Download::new(self, data, start))
    }

    fn start_upload(&mut self, command: DataCommand) -> Result<Upload<'_>> {
        let (data, _) = self.start_transfer(command)?;
        Ok(Upload::new(self, data))
    }

    fn start_transfer(&mut self, command: DataCommand) -> Result<(Stream, TransferStart)> {
        self.start_transfer_from(command, 0)
    }

    fn start_transfer_from(
        &mut self,
        command: DataCommand,
        offset: u64,
    ) -> Result<(Stream, TransferStart)> {
        self.session.transfer_from(command, offset)?;
        let step = self.run(self.config.control_timeout);
        let data = self.data.take();
        match (step?, data) {
            (Step::Transfer(start), Some(data)) => Ok((self.secure_data(data)?, start)),
            (Step::Transfer(_), None) => Err(shared::no_data_connection()),
            (Step::Done(outcome), _) => Err(unexpected("transfer", outcome)),
        }
    }

    /// Runs the session until the operation is done.
    pub(crate) fn run_to_done(&mut self) -> Result<Outcome> {
        match self.run(self.config.control_timeout)? {
            Step::Done(outcome) => Ok(outcome),
            Step::Transfer(_) => Err(shared::transfer_outside_transfer()),
        }
    }

    /// The drive loop: does what the session asks until it reports an
    /// outcome or hands over a data transfer.
    pub(crate) fn run(&mut self, reply_timeout: Duration) -> Result<Step> {
        loop {
            let Some(action) = self.session.poll() else {
                return Err(shared::session_waits());
            };
            match action {
                Action::Send(command) => self.send(&command)?,
                Action::SecureControl => self.secure_control()?,
                Action::ReadControl if self.session.awaits_last_abort_reply() => {
                    let timeout = shared::last_abort_reply_timeout(reply_timeout);
                    match self.read_control_once(timeout) {
                        Err(e) if is_timeout(&e) => self.session.handle_abort_reply_timeout()?,
                        other => self.after_control_read(other, timeout)?,
                    }
                }
                Action::ReadControl => self.read_control(reply_timeout)?,
                Action::Reply(reply) => log_reply(&reply),
                Action::ConnectData(addr) => self.connect_data(addr)?,
                Action::Listen => self.listen()?,
                Action::AcceptData { from } => self.accept_data(from)?,
                Action::Transfer(start) => {
                    self.listener = None;
                    return Ok(Step::Transfer(start));
                }
                Action::Done(result) => {
                    self.listener = None;
                    if result.is_err() {
                        self.data = None;
                    }
                    let connect_error = self.data_connect_error.take();
                    return shared::done(result, connect_error).map(Step::Done);
                }
            }
        }
    }

    /// Runs the TLS handshake on the control connection, as the session
    /// asks; a failure ends the session.
    fn secure_control(&mut self) -> Result<()> {
        shared::tls_for_control(&self.session, &self.config, &mut self.tls)?;
        let Some(tls) = self.tls.as_ref() else {
            self.session.handle_control_secure_failed()?;
            return Err(self.broken(Error::Internal(
                "the session asked for TLS that was not configured".to_owned(),
            )));
        };
        let timeout = self.config.control_timeout;
        let secured = self
            .control
            .tcp()
            .set_read_timeout(Some(socket_timeout(timeout)))
            .and_then(|()| self.control.tcp().try_clone())
            .map_err(|e| Error::io("configuring the control connection", e))
            .and_then(|tcp| tls.handshake(tcp, "TLS handshake on the control connection"));
        self.read_timeout = Some(timeout);
        match secured {
            Ok(stream) => {
                if let Some(about) = stream.describe() {
                    tracing::debug!("control connection secured: {about}");
                }
                self.control = stream;
                self.session.handle_control_secured()?;
                Ok(())
            }
            Err(error) => {
                self.session.handle_control_secure_failed()?;
                Err(self.broken(error))
            }
        }
    }

    /// The data connection of a transfer the server has accepted: in
    /// clear, or TLS when the session set `PROT P`, resuming the control
    /// connection's session. A failed handshake ends the transfer, with
    /// the server's reply if it explains it (vsftpd's 522 when the session
    /// was not resumed).
    fn secure_data(&mut self, data: TcpStream) -> Result<Stream> {
        if !self.session.is_data_protected() {
            return Ok(Stream::Plain(data));
        }
        let Some(tls) = self.tls.as_ref() else {
            return Err(Error::Internal(
                "the session protects data without TLS configured".to_owned(),
            ));
        };
        match tls.handshake(data, "TLS handshake on the data connection") {
            Ok(stream) => {
                if let Some(about) = stream.describe() {
                    tracing::debug!("data connection secured: {about}");
                }
                Ok(stream)
            }
            Err(error) => Err(end_failed_start(self, error)),
        }
    }

    /// Whether the control connection runs over TLS.
    pub fn is_tls(&self) -> bool {
        self.control.is_tls()
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

    fn read_control(&mut self, timeout: Duration) -> Result<()> {
        let read = self.read_control_once(timeout);
        self.after_control_read(read, timeout)
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

    fn connect_data(&mut self, addr: SocketAddr) -> Result<()> {
        tracing::debug!("opening data connection to {addr}");
        let timeout = socket_timeout(self.config.data_timeout);
        let connect_timeout = socket_timeout(self.config.connect_timeout);
        let connected = TcpStream::connect_timeout(&addr, connect_timeout).and_then(|stream| {
            stream.set_read_timeout(Some(timeout))?;
            stream.set_write_timeout(Some(timeout))?;
            // The TLS handshake's small writes must not wait for an ACK
            // (Nagle with delayed ACKs: ~40 ms a data connection); bulk
            // data goes in large writes either way.
            stream.set_nodelay(true)?;
            Ok(stream)
        });
        match connected {
            Ok(stream) => {
                self.data = Some(stream);
                self.session.handle_data_connected()?;
                Ok(())
            }
            Err(e) => {
                self.data_connect_error = Some(shared::data_connect_error(addr, e, &self.config));
                self.session.handle_data_connect_failed()?;
                Ok(())
            }
        }
    }

    /// Active mode: listens for the server's data connection, on the
    /// configured address or the control connection's local one.
    fn listen(&mut self) -> Result<()> {
        let ip = shared::listen_ip(&self.config, || self.control.tcp().local_addr());
        let listening = ip.and_then(|ip| {
            let listener = TcpListener::bind((ip, 0))?;
            let addr = listener.local_addr()?;
            listener.set_nonblocking(true)?;
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

    /// Active mode: waits for the server's data connection, from `from`
    /// only, within the data timeout, while reading the control
    /// connection (a 425 there ends the wait).
    fn accept_data(&mut self, from: IpAddr) -> Result<()> {
        let timeout = self.config.data_timeout;
        let deadline = Instant::now() + timeout;
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
                    let ready = stream.set_nonblocking(false).and_then(|()| {
                        let timeout = socket_timeout(timeout);
                        stream.set_read_timeout(Some(timeout))?;
                        stream.set_write_timeout(Some(timeout))?;
                        stream.set_nodelay(true)
                    });
                    match ready {
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
                    if now < deadline {
                        let wait = (deadline - now).min(shared::ACCEPT_POLL);
                        match self.read_control_once(wait) {
                            Err(e) if is_timeout(&e) => {}
                            other => self.after_control_read(other, wait)?,
                        }
                        continue;
                    }
                    shared::accept_timed_out(from, rejected, timeout)
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => Error::io("accepting the data connection (active mode)", e),
            };
            tracing::debug!("{failure}");
            self.listener = None;
            self.data_connect_error = Some(failure);
            self.session.handle_data_connect_failed()?;
            return Ok(());
        }
    }

    /// The control connection failed: the session cannot continue.
    fn broken(&mut self, error: Error) -> Error {
        self.close_now();
        error
    }

    /// Ends the session at once: the control connection closes without
    /// QUIT, and every later operation fails.
    pub(crate) fn close_now(&mut self) {
        self.session.handle_control_eof();
        while self.session.poll().is_some() {}
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

/// A timeout a socket accepts: std refuses a zero duration.
fn socket_timeout(timeout: Duration) -> Duration {
    timeout.max(Duration::from_millis(1))
}
