//! Listings: the format this session lists in, and a listing of a named
//! directory (`PWD`, `CWD` into it, the transfer, `CWD` back home).

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
    pub(super) fn end_transfer(&mut self, home: Option<Arg>, result: Result<Outcome, Failure>) {
        match home {
            Some(home) if !self.is_closed() => self.return_home(home, Returned::Finish(result)),
            _ => self.finish(result),
        }
    }

    /// `CWD home`, back to where the operation started, then `then`.
    pub(super) fn return_home(&mut self, home: Arg, then: Returned) {
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
            ReplyClass::PositiveCompletion => match then {
                Returned::Finish(result) => self.finish(result),
                Returned::MakeDirs(dirs) => self.make_next_dir(dirs),
            },
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
