//! CLI cases: the built `ftp-cli` binary, every run checked for the
//! password in its output (`Ctx::cli`). Over IPv4; the `ipv6` case
//! connects to the target's IPv6 address.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use crate::ctx::{
    BIG_SIZE, Ctx, Tree, absent, big_file, encode, has_content, no_temporary_files, pattern,
    same_file,
};
use crate::harness::{Case, Group, Need, Outcome};
use crate::target::{Family, MissingDirListing};

pub fn group() -> Group {
    Group {
        name: "cli",
        families: &[Family::V4],
        cases: vec![
            Case::new("mkdir", mkdir),
            Case::new("mkdir_parents", mkdir_parents),
            Case::new("upload_create_dirs", upload_create_dirs),
            Case::new("ls", ls),
            Case::new("ls_missing_directory", ls_missing_directory),
            Case::new("rm", rm),
            Case::new("rmdir", rmdir),
            Case::new("cp_upload", cp_upload),
            Case::new("cp_several_upload", cp_several_upload),
            Case::new("cp_several_download_one_fails", cp_several_download),
            Case::new("mv_several_both_ways", mv_several),
            Case::new("several_sources_usage_errors", several_usage_errors),
            Case::new("cp_download", cp_download),
            Case::new("mv_upload", mv_upload),
            Case::new("mv_download", mv_download),
            Case::new("cp_replaces_existing_files", cp_replaces_existing_files),
            Case::new("special_characters_in_names", special_characters),
            Case::new("upload_to_directory_url", upload_to_directory_url),
            Case::new(
                "upload_to_existing_directory_without_slash",
                upload_to_directory_without_slash,
            ),
            Case::new("upload_from_standard_input", upload_from_stdin),
            Case::new(
                "download_into_local_directory",
                download_into_local_directory,
            ),
            Case::new("directory_targets_with_utf8_names", directory_targets_utf8),
            Case::new("empty_file_upload", empty_file_upload),
            Case::new("empty_file_download", empty_file_download),
            Case::new("fifty_mebibytes_upload", big_upload),
            Case::new("fifty_mebibytes_download", big_download),
            Case::new("utf8_name_upload", utf8_name_upload),
            Case::new("utf8_name_download", utf8_name_download),
            Case::new("ls_3000_entries", ls_3000_entries),
            Case::new("ls_into_a_reader_that_stops_early", ls_reader_stops_early),
            Case::new("download_to_devices_and_stdout", devices_and_stdout),
            Case::new(
                "download_to_stdout_whose_reader_goes_away",
                stdout_reader_goes_away,
            ),
            Case::new("anonymous_ls_and_download", anonymous_ls).needs(Need::AnonymousRead),
            Case::new("anonymous_upload_refused", anonymous_upload_refused)
                .needs(Need::AnonymousUploadRefused),
            Case::new("verbose_shows_the_conversation_not_the_password", verbose),
            Case::new("fail_download_missing_file", fail_download_missing),
            Case::new("fail_quiet_error_is_one_line", fail_quiet_one_line),
            Case::new("fail_rmdir_non_empty", fail_rmdir_non_empty),
            Case::new("fail_wrong_password", fail_wrong_password),
            Case::new(
                "fail_upload_into_missing_directory",
                fail_upload_missing_dir,
            ),
            Case::new(
                "fail_mkdir_existing_rm_missing",
                fail_mkdir_existing_rm_missing,
            ),
            Case::new(
                "fail_refused_download_over_existing_file",
                fail_download_over_existing,
            )
            .needs(Need::FileDeniedToServer),
            Case::new(
                "fail_download_failing_midway_over_existing_file",
                fail_download_midway,
            ),
            Case::new("fail_local_errors_send_nothing", fail_local_errors),
            Case::new("ipv6_download_and_upload", ipv6).needs(Need::Ipv6),
        ],
    }
}

fn s(path: &std::path::Path) -> &str {
    path.to_str().expect("scratch paths are UTF-8")
}

/// Whether some line starts with `kind` (`'-'` file, `'d'` directory, or
/// any if `None`), ends with ` name`, and contains every one of `also`.
fn listed(text: &str, kind: Option<char>, name: &str, also: &[&str]) -> bool {
    text.lines().any(|l| {
        kind.is_none_or(|k| l.starts_with(k))
            && l.ends_with(&format!(" {name}"))
            && also.iter().all(|a| l.contains(a))
    })
}

fn head(text: &str) -> String {
    text.chars().take(300).collect()
}

/// `mkdir -p`: every missing parent, no error for what exists, and a
/// file in the way is the server's refusal.
fn mkdir_parents(c: &Ctx) -> Outcome {
    c.put_dir("have");
    c.cli(&["mkdir", "-p", &c.url("have/a/b%20c/d/")])?
        .expect_ok()?;
    ensure!(
        c.on_server("have/a/b c/d").is_dir(),
        "have/a/b c/d not made"
    );
    // Again: everything exists, which -p accepts.
    c.cli(&["mkdir", "-p", &c.url("have/a/b%20c/d/")])?
        .expect_ok()?;
    c.cli(&["mkdir", "-p", &c.url("have")])?.expect_ok()?;
    // A file where a directory should be.
    c.put("file", b"in the way");
    c.cli_quiet(&["mkdir", "-p", &c.url("file/sub/")])?
        .expect_failure(&["MKD"], |code| (500..600).contains(&code))?;
    has_content(&c.on_server("file"), b"in the way")?;
    ensure!(!c.on_server("file/sub").exists(), "made under a file");
    Ok(())
}

/// `cp --create-dirs`: an upload into directories that are not there yet.
fn upload_create_dirs(c: &Ctx) -> Outcome {
    let src = c.write_local("up.txt", b"deep");
    c.cli(&["cp", "--create-dirs", s(&src), &c.url("x/y%20z/up.txt")])?
        .expect_ok()?;
    has_content(&c.on_server("x/y z/up.txt"), b"deep")?;
    // Into a directory URL, and where the directories already exist.
    c.cli(&["cp", "--create-dirs", s(&src), &c.url("x/y%20z/")])?
        .expect_ok()?;
    has_content(&c.on_server("x/y z/up.txt"), b"deep")?;
    Ok(())
}

fn mkdir(c: &Ctx) -> Outcome {
    c.cli(&["mkdir", &c.url("newdir/")])?.expect_ok()?;
    ensure!(
        c.on_server("newdir").is_dir(),
        "newdir not created on the server"
    );
    c.cli(&["mkdir", &c.url("newdir/sub")])?.expect_ok()?;
    ensure!(
        c.on_server("newdir/sub").is_dir(),
        "newdir/sub not created on the server"
    );
    Ok(())
}

fn ls(c: &Ctx) -> Outcome {
    c.put_dir("lsdir");
    c.put("lsdir/alpha.txt", b"alpha\n");
    c.put("lsdir/beta.bin", b"");
    let run = c.cli(&["ls", &c.url("lsdir/")])?;
    run.expect_ok()?;
    let out = run.out();
    ensure!(
        listed(&out, Some('-'), "alpha.txt", &[" 6 "]),
        "alpha.txt not listed as a 6-byte file: {}",
        head(&out)
    );
    ensure!(
        listed(&out, None, "beta.bin", &[]),
        "beta.bin not listed: {}",
        head(&out)
    );
    let run = c.cli(&["ls", &c.url("")])?;
    run.expect_ok()?;
    ensure!(
        listed(&run.out(), Some('d'), "lsdir", &[]),
        "lsdir not listed as a directory: {}",
        head(&run.out())
    );
    // The root URL: the case's directory is one of its directories.
    let run = c.cli(&["ls", &c.root_url("")])?;
    run.expect_ok()?;
    ensure!(
        listed(&run.out(), Some('d'), &c.dir, &[]),
        "{} not listed in /",
        c.dir
    );
    Ok(())
}

/// Servers differ (tests/interop/README.md): an empty successful listing,
/// 150 then 450, or 550: the target's profile says which.
fn ls_missing_directory(c: &Ctx) -> Outcome {
    // A URL ending in '/' names a directory: its CWD's refusal is the
    // answer, on every server.
    c.cli(&["ls", &c.url("no-such-dir/")])?
        .expect_failure(&["CWD"], |code| code == 550)?;
    // Without the '/', it may be a file: LIST of the name says, each
    // server in its way.
    let run = c.cli(&["ls", &c.url("no-such-dir")])?;
    match c.target.profile.quirks.missing_dir_listing {
        MissingDirListing::Empty => {
            run.expect_ok()?;
            ensure!(
                run.stdout.is_empty(),
                "listing of a missing directory printed: {}",
                head(&run.out())
            );
        }
        MissingDirListing::RefusedAfterStart | MissingDirListing::Refused => {
            run.expect_failure(&["LIST"], |code| (400..600).contains(&code))?;
        }
    }
    Ok(())
}

fn rm(c: &Ctx) -> Outcome {
    c.put("rm-me.txt", b"");
    c.put("keep-me.txt", b"");
    c.cli(&["rm", &c.url("rm-me.txt")])?.expect_ok()?;
    absent(&c.on_server("rm-me.txt"))?;
    ensure!(
        c.on_server("keep-me.txt").exists(),
        "keep-me.txt was removed"
    );
    Ok(())
}

fn rmdir(c: &Ctx) -> Outcome {
    c.put_dir("empty-dir");
    c.cli(&["rmdir", &c.url("empty-dir/")])?.expect_ok()?;
    absent(&c.on_server("empty-dir"))
}

fn cp_upload(c: &Ctx) -> Outcome {
    let content = pattern(300 << 10, 10);
    let src = c.write_local("up.bin", &content);
    c.cli(&["cp", s(&src), &c.url("up.bin")])?.expect_ok()?;
    same_file(&src, &c.on_server("up.bin"))?;
    has_content(&src, &content)?;
    no_temporary_files(&[&c.on_server("")])
}

fn cp_download(c: &Ctx) -> Outcome {
    let content = pattern(300 << 10, 11);
    c.put("down.bin", &content);
    let dst = c.local("down.bin");
    c.cli(&["cp", &c.url("down.bin"), s(&dst)])?.expect_ok()?;
    has_content(&dst, &content)?;
    has_content(&c.on_server("down.bin"), &content)?;
    no_temporary_files(&[c.local_dir()])
}

fn mv_upload(c: &Ctx) -> Outcome {
    let content = pattern(200 << 10, 12);
    let src = c.write_local("mvup.bin", &content);
    c.cli(&["mv", s(&src), &c.url("mvup.bin")])?.expect_ok()?;
    absent(&src)?;
    has_content(&c.on_server("mvup.bin"), &content)?;
    no_temporary_files(&[&c.on_server("")])
}

fn mv_download(c: &Ctx) -> Outcome {
    let content = pattern(200 << 10, 13);
    c.put("mvdown.bin", &content);
    let dst = c.local("mvdown.bin");
    c.cli(&["mv", &c.url("mvdown.bin"), s(&dst)])?.expect_ok()?;
    absent(&c.on_server("mvdown.bin"))?;
    has_content(&dst, &content)?;
    no_temporary_files(&[c.local_dir()])
}

/// cp onto an existing file replaces it, on both sides (uploads go to a
/// temporary name, then RNFR/RNTO over the old file).
fn cp_replaces_existing_files(c: &Ctx) -> Outcome {
    c.put(
        "replace.txt",
        b"old remote content, longer than the new one\n",
    );
    let src = c.write_local("replace.txt", b"new content\n");
    c.cli(&["cp", s(&src), &c.url("replace.txt")])?
        .expect_ok()?;
    has_content(&c.on_server("replace.txt"), b"new content\n")?;
    c.put("replace2.txt", b"remote wins\n");
    let dst = c.write_local(
        "replace2.txt",
        b"old local content, longer than the new one\n",
    );
    c.cli(&["cp", &c.url("replace2.txt"), s(&dst)])?
        .expect_ok()?;
    has_content(&dst, b"remote wins\n")?;
    no_temporary_files(&[c.local_dir(), &c.on_server("")])
}

/// '#', '%', '?', '+' and '&' in names: percent-encoded in the URL given,
/// and in the URL the client builds when it appends the local name.
fn special_characters(c: &Ctx) -> Outcome {
    let (name, enc) = ("odd #1 100%+?&.txt", "odd%20%231%20100%25+%3F&.txt");
    let src = c.write_local(name, b"odd\n");
    c.cli(&["cp", s(&src), &c.url(enc)])?.expect_ok()?;
    has_content(&c.on_server(name), b"odd\n")?;
    c.put_dir("oddir");
    c.cli(&["cp", s(&src), &c.url("oddir/")])?.expect_ok()?;
    has_content(&c.on_server(format!("oddir/{name}")), b"odd\n")?;
    let dest = c.local("odd-dest");
    fs::create_dir(&dest)?;
    c.cli(&[
        "cp",
        &c.url(&format!("oddir/{enc}")),
        &format!("{}/", s(&dest)),
    ])?
    .expect_ok()?;
    has_content(&dest.join(name), b"odd\n")
}

fn upload_to_directory_url(c: &Ctx) -> Outcome {
    c.put_dir("updir");
    let src = c.write_local("todir.txt", b"into a directory URL\n");
    c.cli(&["cp", s(&src), &c.url("updir/")])?.expect_ok()?;
    has_content(&c.on_server("updir/todir.txt"), b"into a directory URL\n")?;
    let n = fs::read_dir(c.on_server("updir"))?.count();
    ensure!(n == 1, "updir holds {n} entries, expected todir.txt alone");
    Ok(())
}

/// `cp f.txt URL/dir` where `dir` is a remote directory: into it, as
/// `cp URL localdir` lands in `localdir/NAME`; and again over the copy
/// there (replaced through a temporary name).
fn upload_to_directory_without_slash(c: &Ctx) -> Outcome {
    c.put_dir("intodir");
    let src = c.write_local("f.txt", b"into the directory\n");
    c.cli(&["cp", s(&src), &c.url("intodir")])?.expect_ok()?;
    has_content(&c.on_server("intodir/f.txt"), b"into the directory\n")?;
    fs::write(&src, b"again")?;
    let again = c.cli(&["cp", s(&src), &c.url("intodir")])?;
    again.expect_ok()?;
    has_content(&c.on_server("intodir/f.txt"), b"again")?;
    let n = fs::read_dir(c.on_server("intodir"))?.count();
    ensure!(n == 1, "intodir holds {n} entries, expected f.txt alone");
    // mv too: the source goes once the copy is confirmed.
    let moved = c.write_local("m.txt", b"moved");
    c.cli(&["mv", s(&moved), &c.url("intodir")])?.expect_ok()?;
    has_content(&c.on_server("intodir/m.txt"), b"moved")?;
    absent(&moved)
}

/// `cp - URL`: standard input streamed (3 MiB through a pipe); replacing
/// an existing file goes through a temporary name and a rename; `-` with
/// -r, -C, mv, several sources or a directory target is refused, and
/// nothing reaches the server.
fn upload_from_stdin(c: &Ctx) -> Outcome {
    let data = pattern(3 << 20, 7);
    c.cli_stdin(&data, &["cp", "-", &c.url("from-stdin.bin")])?
        .expect_ok()?;
    has_content(&c.on_server("from-stdin.bin"), &data)?;
    let replace = c.cli_stdin(b"replaced\n", &["cp", "-", &c.url("from-stdin.bin")])?;
    replace.expect_ok()?;
    has_content(&c.on_server("from-stdin.bin"), b"replaced\n")?;
    let err = replace.err();
    ensure!(
        err.lines()
            .any(|l| l.starts_with("> STOR ") && l.ends_with(".part"))
            && err.lines().any(|l| l.starts_with("> RNTO ")),
        "replacing from stdin not through a temporary name: {err}"
    );
    c.put_dir("sd");
    let before = c.snapshot_both();
    for args in [
        &["cp", "-r", "-", &c.url("sd/")][..],
        &["cp", "-C", "-", &c.url("sd/x")],
        &["mv", "-", &c.url("sd/x")],
        &["cp", "-", "-", &c.url("sd/")],
        &["cp", "-", &c.url("sd/")],
        &["cp", "-", &c.url("sd")],
    ] {
        let run = c.cli_stdin(b"x", args)?;
        run.expect_code(2)?;
        ensure!(
            run.error_line()
                .is_some_and(|l| l.contains("standard input") || l.contains("file's name")),
            "{args:?}: {}",
            run.err()
        );
    }
    c.unchanged_both(&before)
}

fn download_into_local_directory(c: &Ctx) -> Outcome {
    c.put("intodir.txt", b"into a local directory\n");
    let (dest, dest2) = (c.local("dest"), c.local("dest2"));
    fs::create_dir(&dest)?;
    fs::create_dir(&dest2)?;
    c.cli(&["cp", &c.url("intodir.txt"), s(&dest)])?
        .expect_ok()?;
    has_content(&dest.join("intodir.txt"), b"into a local directory\n")?;
    c.cli(&["cp", &c.url("intodir.txt"), &format!("{}/", s(&dest2))])?
        .expect_ok()?;
    has_content(&dest2.join("intodir.txt"), b"into a local directory\n")?;
    let n = fs::read_dir(&dest)?.count() + fs::read_dir(&dest2)?.count();
    ensure!(
        n == 2,
        "{n} entries in the two destination directories, expected 2"
    );
    Ok(())
}

/// A directory URL as upload target and a local directory as download
/// target, with a name that needs encoding; no temporary file stays.
fn directory_targets_utf8(c: &Ctx) -> Outcome {
    let name = "report 2026 ü.csv";
    let src = c.write_local(name, b"a,b\n1,2\n");
    c.cli(&["cp", s(&src), &c.url("")])?.expect_ok()?;
    has_content(&c.on_server(name), b"a,b\n1,2\n")?;
    ensure!(src.exists(), "cp removed its source");
    let into = c.local("into");
    fs::create_dir(&into)?;
    c.cli(&["cp", &c.url("report%202026%20%C3%BC.csv"), s(&into)])?
        .expect_ok()?;
    has_content(&into.join(name), b"a,b\n1,2\n")?;
    let names = |dir: &std::path::Path| -> std::io::Result<Vec<String>> {
        let mut v: Vec<String> = fs::read_dir(dir)?
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<Result<_, _>>()?;
        v.sort();
        Ok(v)
    };
    ensure!(names(&into)? == [name], "local: {:?}", names(&into)?);
    ensure!(
        names(&c.on_server(""))? == [name],
        "remote: {:?}",
        names(&c.on_server(""))?
    );
    Ok(())
}

fn empty_file_upload(c: &Ctx) -> Outcome {
    let src = c.write_local("empty-up.bin", b"");
    c.cli(&["cp", s(&src), &c.url("empty-up.bin")])?
        .expect_ok()?;
    ensure!(
        c.on_server("empty-up.bin").is_file(),
        "empty-up.bin not on the server"
    );
    has_content(&c.on_server("empty-up.bin"), b"")
}

fn empty_file_download(c: &Ctx) -> Outcome {
    c.put("empty-down.bin", b"");
    let dst = c.local("empty-down.bin");
    c.cli(&["cp", &c.url("empty-down.bin"), s(&dst)])?
        .expect_ok()?;
    ensure!(dst.is_file(), "empty-down.bin not downloaded");
    has_content(&dst, b"")
}

fn big_upload(c: &Ctx) -> Outcome {
    c.cli(&["cp", s(big_file()), &c.url("big-up.bin")])?
        .expect_ok()?;
    let size = fs::metadata(c.on_server("big-up.bin"))?.len();
    ensure!(
        size == BIG_SIZE as u64,
        "remote size {size}, expected {BIG_SIZE}"
    );
    same_file(big_file(), &c.on_server("big-up.bin"))
}

fn big_download(c: &Ctx) -> Outcome {
    c.put_copy("big-down.bin", big_file());
    let dst = c.local("big-down.bin");
    c.cli(&["cp", &c.url("big-down.bin"), s(&dst)])?
        .expect_ok()?;
    same_file(big_file(), &dst)
}

fn utf8_name_upload(c: &Ctx) -> Outcome {
    let (name, enc) = ("my file ü.txt", "my%20file%20%C3%BC.txt");
    let body = format!("grüße aus {}\n", c.target.name);
    let src = c.write_local(name, body.as_bytes());
    c.cli(&["cp", s(&src), &c.url(enc)])?.expect_ok()?;
    has_content(&c.on_server(name), body.as_bytes())?;
    let run = c.cli(&["ls", &c.url("")])?;
    run.expect_ok()?;
    ensure!(
        listed(&run.out(), None, name, &[]),
        "ls does not show '{name}': {}",
        head(&run.out())
    );
    c.cli(&["rm", &c.url(enc)])?.expect_ok()?;
    absent(&c.on_server(name))
}

fn utf8_name_download(c: &Ctx) -> Outcome {
    let name = "dl file ü.txt";
    let enc = encode(name.as_bytes());
    c.put(name, "ünïcödé\n".as_bytes());
    let dest = c.local("utf8dest");
    fs::create_dir(&dest)?;
    c.cli(&["cp", &c.url(&enc), &format!("{}/", s(&dest))])?
        .expect_ok()?;
    has_content(&dest.join(name), "ünïcödé\n".as_bytes())
}

fn ls_3000_entries(c: &Ctx) -> Outcome {
    for i in 0..3000 {
        c.put(format!("many/f{i:04}.txt"), b"");
    }
    let run = c.cli(&["ls", &c.url("many/")])?;
    run.expect_ok()?;
    let out = run.out();
    let mut names: Vec<&str> = out
        .lines()
        .filter_map(|l| l.rsplit(' ').next())
        .filter(|n| n.len() == 9 && n.starts_with('f') && n.ends_with(".txt"))
        .collect();
    let lines = names.len();
    names.sort_unstable();
    names.dedup();
    ensure!(
        lines == 3000 && names.len() == 3000,
        "listed {lines} file lines ({} distinct names), expected 3000 ({} lines in all)",
        names.len(),
        out.lines().count()
    );
    Ok(())
}

/// `ftp-cli ls … | head -1`: the reader takes one line and goes away.
fn ls_reader_stops_early(c: &Ctx) -> Outcome {
    for i in 0..3000 {
        c.put(format!("many/entry-{i:04}.txt"), b"x");
    }
    let url = c.url("many/");
    let mut child = c
        .cli_command()
        .args(["ls", &url])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut first = String::new();
    let stdout = child.stdout.take().ok_or("no stdout pipe")?;
    BufReader::new(stdout).read_line(&mut first)?;
    ensure!(first.contains("entry-"), "{first:?}");
    let out = child.wait_with_output()?;
    c.check_no_secret("ftp-cli ls", &out.stderr)?;
    ensure!(
        out.status.code() == Some(0),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    ensure!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

fn devices_and_stdout(c: &Ctx) -> Outcome {
    use std::os::unix::fs::FileTypeExt;
    c.put("f.txt", b"to a device");
    c.cli(&["cp", &c.url("f.txt"), "/dev/null"])?.expect_ok()?;
    ensure!(
        fs::metadata("/dev/null")?.file_type().is_char_device(),
        "/dev/null was replaced"
    );
    let run = c.cli_quiet(&["cp", &c.url("f.txt"), "-"])?;
    run.expect_ok()?;
    ensure!(run.stdout == b"to a device", "stdout: {:?}", run.out());
    c.cli(&["mv", &c.url("f.txt"), "/dev/null"])?
        .expect_code(2)?;
    ensure!(
        c.on_server("f.txt").exists(),
        "mv to a device removed the source"
    );
    // A device that is always full: a local error, named as such.
    if std::path::Path::new("/dev/full").exists() {
        let run = c.cli(&["cp", &c.url("f.txt"), "/dev/full"])?;
        run.expect_code(1)?;
        let line = run.error_line().unwrap_or_default();
        ensure!(
            line.contains("writing the downloaded data: No space left on device"),
            "{line}"
        );
    }
    Ok(())
}

/// `ftp-cli cp URL - | head -c 10`: the copy is not complete, so exit 1,
/// with one line saying why.
fn stdout_reader_goes_away(c: &Ctx) -> Outcome {
    c.put("big.bin", &vec![b'x'; 8 << 20]);
    let url = c.url("big.bin");
    let mut child = c
        .cli_command()
        .args(["cp", &url, "-"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut first = [0u8; 10];
    child
        .stdout
        .as_mut()
        .ok_or("no stdout pipe")?
        .read_exact(&mut first)?;
    ensure!(&first == b"xxxxxxxxxx", "{first:?}");
    drop(child.stdout.take());
    let out = child.wait_with_output()?;
    c.check_no_secret("ftp-cli cp", &out.stderr)?;
    let err = String::from_utf8_lossy(&out.stderr);
    ensure!(
        out.status.code() == Some(1),
        "exit {:?}: {err}",
        out.status.code()
    );
    ensure!(
        err.lines().count() == 1 && err.starts_with("ftp-cli: "),
        "one line per error: {err}"
    );
    ensure!(err.contains("writing the download: Broken pipe"), "{err}");
    Ok(())
}

fn anonymous_ls(c: &Ctx) -> Outcome {
    let content = b"Hello from the anonymous FTP area.\n";
    let path = c.anon_put("README.txt", content);
    let run = c.cli(&["ls", &c.anon_url(&format!("{}/", c.dir))])?;
    run.expect_ok()?;
    ensure!(
        listed(&run.out(), Some('-'), "README.txt", &[" 35 "]),
        "README.txt (35 bytes) not listed: {}",
        head(&run.out())
    );
    let run = c.cli(&["ls", &c.anon_url("")])?;
    run.expect_ok()?;
    ensure!(
        listed(&run.out(), Some('d'), &c.dir, &[]),
        "{} not in the anonymous root",
        c.dir
    );
    let dst = c.local("anon-readme.txt");
    c.cli(&["cp", &c.anon_url(&path), s(&dst)])?.expect_ok()?;
    has_content(&dst, content)
}

/// STOR into the anonymous root is refused (5xx), and nothing is left
/// there: neither the file nor a temporary one.
fn anonymous_upload_refused(c: &Ctx) -> Outcome {
    c.anon_put("marker.txt", b"x");
    let area = c.anon_on_server("");
    let before = Tree::of(&area);
    let name = format!("anon-up-{}.txt", c.dir);
    let src = c.write_local(&name, b"x\n");
    let run = c.cli(&["cp", s(&src), &c.anon_url(&name)])?;
    run.expect_failure(&["STOR"], |code| (500..600).contains(&code))?;
    let root = area.parent().ok_or("the anonymous root")?;
    absent(&root.join(&name))?;
    no_temporary_files(&[root])?;
    before.unchanged(&area, "anonymous area")?;
    ensure!(src.exists(), "the local source is gone");
    Ok(())
}

fn verbose(c: &Ctx) -> Outcome {
    let run = c.cli(&["ls", &c.url("")])?;
    run.expect_ok()?;
    let err = run.err();
    ensure!(
        err.lines().any(|l| l == "> PASS ****"),
        "-v transcript lacks '> PASS ****':\n{err}"
    );
    let user = format!("> USER {}", c.target.login.user);
    ensure!(
        err.lines().any(|l| l == user),
        "-v transcript lacks '{user}':\n{err}"
    );

    let src = c.write_local("v.txt", b"verbose");
    let run = c.cli(&["cp", s(&src), &c.url("v.txt")])?;
    run.expect_ok()?;
    let err = run.err();
    for expected in [
        "< 220",
        "> PASS ****",
        "< 230 ",
        "> TYPE I",
        "> EPSV",
        "> STOR ",
        "< 226",
        "> QUIT",
    ] {
        ensure!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    // A new file: looked for (MLST or SIZE), then stored under its name.
    ensure!(
        err.contains("> MLST ") || err.contains("> SIZE "),
        "the upload did not look at its target:\n{err}"
    );
    ensure!(!err.contains("> RNTO"), "a new file was renamed:\n{err}");
    let dst = c.local("w.txt");
    let run = c.cli_quiet(&["--verbose", "cp", &c.url("v.txt"), s(&dst)])?;
    run.expect_ok()?;
    let retr = format!("> RETR {}", c.path("v.txt"));
    ensure!(
        run.err().contains(&retr),
        "missing {retr:?} in:\n{}",
        run.err()
    );
    Ok(())
}

fn fail_download_missing(c: &Ctx) -> Outcome {
    let faildir = c.local("faildir");
    fs::create_dir(&faildir)?;
    let before = c.snapshot_both();
    let verb = format!("RETR {}", c.path("missing.bin"));
    let dst = faildir.join("missing.bin");
    c.cli_fails(&["cp", &c.url("missing.bin"), s(&dst)], &[&verb], |code| {
        code == 550
    })?;
    absent(&dst)?;
    c.cli_fails(
        &["cp", &c.url("missing.bin"), &format!("{}/", s(&faildir))],
        &[&verb],
        |code| code == 550,
    )?;
    c.unchanged_both(&before)?;
    // Onto an existing file, by cp and by mv: the file keeps its content.
    let keep = c.write_local("keep.txt", b"precious");
    let before = c.snapshot_both();
    c.cli_fails(&["cp", &c.url("missing.bin"), s(&keep)], &[&verb], |code| {
        code == 550
    })?;
    c.cli_fails(&["mv", &c.url("missing.bin"), s(&keep)], &[&verb], |code| {
        code == 550
    })?;
    has_content(&keep, b"precious")?;
    c.unchanged_both(&before)
}

fn fail_quiet_one_line(c: &Ctx) -> Outcome {
    let faildir = c.local("faildir");
    fs::create_dir(&faildir)?;
    let before = c.snapshot_both();
    let run = c.cli_quiet(&["cp", &c.url("missing.bin"), &format!("{}/", s(&faildir))])?;
    run.expect_code(1)?;
    let prefix = format!(
        "ftp-cli: cp {}://{}:****@{}/{}/missing.bin: RETR {}: 550 ",
        c.scheme(),
        c.target.login.user,
        c.addr,
        c.dir,
        c.path("missing.bin")
    );
    let err = run.err();
    ensure!(
        err.lines().count() == 1,
        "stderr has {} lines without -v, expected 1: {}",
        err.lines().count(),
        head(&err)
    );
    ensure!(
        err.starts_with(&prefix),
        "stderr {err:?} does not start with {prefix:?}"
    );
    ensure!(run.stdout.is_empty(), "stdout not empty");
    c.unchanged_both(&before)
}

fn fail_rmdir_non_empty(c: &Ctx) -> Outcome {
    c.put("full/inner.txt", b"");
    let before = c.snapshot_both();
    let verb = format!("RMD {}", c.path("full"));
    c.cli_fails(&["rmdir", &c.url("full/")], &[&verb], |code| {
        (500..600).contains(&code)
    })?;
    c.unchanged_both(&before)
}

fn fail_wrong_password(c: &Ctx) -> Outcome {
    let bad = "wrong-pw-7f3a";
    c.add_secret(bad);
    let before = c.snapshot_both();
    let run = c.cli(&["ls", &c.url_with_password(bad, "")])?;
    run.expect_failure(&["PASS", "login"], |code| code == 530)?;
    ensure!(
        run.err().contains("> PASS ****"),
        "-v transcript does not show 'PASS ****'"
    );
    let src = c.write_local("pw.txt", b"x\n");
    let before_upload = c.snapshot_both();
    c.cli_fails(
        &["cp", s(&src), &c.url_with_password(bad, "pw.txt")],
        &["PASS", "login"],
        |code| code == 530,
    )?;
    c.unchanged_both(&before_upload)?;
    before.1.unchanged(&c.on_server(""), "remote")
}

fn fail_upload_missing_dir(c: &Ctx) -> Outcome {
    let src = c.write_local("orphan.txt", b"nowhere to go\n");
    let before = c.snapshot_both();
    let verb = format!("STOR {}/", c.path("no-such-dir"));
    let is_5xx = |code| (550..560).contains(&code);
    c.cli_fails(
        &["cp", s(&src), &c.url("no-such-dir/orphan.txt")],
        &[&verb],
        is_5xx,
    )?;
    c.cli_fails(
        &["mv", s(&src), &c.url("no-such-dir/orphan.txt")],
        &[&verb],
        is_5xx,
    )?;
    c.cli_fails(&["cp", s(&src), &c.url("no-such-dir/")], &[&verb], is_5xx)?;
    c.unchanged_both(&before)
}

fn fail_mkdir_existing_rm_missing(c: &Ctx) -> Outcome {
    c.put_dir("exists-dir");
    let before = c.snapshot_both();
    let mkd = format!("MKD {}", c.path("exists-dir"));
    c.cli_fails(&["mkdir", &c.url("exists-dir/")], &[&mkd], |code| {
        (500..600).contains(&code)
    })?;
    let dele = format!("DELE {}", c.path("no-such-file.txt"));
    c.cli_fails(&["rm", &c.url("no-such-file.txt")], &[&dele], |code| {
        code == 550
    })?;
    c.unchanged_both(&before)
}

/// An existing local file, and downloads onto it that the server refuses:
/// a file it cannot read and a missing one.
fn fail_download_over_existing(c: &Ctx) -> Outcome {
    let keep = c.write_local("keep.txt", b"precious local content\n");
    let unreadable = c.put("unreadable.txt", b"secret\n");
    fs::set_permissions(&unreadable, fs::Permissions::from_mode(0o000))?;
    let before = c.snapshot_both();
    let verb = format!("RETR {}", c.path("unreadable.txt"));
    let is_5xx = |code| (500..600).contains(&code);
    c.cli_fails(
        &["cp", &c.url("unreadable.txt"), s(&keep)],
        &[&verb],
        is_5xx,
    )?;
    c.cli_fails(
        &["mv", &c.url("unreadable.txt"), s(&keep)],
        &[&verb],
        is_5xx,
    )?;
    let missing = format!("RETR {}", c.path("missing.bin"));
    c.cli_fails(
        &["cp", &c.url("missing.bin"), s(&keep)],
        &[&missing],
        |code| code == 550,
    )?;
    has_content(&keep, b"precious local content\n")?;
    c.unchanged_both(&before)
}

/// The transfer starts, then writing the local temporary file fails
/// (RLIMIT_FSIZE 1 MiB, SIGXFSZ ignored: write() returns EFBIG). The
/// existing destination keeps its content; no temporary file stays.
fn fail_download_midway(c: &Ctx) -> Outcome {
    c.put("midway.bin", &pattern(5 << 20, 14));
    let keep = c.write_local("midway.txt", b"precious local content\n");
    let before = c.snapshot_both();
    let limit = [
        "bash",
        "-c",
        "trap '' XFSZ; ulimit -f 1024; exec \"$@\"",
        "limit-1MiB",
    ];
    let run = c.cli_wrapped(&limit, &["cp", &c.url("midway.bin"), s(&keep)])?;
    run.expect_code(1)?;
    has_content(&keep, b"precious local content\n")?;
    c.unchanged_both(&before)?;
    let line = run.error_line().unwrap_or_default();
    ensure!(
        line.contains("File too large"),
        "the message hides the local cause (EFBIG): {line}"
    );
    Ok(())
}

/// Local errors: exit 1 naming the local path, nothing sent or removed.
fn fail_local_errors(c: &Ctx) -> Outcome {
    c.put("r.txt", b"remote");
    let before = c.snapshot_both();
    let missing = c.local("nope.txt");
    let run = c.cli(&["cp", s(&missing), &c.url("")])?;
    run.expect_code(1)?;
    ensure!(
        run.error_line().unwrap_or_default().contains("nope.txt"),
        "{}",
        run.err()
    );
    let no_dir = c.local("no/such/dir/r.txt");
    let run = c.cli(&["mv", &c.url("r.txt"), s(&no_dir)])?;
    run.expect_code(1)?;
    ensure!(
        run.error_line().unwrap_or_default().contains("no/such/dir"),
        "{}",
        run.err()
    );
    ensure!(c.on_server("r.txt").exists(), "mv removed its source");
    c.unchanged_both(&before)
}

fn ipv6(c: &Ctx) -> Outcome {
    let addr6 = c.target.addr6.ok_or("no IPv6 address")?;
    let login = &c.target.login;
    let url6 = |name: &str| {
        format!(
            "{}://{}:{}@{addr6}/{}/{name}",
            c.scheme(),
            login.user,
            login.password,
            c.dir
        )
    };
    let content = pattern(1 << 20, 15);
    c.put("v6.bin", &content);
    let dst = c.local("v6.bin");
    let run = c.cli(&["cp", &url6("v6.bin"), s(&dst)])?;
    run.expect_ok()?;
    has_content(&dst, &content)?;
    let err = run.err();
    ensure!(
        err.contains(&format!("connected to {addr6}")),
        "-v does not show a connection to {addr6}"
    );
    ensure!(
        err.lines().any(|l| l.starts_with("> EPSV")),
        "no EPSV over IPv6"
    );
    c.cli(&["cp", s(&dst), &url6("v6-up.bin")])?.expect_ok()?;
    has_content(&c.on_server("v6-up.bin"), &content)
}

// ------------------------------------------------------------ several sources

/// How many sessions a `-v` run logged in (a connection made again before
/// the login, as for implicit TLS with proFTPD, is not another session).
fn sessions(run: &crate::ctx::Run) -> usize {
    run.err()
        .lines()
        .filter(|l| l.starts_with("> USER "))
        .count()
}

/// `cp a b c URL/`: three files into a remote directory, one session.
fn cp_several_upload(c: &Ctx) -> Outcome {
    c.put_dir("in");
    let files: Vec<(String, Vec<u8>)> = (0..3u32)
        .map(|i| {
            (
                format!("f{i}.bin"),
                pattern(1000 + i as usize * 300_007, 60 + i),
            )
        })
        .collect();
    let mut args = vec!["cp".to_owned()];
    for (name, content) in &files {
        args.push(c.write_local(name, content).to_string_lossy().into_owned());
    }
    args.push(c.url("in/"));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = c.cli(&args)?;
    run.expect_ok()?;
    for (name, content) in &files {
        has_content(&c.on_server("in").join(name), content)?;
    }
    ensure!(
        sessions(&run) == 1,
        "{} sessions:\n{}",
        sessions(&run),
        run.err()
    );
    let total: usize = files.iter().map(|(_, f)| f.len()).sum();
    let summary = format!("ftp-cli: cp: 3 files, {total} bytes, 0 failures");
    ensure!(
        run.err().contains(&summary),
        "no {summary:?} in:\n{}",
        run.err()
    );
    no_temporary_files(&[c.local_dir(), &c.on_server("")])
}

/// `cp URL/a URL/missing URL/b dir/`: the missing file is reported, the
/// others copied, exit 1 with the summary.
fn cp_several_download(c: &Ctx) -> Outcome {
    let a = pattern(400_003, 64);
    let b = pattern(17, 65);
    c.put("a.bin", &a);
    c.put("b.bin", &b);
    let dir = c.local("into");
    fs::create_dir(&dir)?;
    let run = c.cli(&[
        "cp",
        &c.url("a.bin"),
        &c.url("missing.bin"),
        &c.url("b.bin"),
        &dir.to_string_lossy(),
    ])?;
    run.expect_code(1)?;
    has_content(&dir.join("a.bin"), &a)?;
    has_content(&dir.join("b.bin"), &b)?;
    absent(&dir.join("missing.bin"))?;
    let err = run.err();
    ensure!(
        err.lines().any(|l| l.starts_with("ftp-cli: cp ")
            && l.contains("missing.bin")
            && l.contains("RETR")),
        "the missing file is not reported:\n{err}"
    );
    let summary = format!(
        "ftp-cli: cp: 2 files, {} bytes, 1 failures",
        a.len() + b.len()
    );
    ensure!(
        run.error_line() == Some(summary.clone()),
        "the last line is not {summary:?}:\n{err}"
    );
    ensure!(sessions(&run) == 1, "{} sessions:\n{err}", sessions(&run));
    no_temporary_files(&[c.local_dir(), &c.on_server("")])
}

/// `mv` of two files each way: each source deleted once its copy is there.
fn mv_several(c: &Ctx) -> Outcome {
    let a = pattern(30_001, 66);
    let b = pattern(5, 67);
    c.put("a.bin", &a);
    c.put("b.bin", &b);
    let dir = c.local("down");
    fs::create_dir(&dir)?;
    let run = c.cli(&[
        "mv",
        &c.url("a.bin"),
        &c.url("b.bin"),
        &dir.to_string_lossy(),
    ])?;
    run.expect_ok()?;
    has_content(&dir.join("a.bin"), &a)?;
    has_content(&dir.join("b.bin"), &b)?;
    absent(&c.on_server("a.bin"))?;
    absent(&c.on_server("b.bin"))?;
    c.put_dir("up");
    let (la, lb) = (dir.join("a.bin"), dir.join("b.bin"));
    let run = c.cli(&[
        "mv",
        &la.to_string_lossy(),
        &lb.to_string_lossy(),
        &c.url("up/"),
    ])?;
    run.expect_ok()?;
    has_content(&c.on_server("up/a.bin"), &a)?;
    has_content(&c.on_server("up/b.bin"), &b)?;
    absent(&la)?;
    absent(&lb)?;
    ensure!(
        sessions(&run) == 1,
        "{} sessions:\n{}",
        sessions(&run),
        run.err()
    );
    Ok(())
}

/// Several sources into what is no directory, mixed sides, two servers,
/// -r or -C: usage errors (exit 2) before anything changes.
fn several_usage_errors(c: &Ctx) -> Outcome {
    c.put("a.bin", b"a");
    let local = c.write_local("l.bin", b"l");
    let local = local.to_string_lossy().into_owned();
    let dir = c.local_dir().to_string_lossy().into_owned();
    let other = format!("ftp://nobody:x@127.0.0.1:1/{}/a.bin", c.dir);
    let (a, no_slash, root) = (c.url("a.bin"), c.url("no-slash"), c.url(""));
    let nowhere = c.local("nowhere").to_string_lossy().into_owned();
    let before = c.snapshot_both();
    for args in [
        vec!["cp", &local, &local, &no_slash],
        vec!["cp", &a, &a, &nowhere],
        vec!["cp", &local, &a, &root],
        vec!["cp", &a, &other, &dir],
        vec!["mv", &a, &local, &dir],
        vec!["cp", "-r", &a, &a, &dir],
        vec!["cp", "-C", &a, &a, &dir],
    ] {
        let run = c.cli_quiet(&args)?;
        run.expect_code(2)?;
        ensure!(
            run.err().lines().count() == 1,
            "{}: not one line:\n{}",
            run.shown,
            run.err()
        );
    }
    c.unchanged_both(&before)
}
