//! The listing parsers on arbitrary lines: never a panic, the raw line
//! always kept, names always taken from the line, and the name check never
//! accepting a name that could leave its directory.
#![no_main]
use ftp_proto::decode::Timestamp;
use ftp_proto::listing::{self, Format, Kind, check_component};
use libfuzzer_sys::fuzz_target;

fn check(format: Format, data: &[u8], now: Timestamp) {
    for entry in listing::parse(format, data, now) {
        assert!(!entry.raw.is_empty());
        assert!(!entry.raw.contains(&b'\n'));
        if entry.kind == Kind::Unknown {
            assert!(entry.name.is_empty());
            assert!(entry.component(false).is_err());
            continue;
        }
        assert!(!entry.name.is_empty());
        assert!(
            entry.raw.windows(entry.name.len()).any(|w| w == entry.name.as_slice()),
            "the name comes from the line"
        );
        if let Some(m) = entry.modified {
            let t = m.time;
            assert!((1..=12).contains(&t.month) && (1..=31).contains(&t.day));
            assert!(t.hour < 24 && t.minute < 60 && t.second <= 60);
        }
        for windows in [false, true] {
            if let Ok(name) = entry.component(windows) {
                assert!(check_component(name, windows).is_ok());
                assert!(!name.is_empty() && name != b"." && name != b"..");
                assert!(!name.iter().any(|&b| b == b'/' || b == b'\\' || b < 0x20));
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    // The first two bytes choose "now" (any day of 1990–2245), the rest is
    // the listing.
    let (now, data) = match data {
        [a, b, rest @ ..] => (i64::from(u16::from_be_bytes([*a, *b])) * 86_400 * 4, rest),
        _ => (0, data),
    };
    let now = Timestamp::from_unix(631_152_000 + now).unwrap_or_else(|| {
        Timestamp::from_unix(0).expect("1970 is representable")
    });
    check(Format::List, data, now);
    check(Format::Mlsd, data, now);
});
