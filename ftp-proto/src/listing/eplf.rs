//! EPLF (D. J. Bernstein's Easily Parsed LIST Format): `+`, facts separated
//! by commas, a tab, the name.
//!
//! ```text
//! +i8388621.48594,m825718503,r,s280,up644,\tdjb.html
//! +i8388621.50690,m824255907,/,\t514
//! ```
//!
//! `r`: a file that can be retrieved; `/`: a directory; `s`: the size;
//! `m`: the modification time in seconds since 1970, UTC; `i`: an
//! identifier; `up`: the permission bits in octal.

use super::{Entry, Kind, Modified, Precision, Zone, lossy};
use crate::decode::Timestamp;
use crate::decode::facts::{decimal, unix_mode};

pub(super) fn parse(line: &[u8]) -> Option<Entry> {
    let body = line.strip_prefix(b"+")?;
    let tab = memchr::memchr(b'\t', body)?;
    let (facts, name) = (&body[..tab], &body[tab + 1..]);
    if name.is_empty() {
        return None;
    }
    let mut entry = Entry::new(name, Kind::Other("eplf".into()), line);
    let (mut file, mut dir) = (false, false);
    for fact in facts.split(|&b| b == b',').filter(|f| !f.is_empty()) {
        match fact[0] {
            b'r' => file = true,
            b'/' => dir = true,
            b's' => entry.size = decimal(&fact[1..]),
            b'm' => {
                let seconds = decimal(&fact[1..]).and_then(|s| i64::try_from(s).ok());
                entry.modified = seconds.and_then(Timestamp::from_unix).map(|time| Modified {
                    time,
                    precision: Precision::Second,
                    zone: Zone::Utc,
                });
            }
            b'i' => entry.unique = Some(lossy(&fact[1..])),
            b'u' if fact.get(1) == Some(&b'p') => entry.mode = unix_mode(&fact[2..]),
            _ => {}
        }
    }
    entry.kind = match (dir, file) {
        (true, _) => Kind::Dir,
        (false, true) => Kind::File,
        (false, false) => Kind::Other("eplf".into()),
    };
    Some(entry)
}
