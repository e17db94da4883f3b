//! Every library operation against a real FTP server (libunftp) started
//! in-process on 127.0.0.1.

use std::fs;
use std::io::{Read, Write};

use ftp_client::{Client, Config, Error, FtpUrl};
use ftp_suite::{PASSWORD, TestServer, USER};

fn login(server: &TestServer) -> Client {
    let mut client = Client::connect(server.addr(), Config::default()).expect("connect");
    client.login(USER, PASSWORD).expect("login");
    client
}

/// Deterministic bytes that are not a repeating pattern of small period.
fn pseudo_random(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[test]
fn directory_operations() {
    let server = TestServer::start();
    let mut ftp = login(&server);
    assert_eq!(ftp.pwd().unwrap(), b"/");
    ftp.mkdir("a").unwrap();
    ftp.mkdir("a/b").unwrap();
    assert!(server.root().join("a/b").is_dir());
    ftp.cwd("a").unwrap();
    assert_eq!(ftp.pwd().unwrap(), b"/a");
    ftp.rmdir("b").unwrap();
    assert!(!server.root().join("a/b").exists());
    ftp.cwd("/").unwrap();
    ftp.rmdir("a").unwrap();
    assert!(!server.root().join("a").exists());
    ftp.noop().unwrap();
    ftp.quit().unwrap();
}

#[test]
fn upload_list_download_rename_delete() {
    let server = TestServer::start();
    let mut ftp = login(&server);
    let content = pseudo_random(100_000);
    assert_eq!(ftp.store("f.bin", &mut &content[..]).unwrap(), 100_000);
    assert_eq!(fs::read(server.root().join("f.bin")).unwrap(), content);
    assert_eq!(ftp.size("f.bin").unwrap(), 100_000);
    let modified = ftp.mdtm("f.bin").unwrap();
    assert!(modified.year >= 2024, "{modified:?}");

    let listing = ftp.list("").unwrap();
    assert_eq!(listing.len(), 1, "{listing:?}");
    assert!(listing[0].ends_with(" f.bin"), "{listing:?}");
    assert_eq!(ftp.nlst("").unwrap(), ["f.bin"]);

    let mut copy = Vec::new();
    assert_eq!(ftp.retrieve("f.bin", &mut copy).unwrap(), 100_000);
    assert_eq!(copy, content);

    ftp.rename("f.bin", "g.bin").unwrap();
    assert!(server.root().join("g.bin").is_file());
    assert!(!server.root().join("f.bin").exists());
    ftp.delete("g.bin").unwrap();
    assert!(!server.root().join("g.bin").exists());
}

#[test]
fn streams_finish_explicitly() {
    let server = TestServer::start();
    let mut ftp = login(&server);
    let mut upload = ftp.store_stream("stream.txt").unwrap();
    for i in 0..1000 {
        writeln!(upload, "line {i}").unwrap();
    }
    let sent = upload.finish().unwrap();
    assert_eq!(
        sent,
        fs::metadata(server.root().join("stream.txt"))
            .unwrap()
            .len()
    );

    let mut download = ftp.retrieve_stream("stream.txt").unwrap();
    let mut text = String::new();
    download.read_to_string(&mut text).unwrap();
    assert_eq!(download.finish().unwrap(), sent);
    assert_eq!(text.lines().count(), 1000);
    assert_eq!(text.lines().last(), Some("line 999"));

    // A download dropped half-read ends cleanly; the session goes on.
    ftp.store("big.bin", &mut &pseudo_random(4 << 20)[..])
        .unwrap();
    {
        let mut download = ftp.retrieve_stream("big.bin").unwrap();
        let mut first = [0u8; 1000];
        download.read_exact(&mut first).unwrap();
    }
    ftp.noop().unwrap();
}

#[test]
fn unfinished_download_is_an_error_not_a_success() {
    let server = TestServer::start();
    let mut ftp = login(&server);
    ftp.store("big.bin", &mut &pseudo_random(4 << 20)[..])
        .unwrap();
    let mut download = ftp.retrieve_stream("big.bin").unwrap();
    let mut first = [0u8; 1000];
    download.read_exact(&mut first).unwrap();
    // The server sees the data connection closed early and says so (426);
    // a server that already sent everything would answer 226, and then
    // the client's own check names the unread data.
    let err = download.finish().unwrap_err();
    assert!(
        err.code() == Some(426) || err.to_string().contains("not read to its end"),
        "{err}"
    );
    ftp.noop().unwrap();
}

#[test]
fn names_with_spaces_and_utf8() {
    let server = TestServer::start();
    let mut ftp = login(&server);
    let name = "my dir ü/naïve file ✓.txt";
    ftp.mkdir("my dir ü").unwrap();
    ftp.store(name, &mut &b"hello"[..]).unwrap();
    assert_eq!(fs::read(server.root().join(name)).unwrap(), b"hello");
    assert_eq!(ftp.nlst("my dir ü").unwrap(), ["naïve file ✓.txt"]);
    let mut copy = Vec::new();
    ftp.retrieve(name, &mut copy).unwrap();
    assert_eq!(copy, b"hello");
}

#[test]
fn zero_byte_file() {
    let server = TestServer::start();
    let mut ftp = login(&server);
    assert_eq!(ftp.store("empty", &mut &b""[..]).unwrap(), 0);
    assert_eq!(fs::metadata(server.root().join("empty")).unwrap().len(), 0);
    let mut copy = vec![1, 2, 3];
    copy.clear();
    assert_eq!(ftp.retrieve("empty", &mut copy).unwrap(), 0);
    assert!(copy.is_empty());
    assert_eq!(ftp.size("empty").unwrap(), 0);
}

#[test]
fn fifty_mebibytes_byte_for_byte_from_and_to_files() {
    let server = TestServer::start();
    let local = tempfile::tempdir().unwrap();
    let content = pseudo_random(50 << 20);
    let source = local.path().join("source.bin");
    fs::write(&source, &content).unwrap();

    let mut ftp = login(&server);
    let mut file = fs::File::open(&source).unwrap();
    assert_eq!(ftp.store("big.bin", &mut file).unwrap(), 50 << 20);
    assert!(fs::read(server.root().join("big.bin")).unwrap() == content);

    let target = local.path().join("copy.bin");
    let mut out = fs::File::create(&target).unwrap();
    assert_eq!(ftp.retrieve("big.bin", &mut out).unwrap(), 50 << 20);
    drop(out);
    assert!(fs::read(&target).unwrap() == content);

    // The zero-copy paths: sendfile up, splice down.
    let mut file = fs::File::open(&source).unwrap();
    assert_eq!(ftp.store_file("big2.bin", &mut file).unwrap(), 50 << 20);
    assert!(fs::read(server.root().join("big2.bin")).unwrap() == content);
    let target = local.path().join("copy2.bin");
    let mut out = fs::File::create(&target).unwrap();
    assert_eq!(ftp.retrieve_file("big2.bin", &mut out).unwrap(), 50 << 20);
    drop(out);
    assert!(fs::read(&target).unwrap() == content);
}

#[test]
fn retrieve_file_into_a_file_that_refuses_splice() {
    let server = TestServer::start();
    let content = pseudo_random(3 << 20);
    fs::write(server.root().join("f.bin"), &content).unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("log.bin");
    fs::write(&target, b"head:").unwrap();
    let mut ftp = login(&server);

    // Opened for appending: splice refuses it; the data goes through memory.
    let mut out = fs::OpenOptions::new().append(true).open(&target).unwrap();
    assert_eq!(ftp.retrieve_file("f.bin", &mut out).unwrap(), 3 << 20);
    drop(out);
    let written = fs::read(&target).unwrap();
    assert_eq!(&written[..5], b"head:");
    assert!(written[5..] == content[..]);

    // /dev/full refuses splice, then every write (like a full disk): a
    // local error, and the session stays usable.
    if let Ok(mut full) = fs::OpenOptions::new().write(true).open("/dev/full") {
        let err = ftp.retrieve_file("f.bin", &mut full).unwrap_err();
        assert!(
            err.to_string().starts_with("writing the downloaded data:"),
            "{err}"
        );
        assert_eq!(err.code(), None, "{err}");
        ftp.noop().unwrap();
    }
}

#[test]
fn listing_of_3000_entries_is_complete() {
    let server = TestServer::start();
    fs::create_dir(server.root().join("many")).unwrap();
    for i in 0..3000 {
        fs::write(server.root().join(format!("many/file-{i:04}.txt")), b"x").unwrap();
    }
    let mut ftp = login(&server);
    let listing = ftp.list("many").unwrap();
    assert_eq!(listing.len(), 3000);
    let mut names = ftp.nlst("many").unwrap();
    names.sort();
    let expected: Vec<String> = (0..3000).map(|i| format!("file-{i:04}.txt")).collect();
    assert_eq!(names, expected);
}

#[test]
fn refusals_keep_the_reply_and_the_session() {
    let server = TestServer::start();
    let mut ftp = login(&server);
    let err = ftp.retrieve("missing.txt", &mut Vec::new()).unwrap_err();
    assert_eq!(err.code(), Some(550), "{err}");
    assert!(!err.is_transient());
    assert!(
        err.to_string().starts_with("RETR missing.txt: 550"),
        "{err}"
    );
    let err = ftp.rmdir("nope").unwrap_err();
    assert_eq!(err.code(), Some(550), "{err}");
    let err = ftp.size("nope").unwrap_err();
    assert_eq!(err.code(), Some(550), "{err}");
    fs::create_dir(server.root().join("full")).unwrap();
    fs::write(server.root().join("full/f"), b"x").unwrap();
    let err = ftp.rmdir("full").unwrap_err();
    assert!(matches!(err, Error::Refused { .. }), "{err}");
    ftp.noop().unwrap();

    let reply = ftp.raw("SYST").unwrap();
    assert_eq!(reply.code().get(), 215);
    let reply = ftp.raw("XYZZY").unwrap();
    assert!(reply.code().get() >= 500, "raw returns refusals as replies");
    assert!(ftp.features().unwrap().supports("SIZE"));
}

#[test]
fn wrong_password_is_refused_with_530_and_no_password_in_the_error() {
    let server = TestServer::start();
    let mut client = Client::connect(server.addr(), Config::default()).unwrap();
    let err = client.login(USER, "not-the-password").unwrap_err();
    assert_eq!(err.code(), Some(530), "{err}");
    assert!(!err.to_string().contains("not-the-password"), "{err}");
    assert!(err.to_string().contains("PASS ****"), "{err}");
}

#[test]
fn connect_url_logs_in_anonymously_by_default() {
    let server = TestServer::start();
    fs::write(server.root().join("pub.txt"), b"public").unwrap();
    let url = FtpUrl::parse(&server.anonymous_url("")).unwrap();
    assert_eq!(url.user(), "anonymous");
    let mut ftp = Client::connect_url(&url, Config::default()).unwrap();
    let mut copy = Vec::new();
    ftp.retrieve("pub.txt", &mut copy).unwrap();
    assert_eq!(copy, b"public");
}

#[test]
fn line_breaks_in_arguments_are_refused_before_sending() {
    let server = TestServer::start();
    fs::write(server.root().join("keep"), b"x").unwrap();
    let mut ftp = login(&server);
    for bad in ["a\r\nDELE keep", "a\nDELE keep", "a\0b"] {
        let err = ftp.delete(bad).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
    }
    assert!(server.root().join("keep").exists());
    ftp.noop().unwrap();
}

#[test]
fn connection_refused_is_a_clear_io_error() {
    // Bind then drop a listener: the port is then almost surely closed.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = Client::connect(addr, Config::default()).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(
        err.to_string().contains(&format!("connecting to {addr}")),
        "{err}"
    );
}

#[test]
fn store_file_sends_the_rest_of_the_file() {
    use std::io::{Seek, SeekFrom};
    let server = TestServer::start();
    let local = tempfile::tempdir().unwrap();
    let content = pseudo_random(3 << 20);
    let path = local.path().join("f.bin");
    fs::write(&path, &content).unwrap();
    let mut ftp = login(&server);
    let mut file = fs::File::open(&path).unwrap();
    assert_eq!(ftp.store_file("whole.bin", &mut file).unwrap(), 3 << 20);
    assert!(fs::read(server.root().join("whole.bin")).unwrap() == content);
    file.seek(SeekFrom::Start(1000)).unwrap();
    assert_eq!(
        ftp.store_file("tail.bin", &mut file).unwrap(),
        (3 << 20) - 1000
    );
    assert!(fs::read(server.root().join("tail.bin")).unwrap() == content[1000..]);
}

#[test]
fn abandoned_download_closes_the_session_at_once() {
    let server = TestServer::start();
    fs::write(server.root().join("big.bin"), pseudo_random(8 << 20)).unwrap();
    let mut ftp = login(&server);
    let mut download = ftp.retrieve_stream("big.bin").unwrap();
    let mut first = [0u8; 1000];
    std::io::Read::read_exact(&mut download, &mut first).unwrap();
    download.abandon();
    let err = ftp.noop().unwrap_err();
    assert!(err.to_string().contains("closed"), "{err}");
}
