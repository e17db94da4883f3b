//! [`Client::walk`]: a depth-first iterator over a remote tree, with the
//! limits that keep a hostile or broken server from making it endless.

use std::collections::HashSet;

use ftp_proto::listing::{Entry, Kind, NameError};

use crate::client::Client;
use crate::error::{Error, Result};

/// Limits of a [`Walk`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WalkOptions {
    /// How deep the walk goes: the root's children are at depth 1, and a
    /// directory at this depth is not listed (an [`Error::WalkLimit`]
    /// comes instead of its entry). Default 256: deeper than real trees
    /// go, shallow enough that a listing loop (`a/` listing `a/` again)
    /// ends after a bounded number of listings.
    pub max_depth: usize,
    /// The walk ends after this many entries. Default 1,000,000.
    pub max_entries: usize,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            max_depth: 256,
            max_entries: 1_000_000,
        }
    }
}

impl WalkOptions {
    /// The defaults with another depth limit.
    pub fn max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// The defaults with another entry limit.
    pub fn max_entries(mut self, max_entries: usize) -> Self {
        self.max_entries = max_entries;
        self
    }
}

/// One entry of a [`Walk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkEntry {
    /// The path to pass back to the server: the walk's root, `/`, then the
    /// names down to this entry, each one checked to be exactly one path
    /// component.
    pub path: Vec<u8>,
    /// The names below the root, each a checked component; `path` without
    /// the root.
    pub relative: Vec<Vec<u8>>,
    /// 1 for the root's children, 2 for theirs, …
    pub depth: usize,
    /// The entry as listed.
    pub entry: Entry,
}

/// A depth-first walk over a remote tree; see [`Client::walk`].
#[derive(Debug)]
pub struct Walk<'c> {
    client: &'c mut Client,
    options: WalkOptions,
    root: Vec<u8>,
    started: bool,
    /// The directories being listed, innermost last.
    stack: Vec<Frame>,
    /// A directory just reported, listed on the next call.
    pending: Option<(Vec<u8>, Vec<Vec<u8>>)>,
    seen: usize,
    /// `unique` facts of the directories entered, and their paths.
    visited: HashSet<Vec<u8>>,
    done: bool,
}

#[derive(Debug)]
struct Frame {
    dir: Vec<u8>,
    relative: Vec<Vec<u8>>,
    entries: std::vec::IntoIter<Entry>,
}

impl Client {
    /// Walks the tree under the directory `path` (`""` for the working
    /// directory) depth first, with [`WalkOptions::default`]: each
    /// directory is reported, then its contents. The root itself is not
    /// reported. See [`Client::walk_with`].
    ///
    /// ```no_run
    /// # let mut ftp: ftp_client::Client = unimplemented!();
    /// let mut total = 0;
    /// for item in ftp.walk("pub") {
    ///     match item {
    ///         Ok(found) if found.entry.is_file() => total += found.entry.size.unwrap_or(0),
    ///         Ok(_) => {}
    ///         Err(e) => eprintln!("warning: {e}"),
    ///     }
    /// }
    /// println!("{total} bytes");
    /// ```
    pub fn walk(&mut self, path: impl AsRef<[u8]>) -> Walk<'_> {
        self.walk_with(path, WalkOptions::default())
    }

    /// Walks the tree under `path` within `options`' limits. Each item is
    /// an entry, or an error after which the walk goes on:
    ///
    /// - a directory that could not be listed (the server's refusal);
    /// - [`Error::UnsafeName`]: a name that is not exactly one path
    ///   component (empty, `.`, `..`, holding `/`, `\` or a control
    ///   character) or a line no parser understood: skipped, never
    ///   descended into (`cdir`, `pdir`, `.` and `..` are skipped
    ///   silently);
    /// - [`Error::WalkLimit`]: a directory deeper than
    ///   [`WalkOptions::max_depth`], or one already entered (the same MLSD
    ///   `unique` fact or path: a listing loop), is not descended into;
    ///   past [`WalkOptions::max_entries`] the walk ends.
    ///
    /// Symbolic links are reported, never followed. An error that closes
    /// the session ends the walk.
    pub fn walk_with(&mut self, path: impl AsRef<[u8]>, options: WalkOptions) -> Walk<'_> {
        Walk {
            client: self,
            options,
            root: path.as_ref().to_vec(),
            started: false,
            stack: Vec::new(),
            pending: None,
            seen: 0,
            visited: HashSet::new(),
            done: false,
        }
    }
}

/// `dir/name`, without doubling a trailing slash.
fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut path = dir.to_vec();
    if !path.is_empty() && !path.ends_with(b"/") {
        path.push(b'/');
    }
    path.extend_from_slice(name);
    path
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl Walk<'_> {
    /// Lists `dir` and makes it the innermost frame.
    fn enter(&mut self, dir: Vec<u8>, relative: Vec<Vec<u8>>) -> Option<Result<WalkEntry>> {
        match self.client.entries(&dir) {
            Ok(entries) => {
                self.stack.push(Frame {
                    dir,
                    relative,
                    entries: entries.into_iter(),
                });
                None
            }
            Err(e) => {
                if self.client.is_closed() {
                    self.done = true;
                }
                Some(Err(e))
            }
        }
    }
}

impl Iterator for Walk<'_> {
    type Item = Result<WalkEntry>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            if !self.started {
                self.started = true;
                self.visited.insert(self.root.clone());
                if let Some(error) = self.enter(self.root.clone(), Vec::new()) {
                    self.done = true;
                    return Some(error);
                }
            }
            if let Some((dir, relative)) = self.pending.take() {
                if let Some(error) = self.enter(dir, relative) {
                    return Some(error);
                }
            }
            let Some(frame) = self.stack.last_mut() else {
                self.done = true;
                return None;
            };
            let Some(entry) = frame.entries.next() else {
                self.stack.pop();
                continue;
            };
            let name = match entry.component(cfg!(windows)) {
                Ok(name) => name.to_vec(),
                Err(NameError::SelfOrParent | NameError::Dots) => continue,
                Err(reason) => {
                    let name = if entry.kind == Kind::Unknown {
                        entry.raw.clone()
                    } else {
                        entry.name.clone()
                    };
                    return Some(Err(Error::UnsafeName {
                        dir: lossy(&frame.dir),
                        name,
                        reason,
                    }));
                }
            };
            self.seen += 1;
            let path = join(&frame.dir, &name);
            if self.seen > self.options.max_entries {
                self.done = true;
                return Some(Err(Error::WalkLimit {
                    path: lossy(&path),
                    what: format!("more than {} entries", self.options.max_entries),
                }));
            }
            let mut relative = frame.relative.clone();
            relative.push(name);
            let depth = relative.len();
            if entry.is_dir() {
                let key = match &entry.unique {
                    Some(unique) => [b"unique:".as_slice(), unique.as_bytes()].concat(),
                    None => [b"path:".as_slice(), path.as_slice()].concat(),
                };
                let first_visit = self.visited.insert(key) && self.visited.insert(path.clone());
                if !first_visit {
                    return Some(Err(Error::WalkLimit {
                        path: lossy(&path),
                        what: "already visited (a listing loop); not descended into".to_owned(),
                    }));
                } else if depth >= self.options.max_depth {
                    return Some(Err(Error::WalkLimit {
                        path: lossy(&path),
                        what: format!(
                            "deeper than {} levels; not descended into",
                            self.options.max_depth
                        ),
                    }));
                } else {
                    self.pending = Some((path.clone(), relative.clone()));
                }
            }
            return Some(Ok(WalkEntry {
                path,
                relative,
                depth,
                entry,
            }));
        }
    }
}
