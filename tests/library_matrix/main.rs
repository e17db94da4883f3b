//! The library's cases against servers: every `ftp_client::Client`
//! operation, through the blocking and the async driver, against a target
//! (the end-to-end matrix's machinery, `ftp_suite::matrix`). `cargo test`
//! runs them against the in-process server; `tests/interop/run.sh` runs
//! the same binary against every real server, beside the CLI's matrix
//! (`ftp-cli/tests/matrix/`). One trial per target × group × case, named
//! `TARGET::GROUP::CASE`:
//!
//! ```text
//! cargo test --test library_matrix -- library::rename
//! ```

use std::path::Path;
use std::process::ExitCode;

#[macro_use]
extern crate ftp_suite;

mod library;

// The shared machinery, under the names the cases use.
use ftp_suite::matrix::{ctx, harness, target};

/// The drivers the cases run through.
mod driver {
    pub use ftp_suite::driver::{DownloadStream, Driver, UploadStream};
    pub use ftp_suite::matrix::ConnectCtx;
}

fn main() -> ExitCode {
    let groups = vec![
        library::group::<ftp_client::Client>(),
        library::group::<ftp_suite::driver::Tokio>(),
    ];
    // No CLI case here: the library's cases never run `ftp-cli`.
    ftp_suite::matrix::run(groups, Path::new("ftp-cli"))
}
