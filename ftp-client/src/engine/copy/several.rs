//! [`FileCopy::several`]: several sources copied into one directory, each
//! a [`FileCopy`] over one [`Session`](super::Session).

use std::path::{Path, PathBuf};

use super::{Endpoint, FileCopy, same_server};
use crate::FtpUrl;
use crate::engine::RetryPolicy;

/// Why several sources cannot be copied into one destination
/// ([`FileCopy::several`]). Each is the caller's mistake, found before any
/// connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SeveralError {
    /// Standard input is one stream, never one of several sources.
    #[error("'-' (standard input) is one file; give it as the only source")]
    Stdin,
    /// A remote destination that does not end with `/`.
    #[error("with several sources, DST must be a directory: {0} does not end with '/'")]
    NotADirectoryUrl(FtpUrl),
    /// A local destination that is no existing directory.
    #[error("with several sources, DST must be an existing directory: {}", .0.display())]
    NotADirectory(PathBuf),
    /// Local and remote sources mixed for a remote destination.
    #[error("{0} and {1} are both URLs; exactly one side must be remote")]
    BothRemote(FtpUrl, FtpUrl),
    /// A local source for a local destination.
    #[error("neither {} nor {} is a URL; exactly one side must be remote", .0.display(), .1.display())]
    BothLocal(PathBuf, PathBuf),
    /// Downloads from more than one server or login: they all go over one
    /// session.
    #[error(
        "{0} and {1} are on different servers or logins; all files go over one session: copy them in separate runs"
    )]
    DifferentServers(FtpUrl, FtpUrl),
}

impl FileCopy {
    /// The copies of several `sources` into the directory `dst`, each with
    /// this copy's options (its endpoints replaced), to run one after the
    /// other over one [`Session`](super::Session):
    ///
    /// - local files into a remote directory URL ending in `/`;
    /// - remote files into an existing local directory, all on one server
    ///   and login;
    /// - remote files into a remote directory URL ending in `/`, each
    ///   streamed between two sessions (renamed, for a move on one login).
    ///
    /// Each copy is tried once more, at once and in a new session, after
    /// a failure that may pass: a session can wear out where a new one
    /// would not (a server that refuses every data connection after a
    /// while with 425). A retried download starts over.
    ///
    /// ```
    /// use ftp_client::engine::copy::{Endpoint, FileCopy, SeveralError};
    /// use ftp_client::FtpUrl;
    ///
    /// let dir = FtpUrl::parse("ftp://127.0.0.1/inbox/").unwrap();
    /// let sources = [Endpoint::Local("a.csv".into()), Endpoint::Local("b.csv".into())];
    /// let copies = FileCopy::new(Endpoint::Stdio, Endpoint::Stdio)
    ///     .several(&sources, &Endpoint::Remote(dir))
    ///     .unwrap();
    /// assert_eq!(copies.len(), 2);
    /// // A remote destination must name a directory.
    /// let file = FtpUrl::parse("ftp://127.0.0.1/inbox").unwrap();
    /// let refused = FileCopy::new(Endpoint::Stdio, Endpoint::Stdio)
    ///     .several(&sources, &Endpoint::Remote(file));
    /// assert!(matches!(refused, Err(SeveralError::NotADirectoryUrl(_))));
    /// ```
    pub fn several(
        &self,
        sources: &[Endpoint],
        dst: &Endpoint,
    ) -> Result<Vec<FileCopy>, SeveralError> {
        if sources.contains(&Endpoint::Stdio) {
            return Err(SeveralError::Stdin);
        }
        let pairs = match dst {
            Endpoint::Remote(dir) => into_remote(sources, dir)?,
            Endpoint::Local(dir) => from_remote(sources, dir)?,
            Endpoint::Stdio => from_remote(sources, Path::new("-"))?,
        };
        let once_more = RetryPolicy::new(1).with_delay(std::time::Duration::ZERO);
        Ok(pairs
            .into_iter()
            .map(|(src, dst)| FileCopy {
                src,
                dst,
                retry: once_more,
                retry_continues: false,
                what: "copy".to_owned(),
                ..self.clone()
            })
            .collect())
    }
}

/// Sources into the remote directory `dir`: all remote (streamed between
/// two sessions), or all local (uploads).
fn into_remote(
    sources: &[Endpoint],
    dir: &FtpUrl,
) -> Result<Vec<(Endpoint, Endpoint)>, SeveralError> {
    if !dir.is_directory() {
        return Err(SeveralError::NotADirectoryUrl(dir.clone()));
    }
    let all_remote = sources.iter().all(|s| matches!(s, Endpoint::Remote(_)));
    sources
        .iter()
        .map(|src| match src {
            Endpoint::Remote(url) if !all_remote => {
                Err(SeveralError::BothRemote(url.clone(), dir.clone()))
            }
            src => Ok((src.clone(), Endpoint::Remote(dir.clone()))),
        })
        .collect()
}

/// Remote sources into the local directory `dir`: all on one server and
/// login.
fn from_remote(
    sources: &[Endpoint],
    dir: &Path,
) -> Result<Vec<(Endpoint, Endpoint)>, SeveralError> {
    if !dir.is_dir() {
        return Err(SeveralError::NotADirectory(dir.to_owned()));
    }
    let mut first: Option<&FtpUrl> = None;
    let mut pairs = Vec::with_capacity(sources.len());
    for src in sources {
        match src {
            Endpoint::Remote(url) => {
                if let Some(first) = first.filter(|first| !same_server(first, url)) {
                    return Err(SeveralError::DifferentServers(first.clone(), url.clone()));
                }
                first = first.or(Some(url));
                pairs.push((src.clone(), Endpoint::Local(dir.to_owned())));
            }
            Endpoint::Local(path) => {
                return Err(SeveralError::BothLocal(path.clone(), dir.to_owned()));
            }
            Endpoint::Stdio => return Err(SeveralError::Stdin),
        }
    }
    Ok(pairs)
}
