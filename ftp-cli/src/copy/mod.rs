//! `cp` and `mv`: the command line mapped onto the engine
//! ([`ftp_client::engine::copy::FileCopy`] for files, the tree engine for
//! `-r`), and the engine's failures rendered as one line each.

use std::path::Path;

use ftp_client::engine::copy::{Endpoint, FileCopy, Session};
use ftp_client::engine::{Planned, Progress, Retry, RetryPolicy, Transfer};
use ftp_client::{Config, FtpUrl};

use crate::cli::Operation;
use crate::credentials::LoginOptions;
use crate::failure::Failure;
use crate::location::{Location, STDIN, location, progress_label};
use crate::remote::session;
use crate::tree::{Sides, TreeOptions};

/// What `cp` or `mv` was given.
pub struct CopyArgs {
    pub op: &'static str,
    pub src: Vec<String>,
    pub dst: String,
    pub recursive: bool,
    /// For `-r`.
    pub tree: TreeOptions,
    /// `mv`: delete the source once the copy is confirmed.
    pub remove_source: bool,
    /// `--create-dirs`: make the missing directories of an upload's target.
    pub create_dirs: bool,
    /// `--verify`: check the copy against the server's digest (or size).
    pub verify: bool,
    pub resume: bool,
}

impl CopyArgs {
    /// The arguments of `cp` or `mv`; any other operation back.
    pub fn of(operation: Operation) -> Result<CopyArgs, Operation> {
        let tree = crate::rate::tree_options();
        match operation {
            Operation::Cp {
                src,
                dst,
                recursive,
                update,
                dereference,
                jobs,
                create_dirs,
                resume,
                verify,
            } => Ok(CopyArgs {
                op: "cp",
                src,
                dst,
                recursive,
                tree: tree
                    .update(update)
                    .jobs(jobs)
                    .follow_links(dereference)
                    .verify(verify),
                remove_source: false,
                create_dirs,
                verify,
                resume,
            }),
            Operation::Mv {
                src,
                dst,
                recursive,
                jobs,
                create_dirs,
                resume,
                verify,
            } => Ok(CopyArgs {
                op: "mv",
                src,
                dst,
                recursive,
                tree: tree.jobs(jobs).remove_source(true).verify(verify),
                remove_source: true,
                create_dirs,
                verify,
                resume,
            }),
            other => Err(other),
        }
    }
}

/// `cp` or `mv`: a tree (`-r`), several files, or one file (retried as
/// `retry` says).
pub fn run(
    args: CopyArgs,
    config: &Config,
    login: &LoginOptions,
    retry: &RetryPolicy,
    verbose: bool,
) -> Result<(), Failure> {
    if args.recursive {
        let op = if args.remove_source { "mv -r" } else { "cp -r" };
        let src = one_source(op, &args.src)?;
        return copy_tree(op, src, &args.dst, config, login, args.tree);
    }
    if args.src.len() > 1 {
        return copy_several(&args, config, login);
    }
    let src = one_source(args.op, &args.src)?;
    let (src, dst) = (
        location(args.op, src, login)?,
        location(args.op, &args.dst, login)?,
    );
    let copy = file_copy(&args, endpoint(src), endpoint(dst))
        .retry(*retry)
        .describe(args.op);
    if args.create_dirs
        && !args.resume
        && !copy.continues_partial()
        && matches!(copy.source(), Endpoint::Remote(_))
        && !matches!(copy.destination(), Endpoint::Remote(_))
    {
        return Err(Failure::usage(format!(
            "{}: --create-dirs makes remote directories, for uploads",
            args.op
        )));
    }
    let op = if args.resume {
        format!("{} -C", args.op)
    } else {
        args.op.to_owned()
    };
    let mut session = session(config);
    copy_file(&op, &copy, &mut session, verbose)?;
    session.quit();
    Ok(())
}

/// The engine's copy of `src` to `dst` as the options say.
fn file_copy(args: &CopyArgs, src: Endpoint, dst: Endpoint) -> FileCopy {
    FileCopy::new(src, dst)
        .remove_source(args.remove_source)
        .create_dirs(args.create_dirs)
        .verify(args.verify)
        .resume(args.resume)
        // The bar's total, when the 150 reply will not say it: SIZE,
        // asked only when a bar will show.
        .ask_size(crate::progress::enabled())
        .label(|path| progress_label(Some(path)))
        .limits(crate::rate::limits())
        .segments(crate::rate::segments().count)
}

/// A location as the engine's endpoint: `-` is standard input or output.
fn endpoint(location: Location) -> Endpoint {
    match location {
        Location::Remote(url) => Endpoint::Remote(url),
        Location::Local(path) if path == Path::new(STDIN) => Endpoint::Stdio,
        Location::Local(path) => Endpoint::Local(path),
    }
}

/// Runs one file's copy: what runs named for an interruption's message,
/// its verification said, its failure rendered; returns the bytes.
fn copy_file(
    op: &str,
    copy: &FileCopy,
    session: &mut Session<'_>,
    verbose: bool,
) -> Result<u64, Failure> {
    crate::interrupt::running(format!("{op} {}", copy.source_name()));
    let partial = copy.partial_file();
    if let Some(partial) = &partial {
        crate::cancellation::temporaries().keep(partial.clone());
    }
    let observer = Observer {
        op: op.to_owned(),
        verbose,
    };
    let copied = copy
        .run(session, &observer, crate::cancellation::handle())
        .map_err(|e| failure(op, copy, e))?;
    if let Some(partial) = &partial {
        crate::cancellation::temporaries().forget(partial);
    }
    if let Some(line) = copied.verified_line(op, copy) {
        eprintln!("ftp-cli: {line}");
    }
    Ok(copied.bytes)
}

/// The CLI's observer of a single copy: the run's bar, the retries, and
/// the temporary files an interruption removes.
struct Observer {
    op: String,
    verbose: bool,
}

impl Progress for Observer {
    fn started(&self, transfer: &Transfer) {
        crate::progress::bar().started(transfer);
    }

    fn finished(&self, transfer: &Transfer, outcome: ftp_client::engine::Outcome) {
        crate::progress::bar().finished(transfer, outcome);
    }

    fn retrying(&self, retry: &Retry<'_>) {
        if !self.verbose {
            tracing::debug!("{}: {} {}; trying again", retry.what, self.op, retry.error);
            return;
        }
        crate::progress::clear_now();
        eprintln!("ftp-cli: {} {retry}", self.op);
    }

    fn notice(&self, notice: &ftp_client::engine::Notice<'_>) {
        crate::progress::clear_now();
        eprintln!("ftp-cli: {} warning: {notice}", self.op);
    }

    fn tree(&self, planned: &Planned<'_>) {
        crate::cancellation::temporaries().tree(planned);
    }
}

/// The one source a command takes (clap requires at least one).
fn one_source<'a>(op: &str, sources: &'a [String]) -> Result<&'a str, Failure> {
    match sources {
        [one] => Ok(one),
        [] => Err(Failure::usage(format!("{op}: no source given"))),
        _ => Err(Failure::usage(format!(
            "{op}: takes one source (several are for cp and mv without -r)"
        ))),
    }
}

/// `cp -r` and `mv -r`: exactly one side remote, as for one file.
fn copy_tree(
    op: &str,
    src: &str,
    dst: &str,
    config: &Config,
    login: &LoginOptions,
    options: TreeOptions,
) -> Result<(), Failure> {
    if src == STDIN {
        return Err(Failure::usage(format!(
            "{op}: '-' (standard input) is one file; copy it without -r"
        )));
    }
    let sides = Sides::of(location(op, src, login)?, location(op, dst, login)?);
    match sides {
        Ok(sides) => crate::tree::copy_tree(op, &sides, config, options),
        Err(pair) => match *pair {
            (Location::Remote(src), Location::Remote(dst)) => {
                remote_tree(op, src, dst, config, options.verify)
            }
            _ => Err(Failure::usage(format!(
                "{op}: neither argument is an ftp:// URL; exactly one must be"
            ))),
        },
    }
}

/// `cp -r` and `mv -r` with both sides remote (the engine's
/// [`FileCopy::recursive`]): `mv -r` on one server and login is a rename;
/// anything else copies the tree between two sessions, one file at a
/// time, each file checked with `--verify` (no count in the summary).
fn remote_tree(
    op: &str,
    src: FtpUrl,
    dst: FtpUrl,
    config: &Config,
    verify: bool,
) -> Result<(), Failure> {
    let copy = FileCopy::new(Endpoint::Remote(src), Endpoint::Remote(dst))
        .remove_source(op == "mv -r")
        .verify(verify)
        .recursive(true)
        .label(|path| progress_label(Some(path)))
        .limits(crate::rate::limits())
        .describe(op);
    let mut session = session(config);
    copy_file(op, &copy, &mut session, false)?;
    session.quit();
    Ok(())
}

mod failure;
mod several;

use failure::failure;
use several::copy_several;
