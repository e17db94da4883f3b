//! The end-to-end matrix's machinery, shared by its two binaries: the
//! CLI's (`ftp-cli/tests/matrix/`) and the library's
//! (`tests/library_matrix/`). A target ([`target`]: the in-process server
//! or a real one named by `FTP_TARGET_*`), a case's context ([`ctx`]), and
//! the trials, their records and the summary table ([`harness`]).

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

pub mod ctx;
pub mod harness;
pub mod target;

use ftp_client::Config;
use harness::Group;
use target::Target;

use crate::driver::Driver;

/// A [`Driver`] connected to a case's target.
pub trait ConnectCtx: Driver {
    /// Connected and logged in to the target, with its TLS.
    fn connect_ctx(c: &ctx::Ctx) -> std::result::Result<Self, libtest_mimic::Failed> {
        Self::connect_ctx_with(c, Config::default())
    }

    /// [`ConnectCtx::connect_ctx`] with `config`.
    fn connect_ctx_with(
        c: &ctx::Ctx,
        config: Config,
    ) -> std::result::Result<Self, libtest_mimic::Failed> {
        let mut ftp = Self::connect(c.addr, c.with_tls(config))?;
        ftp.login(&c.target.login.user, &c.target.login.password)?;
        Ok(ftp)
    }
}

impl<D: Driver> ConnectCtx for D {}

/// Runs `groups` against the target the environment names (`FTP_TARGET_*`,
/// see [`target`]) or, in `cargo test`, the in-process server in clear and
/// over explicit TLS; `cli` is the `ftp-cli` binary the CLI cases run.
/// The table at the end covers this run, or with `FTP_MATRIX_RESULTS` every
/// run recorded there (see the matrix's `main.rs` for the variables).
pub fn run(groups: Vec<Group>, cli: &Path) -> ExitCode {
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

    let targets: Vec<Arc<Target>> = targets.into_iter().map(Arc::new).collect();
    // FTP_MATRIX_GROUPS=a,b: those groups only (the interop suite's
    // targets behind a proxy).
    let mut groups = groups;
    if let Ok(only) = std::env::var("FTP_MATRIX_GROUPS") {
        let only: Vec<&str> = only.split(',').map(str::trim).collect();
        groups.retain(|group| only.contains(&group.name));
    }
    // The cross-server cases need a second server: where no target has
    // one (the interop suite's lanes, one server each), they are not run
    // at all rather than skipped by every target; run.sh's cross step runs
    // them.
    if targets.iter().all(|t| t.peer.is_none()) {
        groups.retain(|group| group.name != "cross-server");
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
