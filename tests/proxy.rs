//! Sessions through a proxy (`Config::proxy`), with both drivers, against
//! the in-process libunftp server behind the test support's SOCKS5 and
//! HTTP CONNECT proxy: the control and every data connection through it
//! (passive mode; active mode through SOCKS5 BIND), TLS end to end, and
//! each fault a proxy can answer with: one error naming the proxy and what
//! it said, nothing reaching the server, no file changed.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ftp_client::{
    Client, Config, Connector, DataMode, Error, FtpUrl, HandshakeError, Proxy, ProxyFailure,
    Target, Trust,
};
use ftp_suite::drive::block_on;
use ftp_suite::proxy::{ProxyFault, ProxyKind, TestProxy};
use ftp_suite::{FtpsSetup, Leaf, TestPki, TestServer};

const TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy)]
enum Driver {
    Blocking,
    Tokio,
}

const DRIVERS: [Driver; 2] = [Driver::Blocking, Driver::Tokio];

fn config(proxy: &str) -> Config {
    Config {
        proxy: Some(Proxy::parse(proxy).expect("the proxy URL")),
        connect_timeout: TIMEOUT,
        control_timeout: Duration::from_secs(10),
        data_timeout: Duration::from_secs(10),
        final_reply_timeout: Duration::from_secs(10),
        ..Config::default()
    }
}

/// Connects to `url`, uploads, downloads and lists; the names listed.
fn round_trip(driver: Driver, url: &str, config: Config) -> Result<Vec<String>, Error> {
    let url = FtpUrl::parse(url)?;
    let body = b"through the tunnel\n";
    match driver {
        Driver::Blocking => {
            let mut ftp = Client::connect_url(&url, config)?;
            ftp.store("a.txt", &mut &body[..])?;
            let mut back = Vec::new();
            ftp.retrieve("a.txt", &mut back)?;
            assert_eq!(back, body);
            let names = ftp.nlst("")?;
            ftp.quit()?;
            Ok(names)
        }
        Driver::Tokio => block_on(async {
            let mut ftp = ftp_client::tokio::Client::connect_url(&url, config).await?;
            ftp.store("a.txt", &mut &body[..]).await?;
            let mut back = Vec::new();
            ftp.retrieve("a.txt", &mut back).await?;
            assert_eq!(back, body);
            let names = ftp.nlst("").await?;
            ftp.quit().await?;
            Ok(names)
        }),
    }
}

/// The server's URL by name (`localhost`), for proxies that resolve it.
fn by_name(server: &TestServer) -> String {
    server.url("").replace("127.0.0.1", "localhost")
}

#[test]
fn passive_sessions_go_through_each_kind_of_proxy() {
    let cases = [
        (ProxyKind::Socks5, "socks5", None),
        (ProxyKind::Socks5, "socks5h", None),
        (ProxyKind::Socks5, "socks5h", Some(("alice", "s3cret"))),
        (ProxyKind::Http, "http", None),
        (ProxyKind::Http, "http", Some(("alice", "s3cret"))),
    ];
    for (kind, scheme, login) in cases {
        for driver in DRIVERS {
            let server = TestServer::start();
            let proxy = TestProxy::start(kind, login, None);
            let url = if scheme == "socks5" {
                server.url("")
            } else {
                by_name(&server)
            };
            let names = round_trip(driver, &url, config(&proxy.url(scheme)))
                .unwrap_or_else(|e| panic!("{scheme} {login:?} {driver:?}: {e}"));
            assert_eq!(names, ["a.txt"]);
            // The control connection and the three data connections.
            assert_eq!(proxy.tunnels(), 4, "{scheme} {driver:?}");
        }
    }
}

#[test]
fn active_mode_goes_through_socks5_bind() {
    for driver in DRIVERS {
        let server = TestServer::start();
        let proxy = TestProxy::start(ProxyKind::Socks5, None, None);
        let config = Config {
            data_mode: DataMode::Active { address: None },
            ..config(&proxy.url("socks5"))
        };
        let names = round_trip(driver, &server.url(""), config)
            .unwrap_or_else(|e| panic!("{driver:?}: {e}"));
        assert_eq!(names, ["a.txt"]);
        assert_eq!((proxy.tunnels(), proxy.binds()), (1, 3), "{driver:?}");
    }
}

#[test]
fn active_mode_through_http_is_refused_before_connecting() {
    let server = TestServer::start();
    let proxy = TestProxy::start(ProxyKind::Http, None, None);
    for driver in DRIVERS {
        let config = Config {
            data_mode: DataMode::Active { address: None },
            ..config(&proxy.url("http"))
        };
        let err = round_trip(driver, &server.url(""), config).unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Proxy {
                    failure: ProxyFailure::ActiveOverHttp,
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("active mode is impossible through an HTTP proxy"),
            "{err}"
        );
    }
    assert_eq!(proxy.tunnels(), 0);
    assert_eq!(std::fs::read_dir(server.root()).unwrap().count(), 0);
}

/// A TLS session (TLS 1.3) through a proxy of `kind` that misbehaves as
/// `fault` says, with each driver: the proxy, once the round trip (upload,
/// download, listing) succeeded, and the server.
fn tls_round_trips(
    fault: Option<ProxyFault>,
    check: impl Fn(&str, Driver, &TestProxy, &TestServer),
) {
    let pki = TestPki::new();
    for (kind, scheme) in [(ProxyKind::Socks5, "socks5h"), (ProxyKind::Http, "http")] {
        for driver in DRIVERS {
            let server = TestServer::start_ftps(FtpsSetup {
                leaf: pki.leaf(Leaf::Good),
                tls13: true,
            });
            let proxy = TestProxy::start(kind, None, fault);
            let config = Config {
                tls: ftp_client::TlsMode::Explicit,
                tls_trust: Trust::CaFile(pki.ca_file()),
                // The certificate names the IP; the proxy is given the name.
                tls_server_name: Some("127.0.0.1".to_owned()),
                ..config(&proxy.url(scheme))
            };
            let names = round_trip(driver, &by_name(&server), config)
                .unwrap_or_else(|e| panic!("{scheme} {driver:?}: {e}"));
            assert_eq!(names, ["a.txt"]);
            assert_eq!(proxy.tunnels(), 4, "{scheme} {driver:?}");
            check(scheme, driver, &proxy, &server);
        }
    }
}

#[test]
fn tls_runs_end_to_end_through_the_tunnel() {
    tls_round_trips(None, |_, _, _, _| {});
}

/// microsocks and tinyproxy carry no half-close: the first FIN through
/// them ends the tunnel both ways. A TLS upload that ended with close_notify
/// and then a FIN had vsftpd reset there before it read the upload's end.
/// Through a proxy, over TLS, the client ends an upload with close_notify
/// alone and lets the server close first, as it does after a download or a
/// listing; only the control connection, after the server's 221, may end
/// on the client's side.
#[test]
fn over_tls_the_server_closes_first_so_a_proxy_without_half_close_cuts_nothing() {
    tls_round_trips(
        Some(ProxyFault::NoHalfClose),
        |scheme, driver, proxy, server| {
            let stored = std::fs::read(server.root().join("a.txt")).unwrap();
            assert_eq!(stored, b"through the tunnel\n", "{scheme} {driver:?}");
            // The upload's, the download's and the listing's data
            // connections: the server ended each.
            assert!(proxy.client_ended_first() <= 1, "{scheme} {driver:?}");
        },
    );
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Runs a session through `proxy_url` with each driver: it must fail with
/// an [`Error::Proxy`] that `check` accepts, whose one line names the
/// proxy (without the password) and what it said, within the bound;
/// nothing reaches the server and no file changes.
fn fails(
    proxy_url: &str,
    tunnels: impl Fn() -> usize,
    check: impl Fn(&ProxyFailure) -> bool,
    says: &str,
) {
    for driver in DRIVERS {
        let server = TestServer::start();
        let started = Instant::now();
        let err = round_trip(driver, &by_name(&server), config(proxy_url)).unwrap_err();
        let elapsed = started.elapsed();
        let text = err.to_string();
        let Error::Proxy { failure, proxy, .. } = &err else {
            panic!("{driver:?} {proxy_url}: not a proxy error: {text}");
        };
        assert!(check(failure), "{driver:?} {proxy_url}: {text}");
        assert!(
            text.contains(proxy.as_str()) && text.contains(says),
            "{driver:?}: {text}"
        );
        assert!(!text.contains("wrong-pw") && !text.contains('\n'), "{text}");
        assert!(
            elapsed < TIMEOUT * 3,
            "{driver:?} {proxy_url}: took {elapsed:?}"
        );
        assert_eq!(
            tunnels(),
            0,
            "{driver:?} {proxy_url}: something reached the server"
        );
        assert_eq!(std::fs::read_dir(server.root()).unwrap().count(), 0);
    }
}

#[test]
fn a_proxy_that_refuses_the_connection_is_named() {
    let url = format!("socks5h://127.0.0.1:{}", closed_port());
    fails(
        &url,
        || 0,
        |f| matches!(f, ProxyFailure::Unreachable(_)),
        "cannot reach the proxy",
    );
}

#[test]
fn a_rejected_login_is_named_without_its_password() {
    let socks = TestProxy::start(ProxyKind::Socks5, Some(("alice", "right")), None);
    let url = socks.url("socks5h").replace("right", "wrong-pw");
    let rejected = |f: &ProxyFailure| matches!(f, ProxyFailure::Handshake(HandshakeError::LoginRejected { user }) if user == "alice");
    fails(
        &url,
        || socks.tunnels(),
        rejected,
        "rejected the login of user \"alice\"",
    );
    let http = TestProxy::start(ProxyKind::Http, Some(("alice", "right")), None);
    let url = http.url("http").replace("right", "wrong-pw");
    fails(&url, || http.tunnels(), rejected, "rejected the login");
    // No login at all: SOCKS5 says it wants one, HTTP answers 407.
    let required =
        |f: &ProxyFailure| matches!(f, ProxyFailure::Handshake(HandshakeError::LoginRequired));
    fails(
        &format!("socks5h://{}", socks.addr()),
        || socks.tunnels(),
        required,
        "requires a login",
    );
    let status = |f: &ProxyFailure| {
        matches!(
            f,
            ProxyFailure::Handshake(HandshakeError::Http { status: 407, .. })
        )
    };
    fails(
        &format!("http://{}", http.addr()),
        || http.tunnels(),
        status,
        "HTTP 407",
    );
}

#[test]
fn refusals_keep_what_the_proxy_said() {
    let socks = TestProxy::start(ProxyKind::Socks5, None, Some(ProxyFault::Refuse));
    let not_allowed = |f: &ProxyFailure| {
        matches!(
            f,
            ProxyFailure::Handshake(HandshakeError::Socks { code: 2 })
        )
    };
    fails(
        &socks.url("socks5h"),
        || socks.tunnels(),
        not_allowed,
        "SOCKS5 reply 2: connection not allowed by ruleset",
    );
    let http = TestProxy::start(ProxyKind::Http, None, Some(ProxyFault::Refuse));
    let forbidden = |f: &ProxyFailure| {
        matches!(
            f,
            ProxyFailure::Handshake(HandshakeError::Http { status: 403, .. })
        )
    };
    fails(
        &http.url("http"),
        || http.tunnels(),
        forbidden,
        "HTTP 403 Forbidden by test rules",
    );
}

#[test]
fn a_silent_proxy_times_out_within_the_connect_timeout() {
    for kind in [ProxyKind::Socks5, ProxyKind::Http] {
        let proxy = TestProxy::start(kind, None, Some(ProxyFault::Silent));
        let timeout =
            |f: &ProxyFailure| matches!(f, ProxyFailure::Timeout(after) if *after == TIMEOUT);
        fails(
            &proxy.default_url(),
            || proxy.tunnels(),
            timeout,
            "no answer from the proxy within 1s",
        );
    }
}

#[test]
fn a_malformed_proxy_url_is_refused_before_any_connection() {
    for bad in [
        "socks4://127.0.0.1",
        "socks5://u:secret@127.0.0.1:notaport",
        "127.0.0.1:1080",
    ] {
        let err = Proxy::parse(bad).unwrap_err();
        assert!(matches!(err, Error::InvalidProxy { .. }), "{err}");
        assert!(!err.to_string().contains("secret"), "{err}");
    }
}

/// A connector that connects directly, counting its calls.
#[derive(Debug, Default)]
struct Counting(AtomicUsize);

impl Connector for Counting {
    fn connect(&self, target: &Target, timeout: Duration) -> std::io::Result<std::net::TcpStream> {
        self.0.fetch_add(1, Ordering::SeqCst);
        match target {
            Target::Addr(addr) => std::net::TcpStream::connect_timeout(addr, timeout),
            Target::Name { host, port } => std::net::TcpStream::connect((host.as_str(), *port)),
        }
    }
}

#[test]
fn a_connector_opens_every_connection() {
    for driver in DRIVERS {
        let server = TestServer::start();
        let connector = Arc::new(Counting::default());
        let config = Config {
            connector: Some(connector.clone()),
            ..Config::default()
        };
        let names = round_trip(driver, &by_name(&server), config)
            .unwrap_or_else(|e| panic!("{driver:?}: {e}"));
        assert_eq!(names, ["a.txt"]);
        assert_eq!(connector.0.load(Ordering::SeqCst), 4, "{driver:?}");
    }
}
