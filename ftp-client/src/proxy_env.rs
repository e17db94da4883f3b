//! [`ProxyEnv`]: the proxy the environment names, as curl reads it.

use std::fmt;

use crate::config::Config;
use crate::error::Error;
use crate::proxy::Proxy;

/// The variables naming a proxy for FTP, first found first used.
const PROXY_VARIABLES: [&str; 4] = ["ftp_proxy", "FTP_PROXY", "all_proxy", "ALL_PROXY"];

/// The proxy settings a program takes from its environment, with curl's
/// precedence: an explicit proxy (a command-line flag) first, else
/// `ftp_proxy`/`FTP_PROXY`, else `all_proxy`/`ALL_PROXY`; the hosts in an
/// explicit list, else in `no_proxy`/`NO_PROXY`, are reached directly. An
/// empty value names no proxy.
///
/// A no-proxy list is comma-separated; an entry matches the host itself
/// or any name in its domain (a leading dot ignored), `*` every host,
/// case-insensitively; an IPv6 address may be bracketed.
///
/// ```
/// use ftp_client::{Config, ProxyEnv};
///
/// let env = |name: &str| match name {
///     "ALL_PROXY" => Some("socks5h://proxy.example:1080".to_owned()),
///     "NO_PROXY" => Some("localhost,.corp.example".to_owned()),
///     _ => None,
/// };
/// let proxies = ProxyEnv::resolve(None, None, env)?;
/// assert_eq!(proxies.for_host("ftp.example.org").map(|p| p.host()), Some("proxy.example"));
/// assert!(proxies.for_host("files.corp.example").is_none());
///
/// // A configuration for one server: the proxy set, or not.
/// let config = proxies.config_for(&Config::default(), "localhost");
/// assert!(config.proxy.is_none());
/// # Ok::<(), ftp_client::ProxyEnvError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ProxyEnv {
    proxy: Option<Proxy>,
    no_proxy: Vec<String>,
}

/// Where a malformed proxy URL came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyOrigin {
    /// Given explicitly ([`ProxyEnv::resolve`]'s `proxy`).
    Explicit,
    /// The environment variable of this name.
    Variable(&'static str),
}

/// A proxy URL [`ProxyEnv`] could not parse; `error` is
/// [`Error::InvalidProxy`], the password masked.
#[derive(Debug, thiserror::Error)]
pub struct ProxyEnvError {
    /// Where it came from.
    pub origin: ProxyOrigin,
    /// Why it is malformed.
    #[source]
    pub error: Box<Error>,
}

impl fmt::Display for ProxyEnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.origin {
            ProxyOrigin::Explicit => write!(f, "{}", self.error),
            ProxyOrigin::Variable(name) => write!(f, "{name}: {}", self.error),
        }
    }
}

impl ProxyEnv {
    /// The settings of this process's environment.
    pub fn from_env() -> Result<ProxyEnv, ProxyEnvError> {
        ProxyEnv::resolve(None, None, |name| std::env::var(name).ok())
    }

    /// The settings from `proxy` and `no_proxy` where given (a program's
    /// flags, as curl's `--proxy` and `--noproxy`), else from the
    /// variables `env` looks up.
    pub fn resolve(
        proxy: Option<&str>,
        no_proxy: Option<&str>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<ProxyEnv, ProxyEnvError> {
        let list = no_proxy
            .map(str::to_owned)
            .or_else(|| env("no_proxy"))
            .or_else(|| env("NO_PROXY"))
            .unwrap_or_default();
        let no_proxy = parse_list(&list);
        let named = match proxy {
            Some(url) => Some((ProxyOrigin::Explicit, url.to_owned())),
            None => PROXY_VARIABLES.into_iter().find_map(|name| {
                env(name)
                    .filter(|v| !v.is_empty())
                    .map(|v| (ProxyOrigin::Variable(name), v))
            }),
        };
        let proxy = match named {
            Some((origin, url)) if !url.is_empty() => {
                Some(Proxy::parse(&url).map_err(|error| ProxyEnvError {
                    origin,
                    error: Box::new(error),
                })?)
            }
            _ => None,
        };
        Ok(ProxyEnv { proxy, no_proxy })
    }

    /// The proxy named, whatever the host.
    pub fn proxy(&self) -> Option<&Proxy> {
        self.proxy.as_ref()
    }

    /// Whether the no-proxy list names `host`.
    pub fn bypasses(&self, host: &str) -> bool {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        self.no_proxy.iter().any(|entry| {
            entry == "*"
                || *entry == host
                || host
                    .strip_suffix(entry.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
        })
    }

    /// The proxy to reach `host` through, if any.
    pub fn for_host(&self, host: &str) -> Option<&Proxy> {
        self.proxy.as_ref().filter(|_| !self.bypasses(host))
    }

    /// `config` for a connection to `host`: the proxy this one names for
    /// it ([`ProxyEnv::for_host`]), or none.
    pub fn config_for(&self, config: &Config, host: &str) -> Config {
        Config {
            proxy: self.for_host(host).cloned(),
            ..config.clone()
        }
    }
}

/// A no-proxy list: comma-separated, a leading dot ignored.
fn parse_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|h| h.trim().trim_start_matches('.').to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect()
}

impl Proxy {
    /// The proxy the process's environment names for `host`
    /// ([`ProxyEnv::from_env`], then [`ProxyEnv::for_host`]).
    pub fn from_env(host: &str) -> Result<Option<Proxy>, ProxyEnvError> {
        Ok(ProxyEnv::from_env()?.for_host(host).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(env: &ProxyEnv) -> Option<String> {
        env.proxy().map(ToString::to_string)
    }

    #[test]
    fn the_explicit_proxy_wins_over_the_environment_and_ftp_proxy_over_all_proxy() {
        let env = |name: &str| match name {
            "ALL_PROXY" => Some("http://all:3128".to_owned()),
            "ftp_proxy" => Some("socks5h://ftp:1080".to_owned()),
            _ => None,
        };
        let chosen = ProxyEnv::resolve(None, None, env).unwrap();
        assert_eq!(shown(&chosen).as_deref(), Some("socks5h://ftp:1080"));
        let flag = ProxyEnv::resolve(Some("http://flag:8080"), None, env).unwrap();
        assert_eq!(shown(&flag).as_deref(), Some("http://flag:8080"));
        let only_all = |name: &str| (name == "all_proxy").then(|| "socks5://a".to_owned());
        let all = ProxyEnv::resolve(None, None, only_all).unwrap();
        assert_eq!(shown(&all).as_deref(), Some("socks5://a:1080"));
        assert!(
            ProxyEnv::resolve(None, None, |_| None)
                .unwrap()
                .proxy()
                .is_none()
        );
        let err = ProxyEnv::resolve(Some("socks4://u:pw@h"), None, |_| None).unwrap_err();
        assert_eq!(err.origin, ProxyOrigin::Explicit);
        let text = err.to_string();
        assert!(
            text.starts_with("invalid proxy URL") && !text.contains("pw"),
            "{text}"
        );
        let bad_env = |name: &str| (name == "FTP_PROXY").then(|| "gopher://h".to_owned());
        let err = ProxyEnv::resolve(None, None, bad_env).unwrap_err();
        assert!(err.to_string().starts_with("FTP_PROXY:"), "{err}");
    }

    #[test]
    fn no_proxy_matches_hosts_and_their_domains() {
        let env = ProxyEnv::resolve(
            Some("http://p:8080"),
            Some("example.net, .corp.local,127.0.0.1,::1"),
            |_| None,
        )
        .unwrap();
        for host in [
            "example.net",
            "ftp.example.net",
            "a.corp.local",
            "127.0.0.1",
            "EXAMPLE.NET",
            "[::1]",
        ] {
            assert!(env.bypasses(host), "{host}");
            assert!(env.for_host(host).is_none(), "{host}");
            assert!(env.config_for(&Config::default(), host).proxy.is_none());
        }
        for host in ["badexample.net", "example.org", "127.0.0.2"] {
            assert!(!env.bypasses(host), "{host}");
            assert!(env.config_for(&Config::default(), host).proxy.is_some());
        }
    }
}
