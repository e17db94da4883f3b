//! The FTPS faults the scripted server plays, shared by the library's
//! tests (`tests/tls_faults.rs`) and the CLI's (`ftp-cli/tests/tls_faults.rs`):
//! refusals of AUTH TLS and PROT P, a handshake that never completes, clear
//! text where TLS was expected, a TLS download cut without close_notify,
//! records split, cut short or corrupt, and an implicit-TLS server, which
//! libunftp cannot be.
//!
//! The TLS scripts log in `user`/`pw` over TLS (see [`Peer::tls_login`])
//! with a certificate of the given [`TestPki`], and answer what both
//! drivers send, as the plain scenarios do.

use std::io::{self, Write};
use std::sync::Arc;

use crate::fault::{FaultServer, Peer, TlsData, accept_tls};
use crate::scenarios::{ANNOUNCED, SENT_BEFORE_FAULT, STALL};
use crate::tls::{Leaf, TestPki};

/// The rustls server configuration of the scripts: the PKI's good leaf.
pub fn server_tls(pki: &TestPki, tls13: bool) -> Arc<rustls::ServerConfig> {
    pki.server_config(&pki.leaf(Leaf::Good), tls13)
}

impl Peer {
    /// Explicit TLS: the greeting, `AUTH TLS` answered 234 and the
    /// handshake, then the login, `PBSZ 0` and `PROT P`.
    pub fn tls_login(&mut self, config: &Arc<rustls::ServerConfig>) -> io::Result<()> {
        self.reply("220 Fault server ready")?;
        self.answer("AUTH", "234 Proceed with negotiation")?;
        self.start_tls(config)?;
        self.login_and_protect()
    }

    /// USER/PASS, `PBSZ 0` and `PROT P`, all accepted.
    pub fn login_and_protect(&mut self) -> io::Result<()> {
        self.answer("USER", "331 Password required")?;
        self.answer("PASS", "230 Logged in")?;
        self.answer("PBSZ", "200 PBSZ=0")?;
        self.answer("PROT", "200 Protection level set to P")?;
        Ok(())
    }
}

/// `AUTH TLS` answered 534: the client must leave without sending USER or
/// PASS (the server's [`FaultServer::received`] shows what it sent).
pub fn auth_refused() -> FaultServer {
    FaultServer::start(|peer| {
        peer.reply("220 Fault server ready")?;
        peer.answer("AUTH", "534 Local policy on server does not allow TLS")?;
        peer.drain()
    })
}

/// `PROT P` refused after a TLS login.
pub fn prot_refused(pki: &TestPki) -> FaultServer {
    let config = server_tls(pki, true);
    FaultServer::start(move |peer| {
        peer.reply("220 Fault server ready")?;
        peer.answer("AUTH", "234 Proceed with negotiation")?;
        peer.start_tls(&config)?;
        peer.answer("USER", "331 Password required")?;
        peer.answer("PASS", "230 Logged in")?;
        peer.answer("PBSZ", "200 PBSZ=0")?;
        peer.answer("PROT", "536 PROT P not accepted: use PROT C")?;
        peer.drain()
    })
}

/// `AUTH TLS` answered 234, then nothing: the handshake never completes.
pub fn handshake_stalls() -> FaultServer {
    FaultServer::start(|peer| {
        peer.reply("220 Fault server ready")?;
        peer.answer("AUTH", "234 Proceed with negotiation")?;
        std::thread::sleep(STALL);
        Ok(())
    })
}

/// A server in clear where the client expects TLS from the first byte
/// (an `ftps://` URL on a plain FTP port).
pub fn clear_text_for_implicit_tls() -> FaultServer {
    FaultServer::start(|peer| {
        peer.reply("220 Plain FTP server ready")?;
        peer.drain()
    })
}

/// How a TLS download of [`ANNOUNCED`] bytes ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsEnd {
    /// All bytes, close_notify, 226.
    Clean,
    /// [`SENT_BEFORE_FAULT`] bytes, the TCP connection closed without
    /// close_notify, then 226: a truncation someone in the path could
    /// have made.
    CutWithoutCloseNotify,
    /// All bytes, no close_notify, 226: the size agrees, so accepted.
    CompleteWithoutCloseNotify,
    /// All bytes and close_notify, the TLS records cut into 7-byte TCP
    /// segments (every record split across the client's reads), then 226.
    SplitRecords,
    /// All bytes but the end of the last TLS record, then the TCP
    /// connection closed (a record cut short), then 226.
    CutMidRecord,
    /// All bytes, with one byte of a record in the middle changed on the
    /// wire (the record fails to decrypt: the client answers with an
    /// alert), then 226.
    CorruptRecord,
}

/// The raw TLS bytes of [`ANNOUNCED`] bytes and close_notify, written to
/// the socket as `end` says ([`TlsEnd::SplitRecords`],
/// [`TlsEnd::CutMidRecord`], [`TlsEnd::CorruptRecord`]).
fn send_records(data: TlsData, end: TlsEnd) -> io::Result<()> {
    let (mut conn, mut tcp) = (data.conn, data.sock);
    // What the handshake left to send (TLS 1.3 tickets) goes out whole.
    while conn.wants_write() {
        conn.write_tls(&mut tcp)?;
    }
    // Through rustls's outgoing buffer (64 KiB at most) a piece at a time.
    let mut wire = Vec::new();
    for piece in vec![7u8; ANNOUNCED].chunks(16 * 1024) {
        conn.writer().write_all(piece)?;
        while conn.wants_write() {
            conn.write_tls(&mut wire)?;
        }
    }
    conn.send_close_notify();
    while conn.wants_write() {
        conn.write_tls(&mut wire)?;
    }
    match end {
        TlsEnd::SplitRecords => {
            tcp.set_nodelay(true)?;
            for piece in wire.chunks(7) {
                tcp.write_all(piece)?;
            }
        }
        // The close_notify record (~24 bytes) and the end of the last
        // data record stay unsent.
        TlsEnd::CutMidRecord => tcp.write_all(&wire[..wire.len() - 100])?,
        _ => {
            let middle = wire.len() / 2;
            wire[middle] ^= 0x55;
            tcp.write_all(&wire)?;
        }
    }
    tcp.flush()
}

fn serve_tls_download(
    peer: &mut Peer,
    config: &Arc<rustls::ServerConfig>,
    end: TlsEnd,
) -> io::Result<()> {
    let data = peer.answer_transfer(
        "RETR",
        &format!("150 Opening BINARY mode data connection ({ANNOUNCED} bytes)"),
    )?;
    let mut data = accept_tls(config, data)?;
    if matches!(
        end,
        TlsEnd::SplitRecords | TlsEnd::CutMidRecord | TlsEnd::CorruptRecord
    ) {
        send_records(data, end)?;
        peer.reply("226 Transfer complete")?;
        return peer.drain();
    }
    let sent = if end == TlsEnd::CutWithoutCloseNotify {
        SENT_BEFORE_FAULT
    } else {
        ANNOUNCED
    };
    data.write_all(&vec![7u8; sent])?;
    if end == TlsEnd::Clean {
        data.conn.send_close_notify();
    }
    data.flush()?;
    drop(data);
    peer.reply("226 Transfer complete")?;
    peer.drain()
}

/// An explicit-TLS download that ends as `end` says.
pub fn tls_download(pki: &TestPki, end: TlsEnd) -> FaultServer {
    let config = server_tls(pki, true);
    FaultServer::start(move |peer| {
        peer.tls_login(&config)?;
        serve_tls_download(peer, &config, end)
    })
}

/// Implicit TLS: the handshake first, then the greeting, the login and a
/// clean TLS download.
pub fn implicit_download(pki: &TestPki) -> FaultServer {
    let config = server_tls(pki, true);
    FaultServer::start(move |peer| {
        peer.start_tls(&config)?;
        peer.reply("220 Implicit FTPS server ready")?;
        peer.login_and_protect()?;
        serve_tls_download(peer, &config, TlsEnd::Clean)
    })
}
