//! `cp -C` and `mv -C`: transfers that continue the partial file an
//! interrupted run left, under a deterministic name beside the destination.
//!
//! A download writes to `.NAME.part` beside the local destination and asks
//! the server for the rest (REST, then RETR); an upload writes to
//! `.NAME.part` beside the remote destination and sends the rest (REST +
//! STOR, or APPE). Either is renamed into place only once the server
//! confirmed the transfer and the sizes agree; a failure keeps the partial
//! file for the next run.

use std::fs;
use std::path::{Path, PathBuf};

use ftp_client::engine::{
    DownloadError, FileDownload, FileUpload, Leftover, Partial, UploadError, partial_name,
    partial_path, remove_partial,
};
use ftp_client::{Config, FtpUrl};

use crate::failure::Failure;
use crate::location::{Location, download_name, ends_with_separator, os_bytes};
use crate::remote::{connect, quit};

/// `cp -C` / `mv -C` of one file: exactly one side remote.
pub fn copy(
    op: &str,
    src: Location,
    dst: Location,
    config: &Config,
    remove_source: bool,
) -> Result<(), Failure> {
    let op = &format!("{op} -C");
    match (src, dst) {
        (Location::Remote(src), Location::Local(dst)) => {
            download(op, &src, &dst, config, remove_source, Partial::Resume)
        }
        (Location::Local(src), Location::Remote(_)) if src == Path::new(crate::location::STDIN) => {
            Err(Failure::usage(format!(
                "{op}: standard input cannot be resumed (no partial upload to continue from)"
            )))
        }
        (Location::Local(src), Location::Remote(dst)) => {
            upload(op, &src, &dst, config, remove_source)
        }
        (Location::Remote(_), Location::Remote(_)) => Err(Failure::usage(format!(
            "{op}: both arguments are URLs; exactly one must be an ftp:// URL"
        ))),
        (Location::Local(_), Location::Local(_)) => Err(Failure::usage(format!(
            "{op}: neither argument is an ftp:// URL; exactly one must be"
        ))),
    }
}

/// The file a resumable download of `src` to `dst` ends at.
fn target_of(op: &str, src: &FtpUrl, dst: &Path) -> Result<PathBuf, Failure> {
    let name = download_name(op, src)?;
    if dst == Path::new("-") {
        return Err(Failure::usage(format!(
            "{op}: cannot resume into standard output; give a file"
        )));
    }
    let target = if dst.is_dir() || ends_with_separator(dst) {
        dst.join(&name)
    } else {
        dst.to_owned()
    };
    let shown = target.display();
    if fs::metadata(&target).is_ok_and(|m| !m.is_file()) {
        return Err(Failure::usage(format!(
            "{op} {src}: {shown} is not a regular file; -C needs one"
        )));
    }
    if partial_path(&target).is_none() {
        return Err(Failure::usage(format!(
            "{op} {src}: {shown} has no file name"
        )));
    }
    Ok(target)
}

/// Removes the partial file of a download of `src` to `dst` made with
/// [`Partial::Retry`], once no attempt is left.
pub fn discard(src: &FtpUrl, dst: &Path) {
    if let Ok(target) = target_of("", src, dst) {
        remove_partial(&target);
    }
}

/// Downloads `src` to `dst` through its partial file, continuing it
/// ([`FileDownload`] with `mode`).
pub fn download(
    op: &str,
    src: &FtpUrl,
    dst: &Path,
    config: &Config,
    remove_source: bool,
    mode: Partial,
) -> Result<(), Failure> {
    let target = target_of(op, src, dst)?;
    let shown = target.display();
    let keep = mode == Partial::Resume;
    // The local side is checked before any byte is sent to the server.
    let prepared = FileDownload::new(src.path(), &target)
        .partial(mode)
        .label(crate::location::progress_label(Some(src.path())))
        .prepare()
        .map_err(|e| Failure::failed(format!("{op} {src}: {e}")))?;
    let partial = prepared.partial_path().to_owned();
    // Said with each failure: where the partial file is, unless nothing
    // arrived, and then it is removed rather than left empty.
    let kept = || {
        if !keep {
            return String::new();
        }
        if fs::metadata(&partial).is_ok_and(|m| m.len() == 0) && fs::remove_file(&partial).is_ok() {
            return String::new();
        }
        if !partial.exists() {
            return String::new();
        }
        format!(
            "; the partial download is kept as {}: run the same command again to resume",
            partial.display()
        )
    };
    crate::interrupt::running(format!("{op} {src}"));
    if keep {
        crate::interrupt::keep_on_interrupt(partial.clone());
    } else {
        crate::interrupt::remove_on_interrupt(partial.clone());
    }
    let mut client = connect(op, src, config).map_err(|f| Failure {
        message: format!("{f}{}", kept()),
        ..f
    })?;
    let done = prepared.run(
        &mut client,
        crate::progress::bar(),
        crate::cancellation::handle(),
    );
    if let Err(e) = done {
        let message = match &e {
            DownloadError::PartialTooLong { .. } => format!("{e}; delete it to start over"),
            DownloadError::NoResume(_) => format!("{e}; nothing was downloaded{}", kept()),
            DownloadError::SizeMismatch { .. } => {
                format!("{e}; not moved into place{}", kept())
            }
            _ => format!("{e}{}", kept()),
        };
        let message = format!("{op} {src}: {message}");
        return Err(match &e {
            DownloadError::Transfer(cause) => Failure::caused_by(message, cause),
            _ => Failure::failed(message),
        });
    }
    crate::interrupt::forget(&partial);
    if remove_source {
        client.delete(src.path()).map_err(|e| {
            Failure::failed(format!(
                "{op} {src}: copied to {shown}, but could not delete the source: {e}"
            ))
        })?;
    }
    quit(client);
    Ok(())
}

/// Uploads `src` to `dst` through the remote `.NAME.part`, continuing it
/// ([`FileUpload::resume`]).
fn upload(
    op: &str,
    src: &Path,
    dst: &FtpUrl,
    config: &Config,
    remove_source: bool,
) -> Result<(), Failure> {
    let shown = src.display();
    crate::interrupt::running(format!("{op} {shown}"));
    let target = if dst.is_directory() {
        let name = src
            .file_name()
            .ok_or_else(|| Failure::usage(format!("{op} {shown}: no file name to upload as")))?;
        let mut path = dst.path().to_vec();
        path.extend_from_slice(os_bytes(name).as_ref());
        dst.with_path(&path)
            .map_err(|e| Failure::usage(format!("{op} {shown}: {e}")))?
    } else {
        dst.clone()
    };
    let prepared = FileUpload::new(src, target.path())
        .resume(true)
        .label(crate::location::progress_label(Some(target.path())))
        .prepare()
        .map_err(|e| match e {
            UploadError::NoName { .. } => Failure::usage(format!("{op} {e}")),
            _ => Failure::failed(format!("{op} {e}")),
        })?;
    let len = prepared.file_len().unwrap_or_default();
    let mut client = connect(op, &target, config)?;
    let done = prepared.run(
        &mut client,
        crate::progress::bar(),
        crate::cancellation::handle(),
    );
    if let Err(e) = done {
        return Err(resumed_upload_failure(op, src, &target, len, &e));
    }
    if remove_source {
        fs::remove_file(src).map_err(|e| {
            Failure::failed(format!(
                "{op} {shown}: copied to {target}, but could not delete the source: {e}"
            ))
        })?;
    }
    quit(client);
    Ok(())
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
        } => return Failure::caused_by(format!("{op} {target}: {e}{}", kept()), e),
        UploadError::Transfer { error: e, .. } => {
            return Failure::caused_by(format!("{op} {target}: {e}"), e);
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
