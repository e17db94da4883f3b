//! Whether a name from a listing may be used as one path component: the
//! single check that keeps a hostile server's names from reaching outside
//! the directory they were listed in.

use super::{Entry, Kind};

/// Why a listed name cannot be used as a path component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The line was not understood: there is no name to trust.
    #[error("the listing line was not understood")]
    Unparsed,
    /// MLSD `cdir` or `pdir`: the directory itself or its parent.
    #[error("the entry is the listed directory or its parent (cdir/pdir)")]
    SelfOrParent,
    /// An empty name.
    #[error("the name is empty")]
    Empty,
    /// `.` or `..`.
    #[error("the name is . or ..")]
    Dots,
    /// A name starting with `/` (or `\`): a path elsewhere.
    #[error("the name is an absolute path")]
    Absolute,
    /// A `/` or `\` inside the name: more than one component.
    #[error("the name contains a path separator")]
    Separator,
    /// NUL or another control character (bytes below 0x20, and 0x7f).
    #[error("the name contains a control character")]
    Control,
    /// `C:` at the start: a drive on Windows.
    #[error("the name starts with a drive letter")]
    DriveLetter,
    /// A name Windows reserves (`CON`, `NUL`, `COM1`, …, with or without
    /// an extension), or a character or ending it does not allow.
    #[error("the name is reserved or invalid on Windows")]
    WindowsReserved,
}

/// Checks that `name` is exactly one path component on the server and
/// locally: not empty, not `.` or `..`, no `/` or `\`, not absolute, no
/// NUL or other control character; with `windows`, also no drive letter
/// (`C:`), no name Windows reserves (`CON`, `PRN`, `AUX`, `NUL`,
/// `COM1`–`COM9`, `LPT1`–`LPT9`, with any extension), none of `<>:"|?*`
/// and no trailing dot or space.
///
/// ```
/// use ftp_proto::listing::{check_component, NameError};
/// assert_eq!(check_component(b"report 2026.pdf", false), Ok(()));
/// assert_eq!(check_component(b"..", false), Err(NameError::Dots));
/// assert_eq!(check_component(b"a/b", false), Err(NameError::Separator));
/// assert_eq!(check_component(b"/etc", false), Err(NameError::Absolute));
/// assert_eq!(check_component(b"CON.txt", true), Err(NameError::WindowsReserved));
/// assert_eq!(check_component(b"CON.txt", false), Ok(()));
/// ```
pub fn check_component(name: &[u8], windows: bool) -> Result<(), NameError> {
    match name {
        [] => return Err(NameError::Empty),
        b"." | b".." => return Err(NameError::Dots),
        [b'/' | b'\\', ..] => return Err(NameError::Absolute),
        _ => {}
    }
    if name.iter().any(|&b| b == b'/' || b == b'\\') {
        return Err(NameError::Separator);
    }
    if name.iter().any(|&b| b < 0x20 || b == 0x7f) {
        return Err(NameError::Control);
    }
    if windows {
        if name.len() >= 2 && name[0].is_ascii_alphabetic() && name[1] == b':' {
            return Err(NameError::DriveLetter);
        }
        if name.iter().any(|b| b"<>:\"|?*".contains(b))
            || name.ends_with(b".")
            || name.ends_with(b" ")
        {
            return Err(NameError::WindowsReserved);
        }
        let stem = name.split(|&b| b == b'.').next().unwrap_or(name);
        let stem = stem.strip_suffix(b" ").unwrap_or(stem);
        let reserved = matches!(stem.len(), 3 | 4) && {
            let upper: Vec<u8> = stem.iter().map(u8::to_ascii_uppercase).collect();
            matches!(upper.as_slice(), b"CON" | b"PRN" | b"AUX" | b"NUL")
                || (upper.len() == 4
                    && (upper.starts_with(b"COM") || upper.starts_with(b"LPT"))
                    && (b'1'..=b'9').contains(&upper[3]))
        };
        if reserved {
            return Err(NameError::WindowsReserved);
        }
    }
    Ok(())
}

impl Entry {
    /// The entry's name if it can be used as one path component (see
    /// [`check_component`]); unparsed lines and `cdir`/`pdir` entries are
    /// refused whatever their name.
    pub fn component(&self, windows: bool) -> Result<&[u8], NameError> {
        match self.kind {
            Kind::Unknown => return Err(NameError::Unparsed),
            Kind::CurrentDir | Kind::ParentDir => return Err(NameError::SelfOrParent),
            _ => {}
        }
        check_component(&self.name, windows).map(|()| self.name.as_slice())
    }
}
