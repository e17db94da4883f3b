//! Rate limits: [`RateLimit`], a token bucket shared between the sessions
//! that draw on it, and [`RateLimits`], what a transfer is held to (its
//! own rate and a shared total).

use std::fmt;
use std::num::NonZeroU64;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The share of a second a bucket holds and a transfer moves between two
/// waits: 50 ms of data, so that the bytes moved stay within 50 ms of the
/// rate's worth at any moment (well inside ±5 % over a few seconds).
const SLICE: f64 = 0.05;

/// The smallest chunk a limited transfer reads or sends at once.
const MIN_CHUNK: usize = 1024;

/// The largest: the unlimited transfers' buffer.
const MAX_CHUNK: usize = 256 * 1024;

/// How often a wait checks whether its transfer was cancelled.
const POLL: Duration = Duration::from_millis(20);

/// A rate limit in bytes per second: a token bucket that any number of
/// transfers, on any threads, draw on together. Clones share the bucket,
/// so one `RateLimit` given to every session of a pool limits their sum
/// ([`RateLimits::total`]).
///
/// The bucket holds at most 50 ms worth of bytes, so a transfer that was
/// idle cannot burst beyond that, and the bytes moved by time *t* stay
/// within about 50 ms worth of `rate × t`.
///
/// It parses from curl's `--limit-rate` syntax: bytes per second, with an
/// optional suffix `K`, `M`, `G` or `T` in either case, 1024-based.
///
/// ```
/// use ftp_client::RateLimit;
///
/// let limit: RateLimit = "500K".parse()?;
/// assert_eq!(limit.bytes_per_second(), 500 * 1024);
/// assert!("0".parse::<RateLimit>().is_err());
/// assert!("fast".parse::<RateLimit>().is_err());
/// // Shared: both clones draw on one bucket.
/// let pool = limit.clone();
/// # let _ = pool;
/// # Ok::<(), ftp_client::ParseRateError>(())
/// ```
#[derive(Clone)]
pub struct RateLimit(Arc<Bucket>);

struct Bucket {
    rate: NonZeroU64,
    state: Mutex<State>,
}

struct State {
    /// Negative: owed, to be waited for.
    tokens: f64,
    at: Instant,
}

impl RateLimit {
    /// A limit of `bytes_per_second`, its bucket full.
    pub fn new(bytes_per_second: NonZeroU64) -> Self {
        Self::starting_at(bytes_per_second, Instant::now())
    }

    fn starting_at(rate: NonZeroU64, now: Instant) -> Self {
        let bucket = Bucket {
            rate,
            state: Mutex::new(State {
                tokens: burst(rate),
                at: now,
            }),
        };
        RateLimit(Arc::new(bucket))
    }

    /// The rate, in bytes per second.
    pub fn bytes_per_second(&self) -> u64 {
        self.0.rate.get()
    }

    /// Takes `bytes` from the bucket at `now`; how long to wait before
    /// moving more (zero if the bucket held them).
    fn take_at(&self, bytes: u64, now: Instant) -> Duration {
        let rate = self.0.rate.get() as f64;
        let mut state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        let elapsed = now.saturating_duration_since(state.at).as_secs_f64();
        state.tokens = (state.tokens + elapsed * rate).min(burst(self.0.rate));
        state.at = state.at.max(now);
        state.tokens -= bytes as f64;
        if state.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-state.tokens / rate)
        }
    }
}

/// The bytes a bucket of `rate` holds at most.
fn burst(rate: NonZeroU64) -> f64 {
    (rate.get() as f64 * SLICE).max(MIN_CHUNK as f64)
}

impl fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RateLimit").field(&self.0.rate).finish()
    }
}

/// A rate that is not curl's `--limit-rate` syntax, or is zero.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid rate {text:?}: expected bytes per second above zero, such as 500K, 10M or 1G")]
pub struct ParseRateError {
    /// What was given.
    pub text: String,
}

impl FromStr for RateLimit {
    type Err = ParseRateError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_rate(text)
            .and_then(NonZeroU64::new)
            .map(RateLimit::new)
            .ok_or_else(|| ParseRateError {
                text: text.to_owned(),
            })
    }
}

/// Bytes per second from curl's syntax: digits, then an optional `K`,
/// `M`, `G` or `T` (1024-based, either case).
fn parse_rate(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, suffix) = text.split_at(split);
    let number: u64 = digits.parse().ok()?;
    let shift = match suffix.to_ascii_lowercase().as_str() {
        "" => 0,
        "k" => 10,
        "m" => 20,
        "g" => 30,
        "t" => 40,
        _ => return None,
    };
    number.checked_mul(1u64 << shift)
}

/// What each transfer is held to: its own rate ([`RateLimits::each`],
/// a bucket of its own per transfer, curl's `--limit-rate`) and a rate
/// shared with every other transfer given the same [`RateLimit`]
/// ([`RateLimits::total`]). The default limits nothing.
///
/// Give it to a transfer with [`Download::limit`](crate::Download::limit)
/// or [`Upload::limit`](crate::Upload::limit), or to the engine's
/// [`FileDownload`](crate::engine::FileDownload),
/// [`FileUpload`](crate::engine::FileUpload),
/// [`FileCopy`](crate::engine::copy::FileCopy) and
/// [`TreeOptions`](crate::engine::TreeOptions). A limited transfer moves
/// its bytes through memory in chunks of about 50 ms worth, waiting
/// between them (no splice or sendfile); a cancelled transfer stops
/// waiting at once.
///
/// ```no_run
/// use std::num::NonZeroU64;
/// use ftp_client::{Client, Config, RateLimit, RateLimits};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // Each transfer at most 1 MiB/s, all of them together 3 MiB/s.
/// let limits = RateLimits::new()
///     .each(NonZeroU64::new(1 << 20))
///     .total(Some("3M".parse::<RateLimit>()?));
/// let mut ftp = Client::connect("127.0.0.1:2121", Config::default())?;
/// ftp.login("demo", "password")?;
/// let mut download = ftp.retrieve_stream("big.iso")?;
/// download.limit(&limits);
/// download.copy_to_end(&mut std::io::sink())?;
/// download.finish()?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct RateLimits {
    each: Option<NonZeroU64>,
    total: Option<RateLimit>,
    /// The `each` rate as one bucket shared by the transfers of one file
    /// (the ranges of a segmented download): [`RateLimits::per_file`].
    file: Option<RateLimit>,
}

impl RateLimits {
    /// No limit.
    pub fn new() -> Self {
        RateLimits::default()
    }

    /// Each transfer at most `rate` bytes per second (`None`: no limit of
    /// its own).
    pub fn each(mut self, rate: Option<NonZeroU64>) -> Self {
        self.each = rate;
        self
    }

    /// All the transfers given this `total` (or a clone) at most its rate
    /// together.
    pub fn total(mut self, total: Option<RateLimit>) -> Self {
        self.total = total;
        self
    }

    /// Whether anything is limited.
    pub fn is_limited(&self) -> bool {
        self.each.is_some() || self.total.is_some() || self.file.is_some()
    }

    /// The throttle of one transfer: a bucket of its own, and the shared
    /// one; `None` when nothing is limited.
    pub(crate) fn throttle(&self) -> Option<Throttle> {
        if !self.is_limited() {
            return None;
        }
        Some(Throttle {
            each: self.file.clone().or_else(|| self.each.map(RateLimit::new)),
            total: self.total.clone(),
        })
    }

    /// The same limits for the several transfers of one file (the ranges
    /// of a segmented download): the rate of each transfer is one bucket
    /// they share, so the file as a whole moves at it.
    pub(crate) fn per_file(&self) -> RateLimits {
        RateLimits {
            each: None,
            total: self.total.clone(),
            file: self.each.map(RateLimit::new),
        }
    }
}

/// The limits one transfer is under.
#[derive(Debug)]
pub(crate) struct Throttle {
    each: Option<RateLimit>,
    total: Option<RateLimit>,
}

impl Throttle {
    fn limits(&self) -> impl Iterator<Item = &RateLimit> {
        self.each.iter().chain(self.total.iter())
    }

    /// The most to move at once: 50 ms of the lowest rate.
    pub(crate) fn chunk(&self) -> usize {
        let lowest = self
            .limits()
            .map(|l| l.bytes_per_second())
            .min()
            .unwrap_or(u64::MAX);
        let chunk = (lowest as f64 * SLICE) as u64;
        usize::try_from(chunk)
            .unwrap_or(MAX_CHUNK)
            .clamp(MIN_CHUNK, MAX_CHUNK)
    }

    /// Accounts for `bytes` moved at `now`: how long to wait before
    /// moving more.
    pub(crate) fn delay_at(&self, bytes: u64, now: Instant) -> Duration {
        self.limits()
            .map(|l| l.take_at(bytes, now))
            .max()
            .unwrap_or_default()
    }

    /// Accounts for `bytes` moved and waits as the limits say, returning
    /// early once `cancelled` is set.
    pub(crate) fn wait(&self, bytes: u64, cancelled: &AtomicBool) {
        let now = Instant::now();
        let until = now + self.delay_at(bytes, now);
        while !cancelled.load(Ordering::SeqCst) {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            std::thread::sleep(left.min(POLL));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(rate: u64, now: Instant) -> RateLimit {
        RateLimit::starting_at(NonZeroU64::new(rate).unwrap(), now)
    }

    #[test]
    fn parses_curl_syntax() {
        let rate = |s: &str| s.parse::<RateLimit>().map(|l| l.bytes_per_second());
        assert_eq!(rate("1000"), Ok(1000));
        assert_eq!(rate("500K"), Ok(500 * 1024));
        assert_eq!(rate("500k"), Ok(500 * 1024));
        assert_eq!(rate("10M"), Ok(10 << 20));
        assert_eq!(rate("1g"), Ok(1 << 30));
        assert_eq!(rate("2T"), Ok(2 << 40));
        for bad in [
            "",
            "0",
            "0K",
            "K",
            "-5",
            "1.5M",
            "10X",
            "10KB",
            "fast",
            "99999999999T",
        ] {
            let error = rate(bad).unwrap_err();
            assert_eq!(error.text, bad);
            assert!(error.to_string().contains("500K"), "{error}");
        }
    }

    #[test]
    fn a_full_bucket_then_the_rate() {
        let t0 = Instant::now();
        let bucket = limit(100_000, t0);
        // 50 ms worth is there at once.
        assert_eq!(bucket.take_at(5_000, t0), Duration::ZERO);
        // Then each byte costs its time.
        assert_eq!(bucket.take_at(10_000, t0), Duration::from_millis(100));
        // Paid off 100 ms later, and 1 s later the bucket is full again
        // but no fuller.
        let later = t0 + Duration::from_millis(1100);
        assert_eq!(bucket.take_at(5_000, later), Duration::ZERO);
        assert_eq!(bucket.take_at(1_000, later), Duration::from_millis(10));
    }

    #[test]
    fn a_steady_taker_gets_the_rate() {
        // A transfer that takes 4 KiB, waits as told, and takes again:
        // after 10 simulated seconds it moved the rate's worth, within the
        // bucket's 50 ms.
        let t0 = Instant::now();
        let rate = 300_000u64;
        let bucket = limit(rate, t0);
        let (mut now, mut moved) = (t0, 0u64);
        while now < t0 + Duration::from_secs(10) {
            now += bucket.take_at(4096, now);
            moved += 4096;
        }
        let expected = rate as f64 * 10.0;
        let error = (moved as f64 - expected).abs() / expected;
        assert!(error < 0.01, "moved {moved}, expected {expected}");
    }

    #[test]
    fn clones_share_one_bucket() {
        let t0 = Instant::now();
        let a = limit(10_000, t0);
        let b = a.clone();
        assert_eq!(a.take_at(1_024, t0), Duration::ZERO);
        // b pays for a's bytes too.
        assert_eq!(b.take_at(1_000, t0), Duration::from_millis(100));
        assert_eq!(a.take_at(1_000, t0), Duration::from_millis(200));
    }

    #[test]
    fn a_clock_going_back_is_no_credit() {
        let t0 = Instant::now() + Duration::from_secs(1);
        let bucket = limit(1_000, t0);
        assert_eq!(bucket.take_at(1_024, t0), Duration::ZERO);
        let earlier = t0 - Duration::from_millis(500);
        assert_eq!(bucket.take_at(100, earlier), Duration::from_millis(100));
    }

    #[test]
    fn chunks_are_50_ms_of_the_lowest_rate() {
        let limits = RateLimits::new()
            .each(NonZeroU64::new(200_000))
            .total(Some(RateLimit::new(NonZeroU64::new(100_000).unwrap())));
        assert_eq!(limits.throttle().unwrap().chunk(), 5_000);
        let fast = RateLimits::new().each(NonZeroU64::new(1 << 40));
        assert_eq!(fast.throttle().unwrap().chunk(), MAX_CHUNK);
        let slow = RateLimits::new().each(NonZeroU64::new(1));
        assert_eq!(slow.throttle().unwrap().chunk(), MIN_CHUNK);
        assert!(RateLimits::new().throttle().is_none());
    }

    #[test]
    fn a_cancelled_wait_ends_at_once() {
        let limits = RateLimits::new().each(NonZeroU64::new(1));
        let throttle = limits.throttle().unwrap();
        let started = Instant::now();
        // An hour's worth, cancelled already.
        throttle.wait(3_600, &AtomicBool::new(true));
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
