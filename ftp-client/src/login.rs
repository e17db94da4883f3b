//! [`Credentials`]: who a URL logs in as, when the URL does not say it
//! all, from the sources a command-line tool has.
//!
//! The first source that has it wins, for the user and the password each:
//!
//! 1. the URL (`ftp://user:password@host/`);
//! 2. a user (and password) given beside it ([`Credentials::user`], as
//!    curl's `-u USER[:PASSWORD]`);
//! 3. a password from the environment ([`Credentials::env_password`]),
//!    for a named user;
//! 4. `.netrc` ([`Credentials::netrc`]): the entry for the host (and the
//!    user, once known), else `default`;
//! 5. anonymous (`anonymous`, password `anonymous@`), or for a named user
//!    without a password, the answer to [`Credentials::prompt`] (an empty
//!    password where no one can be asked).

use std::path::PathBuf;

use crate::error::Error;
use crate::netrc::{Netrc, NetrcError};
use crate::url::{ANONYMOUS_PASSWORD, ANONYMOUS_USER, FtpUrl};

/// Where `.netrc` logins come from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum NetrcSource {
    /// `$HOME/.netrc`, if there is one; an unusable one is warned about
    /// and skipped.
    #[default]
    Default,
    /// A file named explicitly: it must be usable (one that others may
    /// read is warned about and skipped, as ftp(1) does).
    File(PathBuf),
    /// No `.netrc`.
    Off,
}

/// Why no login could be settled on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoginError {
    /// A `.netrc` named explicitly that cannot be used.
    #[error("{0}")]
    Netrc(NetrcError),
    /// The password prompt failed.
    #[error("reading the password: {0}")]
    Prompt(std::io::Error),
    /// A user or password with CR, LF or NUL.
    #[error("{0}")]
    Invalid(Error),
}

/// The sources of a login beside the URL; [`Credentials::resolve`] puts
/// the first that has it into the URL.
///
/// ```
/// use ftp_client::{Credentials, FtpUrl, NetrcSource};
///
/// let sources = Credentials {
///     user: Some(("alice".to_owned(), None)),
///     env_password: Some("s3cret".to_owned()),
///     netrc: NetrcSource::Off,
///     prompt: &|_, _| None,
///     warn: &|warning| eprintln!("{warning}"),
/// };
/// let url = sources.resolve(&FtpUrl::parse("ftp://ftp.example.org/pub/")?)?;
/// assert_eq!((url.user(), url.password()), ("alice", "s3cret"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Credentials<'a> {
    /// A user, and its password if given, beside the URL.
    pub user: Option<(String, Option<String>)>,
    /// A password from the environment, for a named user.
    pub env_password: Option<String>,
    /// Where `.netrc` logins come from.
    pub netrc: NetrcSource,
    /// Asks for the password of `user@host` (without echo, say); `None`
    /// when no one can be asked.
    pub prompt: &'a dyn Fn(&str, &str) -> Option<std::io::Result<String>>,
    /// Warnings for the user (an unusable `.netrc` skipped).
    pub warn: &'a dyn Fn(&str),
}

impl std::fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user.as_ref().map(|(user, _)| user))
            .field("netrc", &self.netrc)
            .finish_non_exhaustive()
    }
}

impl Credentials<'_> {
    fn netrc(&self) -> Result<Option<Netrc>, LoginError> {
        match &self.netrc {
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

    /// `url` with the user and password the sources give, in their order.
    pub fn resolve(&self, url: &FtpUrl) -> Result<FtpUrl, LoginError> {
        if url.has_password() {
            return Ok(url.clone());
        }
        let flag = self.user.as_ref();
        let mut user = if url.has_user() {
            Some(url.user().to_owned())
        } else {
            flag.map(|(user, _)| user.clone())
        };
        // The password given beside the URL goes with its user only.
        let mut password = match (flag, &user) {
            (Some((flag_user, Some(password))), Some(user)) if flag_user == user => {
                Some(password.clone())
            }
            _ => None,
        };
        if password.is_none() && user.is_some() {
            password = self.env_password.clone();
        }
        if password.is_none() {
            if let Some(netrc) = self.netrc()? {
                if let Some(entry) = netrc.lookup(url.host(), user.as_deref()) {
                    if user.is_none() {
                        user = entry.login.clone();
                    }
                    password = entry.password.clone();
                }
            }
        }
        let (user, password) = self.settle(url, user, password)?;
        url.with_login(&user, &password)
            .map_err(LoginError::Invalid)
    }

    /// The login once every source was asked: anonymous, or the prompt's
    /// answer for a named user without a password.
    fn settle(
        &self,
        url: &FtpUrl,
        user: Option<String>,
        password: Option<String>,
    ) -> Result<(String, String), LoginError> {
        Ok(match (user, password) {
            (None, _) => (ANONYMOUS_USER.to_owned(), ANONYMOUS_PASSWORD.to_owned()),
            (Some(user), Some(password)) => (user, password),
            (Some(user), None) if user == ANONYMOUS_USER => (user, ANONYMOUS_PASSWORD.to_owned()),
            (Some(user), None) => match (self.prompt)(&user, url.host()) {
                Some(answer) => {
                    let password = answer.map_err(LoginError::Prompt)?;
                    (user, password)
                }
                // No one to ask: the server judges an empty password.
                None => (user, String::new()),
            },
        })
    }
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
        let dir = tempfile::tempdir().unwrap();
        let netrc_source = match netrc {
            Some(text) => {
                let path = dir.path().join("netrc");
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
        let warnings = RefCell::new(Vec::new());
        let prompt = |_: &str, _: &str| tty_answer.map(|a| Ok(a.to_owned()));
        let warn = |w: &str| warnings.borrow_mut().push(w.to_owned());
        let sources = Credentials {
            user: user_flag.map(|value| match value.split_once(':') {
                Some((user, password)) => (user.to_owned(), Some(password.to_owned())),
                None => (value.to_owned(), None),
            }),
            env_password: env.map(str::to_owned),
            netrc: netrc_source,
            prompt: &prompt,
            warn: &warn,
        };
        let url = sources.resolve(&FtpUrl::parse(url).unwrap()).unwrap();
        (
            url.user().to_owned(),
            url.password().to_owned(),
            warnings.into_inner(),
        )
    }

    const NETRC: &str = "machine h login nu password np\ndefault login du password dp\n";

    /// URL, -u, FTP_PASSWORD, .netrc, typed at the prompt; the login.
    type Case<'a> = (
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        (&'a str, &'a str),
    );

    fn check(cases: &[Case]) {
        for (url, flag, env, netrc, tty, (user, password)) in cases {
            let (u, p, _) = resolve_with(url, *flag, *env, *netrc, *tty);
            assert_eq!(
                (u.as_str(), p.as_str()),
                (*user, *password),
                "{url} {flag:?} {env:?}"
            );
        }
    }

    #[test]
    fn the_url_then_the_user_given_then_the_environment_win() {
        check(&[
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
        ]);
    }

    #[test]
    fn then_netrc_then_the_prompt_or_anonymous() {
        check(&[
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
        ]);
    }

    #[cfg(unix)]
    #[test]
    fn a_netrc_others_may_read_is_refused_with_a_warning() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("netrc");
        std::fs::write(&path, NETRC).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let warnings = RefCell::new(Vec::new());
        let warn = |w: &str| warnings.borrow_mut().push(w.to_owned());
        let sources = Credentials {
            user: None,
            env_password: None,
            netrc: NetrcSource::File(path),
            prompt: &|_, _| None,
            warn: &warn,
        };
        let url = sources
            .resolve(&FtpUrl::parse("ftp://h/").unwrap())
            .unwrap();
        assert_eq!(url.user(), "anonymous");
        let warnings = warnings.into_inner();
        assert!(warnings[0].contains("others may read it"), "{warnings:?}");
        assert!(!warnings[0].contains("np"));
    }
}
