//! `ftp-cli` against a scripted misbehaving server, and against bad input:
//! a failing transfer never leaves a partial file, never changes an existing
//! one, and `mv` keeps its source; bad input is refused before any byte is
//! sent.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use ftp_suite::scenarios::{self, DownloadFault, FinalReply, UploadFault, UploadTarget};
use ftp_suite::{FaultServer, local_names};

mod common;
use common::{ftp_cli_with, stderr};

/// Options every run here takes.
const OPTIONS: &[&str] = &["--timeout", "1.5"];

fn assert_failed(output: &Output, code: i32, needle: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(needle), "{needle:?} not in {err}");
    assert!(!err.contains(":pw@"), "password shown: {err}");
}

/// How a run of `ftp-cli` against a fault must end.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Exit 0; a download delivers this content.
    Success(&'static [u8]),
    /// Exit 1 with this in the one-line error.
    Failure(&'static str),
}

/// A run's bound: the 1.5 s timeouts of [`ftp_cli`], twice (a data stall,
/// then the final reply), plus the process's own start and stop.
const RUN_BOUND: Duration = Duration::from_secs(6);

fn timed_cli(args: &[&str]) -> Output {
    let started = Instant::now();
    let out = ftp_cli_with(OPTIONS, args);
    assert!(
        started.elapsed() < RUN_BOUND,
        "{args:?} took {:?}",
        started.elapsed()
    );
    out
}

/// A download through `ftp-cli` from `server`, twice: `cp` into an empty
/// directory, then `mv` over an existing file. A failure leaves no file
/// behind, the existing file unchanged, and the remote source undeleted.
fn download_through_the_cli(name: &str, server: &FaultServer, expect: Expect) {
    let local = tempfile::tempdir().unwrap();
    let existing = local.path().join("f.bin");
    let out = timed_cli(&["cp", &server.url("f.bin"), local.path().to_str().unwrap()]);
    match expect {
        Expect::Success(content) => {
            assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
            assert_eq!(fs::read(&existing).unwrap(), content, "{name}");
            // Over the file just written: replaced by the same content.
            let out = timed_cli(&["cp", &server.url("f.bin"), existing.to_str().unwrap()]);
            assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
            assert_eq!(fs::read(&existing).unwrap(), content, "{name}");
            assert_eq!(local_names(local.path()), ["f.bin"], "{name}");
        }
        Expect::Failure(needle) => {
            assert_failed(&out, 1, needle);
            assert!(
                local_names(local.path()).is_empty(),
                "{name}: a file was left"
            );
            fs::write(&existing, b"precious").unwrap();
            let out = timed_cli(&["mv", &server.url("f.bin"), existing.to_str().unwrap()]);
            assert_failed(&out, 1, needle);
            assert_eq!(fs::read(&existing).unwrap(), b"precious", "{name}");
            assert_eq!(local_names(local.path()), ["f.bin"], "{name}");
            let received = server.received();
            assert!(
                !received.iter().any(|l| l.starts_with("DELE")),
                "{name}: mv deleted its source: {received:?}"
            );
        }
    }
}

#[test]
fn every_download_fault_through_the_cli() {
    use DownloadFault::*;
    let cases = [
        (
            "150, half the data, 426",
            scenarios::download_fault(Abort426),
            Expect::Failure("426 Connection closed; transfer aborted"),
        ),
        (
            "150, half the data, 226",
            scenarios::download_fault(Short),
            Expect::Failure("received 500000 bytes but the server announced 1000000"),
        ),
        (
            "a stall mid-transfer",
            scenarios::download_fault(Stall),
            Expect::Failure("timed out after 1.5s"),
        ),
        (
            "the control connection dropped mid-transfer",
            scenarios::download_fault(DropControl),
            Expect::Failure("server closed the connection"),
        ),
        (
            "the data connection reset mid-transfer",
            scenarios::download_fault(ResetData),
            Expect::Failure("426 Data connection lost"),
        ),
        (
            "550 while the data connection is open and silent",
            scenarios::refusal_with_data_open(),
            Expect::Failure("RETR f.bin: 550 No such file"),
        ),
        (
            "the data connection refused",
            scenarios::data_connection_refused(),
            Expect::Failure("opening the data connection to 127.0.0.1:"),
        ),
        (
            "garbage instead of a greeting",
            scenarios::garbage_greeting(),
            Expect::Failure("malformed reply"),
        ),
        (
            "a greeting line of hundreds of megabytes",
            scenarios::endless_greeting_line(),
            Expect::Failure("reply line longer than"),
        ),
        (
            "a server that never speaks",
            scenarios::silent(),
            Expect::Failure("timed out after 1.5s waiting for the server's reply"),
        ),
        (
            "421 in answer to TYPE",
            scenarios::closes_with_421(),
            Expect::Failure("421 Timeout, closing control connection"),
        ),
        (
            "226 before the data",
            scenarios::download_with_final_reply(FinalReply::BeforeData),
            Expect::Success(scenarios::CONTENT),
        ),
        (
            "226 a second after the data",
            scenarios::download_with_final_reply(FinalReply::SecondAfterData),
            Expect::Success(scenarios::CONTENT),
        ),
        (
            "EPSV refused, 227 without parentheses advertising 10.9.8.7",
            scenarios::pasv_only("10,9,8,7"),
            Expect::Success(scenarios::PASV_CONTENT),
        ),
        (
            "EPSV refused, 227 advertising 0.0.0.0",
            scenarios::pasv_only("0,0,0,0"),
            Expect::Success(scenarios::PASV_CONTENT),
        ),
    ];
    for (name, server, expect) in &cases {
        download_through_the_cli(name, server, *expect);
    }
}

#[test]
fn epsv_that_fails_falls_back_to_pasv_through_the_cli() {
    for (what, fault) in scenarios::EPSV_FAULTS {
        let server = scenarios::epsv_fails(fault, "127,0,0,1");
        download_through_the_cli(what, &server, Expect::Success(scenarios::PASV_CONTENT));
    }
}

#[test]
fn curl_test_cases_through_the_cli() {
    // 2108: a NUL in the 230 after PASS.
    let server = scenarios::nul_in_login_reply();
    assert_failed(&timed_cli(&["ls", &server.url("")]), 1, "malformed reply");
    // 3217: a PWD path with ETX; `ls` of a directory must not send it back.
    let server = scenarios::control_character_in_pwd();
    assert_failed(
        &timed_cli(&["ls", &server.url("d/")]),
        1,
        "control character",
    );
    let received = server.received();
    assert!(!received.iter().any(|l| l.contains('\x03')), "{received:?}");
    // 1219: a 230 greeting; USER and PASS would be refused.
    let server = scenarios::greeting_230();
    download_through_the_cli("230 greeting", &server, Expect::Success(scenarios::CONTENT));
    let received = server.received();
    assert!(
        !received
            .iter()
            .any(|l| l.starts_with("USER") || l.starts_with("PASS")),
        "{received:?}"
    );
}

#[test]
fn every_reply_fault_through_the_cli_commands() {
    let cases: [(&str, FaultServer, &[&str], Expect); 7] = [
        (
            "120 before 220, digit lines and bare LF in multi-line replies",
            scenarios::odd_but_valid_replies(),
            &["mkdir", "rm"],
            Expect::Success(b""),
        ),
        (
            "200 where 250 or 257 belong",
            scenarios::answers_200_to_everything(),
            &["mkdir", "rmdir", "rm"],
            Expect::Success(b""),
        ),
        (
            "421 in the middle of a command",
            scenarios::closes_with_421(),
            &["mkdir", "rmdir", "rm", "ls"],
            Expect::Failure("421 Timeout, closing control connection"),
        ),
        (
            "garbage instead of a greeting",
            scenarios::garbage_greeting(),
            &["ls", "mkdir"],
            Expect::Failure("malformed reply"),
        ),
        (
            "a greeting line of hundreds of megabytes",
            scenarios::endless_greeting_line(),
            &["ls"],
            Expect::Failure("reply line longer than"),
        ),
        (
            "the data connection refused",
            scenarios::data_connection_refused(),
            &["ls"],
            Expect::Failure("opening the data connection to 127.0.0.1:"),
        ),
        (
            "a server that never speaks",
            scenarios::silent(),
            &["rmdir"],
            Expect::Failure("timed out after 1.5s waiting for the server's reply"),
        ),
    ];
    for (name, server, ops, expect) in &cases {
        for op in *ops {
            let path = if *op == "rm" { "f" } else { "d/" };
            let out = timed_cli(&[op, &server.url(path)]);
            match expect {
                Expect::Success(_) => {
                    assert_eq!(out.status.code(), Some(0), "{name} {op}: {}", stderr(&out));
                }
                Expect::Failure(needle) => assert_failed(&out, 1, needle),
            }
        }
    }
}

/// What a failed `mv` upload must have sent: a replacement goes to a
/// temporary name that is never renamed over the target and is cleaned up;
/// a new file goes straight to its name, and the partial file is deleted.
fn check_failed_upload_commands(target: UploadTarget, received: &[String], case: &str) {
    let upload_name = match target {
        UploadTarget::Existing => "up.bin.",
        UploadTarget::New => "up.bin",
    };
    let stored = format!(
        "STOR {}{upload_name}",
        if target == UploadTarget::Existing {
            "."
        } else {
            ""
        }
    );
    let deleted = format!(
        "DELE {}{upload_name}",
        if target == UploadTarget::Existing {
            "."
        } else {
            ""
        }
    );
    assert!(
        received.iter().any(|l| l.starts_with("SIZE up.bin")),
        "{case}: {received:?}"
    );
    assert!(
        received.iter().any(|l| l.starts_with(&stored)),
        "{case}: {received:?}"
    );
    // At most the check of the target that it may be replaced (RNFR, then
    // RNTO onto the same name); never a rename of the upload.
    assert!(
        !received
            .iter()
            .any(|l| l.starts_with("RNFR .")
                || (l.starts_with("RNTO") && l.as_str() != "RNTO up.bin")),
        "{case}: {received:?}"
    );
    if target == UploadTarget::New {
        assert!(
            !received.iter().any(|l| l.starts_with("STOR .up.bin")),
            "{case}: {received:?}"
        );
    }
    // Where the control connection still works, the partial upload is
    // deleted (a dropped connection leaves nothing to send it on).
    if received.iter().any(|l| l.starts_with("DELE")) {
        assert!(
            received.iter().any(|l| l.starts_with(&deleted)),
            "{case}: {received:?}"
        );
    }
}

#[test]
fn disk_full_after_upload_keeps_the_source_and_the_remote_file() {
    for target in [UploadTarget::New, UploadTarget::Existing] {
        for reply in ["552 Disk full", "452 Insufficient storage space"] {
            let server = scenarios::upload_refused_after_data(reply, target);
            let local = tempfile::tempdir().unwrap();
            let src = local.path().join("up.bin");
            fs::write(&src, vec![3u8; 300_000]).unwrap();
            let out = timed_cli(&["mv", src.to_str().unwrap(), &server.url("up.bin")]);
            assert_failed(&out, 1, reply);
            assert_eq!(fs::read(&src).unwrap().len(), 300_000, "mv kept its source");
            let received = server.received();
            let case = format!("{target:?} {reply}");
            check_failed_upload_commands(target, &received, &case);
            assert!(
                received.iter().any(|l| l.starts_with("DELE")),
                "{case}: the partial upload is cleaned up: {received:?}"
            );
        }
    }
}

#[test]
fn uploads_broken_half_way_keep_the_source_and_never_touch_the_target() {
    for target in [UploadTarget::New, UploadTarget::Existing] {
        for (fault, needle) in [
            (
                UploadFault::Abort426,
                "426 Connection closed; transfer aborted",
            ),
            (UploadFault::DropControl, "server closed the connection"),
            (
                UploadFault::NoFinalReply,
                "timed out after 1.5s waiting for the server's reply",
            ),
        ] {
            let server = scenarios::upload_fault(fault, target);
            let local = tempfile::tempdir().unwrap();
            let src = local.path().join("up.bin");
            fs::write(&src, vec![3u8; 4 << 20]).unwrap();
            let out = timed_cli(&["mv", src.to_str().unwrap(), &server.url("up.bin")]);
            assert_failed(&out, 1, needle);
            assert_eq!(
                fs::read(&src).unwrap().len(),
                4 << 20,
                "{target:?} {fault:?}: mv kept its source"
            );
            check_failed_upload_commands(
                target,
                &server.received(),
                &format!("{target:?} {fault:?}"),
            );
        }
    }
}

#[test]
fn mv_reports_a_failed_delete_and_keeps_both_copies() {
    let server = FaultServer::start(|peer| {
        peer.login()?;
        let mut data = peer.answer_transfer("RETR", "150 Here")?;
        data.write_all(b"content")?;
        drop(data);
        peer.reply("226 Done")?;
        peer.answer("SIZE", "213 7")?;
        peer.answer("DELE", "550 Permission denied")?;
        peer.drain()
    });
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("copy.txt");
    let out = ftp_cli_with(
        OPTIONS,
        &["mv", &server.url("f.txt"), dst.to_str().unwrap()],
    );
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
        let mut data = peer.answer_transfer("RETR", "150 Here")?;
        data.write_all(b"content")?;
        drop(data);
        peer.reply("226 Done")?;
        peer.answer("SIZE", "213 9999")?;
        peer.drain()
    });
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("copy.txt");
    let out = ftp_cli_with(
        OPTIONS,
        &["mv", &server.url("f.txt"), dst.to_str().unwrap()],
    );
    assert_failed(&out, 1, "transferred 7 bytes but the server reports 9999");
    assert!(!dst.exists());
    assert!(!server.received().iter().any(|l| l.starts_with("DELE")));
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
            let out = ftp_cli_with(OPTIONS, &args);
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
        ("ftp://", "no host"),
        ("ftp://example.net:70000/f", "invalid port"),
        ("ftp://example.net:0/f", "invalid port"),
        ("ftp://example.net/a%g1", "bad percent-escape"),
    ] {
        let out = ftp_cli_with(OPTIONS, &["ls", url]);
        assert_failed(&out, 2, needle);
    }
}

#[test]
fn local_problems_exit_1_before_connecting() {
    let server = FaultServer::start(|peer| peer.login());
    let local = tempfile::tempdir().unwrap();

    let missing = local.path().join("missing.txt");
    let out = ftp_cli_with(OPTIONS, &["cp", missing.to_str().unwrap(), &server.url("")]);
    assert_failed(&out, 1, "missing.txt: No such file or directory");

    let out = ftp_cli_with(
        OPTIONS,
        &["mv", local.path().to_str().unwrap(), &server.url("x")],
    );
    assert_failed(&out, 1, "is a directory");

    let no_dir = local.path().join("no/such/dir/");
    let out = ftp_cli_with(OPTIONS, &["cp", &server.url("f"), no_dir.to_str().unwrap()]);
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
    let out = ftp_cli_with(
        OPTIONS,
        &["mv", &server.url("f"), read_only.to_str().unwrap()],
    );
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

/// A server without REST: `cp -C` with a partial file fails naming REST,
/// sends no RETR or STOR, and keeps the partial file byte for byte (never
/// a silent restart from zero that overwrites it).
#[test]
fn resume_without_rest_is_a_clear_error_that_keeps_the_partial() {
    let server = FaultServer::start(|peer| {
        peer.login()?;
        peer.answer("TYPE", "200 Binary")?;
        peer.answer("SIZE", "213 10")?;
        epsv(peer)?;
        peer.expect("REST 4")?;
        let _data = peer.accept_data();
        peer.reply("502 REST not implemented")?;
        peer.drain()
    });
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("f.txt");
    let partial = local.path().join(".f.txt.part");
    fs::write(&partial, b"abcd").unwrap();
    let out = ftp_cli_with(
        OPTIONS,
        &["cp", "-C", &server.url("f.txt"), dst.to_str().unwrap()],
    );
    assert_failed(
        &out,
        1,
        "cannot resume transfers (REST 4: 502 REST not implemented)",
    );
    assert!(stderr(&out).contains(".f.txt.part"), "{}", stderr(&out));
    assert_eq!(fs::read(&partial).unwrap(), b"abcd");
    assert!(!dst.exists());
    assert!(!server.received().iter().any(|l| l.starts_with("RETR")));
}

#[test]
fn upload_resume_without_rest_stream_appends() {
    let server = FaultServer::start(|peer| {
        peer.login()?;
        // The target does not exist; the partial upload has 4 bytes.
        peer.answer("TYPE", "200 Binary")?;
        peer.answer("SIZE", "550 No such file")?;
        peer.answer("SIZE .f.txt.part", "213 4")?;
        epsv(peer)?;
        peer.expect("APPE .f.txt.part")?;
        let mut data = peer.accept_data()?;
        peer.reply("150 Go")?;
        let got = ftp_suite::fault::Peer::read_data(&mut data)?;
        peer.reply(if got == b"efgh" {
            "226 Done"
        } else {
            "451 Wrong data"
        })?;
        peer.answer("SIZE .f.txt.part", "213 8")?;
        peer.answer("RNFR .f.txt.part", "350 Ready")?;
        peer.answer("RNTO f.txt", "250 Renamed")?;
        peer.drain()
    });
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("f.txt");
    fs::write(&src, b"abcdefgh").unwrap();
    let out = ftp_cli_with(
        OPTIONS,
        &["cp", "-C", src.to_str().unwrap(), &server.url("f.txt")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let received = server.received();
    assert!(
        !received
            .iter()
            .any(|l| l.starts_with("REST") || l.starts_with("STOR")),
        "{received:?}"
    );
}

/// EPSV answered with a fresh data listener (TYPE I already in force).
fn epsv(peer: &mut ftp_suite::Peer) -> std::io::Result<()> {
    peer.expect("EPSV")?;
    let port = peer.listen_data()?;
    peer.reply(&format!("229 Entering Extended Passive Mode (|||{port}|)"))
}

/// `--active` against a server that never connects: a download and an
/// upload each fail with one line within the bound, no file changed on
/// either side; a connection from another host is refused and named; a
/// thief's bytes never reach the file.
#[test]
fn active_mode_faults_through_the_cli() {
    use scenarios::{ACTIVE_CONTENT, ActiveFault};
    let local = tempfile::tempdir().unwrap();
    let dir = local.path().to_str().unwrap();

    let server = scenarios::active(ActiveFault::NeverConnects);
    let out = timed_cli(&["--active", "cp", &server.url("f.bin"), dir]);
    assert_failed(
        &out,
        1,
        "waiting for the server 127.0.0.1 to open the data connection (active mode)",
    );
    assert!(
        local_names(local.path()).is_empty(),
        "{:?}",
        local_names(local.path())
    );

    let src = local.path().join("src.bin");
    fs::write(&src, b"local source").unwrap();
    let out = timed_cli(&[
        "--active",
        "mv",
        src.to_str().unwrap(),
        &server.url("up.bin"),
    ]);
    assert_failed(&out, 1, "(active mode)");
    assert_eq!(fs::read(&src).unwrap(), b"local source");
    assert_eq!(local_names(local.path()), ["src.bin"]);

    let server = scenarios::active(ActiveFault::OtherHostOnly);
    let out = timed_cli(&["--active", "cp", &server.url("f.bin"), dir]);
    assert_failed(&out, 1, "a connection from 127.0.0.2:");
    assert_eq!(local_names(local.path()), ["src.bin"]);

    let server = scenarios::active(ActiveFault::ThiefThenServer);
    let out = timed_cli(&["--active=127.0.0.1", "cp", &server.url("f.bin"), dir]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        fs::read(local.path().join("f.bin")).unwrap(),
        ACTIVE_CONTENT
    );
    assert_eq!(local_names(local.path()), ["f.bin", "src.bin"]);
}

#[test]
fn verify_catches_a_wrong_digest_both_ways() {
    // Down: the temporary file is never renamed into place.
    let server = scenarios::wrong_digest(false);
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("f.bin");
    let out = timed_cli(&[
        "cp",
        "--verify",
        &server.url("f.bin"),
        dst.to_str().unwrap(),
    ]);
    assert_failed(&out, 1, "SHA-256 mismatch");
    let err = stderr(&out);
    assert!(err.contains(scenarios::WRONG_SHA256), "{err}");
    // The download's own digest, SHA-256 of scenarios::CONTENT, too.
    assert!(
        err.contains("af94b41b37f911e125f7ff9edc874ef22350d98594e13b56b8e55ef23c80a3b8"),
        "{err}"
    );
    assert!(
        local_names(local.path()).is_empty(),
        "a file was left: {err}"
    );
    // Up: reported with what became of the upload (here: DELE refused).
    let server = scenarios::wrong_digest(true);
    let src = local.path().join("up.bin");
    fs::write(&src, b"the local file").unwrap();
    let out = timed_cli(&[
        "cp",
        "--verify",
        src.to_str().unwrap(),
        &server.url("f.bin"),
    ]);
    assert_failed(&out, 1, "SHA-256 mismatch");
    let err = stderr(&out);
    assert!(err.contains(scenarios::WRONG_SHA256), "{err}");
    assert!(err.contains("stays on the server"), "{err}");
    let received = server.received();
    assert!(
        received.iter().any(|l| l == "HASH f.bin") && received.iter().any(|l| l == "DELE f.bin"),
        "{received:?}"
    );
}

#[test]
fn verify_of_an_empty_file_the_x_command_refuses_is_by_size() {
    let server = scenarios::empty_file_x_only();
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("empty");
    let out = timed_cli(&[
        "cp",
        "--verify",
        &server.url("empty"),
        dst.to_str().unwrap(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("verified: size only (0 bytes"), "{err}");
    assert_eq!(fs::read(&dst).unwrap(), b"");
}

/// `cp --segments 4` from a [`scenarios::segmented`] server into a new
/// directory, with `extra` options; the run's output and the directory.
fn segmented_cp(server: &FaultServer, extra: &[&str]) -> (Output, tempfile::TempDir) {
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("f.bin");
    let mut args = vec!["cp", "--segments", "4"];
    args.extend_from_slice(extra);
    let url = server.url("f.bin");
    args.extend([url.as_str(), dst.to_str().unwrap()]);
    (ftp_cli_with(OPTIONS, &args), local)
}

/// The `REST` offsets a server received, in order.
fn rests(server: &FaultServer) -> Vec<usize> {
    server
        .received()
        .iter()
        .filter_map(|l| l.strip_prefix("REST ").and_then(|n| n.parse().ok()))
        .collect()
}

#[test]
fn segmented_download_ranges_end_where_they_should() {
    use scenarios::{SEGMENTED_LEN, SegmentFault};
    let server = scenarios::segmented(SegmentFault::None);
    let (out, local) = segmented_cp(&server, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        fs::read(local.path().join("f.bin")).unwrap(),
        scenarios::segmented_content()
    );
    assert_eq!(local_names(local.path()), ["f.bin"]);
    let mut offsets = rests(&server);
    offsets.sort_unstable();
    let quarter = SEGMENTED_LEN / 4;
    // The one byte over four equal ranges goes to the first.
    assert_eq!(offsets, [quarter + 1, 2 * quarter + 1, 3 * quarter + 1]);
    assert_eq!(server.connections(), 4, "one session per range");
}

/// One range's session dropped midway: the range is tried again in a new
/// session from the byte where it stopped, not from its start.
#[test]
fn a_dropped_range_continues_from_where_it_stopped() {
    use scenarios::{SEGMENT_SENT_BEFORE_DROP, SegmentFault};
    let server = scenarios::segmented(SegmentFault::DropMidway);
    let (out, local) = segmented_cp(&server, &["--retry", "2", "--retry-delay", "0.1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        fs::read(local.path().join("f.bin")).unwrap(),
        scenarios::segmented_content()
    );
    assert_eq!(local_names(local.path()), ["f.bin"]);
    let offsets = rests(&server);
    assert_eq!(offsets.len(), 4, "three ranges and one retry: {offsets:?}");
    let retried = offsets
        .iter()
        .any(|&o| offsets.contains(&(o + SEGMENT_SENT_BEFORE_DROP)));
    assert!(
        retried,
        "no REST at the dropped range's next byte: {offsets:?}"
    );
    assert_eq!(server.connections(), 5);
}

/// A server without REST: one stream, said once as a warning, and the
/// file whole.
#[test]
fn without_rest_a_segmented_download_is_one_stream_and_says_so() {
    use scenarios::SegmentFault;
    for fault in [SegmentFault::NoRest, SegmentFault::NoRestInFeat] {
        let server = scenarios::segmented(fault);
        let (out, local) = segmented_cp(&server, &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(0), "{fault:?}: {err}");
        assert_eq!(
            fs::read(local.path().join("f.bin")).unwrap(),
            scenarios::segmented_content(),
            "{fault:?}"
        );
        assert_eq!(local_names(local.path()), ["f.bin"], "{fault:?}");
        assert_eq!(err.lines().count(), 1, "{fault:?}: {err}");
        assert!(
            err.contains("warning") && err.contains("one connection"),
            "{fault:?}: {err}"
        );
        let whole = server
            .received()
            .iter()
            .filter(|l| *l == "RETR f.bin")
            .count();
        assert!(whole >= 1, "{fault:?}: {:?}", server.received());
    }
}

/// A range that comes back short (the data ends, 226, before the range's
/// end): an error, and nothing put in place.
#[test]
fn a_short_range_is_an_error_and_nothing_is_saved() {
    use scenarios::SegmentFault;
    let server = scenarios::segmented(SegmentFault::Short);
    let (out, local) = segmented_cp(&server, &[]);
    assert_failed(&out, 1, "came back short");
    assert!(local_names(local.path()).is_empty(), "a file was left");
    // Resumable: the partial file and its state stay for the next run.
    let server = scenarios::segmented(SegmentFault::Short);
    let (out, local) = segmented_cp(&server, &["-C"]);
    assert_failed(&out, 1, "came back short");
    assert!(!local.path().join("f.bin").exists());
    assert_eq!(
        local_names(local.path()),
        [".f.bin.part", ".f.bin.part.segments"]
    );
}
