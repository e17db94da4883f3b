//! Trees: a remote directory downloaded ([`TreeDownload`]), a local one
//! uploaded ([`TreeUpload`]), either moved (copied, then the source
//! deleted once every entry was) or updated (only what is missing or
//! differs), and a remote one removed ([`TreeRemove`]).
//!
//! Each operation plans from the listings (one session walks the source
//! tree), then acts over a pool of up to [`TreeOptions::jobs`] sessions
//! (`pool.rs`): the files of a directory start as soon as its listing is in
//! and checked, not after the whole walk; a session the server refuses
//! (421, a refused connection) means fewer sessions, and a session that
//! dies is reopened once with its file put back. What is planned is data
//! ([`Planned`]): each file to copy or left out, with the reason, each
//! directory to make and each entry to delete, reported through
//! [`Progress::tree`] as it is decided; [`TreeRemove::plan`] returns the
//! whole plan as a value before anything is deleted.
//!
//! Every remote name reaches the local file system, and every local name
//! the server, only through [`local_component`] / [`remote_component`],
//! which refuse anything that is not exactly one path component; names
//! that collide on a case-insensitive file system are refused; symbolic
//! links are left out unless [`TreeOptions::follow_links`]; a walk has
//! depth and entry limits. A failed file is reported and the rest goes on;
//! the [`TreeSummary`] counts files, bytes and failures (each with its
//! path and one-line error).

mod download;
mod fresh;
mod local;
mod pool;
mod remove;
pub mod sync;
mod upload;

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

pub use download::TreeDownload;
pub use local::{collision_key, display_name, local_component, remote_component};
pub use remove::{Deletion, RemovePlan, TreeRemove};
pub use sync::{Action, Filter, Glob, Reason, SyncAction, SyncOptions, SyncPlan, TreeSync};
pub use upload::TreeUpload;

use super::{Leftover, Progress};
use crate::{Client, Error};

/// Parallel sessions by default: a small tree is latency-bound (each file
/// costs a passive-mode round trip, a connection and a final reply), and
/// four sessions hide most of that while staying under the per-address
/// limits servers commonly set. A server that refuses more gets fewer.
pub const DEFAULT_JOBS: usize = 4;

/// The most sessions a tree operation opens.
pub const MAX_JOBS: usize = 16;

/// How a tree is copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TreeOptions {
    /// Copy only files that are missing or differ (size, or an older
    /// time, compared at the precision the listing's time has, the exact
    /// time asked (MDTM) where that precision cannot tell).
    pub update: bool,
    /// Sessions in parallel, 1 to [`MAX_JOBS`].
    pub jobs: usize,
    /// Follow symbolic links (the server's on download, local ones on
    /// upload); never with [`TreeOptions::remove_source`] on download.
    pub follow_links: bool,
    /// A move: delete the source once every entry was copied and
    /// confirmed (none failed, none left out).
    pub remove_source: bool,
    /// Check each copy against the server's digest, computed as the bytes
    /// stream (by size where the server has no hash): a mismatch fails the
    /// file, and the copy is not put in place.
    pub verify: bool,
    /// Downloads: files of at least [`TreeOptions::segment_threshold`]
    /// bytes over this many sessions each
    /// ([`SegmentedDownload`](crate::engine::SegmentedDownload)), beside
    /// the [`TreeOptions::jobs`] sessions of the pool; 1 (the default):
    /// one stream. Verified copies go over one stream.
    pub segments: usize,
    /// The size from which [`TreeOptions::segments`] applies.
    pub segment_threshold: u64,
}

impl Default for TreeOptions {
    fn default() -> Self {
        TreeOptions {
            update: false,
            jobs: DEFAULT_JOBS,
            follow_links: false,
            remove_source: false,
            verify: false,
            segments: 1,
            segment_threshold: DEFAULT_SEGMENT_THRESHOLD,
        }
    }
}

/// The default [`TreeOptions::segment_threshold`] and
/// [`SyncOptions::segment_threshold`]: 64 MiB.
pub const DEFAULT_SEGMENT_THRESHOLD: u64 = 64 << 20;

impl TreeOptions {
    /// [`TreeOptions::update`].
    pub fn update(mut self, update: bool) -> Self {
        self.update = update;
        self
    }

    /// [`TreeOptions::jobs`], kept within 1 to [`MAX_JOBS`].
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs.clamp(1, MAX_JOBS);
        self
    }

    /// [`TreeOptions::follow_links`].
    pub fn follow_links(mut self, follow_links: bool) -> Self {
        self.follow_links = follow_links;
        self
    }

    /// [`TreeOptions::remove_source`].
    pub fn remove_source(mut self, remove_source: bool) -> Self {
        self.remove_source = remove_source;
        self
    }

    /// [`TreeOptions::verify`].
    pub fn verify(mut self, verify: bool) -> Self {
        self.verify = verify;
        self
    }

    /// Downloads files of at least `threshold` bytes over `segments`
    /// sessions each ([`TreeOptions::segments`]).
    ///
    /// ```
    /// use ftp_client::engine::TreeOptions;
    ///
    /// // Files of 64 MiB or more over 4 sessions each, 2 files at a time.
    /// let options = TreeOptions::default().jobs(2).segments(4, 64 << 20);
    /// assert_eq!((options.segments, options.segment_threshold), (4, 64 << 20));
    /// ```
    pub fn segments(mut self, segments: usize, threshold: u64) -> Self {
        self.segments = segments.max(1);
        self.segment_threshold = threshold;
        self
    }
}

/// Opens one more session to the server, logged in: the pool calls it
/// for each session beyond the first (and for the first).
pub type Connect<'a> = dyn Fn() -> Result<Client, Error> + Sync + 'a;

/// One decision of a tree operation's plan, or its outcome.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Planned<'a> {
    /// The transfers begin: the pool's first session takes files.
    Started,
    /// Every transfer ended.
    Ended,
    /// A file to copy, queued for a session.
    Copy {
        /// The file, for display (a remote path escaped by
        /// [`display_name`], or a local path).
        what: &'a str,
    },
    /// A directory made (locally on download, on the server on upload).
    Directory {
        /// The directory, for display.
        what: &'a str,
    },
    /// A queued file was copied.
    Copied {
        /// The file, for display.
        what: &'a str,
        /// Its bytes.
        bytes: u64,
    },
    /// A file left as it is: up to date ([`TreeOptions::update`]).
    UpToDate {
        /// The file, for display.
        what: &'a str,
    },
    /// Something left out on purpose (a symbolic link, a device): not a
    /// failure, but a move then keeps its source.
    Skipped {
        /// The entry, for display.
        what: &'a str,
        /// Why.
        reason: &'a str,
    },
    /// A failure: counted, and the rest goes on.
    Failed {
        /// What failed: a path, or `deleting PATH`.
        what: &'a str,
        /// The one-line error.
        error: &'a str,
    },
    /// A queued file is finished, whatever its outcome (for a count of
    /// files done).
    Finished,
    /// A local temporary file was created (`live`), or is gone (renamed
    /// into place or removed): for a caller that removes what is left
    /// when the process is killed.
    Temporary {
        /// The temporary file.
        path: &'a Path,
        /// Created (true) or gone (false).
        live: bool,
        /// Gone because it was renamed into place.
        kept: bool,
    },
    /// What became of a failed upload's remote file.
    Leftover(&'a Leftover),
    /// A move keeps its source: not every entry was copied.
    SourceKept,
    /// An entry deleted by a sync ([`TreeSync`]).
    Deleted {
        /// The entry, for display.
        what: &'a str,
    },
}

/// What a tree operation did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TreeSummary {
    /// Files copied (or deleted, for [`TreeRemove`]).
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Directories deleted ([`TreeRemove`]).
    pub directories: u64,
    /// Entries deleted by a sync ([`TreeSync`]).
    pub deleted: u64,
    /// Copies checked against the server's digest
    /// ([`TreeOptions::verify`], [`SyncOptions::verify`]).
    pub verified: u64,
    /// Copies checked by size only: the server has no hash.
    pub size_only: u64,
    /// Files left as they were: up to date.
    pub up_to_date: u64,
    /// Entries left out on purpose ([`Planned::Skipped`]).
    pub skipped: u64,
    /// What failed, in the order it did.
    pub failures: Vec<TreeFailure>,
    /// A move kept its source.
    pub source_kept: bool,
    /// The operation stopped because it was cancelled.
    pub cancelled: bool,
}

impl TreeSummary {
    /// No failure.
    pub fn is_success(&self) -> bool {
        self.failures.is_empty()
    }
}

/// One failure of a tree operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFailure {
    /// What failed: a path, or `deleting PATH`.
    pub what: String,
    /// The one-line error.
    pub error: String,
}

/// Why a tree operation did not start, or stopped as a whole. Failures
/// of single entries are in the [`TreeSummary`] instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TreeError {
    /// The first session could not be opened.
    #[error("{0}")]
    Connect(Error),
    /// The server refused or failed what the whole operation needs (the
    /// source's or the destination's type).
    #[error("{0}")]
    Remote(Error),
    /// The source is not a directory.
    #[error("not a directory")]
    NotADirectory,
    /// The remote destination exists and is not a directory.
    #[error("exists and is not a directory")]
    RemoteNotADirectory,
    /// A local path the operation needs (the source, the destination)
    /// cannot be used.
    #[error("{0}")]
    Local(String),
    /// The local source has no name to copy it as.
    #[error("no directory name to copy as")]
    NoName,
    /// A move of the login or root directory, which cannot be removed.
    #[error("refusing to move {0}: it cannot be removed")]
    MoveRoot(&'static str),
    /// A removal of the login or root directory without `force`.
    #[error("refusing to delete {0} without force")]
    RemoveRoot(&'static str),
    /// Following links on a move would delete what they lead to.
    #[error("deleting through links would delete what they lead to")]
    FollowWithMove,
    /// The session closed while listing: nothing was deleted.
    #[error("the session closed while listing")]
    ClosedWhileListing,
}

/// Counts as they change, and the observer told of each.
struct Tally<'a> {
    progress: &'a dyn Progress,
    /// What each transfer is held to.
    limits: crate::RateLimits,
    /// Downloads of files of at least `.1` bytes over `.0` sessions
    /// ([`TreeOptions::segments`]).
    segments: (usize, u64),
    files: AtomicU64,
    bytes: AtomicU64,
    up_to_date: AtomicU64,
    skipped: AtomicU64,
    /// Verified copies checked against a digest, and by size only.
    verified: AtomicU64,
    size_only: AtomicU64,
    failures: Mutex<Vec<TreeFailure>>,
}

impl<'a> Tally<'a> {
    fn new(progress: &'a dyn Progress) -> Self {
        Tally {
            progress,
            limits: crate::RateLimits::default(),
            segments: (1, u64::MAX),
            files: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            up_to_date: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            verified: AtomicU64::new(0),
            size_only: AtomicU64::new(0),
            failures: Mutex::new(Vec::new()),
        }
    }

    /// The same, each transfer held to `limits`.
    fn limited(mut self, limits: &crate::RateLimits) -> Self {
        self.limits = limits.clone();
        self
    }

    /// The same, files of at least `threshold` bytes downloaded over
    /// `segments` sessions.
    fn segmented(mut self, segments: usize, threshold: u64) -> Self {
        self.segments = (segments.max(1), threshold);
        self
    }

    fn tell(&self, planned: Planned<'_>) {
        self.progress.tree(&planned);
    }

    fn fail(&self, what: &str, error: impl std::fmt::Display) {
        let error = error.to_string();
        self.tell(Planned::Failed {
            what,
            error: &error,
        });
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.push(TreeFailure {
            what: what.to_owned(),
            error,
        });
    }

    fn skip(&self, what: &str, reason: &str) {
        self.skipped.fetch_add(1, Ordering::Relaxed);
        self.tell(Planned::Skipped { what, reason });
    }

    fn copied(&self, what: &str, bytes: u64) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.tell(Planned::Copied { what, bytes });
    }

    /// A verified copy, counted by what it was checked against.
    fn checked(&self, verified: Option<&crate::engine::Verified>) {
        match verified {
            Some(crate::engine::Verified::Digest(_)) => &self.verified,
            Some(_) => &self.size_only,
            None => return,
        }
        .fetch_add(1, Ordering::Relaxed);
    }

    fn current(&self, what: &str) {
        self.up_to_date.fetch_add(1, Ordering::Relaxed);
        self.tell(Planned::UpToDate { what });
    }

    fn failures(&self) -> usize {
        self.failures.lock().map_or(1, |f| f.len())
    }

    /// Nothing failed and nothing was left out: a move may delete.
    fn clean(&self) -> bool {
        self.failures() == 0 && self.skipped.load(Ordering::Relaxed) == 0
    }

    /// The counts and failures so far.
    fn summary(&self) -> TreeSummary {
        TreeSummary {
            files: self.files.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            directories: 0,
            deleted: 0,
            verified: self.verified.load(Ordering::Relaxed),
            size_only: self.size_only.load(Ordering::Relaxed),
            up_to_date: self.up_to_date.load(Ordering::Relaxed),
            skipped: self.skipped.load(Ordering::Relaxed),
            failures: self
                .failures
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            source_kept: false,
            cancelled: false,
        }
    }
}

/// Whether a path (without trailing slashes) is the login directory (`""`)
/// or the root (`/`): a directory a tree operation may empty but never
/// remove.
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

fn is_under(path: &[u8], dir: &[u8]) -> bool {
    path == dir || (path.starts_with(dir) && path.get(dir.len()) == Some(&b'/'))
}

fn shown(path: &[u8]) -> String {
    display_name(path)
}

/// Ends a session politely; a failing QUIT changes nothing.
fn quit(client: Client) {
    let _ = client.quit();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_under_a_directory() {
        assert!(is_under(b"a/b", b"a"));
        assert!(is_under(b"a", b"a"));
        assert!(!is_under(b"ab", b"a"));
        assert_eq!(trim_slashes(b"top//"), b"top");
        assert_eq!(trim_slashes(b"/"), b"/");
        assert!(is_root(b"") && is_root(b"/") && !is_root(b"a"));
    }

    #[test]
    fn options_keep_jobs_in_range() {
        assert_eq!(TreeOptions::default().jobs(0).jobs, 1);
        assert_eq!(TreeOptions::default().jobs(99).jobs, MAX_JOBS);
        assert!(TreeOptions::default().update(true).update);
    }
}
