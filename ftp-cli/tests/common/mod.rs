//! What the `ftp-cli` test files share: running the built binary and
//! reading what it printed. Each file uses some of it.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The built `ftp-cli`, ready for arguments.
pub fn command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ftp-cli"))
}

/// Runs `ftp-cli` with `options` first, then `args`, and waits for it.
pub fn ftp_cli_with<O: AsRef<OsStr>>(options: &[O], args: &[&str]) -> Output {
    command()
        .args(options)
        .args(args)
        .output()
        .expect("run ftp-cli")
}

/// Runs `ftp-cli` with `args` and waits for it.
pub fn ftp_cli(args: &[&str]) -> Output {
    ftp_cli_with::<&str>(&[], args)
}

/// [`ftp_cli_with`], failing the test if the run takes `bound` or longer.
pub fn ftp_cli_within(bound: Duration, options: &[&str], args: &[&str]) -> Output {
    let started = Instant::now();
    let output = ftp_cli_with(options, args);
    let took = started.elapsed();
    assert!(took < bound, "ftp-cli {args:?} took {took:?}");
    output
}

/// What the run printed on standard error.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// What the run printed on standard output.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}
