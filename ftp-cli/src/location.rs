//! Where a copy reads and writes: the user's arguments as local paths or
//! URLs, and the names that pass between the two sides.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use ftp_client::FtpUrl;

use crate::credentials::{
    self, LoginError, LoginOptions, PASSWORD_VARIABLE, Sources, terminal_prompt,
};
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
            let sources = Sources {
                options: login,
                env_password: std::env::var(PASSWORD_VARIABLE)
                    .ok()
                    .filter(|p| !p.is_empty()),
                prompt: &terminal_prompt,
                warn: &|warning| eprintln!("ftp-cli: {warning}"),
            };
            credentials::resolve(&url, &sources)
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

pub(crate) fn ends_with_separator(path: &Path) -> bool {
    path.as_os_str()
        .to_string_lossy()
        .ends_with(std::path::MAIN_SEPARATOR)
        || path.as_os_str().to_string_lossy().ends_with('/')
}

/// The local name a download of `src` takes: its last path component,
/// unless that names a directory or would not be one safe local name.
pub(crate) fn download_name(op: &str, src: &FtpUrl) -> Result<OsString, Failure> {
    let Some(name) = src.file_name() else {
        return Err(Failure::usage(format!(
            "{op} {src}: the URL names a directory; give a file"
        )));
    };
    local_file_name(name).ok_or_else(|| {
        Failure::failed(format!(
            "{op} {src}: the remote name is not a valid local file name"
        ))
    })
}

/// A remote file name as a local one; `None` for names that would escape
/// the destination directory.
pub(crate) fn local_file_name(name: &[u8]) -> Option<OsString> {
    if name.is_empty()
        || name == b"."
        || name == b".."
        || name.contains(&b'/')
        || name.contains(&b'\\')
    {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Some(std::ffi::OsStr::from_bytes(name).to_owned())
    }
    #[cfg(not(unix))]
    {
        String::from_utf8(name.to_vec()).ok().map(OsString::from)
    }
}

/// A local file name's bytes, as sent to the server.
pub(crate) fn os_bytes(name: &std::ffi::OsStr) -> std::borrow::Cow<'_, [u8]> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::borrow::Cow::Borrowed(name.as_bytes())
    }
    #[cfg(not(unix))]
    {
        std::borrow::Cow::Owned(name.to_string_lossy().into_owned().into_bytes())
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
