//! Unix `ls -l` lines, as vsftpd, proFTPD, Pure-FTPd, pyftpdlib, libunftp
//! and most others print them:
//!
//! ```text
//! -rw-r--r--    1 ftp      ftp          1234 Mar  1 12:00 name
//! drwxr-xr-x+  12 owner                 4096 Apr  8  1994 no group column
//! crw-rw-rw-    1 root     root       1,   3 Jan  1  2024 a device
//! lrwxrwxrwx    1 root     root            7 Jan 25 00:17 link -> target
//! -rw-r--r--    1 u        g               5 2024-01-16 15:45 long-iso date
//! ```
//!
//! The date is the anchor: the first `Mon DD HH:MM|YYYY` (or `YYYY-MM-DD
//! HH:MM`) after the mode. Before it come the links, owner, group (if any)
//! and size (or `major, minor`); after it, one space, then the name to the
//! end of the line, leading spaces and all.

use super::{Entry, Kind, Modified, Precision, Zone, fields, lossy, number};
use crate::decode::Timestamp;
use crate::decode::facts::decimal;

/// How many fields are searched for the date (mode excluded): links,
/// owner, group, size as `major,` and `minor`, and some servers' extras.
const MAX_FIELDS: usize = 12;

pub(super) fn parse(line: &[u8], now: Timestamp) -> Option<Entry> {
    let (kind, mode, after_mode) = parse_mode(line)?;
    let rest = &line[after_mode..];
    let mut tokens = [(0usize, &b""[..]); MAX_FIELDS];
    let mut count = 0;
    for (start, token) in fields(rest, MAX_FIELDS) {
        tokens[count] = (start, token);
        count += 1;
    }
    let tokens = &tokens[..count];
    let (date_at, modified, date_end) = find_date(tokens, now)?;
    let before = &tokens[..date_at];
    // The size, or a device's `major, minor` (`1, 3` or `1,3`).
    let (size, device, owners) = match before {
        [rest @ .., (_, major), (_, minor)] if major.ends_with(b",") && major.len() > 1 => (
            None,
            Some((number(&major[..major.len() - 1])?, number(minor)?)),
            rest,
        ),
        [rest @ .., (_, both)] if both.contains(&b',') => {
            let comma = both.iter().position(|&b| b == b',')?;
            (
                None,
                Some((number(&both[..comma])?, number(&both[comma + 1..])?)),
                rest,
            )
        }
        [rest @ .., (_, size)] => (Some(decimal(size)?), None, rest),
        [] => return None,
    };
    let owners = match owners {
        [(_, links), rest @ ..] if number(links).is_some() => rest,
        all => all,
    };
    let (owner, group) = match owners {
        [] => (None, None),
        [(_, owner)] => (Some(lossy(owner)), None),
        [(_, owner), (_, group), ..] => (Some(lossy(owner)), Some(lossy(group))),
    };
    // One space, then the name to the end of the line.
    let name_at = after_mode + date_end + 1;
    if line.get(name_at - 1) != Some(&b' ') || name_at >= line.len() {
        return None;
    }
    let mut name = &line[name_at..];
    let kind = match (kind, device) {
        (b'l', _) => {
            let target = match memchr::memmem::find(name, b" -> ") {
                Some(arrow) => {
                    let target = name[arrow + 4..].to_vec();
                    name = &name[..arrow];
                    Some(target).filter(|t| !t.is_empty())
                }
                None => None,
            };
            Kind::Symlink { target }
        }
        (b'-', _) => Kind::File,
        (b'd', _) => Kind::Dir,
        (b'b' | b'c', Some((major, minor))) => Kind::Device { major, minor },
        (b'b' | b'c', None) => Kind::Other(format!("device ({})", char::from(kind))),
        (b'p', _) => Kind::Other("pipe".into()),
        (b's', _) => Kind::Other("socket".into()),
        (other, _) => Kind::Other(format!("type {}", char::from(other))),
    };
    if name.is_empty() {
        return None;
    }
    let mut entry = Entry::new(name, kind, line);
    entry.size = size;
    entry.modified = Some(modified);
    entry.mode = Some(mode);
    entry.owner = owner;
    entry.group = group;
    Some(entry)
}

/// `drwxr-xr-x`, maybe followed by `+` (ACL), `.` (SELinux) or `@`
/// (extended attributes): the type letter, the permission bits, and where
/// the fields after it start.
fn parse_mode(line: &[u8]) -> Option<(u8, u32, usize)> {
    if line.len() < 11 || !b"-dlcbpsDn".contains(&line[0]) {
        return None;
    }
    let mut mode = 0u32;
    for (i, &c) in line[1..10].iter().enumerate() {
        let (read, write, exec, special) = match i / 3 {
            0 => (0o400, 0o200, 0o100, 0o4000),
            1 => (0o040, 0o020, 0o010, 0o2000),
            _ => (0o004, 0o002, 0o001, 0o1000),
        };
        mode |= match (i % 3, c) {
            (_, b'-') => 0,
            (0, b'r') => read,
            (1, b'w') => write,
            (2, b'x') => exec,
            (2, b's') if i < 6 => exec | special,
            (2, b'S') if i < 6 => special,
            (2, b't') if i == 8 => exec | special,
            (2, b'T') if i == 8 => special,
            // Mandatory locking, on old systems.
            (2, b'l' | b'L') if i == 5 => special,
            _ => return None,
        };
    }
    let mut end = 10;
    if matches!(line[end], b'+' | b'.' | b'@') {
        end += 1;
    }
    (line.get(end) == Some(&b' ')).then_some((line[0], mode, end))
}

/// The first date among `tokens`: its index, the time, and the offset
/// (within the fields) just after it.
fn find_date(tokens: &[(usize, &[u8])], now: Timestamp) -> Option<(usize, Modified, usize)> {
    // At least the size must come before the date.
    for i in 1..tokens.len() {
        let (_, first) = tokens[i];
        if let (Some(month), Some(&(_, day)), Some(&(at, third))) =
            (month(first), tokens.get(i + 1), tokens.get(i + 2))
        {
            let Some(day) = number(day).filter(|d| (1..=31).contains(d)) else {
                continue;
            };
            if let Some(modified) = month_day_time(month, day as u8, third, now) {
                return Some((i, modified, at + third.len()));
            }
        }
        if let (Some((year, month, day)), Some(&(at, clock_text))) =
            (iso_date(first), tokens.get(i + 1))
        {
            let time = clock(clock_text)
                .and_then(|(hour, minute)| Timestamp::new(year, month, day, hour, minute, 0));
            if let Some(time) = time {
                let modified = Modified {
                    time,
                    precision: Precision::Minute,
                    zone: Zone::ServerLocal,
                };
                return Some((i, modified, at + clock_text.len()));
            }
        }
    }
    None
}

/// `Mon DD` with `HH:MM` (year inferred from `now`) or `YYYY`.
fn month_day_time(month: u8, day: u8, third: &[u8], now: Timestamp) -> Option<Modified> {
    if let Some((hour, minute)) = clock(third) {
        let latest = now.unix_timestamp() + 86_400;
        // The latest year that does not put the date in the future; a few
        // years back for 29 February.
        let time = (0..8).find_map(|back| {
            let year = now.year.checked_sub(back)?;
            Timestamp::new(year, month, day, hour, minute, 0)
                .filter(|t| t.unix_timestamp() <= latest)
        })?;
        return Some(Modified {
            time,
            precision: Precision::Minute,
            zone: Zone::ServerLocal,
        });
    }
    if third.len() == 4 {
        let year = number(third)?;
        let time = Timestamp::new(year as u16, month, day, 0, 0, 0)?;
        return Some(Modified {
            time,
            precision: Precision::Day,
            zone: Zone::ServerLocal,
        });
    }
    None
}

/// `H:MM` or `HH:MM`.
fn clock(text: &[u8]) -> Option<(u8, u8)> {
    let colon = text.iter().position(|&b| b == b':')?;
    let (hour, minute) = (&text[..colon], &text[colon + 1..]);
    if hour.is_empty() || hour.len() > 2 || minute.len() != 2 {
        return None;
    }
    let (hour, minute) = (number(hour)?, number(minute)?);
    (hour < 24 && minute < 60).then_some((hour as u8, minute as u8))
}

/// `YYYY-MM-DD`.
fn iso_date(text: &[u8]) -> Option<(u16, u8, u8)> {
    if text.len() != 10 || text[4] != b'-' || text[7] != b'-' {
        return None;
    }
    Some((
        number(&text[..4])? as u16,
        number(&text[5..7])? as u8,
        number(&text[8..])? as u8,
    ))
}

/// An English month abbreviation, any case.
fn month(text: &[u8]) -> Option<u8> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    if text.len() != 3 {
        return None;
    }
    let lower = [
        text[0].to_ascii_lowercase(),
        text[1].to_ascii_lowercase(),
        text[2].to_ascii_lowercase(),
    ];
    MONTHS
        .iter()
        .position(|m| **m == lower)
        .map(|i| i as u8 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::new(2026, 1, 10, 8, 0, 0).unwrap()
    }

    #[test]
    fn year_is_inferred_from_now() {
        let e = parse(b"-rw-r--r-- 1 a b 1 Jan 11 07:00 f", now()).unwrap();
        assert_eq!(e.modified.unwrap().time.year, 2026, "within a day ahead");
        let e = parse(b"-rw-r--r-- 1 a b 1 Jan 12 07:00 f", now()).unwrap();
        assert_eq!(e.modified.unwrap().time.year, 2025);
        let e = parse(b"-rw-r--r-- 1 a b 1 Feb 29 07:00 f", now()).unwrap();
        assert_eq!(e.modified.unwrap().time.year, 2024, "the last leap year");
    }

    #[test]
    fn mode_bits() {
        let e = parse(b"drwsr-sr-t 1 a b 1 Jan 1 2020 d", now()).unwrap();
        assert_eq!(e.mode, Some(0o7755));
        let e = parse(b"-rwSr-Sr-T 1 a b 1 Jan 1 2020 f", now()).unwrap();
        assert_eq!(e.mode, Some(0o7644));
        assert!(parse(b"-rwxrwxrwz 1 a b 1 Jan 1 2020 f", now()).is_none());
    }

    #[test]
    fn what_is_not_a_line() {
        for bad in [
            &b"-rw-r--r-- 1 a b x Jan 1 2020 f"[..],
            b"-rw-r--r-- 1 a b 1 Jan 1 2020",
            b"-rw-r--r-- 1 a b 1 Jan 1 2020 ",
            b"-rw-r--r-- Jan 1 2020 f",
            b"-rw-r--r--1 a b 1 Jan 1 2020 f",
        ] {
            assert!(
                parse(bad, now()).is_none(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
