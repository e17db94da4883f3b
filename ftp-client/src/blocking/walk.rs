//! The blocking walkers: [`Walk`] and [`DirWalk`] are iterators over the
//! steps [`walk_api!`](crate::walk) writes once for both drivers.

use super::Client;
#[cfg(doc)]
use crate::error::Error;
use crate::error::Result;
use crate::walk::{DirWalkState, WalkDir, WalkEntry, WalkNext, WalkOptions, WalkState};

walk_api! {
    driver: blocking,
    async: [],
    await: [],
}

impl Iterator for Walk<'_> {
    type Item = Result<WalkEntry>;

    fn next(&mut self) -> Option<Self::Item> {
        self.advance()
    }
}

impl Iterator for DirWalk<'_> {
    type Item = Result<WalkDir>;

    fn next(&mut self) -> Option<Self::Item> {
        self.advance()
    }
}
