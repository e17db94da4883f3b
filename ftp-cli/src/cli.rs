//! The command line: what `ftp-cli --help` shows.

use std::time::Duration;

use clap::{Parser, Subcommand};

const AFTER_HELP: &str = "\
URLs: ftp://[user[:password]@]host[:port]/path
  ftps://…  TLS from the first byte (implicit FTPS, port 990 unless given)
  ftpes://… TLS asked for with AUTH TLS (explicit FTPS, port 21), required;
            --tls makes ftp:// URLs mean the same
  Over TLS the server's certificate is checked against the system's root
  certificates (or --cacert), user name, password and data are encrypted,
  and a server that refuses TLS is left before anything is sent in clear.
  Parts are percent-encoded (a space is %20, @ in a password is %40, # is %23,
  ? is %3F). The user is anonymous and the port 21 unless given. The path is
  relative to the login directory; start it with a second slash for an
  absolute path (ftp://host//srv/file). A URL naming a directory ends with '/'.
  A URL is used exactly as typed or refused: raw spaces, control characters,
  backslashes, '.' and '..' segments, an empty host or a shorthand IPv4
  address (127.1) are errors, never repaired into another name.

Examples:
  ftp-cli ls ftp://ftp.example.net/pub/
  ftp-cli ls ftpes://alice:s3cret@example.net/ --cacert company-ca.pem
  ftp-cli cp report.pdf ftps://alice:s3cret@example.net/backups/
  ftp-cli mkdir ftp://alice:s3cret@example.net/backups/
  ftp-cli cp report.pdf ftp://alice:s3cret@example.net/backups/
  ftp-cli cp ftp://example.net/pub/README ./
  ftp-cli mv ftp://alice:s3cret@example.net/inbox/data.csv data.csv
  ftp-cli -v rm ftp://alice:s3cret@example.net/backups/old.tar

Exit status: 0 success, 1 the operation failed, 2 bad usage.";

/// Transfer files to and from FTP servers.
#[derive(Debug, Parser)]
#[command(name = "ftp-cli", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// Print the conversation with the server on stderr (password masked)
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Give up on a connection, reply or data transfer silent for this long
    /// (seconds; default 30 to connect, 60 for replies and data)
    #[arg(long, global = true, value_name = "SECONDS", value_parser = parse_timeout)]
    pub timeout: Option<Duration>,

    /// Require TLS for ftp:// URLs (AUTH TLS, as ftpes://); fail if the server refuses
    #[arg(long, global = true)]
    pub tls: bool,

    /// Trust only the CA certificates in this PEM file (instead of the system's)
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "insecure")]
    pub cacert: Option<std::path::PathBuf>,

    /// Accept any server certificate (still encrypted, but not authenticated)
    #[arg(short = 'k', long, global = true)]
    pub insecure: bool,

    /// The newest TLS version to use: 1.2 or 1.3 (default)
    #[arg(long, global = true, value_name = "VERSION", value_parser = parse_tls_version)]
    pub tls_max: Option<ftp_client::TlsVersion>,

    #[command(subcommand)]
    pub command: Operation,
}

/// One operation per invocation.
#[derive(Debug, Subcommand)]
pub enum Operation {
    /// List a remote directory, one entry per line (the server's LIST format)
    #[command(
        after_help = "Examples:\n  ftp-cli ls ftp://ftp.example.net/pub/\n  ftp-cli ls ftps://alice:s3cret@example.net/ --cacert ca.pem"
    )]
    Ls {
        /// The directory (or file) to list
        url: String,
    },
    /// Create a remote directory
    #[command(
        after_help = "Example:\n  ftp-cli mkdir ftp://alice:s3cret@example.net/backups/2026/"
    )]
    Mkdir {
        /// The directory to create
        url: String,
    },
    /// Delete a remote file
    #[command(after_help = "Example:\n  ftp-cli rm ftp://alice:s3cret@example.net/backups/old.tar")]
    Rm {
        /// The file to delete
        url: String,
    },
    /// Delete an empty remote directory
    #[command(
        after_help = "Example:\n  ftp-cli rmdir ftp://alice:s3cret@example.net/backups/2019/"
    )]
    Rmdir {
        /// The directory to delete
        url: String,
    },
    /// Copy a file; exactly one of SRC and DST is an ftp://, ftps:// or ftpes:// URL
    #[command(after_help = "\
A download goes to a temporary file beside DST, renamed into place once the
server confirms it complete. An upload asks the server (SIZE) whether the
target exists: a new file is uploaded straight to its name (so upload-only
drop boxes work, and a failed upload's partial file is deleted where the
server allows); an existing file is replaced only by a complete upload, sent
to a temporary name beside it and renamed over it. A failed copy leaves an
existing DST as it was. If DST is a directory (or ends with '/'), the
source's file name is added.

Examples:
  ftp-cli cp ./report.pdf ftp://alice:s3cret@example.net/backups/
  ftp-cli cp ftp://example.net/pub/README.txt ~/Downloads/
  ftp-cli cp ./report.pdf ftpes://alice:s3cret@example.net/backups/ --cacert ca.pem
  ftp-cli cp --tls-max 1.2 ftps://alice:s3cret@example.net/data.csv ./")]
    Cp {
        /// The file to copy: a local path or a URL
        src: String,
        /// Where to copy it: a URL or a local path
        dst: String,
    },
    /// Move a file: copy it, then delete the source once the copy is confirmed
    #[command(after_help = "\
The source is deleted only after the server confirmed the transfer, the byte
count matches, and (where the server supports SIZE) the sizes agree. If the
source cannot be deleted, both copies stay and the exit status is 1.

Examples:
  ftp-cli mv ./upload.zip ftp://alice:s3cret@example.net/incoming/
  ftp-cli mv ftp://alice:s3cret@example.net/outbox/data.csv ./data.csv")]
    Mv {
        /// The file to move: a local path or an ftp:// URL
        src: String,
        /// Where to move it: an ftp:// URL or a local path
        dst: String,
    },
}

fn parse_tls_version(text: &str) -> Result<ftp_client::TlsVersion, String> {
    match text {
        "1.2" => Ok(ftp_client::TlsVersion::Tls12),
        "1.3" => Ok(ftp_client::TlsVersion::Tls13),
        _ => Err("expected 1.2 or 1.3".to_owned()),
    }
}

fn parse_timeout(text: &str) -> Result<Duration, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds <= 86_400.0 => Ok(Duration::from_secs_f64(seconds)),
        _ => Err("expected a number of seconds between 0 and 86400".to_owned()),
    }
}

impl Cli {
    /// The client settings the options ask for.
    pub fn config(&self) -> ftp_client::Config {
        let mut config = ftp_client::Config::default();
        if let Some(timeout) = self.timeout {
            config.connect_timeout = timeout;
            config.control_timeout = timeout;
            config.data_timeout = timeout;
            config.final_reply_timeout = timeout;
        }
        if self.tls {
            config.tls = ftp_client::TlsMode::Explicit;
        }
        if let Some(version) = self.tls_max {
            config.tls_max_version = version;
        }
        if self.insecure {
            config.tls_trust = ftp_client::Trust::AcceptAnyCertificate;
        } else if let Some(path) = &self.cacert {
            config.tls_trust = ftp_client::Trust::CaFile(path.clone());
        }
        config
    }
}
