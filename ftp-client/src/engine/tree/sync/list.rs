//! Both sides of a sync listed into one shape: every entry by its names
//! below the tree's root, each name checked to be exactly one path
//! component, excluded directories not descended into.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::Path;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

use super::super::fresh::unix_seconds;
use super::super::local::{collisions, os_bytes, remote_component};
use super::super::pool::QUICK;
use super::super::{Connect, Tally, shown};
use super::filter::Filter;
use crate::engine::{Cancel, is_transient};
use crate::walk::{DirWalkState, PendingDir};
use crate::{Client, Entry, Kind, Modified, WalkDir, WalkOptions};

/// How deep a local listing goes, as a remote walk does.
const MAX_DEPTH: usize = 256;
/// How many entries a local listing takes.
const MAX_ENTRIES: usize = 1_000_000;

/// Names from the root down to an entry.
pub(super) type Names = Vec<Vec<u8>>;

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    File,
    Dir,
    /// A symbolic link: never followed, as `cp -r` does by default.
    Link,
    /// A device, a socket, a line no parser understood…
    Other,
}

/// An entry's time: the server's (with its precision), or a local file's
/// (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stamp {
    Remote(Modified),
    Local(i64),
}

/// One entry of either side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Node {
    pub(super) shape: Shape,
    pub(super) size: Option<u64>,
    pub(super) time: Option<Stamp>,
    /// Left out by the filter: never copied, never deleted.
    pub(super) excluded: bool,
    /// The remote entry as listed (an upload replaces by its rules).
    pub(super) entry: Option<Entry>,
}

/// One side, listed: every entry by its names, parents before children.
pub(super) type Listing = BTreeMap<Names, Node>;

/// `names` joined by `/`.
pub(super) fn joined(names: &[Vec<u8>]) -> Vec<u8> {
    names.join(&b'/')
}

/// `root/names…` as the server reads it.
pub(super) fn remote_path(root: &[u8], names: &[Vec<u8>]) -> Vec<u8> {
    let mut path = root.to_vec();
    let rest = joined(names);
    if !path.is_empty() && !path.ends_with(b"/") && !rest.is_empty() {
        path.push(b'/');
    }
    path.extend_from_slice(&rest);
    path
}

fn shape_of(kind: &Kind) -> Shape {
    match kind {
        Kind::File => Shape::File,
        Kind::Dir => Shape::Dir,
        Kind::Symlink { .. } => Shape::Link,
        _ => Shape::Other,
    }
}

/// Lists the remote tree under `root` over up to `sessions` sessions at
/// once: `client`, and more opened by `connect` once the root is listed
/// and a directory is waiting for one. A listing whose failure may pass is
/// listed again; one cut short by its session closing is listed once more
/// (by another session, or by the same one reopened once). Every failure (a listing, a name refused, a limit)
/// goes to `tally`; with `collide`, names that collide on a
/// case-insensitive file system are refused too (they are to become local
/// files). The result does not depend on the order listings finish in.
#[allow(clippy::too_many_arguments)]
pub(super) fn list_remote(
    client: &mut Client,
    connect: &Connect<'_>,
    sessions: usize,
    root: &[u8],
    filter: &Filter,
    collide: bool,
    tally: &Tally,
    cancel: &Cancel,
) -> Listing {
    let spread = Spread {
        state: Mutex::new(Shared {
            walk: DirWalkState::new(root, WalkOptions::default()),
            listing: Listing::new(),
            busy: 0,
            listed: 0,
            put_back: HashSet::new(),
        }),
        changed: Condvar::new(),
        connect,
        filter,
        collide,
        tally,
        cancel,
    };
    std::thread::scope(|scope| {
        for worker in 1..sessions.max(1) {
            let spread = &spread;
            scope.spawn(move || spread.extra(worker));
        }
        spread.serve(client, 0);
    });
    let shared = spread.state.into_inner();
    shared.unwrap_or_else(|e| e.into_inner()).listing
}

/// A remote listing spread over sessions: the walk's frontier, taken a
/// directory at a time by whichever session is free.
struct Spread<'a> {
    state: Mutex<Shared>,
    changed: Condvar,
    connect: &'a Connect<'a>,
    filter: &'a Filter,
    collide: bool,
    tally: &'a Tally<'a>,
    cancel: &'a Cancel,
}

struct Shared {
    walk: DirWalkState,
    listing: Listing,
    /// Listings under way.
    busy: usize,
    /// Listings taken in.
    listed: usize,
    /// Directories given to another session once after theirs closed.
    put_back: HashSet<Vec<u8>>,
}

impl Spread<'_> {
    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A worker that panicked aborts the process anyway (the scope
        // re-raises); the state is never left half-changed.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait<'g>(&self, guard: MutexGuard<'g, Shared>) -> MutexGuard<'g, Shared> {
        self.changed.wait(guard).unwrap_or_else(|e| e.into_inner())
    }

    /// A session beyond the first: opened once the root is listed and a
    /// directory is waiting, closed at the end.
    fn extra(&self, worker: usize) {
        {
            let mut state = self.lock();
            loop {
                if self.cancel.is_cancelled() {
                    return;
                }
                if state.listed > 0 && state.walk.next_dir().is_some() {
                    break;
                }
                if state.busy == 0 && state.listed > 0 {
                    return;
                }
                state = self.wait(state);
            }
        }
        match (self.connect)() {
            Ok(mut client) => {
                self.serve(&mut client, worker);
                if !client.is_closed() {
                    super::super::quit(client);
                }
            }
            Err(e) => tracing::debug!("listing session {worker} not opened ({e}); fewer sessions"),
        }
    }

    /// Lists directories on `client` until none is left or it closes.
    /// A session that closes is reopened once (a refused reopening, such
    /// as a 421, means one session fewer).
    fn serve(&self, client: &mut Client, worker: usize) {
        let mut reopened = false;
        while let Some(dir) = self.take() {
            let listing = self.list(client, dir.path());
            self.taken(dir, listing, client.is_closed());
            if client.is_closed() {
                if reopened {
                    break;
                }
                reopened = true;
                match (self.connect)() {
                    Ok(fresh) => *client = fresh,
                    Err(e) => {
                        tracing::debug!("listing session {worker} not reopened ({e})");
                        break;
                    }
                }
            }
        }
    }

    /// The next directory to list; `None` once none is due and none is
    /// being listed (or on cancel).
    fn take(&self) -> Option<PendingDir> {
        let mut state = self.lock();
        loop {
            if self.cancel.is_cancelled() {
                return None;
            }
            if let Some(dir) = state.walk.take_dir() {
                state.busy += 1;
                return Some(dir);
            }
            if state.busy == 0 {
                return None;
            }
            state = self.wait(state);
        }
    }

    /// One directory's listing, listed again while its failure may pass.
    fn list(&self, client: &mut Client, dir: &[u8]) -> crate::Result<Vec<Entry>> {
        let (mut tries, started) = (1, Instant::now());
        loop {
            match client.walk_entries(dir) {
                Err(e)
                    if is_transient(&e)
                        && !client.is_closed()
                        && QUICK.pause(tries, started, self.cancel) =>
                {
                    tracing::debug!("{}: {e}; listing again", shown(dir));
                    tries += 1;
                }
                other => return other,
            }
        }
    }

    /// A listing in: its entries taken, its directories due; or, the first
    /// time its session closed on it, the directory due again.
    fn taken(&self, dir: PendingDir, listing: crate::Result<Vec<Entry>>, closed: bool) {
        let mut state = self.lock();
        let shared = &mut *state;
        shared.busy -= 1;
        shared.listed += 1;
        let path = dir.path().to_vec();
        if listing.is_err() && closed && shared.put_back.insert(path.clone()) {
            shared.walk.put_back(dir);
        } else {
            match shared.walk.listed_dir(dir, listing, false) {
                Ok(dir) => take(
                    &mut shared.walk,
                    dir,
                    self.filter,
                    self.collide,
                    self.tally,
                    &mut shared.listing,
                ),
                Err(e) => self.tally.fail(&shown(&path), e),
            }
        }
        drop(state);
        self.changed.notify_all();
    }
}

/// One directory's listing into `listing`, its names checked; its
/// directories asked of `walk`.
fn take(
    walk: &mut DirWalkState,
    dir: WalkDir,
    filter: &Filter,
    collide: bool,
    tally: &Tally,
    listing: &mut Listing,
) {
    let colliding = if collide {
        collisions(
            dir.items
                .iter()
                .flatten()
                .map(|f| (f.relative.as_slice(), f.entry.name.as_slice())),
        )
    } else {
        Default::default()
    };
    for item in dir.items {
        let found = match item {
            Ok(found) if colliding.contains(&found.relative) => {
                tally.fail(
                    &shown(&found.path),
                    "its name collides with another entry's on a case-insensitive file system",
                );
                continue;
            }
            Ok(found) => found,
            Err(e) => {
                tally.fail(&shown(&dir.path), e);
                continue;
            }
        };
        let shape = shape_of(&found.entry.kind);
        let excluded = filter.excludes(&joined(&found.relative), shape == Shape::Dir);
        if shape == Shape::Dir && !excluded && found.entry.is_dir() {
            walk.descend(&found);
        }
        listing.insert(
            found.relative,
            Node {
                shape,
                size: found.entry.size,
                time: found.entry.modified.map(Stamp::Remote),
                excluded,
                entry: Some(found.entry),
            },
        );
    }
}

/// Lists the local tree under `root` without following links, depth
/// first; names that are not one path component (or, with `collide`,
/// that collide case-insensitively) are refused and reported to `tally`,
/// as are unreadable directories and the limits.
pub(super) fn list_local(root: &Path, filter: &Filter, collide: bool, tally: &Tally) -> Listing {
    let mut listing = Listing::new();
    let mut stack: Vec<Names> = vec![Vec::new()];
    while let Some(names) = stack.pop() {
        let dir = super::super::local::local_path(root, &names);
        let children = match read_sorted(&dir, tally) {
            Some(children) => children,
            None => continue,
        };
        let relatives: Vec<Names> = children
            .iter()
            .map(|(name, _)| {
                let mut relative = names.clone();
                relative.push(name.clone());
                relative
            })
            .collect();
        let colliding = if collide {
            collisions(
                relatives
                    .iter()
                    .filter_map(|r| Some((r.as_slice(), r.last()?.as_slice()))),
            )
        } else {
            Default::default()
        };
        let mut subdirs = Vec::new();
        for ((name, entry), relative) in children.into_iter().zip(relatives) {
            let shown_path = entry.path().display().to_string();
            if let Err(e) = remote_component(&name) {
                tally.fail(&shown_path, e);
            } else if colliding.contains(&relative) {
                tally.fail(
                    &shown_path,
                    "its name collides with another's on a case-insensitive file system",
                );
            } else if listing.len() >= MAX_ENTRIES {
                tally.fail(&shown_path, format!("more than {MAX_ENTRIES} entries"));
                return listing;
            } else if let Some(node) = local_node(&entry.path(), &relative, filter, tally) {
                if node.shape == Shape::Dir && !node.excluded {
                    subdirs.push(relative.clone());
                }
                listing.insert(relative, node);
            }
        }
        stack.extend(subdirs.into_iter().rev());
    }
    listing
}

/// A directory's entries with their names' bytes, in name order; `None`
/// (reported) when it cannot be read.
fn read_sorted(dir: &Path, tally: &Tally) -> Option<Vec<(Vec<u8>, fs::DirEntry)>> {
    let read = match fs::read_dir(dir) {
        Ok(read) => read,
        Err(e) => {
            tally.fail(&dir.display().to_string(), e);
            return None;
        }
    };
    let mut children: Vec<(Vec<u8>, fs::DirEntry)> = read
        .filter_map(|entry| match entry {
            Ok(entry) => Some((os_bytes(&entry.file_name()), entry)),
            Err(e) => {
                tally.fail(&dir.display().to_string(), e);
                None
            }
        })
        .collect();
    children.sort_by(|a, b| a.0.cmp(&b.0));
    Some(children)
}

/// One local entry as a [`Node`] (a link as itself); `None` (reported)
/// when its metadata cannot be read or it is too deep to descend into.
fn local_node(path: &Path, relative: &Names, filter: &Filter, tally: &Tally) -> Option<Node> {
    let shown_path = path.display().to_string();
    let Ok(meta) = fs::symlink_metadata(path) else {
        tally.fail(&shown_path, "cannot read its metadata");
        return None;
    };
    let shape = if meta.file_type().is_symlink() {
        Shape::Link
    } else if meta.is_dir() {
        Shape::Dir
    } else if meta.is_file() {
        Shape::File
    } else {
        Shape::Other
    };
    let excluded = filter.excludes(&joined(relative), shape == Shape::Dir);
    if shape == Shape::Dir && !excluded && relative.len() >= MAX_DEPTH {
        tally.fail(&shown_path, format!("deeper than {MAX_DEPTH} levels"));
        return None;
    }
    Some(Node {
        shape,
        size: (shape == Shape::File).then_some(meta.len()),
        time: meta
            .modified()
            .ok()
            .and_then(unix_seconds)
            .map(Stamp::Local),
        excluded,
        entry: None,
    })
}
