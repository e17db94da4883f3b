//! The clients' operations, written once for both drivers.
//!
//! [`client_api!`] emits, inside a driver's module, every public operation
//! of its `Client` and the parts of its loop that do not depend on how it
//! waits: the blocking driver invokes it with `fn` and no `.await`, the
//! tokio driver with `async fn` and `.await`. Each operation is one
//! definition with one rustdoc; where an example must differ (a blocking
//! example is wrong on an async method), [`doc_example!`] gives the
//! blocking one to the blocking method and a link to it, to be read with
//! `.await`, to the async one.
//!
//! What a driver writes itself is only how it waits: its struct and
//! constructor (`new`), `send`, `read_control_once`, the data connection
//! (`connect_data`, `listen`, `accept_data`), the TLS handshakes
//! (`handshake_control`, `handshake_data`), `close_now`, its streams, and
//! these hooks, where the async driver keeps its cancellation state:
//! `resync` (before an operation: bring the session back in step after a
//! dropped future; nothing in the blocking driver), `on_transfer` and
//! `on_done` (the loop stops), `transfer_over` (a transfer's stream ends).
//!
//! Every operation, composite ones included (`stat`, `entries` with its
//! LIST fallback, `mkdir_all`, `set_modified` with FEAT asked on demand),
//! is an operation value: a start on the session, which takes every
//! protocol decision, and a conversion of its outcome, run by one `exec`
//! (or, for a listing, by the transfer loop). Why a macro all the same: the
//! transfers' convenience methods and the walks move data through the
//! driver's streams between the session's steps, which only code that can
//! be awaited or not can hold once.

use ftp_proto::Outcome;

use crate::error::Result;

/// Selects a driver's text: `doc_for!(blocking, "…", "…")` is the first,
/// `doc_for!(tokio, "…", "…")` the second.
macro_rules! doc_for {
    (blocking, $blocking:literal, $tokio:literal) => {
        $blocking
    };
    (tokio, $blocking:literal, $tokio:literal) => {
        $tokio
    };
}

/// An operation's example: the blocking one for the blocking method, and
/// for the async one a link to it (the same calls, awaited).
macro_rules! doc_example {
    (blocking, $name:ident, $example:literal) => {
        $example
    };
    (tokio, $name:ident, $example:literal) => {
        concat!(
            "For an example see the blocking [`crate::Client::",
            stringify!($name),
            "`]: the same calls, each awaited."
        )
    };
}

/// The end of an operation whose outcome carries nothing more.
pub(crate) fn ignore(_: Outcome) -> Result<()> {
    Ok(())
}

/// Emits a driver's `Client` operations; see the [module](self). Invoked
/// once in `blocking` and once in `tokio`, where `Client`, `Download`,
/// `Upload`, `Stream`, `TcpStream`, `TcpListener`, `File`, `ToSocketAddrs`
/// and the driver's functions `resolve`, `open` and `seek` name
/// that driver's own.
macro_rules! client_api {
    (
        driver: $driver:ident,
        async: [$($async:ident)?],
        await: [$($await:tt)*],
        write: [$($write:tt)+],
        read: [$($read:tt)+],
    ) => {
        client_api!(@connect $driver [$($async)?] [$($await)*]);
        client_api!(@settings $driver);
        client_api!(@simple $driver [$($async)?] [$($await)*]);
        client_api!(@listings $driver [$($async)?] [$($await)*]);
        client_api!(@entries $driver [$($async)?] [$($await)*]);
        client_api!(@transfers $driver [$($async)?] [$($await)*] [$($write)+] [$($read)+]);
        client_api!(@loop $driver [$($async)?] [$($await)*]);
    };

    (@connect $driver:ident [$($async:ident)?] [$($await:tt)*]) => {
        impl Client {
            /// Connects to `addr` and reads the server's greeting; log in next.
            ///
            /// Each address `addr` resolves to is tried in turn. A name that does
            /// not resolve fails with [`Error::Resolve`] (no connection was tried);
            /// a refused or unreachable connection with [`Error::Io`], naming the
            /// address; no answer within [`Config::connect_timeout`] with
            /// [`Error::Timeout`].
            ///
            #[doc = doc_example!($driver, connect, r#"```
use ftp_client::{Client, Config, Error};
// `.invalid` never resolves (RFC 2606).
let err = Client::connect("ftp.example.invalid:21", Config::default()).unwrap_err();
assert!(matches!(err, Error::Resolve { .. }), "{err}");
```"#)]
            pub $($async)? fn connect(addr: impl ToSocketAddrs, config: Config) -> Result<Client> {
                route::check(&config)?;
                let addrs = resolve(addr) $($await)*;
                Client::connect_resolved(addrs, None, config) $($await)*
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
            #[doc = doc_example!($driver, connect_url, r#"```no_run
use ftp_client::{Client, Config, FtpUrl, Trust};
let url = FtpUrl::parse("ftpes://alice:s3cret@ftp.example.net/")?;
let config = Config {
    tls_trust: Trust::CaFile("company-ca.pem".into()),
    ..Config::default()
};
let mut ftp = Client::connect_url(&url, config)?;
ftp.store("report.csv", &mut &b"a,b\n"[..])?; // over TLS, data too
ftp.quit()?;
# Ok::<(), ftp_client::Error>(())
```"#)]
            pub $($async)? fn connect_url(url: &FtpUrl, config: Config) -> Result<Client> {
                let (name, config) = shared::url_target(url, config);
                route::check(&config)?;
                let mut client = match route::unresolved(&config, url.host(), url.port()) {
                    Some((route, target)) => Client::connect_route(route, target, config) $($await)* ?,
                    None => {
                        let addrs = resolve((url.host(), url.port())) $($await)*;
                        Client::connect_resolved(addrs, Some(name), config) $($await)* ?
                    }
                };
                client.login(url.user(), url.password()) $($await)* ?;
                Ok(client)
            }

            /// Connects to the first of `addrs` that answers; `name` is what was
            /// looked up, for the error if nothing resolves.
            $($async)? fn connect_resolved(
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
                    match open(&config, Target::Addr(*addr)) $($await)* {
                        Ok(stream) => {
                            let route = Route::addr(*addr);
                            let target = Target::Addr(*addr);
                            let client = Client::with_stream_or_tls12(route, target, stream, config, tls_config);
                            return client $($await)*;
                        }
                        Err(e) => last_error = Some((addr, e)),
                    }
                }
                Err(match last_error {
                    Some((addr, e)) => {
                        route::connect_error(format!("connecting to {addr}"), e, config.connect_timeout)
                    }
                    None => shared::no_addresses(name),
                })
            }

            /// Connects to `target`, which the proxy or connector resolves,
            /// as the session's `route`.
            $($async)? fn connect_route(route: Route, target: Target, config: Config) -> Result<Client> {
                let tls_config = shared::tls_config(&config)?;
                let stream = open(&config, target.clone()) $($await)*;
                let stream = stream.map_err(|e| {
                    route::connect_error(format!("connecting to {target}"), e, config.connect_timeout)
                })?;
                Client::with_stream_or_tls12(route, target, stream, config, tls_config) $($await)*
            }

            /// [`Client::with_stream`], and once more offering TLS 1.2 at most
            /// where the session asks for it ([`shared::retry_with_tls12`]).
            $($async)? fn with_stream_or_tls12(
                route: Route,
                target: Target,
                stream: TcpStream,
                config: Config,
                tls_config: Option<crate::tls::TlsConfig>,
            ) -> Result<Client> {
                let first = Client::with_stream(stream, Some(route.clone()), config.clone(), tls_config);
                let error = match first $($await)* {
                    Ok(client) => return Ok(client),
                    Err(error) => error,
                };
                let Some(config) = shared::retry_with_tls12(&error, &config) else {
                    return Err(error);
                };
                let tls_config = shared::tls_config(&config)?;
                let stream = open(&config, target.clone()) $($await)*;
                let stream = stream.map_err(|e| {
                    route::connect_error(format!("connecting to {target}"), e, config.connect_timeout)
                })?;
                Client::with_stream(stream, Some(route), config, tls_config) $($await)*
            }

            /// Wraps an open control connection and reads the greeting (with
            /// TLS, secures the connection first: see [`Config::tls`]).
            pub $($async)? fn from_stream(control: TcpStream, config: Config) -> Result<Client> {
                let tls_config = shared::tls_config(&config)?;
                Client::with_stream(control, None, config, tls_config) $($await)*
            }

            /// The client on `control`, a connection to `route`'s server (by
            /// default, the connection's peer).
            $($async)? fn with_stream(
                control: TcpStream,
                route: Option<Route>,
                config: Config,
                tls_config: Option<crate::tls::TlsConfig>,
            ) -> Result<Client> {
                let route = match route {
                    Some(route) => route,
                    None => control
                        .peer_addr()
                        .map(Route::addr)
                        .map_err(|e| Error::io("reading the server address", e))?,
                };
                let peer = route.server;
                match &route.name {
                    Some(name) => tracing::debug!("connected to {name}:{}", peer.port()),
                    None => tracing::debug!("connected to {peer}"),
                }
                let tls = shared::tls_context(&config, tls_config, peer)?;
                control
                    .set_nodelay(true)
                    .and_then(|()| prepare_control(&control, &config))
                    .map_err(|e| Error::io("configuring the control connection", e))?;
                let session = Session::new(shared::session_config(&config, peer));
                let mut client = Client::new(session, control, config);
                client.tls = tls;
                client.route = route;
                match client.run_to_done() $($await)* ? {
                    Outcome::Greeting(reply) => client.welcome = reply,
                    other => return Err(shared::unexpected("the greeting", other)),
                }
                Ok(client)
            }
        }
    };

    (@settings $driver:ident) => {
        impl Client {
            /// The server's greeting (its 220 reply): the welcome message, often
            /// the server's name and rules, all lines kept.
            ///
            #[doc = doc_example!($driver, welcome, r#"```no_run
# let ftp: ftp_client::Client = unimplemented!();
println!("{}", ftp.welcome().text());
```"#)]
            pub fn welcome(&self) -> &Reply {
                &self.welcome
            }

            /// The settings the client was made with, its timeouts as last set;
            /// the transfer type in force is [`Client::transfer_type`]'s.
            pub fn config(&self) -> &Config {
                &self.config
            }

            /// Whether the session is over (the server closed it, QUIT was sent,
            /// or the control connection failed): every later operation fails, and
            /// a new connection is needed.
            pub fn is_closed(&self) -> bool {
                self.session.is_closed()
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

            /// Changes [`Config::control_timeout`]: each later wait for a reply,
            /// and each write of a command.
            pub fn set_control_timeout(&mut self, timeout: Duration) {
                self.config.control_timeout = timeout;
                self.control_timeout_changed();
                self.timeouts_changed();
            }

            /// Changes [`Config::data_timeout`] for the transfers that follow.
            ///
            #[doc = doc_example!($driver, set_data_timeout, r#"```no_run
# let mut ftp: ftp_client::Client = unimplemented!();
use std::time::Duration;
ftp.set_data_timeout(Duration::from_secs(10));
ftp.set_final_reply_timeout(Duration::from_secs(30));
assert_eq!(ftp.config().data_timeout, Duration::from_secs(10));
```"#)]
            pub fn set_data_timeout(&mut self, timeout: Duration) {
                self.config.data_timeout = timeout;
                self.timeouts_changed();
            }

            /// Changes [`Config::final_reply_timeout`] for the transfers that
            /// follow.
            pub fn set_final_reply_timeout(&mut self, timeout: Duration) {
                self.config.final_reply_timeout = timeout;
                self.timeouts_changed();
            }

            /// The session's waits for the server follow the configuration.
            fn timeouts_changed(&mut self) {
                let timeouts = shared::timeouts(&self.config, self.session.config().timeouts);
                self.session.set_timeouts(timeouts);
            }

            /// The representation type of the transfers that follow: the
            /// session's, which [`Config::transfer_type`] only starts with.
            pub fn transfer_type(&self) -> TransferType {
                self.session.transfer_type()
            }

            /// Sets the representation type of the transfers that follow:
            /// [`TransferType::Ascii`] for `TYPE A`, [`TransferType::Binary`] (the
            /// default) for `TYPE I`. `TYPE` is sent before the next transfer only
            /// if it differs from the one in force. The client never rewrites line
            /// ends itself.
            ///
            #[doc = doc_example!($driver, set_transfer_type, r#"```no_run
# let mut ftp: ftp_client::Client = unimplemented!();
use ftp_client::TransferType;
ftp.set_transfer_type(TransferType::Ascii);
let mut text = Vec::new();
ftp.retrieve("README.txt", &mut text)?; // CRLF line ends, as the server sends them
ftp.set_transfer_type(TransferType::Binary);
# Ok::<(), ftp_client::Error>(())
```"#)]
            pub fn set_transfer_type(&mut self, transfer_type: TransferType) {
                self.session.set_transfer_type(transfer_type);
            }
        }
    };

    (@simple $driver:ident [$($async:ident)?] [$($await:tt)*]) => {
        impl Client {
            /// Runs one operation: `start` begins it on the session (once the
            /// session is in step), `finish` turns its outcome into the result.
            $($async)? fn exec<T>(
                &mut self,
                start: impl FnOnce(&mut Session) -> std::result::Result<(), ftp_proto::UsageError>,
                finish: impl FnOnce(Outcome) -> Result<T>,
            ) -> Result<T> {
                self.resync() $($await)* ?;
                self.settle() $($await)* ?;
                start(&mut self.session)?;
                finish(self.run_to_done() $($await)* ?)
            }

            /// [`Client::exec`] for an operation the session runs wherever a
            /// walk's listing left it ([`Session::walk_entries`]).
            $($async)? fn exec_anywhere<T>(
                &mut self,
                start: impl FnOnce(&mut Session) -> std::result::Result<(), ftp_proto::UsageError>,
                finish: impl FnOnce(Outcome) -> Result<T>,
            ) -> Result<T> {
                self.resync() $($await)* ?;
                start(&mut self.session)?;
                finish(self.run_to_done() $($await)* ?)
            }

            /// Brings the session home if a walk's listing left it elsewhere
            /// ([`Session::is_away`]), before an operation whose relative paths
            /// mean the home directory's.
            $($async)? fn settle(&mut self) -> Result<()> {
                if self.session.is_away() {
                    self.session.return_home()?;
                    self.run_to_done() $($await)* ?;
                }
                Ok(())
            }

            /// Logs in: USER, and PASS when the server asks for it.
            pub $($async)? fn login(&mut self, user: &str, password: &str) -> Result<()> {
                let user = arg("user name", user)?;
                let password = shared::password(password)?;
                self.exec(|s| s.login(user, password, None), ignore) $($await)*
            }

            /// Creates a directory.
            pub $($async)? fn mkdir(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
                let path = arg("path", path)?;
                self.exec(|s| s.mkdir(path), ignore) $($await)*
            }

            /// Removes an empty directory.
            pub $($async)? fn rmdir(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
                let path = arg("path", path)?;
                self.exec(|s| s.rmdir(path), ignore) $($await)*
            }

            /// Deletes a file.
            pub $($async)? fn delete(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
                let path = arg("path", path)?;
                self.exec(|s| s.delete(path), ignore) $($await)*
            }

            /// Renames (moves) a file or directory on the server.
            pub $($async)? fn rename(&mut self, from: impl AsRef<[u8]>, to: impl AsRef<[u8]>) -> Result<()> {
                let (from, to) = (arg("path", from)?, arg("path", to)?);
                self.exec(|s| s.rename(from, to), ignore) $($await)*
            }

            /// Whether the server would rename the file at `path`, asked without
            /// renaming it: `RNFR`, and after its 350 an `RNTO` onto the same name,
            /// which renames nothing and ends the pending rename (see [`Session::check_rename`](ftp_proto::Session::check_rename)
            /// for what each reply means). A 5xx answer is `Ok` with
            /// [`RenameCheck::Refused`](crate::RenameCheck::Refused); a 4xx is an
            /// error that may pass later.
            ///
            #[doc = doc_example!($driver, check_rename, r#"```no_run
# let mut ftp: ftp_client::Client = unimplemented!();
use ftp_client::RenameCheck;
if let RenameCheck::Refused(reply) = ftp.check_rename("incoming/report.pdf")? {
    eprintln!("it cannot be replaced by a rename: {reply}");
}
# Ok::<(), ftp_client::Error>(())
```"#)]
            pub $($async)? fn check_rename(&mut self, path: impl AsRef<[u8]>) -> Result<RenameCheck> {
                let path = arg("path", path)?;
                self.exec(|s| s.check_rename(path), shared::rename_check) $($await)*
            }

            /// Changes the working directory.
            pub $($async)? fn cwd(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
                let path = arg("path", path)?;
                self.exec(|s| s.cwd(path), ignore) $($await)*
            }

            /// Changes to the parent of the working directory (CDUP).
            pub $($async)? fn cdup(&mut self) -> Result<()> {
                self.exec(Session::cdup, ignore) $($await)*
            }

            /// The working directory, as bytes (a server's names need not be UTF-8).
            pub $($async)? fn pwd(&mut self) -> Result<Vec<u8>> {
                self.exec(Session::pwd, shared::path) $($await)*
            }

            /// A file's size in bytes (SIZE, in binary mode).
            pub $($async)? fn size(&mut self, path: impl AsRef<[u8]>) -> Result<u64> {
                let path = arg("path", path)?;
                self.exec(|s| s.size(path), shared::size) $($await)*
            }

            /// A file's modification time in UTC (MDTM).
            ///
            /// [`Timestamp::to_system_time`] turns it into a
            /// [`SystemTime`](std::time::SystemTime), e.g. to set a local file's
            /// time:
            ///
            #[doc = doc_example!($driver, mdtm, r#"```no_run
# let mut ftp: ftp_client::Client = unimplemented!();
let modified = ftp.mdtm("report.pdf")?;
let when = modified.to_system_time();
println!("{modified:?} = {} s since 1970", modified.unix_timestamp());
# Ok::<(), ftp_client::Error>(())
```"#)]
            pub $($async)? fn mdtm(&mut self, path: impl AsRef<[u8]>) -> Result<Timestamp> {
                let path = arg("path", path)?;
                self.exec(|s| s.mdtm(path), shared::modified) $($await)*
            }

            /// The modification times of many files (MDTM for each). On a
            /// server without MLST (whose listings give no exact time), the
            /// commands go ahead of their replies, a window at a time: one
            /// round trip for a few dozen files rather than one each; see
            /// [`ftp_proto::Session::mdtm_each`] for where and why. One
            /// answer per path, in order: the time, or `None` where the
            /// server refused MDTM or gave a time that does not parse.
            pub $($async)? fn mdtm_each<P: AsRef<[u8]>>(&mut self, paths: &[P]) -> Result<Vec<Option<Timestamp>>> {
                let paths = paths
                    .iter()
                    .map(|p| arg("path", p))
                    .collect::<Result<Vec<_>>>()?;
                self.exec_anywhere(|s| s.mdtm_each(paths), shared::times) $($await)*
            }

            /// The facts about one file or directory (MLST, RFC 3659): its type,
            /// size, modification time, permissions… `""` for the working
            /// directory. Servers that do not list `MLST` in [`Client::features`]
            /// refuse it (500 or 502).
            ///
            #[doc = doc_example!($driver, mlst, r#"```no_run
# let mut ftp: ftp_client::Client = unimplemented!();
use ftp_client::EntryType;
let facts = ftp.mlst("report.pdf")?;
if facts.entry_type == Some(EntryType::File) {
    println!("{:?} bytes, modified {:?}", facts.size, facts.modify);
}
println!("owner: {:?}", facts.get("unix.owner"));
# Ok::<(), ftp_client::Error>(())
```"#)]
            pub $($async)? fn mlst(&mut self, path: impl AsRef<[u8]>) -> Result<Facts> {
                let path = optional_arg(path)?;
                self.exec(|s| s.mlst(path), shared::facts) $($await)*
            }

            /// Sends `SITE command`, a server-specific command (e.g. `CHMOD 644
            /// f`), and returns the reply; a 4xx/5xx reply is an
            /// [`Error::Refused`].
            ///
            #[doc = doc_example!($driver, site, r#"```no_run
# let mut ftp: ftp_client::Client = unimplemented!();
ftp.site("CHMOD 600 secrets.txt")?;
# Ok::<(), ftp_client::Error>(())
```"#)]
            pub $($async)? fn site(&mut self, command: impl AsRef<[u8]>) -> Result<Reply> {
                let command = arg("SITE command", command)?;
                self.exec(|s| s.site(command), |o| shared::completed("SITE", o)) $($await)*
            }

            /// The server's extensions (FEAT); empty if it has none.
            pub $($async)? fn features(&mut self) -> Result<Features> {
                self.exec_anywhere(Session::feat, shared::features) $($await)*
            }

            /// NOOP: keeps the session alive and checks it still works.
            pub $($async)? fn noop(&mut self) -> Result<()> {
                self.exec_anywhere(Session::noop, ignore) $($await)*
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
            #[doc = doc_example!($driver, raw, r#"```no_run
use ftp_client::{Error, UsageError};
# let mut ftp: ftp_client::Client = unimplemented!();
let reply = ftp.raw("SYST")?;
println!("{} {}", reply.code(), reply.text());
assert!(matches!(
    ftp.raw("pasv"),
    Err(Error::Usage(UsageError::ReservedVerb("PASV")))
));
# Ok::<(), ftp_client::Error>(())
```"#)]
            pub $($async)? fn raw(&mut self, line: &str) -> Result<Reply> {
                self.raw_bytes(line) $($await)*
            }

            /// [`Client::raw`] for a line that need not be UTF-8, such as a command
            /// naming a file whose name is not.
            pub $($async)? fn raw_bytes(&mut self, line: impl AsRef<[u8]>) -> Result<Reply> {
                let line = line.as_ref();
                let command = Command::Raw(arg("command", line)?);
                let name = String::from_utf8_lossy(line);
                self.exec(|s| s.raw(command), |o| shared::completed(&name, o)) $($await)*
            }

            /// Ends the session politely (QUIT) and closes the connection.
            pub $($async)? fn quit(mut self) -> Result<()> {
                self.exec_anywhere(Session::quit, ignore) $($await)*
            }
        }
    };

    (@listings $driver:ident [$($async:ident)?] [$($await:tt)*]) => {
        impl Client {
            /// The `LIST` lines for `path` (`""` for the working directory), as
            /// the server formats them.
            ///
            /// Names that are not UTF-8 are decoded lossily (bytes that are not
            /// UTF-8 become `�`), so a name read here may not be usable as a path;
            /// [`Client::list_bytes`] keeps the bytes.
            pub $($async)? fn list(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
                let command = DataCommand::List(optional_arg(path)?);
                self.listing_lines(|s| s.transfer(command)) $($await)* .map(shared::lossy)
            }

            /// Starts a `LIST` of `path` (`""` for the working directory): read the
            /// returned stream, the server's lines byte for byte, then call
            /// [`Download::finish`]. Memory stays constant however long the listing,
            /// and names that are not UTF-8 arrive as sent.
            pub $($async)? fn list_stream(&mut self, path: impl AsRef<[u8]>) -> Result<Download<'_>> {
                let command = DataCommand::List(optional_arg(path)?);
                self.start_download(command, 0) $($await)*
            }

            /// The `LIST` lines for `path` as bytes, exactly as the server sent
            /// them (line ends removed, empty lines dropped).
            pub $($async)? fn list_bytes(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Vec<u8>>> {
                let command = DataCommand::List(optional_arg(path)?);
                self.listing_lines(|s| s.transfer(command)) $($await)*
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
            pub $($async)? fn nlst(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
                self.nlst_bytes(path) $($await)* .map(shared::lossy)
            }

            /// The names `NLST` gives for `path`, as bytes: each one can be passed
            /// back as a path, whatever its encoding. Without `.` and `..`, as
            /// [`Client::nlst`].
            ///
            #[doc = doc_example!($driver, nlst_bytes, r#"```no_run
# let mut ftp: ftp_client::Client = unimplemented!();
for name in ftp.nlst_bytes("")? {
    println!("{} bytes", ftp.size(&name)?);
}
# Ok::<(), ftp_client::Error>(())
```"#)]
            pub $($async)? fn nlst_bytes(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Vec<u8>>> {
                let command = DataCommand::Nlst(optional_arg(path)?);
                self.listing_lines(|s| s.transfer(command)) $($await)* .map(shared::nlst_names)
            }

            /// The `MLSD` lines (RFC 3659 facts, then the name) for `path` (`""`
            /// for the working directory), names decoded lossily; see
            /// [`Client::mlsd_bytes`].
            pub $($async)? fn mlsd(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
                let command = DataCommand::Mlsd(optional_arg(path)?);
                self.listing_lines(|s| s.transfer(command)) $($await)* .map(shared::lossy)
            }

            /// The `MLSD` lines for `path` as bytes; each parses with
            /// [`facts_line`](crate::facts_line).
            pub $($async)? fn mlsd_bytes(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Vec<u8>>> {
                let command = DataCommand::Mlsd(optional_arg(path)?);
                self.listing_lines(|s| s.transfer(command)) $($await)*
            }

            /// A listing's lines, byte for byte, without line ends or empty
            /// lines; `start` begins the listing on the session.
            $($async)? fn listing_lines(
                &mut self,
                start: impl FnOnce(&mut Session) -> std::result::Result<(), ftp_proto::UsageError>,
            ) -> Result<Vec<Vec<u8>>> {
                self.resync() $($await)* ?;
                self.settle() $($await)* ?;
                self.listing_lines_anywhere(start) $($await)*
            }

            /// [`Client::listing_lines`] wherever the session is (a walk's
            /// listing).
            $($async)? fn listing_lines_anywhere(
                &mut self,
                start: impl FnOnce(&mut Session) -> std::result::Result<(), ftp_proto::UsageError>,
            ) -> Result<Vec<Vec<u8>>> {
                let mut raw = Vec::new();
                let (data, start) = self.start_transfer_anywhere(start) $($await)* ?;
                let mut download = Download::new(self, data, start);
                download.copy_to_end(&mut raw) $($await)* ?;
                download.finish() $($await)* ?;
                Ok(shared::split_lines(&raw))
            }
        }
    };

    (@entries $driver:ident [$($async:ident)?] [$($await:tt)*]) => {
        impl Client {
            /// The entries of the directory `path` (`""` for the working
            /// directory), parsed: MLSD when the server's FEAT lists MLST, LIST
            /// and the [`listing`](ftp_proto::listing) parsers otherwise. FEAT is
            /// asked once per session and the choice kept; a server that lists
            /// MLST but refuses MLSD as unknown is listed with LIST from then on.
            ///
            /// Every line becomes an [`Entry`], `cdir`/`pdir` and lines no parser
            /// understood ([`Kind::Unknown`](crate::Kind::Unknown)) included; [`Entry::component`] says
            /// which names are safe to use as one path component. The directory is
            /// listed by changing into it, so any name works, spaces, leading `-`
            /// and glob characters included.
            ///
            #[doc = doc_example!($driver, entries, r#"```no_run
# let mut ftp: ftp_client::Client = unimplemented!();
use ftp_client::Kind;
for entry in ftp.entries("pub")? {
    match entry.kind {
        Kind::Dir => println!("{}/", entry.name_lossy()),
        Kind::File => println!("{} ({:?} bytes)", entry.name_lossy(), entry.size),
        _ => {}
    }
}
# Ok::<(), ftp_client::Error>(())
```"#)]
            pub $($async)? fn entries(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Entry>> {
                let path = optional_arg(path)?;
                let lines = self.listing_lines(|s| s.entries(path)) $($await)* ?;
                shared::parse_entries(self.session.listing_format(), &lines)
            }

            /// A walk's listing of `path` ([`Session::walk_entries`]): the
            /// session stays in the directory listed, and goes straight on to
            /// the next one; any other operation brings it home first.
            pub(crate) $($async)? fn walk_entries(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Entry>> {
                let path = optional_arg(path)?;
                let lines = self.listing_lines_anywhere(|s| s.walk_entries(path)) $($await)* ?;
                shared::parse_entries(self.session.listing_format(), &lines)
            }

            /// What `path` is: its kind, size and modification time. MLST where
            /// FEAT lists it; otherwise SIZE and MDTM for a file, and for a name
            /// SIZE refuses, CWD into it and back to tell a directory. A path that
            /// can only name a directory — `""`, the working directory, or one
            /// ending in `/` — is never asked about with SIZE: `""` is a directory,
            /// and one ending in `/` is if CWD goes into it. The entry's name is
            /// `path` (MLST: the pathname the server gave).
            ///
            #[doc = doc_example!($driver, stat, r#"```no_run
# let mut ftp: ftp_client::Client = unimplemented!();
let entry = ftp.stat("pub/report.pdf")?;
if entry.is_file() {
    println!("{:?} bytes, modified {:?}", entry.size, entry.modified);
}
# Ok::<(), ftp_client::Error>(())
```"#)]
            pub $($async)? fn stat(&mut self, path: impl AsRef<[u8]>) -> Result<Entry> {
                let path = optional_arg(path)?;
                self.exec(|s| s.stat(path), shared::stat) $($await)*
            }

            /// What the symbolic link at `path` leads to, as the server sees it:
            /// [`Client::stat`], and where MLST describes the link itself, SIZE
            /// (a file) or CWD into it and back (a directory); see
            /// [`Session::resolve_link`](ftp_proto::Session::resolve_link).
            pub $($async)? fn resolve_link(&mut self, path: impl AsRef<[u8]>) -> Result<Entry> {
                let path = arg("path", path)?;
                self.exec(|s| s.resolve_link(path), shared::stat) $($await)*
            }

            /// Makes the directory `path` and every missing parent, as `mkdir
            /// -p`: MKD for each from the top down; a refused MKD is no failure
            /// where the directory exists (CWD into it works, and the session
            /// changes back), and otherwise its refusal is the error. See
            /// [`Session::mkdir_all`](ftp_proto::Session::mkdir_all).
            pub $($async)? fn mkdir_all(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
                let path = arg("path", path)?;
                self.exec(|s| s.mkdir_all(path), ignore) $($await)*
            }

            /// Sets the modification time of the file at `path` (MFMT, to the
            /// second, UTC). Fails with [`Error::Unsupported`] and sends nothing
            /// when the server's FEAT does not list MFMT.
            ///
            #[doc = doc_example!($driver, set_modified, r#"```no_run
# let mut ftp: ftp_client::Client = unimplemented!();
use ftp_client::Timestamp;
let when = Timestamp::new(2026, 1, 2, 3, 4, 5).unwrap();
ftp.set_modified("report.pdf", when)?;
# Ok::<(), ftp_client::Error>(())
```"#)]
            pub $($async)? fn set_modified(&mut self, path: impl AsRef<[u8]>, time: Timestamp) -> Result<()> {
                let path = arg("path", path)?;
                let finish = |o| shared::completed("MFMT", o).map(drop);
                self.exec(|s| s.set_modified(path, time), finish) $($await)*
            }

            /// Whether the server's FEAT lists `feature` (e.g. `"MLST"`, `"MFMT"`);
            /// FEAT is asked once per session.
            pub $($async)? fn supports(&mut self, feature: &str) -> Result<bool> {
                let features = self.exec_anywhere(Session::ensure_features, shared::features) $($await)* ?;
                Ok(features.supports(feature))
            }

            /// The digest of the file at `path` as the server computes it with
            /// `algorithm`, to compare with one computed locally (the engine's
            /// verified transfers do). `HASH` where FEAT's `HASH` line lists the
            /// algorithm (with `OPTS HASH` first when another is selected), else
            /// its older command (`XSHA256`, `XSHA512`, `XSHA1`, `XMD5`, `XCRC`)
            /// where FEAT lists it; see [`Session::hash`](ftp_proto::Session::hash).
            ///
            /// A server with neither fails with [`Error::NoHash`], nothing sent;
            /// a reply that is not the digest asked for (another algorithm, a
            /// range not from byte 0, hex of the wrong length) with
            /// [`Error::Protocol`] holding the reply. [`Client::hash_algorithms`]
            /// says beforehand what the server has.
            ///
            #[doc = doc_example!($driver, hash, r#"```no_run
# let mut ftp: ftp_client::Client = unimplemented!();
use ftp_client::HashAlgorithm;
let digest = ftp.hash("pub/release.tar.gz", HashAlgorithm::Sha256)?;
println!("{digest}  release.tar.gz"); // as sha256sum prints it
# Ok::<(), ftp_client::Error>(())
```"#)]
            pub $($async)? fn hash(
                &mut self,
                path: impl AsRef<[u8]>,
                algorithm: ftp_proto::hash::HashAlgorithm,
            ) -> Result<ftp_proto::hash::Digest> {
                let path = arg("path", path)?;
                self.exec(|s| s.hash(path, algorithm), shared::digest) $($await)*
            }

            /// The digest algorithms [`Client::hash`] can ask this server for,
            /// strongest first (SHA-256, SHA-512, SHA-1, MD5, CRC32); empty when it
            /// has none. FEAT is asked once per session.
            pub $($async)? fn hash_algorithms(&mut self) -> Result<Vec<ftp_proto::hash::HashAlgorithm>> {
                self.exec_anywhere(Session::ensure_features, shared::features) $($await)* ?;
                Ok(self.session.hash_offered().algorithms())
            }

            /// How [`Client::entries`] lists on this session (FEAT asked first).
            pub $($async)? fn listing_format(&mut self) -> Result<Format> {
                self.exec_anywhere(Session::ensure_features, shared::features) $($await)* ?;
                shared::listing_format(self.session.listing_format())
            }
        }
    };

    (@transfers $driver:ident [$($async:ident)?] [$($await:tt)*] [$($write:tt)+] [$($read:tt)+]) => {
        impl Client {
            /// Downloads `path` into `out`; returns the bytes written. Succeeds only
            /// when the data reached its end and the server confirmed with 2xx.
            /// `out` may be a `&mut dyn Write`.
            ///
            /// On failure `out` holds what arrived before it: to keep a complete
            /// file or none, download to a temporary file and rename it into place
            /// on success (as the CLI does).
            pub $($async)? fn retrieve(
                &mut self,
                path: impl AsRef<[u8]>,
                out: &mut (impl $($write)+ + ?Sized),
            ) -> Result<u64> {
                self.retrieve_from(path, 0, out) $($await)*
            }

            /// Downloads `path` into `file` at its current position; returns the
            /// bytes written.
            #[doc = doc_for!($driver, "On Linux the kernel moves the data from the socket to
the file (splice), so it never passes through this process.", "")]
            ///
            /// The data is written **in place**, into the caller's file: a failed
            /// download leaves the bytes that arrived, and nothing is truncated or
            /// renamed. (The CLI instead downloads to a temporary file beside the
            /// destination and renames it into place only once the server
            /// confirmed the transfer; do the same when a half-written file must
            /// never be seen.)
            pub $($async)? fn retrieve_file(&mut self, path: impl AsRef<[u8]>, file: &mut File) -> Result<u64> {
                self.retrieve_file_from(path, 0, file) $($await)*
            }

            /// Starts downloading `path`; read the returned stream, then call
            /// [`Download::finish`] to check the server's final reply.
            pub $($async)? fn retrieve_stream(&mut self, path: impl AsRef<[u8]>) -> Result<Download<'_>> {
                self.retrieve_stream_from(path, 0) $($await)*
            }

            /// Downloads `path` from byte `offset` on into `out` (`REST offset`,
            /// then `RETR`), to complete a partial download; returns the bytes
            /// written, which do not count the `offset` skipped.
            ///
            /// A server that refuses REST fails with [`Error::Refused`] naming
            /// `REST`, before RETR is sent: nothing is ever downloaded from byte 0
            /// in its place. An offset of 0 is a plain [`Client::retrieve`].
            ///
            #[doc = doc_example!($driver, retrieve_from, r#"```no_run
# let mut ftp: ftp_client::Client = unimplemented!();
use std::fs::OpenOptions;
let mut part = OpenOptions::new().append(true).open("big.iso.part")?;
let have = part.metadata()?.len();
ftp.retrieve_from("big.iso", have, &mut part)?;
# Ok::<(), Box<dyn std::error::Error>>(())
```"#)]
            pub $($async)? fn retrieve_from(
                &mut self,
                path: impl AsRef<[u8]>,
                offset: u64,
                out: &mut (impl $($write)+ + ?Sized),
            ) -> Result<u64> {
                let mut download = self.retrieve_stream_from(path, offset) $($await)* ?;
                download.copy_to_end(out) $($await)* ?;
                download.finish() $($await)*
            }

            /// Like [`Client::retrieve_file`], from byte `offset` of the remote
            /// file on (see [`Client::retrieve_from`]); the data is written at
            /// `file`'s current position, which the caller sets (usually its end).
            pub $($async)? fn retrieve_file_from(
                &mut self,
                path: impl AsRef<[u8]>,
                offset: u64,
                file: &mut File,
            ) -> Result<u64> {
                let mut download = self.retrieve_stream_from(path, offset) $($await)* ?;
                download.copy_to_file(file) $($await)* ?;
                download.finish() $($await)*
            }

            /// Like [`Client::retrieve_stream`], from byte `offset` on (see
            /// [`Client::retrieve_from`]).
            pub $($async)? fn retrieve_stream_from(
                &mut self,
                path: impl AsRef<[u8]>,
                offset: u64,
            ) -> Result<Download<'_>> {
                let command = DataCommand::Retr(arg("path", path)?);
                self.start_download(command, offset) $($await)*
            }

            /// Uploads everything `src` yields to `path`, replacing it; returns
            /// the bytes sent. `src` may be a `&mut dyn Read`. For a file,
            /// [`Client::store_file`] is faster.
            pub $($async)? fn store(&mut self, path: impl AsRef<[u8]>, src: &mut (impl $($read)+ + ?Sized)) -> Result<u64> {
                let mut upload = self.store_stream(path) $($await)* ?;
                upload.copy_from(src) $($await)* ?;
                upload.finish() $($await)*
            }

            /// Uploads the rest of `file` to `path`, replacing it; returns the
            /// bytes sent.
            #[doc = doc_for!($driver, "On Linux the kernel copies the file to the socket
(sendfile), so the data never passes through this process.", "")]
            pub $($async)? fn store_file(&mut self, path: impl AsRef<[u8]>, file: &mut File) -> Result<u64> {
                let mut upload = self.store_stream(path) $($await)* ?;
                upload.copy_from_file(file) $($await)* ?;
                upload.finish() $($await)*
            }

            /// Completes a partial upload: sends `file` from byte `offset` on to
            /// `path` with REST + STOR (see [`Client::store_stream_from`]);
            /// returns the bytes sent, without the `offset` skipped. `file` is
            /// sought to `offset` first.
            pub $($async)? fn store_file_from(
                &mut self,
                path: impl AsRef<[u8]>,
                offset: u64,
                file: &mut File,
            ) -> Result<u64> {
                seek(file, offset) $($await)*
                    .map_err(|e| Error::io("seeking in the file to upload", e))?;
                let mut upload = self.store_stream_from(path, offset) $($await)* ?;
                upload.copy_from_file(file) $($await)* ?;
                upload.finish() $($await)*
            }

            /// Starts uploading to `path`; write to the returned stream, then call
            /// [`Upload::finish`] to check the server's final reply.
            pub $($async)? fn store_stream(&mut self, path: impl AsRef<[u8]>) -> Result<Upload<'_>> {
                self.store_stream_from(path, 0) $($await)*
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
            pub $($async)? fn store_stream_from(&mut self, path: impl AsRef<[u8]>, offset: u64) -> Result<Upload<'_>> {
                let command = DataCommand::Stor(arg("path", path)?);
                self.start_upload(command, offset) $($await)*
            }

            /// Like [`Client::store_stream`], appending to the file (APPE).
            pub $($async)? fn append_stream(&mut self, path: impl AsRef<[u8]>) -> Result<Upload<'_>> {
                let command = DataCommand::Appe(arg("path", path)?);
                self.start_upload(command, 0) $($await)*
            }

            $($async)? fn start_download(&mut self, command: DataCommand, offset: u64) -> Result<Download<'_>> {
                let (data, start) = self.start_transfer(|s| s.transfer_from(command, offset)) $($await)* ?;
                Ok(Download::new(self, data, start))
            }

            $($async)? fn start_upload(&mut self, command: DataCommand, offset: u64) -> Result<Upload<'_>> {
                let (data, _) = self.start_transfer(|s| s.transfer_from(command, offset)) $($await)* ?;
                Ok(Upload::new(self, data))
            }

            /// Begins a transfer (`start` on the session, once in step) and
            /// runs it until its data may flow.
            $($async)? fn start_transfer(
                &mut self,
                start: impl FnOnce(&mut Session) -> std::result::Result<(), ftp_proto::UsageError>,
            ) -> Result<(Stream, TransferStart)> {
                self.resync() $($await)* ?;
                self.settle() $($await)* ?;
                self.start_transfer_anywhere(start) $($await)*
            }

            /// [`Client::start_transfer`] wherever the session is (a walk's
            /// listing).
            $($async)? fn start_transfer_anywhere(
                &mut self,
                start: impl FnOnce(&mut Session) -> std::result::Result<(), ftp_proto::UsageError>,
            ) -> Result<(Stream, TransferStart)> {
                self.resync() $($await)* ?;
                start(&mut self.session)?;
                let step = self.run() $($await)*;
                let data = self.data.take();
                match (step?, data) {
                    (RunEnd::Transfer(start), Some(data)) => Ok((self.secure_data(data) $($await)* ?, start)),
                    (RunEnd::Transfer(_), None) => Err(shared::no_data_connection()),
                    (RunEnd::Done(outcome), _) => Err(shared::unexpected("transfer", outcome)),
                }
            }

            /// The data connection of a transfer the server has accepted: in
            /// clear, or TLS when the session set `PROT P`, resuming the control
            /// connection's session. A failed handshake ends the transfer, with
            /// the server's reply if it explains it (vsftpd's 522 when the session
            /// was not resumed).
            $($async)? fn secure_data(&mut self, data: TcpStream) -> Result<Stream> {
                if !self.session.is_data_protected() {
                    return Ok(Stream::Plain(data));
                }
                let Some(tls) = self.tls.as_ref() else {
                    return Err(Error::Internal(
                        "the session protects data without TLS configured".to_owned(),
                    ));
                };
                match handshake_data(tls, data, self.data_stall()) $($await)* {
                    Ok(stream) => {
                        if let Some(about) = stream.describe() {
                            tracing::debug!("data connection secured: {about}");
                        }
                        Ok(stream)
                    }
                    Err(error) => {
                        let ended = self.finish_transfer(true);
                        Err(shared::explained_by_server(ended $($await)*, error))
                    }
                }
            }

            /// Tells the session the data is done (`cut_short`: the client
            /// stopped it before its end) and reads the final reply.
            $($async)? fn finish_transfer(&mut self, cut_short: bool) -> Result<()> {
                self.transfer_over();
                // After a stall the session ended the data itself.
                if self.session.is_data_stalled() {
                } else if cut_short {
                    self.session.handle_data_cut_short()?;
                } else {
                    self.session.handle_data_finished()?;
                }
                match self.run() $($await)* ? {
                    RunEnd::Done(outcome) => shared::transferred(outcome),
                    RunEnd::Transfer(_) => Err(shared::transfer_outside_transfer()),
                }
            }

            /// The data connection's `error` is a timeout: the session, which
            /// keeps the stall deadline, decides what follows
            /// ([`Session::is_data_stalled`](ftp_proto::Session::is_data_stalled)).
            fn data_timed_out(&mut self, error: &Error) {
                // The wait ended at the session's deadline; a timer may
                // wake a hair before it.
                let deadline = self.session.poll_timeout();
                if let (Error::Timeout { .. }, true, Some(deadline)) =
                    (error, self.session.is_moving_data(), deadline)
                {
                    self.session
                        .handle_timeout(std::time::Instant::now().max(deadline));
                }
            }

            /// ABOR for the transfer whose data connection was just closed, and
            /// the replies the session waits for.
            $($async)? fn abort_transfer(&mut self) -> Result<()> {
                self.transfer_over();
                self.session.abort()?;
                match self.run() $($await)* ? {
                    RunEnd::Done(outcome) => shared::aborted(outcome),
                    RunEnd::Transfer(_) => Err(shared::transfer_outside_transfer()),
                }
            }

            /// The end of a range whose bytes have all arrived, its data
            /// connection just closed: the session stops the server
            /// ([`Session::end_range`](ftp_proto::Session::end_range)).
            $($async)? fn end_range_transfer(&mut self) -> Result<()> {
                self.transfer_over();
                self.session.end_range()?;
                match self.run() $($await)* ? {
                    RunEnd::Done(outcome) => shared::transferred(outcome),
                    RunEnd::Transfer(_) => Err(shared::transfer_outside_transfer()),
                }
            }
        }
    };

    (@loop $driver:ident [$($async:ident)?] [$($await:tt)*]) => {
        /// Where [`Client::run`] stopped: the operation's end, or its data
        /// about to flow.
        enum RunEnd {
            Done(Outcome),
            Transfer(TransferStart),
        }

        impl Client {
            /// Runs the session until the operation is done.
            $($async)? fn run_to_done(&mut self) -> Result<Outcome> {
                match self.run() $($await)* ? {
                    RunEnd::Done(outcome) => Ok(outcome),
                    RunEnd::Transfer(_) => Err(shared::transfer_outside_transfer()),
                }
            }

            /// The drive loop: does what the session asks until it reports an
            /// outcome or hands over a data transfer.
            $($async)? fn run(&mut self) -> Result<RunEnd> {
                loop {
                    let now = Instant::now();
                    let Some(action) = self.session.poll(now) else {
                        return Err(shared::session_waits());
                    };
                    match action {
                        Action::Send(command) => self.send(&command) $($await)* ?,
                        Action::SecureControl => self.secure_control() $($await)* ?,
                        Action::ReadControl => self.read_reply(now) $($await)* ?,
                        Action::Reply(reply) => shared::log_reply(&reply),
                        Action::ConnectData(addr) => self.connect_data(addr) $($await)* ?,
                        Action::Listen => self.listen() $($await)* ?,
                        Action::AcceptData { from } => self.accept_data(from) $($await)* ?,
                        Action::Transfer(start) => {
                            self.listener = None;
                            self.bound = None;
                            self.on_transfer();
                            return Ok(RunEnd::Transfer(start));
                        }
                        Action::Done(result) => {
                            self.listener = None;
                            self.bound = None;
                            self.on_done();
                            if result.is_err() {
                                self.data = None;
                            }
                            let connect_error = self.data_connect_error.take();
                            return shared::done(result, connect_error).map(RunEnd::Done);
                        }
                    }
                }
            }

            /// Runs the TLS handshake on the control connection, as the session
            /// asks; a failure ends the session.
            $($async)? fn secure_control(&mut self) -> Result<()> {
                shared::tls_for_control(&self.session, &self.config, &mut self.tls)?;
                match self.handshake_control() $($await)* {
                    Ok(stream) => {
                        if let Some(about) = stream.describe() {
                            tracing::debug!("control connection secured: {about}");
                        }
                        // (`.into()`: the async driver keeps an `Option`.)
                        self.control = stream.into();
                        self.session.handle_control_secured()?;
                        Ok(())
                    }
                    Err(error) => {
                        self.session.handle_control_secure_failed()?;
                        Err(self.broken(error))
                    }
                }
            }

            /// Reads the control connection for the reply the session asked
            /// for at `now`, until the session's deadline; if none came, the
            /// session decides what that means (and when it ends the session,
            /// the connections close).
            $($async)? fn read_reply(&mut self, now: Instant) -> Result<()> {
                let Some(deadline) = self.session.poll_timeout() else {
                    return Err(Error::Internal("a read of a reply without a deadline".to_owned()));
                };
                let wait = deadline.saturating_duration_since(now);
                match self.read_control_once(wait) $($await)* {
                    Err(e) if is_timeout(&e) => {
                        self.session.handle_timeout(Instant::now().max(deadline));
                        if self.session.is_closed() {
                            self.drop_connections();
                        }
                        Ok(())
                    }
                    other => self.after_control_read(other, wait),
                }
            }

            /// `n` bytes read from the control connection into `read_buf`
            /// (none: its end), fed to the session.
            fn control_fed(&mut self, n: usize) {
                if n == 0 {
                    self.session.handle_control_eof();
                } else {
                    self.session.handle_control(&self.read_buf[..n]);
                }
            }

            /// A failed control read ends the session.
            fn after_control_read(&mut self, read: io::Result<()>, timeout: Duration) -> Result<()> {
                read.map_err(|e| {
                    let error = tls_io_error("waiting for the server's reply", e, timeout);
                    self.broken(error)
                })
            }

            /// Tells the session how opening the data connection to `addr` went.
            fn data_connected(&mut self, addr: SocketAddr, connected: io::Result<TcpStream>) -> Result<()> {
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

            /// Active mode through a proxy: tells the session how asking the
            /// proxy to listen (SOCKS5 `BIND`) went: where it listens, the
            /// stream to read its second reply from, and the handshake.
            fn bound_listening(
                &mut self,
                bound: io::Result<(SocketAddr, TcpStream, ftp_proto::proxy::Handshake)>,
            ) -> Result<()> {
                match bound {
                    Ok((addr, stream, handshake)) => {
                        tracing::debug!("the proxy listens for the data connection on {addr}");
                        self.bound = Some((stream, handshake));
                        self.session.handle_listening(addr)?;
                    }
                    Err(e) => {
                        let timeout = self.config.connect_timeout;
                        self.data_connect_error = Some(route::bind_error(e, timeout));
                        self.session.handle_data_connect_failed()?;
                    }
                }
                Ok(())
            }

            /// Active mode: tells the session how listening for the server's
            /// data connection went.
            fn listening(&mut self, listening: io::Result<(TcpListener, SocketAddr)>) -> Result<()> {
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

            /// Active mode: the server's data connection did not come (`failure`
            /// says why); the session decides what follows.
            fn accept_failed(&mut self, failure: Error) -> Result<()> {
                self.accept_ended(failure);
                self.session.handle_data_connect_failed()?;
                Ok(())
            }

            /// Active mode: the session's deadline for the server's data
            /// connection from `from`; `None` when the wait is over:
            /// connected, failed, or past the deadline (the session is then
            /// told; `rejected`: the last stranger refused meanwhile).
            fn accept_deadline(&mut self, from: IpAddr, rejected: Option<SocketAddr>) -> Result<Option<Instant>> {
                if !self.session.is_awaiting_data_connection() {
                    return Ok(None);
                }
                let Some(deadline) = self.session.poll_timeout() else {
                    return Err(Error::Internal("accepting without a deadline".to_owned()));
                };
                let now = Instant::now();
                if now >= deadline {
                    self.accept_timed_out(now, from, rejected);
                    return Ok(None);
                }
                Ok(Some(deadline))
            }

            /// How long a transfer's data may stall: the session's deadline
            /// ([`ftp_proto::Timeouts::data`]), which the errors of a stalled
            /// transfer report.
            pub(crate) fn data_stall(&self) -> Duration {
                self.session.config().timeouts.data
            }

            /// Active mode: a read of the control connection while waiting
            /// for the data connection; a failure ends the session.
            fn accept_control_read(&mut self, read: io::Result<()>) -> Result<()> {
                let after = self.session.config().timeouts.accept;
                self.after_control_read(read, after)
            }

            /// Active mode: the session's deadline for the server's data
            /// connection from `from` passed at `now` (`rejected`: the last
            /// stranger refused meanwhile); the session decides what follows.
            fn accept_timed_out(&mut self, now: Instant, from: IpAddr, rejected: Option<SocketAddr>) {
                let after = self.session.config().timeouts.accept;
                self.accept_ended(shared::accept_timed_out(from, rejected, after));
                self.session.handle_timeout(now);
            }

            /// Active mode: the wait for the data connection is over, with
            /// `failure` to report.
            fn accept_ended(&mut self, failure: Error) {
                tracing::debug!("{failure}");
                self.listener = None;
                self.bound = None;
                self.on_done();
                self.data_connect_error = Some(failure);
            }

            /// The control connection failed: the session cannot continue.
            fn broken(&mut self, error: Error) -> Error {
                self.close_now();
                error
            }
        }
    };
}

/// Emits a driver's walks over its `Client`: the constructors, each
/// walker's step (`advance`, which the blocking `Iterator::next` and the
/// async `next` call) and [`DirWalk`]'s requests, written once; the
/// walkers' structs and their `next` stay in each driver, whose
/// documentation differs (the async walkers' cancellation).
macro_rules! walk_api {
    (driver: $driver:ident, async: [$($async:ident)?], await: [$($await:tt)*] $(,)?) => {
        #[doc = doc_for!($driver, r#"A depth-first walk over a remote tree; see [`Client::walk`]."#, r#"A depth-first walk over a remote tree; see [`Client::walk`]. The
async twin of [`crate::Walk`]: the same items, from
`while let Some(item) = walk.next().await`.

## Not a `Stream`

The walkers are not [`Stream`](https://docs.rs/futures/latest/futures/stream/trait.Stream.html)s:
that trait lives outside the standard library (this crate takes no
`futures` dependency for it), and a stream's `poll_next` would have to
keep the listing under way, a future borrowing the client the walker
holds, inside the walker itself: a self-referential type, or a boxed
future and the client moved in and out of it for every directory. An `async fn next` is the loop the caller writes anyway
(`while let Some(item) = walk.next().await`).

## Cancellation

A walker's `next()` waits only on one listing. If its future is
dropped, the walk has taken nothing from that listing: the same
directory is listed again, from the start, by the next call to
`next()` (after the client has put the session back in step, as for
any dropped operation), so that no directory is lost or reported twice.
If the session closed instead, that next listing fails with the
client's error and the walk ends.
With a [`DirWalk`], directories asked for ([`DirWalk::descend`],
[`DirWalk::follow`]) between the dropped `next()` and the next one are
listed before the dropped directory, as if asked before it was due;
[`DirWalk::retry`] then does nothing, as nothing failed."#)]
        #[derive(Debug)]
        pub struct Walk<'c> {
            client: &'c mut Client,
            state: WalkState,
        }

        #[doc = doc_for!($driver, r#"A walk one directory at a time; see [`Client::walk_dirs`]."#, r#"A walk one directory at a time; see [`Client::walk_dirs`]. The async
twin of [`crate::DirWalk`]; like [`Walk`], not a `Stream`, and
cancel-safe ([`Walk`'s notes](Walk#cancellation))."#)]
        #[derive(Debug)]
        pub struct DirWalk<'c> {
            client: &'c mut Client,
            state: DirWalkState,
        }

        impl Client {
            /// Walks the tree under the directory `path` (`""` for the working
            /// directory) depth first, with [`WalkOptions::default`]: each
            /// directory is reported, then its contents. The root itself is not
            /// reported. See [`Client::walk_with`].
            ///
            #[doc = doc_for!($driver, r#"```no_run
# let mut ftp: ftp_client::Client = unimplemented!();
let mut total = 0;
for item in ftp.walk("pub") {
    match item {
        Ok(found) if found.entry.is_file() => total += found.entry.size.unwrap_or(0),
        Ok(_) => {}
        Err(e) => eprintln!("warning: {e}"),
    }
}
println!("{total} bytes");
```"#, r#"```no_run
# async fn demo(ftp: &mut ftp_client::tokio::Client) {
let mut walk = ftp.walk("pub");
while let Some(item) = walk.next().await {
    match item {
        Ok(found) => println!("{}", String::from_utf8_lossy(&found.path)),
        Err(e) => eprintln!("warning: {e}"),
    }
}
# }
```"#)]
            pub fn walk(&mut self, path: impl AsRef<[u8]>) -> Walk<'_> {
                self.walk_with(path, WalkOptions::default())
            }

            /// Walks the tree under `path` within `options`' limits. Each item is
            /// an entry, or an error after which the walk goes on:
            ///
            /// - a directory that could not be listed (the server's refusal);
            /// - [`Error::UnsafeName`]: a name that is not exactly one path
            ///   component (empty, `.`, `..`, holding `/`, `\` or a control
            ///   character) or a line no parser understood: skipped, never
            ///   descended into (`cdir`, `pdir`, `.` and `..` are skipped
            ///   silently);
            /// - [`Error::WalkLimit`]: a directory deeper than
            ///   [`WalkOptions::max_depth`], or one already entered (the same MLSD
            ///   `unique` fact or path: a listing loop), is not descended into;
            ///   past [`WalkOptions::max_entries`] the walk ends.
            ///
            /// Symbolic links are reported, never followed. An error that closes
            /// the session ends the walk.
            pub fn walk_with(&mut self, path: impl AsRef<[u8]>, options: WalkOptions) -> Walk<'_> {
                Walk {
                    state: WalkState::new(path.as_ref(), options),
                    client: self,
                }
            }

            /// Walks the tree under `path` one directory at a time: each item is
            /// a directory's listing, every entry checked as in
            /// [`Client::walk_with`], within the same limits. Unlike
            /// [`Client::walk`], nothing is descended into unless the caller asks
            /// ([`DirWalk::descend`], [`DirWalk::follow`]), so that a caller can
            /// act on a whole directory (compare its names, start its files)
            /// before the next one is listed. Directories asked for during one
            /// item are listed next, in the order asked (depth first).
            ///
            #[doc = doc_for!($driver, r#"```no_run
# let mut ftp: ftp_client::Client = unimplemented!();
let mut walk = ftp.walk_dirs("pub", Default::default());
while let Some(listing) = walk.next() {
    let Ok(listing) = listing else { continue };
    for found in listing.items.iter().flatten() {
        if found.entry.is_dir() {
            walk.descend(found);
        }
    }
}
```"#, r#"```no_run
# async fn demo(ftp: &mut ftp_client::tokio::Client) {
let mut walk = ftp.walk_dirs("pub", Default::default());
while let Some(listing) = walk.next().await {
    let Ok(listing) = listing else { continue };
    for found in listing.items.iter().flatten() {
        if found.entry.is_dir() {
            walk.descend(found);
        }
    }
}
# }
```"#)]
            pub fn walk_dirs(&mut self, path: impl AsRef<[u8]>, options: WalkOptions) -> DirWalk<'_> {
                DirWalk {
                    state: DirWalkState::new(path.as_ref(), options),
                    client: self,
                }
            }
        }

        impl Walk<'_> {
            /// The next entry, listing directories as the walk's state asks.
            $($async)? fn advance(&mut self) -> Option<Result<WalkEntry>> {
                loop {
                    match self.state.step() {
                        WalkNext::Item(item) => return Some(item),
                        WalkNext::Done => return None,
                        WalkNext::List(dir) => {
                            let listing = self.client.walk_entries(&dir) $($await)*;
                            if let Some(error) = self.state.listed(listing, self.client.is_closed()) {
                                return Some(error);
                            }
                        }
                    }
                }
            }
        }

        impl DirWalk<'_> {
            /// The next directory's listing, or the error that replaced it.
            $($async)? fn advance(&mut self) -> Option<Result<WalkDir>> {
                let dir = self.state.next_dir()?;
                let listing = self.client.walk_entries(&dir) $($await)*;
                Some(self.state.listed(listing, self.client.is_closed()))
            }

            /// Lists again, next, the directory whose listing just failed (the
            /// last item was an error): after a transient refusal (4xx, such as
            /// a 425 when the server's passive ports are all taken), the same
            /// listing may succeed a moment later. Does nothing otherwise.
            pub fn retry(&mut self) {
                self.state.retry();
            }

            /// The walk's session, for questions between listings (such as where a
            /// symbolic link leads).
            pub fn client(&mut self) -> &mut Client {
                self.client
            }

            /// Lists `found`, a directory entry of a listing this walk gave,
            /// after the current directory. Anything else is ignored.
            pub fn descend(&mut self, found: &WalkEntry) {
                self.state.descend(found);
            }

            /// Follows `found`, a symbolic link of the listing this walk gave
            /// last, as a directory: it is listed by its own path (the server
            /// resolves it), so what is found under it keeps the link's name and
            /// stays under the walk's root. Refused with [`Error::WalkLimit`]:
            ///
            /// - a link to a directory it is in (its target, resolved against
            ///   where the link really is, is that directory or above it): a loop;
            ///   a link to a directory elsewhere, even one copied already, is
            ///   followed; where the listing gives no target, the followed
            ///   directory's listing is refused instead if its MLSD `cdir` has the
            ///   `unique` fact of a directory above it;
            /// - more than [`MAX_LINKS`](crate::MAX_LINKS) links on the way from the root, or the
            ///   depth limit: a server that hides a loop behind ever new names, or
            ///   an absolute target that cannot be compared with a relative root,
            ///   is stopped there.
            ///
            /// A link that turns out not to be a directory fails when listed.
            pub fn follow(&mut self, found: &WalkEntry) -> Result<()> {
                self.state.follow(found)
            }
        }
    };
}
