//! `ftp://`, `ftps://` and `ftpes://` URLs: where to connect, how, who to
//! log in as, which path.
//!
//! The parser is strict on purpose. A general URL library follows the
//! WHATWG URL standard, which repairs what it is given: it drops tabs and
//! line breaks, turns `\` into `/`, resolves `..`, reads `127.1` as
//! `127.0.0.1` and `ftp:///x` as host `x`. For a tool that deletes what a URL
//! names, a repaired URL is a different file. Here a URL means what it says
//! under RFC 3986 and RFC 1738, or it is refused with the reason.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use ftp_proto::{Password, TlsMode};
use percent_encoding::percent_decode_str;

use crate::error::{Error, Result};

/// The user name used when a URL names none.
pub const ANONYMOUS_USER: &str = "anonymous";
/// The password sent for anonymous logins, by convention an e-mail-like
/// token.
pub const ANONYMOUS_PASSWORD: &str = "anonymous@";

/// A parsed `ftp://[user[:password]@]host[:port]/path` URL, with every
/// part percent-decoded and checked for CR, LF and NUL.
///
/// Three schemes, as in curl, lftp and FileZilla:
///
/// - `ftp://` — plain FTP, port 21 (or TLS if the
///   [`Config`](crate::Config) asks for it);
/// - `ftps://` — implicit TLS: TLS from the first byte, port 990;
/// - `ftpes://` — explicit TLS, required: `AUTH TLS` on port 21.
///
/// ```
/// use ftp_client::{FtpUrl, TlsMode};
/// let url = FtpUrl::parse("ftps://files.example.net/a.txt")?;
/// assert_eq!((url.tls(), url.port()), (TlsMode::Implicit, 990));
/// let url = FtpUrl::parse("FTPES://files.example.net/a.txt")?;
/// assert_eq!((url.tls(), url.port()), (TlsMode::Explicit, 21));
/// # Ok::<(), ftp_client::Error>(())
/// ```
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
///
/// The path reaches the server exactly as percent-decoded from the input;
/// nothing is rewritten. What a lenient parser would repair is refused
/// instead, each with a message saying what to write:
///
/// - a raw control character, space or backslash anywhere, leading and
///   trailing ones included (percent-encode them: `%20`, `%5C`);
/// - a raw `?` or `#`, which would start a query or fragment and cut the
///   path short (`%3F`, `%23`);
/// - an empty host (`ftp:///x`), a second `@` (`%40`), an IPv6 address
///   without brackets, a port that is not a number from 1 to 65535;
/// - a numeric host that is not four decimal numbers (`127.1`,
///   `0x7f.0.0.1`, `2130706433`), which resolvers read in surprising ways;
/// - a host that is not ASCII (write its `xn--` form);
/// - `.` and `..` path segments, `%2e` forms included: they are neither
///   resolved here nor sent, since servers differ on what they mean.
///
/// The scheme and host are case-insensitive (RFC 3986, section 6.2.2.1);
/// the path is not. A `;type=` suffix (RFC 1738) is not interpreted: it is
/// part of the name, as every other character.
///
/// ```
/// use ftp_client::FtpUrl;
/// for repaired_elsewhere in ["ftp://h/a\nb", "ftp:///x", "ftp://h/a/../b", "ftp://h\\x"] {
///     assert!(FtpUrl::parse(repaired_elsewhere).is_err());
/// }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct FtpUrl {
    tls: TlsMode,
    host: String,
    port: u16,
    user: String,
    password: String,
    has_user: bool,
    has_password: bool,
    path: Vec<u8>,
    /// The URL as typed, password masked, for messages.
    shown: String,
}

impl FtpUrl {
    /// Parses and validates `input`; see the type's documentation for what
    /// is refused.
    pub fn parse(input: &str) -> Result<Self> {
        let invalid = |why: String| Error::InvalidUrl(format!("{}: {why}", redact_invalid(input)));
        check_characters(input).map_err(invalid)?;
        let (scheme, rest) = input
            .split_once("://")
            .ok_or_else(|| invalid("expected ftp://host/path".to_owned()))?;
        let (tls, default_port) = if scheme.eq_ignore_ascii_case("ftp") {
            (TlsMode::Plain, 21)
        } else if scheme.eq_ignore_ascii_case("ftps") {
            (TlsMode::Implicit, 990)
        } else if scheme.eq_ignore_ascii_case("ftpes") {
            (TlsMode::Explicit, 21)
        } else {
            return Err(invalid(format!(
                "unsupported scheme {scheme:?} (ftp://, ftps:// and ftpes:// are supported)"
            )));
        };
        let (authority, raw_path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((userinfo, _)) if userinfo.contains('@') => {
                return Err(invalid(
                    "more than one '@'; write %40 for an '@' in a user name or password".to_owned(),
                ));
            }
            Some((userinfo, hostport)) => (Some(userinfo), hostport),
            None => (None, authority),
        };
        let (host, port) = host_and_port(hostport, default_port).map_err(invalid)?;

        let (raw_user, raw_password) = match userinfo {
            Some(userinfo) => match userinfo.split_once(':') {
                Some((user, password)) => (user, Some(password)),
                None => (userinfo, None),
            },
            None => ("", None),
        };
        let text = |what: &'static str, raw: &str| -> Result<String> {
            let bytes = decode(what, raw).map_err(invalid)?;
            arg(what, &bytes)?;
            String::from_utf8(bytes).map_err(|_| invalid(format!("the {what} is not UTF-8")))
        };
        let user = text("user name", raw_user)?;
        let password = text("password", raw_password.unwrap_or(""))?;
        let has_password = raw_password.is_some();
        let has_user = !user.is_empty();
        let (user, password) = if user.is_empty() {
            if has_password {
                return Err(invalid("a password without a user name".to_owned()));
            }
            (ANONYMOUS_USER.to_owned(), ANONYMOUS_PASSWORD.to_owned())
        } else if !has_password && user == ANONYMOUS_USER {
            (user, ANONYMOUS_PASSWORD.to_owned())
        } else {
            (user, password)
        };

        // The '/' after the authority only separates it from the path.
        let raw_path = raw_path.strip_prefix('/').unwrap_or(raw_path);
        let path = decode("path", raw_path).map_err(invalid)?;
        arg("path", &path)?;
        check_segments(&path).map_err(invalid)?;

        Ok(FtpUrl {
            tls,
            host,
            port,
            user,
            password,
            has_user,
            has_password,
            path,
            shown: redact(input),
        })
    }

    /// The TLS mode the scheme asks for: [`TlsMode::Plain`] for `ftp://`
    /// (where [`Config::tls`](crate::Config::tls) decides),
    /// [`TlsMode::Implicit`] for `ftps://`, [`TlsMode::Explicit`] for
    /// `ftpes://`.
    pub fn tls(&self) -> TlsMode {
        self.tls
    }

    /// The host name or address (IPv6 without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port: 21 unless given (990 for `ftps://`).
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
        self.has_password
    }

    /// Whether the URL named a user.
    pub fn has_user(&self) -> bool {
        self.has_user
    }

    /// The same URL logging in as `user` with `password`, found elsewhere
    /// than in the URL (a `.netrc`, a prompt). The URL as shown stays as
    /// typed, so the password never appears in it.
    ///
    /// ```
    /// use ftp_client::FtpUrl;
    /// let url = FtpUrl::parse("ftp://example.net/pub/")?.with_login("alice", "s3cret")?;
    /// assert_eq!((url.user(), url.password()), ("alice", "s3cret"));
    /// assert_eq!(url.to_string(), "ftp://example.net/pub/");
    /// # Ok::<(), ftp_client::Error>(())
    /// ```
    pub fn with_login(&self, user: &str, password: &str) -> Result<Self> {
        for (what, value) in [("user name", user), ("password", password)] {
            arg(what, value.as_bytes())?;
        }
        Ok(FtpUrl {
            user: user.to_owned(),
            password: password.to_owned(),
            has_user: true,
            has_password: true,
            ..self.clone()
        })
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
        arg("path", path)?;
        // `shown` is a valid URL: its authority ends at the first '/'.
        let authority_end = self
            .shown
            .find("://")
            .map(|i| i + 3)
            .map(|start| {
                let rest = &self.shown[start..];
                start + rest.find('/').unwrap_or(rest.len())
            })
            .unwrap_or(self.shown.len());
        let encoded = percent_encoding::percent_encode(path, PATH_SET);
        Ok(FtpUrl {
            path: path.to_vec(),
            shown: format!("{}/{encoded}", &self.shown[..authority_end]),
            ..self.clone()
        })
    }
}

/// Refuses the characters that a lenient parser drops or reinterprets.
fn check_characters(input: &str) -> std::result::Result<(), String> {
    for (at, c) in input.char_indices() {
        let (what, hint) = match c {
            ' ' => ("a space", "write %20 in a name"),
            '\t' => ("a tab", "write %09 in a name"),
            '\n' | '\r' => ("a line break", "a name cannot hold one"),
            '\\' => (
                "a backslash",
                "write / between directories, or %5C in a name",
            ),
            '?' => ("a '?', which would start a query", "write %3F in a name"),
            '#' => ("a '#', which would start a fragment", "write %23 in a name"),
            c if c.is_control() => ("a control character", "a URL cannot hold one"),
            _ => continue,
        };
        let edge = if at == 0 {
            " (its start)"
        } else if at + c.len_utf8() == input.len() {
            " (its end)"
        } else {
            ""
        };
        return Err(format!("{what} at byte {at}{edge}; {hint}"));
    }
    Ok(())
}

/// Splits `host[:port]`, `[v6]`, `[v6]:port`; checks each part.
fn host_and_port(hostport: &str, default_port: u16) -> std::result::Result<(String, u16), String> {
    let (host, port) = if let Some(bracketed) = hostport.strip_prefix('[') {
        let (inside, after) = bracketed
            .split_once(']')
            .ok_or("an IPv6 address without its closing ']'")?;
        let address: Ipv6Addr = inside
            .parse()
            .map_err(|_| "the address in brackets is not an IPv6 address".to_owned())?;
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or("text after the IPv6 address")?,
            ),
        };
        (address.to_string(), port)
    } else {
        let (host, port) = match hostport.split_once(':') {
            Some((_, port)) if port.contains(':') => {
                return Err(
                    "more than one ':' in the host; write IPv6 addresses in brackets, \
                            as in ftp://[::1]/"
                        .to_owned(),
                );
            }
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        };
        check_host_name(host)?;
        (host.to_owned(), port)
    };
    let port = match port {
        // RFC 3986: an empty port is the default one.
        None | Some("") => default_port,
        Some(digits) => match digits.parse::<u16>() {
            Ok(port) if port > 0 && digits.bytes().all(|b| b.is_ascii_digit()) => port,
            // Not quoted: in a malformed URL it may be part of a password.
            _ => return Err("invalid port (a number from 1 to 65535)".to_owned()),
        },
    };
    Ok((host, port))
}

fn check_host_name(host: &str) -> std::result::Result<(), String> {
    if host.is_empty() {
        return Err("no host (ftp:///path is not a URL with a host)".to_owned());
    }
    if let Some(c) = host
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')))
    {
        return Err(if c.is_ascii() {
            format!("the host holds a {c:?}")
        } else {
            "the host is not ASCII; write an internationalized name in its xn-- form".to_owned()
        });
    }
    // A host whose last label is a number is an IPv4 address to a URL
    // parser and to the C resolver, which also accept shorthand (127.1),
    // octal (0177.0.0.1) and hex (0x7f.1): only the usual form is taken.
    let last_label = host.trim_end_matches('.').rsplit('.').next().unwrap_or("");
    let numeric = !last_label.is_empty()
        && (last_label.bytes().all(|b| b.is_ascii_digit())
            || last_label.starts_with("0x")
            || last_label.starts_with("0X"));
    if numeric && host.parse::<Ipv4Addr>().is_err() {
        return Err(
            "the host is not an IPv4 address in the usual form (four numbers 0-255, \
                    as in 127.0.0.1)"
                .to_owned(),
        );
    }
    Ok(())
}

/// Percent-decodes `raw`; every `%` must start an escape of two hex digits.
fn decode(what: &str, raw: &str) -> std::result::Result<Vec<u8>, String> {
    let bytes = raw.as_bytes();
    for (i, _) in raw.match_indices('%') {
        let hex = bytes.get(i + 1..i + 3);
        if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
            let end = (i + 3).min(raw.len());
            return Err(format!(
                "bad percent-escape {:?} in the {what}",
                String::from_utf8_lossy(&bytes[i..end])
            ));
        }
    }
    Ok(percent_decode_str(raw).collect())
}

/// Refuses `.` and `..` segments of a decoded path.
fn check_segments(path: &[u8]) -> std::result::Result<(), String> {
    match path
        .split(|&b| b == b'/')
        .find(|s| *s == b"." || *s == b"..")
    {
        Some(segment) => Err(format!(
            "the path holds a {:?} segment, which is not resolved; name the directory \
             itself (an absolute path starts with a second slash: ftp://host//srv/file)",
            String::from_utf8_lossy(segment)
        )),
        None => Ok(()),
    }
}

/// Refuses CR, LF and NUL in a part of the URL. An empty part is allowed
/// here (the login directory's path, an empty password): the operation
/// that uses it decides whether it needs an argument.
fn arg(what: &'static str, bytes: &[u8]) -> Result<()> {
    Password::new(bytes.to_vec())
        .map(drop)
        .map_err(|source| Error::InvalidArgument { what, source })
}

/// Bytes percent-encoded in a path built by [`FtpUrl::with_path`]: all but
/// RFC 3986's unreserved characters, sub-delimiters, `:`, `@` and `/`.
const PATH_SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@')
    .remove(b'/');

/// Text that is not a valid URL, for a one-line error message: control
/// characters escaped (`\n`), and everything from the first `:` after
/// `://` to the last `@` masked, since where a password ends in a malformed
/// URL is anyone's guess.
fn redact_invalid(input: &str) -> String {
    let masked = match input.find("://") {
        Some(scheme_end) => {
            let start = scheme_end + 3;
            match (input[start..].find(':'), input[start..].rfind('@')) {
                (Some(colon), Some(at)) if colon < at => format!(
                    "{}****{}",
                    &input[..start + colon + 1],
                    &input[start + at..]
                ),
                _ => input.to_owned(),
            }
        }
        None => input.to_owned(),
    };
    masked
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A valid URL with the password of its `user:password@` part replaced by
/// `****`.
fn redact(input: &str) -> String {
    let Some(scheme_end) = input.find("://") else {
        return input.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = &input[authority_start..];
    let authority_len = rest.find('/').unwrap_or(rest.len());
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

/// The URL as typed, with its password replaced by `****`.
impl fmt::Display for FtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
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
            url.with_path(b"dir/na me#1?").unwrap().to_string(),
            "ftp://h/dir/na%20me%231%3F"
        );
        let url = FtpUrl::parse("ftp://u:p@h:2121").unwrap();
        assert_eq!(url.path(), b"");
        assert_eq!(
            url.with_path(b"x").unwrap().to_string(),
            "ftp://u:****@h:2121/x"
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
            ("ftp://", "no host"),
            ("ftp://u:secret@/x", "no host"),
            ("ftp://h:99999/", "invalid port"),
            ("ftp://u:secret@h:0/", "invalid port"),
            ("ftp://u:secret@h:+21/", "invalid port"),
            ("not a url", "a space"),
            ("ftp:/h/x", "expected ftp://"),
            ("ftp://h/a%zz", "bad percent-escape \"%zz\" in the path"),
            ("ftp://h/a%2", "bad percent-escape \"%2\" in the path"),
            ("ftp://u:secret@h/a b", "a space"),
            ("ftp://u:sec:ret@h@x/", "more than one '@'"),
            ("ftp://[::1/", "closing ']'"),
            ("ftp://[::1]x/", "after the IPv6 address"),
            ("ftp://::1/", "more than one ':'"),
            ("ftp://:secret@h/", "a password without a user name"),
            ("ftp://u:se/cret@h/", "invalid port"),
            ("ftp://u:se cret@h/", "a space"),
        ] {
            let err = FtpUrl::parse(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
            assert!(!err.contains("secret"), "{err}");
        }
    }

    #[test]
    fn tls_schemes_and_their_ports() {
        for (url, tls, port) in [
            ("ftp://h/", TlsMode::Plain, 21),
            ("ftps://h/", TlsMode::Implicit, 990),
            ("FTPS://h:2990/x", TlsMode::Implicit, 2990),
            ("ftps://h:/x", TlsMode::Implicit, 990),
            ("ftpes://h/", TlsMode::Explicit, 21),
            ("ftpes://u:secret@[::1]:2121/x", TlsMode::Explicit, 2121),
        ] {
            let parsed = FtpUrl::parse(url).unwrap();
            assert_eq!((parsed.tls(), parsed.port()), (tls, port), "{url}");
            let moved = parsed.with_path(b"y").unwrap();
            assert_eq!(moved.tls(), tls);
            assert!(!moved.to_string().contains("secret"));
        }
        for bad in [
            "sftp://h/",
            "ftpx://h/",
            "ftps:/h/",
            "ftpes:///x",
            "ftps://h/a/../b",
        ] {
            assert!(FtpUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_password_may_hold_a_colon_and_an_escaped_at() {
        let url = FtpUrl::parse("ftp://bob:a:b%40c@h/").unwrap();
        assert_eq!((url.user(), url.password()), ("bob", "a:b@c"));
        assert_eq!(url.to_string(), "ftp://bob:****@h/");
    }
}
