//! Resumed transfers: `retrieve_from` / `store_stream_from` in the
//! library, `cp -C` / `mv -C` in the CLI.
//!
//! To tell a resumed transfer from one that started over, the partial
//! file's first bytes differ from the source's: a resumed transfer keeps
//! them (the result is `partial + source[offset..]`), a restarted one
//! would not.

use crate::ctx::{Ctx, absent, has_content, no_temporary_files, pattern, utf8};
use crate::harness::{Case, Group, Need, Outcome};
use crate::target::Family;

/// Source size: more than one buffer, not a round number.
const LEN: usize = 300_001;
/// Where the partial file ends.
const OFFSET: usize = 123_457;

pub fn group() -> Group {
    let cases = vec![
        Case::new("library_retrieve_from", library_retrieve_from),
        Case::new("library_store_from", library_store_from),
        Case::new("cli_download_resumes", cli_download_resumes),
        Case::new("cli_download_fresh", cli_download_fresh),
        Case::new(
            "cli_download_failure_keeps_partial",
            cli_download_failure_keeps_partial,
        ),
        Case::new(
            "cli_download_partial_too_long",
            cli_download_partial_too_long,
        ),
        Case::new("cli_upload_resumes", cli_upload_resumes),
        Case::new("cli_upload_fresh_replaces", cli_upload_fresh_replaces),
        Case::new("cli_mv_download_resumes", cli_mv_download_resumes),
    ]
    .into_iter()
    .map(|case| case.needs(Need::Rest))
    .collect();
    Group {
        name: "resume",
        families: &[Family::V4],
        cases,
    }
}

/// The source and a partial copy whose first bytes differ from it.
fn source_and_partial() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let source = pattern(LEN, 71);
    let partial = pattern(OFFSET, 72);
    let mut resumed = partial.clone();
    resumed.extend_from_slice(&source[OFFSET..]);
    (source, partial, resumed)
}

fn library_retrieve_from(c: &Ctx) -> Outcome {
    let (source, _, _) = source_and_partial();
    c.put("src.bin", &source);
    let mut ftp = c.connect()?;
    let mut tail = Vec::new();
    let received = ftp.retrieve_from(c.path("src.bin"), OFFSET as u64, &mut tail)?;
    ensure!(
        received == (LEN - OFFSET) as u64 && tail == source[OFFSET..],
        "received {received} bytes, expected the {} after offset {OFFSET}",
        LEN - OFFSET
    );
    // The restart marker did not outlive its transfer.
    let mut whole = Vec::new();
    ftp.retrieve(c.path("src.bin"), &mut whole)?;
    ensure!(whole == source, "a later plain RETR did not start at 0");
    ftp.quit()?;
    Ok(())
}

fn library_store_from(c: &Ctx) -> Outcome {
    let (source, partial, resumed) = source_and_partial();
    let on_server = c.put("up.bin", &partial);
    let mut ftp = c.connect()?;
    let mut upload = ftp.store_stream_from(c.path("up.bin"), OFFSET as u64)?;
    upload.copy_from(&mut &source[OFFSET..])?;
    let sent = upload.finish()?;
    ensure!(sent == (LEN - OFFSET) as u64, "sent {sent}");
    ftp.quit()?;
    has_content(&on_server, &resumed)
}

fn cli_download_resumes(c: &Ctx) -> Outcome {
    let (source, partial, resumed) = source_and_partial();
    c.put("src.bin", &source);
    let dst = c.local("down.bin");
    c.write_local(".down.bin.part", &partial);
    let run = c.cli(&["cp", "-C", &c.url("src.bin"), utf8(&dst)?])?;
    run.expect_ok()?;
    ensure!(
        run.err().contains(&format!("REST {OFFSET}")),
        "no REST {OFFSET} in the transcript:\n{}",
        run.err()
    );
    has_content(&dst, &resumed)?;
    no_temporary_files(&[c.local_dir()])
}

fn cli_download_fresh(c: &Ctx) -> Outcome {
    let (source, _, _) = source_and_partial();
    c.put("src.bin", &source);
    let dst = c.local("down.bin");
    let run = c.cli(&["cp", "-C", &c.url("src.bin"), utf8(&dst)?])?;
    run.expect_ok()?;
    ensure!(
        !run.err().contains("REST"),
        "REST sent for a fresh download"
    );
    has_content(&dst, &source)?;
    no_temporary_files(&[c.local_dir()])
}

fn cli_download_failure_keeps_partial(c: &Ctx) -> Outcome {
    let (_, partial, _) = source_and_partial();
    let dst = c.local("down.bin");
    let kept = c.write_local(".down.bin.part", &partial);
    let run = c.cli_quiet(&["cp", "-C", &c.url("missing.bin"), utf8(&dst)?])?;
    run.expect_code(1)?;
    let line = run.error_line().unwrap_or_default();
    ensure!(
        line.contains(".down.bin.part") && line.contains("resume"),
        "the error does not say how to resume: {line}"
    );
    absent(&dst)?;
    has_content(&kept, &partial)
}

fn cli_download_partial_too_long(c: &Ctx) -> Outcome {
    let (source, _, _) = source_and_partial();
    c.put("src.bin", &source[..OFFSET]);
    let dst = c.local("down.bin");
    let kept = c.write_local(".down.bin.part", &source);
    let run = c.cli_quiet(&["cp", "-C", &c.url("src.bin"), utf8(&dst)?])?;
    run.expect_code(1)?;
    let line = run.error_line().unwrap_or_default();
    ensure!(line.contains("more than"), "unexpected error: {line}");
    absent(&dst)?;
    has_content(&kept, &source)
}

fn cli_upload_resumes(c: &Ctx) -> Outcome {
    let (source, partial, resumed) = source_and_partial();
    let src = c.write_local("up.bin", &source);
    let part = c.put(".up.bin.part", &partial);
    let run = c.cli(&["cp", "-C", utf8(&src)?, &c.url("up.bin")])?;
    run.expect_ok()?;
    has_content(&c.on_server("up.bin"), &resumed)?;
    absent(&part)
}

fn cli_upload_fresh_replaces(c: &Ctx) -> Outcome {
    let (source, partial, _) = source_and_partial();
    let src = c.write_local("up.bin", &source);
    c.put("up.bin", &partial);
    c.cli(&["cp", "-C", utf8(&src)?, &c.url("up.bin")])?
        .expect_ok()?;
    has_content(&c.on_server("up.bin"), &source)?;
    absent(&c.on_server(".up.bin.part"))
}

fn cli_mv_download_resumes(c: &Ctx) -> Outcome {
    let (source, partial, resumed) = source_and_partial();
    let remote = c.put("src.bin", &source);
    let dst = c.local("down.bin");
    c.write_local(".down.bin.part", &partial);
    c.cli(&["mv", "-C", &c.url("src.bin"), utf8(&dst)?])?
        .expect_ok()?;
    has_content(&dst, &resumed)?;
    absent(&remote)?;
    no_temporary_files(&[c.local_dir()])
}
