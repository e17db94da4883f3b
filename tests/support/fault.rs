//! A scripted misbehaving FTP server, for faults real servers will not
//! produce on demand: garbage replies, early 226, stalls, drops, disk full.
//!
//! Each accepted connection runs the same script in a thread. Everything is
//! bounded: at most [`MAX_CONNECTIONS`] connections, socket timeouts on
//! every read and write, and a lifetime after which the server stops by
//! itself. It listens on 127.0.0.1 only.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Connections served at most, per server.
pub const MAX_CONNECTIONS: usize = 8;
/// How long a server lives at most.
pub const LIFETIME: Duration = Duration::from_secs(120);
/// Socket read/write timeout inside scripts.
const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// A script: what the server does on one connection.
pub type Script = dyn Fn(&mut Peer) -> io::Result<()> + Send + Sync;

/// A running scripted server; stopped when dropped.
pub struct FaultServer {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    received: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FaultServer {
    /// Starts serving `script` on 127.0.0.1, on a free port.
    ///
    /// # Panics
    /// If no loopback port can be bound: the tests cannot run without one.
    pub fn start(script: impl Fn(&mut Peer) -> io::Result<()> + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("read the bound port");
        listener
            .set_nonblocking(true)
            .expect("make the listener non-blocking");
        let connections = Arc::new(AtomicUsize::new(0));
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let script: Arc<Script> = Arc::new(script);
        let thread = {
            let (connections, received, stop) =
                (connections.clone(), received.clone(), stop.clone());
            std::thread::spawn(move || {
                let started = Instant::now();
                let mut workers = Vec::new();
                while !stop.load(Ordering::Relaxed)
                    && started.elapsed() < LIFETIME
                    && connections.load(Ordering::Relaxed) < MAX_CONNECTIONS
                {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            connections.fetch_add(1, Ordering::Relaxed);
                            let (script, received) = (script.clone(), received.clone());
                            workers.push(std::thread::spawn(move || {
                                if let Ok(mut peer) = Peer::new(stream, received) {
                                    let _ = script(&mut peer);
                                }
                            }));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
                for worker in workers {
                    let _ = worker.join();
                }
            })
        };
        FaultServer {
            addr,
            connections,
            received,
            stop,
            thread: Some(thread),
        }
    }

    /// The control address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `ftp://user:pw@127.0.0.1:PORT/{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("ftp://user:pw@{}/{path}", self.addr)
    }

    /// How many connections were accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// Every command line received so far, on all connections.
    pub fn received(&self) -> Vec<String> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Scripts end by themselves within their socket timeouts; do not
        // wait for them here.
        drop(self.thread.take());
    }
}

/// The control connection of a [`Peer`]: in clear, or TLS once the script
/// switched it ([`Peer::start_tls`]).
enum Control {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
}

impl Control {
    fn tcp(&self) -> &TcpStream {
        match self {
            Control::Plain(tcp) => tcp,
            Control::Tls(tls) => &tls.sock,
        }
    }
}

impl Read for Control {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Control::Plain(tcp) => tcp.read(buf),
            Control::Tls(tls) => tls.read(buf),
        }
    }
}

impl Write for Control {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Control::Plain(tcp) => tcp.write(buf),
            Control::Tls(tls) => tls.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Control::Plain(tcp) => tcp.flush(),
            Control::Tls(tls) => tls.flush(),
        }
    }
}

/// A TLS data connection of a script.
pub type TlsData = rustls::StreamOwned<rustls::ServerConnection, TcpStream>;

/// Runs the server side of a TLS handshake on `tcp`.
pub fn accept_tls(
    config: &std::sync::Arc<rustls::ServerConfig>,
    mut tcp: TcpStream,
) -> io::Result<TlsData> {
    let mut conn = rustls::ServerConnection::new(config.clone()).map_err(io::Error::other)?;
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp)?;
    }
    Ok(rustls::StreamOwned::new(conn, tcp))
}

/// The server's side of one connection, with helpers for scripts.
pub struct Peer {
    reader: BufReader<Control>,
    data_listener: Option<TcpListener>,
    received: Arc<Mutex<Vec<String>>>,
    /// The answer to a SIZE that the script does not expect (`ftp-cli`
    /// asks before an upload whether the target exists): no file, unless a
    /// script says otherwise.
    pub size_reply: &'static str,
}

impl Peer {
    fn new(stream: TcpStream, received: Arc<Mutex<Vec<String>>>) -> io::Result<Self> {
        stream.set_read_timeout(Some(IO_TIMEOUT))?;
        stream.set_write_timeout(Some(IO_TIMEOUT))?;
        Ok(Peer {
            reader: BufReader::new(Control::Plain(stream)),
            data_listener: None,
            received,
            size_reply: "550 No such file",
        })
    }

    /// Sends raw bytes on the control connection.
    pub fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        let control = self.reader.get_mut();
        control.write_all(bytes)?;
        control.flush()
    }

    /// Sends `line` followed by CRLF.
    pub fn reply(&mut self, line: &str) -> io::Result<()> {
        self.send(format!("{line}\r\n").as_bytes())
    }

    /// Reads one command line and checks it starts with `verb`. The
    /// commands that drivers send around the scripted ones are answered on
    /// the way unless `verb` names them: see [`Peer::answer_navigation`],
    /// SIZE with [`Peer::size_reply`], and FEAT (no MLST), RNFR (350),
    /// RNTO (250) and NOOP for `ftp-cli`'s look at an upload's target.
    pub fn expect(&mut self, verb: &str) -> io::Result<String> {
        loop {
            let Some(line) = self.read_command()? else {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("closed; expected {verb}"),
                ));
            };
            if starts_with_verb(&line, verb) {
                return Ok(line);
            }
            if !verb.is_empty() && self.answer_navigation(&line)? {
                continue;
            }
            if !verb.is_empty() && starts_with_verb(&line, "SIZE") {
                self.reply(self.size_reply)?;
                continue;
            }
            // ftp-cli's look at an upload's target: no MLST here, so SIZE,
            // then RNFR and an RNTO onto the same name, for an existing
            // file.
            if !verb.is_empty() && starts_with_verb(&line, "FEAT") {
                self.send(b"211-Features:\r\n SIZE\r\n211 End\r\n")?;
                continue;
            }
            if !verb.is_empty() && starts_with_verb(&line, "RNFR") {
                self.reply("350 Ready for RNTO")?;
                continue;
            }
            if !verb.is_empty() && starts_with_verb(&line, "NOOP") {
                self.reply("200 Ok")?;
                continue;
            }
            // The end of that look: RNTO onto the same name.
            if !verb.is_empty() && starts_with_verb(&line, "RNTO") {
                self.reply("250 Renamed")?;
                continue;
            }
            return Err(io::Error::other(format!("expected {verb}, got {line:?}")));
        }
    }

    /// Switches the control connection to TLS (after a 234, or at once for
    /// implicit TLS): the server side of the handshake.
    pub fn start_tls(&mut self, config: &std::sync::Arc<rustls::ServerConfig>) -> io::Result<()> {
        if !self.reader.buffer().is_empty() {
            return Err(io::Error::other("bytes in clear after the TLS request"));
        }
        let tcp = self.reader.get_ref().tcp().try_clone()?;
        let tls = accept_tls(config, tcp)?;
        self.reader = BufReader::new(Control::Tls(Box::new(tls)));
        Ok(())
    }

    /// Reads and records one command line; `None` at end of stream.
    fn read_command(&mut self) -> io::Result<Option<String>> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if let Ok(mut received) = self.received.lock() {
            received.push(line.clone());
        }
        Ok(Some(line))
    }

    /// Answers the directory navigation that listings of a named directory
    /// bring (PWD, CWD into it and back), as any server would; returns
    /// whether `line` was such a command.
    fn answer_navigation(&mut self, line: &str) -> io::Result<bool> {
        if starts_with_verb(line, "PWD") {
            self.reply("257 \"/\" is the current directory")?;
        } else if starts_with_verb(line, "CWD") {
            self.reply("250 Directory changed")?;
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// Reads `verb` and answers `reply`.
    pub fn answer(&mut self, verb: &str, reply: &str) -> io::Result<String> {
        let line = self.expect(verb)?;
        self.reply(reply)?;
        Ok(line)
    }

    /// The usual greeting and USER/PASS login.
    pub fn login(&mut self) -> io::Result<()> {
        self.reply("220 Fault server ready")?;
        self.answer("USER", "331 Password required")?;
        self.answer("PASS", "230 Logged in")?;
        Ok(())
    }

    /// Opens a passive data listener on 127.0.0.1; returns its port.
    pub fn listen_data(&mut self) -> io::Result<u16> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        self.data_listener = Some(listener);
        Ok(port)
    }

    /// TYPE I, then EPSV answered with a fresh data listener.
    pub fn type_and_epsv(&mut self) -> io::Result<()> {
        self.answer("TYPE", "200 Binary")?;
        self.expect("EPSV")?;
        let port = self.listen_data()?;
        self.reply(&format!("229 Entering Extended Passive Mode (|||{port}|)"))
    }

    /// The usual start of a transfer: TYPE I and EPSV answered, then the
    /// command `verb` read, its data connection accepted, and the command
    /// answered with `reply` (a 150, or a refusal with the connection open).
    pub fn answer_transfer(&mut self, verb: &str, reply: &str) -> io::Result<TcpStream> {
        self.type_and_epsv()?;
        self.expect(verb)?;
        let data = self.accept_data()?;
        self.reply(reply)?;
        Ok(data)
    }

    /// Accepts the client's data connection (bounded by the IO timeout).
    pub fn accept_data(&mut self) -> io::Result<TcpStream> {
        let listener = self
            .data_listener
            .take()
            .ok_or_else(|| io::Error::other("no data listener"))?;
        listener.set_nonblocking(true)?;
        let deadline = Instant::now() + IO_TIMEOUT;
        loop {
            match listener.accept() {
                Ok((stream, _)) => {
                    stream.set_nonblocking(false)?;
                    stream.set_read_timeout(Some(IO_TIMEOUT))?;
                    stream.set_write_timeout(Some(IO_TIMEOUT))?;
                    return Ok(stream);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads a data connection to its end; returns the bytes.
    pub fn read_data(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
        let mut data = Vec::new();
        io::Read::read_to_end(stream, &mut data)?;
        Ok(data)
    }

    /// Waits until the client closes the control connection (or the
    /// timeout), recording whatever it sends and refusing it with 502, so
    /// that anything after the scripted part (NOOP, DELE of a temporary
    /// upload…) changes nothing. QUIT is answered 221.
    pub fn drain(&mut self) -> io::Result<()> {
        self.respond_until_quit(|_| "502 Not in this script".to_owned())
    }

    /// Answers every command line with `answer(line)` (a reply, CRLF
    /// added) until the client sends QUIT (answered 221) or closes the
    /// connection.
    /// Navigation (PWD, CWD) is answered as [`Peer::expect`] does.
    pub fn respond_until_quit(&mut self, answer: impl Fn(&str) -> String) -> io::Result<()> {
        while let Some(line) = self.read_command()? {
            if starts_with_verb(&line, "QUIT") {
                let _ = self.reply("221 Bye");
                return Ok(());
            }
            if !self.answer_navigation(&line)? {
                self.reply(&answer(&line))?;
            }
        }
        Ok(())
    }

    /// Closes the control connection at once.
    pub fn close(&mut self) {
        let _ = self.reader.get_ref().tcp().shutdown(Shutdown::Both);
    }
}

/// Whether a command line starts with `verb`, ignoring case (`""` matches
/// any line).
fn starts_with_verb(line: &str, verb: &str) -> bool {
    line.len() >= verb.len() && line.as_bytes()[..verb.len()].eq_ignore_ascii_case(verb.as_bytes())
}
