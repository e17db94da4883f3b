//! [`RetryPolicy`]: which failures may pass, how long to wait before the
//! next attempt, and when to stop.

use std::fmt;
use std::io;
use std::time::{Duration, Instant};

use super::{Cancel, Progress, Retry};
use crate::Error;

/// The longest wait between two attempts, as in curl.
pub const MAX_DELAY: Duration = Duration::from_secs(600);

/// How a failed operation is attempted again: how many times, after which
/// waits, and for how long in all.
///
/// The wait before retry `n` is the first delay times `factor^(n-1)`, at
/// most the policy's longest delay, plus up to a quarter more at random
/// (jitter, so that many clients do not come back at the same moment).
/// [`RetryPolicy::new`] has curl's `--retry` semantics: 1 s, doubling up
/// to [`MAX_DELAY`]. Only failures that may pass ([`Retryable`]) are
/// retried, and none after [`Cancel::cancel`].
///
/// ```
/// use std::time::Duration;
/// use ftp_client::engine::RetryPolicy;
///
/// // curl --retry 5 --retry-delay 2 --retry-max-time 60
/// let policy = RetryPolicy::new(5)
///     .with_delay(Duration::from_secs(2))
///     .with_max_time(Some(Duration::from_secs(60)));
/// assert_eq!(policy.delay_before(3, 0.0), Duration::from_secs(8));
/// assert!(!policy.allows(6, Duration::ZERO, Duration::ZERO));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    retries: u32,
    delay: Duration,
    factor: u32,
    max_delay: Duration,
    max_time: Option<Duration>,
}

impl Default for RetryPolicy {
    /// Never retries ([`RetryPolicy::never`]).
    fn default() -> Self {
        RetryPolicy::never()
    }
}

impl RetryPolicy {
    /// No retry at all: the first failure is the result.
    pub const fn never() -> Self {
        RetryPolicy::new(0)
    }

    /// Up to `retries` attempts after the first, as curl's `--retry`: the
    /// first wait 1 s, each next one doubled, at most [`MAX_DELAY`], no
    /// time limit.
    pub const fn new(retries: u32) -> Self {
        RetryPolicy {
            retries,
            delay: Duration::from_secs(1),
            factor: 2,
            max_delay: MAX_DELAY,
            max_time: None,
        }
    }

    /// Two quick retries in the same session, 10 ms then 300 ms later: for
    /// a refusal that is usually gone at the next attempt (Pure-FTPd's
    /// "425 Unable to identify the local data socket" when the passive
    /// port it drew is still in TIME_WAIT: the next EPSV draws another),
    /// as a pool of sessions meets under load.
    pub const fn quick() -> Self {
        RetryPolicy {
            retries: 2,
            delay: Duration::from_millis(10),
            factor: 30,
            max_delay: Duration::from_millis(300),
            max_time: None,
        }
    }

    /// The same policy with `retries` attempts after the first.
    pub const fn with_retries(self, retries: u32) -> Self {
        RetryPolicy { retries, ..self }
    }

    /// The same policy waiting `delay` before the first retry (curl's
    /// `--retry-delay`).
    pub const fn with_delay(self, delay: Duration) -> Self {
        RetryPolicy { delay, ..self }
    }

    /// The same policy starting no retry once `max_time` has passed since
    /// the first attempt began (curl's `--retry-max-time`); `None` for no
    /// limit.
    pub const fn with_max_time(self, max_time: Option<Duration>) -> Self {
        RetryPolicy { max_time, ..self }
    }

    /// Attempts after the first.
    pub const fn retries(&self) -> u32 {
        self.retries
    }

    /// The wait before the first retry.
    pub const fn delay(&self) -> Duration {
        self.delay
    }

    /// The wait before retry number `retry` (1 for the first), with up to
    /// a quarter more as `jitter` (in `0.0..1.0`, see [`jitter`]) says.
    pub fn delay_before(&self, retry: u32, jitter: f64) -> Duration {
        let multiplier = self
            .factor
            .checked_pow(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let base = self.delay.saturating_mul(multiplier).min(self.max_delay);
        base + base.mul_f64(jitter.clamp(0.0, 1.0) / 4.0)
    }

    /// Whether retry number `retry` may start, `elapsed` after the first
    /// attempt began, to wait `delay` first.
    pub fn allows(&self, retry: u32, elapsed: Duration, delay: Duration) -> bool {
        retry <= self.retries
            && self
                .max_time
                .is_none_or(|max| elapsed.saturating_add(delay) <= max)
    }

    /// Waits before retry number `retry` of attempts that began at
    /// `started`, if the policy allows it; false (at once, or as soon as
    /// `cancel` fires during the wait) if it does not or the work was
    /// cancelled. For loops that cannot hand [`RetryPolicy::run`] a
    /// closure.
    pub fn pause(&self, retry: u32, started: Instant, cancel: &Cancel) -> bool {
        let delay = self.delay_before(retry, jitter());
        self.allows(retry, started.elapsed(), delay)
            && !cancel.is_cancelled()
            && cancel.sleep(delay)
    }

    /// Runs `attempt` (given its number, 0 for the first) until it
    /// succeeds, fails for good (a failure that is not
    /// [`Retryable::is_retryable`]), the policy allows no more retries or
    /// `cancel` fires; waits between attempts with backoff and jitter.
    /// Each retry is reported to `progress` ([`Progress::retrying`]) and to
    /// `tracing` at trace level, `what` naming the operation. Returns the
    /// last attempt's result.
    pub fn run<T, E: Retryable + fmt::Display>(
        &self,
        cancel: &Cancel,
        progress: &dyn Progress,
        what: &str,
        mut attempt: impl FnMut(u32) -> Result<T, E>,
    ) -> Result<T, E> {
        let started = Instant::now();
        let mut retry = 0;
        loop {
            let error = match attempt(retry) {
                Err(error) if error.is_retryable() => error,
                result => return result,
            };
            retry += 1;
            let delay = self.delay_before(retry, jitter());
            if !self.allows(retry, started.elapsed(), delay) || cancel.is_cancelled() {
                return Err(error);
            }
            tracing::trace!(
                "{what}: {error}; retry {retry} of {} in {delay:?}",
                self.retries
            );
            progress.retrying(&Retry {
                what,
                retry,
                retries: self.retries,
                delay,
                error: &error,
            });
            if !cancel.sleep(delay) {
                return Err(error);
            }
        }
    }
}

/// A failure that knows whether another attempt may succeed.
pub trait Retryable {
    /// Whether the same request may succeed if made again.
    fn is_retryable(&self) -> bool;
}

impl Retryable for Error {
    /// [`is_transient`].
    fn is_retryable(&self) -> bool {
        is_transient(self)
    }
}

/// Whether another attempt may succeed where this one failed: the one
/// definition every retry of the engine uses.
///
/// Transient: a refused, reset or lost connection, a timeout, the server
/// closing the session (421 or without a word), and any 4xx refusal
/// ([`Error::is_transient`]: the reply class RFC 959 calls transient).
/// Never a 5xx (the server's final word), nor a local problem: a bad URL,
/// argument or use of the API, a TLS failure (an untrusted certificate
/// stays untrusted), an unsupported feature, a broken protocol.
///
/// ```
/// use ftp_client::{Error, Reply, ReplyCode, engine::is_transient};
///
/// let refused = |code| Error::Refused {
///     command: "RETR a".into(),
///     reply: Reply::new(ReplyCode::new(code).unwrap(), vec!["no".into()]),
/// };
/// assert!(is_transient(&refused(425)));
/// assert!(!is_transient(&refused(550)));
/// assert!(is_transient(&Error::Closed { reply: None }));
/// assert!(!is_transient(&Error::InvalidUrl("ftp//x".into())));
/// ```
pub fn is_transient(error: &Error) -> bool {
    match error {
        Error::Timeout { .. } | Error::Closed { .. } => true,
        Error::Refused { .. } => error.is_transient(),
        Error::Io { source, .. } => matches!(
            source.kind(),
            io::ErrorKind::ConnectionRefused
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof
                | io::ErrorKind::TimedOut
                | io::ErrorKind::NotConnected
        ),
        _ => false,
    }
}

/// A number in `0.0..1.0` that differs from call to call and run to run,
/// for jitter: the clock's nanoseconds, the process id and a counter,
/// mixed (no randomness crate is worth it for this).
pub fn jitter() -> f64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let calls = CALLS.fetch_add(1, Ordering::Relaxed);
    let mut x = u64::from(nanos)
        ^ (u64::from(std::process::id()) << 32)
        ^ calls.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 33;
    x = x.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    x ^= x >> 33;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Reply, ReplyCode};

    fn refused(code: u16) -> Error {
        Error::Refused {
            command: "RETR a".into(),
            reply: Reply::new(ReplyCode::new(code).unwrap(), vec!["x".into()]),
        }
    }

    #[test]
    fn delays_grow_up_to_the_cap_with_bounded_jitter() {
        let policy = RetryPolicy::new(20);
        assert_eq!(policy.delay_before(1, 0.0), Duration::from_secs(1));
        assert_eq!(policy.delay_before(2, 0.0), Duration::from_secs(2));
        assert_eq!(policy.delay_before(4, 0.0), Duration::from_secs(8));
        assert_eq!(policy.delay_before(40, 0.0), MAX_DELAY);
        assert_eq!(policy.delay_before(1, 1.0), Duration::from_millis(1250));
        assert_eq!(policy.delay_before(1, 7.0), Duration::from_millis(1250));
        let quick = RetryPolicy::quick();
        assert_eq!(quick.delay_before(1, 0.0), Duration::from_millis(10));
        assert_eq!(quick.delay_before(2, 0.0), Duration::from_millis(300));
        assert_eq!(quick.delay_before(9, 0.0), Duration::from_millis(300));
        for _ in 0..100 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j), "{j}");
        }
        assert_ne!(jitter(), jitter());
    }

    #[test]
    fn retries_stop_at_the_count_and_the_time_limit() {
        let policy = RetryPolicy::new(2).with_max_time(Some(Duration::from_secs(10)));
        let second = Duration::from_secs(1);
        assert!(policy.allows(1, Duration::ZERO, second));
        assert!(policy.allows(2, Duration::ZERO, second));
        assert!(!policy.allows(3, Duration::ZERO, second));
        assert!(!policy.allows(1, Duration::from_secs(9) + second, second));
        assert!(!RetryPolicy::default().allows(1, Duration::ZERO, second));
        assert!(!RetryPolicy::quick().allows(3, Duration::ZERO, Duration::ZERO));
    }

    #[test]
    fn only_what_may_pass_is_transient() {
        let io = |kind| Error::Io {
            during: "x".into(),
            source: io::Error::from(kind),
        };
        assert!(is_transient(&io(io::ErrorKind::ConnectionRefused)));
        assert!(is_transient(&io(io::ErrorKind::ConnectionReset)));
        assert!(is_transient(&io(io::ErrorKind::UnexpectedEof)));
        assert!(!is_transient(&io(io::ErrorKind::PermissionDenied)));
        assert!(!is_transient(&io(io::ErrorKind::NotFound)));
        assert!(is_transient(&Error::Timeout {
            during: "x".into(),
            after: Duration::from_secs(1)
        }));
        assert!(is_transient(&Error::Closed { reply: None }));
        assert!(is_transient(&Error::Closed {
            reply: Some(Reply::new(ReplyCode::new(421).unwrap(), vec!["bye".into()]))
        }));
        assert!(is_transient(&refused(421)));
        assert!(is_transient(&refused(425)));
        assert!(is_transient(&refused(450)));
        assert!(!is_transient(&refused(500)));
        assert!(!is_transient(&refused(550)));
        assert!(!is_transient(&refused(553)));
        assert!(!is_transient(&Error::InvalidUrl("x".into())));
        assert!(!is_transient(&Error::Usage(ftp_proto::UsageError::Closed)));
        assert!(!is_transient(&Error::Unsupported { feature: "MFMT" }));
        assert!(!is_transient(&Error::Tls {
            during: "TLS handshake".into(),
            source: rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        }));
    }

    #[test]
    fn run_retries_what_may_pass_and_stops_on_a_5xx() {
        let policy = RetryPolicy::new(5).with_delay(Duration::ZERO);
        let cancel = Cancel::new();
        let mut calls = 0;
        let result: Result<(), Error> = policy.run(&cancel, &(), "RETR a", |n| {
            assert_eq!(n, calls);
            calls += 1;
            Err(if calls < 3 {
                refused(425)
            } else {
                refused(550)
            })
        });
        assert_eq!(result.unwrap_err().code(), Some(550));
        assert_eq!(calls, 3);
        let mut calls = 0;
        let result: Result<(), Error> = policy.with_retries(2).run(&cancel, &(), "x", |_| {
            calls += 1;
            Err(refused(421))
        });
        assert!(result.is_err());
        assert_eq!(calls, 3, "the first attempt and two retries");
    }

    #[test]
    fn run_reports_each_retry_and_stops_when_cancelled() {
        use std::sync::Mutex;
        #[derive(Default)]
        struct Seen(Mutex<Vec<(u32, u32, String)>>);
        impl Progress for Seen {
            fn retrying(&self, retry: &Retry<'_>) {
                let mut seen = self.0.lock().unwrap();
                seen.push((retry.retry, retry.retries, retry.error.to_string()));
            }
        }
        let seen = Seen::default();
        let policy = RetryPolicy::new(3).with_delay(Duration::ZERO);
        let cancel = Cancel::new();
        let result = policy.run(&cancel, &seen, "x", |n| {
            if n < 2 {
                Err(Error::Closed { reply: None })
            } else {
                Ok(n)
            }
        });
        assert_eq!(result.unwrap(), 2);
        let seen = seen.0.into_inner().unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!((seen[1].0, seen[1].1), (2, 3));
        assert!(seen[0].2.contains("closed"), "{seen:?}");

        let mut calls = 0;
        let result: Result<(), Error> = policy.run(&cancel, &(), "x", |_| {
            calls += 1;
            cancel.cancel();
            Err(Error::Closed { reply: None })
        });
        assert!(result.is_err());
        assert_eq!(calls, 1, "no retry after cancel");
        let slow = RetryPolicy::new(1).with_delay(Duration::from_secs(60));
        let started = Instant::now();
        assert!(!slow.pause(1, started, &cancel));
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}
