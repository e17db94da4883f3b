//! `ftp://` URLs: where to connect, who to log in as, which path.

use std::fmt;

use ftp_proto::Arg;
use percent_encoding::percent_decode_str;
use url::{Host, Url};

use crate::error::{Error, Result};

/// The user name used when a URL names none.
pub const ANONYMOUS_USER: &str = "anonymous";
/// The password sent for anonymous logins, by convention an e-mail-like
/// token.
pub const ANONYMOUS_PASSWORD: &str = "anonymous@";

/// A parsed `ftp://[user[:password]@]host[:port]/path` URL, with every
/// part percent-decoded and checked for CR, LF and NUL.
///
/// As in RFC 1738 and curl, the path is relative to the login directory:
/// `ftp://host/pub/a.txt` names `pub/a.txt`; an absolute path takes an
/// extra slash, `ftp://host//srv/a.txt` (or `%2F`).
///
/// ```
/// use ftp_client::FtpUrl;
/// let url = FtpUrl::parse("ftp://bob:s%40cret@example.net:2121/pub/my%20file.txt")?;
/// assert_eq!((url.host(), url.port()), ("example.net", 2121));
/// assert_eq!((url.user(), url.password()), ("bob", "s@cret"));
/// assert_eq!(url.path(), b"pub/my file.txt");
/// assert_eq!(url.to_string(), "ftp://bob:****@example.net:2121/pub/my%20file.txt");
/// # Ok::<(), ftp_client::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct FtpUrl {
    url: Url,
    host: String,
    port: u16,
    user: String,
    password: String,
    path: Vec<u8>,
}

impl FtpUrl {
    /// Parses and validates `input`.
    pub fn parse(input: &str) -> Result<Self> {
        let url = Url::parse(input)
            .map_err(|e| Error::InvalidUrl(format!("{:?}: {e}", redact_input(input))))?;
        Self::from_url(url)
    }

    /// Validates an already parsed URL.
    pub fn from_url(url: Url) -> Result<Self> {
        let invalid = |why: &str| Error::InvalidUrl(format!("{}: {why}", redact(&url)));
        if url.scheme() != "ftp" {
            return Err(invalid(&format!(
                "unsupported scheme {:?} (only ftp:// is supported)",
                url.scheme()
            )));
        }
        let host = match url.host() {
            Some(Host::Domain("")) | None => return Err(invalid("no host")),
            Some(Host::Domain(d)) => d.to_owned(),
            Some(Host::Ipv4(a)) => a.to_string(),
            Some(Host::Ipv6(a)) => a.to_string(),
        };
        let port = url.port_or_known_default().unwrap_or(21);
        if port == 0 {
            return Err(invalid("port 0"));
        }
        let decode = |what: &'static str, s: &str| -> Result<Vec<u8>> {
            check_escapes(what, s).map_err(|why| invalid(&why))?;
            let bytes: Vec<u8> = percent_decode_str(s).collect();
            Arg::new(bytes.clone()).map_err(|source| Error::InvalidArgument { what, source })?;
            Ok(bytes)
        };
        let text = |what: &'static str, bytes: Vec<u8>| {
            String::from_utf8(bytes).map_err(|_| invalid(&format!("{what} is not UTF-8")))
        };
        let user = text("user name", decode("user name", url.username())?)?;
        let password = text(
            "password",
            decode("password", url.password().unwrap_or(""))?,
        )?;
        let (user, password) = if user.is_empty() {
            (ANONYMOUS_USER.to_owned(), ANONYMOUS_PASSWORD.to_owned())
        } else if url.password().is_none() && user == ANONYMOUS_USER {
            (user, ANONYMOUS_PASSWORD.to_owned())
        } else {
            (user, password)
        };
        let raw_path = url.path().strip_prefix('/').unwrap_or(url.path());
        let path = decode("path", raw_path)?;
        Ok(FtpUrl {
            url,
            host,
            port,
            user,
            password,
            path,
        })
    }

    /// The host name or address (IPv6 without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, 21 unless given.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The user name, `anonymous` unless given.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The password: as given, or the conventional anonymous one.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Whether the URL named a password.
    pub fn has_password(&self) -> bool {
        self.url.password().is_some()
    }

    /// The decoded path, relative to the login directory; empty for the
    /// login directory itself.
    pub fn path(&self) -> &[u8] {
        &self.path
    }

    /// Whether the path names a directory by ending in `/` (or is empty).
    pub fn is_directory(&self) -> bool {
        self.path.is_empty() || self.path.ends_with(b"/")
    }

    /// The last path component, if the path names a file.
    pub fn file_name(&self) -> Option<&[u8]> {
        if self.is_directory() {
            return None;
        }
        let start = self
            .path
            .iter()
            .rposition(|&b| b == b'/')
            .map_or(0, |i| i + 1);
        Some(&self.path[start..])
    }

    /// The same URL with another path (relative to the login directory).
    pub fn with_path(&self, path: &[u8]) -> Result<Self> {
        Arg::new(path.to_vec()).map_err(|source| Error::InvalidArgument {
            what: "path",
            source,
        })?;
        let mut url = self.url.clone();
        let encoded: String = percent_encoding::percent_encode(path, PATH_SET).to_string();
        url.set_path(&format!("/{encoded}"));
        Ok(FtpUrl {
            url,
            path: path.to_vec(),
            ..self.clone()
        })
    }
}

/// Every `%` must start an escape of two hex digits; `url` lets a bad one
/// through unchanged, which would send a name the user did not mean.
fn check_escapes(what: &str, s: &str) -> std::result::Result<(), String> {
    let bytes = s.as_bytes();
    for (i, _) in s.match_indices('%') {
        let hex = bytes.get(i + 1..i + 3);
        if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
            let end = (i + 3).min(s.len());
            return Err(format!(
                "bad percent-escape {:?} in the {what}",
                String::from_utf8_lossy(&bytes[i..end])
            ));
        }
    }
    Ok(())
}

/// Bytes percent-encoded in a path built by [`FtpUrl::with_path`].
const PATH_SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// `input` with the password of its `user:password@` part replaced by
/// `****`, for text that did not even parse as a URL.
fn redact_input(input: &str) -> String {
    let Some(scheme_end) = input.find("://") else {
        return input.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = &input[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => format!(
            "{}{}:****{}",
            &input[..authority_start],
            &authority[..colon],
            &input[authority_start + at..]
        ),
        _ => input.to_owned(),
    }
}

fn redact(url: &Url) -> String {
    let mut shown = url.clone();
    if url.password().is_some() {
        let _ = shown.set_password(Some("****"));
    }
    shown.to_string()
}

/// The URL with its password replaced by `****`.
impl fmt::Display for FtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.url))
    }
}

impl fmt::Debug for FtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FtpUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_paths() {
        let url = FtpUrl::parse("ftp://example.net/").unwrap();
        assert_eq!(url.port(), 21);
        assert_eq!((url.user(), url.password()), ("anonymous", "anonymous@"));
        assert_eq!(url.path(), b"");
        assert!(url.is_directory());
        let url = FtpUrl::parse("ftp://[::1]:2121//srv/a%2Fb").unwrap();
        assert_eq!(url.host(), "::1");
        assert_eq!(url.path(), b"/srv/a/b");
        assert_eq!(url.file_name(), Some(&b"b"[..]));
        let url = FtpUrl::parse("ftp://h/dir/").unwrap();
        assert_eq!(url.file_name(), None);
        assert_eq!(
            url.with_path(b"dir/na me").unwrap().to_string(),
            "ftp://h/dir/na%20me"
        );
    }

    #[test]
    fn refuses_line_breaks_in_any_part() {
        for bad in [
            "ftp://h/a%0d%0aDELE%20b",
            "ftp://h/a%00",
            "ftp://us%0Aer@h/",
            "ftp://u:p%0D@h/",
        ] {
            let err = FtpUrl::parse(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument { .. }), "{bad}: {err}");
        }
    }

    #[test]
    fn refuses_bad_urls_without_showing_the_password() {
        for (bad, why) in [
            ("http://h/", "unsupported scheme"),
            ("ftp://", "empty host"),
            ("ftp://u:secret@/x", "empty host"),
            ("ftp://h:99999/", "invalid port"),
            ("ftp://u:secret@h:0/", "port 0"),
            ("not a url", "relative URL"),
            ("ftp://h/a%zz", "bad percent-escape \"%zz\" in the path"),
            ("ftp://h/a%2", "bad percent-escape \"%2\" in the path"),
        ] {
            let err = FtpUrl::parse(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
            assert!(!err.contains("secret"), "{err}");
        }
    }
}
