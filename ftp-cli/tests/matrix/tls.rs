//! What only FTPS targets show: every data connection of a session resumes
//! the control connection's TLS session (vsftpd and proFTPD refuse one that
//! does not), uploads and downloads mixed, and `-v` says so.

use std::io::{Read, Write};

use crate::ctx::{Ctx, has_content, pattern};
use crate::driver::{ConnectCtx, DownloadStream, Driver, Tokio, UploadStream};
use crate::harness::{Case, Group, Need, Outcome};
use crate::target::Family;

pub fn group() -> Group {
    Group {
        name: "tls",
        families: &[Family::V4],
        cases: vec![
            Case::new(
                "resumed_24_mixed_transfers",
                resumed_mixed_transfers::<ftp_client::Client>,
            )
            .needs(Need::Tls),
            Case::new(
                "resumed_24_mixed_transfers_tokio",
                resumed_mixed_transfers::<Tokio>,
            )
            .needs(Need::Tls),
            Case::new(
                "resumed_12_uploads_then_mixed",
                resumed_12_uploads_then_mixed::<ftp_client::Client>,
            )
            .needs(Need::Tls),
            Case::new(
                "resumed_12_uploads_then_mixed_tokio",
                resumed_12_uploads_then_mixed::<Tokio>,
            )
            .needs(Need::Tls),
            Case::new("verbose_shows_tls", verbose_shows_tls).needs(Need::Tls),
            Case::new(
                "verbose_20_uploads_20_downloads",
                verbose_20_uploads_20_downloads,
            )
            .needs(Need::Tls),
        ],
    }
}

/// 24 data connections in one session, two uploads for each download (on
/// TLS 1.3 uploads are where tickets run out): each one resumed (where the
/// server offers resumption at all).
fn resumed_mixed_transfers<D: Driver>(c: &Ctx) -> Outcome {
    let want = expected_resumption(c);
    let mut ftp = D::connect_ctx(c)?;
    ensure!(ftp.is_tls(), "the session is not TLS");
    for i in 0..24u32 {
        if i % 3 == 2 {
            download_resumed(&mut ftp, c, &format!("f{}.bin", (i - 1) % 5), want)?;
        } else {
            upload_resumed(&mut ftp, c, &format!("f{}.bin", i % 5), i, want)?;
        }
    }
    ftp.quit()?;
    Ok(())
}

/// One session: 12 uploads in a row, then 12 downloads each followed by an
/// upload. Every data connection resumes the control connection's TLS
/// session, with no new login: a server that issues no TLS 1.3 ticket on
/// uploads (proFTPD 1.3.8) would refuse the third upload of a session
/// that presents each ticket once.
fn resumed_12_uploads_then_mixed<D: Driver>(c: &Ctx) -> Outcome {
    let want = expected_resumption(c);
    let mut ftp = D::connect_ctx(c)?;
    ensure!(ftp.is_tls(), "the session is not TLS");
    for i in 0..12u32 {
        upload_resumed(&mut ftp, c, &format!("u{i}.bin"), i, want)?;
    }
    for i in 0..12u32 {
        download_resumed(&mut ftp, c, &format!("u{i}.bin"), want)?;
        upload_resumed(&mut ftp, c, &format!("v{i}.bin"), 100 + i, want)?;
    }
    ftp.quit()?;
    Ok(())
}

/// Uploads `name` (content from `seed`) and checks it resumed as `want`.
fn upload_resumed<D: Driver>(
    ftp: &mut D,
    c: &Ctx,
    name: &str,
    seed: u32,
    want: Option<bool>,
) -> Outcome {
    let content = pattern(1000 + seed as usize * 997, seed);
    let mut upload = ftp.store_stream(c.path(name))?;
    let resumed = upload.tls_resumed();
    let written = upload.write_all(&content);
    upload.finish()?;
    written?;
    ensure!(resumed == want, "upload of {name}: resumed {resumed:?}");
    has_content(&c.on_server(name), &content)
}

/// Downloads `name` and checks it resumed as `want`.
fn download_resumed<D: Driver>(ftp: &mut D, c: &Ctx, name: &str, want: Option<bool>) -> Outcome {
    let mut download = ftp.retrieve_stream(c.path(name))?;
    let resumed = download.tls_resumed();
    let mut got = Vec::new();
    let read = download.read_to_end(&mut got);
    download.finish()?;
    read?;
    ensure!(resumed == want, "download of {name}: resumed {resumed:?}");
    has_content(&c.on_server(name), &got)
}

/// Whether data connections resume the session on this target.
fn expected_resumption(c: &Ctx) -> Option<bool> {
    Some(!no_resumption(c))
}

/// 20 uploads in one `ftp-cli cp` run, then 20 downloads in another: one
/// login each, every data connection resumed (where the server offers
/// resumption at all), and `-v` names the TLS version.
fn verbose_20_uploads_20_downloads(c: &Ctx) -> Outcome {
    let mut up = vec!["cp".to_owned()];
    for i in 0..20u32 {
        let file = c.write_local(format!("up/t{i}.bin"), &pattern(500 + i as usize * 131, i));
        up.push(file.to_string_lossy().into_owned());
    }
    up.push(c.url("many/"));
    c.put_dir("many");
    let up: Vec<&str> = up.iter().map(String::as_str).collect();
    let mut down = vec!["cp".to_owned()];
    down.extend((0..20).map(|i| c.url(&format!("many/t{i}.bin"))));
    std::fs::create_dir_all(c.local("down"))?;
    down.push(c.local("down").to_string_lossy().into_owned());
    let down: Vec<&str> = down.iter().map(String::as_str).collect();
    let resumed = if no_resumption(c) {
        "new session"
    } else {
        "session resumed"
    };
    for (what, args) in [("uploads", &up), ("downloads", &down)] {
        let run = c.cli(args)?;
        run.expect_ok()?;
        let err = run.err();
        let logins = err.lines().filter(|l| l.starts_with("> PASS ")).count();
        ensure!(logins == 1, "{what}: {logins} logins:\n{err}");
        let data: Vec<&str> = err
            .lines()
            .filter(|l| l.starts_with("data connection secured: "))
            .collect();
        ensure!(
            data.len() == 20,
            "{what}: {} data connections:\n{err}",
            data.len()
        );
        ensure!(
            data.iter().all(|l| l.ends_with(resumed)),
            "{what}: not every data connection says {resumed:?}:\n{err}"
        );
    }
    for i in 0..20u32 {
        has_content(
            &c.local(format!("down/t{i}.bin")),
            &pattern(500 + i as usize * 131, i),
        )?;
    }
    Ok(())
}

/// Whether the target's data connections do not resume the session.
fn no_resumption(c: &Ctx) -> bool {
    c.target.profile.quirks.no_tls13_resumption
        && c.target
            .tls
            .as_ref()
            .is_some_and(|tls| tls.max == ftp_client::TlsVersion::Tls13)
}

/// `-v`: the version and cipher suite of the control connection, and for
/// each data connection that it resumed the session.
fn verbose_shows_tls(c: &Ctx) -> Outcome {
    let content = pattern(100_000, 7);
    let src = c.write_local("up.bin", &content);
    let run = c.cli(&["cp", &src.to_string_lossy(), &c.url("up.bin")])?;
    run.expect_ok()?;
    let back = c.local("back.bin");
    let down = c.cli(&["cp", &c.url("up.bin"), &back.to_string_lossy()])?;
    down.expect_ok()?;
    has_content(&back, &content)?;
    let resumed = if no_resumption(c) {
        "new session"
    } else {
        "session resumed"
    };
    for (what, run) in [("upload", &run), ("download", &down)] {
        let err = run.err();
        for expected in [
            "control connection secured: TLSv1_",
            "> PBSZ 0",
            "> PROT P",
            "data connection secured: TLSv1_",
            resumed,
            "> PASS ****",
        ] {
            ensure!(err.contains(expected), "{what}: no {expected:?} in:\n{err}");
        }
    }
    Ok(())
}
