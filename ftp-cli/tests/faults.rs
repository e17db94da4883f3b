//! `ftp-cli` against a scripted misbehaving server, and against bad input:
//! a failing transfer never leaves a partial file, never changes an existing
//! one, and `mv` keeps its source; bad input is refused before any byte is
//! sent.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use ftp_suite::{FaultServer, Peer};

fn ftp_cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftp-cli"))
        .args(["--timeout", "1.5"])
        .args(args)
        .output()
        .expect("run ftp-cli")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_failed(output: &Output, code: i32, needle: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(needle), "{needle:?} not in {err}");
    assert!(!err.contains(":pw@"), "password shown: {err}");
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A download that fails after `150` and some data, in the way `fault` says.
fn failing_download(fault: &'static str) -> FaultServer {
    FaultServer::start(move |peer| {
        peer.login()?;
        peer.type_and_epsv()?;
        peer.expect("RETR")?;
        let mut data = peer.accept_data()?;
        peer.reply("150 Opening BINARY mode data connection (1000000 bytes)")?;
        data.write_all(&[9u8; 500_000])?;
        match fault {
            "426" => {
                drop(data);
                peer.reply("426 Connection closed; transfer aborted")?;
            }
            "short" => {
                drop(data);
                peer.reply("226 Transfer complete")?;
            }
            "stall" => {
                std::thread::sleep(Duration::from_secs(5));
                return Ok(());
            }
            _ => {
                // Control connection dropped.
                peer.close();
                drop(data);
                return Ok(());
            }
        }
        peer.drain()
    })
}

#[test]
fn failed_downloads_leave_no_partial_file_and_keep_existing_ones() {
    for (fault, needle) in [
        ("426", "426 Connection closed"),
        (
            "short",
            "received 500000 bytes but the server announced 1000000",
        ),
        ("stall", "timed out"),
        ("drop", "server closed the connection"),
    ] {
        for op in ["cp", "mv"] {
            let local = tempfile::tempdir().unwrap();
            // Into a directory: nothing may appear there.
            let server = failing_download(fault);
            let started = Instant::now();
            let out = ftp_cli(&[op, &server.url("f.bin"), local.path().to_str().unwrap()]);
            assert_failed(&out, 1, needle);
            assert!(
                entries(local.path()).is_empty(),
                "{fault} {op}: {:?}",
                entries(local.path())
            );
            assert!(
                started.elapsed() < Duration::from_secs(6),
                "{fault} {op}: {:?}",
                started.elapsed()
            );
            assert!(
                !server.received().iter().any(|l| l.starts_with("DELE")),
                "{op} deleted its source"
            );

            // Over an existing file: it keeps its content.
            let existing = local.path().join("f.bin");
            fs::write(&existing, b"precious").unwrap();
            let server = failing_download(fault);
            let out = ftp_cli(&[op, &server.url("f.bin"), existing.to_str().unwrap()]);
            assert_failed(&out, 1, needle);
            assert_eq!(fs::read(&existing).unwrap(), b"precious", "{fault} {op}");
            assert_eq!(entries(local.path()), ["f.bin"], "{fault} {op}");
        }
    }
}

#[test]
fn disk_full_after_upload_keeps_the_source_and_the_remote_file() {
    for code in ["552 Disk full", "452 Insufficient storage space"] {
        let server = FaultServer::start(move |peer| {
            peer.login()?;
            peer.type_and_epsv()?;
            peer.expect("STOR")?;
            let mut data = peer.accept_data()?;
            peer.reply("150 Send it")?;
            Peer::read_data(&mut data)?;
            peer.reply(code)?;
            peer.drain()
        });
        let local = tempfile::tempdir().unwrap();
        let src = local.path().join("up.bin");
        fs::write(&src, vec![3u8; 300_000]).unwrap();
        let out = ftp_cli(&["mv", src.to_str().unwrap(), &server.url("up.bin")]);
        assert_failed(&out, 1, &code[..3]);
        assert_eq!(fs::read(&src).unwrap().len(), 300_000, "mv kept its source");
        let received = server.received();
        // The upload went to a temporary name; the real name was never
        // touched (no RNTO), and the temporary one was cleaned up.
        assert!(
            received.iter().any(|l| l.starts_with("STOR .up.bin.")),
            "{received:?}"
        );
        assert!(
            !received.iter().any(|l| l.starts_with("RNTO")),
            "{received:?}"
        );
        assert!(
            received.iter().any(|l| l.starts_with("DELE .up.bin.")),
            "{received:?}"
        );
    }
}

#[test]
fn mv_reports_a_failed_delete_and_keeps_both_copies() {
    let server = FaultServer::start(|peer| {
        peer.login()?;
        peer.type_and_epsv()?;
        peer.expect("RETR")?;
        let mut data = peer.accept_data()?;
        peer.reply("150 Here")?;
        data.write_all(b"content")?;
        drop(data);
        peer.reply("226 Done")?;
        peer.answer("SIZE", "213 7")?;
        peer.answer("DELE", "550 Permission denied")?;
        peer.drain()
    });
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("copy.txt");
    let out = ftp_cli(&["mv", &server.url("f.txt"), dst.to_str().unwrap()]);
    assert_failed(
        &out,
        1,
        "could not delete the source: DELE f.txt: 550 Permission denied",
    );
    assert_eq!(fs::read(&dst).unwrap(), b"content");
}

#[test]
fn mv_keeps_the_source_when_size_disagrees() {
    let server = FaultServer::start(|peer| {
        peer.login()?;
        peer.type_and_epsv()?;
        peer.expect("RETR")?;
        let mut data = peer.accept_data()?;
        peer.reply("150 Here")?;
        data.write_all(b"content")?;
        drop(data);
        peer.reply("226 Done")?;
        peer.answer("SIZE", "213 9999")?;
        peer.drain()
    });
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("copy.txt");
    let out = ftp_cli(&["mv", &server.url("f.txt"), dst.to_str().unwrap()]);
    assert_failed(&out, 1, "transferred 7 bytes but the server reports 9999");
    assert!(!dst.exists());
    assert!(!server.received().iter().any(|l| l.starts_with("DELE")));
}

#[test]
fn silent_server_times_out() {
    let server = FaultServer::start(|peer| {
        std::thread::sleep(Duration::from_secs(5));
        peer.close();
        Ok(())
    });
    let local = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = ftp_cli(&["cp", &server.url("f"), local.path().to_str().unwrap()]);
    assert_failed(
        &out,
        1,
        "timed out after 1.5s waiting for the server's reply",
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(entries(local.path()).is_empty());
}

#[test]
fn line_breaks_in_any_url_part_are_refused_before_connecting() {
    let server = FaultServer::start(|peer| peer.login());
    let addr = server.addr();
    let local = tempfile::tempdir().unwrap();
    let file = local.path().join("f");
    fs::write(&file, b"x").unwrap();
    let urls = [
        format!("ftp://user:pw@{addr}/a%0D%0ADELE%20b"),
        format!("ftp://user:pw@{addr}/a%0A"),
        format!("ftp://user:pw@{addr}/a%00b"),
        format!("ftp://us%0Der:pw@{addr}/f"),
        format!("ftp://user:p%0Aw@{addr}/f"),
        format!("ftp://user:pw%00@{addr}/f"),
    ];
    for url in &urls {
        for args in [
            vec!["ls", url.as_str()],
            vec!["rm", url.as_str()],
            vec!["cp", file.to_str().unwrap(), url.as_str()],
            vec!["mv", url.as_str(), local.path().to_str().unwrap()],
        ] {
            let out = ftp_cli(&args);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        }
    }
    assert_eq!(server.connections(), 0, "a connection was made");
    assert!(file.exists());
}

#[test]
fn bad_urls_are_usage_errors() {
    for (url, needle) in [
        ("http://example.net/f", "unsupported scheme"),
        ("sftp://example.net/f", "unsupported scheme"),
        ("ftp://", "empty host"),
        ("ftp://example.net:70000/f", "invalid port"),
        ("ftp://example.net:0/f", "port 0"),
        ("ftp://example.net/a%g1", "bad percent-escape"),
    ] {
        let out = ftp_cli(&["ls", url]);
        assert_failed(&out, 2, needle);
    }
}

#[test]
fn local_problems_exit_1_before_connecting() {
    let server = FaultServer::start(|peer| peer.login());
    let local = tempfile::tempdir().unwrap();

    let missing = local.path().join("missing.txt");
    let out = ftp_cli(&["cp", missing.to_str().unwrap(), &server.url("")]);
    assert_failed(&out, 1, "missing.txt: No such file or directory");

    let out = ftp_cli(&["mv", local.path().to_str().unwrap(), &server.url("x")]);
    assert_failed(&out, 1, "is a directory");

    let no_dir = local.path().join("no/such/dir/");
    let out = ftp_cli(&["cp", &server.url("f"), no_dir.to_str().unwrap()]);
    assert_failed(&out, 1, "no/such/dir");

    // A directory this process cannot write to: chmod works for ordinary
    // users; root writes anywhere on a normal file system, so use sysfs,
    // where even root cannot create files.
    let read_only = if is_root() {
        Path::new("/sys/kernel").to_owned()
    } else {
        let dir = local.path().join("read-only");
        fs::create_dir(&dir).unwrap();
        let mut permissions = fs::metadata(&dir).unwrap().permissions();
        permissions.set_readonly(true);
        fs::set_permissions(&dir, permissions).unwrap();
        dir
    };
    let out = ftp_cli(&["mv", &server.url("f"), read_only.to_str().unwrap()]);
    assert_failed(&out, 1, &format!("cannot write to {}", read_only.display()));
    assert_eq!(server.connections(), 0, "a connection was made");
}

fn is_root() -> bool {
    // Without libc: /proc/self/status lists the effective uid.
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|uid| uid == "0"))
        })
        .unwrap_or(false)
}
