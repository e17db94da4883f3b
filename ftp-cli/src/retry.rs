//! `--retry`: which failures are worth another attempt, and how long to
//! wait before it.

use std::io;
use std::time::Duration;

/// How a transfer is retried (`--retry`, `--retry-delay`,
/// `--retry-max-time`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts after the first; 0 never retries.
    pub retries: u32,
    /// The wait before the first retry; each next one doubles it, up to
    /// [`MAX_DELAY`].
    pub delay: Duration,
    /// No retry starts once this much time has passed since the first
    /// attempt.
    pub max_time: Option<Duration>,
}

/// The longest wait between two attempts, as in curl.
pub const MAX_DELAY: Duration = Duration::from_secs(600);

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            retries: 0,
            delay: Duration::from_secs(1),
            max_time: None,
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1 for the first), with up to
    /// a quarter more at random (`jitter` in `0.0..1.0`) so that many
    /// clients do not come back at the same moment.
    pub fn delay_before(&self, retry: u32, jitter: f64) -> Duration {
        let doubled = self.delay.saturating_mul(
            1u32.checked_shl(retry.saturating_sub(1))
                .unwrap_or(u32::MAX),
        );
        let base = doubled.min(MAX_DELAY);
        base + base.mul_f64(jitter.clamp(0.0, 1.0) / 4.0)
    }

    /// Whether retry number `retry` may start, `elapsed` after the first
    /// attempt began, to wait `delay` first.
    pub fn allows(&self, retry: u32, elapsed: Duration, delay: Duration) -> bool {
        retry <= self.retries && self.max_time.is_none_or(|max| elapsed + delay <= max)
    }
}

/// Runs `attempt` until it succeeds, fails for good (a failure that is not
/// [`Failure::transient`](crate::ops::Failure)), or `policy` allows no
/// more retries; waits between attempts with backoff and jitter. With
/// `verbose`, each retry is one line on stderr. A signal during a wait
/// ends the retries.
pub fn run(
    policy: &RetryPolicy,
    verbose: bool,
    mut attempt: impl FnMut() -> Result<(), crate::ops::Failure>,
) -> Result<(), crate::ops::Failure> {
    let started = std::time::Instant::now();
    let mut retry = 0;
    loop {
        let failure = match attempt() {
            Ok(()) => return Ok(()),
            Err(failure) if !failure.transient => return Err(failure),
            Err(failure) => failure,
        };
        retry += 1;
        let delay = policy.delay_before(retry, jitter());
        if !policy.allows(retry, started.elapsed(), delay)
            || crate::interrupt::signalled().is_some()
        {
            return Err(failure);
        }
        if verbose {
            eprintln!(
                "ftp-cli: {failure}; retry {retry} of {} in {:.1} s",
                policy.retries,
                delay.as_secs_f64()
            );
        }
        let until = std::time::Instant::now() + delay;
        while let Some(left) = until.checked_duration_since(std::time::Instant::now()) {
            if left.is_zero() || crate::interrupt::signalled().is_some() {
                break;
            }
            std::thread::sleep(left.min(Duration::from_millis(50)));
        }
        if crate::interrupt::signalled().is_some() {
            return Err(failure);
        }
    }
}

/// Whether another attempt may succeed where this one failed: a refused,
/// reset or lost connection, a timeout, 421, or any 4xx reply. A 5xx is
/// the server's final word and is never retried, nor is a local problem.
pub fn is_transient(error: &ftp_client::Error) -> bool {
    use ftp_client::Error;
    match error {
        Error::Timeout { .. } => true,
        Error::Closed { .. } => true,
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

/// A number in `0.0..1.0` that differs from run to run, for jitter: the
/// clock's nanoseconds mixed with the process id (no randomness crate is
/// worth it for this).
pub fn jitter() -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut x = u64::from(nanos) ^ (u64::from(std::process::id()) << 32) ^ 0x9E37_79B9_7F4A_7C15;
    x ^= x >> 33;
    x = x.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    x ^= x >> 33;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_with_bounded_jitter() {
        let policy = RetryPolicy {
            retries: 20,
            delay: Duration::from_secs(1),
            max_time: None,
        };
        assert_eq!(policy.delay_before(1, 0.0), Duration::from_secs(1));
        assert_eq!(policy.delay_before(2, 0.0), Duration::from_secs(2));
        assert_eq!(policy.delay_before(4, 0.0), Duration::from_secs(8));
        assert_eq!(policy.delay_before(40, 0.0), MAX_DELAY);
        assert_eq!(policy.delay_before(1, 1.0), Duration::from_millis(1250));
        for _ in 0..100 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j), "{j}");
        }
    }

    #[test]
    fn retries_stop_at_the_count_and_the_time_limit() {
        let policy = RetryPolicy {
            retries: 2,
            delay: Duration::from_secs(1),
            max_time: Some(Duration::from_secs(10)),
        };
        let second = Duration::from_secs(1);
        assert!(policy.allows(1, Duration::ZERO, second));
        assert!(policy.allows(2, Duration::ZERO, second));
        assert!(!policy.allows(3, Duration::ZERO, second));
        assert!(!policy.allows(1, Duration::from_secs(9) + second, second));
        assert!(!RetryPolicy::default().allows(1, Duration::ZERO, second));
    }

    #[test]
    fn only_what_may_pass_is_transient() {
        use ftp_client::Error;
        let io = |kind| Error::Io {
            during: "x".into(),
            source: io::Error::from(kind),
        };
        assert!(is_transient(&io(io::ErrorKind::ConnectionRefused)));
        assert!(is_transient(&io(io::ErrorKind::ConnectionReset)));
        assert!(!is_transient(&io(io::ErrorKind::PermissionDenied)));
        assert!(is_transient(&Error::Timeout {
            during: "x".into(),
            after: Duration::from_secs(1)
        }));
        assert!(is_transient(&Error::Closed { reply: None }));
        assert!(!is_transient(&Error::InvalidUrl("x".into())));
    }
}
