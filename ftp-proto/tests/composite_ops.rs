//! Transcripts of the composite operations the session runs itself:
//! `stat` (MLST, else SIZE/MDTM, else "is it a directory" by CWD in and
//! back), `entries` (MLSD or LIST, falling back), FEAT on demand, MFMT
//! gated on FEAT, `mkdir_all`, and the working-directory guarantee.

mod support;

use ftp_proto::decode::Timestamp;
use ftp_proto::listing::{Format, Kind};
use ftp_proto::{Arg, Failure, Outcome};
use support::Script;

fn arg(s: &str) -> Arg {
    Arg::new(s.to_owned()).unwrap()
}

const FEAT_MLST: &[u8] = b"211-Features:\r\n MLST type*;size*;modify*;\r\n MFMT\r\n211 End\r\n";
const FEAT_NONE: &[u8] = b"211-Features:\r\n SIZE\r\n211 End\r\n";
const EPSV: &[u8] = b"229 Extended Passive Mode (|||40000|)\r\n";

fn stat_kind(result: Result<Outcome, Failure>) -> (Kind, Vec<u8>, Option<u64>) {
    match result {
        Ok(Outcome::Stat(entry)) => (entry.kind, entry.name, entry.size),
        other => panic!("no stat: {other:?}"),
    }
}

fn refused_code(result: Result<Outcome, Failure>) -> u16 {
    match result {
        Err(Failure::Refused { reply, .. }) => reply.code().get(),
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn stat_asks_feat_once_then_mlst() {
    let mut script = Script::logged_in(vec![
        ("FEAT", FEAT_MLST),
        (
            "MLST f.txt",
            b"250-Listing\r\n type=file;size=5;modify=20260102030405; /f.txt\r\n250 End\r\n",
        ),
        ("MLST", b"250-Listing\r\n type=cdir; /pub\r\n250 End\r\n"),
    ]);
    script.session.stat(Some(arg("f.txt"))).unwrap();
    assert_eq!(
        stat_kind(script.run()),
        (Kind::File, b"/f.txt".to_vec(), Some(5))
    );
    script.session.stat(None).unwrap();
    assert_eq!(stat_kind(script.run()).0, Kind::Dir, "cdir is a directory");
    assert!(script.is_done());
    assert_eq!(script.wire(), "FEAT\r\nMLST f.txt\r\nMLST\r\n");
}

#[test]
fn stat_mlst_unknown_falls_back_to_size_and_mdtm() {
    let mut script = Script::logged_in(vec![
        ("FEAT", FEAT_MLST),
        ("MLST f", b"500 Unknown command\r\n"),
        ("TYPE I", b"200 Binary\r\n"),
        ("SIZE f", b"213 42\r\n"),
        ("MDTM f", b"213 20260102030405\r\n"),
        ("MLST g", b"550 No such file\r\n"),
    ]);
    script.session.stat(Some(arg("f"))).unwrap();
    let Ok(Outcome::Stat(entry)) = script.run() else {
        panic!("no stat")
    };
    assert_eq!((entry.kind, entry.size), (Kind::File, Some(42)));
    let modified = entry.modified.expect("MDTM's time");
    assert_eq!(modified.time.unix_timestamp(), 1_767_323_045);
    // A refusal other than 500/502 is the answer: no SIZE.
    script.session.stat(Some(arg("g"))).unwrap();
    assert_eq!(refused_code(script.run()), 550);
    assert!(script.is_done());
}

#[test]
fn stat_without_mlst_a_refused_mdtm_still_gives_a_file() {
    let mut script = Script::logged_in(vec![
        ("FEAT", FEAT_NONE),
        ("TYPE I", b"200 Binary\r\n"),
        ("SIZE f", b"213 7\r\n"),
        ("MDTM f", b"550 No MDTM here\r\n"),
        ("SIZE g", b"213 8\r\n"),
        ("MDTM g", b"213 20260102030405\r\n"),
    ]);
    script.session.stat(Some(arg("f"))).unwrap();
    let Ok(Outcome::Stat(entry)) = script.run() else {
        panic!("no stat")
    };
    assert_eq!(
        (entry.kind, entry.size, entry.modified),
        (Kind::File, Some(7), None)
    );
    // TYPE I is in force now: SIZE goes alone.
    script.session.stat(Some(arg("g"))).unwrap();
    assert_eq!(stat_kind(script.run()).2, Some(8));
    assert!(script.is_done());
}

#[test]
fn stat_size_refused_asks_cwd_in_and_back_home() {
    let mut script = Script::logged_in(vec![
        ("FEAT", FEAT_NONE),
        ("TYPE I", b"200 Binary\r\n"),
        ("SIZE d", b"550 Not a plain file\r\n"),
        ("PWD", b"257 \"/home\" is the current directory\r\n"),
        ("CWD d", b"250 OK\r\n"),
        ("CWD /home", b"250 OK\r\n"),
        // The working directory is known now: no PWD.
        ("SIZE e", b"550 Not a plain file\r\n"),
        ("CWD e", b"550 No such directory\r\n"),
        ("SIZE busy", b"450 Try later\r\n"),
    ]);
    script.session.stat(Some(arg("d"))).unwrap();
    assert_eq!(stat_kind(script.run()), (Kind::Dir, b"d".to_vec(), None));
    // No directory either: SIZE's refusal is the answer.
    script.session.stat(Some(arg("e"))).unwrap();
    match script.run() {
        Err(Failure::Refused { command, reply }) => {
            assert_eq!(command.to_string(), "SIZE e");
            assert_eq!(reply.code().get(), 550);
        }
        other => panic!("{other:?}"),
    }
    // A 4xx is no sign of a directory.
    script.session.stat(Some(arg("busy"))).unwrap();
    assert_eq!(refused_code(script.run()), 450);
    assert!(script.is_done());
}

#[test]
fn stat_of_a_directory_path_never_asks_size() {
    let mut script = Script::logged_in(vec![
        ("FEAT", b"502 No FEAT\r\n"),
        ("PWD", b"257 \"/\"\r\n"),
        ("CWD pub/", b"250 OK\r\n"),
        ("CWD /", b"250 OK\r\n"),
        ("CWD nope/", b"550 No such directory\r\n"),
    ]);
    // No path: the working directory, nothing asked.
    script.session.stat(None).unwrap();
    assert_eq!(stat_kind(script.run()), (Kind::Dir, Vec::new(), None));
    script.session.stat(Some(arg("pub/"))).unwrap();
    assert_eq!(stat_kind(script.run()).0, Kind::Dir);
    script.session.stat(Some(arg("nope/"))).unwrap();
    assert_eq!(refused_code(script.run()), 550);
    assert!(script.is_done());
    assert_eq!(
        script.wire(),
        "FEAT\r\nPWD\r\nCWD pub/\r\nCWD /\r\nCWD nope/\r\n"
    );
}

#[test]
fn a_session_that_cannot_get_back_home_is_closed() {
    let mut script = Script::logged_in(vec![
        ("FEAT", FEAT_NONE),
        ("PWD", b"257 \"/home\"\r\n"),
        ("CWD d/", b"250 OK\r\n"),
        ("CWD /home", b"550 Gone\r\n"),
        ("CWD /home", b"550 Gone\r\n"),
        ("CWD /home", b"550 Gone\r\n"),
    ]);
    script.session.stat(Some(arg("d/"))).unwrap();
    assert_eq!(refused_code(script.run()), 550);
    assert!(
        script.session.is_closed(),
        "never on in the wrong directory"
    );
    assert!(script.is_done());
}

#[test]
fn stat_421_at_any_step_closes_the_session() {
    let mut script = Script::logged_in(vec![
        ("FEAT", FEAT_NONE),
        ("TYPE I", b"200 Binary\r\n"),
        ("SIZE f", b"213 7\r\n"),
        ("MDTM f", b"421 Timeout\r\n"),
    ]);
    script.session.stat(Some(arg("f"))).unwrap();
    assert!(matches!(script.run(), Err(Failure::Closed(Some(_)))));
    assert!(script.session.is_closed());
}

#[test]
fn entries_list_with_mlsd_when_feat_lists_mlst() {
    let mut script = Script::logged_in(vec![
        ("FEAT", FEAT_MLST),
        ("TYPE I", b"200 Binary\r\n"),
        ("EPSV", EPSV),
        ("MLSD", b"150 Here\r\n"),
        ("", b"226 Done\r\n"),
    ]);
    script.session.entries(None).unwrap();
    assert!(matches!(
        script.run_transfer_to_end(),
        Ok(Outcome::Transferred(_))
    ));
    assert_eq!(script.session.listing_format(), Some(Format::Mlsd));
    assert!(script.is_done());
}

#[test]
fn entries_list_with_list_without_mlst() {
    let mut script = Script::logged_in(vec![
        ("FEAT", b"500 Unknown\r\n"),
        ("TYPE I", b"200 Binary\r\n"),
        ("EPSV", EPSV),
        ("LIST", b"150 Here\r\n"),
        ("", b"226 Done\r\n"),
    ]);
    script.session.entries(None).unwrap();
    assert!(script.run_transfer_to_end().is_ok());
    assert_eq!(script.session.listing_format(), Some(Format::List));
    assert!(script.is_done());
}

#[test]
fn entries_mlsd_refused_as_unknown_lists_again_with_list_in_the_same_operation() {
    let mut script = Script::logged_in(vec![
        ("FEAT", FEAT_MLST),
        ("PWD", b"257 \"/home\"\r\n"),
        ("CWD pub", b"250 OK\r\n"),
        ("TYPE I", b"200 Binary\r\n"),
        ("EPSV", EPSV),
        ("MLSD", b"502 Not implemented\r\n"),
        // Still in `pub`: the same listing with LIST.
        ("EPSV", EPSV),
        ("LIST", b"150 Here\r\n"),
        ("", b"226 Done\r\n"),
        ("CWD /home", b"250 OK\r\n"),
        // And from then on.
        ("CWD pub", b"250 OK\r\n"),
        ("EPSV", EPSV),
        ("LIST", b"150 Here\r\n"),
        ("", b"226 Done\r\n"),
        ("CWD /home", b"250 OK\r\n"),
    ]);
    script.session.entries(Some(arg("pub"))).unwrap();
    assert!(script.run_transfer_to_end().is_ok());
    assert_eq!(script.session.listing_format(), Some(Format::List));
    script.session.entries(Some(arg("pub"))).unwrap();
    assert!(script.run_transfer_to_end().is_ok());
    assert!(script.is_done());
}

#[test]
fn entries_other_refusals_end_the_listing_and_plain_mlsd_never_falls_back() {
    let mut script = Script::logged_in(vec![
        ("FEAT", FEAT_MLST),
        ("TYPE I", b"200 Binary\r\n"),
        ("EPSV", EPSV),
        ("MLSD", b"550 Permission denied\r\n"),
        ("EPSV", EPSV),
        ("MLSD", b"500 Unknown\r\n"),
    ]);
    script.session.entries(None).unwrap();
    assert_eq!(refused_code(script.run()), 550);
    // A transfer of MLSD asked for as such is not `entries`.
    script
        .session
        .transfer(ftp_proto::DataCommand::Mlsd(None))
        .unwrap();
    assert_eq!(refused_code(script.run()), 500);
    assert!(script.is_done());
}

#[test]
fn feat_refused_with_4xx_fails_the_operation_that_needed_it() {
    let mut script = Script::logged_in(vec![("FEAT", b"421 Too busy\r\n")]);
    script.session.entries(None).unwrap();
    assert!(matches!(script.run(), Err(Failure::Closed(Some(_)))));

    let mut script = Script::logged_in(vec![("FEAT", b"450 Later\r\n")]);
    script.session.stat(None).unwrap();
    assert_eq!(refused_code(script.run()), 450);
    assert!(script.session.features().is_none(), "asked again next time");
}

#[test]
fn ensure_features_asks_feat_once() {
    let mut script = Script::logged_in(vec![("FEAT", FEAT_MLST)]);
    script.session.ensure_features().unwrap();
    assert!(matches!(script.run(), Ok(Outcome::Features(f)) if f.supports("MFMT")));
    script.session.ensure_features().unwrap();
    assert!(matches!(script.run(), Ok(Outcome::Features(f)) if f.supports("MLST")));
    assert_eq!(script.wire(), "FEAT\r\n");
}

#[test]
fn set_modified_sends_mfmt_only_when_feat_lists_it() {
    let when = Timestamp::new(2026, 1, 2, 3, 4, 5).unwrap();
    let mut script = Script::logged_in(vec![
        ("FEAT", FEAT_MLST),
        ("MFMT 20260102030405 f", b"213 Modify=20260102030405; f\r\n"),
    ]);
    script.session.set_modified(arg("f"), when).unwrap();
    assert!(matches!(script.run(), Ok(Outcome::Completed(_))));
    assert!(script.is_done());

    let mut script = Script::logged_in(vec![("FEAT", FEAT_NONE)]);
    script.session.set_modified(arg("f"), when).unwrap();
    assert_eq!(script.run(), Err(Failure::Unsupported { feature: "MFMT" }));
    // FEAT known: refused at once, nothing sent.
    script.session.set_modified(arg("f"), when).unwrap();
    assert_eq!(script.run(), Err(Failure::Unsupported { feature: "MFMT" }));
    assert_eq!(script.wire(), "FEAT\r\n");
    assert!(script.session.is_idle());
}

#[test]
fn mkdir_all_makes_each_missing_directory_and_walks_past_existing_ones() {
    let mut script = Script::logged_in(vec![
        ("MKD a", b"257 \"a\" created\r\n"),
        ("MKD a/b", b"550 Exists\r\n"),
        ("PWD", b"257 \"/home\"\r\n"),
        ("CWD a/b", b"250 OK\r\n"),
        ("CWD /home", b"250 OK\r\n"),
        ("MKD a/b/c", b"257 \"a/b/c\" created\r\n"),
    ]);
    script.session.mkdir_all(arg("a/b/c/")).unwrap();
    assert_eq!(script.run(), Ok(Outcome::DirectoryMade));
    assert!(script.is_done());
}

#[test]
fn mkdir_all_skips_leading_and_doubled_slashes_and_makes_nothing_of_root() {
    let mut script = Script::logged_in(vec![
        ("MKD /x", b"257 Created\r\n"),
        ("MKD /x//y", b"257 Created\r\n"),
    ]);
    script.session.mkdir_all(arg("/x//y")).unwrap();
    assert_eq!(script.run(), Ok(Outcome::DirectoryMade));
    script.session.mkdir_all(arg("/")).unwrap();
    assert_eq!(script.run(), Ok(Outcome::DirectoryMade));
    assert!(script.is_done());
    assert_eq!(script.wire(), "MKD /x\r\nMKD /x//y\r\n");
}

#[test]
fn mkdir_all_fails_with_mkd_refusal_when_no_directory_is_there() {
    let mut script = Script::logged_in(vec![
        ("MKD a", b"550 Permission denied\r\n"),
        ("PWD", b"257 \"/home\"\r\n"),
        ("CWD a", b"550 No such directory\r\n"),
        ("MKD b", b"450 Busy\r\n"),
    ]);
    script.session.mkdir_all(arg("a/b")).unwrap();
    match script.run() {
        Err(Failure::Refused { command, reply }) => {
            assert_eq!(command.to_string(), "MKD a");
            assert_eq!(reply.code().get(), 550);
        }
        other => panic!("{other:?}"),
    }
    // A 4xx is no sign that it exists: no CWD.
    script.session.mkdir_all(arg("b")).unwrap();
    assert_eq!(refused_code(script.run()), 450);
    assert!(script.is_done());
}

#[test]
fn mkdir_all_closes_the_session_that_cannot_get_back_home() {
    let mut script = Script::logged_in(vec![
        ("MKD a", b"550 Exists\r\n"),
        ("PWD", b"257 \"/home\"\r\n"),
        ("CWD a", b"250 OK\r\n"),
        ("CWD /home", b"550 No\r\n"),
        ("CWD /home", b"550 No\r\n"),
        ("CWD /home", b"550 No\r\n"),
    ]);
    script.session.mkdir_all(arg("a/b")).unwrap();
    assert_eq!(refused_code(script.run()), 550);
    assert!(script.session.is_closed());
    assert!(script.is_done());
}

#[test]
fn resolve_link_asks_size_then_cwd_where_mlst_describes_the_link() {
    let mut script = Script::logged_in(vec![
        ("FEAT", FEAT_MLST),
        (
            "MLST to-file",
            b"250-Listing\r\n type=OS.unix=symlink; /to-file\r\n250 End\r\n",
        ),
        ("TYPE I", b"200 Binary\r\n"),
        ("SIZE to-file", b"213 12\r\n"),
        (
            "MLST to-dir",
            b"250-Listing\r\n type=OS.unix=slink:/d; /to-dir\r\n250 End\r\n",
        ),
        ("SIZE to-dir", b"550 Not a plain file\r\n"),
        ("PWD", b"257 \"/home\"\r\n"),
        ("CWD to-dir", b"250 OK\r\n"),
        ("CWD /home", b"250 OK\r\n"),
        (
            "MLST dangling",
            b"250-Listing\r\n type=OS.unix=symlink; /dangling\r\n250 End\r\n",
        ),
        ("SIZE dangling", b"550 No such file\r\n"),
        ("CWD dangling", b"550 No such directory\r\n"),
        (
            "MLST plain",
            b"250-Listing\r\n type=file;size=3; /plain\r\n250 End\r\n",
        ),
    ]);
    script.session.resolve_link(arg("to-file")).unwrap();
    assert_eq!(
        stat_kind(script.run()),
        (Kind::File, b"to-file".to_vec(), Some(12))
    );
    script.session.resolve_link(arg("to-dir")).unwrap();
    assert_eq!(stat_kind(script.run()).0, Kind::Dir);
    // Neither: the CWD's refusal (not SIZE's) is the answer.
    script.session.resolve_link(arg("dangling")).unwrap();
    match script.run() {
        Err(Failure::Refused { command, .. }) => assert_eq!(command.to_string(), "CWD dangling"),
        other => panic!("{other:?}"),
    }
    // MLST that follows the link answers at once.
    script.session.resolve_link(arg("plain")).unwrap();
    assert_eq!(stat_kind(script.run()).2, Some(3));
    assert!(script.is_done());
}
