//! File digests computed by the server: `HASH` (draft-bryan-ftpext-hash)
//! and the older `XSHA256`, `XSHA512`, `XSHA1`, `XMD5` and `XCRC`.
//!
//! What FEAT offers ([`offered`]), and the pure decoders of the replies
//! ([`decode_hash`], [`decode_x`]); [`Session::hash`](crate::Session::hash)
//! chooses the command.
//!
//! ```
//! use ftp_proto::hash::{self, HashAlgorithm};
//! use ftp_proto::ReplyParser;
//! let reply = ReplyParser::default()
//!     .feed(b"213 SHA-256 0-3 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad abc.txt\r\n")?
//!     .reply
//!     .unwrap();
//! let digest = hash::decode_hash(&reply, HashAlgorithm::Sha256).unwrap();
//! assert_eq!(digest.range(), Some((0, 3)));
//! assert!(digest.covers(3));
//! assert_eq!(digest.to_string(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
//! # Ok::<(), ftp_proto::ReplyError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use crate::decode::{DecodeError, Features};
use crate::reply::Reply;

/// A digest algorithm a server may compute for a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-256: `HASH` name `SHA-256`, or `XSHA256`.
    Sha256,
    /// SHA-512: `HASH` name `SHA-512`, or `XSHA512`.
    Sha512,
    /// SHA-1: `HASH` name `SHA-1`, or `XSHA1`.
    Sha1,
    /// MD5: `HASH` name `MD5`, or `XMD5`.
    Md5,
    /// CRC-32 (IEEE, as zlib's): `HASH` name `CRC32`, or `XCRC`.
    Crc32,
}

impl HashAlgorithm {
    /// Every algorithm, strongest first: the order in which
    /// [`Offered::preferred`] chooses.
    pub const ALL: [HashAlgorithm; 5] = [
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha512,
        HashAlgorithm::Sha1,
        HashAlgorithm::Md5,
        HashAlgorithm::Crc32,
    ];

    /// The name `HASH`, `OPTS HASH` and FEAT use, e.g. `"SHA-256"`.
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "SHA-256",
            HashAlgorithm::Sha512 => "SHA-512",
            HashAlgorithm::Sha1 => "SHA-1",
            HashAlgorithm::Md5 => "MD5",
            HashAlgorithm::Crc32 => "CRC32",
        }
    }

    /// The name in lower case without its dash, as command lines take it
    /// (and [`FromStr`] reads it), e.g. `"sha256"`; with `sum` added, the
    /// coreutils tool that checks its [`Digest::checksum_line`]s
    /// (`sha256sum -c`), CRC-32 aside (SFV).
    ///
    /// ```
    /// use ftp_proto::hash::HashAlgorithm;
    /// for algorithm in HashAlgorithm::ALL {
    ///     assert_eq!(algorithm.short_name().parse(), Ok(algorithm));
    /// }
    /// ```
    pub fn short_name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha512 => "sha512",
            HashAlgorithm::Sha1 => "sha1",
            HashAlgorithm::Md5 => "md5",
            HashAlgorithm::Crc32 => "crc32",
        }
    }

    /// The older command that answers this digest alone, e.g. `"XSHA256"`.
    pub fn x_command(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "XSHA256",
            HashAlgorithm::Sha512 => "XSHA512",
            HashAlgorithm::Sha1 => "XSHA1",
            HashAlgorithm::Md5 => "XMD5",
            HashAlgorithm::Crc32 => "XCRC",
        }
    }

    /// The digest's length in bytes (twice that in hexadecimal digits).
    pub fn digest_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha512 => 64,
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Md5 => 16,
            HashAlgorithm::Crc32 => 4,
        }
    }

    /// The algorithm a `HASH` name (`"SHA-256"`, any case) stands for.
    pub fn from_name(name: &str) -> Option<HashAlgorithm> {
        HashAlgorithm::ALL
            .into_iter()
            .find(|algorithm| algorithm.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is no [`HashAlgorithm`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown hash algorithm {0:?} (expected sha256, sha512, sha1, md5 or crc32)")]
pub struct UnknownAlgorithm(pub String);

/// Parses `sha256`, `SHA-256`, `sha512`, `sha1`, `md5`, `crc32` (any case,
/// with or without the dash).
impl FromStr for HashAlgorithm {
    type Err = UnknownAlgorithm;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let plain: String = text.chars().filter(|c| *c != '-').collect();
        HashAlgorithm::ALL
            .into_iter()
            .find(|algorithm| {
                algorithm
                    .name()
                    .replace('-', "")
                    .eq_ignore_ascii_case(&plain)
            })
            .ok_or_else(|| UnknownAlgorithm(text.to_owned()))
    }
}

/// A file's digest, as the server computed it (or as a client computed it
/// to compare: [`Digest::new`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    algorithm: HashAlgorithm,
    bytes: Vec<u8>,
    range: Option<(u64, u64)>,
}

impl Digest {
    /// A digest of `algorithm` with these bytes; `None` unless there are
    /// [`HashAlgorithm::digest_len`] of them.
    pub fn new(algorithm: HashAlgorithm, bytes: Vec<u8>) -> Option<Digest> {
        (bytes.len() == algorithm.digest_len()).then_some(Digest {
            algorithm,
            bytes,
            range: None,
        })
    }

    /// Its algorithm.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }

    /// The digest's bytes (a CRC-32 big-endian, as it is written in hex).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The byte range a `HASH` reply said it covers, `(start, end)`;
    /// `None` for the older commands, which cover the whole file.
    pub fn range(&self) -> Option<(u64, u64)> {
        self.range
    }

    /// Whether the digest covers the whole of a file of `size` bytes: the
    /// older commands' always do; a `HASH` range must start at 0 and end
    /// at `size` (proFTPD's mod_digest: the end is exclusive, `0-0` for an
    /// empty file) or at `size - 1` (the draft's inclusive reading).
    pub fn covers(&self, size: u64) -> bool {
        match self.range {
            None => true,
            Some((start, end)) => start == 0 && (end == size || (size > 0 && end == size - 1)),
        }
    }

    /// The digest in lowercase hexadecimal, as `sha256sum` writes it.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }

    /// Whether `other` is the same digest (algorithm and bytes; the range
    /// is not compared).
    pub fn matches(&self, other: &Digest) -> bool {
        self.algorithm == other.algorithm && self.bytes == other.bytes
    }

    /// The line the coreutils checksum tools write for a file `name` with
    /// this digest, so that `sha256sum -c` (`sha512sum`, `sha1sum`,
    /// `md5sum`) checks a local copy: `HEX  NAME` (two spaces); a name
    /// holding a backslash, CR or LF is escaped (`\\`, `\r`, `\n`) and the
    /// line starts with `\`, as they do. CRC-32 (zlib's, not `cksum`'s)
    /// gives the SFV line `NAME HEX` (8 uppercase digits) that `cksfv -f`
    /// and `rhash -c` check. The line ends with LF.
    ///
    /// ```
    /// use ftp_proto::hash::{Digest, HashAlgorithm};
    /// let md5 = Digest::new(HashAlgorithm::Md5, vec![0xab; 16]).unwrap();
    /// assert_eq!(md5.checksum_line(b"a.txt"), b"abababababababababababababababab  a.txt\n");
    /// ```
    pub fn checksum_line(&self, name: &[u8]) -> Vec<u8> {
        let mut line = Vec::with_capacity(name.len() + 140);
        if self.algorithm == HashAlgorithm::Crc32 {
            line.extend_from_slice(name);
            line.push(b' ');
            line.extend_from_slice(self.to_hex().to_ascii_uppercase().as_bytes());
            line.push(b'\n');
            return line;
        }
        let escape = name.iter().any(|b| matches!(b, b'\\' | b'\n' | b'\r'));
        if escape {
            line.push(b'\\');
        }
        line.extend_from_slice(self.to_hex().as_bytes());
        line.extend_from_slice(b"  ");
        for &b in name {
            match b {
                b'\\' if escape => line.extend_from_slice(b"\\\\"),
                b'\n' => line.extend_from_slice(b"\\n"),
                b'\r' => line.extend_from_slice(b"\\r"),
                _ => line.push(b),
            }
        }
        line.push(b'\n');
        line
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// What a server's FEAT offers: the algorithms of its `HASH` line, the
/// one marked selected (`*`), and the older commands it lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Offered {
    /// The algorithms `HASH` computes, in the server's order.
    pub hash: Vec<HashAlgorithm>,
    /// The one `HASH` uses now (marked `*`), if one is marked.
    pub selected: Option<HashAlgorithm>,
    /// The algorithms whose older command (`XSHA256`…) FEAT lists.
    pub x_commands: Vec<HashAlgorithm>,
}

impl Offered {
    /// Whether the server can compute `algorithm` one way or the other.
    pub fn has(&self, algorithm: HashAlgorithm) -> bool {
        self.hash.contains(&algorithm) || self.x_commands.contains(&algorithm)
    }

    /// Every algorithm the server can compute, strongest first.
    pub fn algorithms(&self) -> Vec<HashAlgorithm> {
        HashAlgorithm::ALL
            .into_iter()
            .filter(|algorithm| self.has(*algorithm))
            .collect()
    }

    /// The strongest algorithm the server can compute, if any.
    pub fn preferred(&self) -> Option<HashAlgorithm> {
        self.algorithms().first().copied()
    }
}

/// What FEAT offers: `HASH SHA-256*;SHA-1;MD5;CRC32` (names the crate
/// does not know are skipped; a trailing `;` is allowed) and `XSHA256`,
/// `XSHA512`, `XSHA1`, `XMD5`, `XCRC`.
///
/// ```
/// use ftp_proto::hash::{offered, HashAlgorithm::*};
/// use ftp_proto::{decode, ReplyParser};
/// let feat = ReplyParser::default()
///     .feed(b"211-Features:\r\n HASH CRC32;MD5;SHA-1*;SHA-256;SHA-512;\r\n XCRC\r\n211 End\r\n")?
///     .reply
///     .unwrap();
/// let offered = offered(&decode::features(&feat));
/// assert_eq!(offered.hash, [Crc32, Md5, Sha1, Sha256, Sha512]);
/// assert_eq!(offered.selected, Some(Sha1));
/// assert_eq!(offered.x_commands, [Crc32]);
/// assert_eq!(offered.preferred(), Some(Sha256));
/// # Ok::<(), ftp_proto::ReplyError>(())
/// ```
pub fn offered(features: &Features) -> Offered {
    let mut offered = Offered::default();
    for name in features.params("HASH").unwrap_or("").split(';') {
        let name = name.trim();
        let (name, selected) = match name.strip_suffix('*') {
            Some(name) => (name, true),
            None => (name, false),
        };
        if let Some(algorithm) = HashAlgorithm::from_name(name) {
            offered.hash.push(algorithm);
            if selected {
                offered.selected = Some(algorithm);
            }
        }
    }
    offered.x_commands = HashAlgorithm::ALL
        .into_iter()
        .filter(|algorithm| features.supports(algorithm.x_command()))
        .collect();
    offered
}

/// Decodes the 213 reply to `HASH`: its last line is `ALGORITHM
/// START-END HEX NAME` (a multi-line reply may say `213-Computing…`
/// first). Strict: the algorithm must be `algorithm`, the range start at
/// 0 and not end before it, the hex be exactly the digest's length.
pub fn decode_hash(reply: &Reply, algorithm: HashAlgorithm) -> Result<Digest, DecodeError> {
    let fail = |reason| hash_error(reply, reason);
    if reply.code().get() != 213 {
        return Err(fail("not a 213 reply"));
    }
    let line = last_line(reply).ok_or_else(|| fail("not text"))?;
    let mut words = line.splitn(4, ' ');
    let (Some(name), Some(range), Some(hex), Some(_name)) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return Err(fail("expected ALGORITHM START-END HEX NAME"));
    };
    if !name.eq_ignore_ascii_case(algorithm.name()) {
        return Err(fail("a digest of another algorithm"));
    }
    let (start, end) = range
        .split_once('-')
        .and_then(|(start, end)| Some((decimal(start)?, decimal(end)?)))
        .ok_or_else(|| fail("no START-END byte range"))?;
    if start != 0 || end < start {
        return Err(fail("the range does not cover the file from its start"));
    }
    let mut digest = parse_hex(hex, algorithm).ok_or_else(|| fail(hex_reason(algorithm)))?;
    digest.range = Some((start, end));
    Ok(digest)
}

/// Decodes the reply to `XSHA256`, `XSHA512`, `XSHA1`, `XMD5` or `XCRC`:
/// 250 (proFTPD) or 213, its last line exactly the hex digest (any case)
/// of `algorithm`'s length.
pub fn decode_x(reply: &Reply, algorithm: HashAlgorithm) -> Result<Digest, DecodeError> {
    let fail = |reason| hash_error(reply, reason);
    if !matches!(reply.code().get(), 213 | 250) {
        return Err(fail("not a 213 or 250 reply"));
    }
    let line = last_line(reply).ok_or_else(|| fail("not text"))?;
    parse_hex(line.trim(), algorithm).ok_or_else(|| fail(hex_reason(algorithm)))
}

fn hex_reason(algorithm: HashAlgorithm) -> &'static str {
    match algorithm {
        HashAlgorithm::Sha256 => "the digest is not 64 hexadecimal digits (SHA-256)",
        HashAlgorithm::Sha512 => "the digest is not 128 hexadecimal digits (SHA-512)",
        HashAlgorithm::Sha1 => "the digest is not 40 hexadecimal digits (SHA-1)",
        HashAlgorithm::Md5 => "the digest is not 32 hexadecimal digits (MD5)",
        HashAlgorithm::Crc32 => "the digest is not 8 hexadecimal digits (CRC32)",
    }
}

fn hash_error(reply: &Reply, reason: &'static str) -> DecodeError {
    DecodeError::Hash {
        reply: reply.to_string(),
        reason,
    }
}

/// The last line of the reply's text, if it is UTF-8 (hex and decimal
/// always are).
fn last_line(reply: &Reply) -> Option<&str> {
    reply
        .lines()
        .next_back()
        .and_then(|line| std::str::from_utf8(line).ok())
}

fn decimal(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `hex` as a digest of `algorithm`: exactly its length in hex digits.
fn parse_hex(hex: &str, algorithm: HashAlgorithm) -> Option<Digest> {
    if hex.len() != algorithm.digest_len() * 2 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    Digest::new(algorithm, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ReplyParser;

    fn reply(bytes: &[u8]) -> Reply {
        ReplyParser::default().feed(bytes).unwrap().reply.unwrap()
    }

    #[test]
    fn checksum_lines_are_the_coreutils_and_sfv_formats() {
        let md5 = Digest::new(HashAlgorithm::Md5, vec![0xab; 16]).unwrap();
        assert_eq!(
            md5.checksum_line(b"a b.txt"),
            b"abababababababababababababababab  a b.txt\n"
        );
        // Escaped as md5sum escapes: a leading backslash.
        assert_eq!(
            md5.checksum_line(b"a\\b\nc"),
            b"\\abababababababababababababababab  a\\\\b\\nc\n"
        );
        let crc = Digest::new(HashAlgorithm::Crc32, vec![0xaf, 0x08, 0x3b, 0x2d]).unwrap();
        assert_eq!(crc.checksum_line(b"h.txt"), b"h.txt AF083B2D\n");
    }

    #[test]
    fn algorithm_names_parse_both_ways() {
        for algorithm in HashAlgorithm::ALL {
            assert_eq!(algorithm.name().parse(), Ok(algorithm));
            assert_eq!(HashAlgorithm::from_name(algorithm.name()), Some(algorithm));
        }
        assert_eq!("sha256".parse(), Ok(HashAlgorithm::Sha256));
        assert_eq!("CRC32".parse(), Ok(HashAlgorithm::Crc32));
        assert!("sha3".parse::<HashAlgorithm>().is_err());
    }

    #[test]
    fn x_replies_take_any_case_and_only_the_right_length() {
        let digest = decode_x(
            &reply(b"250-Computing CRC32 digest\r\n250 AF083B2D\r\n"),
            HashAlgorithm::Crc32,
        )
        .unwrap();
        assert_eq!(digest.to_string(), "af083b2d");
        assert_eq!(digest.bytes(), [0xaf, 0x08, 0x3b, 0x2d]);
        assert!(digest.covers(12) && digest.range().is_none());
        for bad in [
            &b"250 AF083B2\r\n"[..],
            b"250 AF083B2DD\r\n",
            b"250 AF083B2G\r\n",
            b"250 AF083B2D extra\r\n",
            b"200 AF083B2D\r\n",
        ] {
            let error = decode_x(&reply(bad), HashAlgorithm::Crc32).unwrap_err();
            assert!(matches!(error, DecodeError::Hash { .. }), "{error}");
        }
    }

    #[test]
    fn hash_ranges_must_cover_the_file() {
        let digest = decode_hash(
            &reply(b"213 CRC32 0-0 00000000 empty\r\n"),
            HashAlgorithm::Crc32,
        )
        .unwrap();
        assert!(digest.covers(0) && !digest.covers(2));
        let digest = decode_hash(
            &reply(b"213 MD5 0-12 6f5902ac237024bdd0c176cb93063dc4 h\r\n"),
            HashAlgorithm::Md5,
        )
        .unwrap();
        assert!(digest.covers(12) && digest.covers(13) && !digest.covers(11));
        let error = decode_hash(
            &reply(b"213 MD5 5-12 6f5902ac237024bdd0c176cb93063dc4 h\r\n"),
            HashAlgorithm::Md5,
        )
        .unwrap_err();
        assert!(error.to_string().contains("from its start"), "{error}");
    }
}
