//! The drivers the library cases run through (the shared
//! [`ftp_suite::driver`]), connected to a target.

use ftp_client::Config;
pub use ftp_suite::driver::{DownloadStream, Driver, Tokio, UploadStream};

use crate::ctx::Ctx;

/// A [`Driver`] connected to the case's target.
pub trait ConnectCtx: Driver {
    /// Connected and logged in to the target, with its TLS.
    fn connect_ctx(c: &Ctx) -> std::result::Result<Self, libtest_mimic::Failed> {
        Self::connect_ctx_with(c, Config::default())
    }

    /// [`ConnectCtx::connect_ctx`] with `config`.
    fn connect_ctx_with(
        c: &Ctx,
        config: Config,
    ) -> std::result::Result<Self, libtest_mimic::Failed> {
        let mut ftp = Self::connect(c.addr, c.with_tls(config))?;
        ftp.login(&c.target.login.user, &c.target.login.password)?;
        Ok(ftp)
    }
}

impl<D: Driver> ConnectCtx for D {}
