//! Pure decoders for the replies whose text carries data: 227 PASV, 229
//! EPSV, 257 pathnames, 213 SIZE/MDTM, 211 FEAT, 250 MLST facts, and the
//! size hint of 150.

use std::net::{Ipv4Addr, SocketAddrV4};

use crate::reply::Reply;

pub(crate) mod facts;

pub use facts::{EntryType, Facts, facts_line, mlst};

/// Why a reply's text could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// No `h1,h2,h3,h4,p1,p2` in a 227 reply, or a number over 255.
    #[error("no valid host and port in PASV reply {0:?}")]
    Pasv(String),
    /// No `(|||port|)` in a 229 reply, or a port of 0.
    #[error("no valid port in EPSV reply {0:?}")]
    Epsv(String),
    /// No quoted pathname in a 257 reply.
    #[error("no quoted pathname in reply {0:?}")]
    Pathname(String),
    /// A 257 pathname holding a control character (a byte below 0x20, or
    /// 0x7f): no file name has one that a client should send back.
    #[error("a control character in the pathname of reply {0:?}")]
    PathnameControl(String),
    /// A 213 SIZE reply that is not a decimal byte count.
    #[error("no byte count in SIZE reply {0:?}")]
    Size(String),
    /// A 213 MDTM reply that is not `YYYYMMDDHHMMSS[.fff]`.
    #[error("no timestamp in MDTM reply {0:?}")]
    Mdtm(String),
    /// An MLST reply without an entry line, or an entry that is not
    /// `fact=value;… pathname`.
    #[error("no facts and pathname in MLST entry {0:?}")]
    Facts(String),
    /// A reply to `HASH` or `XSHA256` (…) that is not the digest asked
    /// for: another algorithm, a range that does not start at 0, hex of
    /// the wrong length ([`hash`](crate::hash)).
    #[error("malformed hash reply {reply:?}: {reason}")]
    Hash {
        /// The reply, as the server sent it.
        reply: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

fn first_line_lossy(reply: &Reply) -> String {
    String::from_utf8_lossy(reply.first_line()).into_owned()
}

/// Decodes a 227 reply: the six numbers `h1,h2,h3,h4,p1,p2` found anywhere
/// in the text, with or without parentheses (RFC 1123 4.1.2.6).
///
/// ```
/// use ftp_proto::{decode, Reply, ReplyParser};
/// let reply = ReplyParser::default()
///     .feed(b"227 Entering Passive Mode (127,0,0,1,117,48).\r\n")?
///     .reply
///     .unwrap();
/// assert_eq!(decode::pasv(&reply).unwrap(), "127.0.0.1:30000".parse().unwrap());
/// # Ok::<(), ftp_proto::ReplyError>(())
/// ```
pub fn pasv(reply: &Reply) -> Result<SocketAddrV4, DecodeError> {
    let text = reply.first_line();
    let error = || DecodeError::Pasv(first_line_lossy(reply));
    let mut start = 0;
    while start < text.len() {
        let after_separator = start > 0 && matches!(text[start - 1], b'0'..=b'9' | b',');
        if text[start].is_ascii_digit() && !after_separator {
            if let Some(numbers) = six_numbers(&text[start..]) {
                let [a, b, c, d, p1, p2] = numbers;
                let port = u16::from(p1) << 8 | u16::from(p2);
                return Ok(SocketAddrV4::new(Ipv4Addr::new(a, b, c, d), port));
            }
        }
        start += 1;
    }
    Err(error())
}

/// Six comma-separated numbers of 0–255 at the start of `text`.
fn six_numbers(text: &[u8]) -> Option<[u8; 6]> {
    let mut numbers = [0u8; 6];
    let mut pos = 0;
    for (i, slot) in numbers.iter_mut().enumerate() {
        if i > 0 {
            if text.get(pos) != Some(&b',') {
                return None;
            }
            pos += 1;
        }
        let digits = text[pos..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 || digits > 3 {
            return None;
        }
        let value = text[pos..pos + digits]
            .iter()
            .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
        *slot = u8::try_from(value).ok()?;
        pos += digits;
    }
    // A seventh number means this was not the address.
    if text.get(pos).is_some_and(u8::is_ascii_digit)
        || (text.get(pos) == Some(&b',') && text.get(pos + 1).is_some_and(u8::is_ascii_digit))
    {
        return None;
    }
    Some(numbers)
}

/// Decodes a 229 reply's port: `(<d><d><d>port<d>)` with any printable
/// delimiter `<d>` (RFC 2428 3).
///
/// ```
/// use ftp_proto::{decode, ReplyParser};
/// let reply = ReplyParser::default()
///     .feed(b"229 Entering Extended Passive Mode (|||6446|)\r\n")?
///     .reply
///     .unwrap();
/// assert_eq!(decode::epsv(&reply), Ok(6446));
/// # Ok::<(), ftp_proto::ReplyError>(())
/// ```
pub fn epsv(reply: &Reply) -> Result<u16, DecodeError> {
    let text = reply.first_line();
    let error = || DecodeError::Epsv(first_line_lossy(reply));
    // Try after each '(' first; then anywhere, for servers that drop them.
    let candidates = text
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'(')
        .map(|(i, _)| i + 1)
        .chain(0..text.len());
    for start in candidates {
        if let Some(port) = epsv_at(&text[start..]) {
            return Ok(port);
        }
    }
    Err(error())
}

fn epsv_at(text: &[u8]) -> Option<u16> {
    let &[d, d2, d3, ref rest @ ..] = text else {
        return None;
    };
    if !(33..=126).contains(&d) || d.is_ascii_digit() || d2 != d || d3 != d {
        return None;
    }
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 5 || rest.get(digits) != Some(&d) {
        return None;
    }
    let port = rest[..digits]
        .iter()
        .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
    u16::try_from(port).ok().filter(|&p| p != 0)
}

/// Decodes the pathname of a 257 reply (PWD, MKD): the text between the
/// first quote and the next lone quote, with `""` standing for `"`
/// (RFC 959 Appendix II).
///
/// A pathname with a control character (NUL, CR, LF, ETX…: any byte below
/// 0x20, and DEL) is refused with [`DecodeError::PathnameControl`]: the
/// session passes this path back to the server (`CWD` home after a
/// listing), and a hostile or broken server must not get a client to send
/// bytes it chose.
///
/// ```
/// use ftp_proto::{decode, ReplyParser};
/// let reply = ReplyParser::default()
///     .feed(b"257 \"/say \"\"hi\"\"\" is current directory\r\n")?
///     .reply
///     .unwrap();
/// assert_eq!(decode::pathname(&reply).unwrap(), b"/say \"hi\"");
/// # Ok::<(), ftp_proto::ReplyError>(())
/// ```
pub fn pathname(reply: &Reply) -> Result<Vec<u8>, DecodeError> {
    let text = reply.first_line();
    let error = || DecodeError::Pathname(first_line_lossy(reply));
    let open = memchr::memchr(b'"', text).ok_or_else(error)?;
    let mut path = Vec::new();
    let mut i = open + 1;
    while i < text.len() {
        if text[i] == b'"' {
            if text.get(i + 1) == Some(&b'"') {
                path.push(b'"');
                i += 2;
                continue;
            }
            if path.iter().any(|&b| b < 0x20 || b == 0x7f) {
                return Err(DecodeError::PathnameControl(first_line_lossy(reply)));
            }
            return Ok(path);
        }
        path.push(text[i]);
        i += 1;
    }
    Err(error())
}

/// Decodes a 213 SIZE reply (RFC 3659 4).
pub fn size(reply: &Reply) -> Result<u64, DecodeError> {
    let text = String::from_utf8_lossy(reply.first_line());
    text.trim()
        .parse()
        .map_err(|_| DecodeError::Size(text.into_owned()))
}

/// A time from MDTM or an MLST/MLSD fact, in UTC (RFC 3659 2.3).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use ftp_proto::{decode, ReplyParser};
/// let reply = ReplyParser::default().feed(b"213 20260102030405.25\r\n")?.reply.unwrap();
/// let t = decode::mdtm(&reply).unwrap();
/// assert_eq!(t.unix_timestamp(), 1_767_323_045);
/// assert_eq!(
///     t.to_system_time(),
///     Some(UNIX_EPOCH + Duration::new(1_767_323_045, 250_000_000))
/// );
/// # Ok::<(), ftp_proto::ReplyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Four-digit year.
    pub year: u16,
    /// 1–12.
    pub month: u8,
    /// 1–31.
    pub day: u8,
    /// 0–23.
    pub hour: u8,
    /// 0–59.
    pub minute: u8,
    /// 0–60 (60 for a leap second).
    pub second: u8,
    /// Fraction of the second, in nanoseconds.
    pub nanosecond: u32,
}

impl Timestamp {
    /// Parses `YYYYMMDDHHMMSS` with an optional fraction of up to nine
    /// digits (`.sss`), the form of MDTM replies and of the `modify` and
    /// `create` facts. `None` for anything else, or a date that does not
    /// exist (month 13, 30 February).
    pub fn parse(text: &str) -> Option<Timestamp> {
        let (whole, fraction) = match text.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (text, None),
        };
        if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let field = |range: std::ops::Range<usize>| whole[range].parse::<u16>().ok();
        let nanosecond = match fraction {
            None => 0,
            Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
                let digits: u32 = f.parse().ok()?;
                digits * 10u32.pow(9 - f.len() as u32)
            }
            Some(_) => return None,
        };
        let t = Timestamp {
            year: field(0..4)?,
            month: field(4..6)? as u8,
            day: field(6..8)? as u8,
            hour: field(8..10)? as u8,
            minute: field(10..12)? as u8,
            second: field(12..14)? as u8,
            nanosecond,
        };
        let valid = (1..=12).contains(&t.month)
            && t.day >= 1
            && t.day <= days_in_month(t.year, t.month)
            && t.hour < 24
            && t.minute < 60
            && t.second <= 60;
        valid.then_some(t)
    }

    /// Whole seconds since 1970-01-01 00:00:00 UTC (negative before), the
    /// fraction dropped. A leap second (60) counts as the first second of
    /// the next minute.
    pub fn unix_timestamp(&self) -> i64 {
        days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        ) * 86_400
            + i64::from(self.hour) * 3_600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// The same instant as a [`SystemTime`](std::time::SystemTime), the
    /// fraction kept; `None` only if this platform cannot represent it
    /// (Windows' clock starts in 1601).
    pub fn to_system_time(&self) -> Option<std::time::SystemTime> {
        use std::time::{Duration, UNIX_EPOCH};
        let seconds = self.unix_timestamp();
        let fraction = Duration::from_nanos(u64::from(self.nanosecond.min(999_999_999)));
        if seconds >= 0 {
            UNIX_EPOCH
                .checked_add(Duration::from_secs(seconds.unsigned_abs()))?
                .checked_add(fraction)
        } else {
            UNIX_EPOCH
                .checked_sub(Duration::from_secs(seconds.unsigned_abs()))?
                .checked_add(fraction)
        }
    }
}

impl Timestamp {
    /// The UTC time `seconds` after 1970-01-01 00:00:00 (before it, if
    /// negative); `None` outside the years 0–9999.
    ///
    /// ```
    /// use ftp_proto::decode::Timestamp;
    /// let t = Timestamp::from_unix(1_767_323_045).unwrap();
    /// assert_eq!((t.year, t.month, t.day, t.hour, t.minute, t.second), (2026, 1, 2, 3, 4, 5));
    /// assert_eq!(t.unix_timestamp(), 1_767_323_045);
    /// ```
    pub fn from_unix(seconds: i64) -> Option<Timestamp> {
        let days = seconds.div_euclid(86_400);
        let rest = seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        if !(0..=9999).contains(&year) {
            return None;
        }
        Some(Timestamp {
            year: year as u16,
            month: month as u8,
            day: day as u8,
            hour: (rest / 3_600) as u8,
            minute: (rest % 3_600 / 60) as u8,
            second: (rest % 60) as u8,
            nanosecond: 0,
        })
    }

    /// A date and time that exist (month 1–12, a day of that month, hour
    /// under 24, minute under 60, second up to 60); `None` otherwise.
    pub fn new(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        let valid = (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour < 24
            && minute < 60
            && second <= 60;
        valid.then_some(Timestamp {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanosecond: 0,
        })
    }
}

/// The proleptic Gregorian date of a day count from 1970-01-01 (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap_year(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard
/// Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Decodes a 213 MDTM reply: `YYYYMMDDHHMMSS` with an optional fraction.
///
/// ```
/// use ftp_proto::{decode, ReplyParser};
/// let reply = ReplyParser::default().feed(b"213 20261122083000.5\r\n")?.reply.unwrap();
/// let t = decode::mdtm(&reply).unwrap();
/// assert_eq!((t.year, t.month, t.day, t.hour, t.nanosecond), (2026, 11, 22, 8, 500_000_000));
/// # Ok::<(), ftp_proto::ReplyError>(())
/// ```
pub fn mdtm(reply: &Reply) -> Result<Timestamp, DecodeError> {
    let text = String::from_utf8_lossy(reply.first_line());
    Timestamp::parse(text.trim()).ok_or_else(|| DecodeError::Mdtm(text.into_owned()))
}

/// The extensions a server announced in its 211 FEAT reply (RFC 2389).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    entries: Vec<(String, String)>,
}

impl Features {
    /// Whether `name` (such as `"MLST"` or `"UTF8"`) was announced;
    /// case-insensitive.
    pub fn supports(&self, name: &str) -> bool {
        self.params(name).is_some()
    }

    /// The parameters announced with `name`, such as `"type*;size*;"` for
    /// `MLST`.
    pub fn params(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, p)| p.as_str())
    }

    /// Every announced feature and its parameters, in the server's order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, p)| (n.as_str(), p.as_str()))
    }
}

/// Decodes a 211 FEAT reply: each line between the first and the last that
/// starts with a space names a feature, optionally followed by parameters.
pub fn features(reply: &Reply) -> Features {
    let inner = reply.line_count().saturating_sub(2);
    let entries = reply
        .lines()
        .skip(1)
        .take(inner)
        .filter(|line| line.first() == Some(&b' '))
        .filter_map(|line| {
            let line = String::from_utf8_lossy(line);
            let line = line.trim();
            let (name, params) = line.split_once(' ').unwrap_or((line, ""));
            (!name.is_empty()).then(|| (name.to_ascii_uppercase(), params.trim().to_owned()))
        })
        .collect();
    Features { entries }
}

/// The transfer size some servers announce in their 150 reply, as in
/// `150 Opening BINARY mode data connection for f (1234 bytes)`.
pub fn size_hint(reply: &Reply) -> Option<u64> {
    let text = reply.first_line();
    let mut search = 0;
    while let Some(found) = memchr::memchr(b'(', &text[search..]) {
        let start = search + found + 1;
        let digits = text[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let after = &text[start + digits..];
        if digits > 0 && after.len() >= 6 && after[..6].eq_ignore_ascii_case(b" bytes") {
            return std::str::from_utf8(&text[start..start + digits])
                .ok()?
                .parse()
                .ok();
        }
        search = start;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::ReplyParser;

    fn reply(text: &str) -> Reply {
        let mut parser = ReplyParser::default();
        let mut rest = text.as_bytes();
        loop {
            let p = parser.feed(rest).expect("valid reply");
            rest = &rest[p.consumed..];
            if let Some(r) = p.reply {
                return r;
            }
            assert!(!rest.is_empty(), "incomplete reply {text:?}");
        }
    }

    #[test]
    fn pasv_table() {
        let ok = [
            (
                "227 Entering Passive Mode (127,0,0,1,117,48).\r\n",
                "127.0.0.1:30000",
            ),
            (
                "227 Entering Passive Mode 127,0,0,1,117,48\r\n",
                "127.0.0.1:30000",
            ),
            ("227 =127,0,0,1,4,1\r\n", "127.0.0.1:1025"),
            (
                "227 Entering Passive Mode (0,0,0,0,195,80)\r\n",
                "0.0.0.0:50000",
            ),
            (
                "227 Entering Passive Mode (10,1,2,3,255,255)\r\n",
                "10.1.2.3:65535",
            ),
            // Digits before the address that do not form six numbers are skipped.
            ("227 2 ways (192,168,0,9,0,21)\r\n", "192.168.0.9:21"),
        ];
        for (text, addr) in ok {
            assert_eq!(pasv(&reply(text)), Ok(addr.parse().unwrap()), "{text:?}");
        }
        for bad in [
            "227 Entering Passive Mode (127,0,0,256,1,1)\r\n",
            "227 Entering Passive Mode (127,0,0,1,1,300)\r\n",
            "227 Entering Passive Mode (127,0,0,1,1)\r\n",
            "227 Entering Passive Mode (1,2,3,4,5,6,7)\r\n",
            "227 Entering Passive Mode\r\n",
            "227 (1000,0,0,1,1,1)\r\n",
        ] {
            assert!(pasv(&reply(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn epsv_table() {
        let ok = [
            ("229 Entering Extended Passive Mode (|||6446|)\r\n", 6446),
            ("229 Entering Extended Passive Mode (!!!30001!)\r\n", 30001),
            ("229 EPSV ok (###65535#)\r\n", 65535),
            ("229 |||2121|\r\n", 2121),
        ];
        for (text, port) in ok {
            assert_eq!(epsv(&reply(text)), Ok(port), "{text:?}");
        }
        for bad in [
            "229 Entering Extended Passive Mode (|||0|)\r\n",
            "229 Entering Extended Passive Mode (|||65536|)\r\n",
            "229 Entering Extended Passive Mode (||6446|)\r\n",
            "229 Entering Extended Passive Mode (|!|6446|)\r\n",
            "229 Entering Extended Passive Mode (|||6446!)\r\n",
            "229 Entering Extended Passive Mode ()\r\n",
        ] {
            assert!(epsv(&reply(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn pathname_table() {
        let ok: [(&str, &[u8]); 5] = [
            ("257 \"/\" is the current directory\r\n", b"/"),
            ("257 \"/home/ftp\"\r\n", b"/home/ftp"),
            (
                "257 \"/a \"\"quoted\"\" dir\" created\r\n",
                b"/a \"quoted\" dir",
            ),
            ("257 \"\" empty\r\n", b""),
            ("257 MKD command successful: \"/new dir\"\r\n", b"/new dir"),
        ];
        for (text, path) in ok {
            assert_eq!(pathname(&reply(text)).as_deref(), Ok(path), "{text:?}");
        }
        assert!(pathname(&reply("257 /no/quotes\r\n")).is_err());
        assert!(pathname(&reply("257 \"/unterminated\r\n")).is_err());
    }

    #[test]
    fn timestamps_convert_to_unix_time_and_system_time() {
        use std::time::{Duration, UNIX_EPOCH};
        let t = |text: &str| Timestamp::parse(text).unwrap();
        assert_eq!(t("19700101000000").unix_timestamp(), 0);
        assert_eq!(t("19691231235959").unix_timestamp(), -1);
        assert_eq!(t("20000229120000").unix_timestamp(), 951_825_600);
        assert_eq!(t("20381231235960").unix_timestamp(), 2_177_452_800);
        assert_eq!(t("99991231235959").unix_timestamp(), 253_402_300_799);
        assert_eq!(
            t("19700101000001.000000001").to_system_time(),
            Some(UNIX_EPOCH + Duration::new(1, 1))
        );
        assert_eq!(
            t("19691231235959.5").to_system_time(),
            Some(UNIX_EPOCH - Duration::from_millis(500))
        );
        for impossible in [
            "19000229000000",
            "20260431000000",
            "20261300000000",
            "20260100000000",
        ] {
            assert_eq!(Timestamp::parse(impossible), None, "{impossible}");
        }
        assert!(Timestamp::parse("20240229000000").is_some(), "a leap day");
    }

    #[test]
    fn size_and_mdtm() {
        assert_eq!(size(&reply("213 52428800\r\n")), Ok(52_428_800));
        assert_eq!(size(&reply("213 0\r\n")), Ok(0));
        assert!(size(&reply("213 -1\r\n")).is_err());
        assert!(size(&reply("213 big\r\n")).is_err());
        let t = mdtm(&reply("213 19980615100045\r\n")).unwrap();
        assert_eq!(
            (
                t.year,
                t.month,
                t.day,
                t.hour,
                t.minute,
                t.second,
                t.nanosecond
            ),
            (1998, 6, 15, 10, 0, 45, 0)
        );
        assert_eq!(
            mdtm(&reply("213 20200101000000.123\r\n"))
                .unwrap()
                .nanosecond,
            123_000_000
        );
        for bad in [
            "213 2020010100000\r\n",
            "213 20201301000000\r\n",
            "213 20200100000000\r\n",
            "213 20200101250000\r\n",
            "213 20200101000000.\r\n",
            "213 2020-01-01\r\n",
        ] {
            assert!(mdtm(&reply(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn feat_lines() {
        let f = features(&reply(
            "211-Extensions supported:\r\n EPRT\r\n MLST type*;size*;modify*;\r\n UTF8\r\n SIZE\r\n211 End.\r\n",
        ));
        assert!(f.supports("mlst"));
        assert_eq!(f.params("MLST"), Some("type*;size*;modify*;"));
        assert!(f.supports("UTF8"));
        assert!(!f.supports("MDTM"));
        assert_eq!(f.iter().count(), 4);
        assert_eq!(features(&reply("211 No features\r\n")), Features::default());
    }

    #[test]
    fn size_hints() {
        assert_eq!(
            size_hint(&reply(
                "150 Opening BINARY mode data connection for big.bin (52428800 bytes).\r\n"
            )),
            Some(52_428_800)
        );
        assert_eq!(
            size_hint(&reply("150 Opening data connection (x) (12 Bytes)\r\n")),
            Some(12)
        );
        assert_eq!(size_hint(&reply("150 Accepted data connection\r\n")), None);
        assert_eq!(size_hint(&reply("150 (bytes)\r\n")), None);
    }
}
