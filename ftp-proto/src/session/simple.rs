//! Operations of one command and its reply (`MKD`, `SIZE`, `FEAT`,
//! `QUIT`…), and what FEAT told.

use crate::command::{Arg, Command, TransferType};
use crate::decode::{self, Features};
use crate::reply::{Reply, ReplyClass};

use super::machine::Session;
use super::outcome::{Failure, Outcome, UsageError};
use super::state::{Expect, State};

impl Session {
    /// `MKD path`. Succeeds with [`Outcome::Completed`].
    pub fn mkdir(&mut self, path: Arg) -> Result<(), UsageError> {
        self.simple(Command::Mkd(path), Expect::Completion)
    }

    /// `RMD path`.
    pub fn rmdir(&mut self, path: Arg) -> Result<(), UsageError> {
        self.simple(Command::Rmd(path), Expect::Completion)
    }

    /// `DELE path`.
    pub fn delete(&mut self, path: Arg) -> Result<(), UsageError> {
        self.simple(Command::Dele(path), Expect::Completion)
    }

    /// `CWD path`.
    pub fn cwd(&mut self, path: Arg) -> Result<(), UsageError> {
        self.simple(Command::Cwd(path), Expect::Completion)?;
        self.working_directory = None;
        Ok(())
    }

    /// `CDUP`.
    pub fn cdup(&mut self) -> Result<(), UsageError> {
        self.simple(Command::Cdup, Expect::Completion)?;
        self.working_directory = None;
        Ok(())
    }

    /// `PWD`. Succeeds with [`Outcome::Path`].
    pub fn pwd(&mut self) -> Result<(), UsageError> {
        self.simple(Command::Pwd, Expect::Path)
    }

    /// `SIZE path`, after `TYPE I` if not yet in force (SIZE is defined
    /// for the current type and servers refuse it in ASCII). Succeeds with
    /// [`Outcome::Size`].
    pub fn size(&mut self, path: Arg) -> Result<(), UsageError> {
        if self.is_binary() {
            self.simple(Command::Size(path), Expect::Size)
        } else {
            self.begin(
                Command::Type(TransferType::Binary),
                State::TypeForSize(path),
            )
        }
    }

    /// `MDTM path`. Succeeds with [`Outcome::Modified`].
    pub fn mdtm(&mut self, path: Arg) -> Result<(), UsageError> {
        self.simple(Command::Mdtm(path), Expect::Modified)
    }

    /// `MLST [path]`: the facts about one file or directory, the working
    /// directory without a path (RFC 3659 7). Succeeds with
    /// [`Outcome::Facts`].
    pub fn mlst(&mut self, path: Option<Arg>) -> Result<(), UsageError> {
        self.simple(Command::Mlst(path), Expect::Facts)
    }

    /// `SITE command`: a server-specific command such as `CHMOD 644 f`.
    /// Succeeds with [`Outcome::Completed`] on a 2xx reply.
    pub fn site(&mut self, command: Arg) -> Result<(), UsageError> {
        self.simple(Command::Site(command), Expect::Completion)
    }

    /// `FEAT`. Succeeds with [`Outcome::Features`], empty if the server
    /// does not know FEAT.
    pub fn feat(&mut self) -> Result<(), UsageError> {
        self.simple_anywhere(Command::Feat, Expect::Features)
    }

    /// `NOOP`.
    pub fn noop(&mut self) -> Result<(), UsageError> {
        self.simple_anywhere(Command::Noop, Expect::Completion)
    }

    /// `QUIT`; the session is closed afterwards.
    pub fn quit(&mut self) -> Result<(), UsageError> {
        self.simple_anywhere(Command::Quit, Expect::Quit)
    }

    /// The server's FEAT answer, once [`Session::feat`] has run on this
    /// session.
    pub fn features(&self) -> Option<&Features> {
        self.features.as_ref()
    }

    /// Whether FEAT listed `feature` (`"MLST"`, `"MFMT"`…); `false` before
    /// FEAT was asked.
    pub fn supports(&self, feature: &str) -> bool {
        self.features.as_ref().is_some_and(|f| f.supports(feature))
    }

    /// A command that names no path, the same from any directory: it may
    /// run where a walk's listing left the session
    /// ([`Session::walk_entries`]).
    fn simple_anywhere(&mut self, command: Command, expect: Expect) -> Result<(), UsageError> {
        self.check_idle_anywhere()?;
        self.state = State::Simple(expect);
        self.send(command);
        Ok(())
    }

    pub(super) fn simple(&mut self, command: Command, expect: Expect) -> Result<(), UsageError> {
        self.begin(command, State::Simple(expect))
    }

    pub(super) fn on_simple_reply(&mut self, expect: Expect, reply: Reply) {
        let class = reply.class();
        let success = match expect {
            Expect::Any => true,
            // Servers without FEAT answer 500/502: no features, no error.
            Expect::Features => {
                class == ReplyClass::PositiveCompletion || class == ReplyClass::PermanentNegative
            }
            _ => class == ReplyClass::PositiveCompletion,
        };
        if !success {
            return self.finish(Err(self.not_success(reply)));
        }
        let decode_failure = |error| Failure::Decode {
            command: self.last_command.clone(),
            error,
        };
        let result = match expect {
            Expect::Completion | Expect::Any => Ok(Outcome::Completed(reply)),
            Expect::Quit => {
                self.state = State::Closed;
                Ok(Outcome::Completed(reply))
            }
            Expect::Path => decode::pathname(&reply)
                .map(Outcome::Path)
                .map_err(decode_failure),
            Expect::Size => decode::size(&reply)
                .map(Outcome::Size)
                .map_err(decode_failure),
            Expect::Modified => decode::mdtm(&reply)
                .map(Outcome::Modified)
                .map_err(decode_failure),
            Expect::Facts => decode::mlst(&reply)
                .map(Outcome::Facts)
                .map_err(decode_failure),
            Expect::Features => {
                let features = if class == ReplyClass::PositiveCompletion {
                    decode::features(&reply)
                } else {
                    Features::default()
                };
                self.features = Some(features.clone());
                Ok(Outcome::Features(features))
            }
        };
        self.finish(result);
    }

    /// The reply to the `TYPE I` sent ahead of `SIZE path`.
    pub(super) fn on_type_for_size_reply(&mut self, path: Arg, reply: Reply) {
        match reply.class() {
            ReplyClass::PositiveCompletion => {
                self.current_type = Some(TransferType::Binary);
                self.state = State::Simple(Expect::Size);
                self.send(Command::Size(path));
            }
            _ => self.finish(Err(self.not_success(reply))),
        }
    }
}
