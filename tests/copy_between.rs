//! `ftp_client::engine::copy` with both sides remote: between two
//! in-process servers both ways, a rename on one login, and a scripted
//! source that breaks mid-transfer, which must never replace a file.

use std::fs;
use std::time::Duration;

use ftp_client::engine::copy::{CopyError, Endpoint, FileCopy, RelayError, Session};
use ftp_client::engine::{
    Cancel, Direction, Leftover, Outcome, Progress, Retry, RetryPolicy, Transfer,
};
use ftp_client::{Config, FtpUrl};
use ftp_suite::scenarios::{self, ANNOUNCED, DownloadFault, SENT_BEFORE_FAULT};
use ftp_suite::{TestServer, local_names};

fn remote(url: &str) -> Endpoint {
    Endpoint::Remote(FtpUrl::parse(url).unwrap())
}

fn config() -> Config {
    Config {
        control_timeout: Duration::from_millis(1500),
        data_timeout: Duration::from_millis(1500),
        ..Config::default()
    }
}

#[test]
fn a_copy_between_two_servers_goes_both_ways_and_replaces_by_rename() {
    let (a, b) = (TestServer::start(), TestServer::start());
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    fs::write(a.root().join("big.bin"), &big).unwrap();
    fs::write(b.root().join("big.bin"), b"old").unwrap();
    fs::write(b.root().join("back.txt"), b"from b").unwrap();
    let mut session = Session::new(Config::default());
    // A to B, over an existing file.
    let done = FileCopy::new(remote(&a.url("big.bin")), remote(&b.url("big.bin")))
        .run(&mut session, &(), &Cancel::new())
        .unwrap();
    assert_eq!(done.bytes, big.len() as u64);
    assert_eq!(fs::read(b.root().join("big.bin")).unwrap(), big);
    assert_eq!(
        local_names(b.root()),
        ["back.txt", "big.bin"],
        "no temporary"
    );
    // B to A, into a directory URL, as a move: the source goes after.
    fs::create_dir(a.root().join("in")).unwrap();
    let done = FileCopy::new(remote(&b.url("back.txt")), remote(&a.url("in/")))
        .remove_source(true)
        .run(&mut session, &(), &Cancel::new())
        .unwrap();
    match &done.target {
        Endpoint::Remote(url) => assert!(url.path().ends_with(b"in/back.txt"), "{url}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(fs::read(a.root().join("in/back.txt")).unwrap(), b"from b");
    assert!(!b.root().join("back.txt").exists(), "moved");
    assert_eq!(
        fs::read(a.root().join("big.bin")).unwrap(),
        big,
        "source kept"
    );
    session.quit();
}

#[test]
fn a_move_on_one_login_is_a_rename_of_a_file_or_a_directory() {
    let server = TestServer::start();
    fs::create_dir_all(server.root().join("d/sub")).unwrap();
    fs::write(server.root().join("d/sub/f"), b"deep").unwrap();
    fs::write(server.root().join("a.txt"), b"a").unwrap();
    let mut session = Session::new(Config::default());
    let cancel = Cancel::new();
    FileCopy::new(remote(&server.url("a.txt")), remote(&server.url("b.txt")))
        .remove_source(true)
        .run(&mut session, &(), &cancel)
        .unwrap();
    assert_eq!(fs::read(server.root().join("b.txt")).unwrap(), b"a");
    assert!(!server.root().join("a.txt").exists());
    // A directory needs recursion.
    let mv_dir = |to: &str| {
        FileCopy::new(remote(&server.url("d")), remote(&server.url(to))).remove_source(true)
    };
    let err = mv_dir("e").run(&mut session, &(), &cancel).unwrap_err();
    assert!(
        matches!(
            err,
            CopyError::Relay {
                error: RelayError::Directory,
                ..
            }
        ),
        "{err:?}"
    );
    // Never into itself.
    let err = mv_dir("d/sub/")
        .recursive(true)
        .run(&mut session, &(), &cancel)
        .unwrap_err();
    assert!(
        matches!(
            err,
            CopyError::Relay {
                error: RelayError::IntoItself,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("into itself"), "{err}");
    mv_dir("e")
        .recursive(true)
        .run(&mut session, &(), &cancel)
        .unwrap();
    assert_eq!(fs::read(server.root().join("e/sub/f")).unwrap(), b"deep");
    assert!(!server.root().join("d").exists());
    session.quit();
}

#[test]
fn a_move_between_two_logins_of_the_same_file_keeps_it() {
    // The in-process server gives the anonymous login the user's tree: the
    // two URLs name one file, which a move must not delete.
    let server = TestServer::start();
    fs::write(server.root().join("same.txt"), b"only copy").unwrap();
    let mut session = Session::new(Config::default());
    let err = FileCopy::new(
        remote(&server.url("same.txt")),
        remote(&server.anonymous_url("same.txt")),
    )
    .remove_source(true)
    .run(&mut session, &(), &Cancel::new())
    .unwrap_err();
    assert!(
        matches!(
            err,
            CopyError::Relay {
                error: RelayError::SameFile,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        fs::read(server.root().join("same.txt")).unwrap(),
        b"only copy"
    );
    assert_eq!(local_names(server.root()), ["same.txt"]);
    // A copy onto itself on one login, refused before any transfer.
    let err = FileCopy::new(remote(&server.url("same.txt")), remote(&server.url("")))
        .run(&mut session, &(), &Cancel::new())
        .unwrap_err();
    assert!(
        matches!(
            err,
            CopyError::Relay {
                error: RelayError::SameFile,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(local_names(server.root()), ["same.txt"]);
}

/// A source that breaks after half its bytes, copied (or moved) over an
/// existing file: the file stays as it was, no temporary is left, the
/// source is not deleted.
fn a_broken_source_replaces_nothing(fault: DownloadFault) -> RelayError {
    let source = scenarios::download_fault(fault);
    let dst = TestServer::start();
    fs::write(dst.root().join("keep.bin"), b"old content").unwrap();
    let mut session = Session::new(config());
    let err = FileCopy::new(remote(&source.url("big.bin")), remote(&dst.url("keep.bin")))
        .remove_source(true)
        .run(&mut session, &(), &Cancel::new())
        .unwrap_err();
    assert_eq!(
        fs::read(dst.root().join("keep.bin")).unwrap(),
        b"old content"
    );
    assert_eq!(local_names(dst.root()), ["keep.bin"], "no temporary left");
    let received = source.received();
    assert!(
        !received.iter().any(|line| line.starts_with("DELE")),
        "{received:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("big.bin") && text.contains("keep.bin"),
        "{text}"
    );
    match err {
        CopyError::Relay { error, .. } => error,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_source_that_answers_426_replaces_nothing() {
    match a_broken_source_replaces_nothing(DownloadFault::Abort426) {
        RelayError::Source {
            error,
            leftover: Leftover::Deleted(_),
        } => assert_eq!(error.code(), Some(426), "{error}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_source_that_ends_early_replaces_nothing() {
    match a_broken_source_replaces_nothing(DownloadFault::Short) {
        RelayError::Short {
            received,
            expected,
            leftover: Leftover::Deleted(_),
        } => assert_eq!(
            (received, expected),
            (SENT_BEFORE_FAULT as u64, ANNOUNCED as u64)
        ),
        other => panic!("{other:?}"),
    }
}

/// Records the transfers and retries a copy reports.
#[derive(Default)]
struct Seen {
    transfers: std::sync::Mutex<Vec<(Direction, Option<u64>, Outcome)>>,
    retries: std::sync::Mutex<u32>,
}

impl Progress for Seen {
    fn finished(&self, transfer: &Transfer, outcome: Outcome) {
        self.transfers
            .lock()
            .unwrap()
            .push((transfer.direction, transfer.size, outcome));
    }

    fn retrying(&self, _: &Retry<'_>) {
        *self.retries.lock().unwrap() += 1;
    }
}

#[test]
fn a_copy_between_servers_reports_its_transfer_with_the_source_size() {
    let (a, b) = (TestServer::start(), TestServer::start());
    fs::write(a.root().join("f.bin"), vec![5u8; 123_456]).unwrap();
    let mut session = Session::new(Config::default());
    let seen = Seen::default();
    FileCopy::new(remote(&a.url("f.bin")), remote(&b.url("")))
        .run(&mut session, &seen, &Cancel::new())
        .unwrap();
    assert_eq!(
        *seen.transfers.lock().unwrap(),
        [(Direction::Upload, Some(123_456), Outcome::Done)]
    );
    assert_eq!(
        fs::read(b.root().join("f.bin")).unwrap(),
        vec![5u8; 123_456]
    );
}

#[test]
fn a_source_that_fails_in_a_way_that_may_pass_is_retried_in_new_sessions() {
    let source = scenarios::download_fault(DownloadFault::Abort426);
    let dst = TestServer::start();
    fs::write(dst.root().join("keep.bin"), b"old content").unwrap();
    let mut session = Session::new(config());
    let seen = Seen::default();
    let err = FileCopy::new(remote(&source.url("big.bin")), remote(&dst.url("keep.bin")))
        .retry(RetryPolicy::new(2).with_delay(Duration::ZERO))
        .run(&mut session, &seen, &Cancel::new())
        .unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert_eq!(*seen.retries.lock().unwrap(), 2);
    assert_eq!(source.connections(), 3, "each attempt in a new session");
    assert_eq!(
        fs::read(dst.root().join("keep.bin")).unwrap(),
        b"old content"
    );
    assert_eq!(local_names(dst.root()), ["keep.bin"]);
}

#[test]
fn a_cancelled_copy_between_servers_changes_nothing() {
    let (a, b) = (TestServer::start(), TestServer::start());
    fs::write(a.root().join("f"), b"new").unwrap();
    fs::write(b.root().join("f"), b"old").unwrap();
    let cancel = Cancel::new();
    cancel.cancel();
    let mut session = Session::new(Config::default());
    let err = FileCopy::new(remote(&a.url("f")), remote(&b.url("f")))
        .remove_source(true)
        .run(&mut session, &(), &cancel)
        .unwrap_err();
    assert!(!err.is_transient(), "{err:?}");
    assert_eq!(fs::read(b.root().join("f")).unwrap(), b"old");
    assert_eq!(fs::read(a.root().join("f")).unwrap(), b"new");
    assert_eq!(local_names(b.root()), ["f"]);
}

#[test]
fn a_tree_goes_between_two_servers_and_a_failed_file_keeps_its_source() {
    let (a, b) = (TestServer::start(), TestServer::start());
    fs::create_dir_all(a.root().join("t/sub")).unwrap();
    fs::write(a.root().join("t/one"), b"1").unwrap();
    fs::write(a.root().join("t/sub/two"), b"22").unwrap();
    let mut session = Session::new(Config::default());
    let cancel = Cancel::new();
    let done = FileCopy::new(remote(&a.url("t")), remote(&b.url("copy")))
        .recursive(true)
        .run(&mut session, &(), &cancel)
        .unwrap();
    assert_eq!(done.bytes, 3);
    assert_eq!(fs::read(b.root().join("copy/sub/two")).unwrap(), b"22");
    assert_eq!(fs::read(a.root().join("t/one")).unwrap(), b"1", "kept");
    // A move whose destination refuses one file (a directory stands where
    // it goes): the other is moved, that one and the tree stay.
    fs::create_dir_all(b.root().join("moved/t/sub/two")).unwrap();
    fs::write(b.root().join("moved/t/sub/two/x"), b"x").unwrap();
    let err = FileCopy::new(remote(&a.url("t")), remote(&b.url("moved/")))
        .recursive(true)
        .remove_source(true)
        .run(&mut session, &(), &cancel)
        .unwrap_err();
    match &err {
        CopyError::Relay {
            error: RelayError::Tree { failed: 1, .. },
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(fs::read(b.root().join("moved/t/one")).unwrap(), b"1");
    assert!(!a.root().join("t/one").exists(), "moved once confirmed");
    assert_eq!(fs::read(a.root().join("t/sub/two")).unwrap(), b"22", "kept");
    session.quit();
}

#[test]
fn a_hostile_tree_is_refused_whole_and_a_clean_one_copied() {
    use ftp_suite::hostile;
    let source = hostile::hostile_server(true, "/nowhere".to_owned());
    let dst = TestServer::start();
    let mut session = Session::new(config());
    let cancel = Cancel::new();
    let err = FileCopy::new(
        remote(&source.url(hostile::ROOT)),
        remote(&dst.url("mirror/")),
    )
    .recursive(true)
    .remove_source(true)
    .run(&mut session, &(), &cancel)
    .unwrap_err();
    assert!(
        matches!(
            err,
            CopyError::Relay {
                error: RelayError::Listing(_),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(local_names(dst.root()).is_empty(), "nothing written");
    let received = source.received();
    assert!(
        !received
            .iter()
            .any(|l| l.starts_with("DELE") || l.starts_with("RMD")),
        "{received:?}"
    );
    let done = FileCopy::new(
        remote(&source.url(hostile::CLEAN)),
        remote(&dst.url("mirror/")),
    )
    .recursive(true)
    .run(&mut session, &(), &cancel)
    .unwrap();
    assert_eq!(
        local_names(&dst.root().join("mirror").join(hostile::CLEAN)).len(),
        hostile::CLEAN_FILES
    );
    assert!(done.bytes > 0);
}
