//! Listing entries as text: `ls -l`'s uniform long format, `ls --json`'s
//! one object per line, and `ls -1`'s names. Everything a server sent is
//! escaped, so that no name can drive the terminal or break a JSON line.

use std::fmt::Write as _;

use ftp_client::engine::json_string;
use ftp_client::{Entry, Kind, Modified, Precision, Zone};

/// A name for a terminal: printable characters as they are, control
/// characters and bytes that are not UTF-8 as `\xNN`, a backslash doubled.
pub use ftp_client::engine::display_name as escape_name;

/// The type letter of `ls -l`.
fn type_letter(kind: &Kind) -> char {
    match kind {
        Kind::File => '-',
        Kind::Dir | Kind::CurrentDir | Kind::ParentDir => 'd',
        Kind::Symlink { .. } => 'l',
        Kind::Device { .. } => 'c',
        Kind::Other(text) if text == "pipe" => 'p',
        Kind::Other(text) if text == "socket" => 's',
        _ => '?',
    }
}

/// `rwxr-xr-x` for a mode (setuid, setgid and sticky as `ls` shows them),
/// `?????????` when the server gave none.
fn permissions(mode: Option<u32>) -> String {
    let Some(mode) = mode else {
        return "?????????".to_owned();
    };
    let mut out = String::with_capacity(9);
    for (shift, special, letters) in [(6, 0o4000, "sS"), (3, 0o2000, "sS"), (0, 0o1000, "tT")] {
        let bits = (mode >> shift) & 7;
        out.push(if bits & 4 != 0 { 'r' } else { '-' });
        out.push(if bits & 2 != 0 { 'w' } else { '-' });
        let exec = bits & 1 != 0;
        let mut chars = letters.chars();
        let (lower, upper) = (chars.next().unwrap_or('s'), chars.next().unwrap_or('S'));
        out.push(match (mode & special != 0, exec) {
            (true, true) => lower,
            (true, false) => upper,
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    out
}

/// ISO 8601, as precise as the server was: `2026-01-02`,
/// `2026-01-02T03:04` (server-local, zone unknown), `2026-01-02T03:04:05Z`
/// (UTC), with a fraction where given.
pub fn iso_time(m: &Modified) -> String {
    let t = m.time;
    let mut out = format!("{:04}-{:02}-{:02}", t.year, t.month, t.day);
    if m.precision >= Precision::Minute {
        let _ = write!(out, "T{:02}:{:02}", t.hour, t.minute);
    }
    if m.precision >= Precision::Second {
        let _ = write!(out, ":{:02}", t.second);
    }
    if m.precision == Precision::Subsecond {
        let fraction = format!("{:09}", t.nanosecond);
        let _ = write!(out, ".{}", fraction.trim_end_matches('0'));
    }
    if m.zone == Zone::Utc && m.precision >= Precision::Minute {
        out.push('Z');
    }
    out
}

/// One `ls -l` line: type and permissions, size, time, name, `-> target`.
/// A line the parsers did not understand is shown as it came, after `?`.
pub fn long_line(entry: &Entry) -> String {
    if entry.kind == Kind::Unknown {
        return format!("? {}", escape_name(&entry.raw));
    }
    let size = match (&entry.kind, entry.size) {
        (Kind::Device { major, minor }, _) => format!("{major},{minor}"),
        (_, Some(size)) => size.to_string(),
        (_, None) => "-".to_owned(),
    };
    let time = entry.modified.as_ref().map_or("-".to_owned(), iso_time);
    let mut line = format!(
        "{}{} {size:>12} {time:<20} {}",
        type_letter(&entry.kind),
        permissions(entry.mode),
        escape_name(&entry.name)
    );
    if let Kind::Symlink {
        target: Some(target),
    } = &entry.kind
    {
        let _ = write!(line, " -> {}", escape_name(target));
    }
    line
}

/// One JSON object for `ls --json`. Keys: `name`, `type` (`file`, `dir`,
/// `symlink`, `device`, `other`, `unknown`), and where known `size`,
/// `modified` (ISO 8601), `precision` (`day`, `minute`, `second`,
/// `subsecond`), `utc` (bool), `mode` (octal string), `owner`, `group`,
/// `target`; `name_hex` when the name is not UTF-8 (its exact bytes);
/// `raw` for a line that was not understood.
pub fn json_line(entry: &Entry) -> String {
    let kind = match &entry.kind {
        Kind::File => "file",
        Kind::Dir => "dir",
        Kind::CurrentDir => "cdir",
        Kind::ParentDir => "pdir",
        Kind::Symlink { .. } => "symlink",
        Kind::Device { .. } => "device",
        Kind::Other(_) => "other",
        Kind::Unknown => "unknown",
    };
    let mut out = format!(
        "{{\"name\":{},\"type\":\"{kind}\"",
        json_string(&entry.name)
    );
    if std::str::from_utf8(&entry.name).is_err() {
        let hex: String = entry.name.iter().map(|b| format!("{b:02x}")).collect();
        let _ = write!(out, ",\"name_hex\":\"{hex}\"");
    }
    if let Some(size) = entry.size {
        let _ = write!(out, ",\"size\":{size}");
    }
    if let Some(m) = &entry.modified {
        let precision = match m.precision {
            Precision::Day => "day",
            Precision::Minute => "minute",
            Precision::Second => "second",
            Precision::Subsecond => "subsecond",
        };
        let _ = write!(
            out,
            ",\"modified\":\"{}\",\"precision\":\"{precision}\",\"utc\":{}",
            iso_time(m),
            m.zone == Zone::Utc
        );
    }
    if let Some(mode) = entry.mode {
        let _ = write!(out, ",\"mode\":\"{mode:04o}\"");
    }
    for (key, value) in [("owner", &entry.owner), ("group", &entry.group)] {
        if let Some(value) = value {
            let _ = write!(out, ",\"{key}\":{}", json_string(value.as_bytes()));
        }
    }
    match &entry.kind {
        Kind::Symlink {
            target: Some(target),
        } => {
            let _ = write!(out, ",\"target\":{}", json_string(target));
        }
        Kind::Device { major, minor } => {
            let _ = write!(out, ",\"major\":{major},\"minor\":{minor}");
        }
        Kind::Other(text) if !text.is_empty() => {
            let _ = write!(out, ",\"other\":{}", json_string(text.as_bytes()));
        }
        Kind::Unknown => {
            let _ = write!(out, ",\"raw\":{}", json_string(&entry.raw));
        }
        _ => {}
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ftp_client::Timestamp;

    fn entry(name: &[u8], kind: Kind) -> Entry {
        Entry::with_kind(name, kind)
    }

    #[test]
    fn json_escapes_everything_a_server_can_send() {
        let e = entry(b"a\"b\\c\nd\te\x01\x7f\xe2\x80\xa8", Kind::File);
        assert_eq!(
            json_line(&e),
            r#"{"name":"a\"b\\c\nd\te\u0001\u007f\u2028","type":"file"}"#
        );
        let e = entry(b"caf\xe9", Kind::Dir);
        assert_eq!(
            json_line(&e),
            "{\"name\":\"caf\u{fffd}\",\"type\":\"dir\",\"name_hex\":\"636166e9\"}"
        );
    }

    #[test]
    fn json_has_every_known_field() {
        let mut e = entry(
            b"l",
            Kind::Symlink {
                target: Some(b"t \"x\"".to_vec()),
            },
        );
        e.size = Some(3);
        e.mode = Some(0o777);
        e.owner = Some("ftp".into());
        e.modified = Some(Modified {
            time: Timestamp::new(2026, 1, 2, 3, 4, 5).unwrap(),
            precision: Precision::Second,
            zone: Zone::Utc,
        });
        assert_eq!(
            json_line(&e),
            r#"{"name":"l","type":"symlink","size":3,"modified":"2026-01-02T03:04:05Z","precision":"second","utc":true,"mode":"0777","owner":"ftp","target":"t \"x\""}"#
        );
    }

    #[test]
    fn long_lines() {
        let mut e = entry(b"bell\x07", Kind::File);
        e.size = Some(12);
        e.mode = Some(0o4755);
        e.modified = Some(Modified {
            time: Timestamp::new(2025, 12, 24, 18, 30, 0).unwrap(),
            precision: Precision::Minute,
            zone: Zone::ServerLocal,
        });
        assert_eq!(
            long_line(&e),
            "-rwsr-xr-x           12 2025-12-24T18:30     bell\\x07"
        );
        let mut d = entry(b"d", Kind::Dir);
        d.mode = Some(0o1777);
        assert_eq!(
            long_line(&d),
            "drwxrwxrwt            - -                    d"
        );
        let l = entry(
            b"l",
            Kind::Symlink {
                target: Some(b"/x".to_vec()),
            },
        );
        assert_eq!(
            long_line(&l),
            "l?????????            - -                    l -> /x"
        );
        let mut u = entry(b"", Kind::Unknown);
        u.raw = b"Total of 11 blocks".to_vec();
        assert_eq!(long_line(&u), "? Total of 11 blocks");
    }

    #[test]
    fn times_as_precise_as_given() {
        let t = Timestamp::new(2026, 1, 2, 3, 4, 5).unwrap();
        let at = |precision, zone| {
            iso_time(&Modified {
                time: t,
                precision,
                zone,
            })
        };
        assert_eq!(at(Precision::Day, Zone::ServerLocal), "2026-01-02");
        assert_eq!(at(Precision::Minute, Zone::ServerLocal), "2026-01-02T03:04");
        assert_eq!(at(Precision::Second, Zone::Utc), "2026-01-02T03:04:05Z");
    }
}
