//! The `ftp-cli` binary against a real FTP server (libunftp) started
//! in-process: every command, the error paths and the exit codes.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use ftp_suite::{FtpsSetup, Leaf, PASSWORD, TestPki, TestServer};

fn ftp_cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftp-cli"))
        .args(args)
        .output()
        .expect("run ftp-cli")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Asserts the exit code, that the password appears nowhere, and that an
/// error is exactly one line.
fn check(output: &Output, code: i32) {
    let (out, err) = (stdout(output), stderr(output));
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {out}\nstderr: {err}"
    );
    assert!(
        !out.contains(PASSWORD) && !err.contains(PASSWORD),
        "password shown:\n{out}\n{err}"
    );
    if code != 0 {
        assert_eq!(err.lines().count(), 1, "one line per error: {err}");
        assert!(err.starts_with("ftp-cli: "), "{err}");
    }
}

/// A server to run a case against, and the options the CLI needs for it.
struct Target {
    server: TestServer,
    /// Options added after the command's arguments (global ones work
    /// there, as in `ftp-cli cp a b --cacert ca.pem`).
    options: Vec<String>,
    _pki: Option<TestPki>,
}

impl Target {
    fn plain() -> Target {
        Target {
            server: TestServer::start(),
            options: Vec::new(),
            _pki: None,
        }
    }

    /// libunftp requiring explicit TLS; its URLs are `ftpes://`.
    fn ftps() -> Target {
        let pki = TestPki::new();
        let server = TestServer::start_ftps(FtpsSetup {
            leaf: pki.leaf(Leaf::Good),
            tls13: true,
        });
        Target {
            server,
            options: vec!["--cacert".to_owned(), pki.ca_file().display().to_string()],
            _pki: Some(pki),
        }
    }

    fn cli(&self, args: &[&str]) -> Output {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(self.options.iter().map(String::as_str));
        ftp_cli(&all)
    }
}

/// Runs each case against the plain server and the FTPS one.
macro_rules! plain_and_ftps {
    ($($case:ident),* $(,)?) => {
        mod plain {
            $( #[test] fn $case() { super::$case(&super::Target::plain()) } )*
        }
        mod ftps {
            $( #[test] fn $case() { super::$case(&super::Target::ftps()) } )*
        }
    };
}

plain_and_ftps!(
    mkdir_ls_rm_rmdir,
    cp_both_directions_with_directory_targets,
    cp_zero_bytes_and_a_large_file,
    mv_deletes_the_source_only_after_the_copy,
    failed_download_leaves_no_file_and_keeps_an_existing_one,
    failed_upload_leaves_the_remote_side_unchanged,
    server_refusals_exit_1_with_the_reply,
    local_errors_exit_1_and_send_nothing,
);

/// Files in `dir`, temporary ones included, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn mkdir_ls_rm_rmdir(t: &Target) {
    let server = &t.server;
    check(&t.cli(&["mkdir", &server.url("docs/")]), 0);
    assert!(server.root().join("docs").is_dir());
    fs::write(server.root().join("docs/a.txt"), b"a").unwrap();
    let out = t.cli(&["ls", &server.url("docs/")]);
    check(&out, 0);
    assert!(
        stdout(&out).lines().any(|l| l.ends_with(" a.txt")),
        "{}",
        stdout(&out)
    );
    check(&t.cli(&["rm", &server.url("docs/a.txt")]), 0);
    assert!(!server.root().join("docs/a.txt").exists());
    check(&t.cli(&["rmdir", &server.url("docs/")]), 0);
    assert!(!server.root().join("docs").exists());
}

fn cp_both_directions_with_directory_targets(t: &Target) {
    let server = &t.server;
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("report 2026 ü.csv");
    fs::write(&src, b"a,b\n1,2\n").unwrap();

    // Upload to a URL ending in '/': the local name is appended.
    check(&t.cli(&["cp", src.to_str().unwrap(), &server.url("")]), 0);
    assert_eq!(
        fs::read(server.root().join("report 2026 ü.csv")).unwrap(),
        b"a,b\n1,2\n"
    );
    assert!(src.exists(), "cp keeps its source");

    // Download into an existing directory: the remote name is appended.
    let into = local.path().join("into");
    fs::create_dir(&into).unwrap();
    let url = server.url("report%202026%20%C3%BC.csv");
    check(&t.cli(&["cp", &url, into.to_str().unwrap()]), 0);
    assert_eq!(
        fs::read(into.join("report 2026 ü.csv")).unwrap(),
        b"a,b\n1,2\n"
    );
    assert_eq!(
        entries(&into),
        ["report 2026 ü.csv"],
        "no temporary file left"
    );
    assert_eq!(
        entries(server.root()),
        ["report 2026 ü.csv"],
        "no temporary file left"
    );
}

fn cp_zero_bytes_and_a_large_file(t: &Target) {
    let server = &t.server;
    let local = tempfile::tempdir().unwrap();
    let empty = local.path().join("empty");
    fs::write(&empty, b"").unwrap();
    check(
        &t.cli(&["cp", empty.to_str().unwrap(), &server.url("empty")]),
        0,
    );
    assert_eq!(fs::metadata(server.root().join("empty")).unwrap().len(), 0);
    let back = local.path().join("empty-back");
    check(
        &t.cli(&["cp", &server.url("empty"), back.to_str().unwrap()]),
        0,
    );
    assert_eq!(fs::metadata(&back).unwrap().len(), 0);

    let content: Vec<u8> = (0..(8u32 << 20))
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let big = local.path().join("big.bin");
    fs::write(&big, &content).unwrap();
    check(
        &t.cli(&["cp", big.to_str().unwrap(), &server.url("big.bin")]),
        0,
    );
    let back = local.path().join("big-back.bin");
    check(
        &t.cli(&["cp", &server.url("big.bin"), back.to_str().unwrap()]),
        0,
    );
    assert!(fs::read(&back).unwrap() == content);
}

fn mv_deletes_the_source_only_after_the_copy(t: &Target) {
    let server = &t.server;
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("up.txt");
    fs::write(&src, b"moving up").unwrap();
    check(
        &t.cli(&["mv", src.to_str().unwrap(), &server.url("up.txt")]),
        0,
    );
    assert!(!src.exists());
    assert_eq!(
        fs::read(server.root().join("up.txt")).unwrap(),
        b"moving up"
    );

    let dst = local.path().join("down.txt");
    check(
        &t.cli(&["mv", &server.url("up.txt"), dst.to_str().unwrap()]),
        0,
    );
    assert!(!server.root().join("up.txt").exists());
    assert_eq!(fs::read(&dst).unwrap(), b"moving up");
}

fn failed_download_leaves_no_file_and_keeps_an_existing_one(t: &Target) {
    let server = &t.server;
    let local = tempfile::tempdir().unwrap();
    let out = t.cli(&[
        "cp",
        &server.url("missing.txt"),
        local.path().to_str().unwrap(),
    ]);
    check(&out, 1);
    assert!(
        stderr(&out).contains("RETR missing.txt: 550"),
        "{}",
        stderr(&out)
    );
    assert!(
        entries(local.path()).is_empty(),
        "{:?}",
        entries(local.path())
    );

    let existing = local.path().join("keep.txt");
    fs::write(&existing, b"precious").unwrap();
    let out = t.cli(&["cp", &server.url("missing.txt"), existing.to_str().unwrap()]);
    check(&out, 1);
    assert_eq!(fs::read(&existing).unwrap(), b"precious");
    assert_eq!(entries(local.path()), ["keep.txt"]);

    let out = t.cli(&["mv", &server.url("missing.txt"), existing.to_str().unwrap()]);
    check(&out, 1);
    assert_eq!(fs::read(&existing).unwrap(), b"precious");
}

fn failed_upload_leaves_the_remote_side_unchanged(t: &Target) {
    let server = &t.server;
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("f.txt");
    fs::write(&src, b"data").unwrap();
    let out = t.cli(&[
        "mv",
        src.to_str().unwrap(),
        &server.url("no/such/dir/f.txt"),
    ]);
    check(&out, 1);
    assert!(
        stderr(&out).contains(": 550") || stderr(&out).contains(": 553"),
        "{}",
        stderr(&out)
    );
    assert!(src.exists(), "mv keeps its source when the upload fails");
    assert!(entries(server.root()).is_empty());
}

fn server_refusals_exit_1_with_the_reply(t: &Target) {
    let server = &t.server;
    fs::create_dir(server.root().join("full")).unwrap();
    fs::write(server.root().join("full/f"), b"x").unwrap();
    let out = t.cli(&["rmdir", &server.url("full/")]);
    check(&out, 1);
    assert!(stderr(&out).contains("RMD full: 550"), "{}", stderr(&out));
    assert!(server.root().join("full/f").exists());

    let out = t.cli(&["rm", &server.url("nothing-here")]);
    check(&out, 1);
    assert!(
        stderr(&out).contains("DELE nothing-here: 550"),
        "{}",
        stderr(&out)
    );

    let wrong = server.url("").replace(PASSWORD, "wrong-pw");
    let out = t.cli(&["ls", &wrong]);
    check(&out, 1);
    assert!(stderr(&out).contains("530"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("wrong-pw"), "{}", stderr(&out));
}

fn local_errors_exit_1_and_send_nothing(t: &Target) {
    let server = &t.server;
    fs::write(server.root().join("r.txt"), b"remote").unwrap();
    let local = tempfile::tempdir().unwrap();
    let missing = local.path().join("nope.txt");
    let out = t.cli(&["cp", missing.to_str().unwrap(), &server.url("")]);
    check(&out, 1);
    assert!(stderr(&out).contains("nope.txt"), "{}", stderr(&out));
    assert_eq!(entries(server.root()), ["r.txt"]);

    let no_dir = local.path().join("no/such/dir/r.txt");
    let out = t.cli(&["mv", &server.url("r.txt"), no_dir.to_str().unwrap()]);
    check(&out, 1);
    assert!(stderr(&out).contains("no/such/dir"), "{}", stderr(&out));
    assert!(server.root().join("r.txt").exists(), "mv keeps its source");
}

#[test]
fn usage_errors_exit_2() {
    let server = TestServer::start();
    for args in [
        vec!["cp", "a", "b"],
        vec!["cp", "ftp://h/a", "ftp://h/b"],
        vec!["ls", "http://example.net/"],
        vec!["ls", "ftp://"],
        vec!["ls", "ftp://h:99999/"],
        vec!["ls", "ftp://h/bad%zzescape"],
        vec!["ls", "not-a-url"],
        vec!["frobnicate"],
        vec![],
    ] {
        let out = ftp_cli(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    // CR/LF/NUL in any decoded part: refused before connecting (the
    // server would log a login if anything were sent).
    for part in ["a%0d%0aDELE%20b", "a%00"] {
        let url = format!("ftp://{}/{}", server.addr(), part);
        let out = ftp_cli(&["rm", &url]);
        assert_eq!(out.status.code(), Some(2), "{url}: {}", stderr(&out));
        let url = format!("ftp://user{part}:pw@{}/", server.addr());
        let out = ftp_cli(&["ls", &url]);
        assert_eq!(out.status.code(), Some(2), "{url}: {}", stderr(&out));
    }
}

#[test]
fn verbose_shows_the_conversation_without_the_password() {
    let server = TestServer::start();
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("v.txt");
    fs::write(&src, b"verbose").unwrap();
    let out = ftp_cli(&["cp", src.to_str().unwrap(), &server.url("v.txt"), "-v"]);
    check(&out, 0);
    let err = stderr(&out);
    for expected in [
        "< 220 ",
        "> USER test",
        "> PASS ****",
        "< 230 ",
        "> TYPE I",
        "> SIZE v.txt",
        "< 550 ",
        "> EPSV",
        "> STOR v.txt",
        "< 226 ",
        "> QUIT",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    let out = ftp_cli(&[
        "--verbose",
        "cp",
        &server.url("v.txt"),
        local.path().join("w.txt").to_str().unwrap(),
    ]);
    check(&out, 0);
    assert!(stderr(&out).contains("> RETR v.txt"), "{}", stderr(&out));
}

#[test]
fn help_explains_every_command_with_examples() {
    let out = ftp_cli(&["--help"]);
    check(&out, 0);
    let help = stdout(&out);
    for word in [
        "ls",
        "mkdir",
        "rm",
        "rmdir",
        "cp",
        "mv",
        "--verbose",
        "ftp://[user[:password]@]host[:port]/path",
        "Examples:",
    ] {
        assert!(help.contains(word), "{word} missing from --help:\n{help}");
    }
    for command in ["ls", "mkdir", "rm", "rmdir", "cp", "mv"] {
        let out = ftp_cli(&[command, "--help"]);
        check(&out, 0);
        assert!(
            stdout(&out).contains("ftp-cli "),
            "{command} --help has no example"
        );
    }
}

#[test]
fn downloads_to_devices_and_stdout_are_written_in_place() {
    let server = TestServer::start();
    fs::write(server.root().join("f.txt"), b"to a device").unwrap();
    check(&ftp_cli(&["cp", &server.url("f.txt"), "/dev/null"]), 0);
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let null = fs::metadata("/dev/null").unwrap();
        assert!(null.file_type().is_char_device(), "/dev/null was replaced");
    }
    let out = ftp_cli(&["cp", &server.url("f.txt"), "-"]);
    check(&out, 0);
    assert_eq!(out.stdout, b"to a device");
    let out = ftp_cli(&["mv", &server.url("f.txt"), "/dev/null"]);
    check(&out, 2);
    assert!(server.root().join("f.txt").exists());
    // A device that is always full: a local error, named as such.
    if Path::new("/dev/full").exists() {
        let out = ftp_cli(&["cp", &server.url("f.txt"), "/dev/full"]);
        check(&out, 1);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("writing the downloaded data: No space left on device"),
            "{err}"
        );
    }
}

#[test]
fn ls_prints_the_servers_bytes_with_lf_line_ends() {
    // A name that is not UTF-8, and a listing whose last line has no line
    // break: printed byte for byte, each line ending in LF.
    let server = ftp_suite::FaultServer::start(|peer| {
        peer.login()?;
        let mut data = peer.answer_transfer("LIST", "150 Here comes the listing")?;
        std::io::Write::write_all(
            &mut data,
            b"-rw-r--r-- 1 ftp ftp 3 Nov 22 10:00 caf\xe9.txt\r\n-rw-r--r-- 1 ftp ftp 1 Nov 22 10:00 b c\r\nlast",
        )?;
        drop(data);
        peer.reply("226 Done")?;
        peer.drain()
    });
    let out = ftp_cli(&["ls", &server.url("")]);
    check(&out, 0);
    assert_eq!(
        out.stdout,
        b"-rw-r--r-- 1 ftp ftp 3 Nov 22 10:00 caf\xe9.txt\n-rw-r--r-- 1 ftp ftp 1 Nov 22 10:00 b c\nlast\n"
    );
}

#[test]
fn ls_into_a_reader_that_stops_early_is_not_an_error() {
    let server = TestServer::start();
    fs::create_dir(server.root().join("many")).unwrap();
    for i in 0..3000 {
        fs::write(server.root().join(format!("many/entry-{i:04}.txt")), b"x").unwrap();
    }
    // `ftp-cli ls … | head -1`: the reader takes one line and goes away.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftp-cli"))
        .args(["ls", &server.url("many/")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    assert!(first.contains("entry-"), "{first:?}");
    let out = child.wait_with_output().unwrap();
    check(&out, 0);
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}

#[test]
fn download_to_stdout_whose_reader_goes_away_fails_cleanly() {
    let server = TestServer::start();
    fs::write(server.root().join("big.bin"), vec![b'x'; 8 << 20]).unwrap();
    // `ftp-cli cp URL - | head -c 10`: the copy is not complete, so exit 1,
    // with one line saying why.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftp-cli"))
        .args(["cp", &server.url("big.bin"), "-"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    assert_eq!(&first, b"xxxxxxxxxx");
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    check(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("writing the download: Broken pipe"), "{err}");
}
