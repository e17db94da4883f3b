//! The async driver of the walks: [`Walk`] and [`DirWalk`] list with
//! [`Client::entries`] what the walks' shared state asks for, exactly as
//! the blocking [`crate::Walk`] and [`crate::DirWalk`] do.

#[cfg(doc)]
use crate::error::Error;
use crate::error::Result;
use crate::walk::{DirWalkState, Step, WalkDir, WalkEntry, WalkOptions, WalkState};

use super::Client;

/// A depth-first walk over a remote tree; see [`Client::walk`]. The
/// async twin of [`crate::Walk`]: the same items, from
/// `while let Some(item) = walk.next().await`.
///
/// ## Not a `Stream`
///
/// The walkers are not [`Stream`](https://docs.rs/futures/latest/futures/stream/trait.Stream.html)s:
/// that trait lives outside the standard library (this crate takes no
/// `futures` dependency for it), and a stream's `poll_next` would have to
/// keep the listing under way, a future borrowing the client the walker
/// holds, inside the walker itself: a self-referential type, or a boxed
/// future and the client moved in and out of it for every directory. An `async fn next` is the loop the caller writes anyway
/// (`while let Some(item) = walk.next().await`).
///
/// ## Cancellation
///
/// A walker's `next()` waits only on one listing. If its future is
/// dropped, the walk has taken nothing from that listing: the same
/// directory is listed again, from the start, by the next call to
/// `next()` (after the client has put the session back in step, as for
/// any dropped operation), so that no directory is lost or reported twice.
/// If the session closed instead, that next listing fails with the
/// client's error and the walk ends.
/// With a [`DirWalk`], directories asked for ([`DirWalk::descend`],
/// [`DirWalk::follow`]) between the dropped `next()` and the next one are
/// listed before the dropped directory, as if asked before it was due;
/// [`DirWalk::retry`] then does nothing, as nothing failed.
#[derive(Debug)]
pub struct Walk<'c> {
    client: &'c mut Client,
    state: WalkState,
}

impl Walk<'_> {
    /// The next entry, or an error after which the walk goes on (see
    /// [`crate::Client::walk_with`]); `None` at the end. Cancel-safe: see
    /// [`Walk`'s notes](Walk#cancellation).
    pub async fn next(&mut self) -> Option<Result<WalkEntry>> {
        loop {
            match self.state.step() {
                Step::Item(item) => return Some(item),
                Step::Done => return None,
                Step::List(dir) => {
                    let listing = self.client.entries(&dir).await;
                    if let Some(error) = self.state.listed(listing, self.client.is_closed()) {
                        return Some(error);
                    }
                }
            }
        }
    }
}

/// A walk one directory at a time; see [`Client::walk_dirs`]. The async
/// twin of [`crate::DirWalk`]; like [`Walk`], not a `Stream`, and
/// cancel-safe ([`Walk`'s notes](Walk#cancellation)).
#[derive(Debug)]
pub struct DirWalk<'c> {
    client: &'c mut Client,
    state: DirWalkState,
}

impl DirWalk<'_> {
    /// The next directory's listing, or the error that replaced it;
    /// `None` at the end. Cancel-safe: see
    /// [`Walk`'s notes](Walk#cancellation).
    pub async fn next(&mut self) -> Option<Result<WalkDir>> {
        let dir = self.state.next_dir()?;
        let listing = self.client.entries(&dir).await;
        Some(self.state.listed(listing, self.client.is_closed()))
    }

    /// Lists again, next, the directory whose listing just failed; see
    /// [`crate::DirWalk::retry`].
    pub fn retry(&mut self) {
        self.state.retry();
    }

    /// The walk's session, for questions between listings.
    pub fn client(&mut self) -> &mut Client {
        self.client
    }

    /// Lists `found`, a directory entry of a listing this walk gave,
    /// after the current directory; see [`crate::DirWalk::descend`].
    pub fn descend(&mut self, found: &WalkEntry) {
        self.state.descend(found);
    }

    /// Follows `found`, a symbolic link of the listing this walk gave
    /// last, as a directory, or refuses it with [`Error::WalkLimit`]; see
    /// [`crate::DirWalk::follow`].
    pub fn follow(&mut self, found: &WalkEntry) -> Result<()> {
        self.state.follow(found)
    }
}

impl Client {
    /// Walks the tree under `path` depth first, with
    /// [`WalkOptions::default`]; see [`crate::Client::walk`].
    ///
    /// ```no_run
    /// # async fn demo(ftp: &mut ftp_client::tokio::Client) {
    /// let mut walk = ftp.walk("pub");
    /// while let Some(item) = walk.next().await {
    ///     match item {
    ///         Ok(found) => println!("{}", String::from_utf8_lossy(&found.path)),
    ///         Err(e) => eprintln!("warning: {e}"),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn walk(&mut self, path: impl AsRef<[u8]>) -> Walk<'_> {
        self.walk_with(path, WalkOptions::default())
    }

    /// Walks the tree under `path` within `options`' limits, with the same
    /// items, checks and errors as [`crate::Client::walk_with`].
    pub fn walk_with(&mut self, path: impl AsRef<[u8]>, options: WalkOptions) -> Walk<'_> {
        Walk {
            state: WalkState::new(path.as_ref(), options),
            client: self,
        }
    }

    /// Walks the tree under `path` one directory at a time, descending
    /// only where asked; see [`crate::Client::walk_dirs`].
    ///
    /// ```no_run
    /// # async fn demo(ftp: &mut ftp_client::tokio::Client) {
    /// let mut walk = ftp.walk_dirs("pub", Default::default());
    /// while let Some(listing) = walk.next().await {
    ///     let Ok(listing) = listing else { continue };
    ///     for found in listing.items.iter().flatten() {
    ///         if found.entry.is_dir() {
    ///             walk.descend(found);
    ///         }
    ///     }
    /// }
    /// # }
    /// ```
    pub fn walk_dirs(&mut self, path: impl AsRef<[u8]>, options: WalkOptions) -> DirWalk<'_> {
        DirWalk {
            state: DirWalkState::new(path.as_ref(), options),
            client: self,
        }
    }
}
