//! [`TreeDownload`]: a remote tree copied (or moved) to a local directory.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::fresh::{Freshness, exact_time, exact_times, freshness, unix_seconds};
use super::local::{collisions, local_component, local_path, make_local_dir};
use super::pool::{JobError, Pool, QUICK};
use super::{
    Connect, Planned, Tally, TreeError, TreeOptions, TreeSummary, is_root, quit, root_name, shown,
    trim_slashes,
};
use crate::engine::{Cancel, Direction, FileDownload, Outcome, Progress, Transfer, is_transient};
use crate::{Client, DirWalk, Kind, Modified, RateLimits, WalkEntry, WalkOptions};

/// Files at least this large are downloaded with splice.
const SPLICE_FROM: u64 = 256 * 1024;

/// A remote directory downloaded into a local one, as `cp -r` does: into
/// `LOCAL/NAME` when `LOCAL` is an existing directory (the user's own
/// `LOCAL` may be a symbolic link to one; links inside the tree are never
/// followed unless asked), into `LOCAL` itself otherwise. Each file goes
/// through a temporary file beside its destination, renamed into place
/// once complete and checked, with the server's time; directories get
/// theirs once their files are in. A local symbolic link or a non-file
/// where a file goes is a failure, never written through.
///
/// With [`TreeOptions::remove_source`] (a move), the remote files and
/// directories copied are deleted once every entry was copied.
///
/// ```no_run
/// use ftp_client::engine::{Cancel, TreeDownload, TreeOptions};
/// use ftp_client::{Client, Config, FtpUrl};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let url = FtpUrl::parse("ftp://demo:password@127.0.0.1:2121/")?;
/// let connect = || Client::connect_url(&url, Config::default());
/// let summary = TreeDownload::new("site", "mirror")
///     .options(TreeOptions::default().jobs(2).update(true))
///     .run(&connect, &(), &Cancel::new())?;
/// println!("{} files, {} bytes, {} up to date", summary.files, summary.bytes, summary.up_to_date);
/// for failure in &summary.failures {
///     eprintln!("{}: {}", failure.what, failure.error);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct TreeDownload {
    remote: Vec<u8>,
    local: PathBuf,
    options: TreeOptions,
    limits: RateLimits,
}

/// A file to download.
pub(super) struct Fetch {
    pub(super) remote: Vec<u8>,
    pub(super) local: PathBuf,
    /// `local`'s directory, absolute.
    pub(super) temp_dir: Arc<Path>,
    /// Its directory was made by this run: nothing can be in the way but
    /// what appeared since.
    pub(super) fresh: bool,
    pub(super) size: Option<u64>,
    pub(super) modified: Option<Modified>,
    /// An update where the local file has the same size and a time the
    /// listing's cannot place: the exact time decides, on the session
    /// that takes it.
    pub(super) check: bool,
    /// `modified` is as exact as the server can tell: MDTM was asked
    /// already (with the directory's other files), or is not to be.
    pub(super) timed: bool,
}

impl TreeDownload {
    /// The remote directory `remote` (a path as the server reads it; the
    /// login directory when empty) to the local `local`, with the default
    /// [`TreeOptions`].
    pub fn new(remote: impl AsRef<[u8]>, local: impl Into<PathBuf>) -> Self {
        TreeDownload {
            remote: remote.as_ref().to_vec(),
            local: local.into(),
            options: TreeOptions::default(),
            limits: RateLimits::default(),
        }
    }

    /// How the tree is copied.
    pub fn options(mut self, options: TreeOptions) -> Self {
        self.options = options;
        self
    }

    /// What each file's transfer is held to: its own rate, and a total
    /// shared by all the sessions (see [`RateLimits`]).
    pub fn limits(mut self, limits: RateLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Downloads over sessions opened by `connect`, reporting to
    /// `progress`, stopping when `cancel` fires (then the summary says
    /// [`TreeSummary::cancelled`], and the transfers cut have removed
    /// their temporary files).
    pub fn run(
        &self,
        connect: &Connect<'_>,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> Result<TreeSummary, TreeError> {
        let root = trim_slashes(&self.remote).to_vec();
        if self.options.follow_links && self.options.remove_source {
            return Err(TreeError::FollowWithMove);
        }
        if self.options.remove_source && is_root(&root) {
            return Err(TreeError::MoveRoot(root_name(&root)));
        }
        let mut client = connect().map_err(TreeError::Connect)?;
        // As given: a path ending in '/' (or the login directory's empty
        // one) names a directory, and is never asked about as a file.
        let what = client.stat(&self.remote).map_err(TreeError::Remote)?;
        if what.kind != Kind::Dir {
            return Err(TreeError::NotADirectory);
        }
        let target = self.target(&root)?;
        let created = make_local_dir(&target)
            .map_err(|e| TreeError::Local(format!("{}: {e}", target.display())))?;
        let tally = Tally::new(progress)
            .limited(&self.limits)
            .segmented(self.options.segments, self.options.segment_threshold);
        let mut planner = Planner::new(self, &root, &target, &tally, cancel, created);
        let kept = planner.transfer(client, connect);
        let mut summary = planner.finish(kept);
        summary.cancelled = cancel.is_cancelled();
        Ok(summary)
    }

    /// Where the tree goes: into `LOCAL/NAME` when `LOCAL` is a directory.
    fn target(&self, root: &[u8]) -> Result<PathBuf, TreeError> {
        let dst = self.local.as_path();
        let resolved = match (fs::symlink_metadata(dst), fs::metadata(dst)) {
            (Ok(link), Ok(meta)) if link.file_type().is_symlink() && meta.is_dir() => {
                fs::canonicalize(dst)
                    .map_err(|e| TreeError::Local(format!("{}: {e}", dst.display())))?
            }
            _ => dst.to_owned(),
        };
        match fs::symlink_metadata(&resolved) {
            Ok(meta) if meta.is_dir() => {
                let base = root.rsplit(|&b| b == b'/').next().unwrap_or(b"");
                if base.is_empty() {
                    return Ok(resolved);
                }
                let name = local_component(base)
                    .map_err(|e| TreeError::Local(format!("the directory's name: {e}")))?;
                Ok(resolved.join(name))
            }
            Ok(meta) if meta.file_type().is_symlink() => Err(TreeError::Local(format!(
                "{} is a symbolic link; not writing through it",
                resolved.display()
            ))),
            Ok(_) => Err(TreeError::Local(format!(
                "{} exists and is not a directory",
                resolved.display()
            ))),
            Err(_) => Ok(resolved),
        }
    }
}

/// Names from the walk's root down to an entry.
type Relative = Vec<Vec<u8>>;

/// The plan of a download as it is made, listing by listing, and the
/// transfers it starts.
struct Planner<'a> {
    job: &'a TreeDownload,
    root: &'a [u8],
    target: &'a Path,
    tally: &'a Tally<'a>,
    cancel: &'a Cancel,
    /// Directories made by this run, whose files cannot be there yet.
    fresh: HashSet<Relative>,
    /// Symbolic links followed whose listing has not come yet.
    followed: HashSet<Relative>,
    /// What a move deletes once everything is copied.
    items: Vec<WalkEntry>,
    remote_dirs: Vec<Vec<u8>>,
    /// Local directories made or found, with the time they get last.
    created_dirs: Vec<(PathBuf, Option<Modified>)>,
    closed_while_listing: bool,
}

impl<'a> Planner<'a> {
    fn new(
        job: &'a TreeDownload,
        root: &'a [u8],
        target: &'a Path,
        tally: &'a Tally<'a>,
        cancel: &'a Cancel,
        target_created: bool,
    ) -> Self {
        let mut fresh = HashSet::new();
        if target_created {
            fresh.insert(Vec::new());
        }
        Planner {
            job,
            root,
            target,
            tally,
            cancel,
            fresh,
            followed: HashSet::new(),
            items: Vec::new(),
            remote_dirs: Vec::new(),
            created_dirs: Vec::new(),
            closed_while_listing: false,
        }
    }

    /// The plan and the transfers at once: each directory's listing is
    /// checked as a whole (names, collisions), its directories are made
    /// and its files start while the next one is listed.
    fn transfer(&mut self, client: Client, connect: &Connect<'_>) -> Option<Client> {
        let (tally, cancel) = (self.tally, self.cancel);
        let label = |job: &Fetch| shown(&job.remote);
        let work = |client: &mut Client, job: &Fetch| -> Result<(), JobError> {
            // Asked here, on the session that transfers the file, and only
            // for a file that is copied or that an update cannot judge
            // without it.
            let modified = if job.timed {
                job.modified
            } else {
                exact_time(client, &job.remote, job.modified)
            };
            if job.check && still_current(job, modified.as_ref()) {
                tally.current(&shown(&job.remote));
                return Ok(());
            }
            let bytes = if self.job.options.verify {
                fetch_verified(client, job, tally, cancel)?
            } else {
                fetch_file(client, connect, job, modified, tally, cancel)?
            };
            tally.copied(&shown(&job.remote), bytes);
            Ok(())
        };
        let pool = Pool {
            connect,
            sessions: self.job.options.jobs,
            tally,
            cancel,
            label: &label,
            work: &work,
        };
        pool.run(client, &mut |client, push| self.produce(client, push))
    }

    /// Walks the remote tree, one listing at a time, a listing whose
    /// failure may pass listed again.
    fn produce(&mut self, client: &mut Client, push: &dyn Fn(usize, Fetch)) {
        let root = self.root;
        let mut walk = client.walk_dirs(root, WalkOptions::default());
        let mut group = 0;
        // Tries of the listing that failed last.
        let (mut tries, mut started) = (1, Instant::now());
        while let Some(listing) = walk.next() {
            group += 1;
            match listing {
                Ok(listing) => {
                    (tries, started) = (1, Instant::now());
                    self.listing(&mut walk, listing, group, push);
                }
                // A transient refusal (such as Pure-FTPd's 425 when the
                // passive port it drew is in TIME_WAIT, likelier while the
                // other sessions transfer): the same listing again.
                Err(e)
                    if is_transient(&e)
                        && !walk.client().is_closed()
                        && QUICK.pause(tries, started, self.cancel) =>
                {
                    tracing::debug!("{}: {e}; listing again", shown(root));
                    tries += 1;
                    walk.retry();
                }
                Err(e) => {
                    (tries, started) = (1, Instant::now());
                    self.tally.fail(&shown(root), e);
                }
            }
        }
        self.closed_while_listing = walk.client().is_closed();
    }

    /// One directory's listing: its entries checked, its directories made
    /// and its files queued.
    fn listing(
        &mut self,
        walk: &mut DirWalk<'_>,
        listing: crate::WalkDir,
        group: usize,
        push: &dyn Fn(usize, Fetch),
    ) {
        let dir_local = local_path(self.target, &listing.relative);
        if self.followed.remove(&listing.relative) {
            match make_local_dir(&dir_local) {
                Ok(true) => {
                    self.fresh.insert(listing.relative.clone());
                }
                Ok(false) => {}
                Err(e) => return self.tally.fail(&shown(&listing.path), e),
            }
        }
        let in_fresh = self.fresh.contains(&listing.relative);
        let temp_dir = absolute(&dir_local);
        let colliding = collisions(
            listing
                .items
                .iter()
                .flatten()
                .map(|f| (f.relative.as_slice(), f.entry.name.as_slice())),
        );
        let mut jobs = Vec::new();
        for item in listing.items {
            match item {
                Ok(found) if colliding.contains(&found.relative) => self.tally.fail(
                    &shown(&found.path),
                    "its name collides with another entry's on a case-insensitive file system",
                ),
                Ok(found) => jobs.extend(self.entry(walk, found, &temp_dir, in_fresh)),
                Err(e) => self.tally.fail(&shown(self.root), e),
            }
        }
        add_exact_times(walk.client(), &mut jobs);
        for job in jobs {
            push(group, job);
        }
    }

    /// One checked entry: a directory made, a file to download (`Some`),
    /// or left out.
    fn entry(
        &mut self,
        walk: &mut DirWalk<'_>,
        found: WalkEntry,
        temp_dir: &Arc<Path>,
        in_fresh: bool,
    ) -> Option<Fetch> {
        let name = shown(&found.path);
        let (mut kind, mut size, mut modified) = (
            found.entry.kind.clone(),
            found.entry.size,
            found.entry.modified,
        );
        if matches!(kind, Kind::Symlink { .. }) {
            if !self.job.options.follow_links {
                self.tally.skip(&name, "a symbolic link (use -L to follow)");
                return None;
            }
            // What the link leads to, as the server resolves it.
            match walk.client().resolve_link(&found.path) {
                Ok(resolved) => {
                    (kind, size, modified) = (resolved.kind, resolved.size, resolved.modified)
                }
                Err(e) => {
                    self.tally.fail(&name, format!("a symbolic link: {e}"));
                    return None;
                }
            }
            if kind == Kind::Dir {
                // Its local directory is made once its listing is in and
                // accepted.
                match walk.follow(&found) {
                    Ok(()) => {
                        self.followed.insert(found.relative.clone());
                    }
                    Err(e) => self.tally.fail(&name, e),
                }
                return None;
            }
        }
        let local = local_path(self.target, &found.relative);
        match kind {
            Kind::Dir => {
                self.directory(walk, found, local, modified);
                None
            }
            Kind::File => {
                let mut job = Fetch {
                    remote: found.path.clone(),
                    local,
                    temp_dir: temp_dir.clone(),
                    fresh: in_fresh,
                    size,
                    modified,
                    check: false,
                    timed: modified.is_some_and(|m| m.is_exact()),
                };
                let wanted = in_fresh || {
                    let existing = check_existing(&job, self.job.options.update, self.tally);
                    job.check = existing == Some(Freshness::Unsure);
                    existing.is_some()
                };
                if self.job.options.remove_source {
                    self.items.push(found);
                }
                wanted.then_some(job)
            }
            Kind::Symlink { .. } => {
                self.tally.skip(&name, "a symbolic link (not followed)");
                None
            }
            _ => {
                self.tally.skip(&name, "not a regular file or directory");
                None
            }
        }
    }

    /// A directory of the tree: made locally and walked.
    fn directory(
        &mut self,
        walk: &mut DirWalk<'_>,
        found: WalkEntry,
        local: PathBuf,
        modified: Option<Modified>,
    ) {
        match make_local_dir(&local) {
            Ok(created) => {
                if created {
                    self.fresh.insert(found.relative.clone());
                }
                if found.entry.is_dir() {
                    walk.descend(&found);
                }
                self.tally.tell(Planned::Directory {
                    what: &local.display().to_string(),
                });
                self.remote_dirs.push(found.path.clone());
                self.created_dirs.push((local, modified));
                if self.job.options.remove_source {
                    self.items.push(found);
                }
            }
            Err(e) => self.tally.fail(&shown(&found.path), e),
        }
    }

    /// After the transfers: directory times, then a move's deletions.
    fn finish(self, kept: Option<Client>) -> TreeSummary {
        let tally = self.tally;
        if self.cancel.is_cancelled() {
            return tally.summary();
        }
        if self.closed_while_listing {
            tally.fail(&shown(self.root), "the session closed while listing");
        }
        // Directory times last: writing files into them changed them.
        for (dir, modified) in self.created_dirs.iter().rev() {
            if let Some(time) = modified.and_then(|m| m.time.to_system_time()) {
                let _ = fs::File::open(dir).and_then(|d| d.set_modified(time));
            }
        }
        let mut source_kept = false;
        if self.job.options.remove_source {
            match kept {
                Some(mut client) if tally.clean() => {
                    remove_remote(
                        &mut client,
                        &self.items,
                        &self.remote_dirs,
                        self.root,
                        tally,
                    );
                    quit(client);
                }
                _ => {
                    source_kept = true;
                    tally.tell(Planned::SourceKept);
                }
            }
        } else if let Some(client) = kept {
            quit(client);
        }
        let mut summary = tally.summary();
        summary.source_kept = source_kept;
        summary
    }
}

/// `dir`, absolute: temporary files are made beside their destination
/// through it, so that making one does not ask for the working directory
/// each time.
pub(super) fn absolute(dir: &Path) -> Arc<Path> {
    if dir.is_absolute() {
        Arc::from(dir)
    } else {
        std::env::current_dir()
            .map(|cwd| Arc::from(cwd.join(dir)))
            .unwrap_or_else(|_| Arc::from(dir))
    }
}

/// The exact times of a directory's files to download whose listed times
/// are not (a `LIST` time, to the minute at best), asked together on the
/// listing's session before the files are queued: the sessions that
/// transfer them then ask nothing more. Where that fails, each asks its
/// own as before.
fn add_exact_times(client: &mut Client, jobs: &mut [Fetch]) {
    let asked: Vec<usize> = (0..jobs.len()).filter(|&i| !jobs[i].timed).collect();
    let paths: Vec<&[u8]> = asked.iter().map(|&i| jobs[i].remote.as_slice()).collect();
    let Some(times) = exact_times(client, &paths) else {
        return;
    };
    for (i, time) in asked.into_iter().zip(times) {
        let job = &mut jobs[i];
        job.timed = true;
        if time.is_some() {
            job.modified = time;
        }
    }
}

/// For a file whose directory was there before the run: whether it is to
/// be downloaded (`Some`: `Unsure` when an update needs the exact time to
/// tell). A symbolic link or a non-file in the way is a failure (reported
/// here); on update, a file up to date is counted and left.
fn check_existing(job: &Fetch, update: bool, tally: &Tally) -> Option<Freshness> {
    match fs::symlink_metadata(&job.local) {
        Ok(meta) if meta.file_type().is_symlink() => {
            tally.fail(
                &shown(&job.remote),
                format!(
                    "{} is a symbolic link; not writing through it",
                    job.local.display()
                ),
            );
            None
        }
        Ok(meta) if !meta.is_file() => {
            tally.fail(
                &shown(&job.remote),
                format!("{} exists and is not a file", job.local.display()),
            );
            None
        }
        Ok(meta) if update => {
            let seconds = meta.modified().ok().and_then(unix_seconds);
            match freshness(meta.len(), seconds, job.size, job.modified.as_ref()) {
                Freshness::Current => {
                    tally.current(&shown(&job.remote));
                    None
                }
                other => Some(other),
            }
        }
        _ => Some(Freshness::Stale),
    }
}

/// For an update where the listing's time could not tell: whether the
/// local file is up to date with the source's `exact` time. Without an
/// exact time (no MDTM), a time within the listing's span counts as the
/// same, as the listing can say no more.
fn still_current(job: &Fetch, exact: Option<&Modified>) -> bool {
    let Ok(meta) = fs::symlink_metadata(&job.local) else {
        return false;
    };
    let seconds = meta.modified().ok().and_then(unix_seconds);
    meta.is_file() && freshness(meta.len(), seconds, job.size, exact) != Freshness::Stale
}

/// A temporary file reported to the observer while it lives.
struct Temporary<'t> {
    tally: &'t Tally<'t>,
    path: PathBuf,
    kept: bool,
}

impl Drop for Temporary<'_> {
    fn drop(&mut self) {
        self.tally.tell(Planned::Temporary {
            path: &self.path,
            live: false,
            kept: self.kept,
        });
    }
}

/// Downloads one file through a temporary file beside it, renamed into
/// place once complete and checked. `modified` is the time the file gets:
/// the exact one where it is known.
pub(super) fn fetch_file(
    client: &mut Client,
    connect: &Connect<'_>,
    job: &Fetch,
    modified: Option<Modified>,
    tally: &Tally,
    cancel: &Cancel,
) -> Result<u64, JobError> {
    let (segments, threshold) = tally.segments;
    if segments > 1 && job.size.is_some_and(|size| size >= threshold) {
        return fetch_segmented(client, connect, job, modified, tally, cancel);
    }
    let mut temp = temporary(job)?;
    tally.tell(Planned::Temporary {
        path: temp.path(),
        live: true,
        kept: false,
    });
    let mut registered = Temporary {
        tally,
        path: temp.path().to_owned(),
        kept: false,
    };
    let received = receive(client, job, temp.as_file_mut(), tally, cancel)?;
    if let Some(time) = modified.and_then(|m| m.time.to_system_time()) {
        temp.as_file()
            .set_modified(time)
            .map_err(|e| format!("setting the time: {e}"))?;
    }
    let persisted = persist(job, temp);
    registered.kept = persisted.is_ok();
    persisted.map(|()| received)
}

/// A large file over several sessions
/// ([`SegmentedDownload`](crate::engine::SegmentedDownload)): its ranges
/// retried from where they stopped, the file renamed into place once all
/// are whole, then given `modified`.
fn fetch_segmented(
    client: &mut Client,
    connect: &Connect<'_>,
    job: &Fetch,
    modified: Option<Modified>,
    tally: &Tally,
    cancel: &Cancel,
) -> Result<u64, JobError> {
    let download = FileDownload::new(&job.remote, &job.local)
        .limits(tally.limits.clone())
        .label(shown(&job.remote));
    let done = crate::engine::SegmentedDownload::new(download, tally.segments.0)
        .retry(crate::engine::RetryPolicy::new(RANGE_RETRIES))
        .run(client, connect, tally.progress, cancel)
        .map_err(|e| JobError {
            transient: e.is_transient(),
            message: e.to_string(),
        })?;
    keep_listed_time(&job.local, modified);
    Ok(done.received)
}

/// How often a failed range of a tree's segmented download is tried
/// again (the pool retries a failed single-stream file itself).
const RANGE_RETRIES: u32 = 3;

/// A download checked against the server's digest as it streams: the
/// engine's [`FileDownload`] with `verify`; the bytes received.
pub(super) fn fetch_verified(
    client: &mut Client,
    job: &Fetch,
    tally: &Tally,
    cancel: &Cancel,
) -> Result<u64, JobError> {
    let done = FileDownload::new(&job.remote, &job.local)
        .keep_time(true)
        .verify(true)
        .limits(tally.limits.clone())
        .label(shown(&job.remote))
        .run(client, tally.progress, cancel)
        .map_err(|e| JobError {
            transient: e.is_transient(),
            message: e.to_string(),
        })?;
    tally.checked(done.verified.as_ref());
    if done.modified.is_none() {
        // No MDTM: the listing's time, as a copy without verify gets.
        keep_listed_time(&job.local, job.modified);
    }
    Ok(done.received)
}

/// Gives `path` the listing's time `modified`, where there is one.
fn keep_listed_time(path: &Path, modified: Option<Modified>) {
    if let Some(time) = modified.and_then(|m| m.time.to_system_time()) {
        let _ = fs::File::options()
            .write(true)
            .open(path)
            .and_then(|f| f.set_modified(time));
    }
}

/// The temporary file `.NAME.XXXXXX.part` beside the destination.
fn temporary(job: &Fetch) -> Result<tempfile::NamedTempFile, JobError> {
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
    builder
        .tempfile_in(&*job.temp_dir)
        .map_err(|e| JobError::from(format!("cannot write to {}: {e}", job.temp_dir.display())))
}

/// RETR into `file`, shown to `progress` and cut by `cancel`; the bytes
/// received, checked against the size the server announced or listed.
fn receive(
    client: &mut Client,
    job: &Fetch,
    file: &mut fs::File,
    tally: &Tally,
    cancel: &Cancel,
) -> Result<u64, JobError> {
    let progress = tally.progress;
    let mut download = client.retrieve_stream(&job.remote)?;
    download.limit(&tally.limits);
    let expected = download.size_hint().or(job.size);
    let transfer = Transfer::new(
        shown(&job.remote),
        Direction::Download,
        expected,
        0,
        download.counter(),
    );
    let _cut = cancel.cut_on_cancel(download.canceller());
    progress.started(&transfer);
    // Small files through a buffer: splice's pipe costs more to set up
    // than it saves below a few hundred KiB.
    let copied = if expected.is_some_and(|n| n < SPLICE_FROM) {
        download.copy_to_end(file)
    } else {
        download.copy_to_file(file)
    };
    let received = copied.and_then(|_| download.finish());
    let outcome = match received {
        Ok(_) => Outcome::Done,
        Err(_) => Outcome::Failed,
    };
    progress.finished(&transfer, outcome);
    let received = received?;
    if let Some(expected) = expected.filter(|&n| n != received) {
        return Err(JobError::from(format!(
            "received {received} bytes but the server said {expected}"
        )));
    }
    Ok(received)
}

/// Renames the complete temporary file onto the destination, never
/// through a symbolic link and never over a non-file.
fn persist(job: &Fetch, temp: tempfile::NamedTempFile) -> Result<(), JobError> {
    let temp = if job.fresh {
        // Nothing was there: the rename must not replace whatever (a file,
        // a symbolic link) appeared since. If something did, it is handled
        // as an existing file.
        match temp.persist_noclobber(&job.local) {
            Ok(_) => return Ok(()),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => e.file,
            Err(e) => return Err(format!("cannot move into place: {}", e.error).into()),
        }
    } else {
        temp
    };
    if let Some(permissions) = crate::engine::download::permissions_for(&job.local) {
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
    Ok(())
}

/// A move after a complete download: deletes exactly the files and
/// directories the plan copied, deepest first, then the root.
fn remove_remote(
    client: &mut Client,
    items: &[WalkEntry],
    dirs: &[Vec<u8>],
    root: &[u8],
    tally: &Tally,
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
            tally.fail(&format!("deleting {}", shown(&found.path)), e);
        }
    }
    if let Err(e) = client.rmdir(root) {
        tally.fail(&format!("deleting {}", shown(root)), e);
    }
}
