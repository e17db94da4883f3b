//! Time as an input: each wait the session begins is armed from the `now`
//! given to `poll`, `poll_timeout` says when it ends, and `handle_timeout`
//! does nothing before that instant and what the deadline means at it.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use ftp_proto::{
    Action, Arg, DataCommand, Failure, Outcome, Session, SessionConfig, Timeouts, UsageError, Wait,
};

const PEER: &str = "192.0.2.7:21";

/// Does what the session asks at `now`, answering each read with the next
/// of `replies`, until it waits for the driver or for a reply that is not
/// scripted (a read left pending: the server says nothing). Returns the
/// operation's result if it ended, and whether a read is pending.
fn drive(
    session: &mut Session,
    now: Instant,
    replies: &mut VecDeque<&'static [u8]>,
) -> (Option<Result<Outcome, Failure>>, bool) {
    let mut result = None;
    while let Some(action) = session.poll(now) {
        match action {
            Action::ReadControl => match replies.pop_front() {
                Some(bytes) => session.handle_control(bytes),
                None => return (result, true),
            },
            Action::Listen => session
                .handle_listening("192.0.2.1:40000".parse().unwrap())
                .unwrap(),
            Action::ConnectData(_) => session.handle_data_connected().unwrap(),
            Action::Done(done) => result = Some(done),
            Action::Send(_) | Action::Reply(_) => {}
            Action::AcceptData { .. } | Action::Transfer(_) | Action::SecureControl => {
                return (result, false);
            }
        }
    }
    (result, false)
}

/// A session past its greeting, at `now`.
fn greeted(config: SessionConfig, now: Instant) -> Session {
    let mut session = Session::new(config);
    let (result, _) = drive(
        &mut session,
        now,
        &mut VecDeque::from([&b"220 Ready\r\n"[..]]),
    );
    assert!(matches!(result, Some(Ok(Outcome::Greeting(_)))));
    session
}

fn config() -> SessionConfig {
    SessionConfig::new(PEER.parse().unwrap())
}

/// An active-mode RETR at `now` whose 1xx came with `start` (and maybe
/// the final reply): the session waits for the server's connection.
fn accepting(timeouts: Timeouts, start: &'static [u8], now: Instant) -> Session {
    let mut config = config();
    config.active = true;
    config.timeouts = timeouts;
    let mut session = greeted(config, now);
    session
        .transfer(DataCommand::Retr(Arg::new("f").unwrap()))
        .unwrap();
    let mut replies = VecDeque::from([&b"200 Binary\r\n"[..], b"200 EPRT ok\r\n", start]);
    drive(&mut session, now, &mut replies);
    // AcceptData was taken at `now`; what follows is reported replies.
    while let Some(action) = session.poll(now) {
        assert!(matches!(action, Action::Reply(_)), "{action:?}");
    }
    assert!(session.is_awaiting_data_connection());
    session
}

#[test]
fn a_reply_that_never_comes_ends_the_session_at_its_deadline_not_before() {
    let t0 = Instant::now();
    let mut session = greeted(config(), t0);
    assert_eq!(session.poll_timeout(), None, "idle: no deadline");
    session.noop().unwrap();
    let (result, reading) = drive(&mut session, t0, &mut VecDeque::new());
    assert!(result.is_none() && reading);
    let deadline = t0 + Timeouts::default().reply;
    assert_eq!(session.poll_timeout(), Some(deadline));
    session.handle_timeout(deadline - Duration::from_millis(1));
    assert!(!session.is_closed(), "before its deadline, nothing happens");
    assert_eq!(session.poll_timeout(), Some(deadline));
    session.handle_timeout(deadline);
    assert!(session.is_closed());
    assert_eq!(session.poll_timeout(), None);
    assert_eq!(
        session.poll(deadline),
        Some(Action::Done(Err(Failure::TimedOut {
            waiting: Wait::Reply,
            after: Duration::from_secs(60),
        })))
    );
}

#[test]
fn each_read_of_a_reply_gets_the_whole_reply_timeout() {
    let t0 = Instant::now();
    let mut session = greeted(config(), t0);
    session.noop().unwrap();
    drive(&mut session, t0, &mut VecDeque::new());
    // Half a reply at t0 + 50 s: the next read has its own 60 s.
    let t1 = t0 + Duration::from_secs(50);
    session.handle_control(b"200-Still\r\n");
    assert_eq!(session.poll(t1), Some(Action::ReadControl));
    assert_eq!(session.poll_timeout(), Some(t1 + Duration::from_secs(60)));
    session.handle_timeout(t0 + Duration::from_secs(60));
    assert!(!session.is_closed());
    let (result, _) = drive(
        &mut session,
        t1,
        &mut VecDeque::from([&b"200 here\r\n"[..]]),
    );
    assert!(matches!(result, Some(Ok(Outcome::Completed(_)))));
    assert_eq!(session.poll_timeout(), None);
}

#[test]
fn an_abort_whose_replies_never_come_ends_the_session() {
    let t0 = Instant::now();
    let mut session = greeted(config(), t0);
    session
        .transfer(DataCommand::Retr(Arg::new("f").unwrap()))
        .unwrap();
    let mut replies = VecDeque::from([
        &b"200 Binary\r\n"[..],
        b"229 (|||40000|)\r\n",
        b"150 Go\r\n",
    ]);
    drive(&mut session, t0, &mut replies);
    assert_eq!(session.poll_timeout(), None, "data moving: the driver's");
    session.abort().unwrap();
    let (_, reading) = drive(&mut session, t0, &mut VecDeque::new());
    assert!(reading);
    // No reply yet: the whole reply timeout, not the short one.
    let deadline = t0 + Duration::from_secs(60);
    assert_eq!(session.poll_timeout(), Some(deadline));
    session.handle_timeout(deadline);
    assert!(session.is_closed());
}

#[test]
fn an_active_mode_connection_that_never_comes_fails_at_the_accept_deadline() {
    let timeouts = Timeouts {
        accept: Duration::from_secs(10),
        ..Timeouts::default()
    };
    let t0 = Instant::now();
    let mut session = accepting(timeouts, b"150 Connecting\r\n", t0);
    let deadline = t0 + Duration::from_secs(10);
    assert_eq!(session.poll_timeout(), Some(deadline));
    // While it waits, the driver reads the control connection: a reply
    // does not move the accept deadline.
    session.handle_control(b"150 Still connecting\r\n");
    assert_eq!(session.poll_timeout(), Some(deadline));
    session.handle_timeout(deadline - Duration::from_millis(1));
    assert!(session.is_awaiting_data_connection());
    session.handle_timeout(deadline);
    assert!(!session.is_awaiting_data_connection());
    let mut result = None;
    while let Some(action) = session.poll(deadline) {
        if let Action::Done(done) = action {
            result = Some(done);
        }
    }
    assert_eq!(
        result,
        Some(Err(Failure::TimedOut {
            waiting: Wait::DataConnection,
            after: Duration::from_secs(10),
        }))
    );
    assert!(session.is_closed(), "the server may still connect");
}

#[test]
fn an_active_mode_connection_that_never_comes_after_the_final_reply_keeps_the_session() {
    let t0 = Instant::now();
    let start = b"150 Connecting\r\n226 Done\r\n";
    let mut session = accepting(Timeouts::default(), start, t0);
    let deadline = session.poll_timeout().unwrap();
    assert_eq!(deadline, t0 + Timeouts::default().accept);
    session.handle_timeout(deadline);
    let (result, _) = drive(&mut session, deadline, &mut VecDeque::new());
    assert!(matches!(result, Some(Err(Failure::TimedOut { .. }))));
    assert!(session.is_idle());
}

#[test]
fn a_transfer_cut_short_waits_briefly_for_its_final_reply() {
    for (cut_short, after) in [(true, 3), (false, 120)] {
        let t0 = Instant::now();
        let mut session = greeted(config(), t0);
        session
            .transfer(DataCommand::Retr(Arg::new("f").unwrap()))
            .unwrap();
        let mut replies = VecDeque::from([
            &b"200 Binary\r\n"[..],
            b"229 (|||40000|)\r\n",
            b"150 Go\r\n",
        ]);
        drive(&mut session, t0, &mut replies);
        let t1 = t0 + Duration::from_secs(5);
        if cut_short {
            session.handle_data_cut_short().unwrap();
        } else {
            session.handle_data_finished().unwrap();
        }
        // Pure-FTPd answers an abandoned download with another 1xx only.
        let (_, reading) = drive(
            &mut session,
            t1,
            &mut VecDeque::from([&b"150 more\r\n"[..]]),
        );
        assert!(reading);
        let deadline = t1 + Duration::from_secs(after);
        assert_eq!(
            session.poll_timeout(),
            Some(deadline),
            "cut short: {cut_short}"
        );
        session.handle_timeout(deadline);
        assert!(session.is_closed());
        assert_eq!(
            session.poll(deadline),
            Some(Action::Done(Err(Failure::TimedOut {
                waiting: Wait::Reply,
                after: Duration::from_secs(after),
            })))
        );
    }
}

/// A transfer of `request` at `t0` whose 150 came: its data moves.
fn moving(request: DataCommand, timeouts: Timeouts, t0: Instant) -> Session {
    let mut config = config();
    config.timeouts = timeouts;
    let mut session = greeted(config, t0);
    session.transfer(request).unwrap();
    let mut replies = VecDeque::from([
        &b"200 Binary\r\n"[..],
        b"229 (|||40000|)\r\n",
        b"150 Go\r\n",
    ]);
    drive(&mut session, t0, &mut replies);
    assert!(session.is_moving_data());
    session
}

fn retr() -> DataCommand {
    DataCommand::Retr(Arg::new("f").unwrap())
}

#[test]
fn data_progress_pushes_the_stall_deadline_and_a_stall_ends_the_download() {
    let t0 = Instant::now();
    let timeouts = Timeouts {
        data: Duration::from_secs(10),
        ..Timeouts::default()
    };
    let mut session = moving(retr(), timeouts, t0);
    session.handle_data_progress(t0);
    assert_eq!(session.poll_timeout(), Some(t0 + Duration::from_secs(10)));
    // A chunk at t0 + 8 s: the data has 10 s from then.
    let t1 = t0 + Duration::from_secs(8);
    session.handle_data_progress(t1);
    let deadline = t1 + Duration::from_secs(10);
    assert_eq!(session.poll_timeout(), Some(deadline));
    session.handle_timeout(t0 + Duration::from_secs(10));
    assert!(session.is_moving_data(), "progress moved the deadline on");
    session.handle_timeout(deadline - Duration::from_millis(1));
    assert!(
        session.is_moving_data(),
        "before its deadline, nothing happens"
    );
    session.handle_timeout(deadline);
    assert!(!session.is_moving_data(), "the driver closes the data now");
    assert!(session.is_data_stalled());
    assert_eq!(
        session.handle_data_cut_short(),
        Err(UsageError::UnexpectedEvent("data finished")),
        "the session ended the data itself"
    );
    // A download is cut short: its final reply is waited for briefly...
    let (result, reading) = drive(&mut session, deadline, &mut VecDeque::new());
    assert!(result.is_none() && reading);
    assert_eq!(
        session.poll_timeout(),
        Some(deadline + Duration::from_secs(3))
    );
    // ... and even a 226 leaves it failed, saying what it waited for.
    let (result, _) = drive(
        &mut session,
        deadline,
        &mut VecDeque::from([&b"226 Done\r\n"[..]]),
    );
    let failure = Failure::TimedOut {
        waiting: Wait::Data,
        after: Duration::from_secs(10),
    };
    assert_eq!(
        failure.to_string(),
        "timed out after 10s waiting for the transfer's data to move"
    );
    assert_eq!(result, Some(Err(failure)));
    assert!(session.is_idle(), "the session goes on");
    assert!(!session.is_data_stalled());
    assert_eq!(session.poll_timeout(), None);
}

#[test]
fn a_stalled_transfer_that_the_server_refuses_fails_with_the_refusal() {
    let t0 = Instant::now();
    let mut session = moving(retr(), Timeouts::default(), t0);
    session.handle_data_progress(t0);
    let deadline = t0 + Duration::from_secs(60);
    session.handle_timeout(deadline);
    let (result, _) = drive(
        &mut session,
        deadline,
        &mut VecDeque::from([&b"426 Connection closed; transfer aborted\r\n"[..]]),
    );
    match result {
        Some(Err(failure)) => assert_eq!(failure.reply().map(|r| r.code().get()), Some(426)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_stalled_upload_ends_its_data_and_waits_the_whole_final_reply_timeout() {
    let t0 = Instant::now();
    let request = DataCommand::Stor(Arg::new("f").unwrap());
    let mut session = moving(request, Timeouts::default(), t0);
    session.handle_data_progress(t0 - Duration::from_secs(1));
    assert_eq!(session.poll_timeout(), Some(t0 + Duration::from_secs(59)));
    session.handle_data_progress(t0);
    let deadline = t0 + Duration::from_secs(60);
    session.handle_timeout(deadline);
    assert!(!session.is_moving_data());
    let (result, reading) = drive(&mut session, deadline, &mut VecDeque::new());
    assert!(result.is_none() && reading);
    assert_eq!(
        session.poll_timeout(),
        Some(deadline + Duration::from_secs(120))
    );
    let (result, _) = drive(
        &mut session,
        deadline,
        &mut VecDeque::from([&b"226 Stored\r\n"[..]]),
    );
    assert_eq!(
        result,
        Some(Err(Failure::TimedOut {
            waiting: Wait::Data,
            after: Duration::from_secs(60),
        }))
    );
}

#[test]
fn data_that_reaches_its_end_has_no_stall_deadline() {
    let t0 = Instant::now();
    let mut session = moving(retr(), Timeouts::default(), t0);
    session.handle_data_progress(t0);
    session.handle_data_finished().unwrap();
    let (_, reading) = drive(&mut session, t0, &mut VecDeque::new());
    assert!(reading);
    assert_eq!(session.poll_timeout(), Some(t0 + Duration::from_secs(120)));
    let (result, _) = drive(
        &mut session,
        t0,
        &mut VecDeque::from([&b"226 Done\r\n"[..]]),
    );
    assert!(matches!(result, Some(Ok(Outcome::Transferred(_)))));
}

/// A download's command sent with its `EPSV`
/// (`SessionConfig::command_with_epsv`) whose data connection is refused:
/// the command's reply is awaited for `cut_short_final_reply` (a refusal
/// would keep the session in step), and when none comes the session ends
/// with the failed connection, not a timeout, and not before.
#[test]
fn a_refused_connection_with_the_command_sent_waits_briefly_for_a_refusal() {
    let t0 = Instant::now();
    let mut config = config();
    config.command_with_epsv = true;
    let mut session = greeted(config, t0);
    // A first download: EPSV works, so the next command goes with it.
    session.transfer(retr()).unwrap();
    let mut replies = VecDeque::from([
        &b"200 Binary\r\n"[..],
        b"229 (|||40000|)\r\n",
        b"150 Go\r\n",
    ]);
    drive(&mut session, t0, &mut replies);
    session.handle_data_finished().unwrap();
    let (result, _) = drive(
        &mut session,
        t0,
        &mut VecDeque::from([&b"226 Done\r\n"[..]]),
    );
    assert!(matches!(result, Some(Ok(_))), "{result:?}");
    session.transfer(retr()).unwrap();
    let mut connect = None;
    let mut replies = VecDeque::from([&b"229 (|||40001|)\r\n"[..]]);
    while let Some(action) = session.poll(t0) {
        match action {
            Action::ReadControl => session.handle_control(replies.pop_front().unwrap()),
            Action::ConnectData(addr) => {
                connect = Some(addr);
                break;
            }
            _ => {}
        }
    }
    assert_eq!(connect.map(|a| a.port()), Some(40001));
    session.handle_data_connect_failed().unwrap();
    assert_eq!(session.poll(t0), Some(Action::ReadControl));
    let deadline = t0 + Duration::from_secs(3);
    assert_eq!(session.poll_timeout(), Some(deadline));
    session.handle_timeout(deadline - Duration::from_millis(1));
    assert!(!session.is_closed());
    session.handle_timeout(deadline);
    assert!(session.is_closed());
    assert_eq!(
        session.poll(deadline),
        Some(Action::Done(Err(Failure::DataConnectFailed)))
    );
}

/// A range ended early closes the session only where the data connections
/// are TLS (`Session::range_end_closes_session`); in clear it is `ABOR`.
#[test]
fn a_range_end_closes_the_session_only_over_tls() {
    let session = greeted(config(), Instant::now());
    assert!(!session.is_data_protected());
    assert!(!session.range_end_closes_session());
}
