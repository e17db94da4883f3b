//! Library behaviour that needs no FTP server. Every case against a server
//! is in the library's matrix (`tests/library_matrix/`), which runs it
//! against the in-process server and, in the interop suite, every real one.

use ftp_client::{Client, Config, Error};

#[test]
fn connection_refused_is_a_clear_io_error() {
    // Bind then drop a listener: the port is then almost surely closed.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = Client::connect(addr, Config::default()).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(
        err.to_string().contains(&format!("connecting to {addr}")),
        "{err}"
    );
}
