//! `ftp-cli hash`: the digest the server computes for each file, printed
//! as the coreutils checksum tools print theirs
//! ([`Digest::checksum_line`](ftp_client::Digest::checksum_line)), so that
//! after a download `sha256sum -c` (and its siblings) checks the local
//! copies. NAME is the URL's file name: the name `cp URL ./` gives the
//! download.

use std::io::Write;

use ftp_client::engine::copy::Session;
use ftp_client::{Config, FtpUrl, HashAlgorithm};

use crate::credentials::LoginOptions;
use crate::failure::Failure;
use crate::location::remote_url;
use crate::remote::session;

/// `--algo`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Algo {
    /// SHA-256 (`HASH SHA-256` or `XSHA256`): `sha256sum -c`
    Sha256,
    /// SHA-512 (`HASH SHA-512` or `XSHA512`): `sha512sum -c`
    Sha512,
    /// SHA-1 (`HASH SHA-1` or `XSHA1`): `sha1sum -c`
    Sha1,
    /// MD5 (`HASH MD5` or `XMD5`): `md5sum -c`
    Md5,
    /// CRC-32 (`HASH CRC32` or `XCRC`): SFV lines, `cksfv -f` or `rhash -c`
    Crc32,
}

impl From<Algo> for HashAlgorithm {
    fn from(algo: Algo) -> Self {
        match algo {
            Algo::Sha256 => HashAlgorithm::Sha256,
            Algo::Sha512 => HashAlgorithm::Sha512,
            Algo::Sha1 => HashAlgorithm::Sha1,
            Algo::Md5 => HashAlgorithm::Md5,
            Algo::Crc32 => HashAlgorithm::Crc32,
        }
    }
}

/// `ftp-cli hash --algo ALGO URL…`: one line per file on standard output.
/// URLs on one server with one login share a session. A file that fails
/// is reported on stderr and the rest go on (then a line counting the
/// failures); the exit status is 1 if any failed. A URL naming a directory is a usage error, before any
/// connection.
pub fn run(
    algo: Algo,
    urls: &[String],
    config: &Config,
    login: &LoginOptions,
) -> Result<(), Failure> {
    let algorithm = HashAlgorithm::from(algo);
    let mut files = Vec::with_capacity(urls.len());
    for url in urls {
        let url = remote_url("hash", url, login)?;
        let Some(name) = url.file_name().map(<[u8]>::to_vec) else {
            return Err(Failure::usage(format!(
                "hash {url}: the URL names a directory; give a file"
            )));
        };
        files.push((url, name));
    }
    // URLs on another server or with another login: a new session.
    let mut session = session(config);
    let mut failed = 0;
    let mut out = std::io::stdout().lock();
    for (url, name) in &files {
        match digest(&mut session, url, algorithm) {
            Ok(digest) => {
                let line = digest.checksum_line(name);
                if let Err(e) = out.write_all(&line).and_then(|()| out.flush()) {
                    return Err(Failure::failed(format!("hash: writing: {e}")));
                }
            }
            // One file: its failure is the one line.
            Err(failure) if files.len() == 1 => return Err(failure),
            Err(failure) => {
                eprintln!("ftp-cli: {failure}");
                failed += 1;
            }
        }
    }
    session.quit();
    match failed {
        0 => Ok(()),
        n => Err(Failure::failed(format!(
            "hash: {n} of {} file(s) failed",
            files.len()
        ))),
    }
}

/// The server's digest of `url`'s file, over the session.
fn digest(
    session: &mut Session<'_>,
    url: &FtpUrl,
    algorithm: HashAlgorithm,
) -> Result<ftp_client::Digest, Failure> {
    let failed = |e: ftp_client::Error| Failure::failed(format!("hash {url}: {e}"));
    session
        .client(url)
        .map_err(failed)?
        .hash(url.path(), algorithm)
        .map_err(failed)
}
