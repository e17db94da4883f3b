//! [`Client::walk`] and [`Client::walk_dirs`]: depth-first walks over a
//! remote tree, with the limits that keep a hostile or broken server from
//! making them endless.
//!
//! The walks' state lives here once, without I/O: [`WalkState`] and
//! [`DirWalkState`] say which directory to list next and turn its listing
//! into the next items. A driver only lists: the blocking iterators
//! (`crate::blocking::Walk`, `crate::blocking::DirWalk`) and the async walkers (`crate::tokio::Walk`,
//! `crate::tokio::DirWalk`) are each a loop of a few lines around them.
//!
//! A state commits nothing until its listing is handed back: the directory
//! to list stays the next one until [`WalkState::listed`] or
//! [`DirWalkState::listed`] takes it, so that an async listing dropped
//! half way lists that directory again on the next call, neither lost nor
//! reported twice.

use std::collections::HashSet;

use ftp_proto::listing::{Entry, Kind, NameError};

#[cfg(doc)]
use crate::Client;
use crate::error::{Error, Result};
#[cfg(doc)]
use crate::{DirWalk, Walk};

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

/// The checks both walks make on every listed entry: the name, the entry
/// limit, the depth limit and the visited set.
#[derive(Debug)]
struct Guard {
    options: WalkOptions,
    seen: usize,
    /// `unique` facts of the directories entered, and their paths.
    visited: HashSet<Vec<u8>>,
}

/// What [`Guard::check`] says of one listed entry.
enum Checked {
    /// `.`, `..`, `cdir`, `pdir`: left out without a word.
    Silent,
    /// The entry (a directory: one to descend into), or why it is left
    /// out.
    Item(Result<WalkEntry>),
    /// The entry limit: the walk ends with this error.
    End(Error),
}

impl Guard {
    fn new(options: WalkOptions) -> Guard {
        Guard {
            options,
            seen: 0,
            visited: HashSet::new(),
        }
    }

    fn check(&mut self, dir: &[u8], relative: &[Vec<u8>], entry: Entry) -> Checked {
        let name = match entry.component(cfg!(windows)) {
            Ok(name) => name.to_vec(),
            Err(NameError::SelfOrParent | NameError::Dots) => return Checked::Silent,
            Err(reason) => {
                let name = if entry.kind == Kind::Unknown {
                    entry.raw.clone()
                } else {
                    entry.name.clone()
                };
                return Checked::Item(Err(Error::UnsafeName {
                    dir: lossy(dir),
                    name,
                    reason,
                }));
            }
        };
        self.seen += 1;
        let path = join(dir, &name);
        if self.seen > self.options.max_entries {
            return Checked::End(Error::WalkLimit {
                path: lossy(&path),
                what: format!("more than {} entries", self.options.max_entries),
            });
        }
        let mut relative = relative.to_vec();
        relative.push(name);
        let depth = relative.len();
        if entry.is_dir() {
            let key = match &entry.unique {
                Some(unique) => [b"unique:".as_slice(), unique.as_bytes()].concat(),
                None => [b"path:".as_slice(), path.as_slice()].concat(),
            };
            let first_visit = self.visited.insert(key) && self.visited.insert(path.clone());
            if !first_visit {
                return Checked::Item(Err(Error::WalkLimit {
                    path: lossy(&path),
                    what: "already visited (a listing loop); not descended into".to_owned(),
                }));
            } else if depth >= self.options.max_depth {
                return Checked::Item(Err(Error::WalkLimit {
                    path: lossy(&path),
                    what: format!(
                        "deeper than {} levels; not descended into",
                        self.options.max_depth
                    ),
                }));
            }
        }
        Checked::Item(Ok(WalkEntry {
            path,
            relative,
            depth,
            entry,
        }))
    }
}

#[derive(Debug)]
struct Frame {
    dir: Vec<u8>,
    relative: Vec<Vec<u8>>,
    entries: std::vec::IntoIter<Entry>,
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

/// What a walk needs next ([`WalkState::step`]): an item to hand out, a
/// directory listed, or nothing more.
// An item is moved out at once, never stored: no need to box it.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum WalkNext {
    /// The next item of the walk.
    Item(Result<WalkEntry>),
    /// List this directory and hand the result to [`WalkState::listed`].
    List(Vec<u8>),
    /// The walk is over.
    Done,
}

/// The state of a depth-first walk ([`Client::walk_with`]), driven by
/// [`Walk`] and by the async `crate::tokio::Walk`.
#[derive(Debug)]
pub(crate) struct WalkState {
    root: Vec<u8>,
    started: bool,
    /// The directories being listed, innermost last.
    stack: Vec<Frame>,
    /// The directory to list next (just reported, or the root), until
    /// its listing is handed to [`WalkState::listed`].
    pending: Option<(Vec<u8>, Vec<Vec<u8>>)>,
    guard: Guard,
    done: bool,
}

impl WalkState {
    pub(crate) fn new(root: &[u8], options: WalkOptions) -> WalkState {
        WalkState {
            root: root.to_vec(),
            started: false,
            stack: Vec::new(),
            pending: None,
            guard: Guard::new(options),
            done: false,
        }
    }

    /// The next item, or the directory to list first. Asking again
    /// without [`WalkState::listed`] asks for the same directory.
    pub(crate) fn step(&mut self) -> WalkNext {
        loop {
            if self.done {
                return WalkNext::Done;
            }
            if !self.started {
                self.started = true;
                self.guard.visited.insert(self.root.clone());
                self.pending = Some((self.root.clone(), Vec::new()));
            }
            if let Some((dir, _)) = &self.pending {
                return WalkNext::List(dir.clone());
            }
            let Some(frame) = self.stack.last_mut() else {
                self.done = true;
                return WalkNext::Done;
            };
            let Some(entry) = frame.entries.next() else {
                self.stack.pop();
                continue;
            };
            match self.guard.check(&frame.dir, &frame.relative, entry) {
                Checked::Silent => continue,
                Checked::End(error) => {
                    self.done = true;
                    return WalkNext::Item(Err(error));
                }
                Checked::Item(Ok(found)) => {
                    if found.entry.is_dir() {
                        self.pending = Some((found.path.clone(), found.relative.clone()));
                    }
                    return WalkNext::Item(Ok(found));
                }
                Checked::Item(Err(error)) => return WalkNext::Item(Err(error)),
            }
        }
    }

    /// The listing of the directory [`WalkState::step`] asked for, and
    /// whether the session is closed now: an error to report, if any.
    /// The root's failure, or a closed session, ends the walk.
    pub(crate) fn listed(
        &mut self,
        listing: Result<Vec<Entry>>,
        closed: bool,
    ) -> Option<Result<WalkEntry>> {
        let (dir, relative) = self.pending.take()?;
        match listing {
            Ok(entries) => {
                self.stack.push(Frame {
                    dir,
                    relative,
                    entries: entries.into_iter(),
                });
                None
            }
            Err(e) => {
                if closed || relative.is_empty() {
                    self.done = true;
                }
                Some(Err(e))
            }
        }
    }
}

/// One directory of a [`DirWalk`]: its path and its checked entries.
#[derive(Debug)]
#[non_exhaustive]
pub struct WalkDir {
    /// The directory's path, as passed back to the server.
    pub path: Vec<u8>,
    /// The names from the walk's root down to it (empty for the root).
    pub relative: Vec<Vec<u8>>,
    /// Its entries in the listing's order: each one checked as
    /// [`Client::walk_with`] checks them (an entry, or the error that
    /// replaces it). A directory entry that is `Ok` may be passed to
    /// [`DirWalk::descend`].
    pub items: Vec<Result<WalkEntry>>,
}

/// The state of a walk one directory at a time ([`Client::walk_dirs`]),
/// driven by [`DirWalk`] and by the async `crate::tokio::DirWalk`; it
/// also carries out their `retry`, `descend` and `follow`.
#[derive(Debug)]
pub(crate) struct DirWalkState {
    guard: Guard,
    root: Vec<u8>,
    started: bool,
    /// Directories to list, the next one last.
    stack: Vec<Pending>,
    /// Directories asked for since the last listing, in order.
    asked: Vec<Pending>,
    /// The directory listed last: links followed on the way to it, and
    /// where it and each directory above it really are.
    links: usize,
    chain: Vec<Vec<u8>>,
    /// The MLSD `unique` facts of the directory listed last and of those
    /// above it, where their listings gave one (`cdir`).
    uniques: Vec<String>,
    /// The directory whose listing failed last, for [`DirWalk::retry`].
    failed: Option<Pending>,
    done: bool,
}

/// A directory a walk listed by several sessions hands out
/// ([`DirWalkState::take_dir`]).
#[derive(Debug)]
pub(crate) struct PendingDir(Pending);

impl PendingDir {
    /// The directory's path, as passed to the server.
    pub(crate) fn path(&self) -> &[u8] {
        &self.0.path
    }
}

/// A directory to list.
#[derive(Debug)]
struct Pending {
    path: Vec<u8>,
    relative: Vec<Vec<u8>>,
    /// Symbolic links followed on the way from the root.
    links: usize,
    /// Where the directories from the root down to this one really are,
    /// as far as the links' targets say: paths normalized, a link's
    /// replaced by its target.
    chain: Vec<Vec<u8>>,
    /// The `unique` facts of the directories above it.
    uniques: Vec<String>,
}

/// Symbolic links [`DirWalk::follow`] follows, at most, on the way from
/// the root to any directory (as a kernel gives up resolving a path).
pub const MAX_LINKS: usize = 8;

impl DirWalkState {
    pub(crate) fn new(root: &[u8], options: WalkOptions) -> DirWalkState {
        DirWalkState {
            guard: Guard::new(options),
            root: root.to_vec(),
            started: false,
            stack: Vec::new(),
            asked: Vec::new(),
            links: 0,
            chain: Vec::new(),
            uniques: Vec::new(),
            failed: None,
            done: false,
        }
    }

    /// The directory to list next, `None` at the end. It stays the next
    /// one until [`DirWalkState::listed`] takes its listing.
    pub(crate) fn next_dir(&mut self) -> Option<Vec<u8>> {
        if self.done {
            return None;
        }
        if !self.started {
            self.started = true;
            self.guard.visited.insert(self.root.clone());
            self.stack.push(Pending {
                path: self.root.clone(),
                relative: Vec::new(),
                links: 0,
                chain: vec![normalize(&self.root)],
                uniques: Vec::new(),
            });
        }
        self.stack.extend(self.asked.drain(..).rev());
        self.failed = None;
        self.stack.last().map(|pending| pending.path.clone())
    }

    /// The listing of the directory [`DirWalkState::next_dir`] gave, and
    /// whether the session is closed now: the walk's next item.
    pub(crate) fn listed(&mut self, listing: Result<Vec<Entry>>, closed: bool) -> Result<WalkDir> {
        let Some(pending) = self.stack.pop() else {
            return Err(Error::Internal(
                "a walk's listing with none asked for".to_owned(),
            ));
        };
        self.listed_from(pending, listing, closed)
    }

    /// For a walk whose directories are listed by several sessions at once:
    /// the next directory to list, taken out of the walk (`None` when none
    /// is due now, or the walk is over). Its listing goes to
    /// [`DirWalkState::listed_from`], and the directories it asks for
    /// ([`DirWalkState::descend`]) must be asked before the next directory
    /// is taken or listed: the walk's context is the directory listed last.
    pub(crate) fn take_dir(&mut self) -> Option<PendingDir> {
        self.next_dir()?;
        self.stack.pop().map(PendingDir)
    }

    /// A directory [`DirWalkState::take_dir`] gave, not listed after all
    /// (its session closed): listed next by another.
    pub(crate) fn put_back(&mut self, dir: PendingDir) {
        self.asked.push(dir.0);
    }

    /// The listing of a directory [`DirWalkState::take_dir`] gave: as
    /// [`DirWalkState::listed`].
    pub(crate) fn listed_dir(
        &mut self,
        dir: PendingDir,
        listing: Result<Vec<Entry>>,
        closed: bool,
    ) -> Result<WalkDir> {
        self.listed_from(dir.0, listing, closed)
    }

    fn listed_from(
        &mut self,
        pending: Pending,
        listing: Result<Vec<Entry>>,
        closed: bool,
    ) -> Result<WalkDir> {
        let entries = match listing {
            Ok(entries) => entries,
            Err(e) => {
                if closed {
                    self.done = true;
                } else {
                    self.failed = Some(pending);
                }
                return Err(e);
            }
        };
        let Pending {
            path: dir,
            relative,
            links,
            chain,
            uniques,
        } = pending;
        self.links = links;
        self.chain = chain;
        self.uniques = uniques;
        // The listing's `cdir` says which directory this really is: one
        // above it again is a loop (a link, or a server that lies).
        let here = entries
            .iter()
            .find(|e| e.kind == Kind::CurrentDir)
            .and_then(|e| e.unique.clone());
        if let Some(unique) = here {
            if self.uniques.contains(&unique) {
                return Err(Error::WalkLimit {
                    path: lossy(&dir),
                    what: "a directory it is in, by its MLSD unique fact: already visited (a link loop); not descended into".to_owned(),
                });
            }
            self.uniques.push(unique);
        }
        let mut items = Vec::with_capacity(entries.len());
        for entry in entries {
            match self.guard.check(&dir, &relative, entry) {
                Checked::Silent => {}
                Checked::Item(item) => items.push(item),
                Checked::End(error) => {
                    items.push(Err(error));
                    self.done = true;
                    break;
                }
            }
        }
        Ok(WalkDir {
            path: dir,
            relative,
            items,
        })
    }

    /// See [`DirWalk::retry`].
    pub(crate) fn retry(&mut self) {
        if let Some(pending) = self.failed.take() {
            self.asked.push(pending);
        }
    }

    /// See [`DirWalk::descend`].
    pub(crate) fn descend(&mut self, found: &WalkEntry) {
        if found.entry.is_dir() {
            let mut chain = self.chain.clone();
            let here = chain.last().cloned().unwrap_or_default();
            chain.push(normalize(&join(&here, &found.entry.name)));
            self.asked.push(Pending {
                path: found.path.clone(),
                relative: found.relative.clone(),
                links: self.links,
                chain,
                uniques: self.uniques.clone(),
            });
        }
    }

    /// See [`DirWalk::follow`].
    pub(crate) fn follow(&mut self, found: &WalkEntry) -> Result<()> {
        let Kind::Symlink { target } = &found.entry.kind else {
            return Err(Error::WalkLimit {
                path: lossy(&found.path),
                what: "not a symbolic link".to_owned(),
            });
        };
        let refuse = |what: String| Error::WalkLimit {
            path: lossy(&found.path),
            what,
        };
        if self.links >= MAX_LINKS {
            return Err(refuse(format!(
                "more than {MAX_LINKS} symbolic links on the way; not followed"
            )));
        }
        if found.depth >= self.guard.options.max_depth {
            return Err(refuse(format!(
                "deeper than {} levels; not followed",
                self.guard.options.max_depth
            )));
        }
        let here = self.chain.last().cloned().unwrap_or_default();
        // Where the target is not given (MLSD's `OS.unix=symlink`), only
        // the limits guard.
        let resolved = target.as_deref().map(|target| {
            if target.starts_with(b"/") {
                normalize(target)
            } else {
                normalize(&join(&here, target))
            }
        });
        let mut chain = self.chain.clone();
        if let Some(resolved) = resolved {
            // A relative path that climbs out of the walk's root (`..`
            // first) says nothing certain; the limits guard there too.
            if !resolved.starts_with(b"..")
                && self.chain.iter().any(|dir| is_within(dir, &resolved))
            {
                return Err(refuse(format!(
                    "a symbolic link to {}, a directory it is in: already visited (a link loop); not followed",
                    target.as_deref().map(lossy).unwrap_or_default()
                )));
            }
            chain.push(resolved);
        } else {
            chain.push(normalize(&join(&here, &found.entry.name)));
        }
        self.asked.push(Pending {
            path: found.path.clone(),
            relative: found.relative.clone(),
            links: self.links + 1,
            chain,
            uniques: self.uniques.clone(),
        });
        Ok(())
    }
}

/// single slashes; a leading `/` is kept.
fn normalize(path: &[u8]) -> Vec<u8> {
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in path.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." if parts.last().is_some_and(|p| *p != b"..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    let mut out = if path.starts_with(b"/") {
        b"/".to_vec()
    } else {
        Vec::new()
    };
    out.extend_from_slice(&parts.join(&b'/'));
    out
}

/// Whether `dir` is `ancestor` or below it (both normalized).
fn is_within(dir: &[u8], ancestor: &[u8]) -> bool {
    if ancestor.is_empty() {
        // The login directory: above every relative path.
        return !dir.starts_with(b"/");
    }
    dir == ancestor
        || dir.starts_with(ancestor)
            && (ancestor.ends_with(b"/") || dir.get(ancestor.len()) == Some(&b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalize() {
        assert_eq!(normalize(b"a/./b//c/"), b"a/b/c");
        assert_eq!(normalize(b"a/b/../c"), b"a/c");
        assert_eq!(normalize(b"/a/.."), b"/");
        assert_eq!(normalize(b"a/.."), b"");
        assert_eq!(normalize(b"../a"), b"../a");
        assert!(is_within(b"a/b", b"a"));
        assert!(is_within(b"a", b"a"));
        assert!(!is_within(b"ab", b"a"));
        assert!(is_within(b"a/b", b""));
        assert!(is_within(b"/a", b"/"));
        assert!(!is_within(b"/a", b""));
    }
}
