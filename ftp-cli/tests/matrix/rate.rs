//! Rate limit cases: transfers held to `RateLimits`, checked by bytes
//! over time. A sampler reads the transfers' live counters (the
//! `Progress` observer's) every 20 ms; the bytes at each moment must stay
//! under the rate's worth (plus the bucket's 50 ms and one 50 ms chunk
//! per session), and the slope over the transfer's middle within 5 %
//! above the rate. From below the bound is loose (a third of the rate): a
//! loaded machine can only make a transfer slower.

use std::num::NonZeroU64;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ftp_client::engine::{
    Cancel, Direction, FileDownload, FileUpload, Progress, RateLimit, RateLimits, Transfer,
    TreeDownload, TreeOptions, TreeUpload,
};
use ftp_client::{ByteCounter, Client, Config};

use crate::ctx::{Ctx, absent, has_content, no_temporary_files, pattern};
use crate::harness::{Case, Group, Outcome};
use crate::target::Family;

/// The rate the cases are held to: 100 KiB/s.
const RATE: u64 = 100 * 1024;
/// About 2.5 s at [`RATE`].
const LEN: usize = 256_001;

pub fn group() -> Group {
    Group {
        name: "rate",
        families: &[Family::V4],
        cases: vec![
            Case::new("download_at_the_limit", download_at_the_limit),
            Case::new("upload_at_the_limit", upload_at_the_limit),
            Case::new("tree_download_total", tree_download_total),
            Case::new("tree_upload_total", tree_upload_total),
            Case::new("cli_cp_limit_rate", cli_cp_limit_rate),
            Case::new("cli_sync_limit_total", cli_sync_limit_total),
            Case::new("cli_remote_tree_limit_rate", cli_remote_tree_limit_rate),
            Case::new("cancel_ends_the_waits", cancel_ends_the_waits),
            Case::new("tokio_both_ways_at_the_limit", tokio_both_ways_at_the_limit),
            Case::new("waits_are_no_stall", waits_are_no_stall),
        ],
    }
}

fn rate(bytes_per_second: u64) -> NonZeroU64 {
    NonZeroU64::new(bytes_per_second).unwrap_or(NonZeroU64::MIN)
}

/// The live counters of every transfer started, and when the first was.
#[derive(Default)]
struct Counters(Mutex<(Option<Instant>, Vec<ByteCounter>)>);

impl Progress for Counters {
    fn started(&self, transfer: &Transfer) {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        seen.0.get_or_insert_with(Instant::now);
        seen.1.push(transfer.counter.clone());
    }
}

impl Counters {
    /// Seconds since the first transfer started, and the bytes of all.
    fn sample(&self) -> Option<(f64, u64)> {
        let seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let started = seen.0?;
        let bytes = seen.1.iter().map(ByteCounter::get).sum();
        Some((started.elapsed().as_secs_f64(), bytes))
    }
}

/// Runs `work` with `counters` sampled every 20 ms until it returns.
fn sampled<T>(counters: &Counters, work: impl FnOnce() -> T) -> (T, Vec<(f64, u64)>) {
    let done = AtomicBool::new(false);
    let samples = Mutex::new(Vec::new());
    let result = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::SeqCst) {
                if let Some(sample) = counters.sample() {
                    samples
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(sample);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        let result = work();
        done.store(true, Ordering::SeqCst);
        result
    });
    let samples = samples.into_inner().unwrap_or_else(|e| e.into_inner());
    (result, samples)
}

/// The bytes over time against `rate` for `sessions` at once moving
/// `total` bytes: never above the rate's worth (plus the bucket and a
/// chunk per session), the slope over the middle (from 0.25 s until the
/// last bytes) within 5 % above and above a third of it.
fn check_rate(samples: &[(f64, u64)], rate: u64, sessions: u64, total: u64) -> Outcome {
    let r = rate as f64;
    for &(t, bytes) in samples {
        let most = r * (1.02 * t + 0.05 + 0.05 * sessions as f64) + 8192.0;
        let within = bytes as f64 <= most;
        ensure!(
            within,
            "{bytes} bytes after {t:.3} s: more than {most:.0} at {rate} B/s"
        );
    }
    let middle: Vec<_> = samples
        .iter()
        .filter(|&&(t, bytes)| t >= 0.25 && bytes < total)
        .collect();
    let (Some(first), Some(last)) = (middle.first(), middle.last()) else {
        return Err(format!("no samples in the middle of the transfer: {samples:?}").into());
    };
    let span = last.0 - first.0;
    let long_enough = span >= 1.0;
    ensure!(long_enough, "a window of {span:.3} s only: {samples:?}");
    let slope = (last.1 - first.1) as f64 / span;
    let within = (r / 3.0..=1.05 * r).contains(&slope);
    ensure!(
        within,
        "{slope:.0} B/s over {span:.2} s against a limit of {rate} B/s"
    );
    let overall = total as f64 / samples.last().map_or(1.0, |s| s.0).max(0.001);
    let within = overall <= 1.05 * r + (0.05 + 0.05 * sessions as f64) * r;
    ensure!(within, "{overall:.0} B/s overall against {rate} B/s");
    Ok(())
}

fn download_at_the_limit(c: &Ctx) -> Outcome {
    let source = pattern(LEN, 61);
    c.put("src.bin", &source);
    let dst = c.local("dst.bin");
    let counters = Counters::default();
    let mut ftp = c.connect()?;
    let limits = RateLimits::new().each(Some(rate(RATE)));
    let (done, samples) = sampled(&counters, || {
        FileDownload::new(c.path("src.bin"), &dst)
            .limits(limits)
            .run(&mut ftp, &counters, &Cancel::new())
    });
    ensure!(done?.received == LEN as u64, "not all received");
    check_rate(&samples, RATE, 1, LEN as u64)?;
    has_content(&dst, &source)
}

fn upload_at_the_limit(c: &Ctx) -> Outcome {
    let source = pattern(LEN, 62);
    let src = c.write_local("up.bin", &source);
    c.put_dir("");
    let counters = Counters::default();
    let mut ftp = c.connect()?;
    let limits = RateLimits::new().each(Some(rate(RATE)));
    let (done, samples) = sampled(&counters, || {
        FileUpload::new(&src, c.path("up.bin")).limits(limits).run(
            &mut ftp,
            &counters,
            &Cancel::new(),
        )
    });
    ensure!(done?.sent == LEN as u64, "not all sent");
    check_rate(&samples, RATE, 1, LEN as u64)?;
    has_content(&c.on_server("up.bin"), &source)
}

/// Opens sessions as the target wants them, from any thread.
fn connector(c: &Ctx) -> impl Fn() -> Result<Client, ftp_client::Error> + Sync + use<> {
    let addr = c.addr;
    let config = c.with_tls(Config::default());
    let (user, password) = (c.target.login.user.clone(), c.target.login.password.clone());
    move || {
        let mut client = Client::connect(addr, config.clone())?;
        client.login(&user, &password)?;
        Ok(client)
    }
}

/// Three files of 100 KiB over three sessions sharing 150 KiB/s (each of
/// them allowed more): about 2 s.
const TREE_FILES: [&str; 3] = ["a.bin", "b.bin", "c.bin"];
const TREE_LEN: usize = 102_401;
const TOTAL: u64 = 150 * 1024;

fn tree_limits() -> RateLimits {
    RateLimits::new()
        .each(Some(rate(TOTAL)))
        .total(Some(RateLimit::new(rate(TOTAL))))
}

fn tree_download_total(c: &Ctx) -> Outcome {
    for (seed, name) in (63..).zip(TREE_FILES) {
        c.put(format!("tree/{name}"), &pattern(TREE_LEN, seed));
    }
    let counters = Counters::default();
    let (summary, samples) = sampled(&counters, || {
        TreeDownload::new(c.path("tree"), c.local_dir())
            .options(TreeOptions::default().jobs(3))
            .limits(tree_limits())
            .run(&connector(c), &counters, &Cancel::new())
    });
    let summary = summary?;
    ensure!(summary.is_success() && summary.files == 3, "{summary:?}");
    check_rate(&samples, TOTAL, 3, 3 * TREE_LEN as u64)?;
    has_content(&c.local("tree/b.bin"), &pattern(TREE_LEN, 64))
}

fn tree_upload_total(c: &Ctx) -> Outcome {
    for (seed, name) in (66..).zip(TREE_FILES) {
        c.write_local(format!("up/{name}"), &pattern(TREE_LEN, seed));
    }
    c.put_dir("");
    let counters = Counters::default();
    let (summary, samples) = sampled(&counters, || {
        TreeUpload::new(c.local("up"), c.path("up"))
            .options(TreeOptions::default().jobs(3))
            .limits(tree_limits())
            .run(&connector(c), &counters, &Cancel::new())
    });
    let summary = summary?;
    ensure!(summary.is_success() && summary.files == 3, "{summary:?}");
    check_rate(&samples, TOTAL, 3, 3 * TREE_LEN as u64)?;
    has_content(&c.on_server("up/c.bin"), &pattern(TREE_LEN, 68))
}

/// `cp --limit-rate 100K` of 250 KiB takes 2.4 s at least (the rate's
/// worth less the bucket and a chunk): an upper bound on the rate only.
fn cli_cp_limit_rate(c: &Ctx) -> Outcome {
    let source = pattern(LEN, 69);
    c.put("cli.bin", &source);
    let dst = c.local("cli.bin");
    let dst_text = dst.display().to_string();
    let started = Instant::now();
    c.cli(&["cp", "--limit-rate", "100K", &c.url("cli.bin"), &dst_text])?
        .expect_ok()?;
    let elapsed = started.elapsed().as_secs_f64();
    let least = (LEN as f64 - 0.1 * RATE as f64) / RATE as f64;
    let slow_enough = elapsed >= least;
    ensure!(
        slow_enough,
        "{LEN} bytes in {elapsed:.3} s: faster than 100K/s (at least {least:.3} s)"
    );
    has_content(&dst, &source)
}

/// A download and an upload at 1 KiB/s (each chunk then waits about a
/// second), cancelled after 300 ms: both end within a few seconds, and
/// leave nothing behind.
fn cancel_ends_the_waits(c: &Ctx) -> Outcome {
    c.put("slow.bin", &pattern(LEN, 70));
    let src = c.write_local("slow-up.bin", &pattern(LEN, 71));
    let dst = c.local("slow.bin");
    let limits = RateLimits::new().each(Some(rate(1024)));
    let mut ftp = c.connect()?;
    for upload in [false, true] {
        let cancel = Cancel::new();
        let started = Instant::now();
        let failed = std::thread::scope(|scope| {
            let handle = cancel.clone();
            scope.spawn(move || {
                std::thread::sleep(Duration::from_millis(300));
                handle.cancel();
            });
            if upload {
                FileUpload::new(&src, c.path("slow-up.bin"))
                    .limits(limits.clone())
                    .run(&mut ftp, &(), &cancel)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            } else {
                FileDownload::new(c.path("slow.bin"), &dst)
                    .limits(limits.clone())
                    .run(&mut ftp, &(), &cancel)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        });
        let elapsed = started.elapsed();
        ensure!(failed.is_err(), "upload {upload}: not cancelled");
        ensure!(
            elapsed < Duration::from_secs(5),
            "upload {upload}: cancelled after {elapsed:?}"
        );
    }
    absent(&dst)?;
    no_temporary_files(&[c.local_dir()])
}

/// At 2 KiB/s each 1 KiB chunk waits half a second; with a data timeout
/// of 400 ms the transfers still succeed: a wait is not a stalled
/// connection.
fn waits_are_no_stall(c: &Ctx) -> Outcome {
    let source = pattern(3 * 1024 + 5, 72);
    c.put("stall.bin", &source);
    let src = c.write_local("stall-up.bin", &source);
    let dst = c.local("stall.bin");
    let config = Config {
        data_timeout: Duration::from_millis(400),
        ..Config::default()
    };
    let mut ftp = c.connect_with(config)?;
    let limits = RateLimits::new().each(Some(rate(2048)));
    let started = Instant::now();
    FileDownload::new(c.path("stall.bin"), &dst)
        .limits(limits.clone())
        .run(&mut ftp, &(), &Cancel::new())?;
    FileUpload::new(&src, c.path("stall-up.bin"))
        .limits(limits)
        .run(&mut ftp, &(), &Cancel::new())?;
    let elapsed = started.elapsed();
    // Each way: 3 KiB and a bit at 2 KiB/s, less the first 1 KiB chunk.
    ensure!(
        elapsed >= Duration::from_secs(2),
        "both ways in {elapsed:?}: not held to 2 KiB/s"
    );
    has_content(&dst, &source)?;
    has_content(&c.on_server("stall-up.bin"), &source)?;
    tokio_waits_are_no_stall(c, &source)
}

/// The same with the async driver, whose data timeout is a timer of its
/// own: a rate limit's wait restarts it.
fn tokio_waits_are_no_stall(c: &Ctx, source: &[u8]) -> Outcome {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("a runtime: {e}"))?;
    let config = c.with_tls(Config {
        data_timeout: Duration::from_millis(400),
        ..Config::default()
    });
    let limits = RateLimits::new().each(Some(rate(2048)));
    let (user, password) = (&c.target.login.user, &c.target.login.password);
    let started = Instant::now();
    rt.block_on(async {
        let mut ftp = ftp_client::tokio::Client::connect(c.addr, config).await?;
        ftp.login(user, password).await?;
        let mut down = ftp.retrieve_stream(c.path("stall.bin")).await?;
        down.limit(&limits);
        let mut received = Vec::new();
        down.copy_to_end(&mut received).await?;
        down.finish().await?;
        ensure_same(&received, source)?;
        let mut up = ftp.store_stream(c.path("stall-async.bin")).await?;
        up.limit(&limits);
        up.copy_from(&mut &source[..]).await?;
        up.finish().await?;
        ftp.quit().await
    })?;
    let elapsed = started.elapsed();
    ensure!(
        elapsed >= Duration::from_secs(2),
        "async, both ways in {elapsed:?}: not held to 2 KiB/s"
    );
    has_content(&c.on_server("stall-async.bin"), source)
}

/// The async driver's `Download::limit` and `Upload::limit`, by bytes over
/// time as the blocking ones.
fn tokio_both_ways_at_the_limit(c: &Ctx) -> Outcome {
    let source = pattern(LEN, 73);
    c.put("async.bin", &source);
    c.put_dir("");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("a runtime: {e}"))?;
    let limits = RateLimits::new().each(Some(rate(RATE)));
    let config = c.with_tls(Config::default());
    let (user, password) = (&c.target.login.user, &c.target.login.password);
    let mut ftp = rt.block_on(async {
        let mut ftp = ftp_client::tokio::Client::connect(c.addr, config).await?;
        ftp.login(user, password).await?;
        Ok::<_, ftp_client::Error>(ftp)
    })?;
    for upload in [false, true] {
        let counters = Counters::default();
        let (moved, samples) = sampled(&counters, || {
            rt.block_on(async {
                if upload {
                    let mut up = ftp.store_stream(c.path("async-up.bin")).await?;
                    up.limit(&limits);
                    let shown = Transfer::new("up", Direction::Upload, None, 0, up.counter());
                    counters.started(&shown);
                    up.copy_from(&mut &source[..]).await?;
                    up.finish().await
                } else {
                    let mut down = ftp.retrieve_stream(c.path("async.bin")).await?;
                    down.limit(&limits);
                    let shown = Transfer::new("down", Direction::Download, None, 0, down.counter());
                    counters.started(&shown);
                    let mut received = Vec::new();
                    down.copy_to_end(&mut received).await?;
                    ensure_same(&received, &source)?;
                    down.finish().await
                }
            })
        });
        ensure!(moved? == LEN as u64, "upload {upload}: not all moved");
        check_rate(&samples, RATE, 1, LEN as u64)?;
    }
    has_content(&c.on_server("async-up.bin"), &source)
}

/// An error unless the bytes received are the source's.
fn ensure_same(received: &[u8], source: &[u8]) -> Result<(), ftp_client::Error> {
    if received == source {
        return Ok(());
    }
    Err(ftp_client::Error::Io {
        during: "comparing the download".into(),
        source: std::io::Error::other("the bytes differ from the source's"),
    })
}

/// `sync -j 3 --limit-total 150K` of three files of 100 KiB takes 1.8 s at
/// least (the rate's worth less the bucket and a chunk per session): an
/// upper bound on the rate only.
fn cli_sync_limit_total(c: &Ctx) -> Outcome {
    for (seed, name) in (74..).zip(TREE_FILES) {
        c.put(format!("mirror/{name}"), &pattern(TREE_LEN, seed));
    }
    let dst = c.local("mirror");
    let dst_text = dst.display().to_string();
    let started = Instant::now();
    c.cli(&[
        "--limit-total",
        "150K",
        "sync",
        "-j",
        "3",
        &c.url("mirror/"),
        &dst_text,
    ])?
    .expect_ok()?;
    let elapsed = started.elapsed().as_secs_f64();
    let total = 3.0 * TREE_LEN as f64;
    let least = (total - 0.2 * TOTAL as f64) / TOTAL as f64;
    let slow_enough = elapsed >= least;
    ensure!(
        slow_enough,
        "{total} bytes in {elapsed:.3} s: faster than 150K/s (at least {least:.3} s)"
    );
    has_content(&dst.join("b.bin"), &pattern(TREE_LEN, 75))
}

/// `cp -r --limit-rate 100K` between two directories of the server (the
/// tree streamed from one session into another) of 100 KiB takes 0.9 s at
/// least: the limit holds when both sides are remote too.
fn cli_remote_tree_limit_rate(c: &Ctx) -> Outcome {
    c.put("rtree/a.bin", &pattern(TREE_LEN, 80));
    let started = Instant::now();
    c.cli(&[
        "cp",
        "-r",
        "--limit-rate",
        "100K",
        &c.url("rtree"),
        &c.url("rcopy"),
    ])?
    .expect_ok()?;
    let elapsed = started.elapsed().as_secs_f64();
    let least = (TREE_LEN as f64 - 0.1 * RATE as f64) / RATE as f64;
    ensure!(
        elapsed >= least,
        "{TREE_LEN} bytes in {elapsed:.3} s: faster than 100K/s (at least {least:.3} s)"
    );
    has_content(&c.on_server("rcopy/a.bin"), &pattern(TREE_LEN, 80))
}
