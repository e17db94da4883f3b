//! The quick start: a real FTP server in-process, and the client driving
//! every operation against it.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! Starts libunftp on 127.0.0.1 (a free port) serving a temporary
//! directory, then connects with `ftp_client`, and makes a directory,
//! uploads, lists, downloads, renames, deletes and removes the directory,
//! saying what it does at each step.

use ftp_client::{Client, Config, FtpUrl};
use ftp_suite::TestServer;

fn main() {
    if let Err(error) = run() {
        eprintln!("quickstart: {error}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let server = TestServer::start();
    println!(
        "FTP server listening on {}, serving {}",
        server.addr(),
        server.root().display()
    );

    let url = FtpUrl::parse(&server.url(""))?;
    let mut ftp = Client::connect_url(&url, Config::default())?;
    println!(
        "logged in as {:?}; working directory {:?}",
        url.user(),
        String::from_utf8_lossy(&ftp.pwd()?)
    );

    ftp.mkdir("reports")?;
    println!("created directory reports/");

    let content: Vec<u8> = (0..1_000_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let sent = ftp.store("reports/data.bin", &mut &content[..])?;
    println!("uploaded reports/data.bin: {sent} bytes");

    for line in ftp.list("reports")? {
        println!("  listing: {line}");
    }
    println!("SIZE reports/data.bin = {}", ftp.size("reports/data.bin")?);

    let mut copy = Vec::new();
    let received = ftp.retrieve("reports/data.bin", &mut copy)?;
    let same = copy == content;
    println!("downloaded reports/data.bin: {received} bytes, identical to the upload: {same}");
    if !same {
        return Err("the downloaded file differs from the uploaded one".into());
    }

    ftp.rename("reports/data.bin", "reports/renamed.bin")?;
    println!("renamed reports/data.bin to reports/renamed.bin");
    ftp.delete("reports/renamed.bin")?;
    println!("deleted reports/renamed.bin");
    ftp.rmdir("reports")?;
    println!("removed directory reports/");
    println!(
        "server root now holds {} entries",
        std::fs::read_dir(server.root())?.count()
    );

    ftp.quit()?;
    println!("done: every operation succeeded");
    Ok(())
}
