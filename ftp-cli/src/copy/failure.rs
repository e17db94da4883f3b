//! The engine's copy failures as the one line (and exit code) the CLI
//! has always printed for them.

use std::path::Path;

use ftp_client::FtpUrl;
use ftp_client::engine::copy::{CopyError, Endpoint, FileCopy, RelayError};
use ftp_client::engine::{DownloadError, Leftover, UploadError, partial_name};

use crate::failure::Failure;
use crate::remote::note_leftover;

/// The one line for a failed copy; `op` names the command (`cp -C` when
/// resumed).
pub(super) fn failure(op: &str, copy: &FileCopy, error: CopyError) -> Failure {
    if let Some(usage) = usage(op, copy, &error) {
        return usage;
    }
    let failed = |text: String| Failure::failed(format!("{op} {text}"));
    match error {
        CopyError::Download {
            url,
            error,
            partial,
            kept,
        } => download_failure(op, &url, &error, partial.is_some(), kept.as_deref()),
        CopyError::Upload {
            src,
            target,
            error,
            resumed: true,
            len,
        } => {
            let src = src.as_deref().unwrap_or(Path::new("-"));
            resumed_upload_failure(op, src, &target, len, &error)
        }
        CopyError::Upload {
            src: None,
            target,
            error,
            ..
        } => stdin_failure(op, &target, error),
        CopyError::Upload {
            src: Some(src),
            target,
            error,
            ..
        } => upload_failure(op, &src, &target, &error),
        CopyError::Relay { src, dst, error } => relay_failure(op, &src, &dst, error),
        CopyError::DeleteRemote {
            ref url,
            verified: Some(ref verified),
            ..
        } => {
            eprintln!("ftp-cli: {op} {url}: {verified}");
            failed(error.to_string())
        }
        CopyError::DeleteLocal {
            ref copied_to,
            verified: Some(ref verified),
            ..
        } => {
            eprintln!("ftp-cli: {op} {copied_to}: {verified}");
            failed(error.to_string())
        }
        _ => failed(error.to_string()),
    }
}

/// The usage errors among a copy's failures, in the command line's words.
fn usage(op: &str, copy: &FileCopy, error: &CopyError) -> Option<Failure> {
    let url_kind = if op.ends_with(" -C") {
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
            Endpoint::Local(src) if op.ends_with(" -C") => format!(" {}: {error}", src.display()),
            _ => format!(" {dir}: {error}"),
        },
        _ => return None,
    };
    Some(Failure::usage(format!("{op}{text}")))
}

/// The one line for a failed copy between two remote sides: both URLs,
/// the server's reply, and what stays on the destination when something
/// does.
fn relay_failure(op: &str, src: &FtpUrl, dst: &FtpUrl, error: RelayError) -> Failure {
    if let RelayError::Tree { failed, first } = error {
        // The first failure's own line, and how many more.
        let first = failure(op, &FileCopy::new(Endpoint::Stdio, Endpoint::Stdio), *first);
        let more = failed.saturating_sub(1);
        let note = if more > 0 {
            format!(" (and {more} more file(s) failed)")
        } else {
            String::new()
        };
        return Failure::failed(format!("{}{note}", first.message));
    }
    let line = format!("{op} {src} {dst}: {error}");
    let leftover = match &error {
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
    };
    if let Some(leftover) = leftover {
        note_leftover(leftover);
    }
    let note = match leftover {
        Some(Leftover::Stays(path, _) | Leftover::Kept(path)) => format!(
            "; the upload stays on the server as {}, which it refused to delete",
            String::from_utf8_lossy(path)
        ),
        Some(_) if !matches!(error, RelayError::Upload(_)) => {
            "; the destination was not replaced".to_owned()
        }
        _ => String::new(),
    };
    match error {
        RelayError::Directory | RelayError::Resume => Failure::usage(line),
        _ => Failure::failed(format!("{line}{note}")),
    }
}

/// The one line for a failed download: through a partial file (resumed,
/// or retried), where it stays.
fn download_failure(
    op: &str,
    src: &FtpUrl,
    error: &DownloadError,
    partial: bool,
    kept: Option<&Path>,
) -> Failure {
    let kept = kept
        .map(|path| {
            format!(
                "; the partial download is kept as {}: run the same command again to resume",
                path.display()
            )
        })
        .unwrap_or_default();
    let message = match error {
        DownloadError::Transfer(e) => {
            return Failure::failed(format!("{op} {src}: {e}{kept}"));
        }
        DownloadError::SizeMismatch { total, size } if !partial => {
            format!("transferred {total} bytes but the server reports {size}; source kept")
        }
        _ if !partial => error.to_string(),
        DownloadError::PartialTooLong { .. } => format!("{error}; delete it to start over"),
        DownloadError::NoResume(_) => format!("{error}; nothing was downloaded{kept}"),
        DownloadError::SizeMismatch { .. } => format!("{error}; not moved into place{kept}"),
        _ => format!("{error}{kept}"),
    };
    Failure::failed(format!("{op} {src}: {message}"))
}

/// `cp - URL`'s failures.
fn stdin_failure(op: &str, dst: &FtpUrl, error: UploadError) -> Failure {
    match error {
        UploadError::RemoteDirectory { .. } => Failure::usage(format!(
            "{op} - {dst}: is a directory on the server; give the file's name in the URL"
        )),
        // The stream itself failed (the probe's failures have nothing left
        // over).
        UploadError::Transfer { error, leftover } if !matches!(leftover, Leftover::Nothing) => {
            note_leftover(&leftover);
            Failure::failed(format!("{op} - {dst}: {error}"))
        }
        e => upload_failure(op, Path::new("-"), dst, &e),
    }
}

/// The one line for an upload that failed (not resumed); after a signal,
/// what became of the server's copy goes to the interruption's message.
fn upload_failure(op: &str, src: &Path, target: &FtpUrl, error: &UploadError) -> Failure {
    if let UploadError::Transfer { leftover, .. } = error {
        note_leftover(leftover);
    }
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
        } => Failure::failed(format!("{op} {target}: {e}")),
        UploadError::Rename {
            error: e,
            leftover: Leftover::Stays(path, _) | Leftover::Kept(path),
        } => Failure::failed(format!("{op} {target}: {e}; {}", stays(path))),
        UploadError::Changed { .. } | UploadError::Cancelled => {
            Failure::failed(format!("{op} {}: {error}", src.display()))
        }
        UploadError::SizeMismatch { .. } => {
            Failure::failed(format!("{op} {target}: {error}; source kept"))
        }
        UploadError::Digest { leftover, .. } | UploadError::DigestRange { leftover, .. } => {
            let fate = match leftover {
                Leftover::Deleted(_) | Leftover::Nothing => "the upload was deleted".to_owned(),
                Leftover::Stays(path, _) | Leftover::Kept(path) => stays(path),
            };
            Failure::failed(format!("{op} {target}: {error}; {fate}; source kept"))
        }
        _ => Failure::failed(format!("{op} {target}: {error}")),
    }
}

/// The one line for a resumed upload that failed: where the partial
/// upload stays, when it does.
fn resumed_upload_failure(
    op: &str,
    src: &Path,
    target: &FtpUrl,
    len: u64,
    error: &UploadError,
) -> Failure {
    let shown = src.display();
    let part = String::from_utf8_lossy(&partial_name(target.path())).into_owned();
    let kept = || {
        let note = format!(
            "the partial upload stays on the server as {part}: run the same command \
             again to resume"
        );
        crate::interrupt::remote_note(note.clone());
        format!("; {note}")
    };
    let message = match error {
        UploadError::RemoteDirectory { .. } => {
            return Failure::usage(format!(
                "{op} {target}: is a directory on the server; end the URL with '/' to upload into it"
            ));
        }
        UploadError::Transfer {
            error: e,
            leftover: Leftover::Kept(_),
        } => return Failure::failed(format!("{op} {target}: {e}{}", kept())),
        UploadError::Transfer { error: e, .. } => {
            return Failure::failed(format!("{op} {target}: {e}"));
        }
        UploadError::NoSize => format!("{error}; nothing was uploaded (copy without -C)"),
        UploadError::PartialTooLong { held, .. } => format!(
            "the partial upload {part} holds {held} bytes, more than the {len} of \
             {shown}; delete it to start over"
        ),
        UploadError::Changed { sent, .. } => format!(
            "sent {sent} bytes in all but {shown} has {len}; did it change during the \
             upload?{}",
            kept()
        ),
        UploadError::NoResume(_) => format!("{error}; nothing was uploaded{}", kept()),
        UploadError::SizeMismatch { size, .. } => format!(
            "the server reports {size} bytes for {part} but {shown} has {len}; \
             not renamed into place{}",
            kept()
        ),
        UploadError::Verify(e) => format!("{e}{}", kept()),
        UploadError::Rename { error: e, .. } => {
            format!("{e}; the complete upload stays on the server as {part}")
        }
        _ => error.to_string(),
    };
    Failure::failed(format!("{op} {target}: {message}"))
}
