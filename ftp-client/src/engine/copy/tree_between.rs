//! A directory copied (or moved) between two servers or logins
//! ([`FileCopy::recursive`](super::FileCopy::recursive)): the source
//! listed whole first, then its directories made on the destination, then
//! each file streamed between the two sessions as a single file is.

use super::between::{last_name, remove_source, trimmed, within};
use super::{Copied, CopyError, Endpoint, RelayError, Run, Session, same_server};
use crate::{FtpUrl, WalkEntry};

/// `root/a/b` for the names `[a, b]`.
fn joined(root: &[u8], relative: &[Vec<u8>]) -> Vec<u8> {
    let mut path = root.to_vec();
    for name in relative {
        if !path.is_empty() && !path.ends_with(b"/") {
            path.push(b'/');
        }
        path.extend_from_slice(name);
    }
    path
}

impl Run<'_> {
    /// Whether `src` names a directory, as the source's server says.
    pub(super) fn is_remote_dir(
        &self,
        session: &mut Session<'_>,
        src: &FtpUrl,
    ) -> Result<bool, CopyError> {
        let client = session.client(src).map_err(|error| CopyError::Connect {
            url: src.clone(),
            error,
            kept: None,
        })?;
        Ok(client.stat(trimmed(src.path())).is_ok_and(|e| e.is_dir()))
    }

    /// The tree under `src` copied to `dst` (into it, under the source's
    /// name, when it is a directory): nothing is written unless the whole
    /// source could be listed; a file that fails is counted and the rest
    /// goes on; a move deletes each file once its copy is confirmed and
    /// the source's directories only when every file was moved. Symbolic
    /// links are not followed (skipped).
    pub(super) fn tree_between(
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
        let connect = |(url, error)| CopyError::Connect {
            url,
            error,
            kept: None,
        };
        let src_root = trimmed(src.path()).to_vec();
        let (from, to) = session.pair(src, dst).map_err(connect)?;
        let into = dst.is_directory() || to.stat(trimmed(dst.path())).is_ok_and(|e| e.is_dir());
        let mut dst_root = trimmed(dst.path()).to_vec();
        if into {
            dst_root = joined(&dst_root, &[last_name(src.path()).to_vec()]);
        }
        if same_server(src, dst) && within(&src_root, &dst_root) {
            return Err(fail(RelayError::IntoItself));
        }
        let entries: Vec<WalkEntry> = from
            .walk(&src_root)
            .collect::<Result<_, _>>()
            .map_err(|error| fail(RelayError::Listing(error)))?;
        let target = dst
            .with_path(&dst_root)
            .map_err(|error| CopyError::BadTarget {
                dir: dst.clone(),
                error,
            })?;
        let make = |to: &mut crate::Client, path: &[u8]| {
            to.mkdir_all(path).map_err(|error| CopyError::MakeDirs {
                url: dst.with_path(path).unwrap_or_else(|_| dst.clone()),
                error,
            })
        };
        make(to, &dst_root)?;
        for entry in entries.iter().filter(|e| e.entry.is_dir()) {
            make(to, &joined(&dst_root, &entry.relative))?;
        }
        let roots = (src_root.as_slice(), dst_root.as_slice());
        let (bytes, failed) = self.files_between(session, (src, dst), roots, &entries)?;
        if let Some((count, first)) = failed {
            return Err(fail(RelayError::Tree {
                failed: count,
                first: Box::new(first),
            }));
        }
        if self.copy.remove_source {
            self.remove_dirs(session, src, &src_root, &entries)
                .map_err(|error| fail(RelayError::DeleteSource(error)))?;
        }
        Ok(Copied {
            bytes,
            target: Endpoint::Remote(target),
            verified: None,
        })
    }

    /// Each file of the tree, between the two sessions, retried as the
    /// copy's policy allows: the bytes copied, and how many failed (the
    /// first failure).
    #[allow(clippy::type_complexity)]
    fn files_between(
        &self,
        session: &mut Session<'_>,
        (src, dst): (&FtpUrl, &FtpUrl),
        (src_root, dst_root): (&[u8], &[u8]),
        entries: &[WalkEntry],
    ) -> Result<(u64, Option<(usize, CopyError)>), CopyError> {
        let mut bytes = 0;
        let mut failed: Option<(usize, CopyError)> = None;
        for entry in entries.iter().filter(|e| e.entry.is_file()) {
            if self.cancel.is_cancelled() {
                return Err(CopyError::Relay {
                    src: src.clone(),
                    dst: src.clone(),
                    error: RelayError::Upload(crate::engine::UploadError::Cancelled),
                });
            }
            let bad = |dir: &FtpUrl| {
                let dir = dir.clone();
                move |error| CopyError::BadTarget { dir, error }
            };
            let file_src = src
                .with_path(&joined(src_root, &entry.relative))
                .map_err(bad(src))?;
            let file_dst = dst
                .with_path(&joined(dst_root, &entry.relative))
                .map_err(bad(dst))?;
            let what = format!("{} {file_src}", self.copy.what);
            let copied = self
                .copy
                .retry
                .run(self.cancel, self.progress, &what, |attempt| {
                    if attempt > 0 {
                        session.reset();
                    }
                    self.file_between(session, &file_src, &file_dst)
                });
            match copied {
                Ok(n) => bytes += n,
                Err(e) => match &mut failed {
                    Some((count, _)) => *count += 1,
                    None => failed = Some((1, e)),
                },
            }
        }
        Ok((bytes, failed))
    }

    /// One file of a tree.
    fn file_between(
        &self,
        session: &mut Session<'_>,
        src: &FtpUrl,
        dst: &FtpUrl,
    ) -> Result<u64, CopyError> {
        let (from, to) = session
            .pair(src, dst)
            .map_err(|(url, error)| CopyError::Connect {
                url,
                error,
                kept: None,
            })?;
        let fail = |error| CopyError::Relay {
            src: src.clone(),
            dst: dst.clone(),
            error,
        };
        let done = self.relay(from, to, src, dst, None).map_err(fail)?;
        if self.copy.remove_source {
            remove_source(from, to, src, dst, &done).map_err(fail)?;
        }
        Ok(done.sent)
    }

    /// A move's last step: the source's directories, deepest first, then
    /// its root.
    fn remove_dirs(
        &self,
        session: &mut Session<'_>,
        src: &FtpUrl,
        src_root: &[u8],
        entries: &[WalkEntry],
    ) -> Result<(), crate::Error> {
        let client = session.client(src)?;
        let mut dirs: Vec<&WalkEntry> = entries.iter().filter(|e| e.entry.is_dir()).collect();
        dirs.sort_by_key(|e| std::cmp::Reverse(e.depth));
        for dir in dirs {
            client.rmdir(joined(src_root, &dir.relative))?;
        }
        client.rmdir(src_root)
    }
}
