//! Directory listings as data: one [`Entry`] type for every format.
//!
//! - [`Format::Mlsd`]: RFC 3659 facts, one entry per line, the same for
//!   every server ([`parse_mlsd_line`]).
//! - [`Format::List`]: whatever `LIST` prints, which no standard defines;
//!   [`parse_list_line`] recognises Unix `ls -l` lines (with or without a
//!   group column, device numbers, `name -> target`), DOS/IIS lines and
//!   EPLF. A line it cannot read is an entry of kind [`Kind::Unknown`]
//!   keeping its raw text: shown, never recursed into.
//!
//! Names are bytes exactly as the server sent them: never trimmed, never
//! decoded. Times carry their [`Precision`] and [`Zone`]: a `LIST` line
//! gives the server's local time to the minute or the day, MLSD gives UTC
//! to the second or better.
//!
//! `LIST` omits the year of recent files; this crate has no clock, so the
//! caller passes "now" (UTC) and the year is the latest one that does not
//! put the date more than a day in the future.
//!
//! ```
//! use ftp_proto::decode::Timestamp;
//! use ftp_proto::listing::{self, Format, Kind, Precision};
//!
//! let now = Timestamp::new(2026, 3, 1, 12, 0, 0).unwrap();
//! let data = b"total 8\r\n\
//! drwxr-xr-x  2 ftp ftp 4096 Dec 24 18:30 pub\r\n\
//! lrwxrwxrwx  1 ftp ftp    3 Jan  5  2019 latest -> pub\r\n";
//! let entries: Vec<_> = listing::parse(Format::List, data, now).collect();
//! assert_eq!(entries.len(), 2);
//! assert_eq!(entries[0].name, b"pub");
//! assert_eq!(entries[0].kind, Kind::Dir);
//! let modified = entries[0].modified.unwrap();
//! assert_eq!((modified.time.year, modified.precision), (2025, Precision::Minute));
//! assert_eq!(entries[1].kind, Kind::Symlink { target: Some(b"pub".to_vec()) });
//! ```

use crate::decode::Timestamp;

mod dos;
mod eplf;
mod mlsd;
mod name;
mod unix;

pub use name::{NameError, check_component};

/// One entry of a directory listing, whatever its format.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// The name, exactly as sent: not trimmed, not decoded. For MLST it is
    /// the whole pathname the server gave.
    pub name: Vec<u8>,
    /// What the entry is.
    pub kind: Kind,
    /// The size in bytes, where given (`sizd` for MLSD directories).
    pub size: Option<u64>,
    /// The last modification, where given.
    pub modified: Option<Modified>,
    /// Unix permission bits (`0o644`), from `ls -l` modes, `UNIX.mode` or
    /// EPLF `up`.
    pub mode: Option<u32>,
    /// MLSD's `perm` fact (`"adfrw"`, RFC 3659 7.5.5), as sent.
    pub perm: Option<String>,
    /// The owner, as sent (a name or a number).
    pub owner: Option<String>,
    /// The group, as sent.
    pub group: Option<String>,
    /// An identifier of the file on the server (MLSD `unique`, EPLF `i`):
    /// two entries with the same one are the same file.
    pub unique: Option<String>,
    /// The line as received, line end removed.
    pub raw: Vec<u8>,
}

/// What an [`Entry`] is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// MLSD's `cdir`: the listed directory itself. Never a child.
    CurrentDir,
    /// MLSD's `pdir`: the parent of the listed directory. Never a child.
    ParentDir,
    /// A symbolic link, with its target where the server said.
    Symlink {
        /// The target, exactly as sent.
        target: Option<Vec<u8>>,
    },
    /// A device file (`ls -l` `b` or `c`) with its numbers.
    Device {
        /// Major number.
        major: u32,
        /// Minor number.
        minor: u32,
    },
    /// Something else the server named: a pipe (`p`), a socket (`s`), an
    /// MLSD type of its own; the text says which.
    Other(String),
    /// A line no parser understood; [`Entry::raw`] holds it.
    Unknown,
}

/// A modification time and how much of it the server said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Modified {
    /// The time; fields finer than [`Modified::precision`] are zero.
    pub time: Timestamp,
    /// How precise [`Modified::time`] is.
    pub precision: Precision,
    /// Whether it is UTC or the server's local time.
    pub zone: Zone,
}

/// Where an exact time stands against a [`Modified`] time known only to
/// its precision and zone ([`Modified::compare_unix`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// Earlier than any time the listed one can stand for.
    Before,
    /// The same second (only for an exact listed time).
    Same,
    /// Later than any time the listed one can stand for.
    After,
    /// Within the span the listed time leaves open (a day, a minute, the
    /// unknown zone): the exact time (`MDTM`) decides.
    Unsure,
}

impl Modified {
    /// Whether this is an exact time: UTC, to the second or better (MLSD,
    /// MLST, MDTM, EPLF). A `LIST` time never is.
    pub fn is_exact(&self) -> bool {
        self.zone == Zone::Utc && self.precision >= Precision::Second
    }

    /// The first and last whole second (Unix time, both included) this time
    /// can stand for: a day's or a minute's worth at [`Precision::Day`] or
    /// [`Precision::Minute`], a day more each way in the server's unknown
    /// zone.
    pub fn span_unix(&self) -> (i64, i64) {
        let own = self.time.unix_timestamp();
        let width = match self.precision {
            Precision::Day => 86_400,
            Precision::Minute => 60,
            Precision::Second | Precision::Subsecond => 1,
        };
        let zone = match self.zone {
            Zone::Utc => 0,
            Zone::ServerLocal => 86_400,
        };
        (own - zone, own + width - 1 + zone)
    }

    /// Where the exact time `other_seconds` (e.g. a local file's, in whole
    /// seconds) stands against this one, at the precision this one has.
    ///
    /// ```
    /// use ftp_proto::decode::Timestamp;
    /// use ftp_proto::listing::{Comparison, Modified, Precision, Zone};
    /// let day = Modified {
    ///     time: Timestamp::new(2020, 9, 13, 0, 0, 0).unwrap(),
    ///     precision: Precision::Day,
    ///     zone: Zone::Utc,
    /// };
    /// let noon = Timestamp::new(2020, 9, 13, 12, 26, 40).unwrap().unix_timestamp();
    /// assert_eq!(day.compare_unix(noon), Comparison::Unsure);
    /// assert_eq!(day.compare_unix(noon + 86_400), Comparison::After);
    /// ```
    pub fn compare_unix(&self, other_seconds: i64) -> Comparison {
        let (first, last) = self.span_unix();
        if other_seconds < first {
            Comparison::Before
        } else if other_seconds > last {
            Comparison::After
        } else if first == last {
            Comparison::Same
        } else {
            Comparison::Unsure
        }
    }

    /// Whether `other` (e.g. a local file's time, truncated as needed) is
    /// the same time as far as this one's precision can tell. Times in the
    /// server's local zone match anything within 24 hours plus the
    /// precision, since the zone is unknown.
    pub fn matches_unix(&self, other_seconds: i64) -> bool {
        let own = self.time.unix_timestamp();
        let slack = match self.precision {
            Precision::Day => 86_400,
            Precision::Minute => 60,
            Precision::Second | Precision::Subsecond => 1,
        };
        let zone_slack = match self.zone {
            Zone::Utc => 0,
            Zone::ServerLocal => 86_400,
        };
        let delta = other_seconds - own;
        (-zone_slack..slack + zone_slack).contains(&delta)
    }
}

/// The precision of a [`Modified`] time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Precision {
    /// The date only (`ls -l` with a year).
    Day,
    /// To the minute (`ls -l` with `HH:MM`, DOS).
    Minute,
    /// To the second (MLSD, EPLF).
    Second,
    /// Finer than a second (MLSD `modify` with a fraction).
    Subsecond,
}

/// Which clock a [`Modified`] time is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Zone {
    /// UTC (MLSD, MLST, MDTM, EPLF).
    Utc,
    /// The server's local time, zone unknown (`LIST`).
    ServerLocal,
}

/// How a listing is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `MLSD` (RFC 3659): facts, then the name.
    Mlsd,
    /// `LIST`: Unix, DOS/IIS or EPLF lines, recognised one by one.
    List,
}

impl Entry {
    fn unknown(line: &[u8]) -> Entry {
        Entry {
            name: Vec::new(),
            kind: Kind::Unknown,
            size: None,
            modified: None,
            mode: None,
            perm: None,
            owner: None,
            group: None,
            unique: None,
            raw: line.to_vec(),
        }
    }

    fn new(name: &[u8], kind: Kind, line: &[u8]) -> Entry {
        Entry {
            name: name.to_vec(),
            kind,
            ..Entry::unknown(line)
        }
    }

    /// An entry of `kind` named `name`, with nothing else known (an empty
    /// [`Entry::raw`]); for drivers that learn about a file by other means
    /// than a listing (SIZE, MDTM).
    pub fn with_kind(name: impl Into<Vec<u8>>, kind: Kind) -> Entry {
        Entry {
            name: name.into(),
            kind,
            ..Entry::unknown(b"")
        }
    }

    /// The name, decoded lossily for display.
    pub fn name_lossy(&self) -> String {
        String::from_utf8_lossy(&self.name).into_owned()
    }

    /// A directory (not `cdir`/`pdir`).
    pub fn is_dir(&self) -> bool {
        self.kind == Kind::Dir
    }

    /// A regular file.
    pub fn is_file(&self) -> bool {
        self.kind == Kind::File
    }

    /// A symbolic link.
    pub fn is_symlink(&self) -> bool {
        matches!(self.kind, Kind::Symlink { .. })
    }
}

/// Parses one MLSD line (or MLST entry, with its leading space). A line
/// that is not `facts name` is [`Kind::Unknown`].
///
/// ```
/// use ftp_proto::listing::{parse_mlsd_line, Kind, Precision, Zone};
/// let e = parse_mlsd_line(b"Type=OS.unix=slink:/srv/data;Modify=20260102030405.123;UNIX.mode=0o777; my link");
/// assert_eq!(e.name, b"my link");
/// assert_eq!(e.kind, Kind::Symlink { target: Some(b"/srv/data".to_vec()) });
/// let m = e.modified.unwrap();
/// assert_eq!((m.precision, m.zone), (Precision::Subsecond, Zone::Utc));
/// assert_eq!(e.mode, Some(0o777));
/// ```
pub fn parse_mlsd_line(line: &[u8]) -> Entry {
    mlsd_entry(strip_cr(line))
}

/// An MLSD line whose line end is gone already.
fn mlsd_entry(line: &[u8]) -> Entry {
    mlsd::parse(line).unwrap_or_else(|| Entry::unknown(line))
}

/// Parses one `LIST` line: Unix `ls -l`, DOS/IIS or EPLF. `None` for lines
/// that are no entry: blank lines and `ls`'s `total N`. A line no parser
/// understands is [`Kind::Unknown`].
///
/// `now` is the current UTC time, for the year of dates that omit it.
///
/// ```
/// use ftp_proto::decode::Timestamp;
/// use ftp_proto::listing::{parse_list_line, Kind};
/// let now = Timestamp::new(2026, 1, 10, 0, 0, 0).unwrap();
/// let dos = parse_list_line(b"01-16-24  03:45PM       <DIR>          Program Files", now).unwrap();
/// assert_eq!((dos.name.as_slice(), &dos.kind), (&b"Program Files"[..], &Kind::Dir));
/// let dev = parse_list_line(b"crw-rw-rw- 1 root root 1, 3 Dec 31 23:59 null", now).unwrap();
/// assert_eq!(dev.kind, Kind::Device { major: 1, minor: 3 });
/// assert_eq!(dev.modified.unwrap().time.year, 2025);
/// assert!(parse_list_line(b"total 42", now).is_none());
/// assert_eq!(parse_list_line(b"what is this", now).unwrap().kind, Kind::Unknown);
/// ```
pub fn parse_list_line(line: &[u8], now: Timestamp) -> Option<Entry> {
    list_entry(strip_cr(line), now)
}

/// A `LIST` line whose line end is gone already.
fn list_entry(line: &[u8], now: Timestamp) -> Option<Entry> {
    if line.iter().all(|b| b.is_ascii_whitespace()) || is_total_line(line) {
        return None;
    }
    let parsed = match line[0] {
        b'+' => eplf::parse(line),
        b'0'..=b'9' => dos::parse(line),
        _ => unix::parse(line, now),
    };
    Some(parsed.unwrap_or_else(|| Entry::unknown(line)))
}

/// Parses one line of a listing in `format`; `None` for lines that are no
/// entry (see [`parse_list_line`]).
pub fn parse_line(format: Format, line: &[u8], now: Timestamp) -> Option<Entry> {
    entry_of(format, strip_cr(line), now)
}

/// A line of `format` whose line end is gone already; `None` if it is no
/// entry.
fn entry_of(format: Format, line: &[u8], now: Timestamp) -> Option<Entry> {
    match format {
        Format::Mlsd => (!line.is_empty()).then(|| mlsd_entry(line)),
        Format::List => list_entry(line, now),
    }
}

/// The entries of a whole listing: its lines (split at LF, a CR before it
/// dropped, blank lines skipped), each parsed in `format`.
pub fn parse(format: Format, data: &[u8], now: Timestamp) -> impl Iterator<Item = Entry> + '_ {
    lines(data).filter_map(move |line| entry_of(format, line, now))
}

/// The lines of a listing: split at LF, a CR before it removed, empty
/// lines skipped.
pub fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split(|&b| b == b'\n')
        .map(strip_cr)
        .filter(|line| !line.is_empty())
}

/// One line of an `NLST` answer as the name of an entry, or `None` for a
/// line that names none: `.` and `..` (Pure-FTPd lists both), and any path
/// ending in one of them (`dir/.`, `./..`), which names the listed
/// directory or its parent. A leading `./` is dropped (`./x` is `x`, in the
/// same directory); any other name, a path included, is kept as sent.
///
/// ```
/// use ftp_proto::listing::nlst_name;
/// assert_eq!(nlst_name(b"report.pdf"), Some(&b"report.pdf"[..]));
/// assert_eq!(nlst_name(b"."), None);
/// assert_eq!(nlst_name(b".."), None);
/// assert_eq!(nlst_name(b"pub/."), None);
/// assert_eq!(nlst_name(b"./x"), Some(&b"x"[..]));
/// assert_eq!(nlst_name(b"pub/x"), Some(&b"pub/x"[..]));
/// assert_eq!(nlst_name(b"..hidden"), Some(&b"..hidden"[..]));
/// ```
pub fn nlst_name(line: &[u8]) -> Option<&[u8]> {
    let mut name = line;
    while let Some(rest) = name.strip_prefix(b"./") {
        name = rest;
    }
    let last = name.rsplit(|&b| b == b'/').next().unwrap_or(name);
    if name.is_empty() || last == b"." || last == b".." {
        return None;
    }
    Some(name)
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `total 1234` (and localised variants with one word and a number).
fn is_total_line(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"total ") else {
        return false;
    };
    let rest = trim_ascii(rest);
    !rest.is_empty()
        && rest
            .iter()
            .all(|b| b.is_ascii_digit() || b".,KMGkmg".contains(b))
}

fn trim_ascii(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &bytes[start..end.max(start)]
}

/// Whitespace-separated fields with their start offsets, at most `max`.
fn fields(line: &[u8], max: usize) -> impl Iterator<Item = (usize, &[u8])> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        while pos < line.len() && line[pos] == b' ' {
            pos += 1;
        }
        if pos >= line.len() {
            return None;
        }
        let start = pos;
        while pos < line.len() && line[pos] != b' ' {
            pos += 1;
        }
        Some((start, &line[start..pos]))
    })
    .take(max)
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A small decimal number.
fn number(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 9 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        bytes
            .iter()
            .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0')),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::new(2026, 6, 15, 12, 0, 0).unwrap()
    }

    #[test]
    fn blank_and_total_lines_are_no_entries() {
        for line in [&b""[..], b"   ", b"\r", b"total 0", b"total 1.5K"] {
            assert!(parse_list_line(line, now()).is_none(), "{line:?}");
        }
        assert_eq!(parse(Format::List, b"\n\r\n\n", now()).count(), 0);
    }

    #[test]
    fn one_cr_is_the_line_end_and_the_rest_is_the_line() {
        // Found by the fuzzer: a line of CRs is a line of one CR fewer.
        for format in [Format::Mlsd, Format::List] {
            for e in parse(format, b"\r\r\r\nx\r\r\n", now()) {
                assert!(!e.raw.is_empty());
                assert_eq!(e.kind, Kind::Unknown);
                assert!(e.raw == b"\r\r" || e.raw == b"x\r", "{:?}", e.raw);
            }
        }
        assert!(parse_line(Format::Mlsd, b"\r", now()).is_none());
    }

    #[test]
    fn unknown_lines_keep_their_text() {
        let e = parse_list_line(b"Mailbox is empty\r", now()).unwrap();
        assert_eq!(e.kind, Kind::Unknown);
        assert_eq!(e.raw, b"Mailbox is empty");
        assert!(e.name.is_empty());
        let m = parse_mlsd_line(b"no-facts-here");
        assert_eq!(m.kind, Kind::Unknown);
    }

    #[test]
    fn time_matching_respects_precision_and_zone() {
        let t = Timestamp::new(2026, 1, 2, 3, 4, 0).unwrap();
        let utc_minute = Modified {
            time: t,
            precision: Precision::Minute,
            zone: Zone::Utc,
        };
        let s = t.unix_timestamp();
        assert!(utc_minute.matches_unix(s + 59));
        assert!(!utc_minute.matches_unix(s + 60));
        assert!(!utc_minute.matches_unix(s - 1));
        let local = Modified {
            zone: Zone::ServerLocal,
            ..utc_minute
        };
        assert!(local.matches_unix(s + 3_600 * 5));
        assert!(!local.matches_unix(s + 86_400 * 2));
    }

    #[test]
    fn comparison_is_sure_only_outside_the_span() {
        let t = Timestamp::new(2026, 1, 2, 3, 4, 5).unwrap();
        let s = t.unix_timestamp();
        let exact = Modified {
            time: t,
            precision: Precision::Second,
            zone: Zone::Utc,
        };
        assert!(exact.is_exact());
        assert_eq!(exact.compare_unix(s), Comparison::Same);
        assert_eq!(exact.compare_unix(s - 1), Comparison::Before);
        assert_eq!(exact.compare_unix(s + 1), Comparison::After);
        let minute = Modified {
            time: Timestamp::new(2026, 1, 2, 3, 4, 0).unwrap(),
            precision: Precision::Minute,
            zone: Zone::Utc,
        };
        assert!(!minute.is_exact());
        assert_eq!(minute.compare_unix(s), Comparison::Unsure);
        assert_eq!(minute.compare_unix(s - 6), Comparison::Before);
        assert_eq!(minute.compare_unix(s + 55), Comparison::After);
        let local_day = Modified {
            time: Timestamp::new(2026, 1, 2, 0, 0, 0).unwrap(),
            precision: Precision::Day,
            zone: Zone::ServerLocal,
        };
        assert!(!local_day.is_exact());
        assert_eq!(local_day.compare_unix(s - 86_400), Comparison::Unsure);
        assert_eq!(local_day.compare_unix(s + 86_400), Comparison::Unsure);
        assert_eq!(local_day.compare_unix(s - 2 * 86_400), Comparison::Before);
        assert_eq!(local_day.compare_unix(s + 3 * 86_400), Comparison::After);
        let local_second = Modified {
            zone: Zone::ServerLocal,
            ..exact
        };
        assert!(!local_second.is_exact());
    }
}
