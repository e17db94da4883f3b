//! [`Cancel`]: the handle that stops the engine's work from another
//! thread.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::Canceller;

/// How often a wait checks whether it was cancelled.
const POLL: Duration = Duration::from_millis(20);

/// A cancellation handle: clone it, give one copy to the work and keep
/// the other; [`Cancel::cancel`] from any thread stops the retries, the
/// next file and the transfers under way (their data connections, which
/// the work registers with [`Cancel::cut_on_cancel`], are cut at once).
/// The work then fails as any failure does and cleans up after itself.
///
/// ```
/// use ftp_client::engine::Cancel;
///
/// let cancel = Cancel::new();
/// let handle = cancel.clone();
/// std::thread::spawn(move || handle.cancel()).join().unwrap();
/// assert!(cancel.is_cancelled());
/// // A wait ends at once once cancelled.
/// assert!(!cancel.sleep(std::time::Duration::from_secs(60)));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    cancelled: AtomicBool,
    next_id: AtomicU64,
    /// The transfers to cut, by id.
    transfers: Mutex<Vec<(u64, Canceller)>>,
}

impl Cancel {
    /// A handle not cancelled yet.
    pub fn new() -> Self {
        Cancel::default()
    }

    /// Cancels: every transfer registered is cut now, and those
    /// registered later as soon as they are. Harmless when repeated.
    pub fn cancel(&self) {
        let transfers = {
            let mut transfers = self.transfers();
            self.0.cancelled.store(true, Ordering::SeqCst);
            std::mem::take(&mut *transfers)
        };
        for (_, canceller) in transfers {
            canceller.cancel();
        }
    }

    /// Whether [`Cancel::cancel`] was called on this handle or a clone.
    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// Sleeps up to `time`, waking early when cancelled; true if the whole
    /// time passed, false if cancelled.
    pub fn sleep(&self, time: Duration) -> bool {
        let until = Instant::now() + time;
        loop {
            if self.is_cancelled() {
                return false;
            }
            let Some(left) = until.checked_duration_since(Instant::now()) else {
                return true;
            };
            if left.is_zero() {
                return true;
            }
            std::thread::sleep(left.min(POLL));
        }
    }

    /// Cuts the transfer `canceller` belongs to (see
    /// [`Download::canceller`](crate::Download::canceller)) when this
    /// handle is cancelled, for as long as the returned guard lives; at
    /// once if it already was. `None` (a transfer that cannot be cut from
    /// another thread) registers nothing.
    pub fn cut_on_cancel(&self, canceller: Option<Canceller>) -> Cutting {
        let Some(canceller) = canceller else {
            return Cutting(None);
        };
        let mut transfers = self.transfers();
        if self.is_cancelled() {
            canceller.cancel();
            return Cutting(None);
        }
        let id = self.0.next_id.fetch_add(1, Ordering::Relaxed);
        transfers.push((id, canceller));
        Cutting(Some((self.clone(), id)))
    }

    fn transfers(&self) -> MutexGuard<'_, Vec<(u64, Canceller)>> {
        self.0.transfers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A transfer registered with [`Cancel::cut_on_cancel`]; dropping this
/// forgets it.
#[derive(Debug)]
#[must_use = "the transfer is forgotten as soon as this is dropped"]
pub struct Cutting(Option<(Cancel, u64)>);

impl Drop for Cutting {
    fn drop(&mut self) {
        if let Some((cancel, id)) = self.0.take() {
            cancel.transfers().retain(|(other, _)| *other != id);
        }
    }
}
