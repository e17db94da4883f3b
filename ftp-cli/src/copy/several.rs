//! `cp`/`mv` of several sources into one directory, over one session.

use std::path::{Path, PathBuf};

use ftp_client::engine::RetryPolicy;
use ftp_client::engine::copy::{Endpoint, same_server};
use ftp_client::{Config, FtpUrl};

use super::{CopyArgs, copy_file, file_copy};
use crate::credentials::LoginOptions;
use crate::failure::Failure;
use crate::location::{Location, STDIN, location};
use crate::remote::session;

/// `cp`/`mv` of several sources into the directory `dst`, all over one
/// session: a remote directory URL ending in '/' for local sources, an
/// existing local directory for remote ones, which must then share one
/// server and login; or remote ones into a remote directory URL ending in
/// '/', each streamed between two sessions (renamed, for `mv` on one
/// login). A file that fails is reported and the rest goes on;
/// the summary of the recursive commands ends the run. A file that fails
/// in a way that may pass is tried once more, at once and in a new
/// session: a session can wear out where a new one would not (a server
/// that refuses every data connection after a while with 425).
pub(super) fn copy_several(
    args: &CopyArgs,
    config: &Config,
    login: &LoginOptions,
) -> Result<(), Failure> {
    let op = args.op;
    if args.resume {
        return Err(Failure::usage(format!(
            "{op}: -C takes one source; resume each file in its own run"
        )));
    }
    if args.src.iter().any(|src| src == STDIN) {
        return Err(Failure::usage(format!(
            "{op}: '-' (standard input) is one file; give it as the only source"
        )));
    }
    let dst = location(op, &args.dst, login)?;
    let sources = args
        .src
        .iter()
        .map(|src| location(op, src, login))
        .collect::<Result<Vec<_>, _>>()?;
    let pairs: Vec<(Endpoint, Endpoint)> = match &dst {
        // Remote files into a remote directory: each streamed between two
        // sessions (renamed, for mv on one login).
        Location::Remote(dir) if sources.iter().all(|s| matches!(s, Location::Remote(_))) => {
            if !dir.is_directory() {
                return Err(Failure::usage(format!(
                    "{op}: with several sources, DST must be a directory: {dir} does not end with '/'"
                )));
            }
            sources
                .iter()
                .filter_map(|src| match src {
                    Location::Remote(url) => {
                        Some((Endpoint::Remote(url.clone()), Endpoint::Remote(dir.clone())))
                    }
                    Location::Local(_) => None,
                })
                .collect()
        }
        Location::Remote(dir) => local_sources(op, &sources, dir)?
            .into_iter()
            .map(|file| (Endpoint::Local(file.clone()), Endpoint::Remote(dir.clone())))
            .collect(),
        Location::Local(dir) => remote_sources(op, &sources, dir)?
            .into_iter()
            .map(|url| (Endpoint::Remote(url.clone()), Endpoint::Local(dir.clone())))
            .collect(),
    };
    let once_more = RetryPolicy::new(1).with_delay(std::time::Duration::ZERO);
    let mut summary = crate::tree::Summary::new(op);
    let mut session = session(config);
    for (src, dst) in pairs {
        let copy = file_copy(args, src, dst)
            .retry(once_more)
            .retry_continues(false)
            .describe("copy");
        summary.record(copy_file(op, &copy, &mut session, false));
    }
    session.quit();
    summary.finish()
}

/// The local files of several uploaded into the remote directory `dir`.
fn local_sources<'s>(
    op: &str,
    sources: &'s [Location],
    dir: &FtpUrl,
) -> Result<Vec<&'s PathBuf>, Failure> {
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
