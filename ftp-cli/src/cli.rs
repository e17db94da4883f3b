//! The command line: what `ftp-cli --help` shows.

use std::time::Duration;

use clap::{Parser, Subcommand};
use ftp_client::engine::RetryPolicy;

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
  ftp-cli ls -l ftp://ftp.example.net/pub/
  ftp-cli cp -r -u ftp://alice:s3cret@example.net/photos ~/backup/
  ftp-cli rm -r --dry-run ftp://alice:s3cret@example.net/backups/2019/
  ftp-cli sync --delete ftp://alice:s3cret@example.net/site ./mirror
  ftp-cli --retry 5 cp ftp://example.net/pub/big.iso ./
  ftp-cli --limit-rate 500K cp ftp://example.net/pub/big.iso ./
  ftp-cli --limit-total 2M cp -r -j 4 ftp://example.net/pub/isos ./
  ftp-cli --active cp ftp://example.net/pub/README ./
  ftp-cli --proxy socks5h://proxy.corp:1080 ls ftp://ftp.example.net/pub/

Proxies: --proxy socks5h://[user:password@]host[:port] sends the control and
every data connection through a SOCKS5 proxy that resolves the server's name
(socks5:// resolves it here; active mode uses the proxy's BIND); --proxy
http://host:port tunnels them through HTTP CONNECT (passive mode only). TLS
runs end to end: the proxy sees only ciphertext. Without --proxy, ftp_proxy,
FTP_PROXY, all_proxy or ALL_PROXY (the first set) names the proxy, as in curl;
--noproxy HOSTS (or no_proxy/NO_PROXY) lists hosts reached directly. -v names
the proxy hop, never its password. A malformed proxy URL exits with 2.

Logins: the URL's user and password first, then -u/--user USER[:PASSWORD], the
password in the environment variable FTP_PASSWORD, then ~/.netrc (or
--netrc-file FILE; --no-netrc skips it), then anonymous. A named user with no
password anywhere is asked for one when standard input is a terminal.

Exit status: 0 success, 1 the operation failed, 2 bad usage; interrupted by a
signal during a run: 130 (SIGINT, Ctrl-C), 143 (SIGTERM), 129 (SIGHUP), after
removing the temporary files (with -C the partial file is kept to resume, and
an interrupted upload's file is deleted on the server); a second Ctrl-C exits
at once.";

/// Transfer files to and from FTP servers.
#[derive(Debug, Parser)]
#[command(name = "ftp-cli", version, long_version = long_version(), after_help = AFTER_HELP)]
pub struct Cli {
    /// Print the conversation with the server on stderr (password masked)
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Show no progress bar
    #[arg(short, long, global = true, conflicts_with = "progress")]
    pub quiet: bool,

    /// Show the progress bar on stderr even when it is not a terminal (or
    /// with -v); by default it is shown on a terminal only
    #[arg(long, global = true)]
    pub progress: bool,

    /// Give up on a connection, reply or data transfer silent for this long
    /// (seconds; default 30 to connect, 60 for replies and data)
    #[arg(long, global = true, value_name = "SECONDS", value_parser = parse_timeout)]
    pub timeout: Option<Duration>,

    /// Log in as USER (with PASSWORD, or a prompt, FTP_PASSWORD or .netrc
    /// when none is given); a URL's own user and password come first
    #[arg(long = "user", global = true, value_name = "USER[:PASSWORD]")]
    pub user: Option<String>,

    /// --user, as in curl; before the command only (after it, cp's -u is
    /// --update)
    #[arg(short = 'u', value_name = "USER[:PASSWORD]", conflicts_with = "user")]
    pub user_short: Option<String>,

    /// Read logins from FILE instead of ~/.netrc
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "no_netrc")]
    pub netrc_file: Option<std::path::PathBuf>,

    /// Do not read ~/.netrc
    #[arg(long, global = true)]
    pub no_netrc: bool,

    /// Require TLS for ftp:// URLs (AUTH TLS, as ftpes://); fail if the server refuses
    #[arg(long, global = true)]
    pub tls: bool,

    /// Trust only the CA certificates in this PEM file (instead of the system's)
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "insecure")]
    pub cacert: Option<std::path::PathBuf>,

    /// Accept any server certificate (still encrypted, but not authenticated)
    #[arg(short = 'k', long, global = true)]
    pub insecure: bool,

    /// The newest TLS version to use: 1.2 or 1.3 (default; a server whose greeting names proFTPD gets
    /// 1.2, as it issues no TLS 1.3 session ticket for uploads)
    #[arg(long, global = true, value_name = "VERSION", value_parser = parse_tls_version)]
    pub tls_max: Option<ftp_client::TlsVersion>,

    /// Active mode: the server connects to us for data (EPRT, or PORT),
    /// for servers whose passive ports a firewall closes. We listen on
    /// the control connection's local address, or on ADDRESS (an IP
    /// address of this host; '-' is the default) given as --active=ADDRESS,
    /// and accept only a connection from the server's IP
    #[arg(long, global = true, value_name = "ADDRESS", num_args = 0..=1,
          require_equals = true, default_missing_value = "-", value_parser = parse_active)]
    pub active: Option<ActiveAddress>,

    /// Retry a single-file cp or mv up to N times after a failure that may
    /// pass: a connection refused, reset or lost, a timeout, 421 or any
    /// other 4xx reply (never a 5xx). A retried download continues where
    /// the last attempt stopped (REST) where the server allows
    #[arg(long, global = true, value_name = "N", default_value_t = 0)]
    pub retry: u32,

    /// Wait before the first retry (seconds, default 1); each next wait
    /// doubles, up to 600, with up to a quarter more at random
    #[arg(long, global = true, value_name = "SECONDS", value_parser = parse_retry_delay)]
    pub retry_delay: Option<Duration>,

    /// Start no retry once this long has passed since the first attempt
    /// (seconds)
    #[arg(long, global = true, value_name = "SECONDS", value_parser = parse_timeout)]
    pub retry_max_time: Option<Duration>,

    /// Connect through this proxy, control and data connections alike:
    /// socks5://[USER:PASSWORD@]HOST[:PORT] (names resolved here),
    /// socks5h://… (the proxy resolves them) or http://… (HTTP CONNECT; no
    /// --active). Default: ftp_proxy, FTP_PROXY, all_proxy or ALL_PROXY
    /// from the environment (the first set); port 1080 unless given
    #[arg(long, global = true, value_name = "URL")]
    pub proxy: Option<String>,

    /// Reach these hosts without the proxy: a comma-separated list of
    /// names (each also matching the names under it) and addresses, or
    /// '*' for all. Default: no_proxy or NO_PROXY from the environment
    #[arg(long, global = true, value_name = "HOSTS")]
    pub noproxy: Option<String>,

    /// Hold each transfer to RATE bytes per second, as curl: 500K, 10M,
    /// 1G or plain bytes (K, M, G are 1024-based, either case); accurate
    /// within 5 % over 10 s
    #[arg(long, global = true, value_name = "RATE", value_parser = parse_rate)]
    pub limit_rate: Option<ftp_client::RateLimit>,

    /// Hold all the transfers of this run together to RATE bytes per
    /// second (the sessions of cp -r -j N and sync -j N share it); same
    /// syntax as --limit-rate
    #[arg(long, global = true, value_name = "RATE", value_parser = parse_rate)]
    pub limit_total: Option<ftp_client::RateLimit>,

    /// Download each file over N sessions at once (1 to 16; default 1),
    /// as lftp's pget -n: its size split into N ranges (fewer for a file
    /// under N MiB), each fetched from its own offset (REST) into the one
    /// temporary file, renamed into place once every range is whole and
    /// the total matches SIZE. Pays off where the server caps each
    /// connection's rate. A failed range is retried (--retry) from where
    /// it stopped; with -C only the missing ranges are fetched again. A
    /// server without REST gets one connection, with a warning. With -r
    /// and sync: files of at least --segment-threshold
    #[arg(long, global = true, value_name = "N", value_parser = parse_segments)]
    pub segments: Option<usize>,

    /// With --segments, -r and sync: segment only files of at least SIZE
    /// bytes (curl-style: 500K, 64M, 1G; default 64M)
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_size,
          requires = "segments")]
    pub segment_threshold: Option<u64>,

    #[command(subcommand)]
    pub command: Operation,
}

/// The most sessions `--segments` takes.
pub const MAX_SEGMENTS: usize = 16;

/// `--segments N`: 1 to [`MAX_SEGMENTS`].
fn parse_segments(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_SEGMENTS).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a number of sessions from 1 to {MAX_SEGMENTS}"
        )),
    }
}

/// A size in curl's syntax (500K, 64M, 1G; 1024-based), above zero.
fn parse_size(text: &str) -> Result<u64, String> {
    text.parse::<ftp_client::RateLimit>()
        .map(|size| size.bytes_per_second())
        .map_err(|_| format!("expected a size above zero, such as 500K, 64M or 1G (got {text:?})"))
}

/// One operation per invocation.
#[derive(Debug, Subcommand)]
pub enum Operation {
    /// List a remote directory, one entry per line (the server's LIST format)
    #[command(after_help = "\
Without options, the server's own listing is printed byte for byte. With -l,
--json or -1 the listing is parsed (MLSD where the server has it, LIST
otherwise) and printed the same way whatever the server:
  -l      type and permissions, size, ISO 8601 time (with Z when UTC, to the
          minute or the day when the server gave no more), name, -> target
  --json  one JSON object per entry and line: name, type, size, modified,
          precision, utc, mode, owner, group, target (name_hex for names
          that are not UTF-8; raw for lines that were not understood)
  -1      names only
A URL without a trailing '/' that names a file shows that file's one entry
(MLST where the server has it). Names are printed with control characters
escaped (\\xNN).

Examples:
  ftp-cli ls ftp://ftp.example.net/pub/
  ftp-cli ls -l ftp://ftp.example.net/pub/
  ftp-cli ls --json ftp://ftp.example.net/pub/ | jq -r 'select(.type==\"file\") | .name'
  ftp-cli ls ftps://alice:s3cret@example.net/ --cacert ca.pem")]
    Ls {
        /// The directory (or file) to list
        url: String,
        /// Uniform long format: type and permissions, size, time, name
        #[arg(short = 'l', long = "long", conflicts_with_all = ["json", "names"])]
        long: bool,
        /// One JSON object per entry and line
        #[arg(long, conflicts_with = "names")]
        json: bool,
        /// Names only, one per line
        #[arg(short = '1', id = "names")]
        names: bool,
    },
    /// Create a remote directory
    #[command(
        after_help = "Examples:\n  ftp-cli mkdir ftp://alice:s3cret@example.net/backups/2026/\n  ftp-cli mkdir -p ftp://alice:s3cret@example.net/backups/2026/11/30/"
    )]
    Mkdir {
        /// The directory to create
        url: String,
        /// Create the missing parent directories too; no error if the
        /// directory exists
        #[arg(short = 'p', long)]
        parents: bool,
    },
    /// Delete a remote file, or with -r a whole directory tree
    #[command(after_help = "\
With -r, the tree is listed first; then every entry the listings named and
the name check accepted is deleted, deepest first, and the directory last.
A name that is not one path component ('..', 'a/b', control characters,
cdir/pdir entries) is never acted on: it is reported, and the directory
holding it stays. The login directory (ftp://host/) and the root
(ftp://host//) are refused without --force.

Examples:
  ftp-cli rm ftp://alice:s3cret@example.net/backups/old.tar
  ftp-cli rm -r --dry-run ftp://alice:s3cret@example.net/backups/2019/
  ftp-cli rm -r ftp://alice:s3cret@example.net/backups/2019/")]
    Rm {
        /// The file (with -r: the directory) to delete
        url: String,
        /// Delete a directory and everything in it
        #[arg(short = 'r', long)]
        recursive: bool,
        /// With -r: allow deleting everything in the login or root directory
        #[arg(long, requires = "recursive")]
        force: bool,
        /// With -r: print what would be deleted, delete nothing
        #[arg(long, requires = "recursive")]
        dry_run: bool,
    },
    /// Delete an empty remote directory
    #[command(
        after_help = "Example:\n  ftp-cli rmdir ftp://alice:s3cret@example.net/backups/2019/"
    )]
    Rmdir {
        /// The directory to delete
        url: String,
    },
    /// Copy a file (or with -r a tree); exactly one of SRC and DST is an ftp://, ftps:// or ftpes:// URL
    #[command(after_help = "\
With -r, the tree is listed first, then copied: into DST/NAME when DST is a
directory, else as DST (created). Downloaded files get the server's time to
the second: MLSD's where the server has it; where it lists with LIST (to the
minute or the day), MDTM asks each copied file's exact time. Uploaded files
get theirs with MFMT where the server has it; where it has not, they keep
the time the server wrote them (-v says so), and no other command is tried
(a two-argument MDTM is a file name to most servers). A single-file cp keeps
no times. Empty directories and empty files are copied. -u copies only
files missing at DST or differing in size, or older there: compared at the
precision the listing gives, and where that cannot tell (a LIST time within
a day of the other), by the exact time (MDTM). -j N moves files over N sessions
(default 4; a server that refuses more gets fewer). A remote name that is
not exactly one path component ('..', 'a/b', '\\', control characters,
absolute names, cdir/pdir), names that collide on a case-insensitive file
system, and symbolic links (unless -L, uploads) are reported and skipped;
nothing is ever written outside DST or through an existing local symbolic
link. Failures do not stop the copy: a summary (files, bytes, failures)
ends it, and the exit status is 1 if anything failed.

A download goes to a temporary file beside DST, renamed into place once the
server confirms it complete. An upload asks the server (SIZE) whether the
target exists: a new file is uploaded straight to its name (so upload-only
drop boxes work, and a failed upload's partial file is deleted where the
server allows); an existing file is replaced only by a complete upload, sent
to a temporary name beside it and renamed over it. A failed copy leaves an
existing DST as it was. If DST is a directory (or ends with '/'; a remote
one with or without it), the source's file name is added.

SRC '-' uploads standard input (as curl -T -), streamed: DST names the
file. With no size known beforehand nothing is checked against one, and
nothing can be resumed or retried (no -C, --retry, -r or mv with '-'). A new
file is written straight to its name (a failed upload's part is deleted
where the server allows); an existing file is replaced only by a complete
upload, sent to a temporary name and renamed over it.

With -C (--continue), a download goes to DST's deterministic partial name,
.NAME.part beside it: if that file is there from an interrupted -C run, the
rest is asked for from its end (REST, then RETR). It is renamed into place
only once the server confirmed the transfer and the total matches the
server's SIZE; if the transfer fails, the partial file stays for the next
-C run. An upload with -C goes to .NAME.part beside the remote DST, continues
it from the size the server reports (REST + STOR where FEAT lists REST
STREAM, else APPE), and renames it over DST once complete (so -C needs a
server that allows renaming). A server without REST is an error with -C,
never a silent restart from zero.

Examples:
  ftp-cli cp ./report.pdf ftp://alice:s3cret@example.net/backups/
  ftp-cli cp ftp://example.net/pub/README.txt ~/Downloads/
  ftp-cli cp ./report.pdf ftpes://alice:s3cret@example.net/backups/ --cacert ca.pem
  ftp-cli cp --tls-max 1.2 ftps://alice:s3cret@example.net/data.csv ./
  ftp-cli cp -C ftp://example.net/pub/big.iso ./big.iso
  ftp-cli cp a.csv b.csv c.csv ftp://alice:s3cret@example.net/inbox/
  tar c photos | ftp-cli cp - ftp://alice:s3cret@example.net/backups/photos.tar
  ftp-cli cp ftp://example.net/pub/a.txt ftp://example.net/pub/b.txt ./docs/

With several sources, DST must be a directory: a URL ending in '/' or an
existing local directory. All the files go over one session, so remote
sources must be on one server with one login (others are a usage error);
a file refused with a 4xx or cut off by the network is tried once more in a
new session. A file that fails is reported and the rest goes on; a summary (files,
bytes, failures) ends the run, and the exit status is 1 if any failed.
Several sources take no -r or -C, and --retry applies to one file only.")]
    Cp {
        /// The file(s) to copy: local paths or URLs (several: all on the
        /// same side, DST a directory); '-' uploads standard input
        #[arg(required = true, num_args = 1.., value_name = "SRC")]
        src: Vec<String>,
        /// Where to copy it: a URL or a local path
        dst: String,
        /// Copy a directory tree (into DST/NAME if DST is a directory,
        /// else as DST)
        #[arg(short = 'r', long)]
        recursive: bool,
        /// With -r: copy only files missing at DST or differing in size, or
        /// older there (to the second: MDTM where the listing cannot tell)
        #[arg(short = 'u', long, requires = "recursive")]
        update: bool,
        /// With -r: follow symbolic links (local ones on upload, the
        /// server's on download), with loop detection
        #[arg(short = 'L', long, requires = "recursive")]
        dereference: bool,
        /// With -r: sessions in parallel (default 4; fewer if the server
        /// refuses more)
        #[arg(short = 'j', long, default_value_t = crate::tree::DEFAULT_JOBS,
              value_parser = crate::tree::parse_jobs, requires = "recursive")]
        jobs: usize,
        /// Upload: create the target's missing directories first (curl's
        /// --ftp-create-dirs)
        #[arg(long, conflicts_with = "recursive")]
        create_dirs: bool,
        /// Resume: continue the partial file (.NAME.part beside DST) that an
        /// interrupted -C run left, and keep it if this one fails too
        #[arg(short = 'C', long = "continue", conflicts_with = "recursive")]
        resume: bool,
        /// Check the copy against the server's digest (HASH, XSHA256…),
        /// computed locally while the bytes stream; by size where the
        /// server has no hash ("size only"). A mismatch is an error naming
        /// both digests, and the copy is not put in place. With -r, each
        /// file; the summary says how many were checked by size only
        #[arg(long, conflicts_with = "resume")]
        verify: bool,
    },
    /// Move a file: copy it, then delete the source once the copy is confirmed
    #[command(after_help = "\
The source is deleted only after the server confirmed the transfer, the byte
count matches, and (where the server supports SIZE) the sizes agree. If the
source cannot be deleted, both copies stay and the exit status is 1.

Examples:
  ftp-cli mv ./upload.zip ftp://alice:s3cret@example.net/incoming/
  ftp-cli mv ftp://alice:s3cret@example.net/outbox/data.csv ./data.csv
  ftp-cli mv a.csv b.csv ftp://alice:s3cret@example.net/inbox/

With several sources, DST must be a directory, as for cp; each source is
deleted once its own copy is confirmed.")]
    Mv {
        /// The file(s) to move: local paths or URLs (several: all on the
        /// same side, DST a directory)
        #[arg(required = true, num_args = 1.., value_name = "SRC")]
        src: Vec<String>,
        /// Where to move it: an ftp:// URL or a local path
        dst: String,
        /// Move a directory tree: the source is deleted only once every
        /// file of it is confirmed copied
        #[arg(short = 'r', long)]
        recursive: bool,
        /// With -r: sessions in parallel (default 4)
        #[arg(short = 'j', long, default_value_t = crate::tree::DEFAULT_JOBS,
              value_parser = crate::tree::parse_jobs, requires = "recursive")]
        jobs: usize,
        /// Upload: create the target's missing directories first
        #[arg(long, conflicts_with = "recursive")]
        create_dirs: bool,
        /// Resume an interrupted -C move (see cp -C)
        #[arg(short = 'C', long = "continue", conflicts_with = "recursive")]
        resume: bool,
        /// Check the copy as cp --verify does before the source is deleted:
        /// a mismatch keeps the source
        #[arg(long, conflicts_with = "resume")]
        verify: bool,
    },
    /// Print the server's digest of each file (HASH, or XSHA256 and its
    /// siblings), as sha256sum and its siblings print theirs
    #[command(after_help = "\
The server computes the digest: HASH (draft-bryan-ftpext-hash) where its FEAT
lists the algorithm, else the algorithm's own command (XSHA256, XSHA512,
XSHA1, XMD5, XCRC). A server with neither is an error for that file (exit 1).
Lines are HEX, two spaces, the URL's file name, which sha256sum -c (sha512sum,
sha1sum, md5sum) reads in the directory a download went to; for crc32 (zlib's
CRC-32, not cksum's) they are SFV lines, NAME HEX, which cksfv -f and rhash -c
read. A file that fails is reported on stderr and the others go on.

Examples:
  ftp-cli hash ftp://ftp.example.net/pub/release.tar.gz
  ftp-cli cp ftp://example.net/pub/a.iso ./ && ftp-cli hash ftp://example.net/pub/a.iso | sha256sum -c
  ftp-cli hash --algo md5 ftp://example.net/pub/a.iso ftp://example.net/pub/b.iso > MD5SUMS")]
    Hash {
        /// The digest algorithm
        #[arg(long, value_enum, default_value_t = crate::hash::Algo(ftp_client::HashAlgorithm::Sha256))]
        algo: crate::hash::Algo,
        /// The files: URLs (one session for those on one server and login)
        #[arg(required = true, num_args = 1.., value_name = "URL")]
        urls: Vec<String>,
    },
    /// Make a directory match another, one side remote, either way
    #[command(after_help = crate::sync::AFTER_HELP)]
    Sync(Box<crate::sync::SyncArgs>),
    /// Print a completion script for a shell
    #[command(after_help = "\
Examples:
  ftp-cli completions bash > ~/.local/share/bash-completion/completions/ftp-cli
  ftp-cli completions zsh > \"${fpath[1]}/_ftp-cli\"
  ftp-cli completions fish > ~/.config/fish/completions/ftp-cli.fish")]
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff)
    #[command(after_help = "Example:\n  ftp-cli man > ftp-cli.1 && man ./ftp-cli.1")]
    Man,
}

/// `--version`: the version and the TLS library.
fn long_version() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        format!(
            "{}\nTLS: {}",
            env!("CARGO_PKG_VERSION"),
            ftp_client::TLS_LIBRARY
        )
    })
}

/// `--active`'s address: `None` for the control connection's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActiveAddress(pub Option<std::net::IpAddr>);

fn parse_active(text: &str) -> Result<ActiveAddress, String> {
    if text == "-" {
        return Ok(ActiveAddress(None));
    }
    // Brackets as in a URL are fine for IPv6: [::1].
    let bare = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    bare.parse().map(|ip| ActiveAddress(Some(ip))).map_err(|_| {
        "expected an IP address of this host, or '-' for the control connection's address"
            .to_owned()
    })
}

fn parse_tls_version(text: &str) -> Result<ftp_client::TlsVersion, String> {
    match text {
        "1.2" => Ok(ftp_client::TlsVersion::Tls12),
        "1.3" => Ok(ftp_client::TlsVersion::Tls13),
        _ => Err("expected 1.2 or 1.3".to_owned()),
    }
}

fn parse_retry_delay(text: &str) -> Result<Duration, String> {
    match text.parse::<f64>() {
        Ok(seconds) if (0.0..=600.0).contains(&seconds) => Ok(Duration::from_secs_f64(seconds)),
        _ => Err("expected a number of seconds from 0 to 600".to_owned()),
    }
}

fn parse_timeout(text: &str) -> Result<Duration, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds <= 86_400.0 => Ok(Duration::from_secs_f64(seconds)),
        _ => Err("expected a number of seconds between 0 and 86400".to_owned()),
    }
}

/// A rate in curl's `--limit-rate` syntax.
fn parse_rate(text: &str) -> Result<ftp_client::RateLimit, String> {
    text.parse().map_err(|e: ftp_client::ParseRateError| {
        format!(
            "expected bytes per second above zero, such as 500K, 10M or 1G (got {:?})",
            e.text
        )
    })
}

impl Cli {
    /// What `--limit-rate` and `--limit-total` hold each transfer to.
    pub fn rate_limits(&self) -> ftp_client::RateLimits {
        let each = self
            .limit_rate
            .as_ref()
            .and_then(|l| std::num::NonZeroU64::new(l.bytes_per_second()));
        ftp_client::RateLimits::new()
            .each(each)
            .total(self.limit_total.clone())
    }

    /// Where the login comes from, beside the URL.
    pub fn login(&self) -> crate::credentials::LoginOptions {
        use crate::credentials::{LoginOptions, NetrcSource};
        LoginOptions {
            user: self
                .user
                .as_deref()
                .or(self.user_short.as_deref())
                .map(LoginOptions::parse_user),
            netrc: match (&self.netrc_file, self.no_netrc) {
                (_, true) => NetrcSource::Off,
                (Some(file), false) => NetrcSource::File(file.clone()),
                (None, false) => NetrcSource::Default,
            },
        }
    }

    /// `--segments` and `--segment-threshold`: the sessions a download
    /// may use, and the size from which a tree's files use them.
    pub fn segments(&self) -> crate::rate::Segments {
        crate::rate::Segments {
            count: self.segments.unwrap_or(1),
            threshold: self
                .segment_threshold
                .unwrap_or(crate::rate::DEFAULT_THRESHOLD),
        }
    }

    /// The `--retry` settings.
    pub fn retry_policy(&self) -> RetryPolicy {
        let policy = RetryPolicy::new(self.retry).with_max_time(self.retry_max_time);
        match self.retry_delay {
            Some(delay) => policy.with_delay(delay),
            None => policy,
        }
    }

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
        if let Some(ActiveAddress(address)) = self.active {
            config.data_mode = ftp_client::DataMode::Active { address };
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
