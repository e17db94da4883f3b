//! Both sides of a sync listed into one shape: every entry by its names
//! below the tree's root, each name checked to be exactly one path
//! component, excluded directories not descended into.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::Instant;

use super::super::fresh::unix_seconds;
use super::super::local::{collisions, os_bytes, remote_component};
use super::super::pool::QUICK;
use super::super::{Tally, shown};
use super::filter::Filter;
use crate::engine::{Cancel, is_transient};
use crate::{Client, DirWalk, Entry, Kind, Modified, WalkDir, WalkOptions};

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

/// Lists the remote tree under `root`, one directory at a time, a listing
/// whose failure may pass listed again. Every failure (a listing, a name
/// refused, a limit) goes to `tally`; with `collide`, names that collide
/// on a case-insensitive file system are refused too (they are to become
/// local files).
pub(super) fn list_remote(
    client: &mut Client,
    root: &[u8],
    filter: &Filter,
    collide: bool,
    tally: &Tally,
    cancel: &Cancel,
) -> Listing {
    let mut listing = Listing::new();
    let mut walk = client.walk_dirs(root, WalkOptions::default());
    let (mut tries, mut started) = (1, Instant::now());
    // The directories still to list, the next one last, in the walk's
    // order (each directory's subdirectories next, in the order asked):
    // a failed listing is named by its directory.
    let mut due: Vec<Vec<u8>> = vec![root.to_vec()];
    while let Some(dir) = walk.next() {
        let listed = due.pop().unwrap_or_else(|| root.to_vec());
        let dir = match dir {
            Ok(dir) => dir,
            Err(e)
                if is_transient(&e)
                    && !walk.client().is_closed()
                    && QUICK.pause(tries, started, cancel) =>
            {
                tracing::debug!("{}: {e}; listing again", shown(&listed));
                tries += 1;
                due.push(listed);
                walk.retry();
                continue;
            }
            Err(e) => {
                tally.fail(&shown(&listed), e);
                continue;
            }
        };
        (tries, started) = (1, Instant::now());
        let asked = take(&mut walk, dir, filter, collide, tally, &mut listing);
        due.extend(asked.into_iter().rev());
    }
    listing
}

/// One directory's listing into `listing`, its names checked; the
/// directories descended into, in the order asked.
fn take(
    walk: &mut DirWalk<'_>,
    dir: WalkDir,
    filter: &Filter,
    collide: bool,
    tally: &Tally,
    listing: &mut Listing,
) -> Vec<Vec<u8>> {
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
    let mut asked = Vec::new();
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
            asked.push(found.path.clone());
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
    asked
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
