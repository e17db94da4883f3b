//! `--proxy`, `--noproxy` and the proxy environment, as curl reads them:
//! `--proxy` first, else `ftp_proxy`/`FTP_PROXY`, else
//! `all_proxy`/`ALL_PROXY`; the hosts in `--noproxy` (else
//! `no_proxy`/`NO_PROXY`) are reached directly.

use std::borrow::Cow;
use std::sync::OnceLock;

use ftp_client::{Config, Proxy};

/// The hosts reached without the proxy, set once by `main`.
static NO_PROXY: OnceLock<Vec<String>> = OnceLock::new();

/// The proxy the command line or the environment names, checked: a
/// malformed one is a usage error (naming where it came from), before any
/// connection. `noproxy` is `--noproxy`'s list.
pub fn choose(
    flag: Option<&str>,
    noproxy: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<Proxy>, String> {
    let list = noproxy
        .map(str::to_owned)
        .or_else(|| env("no_proxy"))
        .or_else(|| env("NO_PROXY"));
    let hosts = parse_list(&list.unwrap_or_default());
    let _ = NO_PROXY.set(hosts);
    let from_env = ["ftp_proxy", "FTP_PROXY", "all_proxy", "ALL_PROXY"]
        .into_iter()
        .find_map(|name| env(name).filter(|v| !v.is_empty()).map(|v| (name, v)));
    let (source, url) = match (flag, from_env) {
        (Some(url), _) => ("--proxy", url.to_owned()),
        (None, Some((name, url))) => (name, url),
        (None, None) => return Ok(None),
    };
    if url.is_empty() {
        return Ok(None);
    }
    Proxy::parse(&url)
        .map(Some)
        .map_err(|e| format!("{source}: {e}"))
}

/// Whether `host` is in the `--noproxy` list.
fn bypassed(host: &str) -> bool {
    NO_PROXY.get().is_some_and(|list| matches(list, host))
}

/// Whether `host` is in `list`: `*`, the host itself, or a domain it is in.
fn matches(list: &[String], host: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    list.iter().any(|entry| {
        entry == "*"
            || *entry == host
            || host
                .strip_suffix(entry.as_str())
                .is_some_and(|rest| rest.ends_with('.'))
    })
}

/// A `--noproxy` list: comma-separated, a leading dot ignored.
fn parse_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|h| h.trim().trim_start_matches('.').to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect()
}

/// `config` for a connection to `host`: without the proxy if `--noproxy`
/// says so.
pub fn for_host<'a>(config: &'a Config, host: &str) -> Cow<'a, Config> {
    if config.proxy.is_some() && bypassed(host) {
        tracing::debug!("{host}: reached without the proxy (--noproxy)");
        Cow::Owned(Config {
            proxy: None,
            ..config.clone()
        })
    } else {
        Cow::Borrowed(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_over_the_environment_and_ftp_proxy_over_all_proxy() {
        let env = |name: &str| match name {
            "ALL_PROXY" => Some("http://all:3128".to_owned()),
            "ftp_proxy" => Some("socks5h://ftp:1080".to_owned()),
            _ => None,
        };
        let shown = |p: Option<Proxy>| p.map(|p| p.to_string());
        assert_eq!(
            shown(choose(None, None, env).unwrap()).as_deref(),
            Some("socks5h://ftp:1080")
        );
        let flag = choose(Some("http://flag:8080"), None, env).unwrap();
        assert_eq!(shown(flag).as_deref(), Some("http://flag:8080"));
        let only_all = |name: &str| (name == "all_proxy").then(|| "socks5://a".to_owned());
        assert_eq!(
            shown(choose(None, None, only_all).unwrap()).as_deref(),
            Some("socks5://a:1080")
        );
        assert!(choose(None, None, |_| None).unwrap().is_none());
        let err = choose(Some("socks4://u:pw@h"), None, |_| None).unwrap_err();
        assert!(
            err.starts_with("--proxy: invalid proxy URL") && !err.contains("pw"),
            "{err}"
        );
        let bad_env = |name: &str| (name == "FTP_PROXY").then(|| "gopher://h".to_owned());
        assert!(
            choose(None, None, bad_env)
                .unwrap_err()
                .starts_with("FTP_PROXY:")
        );
    }

    #[test]
    fn noproxy_matches_hosts_and_their_domains() {
        let list = parse_list("example.net, .corp.local,127.0.0.1");
        let bypassed = |host| matches(&list, host);
        for host in [
            "example.net",
            "ftp.example.net",
            "a.corp.local",
            "127.0.0.1",
            "EXAMPLE.NET",
        ] {
            assert!(bypassed(host), "{host}");
        }
        for host in ["badexample.net", "example.org", "127.0.0.2"] {
            assert!(!bypassed(host), "{host}");
        }
    }
}
