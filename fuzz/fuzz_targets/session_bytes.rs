//! A session driven through operations chosen by the input, fed the rest of
//! the input as server bytes in arbitrary splits.
//!
//! Layout: flags, op count n, n op bytes, a split seed, then the stream.
#![no_main]
use ftp_proto::{Session, SessionConfig, TlsMode};
use ftp_proto_fuzz::{LIMITS, Script, drive};
use libfuzzer_sys::fuzz_target;

struct Bytes<'a> {
    ops: std::slice::Iter<'a, u8>,
    stream: &'a [u8],
    seed: u32,
    flags: u8,
}

impl Bytes<'_> {
    fn next_rand(&mut self) -> u32 {
        // xorshift: split sizes and data-connection outcomes.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 17;
        self.seed ^= self.seed << 5;
        self.seed
    }
}

impl Script for Bytes<'_> {
    fn next_op(&mut self) -> Option<u8> {
        self.ops.next().copied()
    }
    fn control(&mut self) -> Option<Vec<u8>> {
        if self.stream.is_empty() {
            return None;
        }
        let max = if self.flags & 8 != 0 { 4 } else { 300 };
        let n = (self.next_rand() as usize % max + 1).min(self.stream.len());
        let (chunk, rest) = self.stream.split_at(n);
        self.stream = rest;
        Some(chunk.to_vec())
    }
    fn data_connects(&mut self) -> bool {
        self.flags & 16 == 0 || self.next_rand() % 4 != 0
    }
    fn handshake_succeeds(&mut self) -> bool {
        self.flags & 128 == 0
    }
    fn times_out(&mut self) -> bool {
        self.flags & 16 != 0 && self.next_rand().is_multiple_of(8)
    }
}

fuzz_target!(|input: &[u8]| {
    let [flags, n, rest @ ..] = input else { return };
    let (ops, rest) = rest.split_at(usize::from(n % 16).min(rest.len()));
    let [seed, stream @ ..] = rest else { return };
    let peer = if flags & 1 == 0 {
        "192.0.2.1:21"
    } else {
        "[2001:db8::1]:21"
    };
    let mut config = SessionConfig::new(peer.parse().unwrap());
    config.use_epsv = flags & 2 == 0;
    config.trust_pasv_host = flags & 4 != 0;
    config.active = flags & 8 != 0;
    config.tls = match flags >> 5 & 3 {
        0 => TlsMode::Plain,
        1 => TlsMode::Explicit,
        _ => TlsMode::Implicit,
    };
    config.limits = LIMITS;
    let mut session = Session::new(config);
    let seed = u32::from(*seed) | 0x100;
    drive(
        &mut session,
        &mut Bytes {
            ops: ops.iter(),
            stream,
            seed,
            flags: *flags,
        },
    );
});
