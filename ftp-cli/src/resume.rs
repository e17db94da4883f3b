//! `cp -C` and `mv -C`: transfers that continue the partial file an
//! interrupted run left, under a deterministic name beside the destination.
//!
//! A download writes to `.NAME.part` beside the local destination and asks
//! the server for the rest (REST, then RETR); an upload writes to
//! `.NAME.part` beside the remote destination and sends the rest (REST +
//! STOR, or APPE). Either is renamed into place only once the server
//! confirmed the transfer and the sizes agree; a failure keeps the partial
//! file for the next run.

use std::fs::{self, File};
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

use ftp_client::engine::{
    Direction, DownloadError, FileDownload, Partial, Transfer, partial_path, remove_partial,
};
use ftp_client::{Client, Config, FtpUrl};

use crate::ops::{
    Failure, Location, UploadTarget, connect, download_name, ends_with_separator, os_bytes, quit,
    upload_target,
};

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
        (Location::Local(src), Location::Remote(_)) if src == Path::new(crate::ops::STDIN) => {
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

/// `.NAME.part` for `NAME`: the partial file's name, the same on every run
/// so that the next one finds it.
pub fn partial_name(name: &[u8]) -> Vec<u8> {
    let mut partial = b".".to_vec();
    partial.extend_from_slice(name);
    partial.extend_from_slice(b".part");
    partial
}

/// The server's SIZE of `path`: `None` when the server has no SIZE (5xx
/// other than 550); for a failure, whether it was 550 (no such file).
fn remote_size(client: &mut Client, path: &[u8]) -> Result<Option<u64>, (ftp_client::Error, bool)> {
    match client.size(path) {
        Ok(size) => Ok(Some(size)),
        Err(e) if e.code() == Some(550) => Err((e, true)),
        Err(e) if e.code().is_some_and(|c| c >= 500) => Ok(None),
        Err(e) => Err((e, false)),
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
        .label(crate::ops::progress_label(Some(src.path())))
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
        crate::interrupt::cancel(),
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

/// Whether `e` is the server refusing REST (5xx: not implemented).
fn is_rest_refusal(e: &ftp_client::Error) -> bool {
    matches!(e, ftp_client::Error::Refused { command, .. } if command.starts_with("REST "))
}

fn upload(
    op: &str,
    src: &Path,
    dst: &FtpUrl,
    config: &Config,
    remove_source: bool,
) -> Result<(), Failure> {
    let shown = src.display();
    crate::interrupt::running(format!("{op} {shown}"));
    let local_failure = |e: std::io::Error| Failure::failed(format!("{op} {shown}: {e}"));
    let mut file = File::open(src).map_err(local_failure)?;
    let metadata = file.metadata().map_err(local_failure)?;
    if metadata.is_dir() {
        return Err(Failure::failed(format!("{op} {shown}: is a directory")));
    }
    let len = metadata.len();
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
    let final_path = target.path().to_vec();
    let split = final_path
        .iter()
        .rposition(|&b| b == b'/')
        .map_or(0, |i| i + 1);
    let (dir, name) = final_path.split_at(split);
    let mut part = dir.to_vec();
    part.extend_from_slice(&partial_name(name));
    let part_shown = String::from_utf8_lossy(&part).into_owned();
    let kept = || {
        let note = format!(
            "the partial upload stays on the server as {part_shown}: run the same command \
             again to resume"
        );
        crate::interrupt::remote_note(note.clone());
        format!("; {note}")
    };

    let mut client = connect(op, &target, config)?;
    let failed = |e: &dyn std::fmt::Display| Failure::failed(format!("{op} {target}: {e}"));
    // An existing file is replaced only by a complete upload renamed over
    // it, and only if the server will let it be.
    match upload_target(&mut client, &final_path) {
        Ok(UploadTarget::New | UploadTarget::Replaceable) => {}
        Ok(UploadTarget::Directory) => {
            return Err(Failure::usage(format!(
                "{op} {target}: is a directory on the server; end the URL with '/' to upload into it"
            )));
        }
        Ok(UploadTarget::Irreplaceable(why)) => {
            return Err(failed(&format!(
                "the file exists and cannot be replaced safely: {why}; nothing was uploaded"
            )));
        }
        Err(e) => return Err(failed(&e)),
    }
    let offset = match remote_size(&mut client, &part) {
        Ok(Some(size)) => size,
        Err((_, true)) => 0,
        Ok(None) => {
            return Err(failed(
                &"the server does not report file sizes (SIZE), so an upload cannot be \
                  resumed; nothing was uploaded (copy without -C)",
            ));
        }
        Err((e, false)) => return Err(failed(&e)),
    };
    if offset > len {
        return Err(failed(&format!(
            "the partial upload {part_shown} holds {offset} bytes, more than the {len} of \
             {shown}; delete it to start over"
        )));
    }
    if offset < len {
        let rest = offset > 0 && {
            let features = client.features().map_err(|e| failed(&e))?;
            features.supports("REST")
        };
        file.seek(SeekFrom::Start(offset)).map_err(local_failure)?;
        let upload = if offset == 0 || rest {
            client.store_stream_from(&part, offset)
        } else {
            client.append_stream(&part)
        };
        let sent = upload.and_then(|mut upload| {
            let shown = crate::progress::Shown::single(
                Transfer::new(
                    crate::ops::progress_label(Some(&final_path)),
                    Direction::Upload,
                    Some(len),
                    offset,
                    upload.counter(),
                ),
                upload.canceller(),
            );
            let sent = upload
                .copy_from_file(&mut file)
                .and_then(|_| upload.finish());
            shown.finish(&sent);
            sent
        });
        match sent {
            Ok(sent) if offset + sent == len => {}
            Ok(sent) => {
                return Err(failed(&format!(
                    "sent {} bytes in all but {shown} has {len}; did it change during the \
                     upload?{}",
                    offset + sent,
                    kept()
                )));
            }
            Err(e) if offset > 0 && is_rest_refusal(&e) => {
                return Err(failed(&format!(
                    "the server cannot resume transfers ({e}); nothing was uploaded{}",
                    kept()
                )));
            }
            Err(e) => {
                return Err(Failure::caused_by(
                    format!("{op} {target}: {e}{}", kept()),
                    &e,
                ));
            }
        }
    }
    match client.size(&part) {
        Ok(size) if size == len => {}
        Ok(size) => {
            return Err(failed(&format!(
                "the server reports {size} bytes for {part_shown} but {shown} has {len}; \
                 not renamed into place{}",
                kept()
            )));
        }
        Err(e) => return Err(failed(&format!("{e}{}", kept()))),
    }
    if let Err(e) = client.rename(&part, &final_path) {
        return Err(failed(&format!(
            "{e}; the complete upload stays on the server as {part_shown}"
        )));
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
