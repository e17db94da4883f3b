//! The library's TLS choices against the in-process libunftp server, which
//! requires explicit TLS on control and data connections: the URL scheme or
//! the Config choosing TLS, `tls_max_version`, each trust choice and each
//! certificate failure. (Every operation over FTPS, TLS 1.2 and 1.3, with
//! every data connection resumed, is in the end-to-end matrix,
//! `ftp-cli/tests/matrix/`.)

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

/// 24 data connections in one session, uploads and downloads mixed, the
/// client at TLS 1.2 against a server offering 1.3: each resumes the
/// control connection's TLS session.
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
