//! SIGINT, SIGTERM and SIGHUP in the middle of a transfer, sent to a real
//! `ftp-cli` process: the local temporary file is removed (kept under its
//! deterministic name with `-C`), an upload's server-side file is deleted,
//! the exit status is 128 + the signal's number and stderr is one line
//! saying what was interrupted. A second SIGINT exits at once.
//!
//! The server is scripted so that the transfer is certainly under way when
//! the signal comes: it sends (or reads) a first part, then trickles until
//! the client cuts the data connection. Every wait is bounded.
#![cfg(unix)]

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ftp_suite::{FaultServer, Peer};

mod common;

/// The longest any wait in these tests lasts.
const BOUND: Duration = Duration::from_secs(15);
const FIRST_PART: usize = 256 * 1024;

fn spawn(args: &[&str]) -> Child {
    common::command()
        .args(["--timeout", "10"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ftp-cli")
}

fn kill(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{signal}");
}

/// Waits for the child, bounded; returns its output and how long it took.
fn wait(mut child: Child) -> (Output, Duration) {
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait for ftp-cli").is_some() {
            break;
        }
        if start.elapsed() > BOUND {
            let _ = child.kill();
            panic!("ftp-cli did not exit within {BOUND:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let elapsed = start.elapsed();
    let output = child.wait_with_output().expect("collect the output");
    (output, elapsed)
}

/// Waits until `cond` holds, bounded.
fn until(what: &str, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < BOUND, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Files in `dir` whose name ends with `.part`, and their sizes.
fn partials(dir: &Path) -> Vec<(PathBuf, u64)> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".part"))
        .map(|p| {
            let len = fs::metadata(&p).map_or(0, |m| m.len());
            (p, len)
        })
        .collect()
}

/// Sends the first part of a download, then a byte now and then until the
/// client cuts the data connection; then answers 426 unless `silent`.
fn trickle_download(peer: &mut Peer, resume: bool, silent: bool) -> std::io::Result<()> {
    peer.login()?;
    let mut data = if resume {
        peer.answer("TYPE", "200 Binary")?;
        peer.answer("SIZE", "213 100000000")?;
        peer.expect("EPSV")?;
        let port = peer.listen_data()?;
        peer.reply(&format!("229 Entering Extended Passive Mode (|||{port}|)"))?;
        peer.expect("RETR")?;
        let data = peer.accept_data()?;
        peer.reply("150 Here")?;
        data
    } else {
        peer.answer_transfer("RETR", "150 Here")?
    };
    data.write_all(&vec![b'x'; FIRST_PART])?;
    let start = Instant::now();
    while start.elapsed() < BOUND {
        if data.write_all(b"x").is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    if silent {
        std::thread::sleep(BOUND);
        return Ok(());
    }
    peer.reply("426 Connection closed; transfer aborted")?;
    peer.drain()
}

fn interrupted_download(signal: &str, status: i32, name: &str) {
    let server = FaultServer::start(|peer| trickle_download(peer, false, false));
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("f.bin");
    let child = spawn(&["cp", &server.url("f.bin"), dst.to_str().unwrap()]);
    until("the first part on disk", || {
        partials(local.path())
            .iter()
            .any(|(_, len)| *len >= FIRST_PART as u64)
    });
    kill(&child, signal);
    let (out, _) = wait(child);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(status), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("interrupted by {name}")) && err.contains("cp ftp://"),
        "{err}"
    );
    assert!(err.contains("removed"), "{err}");
    let left: Vec<_> = fs::read_dir(local.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn sigint_mid_download_removes_the_temporary_file_and_exits_130() {
    interrupted_download("INT", 130, "SIGINT");
}

#[test]
fn sigterm_mid_download_exits_143() {
    interrupted_download("TERM", 143, "SIGTERM");
}

#[test]
fn sighup_mid_download_exits_129() {
    interrupted_download("HUP", 129, "SIGHUP");
}

#[test]
fn with_continue_the_partial_file_is_kept_and_the_message_says_how_to_resume() {
    let server = FaultServer::start(|peer| trickle_download(peer, true, false));
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("f.bin");
    let partial = local.path().join(".f.bin.part");
    let child = spawn(&["cp", "-C", &server.url("f.bin"), dst.to_str().unwrap()]);
    until("the first part on disk", || {
        fs::metadata(&partial).is_ok_and(|m| m.len() >= FIRST_PART as u64)
    });
    kill(&child, "INT");
    let (out, _) = wait(child);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("interrupted by SIGINT") && err.contains(".f.bin.part"),
        "{err}"
    );
    assert!(err.contains("resume"), "{err}");
    let kept = fs::read(&partial).unwrap();
    assert!(kept.len() >= FIRST_PART && kept.iter().all(|&b| b == b'x'));
    assert!(!dst.exists());
}

#[test]
fn a_second_sigint_exits_at_once() {
    // The server never answers once the data is cut: after one SIGINT the
    // client would wait out its grace period.
    let server = FaultServer::start(|peer| trickle_download(peer, false, true));
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("f.bin");
    let child = spawn(&["cp", &server.url("f.bin"), dst.to_str().unwrap()]);
    until("the first part on disk", || {
        partials(local.path())
            .iter()
            .any(|(_, len)| *len >= FIRST_PART as u64)
    });
    kill(&child, "INT");
    std::thread::sleep(Duration::from_millis(100));
    kill(&child, "INT");
    let (out, elapsed) = wait(child);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(elapsed < Duration::from_millis(1000), "took {elapsed:?}");
    assert!(err.contains("interrupted by SIGINT"), "{err}");
    let left: Vec<_> = fs::read_dir(local.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn sigint_mid_upload_deletes_the_server_side_file() {
    let received = Arc::new(AtomicU64::new(0));
    let counter = received.clone();
    let server = FaultServer::start(move |peer| {
        peer.login()?;
        // A new file (SIZE: 550, answered on the way): straight to its name.
        let mut data = peer.answer_transfer("STOR f.bin", "150 Go")?;
        let mut buf = vec![0; 64 * 1024];
        let start = Instant::now();
        while start.elapsed() < BOUND {
            match data.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    counter.fetch_add(n as u64, Ordering::SeqCst);
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        peer.reply("226 Closing data connection")?;
        peer.answer("DELE f.bin", "250 Deleted")?;
        peer.drain()
    });
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("f.bin");
    let file = fs::File::create(&src).unwrap();
    file.set_len(256 << 20).unwrap(); // sparse: costs no disk
    drop(file);
    let child = spawn(&["cp", src.to_str().unwrap(), &server.url("")]);
    until("the first part on the server", || {
        received.load(Ordering::SeqCst) >= FIRST_PART as u64
    });
    let signalled = Instant::now();
    kill(&child, "INT");
    let (out, _) = wait(child);
    let within = signalled.elapsed();
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("interrupted by SIGINT") && err.contains("deleted from the server"),
        "{err}"
    );
    assert!(within < Duration::from_secs(2), "took {within:?}");
    assert!(server.received().iter().any(|l| l == "DELE f.bin"));
    assert!(src.exists(), "the source must stay");
}

// --- Recursive runs, against the in-process server ----------------------------

/// A gibibyte: sparse on disk (no space, read at memory speed), so the
/// copy is certainly under way, and far from over, when the signal comes.
const BIG: u64 = 1 << 30;

fn sparse(path: &Path, len: u64) {
    fs::File::create(path).unwrap().set_len(len).unwrap();
}

/// Every file under `dir`, with its size.
fn files_under(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return found;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        let meta = fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push((path, meta.len()));
        }
    }
    found
}

/// A tree of four sparse gibibyte files and three small ones.
fn make_tree(dir: &Path) {
    fs::create_dir_all(dir.join("sub")).unwrap();
    for i in 0..4 {
        let at = if i % 2 == 0 { "" } else { "sub/" };
        sparse(&dir.join(format!("{at}big{i}.bin")), BIG);
    }
    for i in 0..3 {
        fs::write(dir.join(format!("small{i}.txt")), format!("small {i}\n")).unwrap();
    }
}

/// After an interrupted copy into `dir`: nothing partial (every file there
/// is whole, no temporary name), and not every big file (no new file was
/// started after the signal, so at most the two in flight could finish).
fn only_whole_files(dir: &Path, what: &str) {
    let files = files_under(dir);
    let mut big = 0;
    for (path, len) in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            !name.starts_with('.'),
            "{what}: a temporary file is left: {path:?}"
        );
        if name.starts_with("big") {
            assert_eq!(*len, BIG, "{what}: {path:?} is partial");
            big += 1;
        } else {
            assert!(*len > 0, "{what}: {path:?} is empty");
        }
    }
    assert!(big < 4, "{what}: every big file was copied: {files:?}");
}

/// `cp -r -j 2` from the in-process server, SIGINT while the first files
/// flow: both transfers cut, their temporary files removed, exit 130 with
/// one line, well before the watcher's grace period would end the run.
#[test]
fn sigint_mid_recursive_download_cuts_every_transfer() {
    let server = ftp_suite::TestServer::start();
    make_tree(&server.root().join("tree"));
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("copy");
    let child = spawn(&[
        "cp",
        "-r",
        "-j",
        "2",
        &server.url("tree"),
        dst.to_str().unwrap(),
    ]);
    until("a file under way", || {
        files_under(&dst)
            .iter()
            .any(|(p, len)| p.to_string_lossy().ends_with(".part") && *len > (1 << 20))
    });
    let signalled = Instant::now();
    kill(&child, "INT");
    let (out, _) = wait(child);
    let within = signalled.elapsed();
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cp -r ftp://") && err.contains("interrupted by SIGINT"),
        "{err}"
    );
    assert!(within < Duration::from_millis(1400), "took {within:?}");
    only_whole_files(&dst, "local");
}

/// `cp -r -j 2` to the in-process server, SIGTERM while the first files
/// flow: both uploads cut and their server-side files deleted, exit 143.
#[test]
fn sigterm_mid_recursive_upload_deletes_the_partial_uploads() {
    let server = ftp_suite::TestServer::start();
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("tree");
    make_tree(&src);
    let remote = server.root().join("up");
    let child = spawn(&[
        "cp",
        "-r",
        "-j",
        "2",
        src.to_str().unwrap(),
        &server.url("up"),
    ]);
    until("a file under way on the server", || {
        files_under(&remote)
            .iter()
            .any(|(_, len)| *len > (1 << 20) && *len < BIG)
    });
    let signalled = Instant::now();
    kill(&child, "TERM");
    let (out, _) = wait(child);
    let within = signalled.elapsed();
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(143), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cp -r ") && err.contains("interrupted by SIGTERM"),
        "{err}"
    );
    assert!(err.contains("deleted from the server"), "{err}");
    assert!(within < Duration::from_millis(1400), "took {within:?}");
    only_whole_files(&remote, "remote");
    // The sources stay.
    assert_eq!(files_under(&src).len(), 7);
}
