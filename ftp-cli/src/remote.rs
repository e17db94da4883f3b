//! The small steps on a server that several operations share: connecting
//! (and whether two URLs can share a session) and leaving, the rename
//! check, and cleaning up after a failed upload.

use std::fs;
use std::path::Path;

use ftp_client::engine::{Leftover, rename_refusal};
use ftp_client::{Client, Config, FtpUrl, RenameCheck};

use crate::failure::Failure;

/// Connects and logs in to `url`'s server; the failure names `op` and the URL.
pub(crate) fn connect(op: &str, url: &FtpUrl, config: &Config) -> Result<Client, Failure> {
    let config = crate::proxy::for_host(config, url.host()).into_owned();
    Client::connect_url(url, config).map_err(|e| Failure::caused_by(format!("{op} {url}: {e}"), &e))
}

/// Whether two URLs reach the same server with the same login: one
/// session serves both.
pub(crate) fn same_server(a: &FtpUrl, b: &FtpUrl) -> bool {
    a.tls() == b.tls()
        && a.host().eq_ignore_ascii_case(b.host())
        && a.port() == b.port()
        && a.user() == b.user()
        && a.password() == b.password()
}

/// Ends the session politely; the operation already succeeded, so a
/// failing QUIT changes nothing.
pub(crate) fn quit(client: Client) {
    let _ = client.quit();
}

/// Deletes what a failed upload left at `path`, best effort; after a
/// signal within a second, and saying for the interruption's message
/// whether it went.
pub(crate) fn delete_partial_upload(client: &mut Client, path: &[u8]) {
    let interrupted = crate::interrupt::signalled().is_some();
    if interrupted {
        client.set_control_timeout(std::time::Duration::from_millis(900));
    }
    let deleted = client.delete(path);
    if interrupted {
        let shown = String::from_utf8_lossy(path);
        crate::interrupt::remote_note(match deleted {
            Ok(()) => format!("the partial upload {shown} was deleted from the server"),
            Err(e) => format!("the partial upload {shown} could not be deleted: {e}"),
        });
    }
}

/// For `cp -r`, where the listing already said the file exists: whether
/// the server will let it be renamed, so that a replacement uploaded under
/// a temporary name can be renamed over it. The listing's `perm` fact
/// (RFC 3659 7.5.5: `f`, rename allowed) answers when given; otherwise the
/// session's rename check asks, as in [`upload_target`].
pub(crate) fn check_rename_allowed(
    client: &mut Client,
    path: &[u8],
    known_perm: Option<&str>,
) -> Result<(), String> {
    if let Some(perm) = known_perm {
        return if perm.contains(['f', 'F']) {
            Ok(())
        } else {
            Err(format!(
                "its MLST permissions {perm:?} do not include renaming (f)"
            ))
        };
    }
    match client.check_rename(path).map_err(|e| e.to_string())? {
        RenameCheck::Allowed => Ok(()),
        RenameCheck::Refused(reply) => Err(rename_refusal(path, &reply)),
    }
}

/// After a signal: whether the partial upload was deleted, for the
/// interruption's message.
pub(crate) fn note_leftover(leftover: &Leftover) {
    if crate::interrupt::signalled().is_none() {
        return;
    }
    match leftover {
        Leftover::Deleted(path) => crate::interrupt::remote_note(format!(
            "the partial upload {} was deleted from the server",
            String::from_utf8_lossy(path)
        )),
        Leftover::Stays(path, e) => crate::interrupt::remote_note(format!(
            "the partial upload {} could not be deleted: {e}",
            String::from_utf8_lossy(path)
        )),
        Leftover::Nothing | Leftover::Kept(_) => {}
    }
}

/// The mode a new download gets: the existing file's, or the usual
/// `rw-r--r--` rather than the temporary file's private mode.
pub(crate) fn permissions_for(target: &Path) -> Option<fs::Permissions> {
    if let Ok(existing) = fs::metadata(target) {
        return Some(existing.permissions());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(fs::Permissions::from_mode(0o644))
    }
    #[cfg(not(unix))]
    {
        None
    }
}
