//! Engine cases: `ftp_client::engine`'s safe single-file copies against
//! every target (blocking).

use std::fs;
use std::sync::Mutex;

use ftp_client::engine::copy::{Endpoint, FileCopy, Session, SeveralError};
use ftp_client::engine::{
    Cancel, DownloadError, FileDownload, FileUpload, Outcome as Ended, Partial, Progress, Transfer,
    UploadError,
};

use crate::ctx::{Ctx, absent, has_content, no_temporary_files, pattern};
use crate::harness::{Case, Group, Need, Outcome};
use crate::target::Family;

/// Not a round number, more than one buffer.
const LEN: usize = 200_003;
/// Where a partial file ends.
const OFFSET: usize = 70_001;

pub fn group() -> Group {
    Group {
        name: "engine",
        families: &[Family::V4],
        cases: vec![
            Case::new("download_to_a_new_file", download_to_a_new_file),
            Case::new("download_keeps_the_time", download_keeps_the_time),
            Case::new(
                "failed_download_leaves_the_destination",
                failed_download_leaves_the_destination,
            ),
            Case::new(
                "cancelled_download_leaves_nothing",
                cancelled_download_leaves_nothing,
            ),
            Case::new("download_resumes_a_partial", download_resumes_a_partial).needs(Need::Rest),
            Case::new(
                "resume_failure_keeps_the_partial",
                resume_failure_keeps_the_partial,
            ),
            Case::new("upload_new_then_replace", upload_new_then_replace),
            Case::new("upload_into_a_directory", upload_into_a_directory),
            Case::new("upload_keeps_the_time", upload_keeps_the_time),
            Case::new(
                "cancelled_upload_sends_nothing",
                cancelled_upload_sends_nothing,
            ),
            Case::new("upload_from_a_reader", upload_from_a_reader),
            Case::new("upload_resumes_a_partial", upload_resumes_a_partial).needs(Need::Rest),
            Case::new(
                "several_into_a_local_directory",
                several_into_a_local_directory,
            ),
            Case::new("list_url_lists_a_file_or_a_directory", list_url_lists),
        ],
    }
}

/// One finished transfer: its label, size, bytes and outcome.
type Finished = (String, Option<u64>, u64, Ended);

/// Records what the engine reports.
#[derive(Default)]
struct Seen(Mutex<Vec<Finished>>);

impl Progress for Seen {
    fn finished(&self, transfer: &Transfer, outcome: Ended) {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        seen.push((
            transfer.path.clone(),
            transfer.size,
            transfer.bytes(),
            outcome,
        ));
    }
}

fn download_to_a_new_file(c: &Ctx) -> Outcome {
    let source = pattern(LEN, 81);
    c.put("src.bin", &source);
    let dst = c.local("dst.bin");
    let seen = Seen::default();
    let mut ftp = c.connect()?;
    let done = FileDownload::new(c.path("src.bin"), &dst)
        .label("src.bin")
        .ask_size(true)
        .verify_size(true)
        .run(&mut ftp, &seen, &Cancel::new())?;
    ensure!(
        done.received == LEN as u64 && done.offset == 0 && done.modified.is_none(),
        "{done:?}"
    );
    has_content(&dst, &source)?;
    let seen = seen.0.into_inner().unwrap_or_else(|e| e.into_inner());
    ensure!(
        seen == [(
            "src.bin".to_owned(),
            Some(LEN as u64),
            LEN as u64,
            Ended::Done
        )],
        "progress saw {seen:?}"
    );
    // Over an existing file: replaced by the new content.
    fs::write(&dst, b"old")?;
    FileDownload::new(c.path("src.bin"), &dst).run(&mut ftp, &(), &Cancel::new())?;
    has_content(&dst, &source)?;
    ftp.quit()?;
    no_temporary_files(&[c.local_dir()])
}

fn download_keeps_the_time(c: &Ctx) -> Outcome {
    let on_server = c.put("dated.bin", b"dated");
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    fs::File::options()
        .write(true)
        .open(&on_server)?
        .set_modified(old)?;
    let mut ftp = c.connect()?;
    let server_time = ftp.mdtm(c.path("dated.bin"))?.to_system_time();
    let dst = c.local("dated.bin");
    let done = FileDownload::new(c.path("dated.bin"), &dst)
        .keep_time(true)
        .run(&mut ftp, &(), &Cancel::new())?;
    ensure!(
        done.modified.is_some() && done.modified == server_time,
        "{done:?}, the server says {server_time:?}"
    );
    let local_time = fs::metadata(&dst)?.modified()?;
    ensure!(
        Some(local_time) == server_time,
        "the file's time {local_time:?}, the server's {server_time:?}"
    );
    ftp.quit()?;
    Ok(())
}

fn failed_download_leaves_the_destination(c: &Ctx) -> Outcome {
    let dst = c.write_local("precious.bin", b"precious");
    let mut ftp = c.connect()?;
    let failed = FileDownload::new(c.path("missing.bin"), &dst).run(&mut ftp, &(), &Cancel::new());
    match failed {
        Err(DownloadError::Transfer(e)) if e.code().is_some_and(|code| code >= 500) => {}
        other => return Err(format!("expected a 5xx refusal, got {other:?}").into()),
    }
    has_content(&dst, b"precious")?;
    // The session goes on.
    ftp.noop()?;
    ftp.quit()?;
    no_temporary_files(&[c.local_dir()])
}

fn cancelled_download_leaves_nothing(c: &Ctx) -> Outcome {
    c.put("src.bin", &pattern(LEN, 82));
    let dst = c.local("dst.bin");
    let cancel = Cancel::new();
    cancel.cancel();
    let mut ftp = c.connect()?;
    let failed = FileDownload::new(c.path("src.bin"), &dst).run(&mut ftp, &(), &cancel);
    ensure!(
        matches!(failed, Err(DownloadError::Cancelled)),
        "{failed:?}"
    );
    absent(&dst)?;
    ftp.quit()?;
    no_temporary_files(&[c.local_dir()])
}

fn download_resumes_a_partial(c: &Ctx) -> Outcome {
    let source = pattern(LEN, 83);
    c.put("src.bin", &source);
    // The partial's first bytes differ from the source's: a resumed
    // download keeps them, one that started over would not.
    let partial = pattern(OFFSET, 84);
    let mut resumed = partial.clone();
    resumed.extend_from_slice(&source[OFFSET..]);
    let dst = c.local("dst.bin");
    c.write_local(".dst.bin.part", &partial);
    let mut ftp = c.connect()?;
    let done = FileDownload::new(c.path("src.bin"), &dst)
        .resume(true)
        .run(&mut ftp, &(), &Cancel::new())?;
    ensure!(
        done.offset == OFFSET as u64 && done.received == (LEN - OFFSET) as u64,
        "{done:?}"
    );
    has_content(&dst, &resumed)?;
    absent(&c.local(".dst.bin.part"))?;
    ftp.quit()?;
    Ok(())
}

fn resume_failure_keeps_the_partial(c: &Ctx) -> Outcome {
    let dst = c.local("dst.bin");
    let mut ftp = c.connect()?;
    // Nothing arrived: no partial file is left.
    let failed = FileDownload::new(c.path("missing.bin"), &dst)
        .partial(Partial::Resume)
        .run(&mut ftp, &(), &Cancel::new());
    ensure!(failed.is_err(), "{failed:?}");
    absent(&c.local(".dst.bin.part"))?;
    // A partial longer than the file is not its beginning: kept as it is.
    c.put("short.bin", b"short");
    let partial = c.write_local(".dst.bin.part", b"longer than the file");
    let failed = FileDownload::new(c.path("short.bin"), &dst)
        .partial(Partial::Resume)
        .run(&mut ftp, &(), &Cancel::new());
    ensure!(
        matches!(
            failed,
            Err(DownloadError::PartialTooLong {
                held: 20,
                size: 5,
                ..
            })
        ),
        "{failed:?}"
    );
    has_content(&partial, b"longer than the file")?;
    absent(&dst)?;
    ftp.quit()?;
    Ok(())
}

fn upload_new_then_replace(c: &Ctx) -> Outcome {
    let first = pattern(LEN, 91);
    let local = c.write_local("up.bin", &first);
    let seen = Seen::default();
    let mut ftp = c.connect()?;
    let done = FileUpload::new(&local, c.path("up.bin"))
        .label("up.bin")
        .verify_size(true)
        .run(&mut ftp, &seen, &Cancel::new())?;
    ensure!(
        done.sent == LEN as u64 && !done.replaced && done.remote == c.path("up.bin").as_bytes(),
        "{done:?}"
    );
    has_content(&c.on_server("up.bin"), &first)?;
    let seen = seen.0.into_inner().unwrap_or_else(|e| e.into_inner());
    ensure!(
        seen == [(
            "up.bin".to_owned(),
            Some(LEN as u64),
            LEN as u64,
            Ended::Done
        )],
        "progress saw {seen:?}"
    );
    // Over the file just uploaded: replaced through a temporary name.
    let second = pattern(LEN - 7, 92);
    fs::write(&local, &second)?;
    let done = FileUpload::new(&local, c.path("up.bin")).run(&mut ftp, &(), &Cancel::new())?;
    ensure!(done.replaced, "{done:?}");
    has_content(&c.on_server("up.bin"), &second)?;
    ftp.quit()?;
    no_temporary_files(&[&c.on_server(""), c.local_dir()])
}

fn upload_into_a_directory(c: &Ctx) -> Outcome {
    c.put_dir("dir");
    let local = c.write_local("f.txt", b"into the directory");
    let mut ftp = c.connect()?;
    // Named without its trailing '/': found to be a directory.
    let done = FileUpload::new(&local, c.path("dir")).run(&mut ftp, &(), &Cancel::new())?;
    ensure!(
        done.remote == c.path("dir/f.txt").as_bytes(),
        "uploaded to {}",
        String::from_utf8_lossy(&done.remote)
    );
    has_content(&c.on_server("dir/f.txt"), b"into the directory")?;
    // With it: the name is added at once.
    fs::write(&local, b"again")?;
    let mut dir = c.path("dir");
    dir.push('/');
    FileUpload::new(&local, dir).run(&mut ftp, &(), &Cancel::new())?;
    has_content(&c.on_server("dir/f.txt"), b"again")?;
    ftp.quit()?;
    Ok(())
}

fn upload_keeps_the_time(c: &Ctx) -> Outcome {
    let local = c.write_local("dated.txt", b"dated");
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    fs::File::options()
        .write(true)
        .open(&local)?
        .set_modified(old)?;
    let mut ftp = c.connect()?;
    let mfmt = ftp.supports("MFMT")?;
    let done = FileUpload::new(&local, c.path("dated.txt"))
        .keep_time(true)
        .run(&mut ftp, &(), &Cancel::new())?;
    // Without MFMT the server's own time stays, and the summary says so.
    ensure!(done.time_kept == mfmt, "MFMT: {mfmt}, {done:?}");
    if mfmt {
        let time = ftp.mdtm(c.path("dated.txt"))?;
        ensure!(
            time.to_system_time() == Some(old),
            "the server's time is {time:?}"
        );
    }
    ftp.quit()?;
    Ok(())
}

fn cancelled_upload_sends_nothing(c: &Ctx) -> Outcome {
    let local = c.write_local("f.bin", &pattern(LEN, 93));
    let cancel = Cancel::new();
    cancel.cancel();
    let mut ftp = c.connect()?;
    let failed = FileUpload::new(&local, c.path("f.bin")).run(&mut ftp, &(), &cancel);
    ensure!(matches!(failed, Err(UploadError::Cancelled)), "{failed:?}");
    absent(&c.on_server("f.bin"))?;
    ftp.quit()?;
    Ok(())
}

fn upload_resumes_a_partial(c: &Ctx) -> Outcome {
    let source = pattern(LEN, 94);
    let local = c.write_local("up.bin", &source);
    // The partial upload's first bytes differ from the source's: a resumed
    // upload keeps them.
    let partial = pattern(OFFSET, 95);
    let mut resumed = partial.clone();
    resumed.extend_from_slice(&source[OFFSET..]);
    c.put(".up.bin.part", &partial);
    let mut ftp = c.connect()?;
    let done = FileUpload::new(&local, c.path("up.bin")).resume(true).run(
        &mut ftp,
        &(),
        &Cancel::new(),
    )?;
    ensure!(
        done.offset == OFFSET as u64 && done.sent == (LEN - OFFSET) as u64,
        "{done:?}"
    );
    has_content(&c.on_server("up.bin"), &resumed)?;
    absent(&c.on_server(".up.bin.part"))?;
    ftp.quit()?;
    Ok(())
}

fn upload_from_a_reader(c: &Ctx) -> Outcome {
    let first = pattern(LEN, 96);
    let mut ftp = c.connect()?;
    let done = FileUpload::new("-", c.path("s.bin"))
        .from_reader(std::io::Cursor::new(first.clone()))
        .run(&mut ftp, &(), &Cancel::new())?;
    ensure!(done.sent == LEN as u64 && !done.replaced, "{done:?}");
    has_content(&c.on_server("s.bin"), &first)?;
    // Over it: replaced through a temporary name.
    let done = FileUpload::new("-", c.path("s.bin"))
        .from_reader(std::io::Cursor::new(b"second".to_vec()))
        .run(&mut ftp, &(), &Cancel::new())?;
    ensure!(done.replaced, "{done:?}");
    has_content(&c.on_server("s.bin"), b"second")?;
    // A directory: a stream has no name to go into it under.
    c.put_dir("dir");
    let failed = FileUpload::new("-", c.path("dir"))
        .from_reader(std::io::empty())
        .run(&mut ftp, &(), &Cancel::new());
    ensure!(
        matches!(failed, Err(UploadError::RemoteDirectory { .. })),
        "{failed:?}"
    );
    ftp.quit()?;
    no_temporary_files(&[&c.on_server("")])
}

/// `FileCopy::several`: two remote files into a local directory over one
/// session; a local source into a local directory refused before any
/// connection.
fn several_into_a_local_directory(c: &Ctx) -> Outcome {
    let (a, b) = (pattern(LEN, 91), pattern(1_000, 92));
    c.put("a.bin", &a);
    c.put("b.bin", &b);
    let dir = c.local("into");
    fs::create_dir(&dir)?;
    let remote = |name: &str| ftp_client::FtpUrl::parse(&c.url(name)).map(Endpoint::Remote);
    let sources = [remote("a.bin")?, remote("b.bin")?];
    let template = FileCopy::new(Endpoint::Stdio, Endpoint::Stdio);
    let copies = template.several(&sources, &Endpoint::Local(dir.clone()))?;
    let mut session = Session::new(c.with_tls(ftp_client::Config::default()));
    for copy in &copies {
        copy.run(&mut session, &(), &Cancel::new())?;
    }
    session.quit();
    has_content(&dir.join("a.bin"), &a)?;
    has_content(&dir.join("b.bin"), &b)?;
    let local = [Endpoint::Local(c.local("into/a.bin"))];
    let refused = template.several(&local, &Endpoint::Local(dir));
    ensure!(
        matches!(refused, Err(SeveralError::BothLocal(..))),
        "{refused:?}"
    );
    no_temporary_files(&[c.local_dir()])
}

/// `list_url`: a directory's entries; a file's one entry under the name
/// given (where the listing of a file is refused).
fn list_url_lists(c: &Ctx) -> Outcome {
    c.put("d/one.txt", b"12345");
    let mut ftp = c.connect()?;
    let dir = ftp_client::FtpUrl::parse(&c.url("d/"))?;
    let entries = ftp_client::engine::list_url(&mut ftp, &dir)?;
    let names: Vec<&[u8]> = entries
        .iter()
        .filter(|e| e.kind == ftp_client::Kind::File)
        .map(|e| e.name.as_slice())
        .collect();
    ensure!(names == [b"one.txt".as_slice()], "{entries:?}");
    let file = ftp_client::FtpUrl::parse(&c.url("d/one.txt"))?;
    let entries = ftp_client::engine::list_url(&mut ftp, &file)?;
    let sizes: Vec<Option<u64>> = entries.iter().map(|e| e.size).collect();
    ensure!(sizes == [Some(5)], "{entries:?}");
    ftp.quit()?;
    Ok(())
}
