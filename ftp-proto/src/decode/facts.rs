//! RFC 3659 facts: the `type=file;size=12;modify=…; name` entries of MLST
//! replies (and of MLSD listings, one per line).

use super::{DecodeError, Timestamp};
use crate::reply::Reply;

/// What an entry is: the `type` fact (RFC 3659 7.5.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EntryType {
    /// `file`
    File,
    /// `dir`
    Dir,
    /// `cdir`: the directory being listed.
    CurrentDir,
    /// `pdir`: its parent.
    ParentDir,
    /// Any other value, as sent, e.g. `OS.unix=slink:/target`.
    Other(String),
}

impl EntryType {
    pub(crate) fn parse(value: &str) -> EntryType {
        match value.to_ascii_lowercase().as_str() {
            "file" => EntryType::File,
            "dir" => EntryType::Dir,
            "cdir" => EntryType::CurrentDir,
            "pdir" => EntryType::ParentDir,
            _ => EntryType::Other(value.to_owned()),
        }
    }
}

/// The facts a server gave about one file or directory (RFC 3659 7), from
/// [`mlst`] or [`facts_line`].
///
/// The common facts are decoded into fields; a fact the server did not
/// send, or sent in a form that does not decode (a `size` that is no
/// number), is `None` there. Every fact stays available as sent through
/// [`Facts::get`] and [`Facts::iter`].
///
/// ```
/// use ftp_proto::decode::{self, EntryType};
/// let facts = decode::facts_line(b"Type=file;Size=1024;Modify=20260102030405;UNIX.mode=0644; my file.txt")?;
/// assert_eq!(facts.path, b"my file.txt");
/// assert_eq!(facts.entry_type, Some(EntryType::File));
/// assert_eq!(facts.size, Some(1024));
/// assert_eq!(facts.modify.map(|t| t.year), Some(2026));
/// assert_eq!(facts.unix_mode, Some(0o644));
/// assert_eq!(facts.get("unix.MODE"), Some("0644"));
/// # Ok::<(), ftp_proto::decode::DecodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Facts {
    /// The pathname, as bytes (a server's names need not be UTF-8).
    pub path: Vec<u8>,
    /// `type`.
    pub entry_type: Option<EntryType>,
    /// `size`, in bytes.
    pub size: Option<u64>,
    /// `modify`: the last modification, UTC.
    pub modify: Option<Timestamp>,
    /// `create`: the creation time, UTC.
    pub create: Option<Timestamp>,
    /// `perm`: what the user may do, e.g. `"rwd"` or `"elc"` (RFC 3659
    /// 7.5.5), as sent.
    pub perm: Option<String>,
    /// `unique`: an identifier of the file on the server.
    pub unique: Option<String>,
    /// `unix.mode`: the permission bits, e.g. `0o644`.
    pub unix_mode: Option<u32>,
    /// Every fact as sent, names lower-cased, in the server's order.
    facts: Vec<(String, String)>,
}

impl Facts {
    /// The value of the fact `name` (any case), as sent; e.g.
    /// `get("unix.owner")`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.facts
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every fact as `(name, value)`, names lower-cased, in the server's
    /// order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.facts.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The pathname, lossily decoded for display.
    pub fn path_lossy(&self) -> String {
        String::from_utf8_lossy(&self.path).into_owned()
    }
}

/// Decodes one entry: `fact=value;…` then a space and the pathname, which
/// may itself hold spaces and semicolons. A single leading space, as MLST
/// replies indent the entry, is skipped. Facts may be absent (` name`);
/// the pathname may not.
pub fn facts_line(line: &[u8]) -> Result<Facts, DecodeError> {
    let error = || DecodeError::Facts(String::from_utf8_lossy(line).into_owned());
    let (list, path) = split_entry(line).ok_or_else(error)?;
    let mut facts = Facts {
        path: path.to_vec(),
        entry_type: None,
        size: None,
        modify: None,
        create: None,
        perm: None,
        unique: None,
        unix_mode: None,
        facts: Vec::new(),
    };
    for fact in fact_pairs(list) {
        let (name, value) = fact.ok_or_else(error)?;
        let value_str = String::from_utf8_lossy(value);
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        match name.as_str() {
            "type" => facts.entry_type = Some(EntryType::parse(&value_str)),
            "size" => facts.size = decimal(value),
            "modify" => facts.modify = Timestamp::parse(&value_str),
            "create" => facts.create = Timestamp::parse(&value_str),
            "perm" => facts.perm = Some(value_str.clone().into_owned()),
            "unique" => facts.unique = Some(value_str.clone().into_owned()),
            "unix.mode" => facts.unix_mode = unix_mode(value),
            _ => {}
        }
        facts.facts.push((name, value_str.into_owned()));
    }
    Ok(facts)
}

/// Splits an entry into its fact list and its pathname: a single leading
/// space (MLST's indent) and a trailing CR are dropped; the facts end at
/// the first `; ` (RFC 3659 ends every fact with `;`, and a symlink target
/// in `OS.unix=slink:` may hold spaces), or at the first space if there is
/// no `; `; everything after that space, spaces and semicolons included,
/// is the pathname. `None` without a space or a pathname.
pub(crate) fn split_entry(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let entry = line.strip_prefix(b" ").unwrap_or(line);
    let entry = entry.strip_suffix(b"\r").unwrap_or(entry);
    let space = if entry.first() == Some(&b' ') {
        0
    } else {
        match memchr::memmem::find(entry, b"; ") {
            Some(end) => end + 1,
            None => memchr::memchr(b' ', entry)?,
        }
    };
    let (list, path) = (&entry[..space], &entry[space + 1..]);
    (!path.is_empty()).then_some((list, path))
}

/// The `name=value` pairs of a fact list, empty facts skipped; `None` for
/// a fact with no `=` or no name (the entry is malformed).
pub(crate) fn fact_pairs(list: &[u8]) -> impl Iterator<Item = Option<(&[u8], &[u8])>> {
    list.split(|&b| b == b';')
        .filter(|fact| !fact.is_empty())
        .map(|fact| {
            let eq = memchr::memchr(b'=', fact)?;
            (eq > 0).then(|| (&fact[..eq], &fact[eq + 1..]))
        })
}

/// A decimal number of at most 19 digits (no sign, no spaces).
pub(crate) fn decimal(value: &[u8]) -> Option<u64> {
    if value.is_empty() || value.len() > 19 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        value
            .iter()
            .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')),
    )
}

/// `UNIX.mode` as servers write it: octal digits, with or without a
/// leading `0` or `0o` (`644`, `0644`, `0o644`), at most `0o7777` plus the
/// file-type bits some servers include.
pub(crate) fn unix_mode(value: &[u8]) -> Option<u32> {
    let digits = value
        .strip_prefix(b"0o")
        .or_else(|| value.strip_prefix(b"0O"))
        .unwrap_or(value);
    if digits.is_empty() || digits.len() > 8 {
        return None;
    }
    digits.iter().try_fold(0u32, |mode, &d| match d {
        b'0'..=b'7' => Some(mode * 8 + u32::from(d - b'0')),
        _ => None,
    })
}

/// Decodes a 250 MLST reply (RFC 3659 7.2): its entry is the first line
/// between the first and the last that begins with a space. A server that
/// puts the entry on a one-line reply is read too.
///
/// ```
/// use ftp_proto::{decode, ReplyParser};
/// let reply = ReplyParser::default()
///     .feed(b"250-Listing /pub\r\n type=dir;modify=20260101120000; /pub\r\n250 End\r\n")?
///     .reply
///     .unwrap();
/// let facts = decode::mlst(&reply).unwrap();
/// assert_eq!(facts.entry_type, Some(decode::EntryType::Dir));
/// assert_eq!(facts.path, b"/pub");
/// # Ok::<(), ftp_proto::ReplyError>(())
/// ```
pub fn mlst(reply: &Reply) -> Result<Facts, DecodeError> {
    let line = if reply.line_count() == 1 {
        Some(reply.first_line())
    } else {
        reply
            .lines()
            .skip(1)
            .take(reply.line_count() - 2)
            .find(|line| line.first() == Some(&b' '))
    };
    match line {
        Some(line) => facts_line(line),
        None => Err(DecodeError::Facts(reply.text())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::ReplyParser;

    fn reply(text: &[u8]) -> Reply {
        ReplyParser::default().feed(text).unwrap().reply.unwrap()
    }

    #[test]
    fn decodes_the_common_facts_and_keeps_them_all() {
        let facts = facts_line(
            b" type=file;size=42;modify=20251231235960.5;create=20000229000000;perm=adfrw;unique=801U1;UNIX.mode=0755;unix.owner=ftp; a b;c.txt",
        )
        .unwrap();
        assert_eq!(facts.path, b"a b;c.txt");
        assert_eq!(facts.entry_type, Some(EntryType::File));
        assert_eq!(facts.size, Some(42));
        let modify = facts.modify.unwrap();
        assert_eq!((modify.second, modify.nanosecond), (60, 500_000_000));
        assert_eq!(facts.create.map(|t| (t.month, t.day)), Some((2, 29)));
        assert_eq!(facts.perm.as_deref(), Some("adfrw"));
        assert_eq!(facts.unique.as_deref(), Some("801U1"));
        assert_eq!(facts.unix_mode, Some(0o755));
        assert_eq!(facts.get("UNIX.OWNER"), Some("ftp"));
        assert_eq!(facts.iter().count(), 8);
        assert_eq!(facts.iter().next(), Some(("type", "file")));
    }

    #[test]
    fn entry_types() {
        for (value, expected) in [
            ("dir", EntryType::Dir),
            ("CDIR", EntryType::CurrentDir),
            ("pdir", EntryType::ParentDir),
            (
                "OS.unix=slink:/x",
                EntryType::Other("OS.unix=slink:/x".into()),
            ),
        ] {
            let line = format!("type={value}; name");
            assert_eq!(
                facts_line(line.as_bytes()).unwrap().entry_type,
                Some(expected)
            );
        }
    }

    #[test]
    fn odd_values_stay_raw_and_do_not_fail() {
        let facts = facts_line(b"size=lots;modify=20260230000000;unix.mode=0999; f").unwrap();
        assert_eq!(facts.size, None);
        assert_eq!(facts.modify, None, "30 February does not exist");
        assert_eq!(facts.unix_mode, None);
        assert_eq!(facts.get("size"), Some("lots"));
        // Both spellings of an octal mode.
        assert_eq!(
            facts_line(b"unix.mode=0o755; f").unwrap().unix_mode,
            Some(0o755)
        );
        assert_eq!(
            facts_line(b"UNIX.MODE=644; f").unwrap().unix_mode,
            Some(0o644)
        );
        // No facts at all: MLST's entry is then a space and the name.
        let bare = facts_line(b"  /x").unwrap();
        assert_eq!((bare.path.as_slice(), bare.iter().count()), (&b"/x"[..], 0));
        // Non-UTF-8 names round-trip.
        assert_eq!(facts_line(b"type=file; caf\xe9").unwrap().path, b"caf\xe9");
    }

    #[test]
    fn malformed_entries_are_errors() {
        for bad in [
            &b""[..],
            b" ",
            b"type=file;",
            b"type=file; ",
            b"typefile; x",
            b"=file; x",
        ] {
            assert!(
                facts_line(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn finds_the_entry_of_an_mlst_reply() {
        let multi = reply(b"250- Listing\r\n type=file;size=5; /f.bin\r\n250 End\r\n");
        assert_eq!(mlst(&multi).unwrap().size, Some(5));
        let one_line = reply(b"250 type=dir; /d\r\n");
        assert_eq!(mlst(&one_line).unwrap().path, b"/d");
        let no_entry = reply(b"250-Listing\r\n250 End\r\n");
        assert!(matches!(mlst(&no_entry), Err(DecodeError::Facts(_))));
    }
}
