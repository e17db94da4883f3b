//! DOS-style lines, as IIS and other Windows servers print them:
//!
//! ```text
//! 01-16-24  03:45PM       <DIR>          Program Files
//! 01-16-2024  03:45PM                 1234 report.txt
//! 05-27-11  09:31                     7 24-hour clock.txt
//! ```
//!
//! IIS writes fixed columns: the name starts 31 bytes after the date, so a
//! name's own leading spaces survive; a size is followed by one space.

use super::{Entry, Kind, Modified, Precision, Zone, fields, number};
use crate::decode::Timestamp;

pub(super) fn parse(line: &[u8]) -> Option<Entry> {
    let mut tokens = fields(line, 3);
    let (_, date) = tokens.next()?;
    let (_, clock) = tokens.next()?;
    let (at, size_or_dir) = tokens.next()?;
    let (year, month, day) = date_of(date)?;
    let (hour, minute) = clock_of(clock)?;
    let time = Timestamp::new(year, month, day, hour, minute, 0)?;
    let end = at + size_or_dir.len();
    let (kind, size, name_at) = if size_or_dir.eq_ignore_ascii_case(b"<DIR>") {
        // The fixed column if only spaces lead to it, else the first
        // non-space.
        let column = date.len() + 31;
        let name_at = if line.len() > column && line[end..column].iter().all(|&b| b == b' ') {
            column
        } else {
            end + line[end..].iter().take_while(|&&b| b == b' ').count()
        };
        (Kind::Dir, None, name_at)
    } else {
        let digits: Vec<u8> = size_or_dir
            .iter()
            .copied()
            .filter(|&b| b != b',' && b != b'.')
            .collect();
        let size = crate::decode::facts::decimal(&digits)?;
        if line.get(end) != Some(&b' ') {
            return None;
        }
        (Kind::File, Some(size), end + 1)
    };
    let name = line.get(name_at..).filter(|n| !n.is_empty())?;
    let mut entry = Entry::new(name, kind, line);
    entry.size = size;
    entry.modified = Some(Modified {
        time,
        precision: Precision::Minute,
        zone: Zone::ServerLocal,
    });
    Some(entry)
}

/// `MM-DD-YY` or `MM-DD-YYYY` (`-` or `/`); two-digit years below 70 are
/// 20xx.
fn date_of(text: &[u8]) -> Option<(u16, u8, u8)> {
    if !(text.len() == 8 || text.len() == 10) {
        return None;
    }
    let sep = text[2];
    if !(sep == b'-' || sep == b'/') || text[5] != sep {
        return None;
    }
    let month = number(&text[..2])? as u8;
    let day = number(&text[3..5])? as u8;
    let year = number(&text[6..])? as u16;
    let year = match text.len() {
        8 if year < 70 => 2000 + year,
        8 => 1900 + year,
        _ => year,
    };
    Some((year, month, day))
}

/// `HH:MM`, `HH:MMAM` or `HH:MMPM`.
fn clock_of(text: &[u8]) -> Option<(u8, u8)> {
    let (digits, pm) = match text.len() {
        7 if text[5..].eq_ignore_ascii_case(b"AM") => (&text[..5], Some(false)),
        7 if text[5..].eq_ignore_ascii_case(b"PM") => (&text[..5], Some(true)),
        5 | 4 => (text, None),
        _ => return None,
    };
    let colon = digits.iter().position(|&b| b == b':')?;
    let hour = number(&digits[..colon])? as u8;
    let minute = number(&digits[colon + 1..])? as u8;
    if minute > 59 || digits.len() - colon != 3 {
        return None;
    }
    let hour = match pm {
        None if hour < 24 => hour,
        Some(pm) if (1..=12).contains(&hour) => (hour % 12) + if pm { 12 } else { 0 },
        _ => return None,
    };
    Some((hour, minute))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_oclock() {
        assert_eq!(clock_of(b"12:05AM"), Some((0, 5)));
        assert_eq!(clock_of(b"12:05PM"), Some((12, 5)));
        assert_eq!(clock_of(b"01:05PM"), Some((13, 5)));
        assert_eq!(clock_of(b"13:05PM"), None);
        assert_eq!(clock_of(b"9:05"), Some((9, 5)));
    }

    #[test]
    fn years() {
        assert_eq!(date_of(b"01-16-24"), Some((2024, 1, 16)));
        assert_eq!(date_of(b"01-16-95"), Some((1995, 1, 16)));
        assert_eq!(date_of(b"01/16/2024"), Some((2024, 1, 16)));
        assert_eq!(date_of(b"01-16/2024"), None);
        assert!(parse(b"13-40-24  03:45PM  1 f").is_none());
    }
}
