//! Library cases: every `ftp_client::Client` operation, over IPv4 and IPv6.

use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::time::{Duration, Instant};

use ftp_client::{Config, Error, FtpUrl};
use libtest_mimic::Failed;

use crate::ctx::{BIG_SIZE, Ctx, absent, big_file, has_content, pattern, same_file};
use crate::driver::{ConnectCtx, DownloadStream, Driver, UploadStream};
use crate::harness::{Case, Group, Need, Outcome};
use crate::target::Family;

pub fn group<D: Driver + 'static>() -> Group {
    Group {
        name: if D::SUFFIX.is_empty() {
            "library"
        } else {
            "library-tokio"
        },
        families: &[Family::V4, Family::V6],
        cases: vec![
            Case::new("connect_url_and_quit", connect_url_and_quit::<D>),
            Case::new("pwd_and_cwd", pwd_and_cwd::<D>),
            Case::new("features_list_size", features_list_size::<D>),
            Case::new("noop", noop::<D>),
            Case::new("directory_operations", directory_operations::<D>),
            Case::new("mkdir_all", mkdir_all::<D>),
            Case::new("resolve_link", resolve_link::<D>).needs(Need::ListsSymlinks),
            Case::new("rmdir_then_not_listed", rmdir_then_not_listed::<D>),
            Case::new("store_from_memory", store_from_memory::<D>),
            Case::new("store_from_file", store_from_file::<D>),
            Case::new("store_stream_write_finish", store_stream_write_finish::<D>),
            Case::new("store_empty_file", store_empty_file::<D>),
            Case::new("utf8_names", utf8_names::<D>),
            Case::new("list", list::<D>),
            Case::new("nlst", nlst::<D>),
            Case::new(
                "nlst_names_exactly_the_stored_files",
                nlst_names_exactly_the_stored_files::<D>,
            ),
            Case::new("mlsd", mlsd::<D>).needs(Need::Mlsd),
            Case::new("listing_of_3000_entries", listing_of_3000_entries::<D>),
            Case::new(
                "retrieve_stream_small_reads",
                retrieve_stream_small_reads::<D>,
            ),
            Case::new(
                "final_reply_before_the_data_is_read",
                final_reply_before_the_data_is_read::<D>,
            ),
            Case::new("rename", rename::<D>),
            Case::new("check_rename", check_rename::<D>),
            Case::new(
                "empty_arguments_refused_before_sending",
                empty_arguments_refused::<D>,
            ),
            Case::new("stat_of_directory_paths", stat_of_directory_paths::<D>),
            Case::new("delete", delete::<D>),
            Case::new("mdtm", mdtm::<D>),
            Case::new("mdtm_each_in_order", mdtm_each_in_order::<D>),
            Case::new(
                "fifty_mebibytes_through_files",
                fifty_mebibytes_through_files::<D>,
            ),
            Case::new(
                "retrieve_file_where_splice_is_refused",
                retrieve_file_where_splice_is_refused::<D>,
            ),
            Case::new(
                "store_file_sends_the_rest_of_the_file",
                store_file_sends_the_rest::<D>,
            ),
            Case::new("refused_retrieve", refused_retrieve::<D>),
            Case::new("refused_retrieve_stream", refused_retrieve_stream::<D>),
            Case::new("refused_mkdir_existing", refused_mkdir_existing::<D>),
            Case::new("refused_rmdir_non_empty", refused_rmdir_non_empty::<D>),
            Case::new(
                "refused_store_into_missing_directory",
                refused_store_into_missing_dir::<D>,
            ),
            Case::new("refused_delete_missing", refused_delete_missing::<D>),
            Case::new("refused_size_missing", refused_size_missing::<D>),
            Case::new("raw_commands", raw_commands::<D>),
            Case::new("wrong_password", wrong_password::<D>),
            Case::new(
                "line_breaks_refused_before_sending",
                line_breaks_refused::<D>,
            ),
            Case::new(
                "dropped_unfinished_download",
                dropped_unfinished_download::<D>,
            ),
            Case::new(
                "finish_of_unfinished_download_fails",
                finish_of_unfinished_download_fails::<D>,
            ),
            Case::new(
                "abandoned_download_closes_the_session",
                abandoned_download::<D>,
            ),
            Case::new("pasv_only", pasv_only::<D>).needs(Need::Ipv4),
            Case::new("anonymous_connect_url", anonymous_connect_url::<D>)
                .needs(Need::AnonymousRead),
        ],
    }
}

/// The error must be a 5xx refusal; returns its code.
fn refused_5xx<T: std::fmt::Debug>(outcome: Result<T, Error>) -> Result<u16, Failed> {
    match outcome {
        Err(error @ Error::Refused { .. }) => {
            let code = error.code().unwrap_or(0);
            ensure!(
                (500..600).contains(&code),
                "expected a 5xx refusal, got: {error}"
            );
            ensure!(!error.is_transient(), "a 5xx is permanent: {error}");
            Ok(code)
        }
        Err(other) => Err(format!("expected Error::Refused, got: {other} ({other:?})").into()),
        Ok(value) => Err(format!("expected a refusal, but it succeeded: {value:?}").into()),
    }
}

/// The last path component of an NLST entry (some servers prefix the
/// directory).
fn base(entry: &str) -> &str {
    entry.rsplit('/').next().unwrap_or(entry)
}

/// NLST of `path`, last components only. No `.` or `..`: the library
/// drops them where the server lists them (Pure-FTPd).
fn nlst_names<D: Driver>(ftp: &mut D, path: &str) -> Result<Vec<String>, Failed> {
    Ok(ftp.nlst(path)?.iter().map(|e| base(e).to_owned()).collect())
}

fn connect_url_and_quit<D: Driver>(c: &Ctx) -> Outcome {
    let url = FtpUrl::parse(&c.url(""))?;
    let mut ftp = D::connect_url(&url, c.with_tls(Config::default()))?;
    ensure!(
        ftp.peer_addr() == c.addr,
        "peer {} is not {}",
        ftp.peer_addr(),
        c.addr
    );
    ftp.noop()?;
    ftp.quit()?;
    Ok(())
}

fn pwd_and_cwd<D: Driver>(c: &Ctx) -> Outcome {
    let mut ftp = D::connect_ctx(c)?;
    let pwd = ftp.pwd()?;
    ensure!(
        pwd == b"/",
        "PWD after login: {:?}",
        String::from_utf8_lossy(&pwd)
    );
    ftp.cwd(c.path(""))?;
    let pwd = ftp.pwd()?;
    let want = format!("/{}", c.dir);
    ensure!(
        pwd == want.as_bytes(),
        "PWD {:?}, expected {want}",
        String::from_utf8_lossy(&pwd)
    );
    Ok(())
}

fn features_list_size<D: Driver>(c: &Ctx) -> Outcome {
    let mut ftp = D::connect_ctx(c)?;
    let features = ftp.features()?;
    let names: Vec<&str> = features.iter().map(|(name, _)| name).collect();
    ensure!(features.supports("SIZE"), "FEAT lists no SIZE: {names:?}");
    Ok(())
}

fn noop<D: Driver>(c: &Ctx) -> Outcome {
    let mut ftp = D::connect_ctx(c)?;
    ftp.noop()?;
    ftp.noop()?;
    Ok(())
}

/// `mkdir_all`: every missing parent, what exists accepted, a file in the
/// way refused with MKD's reply, and the session still where it was.
fn mkdir_all<D: Driver>(c: &Ctx) -> Outcome {
    c.put_dir("have");
    let mut ftp = D::connect_ctx(c)?;
    let home = ftp.pwd()?;
    ftp.mkdir_all(c.path("have/a/b c/d/"))?;
    ensure!(
        c.on_server("have/a/b c/d").is_dir(),
        "have/a/b c/d not made"
    );
    // Again: everything exists.
    ftp.mkdir_all(c.path("have/a/b c/d"))?;
    c.put("file", b"in the way");
    match ftp.mkdir_all(c.path("file/sub")) {
        Err(Error::Refused { command, reply }) => ensure!(
            command.starts_with("MKD") && reply.code().get() >= 500,
            "refused by {command}: {reply}"
        ),
        other => return Err(format!("a file in the way: {other:?}").into()),
    }
    ensure!(!c.on_server("file/sub").exists(), "made under a file");
    ensure!(ftp.pwd()? == home, "the session moved");
    Ok(())
}

/// `resolve_link`: a link to a file is that file, a link to a directory
/// a directory, a dangling link an error; the session stays where it was.
fn resolve_link<D: Driver>(c: &Ctx) -> Outcome {
    use std::os::unix::fs::symlink;
    c.put("links/real.txt", b"twelve bytes");
    c.put_dir("links/dir");
    symlink("real.txt", c.on_server("links/to-file"))?;
    symlink("dir", c.on_server("links/to-dir"))?;
    symlink("nowhere", c.on_server("links/dangling"))?;
    let mut ftp = D::connect_ctx(c)?;
    let home = ftp.pwd()?;
    let file = ftp.resolve_link(c.path("links/to-file"))?;
    // (Its size is not checked: proFTPD's MLST of a link to a file says
    // `type=file` with the link's own size.)
    ensure!(file.is_file(), "to-file: {file:?}");
    let dir = ftp.resolve_link(c.path("links/to-dir"))?;
    ensure!(dir.is_dir(), "to-dir: {dir:?}");
    ensure!(
        ftp.resolve_link(c.path("links/dangling")).is_err(),
        "a dangling link resolved"
    );
    ensure!(ftp.pwd()? == home, "the session moved");
    Ok(())
}

fn directory_operations<D: Driver>(c: &Ctx) -> Outcome {
    let mut ftp = D::connect_ctx(c)?;
    ftp.mkdir(c.path("a"))?;
    ftp.mkdir(c.path("a/b"))?;
    ensure!(c.on_server("a/b").is_dir(), "a/b not made on the server");
    ftp.cwd(c.path("a"))?;
    let pwd = ftp.pwd()?;
    let want = format!("/{}/a", c.dir);
    ensure!(
        pwd == want.as_bytes(),
        "PWD {:?}",
        String::from_utf8_lossy(&pwd)
    );
    ftp.rmdir("b")?;
    absent(&c.on_server("a/b"))?;
    ftp.cwd("/")?;
    ftp.rmdir(c.path("a"))?;
    absent(&c.on_server("a"))?;
    ftp.noop()?;
    ftp.quit()?;
    Ok(())
}

fn rmdir_then_not_listed<D: Driver>(c: &Ctx) -> Outcome {
    c.put_dir("sub");
    c.put("other", b"x");
    let mut ftp = D::connect_ctx(c)?;
    ftp.rmdir(c.path("sub"))?;
    absent(&c.on_server("sub"))?;
    let entries = nlst_names(&mut ftp, &c.path(""))?;
    ensure!(entries == ["other"], "NLST after RMD: {entries:?}");
    Ok(())
}

/// Stores `content` as `name` by `store`, then checks the disk, SIZE and a
/// download.
fn check_stored<D: Driver>(c: &Ctx, ftp: &mut D, name: &str, content: &[u8]) -> Outcome {
    has_content(&c.on_server(name), content)?;
    let size = ftp.size(c.path(name))?;
    ensure!(
        size == content.len() as u64,
        "SIZE {size}, expected {}",
        content.len()
    );
    let mut got = Vec::new();
    let n = ftp.retrieve(c.path(name), &mut got)?;
    ensure!(
        n == content.len() as u64 && got == content,
        "retrieve gave {n} bytes (buffer {}), expected {} identical bytes",
        got.len(),
        content.len()
    );
    Ok(())
}

fn store_from_memory<D: Driver>(c: &Ctx) -> Outcome {
    let content = pattern(300_000, 1);
    let mut ftp = D::connect_ctx(c)?;
    let sent = ftp.store(c.path("mem.bin"), &mut &content[..])?;
    ensure!(
        sent == content.len() as u64,
        "sent {sent} of {}",
        content.len()
    );
    check_stored(c, &mut ftp, "mem.bin", &content)
}

fn store_from_file<D: Driver>(c: &Ctx) -> Outcome {
    let content = pattern(1_234_567, 2);
    let mut local = tempfile::tempfile()?;
    local.write_all(&content)?;
    local.seek(SeekFrom::Start(0))?;
    let mut ftp = D::connect_ctx(c)?;
    let sent = ftp.store(c.path("file.bin"), &mut local)?;
    ensure!(
        sent == content.len() as u64,
        "sent {sent} of {}",
        content.len()
    );
    check_stored(c, &mut ftp, "file.bin", &content)
}

fn store_stream_write_finish<D: Driver>(c: &Ctx) -> Outcome {
    let content = pattern(70_000, 3);
    let mut ftp = D::connect_ctx(c)?;
    let mut upload = ftp.store_stream(c.path("stream.bin"))?;
    for chunk in content.chunks(4096) {
        upload.write_all(chunk)?;
    }
    let sent = upload.finish()?;
    ensure!(
        sent == content.len() as u64,
        "finish() says {sent}, wrote {}",
        content.len()
    );
    check_stored(c, &mut ftp, "stream.bin", &content)?;

    // Text through Write, and back through Read.
    let mut upload = ftp.store_stream(c.path("stream.txt"))?;
    for i in 0..1000 {
        writeln!(upload, "line {i}")?;
    }
    let sent = upload.finish()?;
    let on_disk = fs::metadata(c.on_server("stream.txt"))?.len();
    ensure!(
        sent == on_disk,
        "finish() says {sent}, the file has {on_disk}"
    );
    let mut download = ftp.retrieve_stream(c.path("stream.txt"))?;
    let mut text = String::new();
    download.read_to_string(&mut text)?;
    let received = download.finish()?;
    ensure!(received == sent, "finish() says {received}, sent {sent}");
    ensure!(
        text.lines().count() == 1000,
        "{} lines",
        text.lines().count()
    );
    ensure!(
        text.lines().last() == Some("line 999"),
        "last line {:?}",
        text.lines().last()
    );
    Ok(())
}

fn store_empty_file<D: Driver>(c: &Ctx) -> Outcome {
    let mut ftp = D::connect_ctx(c)?;
    let sent = ftp.store(c.path("empty.bin"), &mut &b""[..])?;
    ensure!(sent == 0, "sent {sent}");
    ensure!(
        c.on_server("empty.bin").is_file(),
        "no empty.bin on the server"
    );
    check_stored(c, &mut ftp, "empty.bin", b"")
}

fn utf8_names<D: Driver>(c: &Ctx) -> Outcome {
    let body = "grüße\r\nline two\n".as_bytes();
    let mut ftp = D::connect_ctx(c)?;
    ftp.store(c.path("my file ü.txt"), &mut &body[..])?;
    check_stored(c, &mut ftp, "my file ü.txt", body)?;

    ftp.mkdir(c.path("my dir ü"))?;
    ftp.store(c.path("my dir ü/naïve file ✓.txt"), &mut &b"hello"[..])?;
    has_content(&c.on_server("my dir ü/naïve file ✓.txt"), b"hello")?;
    let names = nlst_names(&mut ftp, &c.path("my dir ü"))?;
    ensure!(names == ["naïve file ✓.txt"], "NLST: {names:?}");
    let mut copy = Vec::new();
    ftp.retrieve(c.path("my dir ü/naïve file ✓.txt"), &mut copy)?;
    ensure!(copy == b"hello", "retrieved {copy:?}");
    Ok(())
}

const LISTED: [&str; 5] = [
    "mem.bin",
    "file.bin",
    "stream.bin",
    "empty.bin",
    "my file ü.txt",
];

fn put_listed(c: &Ctx) {
    for (i, name) in LISTED.iter().enumerate() {
        c.put(name, &pattern(i * 1000, 7));
    }
}

fn list<D: Driver>(c: &Ctx) -> Outcome {
    put_listed(c);
    let mut ftp = D::connect_ctx(c)?;
    let lines = ftp.list(c.path(""))?;
    for name in LISTED {
        ensure!(
            lines.iter().any(|l| l.ends_with(&format!(" {name}"))),
            "LIST lacks {name}: {lines:?}"
        );
    }
    let entries = lines.iter().filter(|l| !l.starts_with("total ")).count();
    ensure!(
        entries == LISTED.len(),
        "LIST has {entries} entries, expected 5: {lines:?}"
    );
    Ok(())
}

fn nlst<D: Driver>(c: &Ctx) -> Outcome {
    put_listed(c);
    let mut ftp = D::connect_ctx(c)?;
    let mut got = nlst_names(&mut ftp, &c.path(""))?;
    got.sort_unstable();
    let mut want = LISTED.to_vec();
    want.sort_unstable();
    ensure!(got == want, "NLST {got:?}, expected {want:?}");
    Ok(())
}

/// Issue 20: 24 files stored, `nlst` gives exactly those 24 names, as
/// sent and not one more (Pure-FTPd adds `.` and `..`, which name no entry),
/// through `nlst` and `nlst_bytes`, of the directory by path and as the
/// working directory.
fn nlst_names_exactly_the_stored_files<D: Driver>(c: &Ctx) -> Outcome {
    let mut want: Vec<String> = (0..24).map(|i| format!("n{i:02}.txt")).collect();
    for (i, name) in want.iter().enumerate() {
        c.put(format!("names/{name}"), &pattern(i, 3));
    }
    want.sort_unstable();
    let mut ftp = D::connect_ctx(c)?;
    let dir = c.path("names");
    let mut by_path = ftp.nlst(&dir)?;
    by_path.sort_unstable();
    ensure!(by_path == want, "NLST {dir}: {by_path:?}");
    let mut bytes = ftp.nlst_bytes(&dir)?;
    bytes.sort_unstable();
    let want_bytes: Vec<Vec<u8>> = want.iter().map(|n| n.as_bytes().to_vec()).collect();
    ensure!(bytes == want_bytes, "NLST {dir} as bytes: {bytes:?}");
    ftp.cwd(&dir)?;
    let mut here = ftp.nlst("")?;
    here.sort_unstable();
    ensure!(here == want, "NLST in {dir}: {here:?}");
    Ok(())
}

fn mlsd<D: Driver>(c: &Ctx) -> Outcome {
    c.put("facts.bin", &pattern(1234, 8));
    c.put_dir("subdir");
    let mut ftp = D::connect_ctx(c)?;
    let lines = ftp.mlsd(c.path(""))?;
    let find = |name: &str| {
        lines
            .iter()
            .find(|l| l.ends_with(&format!(" {name}")))
            .map(|l| l.to_ascii_lowercase())
    };
    let file = find("facts.bin").ok_or_else(|| format!("MLSD lacks facts.bin: {lines:?}"))?;
    ensure!(file.contains("type=file;"), "facts.bin: {file}");
    ensure!(file.contains("size=1234;"), "facts.bin: {file}");
    let dir = find("subdir").ok_or_else(|| format!("MLSD lacks subdir: {lines:?}"))?;
    ensure!(dir.contains("type=dir;"), "subdir: {dir}");
    Ok(())
}

fn listing_of_3000_entries<D: Driver>(c: &Ctx) -> Outcome {
    for i in 0..3000 {
        c.put(format!("many/file-{i:04}.txt"), b"x");
    }
    let mut ftp = D::connect_ctx(c)?;
    let listing = ftp.list(c.path("many"))?;
    let files = listing.iter().filter(|l| l.contains(" file-")).count();
    ensure!(
        files == 3000,
        "LIST: {files} file lines of {}",
        listing.len()
    );
    let mut names = nlst_names(&mut ftp, &c.path("many"))?;
    names.sort();
    let expected: Vec<String> = (0..3000).map(|i| format!("file-{i:04}.txt")).collect();
    ensure!(
        names == expected,
        "NLST: {} names, not the 3000 expected",
        names.len()
    );
    Ok(())
}

fn retrieve_stream_small_reads<D: Driver>(c: &Ctx) -> Outcome {
    let content = pattern(1_234_567, 2);
    c.put("file.bin", &content);
    let mut ftp = D::connect_ctx(c)?;
    let mut download = ftp.retrieve_stream(c.path("file.bin"))?;
    let mut got = Vec::new();
    // Small reads on purpose: many calls through Read.
    let mut buf = [0u8; 1000];
    loop {
        let n = download.read(&mut buf)?;
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    let n = download.finish()?;
    ensure!(
        n == content.len() as u64 && got == content,
        "finish() {n}, read {} bytes, expected {}",
        got.len(),
        content.len()
    );
    Ok(())
}

/// A small download read only after its final reply has surely arrived
/// (except from servers that send it after the data connection closes):
/// the data and the reply are taken in either order.
fn final_reply_before_the_data_is_read<D: Driver>(c: &Ctx) -> Outcome {
    c.put("small.txt", b"small file\n");
    let mut ftp = D::connect_ctx(c)?;
    let mut download = ftp.retrieve_stream(c.path("small.txt"))?;
    std::thread::sleep(Duration::from_millis(300));
    let mut data = Vec::new();
    download.read_to_end(&mut data)?;
    ensure!(data == b"small file\n", "{data:?}");
    ensure!(download.finish()? == 11, "finish() count");
    ftp.noop()?;
    Ok(())
}

fn rename<D: Driver>(c: &Ctx) -> Outcome {
    let content = pattern(300_000, 1);
    c.put("mem.bin", &content);
    let mut ftp = D::connect_ctx(c)?;
    ftp.rename(c.path("mem.bin"), c.path("renamed.bin"))?;
    let size = ftp.size(c.path("renamed.bin"))?;
    ensure!(size == content.len() as u64, "renamed file SIZE {size}");
    has_content(&c.on_server("renamed.bin"), &content)?;
    absent(&c.on_server("mem.bin"))?;
    refused_5xx(ftp.size(c.path("mem.bin")))?;
    Ok(())
}

/// RNFR asked without renaming: 350 (then the NOOP that ends it) for a
/// file, a 5xx refusal answered for a missing one; a raw RNFR is refused
/// before sending; and nothing is left pending: a rename that follows works.
fn check_rename<D: Driver>(c: &Ctx) -> Outcome {
    c.put("f.txt", b"rename me");
    let mut ftp = D::connect_ctx(c)?;
    let allowed = ftp.check_rename(c.path("f.txt"))?;
    ensure!(allowed == ftp_client::RenameCheck::Allowed, "{allowed:?}");
    match ftp.check_rename(c.path("missing.txt"))? {
        ftp_client::RenameCheck::Refused(reply) => {
            ensure!(reply.code().get() >= 500, "{reply}")
        }
        other => return Err(format!("a missing file: {other:?}").into()),
    }
    let err = ftp
        .raw(&format!("RNFR {}", c.path("f.txt")))
        .err()
        .ok_or("a raw RNFR was sent")?;
    ensure!(err.to_string().contains("RNFR"), "{err}");
    ftp.rename(c.path("f.txt"), c.path("g.txt"))?;
    has_content(&c.on_server("g.txt"), b"rename me")?;
    absent(&c.on_server("f.txt"))?;
    ftp.noop()?;
    Ok(())
}

/// A path that went missing is refused before sending: no command that
/// needs an argument goes out without one.
fn empty_arguments_refused<D: Driver>(c: &Ctx) -> Outcome {
    c.put("keep", b"x");
    let mut ftp = D::connect_ctx(c)?;
    let attempts: Vec<(&str, std::result::Result<(), Error>)> = vec![
        ("SIZE", ftp.size("").map(drop)),
        ("MDTM", ftp.mdtm("").map(drop)),
        ("DELE", ftp.delete("")),
        ("RMD", ftp.rmdir("")),
        ("MKD", ftp.mkdir("")),
        ("CWD", ftp.cwd("")),
        ("RNFR", ftp.rename("", c.path("keep"))),
        ("RNTO", ftp.rename(c.path("keep"), "")),
        ("check RNFR", ftp.check_rename("").map(drop)),
        ("RETR", ftp.retrieve("", &mut Vec::new()).map(drop)),
        ("raw", ftp.raw("").map(drop)),
    ];
    for (what, result) in attempts {
        match result {
            Err(Error::InvalidArgument {
                source: ftp_client::InvalidArgument::Empty,
                ..
            }) => {}
            other => return Err(format!("{what} with an empty argument: {other:?}").into()),
        }
    }
    ensure!(c.on_server("keep").exists(), "keep went");
    ftp.noop()?;
    Ok(())
}

/// The login directory (`""`) and a path ending in `/` are directories,
/// found without SIZE; a file with a `/` after it is no directory.
fn stat_of_directory_paths<D: Driver>(c: &Ctx) -> Outcome {
    c.put("dir/inner.txt", b"inner");
    let mut ftp = D::connect_ctx(c)?;
    for path in [String::new(), format!("{}/", c.path("dir")), c.path("dir")] {
        let entry = ftp.stat(&path)?;
        ensure!(entry.is_dir(), "{path:?}: {:?}", entry.kind);
    }
    let file = ftp.stat(c.path("dir/inner.txt"))?;
    ensure!(file.is_file(), "{:?}", file.kind);
    match ftp.stat(format!("{}/", c.path("dir/inner.txt"))) {
        Ok(entry) => ensure!(!entry.is_dir(), "a file taken for a directory"),
        Err(e) => ensure!(e.code().is_some_and(|c| c >= 500), "{e}"),
    }
    ftp.noop()?;
    Ok(())
}

fn delete<D: Driver>(c: &Ctx) -> Outcome {
    put_listed(c);
    let mut ftp = D::connect_ctx(c)?;
    for name in LISTED {
        ftp.delete(c.path(name))?;
        absent(&c.on_server(name))?;
    }
    Ok(())
}

fn mdtm<D: Driver>(c: &Ctx) -> Outcome {
    c.put("f.bin", b"dated");
    let mut ftp = D::connect_ctx(c)?;
    let modified = ftp.mdtm(c.path("f.bin"))?;
    ensure!(modified.year >= 2024, "{modified:?}");
    Ok(())
}

/// MDTM for more files than the session sends ahead at once
/// (`MDTM_WINDOW`): each answer is its own file's, in order, on every
/// server (sent ahead where FEAT lists no MLST, as on vsftpd; one at a time
/// elsewhere: libunftp answers commands sent ahead in the order they
/// finish); a missing file's refusal is its answer, and the session is in
/// step after.
fn mdtm_each_in_order<D: Driver>(c: &Ctx) -> Outcome {
    // 2001-02-03 04:05:06 UTC, a minute and a second more for each file.
    const OLD: u64 = 981_173_106;
    let n = ftp_client::proto::MDTM_WINDOW + 8;
    let mut paths = Vec::new();
    for i in 0..n {
        let name = format!("times/f{i:02}");
        c.put(&name, b"t");
        let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(OLD + 61 * i as u64);
        fs::File::open(c.on_server(&name))?.set_modified(when)?;
        paths.push(c.path(&name));
        if i == 3 {
            paths.push(c.path("times/missing"));
        }
    }
    let mut ftp = D::connect_ctx(c)?;
    ftp.features()?;
    let times = ftp.mdtm_each(&paths)?;
    ensure!(times.len() == n + 1, "{} answers", times.len());
    let mut got = times.iter().map(|t| t.map(|t| t.unix_timestamp()));
    for i in 0..n {
        let want = (OLD + 61 * i as u64) as i64;
        ensure!(got.next() == Some(Some(want)), "f{i:02}: {times:?}");
        if i == 3 {
            ensure!(got.next() == Some(None), "missing: {times:?}");
        }
    }
    let again = ftp.mdtm(c.path("times/f00"))?.unix_timestamp();
    ensure!(again == OLD as i64, "out of step: {again}");
    Ok(())
}

fn fifty_mebibytes_through_files<D: Driver>(c: &Ctx) -> Outcome {
    let source = big_file();
    let mut ftp = D::connect_ctx(c)?;
    // Through Read/Write.
    let mut file = fs::File::open(source)?;
    ensure!(
        ftp.store(c.path("big.bin"), &mut file)? == BIG_SIZE as u64,
        "store: short"
    );
    same_file(source, &c.on_server("big.bin"))?;
    let target = c.local("copy.bin");
    let mut out = fs::File::create(&target)?;
    ensure!(
        ftp.retrieve(c.path("big.bin"), &mut out)? == BIG_SIZE as u64,
        "retrieve: short"
    );
    drop(out);
    same_file(source, &target)?;
    // The zero-copy paths: sendfile up, splice down.
    let mut file = fs::File::open(source)?;
    ensure!(
        ftp.store_file(c.path("big2.bin"), &mut file)? == BIG_SIZE as u64,
        "store_file: short"
    );
    same_file(source, &c.on_server("big2.bin"))?;
    let target = c.local("copy2.bin");
    let mut out = fs::File::create(&target)?;
    ensure!(
        ftp.retrieve_file(c.path("big2.bin"), &mut out)? == BIG_SIZE as u64,
        "retrieve_file: short"
    );
    drop(out);
    same_file(source, &target)
}

fn retrieve_file_where_splice_is_refused<D: Driver>(c: &Ctx) -> Outcome {
    let content = pattern(3 << 20, 4);
    c.put("f.bin", &content);
    let target = c.write_local("log.bin", b"head:");
    let mut ftp = D::connect_ctx(c)?;
    // Opened for appending: splice refuses it; the data goes through memory.
    let mut out = fs::OpenOptions::new().append(true).open(&target)?;
    ensure!(
        ftp.retrieve_file(c.path("f.bin"), &mut out)? == 3 << 20,
        "short"
    );
    drop(out);
    let written = fs::read(&target)?;
    ensure!(
        &written[..5] == b"head:",
        "the existing start was overwritten"
    );
    ensure!(written[5..] == content[..], "the appended data differs");

    // /dev/full refuses splice, then every write (like a full disk): a
    // local error, and the session stays usable.
    if let Ok(mut full) = fs::OpenOptions::new().write(true).open("/dev/full") {
        let err = ftp
            .retrieve_file(c.path("f.bin"), &mut full)
            .err()
            .ok_or("a download into /dev/full succeeded")?;
        ensure!(
            err.to_string().starts_with("writing the downloaded data:"),
            "{err}"
        );
        ensure!(
            err.code().is_none(),
            "a local error carries no reply: {err}"
        );
        session_goes_on_after_early_close(c, &mut ftp)?;
    }
    Ok(())
}

/// After a download the client ended early, the session goes on. Where
/// the server sends no final reply to a transfer it had not finished
/// (Pure-FTPd), the client gives the session up instead; whether the
/// server had finished depends on socket buffers, so there either is
/// right.
/// Whether the target may end the session when a download is closed early
/// (see the quirks).
fn early_close_may_end_session(c: &Ctx) -> bool {
    let quirks = &c.target.profile.quirks;
    quirks.no_final_reply_after_early_close
        || (c.target.tls.is_some() && quirks.tls_early_close_may_end_session)
}

fn session_goes_on_after_early_close<D: Driver>(c: &Ctx, ftp: &mut D) -> Outcome {
    match ftp.noop() {
        Ok(()) => Ok(()),
        Err(err) if early_close_may_end_session(c) => {
            ensure!(err.to_string().contains("closed"), "{err}");
            Ok(())
        }
        Err(err) => Err(err.into()),
    }
}

fn store_file_sends_the_rest<D: Driver>(c: &Ctx) -> Outcome {
    let content = pattern(3 << 20, 5);
    let path = c.write_local("f.bin", &content);
    let mut ftp = D::connect_ctx(c)?;
    let mut file = fs::File::open(&path)?;
    ensure!(
        ftp.store_file(c.path("whole.bin"), &mut file)? == 3 << 20,
        "short"
    );
    has_content(&c.on_server("whole.bin"), &content)?;
    file.seek(SeekFrom::Start(1000))?;
    let sent = ftp.store_file(c.path("tail.bin"), &mut file)?;
    ensure!(sent == (3 << 20) - 1000, "sent {sent}");
    has_content(&c.on_server("tail.bin"), &content[1000..])
}

fn refused_retrieve<D: Driver>(c: &Ctx) -> Outcome {
    let mut ftp = D::connect_ctx(c)?;
    let mut sink = Vec::new();
    let outcome = ftp.retrieve(c.path("missing.bin"), &mut sink);
    let message = outcome
        .as_ref()
        .err()
        .map(ToString::to_string)
        .unwrap_or_default();
    let code = refused_5xx(outcome)?;
    ensure!(code == 550, "{message}");
    let prefix = format!("RETR {}: 550", c.path("missing.bin"));
    ensure!(
        message.starts_with(&prefix),
        "{message:?} does not start with {prefix:?}"
    );
    ensure!(sink.is_empty(), "{} bytes written", sink.len());
    ftp.noop()?;
    Ok(())
}

/// The refusal comes from `retrieve_stream` itself, or (where the server
/// sends 150 first) from `finish` after no data.
fn refused_retrieve_stream<D: Driver>(c: &Ctx) -> Outcome {
    let mut ftp = D::connect_ctx(c)?;
    let opened = ftp.retrieve_stream(c.path("missing.bin"));
    if c.target.profile.quirks.missing_file_refused_after_start {
        let mut download = opened?;
        let mut data = Vec::new();
        let _ = download.read_to_end(&mut data);
        ensure!(data.is_empty(), "{} bytes of a missing file", data.len());
        refused_5xx(download.finish())?;
    } else {
        refused_5xx(opened.map(drop))?;
    }
    ftp.noop()?;
    Ok(())
}

fn refused_mkdir_existing<D: Driver>(c: &Ctx) -> Outcome {
    c.put_dir("exists");
    let mut ftp = D::connect_ctx(c)?;
    refused_5xx(ftp.mkdir(c.path("exists")))?;
    ftp.noop()?;
    Ok(())
}

fn refused_rmdir_non_empty<D: Driver>(c: &Ctx) -> Outcome {
    c.put("full/f", b"x");
    let mut ftp = D::connect_ctx(c)?;
    refused_5xx(ftp.rmdir(c.path("full")))?;
    has_content(&c.on_server("full/f"), b"x")?;
    let code = refused_5xx(ftp.rmdir(c.path("nope")))?;
    ensure!(code == 550, "RMD missing: {code}");
    ftp.noop()?;
    Ok(())
}

fn refused_store_into_missing_dir<D: Driver>(c: &Ctx) -> Outcome {
    let mut ftp = D::connect_ctx(c)?;
    refused_5xx(ftp.store(c.path("no-such-dir/x.bin"), &mut &b"x"[..]))?;
    absent(&c.on_server("no-such-dir"))?;
    ftp.noop()?;
    Ok(())
}

fn refused_delete_missing<D: Driver>(c: &Ctx) -> Outcome {
    let mut ftp = D::connect_ctx(c)?;
    let code = refused_5xx(ftp.delete(c.path("missing.bin")))?;
    ensure!(code == 550, "DELE missing: {code}");
    ftp.noop()?;
    Ok(())
}

fn refused_size_missing<D: Driver>(c: &Ctx) -> Outcome {
    let mut ftp = D::connect_ctx(c)?;
    let code = refused_5xx(ftp.size(c.path("nope")))?;
    ensure!(code == 550, "SIZE missing: {code}");
    ftp.noop()?;
    Ok(())
}

fn raw_commands<D: Driver>(c: &Ctx) -> Outcome {
    let mut ftp = D::connect_ctx(c)?;
    let reply = ftp.raw("SYST")?;
    ensure!(reply.code().get() == 215, "SYST: {reply:?}");
    let reply = ftp.raw("XYZZY")?;
    ensure!(
        reply.code().get() >= 500,
        "raw returns refusals as replies: {reply:?}"
    );
    ftp.noop()?;
    Ok(())
}

/// 530, the password masked; and at once, unless the server delays its
/// 530 on purpose (then within its delay).
fn wrong_password<D: Driver>(c: &Ctx) -> Outcome {
    let bad = "not-the-password";
    let mut client = D::connect(c.addr, c.with_tls(Config::default()))?;
    let started = Instant::now();
    let err = client
        .login(&c.target.login.user, bad)
        .err()
        .ok_or("a wrong password was accepted")?;
    let took = started.elapsed();
    // Generous bounds: a loaded machine is slow, a hang is not.
    let bound = if c.target.profile.quirks.slow_failed_login {
        15
    } else {
        5
    };
    ensure!(took < Duration::from_secs(bound), "the 530 took {took:?}");
    ensure!(err.code() == Some(530), "{err}");
    ensure!(!err.to_string().contains(bad), "{err}");
    ensure!(err.to_string().contains("PASS ****"), "{err}");
    Ok(())
}

fn line_breaks_refused<D: Driver>(c: &Ctx) -> Outcome {
    c.put("keep", b"x");
    let mut ftp = D::connect_ctx(c)?;
    let keep = c.path("keep");
    for bad in [
        format!("a\r\nDELE {keep}"),
        format!("a\nDELE {keep}"),
        "a\0b".to_owned(),
    ] {
        let err = ftp
            .delete(&bad)
            .err()
            .ok_or("DELE with a line break was sent")?;
        ensure!(matches!(err, Error::InvalidArgument { .. }), "{err}");
    }
    ensure!(c.on_server("keep").exists(), "keep was deleted");
    ftp.noop()?;
    Ok(())
}

/// A download dropped half read ends promptly. The server answers the
/// closed data connection (426 or 226) and the session goes on; where it
/// sends no final reply (Pure-FTPd), the client gives the session up after
/// a short bound rather than hang.
fn dropped_unfinished_download<D: Driver>(c: &Ctx) -> Outcome {
    c.put("big.bin", &pattern(4 << 20, 6));
    let mut ftp = D::connect_ctx(c)?;
    let started = Instant::now();
    {
        let mut download = ftp.retrieve_stream(c.path("big.bin"))?;
        let mut first = [0u8; 1000];
        download.read_exact(&mut first)?;
    }
    session_goes_on_after_early_close(c, &mut ftp)?;
    let took = started.elapsed();
    ensure!(took < Duration::from_secs(10), "took {took:?}");
    if ftp.noop().is_ok() {
        ftp.quit()?;
    }
    Ok(())
}

fn finish_of_unfinished_download_fails<D: Driver>(c: &Ctx) -> Outcome {
    c.put("big.bin", &pattern(4 << 20, 6));
    let mut ftp = D::connect_ctx(c)?;
    let mut download = ftp.retrieve_stream(c.path("big.bin"))?;
    let mut first = [0u8; 1000];
    download.read_exact(&mut first)?;
    // The server sees the data connection closed early and says so (426);
    // a server that already sent everything would answer 226, and then the
    // client's own check names the unread data.
    let err = download
        .finish()
        .err()
        .ok_or("finish() of a half-read download succeeded")?;
    ensure!(
        err.code() == Some(426)
            || err.to_string().contains("not read to its end")
            || (early_close_may_end_session(c) && err.to_string().contains("closed")),
        "{err}"
    );
    session_goes_on_after_early_close(c, &mut ftp)
}

fn abandoned_download<D: Driver>(c: &Ctx) -> Outcome {
    c.put("big.bin", &pattern(8 << 20, 6));
    let mut ftp = D::connect_ctx(c)?;
    let mut download = ftp.retrieve_stream(c.path("big.bin"))?;
    let mut first = [0u8; 1000];
    download.read_exact(&mut first)?;
    download.abandon();
    let err = ftp
        .noop()
        .err()
        .ok_or("the session went on after abandon()")?;
    ensure!(err.to_string().contains("closed"), "{err}");
    Ok(())
}

/// PASV only (no EPSV), over IPv4: the client connects to the control
/// connection's peer, whatever address the 227 reply names (vsftpd here
/// advertises an unreachable one).
fn pasv_only<D: Driver>(c: &Ctx) -> Outcome {
    let content = pattern(1_234_567, 2);
    c.put("file.bin", &content);
    let config = Config {
        use_epsv: false,
        ..Config::default()
    };
    let mut ftp = D::connect_ctx_with(c, config)?;
    let mut got = Vec::new();
    ftp.retrieve(c.path("file.bin"), &mut got)?;
    ensure!(got == content, "retrieved {} bytes, differing", got.len());
    let listed = ftp.list(c.path(""))?;
    ensure!(
        listed.iter().any(|l| l.ends_with(" file.bin")),
        "LIST: {listed:?}"
    );
    ftp.quit()?;
    // The address in 227 replies is checked in clear only: over TLS a
    // bare socket cannot log in (the same server's plain run checks it).
    if let (Some(advertised), None) = (&c.target.profile.quirks.pasv_address, &c.target.tls) {
        // The client refuses a raw PASV (the session manages passive mode),
        // so ask over a bare socket what the server advertises.
        let reply = raw_pasv_reply(c)?;
        let octets = advertised.replace('.', ",");
        ensure!(
            reply.contains(&octets),
            "227 does not name {advertised}: {reply:?}"
        );
    }
    Ok(())
}

/// Logs in over a bare socket and returns the server's answer to PASV.
fn raw_pasv_reply(c: &Ctx) -> Result<String, libtest_mimic::Failed> {
    use std::io::{BufRead, BufReader, Write as _};
    let stream = std::net::TcpStream::connect(c.addr)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    // Reads one reply, multi-line ones whole; returns its last line.
    fn reply(reader: &mut BufReader<std::net::TcpStream>) -> std::io::Result<String> {
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            if line.len() >= 4 && line.as_bytes()[3] == b' ' {
                return Ok(line.trim_end().to_owned());
            }
        }
    }
    reply(&mut reader)?;
    let login = &c.target.login;
    write!(writer, "USER {}\r\n", login.user)?;
    if reply(&mut reader)?.starts_with("331") {
        write!(writer, "PASS {}\r\n", login.password)?;
        reply(&mut reader)?;
    }
    writer.write_all(b"PASV\r\n")?;
    let answer = reply(&mut reader)?;
    let _ = writer.write_all(b"QUIT\r\n");
    Ok(answer)
}

fn anonymous_connect_url<D: Driver>(c: &Ctx) -> Outcome {
    let path = c.anon_put("pub.txt", b"public");
    let url = FtpUrl::parse(&c.anon_url(""))?;
    ensure!(url.user() == "anonymous", "user {}", url.user());
    let mut ftp = D::connect_url(&url, c.with_tls(Config::default()))?;
    let mut copy = Vec::new();
    ftp.retrieve(&path, &mut copy)?;
    ensure!(copy == b"public", "{copy:?}");
    Ok(())
}
