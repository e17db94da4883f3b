//! How an operation ends: its [`Outcome`], or why it failed ([`Failure`]),
//! or why it could not start ([`UsageError`]).

use std::time::Duration;

use crate::command::Command;
use crate::decode::{DecodeError, Facts, Features, Timestamp};
use crate::hash::{Digest, HashAlgorithm};
use crate::listing::Entry;
use crate::reply::{Reply, ReplyClass, ReplyError};

/// A successful operation's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server's greeting (220).
    Greeting(Reply),
    /// Login accepted.
    LoggedIn(Reply),
    /// A command completed; the reply as sent.
    Completed(Reply),
    /// The pathname of a 257 reply to PWD.
    Path(Vec<u8>),
    /// SIZE's byte count.
    Size(u64),
    /// MDTM's timestamp.
    Modified(Timestamp),
    /// [`Session::mdtm_each`](super::Session::mdtm_each): one answer per
    /// path, in order.
    Times(Vec<TimeAnswer>),
    /// FEAT's list (empty when the server has no FEAT).
    Features(Features),
    /// A transfer finished: the data reached its end and the server
    /// confirmed with this reply.
    Transferred(Reply),
    /// MLST's facts about one file or directory.
    Facts(Facts),
    /// A transfer was aborted ([`Session::abort`](super::Session::abort)) and the server has
    /// answered for it; this is its last reply, usually ABOR's 225 or 226.
    Aborted(Reply),
    /// What [`Session::check_rename`](super::Session::check_rename) learned.
    RenameChecked(RenameCheck),
    /// What [`Session::stat`](super::Session::stat) learned about a path.
    Stat(Entry),
    /// [`Session::mkdir_all`](super::Session::mkdir_all): the directory and
    /// all its parents exist.
    DirectoryMade,
    /// [`Session::hash`](super::Session::hash): the digest the server
    /// computed.
    Hash(Digest),
}

/// Whether the server would rename a file, as [`Session::check_rename`](super::Session::check_rename)
/// asked it without renaming anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameCheck {
    /// `RNFR` was answered 350: the server would take an `RNTO` now.
    Allowed,
    /// `RNFR` was refused for good (5xx): 550 or 553, no such file or not
    /// this login's to rename (an upload-only directory); 500 or 502, the
    /// server has no `RNFR` at all. Either way a rename would be refused.
    /// The server's reply.
    Refused(Reply),
}

/// Why an operation failed: a refusal, a broken protocol, or a closed
/// connection. API misuse is a [`UsageError`] instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// The server answered 4xx or 5xx.
    #[error("{command}: {reply}")]
    Refused {
        /// The command refused (PASS shows masked).
        command: Command,
        /// The server's reply.
        reply: Reply,
    },
    /// The server greeted with a refusal instead of 220.
    #[error("server refused the connection: {0}")]
    Greeting(Reply),
    /// The server wants an account (332) and none was given.
    #[error("server requires an account (ACCT): {0}")]
    AccountRequired(Reply),
    /// A reply of a kind the command does not allow, e.g. 331 to MKD.
    #[error("{command}: unexpected reply {reply}")]
    Unexpected {
        /// The command answered.
        command: Command,
        /// The server's reply.
        reply: Reply,
    },
    /// Bytes that are not a reply; the connection is out of step.
    #[error("malformed reply: {0}")]
    Malformed(#[from] ReplyError),
    /// A reply whose data (PASV address, size, path…) cannot be decoded.
    #[error("{command}: {error}")]
    Decode {
        /// The command answered.
        command: Command,
        /// What was wrong.
        error: DecodeError,
    },
    /// The driver could not open the data connection
    /// ([`Session::handle_data_connect_failed`](super::Session::handle_data_connect_failed)); the driver knows why.
    #[error("the data connection could not be opened")]
    DataConnectFailed,
    /// TLS was required and the server refused a step of it: `AUTH TLS`
    /// (before the login, so `USER` and `PASS` were never sent), or
    /// `PBSZ`/`PROT P` after it (so no data would go in clear). The
    /// session is closed.
    #[error("{command}: {reply} (TLS is required: the session ends)")]
    TlsRefused {
        /// The command refused.
        command: Command,
        /// The server's reply.
        reply: Reply,
    },
    /// The driver could not secure the control connection
    /// ([`Session::handle_control_secure_failed`](super::Session::handle_control_secure_failed)); the driver knows why.
    /// The session is closed.
    #[error("the TLS handshake on the control connection failed")]
    SecureControlFailed,
    /// The server sent more bytes in clear after its 234 answer to `AUTH
    /// TLS`: they would be taken as coming through TLS (the STARTTLS
    /// injection problem). The session is closed.
    #[error("the server sent clear text after accepting AUTH TLS")]
    ClearTextAfterAuth,
    /// Implicit TLS negotiated with TLS 1.3 on offer, and the greeting
    /// names a server that issues no TLS 1.3 session ticket on upload data
    /// connections ([`tls_tickets`](crate::tls_tickets)): the session
    /// would run out of tickets. The driver connects again offering TLS
    /// 1.2 at most. The session is closed; nothing was sent.
    #[error(
        "{0}: the server issues no TLS 1.3 session ticket on upload data connections; connect again offering TLS 1.2 at most"
    )]
    NeedsTls12(Reply),
    /// The operation needs a command the server's FEAT does not list
    /// (e.g. [`Session::set_modified`](super::Session::set_modified) without
    /// `MFMT`); nothing was sent for it.
    #[error("the server does not support {feature}")]
    Unsupported {
        /// The missing feature, e.g. `"MFMT"`.
        feature: &'static str,
    },
    /// [`Session::hash`](super::Session::hash): the server cannot compute
    /// this algorithm's digest (FEAT lists no command for it); nothing was
    /// sent for it.
    #[error("the server has no {algorithm} hash: {reason}")]
    NoHash {
        /// The algorithm asked for.
        algorithm: HashAlgorithm,
        /// Why not, e.g. that FEAT lists neither `HASH` nor its command.
        reason: &'static str,
    },
    /// The server did not answer in time
    /// ([`Session::handle_timeout`](super::Session::handle_timeout)). Waiting
    /// for a reply, the session is closed: a late reply could not be told
    /// from the next command's. Waiting for an active-mode data connection,
    /// the session is closed too unless the transfer's final reply came.
    #[error("timed out after {after:?} {waiting}")]
    TimedOut {
        /// What the session waited for.
        waiting: Wait,
        /// How long it waited.
        after: Duration,
    },
    /// The server closed the session: 421, or the connection ended.
    #[error("{}", match .0 { Some(r) => format!("server closed the connection: {r}"), None => "server closed the connection".to_owned() })]
    Closed(Option<Reply>),
}

impl Failure {
    /// The server's reply, when the failure carries one.
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            Failure::Refused { reply, .. }
            | Failure::Unexpected { reply, .. }
            | Failure::Greeting(reply)
            | Failure::AccountRequired(reply)
            | Failure::TlsRefused { reply, .. }
            | Failure::NeedsTls12(reply) => Some(reply),
            Failure::Closed(reply) => reply.as_ref(),
            Failure::Malformed(_)
            | Failure::Decode { .. }
            | Failure::DataConnectFailed
            | Failure::SecureControlFailed
            | Failure::ClearTextAfterAuth
            | Failure::Unsupported { .. }
            | Failure::NoHash { .. } => None,
            Failure::TimedOut { .. } => None,
        }
    }

    /// A 4xx refusal: the same request may succeed later.
    pub fn is_transient(&self) -> bool {
        self.reply()
            .is_some_and(|r| r.class() == ReplyClass::TransientNegative)
    }
}

/// What a session waited for when its time ran out ([`Failure::TimedOut`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// A reply on the control connection.
    Reply,
    /// Active mode: the server's data connection.
    DataConnection,
    /// A transfer's data to move on its data connection.
    Data,
}

impl std::fmt::Display for Wait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Wait::Reply => "waiting for the server's reply",
            Wait::DataConnection => "waiting for the server's data connection (active mode)",
            Wait::Data => "waiting for the transfer's data to move",
        })
    }
}

/// The caller used the session wrongly; nothing was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    /// Another operation is still running.
    #[error("another operation is in progress")]
    Busy,
    /// The session is closed.
    #[error("the session is closed")]
    Closed,
    /// The event does not fit the session's state (e.g. a data connection
    /// reported when none was requested).
    #[error("unexpected driver event: {0}")]
    UnexpectedEvent(&'static str),
    /// [`Session::raw`](super::Session::raw) refuses this verb: the session must manage it
    /// (see [`RESERVED_VERBS`](super::RESERVED_VERBS)). Nothing was sent.
    #[error(
        "{0} cannot be sent as a raw command: the session manages it (use the typed operation)"
    )]
    ReservedVerb(&'static str),
    /// [`Session::abort`](super::Session::abort) was called with no transfer moving data.
    #[error("no transfer to abort")]
    NoTransfer,
    /// A transfer was asked for while TLS is required and data protection
    /// (`PROT P`) is not yet in force: log in first. Nothing was sent.
    #[error("TLS is required and data protection is not set up yet: log in first")]
    DataNotProtected,
    /// [`Session::transfer_from`](super::Session::transfer_from) was given a nonzero offset for a command
    /// that cannot restart (a listing, or APPE, which always appends).
    #[error("only RETR and STOR can restart at an offset")]
    NotRestartable,
    /// A walk's listing ([`Session::walk_entries`](super::Session::walk_entries)) left the session in
    /// another directory than the one it started in, where a relative path
    /// names another file: run [`Session::return_home`](super::Session::return_home) first. Nothing
    /// was sent.
    #[error("the session is in a directory a walk listed: return home first")]
    AwayFromHome,
}

/// One path's answer in [`Outcome::Times`]: its time, or the server's
/// reply when it had none (a refusal, or a 213 whose time does not parse).
pub type TimeAnswer = Result<Timestamp, Reply>;
