//! The library's API from a user's chair (issue 16), against the
//! in-process libunftp server on 127.0.0.1.

use std::fs;
use std::io::{Read, Write};
use std::time::{Duration, Instant, SystemTime};

use ftp_client::{Client, Config, EntryType, Error, FtpUrl, ReplyCode, TransferType, UsageError};
use ftp_suite::{FaultServer, PASSWORD, Peer, TestServer, USER, scenarios};

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

/// Deterministic bytes without a short period.
fn pseudo_random(len: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect()
}

#[test]
fn store_retrieve_and_copy_from_take_trait_objects() {
    let server = TestServer::start();
    let mut ftp = login(&server);
    let content = pseudo_random(300_000);

    let mut reader: Box<dyn Read> = Box::new(&content[..]);
    let src: &mut dyn Read = &mut reader;
    assert_eq!(ftp.store("a.bin", src).unwrap(), 300_000);

    let mut copy = Vec::new();
    let out: &mut dyn Write = &mut copy;
    assert_eq!(ftp.retrieve("a.bin", out).unwrap(), 300_000);
    assert_eq!(copy, content);

    let mut upload = ftp.store_stream("b.bin").unwrap();
    let src: &mut dyn Read = &mut &content[..1000];
    assert_eq!(upload.copy_from(src).unwrap(), 1000);
    upload.finish().unwrap();
    assert_eq!(
        fs::read(server.root().join("b.bin")).unwrap(),
        &content[..1000]
    );

    let mut download = ftp.retrieve_stream("b.bin").unwrap();
    let mut sink: Vec<u8> = Vec::new();
    let out: &mut dyn Write = &mut sink;
    download.copy_to_end(out).unwrap();
    download.finish().unwrap();
    assert_eq!(sink, &content[..1000]);
}

#[test]
fn welcome_is_the_servers_greeting() {
    let server = TestServer::start();
    let ftp = login(&server);
    assert_eq!(ftp.welcome().code(), ReplyCode::SERVICE_READY);
    assert!(
        ftp.welcome().text().contains("libunftp test server ready"),
        "{}",
        ftp.welcome()
    );
}

#[test]
fn cdup_goes_to_the_parent() {
    let server = TestServer::start();
    let mut ftp = login(&server);
    ftp.mkdir("a").unwrap();
    ftp.mkdir("a/b").unwrap();
    ftp.cwd("a/b").unwrap();
    assert_eq!(ftp.pwd().unwrap(), b"/a/b");
    ftp.cdup().unwrap();
    assert_eq!(ftp.pwd().unwrap(), b"/a");
    ftp.cdup().unwrap();
    assert_eq!(ftp.pwd().unwrap(), b"/");
}

#[test]
fn mlst_gives_typed_facts_of_files_and_directories() {
    let server = TestServer::start();
    let mut ftp = login(&server);
    ftp.mkdir("docs").unwrap();
    ftp.store("docs/a b.txt", &mut &b"hello, world"[..])
        .unwrap();

    let facts = ftp.mlst("docs/a b.txt").unwrap();
    assert_eq!(facts.entry_type, Some(EntryType::File));
    assert_eq!(facts.size, Some(12));
    assert!(facts.path.ends_with(b"a b.txt"), "{}", facts.path_lossy());
    let modified = facts.modify.expect("libunftp sends modify");
    // The file was written just now: its time is within a day of ours.
    let now = SystemTime::now();
    let then = modified.to_system_time().unwrap();
    let apart = now.duration_since(then).unwrap_or_else(|e| e.duration());
    assert!(apart < Duration::from_secs(86_400), "{modified:?}");
    assert_eq!(facts.get("TYPE"), Some("file"));

    let dir = ftp.mlst("docs").unwrap();
    assert_eq!(dir.entry_type, Some(EntryType::Dir));
    let cwd = ftp.mlst("").unwrap();
    assert_eq!(cwd.entry_type, Some(EntryType::Dir));

    let err = ftp.mlst("missing").unwrap_err();
    assert_eq!(err.reply_code(), Some(ReplyCode::FILE_UNAVAILABLE), "{err}");
    ftp.noop().unwrap();
}

#[test]
fn mdtm_converts_to_system_time() {
    let server = TestServer::start();
    let mut ftp = login(&server);
    ftp.store("t.txt", &mut &b"x"[..]).unwrap();
    let modified = ftp.mdtm("t.txt").unwrap();
    let local = fs::metadata(server.root().join("t.txt"))
        .unwrap()
        .modified()
        .unwrap();
    let remote = modified.to_system_time().unwrap();
    let apart = local
        .duration_since(remote)
        .unwrap_or_else(|e| e.duration());
    // MDTM has whole seconds here; the file system has nanoseconds.
    assert!(apart < Duration::from_secs(1), "{modified:?} vs {local:?}");
}

#[test]
fn site_refused_is_an_error_with_the_reply_and_the_session_goes_on() {
    let server = TestServer::start();
    let mut ftp = login(&server);
    let err = ftp.site("NOSUCHTHING 1").unwrap_err();
    assert!(matches!(err, Error::Refused { .. }), "{err}");
    assert!(err.reply_code().is_some_and(|c| c.get() >= 500), "{err}");
    assert!(err.to_string().starts_with("SITE NOSUCHTHING 1: "), "{err}");
    assert!(!err.is_session_closed());
    ftp.noop().unwrap();
}

#[test]
fn abort_mid_download_keeps_the_session() {
    let server = TestServer::start();
    // Far more than socket buffers hold, so the server is still sending.
    let big = vec![7u8; 64 << 20];
    fs::write(server.root().join("big.bin"), &big).unwrap();
    fs::write(server.root().join("small.txt"), b"small").unwrap();
    let mut ftp = login(&server);

    for _ in 0..2 {
        let started = Instant::now();
        let mut download = ftp.retrieve_stream("big.bin").unwrap();
        let mut head = vec![0u8; 1 << 20];
        download.read_exact(&mut head).unwrap();
        assert!(head.iter().all(|&b| b == 7));
        download.abort().unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
        // The session is in step: each reply belongs to its command.
        assert_eq!(ftp.pwd().unwrap(), b"/");
        let mut small = Vec::new();
        ftp.retrieve("small.txt", &mut small).unwrap();
        assert_eq!(small, b"small");
    }
    assert!(!ftp.is_closed());
    ftp.quit().unwrap();
}

#[test]
fn abort_after_the_data_is_complete_keeps_the_session() {
    let server = TestServer::start();
    fs::write(server.root().join("f.txt"), b"tiny").unwrap();
    let mut ftp = login(&server);
    let mut download = ftp.retrieve_stream("f.txt").unwrap();
    let mut all = Vec::new();
    download.read_to_end(&mut all).unwrap();
    assert_eq!(all, b"tiny");
    download.abort().unwrap();
    assert_eq!(ftp.size("f.txt").unwrap(), 4);
}

#[test]
fn abort_of_an_upload_keeps_the_session() {
    let server = TestServer::start();
    let mut ftp = login(&server);
    let mut upload = ftp.store_stream("partial.bin").unwrap();
    upload.write_all(&[1u8; 10_000]).unwrap();
    upload.abort().unwrap();
    ftp.noop().unwrap();
    ftp.store("whole.bin", &mut &b"ok"[..]).unwrap();
    assert_eq!(fs::read(server.root().join("whole.bin")).unwrap(), b"ok");
}

#[test]
fn a_name_that_does_not_resolve_is_told_apart_from_a_refused_connection() {
    // `.invalid` never resolves (RFC 2606): only the local resolver is asked.
    let err = Client::connect("ftp.example.invalid:21", Config::default()).unwrap_err();
    match &err {
        Error::Resolve { host: None, .. } => {}
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().starts_with("cannot resolve"), "{err}");
    // An address whose port is no number is refused before any connection.
    let err = Client::connect("127.0.0.1:ftp-port", Config::default()).unwrap_err();
    assert!(matches!(err, Error::Resolve { .. }), "{err:?}");
    let url = FtpUrl::parse("ftp://ftp.example.invalid:2121/").unwrap();
    let err = Client::connect_url(&url, Config::default()).unwrap_err();
    match &err {
        Error::Resolve {
            host: Some(host), ..
        } => {
            assert_eq!(host, "ftp.example.invalid:2121")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("cannot resolve ftp.example.invalid:2121: "),
        "{err}"
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = Client::connect(closed, Config::default()).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(!matches!(err, Error::Resolve { .. }));
}

/// A client logged in to a scripted server.
fn login_fault(server: &FaultServer) -> Client {
    let config = Config {
        connect_timeout: Duration::from_secs(5),
        control_timeout: Duration::from_secs(5),
        data_timeout: Duration::from_secs(5),
        final_reply_timeout: Duration::from_secs(5),
        ..Config::default()
    };
    let mut client = Client::connect(server.addr(), config).expect("connect");
    client.login("user", "pw").expect("login");
    client
}

#[test]
fn is_session_closed_tells_a_refusal_from_a_closed_session() {
    let server = TestServer::start();
    let mut ftp = login(&server);
    let err = ftp.delete("missing").unwrap_err();
    assert!(!err.is_session_closed(), "{err}");
    assert!(!ftp.is_closed());

    let server = scenarios::closes_with_421();
    let mut ftp = login_fault(&server);
    let err = ftp.noop().unwrap_err();
    assert!(err.is_session_closed(), "{err:?}");
    assert_eq!(err.reply_code(), Some(ReplyCode::SERVICE_NOT_AVAILABLE));
    assert!(ftp.is_closed());
    let err = ftp.noop().unwrap_err();
    assert!(
        matches!(err, Error::Usage(UsageError::Closed)) && err.is_session_closed(),
        "{err:?}"
    );
}

#[test]
fn listings_in_bytes_keep_names_that_are_not_utf8() {
    const LISTING: &[u8] = b"caf\xe9.txt\r\nplain.txt\r\n\r\n";
    let server = FaultServer::start(|peer| {
        peer.login()?;
        for (i, verb) in ["NLST", "NLST", "LIST", "MLSD"].into_iter().enumerate() {
            // TYPE I comes before the first transfer only.
            let mut data = if i == 0 {
                peer.answer_transfer(verb, "150 Here it comes")?
            } else {
                peer.expect("EPSV")?;
                let port = peer.listen_data()?;
                peer.reply(&format!("229 Entering Extended Passive Mode (|||{port}|)"))?;
                peer.expect(verb)?;
                let data = peer.accept_data()?;
                peer.reply("150 Here it comes")?;
                data
            };
            let body: &[u8] = match verb {
                "MLSD" => b"type=file;size=1; caf\xe9.txt\r\ntype=dir; sub dir\r\n",
                _ => LISTING,
            };
            data.write_all(body)?;
            drop(data);
            peer.reply("226 Done")?;
        }
        peer.drain()
    });
    let mut ftp = login_fault(&server);
    assert_eq!(
        ftp.nlst_bytes("").unwrap(),
        [b"caf\xe9.txt".to_vec(), b"plain.txt".to_vec()]
    );
    assert_eq!(ftp.nlst("").unwrap(), ["caf\u{fffd}.txt", "plain.txt"]);
    assert_eq!(
        ftp.list_bytes("").unwrap(),
        [b"caf\xe9.txt".to_vec(), b"plain.txt".to_vec()]
    );
    let entries = ftp.mlsd_bytes("").unwrap();
    let facts: Vec<_> = entries
        .iter()
        .map(|line| ftp_client::facts_line(line).unwrap())
        .collect();
    assert_eq!(facts[0].path, b"caf\xe9.txt");
    assert_eq!(facts[0].size, Some(1));
    assert_eq!(facts[1].path, b"sub dir");
    assert_eq!(facts[1].entry_type, Some(EntryType::Dir));
}

#[test]
fn timeouts_change_on_a_live_client() {
    let server = FaultServer::start(|peer| {
        peer.login()?;
        peer.answer("NOOP", "200 OK")?;
        // The second NOOP is never answered.
        peer.expect("NOOP")?;
        std::thread::sleep(scenarios::STALL);
        peer.close();
        Ok(())
    });
    let mut ftp = login_fault(&server);
    ftp.set_connect_timeout(Duration::from_secs(3));
    ftp.set_data_timeout(Duration::from_secs(7));
    ftp.set_final_reply_timeout(Duration::from_secs(9));
    // Zero is no socket error: it counts as a millisecond.
    ftp.set_control_timeout(Duration::ZERO);
    ftp.set_control_timeout(Duration::from_secs(4));
    ftp.noop().unwrap();
    let config = ftp.config();
    assert_eq!(config.connect_timeout, Duration::from_secs(3));
    assert_eq!(config.control_timeout, Duration::from_secs(4));
    assert_eq!(config.data_timeout, Duration::from_secs(7));
    assert_eq!(config.final_reply_timeout, Duration::from_secs(9));

    ftp.set_control_timeout(Duration::from_millis(300));
    let started = Instant::now();
    let err = ftp.noop().unwrap_err();
    let waited = started.elapsed();
    match err {
        Error::Timeout { after, .. } => assert_eq!(after, Duration::from_millis(300)),
        other => panic!("{other:?}"),
    }
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    assert!(ftp.is_closed(), "a control timeout ends the session");
}

#[test]
fn a_multi_line_welcome_is_kept_whole() {
    let server = FaultServer::start(|peer| {
        peer.send(b"220-Welcome to the archive.\r\n220-Uploads go to /incoming.\r\n220 Ready\r\n")?;
        peer.answer("USER", "331 Password required")?;
        peer.answer("PASS", "230 Logged in")?;
        peer.drain()
    });
    let mut ftp = Client::connect(server.addr(), Config::default()).unwrap();
    ftp.login("u", "p").unwrap();
    assert_eq!(
        ftp.welcome().text(),
        "Welcome to the archive.\nUploads go to /incoming.\nReady"
    );
}

#[test]
fn site_returns_the_servers_2xx() {
    let server = FaultServer::start(|peer| {
        peer.login()?;
        peer.answer("SITE CHMOD 644 f", "200 SITE CHMOD command successful")?;
        peer.drain()
    });
    let mut ftp = login_fault(&server);
    let reply = ftp.site("CHMOD 644 f").unwrap();
    assert_eq!(reply.code(), ReplyCode::COMMAND_OK);
    assert!(matches!(
        ftp.site("bad\r\nDELE x"),
        Err(Error::InvalidArgument { .. })
    ));
}

#[test]
fn ascii_mode_sends_type_a_and_passes_the_bytes_through() {
    let server = FaultServer::start(|peer| {
        peer.login()?;
        peer.answer("TYPE A", "200 ASCII")?;
        peer.expect("EPSV")?;
        let port = peer.listen_data()?;
        peer.reply(&format!("229 Entering Extended Passive Mode (|||{port}|)"))?;
        peer.expect("RETR notes.txt")?;
        let mut data = peer.accept_data()?;
        peer.reply("150 Opening ASCII mode data connection")?;
        data.write_all(b"one\r\ntwo\r\n")?;
        drop(data);
        peer.reply("226 Done")?;
        // Binary again for the next transfer.
        let mut data = peer.answer_transfer("RETR b.bin", "150 Sending")?;
        data.write_all(b"\r\n")?;
        drop(data);
        peer.reply("226 Done")?;
        peer.drain()
    });
    let config = Config {
        transfer_type: TransferType::Ascii,
        ..Config::default()
    };
    let mut ftp = Client::connect(server.addr(), config).unwrap();
    ftp.login("u", "p").unwrap();
    assert_eq!(ftp.transfer_type(), TransferType::Ascii);
    let mut text = Vec::new();
    ftp.retrieve("notes.txt", &mut text).unwrap();
    assert_eq!(text, b"one\r\ntwo\r\n");
    ftp.set_transfer_type(TransferType::Binary);
    let mut bytes = Vec::new();
    ftp.retrieve("b.bin", &mut bytes).unwrap();
    assert_eq!(bytes, b"\r\n");
    drop(ftp);
    let received = server.received();
    assert!(received.contains(&"TYPE A".to_owned()), "{received:?}");
    assert!(received.contains(&"TYPE I".to_owned()), "{received:?}");
}

#[test]
fn abort_follows_rfc_959_426_then_226() {
    let server = FaultServer::start(|peer| {
        peer.login()?;
        let mut data = peer.answer_transfer("RETR endless", "150 Sending")?;
        // Send until the client closes the data connection.
        let chunk = [b'z'; 64 * 1024];
        let mut sent = 0usize;
        while data.write_all(&chunk).is_ok() && sent < 1 << 30 {
            sent += chunk.len();
        }
        peer.expect("ABOR")?;
        peer.reply("426 Connection closed; transfer aborted")?;
        peer.reply("226 Abort successful")?;
        peer.answer("NOOP", "200 NOOP ok")?;
        peer.drain()
    });
    let mut ftp = login_fault(&server);
    let mut download = ftp.retrieve_stream("endless").unwrap();
    let mut head = [0u8; 100_000];
    download.read_exact(&mut head).unwrap();
    download.abort().unwrap();
    // NOOP gets its own 200, not the 226 left over from ABOR.
    assert_eq!(ftp.raw("NOOP").unwrap().text(), "NOOP ok");
    drop(ftp);
    assert!(server.received().contains(&"ABOR".to_owned()));
}

#[test]
fn abort_does_not_wait_long_for_a_reply_the_server_never_sends() {
    let server = FaultServer::start(|peer| {
        peer.login()?;
        let mut data = peer.answer_transfer("STOR up.bin", "150 Ready")?;
        let _ = Peer::read_data(&mut data);
        peer.expect("ABOR")?;
        // ABOR answered; the STOR never is.
        peer.reply("226 Closed data channel")?;
        peer.answer("NOOP", "200 NOOP ok")?;
        peer.drain()
    });
    let mut ftp = login_fault(&server);
    let mut upload = ftp.store_stream("up.bin").unwrap();
    upload.write_all(b"partial").unwrap();
    let started = Instant::now();
    upload.abort().unwrap();
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(4), "{waited:?}");
    assert!(
        waited >= Duration::from_secs(2),
        "waited for the last reply: {waited:?}"
    );
    assert_eq!(ftp.raw("NOOP").unwrap().text(), "NOOP ok");
}
