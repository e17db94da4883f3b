//! The end-to-end matrix: every library and CLI case against a target.
//!
//! `cargo test` runs it against the in-process libunftp server (IPv4 and
//! IPv6 loopback). `tests/interop/run.sh` runs the same binary once per
//! real server, naming it through `FTP_TARGET_*` variables (see
//! `target.rs`). One trial per target × case group × case, named
//! `TARGET::GROUP::CASE`, so the usual filters work:
//!
//! ```text
//! cargo test -p ftp-cli --test matrix -- library::rename
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
//! [`groups`]. Adding a server or mode: a `Profile` in `target.rs` and a
//! start function in `tests/interop/servers.sh`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

/// Fails the case with a message unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err(libtest_mimic::Failed::from(format!($($arg)+)));
        }
    };
}

mod active;
mod cli;
mod ctx;
mod driver;
mod drop_box;
mod engine;
mod harness;
mod hashes;
mod library;
mod names;
mod proxy;
mod rate;
mod remote_copy;
mod resume;
mod segments;
mod sizes;
mod sync;
mod target;
mod tls;
mod tree;
mod tree_engine;

use harness::Group;
use target::Target;

/// Every case group.
fn groups() -> Vec<Group> {
    vec![
        cli::group(),
        library::group::<ftp_client::Client>(),
        library::group::<driver::Tokio>(),
        sizes::group(),
        names::group(),
        drop_box::group(),
        resume::group(),
        remote_copy::group(),
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
    let args = libtest_mimic::Arguments::from_args();
    // FTP_MATRIX_TRACE=1: the library cases' commands and replies (both
    // drivers log them with tracing) on stderr, to see where a case stops.
    if std::env::var_os("FTP_MATRIX_TRACE").is_some() {
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(std::io::stderr)
            .init();
    }
    let results = std::env::var_os("FTP_MATRIX_RESULTS").map(std::path::PathBuf::from);
    if std::env::var_os("FTP_MATRIX_SUMMARY_ONLY").is_some() {
        let Some(path) = results else {
            eprintln!("matrix: FTP_MATRIX_SUMMARY_ONLY needs FTP_MATRIX_RESULTS");
            return ExitCode::from(2);
        };
        return match harness::load_records(&path) {
            Ok(records) if harness::print_summary(&records) == 0 => ExitCode::SUCCESS,
            Ok(_) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("matrix: {}: {e}", path.display());
                ExitCode::from(2)
            }
        };
    }

    // In `cargo test`: the in-process server, in clear and over explicit
    // TLS (1.3, and 1.2 only).
    let targets = match Target::from_env() {
        Ok(Some(target)) => vec![target],
        Ok(None) => vec![
            Target::in_process(),
            Target::in_process_ftps(true),
            Target::in_process_ftps(false),
        ],
        Err(e) => {
            eprintln!("matrix: {e}");
            return ExitCode::from(2);
        }
    };
    if !args.list {
        for target in &targets {
            println!("{}", target.describe());
        }
    }
    let scratch = match tempfile::Builder::new().prefix("ftp-matrix-").tempdir() {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("matrix: a scratch directory: {e}");
            return ExitCode::from(2);
        }
    };
    ctx::set_scratch(scratch.path());

    let cli = Path::new(env!("CARGO_BIN_EXE_ftp-cli"));
    let targets: Vec<Arc<Target>> = targets.into_iter().map(Arc::new).collect();
    // FTP_MATRIX_GROUPS=a,b: those groups only (the interop suite's
    // targets behind a proxy).
    let mut groups = groups();
    if let Ok(only) = std::env::var("FTP_MATRIX_GROUPS") {
        let only: Vec<&str> = only.split(',').map(str::trim).collect();
        groups.retain(|group| only.contains(&group.name));
    }
    let trials = harness::trials(&targets, &groups, cli);
    let conclusion = libtest_mimic::run(&args, trials);
    if args.list {
        return conclusion.exit_code();
    }
    let mut records = harness::RECORDS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    if let Some(path) = results {
        match harness::save_records(&path).and_then(|()| harness::load_records(&path)) {
            Ok(all) => records = all,
            Err(e) => {
                eprintln!("matrix: {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    harness::print_summary(&records);
    // This run's failures decide: the records may hold earlier runs'.
    if conclusion.has_failed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
