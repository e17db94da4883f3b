//! Whether a destination is up to date with its source, for
//! [`TreeOptions::update`](super::TreeOptions::update): the same size,
//! and the same time or newer, compared at the precision the source's time
//! has; the exact time (MDTM) decides where that precision cannot.

use std::time::{SystemTime, UNIX_EPOCH};

use super::shown;
use crate::{Client, Comparison, Entry, Modified, Precision, Timestamp, Zone};

/// Seconds since the Unix epoch (negative before it).
pub(super) fn unix_seconds(time: SystemTime) -> Option<i64> {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).ok(),
        Err(e) => i64::try_from(e.duration().as_secs()).ok().map(|s| -s),
    }
}

/// How a destination compares with its source, for `-u`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Freshness {
    /// Same size, and the same time or newer: left as it is.
    Current,
    /// Another size, or older: copied.
    Stale,
    /// Same size, and a time the source's precision cannot place (a
    /// `LIST` time to the day or the minute, in the server's unknown
    /// zone): the exact time (MDTM) decides.
    Unsure,
}

/// Whether a destination of `dst_size` bytes modified at `dst_seconds` is
/// up to date with a source described by `size` and `modified`: same size,
/// and the same time or newer, compared at the precision the source's time
/// has ([`Modified::compare_unix`]).
pub(super) fn freshness(
    dst_size: u64,
    dst_seconds: Option<i64>,
    size: Option<u64>,
    modified: Option<&Modified>,
) -> Freshness {
    if size.is_some_and(|s| s != dst_size) {
        return Freshness::Stale;
    }
    match (modified, dst_seconds) {
        (Some(m), Some(dst)) => match m.compare_unix(dst) {
            Comparison::Before => Freshness::Stale,
            Comparison::Same | Comparison::After => Freshness::Current,
            Comparison::Unsure => Freshness::Unsure,
        },
        // No time from the listing: the size decides, unless MDTM can say.
        (None, Some(_)) if size.is_some() => Freshness::Unsure,
        (None, _) if size.is_some() => Freshness::Current,
        _ => Freshness::Stale,
    }
}

/// The exact time of the remote file `path` (UTC, to the second): the
/// listing's `listed` when it is exact already, otherwise MDTM's answer on
/// this session, where the server has MDTM; else the listing's time as it
/// is (a refused MDTM is no failure: the coarser time stays).
pub(super) fn exact_time(
    client: &mut Client,
    path: &[u8],
    listed: Option<Modified>,
) -> Option<Modified> {
    if listed.is_some_and(|m| m.is_exact()) || !client.supports("MDTM").unwrap_or(false) {
        return listed;
    }
    match client.mdtm(path) {
        Ok(time) => Some(exact(time)),
        Err(e) => {
            tracing::debug!("MDTM {}: {e}; keeping the listing's time", shown(path));
            listed
        }
    }
}

/// MDTM's time as a listing's: UTC, to the second or better.
fn exact(time: Timestamp) -> Modified {
    Modified {
        precision: if time.nanosecond > 0 {
            Precision::Subsecond
        } else {
            Precision::Second
        },
        time,
        zone: Zone::Utc,
    }
}

/// The exact times of `paths` (listed with times that are not exact),
/// asked together on this session ([`Client::mdtm_each`]: one round trip
/// for a few dozen files), where the server has MDTM: `None` when it has
/// not or the asking failed (then nothing is known), otherwise one answer
/// per path, `None` where MDTM was refused (the listing's time stays).
pub(super) fn exact_times(client: &mut Client, paths: &[&[u8]]) -> Option<Vec<Option<Modified>>> {
    if paths.is_empty() || !client.supports("MDTM").unwrap_or(false) {
        return None;
    }
    match client.mdtm_each(paths) {
        Ok(times) => Some(times.into_iter().map(|t| t.map(exact)).collect()),
        Err(e) => {
            tracing::debug!("MDTM of {} files: {e}; asking each on its own", paths.len());
            None
        }
    }
}

/// The fewest paths [`exact_times_spread`] gives a session of its own:
/// below it, opening and logging in a session costs more than its share
/// of the round trips saves.
const SPREAD_FROM: usize = 256;

/// [`exact_times`], the paths shared out over up to `sessions` sessions:
/// this one and others opened by `connect` for the purpose (and closed
/// after), each asking its share at once. A share whose session cannot be
/// opened, or whose asking fails, is asked on this session after the
/// others. The answers come in the order of `paths`.
pub(super) fn exact_times_spread(
    client: &mut Client,
    connect: &super::Connect<'_>,
    sessions: usize,
    paths: &[&[u8]],
) -> Option<Vec<Option<Modified>>> {
    let share = paths.len().div_ceil(sessions.max(1)).max(SPREAD_FROM);
    if share >= paths.len() || !client.supports("MDTM").unwrap_or(false) {
        return exact_times(client, paths);
    }
    let mut shares = paths.chunks(share);
    let first = shares.next()?;
    std::thread::scope(|scope| {
        let others: Vec<_> = shares
            .map(|chunk| {
                let asked = scope.spawn(move || {
                    let mut other = connect().ok()?;
                    let times = exact_times(&mut other, chunk);
                    super::quit(other);
                    times
                });
                (chunk, asked)
            })
            .collect();
        let mut all = exact_times(client, first)?;
        for (chunk, asked) in others {
            let times = match asked.join().ok().flatten() {
                Some(times) => times,
                None => exact_times(client, chunk)?,
            };
            all.extend(times);
        }
        Some(all)
    })
}

/// For an update on upload, a remote file of the same size: whether it is
/// as new as the local file (`local`, Unix seconds) or newer. The
/// listing's time decides where its precision can; where it cannot (a
/// `LIST` time within a day or a minute of the local one, or none), the
/// exact time (MDTM) does, on this session.
pub(super) fn remote_current(
    client: &mut Client,
    remote: &[u8],
    local: Option<i64>,
    existing: &Entry,
) -> bool {
    let Some(local) = local else {
        return false;
    };
    let listed = existing.modified;
    if let Some(m) = listed {
        match m.compare_unix(local) {
            Comparison::After => return false,
            Comparison::Before | Comparison::Same => return true,
            Comparison::Unsure => {}
        }
    }
    match exact_time(client, remote, listed) {
        Some(m) if m.is_exact() => m.compare_unix(local) != Comparison::After,
        // No exact time: the same as far as the listing can tell.
        Some(_) => true,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Timestamp;

    fn at(seconds: i64, precision: Precision, zone: Zone) -> Modified {
        Modified {
            time: Timestamp::from_unix(seconds).unwrap(),
            precision,
            zone,
        }
    }

    #[test]
    fn freshness_is_precision_aware() {
        use Freshness::{Current, Stale, Unsure};
        let t = 1_767_323_040; // a whole minute
        let utc_second = at(t, Precision::Second, Zone::Utc);
        assert_eq!(freshness(5, Some(t), Some(5), Some(&utc_second)), Current);
        assert_eq!(freshness(6, Some(t), Some(5), Some(&utc_second)), Stale);
        assert_eq!(freshness(5, Some(t - 1), Some(5), Some(&utc_second)), Stale);
        assert_eq!(
            freshness(5, Some(t + 10), Some(5), Some(&utc_second)),
            Current
        );
        // LIST to the minute: any second of that minute is for MDTM.
        let minute = at(t, Precision::Minute, Zone::Utc);
        assert_eq!(freshness(5, Some(t + 59), Some(5), Some(&minute)), Unsure);
        assert_eq!(freshness(5, Some(t + 60), Some(5), Some(&minute)), Current);
        assert_eq!(freshness(5, Some(t - 1), Some(5), Some(&minute)), Stale);
        // Server-local times: a day either way.
        let local = at(t, Precision::Minute, Zone::ServerLocal);
        assert_eq!(
            freshness(5, Some(t - 3 * 3600), Some(5), Some(&local)),
            Unsure
        );
        assert_eq!(
            freshness(5, Some(t - 2 * 86_400), Some(5), Some(&local)),
            Stale
        );
        // A size that differs needs no time at all.
        assert_eq!(
            freshness(4, Some(t - 3 * 3600), Some(5), Some(&local)),
            Stale
        );
        // No time from the server: MDTM may say; no size either: copied.
        assert_eq!(freshness(5, Some(t), Some(5), None), Unsure);
        assert_eq!(freshness(5, None, Some(5), None), Current);
        assert_eq!(freshness(5, None, None, None), Stale);
    }
}
