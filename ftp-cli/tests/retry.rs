//! `--retry` against scripted servers that fail the first attempts: a
//! transient failure (a lost connection, 421) is retried, and a retried
//! download continues where the last attempt stopped (REST); a 5xx is
//! never retried; the count is respected; `-v` shows one line per retry.

use std::fs;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ftp_suite::{FaultServer, Peer};

mod common;
use common::{ftp_cli_with, stderr};

/// Options every run here takes.
const OPTIONS: &[&str] = &["--timeout", "5", "--retry-delay", "0.01"];

fn retry_lines(err: &str) -> Vec<&str> {
    err.lines().filter(|l| l.contains("; retry ")).collect()
}

/// TYPE I, SIZE, EPSV and a data listener, as a retryable download
/// begins.
fn begin_download(peer: &mut Peer, size: usize) -> std::io::Result<()> {
    peer.login()?;
    peer.answer("TYPE", "200 Binary")?;
    peer.answer("SIZE", &format!("213 {size}"))?;
    peer.expect("EPSV")?;
    let port = peer.listen_data()?;
    peer.reply(&format!("229 Entering Extended Passive Mode (|||{port}|)"))
}

#[test]
fn a_lost_connection_is_retried_and_the_download_continues_with_rest() {
    let content: Vec<u8> = (0..2000u32).map(|i| (i % 251) as u8).collect();
    let attempts = Arc::new(AtomicUsize::new(0));
    let server = {
        let (content, attempts) = (content.clone(), attempts.clone());
        FaultServer::start(move |peer| {
            let attempt = attempts.fetch_add(1, Ordering::SeqCst);
            begin_download(peer, content.len())?;
            if attempt == 0 {
                peer.expect("RETR")?;
                let mut data = peer.accept_data()?;
                peer.reply("150 Here")?;
                data.write_all(&content[..1000])?;
                // Gone: data and control connections close mid-transfer.
                return Ok(());
            }
            peer.answer("REST 1000", "350 Restarting at 1000")?;
            peer.expect("RETR")?;
            let mut data = peer.accept_data()?;
            peer.reply("150 Here")?;
            data.write_all(&content[1000..])?;
            drop(data);
            peer.reply("226 Done")?;
            peer.drain()
        })
    };
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("f.bin");
    let out = ftp_cli_with(
        OPTIONS,
        &[
            "-v",
            "--retry",
            "3",
            "cp",
            &server.url("f.bin"),
            dst.to_str().unwrap(),
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(fs::read(&dst).unwrap(), content);
    assert_eq!(retry_lines(&err).len(), 1, "{err}");
    assert!(retry_lines(&err)[0].contains("retry 1 of 3"), "{err}");
    assert_eq!(server.connections(), 2);
    let left: Vec<_> = fs::read_dir(local.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "left behind: {left:?}");
}

#[test]
fn a_421_greeting_is_retried_for_an_upload() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let server = {
        let attempts = attempts.clone();
        FaultServer::start(move |peer| {
            if attempts.fetch_add(1, Ordering::SeqCst) == 0 {
                return peer.reply("421 Too many connections, try later");
            }
            peer.login()?;
            let mut data = peer.answer_transfer("STOR f.txt", "150 Go")?;
            let got = Peer::read_data(&mut data)?;
            peer.reply(if got == b"hello" {
                "226 Stored"
            } else {
                "451 Wrong data"
            })?;
            peer.drain()
        })
    };
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("f.txt");
    fs::write(&src, b"hello").unwrap();
    // Without -v: nothing but the outcome on stderr.
    let out = ftp_cli_with(
        OPTIONS,
        &["--retry", "1", "cp", src.to_str().unwrap(), &server.url("")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert_eq!(server.connections(), 2);
}

#[test]
fn a_5xx_is_never_retried() {
    let server = FaultServer::start(|peer| {
        peer.login()?;
        peer.answer("TYPE", "200 Binary")?;
        peer.answer("SIZE", "550 No such file")?;
        peer.drain()
    });
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("f.bin");
    let out = ftp_cli_with(
        OPTIONS,
        &[
            "-v",
            "--retry",
            "3",
            "cp",
            &server.url("f.bin"),
            dst.to_str().unwrap(),
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(retry_lines(&err).is_empty(), "{err}");
    assert_eq!(server.connections(), 1);
    let left: Vec<_> = fs::read_dir(local.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn retries_stop_at_the_count_and_leave_nothing_behind() {
    let server = FaultServer::start(|peer| {
        peer.login()?;
        peer.answer("TYPE", "200 Binary")?;
        peer.answer("SIZE", "450 Busy, try later")?;
        peer.drain()
    });
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("f.bin");
    let out = ftp_cli_with(
        OPTIONS,
        &[
            "-v",
            "--retry",
            "2",
            "cp",
            &server.url("f.bin"),
            dst.to_str().unwrap(),
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(retry_lines(&err).len(), 2, "{err}");
    assert_eq!(server.connections(), 3);
    assert!(
        err.lines().last().unwrap_or("").contains("450 Busy"),
        "{err}"
    );
    let left: Vec<_> = fs::read_dir(local.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
