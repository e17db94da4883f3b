//! `cp`/`mv` of several sources into one directory, over one session: the
//! engine's [`FileCopy::several`](ftp_client::engine::copy::FileCopy::several),
//! each file's failure one line and the summary last.

use super::{CopyArgs, copy_file, endpoint, file_copy};
use crate::credentials::LoginOptions;
use crate::failure::Failure;
use crate::location::{STDIN, location};
use crate::remote::session;
use ftp_client::Config;
use ftp_client::engine::copy::Endpoint;

/// `cp`/`mv` of several sources into the directory `dst`. A file that
/// fails is reported and the rest goes on; the summary of the recursive
/// commands ends the run.
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
        .map(|src| location(op, src, login).map(endpoint))
        .collect::<Result<Vec<_>, _>>()?;
    let dst = match dst {
        crate::location::Location::Local(path) => Endpoint::Local(path),
        remote => endpoint(remote),
    };
    let copies = file_copy(args, Endpoint::Stdio, Endpoint::Stdio)
        .several(&sources, &dst)
        .map_err(|e| Failure::usage(format!("{op}: {e}")))?;
    let mut summary = crate::tree::Summary::new(op);
    let mut session = session(config);
    for copy in &copies {
        summary.record(copy_file(op, copy, &mut session, false));
    }
    session.quit();
    summary.finish()
}
