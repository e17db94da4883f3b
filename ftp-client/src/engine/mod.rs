//! What users want done, above single commands: retries with one
//! definition of what may pass, progress through one observer, and
//! cancellation through one handle.
//!
//! - [`RetryPolicy`] decides whether a failure may pass ([`is_transient`]:
//!   a lost connection, a timeout, 421, a 4xx refusal; never a 5xx), how
//!   long to wait before the next attempt (backoff with jitter) and when to
//!   give up (a count and a time limit, as curl's `--retry`,
//!   `--retry-delay` and `--retry-max-time`). [`RetryPolicy::run`] drives
//!   the attempts.
//! - [`Progress`] is the observer a caller passes: transfers as they start
//!   and end (with a live [`ByteCounter`](crate::ByteCounter) for the bytes
//!   as they flow) and retries. `()` ignores everything.
//! - [`Cancel`] is the handle a caller keeps: [`Cancel::cancel`] from any
//!   thread (a signal handler's thread, a GUI button) stops the retries
//!   and cuts the data connections registered with it.
//! - [`FileDownload`] downloads one file safely: through a temporary or
//!   partial file beside the destination ([`Partial`]), renamed into place
//!   only once the server confirmed it, resumed (REST) where asked, the
//!   server's time kept where asked.
//! - [`FileUpload`] uploads one file safely: straight to a new name (drop
//!   boxes), by temporary name and rename over an existing file that may
//!   be replaced ([`upload_target`] decides), into an existing directory,
//!   resumed through `.NAME.part` where asked, the time kept (MFMT) where
//!   asked.
//! - Both verify where asked (`verify`): a [`Hasher`] computes the digest
//!   of the strongest algorithm the server has as the bytes stream, and
//!   the server's ([`Client::hash`](crate::Client::hash)) must equal it
//!   before the file is put in place; by size where the server has no
//!   hash ([`Verified`] says which).
//! - [`copy`]: one file copied either way as a command-line `cp`/`mv`
//!   does it ([`FileCopy`](copy::FileCopy)): the destination resolved,
//!   retried, resumed, verified, the source deleted for a move, over a
//!   [`Session`](copy::Session) that reconnects.
//! - [`tree`]: a tree downloaded ([`TreeDownload`]), uploaded
//!   ([`TreeUpload`]), moved, updated or removed ([`TreeRemove`]) over a
//!   pool of sessions, the plan reported as data ([`Planned`],
//!   [`RemovePlan`]) and a [`TreeSummary`] at the end; a tree mirrored
//!   ([`TreeSync`]) from a plan of copies and deletions ([`SyncPlan`]).
//! - Several files into one directory over one session
//!   ([`FileCopy::several`](copy::FileCopy::several)).
//! - Observers ready to use: [`Counts`] counts a run's files and bytes
//!   for a display; [`Temporaries`] keeps its local temporary files for
//!   the clean-up of a process that exits early after a cancellation.
//! - [`list_url`]: a directory's entries, or a file's one entry.
//! - What results say, ready to print: a failed copy in one line
//!   ([`CopyError::message`](copy::CopyError::message)), a tree's
//!   [`SummaryLine`], a plan as text or JSON lines
//!   ([`SyncAction::text_line`], [`SyncAction::json_line`]).
//!
//! ```
//! use std::time::Duration;
//! use ftp_client::engine::{Cancel, RetryPolicy};
//!
//! let policy = RetryPolicy::new(3).with_delay(Duration::from_millis(1));
//! let cancel = Cancel::new();
//! let mut failures = 0;
//! let result = policy.run(&cancel, &(), "SIZE a.txt", |_attempt| {
//!     if failures < 2 {
//!         failures += 1;
//!         // A lost connection may pass: the policy tries again.
//!         return Err(ftp_client::Error::Closed { reply: None });
//!     }
//!     Ok(42)
//! });
//! assert_eq!(result.ok(), Some(42));
//! ```

mod cancel;
pub mod copy;
mod counts;
mod download;
mod listing;
mod progress;
mod retry;
mod said;
mod segments;
mod temporaries;
pub mod tree;
mod upload;
mod verify;

/// The rate limits the engine takes ([`FileDownload::limits`], [`FileUpload::limits`],
/// [`copy::FileCopy::limits`], [`TreeDownload::limits`], [`TreeUpload::limits`],
/// [`TreeSync::limits`]).
pub use crate::rate::{ParseRateError, RateLimit, RateLimits};
pub use cancel::{Cancel, Cutting};
pub use counts::Counts;
pub use download::{
    DownloadError, Downloaded, FileDownload, Partial, PreparedDownload, partial_path,
    remove_partial,
};
pub use listing::list_url;
pub use progress::{Direction, Notice, Outcome, Progress, Retry, Transfer};
pub use retry::{MAX_DELAY, RetryPolicy, Retryable, is_transient, jitter};
pub use said::{SummaryLine, json_string};
pub use segments::{MIN_SEGMENT, SegmentedDownload, segments_path};
pub use temporaries::{CleanedUp, Temporaries};
pub use tree::{Action, Filter, Glob, Reason, SyncAction, SyncOptions, SyncPlan, TreeSync};
pub use tree::{
    Connect, DEFAULT_JOBS, Deletion, MAX_JOBS, Planned, RemovePlan, TreeDownload, TreeError,
    TreeFailure, TreeOptions, TreeRemove, TreeSummary, TreeUpload, collision_key, display_name,
    local_component, remote_component,
};
pub use upload::{
    FileUpload, Leftover, PreparedUpload, UploadError, UploadTarget, Uploaded, partial_name,
    rename_refusal, temporary_name, upload_target,
};
pub use verify::{Hasher, Verified};
