//! `ftp-cli` over FTPS against the in-process libunftp server (explicit
//! TLS required): the TLS options, what `-v` shows, and the certificate
//! failures, each one line with exit 1 and no file changed.

use std::fs;

use ftp_suite::{FtpsSetup, Leaf, PASSWORD, TestPki, TestServer};

mod common;
use common::{ftp_cli, stderr};

fn start(pki: &TestPki, leaf: Leaf, tls13: bool) -> TestServer {
    TestServer::start_ftps(FtpsSetup {
        leaf: pki.leaf(leaf),
        tls13,
    })
}

#[test]
fn verbose_shows_tls_and_resumed_data_connections_without_the_password() {
    let pki = TestPki::new();
    let server = start(&pki, Leaf::Good, true);
    let ca = pki.ca_file();
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("v.txt");
    fs::write(&src, b"verbose over TLS").unwrap();
    // Global options before the command and after its arguments.
    let out = ftp_cli(&[
        "-v",
        "--cacert",
        ca.to_str().unwrap(),
        "cp",
        src.to_str().unwrap(),
        &server.url("v.txt"),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains(PASSWORD), "{err}");
    let mut at = 0;
    for expected in [
        "< 220 ",
        "> AUTH TLS",
        "< 234 ",
        "control connection secured: TLSv1_3, TLS13_",
        "> USER test",
        "> PASS ****",
        "> PBSZ 0",
        "> PROT P",
        "> STOR v.txt",
        "data connection secured: TLSv1_3, TLS13_",
        "session resumed",
        "< 226 ",
        "> QUIT",
    ] {
        let found = err[at..]
            .find(expected)
            .unwrap_or_else(|| panic!("missing {expected:?} after byte {at} in:\n{err}"));
        at += found;
    }
    assert_eq!(
        fs::read(server.root().join("v.txt")).unwrap(),
        b"verbose over TLS"
    );
    let back = local.path().join("w.txt");
    let out = ftp_cli(&[
        "cp",
        &server.url("v.txt"),
        back.to_str().unwrap(),
        "--verbose",
        "--cacert",
        ca.to_str().unwrap(),
        "--tls-max",
        "1.2",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("control connection secured: TLSv1_2, TLS_ECDHE_"),
        "{err}"
    );
    assert!(err.contains("> RETR v.txt"), "{err}");
    assert!(err.contains("session resumed"), "{err}");
    assert_eq!(fs::read(&back).unwrap(), b"verbose over TLS");
}

#[test]
fn tls_option_makes_ftp_urls_explicit_tls() {
    let pki = TestPki::new();
    let server = start(&pki, Leaf::Good, true);
    fs::write(server.root().join("f.txt"), b"x").unwrap();
    let url = format!("ftp://test:{PASSWORD}@{}/", server.addr());
    let ca = pki.ca_file();
    let out = ftp_cli(&["ls", &url, "--tls", "--cacert", ca.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("f.txt"));
    // Without --tls, plain ftp:// stays plain: this server refuses it.
    let out = ftp_cli(&["ls", &url, "--cacert", ca.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}

#[test]
fn insecure_warns_once_and_still_encrypts() {
    let pki = TestPki::new();
    let server = start(&pki, Leaf::UntrustedIssuer, true);
    let out = ftp_cli(&["-k", "mkdir", &server.url("d/"), "-v"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(warnings[0].contains("not checked"), "{err}");
    assert!(err.contains("control connection secured"), "{err}");
    assert!(server.root().join("d").is_dir());
    // --insecure and --cacert contradict each other: a usage error.
    let ca = pki.ca_file();
    let out = ftp_cli(&[
        "ls",
        &server.url(""),
        "-k",
        "--cacert",
        ca.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// A refused certificate: exit 1, one line naming the reason, nothing
/// changed on either side.
fn refused(leaf: Leaf, reason: &str) {
    let pki = TestPki::new();
    let server = start(&pki, leaf, true);
    fs::write(server.root().join("r.txt"), b"remote").unwrap();
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("l.txt");
    fs::write(&src, b"local").unwrap();
    let ca = pki.ca_file();
    for args in [
        vec!["cp", src.to_str().unwrap(), &server.url("r.txt")],
        vec!["mv", &server.url("r.txt"), local.path().to_str().unwrap()],
    ] {
        let mut args = args.clone();
        args.extend(["--cacert", ca.to_str().unwrap()]);
        let out = ftp_cli(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(reason), "{err}");
        assert!(!err.contains(PASSWORD), "{err}");
    }
    assert_eq!(fs::read(server.root().join("r.txt")).unwrap(), b"remote");
    assert_eq!(fs::read_dir(server.root()).unwrap().count(), 1);
    assert_eq!(fs::read(&src).unwrap(), b"local");
    assert_eq!(fs::read_dir(local.path()).unwrap().count(), 1);
}

#[test]
fn a_certificate_for_another_name_fails_in_one_line() {
    refused(Leaf::OtherName, "name mismatch");
}

#[test]
fn an_untrusted_issuer_fails_in_one_line() {
    refused(Leaf::UntrustedIssuer, "unknown issuer");
}

#[test]
fn an_expired_certificate_fails_in_one_line() {
    refused(Leaf::Expired, "expired");
}

#[test]
fn tls_options_are_checked() {
    for args in [
        vec!["ls", "ftpes://h/", "--tls-max", "1.1"],
        vec!["ls", "ftpes://h/", "--tls-max"],
        vec!["ls", "sftp://h/"],
    ] {
        let out = ftp_cli(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    let out = ftp_cli(&[
        "ls",
        "ftpes://127.0.0.1:1/",
        "--cacert",
        "/nonexistent/ca.pem",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("reading CA certificates"),
        "{}",
        stderr(&out)
    );
}
