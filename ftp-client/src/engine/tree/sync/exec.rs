//! A [`SyncPlan`] carried out: the copies over the tree pool, with the
//! machinery `cp -r` uses (`download.rs`, `upload.rs`), then the
//! deletions, deepest first, once every copy succeeded.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::super::download::{Fetch, absolute, fetch_file, fetch_verified};
use super::super::fresh::exact_time;
use super::super::local::{LocalFile, local_path, make_local_dir};
use super::super::pool::{JobError, Pool};
use super::super::upload::{Put, Uploader, put_verified};
use super::super::{Connect, Planned, Tally, TreeError, TreeOptions, TreeSummary, quit, shown};
use super::SyncPlan;
use super::compare::Way;
use super::list::{Names, Stamp};
use super::plan::{Action, Reason, SyncAction};
use crate::engine::{Cancel, Progress};
use crate::{Client, Modified};

/// See [`SyncPlan::run`].
pub(super) fn run(
    plan: &SyncPlan,
    connect: &Connect<'_>,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<TreeSummary, TreeError> {
    let tally = Tally::new(progress)
        .limited(&plan.limits)
        .segmented(plan.options.segments, plan.options.segment_threshold);
    for action in &plan.actions {
        let what = plan.shown(&action.names);
        match (action.action, action.reason) {
            (Action::Skip, Reason::SymbolicLink | Reason::NotAFile) => {
                tally.skip(&what, action.reason.as_str());
            }
            (Action::Skip, Reason::Same | Reason::SameChecksum | Reason::WithinPrecision)
                if !action.directory =>
            {
                tally.current(&what);
            }
            _ => {}
        }
    }
    if plan.way == Way::Down {
        make_root(&plan.local)?;
    }
    // Nothing to copy: no session for it (a sync with nothing to do costs
    // the plan's listings only).
    let copying = plan.count(Action::Copy) > 0 || (plan.way == Way::Up && !plan.dest_exists);
    let kept = if copying {
        let first = connect().map_err(TreeError::Connect)?;
        match plan.way {
            Way::Down => download(plan, first, connect, &tally, cancel),
            Way::Up => upload(plan, first, connect, &tally, cancel),
        }
    } else {
        None
    };
    let mut summary = TreeSummary::default();
    if !cancel.is_cancelled() {
        summary.deleted = delete(plan, kept, connect, &tally, cancel);
        if plan.way == Way::Down {
            directory_times(plan);
        }
    } else if let Some(client) = kept {
        quit(client);
    }
    let deleted = summary.deleted;
    let mut summary = tally.summary();
    summary.deleted = deleted;
    let mut failures = plan.failures.clone();
    failures.append(&mut summary.failures);
    summary.failures = failures;
    summary.cancelled = cancel.is_cancelled();
    Ok(summary)
}

/// The local destination, made (with its parents) when missing; never a
/// file or a link to one.
fn make_root(root: &Path) -> Result<(), TreeError> {
    match fs::metadata(root) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(TreeError::Local(format!(
            "{} exists and is not a directory",
            root.display()
        ))),
        Err(_) => fs::create_dir_all(root)
            .map_err(|e| TreeError::Local(format!("{}: {e}", root.display()))),
    }
}

/// The copies of the plan, in order: directories (parents first) and
/// files, each file in its directory's group.
fn copies(plan: &SyncPlan) -> impl Iterator<Item = &SyncAction> {
    plan.actions.iter().filter(|a| a.action == Action::Copy)
}

/// The group of a file: its directory's number.
fn group(groups: &mut HashMap<Names, usize>, names: &Names) -> usize {
    let parent = names[..names.len().saturating_sub(1)].to_vec();
    let next = groups.len();
    *groups.entry(parent).or_insert(next)
}

/// Whether `names` is under a directory that could not be made.
fn under_failed(failed: &[Names], names: &Names) -> bool {
    failed.iter().any(|f| names.starts_with(f))
}

fn download(
    plan: &SyncPlan,
    first: Client,
    connect: &Connect<'_>,
    tally: &Tally,
    cancel: &Cancel,
) -> Option<Client> {
    let label = |job: &Fetch| shown(&job.remote);
    let work = |client: &mut Client, job: &Fetch| -> Result<(), JobError> {
        let bytes = if plan.options.verify {
            fetch_verified(client, job, tally, cancel)?
        } else {
            let modified = exact_time(client, &job.remote, job.modified);
            fetch_file(client, connect, job, modified, tally, cancel)?
        };
        tally.copied(&shown(&job.remote), bytes);
        Ok(())
    };
    let pool = Pool {
        connect,
        sessions: plan.options.jobs,
        tally,
        cancel,
        label: &label,
        work: &work,
    };
    pool.run(first, &mut |_client, push| fetches(plan, tally, push))
}

/// The local directories made, parents first, and each file queued as
/// soon as its directory is there.
fn fetches(plan: &SyncPlan, tally: &Tally, push: &dyn Fn(usize, Fetch)) {
    let mut groups = HashMap::new();
    let mut failed: Vec<Names> = Vec::new();
    for action in copies(plan) {
        if under_failed(&failed, &action.names) {
            continue;
        }
        let local = local_path(&plan.local, &action.names);
        if action.directory {
            match make_local_dir(&local) {
                Ok(_) => tally.tell(Planned::Directory {
                    what: &local.display().to_string(),
                }),
                Err(e) => {
                    tally.fail(&plan.shown(&action.names), e);
                    failed.push(action.names.clone());
                }
            }
            continue;
        }
        let parent = local.parent().map(Path::to_path_buf).unwrap_or_default();
        let listed = match action.source.as_ref().and_then(|s| s.time) {
            Some(Stamp::Remote(m)) => Some(m),
            _ => None,
        };
        let job = Fetch {
            remote: plan.remote_path(&action.names),
            local,
            temp_dir: absolute(&parent),
            fresh: false,
            size: action.size,
            modified: action.exact.or(listed),
            check: false,
            timed: action.exact.is_some(),
        };
        push(group(&mut groups, &action.names), job);
    }
}

fn upload(
    plan: &SyncPlan,
    first: Client,
    connect: &Connect<'_>,
    tally: &Tally,
    cancel: &Cancel,
) -> Option<Client> {
    let uploader = Uploader {
        options: TreeOptions::default(),
        mfmt: plan.mfmt,
        tally,
        cancel,
    };
    let label = |job: &Put| job.file.local.display().to_string();
    let work = |client: &mut Client, job: &Put| -> Result<(), JobError> {
        let sent = if plan.options.verify {
            Some(put_verified(client, job, tally, cancel)?)
        } else {
            uploader.put_file(client, job)?
        };
        if let Some(bytes) = sent {
            tally.copied(&label(job), bytes);
        }
        Ok(())
    };
    let pool = Pool {
        connect,
        sessions: plan.options.jobs,
        tally,
        cancel,
        label: &label,
        work: &work,
    };
    pool.run(first, &mut |client, push| puts(plan, client, tally, push))
}

/// The remote directories made (the root first where it is missing),
/// parents first, and each file queued as soon as its directory is there.
fn puts(plan: &SyncPlan, client: &mut Client, tally: &Tally, push: &dyn Fn(usize, Put)) {
    let mut groups = HashMap::new();
    let mut failed: Vec<Names> = Vec::new();
    if !plan.dest_exists {
        if let Err(e) = client.mkdir(&plan.remote) {
            tally.fail(&shown(&plan.remote), e);
            return;
        }
    }
    for action in copies(plan) {
        if under_failed(&failed, &action.names) {
            continue;
        }
        let remote = plan.remote_path(&action.names);
        if action.directory {
            match client.mkdir(&remote) {
                Ok(()) => tally.tell(Planned::Directory {
                    what: &shown(&remote),
                }),
                Err(e) => {
                    tally.fail(&shown(&remote), e);
                    failed.push(action.names.clone());
                }
            }
            continue;
        }
        let modified = match action.source.as_ref().and_then(|s| s.time) {
            Some(Stamp::Local(seconds)) => Some(seconds),
            _ => None,
        };
        let file = LocalFile {
            local: local_path(&plan.local, &action.names),
            remote,
            len: action.size.unwrap_or(0),
            modified,
        };
        let existing = action.existing.as_ref().and_then(|e| e.entry.clone());
        push(group(&mut groups, &action.names), Put { file, existing });
    }
}

/// The deletions, once every copy succeeded, deepest first, stopping
/// before the one past [`SyncOptions::max_delete`](super::SyncOptions::max_delete).
/// Returns how many were made.
fn delete(
    plan: &SyncPlan,
    kept: Option<Client>,
    connect: &Connect<'_>,
    tally: &Tally,
    cancel: &Cancel,
) -> u64 {
    let deletions: Vec<&SyncAction> = plan
        .actions
        .iter()
        .filter(|a| a.action == Action::Delete)
        .collect();
    let Some(mut client) = deleting(plan, &deletions, kept, connect, tally) else {
        return 0;
    };
    let root = plan.shown_dst(&[]);
    let mut made = 0;
    for (i, action) in deletions.iter().enumerate() {
        if cancel.is_cancelled() {
            break;
        }
        if plan.options.max_delete.is_some_and(|max| made >= max) {
            let left = deletions.len() - i;
            let message =
                format!("the deletion limit ({made}) is reached: {left} more not deleted");
            tally.fail(&root, message);
            break;
        }
        let what = plan.shown_dst(&action.names);
        let result = match client.as_mut() {
            Some(client) => delete_remote(client, &plan.remote_path(&action.names), action),
            None => delete_local(&plan.local, &action.names, action),
        };
        match result {
            Ok(()) => {
                made += 1;
                tally.tell(Planned::Deleted { what: &what });
            }
            Err(e) => tally.fail(&format!("deleting {what}"), e),
        }
        if client.as_ref().is_some_and(Client::is_closed) {
            break;
        }
    }
    if let Some(client) = client {
        quit(client);
    }
    made
}

/// Whether the deletions may start: some to make, and every copy done.
/// `Some` with the session they need (`None` inside: local ones).
fn deleting(
    plan: &SyncPlan,
    deletions: &[&SyncAction],
    kept: Option<Client>,
    connect: &Connect<'_>,
    tally: &Tally,
) -> Option<Option<Client>> {
    let root = plan.shown_dst(&[]);
    let clean = tally.failures() == 0 && plan.failures.is_empty();
    if deletions.is_empty() || !clean || plan.way == Way::Down {
        if let Some(client) = kept {
            quit(client);
        }
        if deletions.is_empty() {
            return None;
        }
        if !clean {
            let n = deletions.len();
            let message = format!("{n} deletions not made: not everything was copied");
            tally.fail(&root, message);
            return None;
        }
        return Some(None);
    }
    match kept.map_or_else(connect, Ok) {
        Ok(client) => Some(Some(client)),
        Err(e) => {
            tally.fail(&root, format!("deletions not made: {e}"));
            None
        }
    }
}

fn delete_remote(client: &mut Client, path: &[u8], action: &SyncAction) -> Result<(), String> {
    let result = if action.directory {
        client.rmdir(path)
    } else {
        client.delete(path)
    };
    result.map_err(|e| e.to_string())
}

/// A local entry below `root` deleted, never through a link: not when a
/// directory on the way to it has become a link since it was listed; a
/// link is deleted itself, a directory only when it is one (and empty by
/// then).
fn delete_local(root: &Path, names: &[Vec<u8>], action: &SyncAction) -> Result<(), String> {
    for depth in 1..names.len() {
        let dir = local_path(root, &names[..depth]);
        if fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(format!(
                "{} is a symbolic link now; not deleting through it",
                dir.display()
            ));
        }
    }
    let path = &local_path(root, names);
    let meta = fs::symlink_metadata(path).map_err(|e| e.to_string())?;
    let result = if action.directory && meta.is_dir() {
        fs::remove_dir(path)
    } else if !meta.is_dir() {
        fs::remove_file(path)
    } else {
        return Err("is a directory now; not deleted".to_owned());
    };
    result.map_err(|e| e.to_string())
}

/// After a download, each directory of the source gets its time, as
/// `cp -r` gives it: last, as writing into a directory changes its time.
fn directory_times(plan: &SyncPlan) {
    let dirs = plan
        .actions
        .iter()
        .filter(|a| a.directory && matches!(a.reason, Reason::Missing | Reason::Same));
    let times: Vec<(PathBuf, Modified)> = dirs
        .filter_map(|a| match a.source.as_ref().and_then(|s| s.time) {
            Some(Stamp::Remote(m)) => Some((local_path(&plan.local, &a.names), m)),
            _ => None,
        })
        .collect();
    for (dir, modified) in times.iter().rev() {
        if let Some(time) = modified.time.to_system_time() {
            let _ = fs::File::open(dir).and_then(|d| d.set_modified(time));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::list::{Node, Shape};
    use super::*;

    #[cfg(unix)]
    #[test]
    fn local_deletions_never_go_through_a_link() {
        let scratch = tempfile::tempdir().unwrap();
        let root = scratch.path().join("mirror");
        let elsewhere = scratch.path().join("elsewhere");
        fs::create_dir_all(&root).unwrap();
        fs::create_dir_all(&elsewhere).unwrap();
        fs::write(elsewhere.join("x"), b"keep").unwrap();
        // `d` was a directory when listed; it is a link now.
        std::os::unix::fs::symlink(&elsewhere, root.join("d")).unwrap();
        let names = vec![b"d".to_vec(), b"x".to_vec()];
        let node = Node {
            shape: Shape::File,
            size: Some(4),
            time: None,
            excluded: false,
            entry: None,
        };
        let action = SyncAction::new(Action::Delete, Reason::NotInSource, &names, &node);
        let refused = delete_local(&root, &names, &action).unwrap_err();
        assert!(refused.contains("symbolic link"), "{refused}");
        assert!(elsewhere.join("x").exists());
        // The link itself goes, as a file would, never what it leads to.
        let link = vec![b"d".to_vec()];
        let action = SyncAction::new(Action::Delete, Reason::NotInSource, &link, &node);
        delete_local(&root, &link, &action).unwrap();
        assert!(!root.join("d").exists() && elsewhere.join("x").exists());
    }
}
