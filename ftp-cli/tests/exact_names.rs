//! Names that servers and URL parsers like to misread, through every
//! `ftp-cli` operation, against a real server (libunftp, in-process): the
//! operation acts on exactly the name given, and on nothing else.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use ftp_suite::{PASSWORD, TestServer};

/// The adversarial names. A name that is not UTF-8 is left to the interop
/// suite: libunftp decodes command lines as UTF-8, so it cannot hold one.
fn names() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("space", b"my file".to_vec()),
        ("leading dash", b"-la".to_vec()),
        ("star", b"*".to_vec()),
        ("question mark", b"?".to_vec()),
        ("brackets", b"[x]".to_vec()),
        ("hash", b"#1".to_vec()),
        ("percent", b"100%".to_vec()),
        ("semicolon", b"a;type=a".to_vec()),
        ("UTF-8", "café ünï".as_bytes().to_vec()),
        ("200 bytes", vec![b'n'; 200]),
    ]
}

/// Files that a server misreading a name as a glob or as options would
/// list, move or delete instead: each must survive every operation.
const DECOYS: &[&str] = &["d", "decoy", "x", "my", "file"];

fn ftp_cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftp-cli"))
        .args(args)
        .output()
        .expect("run ftp-cli")
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn encode(name: &[u8]) -> String {
    name.iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(unix)]
fn os(name: &[u8]) -> &std::ffi::OsStr {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(name)
}

fn run(case: &str, args: &[&str]) -> Output {
    let out = ftp_cli(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains(PASSWORD), "{case}: {err}");
    assert_eq!(out.status.code(), Some(0), "{case}: {args:?}: {err}");
    out
}

fn decoys_intact(case: &str, dir: &Path) {
    for decoy in DECOYS {
        assert_eq!(
            fs::read(dir.join(decoy)).unwrap_or_default(),
            decoy.as_bytes(),
            "{case}: decoy {decoy} changed"
        );
    }
}

#[test]
fn every_operation_acts_on_exactly_the_name_given() {
    let server = TestServer::start();
    for (label, name) in names() {
        let case = label;
        let work = format!("w-{}", label.replace(' ', "_"));
        let remote = server.root().join(&work);
        fs::create_dir(&remote).unwrap();
        for decoy in DECOYS {
            fs::write(remote.join(decoy), decoy).unwrap();
        }
        let url = |path: &[u8]| {
            let mut encoded = format!("{work}/");
            encoded.push_str(&encode(path));
            server.url(&encoded)
        };
        let local = tempfile::tempdir().unwrap();

        // ls of a directory with the name, with and without the slash.
        fs::create_dir(remote.join(os(&name))).unwrap();
        fs::write(remote.join(os(&name)).join("inside.txt"), b"in").unwrap();
        for url in [url(&name), format!("{}/", url(&name))] {
            let out = run(case, &["ls", &url]);
            let listing = String::from_utf8_lossy(&out.stdout);
            assert!(
                listing.contains("inside.txt"),
                "{case}: ls {url}: {listing}"
            );
            for decoy in ["decoy", "my"] {
                assert!(!listing.contains(decoy), "{case}: ls {url}: {listing}");
            }
        }
        fs::remove_dir_all(remote.join(os(&name))).unwrap();

        // cp upload to the name, and into the directory under the name.
        let src = local.path().join("src.bin");
        fs::write(&src, b"uploaded").unwrap();
        run(case, &["cp", src.to_str().unwrap(), &url(&name)]);
        assert_eq!(
            fs::read(remote.join(os(&name))).unwrap(),
            b"uploaded",
            "{case}"
        );
        let named_src = local.path().join(os(&name));
        fs::write(&named_src, b"uploaded by name").unwrap();
        let dir_url = server.url(&format!("{work}/"));
        run(case, &["cp", named_src.to_str().unwrap(), &dir_url]);
        assert_eq!(
            fs::read(remote.join(os(&name))).unwrap(),
            b"uploaded by name",
            "{case}"
        );
        decoys_intact(case, &remote);

        // ls of the file itself shows its line (or refuses: never another).
        let out = ftp_cli(&["ls", &url(&name)]);
        let listing = String::from_utf8_lossy(&out.stdout);
        assert!(!listing.contains("decoy"), "{case}: {listing}");

        // cp download to a directory and to a path.
        let down = local.path().join("down");
        fs::create_dir(&down).unwrap();
        run(case, &["cp", &url(&name), &format!("{}/", down.display())]);
        assert_eq!(
            fs::read(down.join(os(&name))).unwrap(),
            b"uploaded by name",
            "{case}"
        );
        let fixed = local.path().join("fixed.bin");
        run(case, &["cp", &url(&name), fixed.to_str().unwrap()]);
        assert_eq!(fs::read(&fixed).unwrap(), b"uploaded by name", "{case}");

        // mv down, then mv back up.
        let moved = local.path().join("moved.bin");
        run(case, &["mv", &url(&name), moved.to_str().unwrap()]);
        assert!(
            !remote.join(os(&name)).exists(),
            "{case}: mv left the source"
        );
        run(case, &["mv", moved.to_str().unwrap(), &url(&name)]);
        assert!(!moved.exists(), "{case}: mv up left the source");
        assert_eq!(
            fs::read(remote.join(os(&name))).unwrap(),
            b"uploaded by name",
            "{case}"
        );
        decoys_intact(case, &remote);

        // rm deletes the name and nothing else.
        run(case, &["rm", &url(&name)]);
        assert!(!remote.join(os(&name)).exists(), "{case}: rm left it");
        decoys_intact(case, &remote);
        let left = fs::read_dir(&remote).unwrap().count();
        assert_eq!(left, DECOYS.len(), "{case}: only the decoys remain");
    }
}
