//! The library's API from a user's chair (issue 16), against the
//! in-process libunftp server on 127.0.0.1.

use ftp_client::{Client, Config, Error, UsageError};
use ftp_suite::{PASSWORD, TestServer, USER};

fn login(server: &TestServer) -> Client {
    let mut client = Client::connect(server.addr(), Config::default()).expect("connect");
    client.login(USER, PASSWORD).expect("login");
    client
}

#[test]
fn raw_refuses_data_and_session_verbs_and_the_session_goes_on() {
    let server = TestServer::start();
    std::fs::write(server.root().join("x"), b"contents").unwrap();
    let mut ftp = login(&server);
    for (line, verb) in [
        ("PASV", "PASV"),
        ("retr x", "RETR"),
        ("LIST", "LIST"),
        ("  Epsv", "EPSV"),
        ("STOR y", "STOR"),
        ("rest 10", "REST"),
        ("AUTH TLS", "AUTH"),
    ] {
        match ftp.raw(line) {
            Err(Error::Usage(UsageError::ReservedVerb(v))) => assert_eq!(v, verb, "{line}"),
            other => panic!("{line}: {other:?}"),
        }
    }
    // Nothing went out: the next command's reply is its own, at once.
    let reply = ftp.raw("NOOP").unwrap();
    assert_eq!(reply.code().get(), 200, "{reply}");
    let mut copy = Vec::new();
    ftp.retrieve("x", &mut copy).unwrap();
    assert_eq!(copy, b"contents");
    assert!(!server.root().join("y").exists());
    ftp.quit().unwrap();
}
