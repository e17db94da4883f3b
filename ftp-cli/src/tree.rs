//! Recursive `cp -r`, `mv -r` and `rm -r`.
//!
//! Each operation first plans (lists the whole source tree with one
//! session), then acts: directories are created in order, files are moved
//! by up to `-j` sessions, each reused for every file it takes. Every
//! remote name reaches the local file system or the server only through
//! [`crate::names::local_component`] / [`crate::names::remote_component`],
//! which refuse anything that is not exactly one path component. A failed
//! file is reported and the rest goes on; the summary counts files, bytes
//! and failures, and any failure makes the exit status 1.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use ftp_client::engine::{Direction, RetryPolicy, Retryable, Transfer, is_transient};
use ftp_client::{
    Client, Comparison, Config, Entry, FtpUrl, Kind, Modified, Precision, Timestamp, WalkOptions,
    Zone,
};

use crate::failure::Failure;
use crate::format::escape_name;
use crate::names::{self, collision_key};
use crate::{location, remote};

/// Parallel sessions by default: a small tree is latency-bound (each file
/// costs a passive-mode round trip, a connection and a final reply), and
/// four sessions hide most of that while staying under the per-address
/// limits servers commonly set (Pure-FTPd and vsftpd setups often allow a
/// handful per IP). A server that refuses more gets fewer.
pub const DEFAULT_JOBS: usize = 4;

/// The most `-j` accepts.
pub const MAX_JOBS: usize = 16;

/// What the recursive options ask for.
#[derive(Debug, Clone, Copy)]
pub struct TreeOptions {
    /// `-u`: copy only files that are missing or differ.
    pub update: bool,
    /// `-j`: sessions in parallel.
    pub jobs: usize,
    /// `-L`: follow symbolic links (local ones, on upload).
    pub follow_links: bool,
    /// `mv -r`: delete the source once everything is confirmed.
    pub remove_source: bool,
}

/// Counts and failures of a recursive operation (and of `cp`/`mv` with
/// several sources).
pub(crate) struct Summary {
    op: String,
    files: AtomicU64,
    /// Shared with the progress bar.
    bytes: Arc<AtomicU64>,
    up_to_date: AtomicU64,
    skipped: AtomicU64,
    failures: AtomicU64,
}

impl Summary {
    pub(crate) fn new(op: &str) -> Summary {
        Summary {
            op: op.to_owned(),
            files: AtomicU64::new(0),
            bytes: Arc::new(AtomicU64::new(0)),
            up_to_date: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            failures: AtomicU64::new(0),
        }
    }

    /// A failure: one line on stderr, counted. After a signal, the
    /// transfers it cut are counted only: the interruption's one line says
    /// what happened.
    fn fail(&self, what: &str, message: impl std::fmt::Display) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        if crate::interrupt::signalled().is_some() {
            return;
        }
        crate::progress::clear_now();
        eprintln!("ftp-cli: {} {what}: {message}", self.op);
    }

    /// Something left out on purpose (a symbolic link, a device): reported,
    /// counted, not a failure, but `mv` then keeps its source.
    fn skip(&self, what: &str, message: impl std::fmt::Display) {
        self.skipped.fetch_add(1, Ordering::Relaxed);
        crate::progress::clear_now();
        eprintln!("ftp-cli: {} {what}: skipped: {message}", self.op);
    }

    fn done(&self, bytes: u64) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// One file of several done: counted, or its failure (whose message
    /// names the operation and the file) printed and counted. A signal
    /// ends the run here, as it does a single copy.
    pub(crate) fn record(&self, result: Result<u64, Failure>) {
        match result {
            Ok(bytes) => self.done(bytes),
            Err(failure) => {
                crate::interrupt::exit_if_interrupted();
                self.failures.fetch_add(1, Ordering::Relaxed);
                crate::progress::clear_now();
                eprintln!("ftp-cli: {failure}");
            }
        }
    }

    fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// The last line: printed on success, the error line on failure.
    pub(crate) fn finish(&self) -> Result<(), Failure> {
        let mut line = format!(
            "{}: {} files, {} bytes",
            self.op,
            self.files.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed)
        );
        let up_to_date = self.up_to_date.load(Ordering::Relaxed);
        if up_to_date > 0 {
            line.push_str(&format!(", {up_to_date} up to date"));
        }
        let skipped = self.skipped.load(Ordering::Relaxed);
        if skipped > 0 {
            line.push_str(&format!(", {skipped} skipped"));
        }
        line.push_str(&format!(", {} failures", self.failures()));
        if self.failures() > 0 {
            Err(Failure::failed(line))
        } else {
            eprintln!("ftp-cli: {line}");
            Ok(())
        }
    }
}

/// Why one file failed, and whether trying it again may help
/// ([`ftp_client::engine::is_transient`]: such as Pure-FTPd's "425 Unable
/// to identify the local data socket" when its passive ports are all in
/// TIME_WAIT).
#[derive(Debug)]
struct JobError {
    message: String,
    transient: bool,
}

impl From<String> for JobError {
    fn from(message: String) -> Self {
        JobError {
            message,
            transient: false,
        }
    }
}

impl From<ftp_client::Error> for JobError {
    fn from(error: ftp_client::Error) -> Self {
        JobError {
            transient: ftp_client::engine::is_transient(&error),
            message: error.to_string(),
        }
    }
}

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Retryable for JobError {
    fn is_retryable(&self) -> bool {
        self.transient
    }
}

/// Files at least this large are downloaded with splice.
const SPLICE_FROM: u64 = 256 * 1024;

/// A file, or a listing, whose failure may pass is tried again in the same
/// session: [`RetryPolicy::quick`], short at first, as the usual transient
/// refusal (Pure-FTPd's 425 when the passive port it drew is still in
/// TIME_WAIT) is gone at the next EPSV, which draws another port; longer
/// for a refusal that lasts. (A 200 ms first pause was 30 % of a
/// 1,000-file -j 4 download from Pure-FTPd that met one.)
const QUICK: RetryPolicy = RetryPolicy::quick();

fn shown(path: &[u8]) -> String {
    escape_name(path)
}

fn unix_seconds(time: SystemTime) -> Option<i64> {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).ok(),
        Err(e) => i64::try_from(e.duration().as_secs()).ok().map(|s| -s),
    }
}

/// How a destination compares with its source, for `-u`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Freshness {
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
fn freshness(
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
fn exact_time(client: &mut Client, path: &[u8], listed: Option<Modified>) -> Option<Modified> {
    if listed.is_some_and(|m| m.is_exact()) || !client.supports("MDTM").unwrap_or(false) {
        return listed;
    }
    match client.mdtm(path) {
        Ok(time) => Some(Modified {
            precision: if time.nanosecond > 0 {
                Precision::Subsecond
            } else {
                Precision::Second
            },
            time,
            zone: Zone::Utc,
        }),
        Err(e) => {
            tracing::debug!("MDTM {}: {e}; keeping the listing's time", shown(path));
            listed
        }
    }
}

// ---------------------------------------------------------------- sessions

/// A job, and whether it was already put back once after its session died.
struct Queued<J> {
    job: J,
    retried: bool,
}

/// The jobs the planning session finds, taken by the sessions as they
/// come: transfers start with the first directory, not after the last.
/// Jobs come in groups (a directory's files), and consecutive takes go to
/// different groups: sessions working in different directories do not
/// queue behind each other's directory locks, here (creating and
/// renaming files) or on the server.
struct Queue<J> {
    state: Mutex<QueueState<J>>,
    changed: Condvar,
}

struct QueueState<J> {
    /// Groups with jobs left, each with its key.
    groups: VecDeque<(usize, VecDeque<Queued<J>>)>,
    /// Jobs ever added.
    added: usize,
    /// No more jobs will come.
    closed: bool,
}

impl<J> Queue<J> {
    fn new() -> Self {
        Queue {
            state: Mutex::new(QueueState {
                groups: VecDeque::new(),
                added: 0,
                closed: false,
            }),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState<J>> {
        // A worker that panicked aborts the process anyway (the scope
        // re-raises); the queue itself is never left half-changed.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a job to group `group` (a new group unless it is the group of
    /// the last job added).
    fn push(&self, group: usize, job: J) {
        let mut state = self.lock();
        let queued = Queued {
            job,
            retried: false,
        };
        match state.groups.back_mut() {
            Some((key, jobs)) if *key == group => jobs.push_back(queued),
            _ => state.groups.push_back((group, VecDeque::from([queued]))),
        }
        state.added += 1;
        drop(state);
        self.changed.notify_all();
    }

    fn put_back(&self, queued: Queued<J>) {
        self.lock()
            .groups
            .push_front((usize::MAX, VecDeque::from([queued])));
        self.changed.notify_one();
    }

    fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }

    /// The next job, from the group after the last one taken from; `None`
    /// once the queue is closed and empty.
    fn take(&self) -> Option<Queued<J>> {
        let mut state = self.lock();
        loop {
            if let Some((key, mut jobs)) = state.groups.pop_front() {
                let queued = jobs.pop_front();
                if !jobs.is_empty() {
                    state.groups.push_back((key, jobs));
                }
                if let Some(queued) = queued {
                    return Some(queued);
                }
                continue;
            }
            if state.closed {
                return None;
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Waits until `n` jobs were added (true) or the queue closed with
    /// fewer (false): a session is opened only when there is work for it.
    fn wait_for(&self, n: usize) -> bool {
        let mut state = self.lock();
        while state.added < n && !state.closed {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.added >= n
    }

    fn drain(&self) -> Vec<J> {
        self.lock()
            .groups
            .drain(..)
            .flat_map(|(_, jobs)| jobs.into_iter().map(|q| q.job))
            .collect()
    }
}

/// The planning work: given the planning session and where to put each
/// job found, with its group (its directory's number).
type Producer<'a, J> = dyn FnMut(&mut Client, &dyn Fn(usize, J)) + 'a;

/// Runs `produce` on the planning session `first`, which feeds the jobs;
/// up to `sessions - 1` more sessions, opened by `connect` as soon as
/// there is a job for each, run `work` on them as they come, and `first`
/// joins them once `produce` returns. A session the server refuses (421, a
/// refused connection) means fewer sessions; a session that dies is
/// reopened once, and its job put back. Returns a session still open
/// (`first` if it is), for the work after the transfers.
#[allow(clippy::too_many_arguments)]
fn run_pool<J: Send>(
    first: Client,
    connect: &(dyn Fn() -> Result<Client, Failure> + Sync),
    sessions: usize,
    summary: &Summary,
    label: &(dyn Fn(&J) -> String + Sync),
    work: &(dyn Fn(&mut Client, &J) -> Result<(), JobError> + Sync),
    produce: &mut Producer<'_, J>,
) -> Option<Client> {
    let queue: Queue<J> = Queue::new();
    // Files and bytes done so far; the bytes of a file count once it is.
    let files = crate::progress::Files::new(0);
    let _watch = crate::progress::watch(
        summary.op.clone(),
        None,
        crate::progress::Source::Total(summary.bytes.clone()),
        Some(files.clone()),
    );
    let sessions = sessions.max(1);
    let kept: Mutex<Option<Client>> = Mutex::new(None);
    // Takes jobs until there are none; false if the session could not be
    // reopened. Gives the session back if it is still open.
    let cancel = crate::cancellation::handle();
    let serve = |mut client: Client, worker: usize| -> Option<Client> {
        while let Some(mut queued) = queue.take() {
            // After a signal, no new file.
            if cancel.is_cancelled() {
                break;
            }
            let job = &queued.job;
            // A failure that may pass: the same request may succeed a
            // moment later, in the same session while it lasts (a closed
            // one is reopened below).
            let log = crate::progress::RetryLines { verbose: false };
            let result = QUICK.run(cancel, &log, &label(job), |attempt| {
                // The last try in a new session: a worn-out one may
                // refuse every data connection (425).
                if attempt > 0 && attempt == QUICK.retries() {
                    if let Ok(fresh) = connect() {
                        remote::quit(std::mem::replace(&mut client, fresh));
                    }
                }
                work(&mut client, job).map_err(|mut e| {
                    e.transient &= !client.is_closed();
                    e
                })
            });
            match result {
                Ok(()) => files.one_done(),
                Err(e)
                    if client.is_closed()
                        && !queued.retried
                        && crate::interrupt::signalled().is_none() =>
                {
                    tracing::debug!("session {worker} closed ({}); reconnecting", e.message);
                    queued.retried = true;
                    queue.put_back(queued);
                    match connect() {
                        Ok(fresh) => client = fresh,
                        Err(e) => {
                            tracing::debug!("session {worker} not reopened: {e}");
                            return None;
                        }
                    }
                }
                Err(e) => {
                    files.one_done();
                    summary.fail(&label(job), e.message);
                }
            }
        }
        (!client.is_closed()).then_some(client)
    };
    let kept_first = std::thread::scope(|scope| {
        for worker in 1..sessions {
            let (serve, queue, kept) = (&serve, &queue, &kept);
            scope.spawn(move || {
                if !queue.wait_for(worker) {
                    return;
                }
                let client = match connect() {
                    Ok(client) => client,
                    Err(e) => {
                        tracing::debug!("session {worker} not opened ({e}); fewer sessions");
                        return;
                    }
                };
                if let Some(client) = serve(client, worker) {
                    let mut k = kept.lock().unwrap_or_else(|e| e.into_inner());
                    if k.is_none() {
                        *k = Some(client);
                    } else {
                        drop(k);
                        remote::quit(client);
                    }
                }
            });
        }
        // Closed however `produce` ends, so that no session waits forever.
        struct Closing<'q, J>(&'q Queue<J>);
        impl<J> Drop for Closing<'_, J> {
            fn drop(&mut self) {
                self.0.close();
            }
        }
        let closing = Closing(&queue);
        let mut first = first;
        let push = |group: usize, job: J| {
            files.add_total(1);
            queue.push(group, job);
        };
        produce(&mut first, &push);
        drop(closing);
        if first.is_closed() {
            None
        } else {
            serve(first, 0)
        }
    });
    // Jobs no session could take.
    for job in queue.drain() {
        summary.fail(&label(&job), "no session left to transfer it");
    }
    let other = kept.into_inner().unwrap_or_else(|e| e.into_inner());
    match (kept_first, other) {
        (Some(first), other) => {
            if let Some(other) = other {
                remote::quit(other);
            }
            Some(first)
        }
        (None, other) => other,
    }
}

// ---------------------------------------------------------------- download

/// A file to download.
struct Fetch {
    remote: Vec<u8>,
    local: PathBuf,
    /// `local`'s directory, absolute.
    temp_dir: Arc<Path>,
    /// Its directory was made by this run: nothing can be in the way but
    /// what appeared since.
    fresh: bool,
    size: Option<u64>,
    modified: Option<Modified>,
    /// `-u` and the local file has the same size and a time the listing's
    /// cannot place: the exact time decides, on the session that takes it.
    check: bool,
}

/// `cp -r ftp://… DST` and `mv -r`.
pub fn download_tree(
    op: &str,
    src: &FtpUrl,
    dst: &Path,
    config: &Config,
    options: TreeOptions,
) -> Result<(), Failure> {
    if options.follow_links && options.remove_source {
        return Err(Failure::usage(format!(
            "{op}: -L with a remote source: deleting through links would delete what they lead to"
        )));
    }
    let root = trim_slashes(src.path()).to_vec();
    if options.remove_source && is_root(&root) {
        return Err(Failure::usage(format!(
            "{op} {src}: refusing to move {}: it cannot be removed; copy it with cp -r",
            root_name(&root)
        )));
    }
    let summary = Summary::new(op);
    crate::interrupt::running(format!("{op} {src}"));
    let mut client = remote::connect(op, src, config)?;
    let fail_top = |e: &dyn std::fmt::Display| Failure::failed(format!("{op} {src}: {e}"));
    // As given: a path ending in '/' (or the login directory's empty one)
    // names a directory, and is never asked about as a file.
    let what = client.stat(src.path()).map_err(|e| fail_top(&e))?;
    if what.kind != Kind::Dir {
        return Err(Failure::usage(format!(
            "{op} {src}: not a directory; copy a file without -r"
        )));
    }
    // cp -r semantics: into DST/basename when DST is a directory.
    // The user's own DST may be a symbolic link to a directory (a backup
    // disk, say): that one is followed. Links inside the tree never are.
    let resolved;
    let dst = match (fs::symlink_metadata(dst), fs::metadata(dst)) {
        (Ok(link), Ok(meta)) if link.file_type().is_symlink() && meta.is_dir() => {
            resolved = fs::canonicalize(dst)
                .map_err(|e| Failure::failed(format!("{op} {src}: {}: {e}", dst.display())))?;
            resolved.as_path()
        }
        _ => dst,
    };
    let target = match fs::symlink_metadata(dst) {
        Ok(meta) if meta.is_dir() => {
            let base = root.rsplit(|&b| b == b'/').next().unwrap_or(b"");
            if base.is_empty() {
                dst.to_owned()
            } else {
                dst.join(names::local_component(base).map_err(|e| {
                    Failure::failed(format!("{op} {src}: the directory's name: {e}"))
                })?)
            }
        }
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(Failure::failed(format!(
                "{op} {src}: {} is a symbolic link; not writing through it",
                dst.display()
            )));
        }
        Ok(_) => {
            return Err(Failure::failed(format!(
                "{op} {src}: {} exists and is not a directory",
                dst.display()
            )));
        }
        Err(_) => dst.to_owned(),
    };
    let target_created = make_local_dir(&target)
        .map_err(|e| Failure::failed(format!("{op} {src}: {}: {e}", target.display())))?;
    // Temporary files are made beside their destination: through an
    // absolute directory, so that making one does not ask for the working
    // directory each time.
    let absolute = |dir: &Path| -> Arc<Path> {
        if dir.is_absolute() {
            Arc::from(dir)
        } else {
            std::env::current_dir()
                .map(|cwd| Arc::from(cwd.join(dir)))
                .unwrap_or_else(|_| Arc::from(dir))
        }
    };

    // The plan and the transfers at once: each directory's listing is
    // checked as a whole (names, collisions), its directories are made and
    // its files start while the next one is listed.
    let mut items: Vec<ftp_client::WalkEntry> = Vec::new();
    let mut remote_dirs = Vec::new();
    let mut created_dirs = Vec::new();
    let mut closed_while_listing = false;
    let update = options.update;
    let follow_links = options.follow_links;
    let connect = || remote::connect(op, src, config);
    let label = |job: &Fetch| shown(&job.remote);
    let work = |client: &mut Client, job: &Fetch| -> Result<(), JobError> {
        // Asked here, on the session that transfers the file, and only for
        // a file that is copied or that -u cannot judge without it.
        let modified = exact_time(client, &job.remote, job.modified);
        if job.check && still_current(job, modified.as_ref()) {
            summary.up_to_date.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        let bytes = fetch_file(client, job, modified)?;
        summary.done(bytes);
        Ok(())
    };
    let mut produce = |client: &mut Client, push: &dyn Fn(usize, Fetch)| {
        // Directories made by this run, whose files cannot be there yet.
        let mut fresh: HashSet<Vec<Vec<u8>>> = HashSet::new();
        if target_created {
            fresh.insert(Vec::new());
        }
        // Symbolic links followed (-L) whose listing has not come yet.
        let mut followed: HashSet<Vec<Vec<u8>>> = HashSet::new();
        let mut walk = client.walk_dirs(&root, WalkOptions::default());
        let mut group = 0;
        // Tries of the listing that failed last.
        let mut tries = 1;
        let mut listing_started = Instant::now();
        while let Some(listing) = walk.next() {
            group += 1;
            let listing = match listing {
                Ok(listing) => listing,
                // A transient refusal (such as Pure-FTPd's 425 when the
                // passive port it drew is in TIME_WAIT, likelier while
                // the other sessions transfer): the same listing again.
                Err(e)
                    if is_transient(&e)
                        && !walk.client().is_closed()
                        && QUICK.pause(tries, listing_started, crate::cancellation::handle()) =>
                {
                    tracing::debug!("{}: {e}; listing again", shown(&root));
                    tries += 1;
                    walk.retry();
                    continue;
                }
                Err(e) => {
                    (tries, listing_started) = (1, Instant::now());
                    summary.fail(&shown(&root), e);
                    continue;
                }
            };
            (tries, listing_started) = (1, Instant::now());
            let dir_local = local_path(&target, &listing.relative);
            if followed.remove(&listing.relative) {
                match make_local_dir(&dir_local) {
                    Ok(true) => {
                        fresh.insert(listing.relative.clone());
                    }
                    Ok(false) => {}
                    Err(e) => {
                        summary.fail(&shown(&listing.path), e);
                        continue;
                    }
                }
            }
            let in_fresh = fresh.contains(&listing.relative);
            let temp_dir = absolute(&dir_local);
            let colliding = collisions(
                listing
                    .items
                    .iter()
                    .flatten()
                    .map(|f| (f.relative.as_slice(), f.entry.name.as_slice())),
            );
            for item in listing.items {
                let found = match item {
                    Ok(found) => found,
                    Err(e) => {
                        summary.fail(&shown(&root), e);
                        continue;
                    }
                };
                let name = shown(&found.path);
                if colliding.contains(&found.relative) {
                    summary.fail(
                        &name,
                        "its name collides with another entry's on a case-insensitive file system",
                    );
                    continue;
                }
                let local = local_path(&target, &found.relative);
                let mut kind = found.entry.kind.clone();
                let mut size = found.entry.size;
                let mut modified = found.entry.modified;
                if matches!(kind, Kind::Symlink { .. }) {
                    if !follow_links {
                        summary.skip(&name, "a symbolic link (use -L to follow)");
                        continue;
                    }
                    // What the link leads to, as the server resolves it.
                    match walk.client().resolve_link(&found.path) {
                        Ok(resolved) => {
                            kind = resolved.kind;
                            size = resolved.size;
                            modified = resolved.modified;
                        }
                        Err(e) => {
                            summary.fail(&name, format!("a symbolic link: {e}"));
                            continue;
                        }
                    }
                    if kind == Kind::Dir {
                        // Its local directory is made once its listing is
                        // in and accepted.
                        match walk.follow(&found) {
                            Ok(()) => {
                                followed.insert(found.relative.clone());
                            }
                            Err(e) => summary.fail(&name, e),
                        }
                        continue;
                    }
                }
                match kind {
                    Kind::Dir => match make_local_dir(&local) {
                        Ok(created) => {
                            if created {
                                fresh.insert(found.relative.clone());
                            }
                            if found.entry.is_dir() {
                                walk.descend(&found);
                            }
                            remote_dirs.push(found.path.clone());
                            created_dirs.push((local, modified));
                            if options.remove_source {
                                items.push(found);
                            }
                        }
                        Err(e) => summary.fail(&name, e),
                    },
                    Kind::File => {
                        let mut job = Fetch {
                            remote: found.path.clone(),
                            local,
                            temp_dir: temp_dir.clone(),
                            fresh: in_fresh,
                            size,
                            modified,
                            check: false,
                        };
                        let wanted = in_fresh || {
                            let existing = check_existing(&job, update, &summary);
                            job.check = existing == Some(Freshness::Unsure);
                            existing.is_some()
                        };
                        if wanted {
                            push(group, job);
                        }
                        if options.remove_source {
                            items.push(found);
                        }
                    }
                    Kind::Symlink { .. } => summary.skip(&name, "a symbolic link (not followed)"),
                    _ => summary.skip(&name, "not a regular file or directory"),
                }
            }
        }
        closed_while_listing = walk.client().is_closed();
    };
    let kept = run_pool(
        client,
        &connect,
        options.jobs,
        &summary,
        &label,
        &work,
        &mut produce,
    );
    // Interrupted: the cut transfers cleaned up after themselves.
    crate::interrupt::exit_if_interrupted();
    if closed_while_listing {
        summary.fail(&shown(&root), "the session closed while listing");
    }
    // Directory times last: writing files into them changed them.
    for (dir, modified) in created_dirs.iter().rev() {
        if let Some(time) = modified.and_then(|m| m.time.to_system_time()) {
            let _ = fs::File::open(dir).and_then(|d| d.set_modified(time));
        }
    }
    if options.remove_source {
        let clean = summary.failures() == 0 && summary.skipped.load(Ordering::Relaxed) == 0;
        match kept {
            Some(mut client) if clean => {
                remove_remote(&mut client, &items, &remote_dirs, &root, &summary);
                remote::quit(client);
            }
            _ => eprintln!("ftp-cli: {op} {src}: the source is kept: not every entry was copied"),
        }
    } else if let Some(client) = kept {
        remote::quit(client);
    }
    summary.finish()
}

/// For a file whose directory was there before the run: whether it is to
/// be downloaded (`Some`: `Unsure` when `-u` needs the exact time to
/// tell). A symbolic link or a non-file in the way is a failure (reported
/// here); with `-u`, a file up to date is counted and left.
fn check_existing(job: &Fetch, update: bool, summary: &Summary) -> Option<Freshness> {
    match fs::symlink_metadata(&job.local) {
        Ok(meta) if meta.file_type().is_symlink() => {
            summary.fail(
                &shown(&job.remote),
                format!(
                    "{} is a symbolic link; not writing through it",
                    job.local.display()
                ),
            );
            None
        }
        Ok(meta) if !meta.is_file() => {
            summary.fail(
                &shown(&job.remote),
                format!("{} exists and is not a file", job.local.display()),
            );
            None
        }
        Ok(meta) if update => {
            let seconds = meta.modified().ok().and_then(unix_seconds);
            match freshness(meta.len(), seconds, job.size, job.modified.as_ref()) {
                Freshness::Current => {
                    summary.up_to_date.fetch_add(1, Ordering::Relaxed);
                    None
                }
                other => Some(other),
            }
        }
        _ => Some(Freshness::Stale),
    }
}

/// For `-u` where the listing's time could not tell: whether the local
/// file is up to date with the source's `exact` time. Without an exact
/// time (no MDTM), a time within the listing's span counts as the same,
/// as the listing can say no more.
fn still_current(job: &Fetch, exact: Option<&Modified>) -> bool {
    let Ok(meta) = fs::symlink_metadata(&job.local) else {
        return false;
    };
    let seconds = meta.modified().ok().and_then(unix_seconds);
    meta.is_file() && freshness(meta.len(), seconds, job.size, exact) != Freshness::Stale
}

/// Downloads one file through a temporary file beside it, renamed into
/// place once complete and checked.
/// `modified` is the time the file gets: the exact one where it is known.
fn fetch_file(
    client: &mut Client,
    job: &Fetch,
    modified: Option<Modified>,
) -> Result<u64, JobError> {
    let name = job.local.file_name().unwrap_or_default();
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".part");
    // A new file gets the usual mode at once (the umask applies), rather
    // than through a second call.
    #[cfg(unix)]
    if job.fresh {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o644));
    }
    let mut temp = builder
        .tempfile_in(&*job.temp_dir)
        .map_err(|e| format!("cannot write to {}: {e}", job.temp_dir.display()))?;
    let _registered = crate::interrupt::Registered::new(temp.path());
    let mut download = client
        .retrieve_stream(&job.remote)
        .map_err(JobError::from)?;
    let announced = download.size_hint();
    // Its bytes count on the bar as they flow, and a signal cuts it.
    let moving = crate::progress::Shown::pooled(
        Transfer::new(
            shown(&job.remote),
            Direction::Download,
            announced.or(job.size),
            0,
            download.counter(),
        ),
        download.canceller(),
    );
    // Small files through a buffer: splice's pipe costs more to set up
    // than it saves below a few hundred KiB.
    if announced.or(job.size).is_some_and(|n| n < SPLICE_FROM) {
        download
            .copy_to_end(temp.as_file_mut())
            .map_err(JobError::from)?;
    } else {
        download
            .copy_to_file(temp.as_file_mut())
            .map_err(JobError::from)?;
    }
    let received = download.finish().map_err(JobError::from)?;
    moving.done();
    if let Some(expected) = announced.or(job.size).filter(|&n| n != received) {
        return Err(JobError::from(format!(
            "received {received} bytes but the server said {expected}"
        )));
    }
    if let Some(time) = modified.and_then(|m| m.time.to_system_time()) {
        temp.as_file()
            .set_modified(time)
            .map_err(|e| format!("setting the time: {e}"))?;
    }
    let temp = if job.fresh {
        // Nothing was there: the rename must not replace whatever (a
        // file, a symbolic link) appeared since. If something did, it is
        // handled as an existing file.
        match temp.persist_noclobber(&job.local) {
            Ok(_) => return Ok(received),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => e.file,
            Err(e) => {
                return Err(JobError::from(format!(
                    "cannot move into place: {}",
                    e.error
                )));
            }
        }
    } else {
        temp
    };
    if let Some(permissions) = remote::permissions_for(&job.local) {
        let _ = temp.as_file().set_permissions(permissions);
    }
    // Checked again just before the rename.
    match fs::symlink_metadata(&job.local) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(JobError::from(format!(
                "{} is a symbolic link; not writing through it",
                job.local.display()
            )));
        }
        Ok(meta) if !meta.is_file() => {
            return Err(JobError::from(format!(
                "{} exists and is not a file",
                job.local.display()
            )));
        }
        _ => {}
    }
    temp.persist(&job.local)
        .map_err(|e| format!("cannot move into place: {}", e.error))?;
    Ok(received)
}

/// Creates `dir` unless it is already a real directory (true: made now);
/// a symbolic link or a file there is an error.
fn make_local_dir(dir: &Path) -> std::io::Result<bool> {
    match fs::create_dir(dir) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let meta = fs::symlink_metadata(dir)?;
            if meta.file_type().is_symlink() {
                Err(std::io::Error::other(
                    "is a symbolic link; not writing through it",
                ))
            } else if meta.is_dir() {
                Ok(false)
            } else {
                Err(std::io::Error::other("exists and is not a directory"))
            }
        }
        Err(e) => Err(e),
    }
}

/// `target` joined with checked components.
fn local_path(target: &Path, relative: &[Vec<u8>]) -> PathBuf {
    let mut path = target.to_owned();
    for name in relative {
        // Every component passed the walk's check; converting again keeps
        // the one conversion in one place.
        match names::local_component(name) {
            Ok(component) => path.push(component),
            Err(_) => path.push("\u{fffd}invalid"),
        }
    }
    path
}

/// Names from the walk's root down to an entry.
type Relative = Vec<Vec<u8>>;

/// The relative paths whose last name collides with a sibling's, compared
/// as a case-insensitive file system would.
fn collisions<'a>(
    entries: impl Iterator<Item = (&'a [Vec<u8>], &'a [u8])>,
) -> HashSet<Vec<Vec<u8>>> {
    let mut seen: HashMap<(Relative, String), Vec<Relative>> = HashMap::new();
    for (relative, name) in entries {
        let parent = relative[..relative.len().saturating_sub(1)].to_vec();
        seen.entry((parent, collision_key(name)))
            .or_default()
            .push(relative.to_vec());
    }
    seen.into_values()
        .filter(|group| group.len() > 1)
        .flatten()
        .collect()
}

/// Whether a path (without trailing slashes) is the login directory (`""`)
/// or the root (`/`): a directory that a tree operation may empty with
/// `--force` but never remove.
fn is_root(path: &[u8]) -> bool {
    path.iter().all(|&b| b == b'/')
}

/// How messages name [`is_root`] paths.
fn root_name(path: &[u8]) -> &'static str {
    if path.is_empty() {
        "the login directory"
    } else {
        "the root directory"
    }
}

fn trim_slashes(path: &[u8]) -> &[u8] {
    let mut path = path;
    while path.len() > 1 && path.ends_with(b"/") {
        path = &path[..path.len() - 1];
    }
    path
}

/// `mv -r` after a complete download: deletes exactly the files and
/// directories the plan copied, deepest first, then the root.
fn remove_remote(
    client: &mut Client,
    items: &[ftp_client::WalkEntry],
    dirs: &[Vec<u8>],
    root: &[u8],
    summary: &Summary,
) {
    let dirs: HashSet<&Vec<u8>> = dirs.iter().collect();
    for found in items.iter().rev() {
        let result = if found.entry.is_dir() {
            if !dirs.contains(&found.path) {
                continue;
            }
            client.rmdir(&found.path)
        } else {
            client.delete(&found.path)
        };
        if let Err(e) = result {
            summary.fail(&format!("deleting {}", shown(&found.path)), e);
        }
    }
    if let Err(e) = client.rmdir(root) {
        summary.fail(&format!("deleting {}", shown(root)), e);
    }
}

// ---------------------------------------------------------------- upload

/// A file to upload.
struct Put {
    local: PathBuf,
    remote: Vec<u8>,
    len: u64,
    modified: Option<i64>,
    /// What the remote directory listed under this name before, if it
    /// existed.
    existing: Option<Entry>,
}

/// The local tree, walked without following links unless asked.
struct LocalTree {
    dirs: Vec<(PathBuf, Vec<u8>)>,
    files: Vec<Put>,
}

const MAX_DEPTH: usize = 256;
const MAX_ENTRIES: usize = 1_000_000;

fn walk_local(root: &Path, remote_root: &[u8], follow: bool, summary: &Summary) -> LocalTree {
    let mut tree = LocalTree {
        dirs: Vec::new(),
        files: Vec::new(),
    };
    // The directories from the root down to the one being read: a link
    // back to one of them is a loop (a second link to a directory copied
    // elsewhere is not).
    let root_id = fs::metadata(root).ok().and_then(|m| dev_ino(&m));
    let mut stack = vec![(
        root.to_owned(),
        remote_root.to_vec(),
        0usize,
        root_id.into_iter().collect::<Vec<_>>(),
    )];
    let mut count = 0usize;
    while let Some((dir, remote, depth, ancestors)) = stack.pop() {
        let read = match fs::read_dir(&dir) {
            Ok(read) => read,
            Err(e) => {
                summary.fail(&dir.display().to_string(), e);
                continue;
            }
        };
        let mut children = Vec::new();
        for entry in read {
            match entry {
                Ok(entry) => children.push(entry),
                Err(e) => summary.fail(&dir.display().to_string(), e),
            }
        }
        children.sort_by_key(|e| e.file_name());
        let mut keys: HashMap<String, usize> = HashMap::new();
        for child in &children {
            let name = location::os_bytes(&child.file_name()).into_owned();
            *keys.entry(collision_key(&name)).or_default() += 1;
        }
        let mut subdirs = Vec::new();
        for child in children {
            let path = child.path();
            let shown_path = path.display().to_string();
            let name = location::os_bytes(&child.file_name()).into_owned();
            let name = match names::remote_component(&name) {
                Ok(name) => name.to_vec(),
                Err(e) => {
                    summary.fail(&shown_path, e);
                    continue;
                }
            };
            if keys.get(&collision_key(&name)).is_some_and(|&n| n > 1) {
                summary.fail(
                    &shown_path,
                    "its name collides with another's on a case-insensitive file system",
                );
                continue;
            }
            count += 1;
            if count > MAX_ENTRIES {
                summary.fail(&shown_path, format!("more than {MAX_ENTRIES} entries"));
                return tree;
            }
            let Ok(mut meta) = fs::symlink_metadata(&path) else {
                summary.fail(&shown_path, "cannot read its metadata");
                continue;
            };
            if meta.file_type().is_symlink() {
                if !follow {
                    summary.skip(&shown_path, "a symbolic link (use -L to follow)");
                    continue;
                }
                match fs::metadata(&path) {
                    Ok(target) => meta = target,
                    Err(e) => {
                        summary.fail(&shown_path, format!("a broken symbolic link: {e}"));
                        continue;
                    }
                }
            }
            let mut remote_path = remote.clone();
            if !remote_path.is_empty() && !remote_path.ends_with(b"/") {
                remote_path.push(b'/');
            }
            remote_path.extend_from_slice(&name);
            if meta.is_dir() {
                let id = dev_ino(&meta);
                if id.is_some_and(|id| ancestors.contains(&id)) {
                    summary.fail(
                        &shown_path,
                        "a link to a directory it is in: already visited (a link loop)",
                    );
                    continue;
                }
                if depth + 1 >= MAX_DEPTH {
                    summary.fail(&shown_path, format!("deeper than {MAX_DEPTH} levels"));
                    continue;
                }
                tree.dirs.push((path.clone(), remote_path.clone()));
                let mut below = ancestors.clone();
                below.extend(id);
                subdirs.push((path, remote_path, depth + 1, below));
            } else if meta.is_file() {
                tree.files.push(Put {
                    local: path,
                    remote: remote_path,
                    len: meta.len(),
                    modified: meta.modified().ok().and_then(unix_seconds),
                    existing: None,
                });
            } else {
                summary.skip(&shown_path, "not a regular file or directory");
            }
        }
        // Depth first, in name order.
        stack.extend(subdirs.into_iter().rev());
    }
    tree
}

/// What identifies a directory whatever the path to it; `None` where the
/// platform does not say (then only the depth limit stops a link loop).
#[cfg(unix)]
fn dev_ino(meta: &fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn dev_ino(_meta: &fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// `cp -r DIR ftp://…` and `mv -r`.
pub fn upload_tree(
    op: &str,
    src: &Path,
    dst: &FtpUrl,
    config: &Config,
    options: TreeOptions,
) -> Result<(), Failure> {
    let summary = Summary::new(op);
    crate::interrupt::running(format!("{op} {}", src.display()));
    let shown_src = src.display().to_string();
    let meta = fs::metadata(src).map_err(|e| Failure::failed(format!("{op} {shown_src}: {e}")))?;
    if !meta.is_dir() {
        return Err(Failure::usage(format!(
            "{op} {shown_src}: not a directory; copy a file without -r"
        )));
    }
    let mut client = remote::connect(op, dst, config)?;
    let fail_top = |e: &dyn std::fmt::Display| Failure::failed(format!("{op} {dst}: {e}"));
    let dst_path = trim_slashes(dst.path()).to_vec();
    // cp -r semantics: into DST/basename when DST is a directory. Asked
    // as given: a path ending in '/' is never taken for a file.
    let existing_dst = if dst_path.is_empty() {
        Some(Kind::Dir)
    } else {
        match client.stat(dst.path()) {
            Ok(entry) => Some(entry.kind),
            Err(e) if e.code() == Some(550) => None,
            Err(e) => return Err(fail_top(&e)),
        }
    };
    let root = match existing_dst {
        Some(Kind::Dir) => {
            let base = src
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| location::os_bytes(n).into_owned()))
                .ok_or_else(|| {
                    Failure::usage(format!("{op} {shown_src}: no directory name to copy as"))
                })?;
            let base = names::remote_component(&base)
                .map_err(|e| Failure::failed(format!("{op} {shown_src}: its name: {e}")))?;
            let mut root = dst_path.clone();
            if !root.is_empty() {
                root.push(b'/');
            }
            root.extend_from_slice(base);
            root
        }
        Some(_) => {
            return Err(Failure::failed(format!(
                "{op} {dst}: exists and is not a directory"
            )));
        }
        None => dst_path.clone(),
    };
    let mut tree = walk_local(src, &root, options.follow_links, &summary);
    let mfmt = client.supports("MFMT").unwrap_or(false);
    if !mfmt {
        // Nothing else sets a remote file's time: a two-argument MDTM,
        // which some servers take for that, is a file name to others.
        tracing::debug!(
            "the server has no MFMT: uploaded files keep the time the server wrote them, not the local files' times"
        );
    }
    let sources: Vec<PathBuf> = tree.files.iter().map(|f| f.local.clone()).collect();
    // The files of each remote directory, to start once it is made.
    let mut by_dir: HashMap<Vec<u8>, Vec<Put>> = HashMap::new();
    for file in std::mem::take(&mut tree.files) {
        let parent = match file.remote.iter().rposition(|&b| b == b'/') {
            Some(i) => file.remote[..i].to_vec(),
            None => Vec::new(),
        };
        by_dir.entry(parent).or_default().push(file);
    }
    let all_dirs: Vec<Vec<u8>> = std::iter::once(root.clone())
        .chain(tree.dirs.iter().map(|(_, r)| r.clone()))
        .collect();

    let connect = || remote::connect(op, dst, config);
    let label = |job: &Put| job.local.display().to_string();
    let update = options.update;
    let remove_source = options.remove_source;
    let work = |client: &mut Client, job: &Put| -> Result<(), JobError> {
        match put_file(client, job, update, mfmt, remove_source)? {
            Some(bytes) => summary.done(bytes),
            None => {
                summary.up_to_date.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(())
    };
    // The remote directories, parents first; each one's files start as
    // soon as it is there.
    let mut produce = |client: &mut Client, push: &dyn Fn(usize, Put)| {
        let mut failed_dirs: Vec<Vec<u8>> = Vec::new();
        for (group, dir) in all_dirs.iter().enumerate() {
            if failed_dirs.iter().any(|f| is_under(dir, f)) {
                continue;
            }
            // MKD fails where the directory exists: then its listing says
            // which files are there already (for -u, and to replace
            // safely).
            let mut existing = None;
            if let Err(mkdir_error) = client.mkdir(dir) {
                // A failure of the listing that may pass: once more, twice.
                let (started, mut retry) = (Instant::now(), 1);
                let listed = loop {
                    match client.entries(dir) {
                        Err(e)
                            if is_transient(&e)
                                && !client.is_closed()
                                && QUICK.pause(retry, started, crate::cancellation::handle()) =>
                        {
                            retry += 1;
                        }
                        listed => break listed,
                    }
                };
                match listed {
                    Ok(entries) => existing = Some(entries),
                    Err(_) => {
                        summary.fail(&shown(dir), mkdir_error);
                        failed_dirs.push(dir.clone());
                        continue;
                    }
                }
            }
            for mut file in by_dir.remove(dir).unwrap_or_default() {
                if let Some(entries) = &existing {
                    let name = file.remote.rsplit(|&b| b == b'/').next().unwrap_or(b"");
                    file.existing = entries.iter().find(|e| e.name == name).cloned();
                }
                push(group, file);
            }
        }
    };
    let kept = run_pool(
        client,
        &connect,
        options.jobs,
        &summary,
        &label,
        &work,
        &mut produce,
    );
    // Interrupted: the cut transfers cleaned up after themselves.
    crate::interrupt::exit_if_interrupted();
    if let Some(client) = kept {
        remote::quit(client);
    }
    if options.remove_source {
        if summary.failures() == 0 && summary.skipped.load(Ordering::Relaxed) == 0 {
            for file in &sources {
                if let Err(e) = fs::remove_file(file) {
                    summary.fail(&format!("deleting {}", file.display()), e);
                }
            }
            for (dir, _) in tree.dirs.iter().rev() {
                if let Err(e) = fs::remove_dir(dir) {
                    summary.fail(&format!("deleting {}", dir.display()), e);
                }
            }
            if let Err(e) = fs::remove_dir(src) {
                summary.fail(&format!("deleting {shown_src}"), e);
            }
        } else {
            eprintln!("ftp-cli: {op} {shown_src}: the source is kept: not every entry was copied");
        }
    }
    summary.finish()
}

/// For `-u` on upload, a remote file of the same size: whether it is as
/// new as the local file or newer. The listing's time decides where its
/// precision can; where it cannot (a `LIST` time within a day or a minute
/// of the local one, or none), the exact time (MDTM) does, on this session.
fn remote_current(client: &mut Client, job: &Put, existing: &Entry) -> bool {
    let Some(local) = job.modified else {
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
    match exact_time(client, &job.remote, listed) {
        Some(m) if m.is_exact() => m.compare_unix(local) != Comparison::After,
        // No exact time: the same as far as the listing can tell.
        Some(_) => true,
        None => false,
    }
}

fn is_under(path: &[u8], dir: &[u8]) -> bool {
    path == dir || (path.starts_with(dir) && path.get(dir.len()) == Some(&b'/'))
}

/// Uploads one file: a new one straight to its name, an existing one
/// through a temporary name renamed over it; then its time (MFMT).
fn put_file(
    client: &mut Client,
    job: &Put,
    update: bool,
    mfmt: bool,
    confirm: bool,
) -> Result<Option<u64>, JobError> {
    if let Some(existing) = &job.existing {
        if existing.is_dir() {
            return Err(JobError::from(format!(
                "{} is a directory on the server",
                shown(&job.remote)
            )));
        }
        if update && existing.size == Some(job.len) && remote_current(client, job, existing) {
            return Ok(None);
        }
    }
    let mut file = fs::File::open(&job.local).map_err(|e| JobError::from(e.to_string()))?;
    let replacing = job.existing.is_some();
    if replacing {
        let perm = job.existing.as_ref().and_then(|e| e.perm.as_deref());
        remote::check_rename_allowed(client, &job.remote, perm).map_err(|e| {
            format!("cannot replace the existing file safely, since the server refuses to rename it ({e})")
        })?;
    }
    let upload_path = if replacing {
        ftp_client::engine::temporary_name(&job.remote)
    } else {
        job.remote.clone()
    };
    let sent = match client.store_stream(&upload_path).and_then(|mut upload| {
        let moving = crate::progress::Shown::pooled(
            Transfer::new(
                shown(&job.remote),
                Direction::Upload,
                Some(job.len),
                0,
                upload.counter(),
            ),
            upload.canceller(),
        );
        let sent = upload
            .copy_from_file(&mut file)
            .and_then(|_| upload.finish());
        moving.finish(&sent);
        sent
    }) {
        Ok(sent) => sent,
        Err(e) => {
            // Also after a signal, within a second.
            remote::delete_partial_upload(client, &upload_path);
            return Err(JobError::from(e));
        }
    };
    if sent != job.len {
        let _ = client.delete(&upload_path);
        return Err(JobError::from(format!(
            "sent {sent} bytes but the file has {}; did it change during the upload?",
            job.len
        )));
    }
    if confirm {
        match client.size(&upload_path) {
            Ok(size) if size != sent => {
                if replacing {
                    let _ = client.delete(&upload_path);
                }
                return Err(JobError::from(format!(
                    "sent {sent} bytes but the server reports {size}; source kept"
                )));
            }
            Err(e) if e.code().is_none_or(|c| c < 500) => return Err(JobError::from(e)),
            _ => {}
        }
    }
    if replacing {
        if let Err(e) = client.rename(&upload_path, &job.remote) {
            let _ = client.delete(&upload_path);
            return Err(JobError::from(e));
        }
    }
    if mfmt {
        if let Some(time) = job.modified.and_then(Timestamp::from_unix) {
            if let Err(e) = client.set_modified(&job.remote, time) {
                tracing::debug!("MFMT {}: {e}", shown(&job.remote));
            }
        }
    }
    Ok(Some(sent))
}

// ---------------------------------------------------------------- rm -r

/// `rm -r URL`: deletes depth first exactly the entries the listings named
/// and the name check accepted; `--dry-run` prints them instead.
pub fn remove_tree(
    url: &FtpUrl,
    config: &Config,
    force: bool,
    dry_run: bool,
) -> Result<(), Failure> {
    let op = "rm -r";
    let path = trim_slashes(url.path()).to_vec();
    let is_root = is_root(&path);
    if is_root && !force {
        return Err(Failure::usage(format!(
            "{op} {url}: refusing to delete {} without --force",
            root_name(&path)
        )));
    }
    let summary = Summary::new(op);
    crate::interrupt::running(format!("{op} {url}"));
    let mut client = remote::connect(op, url, config)?;
    let fail_top = |e: &dyn std::fmt::Display| Failure::failed(format!("{op} {url}: {e}"));
    // With --force, the login (or root) directory is emptied; itself is
    // never removed (below), and a path ending in '/' is never taken for
    // a file.
    let what = client.stat(url.path()).map_err(|e| fail_top(&e))?;
    if what.kind != Kind::Dir {
        return Err(Failure::usage(format!(
            "{op} {url}: not a directory; delete a file without -r"
        )));
    }
    let mut items = Vec::new();
    for item in client.walk_with(&path, WalkOptions::default()) {
        match item {
            Ok(found) => items.push(found),
            Err(e) => summary.fail(&shown(&path), e),
        }
    }
    if client.is_closed() {
        return Err(fail_top(&"the session closed while listing"));
    }
    let mut dirs = 0u64;
    let mut out = std::io::stdout().lock();
    // Reversed pre-order: every directory after everything under it.
    for found in items.iter().rev() {
        // Nothing half done to clean up: out at once.
        crate::interrupt::exit_if_interrupted();
        let shown_path = shown(&found.path);
        if dry_run {
            let what = if found.entry.is_dir() {
                "directory"
            } else {
                "file"
            };
            let _ = std::io::Write::write_all(
                &mut out,
                format!("would delete {what} {shown_path}\n").as_bytes(),
            );
            continue;
        }
        let result = if found.entry.is_dir() {
            client.rmdir(&found.path).map(|()| dirs += 1)
        } else {
            client
                .delete(&found.path)
                .map(|()| summary.done(found.entry.size.unwrap_or(0)))
        };
        if let Err(e) = result {
            summary.fail(&shown_path, e);
            if client.is_closed() {
                break;
            }
        }
    }
    if !is_root {
        if dry_run {
            let _ = std::io::Write::write_all(
                &mut out,
                format!("would delete directory {}\n", shown(&path)).as_bytes(),
            );
        } else if let Err(e) = client.rmdir(&path) {
            summary.fail(&shown(&path), e);
        } else {
            dirs += 1;
        }
    }
    remote::quit(client);
    let mut line = format!(
        "{op}: {} files and {dirs} directories deleted, {} failures",
        summary.files.load(Ordering::Relaxed),
        summary.failures()
    );
    if dry_run {
        line = format!(
            "{op}: dry run, nothing deleted, {} failures",
            summary.failures()
        );
    }
    if summary.failures() > 0 {
        Err(Failure::failed(line))
    } else {
        eprintln!("ftp-cli: {line}");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ftp_client::{Precision, Zone};

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

    #[test]
    fn collisions_are_per_directory_and_case_insensitive() {
        let rel = |parts: &[&str]| -> Vec<Vec<u8>> {
            parts.iter().map(|p| p.as_bytes().to_vec()).collect()
        };
        let entries = [
            rel(&["a", "README"]),
            rel(&["a", "readme"]),
            rel(&["b", "README"]),
            rel(&["a", "other"]),
        ];
        let found = collisions(
            entries
                .iter()
                .map(|r| (r.as_slice(), r.last().unwrap().as_slice())),
        );
        assert_eq!(found.len(), 2);
        assert!(found.contains(&rel(&["a", "README"])));
        assert!(found.contains(&rel(&["a", "readme"])));
    }

    #[test]
    fn the_queue_hands_out_directories_in_turn() {
        let queue = Queue::new();
        for (group, job) in [
            (1, "a1"),
            (1, "a2"),
            (1, "a3"),
            (2, "b1"),
            (3, "c1"),
            (3, "c2"),
        ] {
            queue.push(group, job);
        }
        let mut taken = Vec::new();
        for _ in 0..4 {
            taken.push(queue.take().unwrap().job);
        }
        assert_eq!(taken, ["a1", "b1", "c1", "a2"]);
        // A job put back comes first.
        queue.put_back(Queued {
            job: "b1",
            retried: true,
        });
        let again = queue.take().unwrap();
        assert_eq!((again.job, again.retried), ("b1", true));
        assert!(queue.wait_for(6), "six were added");
        queue.close();
        assert!(!queue.wait_for(7), "closed with six");
        assert_eq!(queue.drain(), ["c2", "a3"]);
        assert!(queue.take().is_none(), "closed and empty");
    }

    #[test]
    fn paths_under_a_directory() {
        assert!(is_under(b"a/b", b"a"));
        assert!(is_under(b"a", b"a"));
        assert!(!is_under(b"ab", b"a"));
        assert_eq!(trim_slashes(b"top//"), b"top");
        assert_eq!(trim_slashes(b"/"), b"/");
    }
}
