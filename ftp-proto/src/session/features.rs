//! FEAT asked on demand, by the operations whose commands depend on it
//! (`stat`, `entries`, `set_modified`), and MFMT refused when FEAT does
//! not list it.

use crate::command::{Arg, Command};
use crate::decode::{self, Features, Timestamp};
use crate::reply::{Reply, ReplyClass};

use super::machine::Session;
use super::outcome::{Failure, Outcome, UsageError};
use super::state::{Expect, NeedsFeatures, State};

impl Session {
    /// FEAT, unless this session asked it already. Succeeds with
    /// [`Outcome::Features`]: the answer, kept for the session (empty when
    /// the server refuses FEAT with 5xx). Nothing is sent the second time.
    pub fn ensure_features(&mut self) -> Result<(), UsageError> {
        // FEAT names no path: it may run where a walk left the session.
        self.check_idle_anywhere()?;
        self.with_features(NeedsFeatures::Features);
        Ok(())
    }

    /// Sets the modification time of the file at `path` (`MFMT`, to the
    /// second, UTC), after FEAT if not asked yet. When FEAT does not list
    /// `MFMT` the operation fails with [`Failure::Unsupported`] and no
    /// `MFMT` is sent. Succeeds with [`Outcome::Completed`] (213).
    pub fn set_modified(&mut self, path: Arg, time: Timestamp) -> Result<(), UsageError> {
        self.check_idle()?;
        let mfmt = mfmt_command(path, time)?;
        self.with_features(NeedsFeatures::SetModified(mfmt));
        Ok(())
    }

    /// `MFMT YYYYMMDDHHMMSS path` (draft-somers-ftp-mfxx): sets a file's
    /// modification time, in UTC, to the second, whatever FEAT says
    /// ([`Session::set_modified`] checks FEAT first). Succeeds with
    /// [`Outcome::Completed`] (213).
    pub fn mfmt(&mut self, path: Arg, time: Timestamp) -> Result<(), UsageError> {
        let mfmt = mfmt_command(path, time)?;
        self.simple(mfmt, Expect::Completion)
    }

    /// Runs the operation `needs` now if FEAT was asked, after FEAT
    /// otherwise. The session is idle.
    pub(super) fn with_features(&mut self, needs: NeedsFeatures) {
        if self.features.is_some() {
            self.run_with_features(needs);
        } else {
            self.state = State::Feat(needs);
            self.send(Command::Feat);
        }
    }

    fn run_with_features(&mut self, needs: NeedsFeatures) {
        match needs {
            NeedsFeatures::Features => {
                let features = self.features.clone().unwrap_or_default();
                self.finish(Ok(Outcome::Features(features)));
            }
            NeedsFeatures::Stat(path, goal) => self.stat_with_features(path, goal),
            NeedsFeatures::Entries(path) => self.list_entries(path),
            NeedsFeatures::SetModified(mfmt) if self.supports("MFMT") => {
                self.state = State::Simple(Expect::Completion);
                self.send(mfmt);
            }
            NeedsFeatures::SetModified(_) => {
                self.finish(Err(Failure::Unsupported { feature: "MFMT" }));
            }
            NeedsFeatures::Hash(path, algorithm) => self.hash_with_features(path, algorithm),
        }
    }

    /// The reply to a FEAT asked on demand: a 5xx means no features (the
    /// server has no FEAT); any other refusal ends the operation.
    pub(super) fn on_feat_reply(&mut self, needs: NeedsFeatures, reply: Reply) {
        let features = match reply.class() {
            ReplyClass::PositiveCompletion => decode::features(&reply),
            ReplyClass::PermanentNegative => Features::default(),
            _ => return self.finish(Err(self.not_success(reply))),
        };
        self.features = Some(features);
        self.run_with_features(needs);
    }
}

/// The `MFMT` command line for `path` and `time`.
fn mfmt_command(path: Arg, time: Timestamp) -> Result<Command, UsageError> {
    let mut line = format!(
        "MFMT {:04}{:02}{:02}{:02}{:02}{:02} ",
        time.year,
        time.month,
        time.day,
        time.hour,
        time.minute,
        time.second.min(59)
    )
    .into_bytes();
    line.extend_from_slice(path.as_bytes());
    // `path` holds no CR, LF or NUL, and neither does the prefix.
    let line = Arg::new(line).map_err(|_| UsageError::UnexpectedEvent("MFMT argument"))?;
    Ok(Command::Raw(line))
}
