//! The modification times of many files at once: `MDTM` for each, sent
//! ahead without waiting for the replies before where the server answers
//! in order.

use crate::command::{Arg, Command};
use crate::decode;
use crate::reply::{Reply, ReplyClass};

use super::machine::Session;
use super::outcome::{Outcome, UsageError};
use super::state::{State, Times};

/// How many `MDTM` commands [`Session::mdtm_each`] has sent ahead of
/// their replies at most, where it sends ahead: enough to cover a round
/// trip with a few dozen replies, few enough that neither side's socket
/// buffers fill while the other writes (a client that writes every command
/// before it reads a reply would otherwise wait on a server that waits on
/// it).
pub const MDTM_WINDOW: usize = 32;

impl Session {
    /// `MDTM path` for each of `paths`. Succeeds with
    /// [`Outcome::Times`]: one answer per path, in order; a refused `MDTM`
    /// is an answer (the server's reply), not a failure. A closed
    /// connection, a 421 or a reply that does not come fail the operation
    /// as any other. An empty `paths` succeeds at once, with nothing sent.
    ///
    /// Where FEAT was asked and lists no `MLST`, up to [`MDTM_WINDOW`]
    /// commands go ahead without waiting for the replies before (`MDTM`
    /// changes nothing, so no command depends on the one before): one
    /// round trip for a few dozen files. Those are the servers whose
    /// listings (`LIST`) give no exact time, the ones a tree transfer asks
    /// MDTM of at all; they answer one command after the other (vsftpd).
    /// Elsewhere, one at a time: a server that runs commands concurrently
    /// answers those sent ahead in the order they finish, not the order
    /// they came (libunftp does, and lists MLST), and an MDTM reply does
    /// not say which file it is about.
    ///
    /// It runs where a walk's listing left the session
    /// ([`Session::walk_entries`]), each relative path made absolute from
    /// the home directory.
    pub fn mdtm_each(&mut self, paths: Vec<Arg>) -> Result<(), UsageError> {
        self.check_idle_anywhere()?;
        let paths: Vec<Arg> = paths.into_iter().map(|p| self.absolute(p)).collect();
        let ahead = self.features.is_some() && !self.supports("MLST");
        let mut times = Times {
            answers: Vec::with_capacity(paths.len()),
            queued: paths.into(),
            window: if ahead { MDTM_WINDOW } else { 1 },
            outstanding: 0,
        };
        self.send_times(&mut times);
        if times.outstanding == 0 {
            self.finish(Ok(Outcome::Times(times.answers)));
        } else {
            self.state = State::Times(times);
        }
        Ok(())
    }

    /// Sends queued `MDTM`s until the window is full.
    fn send_times(&mut self, times: &mut Times) {
        while times.outstanding < times.window {
            let Some(path) = times.queued.pop_front() else {
                break;
            };
            self.send(Command::Mdtm(path));
            times.outstanding += 1;
        }
    }

    /// The reply to the oldest outstanding `MDTM`.
    pub(super) fn on_times_reply(&mut self, mut times: Times, reply: Reply) {
        times.outstanding = times.outstanding.saturating_sub(1);
        let answer = if reply.class() == ReplyClass::PositiveCompletion {
            decode::mdtm(&reply).map_err(|_| reply)
        } else {
            Err(reply)
        };
        times.answers.push(answer);
        self.send_times(&mut times);
        if times.outstanding == 0 {
            self.finish(Ok(Outcome::Times(times.answers)));
        } else {
            self.state = State::Times(times);
        }
    }
}
