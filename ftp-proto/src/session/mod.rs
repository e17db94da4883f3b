//! The session state machine: every protocol decision of an FTP client.
//!
//! A driver starts an operation (`login`, `mkdir`, `transfer`, …), then
//! loops on [`Session::poll`] (passing its time, `now`) and does what each
//! [`Action`] says, feeding back what happened through the `handle_*`
//! methods:
//!
//! | action | the driver |
//! |---|---|
//! | [`Action::Send`] | encodes the command and writes it to the control connection |
//! | [`Action::SecureControl`] | runs the TLS handshake on the control connection, then calls [`Session::handle_control_secured`] (or [`Session::handle_control_secure_failed`]) |
//! | [`Action::ReadControl`] | reads the control connection until [`Session::poll_timeout`] and calls [`Session::handle_control`] (or [`Session::handle_control_eof`]), or, if nothing came in time, [`Session::handle_timeout`] |
//! | [`Action::ConnectData`] | connects the data channel, then calls [`Session::handle_data_connected`] or [`Session::handle_data_connect_failed`] |
//! | [`Action::Listen`] | (active mode) opens a listening socket, then calls [`Session::handle_listening`] with its address, or [`Session::handle_data_connect_failed`] |
//! | [`Action::AcceptData`] | (active mode) accepts the server's data connection from the given IP only, until [`Session::poll_timeout`], then calls [`Session::handle_data_connected`] or [`Session::handle_data_connect_failed`], or [`Session::handle_timeout`] if none came |
//! | [`Action::Transfer`] | moves the bytes, closes the data channel, then calls [`Session::handle_data_finished`] (or [`Session::handle_data_cut_short`] if it stopped early) |
//! | [`Action::Reply`] | nothing, or logs it: every reply is reported once |
//! | [`Action::Done`] | returns the operation's outcome to its caller |
//!
//! `poll` returning `None` means the session waits for the driver: for a
//! data-channel event, or for the next operation.
//!
//! ## Time
//!
//! The session reads no clock (as quinn-proto's connection): each wait it
//! begins is armed from the `now` passed to [`Session::poll`],
//! [`Session::poll_timeout`] says when it ends, and
//! [`Session::handle_timeout`] says what that means (the session ends, an
//! abort ends with the reply it had, an active-mode transfer fails). The
//! durations are [`SessionConfig::timeouts`]. A driver holds no protocol
//! deadline of its own, only the I/O timeouts of its sockets (connecting,
//! writing, a data connection that stalls).
//!
//! Why `handle_*` methods rather than one `Input` type (str0m's style):
//! each driver event answers one action, at one place in a driver, so an
//! `Input` would only turn each call into a variant built at the same
//! place (the drivers, the test drivers and the fuzz driver would keep
//! one arm per action, as now), while one `handle(input)` would lose each
//! method's own documentation of when to call it. Time, the input every
//! wait needs, goes with [`Session::poll`] and [`Session::handle_timeout`].
//!
//! ## Active mode
//!
//! With [`SessionConfig::active`] the server connects to the client:
//! after `TYPE`, [`Action::Listen`]; once the driver reports the address it
//! listens on ([`Session::handle_listening`]), the session sends `EPRT`
//! (always for IPv6; for IPv4 unless [`SessionConfig::use_epsv`] is off,
//! FEAT was asked and does not list `EPRT`, or the server refused it once)
//! or `PORT`. A 5xx refusal of `EPRT` on IPv4 falls back to `PORT` for the
//! rest of the session; any other refusal ends the transfer. Then `REST`
//! if restarting, the transfer command, and on its 1xx
//! [`Action::AcceptData`]: the driver accepts, and only a connection from
//! the control connection's peer IP (anything else could be a third party
//! stealing the port). While it waits, the driver may keep reading the
//! control connection: a refusal then (425: the server could not connect)
//! ends the transfer, and [`Session::is_awaiting_data_connection`] turns
//! false. If no connection comes ([`Session::handle_timeout`] past
//! [`Timeouts::accept`], or [`Session::handle_data_connect_failed`]), the
//! session ends: the server may still be trying to connect, and its next
//! replies could not be told apart from those of the next command.
//!
//! ## TLS (RFC 4217)
//!
//! With [`SessionConfig::tls`] other than [`TlsMode::Plain`], the session
//! decides when the connections are secured; the driver holds the TLS
//! objects:
//!
//! - [`TlsMode::Implicit`]: [`Action::SecureControl`] comes first, before
//!   the greeting is read.
//! - [`TlsMode::Explicit`]: after the 220 greeting, `AUTH TLS`; a 234
//!   answer brings [`Action::SecureControl`], anything else ends the
//!   session with [`Failure::TlsRefused`], before `USER` could be sent.
//! - After the login, in both modes: `PBSZ 0` and `PROT P`; a refusal of
//!   either ends the session with [`Failure::TlsRefused`] (never a
//!   fallback to clear data). Once accepted, [`Session::is_data_protected`]
//!   is true and every data connection must be TLS: the driver runs its
//!   handshake when [`Action::Transfer`] comes, after the server's 1xx.

mod abort;
mod action;
mod command_with_epsv;
mod config;
mod data_connection;
mod features;
mod hash;
mod listing;
mod login;
mod machine;
mod mkdir_all;
mod outcome;
mod raw;
mod rename;
mod simple;
mod stat;
mod state;
mod timer;
mod times;
mod transfer;

pub use action::{Action, DataCommand, Direction, TransferStart};
pub use config::{SessionConfig, Timeouts, TlsMode};
pub use machine::Session;
pub use outcome::{Failure, Outcome, RenameCheck, TimeAnswer, UsageError, Wait};
pub use raw::RESERVED_VERBS;
pub use times::MDTM_WINDOW;
