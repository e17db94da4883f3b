//! TLS for FTPS (RFC 4217): the rustls client configuration of a session,
//! the streams that carry the control and data connections, and the
//! handshake with its errors in words.
//!
//! The session (`ftp-proto`) decides *when* a connection is secured; this
//! module only does it. One [`rustls::ClientConfig`] serves a whole
//! session, and every data connection is opened with the control
//! connection's server name: its session store then holds the control
//! connection's tickets, so each data connection resumes the control
//! session, as vsftpd and proFTPD require.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::Resumption;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, HandshakeKind, RootCertStore,
    SignatureScheme, StreamOwned,
};

use crate::error::{Error, Result};

#[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
compile_error!(
    "ftp-client needs a TLS crypto provider: enable its feature `aws-lc-rs` (the default) \
     or `ring` (no C compiler needed)"
);

/// The TLS library FTPS uses, for `--version` and bug reports.
#[cfg(feature = "aws-lc-rs")]
pub const TLS_LIBRARY: &str =
    "rustls 0.23 (aws-lc-rs provider), system roots via rustls-native-certs 0.8";
/// The TLS library FTPS uses, for `--version` and bug reports.
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
pub const TLS_LIBRARY: &str =
    "rustls 0.23 (ring provider), system roots via rustls-native-certs 0.8";

/// The crypto provider sessions use, chosen by this crate's features:
/// aws-lc-rs when its feature is on (the default, and the choice when both
/// are), else ring. Always passed explicitly, so a process-wide default
/// another crate installs changes nothing here.
fn provider() -> rustls::crypto::CryptoProvider {
    #[cfg(feature = "aws-lc-rs")]
    return rustls::crypto::aws_lc_rs::default_provider();
    // rustls 0.23.48 deprecates this provider (no post-quantum key
    // exchange); it stays for builds without a C compiler, by choice.
    #[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
    #[allow(deprecated)]
    return rustls::crypto::ring::default_provider();
    // Never compiled: the compile_error above stops the build first.
    #[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
    unreachable!()
}

/// Which certificates a TLS session trusts.
///
/// ```
/// use ftp_client::{Config, TlsMode, Trust};
/// let config = Config {
///     tls: TlsMode::Explicit,
///     tls_trust: Trust::CaFile("company-ca.pem".into()),
///     ..Config::default()
/// };
/// # let _ = config;
/// ```
#[derive(Debug, Clone, Default)]
pub enum Trust {
    /// The operating system's root certificates (read from its store
    /// through `rustls-native-certs`), and the certificate must name the
    /// host (or carry its IP address).
    #[default]
    SystemRoots,
    /// Only the root certificates in this PEM file (as curl's `--cacert`);
    /// the name is checked as with [`Trust::SystemRoots`].
    CaFile(PathBuf),
    /// Any certificate, unchecked: the connection is encrypted but the
    /// server is not authenticated, so anyone in the path can read it.
    /// Only for tests and servers you reach over a network you trust.
    AcceptAnyCertificate,
    /// A configuration of your own, used as it is (its verifier, versions,
    /// session store; [`Config::tls_max_version`](crate::Config) does not
    /// apply). Keep its resumption store enabled: servers that require
    /// session reuse refuse data connections otherwise.
    Custom(Arc<ClientConfig>),
}

/// The newest TLS version a session may use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TlsVersion {
    /// TLS 1.2 at most: an escape hatch for servers whose TLS 1.3 session
    /// resumption is broken.
    Tls12,
    /// TLS 1.3 (and 1.2 for servers without it). A server whose greeting
    /// names proFTPD gets TLS 1.2 at most: see
    /// [`ftp_proto::tls_tickets`].
    #[default]
    Tls13,
}

/// The TLS settings of one session, built once when it connects.
#[derive(Debug, Clone)]
pub(crate) struct TlsContext {
    pub(crate) config: Arc<ClientConfig>,
    /// The control connection's server name, used for every connection.
    pub(crate) server_name: ServerName<'static>,
}

impl TlsContext {
    /// A session's TLS: `config` (from [`client_config`]), and the name
    /// certificates must match (`name`: a host name or an IP address).
    pub(crate) fn new(config: TlsConfig, name: &str) -> Result<Self> {
        let server_name = ServerName::try_from(name.to_owned())
            .map_err(|_| Error::InvalidUrl(format!("{name:?} is not a host name TLS can check")))?;
        Ok(TlsContext {
            config: config.config,
            server_name,
        })
    }

    /// The same server name with another configuration.
    pub(crate) fn with_config(&self, config: TlsConfig) -> Self {
        TlsContext {
            config: config.config,
            server_name: self.server_name.clone(),
        }
    }

    /// A TLS client for one connection of the session.
    fn connection(&self) -> Result<ClientConnection> {
        ClientConnection::new(self.config.clone(), self.server_name.clone()).map_err(|source| {
            Error::Tls {
                during: "setting up TLS".to_owned(),
                source,
            }
        })
    }

    /// Runs the handshake on `tcp` (whose timeouts bound every step) and
    /// returns the secured stream.
    pub(crate) fn handshake(&self, tcp: TcpStream, during: &str) -> Result<Stream> {
        let mut tcp = BufSock::new(tcp);
        let mut conn = self.connection()?;
        let done = (|| {
            while conn.is_handshaking() {
                conn.complete_io(&mut tcp)?;
            }
            while conn.wants_write() {
                conn.write_tls(&mut tcp)?;
            }
            Ok::<(), io::Error>(())
        })();
        let timeout = tcp
            .tcp
            .read_timeout()
            .ok()
            .flatten()
            .unwrap_or(Duration::ZERO);
        done.map_err(|e| tls_io_error(during, e, timeout))?;
        Ok(Stream::Tls(Box::new(StreamOwned::new(conn, tcp))))
    }
}

/// A session's rustls configuration.
#[derive(Debug, Clone)]
pub(crate) struct TlsConfig {
    config: Arc<ClientConfig>,
}

/// The client configuration for `trust` and `max`: built once per session,
/// before connecting (a missing CA file fails without a connection).
pub(crate) fn client_config(trust: &Trust, max: TlsVersion) -> Result<TlsConfig> {
    let roots = match trust {
        Trust::Custom(config) => {
            return Ok(TlsConfig {
                config: config.clone(),
            });
        }
        Trust::SystemRoots => Some(system_roots()?),
        Trust::CaFile(path) => Some(roots_from_file(path)?),
        Trust::AcceptAnyCertificate => None,
    };
    let provider = Arc::new(provider());
    let versions: &[&rustls::SupportedProtocolVersion] = match max {
        TlsVersion::Tls12 => &[&rustls::version::TLS12],
        TlsVersion::Tls13 => &[&rustls::version::TLS13, &rustls::version::TLS12],
    };
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(|source| Error::Tls {
            during: "setting up TLS".to_owned(),
            source,
        })?;
    let mut config = match roots {
        Some(roots) => builder.with_root_certificates(roots),
        None => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny {
                algorithms: provider.signature_verification_algorithms,
            })),
    }
    .with_no_client_auth();
    // One store per session (per config): it keeps the control
    // connection's session (TLS 1.2) or tickets (TLS 1.3), and those each
    // data connection receives, for the next ones to resume. TLS 1.3
    // tickets are used once each.
    config.resumption = Resumption::in_memory_sessions(64);
    Ok(TlsConfig {
        config: Arc::new(config),
    })
}

fn system_roots() -> Result<RootCertStore> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        let why = found
            .errors
            .first()
            .map_or_else(|| "none found".to_owned(), ToString::to_string);
        return Err(Error::io(
            "loading the system's root certificates",
            io::Error::new(io::ErrorKind::NotFound, why),
        ));
    }
    Ok(roots)
}

fn roots_from_file(path: &std::path::Path) -> Result<RootCertStore> {
    let during = || format!("reading CA certificates from {}", path.display());
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<std::result::Result<_, _>>())
        .map_err(|e| Error::io(during(), io::Error::new(io::ErrorKind::InvalidData, e)))?;
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(Error::io(
            during(),
            io::Error::new(io::ErrorKind::InvalidData, "no PEM certificate in it"),
        ));
    }
    Ok(roots)
}

/// Accepts any certificate, but still checks that the server holds the
/// key of the one it sent (the handshake's signatures).
#[derive(Debug)]
struct AcceptAny {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// A connection, in clear or through TLS. Socket timeouts apply to both:
/// rustls reads and writes the same socket.
#[derive(Debug)]
pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, BufSock>>),
}

impl Stream {
    /// The socket underneath.
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(tls) => &tls.sock.tcp,
        }
    }

    /// The socket, when the connection is in clear (the zero-copy paths).
    pub(crate) fn plain(&self) -> Option<&TcpStream> {
        match self {
            Stream::Plain(tcp) => Some(tcp),
            Stream::Tls(_) => None,
        }
    }

    pub(crate) fn is_tls(&self) -> bool {
        matches!(self, Stream::Tls(_))
    }

    /// Whether a read would find bytes already taken off the socket (TLS
    /// records read ahead, or plaintext a short read left): a wait on the
    /// socket alone would miss them. An error to report counts: the read
    /// reports it.
    pub(crate) fn has_pending(&mut self) -> bool {
        match self {
            Stream::Plain(_) => false,
            Stream::Tls(tls) => {
                tls.sock.start < tls.sock.end
                    || tls
                        .conn
                        .process_new_packets()
                        .map_or(true, |state| state.plaintext_bytes_to_read() > 0)
            }
        }
    }

    /// Version, cipher suite and whether the session was resumed, for logs.
    pub(crate) fn describe(&self) -> Option<String> {
        let Stream::Tls(tls) = self else { return None };
        Some(describe(&tls.conn))
    }

    /// Whether the TLS session was resumed (`None` in clear).
    pub(crate) fn resumed(&self) -> Option<bool> {
        match self {
            Stream::Tls(tls) => Some(resumed(&tls.conn)),
            Stream::Plain(_) => None,
        }
    }

    /// Ends the sending side. In clear the socket's FIN is the end of the
    /// data. Over TLS close_notify is (what vsftpd's `strict_ssl_read_eof`
    /// wants), then the FIN unless `tunnelled`: through a proxy that cannot
    /// carry a half-close (microsocks, tinyproxy) the client's FIN would
    /// close both ways and reset the server's side while it still reads the
    /// upload, so there the server closes first ([`Stream::await_close`];
    /// `route::may_lack_half_close`).
    pub(crate) fn finish_sending(&mut self, tunnelled: bool) -> io::Result<()> {
        if let Stream::Tls(tls) = self {
            tls.flush()?;
            tls.conn.send_close_notify();
            while tls.conn.wants_write() {
                tls.conn.write_tls(&mut tls.sock)?;
            }
            if tunnelled {
                return Ok(());
            }
        }
        self.tcp().shutdown(Shutdown::Write)
    }

    /// Best effort, for a connection being dropped: TLS close_notify,
    /// without waiting more than the socket's write timeout.
    pub(crate) fn close_notify(&mut self) {
        if let Stream::Tls(tls) = self {
            tls.conn.send_close_notify();
            while tls.conn.wants_write() {
                if tls.conn.write_tls(&mut tls.sock).is_err() {
                    break;
                }
            }
        }
    }

    /// After an upload's end was sent ([`Stream::finish_sending`]): reads
    /// until the server closes, within `timeout`. This takes in what the
    /// upload never read: under TLS 1.3 the session tickets the next data
    /// connections resume with (each ticket resumes one connection), and
    /// the server's close_notify. And the socket is never closed with the
    /// server's records unread: the kernel would then reset the connection,
    /// and the server could lose the end of the upload still in its
    /// buffers.
    pub(crate) fn await_close(&mut self, timeout: Duration) {
        // In clear the server sends nothing on an upload's connection.
        if !self.is_tls() {
            return;
        }
        let _ = self
            .tcp()
            .set_read_timeout(Some(timeout.max(Duration::from_millis(1))));
        let mut scratch = vec![0u8; 16 * 1024];
        loop {
            let read = match self {
                Stream::Plain(tcp) => tcp.read(&mut scratch),
                Stream::Tls(tls) => match tls.conn.read_tls(&mut tls.sock) {
                    Ok(0) => Ok(0),
                    Ok(n) => {
                        let _ = tls.conn.process_new_packets();
                        discard_plaintext(tls);
                        Ok(n)
                    }
                    Err(e) => Err(e),
                },
            };
            match read {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    }
}

/// Drops application data a server sent where none belongs (on an upload).
fn discard_plaintext(tls: &mut StreamOwned<ClientConnection, BufSock>) {
    let mut scratch = [0u8; 4096];
    while let Ok(n) = tls.conn.reader().read(&mut scratch) {
        if n == 0 {
            break;
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(tcp) => tcp.read(buf),
            Stream::Tls(tls) => tls.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(tcp) => tcp.write(buf),
            Stream::Tls(tls) => tls.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Stream::Plain(tcp) => tcp.write_all(buf),
            Stream::Tls(tls) => tls.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(tcp) => tcp.flush(),
            Stream::Tls(tls) => tls.flush(),
        }
    }
}

/// A TLS connection's version, cipher suite and whether its session was
/// resumed, for logs (both drivers).
pub(crate) fn describe(conn: &ClientConnection) -> String {
    let version = conn
        .protocol_version()
        .map_or_else(|| "TLS".to_owned(), |v| format!("{v:?}"));
    let suite = conn
        .negotiated_cipher_suite()
        .map_or_else(String::new, |s| format!("{:?}", s.suite()));
    let kind = if resumed(conn) {
        "session resumed"
    } else {
        "new session"
    };
    format!("{version}, {suite}, {kind}")
}

/// Whether a TLS connection resumed an earlier session (both drivers).
pub(crate) fn resumed(conn: &ClientConnection) -> bool {
    conn.handshake_kind() == Some(HandshakeKind::Resumed)
}

/// The socket under a TLS stream, read in large pieces: rustls asks for one
/// record (16 KiB) at a time, and a system call for each made downloads
/// spend their time in the kernel. Writes go straight through.
#[derive(Debug)]
pub(crate) struct BufSock {
    tcp: TcpStream,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
}

/// The most one read of a TLS socket takes in.
const SOCKET_READ: usize = 256 * 1024;

impl BufSock {
    fn new(tcp: TcpStream) -> Self {
        BufSock {
            tcp,
            buf: Box::default(),
            start: 0,
            end: 0,
        }
    }
}

impl Read for BufSock {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.start == self.end {
            if self.buf.is_empty() {
                self.buf = vec![0; SOCKET_READ].into_boxed_slice();
            }
            self.start = 0;
            self.end = self.tcp.read(&mut self.buf)?;
        }
        let n = out.len().min(self.end - self.start);
        out[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
        self.start += n;
        Ok(n)
    }
}

impl Write for BufSock {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.tcp.write(data)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

/// Whether `error` is a TLS stream's end without close_notify.
pub(crate) fn is_unclean_end(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::UnexpectedEof
}

/// The rustls error inside an I/O error, if there is one.
pub(crate) fn rustls_error(error: &io::Error) -> Option<rustls::Error> {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .cloned()
}

/// An I/O error of a TLS connection as this crate's error: a TLS failure
/// in words, a timeout, or the I/O error.
pub(crate) fn tls_io_error(during: &str, error: io::Error, timeout: Duration) -> Error {
    match rustls_error(&error) {
        Some(source) => Error::Tls {
            during: during.to_owned(),
            source,
        },
        None if error.kind() == io::ErrorKind::UnexpectedEof => Error::io(
            during,
            io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection during the TLS handshake",
            ),
        ),
        None => Error::io_or_timeout(during, error, timeout),
    }
}

#[cfg(test)]
mod library_tests {
    /// [`super::TLS_LIBRARY`] names the versions the lock file holds.
    #[test]
    fn tls_library_names_the_locked_versions() {
        let lock = include_str!("../../Cargo.lock");
        for (name, version) in [("rustls", "0.23."), ("rustls-native-certs", "0.8.")] {
            let entry = format!("name = \"{name}\"\nversion = \"{version}");
            assert!(lock.contains(&entry), "Cargo.lock has no {name} {version}x");
            assert!(
                super::TLS_LIBRARY.contains(&format!("{name} {}", version.trim_end_matches('.')))
            );
        }
    }
}
