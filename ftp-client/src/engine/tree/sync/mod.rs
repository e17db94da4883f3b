//! [`TreeSync`]: a destination tree made to match its source, one side
//! remote, either way, planned as data ([`SyncPlan`]) before anything
//! changes.
//!
//! Both sides are listed first (the source's listing cut short or failed
//! anywhere means nothing is deleted), each pair of files compared (size,
//! then the exact time; with [`SyncOptions::checksum`], the server's
//! digest against the local file's), and every entry gets one
//! [`SyncAction`]: copy, skip or delete, with its [`Reason`]. Running the
//! plan copies over the pool of sessions a tree copy uses (the same
//! temporary files, replace rules and times as `cp -r`), then, only once
//! every copy succeeded, deletes, deepest first, at most
//! [`SyncOptions::max_delete`] entries, and only below the destination's
//! root: every path is built from names checked to be one component.

mod compare;
mod exec;
mod filter;
mod list;
mod plan;

use std::fs;
use std::path::PathBuf;

pub use filter::{Filter, Glob};
pub use plan::{Action, Reason, SyncAction};

use super::{
    Connect, DEFAULT_JOBS, MAX_JOBS, Tally, TreeError, TreeFailure, TreeSummary, quit, shown,
    trim_slashes,
};
use crate::engine::{Cancel, Progress};
use crate::{Client, HashAlgorithm, Kind};
use compare::{Checked, Verdict, Way};
use list::{Listing, list_local, list_remote, remote_path};

/// How a [`TreeSync`] works.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncOptions {
    /// Sessions in parallel, 1 to [`MAX_JOBS`].
    pub jobs: usize,
    /// Delete what the destination has and the source lacks (never when a
    /// listing of the source failed, never before every copy succeeded).
    pub delete: bool,
    /// With [`SyncOptions::delete`]: stop before the deletion after this
    /// many, as a failure.
    pub max_delete: Option<u64>,
    /// Compare files of the same size by digest (the server's
    /// [`Client::hash`] against the local file's) where the server has
    /// one; by time where it has none (the plan's
    /// [`SyncPlan::notes`] say so once).
    pub checksum: bool,
    /// Check each copy against the server's digest, computed while the
    /// bytes stream ([`FileDownload::verify`](crate::engine::FileDownload::verify),
    /// [`FileUpload::verify`](crate::engine::FileUpload::verify)); by size
    /// where the server has no hash ([`TreeSummary::size_only`] counts
    /// those). A mismatch fails the file, which is not put in place.
    pub verify: bool,
    /// What is left out, on both sides.
    pub filter: Filter,
    /// Downloads: files of at least [`SyncOptions::segment_threshold`]
    /// bytes over this many sessions each
    /// ([`SegmentedDownload`](crate::engine::SegmentedDownload)); 1 (the
    /// default): one stream. Verified copies go over one stream.
    pub segments: usize,
    /// The size from which [`SyncOptions::segments`] applies.
    pub segment_threshold: u64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            jobs: DEFAULT_JOBS,
            delete: false,
            max_delete: None,
            checksum: false,
            verify: false,
            filter: Filter::default(),
            segments: 1,
            segment_threshold: super::DEFAULT_SEGMENT_THRESHOLD,
        }
    }
}

impl SyncOptions {
    /// [`SyncOptions::jobs`], kept within 1 to [`MAX_JOBS`].
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs.clamp(1, MAX_JOBS);
        self
    }

    /// [`SyncOptions::delete`].
    pub fn delete(mut self, delete: bool) -> Self {
        self.delete = delete;
        self
    }

    /// [`SyncOptions::max_delete`].
    pub fn max_delete(mut self, max_delete: Option<u64>) -> Self {
        self.max_delete = max_delete;
        self
    }

    /// [`SyncOptions::checksum`].
    pub fn checksum(mut self, checksum: bool) -> Self {
        self.checksum = checksum;
        self
    }

    /// Downloads files of at least `threshold` bytes over `segments`
    /// sessions each ([`SyncOptions::segments`]).
    ///
    /// ```
    /// use ftp_client::engine::SyncOptions;
    ///
    /// let options = SyncOptions::default().segments(8, 1 << 30);
    /// assert_eq!((options.segments, options.segment_threshold), (8, 1 << 30));
    /// ```
    pub fn segments(mut self, segments: usize, threshold: u64) -> Self {
        self.segments = segments.max(1);
        self.segment_threshold = threshold;
        self
    }

    /// [`SyncOptions::verify`].
    pub fn verify(mut self, verify: bool) -> Self {
        self.verify = verify;
        self
    }

    /// [`SyncOptions::filter`].
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filter = filter;
        self
    }
}

/// A destination tree made to match a source tree: the remote `REMOTE`
/// into the local `LOCAL` ([`TreeSync::download`]) or the other way
/// ([`TreeSync::upload`]). Unlike `cp -r`, the destination is the mirror
/// itself, never `DST/NAME`; it is made if missing.
///
/// ```no_run
/// use ftp_client::engine::{Action, Cancel, Filter, SyncOptions, TreeSync};
/// use ftp_client::{Client, Config, FtpUrl};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let url = FtpUrl::parse("ftp://demo:password@127.0.0.1:2121/")?;
/// let connect = || Client::connect_url(&url, Config::default());
/// let options = SyncOptions::default()
///     .delete(true)
///     .max_delete(Some(100))
///     .filter(Filter::default().exclude("*.tmp"));
/// let plan = TreeSync::download("site", "mirror").options(options).plan(&connect, &())?;
/// for step in plan.actions.iter().filter(|a| a.action != Action::Skip) {
///     println!("{} {} ({})", step.action, String::from_utf8_lossy(&step.path), step.reason);
/// }
/// let summary = plan.run(&connect, &(), &Cancel::new())?;
/// println!("{} copied, {} deleted, {} failures", summary.files, summary.deleted, summary.failures.len());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct TreeSync {
    way: Way,
    remote: Vec<u8>,
    local: PathBuf,
    options: SyncOptions,
    limits: crate::RateLimits,
}

/// What a [`TreeSync`] will do, entry by entry, and what its listings
/// could not say. [`SyncPlan::run`] does exactly this.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SyncPlan {
    /// Every entry's action: the source's entries in tree order (each
    /// directory before what is in it), then the deletions, each
    /// directory after everything in it.
    pub actions: Vec<SyncAction>,
    /// What failed while planning (listings, names refused, conflicts):
    /// those entries are neither copied nor deleted.
    pub failures: Vec<TreeFailure>,
    /// Every listing of the source succeeded: only then does the plan
    /// delete.
    pub source_complete: bool,
    /// What the comparison could not do as asked, once each (e.g. no
    /// server digest for `checksum`: compared by time).
    pub notes: Vec<String>,
    way: Way,
    remote: Vec<u8>,
    local: PathBuf,
    options: SyncOptions,
    /// See [`TreeSync::limits`].
    limits: crate::RateLimits,
    /// The server takes times (MFMT), for uploads.
    mfmt: bool,
    /// The destination's root exists.
    dest_exists: bool,
}

impl TreeSync {
    /// The remote directory `remote` (the login directory when empty)
    /// mirrored into the local directory `local`.
    pub fn download(remote: impl AsRef<[u8]>, local: impl Into<PathBuf>) -> Self {
        TreeSync {
            way: Way::Down,
            remote: remote.as_ref().to_vec(),
            local: local.into(),
            options: SyncOptions::default(),
            limits: crate::RateLimits::default(),
        }
    }

    /// The local directory `local` mirrored into the server's `remote`.
    pub fn upload(local: impl Into<PathBuf>, remote: impl AsRef<[u8]>) -> Self {
        TreeSync {
            way: Way::Up,
            remote: remote.as_ref().to_vec(),
            local: local.into(),
            options: SyncOptions::default(),
            limits: crate::RateLimits::default(),
        }
    }

    /// What each copy's transfer is held to: its own rate, and a total
    /// shared by all the sessions (see [`RateLimits`](crate::RateLimits));
    /// the plan keeps it for [`SyncPlan::run`].
    pub fn limits(mut self, limits: crate::RateLimits) -> Self {
        self.limits = limits;
        self
    }

    /// How it works.
    pub fn options(mut self, options: SyncOptions) -> Self {
        self.options = options;
        self
    }

    /// Lists both sides (the remote one over up to [`SyncOptions::jobs`]
    /// sessions opened by `connect`) and compares them (asking exact times and digests only where the listings
    /// cannot tell); changes nothing. Failures are also told to
    /// `progress` as they come.
    pub fn plan(
        &self,
        connect: &Connect<'_>,
        progress: &dyn Progress,
    ) -> Result<SyncPlan, TreeError> {
        let mut client = connect().map_err(TreeError::Connect)?;
        let tally = Tally::new(progress);
        let root = trim_slashes(&self.remote).to_vec();
        let (src, dst, complete, dest_exists) = self.sides(&mut client, connect, &root, &tally)?;
        if client.is_closed() {
            return Err(TreeError::ClosedWhileListing);
        }
        let mfmt = self.way == Way::Up && client.supports("MFMT").unwrap_or(false);
        let mut plan = SyncPlan {
            actions: Vec::new(),
            failures: Vec::new(),
            source_complete: complete,
            notes: Vec::new(),
            way: self.way,
            remote: root,
            local: self.local.clone(),
            options: self.options.clone(),
            limits: self.limits.clone(),
            mfmt,
            dest_exists,
        };
        let draft = plan::draft(&src, &dst, self.options.delete, complete);
        for conflict in &draft.conflicts {
            tally.fail(&plan.shown(&conflict.names), conflict.why);
        }
        plan.actions = draft.actions;
        plan.settle(&mut client, connect, &draft.pairs, &tally);
        if self.way == Way::Up
            && !mfmt
            && plan
                .actions
                .iter()
                .any(|a| a.action == Action::Copy && !a.directory)
        {
            plan.notes.push("the server has no MFMT: uploaded files keep the time the server wrote them, and a remote file newer than the local one counts as the same".to_owned());
        }
        quit(client);
        plan.failures = tally.summary().failures;
        Ok(plan)
    }

    /// Both sides listed: the source, the destination, whether every
    /// listing of the source succeeded, and whether the destination's root
    /// exists.
    fn sides(
        &self,
        client: &mut Client,
        connect: &Connect<'_>,
        root: &[u8],
        tally: &Tally,
    ) -> Result<(Listing, Listing, bool, bool), TreeError> {
        let cancel = Cancel::new();
        let filter = &self.options.filter;
        let jobs = self.options.jobs;
        Ok(match self.way {
            Way::Down => {
                let what = client.stat(&self.remote).map_err(TreeError::Remote)?;
                if what.kind != Kind::Dir {
                    return Err(TreeError::NotADirectory);
                }
                let src = list_remote(client, connect, jobs, root, filter, true, tally, &cancel);
                let complete = tally.failures() == 0 && !client.is_closed();
                let (dst, exists) = match fs::metadata(&self.local) {
                    Ok(meta) if meta.is_dir() => {
                        (list_local(&self.local, filter, false, tally), true)
                    }
                    Ok(_) => {
                        return Err(TreeError::Local(format!(
                            "{} exists and is not a directory",
                            self.local.display()
                        )));
                    }
                    Err(_) => (Listing::new(), false),
                };
                (src, dst, complete, exists)
            }
            Way::Up => {
                let meta = fs::metadata(&self.local)
                    .map_err(|e| TreeError::Local(format!("{}: {e}", self.local.display())))?;
                if !meta.is_dir() {
                    return Err(TreeError::NotADirectory);
                }
                let src = list_local(&self.local, filter, true, tally);
                let complete = tally.failures() == 0;
                let (dst, exists) = match remote_kind(client, &self.remote)? {
                    Some(Kind::Dir) => (
                        list_remote(client, connect, jobs, root, filter, false, tally, &cancel),
                        true,
                    ),
                    Some(_) => return Err(TreeError::RemoteNotADirectory),
                    None => (Listing::new(), false),
                };
                (src, dst, complete, exists)
            }
        })
    }
}

/// What the server's `path` is: `None` when it does not exist (550).
fn remote_kind(client: &mut Client, path: &[u8]) -> Result<Option<Kind>, TreeError> {
    if trim_slashes(path).is_empty() {
        return Ok(Some(Kind::Dir));
    }
    match client.stat(path) {
        Ok(entry) => Ok(Some(entry.kind)),
        Err(e) if e.code() == Some(550) => Ok(None),
        Err(e) => Err(TreeError::Remote(e)),
    }
}

impl SyncPlan {
    /// The path of the entry `names` on the remote side.
    fn remote_path(&self, names: &[Vec<u8>]) -> Vec<u8> {
        remote_path(&self.remote, names)
    }

    /// An entry for messages: its remote path, or its local one.
    fn shown(&self, names: &[Vec<u8>]) -> String {
        match self.way {
            Way::Down => shown(&self.remote_path(names)),
            Way::Up => super::local::local_path(&self.local, names)
                .display()
                .to_string(),
        }
    }

    /// An entry of the destination, for messages.
    fn shown_dst(&self, names: &[Vec<u8>]) -> String {
        match self.way {
            Way::Up => shown(&self.remote_path(names)),
            Way::Down => super::local::local_path(&self.local, names)
                .display()
                .to_string(),
        }
    }

    /// The pairs of files the listings could not decide: by digest (with
    /// `checksum`, where the server has one), by exact time where the
    /// listing's cannot tell.
    fn settle(
        &mut self,
        client: &mut Client,
        connect: &Connect<'_>,
        pairs: &[usize],
        tally: &Tally,
    ) {
        let algorithm = if self.options.checksum && !pairs.is_empty() {
            let algorithm = client
                .hash_algorithms()
                .ok()
                .and_then(|a| a.first().copied());
            if algorithm.is_none() {
                self.notes.push("--checksum: the server computes no digest (HASH, XSHA256, XSHA1, XMD5, XCRC): compared by size and time".to_owned());
            }
            algorithm
        } else {
            None
        };
        if algorithm.is_none() {
            self.ask_times(client, connect, pairs);
        }
        let mut hash_failed = None;
        for &i in pairs {
            if client.is_closed() {
                let what = self.shown(&self.actions[i].names);
                tally.fail(&what, "the session closed while comparing");
                continue;
            }
            let verdict = self.settle_one(client, i, algorithm, &mut hash_failed);
            let action = &mut self.actions[i];
            (action.action, action.reason) = match verdict {
                Verdict::Copy(reason) => (Action::Copy, reason),
                Verdict::Same(reason) => (Action::Skip, reason),
                Verdict::AskTime => (Action::Skip, Reason::WithinPrecision),
            };
        }
        if let Some(why) = hash_failed {
            self.notes.push(format!("--checksum: the server gave no digest for some files ({why}): those were compared by size and time"));
        }
    }

    /// The exact times of the pairs whose listings cannot tell, asked
    /// together (MDTM sent ahead where the server answers in order, as a
    /// tree download does; many of them shared out over up to
    /// [`SyncOptions::jobs`] sessions), into each action's `exact`. Where
    /// that fails, each pair asks its own in [`SyncPlan::settle_one`].
    fn ask_times(&mut self, client: &mut Client, connect: &Connect<'_>, pairs: &[usize]) {
        let (way, mfmt) = (self.way, self.mfmt);
        let asked: Vec<usize> = pairs
            .iter()
            .copied()
            .filter(
                |&i| match (&self.actions[i].source, &self.actions[i].existing) {
                    (Some(src), Some(dst)) => {
                        compare::by_listing(way, src, dst, mfmt) == Verdict::AskTime
                    }
                    _ => false,
                },
            )
            .collect();
        let paths: Vec<Vec<u8>> = asked
            .iter()
            .map(|&i| self.remote_path(&self.actions[i].names))
            .collect();
        let refs: Vec<&[u8]> = paths.iter().map(Vec::as_slice).collect();
        let jobs = self.options.jobs;
        let Some(times) = super::fresh::exact_times_spread(client, connect, jobs, &refs) else {
            return;
        };
        for (i, time) in asked.into_iter().zip(times) {
            self.actions[i].exact = time;
        }
    }

    /// One pair: its verdict.
    fn settle_one(
        &mut self,
        client: &mut Client,
        i: usize,
        algorithm: Option<HashAlgorithm>,
        hash_failed: &mut Option<String>,
    ) -> Verdict {
        let (way, mfmt) = (self.way, self.mfmt);
        let remote = self.remote_path(&self.actions[i].names);
        let local = super::local::local_path(&self.local, &self.actions[i].names);
        let action = &mut self.actions[i];
        let (Some(src), Some(dst)) = (action.source.as_ref(), action.existing.as_ref()) else {
            return Verdict::Copy(Reason::Missing);
        };
        let listed = compare::by_listing(way, src, dst, mfmt);
        if let Verdict::Copy(_) = listed {
            return listed;
        }
        if let Some(algorithm) = algorithm {
            match compare::by_checksum(client, &remote, &local, algorithm) {
                Checked::Verdict(verdict) => return verdict,
                Checked::NoDigest(why) => {
                    hash_failed.get_or_insert(why);
                }
            }
        }
        if listed != Verdict::AskTime {
            return listed;
        }
        let (verdict, exact) =
            compare::by_exact_time(client, &remote, way, src, dst, mfmt, action.exact);
        action.exact = exact;
        verdict
    }

    /// Carries the plan out: the copies over up to
    /// [`SyncOptions::jobs`] sessions opened by `connect`, then, once
    /// every copy succeeded, the deletions (at most
    /// [`SyncOptions::max_delete`]). Stops when `cancel` fires. The summary
    /// counts the plan's failures too.
    pub fn run(
        &self,
        connect: &Connect<'_>,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> Result<TreeSummary, TreeError> {
        exec::run(self, connect, progress, cancel)
    }

    /// The actions of one kind.
    pub fn count(&self, action: Action) -> usize {
        self.actions.iter().filter(|a| a.action == action).count()
    }

    /// The actions for one reason (e.g. [`Reason::Excluded`]).
    pub fn count_reason(&self, reason: Reason) -> usize {
        self.actions.iter().filter(|a| a.reason == reason).count()
    }

    /// The files left as they are because they are up to date: the same
    /// size and time, the same digest, or the same as far as the listing
    /// can tell.
    pub fn up_to_date(&self) -> usize {
        let same = [Reason::Same, Reason::SameChecksum, Reason::WithinPrecision];
        self.actions
            .iter()
            .filter(|a| a.action == Action::Skip && !a.directory && same.contains(&a.reason))
            .count()
    }
}
