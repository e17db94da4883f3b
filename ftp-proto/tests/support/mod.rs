//! A small scripted server for session tests: each command the session
//! sends must be the next one the script expects, and gets the scripted
//! reply bytes. A step with an empty command line answers the end of a
//! data transfer instead.

#![allow(dead_code, clippy::result_large_err)]

use std::collections::VecDeque;
use std::time::Instant;

use ftp_proto::{Action, Failure, Outcome, Reply, Session, SessionConfig, TransferStart};

/// The most actions one `run` may take: every script here needs far fewer.
const MAX_STEPS: usize = 1000;

pub struct Script {
    pub session: Session,
    steps: VecDeque<(&'static str, &'static [u8])>,
    pending: Vec<u8>,
    wire: Vec<u8>,
    /// Every reply the session reported, as displayed.
    pub replies: Vec<String>,
    /// The time the driver tells the session; it stands still unless a
    /// test moves it.
    pub now: Instant,
}

impl Script {
    /// A session past a `220` greeting, with `steps` to come.
    pub fn logged_in(steps: Vec<(&'static str, &'static [u8])>) -> Script {
        let mut session = Session::new(SessionConfig::new("192.0.2.7:21".parse().unwrap()));
        session.handle_control(b"220 Ready\r\n");
        let mut script = Script {
            session,
            steps: steps.into(),
            pending: Vec::new(),
            wire: Vec::new(),
            replies: Vec::new(),
            now: Instant::now(),
        };
        assert!(matches!(script.run(), Ok(Outcome::Greeting(_))));
        script.replies.clear();
        script
    }

    /// What the session sent so far.
    pub fn wire(&self) -> String {
        String::from_utf8(self.wire.clone()).unwrap()
    }

    /// Whether the script is used up.
    pub fn is_done(&self) -> bool {
        self.steps.is_empty() && self.pending.is_empty()
    }

    fn respond(&mut self, line: &str) {
        match self.steps.pop_front() {
            Some((expected, bytes)) if expected == line => self.pending.extend_from_slice(bytes),
            other => panic!("the session sent {line:?}; the script expected {other:?}"),
        }
    }

    /// Tells the session the data is done and delivers the script's answer
    /// to that, if its next step is one.
    pub fn data_finished(&mut self) {
        self.session.handle_data_finished().unwrap();
        if matches!(self.steps.front(), Some(("", _))) {
            self.respond("");
        }
    }

    /// Does what the session asks until it stops at a transfer or a result.
    fn drive(&mut self) -> Result<Result<Outcome, Failure>, TransferStart> {
        for _ in 0..MAX_STEPS {
            match self.session.poll(self.now) {
                Some(Action::Send(command)) => {
                    command.encode(&mut self.wire);
                    self.respond(&command.to_string());
                }
                Some(Action::ReadControl) => {
                    if self.pending.is_empty() {
                        self.session.handle_control_eof();
                    } else {
                        let bytes = std::mem::take(&mut self.pending);
                        self.session.handle_control(&bytes);
                    }
                }
                Some(Action::Reply(reply)) => self.replies.push(reply.to_string()),
                Some(Action::SecureControl) => self.session.handle_control_secured().unwrap(),
                Some(Action::ConnectData(_) | Action::AcceptData { .. }) => {
                    self.session.handle_data_connected().unwrap()
                }
                Some(Action::Listen) => self
                    .session
                    .handle_listening("192.0.2.1:40000".parse().unwrap())
                    .unwrap(),
                Some(Action::Transfer(start)) => return Err(start),
                Some(Action::Done(result)) => return Ok(result),
                None => panic!("the session stalled: {:?}", self.session),
            }
        }
        panic!("no result after {MAX_STEPS} actions");
    }

    /// Runs an operation that opens no data connection to its result.
    pub fn run(&mut self) -> Result<Outcome, Failure> {
        match self.drive() {
            Ok(result) => result,
            Err(start) => panic!("unexpected transfer {start:?}"),
        }
    }

    /// Runs a transfer until the server accepted it and the data may flow.
    pub fn run_until_transfer(&mut self) -> TransferStart {
        match self.drive() {
            Err(start) => start,
            Ok(result) => panic!("the transfer ended before its data: {result:?}"),
        }
    }

    /// Runs a transfer whose data arrives whole, to its result.
    pub fn run_transfer_to_end(&mut self) -> Result<Outcome, Failure> {
        self.run_until_transfer();
        self.data_finished();
        self.run()
    }
}

/// The reply of a result, for assertions.
pub fn reply_of(outcome: &Outcome) -> Option<&Reply> {
    match outcome {
        Outcome::Completed(r) | Outcome::Transferred(r) => Some(r),
        _ => None,
    }
}
