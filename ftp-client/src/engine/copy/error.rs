//! [`CopyError`]: why a [`FileCopy`](super::FileCopy) failed.

use std::io;
use std::path::{Path, PathBuf};

use super::RelayError;
use crate::engine::{DownloadError, Leftover, Partial, UploadError, Verified};
use crate::{Error, FtpUrl};

/// Why a [`FileCopy`](super::FileCopy) failed. Each variant keeps what a
/// caller needs to say it in its own words: the URL or path concerned and
/// the server's reply where there is one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CopyError {
    /// Both sides are on a server.
    #[error("both sides are remote; exactly one must be")]
    BothRemote,
    /// Neither side is on a server.
    #[error("neither side is remote; exactly one must be")]
    BothLocal,
    /// A move to standard output.
    #[error("standard output cannot be moved to")]
    MoveToStdout,
    /// A move of standard input.
    #[error("standard input cannot be moved")]
    MoveStdin,
    /// A resumed download to standard output.
    #[error("a download to standard output cannot be resumed")]
    ResumeStdout,
    /// A resumed upload of standard input.
    #[error("standard input cannot be resumed (no partial upload to continue from)")]
    ResumeStdin,
    /// Standard input uploaded to a directory URL: it has no name.
    #[error("- {url}: standard input has no name; give the file's name in the URL")]
    StdinNoName {
        /// The directory URL.
        url: FtpUrl,
    },
    /// The download's URL names a directory.
    #[error("{url}: the URL names a directory; give a file")]
    DirectoryUrl {
        /// The URL.
        url: FtpUrl,
    },
    /// The remote name would not be one safe local name.
    #[error("{url}: the remote name is not a valid local file name")]
    BadLocalName {
        /// The URL.
        url: FtpUrl,
    },
    /// A verified download to a stream or a device.
    #[error("{url}: verifying needs a regular file to download to")]
    VerifyNeedsFile {
        /// The URL.
        url: FtpUrl,
    },
    /// The download's target is a local directory.
    #[error("{url}: {} is a directory", path.display())]
    LocalIsDirectory {
        /// The URL.
        url: FtpUrl,
        /// The target.
        path: PathBuf,
    },
    /// A move to a device or pipe.
    #[error("{} is not a regular file and cannot be moved to", path.display())]
    MoveToDevice {
        /// The target.
        path: PathBuf,
    },
    /// A resumed download to something that is not a regular file.
    #[error("{url}: {} is not a regular file; resuming needs one", path.display())]
    ResumeNotRegular {
        /// The URL.
        url: FtpUrl,
        /// The target.
        path: PathBuf,
    },
    /// A resumed download's target has no file name.
    #[error("{url}: {} has no file name", path.display())]
    NoFileName {
        /// The URL.
        url: FtpUrl,
        /// The target.
        path: PathBuf,
    },
    /// A resumed upload into a directory of a path without a file name.
    #[error("{}: no file name to upload as", path.display())]
    UploadNoName {
        /// The local path.
        path: PathBuf,
    },
    /// The local file's name cannot be added to the directory URL.
    #[error("{dir}: {error}")]
    BadTarget {
        /// The directory URL.
        dir: FtpUrl,
        /// Why.
        error: Error,
    },
    /// A device or pipe to download into could not be opened.
    #[error("{url}: cannot write to {}: {source}", path.display())]
    OpenDevice {
        /// The URL.
        url: FtpUrl,
        /// The device.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The session could not be opened. `kept`: the partial file of a
    /// resumed download, kept for the next run.
    #[error("{url}: {error}{}", kept_note(kept.as_deref()))]
    Connect {
        /// The URL connected to.
        url: FtpUrl,
        /// Why.
        error: Error,
        /// The partial file kept.
        kept: Option<PathBuf>,
    },
    /// A download to a stream or device failed on the server's side.
    #[error("{url}: {error}")]
    Stream {
        /// The URL.
        url: FtpUrl,
        /// Why.
        error: Error,
    },
    /// A download to a stream could not be written.
    #[error("{url}: writing the download: {source}")]
    Write {
        /// The URL.
        url: FtpUrl,
        /// Why.
        source: io::Error,
    },
    /// A download to a stream or device: the size the server announced
    /// did not arrive.
    #[error("{url}: received {received} bytes but the server announced {announced}")]
    Announced {
        /// The URL.
        url: FtpUrl,
        /// The bytes that arrived.
        received: u64,
        /// The size announced.
        announced: u64,
    },
    /// A download to a file failed. `partial`: it went through a partial
    /// file (resumed, or retried), `kept` where it stays.
    #[error("{url}: {error}{}", kept_note(kept.as_deref()))]
    Download {
        /// The URL.
        url: FtpUrl,
        /// Why.
        error: DownloadError,
        /// The partial file's mode, if it went through one.
        partial: Option<Partial>,
        /// The partial file kept.
        kept: Option<PathBuf>,
    },
    /// The local file to upload cannot be used (nothing was sent).
    #[error("{0}")]
    UploadSource(UploadError),
    /// An upload failed. `src` is `None` for standard input; `resumed`
    /// for [`FileCopy::resume`](super::FileCopy::resume), `len` the local
    /// file's length.
    #[error("{target}: {error}")]
    Upload {
        /// The local file.
        src: Option<PathBuf>,
        /// Where it went.
        target: FtpUrl,
        /// Why.
        error: UploadError,
        /// A resumed upload.
        resumed: bool,
        /// The local file's length (0 for standard input).
        len: u64,
    },
    /// The missing directories of an upload's target could not be made.
    #[error("{url}: {error}")]
    MakeDirs {
        /// The target.
        url: FtpUrl,
        /// Why.
        error: Error,
    },
    /// A move downloaded the file but the server refused to delete it.
    #[error("{url}: copied to {}, but could not delete the source: {error}", copied_to.display())]
    DeleteRemote {
        /// The source.
        url: FtpUrl,
        /// Where the copy is.
        copied_to: PathBuf,
        /// Why.
        error: Error,
        /// What the copy was checked against.
        verified: Option<Verified>,
    },
    /// A copy or move between two remote sides failed
    /// ([`RelayError`] says how, with the server's reply).
    #[error("{src} to {dst}: {error}")]
    Relay {
        /// The source.
        src: FtpUrl,
        /// The destination (a directory's URL with the name added).
        dst: FtpUrl,
        /// Why.
        error: RelayError,
    },
    /// A move uploaded the file but the local file could not be deleted.
    #[error("{}: copied to {copied_to}, but could not delete the source: {source}", path.display())]
    DeleteLocal {
        /// The source.
        path: PathBuf,
        /// Where the copy is.
        copied_to: FtpUrl,
        /// Why.
        source: io::Error,
        /// What the copy was checked against.
        verified: Option<Verified>,
    },
}

/// Where a partial download stays, for a message.
fn kept_note(kept: Option<&Path>) -> String {
    kept.map(|path| {
        format!(
            "; the partial download is kept as {}: run the same command again to resume",
            path.display()
        )
    })
    .unwrap_or_default()
}

impl CopyError {
    /// Whether another attempt may succeed: the server's or the
    /// connection's error is [`is_transient`](crate::engine::is_transient),
    /// and nothing is left that a new attempt would trip over (an upload
    /// whose temporary name stays on the server, a completed copy whose
    /// source could not be deleted).
    pub fn is_transient(&self) -> bool {
        use crate::engine::is_transient;
        match self {
            CopyError::Connect { error, .. }
            | CopyError::Stream { error, .. }
            | CopyError::MakeDirs { error, .. }
            | CopyError::Download {
                error: DownloadError::Transfer(error),
                ..
            } => is_transient(error),
            CopyError::Upload {
                error: UploadError::Transfer { error, .. },
                ..
            } => is_transient(error),
            CopyError::Upload {
                error:
                    UploadError::Rename {
                        error,
                        leftover: Leftover::Deleted(_) | Leftover::Nothing,
                    },
                resumed: false,
                ..
            } => is_transient(error),
            CopyError::Relay { error, .. } => error.is_transient(),
            _ => false,
        }
    }

    /// The server's or the connection's error, if that is what failed.
    pub fn remote(&self) -> Option<&Error> {
        match self {
            CopyError::Connect { error, .. }
            | CopyError::Stream { error, .. }
            | CopyError::MakeDirs { error, .. }
            | CopyError::DeleteRemote { error, .. } => Some(error),
            CopyError::Download { error, .. } => error.remote(),
            CopyError::Relay { error, .. } => error.remote(),
            CopyError::Upload {
                error: UploadError::Transfer { error, .. } | UploadError::Rename { error, .. },
                ..
            } => Some(error),
            _ => None,
        }
    }
}

impl super::super::Retryable for CopyError {
    fn is_retryable(&self) -> bool {
        self.is_transient()
    }
}
