//! Who to log in as, with the password kept off the command line: the
//! command line's sources handed to [`ftp_client::Credentials`].
//!
//! The first source that has it wins, for the user and the password each:
//!
//! 1. the URL (`ftp://user:password@host/`);
//! 2. `-u/--user USER[:PASSWORD]`;
//! 3. the password in the environment variable `FTP_PASSWORD`;
//! 4. `~/.netrc` (or `--netrc-file FILE`; `--no-netrc` skips it): the
//!    entry for the host (and the user, once known), else `default`;
//! 5. anonymous (`anonymous`, password `anonymous@`), or for a named user
//!    without a password, a prompt when standard input is a terminal.

use std::io::IsTerminal;

use ftp_client::{Credentials, FtpUrl};
pub use ftp_client::{LoginError, NetrcSource};

/// The environment variable that may hold the password.
pub const PASSWORD_VARIABLE: &str = "FTP_PASSWORD";

/// The login options of the command line.
#[derive(Debug, Clone)]
pub struct LoginOptions {
    /// `-u USER[:PASSWORD]`: the user, and the password if given.
    pub user: Option<(String, Option<String>)>,
    pub netrc: NetrcSource,
}

impl LoginOptions {
    /// Splits `-u`'s value at its first `:`, as curl does.
    pub fn parse_user(value: &str) -> (String, Option<String>) {
        match value.split_once(':') {
            Some((user, password)) => (user.to_owned(), Some(password.to_owned())),
            None => (value.to_owned(), None),
        }
    }

    /// `url` with the login the sources give ([`Credentials::resolve`]):
    /// the password of [`PASSWORD_VARIABLE`], the prompt on the terminal,
    /// warnings on stderr.
    pub fn resolve(&self, url: &FtpUrl) -> Result<FtpUrl, LoginError> {
        let credentials = Credentials {
            user: self.user.clone(),
            env_password: std::env::var(PASSWORD_VARIABLE)
                .ok()
                .filter(|p| !p.is_empty()),
            netrc: self.netrc.clone(),
            prompt: &terminal_prompt,
            warn: &|warning| eprintln!("ftp-cli: {warning}"),
        };
        credentials.resolve(url)
    }
}

/// Asks on the terminal, without echo, when standard input is one.
pub fn terminal_prompt(user: &str, host: &str) -> Option<std::io::Result<String>> {
    if !std::io::stdin().is_terminal() {
        return None;
    }
    let prompt = format!("Password for {user}@{host}: ");
    #[cfg(unix)]
    return Some(hidden::read(&prompt));
    #[cfg(not(unix))]
    return Some(rpassword::prompt_password(prompt));
}

/// The terminal prompt on Unix. Echo goes off before the prompt is
/// written, as readpassphrase(3) does: a password typed (or sent) as soon
/// as the prompt shows is never echoed. rpassword writes the prompt first,
/// which left that race.
#[cfg(unix)]
mod hidden {
    use std::io::{BufRead, Write};
    use std::sync::Mutex;

    use rustix::termios::{self, LocalModes, OptionalActions, Termios};

    /// The terminal's settings while echo is off, for an exit on a signal.
    static SAVED: Mutex<Option<(std::fs::File, Termios)>> = Mutex::new(None);

    pub fn read(prompt: &str) -> std::io::Result<String> {
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")?;
        let saved = termios::tcgetattr(&tty)?;
        let mut quiet = saved.clone();
        quiet.local_modes.remove(LocalModes::ECHO);
        // The user's Enter still moves to the next line.
        quiet.local_modes.insert(LocalModes::ECHONL);
        if let Ok(mut slot) = SAVED.lock() {
            *slot = Some((tty.try_clone()?, saved.clone()));
        }
        termios::tcsetattr(&tty, OptionalActions::Now, &quiet)?;
        let read = (|| -> std::io::Result<String> {
            (&tty).write_all(prompt.as_bytes())?;
            (&tty).flush()?;
            let mut line = String::new();
            std::io::BufReader::new(&tty).read_line(&mut line)?;
            Ok(line)
        })();
        let _ = restore();
        let mut line = read?;
        while line.ends_with(['\n', '\r']) {
            line.pop();
        }
        Ok(line)
    }

    /// Puts the terminal back as it was before the prompt, if a prompt
    /// changed it (also on the way out after a signal); whether it did.
    pub fn restore() -> bool {
        match SAVED.lock().ok().and_then(|mut slot| slot.take()) {
            Some((tty, saved)) => {
                let _ = termios::tcsetattr(&tty, OptionalActions::Now, &saved);
                true
            }
            None => false,
        }
    }
}

/// Puts the terminal's echo back if a password prompt turned it off: for
/// an exit on a signal in the middle of the prompt. Whether it did (the
/// cursor is then still on the prompt's line).
pub fn restore_terminal() -> bool {
    #[cfg(unix)]
    return hidden::restore();
    #[cfg(not(unix))]
    return false;
}
