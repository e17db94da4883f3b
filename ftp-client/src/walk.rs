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
    root: Vec<u8>,
    started: bool,
    /// The directories being listed, innermost last.
    stack: Vec<Frame>,
    /// A directory just reported, listed on the next call.
    pending: Option<(Vec<u8>, Vec<Vec<u8>>)>,
    guard: Guard,
    done: bool,
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
            root: path.as_ref().to_vec(),
            started: false,
            stack: Vec::new(),
            pending: None,
            guard: Guard::new(options),
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
                self.guard.visited.insert(self.root.clone());
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
            match self.guard.check(&frame.dir, &frame.relative, entry) {
                Checked::Silent => continue,
                Checked::End(error) => {
                    self.done = true;
                    return Some(Err(error));
                }
                Checked::Item(Ok(found)) => {
                    if found.entry.is_dir() {
                        self.pending = Some((found.path.clone(), found.relative.clone()));
                    }
                    return Some(Ok(found));
                }
                Checked::Item(Err(error)) => return Some(Err(error)),
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

/// A walk one directory at a time; see [`Client::walk_dirs`].
#[derive(Debug)]
pub struct DirWalk<'c> {
    client: &'c mut Client,
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

impl Client {
    /// Walks the tree under `path` one directory at a time: each item is
    /// a directory's listing, every entry checked as in
    /// [`Client::walk_with`], within the same limits. Unlike
    /// [`Client::walk`], nothing is descended into unless the caller asks
    /// ([`DirWalk::descend`], [`DirWalk::follow`]), so that a caller can
    /// act on a whole directory (compare its names, start its files)
    /// before the next one is listed. Directories asked for during one
    /// item are listed next, in the order asked (depth first).
    ///
    /// ```no_run
    /// # let mut ftp: ftp_client::Client = unimplemented!();
    /// let mut walk = ftp.walk_dirs("pub", Default::default());
    /// while let Some(listing) = walk.next() {
    ///     let Ok(listing) = listing else { continue };
    ///     for found in listing.items.iter().flatten() {
    ///         if found.entry.is_dir() {
    ///             walk.descend(found);
    ///         }
    ///     }
    /// }
    /// ```
    pub fn walk_dirs(&mut self, path: impl AsRef<[u8]>, options: WalkOptions) -> DirWalk<'_> {
        DirWalk {
            client: self,
            guard: Guard::new(options),
            root: path.as_ref().to_vec(),
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
}

impl DirWalk<'_> {
    /// Lists again, next, the directory whose listing just failed (the
    /// last item was an error): after a transient refusal (4xx, such as
    /// a 425 when the server's passive ports are all taken), the same
    /// listing may succeed a moment later. Does nothing otherwise.
    pub fn retry(&mut self) {
        if let Some(pending) = self.failed.take() {
            self.asked.push(pending);
        }
    }

    /// The walk's session, for questions between listings (such as where a
    /// symbolic link leads).
    pub fn client(&mut self) -> &mut Client {
        self.client
    }

    /// Lists `found`, a directory entry of a listing this walk gave,
    /// after the current directory. Anything else is ignored.
    pub fn descend(&mut self, found: &WalkEntry) {
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

    /// Follows `found`, a symbolic link of the listing this walk gave
    /// last, as a directory: it is listed by its own path (the server
    /// resolves it), so what is found under it keeps the link's name and
    /// stays under the walk's root. Refused with [`Error::WalkLimit`]:
    ///
    /// - a link to a directory it is in (its target, resolved against
    ///   where the link really is, is that directory or above it): a loop;
    ///   a link to a directory elsewhere, even one copied already, is
    ///   followed; where the listing gives no target, the followed
    ///   directory's listing is refused instead if its MLSD `cdir` has the
    ///   `unique` fact of a directory above it;
    /// - more than [`MAX_LINKS`] links on the way from the root, or the
    ///   depth limit: a server that hides a loop behind ever new names, or
    ///   an absolute target that cannot be compared with a relative root,
    ///   is stopped there.
    ///
    /// A link that turns out not to be a directory fails when listed.
    pub fn follow(&mut self, found: &WalkEntry) -> Result<()> {
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

/// `path` without `.` components, `..` applied where it can be, and
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

impl Iterator for DirWalk<'_> {
    type Item = Result<WalkDir>;

    fn next(&mut self) -> Option<Self::Item> {
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
        let pending = self.stack.pop()?;
        self.failed = None;
        let entries = match self.client.entries(&pending.path) {
            Ok(entries) => entries,
            Err(e) => {
                if self.client.is_closed() {
                    self.done = true;
                } else {
                    self.failed = Some(pending);
                }
                return Some(Err(e));
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
                return Some(Err(Error::WalkLimit {
                    path: lossy(&dir),
                    what: "a directory it is in, by its MLSD unique fact: already visited (a link loop); not descended into".to_owned(),
                }));
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
        Some(Ok(WalkDir {
            path: dir,
            relative,
            items,
        }))
    }
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
