//! The async walkers: [`Walk`] and [`DirWalk`] step as
//! [`walk_api!`](crate::walk) writes once for both drivers, exactly as the
//! blocking [`crate::Walk`] and [`crate::DirWalk`] do, each step awaited.

#[cfg(doc)]
use crate::error::Error;
use crate::error::Result;
use crate::walk::{DirWalkState, WalkDir, WalkEntry, WalkNext, WalkOptions, WalkState};

use super::Client;

walk_api! {
    driver: tokio,
    async: [async],
    await: [.await],
}

impl Walk<'_> {
    /// The next entry, or an error after which the walk goes on (see
    /// [`crate::Client::walk_with`]); `None` at the end. Cancel-safe: see
    /// [`Walk`'s notes](Walk#cancellation).
    pub async fn next(&mut self) -> Option<Result<WalkEntry>> {
        self.advance().await
    }
}

impl DirWalk<'_> {
    /// The next directory's listing, or the error that replaced it;
    /// `None` at the end. Cancel-safe: see
    /// [`Walk`'s notes](Walk#cancellation).
    pub async fn next(&mut self) -> Option<Result<WalkDir>> {
        self.advance().await
    }
}
