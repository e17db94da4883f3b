//! Downloads a remote file with the library, streaming it to a local file.
//!
//! ```text
//! cargo run --example download -- ftp://ftp.example.net/pub/README.txt README.txt
//! ```

use std::fs::File;

use ftp_client::{Client, Config, Error, FtpUrl};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, path] = args.as_slice() else {
        eprintln!("usage: download ftp://[user[:password]@]host[:port]/file LOCAL_FILE");
        std::process::exit(2);
    };
    match run(url, path) {
        Ok(bytes) => println!("downloaded {bytes} bytes to {path}"),
        Err(error) => {
            eprintln!("download: {error}");
            std::process::exit(1);
        }
    }
}

fn run(url: &str, path: &str) -> Result<u64, Error> {
    let url = FtpUrl::parse(url)?;
    let mut ftp = Client::connect_url(&url, Config::default())?;
    let mut download = ftp.retrieve_stream(url.path())?;
    if let Some(size) = download.size_hint() {
        println!("the server announced {size} bytes");
    }
    let mut file = File::create(path).map_err(|source| Error::Io {
        during: format!("creating {path}"),
        source,
    })?;
    // Some servers accept with 150 and refuse only afterwards: the transfer
    // counts only once finish() confirms it. Remove what a failure left.
    let result = download
        .copy_to_end(&mut file)
        .and_then(|_| download.finish());
    if result.is_err() {
        let _ = std::fs::remove_file(path);
    }
    let bytes = result?;
    ftp.quit()?;
    Ok(bytes)
}
