//! Proxy handshakes, sans-IO: SOCKS5 (RFC 1928, with RFC 1929's
//! user/password login) and HTTP `CONNECT` (RFC 9110 9.3.6).
//!
//! Not FTP, but the same shape as the [`Session`](crate::Session): a
//! [`Handshake`] says what to send and how much to read, and is fed what
//! came back; the driver owns the socket and the clock. It lives here, with
//! the other state machines, so that the blocking and async drivers run one
//! copy of it, and its tests run without sockets.
//!
//! A handshake never asks for more bytes than its answer can still hold
//! ([`Step::Read`]), so nothing that follows the proxy's answer (the FTP
//! server's greeting, say) is read by mistake.
//!
//! ```
//! use ftp_proto::proxy::{Destination, Handshake, Step};
//! let dest = Destination::name("ftp.example.net", 21).unwrap();
//! let mut hs = Handshake::socks5_connect(dest, None).unwrap();
//! assert_eq!(hs.poll(), Step::Send(vec![5, 1, 0]));
//! assert_eq!(hs.poll(), Step::Read(2));
//! hs.handle_input(&[5, 0]);
//! let Step::Send(request) = hs.poll() else { panic!() };
//! assert_eq!(&request[..5], &[5, 1, 0, 3, 15]);
//! assert_eq!(hs.poll(), Step::Read(5));
//! hs.handle_input(&[5, 0, 0, 1, 127, 0, 0, 1, 0x04, 0x38]);
//! assert!(matches!(hs.poll(), Step::Done(Some(_))));
//! ```

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The longest HTTP answer header a handshake accepts.
const MAX_HTTP_HEADER: usize = 8 * 1024;

/// Where the proxy is to connect: an address, or a name the proxy
/// resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    host: Host,
    port: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    Ip(IpAddr),
    Name(String),
}

impl Destination {
    /// An address.
    pub fn addr(addr: SocketAddr) -> Destination {
        Destination {
            host: Host::Ip(addr.ip()),
            port: addr.port(),
        }
    }

    /// A host name (an IP address written out is taken as the address):
    /// 1 to 255 bytes of printable ASCII without spaces, or an error.
    pub fn name(host: &str, port: u16) -> Result<Destination, HandshakeError> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(Destination::addr(SocketAddr::new(ip, port)));
        }
        if host.is_empty() || host.len() > 255 || !host.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(HandshakeError::Invalid(
                "a host name of 1 to 255 printable characters",
            ));
        }
        Ok(Destination {
            host: Host::Name(host.to_owned()),
            port,
        })
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            Host::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]:{}", self.port),
            Host::Ip(ip) => write!(f, "{ip}:{}", self.port),
            Host::Name(name) => write!(f, "{name}:{}", self.port),
        }
    }
}

/// A user name and password for the proxy. `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Login {
    user: String,
    password: String,
}

impl Login {
    /// A login; SOCKS5 takes at most 255 bytes of each (checked when the
    /// handshake is made).
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Login {
        Login {
            user: user.into(),
            password: password.into(),
        }
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login")
            .field("user", &self.user)
            .field("password", &"<hidden>")
            .finish()
    }
}

/// What a handshake asks of its driver next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Write these bytes to the proxy.
    Send(Vec<u8>),
    /// Read at most this many bytes and pass them to
    /// [`Handshake::handle_input`] (or call [`Handshake::handle_eof`]).
    Read(usize),
    /// SOCKS5 `BIND`: the proxy listens at this address (an unspecified IP
    /// means the proxy's own); tell the server, then go on polling (the
    /// next step reads the proxy's second reply, sent once the server
    /// connected).
    Bound(SocketAddr),
    /// The tunnel is open: every byte from now on is the destination's.
    /// SOCKS5 gives an address (for `CONNECT` the proxy's outgoing one, for
    /// `BIND` the host that connected); HTTP none.
    Done(Option<SocketAddr>),
    /// The proxy refused or broke the protocol; the connection is of no
    /// further use.
    Failed(HandshakeError),
}

/// Why a proxy handshake failed: what the proxy said, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandshakeError {
    /// SOCKS5: the proxy wants a login and none was given.
    #[error("the proxy requires a login")]
    LoginRequired,
    /// SOCKS5: the proxy accepts none of the offered ways to log in.
    #[error("the proxy accepts none of the offered authentication methods")]
    NoAcceptableMethod,
    /// The proxy rejected the user name or password (SOCKS5 login status,
    /// or HTTP 407 after credentials were sent).
    #[error("the proxy rejected the login of user {user:?}")]
    LoginRejected {
        /// The user name sent.
        user: String,
    },
    /// SOCKS5 answered its request with an error reply.
    #[error("SOCKS5 reply {code}: {}", socks_reply_text(*code))]
    Socks {
        /// The reply code (`REP`), e.g. 2 for "connection not allowed by
        /// ruleset".
        code: u8,
    },
    /// HTTP answered `CONNECT` with something else than 2xx (403, 407…).
    #[error("HTTP {status} {reason}")]
    Http {
        /// The status code.
        status: u16,
        /// The reason phrase, control characters escaped.
        reason: String,
    },
    /// The proxy's answer is not the protocol's.
    #[error("the proxy's answer is not {protocol}: {what}")]
    Malformed {
        /// "SOCKS5" or "HTTP".
        protocol: &'static str,
        /// What is wrong.
        what: String,
    },
    /// The proxy closed the connection before the tunnel was open.
    #[error("the proxy closed the connection during the handshake")]
    Closed,
    /// The handshake cannot be made from these arguments (too long a name,
    /// user or password); nothing was sent.
    #[error("invalid proxy request: expected {0}")]
    Invalid(&'static str),
}

/// The text RFC 1928 gives a SOCKS5 reply code.
pub fn socks_reply_text(code: u8) -> &'static str {
    match code {
        0 => "succeeded",
        1 => "general SOCKS server failure",
        2 => "connection not allowed by ruleset",
        3 => "network unreachable",
        4 => "host unreachable",
        5 => "connection refused",
        6 => "TTL expired",
        7 => "command not supported",
        8 => "address type not supported",
        _ => "unassigned reply code",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// SOCKS5: waiting for the method choice (2 bytes).
    SocksMethod,
    /// SOCKS5: waiting for the login status (2 bytes).
    SocksLogin,
    /// SOCKS5: waiting for the reply to the request; `bind_first` for the
    /// first of BIND's two.
    SocksReply {
        bind_first: bool,
    },
    /// HTTP: reading the answer header.
    HttpHeader,
    Done,
}

/// A proxy handshake in progress: poll it for what to do, feed it what was
/// read.
#[derive(Debug, Clone)]
pub struct Handshake {
    state: State,
    out: Option<Vec<u8>>,
    input: Vec<u8>,
    eof: bool,
    login: Option<Login>,
    request: Vec<u8>,
    bind: bool,
    failed: Option<HandshakeError>,
}

impl Handshake {
    /// SOCKS5 `CONNECT` to `dest`, logging in if `login` is given (the
    /// proxy may still choose no authentication).
    pub fn socks5_connect(
        dest: Destination,
        login: Option<Login>,
    ) -> Result<Handshake, HandshakeError> {
        Handshake::socks5(1, &dest, login)
    }

    /// SOCKS5 `BIND`: the proxy listens for a connection from `from` (the
    /// FTP server, for an active-mode data connection); see [`Step::Bound`].
    pub fn socks5_bind(
        from: Destination,
        login: Option<Login>,
    ) -> Result<Handshake, HandshakeError> {
        Handshake::socks5(2, &from, login)
    }

    fn socks5(
        command: u8,
        dest: &Destination,
        login: Option<Login>,
    ) -> Result<Handshake, HandshakeError> {
        if let Some(login) = &login {
            if login.user.is_empty() || login.user.len() > 255 || login.password.len() > 255 {
                return Err(HandshakeError::Invalid(
                    "a SOCKS5 user of 1 to 255 bytes and a password of at most 255",
                ));
            }
        }
        let mut request = vec![5, command, 0];
        match &dest.host {
            Host::Ip(IpAddr::V4(ip)) => {
                request.push(1);
                request.extend_from_slice(&ip.octets());
            }
            Host::Ip(IpAddr::V6(ip)) => {
                request.push(4);
                request.extend_from_slice(&ip.octets());
            }
            Host::Name(name) => {
                request.push(3);
                request
                    .push(u8::try_from(name.len()).map_err(|_| {
                        HandshakeError::Invalid("a host name of at most 255 bytes")
                    })?);
                request.extend_from_slice(name.as_bytes());
            }
        }
        request.extend_from_slice(&dest.port.to_be_bytes());
        let greeting = if login.is_some() {
            vec![5, 2, 0, 2]
        } else {
            vec![5, 1, 0]
        };
        Ok(Handshake::new(
            State::SocksMethod,
            greeting,
            login,
            request,
            command == 2,
        ))
    }

    /// HTTP `CONNECT` to `dest`, with `Proxy-Authorization: Basic` if
    /// `login` is given.
    pub fn http_connect(dest: Destination, login: Option<Login>) -> Handshake {
        let authority = dest.to_string();
        let mut text = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
        if let Some(login) = &login {
            let credentials = base64(format!("{}:{}", login.user, login.password).as_bytes());
            text.push_str(&format!("Proxy-Authorization: Basic {credentials}\r\n"));
        }
        text.push_str("\r\n");
        Handshake::new(
            State::HttpHeader,
            text.into_bytes(),
            login,
            Vec::new(),
            false,
        )
    }

    fn new(
        state: State,
        first: Vec<u8>,
        login: Option<Login>,
        request: Vec<u8>,
        bind: bool,
    ) -> Handshake {
        Handshake {
            state,
            out: Some(first),
            input: Vec::new(),
            eof: false,
            login,
            request,
            bind,
            failed: None,
        }
    }

    /// Whether this is a SOCKS5 `BIND`.
    pub fn is_bind(&self) -> bool {
        self.bind
    }

    /// Bytes read from the proxy (at most what [`Step::Read`] asked for).
    pub fn handle_input(&mut self, bytes: &[u8]) {
        self.input.extend_from_slice(bytes);
    }

    /// The proxy closed the connection.
    pub fn handle_eof(&mut self) {
        self.eof = true;
    }

    /// What to do next.
    pub fn poll(&mut self) -> Step {
        if let Some(error) = &self.failed {
            return Step::Failed(error.clone());
        }
        if let Some(out) = self.out.take() {
            return Step::Send(out);
        }
        let step = match self.state {
            State::SocksMethod => self.socks_method(),
            State::SocksLogin => self.socks_login(),
            State::SocksReply { bind_first } => self.socks_reply(bind_first),
            State::HttpHeader => self.http_header(),
            State::Done => Ok(Step::Done(None)),
        };
        match step {
            Ok(Step::Read(_)) if self.eof => self.fail(HandshakeError::Closed),
            Ok(step) => step,
            Err(error) => self.fail(error),
        }
    }

    fn fail(&mut self, error: HandshakeError) -> Step {
        self.failed = Some(error.clone());
        Step::Failed(error)
    }

    /// The first `n` bytes of input, once they are all there.
    fn take(&mut self, n: usize) -> Option<Vec<u8>> {
        (self.input.len() >= n).then(|| self.input.drain(..n).collect())
    }

    fn socks_method(&mut self) -> Result<Step, HandshakeError> {
        let Some(answer) = self.take(2) else {
            return Ok(Step::Read(2 - self.input.len()));
        };
        check_socks_version(answer[0])?;
        match (answer[1], &self.login) {
            (0, _) => self.send_request(),
            (2, Some(login)) => {
                let mut out = vec![1, len_u8(&login.user)];
                out.extend_from_slice(login.user.as_bytes());
                out.push(len_u8(&login.password));
                out.extend_from_slice(login.password.as_bytes());
                self.state = State::SocksLogin;
                Ok(Step::Send(out))
            }
            (_, None) => Err(HandshakeError::LoginRequired),
            (_, Some(_)) => Err(HandshakeError::NoAcceptableMethod),
        }
    }

    fn socks_login(&mut self) -> Result<Step, HandshakeError> {
        let Some(answer) = self.take(2) else {
            return Ok(Step::Read(2 - self.input.len()));
        };
        if answer[0] != 1 {
            return Err(malformed_socks(format!(
                "login status version {}",
                answer[0]
            )));
        }
        if answer[1] != 0 {
            let user = self
                .login
                .as_ref()
                .map(|l| l.user.clone())
                .unwrap_or_default();
            return Err(HandshakeError::LoginRejected { user });
        }
        self.send_request()
    }

    fn send_request(&mut self) -> Result<Step, HandshakeError> {
        self.state = State::SocksReply {
            bind_first: self.bind,
        };
        Ok(Step::Send(std::mem::take(&mut self.request)))
    }

    fn socks_reply(&mut self, bind_first: bool) -> Result<Step, HandshakeError> {
        if self.input.len() < 5 {
            return Ok(Step::Read(5 - self.input.len()));
        }
        check_socks_version(self.input[0])?;
        if self.input[1] != 0 {
            return Err(HandshakeError::Socks {
                code: self.input[1],
            });
        }
        let total = match self.input[3] {
            1 => 4 + 4 + 2,
            4 => 4 + 16 + 2,
            3 => 4 + 1 + usize::from(self.input[4]) + 2,
            other => return Err(malformed_socks(format!("address type {other}"))),
        };
        let Some(reply) = self.take(total) else {
            return Ok(Step::Read(total - self.input.len()));
        };
        let port = u16::from_be_bytes([reply[total - 2], reply[total - 1]]);
        let ip = match reply[3] {
            1 => Some(IpAddr::V4(Ipv4Addr::new(
                reply[4], reply[5], reply[6], reply[7],
            ))),
            4 => {
                let mut octets = [0; 16];
                octets.copy_from_slice(&reply[4..20]);
                Some(IpAddr::V6(Ipv6Addr::from(octets)))
            }
            _ => None,
        };
        let addr = ip.map(|ip| SocketAddr::new(ip, port));
        if bind_first {
            self.state = State::SocksReply { bind_first: false };
            // A name is no address to give the server: the proxy's own.
            let bound = addr.unwrap_or_else(|| SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), port));
            return Ok(Step::Bound(bound));
        }
        self.state = State::Done;
        Ok(Step::Done(addr))
    }

    fn http_header(&mut self) -> Result<Step, HandshakeError> {
        let end = [b"\r\n\r\n".as_slice(), b"\n\n"]
            .iter()
            .any(|end| self.input.ends_with(end));
        if !end {
            if self.input.len() >= MAX_HTTP_HEADER {
                return Err(malformed_http(
                    "an answer header longer than 8 KiB".to_owned(),
                ));
            }
            // Never read past the header's end: at most what could still
            // complete "\r\n\r\n".
            let matched = (1..=3)
                .rev()
                .find(|&k| self.input.ends_with(&b"\r\n\r\n"[..k]))
                .unwrap_or(0);
            return Ok(Step::Read(4 - matched));
        }
        let header = String::from_utf8_lossy(&self.input).into_owned();
        let status_line = header.lines().next().unwrap_or_default();
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or_default();
        let status = parts.next().and_then(|s| s.parse::<u16>().ok());
        let reason: String = parts
            .next()
            .unwrap_or_default()
            .trim()
            .escape_default()
            .collect();
        let Some(status) = status.filter(|_| version.starts_with("HTTP/1.")) else {
            let line: String = status_line.escape_default().take(80).collect();
            return Err(malformed_http(format!("status line {line:?}")));
        };
        self.input.clear();
        match (status, &self.login) {
            (200..=299, _) => {
                self.state = State::Done;
                Ok(Step::Done(None))
            }
            (407, Some(login)) => Err(HandshakeError::LoginRejected {
                user: login.user.clone(),
            }),
            _ => Err(HandshakeError::Http { status, reason }),
        }
    }
}

fn check_socks_version(version: u8) -> Result<(), HandshakeError> {
    if version == 5 {
        Ok(())
    } else {
        Err(malformed_socks(format!("version byte {version}")))
    }
}

fn malformed_socks(what: String) -> HandshakeError {
    HandshakeError::Malformed {
        protocol: "SOCKS5",
        what,
    }
}

fn malformed_http(what: String) -> HandshakeError {
    HandshakeError::Malformed {
        protocol: "HTTP",
        what,
    }
}

/// A length checked when the handshake was made (at most 255).
fn len_u8(text: &str) -> u8 {
    u8::try_from(text.len()).unwrap_or(u8::MAX)
}

/// Standard base64 with padding (RFC 4648), for `Proxy-Authorization`.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(hs: &mut Handshake, answers: &[&[u8]]) -> (Vec<Vec<u8>>, Step) {
        let mut sent = Vec::new();
        let mut answers = answers.iter();
        let mut pending: Vec<u8> = Vec::new();
        loop {
            match hs.poll() {
                Step::Send(bytes) => sent.push(bytes),
                Step::Read(n) => {
                    if pending.is_empty() {
                        match answers.next() {
                            Some(a) => pending = a.to_vec(),
                            None => hs.handle_eof(),
                        }
                    }
                    let k = n.min(pending.len());
                    let chunk: Vec<u8> = pending.drain(..k).collect();
                    if !chunk.is_empty() {
                        hs.handle_input(&chunk);
                    }
                }
                Step::Bound(addr) => sent.push(format!("bound {addr}").into_bytes()),
                other => return (sent, other),
            }
        }
    }

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"ab"), "YWI=");
    }

    #[test]
    fn socks5_login_then_connect() {
        let dest = Destination::addr("10.0.0.1:21".parse().unwrap());
        let mut hs = Handshake::socks5_connect(dest, Some(Login::new("u", "p"))).unwrap();
        let (sent, end) = run(
            &mut hs,
            &[&[5, 2], &[1, 0], &[5, 0, 0, 1, 1, 2, 3, 4, 0, 80]],
        );
        assert_eq!(sent[0], vec![5, 2, 0, 2]);
        assert_eq!(sent[1], vec![1, 1, b'u', 1, b'p']);
        assert_eq!(sent[2], vec![5, 1, 0, 1, 10, 0, 0, 1, 0, 21]);
        assert_eq!(end, Step::Done(Some("1.2.3.4:80".parse().unwrap())));
    }

    #[test]
    fn socks5_faults_are_named() {
        let dest = || Destination::name("ftp.example", 21).unwrap();
        let login = || Some(Login::new("u", "bad"));
        let cases: Vec<(Handshake, Vec<&[u8]>, HandshakeError)> = vec![
            (
                Handshake::socks5_connect(dest(), None).unwrap(),
                vec![&[5, 0xff]],
                HandshakeError::LoginRequired,
            ),
            (
                Handshake::socks5_connect(dest(), login()).unwrap(),
                vec![&[5, 2], &[1, 1]],
                HandshakeError::LoginRejected { user: "u".into() },
            ),
            (
                Handshake::socks5_connect(dest(), None).unwrap(),
                vec![&[5, 0], &[5, 2, 0, 1, 0, 0, 0, 0, 0, 0]],
                HandshakeError::Socks { code: 2 },
            ),
            (
                Handshake::socks5_connect(dest(), None).unwrap(),
                vec![&[5, 0]],
                HandshakeError::Closed,
            ),
            (
                Handshake::socks5_connect(dest(), None).unwrap(),
                vec![b"HTTP/1.1 400"],
                malformed_socks("version byte 72".into()),
            ),
        ];
        for (mut hs, answers, expected) in cases {
            assert_eq!(run(&mut hs, &answers).1, Step::Failed(expected));
        }
        assert_eq!(
            HandshakeError::Socks { code: 2 }.to_string(),
            "SOCKS5 reply 2: connection not allowed by ruleset"
        );
    }

    #[test]
    fn socks5_bind_reports_both_replies() {
        let from = Destination::addr("127.0.0.1:0".parse().unwrap());
        let mut hs = Handshake::socks5_bind(from, None).unwrap();
        let first: &[u8] = &[5, 0, 0, 1, 127, 0, 0, 2, 0x30, 0x39];
        let second: &[u8] = &[5, 0, 0, 1, 127, 0, 0, 1, 0x9c, 0x40];
        let (sent, end) = run(&mut hs, &[&[5, 0], first, second]);
        assert_eq!(sent[1][..2], [5, 2]);
        assert_eq!(sent[2], b"bound 127.0.0.2:12345".to_vec());
        assert_eq!(end, Step::Done(Some("127.0.0.1:40000".parse().unwrap())));
    }

    #[test]
    fn http_connect_reads_no_further_than_the_header() {
        let dest = Destination::name("ftp.example", 21).unwrap();
        let mut hs = Handshake::http_connect(dest, Some(Login::new("user", "pass")));
        let Step::Send(request) = hs.poll() else {
            panic!("no request")
        };
        let request = String::from_utf8(request).unwrap();
        assert!(
            request.starts_with("CONNECT ftp.example:21 HTTP/1.1\r\n"),
            "{request}"
        );
        assert!(request.contains("Proxy-Authorization: Basic dXNlcjpwYXNz\r\n"));
        let answer = b"HTTP/1.1 200 Connection established\r\n\r\n220 greeting\r\n";
        let mut fed = 0;
        loop {
            match hs.poll() {
                Step::Read(n) => {
                    hs.handle_input(&answer[fed..fed + n]);
                    fed += n;
                }
                Step::Done(None) => break,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(&answer[fed..], b"220 greeting\r\n");
    }

    #[test]
    fn http_refusals_are_named() {
        let dest = || Destination::name("ftp.example", 21).unwrap();
        let mut hs = Handshake::http_connect(dest(), None);
        let (_, end) = run(&mut hs, &[b"HTTP/1.0 403 Filtered\r\nX: y\r\n\r\n"]);
        assert_eq!(
            end,
            Step::Failed(HandshakeError::Http {
                status: 403,
                reason: "Filtered".into()
            })
        );
        let mut hs = Handshake::http_connect(dest(), Some(Login::new("u", "p")));
        let (_, end) = run(
            &mut hs,
            &[b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"],
        );
        assert_eq!(
            end,
            Step::Failed(HandshakeError::LoginRejected { user: "u".into() })
        );
        let mut hs = Handshake::http_connect(dest(), None);
        let (_, end) = run(&mut hs, &[b"SSH-2.0-x\r\n\r\n"]);
        assert!(
            matches!(end, Step::Failed(HandshakeError::Malformed { .. })),
            "{end:?}"
        );
    }

    #[test]
    fn bad_arguments_send_nothing() {
        assert!(Destination::name("a b", 21).is_err());
        assert!(Destination::name("", 21).is_err());
        let dest = Destination::name("x", 21).unwrap();
        assert!(Handshake::socks5_connect(dest, Some(Login::new("", "p"))).is_err());
        assert!(!format!("{:?}", Login::new("u", "secret")).contains("secret"));
    }
}
