//! The end-to-end matrix: every CLI case, and the library cases that go
//! with them, against a target. The library's own cases against servers
//! are in the library's matrix (`tests/library_matrix/`, the same
//! machinery: `ftp_suite::matrix`), which `tests/interop/run.sh` runs on
//! every target too.
//!
//! `cargo test` runs it against the in-process libunftp server (IPv4 and
//! IPv6 loopback). `tests/interop/run.sh` runs the same binary once per
//! real server, naming it through `FTP_TARGET_*` variables (see
//! `ftp_suite::matrix::target`). One trial per target × case group × case, named
//! `TARGET::GROUP::CASE`, so the usual filters work:
//!
//! ```text
//! cargo test -p ftp-cli --test matrix -- cli::
//! cargo test -p ftp-cli --test matrix -- --list
//! ```
//!
//! A case the target cannot support is reported `ignored (reason)`. The end
//! is a table (case group × target: passed/failed/skipped) and the line
//! `N passed, M failed, K skipped`. With `FTP_MATRIX_RESULTS=FILE` the
//! outcomes are appended to FILE and the table covers every run recorded
//! there; `FTP_MATRIX_SUMMARY_ONLY=1` prints that table without running.
//! With `FTP_MATRIX_LOGS=DIR`, a failed case leaves the command line,
//! stdout and stderr of each of its `ftp-cli` runs in `DIR/TRIAL/`
//! (passwords masked). With `FTP_MATRIX_TRACE=1` the library cases' commands
//! and replies go to stderr.
//!
//! Adding a case: a function in a group module and one line in its
//! `group()`. Adding a group: a module with a `group()` and one line in
//! [`groups`]. Adding a server or mode: a `Profile` in `tests/support/matrix/target.rs` and a
//! start function in `tests/interop/servers.sh`.

use std::path::Path;
use std::process::ExitCode;

#[macro_use]
extern crate ftp_suite;

mod active;
mod cli;
mod driver;
mod drop_box;
mod engine;
mod hashes;
mod names;
mod proxy;
mod rate;
mod remote_copy;
mod resume;
mod segments;
mod sizes;
mod sync;
mod tls;
mod tree;
mod tree_engine;

use ftp_suite::matrix::harness::Group;
// The shared machinery, under the names the case modules use.
use ftp_suite::matrix::{ctx, harness, target};

/// Every case group.
fn groups() -> Vec<Group> {
    vec![
        cli::group(),
        sizes::group(),
        names::group(),
        drop_box::group(),
        resume::group(),
        remote_copy::group(),
        remote_copy::cross_group(),
        engine::group(),
        hashes::group::<ftp_client::Client>(),
        hashes::group::<driver::Tokio>(),
        hashes::verify_group(),
        tree::group(),
        tree_engine::group(),
        sync::group(),
        tls::group(),
        active::group(),
        active::tokio_group(),
        proxy::group(),
        rate::group(),
        segments::group(),
    ]
}

fn main() -> ExitCode {
    ftp_suite::matrix::run(groups(), Path::new(env!("CARGO_BIN_EXE_ftp-cli")))
}
