//! `ftp_client::engine::copy`: single-file copies either way against the
//! in-process libunftp server; failures, cancellation and retries leave
//! nothing behind.

use std::fs;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use ftp_client::engine::copy::{CopyError, Endpoint, FileCopy, Session};
use ftp_client::engine::{Cancel, DownloadError, Partial, Planned, Progress, Retry, RetryPolicy};
use ftp_client::{Config, FtpUrl};
use ftp_suite::{TestServer, local_names};

fn url(server: &TestServer, path: &str) -> Endpoint {
    Endpoint::Remote(FtpUrl::parse(&server.url(path)).unwrap())
}

/// Records the temporary files and the retries a copy reports.
#[derive(Default)]
struct Seen {
    temporaries: Mutex<Vec<(PathBuf, bool, bool)>>,
    retries: Mutex<u32>,
}

impl Progress for Seen {
    fn retrying(&self, _: &Retry<'_>) {
        *self.retries.lock().unwrap() += 1;
    }

    fn tree(&self, planned: &Planned<'_>) {
        if let Planned::Temporary { path, live, kept } = *planned {
            self.temporaries
                .lock()
                .unwrap()
                .push((path.to_owned(), live, kept));
        }
    }
}

#[test]
fn a_download_into_a_directory_takes_the_remote_name_and_a_move_deletes_the_source() {
    let server = TestServer::start();
    fs::write(server.root().join("report.txt"), b"contents").unwrap();
    let local = tempfile::tempdir().unwrap();
    let mut session = Session::new(Config::default());
    let seen = Seen::default();
    let done = FileCopy::new(
        url(&server, "report.txt"),
        Endpoint::Local(local.path().to_owned()),
    )
    .remove_source(true)
    .run(&mut session, &seen, &Cancel::new())
    .unwrap();
    let target = local.path().join("report.txt");
    assert_eq!(done.bytes, 8);
    assert_eq!(done.target, Endpoint::Local(target.clone()));
    assert_eq!(fs::read(&target).unwrap(), b"contents");
    assert!(!server.root().join("report.txt").exists(), "moved");
    // The temporary file was reported, then renamed into place.
    let temporaries = seen.temporaries.lock().unwrap().clone();
    assert_eq!(temporaries.len(), 2, "{temporaries:?}");
    assert!(temporaries[0].1 && !temporaries[1].1 && temporaries[1].2);
    assert_eq!(local_names(local.path()), ["report.txt"]);
    session.quit();
}

#[test]
fn an_upload_into_a_directory_url_makes_its_parents_where_asked() {
    let server = TestServer::start();
    let local = tempfile::tempdir().unwrap();
    let file = local.path().join("a.bin");
    fs::write(&file, vec![7u8; 100_000]).unwrap();
    let mut session = Session::new(Config::default());
    let copy = FileCopy::new(Endpoint::Local(file.clone()), url(&server, "x/y/"));
    // Without --create-dirs the missing directory is the server's refusal.
    let err = copy
        .clone()
        .run(&mut session, &(), &Cancel::new())
        .unwrap_err();
    assert!(matches!(err, CopyError::Upload { .. }), "{err:?}");
    assert!(err.remote().is_some_and(|e| e.code().is_some()), "{err}");
    let done = copy
        .create_dirs(true)
        .run(&mut session, &(), &Cancel::new())
        .unwrap();
    assert_eq!(done.bytes, 100_000);
    match &done.target {
        Endpoint::Remote(target) => assert!(target.path().ends_with(b"x/y/a.bin")),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        fs::read(server.root().join("x/y/a.bin")).unwrap(),
        vec![7u8; 100_000]
    );
    session.quit();
}

#[test]
fn a_failed_download_keeps_the_reply_and_leaves_nothing_behind() {
    let server = TestServer::start();
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("out.txt");
    fs::write(&dst, b"old").unwrap();
    let mut session = Session::new(Config::default());
    let seen = Seen::default();
    let err = FileCopy::new(url(&server, "missing.txt"), Endpoint::Local(dst.clone()))
        .run(&mut session, &seen, &Cancel::new())
        .unwrap_err();
    match &err {
        CopyError::Download {
            error: DownloadError::Transfer(e),
            partial: None,
            ..
        } => assert_eq!(e.code(), Some(550), "{e}"),
        other => panic!("{other:?}"),
    }
    assert!(!err.is_transient());
    assert!(err.to_string().contains("missing.txt"), "{err}");
    assert_eq!(
        fs::read(&dst).unwrap(),
        b"old",
        "the destination is untouched"
    );
    assert_eq!(
        local_names(local.path()),
        ["out.txt"],
        "no temporary file left"
    );
    let temporaries = seen.temporaries.lock().unwrap().clone();
    assert!(
        temporaries.last().is_some_and(|t| !t.1 && !t.2),
        "{temporaries:?}"
    );
}

#[test]
fn a_cancelled_copy_removes_its_temporary_file() {
    let server = TestServer::start();
    fs::write(server.root().join("f"), b"data").unwrap();
    let local = tempfile::tempdir().unwrap();
    let cancel = Cancel::new();
    cancel.cancel();
    let mut session = Session::new(Config::default());
    let err = FileCopy::new(url(&server, "f"), Endpoint::Local(local.path().to_owned()))
        .run(&mut session, &(), &cancel)
        .unwrap_err();
    assert!(
        matches!(
            err,
            CopyError::Download {
                error: DownloadError::Cancelled,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        local_names(local.path()).is_empty(),
        "{:?}",
        local_names(local.path())
    );
}

#[test]
fn a_resumed_download_continues_its_partial_file() {
    let server = TestServer::start();
    let body: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    fs::write(server.root().join("big"), &body).unwrap();
    let local = tempfile::tempdir().unwrap();
    fs::write(local.path().join(".big.part"), &body[..20_000]).unwrap();
    let copy = FileCopy::new(
        url(&server, "big"),
        Endpoint::Local(local.path().to_owned()),
    )
    .resume(true);
    assert_eq!(copy.partial_file(), Some(local.path().join(".big.part")));
    let mut session = Session::new(Config::default());
    let done = copy.run(&mut session, &(), &Cancel::new()).unwrap();
    assert_eq!(done.bytes, 30_000);
    assert_eq!(fs::read(local.path().join("big")).unwrap(), body);
    assert_eq!(local_names(local.path()), ["big"]);
}

#[test]
fn a_failed_resumed_download_keeps_what_arrived() {
    let server = TestServer::start();
    let local = tempfile::tempdir().unwrap();
    let partial = local.path().join(".gone.part");
    fs::write(&partial, b"first half").unwrap();
    let mut session = Session::new(Config::default());
    let err = FileCopy::new(
        url(&server, "gone"),
        Endpoint::Local(local.path().to_owned()),
    )
    .resume(true)
    .run(&mut session, &(), &Cancel::new())
    .unwrap_err();
    match &err {
        CopyError::Download {
            partial: Some(Partial::Resume),
            kept: Some(kept),
            ..
        } => assert_eq!(kept, &partial),
        other => panic!("{other:?}"),
    }
    assert_eq!(fs::read(&partial).unwrap(), b"first half");
}

#[test]
fn a_refused_connection_is_retried_as_the_policy_allows_then_reported() {
    // Bind then drop a listener: the port is then almost surely closed.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let src = FtpUrl::parse(&format!("ftp://{addr}/f")).unwrap();
    let local = tempfile::tempdir().unwrap();
    let seen = Seen::default();
    let mut session = Session::new(Config::default());
    let err = FileCopy::new(
        Endpoint::Remote(src),
        Endpoint::Local(local.path().to_owned()),
    )
    .retry(RetryPolicy::new(2).with_delay(Duration::from_millis(1)))
    .run(&mut session, &seen, &Cancel::new())
    .unwrap_err();
    assert!(matches!(err, CopyError::Connect { .. }), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(*seen.retries.lock().unwrap(), 2);
    // The partial file the retries shared is gone with the last attempt.
    assert!(
        local_names(local.path()).is_empty(),
        "{:?}",
        local_names(local.path())
    );
}

#[test]
fn exactly_one_side_is_remote() {
    let server = TestServer::start();
    let mut session = Session::new(Config::default());
    // Both remote is a copy between two sessions: tests/copy_between.rs.
    let neither = FileCopy::new(Endpoint::Local("a".into()), Endpoint::Local("b".into()));
    assert!(matches!(
        neither.run(&mut session, &(), &Cancel::new()),
        Err(CopyError::BothLocal)
    ));
    let moved_stdin = FileCopy::new(Endpoint::Stdio, url(&server, "c")).remove_source(true);
    assert!(matches!(
        moved_stdin.run(&mut session, &(), &Cancel::new()),
        Err(CopyError::MoveStdin)
    ));
}
