//! `cp` and `mv` with both sides remote: a move on one login is a rename
//! (the file or directory keeps its inode: nothing was copied); a copy or
//! move between two logins of the server (the test user and the anonymous
//! area) streams from one session into the other, replacing an existing
//! file by a rename (a new inode, the old content whole until then), and
//! a move deletes its source only once the destination confirmed.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::ctx::{Ctx, absent, has_content, no_temporary_files, pattern};
use crate::harness::{Case, Group, Need, Outcome};
use crate::target::Family;

pub fn group() -> Group {
    Group {
        name: "remote-copy",
        families: &[Family::V4],
        cases: vec![
            Case::new("mv_file_is_a_rename", mv_file_is_a_rename),
            Case::new("mv_r_directory_is_a_rename", mv_r_directory_is_a_rename),
            Case::new("mv_directory_into_itself", mv_directory_into_itself),
            Case::new("cp_same_login_replaces", cp_same_login_replaces),
            Case::new("cp_anonymous_to_user", cp_anonymous_to_user).needs(Need::AnonymousRead),
            Case::new("cp_r_anonymous_to_user", cp_r_anonymous_to_user).needs(Need::AnonymousRead),
            Case::new("cp_verify_between_logins", cp_verify_between_logins)
                .needs(Need::AnonymousRead),
            Case::new("mv_undeletable_source", mv_undeletable_source)
                .needs(Need::AnonymousUploadRefused),
            Case::new("mv_user_to_drop_box", mv_user_to_drop_box).needs(Need::AnonymousDropBox),
            Case::new("mv_refused_keeps_source", mv_refused_keeps_source)
                .needs(Need::AnonymousDropBox),
        ],
    }
}

fn inode(path: &Path) -> Result<u64, libtest_mimic::Failed> {
    Ok(std::fs::metadata(path)?.ino())
}

fn mv_file_is_a_rename(c: &Ctx) -> Outcome {
    let content = pattern(300_000, 1);
    let src = c.put("a.bin", &content);
    let before = inode(&src)?;
    c.cli(&["mv", &c.url("a.bin"), &c.url("b.bin")])?
        .expect_ok()?;
    absent(&src)?;
    let dst = c.on_server("b.bin");
    has_content(&dst, &content)?;
    ensure!(inode(&dst)? == before, "b.bin is a new file: not renamed");
    Ok(())
}

fn mv_r_directory_is_a_rename(c: &Ctx) -> Outcome {
    // Each directory made (and owned) as the server's own: moving one
    // into another directory needs write access to it (its `..`).
    c.put_dir("d");
    c.put_dir("d/sub");
    c.put("d/sub/f.txt", b"deep");
    c.put("d/g.txt", b"top");
    c.put_dir("into");
    let before = inode(&c.on_server("d"))?;
    // Without -r a directory is refused, and stays.
    let run = c.cli_quiet(&["mv", &c.url("d"), &c.url("e")])?;
    run.expect_code(2)?;
    has_content(&c.on_server("d/g.txt"), b"top")?;
    c.cli(&["mv", "-r", &c.url("d"), &c.url("e")])?
        .expect_ok()?;
    absent(&c.on_server("d"))?;
    has_content(&c.on_server("e/sub/f.txt"), b"deep")?;
    ensure!(inode(&c.on_server("e"))? == before, "e is a new directory");
    // Into an existing directory: under its own name.
    c.cli(&["mv", "-r", &c.url("e"), &c.url("into/")])?
        .expect_ok()?;
    has_content(&c.on_server("into/e/g.txt"), b"top")?;
    absent(&c.on_server("e"))
}

fn mv_directory_into_itself(c: &Ctx) -> Outcome {
    c.put("d/sub/f.txt", b"deep");
    let run = c.cli_quiet(&["mv", "-r", &c.url("d"), &c.url("d/sub/")])?;
    run.expect_code(1)?;
    let line = run.error_line().unwrap_or_default();
    ensure!(line.contains("into itself"), "{line}");
    has_content(&c.on_server("d/sub/f.txt"), b"deep")?;
    absent(&c.on_server("d/sub/d"))
}

fn cp_same_login_replaces(c: &Ctx) -> Outcome {
    let content = pattern(1_500_000, 2);
    let src = c.put("src.bin", &content);
    let dst = c.put("dst.bin", b"old");
    let before = inode(&dst)?;
    c.cli(&["cp", &c.url("src.bin"), &c.url("dst.bin")])?
        .expect_ok()?;
    has_content(&dst, &content)?;
    has_content(&src, &content)?;
    ensure!(inode(&dst)? != before, "dst.bin was written in place");
    no_temporary_files(&[&c.on_server("")])
}

/// Anonymous download into the user's area: another login, a second
/// session; the existing file replaced by a rename.
fn cp_anonymous_to_user(c: &Ctx) -> Outcome {
    let content = pattern(700_000, 3);
    let anon = c.anon_put("public.bin", &content);
    let dst = c.put("copy.bin", b"old");
    let before = inode(&dst)?;
    c.cli(&["cp", &c.anon_url(&anon), &c.url("copy.bin")])?
        .expect_ok()?;
    has_content(&dst, &content)?;
    ensure!(inode(&dst)? != before, "copy.bin was written in place");
    has_content(&c.anon_on_server("public.bin"), &content)?;
    no_temporary_files(&[&c.on_server("")])
}

/// A tree from the anonymous area into the user's: listed there, each
/// file streamed between the two sessions, an existing file replaced.
fn cp_r_anonymous_to_user(c: &Ctx) -> Outcome {
    let big = pattern(600_000, 7);
    c.anon_put("tree/a.txt", b"alpha");
    c.anon_put("tree/sub/b.bin", &big);
    c.put_dir("into");
    c.put_dir("into/tree");
    let old = c.put("into/tree/a.txt", b"old");
    let before = inode(&old)?;
    c.cli(&[
        "cp",
        "-r",
        &c.anon_url(&format!("{}/tree", c.dir)),
        &c.url("into/"),
    ])?
    .expect_ok()?;
    has_content(&old, b"alpha")?;
    ensure!(inode(&old)? != before, "a.txt was written in place");
    has_content(&c.on_server("into/tree/sub/b.bin"), &big)?;
    has_content(&c.anon_on_server("tree/a.txt"), b"alpha")?;
    no_temporary_files(&[&c.on_server("")])
}

/// `--verify` between two logins: the digest computed as the bytes stream
/// through, compared with the destination server's (or its size).
fn cp_verify_between_logins(c: &Ctx) -> Outcome {
    let content = pattern(200_000, 5);
    let anon = c.anon_put("checked.bin", &content);
    let run = c.cli(&["cp", "--verify", &c.anon_url(&anon), &c.url("checked.bin")])?;
    run.expect_ok()?;
    let err = run.err();
    ensure!(err.contains("verified"), "no verification said: {err}");
    has_content(&c.on_server("checked.bin"), &content)?;
    // A tree (-r): each file checked, by the server's digest where it has
    // one (the transcript shows it asked).
    c.put("vt/a.bin", &content);
    c.put("vt/sub/b", b"b");
    let run = c.cli(&["cp", "-r", "--verify", &c.url("vt"), &c.url("vt2")])?;
    run.expect_ok()?;
    let err = run.err();
    if c.target.profile.hash {
        let asked = err
            .lines()
            .filter(|l| l.starts_with("> HASH ") || l.starts_with("> XSHA"))
            .count();
        ensure!(asked >= 2, "no digest asked for: {err}");
    }
    has_content(&c.on_server("vt2/a.bin"), &content)?;
    has_content(&c.on_server("vt2/sub/b"), b"b")
}

/// A move from the anonymous area, where the server refuses to delete:
/// the copy is made, then exit 1 saying the source stays.
fn mv_undeletable_source(c: &Ctx) -> Outcome {
    let content = pattern(50_000, 6);
    let anon = c.anon_put("kept.bin", &content);
    let run = c.cli_quiet(&["mv", &c.anon_url(&anon), &c.url("moved.bin")])?;
    run.expect_code(1)?;
    let line = run.error_line().unwrap_or_default();
    ensure!(
        line.contains("could not delete the source") && line.contains(" 55"),
        "{line}"
    );
    has_content(&c.on_server("moved.bin"), &content)?;
    has_content(&c.anon_on_server("kept.bin"), &content)
}

/// The drop box's URL path and its place on disk.
fn drop_box(c: &Ctx) -> Result<(String, std::path::PathBuf), libtest_mimic::Failed> {
    let anon = c.target.anonymous.as_ref().ok_or("no anonymous login")?;
    let dir = anon.drop_box.clone().ok_or("no drop box")?;
    Ok((dir.clone(), anon.root.join(dir)))
}

/// The user's file moved into the anonymous drop box: uploaded there
/// under its name, then deleted from the user's area.
fn mv_user_to_drop_box(c: &Ctx) -> Outcome {
    let (dir, on_disk) = drop_box(c)?;
    let name = format!("{}-relay.bin", c.path(""));
    let content = pattern(400_000, 4);
    let src = c.put(&name, &content);
    c.cli(&["mv", &c.url(&name), &c.anon_url(&format!("{dir}/"))])?
        .expect_ok()?;
    has_content(&on_disk.join(&name), &content)?;
    absent(&src)
}

/// A move the destination refuses (a file already in the drop box cannot
/// be replaced): exit 1 naming both URLs, the source kept.
fn mv_refused_keeps_source(c: &Ctx) -> Outcome {
    let (dir, on_disk) = drop_box(c)?;
    let name = format!("{}-twice.bin", c.path(""));
    let first = c.put("first.bin", b"the first");
    let url = c.anon_url(&format!("{dir}/{name}"));
    c.cli(&["cp", &c.url("first.bin"), &url])?.expect_ok()?;
    let src = c.put(&name, b"the second, refused");
    let run = c.cli_quiet(&["mv", &c.url(&name), &url])?;
    run.expect_code(1)?;
    let line = run.error_line().unwrap_or_default();
    ensure!(
        line.contains(&name) && line.contains(&dir),
        "the error names both URLs: {line}"
    );
    has_content(&src, b"the second, refused")?;
    has_content(&first, b"the first")?;
    has_content(&on_disk.join(&name), b"the first")
}
