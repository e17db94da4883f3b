//! Property tests: no input from a server makes the parser or the session
//! panic, and neither buffers more than its limits allow.

use ftp_proto::{
    Action, Arg, DataCommand, Limits, ReplyParser, Session, SessionConfig, TlsMode, UsageError,
};
use proptest::prelude::*;
use std::time::Instant;

const LIMITS: Limits = Limits {
    max_line_len: 256,
    max_reply_len: 4096,
};

/// Bytes that look enough like replies to reach deep parser states.
fn reply_like() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"220 ok\r\n".to_vec()),
        Just(b"150-".to_vec()),
        Just(b"226 ".to_vec()),
        Just(b"227 (127,0,0,1,4,1)\r\n".to_vec()),
        Just(b"229 (|||1025|)\r\n".to_vec()),
        Just(b"331 pw\r\n".to_vec()),
        Just(b"421 bye\r\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        prop::collection::vec(any::<u8>(), 0..40),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn chunked(data: Vec<u8>) -> impl Strategy<Value = (Vec<u8>, Vec<usize>)> {
    let len = data.len();
    (Just(data), prop::collection::vec(1..=len.max(1), 0..20))
}

proptest! {
    #[test]
    fn parser_never_panics_and_stays_bounded(
        (data, cuts) in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..2000).prop_flat_map(chunked),
            reply_like().prop_flat_map(chunked),
        ]
    ) {
        let mut parser = ReplyParser::new(LIMITS);
        let mut rest = &data[..];
        let mut cuts = cuts.into_iter();
        while !rest.is_empty() {
            let n = cuts.next().unwrap_or(rest.len()).min(rest.len());
            let mut chunk = &rest[..n];
            rest = &rest[n..];
            while !chunk.is_empty() {
                match parser.feed(chunk) {
                    Ok(p) => {
                        prop_assert!(p.consumed <= chunk.len());
                        if p.consumed == 0 { break; }
                        chunk = &chunk[p.consumed..];
                    }
                    Err(_) => chunk = &[],
                }
                prop_assert!(parser.buffered() <= LIMITS.max_reply_len + LIMITS.max_line_len + 1);
            }
        }
    }

    #[test]
    fn session_never_panics_on_server_bytes(
        (data, cuts) in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..2000).prop_flat_map(chunked),
            reply_like().prop_flat_map(chunked),
        ],
        ops in prop::collection::vec(0u8..8, 1..6),
        tls in prop_oneof![Just(TlsMode::Plain), Just(TlsMode::Explicit), Just(TlsMode::Implicit)],
        handshakes_fail in any::<bool>(),
        command_with_epsv in any::<bool>(),
        data_connects_fail in any::<bool>(),
    ) {
        let mut config = SessionConfig::new("127.0.0.1:21".parse().unwrap());
        config.limits = LIMITS;
        config.tls = tls;
        config.command_with_epsv = command_with_epsv;
        let mut session = Session::new(config);
        let mut secured = false;
        let mut rest = &data[..];
        let mut cuts = cuts.into_iter();
        let mut ops = ops.into_iter();
        let path = || Arg::new("f").unwrap();
        for _ in 0..10_000 {
            match session.poll(Instant::now()) {
                Some(Action::ReadControl) => {
                    if rest.is_empty() {
                        session.handle_control_eof();
                    } else {
                        let n = cuts.next().unwrap_or(rest.len()).clamp(1, rest.len());
                        session.handle_control(&rest[..n]);
                        rest = &rest[n..];
                    }
                    prop_assert!(session.buffered_bytes() <= LIMITS.max_reply_len + LIMITS.max_line_len + 1);
                }
                Some(Action::SecureControl) => {
                    prop_assert!(tls.is_tls());
                    if handshakes_fail {
                        session.handle_control_secure_failed().unwrap();
                        prop_assert!(session.is_closed());
                    } else {
                        session.handle_control_secured().unwrap();
                        secured = true;
                    }
                }
                Some(Action::ConnectData(_)) => {
                    // Under TLS, no data connection before PROT P.
                    prop_assert!(!tls.is_tls() || session.is_data_protected());
                    if data_connects_fail {
                        session.handle_data_connect_failed().unwrap()
                    } else {
                        session.handle_data_connected().unwrap()
                    }
                }
                Some(Action::Transfer(_)) => session.handle_data_finished().unwrap(),
                Some(Action::Send(command)) if tls.is_tls() && matches!(command.verb(), "USER" | "PASS") => {
                    // Never before the control connection is secure: the
                    // session must have had its handshake.
                    prop_assert!(secured, "{command} before TLS");
                }
                Some(_) => {}
                None => {
                    if session.is_closed() { break; }
                    let Some(op) = ops.next() else { break };
                    let started = match op {
                        0 => session.login(path(), path(), Some(path())),
                        1 => session.transfer(DataCommand::Retr(path())),
                        2 => session.transfer(DataCommand::Stor(path())),
                        3 => session.size(path()),
                        4 => session.pwd(),
                        5 => session.rename(path(), path()),
                        6 => session.feat(),
                        _ => session.mdtm(path()),
                    };
                    if let Err(UsageError::DataNotProtected) = started {
                        prop_assert!(tls.is_tls() && !session.is_data_protected());
                    }
                }
            }
        }
    }
}
