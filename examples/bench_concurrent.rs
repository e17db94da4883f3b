//! Many sessions at once: SESSIONS concurrent sessions, each downloading
//! FILES small files, either as tokio tasks of the async client on one
//! runtime or as one thread per blocking client. Used by
//! `bench/concurrent.sh`.
//!
//! ```text
//! cargo run --release --example bench_concurrent -- async|threads [SESSIONS FILES [URL]]
//! ```
//!
//! Defaults: 100 sessions × 100 files. Without URL it starts the
//! in-process server (libunftp) itself, in this process, with FILES files
//! of 1 KiB in `many/`; with URL (e.g. from `cargo run --example serve`)
//! the files `many/f000` … must exist there, and this process holds only
//! the clients, so its peak RSS is theirs. The async mode runs on a
//! two-worker multi-thread runtime (the machine's cores); the blocking
//! mode on SESSIONS threads.
//!
//! Prints one line: `mode=M sessions=S files=N seconds=T files_per_s=R
//! peak_rss_kib=K` (peak RSS from `/proc/self/status`, Linux only; 0
//! elsewhere). Only the sessions are timed (connect, login, downloads,
//! QUIT), not the server's start.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use ftp_client::{Client, Config, FtpUrl};
use ftp_suite::TestServer;

const FILE_SIZE: usize = 1024;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Async,
    Threads,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match args.first().map(String::as_str) {
        Some("async") => Mode::Async,
        Some("threads") => Mode::Threads,
        _ => return usage("the first argument is async or threads"),
    };
    let number = |i: usize, default: usize| {
        args.get(i).map_or(Ok(default), |s| {
            s.parse::<usize>().map_err(|e| e.to_string())
        })
    };
    let (sessions, files) = match (number(1, 100), number(2, 100)) {
        (Ok(s), Ok(f)) if (1..=1000).contains(&s) && (1..=1000).contains(&f) => (s, f),
        _ => return usage("SESSIONS and FILES are numbers from 1 to 1000"),
    };
    // Without a URL: the in-process server, here.
    let mut server = None;
    let url = match args.get(3) {
        Some(url) => url.clone(),
        None => {
            let started = TestServer::start();
            if let Err(e) = make_files(started.root(), files) {
                eprintln!("bench_concurrent: making the files: {e}");
                return ExitCode::FAILURE;
            }
            let url = started.url("");
            server = Some(started);
            url
        }
    };
    let url = match FtpUrl::parse(&url) {
        Ok(url) => url,
        Err(e) => return usage(&format!("bad URL: {e}")),
    };
    let started = Instant::now();
    let outcome = match mode {
        Mode::Async => with_tasks(&url, sessions, files),
        Mode::Threads => with_threads(&url, sessions, files),
    };
    let seconds = started.elapsed().as_secs_f64();
    drop(server);
    match outcome {
        Ok(downloaded) => {
            println!(
                "mode={} sessions={sessions} files={downloaded} seconds={seconds:.3} \
                 files_per_s={:.0} peak_rss_kib={}",
                if mode == Mode::Async {
                    "async"
                } else {
                    "threads"
                },
                downloaded as f64 / seconds,
                peak_rss_kib()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench_concurrent: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage(why: &str) -> ExitCode {
    eprintln!("bench_concurrent: {why}");
    eprintln!("usage: bench_concurrent async|threads [SESSIONS FILES [URL]]");
    ExitCode::from(2)
}

/// `many/f000` … in `root`, 1 KiB each.
fn make_files(root: &std::path::Path, files: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(root.join("many"))?;
    for i in 0..files {
        let content: Vec<u8> = (0..FILE_SIZE).map(|b| (b + i) as u8).collect();
        std::fs::write(root.join(format!("many/f{i:03}")), content)?;
    }
    Ok(())
}

fn config() -> Config {
    Config {
        connect_timeout: Duration::from_secs(30),
        ..Config::default()
    }
}

/// One session, blocking: connect, FILES downloads, QUIT.
fn blocking_session(url: &FtpUrl, files: usize) -> Result<usize, ftp_client::Error> {
    let mut ftp = Client::connect_url(url, config())?;
    let mut buf = Vec::with_capacity(FILE_SIZE);
    for i in 0..files {
        buf.clear();
        ftp.retrieve(format!("many/f{i:03}"), &mut buf)?;
        check(&buf)?;
    }
    ftp.quit()?;
    Ok(files)
}

/// One session, async.
async fn async_session(url: &FtpUrl, files: usize) -> Result<usize, ftp_client::Error> {
    let mut ftp = ftp_client::tokio::Client::connect_url(url, config()).await?;
    let mut buf = Vec::with_capacity(FILE_SIZE);
    for i in 0..files {
        buf.clear();
        ftp.retrieve(format!("many/f{i:03}"), &mut buf).await?;
        check(&buf)?;
    }
    ftp.quit().await?;
    Ok(files)
}

fn check(buf: &[u8]) -> Result<(), ftp_client::Error> {
    if buf.len() == FILE_SIZE {
        Ok(())
    } else {
        Err(ftp_client::Error::Internal(format!(
            "a file of {} bytes, not {FILE_SIZE}",
            buf.len()
        )))
    }
}

fn with_threads(url: &FtpUrl, sessions: usize, files: usize) -> Result<usize, String> {
    let handles: Vec<_> = (0..sessions)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || blocking_session(&url, files))
        })
        .collect();
    let mut total = 0;
    for handle in handles {
        match handle.join() {
            Ok(Ok(n)) => total += n,
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => return Err("a session thread panicked".to_owned()),
        }
    }
    Ok(total)
}

fn with_tasks(url: &FtpUrl, sessions: usize, files: usize) -> Result<usize, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("starting tokio: {e}"))?;
    runtime.block_on(async {
        let tasks: Vec<_> = (0..sessions)
            .map(|_| {
                let url = url.clone();
                tokio::spawn(async move { async_session(&url, files).await })
            })
            .collect();
        let mut total = 0;
        for task in tasks {
            match task.await {
                Ok(Ok(n)) => total += n,
                Ok(Err(e)) => return Err(e.to_string()),
                Err(e) => return Err(format!("a session task failed: {e}")),
            }
        }
        Ok(total)
    })
}

/// The process's peak resident set size (VmHWM), in KiB; 0 if unknown.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}
