//! Listings as data and whole trees: `Client::entries`, `stat`, `walk`,
//! `set_modified`, over IPv4 and IPv6.

use std::collections::BTreeMap;

use ftp_client::{Error, Kind, ListingFormat, Precision, Timestamp, WalkOptions, Zone, proto};

use crate::ctx::{Ctx, has_content, no_temporary_files, pattern};
use crate::harness::{Case, Group, Need, Outcome};
use crate::target::Family;
use libtest_mimic::Failed;

pub fn group() -> Group {
    Group {
        name: "tree",
        families: &[Family::V4, Family::V6],
        cases: vec![
            Case::new("entries_parsed", entries_parsed),
            Case::new("entries_agree_with_list", entries_agree_with_list),
            Case::new(
                "entries_of_awkward_directory_names",
                entries_of_awkward_names,
            ),
            Case::new("stat_file_and_directory", stat_file_and_directory),
            Case::new("walk_depth_first", walk_depth_first),
            Case::new("walk_depth_and_entry_limits", walk_limits),
            Case::new("set_modified", set_modified),
            Case::new("cli_ls_long", cli_ls_long),
            Case::new("cli_ls_json", cli_ls_json),
            Case::new("cli_ls_names", cli_ls_names),
            Case::new("cli_cp_r_download", cli_cp_r_download),
            Case::new("cli_cp_r_download_update", cli_cp_r_download_update),
            Case::new(
                "cli_cp_r_download_update_within_the_listing_precision",
                cli_cp_r_download_update_precise,
            ),
            Case::new("cli_cp_r_upload_times", cli_cp_r_upload_times),
            Case::new("cli_ls_says_the_time_precision", cli_ls_precision),
            Case::new("cli_cp_r_upload", cli_cp_r_upload),
            Case::new("cli_cp_r_upload_update", cli_cp_r_upload_update),
            Case::new("cli_cp_r_parallel", cli_cp_r_parallel),
            Case::new(
                "cli_cp_r_download_probes_no_file_alone",
                cli_cp_r_download_probes,
            ),
            Case::new("cli_mv_r_both_ways", cli_mv_r_both_ways),
            Case::new("cli_rm_r", cli_rm_r),
            Case::new("cli_login_root_url", cli_login_root_url),
            Case::new("cli_cp_r_upload_symlinks", cli_cp_r_upload_symlinks),
            Case::new("cli_cp_r_download_symlinks", cli_cp_r_download_symlinks)
                .needs(Need::ListsSymlinks),
        ],
    }
}

/// A small tree: `top/{a.txt, empty, sub/{b.bin, deeper/c}, void/}`.
fn small_tree(c: &Ctx) {
    c.put("top/a.txt", b"alpha\n");
    c.put("top/empty", b"");
    c.put("top/sub/b.bin", &pattern(3000, 2));
    c.put("top/sub/deeper/c", b"c");
    c.put_dir("top/void");
}

fn entries_parsed(c: &Ctx) -> Outcome {
    small_tree(c);
    c.put("top/ lead and  two", b"xy");
    let mut ftp = c.connect()?;
    let entries = ftp.entries(c.path("top"))?;
    let by_name: BTreeMap<Vec<u8>, _> = entries
        .iter()
        .filter(|e| e.component(false).is_ok())
        .map(|e| (e.name.clone(), e.clone()))
        .collect();
    let names: Vec<String> = by_name
        .keys()
        .map(|n| String::from_utf8_lossy(n).into())
        .collect();
    ensure!(
        names == [" lead and  two", "a.txt", "empty", "sub", "void"],
        "names: {names:?}"
    );
    let a = &by_name[&b"a.txt".to_vec()];
    ensure!(a.kind == Kind::File && a.size == Some(6), "a.txt: {a:?}");
    let empty = &by_name[&b"empty".to_vec()];
    ensure!(
        empty.kind == Kind::File && empty.size == Some(0),
        "empty: {empty:?}"
    );
    ensure!(
        by_name[&b"sub".to_vec()].kind == Kind::Dir,
        "sub is a directory"
    );
    ensure!(
        by_name[&b"void".to_vec()].kind == Kind::Dir,
        "void is a directory"
    );
    ensure!(
        by_name[&b" lead and  two".to_vec()].size == Some(2),
        "the name with spaces keeps them and its size"
    );
    // Times: this year or last (LIST may give only the day).
    let m = a.modified.ok_or("a.txt has no time")?;
    ensure!(m.time.year >= 2024, "a.txt's time: {m:?}");
    match ftp.listing_format()? {
        ListingFormat::Mlsd => ensure!(
            m.zone == Zone::Utc && m.precision >= Precision::Second,
            "MLSD times are UTC seconds: {m:?}"
        ),
        ListingFormat::List => ensure!(m.zone == Zone::ServerLocal, "LIST times: {m:?}"),
    }
    ensure!(
        ftp.listing_format()?
            == if c.target.profile.mlsd {
                ListingFormat::Mlsd
            } else {
                ListingFormat::List
            },
        "MLSD exactly where the server has it"
    );
    Ok(())
}

fn entries_agree_with_list(c: &Ctx) -> Outcome {
    small_tree(c);
    let mut ftp = c.connect()?;
    let entries = ftp.entries(c.path("top"))?;
    let lines = ftp.list_bytes(c.path("top"))?;
    let now = Timestamp::new(2100, 1, 1, 0, 0, 0).ok_or("a date")?;
    let mut from_list: Vec<(Vec<u8>, Kind, Option<u64>)> = lines
        .iter()
        .filter_map(|l| proto::listing::parse_list_line(l, now))
        .filter(|e| e.component(false).is_ok())
        .map(|e| {
            let size = e.size.filter(|_| e.kind == Kind::File);
            (e.name, e.kind, size)
        })
        .collect();
    let mut from_entries: Vec<(Vec<u8>, Kind, Option<u64>)> = entries
        .into_iter()
        .filter(|e| e.component(false).is_ok())
        .map(|e| {
            let size = e.size.filter(|_| e.kind == Kind::File);
            (e.name, e.kind, size)
        })
        .collect();
    from_list.sort_by(|a, b| a.0.cmp(&b.0));
    from_entries.sort_by(|a, b| a.0.cmp(&b.0));
    ensure!(
        from_list == from_entries,
        "LIST parsed: {from_list:?}\nentries: {from_entries:?}"
    );
    let unknown = lines
        .iter()
        .filter_map(|l| proto::listing::parse_list_line(l, now))
        .filter(|e| e.kind == Kind::Unknown)
        .count();
    ensure!(
        unknown == 0,
        "{unknown} LIST lines not understood: {lines:?}"
    );
    Ok(())
}

fn entries_of_awkward_names(c: &Ctx) -> Outcome {
    for dir in ["-rf", "a b", "[x]*"] {
        c.put(format!("{dir}/inside"), b"1");
    }
    let mut ftp = c.connect()?;
    for dir in ["-rf", "a b", "[x]*"] {
        let entries = ftp.entries(c.path(dir))?;
        let names: Vec<String> = entries
            .iter()
            .filter(|e| e.component(false).is_ok())
            .map(|e| e.name_lossy())
            .collect();
        ensure!(names == ["inside"], "{dir}: {names:?}");
    }
    Ok(())
}

fn stat_file_and_directory(c: &Ctx) -> Outcome {
    small_tree(c);
    let mut ftp = c.connect()?;
    let file = ftp.stat(c.path("top/sub/b.bin"))?;
    ensure!(
        file.kind == Kind::File && file.size == Some(3000),
        "b.bin: {file:?}"
    );
    let m = file.modified.ok_or("b.bin has no time")?;
    ensure!(m.zone == Zone::Utc && m.time.year >= 2024, "{m:?}");
    let dir = ftp.stat(c.path("top/sub"))?;
    ensure!(dir.kind == Kind::Dir, "sub: {dir:?}");
    let missing = ftp.stat(c.path("top/none"));
    ensure!(
        matches!(&missing, Err(e) if e.code().is_some_and(|c| c >= 500)),
        "a missing path: {missing:?}"
    );
    // The session is still usable, in the directory it started from.
    ensure!(ftp.pwd()? == b"/", "back in the login directory");
    Ok(())
}

fn walk_depth_first(c: &Ctx) -> Outcome {
    small_tree(c);
    let mut ftp = c.connect()?;
    let root = c.path("top");
    let mut seen = Vec::new();
    for item in ftp.walk(&root) {
        let found = item?;
        let relative: Vec<String> = found
            .relative
            .iter()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .collect();
        ensure!(found.depth == relative.len(), "depth of {relative:?}");
        ensure!(
            found.path == format!("{root}/{}", relative.join("/")).into_bytes(),
            "path of {relative:?}"
        );
        seen.push((relative.join("/"), found.entry.kind.clone()));
    }
    let position = |p: &str| seen.iter().position(|(s, _)| s == p);
    ensure!(seen.len() == 7, "seen: {seen:?}");
    for (path, kind) in [
        ("a.txt", Kind::File),
        ("empty", Kind::File),
        ("sub", Kind::Dir),
        ("sub/b.bin", Kind::File),
        ("sub/deeper", Kind::Dir),
        ("sub/deeper/c", Kind::File),
        ("void", Kind::Dir),
    ] {
        let at = position(path).ok_or_else(|| format!("{path} not seen: {seen:?}"))?;
        ensure!(seen[at].1 == kind, "{path}: {:?}", seen[at].1);
    }
    // Depth first: a directory, then everything under it, then the next.
    let (sub, deeper, c_file) = (
        position("sub").unwrap_or(0),
        position("sub/deeper").unwrap_or(0),
        position("sub/deeper/c").unwrap_or(0),
    );
    ensure!(sub < deeper && deeper < c_file, "order: {seen:?}");
    let outside_sub = seen
        .iter()
        .enumerate()
        .filter(|(_, (p, _))| !p.starts_with("sub"))
        .map(|(i, _)| i)
        .filter(|&i| i > sub && i < c_file)
        .count();
    ensure!(outside_sub == 0, "sub's contents are contiguous: {seen:?}");
    ensure!(ftp.pwd()? == b"/", "back in the login directory");
    Ok(())
}

fn walk_limits(c: &Ctx) -> Outcome {
    small_tree(c);
    let mut ftp = c.connect()?;
    let root = c.path("top");
    let items: Vec<_> = ftp
        .walk_with(&root, WalkOptions::default().max_depth(1))
        .collect();
    let limited: Vec<&Error> = items.iter().filter_map(|i| i.as_ref().err()).collect();
    let entries: Vec<String> = items
        .iter()
        .filter_map(|i| i.as_ref().ok())
        .map(|f| String::from_utf8_lossy(&f.path).into_owned())
        .collect();
    ensure!(entries.len() == 2, "files at depth 1 only: {entries:?}");
    ensure!(
        limited.len() == 2
            && limited.iter().all(
                |e| matches!(e, Error::WalkLimit { what, .. } if what.contains("deeper than 1"))
            ),
        "the two directories at the limit: {limited:?}"
    );
    let items: Vec<_> = ftp
        .walk_with(&root, WalkOptions::default().max_entries(3))
        .collect();
    ensure!(items.len() == 4, "three entries, then the limit: {items:?}");
    ensure!(
        matches!(&items[3], Err(Error::WalkLimit { what, .. }) if what.contains("more than 3")),
        "{:?}",
        items[3]
    );
    Ok(())
}

fn set_modified(c: &Ctx) -> Outcome {
    c.put("t.txt", b"time");
    let mut ftp = c.connect()?;
    let when = Timestamp::new(2001, 2, 3, 4, 5, 6).ok_or("a date")?;
    if !ftp.supports("MFMT")? {
        let refused = ftp.set_modified(c.path("t.txt"), when);
        ensure!(
            matches!(refused, Err(Error::Unsupported { feature: "MFMT" })),
            "without MFMT: {refused:?}"
        );
        return Ok(());
    }
    ftp.set_modified(c.path("t.txt"), when)?;
    let back = ftp.mdtm(c.path("t.txt"))?;
    ensure!(back == when, "MDTM after MFMT: {back:?}");
    let on_disk = std::fs::metadata(c.on_server("t.txt"))?.modified()?;
    ensure!(
        Some(on_disk) == when.to_system_time(),
        "the file's time on disk: {on_disk:?}"
    );
    Ok(())
}

/// Files for the `ls` cases: a file, a directory, an empty file, and names
/// a terminal or a JSON reader could misread.
fn ls_tree(c: &Ctx) {
    c.put("ls/a.txt", b"alpha\n");
    c.put("ls/empty", b"");
    c.put_dir("ls/sub");
    c.put("ls/quote\"back\\slash", b"q");
    c.put("ls/ two  spaces", b"2");
}

fn cli_ls_long(c: &Ctx) -> Outcome {
    ls_tree(c);
    let run = c.cli(&["ls", "-l", &c.url("ls/")])?;
    run.expect_ok()?;
    let out = run.out();
    let line = |name: &str| {
        out.lines()
            .find(|l| l.ends_with(&format!(" {name}")))
            .map(str::to_owned)
            .ok_or_else(|| format!("{name} not listed: {out}"))
    };
    let a = line("a.txt")?;
    ensure!(a.starts_with('-'), "a.txt: {a}");
    let fields: Vec<&str> = a.split_whitespace().collect();
    ensure!(fields.len() == 4 && fields[1] == "6", "a.txt: {fields:?}");
    // ISO 8601: YYYY-MM-DD, then THH:MM[:SS[Z]] where the server said.
    let time = fields[2];
    ensure!(
        time.len() >= 10 && time.as_bytes()[4] == b'-' && time.as_bytes()[7] == b'-',
        "time {time}"
    );
    ensure!(line("sub")?.starts_with('d'), "sub is a directory");
    ensure!(
        line("empty")?.split_whitespace().nth(1) == Some("0"),
        "empty is 0 bytes"
    );
    line(" two  spaces")?;
    line("quote\"back\\\\slash")?;
    ensure!(
        !out.contains(" . ") && !out.contains(" ..\n"),
        "no cdir/pdir: {out}"
    );
    ensure!(out.lines().count() == 5, "five entries: {out}");
    Ok(())
}

fn cli_ls_json(c: &Ctx) -> Outcome {
    ls_tree(c);
    let run = c.cli_quiet(&["ls", "--json", &c.url("ls/")])?;
    run.expect_ok()?;
    let out = run.out();
    ensure!(out.lines().count() == 5, "one line per entry: {out}");
    for line in out.lines() {
        ensure!(
            line.starts_with("{\"name\":\"") && line.ends_with('}'),
            "not an object: {line}"
        );
    }
    let find = |prefix: &str| {
        out.lines()
            .find(|l| l.starts_with(prefix))
            .map(str::to_owned)
            .ok_or_else(|| format!("no line starting {prefix}: {out}"))
    };
    let a = find("{\"name\":\"a.txt\",")?;
    ensure!(
        a.contains("\"type\":\"file\"") && a.contains("\"size\":6"),
        "{a}"
    );
    ensure!(
        a.contains("\"modified\":\"") && a.contains("\"precision\":\""),
        "{a}"
    );
    let sub = find("{\"name\":\"sub\",")?;
    ensure!(sub.contains("\"type\":\"dir\""), "{sub}");
    find("{\"name\":\"quote\\\"back\\\\slash\",")?;
    find("{\"name\":\" two  spaces\",")?;
    Ok(())
}

fn cli_ls_names(c: &Ctx) -> Outcome {
    ls_tree(c);
    let run = c.cli_quiet(&["ls", "-1", &c.url("ls/")])?;
    run.expect_ok()?;
    let mut names: Vec<String> = run.out().lines().map(str::to_owned).collect();
    names.sort();
    ensure!(
        names
            == [
                " two  spaces",
                "a.txt",
                "empty",
                "quote\"back\\\\slash",
                "sub"
            ],
        "{names:?}"
    );
    // Plain `ls` still prints the server's own lines.
    let plain = c.cli_quiet(&["ls", &c.url("ls/")])?;
    plain.expect_ok()?;
    let mut ftp = c.connect()?;
    let lines = ftp.list_bytes(c.path("ls"))?;
    let expected: Vec<u8> = lines
        .iter()
        .flat_map(|l| [l.as_slice(), b"\n"].concat())
        .collect();
    ensure!(plain.stdout == expected, "plain ls: {}", plain.out());
    Ok(())
}

/// How many commands with `verb` a `-v` run sent.
fn sent(run: &crate::ctx::Run, verb: &str) -> usize {
    let prefix = format!("> {verb} ");
    run.err().lines().filter(|l| l.starts_with(&prefix)).count()
}

/// A file's modification time in whole seconds since 1970.
fn mtime(path: &std::path::Path) -> Result<i64, Failed> {
    let modified = std::fs::metadata(path)?.modified()?;
    Ok(modified
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64))
}

/// Sets a file's (or directory's) modification time.
fn set_mtime(path: &std::path::Path, seconds: i64) -> Outcome {
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds as u64);
    std::fs::File::open(path)?.set_modified(time)?;
    Ok(())
}

/// 2001-02-03 04:05:06 UTC.
const OLD: i64 = 981_173_106;

/// `local` holds the same tree as the remote `top` of [`small_tree`].
fn same_small_tree(c: &Ctx, local: &std::path::Path) -> Outcome {
    has_content(&local.join("a.txt"), b"alpha\n")?;
    has_content(&local.join("empty"), b"")?;
    has_content(&local.join("sub/b.bin"), &pattern(3000, 2))?;
    has_content(&local.join("sub/deeper/c"), b"c")?;
    ensure!(
        local.join("void").is_dir(),
        "the empty directory was not copied"
    );
    let _ = c;
    Ok(())
}

fn cli_cp_r_download(c: &Ctx) -> Outcome {
    small_tree(c);
    set_mtime(&c.on_server("top/a.txt"), OLD)?;
    // DST exists: the tree goes into DST/top.
    let run = c.cli(&[
        "cp",
        "-r",
        &c.url("top"),
        c.local_dir().to_str().ok_or("path")?,
    ])?;
    run.expect_ok()?;
    same_small_tree(c, &c.local("top"))?;
    ensure!(
        sent(&run, "RETR") == 4,
        "one RETR per file: {}",
        sent(&run, "RETR")
    );
    // The time came along to the second on every server: from MLSD, or
    // from MDTM where LIST gives the day (one per file, none otherwise).
    let got = mtime(&c.local("top/a.txt"))?;
    ensure!(got == OLD, "a.txt's time {got}, not {OLD}");
    let mdtms = sent(&run, "MDTM");
    let expected = if c.target.profile.mlsd { 0 } else { 4 };
    ensure!(mdtms == expected, "{mdtms} MDTM, expected {expected}");
    // DST does not exist: it becomes the copy.
    let fresh = c.local("fresh");
    c.cli(&["cp", "-r", &c.url("top/"), fresh.to_str().ok_or("path")?])?
        .expect_ok()?;
    same_small_tree(c, &fresh)?;
    ensure!(
        !fresh.join("top").exists(),
        "copied into fresh/top instead of fresh"
    );
    no_temporary_files(&[&c.local("top"), &c.local("top/sub"), &fresh])?;
    Ok(())
}

fn cli_cp_r_download_update(c: &Ctx) -> Outcome {
    small_tree(c);
    let dst = c.local_dir().to_str().ok_or("path")?.to_owned();
    c.cli(&["cp", "-r", "-u", &c.url("top"), &dst])?
        .expect_ok()?;
    let again = c.cli(&["cp", "-r", "-u", &c.url("top"), &dst])?;
    again.expect_ok()?;
    ensure!(
        sent(&again, "RETR") == 0,
        "the second -u run downloaded: {}",
        again.err()
    );
    // One file changes size: only it is copied.
    c.put("top/sub/b.bin", &pattern(3001, 3));
    let third = c.cli(&["cp", "-r", "-u", &c.url("top"), &dst])?;
    third.expect_ok()?;
    ensure!(
        sent(&third, "RETR") == 1,
        "-u after one change: {}",
        sent(&third, "RETR")
    );
    has_content(&c.local("top/sub/b.bin"), &pattern(3001, 3))?;
    Ok(())
}

/// `-u` where the local file has the source's size and a time within the
/// span of the listing's (a day, on LIST servers): older is copied, newer
/// is left, decided by the exact time, never by the day.
fn cli_cp_r_download_update_precise(c: &Ctx) -> Outcome {
    small_tree(c);
    set_mtime(&c.on_server("top/a.txt"), OLD)?;
    let dst = c.local_dir().to_str().ok_or("path")?.to_owned();
    c.cli(&["cp", "-r", "-u", &c.url("top"), &dst])?
        .expect_ok()?;
    let local = c.local("top/a.txt");
    ensure!(mtime(&local)? == OLD, "a.txt's time {}", mtime(&local)?);
    // Same size, an hour older: copied.
    c.write_local("top/a.txt", b"ALPHA\n");
    set_mtime(&local, OLD - 3_600)?;
    let older = c.cli(&["cp", "-r", "-u", &c.url("top"), &dst])?;
    older.expect_ok()?;
    ensure!(
        sent(&older, "RETR") == 1,
        "-u with a.txt an hour older: {} RETR",
        sent(&older, "RETR")
    );
    has_content(&local, b"alpha\n")?;
    ensure!(mtime(&local)? == OLD, "a.txt's time {}", mtime(&local)?);
    // Same size, an hour newer: left.
    c.write_local("top/a.txt", b"ALPHA\n");
    set_mtime(&local, OLD + 3_600)?;
    let newer = c.cli(&["cp", "-r", "-u", &c.url("top"), &dst])?;
    newer.expect_ok()?;
    ensure!(
        sent(&newer, "RETR") == 0,
        "-u with a.txt an hour newer: {} RETR",
        sent(&newer, "RETR")
    );
    has_content(&local, b"ALPHA\n")?;
    // MDTM only where the listing could not tell, never with MLSD.
    if c.target.profile.mlsd {
        ensure!(sent(&newer, "MDTM") == 0, "MDTM with MLSD: {}", newer.err());
    } else {
        ensure!(sent(&newer, "MDTM") >= 1, "no MDTM: {}", newer.err());
    }
    Ok(())
}

/// Whether a `-v` transcript holds an `MDTM` with a time before the name
/// (the two-argument form some servers take for setting the time, and
/// others for a file name).
fn two_argument_mdtm(run: &crate::ctx::Run) -> bool {
    run.err().lines().any(|l| {
        l.strip_prefix("> MDTM ").is_some_and(|rest| {
            rest.len() > 15
                && rest.as_bytes()[..14].iter().all(u8::is_ascii_digit)
                && rest.as_bytes()[14] == b' '
        })
    })
}

/// Upload times: MFMT where the server has it (the file's time to the
/// second); otherwise `-v` says the files keep the time of the upload, and
/// no other command is tried.
fn cli_cp_r_upload_times(c: &Ctx) -> Outcome {
    local_tree(c, "up");
    set_mtime(&c.local("up/a.txt"), OLD)?;
    let src = c.local("up");
    let run = c.cli(&["cp", "-r", src.to_str().ok_or("path")?, &c.url("")])?;
    run.expect_ok()?;
    ensure!(
        !two_argument_mdtm(&run),
        "a two-argument MDTM: {}",
        run.err()
    );
    let got = mtime(&c.on_server("up/a.txt"))?;
    if c.connect()?.supports("MFMT")? {
        ensure!(got == OLD, "MFMT did not keep a.txt's time: {got}");
        ensure!(sent(&run, "MFMT") >= 4, "MFMT per file: {}", run.err());
    } else {
        ensure!(
            run.err().contains("has no MFMT"),
            "-v does not say what happens to the times: {}",
            run.err()
        );
        ensure!(
            got > OLD + 86_400,
            "a.txt has a time it was not given: {got}"
        );
    }
    Ok(())
}

/// `ls -l` and `ls --json` say how precise a time is: MLSD's to the second
/// (UTC), LIST's to the day for an old file, never a second invented; the
/// same for one file's entry.
fn cli_ls_precision(c: &Ctx) -> Outcome {
    c.put("p/old.txt", b"old\n");
    set_mtime(&c.on_server("p/old.txt"), OLD)?;
    let (long_time, precision) = if c.target.profile.mlsd {
        ("2001-02-03T04:05:06Z", "second")
    } else {
        // LIST gives a year for an old file, not the time of day; the
        // server's zone may move the date by one.
        ("2001-02-0", "day")
    };
    for url in [c.url("p/"), c.url("p/old.txt")] {
        let long = c.cli_quiet(&["ls", "-l", &url])?;
        long.expect_ok()?;
        let out = long.out();
        let line = out
            .lines()
            .find(|l| l.ends_with("old.txt"))
            .ok_or_else(|| format!("ls -l {url}: {out}"))?;
        let time = line.split_whitespace().nth(2).unwrap_or("");
        ensure!(
            time.starts_with(long_time) && (precision == "second" || time.len() == 10),
            "ls -l {url}: {line}"
        );
        let json = c.cli_quiet(&["ls", "--json", &url])?;
        json.expect_ok()?;
        let out = json.out();
        ensure!(
            out.lines().count() == 1
                && out.contains(&format!("\"precision\":\"{precision}\""))
                && out.contains("old.txt\""),
            "ls --json {url}: {out}"
        );
    }
    Ok(())
}

/// A local tree like [`small_tree`]'s, under `name`.
fn local_tree(c: &Ctx, name: &str) {
    c.write_local(format!("{name}/a.txt"), b"alpha\n");
    c.write_local(format!("{name}/empty"), b"");
    c.write_local(format!("{name}/sub/b.bin"), &pattern(3000, 2));
    c.write_local(format!("{name}/sub/deeper/c"), b"c");
    let _ = std::fs::create_dir_all(c.local(format!("{name}/void")));
}

fn cli_cp_r_upload(c: &Ctx) -> Outcome {
    local_tree(c, "up");
    set_mtime(&c.local("up/a.txt"), OLD)?;
    let src = c.local("up");
    let src = src.to_str().ok_or("path")?;
    // DST exists (the case's directory): the tree goes into DST/up.
    let run = c.cli(&["cp", "-r", src, &c.url("")])?;
    run.expect_ok()?;
    let stors = sent(&run, "STOR");
    ensure!(stors == 4, "one STOR per file: {stors}");
    has_content(&c.on_server("up/a.txt"), b"alpha\n")?;
    has_content(&c.on_server("up/empty"), b"")?;
    has_content(&c.on_server("up/sub/b.bin"), &pattern(3000, 2))?;
    has_content(&c.on_server("up/sub/deeper/c"), b"c")?;
    ensure!(
        c.on_server("up/void").is_dir(),
        "the empty directory was not created"
    );
    let mut ftp = c.connect()?;
    if ftp.supports("MFMT")? {
        ensure!(
            mtime(&c.on_server("up/a.txt"))? == OLD,
            "MFMT did not keep a.txt's time"
        );
    }
    // DST missing: it becomes the copy.
    c.cli(&["cp", "-r", src, &c.url("other")])?.expect_ok()?;
    has_content(&c.on_server("other/sub/deeper/c"), b"c")?;
    ensure!(!c.on_server("other/up").exists(), "copied into other/up");
    Ok(())
}

fn cli_cp_r_upload_update(c: &Ctx) -> Outcome {
    local_tree(c, "up");
    let src = c.local("up");
    let src = src.to_str().ok_or("path")?;
    c.cli(&["cp", "-r", "-u", src, &c.url("")])?.expect_ok()?;
    let again = c.cli(&["cp", "-r", "-u", src, &c.url("")])?;
    again.expect_ok()?;
    ensure!(
        sent(&again, "STOR") == 0,
        "the second -u run uploaded: {}",
        again.err()
    );
    c.write_local("up/sub/b.bin", &pattern(2999, 4));
    let third = c.cli(&["cp", "-r", "-u", src, &c.url("")])?;
    third.expect_ok()?;
    ensure!(
        sent(&third, "STOR") == 1,
        "-u after one change: {}",
        sent(&third, "STOR")
    );
    has_content(&c.on_server("up/sub/b.bin"), &pattern(2999, 4))?;
    Ok(())
}

fn cli_cp_r_parallel(c: &Ctx) -> Outcome {
    for i in 0..40 {
        c.put(
            format!("many/d{}/f{i:02}", i % 4),
            &pattern(100 + i, i as u32),
        );
    }
    let dst = c.local("copy");
    let run = c.cli(&[
        "cp",
        "-r",
        "-j",
        "4",
        &c.url("many"),
        dst.to_str().ok_or("path")?,
    ])?;
    run.expect_ok()?;
    for i in 0..40 {
        has_content(
            &dst.join(format!("d{}/f{i:02}", i % 4)),
            &pattern(100 + i, i as u32),
        )?;
    }
    ensure!(
        run.err().contains("cp -r: 40 files"),
        "summary: {}",
        run.error_line().unwrap_or_default()
    );
    // Up to four sessions, each logged in once and reused.
    let logins = run
        .err()
        .lines()
        .filter(|l| l.starts_with("> USER "))
        .count();
    ensure!((1..=4).contains(&logins), "{logins} sessions");
    ensure!(sent(&run, "RETR") == 40, "RETRs: {}", sent(&run, "RETR"));
    Ok(())
}

/// A download of a tree sends no probe of its own for each file (SIZE,
/// MLST): sizes and times come from the listing, and where the listing's
/// time is not exact (LIST), the MDTMs of a directory's files go together,
/// sent before the first reply; TYPE once per session. Every time and
/// every byte still arrives.
fn cli_cp_r_download_probes(c: &Ctx) -> Outcome {
    const N: i64 = 6;
    for i in 0..N {
        c.put(format!("probe/f{i}"), &pattern(1000 + i as usize, i as u32));
        c.put(format!("probe/sub/g{i}"), &pattern(10 + i as usize, 7));
        set_mtime(&c.on_server(format!("probe/f{i}")), OLD + 3601 * i)?;
        set_mtime(&c.on_server(format!("probe/sub/g{i}")), OLD + 7 * i)?;
    }
    let dst = c.local("probed");
    let run = c.cli(&[
        "cp",
        "-r",
        "-j",
        "1",
        &c.url("probe"),
        dst.to_str().ok_or("path")?,
    ])?;
    run.expect_ok()?;
    for i in 0..N {
        let (f, g) = (dst.join(format!("f{i}")), dst.join(format!("sub/g{i}")));
        has_content(&f, &pattern(1000 + i as usize, i as u32))?;
        has_content(&g, &pattern(10 + i as usize, 7))?;
        ensure!(mtime(&f)? == OLD + 3601 * i, "f{i}'s time {}", mtime(&f)?);
        ensure!(mtime(&g)? == OLD + 7 * i, "g{i}'s time {}", mtime(&g)?);
    }
    ensure!(sent(&run, "RETR") == 2 * N as usize, "{}", run.err());
    // The root's stat is the one SIZE or MLST.
    let probes = sent(&run, "SIZE") + sent(&run, "MLST");
    ensure!(probes <= 1, "{probes} SIZE/MLST: {}", run.err());
    ensure!(sent(&run, "TYPE") <= 1, "TYPE again: {}", run.err());
    let mdtms = sent(&run, "MDTM");
    if c.target.profile.mlsd {
        ensure!(mdtms == 0, "MDTM with MLSD: {}", run.err());
        return Ok(());
    }
    ensure!(mdtms == 2 * N as usize, "{mdtms} MDTM: {}", run.err());
    // Each directory's MDTMs back to back, before their replies.
    let transcript = run.err();
    let lines: Vec<&str> = transcript.lines().collect();
    let runs = lines
        .split(|l| !l.starts_with("> MDTM "))
        .filter(|r| !r.is_empty())
        .map(<[&str]>::len)
        .collect::<Vec<_>>();
    ensure!(
        runs == [N as usize, N as usize],
        "MDTMs sent {runs:?}: {}",
        run.err()
    );
    Ok(())
}

fn cli_mv_r_both_ways(c: &Ctx) -> Outcome {
    small_tree(c);
    let dst = c.local("moved");
    c.cli(&["mv", "-r", &c.url("top"), dst.to_str().ok_or("path")?])?
        .expect_ok()?;
    same_small_tree(c, &dst)?;
    ensure!(
        !c.on_server("top").exists(),
        "the remote source is still there"
    );
    c.cli(&["mv", "-r", dst.to_str().ok_or("path")?, &c.url("back")])?
        .expect_ok()?;
    ensure!(!dst.exists(), "the local source is still there");
    has_content(&c.on_server("back/sub/deeper/c"), b"c")?;
    ensure!(c.on_server("back/void").is_dir(), "void");
    Ok(())
}

fn cli_rm_r(c: &Ctx) -> Outcome {
    small_tree(c);
    c.put("keep/me", b"1");
    let dry = c.cli(&["rm", "-r", "--dry-run", &c.url("top/")])?;
    dry.expect_ok()?;
    ensure!(
        dry.out().lines().count() == 8,
        "dry run lines: {}",
        dry.out()
    );
    ensure!(
        sent(&dry, "DELE") + sent(&dry, "RMD") == 0,
        "the dry run deleted"
    );
    same_small_tree(c, &c.on_server("top"))?;
    let run = c.cli(&["rm", "-r", &c.url("top/")])?;
    run.expect_ok()?;
    ensure!(!c.on_server("top").exists(), "top is still there");
    has_content(&c.on_server("keep/me"), b"1")?;
    // The login directory needs --force.
    let refused = c.cli_quiet(&["rm", "-r", &c.root_url("")])?;
    refused.expect_code(2)?;
    ensure!(c.on_server("keep/me").exists(), "the refusal deleted");
    Ok(())
}

/// No command went out without its argument (`> SIZE ` and the like),
/// and none asked SIZE of the login directory.
fn no_empty_argument(run: &crate::ctx::Run) -> Outcome {
    for line in run.err().lines().filter(|l| l.starts_with("> ")) {
        let command = &line[2..];
        ensure!(
            !command.ends_with(' '),
            "sent without its argument: {line:?}"
        );
        ensure!(
            ![
                "SIZE", "MDTM", "RETR", "STOR", "DELE", "RNFR", "RMD", "MKD", "CWD"
            ]
            .iter()
            .any(|verb| command.eq_ignore_ascii_case(verb)),
            "sent without its argument: {line:?}"
        );
    }
    Ok(())
}

/// The login directory's URL (`ftp://host/`) names a directory: `ls`
/// lists it, `cp -r DIR ftp://host/` uploads into it (here a local
/// directory named as the case's own, so that it lands there: the login
/// directory is shared by every case), `rm -r` and `mv -r` of it are
/// refused, and nothing is sent without its argument. (`cp -r` of the
/// login directory down would copy every other case's files while they
/// change: the scripted server of `ftp-cli/tests/login_root.rs` has that
/// case, and here the case's directory URL ending in `/` stands for it.)
fn cli_login_root_url(c: &Ctx) -> Outcome {
    small_tree(c);
    let root = c.root_url("");
    for style in [None, Some("-1"), Some("-l")] {
        let mut args = vec!["ls"];
        args.extend(style);
        args.push(&root);
        let run = c.cli(&args)?;
        run.expect_ok()?;
        ensure!(
            run.out().lines().any(|l| l.ends_with(c.dir.as_str())),
            "{args:?} does not list {}: {}",
            c.dir,
            run.out()
        );
        ensure!(sent(&run, "SIZE") == 0, "{args:?} asked SIZE");
        no_empty_argument(&run)?;
    }
    // Up into the login directory: DIR/<case dir>/..., the case's own.
    c.write_local(format!("{}/x.txt", c.dir), b"x-ray");
    c.write_local(format!("{}/inner/y.txt", c.dir), b"yankee");
    let src = c.local(&c.dir);
    let up = c.cli(&["cp", "-r", src.to_str().ok_or("path")?, &root])?;
    up.expect_ok()?;
    no_empty_argument(&up)?;
    has_content(&c.on_server("x.txt"), b"x-ray")?;
    has_content(&c.on_server("inner/y.txt"), b"yankee")?;
    same_small_tree(c, &c.on_server("top"))?;
    // Down from a directory URL ending in '/': the case's directory.
    let down = c.local("down");
    let run = c.cli(&["cp", "-r", &c.url(""), down.to_str().ok_or("path")?])?;
    run.expect_ok()?;
    no_empty_argument(&run)?;
    same_small_tree(c, &down.join("top"))?;
    has_content(&down.join("inner/y.txt"), b"yankee")?;
    // Never removed, never emptied without --force.
    let moved = c.local("moved");
    for args in [
        vec!["rm", "-r", &root],
        vec!["mv", "-r", &root, moved.to_str().ok_or("path")?],
    ] {
        let refused = c.cli_quiet(&args)?;
        refused.expect_code(2)?;
        ensure!(
            refused.err().contains("the login directory"),
            "{args:?}: {}",
            refused.err()
        );
    }
    ensure!(!moved.exists(), "mv -r made {}", moved.display());
    has_content(&c.on_server("x.txt"), b"x-ray")?;
    Ok(())
}

fn cli_cp_r_upload_symlinks(c: &Ctx) -> Outcome {
    use std::os::unix::fs::symlink;
    c.write_local("links/real.txt", b"real");
    c.write_local("links/dir/inner.txt", b"inner");
    symlink("real.txt", c.local("links/to-file"))?;
    symlink("dir", c.local("links/to-dir"))?;
    symlink("..", c.local("links/dir/up"))?;
    let src = c.local("links");
    let src = src.to_str().ok_or("path")?;
    // Not followed: reported and skipped, not a failure.
    let run = c.cli(&["cp", "-r", src, &c.url("plain")])?;
    run.expect_ok()?;
    ensure!(
        run.err().contains("2 skipped") || run.err().contains("3 skipped"),
        "{}",
        run.err()
    );
    has_content(&c.on_server("plain/real.txt"), b"real")?;
    has_content(&c.on_server("plain/dir/inner.txt"), b"inner")?;
    for link in ["plain/to-file", "plain/to-dir", "plain/dir/up"] {
        ensure!(
            std::fs::symlink_metadata(c.on_server(link)).is_err(),
            "{link} uploaded"
        );
    }
    // -L: followed, the loop back to the top refused.
    let run = c.cli(&["cp", "-r", "-L", src, &c.url("deref")])?;
    run.expect_code(1)?;
    ensure!(run.err().contains("already visited"), "{}", run.err());
    has_content(&c.on_server("deref/to-file"), b"real")?;
    has_content(&c.on_server("deref/to-dir/inner.txt"), b"inner")?;
    ensure!(
        !c.on_server("deref/dir/up").exists(),
        "the loop was followed"
    );
    Ok(())
}

/// The server's own symbolic links (the real servers serve the local file
/// system, so links made there are listed as links): skipped without -L,
/// followed with it under the link's name, the loop back up refused.
fn cli_cp_r_download_symlinks(c: &Ctx) -> Outcome {
    use std::os::unix::fs::symlink;
    c.put("links/real.txt", b"real");
    c.put("links/dir/inner.txt", b"inner");
    symlink("real.txt", c.on_server("links/to-file"))?;
    symlink("dir", c.on_server("links/to-dir"))?;
    symlink("..", c.on_server("links/dir/up"))?;
    let listed = c.connect()?.entries(c.path("links"))?;
    ensure!(
        listed
            .iter()
            .any(|e| e.name == b"to-dir" && matches!(e.kind, Kind::Symlink { .. })),
        "the server does not list to-dir as a link: {listed:?}"
    );
    // Not followed: reported and skipped, not a failure.
    let plain = c.local("plain");
    let run = c.cli(&["cp", "-r", &c.url("links"), plain.to_str().ok_or("path")?])?;
    run.expect_ok()?;
    ensure!(run.err().contains("3 skipped"), "{}", run.err());
    ensure!(run.err().contains("use -L"), "{}", run.err());
    has_content(&plain.join("real.txt"), b"real")?;
    has_content(&plain.join("dir/inner.txt"), b"inner")?;
    for link in ["to-file", "to-dir", "dir/up"] {
        ensure!(
            std::fs::symlink_metadata(plain.join(link)).is_err(),
            "{link} written without -L"
        );
    }
    // -L: followed, each under its own name; the loop back to the top is
    // refused (a failure, exit 1), and nothing is made of it.
    let deref = c.local("deref");
    let run = c.cli(&[
        "cp",
        "-r",
        "-L",
        &c.url("links"),
        deref.to_str().ok_or("path")?,
    ])?;
    run.expect_code(1)?;
    ensure!(run.err().contains("a link loop"), "{}", run.err());
    ensure!(run.err().contains("2 failures"), "{}", run.err());
    has_content(&deref.join("real.txt"), b"real")?;
    has_content(&deref.join("to-file"), b"real")?;
    has_content(&deref.join("dir/inner.txt"), b"inner")?;
    has_content(&deref.join("to-dir/inner.txt"), b"inner")?;
    // to-dir/up is the same loop seen from the link: refused too, as the
    // target of `..` from where to-dir really is.
    for looped in ["dir/up", "to-dir/up"] {
        ensure!(
            std::fs::symlink_metadata(deref.join(looped)).is_err(),
            "{looped}: the loop was followed"
        );
    }
    ensure!(
        !std::fs::symlink_metadata(deref.join("to-dir"))?
            .file_type()
            .is_symlink(),
        "to-dir written as a link"
    );
    no_temporary_files(&[&deref, &deref.join("dir"), &deref.join("to-dir")])?;
    Ok(())
}
