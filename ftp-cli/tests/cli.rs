//! `ftp-cli` where no real server's behaviour is involved: usage errors,
//! `--help`, and a listing only a scripted server sends. Every command
//! against a server is in the end-to-end matrix (`tests/matrix/`), run
//! against the in-process server and, in the interop suite, every real one.

use std::process::{Command, Output};

use ftp_suite::{PASSWORD, TestServer};

mod common;
use common::{ftp_cli, stderr, stdout};

/// Asserts the exit code, that the password appears nowhere, and that an
/// error is exactly one line.
fn check(output: &Output, code: i32) {
    let (out, err) = (stdout(output), stderr(output));
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {out}\nstderr: {err}"
    );
    assert!(
        !out.contains(PASSWORD) && !err.contains(PASSWORD),
        "password shown:\n{out}\n{err}"
    );
    if code != 0 {
        assert_eq!(err.lines().count(), 1, "one line per error: {err}");
        assert!(err.starts_with("ftp-cli: "), "{err}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let server = TestServer::start();
    for args in [
        vec!["cp", "a", "b"],
        vec!["cp", "-C", "ftp://h/a", "ftp://h/b"],
        vec!["ls", "http://example.net/"],
        vec!["ls", "ftp://"],
        vec!["ls", "ftp://h:99999/"],
        vec!["ls", "ftp://h/bad%zzescape"],
        vec!["ls", "not-a-url"],
        vec!["frobnicate"],
        vec![],
    ] {
        let out = ftp_cli(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    // CR/LF/NUL in any decoded part: refused before connecting (the
    // server would log a login if anything were sent).
    for part in ["a%0d%0aDELE%20b", "a%00"] {
        let url = format!("ftp://{}/{}", server.addr(), part);
        let out = ftp_cli(&["rm", &url]);
        assert_eq!(out.status.code(), Some(2), "{url}: {}", stderr(&out));
        let url = format!("ftp://user{part}:pw@{}/", server.addr());
        let out = ftp_cli(&["ls", &url]);
        assert_eq!(out.status.code(), Some(2), "{url}: {}", stderr(&out));
    }
}

#[test]
fn help_explains_every_command_with_examples() {
    let out = ftp_cli(&["--help"]);
    check(&out, 0);
    let help = stdout(&out);
    for word in [
        "ls",
        "mkdir",
        "rm",
        "rmdir",
        "cp",
        "mv",
        "hash",
        "sync",
        "--verbose",
        "ftp://[user[:password]@]host[:port]/path",
        "Examples:",
    ] {
        assert!(help.contains(word), "{word} missing from --help:\n{help}");
    }
    for command in ["ls", "mkdir", "rm", "rmdir", "cp", "mv", "hash", "sync"] {
        let out = ftp_cli(&[command, "--help"]);
        check(&out, 0);
        assert!(
            stdout(&out).contains("ftp-cli "),
            "{command} --help has no example"
        );
    }
}

#[test]
fn segments_and_their_threshold_refuse_bad_values_in_one_line() {
    let server = TestServer::start();
    let url = server.url("");
    for good in [
        vec!["--segments", "1"],
        vec!["--segments", "16", "--segment-threshold", "64M"],
        vec!["--segments", "4", "--segment-threshold", "1000"],
    ] {
        let mut args = good.clone();
        args.extend(["ls", &url]);
        check(&ftp_cli(&args), 0);
    }
    for (bad, needle) in [
        ("--segments=0", "from 1 to 16"),
        ("--segments=17", "from 1 to 16"),
        ("--segments=four", "from 1 to 16"),
        ("--segment-threshold=0", "a size above zero"),
        ("--segment-threshold=64MB", "a size above zero"),
    ] {
        let mut args = vec![bad];
        if bad.starts_with("--segment-threshold") {
            args.insert(0, "--segments=4");
        }
        args.extend(["ls", &url]);
        let out = ftp_cli(&args);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        // One line of error (then clap's pointer to --help).
        let err = stderr(&out);
        let first = err.lines().next().unwrap_or_default();
        assert!(first.contains(needle), "{bad}: {err}");
        assert!(err.lines().nth(1).is_none_or(str::is_empty), "{bad}: {err}");
    }
    // A threshold alone means nothing: it needs --segments.
    let out = ftp_cli(&["--segment-threshold", "1M", "ls", &url]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--segments"), "{}", stderr(&out));
}

#[test]
fn limit_rate_takes_curls_syntax_and_refuses_the_rest() {
    let server = TestServer::start();
    let url = server.url("");
    for option in ["--limit-rate", "--limit-total"] {
        for good in ["4096", "500K", "500k", "10M", "1g"] {
            let out = ftp_cli(&[option, good, "ls", &url]);
            check(&out, 0);
        }
        for bad in [
            "0",
            "0K",
            "",
            "K",
            "-1",
            "1.5M",
            "10KB",
            "fast",
            "99999999999T",
        ] {
            let out = ftp_cli(&[&format!("{option}={bad}"), "ls", &url]);
            assert_eq!(out.status.code(), Some(2), "{option} {bad:?}");
            let err = stderr(&out);
            assert!(
                err.contains(option) && err.contains("above zero, such as 500K"),
                "{option} {bad:?}: {err}"
            );
        }
    }
    // After the command too, as every global option.
    let out = ftp_cli(&["ls", "--limit-rate", "1M", &url]);
    check(&out, 0);
}

#[test]
fn ls_prints_the_servers_bytes_with_lf_line_ends() {
    // A name that is not UTF-8, and a listing whose last line has no line
    // break: printed byte for byte, each line ending in LF.
    let server = ftp_suite::FaultServer::start(|peer| {
        peer.login()?;
        let mut data = peer.answer_transfer("LIST", "150 Here comes the listing")?;
        std::io::Write::write_all(
            &mut data,
            b"-rw-r--r-- 1 ftp ftp 3 Nov 22 10:00 caf\xe9.txt\r\n-rw-r--r-- 1 ftp ftp 1 Nov 22 10:00 b c\r\nlast",
        )?;
        drop(data);
        peer.reply("226 Done")?;
        peer.drain()
    });
    let out = ftp_cli(&["ls", &server.url("")]);
    check(&out, 0);
    assert_eq!(
        out.stdout,
        b"-rw-r--r-- 1 ftp ftp 3 Nov 22 10:00 caf\xe9.txt\n-rw-r--r-- 1 ftp ftp 1 Nov 22 10:00 b c\nlast\n"
    );
}

#[test]
fn a_local_name_with_a_leading_dash_is_an_argument_after_double_dash() {
    let server = TestServer::start();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("-la"), b"dash").unwrap();
    let run = |args: &[&str]| {
        common::command()
            .args(args)
            .current_dir(local.path())
            .output()
            .expect("run ftp-cli")
    };
    // Without `--` it is an option: a usage error, nothing sent.
    let out = run(&["cp", "-la", &server.url("")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!server.root().join("-la").exists());
    // With it, the file of that name.
    let out = run(&["cp", "--", "-la", &server.url("")]);
    check(&out, 0);
    assert_eq!(std::fs::read(server.root().join("-la")).unwrap(), b"dash");
    let out = run(&["rm", "--", &server.url("-la")]);
    check(&out, 0);
    assert!(!server.root().join("-la").exists());
}

/// Runs ftp-cli with `HOME` set to `home` (so `~/.netrc` is `home`'s) and
/// the given environment.
fn ftp_cli_env(args: &[&str], home: &std::path::Path, env: &[(&str, &str)]) -> Output {
    let mut command = common::command();
    command
        .args(args)
        .env("HOME", home)
        .env_remove("FTP_PASSWORD");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run ftp-cli")
}

fn write_netrc(path: &std::path::Path, text: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn logins_come_from_the_url_then_u_then_the_environment_then_netrc() {
    let server = TestServer::start();
    std::fs::write(server.root().join("f.txt"), b"f").unwrap();
    let home = tempfile::tempdir().unwrap();
    let host = server.addr().to_string();
    let bare = format!("ftp://{host}/");
    let user = |u: &str| format!("ftp://{u}@{host}/");
    // Each run lists the login directory; a wrong password is a 530, exit 1.
    let ok = |out: &Output| check(out, 0);
    let refused = |out: &Output| {
        check(out, 1);
        assert!(stderr(out).contains("530"), "{}", stderr(out));
    };

    ok(&ftp_cli_env(
        &["-u", &format!("test:{PASSWORD}"), "ls", &bare],
        home.path(),
        &[],
    ));
    ok(&ftp_cli_env(
        &["ls", &bare, "--user", &format!("test:{PASSWORD}")],
        home.path(),
        &[],
    ));
    ok(&ftp_cli_env(
        &["-u", "test", "ls", &bare],
        home.path(),
        &[("FTP_PASSWORD", PASSWORD)],
    ));
    // The URL's password comes first, -u's second, the environment third.
    refused(&ftp_cli_env(
        &[
            "ls",
            &format!("ftp://test:wrong@{host}/"),
            "--user",
            &format!("test:{PASSWORD}"),
        ],
        home.path(),
        &[],
    ));
    refused(&ftp_cli_env(
        &["ls", &bare, "--user", "test:wrong"],
        home.path(),
        &[("FTP_PASSWORD", PASSWORD)],
    ));

    // ~/.netrc, for the host; --no-netrc skips it (anonymous then).
    let netrc = home.path().join(".netrc");
    write_netrc(
        &netrc,
        &format!("machine 127.0.0.1 login test password {PASSWORD}\n"),
        0o600,
    );
    ok(&ftp_cli_env(&["ls", &user("test")], home.path(), &[]));
    ok(&ftp_cli_env(&["ls", &bare], home.path(), &[]));
    write_netrc(
        &netrc,
        "machine 127.0.0.1 login test password wrong\n",
        0o600,
    );
    refused(&ftp_cli_env(&["ls", &bare], home.path(), &[]));
    ok(&ftp_cli_env(&["ls", &bare, "--no-netrc"], home.path(), &[]));
    // The environment comes before netrc.
    ok(&ftp_cli_env(
        &["ls", &user("test")],
        home.path(),
        &[("FTP_PASSWORD", PASSWORD)],
    ));

    // --netrc-file names another file; one others may read is refused with
    // a warning (and the login is anonymous).
    let other = home.path().join("other-netrc");
    write_netrc(
        &other,
        &format!("default login test password {PASSWORD}\n"),
        0o600,
    );
    ok(&ftp_cli_env(
        &["ls", &bare, "--netrc-file", other.to_str().unwrap()],
        home.path(),
        &[],
    ));
    write_netrc(
        &other,
        &format!("default login test password {PASSWORD}\n"),
        0o644,
    );
    let out = ftp_cli_env(
        &["ls", &bare, "--netrc-file", other.to_str().unwrap()],
        home.path(),
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("others may read it") && err.lines().count() == 1,
        "{err}"
    );
    assert!(!err.contains(PASSWORD), "{err}");
    // A missing --netrc-file is a usage error.
    let out = ftp_cli_env(
        &["ls", &bare, "--netrc-file", "/nonexistent/netrc"],
        home.path(),
        &[],
    );
    check(&out, 2);
}

#[test]
fn a_named_user_without_a_password_is_asked_on_a_terminal() {
    let server = TestServer::start();
    std::fs::write(server.root().join("f.txt"), b"f").unwrap();
    let home = tempfile::tempdir().unwrap();
    let url = format!("ftp://{}/", server.addr());
    // script(1) gives ftp-cli a terminal; the password is typed into it.
    let command = format!(
        "{} -u test ls {url} --no-netrc",
        env!("CARGO_BIN_EXE_ftp-cli")
    );
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("HOME", home.path())
        .env_remove("FTP_PASSWORD")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run script(1)");
    // Typed once the prompt is up (so that echo is off by then), within
    // ten seconds.
    let mut stdout = child.stdout.take().unwrap();
    let (tx, prompted) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 256];
        let mut announced = Some(tx);
        while let Ok(n) = std::io::Read::read(&mut stdout, &mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            if String::from_utf8_lossy(&seen).contains("Password for") {
                if let Some(tx) = announced.take() {
                    let _ = tx.send(());
                }
            }
        }
        seen
    });
    let prompted = prompted.recv_timeout(std::time::Duration::from_secs(10));
    assert!(prompted.is_ok(), "no password prompt within 10 s");
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .unwrap();
    let status = child.wait().unwrap();
    let out = std::process::Output {
        status,
        stdout: reader.join().unwrap(),
        stderr: Vec::new(),
    };
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(shown.contains("Password for test@127.0.0.1: "), "{shown}");
    assert!(shown.contains("f.txt"), "{shown}");
    // Not echoed.
    assert!(!shown.contains(PASSWORD), "{shown}");
}

#[test]
fn completions_and_the_manual_page_come_from_the_command_line_definition() {
    for (shell, marker) in [
        ("bash", "complete -F _ftp__cli"),
        ("zsh", "#compdef ftp-cli"),
        ("fish", "complete -c ftp-cli"),
    ] {
        let out = ftp_cli(&["completions", shell]);
        check(&out, 0);
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell}: {script}");
        for word in ["mkdir", "rmdir", "netrc-file", "timeout"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }
    // bash takes the script: the completion is then registered.
    let out = Command::new("bash")
        .args([
            "-c",
            &format!(
                "source <({} completions bash) && complete -p ftp-cli",
                env!("CARGO_BIN_EXE_ftp-cli")
            ),
        ])
        .output()
        .expect("run bash");
    assert!(
        stdout(&out).contains("ftp-cli"),
        "{} {}",
        stdout(&out),
        stderr(&out)
    );
    let out = ftp_cli(&["man"]);
    check(&out, 0);
    let page = stdout(&out);
    assert!(page.contains(".TH ftp-cli 1"), "{page}");
    for word in ["ls", "mkdir", "cp", "mv", "completions", "netrc"] {
        assert!(page.contains(word), "the manual page lacks {word}");
    }
    // clap's own usage error.
    let out = ftp_cli(&["completions", "nosuch"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
