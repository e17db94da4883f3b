//! The run's one cancellation handle: the signal watcher
//! ([`crate::interrupt`]) cancels it, and every transfer and retry of the
//! run ([`crate::progress`], the engine's calls) watches it; and the local
//! temporary files of the run, for the watcher to remove should the run
//! not end in time.

use std::sync::OnceLock;

use ftp_client::engine::{Cancel, Temporaries};

/// The run's cancellation handle, cancelled at the first signal.
pub fn handle() -> &'static Cancel {
    static CANCEL: OnceLock<Cancel> = OnceLock::new();
    CANCEL.get_or_init(Cancel::new)
}

/// The run's local temporary files, as the engine reports them (every
/// observer of the run passes its reports on).
pub fn temporaries() -> &'static Temporaries {
    static TEMPORARIES: OnceLock<Temporaries> = OnceLock::new();
    TEMPORARIES.get_or_init(|| Temporaries::new(handle()))
}
