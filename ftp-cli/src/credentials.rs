//! Who to log in as, with the password kept off the command line.
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
use std::path::PathBuf;

use ftp_client::{ANONYMOUS_PASSWORD, ANONYMOUS_USER, FtpUrl, Netrc, NetrcError};

/// The environment variable that may hold the password.
pub const PASSWORD_VARIABLE: &str = "FTP_PASSWORD";

/// Where `.netrc` logins come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetrcSource {
    /// `$HOME/.netrc`, if there is one.
    Default,
    /// A file named with `--netrc-file`: it must be usable.
    File(PathBuf),
    /// `--no-netrc`.
    Off,
}

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
}

/// Why no login could be settled on.
#[derive(Debug)]
pub enum LoginError {
    /// A `.netrc` named on the command line that cannot be used.
    Netrc(NetrcError),
    /// The password prompt failed.
    Prompt(std::io::Error),
    /// A user or password with CR, LF or NUL.
    Invalid(ftp_client::Error),
}

impl std::fmt::Display for LoginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoginError::Netrc(e) => write!(f, "{e}"),
            LoginError::Prompt(e) => write!(f, "reading the password: {e}"),
            LoginError::Invalid(e) => write!(f, "{e}"),
        }
    }
}

/// What the sources other than the URL hold, gathered once.
pub struct Sources<'a> {
    pub options: &'a LoginOptions,
    /// The value of [`PASSWORD_VARIABLE`], if set.
    pub env_password: Option<String>,
    /// Asks for the password of `user@host`, without echo; `None` when
    /// standard input is no terminal.
    pub prompt: &'a dyn Fn(&str, &str) -> Option<std::io::Result<String>>,
    /// Warnings for the user (an unusable default `.netrc`).
    pub warn: &'a dyn Fn(&str),
}

impl Sources<'_> {
    fn netrc(&self) -> Result<Option<Netrc>, LoginError> {
        match &self.options.netrc {
            NetrcSource::Off => Ok(None),
            NetrcSource::File(path) => match Netrc::from_file(path) {
                Ok(netrc) => Ok(Some(netrc)),
                // As ftp(1): a file others may read is not used.
                Err(e @ NetrcError::ReadableByOthers { .. }) => {
                    (self.warn)(&format!("warning: {e}; not using it"));
                    Ok(None)
                }
                Err(e) => Err(LoginError::Netrc(e)),
            },
            NetrcSource::Default => {
                let Some(path) = Netrc::default_path().filter(|p| p.exists()) else {
                    return Ok(None);
                };
                match Netrc::from_file(&path) {
                    Ok(netrc) => Ok(Some(netrc)),
                    Err(e) => {
                        (self.warn)(&format!("warning: {e}; not using it"));
                        Ok(None)
                    }
                }
            }
        }
    }
}

/// `url` with the user and password the sources give, in their order.
pub fn resolve(url: &FtpUrl, sources: &Sources<'_>) -> Result<FtpUrl, LoginError> {
    if url.has_password() {
        return Ok(url.clone());
    }
    let flag = sources.options.user.as_ref();
    let mut user = if url.has_user() {
        Some(url.user().to_owned())
    } else {
        flag.map(|(user, _)| user.clone())
    };
    // -u's password goes with -u's user only.
    let mut password = match (flag, &user) {
        (Some((flag_user, Some(password))), Some(user)) if flag_user == user => {
            Some(password.clone())
        }
        _ => None,
    };
    if password.is_none() && user.is_some() {
        password = sources.env_password.clone();
    }
    if password.is_none() {
        if let Some(netrc) = sources.netrc()? {
            if let Some(entry) = netrc.lookup(url.host(), user.as_deref()) {
                if user.is_none() {
                    user = entry.login.clone();
                }
                password = entry.password.clone();
            }
        }
    }
    let (user, password) = match (user, password) {
        (None, _) => (ANONYMOUS_USER.to_owned(), ANONYMOUS_PASSWORD.to_owned()),
        (Some(user), Some(password)) => (user, password),
        (Some(user), None) if user == ANONYMOUS_USER => (user, ANONYMOUS_PASSWORD.to_owned()),
        (Some(user), None) => match (sources.prompt)(&user, url.host()) {
            Some(answer) => {
                let password = answer.map_err(LoginError::Prompt)?;
                (user, password)
            }
            // No terminal to ask at: the server judges an empty password.
            None => (user, String::new()),
        },
    };
    url.with_login(&user, &password)
        .map_err(LoginError::Invalid)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn resolve_with(
        url: &str,
        user_flag: Option<&str>,
        env: Option<&str>,
        netrc: Option<&str>,
        tty_answer: Option<&str>,
    ) -> (String, String, Vec<String>) {
        let dir = std::env::temp_dir().join(format!(
            "ftp-cli-credentials-{}-{}",
            std::process::id(),
            COUNTER.with(|c| {
                *c.borrow_mut() += 1;
                *c.borrow()
            })
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let netrc_source = match netrc {
            Some(text) => {
                let path = dir.join("netrc");
                std::fs::write(&path, text).unwrap();
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                        .unwrap();
                }
                NetrcSource::File(path)
            }
            None => NetrcSource::Off,
        };
        let options = LoginOptions {
            user: user_flag.map(LoginOptions::parse_user),
            netrc: netrc_source,
        };
        let warnings = RefCell::new(Vec::new());
        let prompt = |_: &str, _: &str| tty_answer.map(|a| Ok(a.to_owned()));
        let warn = |w: &str| warnings.borrow_mut().push(w.to_owned());
        let sources = Sources {
            options: &options,
            env_password: env.map(str::to_owned),
            prompt: &prompt,
            warn: &warn,
        };
        let url = resolve(&FtpUrl::parse(url).unwrap(), &sources).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        (
            url.user().to_owned(),
            url.password().to_owned(),
            warnings.into_inner(),
        )
    }

    thread_local!(static COUNTER: RefCell<u32> = const { RefCell::new(0) });

    const NETRC: &str = "machine h login nu password np\ndefault login du password dp\n";

    #[test]
    fn the_first_source_that_has_it_wins() {
        /// URL, -u, FTP_PASSWORD, .netrc, typed at the prompt; the login.
        type Case<'a> = (
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            (&'a str, &'a str),
        );
        let cases: &[Case] = &[
            // URL user and password beat everything.
            (
                "ftp://a:b@h/",
                Some("u:p"),
                Some("e"),
                Some(NETRC),
                None,
                ("a", "b"),
            ),
            // URL user: -u's password is for -u's user only; then env.
            (
                "ftp://a@h/",
                Some("u:p"),
                Some("e"),
                Some(NETRC),
                None,
                ("a", "e"),
            ),
            // -u with a password.
            (
                "ftp://h/",
                Some("u:p"),
                Some("e"),
                Some(NETRC),
                None,
                ("u", "p"),
            ),
            // -u without: the environment.
            (
                "ftp://h/",
                Some("u"),
                Some("e"),
                Some(NETRC),
                None,
                ("u", "e"),
            ),
            // -u without, no environment: netrc for that user (none: the
            // default entry is for another user), then the prompt.
            (
                "ftp://h/",
                Some("u"),
                None,
                Some(NETRC),
                Some("typed"),
                ("u", "typed"),
            ),
            (
                "ftp://h/",
                Some("nu"),
                None,
                Some(NETRC),
                None,
                ("nu", "np"),
            ),
            // Nothing on the command line: netrc's machine, then default.
            ("ftp://h/", None, None, Some(NETRC), None, ("nu", "np")),
            ("ftp://other/", None, None, Some(NETRC), None, ("du", "dp")),
            // The environment alone names no user: anonymous.
            (
                "ftp://other/",
                None,
                Some("e"),
                None,
                None,
                ("anonymous", "anonymous@"),
            ),
            // A named user, no password anywhere, no terminal: empty.
            ("ftp://a@h/", None, None, None, None, ("a", "")),
            (
                "ftp://anonymous@h/",
                None,
                None,
                None,
                None,
                ("anonymous", "anonymous@"),
            ),
        ];
        for (url, flag, env, netrc, tty, (user, password)) in cases {
            let (u, p, _) = resolve_with(url, *flag, *env, *netrc, *tty);
            assert_eq!(
                (u.as_str(), p.as_str()),
                (*user, *password),
                "{url} {flag:?} {env:?}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_netrc_others_may_read_is_refused_with_a_warning() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("ftp-cli-netrc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("netrc");
        std::fs::write(&path, NETRC).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let options = LoginOptions {
            user: None,
            netrc: NetrcSource::File(path),
        };
        let warnings = RefCell::new(Vec::new());
        let warn = |w: &str| warnings.borrow_mut().push(w.to_owned());
        let sources = Sources {
            options: &options,
            env_password: None,
            prompt: &|_, _| None,
            warn: &warn,
        };
        let url = resolve(&FtpUrl::parse("ftp://h/").unwrap(), &sources).unwrap();
        assert_eq!(url.user(), "anonymous");
        let warnings = warnings.into_inner();
        assert!(warnings[0].contains("others may read it"), "{warnings:?}");
        assert!(!warnings[0].contains("np"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
