//! The drivers the library cases run through (the shared
//! [`ftp_suite::driver`]), connected to a target
//! ([`ftp_suite::matrix::ConnectCtx`]).

pub use ftp_suite::driver::{DownloadStream, Driver, Tokio, UploadStream};
pub use ftp_suite::matrix::ConnectCtx;
