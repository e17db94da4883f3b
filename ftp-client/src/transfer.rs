//! The bookkeeping of one transfer, without I/O: the bytes moved, whether
//! the data reached its end (cleanly, or over TLS without close_notify),
//! the read that failed, whether the transfer is over, and the verdict on
//! a download the server confirmed. Both drivers' streams (the blocking
//! [`Download`](crate::Download)/[`Upload`](crate::Upload) and the async
//! ones) keep one and only move bytes.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ftp_proto::TransferStart;

use crate::error::{Error, Result};
use crate::tls::is_unclean_end;

/// The bytes a [`Download`](crate::Download) or [`Upload`](crate::Upload)
/// (blocking or async) has moved so far, readable from another thread
/// while the transfer runs (the zero-copy paths count each splice or
/// sendfile call).
///
/// ```no_run
/// # let mut ftp: ftp_client::Client = unimplemented!();
/// # let mut file: std::fs::File = unimplemented!();
/// let mut download = ftp.retrieve_stream("big.iso")?;
/// let counter = download.counter();
/// std::thread::spawn(move || loop {
///     eprint!("\r{} bytes", counter.get());
///     std::thread::sleep(std::time::Duration::from_millis(100));
/// });
/// download.copy_to_file(&mut file)?;
/// download.finish()?;
/// # Ok::<(), ftp_client::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ByteCounter(Arc<AtomicU64>);

impl ByteCounter {
    /// Bytes moved so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// A counter of no transfer's own, at 0 (the ranges of a segmented
    /// download count into one).
    pub(crate) fn new() -> Self {
        ByteCounter(Arc::new(AtomicU64::new(0)))
    }

    /// Counts `bytes` more.
    pub(crate) fn add(&self, bytes: u64) {
        self.0.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// Emits a transfer stream's accessors of its [`DataState`] (`state`),
/// the same in both drivers.
macro_rules! stream_accessors {
    (download) => {
        /// The size the server announced in its 150 reply, if it did.
        pub fn size_hint(&self) -> Option<u64> {
            self.state.size_hint()
        }

        /// Bytes received so far.
        pub fn bytes(&self) -> u64 {
            self.state.bytes()
        }

        stream_accessors!(both);
    };
    (upload) => {
        /// Bytes sent so far.
        pub fn bytes(&self) -> u64 {
            self.state.bytes()
        }

        stream_accessors!(both);
    };
    (both) => {
        /// Over TLS, whether the data connection resumed the control
        /// connection's TLS session (servers such as vsftpd and proFTPD
        /// refuse one that does not); `None` in clear.
        pub fn tls_resumed(&self) -> Option<bool> {
            self.state.tls_resumed()
        }

        /// A handle that reads [`Self::bytes`] from another thread or task,
        /// e.g. for a progress bar; it costs one atomic add per read or
        /// write (splice or sendfile on the zero-copy paths).
        pub fn counter(&self) -> ByteCounter {
            self.state.counter()
        }
    };
}

/// One transfer's state, kept by its stream.
#[derive(Debug)]
pub(crate) struct DataState {
    /// What the server said when it accepted a download (`None` for an
    /// upload).
    start: Option<TransferStart>,
    /// Over TLS, whether the data connection resumed the control
    /// connection's TLS session; `None` in clear.
    resumed: Option<bool>,
    bytes: u64,
    /// `bytes`, for a [`ByteCounter`] elsewhere.
    counter: Arc<AtomicU64>,
    eof: bool,
    /// A TLS data connection ended without close_notify: acceptable only
    /// if the final reply is 2xx and the size agrees.
    unclean_end: bool,
    /// The error a read failed with, for `finish` to report instead of
    /// reading again.
    read_error: Option<io::Error>,
    finished: bool,
}

impl DataState {
    /// A download's state (`start` its 1xx) or an upload's (`None`).
    pub(crate) fn new(start: Option<TransferStart>, resumed: Option<bool>) -> Self {
        DataState {
            start,
            resumed,
            bytes: 0,
            counter: Arc::default(),
            eof: false,
            unclean_end: false,
            read_error: None,
            finished: false,
        }
    }

    /// `n` more bytes moved.
    pub(crate) fn count(&mut self, n: u64) {
        self.bytes += n;
        self.counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    pub(crate) fn counter(&self) -> ByteCounter {
        ByteCounter(self.counter.clone())
    }

    pub(crate) fn size_hint(&self) -> Option<u64> {
        self.start.as_ref().and_then(|start| start.size_hint)
    }

    pub(crate) fn tls_resumed(&self) -> Option<bool> {
        self.resumed
    }

    /// The data reached its end (a zero-copy read found it).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub(crate) fn end_of_data(&mut self) {
        self.eof = true;
    }

    /// Whether the data reached its end.
    pub(crate) fn at_eof(&self) -> bool {
        self.eof
    }

    /// A read of a buffer of `asked` bytes from the data connection (`tls`
    /// whether it runs TLS) gave `result`: counted, an end noted (a TLS end
    /// without close_notify is an end, judged by [`DataState::verdict`]),
    /// a failure kept for `finish`. Returns what the reader is to see.
    pub(crate) fn read(
        &mut self,
        result: io::Result<usize>,
        asked: usize,
        tls: bool,
    ) -> io::Result<usize> {
        match result {
            Ok(n) => {
                if n == 0 && asked > 0 {
                    self.eof = true;
                }
                self.count(n as u64);
                Ok(n)
            }
            Err(e) if tls && is_unclean_end(&e) => {
                self.unclean_end = true;
                self.eof = true;
                Ok(0)
            }
            Err(e) => {
                if e.kind() != io::ErrorKind::Interrupted {
                    self.read_error = Some(io::Error::new(e.kind(), e.to_string()));
                }
                Err(e)
            }
        }
    }

    /// The failure of a read through the stream's `Read`/`AsyncRead`, for
    /// `finish` to report (once) instead of reading again.
    pub(crate) fn take_read_error(&mut self, timeout: Duration) -> Option<Error> {
        let e = self.read_error.take()?;
        Some(Error::io_or_timeout("receiving data", e, timeout))
    }

    /// What `finish`'s one-byte probe for unread data found, as an error.
    pub(crate) fn probe_error(probe: io::Result<usize>, timeout: Duration) -> Option<Error> {
        match probe {
            Ok(0) => None,
            Ok(_) => Some(Error::io(
                "finishing the download",
                io::Error::other("the data was not read to its end"),
            )),
            Err(e) => Some(Error::io_or_timeout("receiving data", e, timeout)),
        }
    }

    /// Whether the transfer is over (finished, aborted or abandoned).
    pub(crate) fn is_finished(&self) -> bool {
        self.finished
    }

    /// Marks the transfer over; returns whether it already was.
    pub(crate) fn set_finished(&mut self) -> bool {
        std::mem::replace(&mut self.finished, true)
    }

    /// The verdict on a transfer the server confirmed: its byte count,
    /// unless its TLS data connection ended without close_notify and the
    /// session cannot confirm the size
    /// ([`TransferStart::accepts_unclean_end`]).
    pub(crate) fn verdict(&self) -> Result<u64> {
        let bytes = self.bytes;
        if !self.unclean_end {
            return Ok(bytes);
        }
        match &self.start {
            Some(start) if start.accepts_unclean_end(bytes) => {
                tracing::debug!(
                    "the TLS data connection ended without close_notify; accepted: the server \
                     confirmed the transfer and the {bytes} bytes announced arrived"
                );
                Ok(bytes)
            }
            start => Err(Error::Truncated {
                received: bytes,
                expected: start.as_ref().and_then(|start| start.size_hint),
            }),
        }
    }
}
