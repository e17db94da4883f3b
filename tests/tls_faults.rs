//! The library against scripted FTPS faults: each ends in a clear one-line
//! error (or, for the one harmless case, success), within its timeout, and
//! nothing is sent in clear once TLS was asked for.

use std::time::{Duration, Instant};

use ftp_client::{Client, Config, Error, FtpUrl, TlsMode, Trust};
use ftp_suite::scenarios::{ANNOUNCED, SENT_BEFORE_FAULT, STALL};
use ftp_suite::tls_scenarios::{self, TlsEnd};
use ftp_suite::{FaultServer, TestPki};

const TIMEOUT: Duration = Duration::from_millis(1500);

fn config(pki: &TestPki) -> Config {
    Config {
        connect_timeout: TIMEOUT,
        control_timeout: TIMEOUT,
        data_timeout: TIMEOUT,
        final_reply_timeout: TIMEOUT,
        tls_trust: Trust::CaFile(pki.ca_file()),
        ..Config::default()
    }
}

fn connect(server: &FaultServer, scheme: &str, pki: &TestPki) -> Result<Client, Error> {
    let url = FtpUrl::parse(&format!("{scheme}://user:pw@{}/", server.addr())).unwrap();
    Client::connect_url(&url, config(pki))
}

fn one_line(error: &Error) -> String {
    let message = error.to_string();
    assert!(!message.contains('\n'), "{message}");
    assert!(!message.contains("pw@"), "{message}");
    message
}

#[test]
fn auth_tls_refused_sends_no_user_or_pass() {
    let pki = TestPki::new();
    let server = tls_scenarios::auth_refused();
    let err = connect(&server, "ftpes", &pki).unwrap_err();
    let message = one_line(&err);
    assert!(matches!(err, Error::TlsRefused { .. }), "{err:?}");
    assert!(message.contains("AUTH TLS: 534"), "{message}");
    assert!(err.is_session_closed());
    // Give the server's thread a moment to record anything that came.
    std::thread::sleep(Duration::from_millis(200));
    let received = server.received();
    assert_eq!(received, ["AUTH TLS"], "the server saw {received:?}");
}

#[test]
fn prot_p_refused_is_an_error_not_a_clear_fallback() {
    let pki = TestPki::new();
    let server = tls_scenarios::prot_refused(&pki);
    let err = connect(&server, "ftpes", &pki).unwrap_err();
    let message = one_line(&err);
    assert!(matches!(err, Error::TlsRefused { .. }), "{err:?}");
    assert!(message.contains("PROT P: 536"), "{message}");
    std::thread::sleep(Duration::from_millis(200));
    let received = server.received();
    assert!(
        !received.iter().any(|l| l.starts_with("PROT C")),
        "{received:?}"
    );
    assert!(
        !received.iter().any(|l| l.starts_with("RETR")),
        "{received:?}"
    );
}

#[test]
fn a_handshake_that_never_completes_times_out() {
    let pki = TestPki::new();
    let server = tls_scenarios::handshake_stalls();
    let started = Instant::now();
    let err = connect(&server, "ftpes", &pki).unwrap_err();
    let elapsed = started.elapsed();
    let message = one_line(&err);
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(message.contains("TLS handshake"), "{message}");
    assert!(elapsed < STALL, "took {elapsed:?}");
    assert!(elapsed >= TIMEOUT, "took {elapsed:?}");
}

#[test]
fn clear_text_where_tls_was_expected() {
    let pki = TestPki::new();
    let server = tls_scenarios::clear_text_for_implicit_tls();
    let err = connect(&server, "ftps", &pki).unwrap_err();
    let message = one_line(&err);
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    assert!(message.contains("did not answer in TLS"), "{message}");
}

#[test]
fn a_download_cut_without_close_notify_is_truncated() {
    let pki = TestPki::new();
    let server = tls_scenarios::tls_download(&pki, TlsEnd::CutWithoutCloseNotify);
    let mut client = connect(&server, "ftpes", &pki).unwrap();
    let mut out = Vec::new();
    let err = client.retrieve("f", &mut out).unwrap_err();
    let message = one_line(&err);
    assert!(
        matches!(
            err,
            Error::Truncated { received, expected: Some(expected) }
                if received == SENT_BEFORE_FAULT as u64 && expected == ANNOUNCED as u64
        ),
        "{err:?}"
    );
    assert!(message.contains("without close_notify"), "{message}");
    // The session is in step: the server's 226 was read.
    assert!(!client.is_closed());
}

#[test]
fn a_complete_download_without_close_notify_is_accepted() {
    let pki = TestPki::new();
    let server = tls_scenarios::tls_download(&pki, TlsEnd::CompleteWithoutCloseNotify);
    let mut client = connect(&server, "ftpes", &pki).unwrap();
    let mut out = Vec::new();
    assert_eq!(client.retrieve("f", &mut out).unwrap(), ANNOUNCED as u64);
    assert_eq!(out.len(), ANNOUNCED);
}

#[test]
fn a_clean_tls_download() {
    let pki = TestPki::new();
    let server = tls_scenarios::tls_download(&pki, TlsEnd::Clean);
    let mut client = connect(&server, "ftpes", &pki).unwrap();
    let mut out = Vec::new();
    assert_eq!(client.retrieve("f", &mut out).unwrap(), ANNOUNCED as u64);
    assert!(out.iter().all(|&b| b == 7));
}

#[test]
fn implicit_tls_from_the_first_byte() {
    let pki = TestPki::new();
    let server = tls_scenarios::implicit_download(&pki);
    let mut client = connect(&server, "ftps", &pki).unwrap();
    assert!(client.is_tls());
    assert_eq!(client.welcome().code().get(), 220);
    let mut out = Vec::new();
    assert_eq!(client.retrieve("f", &mut out).unwrap(), ANNOUNCED as u64);
    // The same through the Config with an ftp:// URL.
    let server = tls_scenarios::implicit_download(&pki);
    let url = FtpUrl::parse(&format!("ftp://user:pw@{}/", server.addr())).unwrap();
    let client = Client::connect_url(
        &url,
        Config {
            tls: TlsMode::Implicit,
            ..config(&pki)
        },
    )
    .unwrap();
    assert!(client.is_tls());
}

#[test]
fn tls_records_split_across_reads() {
    let pki = TestPki::new();
    let server = tls_scenarios::tls_download(&pki, TlsEnd::SplitRecords);
    let mut client = connect(&server, "ftpes", &pki).unwrap();
    let mut out = Vec::new();
    assert_eq!(client.retrieve("f", &mut out).unwrap(), ANNOUNCED as u64);
    assert_eq!(out.len(), ANNOUNCED);
    assert!(out.iter().all(|&b| b == 7));
}

#[test]
fn a_tls_record_cut_short_is_a_truncation() {
    let pki = TestPki::new();
    let server = tls_scenarios::tls_download(&pki, TlsEnd::CutMidRecord);
    let mut client = connect(&server, "ftpes", &pki).unwrap();
    let mut out = Vec::new();
    let err = client.retrieve("f", &mut out).unwrap_err();
    let message = one_line(&err);
    // Only the whole records before the cut are data.
    assert!(
        matches!(
            err,
            Error::Truncated { received, expected: Some(expected) }
                if received < ANNOUNCED as u64 && received == out.len() as u64
                    && expected == ANNOUNCED as u64
        ),
        "{err:?}"
    );
    assert!(message.contains("without close_notify"), "{message}");
    assert!(!client.is_closed());
}

#[test]
fn a_corrupt_tls_record_mid_transfer_is_an_error() {
    let pki = TestPki::new();
    let server = tls_scenarios::tls_download(&pki, TlsEnd::CorruptRecord);
    let mut client = connect(&server, "ftpes", &pki).unwrap();
    let mut out = Vec::new();
    let err = client.retrieve("f", &mut out).unwrap_err();
    let message = one_line(&err);
    assert!(message.contains("receiving data"), "{message}");
    assert!(message.contains("decrypt"), "{message}");
    // Nothing of the bad record reached the output.
    assert!(out.len() < ANNOUNCED / 2 + 16 * 1024, "{}", out.len());
    assert!(out.iter().all(|&b| b == 7));
}
