//! Streaming transfers: a download is a [`Read`], an upload a [`Write`],
//! and each is finished explicitly so that the server's final reply is
//! checked.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::Client;
#[cfg(doc)]
use super::Download;
use super::data::await_data;
use crate::error::{Error, Result};
use crate::rate::{RateLimits, Throttle};
use crate::shared::{UPLOAD_CHUNK, explained_by_server};
use crate::tls::Stream;
pub use crate::transfer::ByteCounter;
use crate::transfer::DataState;

/// The most one sendfile call is asked to move: 1 MiB keeps system calls
/// few (about a hundred a second at 100 MB/s) while a progress counter
/// ([`ByteCounter`]) still moves several times a second on slow links.
#[cfg(any(target_os = "linux", target_os = "android"))]
const SENDFILE_CHUNK: usize = 1 << 20;

/// Cuts a transfer's data connection from another thread: for a signal
/// handler or a watchdog, while the thread that owns the
/// [`Download`]/[`Upload`] is blocked moving data.
///
/// [`Canceller::cancel`] shuts the data connection down; the blocked read
/// or write returns, and the transfer then fails (a cancelled transfer never
/// finishes `Ok`, even if the server's final reply is 226), its final reply
/// read as after any broken data connection, so the session stays usable.
///
/// ```no_run
/// # let mut ftp: ftp_client::Client = unimplemented!();
/// let mut download = ftp.retrieve_stream("huge.iso")?;
/// if let Some(canceller) = download.canceller() {
///     std::thread::spawn(move || {
///         std::thread::sleep(std::time::Duration::from_secs(5));
///         canceller.cancel(); // at most five seconds of it
///     });
/// }
/// download.copy_to_end(&mut std::io::sink())?;
/// download.finish()?; // an error if it was cancelled
/// # Ok::<(), ftp_client::Error>(())
/// ```
#[derive(Debug)]
pub struct Canceller {
    socket: TcpStream,
    cancelled: Arc<AtomicBool>,
}

impl Canceller {
    /// Marks the transfer cancelled and shuts its data connection down.
    /// Harmless once the transfer is over.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        let _ = self.socket.shutdown(Shutdown::Both);
    }
}

/// A [`Canceller`] for `data`, `None` if the socket cannot be shared.
pub(super) fn canceller_for(
    data: Option<&Stream>,
    cancelled: &Arc<AtomicBool>,
) -> Option<Canceller> {
    let socket = data?.tcp().try_clone().ok()?;
    Some(Canceller {
        socket,
        cancelled: cancelled.clone(),
    })
}

/// Closes a data connection for good: shut down both ways, then dropped.
/// Dropping alone is not enough while a [`Canceller`] holds a duplicate of
/// the socket: the connection would stay open, no FIN would go, and a
/// server that waits for the client to close before its final reply
/// (proFTPD, up to its 10 s `TimeoutLinger`) would wait.
pub(super) fn close(data: Option<Stream>) {
    if let Some(data) = data {
        let _ = data.tcp().shutdown(std::net::Shutdown::Both);
    }
}

/// The error of a cancelled transfer.
pub(super) fn cancelled_error(during: &str) -> Error {
    Error::io(
        during,
        io::Error::new(io::ErrorKind::Interrupted, "the transfer was cancelled"),
    )
}

/// An upload in progress: write the data, then call [`Upload::finish`].
///
/// Dropping it unfinished closes the data connection as if the data were
/// complete (FTP has no other way to end a stream) and reads the reply.
/// To tell the server the upload is cut short, call [`Upload::abort`].
///
/// **After an error, still call [`Upload::finish`]** (or
/// [`Upload::abort`]): when a write through [`Write`] fails, the server's
/// reply (`552 Disk full`, `426`…) usually says why, and `finish` returns
/// it as the error; propagating the `io::Error` with `?` drops the upload
/// and loses that reply. [`Upload::copy_from`] and
/// [`Upload::copy_from_file`] do this themselves.
#[derive(Debug)]
pub struct Upload<'c> {
    client: &'c mut Client,
    data: Option<Stream>,
    state: DataState,
    /// Set by a [`Canceller`].
    cancelled: Arc<AtomicBool>,
    /// Set by [`Upload::limit`].
    throttle: Option<Throttle>,
    /// The data socket's timeout, as [`await_data`] last set it.
    data_wait: Option<Duration>,
}

impl<'c> Upload<'c> {
    stream_accessors!(upload);

    pub(crate) fn new(client: &'c mut Client, data: Stream) -> Self {
        Upload {
            state: DataState::new(None, data.resumed()),
            client,
            data: Some(data),
            cancelled: Arc::new(AtomicBool::new(false)),
            throttle: None,
            data_wait: None,
        }
    }

    /// Holds the rest of this upload to `limits` (see [`RateLimits`]):
    /// every write, the copies' included, sends at most about 50 ms worth
    /// of the lowest rate and then waits as the limits say (a wait ends at
    /// once when the [`Canceller`] fires). A limited
    /// [`Upload::copy_from_file`] goes through memory, not sendfile.
    pub fn limit(&mut self, limits: &RateLimits) {
        self.throttle = limits.throttle();
    }

    /// A handle that cancels this upload from another thread; `None` once
    /// the data connection is closed (or if it cannot be shared). The
    /// server keeps what it received: delete it if it must not stay.
    pub fn canceller(&self) -> Option<Canceller> {
        canceller_for(self.data.as_ref(), &self.cancelled)
    }

    /// Sends everything `src` yields, in large writes; returns the bytes
    /// sent. `src` may be a `&mut dyn Read`. For a file,
    /// [`Upload::copy_from_file`] is faster.
    pub fn copy_from(&mut self, src: &mut (impl Read + ?Sized)) -> Result<u64> {
        let mut buf = std::mem::take(&mut self.client.transfer_buf);
        let chunk = self.throttle.as_ref().map_or(UPLOAD_CHUNK, Throttle::chunk);
        buf.resize(chunk, 0);
        let result = self.copy_with(&mut buf, src);
        self.client.transfer_buf = buf;
        result
    }

    fn copy_with(&mut self, buf: &mut [u8], src: &mut (impl Read + ?Sized)) -> Result<u64> {
        let mut sent = 0;
        loop {
            let n = match src.read(buf) {
                Ok(0) => return Ok(sent),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // Local: the upload cannot be completed; end it so the
                    // session stays in step, and report the local cause.
                    let _ = self.end();
                    return Err(Error::io("reading the data to upload", e));
                }
            };
            self.send(&buf[..n])?;
            sent += n as u64;
        }
    }

    /// Sends the rest of `file` from its current position; returns the
    /// bytes sent. On Linux the kernel copies from the page cache to the
    /// socket (sendfile): the data never enters this process (except over
    /// TLS, where it is encrypted here, in large buffers).
    pub fn copy_from_file(&mut self, file: &mut std::fs::File) -> Result<u64> {
        if self.throttle.is_some() || self.data.as_ref().is_some_and(Stream::is_tls) {
            return self.copy_from(file);
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            let mut sent = 0u64;
            loop {
                let Some(data) = self.data.as_ref().and_then(Stream::plain) else {
                    return Ok(sent);
                };
                if let Err(e) = await_data(&mut self.client.session, data, &mut self.data_wait) {
                    return Err(self.end_after_network_error(Error::io("sending data", e)));
                }
                match rustix::fs::sendfile(data, &*file, None, SENDFILE_CHUNK) {
                    Ok(0) => return Ok(sent),
                    Ok(n) => {
                        sent += n as u64;
                        self.state.count(n as u64);
                    }
                    Err(rustix::io::Errno::INTR) => {}
                    // Not a file sendfile can read (a pipe, say), before any
                    // byte went out: copy through memory instead.
                    Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) if sent == 0 => {
                        return self.copy_from(file);
                    }
                    Err(errno) => {
                        let error = Error::io_or_timeout(
                            "sending data",
                            io::Error::from(errno),
                            self.client.data_stall(),
                        );
                        return Err(self.end_after_network_error(error));
                    }
                }
            }
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        {
            self.copy_from(file)
        }
    }

    fn send(&mut self, bytes: &[u8]) -> Result<()> {
        let Some(data) = self.data.as_mut() else {
            return Err(Error::io(
                "sending data",
                io::Error::new(io::ErrorKind::NotConnected, "the upload is finished"),
            ));
        };
        let ready = await_data(&mut self.client.session, data.tcp(), &mut self.data_wait);
        match ready.and_then(|()| data.write_all(bytes)) {
            Ok(()) => {
                self.state.count(bytes.len() as u64);
                if let Some(throttle) = &self.throttle {
                    throttle.wait(bytes.len() as u64, &self.cancelled);
                }
                Ok(())
            }
            Err(e) => {
                let error = Error::io_or_timeout("sending data", e, self.client.data_stall());
                Err(self.end_after_network_error(error))
            }
        }
    }

    /// Closes the data connection and checks the server's final reply:
    /// succeeds with the byte count only if it is 2xx.
    pub fn finish(mut self) -> Result<u64> {
        if self.cancelled.load(Ordering::SeqCst) {
            let error = cancelled_error("sending data");
            return Err(self.end_after_network_error(error));
        }
        if let Err(error) = self.close_data() {
            return Err(self.end_after_network_error(error));
        }
        let ended = self.end();
        if self.cancelled.load(Ordering::SeqCst) {
            return Err(cancelled_error("sending data"));
        }
        ended.map(|()| self.state.bytes())
    }

    /// Ends the data: flushed, TLS close_notify, FIN (none through a
    /// tunnel: see `Stream::finish_sending`); then, over TLS, what the
    /// server still sends is read until it closes (see
    /// `Stream::await_close`: its session tickets, and no reset).
    fn close_data(&mut self) -> Result<()> {
        let timeout = self.client.data_stall();
        let tunnelled = crate::route::may_lack_half_close(&self.client.config);
        if let Some(data) = self.data.as_mut() {
            data.flush()
                .and_then(|()| data.finish_sending(tunnelled))
                .map_err(|e| Error::io_or_timeout("sending data", e, timeout))?;
            data.await_close(timeout.min(self.client.config.final_reply_timeout));
        }
        Ok(())
    }

    fn end(&mut self) -> Result<()> {
        self.state.set_finished();
        close(self.data.take());
        self.client.finish_transfer(false)
    }

    /// Stops the upload and tells the server (ABOR), keeping the session:
    /// the data connection is closed, `ABOR` sent, and the server's
    /// replies read, as for [`Download::abort`]. The server may keep the
    /// part it received: delete it if it must not stay.
    pub fn abort(mut self) -> Result<()> {
        if self.state.set_finished() {
            return Ok(());
        }
        close(self.data.take());
        self.client.abort_transfer()
    }

    /// Ends the upload after a network `error`; see [`explained_by_server`].
    fn end_after_network_error(&mut self, error: Error) -> Error {
        self.client.data_timed_out(&error);
        explained_by_server(self.end(), error)
    }
}

impl Write for Upload<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Some(data) = self.data.as_mut() else {
            return Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the upload is finished",
            ));
        };
        await_data(&mut self.client.session, data.tcp(), &mut self.data_wait)?;
        let Some(throttle) = &self.throttle else {
            let n = data.write(buf)?;
            self.state.count(n as u64);
            return Ok(n);
        };
        let len = buf.len().min(throttle.chunk());
        let n = data.write(&buf[..len])?;
        self.state.count(n as u64);
        throttle.wait(n as u64, &self.cancelled);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.data.as_mut() {
            Some(data) => data.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for Upload<'_> {
    fn drop(&mut self) {
        if !self.state.is_finished() {
            let _ = self.close_data();
            let _ = self.end();
        }
    }
}
