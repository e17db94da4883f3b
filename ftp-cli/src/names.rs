//! The one place where a name from a listing becomes a path component, on
//! either side: a local file name for a download, a remote name for an
//! upload. Anything that is not exactly one component is refused (see
//! [`ftp_client::check_component`]): empty, `.`, `..`, `/` or `\`, NUL and
//! other control characters, absolute names, MLSD's `cdir`/`pdir`, and on
//! Windows drive letters and reserved names. Names are used as bytes: never
//! decoded, never parsed as URLs, globs or options.

use std::ffi::OsString;

use ftp_client::{NameError, check_component};

/// A remote name as one local file-name component, or why it cannot be.
pub fn local_component(name: &[u8]) -> Result<OsString, NameError> {
    check_component(name, cfg!(windows))?;
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(std::ffi::OsStr::from_bytes(name).to_owned())
    }
    #[cfg(not(unix))]
    {
        // Windows file names are Unicode: a name that is not UTF-8 has no
        // faithful local form.
        String::from_utf8(name.to_vec())
            .map(OsString::from)
            .map_err(|_| NameError::WindowsReserved)
    }
}

/// A local name as one remote path component, or why it cannot be: the
/// same rules, so that no server can read it as more than one name.
pub fn remote_component(name: &[u8]) -> Result<&[u8], NameError> {
    check_component(name, false).map(|()| name)
}

/// What a case-insensitive file system compares: two names with the same
/// key collide.
pub fn collision_key(name: &[u8]) -> String {
    String::from_utf8_lossy(name).to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_everything_that_is_not_one_component() {
        for bad in [
            &b""[..],
            b".",
            b"..",
            b"../x",
            b"/etc/passwd",
            b"a/b",
            b"a\\b",
            b"\\x",
            b"nul\0byte",
            b"bell\x07",
            b"line\nbreak",
            b"del\x7f",
        ] {
            assert!(local_component(bad).is_err(), "{bad:?}");
            assert!(remote_component(bad).is_err(), "{bad:?}");
        }
        for good in [
            &b"a.txt"[..],
            b" lead",
            b"-rf",
            b"*.txt",
            b"%2e%2e",
            b"ftp:x",
            b"...",
            b"caf\xc3\xa9",
        ] {
            assert!(local_component(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn case_insensitive_collisions() {
        assert_eq!(collision_key(b"README.txt"), collision_key(b"readme.TXT"));
        assert_eq!(
            collision_key("\u{c9}T\u{c9}".as_bytes()),
            collision_key("\u{e9}t\u{e9}".as_bytes())
        );
        assert_ne!(collision_key(b"a"), collision_key(b"b"));
    }
}
