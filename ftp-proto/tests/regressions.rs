//! Inputs found by the fuzz targets in `fuzz/`, fed exactly as found.

use ftp_proto::{Limits, ReplyError, ReplyParser};

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
