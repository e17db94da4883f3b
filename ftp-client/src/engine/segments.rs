//! [`SegmentedDownload`]: one remote file downloaded over several
//! sessions at once, each fetching one range (`REST start`, `RETR`, and
//! the data stopped at the range's end), as lftp's `pget -n` does. Where a
//! server caps each connection's rate (vsftpd `local_max_rate`, proFTPD
//! `TransferRate`), N sessions move the file up to N times as fast.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::download::{is_rest_refusal, permissions_for, remote_size};
use super::{
    Cancel, Connect, Direction, DownloadError, Downloaded, FileDownload, Notice, Outcome, Partial,
    Progress, RetryPolicy, Transfer, partial_path,
};
use crate::{ByteCounter, Client, Error, RateLimits};

/// The smallest range a [`SegmentedDownload`] makes by default (1 MiB): a
/// file smaller than N of them gets fewer segments, one below 2 MiB.
pub const MIN_SEGMENT: u64 = 1 << 20;

/// How much one range reads at a time.
const CHUNK: usize = 256 * 1024;

/// How often (in bytes of one range) a resumable download's range state
/// is written down.
const SAVE_EVERY: u64 = 8 << 20;

/// The first line of a range state file.
const STATE_HEADER: &str = "ftp-client segments 1";

/// A [`FileDownload`] over N sessions: the file's SIZE is split into N
/// ranges (fewer for a file smaller than N × [`MIN_SEGMENT`]); each range
/// is fetched by its own session (`REST start`, `RETR`, stopped at the
/// range's end: [`Download::end_range`](crate::Download::end_range)) and
/// written at its offset into the one temporary file. The file is renamed
/// into place only once every range is whole and the total matches SIZE;
/// the time is kept as [`FileDownload::keep_time`] says.
///
/// - **Retries**: a range whose session fails is tried again as its
///   [`RetryPolicy`] allows, in a new session, from where it stopped (not
///   from its start).
/// - **Resume** ([`Partial::Resume`]): the ranges are written into
///   `.NAME.part`, and their state into `.NAME.part.segments`
///   ([`segments_path`]) beside it; a later run fetches only what is
///   missing. The state is trusted only for a file of the same SIZE (else
///   the download starts over); a `.NAME.part` without one, as a
///   single-stream download leaves it, is taken as the file's beginning.
///   Both are removed on success.
/// - **Fallbacks**: a SIZE the server does not give, or a file too small
///   for two ranges, is downloaded as one stream ([`FileDownload::run`]);
///   so is a file on a server without `REST` (its FEAT lists features but
///   not `REST`, or it refuses `REST` with a 5xx), reported once as
///   [`Notice::OneStream`].
/// - **Progress**: one [`Transfer`] counting the bytes of all ranges.
///   Rate limits hold for the file as a whole (its ranges share the
///   transfer's rate); cancellation cuts every range.
///
/// ```no_run
/// use ftp_client::engine::{Cancel, FileDownload, Partial, SegmentedDownload};
/// use ftp_client::{Client, Config, FtpUrl};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let url = FtpUrl::parse("ftp://demo:password@127.0.0.1:2121/")?;
/// let connect = || Client::connect_url(&url, Config::default());
/// let mut ftp = connect()?;
/// let done = SegmentedDownload::new(FileDownload::new("big.iso", "big.iso"), 4)
///     .run(&mut ftp, &connect, &(), &Cancel::new())?;
/// println!("{} bytes", done.received);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SegmentedDownload {
    download: FileDownload,
    segments: usize,
    min_segment: u64,
    retry: RetryPolicy,
}

/// One range of the file: bytes `start..end`, of which the first `done`
/// are in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Range {
    start: u64,
    end: u64,
    done: u64,
    /// A session has taken it (this run; not written down).
    claimed: bool,
}

impl Range {
    /// The next byte to fetch.
    fn next(&self) -> u64 {
        self.start + self.done
    }

    /// The bytes still to fetch.
    fn left(&self) -> u64 {
        self.end - self.next()
    }
}

/// `.NAME.part.segments` beside `target`: where a resumable
/// [`SegmentedDownload`] to `target` keeps the state of its ranges.
pub fn segments_path(target: &Path) -> Option<PathBuf> {
    let mut path = partial_path(target)?.into_os_string();
    path.push(".segments");
    Some(PathBuf::from(path))
}

/// `size` split into `count` ranges as equal as can be.
fn split(size: u64, count: usize) -> Vec<Range> {
    let count = count.max(1) as u64;
    let (base, extra) = (size / count, size % count);
    let mut start = 0;
    (0..count)
        .map(|i| {
            let end = start + base + u64::from(i < extra);
            let range = Range {
                start,
                end,
                done: 0,
                claimed: false,
            };
            start = end;
            range
        })
        .collect()
}

/// The ranges' state as a small text file.
fn encode_state(size: u64, ranges: &[Range]) -> String {
    let mut text = format!("{STATE_HEADER}\nsize {size}\n");
    let mut sorted = ranges.to_vec();
    sorted.sort_by_key(|r| r.start);
    for r in &sorted {
        text.push_str(&format!("{} {} {}\n", r.start, r.end, r.done));
    }
    text
}

/// The ranges a state file describes, if it is one, for a file of `size`
/// bytes, its ranges covering it exactly.
fn decode_state(text: &str, size: u64) -> Option<Vec<Range>> {
    let mut lines = text.lines();
    if lines.next()? != STATE_HEADER {
        return None;
    }
    if lines.next()?.strip_prefix("size ")?.parse::<u64>().ok()? != size {
        return None;
    }
    let mut ranges = Vec::new();
    let mut expected = 0;
    for line in lines {
        let mut numbers = line.split(' ').map(str::parse::<u64>);
        let (Some(Ok(start)), Some(Ok(end)), Some(Ok(done)), None) = (
            numbers.next(),
            numbers.next(),
            numbers.next(),
            numbers.next(),
        ) else {
            return None;
        };
        if start != expected || end <= start || done > end - start {
            return None;
        }
        expected = end;
        ranges.push(Range {
            start,
            end,
            done,
            claimed: false,
        });
    }
    (expected == size && !ranges.is_empty()).then_some(ranges)
}

/// The ranges of `count` over a file whose first `held` bytes are there.
fn after_prefix(size: u64, count: usize, held: u64) -> Vec<Range> {
    let mut ranges = split(size, count);
    for r in &mut ranges {
        r.done = held.saturating_sub(r.start).min(r.end - r.start);
    }
    ranges
}

/// Where the ranges are written.
enum Local {
    /// A new temporary file, removed unless persisted.
    Temporary(tempfile::NamedTempFile),
    /// `.NAME.part` and its state file, kept on failure.
    Partial {
        file: File,
        path: PathBuf,
        state: PathBuf,
    },
}

impl Local {
    fn file(&self) -> &File {
        match self {
            Local::Temporary(temp) => temp.as_file(),
            Local::Partial { file, .. } => file,
        }
    }

    fn state(&self) -> Option<&Path> {
        match self {
            Local::Temporary(_) => None,
            Local::Partial { state, .. } => Some(state),
        }
    }
}

/// What the ranges share while they run.
struct Shared<'a> {
    plan: &'a FileDownload,
    file: &'a File,
    size: u64,
    ranges: Mutex<Vec<Range>>,
    counter: ByteCounter,
    state: Option<&'a Path>,
    limits: RateLimits,
    /// Fired when a range failed for good, or the caller cancelled: every
    /// range stops.
    stop: Cancel,
    /// The first range failure that was not another's stop.
    failure: Mutex<Option<DownloadError>>,
    /// The server's refusal of REST.
    no_rest: Mutex<Option<Error>>,
}

impl Shared<'_> {
    fn range(&self, index: usize) -> Range {
        lock(&self.ranges)[index]
    }

    /// The bytes of range `index` before `upto` are in the file. Bytes
    /// past its end (it was split meanwhile: they are the next range's,
    /// written with the same data) are not counted.
    fn advance(&self, index: usize, upto: u64) {
        let mut ranges = lock(&self.ranges);
        let r = &mut ranges[index];
        let done = upto.min(r.end).saturating_sub(r.start);
        if done > r.done {
            self.counter.add(done - r.done);
            r.done = done;
        }
    }

    /// The next range for a session that is free: one nobody took yet,
    /// else the second half of the range with the most left, if it is at
    /// least `2 × split` (a session finished early, as a server's rate
    /// per connection varies: it helps the slowest instead of waiting).
    /// `None` when all is taken or the download stops.
    fn next_job(&self, split: u64) -> Option<usize> {
        let mut ranges = lock(&self.ranges);
        if self.stop.is_cancelled() {
            return None;
        }
        if let Some(index) = ranges.iter().position(|r| !r.claimed && r.left() > 0) {
            ranges[index].claimed = true;
            return Some(index);
        }
        let (index, left) = ranges
            .iter()
            .enumerate()
            .map(|(i, r)| (i, r.left()))
            .max_by_key(|&(_, left)| left)?;
        if left < 2 * split {
            return None;
        }
        let victim = &mut ranges[index];
        let middle = victim.next() + left / 2;
        let end = std::mem::replace(&mut victim.end, middle);
        ranges.push(Range {
            start: middle,
            end,
            done: 0,
            claimed: true,
        });
        Some(ranges.len() - 1)
    }

    /// Writes the ranges' state down (a resumable download); best effort:
    /// a state file that is missing or old only makes a later run fetch
    /// more again.
    fn save_state(&self) {
        if let Some(path) = self.state {
            // Under the lock: one writer at a time, and the state never
            // ahead of the bytes written. Through a new file renamed over
            // the old one, so that a process killed meanwhile leaves one
            // or the other whole.
            let ranges = lock(&self.ranges);
            let mut next = path.as_os_str().to_owned();
            next.push(".new");
            let next = PathBuf::from(next);
            if fs::write(&next, encode_state(self.size, &ranges)).is_ok() {
                let _ = fs::rename(&next, path);
            }
        }
    }

    /// Range `index` failed with `error`: the first failure that was not
    /// caused by another's is kept, and every range stops.
    fn fail(&self, error: DownloadError) {
        if !self.stop.is_cancelled() {
            lock(&self.failure).get_or_insert(error);
        }
        self.stop.cancel();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl SegmentedDownload {
    /// `download` over `segments` sessions (1 or 0: one stream, as
    /// `download` alone), each range at least [`MIN_SEGMENT`] bytes, a
    /// failed range not retried.
    pub fn new(download: FileDownload, segments: usize) -> Self {
        SegmentedDownload {
            download,
            segments: segments.max(1),
            min_segment: MIN_SEGMENT,
            retry: RetryPolicy::new(0),
        }
    }

    /// The smallest range made (at least 1 byte): a file smaller than
    /// `segments × bytes` gets fewer segments.
    pub fn min_segment(mut self, bytes: u64) -> Self {
        self.min_segment = bytes.max(1);
        self
    }

    /// What the download is held to ([`FileDownload::limits`]): the rate
    /// of each transfer is the file's, shared by its ranges.
    pub fn limits(mut self, limits: RateLimits) -> Self {
        self.download.limits = limits;
        self
    }

    /// How a failed range is tried again: in a new session, from where it
    /// stopped.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How many ranges a file of `size` bytes is split into.
    pub fn ranges_for(&self, size: u64) -> usize {
        let most = (size / self.min_segment).max(1);
        usize::try_from(most)
            .unwrap_or(usize::MAX)
            .min(self.segments)
    }

    /// Downloads: the first range over `client`, the others each over a
    /// session from `connect` (and a failed range's next attempt too),
    /// reported to `progress` as one transfer, cut when `cancel` fires.
    /// On success the file is at its destination; on failure a temporary
    /// file is removed, a resumable one kept with its range state.
    pub fn run(
        &self,
        client: &mut Client,
        connect: &Connect<'_>,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> Result<Downloaded, DownloadError> {
        if cancel.is_cancelled() {
            return Err(DownloadError::Cancelled);
        }
        let plan = &self.download;
        let size = if self.segments > 1 {
            remote_size(client, &plan.remote).map_err(DownloadError::Transfer)?
        } else {
            None
        };
        let count = size.map_or(1, |size| self.ranges_for(size));
        let (Some(size), true) = (size, count > 1) else {
            return plan.clone().run(client, progress, cancel);
        };
        if let Some(reason) = no_rest_in_features(client) {
            self.notice(progress, &reason);
            return plan.clone().run(client, progress, cancel);
        }
        let (local, ranges) = self.prepare(size, count)?;
        self.run_ranges(client, connect, progress, cancel, local, size, ranges)
    }

    /// The local file, and the ranges still to fetch into it.
    fn prepare(&self, size: u64, count: usize) -> Result<(Local, Vec<Range>), DownloadError> {
        let plan = &self.download;
        if plan.partial == Partial::Temporary {
            let temp = plan.temporary()?;
            set_len(temp.as_file(), temp.path(), size)?;
            return Ok((Local::Temporary(temp), split(size, count)));
        }
        let created = |path: &Path| {
            let path = path.to_owned();
            move |source| DownloadError::Create { path, source }
        };
        let path = partial_path(&plan.local).ok_or_else(|| DownloadError::Create {
            path: plan.local.clone(),
            source: io::Error::new(io::ErrorKind::InvalidInput, "no file name"),
        })?;
        let state = segments_path(&plan.local)
            .ok_or_else(|| created(&path)(io::ErrorKind::InvalidInput.into()))?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(created(&path))?;
        let held = file.metadata().map_err(created(&path))?.len();
        let ranges = match fs::read_to_string(&state) {
            // Ours, for this file: only what is missing.
            Ok(text) => match decode_state(&text, size).filter(|_| held == size) {
                Some(ranges) => ranges,
                None => after_prefix(size, count, 0),
            },
            // A single stream's partial file: its beginning, unless it is
            // longer than the file.
            Err(_) if held <= size => after_prefix(size, count, held),
            Err(_) => after_prefix(size, count, 0),
        };
        // The state first: a file grown to its size without one would be
        // taken for a whole beginning.
        fs::write(&state, encode_state(size, &ranges)).map_err(created(&state))?;
        if ranges.iter().all(|r| r.done == 0) {
            file.set_len(0).map_err(created(&path))?;
        }
        set_len(&file, &path, size)?;
        Ok((Local::Partial { file, path, state }, ranges))
    }

    /// Reports the fall back to one stream.
    fn notice(&self, progress: &dyn Progress, reason: &str) {
        let path = self.download.label_text();
        tracing::warn!("{path}: no REST ({reason}); one stream");
        progress.notice(&Notice::OneStream {
            path: &path,
            reason,
        });
    }

    /// Runs the ranges, then puts the file in place (or falls back to one
    /// stream when the server refused REST).
    #[allow(clippy::too_many_arguments)]
    fn run_ranges(
        &self,
        client: &mut Client,
        connect: &Connect<'_>,
        progress: &dyn Progress,
        cancel: &Cancel,
        local: Local,
        size: u64,
        ranges: Vec<Range>,
    ) -> Result<Downloaded, DownloadError> {
        let offset: u64 = ranges.iter().map(|r| r.done).sum();
        let shared = Shared {
            plan: &self.download,
            file: local.file(),
            size,
            ranges: Mutex::new(ranges),
            counter: ByteCounter::new(),
            state: local.state(),
            limits: self.download.limits.per_file(),
            stop: Cancel::new(),
            failure: Mutex::new(None),
            no_rest: Mutex::new(None),
        };
        let transfer = Transfer::new(
            self.download.label_text(),
            Direction::Download,
            Some(size),
            offset,
            shared.counter.clone(),
        );
        progress.started(&transfer);
        self.fetch_all(&shared, client, connect, progress, cancel);
        shared.save_state();
        let failure = lock(&shared.failure).take();
        let no_rest = lock(&shared.no_rest).take();
        let complete = lock(&shared.ranges).iter().all(|r| r.left() == 0);
        let outcome = if complete && failure.is_none() && no_rest.is_none() {
            Outcome::Done
        } else {
            Outcome::Failed
        };
        progress.finished(&transfer, outcome);
        let received = shared.counter.get();
        let held: u64 = lock(&shared.ranges).iter().map(|r| r.done).sum();
        let first_range = lock(&shared.ranges)[0];
        drop(shared);
        if let Some(refusal) = no_rest {
            return self.one_stream(
                client,
                connect,
                progress,
                cancel,
                local,
                first_range,
                &refusal,
            );
        }
        if cancel.is_cancelled() {
            return Err(DownloadError::Cancelled);
        }
        if let Some(failure) = failure {
            return Err(failure);
        }
        if !complete {
            // Never renamed into place with a range missing.
            return Err(DownloadError::SizeMismatch { total: held, size });
        }
        self.finish(client, local, received, offset, size)
    }

    /// One thread per range, and one that turns the caller's cancel into
    /// the ranges' stop.
    fn fetch_all(
        &self,
        shared: &Shared<'_>,
        client: &mut Client,
        connect: &Connect<'_>,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) {
        let left = lock(&shared.ranges).iter().filter(|r| r.left() > 0).count();
        let sessions = left.min(self.segments).max(1);
        let over = AtomicBool::new(false);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                while !over.load(Ordering::SeqCst) {
                    if cancel.is_cancelled() {
                        shared.stop.cancel();
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            });
            // Over TLS a range's session ends with it (`Download::end_range`):
            // the caller's session, which the file's time is asked on
            // afterwards, takes no range there.
            let tls = client.is_tls();
            let first = (!tls).then_some(client);
            let workers: Vec<_> = (usize::from(!tls)..sessions)
                .map(|_| scope.spawn(move || self.session(shared, None, connect, progress)))
                .collect();
            if let Some(client) = first {
                self.session(shared, Some(client), connect, progress);
            }
            for worker in workers {
                let _ = worker.join();
            }
            over.store(true, Ordering::SeqCst);
        });
    }

    /// One session's work: ranges as [`Shared::next_job`] gives them,
    /// over `first` (if given) until it fails, then over sessions of its
    /// own.
    fn session(
        &self,
        shared: &Shared<'_>,
        mut first: Option<&mut Client>,
        connect: &Connect<'_>,
        progress: &dyn Progress,
    ) {
        let mut own: Option<Client> = None;
        let split = self.min_segment.max(4 * CHUNK as u64);
        while let Some(index) = shared.next_job(split) {
            let r = shared.range(index);
            let what = format!("RETR {} (bytes {}-)", self.download.label_text(), r.start);
            let result = self.retry.run(&shared.stop, progress, &what, |_| {
                if first.as_ref().is_some_and(|c| c.is_closed()) {
                    first = None;
                }
                if own.as_ref().is_some_and(Client::is_closed) {
                    own = None;
                }
                let client = match (first.as_deref_mut(), &mut own) {
                    (Some(client), _) => client,
                    (None, Some(client)) => client,
                    (None, slot @ None) => slot.insert(connect().map_err(DownloadError::Transfer)?),
                };
                fetch_range(shared, index, client)
            });
            shared.save_state();
            if let Err(e) = result {
                self.failed(shared, index, e);
                break;
            }
        }
        if let Some(client) = own {
            let _ = client.quit();
        }
    }

    /// Range `index` failed for good with `error`: every range stops.
    fn failed(&self, shared: &Shared<'_>, index: usize, error: DownloadError) {
        match error {
            DownloadError::NoResume(e) => {
                lock(&shared.no_rest).get_or_insert(e);
                shared.stop.cancel();
            }
            DownloadError::Transfer(error) => {
                let r = shared.range(index);
                shared.fail(DownloadError::Range {
                    start: r.start,
                    end: r.end,
                    error: Box::new(error),
                });
            }
            other => shared.fail(other),
        }
    }

    /// The server refused REST: the bytes of the first range are kept
    /// (they are the file's beginning), the rest fetched over one stream.
    #[allow(clippy::too_many_arguments)]
    fn one_stream(
        &self,
        client: &mut Client,
        connect: &Connect<'_>,
        progress: &dyn Progress,
        cancel: &Cancel,
        local: Local,
        first: Range,
        refusal: &Error,
    ) -> Result<Downloaded, DownloadError> {
        self.notice(progress, &refusal.to_string());
        if let Local::Partial { file, path, state } = local {
            let _ = fs::remove_file(&state);
            file.set_len(first.done)
                .map_err(|source| DownloadError::Read { path, source })?;
        }
        let mut fresh;
        let client = if client.is_closed() {
            fresh = connect().map_err(DownloadError::Transfer)?;
            &mut fresh
        } else {
            client
        };
        self.download.clone().run(client, progress, cancel)
    }

    /// Every range is whole: the file is checked, given its time, and
    /// renamed into place.
    fn finish(
        &self,
        client: &mut Client,
        local: Local,
        received: u64,
        offset: u64,
        size: u64,
    ) -> Result<Downloaded, DownloadError> {
        let plan = &self.download;
        let file = local.file();
        let len = file
            .metadata()
            .map_err(|source| DownloadError::Save {
                path: plan.local.clone(),
                source,
            })?
            .len();
        if len != size {
            return Err(DownloadError::SizeMismatch { total: len, size });
        }
        if matches!(local, Local::Partial { .. }) {
            plan.save(file)?;
        }
        let modified = plan.set_time(client, file);
        if let Some(permissions) = permissions_for(&plan.local) {
            let _ = file.set_permissions(permissions);
        }
        let renamed = |source| DownloadError::Rename {
            path: plan.local.clone(),
            source,
        };
        match local {
            Local::Temporary(temp) => {
                temp.persist(&plan.local).map_err(|e| renamed(e.error))?;
            }
            Local::Partial { path, state, .. } => {
                fs::rename(&path, &plan.local).map_err(renamed)?;
                let _ = fs::remove_file(state);
            }
        }
        Ok(Downloaded {
            received,
            offset,
            modified,
            verified: None,
        })
    }
}

/// Why the server's FEAT says it has no REST: it lists features, `REST`
/// not among them.
fn no_rest_in_features(client: &mut Client) -> Option<String> {
    let features = client.features().ok()?;
    let listed = features.iter().next().is_some();
    (listed && !features.supports("REST")).then(|| "FEAT does not list REST".to_owned())
}

fn set_len(file: &File, path: &Path, size: u64) -> Result<(), DownloadError> {
    file.set_len(size).map_err(|source| DownloadError::Create {
        path: path.to_owned(),
        source,
    })
}

/// One attempt at range `index` over `client`, from where it stands:
/// `REST`, `RETR`, the bytes written at their offsets until the range's
/// end, then the transfer ended (the data stopped and the server told,
/// [`Download::end_range`](crate::Download::end_range); or, for the last
/// range, finished as usual).
fn fetch_range(
    shared: &Shared<'_>,
    index: usize,
    client: &mut Client,
) -> Result<(), DownloadError> {
    let range = shared.range(index);
    if range.left() == 0 {
        return Ok(());
    }
    let from = range.next();
    let mut download = match client.retrieve_stream_from(&shared.plan.remote, from) {
        Ok(download) => download,
        Err(e) if is_rest_refusal(&e) && e.code().is_some_and(|c| c >= 500) => {
            return Err(DownloadError::NoResume(e));
        }
        Err(e) => return Err(DownloadError::Transfer(e)),
    };
    download.limit(&shared.limits);
    // Dropped before the transfer ends: the canceller holds a copy of the
    // data socket, and while it lives closing the data connection does not
    // close the socket, so a server that lingers on its close (vsftpd)
    // would wait for us while we wait for its reply.
    let cut = shared.stop.cut_on_cancel(download.canceller());
    let copied = copy_range(shared, index, &mut download, from);
    drop(cut);
    let (next, stopped) = match copied {
        Ok(copied) => copied,
        Err(source) => {
            download.abandon();
            return Err(DownloadError::Save {
                path: shared.plan.local.clone(),
                source,
            });
        }
    };
    if shared.stop.is_cancelled() && next < shared.range(index).end {
        // Cut by a cancel or another range's failure: the session is left
        // at once rather than waiting for the server's word on it.
        download.abandon();
        return Err(DownloadError::Cancelled);
    }
    let read = RangeRead {
        start: range.start,
        next,
        stopped,
    };
    close_range(shared, index, download, read)
}

/// What the reading of a range came to.
struct RangeRead {
    /// Where the range started.
    start: u64,
    /// The next byte not read.
    next: u64,
    stopped: Stopped,
}

/// How the reading of a range stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stopped {
    /// At the range's end (which another session may have moved closer).
    AtEnd,
    /// The data connection ended before it.
    DataEnded,
    /// A read failed.
    ReadFailed,
}

/// Reads range `index` from `download` into the file, from byte `from`,
/// until its end or the data stops: the next byte not read, and why it
/// stopped. The error is the local file's.
fn copy_range(
    shared: &Shared<'_>,
    index: usize,
    download: &mut crate::Download<'_>,
    from: u64,
) -> io::Result<(u64, Stopped)> {
    let mut next = from;
    let mut unsaved = 0u64;
    let mut buf = vec![0u8; CHUNK];
    // The end is read again before each read: another session may take
    // the second half of this range meanwhile (it only ever shrinks).
    while next < shared.range(index).end {
        let left = shared.range(index).end.saturating_sub(next);
        let len = usize::try_from(left).map_or(CHUNK, |left| left.min(CHUNK));
        let n = match download.read(&mut buf[..len]) {
            Ok(0) => return Ok((next, Stopped::DataEnded)),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return Ok((next, Stopped::ReadFailed)),
        };
        write_at(shared.file, &buf[..n], next)?;
        next += n as u64;
        shared.advance(index, next);
        unsaved += n as u64;
        if unsaved >= SAVE_EVERY {
            shared.save_state();
            unsaved = 0;
        }
    }
    Ok((next, Stopped::AtEnd))
}

/// Ends range `index` (as far as it was `read`): the
/// server's word where the data stopped early or the file ended there,
/// else the transfer stopped at the range's end
/// ([`Download::end_range`](crate::Download::end_range): `ABOR` in clear;
/// over TLS the session ends, and the next range opens one of its own).
fn close_range(
    shared: &Shared<'_>,
    index: usize,
    download: crate::Download<'_>,
    read: RangeRead,
) -> Result<(), DownloadError> {
    let RangeRead {
        start,
        next,
        stopped,
    } = read;
    let end = shared.range(index).end;
    if stopped != Stopped::AtEnd || end == shared.size {
        // The server's word: the reason a read failed, or the end of the
        // file (the last range), or the data ending early.
        download.finish().map_err(DownloadError::Transfer)?;
        if next < end {
            return Err(DownloadError::ShortRange {
                start,
                end,
                ended: next,
            });
        }
        return Ok(());
    }
    match download.end_range() {
        Ok(()) => Ok(()),
        // Every byte of the range is in the file: a session lost while the
        // server is stopped loses nothing (the next range reconnects).
        Err(e) if next >= end => {
            tracing::debug!("bytes {}-{}: whole; then {e}", start, end - 1);
            Ok(())
        }
        Err(e) => Err(DownloadError::Transfer(e)),
    }
}

/// Writes `buf` at `offset` of `file` (pwrite), whatever its position.
#[cfg(unix)]
fn write_at(file: &File, buf: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
}

/// Writes `buf` at `offset` of `file`.
#[cfg(windows)]
fn write_at(file: &File, mut buf: &[u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        let n = file.seek_write(buf, offset)?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        buf = &buf[n..];
        offset += n as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_the_file_exactly() {
        let ranges = split(10, 3);
        let spans: Vec<_> = ranges.iter().map(|r| (r.start, r.end)).collect();
        assert_eq!(spans, [(0, 4), (4, 7), (7, 10)]);
        let prefix = after_prefix(10, 3, 5);
        let done: Vec<_> = prefix.iter().map(|r| r.done).collect();
        assert_eq!(done, [4, 1, 0]);
    }

    #[test]
    fn the_state_is_trusted_only_for_its_file() {
        let mut ranges = split(1000, 4);
        ranges[1].done = 100;
        let text = encode_state(1000, &ranges);
        assert_eq!(decode_state(&text, 1000), Some(ranges.clone()));
        assert_eq!(decode_state(&text, 999), None, "another size");
        assert_eq!(decode_state("garbage", 1000), None);
        let gap = text.replace("250 500 100", "251 500 100");
        assert_eq!(decode_state(&gap, 1000), None, "a gap");
        let over = text.replace("250 500 100", "250 500 251");
        assert_eq!(decode_state(&over, 1000), None, "more done than the range");
    }

    #[test]
    fn a_free_session_takes_half_of_the_largest_range() {
        let plan = FileDownload::new("f", "f");
        let file = tempfile::tempfile().unwrap();
        let shared = Shared {
            plan: &plan,
            file: &file,
            size: 100,
            ranges: Mutex::new(split(100, 2)),
            counter: ByteCounter::new(),
            state: None,
            limits: RateLimits::default(),
            stop: Cancel::new(),
            failure: Mutex::new(None),
            no_rest: Mutex::new(None),
        };
        assert_eq!(shared.next_job(10), Some(0));
        assert_eq!(shared.next_job(10), Some(1));
        shared.advance(0, 50);
        shared.advance(1, 60);
        // Range 0 is whole; range 1 has 40 left: its second half is taken.
        assert_eq!(shared.next_job(10), Some(2));
        assert_eq!(shared.range(1).end, 80);
        assert_eq!(
            shared.range(2),
            Range {
                start: 80,
                end: 100,
                done: 0,
                claimed: true
            }
        );
        // Bytes read past the new end are the next range's: not counted.
        shared.advance(1, 85);
        assert_eq!(shared.range(1).done, 30);
        assert_eq!(shared.counter.get(), 80);
        assert_eq!(shared.next_job(15), None, "20 left: too little to split");
        let text = encode_state(100, &lock(&shared.ranges));
        let decoded = decode_state(&text, 100).unwrap();
        let spans: Vec<_> = decoded.iter().map(|r| (r.start, r.end, r.done)).collect();
        assert_eq!(spans, [(0, 50, 50), (50, 80, 30), (80, 100, 0)]);
        shared.stop.cancel();
        assert_eq!(shared.next_job(1), None, "stopped");
    }

    #[test]
    fn small_files_get_fewer_segments() {
        let seg = SegmentedDownload::new(FileDownload::new("f", "f"), 8).min_segment(100);
        assert_eq!(seg.ranges_for(50), 1);
        assert_eq!(seg.ranges_for(250), 2);
        assert_eq!(seg.ranges_for(10_000), 8);
        assert_eq!(
            segments_path(Path::new("d/f.bin")),
            Some(PathBuf::from("d/.f.bin.part.segments"))
        );
    }
}
