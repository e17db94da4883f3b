//! Real FTP servers started in-process, for the examples and the tests.
//!
//! [`TestServer`] runs libunftp (a complete FTP server written in Rust) with
//! its local-filesystem back end on `127.0.0.1`, on a free port, serving a
//! fresh temporary directory. It accepts the user `test` with password
//! `secret`, and anonymous logins, on the same root.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use libunftp::ServerBuilder;
use libunftp::options::{ActivePassiveMode, FtpsRequired, TlsFlags};
use tokio::runtime::Runtime;
use unftp_core::auth::{AuthenticationError, Authenticator, Credentials, Principal};
use unftp_sbe_fs::Filesystem;

/// Fails a matrix case with a message unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err(libtest_mimic::Failed::from(format!($($arg)+)));
        }
    };
}

pub mod drive;
pub mod driver;
pub mod fault;
pub mod fault_cases;
pub mod hostile;
pub mod login_root;
pub mod matrix;
pub mod proxy;
mod relay;
pub mod scenarios;
pub mod tls;
pub mod tls_scenarios;

pub use fault::{FaultServer, Peer};
pub use tls::{Leaf, LeafFiles, TestPki};

/// The README's Rust snippets, compiled and checked as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The names in a local directory, sorted: what a case left behind.
pub fn local_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The test server's login user.
pub const USER: &str = "test";
/// The test server's login password.
pub const PASSWORD: &str = "secret";

/// Accepts `test`/`secret`, and `anonymous` with any password.
#[derive(Debug)]
struct TestAuthenticator;

#[async_trait]
impl Authenticator for TestAuthenticator {
    async fn authenticate(
        &self,
        username: &str,
        creds: &Credentials,
    ) -> Result<Principal, AuthenticationError> {
        let password_ok = username == "anonymous"
            || (username == USER && creds.password.as_deref() == Some(PASSWORD));
        if password_ok {
            Ok(Principal {
                username: username.to_owned(),
            })
        } else {
            Err(AuthenticationError::BadPassword)
        }
    }
}

/// A running FTP server; stopped when dropped.
pub struct TestServer {
    addr: SocketAddr,
    addr6: Option<SocketAddr>,
    root: tempfile::TempDir,
    runtime: Option<Runtime>,
    /// Whether it requires explicit TLS (its URLs are `ftpes://`).
    ftps: bool,
}

/// How an FTPS [`TestServer`] runs TLS.
#[derive(Debug, Clone)]
pub struct FtpsSetup {
    /// Its certificate and key.
    pub leaf: LeafFiles,
    /// TLS 1.3 offered (else TLS 1.2 only).
    pub tls13: bool,
}

impl TestServer {
    /// Starts a server on `127.0.0.1` serving a new temporary directory.
    ///
    /// # Panics
    /// If the runtime, the directory or the listening socket cannot be
    /// created: the tests cannot run without them.
    pub fn start() -> TestServer {
        TestServer::start_on(false, None)
    }

    /// Like [`TestServer::start`], and also listening on `[::1]` (on a port
    /// of its own) where the machine has IPv6 loopback; see
    /// [`TestServer::addr6`].
    pub fn start_dual_stack() -> TestServer {
        TestServer::start_on(true, None)
    }

    /// Starts a server that requires explicit TLS (AUTH TLS, PROT P) on
    /// the control and data connections of every login, with session
    /// resumption by IDs and tickets; on `[::1]` too if `ipv6` and the
    /// machine has IPv6 loopback.
    ///
    /// # Panics
    /// As [`TestServer::start`].
    pub fn start_ftps(setup: FtpsSetup) -> TestServer {
        TestServer::start_on(false, Some(setup))
    }

    /// [`TestServer::start_ftps`] on `127.0.0.1` and `[::1]`.
    pub fn start_ftps_dual_stack(setup: FtpsSetup) -> TestServer {
        TestServer::start_on(true, Some(setup))
    }

    fn start_on(ipv6: bool, ftps: Option<FtpsSetup>) -> TestServer {
        let is_ftps = ftps.is_some();
        let root = tempfile::tempdir().expect("create the server's root directory");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("start the server's runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind the server's control port");
        let mut listeners = vec![listener];
        if ipv6 {
            // No IPv6 loopback on this machine: the server is IPv4 only.
            if let Ok(listener6) = runtime.block_on(tokio::net::TcpListener::bind("[::1]:0")) {
                listeners.push(listener6);
            }
        }
        let mut addrs = Vec::new();
        for listener in listeners {
            let mut addr = listener.local_addr().expect("read the control port");
            if is_ftps {
                // See `relay`: libunftp's AUTH TLS race.
                let front = runtime
                    .block_on(tokio::net::TcpListener::bind(SocketAddr::new(addr.ip(), 0)))
                    .expect("bind the relay's port");
                let behind = addr;
                addr = front.local_addr().expect("read the relay's port");
                runtime.spawn(relay::serve(front, behind));
            }
            addrs.push(addr);
            let root_path: PathBuf = root.path().to_owned();
            let ftps = ftps.clone();
            runtime.spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let root_path = root_path.clone();
                    let mut builder = ServerBuilder::with_authenticator(
                        Box::new(move || {
                            Filesystem::new(root_path.clone()).expect("open the server's root")
                        }),
                        Arc::new(TestAuthenticator),
                    )
                    .greeting("libunftp test server ready")
                    .passive_ports(49152..=65534)
                    // PORT too (libunftp has no EPRT): the active-mode
                    // cases run here.
                    .active_passive_mode(ActivePassiveMode::ActiveAndPassive);
                    if let Some(setup) = &ftps {
                        let versions = if setup.tls13 {
                            TlsFlags::V1_2 | TlsFlags::V1_3
                        } else {
                            TlsFlags::V1_2
                        };
                        builder = builder
                            .ftps(setup.leaf.cert.clone(), setup.leaf.key.clone())
                            .ftps_tls_flags(
                                versions
                                    | TlsFlags::RESUMPTION_SESS_ID
                                    | TlsFlags::RESUMPTION_TICKETS,
                            )
                            .ftps_required(FtpsRequired::All, FtpsRequired::All);
                    }
                    if let Ok(server) = builder.build() {
                        tokio::spawn(server.service(stream));
                    }
                }
            });
        }
        TestServer {
            addr: addrs[0],
            addr6: addrs.get(1).copied(),
            root,
            runtime: Some(runtime),
            ftps: is_ftps,
        }
    }

    /// The control connection's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The control connection's address over IPv6, if the server was
    /// started with [`TestServer::start_dual_stack`] and the machine has
    /// IPv6 loopback.
    pub fn addr6(&self) -> Option<SocketAddr> {
        self.addr6
    }

    /// The directory the server serves: its files are the server's files.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// `ftp://test:secret@127.0.0.1:PORT/{path}` (`ftpes://` for an FTPS
    /// server); `path` must be percent-encoded already.
    pub fn url(&self, path: &str) -> String {
        format!("{}://{USER}:{PASSWORD}@{}/{path}", self.scheme(), self.addr)
    }

    /// `ftp://127.0.0.1:PORT/{path}` (`ftpes://` for an FTPS server), for
    /// anonymous access.
    pub fn anonymous_url(&self, path: &str) -> String {
        format!("{}://{}/{path}", self.scheme(), self.addr)
    }

    fn scheme(&self) -> &'static str {
        if self.ftps { "ftpes" } else { "ftp" }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
