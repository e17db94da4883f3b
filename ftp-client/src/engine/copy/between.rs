//! Both sides of a [`FileCopy`](super::FileCopy) remote: a rename on one
//! server and login, or a download on one session streamed into an
//! upload on the other.

use std::io::{self, Read};

use super::{Copied, CopyError, Endpoint, Run, Session, same_server};
use crate::engine::{FileUpload, Leftover, UploadError, Uploaded};
use crate::{Client, Download, Error, FtpUrl};

/// Why a copy between two remote sides failed (in
/// [`CopyError::Relay`](super::CopyError::Relay), with both URLs).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RelayError {
    /// The source could not be read: refused, or its transfer failed or
    /// ended early (its final reply was not 2xx). The upload was ended and
    /// its remote file deleted where the server allows (`leftover`): a
    /// file it was to replace stays as it was.
    #[error("reading the source: {error}")]
    Source {
        /// The server's or the connection's error.
        error: Error,
        /// What became of the upload.
        leftover: Leftover,
    },
    /// The source's transfer ended with another length than the server
    /// announced (in its 150 reply, or SIZE); handled as
    /// [`RelayError::Source`].
    #[error("the source sent {received} bytes but the server announced {expected}")]
    Short {
        /// The bytes that arrived.
        received: u64,
        /// The length announced.
        expected: u64,
        /// What became of the upload.
        leftover: Leftover,
    },
    /// The upload failed; the source is kept.
    #[error("{0}")]
    Upload(UploadError),
    /// A move on one login of a directory, without
    /// [`FileCopy::recursive`](super::FileCopy::recursive).
    #[error("the source is a directory; a recursive move renames it")]
    Directory,
    /// A directory moved into itself.
    #[error("cannot move a directory into itself")]
    IntoItself,
    /// Source and destination are the same file.
    #[error("source and destination are the same file")]
    SameFile,
    /// The server refused the rename (RNFR/RNTO).
    #[error("{0}")]
    Rename(Error),
    /// The copy is complete but the source could not be deleted.
    #[error("copied, but could not delete the source: {0}")]
    DeleteSource(Error),
    /// The source tree could not be listed whole: nothing was copied.
    #[error("listing the source: {0}")]
    Listing(Error),
    /// Files of a tree failed (the rest was copied): how many, and the
    /// first failure. A move kept the sources of those files, and the
    /// source's directories.
    #[error("{failed} file(s) failed, the first: {first}")]
    Tree {
        /// How many files failed.
        failed: usize,
        /// The first failure.
        first: Box<CopyError>,
    },
    /// A copy between two remote sides cannot be resumed.
    #[error("a copy between two servers cannot be resumed")]
    Resume,
}

impl RelayError {
    /// The server's or the connection's error, if that is what failed.
    pub fn remote(&self) -> Option<&Error> {
        match self {
            RelayError::Tree { first, .. } => first.remote(),
            RelayError::Source { error, .. }
            | RelayError::Listing(error)
            | RelayError::Rename(error)
            | RelayError::DeleteSource(error) => Some(error),
            RelayError::Upload(
                UploadError::Transfer { error, .. } | UploadError::Rename { error, .. },
            ) => Some(error),
            _ => None,
        }
    }

    /// Whether another attempt may succeed: a transient failure that left
    /// nothing on the destination.
    pub fn is_transient(&self) -> bool {
        match self {
            RelayError::Source {
                error,
                leftover: Leftover::Nothing | Leftover::Deleted(_),
            } => crate::engine::is_transient(error),
            RelayError::Listing(error) => crate::engine::is_transient(error),
            RelayError::Upload(
                e @ (UploadError::Transfer { .. }
                | UploadError::Rename {
                    leftover: Leftover::Deleted(_) | Leftover::Nothing,
                    ..
                }),
            ) => e.is_transient(),
            _ => false,
        }
    }
}

/// Why the source stream stopped short.
enum Stopped {
    Transfer(Error),
    Short { received: u64, expected: u64 },
}

/// The source's download, read as the upload's stream. At its end the
/// download is finished (its final reply confirmed, its length checked
/// against what was announced) before the upload is told "end": a
/// failure there is an `io::Error` to the upload, which then ends and
/// deletes its remote file, renaming nothing into place; the failure is
/// kept here for the message.
struct SourceStream<'d> {
    download: Option<Download<'d>>,
    received: u64,
    expected: Option<u64>,
    stopped: Option<Stopped>,
}

impl SourceStream<'_> {
    /// Finishes the download: `Ok(0)` once confirmed and complete.
    fn finish(&mut self) -> io::Result<usize> {
        let Some(download) = self.download.take() else {
            return self.end();
        };
        if let Err(e) = download.finish() {
            self.stopped = Some(Stopped::Transfer(e));
        } else if let Some(expected) = self.expected.filter(|&n| n != self.received) {
            self.stopped = Some(Stopped::Short {
                received: self.received,
                expected,
            });
        }
        self.end()
    }

    /// The end of the stream: the download's failure, if it failed.
    fn end(&self) -> io::Result<usize> {
        match &self.stopped {
            None => Ok(0),
            Some(Stopped::Transfer(e)) => Err(io::Error::other(format!("the source: {e}"))),
            Some(Stopped::Short { received, expected }) => Err(io::Error::other(format!(
                "the source sent {received} bytes but announced {expected}"
            ))),
        }
    }

    /// Ends a download the upload stopped reading (ABOR), keeping the
    /// session.
    fn abort(&mut self) {
        if let Some(download) = self.download.take() {
            let _ = download.abort();
        }
    }
}

impl Read for SourceStream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(download) = self.download.as_mut() else {
            return self.end();
        };
        match download.read(buf) {
            Ok(0) => self.finish(),
            Ok(n) => {
                self.received += n as u64;
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            // `finish` reports it, with the server's reply if it has one.
            Err(_) => self.finish(),
        }
    }
}

/// A path without its trailing `/`s (the root stays `/`).
pub(super) fn trimmed(path: &[u8]) -> &[u8] {
    let end = path.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
    if end == 0 && !path.is_empty() {
        return &path[..1];
    }
    &path[..end]
}

/// The last component of a path (trailing `/`s ignored).
pub(super) fn last_name(path: &[u8]) -> &[u8] {
    let path = trimmed(path);
    let start = path.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
    &path[start..]
}

/// Whether `inner` is `outer` or lies under it.
pub(super) fn within(outer: &[u8], inner: &[u8]) -> bool {
    let (outer, inner) = (trimmed(outer), trimmed(inner));
    inner == outer
        || (inner.starts_with(outer) && (outer.ends_with(b"/") || inner[outer.len()] == b'/'))
}

impl Run<'_> {
    /// Both sides remote: a rename where a move stays on one server and
    /// login, a stream between two connections otherwise.
    pub(super) fn between(
        &self,
        session: &mut Session<'_>,
        src: &FtpUrl,
        dst: &FtpUrl,
    ) -> Result<Copied, CopyError> {
        let fail = |error| CopyError::Relay {
            src: src.clone(),
            dst: dst.clone(),
            error,
        };
        if self.copy.resume {
            return Err(fail(RelayError::Resume));
        }
        if self.copy.remove_source && same_server(src, dst) {
            return self.rename(session, src, dst);
        }
        if self.copy.recursive && self.is_remote_dir(session, src)? {
            return self.tree_between(session, src, dst);
        }
        let name = last_name(src.path());
        if name.is_empty() {
            return Err(CopyError::DirectoryUrl { url: src.clone() });
        }
        let target = if dst.is_directory() {
            let mut path = dst.path().to_vec();
            path.extend_from_slice(name);
            dst.with_path(&path).map_err(|error| CopyError::BadTarget {
                dir: dst.clone(),
                error,
            })?
        } else {
            dst.clone()
        };
        // One file, one login: a copy onto itself would download it while
        // replacing it.
        if same_server(src, &target) && trimmed(src.path()) == trimmed(target.path()) {
            return Err(CopyError::Relay {
                src: src.clone(),
                dst: target,
                error: RelayError::SameFile,
            });
        }
        let (from, to) = session
            .pair(src, &target)
            .map_err(|(url, error)| CopyError::Connect {
                url,
                error,
                kept: None,
            })?;
        let fail = |error| CopyError::Relay {
            src: src.clone(),
            dst: target.clone(),
            error,
        };
        if self.copy.create_dirs {
            super::put::make_parents(to, &target).map_err(|error| CopyError::MakeDirs {
                url: target.clone(),
                error,
            })?;
        }
        let done = self
            .relay(from, to, src, &target, Some(name))
            .map_err(fail)?;
        let copied_to = target.with_path(&done.remote).unwrap_or(target.clone());
        if self.copy.remove_source {
            remove_source(from, to, src, &target, &done).map_err(fail)?;
        }
        Ok(Copied {
            bytes: done.sent,
            target: Endpoint::Remote(copied_to),
            verified: done.verified,
        })
    }

    /// The source's download streamed into the destination's upload; `name`
    /// (a single file's) takes it into a directory standing at the target.
    pub(super) fn relay(
        &self,
        from: &mut Client,
        to: &mut Client,
        src: &FtpUrl,
        target: &FtpUrl,
        name: Option<&[u8]>,
    ) -> Result<Uploaded, RelayError> {
        // The length to check the transfer against, where the 150 reply
        // will not say it.
        let size = from.size(src.path()).ok();
        // A missing or unreadable source (a directory too) fails here,
        // before the destination is touched.
        let download = from
            .retrieve_stream(src.path())
            .map_err(|error| RelayError::Source {
                error,
                leftover: Leftover::Nothing,
            })?;
        let expected = download.size_hint().or(size);
        let _cut = self.cancel.cut_on_cancel(download.canceller());
        let mut stream = SourceStream {
            download: Some(download),
            received: 0,
            expected,
            stopped: None,
        };
        let prepared = FileUpload::new(src.to_string(), target.path())
            .label((self.copy.label)(target.path()))
            .verify_size(self.copy.remove_source)
            .verify(self.copy.verify)
            // The upload paces the stream, and with it the download.
            .limits(self.copy.limits.clone())
            .from_reader(&mut stream)
            .length(expected);
        // Named: a directory at the target takes the file under its name.
        let prepared = match name {
            Some(name) => prepared.named(name),
            None => prepared,
        };
        let uploaded = prepared.run(to, self.progress, self.cancel);
        stream.abort();
        match (uploaded, stream.stopped) {
            (Ok(done), None) => Ok(done),
            (result, Some(stopped)) => {
                let leftover = match result {
                    Err(
                        UploadError::Transfer { leftover, .. }
                        | UploadError::Changed { leftover, .. },
                    ) => leftover,
                    _ => Leftover::Nothing,
                };
                Err(match stopped {
                    Stopped::Transfer(error) => RelayError::Source { error, leftover },
                    Stopped::Short { received, expected } => RelayError::Short {
                        received,
                        expected,
                        leftover,
                    },
                })
            }
            (Err(e), None) => Err(RelayError::Upload(e)),
        }
    }

    /// A move on one server and login: RNFR/RNTO, into `dst` when it is
    /// a directory.
    fn rename(
        &self,
        session: &mut Session<'_>,
        src: &FtpUrl,
        dst: &FtpUrl,
    ) -> Result<Copied, CopyError> {
        let client = session.client(src).map_err(|error| CopyError::Connect {
            url: src.clone(),
            error,
            kept: None,
        })?;
        let fail = |error| CopyError::Relay {
            src: src.clone(),
            dst: dst.clone(),
            error,
        };
        let entry = client
            .stat(trimmed(src.path()))
            .map_err(|error| fail(RelayError::Rename(error)))?;
        if entry.is_dir() && !self.copy.recursive {
            return Err(fail(RelayError::Directory));
        }
        let into = dst.is_directory() || client.stat(dst.path()).is_ok_and(|e| e.is_dir());
        let mut path = trimmed(dst.path()).to_vec();
        if into {
            if !path.ends_with(b"/") {
                path.push(b'/');
            }
            path.extend_from_slice(last_name(src.path()));
        }
        let target = dst.with_path(&path).map_err(|error| CopyError::BadTarget {
            dir: dst.clone(),
            error,
        })?;
        if trimmed(src.path()) == path.as_slice() {
            return Err(fail(RelayError::SameFile));
        }
        if entry.is_dir() && within(src.path(), &path) {
            return Err(fail(RelayError::IntoItself));
        }
        client
            .rename(trimmed(src.path()), &path)
            .map_err(|error| fail(RelayError::Rename(error)))?;
        Ok(Copied {
            bytes: 0,
            target: Endpoint::Remote(target),
            verified: None,
        })
    }
}

/// A move's last step, once the destination confirmed: the source
/// deleted. On one server (another login) the source is first renamed
/// aside and the destination looked at again: were they the same file
/// (a login's directory inside another's), it is gone, and the source
/// is renamed back rather than deleted.
pub(super) fn remove_source(
    from: &mut Client,
    to: &mut Client,
    src: &FtpUrl,
    target: &FtpUrl,
    done: &Uploaded,
) -> Result<(), RelayError> {
    let shared_host = src.host().eq_ignore_ascii_case(target.host())
        && src.port() == target.port()
        && done.replaced;
    if !shared_host {
        return from.delete(src.path()).map_err(RelayError::DeleteSource);
    }
    let aside = crate::engine::temporary_name(src.path());
    from.rename(src.path(), &aside)
        .map_err(RelayError::DeleteSource)?;
    if to.size(&done.remote).is_err_and(|e| e.code() == Some(550)) {
        let _ = from.rename(&aside, src.path());
        return Err(RelayError::SameFile);
    }
    from.delete(&aside).map_err(RelayError::DeleteSource)
}
