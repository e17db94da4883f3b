//! Shared by the session fuzz targets: a driver loop that plays the client
//! side of `Session` and checks the invariants every driver relies on.

use ftp_proto::{Action, Arg, Command, DataCommand, Limits, Session, TransferType, UsageError};

/// Small limits, so that the fuzzer reaches the bounds quickly.
pub const LIMITS: Limits = Limits {
    max_line_len: 256,
    max_reply_len: 2048,
};

/// What the fuzz input decides on the server's and the caller's side.
pub trait Script {
    /// The next operation to start (any byte), or `None` to stop.
    fn next_op(&mut self) -> Option<u8>;
    /// The next bytes of the control connection, or `None` for end of file.
    fn control(&mut self) -> Option<Vec<u8>>;
    /// Whether the data connection opens.
    fn data_connects(&mut self) -> bool;
    /// Whether the TLS handshake on the control connection succeeds.
    fn handshake_succeeds(&mut self) -> bool {
        true
    }
    /// Whether the server says nothing until the session's deadline
    /// passes (a read of a reply, an active-mode accept).
    fn times_out(&mut self) -> bool {
        false
    }
}

fn arg(i: u8) -> Arg {
    Arg::new(["f", "dir/sub file", "-l", "\"q\"\"uoted\""][usize::from(i) % 4]).unwrap()
}

/// Starts operation `op % 24`.
fn start(session: &mut Session, op: u8) -> Result<(), UsageError> {
    let a = arg(op / 24);
    match op % 24 {
        0 => session.login(a.clone(), a, None),
        1 => session.login(a.clone(), a.clone(), Some(a)),
        2 => session.transfer(DataCommand::Retr(a)),
        3 => session.transfer(DataCommand::Stor(a)),
        4 => session.transfer(DataCommand::Appe(a)),
        5 => session.transfer(DataCommand::List(None)),
        6 => session.transfer(DataCommand::Nlst(Some(a))),
        7 => session.transfer(DataCommand::Mlsd(None)),
        8 => session.size(a),
        9 => session.pwd(),
        10 => session.rename(a.clone(), a),
        11 => session.feat(),
        12 => session.mdtm(a),
        13 => session.mkdir(a),
        14 => session.rmdir(a),
        15 => session.delete(a),
        16 => session.cwd(a),
        17 => session.cdup(),
        18 => session.noop(),
        19 => session.raw(Command::Syst),
        20 => session.raw(Command::Type(TransferType::Ascii)),
        21 => session.raw(Command::Pasv),
        22 => session.check_rename(a),
        _ => session.quit(),
    }
}

/// Runs the session until the script ends, the session closes, or a bound
/// on steps is hit. Panics if an invariant breaks.
pub fn drive(session: &mut Session, script: &mut impl Script) {
    let bound = LIMITS.max_line_len + 1 + LIMITS.max_reply_len;
    // Time moves only when the script lets a deadline pass.
    let mut now = std::time::Instant::now();
    let mut wire = Vec::new();
    // The greeting is the operation under way from the start.
    let mut pending = true;
    for _ in 0..10_000 {
        match session.poll(now) {
            Some(Action::Send(command)) => {
                wire.clear();
                command.encode(&mut wire);
                assert!(wire.ends_with(b"\r\n"));
            }
            Some(Action::ReadControl) => {
                // Every wait for a reply has its deadline.
                let deadline = session.poll_timeout();
                assert!(deadline.is_some_and(|at| at > now), "{deadline:?}");
                if let Some(at) = deadline.filter(|_| script.times_out()) {
                    now = at;
                    session.handle_timeout(now);
                    continue;
                }
                match script.control() {
                    Some(bytes) => session.handle_control(&bytes),
                    None => session.handle_control_eof(),
                }
                assert!(session.buffered_bytes() <= bound);
            }
            Some(Action::SecureControl) => {
                assert!(session.config().tls.is_tls(), "SecureControl without TLS");
                let result = if script.handshake_succeeds() {
                    session.handle_control_secured()
                } else {
                    session.handle_control_secure_failed()
                };
                // Asked for, so accepted.
                assert!(result.is_ok(), "{result:?}");
            }
            Some(Action::ConnectData(_)) => {
                // Under TLS, never a data connection before PROT P.
                assert!(!session.config().tls.is_tls() || session.is_data_protected());
                let result = if script.data_connects() {
                    session.handle_data_connected()
                } else {
                    // The operation goes on to its Done.
                    session.handle_data_connect_failed()
                };
                // The session never asks for data-channel work it then
                // refuses, not even when a reply in the same read closed it.
                assert!(result.is_ok(), "{result:?}");
            }
            Some(Action::Listen) => {
                let result = session.handle_listening(([127, 0, 0, 1], 40000).into());
                assert!(result.is_ok(), "{result:?}");
            }
            Some(Action::AcceptData { from }) => {
                assert_eq!(from, session.config().peer.ip());
                let deadline = session.poll_timeout();
                assert!(deadline.is_some(), "an accept without a deadline");
                if let Some(at) = deadline.filter(|_| script.times_out()) {
                    now = at;
                    session.handle_timeout(now);
                    continue;
                }
                assert!(!session.config().tls.is_tls() || session.is_data_protected());
                let result = if script.data_connects() {
                    session.handle_data_connected()
                } else {
                    session.handle_data_connect_failed()
                };
                assert!(result.is_ok(), "{result:?}");
            }
            Some(Action::Transfer(_)) => {
                let result = session.handle_data_finished();
                // The session never asks for data-channel work it then
                // refuses, not even when a reply in the same read closed it.
                assert!(result.is_ok(), "{result:?}");
            }
            Some(Action::Reply(reply)) => {
                assert!(!reply.to_string().chars().any(char::is_control));
            }
            Some(Action::Done(result)) => {
                assert!(pending, "Done without an operation: {result:?}");
                pending = false;
                if let Err(failure) = result {
                    let _ = failure.to_string();
                }
            }
            None => {
                // The driver answers data events at once, so a session
                // waiting for nothing must be between operations.
                assert!(!pending, "session stalled");
                assert!(session.is_idle() || session.is_closed(), "{session:?}");
                if session.is_closed() {
                    return;
                }
                let Some(op) = script.next_op() else { return };
                match start(session, op) {
                    Ok(()) => pending = true,
                    Err(UsageError::ReservedVerb(_)) => {}
                    // A transfer before the login of a TLS session.
                    Err(UsageError::DataNotProtected) => {
                        assert!(session.config().tls.is_tls() && !session.is_data_protected());
                    }
                    Err(e) => panic!("idle session refused an operation: {e:?}"),
                }
            }
        }
    }
}
