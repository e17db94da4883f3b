//! A blocking FTP client built on the sans-IO [`ftp_proto`] core.
//!
//! [`Client`] connects, logs in and runs every operation — list, mkdir,
//! rmdir, delete, rename, size, and streaming uploads and downloads — over
//! `std::net` sockets with timeouts on every step. The protocol decisions
//! all live in [`ftp_proto::Session`]; this crate only moves bytes.
//!
//! ```no_run
//! use ftp_client::{Client, Config, FtpUrl};
//!
//! let url = FtpUrl::parse("ftp://demo:password@127.0.0.1:2121/")?;
//! let mut ftp = Client::connect_url(&url, Config::default())?;
//! let mut file = std::fs::File::open("report.pdf").map_err(|e| ftp_client::Error::Io {
//!     during: "opening report.pdf".into(),
//!     source: e,
//! })?;
//! let sent = ftp.store("report.pdf", &mut file)?;
//! println!("uploaded {sent} bytes; the server now has {} bytes", ftp.size("report.pdf")?);
//! ftp.quit()?;
//! # Ok::<(), ftp_client::Error>(())
//! ```
//!
//! Transfers are streams with constant memory: [`Client::retrieve_stream`]
//! returns a [`Download`] (a `Read`), [`Client::store_stream`] an
//! [`Upload`] (a `Write`); each must be finished so that the server's
//! final reply is checked.
//!
//! Data connections are passive: EPSV, falling back to PASV, to the
//! control connection's peer address (see [`Config::trust_pasv_host`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod client;
mod config;
mod error;
mod transfer;
mod url;

pub use client::Client;
pub use config::Config;
pub use error::{Error, Result};
pub use ftp_proto::decode::{Features, Timestamp};
pub use ftp_proto::{RESERVED_VERBS, Reply, ReplyCode, UsageError};
pub use transfer::{Download, Upload};
pub use url::{ANONYMOUS_PASSWORD, ANONYMOUS_USER, FtpUrl};
