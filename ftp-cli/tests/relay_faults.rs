//! `ftp-cli cp`/`mv` with both sides remote, against two in-process
//! servers and against a scripted source that breaks mid-transfer: the
//! copy goes both ways; a broken source replaces nothing, leaves no
//! temporary file, and `mv` keeps it.

use std::fs;

use ftp_suite::scenarios::{self, DownloadFault};
use ftp_suite::{TestServer, local_names};

mod common;
use common::{ftp_cli_with, stderr};

/// Options every run here takes.
const OPTIONS: &[&str] = &["--timeout", "1.5"];

#[test]
fn cp_and_mv_between_two_servers_both_ways() {
    let (a, b) = (TestServer::start(), TestServer::start());
    fs::write(a.root().join("one.txt"), b"from a").unwrap();
    fs::write(b.root().join("one.txt"), b"old").unwrap();
    fs::write(b.root().join("two.txt"), b"from b").unwrap();
    let out = ftp_cli_with(OPTIONS, &["cp", &a.url("one.txt"), &b.url("one.txt")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fs::read(b.root().join("one.txt")).unwrap(), b"from a");
    let out = ftp_cli_with(OPTIONS, &["mv", &b.url("two.txt"), &a.url("")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fs::read(a.root().join("two.txt")).unwrap(), b"from b");
    assert_eq!(local_names(b.root()), ["one.txt"], "moved, nothing left");
    assert_eq!(local_names(a.root()), ["one.txt", "two.txt"]);
}

#[test]
fn several_remote_files_into_a_remote_directory() {
    let (a, b) = (TestServer::start(), TestServer::start());
    fs::write(a.root().join("x.txt"), b"x").unwrap();
    fs::write(b.root().join("y.txt"), b"y").unwrap();
    fs::create_dir(b.root().join("in")).unwrap();
    let out = ftp_cli_with(
        OPTIONS,
        &["mv", &a.url("x.txt"), &b.url("y.txt"), &b.url("in/")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fs::read(b.root().join("in/x.txt")).unwrap(), b"x");
    assert_eq!(fs::read(b.root().join("in/y.txt")).unwrap(), b"y");
    assert!(local_names(a.root()).is_empty(), "moved");
    assert_eq!(local_names(b.root()), ["in"]);
}

#[test]
fn cp_r_and_mv_r_between_two_servers() {
    let (a, b) = (TestServer::start(), TestServer::start());
    fs::create_dir_all(a.root().join("d/sub/deeper")).unwrap();
    fs::write(a.root().join("d/top.txt"), b"top").unwrap();
    fs::write(a.root().join("d/sub/deeper/f.bin"), vec![3u8; 300_000]).unwrap();
    let out = ftp_cli_with(OPTIONS, &["cp", "-r", &a.url("d"), &b.url("")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fs::read(b.root().join("d/top.txt")).unwrap(), b"top");
    assert_eq!(
        fs::read(b.root().join("d/sub/deeper/f.bin")).unwrap(),
        vec![3u8; 300_000]
    );
    assert!(a.root().join("d/top.txt").exists(), "copied, not moved");
    // Moved back under another name: the source tree goes once all went.
    let out = ftp_cli_with(OPTIONS, &["mv", "-r", &b.url("d"), &a.url("e")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        fs::read(a.root().join("e/sub/deeper/f.bin")).unwrap(),
        vec![3u8; 300_000]
    );
    assert!(local_names(b.root()).is_empty(), "moved");
}

/// `mv` from a source that breaks after half its bytes, over an existing
/// file: exit 1, one line naming both URLs and `needle`.
fn broken_source(fault: DownloadFault, needle: &str) {
    let source = scenarios::download_fault(fault);
    let dst = TestServer::start();
    fs::write(dst.root().join("keep.bin"), b"old content").unwrap();
    let out = ftp_cli_with(
        OPTIONS,
        &["mv", &source.url("big.bin"), &dst.url("keep.bin")],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("/big.bin") && err.contains("/keep.bin") && err.contains(needle),
        "{err}"
    );
    assert!(!err.contains(":pw@"), "password shown: {err}");
    assert_eq!(
        fs::read(dst.root().join("keep.bin")).unwrap(),
        b"old content"
    );
    assert_eq!(local_names(dst.root()), ["keep.bin"], "no temporary left");
    let received = source.received();
    assert!(
        !received.iter().any(|line| line.starts_with("DELE")),
        "{received:?}"
    );
}

#[test]
fn mv_from_a_source_that_answers_426_replaces_nothing() {
    broken_source(DownloadFault::Abort426, "426");
}

#[test]
fn mv_from_a_source_that_ends_early_replaces_nothing() {
    broken_source(DownloadFault::Short, "announced 1000000");
}
