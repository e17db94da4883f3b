//! The faults the scripted server plays, one constructor each, shared by
//! the library's tests (`tests/faults.rs`) and the CLI's
//! (`ftp-cli/tests/faults.rs`), so that every fault is proven through both.
//!
//! Each server logs in the user `user`/`pw` (see [`Peer::login`]) unless the
//! fault is in the greeting, serves at most [`MAX_CONNECTIONS`] connections
//! with the same script, and answers `QUIT` with 221 once its scripted part
//! is over. A script follows the commands both drivers send: the library's
//! `retrieve`/`store`/`mkdir` and `ftp-cli`'s `cp`/`mv`/`mkdir` (whose
//! uploads ask SIZE whether the target exists, and replace an existing one
//! through a temporary name, then RNFR/RNTO). The PWD and CWD of listings
//! are answered by [`Peer`] itself.
//!
//! [`MAX_CONNECTIONS`]: crate::fault::MAX_CONNECTIONS

use std::io::{self, Write};
use std::net::{Shutdown, TcpListener};
use std::time::Duration;

use crate::fault::{FaultServer, Peer};

/// How long [`DownloadFault::Stall`] and [`silent`] keep quiet: well past
/// the 1.5 s timeouts the tests configure, well under any test's patience.
pub const STALL: Duration = Duration::from_secs(5);

/// What goes wrong after the 150 of a 1,000,000-byte download, once
/// 500,000 bytes were sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadFault {
    /// The data connection closes, then `426 … transfer aborted`.
    Abort426,
    /// The data connection closes, then `226`: fewer bytes than the 150
    /// announced.
    Short,
    /// Nothing more on either connection for [`STALL`].
    Stall,
    /// The control connection closes, then the data connection.
    DropControl,
    /// The data connection is reset (RST), then `426`.
    ResetData,
}

/// The size a [`DownloadFault`] download announces in its 150.
pub const ANNOUNCED: usize = 1_000_000;
/// The bytes a [`DownloadFault`] download sends before the fault.
pub const SENT_BEFORE_FAULT: usize = 500_000;

/// A download that breaks half way, as `fault` says.
pub fn download_fault(fault: DownloadFault) -> FaultServer {
    FaultServer::start(move |peer| {
        peer.login()?;
        let mut data = peer.answer_transfer(
            "RETR",
            &format!("150 Opening BINARY mode data connection ({ANNOUNCED} bytes)"),
        )?;
        data.write_all(&[9u8; SENT_BEFORE_FAULT])?;
        match fault {
            DownloadFault::Abort426 => {
                drop(data);
                peer.reply("426 Connection closed; transfer aborted")?;
            }
            DownloadFault::Short => {
                drop(data);
                peer.reply("226 Transfer complete")?;
            }
            DownloadFault::Stall => {
                std::thread::sleep(STALL);
                return Ok(());
            }
            DownloadFault::DropControl => {
                peer.close();
                drop(data);
                return Ok(());
            }
            DownloadFault::ResetData => {
                // Unread input makes the close send RST instead of FIN.
                data.set_nonblocking(true)?;
                let _ = data.shutdown(Shutdown::Both);
                drop(data);
                peer.reply("426 Data connection lost")?;
            }
        }
        peer.drain()
    })
}

/// A normal download of `content`, with its 150 and 226 arranged by
/// `order`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinalReply {
    /// `150` and `226` in one write, before any data.
    BeforeData,
    /// `226` a second after the data connection closed.
    SecondAfterData,
}

/// The content of a [`download_with_final_reply`] download.
pub const CONTENT: &[u8] = b"the whole file, confirmed";

/// A download whose final reply comes early or late, as `order` says; it
/// succeeds either way.
pub fn download_with_final_reply(order: FinalReply) -> FaultServer {
    FaultServer::start(move |peer| {
        peer.login()?;
        peer.type_and_epsv()?;
        peer.expect("RETR")?;
        let mut data = peer.accept_data()?;
        match order {
            FinalReply::BeforeData => {
                peer.send(b"150 Here\r\n226 Already done\r\n")?;
                std::thread::sleep(Duration::from_millis(200));
                data.write_all(CONTENT)?;
                drop(data);
            }
            FinalReply::SecondAfterData => {
                peer.reply("150 Here")?;
                data.write_all(CONTENT)?;
                drop(data);
                std::thread::sleep(Duration::from_secs(1));
                peer.reply("226 Done at last")?;
            }
        }
        peer.drain()
    })
}

/// RETR refused with 550 while the data connection is open and silent: a
/// client that waits on the data before the reply hangs.
pub fn refusal_with_data_open() -> FaultServer {
    FaultServer::start(|peer| {
        peer.login()?;
        let data = peer.answer_transfer("RETR", "550 No such file")?;
        std::thread::sleep(Duration::from_secs(3));
        drop(data);
        peer.drain()
    })
}

/// Whether the file an upload names is already on the server, as SIZE
/// tells `ftp-cli` (which uploads a new file straight to its name and a
/// replacement through a temporary name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadTarget {
    /// SIZE answers 550.
    New,
    /// SIZE answers 213: a file of 123 bytes is there.
    Existing,
}

impl UploadTarget {
    fn size_reply(self) -> &'static str {
        match self {
            UploadTarget::New => "550 No such file",
            UploadTarget::Existing => "213 123",
        }
    }
}

/// STOR answered `reply` (552 or 452: disk full) once the data is in.
pub fn upload_refused_after_data(reply: &'static str, target: UploadTarget) -> FaultServer {
    FaultServer::start(move |peer| {
        peer.size_reply = target.size_reply();
        peer.login()?;
        let mut data = peer.answer_transfer("STOR", "150 Send it")?;
        Peer::read_data(&mut data)?;
        peer.reply(reply)?;
        peer.drain()
    })
}

/// What goes wrong during an upload, once [`RECEIVED_BEFORE_FAULT`] bytes
/// arrived after the 150.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadFault {
    /// The data connection closes, then `426 … transfer aborted`.
    Abort426,
    /// The control connection closes, then the data connection.
    DropControl,
    /// The server takes all the data, then neither answers nor closes for
    /// [`STALL`].
    NoFinalReply,
}

/// The bytes an [`UploadFault`] upload reads before the fault.
pub const RECEIVED_BEFORE_FAULT: usize = 100_000;

/// An upload that breaks half way, as `fault` says.
pub fn upload_fault(fault: UploadFault, target: UploadTarget) -> FaultServer {
    FaultServer::start(move |peer| {
        peer.size_reply = target.size_reply();
        peer.login()?;
        let mut data = peer.answer_transfer("STOR", "150 Send it")?;
        io::Read::read_exact(&mut data, &mut vec![0; RECEIVED_BEFORE_FAULT])?;
        match fault {
            UploadFault::Abort426 => {
                // Unread input makes the close send RST: the client's
                // writes fail at once.
                drop(data);
                peer.reply("426 Connection closed; transfer aborted")?;
            }
            UploadFault::DropControl => {
                peer.close();
                drop(data);
                return Ok(());
            }
            UploadFault::NoFinalReply => {
                Peer::read_data(&mut data)?;
                std::thread::sleep(STALL);
                return Ok(());
            }
        }
        peer.drain()
    })
}

/// Accepts connections and never says a word, for [`STALL`].
pub fn silent() -> FaultServer {
    FaultServer::start(|peer| {
        std::thread::sleep(STALL);
        peer.close();
        Ok(())
    })
}

/// An SSH server's banner instead of a 220.
pub fn garbage_greeting() -> FaultServer {
    FaultServer::start(|peer| {
        peer.send(b"SSH-2.0-OpenSSH_9.2\r\n")?;
        peer.drain()
    })
}

/// A greeting line that never ends: `220 ` and then up to 300 MiB of `a`
/// with no line break (the client must give up after its line limit).
pub fn endless_greeting_line() -> FaultServer {
    FaultServer::start(|peer| {
        peer.send(b"220 ")?;
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..300 {
            peer.send(&chunk)?;
        }
        Ok(())
    })
}

/// Replies that are odd but valid: `120` before the greeting, multi-line
/// replies whose inner lines start with digits or other codes, bare LF line
/// ends. After login, MKD is answered 257 and anything else 200.
pub fn odd_but_valid_replies() -> FaultServer {
    FaultServer::start(|peer| {
        peer.send(
            b"120 Ready in a moment\n220-Welcome\n220 is not the end\n123 neither\n220 Ready\n",
        )?;
        peer.answer("USER", "331 Password required")?;
        peer.expect("PASS")?;
        peer.send(b"230-Welcome\r\n  230 still going\r\n230-more\n230 Logged in\r\n")?;
        peer.respond_until_quit(|command| {
            if command.starts_with("MKD") {
                "257-\"/d\"\n257 created".to_owned()
            } else {
                "200 Ok".to_owned()
            }
        })
    })
}

/// `421` in answer to the first command after login, then the connection
/// closes.
pub fn closes_with_421() -> FaultServer {
    FaultServer::start(|peer| {
        peer.login()?;
        peer.answer("", "421 Timeout, closing control connection")?;
        peer.close();
        Ok(())
    })
}

/// Every command after login answered `200` (where 250 or 257 belong).
pub fn answers_200_to_everything() -> FaultServer {
    FaultServer::start(|peer| {
        peer.login()?;
        peer.respond_until_quit(|_| "200 Ok".to_owned())
    })
}

/// The content of every [`pasv_only`] download.
pub const PASV_CONTENT: &[u8] = b"via pasv";

/// How the server of [`epsv_fails`] answers `EPSV`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpsvFault {
    /// With this reply: a refusal, or anything but a 229 with a port.
    Reply(&'static str),
    /// With a 229 naming a port nothing listens on.
    ClosedPort,
}

/// EPSV refused with 500; each PASV answered with a 227 that advertises
/// `host` (`"10,9,8,7"`, `"0,0,0,0"`…), the first without parentheses, the
/// next with, while the data listener is on 127.0.0.1. Serves any number of
/// RETR with [`PASV_CONTENT`].
pub fn pasv_only(host: &'static str) -> FaultServer {
    epsv_fails(EpsvFault::Reply("500 EPSV not understood"), host)
}

/// EPSV fails as `fault` says, every time it comes; PASV works as in
/// [`pasv_only`]. Serves any number of RETR with [`PASV_CONTENT`].
pub fn epsv_fails(fault: EpsvFault, host: &'static str) -> FaultServer {
    FaultServer::start(move |peer| {
        peer.login()?;
        let mut pasv_replies = 0;
        loop {
            let command = peer.expect("")?;
            let verb = command.split(' ').next().unwrap_or("").to_ascii_uppercase();
            match verb.as_str() {
                "TYPE" => peer.reply("200 Binary")?,
                "EPSV" => match fault {
                    EpsvFault::Reply(reply) => peer.reply(reply)?,
                    EpsvFault::ClosedPort => {
                        let closed = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
                        peer.reply(&format!("229 Extended Passive Mode (|||{closed}|)"))?;
                    }
                },
                "PASV" => {
                    let port = peer.listen_data()?;
                    let numbers = format!("{host},{},{}", port >> 8, port & 0xff);
                    pasv_replies += 1;
                    if pasv_replies % 2 == 1 {
                        peer.reply(&format!("227 Entering Passive Mode {numbers}"))?;
                    } else {
                        peer.reply(&format!("227 Entering Passive Mode ({numbers})"))?;
                    }
                }
                "RETR" => {
                    let mut data = peer.accept_data()?;
                    peer.reply("150 Here")?;
                    data.write_all(PASV_CONTENT)?;
                    drop(data);
                    peer.reply("226 Done")?;
                }
                "QUIT" => return peer.reply("221 Bye"),
                _ => peer.reply("502 Not in this script")?,
            }
        }
    })
}

/// The EPSV answers [`epsv_fails`] is tried with in the tests, each with
/// what it stands for: all end in PASV.
pub const EPSV_FAULTS: [(&str, EpsvFault); 5] = [
    (
        "314, curl's test 124",
        EpsvFault::Reply("314 Try something else"),
    ),
    ("425", EpsvFault::Reply("425 No passive port free")),
    ("522", EpsvFault::Reply("522 Use another protocol")),
    (
        "a 229 without a port",
        EpsvFault::Reply("229 Entering Extended Passive Mode (|||?|)"),
    ),
    (
        "a 229 port that refuses, curl's test 1233",
        EpsvFault::ClosedPort,
    ),
];

/// EPSV and then PASV each name a port nothing listens on; NOOP then still
/// works.
pub fn data_connection_refused() -> FaultServer {
    FaultServer::start(|peer| {
        peer.login()?;
        peer.answer("TYPE", "200 Ok")?;
        peer.expect("EPSV")?;
        let closed = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        peer.reply(&format!("229 (|||{closed}|)"))?;
        // The client tries PASV once when its first EPSV port refuses.
        peer.expect("PASV")?;
        let closed = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        peer.reply(&format!(
            "227 Entering Passive Mode (127,0,0,1,{},{})",
            closed >> 8,
            closed & 0xff
        ))?;
        peer.respond_until_quit(|command| {
            if command.starts_with("NOOP") {
                "200 Still here".to_owned()
            } else {
                "502 Not in this script".to_owned()
            }
        })
    })
}

/// What the server of [`active`] does once it accepted an active-mode
/// transfer (PORT, then the command answered 150).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActiveFault {
    /// Never connects; stays silent until the client leaves.
    NeverConnects,
    /// A connection comes from 127.0.0.2, another host as far as the
    /// client can tell, sending [`THIEF_CONTENT`]; the server itself never
    /// connects.
    OtherHostOnly,
    /// A thief from 127.0.0.2 connects first and sends
    /// [`THIEF_CONTENT`]; then the server connects from 127.0.0.1, sends
    /// [`ACTIVE_CONTENT`] (or reads the upload) and answers 226.
    ThiefThenServer,
}

/// What the real server of [`ActiveFault::ThiefThenServer`] sends.
pub const ACTIVE_CONTENT: &[u8] = b"the server's own data\n";
/// What the thief sends.
pub const THIEF_CONTENT: &[u8] = b"STOLEN PORT: not the server's data\n";

/// Connects to `target` from the local address `from`.
fn connect_from(
    from: std::net::Ipv4Addr,
    target: std::net::SocketAddr,
) -> io::Result<std::net::TcpStream> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    socket.bind(&std::net::SocketAddr::from((from, 0)).into())?;
    socket.connect_timeout(&target.into(), Duration::from_secs(5))?;
    let stream: std::net::TcpStream = socket.into();
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    Ok(stream)
}

/// An active-mode server that misbehaves as `fault` says. EPRT is refused
/// (500), so the client falls back to PORT; FEAT lists SIZE only; SIZE is
/// 550 (no such file). Each transfer command (RETR, STOR, LIST, NLST,
/// MLSD) is answered 150 and then played as `fault` says.
pub fn active(fault: ActiveFault) -> FaultServer {
    FaultServer::start(move |peer| {
        peer.login()?;
        let mut port: Option<std::net::SocketAddr> = None;
        // The thief's connection is kept open while the script runs.
        let mut held = Vec::new();
        loop {
            let command = peer.expect("")?;
            let (verb, argument) = command.split_once(' ').unwrap_or((&command, ""));
            match verb.to_ascii_uppercase().as_str() {
                "TYPE" => peer.reply("200 Binary")?,
                "FEAT" => peer.send(b"211-Features:\r\n SIZE\r\n211 End\r\n")?,
                "EPRT" => peer.reply("500 EPRT not understood")?,
                "EPSV" | "PASV" => peer.reply("502 Active mode only here")?,
                "PORT" => {
                    let numbers: Vec<u8> = argument
                        .split(',')
                        .filter_map(|n| n.trim().parse().ok())
                        .collect();
                    match numbers[..] {
                        [a, b, c, d, hi, lo] => {
                            port = Some(std::net::SocketAddr::from((
                                [a, b, c, d],
                                u16::from(hi) << 8 | u16::from(lo),
                            )));
                            peer.reply("200 PORT command successful")?;
                        }
                        _ => peer.reply("501 Illegal PORT command")?,
                    }
                }
                "RETR" | "STOR" | "LIST" | "NLST" | "MLSD" => {
                    let Some(target) = port.take() else {
                        peer.reply("425 Use PORT first")?;
                        continue;
                    };
                    peer.reply("150 Opening data connection")?;
                    if fault != ActiveFault::NeverConnects {
                        let mut thief = connect_from([127, 0, 0, 2].into(), target)?;
                        // Written before the client looks: a client that
                        // took this connection would get these bytes.
                        let _ = thief.write_all(THIEF_CONTENT);
                        held.push(thief);
                    }
                    if fault == ActiveFault::ThiefThenServer {
                        std::thread::sleep(Duration::from_millis(100));
                        let mut data = connect_from([127, 0, 0, 1].into(), target)?;
                        if verb.eq_ignore_ascii_case("STOR") {
                            let mut sink = Vec::new();
                            io::Read::read_to_end(&mut data, &mut sink)?;
                        } else {
                            data.write_all(ACTIVE_CONTENT)?;
                        }
                        drop(data);
                        peer.reply("226 Transfer complete")?;
                    }
                }
                "SIZE" => peer.reply("550 No such file")?,
                "QUIT" => return peer.reply("221 Bye"),
                _ => peer.reply("502 Not in this script")?,
            }
        }
    })
}
