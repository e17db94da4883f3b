//! Tree engine cases: `ftp_client::engine::tree` driven directly (not
//! through the CLI) against every target: a tree downloaded, uploaded,
//! updated and removed, and a failed listing that leaves everything as it
//! was.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::sync::Mutex;

use ftp_client::engine::{
    Cancel, Planned, Progress, TreeDownload, TreeError, TreeOptions, TreeRemove, TreeSummary,
    TreeUpload,
};
use ftp_client::{Client, Config};

use crate::ctx::{Ctx, Tree, absent, has_content, no_temporary_files, pattern};
use crate::harness::{Case, Group, Need, Outcome};
use crate::target::{Family, MissingDirListing};

pub fn group() -> Group {
    Group {
        name: "tree-engine",
        families: &[Family::V4],
        cases: vec![
            Case::new("download_tree", download_tree),
            Case::new("upload_tree", upload_tree),
            Case::new("update_copies_only_what_changed", update),
            Case::new("remove_tree_as_planned", remove_tree),
            Case::new(
                "failed_listing_changes_nothing",
                failed_listing_changes_nothing,
            ),
            Case::new(
                "unreadable_directory_keeps_the_source",
                unreadable_directory_keeps_the_source,
            )
            .needs(Need::FileDeniedToServer),
        ],
    }
}

/// Opens sessions as the target wants them, from any thread.
pub(crate) fn connector(c: &Ctx) -> impl Fn() -> Result<Client, ftp_client::Error> + Sync + use<> {
    let addr = c.addr;
    let config = c.with_tls(Config::default());
    let (user, password) = (c.target.login.user.clone(), c.target.login.password.clone());
    move || {
        let mut client = Client::connect(addr, config.clone())?;
        client.login(&user, &password)?;
        Ok(client)
    }
}

/// The plan's decisions as the engine reports them: (kind, what).
#[derive(Default)]
struct Seen(Mutex<Vec<(&'static str, String)>>);

impl Progress for Seen {
    fn tree(&self, planned: &Planned<'_>) {
        let seen = match planned {
            Planned::Copy { what } => ("copy", what.to_string()),
            Planned::Copied { what, .. } => ("copied", what.to_string()),
            Planned::UpToDate { what } => ("current", what.to_string()),
            Planned::Failed { what, error } => ("failed", format!("{what}: {error}")),
            Planned::SourceKept => ("kept", String::new()),
            _ => return,
        };
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(seen);
    }
}

impl Seen {
    fn count(&self, kind: &str) -> usize {
        let seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        seen.iter().filter(|(k, _)| *k == kind).count()
    }
}

/// `site/` on the server: three files in three levels.
fn put_site(c: &Ctx) -> Vec<u8> {
    let big = pattern(300_001, 91);
    c.put("site/index.html", b"<h1>index</h1>");
    c.put("site/docs/big.bin", &big);
    c.put("site/docs/deeper/note.txt", b"note");
    big
}

fn expect_counts(summary: &TreeSummary, files: u64, up_to_date: u64) -> Outcome {
    ensure!(
        summary.is_success()
            && summary.files == files
            && summary.up_to_date == up_to_date
            && !summary.cancelled,
        "{summary:?}"
    );
    Ok(())
}

fn download_tree(c: &Ctx) -> Outcome {
    let big = put_site(c);
    let seen = Seen::default();
    let summary = TreeDownload::new(c.path("site"), c.local_dir())
        .options(TreeOptions::default().jobs(3))
        .run(&connector(c), &seen, &Cancel::new())?;
    expect_counts(&summary, 3, 0)?;
    ensure!(
        summary.bytes == 14 + big.len() as u64 + 4,
        "{} bytes",
        summary.bytes
    );
    ensure!(
        seen.count("copy") == 3 && seen.count("copied") == 3,
        "the plan: {:?}",
        seen.0.lock().unwrap_or_else(|e| e.into_inner())
    );
    has_content(&c.local("site/index.html"), b"<h1>index</h1>")?;
    has_content(&c.local("site/docs/big.bin"), &big)?;
    has_content(&c.local("site/docs/deeper/note.txt"), b"note")?;
    no_temporary_files(&[c.local_dir()])
}

fn upload_tree(c: &Ctx) -> Outcome {
    let big = pattern(250_007, 92);
    c.write_local("up/a.txt", b"a");
    c.write_local("up/sub/big.bin", &big);
    c.write_local("up/sub/empty", b"");
    c.put_dir("");
    let summary = TreeUpload::new(c.local("up"), c.path("up"))
        .options(TreeOptions::default().jobs(2))
        .run(&connector(c), &(), &Cancel::new())?;
    expect_counts(&summary, 3, 0)?;
    has_content(&c.on_server("up/a.txt"), b"a")?;
    has_content(&c.on_server("up/sub/big.bin"), &big)?;
    has_content(&c.on_server("up/sub/empty"), b"")?;
    // Again into the directory that now exists: as cp -r, under its name.
    let summary =
        TreeUpload::new(c.local("up"), c.path("up")).run(&connector(c), &(), &Cancel::new())?;
    expect_counts(&summary, 3, 0)?;
    has_content(&c.on_server("up/up/a.txt"), b"a")
}

fn update(c: &Ctx) -> Outcome {
    put_site(c);
    let options = TreeOptions::default().update(true);
    let first = TreeDownload::new(c.path("site"), c.local_dir())
        .options(options)
        .run(&connector(c), &(), &Cancel::new())?;
    expect_counts(&first, 3, 0)?;
    // Another size on the server: that file alone is copied again.
    c.put("site/docs/deeper/note.txt", b"a longer note");
    let seen = Seen::default();
    let second = TreeDownload::new(c.path("site"), c.local_dir())
        .options(options)
        .run(&connector(c), &seen, &Cancel::new())?;
    expect_counts(&second, 1, 2)?;
    ensure!(
        seen.count("current") == 2,
        "up to date: {}",
        seen.count("current")
    );
    has_content(&c.local("site/docs/deeper/note.txt"), b"a longer note")
}

fn remove_tree(c: &Ctx) -> Outcome {
    put_site(c);
    c.put("keep.txt", b"keep");
    let mut ftp = connector(c)()?;
    let plan = TreeRemove::new(c.path("site")).plan(&mut ftp, &())?;
    // Three files and three directories, each directory after its
    // contents, the root last.
    let paths: Vec<String> = plan
        .deletions
        .iter()
        .map(|d| String::from_utf8_lossy(&d.path).into_owned())
        .collect();
    ensure!(
        plan.deletions.len() == 6 && plan.failures.is_empty(),
        "{paths:?}"
    );
    ensure!(paths.last() == Some(&c.path("site")), "{paths:?}");
    let position = |name: &str| paths.iter().position(|p| p == &c.path(name));
    ensure!(
        position("site/docs/deeper/note.txt") < position("site/docs/deeper")
            && position("site/docs/deeper") < position("site/docs"),
        "{paths:?}"
    );
    // Planning deleted nothing.
    has_content(&c.on_server("site/index.html"), b"<h1>index</h1>")?;
    let summary = plan.run(&mut ftp, &(), &Cancel::new());
    ensure!(
        summary.is_success() && summary.files == 3 && summary.directories == 3,
        "{summary:?}"
    );
    absent(&c.on_server("site"))?;
    has_content(&c.on_server("keep.txt"), b"keep")?;
    ftp.quit()?;
    Ok(())
}

fn failed_listing_changes_nothing(c: &Ctx) -> Outcome {
    put_site(c);
    let before = c.snapshot_both();
    let mut ftp = connector(c)()?;
    let removed = TreeRemove::new(c.path("missing")).plan(&mut ftp, &());
    ensure!(
        matches!(&removed, Err(TreeError::Remote(e)) if e.code().is_some_and(|code| code >= 500)),
        "{removed:?}"
    );
    ftp.quit()?;
    let moved = TreeDownload::new(c.path("missing"), c.local("dst"))
        .options(TreeOptions::default().remove_source(true))
        .run(&connector(c), &(), &Cancel::new());
    ensure!(matches!(moved, Err(TreeError::Remote(_))), "{moved:?}");
    let uploaded =
        TreeUpload::new(c.local("missing"), c.path("up")).run(&connector(c), &(), &Cancel::new());
    ensure!(matches!(uploaded, Err(TreeError::Local(_))), "{uploaded:?}");
    c.unchanged_both(&before)
}

fn unreadable_directory_keeps_the_source(c: &Ctx) -> Outcome {
    put_site(c);
    let before = Tree::of(&c.on_server(""));
    let locked = c.on_server("site/docs/deeper");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000))?;
    let seen = Seen::default();
    let summary = TreeDownload::new(c.path("site"), c.local_dir())
        .options(TreeOptions::default().remove_source(true))
        .run(&connector(c), &seen, &Cancel::new());
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755))?;
    let summary = summary?;
    if c.target.profile.quirks.missing_dir_listing == MissingDirListing::Empty {
        // The server answers an unreadable directory's listing as an
        // empty one (150, 226): the walk cannot tell it failed. What it
        // did not list is not deleted, and the directories holding it
        // are not removed.
        has_content(&c.on_server("site/docs/deeper/note.txt"), b"note")?;
        ensure!(!summary.is_success(), "{summary:?}");
        return Ok(());
    }
    ensure!(
        !summary.is_success() && summary.source_kept && seen.count("kept") == 1,
        "{summary:?}"
    );
    // The listing that failed, under the walk's root.
    ensure!(
        summary
            .failures
            .iter()
            .any(|f| f.what == c.path("site") && f.error.contains("deeper")),
        "{:?}",
        summary.failures
    );
    // Nothing on the server was deleted.
    before.unchanged(&c.on_server(""), "remote")
}
