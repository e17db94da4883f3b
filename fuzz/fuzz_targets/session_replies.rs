//! Structured: well-formed replies with realistic codes and payloads (PASV,
//! EPSV, 257 paths, 213 numbers and times, FEAT lists, 150 size hints), in
//! any order, answering random operations, so that deep states are reached.
#![no_main]
use arbitrary::Arbitrary;
use ftp_proto::{Session, SessionConfig, TlsMode};
use ftp_proto_fuzz::{LIMITS, Script, drive};
use libfuzzer_sys::fuzz_target;

const CODES: [u16; 33] = [
    110, 120, 125, 150, 200, 202, 211, 213, 220, 221, 226, 227, 229, 230, 250, 257, 331, 332, 350,
    421, 425, 426, 450, 451, 452, 500, 501, 502, 504, 530, 550, 552, 553,
];

#[derive(Arbitrary, Debug)]
enum Code {
    Known(u8),
    Any(u16),
}

#[derive(Arbitrary, Debug)]
enum Text {
    Plain(Vec<u8>),
    Pasv([u8; 6], bool),
    Epsv(u8, u16),
    Path(Vec<u8>, bool),
    Number(u64),
    Time(u16, u8, u8, u8, u8, u8, Option<u32>),
    SizeHint(u64),
    Feature(u8),
}

#[derive(Arbitrary, Debug)]
struct ServerReply {
    code: Code,
    /// More than one: a multi-line reply.
    lines: Vec<Text>,
    /// Repeat `123-` on the inner lines of a multi-line reply.
    prefix_inner: bool,
    bare_lf: bool,
}

#[derive(Arbitrary, Debug)]
struct Input {
    v6_peer: bool,
    use_epsv: bool,
    trust_pasv_host: bool,
    ops: Vec<u8>,
    /// Each read of the control connection gets one batch of replies,
    /// cut once at `split`.
    reads: Vec<(Vec<ServerReply>, u16)>,
    data_connects: Vec<bool>,
    /// 0: plain, 1: explicit TLS, else implicit.
    tls: u8,
    handshake_fails: bool,
}

fn text(t: &Text) -> Vec<u8> {
    let mut out = match t {
        Text::Plain(b) => b.clone(),
        Text::Pasv([a, b, c, d, p, q], true) => {
            format!("Entering Passive Mode ({a},{b},{c},{d},{p},{q}).").into()
        }
        Text::Pasv([a, b, c, d, p, q], false) => format!("={a},{b},{c},{d},{p},{q}").into(),
        Text::Epsv(d, port) => {
            let d = char::from(33 + d % 94);
            format!("Entering Extended Passive Mode ({d}{d}{d}{port}{d})").into()
        }
        Text::Path(p, closed) => {
            let mut out = b"\"".to_vec();
            for &b in p {
                out.extend_from_slice(if b == b'"' {
                    b"\"\""
                } else {
                    std::slice::from_ref(&b)
                });
            }
            out.extend_from_slice(if *closed {
                &b"\" is current directory"[..]
            } else {
                b""
            });
            out
        }
        Text::Number(n) => n.to_string().into(),
        Text::Time(y, mo, d, h, mi, s, frac) => {
            let frac = frac.map_or(String::new(), |f| format!(".{f}"));
            format!(
                "{:04}{:02}{:02}{:02}{:02}{:02}{frac}",
                y % 10000,
                mo % 100,
                d % 100,
                h % 100,
                mi % 100,
                s % 100
            )
            .into()
        }
        Text::SizeHint(n) => {
            format!("Opening BINARY mode data connection for f ({n} bytes)").into()
        }
        Text::Feature(i) => {
            let f = [
                " MLST type*;size*;modify*;",
                " UTF8",
                " SIZE",
                " MDTM",
                " EPSV",
                " REST STREAM",
                " ",
            ];
            f[usize::from(*i) % f.len()].into()
        }
    };
    for b in &mut out {
        if *b == b'\r' || *b == b'\n' {
            *b = b' ';
        }
    }
    out
}

fn render(reply: &ServerReply, out: &mut Vec<u8>) {
    let code = match reply.code {
        Code::Known(i) => CODES[usize::from(i) % CODES.len()],
        Code::Any(c) => 100 + c % 500,
    };
    let eol: &[u8] = if reply.bare_lf { b"\n" } else { b"\r\n" };
    let empty = [Text::Plain(Vec::new())];
    let lines = if reply.lines.is_empty() {
        &empty[..]
    } else {
        &reply.lines[..]
    };
    let last = lines.len() - 1;
    for (i, line) in lines.iter().enumerate() {
        match i {
            _ if i == last => out.extend_from_slice(format!("{code} ").as_bytes()),
            0 => out.extend_from_slice(format!("{code}-").as_bytes()),
            _ if reply.prefix_inner => out.extend_from_slice(format!("{code}-").as_bytes()),
            _ => {}
        }
        out.extend_from_slice(&text(line));
        out.extend_from_slice(eol);
    }
}

struct Replies {
    input: Input,
    /// The rest of a batch that was cut: the next read.
    tail: Vec<u8>,
}

impl Script for Replies {
    fn next_op(&mut self) -> Option<u8> {
        self.input.ops.pop()
    }
    fn control(&mut self) -> Option<Vec<u8>> {
        if !self.tail.is_empty() {
            return Some(std::mem::take(&mut self.tail));
        }
        let (replies, split) = self.input.reads.pop()?;
        let mut bytes = Vec::new();
        for reply in &replies {
            render(reply, &mut bytes);
        }
        let cut = usize::from(split) % (bytes.len() + 1);
        if cut > 0 {
            self.tail = bytes.split_off(cut);
        }
        Some(bytes)
    }
    fn data_connects(&mut self) -> bool {
        self.input.data_connects.pop().unwrap_or(true)
    }
    fn handshake_succeeds(&mut self) -> bool {
        !self.input.handshake_fails
    }
}

fuzz_target!(|input: Input| {
    let peer = if input.v6_peer {
        "[2001:db8::1]:21"
    } else {
        "192.0.2.1:21"
    };
    let mut config = SessionConfig::new(peer.parse().unwrap());
    config.use_epsv = input.use_epsv;
    config.trust_pasv_host = input.trust_pasv_host;
    config.limits = LIMITS;
    config.tls = match input.tls {
        0 => TlsMode::Plain,
        1 => TlsMode::Explicit,
        _ => TlsMode::Implicit,
    };
    let mut session = Session::new(config);
    let mut input = input;
    input.ops.reverse();
    input.reads.reverse();
    input.data_connects.reverse();
    drive(
        &mut session,
        &mut Replies {
            input,
            tail: Vec::new(),
        },
    );
});
