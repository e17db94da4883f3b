//! Cancellation of the async client (`ftp_client::tokio`): a RETR, a STOR
//! and a LIST future, and download and upload streams, dropped at every
//! point where they wait, against the in-process server in clear and over
//! explicit TLS. After each drop the next operations either work, with the
//! right results (the session is in step), or fail at once with a clear
//! error on a client that says it is closed; never a wrong answer.
//!
//! A harness polls the operation's future and drops it after its Nth
//! `Pending`, for N = 0, 1, 2, … until the operation completes. Each drop
//! point is named by the client's last log line before it (the command
//! sent or reply read, the data connection being opened…); each run
//! prints the cancellation table: operation, drop points, where the
//! operation was, and the outcome.

use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ftp_client::tokio::Client;
use ftp_client::{Config, Error, FtpUrl, Trust};
use ftp_suite::drive::{block_on, drop_after};
use ftp_suite::{FtpsSetup, Leaf, TestPki, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The most drop points tried per operation (each wait is one): far more
/// than a transfer of these sizes has over loopback.
const MAX_DROP_POINTS: usize = 400;
const CHECK_FILE: &[u8] =
    b"the check file: if the session is out of step, this is not what comes\n";

/// The client's last log line, kept by a subscriber of this thread.
#[derive(Clone, Default)]
struct LastLine(Arc<Mutex<String>>);

impl Write for LastLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        if let Some(line) = text.lines().rev().find(|l| !l.trim().is_empty()) {
            *self.0.lock().unwrap() = line.trim().to_owned();
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LastLine {
    /// Where the operation was, from the last line: the step, without
    /// names and numbers that differ from run to run.
    fn phase(&self) -> String {
        let line = self.0.lock().unwrap().clone();
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [">", verb, ..] => format!("after sending {verb}"),
            ["<", code, ..] => format!("after reply {code}"),
            ["opening", "data", ..] => "opening the data connection".to_owned(),
            ["data", "connection", "secured:", ..] => "data connection secured (TLS)".to_owned(),
            _ => line,
        }
    }
}

/// Logs the client's debug lines of this thread into a [`LastLine`].
fn log_last_line() -> (LastLine, tracing::subscriber::DefaultGuard) {
    let last = LastLine::default();
    let writer = last.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .without_time()
        .with_target(false)
        .with_level(false)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (last, guard)
}

type OpFuture<'a> = Pin<Box<dyn Future<Output = Result<(), Error>> + 'a>>;
type Op = for<'a> fn(&'a mut Client) -> OpFuture<'a>;

fn content() -> Vec<u8> {
    (0..2_000_000u32).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// RETR of a 2 MB file into memory; checked when it completes.
fn retr(ftp: &mut Client) -> OpFuture<'_> {
    Box::pin(async move {
        let mut got = Vec::new();
        ftp.retrieve("big.bin", &mut got).await?;
        assert!(got == content(), "RETR completed with other bytes");
        Ok(())
    })
}

/// STOR of 2 MB from memory.
fn stor(ftp: &mut Client) -> OpFuture<'_> {
    Box::pin(async move {
        ftp.store("up.bin", &mut &content()[..]).await?;
        Ok(())
    })
}

/// LIST of a directory of 300 entries.
fn list(ftp: &mut Client) -> OpFuture<'_> {
    Box::pin(async move {
        let lines = ftp.list("many").await?;
        assert_eq!(
            lines.len(),
            300,
            "LIST completed with {} lines",
            lines.len()
        );
        Ok(())
    })
}

/// A download stream read in 10 KB pieces, then finished: dropping the
/// future drops the `Download` between or during reads.
fn retr_stream(ftp: &mut Client) -> OpFuture<'_> {
    Box::pin(async move {
        let mut download = ftp.retrieve_stream("big.bin").await?;
        let mut got = Vec::new();
        let mut buf = vec![0u8; 10_000];
        loop {
            let n = download.read(&mut buf).await.map_err(|source| Error::Io {
                during: "reading".into(),
                source,
            })?;
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        download.finish().await?;
        assert!(got == content(), "the stream completed with other bytes");
        Ok(())
    })
}

/// An upload stream written in 64 KB pieces, then finished.
fn stor_stream(ftp: &mut Client) -> OpFuture<'_> {
    Box::pin(async move {
        let data = content();
        let mut upload = ftp.store_stream("up2.bin").await?;
        for piece in data.chunks(64 * 1024) {
            upload.write_all(piece).await.map_err(|source| Error::Io {
                during: "writing".into(),
                source,
            })?;
        }
        upload.finish().await?;
        Ok(())
    })
}

struct Setup {
    server: TestServer,
    config: Config,
    _pki: Option<TestPki>,
}

fn plain() -> Setup {
    Setup {
        server: TestServer::start(),
        config: timeouts(Config::default()),
        _pki: None,
    }
}

fn ftps() -> Setup {
    let pki = TestPki::new();
    let server = TestServer::start_ftps(FtpsSetup {
        leaf: pki.leaf(Leaf::Good),
        tls13: true,
    });
    let config = timeouts(Config {
        tls_trust: Trust::CaFile(pki.ca_file()),
        ..Config::default()
    });
    Setup {
        server,
        config,
        _pki: Some(pki),
    }
}

fn timeouts(config: Config) -> Config {
    Config {
        connect_timeout: Duration::from_secs(10),
        control_timeout: Duration::from_secs(10),
        data_timeout: Duration::from_secs(10),
        final_reply_timeout: Duration::from_secs(10),
        ..config
    }
}

async fn connect(setup: &Setup) -> Client {
    let url = FtpUrl::parse(&setup.server.url("")).expect("the server's URL");
    Client::connect_url(&url, setup.config.clone())
        .await
        .expect("connect and log in")
}

/// The next operations after a drop: must give the right answers, or fail
/// with a clear error on a closed client. Returns the outcome's words.
async fn next_call_outcome(ftp: &mut Client) -> Result<&'static str, String> {
    let checked = async {
        let mut got = Vec::new();
        ftp.retrieve("check.txt", &mut got).await?;
        let size = ftp.size("check.txt").await?;
        let pwd = ftp.pwd().await?;
        Ok::<_, Error>((got, size, pwd))
    };
    match tokio::time::timeout(Duration::from_secs(30), checked).await {
        Err(_) => Err("the next call hung".to_owned()),
        Ok(Ok((got, size, pwd))) => {
            if got != CHECK_FILE || size != CHECK_FILE.len() as u64 || pwd != b"/" {
                Err(format!(
                    "OUT OF STEP: RETR gave {} bytes, SIZE {size}, PWD {:?}",
                    got.len(),
                    String::from_utf8_lossy(&pwd)
                ))
            } else {
                Ok("usable: next RETR, SIZE, PWD right")
            }
        }
        Ok(Err(e)) if ftp.is_closed() => {
            let text = e.to_string();
            if text.is_empty() {
                Err("closed with an empty error".to_owned())
            } else {
                Ok("closed: next call fails with a clear error")
            }
        }
        Ok(Err(e)) => Err(format!("failed while still open: {e}")),
    }
}

/// One row of the cancellation table: drop points `from..=to` of one
/// operation, at the same step, with the same outcome.
struct Row {
    from: usize,
    to: usize,
    phase: String,
    outcome: String,
}

/// Drops `op` after 0, 1, 2… pending polls until it completes; after each
/// drop checks the next call. Prints the table rows; panics on any wrong
/// outcome.
async fn every_drop_point(setup: &Setup, label: &str, op: Op) {
    let (last, _guard) = log_last_line();
    let mut ftp = connect(setup).await;
    let mut failures = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    for n in 0..MAX_DROP_POINTS {
        let completed = drop_after(op(&mut ftp), n).await;
        let phase = last.phase();
        match completed {
            Some(result) => {
                result.unwrap_or_else(|e| panic!("{label}: the undisturbed run failed: {e}"));
                let after = next_call_outcome(&mut ftp).await;
                assert!(after.is_ok(), "{label}: after completion: {after:?}");
                for row in &rows {
                    let points = if row.from == row.to {
                        format!("{}", row.from)
                    } else {
                        format!("{}-{}", row.from, row.to)
                    };
                    println!("| {label} | {points} | {} | {} |", row.phase, row.outcome);
                }
                println!("| {label} | {n} | completes | - |");
                assert!(
                    failures.is_empty(),
                    "{label}: wrong outcomes: {failures:#?}"
                );
                return;
            }
            None => {
                let outcome = match next_call_outcome(&mut ftp).await {
                    Ok(words) => {
                        if words.starts_with("closed") {
                            ftp = connect(setup).await;
                        }
                        words.to_owned()
                    }
                    Err(why) => {
                        failures.push(format!("wait {n}: {why}"));
                        ftp = connect(setup).await;
                        format!("WRONG: {why}")
                    }
                };
                match rows.last_mut() {
                    Some(row) if row.phase == phase && row.outcome == outcome => row.to = n,
                    _ => rows.push(Row {
                        from: n,
                        to: n,
                        phase,
                        outcome,
                    }),
                }
            }
        }
    }
    panic!("{label}: did not complete within {MAX_DROP_POINTS} waits");
}

fn prepare(setup: &Setup) {
    let root = setup.server.root();
    std::fs::write(root.join("big.bin"), content()).unwrap();
    std::fs::write(root.join("check.txt"), CHECK_FILE).unwrap();
    std::fs::create_dir(root.join("many")).unwrap();
    for i in 0..300 {
        std::fs::write(root.join(format!("many/file-{i:03}.txt")), b"x").unwrap();
    }
}

#[test]
fn dropped_at_every_wait_in_clear() {
    let setup = plain();
    prepare(&setup);
    block_on(async {
        every_drop_point(&setup, "RETR", retr).await;
        every_drop_point(&setup, "STOR", stor).await;
        every_drop_point(&setup, "LIST", list).await;
        every_drop_point(&setup, "RETR stream", retr_stream).await;
        every_drop_point(&setup, "STOR stream", stor_stream).await;
    });
}

#[test]
fn dropped_at_every_wait_over_tls() {
    let setup = ftps();
    prepare(&setup);
    block_on(async {
        every_drop_point(&setup, "RETR (FTPS)", retr).await;
        every_drop_point(&setup, "STOR (FTPS)", stor).await;
        every_drop_point(&setup, "LIST (FTPS)", list).await;
    });
}

/// A future never polled does nothing: the session does not even know of
/// the operation.
#[test]
fn a_future_never_polled_sends_nothing() {
    let setup = plain();
    prepare(&setup);
    block_on(async {
        let mut ftp = connect(&setup).await;
        drop(ftp.delete("check.txt"));
        assert!(setup.server.root().join("check.txt").exists());
        let after = next_call_outcome(&mut ftp).await;
        assert_eq!(after, Ok("usable: next RETR, SIZE, PWD right"));
    });
}

/// A dropped download stream: the next call sends ABOR first and goes on
/// (a dropped `Download` closes its data connection; the session knows the
/// transfer was abandoned).
#[test]
fn dropped_download_stream_is_aborted_by_the_next_call() {
    let setup = plain();
    prepare(&setup);
    block_on(async {
        let mut ftp = connect(&setup).await;
        for _ in 0..3 {
            let mut download = ftp.retrieve_stream("big.bin").await.unwrap();
            let counter = download.counter();
            let mut first = [0u8; 1000];
            download.read_exact(&mut first).await.unwrap();
            assert_eq!(counter.get(), download.bytes());
            assert!(counter.get() >= 1000, "counter {}", counter.get());
            drop(download);
            let after = next_call_outcome(&mut ftp).await;
            assert_eq!(after, Ok("usable: next RETR, SIZE, PWD right"));
        }
        ftp.quit().await.unwrap();
    });
}

/// Active mode: the waits for the server's connection (listening, PORT,
/// the accept) are drop points too; the next call waits again for the same
/// connection, or aborts the transfer it belonged to.
#[test]
fn dropped_at_every_wait_in_active_mode() {
    let mut setup = plain();
    setup.config.data_mode = ftp_client::DataMode::Active { address: None };
    prepare(&setup);
    block_on(async {
        every_drop_point(&setup, "RETR (active)", retr).await;
        every_drop_point(&setup, "STOR (active)", stor).await;
        every_drop_point(&setup, "LIST (active)", list).await;
    });
}
