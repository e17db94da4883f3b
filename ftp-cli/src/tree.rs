//! `cp -r`, `mv -r` and `rm -r`: the engine's tree operations
//! ([`ftp_client::engine::tree`]), rendered: each failure and each entry
//! left out one line on stderr as it happens, the transfers on the run's
//! bar, the summary last; a signal cancels the run.

use std::path::PathBuf;
use std::sync::Mutex;

use ftp_client::engine::{
    Counts, Outcome, Planned, Progress, Retry, Transfer, TreeDownload, TreeError, TreeRemove,
    TreeSummary, TreeUpload,
};
pub use ftp_client::engine::{DEFAULT_JOBS, MAX_JOBS, TreeOptions};
use ftp_client::{Client, Config, FtpUrl};

use crate::failure::Failure;
use crate::interrupt::{exit_if_interrupted, running};
use crate::location::Location;
use crate::progress::{Source, Watch};
use crate::remote;

/// The CLI's observer of a tree operation.
pub(crate) struct Shown {
    op: String,
    /// Files and bytes, for the bar.
    counts: Counts,
    watch: Mutex<Option<Watch>>,
}

impl Shown {
    pub(crate) fn new(op: &str) -> Self {
        Shown {
            op: op.to_owned(),
            counts: Counts::new(),
            watch: Mutex::new(None),
        }
    }

    fn watching(&self, on: bool) {
        let watch = on
            .then(|| {
                crate::progress::watch(self.op.clone(), None, Source::Counts(self.counts.clone()))
            })
            .flatten();
        // The old bar is cleared outside the lock.
        let old = std::mem::replace(
            &mut *self.watch.lock().unwrap_or_else(|e| e.into_inner()),
            watch,
        );
        drop(old);
    }
}

impl Progress for Shown {
    // Counted only when a bar will read the counts.
    fn started(&self, transfer: &Transfer) {
        if crate::progress::enabled() {
            self.counts.started(transfer);
        }
    }

    fn finished(&self, transfer: &Transfer, outcome: Outcome) {
        self.counts.finished(transfer, outcome);
    }

    fn retrying(&self, retry: &Retry<'_>) {
        tracing::debug!("{}: {}; trying again", retry.what, retry.error);
    }

    fn notice(&self, notice: &ftp_client::engine::Notice<'_>) {
        crate::progress::clear_now();
        eprintln!("ftp-cli: {} warning: {notice}", self.op);
    }

    fn tree(&self, planned: &Planned<'_>) {
        self.counts.tree(planned);
        crate::cancellation::temporaries().tree(planned);
        match *planned {
            Planned::Started => self.watching(true),
            Planned::Ended => self.watching(false),
            // After a signal, the transfers it cut are counted only: the
            // interruption's one line says what happened.
            Planned::Failed { what, error } if crate::interrupt::signalled().is_none() => {
                crate::progress::clear_now();
                eprintln!("ftp-cli: {} {what}: {error}", self.op);
            }
            Planned::Skipped { what, reason } => {
                crate::progress::clear_now();
                eprintln!("ftp-cli: {} {what}: skipped: {reason}", self.op);
            }
            Planned::Leftover(leftover) => remote::note_leftover(leftover),
            _ => {}
        }
    }
}

/// Counts and failures of `cp`/`mv` with several sources.
pub(crate) struct Summary {
    op: String,
    done: TreeSummary,
}

impl Summary {
    pub(crate) fn new(op: &str) -> Summary {
        Summary {
            op: op.to_owned(),
            done: TreeSummary::default(),
        }
    }

    /// One file of several done: counted, or its failure (whose message
    /// names the operation and the file) printed and counted. A signal
    /// ends the run here, as it does a single copy.
    pub(crate) fn record(&mut self, result: Result<u64, Failure>) {
        match result {
            Ok(bytes) => {
                self.done.files += 1;
                self.done.bytes += bytes;
            }
            Err(failure) => {
                exit_if_interrupted();
                crate::progress::clear_now();
                eprintln!("ftp-cli: {failure}");
                self.done.failures.push(ftp_client::engine::TreeFailure {
                    what: String::new(),
                    error: failure.to_string(),
                });
            }
        }
    }

    /// The last line: printed on success, the error line on failure.
    pub(crate) fn finish(&self) -> Result<(), Failure> {
        ended(self.done.line(&self.op).to_string(), self.done.is_success())
    }
}

/// The last line: printed on stderr when `ok`, else the failure's line.
pub(crate) fn ended(line: String, ok: bool) -> Result<(), Failure> {
    if ok {
        eprintln!("ftp-cli: {line}");
        Ok(())
    } else {
        Err(Failure::failed(line))
    }
}

/// The sides of a tree operation: one remote, one local.
pub(crate) enum Sides {
    Down(FtpUrl, PathBuf),
    Up(PathBuf, FtpUrl),
}

impl Sides {
    /// `src` and `dst` as the sides of a tree operation; the pair back
    /// when both are remote or both local.
    pub(crate) fn of(src: Location, dst: Location) -> Result<Sides, Box<(Location, Location)>> {
        match (src, dst) {
            (Location::Remote(src), Location::Local(dst)) => Ok(Sides::Down(src, dst)),
            (Location::Local(src), Location::Remote(dst)) => Ok(Sides::Up(src, dst)),
            other => Err(Box::new(other)),
        }
    }

    /// The server's side.
    pub(crate) fn url(&self) -> &FtpUrl {
        match self {
            Sides::Down(url, _) | Sides::Up(_, url) => url,
        }
    }

    /// The source as the messages name it.
    pub(crate) fn source(&self) -> String {
        match self {
            Sides::Down(url, _) => url.to_string(),
            Sides::Up(path, _) => path.display().to_string(),
        }
    }
}

/// A tree operation's failure as one line: naming the source, or the URL
/// when the server failed; a usage error when the command line asked for
/// what cannot be. `file_hint` follows "not a directory".
pub(crate) fn tree_failure(
    op: &str,
    source: &str,
    url: &FtpUrl,
    e: TreeError,
    file_hint: &str,
) -> Failure {
    match e {
        TreeError::FollowWithMove => Failure::usage(format!("{op}: -L with a remote source: {e}")),
        TreeError::MoveRoot(_) => Failure::usage(format!("{op} {source}: {e}; copy it with cp -r")),
        TreeError::RemoveRoot(name) => Failure::usage(format!(
            "{op} {url}: refusing to delete {name} without --force"
        )),
        TreeError::NotADirectory => {
            Failure::usage(format!("{op} {source}: not a directory{file_hint}"))
        }
        TreeError::NoName => Failure::usage(format!("{op} {source}: {e}")),
        TreeError::Connect(_) | TreeError::Remote(_) | TreeError::RemoteNotADirectory => {
            Failure::failed(format!("{op} {url}: {e}"))
        }
        e => Failure::failed(format!("{op} {source}: {e}")),
    }
}

/// `cp -r` and `mv -r` with one side remote, over sessions to its
/// server, rendered: what runs named for an interruption, the failure or
/// the summary line last.
pub(crate) fn copy_tree(
    op: &str,
    sides: &Sides,
    config: &Config,
    options: TreeOptions,
) -> Result<(), Failure> {
    let (verify, source, url) = (options.verify, sides.source(), sides.url());
    running(format!("{op} {source}"));
    // Each session as `--noproxy` says for this host.
    let config = crate::proxy::for_host(config, url.host());
    let connect = || Client::connect_url(url, config.clone());
    let (shown, cancel) = (Shown::new(op), crate::cancellation::handle());
    let result = match sides {
        Sides::Down(src, dst) => TreeDownload::new(src.path(), dst)
            .options(options)
            .limits(crate::rate::limits())
            .run(&connect, &shown, cancel),
        Sides::Up(src, dst) => TreeUpload::new(src, dst.path())
            .options(options)
            .limits(crate::rate::limits())
            .run(&connect, &shown, cancel),
    };
    // Interrupted: the cut transfers cleaned up after themselves.
    exit_if_interrupted();
    let hint = "; copy a file without -r";
    let summary = result.map_err(|e| tree_failure(op, &source, url, e, hint))?;
    if summary.source_kept {
        eprintln!("ftp-cli: {op} {source}: the source is kept: not every entry was copied");
    }
    let line = summary.line(op).verified(verify).to_string();
    ended(line, summary.is_success())
}

/// `rm -r URL`: deletes depth first exactly the entries the listings named
/// and the name check accepted; `--dry-run` prints them instead.
pub fn remove_tree(
    url: &FtpUrl,
    config: &Config,
    force: bool,
    dry_run: bool,
) -> Result<(), Failure> {
    let op = "rm -r";
    let source = url.to_string();
    let fail = |e| tree_failure(op, &source, url, e, "; delete a file without -r");
    let remove = TreeRemove::new(url.path()).force(force);
    remove.validate().map_err(fail)?;
    running(format!("{op} {url}"));
    let mut client = remote::connect(op, url, config)?;
    let shown = Shown::new(op);
    let plan = remove.plan(&mut client, &shown).map_err(fail)?;
    if dry_run {
        let mut out = std::io::stdout().lock();
        for line in plan.dry_run_lines() {
            exit_if_interrupted();
            let _ = std::io::Write::write_all(&mut out, line.as_bytes());
        }
        remote::quit(client);
        return ended(plan.dry_run_summary(op), plan.failures.is_empty());
    }
    let summary = plan.run(&mut client, &shown, crate::cancellation::handle());
    // Nothing half done to clean up: out at once.
    exit_if_interrupted();
    remote::quit(client);
    ended(summary.removal_line(op).to_string(), summary.is_success())
}

/// `-j N`: a number of sessions from 1 to [`MAX_JOBS`].
pub(crate) fn parse_jobs(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_JOBS).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a number of sessions from 1 to {MAX_JOBS}"
        )),
    }
}
