//! Transcripts of `Session::hash`: `HASH` with the algorithm FEAT marks
//! selected, `OPTS HASH` to select another, the older `XSHA256`-style
//! commands where FEAT lists only them (or `OPTS HASH` is refused), the
//! typed failure where the server has none, and strictly checked replies.
//! The replies are proFTPD 1.3.8 mod_digest's, as it sends them.

mod support;

use ftp_proto::decode::DecodeError;
use ftp_proto::hash::{Digest, HashAlgorithm};
use ftp_proto::{Arg, Command, Failure, Outcome};
use support::Script;

fn arg(s: &str) -> Arg {
    Arg::new(s.to_owned()).unwrap()
}

/// proFTPD mod_digest's FEAT lines for digests (SHA-1 selected).
const FEAT_DIGEST: &[u8] = b"211-Features:\r\n HASH CRC32;MD5;SHA-1*;SHA-256;SHA-512;\r\n MDTM\r\n XCRC\r\n XMD5\r\n XSHA\r\n XSHA1\r\n XSHA256\r\n XSHA512\r\n211 End\r\n";
const FEAT_X_ONLY: &[u8] = b"211-Features:\r\n XCRC\r\n XMD5\r\n XSHA256\r\n211 End\r\n";
const FEAT_NONE: &[u8] = b"211-Features:\r\n SIZE\r\n MDTM\r\n211 End\r\n";

const SHA256_ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const SHA1_ABC: &str = "a9993e364706816aba3e25717850c26c9cd0d89d";

fn digest(result: Result<Outcome, Failure>) -> Digest {
    match result {
        Ok(Outcome::Hash(digest)) => digest,
        other => panic!("no digest: {other:?}"),
    }
}

fn malformed(result: Result<Outcome, Failure>) -> (String, String) {
    match result {
        Err(Failure::Decode {
            command,
            error: DecodeError::Hash { reply, reason },
        }) => (command.to_string(), format!("{reply} / {reason}")),
        other => panic!("not a malformed hash reply: {other:?}"),
    }
}

#[test]
fn hash_with_the_selected_algorithm_sends_no_opts() {
    let mut script = Script::logged_in(vec![
        ("FEAT", FEAT_DIGEST),
        (
            "HASH a b.txt",
            b"213-Computing SHA-1 digest\r\n213 SHA-1 0-3 a9993e364706816aba3e25717850c26c9cd0d89d a b.txt\r\n",
        ),
    ]);
    script
        .session
        .hash(arg("a b.txt"), HashAlgorithm::Sha1)
        .unwrap();
    let digest = digest(script.run());
    assert_eq!(digest.to_string(), SHA1_ABC);
    assert_eq!(digest.algorithm(), HashAlgorithm::Sha1);
    assert_eq!(digest.range(), Some((0, 3)));
    assert!(digest.covers(3) && !digest.covers(5) && !digest.covers(2));
    assert!(script.is_done());
}

#[test]
fn another_algorithm_is_selected_once_with_opts_hash() {
    let mut script = Script::logged_in(vec![
        ("FEAT", FEAT_DIGEST),
        ("OPTS HASH SHA-256", b"200 SHA-256\r\n"),
        (
            "HASH abc",
            b"213-Computing SHA-256 digest\r\n213 SHA-256 0-3 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad abc\r\n",
        ),
        // SHA-256 is selected now: no OPTS.
        (
            "HASH abc",
            b"213 SHA-256 0-3 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad abc\r\n",
        ),
        ("OPTS HASH CRC32", b"200 CRC32\r\n"),
        ("HASH empty", b"213 CRC32 0-0 00000000 empty\r\n"),
    ]);
    for _ in 0..2 {
        script
            .session
            .hash(arg("abc"), HashAlgorithm::Sha256)
            .unwrap();
        assert_eq!(digest(script.run()).to_string(), SHA256_ABC);
    }
    script
        .session
        .hash(arg("empty"), HashAlgorithm::Crc32)
        .unwrap();
    let crc = digest(script.run());
    assert_eq!((crc.to_string(), crc.covers(0)), ("00000000".into(), true));
    assert!(script.is_done());
    assert_eq!(
        script.wire(),
        "FEAT\r\nOPTS HASH SHA-256\r\nHASH abc\r\nHASH abc\r\nOPTS HASH CRC32\r\nHASH empty\r\n"
    );
}

#[test]
fn a_raw_opts_makes_the_selection_unknown() {
    let mut script = Script::logged_in(vec![
        ("FEAT", FEAT_DIGEST),
        ("OPTS HASH MD5", b"200 MD5\r\n"),
        ("OPTS HASH SHA-1", b"200 SHA-1\r\n"),
        (
            "HASH f",
            b"213 SHA-1 0-3 a9993e364706816aba3e25717850c26c9cd0d89d f\r\n",
        ),
    ]);
    script.session.ensure_features().unwrap();
    script.run().unwrap();
    script
        .session
        .raw(Command::Raw(arg("OPTS HASH MD5")))
        .unwrap();
    script.run().unwrap();
    // FEAT marked SHA-1, but the raw OPTS may have changed it.
    script.session.hash(arg("f"), HashAlgorithm::Sha1).unwrap();
    assert_eq!(digest(script.run()).to_string(), SHA1_ABC);
    assert!(script.is_done());
}

#[test]
fn x_commands_where_feat_lists_no_hash() {
    let mut script = Script::logged_in(vec![
        ("FEAT", FEAT_X_ONLY),
        (
            "XSHA256 abc",
            b"250-Computing SHA256 digest\r\n250 BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD\r\n",
        ),
        ("XCRC h.txt", b"250 AF083B2D\r\n"),
        ("XMD5 abc", b"213 900150983CD24FB0D6963F7D28E17F72\r\n"),
        ("XMD5 gone", b"550 gone: No such file or directory\r\n"),
    ]);
    script
        .session
        .hash(arg("abc"), HashAlgorithm::Sha256)
        .unwrap();
    let sha = digest(script.run());
    assert_eq!((sha.to_string(), sha.range()), (SHA256_ABC.into(), None));
    script
        .session
        .hash(arg("h.txt"), HashAlgorithm::Crc32)
        .unwrap();
    assert_eq!(digest(script.run()).to_string(), "af083b2d");
    // 213 is taken as well as 250.
    script.session.hash(arg("abc"), HashAlgorithm::Md5).unwrap();
    assert_eq!(
        digest(script.run()).to_string(),
        "900150983cd24fb0d6963f7d28e17f72"
    );
    script
        .session
        .hash(arg("gone"), HashAlgorithm::Md5)
        .unwrap();
    match script.run() {
        Err(Failure::Refused { command, reply }) => {
            assert_eq!(
                (command.to_string(), reply.code().get()),
                ("XMD5 gone".into(), 550)
            );
        }
        other => panic!("not refused: {other:?}"),
    }
    assert!(script.is_done());
}

#[test]
fn a_refused_opts_hash_falls_back_to_the_x_command() {
    let mut script = Script::logged_in(vec![
        ("FEAT", FEAT_DIGEST),
        ("OPTS HASH SHA-512", b"501 SHA-512: Unsupported algorithm\r\n"),
        ("XSHA512 f", b"250 DB3974A97F2407B7CAE1AE637C0030687A11913274D578492558E39C16C017DE84EACDC8C62FE34EE4E12B4B1428817F09B6A2760C3F8A664CEAE94D2434A593\r\n"),
        // The selection is unknown after the refusal: OPTS again.
        ("OPTS HASH SHA-1", b"200 SHA-1\r\n"),
        ("HASH f", b"500 HASH not understood\r\n"),
        ("XSHA1 f", b"250 A9993E364706816ABA3E25717850C26C9CD0D89D\r\n"),
    ]);
    script
        .session
        .hash(arg("f"), HashAlgorithm::Sha512)
        .unwrap();
    assert_eq!(digest(script.run()).bytes().len(), 64);
    // HASH refused as unknown despite FEAT: the older command.
    script.session.hash(arg("f"), HashAlgorithm::Sha1).unwrap();
    assert_eq!(digest(script.run()).to_string(), SHA1_ABC);
    assert!(script.is_done());
}

#[test]
fn no_hash_at_all_is_a_typed_failure_and_sends_nothing() {
    let mut script = Script::logged_in(vec![("FEAT", FEAT_NONE)]);
    script
        .session
        .hash(arg("f"), HashAlgorithm::Sha256)
        .unwrap();
    let failure = script.run().unwrap_err();
    assert!(
        matches!(
            failure,
            Failure::NoHash {
                algorithm: HashAlgorithm::Sha256,
                ..
            }
        ),
        "{failure:?}"
    );
    assert!(
        failure
            .to_string()
            .starts_with("the server has no SHA-256 hash"),
        "{failure}"
    );
    // A server without FEAT (500) has none either.
    let mut script = Script::logged_in(vec![("FEAT", b"500 FEAT not understood\r\n")]);
    script.session.hash(arg("f"), HashAlgorithm::Md5).unwrap();
    assert!(matches!(script.run(), Err(Failure::NoHash { .. })));
    assert_eq!(script.wire(), "FEAT\r\n");
}

#[test]
fn an_x_command_never_names_a_path_with_a_space() {
    // proFTPD takes `XMD5 x 1 2` as x from byte 1 to 2: a digest of the
    // wrong bytes. HASH has no such problem; without it, no digest.
    let mut script = Script::logged_in(vec![("FEAT", FEAT_X_ONLY)]);
    script
        .session
        .hash(arg("x 1 2"), HashAlgorithm::Md5)
        .unwrap();
    let failure = script.run().unwrap_err();
    assert!(failure.to_string().contains("space"), "{failure}");
    assert_eq!(script.wire(), "FEAT\r\n");
}

#[test]
fn malformed_hash_replies_fail_keeping_the_reply() {
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "another algorithm",
            b"213 MD5 0-3 900150983cd24fb0d6963f7d28e17f72 f\r\n",
            "another algorithm",
        ),
        (
            "a range not from 0",
            b"213 SHA-1 1-3 a9993e364706816aba3e25717850c26c9cd0d89d f\r\n",
            "from its start",
        ),
        (
            "no range",
            b"213 SHA-1 a9993e364706816aba3e25717850c26c9cd0d89d f\r\n",
            "expected ALGORITHM",
        ),
        (
            "a short digest",
            b"213 SHA-1 0-3 a9993e364706816aba3e25717850c26c9cd0d8 f\r\n",
            "40 hexadecimal digits",
        ),
        (
            "a digest that is not hex",
            b"213 SHA-1 0-3 z9993e364706816aba3e25717850c26c9cd0d89d f\r\n",
            "40 hexadecimal digits",
        ),
        (
            "a negative range",
            b"213 SHA-1 0--3 a9993e364706816aba3e25717850c26c9cd0d89d f\r\n",
            "START-END",
        ),
        (
            "the wrong code",
            b"250 SHA-1 0-3 a9993e364706816aba3e25717850c26c9cd0d89d f\r\n",
            "not a 213",
        ),
    ];
    for (what, reply, reason) in cases {
        let mut script = Script::logged_in(vec![("FEAT", FEAT_DIGEST), ("HASH f", reply)]);
        script.session.hash(arg("f"), HashAlgorithm::Sha1).unwrap();
        let (command, text) = malformed(script.run());
        assert_eq!(command, "HASH f", "{what}");
        assert!(text.contains(reason), "{what}: {text}");
        assert!(
            text.contains("213") || text.contains("250"),
            "{what}: the reply is kept: {text}"
        );
        assert!(script.session.is_idle(), "{what}: the session goes on");
    }
    let mut script = Script::logged_in(vec![
        ("FEAT", FEAT_X_ONLY),
        ("XCRC f", b"250 AF083B2\r\n"),
        ("XSHA256 f", b"250 Computing SHA256 digest\r\n"),
    ]);
    script.session.hash(arg("f"), HashAlgorithm::Crc32).unwrap();
    let (_, text) = malformed(script.run());
    assert!(
        text.contains("AF083B2") && text.contains("8 hexadecimal"),
        "{text}"
    );
    script
        .session
        .hash(arg("f"), HashAlgorithm::Sha256)
        .unwrap();
    let (_, text) = malformed(script.run());
    assert!(text.contains("Computing"), "{text}");
}

#[test]
fn hash_paths_are_checked_arguments() {
    assert!(Arg::new("f\r\nDELE g").is_err());
    assert!(Arg::new("").is_err());
    let mut script = Script::logged_in(vec![]);
    script.session.hash(arg("f"), HashAlgorithm::Sha1).unwrap();
    // Busy until it ends.
    assert!(script.session.hash(arg("f"), HashAlgorithm::Sha1).is_err());
}
