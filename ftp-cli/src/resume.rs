//! `cp -C` and `mv -C`: transfers that continue the partial file an
//! interrupted run left, under a deterministic name beside the destination.
//!
//! A download writes to `.NAME.part` beside the local destination and asks
//! the server for the rest (REST, then RETR); an upload writes to
//! `.NAME.part` beside the remote destination and sends the rest (REST +
//! STOR, or APPE). Either is renamed into place only once the server
//! confirmed the transfer and the sizes agree; a failure keeps the partial
//! file for the next run.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

use ftp_client::engine::{Direction, Transfer};
use ftp_client::{Client, Config, FtpUrl};

use crate::ops::{
    Failure, Location, UploadTarget, connect, download_name, ends_with_separator, os_bytes,
    permissions_for, quit, upload_target,
};

/// What becomes of a download's partial file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partial {
    /// `-C`: continued from where an earlier run left it, kept on failure.
    Keep,
    /// `--retry` without `-C`: the first attempt starts it afresh, a retry
    /// continues it (from zero if the server has no REST), and the caller
    /// removes it once no attempt is left ([`discard`]).
    Scratch {
        /// The first attempt.
        first: bool,
    },
}

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
            download(op, &src, &dst, config, remove_source, Partial::Keep)
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

/// The local partial file of a download to `target`.
pub fn local_partial(target: &Path) -> Option<PathBuf> {
    let name = target.file_name()?;
    let mut partial = OsString::from(".");
    partial.push(name);
    partial.push(".part");
    Some(target.with_file_name(partial))
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

/// The partial file a download of `src` to `dst` uses, when there is one.
fn partial_of(op: &str, src: &FtpUrl, dst: &Path) -> Result<(PathBuf, PathBuf), Failure> {
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
    let partial = local_partial(&target)
        .ok_or_else(|| Failure::usage(format!("{op} {src}: {shown} has no file name")))?;
    Ok((target, partial))
}

/// Removes the partial file of a download of `src` to `dst` made with
/// [`Partial::Scratch`], once no attempt is left.
pub fn discard(src: &FtpUrl, dst: &Path) {
    if let Ok((_, partial)) = partial_of("", src, dst) {
        let _ = fs::remove_file(partial);
    }
}

/// Downloads `src` to `dst` through its partial file, continuing it.
pub fn download(
    op: &str,
    src: &FtpUrl,
    dst: &Path,
    config: &Config,
    remove_source: bool,
    mode: Partial,
) -> Result<(), Failure> {
    let (target, partial) = partial_of(op, src, dst)?;
    let shown = target.display();
    let keep = mode == Partial::Keep;
    // Said with each failure: where the partial file is, unless nothing
    // arrived, and then it is removed rather than left empty.
    let kept = || {
        if !keep {
            return String::new();
        }
        if fs::metadata(&partial).is_ok_and(|m| m.len() == 0) && fs::remove_file(&partial).is_ok() {
            return String::new();
        }
        format!(
            "; the partial download is kept as {}: run the same command again to resume",
            partial.display()
        )
    };
    // The local side is checked before any byte is sent to the server.
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(mode == Partial::Scratch { first: true })
        .write(true)
        .open(&partial)
        .map_err(|e| {
            Failure::failed(format!(
                "{op} {src}: cannot write to {}: {e}",
                partial.display()
            ))
        })?;
    crate::interrupt::running(format!("{op} {src}"));
    if keep {
        crate::interrupt::keep_on_interrupt(partial.clone());
    } else {
        crate::interrupt::remove_on_interrupt(partial.clone());
    }
    let mut offset = file.seek(SeekFrom::End(0)).map_err(|e| {
        Failure::failed(format!(
            "{op} {src}: cannot read {}: {e}",
            partial.display()
        ))
    })?;
    let remote_failure =
        |e: &ftp_client::Error| Failure::caused_by(format!("{op} {src}: {e}{}", kept()), e);
    let mut client = connect(op, src, config).map_err(|f| Failure {
        message: format!("{f}{}", kept()),
        ..f
    })?;
    let size = match remote_size(&mut client, src.path()) {
        Ok(size) => size,
        Err((e, _)) => return Err(remote_failure(&e)),
    };
    let restart = |file: &mut File| {
        file.set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .map_err(|e| Failure::failed(format!("{op} {src}: {}: {e}", partial.display())))
    };
    if !keep && size.is_some_and(|size| offset > size) {
        // Ours, from an attempt at a file that has changed since.
        offset = restart(&mut file)?;
    }
    if let Some(size) = size.filter(|&size| offset > size) {
        return Err(Failure::failed(format!(
            "{op} {src}: the partial download {} holds {offset} bytes, more than the {size} \
             of the remote file; delete it to start over",
            partial.display()
        )));
    }
    let received = if size == Some(offset) && offset > 0 {
        // All there: an interrupted run ended between the data and the
        // rename.
        0
    } else {
        match fetch_from(&mut client, src.path(), offset, size, &mut file) {
            Ok(received) => received,
            // A retry on a server without REST starts from zero.
            Err(e) if !keep && offset > 0 && is_rest_refusal(&e) => {
                offset = restart(&mut file)?;
                fetch_from(&mut client, src.path(), 0, size, &mut file)
                    .map_err(|e| remote_failure(&e))?
            }
            Err(e) if offset > 0 && is_rest_refusal(&e) => {
                return Err(Failure::failed(format!(
                    "{op} {src}: the server cannot resume transfers ({e}); nothing was \
                     downloaded{}",
                    kept()
                )));
            }
            Err(e) => return Err(remote_failure(&e)),
        }
    };
    let total = offset + received;
    if let Some(size) = size.filter(|&size| size != total) {
        return Err(Failure::failed(format!(
            "{op} {src}: {total} bytes in all but the server's SIZE is {size}; not moved into \
             place{}",
            kept()
        )));
    }
    file.sync_all()
        .map_err(|e| Failure::failed(format!("{op} {src}: cannot save {shown}: {e}{}", kept())))?;
    if let Some(permissions) = permissions_for(&target) {
        let _ = file.set_permissions(permissions);
    }
    drop(file);
    fs::rename(&partial, &target).map_err(|e| {
        Failure::failed(format!(
            "{op} {src}: cannot move the download into place at {shown}: {e}{}",
            kept()
        ))
    })?;
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

/// [`Client::retrieve_file_from`], with the transfer registered for a
/// signal to cut.
fn fetch_from(
    client: &mut Client,
    path: &[u8],
    offset: u64,
    total: Option<u64>,
    file: &mut File,
) -> Result<u64, ftp_client::Error> {
    let mut download = client.retrieve_stream_from(path, offset)?;
    let shown = crate::progress::Shown::single(
        Transfer::new(
            crate::ops::progress_label(Some(path)),
            Direction::Download,
            total,
            offset,
            download.counter(),
        ),
        download.canceller(),
    );
    let received = download.copy_to_file(file).and_then(|_| download.finish());
    shown.finish(&received);
    received
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
