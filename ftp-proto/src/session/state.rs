//! What a session is doing: its [`State`], one per step of each operation.

use std::net::SocketAddr;

use std::collections::VecDeque;

use crate::command::{Arg, Command, Password, TransferType};
use crate::hash::HashAlgorithm;
use crate::reply::Reply;

use super::action::DataCommand;
use super::outcome::{Failure, Outcome, TimeAnswer};

/// What a simple command's success looks like and what it yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expect {
    /// 2xx.
    Completion,
    /// 257 with a pathname.
    Path,
    Size,
    Modified,
    /// 211, or an empty list when the server refuses FEAT.
    Features,
    /// 250 with an MLST entry.
    Facts,
    /// Any final reply, returned as is.
    Any,
    /// 221, then closed.
    Quit,
}

/// What follows a successful TLS handshake on the control connection.
#[derive(Debug)]
pub(super) enum Secured {
    /// Implicit TLS: the greeting, read through TLS.
    ReadGreeting,
    /// Explicit TLS: the greeting operation ends with this 220.
    Greeted(Reply),
}

#[derive(Debug)]
pub(super) enum State {
    Greeting,
    /// `AUTH TLS` sent after this greeting.
    AuthTls {
        greeting: Reply,
    },
    /// The driver runs the control connection's TLS handshake.
    SecuringControl(Secured),
    /// `PBSZ 0` sent after a login that this reply accepted.
    LoginPbsz {
        login: Reply,
    },
    /// `PROT P` sent after `PBSZ 0`.
    LoginProt {
        login: Reply,
    },
    Idle,
    LoginUser {
        password: Password,
        account: Option<Arg>,
    },
    LoginPass {
        account: Option<Arg>,
    },
    LoginAcct,
    Simple(Expect),
    /// TYPE I sent ahead of SIZE, which some servers refuse in ASCII mode.
    TypeForSize(Arg),
    RenameFrom {
        to: Arg,
    },
    /// `RNFR path` sent for [`Session::check_rename`](super::Session::check_rename).
    RenameCheck {
        path: Arg,
    },
    /// `RNTO path` (onto itself) sent after a positive reply to a
    /// checking `RNFR`, which it answered with `rnfr`: the command that
    /// ends the pending rename.
    RenameCheckEnd {
        path: Arg,
        rnfr: Reply,
    },
    /// A listing of a named directory: PWD, to know where to come back.
    ListPwd {
        request: DataCommand,
    },
    /// A listing of a named directory: CWD into it.
    ListCwd {
        request: DataCommand,
        home: Arg,
    },
    /// A data transfer, from its `TYPE` to its final reply.
    Transfer(Transfer),
    /// `MDTM`s sent for [`Session::mdtm_each`](super::Session::mdtm_each).
    Times(Times),
    /// FEAT sent on demand, for the operation that needs its answer.
    Feat(NeedsFeatures),
    /// `MLST path` sent for [`Session::stat`](super::Session::stat).
    StatMlst {
        path: Option<Arg>,
        goal: StatGoal,
    },
    /// `TYPE I` sent ahead of a stat's `SIZE path`.
    StatType {
        path: Arg,
        goal: StatGoal,
    },
    /// `SIZE path` sent for a stat.
    StatSize {
        path: Arg,
        goal: StatGoal,
    },
    /// `MDTM path` sent for a stat, after SIZE gave `size`.
    StatMdtm {
        path: Arg,
        size: u64,
    },
    /// `OPTS HASH NAME` sent to select `algorithm` before `HASH path`.
    HashOpts {
        path: Arg,
        algorithm: HashAlgorithm,
    },
    /// `HASH path` or the older command (`form`) sent for `algorithm`.
    HashReply {
        path: Arg,
        algorithm: HashAlgorithm,
        form: HashForm,
    },
    /// Is it a directory: `PWD`, to know where to come back.
    ProbePwd(Probe),
    /// Is it a directory: `CWD` into it, from `home`.
    ProbeCwd {
        probe: Probe,
        home: Arg,
    },
    /// `MKD` sent for the first of `dirs` ([`Session::mkdir_all`](super::Session::mkdir_all)).
    MakeDirs {
        dirs: VecDeque<Arg>,
    },
    /// CWD back to the directory an operation started from; then what
    /// follows.
    Returning {
        then: Returned,
        home: Arg,
        /// CWD attempts refused so far.
        refused: u8,
    },
    /// ABOR sent: waiting for this many more final replies (the
    /// transfer's, unless it had come, and ABOR's).
    Aborting {
        replies_left: u8,
        /// The last reply read since ABOR.
        last: Option<Reply>,
        /// The directory to change back to, as for the transfer.
        home: Option<Arg>,
        /// A range whose bytes had all arrived ([`Session::end_range`](super::Session::end_range)):
        /// it ends transferred whatever the replies say.
        range: bool,
    },
    Closed,
}

/// An operation that waits for the server's FEAT answer.
#[derive(Debug)]
pub(super) enum NeedsFeatures {
    /// [`Session::ensure_features`](super::Session::ensure_features): the answer itself.
    Features,
    Stat(Option<Arg>, StatGoal),
    Entries(Option<Arg>),
    /// The `MFMT` command to send if FEAT lists it.
    SetModified(Command),
    /// [`Session::hash`](super::Session::hash) of this path.
    Hash(Arg, HashAlgorithm),
}

/// How a digest was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HashForm {
    /// `HASH path` (draft-bryan-ftpext-hash).
    Hash,
    /// `XSHA256 path`, `XMD5 path`…
    X,
}

/// The question a stat answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StatGoal {
    /// What the path is ([`Session::stat`](super::Session::stat)).
    Path,
    /// What the symbolic link at the path leads to
    /// ([`Session::resolve_link`](super::Session::resolve_link)).
    LinkTarget,
}

/// Whether a path is a directory, asked by changing into it and back.
#[derive(Debug)]
pub(super) struct Probe {
    pub(super) path: Arg,
    /// The failure to report if `CWD path` is refused (the refusal that
    /// led to the probe); `None`: that of the CWD.
    pub(super) refusal: Option<Failure>,
    /// What follows once back home, if it is a directory.
    pub(super) then: Returned,
}

/// What follows the CWD back home.
#[derive(Debug)]
pub(super) enum Returned {
    /// The operation ends with this result.
    Finish(Result<Outcome, Failure>),
    /// `mkdir -p` goes on with these directories.
    MakeDirs(VecDeque<Arg>),
    /// [`Session::return_home`](super::Session::return_home): done, with the CWD's reply.
    Home,
}

/// A data transfer under way: made once, by `Session::start_transfer`,
/// then moved on from step to step in place.
#[derive(Debug)]
pub(super) struct Transfer {
    pub(super) request: DataCommand,
    pub(super) step: TransferStep,
    /// The directory to change back to once the transfer ends.
    pub(super) home: Option<Arg>,
}

#[derive(Debug)]
pub(super) enum TransferStep {
    /// This TYPE sent.
    Type(TransferType),
    Passive {
        extended: bool,
    },
    /// The driver connects to the port a 229 (`extended`) or 227 named.
    Connecting {
        extended: bool,
    },
    /// `EPSV` and the transfer command sent together
    /// ([`SessionConfig::command_with_epsv`](super::SessionConfig::command_with_epsv)).
    PassiveWithCommand,
    /// The command went with `EPSV`; the driver connects to the port the
    /// 229 named. The command's replies that come meanwhile wait here.
    ConnectingWithCommand {
        early: Vec<Reply>,
    },
    /// The data connection could not be opened with the command pending:
    /// its reply is awaited a short while
    /// ([`Timeouts::cut_short_final_reply`](super::Timeouts::cut_short_final_reply)),
    /// as the server may have refused it (a 550 still on its way) rather
    /// than wait for the connection.
    RefusalAwaited,
    /// `EPSV` failed after the command went with it: the command's own
    /// reply (a 425 or 503: no data connection) is read, then the transfer
    /// ends with `failure`.
    DrainingCommand {
        failure: Failure,
    },
    /// Active mode: the driver opens its listening socket.
    Listening,
    /// Active mode: `EPRT` (`extended`) or `PORT` sent for `addr`.
    Port {
        extended: bool,
        addr: SocketAddr,
    },
    /// Active mode: the server accepted the command; the driver accepts its
    /// data connection. A final reply that came meanwhile is kept.
    Accepting {
        size_hint: Option<u64>,
        final_reply: Option<Reply>,
    },
    /// `REST offset` sent, after the data connection opened and just
    /// before the transfer command.
    Restarting,
    AwaitingStart,
    Data {
        data_done: bool,
        /// The client stopped the data before its end
        /// ([`Session::handle_data_cut_short`](super::Session::handle_data_cut_short)): the final reply
        /// is waited for only briefly.
        cut_short: bool,
        final_reply: Option<Reply>,
    },
}

/// What a server has shown of an extended command the session can do
/// without: `EPSV` (else `PASV`) or `EPRT` (else `PORT`), each tracked on
/// its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Support {
    /// Not tried yet: `EPSV` has carried no data connection, `EPRT` was
    /// not accepted yet.
    Untried,
    /// It worked once: a failure now is the transfer's, not the command's.
    Works,
    /// Refused: the older command from now on.
    Refused,
}

/// Which algorithm `HASH` uses on this session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HashSelection {
    /// The one FEAT marks with `*`.
    Feat,
    /// This one, since `OPTS HASH` accepted it.
    Selected(HashAlgorithm),
    /// Unknown: a raw `OPTS` may have changed it.
    Unknown,
}

/// The state of [`Session::mdtm_each`](super::Session::mdtm_each).
#[derive(Debug)]
pub(crate) struct Times {
    /// Paths not sent yet.
    pub(super) queued: VecDeque<Arg>,
    /// How many may be outstanding: [`MDTM_WINDOW`](super::MDTM_WINDOW), or 1.
    pub(super) window: usize,
    /// Commands sent whose replies have not come.
    pub(super) outstanding: usize,
    /// The answers so far, in the order of the paths.
    pub(super) answers: Vec<TimeAnswer>,
}
