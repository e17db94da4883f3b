//! A file's digest computed by the server ([`Session::hash`]): `HASH`
//! (after `OPTS HASH` when another algorithm is selected), else the older
//! `XSHA256`, `XSHA512`, `XSHA1`, `XMD5` or `XCRC`.

use crate::command::{Arg, Command};
use crate::hash::{self, HashAlgorithm};
use crate::reply::{Reply, ReplyClass};

use super::machine::Session;
use super::outcome::{Failure, Outcome, UsageError};
use super::state::{HashForm, HashSelection, NeedsFeatures, State};

impl Session {
    /// The digest of the file at `path` computed by the server with
    /// `algorithm`. Succeeds with [`Outcome::Hash`].
    ///
    /// FEAT first, unless asked already. Where FEAT's `HASH` line lists
    /// the algorithm: `OPTS HASH NAME` unless it is the one selected (FEAT
    /// marks it `*`, or an earlier `OPTS HASH` chose it), then `HASH
    /// path`, answered `213 NAME 0-END HEX path`. Otherwise, or when
    /// `OPTS HASH` is refused or `HASH` refused as unknown (500, 502), the
    /// algorithm's older command where FEAT lists it (`XSHA256 path`…),
    /// answered `250 HEX` or `213 HEX`; it cannot name a path with a space
    /// (the servers take more words as a byte range), so such a path needs
    /// `HASH`. With neither, the operation fails with
    /// [`Failure::NoHash`] and nothing is sent.
    ///
    /// The reply is checked strictly ([`hash::decode_hash`],
    /// [`hash::decode_x`]): another algorithm, a range not from 0, hex of
    /// the wrong length is a [`Failure::Decode`] holding the reply. A
    /// `HASH` digest keeps its range: [`Digest::covers`](crate::hash::Digest::covers)
    /// tells whether it covers a file of a known size.
    pub fn hash(&mut self, path: Arg, algorithm: HashAlgorithm) -> Result<(), UsageError> {
        self.check_idle()?;
        self.with_features(NeedsFeatures::Hash(path, algorithm));
        Ok(())
    }

    /// What FEAT offers for digests; empty before FEAT was asked.
    pub fn hash_offered(&self) -> hash::Offered {
        self.features
            .as_ref()
            .map(hash::offered)
            .unwrap_or_default()
    }

    /// [`Session::hash`] once FEAT is known.
    pub(super) fn hash_with_features(&mut self, path: Arg, algorithm: HashAlgorithm) {
        let offered = self.hash_offered();
        if !offered.hash.contains(&algorithm) {
            return self.hash_x(path, algorithm);
        }
        let selected = match self.hash_selection {
            HashSelection::Feat => offered.selected,
            HashSelection::Selected(selected) => Some(selected),
            HashSelection::Unknown => None,
        };
        if selected == Some(algorithm) {
            self.send_hash(path, algorithm);
        } else {
            let option = Arg::prefixed("HASH", &Arg::from_static(algorithm.name()));
            self.state = State::HashOpts { path, algorithm };
            self.send(Command::Opts(option));
        }
    }

    fn send_hash(&mut self, path: Arg, algorithm: HashAlgorithm) {
        let line = command_line("HASH", &path);
        self.state = State::HashReply {
            path,
            algorithm,
            form: HashForm::Hash,
        };
        self.send(line);
    }

    /// The older command for `algorithm`, where FEAT lists it.
    fn hash_x(&mut self, path: Arg, algorithm: HashAlgorithm) {
        if !self.hash_offered().x_commands.contains(&algorithm) {
            return self.finish(Err(Failure::NoHash {
                algorithm,
                reason: "its FEAT lists neither in HASH nor as a command",
            }));
        }
        if path.as_bytes().contains(&b' ') {
            return self.finish(Err(Failure::NoHash {
                algorithm,
                reason: "its only command for it cannot name a path with a space",
            }));
        }
        let line = command_line(algorithm.x_command(), &path);
        self.state = State::HashReply {
            path,
            algorithm,
            form: HashForm::X,
        };
        self.send(line);
    }

    pub(super) fn on_hash_opts_reply(&mut self, path: Arg, algorithm: HashAlgorithm, reply: Reply) {
        if reply.class() == ReplyClass::PositiveCompletion {
            self.hash_selection = HashSelection::Selected(algorithm);
            return self.send_hash(path, algorithm);
        }
        // What is selected now is anyone's guess.
        self.hash_selection = HashSelection::Unknown;
        if self.hash_offered().x_commands.contains(&algorithm) {
            self.hash_x(path, algorithm);
        } else {
            self.finish(Err(self.not_success(reply)));
        }
    }

    pub(super) fn on_hash_reply(
        &mut self,
        path: Arg,
        algorithm: HashAlgorithm,
        form: HashForm,
        reply: Reply,
    ) {
        if reply.class() != ReplyClass::PositiveCompletion {
            let unknown = matches!(reply.code().get(), 500 | 502);
            if form == HashForm::Hash
                && unknown
                && self.hash_offered().x_commands.contains(&algorithm)
            {
                return self.hash_x(path, algorithm);
            }
            return self.finish(Err(self.not_success(reply)));
        }
        let digest = match form {
            HashForm::Hash => hash::decode_hash(&reply, algorithm),
            HashForm::X => hash::decode_x(&reply, algorithm),
        };
        let result = digest
            .map(Outcome::Hash)
            .map_err(|error| self.decode_failure(error));
        self.finish(result);
    }
}

/// `VERB path` as one raw command line.
fn command_line(verb: &'static str, path: &Arg) -> Command {
    Command::Raw(Arg::prefixed(verb, path))
}
