//! The login directory's URL (`ftp://host/`) and URLs ending in `/` name a
//! directory: against a server that answers `213 5` to every SIZE (see
//! `ftp_suite::login_root`), `ls`, `cp -r` both ways and `rm -r` act on the
//! directory, `rm -r` and `mv -r` of the login directory are refused
//! without a connection, and no command is ever sent without the argument
//! it needs.

use std::fs;
use std::path::Path;
use std::process::Output;

use ftp_suite::FaultServer;
use ftp_suite::login_root::{self, Tree};

mod common;
use common::{ftp_cli_with, stderr, stdout};

/// Options every run here takes.
const OPTIONS: &[&str] = &["--timeout", "5"];

fn assert_ok(output: &Output, what: &str) {
    assert_eq!(output.status.code(), Some(0), "{what}: {}", stderr(output));
}

/// The verbs that need an argument, among those a client sends.
const NEED_AN_ARGUMENT: &[&str] = &[
    "SIZE", "MDTM", "RETR", "STOR", "APPE", "DELE", "RNFR", "RNTO", "MKD", "RMD", "CWD", "USER",
];

/// No command line went out with an empty argument, and none asked SIZE.
fn assert_no_empty_argument_and_no_size(server: &FaultServer) {
    for line in server.received() {
        assert!(
            !line.ends_with(' '),
            "sent with an empty argument: {line:?}"
        );
        assert!(
            !NEED_AN_ARGUMENT
                .iter()
                .any(|verb| line.eq_ignore_ascii_case(verb)),
            "sent without its argument: {line:?}"
        );
        assert!(
            !line.to_ascii_uppercase().starts_with("SIZE"),
            "asked {line:?} of a directory"
        );
    }
}

fn file(tree: &Tree, path: &str) -> Option<Vec<u8>> {
    tree.lock().unwrap().get(path).cloned().flatten()
}

#[test]
fn ls_of_the_login_root_lists_it() {
    for mlsd in [false, true] {
        for style in [None, Some("-l"), Some("--json"), Some("-1")] {
            let (server, _tree) = login_root::sizes_everything(mlsd);
            let mut args = vec!["ls"];
            args.extend(style);
            let url = server.url("");
            args.push(&url);
            let out = ftp_cli_with(OPTIONS, &args);
            assert_ok(&out, &format!("{args:?} (mlsd {mlsd})"));
            let listed = stdout(&out);
            assert!(
                listed.contains("a.txt") && listed.contains("sub"),
                "{args:?}: {listed}"
            );
            assert_no_empty_argument_and_no_size(&server);
        }
    }
}

#[test]
fn cp_r_of_the_login_root_copies_its_tree() {
    for mlsd in [false, true] {
        let (server, _tree) = login_root::sizes_everything(mlsd);
        let local = tempfile::tempdir().unwrap();
        let dst = local.path().join("copy");
        let out = ftp_cli_with(
            OPTIONS,
            &["cp", "-r", &server.url(""), dst.to_str().unwrap()],
        );
        assert_ok(&out, &format!("cp -r of the login root (mlsd {mlsd})"));
        for (path, content) in login_root::INITIAL {
            match content {
                Some(content) => assert_eq!(fs::read(dst.join(path)).unwrap(), *content, "{path}"),
                None => assert!(dst.join(path).is_dir(), "{path}"),
            }
        }
        assert_no_empty_argument_and_no_size(&server);
    }
}

#[test]
fn cp_r_of_a_url_ending_in_a_slash_copies_that_directory() {
    for mlsd in [false, true] {
        let (server, _tree) = login_root::sizes_everything(mlsd);
        let local = tempfile::tempdir().unwrap();
        let dst = local.path().join("copy");
        let out = ftp_cli_with(
            OPTIONS,
            &["cp", "-r", &server.url("sub/"), dst.to_str().unwrap()],
        );
        assert_ok(&out, &format!("cp -r sub/ (mlsd {mlsd})"));
        assert_eq!(fs::read(dst.join("b.txt")).unwrap(), b"bravo!");
        assert_eq!(fs::read(dst.join("deeper/c.txt")).unwrap(), b"charlie");
        assert_no_empty_argument_and_no_size(&server);
    }
}

fn local_tree(root: &Path) {
    fs::create_dir_all(root.join("inner")).unwrap();
    fs::write(root.join("x.txt"), b"x-ray").unwrap();
    fs::write(root.join("inner/y.txt"), b"yankee").unwrap();
}

#[test]
fn cp_r_into_the_login_root_uploads_there() {
    for mlsd in [false, true] {
        for dst in ["", "sub/"] {
            let (server, tree) = login_root::sizes_everything(mlsd);
            let local = tempfile::tempdir().unwrap();
            let src = local.path().join("up");
            local_tree(&src);
            let out = ftp_cli_with(
                OPTIONS,
                &["cp", "-r", src.to_str().unwrap(), &server.url(dst)],
            );
            assert_ok(&out, &format!("cp -r up {dst:?} (mlsd {mlsd})"));
            assert_eq!(
                file(&tree, &format!("{dst}up/x.txt")).as_deref(),
                Some(&b"x-ray"[..]),
                "{dst:?}: {:?}",
                tree.lock().unwrap().keys().collect::<Vec<_>>()
            );
            assert_eq!(
                file(&tree, &format!("{dst}up/inner/y.txt")).as_deref(),
                Some(&b"yankee"[..])
            );
            assert_no_empty_argument_and_no_size(&server);
        }
    }
}

#[test]
fn rm_r_and_mv_r_of_the_login_root_are_refused_without_a_connection() {
    let (server, tree) = login_root::sizes_everything(false);
    let local = tempfile::tempdir().unwrap();
    let dst = local.path().join("moved");
    for args in [
        vec!["rm", "-r", &server.url("")],
        vec!["rm", "-r", "--dry-run", &server.url("")],
        vec!["mv", "-r", &server.url(""), dst.to_str().unwrap()],
    ] {
        let out = ftp_cli_with(OPTIONS, &args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("the login directory"), "{args:?}: {err}");
        assert!(!err.contains(":pw@"), "password shown: {err}");
    }
    assert_eq!(server.connections(), 0, "{:?}", server.received());
    assert_eq!(tree.lock().unwrap().len(), login_root::INITIAL.len());
    assert!(!dst.exists());
}

#[test]
fn rm_r_force_of_the_login_root_empties_it_and_keeps_it() {
    for mlsd in [false, true] {
        let (server, tree) = login_root::sizes_everything(mlsd);
        let out = ftp_cli_with(OPTIONS, &["rm", "-r", "--force", &server.url("")]);
        assert_ok(&out, &format!("rm -r --force (mlsd {mlsd})"));
        assert!(
            tree.lock().unwrap().is_empty(),
            "{:?}",
            tree.lock().unwrap()
        );
        // The login directory itself is never removed.
        let received = server.received();
        assert!(
            !received
                .iter()
                .any(|l| l.eq_ignore_ascii_case("RMD /") || l.eq_ignore_ascii_case("RMD")),
            "{received:?}"
        );
        assert_no_empty_argument_and_no_size(&server);
    }
}
