//! The upload side of a [`FileCopy`](super::FileCopy): a file (straight,
//! replacing, or resumed) or standard input.

use std::fs;
use std::path::Path;

use super::{Copied, CopyError, Endpoint, Run, Session, os_bytes};
use crate::engine::{FileUpload, PreparedUpload, Uploaded};
use crate::{Client, Error, FtpUrl};

/// `dir` (a directory URL) with `name` added.
fn in_directory(dir: &FtpUrl, name: &std::ffi::OsStr) -> Result<FtpUrl, CopyError> {
    let mut path = dir.path().to_vec();
    path.extend_from_slice(os_bytes(name).as_ref());
    dir.with_path(&path).map_err(|error| CopyError::BadTarget {
        dir: dir.clone(),
        error,
    })
}

/// The missing directories of `target`'s path, from the top.
pub(super) fn make_parents(client: &mut Client, target: &FtpUrl) -> Result<(), Error> {
    let path = target.path();
    let parent = &path[..path.iter().rposition(|&b| b == b'/').unwrap_or(0)];
    if parent.is_empty() {
        return Ok(());
    }
    client.mkdir_all(parent)
}

impl Run<'_> {
    /// Uploads `src` to `dst` (into it if it names a directory): straight
    /// to a new name, or by temporary name and rename over a file there.
    pub(super) fn upload(
        &self,
        session: &mut Session<'_>,
        src: &Path,
        dst: &FtpUrl,
    ) -> Result<Copied, CopyError> {
        let name = src.file_name().unwrap_or_default();
        let target = if dst.is_directory() {
            in_directory(dst, name)?
        } else {
            dst.clone()
        };
        // The local side is checked before any byte is sent to the server.
        let prepared = FileUpload::new(src, target.path())
            .label((self.copy.label)(target.path()))
            .limits(self.copy.limits.clone())
            .verify_size(self.copy.remove_source)
            .verify(self.copy.verify)
            .prepare()
            .map_err(CopyError::UploadSource)?;
        let done = self.send(session, prepared, Some(src), &target, 0)?;
        self.remove_local(src, &target, &done)?;
        Ok(Copied {
            bytes: done.sent,
            target: Endpoint::Remote(target),
            verified: done.verified,
        })
    }

    /// Runs a prepared upload over the session, its parents made first
    /// where asked.
    fn send(
        &self,
        session: &mut Session<'_>,
        prepared: PreparedUpload<'_>,
        src: Option<&Path>,
        target: &FtpUrl,
        len: u64,
    ) -> Result<Uploaded, CopyError> {
        let client = session.client(target).map_err(|error| CopyError::Connect {
            url: target.clone(),
            error,
            kept: None,
        })?;
        if self.copy.create_dirs && !self.copy.resume {
            make_parents(client, target).map_err(|error| CopyError::MakeDirs {
                url: target.clone(),
                error,
            })?;
        }
        prepared
            .run(client, self.progress, self.cancel)
            .map_err(|error| CopyError::Upload {
                src: src.map(Path::to_owned),
                target: target.clone(),
                error,
                resumed: self.copy.resume,
                len,
            })
    }

    /// A move's last step: the local source deleted.
    fn remove_local(&self, src: &Path, target: &FtpUrl, done: &Uploaded) -> Result<(), CopyError> {
        if !self.copy.remove_source {
            return Ok(());
        }
        fs::remove_file(src).map_err(|source| CopyError::DeleteLocal {
            path: src.to_owned(),
            copied_to: target.clone(),
            source,
            verified: done.verified.clone(),
        })
    }

    /// Standard input streamed to the server: a new file straight to its
    /// name, an existing one replaced only by a complete upload.
    pub(super) fn upload_stdin(
        &self,
        session: &mut Session<'_>,
        dst: &FtpUrl,
    ) -> Result<Copied, CopyError> {
        if self.copy.remove_source {
            return Err(CopyError::MoveStdin);
        }
        if dst.is_directory() {
            return Err(CopyError::StdinNoName { url: dst.clone() });
        }
        let prepared = FileUpload::new("-", dst.path())
            .label((self.copy.label)(dst.path()))
            .limits(self.copy.limits.clone())
            .verify(self.copy.verify)
            .from_reader(std::io::stdin());
        let done = self.send(session, prepared, None, dst, 0)?;
        Ok(Copied {
            bytes: done.sent,
            target: Endpoint::Remote(dst.clone()),
            verified: done.verified,
        })
    }

    /// Uploads `src` through the remote `.NAME.part`, continuing it.
    pub(super) fn upload_resumed(
        &self,
        session: &mut Session<'_>,
        src: &Path,
        dst: &FtpUrl,
    ) -> Result<Copied, CopyError> {
        let target = if dst.is_directory() {
            let name = src.file_name().ok_or_else(|| CopyError::UploadNoName {
                path: src.to_owned(),
            })?;
            in_directory(dst, name)?
        } else {
            dst.clone()
        };
        let prepared = FileUpload::new(src, target.path())
            .resume(true)
            .label((self.copy.label)(target.path()))
            .limits(self.copy.limits.clone())
            .prepare()
            .map_err(CopyError::UploadSource)?;
        let len = prepared.file_len().unwrap_or_default();
        let done = self.send(session, prepared, Some(src), &target, len)?;
        self.remove_local(src, &target, &done)?;
        Ok(Copied {
            bytes: done.sent,
            target: Endpoint::Remote(target),
            verified: done.verified,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_added_to_a_directory_url() {
        let dir = FtpUrl::parse("ftp://h/in/").unwrap();
        let url = in_directory(&dir, std::ffi::OsStr::new("a b.txt")).unwrap();
        assert!(url.path().ends_with(b"in/a b.txt"));
    }
}
