//! `cp -r` and `rm -r` against a server whose listings attack the client
//! (`ftp_suite::hostile`): nothing is written outside the destination,
//! nothing is deleted that the listings did not name with a safe name, the
//! listing loop and the 10,000-level tree end, and the exit status says
//! that entries were refused.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ftp_suite::hostile::{self, COLLIDING, GOOD_FILES, Node};

mod common;
use common::ftp_cli_within;

/// Options every run here takes.
const OPTIONS: &[&str] = &["--timeout", "10"];

/// Generous: the 10,000-level tree is cut at 256 levels, each one listing.
const RUN_BOUND: Duration = Duration::from_secs(90);

/// Every path under `dir`, symbolic links not followed.
fn all_paths(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if fs::symlink_metadata(&path).unwrap().is_dir() {
                todo.push(path.clone());
            }
            found.push(path);
        }
    }
    found
}

/// A name for the absolute entry that no test run shares.
fn absolute_name(tag: &str) -> String {
    let dir = std::env::temp_dir();
    format!(
        "{}/ftp-cli-hostile-{tag}-{}.txt",
        dir.display(),
        std::process::id()
    )
}

fn cp_r_writes_nothing_outside(mlsd: bool) {
    let absolute = absolute_name(if mlsd { "cp-mlsd" } else { "cp-list" });
    let server = hostile::hostile_server(mlsd, absolute.clone());
    let sandbox = tempfile::tempdir().unwrap();
    let outside = sandbox.path().join("outside.txt");
    fs::write(&outside, b"precious").unwrap();
    let dst = sandbox.path().join("dst");
    fs::create_dir_all(dst.join("hostile")).unwrap();
    // A symbolic link where a listed file will be: never written through.
    symlink("../../outside.txt", dst.join("hostile/link.txt")).unwrap();

    let out = ftp_cli_within(
        RUN_BOUND,
        OPTIONS,
        &[
            "cp",
            "-r",
            "-j",
            "2",
            &server.url("hostile"),
            dst.to_str().unwrap(),
        ],
    );
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains(":pw@"), "password shown");
    if std::env::var_os("SHOW_HOSTILE").is_some() {
        eprintln!("{err}");
    }

    // Nothing outside DST; outside.txt as it was.
    for path in all_paths(sandbox.path()) {
        assert!(
            path.starts_with(&dst) || path == outside,
            "written outside DST: {}",
            path.display()
        );
    }
    assert_eq!(fs::read(&outside).unwrap(), b"precious");
    assert!(
        !Path::new(&absolute).exists(),
        "the absolute name was written"
    );
    assert!(!sandbox.path().join("escape.txt").exists());
    assert!(!dst.join("escape.txt").exists());
    assert!(
        fs::symlink_metadata(dst.join("hostile/link.txt"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "the local symbolic link was replaced"
    );

    // Exactly the good files, with their content.
    let target = dst.join("hostile");
    let mut top: Vec<String> = fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    let mut expected: Vec<String> = GOOD_FILES.iter().map(|s| (*s).to_owned()).collect();
    expected.extend(["deep".to_owned(), "loop".to_owned()]);
    expected.sort();
    assert_eq!(top, expected, "{err}");
    for name in GOOD_FILES.iter().filter(|n| **n != "link.txt") {
        let path = format!("/hostile/{name}");
        assert_eq!(
            fs::read(target.join(name)).unwrap(),
            hostile::content(path.as_bytes()),
            "{name}"
        );
    }
    // The loop and the deep tree ended: bounded depth, nothing colliding.
    let deepest = all_paths(&target.join("deep"))
        .iter()
        .map(|p| p.strip_prefix(&target).unwrap().components().count())
        .max()
        .unwrap();
    assert!(deepest <= 256, "deep tree written {deepest} levels down");
    let loop_depth = all_paths(&target.join("loop"))
        .iter()
        .map(|p| p.strip_prefix(&target).unwrap().components().count())
        .max()
        .unwrap_or(1);
    if mlsd {
        assert_eq!(loop_depth, 2, "the loop is entered once (unique fact)");
    } else {
        assert!(loop_depth <= 256, "the loop is bounded by the depth limit");
    }
    for name in COLLIDING {
        assert!(
            !target.join(name).exists(),
            "{name} collides and is written"
        );
        assert!(err.contains(name), "{name} not reported: {err}");
    }
    // Every refused name is reported, escaped.
    for needle in [
        "../escape.txt",
        "a\\\\b.txt",
        "ctl\\x01.txt",
        "nul\\x00.txt",
        "sub/inner.txt",
        "etc-link",
        "link.txt",
    ] {
        assert!(err.contains(needle), "{needle} not reported: {err}");
    }
    assert!(err.contains("deeper than 256"), "{err}");
    let last = err.lines().last().unwrap_or("");
    assert!(last.contains("failures"), "summary: {last}");
}

#[test]
fn cp_r_against_hostile_mlsd() {
    cp_r_writes_nothing_outside(true);
}

#[test]
fn cp_r_against_hostile_list() {
    cp_r_writes_nothing_outside(false);
}

fn rm_r_deletes_only_listed(mlsd: bool) {
    let absolute = absolute_name(if mlsd { "rm-mlsd" } else { "rm-list" });
    let server = hostile::hostile_server(mlsd, absolute.clone());
    let out = ftp_cli_within(RUN_BOUND, OPTIONS, &["rm", "-r", &server.url("hostile/")]);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let mut deleted = 0;
    for line in server.received() {
        let Some((verb, arg)) = line.split_once(' ') else {
            continue;
        };
        if !(verb.eq_ignore_ascii_case("DELE") || verb.eq_ignore_ascii_case("RMD")) {
            continue;
        }
        deleted += 1;
        for component in arg.split('/') {
            assert!(
                ftp_client::check_component(component.as_bytes(), false).is_ok(),
                "{line}: component {component:?}"
            );
        }
        let path = format!("/{arg}");
        let node = hostile::is_listed(path.as_bytes(), &absolute);
        assert!(node.is_some(), "{line}: not listed");
        let is_dir = matches!(node, Some(Node::Dir | Node::Loop));
        assert_eq!(verb.eq_ignore_ascii_case("RMD"), is_dir, "{line}");
    }
    assert!(deleted > 10, "{deleted} deletions: {err}");
    // The refused names were never sent in any command.
    for line in server.received() {
        assert!(
            !line.contains("escape.txt") && !line.contains("inner.txt"),
            "{line}"
        );
        assert!(!line.contains(&absolute), "{line}");
    }
}

#[test]
fn rm_r_against_hostile_mlsd() {
    rm_r_deletes_only_listed(true);
}

#[test]
fn rm_r_against_hostile_list() {
    rm_r_deletes_only_listed(false);
}

#[test]
fn rm_r_refuses_the_login_root_and_dry_run_deletes_nothing() {
    let server = hostile::hostile_server(true, absolute_name("root"));
    for url in [server.url(""), format!("ftp://user:pw@{}//", server.addr())] {
        let out = ftp_cli_within(RUN_BOUND, OPTIONS, &["rm", "-r", &url]);
        assert_eq!(out.status.code(), Some(2), "{url}");
        let err = common::stderr(&out);
        assert!(err.contains("without --force"), "{err}");
    }
    assert_eq!(server.connections(), 0, "refused before connecting");
    let out = ftp_cli_within(
        RUN_BOUND,
        OPTIONS,
        &["rm", "-r", "--dry-run", &server.url("hostile/")],
    );
    let text = common::stdout(&out);
    assert!(
        text.contains("would delete file hostile/good.txt"),
        "{text}"
    );
    assert!(!text.contains("escape"), "{text}");
    assert!(
        !server
            .received()
            .iter()
            .any(|l| l.starts_with("DELE") || l.starts_with("RMD")),
        "dry run deleted"
    );
}

/// A server that allows `sessions` connections at a time and greets more
/// with 421: `cp -r -j 4` goes on with fewer sessions and copies everything.
fn busy(sessions: usize) {
    let server = hostile::busy_server(sessions);
    let sandbox = tempfile::tempdir().unwrap();
    let dst = sandbox.path().join("copy");
    let out = ftp_cli_within(
        RUN_BOUND,
        OPTIONS,
        &[
            "cp",
            "-r",
            "-j",
            "4",
            &server.url(hostile::CLEAN),
            dst.to_str().unwrap(),
        ],
    );
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    for i in 0..hostile::CLEAN_FILES {
        let path = format!("/{}/f{i:02}", hostile::CLEAN);
        assert_eq!(
            fs::read(dst.join(format!("f{i:02}"))).unwrap(),
            hostile::content(path.as_bytes())
        );
    }
    assert!(
        err.contains(&format!("{} files", hostile::CLEAN_FILES)),
        "{err}"
    );
    assert!(err.contains("0 failures"), "{err}");
    assert!(server.connections() > sessions, "more sessions were tried");
}

#[test]
fn refused_sessions_mean_fewer_sessions_not_failures() {
    busy(1);
    busy(2);
}

#[test]
fn transient_refusals_are_tried_again() {
    let server = hostile::flaky_server();
    let sandbox = tempfile::tempdir().unwrap();
    let dst = sandbox.path().join("copy");
    let out = ftp_cli_within(
        RUN_BOUND,
        OPTIONS,
        &[
            "cp",
            "-r",
            "-j",
            "2",
            &server.url(hostile::CLEAN),
            dst.to_str().unwrap(),
        ],
    );
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(fs::read_dir(&dst).unwrap().count(), hostile::CLEAN_FILES);
    // A session whose first EPSV was refused goes on with PASV.
    let passive = server
        .received()
        .iter()
        .filter(|l| l.starts_with("EPSV") || l.starts_with("PASV"))
        .count();
    assert!(
        passive >= hostile::CLEAN_FILES + 3,
        "some EPSV or PASV were refused and tried again"
    );
}

/// The user's own destination may be a symbolic link to a directory: it
/// is followed (links inside the tree never are).
#[test]
fn a_destination_that_is_a_link_to_a_directory_is_followed() {
    let server = hostile::busy_server(4);
    let sandbox = tempfile::tempdir().unwrap();
    let real = sandbox.path().join("real");
    fs::create_dir(&real).unwrap();
    let link = sandbox.path().join("link");
    symlink(&real, &link).unwrap();
    let out = ftp_cli_within(
        RUN_BOUND,
        OPTIONS,
        &[
            "cp",
            "-r",
            &server.url(hostile::CLEAN),
            link.to_str().unwrap(),
        ],
    );
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(
        fs::read_dir(real.join(hostile::CLEAN)).unwrap().count(),
        hostile::CLEAN_FILES
    );
    // A dangling link is not written through.
    let dangling = sandbox.path().join("dangling");
    symlink(sandbox.path().join("nowhere"), &dangling).unwrap();
    let out = ftp_cli_within(
        RUN_BOUND,
        OPTIONS,
        &[
            "cp",
            "-r",
            &server.url(hostile::CLEAN),
            dangling.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!sandbox.path().join("nowhere").exists());
}

/// `links/` holds symbolic links that loop: without -L they are skipped
/// with a note; with -L the loops end (`self`, `up` and `again` by where
/// they lead, `liar` by the limit of links on one path), and nothing is
/// written outside DST.
fn links_with_and_without_l(mlsd: bool) {
    let server =
        hostile::hostile_server(mlsd, absolute_name(if mlsd { "l-mlsd" } else { "l-list" }));
    let sandbox = tempfile::tempdir().unwrap();
    let dst = sandbox.path().join("dst");

    let out = ftp_cli_within(
        RUN_BOUND,
        OPTIONS,
        &[
            "cp",
            "-r",
            &server.url(hostile::LINKS),
            dst.to_str().unwrap(),
        ],
    );
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("4 skipped"), "{err}");
    assert!(err.contains("use -L"), "{err}");
    let written: Vec<PathBuf> = all_paths(&dst);
    assert_eq!(written, vec![dst.join("f")], "{err}");

    let deref = sandbox.path().join("deref");
    let out = ftp_cli_within(
        RUN_BOUND,
        OPTIONS,
        &[
            "cp",
            "-r",
            "-L",
            &server.url(hostile::LINKS),
            deref.to_str().unwrap(),
        ],
    );
    let err = common::stderr(&out);
    if std::env::var_os("SHOW_HOSTILE").is_some() {
        eprintln!("{err}");
    }
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("links/self") && err.contains("a link loop"),
        "{err}"
    );
    assert!(err.contains("links/up"), "{err}");
    assert!(err.contains("more than 8 symbolic links"), "{err}");
    // Nothing outside DST; the refused links made nothing.
    for path in all_paths(sandbox.path()) {
        assert!(
            path.starts_with(&dst) || path.starts_with(&deref),
            "written outside DST: {}",
            path.display()
        );
    }
    assert!(!deref.join("self").exists());
    assert!(!deref.join("up").exists());
    assert_eq!(
        fs::read(deref.join("f")).unwrap(),
        hostile::content(b"/links/f")
    );
    // `liar` (and, its absolute target not comparable with a relative
    // root, `again`) are followed at most 8 links deep, each level a copy.
    let deepest = all_paths(&deref)
        .iter()
        .map(|p| p.strip_prefix(&deref).unwrap().components().count())
        .max()
        .unwrap();
    assert_eq!(deepest, 9, "8 links, then f");
    assert_eq!(
        fs::read(deref.join("liar/liar/f")).unwrap(),
        hostile::content(b"/links/liar/liar/f")
    );
}

#[test]
fn symbolic_link_loops_mlsd() {
    links_with_and_without_l(true);
}

#[test]
fn symbolic_link_loops_list() {
    links_with_and_without_l(false);
}

/// Listings meet transient refusals too (every third EPSV is refused with
/// a 425 here), more so while other sessions transfer: they are tried
/// again, and nothing is lost to them.
#[test]
fn transient_refusals_of_listings_are_tried_again() {
    let server = hostile::flaky_server();
    let sandbox = tempfile::tempdir().unwrap();
    let dst = sandbox.path().join("copy");
    let out = ftp_cli_within(
        RUN_BOUND,
        OPTIONS,
        &[
            "cp",
            "-r",
            "-L",
            "-j",
            "2",
            &server.url(hostile::LINKS),
            dst.to_str().unwrap(),
        ],
    );
    let err = common::stderr(&out);
    // Only the link loops fail.
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("425"), "{err}");
    let deepest = dst.join("liar/liar/liar/liar/liar/liar/liar/liar/f");
    assert_eq!(
        fs::read(&deepest).unwrap(),
        hostile::content(b"/links/liar/liar/liar/liar/liar/liar/liar/liar/f"),
        "{err}"
    );
    // Some EPSV (or PASV, after a session's first EPSV was refused) were
    // refused: more of them than data transfers.
    let received = server.received();
    let count = |verb: &str| received.iter().filter(|l| l.starts_with(verb)).count();
    assert!(
        count("EPSV") + count("PASV") > count("MLSD") + count("RETR"),
        "no refusal met: {} EPSV or PASV, {} MLSD, {} RETR",
        count("EPSV") + count("PASV"),
        count("MLSD"),
        count("RETR")
    );
}
