//! Mirrors a remote tree to a local directory with the engine: a pool of
//! sessions, only what is missing or changed copied, every name checked.
//!
//! ```text
//! cargo run --example mirror
//! ```
//!
//! Starts libunftp on 127.0.0.1 serving a small tree, mirrors it twice
//! (the second run finds everything up to date) and prints the summaries.

use ftp_client::engine::{Cancel, TreeDownload, TreeOptions};
use ftp_client::{Client, Config, FtpUrl};
use ftp_suite::TestServer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = TestServer::start();
    for (path, text) in [("site/index.html", "<h1>hi</h1>"), ("site/docs/a.txt", "a")] {
        let file = server.root().join(path);
        std::fs::create_dir_all(file.parent().ok_or("no parent")?)?;
        std::fs::write(file, text)?;
    }
    let url = FtpUrl::parse(&server.url(""))?;
    let connect = || Client::connect_url(&url, Config::default());
    let local = tempfile::tempdir()?;
    // Into the existing directory: as `cp -r`, the tree lands in `site/`.
    let mirror = TreeDownload::new("site", local.path())
        .options(TreeOptions::default().jobs(4).update(true));
    for run in ["first", "second"] {
        let summary = mirror.run(&connect, &(), &Cancel::new())?;
        println!(
            "{run} run: {} files, {} bytes, {} up to date, {} failures",
            summary.files,
            summary.bytes,
            summary.up_to_date,
            summary.failures.len()
        );
        for failure in &summary.failures {
            eprintln!("  {}: {}", failure.what, failure.error);
        }
    }
    println!(
        "{}",
        std::fs::read_to_string(local.path().join("site/docs/a.txt"))?
    );
    Ok(())
}
