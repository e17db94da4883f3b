//! The run's one cancellation handle: the signal watcher
//! ([`crate::interrupt`]) cancels it, and every transfer and retry of the
//! run ([`crate::progress`], the engine's calls) watches it.

use std::sync::OnceLock;

use ftp_client::engine::Cancel;

/// The run's cancellation handle, cancelled at the first signal.
pub fn handle() -> &'static Cancel {
    static CANCEL: OnceLock<Cancel> = OnceLock::new();
    CANCEL.get_or_init(Cancel::new)
}
