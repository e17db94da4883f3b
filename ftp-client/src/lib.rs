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
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let url = FtpUrl::parse("ftp://demo:password@127.0.0.1:2121/")?;
//!     let mut ftp = Client::connect_url(&url, Config::default())?;
//!     println!("{}", ftp.welcome().text());
//!     let mut file = std::fs::File::open("report.pdf")?;
//!     let sent = ftp.store_file("report.pdf", &mut file)?;
//!     println!("uploaded {sent} bytes; the server now has {} bytes", ftp.size("report.pdf")?);
//!     ftp.quit()?;
//!     Ok(())
//! }
//! ```
//!
//! [`Error`] has no `From<std::io::Error>` on purpose (an I/O error alone
//! does not say what failed): as above, return `Box<dyn std::error::Error>`
//! or your own error type from functions that mix file and FTP errors.
//! Each [`Error`] keeps the server's reply ([`Error::reply`],
//! [`Error::reply_code`] against the named [`ReplyCode`] constants) and
//! says whether the session survived ([`Error::is_session_closed`]).
//!
//! Transfers are streams with constant memory: [`Client::retrieve_stream`]
//! returns a [`Download`] (a `Read`), [`Client::store_stream`] an
//! [`Upload`] (a `Write`); each must be finished so that the server's
//! final reply is checked, and can be aborted ([`Download::abort`]) with
//! the session kept.
//!
//! Things to know:
//!
//! - **One operation at a time per [`Client`]**: FTP runs one command at a
//!   time on a connection. For parallel transfers, open one `Client` per
//!   thread.
//! - **Transfers are binary** (`TYPE I`) unless you choose ASCII
//!   ([`Config::transfer_type`], [`Client::set_transfer_type`]).
//! - **Listings as data**: [`Client::entries`] parses a directory's
//!   listing into [`Entry`] values (MLSD where the server has it, LIST
//!   otherwise), [`Client::stat`] describes one path, and [`Client::walk`]
//!   goes through a whole tree, refusing names that are not one safe path
//!   component ([`Client::walk_dirs`]: one directory at a time, descending
//!   where the caller asks, following symbolic links with loop checks).
//! - **Listings as text**: [`Client::list`], [`Client::nlst`] and [`Client::mlsd`]
//!   decode names lossily into `String`s; [`Client::list_bytes`],
//!   [`Client::nlst_bytes`] and [`Client::mlsd_bytes`] keep the bytes, and
//!   [`Client::list_stream`] streams them.
//! - **[`Client::retrieve_file`] writes in place** into the file you pass;
//!   it does not use a temporary file as the CLI does.
//! - **Timeouts** are in [`Config`] and can be changed on a live client; a
//!   stalled transfer fails after [`Config::data_timeout`] without
//!   progress plus up to 3 s waiting for the server's final word.
//! - **[`engine`]**: one [`RetryPolicy`](engine::RetryPolicy) (what may
//!   pass, backoff, limits), one [`Progress`](engine::Progress) observer and
//!   one [`Cancel`](engine::Cancel) handle for work above single commands.
//! - **[`Client::raw`]** sends any command except those the session must
//!   manage ([`RESERVED_VERBS`]).
//!
//! Data connections are passive by default: EPSV, falling back to PASV,
//! to the control connection's peer address (see
//! [`Config::trust_pasv_host`]); in active mode ([`Config::data_mode`])
//! the server connects to the client (EPRT, or PORT).
//!
//! **Async**: with the `tokio` feature (off by default), the module
//! `ftp_client::tokio` has `Client`, the same operations, arguments and
//! [`Error`] awaited, over the same session; its downloads are `AsyncRead`
//! and its uploads `AsyncWrite` streams, and a future or stream dropped
//! midway leaves the client in step (see that module).
//!
//! **TLS crypto**: rustls with the `aws-lc-rs` provider (the default
//! feature; it needs a C compiler, gcc is enough, and offers the
//! X25519MLKEM768 key exchange), or `ring` for builds without one
//! (`default-features = false, features = ["ring"]`; rustls deprecates that
//! provider since 0.23.48). With both on, aws-lc-rs is used; with neither
//! the crate does not build.
//!
//! Every type that appears in this crate's public API is exported here, so
//! no second dependency is needed; [`proto`] is the whole `ftp-proto` core
//! for those who drive a [`proto::Session`] themselves.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[macro_use]
mod api;
#[macro_use]
mod transfer;
#[macro_use]
mod tunnel;
mod blocking;
mod config;
pub mod engine;
mod error;
mod login;
mod netrc;
mod proxy;
mod proxy_env;
mod rate;
mod route;
mod shared;
mod tls;
mod tls_words;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod tokio;
mod url;
mod walk;

pub use blocking::{ByteCounter, Canceller, Client, DirWalk, Download, Upload, Walk};
pub use config::{Config, DataMode};
pub use error::ProxyFailure;
pub use error::{Error, Result};
pub use login::{Credentials, LoginError, NetrcSource};
pub use netrc::{Netrc, NetrcEntry, NetrcError};
pub use proxy::{Connector, Proxy, ProxyKind, Target};
pub use proxy_env::{ProxyEnv, ProxyEnvError, ProxyOrigin};
pub use rate::{ParseRateError, RateLimit, RateLimits};
pub use tls::{TLS_LIBRARY, TlsVersion, Trust};
pub use url::{ANONYMOUS_PASSWORD, ANONYMOUS_USER, FtpUrl};
pub use walk::{MAX_LINKS, WalkDir, WalkEntry, WalkOptions};

/// The sans-IO protocol core this client drives.
pub use ftp_proto as proto;
/// The byte buffer [`Reply::new`] and [`Arg::new`] take (from the `bytes`
/// crate).
#[doc(no_inline)]
pub use ftp_proto::Bytes;
pub use ftp_proto::decode::{DecodeError, EntryType, Facts, Features, Timestamp, facts_line};
pub use ftp_proto::hash::{Digest, HashAlgorithm};
pub use ftp_proto::listing::{
    Comparison, Entry, Format as ListingFormat, Kind, Modified, NameError, Precision, Zone,
    check_component,
};
pub use ftp_proto::proxy::HandshakeError;
pub use ftp_proto::{
    Arg, Command, Failure, FileStructure, InvalidArgument, Limits, Password, ProtectionLevel,
    RESERVED_VERBS, RenameCheck, Reply, ReplyClass, ReplyCode, ReplyError, TlsMode, TransferMode,
    TransferType, UsageError, Wait,
};
/// The TLS library FTPS runs on, for [`Trust::Custom`] configurations
/// and [`Error::Tls`] reasons.
pub use rustls;
