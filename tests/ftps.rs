//! The library over FTPS against the in-process libunftp server, which
//! requires explicit TLS on control and data connections: every operation,
//! TLS 1.2 and 1.3, many data connections resuming one session, and the
//! certificate checks.

use std::io::{Read, Write};
use std::time::Duration;

use ftp_client::{Client, Config, Error, FtpUrl, TlsMode, TlsVersion, Trust};
use ftp_suite::{FtpsSetup, Leaf, TestPki, TestServer};

fn server(pki: &TestPki, leaf: Leaf, tls13: bool) -> TestServer {
    TestServer::start_ftps(FtpsSetup {
        leaf: pki.leaf(leaf),
        tls13,
    })
}

fn config(pki: &TestPki) -> Config {
    Config {
        tls_trust: Trust::CaFile(pki.ca_file()),
        connect_timeout: Duration::from_secs(10),
        control_timeout: Duration::from_secs(10),
        data_timeout: Duration::from_secs(10),
        final_reply_timeout: Duration::from_secs(10),
        ..Config::default()
    }
}

fn connect(server: &TestServer, config: Config) -> Result<Client, Error> {
    let url = FtpUrl::parse(&server.url("")).expect("the server's URL");
    Client::connect_url(&url, config)
}

/// Every operation of the library, over TLS.
fn every_operation(tls13: bool) {
    let pki = TestPki::new();
    let server = server(&pki, Leaf::Good, tls13);
    let mut ftp = connect(&server, config(&pki)).expect("connect over TLS");
    assert!(ftp.is_tls());
    ftp.mkdir("dir").unwrap();
    let body: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(
        ftp.store("dir/a.bin", &mut &body[..]).unwrap(),
        body.len() as u64
    );
    assert_eq!(
        std::fs::read(server.root().join("dir/a.bin")).unwrap(),
        body
    );
    let mut back = Vec::new();
    assert_eq!(
        ftp.retrieve("dir/a.bin", &mut back).unwrap(),
        body.len() as u64
    );
    assert_eq!(back, body);
    assert_eq!(ftp.size("dir/a.bin").unwrap(), body.len() as u64);
    // Files: sendfile and splice do not apply; the buffered paths do.
    let local = tempfile::tempdir().unwrap();
    let path = local.path().join("copy.bin");
    let mut file = std::fs::File::create(&path).unwrap();
    ftp.retrieve_file("dir/a.bin", &mut file).unwrap();
    drop(file);
    assert_eq!(std::fs::read(&path).unwrap(), body);
    let mut file = std::fs::File::open(&path).unwrap();
    ftp.store_file("dir/b.bin", &mut file).unwrap();
    assert_eq!(
        std::fs::read(server.root().join("dir/b.bin")).unwrap(),
        body
    );
    let names = ftp.nlst("dir").unwrap();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(ftp.list("dir").unwrap().iter().any(|l| l.contains("b.bin")));
    ftp.rename("dir/b.bin", "dir/c.bin").unwrap();
    ftp.delete("dir/a.bin").unwrap();
    ftp.delete("dir/c.bin").unwrap();
    ftp.rmdir("dir").unwrap();
    assert!(!server.root().join("dir").exists());
    ftp.quit().unwrap();
}

#[test]
fn every_operation_over_tls13() {
    every_operation(true);
}

#[test]
fn every_operation_over_tls12() {
    every_operation(false);
}

/// 24 data connections in one session, uploads and downloads mixed: each
/// resumes the control connection's TLS session (uploads, which never read
/// their data connection, are where TLS 1.3 tickets run out).
fn many_transfers_resume(tls13: bool, max: TlsVersion) {
    let pki = TestPki::new();
    let server = server(&pki, Leaf::Good, tls13);
    let mut ftp = connect(
        &server,
        Config {
            tls_max_version: max,
            ..config(&pki)
        },
    )
    .expect("connect");
    let mut resumed = Vec::new();
    for i in 0..24u32 {
        let name = format!("f{}.bin", i % 5);
        let body = vec![i as u8; 1000 + i as usize * 97];
        if i % 3 == 2 {
            // The file the previous step uploaded.
            let mut download = ftp
                .retrieve_stream(format!("f{}.bin", (i - 1) % 5))
                .unwrap();
            resumed.push(download.tls_resumed());
            let mut got = Vec::new();
            download.read_to_end(&mut got).unwrap();
            download.finish().unwrap();
            assert!(!got.is_empty());
        } else {
            let mut upload = ftp.store_stream(&name).unwrap();
            resumed.push(upload.tls_resumed());
            upload.write_all(&body).unwrap();
            upload.finish().unwrap();
            assert_eq!(std::fs::read(server.root().join(&name)).unwrap(), body);
        }
    }
    assert_eq!(resumed, vec![Some(true); 24], "resumed data connections");
    ftp.quit().unwrap();
}

#[test]
fn twenty_four_transfers_resume_the_session_tls13() {
    many_transfers_resume(true, TlsVersion::Tls13);
}

#[test]
fn twenty_four_transfers_resume_the_session_tls12() {
    many_transfers_resume(false, TlsVersion::Tls13);
}

#[test]
fn tls_max_12_against_a_tls13_server() {
    many_transfers_resume(true, TlsVersion::Tls12);
}

#[test]
fn a_url_scheme_or_the_config_chooses_tls() {
    let pki = TestPki::new();
    let server = server(&pki, Leaf::Good, true);
    // ftp:// with Config::tls explicit is ftpes://.
    let url = FtpUrl::parse(&format!("ftp://test:secret@{}/", server.addr())).unwrap();
    let ftp = Client::connect_url(
        &url,
        Config {
            tls: TlsMode::Explicit,
            ..config(&pki)
        },
    )
    .unwrap();
    assert!(ftp.is_tls());
    ftp.quit().unwrap();
    // Plain ftp:// stays plain, and this server refuses a clear login.
    let err = Client::connect_url(&url, config(&pki)).unwrap_err();
    assert!(err.code().is_some(), "{err}");
}

#[test]
fn insecure_accepts_any_certificate_but_still_encrypts() {
    let pki = TestPki::new();
    let server = server(&pki, Leaf::UntrustedIssuer, true);
    let mut ftp = connect(
        &server,
        Config {
            tls_trust: Trust::AcceptAnyCertificate,
            ..config(&pki)
        },
    )
    .unwrap();
    assert!(ftp.is_tls());
    ftp.store("x", &mut &b"x"[..]).unwrap();
    ftp.quit().unwrap();
}

/// A certificate check that fails: one line naming the reason, and no
/// file on the server changed (the login never happened).
fn refused_certificate(leaf: Leaf, reason: &str) {
    let pki = TestPki::new();
    let server = server(&pki, leaf, true);
    let err = connect(&server, config(&pki)).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    assert!(message.contains(reason), "{message}");
    assert!(!message.contains('\n'), "{message}");
    assert!(!message.contains("secret"), "{message}");
    assert_eq!(std::fs::read_dir(server.root()).unwrap().count(), 0);
}

#[test]
fn a_certificate_for_another_name_is_refused() {
    refused_certificate(Leaf::OtherName, "name mismatch");
}

#[test]
fn an_untrusted_issuer_is_refused() {
    refused_certificate(Leaf::UntrustedIssuer, "unknown issuer");
}

#[test]
fn an_expired_certificate_is_refused() {
    refused_certificate(Leaf::Expired, "expired");
}

#[test]
fn the_system_roots_do_not_trust_the_test_ca() {
    let pki = TestPki::new();
    let server = server(&pki, Leaf::Good, true);
    let err = connect(
        &server,
        Config {
            tls_trust: Trust::SystemRoots,
            ..config(&pki)
        },
    )
    .unwrap_err();
    // Unknown issuer with the system's roots; a machine without any root
    // certificates says that instead. Either way, one line.
    let message = err.to_string();
    assert!(
        message.contains("unknown issuer") || message.contains("root certificates"),
        "{message}"
    );
    assert!(!message.contains('\n'));
}

#[test]
fn a_missing_or_empty_ca_file_is_an_error_before_connecting() {
    let pki = TestPki::new();
    let server = server(&pki, Leaf::Good, true);
    for (path, why) in [
        (pki.dir().join("nope.pem"), "reading CA certificates"),
        (pki.leaf(Leaf::Good).key, "no PEM certificate"),
    ] {
        let err = connect(
            &server,
            Config {
                tls_trust: Trust::CaFile(path),
                ..config(&pki)
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains(why), "{err}");
    }
}
