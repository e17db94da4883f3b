//! The library against a scripted misbehaving server, through both
//! drivers: each scenario of [`ftp_suite::fault_cases`] (written once)
//! runs through the blocking client (`blocking::NAME`) and the async one
//! (`tokio::NAME`). Each fault ends in success or a clear error, never a
//! hang or a panic, and timeouts fire within their configured bound.
//!
//! `cargo test --test faults -- active` runs the active-mode ones.

use std::process::ExitCode;

use ftp_suite::fault_cases::{self, LibraryCheck};
use libtest_mimic::{Arguments, Trial};

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for scenario in fault_cases::all() {
        for (driver, check) in [("blocking", &scenario.blocking), ("tokio", &scenario.tokio)] {
            if let Some(check) = check {
                trials.push(trial(driver, &scenario.name, &scenario.server, check));
            }
        }
    }
    libtest_mimic::run(&args, trials).exit_code()
}

/// `check` against a fresh server from `server`.
fn trial(
    driver: &str,
    name: &str,
    server: &std::sync::Arc<dyn Fn() -> ftp_suite::FaultServer + Send + Sync>,
    check: &LibraryCheck,
) -> Trial {
    let (server, check) = (server.clone(), check.clone());
    Trial::test(format!("{driver}::{name}"), move || {
        check(&server());
        Ok(())
    })
}
