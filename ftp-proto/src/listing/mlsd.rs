//! MLSD lines and MLST entries (RFC 3659 7): facts, a space, the name. The
//! facts are split by the same functions as [`crate::decode::facts_line`].

use super::{Entry, Kind, Modified, Precision, Zone, lossy};
use crate::decode::Timestamp;
use crate::decode::facts::{decimal, fact_pairs, split_entry, unix_mode};

pub(super) fn parse(line: &[u8]) -> Option<Entry> {
    let (list, name) = split_entry(line)?;
    let mut entry = Entry::new(name, Kind::Other(String::new()), line);
    let mut kind = None;
    let mut size = None;
    let mut sizd = None;
    for fact in fact_pairs(list) {
        let (fact, value) = fact?;
        if fact.eq_ignore_ascii_case(b"type") {
            kind = Some(entry_kind(value));
        } else if fact.eq_ignore_ascii_case(b"size") {
            size = decimal(value);
        } else if fact.eq_ignore_ascii_case(b"sizd") {
            sizd = decimal(value);
        } else if fact.eq_ignore_ascii_case(b"modify") {
            entry.modified = modified(value);
        } else if fact.eq_ignore_ascii_case(b"perm") {
            entry.perm = Some(lossy(value));
        } else if fact.eq_ignore_ascii_case(b"unique") {
            entry.unique = Some(lossy(value));
        } else if fact.eq_ignore_ascii_case(b"unix.mode") {
            entry.mode = unix_mode(value);
        } else if fact.eq_ignore_ascii_case(b"unix.owner") || fact.eq_ignore_ascii_case(b"unix.uid")
        {
            entry.owner.get_or_insert_with(|| lossy(value));
        } else if fact.eq_ignore_ascii_case(b"unix.group") || fact.eq_ignore_ascii_case(b"unix.gid")
        {
            entry.group.get_or_insert_with(|| lossy(value));
        }
    }
    // A listing line without `type` says nothing of what the entry is.
    entry.kind = kind.unwrap_or(Kind::Other(String::new()));
    entry.size = size.or(sizd);
    Some(entry)
}

impl Entry {
    /// The entry for MLST's facts ([`crate::decode::mlst`]), read as
    /// [`super::parse_mlsd_line`] reads an MLSD line. Its name is the
    /// pathname the server gave, and [`Entry::raw`] is the facts written
    /// back as `name=value;… pathname` (names lower-cased).
    ///
    /// ```
    /// use ftp_proto::decode::facts_line;
    /// use ftp_proto::listing::{Entry, Kind};
    /// let facts = facts_line(b" Type=dir;Modify=20260101000000; /pub/a b")?;
    /// let entry = Entry::from_facts(&facts);
    /// assert_eq!((entry.kind, entry.name), (Kind::Dir, b"/pub/a b".to_vec()));
    /// # Ok::<(), ftp_proto::decode::DecodeError>(())
    /// ```
    pub fn from_facts(facts: &crate::decode::Facts) -> Entry {
        let mut line = Vec::new();
        for (name, value) in facts.iter() {
            line.extend_from_slice(name.as_bytes());
            line.push(b'=');
            line.extend_from_slice(value.as_bytes());
            line.push(b';');
        }
        line.push(b' ');
        line.extend_from_slice(&facts.path);
        parse(&line).unwrap_or_else(|| {
            let mut entry = Entry::new(&facts.path, Kind::Other(String::new()), &line);
            entry.size = facts.size;
            entry
        })
    }
}

fn entry_kind(value: &[u8]) -> Kind {
    if value.eq_ignore_ascii_case(b"file") {
        return Kind::File;
    }
    if value.eq_ignore_ascii_case(b"dir") {
        return Kind::Dir;
    }
    if value.eq_ignore_ascii_case(b"cdir") {
        return Kind::CurrentDir;
    }
    if value.eq_ignore_ascii_case(b"pdir") {
        return Kind::ParentDir;
    }
    // `OS.unix=slink:/target` (proFTPD, Pure-FTPd), `OS.unix=symlink`.
    const PREFIX: &[u8] = b"os.unix=";
    if value.len() > PREFIX.len() && value[..PREFIX.len()].eq_ignore_ascii_case(PREFIX) {
        let rest = &value[PREFIX.len()..];
        if rest.len() >= 5 && rest[..5].eq_ignore_ascii_case(b"slink") {
            let target = rest[5..].strip_prefix(b":").filter(|t| !t.is_empty());
            return Kind::Symlink {
                target: target.map(<[u8]>::to_vec),
            };
        }
        if rest.eq_ignore_ascii_case(b"symlink") {
            return Kind::Symlink { target: None };
        }
        for (name, kind) in [(&b"blkdev"[..], 'b'), (b"chrdev", 'c')] {
            if rest.eq_ignore_ascii_case(name) {
                return Kind::Other(format!("device ({kind})"));
            }
        }
    }
    Kind::Other(lossy(value))
}

fn modified(value: &[u8]) -> Option<Modified> {
    let text = std::str::from_utf8(value).ok()?;
    let time = Timestamp::parse(text)?;
    let precision = if text.contains('.') {
        Precision::Subsecond
    } else {
        Precision::Second
    };
    Some(Modified {
        time,
        precision,
        zone: Zone::Utc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_in_any_case_and_sizd() {
        let e = parse(b"TYPE=DIR;SIZD=4096;Modify=20260101000000;Perm=flcdmpe; my dir;x").unwrap();
        assert_eq!(e.kind, Kind::Dir);
        assert_eq!(e.size, Some(4096));
        assert_eq!(e.name, b"my dir;x");
        assert_eq!(e.perm.as_deref(), Some("flcdmpe"));
        assert_eq!(e.modified.unwrap().precision, Precision::Second);
    }

    #[test]
    fn cdir_pdir_and_odd_types() {
        assert_eq!(parse(b"type=cdir; /pub").unwrap().kind, Kind::CurrentDir);
        assert_eq!(parse(b"type=PDir; ..").unwrap().kind, Kind::ParentDir);
        assert_eq!(
            parse(b"type=OS.unix=symlink; l").unwrap().kind,
            Kind::Symlink { target: None }
        );
        assert_eq!(
            parse(b"type=OS.unix=slink:; l").unwrap().kind,
            Kind::Symlink { target: None }
        );
        assert_eq!(
            parse(b"type=OS.z/os=PDS; l").unwrap().kind,
            Kind::Other("OS.z/os=PDS".into())
        );
        assert!(parse(b"type=file;").is_none());
        assert!(parse(b"=x; name").is_none());
    }
}
