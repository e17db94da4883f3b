//! Cases, groups, trials and the summary table.
//!
//! A [`Case`] is a name, what it needs from a target, and a function over a
//! [`Ctx`]. A [`Group`] is a list of cases run over one or both address
//! families. [`trials`] makes one libtest-mimic trial per target × group ×
//! family × case; a trial whose target cannot support the case is reported
//! ignored with the reason. Every outcome is recorded for [`print_summary`].

use std::collections::BTreeMap;
use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use libtest_mimic::{Completion, Failed, Trial};

use crate::matrix::ctx::Ctx;
use crate::matrix::target::{Family, Target};

/// What a case returns: `Err` (or a panic) is a failure.
pub type Outcome = Result<(), Failed>;

/// Something a case needs that not every target has. [`Need::lacking`]
/// gives the reason printed when a target lacks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// An anonymous login.
    AnonymousRead,
    /// An anonymous login whose uploads are refused.
    AnonymousUploadRefused,
    /// MLSD (RFC 3659).
    Mlsd,
    /// The target also listens on IPv6 (for a case that connects there
    /// itself).
    Ipv6,
    /// The case runs over IPv4 only (PASV cannot carry an IPv6 address).
    Ipv4,
    /// A file the server process is not allowed to read.
    FileDeniedToServer,
    /// File names that are not UTF-8.
    NonUtf8Names,
    /// An anonymous upload-only directory.
    AnonymousDropBox,
    /// The target runs over TLS (FTPS).
    Tls,
    /// REST before RETR and STOR (resumed transfers).
    Rest,
    /// Active mode: PORT over IPv4, EPRT over IPv6.
    Active,
    /// The server lists a symbolic link on its file system as a link
    /// (LIST `l… name -> target`, MLSD `OS.unix=slink`), not as what it
    /// leads to.
    ListsSymlinks,
    /// The server computes file digests (HASH and the X-commands).
    ServerHash,
    /// The server computes no file digest: what falls back to sizes.
    NoServerHash,
    /// The target is reached directly, not through a proxy of its own
    /// (for the cases that put their own proxy in front of it).
    Direct,
    /// A second server beside the target ([`Target::peer`]), for copies
    /// between two servers.
    Peer,
}

impl Need {
    /// Why `target` over `family` cannot run a case needing this, or `None`
    /// if it can.
    pub fn lacking(self, target: &Target, family: Family) -> Option<String> {
        let anon = target.anonymous.as_ref();
        match self {
            Need::AnonymousRead if anon.is_none() => {
                Some(format!("{} offers no anonymous login", target.name))
            }
            Need::AnonymousUploadRefused => match anon {
                None => Some(format!("{} offers no anonymous login", target.name)),
                Some(a) if a.upload => Some(format!(
                    "{} lets anonymous users upload: nothing to refuse",
                    target.name
                )),
                Some(_) => None,
            },
            Need::ListsSymlinks if !target.profile.lists_symlinks => Some(format!(
                "{} lists a symbolic link as what it leads to, so that a client cannot \
                 tell it from a file or directory",
                target.name
            )),
            Need::Mlsd if !target.profile.mlsd => {
                Some(format!("{} does not implement MLSD", target.name))
            }
            Need::Ipv6 if target.addr6.is_none() => {
                Some(format!("{} does not listen on IPv6", target.name))
            }
            Need::Ipv4 if family == Family::V6 => {
                Some("PASV names IPv4 addresses only: nothing to test over IPv6".into())
            }
            Need::NonUtf8Names if !target.profile.non_utf8_names => Some(format!(
                "{} does not keep file names that are not UTF-8",
                target.name
            )),
            Need::AnonymousDropBox if anon.and_then(|a| a.drop_box.as_ref()).is_none() => Some(
                format!("{} has no anonymous upload-only directory", target.name),
            ),
            Need::Tls if target.tls.is_none() => Some(format!(
                "{} runs in clear: nothing of TLS to test",
                target.name
            )),
            Need::Rest if !target.profile.rest => Some(format!(
                "{} is configured without REST (resumed transfers)",
                target.name
            )),
            Need::Active if target.proxy.as_ref().is_some_and(|p| !p.bind) => Some(format!(
                "{} is reached through a proxy that cannot accept the server's data \
                 connection (no SOCKS5 BIND)",
                target.name
            )),
            Need::Peer if target.peer.is_none() => Some(format!(
                "{} runs without a second server beside it (the cross-server cases run \
                 in clear, against a second in-process server in `cargo test` and in \
                 tests/interop/run.sh's cross step)",
                target.name
            )),
            Need::Direct if target.proxy.is_some() => Some(format!(
                "{} is reached through a proxy already",
                target.name
            )),
            Need::Active if !target.profile.port => Some(format!(
                "{} is configured without active mode (PORT)",
                target.name
            )),
            Need::Active if family == Family::V6 && !target.profile.eprt => Some(format!(
                "{} has no EPRT: no active mode over IPv6",
                target.name
            )),
            Need::ServerHash if !target.profile.hash => Some(format!(
                "{} computes no file digest (no HASH, XSHA256, XMD5 or XCRC)",
                target.name
            )),
            Need::NoServerHash if target.profile.hash => Some(format!(
                "{} computes file digests: nothing falls back to sizes there",
                target.name
            )),
            Need::FileDeniedToServer if !target.can_be_denied_a_file => Some(format!(
                "{} runs as root here: no file can be made unreadable to it",
                target.name
            )),
            _ => None,
        }
    }
}

type CaseFn = dyn Fn(&Ctx) -> Outcome + Send + Sync;

/// One end-to-end case.
#[derive(Clone)]
pub struct Case {
    pub name: String,
    pub needs: Vec<Need>,
    pub run: Arc<CaseFn>,
}

impl Case {
    /// A case named `name` (a short identifier: it is part of the trial's
    /// name and of the remote scratch directory's name).
    pub fn new(
        name: impl Into<String>,
        run: impl Fn(&Ctx) -> Outcome + Send + Sync + 'static,
    ) -> Case {
        Case {
            name: name.into(),
            needs: Vec::new(),
            run: Arc::new(run),
        }
    }

    /// This case also needs `need`.
    pub fn needs(mut self, need: Need) -> Case {
        self.needs.push(need);
        self
    }
}

/// A named list of cases, run over the given address families.
pub struct Group {
    pub name: &'static str,
    pub families: &'static [Family],
    pub cases: Vec<Case>,
}

impl Group {
    /// The group's label in trial names and the summary for `family`:
    /// the name, with `-ipv6` over IPv6.
    pub fn label(&self, family: Family) -> String {
        match family {
            Family::V4 => self.name.to_owned(),
            Family::V6 => format!("{}-ipv6", self.name),
        }
    }
}

/// How a trial ended.
#[derive(Clone, Copy, Debug)]
pub enum Verdict {
    Passed,
    Failed,
    Skipped,
}

/// One trial's outcome, for the summary.
#[derive(Clone, Debug)]
pub struct Record {
    pub target: String,
    pub group: String,
    pub result: Verdict,
}

/// Held shared by every trial, and exclusively by one that must run
/// alone (see [`crate::matrix::target::Quirks::active_stalls_new_sessions`]).
static ALONE: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// Outcomes of the trials run by this process.
pub static RECORDS: Mutex<Vec<Record>> = Mutex::new(Vec::new());

fn record(target: &str, group: &str, result: Verdict) {
    let mut records = RECORDS.lock().unwrap_or_else(|e| e.into_inner());
    records.push(Record {
        target: target.to_owned(),
        group: group.to_owned(),
        result,
    });
}

/// One trial per target × group × family × case, named
/// `TARGET::GROUP::CASE` (GROUP with `-ipv6` over IPv6).
pub fn trials(targets: &[Arc<Target>], groups: &[Group], cli: &Path) -> Vec<Trial> {
    let mut trials = Vec::new();
    for target in targets {
        for group in groups {
            for &family in group.families {
                let label = group.label(family);
                for case in &group.cases {
                    let name = format!("{}::{label}::{}", target.name, case.name);
                    let (target, case, label, cli) =
                        (target.clone(), case.clone(), label.clone(), cli.to_owned());
                    trials.push(Trial::ignorable_test(name, move || {
                        run_trial(&target, &label, family, &case, cli)
                    }));
                }
            }
        }
    }
    trials
}

fn run_trial(
    target: &Target,
    label: &str,
    family: Family,
    case: &Case,
    cli: PathBuf,
) -> Result<Completion, Failed> {
    let lacking = match target.addr_for(family) {
        None => Some(format!("{} does not listen on IPv6", target.name)),
        Some(_) => case
            .needs
            .iter()
            .find_map(|need| need.lacking(target, family)),
    };
    if let Some(reason) = lacking {
        record(&target.name, label, Verdict::Skipped);
        return Ok(Completion::ignored_with(reason));
    }
    // pyftpdlib may stop serving new sessions while active-mode data
    // connections come and go: those cases run alone on such a target.
    let (_shared, _alone);
    if target.profile.quirks.active_stalls_new_sessions && case.needs.contains(&Need::Active) {
        _alone = ALONE.write().unwrap_or_else(|e| e.into_inner());
    } else {
        _shared = ALONE.read().unwrap_or_else(|e| e.into_inner());
    }
    let started = std::time::Instant::now();
    let outcome =
        Ctx::new(target, family, &format!("{label}-{}", case.name), cli).and_then(|ctx| {
            let outcome =
                catch_unwind(AssertUnwindSafe(|| (case.run)(&ctx))).unwrap_or_else(|panic| {
                    let text = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_else(|| "panicked".into());
                    Err(Failed::from(text))
                });
            match (&outcome, std::env::var_os("FTP_MATRIX_LOGS")) {
                (Ok(()), _) => ctx.clean_up(),
                (Err(_), Some(logs)) => {
                    let dir = PathBuf::from(logs)
                        .join(format!("{}::{label}::{}", target.name, case.name));
                    if let Err(e) = ctx.keep_calls(&dir) {
                        eprintln!("matrix: keeping the output in {}: {e}", dir.display());
                    }
                }
                (Err(_), None) => {}
            }
            outcome
        });
    let result = if outcome.is_ok() {
        Verdict::Passed
    } else {
        Verdict::Failed
    };
    record(&target.name, label, result);
    note_time(&format!("{}::{label}::{}", target.name, case.name), started);
    outcome.map(|()| Completion::Completed)
}

/// With `FTP_MATRIX_LOGS` set, appends the trial's wall time to
/// `times.tsv` there (name, seconds), so that a slow run can say which
/// cases took its time.
fn note_time(name: &str, started: std::time::Instant) {
    let Some(logs) = std::env::var_os("FTP_MATRIX_LOGS") else {
        return;
    };
    let line = format!("{name}\t{:.2}\n", started.elapsed().as_secs_f64());
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(PathBuf::from(logs).join("times.tsv"));
    if let Err(e) = file.and_then(|mut f| f.write_all(line.as_bytes())) {
        eprintln!("matrix: noting the time of {name}: {e}");
    }
}

/// Appends this run's records to `path` (tab-separated: target, group,
/// passed|failed|skipped), so runs against several servers add up to one
/// table.
pub fn save_records(path: &Path) -> std::io::Result<()> {
    let records = RECORDS.lock().unwrap_or_else(|e| e.into_inner());
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    for r in records.iter() {
        let result = match r.result {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::Skipped => "skipped",
        };
        writeln!(file, "{}\t{}\t{result}", r.target, r.group)?;
    }
    Ok(())
}

/// Reads records saved by [`save_records`].
pub fn load_records(path: &Path) -> std::io::Result<Vec<Record>> {
    let text = std::fs::read_to_string(path)?;
    let mut records = Vec::new();
    for line in text.lines() {
        let mut parts = line.split('\t');
        let (Some(target), Some(group), Some(result), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(std::io::Error::other(format!(
                "bad line in {}: {line:?}",
                path.display()
            )));
        };
        let result = match result {
            "passed" => Verdict::Passed,
            "failed" => Verdict::Failed,
            "skipped" => Verdict::Skipped,
            _ => return Err(std::io::Error::other(format!("bad result in {line:?}"))),
        };
        records.push(Record {
            target: target.into(),
            group: group.into(),
            result,
        });
    }
    Ok(records)
}

/// The table: one row per case group, one column per target, each cell
/// `passed/failed/skipped`; then the line `N passed, M failed, K skipped`.
/// Returns the number of failures.
pub fn print_summary(records: &[Record]) -> usize {
    let mut targets: Vec<&str> = Vec::new();
    let mut groups: Vec<&str> = Vec::new();
    let mut cells: BTreeMap<(&str, &str), [usize; 3]> = BTreeMap::new();
    let mut totals = [0usize; 3];
    for r in records {
        if !targets.contains(&r.target.as_str()) {
            targets.push(&r.target);
        }
        if !groups.contains(&r.group.as_str()) {
            groups.push(&r.group);
        }
        let i = match r.result {
            Verdict::Passed => 0,
            Verdict::Failed => 1,
            Verdict::Skipped => 2,
        };
        cells.entry((&r.group, &r.target)).or_default()[i] += 1;
        totals[i] += 1;
    }
    let width = targets.iter().map(|t| t.len()).max().unwrap_or(0).max(11) + 2;
    let first = groups.iter().map(|g| g.len()).max().unwrap_or(0).max(5) + 2;
    let mut out =
        String::from("\nend-to-end matrix: passed/failed/skipped per case group and target\n");
    out.push_str(&format!("{:<first$}", "group"));
    for t in &targets {
        out.push_str(&format!("{t:>width$}"));
    }
    out.push('\n');
    let mut column_totals = vec![[0usize; 3]; targets.len()];
    for g in &groups {
        out.push_str(&format!("{g:<first$}"));
        for (i, t) in targets.iter().enumerate() {
            let cell = match cells.get(&(*g, *t)) {
                Some(c) => {
                    for k in 0..3 {
                        column_totals[i][k] += c[k];
                    }
                    format!("{}/{}/{}", c[0], c[1], c[2])
                }
                None => "-".into(),
            };
            out.push_str(&format!("{cell:>width$}"));
        }
        out.push('\n');
    }
    out.push_str(&format!("{:<first$}", "all"));
    for c in &column_totals {
        out.push_str(&format!(
            "{:>width$}",
            format!("{}/{}/{}", c[0], c[1], c[2])
        ));
    }
    out.push('\n');
    println!("{out}");
    println!(
        "{} passed, {} failed, {} skipped",
        totals[0], totals[1], totals[2]
    );
    totals[1]
}
