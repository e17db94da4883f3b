//! The plan of a sync as data: one [`SyncAction`] per entry, with its
//! reason, made from both sides' listings before anything changes.

use std::fmt;

use super::list::{Listing, Names, Node, Shape, joined};
use crate::Modified;

/// What a sync does with one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Action {
    /// Copied from the source (a directory: made).
    Copy,
    /// Left as it is.
    Skip,
    /// Deleted from the destination.
    Delete,
}

impl Action {
    /// `copy`, `skip` or `delete`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Copy => "copy",
            Action::Skip => "skip",
            Action::Delete => "delete",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a [`SyncAction`] is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// Copy: the destination has no such entry.
    Missing,
    /// Copy: the sizes differ.
    SizeDiffers,
    /// Copy: the same size, another time.
    TimeDiffers,
    /// Copy: the same size, another digest.
    ChecksumDiffers,
    /// Skip: the same size and time (or the same size, where neither side
    /// has a time).
    Same,
    /// Skip: the same digest.
    SameChecksum,
    /// Skip: the same size, and a time the listing gives only to the
    /// minute or the day, which the server cannot make exact (no MDTM):
    /// the same as far as can be told.
    WithinPrecision,
    /// Delete: the source has no such entry.
    NotInSource,
    /// Skip: left out by the filter: never copied, never deleted.
    Excluded,
    /// Skip: a symbolic link, never followed (as `cp -r`).
    SymbolicLink,
    /// Skip: neither a regular file nor a directory.
    NotAFile,
    /// Skip: not in the source, but not deleted, as a listing of the
    /// source failed or was cut short.
    SourceIncomplete,
}

impl Reason {
    /// The reason in a few words, e.g. `size differs`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Missing => "missing",
            Reason::SizeDiffers => "size differs",
            Reason::TimeDiffers => "time differs",
            Reason::ChecksumDiffers => "checksum differs",
            Reason::Same => "same size and time",
            Reason::SameChecksum => "same checksum",
            Reason::WithinPrecision => "same size, time within the listing's precision",
            Reason::NotInSource => "not in source",
            Reason::Excluded => "excluded",
            Reason::SymbolicLink => "a symbolic link (not followed)",
            Reason::NotAFile => "not a regular file or directory",
            Reason::SourceIncomplete => "not in source, kept: a listing of the source failed",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of a [`SyncPlan`](super::SyncPlan).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncAction {
    /// What is done.
    pub action: Action,
    /// Why.
    pub reason: Reason,
    /// The entry's path below the tree's root: names joined by `/`, as
    /// bytes (names are never decoded; see
    /// [`display_name`](crate::engine::display_name)).
    pub path: Vec<u8>,
    /// A directory.
    pub directory: bool,
    /// The source's size for a copy, the destination's for a delete.
    pub size: Option<u64>,
    pub(super) names: Names,
    /// The source entry (copies) or the destination's (deletions).
    pub(super) source: Option<Node>,
    /// The destination entry a copy replaces.
    pub(super) existing: Option<Node>,
    /// The remote file's exact time, where planning asked it.
    pub(super) exact: Option<Modified>,
}

impl SyncAction {
    pub(super) fn new(action: Action, reason: Reason, names: &Names, node: &Node) -> Self {
        SyncAction {
            action,
            reason,
            path: joined(names),
            directory: node.shape == Shape::Dir,
            size: node.size,
            names: names.clone(),
            source: Some(node.clone()),
            existing: None,
            exact: None,
        }
    }
}

/// A conflict the plan cannot settle: one side has a file where the
/// other has a directory, or a link or device where a file goes.
#[derive(Debug, Clone)]
pub(super) struct Conflict {
    pub(super) names: Names,
    pub(super) why: &'static str,
}

/// What comparing the listings gives before any exact time or digest is
/// asked: the actions, which of them still need a closer look (pairs of
/// files of the same size), and the conflicts.
#[derive(Debug, Default)]
pub(super) struct Draft {
    pub(super) actions: Vec<SyncAction>,
    /// Indexes into `actions` of files whose listing could not decide.
    pub(super) pairs: Vec<usize>,
    pub(super) conflicts: Vec<Conflict>,
}

/// Compares the two listings. `delete`: entries only the destination has
/// are deleted (when `complete`: every listing of the source succeeded;
/// otherwise they are kept, [`Reason::SourceIncomplete`]).
pub(super) fn draft(src: &Listing, dst: &Listing, delete: bool, complete: bool) -> Draft {
    let mut draft = Draft::default();
    for (names, node) in src {
        let existing = dst.get(names);
        let action = |action, reason| SyncAction::new(action, reason, names, node);
        let planned = match (node.shape, existing) {
            _ if node.excluded || existing.is_some_and(|e| e.excluded) => {
                action(Action::Skip, Reason::Excluded)
            }
            (Shape::Link, _) => action(Action::Skip, Reason::SymbolicLink),
            (Shape::Other, _) => action(Action::Skip, Reason::NotAFile),
            (_, None) => action(Action::Copy, Reason::Missing),
            (Shape::Dir, Some(e)) if e.shape == Shape::Dir => action(Action::Skip, Reason::Same),
            (Shape::File, Some(e)) if e.shape == Shape::File => {
                let mut pair = action(Action::Skip, Reason::Same);
                pair.existing = Some(e.clone());
                draft.pairs.push(draft.actions.len());
                pair
            }
            (Shape::Dir, Some(_)) => {
                draft.conflicts.push(Conflict {
                    names: names.clone(),
                    why: "a directory in the source, not a directory in the destination",
                });
                continue;
            }
            (Shape::File, Some(_)) => {
                draft.conflicts.push(Conflict {
                    names: names.clone(),
                    why: "a file in the source, not a regular file in the destination",
                });
                continue;
            }
        };
        draft.actions.push(planned);
    }
    extra(&mut draft, src, dst, delete, complete);
    draft
}

/// What only the destination has: deleted, deepest first, or kept. A
/// directory is deleted only with everything under it: never one that
/// holds something excluded.
fn extra(draft: &mut Draft, src: &Listing, dst: &Listing, delete: bool, complete: bool) {
    // Directories that keep something (excluded, or a conflict).
    let mut keep: Vec<&Names> = Vec::new();
    for (names, node) in dst.iter().rev() {
        if src.contains_key(names) || conflicted(src, names) {
            continue;
        }
        if node.excluded {
            draft
                .actions
                .push(SyncAction::new(Action::Skip, Reason::Excluded, names, node));
            keep.push(names);
            continue;
        }
        if !delete {
            continue;
        }
        if node.shape == Shape::Dir && keep.iter().any(|k| k.starts_with(names)) {
            continue;
        }
        let (action, reason) = if complete {
            (Action::Delete, Reason::NotInSource)
        } else {
            (Action::Skip, Reason::SourceIncomplete)
        };
        draft
            .actions
            .push(SyncAction::new(action, reason, names, node));
    }
}

/// Whether an ancestor of `names` is in the source as something else than
/// a directory (then the conflict is reported once, for it).
fn conflicted(src: &Listing, names: &Names) -> bool {
    (1..names.len()).any(|n| src.get(&names[..n]).is_some_and(|e| e.shape != Shape::Dir))
}

#[cfg(test)]
mod tests {
    use super::super::list::Stamp;
    use super::*;

    fn file(size: u64) -> Node {
        Node {
            shape: Shape::File,
            size: Some(size),
            time: Some(Stamp::Local(0)),
            excluded: false,
            entry: None,
        }
    }

    fn dir() -> Node {
        Node {
            shape: Shape::Dir,
            size: None,
            time: None,
            excluded: false,
            entry: None,
        }
    }

    fn names(path: &str) -> Names {
        path.split('/').map(|n| n.as_bytes().to_vec()).collect()
    }

    fn listing(entries: &[(&str, Node)]) -> Listing {
        entries
            .iter()
            .map(|(path, node)| (names(path), node.clone()))
            .collect()
    }

    fn summary(draft: &Draft) -> Vec<(String, &'static str, &'static str)> {
        draft
            .actions
            .iter()
            .map(|a| {
                (
                    String::from_utf8_lossy(&a.path).into_owned(),
                    a.action.as_str(),
                    a.reason.as_str(),
                )
            })
            .collect()
    }

    #[test]
    fn copies_what_is_missing_and_deletes_deepest_first() {
        let src = listing(&[("a", file(1)), ("d", dir()), ("d/b", file(2))]);
        let dst = listing(&[
            ("a", file(1)),
            ("old", dir()),
            ("old/x", file(3)),
            ("z", file(4)),
        ]);
        let draft = draft(&src, &dst, true, true);
        assert_eq!(
            summary(&draft),
            [
                ("a".into(), "skip", "same size and time"),
                ("d".into(), "copy", "missing"),
                ("d/b".into(), "copy", "missing"),
                ("z".into(), "delete", "not in source"),
                ("old/x".into(), "delete", "not in source"),
                ("old".into(), "delete", "not in source"),
            ]
        );
        assert_eq!(draft.pairs, [0]);
    }

    #[test]
    fn nothing_is_deleted_after_a_failed_listing_or_without_delete() {
        let src = listing(&[("a", file(1))]);
        let dst = listing(&[("a", file(1)), ("b", file(1))]);
        let kept = draft(&src, &dst, true, false);
        assert!(kept.actions.iter().all(|a| a.action != Action::Delete));
        assert_eq!(kept.actions[1].reason, Reason::SourceIncomplete);
        let without = draft(&src, &dst, false, true);
        assert_eq!(without.actions.len(), 1);
    }

    #[test]
    fn excluded_entries_and_their_directories_are_kept() {
        let src = listing(&[("a", file(1))]);
        let mut keep = file(1);
        keep.excluded = true;
        let dst = listing(&[("d", dir()), ("d/keep.tmp", keep.clone()), ("d/x", file(1))]);
        let draft = draft(&src, &dst, true, true);
        assert_eq!(
            summary(&draft),
            [
                ("a".into(), "copy", "missing"),
                ("d/x".into(), "delete", "not in source"),
                ("d/keep.tmp".into(), "skip", "excluded"),
            ]
        );
    }

    #[test]
    fn a_file_where_a_directory_is_is_a_conflict() {
        let src = listing(&[("a", file(1))]);
        let dst = listing(&[("a", dir()), ("a/x", file(1))]);
        let draft = draft(&src, &dst, true, true);
        assert!(draft.actions.is_empty(), "{:?}", summary(&draft));
        assert_eq!(draft.conflicts.len(), 1);
    }
}
