//! Uploads into an anonymous upload-only directory ("drop box", vsftpd's
//! `anon_upload_enable` with the default `anon_other_write_enable=NO`):
//! STOR of a new file is allowed; RNFR, RNTO, DELE and overwriting are
//! refused. A new file must arrive under its own name with nothing else
//! left beside it; an overwrite is refused and changes nothing; `mv`
//! deletes its local source only once the server confirmed the upload.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::ctx::{Ctx, absent, has_content};
use crate::harness::{Case, Group, Need, Outcome};
use crate::target::Family;

pub fn group() -> Group {
    let cases = vec![
        Case::new("new_file_into_directory_url", new_file_into_directory_url),
        Case::new("new_file_under_a_given_name", new_file_under_a_given_name),
        Case::new("overwrite_refused", overwrite_refused),
        Case::new("mv_into_drop_box", mv_into_drop_box),
    ]
    .into_iter()
    .map(|case| case.needs(Need::AnonymousDropBox))
    .collect();
    Group {
        name: "drop-box",
        families: &[Family::V4],
        cases,
    }
}

/// The drop box's path (as the anonymous user sees it) and its place on
/// disk.
fn drop_box(c: &Ctx) -> Result<(String, PathBuf), libtest_mimic::Failed> {
    let anon = c.target.anonymous.as_ref().ok_or("no anonymous login")?;
    let dir = anon.drop_box.clone().ok_or("no drop box")?;
    let on_disk = anon.root.join(&dir);
    Ok((dir, on_disk))
}

/// The names in the drop box on disk.
fn contents(dir: &std::path::Path) -> Result<BTreeSet<String>, libtest_mimic::Failed> {
    Ok(std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?)
}

/// A file name unique to the case (the drop box is shared).
fn unique(c: &Ctx, what: &str) -> String {
    format!("{}-{what}.bin", c.path(""))
}

/// Exactly `added` is new in the drop box since `before`, among the names
/// of this case (`prefix`: cases run side by side in the one drop box).
fn only_added(
    c: &Ctx,
    dir: &std::path::Path,
    before: &BTreeSet<String>,
    added: &[&str],
) -> Outcome {
    let after = contents(dir)?;
    let prefix = c.path("");
    let new: Vec<&String> = after
        .difference(before)
        .filter(|name| name.contains(&prefix))
        .collect();
    ensure!(
        new.len() == added.len() && added.iter().all(|a| after.contains(*a)),
        "new in the drop box: {new:?}, expected exactly {added:?}"
    );
    Ok(())
}

fn local_str(path: &std::path::Path) -> Result<String, libtest_mimic::Failed> {
    Ok(path.to_str().ok_or("a UTF-8 scratch path")?.to_owned())
}

fn new_file_into_directory_url(c: &Ctx) -> Outcome {
    let (dir, on_disk) = drop_box(c)?;
    let name = unique(c, "new");
    let before = contents(&on_disk)?;
    let src = c.write_local(&name, b"dropped off");
    c.cli(&["cp", &local_str(&src)?, &c.anon_url(&format!("{dir}/"))])?
        .expect_ok()?;
    has_content(&on_disk.join(&name), b"dropped off")?;
    only_added(c, &on_disk, &before, &[&name])
}

fn new_file_under_a_given_name(c: &Ctx) -> Outcome {
    let (dir, on_disk) = drop_box(c)?;
    let name = unique(c, "named");
    let before = contents(&on_disk)?;
    let src = c.write_local("local.bin", b"dropped off under a name");
    c.cli(&[
        "cp",
        &local_str(&src)?,
        &c.anon_url(&format!("{dir}/{name}")),
    ])?
    .expect_ok()?;
    has_content(&on_disk.join(&name), b"dropped off under a name")?;
    only_added(c, &on_disk, &before, &[&name])
}

/// A second upload over a file dropped off earlier: refused by the server,
/// the first file unchanged, nothing else left there.
fn overwrite_refused(c: &Ctx) -> Outcome {
    let (dir, on_disk) = drop_box(c)?;
    let name = unique(c, "twice");
    let before = contents(&on_disk)?;
    let url = c.anon_url(&format!("{dir}/{name}"));
    let first = c.write_local("first.bin", b"the first upload");
    c.cli(&["cp", &local_str(&first)?, &url])?.expect_ok()?;
    let second = c.write_local("second.bin", b"a second upload, refused");
    let run = c.cli_quiet(&["cp", &local_str(&second)?, &url])?;
    run.expect_code(1)?;
    let line = run.error_line().unwrap_or_default();
    ensure!(
        line.contains(" 55") || line.contains(" 45"),
        "the error names no server refusal: {line}"
    );
    has_content(&on_disk.join(&name), b"the first upload")?;
    has_content(&second, b"a second upload, refused")?;
    only_added(c, &on_disk, &before, &[&name])
}

fn mv_into_drop_box(c: &Ctx) -> Outcome {
    let (dir, on_disk) = drop_box(c)?;
    let name = unique(c, "moved");
    let before = contents(&on_disk)?;
    let src = c.write_local(&name, b"moved into the drop box");
    c.cli(&["mv", &local_str(&src)?, &c.anon_url(&format!("{dir}/"))])?
        .expect_ok()?;
    absent(&src)?;
    has_content(&on_disk.join(&name), b"moved into the drop box")?;
    only_added(c, &on_disk, &before, &[&name])
}
