//! Inputs found by the fuzz targets in `fuzz/` and by the property tests,
//! fed exactly as found.

use ftp_proto::{
    Action, Arg, DataCommand, Failure, Limits, ReplyError, ReplyParser, Session, SessionConfig,
};
use std::time::Instant;

/// Feeds `data` as the `reply_parser` fuzz target does and checks the
/// parser's memory bound after every call.
fn feed_all(limits: Limits, mut data: &[u8]) -> Result<(), ReplyError> {
    let mut parser = ReplyParser::new(limits);
    while !data.is_empty() {
        let result = parser.feed(data);
        assert!(
            parser.buffered() <= limits.max_line_len + 1 + limits.max_reply_len,
            "buffered {} bytes",
            parser.buffered()
        );
        data = &data[result?.consumed..];
    }
    Ok(())
}

/// `reply_parser` crash, minimised:
/// `2000003434302d0128f6fecfd2cfd2ff0aa5090022222222342222dd222222223422222234223422222234`.
/// Limits of 33 bytes a line and 0 a reply: the first line of a multi-line
/// reply was not counted against `max_reply_len`, so the parser held it (12
/// bytes) plus a full line, past `max_line_len + 1 + max_reply_len`.
#[test]
fn first_line_of_multi_line_reply_counts_towards_max_reply_len() {
    let input = b"\x20\x00\x00\x34\x34\x30\x2d\x01\x28\xf6\xfe\xcf\xd2\xcf\xd2\xff\x0a\xa5\x09\x00\
\x22\x22\x22\x22\x34\x22\x22\xdd\x22\x22\x22\x22\x34\x22\x22\x22\x34\x22\x34\x22\x22\x22\x34";
    // The fuzz target's header: line limit, reply limit, chunk-size count.
    let limits = Limits {
        max_line_len: usize::from(input[0] % 64) + 1,
        max_reply_len: usize::from(input[1]) * 4,
    };
    assert_eq!(input[2] % 16, 0, "one feed of everything");
    assert_eq!(
        feed_all(limits, &input[3..]),
        Err(ReplyError::ReplyTooLong { limit: 0 })
    );
}

/// Runs a download whose server answers `after_type` (everything after the
/// `200` to `TYPE I`) in one read, and returns the driver's view: each
/// action by kind, and the failure that ended the operation.
fn download_answered_in_one_read(after_type: &[u8]) -> (Vec<&'static str>, Option<Failure>) {
    let mut session = Session::new(SessionConfig::new("127.0.0.1:21".parse().unwrap()));
    session.handle_control(b"220 Ready\r\n");
    while session.poll(Instant::now()).is_some() {}
    session
        .transfer(DataCommand::Retr(Arg::new("f").unwrap()))
        .unwrap();
    let mut seen = Vec::new();
    let mut failure = None;
    let mut input = [&b"200 Binary\r\n"[..], after_type].into_iter();
    while let Some(action) = session.poll(Instant::now()) {
        seen.push(match action {
            Action::Send(_) => "send",
            Action::ReadControl => match input.next() {
                Some(bytes) => {
                    session.handle_control(bytes);
                    "read"
                }
                None => {
                    session.handle_control_eof();
                    "eof"
                }
            },
            Action::SecureControl => {
                session.handle_control_secured().unwrap();
                "secured"
            }
            Action::ConnectData(_) => {
                // A real driver connects, then reports it: that must be
                // accepted, whatever came with the 229.
                session.handle_data_connected().unwrap();
                "connect"
            }
            Action::Listen => {
                session
                    .handle_listening("192.0.2.1:40000".parse().unwrap())
                    .unwrap();
                "listen"
            }
            Action::AcceptData { .. } => {
                session.handle_data_connected().unwrap();
                "accept"
            }
            Action::Transfer(_) => {
                session.handle_data_finished().unwrap();
                "transfer"
            }
            Action::Reply(_) => "reply",
            Action::Done(result) => {
                failure = result.err();
                "done"
            }
        });
    }
    (seen, failure)
}

/// `session_never_panics_on_server_bytes` (proptest): a 229 and a 421 in
/// one read queued "connect the data channel" for a session the 421 then
/// closed; the driver's report of the connection was refused as an
/// unexpected event, so a client showed that instead of the 421.
#[test]
fn no_data_channel_work_for_a_session_closed_in_the_same_read() {
    let (seen, failure) = download_answered_in_one_read(b"229 (|||30001|)\r\n421 Bye\r\n");
    assert!(!seen.contains(&"connect"), "{seen:?}");
    assert!(
        matches!(&failure, Some(Failure::Closed(Some(r))) if r.code().get() == 421),
        "{failure:?}"
    );

    let (seen, failure) = download_answered_in_one_read(b"229 (|||30001|)\r\n");
    assert!(seen.contains(&"connect"), "{seen:?}");
    assert!(
        matches!(failure, Some(Failure::Closed(None))),
        "{failure:?}"
    );
}
