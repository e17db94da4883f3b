//! [`Counts`]: a run's files and bytes, counted from what the engine
//! reports, for a progress display to read.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::{Outcome, Planned, Progress, Transfer};
use crate::ByteCounter;

/// A [`Progress`] observer that counts a run's work: the files queued and
/// finished ([`Planned::Copy`], [`Planned::Finished`]), the bytes of the
/// files copied ([`Planned::Copied`]) plus those of the transfers under
/// way, read from their live counters. Clones share the counts: give one
/// to the engine (or call it from your own observer) and read the other
/// from a drawing thread. A transfer costs its counter's one atomic add
/// per system call, and nothing more until the counts are read.
///
/// ```
/// use ftp_client::engine::{Counts, Planned, Progress};
///
/// let counts = Counts::new();
/// // What the engine reports as a tree operation goes, through a clone.
/// let observer = counts.clone();
/// observer.tree(&Planned::Copy { what: "a.txt" });
/// observer.tree(&Planned::Copy { what: "b.txt" });
/// observer.tree(&Planned::Copied { what: "a.txt", bytes: 10 });
/// observer.tree(&Planned::Finished);
/// assert_eq!((counts.files_done(), counts.files_total(), counts.bytes()), (1, 2, 10));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Counts(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    files_total: AtomicU64,
    files_done: AtomicU64,
    /// The bytes of the files copied.
    bytes_done: AtomicU64,
    /// The transfers under way: their counters, by transfer id.
    flowing: Mutex<Vec<(u64, ByteCounter)>>,
}

impl Counts {
    /// Nothing counted yet.
    pub fn new() -> Self {
        Counts::default()
    }

    /// The files queued so far (a tree operation finds them as it goes).
    pub fn files_total(&self) -> u64 {
        self.0.files_total.load(Ordering::Relaxed)
    }

    /// The files finished, whatever their outcome.
    pub fn files_done(&self) -> u64 {
        self.0.files_done.load(Ordering::Relaxed)
    }

    /// The bytes of the files copied, plus those the transfers under way
    /// moved so far. A file's bytes leave the transfers' count just before
    /// they join the files', and a failed file's are gone: a display that
    /// must never go backwards keeps its own maximum.
    pub fn bytes(&self) -> u64 {
        let flowing: u64 = self.flowing().iter().map(|(_, c)| c.get()).sum();
        self.0.bytes_done.load(Ordering::Relaxed) + flowing
    }

    fn flowing(&self) -> MutexGuard<'_, Vec<(u64, ByteCounter)>> {
        self.0.flowing.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Progress for Counts {
    fn started(&self, transfer: &Transfer) {
        self.flowing().push((transfer.id, transfer.counter.clone()));
    }

    fn finished(&self, transfer: &Transfer, _: Outcome) {
        self.flowing().retain(|(id, _)| *id != transfer.id);
    }

    fn tree(&self, planned: &Planned<'_>) {
        let counter = match planned {
            Planned::Copy { .. } => &self.0.files_total,
            Planned::Finished => &self.0.files_done,
            Planned::Copied { bytes, .. } => {
                self.0.bytes_done.fetch_add(*bytes, Ordering::Relaxed);
                return;
            }
            _ => return,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}
