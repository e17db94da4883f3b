//! The session's answer to servers that issue no TLS 1.3 session ticket on
//! upload data connections (proFTPD 1.3.8): with a driver that presents
//! each ticket once, TLS 1.2 at most, decided from the greeting.

use ftp_proto::{Action, Failure, Outcome, Session, SessionConfig, TlsMode};
use std::time::Instant;

const PROFTPD: &[u8] = b"220 ProFTPD Server (ProFTPD interop) [127.0.0.1]\r\n";
const VSFTPD: &[u8] = b"220 (vsFTPd 3.0.3)\r\n";

fn session(tls: TlsMode, one_use_tickets: bool) -> Session {
    Session::new(SessionConfig {
        tls,
        tls13_one_use_tickets: one_use_tickets,
        ..SessionConfig::new("192.0.2.7:21".parse().unwrap())
    })
}

/// Drains the actions until the session wants the control connection
/// secured or the operation ends; returns what it sent and how it ended.
fn run_until_secure_or_done(session: &mut Session, greeting: &[u8]) -> (Vec<String>, Action) {
    let mut sent = Vec::new();
    let mut greeting = Some(greeting);
    loop {
        match session.poll(Instant::now()) {
            Some(Action::ReadControl) => match greeting.take() {
                Some(bytes) => session.handle_control(bytes),
                None => session.handle_control(b"234 Proceed\r\n"),
            },
            Some(Action::Send(command)) => sent.push(command.to_string()),
            Some(Action::Reply(_)) => {}
            Some(action @ (Action::SecureControl | Action::Done(_))) => return (sent, action),
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn explicit_tls_with_proftpd_offers_tls12_only() {
    let mut s = session(TlsMode::Explicit, true);
    let (sent, action) = run_until_secure_or_done(&mut s, PROFTPD);
    assert_eq!(sent, ["AUTH TLS"]);
    assert_eq!(action, Action::SecureControl);
    assert!(s.tls12_only());
}

#[test]
fn explicit_tls_with_other_servers_keeps_tls13() {
    let mut s = session(TlsMode::Explicit, true);
    let (_, action) = run_until_secure_or_done(&mut s, VSFTPD);
    assert_eq!(action, Action::SecureControl);
    assert!(!s.tls12_only());
}

#[test]
fn a_driver_that_reuses_tickets_keeps_tls13() {
    let mut s = session(TlsMode::Explicit, false);
    let (_, action) = run_until_secure_or_done(&mut s, PROFTPD);
    assert_eq!(action, Action::SecureControl);
    assert!(!s.tls12_only());
}

#[test]
fn implicit_tls_with_proftpd_ends_before_login_asking_for_tls12() {
    let mut s = session(TlsMode::Implicit, true);
    assert_eq!(s.poll(Instant::now()), Some(Action::SecureControl));
    s.handle_control_secured().unwrap();
    let (sent, action) = run_until_secure_or_done(&mut s, PROFTPD);
    assert!(sent.is_empty(), "sent {sent:?}");
    match action {
        Action::Done(Err(Failure::NeedsTls12(greeting))) => {
            assert!(greeting.text().contains("ProFTPD"));
        }
        other => panic!("ended with {other:?}"),
    }
    assert!(s.is_closed());
}

#[test]
fn implicit_tls_with_other_servers_greets() {
    let mut s = session(TlsMode::Implicit, true);
    assert_eq!(s.poll(Instant::now()), Some(Action::SecureControl));
    s.handle_control_secured().unwrap();
    let (_, action) = run_until_secure_or_done(&mut s, VSFTPD);
    assert!(
        matches!(action, Action::Done(Ok(Outcome::Greeting(_)))),
        "{action:?}"
    );
}

#[test]
fn plain_sessions_ignore_the_greeting_name() {
    let mut s = session(TlsMode::Plain, true);
    let (sent, action) = run_until_secure_or_done(&mut s, PROFTPD);
    assert!(sent.is_empty());
    assert!(matches!(action, Action::Done(Ok(Outcome::Greeting(_)))));
    assert!(!s.tls12_only());
}
