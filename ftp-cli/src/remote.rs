//! The small steps on a server that several operations share: connecting
//! (and whether two URLs can share a session) and leaving, and what
//! became of a failed upload.

use ftp_client::engine::Leftover;
use ftp_client::engine::copy::Session;
use ftp_client::{Client, Config, FtpUrl};

use crate::failure::Failure;

/// Connects and logs in to `url`'s server; the failure names `op` and the URL.
pub(crate) fn connect(op: &str, url: &FtpUrl, config: &Config) -> Result<Client, Failure> {
    let config = crate::proxy::for_host(config, url.host());
    Client::connect_url(url, config).map_err(|e| Failure::failed(format!("{op} {url}: {e}")))
}

/// The session of a run over several files: through the proxy unless
/// `--noproxy` names the host, opened again when a failure ended it.
pub(crate) fn session(config: &Config) -> Session<'_> {
    Session::with_connect(move |url: &FtpUrl| {
        Client::connect_url(url, crate::proxy::for_host(config, url.host()))
    })
}

/// Ends the session politely; the operation already succeeded, so a
/// failing QUIT changes nothing.
pub(crate) fn quit(client: Client) {
    let _ = client.quit();
}

/// After a signal: whether the partial upload was deleted, for the
/// interruption's message.
pub(crate) fn note_leftover(leftover: &Leftover) {
    if crate::interrupt::signalled().is_some() {
        if let Some(note) = leftover.note() {
            crate::interrupt::remote_note(note);
        }
    }
}
