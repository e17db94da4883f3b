//! Lists a remote directory with the library.
//!
//! ```text
//! cargo run --example list -- ftp://ftp.example.net/pub/
//! ```

use ftp_client::{Client, Config, FtpUrl};

fn main() {
    let Some(url) = std::env::args().nth(1) else {
        eprintln!("usage: list ftp://[user[:password]@]host[:port]/dir/");
        std::process::exit(2);
    };
    if let Err(error) = run(&url) {
        eprintln!("list: {error}");
        std::process::exit(1);
    }
}

fn run(url: &str) -> Result<(), ftp_client::Error> {
    let url = FtpUrl::parse(url)?;
    let mut ftp = Client::connect_url(&url, Config::default())?;
    for line in ftp.list(url.path())? {
        println!("{line}");
    }
    ftp.quit()
}
