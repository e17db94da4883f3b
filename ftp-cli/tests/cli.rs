//! `ftp-cli` where no real server's behaviour is involved: usage errors,
//! `--help`, and a listing only a scripted server sends. Every command
//! against a server is in the end-to-end matrix (`tests/matrix/`), run
//! against the in-process server and, in the interop suite, every real one.

use std::process::{Command, Output};

use ftp_suite::{PASSWORD, TestServer};

fn ftp_cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftp-cli"))
        .args(args)
        .output()
        .expect("run ftp-cli")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

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
        vec!["cp", "ftp://h/a", "ftp://h/b"],
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
        "--verbose",
        "ftp://[user[:password]@]host[:port]/path",
        "Examples:",
    ] {
        assert!(help.contains(word), "{word} missing from --help:\n{help}");
    }
    for command in ["ls", "mkdir", "rm", "rmdir", "cp", "mv"] {
        let out = ftp_cli(&[command, "--help"]);
        check(&out, 0);
        assert!(
            stdout(&out).contains("ftp-cli "),
            "{command} --help has no example"
        );
    }
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
        Command::new(env!("CARGO_BIN_EXE_ftp-cli"))
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
