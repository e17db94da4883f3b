//! `sync SRC DST`: the engine's [`TreeSync`], rendered as `cp -r` is
//! (`tree.rs`): failures and entries left out on stderr as they happen,
//! the transfers on the run's bar, a summary line last; `--dry-run` and
//! `--json` print the plan on stdout.

use std::io::Write;

use ftp_client::engine::{Filter, SyncOptions, SyncPlan, TreeSync};
use ftp_client::{Client, Config};

use crate::credentials::LoginOptions;
use crate::failure::Failure;
use crate::interrupt::{exit_if_interrupted, running};
use crate::location::location;
use crate::tree::{Shown, Sides, tree_failure};

/// What `sync` was given.
#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// The tree to mirror: a directory URL or a local directory
    src: String,
    /// The mirror: a local directory or a directory URL (the other side
    /// from SRC); made if missing
    dst: String,
    /// Sessions in parallel (default 4; fewer if the server refuses more)
    #[arg(short = 'j', long, default_value_t = crate::tree::DEFAULT_JOBS,
          value_parser = crate::tree::parse_jobs)]
    jobs: usize,
    /// Delete what DST has and SRC lacks, once every copy succeeded; never
    /// when a listing of SRC failed; never an excluded entry
    #[arg(long)]
    delete: bool,
    /// With --delete: stop before the deletion after N (exit 1)
    #[arg(long, value_name = "N", requires = "delete")]
    max_delete: Option<u64>,
    /// Print the plan (what would be copied and deleted, and why); change
    /// nothing
    #[arg(long)]
    dry_run: bool,
    /// Print the plan as JSON lines on stdout, one object per entry: action
    /// (copy, skip, delete), path, reason, type (file, dir), size
    #[arg(long)]
    json: bool,
    /// Copy only files matching PATTERN (glob: *, ?, [..], ** across
    /// directories, anchored at the tree's root if it starts with '/',
    /// directories only if it ends with '/'); repeatable
    #[arg(long, value_name = "PATTERN")]
    include: Vec<String>,
    /// Leave out entries matching PATTERN on both sides: never copied,
    /// never deleted; repeatable
    #[arg(long, value_name = "PATTERN")]
    exclude: Vec<String>,
    /// Compare files of the same size by the server's digest (HASH,
    /// XSHA256…) against the local file's; by time where the server has
    /// none (said once)
    #[arg(long)]
    checksum: bool,
    /// Check each copy against the server's digest (HASH, XSHA256…),
    /// computed while the bytes stream; by size where the server has no
    /// hash ("size only" in the summary). A mismatch fails that file, and
    /// it is not put in place
    #[arg(long)]
    verify: bool,
}

/// `sync SRC DST`.
pub fn run(args: SyncArgs, config: &Config, login: &LoginOptions) -> Result<(), Failure> {
    let op = "sync";
    let sides = Sides::of(
        location(op, &args.src, login)?,
        location(op, &args.dst, login)?,
    )
    .map_err(|_| {
        Failure::usage(format!(
            "{op}: one side must be an ftp://, ftps:// or ftpes:// URL and the other a local directory"
        ))
    })?;
    let job = match &sides {
        Sides::Down(src, dst) => TreeSync::download(src.path(), dst),
        Sides::Up(src, dst) => TreeSync::upload(src, dst.path()),
    };
    let job = job.options(options(&args)).limits(crate::rate::limits());
    let (url, source) = (sides.url(), sides.source());
    // Each session as `--noproxy` says for this host.
    let config = crate::proxy::for_host(config, url.host());
    let connect = || Client::connect_url(url, config.clone());
    let shown = Shown::new(op);
    running(format!("{op} {source}"));
    let fail = |e| tree_failure(op, &source, url, e, "");
    let plan = job.plan(&connect, &shown).map_err(fail)?;
    exit_if_interrupted();
    for note in &plan.notes {
        crate::progress::clear_now();
        eprintln!("ftp-cli: {op}: {note}");
    }
    if args.json || args.dry_run {
        print_plan(&plan, args.json);
    }
    if args.dry_run {
        return crate::tree::ended(plan.dry_run_line(op), plan.failures.is_empty());
    }
    let result = plan.run(&connect, &shown, crate::cancellation::handle());
    exit_if_interrupted();
    let summary = result.map_err(fail)?;
    let line = summary
        .sync_line(op, &plan, args.delete)
        .verified(args.verify);
    crate::tree::ended(line.to_string(), summary.is_success())
}

/// The engine's options from the command line's.
fn options(args: &SyncArgs) -> SyncOptions {
    let mut filter = Filter::default();
    for pattern in &args.include {
        filter = filter.include(pattern);
    }
    for pattern in &args.exclude {
        filter = filter.exclude(pattern);
    }
    crate::rate::sync_options()
        .jobs(args.jobs)
        .delete(args.delete)
        .max_delete(args.max_delete)
        .checksum(args.checksum)
        .verify(args.verify)
        .filter(filter)
}

/// The plan on stdout: as JSON lines (every entry), or as text lines
/// (what changes, and what is kept for a reason worth saying).
fn print_plan(plan: &SyncPlan, json: bool) {
    let mut out = std::io::stdout().lock();
    for action in &plan.actions {
        exit_if_interrupted();
        let line = if json {
            action.json_line()
        } else if let Some(line) = action.text_line() {
            line
        } else {
            continue;
        };
        if out.write_all(line.as_bytes()).is_err() {
            return;
        }
    }
    let _ = out.flush();
}

/// `sync --help`'s text after the options.
pub const AFTER_HELP: &str = "\
DST is made to match SRC (SRC's contents go into DST itself, not DST/NAME).
A file is copied when DST lacks it or its size or time differs (times are
compared exactly: MLSD/MLST, or MDTM where the listing gives only the minute
or the day; where the server cannot say, the same size counts as the same).
With --checksum, files of the same size are compared by the server's digest
where it has one. Copies go through a temporary file (download) or name
(replacing upload) as cp -r does, and keep times as cp -r does; symbolic
links are not followed.

With --delete, what DST has and SRC lacks is deleted after every copy
succeeded, deepest first; nothing is deleted when any listing of SRC failed or
was cut short, nothing excluded is deleted, nothing outside DST is touched.

Examples:
  ftp-cli sync ftp://alice:s3cret@example.net/site ./mirror
  ftp-cli sync --delete --max-delete 50 ./site ftpes://alice:s3cret@example.net/www
  ftp-cli sync --dry-run --json --exclude '*.tmp' --exclude /cache/ ftp://example.net/pub ./pub

Exit status: 0 when everything was done, 1 when anything failed (each failure
on stderr, the summary last), 2 for a usage error.";
