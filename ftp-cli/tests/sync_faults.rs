//! `ftp-cli sync` against a scripted server, for what real servers do not
//! do on demand: a source listing refused or cut short half way (nothing
//! is deleted, exit 1), and a `LIST`-only server whose times are to the
//! day, without MDTM (a second run copies nothing, not the same files
//! forever). The corrupted digest also serves `cp -r --verify` and
//! `mv --verify`.

use std::fs;
use std::io::{self, Write};

use ftp_suite::FaultServer;
use ftp_suite::fault::Peer;

mod common;
use common::{ftp_cli_with, stderr};

/// Options every run here takes.
const OPTIONS: &[&str] = &["--timeout", "1.5"];

/// How the listing of `top/sub` goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// None: a whole listing.
    None,
    /// `450` instead of the listing.
    Refused,
    /// One line, then the data connection closes and `426`.
    Cut,
    /// The server has HASH, and its digest of `top/a` is not of the bytes
    /// it sent (a corrupted download, or a file changed since).
    BadDigest,
    /// `top` also lists names that are more than one path component.
    Hostile,
}

/// What [`Fault::Hostile`] adds to the listing of `top`.
const HOSTILE: &str = "-rw-r--r--   1 ftp ftp        5 Jan 01  2020 ../escape\r\n\
                       -rw-r--r--   1 ftp ftp        5 Jan 01  2020 /tmp/abs\r\n\
                       drwxr-xr-x   2 ftp ftp     4096 Jan 01  2020 ..\\up\r\n";

/// SHA-256 of [`FILE`].
const FILE_SHA256: &str = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

const FILE: &[u8] = b"hello";

/// `top/{a, sub/{b}}`, listed with `LIST` to the day (no MLSD, no MDTM).
fn listing(dir: &str) -> Option<&'static str> {
    match dir {
        "top" => Some(
            "-rw-r--r--   1 ftp ftp        5 Jan 01  2020 a\r\n\
             drwxr-xr-x   2 ftp ftp     4096 Jan 01  2020 sub\r\n",
        ),
        "top/sub" => Some("-rw-r--r--   1 ftp ftp        5 Jan 01  2020 b\r\n"),
        "" => Some("drwxr-xr-x   2 ftp ftp     4096 Jan 01  2020 top\r\n"),
        _ => None,
    }
}

/// `path` resolved against `cwd`, without leading or trailing slashes.
fn resolve(cwd: &str, arg: &str) -> String {
    let joined = if arg.starts_with('/') {
        arg.to_owned()
    } else {
        format!("{cwd}/{arg}")
    };
    joined
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// Serves the tree until QUIT, the listing of `top/sub` going as `fault`
/// says.
fn serve(peer: &mut Peer, fault: Fault) -> io::Result<()> {
    peer.login()?;
    let mut cwd = String::new();
    loop {
        let Ok(line) = peer.expect("") else {
            return Ok(());
        };
        let (verb, arg) = line.split_once(' ').unwrap_or((&line, ""));
        let path = resolve(&cwd, arg);
        match verb.to_ascii_uppercase().as_str() {
            "QUIT" => return peer.reply("221 Bye"),
            "FEAT" if fault == Fault::BadDigest => {
                peer.send(b"211-Features:\r\n SIZE\r\n EPSV\r\n HASH SHA-256*\r\n211 End\r\n")?
            }
            "FEAT" => peer.send(b"211-Features:\r\n SIZE\r\n EPSV\r\n211 End\r\n")?,
            "OPTS" => peer.reply("200 OK")?,
            "HASH" if fault == Fault::BadDigest => {
                let digest = if path == "top/a" {
                    "00".repeat(32)
                } else {
                    FILE_SHA256.to_owned()
                };
                peer.reply(&format!("213 SHA-256 0-5 {digest} {arg}"))?
            }
            "PWD" => peer.reply(&format!("257 \"/{cwd}\" is the current directory"))?,
            "CWD" if listing(&path).is_some() => {
                cwd = path;
                peer.reply("250 Directory changed")?;
            }
            "SIZE" if path == "top/a" || path == "top/sub/b" => peer.reply("213 5")?,
            "TYPE" => peer.reply("200 Binary")?,
            "EPSV" => {
                let port = peer.listen_data()?;
                peer.reply(&format!("229 Entering Extended Passive Mode (|||{port}|)"))?;
            }
            "LIST" => list(peer, &path, fault)?,
            "RETR" if path == "top/a" || path == "top/sub/b" => {
                let mut data = peer.accept_data()?;
                peer.reply("150 Opening BINARY mode data connection (5 bytes)")?;
                data.write_all(FILE)?;
                drop(data);
                peer.reply("226 Transfer complete")?;
            }
            _ => peer.reply("550 Not here")?,
        }
    }
}

fn list(peer: &mut Peer, path: &str, fault: Fault) -> io::Result<()> {
    let Some(text) = listing(path) else {
        return peer.reply("550 No such directory");
    };
    if path == "top/sub" && fault == Fault::Refused {
        return peer.reply("450 Cannot read the directory");
    }
    let mut data = peer.accept_data()?;
    peer.reply("150 Here comes the directory listing")?;
    if path == "top/sub" && fault == Fault::Cut {
        data.write_all(b"-rw-r--r--   1 ftp ftp        5 Jan 01  2020 half")?;
        drop(data);
        return peer.reply("426 Connection closed; transfer aborted");
    }
    data.write_all(text.as_bytes())?;
    if path == "top" && fault == Fault::Hostile {
        data.write_all(HOSTILE.as_bytes())?;
    }
    drop(data);
    peer.reply("226 Directory send OK")
}

fn server(fault: Fault) -> FaultServer {
    FaultServer::start(move |peer| serve(peer, fault))
}

fn sync(args: &[&str]) -> std::process::Output {
    ftp_cli_with(OPTIONS, &[&["sync", "-j", "1"], args].concat())
}

fn retrieved(server: &FaultServer) -> usize {
    server
        .received()
        .iter()
        .filter(|l| l.starts_with("RETR"))
        .count()
}

/// A source listing refused, or cut short, half way: what could be listed
/// is copied, nothing is deleted (not even beside the failed directory),
/// exit 1; the dry run says why each extra entry is kept.
#[test]
fn a_failed_source_listing_deletes_nothing() {
    for fault in [Fault::Refused, Fault::Cut] {
        let server = server(fault);
        let local = tempfile::tempdir().unwrap();
        let dst = local.path().join("mirror");
        fs::create_dir_all(dst.join("sub")).unwrap();
        fs::write(dst.join("extra"), b"x").unwrap();
        fs::write(dst.join("sub/extra"), b"y").unwrap();
        let dst_arg = dst.to_str().unwrap();
        let dry = sync(&["--dry-run", "--delete", &server.url("top"), dst_arg]);
        assert_eq!(dry.status.code(), Some(1), "{fault:?}: {}", stderr(&dry));
        let out = String::from_utf8_lossy(&dry.stdout).into_owned();
        assert!(
            out.lines()
                .any(|l| l == "skip extra (not in source, kept: a listing of the source failed)"),
            "{fault:?}: {out}"
        );
        let run = sync(&["--delete", &server.url("top"), dst_arg]);
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(1), "{fault:?}: {err}");
        assert_eq!(fs::read(dst.join("a")).unwrap(), FILE, "{fault:?}");
        assert_eq!(fs::read(dst.join("extra")).unwrap(), b"x", "{fault:?}");
        assert_eq!(fs::read(dst.join("sub/extra")).unwrap(), b"y", "{fault:?}");
        let reply = if fault == Fault::Refused {
            "450"
        } else {
            "426"
        };
        assert!(err.contains(reply), "{fault:?}: the server's reply: {err}");
        assert!(err.contains("0 deleted"), "{fault:?}: {err}");
        assert!(!err.contains("half"), "{fault:?}: {err}");
    }
}

/// With every listing whole, the same server's extra entries go.
#[test]
fn a_whole_listing_deletes_the_extra_entries() {
    let server = server(Fault::None);
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("mirror");
    fs::create_dir_all(dst.join("sub")).unwrap();
    fs::write(dst.join("extra"), b"x").unwrap();
    let run = sync(&["--delete", &server.url("top"), dst.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(!dst.join("extra").exists());
    assert_eq!(fs::read(dst.join("sub/b")).unwrap(), FILE);
}

/// `LIST` times to the day and no MDTM: the first run copies, the next
/// ones copy nothing (the same size, a time within the listing's day),
/// and a file of another size is copied again.
#[test]
fn day_precision_times_are_not_a_difference_forever() {
    let server = server(Fault::None);
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("mirror");
    let dst_arg = dst.to_str().unwrap();
    let first = sync(&[&server.url("top"), dst_arg]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(retrieved(&server), 2);
    let second = sync(&[&server.url("top"), dst_arg]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert_eq!(retrieved(&server), 2, "{}", stderr(&second));
    assert!(
        stderr(&second).contains("0 files, 0 bytes, 2 up to date"),
        "{}",
        stderr(&second)
    );
    let json = sync(&["--dry-run", "--json", &server.url("top"), dst_arg]);
    let out = String::from_utf8_lossy(&json.stdout).into_owned();
    assert!(
        out.contains(r#"{"action":"skip","path":"a","reason":"same size, time within the listing's precision","type":"file","size":5}"#),
        "{out}"
    );
    fs::write(dst.join("a"), b"longer").unwrap();
    let third = sync(&[&server.url("top"), dst_arg]);
    assert_eq!(third.status.code(), Some(0), "{}", stderr(&third));
    assert_eq!(retrieved(&server), 3);
    assert_eq!(fs::read(dst.join("a")).unwrap(), FILE);
}

/// `--verify` where the server's digest of one file is not of the bytes it
/// sent: that file fails naming both digests and is not put in place, the
/// other is copied; exit 1.
#[test]
fn verify_catches_a_corrupted_download() {
    let server = server(Fault::BadDigest);
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("mirror");
    let run = sync(&["--verify", &server.url("top"), dst.to_str().unwrap()]);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        !dst.join("a").exists(),
        "the corrupted file was put in place: {err}"
    );
    assert_eq!(fs::read(dst.join("sub/b")).unwrap(), FILE);
    assert!(
        err.contains(FILE_SHA256) && err.contains(&"00".repeat(32)),
        "{err}"
    );
    assert!(err.contains("1 verified"), "{err}");
    let names: Vec<_> = fs::read_dir(&dst)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "a temporary file was left: {names:?}");
}

/// `cp -r --verify` (the tree engine, not sync's plan) against the same
/// corrupted digest: the same error naming both digests, the corrupted
/// file not put in place, the other copied and counted; exit 1.
#[test]
fn cp_r_verify_catches_a_corrupted_download() {
    let server = server(Fault::BadDigest);
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("mirror");
    let run = ftp_cli_with(
        OPTIONS,
        &[
            "cp",
            "-r",
            "-j",
            "1",
            "--verify",
            &server.url("top"),
            dst.to_str().unwrap(),
        ],
    );
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        !dst.join("a").exists(),
        "the corrupted file was put in place: {err}"
    );
    assert_eq!(fs::read(dst.join("sub/b")).unwrap(), FILE);
    assert!(
        err.contains(FILE_SHA256) && err.contains(&"00".repeat(32)),
        "{err}"
    );
    assert!(
        err.contains("1 files") && err.contains("1 verified"),
        "{err}"
    );
    let names: Vec<_> = fs::read_dir(&dst)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "a temporary file was left: {names:?}");
}

/// `mv --verify`, a file and a tree (`-r`), against the corrupted digest:
/// the move fails (exit 1) and the server is never asked to delete.
#[test]
fn mv_verify_keeps_the_source_on_a_mismatch() {
    for recursive in [false, true] {
        let server = server(Fault::BadDigest);
        let local = tempfile::tempdir().unwrap();
        let dst = local.path().join("moved");
        let (src, flags): (String, &[&str]) = if recursive {
            (server.url("top"), &["-r", "-j", "1"])
        } else {
            (server.url("top/a"), &[])
        };
        let args = [&["mv", "--verify"], flags, &[&src, dst.to_str().unwrap()]].concat();
        let run = ftp_cli_with(OPTIONS, &args);
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(1), "-r {recursive}: {err}");
        assert!(err.contains(&"00".repeat(32)), "-r {recursive}: {err}");
        let deletes: Vec<_> = server
            .received()
            .into_iter()
            .filter(|l| l.starts_with("DELE") || l.starts_with("RMD"))
            .collect();
        assert!(deletes.is_empty(), "-r {recursive}: {deletes:?}");
        assert!(
            !dst.join("a").exists() && !dst.is_file(),
            "-r {recursive}: {err}"
        );
    }
}

/// Names that are not one path component (`../escape`, an absolute path,
/// a backslash) are refused: nothing is written outside the destination,
/// the rest is copied, and with them the source counts as not wholly
/// listed: nothing is deleted; exit 1.
#[test]
fn hostile_names_write_and_delete_nothing_outside() {
    let server = server(Fault::Hostile);
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("mirror");
    fs::create_dir_all(&dst).unwrap();
    fs::write(dst.join("extra"), b"x").unwrap();
    let run = sync(&["--delete", &server.url("top"), dst.to_str().unwrap()]);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert_eq!(fs::read(dst.join("a")).unwrap(), FILE);
    assert_eq!(fs::read(dst.join("sub/b")).unwrap(), FILE);
    assert_eq!(fs::read(dst.join("extra")).unwrap(), b"x", "{err}");
    assert!(!local.path().join("escape").exists(), "{err}");
    assert!(!local.path().join("up").exists(), "{err}");
    let mut names: Vec<_> = fs::read_dir(local.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["mirror"], "{err}");
    assert_eq!(
        err.matches("ftp-cli: sync top").count(),
        3,
        "one line per name: {err}"
    );
}

/// Files in the one directory of [`many_times_server`].
const MANY: usize = 600;

/// `many`, a directory of [`MANY`] five-byte files listed with `LIST` to
/// the day, on a server with MDTM (every file 2020-01-01 00:00:00 UTC).
/// The sessions after the first are greeted with 421 when `one_session`.
fn many_times_server(one_session: bool) -> FaultServer {
    let sessions = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    FaultServer::start(move |peer| {
        let n = sessions.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if one_session && n > 0 {
            return peer.reply("421 Too many sessions");
        }
        peer.login()?;
        loop {
            let Ok(line) = peer.expect("") else {
                return Ok(());
            };
            let (verb, arg) = line.split_once(' ').unwrap_or((&line, ""));
            match verb.to_ascii_uppercase().as_str() {
                "QUIT" => return peer.reply("221 Bye"),
                "FEAT" => peer.send(b"211-Features:\r\n SIZE\r\n MDTM\r\n EPSV\r\n211 End\r\n")?,
                "PWD" => peer.reply("257 \"/\" is the current directory")?,
                "CWD" => peer.reply("250 Directory changed")?,
                "TYPE" => peer.reply("200 Binary")?,
                "MDTM" if arg.contains("many/f") => peer.reply("213 20200101000000")?,
                "EPSV" => {
                    let port = peer.listen_data()?;
                    peer.reply(&format!("229 Entering Extended Passive Mode (|||{port}|)"))?;
                }
                "LIST" => {
                    let mut data = peer.accept_data()?;
                    peer.reply("150 Here comes the directory listing")?;
                    if !arg.contains("many") {
                        for i in 0..MANY {
                            let line =
                                format!("-rw-r--r--   1 ftp ftp        5 Jan 01  2020 f{i:03}\r\n");
                            data.write_all(line.as_bytes())?;
                        }
                    }
                    drop(data);
                    peer.reply("226 Directory send OK")?;
                }
                _ => peer.reply("550 Not here")?,
            }
        }
    })
}

/// A sync whose listing gives times to the day only asks each file's exact
/// time once, shared out over its sessions (`-j 4`: more than one session
/// asks) when there are many; where the server refuses the other sessions,
/// the first asks them all. Either way nothing is copied: every local file
/// has the server's exact time.
#[test]
fn many_exact_times_are_asked_over_several_sessions() {
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("mirror");
    fs::create_dir_all(&dst).unwrap();
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_577_836_800);
    for i in 0..MANY {
        let file = fs::File::create(dst.join(format!("f{i:03}"))).unwrap();
        (&file).write_all(FILE).unwrap();
        file.set_modified(time).unwrap();
    }
    let dst_arg = dst.to_str().unwrap();
    for one_session in [false, true] {
        let server = many_times_server(one_session);
        let run = ftp_cli_with(
            OPTIONS,
            &["sync", "-j", "4", "--dry-run", &server.url("many"), dst_arg],
        );
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(0), "{one_session}: {err}");
        assert!(
            err.contains("nothing changed: 0 to copy"),
            "{one_session}: {err}"
        );
        let received = server.received();
        let mut asked: Vec<&String> = received.iter().filter(|l| l.starts_with("MDTM")).collect();
        assert_eq!(asked.len(), MANY, "{one_session}: each file once");
        asked.sort();
        asked.dedup();
        assert_eq!(asked.len(), MANY, "{one_session}: each file once");
        if one_session {
            assert!(
                server.connections() >= 2,
                "{one_session}: the others were tried"
            );
        } else {
            assert!(
                server.connections() >= 3,
                "{one_session}: {}",
                server.connections()
            );
        }
    }
}

/// How the listing of `top/d3` goes wrong on [`wide_server`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drop3 {
    /// `550`: a listing that failed.
    Refused,
    /// The first time, the session closes (421) instead of listing it.
    Once,
    /// Every time, the session closes.
    Always,
}

/// `top/d0` … `top/d5`, a five-byte `f` in each, for listings spread over
/// several sessions; `top/d3` goes as `fault` says.
fn wide_server(fault: Drop3) -> FaultServer {
    let dropped = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    FaultServer::start(move |peer| {
        peer.login()?;
        let mut cwd = String::new();
        loop {
            let Ok(line) = peer.expect("") else {
                return Ok(());
            };
            let (verb, arg) = line.split_once(' ').unwrap_or((&line, ""));
            let path = resolve(&cwd, arg);
            let dir = path == "top" || path.strip_prefix("top/d").is_some_and(|n| n.len() == 1);
            match verb.to_ascii_uppercase().as_str() {
                "QUIT" => return peer.reply("221 Bye"),
                "FEAT" => peer.send(b"211-Features:\r\n SIZE\r\n EPSV\r\n211 End\r\n")?,
                "PWD" => peer.reply(&format!("257 \"/{cwd}\" is the current directory"))?,
                "CWD" if dir || path.is_empty() => {
                    cwd = path;
                    peer.reply("250 Directory changed")?;
                }
                "TYPE" => peer.reply("200 Binary")?,
                "EPSV" => {
                    let port = peer.listen_data()?;
                    peer.reply(&format!("229 Entering Extended Passive Mode (|||{port}|)"))?;
                }
                "LIST" if path == "top/d3" && fault == Drop3::Refused => {
                    peer.reply("550 Permission denied")?
                }
                "LIST"
                    if path == "top/d3"
                        && (fault == Drop3::Always
                            || !dropped.swap(true, std::sync::atomic::Ordering::SeqCst)) =>
                {
                    return peer.reply("421 Closing the session");
                }
                "LIST" if dir => {
                    let mut data = peer.accept_data()?;
                    peer.reply("150 Here comes the directory listing")?;
                    // Slow enough that the other sessions take directories.
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    let text = if path == "top" {
                        (0..6)
                            .map(|i| format!("drwxr-xr-x   2 ftp ftp 4096 Jan 01  2020 d{i}\r\n"))
                            .collect::<String>()
                    } else {
                        "-rw-r--r--   1 ftp ftp        5 Jan 01  2020 f\r\n".to_owned()
                    };
                    data.write_all(text.as_bytes())?;
                    drop(data);
                    peer.reply("226 Directory send OK")?;
                }
                "SIZE" if path.ends_with("/f") => peer.reply("213 5")?,
                "RETR" if path.ends_with("/f") => {
                    let mut data = peer.accept_data()?;
                    peer.reply("150 Opening BINARY mode data connection (5 bytes)")?;
                    data.write_all(FILE)?;
                    drop(data);
                    peer.reply("226 Transfer complete")?;
                }
                _ => peer.reply("550 Not here")?,
            }
        }
    })
}

/// The source's directories are listed by several sessions at once
/// (`-j 4`). A listing refused on one of them, or whose session closes
/// every time it is asked, deletes nothing and exits 1; a session that
/// closes once on a listing is reopened and the directory listed again,
/// and the sync completes, deletions included.
#[test]
fn a_listing_failing_on_one_of_several_sessions_deletes_nothing() {
    for fault in [Drop3::Refused, Drop3::Always, Drop3::Once] {
        let server = wide_server(fault);
        let local = tempfile::tempdir().unwrap();
        let dst = local.path().join("mirror");
        fs::create_dir_all(dst.join("d1")).unwrap();
        fs::write(dst.join("extra"), b"x").unwrap();
        fs::write(dst.join("d1/extra"), b"y").unwrap();
        let run = ftp_cli_with(
            OPTIONS,
            &[
                "sync",
                "-j",
                "4",
                "--delete",
                &server.url("top"),
                dst.to_str().unwrap(),
            ],
        );
        let err = stderr(&run);
        let received = server.received();
        let lists = received.iter().filter(|l| l.starts_with("LIST")).count();
        let into_d3 = received
            .iter()
            .filter(|l| l.starts_with("CWD") && l.ends_with("top/d3"))
            .count();
        let tries = if fault == Drop3::Refused { 1 } else { 2 };
        assert_eq!(into_d3, tries, "{fault:?}: top/d3 asked: {received:?}");
        assert!(lists >= 7, "{fault:?}: every directory listed: {lists}");
        assert!(
            server.connections() >= 2,
            "{fault:?}: more than one session listed"
        );
        assert_eq!(
            fs::read(dst.join("d0/f")).unwrap(),
            FILE,
            "{fault:?}: {err}"
        );
        if fault == Drop3::Once {
            assert_eq!(run.status.code(), Some(0), "{fault:?}: {err}");
            assert_eq!(fs::read(dst.join("d3/f")).unwrap(), FILE, "{fault:?}");
            assert!(!dst.join("extra").exists(), "{fault:?}: {err}");
            assert!(!dst.join("d1/extra").exists(), "{fault:?}: {err}");
        } else {
            assert_eq!(run.status.code(), Some(1), "{fault:?}: {err}");
            assert_eq!(fs::read(dst.join("extra")).unwrap(), b"x", "{fault:?}");
            assert_eq!(fs::read(dst.join("d1/extra")).unwrap(), b"y", "{fault:?}");
            assert!(!dst.join("d3/f").exists(), "{fault:?}");
        }
    }
}
