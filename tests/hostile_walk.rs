//! `Client::walk` and `walk_dirs` against a server whose listings attack the client
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

/// `Client::walk_dirs` gives the same checked entries one directory at a
/// time, and follows symbolic links only when asked: `links/self` and
/// `links/up` are refused as loops, and a link the checks cannot see
/// through (`liar`, whose target changes at every level) stops at
/// `MAX_LINKS` links.
fn walk_dirs_of(mlsd: bool) {
    let server = hostile::hostile_server(mlsd, "/nowhere".to_owned());
    let mut ftp = Client::connect(server.addr(), Config::default()).unwrap();
    ftp.login("user", "pw").unwrap();

    // Nothing followed, nothing descended: one listing.
    let listings: Vec<_> = ftp
        .walk_dirs(hostile::LINKS, WalkOptions::default())
        .collect();
    assert_eq!(listings.len(), 1);
    let listing = listings.into_iter().next().unwrap().unwrap();
    assert_eq!(listing.path, hostile::LINKS.as_bytes());
    assert!(listing.relative.is_empty());
    let names: Vec<Vec<u8>> = listing
        .items
        .iter()
        .flatten()
        .map(|f| f.entry.name.clone())
        .collect();
    assert_eq!(names, [&b"f"[..], b"self", b"up", b"again", b"liar"]);

    // Following `self`, `up` and `liar` wherever they are listed.
    let mut walk = ftp.walk_dirs(hostile::LINKS, WalkOptions::default());
    let mut refused = Vec::new();
    let mut deepest = 0;
    let mut listed = 0;
    while let Some(listing) = walk.next() {
        let listing = listing.unwrap();
        listed += 1;
        deepest = deepest.max(listing.relative.len());
        for found in listing.items.iter().flatten() {
            if [&b"self"[..], b"up", b"liar"].contains(&found.entry.name.as_slice()) {
                if let Err(e) = walk.follow(found) {
                    refused.push((
                        String::from_utf8_lossy(&found.path).into_owned(),
                        e.to_string(),
                    ));
                }
            }
        }
    }
    assert_eq!(deepest, ftp_client::MAX_LINKS, "liar followed to the limit");
    assert_eq!(listed, 1 + ftp_client::MAX_LINKS);
    assert!(
        refused
            .iter()
            .any(|(p, e)| p == "links/self" && e.contains("a link loop")),
        "{refused:?}"
    );
    assert!(
        refused
            .iter()
            .any(|(p, e)| p == "links/up" && e.contains("a link loop")),
        "{refused:?}"
    );
    assert!(
        refused
            .iter()
            .any(|(_, e)| e.contains("more than 8 symbolic links")),
        "{refused:?}"
    );
    assert!(!ftp.is_closed());
}

#[test]
fn walk_dirs_of_hostile_links_mlsd() {
    walk_dirs_of(true);
}

#[test]
fn walk_dirs_of_hostile_links_list() {
    walk_dirs_of(false);
}
