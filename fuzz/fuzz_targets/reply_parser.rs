//! Arbitrary bytes, in chunks sized by the first bytes of the input, through
//! a `ReplyParser` with small limits. Any split must give the same replies
//! as one feed of everything, and memory must stay within the limits.
#![no_main]
use ftp_proto::{Limits, Progress, Reply, ReplyError, ReplyParser};
use libfuzzer_sys::fuzz_target;

/// Every reply up to the first error, feeding `data` in chunks of `sizes`
/// (cycled; 0 feeds an empty slice).
fn parse(limits: Limits, data: &[u8], sizes: &[u8]) -> Vec<Result<Reply, ReplyError>> {
    let mut parser = ReplyParser::new(limits);
    let mut out = Vec::new();
    let (mut rest, mut sizes) = (data, sizes.iter().cycle());
    while !rest.is_empty() {
        let size = sizes.next().map_or(rest.len(), |&s| usize::from(s));
        // A size of 0 feeds an empty slice, then one byte.
        if size == 0 {
            assert_eq!(
                parser.feed(&[]),
                Ok(Progress {
                    consumed: 0,
                    reply: None
                })
            );
        }
        let (mut chunk, after) = rest.split_at(size.clamp(1, rest.len()));
        rest = after;
        loop {
            match parser.feed(chunk) {
                Ok(p) => {
                    assert!(p.consumed <= chunk.len());
                    assert!(p.consumed > 0 || chunk.is_empty());
                    assert!(parser.buffered() <= limits.max_line_len + 1 + limits.max_reply_len);
                    chunk = &chunk[p.consumed..];
                    let Some(reply) = p.reply else { break };
                    assert_eq!(reply.lines().count(), reply.line_count());
                    assert!(!reply.to_string().chars().any(char::is_control));
                    out.push(Ok(reply));
                }
                Err(e) => {
                    assert_eq!(parser.buffered(), 0);
                    out.push(Err(e));
                    return out;
                }
            }
        }
    }
    out
}

fuzz_target!(|input: &[u8]| {
    let [line, reply, n, rest @ ..] = input else {
        return;
    };
    let limits = Limits {
        max_line_len: usize::from(*line % 64) + 1,
        max_reply_len: usize::from(*reply) * 4,
    };
    let (sizes, data) = rest.split_at(usize::from(n % 16).min(rest.len()));
    let chunked = parse(limits, data, sizes);
    assert_eq!(
        chunked,
        parse(limits, data, &[]),
        "split changed the result"
    );
});
