//! What a path is ([`Session::stat`]): MLST where FEAT lists it, else
//! SIZE and MDTM, and for a name SIZE refuses, "is it a directory" by
//! changing into it and back home.

use crate::command::{Arg, Command, TransferType};
use crate::decode::{self, DecodeError, Facts, Timestamp};
use crate::listing::{Entry, Kind, Modified, Precision, Zone};
use crate::reply::{Reply, ReplyClass};

use super::machine::Session;
use super::outcome::{Failure, Outcome, UsageError};
use super::state::{NeedsFeatures, Probe, Returned, StatGoal, State};

impl Session {
    /// What `path` is (`None`: the working directory): its kind, size and
    /// modification time. Succeeds with [`Outcome::Stat`].
    ///
    /// FEAT first, unless asked already. Then `MLST path` where FEAT lists
    /// MLST; a 500 or 502 answer (the server does not know it after all)
    /// goes on as without it. Without MLST:
    ///
    /// - no path: the working directory, a directory; nothing is sent;
    /// - a path ending in `/`, which can only name a directory: it is one
    ///   if `CWD` goes into it (and the session back: `PWD` first unless
    ///   the working directory is known, `CWD` home after); a refused CWD
    ///   is the failure;
    /// - otherwise `SIZE` (after `TYPE I` unless in force) and `MDTM`: a
    ///   file, with its time if MDTM answered. A 5xx to SIZE (or its TYPE)
    ///   may mean a directory: asked with CWD as above, and if CWD is
    ///   refused too, SIZE's refusal is the failure.
    ///
    /// As for every operation that changes directory, a session that
    /// cannot get back home (three refused CWDs) is closed.
    ///
    /// The entry's name is `path` (MLST: the pathname the server gave); a
    /// directory MLST calls `cdir` or `pdir` is [`Kind::Dir`].
    pub fn stat(&mut self, path: Option<Arg>) -> Result<(), UsageError> {
        self.check_idle()?;
        self.with_features(NeedsFeatures::Stat(path, StatGoal::Path));
        Ok(())
    }

    /// What the symbolic link at `path` leads to, as the server sees it.
    /// Succeeds with [`Outcome::Stat`]. As [`Session::stat`], except where
    /// MLST describes the link itself (neither a file nor a directory):
    /// then `SIZE path` (after `TYPE I` unless in force), which follows the
    /// link: a file of that size; a 5xx, and it is a directory if `CWD`
    /// goes into it (and back home), the CWD's refusal otherwise.
    pub fn resolve_link(&mut self, path: Arg) -> Result<(), UsageError> {
        self.check_idle()?;
        self.with_features(NeedsFeatures::Stat(Some(path), StatGoal::LinkTarget));
        Ok(())
    }

    /// [`Session::stat`] or [`Session::resolve_link`] once FEAT is known.
    pub(super) fn stat_with_features(&mut self, path: Option<Arg>, goal: StatGoal) {
        if self.supports("MLST") {
            self.state = State::StatMlst {
                path: path.clone(),
                goal,
            };
            self.send(Command::Mlst(path));
        } else {
            self.stat_without_mlst(path);
        }
    }

    fn stat_without_mlst(&mut self, path: Option<Arg>) {
        let Some(path) = path else {
            return self.finish(Ok(Outcome::Stat(Entry::with_kind(Vec::new(), Kind::Dir))));
        };
        if path.as_bytes().ends_with(b"/") {
            return self.probe_dir(Probe {
                then: Returned::Finish(Ok(Outcome::Stat(dir_entry(&path)))),
                path,
                refusal: None,
            });
        }
        self.stat_size(path, StatGoal::Path);
    }

    /// `SIZE path`, after `TYPE I` unless in force.
    fn stat_size(&mut self, path: Arg, goal: StatGoal) {
        if self.is_binary() {
            self.state = State::StatSize {
                path: path.clone(),
                goal,
            };
            self.send(Command::Size(path));
        } else {
            self.state = State::StatType { path, goal };
            self.send(Command::Type(TransferType::Binary));
        }
    }

    pub(super) fn on_stat_mlst_reply(&mut self, path: Option<Arg>, goal: StatGoal, reply: Reply) {
        match reply.class() {
            ReplyClass::PositiveCompletion => match decode::mlst(&reply) {
                Ok(facts) => {
                    let entry = stat_entry(&facts);
                    match path {
                        Some(path)
                            if goal == StatGoal::LinkTarget
                                && !matches!(entry.kind, Kind::Dir | Kind::File) =>
                        {
                            self.stat_size(path, goal);
                        }
                        _ => self.finish(Ok(Outcome::Stat(entry))),
                    }
                }
                Err(error) => self.finish(Err(self.decode_failure(error))),
            },
            _ if matches!(reply.code().get(), 500 | 502) => self.stat_without_mlst(path),
            _ => self.finish(Err(self.not_success(reply))),
        }
    }

    pub(super) fn on_stat_type_reply(&mut self, path: Arg, goal: StatGoal, reply: Reply) {
        if reply.class() != ReplyClass::PositiveCompletion {
            return self.stat_size_failed(path, goal, reply);
        }
        self.current_type = Some(TransferType::Binary);
        self.state = State::StatSize {
            path: path.clone(),
            goal,
        };
        self.send(Command::Size(path));
    }

    pub(super) fn on_stat_size_reply(&mut self, path: Arg, goal: StatGoal, reply: Reply) {
        if reply.class() != ReplyClass::PositiveCompletion {
            return self.stat_size_failed(path, goal, reply);
        }
        match (decode::size(&reply), goal) {
            (Ok(size), StatGoal::Path) => {
                self.state = State::StatMdtm {
                    path: path.clone(),
                    size,
                };
                self.send(Command::Mdtm(path));
            }
            (Ok(size), StatGoal::LinkTarget) => {
                self.finish(Ok(Outcome::Stat(file_entry(&path, size, None))));
            }
            (Err(error), _) => self.finish(Err(self.decode_failure(error))),
        }
    }

    /// SIZE (or the TYPE I before it) was answered with `reply`, not a
    /// size: a 5xx may mean a directory.
    /// A stat reports SIZE's refusal if CWD is refused too; a link's
    /// resolution, the CWD's.
    fn stat_size_failed(&mut self, path: Arg, goal: StatGoal, reply: Reply) {
        let failure = self.not_success(reply.clone());
        if reply.code().get() < 500 {
            return self.finish(Err(failure));
        }
        self.probe_dir(Probe {
            then: Returned::Finish(Ok(Outcome::Stat(dir_entry(&path)))),
            path,
            refusal: (goal == StatGoal::Path).then_some(failure),
        });
    }

    /// MDTM's answer: the file's time if it gave one; a file either way.
    pub(super) fn on_stat_mdtm_reply(&mut self, path: Arg, size: u64, reply: Reply) {
        let modified = (reply.class() == ReplyClass::PositiveCompletion)
            .then(|| decode::mdtm(&reply).ok())
            .flatten();
        self.finish(Ok(Outcome::Stat(file_entry(&path, size, modified))));
    }

    /// Is `probe.path` a directory: `CWD` into it and back home (`PWD`
    /// first unless the working directory is known).
    pub(super) fn probe_dir(&mut self, probe: Probe) {
        match self.working_directory.clone() {
            Some(home) => self.probe_cwd(probe, home),
            None => {
                self.state = State::ProbePwd(probe);
                self.send(Command::Pwd);
            }
        }
    }

    fn probe_cwd(&mut self, probe: Probe, home: Arg) {
        let cwd = Command::Cwd(probe.path.clone());
        self.state = State::ProbeCwd { probe, home };
        self.send(cwd);
    }

    pub(super) fn on_probe_pwd_reply(&mut self, probe: Probe, reply: Reply) {
        match self.home_from_pwd(reply) {
            Ok(home) => self.probe_cwd(probe, home),
            Err(failure) => self.finish(Err(failure)),
        }
    }

    /// The reply to the probe's `CWD path`: a directory (back home, then
    /// what follows), or the refusal to report.
    pub(super) fn on_probe_cwd_reply(&mut self, probe: Probe, home: Arg, reply: Reply) {
        if reply.class() == ReplyClass::PositiveCompletion {
            return self.go_home(home, probe.then);
        }
        let failure = match probe.refusal {
            Some(refusal) => refusal,
            None => self.not_success(reply),
        };
        self.finish(Err(failure));
    }

    /// The working directory a 257 reply to `PWD` names, now known to the
    /// session.
    pub(super) fn home_from_pwd(&mut self, reply: Reply) -> Result<Arg, Failure> {
        if reply.class() != ReplyClass::PositiveCompletion {
            return Err(self.not_success(reply));
        }
        let home = decode::pathname(&reply).and_then(|path| {
            Arg::new(path)
                .ok()
                .ok_or_else(|| DecodeError::Pathname(reply.to_string()))
        });
        let home = home.map_err(|error| self.decode_failure(error))?;
        self.working_directory = Some(home.clone());
        Ok(home)
    }
}

/// The entry of a directory named `path`.
fn dir_entry(path: &Arg) -> Entry {
    Entry::with_kind(path.as_bytes(), Kind::Dir)
}

/// A stat's entry from MLST facts: a directory the server calls `cdir` or
/// `pdir` (MLST of the working directory) is a directory all the same.
fn stat_entry(facts: &Facts) -> Entry {
    let mut entry = Entry::from_facts(facts);
    if matches!(entry.kind, Kind::CurrentDir | Kind::ParentDir) {
        entry.kind = Kind::Dir;
    }
    entry
}

/// A stat's entry for a file, from SIZE (and MDTM if it answered).
fn file_entry(path: &Arg, size: u64, modified: Option<Timestamp>) -> Entry {
    let mut entry = Entry::with_kind(path.as_bytes(), Kind::File);
    entry.size = Some(size);
    entry.modified = modified.map(|time| Modified {
        time,
        precision: if time.nanosecond == 0 {
            Precision::Second
        } else {
            Precision::Subsecond
        },
        zone: Zone::Utc,
    });
    entry
}
