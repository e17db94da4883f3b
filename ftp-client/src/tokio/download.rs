//! The async download: an [`AsyncRead`], finished explicitly so that the
//! server's final reply is checked.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use ::tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use ftp_proto::TransferStart;

use super::Client;
use super::stream::{AsyncStream, Deadline};
use super::transfer::{Throttled, grow};
use crate::error::{Error, Result};
use crate::rate::RateLimits;
use crate::shared::{DOWNLOAD_CHUNK, explained_by_server};
use crate::transfer::{ByteCounter, DataState};

/// A download in progress: read it to the end (it is an [`AsyncRead`]),
/// then call [`Download::finish`].
///
/// To stop early and keep the session, call [`Download::abort`] (ABOR); to
/// stop and drop the session at once, [`Download::abandon`]. **Dropping it
/// unfinished** closes the data connection; the client's next operation
/// first sends ABOR and reads the server's answers, so the session stays
/// in step.
///
/// As with the blocking [`crate::Download`], after a failed read still
/// call [`Download::finish`]: it returns the server's explanation (426,
/// 451…) when there is one. Each read fails with a timeout after
/// [`Config::data_timeout`](crate::Config::data_timeout) without progress.
#[derive(Debug)]
pub struct Download<'c> {
    client: &'c mut Client,
    data: Option<AsyncStream>,
    state: DataState,
    deadline: Deadline,
    /// Set by [`Download::limit`].
    throttle: Option<Throttled>,
}

impl<'c> Download<'c> {
    stream_accessors!(download);

    pub(super) fn new(client: &'c mut Client, data: AsyncStream, start: TransferStart) -> Self {
        Download {
            state: DataState::new(Some(start), data.resumed()),
            deadline: Deadline::new(&mut client.session),
            client,
            data: Some(data),
            throttle: None,
        }
    }

    /// Holds the rest of this download to `limits`, as the blocking
    /// [`crate::Download::limit`]: each read moves at most about 50 ms
    /// worth of the lowest rate, and the next waits (a timer, not a
    /// stalled connection) as the limits say.
    pub fn limit(&mut self, limits: &RateLimits) {
        self.throttle = limits.throttle().map(Throttled::new);
    }

    /// Copies the rest of the data into `out`; returns the bytes copied.
    /// On failure the transfer is ended and the server's reply, when it
    /// explains the failure (e.g. 426), is the error.
    pub async fn copy_to_end(
        &mut self,
        out: &mut (impl AsyncWrite + Unpin + ?Sized),
    ) -> Result<u64> {
        let mut buf = std::mem::take(&mut self.client.transfer_buf);
        let result = self.copy_with(&mut buf, out).await;
        self.client.transfer_buf = buf;
        result
    }

    /// Copies the rest of the data into `file` at its current position
    /// (through memory: tokio has no zero-copy path), as
    /// [`Download::copy_to_end`].
    pub(super) async fn copy_to_file(&mut self, file: &mut ::tokio::fs::File) -> Result<u64> {
        self.copy_to_end(file).await
    }

    async fn copy_with(
        &mut self,
        buf: &mut Vec<u8>,
        out: &mut (impl AsyncWrite + Unpin + ?Sized),
    ) -> Result<u64> {
        let mut copied = 0;
        let mut filled = false;
        loop {
            grow(buf, filled, DOWNLOAD_CHUNK);
            let n = match self.read(buf).await {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let timeout = self.client.data_stall();
                    let error = Error::io_or_timeout("receiving data", e, timeout);
                    return Err(self.end_after_network_error(error).await);
                }
            };
            filled = n == buf.len();
            if let Err(e) = out.write_all(&buf[..n]).await {
                return Err(self.local_write_failure(e).await);
            }
            copied += n as u64;
        }
        if let Err(e) = out.flush().await {
            return Err(self.local_write_failure(e).await);
        }
        Ok(copied)
    }

    /// Ends the transfer: succeeds with the byte count only if the data
    /// reached its end and the server's final reply is 2xx (over TLS, a
    /// data connection that ended without close_notify must also match
    /// the announced size, else [`Error::Truncated`]).
    pub async fn finish(mut self) -> Result<u64> {
        let timeout = self.client.data_stall();
        if let Some(error) = self.state.take_read_error(timeout) {
            return Err(self.end_after_network_error(error).await);
        }
        if !self.state.at_eof() {
            let probe = self.read(&mut [0u8; 1]).await;
            if let Some(error) = DataState::probe_error(probe, timeout) {
                return Err(self.end_after_network_error(error).await);
            }
        }
        self.end(false).await?;
        self.state.verdict()
    }

    /// Stops the download and keeps the session: the data connection is
    /// closed, ABOR sent, and the server's replies read; see
    /// [`crate::Download::abort`].
    pub async fn abort(mut self) -> Result<()> {
        if self.state.set_finished() {
            return Ok(());
        }
        drop(self.data.take());
        self.client.abort_transfer().await
    }

    /// Ends a download of one range of the file once every byte of the
    /// range was read: the data connection is closed, the server stopped,
    /// and the range is whole whatever it then says; over TLS the session
    /// ends with the range instead. See [`crate::Download::end_range`].
    pub async fn end_range(mut self) -> Result<()> {
        if self.client.session.range_end_closes_session() {
            self.abandon();
            return Ok(());
        }
        if self.state.set_finished() {
            return Ok(());
        }
        drop(self.data.take());
        self.client.end_range_transfer().await
    }

    /// Gives up the transfer and the session at once: every later
    /// operation on the client fails.
    pub fn abandon(mut self) {
        self.state.set_finished();
        drop(self.data.take());
        self.client.close_now();
    }

    /// Closes the data connection (TLS: close_notify) and reads the final
    /// reply (`cut_short`: the data did not reach its end).
    async fn end(&mut self, cut_short: bool) -> Result<()> {
        self.state.set_finished();
        if let Some(mut data) = self.data.take() {
            // Over TLS a server that finished sending may wait for our
            // close_notify before its final reply (proFTPD).
            let limit = self.client.data_stall();
            let _ = ::tokio::time::timeout(limit, data.shutdown()).await;
        }
        self.client.finish_transfer(cut_short).await
    }

    /// Ends a transfer cut short by the client: the session waits briefly
    /// for the server's word.
    async fn end_early(&mut self) -> Result<()> {
        self.end(true).await
    }

    async fn end_after_network_error(&mut self, error: Error) -> Error {
        self.client.data_timed_out(&error);
        explained_by_server(self.end_early().await, error)
    }

    async fn local_write_failure(&mut self, error: io::Error) -> Error {
        let _ = self.end_early().await;
        Error::io("writing the downloaded data", error)
    }
}

impl AsyncRead for Download<'_> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let Some(data) = this.data.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        let Some(throttle) = this.throttle.as_mut() else {
            let (before, asked) = (buf.filled().len(), buf.remaining());
            let polled = Pin::new(&mut *data).poll_read(cx, buf);
            let read = ready!(this.deadline.check(cx, polled, &mut this.client.session))
                .map(|()| buf.filled().len() - before);
            return Poll::Ready(this.state.read(read, asked, data.is_tls()).map(drop));
        };
        if ready!(throttle.poll_wait(cx)) {
            this.deadline.restart(&mut this.client.session);
        }
        let asked = buf.remaining().min(throttle.limits.chunk());
        let mut part = ReadBuf::new(buf.initialize_unfilled_to(asked));
        let polled = Pin::new(&mut *data).poll_read(cx, &mut part);
        let read = ready!(this.deadline.check(cx, polled, &mut this.client.session))
            .map(|()| part.filled().len());
        if let Ok(n) = read {
            // The first `n` of the bytes initialized above.
            buf.advance(n);
            throttle.moved(n);
        }
        Poll::Ready(this.state.read(read, asked, data.is_tls()).map(drop))
    }
}
