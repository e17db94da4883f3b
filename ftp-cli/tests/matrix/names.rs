//! Names that servers and parsers like to misread, through every operation
//! of the CLI and the library: each acts on exactly the name given, and on
//! nothing else. One row per name; each row is a CLI case and a library
//! case.
//!
//! Beside each name lie decoys: files that a server reading the name as a
//! glob (`*`, `?`, `[x]`), as `ls` options (`-la`) or as several words
//! (`my file`) would list, move or delete instead. Every case checks they
//! are untouched.

use std::ffi::OsStr;
use std::io::Read as _;
use std::os::unix::ffi::OsStrExt;

use crate::ctx::{Ctx, absent, encode, has_content, no_temporary_files};
use crate::harness::{Case, Group, Need, Outcome};
use crate::target::Family;

/// (label, name): the label names the cases.
fn rows() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("space", b"my file".to_vec()),
        ("leading_dash", b"-la".to_vec()),
        ("star", b"*".to_vec()),
        ("question_mark", b"?".to_vec()),
        ("brackets", b"[x]".to_vec()),
        ("hash", b"#1".to_vec()),
        ("percent", b"100%".to_vec()),
        ("semicolon", b"a;type=a".to_vec()),
        ("utf8", "café ünï".as_bytes().to_vec()),
        ("not_utf8", b"caf\xe9".to_vec()),
        ("long_200", vec![b'n'; 200]),
    ]
}

/// Files a misreading server would hit; see the module docs.
const DECOYS: &[&str] = &["d", "decoy", "x", "my", "file", "la"];

pub fn group() -> Group {
    let cases = rows()
        .into_iter()
        .flat_map(|(label, name)| {
            let utf8 = std::str::from_utf8(&name).is_ok();
            let for_cli = name.clone();
            let mut cases = [
                Case::new(format!("cli_{label}"), move |c| cli_case(c, &for_cli)),
                Case::new(format!("library_{label}"), move |c| library_case(c, &name)),
            ];
            if !utf8 {
                cases = cases.map(|case| case.needs(Need::NonUtf8Names));
            }
            cases
        })
        .collect();
    Group {
        name: "names",
        families: &[Family::V4],
        cases,
    }
}

fn os(name: &[u8]) -> &OsStr {
    OsStr::from_bytes(name)
}

fn lossy(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

fn put_decoys(c: &Ctx) {
    for decoy in DECOYS {
        c.put(decoy, decoy.as_bytes());
    }
}

fn decoys_intact(c: &Ctx) -> Outcome {
    for decoy in DECOYS {
        has_content(&c.on_server(decoy), decoy.as_bytes())?;
    }
    Ok(())
}

/// Only the decoys are left in the case's directory.
fn only_decoys_left(c: &Ctx) -> Outcome {
    let mut left: Vec<String> = std::fs::read_dir(c.on_server(""))?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    left.sort();
    let mut expected: Vec<String> = DECOYS.iter().map(|d| d.to_string()).collect();
    expected.sort();
    ensure!(left == expected, "left on the server: {left:?}");
    Ok(())
}

/// `ls` of a directory with the name (with and without the slash), `cp` up
/// to the name and into the directory under the local file's name, `cp`
/// down into a directory and to a path, `mv` down and back up, `rm`, then
/// `mkdir` and `rmdir` of a directory with the name.
fn cli_case(c: &Ctx, name: &[u8]) -> Outcome {
    put_decoys(c);
    let url = c.url(&encode(name));
    let utf8 = |p: &std::path::Path| p.to_str().map(str::to_owned).ok_or("a UTF-8 scratch path");

    c.put_dir(os(name));
    c.put(std::path::Path::new(os(name)).join("inside.txt"), b"in");
    for listed in [url.clone(), format!("{url}/")] {
        let run = c.cli(&["ls", &listed])?;
        run.expect_ok()?;
        let out = run.out();
        ensure!(out.contains("inside.txt"), "ls {listed}: {out:?}");
        ensure!(
            !out.contains("decoy"),
            "ls {listed} listed the decoys: {out:?}"
        );
    }
    std::fs::remove_dir_all(c.on_server(os(name)))?;

    let src = c.write_local("src.bin", b"uploaded");
    c.cli(&["cp", &utf8(&src)?, &url])?.expect_ok()?;
    has_content(&c.on_server(os(name)), b"uploaded")?;
    let named = c.write_local(os(name), b"uploaded again, by name");
    let named = named.to_str().map(str::to_owned);
    // A local path that is not UTF-8 cannot be an argument here.
    if let Some(named) = named {
        c.cli(&["cp", &named, &c.url("")])?.expect_ok()?;
        has_content(&c.on_server(os(name)), b"uploaded again, by name")?;
    } else {
        c.cli(&["cp", &utf8(&src)?, &url])?.expect_ok()?;
    }
    let content = std::fs::read(c.on_server(os(name)))?;
    decoys_intact(c)?;

    // ls of the file itself: its own line, or a refusal; never the decoys.
    let run = c.cli(&["ls", &url])?;
    ensure!(
        !run.out().contains("decoy"),
        "ls of the file listed the decoys: {}",
        run.out()
    );

    let down = c.local("down");
    std::fs::create_dir_all(&down)?;
    c.cli(&["cp", &url, &format!("{}/", utf8(&down)?)])?
        .expect_ok()?;
    has_content(&down.join(os(name)), &content)?;
    let fixed = c.local("fixed.bin");
    c.cli(&["cp", &url, &utf8(&fixed)?])?.expect_ok()?;
    has_content(&fixed, &content)?;

    let moved = c.local("moved.bin");
    c.cli(&["mv", &url, &utf8(&moved)?])?.expect_ok()?;
    absent(&c.on_server(os(name)))?;
    has_content(&moved, &content)?;
    c.cli(&["mv", &utf8(&moved)?, &url])?.expect_ok()?;
    absent(&moved)?;
    has_content(&c.on_server(os(name)), &content)?;
    decoys_intact(c)?;

    c.cli(&["rm", &url])?.expect_ok()?;
    absent(&c.on_server(os(name)))?;
    decoys_intact(c)?;

    c.cli(&["mkdir", &format!("{url}/")])?.expect_ok()?;
    ensure!(c.on_server(os(name)).is_dir(), "mkdir made no directory");
    c.cli(&["rmdir", &format!("{url}/")])?.expect_ok()?;
    absent(&c.on_server(os(name)))?;
    decoys_intact(c)?;
    only_decoys_left(c)?;
    no_temporary_files(&[c.local_dir()])
}

/// Every listing form of a directory with the name, then store, size,
/// retrieve, rename and delete of a file with it, and mkdir and rmdir.
fn library_case(c: &Ctx, name: &[u8]) -> Outcome {
    put_decoys(c);
    let path = c.path_bytes(name);
    c.put_dir(os(name));
    c.put(std::path::Path::new(os(name)).join("inside.txt"), b"in");
    let mut ftp = c.connect()?;

    let lines = ftp.list(&path)?;
    ensure!(
        lines.iter().any(|l| l.ends_with(" inside.txt")),
        "list {}: {lines:?}",
        lossy(name)
    );
    ensure!(
        !lines.iter().any(|l| l.contains("decoy")),
        "list {}: {lines:?}",
        lossy(name)
    );
    let raw = ftp.list_bytes(&path)?;
    ensure!(
        raw.len() == lines.len(),
        "list_bytes gave {} lines, list {}",
        raw.len(),
        lines.len()
    );
    let names = ftp.nlst(&path)?;
    ensure!(
        names.iter().any(|n| n.ends_with("inside.txt"))
            && !names.iter().any(|n| n.contains("decoy")),
        "nlst {}: {names:?}",
        lossy(name)
    );
    if c.target.profile.mlsd {
        let entries = ftp.mlsd(&path)?;
        ensure!(
            entries.iter().any(|l| l.ends_with(" inside.txt")),
            "mlsd {}: {entries:?}",
            lossy(name)
        );
        ensure!(
            !entries.iter().any(|l| l.contains("decoy")),
            "mlsd {}: {entries:?}",
            lossy(name)
        );
    }
    let mut streamed = Vec::new();
    let mut stream = ftp.list_stream(&path)?;
    stream.read_to_end(&mut streamed)?;
    stream.finish()?;
    ensure!(
        String::from_utf8_lossy(&streamed).contains("inside.txt"),
        "list_stream {}: {:?}",
        lossy(name),
        String::from_utf8_lossy(&streamed)
    );
    // The session is back where it started: a relative path still works.
    ftp.store(c.path_bytes(b"after.txt"), &mut &b"after"[..])?;
    has_content(&c.on_server("after.txt"), b"after")?;
    ftp.delete(c.path_bytes(b"after.txt"))?;
    std::fs::remove_dir_all(c.on_server(os(name)))?;

    ftp.store(&path, &mut &b"stored"[..])?;
    has_content(&c.on_server(os(name)), b"stored")?;
    ensure!(ftp.size(&path)? == 6, "SIZE of {}", lossy(name));
    let mut back = Vec::new();
    ftp.retrieve(&path, &mut back)?;
    ensure!(back == b"stored", "retrieved {back:?}");
    let mut renamed = name.to_vec();
    renamed.extend_from_slice(b".renamed");
    ftp.rename(&path, c.path_bytes(&renamed))?;
    absent(&c.on_server(os(name)))?;
    has_content(&c.on_server(os(&renamed)), b"stored")?;
    ftp.delete(c.path_bytes(&renamed))?;
    absent(&c.on_server(os(&renamed)))?;
    ftp.mkdir(&path)?;
    ensure!(c.on_server(os(name)).is_dir(), "mkdir made no directory");
    ftp.rmdir(&path)?;
    absent(&c.on_server(os(name)))?;
    decoys_intact(c)?;
    only_decoys_left(c)?;
    ftp.quit()?;
    Ok(())
}
