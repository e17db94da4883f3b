//! `mkdir -p`: every missing directory of a path, from the top down.

use std::collections::VecDeque;

use crate::command::{Arg, Command};
use crate::reply::{Reply, ReplyClass};

use super::machine::Session;
use super::outcome::{Outcome, UsageError};
use super::state::{Probe, Returned, State};

impl Session {
    /// Makes the directory `path` and every missing parent, as `mkdir -p`:
    /// `MKD` for each of `path`'s directories from the top down (`a`,
    /// `a/b`, `a/b/c`; a leading `/`, a trailing `/` and empty components
    /// name none). A 5xx to `MKD` may mean the directory exists: it does
    /// if `CWD` goes into it (and the session back home, `PWD` first unless
    /// the working directory is known); if `CWD` is refused too, the
    /// operation fails with MKD's refusal. Any other refusal ends it.
    /// Succeeds with [`Outcome::DirectoryMade`]; a path that names no
    /// directory (`/`) succeeds at once, with nothing sent.
    ///
    /// As for every operation that changes directory, a session that
    /// cannot get back home (three refused CWDs) is closed.
    pub fn mkdir_all(&mut self, path: Arg) -> Result<(), UsageError> {
        self.check_idle()?;
        self.make_next_dir(directories(path.as_bytes()));
        Ok(())
    }

    /// `MKD` for the first of `dirs`, or the end when none is left.
    pub(super) fn make_next_dir(&mut self, dirs: VecDeque<Arg>) {
        let Some(dir) = dirs.front().cloned() else {
            return self.finish(Ok(Outcome::DirectoryMade));
        };
        self.state = State::MakeDirs { dirs };
        self.send(Command::Mkd(dir));
    }

    /// The reply to `MKD` of the first of `dirs`.
    pub(super) fn on_mkd_reply(&mut self, mut dirs: VecDeque<Arg>, reply: Reply) {
        let Some(dir) = dirs.pop_front() else {
            return self.finish(Ok(Outcome::DirectoryMade));
        };
        if reply.class() == ReplyClass::PositiveCompletion {
            return self.make_next_dir(dirs);
        }
        let failure = self.not_success(reply.clone());
        if reply.code().get() < 500 {
            return self.finish(Err(failure));
        }
        // Perhaps it exists already.
        self.probe_dir(Probe {
            path: dir,
            refusal: Some(failure),
            then: Returned::MakeDirs(dirs),
        });
    }
}

/// The directories of `path` to make, from the top down: each prefix that
/// ends before a `/` (not a leading one, nor one of several in a row), and
/// `path` itself, without a trailing `/`.
fn directories(path: &[u8]) -> VecDeque<Arg> {
    let path = path.strip_suffix(b"/").unwrap_or(path);
    path.iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'/' && i > 0 && path[i - 1] != b'/')
        .map(|(i, _)| i)
        .chain([path.len()])
        // An empty prefix (the path was `/`) names no directory.
        .filter_map(|end| Arg::new(path[..end].to_vec()).ok())
        .collect()
}
