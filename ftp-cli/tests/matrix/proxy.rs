//! Proxies (`Config::proxy`, `--proxy`, `--noproxy`, the proxy
//! environment), with the test support's SOCKS5 / HTTP CONNECT proxy put
//! in front of each target: the control and every data connection through
//! it (passive; active through SOCKS5 BIND), over the target's TLS when it
//! has TLS (end to end: the proxy relays ciphertext), through both drivers
//! and the CLI; and the proxy's faults, each one error line naming the
//! proxy and what it said, with no file changed. (The interop suite also
//! runs the whole matrix through real proxies: `FTP_TARGET_PROXY`.)

use std::process::Command;

use ftp_client::{Config, DataMode, Proxy};
use ftp_suite::proxy::{ProxyFault, ProxyKind, TestProxy};
use libtest_mimic::Failed;

use crate::ctx::{Ctx, has_content, pattern, utf8};
use crate::driver::{ConnectCtx, Driver};
use crate::harness::{Case, Group, Need, Outcome};
use crate::target::Family;

/// The proxy cases (IPv4: the test proxy listens on 127.0.0.1).
pub fn group() -> Group {
    Group {
        name: "proxy",
        families: &[Family::V4],
        cases: vec![
            Case::new("library_passive", library_passive::<ftp_client::Client>),
            Case::new(
                "library_passive_tokio",
                library_passive::<crate::driver::Tokio>,
            ),
            Case::new(
                "library_active_bind",
                library_active_bind::<ftp_client::Client>,
            )
            .needs(Need::Active),
            Case::new(
                "library_active_bind_tokio",
                library_active_bind::<crate::driver::Tokio>,
            )
            .needs(Need::Active),
            Case::new("cli_socks5_login_round_trip", cli_socks5_login_round_trip),
            Case::new("cli_environment_and_noproxy", cli_environment_and_noproxy),
            Case::new("cli_faults", cli_faults),
        ]
        .into_iter()
        .map(|case| case.needs(Need::Direct))
        .collect(),
    }
}

fn through(proxy: &TestProxy, scheme: &str) -> Config {
    Config {
        proxy: Some(Proxy::parse(&proxy.url(scheme)).expect("the test proxy's URL")),
        ..Config::default()
    }
}

/// Upload, download and listing through `config`'s proxy.
fn round_trip<D: Driver>(c: &Ctx, config: Config, name: &str) -> Outcome {
    let content = pattern(300_007, 61);
    let mut ftp = D::connect_ctx_with(c, config)?;
    ftp.store(c.path(name), &mut &content[..])?;
    has_content(&c.on_server(name), &content)?;
    let mut back = Vec::new();
    ftp.retrieve(c.path(name), &mut back)?;
    ensure!(
        back == content,
        "{name}: the download differs from the upload"
    );
    let names = ftp.nlst(c.path(""))?;
    ensure!(
        names.iter().any(|n| n.ends_with(name)),
        "NLST does not name {name}: {names:?}"
    );
    ftp.quit()?;
    Ok(())
}

/// Through SOCKS5 (names resolved here), SOCKS5 with a login, and HTTP
/// CONNECT: the control connection and the three data connections are
/// four tunnels.
fn library_passive<D: Driver>(c: &Ctx) -> Outcome {
    let cases = [
        (ProxyKind::Socks5, "socks5", None),
        (ProxyKind::Socks5, "socks5h", Some(("alice", "pr0xy-pw"))),
        (ProxyKind::Http, "http", Some(("alice", "pr0xy-pw"))),
    ];
    for (i, (kind, scheme, login)) in cases.into_iter().enumerate() {
        let proxy = TestProxy::start(kind, login, None);
        round_trip::<D>(c, through(&proxy, scheme), &format!("via{i}.bin"))?;
        let expected = c.target.control_connections_per_session() + 3;
        ensure!(
            proxy.tunnels() == expected,
            "{scheme}: {} tunnels, expected {expected}",
            proxy.tunnels()
        );
    }
    Ok(())
}

/// Active mode through SOCKS5: each data connection is the server's,
/// accepted by the proxy (BIND).
fn library_active_bind<D: Driver>(c: &Ctx) -> Outcome {
    let proxy = TestProxy::start(ProxyKind::Socks5, None, None);
    let config = Config {
        data_mode: DataMode::Active { address: None },
        ..through(&proxy, "socks5")
    };
    round_trip::<D>(c, config, "bound.bin")?;
    let control = c.target.control_connections_per_session();
    ensure!(
        (proxy.tunnels(), proxy.binds()) == (control, 3),
        "{} tunnels and {} binds, expected {control} and 3",
        proxy.tunnels(),
        proxy.binds()
    );
    Ok(())
}

/// `ftp-cli -v --proxy socks5h://alice:PASSWORD@… cp` both ways: `-v`
/// names the proxy hop, never its password.
fn cli_socks5_login_round_trip(c: &Ctx) -> Outcome {
    let proxy = TestProxy::start(ProxyKind::Socks5, Some(("alice", "pr0xy-pw")), None);
    c.add_secret("pr0xy-pw");
    let url = proxy.url("socks5h");
    let content = pattern(500_009, 62);
    let src = c.write_local("up.bin", &content);
    let src = src.to_str().ok_or("a UTF-8 scratch path")?;
    let up = c.cli(&["--proxy", &url, "cp", src, &c.url("up.bin")])?;
    up.expect_ok()?;
    has_content(&c.on_server("up.bin"), &content)?;
    let back = c.local("back.bin");
    let back_arg = back.to_str().ok_or("a UTF-8 scratch path")?;
    let down = c.cli(&["--proxy", &url, "cp", &c.url("up.bin"), back_arg])?;
    down.expect_ok()?;
    has_content(&back, &content)?;
    let hop = format!("through the proxy socks5h://alice@{}", proxy.addr());
    for run in [&up, &down] {
        ensure!(
            run.err().contains(&hop),
            "-v does not name the hop {hop:?}:\n{}",
            run.err()
        );
    }
    ensure!(proxy.tunnels() >= 4, "only {} tunnels", proxy.tunnels());
    Ok(())
}

/// Runs `ftp-cli -v ARGS` with the environment `env` (and no other proxy
/// variable); its exit code and stderr, checked for secrets.
fn cli_env(c: &Ctx, env: &[(&str, &str)], args: &[&str]) -> Result<(Option<i32>, String), Failed> {
    let mut command: Command = c.cli_command();
    for name in [
        "ftp_proxy",
        "FTP_PROXY",
        "all_proxy",
        "ALL_PROXY",
        "no_proxy",
        "NO_PROXY",
    ] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied()).arg("-v").args(args);
    let output = command.output()?;
    c.check_no_secret("ftp-cli with a proxy", &output.stdout)?;
    c.check_no_secret("ftp-cli with a proxy", &output.stderr)?;
    Ok((
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

/// `ALL_PROXY` is used; `FTP_PROXY` wins over it, and `--proxy` over both;
/// `--noproxy` (and `NO_PROXY`) reach the host directly.
fn cli_environment_and_noproxy(c: &Ctx) -> Outcome {
    c.put("seen.txt", b"x");
    let http = TestProxy::start(ProxyKind::Http, None, None);
    let refusing = TestProxy::start(ProxyKind::Socks5, None, Some(ProxyFault::Refuse));
    let listing = ["ls", "-1"];
    let url = c.url("");
    let ls: Vec<&str> = listing.iter().copied().chain([url.as_str()]).collect();
    // Each `ls` is a session: its control connection(s) and one listing.
    let per_run = c.target.control_connections_per_session() + 1;
    let (code, err) = cli_env(c, &[("ALL_PROXY", &http.url("http"))], &ls)?;
    ensure!(
        code == Some(0) && http.tunnels() == per_run,
        "ALL_PROXY: exit {code:?}, {} tunnels:\n{err}",
        http.tunnels()
    );
    let env = [
        ("ALL_PROXY", refusing.url("socks5")),
        ("ftp_proxy", http.url("http")),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (code, err) = cli_env(c, &env, &ls)?;
    ensure!(
        code == Some(0) && http.tunnels() == 2 * per_run,
        "ftp_proxy over ALL_PROXY: exit {code:?}:\n{err}"
    );
    let http_url = http.url("http");
    let flagged: Vec<&str> = ["--proxy", http_url.as_str()]
        .into_iter()
        .chain(ls.iter().copied())
        .collect();
    let refused_env = [("FTP_PROXY", refusing.url("socks5"))];
    let refused_env: Vec<(&str, &str)> =
        refused_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (code, err) = cli_env(c, &refused_env, &flagged)?;
    ensure!(
        code == Some(0) && http.tunnels() == 3 * per_run,
        "--proxy over FTP_PROXY: exit {code:?}:\n{err}"
    );
    let host = c.target.addr.ip().to_string();
    let bypass: Vec<&str> = ["--noproxy", &host]
        .into_iter()
        .chain(ls.iter().copied())
        .collect();
    let (code, err) = cli_env(c, &refused_env, &bypass)?;
    ensure!(
        code == Some(0) && err.contains("without the proxy"),
        "--noproxy: exit {code:?}:\n{err}"
    );
    let with_no_proxy: Vec<(&str, &str)> = refused_env
        .iter()
        .copied()
        .chain([("NO_PROXY", host.as_str())])
        .collect();
    let (code, err) = cli_env(c, &with_no_proxy, &ls)?;
    ensure!(code == Some(0), "NO_PROXY: exit {code:?}:\n{err}");
    // The tree commands' sessions follow NO_PROXY too.
    c.put("tree/t.txt", b"tree");
    let (copied, synced) = (c.local("copied"), c.local("synced"));
    for args in [
        vec!["cp", "-r", "-j", "2", &c.url("tree"), utf8(&copied)?],
        vec!["sync", &c.url("tree"), utf8(&synced)?],
    ] {
        let (code, err) = cli_env(c, &with_no_proxy, &args)?;
        ensure!(
            code == Some(0),
            "NO_PROXY, {}: exit {code:?}:\n{err}",
            args[0]
        );
    }
    has_content(&copied.join("t.txt"), b"tree")?;
    has_content(&synced.join("t.txt"), b"tree")?;
    ensure!(
        refusing.tunnels() == 0,
        "the refusing proxy opened a tunnel"
    );
    Ok(())
}

/// Each fault: exit 1 (2 for a malformed URL), one error line naming the
/// proxy and what it said, and no file on the server.
fn cli_faults(c: &Ctx) -> Outcome {
    let src = c.write_local("f.bin", b"never sent");
    let src = src.to_str().ok_or("a UTF-8 scratch path")?;
    let refusing = TestProxy::start(ProxyKind::Socks5, None, Some(ProxyFault::Refuse));
    let forbidding = TestProxy::start(ProxyKind::Http, None, Some(ProxyFault::Refuse));
    let login = TestProxy::start(ProxyKind::Http, Some(("alice", "right")), None);
    let silent = TestProxy::start(ProxyKind::Socks5, None, Some(ProxyFault::Silent));
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    c.add_secret("wr0ng-pw");
    let cases = [
        (
            refusing.url("socks5h"),
            1,
            "SOCKS5 reply 2: connection not allowed by ruleset",
        ),
        (
            forbidding.url("http"),
            1,
            "HTTP 403 Forbidden by test rules",
        ),
        (
            login.url("http").replace("right", "wr0ng-pw"),
            1,
            "rejected the login of user \"alice\"",
        ),
        (
            format!("http://{}", login.addr()),
            1,
            "HTTP 407 Proxy Authentication Required",
        ),
        (
            silent.url("socks5h"),
            1,
            "no answer from the proxy within 1s",
        ),
        (format!("socks5://{closed}"), 1, "cannot reach the proxy"),
        (
            "socks4://127.0.0.1:1080".to_owned(),
            2,
            "--proxy: invalid proxy URL",
        ),
    ];
    for (proxy, expected, says) in cases {
        let args = [
            "--timeout",
            "1",
            "--proxy",
            &proxy,
            "cp",
            src,
            &c.url("f.bin"),
        ];
        let run = c.cli_quiet(&args)?;
        run.expect_code(expected)?;
        let err = run.err();
        let lines: Vec<&str> = err.lines().collect();
        ensure!(
            lines.len() == 1 && lines[0].contains(says),
            "{proxy}: not one line saying {says:?}:\n{err}"
        );
        let shown = Proxy::parse(&proxy).map(|p| p.to_string());
        if let Ok(shown) = shown {
            ensure!(
                lines[0].contains(&shown),
                "the error does not name the proxy {shown}: {err}"
            );
        }
        ensure!(
            !c.on_server("f.bin").exists(),
            "{proxy}: a file reached the server"
        );
    }
    let tunnels = refusing.tunnels() + forbidding.tunnels() + login.tunnels() + silent.tunnels();
    ensure!(tunnels == 0, "{tunnels} tunnels opened");
    Ok(())
}
