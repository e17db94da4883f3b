//! Verified transfers: the digest of the bytes computed as they stream
//! ([`Hasher`]), compared with the one the server computes
//! ([`Client::hash`]); by size where the server has no hash.

use std::io::{self, Read, Write};
use std::sync::mpsc;

use md5::Digest as _;

use crate::{Client, Digest, Error, HashAlgorithm, Timestamp};

/// A digest computed locally, fed as the bytes go by.
///
/// ```
/// use ftp_client::engine::Hasher;
/// use ftp_client::HashAlgorithm;
/// let mut hasher = Hasher::new(HashAlgorithm::Sha256);
/// hasher.update(b"ab");
/// hasher.update(b"c");
/// assert_eq!(
///     hasher.finish().to_string(),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
#[derive(Clone)]
pub struct Hasher(State);

#[derive(Clone)]
enum State {
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
    Sha1(sha1::Sha1),
    Md5(md5::Md5),
    Crc32(crc32fast::Hasher),
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Hasher").field(&self.algorithm()).finish()
    }
}

impl Hasher {
    /// A hasher of `algorithm`, fed nothing yet.
    pub fn new(algorithm: HashAlgorithm) -> Hasher {
        Hasher(match algorithm {
            HashAlgorithm::Sha256 => State::Sha256(sha2::Sha256::new()),
            HashAlgorithm::Sha512 => State::Sha512(sha2::Sha512::new()),
            HashAlgorithm::Sha1 => State::Sha1(sha1::Sha1::new()),
            HashAlgorithm::Md5 => State::Md5(md5::Md5::new()),
            HashAlgorithm::Crc32 => State::Crc32(crc32fast::Hasher::new()),
        })
    }

    /// Its algorithm.
    pub fn algorithm(&self) -> HashAlgorithm {
        match self.0 {
            State::Sha256(_) => HashAlgorithm::Sha256,
            State::Sha512(_) => HashAlgorithm::Sha512,
            State::Sha1(_) => HashAlgorithm::Sha1,
            State::Md5(_) => HashAlgorithm::Md5,
            State::Crc32(_) => HashAlgorithm::Crc32,
        }
    }

    /// Feeds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        match &mut self.0 {
            State::Sha256(h) => h.update(bytes),
            State::Sha512(h) => h.update(bytes),
            State::Sha1(h) => h.update(bytes),
            State::Md5(h) => h.update(bytes),
            State::Crc32(h) => h.update(bytes),
        }
    }

    /// The digest of everything fed.
    pub fn finish(self) -> Digest {
        let algorithm = self.algorithm();
        let bytes = match self.0 {
            State::Sha256(h) => h.finalize().to_vec(),
            State::Sha512(h) => h.finalize().to_vec(),
            State::Sha1(h) => h.finalize().to_vec(),
            State::Md5(h) => h.finalize().to_vec(),
            State::Crc32(h) => h.finalize().to_be_bytes().to_vec(),
        };
        // Each hash gives its algorithm's length.
        Digest::new(algorithm, bytes).unwrap_or_else(|| unreachable_digest(algorithm))
    }

    /// Feeds everything `reader` gives (a file read once more, where the
    /// bytes did not all stream in this run); the bytes read.
    pub fn read_all(&mut self, reader: &mut impl Read) -> io::Result<u64> {
        io::copy(reader, &mut Hashing::new(io::sink(), self))
    }
}

/// A digest of the right length is what every hash gives; this is never
/// reached, and gives a digest of zeros rather than a panic.
fn unreachable_digest(algorithm: HashAlgorithm) -> Digest {
    let zeros = vec![0; algorithm.digest_len()];
    Digest::new(algorithm, zeros).unwrap_or_else(|| unreachable_digest(HashAlgorithm::Crc32))
}

/// A writer or reader that feeds a [`Hasher`] what passes through it.
pub(crate) struct Hashing<'h, T> {
    inner: T,
    hasher: &'h mut Hasher,
}

impl<'h, T> Hashing<'h, T> {
    pub(crate) fn new(inner: T, hasher: &'h mut Hasher) -> Self {
        Hashing { inner, hasher }
    }
}

impl<T: Write> Write for Hashing<'_, T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<T: Read> Read for Hashing<'_, T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// The chunks a [`hash_beside`] writer may have waiting for the hashing
/// thread (each up to one write's worth, the download's 256 KiB reads).
const QUEUE: usize = 4;

/// Runs `copy` with a writer into `out` whose bytes `hasher` is fed on a
/// thread of its own, so that hashing overlaps the transfer instead of
/// adding to it: each write goes to `out`, then a copy of its bytes to the
/// thread (at most [`QUEUE`] chunks waiting, their buffers reused). Once
/// `copy` returns, the thread has hashed every byte written.
pub(crate) fn hash_beside<W: Write, T>(
    out: W,
    hasher: &mut Hasher,
    copy: impl FnOnce(&mut HashBeside<W>) -> T,
) -> T {
    let (to_hash, chunks) = mpsc::sync_channel::<Vec<u8>>(QUEUE);
    let (give_back, spare) = mpsc::channel::<Vec<u8>>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for chunk in chunks {
                hasher.update(&chunk);
                // The writer may be gone already: nothing to reuse then.
                let _ = give_back.send(chunk);
            }
        });
        let mut writer = HashBeside {
            out,
            to_hash,
            spare,
        };
        copy(&mut writer)
        // The writer is dropped here, which ends the thread's loop; the
        // scope waits for it.
    })
}

/// The writer of [`hash_beside`].
pub(crate) struct HashBeside<W> {
    out: W,
    to_hash: mpsc::SyncSender<Vec<u8>>,
    spare: mpsc::Receiver<Vec<u8>>,
}

impl<W: Write> Write for HashBeside<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        let mut chunk = self.spare.try_recv().unwrap_or_default();
        chunk.clear();
        chunk.extend_from_slice(&buf[..n]);
        self.to_hash
            .send(chunk)
            .map_err(|_| io::Error::other("the hashing thread ended"))?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// What a verified transfer was checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    /// The server's digest of the file equals the one computed from the
    /// bytes as they went by.
    Digest(Digest),
    /// Size only: the server has no hash, and its SIZE equals the bytes
    /// transferred.
    SizeOnly(u64),
    /// The server has neither a hash nor SIZE: nothing to check against
    /// beyond its confirmation of the transfer.
    Nothing,
}

impl std::fmt::Display for Verified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verified::Digest(digest) => write!(f, "verified: {} {digest}", digest.algorithm()),
            Verified::SizeOnly(size) => write!(
                f,
                "verified: size only ({size} bytes; the server has no hash)"
            ),
            Verified::Nothing => f.write_str("not verified: the server has no hash and no SIZE"),
        }
    }
}

/// Why a verification failed.
#[derive(Debug)]
pub(crate) enum Mismatch {
    /// The digests differ.
    Digest { local: Digest, server: Digest },
    /// The server's digest covers another byte range.
    Range { range: (u64, u64), size: u64 },
    /// No hash; the server's SIZE differs.
    Size { size: u64 },
    /// The server refused or failed to answer.
    Server(Error),
}

/// The algorithm a verified transfer computes: the strongest the server
/// has (FEAT asked once per session); `None` when it has none, or FEAT
/// failed (the check is then by size).
pub(crate) fn algorithm(client: &mut Client) -> Option<HashAlgorithm> {
    client.hash_algorithms().ok()?.first().copied()
}

/// The server's digest `server` against the `local` one of `len` bytes.
pub(crate) fn compare(server: Digest, local: Digest, len: u64) -> Result<Verified, Mismatch> {
    match server.range() {
        Some(range) if !server.covers(len) => Err(Mismatch::Range { range, size: len }),
        _ if server.matches(&local) => Ok(Verified::Digest(server)),
        _ => Err(Mismatch::Digest { local, server }),
    }
}

/// The server's digest of a file, asked on a second session while the
/// transfer runs on the first, so that the server hashes the file while it
/// sends it rather than after (a whole read of the file more, in series).
///
/// The file's time (MDTM) is asked just before the digest. The digest
/// counts only if the transfer's own session, asked again after the
/// transfer, gives the same time ([`Early::still_current`]): a file
/// changed on the server between the transfer and the check is then
/// checked as before, by a digest asked after the transfer; one changed
/// while it was read gives a digest of other bytes than the transfer's.
#[derive(Debug)]
pub(crate) struct Early {
    modified: Timestamp,
    digest: Digest,
}

impl Early {
    /// Asks `checker` for the time and the `algorithm` digest of `remote`;
    /// `None` when it cannot tell either (the check is then made after the
    /// transfer, on the transfer's session).
    pub(crate) fn ask(
        checker: &mut Client,
        remote: &[u8],
        algorithm: HashAlgorithm,
    ) -> Option<Early> {
        let modified = checker.mdtm(remote).ok()?;
        let digest = checker.hash(remote, algorithm).ok()?;
        Some(Early { modified, digest })
    }

    /// The digest, if the file's time on `client` (the transfer's session,
    /// after the transfer) is still the one it had when the digest was
    /// asked.
    pub(crate) fn still_current(self, client: &mut Client, remote: &[u8]) -> Option<Digest> {
        let now = client.mdtm(remote).ok()?;
        (now == self.modified).then_some(self.digest)
    }
}

/// Checks the server's copy of `remote`, `len` bytes: its digest against
/// `local` where there is one, else its SIZE.
pub(crate) fn check(
    client: &mut Client,
    remote: &[u8],
    local: Option<Digest>,
    len: u64,
) -> Result<Verified, Mismatch> {
    if let Some(local) = local {
        match client.hash(remote, local.algorithm()) {
            Ok(server) => return compare(server, local, len),
            // FEAT listed it, yet it cannot be had: by size.
            Err(Error::NoHash { .. }) => {}
            // proFTPD's XCRC, XMD5… refuse an empty file (501, "end (0)
            // not greater than start (0)"): its size says all there is.
            Err(e) if len == 0 && e.code() == Some(501) => {}
            Err(e) => return Err(Mismatch::Server(e)),
        }
    }
    match client.size(remote) {
        Ok(size) if size == len => Ok(Verified::SizeOnly(size)),
        Ok(size) => Err(Mismatch::Size { size }),
        Err(e) if e.code().is_some_and(|c| c >= 500 && c != 550) => Ok(Verified::Nothing),
        Err(e) => Err(Mismatch::Server(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_algorithm_gives_the_known_digest_of_abc() {
        let known = [
            (
                HashAlgorithm::Sha256,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            (
                HashAlgorithm::Sha1,
                "a9993e364706816aba3e25717850c26c9cd0d89d",
            ),
            (HashAlgorithm::Md5, "900150983cd24fb0d6963f7d28e17f72"),
            (HashAlgorithm::Crc32, "352441c2"),
        ];
        for (algorithm, hex) in known {
            let mut hasher = Hasher::new(algorithm);
            let mut through = Hashing::new(Vec::new(), &mut hasher);
            through.write_all(b"abc").unwrap();
            assert_eq!(through.inner, b"abc");
            assert_eq!(hasher.finish().to_string(), hex, "{algorithm}");
        }
        let mut hasher = Hasher::new(HashAlgorithm::Sha512);
        assert_eq!(hasher.read_all(&mut &b"abc"[..]).unwrap(), 3);
        assert!(hasher.finish().to_string().starts_with("ddaf35a193617aba"));
    }

    #[test]
    fn hashing_beside_sees_every_byte_written_in_order() {
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let mut inline = Hasher::new(HashAlgorithm::Sha256);
        inline.update(&data);
        let mut beside = Hasher::new(HashAlgorithm::Sha256);
        let mut out = Vec::new();
        let written = hash_beside(&mut out, &mut beside, |w| {
            // Uneven writes, more than the queue holds.
            for chunk in data.chunks(70_001) {
                w.write_all(chunk)?;
            }
            w.flush().map(|()| data.len())
        })
        .unwrap();
        assert_eq!(written, data.len());
        assert_eq!(out, data);
        assert_eq!(beside.finish(), inline.finish());
        // Nothing written: the digest of nothing.
        let mut empty = Hasher::new(HashAlgorithm::Sha512);
        hash_beside(io::sink(), &mut empty, |_| ());
        assert!(empty.finish().to_string().starts_with("cf83e1357eefb8bd"));
    }
}
