//! [`FileDownload`]: one remote file downloaded safely to a local path.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use tempfile::NamedTempFile;

use super::verify::{self, Hasher, Hashing, Mismatch, Verified};
use super::{Cancel, Direction, Outcome, Progress, Transfer};
use crate::{Client, Digest, Error};

/// The size from which a verified download is hashed on a thread beside
/// the transfer (or when its size is not known): below it, starting the
/// thread costs more than it saves.
const HASH_BESIDE_FROM: u64 = 1 << 20;

/// Where a download is written until the server confirmed it, and what
/// becomes of that file when the download fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Partial {
    /// A new temporary file `.NAME.XXXXXX.part` (a random part) in the
    /// destination's directory, removed when the download fails or is
    /// cancelled.
    #[default]
    Temporary,
    /// `.NAME.part` ([`partial_path`]), the same name on every run:
    /// continued from where an earlier run left it (REST, then RETR) and
    /// kept when the download fails, so that the next run continues it
    /// (removed instead when nothing arrived). A server refusing REST for
    /// a partial file that is not empty is [`DownloadError::NoResume`], the
    /// partial file kept byte for byte.
    Resume,
    /// `.NAME.part` for the attempts of one run: the first attempt
    /// (`fresh`) starts it afresh, a later one continues it, starting over
    /// when the server has no REST or the remote file became shorter. It
    /// is kept when an attempt fails, for the next one; the caller removes
    /// it ([`remove_partial`]) once it gives up.
    Retry {
        /// The first attempt: whatever the file holds is discarded.
        fresh: bool,
    },
}

/// A download of one remote file to a local path, through a file beside
/// it (see [`Partial`]) that is renamed onto the path only once the server
/// confirmed the transfer (226) and the size agrees where it is known.
/// The destination itself is never written before that; a failure or a
/// cancellation leaves it as it was.
///
/// [`FileDownload::run`] does it all; [`FileDownload::prepare`] then
/// [`PreparedDownload::run`] create the local file first, before any
/// connection is made, so that a destination that cannot be written is
/// reported without a word to the server.
///
/// ```no_run
/// use ftp_client::engine::{Cancel, FileDownload, Partial};
/// use ftp_client::{Client, Config, FtpUrl};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let url = FtpUrl::parse("ftp://demo:password@127.0.0.1:2121/")?;
/// let mut ftp = Client::connect_url(&url, Config::default())?;
/// let done = FileDownload::new("reports/2026.pdf", "2026.pdf")
///     .partial(Partial::Resume)
///     .keep_time(true)
///     .run(&mut ftp, &(), &Cancel::new())?;
/// println!(
///     "{} bytes ({} were there already), time kept: {}",
///     done.received,
///     done.offset,
///     done.modified.is_some()
/// );
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct FileDownload {
    pub(super) remote: Vec<u8>,
    pub(super) local: PathBuf,
    pub(super) partial: Partial,
    keep_time: bool,
    verify_size: bool,
    verify: bool,
    ask_size: bool,
    label: Option<String>,
    pub(super) limits: crate::RateLimits,
}

/// What a download did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Downloaded {
    /// The bytes this download received.
    pub received: u64,
    /// The bytes a partial file already held, continued from
    /// ([`Partial::Resume`], [`Partial::Retry`]); 0 otherwise.
    pub offset: u64,
    /// The file's modification time as set from the server's (MDTM), when
    /// [`FileDownload::keep_time`] asked for it and the server told it.
    pub modified: Option<SystemTime>,
    /// What the download was checked against, when
    /// [`FileDownload::verify`] asked for it.
    pub verified: Option<Verified>,
}

/// Why a download failed. The destination is untouched in every case;
/// what became of the partial file is as its [`Partial`] says.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DownloadError {
    /// The file the download is written to could not be created or opened
    /// (`path`: the directory of a [`Partial::Temporary`] file, the
    /// partial file otherwise).
    #[error("cannot write to {}: {source}", path.display())]
    Create {
        /// Where.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The partial file could not be read or started over.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The partial file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The server refused, the connection failed, or the transfer did.
    #[error("{0}")]
    Transfer(Error),
    /// The server refused REST: a partial file cannot be continued.
    #[error("the server cannot resume transfers ({0})")]
    NoResume(Error),
    /// The server's 150 reply announced a size that did not arrive.
    #[error("received {received} bytes but the server announced {announced}")]
    Announced {
        /// The bytes that arrived.
        received: u64,
        /// The size announced.
        announced: u64,
    },
    /// The server's SIZE disagrees with the bytes the file holds.
    #[error("{total} bytes in all but the server's SIZE is {size}")]
    SizeMismatch {
        /// The bytes the file holds (a partial file's included).
        total: u64,
        /// The server's SIZE.
        size: u64,
    },
    /// SIZE after the transfer ([`FileDownload::verify_size`]) failed
    /// otherwise than with a 5xx (no SIZE on that server).
    #[error("{0}")]
    Verify(Error),
    /// [`FileDownload::verify`]: the server's digest of the file differs
    /// from the download's. The file was not moved into place.
    #[error("{} mismatch: the server's is {server}, the download's {local}; the file was not saved", local.algorithm())]
    Digest {
        /// The digest of the bytes received.
        local: Digest,
        /// The server's.
        server: Digest,
    },
    /// [`FileDownload::verify`]: the server's digest covers another range
    /// of bytes than the download's.
    #[error("the server's digest covers bytes {}-{}, not the {size} bytes received; the file was not saved", range.0, range.1)]
    DigestRange {
        /// The range the server named.
        range: (u64, u64),
        /// The bytes received in all.
        size: u64,
    },
    /// The partial file holds more than the remote file
    /// ([`Partial::Resume`]): it is not this file's beginning.
    #[error(
        "the partial download {} holds {held} bytes, more than the {size} of the remote file",
        path.display()
    )]
    PartialTooLong {
        /// The partial file.
        path: PathBuf,
        /// Its bytes.
        held: u64,
        /// The remote file's.
        size: u64,
    },
    /// The download could not be written to disk.
    #[error("cannot save {}: {source}", path.display())]
    Save {
        /// The destination.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The complete download could not be renamed onto the destination.
    #[error("cannot move the download into place at {}: {source}", path.display())]
    Rename {
        /// The destination.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// [`Cancel::cancel`] was called before the download began (or, for
    /// a [`SegmentedDownload`](super::SegmentedDownload), while it ran).
    #[error("cancelled")]
    Cancelled,
    /// A range of a [`SegmentedDownload`](super::SegmentedDownload) ended
    /// (the server's data ended, and it confirmed) before the range's end:
    /// the file is shorter than its SIZE said. The file was not moved into
    /// place.
    #[error("bytes {start}-{end} came back short: the data ended at byte {ended}; the file was not saved", end = end - 1)]
    ShortRange {
        /// The range's first byte.
        start: u64,
        /// The byte after the range's last.
        end: u64,
        /// Where the data ended.
        ended: u64,
    },
    /// A range of a [`SegmentedDownload`](super::SegmentedDownload) failed
    /// for good (after the retries its policy allowed, each continuing
    /// from where the last stopped). The file was not moved into place.
    #[error("bytes {start}-{end}: {error}", end = end - 1)]
    Range {
        /// The range's first byte.
        start: u64,
        /// The byte after the range's last.
        end: u64,
        /// Why.
        error: Box<Error>,
    },
}

impl DownloadError {
    /// Whether another attempt may succeed ([`is_transient`] of the
    /// server's or the connection's error; never for a local problem).
    ///
    /// [`is_transient`]: super::is_transient
    pub fn is_transient(&self) -> bool {
        match self {
            DownloadError::Transfer(e) => super::is_transient(e),
            _ => false,
        }
    }

    /// The server's or the connection's error, if that is what failed.
    pub fn remote(&self) -> Option<&Error> {
        match self {
            DownloadError::Transfer(e) | DownloadError::NoResume(e) | DownloadError::Verify(e) => {
                Some(e)
            }
            DownloadError::Range { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl super::Retryable for DownloadError {
    fn is_retryable(&self) -> bool {
        self.is_transient()
    }
}

/// `.NAME.part` beside `target`: the partial file of [`Partial::Resume`]
/// and [`Partial::Retry`] downloads to `target`; `None` for a path with no
/// file name.
pub fn partial_path(target: &Path) -> Option<PathBuf> {
    let name = target.file_name()?;
    let mut partial = OsString::from(".");
    partial.push(name);
    partial.push(".part");
    Some(target.with_file_name(partial))
}

/// Removes the partial file of a [`Partial::Retry`] download to `target`,
/// once no attempt is left; true if there was one.
pub fn remove_partial(target: &Path) -> bool {
    partial_path(target).is_some_and(|partial| fs::remove_file(partial).is_ok())
}

impl FileDownload {
    /// A download of the server's `remote` to the local file `local` (a
    /// file's path, not a directory's), through a [`Partial::Temporary`]
    /// file, time and size not checked beyond the server's word.
    pub fn new(remote: impl AsRef<[u8]>, local: impl Into<PathBuf>) -> Self {
        FileDownload {
            remote: remote.as_ref().to_vec(),
            local: local.into(),
            partial: Partial::Temporary,
            keep_time: false,
            verify_size: false,
            verify: false,
            ask_size: false,
            label: None,
            limits: crate::RateLimits::default(),
        }
    }

    /// Where the download is written until confirmed, and whether it
    /// continues an earlier one ([`Partial`]).
    pub fn partial(mut self, partial: Partial) -> Self {
        self.partial = partial;
        self
    }

    /// Continues the partial file an earlier run left: [`Partial::Resume`]
    /// if `resume`, [`Partial::Temporary`] otherwise.
    pub fn resume(self, resume: bool) -> Self {
        self.partial(if resume {
            Partial::Resume
        } else {
            Partial::Temporary
        })
    }

    /// Gives the file the server's modification time (MDTM), where the
    /// server tells it; a refused MDTM is no failure.
    pub fn keep_time(mut self, keep_time: bool) -> Self {
        self.keep_time = keep_time;
        self
    }

    /// After a [`Partial::Temporary`] download, asks the server's SIZE and
    /// fails unless it equals the bytes received (a server without SIZE
    /// is taken at its word), and saves the file to disk before renaming
    /// it: for a move, whose source is deleted next. A resumed download
    /// always checks SIZE, asked before the transfer.
    pub fn verify_size(mut self, verify_size: bool) -> Self {
        self.verify_size = verify_size;
        self
    }

    /// Checks the download against the server's digest before it is moved
    /// into place: the strongest algorithm the server has (SHA-256, SHA-512,
    /// SHA-1, MD5, CRC32; [`Client::hash_algorithms`]) is computed while
    /// the bytes stream (a [`Partial::Temporary`] download is never read
    /// again; a continued one is read once, since part of it came in an
    /// earlier run), then compared with [`Client::hash`] of the remote
    /// file. A difference is [`DownloadError::Digest`], naming both. A
    /// server with no hash is checked by SIZE instead ([`Verified::SizeOnly`]).
    /// [`Downloaded::verified`] says which. The file is saved to disk
    /// (fsync) before it is renamed only with [`FileDownload::verify_size`]
    /// (a move), as without verify: the check is against the server, and
    /// the file is renamed into place only once it passed. With
    /// [`PreparedDownload::run_with_checker`], the server's digest is asked
    /// while the bytes stream.
    pub fn verify(mut self, verify: bool) -> Self {
        self.verify = verify;
        self
    }

    /// Asks the server's SIZE before a [`Partial::Temporary`] download, so
    /// that [`Progress`] knows the total even when the 150 reply does not
    /// say it (one command more).
    pub fn ask_size(mut self, ask_size: bool) -> Self {
        self.ask_size = ask_size;
        self
    }

    /// What the transfer is held to: its own rate, and a total shared
    /// with other transfers (see [`RateLimits`](crate::RateLimits)).
    pub fn limits(mut self, limits: crate::RateLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The name [`Transfer::path`] shows; the remote path (lossily decoded)
    /// by default.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The local file the download ends at.
    pub fn local(&self) -> &Path {
        &self.local
    }

    /// Creates (or opens, to continue it) the file the download is
    /// written to, before any word to the server.
    pub fn prepare(self) -> Result<PreparedDownload, DownloadError> {
        let file = match self.partial {
            Partial::Temporary => Local::Temporary(self.temporary()?),
            Partial::Resume | Partial::Retry { .. } => self.open_partial()?,
        };
        Ok(PreparedDownload { plan: self, file })
    }

    /// [`FileDownload::prepare`], then [`PreparedDownload::run`].
    pub fn run(
        self,
        client: &mut Client,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> Result<Downloaded, DownloadError> {
        self.prepare()?.run(client, progress, cancel)
    }

    pub(super) fn temporary(&self) -> Result<NamedTempFile, DownloadError> {
        let dir = match self.local.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        };
        let mut prefix = OsString::from(".");
        prefix.push(self.local.file_name().unwrap_or_default());
        prefix.push(".");
        tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".part")
            .tempfile_in(&dir)
            .map_err(|source| DownloadError::Create { path: dir, source })
    }

    fn open_partial(&self) -> Result<Local, DownloadError> {
        let path = partial_path(&self.local).ok_or_else(|| DownloadError::Create {
            path: self.local.clone(),
            source: io::Error::new(io::ErrorKind::InvalidInput, "no file name"),
        })?;
        let fresh = self.partial == Partial::Retry { fresh: true };
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(fresh)
            .write(true)
            .open(&path)
            .map_err(|source| DownloadError::Create {
                path: path.clone(),
                source,
            })?;
        let offset = file
            .seek(SeekFrom::End(0))
            .map_err(|source| DownloadError::Read {
                path: path.clone(),
                source,
            })?;
        Ok(Local::Partial { file, path, offset })
    }

    pub(super) fn label_text(&self) -> String {
        self.label
            .clone()
            .unwrap_or_else(|| String::from_utf8_lossy(&self.remote).into_owned())
    }
}

/// The file a download is written to.
#[derive(Debug)]
enum Local {
    Temporary(NamedTempFile),
    Partial {
        file: File,
        path: PathBuf,
        /// The bytes it held when opened.
        offset: u64,
    },
}

/// A [`FileDownload`] whose local file exists: [`PreparedDownload::run`]
/// carries it out. Dropped without running, a [`Partial::Temporary`] file
/// is removed and a partial file stays.
#[derive(Debug)]
pub struct PreparedDownload {
    plan: FileDownload,
    file: Local,
}

impl PreparedDownload {
    /// The file the download is written to until confirmed.
    pub fn partial_path(&self) -> &Path {
        match &self.file {
            Local::Temporary(temp) => temp.path(),
            Local::Partial { path, .. } => path,
        }
    }

    /// The bytes a partial file already holds, which the download will
    /// continue from if the server agrees (0 for a temporary file).
    pub fn offset(&self) -> u64 {
        match &self.file {
            Local::Temporary(_) => 0,
            Local::Partial { offset, .. } => *offset,
        }
    }

    /// Downloads over `client`, reporting the transfer to `progress`; the
    /// transfer is cut when `cancel` fires. On success the file is at its
    /// destination; on failure the temporary file is removed, a partial
    /// file kept as [`Partial`] says.
    pub fn run(
        self,
        client: &mut Client,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> Result<Downloaded, DownloadError> {
        self.run_checked(client, None, progress, cancel)
    }

    /// [`PreparedDownload::run`], with a second session to the same server
    /// (`checker`) for [`FileDownload::verify`]: while a
    /// [`Partial::Temporary`] download streams over `client`, `checker`
    /// asks the file's time (MDTM) and the server's digest, so that the
    /// server hashes the file while it sends it instead of after. The
    /// digest counts if the file's time, asked on `client` after the
    /// transfer, has not changed; otherwise (or when `checker` cannot tell)
    /// the digest is asked on `client` after the transfer, as
    /// [`PreparedDownload::run`] does. A file changed on the server between
    /// the transfer and the check is caught either way.
    pub fn run_with_checker(
        self,
        client: &mut Client,
        checker: &mut Client,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> Result<Downloaded, DownloadError> {
        self.run_checked(client, Some(checker), progress, cancel)
    }

    fn run_checked(
        self,
        client: &mut Client,
        checker: Option<&mut Client>,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> Result<Downloaded, DownloadError> {
        if cancel.is_cancelled() {
            return Err(self.fail(DownloadError::Cancelled));
        }
        let PreparedDownload { plan, file } = self;
        match file {
            Local::Temporary(temp) => {
                let run = Run {
                    client,
                    checker,
                    progress,
                    cancel,
                };
                plan.run_temporary(temp, run)
            }
            Local::Partial { file, path, offset } => {
                let mut partial = PartialFile { file, path, offset };
                let result = plan.run_partial(&mut partial, client, progress, cancel);
                if result.is_err() && plan.partial == Partial::Resume {
                    // Nothing arrived: no partial file to keep.
                    if fs::metadata(&partial.path).is_ok_and(|m| m.len() == 0) {
                        let _ = fs::remove_file(&partial.path);
                    }
                }
                result
            }
        }
    }

    fn fail(self, error: DownloadError) -> DownloadError {
        if let Local::Partial {
            path, offset: 0, ..
        } = &self.file
        {
            if self.plan.partial == Partial::Resume {
                let _ = fs::remove_file(path);
            }
        }
        error
    }
}

/// Where [`FileDownload::fetch`] writes: the file, through the hasher
/// of a verified download.
struct Sink<'a> {
    file: &'a mut File,
    hasher: Option<&'a mut Hasher>,
}

/// The sessions and observers a [`Partial::Temporary`] download runs with.
struct Run<'a, 'c> {
    client: &'a mut Client,
    /// A second session to the same server, for the digest.
    checker: Option<&'c mut Client>,
    progress: &'a dyn Progress,
    cancel: &'a Cancel,
}

/// An open partial file.
struct PartialFile {
    file: File,
    path: PathBuf,
    offset: u64,
}

impl FileDownload {
    fn run_temporary(
        &self,
        mut temp: NamedTempFile,
        run: Run<'_, '_>,
    ) -> Result<Downloaded, DownloadError> {
        let Run {
            client,
            checker,
            progress,
            cancel,
        } = run;
        let size = if self.ask_size {
            client.size(&self.remote).ok()
        } else {
            None
        };
        let (received, verified) =
            self.fetch_checked(client, checker, temp.as_file_mut(), size, progress, cancel)?;
        if self.verify_size {
            // A move: the source is deleted next, so the file must be on
            // disk before it is renamed. A verified download was checked
            // already; another is checked by SIZE.
            if !self.verify {
                self.check_size(client, received)?;
            }
            self.save(temp.as_file())?;
        }
        let modified = self.set_time(client, temp.as_file());
        if let Some(permissions) = permissions_for(&self.local) {
            // Best effort: nicer than the temporary file's private mode,
            // but not worth failing the download for.
            let _ = temp.as_file().set_permissions(permissions);
        }
        temp.persist(&self.local)
            .map_err(|e| DownloadError::Rename {
                path: self.local.clone(),
                source: e.error,
            })?;
        Ok(Downloaded {
            received,
            offset: 0,
            modified,
            verified,
        })
    }

    /// RETR into `file`, hashed on the way and checked when verifying
    /// (the server's digest asked over `checker` during the transfer, if
    /// there is one; see [`PreparedDownload::run_with_checker`]); the
    /// bytes received and what they were checked against.
    fn fetch_checked(
        &self,
        client: &mut Client,
        checker: Option<&mut Client>,
        file: &mut File,
        size: Option<u64>,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> Result<(u64, Option<Verified>), DownloadError> {
        let algorithm = if self.verify {
            verify::algorithm(client)
        } else {
            None
        };
        let mut hasher = algorithm.map(Hasher::new);
        let sink = Sink {
            file,
            hasher: hasher.as_mut(),
        };
        let (fetched, early) = match (checker, algorithm) {
            (Some(checker), Some(algorithm)) => std::thread::scope(|scope| {
                let remote = &self.remote;
                let asked = scope.spawn(move || verify::Early::ask(checker, remote, algorithm));
                let fetched = self.fetch(client, sink, 0, size, progress, cancel);
                (fetched, asked.join().ok().flatten())
            }),
            _ => (self.fetch(client, sink, 0, size, progress, cancel), None),
        };
        let (received, announced) = fetched?;
        if let Some(announced) = announced.filter(|&n| n != received) {
            return Err(DownloadError::Announced {
                received,
                announced,
            });
        }
        if !self.verify {
            return Ok((received, None));
        }
        let local = hasher.map(Hasher::finish);
        let early = early.and_then(|early| early.still_current(client, &self.remote));
        let verified = match (early, local) {
            (Some(server), Some(local)) => {
                verify::compare(server, local, received).map_err(|m| self.mismatch(m, received))?
            }
            (_, local) => self.check(client, local, received)?,
        };
        Ok((received, Some(verified)))
    }

    /// [`FileDownload::verify_size`] without a digest: the server's SIZE
    /// equals the bytes received (a server without SIZE is taken at its
    /// word).
    fn check_size(&self, client: &mut Client, received: u64) -> Result<(), DownloadError> {
        match client.size(&self.remote) {
            Ok(size) if size == received => Ok(()),
            Ok(size) => Err(DownloadError::SizeMismatch {
                total: received,
                size,
            }),
            Err(e) if e.code().is_some_and(|c| c >= 500) => Ok(()),
            Err(e) => Err(DownloadError::Verify(e)),
        }
    }

    fn run_partial(
        &self,
        partial: &mut PartialFile,
        client: &mut Client,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> Result<Downloaded, DownloadError> {
        let retrying = matches!(self.partial, Partial::Retry { .. });
        let mut offset = partial.offset;
        let size = remote_size(client, &self.remote).map_err(DownloadError::Transfer)?;
        if retrying && size.is_some_and(|size| offset > size) {
            // Ours, from an attempt at a file that has changed since.
            offset = partial.restart()?;
        }
        if let Some(size) = size.filter(|&size| offset > size) {
            return Err(DownloadError::PartialTooLong {
                path: partial.path.clone(),
                held: offset,
                size,
            });
        }
        let received = if size == Some(offset) && offset > 0 {
            // All there: an earlier run ended between the data and the
            // rename.
            0
        } else {
            let sink = Sink {
                file: &mut partial.file,
                hasher: None,
            };
            match self.fetch(client, sink, offset, size, progress, cancel) {
                Ok((received, _)) => received,
                // A retry on a server without REST starts from zero.
                Err(DownloadError::Transfer(e)) if offset > 0 && is_rest_refusal(&e) => {
                    if !retrying {
                        return Err(DownloadError::NoResume(e));
                    }
                    offset = partial.restart()?;
                    let sink = Sink {
                        file: &mut partial.file,
                        hasher: None,
                    };
                    self.fetch(client, sink, 0, size, progress, cancel)?.0
                }
                Err(e) => return Err(e),
            }
        };
        let total = offset + received;
        if let Some(size) = size.filter(|&size| size != total) {
            return Err(DownloadError::SizeMismatch { total, size });
        }
        let verified = if self.verify {
            Some(self.check_partial(client, partial, total)?)
        } else {
            None
        };
        let file = &partial.file;
        self.save(file)?;
        let modified = self.set_time(client, file);
        if let Some(permissions) = permissions_for(&self.local) {
            let _ = file.set_permissions(permissions);
        }
        fs::rename(&partial.path, &self.local).map_err(|source| DownloadError::Rename {
            path: self.local.clone(),
            source,
        })?;
        Ok(Downloaded {
            received,
            offset,
            modified,
            verified,
        })
    }

    /// RETR from `offset` into the sink's file (through its hasher, if
    /// any), the transfer shown to `progress` and cut by `cancel`; the
    /// bytes received and the size the 150 reply announced.
    fn fetch(
        &self,
        client: &mut Client,
        sink: Sink<'_>,
        offset: u64,
        size: Option<u64>,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> Result<(u64, Option<u64>), DownloadError> {
        let mut download = client
            .retrieve_stream_from(&self.remote, offset)
            .map_err(DownloadError::Transfer)?;
        download.limit(&self.limits);
        let announced = download.size_hint();
        let transfer = Transfer::new(
            self.label_text(),
            Direction::Download,
            if offset == 0 {
                announced.or(size)
            } else {
                size
            },
            offset,
            download.counter(),
        );
        let _cut = cancel.cut_on_cancel(download.canceller());
        progress.started(&transfer);
        let large = announced.or(size).is_none_or(|n| n >= HASH_BESIDE_FROM);
        let copied = match sink.hasher {
            // Through memory, to be hashed on the way: on a thread of its
            // own, beside the transfer, unless the file is known small.
            Some(hasher) if large => {
                verify::hash_beside(sink.file, hasher, |out| download.copy_to_end(out))
            }
            Some(hasher) => download.copy_to_end(&mut Hashing::new(sink.file, hasher)),
            None => download.copy_to_file(sink.file),
        };
        let received = copied.and_then(|_| download.finish());
        let outcome = if received.is_ok() {
            Outcome::Done
        } else {
            Outcome::Failed
        };
        progress.finished(&transfer, outcome);
        let received = received.map_err(DownloadError::Transfer)?;
        Ok((received, if offset == 0 { announced } else { None }))
    }

    /// The verification of a download of `len` bytes whose digest is
    /// `local` (`None`: the server has no hash).
    fn check(
        &self,
        client: &mut Client,
        local: Option<Digest>,
        len: u64,
    ) -> Result<Verified, DownloadError> {
        verify::check(client, &self.remote, local, len).map_err(|m| self.mismatch(m, len))
    }

    /// The error of a failed verification of `len` bytes.
    fn mismatch(&self, mismatch: Mismatch, len: u64) -> DownloadError {
        match mismatch {
            Mismatch::Digest { local, server } => DownloadError::Digest { local, server },
            Mismatch::Range { range, size } => DownloadError::DigestRange { range, size },
            Mismatch::Size { size } => DownloadError::SizeMismatch { total: len, size },
            Mismatch::Server(e) => DownloadError::Verify(e),
        }
    }

    /// The verification of a continued download: part of it came in an
    /// earlier run, so the whole file is read to hash it.
    fn check_partial(
        &self,
        client: &mut Client,
        partial: &PartialFile,
        len: u64,
    ) -> Result<Verified, DownloadError> {
        let local = match verify::algorithm(client) {
            Some(algorithm) => {
                let mut hasher = Hasher::new(algorithm);
                File::open(&partial.path)
                    .and_then(|mut file| hasher.read_all(&mut file))
                    .map_err(|source| DownloadError::Read {
                        path: partial.path.clone(),
                        source,
                    })?;
                Some(hasher.finish())
            }
            None => None,
        };
        self.check(client, local, len)
    }

    pub(super) fn save(&self, file: &File) -> Result<(), DownloadError> {
        file.sync_all().map_err(|source| DownloadError::Save {
            path: self.local.clone(),
            source,
        })
    }

    /// The server's time given to `file`, when asked for and known.
    pub(super) fn set_time(&self, client: &mut Client, file: &File) -> Option<SystemTime> {
        if !self.keep_time {
            return None;
        }
        let time = match client.mdtm(&self.remote) {
            Ok(time) => time.to_system_time()?,
            Err(e) => {
                tracing::debug!(
                    "MDTM {}: {e}; the file keeps its own time",
                    String::from_utf8_lossy(&self.remote)
                );
                return None;
            }
        };
        file.set_modified(time).ok().map(|()| time)
    }
}

impl PartialFile {
    /// Empties the partial file to start over; its new offset, 0.
    fn restart(&mut self) -> Result<u64, DownloadError> {
        self.file
            .set_len(0)
            .and_then(|()| self.file.seek(SeekFrom::Start(0)))
            .map_err(|source| DownloadError::Read {
                path: self.path.clone(),
                source,
            })
    }
}

/// The server's SIZE of `path`: `None` when the server has no SIZE (5xx
/// other than 550).
pub(super) fn remote_size(client: &mut Client, path: &[u8]) -> Result<Option<u64>, Error> {
    match client.size(path) {
        Ok(size) => Ok(Some(size)),
        Err(e) if e.code() == Some(550) => Err(e),
        Err(e) if e.code().is_some_and(|c| c >= 500) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether `e` is the server refusing REST.
pub(super) fn is_rest_refusal(e: &Error) -> bool {
    matches!(e, Error::Refused { command, .. } if command.starts_with("REST "))
}

/// The mode a new download gets: the existing file's, or the usual
/// `rw-r--r--` rather than the temporary file's private mode.
pub(crate) fn permissions_for(target: &Path) -> Option<fs::Permissions> {
    if let Ok(existing) = fs::metadata(target) {
        return Some(existing.permissions());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(fs::Permissions::from_mode(0o644))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_files_sit_beside_the_destination() {
        assert_eq!(
            partial_path(Path::new("dir/f.bin")),
            Some(PathBuf::from("dir/.f.bin.part"))
        );
        assert_eq!(partial_path(Path::new("f")), Some(PathBuf::from(".f.part")));
        assert_eq!(partial_path(Path::new("/")), None);
    }

    #[test]
    fn prepare_creates_the_local_file_before_any_connection() {
        let dir = tempfile::tempdir().unwrap();
        let dst = dir.path().join("f.bin");
        // A temporary file: `.f.bin.XXXXXX.part`, gone when dropped.
        let prepared = FileDownload::new("f.bin", &dst).prepare().unwrap();
        let name = prepared
            .partial_path()
            .file_name()
            .unwrap()
            .to_string_lossy();
        assert!(
            name.starts_with(".f.bin.") && name.ends_with(".part"),
            "{name}"
        );
        assert_eq!(prepared.offset(), 0);
        let temp = prepared.partial_path().to_owned();
        drop(prepared);
        assert!(!temp.exists());
        // A partial file is continued from its end, and stays.
        fs::write(dir.path().join(".f.bin.part"), b"abc").unwrap();
        let prepared = FileDownload::new("f.bin", &dst)
            .resume(true)
            .prepare()
            .unwrap();
        assert_eq!(prepared.offset(), 3);
        drop(prepared);
        assert!(remove_partial(&dst));
        assert!(!remove_partial(&dst));
        // A retry's first attempt starts it afresh.
        fs::write(dir.path().join(".f.bin.part"), b"abc").unwrap();
        let prepared = FileDownload::new("f.bin", &dst)
            .partial(Partial::Retry { fresh: true })
            .prepare()
            .unwrap();
        assert_eq!(prepared.offset(), 0);
        assert!(!dst.exists());
    }

    #[test]
    fn an_unwritable_destination_fails_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let dst = dir.path().join("no/such/dir/f.bin");
        let failed = FileDownload::new("f.bin", &dst).prepare().unwrap_err();
        assert!(
            matches!(&failed, DownloadError::Create { path, .. } if path.ends_with("no/such/dir")),
            "{failed:?}"
        );
        assert!(
            failed.to_string().starts_with("cannot write to "),
            "{failed}"
        );
        assert!(!failed.is_transient());
    }
}
