//! The async upload: an [`AsyncWrite`], finished explicitly so that the
//! server's final reply is checked; and what both streams share (the copy
//! buffer's growth, the rate limits' waits).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use ::tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::Client;
use super::stream::{AsyncStream, Deadline};
use crate::error::{Error, Result};
use crate::rate::{RateLimits, Throttle};
use crate::shared::{UPLOAD_CHUNK, explained_by_server};
use crate::transfer::{ByteCounter, DataState};

/// The copy buffer starts at 16 KiB and doubles, up to `max`, each time a
/// read fills it: small transfers (and many sessions at once) keep little
/// memory, large ones reach large reads after a few.
pub(super) fn grow(buf: &mut Vec<u8>, filled: bool, max: usize) {
    const FIRST: usize = 16 * 1024;
    let len = buf.len();
    if len < FIRST {
        buf.resize(FIRST, 0);
    } else if filled && len < max {
        buf.resize((len * 2).min(max), 0);
    }
}

/// An upload in progress: write the data (it is an [`AsyncWrite`]), then
/// call [`Upload::finish`], which ends the data connection (TLS
/// close_notify, then FIN) and checks the server's final reply.
///
/// `shutdown()` only flushes: the end of the data is [`Upload::finish`]'s.
/// **Dropping it unfinished** cuts the upload short: the client's next
/// operation sends ABOR first (the server may keep the part it received).
/// Each write fails with a timeout after
/// [`Config::data_timeout`](crate::Config::data_timeout) without progress.
#[derive(Debug)]
pub struct Upload<'c> {
    client: &'c mut Client,
    data: Option<AsyncStream>,
    state: DataState,
    deadline: Deadline,
    /// Set by [`Upload::limit`].
    throttle: Option<Throttled>,
}

impl<'c> Upload<'c> {
    stream_accessors!(upload);

    pub(super) fn new(client: &'c mut Client, data: AsyncStream) -> Self {
        Upload {
            state: DataState::new(None, data.resumed()),
            deadline: Deadline::new(&mut client.session),
            client,
            data: Some(data),
            throttle: None,
        }
    }

    /// Holds the rest of this upload to `limits`, as the blocking
    /// [`crate::Upload::limit`]: each write sends at most about 50 ms
    /// worth of the lowest rate, and the next waits (a timer, not a
    /// stalled connection) as the limits say.
    pub fn limit(&mut self, limits: &RateLimits) {
        self.throttle = limits.throttle().map(Throttled::new);
    }

    /// Sends everything `src` yields; returns the bytes sent. On failure
    /// the transfer is ended and the server's reply, when it explains the
    /// failure (552 disk full, 426…), is the error.
    pub async fn copy_from(&mut self, src: &mut (impl AsyncRead + Unpin + ?Sized)) -> Result<u64> {
        let mut buf = std::mem::take(&mut self.client.transfer_buf);
        let result = self.copy_with(&mut buf, src).await;
        self.client.transfer_buf = buf;
        result
    }

    /// Sends the rest of `file` from its current position, as
    /// [`Upload::copy_from`].
    pub(super) async fn copy_from_file(&mut self, file: &mut ::tokio::fs::File) -> Result<u64> {
        self.copy_from(file).await
    }

    async fn copy_with(
        &mut self,
        buf: &mut Vec<u8>,
        src: &mut (impl AsyncRead + Unpin + ?Sized),
    ) -> Result<u64> {
        let mut sent = 0;
        let mut filled = false;
        loop {
            grow(buf, filled, UPLOAD_CHUNK);
            let n = match src.read(buf).await {
                Ok(0) => return Ok(sent),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let _ = self.end().await;
                    return Err(Error::io("reading the data to upload", e));
                }
            };
            filled = n == buf.len();
            if let Err(e) = self.write_all(&buf[..n]).await {
                let timeout = self.client.data_stall();
                let error = Error::io_or_timeout("sending data", e, timeout);
                return Err(self.end_after_network_error(error).await);
            }
            sent += n as u64;
        }
    }

    /// Ends the data (flushed, TLS close_notify, FIN, which a tunnel's TLS
    /// upload goes without; over TLS, what the server still sends is read
    /// until it closes: its session tickets)
    /// and checks the server's final reply: succeeds with the byte count
    /// only if it is 2xx.
    pub async fn finish(mut self) -> Result<u64> {
        if let Err(error) = self.close_data().await {
            return Err(self.end_after_network_error(error).await);
        }
        self.end().await.map(|()| self.state.bytes())
    }

    /// Stops the upload and tells the server (ABOR), keeping the session.
    pub async fn abort(mut self) -> Result<()> {
        if self.state.set_finished() {
            return Ok(());
        }
        drop(self.data.take());
        self.client.abort_transfer().await
    }

    async fn close_data(&mut self) -> Result<()> {
        let timeout = self.client.data_stall();
        let tunnelled = crate::route::may_lack_half_close(&self.client.config);
        let Some(data) = self.data.as_mut() else {
            return Ok(());
        };
        let closed = ::tokio::time::timeout(timeout, async {
            data.flush().await?;
            data.finish_sending(tunnelled).await
        })
        .await
        .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into()));
        closed.map_err(|e| Error::io_or_timeout("sending data", e, timeout))?;
        if data.is_tls() {
            // Read until the server closes: TLS 1.3 session tickets for the
            // next data connections, and no reset that could cost the
            // server the end of the upload.
            let limit = timeout.min(self.client.config.final_reply_timeout);
            let mut scratch = [0u8; 4096];
            let _ = ::tokio::time::timeout(limit, async {
                while let Ok(n) = data.read(&mut scratch).await {
                    if n == 0 {
                        break;
                    }
                }
            })
            .await;
        }
        Ok(())
    }

    async fn end(&mut self) -> Result<()> {
        self.state.set_finished();
        drop(self.data.take());
        self.client.finish_transfer(false).await
    }

    async fn end_after_network_error(&mut self, error: Error) -> Error {
        self.client.data_timed_out(&error);
        explained_by_server(self.end().await, error)
    }
}

impl AsyncWrite for Upload<'_> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let Some(data) = this.data.as_mut() else {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the upload is finished",
            )));
        };
        let buf = match this.throttle.as_mut() {
            Some(throttle) => {
                if ready!(throttle.poll_wait(cx)) {
                    this.deadline.restart(&mut this.client.session);
                }
                &buf[..buf.len().min(throttle.limits.chunk())]
            }
            None => buf,
        };
        let polled = Pin::new(data).poll_write(cx, buf);
        let result = this.deadline.check(cx, polled, &mut this.client.session);
        if let Poll::Ready(Ok(n)) = result {
            this.state.count(n as u64);
            if let Some(throttle) = this.throttle.as_mut() {
                throttle.moved(n);
            }
        }
        result
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.data.as_mut() {
            Some(data) => {
                let polled = Pin::new(data).poll_flush(cx);
                this.deadline.check(cx, polled, &mut this.client.session)
            }
            None => Poll::Ready(Ok(())),
        }
    }

    /// Flushes only: [`Upload::finish`] ends the data and reads the reply.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

/// A transfer's [`Throttle`] and the wait it owes before moving more.
#[derive(Debug)]
pub(super) struct Throttled {
    pub(super) limits: Throttle,
    wait: Option<Pin<Box<::tokio::time::Sleep>>>,
}

impl Throttled {
    pub(super) fn new(limits: Throttle) -> Self {
        Throttled { limits, wait: None }
    }

    /// Ready once the wait owed (if any) is over: true if there was one
    /// (the data timeout then starts again).
    pub(super) fn poll_wait(&mut self, cx: &mut Context<'_>) -> Poll<bool> {
        let Some(wait) = self.wait.as_mut() else {
            return Poll::Ready(false);
        };
        ready!(wait.as_mut().poll(cx));
        self.wait = None;
        Poll::Ready(true)
    }

    /// Accounts for `n` bytes moved: the next move waits as the limits say.
    pub(super) fn moved(&mut self, n: usize) {
        let now = std::time::Instant::now();
        let delay = self.limits.delay_at(n as u64, now);
        if !delay.is_zero() {
            self.wait = Some(Box::pin(::tokio::time::sleep(delay)));
        }
    }
}
