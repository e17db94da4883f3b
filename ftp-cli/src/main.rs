//! `ftp-cli`: list, create, delete, copy and move files on FTP servers.
//!
//! `main` parses the command line and hands it to one function per
//! operation (in `ops`); every failure is printed once, as one line, and
//! mapped to an exit code (in `exit`).

mod cancellation;
mod cli;
mod copy;
mod credentials;
mod exit;
mod failure;
mod format;
mod hash;
mod interrupt;
mod lines;
mod location;
mod ops;
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod pow;
mod progress;
mod proxy;
mod rate;
mod remote;
mod sync;
mod tree;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::exit::Exit;

fn main() -> ExitCode {
    // clap prints usage errors and exits with 2, and --help with 0.
    let cli = Cli::parse();
    if cli.verbose {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .without_time()
            .with_level(false)
            .with_target(false)
            .with_max_level(tracing::Level::DEBUG)
            .init();
    }
    if cli.insecure {
        eprintln!(
            "ftp-cli: warning: --insecure: the server's certificate is not checked (encrypted, but not authenticated)"
        );
    }
    let mut config = cli.config();
    let chosen = proxy::choose(cli.proxy.as_deref(), cli.noproxy.as_deref(), |name| {
        std::env::var(name).ok()
    });
    match chosen {
        Ok(chosen) => config.proxy = chosen,
        Err(message) => {
            eprintln!("ftp-cli: {message}");
            return Exit::Usage.into();
        }
    }
    let login = cli.login();
    progress::configure(cli.quiet, cli.progress, cli.verbose);
    interrupt::install();
    let retry = cli.retry_policy();
    rate::configure(cli.rate_limits());
    rate::configure_segments(cli.segments());
    match ops::run(cli.command, &config, &login, &retry, cli.verbose) {
        Ok(()) => Exit::Success.into(),
        Err(failure) => {
            // A failure a signal caused is reported as the interruption.
            interrupt::exit_if_interrupted();
            eprintln!("ftp-cli: {failure}");
            failure.exit.into()
        }
    }
}
