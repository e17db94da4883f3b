//! The async walks (`ftp_client::tokio::Client::walk_with`, `walk_dirs`)
//! give what the blocking ones give: against the hostile server of
//! tests/hostile_walk.rs (the same checks, and item for item the blocking
//! walk's output), and against the in-process server on a real tree, also
//! with each `next()` future dropped part way and called again (no
//! directory lost or reported twice); `retry()` after a transient 425 and
//! a session that closes end the same way through both drivers.

use ftp_client::tokio::Client as AsyncClient;
use ftp_client::{
    Client, Config, Error, MAX_LINKS, NameError, WalkDir, WalkEntry, WalkOptions, check_component,
};
use ftp_suite::drive::{block_on, drop_after};
use ftp_suite::{PASSWORD, TestServer, USER, hostile};

/// An item as text, errors by their message: `Error` has no `PartialEq`.
fn render(item: &Result<WalkEntry, Error>) -> String {
    match item {
        Ok(found) => format!("{found:?}"),
        Err(e) => format!("error: {e}"),
    }
}

fn render_dir(item: &Result<WalkDir, Error>) -> String {
    match item {
        Ok(dir) => format!(
            "{} {:?}: [{}]",
            String::from_utf8_lossy(&dir.path),
            dir.relative,
            dir.items.iter().map(render).collect::<Vec<_>>().join(", ")
        ),
        Err(e) => format!("error: {e}"),
    }
}

fn blocking_walk(ftp: &mut Client, root: &str, options: WalkOptions) -> Vec<String> {
    ftp.walk_with(root, options).map(|i| render(&i)).collect()
}

/// The same checks as tests/hostile_walk.rs's `walk_of`, on the async
/// walk's items; then the blocking walk of the same server must give the
/// same items in the same order.
fn walk_of(mlsd: bool) {
    let absolute = format!(
        "{}/ftp-async-walk-hostile-{}-{mlsd}.txt",
        std::env::temp_dir().display(),
        std::process::id()
    );
    let server = hostile::hostile_server(mlsd, absolute.clone());
    let options = WalkOptions::default().max_depth(40);
    let items = block_on(async {
        let mut ftp = AsyncClient::connect(server.addr(), Config::default())
            .await
            .unwrap();
        ftp.login("user", "pw").await.unwrap();
        let mut items = Vec::new();
        let mut walk = ftp.walk_with("hostile", options);
        while let Some(item) = walk.next().await {
            items.push(item);
        }
        assert!(!ftp.is_closed());
        assert_eq!(
            ftp.pwd().await.unwrap(),
            b"/",
            "back where the walk started"
        );
        items
    });
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
        if !name.is_empty() {
            assert!(
                refused.iter().any(|(n, _)| *n == name),
                "{name:?} not refused: {refused:?}"
            );
        }
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

    let mut ftp = Client::connect(server.addr(), Config::default()).unwrap();
    ftp.login("user", "pw").unwrap();
    let blocking = blocking_walk(&mut ftp, "hostile", options);
    assert_eq!(items.iter().map(render).collect::<Vec<_>>(), blocking);
}

#[test]
fn async_walk_of_hostile_mlsd() {
    walk_of(true);
}

#[test]
fn async_walk_of_hostile_list() {
    walk_of(false);
}

/// What a links walk gave: each listing, and each link refused.
#[derive(Debug, Default, PartialEq)]
struct LinksWalk {
    listings: Vec<String>,
    refused: Vec<(String, String)>,
    deepest: usize,
}

impl LinksWalk {
    /// Takes one item, and says which of its entries to follow: `self`,
    /// `up` and `liar`, wherever they are listed.
    fn take(&mut self, listing: &Result<WalkDir, Error>) -> Vec<WalkEntry> {
        self.listings.push(render_dir(listing));
        let listing = listing.as_ref().expect("a listing");
        self.deepest = self.deepest.max(listing.relative.len());
        listing
            .items
            .iter()
            .flatten()
            .filter(|f| [&b"self"[..], b"up", b"liar"].contains(&f.entry.name.as_slice()))
            .cloned()
            .collect()
    }

    fn refused(&mut self, found: &WalkEntry, result: Result<(), Error>) {
        if let Err(e) = result {
            let path = String::from_utf8_lossy(&found.path).into_owned();
            self.refused.push((path, e.to_string()));
        }
    }
}

/// tests/hostile_walk.rs's `walk_dirs_of` through the async `DirWalk`:
/// nothing descended without asking, `links/self` and `links/up` refused
/// as loops, `liar` followed to `MAX_LINKS`; and the same listings and
/// refusals as the blocking `DirWalk`.
fn walk_dirs_of(mlsd: bool) {
    let server = hostile::hostile_server(mlsd, "/nowhere".to_owned());
    let walked = block_on(async {
        let mut ftp = AsyncClient::connect(server.addr(), Config::default())
            .await
            .unwrap();
        ftp.login("user", "pw").await.unwrap();

        let mut walk = ftp.walk_dirs(hostile::LINKS, WalkOptions::default());
        let listing = walk.next().await.unwrap().unwrap();
        assert!(walk.next().await.is_none(), "nothing descended unasked");
        assert_eq!(listing.path, hostile::LINKS.as_bytes());
        assert!(listing.relative.is_empty());
        let names: Vec<Vec<u8>> = listing
            .items
            .iter()
            .flatten()
            .map(|f| f.entry.name.clone())
            .collect();
        assert_eq!(names, [&b"f"[..], b"self", b"up", b"again", b"liar"]);

        let mut walked = LinksWalk::default();
        let mut walk = ftp.walk_dirs(hostile::LINKS, WalkOptions::default());
        while let Some(listing) = walk.next().await {
            for found in walked.take(&listing) {
                let result = walk.follow(&found);
                walked.refused(&found, result);
            }
        }
        assert!(!ftp.is_closed());
        walked
    });
    assert_eq!(walked.deepest, MAX_LINKS, "liar followed to the limit");
    assert_eq!(walked.listings.len(), 1 + MAX_LINKS);
    let refused = &walked.refused;
    for (path, what) in [
        ("links/self", "a link loop"),
        ("links/up", "a link loop"),
        ("", "more than 8 symbolic links"),
    ] {
        assert!(
            refused
                .iter()
                .any(|(p, e)| (path.is_empty() || p == path) && e.contains(what)),
            "{path} {what}: {refused:?}"
        );
    }

    let mut ftp = Client::connect(server.addr(), Config::default()).unwrap();
    ftp.login("user", "pw").unwrap();
    let mut blocking = LinksWalk::default();
    let mut walk = ftp.walk_dirs(hostile::LINKS, WalkOptions::default());
    while let Some(listing) = walk.next() {
        for found in blocking.take(&listing) {
            let result = walk.follow(&found);
            blocking.refused(&found, result);
        }
    }
    assert_eq!(walked, blocking);
}

#[test]
fn async_walk_dirs_of_hostile_links_mlsd() {
    walk_dirs_of(true);
}

#[test]
fn async_walk_dirs_of_hostile_links_list() {
    walk_dirs_of(false);
}

/// A small real tree under the in-process server's root.
fn make_tree(server: &TestServer) {
    let root = server.root().join("tree");
    for dir in ["a/b/c", "a/empty", "d", "e/f"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    for (file, len) in [
        ("top.txt", 3),
        ("a/one", 10),
        ("a/b/two", 200),
        ("a/b/c/three", 0),
        ("d/four", 4096),
        ("e/f/five", 5),
    ] {
        std::fs::write(root.join(file), vec![b'x'; len]).unwrap();
    }
}

/// The most drop points tried per `next()`: more than one listing over
/// loopback waits.
const MAX_DROP_POINTS: usize = 60;

/// The async walks of a real tree give the blocking walks' items, and
/// still do when every `next()` is first dropped after its `n`th wait
/// (for each n up to `MAX_DROP_POINTS`) and then called again: a dropped
/// listing is listed again, never lost or reported twice, and the session
/// stays usable.
#[test]
fn async_walk_of_a_real_tree_matches_the_blocking_walk() {
    let server = TestServer::start();
    make_tree(&server);
    let options = WalkOptions::default();
    let mut ftp = Client::connect(server.addr(), Config::default()).unwrap();
    ftp.login(USER, PASSWORD).unwrap();
    let home = ftp.pwd().unwrap();
    let blocking = blocking_walk(&mut ftp, "tree", options);
    let mut blocking_dirs = Vec::new();
    let mut walk = ftp.walk_dirs("tree", options);
    while let Some(listing) = walk.next() {
        if let Ok(listing) = &listing {
            for found in listing.items.iter().flatten() {
                walk.descend(found);
            }
        }
        blocking_dirs.push(render_dir(&listing));
    }
    assert_eq!(blocking.len(), 13, "{blocking:#?}");
    assert!(
        blocking.iter().all(|i| !i.starts_with("error")),
        "{blocking:#?}"
    );
    assert_eq!(blocking_dirs.len(), 8, "{blocking_dirs:#?}");
    // A walk's listings leave the session in the directory listed last; the
    // next operation finds it home, relative paths meaning what they did.
    assert_eq!(ftp.size("tree/a/b/two").unwrap(), 200);
    assert_eq!(ftp.pwd().unwrap(), home);

    block_on(async {
        let mut ftp = AsyncClient::connect(server.addr(), Config::default())
            .await
            .unwrap();
        ftp.login(USER, PASSWORD).await.unwrap();
        // `None`: no drops; `Some(n)`: each next() dropped after n waits.
        let mut max_dropped = 0;
        for drop_point in std::iter::once(None).chain((0..MAX_DROP_POINTS).map(Some)) {
            let mut items = Vec::new();
            let mut dropped = 0;
            let mut walk = ftp.walk_with("tree", options);
            loop {
                let item = match drop_point {
                    Some(n) => match drop_after(walk.next(), n).await {
                        Some(item) => item,
                        None => {
                            dropped += 1;
                            walk.next().await
                        }
                    },
                    None => walk.next().await,
                };
                let Some(item) = item else { break };
                items.push(render(&item));
            }
            assert_eq!(items, blocking, "walk, drop point {drop_point:?}");

            let mut dirs = Vec::new();
            let mut walk = ftp.walk_dirs("tree", options);
            loop {
                let listing = match drop_point {
                    Some(n) => match drop_after(walk.next(), n).await {
                        Some(listing) => listing,
                        None => {
                            dropped += 1;
                            walk.next().await
                        }
                    },
                    None => walk.next().await,
                };
                let Some(listing) = listing else { break };
                if let Ok(listing) = &listing {
                    for found in listing.items.iter().flatten() {
                        walk.descend(found);
                    }
                }
                dirs.push(render_dir(&listing));
            }
            assert_eq!(dirs, blocking_dirs, "walk_dirs, drop point {drop_point:?}");
            assert!(!ftp.is_closed());
            max_dropped = max_dropped.max(dropped);
            if drop_point.is_some() && dropped == 0 {
                println!("drop points 0..{drop_point:?}: every walk as the blocking one");
                break;
            }
            println!("drop point {drop_point:?}: {dropped} next() futures dropped");
        }
        assert!(max_dropped > 0, "no next() was ever dropped");
        assert_eq!(ftp.size("tree/a/b/two").await.unwrap(), 200);
        assert_eq!(ftp.pwd().await.unwrap(), home);
        ftp.quit().await.unwrap();
    });
}

/// `walk_dirs` of `hostile` (down to depth 4) descending everywhere, each
/// refused listing tried again with `retry()`: the listings and errors, in
/// order, until the end.
async fn async_retrying_walk(addr: std::net::SocketAddr) -> Vec<String> {
    let mut ftp = AsyncClient::connect(addr, Config::default()).await.unwrap();
    ftp.login("user", "pw").await.unwrap();
    let mut out = Vec::new();
    let mut walk = ftp.walk_dirs(hostile::ROOT, WalkOptions::default().max_depth(4));
    while let Some(listing) = walk.next().await {
        match &listing {
            Ok(dir) => dir.items.iter().flatten().for_each(|f| walk.descend(f)),
            Err(_) => walk.retry(),
        }
        out.push(render_dir(&listing));
    }
    assert!(!ftp.is_closed());
    out
}

/// Against a server that refuses every third EPSV with a 425, the async
/// `DirWalk::retry` lists the refused directory again, as the blocking
/// one does: the same listings and refusals in the same order (each from
/// a server of its own, whose count of EPSV starts at 0).
#[test]
fn async_walk_dirs_retries_as_the_blocking_one() {
    let server = hostile::flaky_server();
    let walked = block_on(async_retrying_walk(server.addr()));

    let server = hostile::flaky_server();
    let mut ftp = Client::connect(server.addr(), Config::default()).unwrap();
    ftp.login("user", "pw").unwrap();
    let mut blocking = Vec::new();
    let mut walk = ftp.walk_dirs(hostile::ROOT, WalkOptions::default().max_depth(4));
    while let Some(listing) = walk.next() {
        match &listing {
            Ok(dir) => dir.items.iter().flatten().for_each(|f| walk.descend(f)),
            Err(_) => walk.retry(),
        }
        blocking.push(render_dir(&listing));
    }
    assert_eq!(walked, blocking);
    let refused = walked.iter().filter(|l| l.contains("425")).count();
    assert!(refused > 0, "{walked:#?}");
    assert!(walked.len() > 2 * refused, "{walked:#?}");
}

/// A session that closes (421, then the connection ends) ends the async
/// walks after one error, as it ends the blocking ones.
#[test]
fn async_walks_end_when_the_session_closes() {
    let server = ftp_suite::scenarios::closes_with_421();
    let (walk, dirs) = block_on(async {
        let mut ftp = AsyncClient::connect(server.addr(), Config::default())
            .await
            .unwrap();
        ftp.login("user", "pw").await.unwrap();
        let mut items = Vec::new();
        let mut walk = ftp.walk("");
        while let Some(item) = walk.next().await {
            items.push(render(&item));
        }
        assert!(ftp.is_closed());
        let mut dirs = Vec::new();
        let mut walk = ftp.walk_dirs("", WalkOptions::default());
        while let Some(listing) = walk.next().await {
            dirs.push(render_dir(&listing));
        }
        (items, dirs)
    });
    assert_eq!(walk.len(), 1, "{walk:?}");
    assert!(walk[0].contains("421"), "{walk:?}");
    assert_eq!(dirs.len(), 1, "{dirs:?}");

    let server = ftp_suite::scenarios::closes_with_421();
    let mut ftp = Client::connect(server.addr(), Config::default()).unwrap();
    ftp.login("user", "pw").unwrap();
    assert_eq!(blocking_walk(&mut ftp, "", WalkOptions::default()), walk);
    let blocking_dirs: Vec<_> = ftp
        .walk_dirs("", WalkOptions::default())
        .map(|l| render_dir(&l))
        .collect();
    assert_eq!(blocking_dirs, dirs);
}
