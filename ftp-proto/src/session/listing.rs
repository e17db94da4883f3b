//! Listings: the format this session lists in, and a listing of a named
//! directory (`PWD`, `CWD` into it, the transfer, `CWD` back home; a
//! walk's listing stays, and the next one goes by absolute path).

use crate::command::{Arg, Command};
use crate::reply::{Reply, ReplyClass};

use super::action::{Action, DataCommand};
use super::machine::Session;
use super::outcome::{Failure, Outcome, UsageError};
use super::state::{NeedsFeatures, Returned, State};

/// How many times a listing's CWD back to where it started is tried
/// before the session gives up on it.
const RETURN_ATTEMPTS: u8 = 3;

impl Session {
    /// How this session lists directories as data: MLSD when FEAT listed
    /// MLST (and MLSD was not refused since), LIST otherwise. `None`
    /// until FEAT has been asked: run [`Session::feat`] first. The choice
    /// holds for the whole session.
    pub fn listing_format(&self) -> Option<crate::listing::Format> {
        let features = self.features.as_ref()?;
        Some(if features.supports("MLST") && !self.mlsd_refused {
            crate::listing::Format::Mlsd
        } else {
            crate::listing::Format::List
        })
    }

    /// The transfer that lists `path` (`None`: the working directory) in
    /// [`Session::listing_format`], and that format; `None` until FEAT
    /// has been asked.
    pub fn listing_request(
        &self,
        path: Option<Arg>,
    ) -> Option<(DataCommand, crate::listing::Format)> {
        let format = self.listing_format()?;
        let request = match format {
            crate::listing::Format::Mlsd => DataCommand::Mlsd(path),
            crate::listing::Format::List => DataCommand::List(path),
        };
        Some((request, format))
    }

    /// Lists the directory `path` (`None`: the working directory) as data
    /// to parse: FEAT first unless asked already, then a transfer of
    /// `MLSD` where [`Session::listing_format`] says so, `LIST` otherwise
    /// (a named directory is listed from inside it, as
    /// [`Session::transfer`] says). A server that lists MLST in FEAT but
    /// answers `MLSD` with 500 or 502 is listed with `LIST` at once, in
    /// the same operation, and from then on. The driver moves the data
    /// when [`Action::Transfer`] comes; the operation succeeds with
    /// [`Outcome::Transferred`], and [`Session::listing_format`] then says
    /// how to parse the lines ([`crate::listing::parse_line`]).
    pub fn entries(&mut self, path: Option<Arg>) -> Result<(), UsageError> {
        self.check_idle()?;
        if self.config.tls.is_tls() && !self.data_protected {
            return Err(UsageError::DataNotProtected);
        }
        self.with_features(NeedsFeatures::Entries(path));
        Ok(())
    }

    /// A walk's listing of the directory `path` (`None`: the walk's root is
    /// the working directory): as [`Session::entries`], but the session
    /// stays in the directory it changed into instead of changing back, so
    /// that a walk costs one `CWD` per directory, not two. Where the
    /// session is then ([`Session::is_away`]) relative paths name other
    /// files, so until [`Session::return_home`] every operation but the
    /// next walk listing, [`Session::mdtm_each`] and those that name no path
    /// ([`Session::feat`], [`Session::ensure_features`], [`Session::noop`],
    /// [`Session::quit`]) is refused with [`UsageError::AwayFromHome`];
    /// those run where the session is, each relative path made absolute
    /// from the home directory (the one `PWD` gave) — the listing goes
    /// straight from one directory to the next, `CWD /home/path`.
    ///
    /// The session stays only where home is an absolute path (`PWD` gave
    /// one starting with `/`); elsewhere the listing changes back as
    /// [`Session::entries`] does.
    pub fn walk_entries(&mut self, path: Option<Arg>) -> Result<(), UsageError> {
        self.check_idle_anywhere()?;
        if self.config.tls.is_tls() && !self.data_protected {
            return Err(UsageError::DataNotProtected);
        }
        let path = match (self.away, path) {
            (false, path) => path,
            (true, Some(path)) => Some(self.absolute(path)),
            (true, None) => self.working_directory.clone(),
        };
        self.walking = true;
        self.with_features(NeedsFeatures::Entries(path));
        Ok(())
    }

    /// Whether a walk's listing left the session away from its home
    /// directory ([`Session::walk_entries`]).
    pub fn is_away(&self) -> bool {
        self.away
    }

    /// Brings a session a walk's listing left elsewhere back home: `CWD`
    /// to the directory `PWD` gave, tried up to three times before the
    /// session closes (as every return home). Completes at once, with no
    /// command, where the session is home already.
    pub fn return_home(&mut self) -> Result<(), UsageError> {
        self.check_idle_anywhere()?;
        match (self.away, self.working_directory.clone()) {
            (true, Some(home)) => self.go_home(home, Returned::Home),
            _ => {
                self.away = false;
                self.finish(Ok(Outcome::Completed(Reply::new(
                    crate::reply::ReplyCode::COMMAND_OK,
                    Vec::new(),
                ))));
            }
        }
        Ok(())
    }

    /// `path` as seen from anywhere: itself if absolute, else joined to the
    /// home directory (absolute whenever the session is away).
    pub(super) fn absolute(&self, path: Arg) -> Arg {
        let bytes = path.as_bytes();
        let Some(home) = self.working_directory.as_ref() else {
            return path;
        };
        if bytes.starts_with(b"/") || !self.away {
            return path;
        }
        let mut joined = home.as_bytes().to_vec();
        if !joined.ends_with(b"/") {
            joined.push(b'/');
        }
        joined.extend_from_slice(bytes);
        // Made of two arguments: nothing in it can be refused.
        Arg::new(joined).unwrap_or(path)
    }

    /// [`Session::entries`] once FEAT is known.
    pub(super) fn list_entries(&mut self, path: Option<Arg>) {
        match self.listing_request(path.clone()) {
            Some((request, format)) => {
                self.list_fallback = format == crate::listing::Format::Mlsd;
                self.begin_transfer(request);
            }
            None => self.begin_transfer(DataCommand::List(path)),
        }
    }

    /// Whether `reply`, a refusal of the transfer command, is an
    /// [`Session::entries`] MLSD refused as unknown: if so, the same
    /// listing starts again with LIST (in the directory it changed into).
    pub(super) fn falls_back_to_list(&mut self, reply: &Reply) -> bool {
        let State::Transfer(transfer) = &self.state else {
            return false;
        };
        let DataCommand::Mlsd(path) = &transfer.request else {
            return false;
        };
        let path = path.clone();
        if !self.list_fallback || !self.note_mlsd_refusal(reply) {
            return false;
        }
        self.list_fallback = false;
        let home = match &mut self.state {
            State::Transfer(transfer) => transfer.home.take(),
            _ => None,
        };
        self.start_transfer(DataCommand::List(path), home);
        true
    }

    /// Tells the session that its MLSD got `reply`, a refusal: if it is
    /// 500 or 502 (unknown or unimplemented) although FEAT listed MLST,
    /// later listings use LIST. Returns whether it was, so the caller knows
    /// to list again.
    pub fn note_mlsd_refusal(&mut self, reply: &Reply) -> bool {
        let unknown = matches!(reply.code().get(), 500 | 502)
            && self.listing_format() == Some(crate::listing::Format::Mlsd);
        if unknown {
            self.mlsd_refused = true;
        }
        unknown
    }

    /// `CWD` into the directory a listing names, remembering `home`.
    pub(super) fn change_into_listed(&mut self, request: DataCommand, home: Arg) {
        let Some(dir) = request.listed_path().cloned() else {
            return self.start_transfer(request, None);
        };
        self.state = State::ListCwd { request, home };
        self.send(Command::Cwd(dir));
    }

    /// The reply to the `PWD` before a listing of a named directory.
    pub(super) fn on_list_pwd_reply(&mut self, request: DataCommand, reply: Reply) {
        match self.home_from_pwd(reply) {
            Ok(home) => self.change_into_listed(request, home),
            Err(failure) => self.finish(Err(failure)),
        }
    }

    /// The reply to the `CWD` into the directory a listing names.
    pub(super) fn on_list_cwd_reply(&mut self, request: DataCommand, home: Arg, reply: Reply) {
        match reply.class() {
            ReplyClass::PositiveCompletion => {
                self.start_transfer(request.of_working_directory(), Some(home));
            }
            // A path ending in '/' names a directory: none is there.
            ReplyClass::PermanentNegative
                if request.listed_path().is_some_and(|path| {
                    is_plain_list_argument(path.as_bytes()) && !path.as_bytes().ends_with(b"/")
                }) =>
            {
                self.start_transfer(request, None);
            }
            _ => self.finish(Err(self.not_success(reply))),
        }
    }

    /// A transfer ended with `result`: back to the directory a listing
    /// started from, if it changed directory, then done.
    /// A walk's listing ([`Session::walk_entries`]) stays where it is when
    /// home is an absolute path, from which the next one can be reached.
    pub(super) fn end_transfer(&mut self, home: Option<Arg>, result: Result<Outcome, Failure>) {
        match home {
            Some(home) if self.walking && home.as_bytes().starts_with(b"/") => {
                self.away = true;
                self.finish(result);
            }
            Some(home) if !self.is_closed() => self.go_home(home, Returned::Finish(result)),
            _ => self.finish(result),
        }
    }

    /// `CWD home`, back to where the operation started, then `then`.
    pub(super) fn go_home(&mut self, home: Arg, then: Returned) {
        self.state = State::Returning {
            then,
            home: home.clone(),
            refused: 0,
        };
        self.send(Command::Cwd(home.clone()));
        self.working_directory = Some(home);
    }

    /// The reply to the `CWD home` that brings an operation back to where
    /// it started, `refused` attempts so far; `then` follows.
    pub(super) fn on_return_reply(&mut self, then: Returned, home: Arg, refused: u8, reply: Reply) {
        match reply.class() {
            ReplyClass::PositiveCompletion => {
                self.away = false;
                match then {
                    Returned::Finish(result) => self.finish(result),
                    Returned::MakeDirs(dirs) => self.make_next_dir(dirs),
                    Returned::Home => self.finish(Ok(Outcome::Completed(reply))),
                }
            }
            // Some servers (libunftp) check a CWD by listing the
            // directory, which fails while entries vanish from it:
            // ask again before giving up.
            _ if refused < RETURN_ATTEMPTS - 1 && reply.code().get() != 421 => {
                self.state = State::Returning {
                    then,
                    home: home.clone(),
                    refused: refused + 1,
                };
                self.send(Command::Cwd(home));
            }
            // The session is in another directory, where every relative
            // path would name another file than meant: it ends here.
            _ => {
                let failure = self.not_success(reply);
                self.state = State::Closed;
                self.actions.push_back(Action::Done(Err(failure)));
            }
        }
    }
}

/// Whether `path` means the same to every server as a listing's argument:
/// no leading `-` (options to servers that run or mimic `ls`), no white
/// space (Pure-FTPd splits there) and no glob characters.
fn is_plain_list_argument(path: &[u8]) -> bool {
    !path.is_empty()
        && path[0] != b'-'
        && !path
            .iter()
            .any(|b| b.is_ascii_whitespace() || b"*?[]{}~\\'\"".contains(b))
}
