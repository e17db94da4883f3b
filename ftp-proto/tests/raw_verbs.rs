//! `Session::raw` refuses, by verb, the commands the session must manage:
//! nothing is sent, the error names the verb, and the session stays usable.

mod support;

use ftp_proto::{Arg, Command, Outcome, RESERVED_VERBS, UsageError};
use std::time::Instant;
use support::Script;

fn raw(line: &str) -> Command {
    Command::Raw(Arg::new(line.to_owned()).unwrap())
}

#[test]
fn every_reserved_verb_is_refused_in_any_case_and_nothing_is_sent() {
    let mut script = Script::logged_in(vec![("NOOP", b"200 Still here\r\n")]);
    let lines: Vec<String> = RESERVED_VERBS
        .iter()
        .flat_map(|verb| {
            [
                verb.to_string(),
                verb.to_ascii_lowercase(),
                format!("{verb} some/argument"),
                // Leading blanks, a tab after the verb, mixed case.
                format!(
                    "  {}\tx",
                    verb[..1].to_owned() + &verb[1..].to_ascii_lowercase()
                ),
            ]
        })
        .collect();
    for line in &lines {
        let refused = script.session.raw(raw(line));
        let verb = RESERVED_VERBS
            .iter()
            .find(|v| line.trim_start().to_ascii_uppercase().starts_with(*v))
            .unwrap();
        assert_eq!(refused, Err(UsageError::ReservedVerb(verb)), "{line:?}");
        assert!(script.session.is_idle(), "{line:?}");
        assert_eq!(
            script.session.poll(Instant::now()),
            None,
            "{line:?}: nothing to do"
        );
    }
    // The typed forms are refused the same way.
    for command in [
        Command::Pasv,
        Command::Epsv,
        Command::Rest(10),
        Command::List(None),
        Command::Retr(Arg::new("x").unwrap()),
        Command::Rnfr(Arg::new("x").unwrap()),
        Command::Prot(ftp_proto::ProtectionLevel::Private),
    ] {
        let verb = command.verb().to_owned();
        assert_eq!(
            script.session.raw(command),
            Err(UsageError::ReservedVerb(
                RESERVED_VERBS.iter().find(|v| **v == verb).unwrap()
            ))
        );
    }
    assert_eq!(script.wire(), "", "not a byte went out");
    // The session still works.
    script.session.noop().unwrap();
    assert!(matches!(script.run(), Ok(Outcome::Completed(_))));
    assert_eq!(script.wire(), "NOOP\r\n");
}

#[test]
fn rnfr_goes_through_check_rename_which_never_leaves_it_pending() {
    let mut script = Script::logged_in(vec![
        ("RNFR f", b"350 Ready for RNTO\r\n"),
        ("RNTO f", b"250 Renamed\r\n"),
        ("RNFR locked", b"450 Busy\r\n"),
        ("RNTO g", b"503 Bad sequence of commands\r\n"),
    ]);
    // A raw RNFR would leave the server waiting for RNTO: refused.
    assert_eq!(
        script.session.raw(raw("rnfr f")),
        Err(UsageError::ReservedVerb("RNFR"))
    );
    assert_eq!(script.wire(), "");
    // The typed check asks, and ends the pending rename with an RNTO onto
    // the same name.
    script.session.check_rename(Arg::new("f").unwrap()).unwrap();
    assert_eq!(
        script.run(),
        Ok(Outcome::RenameChecked(ftp_proto::RenameCheck::Allowed))
    );
    assert_eq!(script.wire(), "RNFR f\r\nRNTO f\r\n");
    // A 4xx is a transient failure, to be asked again later.
    script
        .session
        .check_rename(Arg::new("locked").unwrap())
        .unwrap();
    let failure = script.run().unwrap_err();
    assert!(failure.is_transient(), "{failure}");
    // RNTO alone leaves nothing pending: it may be sent raw.
    script.session.raw(raw("RNTO g")).unwrap();
    assert!(matches!(script.run(), Ok(Outcome::Completed(r)) if r.code().get() == 503));
    assert!(script.is_done());
}

#[test]
fn words_that_only_start_like_a_reserved_verb_are_sent() {
    let mut script = Script::logged_in(vec![
        ("PASVX", b"500 Unknown command\r\n"),
        ("RETRIEVE x", b"500 Unknown command\r\n"),
        ("SITE RETR x", b"200 Whatever\r\n"),
        ("SYST", b"215 UNIX Type: L8\r\n"),
        ("STAT", b"211-Status\r\n Connected\r\n211 End\r\n"),
    ]);
    for (line, code) in [
        ("PASVX", 500),
        ("RETRIEVE x", 500),
        ("SITE RETR x", 200),
        ("SYST", 215),
        ("STAT", 211),
    ] {
        script.session.raw(raw(line)).unwrap();
        match script.run() {
            Ok(Outcome::Completed(reply)) => assert_eq!(reply.code().get(), code, "{line}"),
            other => panic!("{line}: {other:?}"),
        }
    }
    assert_eq!(
        script.wire(),
        "PASVX\r\nRETRIEVE x\r\nSITE RETR x\r\nSYST\r\nSTAT\r\n"
    );
}

#[test]
fn a_raw_type_makes_the_next_transfer_set_the_type_again() {
    let mut script = Script::logged_in(vec![
        ("TYPE I", b"200 Binary\r\n"),
        ("EPSV", b"229 Extended Passive Mode (|||40000|)\r\n"),
        ("LIST", b"150 Here it comes\r\n"),
        ("", b"226 Done\r\n"),
        ("type a", b"200 ASCII\r\n"),
        ("TYPE I", b"200 Binary\r\n"),
        ("EPSV", b"229 Extended Passive Mode (|||40001|)\r\n"),
        ("LIST", b"150 Here it comes\r\n"),
        ("", b"226 Done\r\n"),
    ]);
    for round in 0..2 {
        script
            .session
            .transfer(ftp_proto::DataCommand::List(None))
            .unwrap();
        script.run_transfer_to_end().unwrap();
        assert!(script.session.is_binary());
        if round == 0 {
            script.session.raw(raw("type a")).unwrap();
            script.run().unwrap();
            assert!(!script.session.is_binary());
        }
    }
    assert_eq!(
        script.wire(),
        "TYPE I\r\nEPSV\r\nLIST\r\ntype a\r\nTYPE I\r\nEPSV\r\nLIST\r\n"
    );
    assert!(script.is_done());
}
