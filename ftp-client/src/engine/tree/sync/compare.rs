//! Whether a destination file matches its source: size, then time (or,
//! with `checksum`, the server's digest against the local file's).
//!
//! Times are compared at the precision the server's time has. Where that
//! precision cannot tell (a `LIST` time to the minute or the day, in the
//! server's unknown zone), the exact time (MDTM) decides; where the server
//! cannot say it either, the file counts as the same: a time the listing
//! can only place within a day is never a difference forever.

use std::fs;
use std::path::Path;

use super::super::fresh::exact_time;
use super::list::{Node, Stamp};
use super::plan::Reason;
use crate::engine::Hasher;
use crate::{Client, Comparison, HashAlgorithm, Modified};

/// What the listings say of a pair of files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    Copy(Reason),
    Same(Reason),
    /// Same size; the listing's time cannot tell: ask the exact time.
    AskTime,
}

/// Which way the bytes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Way {
    /// Remote source, local destination.
    Down,
    /// Local source, remote destination.
    Up,
}

/// The remote side's time and the local side's, in that order.
fn sides(way: Way, src: &Node, dst: &Node) -> (Option<Modified>, Option<i64>) {
    let (remote, local) = match way {
        Way::Down => (src.time, dst.time),
        Way::Up => (dst.time, src.time),
    };
    let remote = match remote {
        Some(Stamp::Remote(m)) => Some(m),
        _ => None,
    };
    let local = match local {
        Some(Stamp::Local(s)) => Some(s),
        _ => None,
    };
    (remote, local)
}

/// The verdict of the sizes and the listed times. `mfmt`: on upload, the
/// server can take a file's time (otherwise an uploaded file has the time
/// it was written, newer than the local one, and a remote file newer than
/// the local one counts as the same).
pub(super) fn by_listing(way: Way, src: &Node, dst: &Node, mfmt: bool) -> Verdict {
    if src.size.is_some() && dst.size.is_some() && src.size != dst.size {
        return Verdict::Copy(Reason::SizeDiffers);
    }
    let (remote, local) = sides(way, src, dst);
    match (remote, local) {
        (Some(m), Some(s)) => by_time(way, &m, s, mfmt),
        (None, Some(_)) => Verdict::AskTime,
        _ => Verdict::Same(Reason::Same),
    }
}

/// `remote` against the local `local` seconds.
fn by_time(way: Way, remote: &Modified, local: i64, mfmt: bool) -> Verdict {
    match (remote.compare_unix(local), way) {
        (Comparison::Same, _) => Verdict::Same(Reason::Same),
        (Comparison::Unsure, _) => Verdict::AskTime,
        // The local file is older than the server's, on upload: the
        // server wrote the time of our upload (it has no MFMT).
        (Comparison::Before, Way::Up) if !mfmt => Verdict::Same(Reason::Same),
        _ => Verdict::Copy(Reason::TimeDiffers),
    }
}

/// The verdict by the exact time of the remote file `path`: `known`
/// where it was asked already, else asked now (MDTM on `client`, where the
/// server has it); the listing's time is what it said. No exact time: the
/// same, as far as the listing can tell.
pub(super) fn by_exact_time(
    client: &mut Client,
    path: &[u8],
    way: Way,
    src: &Node,
    dst: &Node,
    mfmt: bool,
    known: Option<Modified>,
) -> (Verdict, Option<Modified>) {
    let (listed, local) = sides(way, src, dst);
    let Some(local) = local else {
        return (Verdict::Same(Reason::Same), listed);
    };
    let exact = match known {
        Some(m) => Some(m),
        None => exact_time(client, path, listed),
    };
    match exact {
        Some(m) if m.is_exact() => (by_time(way, &m, local, mfmt), Some(m)),
        other => (Verdict::Same(Reason::WithinPrecision), other),
    }
}

/// What a checksum comparison found.
#[derive(Debug)]
pub(super) enum Checked {
    /// The digests agree, or not.
    Verdict(Verdict),
    /// The server could not give one for this file: why.
    NoDigest(String),
}

/// The server's digest of `remote` against the local file's.
pub(super) fn by_checksum(
    client: &mut Client,
    remote: &[u8],
    local: &Path,
    algorithm: HashAlgorithm,
) -> Checked {
    let server = match client.hash(remote, algorithm) {
        Ok(digest) => digest,
        Err(e) => return Checked::NoDigest(e.to_string()),
    };
    let mut hasher = Hasher::new(algorithm);
    let read = fs::File::open(local).and_then(|mut file| hasher.read_all(&mut file));
    if let Err(e) = read {
        return Checked::NoDigest(format!("{}: {e}", local.display()));
    }
    let local = hasher.finish();
    Checked::Verdict(if server.matches(&local) {
        Verdict::Same(Reason::SameChecksum)
    } else {
        Verdict::Copy(Reason::ChecksumDiffers)
    })
}

#[cfg(test)]
mod tests {
    use super::super::list::Shape;
    use super::*;
    use crate::{Precision, Timestamp, Zone};

    fn remote(size: u64, seconds: i64, precision: Precision, zone: Zone) -> Node {
        Node {
            shape: Shape::File,
            size: Some(size),
            time: Some(Stamp::Remote(Modified {
                time: Timestamp::from_unix(seconds).unwrap(),
                precision,
                zone,
            })),
            excluded: false,
            entry: None,
        }
    }

    fn local(size: u64, seconds: i64) -> Node {
        Node {
            shape: Shape::File,
            size: Some(size),
            time: Some(Stamp::Local(seconds)),
            excluded: false,
            entry: None,
        }
    }

    const T: i64 = 1_767_323_040;

    #[test]
    fn sizes_then_exact_times() {
        let src = remote(5, T, Precision::Second, Zone::Utc);
        assert_eq!(
            by_listing(Way::Down, &src, &local(6, T), false),
            Verdict::Copy(Reason::SizeDiffers)
        );
        assert_eq!(
            by_listing(Way::Down, &src, &local(5, T), false),
            Verdict::Same(Reason::Same)
        );
        // Newer or older: either is a difference for a mirror.
        for other in [T - 1, T + 1] {
            assert_eq!(
                by_listing(Way::Down, &src, &local(5, other), false),
                Verdict::Copy(Reason::TimeDiffers)
            );
        }
    }

    #[test]
    fn a_day_precision_time_asks_the_exact_one() {
        let src = remote(5, T, Precision::Day, Zone::ServerLocal);
        assert_eq!(
            by_listing(Way::Down, &src, &local(5, T + 3600), false),
            Verdict::AskTime
        );
        // Far outside the span, the listing can tell.
        assert_eq!(
            by_listing(Way::Down, &src, &local(5, T - 10 * 86_400), false),
            Verdict::Copy(Reason::TimeDiffers)
        );
    }

    #[test]
    fn uploads_without_mfmt_take_a_newer_remote_time_as_the_same() {
        let dst = remote(5, T + 60, Precision::Second, Zone::Utc);
        assert_eq!(
            by_listing(Way::Up, &local(5, T), &dst, false),
            Verdict::Same(Reason::Same)
        );
        assert_eq!(
            by_listing(Way::Up, &local(5, T), &dst, true),
            Verdict::Copy(Reason::TimeDiffers)
        );
        // The local file changed after the upload: copied either way.
        assert_eq!(
            by_listing(Way::Up, &local(5, T + 120), &dst, false),
            Verdict::Copy(Reason::TimeDiffers)
        );
    }
}
