//! [`TreeUpload`]: a local tree copied (or moved) to the server.

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use super::fresh::remote_current;
use super::local::{LocalFile, LocalTree, os_bytes, remote_component, walk_local};
use super::pool::{JobError, Pool, QUICK};
use super::{
    Connect, Planned, Tally, TreeError, TreeOptions, TreeSummary, is_under, quit, shown,
    trim_slashes,
};
use crate::engine::upload::delete_leftover;
use crate::engine::{
    Cancel, Direction, FileUpload, Outcome, Transfer, is_transient, rename_refusal,
};
use crate::{Client, Entry, Kind, RenameCheck, Timestamp};

/// A local directory uploaded to the server, as `cp -r` does: into
/// `REMOTE/NAME` when `REMOTE` is an existing directory, as `REMOTE`
/// otherwise. Directories are made parents first, and each one's files
/// start as soon as it is there; a new file goes straight to its name, an
/// existing one is replaced by a complete upload sent to a temporary name
/// and renamed over it (and not at all when the server says it cannot be
/// renamed); each file gets its local time where the server has MFMT.
///
/// With [`TreeOptions::remove_source`] (a move), each upload's size is
/// confirmed (SIZE), and the local files and directories are deleted once
/// every entry was copied.
///
/// ```no_run
/// use ftp_client::engine::{Cancel, TreeOptions, TreeUpload};
/// use ftp_client::{Client, Config, FtpUrl};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let url = FtpUrl::parse("ftp://demo:password@127.0.0.1:2121/")?;
/// let connect = || Client::connect_url(&url, Config::default());
/// let summary = TreeUpload::new("site", "backups/")
///     .options(TreeOptions::default().update(true))
///     .run(&connect, &(), &Cancel::new())?;
/// println!("{} files, {} up to date", summary.files, summary.up_to_date);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct TreeUpload {
    local: PathBuf,
    remote: Vec<u8>,
    options: TreeOptions,
    limits: crate::RateLimits,
}

/// A file to upload.
pub(super) struct Put {
    pub(super) file: LocalFile,
    /// What the remote directory listed under this name before, if it
    /// existed.
    pub(super) existing: Option<Entry>,
}

impl TreeUpload {
    /// The local directory `local` to the server's `remote` (the login
    /// directory when empty), with the default [`TreeOptions`].
    pub fn new(local: impl Into<PathBuf>, remote: impl AsRef<[u8]>) -> Self {
        TreeUpload {
            local: local.into(),
            remote: remote.as_ref().to_vec(),
            options: TreeOptions::default(),
            limits: crate::RateLimits::default(),
        }
    }

    /// How the tree is copied.
    pub fn options(mut self, options: TreeOptions) -> Self {
        self.options = options;
        self
    }

    /// What each file's transfer is held to: its own rate, and a total
    /// shared by all the sessions (see [`RateLimits`](crate::RateLimits)).
    pub fn limits(mut self, limits: crate::RateLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Uploads over sessions opened by `connect`, reporting to
    /// `progress`, stopping when `cancel` fires (then the summary says
    /// [`TreeSummary::cancelled`], and the uploads cut have deleted their
    /// remote files where the server let them).
    pub fn run(
        &self,
        connect: &Connect<'_>,
        progress: &dyn crate::engine::Progress,
        cancel: &Cancel,
    ) -> Result<TreeSummary, TreeError> {
        let meta = fs::metadata(&self.local).map_err(|e| TreeError::Local(e.to_string()))?;
        if !meta.is_dir() {
            return Err(TreeError::NotADirectory);
        }
        let mut client = connect().map_err(TreeError::Connect)?;
        let root = self.root(&mut client)?;
        let tally = Tally::new(progress).limited(&self.limits);
        let tree = walk_local(&self.local, &root, self.options.follow_links, &tally);
        let mfmt = client.supports("MFMT").unwrap_or(false);
        if !mfmt {
            // Nothing else sets a remote file's time: a two-argument MDTM,
            // which some servers take for that, is a file name to others.
            tracing::debug!(
                "the server has no MFMT: uploaded files keep the time the server wrote them, not the local files' times"
            );
        }
        let sources: Vec<PathBuf> = tree.files.iter().map(|f| f.local.clone()).collect();
        let dirs: Vec<PathBuf> = tree.dirs.iter().map(|(d, _)| d.clone()).collect();
        let uploader = Uploader {
            options: self.options,
            mfmt,
            tally: &tally,
            cancel,
        };
        let kept = uploader.transfer(client, connect, &root, tree);
        if cancel.is_cancelled() {
            let mut summary = tally.summary();
            summary.cancelled = true;
            return Ok(summary);
        }
        if let Some(client) = kept {
            quit(client);
        }
        let mut source_kept = false;
        if self.options.remove_source {
            if tally.clean() {
                self.remove_local(&sources, &dirs, &tally);
            } else {
                source_kept = true;
                tally.tell(Planned::SourceKept);
            }
        }
        let mut summary = tally.summary();
        summary.source_kept = source_kept;
        Ok(summary)
    }

    /// Where the tree goes: into `REMOTE/NAME` when `REMOTE` is a
    /// directory. Asked as given: a path ending in '/' is never taken for
    /// a file.
    fn root(&self, client: &mut Client) -> Result<Vec<u8>, TreeError> {
        let dst_path = trim_slashes(&self.remote).to_vec();
        let existing = if dst_path.is_empty() {
            Some(Kind::Dir)
        } else {
            match client.stat(&self.remote) {
                Ok(entry) => Some(entry.kind),
                Err(e) if e.code() == Some(550) => None,
                Err(e) => return Err(TreeError::Remote(e)),
            }
        };
        match existing {
            Some(Kind::Dir) => {
                let base = self
                    .local
                    .canonicalize()
                    .ok()
                    .and_then(|p| p.file_name().map(os_bytes))
                    .ok_or(TreeError::NoName)?;
                let base = remote_component(&base)
                    .map_err(|e| TreeError::Local(format!("its name: {e}")))?;
                let mut root = dst_path;
                if !root.is_empty() {
                    root.push(b'/');
                }
                root.extend_from_slice(base);
                Ok(root)
            }
            Some(_) => Err(TreeError::RemoteNotADirectory),
            None => Ok(dst_path),
        }
    }

    /// A move after a complete upload: the local files, then the
    /// directories deepest first, then the source itself.
    fn remove_local(&self, files: &[PathBuf], dirs: &[PathBuf], tally: &Tally) {
        for file in files {
            if let Err(e) = fs::remove_file(file) {
                tally.fail(&format!("deleting {}", file.display()), e);
            }
        }
        for dir in dirs.iter().rev() {
            if let Err(e) = fs::remove_dir(dir) {
                tally.fail(&format!("deleting {}", dir.display()), e);
            }
        }
        if let Err(e) = fs::remove_dir(&self.local) {
            tally.fail(&format!("deleting {}", self.local.display()), e);
        }
    }
}

/// What the sessions of an upload share.
pub(super) struct Uploader<'a> {
    pub(super) options: TreeOptions,
    pub(super) mfmt: bool,
    pub(super) tally: &'a Tally<'a>,
    pub(super) cancel: &'a Cancel,
}

impl Uploader<'_> {
    /// Makes the remote directories, parents first, each one's files
    /// starting as soon as it is there.
    fn transfer(
        &self,
        client: Client,
        connect: &Connect<'_>,
        root: &[u8],
        tree: LocalTree,
    ) -> Option<Client> {
        // The files of each remote directory, to start once it is made.
        let mut by_dir: HashMap<Vec<u8>, Vec<LocalFile>> = HashMap::new();
        for file in tree.files {
            let parent = match file.remote.iter().rposition(|&b| b == b'/') {
                Some(i) => file.remote[..i].to_vec(),
                None => Vec::new(),
            };
            by_dir.entry(parent).or_default().push(file);
        }
        let all_dirs: Vec<Vec<u8>> = std::iter::once(root.to_vec())
            .chain(tree.dirs.into_iter().map(|(_, r)| r))
            .collect();
        let label = |job: &Put| job.file.local.display().to_string();
        let work = |client: &mut Client, job: &Put| -> Result<(), JobError> {
            match self.put_file(client, job)? {
                Some(bytes) => self.tally.copied(&label(job), bytes),
                None => self.tally.current(&label(job)),
            }
            Ok(())
        };
        let pool = Pool {
            connect,
            sessions: self.options.jobs,
            tally: self.tally,
            cancel: self.cancel,
            label: &label,
            work: &work,
        };
        pool.run(client, &mut |client, push| {
            self.produce(client, push, &all_dirs, &mut by_dir);
        })
    }

    /// Each directory made, or listed where it exists (MKD fails there):
    /// its listing says which files are there already (for an update, and
    /// to replace safely).
    fn produce(
        &self,
        client: &mut Client,
        push: &dyn Fn(usize, Put),
        all_dirs: &[Vec<u8>],
        by_dir: &mut HashMap<Vec<u8>, Vec<LocalFile>>,
    ) {
        let mut failed_dirs: Vec<&[u8]> = Vec::new();
        for (group, dir) in all_dirs.iter().enumerate() {
            if failed_dirs.iter().any(|f| is_under(dir, f)) {
                continue;
            }
            let mut existing = None;
            if let Err(mkdir_error) = client.mkdir(dir) {
                match self.list(client, dir) {
                    Ok(entries) => existing = Some(entries),
                    Err(_) => {
                        self.tally.fail(&shown(dir), mkdir_error);
                        failed_dirs.push(dir);
                        continue;
                    }
                }
            } else {
                self.tally.tell(Planned::Directory { what: &shown(dir) });
            }
            for file in by_dir.remove(dir).unwrap_or_default() {
                let name = file.remote.rsplit(|&b| b == b'/').next().unwrap_or(b"");
                let existing = existing
                    .as_ref()
                    .and_then(|entries: &Vec<Entry>| entries.iter().find(|e| e.name == name))
                    .cloned();
                push(group, Put { file, existing });
            }
        }
    }

    /// A directory's listing, tried again (twice) while its failure may
    /// pass.
    fn list(&self, client: &mut Client, dir: &[u8]) -> Result<Vec<Entry>, crate::Error> {
        let (started, mut retry) = (Instant::now(), 1);
        loop {
            match client.entries(dir) {
                Err(e)
                    if is_transient(&e)
                        && !client.is_closed()
                        && QUICK.pause(retry, started, self.cancel) =>
                {
                    retry += 1;
                }
                listed => return listed,
            }
        }
    }

    /// Uploads one file: a new one straight to its name, an existing one
    /// through a temporary name renamed over it; then its time (MFMT).
    /// `None`: up to date, left as it is.
    pub(super) fn put_file(&self, client: &mut Client, job: &Put) -> Result<Option<u64>, JobError> {
        let file = &job.file;
        if let Some(existing) = &job.existing {
            if existing.is_dir() {
                return Err(JobError::from(format!(
                    "{} is a directory on the server",
                    shown(&file.remote)
                )));
            }
            if self.options.update
                && existing.size == Some(file.len)
                && remote_current(client, &file.remote, file.modified, existing)
            {
                return Ok(None);
            }
        }
        if self.options.verify {
            return put_verified(client, job, self.tally, self.cancel).map(Some);
        }
        let mut local = fs::File::open(&file.local).map_err(|e| JobError::from(e.to_string()))?;
        let replacing = job.existing.is_some();
        if replacing {
            let perm = job.existing.as_ref().and_then(|e| e.perm.as_deref());
            check_rename_allowed(client, &file.remote, perm).map_err(|e| {
                format!("cannot replace the existing file safely, since the server refuses to rename it ({e})")
            })?;
        }
        let upload_path = if replacing {
            crate::engine::temporary_name(&file.remote)
        } else {
            file.remote.clone()
        };
        let sent = match self.send(client, &upload_path, file, &mut local) {
            Ok(sent) => sent,
            Err(e) => {
                // Also when cancelled, within a second.
                let leftover = delete_leftover(client, &upload_path, self.cancel);
                self.tally.tell(Planned::Leftover(&leftover));
                return Err(JobError::from(e));
            }
        };
        self.confirm(client, &upload_path, file, sent, replacing)?;
        if replacing {
            if let Err(e) = client.rename(&upload_path, &file.remote) {
                let _ = client.delete(&upload_path);
                return Err(JobError::from(e));
            }
        }
        if self.mfmt {
            if let Some(time) = file.modified.and_then(Timestamp::from_unix) {
                if let Err(e) = client.set_modified(&file.remote, time) {
                    tracing::debug!("MFMT {}: {e}", shown(&file.remote));
                }
            }
        }
        Ok(Some(sent))
    }

    /// STOR to `path`, shown to the observer and cut when cancelled.
    fn send(
        &self,
        client: &mut Client,
        path: &[u8],
        file: &LocalFile,
        local: &mut fs::File,
    ) -> Result<u64, crate::Error> {
        let mut upload = client.store_stream(path)?;
        upload.limit(&self.tally.limits);
        let transfer = Transfer::new(
            shown(&file.remote),
            Direction::Upload,
            Some(file.len),
            0,
            upload.counter(),
        );
        let _cut = self.cancel.cut_on_cancel(upload.canceller());
        self.tally.progress.started(&transfer);
        let sent = upload.copy_from_file(local).and_then(|_| upload.finish());
        let outcome = match sent {
            Ok(_) => Outcome::Done,
            Err(_) => Outcome::Failed,
        };
        self.tally.progress.finished(&transfer, outcome);
        sent
    }

    /// The bytes sent are the file's, and (on a move) the server's SIZE
    /// agrees.
    fn confirm(
        &self,
        client: &mut Client,
        upload_path: &[u8],
        file: &LocalFile,
        sent: u64,
        replacing: bool,
    ) -> Result<(), JobError> {
        if sent != file.len {
            let _ = client.delete(upload_path);
            return Err(JobError::from(format!(
                "sent {sent} bytes but the file has {}; did it change during the upload?",
                file.len
            )));
        }
        if !self.options.remove_source {
            return Ok(());
        }
        match client.size(upload_path) {
            Ok(size) if size != sent => {
                if replacing {
                    let _ = client.delete(upload_path);
                }
                Err(JobError::from(format!(
                    "sent {sent} bytes but the server reports {size}; source kept"
                )))
            }
            Err(e) if e.code().is_none_or(|c| c < 500) => Err(JobError::from(e)),
            _ => Ok(()),
        }
    }
}

/// An upload checked against the server's digest, computed as the bytes
/// are sent: the engine's [`FileUpload`] with `verify`; the bytes sent.
pub(super) fn put_verified(
    client: &mut Client,
    job: &Put,
    tally: &Tally,
    cancel: &Cancel,
) -> Result<u64, JobError> {
    let done = FileUpload::new(&job.file.local, &job.file.remote)
        .keep_time(true)
        .verify(true)
        .limits(tally.limits.clone())
        .label(shown(&job.file.remote))
        .run(client, tally.progress, cancel)
        .map_err(|e| JobError {
            transient: e.is_transient(),
            message: e.to_string(),
        })?;
    tally.checked(done.verified.as_ref());
    Ok(done.sent)
}

/// Where the listing already said the file exists: whether the server
/// will let it be renamed, so that a replacement uploaded under a
/// temporary name can be renamed over it. The listing's `perm` fact (RFC
/// 3659 7.5.5: `f`, rename allowed) answers when given; otherwise the
/// session's rename check asks, as [`upload_target`](crate::engine::upload_target) does.
fn check_rename_allowed(
    client: &mut Client,
    path: &[u8],
    known_perm: Option<&str>,
) -> Result<(), String> {
    if let Some(perm) = known_perm {
        return if perm.contains(['f', 'F']) {
            Ok(())
        } else {
            Err(format!(
                "its MLST permissions {perm:?} do not include renaming (f)"
            ))
        };
    }
    match client.check_rename(path).map_err(|e| e.to_string())? {
        RenameCheck::Allowed => Ok(()),
        RenameCheck::Refused(reply) => Err(rename_refusal(path, &reply)),
    }
}
