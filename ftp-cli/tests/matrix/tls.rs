//! What only FTPS targets show: every data connection of a session resumes
//! the control connection's TLS session (vsftpd and proFTPD refuse one that
//! does not), uploads and downloads mixed, and `-v` says so.

use std::io::{Read, Write};

use crate::ctx::{Ctx, has_content, pattern};
use crate::driver::{DownloadStream, Driver, Tokio, UploadStream};
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
            Case::new("verbose_shows_tls", verbose_shows_tls).needs(Need::Tls),
        ],
    }
}

/// 24 data connections in one session, two uploads for each download (on
/// TLS 1.3 uploads are where tickets run out): each one resumed (where the
/// server offers resumption at all).
fn resumed_mixed_transfers<D: Driver>(c: &Ctx) -> Outcome {
    let want = if no_resumption(c) {
        Some(false)
    } else {
        Some(true)
    };
    let mut ftp = D::connect_ctx(c)?;
    ensure!(ftp.is_tls(), "the session is not TLS");
    for i in 0..24u32 {
        if i % 3 == 2 {
            let name = c.path(&format!("f{}.bin", (i - 1) % 5));
            let mut download = ftp.retrieve_stream(&name)?;
            let resumed = download.tls_resumed();
            let mut got = Vec::new();
            let read = download.read_to_end(&mut got);
            download.finish()?;
            read?;
            ensure!(resumed == want, "download {i}: resumed {resumed:?}");
            ensure!(!got.is_empty(), "download {i}: empty");
        } else {
            let name = format!("f{}.bin", i % 5);
            let content = pattern(1000 + i as usize * 997, i);
            let mut upload = ftp.store_stream(c.path(&name))?;
            let resumed = upload.tls_resumed();
            let written = upload.write_all(&content);
            upload.finish()?;
            written?;
            ensure!(resumed == want, "upload {i}: resumed {resumed:?}");
            has_content(&c.on_server(&name), &content)?;
        }
    }
    ftp.quit()?;
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
