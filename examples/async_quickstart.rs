//! The quick start, async: a real FTP server in-process, and the tokio
//! client (`ftp_client::tokio::Client`, feature `tokio`) driving every
//! operation against it.
//!
//! ```text
//! cargo run --example async_quickstart
//! ```
//!
//! Starts libunftp on 127.0.0.1 (a free port) serving a temporary
//! directory, then connects with the async client, and makes a directory,
//! uploads, lists, downloads (once whole, once as an `AsyncRead` stream),
//! renames, deletes and removes the directory, saying what it does at each
//! step. The same steps as `examples/quickstart.rs`, awaited.

use ftp_client::{Config, FtpUrl};
use ftp_suite::TestServer;
use tokio::io::AsyncReadExt;

fn main() {
    // The in-process server runs on a runtime of its own, started (and
    // stopped) outside the client's.
    let server = TestServer::start();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("async_quickstart: starting tokio: {error}");
            std::process::exit(1);
        }
    };
    if let Err(error) = runtime.block_on(run(&server)) {
        eprintln!("async_quickstart: {error}");
        std::process::exit(1);
    }
}

async fn run(server: &TestServer) -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "FTP server listening on {}, serving {}",
        server.addr(),
        server.root().display()
    );

    let url = FtpUrl::parse(&server.url(""))?;
    let mut ftp = ftp_client::tokio::Client::connect_url(&url, Config::default()).await?;
    println!(
        "logged in as {:?}; working directory {:?}",
        url.user(),
        String::from_utf8_lossy(&ftp.pwd().await?)
    );

    ftp.mkdir("reports").await?;
    println!("created directory reports/");

    let content: Vec<u8> = (0..1_000_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let sent = ftp.store("reports/data.bin", &mut &content[..]).await?;
    println!("uploaded reports/data.bin: {sent} bytes");

    for line in ftp.list("reports").await? {
        println!("  listing: {line}");
    }
    println!(
        "SIZE reports/data.bin = {}",
        ftp.size("reports/data.bin").await?
    );

    let mut copy = Vec::new();
    let received = ftp.retrieve("reports/data.bin", &mut copy).await?;
    let same = copy == content;
    println!("downloaded reports/data.bin: {received} bytes, identical to the upload: {same}");
    if !same {
        return Err("the downloaded file differs from the uploaded one".into());
    }

    // The same download as a stream: an AsyncRead, then finish() checks
    // the server's final reply.
    let mut download = ftp.retrieve_stream("reports/data.bin").await?;
    let mut head = [0u8; 16];
    download.read_exact(&mut head).await?;
    let mut rest = Vec::new();
    download.read_to_end(&mut rest).await?;
    let streamed = download.finish().await?;
    println!("streamed reports/data.bin: {streamed} bytes, first 16: {head:02x?}");

    ftp.rename("reports/data.bin", "reports/renamed.bin")
        .await?;
    println!("renamed reports/data.bin to reports/renamed.bin");
    ftp.delete("reports/renamed.bin").await?;
    println!("deleted reports/renamed.bin");
    ftp.rmdir("reports").await?;
    println!("removed directory reports/");
    println!(
        "server root now holds {} entries",
        std::fs::read_dir(server.root())?.count()
    );

    ftp.quit().await?;
    println!("done: every operation succeeded");
    Ok(())
}
