//! The progress bar, under a real pseudo-terminal (`script` from
//! util-linux gives `ftp-cli` one for stdout and stderr): it shows during a
//! slow download and is cleared at the end; `-q` turns it off; piped
//! stderr gets none unless `--progress`; the downloaded bytes are exact in
//! every case.
#![cfg(unix)]

use std::fs;
use std::io::Write;
use std::process::{Command, Output};
use std::time::Duration;

use ftp_suite::FaultServer;

mod common;

const CHUNK: usize = 64 * 1024;
const CHUNKS: usize = 20;

/// A download of `CHUNKS` × `CHUNK` bytes that takes about a second.
fn slow_server() -> FaultServer {
    FaultServer::start(|peer| {
        peer.login()?;
        let mut data = peer.answer_transfer(
            "RETR",
            &format!("150 Opening data connection ({} bytes)", CHUNK * CHUNKS),
        )?;
        for i in 0..CHUNKS {
            data.write_all(&vec![(i % 251) as u8; CHUNK])?;
            std::thread::sleep(Duration::from_millis(50));
        }
        drop(data);
        peer.reply("226 Done")?;
        peer.drain()
    })
}

fn expected() -> Vec<u8> {
    (0..CHUNKS)
        .flat_map(|i| vec![(i % 251) as u8; CHUNK])
        .collect()
}

/// Runs `ftp-cli ARGS` under a pseudo-terminal; returns what the terminal
/// showed.
fn under_pty(args: &[&str]) -> Output {
    let mut line = shell_quote(env!("CARGO_BIN_EXE_ftp-cli"));
    for arg in args {
        line.push(' ');
        line.push_str(&shell_quote(arg));
    }
    Command::new("script")
        .args(["-q", "-e", "-f", "-c", &line, "/dev/null"])
        .env("TERM", "xterm")
        .output()
        .expect("run script (util-linux)")
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[test]
fn a_bar_shows_on_a_terminal_and_is_cleared() {
    let server = slow_server();
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("f.bin");
    let out = under_pty(&["cp", &server.url("f.bin"), dst.to_str().unwrap()]);
    let screen = common::stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{screen}");
    assert_eq!(fs::read(&dst).unwrap(), expected());
    // Drawn: the name, bytes of the total, a rate and an ETA.
    let last_bar = screen.rfind("ETA").expect("no bar drawn");
    assert!(screen.contains("f.bin"), "{screen:?}");
    assert!(screen.contains("/1.25 MiB"), "{screen:?}");
    assert!(screen.contains("/s"), "{screen:?}");
    // Cleared: after the last bar, the line is erased and nothing of the
    // bar is printed again.
    let after = &screen[last_bar..];
    assert!(after.contains("\x1b[2K"), "not cleared: {after:?}");
    let tail = &after[after.rfind("\x1b[2K").unwrap_or(0) + 4..];
    assert!(
        tail.trim_matches(|c: char| c.is_whitespace() || c == '\r')
            .is_empty(),
        "left on the screen: {tail:?}"
    );
}

#[test]
fn quiet_shows_no_bar_on_a_terminal() {
    let server = slow_server();
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("f.bin");
    let out = under_pty(&["-q", "cp", &server.url("f.bin"), dst.to_str().unwrap()]);
    let screen = common::stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{screen}");
    assert!(screen.trim().is_empty(), "{screen:?}");
    assert_eq!(fs::read(&dst).unwrap(), expected());
}

#[test]
fn piped_output_is_untouched_and_progress_forces_the_bar() {
    let server = slow_server();
    let local = tempfile::tempdir().unwrap();
    // To standard output, through a pipe: the bytes and nothing else.
    let out = common::command()
        .args(["cp", &server.url("f.bin"), "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{:?}", common::stderr(&out));
    assert!(out.stdout == expected(), "stdout is not the file");
    // No bar, so no SIZE asked for its total.
    assert!(!server.received().iter().any(|l| l.starts_with("SIZE")));
    // --progress: the bar on a piped stderr, stdout still untouched.
    let out = common::command()
        .args(["--progress", "cp", &server.url("f.bin"), "-"])
        .output()
        .unwrap();
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("ETA") && err.contains("f.bin"), "{err:?}");
    assert!(out.stdout == expected(), "stdout is not the file");
    drop(local);
}

/// A one-file tree (`tree/f.bin`, listed with LIST) whose file trickles in
/// `CHUNKS` pieces: every connection answers whatever the client asks in
/// the order it asks it.
fn slow_tree_server() -> FaultServer {
    FaultServer::start(|peer| {
        peer.login()?;
        let total = CHUNK * CHUNKS;
        loop {
            let line = peer.expect("")?;
            let (verb, arg) = line.split_once(' ').unwrap_or((&line, ""));
            match verb.to_ascii_uppercase().as_str() {
                "FEAT" => peer.send(b"211-Features:\r\n SIZE\r\n211 End\r\n")?,
                "PWD" => peer.reply("257 \"/\" is the current directory")?,
                "CWD" if arg.ends_with("f.bin") => peer.reply("550 Not a directory")?,
                "CWD" => peer.reply("250 Directory changed")?,
                "TYPE" => peer.reply("200 Binary")?,
                "SIZE" if arg.ends_with("f.bin") => peer.reply(&format!("213 {total}"))?,
                "SIZE" => peer.reply("550 Not a plain file")?,
                "MDTM" => peer.reply("213 20260101000000")?,
                "EPSV" => {
                    let port = peer.listen_data()?;
                    peer.reply(&format!("229 Entering Extended Passive Mode (|||{port}|)"))?;
                }
                "LIST" | "NLST" => {
                    let mut data = peer.accept_data()?;
                    peer.reply("150 Here comes the listing")?;
                    if arg.is_empty() || arg.ends_with("tree") {
                        data.write_all(
                            format!("-rw-r--r-- 1 u g {total} Jan 01 2026 f.bin\r\n").as_bytes(),
                        )?;
                    }
                    drop(data);
                    peer.reply("226 Done")?;
                }
                "RETR" => {
                    let mut data = peer.accept_data()?;
                    peer.reply(&format!("150 Opening data connection ({total} bytes)"))?;
                    for i in 0..CHUNKS {
                        data.write_all(&vec![(i % 251) as u8; CHUNK])?;
                        std::thread::sleep(Duration::from_millis(60));
                    }
                    drop(data);
                    peer.reply("226 Done")?;
                }
                "QUIT" => return peer.reply("221 Bye"),
                _ => peer.reply("502 Not here")?,
            }
        }
    })
}

/// `cp -r`: the bar counts a file's bytes as they arrive, not once it is
/// whole: while the only file is under way (`0/1 files`), the bytes shown
/// grow past zero.
#[test]
fn recursive_bar_counts_bytes_as_they_flow() {
    let server = slow_tree_server();
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("copy");
    let out = common::command()
        .args([
            "--progress",
            "cp",
            "-r",
            "-j",
            "1",
            &server.url("tree"),
            dst.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(fs::read(dst.join("f.bin")).unwrap(), expected());
    // Each drawing: "cp -r 0/1 files 320.00 KiB 1.02 MiB/s 0s".
    let during: Vec<&str> = err
        .split("0/1 files ")
        .skip(1)
        .filter_map(|rest| rest.split(" /s").next())
        .collect();
    let moving = during
        .iter()
        .filter(|shown| !shown.starts_with("0 B") && shown.contains("iB "))
        .count();
    assert!(
        moving >= 2,
        "no growing byte count while the file was under way: {during:?}\n{err:?}"
    );
}
