//! Segmented downloads against a scripted misbehaving server: a range
//! dropped midway continues from its next byte, a server without `REST`
//! gets one stream and one notice, and a short range saves nothing.

use std::time::Duration;

use ftp_client::{Client, Config, Error};
use ftp_suite::FaultServer;
use ftp_suite::scenarios;

const TIMEOUT: Duration = Duration::from_millis(1500);

fn config() -> Config {
    Config {
        connect_timeout: TIMEOUT,
        control_timeout: TIMEOUT,
        data_timeout: TIMEOUT,
        final_reply_timeout: TIMEOUT,
        ..Config::default()
    }
}

fn connect(server: &FaultServer) -> Result<Client, Error> {
    let mut client = Client::connect(server.addr(), config())?;
    client.login("user", "pw")?;
    Ok(client)
}

// --- Segmented downloads -------------------------------------------------------

/// What a segmented download reported.
#[derive(Default)]
struct SegmentsSeen {
    notices: std::sync::Mutex<Vec<String>>,
    retries: std::sync::Mutex<Vec<String>>,
}

impl ftp_client::engine::Progress for SegmentsSeen {
    fn notice(&self, notice: &ftp_client::engine::Notice<'_>) {
        self.notices.lock().unwrap().push(notice.to_string());
    }
    fn retrying(&self, retry: &ftp_client::engine::Retry<'_>) {
        self.retries.lock().unwrap().push(retry.what.to_owned());
    }
}

/// `f.bin` from `server` over 4 sessions into a new directory, ranges
/// retried twice.
fn segmented_download(
    server: &FaultServer,
    seen: &SegmentsSeen,
) -> (
    Result<ftp_client::engine::Downloaded, ftp_client::engine::DownloadError>,
    tempfile::TempDir,
) {
    use ftp_client::engine::{Cancel, FileDownload, RetryPolicy, SegmentedDownload};
    let dir = tempfile::tempdir().unwrap();
    let download = FileDownload::new("f.bin", dir.path().join("f.bin"));
    let connect = || connect(server);
    let result = connect()
        .map_err(ftp_client::engine::DownloadError::Transfer)
        .and_then(|mut client| {
            SegmentedDownload::new(download, 4)
                .retry(RetryPolicy::new(2).with_delay(Duration::from_millis(10)))
                .run(&mut client, &connect, seen, &Cancel::new())
        });
    (result, dir)
}

#[test]
fn segmented_download_continues_a_dropped_range_from_its_next_byte() {
    use scenarios::{SEGMENT_SENT_BEFORE_DROP, SegmentFault};
    let server = scenarios::segmented(SegmentFault::DropMidway);
    let seen = SegmentsSeen::default();
    let (result, dir) = segmented_download(&server, &seen);
    let done = result.unwrap();
    assert_eq!(done.received, scenarios::SEGMENTED_LEN as u64);
    assert_eq!(
        std::fs::read(dir.path().join("f.bin")).unwrap(),
        scenarios::segmented_content()
    );
    assert_eq!(seen.retries.lock().unwrap().len(), 1, "one range retried");
    let rests: Vec<usize> = server
        .received()
        .iter()
        .filter_map(|l| l.strip_prefix("REST ").and_then(|n| n.parse().ok()))
        .collect();
    assert!(
        rests
            .iter()
            .any(|&o| rests.contains(&(o + SEGMENT_SENT_BEFORE_DROP))),
        "{rests:?}"
    );
}

#[test]
fn segmented_download_without_rest_is_one_stream_said_once() {
    use scenarios::SegmentFault;
    for fault in [SegmentFault::NoRest, SegmentFault::NoRestInFeat] {
        let server = scenarios::segmented(fault);
        let seen = SegmentsSeen::default();
        let (result, dir) = segmented_download(&server, &seen);
        result.unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("f.bin")).unwrap(),
            scenarios::segmented_content(),
            "{fault:?}"
        );
        let notices = seen.notices.lock().unwrap().clone();
        assert_eq!(notices.len(), 1, "{fault:?}: {notices:?}");
        assert!(notices[0].contains("one connection"), "{notices:?}");
    }
}

#[test]
fn segmented_download_with_a_short_range_saves_nothing() {
    let server = scenarios::segmented(scenarios::SegmentFault::Short);
    let seen = SegmentsSeen::default();
    let (result, dir) = segmented_download(&server, &seen);
    let error = result.unwrap_err();
    assert!(
        matches!(error, ftp_client::engine::DownloadError::ShortRange { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("came back short"), "{error}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "a file was left"
    );
}
