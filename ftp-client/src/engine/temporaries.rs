//! [`Temporaries`]: the local temporary files of the engine's work, for
//! a caller that must not leave them behind when it exits early.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use super::{Cancel, Planned, Progress};

/// A [`Progress`] observer that keeps the local temporary files the
/// engine reports ([`Planned::Temporary`]) while they live, for the clean
/// up after a cancellation; and the partial file a resumed copy keeps
/// ([`Temporaries::keep`]).
///
/// The engine removes its temporary files itself when cancelled, as on any
/// failure: a process that waits for the work to end needs nothing more.
/// One that cannot wait (a server that does not answer, a second Ctrl-C)
/// calls [`Temporaries::remove_all`] on its way out. Once `cancel` is
/// cancelled, a temporary file the engine reports gone is removed here too
/// should it still be there, so that the removal happens even when the
/// process exits before the file's owner gets to it; [`Temporaries::removed`]
/// then says whether anything was removed.
///
/// A resumed copy's partial file ([`FileCopy::partial_file`](super::copy::FileCopy::partial_file))
/// is meant to stay for the next run: [`Temporaries::keep`] names it, and
/// [`Temporaries::remove_all`] keeps it when it holds bytes, removes it
/// when it is empty.
///
/// ```
/// use ftp_client::engine::{Cancel, Planned, Progress, Temporaries};
///
/// let dir = std::env::temp_dir().join(format!("temporaries-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let temp = dir.join(".a.txt.part");
/// std::fs::write(&temp, b"half").unwrap();
/// let cancel = Cancel::new();
/// let temporaries = Temporaries::new(&cancel);
/// temporaries.tree(&Planned::Temporary { path: &temp, live: true, kept: false });
/// cancel.cancel();
/// // On the way out, before the work removed it:
/// assert!(temporaries.remove_all().removed);
/// assert!(!temp.exists());
/// # std::fs::remove_dir(&dir).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct Temporaries(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    cancel: Cancel,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// The temporary files alive now.
    live: Vec<PathBuf>,
    /// One was removed after the cancellation.
    removed: bool,
    /// The partial file kept for a later resume.
    keep: Option<PathBuf>,
}

/// What [`Temporaries::remove_all`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CleanedUp {
    /// A temporary file was removed since the cancellation.
    pub removed: bool,
    /// The partial file kept for a later resume ([`Temporaries::keep`]),
    /// as it holds bytes.
    pub kept: Option<PathBuf>,
}

impl Temporaries {
    /// Keeps the temporary files of work that `cancel` stops.
    pub fn new(cancel: &Cancel) -> Self {
        Temporaries(Arc::new(Inner {
            cancel: cancel.clone(),
            state: Mutex::new(State::default()),
        }))
    }

    /// Removes the temporary files still alive, and the partial file to
    /// keep if it is empty: whether any temporary file was removed since
    /// the cancellation (these, or those reported gone after it), and the
    /// partial file kept.
    pub fn remove_all(&self) -> CleanedUp {
        let mut state = self.state();
        for path in std::mem::take(&mut state.live) {
            state.removed |= std::fs::remove_file(&path).is_ok();
        }
        let kept = state.keep.take().filter(|path| {
            let holds_bytes = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
            if !holds_bytes {
                let _ = std::fs::remove_file(path);
            }
            holds_bytes
        });
        CleanedUp {
            removed: state.removed,
            kept,
        }
    }

    /// The partial file a resumed copy continues and keeps for the next
    /// run should this one fail: [`Temporaries::remove_all`] leaves it
    /// when it holds bytes.
    pub fn keep(&self, path: PathBuf) {
        self.state().keep = Some(path);
    }

    /// `path` is no partial file to keep any more (the copy put it in
    /// place).
    pub fn forget(&self, path: &Path) {
        let mut state = self.state();
        if state.keep.as_deref() == Some(path) {
            state.keep = None;
        }
    }

    /// Whether a temporary file was removed since the cancellation.
    pub fn removed(&self) -> bool {
        self.state().removed
    }

    /// The temporary files alive now.
    pub fn live(&self) -> Vec<PathBuf> {
        self.state().live.clone()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn gone(&self, path: &Path, kept: bool) {
        let mut state = self.state();
        state.live.retain(|p| p != path);
        if !kept
            && self.0.cancel.is_cancelled()
            && (std::fs::remove_file(path).is_ok() || !path.exists())
        {
            state.removed = true;
        }
    }
}

impl Progress for Temporaries {
    fn tree(&self, planned: &Planned<'_>) {
        match *planned {
            Planned::Temporary {
                path, live: true, ..
            } => self.state().live.push(path.to_owned()),
            Planned::Temporary { path, kept, .. } => self.gone(path, kept),
            _ => {}
        }
    }
}
