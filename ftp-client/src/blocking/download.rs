//! The blocking download: a [`Read`] with zero-copy into files (splice on
//! Linux), finished explicitly so that the server's final reply is
//! checked.

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ftp_proto::TransferStart;

use super::Client;
use super::data::await_data;
use super::transfer::{Canceller, cancelled_error, canceller_for, close};
use crate::error::{Error, Result};
use crate::rate::{RateLimits, Throttle};
use crate::shared::{DOWNLOAD_CHUNK, explained_by_server};
use crate::tls::Stream;
use crate::transfer::{ByteCounter, DataState};

#[cfg(any(target_os = "linux", target_os = "android"))]
mod splice;

/// The capacity asked for the pipe that downloads into files splice
/// through, and so the most one splice moves (the default is 64 KiB).
#[cfg(any(target_os = "linux", target_os = "android"))]
const SPLICE_PIPE_SIZE: usize = 1 << 20;

/// A download in progress: read it to the end, then call
/// [`Download::finish`].
///
/// To stop early and keep the session, call [`Download::abort`] (ABOR);
/// to stop and drop the session at once, [`Download::abandon`]. Dropping
/// it unfinished closes the data connection and reads the server's final
/// reply (waiting up to 3 s), so the session stays usable.
///
/// **After an error, still call [`Download::finish`]**: when a read
/// through [`Read`] fails (the connection reset, a timeout), `finish` does
/// not read again; it ends the transfer and returns the server's
/// explanation if it gave one (such as `426 Transfer aborted` or `451
/// Local error`), else the read's own error. Propagating the `io::Error`
/// with `?` instead drops the download and loses that reply. The copy
/// methods ([`Download::copy_to_end`], [`Download::copy_to_file`]) do this
/// themselves.
///
/// ```no_run
/// # let mut ftp: ftp_client::Client = unimplemented!();
/// use std::io::Read;
/// let mut download = ftp.retrieve_stream("notes.txt")?;
/// let mut text = String::new();
/// // A failed read is reported by finish(), with the server's reply.
/// let _ = download.read_to_string(&mut text);
/// let bytes = download.finish()?;
/// # Ok::<(), ftp_client::Error>(())
/// ```
#[derive(Debug)]
pub struct Download<'c> {
    client: &'c mut Client,
    data: Option<Stream>,
    state: DataState,
    /// Set by a [`Canceller`].
    cancelled: Arc<AtomicBool>,
    /// Set by [`Download::limit`].
    throttle: Option<Throttle>,
    /// The data socket's timeout, as [`await_data`] last set it.
    data_wait: Option<Duration>,
}

impl<'c> Download<'c> {
    stream_accessors!(download);

    pub(crate) fn new(client: &'c mut Client, data: Stream, start: TransferStart) -> Self {
        Download {
            state: DataState::new(Some(start), data.resumed()),
            client,
            data: Some(data),
            cancelled: Arc::new(AtomicBool::new(false)),
            throttle: None,
            data_wait: None,
        }
    }

    /// Holds the rest of this download to `limits` (see [`RateLimits`]):
    /// every read, the copies' included, moves at most about 50 ms worth of
    /// the lowest rate and then waits as the limits say (a wait ends at
    /// once when the [`Canceller`] fires). A limited
    /// [`Download::copy_to_file`] goes through memory, not splice.
    pub fn limit(&mut self, limits: &RateLimits) {
        self.throttle = limits.throttle();
    }

    /// A handle that cancels this download from another thread; `None` once
    /// the data connection is closed (or if it cannot be shared).
    pub fn canceller(&self) -> Option<Canceller> {
        canceller_for(self.data.as_ref(), &self.cancelled)
    }

    /// Copies the rest of the data into `out` with large reads; returns the
    /// bytes copied. On failure the transfer is ended and the server's
    /// reply, when it explains the failure (e.g. 426), is the error.
    pub fn copy_to_end(&mut self, out: &mut (impl Write + ?Sized)) -> Result<u64> {
        // The buffer lives in the client, so a session of many small
        // transfers allocates and zeroes it once.
        let mut buf = std::mem::take(&mut self.client.transfer_buf);
        buf.resize(DOWNLOAD_CHUNK, 0);
        let result = self.copy_with(&mut buf, out);
        self.client.transfer_buf = buf;
        result
    }

    /// Copies the rest of the data into `file` at its current position;
    /// returns the bytes copied. On Linux the kernel moves the data from
    /// the socket to the file through a pipe (splice): it never enters this
    /// process (except over TLS, which is decrypted here, in large
    /// buffers). Failures end the transfer as [`Download::copy_to_end`]'s
    /// do.
    pub fn copy_to_file(&mut self, file: &mut std::fs::File) -> Result<u64> {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if self.throttle.is_none() && self.data.as_ref().and_then(Stream::plain).is_some() {
            if let Some(copied) = self.splice_to_file(file)? {
                return Ok(copied);
            }
        }
        self.copy_to_end(file)
    }

    /// Ends the transfer after the local side failed to take the data (disk
    /// full, file too large): that is the cause, whatever the server then
    /// says about the closed connection, whose answer is read only to keep
    /// the session in step.
    fn local_write_failure(&mut self, error: io::Error) -> Error {
        let _ = self.end_early();
        Error::io("writing the downloaded data", error)
    }

    fn copy_with(&mut self, buf: &mut [u8], out: &mut (impl Write + ?Sized)) -> Result<u64> {
        // A TLS read gives one record (16 KiB): several are gathered before
        // each write, so that writes stay large.
        let gather = self.data.as_ref().is_some_and(Stream::is_tls);
        let mut copied = 0;
        loop {
            let mut filled = 0;
            let mut failure = None;
            loop {
                match self.read(&mut buf[filled..]) {
                    Ok(0) => break,
                    Ok(n) => {
                        filled += n;
                        if !gather || buf.len() - filled < 16 * 1024 {
                            break;
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
            }
            if filled > 0 {
                if let Err(e) = out.write_all(&buf[..filled]) {
                    return Err(self.local_write_failure(e));
                }
                copied += filled as u64;
            }
            if let Some(e) = failure {
                let error = Error::io_or_timeout("receiving data", e, self.client.data_stall());
                return Err(self.end_after_network_error(error));
            }
            if filled == 0 {
                return Ok(copied);
            }
        }
    }

    /// Ends the transfer: succeeds with the byte count only if the data
    /// reached its end and the server's final reply is 2xx. After a failed
    /// read, reports that failure (or the server's refusal that explains
    /// it) without reading again.
    pub fn finish(mut self) -> Result<u64> {
        if self.cancelled.load(Ordering::SeqCst) {
            let error = cancelled_error("receiving data");
            return Err(self.end_after_network_error(error));
        }
        let timeout = self.client.data_stall();
        if let Some(error) = self.state.take_read_error(timeout) {
            return Err(self.end_after_network_error(error));
        }
        if !self.state.at_eof() {
            // Data left unread means the caller did not take it all.
            let probe = self.read(&mut [0u8; 1]);
            if let Some(error) = DataState::probe_error(probe, timeout) {
                return Err(self.end_after_network_error(error));
            }
        }
        let ended = self.end();
        if self.cancelled.load(Ordering::SeqCst) {
            return Err(cancelled_error("receiving data"));
        }
        ended?;
        self.state.verdict()
    }

    /// Stops the download and keeps the session (ABOR, RFC 959 4.1.3): the
    /// data connection is closed, `ABOR` sent, and the server's replies for
    /// the transfer and for ABOR (426 then 226, or 225 or 226 alone) are
    /// read; the client is then ready for the next operation. The first
    /// reply is awaited up to
    /// [`Config::control_timeout`](crate::Config::control_timeout), the
    /// second only 3 s more: some servers never send it (libunftp, when the
    /// transfer had not really started).
    ///
    /// Succeeds at once if the transfer had already ended (after a failed
    /// copy, say). A server that refuses ABOR still answers it, so the
    /// session stays in step either way.
    ///
    /// ```no_run
    /// # let mut ftp: ftp_client::Client = unimplemented!();
    /// use std::io::Read;
    /// let mut download = ftp.retrieve_stream("huge.iso")?;
    /// let mut head = [0u8; 512];
    /// download.read_exact(&mut head).map_err(|source| ftp_client::Error::Io {
    ///     during: "reading the header".into(),
    ///     source,
    /// })?;
    /// download.abort()?; // the rest is not needed
    /// ftp.noop()?; // the session goes on
    /// # Ok::<(), ftp_client::Error>(())
    /// ```
    pub fn abort(mut self) -> Result<()> {
        if self.state.set_finished() {
            return Ok(());
        }
        close(self.data.take());
        self.client.abort_transfer()
    }

    /// Ends a download of one range of the file (started with
    /// [`Client::retrieve_stream_from`] at the range's start) once the
    /// caller has read every byte of the range: the data connection is
    /// closed and the server stopped (ABOR), and the range is whole whether
    /// the server then says 426, 225 or 226
    /// ([`Session::end_range`](ftp_proto::Session::end_range)). The session
    /// goes on, except over TLS: there the session ends with the range (as
    /// [`Download::abandon`]), because servers mishandle ABOR after a TLS
    /// data connection ended early (proFTPD closes the control connection,
    /// Pure-FTPd's next reply sometimes does not decrypt); connect again
    /// for the next range. A range that ends where the file ends is
    /// finished with [`Download::finish`] instead.
    ///
    /// ```no_run
    /// # let mut ftp: ftp_client::Client = unimplemented!();
    /// use std::io::Read;
    /// // Bytes 1000..1100 of the file.
    /// let mut download = ftp.retrieve_stream_from("big.iso", 1000)?;
    /// let mut range = vec![0u8; 100];
    /// download.read_exact(&mut range).map_err(|source| ftp_client::Error::Io {
    ///     during: "reading the range".into(),
    ///     source,
    /// })?;
    /// download.end_range()?;
    /// # Ok::<(), ftp_client::Error>(())
    /// ```
    pub fn end_range(mut self) -> Result<()> {
        if self.cancelled.load(Ordering::SeqCst) {
            let error = cancelled_error("receiving data");
            return Err(self.end_after_network_error(error));
        }
        if self.client.session.range_end_closes_session() {
            self.abandon();
            return Ok(());
        }
        if self.state.set_finished() {
            return Ok(());
        }
        close(self.data.take());
        self.client.end_range_transfer()
    }

    /// Gives up the transfer and the session at once: the data and control
    /// connections close without waiting for the server's word, and every
    /// later operation on the client fails. For a reader that lost interest,
    /// such as a listing piped into `head`, where waiting for the server's
    /// answer to a cut-short transfer would only delay the exit.
    pub fn abandon(mut self) {
        self.state.set_finished();
        close(self.data.take());
        self.client.close_now();
    }

    /// Closes the data connection (with TLS close_notify) and reads the
    /// final reply.
    fn end(&mut self) -> Result<()> {
        self.end_within(false)
    }

    /// Ends a transfer cut short by the client: the server's answer to the
    /// closed data connection is read, within a short bound (some servers
    /// never give a final reply to an abandoned download: the session
    /// waits for it only briefly).
    fn end_early(&mut self) -> Result<()> {
        self.end_within(true)
    }

    /// Closes the data connection and reads the final reply (`cut_short`:
    /// the data did not reach its end). Over TLS, close_notify first: a
    /// server that finished sending waits for it before its final reply
    /// (proFTPD).
    fn end_within(&mut self, cut_short: bool) -> Result<()> {
        self.state.set_finished();
        if let Some(mut data) = self.data.take() {
            data.close_notify();
            close(Some(data));
        }
        self.client.finish_transfer(cut_short)
    }

    /// Ends the transfer after a network `error`; see [`explained_by_server`].
    fn end_after_network_error(&mut self, error: Error) -> Error {
        self.client.data_timed_out(&error);
        explained_by_server(self.end_early(), error)
    }
}

impl Read for Download<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(data) = self.data.as_mut() else {
            return Ok(0);
        };
        let tls = data.is_tls();
        let ready = await_data(&mut self.client.session, data.tcp(), &mut self.data_wait);
        let Some(throttle) = &self.throttle else {
            let read = ready.and_then(|()| data.read(buf));
            return self.state.read(read, buf.len(), tls);
        };
        let len = buf.len().min(throttle.chunk());
        let read = ready.and_then(|()| data.read(&mut buf[..len]));
        let read = self.state.read(read, len, tls);
        if let Ok(n) = read {
            throttle.wait(n as u64, &self.cancelled);
        }
        read
    }
}

impl Drop for Download<'_> {
    fn drop(&mut self) {
        if !self.state.is_finished() {
            let _ = if self.state.at_eof() {
                self.end()
            } else {
                self.end_early()
            };
        }
    }
}
