//! `Client::walk` against a server whose listings attack the client
//! (`ftp_suite::hostile`): every entry it yields is made of checked names,
//! the refused names come back as `Error::UnsafeName`, the listing loop and
//! the 10,000-level tree end at the limits.

use ftp_client::{Client, Config, Error, NameError, WalkOptions, check_component};
use ftp_suite::hostile;

fn walk_of(mlsd: bool) {
    let absolute = format!(
        "{}/ftp-walk-hostile-{}-{mlsd}.txt",
        std::env::temp_dir().display(),
        std::process::id()
    );
    let server = hostile::hostile_server(mlsd, absolute.clone());
    let mut ftp = Client::connect(server.addr(), Config::default()).unwrap();
    ftp.login("user", "pw").unwrap();
    let items: Vec<_> = ftp
        .walk_with("hostile", WalkOptions::default().max_depth(40))
        .collect();
    let mut refused = Vec::new();
    let mut limits = Vec::new();
    for item in &items {
        match item {
            Ok(found) => {
                assert!(found.depth <= 40);
                for name in &found.relative {
                    assert!(check_component(name, false).is_ok(), "{found:?}");
                }
                assert!(
                    hostile::is_listed(&[b"/".as_slice(), &found.path].concat(), &absolute)
                        .is_some()
                );
            }
            Err(Error::UnsafeName { name, reason, .. }) => refused.push((name.clone(), *reason)),
            Err(Error::WalkLimit { path, what }) => limits.push((path.clone(), what.clone())),
            Err(other) => panic!("unexpected error {other}"),
        }
    }
    for name in hostile::refused_names(&absolute) {
        if name.is_empty() {
            continue;
        }
        assert!(
            refused.iter().any(|(n, _)| *n == name),
            "{name:?} not refused: {refused:?}"
        );
    }
    assert!(refused.iter().any(|(_, r)| *r == NameError::Unparsed));
    assert!(
        limits
            .iter()
            .any(|(p, w)| p.starts_with("hostile/deep/d") && w.contains("deeper than 40"))
    );
    if mlsd {
        assert!(
            limits
                .iter()
                .any(|(p, w)| p == "hostile/loop/loop" && w.contains("already visited"))
        );
    } else {
        assert!(
            limits
                .iter()
                .any(|(p, _)| p.starts_with("hostile/loop/loop/loop"))
        );
    }
    assert!(!ftp.is_closed());
    assert_eq!(ftp.pwd().unwrap(), b"/", "back where the walk started");
}

#[test]
fn walk_of_hostile_mlsd() {
    walk_of(true);
}

#[test]
fn walk_of_hostile_list() {
    walk_of(false);
}
