//! `--limit-rate`, `--limit-total`, `--segments` and
//! `--segment-threshold`: what every transfer of the run is held to, set
//! once from the command line, and the engine's options that carry them
//! (one place for cp, mv, -r and sync).

use std::sync::OnceLock;

use ftp_client::RateLimits;
use ftp_client::engine::{SyncOptions, TreeOptions};

static LIMITS: OnceLock<RateLimits> = OnceLock::new();
static SEGMENTS: OnceLock<Segments> = OnceLock::new();

/// The default `--segment-threshold`: 64 MiB.
pub const DEFAULT_THRESHOLD: u64 = 64 << 20;

/// `--segments` and `--segment-threshold`.
#[derive(Debug, Clone, Copy)]
pub struct Segments {
    /// The sessions one download may use (1: one stream).
    pub count: usize,
    /// The size from which a tree's files are segmented.
    pub threshold: u64,
}

/// Sets the run's segmented downloads (the first call wins).
pub fn configure_segments(segments: Segments) {
    let _ = SEGMENTS.set(segments);
}

/// The run's segmented downloads: one stream when not configured.
pub fn segments() -> Segments {
    SEGMENTS.get().copied().unwrap_or(Segments {
        count: 1,
        threshold: DEFAULT_THRESHOLD,
    })
}

/// Sets the run's limits (the first call wins).
pub fn configure(limits: RateLimits) {
    let _ = LIMITS.set(limits);
}

/// The run's limits: one shared total bucket for every transfer, and each
/// transfer's own rate; none when not configured.
pub fn limits() -> RateLimits {
    LIMITS.get().cloned().unwrap_or_default()
}

/// The options of a tree copy or move, as the run's `--segments` says.
pub fn tree_options() -> TreeOptions {
    let segments = segments();
    TreeOptions::default().segments(segments.count, segments.threshold)
}

/// The options of a sync, as the run's `--segments` says.
pub fn sync_options() -> SyncOptions {
    let segments = segments();
    SyncOptions::default().segments(segments.count, segments.threshold)
}
