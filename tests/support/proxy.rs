//! A minimal SOCKS5 (RFC 1928: CONNECT and BIND; RFC 1929 login) and HTTP
//! `CONNECT` proxy on `127.0.0.1`, for the tests' connections through a
//! proxy, and the faults real proxies are configured into: a refusal
//! (SOCKS5 "connection not allowed by ruleset", HTTP 403), a rejected
//! login (SOCKS5 status 1, HTTP 407), silence, and no half-close. It
//! counts the tunnels it opened, so a test can tell that nothing reached
//! the server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt, copy_bidirectional};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

/// Which protocol the proxy speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    /// SOCKS5.
    Socks5,
    /// HTTP `CONNECT`.
    Http,
}

/// How the proxy misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyFault {
    /// Refuses every request: SOCKS5 reply 2, HTTP 403.
    Refuse,
    /// Accepts the connection and never answers.
    Silent,
    /// Relays, but carries no half-close: the first side to end its
    /// sending ends the tunnel both ways, as microsocks and tinyproxy do.
    /// Counts the tunnels the client ended first
    /// ([`TestProxy::client_ended_first`]).
    NoHalfClose,
}

/// A running test proxy; stops when dropped.
pub struct TestProxy {
    addr: SocketAddr,
    kind: ProxyKind,
    login: Option<(String, String)>,
    tunnels: Arc<AtomicUsize>,
    binds: Arc<AtomicUsize>,
    client_ended_first: Arc<AtomicUsize>,
    _runtime: Runtime,
}

#[derive(Clone)]
struct Rules {
    kind: ProxyKind,
    login: Option<(String, String)>,
    fault: Option<ProxyFault>,
    tunnels: Arc<AtomicUsize>,
    binds: Arc<AtomicUsize>,
    client_ended_first: Arc<AtomicUsize>,
}

impl TestProxy {
    /// A proxy of `kind`, requiring `login` if given, misbehaving as
    /// `fault` says.
    pub fn start(
        kind: ProxyKind,
        login: Option<(&str, &str)>,
        fault: Option<ProxyFault>,
    ) -> TestProxy {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("start the proxy's runtime");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind the proxy's port");
        let addr = listener.local_addr().expect("the proxy's port");
        let login = login.map(|(u, p)| (u.to_owned(), p.to_owned()));
        let rules = Rules {
            kind,
            login: login.clone(),
            fault,
            tunnels: Arc::new(AtomicUsize::new(0)),
            binds: Arc::new(AtomicUsize::new(0)),
            client_ended_first: Arc::new(AtomicUsize::new(0)),
        };
        let (tunnels, binds) = (rules.tunnels.clone(), rules.binds.clone());
        let client_ended_first = rules.client_ended_first.clone();
        runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let rules = rules.clone();
                tokio::spawn(async move {
                    let _ = client.set_nodelay(true);
                    let _ = match rules.kind {
                        ProxyKind::Socks5 => socks5(client, &rules).await,
                        ProxyKind::Http => http(client, &rules).await,
                    };
                });
            }
        });
        TestProxy {
            addr,
            kind,
            login,
            tunnels,
            binds,
            client_ended_first,
            _runtime: runtime,
        }
    }

    /// The proxy's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The proxy's URL with `scheme` (`socks5`, `socks5h`, `http`) and its
    /// login, if it has one.
    pub fn url(&self, scheme: &str) -> String {
        match &self.login {
            Some((user, password)) => format!("{scheme}://{user}:{password}@{}", self.addr),
            None => format!("{scheme}://{}", self.addr),
        }
    }

    /// The URL of the proxy's own protocol: `socks5h://` or `http://`.
    pub fn default_url(&self) -> String {
        self.url(match self.kind {
            ProxyKind::Socks5 => "socks5h",
            ProxyKind::Http => "http",
        })
    }

    /// Tunnels opened to a destination (CONNECT), so far.
    pub fn tunnels(&self) -> usize {
        self.tunnels.load(Ordering::SeqCst)
    }

    /// Connections accepted through SOCKS5 BIND, so far.
    pub fn binds(&self) -> usize {
        self.binds.load(Ordering::SeqCst)
    }

    /// Tunnels whose client ended its sending before the server did, so
    /// far (counted with [`ProxyFault::NoHalfClose`] only).
    pub fn client_ended_first(&self) -> usize {
        self.client_ended_first.load(Ordering::SeqCst)
    }
}

/// Relays between `client` and `server` until both ended (a half-close
/// carried across), or, with [`ProxyFault::NoHalfClose`], until either
/// ended: then both sockets are closed at once.
async fn relay(rules: &Rules, mut client: TcpStream, mut server: TcpStream) -> std::io::Result<()> {
    if rules.fault != Some(ProxyFault::NoHalfClose) {
        return copy_bidirectional(&mut client, &mut server).await.map(drop);
    }
    let (mut client_in, mut client_out) = client.into_split();
    let (mut server_in, mut server_out) = server.into_split();
    tokio::select! {
        _ = tokio::io::copy(&mut client_in, &mut server_out) => {
            rules.client_ended_first.fetch_add(1, Ordering::SeqCst);
        }
        _ = tokio::io::copy(&mut server_in, &mut client_out) => {}
    }
    Ok(())
}

async fn socks5(mut client: TcpStream, rules: &Rules) -> std::io::Result<()> {
    let mut head = [0u8; 2];
    client.read_exact(&mut head).await?;
    let mut methods = vec![0u8; usize::from(head[1])];
    client.read_exact(&mut methods).await?;
    if rules.fault == Some(ProxyFault::Silent) {
        let mut rest = Vec::new();
        return client.read_to_end(&mut rest).await.map(drop);
    }
    match &rules.login {
        None => client.write_all(&[5, 0]).await?,
        Some(_) if !methods.contains(&2) => return client.write_all(&[5, 0xff]).await,
        Some((user, password)) => {
            client.write_all(&[5, 2]).await?;
            let given_user = read_field(&mut client, 1).await?;
            let given_password = read_field(&mut client, 0).await?;
            let ok = given_user == user.as_bytes() && given_password == password.as_bytes();
            client.write_all(&[1, if ok { 0 } else { 1 }]).await?;
            if !ok {
                return Ok(());
            }
        }
    }
    let mut request = [0u8; 4];
    client.read_exact(&mut request).await?;
    let host = match request[3] {
        1 => {
            let mut ip = [0u8; 4];
            client.read_exact(&mut ip).await?;
            std::net::Ipv4Addr::from(ip).to_string()
        }
        4 => {
            let mut ip = [0u8; 16];
            client.read_exact(&mut ip).await?;
            std::net::Ipv6Addr::from(ip).to_string()
        }
        _ => String::from_utf8_lossy(&read_field(&mut client, 0).await?).into_owned(),
    };
    let port = client.read_u16().await?;
    if rules.fault == Some(ProxyFault::Refuse) {
        return client.write_all(&socks_reply(2, None)).await;
    }
    if request[1] == 2 {
        return socks5_bind(client, rules).await;
    }
    let Ok(server) = TcpStream::connect((host.as_str(), port)).await else {
        return client.write_all(&socks_reply(5, None)).await;
    };
    rules.tunnels.fetch_add(1, Ordering::SeqCst);
    let _ = server.set_nodelay(true);
    client
        .write_all(&socks_reply(0, server.local_addr().ok()))
        .await?;
    relay(rules, client, server).await
}

/// BIND: listens, tells the client where, then who connected, then relays.
async fn socks5_bind(mut client: TcpStream, rules: &Rules) -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    client
        .write_all(&socks_reply(0, listener.local_addr().ok()))
        .await?;
    let (server, from) = listener.accept().await?;
    rules.binds.fetch_add(1, Ordering::SeqCst);
    let _ = server.set_nodelay(true);
    client.write_all(&socks_reply(0, Some(from))).await?;
    relay(rules, client, server).await
}

/// A length-prefixed field; `skip` bytes (a version) come first.
async fn read_field(client: &mut TcpStream, skip: usize) -> std::io::Result<Vec<u8>> {
    let mut skipped = vec![0u8; skip];
    client.read_exact(&mut skipped).await?;
    let len = client.read_u8().await?;
    let mut field = vec![0u8; usize::from(len)];
    client.read_exact(&mut field).await?;
    Ok(field)
}

fn socks_reply(code: u8, addr: Option<SocketAddr>) -> Vec<u8> {
    let mut reply = vec![5, code, 0];
    match addr {
        Some(SocketAddr::V6(a)) => {
            reply.push(4);
            reply.extend_from_slice(&a.ip().octets());
        }
        Some(SocketAddr::V4(a)) => {
            reply.push(1);
            reply.extend_from_slice(&a.ip().octets());
        }
        None => reply.extend_from_slice(&[1, 0, 0, 0, 0]),
    }
    reply.extend_from_slice(&addr.map_or(0, |a| a.port()).to_be_bytes());
    reply
}

async fn http(mut client: TcpStream, rules: &Rules) -> std::io::Result<()> {
    let mut header = Vec::new();
    while !header.ends_with(b"\r\n\r\n") && header.len() < 8192 {
        let byte = client.read_u8().await?;
        header.push(byte);
    }
    if rules.fault == Some(ProxyFault::Silent) {
        let mut rest = Vec::new();
        return client.read_to_end(&mut rest).await.map(drop);
    }
    let text = String::from_utf8_lossy(&header).into_owned();
    let authority = text
        .strip_prefix("CONNECT ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_default()
        .to_owned();
    if let Some((user, password)) = &rules.login {
        let expected = format!("Basic {}", base64(format!("{user}:{password}").as_bytes()));
        let given = text.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("proxy-authorization")
                .then(|| value.trim().to_owned())
        });
        if given.as_deref() != Some(expected.as_str()) {
            let answer = "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n\r\n";
            return client.write_all(answer.as_bytes()).await;
        }
    }
    if rules.fault == Some(ProxyFault::Refuse) {
        return client
            .write_all(b"HTTP/1.1 403 Forbidden by test rules\r\n\r\n")
            .await;
    }
    let authority = authority.trim_start_matches('[').replace("]:", ":");
    let Some((host, port)) = authority.rsplit_once(':') else {
        return client.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    };
    let port: u16 = port.parse().unwrap_or(0);
    let Ok(server) = TcpStream::connect((host, port)).await else {
        return client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
    };
    rules.tunnels.fetch_add(1, Ordering::SeqCst);
    let _ = server.set_nodelay(true);
    client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await?;
    relay(rules, client, server).await
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize])
            } else {
                '='
            });
        }
    }
    out
}
