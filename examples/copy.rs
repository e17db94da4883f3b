//! Single-file copies with the engine (`ftp_client::engine::copy`), as a
//! command-line `cp`/`mv` does them, against a real FTP server in-process.
//!
//! ```text
//! cargo run --example copy
//! ```
//!
//! Uploads a file into a directory that does not exist yet (made first),
//! downloads it back into a local directory under its own name, with
//! retries, then moves it (the server's copy deleted once the download is
//! confirmed), all over one session that reconnects when it must. On the
//! way it copies the file to a second server (streamed from one session
//! into the other, never through a local file) and renames it there (a
//! move on one login is RNFR/RNTO).

use std::fs;

use ftp_client::engine::copy::{Endpoint, FileCopy, Session};
use ftp_client::engine::{Cancel, RetryPolicy};
use ftp_client::{Config, FtpUrl};
use ftp_suite::TestServer;

fn main() {
    let server = TestServer::start();
    if let Err(error) = run(&server) {
        eprintln!("copy: {error}");
        std::process::exit(1);
    }
}

fn run(server: &TestServer) -> Result<(), Box<dyn std::error::Error>> {
    let local = tempfile::tempdir()?;
    let report = local.path().join("report.txt");
    fs::write(&report, "quarterly numbers\n")?;
    let remote_dir = FtpUrl::parse(&server.url("archive/2026/"))?;
    let mut session = Session::new(Config::default());
    let cancel = Cancel::new();

    // Up, into a directory URL: the file keeps its name; --create-dirs.
    let up = FileCopy::new(
        Endpoint::Local(report),
        Endpoint::Remote(remote_dir.clone()),
    )
    .create_dirs(true)
    .run(&mut session, &(), &cancel)?;
    println!("uploaded {} bytes to {:?}", up.bytes, up.target);

    // Down, into a local directory, retried (continuing what arrived)
    // should the connection drop.
    let remote_file = FtpUrl::parse(&server.url("archive/2026/report.txt"))?;

    // Both sides remote: streamed between two sessions, then renamed.
    let mirror = TestServer::start();
    let across = FileCopy::new(
        Endpoint::Remote(remote_file.clone()),
        Endpoint::Remote(FtpUrl::parse(&mirror.url(""))?),
    )
    .run(&mut session, &(), &cancel)?;
    println!("copied {} bytes to {:?}", across.bytes, across.target);
    FileCopy::new(
        Endpoint::Remote(FtpUrl::parse(&mirror.url("report.txt"))?),
        Endpoint::Remote(FtpUrl::parse(&mirror.url("report-2026.txt"))?),
    )
    .remove_source(true)
    .run(&mut session, &(), &cancel)?;
    let renamed = mirror.root().join("report-2026.txt").exists();
    println!("renamed on the second server: {renamed}");
    let back = local.path().join("back");
    fs::create_dir(&back)?;
    let down = FileCopy::new(
        Endpoint::Remote(remote_file.clone()),
        Endpoint::Local(back.clone()),
    )
    .retry(RetryPolicy::new(3))
    .run(&mut session, &(), &cancel)?;
    println!("downloaded {} bytes to {:?}", down.bytes, down.target);

    // A move: the server's copy goes once the local one is confirmed.
    let moved = FileCopy::new(
        Endpoint::Remote(remote_file),
        Endpoint::Local(back.join("moved.txt")),
    )
    .remove_source(true)
    .run(&mut session, &(), &cancel)?;
    println!("moved {} bytes to {:?}", moved.bytes, moved.target);
    let gone = !server.root().join("archive/2026/report.txt").exists();
    println!("the server's copy is gone: {gone}");
    session.quit();
    Ok(())
}
