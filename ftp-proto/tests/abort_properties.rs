//! Property tests for the operations added for suppaftp parity: whatever
//! the server answers to an ABOR, the session ends the abort exactly once,
//! idle or closed, never stalled; and no MLST entry makes the decoder
//! panic.

use ftp_proto::{Action, Arg, DataCommand, Session, SessionConfig, decode};
use proptest::prelude::*;
use std::time::Instant;

fn replies() -> impl Strategy<Value = Vec<Vec<u8>>> {
    let reply = prop_oneof![
        Just(b"150 again\r\n".to_vec()),
        Just(b"225 No transfer\r\n".to_vec()),
        Just(b"226 Done\r\n".to_vec()),
        Just(b"226-Abort\r\n226 ok\r\n".to_vec()),
        Just(b"250 ok\r\n".to_vec()),
        Just(b"421 bye\r\n".to_vec()),
        Just(b"426 aborted\r\n".to_vec()),
        Just(b"451 local error\r\n".to_vec()),
        Just(b"502 no ABOR\r\n".to_vec()),
        Just(b"22".to_vec()),
        Just(b"6 split\r\n".to_vec()),
        prop::collection::vec(any::<u8>(), 0..12),
    ];
    prop::collection::vec(reply, 0..8)
}

proptest! {
    #[test]
    fn an_abort_always_ends_once(
        final_first in any::<bool>(),
        replies in replies(),
        timeouts in prop::collection::vec(any::<bool>(), 8),
    ) {
        let mut session = Session::new(SessionConfig::new("192.0.2.7:21".parse().unwrap()));
        session.handle_control(b"220 Ready\r\n");
        while session.poll(Instant::now()).is_some() {}
        session.transfer(DataCommand::Retr(Arg::new("f").unwrap())).unwrap();
        let setup: &[&[u8]] = &[
            b"200 Binary\r\n",
            b"229 (|||40000|)\r\n",
            if final_first { b"150 Go\r\n226 Done\r\n" } else { b"150 Go\r\n" },
        ];
        let mut setup = setup.iter();
        let mut replies = replies.into_iter();
        let mut timeouts = timeouts.into_iter();
        let mut aborted = false;
        let mut done = 0;
        for _ in 0..1000 {
            match session.poll(Instant::now()) {
                Some(Action::Send(_) | Action::Reply(_)) => {}
                Some(Action::SecureControl) => session.handle_control_secured().unwrap(),
                Some(Action::ConnectData(_)) => session.handle_data_connected().unwrap(),
                Some(Action::Transfer(_)) => {
                    prop_assert!(!aborted);
                    session.abort().unwrap();
                    aborted = true;
                }
                Some(Action::ReadControl) if !aborted => match setup.next() {
                    Some(bytes) => session.handle_control(bytes),
                    None => session.handle_control_eof(),
                },
                Some(Action::ReadControl) => {
                    // Any wait may run out: the abort still ends once.
                    if timeouts.next() == Some(true) {
                        let deadline = session.poll_timeout();
                        prop_assert!(deadline.is_some(), "a read without a deadline");
                        session.handle_timeout(deadline.unwrap());
                    } else {
                        match replies.next() {
                            Some(bytes) => session.handle_control(&bytes),
                            None => session.handle_control_eof(),
                        }
                    }
                }
                Some(Action::Done(_)) => done += 1,
                Some(other @ (Action::Listen | Action::AcceptData { .. })) => {
                    prop_assert!(false, "active-mode action in passive mode: {:?}", other);
                }
                None => break,
            }
        }
        prop_assert!(aborted);
        prop_assert_eq!(done, 1);
        prop_assert!(session.is_idle() || session.is_closed(), "{:?}", session);
        if session.is_idle() {
            prop_assert!(session.noop().is_ok());
        }
    }

    #[test]
    fn facts_decoding_never_panics(line in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(facts) = decode::facts_line(&line) {
            prop_assert!(!facts.path.is_empty());
            for (name, _) in facts.iter() {
                prop_assert!(!name.is_empty());
                prop_assert_eq!(name.to_ascii_lowercase(), name);
            }
            if let Some(time) = facts.modify {
                let _ = time.to_system_time();
            }
        }
    }

    #[test]
    fn timestamps_never_panic(text in "[0-9]{0,16}(\\.[0-9]{0,10})?") {
        if let Some(t) = decode::Timestamp::parse(&text) {
            prop_assert!(t.to_system_time().is_some());
        }
    }
}
