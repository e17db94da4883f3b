//! The blocking driver: a loop that does what the `ftp-proto` session asks.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use ftp_proto::decode::{Features, Timestamp};
use ftp_proto::{
    Action, Arg, Command, DataCommand, Outcome, Reply, Session, SessionConfig, TransferStart,
};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::transfer::{Download, Upload};
use crate::url::FtpUrl;

/// Size of each read from the control connection.
const CONTROL_READ_SIZE: usize = 8 * 1024;

/// A logged-in (or about to log in) FTP session over blocking sockets.
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
    control: TcpStream,
    pub(crate) config: Config,
    read_buf: Box<[u8]>,
    write_buf: Vec<u8>,
    /// The control connection's current read timeout.
    read_timeout: Option<Duration>,
    /// The data connection the session asked for, until a transfer takes it.
    data: Option<TcpStream>,
    /// The buffer transfers copy through, kept between transfers.
    pub(crate) transfer_buf: Vec<u8>,
}

/// Where [`Client::run`] stopped.
pub(crate) enum Step {
    Done(Outcome),
    Transfer(TransferStart),
}

impl Client {
    /// Connects to `addr` and reads the server's greeting; log in next.
    pub fn connect(addr: impl ToSocketAddrs, config: Config) -> Result<Client> {
        let addrs: Vec<SocketAddr> = addr
            .to_socket_addrs()
            .map_err(|e| Error::io("resolving the server address", e))?
            .collect();
        let mut last_error = None;
        for addr in &addrs {
            match TcpStream::connect_timeout(addr, config.connect_timeout) {
                Ok(stream) => return Client::from_stream(stream, config),
                Err(e) => last_error = Some((addr, e)),
            }
        }
        Err(match last_error {
            Some((addr, e)) => {
                Error::io_or_timeout(format!("connecting to {addr}"), e, config.connect_timeout)
            }
            None => Error::io(
                "resolving the server address",
                io::Error::new(io::ErrorKind::NotFound, "no addresses"),
            ),
        })
    }

    /// Connects to the URL's host and port and logs in with its user and
    /// password (anonymous unless given). The URL's path is not used.
    pub fn connect_url(url: &FtpUrl, config: Config) -> Result<Client> {
        let mut client = Client::connect((url.host(), url.port()), config)?;
        client.login(url.user(), url.password())?;
        Ok(client)
    }

    /// Wraps an open control connection and reads the greeting.
    pub fn from_stream(control: TcpStream, config: Config) -> Result<Client> {
        let peer = control
            .peer_addr()
            .map_err(|e| Error::io("reading the server address", e))?;
        tracing::debug!("connected to {peer}");
        control
            .set_nodelay(true)
            .and_then(|()| control.set_write_timeout(Some(config.control_timeout)))
            .map_err(|e| Error::io("configuring the control connection", e))?;
        let mut session_config = SessionConfig::new(peer);
        session_config.trust_pasv_host = config.trust_pasv_host;
        session_config.use_epsv = config.use_epsv;
        session_config.limits = config.limits;
        let mut client = Client {
            session: Session::new(session_config),
            control,
            config,
            read_buf: vec![0; CONTROL_READ_SIZE].into_boxed_slice(),
            write_buf: Vec::with_capacity(256),
            read_timeout: None,
            data: None,
            transfer_buf: Vec::new(),
        };
        client.run_to_done()?;
        Ok(client)
    }

    /// Logs in: USER, and PASS when the server asks for it.
    pub fn login(&mut self, user: &str, password: &str) -> Result<()> {
        let user = arg("user name", user)?;
        let password = arg("password", password)?;
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

    /// Changes the working directory.
    pub fn cwd(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        self.session.cwd(arg("path", path)?)?;
        self.run_to_done().map(drop)
    }

    /// The working directory, as bytes (a server's names need not be UTF-8).
    pub fn pwd(&mut self) -> Result<Vec<u8>> {
        self.session.pwd()?;
        match self.run_to_done()? {
            Outcome::Path(path) => Ok(path),
            other => Err(unexpected("PWD", other)),
        }
    }

    /// A file's size in bytes (SIZE, in binary mode).
    pub fn size(&mut self, path: impl AsRef<[u8]>) -> Result<u64> {
        self.session.size(arg("path", path)?)?;
        match self.run_to_done()? {
            Outcome::Size(size) => Ok(size),
            other => Err(unexpected("SIZE", other)),
        }
    }

    /// A file's modification time in UTC (MDTM).
    pub fn mdtm(&mut self, path: impl AsRef<[u8]>) -> Result<Timestamp> {
        self.session.mdtm(arg("path", path)?)?;
        match self.run_to_done()? {
            Outcome::Modified(time) => Ok(time),
            other => Err(unexpected("MDTM", other)),
        }
    }

    /// The server's extensions (FEAT); empty if it has none.
    pub fn features(&mut self) -> Result<Features> {
        self.session.feat()?;
        match self.run_to_done()? {
            Outcome::Features(features) => Ok(features),
            other => Err(unexpected("FEAT", other)),
        }
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
        self.session.raw(Command::Raw(arg("command", line)?))?;
        match self.run_to_done()? {
            Outcome::Completed(reply) => Ok(reply),
            other => Err(unexpected(line, other)),
        }
    }

    /// Ends the session politely (QUIT) and closes the connection.
    pub fn quit(mut self) -> Result<()> {
        self.session.quit()?;
        self.run_to_done().map(drop)
    }

    /// The `LIST` lines for `path` (`""` for the working directory), as
    /// the server formats them.
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

    /// The names `NLST` gives for `path` (`""` for the working directory).
    /// Some servers include `.` and `..`, or prefix the directory.
    pub fn nlst(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
        self.listing(DataCommand::Nlst(optional_arg(path)?))
    }

    /// The `MLSD` lines (RFC 3659 facts, then the name) for `path` (`""`
    /// for the working directory).
    pub fn mlsd(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
        self.listing(DataCommand::Mlsd(optional_arg(path)?))
    }

    fn listing(&mut self, command: DataCommand) -> Result<Vec<String>> {
        let mut raw = Vec::new();
        let mut download = self.start_download(command)?;
        download.copy_to_end(&mut raw)?;
        download.finish()?;
        Ok(raw
            .split(|&b| b == b'\n')
            .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
            .filter(|line| !line.is_empty())
            .map(|line| String::from_utf8_lossy(line).into_owned())
            .collect())
    }

    /// Downloads `path` into `out`; returns the bytes written. Succeeds only
    /// when the data reached its end and the server confirmed with 2xx.
    pub fn retrieve(&mut self, path: impl AsRef<[u8]>, out: &mut impl Write) -> Result<u64> {
        let mut download = self.retrieve_stream(path)?;
        download.copy_to_end(out)?;
        download.finish()
    }

    /// Downloads `path` into `file` at its current position; returns the
    /// bytes written. On Linux the kernel moves the data from the socket to
    /// the file (splice), so it never passes through this process.
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

    /// Uploads everything `src` yields to `path`, replacing it; returns
    /// the bytes sent. For a file, [`Client::store_file`] is faster.
    pub fn store(&mut self, path: impl AsRef<[u8]>, src: &mut impl Read) -> Result<u64> {
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

    fn start_transfer(&mut self, command: DataCommand) -> Result<(TcpStream, TransferStart)> {
        self.session.transfer(command)?;
        let step = self.run(self.config.control_timeout);
        let data = self.data.take();
        match (step?, data) {
            (Step::Transfer(start), Some(data)) => Ok((data, start)),
            (Step::Transfer(_), None) => Err(Error::Internal(
                "transfer started without a data connection".to_owned(),
            )),
            (Step::Done(outcome), _) => Err(unexpected("transfer", outcome)),
        }
    }

    /// Runs the session until the operation is done.
    pub(crate) fn run_to_done(&mut self) -> Result<Outcome> {
        match self.run(self.config.control_timeout)? {
            Step::Done(outcome) => Ok(outcome),
            Step::Transfer(_) => Err(Error::Internal(
                "a data transfer started outside a transfer".to_owned(),
            )),
        }
    }

    /// The drive loop: does what the session asks until it reports an
    /// outcome or hands over a data transfer.
    pub(crate) fn run(&mut self, reply_timeout: Duration) -> Result<Step> {
        loop {
            let Some(action) = self.session.poll() else {
                return Err(Error::Internal(
                    "the session waits with no operation under way".to_owned(),
                ));
            };
            match action {
                Action::Send(command) => self.send(&command)?,
                Action::ReadControl => self.read_control(reply_timeout)?,
                Action::Reply(reply) => log_reply(&reply),
                Action::ConnectData(addr) => self.connect_data(addr)?,
                Action::Transfer(start) => return Ok(Step::Transfer(start)),
                Action::Done(result) => {
                    if result.is_err() {
                        self.data = None;
                    }
                    return result.map(Step::Done).map_err(Error::from);
                }
            }
        }
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
        if self.read_timeout != Some(timeout) {
            self.control
                .set_read_timeout(Some(timeout))
                .map_err(|e| Error::io("configuring the control connection", e))?;
            self.read_timeout = Some(timeout);
        }
        let n = loop {
            match self.control.read(&mut self.read_buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let error = Error::io_or_timeout("waiting for the server's reply", e, timeout);
                    return Err(self.broken(error));
                }
            }
        };
        if n == 0 {
            self.session.handle_control_eof();
        } else {
            self.session.handle_control(&self.read_buf[..n]);
        }
        Ok(())
    }

    fn connect_data(&mut self, addr: SocketAddr) -> Result<()> {
        tracing::debug!("opening data connection to {addr}");
        let timeout = self.config.data_timeout;
        let connected =
            TcpStream::connect_timeout(&addr, self.config.connect_timeout).and_then(|stream| {
                stream.set_read_timeout(Some(timeout))?;
                stream.set_write_timeout(Some(timeout))?;
                Ok(stream)
            });
        match connected {
            Ok(stream) => {
                self.data = Some(stream);
                self.session.handle_data_connected()?;
                Ok(())
            }
            Err(e) => {
                self.session.handle_data_connect_failed()?;
                Err(Error::io_or_timeout(
                    format!("opening the data connection to {addr}"),
                    e,
                    self.config.connect_timeout,
                ))
            }
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
        let _ = self.control.shutdown(std::net::Shutdown::Both);
    }
}

impl Drop for Client {
    /// Sends QUIT without waiting for the answer, if the session is idle.
    fn drop(&mut self) {
        if self.session.is_idle() {
            let _ = self.control.set_write_timeout(Some(Duration::from_secs(1)));
            let _ = self.control.write_all(b"QUIT\r\n");
        }
    }
}

pub(crate) fn arg(what: &'static str, value: impl AsRef<[u8]>) -> Result<Arg> {
    Arg::new(value.as_ref().to_vec()).map_err(|source| Error::InvalidArgument { what, source })
}

/// `None` for an empty path: the command then goes without an argument.
fn optional_arg(path: impl AsRef<[u8]>) -> Result<Option<Arg>> {
    let path = path.as_ref();
    if path.is_empty() {
        Ok(None)
    } else {
        arg("path", path).map(Some)
    }
}

/// The session ended an operation with an outcome of another kind: a bug
/// in this crate or in `ftp-proto`, reported rather than panicking.
fn unexpected(operation: &str, outcome: Outcome) -> Error {
    Error::Internal(format!("{operation} ended with {outcome:?}"))
}

/// Logs a reply line by line: the first as `123-text`, the last as
/// `123 text`, intermediate lines as parsed (a repeated `123-` prefix
/// dropped). Control characters are escaped so that a hostile server
/// cannot drive the terminal.
fn log_reply(reply: &Reply) {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return;
    }
    let code = reply.code();
    let last = reply.line_count() - 1;
    for (i, line) in reply.lines().enumerate() {
        let text: String = String::from_utf8_lossy(line)
            .chars()
            .flat_map(|c| {
                let escaped: Vec<char> = if c.is_control() {
                    c.escape_default().collect()
                } else {
                    vec![c]
                };
                escaped
            })
            .collect();
        match (i, last) {
            (0, 0) => tracing::debug!("< {code} {text}"),
            (0, _) => tracing::debug!("< {code}-{text}"),
            (i, last) if i == last => tracing::debug!("< {code} {text}"),
            _ => tracing::debug!("< {text}"),
        }
    }
}
