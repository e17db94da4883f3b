//! [`TreeRemove`]: a remote tree deleted, planned first.

use super::{Tally, TreeError, TreeFailure, TreeSummary, is_root, root_name, shown, trim_slashes};
use crate::engine::{Cancel, Progress};
use crate::{Client, Kind, WalkOptions};

/// A remote directory and everything under it deleted, as `rm -r` does:
/// [`TreeRemove::plan`] walks the tree (symbolic links are deleted, never
/// followed; names are checked as every walk checks them) and returns
/// exactly what will be deleted, deepest first; [`RemovePlan::run`]
/// deletes that and nothing else. The login directory (`""`) and the root
/// (`/`) are emptied with [`TreeRemove::force`], never removed.
///
/// ```no_run
/// use ftp_client::engine::{Cancel, TreeRemove};
/// use ftp_client::{Client, Config, FtpUrl};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let url = FtpUrl::parse("ftp://demo:password@127.0.0.1:2121/")?;
/// let mut ftp = Client::connect_url(&url, Config::default())?;
/// let plan = TreeRemove::new("old-site").plan(&mut ftp, &())?;
/// for deletion in &plan.deletions {
///     println!("would delete {}", String::from_utf8_lossy(&deletion.path));
/// }
/// let summary = plan.run(&mut ftp, &(), &Cancel::new());
/// println!("{} files and {} directories deleted", summary.files, summary.directories);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct TreeRemove {
    remote: Vec<u8>,
    force: bool,
}

/// What a [`TreeRemove`] will delete, in order, and what its listings
/// could not say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RemovePlan {
    /// Every entry to delete, each directory after everything under it.
    pub deletions: Vec<Deletion>,
    /// Listings, or entries, that failed: they are not deleted.
    pub failures: Vec<TreeFailure>,
}

/// One entry a [`RemovePlan`] deletes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Deletion {
    /// Its path, as the server reads it.
    pub path: Vec<u8>,
    /// A directory (RMD), or anything else (DELE).
    pub directory: bool,
    /// Its size as listed, for a file.
    pub size: Option<u64>,
}

impl TreeRemove {
    /// The remote directory `remote` (a path as the server reads it).
    pub fn new(remote: impl AsRef<[u8]>) -> Self {
        TreeRemove {
            remote: remote.as_ref().to_vec(),
            force: false,
        }
    }

    /// Allows emptying the login or the root directory.
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// Refuses, before any word to the server, what may not be removed:
    /// the login or root directory without [`TreeRemove::force`].
    pub fn validate(&self) -> Result<(), TreeError> {
        let path = trim_slashes(&self.remote);
        if is_root(path) && !self.force {
            return Err(TreeError::RemoveRoot(root_name(path)));
        }
        Ok(())
    }

    /// Walks the tree over `client` and says what [`RemovePlan::run`]
    /// will delete; each failure of the walk is also told to `progress`
    /// as it comes. Deletes nothing.
    pub fn plan(
        &self,
        client: &mut Client,
        progress: &dyn Progress,
    ) -> Result<RemovePlan, TreeError> {
        self.validate()?;
        let path = trim_slashes(&self.remote).to_vec();
        // As given: a path ending in '/' is never taken for a file.
        let what = client.stat(&self.remote).map_err(TreeError::Remote)?;
        if what.kind != Kind::Dir {
            return Err(TreeError::NotADirectory);
        }
        let tally = Tally::new(progress);
        let mut items = Vec::new();
        for item in client.walk_with(&path, WalkOptions::default()) {
            match item {
                Ok(found) => items.push(found),
                Err(e) => tally.fail(&shown(&path), e),
            }
        }
        if client.is_closed() {
            return Err(TreeError::ClosedWhileListing);
        }
        // Reversed pre-order: every directory after everything under it.
        let mut deletions: Vec<Deletion> = items
            .into_iter()
            .rev()
            .map(|found| Deletion {
                directory: found.entry.is_dir(),
                size: found.entry.size,
                path: found.path,
            })
            .collect();
        if !is_root(&path) {
            deletions.push(Deletion {
                path,
                directory: true,
                size: None,
            });
        }
        Ok(RemovePlan {
            deletions,
            failures: tally.summary().failures,
        })
    }
}

impl RemovePlan {
    /// Deletes what the plan says, in order, over `client`; a failure is
    /// told to `progress` and the rest goes on, unless the session closed.
    /// Stops before the next deletion once `cancel` fires. The summary
    /// counts the plan's failures too.
    pub fn run(
        &self,
        client: &mut Client,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> TreeSummary {
        let tally = Tally::new(progress);
        let mut directories = 0;
        for deletion in &self.deletions {
            if cancel.is_cancelled() {
                break;
            }
            let result = if deletion.directory {
                client.rmdir(&deletion.path).map(|()| directories += 1)
            } else {
                client
                    .delete(&deletion.path)
                    .map(|()| tally.copied(&shown(&deletion.path), deletion.size.unwrap_or(0)))
            };
            if let Err(e) = result {
                tally.fail(&shown(&deletion.path), e);
                if client.is_closed() {
                    break;
                }
            }
        }
        let mut summary = tally.summary();
        let mut failures = self.failures.clone();
        failures.append(&mut summary.failures);
        summary.failures = failures;
        summary.directories = directories;
        summary.cancelled = cancel.is_cancelled();
        summary
    }
}
