//! One function per operation, each taking validated arguments.

use std::fmt;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::Path;

use ftp_client::engine::{
    Direction, DownloadError, FileDownload, FileUpload, Leftover, RetryPolicy, Transfer,
    UploadError,
};
use ftp_client::{Client, Config, FtpUrl};

use clap::CommandFactory;

use crate::cli::{Cli, Operation};
use crate::credentials::LoginOptions;
use crate::failure::Failure;
use crate::lines::UnixLines;
use crate::location::{
    Location, STDIN, download_name, ends_with_separator, location, os_bytes, progress_label,
    remote_url,
};
use crate::remote::{connect, note_leftover, quit, same_server};
use crate::tree::TreeOptions;

/// How much [`pump`] reads at a time.
const PUMP_CHUNK: usize = 256 * 1024;

/// Runs one operation; a single-file `cp` or `mv` is retried as `retry`
/// says (with `verbose`, one line on stderr per retry).
pub fn run(
    operation: Operation,
    config: &Config,
    login: &LoginOptions,
    retry: &RetryPolicy,
    verbose: bool,
) -> Result<(), Failure> {
    let remote = |op: &str, arg: &str| remote_url(op, arg, login);
    match operation {
        Operation::Ls {
            url,
            long,
            json,
            names,
        } => {
            let url = remote("ls", &url)?;
            let style = match (long, json, names) {
                (false, false, false) => return ls(&url, config),
                (true, _, _) => ListStyle::Long,
                (_, true, _) => ListStyle::Json,
                (_, _, true) => ListStyle::Names,
            };
            ls_parsed(&url, config, style)
        }
        Operation::Mkdir { url, parents } => mkdir(&remote("mkdir", &url)?, config, parents),
        Operation::Rm {
            url,
            recursive: true,
            force,
            dry_run,
        } => crate::tree::remove_tree(&remote("rm -r", &url)?, config, force, dry_run),
        Operation::Rm { url, .. } => rm(&remote("rm", &url)?, config),
        Operation::Rmdir { url } => rmdir(&remote("rmdir", &url)?, config),
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
        } => {
            let args = CopyArgs {
                op: "cp",
                src,
                dst,
                recursive,
                tree: TreeOptions::default()
                    .update(update)
                    .jobs(jobs)
                    .follow_links(dereference),
                how: Copy::new(false, create_dirs).verifying(verify),
                resume,
            };
            copy_command(args, config, login, retry, verbose)
        }
        Operation::Mv {
            src,
            dst,
            recursive,
            jobs,
            create_dirs,
            resume,
        } => {
            let args = CopyArgs {
                op: "mv",
                src,
                dst,
                recursive,
                tree: TreeOptions::default().jobs(jobs).remove_source(true),
                how: Copy::new(true, create_dirs),
                resume,
            };
            copy_command(args, config, login, retry, verbose)
        }
        Operation::Hash { algo, urls } => crate::hash::run(algo, &urls, config, login),
        Operation::Sync(args) => crate::sync::run(args, config, login),
        Operation::Completions { shell } => completions(shell),
        Operation::Man => man(),
    }
}

/// `completions SHELL`: the shell's completion script on stdout.
fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "ftp-cli", &mut script);
    print_generated("completions", &script)
}

/// `man`: the manual page (roff) on stdout.
fn man() -> Result<(), Failure> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| Failure::failed(format!("man: {e}")))?;
    print_generated("man", &page)
}

/// What `cp` or `mv` was given.
struct CopyArgs {
    op: &'static str,
    src: Vec<String>,
    dst: String,
    recursive: bool,
    /// For `-r`.
    tree: TreeOptions,
    how: Copy,
    resume: bool,
}

/// `cp` or `mv`: a tree (`-r`), several files, or one file (retried as
/// `retry` says).
fn copy_command(
    args: CopyArgs,
    config: &Config,
    login: &LoginOptions,
    retry: &RetryPolicy,
    verbose: bool,
) -> Result<(), Failure> {
    let CopyArgs {
        op,
        src,
        dst,
        recursive,
        tree,
        how,
        resume,
    } = args;
    if recursive {
        let op = if how.remove_source { "mv -r" } else { "cp -r" };
        return copy_tree(op, one_source(op, &src)?, &dst, config, login, tree);
    }
    if src.len() > 1 {
        return copy_several(op, &src, &dst, config, login, how, resume);
    }
    let one = one_source(op, &src)?;
    copy_with_retries(op, one, &dst, config, login, how, resume, retry, verbose)
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

/// `cp`/`mv` of several sources into the directory `dst`, all over one
/// session: a remote directory URL ending in '/' for local sources, an
/// existing local directory for remote ones, which must then share one
/// server and login. A file that fails is reported and the rest goes on;
/// the summary of the recursive commands ends the run.
#[allow(clippy::too_many_arguments)] // the options of one command line
fn copy_several(
    op: &str,
    sources: &[String],
    dst: &str,
    config: &Config,
    login: &LoginOptions,
    how: Copy,
    resume: bool,
) -> Result<(), Failure> {
    if resume {
        return Err(Failure::usage(format!(
            "{op}: -C takes one source; resume each file in its own run"
        )));
    }
    if sources.iter().any(|src| src == STDIN) {
        return Err(Failure::usage(format!(
            "{op}: '-' (standard input) is one file; give it as the only source"
        )));
    }
    let dst = location(op, dst, login)?;
    let sources = sources
        .iter()
        .map(|src| location(op, src, login))
        .collect::<Result<Vec<_>, _>>()?;
    let mut summary = crate::tree::Summary::new(op);
    let mut session = Session::new(config);
    match &dst {
        Location::Remote(dir) => {
            for file in local_sources(op, &sources, dir)? {
                let result =
                    again_if_transient(&mut session, |session| upload(op, file, dir, session, how));
                summary.record(result);
            }
        }
        Location::Local(dir) => {
            for url in remote_sources(op, &sources, dir)? {
                let result = again_if_transient(&mut session, |session| {
                    download(op, url, dir, session, how)
                });
                summary.record(result);
            }
        }
    }
    session.quit();
    summary.finish()
}

/// The local files of several uploaded into the remote directory `dir`.
fn local_sources<'s>(
    op: &str,
    sources: &'s [Location],
    dir: &FtpUrl,
) -> Result<Vec<&'s std::path::PathBuf>, Failure> {
    if !dir.is_directory() {
        return Err(Failure::usage(format!(
            "{op}: with several sources, DST must be a directory: {dir} does not end with '/'"
        )));
    }
    sources
        .iter()
        .map(|src| match src {
            Location::Local(path) => Ok(path),
            Location::Remote(url) => Err(Failure::usage(format!(
                "{op}: {url} and {dir} are both URLs; exactly one side must be remote"
            ))),
        })
        .collect()
}

/// The remote files of several downloaded into the local directory
/// `dir`: all on one server and login.
fn remote_sources<'s>(
    op: &str,
    sources: &'s [Location],
    dir: &Path,
) -> Result<Vec<&'s FtpUrl>, Failure> {
    if !dir.is_dir() {
        return Err(Failure::usage(format!(
            "{op}: with several sources, DST must be an existing directory: {}",
            dir.display()
        )));
    }
    let mut urls: Vec<&FtpUrl> = Vec::new();
    for src in sources {
        match src {
            Location::Remote(url) => {
                if let Some(first) = urls.first().filter(|first| !same_server(first, url)) {
                    return Err(Failure::usage(format!(
                        "{op}: {first} and {url} are on different servers or logins; all files go over one session: copy them in separate runs"
                    )));
                }
                urls.push(url);
            }
            Location::Local(path) => {
                return Err(Failure::usage(format!(
                    "{op}: neither {} nor {} is a URL; exactly one side must be remote",
                    path.display(),
                    dir.display()
                )));
            }
        }
    }
    Ok(urls)
}

/// One file of several: tried once more, at once and in a new session,
/// after a failure that may pass (a 4xx, a lost connection). A session can
/// wear out where a new one would not (a server that refuses every data
/// connection after a while with 425).
fn again_if_transient(
    session: &mut Session<'_>,
    mut copy: impl FnMut(&mut Session<'_>) -> Result<u64, Failure>,
) -> Result<u64, Failure> {
    let once_more = RetryPolicy::new(1).with_delay(std::time::Duration::ZERO);
    let log = crate::progress::RetryLines { verbose: false };
    once_more.run(crate::cancellation::handle(), &log, "copy", |attempt| {
        if attempt > 0 {
            session.reset();
        }
        copy(session)
    })
}

/// The session of a `cp`/`mv` run, opened on first use and reused by every
/// file of it; opened again if a failure ended it.
pub(crate) struct Session<'c> {
    config: &'c Config,
    client: Option<Client>,
}

impl<'c> Session<'c> {
    pub(crate) fn new(config: &'c Config) -> Self {
        Session {
            config,
            client: None,
        }
    }

    /// The session, connected to `url`'s server.
    pub(crate) fn client(&mut self, op: &str, url: &FtpUrl) -> Result<&mut Client, Failure> {
        if self.client.as_ref().is_none_or(|c| c.is_closed()) {
            self.client = Some(connect(op, url, self.config)?);
        }
        self.client
            .as_mut()
            .ok_or_else(|| Failure::failed(format!("{op} {url}: no session")))
    }

    /// Leaves the session (QUIT, not waiting long); the next file opens a
    /// new one.
    fn reset(&mut self) {
        if let Some(client) = self.client.take() {
            quit(client);
        }
    }

    /// Ends the session politely, if one was opened.
    pub(crate) fn quit(self) {
        if let Some(client) = self.client {
            quit(client);
        }
    }
}

/// A single-file `cp` or `mv`, attempted again after a transient failure
/// as `policy` allows. Without `-C`, a download that may be retried goes
/// through the deterministic partial file, so that a retry continues it;
/// it is removed once no attempt is left.
#[allow(clippy::too_many_arguments)] // the options of one command line
fn copy_with_retries(
    op: &str,
    src: &str,
    dst: &str,
    config: &Config,
    login: &LoginOptions,
    how: Copy,
    resume: bool,
    policy: &RetryPolicy,
    verbose: bool,
) -> Result<(), Failure> {
    let remove_source = how.remove_source;
    // Parsed once: a login prompt is answered once, whatever the retries.
    let src_is_stdin = src == STDIN;
    let (src, dst) = (location(op, src, login)?, location(op, dst, login)?);
    // A download to a regular file, which a retry can continue (verified:
    // each attempt starts over, the digest computed as the bytes stream).
    let continued = match (&src, &dst) {
        (Location::Remote(src), Location::Local(dst))
            if policy.retries() > 0
                && !resume
                && !how.verify
                && dst != Path::new("-")
                && !fs::metadata(dst).is_ok_and(|m| !m.is_file() && !m.is_dir()) =>
        {
            Some((src.clone(), dst.clone()))
        }
        _ => None,
    };
    // Standard input is read once: no attempt can send it again.
    let once = policy.with_retries(0);
    let policy = if src_is_stdin { &once } else { policy };
    let mut first = true;
    let report = crate::progress::RetryLines { verbose };
    let result = policy.run(crate::cancellation::handle(), &report, op, |_| {
        let attempt = match &continued {
            Some((src, dst)) => crate::resume::download(
                op,
                src,
                dst,
                config,
                remove_source,
                ftp_client::engine::Partial::Retry { fresh: first },
            ),
            None if resume => {
                crate::resume::copy(op, src.clone(), dst.clone(), config, remove_source)
            }
            None => copy(op, src.clone(), dst.clone(), config, how),
        };
        first = false;
        attempt
    });
    if let (Err(_), Some((src, dst))) = (&result, &continued) {
        crate::resume::discard(src, dst);
    }
    result
}

fn ls(url: &FtpUrl, config: &Config) -> Result<(), Failure> {
    let failed = |e: &dyn fmt::Display| Failure::failed(format!("ls {url}: {e}"));
    let mut client = connect("ls", url, config)?;
    let download = client.list_stream(url.path()).map_err(|e| failed(&e))?;
    // Buffered: a listing arrives in pieces that need not end at lines.
    let mut out = UnixLines::new(std::io::BufWriter::new(std::io::stdout().lock()));
    match pump(download, &mut out) {
        Ok(_) => {}
        // The reader went away (`ftp-cli ls … | head`): it has what it
        // wanted.
        Err(Pumped::WriteFailed(_)) if out.is_closed() => return Ok(()),
        Err(Pumped::WriteFailed(e)) => return Err(failed(&format!("writing the listing: {e}"))),
        Err(Pumped::TransferFailed(e)) => return Err(failed(&e)),
    }
    if let Err(e) = out.finish() {
        if !out.is_closed() {
            return Err(failed(&format!("writing the listing: {e}")));
        }
    }
    quit(client);
    Ok(())
}

/// How `ls` prints a parsed listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListStyle {
    Long,
    Json,
    Names,
}

/// `ls -l`, `ls --json`, `ls -1`: the listing parsed, printed uniformly.
/// `cdir`/`pdir` entries are left out; a line no parser understood is
/// shown as it came (`-l`, `--json`) or reported on stderr (`-1`).
fn ls_parsed(url: &FtpUrl, config: &Config, style: ListStyle) -> Result<(), Failure> {
    let failed = |e: &dyn fmt::Display| Failure::failed(format!("ls {url}: {e}"));
    let mut client = connect("ls", url, config)?;
    let entries = listed_entries(&mut client, url).map_err(|e| failed(&e))?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for entry in &entries {
        if matches!(
            entry.kind,
            ftp_client::Kind::CurrentDir | ftp_client::Kind::ParentDir
        ) {
            continue;
        }
        let line = match style {
            ListStyle::Long => crate::format::long_line(entry),
            ListStyle::Json => crate::format::json_line(entry),
            ListStyle::Names if entry.kind == ftp_client::Kind::Unknown => {
                eprintln!(
                    "ftp-cli: ls {url}: warning: listing line not understood: {}",
                    crate::format::escape_name(&entry.raw)
                );
                continue;
            }
            ListStyle::Names => crate::format::escape_name(&entry.name),
        };
        if let Err(e) = writeln!(out, "{line}") {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(());
            }
            return Err(failed(&format!("writing the listing: {e}")));
        }
    }
    match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(failed(&format!("writing the listing: {e}")));
        }
        _ => {}
    }
    quit(client);
    Ok(())
}

/// The entries `ls -l`/`--json`/`-1` show: the directory's listing, or,
/// for a URL without a trailing '/' whose listing the server refuses (MLSD
/// of a file: "not a directory"), that file's one entry (MLST, or SIZE and
/// MDTM), under the name given. The listing's refusal stands when the
/// name is no file either.
fn listed_entries(
    client: &mut Client,
    url: &FtpUrl,
) -> Result<Vec<ftp_client::Entry>, ftp_client::Error> {
    let refused = match client.entries(url.path()) {
        Ok(entries) => return Ok(entries),
        Err(e) if !url.is_directory() && e.code().is_some_and(|c| c >= 500) => e,
        Err(e) => return Err(e),
    };
    match client.stat(url.path()) {
        Ok(mut entry) if !entry.is_dir() => {
            url.path().clone_into(&mut entry.name);
            Ok(vec![entry])
        }
        _ => Err(refused),
    }
}

/// Why [`pump`] stopped short.
enum Pumped {
    /// The writer failed; the session was abandoned.
    WriteFailed(std::io::Error),
    /// The transfer failed, as the library reports it.
    TransferFailed(ftp_client::Error),
}

/// Copies a download into `out` and finishes it; returns the bytes copied.
/// A writer that fails (a reader that went away, a full disk) ends the
/// transfer and the session at once: this process is about to exit, so the
/// server's word on the cut-short transfer, which the library would wait
/// for to keep the session usable, is of no use.
fn pump(mut download: ftp_client::Download<'_>, out: &mut dyn Write) -> Result<u64, Pumped> {
    let mut buf = vec![0; PUMP_CHUNK];
    loop {
        let n = match download.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            // `finish` reports it, with the server's reply if it has one.
            Err(_) => break,
        };
        if let Err(e) = out.write_all(&buf[..n]) {
            download.abandon();
            return Err(Pumped::WriteFailed(e));
        }
    }
    download.finish().map_err(Pumped::TransferFailed)
}

fn mkdir(url: &FtpUrl, config: &Config, parents: bool) -> Result<(), Failure> {
    let path = directory_path("mkdir", url)?;
    let mut client = connect("mkdir", url, config)?;
    let made = if parents {
        make_directories(&mut client, path)
    } else {
        client.mkdir(path)
    };
    made.map_err(|e| Failure::failed(format!("mkdir {url}: {e}")))?;
    quit(client);
    Ok(())
}

/// `mkdir -p`: each directory of `path` that is not there yet, from the
/// top. A refused MKD is no failure when the directory exists (CWD into it
/// works, and the session changes back); otherwise its refusal is the
/// error.
fn make_directories(client: &mut Client, path: &[u8]) -> Result<(), ftp_client::Error> {
    client.mkdir_all(path)
}

fn rmdir(url: &FtpUrl, config: &Config) -> Result<(), Failure> {
    let path = directory_path("rmdir", url)?;
    let mut client = connect("rmdir", url, config)?;
    client
        .rmdir(path)
        .map_err(|e| Failure::failed(format!("rmdir {url}: {e}")))?;
    quit(client);
    Ok(())
}

fn rm(url: &FtpUrl, config: &Config) -> Result<(), Failure> {
    if url.is_directory() {
        return Err(Failure::usage(format!(
            "rm {url}: the URL names a directory; use rmdir for directories"
        )));
    }
    let mut client = connect("rm", url, config)?;
    client
        .delete(url.path())
        .map_err(|e| Failure::failed(format!("rm {url}: {e}")))?;
    quit(client);
    Ok(())
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
    match (location(op, src, login)?, location(op, dst, login)?) {
        (Location::Remote(src), Location::Local(dst)) => {
            crate::tree::download_tree(op, &src, &dst, config, options)
        }
        (Location::Local(src), Location::Remote(dst)) => {
            crate::tree::upload_tree(op, &src, &dst, config, options)
        }
        (Location::Remote(_), Location::Remote(_)) => Err(Failure::usage(format!(
            "{op}: both arguments are URLs; exactly one must be an ftp:// URL"
        ))),
        (Location::Local(_), Location::Local(_)) => Err(Failure::usage(format!(
            "{op}: neither argument is an ftp:// URL; exactly one must be"
        ))),
    }
}

/// What a single-file `cp` or `mv` does beside copying.
#[derive(Debug, Clone, Copy)]
struct Copy {
    /// `mv`: delete the source once the copy is confirmed.
    remove_source: bool,
    /// `--create-dirs`: make the missing directories of an upload's target.
    create_dirs: bool,
    /// `--verify`: check the copy against the server's digest (or size).
    verify: bool,
}

impl Copy {
    fn new(remove_source: bool, create_dirs: bool) -> Self {
        Copy {
            remove_source,
            create_dirs,
            verify: false,
        }
    }

    fn verifying(self, verify: bool) -> Self {
        Copy { verify, ..self }
    }
}

fn copy(op: &str, src: Location, dst: Location, config: &Config, how: Copy) -> Result<(), Failure> {
    let mut session = Session::new(config);
    match (src, dst) {
        (Location::Remote(src), Location::Local(dst)) => {
            if how.create_dirs {
                return Err(Failure::usage(format!(
                    "{op}: --create-dirs makes remote directories, for uploads"
                )));
            }
            download(op, &src, &dst, &mut session, how)?;
            session.quit();
            Ok(())
        }
        (Location::Local(src), Location::Remote(dst)) => {
            upload(op, &src, &dst, &mut session, how)?;
            session.quit();
            Ok(())
        }
        (Location::Remote(_), Location::Remote(_)) => Err(Failure::usage(format!(
            "{op}: both arguments are URLs; exactly one must be an ftp://, ftps:// or ftpes:// URL"
        ))),
        (Location::Local(_), Location::Local(_)) => Err(Failure::usage(format!(
            "{op}: neither argument is an ftp://, ftps:// or ftpes:// URL; exactly one must be"
        ))),
    }
}

/// Downloads `src` to `dst` through a temporary file beside it, renamed
/// into place only once the server confirmed the transfer; returns the
/// bytes received.
fn download(
    op: &str,
    src: &FtpUrl,
    dst: &Path,
    session: &mut Session<'_>,
    how: Copy,
) -> Result<u64, Failure> {
    let remove_source = how.remove_source;
    crate::interrupt::running(format!("{op} {src}"));
    let name = download_name(op, src)?;
    let unverifiable = || {
        Failure::usage(format!(
            "{op} {src}: --verify needs a regular file to download to"
        ))
    };
    if dst == Path::new("-") {
        if how.verify {
            return Err(unverifiable());
        }
        if remove_source {
            return Err(Failure::usage(format!(
                "{op}: cannot move to standard output; use cp"
            )));
        }
        let client = session.client(op, src)?;
        let mut out = std::io::stdout().lock();
        return fetch(op, src, client, Sink::Stream(&mut out));
    }
    let target = if dst.is_dir() || ends_with_separator(dst) {
        dst.join(&name)
    } else {
        dst.to_owned()
    };
    let shown = target.display();
    if target.is_dir() {
        return Err(Failure::failed(format!(
            "{op} {src}: {shown} is a directory"
        )));
    }
    // A device or pipe (/dev/null, a FIFO) is written in place: renaming a
    // temporary file over it would replace it.
    if fs::metadata(&target).is_ok_and(|m| !m.is_file()) {
        if how.verify {
            return Err(unverifiable());
        }
        if remove_source {
            return Err(Failure::usage(format!(
                "{op}: {shown} is not a regular file; use cp"
            )));
        }
        let mut out = fs::OpenOptions::new()
            .write(true)
            .open(&target)
            .map_err(|e| Failure::failed(format!("{op} {src}: cannot write to {shown}: {e}")))?;
        let client = session.client(op, src)?;
        return fetch(op, src, client, Sink::File(&mut out));
    }
    // The local side is checked before any byte is sent to the server.
    let prepared = FileDownload::new(src.path(), &target)
        .label(progress_label(src.file_name()))
        // The bar's total, when the 150 reply will not say it: SIZE,
        // asked only when a bar will show.
        .ask_size(crate::progress::enabled())
        .verify_size(remove_source)
        .verify(how.verify)
        .prepare()
        .map_err(|e| download_failure(op, src, &e))?;
    let registered = crate::interrupt::Registered::engine(prepared.partial_path());
    let client = session.client(op, src)?;
    let done = prepared
        .run(
            client,
            crate::progress::bar(),
            crate::cancellation::handle(),
        )
        .map_err(|e| download_failure(op, src, &e))?;
    registered.done();
    if let Some(verified) = &done.verified {
        eprintln!("ftp-cli: {op} {src}: {verified}");
    }
    if remove_source {
        client.delete(src.path()).map_err(|e| {
            Failure::failed(format!(
                "{op} {src}: copied to {shown}, but could not delete the source: {e}"
            ))
        })?;
    }
    Ok(done.received)
}

/// The one line for a download that failed (not resumed).
fn download_failure(op: &str, src: &FtpUrl, error: &DownloadError) -> Failure {
    match error {
        DownloadError::Transfer(e) => Failure::caused_by(format!("{op} {src}: {e}"), e),
        DownloadError::SizeMismatch { total, size } => Failure::failed(format!(
            "{op} {src}: transferred {total} bytes but the server reports {size}; source kept"
        )),
        _ => Failure::failed(format!("{op} {src}: {error}")),
    }
}

/// Where a download goes.
enum Sink<'a> {
    /// A file or device: the kernel moves the data into it (splice).
    File(&'a mut File),
    /// Anything else, standard output included.
    Stream(&'a mut dyn Write),
}

/// Downloads `src` into `out`; checks the final reply and, where the server
/// announced a size in its 150 reply, that it all arrived.
fn fetch(op: &str, src: &FtpUrl, client: &mut Client, out: Sink<'_>) -> Result<u64, Failure> {
    let remote_failure = |e: ftp_client::Error| Failure::caused_by(format!("{op} {src}: {e}"), &e);
    // The bar's total, when the 150 reply will not say it: SIZE, asked
    // only when a bar will show.
    let size = if crate::progress::enabled() {
        client.size(src.path()).ok()
    } else {
        None
    };
    let mut download = client.retrieve_stream(src.path()).map_err(remote_failure)?;
    let announced = download.size_hint();
    let shown = crate::progress::Shown::single(
        Transfer::new(
            progress_label(src.file_name()),
            Direction::Download,
            announced.or(size),
            0,
            download.counter(),
        ),
        download.canceller(),
    );
    let received = match out {
        Sink::File(file) => {
            download.copy_to_file(file).map_err(remote_failure)?;
            download.finish().map_err(remote_failure)?
        }
        Sink::Stream(out) => {
            let received = match pump(download, out) {
                Ok(received) => received,
                Err(Pumped::WriteFailed(e)) => {
                    return Err(Failure::failed(format!(
                        "{op} {src}: writing the download: {e}"
                    )));
                }
                Err(Pumped::TransferFailed(e)) => return Err(remote_failure(e)),
            };
            out.flush()
                .map_err(|e| Failure::failed(format!("{op} {src}: writing the download: {e}")))?;
            received
        }
    };
    shown.done();
    if let Some(announced) = announced.filter(|&n| n != received) {
        return Err(Failure::failed(format!(
            "{op} {src}: received {received} bytes but the server announced {announced}"
        )));
    }
    Ok(received)
}

/// Uploads `src` to `dst`: straight to its name when no file is there, and
/// otherwise under a temporary name in the same directory, renamed over
/// the old file only once the server confirmed the transfer. A `dst` that
/// names an existing remote directory, with or without its trailing '/',
/// gets the source's file name added. `-` is standard input
/// ([`upload_stdin`]). Returns the bytes sent.
fn upload(
    op: &str,
    src: &Path,
    dst: &FtpUrl,
    session: &mut Session<'_>,
    how: Copy,
) -> Result<u64, Failure> {
    if src == Path::new(STDIN) {
        return upload_stdin(op, dst, session, how);
    }
    let shown = src.display();
    crate::interrupt::running(format!("{op} {shown}"));
    let name = src.file_name().unwrap_or_default();
    let target = if dst.is_directory() {
        in_directory(op, dst, name)?
    } else {
        dst.clone()
    };
    // The local side is checked before any byte is sent to the server.
    let prepared = FileUpload::new(src, target.path())
        .label(progress_label(target.file_name()))
        .verify_size(how.remove_source)
        .verify(how.verify)
        .prepare()
        .map_err(|e| match e {
            UploadError::NoName { .. } => Failure::usage(format!("{op} {e}")),
            _ => Failure::failed(format!("{op} {e}")),
        })?;
    let client = session.client(op, &target)?;
    if how.create_dirs {
        make_parents(op, client, &target)?;
    }
    let done = prepared
        .run(
            client,
            crate::progress::bar(),
            crate::cancellation::handle(),
        )
        .map_err(|e| upload_failure(op, src, &target, &e))?;
    if let Some(verified) = &done.verified {
        eprintln!("ftp-cli: {op} {target}: {verified}");
    }
    if how.remove_source {
        fs::remove_file(src).map_err(|e| {
            Failure::failed(format!(
                "{op} {shown}: copied to {target}, but could not delete the source: {e}"
            ))
        })?;
    }
    Ok(done.sent)
}

/// `--create-dirs`: the missing directories of `target`'s path.
fn make_parents(op: &str, client: &mut Client, target: &FtpUrl) -> Result<(), Failure> {
    let path = target.path();
    let parent = &path[..path.iter().rposition(|&b| b == b'/').unwrap_or(0)];
    if parent.is_empty() {
        return Ok(());
    }
    make_directories(client, parent)
        .map_err(|e| Failure::caused_by(format!("{op} {target}: {e}"), &e))
}

/// The one line for an upload that failed (not resumed); after a signal,
/// what became of the server's copy goes to the interruption's message.
fn upload_failure(op: &str, src: &Path, target: &FtpUrl, error: &UploadError) -> Failure {
    if let UploadError::Transfer { leftover, .. } = error {
        note_leftover(leftover);
    }
    match error {
        UploadError::Transfer { error: e, .. }
        | UploadError::Rename {
            error: e,
            leftover: Leftover::Deleted(_) | Leftover::Nothing,
        } => Failure::caused_by(format!("{op} {target}: {e}"), e),
        UploadError::Rename {
            error: e,
            leftover: Leftover::Stays(path, _) | Leftover::Kept(path),
        } => Failure::failed(format!(
            "{op} {target}: {e}; the upload stays on the server as {}, \
             which it refused to delete",
            String::from_utf8_lossy(path)
        )),
        UploadError::Changed { .. } | UploadError::Cancelled => {
            Failure::failed(format!("{op} {}: {error}", src.display()))
        }
        UploadError::SizeMismatch { .. } => {
            Failure::failed(format!("{op} {target}: {error}; source kept"))
        }
        UploadError::Digest { leftover, .. } | UploadError::DigestRange { leftover, .. } => {
            let fate = match leftover {
                Leftover::Deleted(_) | Leftover::Nothing => "the upload was deleted".to_owned(),
                Leftover::Stays(path, _) | Leftover::Kept(path) => format!(
                    "the upload stays on the server as {}, which it refused to delete",
                    String::from_utf8_lossy(path)
                ),
            };
            Failure::failed(format!("{op} {target}: {error}; {fate}; source kept"))
        }
        _ => Failure::failed(format!("{op} {target}: {error}")),
    }
}

/// `cp - URL`: standard input streamed to the server, as `curl -T -` does.
/// There is no size to check and nothing to resume or retry. A new file
/// goes straight to its name (its partial file deleted if the stream
/// fails, where the server allows); an existing file is replaced only by a
/// complete upload, sent to a temporary name and renamed over it, as for
/// a file.
fn upload_stdin(
    op: &str,
    dst: &FtpUrl,
    session: &mut Session<'_>,
    how: Copy,
) -> Result<u64, Failure> {
    if how.remove_source {
        return Err(Failure::usage(format!(
            "{op}: cannot move standard input; use cp"
        )));
    }
    if dst.is_directory() {
        return Err(Failure::usage(format!(
            "{op} - {dst}: standard input has no name; give the file's name in the URL"
        )));
    }
    crate::interrupt::running(format!("{op} - {dst}"));
    let prepared = FileUpload::new(STDIN, dst.path())
        .label(progress_label(Some(dst.path())))
        .verify(how.verify)
        .from_reader(std::io::stdin());
    let client = session.client(op, dst)?;
    if how.create_dirs {
        make_parents(op, client, dst)?;
    }
    let done = prepared.run(
        client,
        crate::progress::bar(),
        crate::cancellation::handle(),
    );
    match done {
        Ok(done) => {
            if let Some(verified) = &done.verified {
                eprintln!("ftp-cli: {op} - {dst}: {verified}");
            }
            Ok(done.sent)
        }
        Err(UploadError::RemoteDirectory { .. }) => Err(Failure::usage(format!(
            "{op} - {dst}: is a directory on the server; give the file's name in the URL"
        ))),
        // The stream itself failed (the probe's failures have nothing left
        // over).
        Err(UploadError::Transfer { error, leftover })
            if !matches!(leftover, Leftover::Nothing) =>
        {
            note_leftover(&leftover);
            Err(Failure::caused_by(format!("{op} - {dst}: {error}"), &error))
        }
        Err(e) => Err(upload_failure(op, Path::new(STDIN), dst, &e)),
    }
}

/// `dir` (a directory URL) with `name` added.
fn in_directory(op: &str, dir: &FtpUrl, name: &std::ffi::OsStr) -> Result<FtpUrl, Failure> {
    let mut path = dir.path().to_vec();
    path.extend_from_slice(os_bytes(name).as_ref());
    dir.with_path(&path)
        .map_err(|e| Failure::usage(format!("{op} {dir}: {e}")))
}

/// Writes a generated text (a completion script, the manual page) to
/// standard output; a reader that stops early (`| head`) is no failure.
fn print_generated(op: &str, text: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::failed(format!("{op}: writing: {e}")))
        }
        _ => Ok(()),
    }
}

/// A directory URL's path without its trailing slash.
fn directory_path<'u>(op: &str, url: &'u FtpUrl) -> Result<&'u [u8], Failure> {
    let path = url.path();
    let trimmed = path.strip_suffix(b"/").unwrap_or(path);
    if trimmed.is_empty() {
        return Err(Failure::usage(format!(
            "{op} {url}: the URL names no directory"
        )));
    }
    Ok(trimmed)
}
