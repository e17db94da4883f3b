//! Segmented downloads: one file over N sessions (`SegmentedDownload` in
//! the engine, `cp --segments N` in the CLI), resumed where ranges were
//! left incomplete, and trees with a size threshold.

use std::sync::Mutex;

use ftp_client::engine::{
    Cancel, FileDownload, Notice, Outcome as Ended, Partial, Progress, SegmentedDownload, Transfer,
    segments_path,
};

use crate::ctx::{Ctx, absent, has_content, no_temporary_files, pattern, utf8};
use crate::driver::{ConnectCtx, Driver};
use crate::harness::{Case, Group, Need, Outcome};
use crate::target::Family;
use crate::tree_engine::connector;

/// A library case's file: not a round number, ten smallest ranges.
const LEN: usize = 1_000_003;
/// The smallest range the library cases make.
const MIN: u64 = 100_000;
/// A CLI case's file: the CLI's smallest range is 1 MiB, so 4 MiB and a
/// bit make four ranges.
const CLI_LEN: usize = (4 << 20) + 4_097;

pub fn group() -> Group {
    let cases = vec![
        Case::new("range_end_blocking", range_end::<ftp_client::Client>),
        Case::new("range_end_tokio", range_end::<crate::driver::Tokio>),
        Case::new("library_1_segment", |c| library_segments(c, 1)),
        Case::new("library_2_segments", |c| library_segments(c, 2)),
        Case::new("library_4_segments", |c| library_segments(c, 4)),
        Case::new("library_8_segments", |c| library_segments(c, 8)),
        Case::new("library_resumes_the_missing_ranges", library_resumes),
        Case::new(
            "library_cancel_and_rate_limit",
            library_cancel_and_rate_limit,
        ),
        Case::new("library_distrusts_a_stale_state", library_stale_state),
        Case::new("cli_4_segments", cli_segments),
        Case::new("cli_resumes_a_segmented_partial", cli_resumes),
        Case::new("cli_tree_threshold", cli_tree_threshold),
        Case::new("cli_sync_threshold", cli_sync_threshold),
    ]
    .into_iter()
    .map(|case| case.needs(Need::Rest))
    .collect();
    Group {
        name: "segments",
        families: &[Family::V4],
        cases,
    }
}

/// What the engine reported.
#[derive(Default)]
struct Seen {
    finished: Mutex<Vec<(u64, u64, Ended)>>,
    notices: Mutex<Vec<String>>,
}

impl Progress for Seen {
    fn finished(&self, transfer: &Transfer, outcome: Ended) {
        let mut finished = self.finished.lock().unwrap();
        finished.push((transfer.offset, transfer.counter.get(), outcome));
    }

    fn notice(&self, notice: &Notice<'_>) {
        self.notices.lock().unwrap().push(notice.to_string());
    }
}

/// A range in the middle of a file, ended by the client once its bytes
/// are in (`Download::end_range`): exactly its bytes, and the session in
/// step for the next (a range at the end, then a whole file). Over TLS the
/// session ends with the range instead, and a new one is used.
fn range_end<D: Driver>(c: &Ctx) -> Outcome {
    let source = pattern(LEN, 90);
    c.put("src.bin", &source);
    let mut ftp = D::connect_ctx(c)?;
    let middle = ftp.retrieve_range(c.path("src.bin"), 300_000, 200_001)?;
    ensure!(
        middle == source[300_000..500_001],
        "the middle range differs"
    );
    let tls = c.target.tls.is_some();
    if tls {
        ensure!(ftp.is_closed(), "over TLS the session ends with the range");
        ftp = D::connect_ctx(c)?;
    }
    let tail = ftp.retrieve_range(c.path("src.bin"), 900_000, LEN - 900_000)?;
    ensure!(tail == source[900_000..], "the last range differs");
    if tls {
        ftp = D::connect_ctx(c)?;
    }
    let mut whole = Vec::new();
    ftp.retrieve(c.path("src.bin"), &mut whole)?;
    ensure!(
        whole == source,
        "the session is out of step after the ranges"
    );
    ftp.quit()?;
    Ok(())
}

fn segmented(c: &Ctx, n: usize, partial: Partial) -> SegmentedDownload {
    let download = FileDownload::new(c.path("src.bin"), c.local("down.bin")).partial(partial);
    SegmentedDownload::new(download, n).min_segment(MIN)
}

fn library_segments(c: &Ctx, n: usize) -> Outcome {
    let source = pattern(LEN, 91);
    c.put("src.bin", &source);
    let mut ftp = c.connect()?;
    let connect = connector(c);
    let seen = Seen::default();
    let done =
        segmented(c, n, Partial::Temporary).run(&mut ftp, &connect, &seen, &Cancel::new())?;
    ensure!(done.received == LEN as u64, "received {}", done.received);
    has_content(&c.local("down.bin"), &source)?;
    let finished = seen.finished.lock().unwrap().clone();
    ensure!(
        finished == [(0, LEN as u64, Ended::Done)],
        "one transfer of every range's bytes, reported {finished:?}"
    );
    ensure!(seen.notices.lock().unwrap().is_empty(), "a notice");
    // The first session, if still open, is in step after its range
    // (proFTPD over TLS sometimes closes it on the ABOR that ends a whole
    // range; the range counts, and a next use would reconnect).
    if !ftp.is_closed() {
        ftp.noop()?;
        ftp.quit()?;
    }
    no_temporary_files(&[c.local_dir()])
}

/// `source`, with the first `done` bytes of each of `ranges` taken from
/// `marker`: what a resumed download must give (the bytes there are kept,
/// the rest fetched).
fn resumed(source: &[u8], marker: &[u8], ranges: &[(usize, usize, usize)]) -> Vec<u8> {
    let mut out = source.to_vec();
    for &(start, _, done) in ranges {
        out[start..start + done].copy_from_slice(&marker[start..start + done]);
    }
    out
}

/// A partial file as an interrupted run leaves it: `ranges` (start, end,
/// done) of `marker`'s bytes, zeros elsewhere, and its state file.
fn leave_partial(c: &Ctx, len: usize, marker: &[u8], ranges: &[(usize, usize, usize)]) {
    let mut part = vec![0u8; len];
    let mut state = format!("ftp-client segments 1\nsize {len}\n");
    for &(start, end, done) in ranges {
        part[start..start + done].copy_from_slice(&marker[start..start + done]);
        state.push_str(&format!("{start} {end} {done}\n"));
    }
    c.write_local(".down.bin.part", &part);
    c.write_local(".down.bin.part.segments", state.as_bytes());
}

fn library_resumes(c: &Ctx) -> Outcome {
    let source = pattern(LEN, 92);
    let marker = pattern(LEN, 93);
    c.put("src.bin", &source);
    // Four ranges: half of the first, all of the second, none of the
    // third, a little of the fourth.
    let ranges = [
        (0, 250_001, 125_000),
        (250_001, 500_002, 250_001),
        (500_002, 750_003, 0),
        (750_003, LEN, 7),
    ];
    leave_partial(c, LEN, &marker, &ranges);
    let mut ftp = c.connect()?;
    let connect = connector(c);
    let done = segmented(c, 4, Partial::Resume).run(&mut ftp, &connect, &(), &Cancel::new())?;
    let kept = 125_000 + 250_001 + 7;
    ensure!(
        done.offset == kept && done.received == LEN as u64 - kept,
        "kept {} and fetched {}, expected {kept} and the rest",
        done.offset,
        done.received
    );
    has_content(&c.local("down.bin"), &resumed(&source, &marker, &ranges))?;
    absent(&segments_path(&c.local("down.bin")).ok_or("a state path")?)?;
    no_temporary_files(&[c.local_dir()])
}

fn library_stale_state(c: &Ctx) -> Outcome {
    let source = pattern(LEN, 94);
    let marker = pattern(LEN + 10, 95);
    c.put("src.bin", &source);
    // A state for a file of another size: not trusted, all fetched again.
    leave_partial(c, LEN + 10, &marker, &[(0, LEN + 10, 500_000)]);
    let mut ftp = c.connect()?;
    let connect = connector(c);
    let done = segmented(c, 4, Partial::Resume).run(&mut ftp, &connect, &(), &Cancel::new())?;
    ensure!(
        done.offset == 0,
        "kept {} bytes of a stale partial",
        done.offset
    );
    has_content(&c.local("down.bin"), &source)?;
    absent(&segments_path(&c.local("down.bin")).ok_or("a state path")?)
}

/// Held to 250 KB/s for the whole file (its ranges share the rate, so 4
/// ranges take about as long as one: more than 1.5 s where 4 × 250 KB/s
/// would take well under 1 s), and a download cancelled a third of a
/// second in: no range goes on, the temporary file is gone; resumable, the
/// partial file and its state stay, and the next run finishes it.
fn library_cancel_and_rate_limit(c: &Ctx) -> Outcome {
    let source = pattern(LEN, 89);
    c.put("src.bin", &source);
    let limits = ftp_client::RateLimits::new().each(std::num::NonZeroU64::new(250_000));
    let mut ftp = c.connect()?;
    let started = std::time::Instant::now();
    segmented(c, 4, Partial::Temporary)
        .limits(limits.clone())
        .run(&mut ftp, &connector(c), &(), &Cancel::new())?;
    let took = started.elapsed();
    ensure!(
        took > std::time::Duration::from_millis(1500),
        "1 MB in {took:?}: the ranges did not share 250 KB/s"
    );
    has_content(&c.local("down.bin"), &source)?;
    std::fs::remove_file(c.local("down.bin")).map_err(|e| e.to_string())?;
    for partial in [Partial::Temporary, Partial::Resume] {
        let mut ftp = c.connect()?;
        let connect = connector(c);
        let cancel = Cancel::new();
        let seen = Seen::default();
        let started = std::time::Instant::now();
        let result = std::thread::scope(|scope| {
            let cancel2 = cancel.clone();
            scope.spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(300));
                cancel2.cancel();
            });
            segmented(c, 4, partial)
                .limits(limits.clone())
                .run(&mut ftp, &connect, &seen, &cancel)
        });
        ensure!(
            matches!(result, Err(ftp_client::engine::DownloadError::Cancelled)),
            "{partial:?}: not cancelled: {result:?}"
        );
        let elapsed = started.elapsed();
        ensure!(
            elapsed < std::time::Duration::from_secs(2),
            "{partial:?}: the cancel took {elapsed:?}"
        );
        absent(&c.local("down.bin"))?;
        if partial == Partial::Temporary {
            no_temporary_files(&[c.local_dir()])?;
        } else {
            ensure!(
                c.local(".down.bin.part").exists() && c.local(".down.bin.part.segments").exists(),
                "the partial file and its state were not kept"
            );
        }
    }
    // The next run fetches the rest.
    let mut ftp = c.connect()?;
    let done =
        segmented(c, 4, Partial::Resume).run(&mut ftp, &connector(c), &(), &Cancel::new())?;
    ensure!(done.offset > 0, "nothing of the cancelled run was kept");
    has_content(&c.local("down.bin"), &source)?;
    no_temporary_files(&[c.local_dir()])
}

/// How many `REST` commands a `-v` transcript shows.
fn rests(err: &str) -> usize {
    err.lines().filter(|l| l.contains("> REST ")).count()
}

fn cli_segments(c: &Ctx) -> Outcome {
    let source = pattern(CLI_LEN, 96);
    c.put("src.bin", &source);
    let dst = c.local("down.bin");
    let run = c.cli(&["cp", "--segments", "4", &c.url("src.bin"), utf8(&dst)?])?;
    run.expect_ok()?;
    ensure!(
        rests(&run.err()) == 3,
        "expected 3 REST (ranges 2 to 4), the transcript:\n{}",
        run.err()
    );
    has_content(&dst, &source)?;
    no_temporary_files(&[c.local_dir()])
}

fn cli_resumes(c: &Ctx) -> Outcome {
    let source = pattern(CLI_LEN, 97);
    let marker = pattern(CLI_LEN, 98);
    c.put("src.bin", &source);
    let quarter = CLI_LEN / 4;
    let ranges = [
        (0, quarter + 1, quarter + 1),
        (quarter + 1, 2 * quarter + 2, 1000),
        (2 * quarter + 2, 3 * quarter + 3, quarter + 1),
        (3 * quarter + 3, CLI_LEN, 0),
    ];
    leave_partial(c, CLI_LEN, &marker, &ranges);
    let dst = c.local("down.bin");
    let run = c.cli(&[
        "cp",
        "-C",
        "--segments",
        "4",
        &c.url("src.bin"),
        utf8(&dst)?,
    ])?;
    run.expect_ok()?;
    ensure!(
        rests(&run.err()) == 2,
        "only the two incomplete ranges fetched, the transcript:\n{}",
        run.err()
    );
    has_content(&dst, &resumed(&source, &marker, &ranges))?;
    absent(&c.local(".down.bin.part.segments"))?;
    no_temporary_files(&[c.local_dir()])
}

/// How many `RETR`s of a file named `name` a `-v` transcript shows: one
/// for a file fetched whole, one per range (at least 2) for a segmented
/// one.
fn retrs(err: &str, name: &str) -> usize {
    err.lines()
        .filter(|l| l.contains("> RETR ") && l.ends_with(name))
        .count()
}

/// A tree of a big file (over the threshold), a medium one (under it, but
/// big enough for two ranges) and a small one; each run must segment the
/// big file only.
fn tree_of_three(c: &Ctx) -> [(&'static str, Vec<u8>); 3] {
    c.put_dir("tree");
    let files = [
        ("big.bin", pattern(CLI_LEN, 99)),
        ("medium.bin", pattern(3 << 20, 100)),
        ("small.bin", pattern(300_001, 101)),
    ];
    for (name, content) in &files {
        c.put(format!("tree/{name}"), content);
    }
    files
}

fn only_the_big_file_in_ranges(
    run: &crate::ctx::Run,
    dst: &std::path::Path,
    files: &[(&str, Vec<u8>)],
) -> Outcome {
    run.expect_ok()?;
    let err = run.err();
    ensure!(
        retrs(&err, "big.bin") >= 2
            && retrs(&err, "medium.bin") == 1
            && retrs(&err, "small.bin") == 1,
        "the big file in ranges, the others whole; the transcript:\n{err}"
    );
    for (name, content) in files {
        has_content(&dst.join(name), content)?;
    }
    Ok(())
}

fn cli_tree_threshold(c: &Ctx) -> Outcome {
    let files = tree_of_three(c);
    let dst = c.local("out");
    let run = c.cli(&[
        "cp",
        "-r",
        "-j",
        "2",
        "--segments",
        "4",
        "--segment-threshold",
        "4M",
        &c.url("tree/"),
        utf8(&dst)?,
    ])?;
    only_the_big_file_in_ranges(&run, &dst, &files)?;
    no_temporary_files(&[c.local_dir()])
}

fn cli_sync_threshold(c: &Ctx) -> Outcome {
    let files = tree_of_three(c);
    let dst = c.local("mirror");
    let run = c.cli(&[
        "sync",
        "--segments",
        "2",
        "--segment-threshold",
        "4M",
        &c.url("tree/"),
        utf8(&dst)?,
    ])?;
    only_the_big_file_in_ranges(&run, &dst, &files)?;
    no_temporary_files(&[c.local_dir()])
}
