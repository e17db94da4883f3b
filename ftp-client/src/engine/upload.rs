//! [`FileUpload`]: one local file uploaded safely to the server.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::time::Duration;

use super::verify::{self, Hasher, Hashing, Mismatch, Verified};
use super::{Cancel, Direction, Outcome, Progress, Transfer};
use crate::{Client, Digest, EntryType, Error, HashAlgorithm, RenameCheck, Timestamp};

/// How long the clean-up after a cancelled upload may wait for each reply.
const CLEANUP_TIMEOUT: Duration = Duration::from_millis(900);

/// What an upload would land on ([`upload_target`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadTarget {
    /// No file: the upload goes straight to its name.
    New,
    /// A directory (known where the server has MLST): the upload goes
    /// into it, under the source's name.
    Directory,
    /// A file that a complete upload can be renamed over.
    Replaceable,
    /// A file the server will not let this login rename (an upload-only
    /// directory): a temporary upload could be neither renamed over it
    /// nor deleted, so nothing is uploaded. Why, for the message.
    Irreplaceable(String),
}

/// Looks at the target of an upload: MLST where the server has it (type
/// and the `perm` fact's `f`, rename allowed), otherwise SIZE (213 a file,
/// 550 none) and, for an existing file, the session's rename check (RNFR,
/// ended by an RNTO onto the same name: [`Client::check_rename`]). A
/// server that cannot say is taken to have a replaceable file, so that
/// nothing is overwritten before a complete upload.
pub fn upload_target(client: &mut Client, path: &[u8]) -> Result<UploadTarget, Error> {
    if client.features()?.supports("MLST") {
        match client.mlst(path) {
            Ok(facts) => {
                return Ok(match (facts.entry_type, facts.perm) {
                    // A directory: the file goes into it.
                    (Some(EntryType::Dir | EntryType::CurrentDir), _) => UploadTarget::Directory,
                    // Not a file: STOR gets the server's own refusal.
                    (Some(kind), _) if kind != EntryType::File => UploadTarget::New,
                    (_, Some(perm)) if !perm.contains(['f', 'F']) => UploadTarget::Irreplaceable(
                        format!("its MLST permissions {perm:?} do not include renaming (f)"),
                    ),
                    _ => UploadTarget::Replaceable,
                });
            }
            Err(e) if e.code() == Some(550) => return Ok(UploadTarget::New),
            // MLST refused otherwise: ask as servers without it are asked.
            Err(e) if e.code().is_some_and(|code| code >= 500) => {}
            Err(e) => return Err(e),
        }
    }
    match client.size(path) {
        Ok(_) => {}
        Err(e) if e.code() == Some(550) => return Ok(UploadTarget::New),
        Err(e) if e.code().is_some_and(|code| code >= 500) => return Ok(UploadTarget::Replaceable),
        Err(e) => return Err(e),
    }
    // The session's check ends the RNFR it sends with an RNTO onto the
    // same name; a refusal stops the upload here, having changed nothing.
    Ok(match client.check_rename(path)? {
        RenameCheck::Allowed => UploadTarget::Replaceable,
        RenameCheck::Refused(reply) => UploadTarget::Irreplaceable(rename_refusal(path, &reply)),
    })
}

/// Why a file cannot be replaced by a rename, as RNFR's refusal says.
pub fn rename_refusal(path: &[u8], reply: &crate::Reply) -> String {
    format!("RNFR {}: {reply}", String::from_utf8_lossy(path))
}

/// `dir/.name.PID.part` for `dir/name`: where a replacement is uploaded
/// before it is renamed over the original.
pub fn temporary_name(path: &[u8]) -> Vec<u8> {
    let (dir, name) = split_name(path);
    let mut temp = dir.to_vec();
    temp.push(b'.');
    temp.extend_from_slice(name);
    temp.extend_from_slice(format!(".{}.part", std::process::id()).as_bytes());
    temp
}

/// `dir/.name.part` for `dir/name`: the partial upload a resumed upload
/// continues, the same on every run.
pub fn partial_name(path: &[u8]) -> Vec<u8> {
    let (dir, name) = split_name(path);
    let mut part = dir.to_vec();
    part.push(b'.');
    part.extend_from_slice(name);
    part.extend_from_slice(b".part");
    part
}

fn split_name(path: &[u8]) -> (&[u8], &[u8]) {
    let split = path.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
    path.split_at(split)
}

/// An upload of one local file to the server, never leaving a half file
/// where a whole one was: a new name gets the upload straight (upload-only
/// drop boxes allow nothing else); an existing file is replaced only by a
/// complete upload sent to a temporary name ([`temporary_name`]) and
/// renamed over it once the server confirmed it, and not at all when the
/// server says it cannot be renamed ([`upload_target`]); an existing
/// directory takes the file under its local name. A failed upload's
/// remote file is deleted (where the server allows).
///
/// With [`FileUpload::resume`] the upload goes to `.NAME.part` beside the
/// target ([`partial_name`]), continuing what an earlier run left there
/// (REST + STOR, or APPE), and is renamed onto the target once complete;
/// a failure keeps it for the next run.
///
/// ```no_run
/// use ftp_client::engine::{Cancel, FileUpload};
/// use ftp_client::{Client, Config, FtpUrl};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let url = FtpUrl::parse("ftp://demo:password@127.0.0.1:2121/")?;
/// let mut ftp = Client::connect_url(&url, Config::default())?;
/// let done = FileUpload::new("2026.pdf", "reports/")
///     .keep_time(true)
///     .run(&mut ftp, &(), &Cancel::new())?;
/// println!(
///     "{} bytes to {}, replacing a file: {}",
///     done.sent,
///     String::from_utf8_lossy(&done.remote),
///     done.replaced
/// );
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct FileUpload {
    local: PathBuf,
    remote: Vec<u8>,
    resume: bool,
    keep_time: bool,
    verify_size: bool,
    verify: bool,
    label: Option<String>,
    limits: crate::RateLimits,
}

/// What an upload did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Uploaded {
    /// The remote path the file now has.
    pub remote: Vec<u8>,
    /// The bytes this upload sent.
    pub sent: u64,
    /// The bytes a partial upload already held, continued from.
    pub offset: u64,
    /// Whether it replaced an existing file.
    pub replaced: bool,
    /// Whether the server took the local file's time (MFMT).
    pub time_kept: bool,
    /// What the upload was checked against, when [`FileUpload::verify`]
    /// asked for it.
    pub verified: Option<Verified>,
}

/// What became of the remote file a failed upload was writing.
#[derive(Debug)]
pub enum Leftover {
    /// Nothing was left (or nothing written).
    Nothing,
    /// It was deleted.
    Deleted(Vec<u8>),
    /// The server refused to delete it (why): it stays.
    Stays(Vec<u8>, Box<Error>),
    /// A resumed upload's partial file, kept for the next run.
    Kept(Vec<u8>),
}

/// Why an upload failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UploadError {
    /// The local file could not be opened or read.
    #[error("{}: {source}", path.display())]
    Local {
        /// The local file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The local path is a directory.
    #[error("{}: is a directory", path.display())]
    LocalDirectory {
        /// The local path.
        path: PathBuf,
    },
    /// The local path has no file name to upload under.
    #[error("{}: no file name to upload as", path.display())]
    NoName {
        /// The local path.
        path: PathBuf,
    },
    /// The target is a directory on the server (and the upload does not
    /// go into it: a resumed upload, or a directory inside one).
    #[error("{}: is a directory on the server", String::from_utf8_lossy(remote))]
    RemoteDirectory {
        /// The remote path.
        remote: Vec<u8>,
    },
    /// The target exists and the server will not let it be replaced.
    #[error("the file exists and cannot be replaced safely: {0}; nothing was uploaded")]
    Irreplaceable(String),
    /// The server refused, the connection failed, or the transfer did;
    /// `leftover` says what became of the remote file.
    #[error("{error}")]
    Transfer {
        /// The failure.
        error: Box<Error>,
        /// The remote file it was writing.
        leftover: Leftover,
    },
    /// The local file's length changed while it was sent.
    #[error("sent {sent} bytes but the file has {len}; did it change during the upload?")]
    Changed {
        /// Bytes sent (a resumed upload's offset included).
        sent: u64,
        /// The file's length when the upload began.
        len: u64,
        /// What became of the remote file.
        leftover: Leftover,
    },
    /// The server's SIZE disagrees with the bytes sent.
    #[error("transferred {sent} bytes but the server reports {size}")]
    SizeMismatch {
        /// Bytes sent in all.
        sent: u64,
        /// The server's SIZE.
        size: u64,
        /// What became of the remote file.
        leftover: Leftover,
    },
    /// SIZE after the transfer failed otherwise than with a 5xx, or (with
    /// [`FileUpload::verify`]) the server's digest could not be had.
    #[error("{0}")]
    Verify(Error),
    /// [`FileUpload::verify`]: the server's digest of the upload differs
    /// from the local file's. It was not renamed into place, and was
    /// deleted where the server allows (`leftover`).
    #[error("{} mismatch: the server's is {server}, the file's {local}", local.algorithm())]
    Digest {
        /// The digest of the bytes sent.
        local: Box<Digest>,
        /// The server's.
        server: Box<Digest>,
        /// What became of the remote file.
        leftover: Leftover,
    },
    /// [`FileUpload::verify`]: the server's digest covers another range of
    /// bytes than the upload's.
    #[error("the server's digest covers bytes {}-{}, not the {size} bytes sent", range.0, range.1)]
    DigestRange {
        /// The range the server named.
        range: (u64, u64),
        /// The bytes sent.
        size: u64,
        /// What became of the remote file.
        leftover: Leftover,
    },
    /// The complete upload could not be renamed onto the target.
    #[error("{error}")]
    Rename {
        /// The refusal.
        error: Box<Error>,
        /// What became of the complete upload.
        leftover: Leftover,
    },
    /// A resumed upload needs SIZE, which the server does not have.
    #[error("the server does not report file sizes (SIZE), so an upload cannot be resumed")]
    NoSize,
    /// The server refused REST: the partial upload cannot be continued.
    #[error("the server cannot resume transfers ({0})")]
    NoResume(Error),
    /// The partial upload holds more than the local file.
    #[error(
        "the partial upload {} holds {held} bytes, more than the {len} of the file",
        String::from_utf8_lossy(remote)
    )]
    PartialTooLong {
        /// The partial upload.
        remote: Vec<u8>,
        /// Its bytes.
        held: u64,
        /// The local file's.
        len: u64,
    },
    /// A stream ([`FileUpload::from_reader`]) cannot be resumed.
    #[error("a stream cannot be resumed (no partial upload to continue from)")]
    StreamNotResumable,
    /// [`Cancel::cancel`] was called before the upload began.
    #[error("cancelled")]
    Cancelled,
}

impl UploadError {
    /// Whether another attempt may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            UploadError::Transfer { error, .. } | UploadError::Rename { error, .. } => {
                super::is_transient(error)
            }
            _ => false,
        }
    }
}

impl super::Retryable for UploadError {
    fn is_retryable(&self) -> bool {
        self.is_transient()
    }
}

impl FileUpload {
    /// An upload of the local file `local` to the server's `remote` (a
    /// path ending in `/` names a directory: the file goes into it under
    /// its local name).
    pub fn new(local: impl Into<PathBuf>, remote: impl AsRef<[u8]>) -> Self {
        FileUpload {
            local: local.into(),
            remote: remote.as_ref().to_vec(),
            resume: false,
            keep_time: false,
            verify_size: false,
            verify: false,
            label: None,
            limits: crate::RateLimits::default(),
        }
    }

    /// Continues the partial upload `.NAME.part` an earlier run left.
    pub fn resume(mut self, resume: bool) -> Self {
        self.resume = resume;
        self
    }

    /// Gives the remote file the local file's modification time (MFMT),
    /// where the server has MFMT.
    pub fn keep_time(mut self, keep_time: bool) -> Self {
        self.keep_time = keep_time;
        self
    }

    /// Asks the server's SIZE of the upload before it is renamed into
    /// place and fails unless it equals the bytes sent (a server without
    /// SIZE is taken at its word): for a move, whose source is deleted
    /// next. A resumed upload always checks it.
    pub fn verify_size(mut self, verify_size: bool) -> Self {
        self.verify_size = verify_size;
        self
    }

    /// Checks the upload against the server's digest before it is renamed
    /// into place (or, sent straight to its name, before it is reported
    /// done): the strongest algorithm the server has
    /// ([`Client::hash_algorithms`]) is computed while the bytes are sent
    /// (the file is read once, through memory rather than the kernel's
    /// zero-copy path; a resumed upload's file is read once more, since
    /// part of it went in an earlier run), then compared with
    /// [`Client::hash`] of the upload. A difference is
    /// [`UploadError::Digest`], naming both; the upload is then deleted
    /// where the server allows, and a file it was to replace stays as it
    /// was. A server with no hash is checked by SIZE instead
    /// ([`Verified::SizeOnly`]). [`Uploaded::verified`] says which.
    pub fn verify(mut self, verify: bool) -> Self {
        self.verify = verify;
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

    /// Opens the local file, before any word to the server.
    pub fn prepare(self) -> Result<PreparedUpload<'static>, UploadError> {
        let local_error = |source| UploadError::Local {
            path: self.local.clone(),
            source,
        };
        let file = File::open(&self.local).map_err(local_error)?;
        let metadata = file.metadata().map_err(local_error)?;
        if metadata.is_dir() {
            return Err(UploadError::LocalDirectory { path: self.local });
        }
        let Some(name) = self.local.file_name() else {
            return Err(UploadError::NoName { path: self.local });
        };
        let name = os_bytes(name);
        let mut remote = self.remote.clone();
        let into_directory = remote.ends_with(b"/");
        if into_directory {
            remote.extend_from_slice(&name);
        }
        Ok(PreparedUpload {
            len: Some(metadata.len()),
            modified: metadata.modified().ok(),
            source: Source::File(file),
            remote,
            name: Some(name),
            into_directory,
            algorithm: None,
            digest: None,
            plan: self,
        })
    }

    /// An upload of what `reader` gives (standard input, say) rather than
    /// the local file, to the remote path (which must name a file): no
    /// length to check, no time to keep, nothing to resume; a new file
    /// still goes straight to its name and an existing one is replaced
    /// through a temporary name. A directory there is
    /// [`UploadError::RemoteDirectory`] (a stream has no name to go into
    /// it under, unless [`PreparedUpload::named`] gives it one).
    ///
    /// The reader may borrow (another session's download, say): a reader
    /// that fails ends the upload, whose remote file is then deleted, so
    /// nothing is renamed over a file there.
    pub fn from_reader<'r>(self, reader: impl Read + Send + 'r) -> PreparedUpload<'r> {
        PreparedUpload {
            len: None,
            modified: None,
            source: Source::Reader(Box::new(reader)),
            remote: self.remote.clone(),
            name: None,
            into_directory: false,
            algorithm: None,
            digest: None,
            plan: self,
        }
    }

    /// [`FileUpload::prepare`], then [`PreparedUpload::run`].
    pub fn run(
        self,
        client: &mut Client,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> Result<Uploaded, UploadError> {
        self.prepare()?.run(client, progress, cancel)
    }
}

/// A [`FileUpload`] whose source is open: a local file
/// ([`FileUpload::prepare`]) or a stream ([`FileUpload::from_reader`]).
#[derive(Debug)]
pub struct PreparedUpload<'r> {
    plan: FileUpload,
    source: Source<'r>,
    /// The file's length; unknown for a stream.
    len: Option<u64>,
    modified: Option<std::time::SystemTime>,
    /// Where it goes (a directory's path with the name added).
    remote: Vec<u8>,
    /// The local file's name, as sent; a stream has none.
    name: Option<Vec<u8>>,
    /// The path named a directory, or the upload went into one already.
    into_directory: bool,
    /// [`FileUpload::verify`]: the digest computed as the bytes are sent.
    algorithm: Option<HashAlgorithm>,
    /// The digest of the bytes the last upload from offset 0 sent.
    digest: Option<Digest>,
}

/// What an upload sends.
enum Source<'r> {
    File(File),
    Reader(Box<dyn Read + Send + 'r>),
}

impl std::fmt::Debug for Source<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File(file) => f.debug_tuple("File").field(file).finish(),
            Source::Reader(_) => f.write_str("Reader"),
        }
    }
}

/// Where a probed upload goes.
struct Landing {
    /// Its name once complete.
    target: Vec<u8>,
    /// Where it is sent (the target, or a temporary name).
    upload_path: Vec<u8>,
    replacing: bool,
}

impl PreparedUpload<'_> {
    /// A stream's name ([`FileUpload::from_reader`]): an existing
    /// directory at the remote path takes the upload under it.
    pub fn named(mut self, name: impl AsRef<[u8]>) -> Self {
        self.name = Some(name.as_ref().to_vec());
        self
    }

    /// A stream's length, when known beforehand: the transfer's total for
    /// the [`Progress`], and checked against the bytes sent before the
    /// upload is renamed into place ([`UploadError::Changed`]).
    pub fn length(mut self, len: Option<u64>) -> Self {
        if matches!(self.source, Source::Reader(_)) {
            self.len = len;
        }
        self
    }

    /// The remote path the upload goes to (before a directory there is
    /// found).
    pub fn remote(&self) -> &[u8] {
        &self.remote
    }

    /// The local file's length; `None` for a stream.
    pub fn file_len(&self) -> Option<u64> {
        self.len
    }

    /// Uploads over `client`, reporting the transfer to `progress`; cut
    /// when `cancel` fires, the remote file then deleted (each reply
    /// awaited at most 0.9 s) unless a resumed upload keeps it.
    pub fn run(
        mut self,
        client: &mut Client,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> Result<Uploaded, UploadError> {
        if cancel.is_cancelled() {
            return Err(UploadError::Cancelled);
        }
        if self.plan.resume {
            return self.run_resumed(client, progress, cancel);
        }
        let landing = self.land(client)?;
        if self.plan.verify {
            self.algorithm = verify::algorithm(client);
        }
        let sent = match self.send_with(client, &landing.upload_path, 0, false, progress, cancel) {
            Ok(sent) => sent,
            Err(e) if self.stor_refused_for_directory(client, &landing, &e) => {
                if self.name.is_none() {
                    return Err(UploadError::RemoteDirectory {
                        remote: landing.target,
                    });
                }
                self.descend();
                // A stream is untouched: STOR was refused before any byte.
                if matches!(self.source, Source::File(_)) {
                    self.seek(0)?;
                }
                return self.run(client, progress, cancel);
            }
            Err(error) => {
                let leftover = delete_leftover(client, &landing.upload_path, cancel);
                return Err(UploadError::Transfer {
                    error: Box::new(error),
                    leftover,
                });
            }
        };
        self.finish(client, landing, sent, cancel)
    }

    /// The checks after the data went: length, SIZE, rename, time.
    fn finish(
        &self,
        client: &mut Client,
        landing: Landing,
        sent: u64,
        cancel: &Cancel,
    ) -> Result<Uploaded, UploadError> {
        if let Some(len) = self.len.filter(|&len| len != sent) {
            let leftover = delete_leftover(client, &landing.upload_path, cancel);
            return Err(UploadError::Changed {
                sent,
                len,
                leftover,
            });
        }
        let verified = if self.plan.verify {
            match verify::check(client, &landing.upload_path, self.digest.clone(), sent) {
                Ok(verified) => Some(verified),
                Err(mismatch) => {
                    return Err(failed_check(
                        client,
                        &landing.upload_path,
                        mismatch,
                        sent,
                        cancel,
                    ));
                }
            }
        } else {
            None
        };
        if self.plan.verify_size && !self.plan.verify {
            if let Err(e) = confirm_size(client, &landing.upload_path, sent) {
                return Err(match (e, landing.replacing) {
                    (UploadError::SizeMismatch { sent, size, .. }, true) => {
                        UploadError::SizeMismatch {
                            sent,
                            size,
                            leftover: delete_leftover(client, &landing.upload_path, cancel),
                        }
                    }
                    (e, _) => e,
                });
            }
        }
        if landing.replacing {
            if let Err(error) = client.rename(&landing.upload_path, &landing.target) {
                let leftover = delete_leftover(client, &landing.upload_path, cancel);
                return Err(UploadError::Rename {
                    error: Box::new(error),
                    leftover,
                });
            }
        }
        let time_kept = self.set_time(client, &landing.target);
        Ok(Uploaded {
            remote: landing.target,
            sent,
            offset: 0,
            replaced: landing.replacing,
            time_kept,
            verified,
        })
    }

    /// Probes the target: where the upload goes, through which name.
    fn land(&mut self, client: &mut Client) -> Result<Landing, UploadError> {
        let transfer = |error| UploadError::Transfer {
            error: Box::new(error),
            leftover: Leftover::Nothing,
        };
        let (target, replacing) = loop {
            match upload_target(client, &self.remote).map_err(transfer)? {
                UploadTarget::New => break (self.remote.clone(), false),
                UploadTarget::Replaceable => break (self.remote.clone(), true),
                UploadTarget::Irreplaceable(why) => return Err(UploadError::Irreplaceable(why)),
                UploadTarget::Directory
                    if !self.into_directory && !self.plan.resume && self.name.is_some() =>
                {
                    self.descend();
                }
                UploadTarget::Directory => {
                    return Err(UploadError::RemoteDirectory {
                        remote: self.remote.clone(),
                    });
                }
            }
        };
        let upload_path = if replacing {
            temporary_name(&target)
        } else {
            target.clone()
        };
        Ok(Landing {
            target,
            upload_path,
            replacing,
        })
    }

    /// The target is a directory: the upload goes into it.
    fn descend(&mut self) {
        self.remote.push(b'/');
        self.remote
            .extend_from_slice(self.name.as_deref().unwrap_or_default());
        self.into_directory = true;
    }

    /// Back to byte `offset` of the file (a stream cannot go back).
    fn seek(&mut self, offset: u64) -> Result<(), UploadError> {
        let seeked = match &mut self.source {
            Source::File(file) => file.seek(SeekFrom::Start(offset)).map(drop),
            Source::Reader(_) => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "a stream cannot be sent again",
            )),
        };
        seeked.map_err(|source| UploadError::Local {
            path: self.plan.local.clone(),
            source,
        })
    }

    /// After a refused STOR to a new name: whether the refusal was for a
    /// directory of that name (asked only then: the probe says so where
    /// the server has MLST). Servers refuse a STOR onto a directory with
    /// 550 or 553 (vsftpd: "553 Could not create file"); a 552 (disk full)
    /// or another refusal is no reason to look.
    fn stor_refused_for_directory(
        &self,
        client: &mut Client,
        landing: &Landing,
        refusal: &Error,
    ) -> bool {
        !landing.replacing
            && !self.into_directory
            && matches!(refusal.code(), Some(550 | 553))
            && !client.is_closed()
            && client
                .stat(&landing.target)
                .is_ok_and(|entry| entry.is_dir())
    }

    /// STOR (or REST + STOR from `offset`, or APPE) of the file.
    fn send_with(
        &mut self,
        client: &mut Client,
        path: &[u8],
        offset: u64,
        append: bool,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> Result<u64, Error> {
        let mut upload = if append {
            client.append_stream(path)?
        } else {
            client.store_stream_from(path, offset)?
        };
        let label = self
            .plan
            .label
            .clone()
            .unwrap_or_else(|| String::from_utf8_lossy(&self.remote).into_owned());
        upload.limit(&self.plan.limits);
        let transfer = Transfer::new(label, Direction::Upload, self.len, offset, upload.counter());
        let _cut = cancel.cut_on_cancel(upload.canceller());
        progress.started(&transfer);
        // Verified: the bytes go through memory, to be hashed on the way.
        let mut hasher = self
            .algorithm
            .filter(|_| offset == 0 && !append)
            .map(Hasher::new);
        let sent = match (&mut self.source, hasher.as_mut()) {
            (Source::File(file), None) => upload.copy_from_file(file),
            (Source::File(file), Some(hasher)) => upload.copy_from(&mut Hashing::new(file, hasher)),
            (Source::Reader(reader), None) => upload.copy_from(reader),
            (Source::Reader(reader), Some(hasher)) => {
                upload.copy_from(&mut Hashing::new(reader, hasher))
            }
        }
        .and_then(|_| upload.finish());
        self.digest = hasher.map(Hasher::finish);
        let outcome = if sent.is_ok() {
            Outcome::Done
        } else {
            Outcome::Failed
        };
        progress.finished(&transfer, outcome);
        sent
    }

    /// MFMT of the local file's time onto `path`, where the server has it.
    fn set_time(&self, client: &mut Client, path: &[u8]) -> bool {
        if !self.plan.keep_time || !client.supports("MFMT").unwrap_or(false) {
            return false;
        }
        let Some(time) = self.modified.and_then(timestamp) else {
            return false;
        };
        match client.set_modified(path, time) {
            Ok(()) => true,
            Err(e) => {
                tracing::debug!("MFMT {}: {e}", String::from_utf8_lossy(path));
                false
            }
        }
    }

    /// The resumed upload: through `.NAME.part`, kept on failure.
    fn run_resumed(
        &mut self,
        client: &mut Client,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> Result<Uploaded, UploadError> {
        let Some(len) = self.len else {
            return Err(UploadError::StreamNotResumable);
        };
        let landing = self.land(client)?;
        let part = partial_name(&landing.target);
        let transfer = |error| UploadError::Transfer {
            error: Box::new(error),
            leftover: Leftover::Nothing,
        };
        let offset = match client.size(&part) {
            Ok(size) => size,
            Err(e) if e.code() == Some(550) => 0,
            Err(e) if e.code().is_some_and(|c| c >= 500) => return Err(UploadError::NoSize),
            Err(e) => return Err(transfer(e)),
        };
        if offset > len {
            return Err(UploadError::PartialTooLong {
                remote: part,
                held: offset,
                len,
            });
        }
        let sent = if offset < len {
            self.send_rest(client, &part, offset, len, progress, cancel)?
        } else {
            0
        };
        let kept = || Leftover::Kept(part.clone());
        match client.size(&part) {
            Ok(size) if size == len => {}
            Ok(size) => {
                return Err(UploadError::SizeMismatch {
                    sent: offset + sent,
                    size,
                    leftover: kept(),
                });
            }
            Err(e) => return Err(UploadError::Verify(e)),
        }
        let verified = if self.plan.verify {
            let local = self.file_digest(client)?;
            match verify::check(client, &part, local, len) {
                Ok(verified) => Some(verified),
                Err(mismatch) => return Err(failed_check(client, &part, mismatch, len, cancel)),
            }
        } else {
            None
        };
        if let Err(error) = client.rename(&part, &landing.target) {
            return Err(UploadError::Rename {
                error: Box::new(error),
                leftover: kept(),
            });
        }
        let time_kept = self.set_time(client, &landing.target);
        Ok(Uploaded {
            remote: landing.target,
            sent,
            offset,
            replaced: landing.replacing,
            time_kept,
            verified,
        })
    }

    /// The digest of the whole local file, read once more (a resumed
    /// upload sent only its end in this run); `None` when the server has
    /// no hash.
    fn file_digest(&mut self, client: &mut Client) -> Result<Option<Digest>, UploadError> {
        let Some(algorithm) = verify::algorithm(client) else {
            return Ok(None);
        };
        self.seek(0)?;
        let mut hasher = Hasher::new(algorithm);
        let read = match &mut self.source {
            Source::File(file) => hasher.read_all(file),
            Source::Reader(_) => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "a stream cannot be read again",
            )),
        };
        read.map_err(|source| UploadError::Local {
            path: self.plan.local.clone(),
            source,
        })?;
        Ok(Some(hasher.finish()))
    }

    /// The rest of the file from `offset` into the partial upload `part`.
    fn send_rest(
        &mut self,
        client: &mut Client,
        part: &[u8],
        offset: u64,
        len: u64,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> Result<u64, UploadError> {
        let kept = |error| UploadError::Transfer {
            error: Box::new(error),
            leftover: Leftover::Kept(part.to_vec()),
        };
        let rest = offset > 0 && client.features().map_err(kept)?.supports("REST");
        self.seek(offset)?;
        let append = offset > 0 && !rest;
        match self.send_with(client, part, offset, append, progress, cancel) {
            Ok(sent) if offset + sent == len => Ok(sent),
            Ok(sent) => Err(UploadError::Changed {
                sent: offset + sent,
                len,
                leftover: Leftover::Kept(part.to_vec()),
            }),
            Err(e) if offset > 0 && is_rest_refusal(&e) => Err(UploadError::NoResume(e)),
            Err(e) => Err(kept(e)),
        }
    }
}

/// SIZE of `path` must be `sent`; a server without SIZE (5xx) is taken at
/// its word.
fn confirm_size(client: &mut Client, path: &[u8], sent: u64) -> Result<(), UploadError> {
    match client.size(path) {
        Ok(size) if size == sent => Ok(()),
        Ok(size) => Err(UploadError::SizeMismatch {
            sent,
            size,
            leftover: Leftover::Nothing,
        }),
        Err(e) if e.code().is_some_and(|c| c >= 500) => Ok(()),
        Err(e) => Err(UploadError::Verify(e)),
    }
}

/// A failed verification of the upload at `path`, `len` bytes: a
/// mismatch deletes it (where the server allows), a server that could not
/// answer leaves it.
fn failed_check(
    client: &mut Client,
    path: &[u8],
    mismatch: Mismatch,
    len: u64,
    cancel: &Cancel,
) -> UploadError {
    match mismatch {
        Mismatch::Digest { local, server } => UploadError::Digest {
            local: Box::new(local),
            server: Box::new(server),
            leftover: delete_leftover(client, path, cancel),
        },
        Mismatch::Range { range, size } => UploadError::DigestRange {
            range,
            size,
            leftover: delete_leftover(client, path, cancel),
        },
        Mismatch::Size { size } => UploadError::SizeMismatch {
            sent: len,
            size,
            leftover: delete_leftover(client, path, cancel),
        },
        Mismatch::Server(e) => UploadError::Verify(e),
    }
}

/// Deletes what a failed upload left at `path`, best effort; after a
/// cancel each reply is awaited at most [`CLEANUP_TIMEOUT`].
pub(crate) fn delete_leftover(client: &mut Client, path: &[u8], cancel: &Cancel) -> Leftover {
    if cancel.is_cancelled() {
        client.set_control_timeout(CLEANUP_TIMEOUT);
    }
    match client.delete(path) {
        Ok(()) => Leftover::Deleted(path.to_vec()),
        Err(e) => Leftover::Stays(path.to_vec(), Box::new(e)),
    }
}

/// Whether `e` is the server refusing REST.
fn is_rest_refusal(e: &Error) -> bool {
    matches!(e, Error::Refused { command, .. } if command.starts_with("REST "))
}

/// A local time as the server's timestamp.
fn timestamp(time: std::time::SystemTime) -> Option<Timestamp> {
    let seconds = match time.duration_since(std::time::UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).ok()?,
        Err(before) => -i64::try_from(before.duration().as_secs()).ok()?,
    };
    Timestamp::from_unix(seconds)
}

/// A local file name's bytes, as sent to the server.
fn os_bytes(name: &std::ffi::OsStr) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        name.as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned().into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_and_partial_names_sit_beside_the_target() {
        let pid = std::process::id();
        assert_eq!(
            temporary_name(b"dir/f.bin"),
            format!("dir/.f.bin.{pid}.part").into_bytes()
        );
        assert_eq!(temporary_name(b"f"), format!(".f.{pid}.part").into_bytes());
        assert_eq!(partial_name(b"/a/b/f.bin"), b"/a/b/.f.bin.part");
        assert_eq!(partial_name(b"f.bin"), b".f.bin.part");
    }

    #[test]
    fn local_times_become_server_timestamps() {
        let t = std::time::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(
            timestamp(t).map(|t| t.unix_timestamp()),
            Some(1_000_000_000)
        );
    }
}
