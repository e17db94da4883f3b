//! The blocking driver of the walks: [`Walk`] and [`DirWalk`] list with
//! [`Client::entries`] what their state ([`WalkState`],
//! [`DirWalkState`]) asks for.

use super::Client;
#[cfg(doc)]
use crate::error::Error;
use crate::error::Result;
#[cfg(doc)]
use crate::walk::MAX_LINKS;
use crate::walk::{DirWalkState, Step, WalkDir, WalkEntry, WalkOptions, WalkState};

/// A depth-first walk over a remote tree; see [`Client::walk`].
#[derive(Debug)]
pub struct Walk<'c> {
    client: &'c mut Client,
    state: WalkState,
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
            state: WalkState::new(path.as_ref(), options),
            client: self,
        }
    }
}

impl Iterator for Walk<'_> {
    type Item = Result<WalkEntry>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.state.step() {
                Step::Item(item) => return Some(item),
                Step::Done => return None,
                Step::List(dir) => {
                    let listing = self.client.entries(&dir);
                    if let Some(error) = self.state.listed(listing, self.client.is_closed()) {
                        return Some(error);
                    }
                }
            }
        }
    }
}

/// A walk one directory at a time; see [`Client::walk_dirs`].
#[derive(Debug)]
pub struct DirWalk<'c> {
    client: &'c mut Client,
    state: DirWalkState,
}

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
            state: DirWalkState::new(path.as_ref(), options),
            client: self,
        }
    }
}

impl DirWalk<'_> {
    /// Lists again, next, the directory whose listing just failed (the
    /// last item was an error): after a transient refusal (4xx, such as
    /// a 425 when the server's passive ports are all taken), the same
    /// listing may succeed a moment later. Does nothing otherwise.
    pub fn retry(&mut self) {
        self.state.retry();
    }

    /// The walk's session, for questions between listings (such as where a
    /// symbolic link leads).
    pub fn client(&mut self) -> &mut Client {
        self.client
    }

    /// Lists `found`, a directory entry of a listing this walk gave,
    /// after the current directory. Anything else is ignored.
    pub fn descend(&mut self, found: &WalkEntry) {
        self.state.descend(found);
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
        self.state.follow(found)
    }
}

impl Iterator for DirWalk<'_> {
    type Item = Result<WalkDir>;

    fn next(&mut self) -> Option<Self::Item> {
        let dir = self.state.next_dir()?;
        let listing = self.client.entries(&dir);
        Some(self.state.listed(listing, self.client.is_closed()))
    }
}
