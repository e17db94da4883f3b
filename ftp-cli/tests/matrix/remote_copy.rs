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

/// Copies and moves between the target and a second server
/// ([`Target::peer`](crate::target::Target)): vsftpd and proFTPD in the
/// interop suite's cross step, two in-process servers in `cargo test`.
/// Each case goes both ways; the bytes stream from one session into the
/// other.
pub fn cross_group() -> Group {
    Group {
        name: "cross-server",
        families: &[Family::V4],
        cases: vec![
            Case::new("cp_file_both_ways", cross_cp_file).needs(Need::Peer),
            Case::new("mv_file_both_ways", cross_mv_file).needs(Need::Peer),
            Case::new("cp_r_both_ways", cross_cp_r).needs(Need::Peer),
            Case::new("mv_r_both_ways", cross_mv_r).needs(Need::Peer),
        ],
    }
}

/// A file each way, the second replacing an existing file; `--verify`
/// both ways (by digest where the destination has one, else by size).
fn cross_cp_file(c: &Ctx) -> Outcome {
    let p = c.peer()?;
    let there = pattern(900_000, 11);
    let back = pattern(500_000, 12);
    let src = c.put("a.bin", &there);
    c.cli(&["cp", &c.url("a.bin"), &p.url("a.bin")])?
        .expect_ok()?;
    has_content(&p.on_server("a.bin"), &there)?;
    has_content(&src, &there)?;
    p.put("b.bin", &back);
    let old = c.put("b.bin", b"old");
    let before = inode(&old)?;
    let run = c.cli(&["cp", "--verify", &p.url("b.bin"), &c.url("b.bin")])?;
    run.expect_ok()?;
    ensure!(
        run.err().contains("verified"),
        "no verification said: {}",
        run.err()
    );
    has_content(&old, &back)?;
    ensure!(inode(&old)? != before, "b.bin was written in place");
    let run = c.cli(&["cp", "--verify", &c.url("b.bin"), &p.url("c.bin")])?;
    run.expect_ok()?;
    ensure!(
        run.err().contains("verified"),
        "no verification said: {}",
        run.err()
    );
    has_content(&p.on_server("c.bin"), &back)?;
    no_temporary_files(&[&c.on_server(""), &p.on_server("")])?;
    p.clean_up();
    Ok(())
}

/// A file moved each way: the source deleted once the destination has it.
fn cross_mv_file(c: &Ctx) -> Outcome {
    let p = c.peer()?;
    let content = pattern(700_000, 13);
    let src = c.put("m.bin", &content);
    c.cli(&["mv", &c.url("m.bin"), &p.url("m.bin")])?
        .expect_ok()?;
    absent(&src)?;
    has_content(&p.on_server("m.bin"), &content)?;
    c.cli(&["mv", &p.url("m.bin"), &c.url("back.bin")])?
        .expect_ok()?;
    absent(&p.on_server("m.bin"))?;
    has_content(&c.on_server("back.bin"), &content)?;
    no_temporary_files(&[&c.on_server(""), &p.on_server("")])?;
    p.clean_up();
    Ok(())
}

/// A tree each way (`cp -r`), into an existing directory: under its own
/// name.
fn cross_cp_r(c: &Ctx) -> Outcome {
    let p = c.peer()?;
    let big = pattern(600_000, 14);
    c.put("t/a.txt", b"alpha");
    c.put("t/sub/b.bin", &big);
    c.put_dir("t/empty");
    p.put_dir("into");
    c.cli(&["cp", "-r", &c.url("t"), &p.url("into/")])?
        .expect_ok()?;
    has_content(&p.on_server("into/t/a.txt"), b"alpha")?;
    has_content(&p.on_server("into/t/sub/b.bin"), &big)?;
    ensure!(p.on_server("into/t/empty").is_dir(), "t/empty not made");
    has_content(&c.on_server("t/a.txt"), b"alpha")?;
    c.cli(&["cp", "-r", &p.url("into/t"), &c.url("t2")])?
        .expect_ok()?;
    has_content(&c.on_server("t2/a.txt"), b"alpha")?;
    has_content(&c.on_server("t2/sub/b.bin"), &big)?;
    no_temporary_files(&[&c.on_server(""), &p.on_server("")])?;
    p.clean_up();
    Ok(())
}

/// A tree moved each way (`mv -r`): the source tree gone once copied.
fn cross_mv_r(c: &Ctx) -> Outcome {
    let p = c.peer()?;
    let big = pattern(400_000, 15);
    c.put("t/a.txt", b"alpha");
    c.put("t/sub/b.bin", &big);
    c.cli(&["mv", "-r", &c.url("t"), &p.url("t")])?
        .expect_ok()?;
    absent(&c.on_server("t"))?;
    has_content(&p.on_server("t/a.txt"), b"alpha")?;
    has_content(&p.on_server("t/sub/b.bin"), &big)?;
    c.cli(&["mv", "-r", &p.url("t"), &c.url("back")])?
        .expect_ok()?;
    absent(&p.on_server("t"))?;
    has_content(&c.on_server("back/a.txt"), b"alpha")?;
    has_content(&c.on_server("back/sub/b.bin"), &big)?;
    p.clean_up();
    Ok(())
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
