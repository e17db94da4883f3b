//! Renames, and asking whether a rename would be allowed.

use crate::command::{Arg, Command};
use crate::reply::{Reply, ReplyClass};

use super::machine::Session;
use super::outcome::{Failure, Outcome, RenameCheck, UsageError};
use super::state::{Expect, State};

impl Session {
    /// `RNFR from`, then `RNTO to` once the server answers 350.
    pub fn rename(&mut self, from: Arg, to: Arg) -> Result<(), UsageError> {
        self.begin(Command::Rnfr(from), State::RenameFrom { to })
    }

    /// Asks whether the server would rename the file at `path`, without
    /// renaming it: `RNFR path`, and after any positive reply `RNTO path`,
    /// a rename of the file onto itself.
    ///
    /// `RNFR` leaves the server waiting for `RNTO`, as `REST` leaves it
    /// waiting for a transfer (which is why [`Session::raw`] refuses it),
    /// and on some servers only `RNTO` ends the wait: proFTPD answers every
    /// later command but `NOOP`, `HELP`, `STAT` and `QUIT` with `501 Bad
    /// sequence of commands` until it comes, and Pure-FTPd and pyftpdlib
    /// keep the rename pending across a `NOOP`, for the next `RNTO` to
    /// carry out. So this operation never ends with a rename pending: a
    /// positive reply is followed by `RNTO` to the same path, which renames
    /// nothing (POSIX `rename(2)` of a path onto itself does nothing;
    /// vsftpd, proFTPD, Pure-FTPd, pyftpdlib and libunftp answer 250 and
    /// keep the file as it was). A refused `RNFR` leaves nothing pending.
    /// What each reply means:
    ///
    /// - 350, then `RNTO` 2xx: [`Outcome::RenameChecked`] with
    ///   [`RenameCheck::Allowed`];
    /// - 5xx to `RNFR` (550 no such file or not allowed, 502 no `RNFR`…),
    ///   or to the `RNTO` after 350 (a server that will not rename over an
    ///   existing name): [`Outcome::RenameChecked`] with
    ///   [`RenameCheck::Refused`] and that reply, a success of the
    ///   operation, since the question was answered;
    /// - 4xx to either (450, the file busy): [`Failure::Refused`], which
    ///   [`Failure::is_transient`] says may be asked again later;
    /// - any other positive reply to `RNFR` (a 2xx): [`Failure::Unexpected`]
    ///   naming `RNFR`, after the `RNTO` that ends whatever it started.
    pub fn check_rename(&mut self, path: Arg) -> Result<(), UsageError> {
        let rnfr = Command::Rnfr(path.clone());
        self.begin(rnfr, State::RenameCheck { path })
    }

    /// The reply to the `RNFR` of a rename to `to`.
    pub(super) fn on_rnfr_reply(&mut self, to: Arg, reply: Reply) {
        match reply.class() {
            ReplyClass::PositiveIntermediate => {
                self.state = State::Simple(Expect::Completion);
                self.send(Command::Rnto(to));
            }
            _ => self.finish(Err(self.not_success(reply))),
        }
    }

    /// The reply to a checking `RNFR` ([`Session::check_rename`]).
    pub(super) fn on_rename_check(&mut self, path: Arg, reply: Reply) {
        match reply.class() {
            ReplyClass::PermanentNegative => {
                self.finish(Ok(Outcome::RenameChecked(RenameCheck::Refused(reply))));
            }
            ReplyClass::TransientNegative => self.finish(Err(self.refused(reply))),
            // 350, or a positive reply RNFR should not get: the server may
            // be waiting for RNTO either way, and only RNTO ends that on
            // every server. Onto itself: nothing is renamed.
            _ => {
                self.send(Command::Rnto(path.clone()));
                self.state = State::RenameCheckEnd { path, rnfr: reply };
            }
        }
    }

    /// The reply to the `RNTO path` that ends a checking `RNFR`, which the
    /// server answered with `rnfr`.
    pub(super) fn on_rename_check_end(&mut self, path: Arg, rnfr: Reply, reply: Reply) {
        if rnfr.code().get() != 350 {
            return self.finish(Err(Failure::Unexpected {
                command: Command::Rnfr(path),
                reply: rnfr,
            }));
        }
        match reply.class() {
            ReplyClass::PositiveCompletion => {
                self.finish(Ok(Outcome::RenameChecked(RenameCheck::Allowed)));
            }
            ReplyClass::PermanentNegative => {
                self.finish(Ok(Outcome::RenameChecked(RenameCheck::Refused(reply))));
            }
            _ => self.finish(Err(self.not_success(reply))),
        }
    }
}
