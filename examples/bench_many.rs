//! Per-file overhead benchmark: fetches many small files over one
//! logged-in session and prints the rate. Used by `bench/run.sh`.
//!
//! ```text
//! cargo run --release --example bench_many -- URL N [CA.pem]
//! ```
//!
//! Connects and logs in with the URL's user and password, then retrieves
//! `many/f0000` … `many/f{N-1}` (relative to the URL's path, which should
//! name a directory, e.g. `ftp://u:p@127.0.0.1:2121/`) into memory, one
//! reused `Vec`. Only the retrieval loop is timed (not the login). Prints
//! one line: `files=N bytes=B seconds=S files_per_s=R`.
//!
//! An `ftpes://` (or `ftps://`) URL benchmarks FTPS; CA.pem, if given, is
//! the only certificate authority trusted (as `ftp-cli --cacert`).

use std::process::ExitCode;
use std::time::Instant;

use ftp_client::{Client, Config, FtpUrl, Trust};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (url, n, ca) = match args.as_slice() {
        [url, n] | [url, n, _] => match (FtpUrl::parse(url), n.parse::<usize>()) {
            (Ok(url), Ok(n)) => (url, n, args.get(2)),
            (Err(e), _) => return usage(&format!("bad URL: {e}")),
            (_, Err(e)) => return usage(&format!("bad N: {e}")),
        },
        _ => return usage("expected URL N [CA.pem]"),
    };
    if n > 10_000 {
        return usage("N must be at most 10000 (names are f0000..f9999)");
    }
    let mut config = Config::default();
    if let Some(ca) = ca {
        config.tls_trust = Trust::CaFile(ca.into());
    }
    match run(&url, n, config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench_many: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(url: &FtpUrl, n: usize, config: Config) -> Result<(), ftp_client::Error> {
    let mut base = url.path().to_vec();
    if !base.is_empty() && !base.ends_with(b"/") {
        base.push(b'/');
    }
    base.extend_from_slice(b"many/f");
    let mut ftp = Client::connect_url(url, config)?;
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut path = Vec::with_capacity(base.len() + 4);
    let mut bytes = 0u64;
    let start = Instant::now();
    for i in 0..n {
        path.clear();
        path.extend_from_slice(&base);
        path.extend_from_slice(format!("{i:04}").as_bytes());
        buf.clear();
        bytes += ftp.retrieve(&path, &mut buf)?;
    }
    let seconds = start.elapsed().as_secs_f64();
    ftp.quit()?;
    println!(
        "files={n} bytes={bytes} seconds={seconds:.6} files_per_s={:.1}",
        n as f64 / seconds
    );
    Ok(())
}

fn usage(message: &str) -> ExitCode {
    eprintln!("bench_many: {message}\nusage: bench_many URL N [CA.pem]");
    ExitCode::from(2)
}
