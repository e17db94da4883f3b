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

/// `--algo`'s values: the library's algorithms by their short names
/// ([`HashAlgorithm::short_name`]), each with the tool that checks its
/// lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Algo(pub HashAlgorithm);

const ALGOS: [Algo; 5] = {
    let all = HashAlgorithm::ALL;
    [
        Algo(all[0]),
        Algo(all[1]),
        Algo(all[2]),
        Algo(all[3]),
        Algo(all[4]),
    ]
};

impl clap::ValueEnum for Algo {
    fn value_variants<'a>() -> &'a [Self] {
        &ALGOS
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let algorithm = self.0;
        let (title, check) = match algorithm {
            HashAlgorithm::Crc32 => ("CRC-32", "SFV lines, `cksfv -f` or `rhash -c`".to_owned()),
            _ => (
                algorithm.name(),
                format!("`{}sum -c`", algorithm.short_name()),
            ),
        };
        let help = format!(
            "{title} (`HASH {}` or `{}`): {check}",
            algorithm.name(),
            algorithm.x_command()
        );
        Some(clap::builder::PossibleValue::new(algorithm.short_name()).help(help))
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
    let algorithm = algo.0;
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
