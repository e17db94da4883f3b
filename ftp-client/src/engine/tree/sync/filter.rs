//! `include`/`exclude` globs over a tree's relative paths.
//!
//! Written here rather than taken from a crate: the lock file has no glob
//! crate, the rules are a few (`*`, `?`, `[…]`, `**`, a leading `/`
//! anchoring, a trailing `/` for directories), and names are matched as
//! bytes, never decoded, as every name of a tree is handled.

/// One compiled glob.
///
/// - `*` matches any run of bytes within one name, `?` one byte but `/`,
///   `[abc]`, `[a-z]` and `[!a-z]` one byte of (or not of) a set;
/// - `**` matches any run of names (`a/**/b` matches `a/b` and `a/x/y/b`;
///   `**` alone, everything);
/// - a pattern starting with `/` is anchored at the tree's root and matches
///   the whole relative path; otherwise it matches the path's last names
///   (`*.tmp` matches `x.tmp` and `a/b/x.tmp`, `b/*.tmp` matches `a/b/x.tmp`);
/// - a pattern ending with `/` matches directories only.
///
/// ```
/// use ftp_client::engine::Glob;
/// let glob = Glob::new("/logs/**/*.gz");
/// assert!(glob.matches(b"logs/2026/12/a.gz", false));
/// assert!(glob.matches(b"logs/a.gz", false));
/// assert!(!glob.matches(b"old/logs/a.gz", false));
/// assert!(Glob::new("*.tmp").matches(b"a/b/x.tmp", false));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    text: String,
    tokens: Vec<Token>,
    anchored: bool,
    dir_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Byte(u8),
    /// `?`
    One,
    /// `*`
    Star,
    /// `**`, with the `/` after it when there is one (then it may also
    /// match nothing at all, slash included).
    Any {
        slash: bool,
    },
    Class {
        negated: bool,
        ranges: Vec<(u8, u8)>,
    },
}

impl Glob {
    /// Compiles `pattern`; every pattern is valid (a `[` without its `]`
    /// is a literal `[`).
    pub fn new(pattern: &str) -> Glob {
        let text = pattern.to_owned();
        let mut bytes = pattern.as_bytes();
        let anchored = bytes.first() == Some(&b'/');
        if anchored {
            bytes = &bytes[1..];
        }
        let dir_only = bytes.len() > 1 && bytes.ends_with(b"/");
        if dir_only {
            bytes = &bytes[..bytes.len() - 1];
        }
        Glob {
            text,
            tokens: tokenize(bytes),
            anchored,
            dir_only,
        }
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the relative path `path` (names joined by `/`, without a
    /// leading one) matches; `directory` says whether it is a directory.
    pub fn matches(&self, path: &[u8], directory: bool) -> bool {
        if self.dir_only && !directory {
            return false;
        }
        if self.anchored {
            return match_here(&self.tokens, path);
        }
        // Any run of last names: the whole path, or what follows a `/`.
        match_here(&self.tokens, path)
            || path
                .iter()
                .enumerate()
                .filter(|&(_, &b)| b == b'/')
                .any(|(i, _)| match_here(&self.tokens, &path[i + 1..]))
    }
}

fn tokenize(mut bytes: &[u8]) -> Vec<Token> {
    let mut tokens = Vec::new();
    while let Some(&b) = bytes.first() {
        bytes = &bytes[1..];
        match b {
            b'?' => tokens.push(Token::One),
            b'*' if bytes.first() == Some(&b'*') => {
                bytes = &bytes[1..];
                while bytes.first() == Some(&b'*') {
                    bytes = &bytes[1..];
                }
                let slash = bytes.first() == Some(&b'/');
                if slash {
                    bytes = &bytes[1..];
                }
                tokens.push(Token::Any { slash });
            }
            b'*' => tokens.push(Token::Star),
            b'[' => match class(bytes) {
                Some((token, rest)) => {
                    tokens.push(token);
                    bytes = rest;
                }
                None => tokens.push(Token::Byte(b'[')),
            },
            b'\\' if !bytes.is_empty() => {
                tokens.push(Token::Byte(bytes[0]));
                bytes = &bytes[1..];
            }
            b => tokens.push(Token::Byte(b)),
        }
    }
    tokens
}

/// `[…]` after its `[`: the class and what follows its `]`.
fn class(bytes: &[u8]) -> Option<(Token, &[u8])> {
    let negated = matches!(bytes.first(), Some(b'!' | b'^'));
    let mut i = usize::from(negated);
    let mut ranges = Vec::new();
    // A `]` first is a member.
    let mut first = true;
    loop {
        let &b = bytes.get(i)?;
        if b == b']' && !first {
            return Some((Token::Class { negated, ranges }, &bytes[i + 1..]));
        }
        first = false;
        match (bytes.get(i + 1), bytes.get(i + 2)) {
            (Some(b'-'), Some(&end)) if end != b']' => {
                ranges.push((b, end));
                i += 3;
            }
            _ => {
                ranges.push((b, b));
                i += 1;
            }
        }
    }
}

/// Whether `tokens` match all of `path`.
fn match_here(tokens: &[Token], path: &[u8]) -> bool {
    let Some((token, rest)) = tokens.split_first() else {
        return path.is_empty();
    };
    match token {
        Token::Byte(b) => path.first() == Some(b) && match_here(rest, &path[1..]),
        Token::One => path.first().is_some_and(|&c| c != b'/') && match_here(rest, &path[1..]),
        Token::Class { negated, ranges } => {
            path.first().is_some_and(|&c| {
                c != b'/' && ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&c)) != *negated
            }) && match_here(rest, &path[1..])
        }
        Token::Star => {
            let within = path.iter().position(|&c| c == b'/').unwrap_or(path.len());
            (0..=within).any(|n| match_here(rest, &path[n..]))
        }
        Token::Any { slash: false } => (0..=path.len()).any(|n| match_here(rest, &path[n..])),
        Token::Any { slash: true } => {
            // Nothing at all, or any run of whole names with their `/`.
            match_here(rest, path)
                || path
                    .iter()
                    .enumerate()
                    .filter(|&(_, &c)| c == b'/')
                    .any(|(i, _)| match_here(rest, &path[i + 1..]))
        }
    }
}

/// What a sync leaves out: [`Filter::exclude`] globs, and with
/// [`Filter::include`] globs, every file that matches none of them.
/// Directories are left out only by an exclude (an include names files:
/// directories are walked to find them); what is under a directory left
/// out is left out too. Applied alike to both sides, so that an excluded
/// file is neither copied nor deleted.
///
/// ```
/// use ftp_client::engine::Filter;
/// let filter = Filter::default().include("*.txt").exclude("/private/");
/// assert!(!filter.excludes(b"notes/a.txt", false));
/// assert!(filter.excludes(b"notes/a.bin", false));
/// assert!(filter.excludes(b"private/a.txt", false));
/// assert!(filter.excludes(b"private", true));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    include: Vec<Glob>,
    exclude: Vec<Glob>,
}

impl Filter {
    /// Adds an include glob ([`Glob`] says the rules).
    pub fn include(mut self, pattern: &str) -> Self {
        self.include.push(Glob::new(pattern));
        self
    }

    /// Adds an exclude glob.
    pub fn exclude(mut self, pattern: &str) -> Self {
        self.exclude.push(Glob::new(pattern));
        self
    }

    /// No glob at all.
    pub fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// Whether the entry at `path` (relative to the tree's root) is left
    /// out: it, or a directory it is under, is excluded, or it is a file
    /// that no include matches.
    pub fn excludes(&self, path: &[u8], directory: bool) -> bool {
        let parents = path
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'/')
            .map(|(i, _)| &path[..i]);
        for parent in parents {
            if self.exclude.iter().any(|g| g.matches(parent, true)) {
                return true;
            }
        }
        if self.exclude.iter().any(|g| g.matches(path, directory)) {
            return true;
        }
        !directory
            && !self.include.is_empty()
            && !self.include.iter().any(|g| g.matches(path, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        Glob::new(pattern).matches(path.as_bytes(), false)
    }

    #[test]
    fn stars_stay_within_a_name() {
        assert!(m("*.txt", "a.txt"));
        assert!(m("*.txt", "dir/a.txt"));
        assert!(!m("/*.txt", "dir/a.txt"));
        assert!(m("/*.txt", "a.txt"));
        assert!(m("a*", "a"));
        assert!(!m("*.txt", "a.txt.gz"));
        assert!(m("?.txt", "a.txt"));
        assert!(!m("?", "ab"));
        assert!(!m("a?b", "a/b"));
    }

    #[test]
    fn double_stars_cross_names() {
        assert!(m("/a/**/b", "a/b"));
        assert!(m("/a/**/b", "a/x/y/b"));
        assert!(!m("/a/**/b", "ab"));
        assert!(m("/a/**", "a/x/y"));
        assert!(m("**", "anything/at/all"));
        assert!(m("**/c", "c"));
        assert!(m("/**/c", "a/b/c"));
        assert!(m("a**z", "a/b/z"));
    }

    #[test]
    fn unanchored_patterns_match_last_names() {
        assert!(m("b/*.tmp", "a/b/x.tmp"));
        assert!(!m("b/*.tmp", "a/bb/x.tmp"));
        assert!(m("x.tmp", "a/b/x.tmp"));
        assert!(!m("x.tmp", "a/b/yx.tmp"));
    }

    #[test]
    fn classes_and_escapes() {
        assert!(m("[ab].c", "a.c"));
        assert!(!m("[!ab].c", "a.c"));
        assert!(m("[a-c]", "b"));
        assert!(m("[]]", "]"));
        assert!(m("[x", "[x"));
        assert!(m("\\*", "*"));
        assert!(!m("\\*", "a"));
        assert!(!m("[!a]", "/"));
    }

    #[test]
    fn names_are_bytes() {
        let glob = Glob::new("*.bin");
        assert!(glob.matches(b"caf\xff.bin", false));
        assert!(glob.matches(b"\n.bin", false));
    }

    #[test]
    fn directories_only() {
        let glob = Glob::new("cache/");
        assert!(glob.matches(b"a/cache", true));
        assert!(!glob.matches(b"a/cache", false));
        let filter = Filter::default().exclude("cache/");
        assert!(filter.excludes(b"a/cache/x", false));
        assert!(!filter.excludes(b"a/cache", false));
    }

    #[test]
    fn filters_include_files_and_exclude_trees() {
        let filter = Filter::default().include("*.txt").exclude("/skip");
        assert!(!filter.excludes(b"a.txt", false));
        assert!(filter.excludes(b"a.bin", false));
        assert!(!filter.excludes(b"dir", true), "directories are walked");
        assert!(filter.excludes(b"skip", true));
        assert!(filter.excludes(b"skip/a.txt", false));
        assert!(!filter.excludes(b"dir/skip", true), "anchored");
        assert!(!Filter::default().excludes(b"x", false));
    }
}
