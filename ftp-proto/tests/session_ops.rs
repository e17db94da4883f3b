//! Transcripts of the operations a suppaftp user looks for: ABOR of a
//! running transfer, ASCII transfers, MLST facts and SITE.

mod support;

use ftp_proto::decode::EntryType;
use ftp_proto::{
    Arg, DataCommand, Failure, Outcome, Session, SessionConfig, TransferType, UsageError,
};
use std::time::{Duration, Instant};
use support::Script;

fn arg(s: &str) -> Arg {
    Arg::new(s.to_owned()).unwrap()
}

/// A session with a RETR of `big` under way, its data moving.
fn retrieving(after_retr: &'static [u8], rest: Vec<(&'static str, &'static [u8])>) -> Script {
    let mut steps = vec![
        ("TYPE I", &b"200 Binary\r\n"[..]),
        ("EPSV", b"229 Extended Passive Mode (|||40000|)\r\n"),
        ("RETR big", after_retr),
    ];
    steps.extend(rest);
    let mut script = Script::logged_in(steps);
    script
        .session
        .transfer(DataCommand::Retr(arg("big")))
        .unwrap();
    script.run_until_transfer();
    script
}

fn aborted_code(result: Result<Outcome, Failure>) -> u16 {
    match result {
        Ok(Outcome::Aborted(reply)) => reply.code().get(),
        other => panic!("not aborted: {other:?}"),
    }
}

/// The session answers a NOOP with the NOOP's own reply: it is in step.
fn still_in_step(script: &mut Script) {
    script.session.noop().unwrap();
    match script.run() {
        Ok(Outcome::Completed(reply)) => assert_eq!(reply.code().get(), 200, "{reply}"),
        other => panic!("{other:?}"),
    }
    assert!(script.is_done(), "every scripted reply was read");
}

#[test]
fn abort_reads_426_then_226_and_the_session_goes_on() {
    let mut script = retrieving(
        b"150 Opening data connection (1000000 bytes)\r\n",
        vec![
            ("ABOR", b"426 Transfer aborted\r\n226 Abort successful\r\n"),
            ("NOOP", b"200 OK\r\n"),
        ],
    );
    script.session.abort().unwrap();
    assert_eq!(aborted_code(script.run()), 226);
    assert_eq!(
        script.session.handle_data_finished(),
        Err(UsageError::UnexpectedEvent("data finished")),
        "the transfer is over"
    );
    still_in_step(&mut script);
    assert!(script.wire().ends_with("RETR big\r\nABOR\r\nNOOP\r\n"));
}

#[test]
fn abort_takes_the_two_replies_in_either_order_and_one_at_a_time() {
    // libunftp answers ABOR at once and the failed RETR afterwards.
    let mut script = retrieving(
        b"150 Sending\r\n",
        vec![
            ("ABOR", b"226 Closed data channel\r\n"),
            ("NOOP", b"451 Local error\r\n200 OK\r\n"),
        ],
    );
    script.session.abort().unwrap();
    // The script delivers the 451 only once NOOP is sent, but the session
    // must not send NOOP before the second reply: it waits, and reads EOF.
    let result = script.run();
    assert!(matches!(result, Err(Failure::Closed(None))), "{result:?}");
    assert!(!script.wire().contains("NOOP"));

    let mut script = retrieving(
        b"150 Sending\r\n",
        vec![
            ("ABOR", b"226 Closed data channel\r\n451 Local error\r\n"),
            ("NOOP", b"200 OK\r\n"),
        ],
    );
    script.session.abort().unwrap();
    assert_eq!(aborted_code(script.run()), 451);
    still_in_step(&mut script);
}

#[test]
fn abort_after_the_final_reply_waits_for_one_reply() {
    // The 226 came with the 150: the transfer's data was complete.
    let mut script = retrieving(
        b"150 Sending\r\n226 Transfer complete\r\n",
        vec![
            ("ABOR", b"226 ABOR command processed\r\n"),
            ("NOOP", b"200 OK\r\n"),
        ],
    );
    script.session.abort().unwrap();
    assert_eq!(aborted_code(script.run()), 226);
    still_in_step(&mut script);
}

#[test]
fn a_225_ends_the_abort_at_once() {
    let mut script = retrieving(
        b"150 Sending\r\n",
        vec![
            ("ABOR", b"225 No transfer to ABOR\r\n"),
            ("NOOP", b"200 OK\r\n"),
        ],
    );
    script.session.abort().unwrap();
    assert_eq!(aborted_code(script.run()), 225);
    still_in_step(&mut script);
}

/// A session with a RETR of `big` from byte 1000 under way (a range of a
/// segmented download), its data moving.
fn retrieving_range(after_retr: &'static [u8], rest: Vec<(&'static str, &'static [u8])>) -> Script {
    let mut steps = vec![
        ("TYPE I", &b"200 Binary\r\n"[..]),
        ("EPSV", b"229 Extended Passive Mode (|||40000|)\r\n"),
        ("REST 1000", b"350 Restarting at 1000\r\n"),
        ("RETR big", after_retr),
    ];
    steps.extend(rest);
    let mut script = Script::logged_in(steps);
    script
        .session
        .transfer_from(DataCommand::Retr(arg("big")), 1000)
        .unwrap();
    script.run_until_transfer();
    script
}

fn transferred_code(result: Result<Outcome, Failure>) -> u16 {
    match result {
        Ok(Outcome::Transferred(reply)) => reply.code().get(),
        other => panic!("not transferred: {other:?}"),
    }
}

#[test]
fn a_range_ended_by_the_client_is_whole_despite_426() {
    // vsftpd, proFTPD: 426 for the closed data connection, then ABOR's 226.
    let mut script = retrieving_range(
        b"150 Opening data connection\r\n",
        vec![
            (
                "ABOR",
                b"426 Failure writing network stream.\r\n226 Abort ok\r\n",
            ),
            ("NOOP", b"200 OK\r\n"),
        ],
    );
    script.session.end_range().unwrap();
    assert_eq!(transferred_code(script.run()), 226);
    still_in_step(&mut script);
    assert!(
        script
            .wire()
            .ends_with("REST 1000\r\nRETR big\r\nABOR\r\nNOOP\r\n")
    );
}

#[test]
fn a_range_ended_by_the_client_takes_426_then_225_or_225_alone() {
    // vsftpd without async ABOR: the transfer's 426, then "no transfer".
    let mut script = retrieving_range(
        b"150 Sending\r\n",
        vec![
            (
                "ABOR",
                b"426 Failure writing\r\n225 No transfer to ABOR\r\n",
            ),
            ("NOOP", b"200 OK\r\n"),
        ],
    );
    script.session.end_range().unwrap();
    assert_eq!(transferred_code(script.run()), 225);
    still_in_step(&mut script);
    let mut script = retrieving_range(
        b"150 Sending\r\n",
        vec![
            ("ABOR", b"225 No transfer to ABOR\r\n"),
            ("NOOP", b"200 OK\r\n"),
        ],
    );
    script.session.end_range().unwrap();
    assert_eq!(transferred_code(script.run()), 225);
    still_in_step(&mut script);
}

#[test]
fn a_range_whose_final_reply_came_sends_no_abor() {
    // The server had sent the rest of the file into the socket buffers and
    // said 226 (or gave up with 426) before the client closed: no ABOR.
    for reply in [
        &b"226 Transfer complete\r\n"[..],
        b"426 Connection closed\r\n",
    ] {
        let mut after = b"150 Sending\r\n".to_vec();
        after.extend_from_slice(reply);
        let after: &'static [u8] = after.leak();
        let mut script = retrieving_range(after, vec![("NOOP", b"200 OK\r\n")]);
        script.session.end_range().unwrap();
        let code = transferred_code(script.run());
        assert_eq!(code, if reply[0] == b'2' { 226 } else { 426 });
        still_in_step(&mut script);
        assert!(!script.wire().contains("ABOR"));
    }
}

#[test]
fn a_range_whose_session_is_lost_fails() {
    let mut script = retrieving_range(b"150 Sending\r\n", vec![("ABOR", b"421 Shutting down\r\n")]);
    script.session.end_range().unwrap();
    assert!(matches!(script.run(), Err(Failure::Closed(Some(_)))));
    assert!(script.session.is_closed());
    assert_eq!(script.session.end_range(), Err(UsageError::Closed));
}

#[test]
fn a_range_ends_only_while_its_data_moves() {
    let mut script = Script::logged_in(vec![("NOOP", b"200 OK\r\n")]);
    assert_eq!(script.session.end_range(), Err(UsageError::NoTransfer));
    script.session.noop().unwrap();
    script.run().unwrap();
}

#[test]
fn abort_refused_by_the_server_still_keeps_step() {
    let mut script = retrieving(
        b"150 Sending\r\n",
        vec![
            (
                "ABOR",
                b"426 Connection closed\r\n502 ABOR not implemented\r\n",
            ),
            ("NOOP", b"200 OK\r\n"),
        ],
    );
    script.session.abort().unwrap();
    assert_eq!(aborted_code(script.run()), 502);
    still_in_step(&mut script);
}

#[test]
fn abort_with_421_closes_the_session() {
    let mut script = retrieving(b"150 Sending\r\n", vec![("ABOR", b"421 Shutting down\r\n")]);
    script.session.abort().unwrap();
    assert!(matches!(script.run(), Err(Failure::Closed(Some(_)))));
    assert!(script.session.is_closed());
    assert_eq!(script.session.abort(), Err(UsageError::Closed));
}

#[test]
fn abort_needs_a_transfer_moving_data() {
    let mut script = Script::logged_in(vec![("NOOP", b"200 OK\r\n")]);
    assert_eq!(script.session.abort(), Err(UsageError::NoTransfer));
    script.session.noop().unwrap();
    assert_eq!(
        script.session.abort(),
        Err(UsageError::NoTransfer),
        "a simple command is no transfer"
    );
    script.run().unwrap();
    let mut session = Session::new(SessionConfig::new("192.0.2.7:21".parse().unwrap()));
    assert_eq!(session.abort(), Err(UsageError::NoTransfer), "greeting");
    assert_eq!(script.wire(), "NOOP\r\n");
}

#[test]
fn ascii_transfers_send_type_a_and_switch_only_when_needed() {
    let mut script = Script::logged_in(vec![
        ("TYPE A", b"200 ASCII\r\n"),
        ("EPSV", b"229 (|||40000|)\r\n"),
        ("RETR a.txt", b"150 Sending\r\n"),
        ("", b"226 Done\r\n"),
        ("EPSV", b"229 (|||40001|)\r\n"),
        ("LIST", b"150 Sending\r\n"),
        ("", b"226 Done\r\n"),
        // SIZE needs binary; the next ASCII transfer switches back.
        ("TYPE I", b"200 Binary\r\n"),
        ("SIZE a.txt", b"213 12\r\n"),
        ("TYPE A", b"200 ASCII\r\n"),
        ("EPSV", b"229 (|||40002|)\r\n"),
        ("STOR b.txt", b"150 Ready\r\n"),
        ("", b"226 Stored\r\n"),
        ("TYPE I", b"200 Binary\r\n"),
        ("EPSV", b"229 (|||40003|)\r\n"),
        ("RETR c.bin", b"150 Sending\r\n"),
        ("", b"226 Done\r\n"),
    ]);
    assert_eq!(script.session.transfer_type(), TransferType::Binary);
    script.session.set_transfer_type(TransferType::Ascii);
    script
        .session
        .transfer(DataCommand::Retr(arg("a.txt")))
        .unwrap();
    script.run_transfer_to_end().unwrap();
    assert!(!script.session.is_binary());
    script.session.transfer(DataCommand::List(None)).unwrap();
    script.run_transfer_to_end().unwrap();
    script.session.size(arg("a.txt")).unwrap();
    assert_eq!(script.run(), Ok(Outcome::Size(12)));
    script
        .session
        .transfer(DataCommand::Stor(arg("b.txt")))
        .unwrap();
    script.run_transfer_to_end().unwrap();
    script.session.set_transfer_type(TransferType::Binary);
    script
        .session
        .transfer(DataCommand::Retr(arg("c.bin")))
        .unwrap();
    script.run_transfer_to_end().unwrap();
    assert!(script.session.is_binary());
    assert!(script.is_done());
}

#[test]
fn ascii_can_be_the_configured_default() {
    let mut config = SessionConfig::new("192.0.2.7:21".parse().unwrap());
    config.transfer_type = TransferType::Ascii;
    let mut session = Session::new(config);
    assert_eq!(session.transfer_type(), TransferType::Ascii);
    session.handle_control(b"220 Hi\r\n");
    while session.poll(Instant::now()).is_some() {}
    session.transfer(DataCommand::Nlst(None)).unwrap();
    assert_eq!(
        session.poll(Instant::now()),
        Some(ftp_proto::Action::Send(ftp_proto::Command::Type(
            TransferType::Ascii
        )))
    );
}

#[test]
fn mlst_gives_typed_facts() {
    let mut script = Script::logged_in(vec![
        (
            "MLST docs/a b.txt",
            b"250-Listing docs/a b.txt\r\n type=file;size=1234;modify=20260102030405;perm=r; /docs/a b.txt\r\n250 End\r\n",
        ),
        ("MLST", b"250-Listing\r\n Type=cdir;UNIX.mode=0755; /docs\r\n250 End\r\n"),
        ("MLST missing", b"550 No such file\r\n"),
        ("MLST odd", b"250-Listing\r\n250 End\r\n"),
        ("NOOP", b"200 OK\r\n"),
    ]);
    script.session.mlst(Some(arg("docs/a b.txt"))).unwrap();
    let Ok(Outcome::Facts(facts)) = script.run() else {
        panic!("no facts")
    };
    assert_eq!(facts.path, b"/docs/a b.txt");
    assert_eq!(facts.entry_type, Some(EntryType::File));
    assert_eq!(facts.size, Some(1234));
    assert_eq!(
        facts.modify.map(|t| t.unix_timestamp()),
        Some(1_767_323_045)
    );
    assert_eq!(facts.perm.as_deref(), Some("r"));

    script.session.mlst(None).unwrap();
    let Ok(Outcome::Facts(facts)) = script.run() else {
        panic!("no facts")
    };
    assert_eq!(facts.entry_type, Some(EntryType::CurrentDir));
    assert_eq!(facts.unix_mode, Some(0o755));

    script.session.mlst(Some(arg("missing"))).unwrap();
    assert!(matches!(
        script.run(),
        Err(Failure::Refused { reply, .. }) if reply.code().get() == 550
    ));
    script.session.mlst(Some(arg("odd"))).unwrap();
    let result = script.run();
    assert!(matches!(result, Err(Failure::Decode { .. })), "{result:?}");
    still_in_step(&mut script);
}

#[test]
fn site_succeeds_on_2xx_and_is_refused_otherwise() {
    let mut script = Script::logged_in(vec![
        ("SITE CHMOD 644 f", b"200 SITE CHMOD command successful\r\n"),
        ("SITE BOGUS", b"500 Unknown SITE command\r\n"),
    ]);
    script.session.site(arg("CHMOD 644 f")).unwrap();
    assert!(matches!(script.run(), Ok(Outcome::Completed(r)) if r.code().get() == 200));
    script.session.site(arg("BOGUS")).unwrap();
    assert!(matches!(
        script.run(),
        Err(Failure::Refused { command, .. }) if command.to_string() == "SITE BOGUS"
    ));
}

#[test]
fn an_abort_with_one_reply_of_two_ends_when_its_short_wait_runs_out() {
    // libunftp, aborted before its data task took the STOR, answers ABOR
    // alone: the transfer's reply never comes.
    let mut script = Script::logged_in(vec![
        ("TYPE I", b"200 Binary\r\n"),
        ("EPSV", b"229 Extended Passive Mode (|||40000|)\r\n"),
        ("STOR up", b"150 Ready\r\n"),
    ]);
    script
        .session
        .transfer(DataCommand::Stor(arg("up")))
        .unwrap();
    script.run_until_transfer();
    let t0 = script.now;
    assert_eq!(
        script.session.poll_timeout(),
        None,
        "the data moves: no wait"
    );
    script
        .session
        .handle_timeout(t0 + Duration::from_secs(3600));
    assert_eq!(script.session.poll(t0), None, "nothing happened");
    script.session.abort().unwrap();
    // Drive until the session wants a second reply the server won't send.
    let mut sent = Vec::new();
    while let Some(action) = script.session.poll(t0) {
        match action {
            ftp_proto::Action::Send(command) => {
                command.encode(&mut sent);
                script
                    .session
                    .handle_control(b"226 Closed data channel\r\n");
            }
            ftp_proto::Action::ReadControl => break,
            _ => {}
        }
    }
    assert_eq!(sent, b"ABOR\r\n");
    // One reply of two: the wait for the other is the short one.
    let deadline = t0 + Duration::from_secs(3);
    assert_eq!(script.session.poll_timeout(), Some(deadline));
    script
        .session
        .handle_timeout(deadline - Duration::from_millis(1));
    assert_eq!(script.session.poll_timeout(), Some(deadline), "not yet");
    assert!(!script.session.is_idle());
    script.session.handle_timeout(deadline);
    let mut outcome = None;
    while let Some(action) = script.session.poll(deadline) {
        if let ftp_proto::Action::Done(result) = action {
            outcome = Some(result);
        }
    }
    assert_eq!(aborted_code(outcome.unwrap()), 226);
    assert!(script.session.is_idle());
}

#[test]
fn listing_format_follows_feat_and_falls_back_to_list_for_good() {
    let mut script = Script::logged_in(vec![
        (
            "FEAT",
            b"211-Features\r\n MLST type*;size*;\r\n MFMT\r\n211 End\r\n",
        ),
        (
            "MFMT 20010203040506 a b",
            b"213 Modify=20010203040506; a b\r\n",
        ),
    ]);
    assert_eq!(script.session.listing_format(), None, "FEAT not asked yet");
    script.session.feat().unwrap();
    script.run().unwrap();
    assert_eq!(
        script.session.listing_format(),
        Some(ftp_proto::listing::Format::Mlsd)
    );
    assert!(script.session.supports("mfmt"));
    let (request, _) = script.session.listing_request(Some(arg("d"))).unwrap();
    assert_eq!(request, DataCommand::Mlsd(Some(arg("d"))));
    let when = ftp_proto::decode::Timestamp::new(2001, 2, 3, 4, 5, 6).unwrap();
    script.session.mfmt(arg("a b"), when).unwrap();
    assert!(matches!(script.run(), Ok(Outcome::Completed(_))));
    // A 550 is about the directory, not about MLSD: the choice stays.
    let refusal = |code| {
        ftp_proto::Reply::new(
            ftp_proto::ReplyCode::new(code).unwrap(),
            vec![ftp_proto::Bytes::from("no")],
        )
    };
    assert!(!script.session.note_mlsd_refusal(&refusal(550)));
    assert_eq!(
        script.session.listing_format(),
        Some(ftp_proto::listing::Format::Mlsd)
    );
    // 500/502: MLSD unknown after all; LIST from now on.
    assert!(script.session.note_mlsd_refusal(&refusal(502)));
    let (request, format) = script.session.listing_request(None).unwrap();
    assert_eq!(
        (request, format),
        (DataCommand::List(None), ftp_proto::listing::Format::List)
    );
    assert!(
        !script.session.note_mlsd_refusal(&refusal(500)),
        "already LIST"
    );
    assert!(script.is_done());
}

#[test]
fn without_mlst_in_feat_listings_use_list() {
    let mut script = Script::logged_in(vec![("FEAT", b"500 Unknown command\r\n")]);
    script.session.feat().unwrap();
    script.run().unwrap();
    assert_eq!(
        script.session.listing_format(),
        Some(ftp_proto::listing::Format::List)
    );
    assert!(!script.session.supports("MFMT"));
}

/// What the session does next, without a reply to read: the commands it
/// sends (as the wire shows them) up to its first wait for a reply.
fn sent_before_reading(session: &mut Session, now: Instant) -> Vec<String> {
    let mut sent = Vec::new();
    loop {
        match session.poll(now) {
            Some(ftp_proto::Action::Send(command)) => sent.push(command.to_string()),
            Some(ftp_proto::Action::ReadControl) => return sent,
            other => panic!("expected a command or a read, got {other:?}"),
        }
    }
}

/// The answers of an `mdtm_each` that ended, reported replies skipped.
fn times_done(session: &mut Session, now: Instant) -> Vec<ftp_proto::TimeAnswer> {
    loop {
        match session.poll(now) {
            Some(ftp_proto::Action::Reply(_)) => {}
            Some(ftp_proto::Action::Done(Ok(Outcome::Times(answers)))) => return answers,
            other => panic!("expected the times, got {other:?}"),
        }
    }
}

/// A session past its greeting whose FEAT answered `feat`.
fn session_with_features(feat: &[u8]) -> Session {
    let mut session = Session::new(SessionConfig::new("192.0.2.7:21".parse().unwrap()));
    session.handle_control(b"220 Ready\r\n");
    let until_done = |session: &mut Session| {
        while let Some(action) = session.poll(Instant::now()) {
            match action {
                ftp_proto::Action::Done(result) => return result.unwrap(),
                ftp_proto::Action::ReadControl => session.handle_control(feat),
                _ => {}
            }
        }
        panic!("stalled");
    };
    until_done(&mut session);
    session.feat().unwrap();
    until_done(&mut session);
    assert!(session.is_idle());
    session
}

/// A server like vsftpd: no MLST, so listings give no exact time.
fn logged_in_session() -> Session {
    session_with_features(b"211-Features:\r\n MDTM\r\n SIZE\r\n211 End\r\n")
}

#[test]
fn mdtm_each_sends_every_mdtm_before_reading_and_answers_in_order() {
    let mut session = logged_in_session();
    let now = Instant::now();
    session
        .mdtm_each(vec![arg("a"), arg("d/b c"), arg("gone")])
        .unwrap();
    assert_eq!(
        sent_before_reading(&mut session, now),
        ["MDTM a", "MDTM d/b c", "MDTM gone"],
        "all sent ahead, in order"
    );
    // The replies come together, in the order of the commands.
    session.handle_control(b"213 20260102030405\r\n213 19991231235959.5\r\n550 No such file\r\n");
    let answers = times_done(&mut session, now);
    let seconds: Vec<Option<i64>> = answers
        .iter()
        .map(|a| a.as_ref().ok().map(|t| t.unix_timestamp()))
        .collect();
    assert_eq!(seconds, [Some(1_767_323_045), Some(946_684_799), None]);
    let refused = answers[2].as_ref().unwrap_err();
    assert_eq!(refused.code().get(), 550, "the refusal is the answer");
    assert!(session.is_idle(), "a refused MDTM fails nothing");
}

#[test]
fn mdtm_each_keeps_at_most_a_window_of_commands_ahead() {
    let mut session = logged_in_session();
    let now = Instant::now();
    let n = ftp_proto::MDTM_WINDOW + 5;
    let paths: Vec<Arg> = (0..n).map(|i| arg(&format!("f{i}"))).collect();
    session.mdtm_each(paths).unwrap();
    let first = sent_before_reading(&mut session, now);
    assert_eq!(first.len(), ftp_proto::MDTM_WINDOW);
    assert_eq!(first[0], "MDTM f0");
    // Each reply lets one more command go.
    session.handle_control(b"213 20260102030405\r\n");
    assert!(matches!(
        session.poll(now),
        Some(ftp_proto::Action::Reply(_))
    ));
    let next = sent_before_reading(&mut session, now);
    assert_eq!(next, [format!("MDTM f{}", ftp_proto::MDTM_WINDOW)]);
    // A malformed 213 is an answer without a time; the rest in one read.
    let mut rest = b"213 not a time\r\n".to_vec();
    for _ in 2..n {
        rest.extend_from_slice(b"213 20260102030405\r\n");
    }
    let mut answers = None;
    session.handle_control(&rest);
    while answers.is_none() {
        match session.poll(now) {
            Some(ftp_proto::Action::Reply(_) | ftp_proto::Action::Send(_)) => {}
            Some(ftp_proto::Action::Done(Ok(Outcome::Times(a)))) => answers = Some(a),
            other => panic!("{other:?}"),
        }
    }
    let answers = answers.unwrap();
    assert_eq!(answers.len(), n);
    assert!(answers[0].is_ok());
    assert_eq!(answers[1].as_ref().unwrap_err().code().get(), 213);
    assert!(answers[2..].iter().all(|a| a.is_ok()));
    assert!(session.is_idle());
}

#[test]
fn mdtm_each_of_nothing_sends_nothing() {
    let mut session = logged_in_session();
    session.mdtm_each(Vec::new()).unwrap();
    assert!(times_done(&mut session, Instant::now()).is_empty());
    assert!(session.is_idle());
}

#[test]
fn mdtm_each_ends_with_the_session_on_421() {
    let mut script = Script::logged_in(vec![
        ("FEAT", b"211-Features:\r\n MDTM\r\n211 End\r\n"),
        ("MDTM a", b"213 20260102030405\r\n"),
        ("MDTM b", b"421 Timeout\r\n"),
    ]);
    script.session.feat().unwrap();
    script.run().unwrap();
    script.session.mdtm_each(vec![arg("a"), arg("b")]).unwrap();
    match script.run() {
        Err(Failure::Closed(Some(reply))) => assert_eq!(reply.code().get(), 421),
        other => panic!("{other:?}"),
    }
    assert!(script.session.is_closed());
    assert_eq!(
        script.session.mdtm_each(vec![arg("c")]),
        Err(UsageError::Closed)
    );
}

#[test]
fn mdtm_each_goes_one_at_a_time_where_the_server_lists_mlst_or_feat_is_unknown() {
    // A server with MLST may run commands concurrently and answer them in
    // the order they finish: one at a time there.
    let with_mlst =
        session_with_features(b"211-Features:\r\n MDTM\r\n MLST type*;modify*;\r\n211 End\r\n");
    let mut unknown = Session::new(SessionConfig::new("192.0.2.7:21".parse().unwrap()));
    unknown.handle_control(b"220 Ready\r\n");
    while !matches!(
        unknown.poll(Instant::now()),
        Some(ftp_proto::Action::Done(_))
    ) {}
    for mut session in [with_mlst, unknown] {
        let now = Instant::now();
        session.mdtm_each(vec![arg("a"), arg("b")]).unwrap();
        assert_eq!(sent_before_reading(&mut session, now), ["MDTM a"]);
        session.handle_control(b"213 20260102030405\r\n");
        assert!(matches!(
            session.poll(now),
            Some(ftp_proto::Action::Reply(_))
        ));
        assert_eq!(sent_before_reading(&mut session, now), ["MDTM b"]);
        session.handle_control(b"550 No\r\n");
        let answers = times_done(&mut session, now);
        assert!(answers[0].is_ok() && answers[1].is_err(), "{answers:?}");
    }
}
