//! The download side of a [`FileCopy`](super::FileCopy): to a file
//! (through a temporary or partial file), a device, or a stream.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::{Copied, CopyError, Endpoint, Run, Session, ends_with_separator, local_file_name};
use crate::engine::{
    Direction, FileDownload, Outcome, Partial, Planned, PreparedDownload, SegmentedDownload,
    Transfer,
};
use crate::{Client, Download, Error, FtpUrl};

/// How much [`drain`] reads at a time.
const CHUNK: usize = 256 * 1024;

/// Why [`drain`] stopped short.
#[derive(Debug, thiserror::Error)]
pub enum Drained {
    /// The writer failed; the session was abandoned.
    #[error("{0}")]
    Write(io::Error),
    /// The transfer failed, as the server or the connection said.
    #[error("{0}")]
    Transfer(Error),
}

/// Copies a download into `out` and finishes it; returns the bytes
/// copied. A writer that fails (a reader that went away, a full disk)
/// ends the transfer and the session at once, without waiting for the
/// server's word on the cut-short transfer.
pub fn drain(mut download: Download<'_>, out: &mut dyn Write) -> Result<u64, Drained> {
    let mut buf = vec![0; CHUNK];
    loop {
        let n = match download.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // `finish` reports it, with the server's reply if it has one.
            Err(_) => break,
        };
        if let Err(e) = out.write_all(&buf[..n]) {
            download.abandon();
            return Err(Drained::Write(e));
        }
    }
    download.finish().map_err(Drained::Transfer)
}

/// The local name a download of `src` takes.
fn download_name(src: &FtpUrl) -> Result<std::ffi::OsString, CopyError> {
    let Some(name) = src.file_name() else {
        return Err(CopyError::DirectoryUrl { url: src.clone() });
    };
    local_file_name(name).ok_or_else(|| CopyError::BadLocalName { url: src.clone() })
}

/// `dst`, or `dst/NAME` if it is (or names) a directory.
fn target_in(dst: &Path, name: &std::ffi::OsStr) -> PathBuf {
    if dst.is_dir() || ends_with_separator(dst) {
        dst.join(name)
    } else {
        dst.to_owned()
    }
}

/// The file a download through a partial file ends at.
pub(super) fn partial_target(src: &FtpUrl, dst: &Endpoint) -> Result<PathBuf, CopyError> {
    let name = download_name(src)?;
    let dst = match dst {
        Endpoint::Local(dst) => dst,
        Endpoint::Stdio => return Err(CopyError::ResumeStdout),
        Endpoint::Remote(_) => return Err(CopyError::BothRemote),
    };
    let target = target_in(dst, &name);
    if fs::metadata(&target).is_ok_and(|m| !m.is_file()) {
        return Err(CopyError::ResumeNotRegular {
            url: src.clone(),
            path: target,
        });
    }
    if crate::engine::partial_path(&target).is_none() {
        return Err(CopyError::NoFileName {
            url: src.clone(),
            path: target,
        });
    }
    Ok(target)
}

/// Where a stream download goes.
enum Sink<'a> {
    /// A file or device: the kernel moves the data into it (splice).
    File(&'a mut File),
    /// Anything else, standard output included.
    Stream(&'a mut dyn Write),
}

/// A partial file's fate after a failed resumed download: kept (its path)
/// unless nothing arrived, and then removed.
fn kept(keep: bool, partial: &Path) -> Option<PathBuf> {
    if !keep
        || (fs::metadata(partial).is_ok_and(|m| m.len() == 0) && fs::remove_file(partial).is_ok())
        || !partial.exists()
    {
        return None;
    }
    Some(partial.to_owned())
}

impl Run<'_> {
    /// A session's client, or the connection's failure.
    fn connect<'s>(
        session: &'s mut Session<'_>,
        url: &FtpUrl,
        kept: impl FnOnce() -> Option<PathBuf>,
    ) -> Result<&'s mut Client, CopyError> {
        session.client(url).map_err(|error| CopyError::Connect {
            url: url.clone(),
            error,
            kept: kept(),
        })
    }

    /// Downloads `src` to the destination: standard output, a device in
    /// place, or a file through a temporary file renamed into place once
    /// the server confirmed the transfer.
    pub(super) fn download(
        &self,
        session: &mut Session<'_>,
        src: &FtpUrl,
    ) -> Result<Copied, CopyError> {
        let name = download_name(src)?;
        let dst = match &self.copy.dst {
            Endpoint::Local(dst) => dst,
            _ => return self.to_stdout(session, src),
        };
        let target = target_in(dst, &name);
        if target.is_dir() {
            return Err(CopyError::LocalIsDirectory {
                url: src.clone(),
                path: target,
            });
        }
        // A device or pipe (/dev/null, a FIFO) is written in place:
        // renaming a temporary file over it would replace it.
        if fs::metadata(&target).is_ok_and(|m| !m.is_file()) {
            return self.to_device(session, src, target);
        }
        self.to_file(session, src, target)
    }

    fn to_stdout(&self, session: &mut Session<'_>, src: &FtpUrl) -> Result<Copied, CopyError> {
        if self.copy.verify {
            return Err(CopyError::VerifyNeedsFile { url: src.clone() });
        }
        if self.copy.remove_source {
            return Err(CopyError::MoveToStdout);
        }
        let client = Self::connect(session, src, || None)?;
        let mut out = io::stdout().lock();
        let bytes = self.fetch(client, src, Sink::Stream(&mut out))?;
        Ok(Copied {
            bytes,
            target: Endpoint::Stdio,
            verified: None,
        })
    }

    fn to_device(
        &self,
        session: &mut Session<'_>,
        src: &FtpUrl,
        target: PathBuf,
    ) -> Result<Copied, CopyError> {
        if self.copy.verify {
            return Err(CopyError::VerifyNeedsFile { url: src.clone() });
        }
        if self.copy.remove_source {
            return Err(CopyError::MoveToDevice { path: target });
        }
        let mut out = match fs::OpenOptions::new().write(true).open(&target) {
            Ok(out) => out,
            Err(source) => {
                return Err(CopyError::OpenDevice {
                    url: src.clone(),
                    path: target,
                    source,
                });
            }
        };
        let client = Self::connect(session, src, || None)?;
        let bytes = self.fetch(client, src, Sink::File(&mut out))?;
        Ok(Copied {
            bytes,
            target: Endpoint::Local(target),
            verified: None,
        })
    }

    /// A download to a regular file through a temporary file.
    fn to_file(
        &self,
        session: &mut Session<'_>,
        src: &FtpUrl,
        target: PathBuf,
    ) -> Result<Copied, CopyError> {
        let failed = |error| CopyError::Download {
            url: src.clone(),
            error,
            partial: None,
            kept: None,
        };
        // The local side is checked before any byte is sent to the server.
        let prepared = FileDownload::new(src.path(), &target)
            .label((self.copy.label)(src.path()))
            .limits(self.copy.limits.clone())
            .ask_size(self.copy.ask_size)
            .verify_size(self.copy.remove_source)
            .verify(self.copy.verify)
            .prepare()
            .map_err(failed)?;
        let temporary = prepared.partial_path().to_owned();
        self.temporary(&temporary, true, false);
        if let Err(e) = Self::connect(session, src, || None) {
            drop(prepared);
            self.temporary(&temporary, false, false);
            return Err(e);
        }
        let done = self.run_prepared(session, src, prepared);
        self.temporary(&temporary, false, done.is_ok());
        let done = done.map_err(failed)?;
        self.remove_remote(session, src, &target, done.verified.as_ref())?;
        Ok(Copied {
            bytes: done.received,
            target: Endpoint::Local(target),
            verified: done.verified,
        })
    }

    /// Runs a download over the session (connected): a verified one with
    /// a second connection to the same server, which asks the digest while
    /// the bytes stream (over the one session when it cannot be opened).
    fn run_prepared(
        &self,
        session: &mut Session<'_>,
        src: &FtpUrl,
        prepared: PreparedDownload,
    ) -> Result<crate::engine::Downloaded, crate::engine::DownloadError> {
        if self.copy.verify {
            if let Ok((client, checker)) = session.pair(src, src) {
                return prepared.run_with_checker(client, checker, self.progress, self.cancel);
            }
        }
        match session.client(src) {
            Ok(client) => prepared.run(client, self.progress, self.cancel),
            Err(e) => Err(crate::engine::DownloadError::Transfer(e)),
        }
    }

    /// A download to a regular file over several sessions
    /// ([`FileCopy::segments`](super::FileCopy::segments)); anything else
    /// as [`Run::download`].
    pub(super) fn download_segmented(
        &self,
        session: &mut Session<'_>,
        src: &FtpUrl,
    ) -> Result<Copied, CopyError> {
        let name = download_name(src)?;
        let Endpoint::Local(dst) = &self.copy.dst else {
            return self.download(session, src);
        };
        let target = target_in(dst, &name);
        if target.is_dir() || fs::metadata(&target).is_ok_and(|m| !m.is_file()) {
            return self.download(session, src);
        }
        let resume = self.copy.resume;
        let partial = if resume {
            Partial::Resume
        } else {
            Partial::Temporary
        };
        let plan = FileDownload::new(src.path(), &target)
            .partial(partial)
            .label((self.copy.label)(src.path()))
            .limits(self.copy.limits.clone());
        let segmented = SegmentedDownload::new(plan, self.copy.segments).retry(self.copy.retry);
        let kept_partial = || crate::engine::partial_path(&target).filter(|p| resume && p.exists());
        Self::connect(session, src, kept_partial)?;
        let Session {
            connect, client, ..
        } = session;
        let connect_one = || connect(src);
        let done = match client.as_mut() {
            Some(client) => segmented.run(client, &connect_one, self.progress, self.cancel),
            None => Err(crate::engine::DownloadError::Transfer(Error::Closed {
                reply: None,
            })),
        };
        let done = done.map_err(|error| CopyError::Download {
            url: src.clone(),
            error,
            partial: resume.then_some(Partial::Resume),
            kept: kept_partial(),
        })?;
        self.remove_remote(session, src, &target, None)?;
        Ok(Copied {
            bytes: done.received,
            target: Endpoint::Local(target),
            verified: None,
        })
    }

    /// Reports a local temporary file as created or gone.
    fn temporary(&self, path: &Path, live: bool, kept: bool) {
        self.progress.tree(&Planned::Temporary { path, live, kept });
    }

    /// A move's last step: the remote source deleted.
    fn remove_remote(
        &self,
        session: &mut Session<'_>,
        src: &FtpUrl,
        target: &Path,
        verified: Option<&crate::engine::Verified>,
    ) -> Result<(), CopyError> {
        if !self.copy.remove_source {
            return Ok(());
        }
        let client = Self::connect(session, src, || None)?;
        client
            .delete(src.path())
            .map_err(|error| CopyError::DeleteRemote {
                url: src.clone(),
                copied_to: target.to_owned(),
                error,
                verified: verified.cloned(),
            })
    }

    /// Downloads `src` into `out`; checks that the size the server
    /// announced in its 150 reply, if it did, all arrived.
    fn fetch(&self, client: &mut Client, src: &FtpUrl, out: Sink<'_>) -> Result<u64, CopyError> {
        let remote = |error| CopyError::Stream {
            url: src.clone(),
            error,
        };
        let size = if self.copy.ask_size {
            client.size(src.path()).ok()
        } else {
            None
        };
        let mut download = client.retrieve_stream(src.path()).map_err(remote)?;
        download.limit(&self.copy.limits);
        let announced = download.size_hint();
        let transfer = Transfer::new(
            (self.copy.label)(src.path()),
            Direction::Download,
            announced.or(size),
            0,
            download.counter(),
        );
        let _cut = self.cancel.cut_on_cancel(download.canceller());
        self.progress.started(&transfer);
        let received = copy_into(download, out, src);
        let outcome = match received {
            Ok(_) => Outcome::Done,
            Err(_) => Outcome::Failed,
        };
        self.progress.finished(&transfer, outcome);
        let received = received?;
        match announced.filter(|&n| n != received) {
            Some(announced) => Err(CopyError::Announced {
                url: src.clone(),
                received,
                announced,
            }),
            None => Ok(received),
        }
    }

    /// Downloads `src` through its partial file `.NAME.part` beside the
    /// target, continuing it as `mode` says.
    pub(super) fn download_partial(
        &self,
        session: &mut Session<'_>,
        src: &FtpUrl,
        dst: &Endpoint,
        mode: Partial,
    ) -> Result<Copied, CopyError> {
        let target = partial_target(src, dst)?;
        let keep = mode == Partial::Resume;
        let failed = |error, kept| CopyError::Download {
            url: src.clone(),
            error,
            partial: Some(mode),
            kept,
        };
        // The local side is checked before any byte is sent to the server.
        let prepared = FileDownload::new(src.path(), &target)
            .partial(mode)
            .label((self.copy.label)(src.path()))
            .limits(self.copy.limits.clone())
            .prepare()
            .map_err(|e| failed(e, None))?;
        let partial = prepared.partial_path().to_owned();
        if !keep {
            self.temporary(&partial, true, false);
        }
        let client = Self::connect(session, src, || kept(keep, &partial))?;
        let done = prepared
            .run(client, self.progress, self.cancel)
            .map_err(|e| failed(e, kept(keep, &partial)))?;
        if !keep {
            self.temporary(&partial, false, true);
        }
        self.remove_remote(session, src, &target, None)?;
        Ok(Copied {
            bytes: done.received,
            target: Endpoint::Local(target),
            verified: done.verified,
        })
    }
}

/// The bytes of `download` into `out`, the final reply checked.
fn copy_into(mut download: Download<'_>, out: Sink<'_>, src: &FtpUrl) -> Result<u64, CopyError> {
    let remote = |error| CopyError::Stream {
        url: src.clone(),
        error,
    };
    let written = |source| CopyError::Write {
        url: src.clone(),
        source,
    };
    match out {
        Sink::File(file) => {
            download.copy_to_file(file).map_err(remote)?;
            download.finish().map_err(remote)
        }
        Sink::Stream(out) => {
            let received = drain(download, out).map_err(|e| match e {
                Drained::Write(e) => written(e),
                Drained::Transfer(e) => remote(e),
            })?;
            out.flush().map_err(written)?;
            Ok(received)
        }
    }
}
