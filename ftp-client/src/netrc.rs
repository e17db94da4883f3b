//! `.netrc`: logins kept out of command lines, as ftp(1), curl and lftp
//! read them.
//!
//! ```
//! use ftp_client::Netrc;
//! let netrc = Netrc::parse(
//!     "machine ftp.example.net login alice password s3cret\n\
//!      default login anonymous password guest@\n",
//! )?;
//! let alice = netrc.lookup("FTP.example.net", None).unwrap();
//! assert_eq!((alice.login.as_deref(), alice.password.as_deref()), (Some("alice"), Some("s3cret")));
//! assert_eq!(netrc.lookup("elsewhere", None).unwrap().login.as_deref(), Some("anonymous"));
//! # Ok::<(), ftp_client::NetrcError>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

/// Why a `.netrc` could not be used.
#[derive(Debug, thiserror::Error)]
pub enum NetrcError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Others may read the file, and it holds a password: as ftp(1) does,
    /// it is not used.
    #[error("{path} holds passwords and others may read it (mode {mode:o}); run chmod 600 on it")]
    ReadableByOthers {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A keyword without its value, or a stray word.
    #[error("line {line}: {what}")]
    Syntax {
        /// The line, from 1.
        line: usize,
        /// What is wrong.
        what: String,
    },
}

/// One entry: the login for a machine (or the default one).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct NetrcEntry {
    /// `login`.
    pub login: Option<String>,
    /// `password`.
    pub password: Option<String>,
    /// `account`, for servers that ask for one (ACCT).
    pub account: Option<String>,
}

/// Never shows the password.
impl fmt::Debug for NetrcEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetrcEntry")
            .field("login", &self.login)
            .field("password", &self.password.as_ref().map(|_| "****"))
            .field("account", &self.account.as_ref().map(|_| "****"))
            .finish()
    }
}

/// A parsed `.netrc`: `machine NAME` entries, at most one `default`, and
/// `macdef` macros skipped.
#[derive(Debug, Clone, Default)]
pub struct Netrc {
    machines: Vec<(String, NetrcEntry)>,
    default: Option<NetrcEntry>,
}

impl Netrc {
    /// `$HOME/.netrc`, where ftp(1), curl and lftp look.
    pub fn default_path() -> Option<PathBuf> {
        std::env::var_os("HOME")
            .filter(|home| !home.is_empty())
            .map(|home| Path::new(&home).join(".netrc"))
    }

    /// Reads and parses `path`. On Unix, a file that others may read or
    /// write (mode `& 0o077`) is refused when it holds a password, as
    /// ftp(1) refuses it.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Netrc, NetrcError> {
        let path = path.as_ref();
        let io = |source| NetrcError::Io {
            path: path.to_owned(),
            source,
        };
        let text = std::fs::read(path).map_err(io)?;
        let netrc = Netrc::parse(&String::from_utf8_lossy(&text))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 && netrc.has_password() {
                return Err(NetrcError::ReadableByOthers {
                    path: path.to_owned(),
                    mode,
                });
            }
        }
        Ok(netrc)
    }

    /// Parses the text of a `.netrc`. Tokens are separated by white space;
    /// a token may be double-quoted (with `\"` and `\\` inside), and a `#`
    /// that starts a token starts a comment to the end of the line.
    pub fn parse(text: &str) -> Result<Netrc, NetrcError> {
        let mut netrc = Netrc::default();
        let mut tokens = Tokens::new(text);
        // The entry being filled: a machine's index, or the default.
        let mut current: Option<Option<usize>> = None;
        while let Some((line, token)) = tokens.next_token()? {
            fn value(
                tokens: &mut Tokens<'_>,
                line: usize,
                what: &str,
            ) -> Result<String, NetrcError> {
                match tokens.next_token()? {
                    Some((_, value)) => Ok(value),
                    None => Err(NetrcError::Syntax {
                        line,
                        what: format!("{what} without a value"),
                    }),
                }
            }
            match token.as_str() {
                "machine" => {
                    let name = value(&mut tokens, line, "machine")?;
                    netrc.machines.push((name, NetrcEntry::default()));
                    current = Some(Some(netrc.machines.len() - 1));
                }
                "default" => {
                    netrc.default.get_or_insert_with(NetrcEntry::default);
                    current = Some(None);
                }
                "login" => {
                    let v = value(&mut tokens, line, "login")?;
                    netrc.entry(current, line, &token)?.login = Some(v);
                }
                "password" | "passwd" => {
                    let v = value(&mut tokens, line, "password")?;
                    netrc.entry(current, line, &token)?.password = Some(v);
                }
                "account" => {
                    let v = value(&mut tokens, line, "account")?;
                    netrc.entry(current, line, &token)?.account = Some(v);
                }
                "macdef" => {
                    value(&mut tokens, line, "macdef")?;
                    tokens.skip_macro();
                }
                other => {
                    return Err(NetrcError::Syntax {
                        line,
                        what: format!("unknown keyword {other:?}"),
                    });
                }
            }
        }
        Ok(netrc)
    }

    /// The entry for `host` (compared without regard to case): the first
    /// `machine` entry for it whose login is `login` when one is given,
    /// else the `default` entry (when its login fits too).
    pub fn lookup(&self, host: &str, login: Option<&str>) -> Option<&NetrcEntry> {
        let fits = |entry: &NetrcEntry| match (login, entry.login.as_deref()) {
            (Some(wanted), Some(have)) => wanted == have,
            _ => true,
        };
        self.machines
            .iter()
            .find(|(name, entry)| name.eq_ignore_ascii_case(host) && fits(entry))
            .map(|(_, entry)| entry)
            .or(self.default.as_ref().filter(|entry| fits(entry)))
    }

    /// The entry being filled: a machine's (by index) or the default.
    fn entry(
        &mut self,
        current: Option<Option<usize>>,
        line: usize,
        token: &str,
    ) -> Result<&mut NetrcEntry, NetrcError> {
        match current {
            Some(Some(i)) => Ok(&mut self.machines[i].1),
            Some(None) => Ok(self.default.get_or_insert_with(NetrcEntry::default)),
            None => Err(NetrcError::Syntax {
                line,
                what: format!("{token:?} before any machine or default"),
            }),
        }
    }

    fn has_password(&self) -> bool {
        self.machines
            .iter()
            .map(|(_, entry)| entry)
            .chain(self.default.as_ref())
            .any(|entry| entry.password.is_some())
    }
}

/// Splits a `.netrc` into tokens, tracking lines.
struct Tokens<'a> {
    rest: &'a str,
    line: usize,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Self {
        Tokens {
            rest: text,
            line: 1,
        }
    }

    fn advance(&mut self, n: usize) {
        self.line += self.rest[..n].matches('\n').count();
        self.rest = &self.rest[n..];
    }

    /// The next token and its line.
    fn next_token(&mut self) -> Result<Option<(usize, String)>, NetrcError> {
        loop {
            let skip = self.rest.len() - self.rest.trim_start().len();
            self.advance(skip);
            if self.rest.starts_with('#') {
                let end = self.rest.find('\n').unwrap_or(self.rest.len());
                self.advance(end);
                continue;
            }
            break;
        }
        if self.rest.is_empty() {
            return Ok(None);
        }
        let line = self.line;
        if let Some(quoted) = self.rest.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        self.advance(i + 2);
                        return Ok(Some((line, value)));
                    }
                    '\\' => match chars.next() {
                        Some((_, 'n')) => value.push('\n'),
                        Some((_, 'r')) => value.push('\r'),
                        Some((_, 't')) => value.push('\t'),
                        Some((_, other)) => value.push(other),
                        None => break,
                    },
                    c => value.push(c),
                }
            }
            return Err(NetrcError::Syntax {
                line,
                what: "a quoted token without its closing quote".to_owned(),
            });
        }
        let end = self
            .rest
            .find(char::is_whitespace)
            .unwrap_or(self.rest.len());
        let token = self.rest[..end].to_owned();
        self.advance(end);
        Ok(Some((line, token)))
    }

    /// Skips a macro's body: up to and including the first empty line.
    fn skip_macro(&mut self) {
        let end = self.rest.find("\n\n").map_or(self.rest.len(), |i| i + 2);
        self.advance(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machines_default_macros_quotes_and_comments() {
        let netrc = Netrc::parse(
            "# my logins\n\
             machine a.example login alice password \"p a\\\"ss\"\n\
             macdef init\ncd /pub\nbinary\n\n\
             machine a.example login bob password b0b account acct\n\
             default login anonymous password guest@\n",
        )
        .unwrap();
        let alice = netrc.lookup("a.example", None).unwrap();
        assert_eq!(alice.password.as_deref(), Some("p a\"ss"));
        let bob = netrc.lookup("A.EXAMPLE", Some("bob")).unwrap();
        assert_eq!(
            (bob.password.as_deref(), bob.account.as_deref()),
            (Some("b0b"), Some("acct"))
        );
        assert_eq!(
            netrc.lookup("b.example", None).unwrap().login.as_deref(),
            Some("anonymous")
        );
        // A login the file does not have for that host: not even the default.
        assert!(netrc.lookup("a.example", Some("carol")).is_none());
        assert!(!format!("{alice:?}").contains("p a"));
    }

    #[test]
    fn errors_name_the_line() {
        for (text, line, what) in [
            ("machine", 1, "machine without a value"),
            ("machine h\nlogin", 2, "login without a value"),
            ("login x", 1, "before any machine"),
            ("machine h\nfoo bar", 2, "unknown keyword"),
            ("machine h password \"open", 1, "closing quote"),
        ] {
            match Netrc::parse(text) {
                Err(NetrcError::Syntax { line: l, what: w }) => {
                    assert_eq!(l, line, "{text:?}");
                    assert!(w.contains(what), "{text:?}: {w}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_may_read_is_refused_when_it_holds_a_password() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile_dir();
        let path = dir.join("netrc");
        std::fs::write(&path, "machine h login u password p\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Netrc::from_file(&path).unwrap_err();
        assert!(
            matches!(err, NetrcError::ReadableByOthers { mode: 0o644, .. }),
            "{err}"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(Netrc::from_file(&path).unwrap().lookup("h", None).is_some());
        // Without a password, the mode does not matter.
        std::fs::write(&path, "machine h login u\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(Netrc::from_file(&path).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("netrc-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
