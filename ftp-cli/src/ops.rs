//! One function per operation, each taking validated arguments.

use std::fmt;
use std::io::Write;

use ftp_client::engine::RetryPolicy;
use ftp_client::engine::copy::{Drained, drain};
use ftp_client::{Config, FtpUrl};

use clap::CommandFactory;

use crate::cli::{Cli, Operation};
use crate::copy::CopyArgs;
use crate::credentials::LoginOptions;
use crate::failure::Failure;
use crate::lines::UnixLines;
use crate::location::remote_url;
use crate::remote::{connect, quit};

/// Runs one operation; a single-file `cp` or `mv` is retried as `retry`
/// says (with `verbose`, one line on stderr per retry).
pub fn run(
    operation: Operation,
    config: &Config,
    login: &LoginOptions,
    retry: &RetryPolicy,
    verbose: bool,
) -> Result<(), Failure> {
    let operation = match CopyArgs::of(operation) {
        Ok(args) => return crate::copy::run(args, config, login, retry, verbose),
        Err(other) => other,
    };
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
        Operation::Hash { algo, urls } => crate::hash::run(algo, &urls, config, login),
        Operation::Sync(args) => crate::sync::run(*args, config, login),
        Operation::Completions { shell } => completions(shell),
        Operation::Man => man(),
        // Taken by `CopyArgs::of`.
        Operation::Cp { .. } | Operation::Mv { .. } => Ok(()),
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

fn ls(url: &FtpUrl, config: &Config) -> Result<(), Failure> {
    let failed = |e: &dyn fmt::Display| Failure::failed(format!("ls {url}: {e}"));
    let mut client = connect("ls", url, config)?;
    let download = client.list_stream(url.path()).map_err(|e| failed(&e))?;
    // Buffered: a listing arrives in pieces that need not end at lines.
    let mut out = UnixLines::new(std::io::BufWriter::new(std::io::stdout().lock()));
    match drain(download, &mut out) {
        Ok(_) => {}
        // The reader went away (`ftp-cli ls … | head`): it has what it
        // wanted.
        Err(Drained::Write(_)) if out.is_closed() => return Ok(()),
        Err(Drained::Write(e)) => return Err(failed(&format!("writing the listing: {e}"))),
        Err(e) => return Err(failed(&e)),
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
    let entries = ftp_client::engine::list_url(&mut client, url).map_err(|e| failed(&e))?;
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

fn mkdir(url: &FtpUrl, config: &Config, parents: bool) -> Result<(), Failure> {
    let path = directory_path("mkdir", url)?;
    let mut client = connect("mkdir", url, config)?;
    let made = if parents {
        client.mkdir_all(path)
    } else {
        client.mkdir(path)
    };
    made.map_err(|e| Failure::failed(format!("mkdir {url}: {e}")))?;
    quit(client);
    Ok(())
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
