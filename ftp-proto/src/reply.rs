//! Server replies and the incremental parser that frames them (RFC 959 4.2).

use std::fmt;
use std::ops::Range;

use bytes::Bytes;

/// A three-digit reply code such as `226`.
///
/// The codes of RFC 959, 2228, 2428 and 3659 that clients meet most have
/// names, as associated constants (`ReplyCode::FILE_UNAVAILABLE` is 550);
/// they work in patterns.
///
/// ```
/// use ftp_proto::{ReplyClass, ReplyCode};
/// let code = ReplyCode::new(550).unwrap();
/// assert_eq!(code.class(), ReplyClass::PermanentNegative);
/// assert_eq!(code, ReplyCode::FILE_UNAVAILABLE);
/// assert!(matches!(code, ReplyCode::FILE_UNAVAILABLE | ReplyCode::FILE_NAME_NOT_ALLOWED));
/// assert_eq!(ReplyCode::CLOSING_DATA_CONNECTION.get(), 226);
/// assert!(ReplyCode::new(650).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReplyCode(u16);

impl ReplyCode {
    /// 110: restart marker reply (RFC 959 4.2).
    pub const RESTART_MARKER: ReplyCode = ReplyCode(110);
    /// 120: service ready in a few minutes; 220 follows.
    pub const SERVICE_READY_SOON: ReplyCode = ReplyCode(120);
    /// 125: data connection already open; transfer starting.
    pub const DATA_CONNECTION_ALREADY_OPEN: ReplyCode = ReplyCode(125);
    /// 150: file status okay; about to open the data connection.
    pub const FILE_STATUS_OK: ReplyCode = ReplyCode(150);
    /// 200: command okay.
    pub const COMMAND_OK: ReplyCode = ReplyCode(200);
    /// 202: command not implemented, superfluous at this site.
    pub const COMMAND_SUPERFLUOUS: ReplyCode = ReplyCode(202);
    /// 211: system status, or the FEAT list.
    pub const SYSTEM_STATUS: ReplyCode = ReplyCode(211);
    /// 212: directory status.
    pub const DIRECTORY_STATUS: ReplyCode = ReplyCode(212);
    /// 213: file status: the answer to SIZE and MDTM.
    pub const FILE_STATUS: ReplyCode = ReplyCode(213);
    /// 214: help message.
    pub const HELP: ReplyCode = ReplyCode(214);
    /// 215: the system type (the answer to SYST).
    pub const SYSTEM_TYPE: ReplyCode = ReplyCode(215);
    /// 220: service ready for a new user: the greeting.
    pub const SERVICE_READY: ReplyCode = ReplyCode(220);
    /// 221: closing the control connection (the answer to QUIT).
    pub const SERVICE_CLOSING: ReplyCode = ReplyCode(221);
    /// 225: data connection open; no transfer in progress (an answer to ABOR).
    pub const DATA_CONNECTION_OPEN: ReplyCode = ReplyCode(225);
    /// 226: closing the data connection: the transfer (or ABOR) succeeded.
    pub const CLOSING_DATA_CONNECTION: ReplyCode = ReplyCode(226);
    /// 227: entering passive mode (PASV).
    pub const PASSIVE_MODE: ReplyCode = ReplyCode(227);
    /// 229: entering extended passive mode (EPSV, RFC 2428).
    pub const EXTENDED_PASSIVE_MODE: ReplyCode = ReplyCode(229);
    /// 230: user logged in.
    pub const LOGGED_IN: ReplyCode = ReplyCode(230);
    /// 234: security exchange accepted (AUTH, RFC 2228).
    pub const AUTH_OK: ReplyCode = ReplyCode(234);
    /// 250: requested file action okay, completed.
    pub const FILE_ACTION_OK: ReplyCode = ReplyCode(250);
    /// 257: pathname created, or the working directory (PWD).
    pub const PATH_CREATED: ReplyCode = ReplyCode(257);
    /// 331: user name okay, need password.
    pub const NEED_PASSWORD: ReplyCode = ReplyCode(331);
    /// 332: need account for login.
    pub const NEED_ACCOUNT: ReplyCode = ReplyCode(332);
    /// 350: requested file action pending further information (RNFR, REST).
    pub const FILE_ACTION_PENDING: ReplyCode = ReplyCode(350);
    /// 421: service not available, closing the control connection. May arrive in answer to any command.
    pub const SERVICE_NOT_AVAILABLE: ReplyCode = ReplyCode(421);
    /// 425: cannot open the data connection.
    pub const CANT_OPEN_DATA_CONNECTION: ReplyCode = ReplyCode(425);
    /// 426: connection closed; transfer aborted.
    pub const TRANSFER_ABORTED: ReplyCode = ReplyCode(426);
    /// 450: file unavailable (busy); try again later.
    pub const FILE_UNAVAILABLE_TRANSIENT: ReplyCode = ReplyCode(450);
    /// 451: action aborted: local error in processing.
    pub const LOCAL_ERROR: ReplyCode = ReplyCode(451);
    /// 452: action not taken: insufficient storage space.
    pub const INSUFFICIENT_STORAGE: ReplyCode = ReplyCode(452);
    /// 500: syntax error, command unrecognized.
    pub const SYNTAX_ERROR: ReplyCode = ReplyCode(500);
    /// 501: syntax error in parameters or arguments.
    pub const SYNTAX_ERROR_IN_ARGUMENTS: ReplyCode = ReplyCode(501);
    /// 502: command not implemented.
    pub const NOT_IMPLEMENTED: ReplyCode = ReplyCode(502);
    /// 503: bad sequence of commands.
    pub const BAD_SEQUENCE: ReplyCode = ReplyCode(503);
    /// 504: command not implemented for that parameter.
    pub const NOT_IMPLEMENTED_FOR_PARAMETER: ReplyCode = ReplyCode(504);
    /// 530: not logged in.
    pub const NOT_LOGGED_IN: ReplyCode = ReplyCode(530);
    /// 532: need account for storing files.
    pub const NEED_ACCOUNT_FOR_STORING: ReplyCode = ReplyCode(532);
    /// 534: request denied for policy reasons (RFC 2228), e.g. TLS required.
    pub const POLICY_REFUSED: ReplyCode = ReplyCode(534);
    /// 550: file unavailable: not found, no access.
    pub const FILE_UNAVAILABLE: ReplyCode = ReplyCode(550);
    /// 551: action aborted: page type unknown.
    pub const PAGE_TYPE_UNKNOWN: ReplyCode = ReplyCode(551);
    /// 552: file action aborted: exceeded storage allocation.
    pub const EXCEEDED_STORAGE: ReplyCode = ReplyCode(552);
    /// 553: action not taken: file name not allowed.
    pub const FILE_NAME_NOT_ALLOWED: ReplyCode = ReplyCode(553);

    /// The code if it is 100–599 (first digit 1–5, as RFC 959 defines).
    pub const fn new(code: u16) -> Option<Self> {
        if code >= 100 && code < 600 {
            Some(ReplyCode(code))
        } else {
            None
        }
    }

    /// The numeric value.
    pub const fn get(self) -> u16 {
        self.0
    }

    /// What the first digit says about the outcome.
    pub const fn class(self) -> ReplyClass {
        match self.0 / 100 {
            1 => ReplyClass::PositivePreliminary,
            2 => ReplyClass::PositiveCompletion,
            3 => ReplyClass::PositiveIntermediate,
            4 => ReplyClass::TransientNegative,
            _ => ReplyClass::PermanentNegative,
        }
    }

    /// `4xx` or `5xx`: the server refused.
    pub const fn is_negative(self) -> bool {
        self.0 >= 400
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The class of a reply, from its first digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplyClass {
    /// `1xx`: action started; expect another reply.
    PositivePreliminary,
    /// `2xx`: action completed.
    PositiveCompletion,
    /// `3xx`: accepted; send the next command of the sequence.
    PositiveIntermediate,
    /// `4xx`: refused this time; the same command may work later.
    TransientNegative,
    /// `5xx`: refused; repeating the command will not help.
    PermanentNegative,
}

/// One complete reply: its code and its text lines.
///
/// The first line's text excludes the `123 ` or `123-` prefix, and so does
/// the last line of a multi-line reply; intermediate lines are kept as sent,
/// except that a leading `123-` (which many servers repeat) is dropped.
///
/// The text of all lines lives in one buffer; lines are ranges into it.
#[derive(Debug, Clone)]
pub struct Reply {
    code: ReplyCode,
    text: Bytes,
    first: Range<usize>,
    rest: Vec<Range<usize>>,
}

impl Reply {
    /// A reply built from its lines (without code prefixes or line ends);
    /// useful in tests and for drivers that synthesise replies.
    pub fn new(code: ReplyCode, lines: Vec<Bytes>) -> Self {
        let mut text = Vec::with_capacity(lines.iter().map(Bytes::len).sum());
        let mut ranges = Vec::with_capacity(lines.len());
        for line in &lines {
            let start = text.len();
            text.extend_from_slice(line);
            ranges.push(start..text.len());
        }
        let mut ranges = ranges.into_iter();
        let first = ranges.next().unwrap_or(0..0);
        Reply {
            code,
            text: Bytes::from(text),
            first,
            rest: ranges.collect(),
        }
    }

    /// The reply code.
    pub fn code(&self) -> ReplyCode {
        self.code
    }

    /// Shorthand for `self.code().class()`.
    pub fn class(&self) -> ReplyClass {
        self.code.class()
    }

    /// The text lines, never none: the first and, for multi-line replies,
    /// the last line without their code prefix.
    pub fn lines(&self) -> impl DoubleEndedIterator<Item = &[u8]> {
        std::iter::once(&self.first)
            .chain(&self.rest)
            .map(|range| &self.text[range.clone()])
    }

    /// How many lines the reply has: 1 unless multi-line.
    pub fn line_count(&self) -> usize {
        1 + self.rest.len()
    }

    /// The first line's text, without the code.
    pub fn first_line(&self) -> &[u8] {
        &self.text[self.first.clone()]
    }

    /// All text, lossily decoded, lines joined with `\n`.
    pub fn text(&self) -> String {
        let lines: Vec<_> = self.lines().map(String::from_utf8_lossy).collect();
        lines.join("\n")
    }
}

/// Replies are equal when their codes and lines are.
impl PartialEq for Reply {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
            && self.line_count() == other.line_count()
            && self.lines().eq(other.lines())
    }
}

impl Eq for Reply {}

/// One line: the code and the trimmed text lines joined by `" "`, so that
/// an error message built from a multi-line reply stays on one line.
impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        for line in self.lines() {
            let text = String::from_utf8_lossy(line);
            let text = text.trim();
            if !text.is_empty() {
                f.write_str(" ")?;
                // Control characters from the server must not reach a
                // terminal raw.
                for c in text.chars() {
                    if c.is_control() {
                        write!(f, "{}", c.escape_default())?;
                    } else {
                        write!(f, "{c}")?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Bounds on what the parser buffers, so that a hostile or broken server
/// cannot make the client grow memory without limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest line accepted, in bytes, without its line end.
    pub max_line_len: usize,
    /// The most text one reply may hold, all lines counted.
    pub max_reply_len: usize,
}

impl Default for Limits {
    /// 64 KiB a line, 1 MiB a reply: far beyond what real servers send.
    fn default() -> Self {
        Limits {
            max_line_len: 64 * 1024,
            max_reply_len: 1024 * 1024,
        }
    }
}

/// Why bytes from the server are not a valid reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// A line did not start with a three-digit code 100–599 followed by a
    /// space, a hyphen or the end of the line, or it held a NUL byte.
    #[error("malformed reply line {line:?}")]
    Malformed {
        /// The start of the offending line, lossily decoded.
        line: String,
    },
    /// A line grew past [`Limits::max_line_len`] without a line end.
    #[error("reply line longer than {limit} bytes")]
    LineTooLong {
        /// The limit in force.
        limit: usize,
    },
    /// A multi-line reply grew past [`Limits::max_reply_len`].
    #[error("reply longer than {limit} bytes")]
    ReplyTooLong {
        /// The limit in force.
        limit: usize,
    },
}

/// What one call to [`ReplyParser::feed`] achieved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// How many of the given bytes were consumed. Bytes after a complete
    /// reply are not consumed: feed them again.
    pub consumed: usize,
    /// The reply completed by those bytes, if any.
    pub reply: Option<Reply>,
}

/// Incremental reply parser: feed it the control stream in any split, byte
/// by byte included, and it returns each reply once its last line arrives.
///
/// Work is linear in the input: each byte is scanned once and copied once,
/// into the buffer that becomes the reply's text. Memory is bounded by
/// [`Limits`]. Lines may end in CRLF or a bare LF.
///
/// ```
/// use ftp_proto::ReplyParser;
/// let mut parser = ReplyParser::default();
/// let input = b"220-Welcome\r\n220 Ready\r\n331 Password?\r\n";
/// let first = parser.feed(input)?;
/// assert_eq!(first.reply.unwrap().code().get(), 220);
/// let second = parser.feed(&input[first.consumed..])?;
/// assert_eq!(second.reply.unwrap().code().get(), 331);
/// # Ok::<(), ftp_proto::ReplyError>(())
/// ```
#[derive(Debug, Default)]
pub struct ReplyParser {
    limits: Limits,
    /// The current reply's lines so far, then the incomplete line.
    buf: Vec<u8>,
    /// Where the incomplete line starts in `buf`.
    line_start: usize,
    /// The open multi-line reply, if any.
    open: Option<OpenReply>,
}

#[derive(Debug)]
struct OpenReply {
    code: ReplyCode,
    prefix: [u8; 3],
    first: Range<usize>,
    rest: Vec<Range<usize>>,
}

impl ReplyParser {
    /// A parser with the given limits.
    pub fn new(limits: Limits) -> Self {
        ReplyParser {
            limits,
            buf: Vec::new(),
            line_start: 0,
            open: None,
        }
    }

    /// Whether the parser holds part of a reply.
    pub fn is_mid_reply(&self) -> bool {
        !self.buf.is_empty()
    }

    /// Bytes currently buffered: at most `max_reply_len + max_line_len + 1`.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Consumes bytes up to the end of the next complete reply.
    ///
    /// On error the parser discards its state; the control connection is
    /// then out of step and should be closed.
    pub fn feed(&mut self, data: &[u8]) -> Result<Progress, ReplyError> {
        let mut consumed = 0;
        while consumed < data.len() {
            let rest = &data[consumed..];
            let (piece, line_complete) = match memchr::memchr2(b'\n', 0, rest) {
                // No reply holds a NUL (RFC 959 replies are Telnet text):
                // a line with one is not the server's word to act on.
                Some(nul) if rest[nul] == 0 => {
                    let mut line = self.buf[self.line_start..].to_vec();
                    line.extend_from_slice(&rest[..=nul]);
                    return Err(self.fail(ReplyError::Malformed {
                        line: lossy_start(&line),
                    }));
                }
                Some(end) => (&rest[..end], true),
                None => (rest, false),
            };
            let line_len = self.buf.len() - self.line_start;
            if line_len + piece.len() > self.limits.max_line_len + 1 {
                // `+ 1` leaves room for the CR of a CRLF split from its LF.
                return Err(self.fail(ReplyError::LineTooLong {
                    limit: self.limits.max_line_len,
                }));
            }
            self.buf.extend_from_slice(piece);
            consumed += piece.len();
            if !line_complete {
                break;
            }
            consumed += 1;
            if self.buf.len() > self.line_start && self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
            if self.buf.len() - self.line_start > self.limits.max_line_len {
                return Err(self.fail(ReplyError::LineTooLong {
                    limit: self.limits.max_line_len,
                }));
            }
            match self.complete_line() {
                Ok(Some(reply)) => {
                    return Ok(Progress {
                        consumed,
                        reply: Some(reply),
                    });
                }
                Ok(None) => {}
                Err(error) => return Err(self.fail(error)),
            }
        }
        Ok(Progress {
            consumed,
            reply: None,
        })
    }

    fn fail(&mut self, error: ReplyError) -> ReplyError {
        self.buf = Vec::new();
        self.line_start = 0;
        self.open = None;
        error
    }

    /// Handles the line `buf[line_start..]`, just completed.
    fn complete_line(&mut self) -> Result<Option<Reply>, ReplyError> {
        let start = self.line_start;
        let end = self.buf.len();
        let line = &self.buf[start..];
        match self.open.take() {
            None => {
                let (code, separator) = parse_code(line)?;
                let first = start + line_text_start(separator)..end;
                if separator == Some(b'-') {
                    // The first line counts towards the reply's size too.
                    if self.buf.len() > self.limits.max_reply_len {
                        return Err(ReplyError::ReplyTooLong {
                            limit: self.limits.max_reply_len,
                        });
                    }
                    let mut prefix = [0; 3];
                    prefix.copy_from_slice(&line[..3]);
                    self.open = Some(OpenReply {
                        code,
                        prefix,
                        first,
                        rest: Vec::new(),
                    });
                    self.line_start = end;
                    Ok(None)
                } else {
                    Ok(Some(self.take_reply(code, first, Vec::new())))
                }
            }
            Some(mut open) => {
                let has_prefix = line.starts_with(&open.prefix);
                let is_last = has_prefix && matches!(line.get(3), None | Some(b' '));
                let text_start = if is_last {
                    start + line.len().min(4)
                } else if has_prefix && line.get(3) == Some(&b'-') {
                    start + 4
                } else {
                    start
                };
                if self.buf.len() > self.limits.max_reply_len {
                    return Err(ReplyError::ReplyTooLong {
                        limit: self.limits.max_reply_len,
                    });
                }
                open.rest.push(text_start..end);
                if is_last {
                    Ok(Some(self.take_reply(open.code, open.first, open.rest)))
                } else {
                    self.open = Some(open);
                    self.line_start = end;
                    Ok(None)
                }
            }
        }
    }

    fn take_reply(
        &mut self,
        code: ReplyCode,
        first: Range<usize>,
        rest: Vec<Range<usize>>,
    ) -> Reply {
        self.line_start = 0;
        Reply {
            code,
            text: Bytes::from(std::mem::take(&mut self.buf)),
            first,
            rest,
        }
    }
}

/// Where the text starts after a code: after `123 ` or `123-`, or at the
/// end of a bare `123`.
fn line_text_start(separator: Option<u8>) -> usize {
    if separator.is_some() { 4 } else { 3 }
}

/// The start of a malformed line, for its error.
fn lossy_start(line: &[u8]) -> String {
    String::from_utf8_lossy(&line[..line.len().min(80)]).into_owned()
}

/// The code of a reply's first line and the byte after it (`None` at the
/// end of the line).
fn parse_code(line: &[u8]) -> Result<(ReplyCode, Option<u8>), ReplyError> {
    let malformed = || ReplyError::Malformed {
        line: lossy_start(line),
    };
    let digits = line.get(..3).ok_or_else(malformed)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err(malformed());
    }
    let value = digits
        .iter()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    let code = ReplyCode::new(value).ok_or_else(malformed)?;
    match line.get(3) {
        None => Ok((code, None)),
        Some(&sep @ (b' ' | b'-')) => Ok((code, Some(sep))),
        Some(_) => Err(malformed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(input: &[u8]) -> Result<Vec<Reply>, ReplyError> {
        let mut parser = ReplyParser::default();
        let mut replies = Vec::new();
        let mut rest = input;
        while !rest.is_empty() {
            let progress = parser.feed(rest)?;
            rest = &rest[progress.consumed..];
            replies.extend(progress.reply);
        }
        Ok(replies)
    }

    fn lines(reply: &Reply) -> Vec<String> {
        reply
            .lines()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect()
    }

    /// Input, and the replies it holds as (code, lines).
    type Case = (&'static [u8], &'static [(u16, &'static [&'static str])]);

    #[test]
    fn single_and_multi_line_replies() {
        let cases: &[Case] = &[
            (b"220 Ready\r\n", &[(220, &["Ready"])]),
            (b"200\r\n", &[(200, &[""])]),
            (b"230 Ok\n", &[(230, &["Ok"])]),
            (
                b"211-Features:\r\n MDTM\r\n SIZE\r\n211 End\r\n",
                &[(211, &["Features:", " MDTM", " SIZE", "End"])],
            ),
            // RFC 959 4.2: intermediate lines may start with digits, even
            // another code followed by a space.
            (
                b"123-First line\r\n  234 Text beginning with numbers\r\n123 The last line\r\n",
                &[(
                    123,
                    &[
                        "First line",
                        "  234 Text beginning with numbers",
                        "The last line",
                    ],
                )],
            ),
            (
                b"226-Transfer ok\r\n226-Another\r\n226 Done\r\n",
                &[(226, &["Transfer ok", "Another", "Done"])],
            ),
            (
                b"150-Accepted\r\n150 Opening\r\n226 Ok\r\n",
                &[(150, &["Accepted", "Opening"]), (226, &["Ok"])],
            ),
            // "230-" then a line "230" alone ends the reply.
            (b"230-a\r\n230\r\n", &[(230, &["a", ""])]),
            // A line starting "230x" does not end a 230 reply.
            (
                b"230-a\r\n2300 b\r\n230 c\r\n",
                &[(230, &["a", "2300 b", "c"])],
            ),
        ];
        for (input, expected) in cases {
            let replies = parse_all(input).unwrap();
            let got: Vec<_> = replies.iter().map(|r| (r.code().get(), lines(r))).collect();
            let want: Vec<_> = expected
                .iter()
                .map(|(c, ls)| (*c, ls.iter().map(|s| s.to_string()).collect::<Vec<_>>()))
                .collect();
            assert_eq!(got, want, "{}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn pure_ftpd_banner() {
        let banner = b"220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------\r\n\
220-You are user number 1 of 50 allowed.\r\n\
220-Local time is now 10:00. Server port: 21.\r\n\
220-This is a private system - No anonymous login\r\n\
220-IPv6 connections are also welcome on this server.\r\n\
220 You will be disconnected after 15 minutes of inactivity.\r\n";
        let replies = parse_all(banner).unwrap();
        assert_eq!(replies.len(), 1);
        assert_eq!(replies[0].line_count(), 6);
        assert_eq!(
            lines(&replies[0])[5],
            "You will be disconnected after 15 minutes of inactivity."
        );
    }

    #[test]
    fn invalid_codes_are_errors() {
        for bad in [
            &b"hello\r\n"[..],
            b"22 short\r\n",
            b"099 low\r\n",
            b"600 high\r\n",
            b"2x0 x\r\n",
            b"220_x\r\n",
            b"\r\n",
            b"230 Logged in\0\r\n",
            b"230-Welcome\r\n \0 \r\n230 Ok\r\n",
            b"2\x0030 Ok\r\n",
        ] {
            assert!(
                matches!(parse_all(bad), Err(ReplyError::Malformed { .. })),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn endless_line_is_bounded() {
        let mut parser = ReplyParser::new(Limits {
            max_line_len: 100,
            max_reply_len: 1000,
        });
        let chunk = [b'2'; 64];
        let mut error = None;
        for _ in 0..10 {
            match parser.feed(&chunk) {
                Ok(_) => assert!(parser.buffered() <= 101),
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        assert_eq!(error, Some(ReplyError::LineTooLong { limit: 100 }));
    }

    #[test]
    fn endless_multi_line_reply_is_bounded() {
        let mut parser = ReplyParser::new(Limits {
            max_line_len: 100,
            max_reply_len: 1000,
        });
        assert!(parser.feed(b"220-start\r\n").unwrap().reply.is_none());
        let mut error = None;
        for _ in 0..200 {
            if let Err(e) = parser.feed(b"more text here\r\n") {
                error = Some(e);
                break;
            }
            assert!(parser.buffered() <= 1000);
        }
        assert_eq!(error, Some(ReplyError::ReplyTooLong { limit: 1000 }));
    }

    #[test]
    fn crlf_split_across_feeds_at_the_line_limit() {
        let mut parser = ReplyParser::new(Limits {
            max_line_len: 8,
            max_reply_len: 100,
        });
        assert!(parser.feed(b"200 abcd\r").unwrap().reply.is_none());
        let reply = parser.feed(b"\n").unwrap().reply.unwrap();
        assert_eq!(reply.first_line(), b"abcd");
    }

    #[test]
    fn display_is_one_line() {
        let replies = parse_all(b"550-No such file\r\n  or directory\r\n550 End\r\n").unwrap();
        assert_eq!(replies[0].to_string(), "550 No such file or directory End");
    }
}
