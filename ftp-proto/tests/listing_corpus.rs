//! The listing corpus (`tests/listings/*.txt`, format in its README): every
//! line parses to the entry written next to it, and every format and
//! server is represented.

use std::fmt::Write as _;
use std::path::Path;

use ftp_proto::decode::Timestamp;
use ftp_proto::listing::{self, Entry, Format, Kind, Precision, Zone};

/// Bytes as the corpus writes them: printable ASCII as is, `"` and `\`
/// escaped, anything else as `\xNN`.
fn escape(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => write!(out, "\\x{b:02x}").unwrap(),
        }
    }
    out
}

/// Undoes the `line` escapes: `\t`, `\\`, `\xNN`.
fn unescape(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() {
            match bytes[i + 1] {
                b't' => {
                    out.push(b'\t');
                    i += 2;
                    continue;
                }
                b'\\' => {
                    out.push(b'\\');
                    i += 2;
                    continue;
                }
                b'x' if i + 3 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 2..i + 4]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 4;
                    continue;
                }
                _ => {}
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

fn render(entry: &Entry) -> String {
    let mut out = match &entry.kind {
        Kind::File => "file".to_owned(),
        Kind::Dir => "dir".to_owned(),
        Kind::CurrentDir => "cdir".to_owned(),
        Kind::ParentDir => "pdir".to_owned(),
        Kind::Symlink { target: None } => "link".to_owned(),
        Kind::Symlink { target: Some(t) } => format!("link->\"{}\"", escape(t)),
        Kind::Device { major, minor } => format!("device({major},{minor})"),
        Kind::Other(text) => format!("other({text:?})"),
        Kind::Unknown => return "unknown".to_owned(),
    };
    write!(out, " \"{}\"", escape(&entry.name)).unwrap();
    if let Some(size) = entry.size {
        write!(out, " size={size}").unwrap();
    }
    if let Some(m) = entry.modified {
        let t = m.time;
        write!(out, " time={:04}-{:02}-{:02}", t.year, t.month, t.day).unwrap();
        if m.precision >= Precision::Minute {
            write!(out, "T{:02}:{:02}", t.hour, t.minute).unwrap();
        }
        if m.precision >= Precision::Second {
            write!(out, ":{:02}", t.second).unwrap();
        }
        if m.precision == Precision::Subsecond {
            let fraction = format!("{:09}", t.nanosecond);
            write!(out, ".{}", fraction.trim_end_matches('0')).unwrap();
        }
        out.push_str(match m.zone {
            Zone::Utc => "/utc",
            Zone::ServerLocal => "/local",
        });
    }
    if let Some(mode) = entry.mode {
        write!(out, " mode={mode:o}").unwrap();
    }
    for (label, value) in [
        ("owner", &entry.owner),
        ("group", &entry.group),
        ("unique", &entry.unique),
        ("perm", &entry.perm),
    ] {
        if let Some(value) = value {
            write!(out, " {label}={value}").unwrap();
        }
    }
    out
}

fn parse_now(text: &str) -> Timestamp {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    Timestamp::parse(&digits).unwrap_or_else(|| panic!("bad now {text:?}"))
}

struct Counts {
    cases: usize,
    mlsd: usize,
    unix: usize,
    dos: usize,
    eplf: usize,
    unknown: usize,
}

fn run_file(path: &Path, counts: &mut Counts, failures: &mut Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut format = Format::List;
    let mut now = parse_now("2026-01-01T00:00:00");
    let mut pending: Option<Vec<u8>> = None;
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    for (number, line) in text.lines().enumerate() {
        let at = format!("{name}:{}", number + 1);
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("format ") {
            format = match rest {
                "list" => Format::List,
                "mlsd" => Format::Mlsd,
                other => panic!("{at}: unknown format {other}"),
            };
        } else if let Some(rest) = line.strip_prefix("now ") {
            now = parse_now(rest);
        } else if let Some(rest) = line.strip_prefix("line ") {
            assert!(pending.is_none(), "{at}: a line without its want");
            pending = Some(unescape(rest));
        } else if line == "skip" || line.starts_with("want ") {
            let raw = pending
                .take()
                .unwrap_or_else(|| panic!("{at}: want without line"));
            let parsed = listing::parse_line(format, &raw, now);
            counts.cases += 1;
            if line == "skip" {
                assert!(parsed.is_none(), "{at}: expected no entry, got {parsed:?}");
                continue;
            }
            let entry = parsed.unwrap_or_else(|| panic!("{at}: no entry"));
            assert_eq!(entry.raw, raw, "{at}: raw line kept");
            let want = &line["want ".len()..];
            let got = render(&entry);
            if got != want {
                failures.push(format!("{at}:\n  want {want}\n  got  {got}"));
                continue;
            }
            // The same line in a whole listing, CRLF-terminated.
            let mut data = raw.clone();
            data.extend_from_slice(b"\r\n");
            let again: Vec<Entry> = listing::parse(format, &data, now).collect();
            assert_eq!(again, vec![entry.clone()], "{at}: as a listing");
            match (format, &entry.kind, raw.first()) {
                (_, Kind::Unknown, _) => counts.unknown += 1,
                (Format::Mlsd, ..) => counts.mlsd += 1,
                (Format::List, _, Some(b'+')) => counts.eplf += 1,
                (Format::List, _, Some(b'0'..=b'9')) => counts.dos += 1,
                (Format::List, ..) => counts.unix += 1,
            }
        } else {
            panic!("{at}: unreadable corpus line {line:?}");
        }
    }
    assert!(
        pending.is_none(),
        "{name}: a line without its want at the end"
    );
}

#[test]
fn corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/listings");
    let mut counts = Counts {
        cases: 0,
        mlsd: 0,
        unix: 0,
        dos: 0,
        eplf: 0,
        unknown: 0,
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    for file in &files {
        run_file(file, &mut counts, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!(
        "corpus: {} cases: {} MLSD, {} Unix, {} DOS/IIS, {} EPLF, {} unknown",
        counts.cases, counts.mlsd, counts.unix, counts.dos, counts.eplf, counts.unknown
    );
    for server in [
        "vsftpd",
        "proftpd",
        "pure-ftpd",
        "pyftpdlib",
        "libunftp",
        "iis",
        "eplf",
        "odd",
    ] {
        assert!(
            files
                .iter()
                .any(|f| f.file_stem().is_some_and(|s| s == server)),
            "no corpus for {server}"
        );
    }
    assert!(counts.mlsd >= 20 && counts.unix >= 40 && counts.dos >= 8 && counts.eplf >= 4);
    assert!(counts.unknown >= 8);
}

proptest::proptest! {
    /// Any bytes, in either format: no panic, the raw line kept, and a
    /// name the check accepts is one safe component.
    #[test]
    fn any_line_parses_without_panic(line in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
        let now = parse_now("2026-11-30T10:00:00");
        for format in [Format::List, Format::Mlsd] {
            for entry in listing::parse(format, &line, now) {
                proptest::prop_assert!(!entry.raw.is_empty());
                if let Ok(name) = entry.component(true) {
                    proptest::prop_assert!(!name.iter().any(|&b| b == b'/' || b == b'\\' || b < 0x20));
                    proptest::prop_assert!(name != b"." && name != b"..");
                }
            }
        }
    }
}
