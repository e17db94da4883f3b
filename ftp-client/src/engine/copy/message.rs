//! [`CopyMessage`]: a failed [`FileCopy`] said in one line, as a
//! command-line tool says it: the operation, the paths or URLs, the
//! server's reply, and what stays behind (a partial file to resume from,
//! an upload the server refused to delete).

use std::fmt;
use std::path::Path;

use super::{Copied, CopyError, Endpoint, FileCopy, RelayError};
use crate::FtpUrl;
use crate::engine::{DownloadError, Leftover, UploadError, partial_name};

/// A [`CopyError`] in one line, naming the operation (`op`, such as
/// `"cp"`), the source or destination and the server's reply, and saying
/// what stays behind. Made by [`CopyError::message`].
///
/// ```
/// use ftp_client::engine::copy::{CopyError, Endpoint, FileCopy};
/// let copy = FileCopy::new(Endpoint::Local("a".into()), Endpoint::Local("b".into()));
/// let error = CopyError::BothLocal;
/// assert_eq!(
///     error.message("cp", &copy).to_string(),
///     "cp: neither argument is an ftp://, ftps:// or ftpes:// URL; exactly one must be"
/// );
/// ```
#[derive(Debug)]
pub struct CopyMessage<'a> {
    op: &'a str,
    copy: &'a FileCopy,
    error: &'a CopyError,
}

impl CopyError {
    /// This failure of `copy` as one line naming the operation `op`
    /// ([`CopyMessage`]): a command's name as the user typed it (`"cp"`,
    /// `"cp -C"` for a [`FileCopy::resume`]d copy).
    pub fn message<'a>(&'a self, op: &'a str, copy: &'a FileCopy) -> CopyMessage<'a> {
        CopyMessage {
            op,
            copy,
            error: self,
        }
    }

    /// What a failed upload (not resumed: see [`CopyError::kept_upload`])
    /// left on the server, where it says.
    pub fn leftover(&self) -> Option<&Leftover> {
        match self {
            CopyError::Upload {
                error: UploadError::Transfer { leftover, .. },
                resumed: false,
                ..
            } => Some(leftover),
            CopyError::Relay { error, .. } => relay_leftover(error),
            _ => None,
        }
    }

    /// A resumed upload's partial file, kept on the server for the next
    /// run: the sentence saying so, where it is.
    pub fn kept_upload(&self) -> Option<String> {
        let CopyError::Upload {
            target,
            error,
            resumed: true,
            ..
        } = self
        else {
            return None;
        };
        match error {
            UploadError::Transfer {
                leftover: Leftover::Kept(_),
                ..
            }
            | UploadError::Changed { .. }
            | UploadError::NoResume(_)
            | UploadError::SizeMismatch { .. }
            | UploadError::Verify(_) => Some(format!(
                "the partial upload stays on the server as {}: run the same command again to resume",
                String::from_utf8_lossy(&partial_name(target.path()))
            )),
            _ => None,
        }
    }
}

impl FileCopy {
    /// The source as messages name it: the URL, the path, or `-` for
    /// standard input (`- URL` with the upload's URL).
    pub fn source_name(&self) -> String {
        match (self.source(), self.destination()) {
            (Endpoint::Remote(url), _) => url.to_string(),
            (Endpoint::Local(path), _) => path.display().to_string(),
            (Endpoint::Stdio, Endpoint::Remote(url)) => format!("- {url}"),
            (Endpoint::Stdio, _) => "-".to_owned(),
        }
    }
}

impl Copied {
    /// A verified copy's line, naming the operation `op`, the remote file
    /// and what it was checked against (`cp URL: SHA-256 verified: HEX`);
    /// `None` when it was not verified.
    pub fn verified_line(&self, op: &str, copy: &FileCopy) -> Option<String> {
        let verified = self.verified.as_ref()?;
        let subject = match (copy.source(), &self.target) {
            (Endpoint::Remote(url), _) => url.to_string(),
            (Endpoint::Stdio, Endpoint::Remote(url)) => format!("- {url}"),
            (_, Endpoint::Remote(url)) => url.to_string(),
            _ => copy.source_name(),
        };
        Some(format!("{op} {subject}: {verified}"))
    }
}

impl fmt::Display for CopyMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&line(self.op, self.copy, self.error))
    }
}

/// The one line for a failed copy; `op` names the command.
fn line(op: &str, copy: &FileCopy, error: &CopyError) -> String {
    if let Some(usage) = usage(copy, error) {
        return format!("{op}{usage}");
    }
    match error {
        CopyError::Download {
            url,
            error,
            partial,
            kept,
        } => download(op, url, error, partial.is_some(), kept.as_deref()),
        CopyError::Upload {
            src,
            target,
            error,
            resumed: true,
            len,
        } => {
            let src = src.as_deref().unwrap_or(Path::new("-"));
            resumed_upload(op, src, target, *len, error)
        }
        CopyError::Upload {
            src: None,
            target,
            error,
            ..
        } => stdin_upload(op, target, error),
        CopyError::Upload {
            src: Some(src),
            target,
            error,
            ..
        } => upload(op, src, target, error),
        CopyError::Relay { src, dst, error } => relay(op, src, dst, error),
        _ => format!("{op} {error}"),
    }
}

/// The request's own faults, in a command line's words.
fn usage(copy: &FileCopy, error: &CopyError) -> Option<String> {
    let url_kind = if copy.resume {
        "an ftp:// URL"
    } else {
        "an ftp://, ftps:// or ftpes:// URL"
    };
    let text = match error {
        CopyError::BothRemote => {
            format!(": both arguments are URLs; exactly one must be {url_kind}")
        }
        CopyError::BothLocal => format!(": neither argument is {url_kind}; exactly one must be"),
        CopyError::MoveToStdout => ": cannot move to standard output; use cp".into(),
        CopyError::MoveStdin => ": cannot move standard input; use cp".into(),
        CopyError::ResumeStdout => ": cannot resume into standard output; give a file".into(),
        CopyError::ResumeStdin => format!(": {error}"),
        CopyError::MoveToDevice { path } => {
            format!(": {} is not a regular file; use cp", path.display())
        }
        CopyError::StdinNoName { .. }
        | CopyError::DirectoryUrl { .. }
        | CopyError::NoFileName { .. }
        | CopyError::UploadNoName { .. }
        | CopyError::UploadSource(UploadError::NoName { .. }) => format!(" {error}"),
        CopyError::VerifyNeedsFile { url } => {
            format!(" {url}: --verify needs a regular file to download to")
        }
        CopyError::ResumeNotRegular { url, path } => format!(
            " {url}: {} is not a regular file; -C needs one",
            path.display()
        ),
        CopyError::BadTarget { dir, error } => match copy.source() {
            Endpoint::Local(src) if copy.resume => format!(" {}: {error}", src.display()),
            _ => format!(" {dir}: {error}"),
        },
        _ => return None,
    };
    Some(text)
}

/// A copy between two remote sides: both URLs, the server's reply, and
/// what stays on the destination when something does.
fn relay(op: &str, src: &FtpUrl, dst: &FtpUrl, error: &RelayError) -> String {
    if let RelayError::Tree { failed, first } = error {
        // The first failure's own line, and how many more.
        let first = line(op, &FileCopy::new(Endpoint::Stdio, Endpoint::Stdio), first);
        return match failed.saturating_sub(1) {
            0 => first,
            more => format!("{first} (and {more} more file(s) failed)"),
        };
    }
    let note = match relay_leftover(error) {
        Some(Leftover::Stays(path, _) | Leftover::Kept(path)) => format!(
            "; the upload stays on the server as {}, which it refused to delete",
            String::from_utf8_lossy(path)
        ),
        Some(_) if !matches!(error, RelayError::Upload(_)) => {
            "; the destination was not replaced".to_owned()
        }
        _ => String::new(),
    };
    format!("{op} {src} {dst}: {error}{note}")
}

/// What a failed copy between two remote sides left on the destination.
fn relay_leftover(error: &RelayError) -> Option<&Leftover> {
    match error {
        RelayError::Source { leftover, .. }
        | RelayError::Short { leftover, .. }
        | RelayError::Upload(
            UploadError::Transfer { leftover, .. }
            | UploadError::Rename { leftover, .. }
            | UploadError::Changed { leftover, .. }
            | UploadError::SizeMismatch { leftover, .. }
            | UploadError::Digest { leftover, .. },
        ) => Some(leftover),
        _ => None,
    }
}

/// A failed download: through a partial file (resumed, or retried), where
/// it stays.
fn download(
    op: &str,
    src: &FtpUrl,
    error: &DownloadError,
    partial: bool,
    kept: Option<&Path>,
) -> String {
    let kept = kept
        .map(|path| {
            format!(
                "; the partial download is kept as {}: run the same command again to resume",
                path.display()
            )
        })
        .unwrap_or_default();
    let message = match error {
        DownloadError::Transfer(e) => format!("{e}{kept}"),
        DownloadError::SizeMismatch { total, size } if !partial => {
            format!("transferred {total} bytes but the server reports {size}; source kept")
        }
        _ if !partial => error.to_string(),
        DownloadError::PartialTooLong { .. } => format!("{error}; delete it to start over"),
        DownloadError::NoResume(_) => format!("{error}; nothing was downloaded{kept}"),
        DownloadError::SizeMismatch { .. } => format!("{error}; not moved into place{kept}"),
        _ => format!("{error}{kept}"),
    };
    format!("{op} {src}: {message}")
}

/// `cp - URL`'s failures.
fn stdin_upload(op: &str, dst: &FtpUrl, error: &UploadError) -> String {
    match error {
        UploadError::RemoteDirectory { .. } => {
            format!("{op} - {dst}: is a directory on the server; give the file's name in the URL")
        }
        // The stream itself failed (the probe's failures have nothing left
        // over).
        UploadError::Transfer { error, leftover } if !matches!(leftover, Leftover::Nothing) => {
            format!("{op} - {dst}: {error}")
        }
        e => upload(op, Path::new("-"), dst, e),
    }
}

/// An upload that failed (not resumed).
fn upload(op: &str, src: &Path, target: &FtpUrl, error: &UploadError) -> String {
    let stays = |path: &[u8]| {
        format!(
            "the upload stays on the server as {}, which it refused to delete",
            String::from_utf8_lossy(path)
        )
    };
    match error {
        UploadError::Transfer { error: e, .. }
        | UploadError::Rename {
            error: e,
            leftover: Leftover::Deleted(_) | Leftover::Nothing,
        } => format!("{op} {target}: {e}"),
        UploadError::Rename {
            error: e,
            leftover: Leftover::Stays(path, _) | Leftover::Kept(path),
        } => format!("{op} {target}: {e}; {}", stays(path)),
        UploadError::Changed { .. } | UploadError::Cancelled => {
            format!("{op} {}: {error}", src.display())
        }
        UploadError::SizeMismatch { .. } => format!("{op} {target}: {error}; source kept"),
        UploadError::Digest { leftover, .. } | UploadError::DigestRange { leftover, .. } => {
            let fate = match leftover {
                Leftover::Deleted(_) | Leftover::Nothing => "the upload was deleted".to_owned(),
                Leftover::Stays(path, _) | Leftover::Kept(path) => stays(path),
            };
            format!("{op} {target}: {error}; {fate}; source kept")
        }
        _ => format!("{op} {target}: {error}"),
    }
}

/// A resumed upload that failed: where the partial upload stays, when it
/// does.
fn resumed_upload(op: &str, src: &Path, target: &FtpUrl, len: u64, error: &UploadError) -> String {
    let shown = src.display();
    let part = String::from_utf8_lossy(&partial_name(target.path())).into_owned();
    let kept = format!(
        "; the partial upload stays on the server as {part}: run the same command again to resume"
    );
    let message = match error {
        UploadError::RemoteDirectory { .. } => {
            "is a directory on the server; end the URL with '/' to upload into it".to_owned()
        }
        UploadError::Transfer {
            error: e,
            leftover: Leftover::Kept(_),
        } => format!("{e}{kept}"),
        UploadError::Transfer { error: e, .. } => e.to_string(),
        UploadError::NoSize => format!("{error}; nothing was uploaded (copy without -C)"),
        UploadError::PartialTooLong { held, .. } => format!(
            "the partial upload {part} holds {held} bytes, more than the {len} of \
             {shown}; delete it to start over"
        ),
        UploadError::Changed { sent, .. } => format!(
            "sent {sent} bytes in all but {shown} has {len}; did it change during the \
             upload?{kept}"
        ),
        UploadError::NoResume(_) => format!("{error}; nothing was uploaded{kept}"),
        UploadError::SizeMismatch { size, .. } => format!(
            "the server reports {size} bytes for {part} but {shown} has {len}; \
             not renamed into place{kept}"
        ),
        UploadError::Verify(e) => format!("{e}{kept}"),
        UploadError::Rename { error: e, .. } => {
            format!("{e}; the complete upload stays on the server as {part}")
        }
        _ => error.to_string(),
    };
    format!("{op} {target}: {message}")
}
