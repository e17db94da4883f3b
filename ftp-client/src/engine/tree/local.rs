//! The local side of a tree: names checked on their way between the
//! server and the file system, directories made without following links,
//! and the walk of a local tree.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use super::Tally;
use super::fresh::unix_seconds;
use crate::{NameError, check_component};

/// How deep a local walk goes.
const MAX_DEPTH: usize = 256;
/// How many entries a local walk takes.
const MAX_ENTRIES: usize = 1_000_000;

/// A remote name as one local file-name component, or why it cannot be:
/// empty, `.`, `..`, `/` or `\`, NUL and other control characters,
/// absolute names, and on Windows drive letters and reserved names
/// ([`check_component`]). Names are used as bytes: never decoded, never
/// parsed as URLs, globs or options.
///
/// ```
/// use ftp_client::engine::local_component;
/// assert!(local_component(b"report.pdf").is_ok());
/// assert!(local_component(b"..").is_err());
/// assert!(local_component(b"a/b").is_err());
/// ```
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
/// rules of [`local_component`], so that no server can read it as more
/// than one name.
pub fn remote_component(name: &[u8]) -> Result<&[u8], NameError> {
    check_component(name, false).map(|()| name)
}

/// What a case-insensitive file system compares: two names with the same
/// key collide.
///
/// ```
/// use ftp_client::engine::collision_key;
/// assert_eq!(collision_key(b"README"), collision_key(b"readme"));
/// ```
pub fn collision_key(name: &[u8]) -> String {
    String::from_utf8_lossy(name).to_lowercase()
}

/// A name for a terminal or a log: printable characters as they are,
/// control characters and bytes that are not UTF-8 as `\xNN`, a backslash
/// doubled.
///
/// ```
/// use ftp_client::engine::display_name;
/// assert_eq!(display_name(b"a\nb\xff\\"), "a\\x0ab\\xff\\\\");
/// ```
pub fn display_name(name: &[u8]) -> String {
    let mut out = String::with_capacity(name.len());
    for chunk in name.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => {
                    let mut buf = [0; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        let _ = write!(out, "\\x{b:02x}");
                    }
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// A local file name's bytes, as sent to the server.
pub(super) fn os_bytes(name: &std::ffi::OsStr) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        name.as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned().into_bytes()
    }
}

/// Creates `dir` unless it is already a real directory (true: made now);
/// a symbolic link or a file there is an error.
pub(super) fn make_local_dir(dir: &Path) -> std::io::Result<bool> {
    match fs::create_dir(dir) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let meta = fs::symlink_metadata(dir)?;
            if meta.file_type().is_symlink() {
                Err(std::io::Error::other(
                    "is a symbolic link; not writing through it",
                ))
            } else if meta.is_dir() {
                Ok(false)
            } else {
                Err(std::io::Error::other("exists and is not a directory"))
            }
        }
        Err(e) => Err(e),
    }
}

/// `target` joined with checked components.
pub(super) fn local_path(target: &Path, relative: &[Vec<u8>]) -> PathBuf {
    let mut path = target.to_owned();
    for name in relative {
        // Every component passed the walk's check; converting again keeps
        // the one conversion in one place.
        match local_component(name) {
            Ok(component) => path.push(component),
            Err(_) => path.push("\u{fffd}invalid"),
        }
    }
    path
}

/// Names from the walk's root down to an entry.
type Relative = Vec<Vec<u8>>;

/// The relative paths whose last name collides with a sibling's, compared
/// as a case-insensitive file system would.
pub(super) fn collisions<'a>(
    entries: impl Iterator<Item = (&'a [Vec<u8>], &'a [u8])>,
) -> HashSet<Relative> {
    let mut seen: HashMap<(Relative, String), Vec<Relative>> = HashMap::new();
    for (relative, name) in entries {
        let parent = relative[..relative.len().saturating_sub(1)].to_vec();
        seen.entry((parent, collision_key(name)))
            .or_default()
            .push(relative.to_vec());
    }
    seen.into_values()
        .filter(|group| group.len() > 1)
        .flatten()
        .collect()
}

/// A local file to upload.
#[derive(Debug)]
pub(super) struct LocalFile {
    pub(super) local: PathBuf,
    pub(super) remote: Vec<u8>,
    pub(super) len: u64,
    /// Unix seconds.
    pub(super) modified: Option<i64>,
}

/// A local tree: its directories (parents first, each with its remote
/// path) and files.
#[derive(Debug, Default)]
pub(super) struct LocalTree {
    pub(super) dirs: Vec<(PathBuf, Vec<u8>)>,
    pub(super) files: Vec<LocalFile>,
}

/// A directory still to read.
struct Pending {
    dir: PathBuf,
    remote: Vec<u8>,
    depth: usize,
    /// The directories from the root down to it: a link back to one of
    /// them is a loop (a second link to a directory copied elsewhere is
    /// not).
    ancestors: Vec<(u64, u64)>,
}

/// The walk of a local tree, without following links unless asked.
struct LocalWalk<'t> {
    tally: &'t Tally<'t>,
    follow: bool,
    count: usize,
    tree: LocalTree,
}

/// Walks the local tree at `root`, each entry's remote path under
/// `remote_root`, depth first in name order; entries refused (names,
/// collisions, limits, link loops) are reported to `tally`.
pub(super) fn walk_local(
    root: &Path,
    remote_root: &[u8],
    follow: bool,
    tally: &Tally,
) -> LocalTree {
    let mut walk = LocalWalk {
        tally,
        follow,
        count: 0,
        tree: LocalTree::default(),
    };
    let root_id = fs::metadata(root).ok().and_then(|m| dev_ino(&m));
    let mut stack = vec![Pending {
        dir: root.to_owned(),
        remote: remote_root.to_vec(),
        depth: 0,
        ancestors: root_id.into_iter().collect(),
    }];
    while let Some(pending) = stack.pop() {
        match walk.read(&pending) {
            Some(subdirs) => stack.extend(subdirs.into_iter().rev()),
            None => break,
        }
    }
    walk.tree
}

impl LocalWalk<'_> {
    /// Reads one directory: its subdirectories to read next, `None` once
    /// the entry limit is passed.
    fn read(&mut self, pending: &Pending) -> Option<Vec<Pending>> {
        let shown_dir = pending.dir.display().to_string();
        let read = match fs::read_dir(&pending.dir) {
            Ok(read) => read,
            Err(e) => {
                self.tally.fail(&shown_dir, e);
                return Some(Vec::new());
            }
        };
        let mut children = Vec::new();
        for entry in read {
            match entry {
                Ok(entry) => children.push(entry),
                Err(e) => self.tally.fail(&shown_dir, e),
            }
        }
        children.sort_by_key(|e| e.file_name());
        let mut keys: HashMap<String, usize> = HashMap::new();
        for child in &children {
            *keys
                .entry(collision_key(&os_bytes(&child.file_name())))
                .or_default() += 1;
        }
        let mut subdirs = Vec::new();
        for child in children {
            if !self.visit(pending, &child, &keys, &mut subdirs) {
                return None;
            }
        }
        Some(subdirs)
    }

    /// One entry of a directory; false once the entry limit is passed.
    fn visit(
        &mut self,
        pending: &Pending,
        child: &fs::DirEntry,
        keys: &HashMap<String, usize>,
        subdirs: &mut Vec<Pending>,
    ) -> bool {
        let path = child.path();
        let shown_path = path.display().to_string();
        let name = os_bytes(&child.file_name());
        let name = match remote_component(&name) {
            Ok(name) => name.to_vec(),
            Err(e) => {
                self.tally.fail(&shown_path, e);
                return true;
            }
        };
        if keys.get(&collision_key(&name)).is_some_and(|&n| n > 1) {
            self.tally.fail(
                &shown_path,
                "its name collides with another's on a case-insensitive file system",
            );
            return true;
        }
        self.count += 1;
        if self.count > MAX_ENTRIES {
            self.tally
                .fail(&shown_path, format!("more than {MAX_ENTRIES} entries"));
            return false;
        }
        let Some(meta) = self.metadata(&path, &shown_path) else {
            return true;
        };
        let mut remote = pending.remote.clone();
        if !remote.is_empty() && !remote.ends_with(b"/") {
            remote.push(b'/');
        }
        remote.extend_from_slice(&name);
        if meta.is_dir() {
            subdirs.extend(self.directory(pending, path, remote, &meta));
        } else if meta.is_file() {
            self.tree.files.push(LocalFile {
                local: path,
                remote,
                len: meta.len(),
                modified: meta.modified().ok().and_then(unix_seconds),
            });
        } else {
            self.tally
                .skip(&shown_path, "not a regular file or directory");
        }
        true
    }

    /// What `path` is: itself, or where it leads when links are followed;
    /// `None` (reported) when it is left out.
    fn metadata(&self, path: &Path, shown_path: &str) -> Option<fs::Metadata> {
        let Ok(meta) = fs::symlink_metadata(path) else {
            self.tally.fail(shown_path, "cannot read its metadata");
            return None;
        };
        if !meta.file_type().is_symlink() {
            return Some(meta);
        }
        if !self.follow {
            self.tally
                .skip(shown_path, "a symbolic link (use -L to follow)");
            return None;
        }
        match fs::metadata(path) {
            Ok(target) => Some(target),
            Err(e) => {
                self.tally
                    .fail(shown_path, format!("a broken symbolic link: {e}"));
                None
            }
        }
    }

    /// A subdirectory: to read next, unless it is a link loop or too deep.
    fn directory(
        &mut self,
        pending: &Pending,
        path: PathBuf,
        remote: Vec<u8>,
        meta: &fs::Metadata,
    ) -> Option<Pending> {
        let shown_path = path.display().to_string();
        let id = dev_ino(meta);
        if id.is_some_and(|id| pending.ancestors.contains(&id)) {
            self.tally.fail(
                &shown_path,
                "a link to a directory it is in: already visited (a link loop)",
            );
            return None;
        }
        if pending.depth + 1 >= MAX_DEPTH {
            self.tally
                .fail(&shown_path, format!("deeper than {MAX_DEPTH} levels"));
            return None;
        }
        self.tree.dirs.push((path.clone(), remote.clone()));
        let mut ancestors = pending.ancestors.clone();
        ancestors.extend(id);
        Some(Pending {
            dir: path,
            remote,
            depth: pending.depth + 1,
            ancestors,
        })
    }
}

/// What identifies a directory whatever the path to it; `None` where the
/// platform does not say (then only the depth limit stops a link loop).
#[cfg(unix)]
fn dev_ino(meta: &fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn dev_ino(_meta: &fs::Metadata) -> Option<(u64, u64)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collisions_are_per_directory_and_case_insensitive() {
        let rel = |parts: &[&str]| -> Vec<Vec<u8>> {
            parts.iter().map(|p| p.as_bytes().to_vec()).collect()
        };
        let entries = [
            rel(&["a", "README"]),
            rel(&["a", "readme"]),
            rel(&["b", "README"]),
            rel(&["a", "other"]),
        ];
        let found = collisions(
            entries
                .iter()
                .map(|r| (r.as_slice(), r.last().unwrap().as_slice())),
        );
        assert_eq!(found.len(), 2);
        assert!(found.contains(&rel(&["a", "README"])));
        assert!(found.contains(&rel(&["a", "readme"])));
    }

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
