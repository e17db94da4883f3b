//! [`Progress`]: the one observer of the engine's work.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::ByteCounter;

/// What the engine reports as it works: transfers as they start and end,
/// and retries. Every method does nothing by default, and `()` implements
/// the trait to ignore everything; the calls come from the threads doing
/// the work, so an implementation keeps them short.
///
/// The bytes of a transfer are not pushed one call per chunk: each
/// [`Transfer`] holds the transfer's live [`ByteCounter`], one atomic add
/// per system call (splice and sendfile included), that an observer reads
/// as often as it draws.
///
/// ```
/// use ftp_client::engine::{Outcome, Progress, Retry, Transfer};
///
/// struct Log;
/// impl Progress for Log {
///     fn started(&self, transfer: &Transfer) {
///         eprintln!("{}: started at byte {}", transfer.path, transfer.offset);
///     }
///     fn finished(&self, transfer: &Transfer, outcome: Outcome) {
///         eprintln!("{}: {outcome:?}, {} bytes", transfer.path, transfer.bytes());
///     }
///     fn retrying(&self, retry: &Retry<'_>) {
///         eprintln!("{}: {}; retry {} in {:?}", retry.what, retry.error, retry.retry, retry.delay);
///     }
/// }
/// ```
pub trait Progress: Send + Sync {
    /// A transfer began.
    fn started(&self, transfer: &Transfer) {
        let _ = transfer;
    }

    /// A transfer that [`Progress::started`] ended.
    fn finished(&self, transfer: &Transfer, outcome: Outcome) {
        let _ = (transfer, outcome);
    }

    /// An attempt failed in a way that may pass; the next one starts after
    /// `retry.delay`.
    fn retrying(&self, retry: &Retry<'_>) {
        let _ = retry;
    }

    /// A tree operation's decision or outcome: a file queued, copied, up
    /// to date, left out or failed, a directory made
    /// ([`Planned`](super::tree::Planned)). A single-file
    /// [`FileCopy`](super::copy::FileCopy) reports its temporary files
    /// here too ([`Planned::Temporary`](super::tree::Planned::Temporary)).
    fn tree(&self, planned: &super::tree::Planned<'_>) {
        let _ = planned;
    }

    /// Something the user should hear about that is no failure: a
    /// segmented download that goes over one stream after all
    /// ([`Notice::OneStream`]). A command-line tool prints it as a warning.
    fn notice(&self, notice: &Notice<'_>) {
        let _ = notice;
    }
}

/// What [`Progress::notice`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notice<'a> {
    /// A segmented download ([`SegmentedDownload`](super::SegmentedDownload))
    /// of `path` goes over one stream: the server refused `REST` (or its
    /// FEAT does not list it), so no range but the first can be asked for.
    /// Reported once per file.
    OneStream {
        /// The file (its progress label).
        path: &'a str,
        /// Why, as the server said it.
        reason: &'a str,
    },
}

impl fmt::Display for Notice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::OneStream { path, reason } => write!(
                f,
                "{path}: the server cannot resume transfers ({reason}); downloading over one connection"
            ),
        }
    }
}

/// Ignores everything.
impl Progress for () {}

/// Which way a transfer goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the server.
    Download,
    /// To the server.
    Upload,
}

/// How a transfer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The server confirmed it.
    Done,
    /// It failed or was cancelled.
    Failed,
}

/// One transfer under way, as [`Progress`] sees it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Transfer {
    /// Unique among the transfers of this process: pairs
    /// [`Progress::finished`] with [`Progress::started`] when several run
    /// at once.
    pub id: u64,
    /// The file, as the caller named it (for display).
    pub path: String,
    /// Which way it goes.
    pub direction: Direction,
    /// The file's whole size, if known.
    pub size: Option<u64>,
    /// The bytes there before this transfer (a resumed transfer's offset).
    pub offset: u64,
    /// The bytes this transfer has moved so far, live.
    pub counter: ByteCounter,
}

impl Transfer {
    /// A transfer of `path` that starts at byte `offset` of a file of
    /// `size` bytes (if known), counting in `counter`; it gets a new
    /// [`Transfer::id`].
    pub fn new(
        path: impl Into<String>,
        direction: Direction,
        size: Option<u64>,
        offset: u64,
        counter: ByteCounter,
    ) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Transfer {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            path: path.into(),
            direction,
            size,
            offset,
            counter,
        }
    }

    /// Where the file stands now: the offset plus the bytes moved.
    pub fn bytes(&self) -> u64 {
        self.offset.saturating_add(self.counter.get())
    }
}

/// A retry about to happen, as [`Progress::retrying`] sees it.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct Retry<'a> {
    /// The operation, e.g. `RETR a.txt` or `cp ftp://…`.
    pub what: &'a str,
    /// Which retry this is: 1 for the first.
    pub retry: u32,
    /// How many the policy allows.
    pub retries: u32,
    /// The wait before it.
    pub delay: Duration,
    /// Why the last attempt failed.
    pub error: &'a dyn fmt::Display,
}

impl fmt::Debug for Retry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Retry")
            .field("what", &self.what)
            .field("retry", &self.retry)
            .field("retries", &self.retries)
            .field("delay", &self.delay)
            .field("error", &self.error.to_string())
            .finish()
    }
}
