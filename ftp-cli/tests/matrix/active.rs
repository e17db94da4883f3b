//! Active mode (`--active`, `DataMode::Active`): the server connects to
//! the client for every data connection (EPRT, or PORT). Downloads,
//! uploads, listings, a resumed download and a parallel tree copy, through
//! the library and the CLI; over TLS on the FTPS targets (the accepted
//! socket is the TLS client side, resuming the control session).

use ftp_client::{Config, DataMode};

use crate::ctx::{Ctx, has_content, no_temporary_files, pattern, utf8};
use crate::driver::{ConnectCtx, Driver};
use crate::harness::{Case, Group, Need, Outcome};
use crate::target::Family;

/// The active-mode cases; the library ones through both drivers (the
/// async driver's in the `active-tokio` group, without the CLI cases).
pub fn group() -> Group {
    Group {
        name: "active",
        families: &[Family::V4, Family::V6],
        cases: vec![
            Case::new(
                "library_round_trip",
                library_round_trip::<ftp_client::Client>,
            ),
            Case::new(
                "library_resumed_download",
                library_resumed_download::<ftp_client::Client>,
            )
            .needs(Need::Rest),
            Case::new("cli_upload_download", cli_upload_download),
            Case::new("cli_listing", cli_listing),
            Case::new("cli_tree_copy_parallel", cli_tree_copy_parallel),
        ]
        .into_iter()
        .map(|case| case.needs(Need::Active))
        .collect(),
    }
}

/// The library cases through the async client.
pub fn tokio_group() -> Group {
    Group {
        name: "active-tokio",
        families: &[Family::V4, Family::V6],
        cases: vec![
            Case::new(
                "library_round_trip",
                library_round_trip::<crate::driver::Tokio>,
            ),
            Case::new(
                "library_resumed_download",
                library_resumed_download::<crate::driver::Tokio>,
            )
            .needs(Need::Rest),
        ]
        .into_iter()
        .map(|case| case.needs(Need::Active))
        .collect(),
    }
}

fn active() -> Config {
    Config {
        data_mode: DataMode::Active { address: None },
        ..Config::default()
    }
}

/// Upload, download, listing and a missing file in one session: each data
/// connection is the server's, and a refusal leaves the session usable.
fn library_round_trip<D: Driver>(c: &Ctx) -> Outcome {
    let content = pattern(700_001, 31);
    let mut ftp = D::connect_ctx_with(c, active())?;
    ftp.store(c.path("up.bin"), &mut &content[..])?;
    has_content(&c.on_server("up.bin"), &content)?;
    let mut back = Vec::new();
    let n = ftp.retrieve(c.path("up.bin"), &mut back)?;
    ensure!(
        n == content.len() as u64 && back == content,
        "downloaded {n} bytes, not the {} uploaded",
        content.len()
    );
    let names = ftp.nlst(c.path(""))?;
    ensure!(
        names.iter().any(|name| name.ends_with("up.bin")),
        "NLST does not name up.bin: {names:?}"
    );
    let missing = ftp.retrieve(c.path("missing.bin"), &mut Vec::new());
    ensure!(
        missing.as_ref().is_err_and(|e| e.reply_code().is_some()),
        "a missing file: {missing:?}"
    );
    // Still in step after the refusal.
    let mut again = Vec::new();
    ftp.retrieve(c.path("up.bin"), &mut again)?;
    ensure!(again == content, "the download after the refusal differs");
    ftp.quit()?;
    Ok(())
}

/// REST comes after PORT/EPRT and before RETR: the tail only.
fn library_resumed_download<D: Driver>(c: &Ctx) -> Outcome {
    let content = pattern(300_001, 32);
    c.put("src.bin", &content);
    let mut ftp = D::connect_ctx_with(c, active())?;
    let mut tail = Vec::new();
    let n = ftp.retrieve_from(c.path("src.bin"), 123_457, &mut tail)?;
    ensure!(
        n == 300_001 - 123_457 && tail == content[123_457..],
        "received {n} bytes, not the tail after 123457"
    );
    ftp.quit()?;
    Ok(())
}

/// `ftp-cli --active cp` both ways; `-v` shows the server connecting.
fn cli_upload_download(c: &Ctx) -> Outcome {
    let content = pattern(1_000_003, 33);
    let src = c.write_local("up.bin", &content);
    let up = c.cli(&["--active", "cp", utf8(&src)?, &c.url("up.bin")])?;
    up.expect_ok()?;
    has_content(&c.on_server("up.bin"), &content)?;
    let back = c.local("back.bin");
    let down = c.cli(&["--active", "cp", &c.url("up.bin"), utf8(&back)?])?;
    down.expect_ok()?;
    has_content(&back, &content)?;
    for (what, run) in [("upload", &up), ("download", &down)] {
        let err = run.err();
        ensure!(
            err.contains("> PORT ") || err.contains("> EPRT "),
            "{what}: no PORT or EPRT in:\n{err}"
        );
        ensure!(
            err.contains("data connection from ")
                && !err.contains("> EPSV")
                && !err.contains("> PASV"),
            "{what}: not an active-mode data connection:\n{err}"
        );
    }
    no_temporary_files(&[c.local_dir(), &c.on_server("")])
}

/// `ls`, `ls -l` and an explicit `--active=-`.
fn cli_listing(c: &Ctx) -> Outcome {
    c.put("listed one.txt", b"1");
    c.put("two.txt", b"22");
    for args in [vec!["--active", "ls", "-1"], vec!["--active=-", "ls", "-l"]] {
        let url = c.url("");
        let mut all = args.clone();
        all.push(&url);
        let run = c.cli(&all)?;
        run.expect_ok()?;
        let out = run.out();
        for name in ["listed one.txt", "two.txt"] {
            ensure!(out.contains(name), "{args:?}: no {name:?} in:\n{out}");
        }
    }
    Ok(())
}

/// `cp -r -j 3` both ways: parallel sessions, each with its own listener
/// (one session where parallel ones stall the server).
fn cli_tree_copy_parallel(c: &Ctx) -> Outcome {
    let jobs = if c.target.profile.quirks.active_stalls_new_sessions {
        "1"
    } else {
        "3"
    };
    let local = c.local("tree");
    std::fs::create_dir_all(local.join("sub"))?;
    let mut files = Vec::new();
    for i in 0..7u32 {
        let name = if i % 2 == 0 {
            format!("f{i}.bin")
        } else {
            format!("sub/f{i}.bin")
        };
        let content = pattern(10_000 + i as usize * 40_009, 40 + i);
        std::fs::write(local.join(&name), &content)?;
        files.push((name, content));
    }
    let up = c.cli_quiet(&[
        "--active",
        "cp",
        "-r",
        "-j",
        jobs,
        utf8(&local)?,
        &c.url("tree"),
    ])?;
    up.expect_ok()?;
    for (name, content) in &files {
        has_content(&c.on_server("tree").join(name), content)?;
    }
    let back = c.local("back");
    let down = c.cli_quiet(&[
        "--active",
        "cp",
        "-r",
        "-j",
        jobs,
        &c.url("tree"),
        utf8(&back)?,
    ])?;
    down.expect_ok()?;
    for (name, content) in &files {
        has_content(&back.join(name), content)?;
    }
    no_temporary_files(&[c.local_dir(), &c.on_server("")])
}
