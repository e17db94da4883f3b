//! `--limit-rate` and `--limit-total`: the limits every transfer of the
//! run is held to, set once from the command line.

use std::sync::OnceLock;

use ftp_client::RateLimits;

static LIMITS: OnceLock<RateLimits> = OnceLock::new();

/// Sets the run's limits (the first call wins).
pub fn configure(limits: RateLimits) {
    let _ = LIMITS.set(limits);
}

/// The run's limits: one shared total bucket for every transfer, and each
/// transfer's own rate; none when not configured.
pub fn limits() -> RateLimits {
    LIMITS.get().cloned().unwrap_or_default()
}
