//! The async client (`ftp_client::tokio`) against the scripted misbehaving
//! server: the same faults as `tests/faults.rs` end the same way, and the
//! tokio timers bound every wait (connect, control reads, data reads, the
//! final reply).

use std::time::{Duration, Instant};

use ftp_client::tokio::Client;
use ftp_client::{Config, Error};
use ftp_suite::FaultServer;
use ftp_suite::drive::block_on;
use ftp_suite::scenarios::{self, DownloadFault, FinalReply, UploadTarget};

const TIMEOUT: Duration = Duration::from_millis(1500);

fn config() -> Config {
    Config {
        connect_timeout: TIMEOUT,
        control_timeout: TIMEOUT,
        data_timeout: TIMEOUT,
        final_reply_timeout: TIMEOUT,
        ..Config::default()
    }
}

async fn connect(server: &FaultServer) -> Result<Client, Error> {
    let mut client = Client::connect(server.addr(), config()).await?;
    client.login("user", "pw").await?;
    Ok(client)
}

#[test]
fn silent_server_times_out_within_the_bound() {
    let server = scenarios::silent();
    block_on(async {
        let started = Instant::now();
        let err = Client::connect(server.addr(), config()).await.unwrap_err();
        let elapsed = started.elapsed();
        assert!(matches!(err, Error::Timeout { .. }), "{err}");
        assert!(
            elapsed >= TIMEOUT && elapsed < TIMEOUT + Duration::from_secs(1),
            "{elapsed:?}"
        );
    });
}

#[test]
fn stalled_transfer_times_out_within_the_bound() {
    let server = scenarios::download_fault(DownloadFault::Stall);
    block_on(async {
        let mut client = connect(&server).await.unwrap();
        let started = Instant::now();
        let err = client.retrieve("f", &mut Vec::new()).await.unwrap_err();
        let elapsed = started.elapsed();
        assert!(err.to_string().contains("timed out"), "{err}");
        // One data-read timeout, then at most one final-reply timeout.
        assert!(
            elapsed < 2 * TIMEOUT + Duration::from_secs(1),
            "{elapsed:?}"
        );
    });
}

#[test]
fn service_closing_421_mid_command() {
    let server = scenarios::closes_with_421();
    block_on(async {
        let mut client = connect(&server).await.unwrap();
        let err = client.mkdir("d").await.unwrap_err();
        assert!(matches!(err, Error::Closed { .. }), "{err}");
        assert_eq!(err.code(), Some(421));
        assert!(client.is_closed());
        assert!(client.noop().await.is_err(), "the session is over");
    });
}

#[test]
fn refusal_while_the_data_connection_is_open_but_silent_does_not_hang() {
    let server = scenarios::refusal_with_data_open();
    block_on(async {
        let mut client = connect(&server).await.unwrap();
        let started = Instant::now();
        let err = client
            .retrieve("missing", &mut Vec::new())
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(550), "{err}");
        assert!(started.elapsed() < Duration::from_secs(1));
    });
}

#[test]
fn final_reply_before_and_after_the_data() {
    for order in [FinalReply::BeforeData, FinalReply::SecondAfterData] {
        let server = scenarios::download_with_final_reply(order);
        block_on(async {
            let mut client = connect(&server).await.unwrap();
            let mut out = Vec::new();
            client.retrieve("f", &mut out).await.unwrap();
            assert_eq!(out, scenarios::CONTENT);
        });
    }
}

#[test]
fn half_the_data_then_426_and_a_reset() {
    for fault in [DownloadFault::Abort426, DownloadFault::ResetData] {
        let server = scenarios::download_fault(fault);
        block_on(async {
            let mut client = connect(&server).await.unwrap();
            let err = client.retrieve("f", &mut Vec::new()).await.unwrap_err();
            assert_eq!(err.code(), Some(426), "{fault:?}: {err}");
        });
    }
}

#[test]
fn control_connection_dropped_mid_transfer() {
    let server = scenarios::download_fault(DownloadFault::DropControl);
    block_on(async {
        let mut client = connect(&server).await.unwrap();
        let err = client.retrieve("f", &mut Vec::new()).await.unwrap_err();
        assert!(matches!(err, Error::Closed { .. }), "{err}");
    });
}

#[test]
fn data_connection_refused_is_an_io_error_and_the_session_survives() {
    let server = scenarios::data_connection_refused();
    block_on(async {
        let mut client = connect(&server).await.unwrap();
        let err = client.retrieve("f", &mut Vec::new()).await.unwrap_err();
        assert!(
            err.to_string()
                .contains("opening the data connection to 127.0.0.1:"),
            "{err}"
        );
        client.noop().await.unwrap();
    });
    let received = server.received();
    assert_eq!(received[2..5], ["TYPE I", "EPSV", "PASV"], "{received:?}");
}

#[test]
fn nul_in_the_reply_to_pass_is_a_protocol_error() {
    let server = scenarios::nul_in_login_reply();
    block_on(async {
        let err = connect(&server).await.unwrap_err();
        assert!(err.to_string().contains("malformed reply"), "{err}");
        assert!(err.is_session_closed(), "{err}");
    });
}

#[test]
fn control_character_in_a_pwd_path_is_refused_and_never_sent_back() {
    let server = scenarios::control_character_in_pwd();
    block_on(async {
        let mut client = connect(&server).await.unwrap();
        let err = client.pwd().await.unwrap_err();
        assert!(err.to_string().contains("control character"), "{err}");
        let err = client.list("d").await.unwrap_err();
        assert!(err.to_string().contains("control character"), "{err}");
    });
    let received = server.received();
    assert!(!received.iter().any(|l| l.contains('\x03')), "{received:?}");
}

#[test]
fn greeting_230_logs_in_without_user_and_pass() {
    let server = scenarios::greeting_230();
    block_on(async {
        let mut client = connect(&server).await.unwrap();
        let mut out = Vec::new();
        client.retrieve("f", &mut out).await.unwrap();
        assert_eq!(out, scenarios::CONTENT);
    });
    let received = server.received();
    assert!(
        !received
            .iter()
            .any(|l| l.starts_with("USER") || l.starts_with("PASS")),
        "{received:?}"
    );
}

#[test]
fn epsv_that_fails_falls_back_to_pasv_once_for_the_session() {
    for (what, fault) in scenarios::EPSV_FAULTS {
        let server = scenarios::epsv_fails(fault, "127,0,0,1");
        block_on(async {
            let mut client = connect(&server).await.unwrap();
            for _ in 0..3 {
                let mut out = Vec::new();
                client.retrieve("f", &mut out).await.unwrap();
                assert_eq!(out, scenarios::PASV_CONTENT, "{what}");
            }
        });
        let received = server.received();
        let count = |verb: &str| received.iter().filter(|l| *l == verb).count();
        assert_eq!(count("EPSV"), 1, "{what}: {received:?}");
        assert_eq!(count("PASV"), 3, "{what}: {received:?}");
    }
}

#[test]
fn upload_refused_after_the_data_disk_full() {
    for reply in ["552 Disk full", "452 Insufficient storage"] {
        let server = scenarios::upload_refused_after_data(reply, UploadTarget::New);
        block_on(async {
            let mut client = connect(&server).await.unwrap();
            let err = client
                .store("f", &mut &[0u8; 200_000][..])
                .await
                .unwrap_err();
            assert_eq!(err.code(), Some(reply[..3].parse().unwrap()), "{err}");
            assert_eq!(err.is_transient(), reply.starts_with('4'));
        });
    }
}

// --- Active mode ---------------------------------------------------------------

async fn connect_active(server: &FaultServer) -> Result<Client, Error> {
    let config = Config {
        data_mode: ftp_client::DataMode::Active { address: None },
        ..config()
    };
    let mut client = Client::connect(server.addr(), config).await?;
    client.login("user", "pw").await?;
    Ok(client)
}

#[test]
fn active_server_that_never_connects_times_out_within_the_bound() {
    let server = scenarios::active(scenarios::ActiveFault::NeverConnects);
    block_on(async {
        let mut client = connect_active(&server).await.unwrap();
        let started = Instant::now();
        let mut got = Vec::new();
        let err = client.retrieve("f.bin", &mut got).await.unwrap_err();
        let took = started.elapsed();
        assert!(matches!(err, Error::Timeout { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("to open the data connection (active mode)")
                && text.contains("127.0.0.1"),
            "{text}"
        );
        assert!(took >= TIMEOUT && took < TIMEOUT * 2, "took {took:?}");
        assert!(got.is_empty());
        // The server may still connect: the session is over.
        assert!(client.is_closed());
    });
    let received = server.received();
    assert!(
        received.iter().any(|c| c.starts_with("EPRT |1|127.0.0.1|"))
            && received.iter().any(|c| c.starts_with("PORT 127,0,0,1,")),
        "no EPRT then PORT: {received:?}"
    );
}

#[test]
fn active_wait_ends_on_the_servers_425() {
    let server = scenarios::active(scenarios::ActiveFault::RefusesAfter150);
    block_on(async {
        let mut client = connect_active(&server).await.unwrap();
        let started = Instant::now();
        let mut got = Vec::new();
        let err = client.retrieve("f.bin", &mut got).await.unwrap_err();
        let took = started.elapsed();
        assert!(
            err.to_string()
                .contains("425 Failed to establish connection."),
            "{err}"
        );
        assert!(took < TIMEOUT, "took {took:?}");
        assert!(got.is_empty());
        // The session goes on.
        assert!(!client.is_closed());
        client.quit().await.unwrap();
    });
}

#[test]
fn active_connection_from_another_host_is_refused() {
    let server = scenarios::active(scenarios::ActiveFault::OtherHostOnly);
    block_on(async {
        let mut client = connect_active(&server).await.unwrap();
        let mut got = Vec::new();
        let err = client.retrieve("f.bin", &mut got).await.unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("a connection from 127.0.0.2:") && text.contains("was refused"),
            "{text}"
        );
        assert!(got.is_empty(), "the thief's bytes were taken: {got:?}");
    });
}

#[test]
fn active_thief_is_ignored_and_the_servers_connection_taken() {
    let server = scenarios::active(scenarios::ActiveFault::ThiefThenServer);
    block_on(async {
        let mut client = connect_active(&server).await.unwrap();
        let mut got = Vec::new();
        client.retrieve("f.bin", &mut got).await.unwrap();
        assert_eq!(got, scenarios::ACTIVE_CONTENT);
        // An upload the same way, in the same session.
        client.store("up.bin", &mut &b"uploaded"[..]).await.unwrap();
        client.quit().await.unwrap();
    });
}
