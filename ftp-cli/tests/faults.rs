//! `ftp-cli` against a scripted misbehaving server, and against bad input:
//! a failing transfer never leaves a partial file, never changes an existing
//! one, and `mv` keeps its source; bad input is refused before any byte is
//! sent.

use std::fs;
use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::process::Output;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ftp_suite::fault_cases::{self, Scenario, assert_failed};
use ftp_suite::scenarios;
use ftp_suite::{FaultServer, local_names};

mod common;
use common::{ftp_cli_with, stderr};

/// Options every run here takes.
const OPTIONS: &[&str] = &["--timeout", "1.5"];

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

/// Every fault scenario ([`ftp_suite::fault_cases`], written once) that
/// the CLI has the operation for, through `ftp-cli`: four at a time, each
/// with its own server; the failures are named at the end.
#[test]
fn every_fault_scenario_through_the_cli() {
    let queue: Vec<Scenario> = fault_cases::all()
        .into_iter()
        .filter(|scenario| scenario.cli.is_some())
        .collect();
    assert!(queue.len() >= 39, "{} scenarios", queue.len());
    let queue = Mutex::new(queue);
    let failed = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                while let Some(scenario) = queue.lock().unwrap().pop() {
                    let Some(check) = scenario.cli.clone() else {
                        continue;
                    };
                    let server = (scenario.server)();
                    let run =
                        std::panic::catch_unwind(AssertUnwindSafe(|| check(&server, &timed_cli)));
                    if run.is_err() {
                        failed.lock().unwrap().push(scenario.name.clone());
                    }
                }
            });
        }
    });
    let failed = failed.into_inner().unwrap();
    assert!(failed.is_empty(), "failed through the CLI: {failed:?}");
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

/// `cp --verify` asks the digest on a second session while the download
/// streams, and keeps both guarantees of a digest asked after it: a
/// corrupted download is caught by that digest (one HASH in all), and a
/// file changed once the transfer was over is caught too (its time, asked
/// again after the transfer, differs: the digest is asked again, on the
/// transfer's session). Nothing is saved when the check fails.
#[test]
fn verify_asks_the_digest_during_the_download_and_catches_a_change_after() {
    use scenarios::DigestFault;
    let cases = [
        (DigestFault::None, 1),
        (DigestFault::Corrupted, 1),
        (DigestFault::ChangedAfter, 2),
    ];
    for (fault, hashes) in cases {
        let server = scenarios::checked_digest(fault);
        let local = tempfile::tempdir().unwrap();
        let dst = local.path().join("f.bin");
        let out = timed_cli(&[
            "cp",
            "--verify",
            &server.url("f.bin"),
            dst.to_str().unwrap(),
        ]);
        let err = stderr(&out);
        let received = server.received();
        let count = |verb: &str| received.iter().filter(|l| l.starts_with(verb)).count();
        assert_eq!(count("HASH"), hashes, "{fault:?}: {received:?}");
        assert_eq!(count("MDTM"), 2, "{fault:?}: {received:?}");
        assert_eq!(server.connections(), 2, "{fault:?}: {received:?}");
        if fault == DigestFault::None {
            assert_eq!(out.status.code(), Some(0), "{err}");
            assert!(err.contains("verified: SHA-256"), "{err}");
            assert_eq!(fs::read(&dst).unwrap(), scenarios::CONTENT);
            continue;
        }
        assert_failed(&out, 1, "SHA-256 mismatch");
        assert!(err.contains(scenarios::WRONG_SHA256), "{fault:?}: {err}");
        assert!(err.contains(scenarios::CONTENT_SHA256), "{fault:?}: {err}");
        assert!(
            local_names(local.path()).is_empty(),
            "{fault:?}: a file was left: {err}"
        );
    }
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
