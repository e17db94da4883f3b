//! [`FileCopy`]: one file copied between the local side and a server,
//! either way, the way a command-line tool's `cp`/`mv` does it: the
//! destination resolved ("a directory → the file's name inside it"),
//! missing remote directories made, the transfer retried as a
//! [`RetryPolicy`] allows (a retried download continuing its partial
//! file), verified, resumed, and the source deleted once the copy is
//! confirmed (a move).
//!
//! The transfers themselves are [`FileDownload`](super::FileDownload) and
//! [`FileUpload`](super::FileUpload); this module adds the orchestration
//! around them. A [`Session`] holds the connection, opened on first use,
//! reused by the next file to the same server, and opened again after a
//! failure ended it.

// A copy's failure carries its context (the URL, the paths, the server's
// reply): it is large, and rare next to the transfer it ends.
#![allow(clippy::result_large_err)]

mod between;
mod error;
mod get;
mod message;
mod put;
mod several;
mod tree_between;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub use between::RelayError;
pub use error::CopyError;
pub use get::{Drained, drain};
pub use message::CopyMessage;
pub use several::SeveralError;

use super::{Cancel, Progress, RetryPolicy, Verified};
use crate::{Client, Config, Error, FtpUrl};

/// One side of a [`FileCopy`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A local path: a file, a directory to copy into, or a device or
    /// pipe (written in place).
    Local(PathBuf),
    /// A file on a server, or (the path ending in `/`, or naming an
    /// existing directory on upload) a directory to copy into.
    Remote(FtpUrl),
    /// The process's standard input (as a source) or output (as a
    /// destination): streamed, once.
    Stdio,
}

/// What a [`FileCopy`] did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Copied {
    /// The bytes transferred.
    pub bytes: u64,
    /// Where the file went (the destination resolved: a directory's path
    /// with the name added).
    pub target: Endpoint,
    /// What the copy was checked against ([`FileCopy::verify`]).
    pub verified: Option<Verified>,
}

/// Opens a session to a URL's server, logged in.
type ConnectTo<'a> = dyn Fn(&FtpUrl) -> Result<Client, Error> + Sync + 'a;

/// The connection a [`FileCopy`] (or several, one after the other) runs
/// over: opened on first use, reused while it lasts, opened again when a
/// failure ended it.
pub struct Session<'a> {
    connect: Box<ConnectTo<'a>>,
    client: Option<Client>,
    /// The URL the client was opened for.
    opened_for: Option<FtpUrl>,
    /// A copy between two remote sides: the destination's connection, and
    /// the URL it was opened for.
    peer: Option<(FtpUrl, Client)>,
}

impl std::fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("open", &self.client.is_some())
            .finish()
    }
}

impl<'a> Session<'a> {
    /// A session that connects with [`Client::connect_url`] and `config`.
    pub fn new(config: Config) -> Self {
        Session::with_connect(move |url| Client::connect_url(url, config.clone()))
    }

    /// A session that connects with `connect` (a proxy chosen per host,
    /// say); a [`FileCopy::segments`] download calls it from several
    /// threads, one more session per range.
    pub fn with_connect(connect: impl Fn(&FtpUrl) -> Result<Client, Error> + Sync + 'a) -> Self {
        Session {
            connect: Box::new(connect),
            client: None,
            opened_for: None,
            peer: None,
        }
    }

    /// The client, connected to `url`'s server (and logged in) if it was
    /// not yet, or no longer, or was opened for another server or login.
    pub fn client(&mut self, url: &FtpUrl) -> Result<&mut Client, Error> {
        let same = self
            .opened_for
            .as_ref()
            .is_some_and(|o| same_server(o, url));
        match &mut self.client {
            Some(client) if !client.is_closed() && same => {}
            slot => {
                if let Some(old) = slot.take() {
                    let _ = old.quit();
                }
                *slot = Some((self.connect)(url)?);
                self.opened_for = Some(url.clone());
            }
        }
        self.client.as_mut().ok_or(Error::Closed { reply: None })
    }

    /// Both sides of a copy between two remote sides: the session's
    /// client for `src` ([`Session::client`]) and a second connection for
    /// `dst`, opened on first use (again when it ended, or when `dst` is
    /// on another server or login than it was opened for). A failure names
    /// the URL whose connection failed.
    pub fn pair(
        &mut self,
        src: &FtpUrl,
        dst: &FtpUrl,
    ) -> Result<(&mut Client, &mut Client), (FtpUrl, Error)> {
        self.client(src).map_err(|e| (src.clone(), e))?;
        match &self.peer {
            Some((url, client)) if same_server(url, dst) && !client.is_closed() => {}
            _ => {
                if let Some((_, old)) = self.peer.take() {
                    let _ = old.quit();
                }
                let client = (self.connect)(dst).map_err(|e| (dst.clone(), e))?;
                self.peer = Some((dst.clone(), client));
            }
        }
        match (self.client.as_mut(), self.peer.as_mut()) {
            (Some(from), Some((_, to))) => Ok((from, to)),
            _ => Err((src.clone(), Error::Closed { reply: None })),
        }
    }

    /// Leaves the session (QUIT, not waiting long for the answer); the
    /// next [`Session::client`] opens a new one.
    pub fn reset(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = client.quit();
        }
        if let Some((_, client)) = self.peer.take() {
            let _ = client.quit();
        }
    }

    /// Ends the session politely, if one was opened.
    pub fn quit(mut self) {
        self.reset();
    }
}

/// Whether two URLs reach the same server with the same login, so that
/// one [`Session`] serves both.
pub fn same_server(a: &FtpUrl, b: &FtpUrl) -> bool {
    a.tls() == b.tls()
        && a.host().eq_ignore_ascii_case(b.host())
        && a.port() == b.port()
        && a.user() == b.user()
        && a.password() == b.password()
}

/// A copy of one file between the local side and a server, or between
/// two servers (or two logins of one).
///
/// - **Download** ([`Endpoint::Remote`] to [`Endpoint::Local`]): to the
///   path, or into it if it is a directory (or ends with a separator),
///   under the remote file's name; through a temporary file renamed into
///   place once the server confirmed it. A device or pipe is written in
///   place; [`Endpoint::Stdio`] is standard output.
/// - **Upload** ([`Endpoint::Local`] to [`Endpoint::Remote`]): to the URL,
///   or into it (a directory URL, or an existing directory) under the
///   local file's name; straight to a new name, or by temporary name and
///   rename over a file there ([`FileUpload`](super::FileUpload)).
///   [`Endpoint::Stdio`] is standard input, sent once and never retried.
/// - [`FileCopy::resume`] continues the partial file `.NAME.part` beside
///   the destination that an earlier, failed run left, and keeps it when
///   this one fails.
/// - [`FileCopy::retry`]: a failure that may pass is tried again, in a new
///   session; a retried download continues what the failed attempt
///   received (through `.NAME.part`, removed when no attempt is left).
/// - [`FileCopy::remove_source`] makes it a move: the source is deleted
///   once the copy is confirmed (its size checked).
/// - **Both sides remote** ([`Endpoint::Remote`] to [`Endpoint::Remote`]):
///   a move on one server and login is a rename (RNFR/RNTO: atomic, any
///   size; a directory too with [`FileCopy::recursive`], never into
///   itself). Anything else streams the source's download into the
///   destination's upload over a second connection
///   ([`Session::pair`]), never through a local file, with the upload's
///   rules (a new name straight, an existing file through a temporary
///   name renamed over it); the source's transfer is confirmed (its final
///   reply, and its length against what the server announced) before the
///   upload is, so a cut-short source never replaces a file. A move
///   deletes the source only after the destination confirmed. See
///   [`RelayError`].
///
/// Every temporary or partial file is removed on failure or cancellation
/// (a resumable one kept), and reported to the [`Progress`] as
/// [`Planned::Temporary`](super::Planned::Temporary) while it lives, for
/// a caller that must remove it should the process be killed.
///
/// ```no_run
/// use ftp_client::engine::copy::{Endpoint, FileCopy, Session};
/// use ftp_client::engine::{Cancel, RetryPolicy};
/// use ftp_client::{Config, FtpUrl};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let url = FtpUrl::parse("ftp://demo:password@127.0.0.1:2121/reports/2026.pdf")?;
/// let mut session = Session::new(Config::default());
/// let done = FileCopy::new(Endpoint::Remote(url), Endpoint::Local("downloads/".into()))
///     .retry(RetryPolicy::new(3))
///     .run(&mut session, &(), &Cancel::new())?;
/// println!("{} bytes to {:?}", done.bytes, done.target);
/// session.quit();
/// # Ok(())
/// # }
/// ```
///
/// Between two servers (or logins), and a rename on one:
///
/// ```no_run
/// use ftp_client::engine::copy::{Endpoint, FileCopy, Session};
/// use ftp_client::engine::Cancel;
/// use ftp_client::{Config, FtpUrl};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let src = FtpUrl::parse("ftp://demo:password@10.0.0.1/reports/2026.pdf")?;
/// let dst = FtpUrl::parse("ftp://backup:secret@10.0.0.2/archive/")?;
/// let mut session = Session::new(Config::default());
/// // Streamed from one server into the other, never through a local file.
/// let done = FileCopy::new(Endpoint::Remote(src.clone()), Endpoint::Remote(dst))
///     .run(&mut session, &(), &Cancel::new())?;
/// println!("{} bytes to {:?}", done.bytes, done.target);
/// // Same server, same login: RNFR/RNTO, a directory too.
/// let old = FtpUrl::parse("ftp://demo:password@10.0.0.1/reports/")?;
/// let new = FtpUrl::parse("ftp://demo:password@10.0.0.1/reports-2026")?;
/// FileCopy::new(Endpoint::Remote(old), Endpoint::Remote(new))
///     .remove_source(true)
///     .recursive(true)
///     .run(&mut session, &(), &Cancel::new())?;
/// session.quit();
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct FileCopy {
    src: Endpoint,
    dst: Endpoint,
    remove_source: bool,
    recursive: bool,
    create_dirs: bool,
    verify: bool,
    resume: bool,
    ask_size: bool,
    retry: RetryPolicy,
    retry_continues: bool,
    what: String,
    label: fn(&[u8]) -> String,
    limits: crate::RateLimits,
    segments: usize,
}

/// The default progress label: the remote path's last component.
fn last_component(path: &[u8]) -> String {
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or(path);
    String::from_utf8_lossy(name).into_owned()
}

impl FileCopy {
    /// A copy of `src` to `dst`, tried once.
    pub fn new(src: Endpoint, dst: Endpoint) -> Self {
        FileCopy {
            src,
            dst,
            remove_source: false,
            recursive: false,
            create_dirs: false,
            verify: false,
            resume: false,
            ask_size: false,
            retry: RetryPolicy::new(0),
            retry_continues: true,
            what: "copy".to_owned(),
            label: last_component,
            limits: crate::RateLimits::default(),
            segments: 1,
        }
    }

    /// Downloads a file over `n` sessions at once
    /// ([`SegmentedDownload`](super::SegmentedDownload)): its SIZE split
    /// into `n` ranges (fewer for a file under `n` ×
    /// [`MIN_SEGMENT`](super::MIN_SEGMENT)), each fetched from its own
    /// offset (REST) into the one temporary file, renamed into place once
    /// every range is whole. A failed range is retried as
    /// [`FileCopy::retry`] allows, from where it stopped; with
    /// [`FileCopy::resume`] only the incomplete ranges are fetched again.
    /// A server without REST gets one stream (and a
    /// [`Notice`](super::Notice)). 1 (the default) or 0: one stream.
    /// Uploads, copies between servers, downloads to a stream or a device
    /// and verified downloads ([`FileCopy::verify`]) go over one stream.
    ///
    /// ```no_run
    /// use ftp_client::engine::copy::{Endpoint, FileCopy, Session};
    /// use ftp_client::engine::{Cancel, RetryPolicy};
    /// use ftp_client::{Config, FtpUrl};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let url = FtpUrl::parse("ftp://demo:password@127.0.0.1:2121/big.iso")?;
    /// let mut session = Session::new(Config::default());
    /// FileCopy::new(Endpoint::Remote(url), Endpoint::Local("big.iso".into()))
    ///     .segments(4)
    ///     .retry(RetryPolicy::new(3))
    ///     .run(&mut session, &(), &Cancel::new())?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn segments(mut self, n: usize) -> Self {
        self.segments = n.max(1);
        self
    }

    /// What the transfer is held to: its own rate, and a total shared
    /// with other transfers (see [`RateLimits`](crate::RateLimits)).
    pub fn limits(mut self, limits: crate::RateLimits) -> Self {
        self.limits = limits;
        self
    }

    /// A move: the source is deleted once the copy is confirmed and its
    /// size checked. A stream (standard input or output, a device) cannot
    /// be moved.
    pub fn remove_source(mut self, remove_source: bool) -> Self {
        self.remove_source = remove_source;
        self
    }

    /// Both sides remote, a directory source too: a move on one server
    /// and login renames it; anything else copies its tree between the two
    /// sessions (listed whole first, nothing written if that fails; each
    /// file as a single file is, retried as [`FileCopy::retry`] allows; a
    /// failed file counted in [`RelayError::Tree`] while the rest goes on;
    /// a move deletes each file once its copy is confirmed, and the
    /// directories only when all went; symbolic links skipped). Without it
    /// a directory source of a rename is [`RelayError::Directory`]. Trees
    /// between the local side and a server are the tree engine's
    /// ([`TreeDownload`](super::TreeDownload) and
    /// [`TreeUpload`](super::TreeUpload)).
    pub fn recursive(mut self, recursive: bool) -> Self {
        self.recursive = recursive;
        self
    }

    /// Makes the missing directories of an upload's target first (as
    /// `mkdir -p`); downloads ignore it.
    pub fn create_dirs(mut self, create_dirs: bool) -> Self {
        self.create_dirs = create_dirs;
        self
    }

    /// Checks the copy against the server's digest, or its size where it
    /// has none ([`Copied::verified`]).
    pub fn verify(mut self, verify: bool) -> Self {
        self.verify = verify;
        self
    }

    /// Continues `.NAME.part` beside the destination, as an earlier run
    /// left it, and keeps it when this run fails.
    pub fn resume(mut self, resume: bool) -> Self {
        self.resume = resume;
        self
    }

    /// Asks the server for the size (SIZE) when its reply to RETR will not
    /// say it, for a progress bar's total.
    pub fn ask_size(mut self, ask_size: bool) -> Self {
        self.ask_size = ask_size;
        self
    }

    /// Tries again as `policy` allows after a failure that may pass.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Whether a retried download continues what the failed attempt
    /// received (through `.NAME.part`; on by default), or starts over.
    pub fn retry_continues(mut self, continues: bool) -> Self {
        self.retry_continues = continues;
        self
    }

    /// Names the copy in the retries reported to the [`Progress`].
    pub fn describe(mut self, what: impl Into<String>) -> Self {
        self.what = what.into();
        self
    }

    /// How the progress label is made from the remote path (by default
    /// its last component).
    pub fn label(mut self, label: fn(&[u8]) -> String) -> Self {
        self.label = label;
        self
    }

    /// The copy's source.
    pub fn source(&self) -> &Endpoint {
        &self.src
    }

    /// The copy's destination, as given.
    pub fn destination(&self) -> &Endpoint {
        &self.dst
    }

    /// The partial file a [`FileCopy::resume`]d download goes through
    /// (`.NAME.part` beside the destination), where the destination can be
    /// resolved; `None` for anything else.
    pub fn partial_file(&self) -> Option<PathBuf> {
        match (&self.src, &self.dst) {
            (Endpoint::Remote(src), Endpoint::Local(_)) if self.resume => {
                get::partial_target(src, &self.dst)
                    .ok()
                    .and_then(|t| super::partial_path(&t))
            }
            _ => None,
        }
    }

    /// Copies: each attempt in a fresh session after the first (`session`
    /// is reset before a retry), cut when `cancel` fires. Retries are
    /// reported to `progress`, as are the transfers.
    pub fn run(
        &self,
        session: &mut Session<'_>,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> Result<Copied, CopyError> {
        let continued = self.continued();
        // A stream is read once: no attempt can send it again.
        let once = self.retry.with_retries(0);
        let policy = if self.src == Endpoint::Stdio {
            &once
        } else {
            &self.retry
        };
        let mut first = true;
        let result = policy.run(cancel, progress, &self.what, |attempt| {
            if attempt > 0 {
                session.reset();
            }
            let fresh = std::mem::replace(&mut first, false);
            self.attempt(session, progress, cancel, continued.is_some(), fresh)
        });
        if let (Err(_), Some(target)) = (&result, &continued) {
            super::remove_partial(target);
        }
        result
    }

    /// Whether a retried attempt of this download continues what the
    /// failed one received, through `.NAME.part` ([`FileCopy::retry`]):
    /// a download to a regular file, not resumed or verified, with
    /// retries allowed.
    pub fn continues_partial(&self) -> bool {
        self.continued().is_some()
    }

    /// A download to a regular file that a retry may continue: its final
    /// path. (A verified download starts over on each attempt, the digest
    /// computed as the bytes stream.)
    fn continued(&self) -> Option<PathBuf> {
        match (&self.src, &self.dst) {
            (Endpoint::Remote(src), Endpoint::Local(dst))
                if self.retry.retries() > 0
                    && self.segments <= 1
                    && self.retry_continues
                    && !self.resume
                    && !self.verify
                    && !std::fs::metadata(dst).is_ok_and(|m| !m.is_file() && !m.is_dir()) =>
            {
                get::partial_target(src, &Endpoint::Local(dst.clone())).ok()
            }
            _ => None,
        }
    }

    /// One attempt.
    fn attempt(
        &self,
        session: &mut Session<'_>,
        progress: &dyn Progress,
        cancel: &Cancel,
        continued: bool,
        fresh: bool,
    ) -> Result<Copied, CopyError> {
        let run = Run {
            copy: self,
            progress,
            cancel,
        };
        match (&self.src, &self.dst) {
            (Endpoint::Remote(src), Endpoint::Local(_)) if self.segments > 1 && !self.verify => {
                run.download_segmented(session, src)
            }
            (Endpoint::Remote(src), Endpoint::Local(dst)) if continued => {
                let dst = Endpoint::Local(dst.clone());
                run.download_partial(session, src, &dst, super::Partial::Retry { fresh })
            }
            (Endpoint::Remote(src), dst @ (Endpoint::Local(_) | Endpoint::Stdio))
                if self.resume =>
            {
                run.download_partial(session, src, dst, super::Partial::Resume)
            }
            (Endpoint::Stdio, Endpoint::Remote(_)) if self.resume => Err(CopyError::ResumeStdin),
            (Endpoint::Local(src), Endpoint::Remote(dst)) if self.resume => {
                run.upload_resumed(session, src, dst)
            }
            (Endpoint::Remote(src), Endpoint::Local(_) | Endpoint::Stdio) => {
                run.download(session, src)
            }
            (Endpoint::Stdio, Endpoint::Remote(dst)) => run.upload_stdin(session, dst),
            (Endpoint::Local(src), Endpoint::Remote(dst)) => run.upload(session, src, dst),
            (Endpoint::Remote(src), Endpoint::Remote(dst)) => run.between(session, src, dst),
            _ => Err(CopyError::BothLocal),
        }
    }
}

/// One attempt of a copy under way.
struct Run<'r> {
    copy: &'r FileCopy,
    progress: &'r dyn Progress,
    cancel: &'r Cancel,
}

/// A remote file name as a local one; `None` for names that would escape
/// the destination directory.
fn local_file_name(name: &[u8]) -> Option<OsString> {
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
fn os_bytes(name: &std::ffi::OsStr) -> std::borrow::Cow<'_, [u8]> {
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

/// Whether a local path ends with a separator (names a directory).
fn ends_with_separator(path: &Path) -> bool {
    let text = path.as_os_str().to_string_lossy();
    text.ends_with(std::path::MAIN_SEPARATOR) || text.ends_with('/')
}
