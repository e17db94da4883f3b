//! `--proxy`, `--noproxy` and the proxy environment, as curl reads them
//! ([`ftp_client::ProxyEnv`]): `--proxy` first, else
//! `ftp_proxy`/`FTP_PROXY`, else `all_proxy`/`ALL_PROXY`; the hosts in
//! `--noproxy` (else `no_proxy`/`NO_PROXY`) are reached directly.

use std::sync::OnceLock;

use ftp_client::{Config, Proxy, ProxyEnv, ProxyOrigin};

/// The run's proxy settings, set once by `main`.
static SETTINGS: OnceLock<ProxyEnv> = OnceLock::new();

/// The proxy the command line or the environment names, checked: a
/// malformed one is a usage error (naming where it came from), before any
/// connection. `noproxy` is `--noproxy`'s list.
pub fn choose(
    flag: Option<&str>,
    noproxy: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<Proxy>, String> {
    let settings = ProxyEnv::resolve(flag, noproxy, env).map_err(|e| match e.origin {
        ProxyOrigin::Explicit => format!("--proxy: {}", e.error),
        ProxyOrigin::Variable(_) => e.to_string(),
    })?;
    let proxy = settings.proxy().cloned();
    let _ = SETTINGS.set(settings);
    Ok(proxy)
}

/// `config` for a connection to `host`: without the proxy if `--noproxy`
/// says so ([`ProxyEnv::config_for`]).
pub fn for_host(config: &Config, host: &str) -> Config {
    match SETTINGS.get() {
        Some(settings) if config.proxy.is_some() && settings.bypasses(host) => {
            tracing::debug!("{host}: reached without the proxy (--noproxy)");
            settings.config_for(config, host)
        }
        _ => config.clone(),
    }
}
