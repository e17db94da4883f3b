//! The library against a scripted misbehaving server: each fault ends in
//! success or a clear error, never a hang or a panic, and timeouts fire
//! within their configured bound.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use ftp_client::{Client, Config, Error};
use ftp_suite::scenarios::{self, DownloadFault, FinalReply, UploadFault, UploadTarget};
use ftp_suite::{FaultServer, Peer};

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

fn connect(server: &FaultServer) -> Result<Client, Error> {
    let mut client = Client::connect(server.addr(), config())?;
    client.login("user", "pw")?;
    Ok(client)
}

/// Serves `data` for one RETR after the usual login.
fn download_script(peer: &mut Peer, data: &[u8]) -> std::io::Result<()> {
    peer.login()?;
    let mut stream = peer.answer_transfer("RETR", "150 Opening data connection")?;
    stream.write_all(data)?;
    drop(stream);
    peer.reply("226 Transfer complete")?;
    peer.drain()
}

// --- Replies -----------------------------------------------------------------

#[test]
fn multi_line_replies_with_digit_lines_and_bare_lf_and_120() {
    let server = scenarios::odd_but_valid_replies();
    let mut client = connect(&server).unwrap();
    client.mkdir("d").unwrap();
    client.noop().unwrap();
}

#[test]
fn garbage_instead_of_a_reply_is_a_protocol_error() {
    let server = scenarios::garbage_greeting();
    let err = Client::connect(server.addr(), config()).unwrap_err();
    assert!(matches!(err, Error::Protocol(_)), "{err}");
    assert!(err.to_string().contains("malformed reply"), "{err}");
}

#[test]
fn endless_reply_line_is_bounded_and_fails_cleanly() {
    let server = scenarios::endless_greeting_line();
    let started = Instant::now();
    let err = Client::connect(server.addr(), config()).unwrap_err();
    assert!(err.to_string().contains("reply line longer than"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn service_closing_421_mid_command() {
    let server = scenarios::closes_with_421();
    let mut client = connect(&server).unwrap();
    let err = client.mkdir("d").unwrap_err();
    assert!(matches!(err, Error::Closed { .. }), "{err}");
    assert_eq!(err.code(), Some(421));
    assert!(client.noop().is_err(), "the session is over");
}

#[test]
fn answers_200_where_250_or_257_are_expected() {
    let server = scenarios::answers_200_to_everything();
    let mut client = connect(&server).unwrap();
    client.mkdir("d").unwrap();
    client.rmdir("d").unwrap();
    client.delete("f").unwrap();
    client.cwd("x").unwrap();
    client.rename("a", "b").unwrap_err(); // RNFR needs 350, not 200
}

#[test]
fn dropped_mid_multi_line_reply_is_an_error_not_a_loop() {
    let server = FaultServer::start(|peer| {
        peer.login()?;
        peer.expect("FEAT")?;
        peer.send(b"211-Features\r\n SIZE\r\n")?;
        peer.close();
        Ok(())
    });
    let mut client = connect(&server).unwrap();
    let err = client.features().unwrap_err();
    assert!(matches!(err, Error::Closed { reply: None }), "{err}");
}

#[test]
fn nul_in_the_reply_to_pass_is_a_protocol_error() {
    let server = scenarios::nul_in_login_reply();
    let err = connect(&server).unwrap_err();
    assert!(err.to_string().contains("malformed reply"), "{err}");
    assert!(err.is_session_closed(), "{err}");
}

#[test]
fn control_character_in_a_pwd_path_is_refused_and_never_sent_back() {
    let server = scenarios::control_character_in_pwd();
    let mut client = connect(&server).unwrap();
    let err = client.pwd().unwrap_err();
    assert!(err.to_string().contains("control character"), "{err}");
    // A listing of a named directory asks PWD to know its way back.
    let err = client.list("d").unwrap_err();
    assert!(err.to_string().contains("control character"), "{err}");
    let received = server.received();
    assert!(!received.iter().any(|l| l.contains('\x03')), "{received:?}");
}

#[test]
fn greeting_230_logs_in_without_user_and_pass() {
    let server = scenarios::greeting_230();
    let mut client = connect(&server).unwrap();
    let mut out = Vec::new();
    client.retrieve("f", &mut out).unwrap();
    assert_eq!(out, scenarios::CONTENT);
    let received = server.received();
    assert!(
        !received
            .iter()
            .any(|l| l.starts_with("USER") || l.starts_with("PASS")),
        "{received:?}"
    );
}

// --- Passive mode --------------------------------------------------------------

#[test]
fn pasv_fallback_ignores_an_advertised_private_host() {
    // EPSV refused, then 227 replies (without parentheses, then with)
    // advertising `host`: the data must still come from 127.0.0.1, the
    // control connection's peer.
    for host in ["10,9,8,7", "0,0,0,0", "192,0,2,1"] {
        let server = scenarios::pasv_only(host);
        let mut client = connect(&server).unwrap();
        for _ in 0..2 {
            let mut out = Vec::new();
            client.retrieve("f", &mut out).unwrap();
            assert_eq!(out, scenarios::PASV_CONTENT, "{host}");
        }
        let received = server.received();
        assert_eq!(
            received.iter().filter(|l| *l == "EPSV").count(),
            1,
            "EPSV retried: {received:?}"
        );
    }
}

#[test]
fn epsv_that_fails_falls_back_to_pasv_once_for_the_session() {
    // curl's tests 124 (EPSV answered 314) and 1233 (the EPSV port refuses
    // the connection), and their kin: PASV after the first EPSV, and no
    // EPSV again in that session.
    for (what, fault) in scenarios::EPSV_FAULTS {
        let server = scenarios::epsv_fails(fault, "127,0,0,1");
        let mut client = connect(&server).unwrap();
        for _ in 0..3 {
            let mut out = Vec::new();
            client.retrieve("f", &mut out).unwrap();
            assert_eq!(out, scenarios::PASV_CONTENT, "{what}");
        }
        let received = server.received();
        let count = |verb: &str| received.iter().filter(|l| *l == verb).count();
        assert_eq!(count("EPSV"), 1, "{what}: {received:?}");
        assert_eq!(count("PASV"), 3, "{what}: {received:?}");
    }
}

#[test]
fn data_connection_refused_is_an_io_error_and_the_session_survives() {
    let server = scenarios::data_connection_refused();
    let mut client = connect(&server).unwrap();
    let err = client.retrieve("f", &mut Vec::new()).unwrap_err();
    assert!(
        err.to_string()
            .contains("opening the data connection to 127.0.0.1:"),
        "{err}"
    );
    client.noop().unwrap();
    // The refused EPSV port was tried once, then PASV's.
    let received = server.received();
    assert_eq!(received[2..5], ["TYPE I", "EPSV", "PASV"], "{received:?}");
}

// --- Transfers -------------------------------------------------------------------

#[test]
fn refusal_while_the_data_connection_is_open_but_silent_does_not_hang() {
    let server = scenarios::refusal_with_data_open();
    let mut client = connect(&server).unwrap();
    let started = Instant::now();
    let err = client.retrieve("missing", &mut Vec::new()).unwrap_err();
    assert_eq!(err.code(), Some(550), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn final_reply_before_the_data() {
    let server = scenarios::download_with_final_reply(FinalReply::BeforeData);
    let mut client = connect(&server).unwrap();
    let mut out = Vec::new();
    client.retrieve("f", &mut out).unwrap();
    assert_eq!(out, scenarios::CONTENT);
}

#[test]
fn final_reply_seconds_after_the_data() {
    let server = scenarios::download_with_final_reply(FinalReply::SecondAfterData);
    let mut client = connect(&server).unwrap();
    let mut out = Vec::new();
    client.retrieve("f", &mut out).unwrap();
    assert_eq!(out, scenarios::CONTENT);
}

#[test]
fn half_the_data_then_426() {
    let server = scenarios::download_fault(DownloadFault::Abort426);
    let mut client = connect(&server).unwrap();
    let err = client.retrieve("f", &mut Vec::new()).unwrap_err();
    assert_eq!(err.code(), Some(426), "{err}");
}

#[test]
fn fewer_bytes_than_announced_then_226_is_reported_by_the_caller() {
    // The library reports what arrived and the server's 226; the 150's
    // size hint lets a caller (ftp-cli does) notice the shortfall.
    let server = scenarios::download_fault(DownloadFault::Short);
    let mut client = connect(&server).unwrap();
    let mut download = client.retrieve_stream("f").unwrap();
    assert_eq!(download.size_hint(), Some(scenarios::ANNOUNCED as u64));
    download.copy_to_end(&mut std::io::sink()).unwrap();
    let received = download.finish().unwrap();
    assert_eq!(received, scenarios::SENT_BEFORE_FAULT as u64);
}

#[test]
fn control_connection_dropped_mid_transfer() {
    let server = scenarios::download_fault(DownloadFault::DropControl);
    let mut client = connect(&server).unwrap();
    let err = client.retrieve("f", &mut Vec::new()).unwrap_err();
    assert!(matches!(err, Error::Closed { .. }), "{err}");
}

#[test]
fn data_connection_reset_mid_transfer() {
    let server = scenarios::download_fault(DownloadFault::ResetData);
    let mut client = connect(&server).unwrap();
    let err = client.retrieve("f", &mut Vec::new()).unwrap_err();
    assert_eq!(err.code(), Some(426), "{err}");
    client.noop().unwrap_err(); // drained with 502: the session is in step
}

#[test]
fn upload_refused_after_the_data_disk_full() {
    for reply in ["552 Disk full", "452 Insufficient storage"] {
        let server = scenarios::upload_refused_after_data(reply, UploadTarget::New);
        let mut client = connect(&server).unwrap();
        let err = client.store("f", &mut &[0u8; 200_000][..]).unwrap_err();
        assert_eq!(err.code(), Some(reply[..3].parse().unwrap()), "{err}");
        assert_eq!(err.is_transient(), reply.starts_with('4'));
    }
}

#[test]
fn silent_server_times_out_within_the_bound() {
    let server = scenarios::silent();
    let started = Instant::now();
    let err = Client::connect(server.addr(), config()).unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(
        elapsed >= TIMEOUT && elapsed < TIMEOUT + Duration::from_secs(1),
        "{elapsed:?}"
    );
}

#[test]
fn stalled_transfer_times_out_within_the_bound() {
    let server = scenarios::download_fault(DownloadFault::Stall);
    let mut client = connect(&server).unwrap();
    let started = Instant::now();
    let err = client.retrieve("f", &mut Vec::new()).unwrap_err();
    let elapsed = started.elapsed();
    assert!(err.to_string().contains("timed out"), "{err}");
    // One data-read timeout, then at most one final-reply timeout.
    assert!(
        elapsed < 2 * TIMEOUT + Duration::from_secs(1),
        "{elapsed:?}"
    );
}

#[test]
fn a_normal_download_through_the_fault_server() {
    let server = FaultServer::start(|peer| download_script(peer, b"plain"));
    let mut client = connect(&server).unwrap();
    let mut out = Vec::new();
    client.retrieve("f", &mut out).unwrap();
    assert_eq!(out, b"plain");
}

/// A writer that fails once `limit` bytes have been written, like a full
/// disk.
struct FullDisk {
    written: usize,
    limit: usize,
}

impl Write for FullDisk {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.written + buf.len() > self.limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "disk full",
            ));
        }
        self.written += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn local_write_failure_is_reported_as_such_and_abandoned_downloads_do_not_hang() {
    // Pure-FTPd answers a download the client abandons with one more 150
    // and nothing final; the client must not wait its full final-reply
    // timeout for a 226 that never comes.
    let server = FaultServer::start(|peer| {
        peer.login()?;
        peer.type_and_epsv()?;
        peer.expect("RETR")?;
        let mut data = peer.accept_data()?;
        peer.send(b"150-Accepted data connection\r\n150 5120.0 kbytes to download\r\n")?;
        let _ = data.write_all(&[5u8; 5 << 20]);
        drop(data);
        peer.reply("150 0.001 seconds (measured here), 921.10 Mbytes per second")?;
        peer.drain()
    });
    let mut client = Client::connect(server.addr(), Config::default()).unwrap();
    client.login("user", "pw").unwrap();
    let started = Instant::now();
    let err = client
        .retrieve(
            "f",
            &mut FullDisk {
                written: 0,
                limit: 1 << 20,
            },
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("writing the downloaded data: disk full"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn local_write_failure_wins_over_the_servers_426() {
    let server = FaultServer::start(|peer| {
        peer.login()?;
        let mut data = peer.answer_transfer("RETR", "150 Here")?;
        let _ = data.write_all(&[5u8; 4 << 20]);
        drop(data);
        peer.reply("426 Failure writing network stream.")?;
        peer.answer("NOOP", "200 Ok")?;
        peer.drain()
    });
    let mut client = connect(&server).unwrap();
    let err = client
        .retrieve(
            "f",
            &mut FullDisk {
                written: 0,
                limit: 1 << 20,
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("disk full"), "{err}");
    client.noop().unwrap();
}

#[test]
fn finish_after_a_failed_read_reports_it_without_reading_again() {
    let server = scenarios::download_fault(DownloadFault::Stall);
    let mut client = connect(&server).unwrap();
    let mut download = client.retrieve_stream("f").unwrap();
    let started = Instant::now();
    let mut buf = vec![0u8; 64 << 10];
    let read_error = loop {
        match std::io::Read::read(&mut download, &mut buf) {
            Ok(0) => panic!("the stalled transfer ended"),
            Ok(_) => {}
            Err(e) => break e,
        }
    };
    assert_eq!(read_error.kind(), std::io::ErrorKind::WouldBlock);
    let err = download.finish().unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    // The read's timeout, then at most one wait for the final reply; a
    // second read would add a third.
    let elapsed = started.elapsed();
    assert!(
        elapsed < 2 * TIMEOUT + Duration::from_millis(700),
        "{elapsed:?}"
    );
}

#[test]
fn uploads_broken_half_way_fail_within_the_bound() {
    for (fault, needle) in [
        (
            UploadFault::Abort426,
            "426 Connection closed; transfer aborted",
        ),
        (UploadFault::DropControl, "server closed the connection"),
        (
            UploadFault::NoFinalReply,
            "timed out after 1.5s waiting for the server's reply",
        ),
    ] {
        let server = scenarios::upload_fault(fault, UploadTarget::New);
        let mut client = connect(&server).unwrap();
        let started = Instant::now();
        let err = client
            .store("f", &mut std::io::repeat(7).take(4 << 20))
            .unwrap_err();
        assert!(err.to_string().contains(needle), "{fault:?}: {err}");
        let elapsed = started.elapsed();
        assert!(
            elapsed < 2 * TIMEOUT + Duration::from_secs(1),
            "{fault:?}: {elapsed:?}"
        );
    }
}

// --- Active mode ---------------------------------------------------------------

fn active_config() -> Config {
    Config {
        data_mode: ftp_client::DataMode::Active { address: None },
        ..config()
    }
}

fn connect_active(server: &FaultServer) -> Client {
    let mut client = Client::connect(server.addr(), active_config()).unwrap();
    client.login("user", "pw").unwrap();
    client
}

#[test]
fn active_server_that_never_connects_times_out_within_the_bound() {
    use scenarios::ActiveFault;
    let server = scenarios::active(ActiveFault::NeverConnects);
    let mut client = connect_active(&server);
    let started = Instant::now();
    let mut got = Vec::new();
    let err = client.retrieve("f.bin", &mut got).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("to open the data connection (active mode)") && text.contains("127.0.0.1"),
        "{text}"
    );
    assert!(took >= TIMEOUT && took < TIMEOUT * 2, "took {took:?}");
    assert!(got.is_empty());
    // The server may still connect: the session is over.
    assert!(client.is_closed());
    let received = server.received();
    assert!(
        received.iter().any(|c| c.starts_with("EPRT |1|127.0.0.1|"))
            && received.iter().any(|c| c.starts_with("PORT 127,0,0,1,")),
        "no EPRT then PORT: {received:?}"
    );
}

#[test]
fn active_connection_from_another_host_is_refused() {
    use scenarios::ActiveFault;
    let server = scenarios::active(ActiveFault::OtherHostOnly);
    let mut client = connect_active(&server);
    let mut got = Vec::new();
    let err = client.retrieve("f.bin", &mut got).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("a connection from 127.0.0.2:") && text.contains("was refused"),
        "{text}"
    );
    assert!(got.is_empty(), "the thief's bytes were taken: {got:?}");
}

#[test]
fn active_thief_is_ignored_and_the_servers_connection_taken() {
    use scenarios::{ACTIVE_CONTENT, ActiveFault};
    let server = scenarios::active(ActiveFault::ThiefThenServer);
    let mut client = connect_active(&server);
    let mut got = Vec::new();
    client.retrieve("f.bin", &mut got).unwrap();
    assert_eq!(got, ACTIVE_CONTENT);
    // An upload the same way, in the same session.
    client.store("up.bin", &mut &b"uploaded"[..]).unwrap();
    client.quit().unwrap();
}

/// A server that sends its final reply only once the client closed the
/// data connection (proFTPD): the download ends at once even while a
/// `Canceller` (which holds a duplicate of the socket) is alive.
#[test]
fn the_data_connection_closes_for_good_while_a_canceller_is_held() {
    let server = FaultServer::start(|peer| {
        peer.login()?;
        let mut data = peer.answer_transfer("RETR", "150 Opening data connection (5 bytes)")?;
        data.write_all(b"hello")?;
        data.shutdown(std::net::Shutdown::Write)?;
        // Waits for the client's FIN (bounded by the script's timeout).
        let mut rest = Vec::new();
        let _ = data.read_to_end(&mut rest);
        peer.reply("226 Transfer complete")?;
        peer.drain()
    });
    let mut client = connect(&server).unwrap();
    let started = Instant::now();
    let mut download = client.retrieve_stream("f.bin").unwrap();
    let canceller = download.canceller();
    assert!(canceller.is_some());
    let mut got = Vec::new();
    download.read_to_end(&mut got).unwrap();
    assert_eq!(download.finish().unwrap(), 5);
    assert_eq!(got, b"hello");
    assert!(started.elapsed() < TIMEOUT, "took {:?}", started.elapsed());
    drop(canceller);
    client.noop().unwrap_err(); // the script is over: 502
}

// --- Segmented downloads -------------------------------------------------------

/// What a segmented download reported.
#[derive(Default)]
struct SegmentsSeen {
    notices: std::sync::Mutex<Vec<String>>,
    retries: std::sync::Mutex<Vec<String>>,
}

impl ftp_client::engine::Progress for SegmentsSeen {
    fn notice(&self, notice: &ftp_client::engine::Notice<'_>) {
        self.notices.lock().unwrap().push(notice.to_string());
    }
    fn retrying(&self, retry: &ftp_client::engine::Retry<'_>) {
        self.retries.lock().unwrap().push(retry.what.to_owned());
    }
}

/// `f.bin` from `server` over 4 sessions into a new directory, ranges
/// retried twice.
fn segmented_download(
    server: &FaultServer,
    seen: &SegmentsSeen,
) -> (
    Result<ftp_client::engine::Downloaded, ftp_client::engine::DownloadError>,
    tempfile::TempDir,
) {
    use ftp_client::engine::{Cancel, FileDownload, RetryPolicy, SegmentedDownload};
    let dir = tempfile::tempdir().unwrap();
    let download = FileDownload::new("f.bin", dir.path().join("f.bin"));
    let connect = || connect(server);
    let result = connect()
        .map_err(ftp_client::engine::DownloadError::Transfer)
        .and_then(|mut client| {
            SegmentedDownload::new(download, 4)
                .retry(RetryPolicy::new(2).with_delay(Duration::from_millis(10)))
                .run(&mut client, &connect, seen, &Cancel::new())
        });
    (result, dir)
}

#[test]
fn segmented_download_continues_a_dropped_range_from_its_next_byte() {
    use scenarios::{SEGMENT_SENT_BEFORE_DROP, SegmentFault};
    let server = scenarios::segmented(SegmentFault::DropMidway);
    let seen = SegmentsSeen::default();
    let (result, dir) = segmented_download(&server, &seen);
    let done = result.unwrap();
    assert_eq!(done.received, scenarios::SEGMENTED_LEN as u64);
    assert_eq!(
        std::fs::read(dir.path().join("f.bin")).unwrap(),
        scenarios::segmented_content()
    );
    assert_eq!(seen.retries.lock().unwrap().len(), 1, "one range retried");
    let rests: Vec<usize> = server
        .received()
        .iter()
        .filter_map(|l| l.strip_prefix("REST ").and_then(|n| n.parse().ok()))
        .collect();
    assert!(
        rests
            .iter()
            .any(|&o| rests.contains(&(o + SEGMENT_SENT_BEFORE_DROP))),
        "{rests:?}"
    );
}

#[test]
fn segmented_download_without_rest_is_one_stream_said_once() {
    use scenarios::SegmentFault;
    for fault in [SegmentFault::NoRest, SegmentFault::NoRestInFeat] {
        let server = scenarios::segmented(fault);
        let seen = SegmentsSeen::default();
        let (result, dir) = segmented_download(&server, &seen);
        result.unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("f.bin")).unwrap(),
            scenarios::segmented_content(),
            "{fault:?}"
        );
        let notices = seen.notices.lock().unwrap().clone();
        assert_eq!(notices.len(), 1, "{fault:?}: {notices:?}");
        assert!(notices[0].contains("one connection"), "{notices:?}");
    }
}

#[test]
fn segmented_download_with_a_short_range_saves_nothing() {
    let server = scenarios::segmented(scenarios::SegmentFault::Short);
    let seen = SegmentsSeen::default();
    let (result, dir) = segmented_download(&server, &seen);
    let error = result.unwrap_err();
    assert!(
        matches!(error, ftp_client::engine::DownloadError::ShortRange { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("came back short"), "{error}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "a file was left"
    );
}
