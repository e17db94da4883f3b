//! The FTP protocol without I/O.
//!
//! `ftp-proto` knows FTP (RFC 959, with RFC 1123, 2389, 2428 and 3659) and
//! nothing about sockets, files, threads or clocks: it turns intents into
//! bytes and bytes into events. A driver — blocking, async, or a test —
//! owns the connections and does what the [`Session`] asks.
//!
//! - [`Command`] and [`Arg`]: commands whose arguments cannot hold CR, LF
//!   or NUL, encoded into a caller-owned buffer.
//! - [`ReplyParser`]: frames replies, multi-line included, from any split
//!   of the control stream, within bounded memory.
//! - [`decode`]: the data inside replies (PASV and EPSV addresses, 257
//!   paths, SIZE, MDTM, FEAT, MLST facts, the size hint of 150).
//! - [`hash`]: the file digests a server computes (`HASH`, `XSHA256`…).
//! - [`listing`]: MLSD and LIST lines (Unix, DOS/IIS, EPLF) as one
//!   [`listing::Entry`] type, and the check that a listed name is one safe
//!   path component.
//! - [`Session`]: the state machine that makes every protocol decision.
//!
//! # The drive loop
//!
//! Start an operation, then do what [`Session::poll`] says until it
//! reports [`Action::Done`]. Here the "server" is a scripted list of
//! replies; a real driver reads them from the control socket.
//!
//! ```
//! use std::time::Instant;
//!
//! use ftp_proto::{Action, Arg, Failure, Outcome, Session, SessionConfig};
//!
//! fn drive(
//!     session: &mut Session,
//!     server: &mut impl Iterator<Item = &'static [u8]>,
//!     wire: &mut Vec<u8>,
//! ) -> Result<Outcome, Failure> {
//!     loop {
//!         match session.poll(Instant::now()) {
//!             Some(Action::Send(command)) => command.encode(wire),
//!             Some(Action::ReadControl) => match server.next() {
//!                 Some(bytes) => session.handle_control(bytes),
//!                 None => session.handle_control_eof(),
//!             },
//!             Some(Action::Reply(reply)) => println!("< {reply}"),
//!             Some(Action::Done(result)) => return result,
//!             other => unreachable!("no data transfer in this example: {other:?}"),
//!         }
//!     }
//! }
//!
//! let mut session = Session::new(SessionConfig::new("127.0.0.1:21".parse().unwrap()));
//! let mut server = [
//!     &b"220-Welcome\r\n220 Ready\r\n"[..],
//!     b"331 Password required\r\n",
//!     b"230 Logged in\r\n",
//!     b"257 \"/pub\" is the current directory\r\n",
//! ]
//! .into_iter();
//! let mut wire = Vec::new();
//!
//! drive(&mut session, &mut server, &mut wire)?; // the greeting
//! session.login(Arg::new("anonymous")?, Arg::new("guest@")?, None)?;
//! drive(&mut session, &mut server, &mut wire)?;
//! session.pwd()?;
//! let cwd = drive(&mut session, &mut server, &mut wire)?;
//!
//! assert_eq!(cwd, Outcome::Path(b"/pub".to_vec()));
//! assert_eq!(wire, b"USER anonymous\r\nPASS guest@\r\nPWD\r\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Transfers add two actions: [`Action::ConnectData`] (open the data
//! connection, then [`Session::handle_data_connected`]) and
//! [`Action::Transfer`] (move the bytes, close the data connection, then
//! [`Session::handle_data_finished`]). To stop a transfer early and keep
//! the session, close the data connection and call [`Session::abort`]
//! instead.
//!
//! An error is bad input; a panic is a bug. No input from the server makes
//! this crate panic or allocate past its [`Limits`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod command;
pub mod decode;
pub mod hash;
pub mod listing;
pub mod proxy;
mod reply;
pub mod session;
pub mod tls_tickets;

/// The byte buffer [`Arg::new`] and [`Reply::new`] take (from the `bytes`
/// crate), re-exported so that naming it needs no other dependency.
pub use bytes::Bytes;
pub use command::{
    Arg, Command, FileStructure, InvalidArgument, Password, ProtectionLevel, TransferMode,
    TransferType,
};
pub use reply::{Limits, Progress, Reply, ReplyClass, ReplyCode, ReplyError, ReplyParser};
pub use session::{
    Action, DataCommand, Direction, Failure, MDTM_WINDOW, Outcome, RESERVED_VERBS, RenameCheck,
    Session, SessionConfig, TimeAnswer, Timeouts, TlsMode, TransferStart, UsageError, Wait,
};
