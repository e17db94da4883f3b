//! `ftp-cli sync` and the engine's `TreeSync`, both ways: a first run
//! copies everything, a second nothing, one change one file; `--delete`
//! (never after a source listing failed, never an excluded entry, at most
//! `--max-delete`), filters, `--dry-run` and `--json`.

use std::path::Path;

use ftp_client::engine::{Action, Cancel, Filter, Reason, SyncOptions, TreeSync};

use crate::ctx::{Ctx, Run, absent, has_content, no_temporary_files, pattern};
use crate::harness::{Case, Group, Need, Outcome};
use crate::target::Family;

pub fn group() -> Group {
    Group {
        name: "sync",
        families: &[Family::V4],
        cases: vec![
            Case::new("download_first_second_and_changed", download_runs),
            Case::new("upload_first_second_and_changed", upload_runs),
            Case::new("download_delete_keeps_excluded", download_delete),
            Case::new("upload_delete_keeps_excluded", upload_delete),
            Case::new("download_max_delete", download_max_delete),
            Case::new("upload_max_delete", upload_max_delete),
            Case::new(
                "download_refused_source_name_deletes_nothing",
                download_incomplete_source,
            ),
            Case::new(
                "upload_refused_source_name_deletes_nothing",
                upload_incomplete_source,
            ),
            Case::new("include_and_anchored_exclude", include_exclude),
            Case::new("parallel_sessions_both_ways", parallel),
            Case::new("dry_run_and_json_change_nothing", dry_run_json),
            Case::new("checksum_both_ways", checksum),
            Case::new("verify_both_ways", verify),
            Case::new("library_plan_then_run", library),
            Case::new("library_upload_max_delete", library_upload),
            Case::new("usage_errors", usage_errors),
            Case::new("json_names_that_are_not_utf8", json_not_utf8).needs(Need::NonUtf8Names),
        ],
    }
}

/// `top/{a.txt, empty, sub/{b.bin, deeper/c}, void/}` on the server.
fn remote_tree(c: &Ctx) {
    c.put("top/a.txt", b"alpha\n");
    c.put("top/empty", b"");
    c.put("top/sub/b.bin", &pattern(3000, 2));
    c.put("top/sub/deeper/c", b"c");
    c.put_dir("top/void");
}

/// The same tree, locally under `up/`.
fn local_tree(c: &Ctx) {
    c.write_local("up/a.txt", b"alpha\n");
    c.write_local("up/empty", b"");
    c.write_local("up/sub/b.bin", &pattern(3000, 2));
    c.write_local("up/sub/deeper/c", b"c");
    let _ = std::fs::create_dir_all(c.local("up/void"));
}

fn same_tree(dir: &Path) -> Outcome {
    has_content(&dir.join("a.txt"), b"alpha\n")?;
    has_content(&dir.join("empty"), b"")?;
    has_content(&dir.join("sub/b.bin"), &pattern(3000, 2))?;
    has_content(&dir.join("sub/deeper/c"), b"c")?;
    ensure!(dir.join("void").is_dir(), "void/ was not made");
    Ok(())
}

/// How many times the transcript (`-v`) shows `verb` sent.
fn sent(run: &Run, verb: &str) -> usize {
    let prefix = format!("> {verb} ");
    run.err().lines().filter(|l| l.starts_with(&prefix)).count()
}

fn text(path: &Path) -> Result<&str, libtest_mimic::Failed> {
    Ok(path.to_str().ok_or("a path that is not UTF-8")?)
}

/// `sync ARGS…`, expected to succeed.
fn sync_ok(c: &Ctx, args: &[&str]) -> Result<Run, libtest_mimic::Failed> {
    let mut all = vec!["sync"];
    all.extend_from_slice(args);
    let run = c.cli(&all)?;
    run.expect_ok()?;
    Ok(run)
}

fn download_runs(c: &Ctx) -> Outcome {
    remote_tree(c);
    let dst = c.local("mirror");
    let first = sync_ok(c, &[&c.url("top"), text(&dst)?])?;
    same_tree(&dst)?;
    ensure!(
        sent(&first, "RETR") == 4,
        "first run: {} RETR",
        sent(&first, "RETR")
    );
    let again = sync_ok(c, &[&c.url("top"), text(&dst)?])?;
    ensure!(
        sent(&again, "RETR") == 0,
        "the second run downloaded: {}",
        again.err()
    );
    ensure!(
        again.err().contains("sync: 0 files, 0 bytes, 4 up to date"),
        "summary: {}",
        again.err()
    );
    c.put("top/sub/b.bin", &pattern(3001, 3));
    let third = sync_ok(c, &[&c.url("top"), text(&dst)?])?;
    ensure!(
        sent(&third, "RETR") == 1,
        "after one change: {}",
        third.err()
    );
    has_content(&dst.join("sub/b.bin"), &pattern(3001, 3))?;
    no_temporary_files(&[&dst, &dst.join("sub")])?;
    // One file deleted at the source: gone with --delete, nothing copied.
    std::fs::remove_file(c.on_server("top/sub/deeper/c"))?;
    let fourth = sync_ok(c, &["--delete", &c.url("top"), text(&dst)?])?;
    ensure!(sent(&fourth, "RETR") == 0, "{}", fourth.err());
    absent(&dst.join("sub/deeper/c"))?;
    ensure!(dst.join("sub/deeper").is_dir(), "the directory stays");
    Ok(())
}

fn upload_runs(c: &Ctx) -> Outcome {
    local_tree(c);
    let src = c.local("up");
    let first = sync_ok(c, &[text(&src)?, &c.url("mirror")])?;
    same_tree(&c.on_server("mirror"))?;
    ensure!(
        sent(&first, "STOR") == 4,
        "first run: {} STOR",
        sent(&first, "STOR")
    );
    let again = sync_ok(c, &[text(&src)?, &c.url("mirror")])?;
    ensure!(
        sent(&again, "STOR") == 0,
        "the second run uploaded: {}",
        again.err()
    );
    c.write_local("up/sub/b.bin", &pattern(2999, 4));
    let third = sync_ok(c, &[text(&src)?, &c.url("mirror")])?;
    ensure!(
        sent(&third, "STOR") == 1,
        "after one change: {}",
        third.err()
    );
    has_content(&c.on_server("mirror/sub/b.bin"), &pattern(2999, 4))
}

fn download_delete(c: &Ctx) -> Outcome {
    remote_tree(c);
    let dst = c.local("mirror");
    sync_ok(c, &[&c.url("top"), text(&dst)?])?;
    c.write_local("mirror/extra.txt", b"x");
    c.write_local("mirror/old/deep/f", b"y");
    c.write_local("mirror/keep.tmp", b"z");
    c.write_local("mirror/sub/keep.tmp", b"z");
    // Without --delete, nothing goes.
    sync_ok(c, &[&c.url("top"), text(&dst)?])?;
    has_content(&dst.join("extra.txt"), b"x")?;
    let run = sync_ok(
        c,
        &["--delete", "--exclude", "*.tmp", &c.url("top"), text(&dst)?],
    )?;
    absent(&dst.join("extra.txt"))?;
    absent(&dst.join("old"))?;
    has_content(&dst.join("keep.tmp"), b"z")?;
    has_content(&dst.join("sub/keep.tmp"), b"z")?;
    same_tree(&dst)?;
    ensure!(run.err().contains("4 deleted"), "summary: {}", run.err());
    Ok(())
}

fn upload_delete(c: &Ctx) -> Outcome {
    local_tree(c);
    let src = c.local("up");
    sync_ok(c, &[text(&src)?, &c.url("mirror")])?;
    c.put("mirror/extra.txt", b"x");
    // One level at a time: each directory the login's own, as uploaded.
    c.put_dir("mirror/old");
    c.put("mirror/old/deep/f", b"y");
    c.put("mirror/keep.tmp", b"z");
    let run = sync_ok(
        c,
        &[
            "--delete",
            "--exclude",
            "*.tmp",
            text(&src)?,
            &c.url("mirror"),
        ],
    )?;
    absent(&c.on_server("mirror/extra.txt"))?;
    absent(&c.on_server("mirror/old"))?;
    has_content(&c.on_server("mirror/keep.tmp"), b"z")?;
    same_tree(&c.on_server("mirror"))?;
    ensure!(
        sent(&run, "DELE") == 2 && sent(&run, "RMD") == 2,
        "{}",
        run.err()
    );
    Ok(())
}

/// Three extra files, `--max-delete 2`: two deleted, the third kept, exit 1.
fn max_delete(
    c: &Ctx,
    src: &str,
    dst: &str,
    extra: &dyn Fn(&str) -> std::path::PathBuf,
) -> Outcome {
    let run = c.cli(&["sync", "--delete", "--max-delete", "2", src, dst])?;
    run.expect_code(1)?;
    let left = ["x1", "x2", "x3"]
        .iter()
        .filter(|n| extra(n).exists())
        .count();
    ensure!(
        left == 1,
        "{left} of the three extra files left: {}",
        run.err()
    );
    ensure!(
        run.err()
            .contains("deletion limit (2) is reached: 1 more not deleted"),
        "{}",
        run.err()
    );
    Ok(())
}

fn download_max_delete(c: &Ctx) -> Outcome {
    remote_tree(c);
    for name in ["x1", "x2", "x3"] {
        c.write_local(format!("mirror/{name}"), b"x");
    }
    let dst = c.local("mirror");
    max_delete(c, &c.url("top"), text(&dst)?, &|n| dst.join(n))?;
    same_tree(&dst)
}

fn upload_max_delete(c: &Ctx) -> Outcome {
    local_tree(c);
    for name in ["x1", "x2", "x3"] {
        c.put(format!("mirror/{name}"), b"x");
    }
    let src = c.local("up");
    max_delete(c, text(&src)?, &c.url("mirror"), &|n| {
        c.on_server(format!("mirror/{n}"))
    })?;
    same_tree(&c.on_server("mirror"))
}

/// A source entry whose name is refused (a backslash: more than one name
/// to some systems) makes the source's listing incomplete: the rest is
/// copied, nothing is deleted, exit 1.
fn download_incomplete_source(c: &Ctx) -> Outcome {
    remote_tree(c);
    c.put("top/sub/bad\\name", b"b");
    c.write_local("mirror/extra.txt", b"x");
    let dst = c.local("mirror");
    let run = c.cli(&["sync", "--delete", &c.url("top"), text(&dst)?])?;
    run.expect_code(1)?;
    has_content(&dst.join("extra.txt"), b"x")?;
    same_tree(&dst)?;
    ensure!(
        sent(&run, "DELE") == 0 && run.err().contains("0 deleted"),
        "{}",
        run.err()
    );
    Ok(())
}

fn upload_incomplete_source(c: &Ctx) -> Outcome {
    local_tree(c);
    c.write_local("up/sub/bad\\name", b"b");
    c.put("mirror/extra.txt", b"x");
    let src = c.local("up");
    let run = c.cli(&["sync", "--delete", text(&src)?, &c.url("mirror")])?;
    run.expect_code(1)?;
    has_content(&c.on_server("mirror/extra.txt"), b"x")?;
    same_tree(&c.on_server("mirror"))?;
    ensure!(sent(&run, "DELE") == 0, "{}", run.err());
    absent(&c.on_server("mirror/sub/bad\\name"))
}

fn include_exclude(c: &Ctx) -> Outcome {
    remote_tree(c);
    c.put("top/sub/notes.txt", b"n");
    c.put("top/skip/x.txt", b"s");
    let dst = c.local("mirror");
    sync_ok(
        c,
        &[
            "--include",
            "*.txt",
            "--exclude",
            "/skip/",
            &c.url("top"),
            text(&dst)?,
        ],
    )?;
    has_content(&dst.join("a.txt"), b"alpha\n")?;
    has_content(&dst.join("sub/notes.txt"), b"n")?;
    absent(&dst.join("sub/b.bin"))?;
    absent(&dst.join("empty"))?;
    absent(&dst.join("skip"))?;
    // Back up: only the .txt files, and what is excluded on the server
    // stays.
    c.write_local("mirror/new.txt", b"new");
    c.put("up2/other.bin", b"o");
    c.put("up2/skip/kept.txt", b"k");
    sync_ok(
        c,
        &[
            "--delete",
            "--include",
            "*.txt",
            "--exclude",
            "/skip/",
            text(&dst)?,
            &c.url("up2"),
        ],
    )?;
    has_content(&c.on_server("up2/new.txt"), b"new")?;
    has_content(&c.on_server("up2/skip/kept.txt"), b"k")?;
    // Not included: left out on both sides, so never deleted.
    has_content(&c.on_server("up2/other.bin"), b"o")
}

fn dry_run_json(c: &Ctx) -> Outcome {
    remote_tree(c);
    c.write_local("mirror/extra \"q\".txt", b"x");
    let dst = c.local("mirror");
    let before = c.snapshot_both();
    let dry = sync_ok(c, &["--dry-run", "--delete", &c.url("top"), text(&dst)?])?;
    c.unchanged_both(&before)?;
    ensure!(sent(&dry, "RETR") == 0, "a dry run downloaded");
    let out = dry.out();
    for line in [
        "copy a.txt (missing)",
        "copy sub/ (missing)",
        "delete extra \"q\".txt (not in source)",
    ] {
        ensure!(out.lines().any(|l| l == line), "no {line:?} in:\n{out}");
    }
    ensure!(
        dry.err()
            .contains("dry run, nothing changed: 7 to copy, 1 to delete"),
        "{}",
        dry.err()
    );
    let json = sync_ok(
        c,
        &[
            "--dry-run",
            "--json",
            "--delete",
            &c.url("top"),
            text(&dst)?,
        ],
    )?;
    c.unchanged_both(&before)?;
    let out = json.out();
    ensure!(out.lines().count() == 8, "one object per action:\n{out}");
    for line in [
        r#"{"action":"copy","path":"a.txt","reason":"missing","type":"file","size":6}"#,
        r#"{"action":"delete","path":"extra \"q\".txt","reason":"not in source","type":"file","size":1}"#,
        r#"{"action":"copy","path":"void","reason":"missing","type":"dir"}"#,
    ] {
        ensure!(out.lines().any(|l| l == line), "no {line} in:\n{out}");
    }
    // After a real run: every file a skip.
    sync_ok(c, &["--delete", &c.url("top"), text(&dst)?])?;
    let again = sync_ok(c, &["--dry-run", "--json", &c.url("top"), text(&dst)?])?;
    ensure!(
        again
            .out()
            .lines()
            .all(|l| l.starts_with(r#"{"action":"skip""#) && l.contains("same")),
        "{}",
        again.out()
    );
    Ok(())
}

/// `--checksum`: a file of the same size and time but other bytes is
/// found where the server has digests; elsewhere the fall-back is said.
fn checksum(c: &Ctx) -> Outcome {
    remote_tree(c);
    let dst = c.local("mirror");
    sync_ok(c, &[&c.url("top"), text(&dst)?])?;
    let time = std::fs::metadata(dst.join("a.txt"))?.modified()?;
    c.write_local("mirror/a.txt", b"ALPHA\n");
    std::fs::File::options()
        .write(true)
        .open(dst.join("a.txt"))?
        .set_modified(time)?;
    let run = sync_ok(c, &["--checksum", &c.url("top"), text(&dst)?])?;
    if c.target.profile.hash {
        ensure!(sent(&run, "RETR") == 1, "{}", run.err());
        has_content(&dst.join("a.txt"), b"alpha\n")?;
        let up = sync_ok(c, &["--checksum", text(&dst)?, &c.url("top")])?;
        ensure!(sent(&up, "STOR") == 0, "{}", up.err());
    } else {
        ensure!(
            run.err().contains("the server computes no digest") && sent(&run, "RETR") == 0,
            "{}",
            run.err()
        );
    }
    Ok(())
}

/// `--verify`: every copy checked, by digest where the server has one,
/// by size ("size only") where not; a second run copies nothing.
fn verify(c: &Ctx) -> Outcome {
    remote_tree(c);
    let dst = c.local("mirror");
    let down = sync_ok(c, &["--verify", &c.url("top"), text(&dst)?])?;
    same_tree(&dst)?;
    let err = down.err();
    ensure!(err.contains("4 verified"), "{err}");
    if c.target.profile.hash {
        ensure!(!err.contains("(4 size only)"), "{err}");
    } else {
        ensure!(err.contains("(4 size only)"), "{err}");
    }
    let again = sync_ok(c, &["--verify", &c.url("top"), text(&dst)?])?;
    ensure!(sent(&again, "RETR") == 0, "{}", again.err());
    c.write_local("mirror/sub/b.bin", &pattern(2999, 4));
    let up = sync_ok(c, &["--verify", text(&dst)?, &c.url("back")])?;
    ensure!(up.err().contains("4 verified"), "{}", up.err());
    has_content(&c.on_server("back/sub/b.bin"), &pattern(2999, 4))?;
    let again = sync_ok(c, &["--verify", text(&dst)?, &c.url("back")])?;
    ensure!(sent(&again, "STOR") == 0, "{}", again.err());
    Ok(())
}

/// The engine's API: the plan as data, then run.
fn library(c: &Ctx) -> Outcome {
    remote_tree(c);
    c.write_local("mirror/extra", b"x");
    let config = c.with_tls(ftp_client::Config::default());
    let url = ftp_client::FtpUrl::parse(&c.url("top"))?;
    let connect = || ftp_client::Client::connect_url(&url, config.clone());
    let job = TreeSync::download(url.path(), c.local("mirror")).options(
        SyncOptions::default()
            .jobs(2)
            .delete(true)
            .filter(Filter::default().exclude("/void/")),
    );
    let plan = job.plan(&connect, &())?;
    ensure!(
        plan.source_complete && plan.failures.is_empty(),
        "{:?}",
        plan.failures
    );
    let kinds: Vec<(String, Action, Reason)> = plan
        .actions
        .iter()
        .map(|a| {
            (
                String::from_utf8_lossy(&a.path).into_owned(),
                a.action,
                a.reason,
            )
        })
        .collect();
    ensure!(
        kinds.contains(&("void".into(), Action::Skip, Reason::Excluded))
            && kinds.contains(&("extra".into(), Action::Delete, Reason::NotInSource))
            && kinds.contains(&("sub/deeper/c".into(), Action::Copy, Reason::Missing)),
        "{kinds:?}"
    );
    let summary = plan.run(&connect, &(), &Cancel::new())?;
    ensure!(
        summary.files == 4 && summary.deleted == 1 && summary.is_success(),
        "{summary:?}"
    );
    absent(&c.local("mirror/void"))?;
    let again = job.plan(&connect, &())?;
    ensure!(
        again.count(Action::Copy) == 0 && again.count(Action::Delete) == 0,
        "{:?}",
        again.actions
    );
    Ok(())
}

/// The engine's API the other way: a plan with deletions limited by
/// `max_delete`, the limit a failure, nothing past it deleted.
fn library_upload(c: &Ctx) -> Outcome {
    local_tree(c);
    for name in ["x1", "x2", "x3"] {
        c.put(format!("mirror/{name}"), b"x");
    }
    let config = c.with_tls(ftp_client::Config::default());
    let url = ftp_client::FtpUrl::parse(&c.url("mirror"))?;
    let connect = || ftp_client::Client::connect_url(&url, config.clone());
    let options = SyncOptions::default().delete(true).max_delete(Some(1));
    let plan = TreeSync::upload(c.local("up"), url.path())
        .options(options)
        .plan(&connect, &())?;
    ensure!(
        plan.count(Action::Delete) == 3 && plan.count(Action::Copy) == 7,
        "{:?}",
        plan.actions
    );
    let summary = plan.run(&connect, &(), &Cancel::new())?;
    ensure!(summary.deleted == 1 && summary.files == 4, "{summary:?}");
    ensure!(
        summary.failures.len() == 1 && summary.failures[0].error.contains("2 more not deleted"),
        "{:?}",
        summary.failures
    );
    let left = ["x1", "x2", "x3"]
        .iter()
        .filter(|n| c.on_server(format!("mirror/{n}")).exists())
        .count();
    ensure!(left == 2, "{left} left");
    same_tree(&c.on_server("mirror"))
}

/// Both sides local, or both remote: a usage error (exit 2), nothing
/// touched.
fn usage_errors(c: &Ctx) -> Outcome {
    let a = c.local("a");
    let before = c.snapshot_both();
    let both_local = c.cli_quiet(&["sync", text(&a)?, text(&c.local("b"))?])?;
    both_local.expect_code(2)?;
    let both_remote = c.cli_quiet(&["sync", &c.url("a"), &c.url("b")])?;
    both_remote.expect_code(2)?;
    let limit_alone = c.cli_quiet(&["sync", "--max-delete", "1", &c.url("a"), text(&a)?])?;
    limit_alone.expect_code(2)?;
    c.unchanged_both(&before)
}

/// A name that is not UTF-8: `--json` gives its exact bytes in
/// `path_hex`; the copy keeps them.
fn json_not_utf8(c: &Ctx) -> Outcome {
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9\"q");
    c.put(Path::new("top").join(name), b"x");
    let dst = c.local("mirror");
    let json = sync_ok(c, &["--dry-run", "--json", &c.url("top"), text(&dst)?])?;
    let out = json.out();
    let expected = "{\"action\":\"copy\",\"path\":\"caf\u{fffd}\\\"q\",\"path_hex\":\"636166e92271\",\
                    \"reason\":\"missing\",\"type\":\"file\",\"size\":1}";
    ensure!(out.lines().any(|l| l == expected), "{out}");
    sync_ok(c, &[&c.url("top"), text(&dst)?])?;
    has_content(&dst.join(name), b"x")
}

/// Forty files in four directories over four sessions, both ways; the
/// second runs copy nothing.
fn parallel(c: &Ctx) -> Outcome {
    for i in 0..40 {
        c.put(
            format!("many/d{}/f{i:02}", i % 4),
            &pattern(100 + i, i as u32),
        );
    }
    let dst = c.local("copy");
    let down = sync_ok(c, &["-j", "4", &c.url("many"), text(&dst)?])?;
    ensure!(sent(&down, "RETR") == 40, "{} RETR", sent(&down, "RETR"));
    for i in 0..40 {
        has_content(
            &dst.join(format!("d{}/f{i:02}", i % 4)),
            &pattern(100 + i, i as u32),
        )?;
    }
    let again = sync_ok(c, &["-j", "4", &c.url("many"), text(&dst)?])?;
    ensure!(sent(&again, "RETR") == 0, "{}", again.err());
    let up = sync_ok(c, &["-j", "4", text(&dst)?, &c.url("back")])?;
    ensure!(sent(&up, "STOR") == 40, "{} STOR", sent(&up, "STOR"));
    let again = sync_ok(c, &["-j", "4", text(&dst)?, &c.url("back")])?;
    ensure!(sent(&again, "STOR") == 0, "{}", again.err());
    has_content(&c.on_server("back/d3/f39"), &pattern(139, 39))
}
