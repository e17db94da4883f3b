//! Every rewrite the WHATWG URL standard performs, and what `ftp-cli` does
//! instead: a URL is used as typed or refused, never repaired into another
//! file's name.
//!
//! Each row is run through each destructive command (`rm`, `rmdir`, `mv` in
//! both directions) against a real server (libunftp, in-process) holding
//! the file or directory that the repaired URL would name. A refused row
//! must exit 2 with one line naming the problem, change nothing, and open no
//! connection (checked against a scripted server that counts them); an
//! accepted row must act on exactly the name typed.

use std::fs;
use std::path::Path;

use ftp_suite::{FaultServer, PASSWORD, TestServer};

mod common;
use common::ftp_cli;

/// What `ftp-cli` does with a row's URL.
#[derive(Debug, Clone, Copy)]
enum Chosen {
    /// Exit 2, no connection, a message containing this.
    Refused(&'static str),
    /// Used as typed: it names the victim, as the rewrite would too, but
    /// because the standard makes these parts case-insensitive.
    Accepted,
}

/// One rewrite: the URL (`{auth}` is `user:password@127.0.0.1:PORT`,
/// `{host_port}` the server's port alone, `{w}` the row's directory) and
/// what a WHATWG parser would turn it into: a name of `{w}/victim`.
struct Row {
    rewrite: &'static str,
    url: &'static str,
    chosen: Chosen,
}

const ROWS: &[Row] = &[
    Row {
        rewrite: "tab inside the path dropped: vic<TAB>tim -> victim",
        url: "ftp://{auth}/{w}/vic\ttim",
        chosen: Chosen::Refused("a tab"),
    },
    Row {
        rewrite: "LF inside the path dropped: vic<LF>tim -> victim",
        url: "ftp://{auth}/{w}/vic\ntim",
        chosen: Chosen::Refused("a line break"),
    },
    Row {
        rewrite: "CR inside the path dropped: vic<CR>tim -> victim",
        url: "ftp://{auth}/{w}/vic\rtim",
        chosen: Chosen::Refused("a line break"),
    },
    Row {
        rewrite: "leading space stripped",
        url: " ftp://{auth}/{w}/victim",
        chosen: Chosen::Refused("a space at byte 0 (its start)"),
    },
    Row {
        rewrite: "trailing space stripped: victim<SP> -> victim",
        url: "ftp://{auth}/{w}/victim ",
        chosen: Chosen::Refused("(its end)"),
    },
    Row {
        rewrite: "leading C0 control stripped",
        url: "\u{1}ftp://{auth}/{w}/victim",
        chosen: Chosen::Refused("a control character"),
    },
    Row {
        rewrite: "trailing C0 control stripped: victim<US> -> victim",
        url: "ftp://{auth}/{w}/victim\u{1f}",
        chosen: Chosen::Refused("a control character"),
    },
    Row {
        rewrite: "backslash read as slash: sub\\..\\victim -> victim",
        url: "ftp://{auth}/{w}/sub\\..\\victim",
        chosen: Chosen::Refused("a backslash"),
    },
    Row {
        rewrite: "backslash read as slash: sub\\victim -> sub/victim",
        url: "ftp://{auth}/{w}/sub\\victim",
        chosen: Chosen::Refused("a backslash"),
    },
    Row {
        rewrite: "empty host: the first path segment becomes the host",
        url: "ftp:///{w}/victim",
        chosen: Chosen::Refused("no host"),
    },
    Row {
        rewrite: "dot-dot segment resolved: sub/../victim -> victim",
        url: "ftp://{auth}/{w}/sub/../victim",
        chosen: Chosen::Refused("\"..\" segment"),
    },
    Row {
        rewrite: "dot segment resolved: ./victim -> victim",
        url: "ftp://{auth}/{w}/./victim",
        chosen: Chosen::Refused("\".\" segment"),
    },
    Row {
        rewrite: "percent-encoded dot-dot resolved: sub/%2e%2e/victim -> victim",
        url: "ftp://{auth}/{w}/sub/%2e%2e/victim",
        chosen: Chosen::Refused("\"..\" segment"),
    },
    Row {
        rewrite: "mixed percent-encoded dot-dot resolved: sub/.%2E/victim -> victim",
        url: "ftp://{auth}/{w}/sub/.%2E/victim",
        chosen: Chosen::Refused("\"..\" segment"),
    },
    Row {
        rewrite: "percent-encoded dot resolved: %2e/victim -> victim",
        url: "ftp://{auth}/{w}/%2e/victim",
        chosen: Chosen::Refused("\".\" segment"),
    },
    Row {
        rewrite: "IPv4 shorthand: 127.1 -> 127.0.0.1",
        url: "ftp://test:secret@127.1:{port}/{w}/victim",
        chosen: Chosen::Refused("not an IPv4 address in the usual form"),
    },
    Row {
        rewrite: "IPv4 hex: 0x7f.0.0.1 -> 127.0.0.1",
        url: "ftp://test:secret@0x7f.0.0.1:{port}/{w}/victim",
        chosen: Chosen::Refused("not an IPv4 address in the usual form"),
    },
    Row {
        rewrite: "IPv4 as one number: 2130706433 -> 127.0.0.1",
        url: "ftp://test:secret@2130706433:{port}/{w}/victim",
        chosen: Chosen::Refused("not an IPv4 address in the usual form"),
    },
    Row {
        rewrite: "IPv4 octal: 0177.0.0.1 -> 127.0.0.1",
        url: "ftp://test:secret@0177.0.0.1:{port}/{w}/victim",
        chosen: Chosen::Refused("not an IPv4 address in the usual form"),
    },
    Row {
        rewrite: "fragment cut off: victim#x -> victim",
        url: "ftp://{auth}/{w}/victim#x",
        chosen: Chosen::Refused("a '#'"),
    },
    Row {
        rewrite: "query cut off: victim?x -> victim",
        url: "ftp://{auth}/{w}/victim?x",
        chosen: Chosen::Refused("a '?'"),
    },
    Row {
        rewrite: "second '@' folded into the password",
        url: "ftp://test:secret@x@127.0.0.1:{port}/{w}/victim",
        chosen: Chosen::Refused("more than one '@'"),
    },
    Row {
        rewrite: "scheme case folded: FTP -> ftp",
        url: "FTP://{auth}/{w}/victim",
        chosen: Chosen::Accepted,
    },
    Row {
        rewrite: "host case folded: LOCALHOST -> localhost",
        url: "ftp://test:secret@LOCALHOST:{port}/{w}/victim",
        chosen: Chosen::Accepted,
    },
];

/// The destructive commands, each run over every row.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Rm,
    Rmdir,
    MvDownload,
    MvUpload,
}

const OPS: [Op; 4] = [Op::Rm, Op::Rmdir, Op::MvDownload, Op::MvUpload];

const VICTIM: &[u8] = b"the file a repaired URL would name";

fn url_for(row: &Row, addr: std::net::SocketAddr, dir: &str) -> String {
    row.url
        .replace("{auth}", &format!("test:{PASSWORD}@{addr}"))
        .replace("{port}", &addr.port().to_string())
        .replace("{w}", dir)
}

/// The row's directory on the server: the victim (a file, or for `rmdir`
/// an empty directory) and an empty `sub/` that dot segments climb out of.
fn lay_out(root: &Path, op: Op) {
    fs::create_dir_all(root.join("sub")).unwrap();
    if op == Op::Rmdir {
        fs::create_dir(root.join("victim")).unwrap();
    } else {
        fs::write(root.join("victim"), VICTIM).unwrap();
    }
}

fn args_for<'a>(op: Op, url: &'a str, local: &'a str) -> Vec<&'a str> {
    match op {
        Op::Rm => vec!["rm", url],
        Op::Rmdir => vec!["rmdir", url],
        Op::MvDownload => vec!["mv", url, local],
        Op::MvUpload => vec!["mv", local, url],
    }
}

#[test]
fn every_whatwg_rewrite_is_refused_or_harmless_for_every_destructive_command() {
    let server = TestServer::start();
    let counting = FaultServer::start(|peer| peer.login());
    let mut checked = 0;
    for (i, row) in ROWS.iter().enumerate() {
        for op in OPS {
            let dir = format!("r{i}-{op:?}");
            let remote = server.root().join(&dir);
            lay_out(&remote, op);
            let local_dir = tempfile::tempdir().unwrap();
            let local = local_dir.path().join("local.bin");
            if op == Op::MvUpload {
                fs::write(&local, b"new content").unwrap();
            }
            let local_arg = local.to_str().unwrap();
            let url = url_for(row, server.addr(), &dir);
            let out = ftp_cli(&args_for(op, &url, local_arg));
            let err = common::stderr(&out);
            let case = format!("{:?} / {op:?}: {err}", row.rewrite);
            assert!(!err.contains(PASSWORD), "{case}");
            let victim = remote.join("victim");
            match row.chosen {
                Chosen::Refused(needle) => {
                    assert_eq!(out.status.code(), Some(2), "{case}");
                    assert_eq!(err.lines().count(), 1, "{case}");
                    assert!(err.contains(needle), "{case}: wanted {needle:?}");
                    if op == Op::Rmdir {
                        assert!(victim.is_dir(), "{case}: directory removed");
                    } else {
                        assert_eq!(fs::read(&victim).unwrap(), VICTIM, "{case}");
                    }
                    if op == Op::MvUpload {
                        assert!(local.exists(), "{case}: source removed");
                    } else {
                        assert!(!local.exists(), "{case}: something downloaded");
                    }
                    // The same URL aimed at the counting server: refused
                    // before any connection.
                    let aimed = url_for(row, counting.addr(), &dir);
                    let out = ftp_cli(&args_for(op, &aimed, local_arg));
                    assert_eq!(out.status.code(), Some(2), "{case}");
                }
                Chosen::Accepted => {
                    assert_eq!(out.status.code(), Some(0), "{case}");
                    match op {
                        Op::Rm | Op::Rmdir => assert!(!victim.exists(), "{case}"),
                        Op::MvDownload => {
                            assert!(!victim.exists(), "{case}");
                            assert_eq!(fs::read(&local).unwrap(), VICTIM, "{case}");
                        }
                        Op::MvUpload => {
                            assert_eq!(fs::read(&victim).unwrap(), b"new content", "{case}");
                            assert!(!local.exists(), "{case}");
                        }
                    }
                }
            }
            // Nothing else in the row's directory changed.
            let mut names: Vec<_> = fs::read_dir(&remote)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            let expected: &[&str] = match (row.chosen, op) {
                (Chosen::Accepted, Op::Rm | Op::Rmdir | Op::MvDownload) => &["sub"],
                _ => &["sub", "victim"],
            };
            assert_eq!(names, expected, "{case}");
            assert_eq!(
                fs::read_dir(remote.join("sub")).unwrap().count(),
                0,
                "{case}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, ROWS.len() * OPS.len());
    assert_eq!(
        counting.connections(),
        0,
        "a refused URL opened a connection"
    );
}
