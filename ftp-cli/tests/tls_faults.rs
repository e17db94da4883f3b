//! `ftp-cli` against scripted FTPS faults: exit 1, one line saying what
//! failed, no local file created or changed, the password never shown, and
//! nothing sent in clear once TLS was asked for.

use std::ffi::OsStr;
use std::fs;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use ftp_suite::scenarios::{ANNOUNCED, STALL};
use ftp_suite::tls_scenarios::{self, TlsEnd};
use ftp_suite::{FaultServer, TestPki};

mod common;
use common::stderr;

/// Runs `ftp-cli` trusting the test CA, with a short timeout.
fn ftp_cli_trusting(pki: &TestPki, args: &[&str]) -> Output {
    let ca = pki.ca_file();
    let options = [
        OsStr::new("--timeout"),
        OsStr::new("1.5"),
        OsStr::new("--cacert"),
        ca.as_os_str(),
    ];
    common::ftp_cli_with(&options, args)
}

fn url(server: &FaultServer, scheme: &str, path: &str) -> String {
    format!("{scheme}://user:pw@{}/{path}", server.addr())
}

/// Exit 1, one line holding `needle`, no password; `dir` holds only `keep`.
fn assert_failed(output: &Output, needle: &str, dir: &Path, keep: &[&str]) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(needle), "{needle:?} not in {err}");
    assert!(!err.contains(":pw@"), "password shown: {err}");
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, keep, "files left in {}", dir.display());
}

/// A download into an existing file and an upload, against `server`:
/// both fail with `needle`; the local file stays as it was.
fn download_and_upload_fail(pki: &TestPki, server: &FaultServer, scheme: &str, needle: &str) {
    let local = tempfile::tempdir().unwrap();
    let existing = local.path().join("keep.txt");
    fs::write(&existing, b"precious").unwrap();
    let out = ftp_cli_trusting(
        pki,
        &["cp", &url(server, scheme, "f"), existing.to_str().unwrap()],
    );
    assert_failed(&out, needle, local.path(), &["keep.txt"]);
    assert_eq!(fs::read(&existing).unwrap(), b"precious");
    let out = ftp_cli_trusting(
        pki,
        &["mv", existing.to_str().unwrap(), &url(server, scheme, "f")],
    );
    assert_failed(&out, needle, local.path(), &["keep.txt"]);
}

#[test]
fn auth_tls_refused_sends_no_user_or_pass() {
    let pki = TestPki::new();
    let server = tls_scenarios::auth_refused();
    download_and_upload_fail(&pki, &server, "ftpes", "AUTH TLS: 534");
    std::thread::sleep(Duration::from_millis(200));
    let received = server.received();
    assert_eq!(
        received,
        ["AUTH TLS", "AUTH TLS"],
        "the server saw {received:?}"
    );
}

#[test]
fn tls_option_with_a_refusing_server() {
    let pki = TestPki::new();
    let server = tls_scenarios::auth_refused();
    let local = tempfile::tempdir().unwrap();
    let out = ftp_cli_trusting(&pki, &["--tls", "ls", &url(&server, "ftp", "")]);
    assert_failed(&out, "TLS is required", local.path(), &[]);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(server.received(), ["AUTH TLS"]);
}

#[test]
fn prot_p_refused() {
    let pki = TestPki::new();
    let server = tls_scenarios::prot_refused(&pki);
    download_and_upload_fail(&pki, &server, "ftpes", "PROT P: 536");
}

#[test]
fn a_handshake_that_never_completes_times_out() {
    let pki = TestPki::new();
    let server = tls_scenarios::handshake_stalls();
    let local = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = ftp_cli_trusting(
        &pki,
        &[
            "cp",
            &url(&server, "ftpes", "f"),
            local.path().to_str().unwrap(),
        ],
    );
    assert!(started.elapsed() < STALL, "took {:?}", started.elapsed());
    assert_failed(&out, "timed out", local.path(), &[]);
    assert!(stderr(&out).contains("TLS handshake"), "{}", stderr(&out));
}

#[test]
fn clear_text_where_tls_was_expected() {
    let pki = TestPki::new();
    let server = tls_scenarios::clear_text_for_implicit_tls();
    download_and_upload_fail(&pki, &server, "ftps", "did not answer in TLS");
}

#[test]
fn a_download_cut_without_close_notify_leaves_no_file() {
    let pki = TestPki::new();
    let server = tls_scenarios::tls_download(&pki, TlsEnd::CutWithoutCloseNotify);
    let local = tempfile::tempdir().unwrap();
    let existing = local.path().join("keep.txt");
    fs::write(&existing, b"precious").unwrap();
    let out = ftp_cli_trusting(
        &pki,
        &[
            "cp",
            &url(&server, "ftpes", "f"),
            existing.to_str().unwrap(),
        ],
    );
    assert_failed(&out, "without close_notify", local.path(), &["keep.txt"]);
    assert_eq!(fs::read(&existing).unwrap(), b"precious");
}

#[test]
fn implicit_tls_download() {
    let pki = TestPki::new();
    let server = tls_scenarios::implicit_download(&pki);
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("f");
    let out = ftp_cli_trusting(
        &pki,
        &["cp", &url(&server, "ftps", "f"), dst.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fs::read(&dst).unwrap(), vec![7u8; ANNOUNCED]);
}
