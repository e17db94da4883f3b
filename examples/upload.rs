//! Uploads a local file with the library (the kernel's zero-copy path).
//!
//! ```text
//! cargo run --example upload -- report.pdf ftp://alice:s3cret@example.net/incoming/report.pdf
//! ```

use std::fs::File;

use ftp_client::{Client, Config, Error, FtpUrl};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, url] = args.as_slice() else {
        eprintln!("usage: upload LOCAL_FILE ftp://[user[:password]@]host[:port]/file");
        std::process::exit(2);
    };
    match run(path, url) {
        Ok(bytes) => println!("uploaded {bytes} bytes from {path}"),
        Err(error) => {
            eprintln!("upload: {error}");
            std::process::exit(1);
        }
    }
}

fn run(path: &str, url: &str) -> Result<u64, Error> {
    let url = FtpUrl::parse(url)?;
    let mut file = File::open(path).map_err(|source| Error::Io {
        during: format!("opening {path}"),
        source,
    })?;
    let mut ftp = Client::connect_url(&url, Config::default())?;
    let bytes = ftp.store(url.path(), &mut file)?;
    ftp.quit()?;
    Ok(bytes)
}
