//! Runs the in-process test server until interrupted, to try `ftp-cli` or
//! any other client against it.
//!
//! ```text
//! cargo run --example serve [SECONDS]
//! ```
//!
//! Prints the login URL and the directory served; stops after SECONDS
//! (default: one hour) or at Ctrl-C.

use std::time::Duration;

use ftp_suite::TestServer;

fn main() {
    let seconds = match std::env::args().nth(1).map(|s| s.parse::<u64>()) {
        None => 3600,
        Some(Ok(seconds)) => seconds,
        Some(Err(_)) => {
            eprintln!("usage: serve [SECONDS]");
            std::process::exit(2);
        }
    };
    let server = TestServer::start();
    println!("{}", server.url(""));
    println!("serving {}", server.root().display());
    std::thread::sleep(Duration::from_secs(seconds));
}
