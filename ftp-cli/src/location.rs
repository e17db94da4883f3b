//! Where a copy reads and writes: the user's arguments as local paths or
//! URLs, and the names that pass between the two sides.

use std::path::PathBuf;

use ftp_client::FtpUrl;

use crate::credentials::{LoginError, LoginOptions};
use crate::failure::Failure;

/// Either side of a copy.
#[derive(Debug, Clone)]
pub(crate) enum Location {
    Remote(FtpUrl),
    Local(PathBuf),
}

/// `-` as the source of an upload: standard input.
pub(crate) const STDIN: &str = "-";

/// An argument that must be an ftp:// URL.
pub(crate) fn remote_url(op: &str, arg: &str, login: &LoginOptions) -> Result<FtpUrl, Failure> {
    match location(op, arg, login)? {
        Location::Remote(url) => Ok(url),
        Location::Local(_) => Err(Failure::usage(format!(
            "{op}: {arg:?} is not an ftp://, ftps:// or ftpes:// URL"
        ))),
    }
}

/// A URL if the argument has a scheme (`SCHEME://`, however malformed:
/// the URL parser then says what is wrong), with the login the
/// [credentials](crate::credentials) give; otherwise a local path.
pub(crate) fn location(op: &str, arg: &str, login: &LoginOptions) -> Result<Location, Failure> {
    let scheme = arg
        .split_once("://")
        .map(|(scheme, _)| scheme)
        .filter(|s| !s.contains('/'));
    match scheme {
        Some(_) => {
            let url = FtpUrl::parse(arg).map_err(|e| Failure::usage(format!("{op}: {e}")))?;
            login
                .resolve(&url)
                .map(Location::Remote)
                .map_err(|e| match e {
                    LoginError::Prompt(_) => Failure::failed(format!("{op} {url}: {e}")),
                    _ => Failure::usage(format!("{op} {url}: {e}")),
                })
        }
        None if arg.is_empty() => Err(Failure::usage(format!("{op}: empty path"))),
        None => Ok(Location::Local(PathBuf::from(arg))),
    }
}

/// A file name for the progress bar: the last path component, control
/// characters escaped, at most 24 characters.
pub(crate) fn progress_label(path: Option<&[u8]>) -> String {
    let path = path.unwrap_or_default();
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or(path);
    let name = crate::format::escape_name(name);
    if name.chars().count() > 24 {
        let head: String = name.chars().take(23).collect();
        format!("{head}~")
    } else {
        name
    }
}
