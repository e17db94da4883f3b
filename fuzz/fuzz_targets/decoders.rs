//! Every decoder on a reply parsed from arbitrary bytes, and on one built
//! directly from arbitrary lines; what decodes must encode back the same.
#![no_main]
use bytes::Bytes;
use ftp_proto::{Reply, ReplyCode, ReplyParser, decode};
use libfuzzer_sys::fuzz_target;

fn reparse(text: &[u8]) -> Reply {
    Reply::new(
        ReplyCode::new(200).unwrap(),
        vec![Bytes::copy_from_slice(text)],
    )
}

fn check(reply: &Reply) {
    if let Ok(addr) = decode::pasv(reply) {
        let [a, b, c, d] = addr.ip().octets();
        let (p1, p2) = (addr.port() >> 8, addr.port() & 0xff);
        let text = format!("Entering Passive Mode ({a},{b},{c},{d},{p1},{p2}).");
        assert_eq!(decode::pasv(&reparse(text.as_bytes())), Ok(addr));
    }
    if let Ok(port) = decode::epsv(reply) {
        assert_ne!(port, 0);
        let text = format!("Entering Extended Passive Mode (|||{port}|)");
        assert_eq!(decode::epsv(&reparse(text.as_bytes())), Ok(port));
    }
    if let Ok(path) = decode::pathname(reply) {
        let mut text = b"\"".to_vec();
        for &b in &path {
            text.extend_from_slice(if b == b'"' {
                b"\"\""
            } else {
                std::slice::from_ref(&b)
            });
        }
        text.extend_from_slice(b"\" is the current directory");
        assert_eq!(decode::pathname(&reparse(&text)), Ok(path));
    }
    let _ = decode::size(reply);
    if let Ok(t) = decode::mdtm(reply) {
        assert!((1..=12).contains(&t.month) && (1..=31).contains(&t.day));
        assert!(t.hour < 24 && t.minute < 60 && t.second <= 60 && t.nanosecond < 1_000_000_000);
    }
    let features = decode::features(reply);
    for (name, _) in features.iter() {
        assert!(features.supports(name));
    }
    let _ = decode::size_hint(reply);
    let _ = reply.to_string();
    let _ = reply.text();
}

fuzz_target!(|data: &[u8]| {
    // As the parser frames it.
    if let Ok(ftp_proto::Progress {
        reply: Some(reply), ..
    }) = ReplyParser::default().feed(data)
    {
        check(&reply);
    }
    // As a driver may build it: a code from two bytes, then lines.
    if let [hi, lo, rest @ ..] = data {
        let code = ReplyCode::new(100 + u16::from_be_bytes([*hi, *lo]) % 500).unwrap();
        let lines = rest
            .split(|&b| b == b'\n')
            .map(Bytes::copy_from_slice)
            .collect();
        check(&Reply::new(code, lines));
    }
});
