//! What a case works with: its own remote directory (seen on the server's
//! disk too), its own local directory, logged-in clients, `ftp-cli` runs.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read};
use std::net::SocketAddr;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ftp_client::{Client, Config};
use libtest_mimic::Failed;

use crate::matrix::harness::Outcome;
use crate::matrix::target::{Family, Target};

/// Bound on one `ftp-cli` run, so that a hang cannot stall the suite (not a
/// timing assertion: a run takes well under a second).
const CALL_LIMIT: Duration = Duration::from_secs(600);

/// A case's surroundings.
pub struct Ctx<'a> {
    pub target: &'a Target,
    /// The control address used (the target's, for the trial's family).
    pub addr: SocketAddr,
    /// The case's own directory under the login root, created empty before
    /// the case (and removed after it passed): cases never see each other.
    pub dir: String,
    local: tempfile::TempDir,
    calls: tempfile::TempDir,
    cli: PathBuf,
    secrets: RefCell<Vec<String>>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        target: &'a Target,
        family: Family,
        name: &str,
        cli: PathBuf,
    ) -> Result<Ctx<'a>, Failed> {
        let addr = target
            .addr_for(family)
            .ok_or_else(|| Failed::from("no address for this family"))?;
        let dir: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let ctx = Ctx {
            target,
            addr,
            dir,
            local: tempfile::Builder::new()
                .prefix("ftp-matrix-local-")
                .tempdir()?,
            calls: tempfile::Builder::new()
                .prefix("ftp-matrix-calls-")
                .tempdir()?,
            cli,
            secrets: RefCell::new(
                std::iter::once(target.login.password.clone())
                    .chain(target.proxy.as_ref().and_then(|p| p.password.clone()))
                    .collect(),
            ),
        };
        let remote = ctx.on_server("");
        if remote.exists() {
            fs::remove_dir_all(&remote)?;
        }
        ctx.make_dir(&remote)?;
        Ok(ctx)
    }

    /// The same case on the target's second server ([`Target::peer`]): its
    /// own directory there, named like this one, created empty; emptied
    /// by its own [`Ctx::clean_up`]. The peer's password is kept out of
    /// this context's output too.
    pub fn peer(&self) -> Result<Ctx<'a>, Failed> {
        let peer = self.target.peer.as_deref().ok_or("no second server")?;
        self.add_secret(&peer.login.password);
        Ctx::new(peer, Family::V4, &self.dir, self.cli.clone())
    }

    /// Empties the case's remote directories (local ones go with `self`).
    /// The directories themselves stay: a directory vanishing from the
    /// login directory while another case lists it fails that listing on
    /// servers that stat every entry (libunftp's file system back end does,
    /// even for `CWD /`), which would fail a case for another's clean-up.
    pub fn clean_up(&self) {
        empty_dir(&self.on_server(""));
        if let Some(anon) = &self.target.anonymous {
            empty_dir(&anon.root.join(&self.dir));
        }
    }

    // ------------------------------------------------------------ where

    /// The FTP path of `name` in the case's directory, relative to the
    /// login directory (`name` empty: the directory itself).
    pub fn path(&self, name: &str) -> String {
        if name.is_empty() {
            self.dir.clone()
        } else {
            String::from_utf8_lossy(&self.path_bytes(name.as_bytes())).into_owned()
        }
    }

    /// The FTP path of `name` (any bytes, UTF-8 or not) in the case's
    /// directory.
    pub fn path_bytes(&self, name: &[u8]) -> Vec<u8> {
        let mut path = format!("{}/", self.dir).into_bytes();
        path.extend_from_slice(name);
        path
    }

    /// Where `name` in the case's remote directory is on the server's disk
    /// (`name` a `&str`, or an `OsStr` for a name that is not UTF-8).
    pub fn on_server(&self, name: impl AsRef<Path>) -> PathBuf {
        let dir = self.target.root.join(&self.dir);
        let name = name.as_ref();
        if name.as_os_str().is_empty() {
            dir
        } else {
            dir.join(name)
        }
    }

    /// `name` in the case's local directory.
    pub fn local(&self, name: impl AsRef<Path>) -> PathBuf {
        self.local.path().join(name)
    }

    /// The case's local directory.
    pub fn local_dir(&self) -> &Path {
        self.local.path()
    }

    /// `ftp://user:password@host:port/DIR/{encoded}`: `encoded` is
    /// percent-encoded already.
    pub fn url(&self, encoded: &str) -> String {
        self.root_url(&format!("{}/{encoded}", self.dir))
    }

    /// `ftp://user:password@host:port/{encoded}` (`ftpes://` or
    /// `ftps://` for an FTPS target).
    pub fn root_url(&self, encoded: &str) -> String {
        let login = &self.target.login;
        format!(
            "{}://{}:{}@{}/{encoded}",
            self.scheme(),
            login.user,
            login.password,
            self.addr
        )
    }

    /// The target's URL scheme.
    pub fn scheme(&self) -> &'static str {
        self.target.tls.as_ref().map_or("ftp", |tls| tls.scheme())
    }

    /// The case's URL with another password.
    pub fn url_with_password(&self, password: &str, encoded: &str) -> String {
        let login = &self.target.login;
        format!(
            "{}://{}:{password}@{}/{}/{encoded}",
            self.scheme(),
            login.user,
            self.addr,
            self.dir
        )
    }

    /// `ftp://host:port/{encoded}`: anonymous.
    pub fn anon_url(&self, encoded: &str) -> String {
        format!("{}://{}/{encoded}", self.scheme(), self.addr)
    }

    // ------------------------------------------------------------ arranging

    fn make_dir(&self, path: &Path) -> io::Result<()> {
        fs::create_dir_all(path)?;
        fs::set_permissions(path, fs::Permissions::from_mode(0o755))?;
        let (uid, gid) = self.target.owner;
        std::os::unix::fs::chown(path, Some(uid), Some(gid))
    }

    /// Creates `name` (parents too) in the case's remote directory, on the
    /// server's disk, as if uploaded: owned by the root's owner, mode 644.
    pub fn put(&self, name: impl AsRef<Path>, content: &[u8]) -> PathBuf {
        let path = self.on_server(name);
        self.place(&path, content);
        path
    }

    /// Like [`Ctx::put`], copying the local file `src`.
    pub fn put_copy(&self, name: impl AsRef<Path>, src: &Path) -> PathBuf {
        let path = self.on_server(name);
        self.prepare(&path);
        fs::copy(src, &path).expect("copy a file to the server's disk");
        self.own(&path);
        path
    }

    fn prepare(&self, path: &Path) {
        let parent = path.parent().expect("a file has a parent");
        if !parent.exists() {
            self.make_dir(parent)
                .expect("create the remote parent directory");
        }
    }

    fn place(&self, path: &Path, content: &[u8]) {
        self.prepare(path);
        fs::write(path, content).expect("write a remote file on disk");
        self.own(path);
    }

    fn own(&self, path: &Path) {
        fs::set_permissions(path, fs::Permissions::from_mode(0o644)).expect("chmod");
        let (uid, gid) = self.target.owner;
        std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("chown");
    }

    /// Creates directory `name` in the case's remote directory on disk.
    pub fn put_dir(&self, name: impl AsRef<Path>) -> PathBuf {
        let path = self.on_server(name);
        self.make_dir(&path)
            .expect("create a remote directory on disk");
        path
    }

    /// Creates `name` in the anonymous area, under a directory named like
    /// the case's; returns its anonymous FTP path.
    pub fn anon_put(&self, name: &str, content: &[u8]) -> String {
        let anon = self
            .target
            .anonymous
            .as_ref()
            .expect("a target with anonymous login");
        self.place(&anon.root.join(&self.dir).join(name), content);
        format!("{}/{name}", self.dir)
    }

    /// Where the anonymous area's copy of `name` is on disk.
    pub fn anon_on_server(&self, name: &str) -> PathBuf {
        let anon = self
            .target
            .anonymous
            .as_ref()
            .expect("a target with anonymous login");
        anon.root.join(&self.dir).join(name)
    }

    /// Writes a local file.
    pub fn write_local(&self, name: impl AsRef<Path>, content: &[u8]) -> PathBuf {
        let path = self.local(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create a local directory");
        }
        fs::write(&path, content).expect("write a local file");
        path
    }

    // ------------------------------------------------------------ clients

    /// A library client, logged in, default configuration.
    pub fn connect(&self) -> Result<Client, Failed> {
        self.connect_with(Config::default())
    }

    /// A library client, logged in (over the target's TLS, if it has).
    pub fn connect_with(&self, config: Config) -> Result<Client, Failed> {
        let mut client = Client::connect(self.addr, self.with_tls(config))?;
        client.login(&self.target.login.user, &self.target.login.password)?;
        Ok(client)
    }

    /// `config` with the target's TLS mode, trust and version.
    pub fn with_tls(&self, mut config: Config) -> Config {
        if let Some(tls) = &self.target.tls {
            config.tls = tls.client_mode();
            config.tls_trust = ftp_client::Trust::CaFile(tls.ca_file.clone());
            config.tls_max_version = tls.max;
        }
        if let Some(proxy) = &self.target.proxy {
            config.proxy = Some(ftp_client::Proxy::parse(&proxy.url).expect("FTP_TARGET_PROXY"));
        }
        config
    }

    /// The CLI options the target's TLS and proxy need (none in clear
    /// and direct).
    fn tls_options(&self) -> Vec<String> {
        let mut options: Vec<String> = self
            .target
            .tls
            .as_ref()
            .map(|tls| tls.cli_options())
            .unwrap_or_default();
        if let Some(proxy) = &self.target.proxy {
            options.extend(["--proxy".to_owned(), proxy.url.clone()]);
        }
        options
    }

    /// Treats `secret` like the password: no output may show it.
    pub fn add_secret(&self, secret: &str) {
        self.secrets.borrow_mut().push(secret.to_owned());
    }

    /// `ftp-cli -v ARGS`.
    pub fn cli(&self, args: &[&str]) -> Result<Run, Failed> {
        let mut all = vec!["-v"];
        all.extend_from_slice(args);
        self.run(&[], &all)
    }

    /// `ftp-cli ARGS` (no transcript).
    pub fn cli_quiet(&self, args: &[&str]) -> Result<Run, Failed> {
        self.run(&[], args)
    }

    /// Runs `ftp-cli ARGS` quietly and with `-v`: both must fail as
    /// [`Run::expect_failure`] says, and the quiet run's stderr must be that
    /// one error line and nothing else.
    pub fn cli_fails(&self, args: &[&str], verbs: &[&str], code: impl Fn(u16) -> bool) -> Outcome {
        let quiet = self.cli_quiet(args)?;
        quiet.expect_failure(verbs, &code)?;
        let err = quiet.err();
        ensure!(
            err.lines().count() == 1,
            "{}: stderr is not one line: {err}",
            quiet.shown
        );
        self.cli(args)?.expect_failure(verbs, &code)
    }

    /// `WRAPPER... ftp-cli -v ARGS`: the wrapper runs the binary (named by
    /// its last argument) after changing the environment, e.g. a limit.
    pub fn cli_wrapped(&self, wrapper: &[&str], args: &[&str]) -> Result<Run, Failed> {
        let mut all = vec!["-v"];
        all.extend_from_slice(args);
        self.run(wrapper, &all)
    }

    /// The `ftp-cli` binary, for a case that drives it itself (pipes); it
    /// then checks the outputs with [`Ctx::check_no_secret`].
    pub fn cli_command(&self) -> Command {
        let mut command = Command::new(&self.cli);
        command.args(self.tls_options());
        command
    }

    /// Copies the stdout and stderr of every `ftp-cli` run of the case
    /// (`NNN.cmd`, `NNN.out`, `NNN.err`; passwords masked) into `dir`, for
    /// a failed case's reader.
    pub fn keep_calls(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)?;
        for entry in fs::read_dir(self.calls.path())? {
            let entry = entry?;
            let text = String::from_utf8_lossy(&fs::read(entry.path())?).into_owned();
            fs::write(dir.join(entry.file_name()), self.mask(&text))?;
        }
        Ok(())
    }

    fn mask(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in self.secrets.borrow().iter() {
            text = text.replace(secret.as_str(), "****");
        }
        text
    }

    /// Fails if any secret appears in `output`.
    pub fn check_no_secret(&self, what: &str, output: &[u8]) -> Outcome {
        let text = String::from_utf8_lossy(output);
        for secret in self.secrets.borrow().iter() {
            if text.contains(secret.as_str()) {
                return Err(
                    format!("a password appears in the output of {}", self.mask(what)).into(),
                );
            }
        }
        Ok(())
    }

    /// `ftp-cli -v ARGS` with `input` written into its standard input
    /// through a pipe (by a thread, as the run reads it), then closed.
    pub fn cli_stdin(&self, input: &[u8], args: &[&str]) -> Result<Run, Failed> {
        let mut all = vec!["-v"];
        all.extend_from_slice(args);
        self.run_with(&[], &all, Some(input.to_vec()))
    }

    fn run(&self, wrapper: &[&str], args: &[&str]) -> Result<Run, Failed> {
        self.run_with(wrapper, args, None)
    }

    fn run_with(
        &self,
        wrapper: &[&str],
        args: &[&str],
        input: Option<Vec<u8>>,
    ) -> Result<Run, Failed> {
        let n = fs::read_dir(self.calls.path())?.count() / 3;
        let out_path = self.calls.path().join(format!("{n:03}.out"));
        let err_path = self.calls.path().join(format!("{n:03}.err"));
        let mut command = match wrapper.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(&self.cli);
                c
            }
            None => Command::new(&self.cli),
        };
        command
            .args(self.tls_options())
            .args(args)
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(fs::File::create(&out_path)?)
            .stderr(fs::File::create(&err_path)?);
        let shown = self.mask(&format!("ftp-cli {}", args.join(" ")));
        fs::write(self.calls.path().join(format!("{n:03}.cmd")), &shown)?;
        let mut child = command.spawn()?;
        // The writer ends (closing the pipe) when all is written or the
        // reader went away.
        let writer = match (input, child.stdin.take()) {
            (Some(input), Some(mut pipe)) => Some(std::thread::spawn(move || {
                use std::io::Write;
                let _ = pipe.write_all(&input);
            })),
            _ => None,
        };
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break status;
            }
            if started.elapsed() > CALL_LIMIT {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{shown}: did not finish within {CALL_LIMIT:?}").into());
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        if let Some(writer) = writer {
            let _ = writer.join();
        }
        let run = Run {
            shown,
            code: status.code(),
            stdout: fs::read(&out_path)?,
            stderr: fs::read(&err_path)?,
        };
        self.check_no_secret(&run.shown, &run.stdout)?;
        self.check_no_secret(&run.shown, &run.stderr)?;
        Ok(run)
    }

    // ------------------------------------------------------------ checks

    /// Both the local directory and the remote one, to compare later.
    pub fn snapshot_both(&self) -> (Tree, Tree) {
        (Tree::of(self.local_dir()), Tree::of(&self.on_server("")))
    }

    /// Fails if either side changed since `before`.
    pub fn unchanged_both(&self, before: &(Tree, Tree)) -> Outcome {
        before.0.unchanged(self.local_dir(), "local")?;
        before.1.unchanged(&self.on_server(""), "remote")
    }
}

/// One finished `ftp-cli` run.
pub struct Run {
    /// The command line, passwords masked.
    pub shown: String,
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Run {
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// The last `ftp-cli: ...` line of stderr.
    pub fn error_line(&self) -> Option<String> {
        self.err()
            .lines()
            .rev()
            .find(|l| l.starts_with("ftp-cli: "))
            .map(str::to_owned)
    }

    /// Exit status `code`.
    pub fn expect_code(&self, code: i32) -> Outcome {
        if self.code == Some(code) {
            return Ok(());
        }
        let tail: String = self
            .err()
            .lines()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .join(" | ");
        Err(format!(
            "{}: exit status {:?}, expected {code} (stderr ends: {tail})",
            self.shown, self.code
        )
        .into())
    }

    pub fn expect_ok(&self) -> Outcome {
        self.expect_code(0)
    }

    /// Exit 1 with exactly one `ftp-cli:` line, which names one of `verbs`
    /// (e.g. `RETR x`) followed by `: NNN ` with `code(NNN)` true.
    pub fn expect_failure(&self, verbs: &[&str], code: impl Fn(u16) -> bool) -> Outcome {
        self.expect_code(1)?;
        let err = self.err();
        let count = err.lines().filter(|l| l.starts_with("ftp-cli: ")).count();
        ensure!(
            count == 1,
            "{}: {count} 'ftp-cli:' lines, expected 1:\n{err}",
            self.shown
        );
        let line = self.error_line().unwrap_or_default();
        let named = verbs.iter().find_map(|verb| {
            let at = line.find(verb)? + verb.len();
            let rest = &line[at..];
            let colon = rest.find(": ")?;
            let digits = rest.get(colon + 2..colon + 5)?;
            let after = rest[colon + 5..].chars().next();
            (after == Some(' '))
                .then(|| digits.parse::<u16>().ok())
                .flatten()
        });
        match named {
            Some(n) if code(n) => Ok(()),
            _ => Err(format!(
                "{}: the error line does not name {verbs:?} with the expected reply code: {line}",
                self.shown
            )
            .into()),
        }
    }
}

/// `name` percent-encoded for a URL path segment: every byte but ASCII
/// letters, digits and `-._~` (so `/` too), UTF-8 or not.
pub fn encode(name: &[u8]) -> String {
    name.iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Every path under a directory with its type, mode, size and content
/// hash.
pub struct Tree(BTreeMap<PathBuf, String>);

impl Tree {
    pub fn of(dir: &Path) -> Tree {
        let mut map = BTreeMap::new();
        let mut todo = vec![dir.to_owned()];
        while let Some(d) = todo.pop() {
            let Ok(entries) = fs::read_dir(&d) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(meta) = fs::symlink_metadata(&path) else {
                    continue;
                };
                let rel = path.strip_prefix(dir).unwrap_or(&path).to_owned();
                let what = if meta.is_dir() {
                    todo.push(path.clone());
                    format!("dir {:o}", meta.mode())
                } else {
                    format!(
                        "file {:o} {} {:x}",
                        meta.mode(),
                        meta.len(),
                        hash_file(&path)
                    )
                };
                map.insert(rel, what);
            }
        }
        Tree(map)
    }

    /// Fails, naming the first differences, if `dir` no longer matches.
    pub fn unchanged(&self, dir: &Path, side: &str) -> Outcome {
        let now = Tree::of(dir);
        let mut diffs = Vec::new();
        for (path, was) in &self.0 {
            match now.0.get(path) {
                None => diffs.push(format!("{} removed", path.display())),
                Some(is) if is != was => diffs.push(format!("{} changed", path.display())),
                Some(_) => {}
            }
        }
        for path in now.0.keys().filter(|p| !self.0.contains_key(*p)) {
            diffs.push(format!("{} added", path.display()));
        }
        ensure!(
            diffs.is_empty(),
            "{side} files changed: {}",
            diffs.join(", ")
        );
        Ok(())
    }

    /// The paths, for a case to search.
    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.0.keys()
    }
}

fn hash_file(path: &Path) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    if let Ok(mut file) = fs::File::open(path) {
        let mut buf = vec![0u8; 1 << 16];
        while let Ok(n) = file.read(&mut buf) {
            if n == 0 {
                break;
            }
            hasher.write(&buf[..n]);
        }
    }
    hasher.finish()
}

/// Fails unless files `a` and `b` hold the same bytes.
pub fn same_file(a: &Path, b: &Path) -> Outcome {
    let (ma, mb) = (fs::metadata(a), fs::metadata(b));
    let (ma, mb) = match (ma, mb) {
        (Ok(ma), Ok(mb)) => (ma, mb),
        (Err(e), _) => return Err(format!("{}: {e}", a.display()).into()),
        (_, Err(e)) => return Err(format!("{}: {e}", b.display()).into()),
    };
    ensure!(
        ma.len() == mb.len(),
        "{} has {} bytes, {} has {}",
        a.display(),
        ma.len(),
        b.display(),
        mb.len()
    );
    let (mut fa, mut fb) = (fs::File::open(a)?, fs::File::open(b)?);
    let (mut ba, mut bb) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    let mut offset = 0u64;
    loop {
        let n = fa.read(&mut ba)?;
        if n == 0 {
            return Ok(());
        }
        fb.read_exact(&mut bb[..n])?;
        ensure!(
            ba[..n] == bb[..n],
            "{} and {} differ near byte {offset}",
            a.display(),
            b.display()
        );
        offset += n as u64;
    }
}

/// `path` as text, for a command line (the scratch paths are UTF-8).
pub fn utf8(path: &Path) -> Result<&str, Failed> {
    Ok(path.to_str().ok_or("a UTF-8 scratch path")?)
}

/// Fails unless file `path` holds `content`.
pub fn has_content(path: &Path, content: &[u8]) -> Outcome {
    let got = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    ensure!(
        got == content,
        "{} holds {} bytes, not the expected {}{}",
        path.display(),
        got.len(),
        content.len(),
        if got.len() == content.len() {
            " (content differs)"
        } else {
            ""
        }
    );
    Ok(())
}

/// Fails if `path` exists.
pub fn absent(path: &Path) -> Outcome {
    ensure!(!path.exists(), "{} exists but should not", path.display());
    Ok(())
}

/// Fails if any file under `dirs` looks like a client's temporary file.
pub fn no_temporary_files(dirs: &[&Path]) -> Outcome {
    for dir in dirs {
        let left: Vec<String> = Tree::of(dir)
            .paths()
            .filter(|p| {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default();
                name.ends_with(".part") || name.contains(".ftp-cli") || name.starts_with(".tmp")
            })
            .map(|p| p.display().to_string())
            .collect();
        ensure!(
            left.is_empty(),
            "temporary files left in {}: {left:?}",
            dir.display()
        );
    }
    Ok(())
}

/// Deterministic bytes with every value, CR and LF included, and no short
/// period.
pub fn pattern(len: usize, seed: u32) -> Vec<u8> {
    let mut state = u64::from(seed).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

static SCRATCH: OnceLock<PathBuf> = OnceLock::new();
static BIG: OnceLock<PathBuf> = OnceLock::new();

/// Sets the directory shared by all cases (made and removed by `main`).
pub fn set_scratch(dir: &Path) {
    let _ = SCRATCH.set(dir.to_owned());
}

/// Size of [`big_file`].
pub const BIG_SIZE: usize = 50 << 20;

/// A 50 MiB local file of [`pattern`] bytes, made once per run.
pub fn big_file() -> &'static Path {
    BIG.get_or_init(|| {
        let dir = SCRATCH.get().expect("main sets the scratch directory");
        let path = dir.join("big.bin");
        fs::write(&path, pattern(BIG_SIZE, 50)).expect("write the 50 MiB file");
        path
    })
}

/// Removes everything in `dir`, best effort, and leaves `dir`.
fn empty_dir(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let _ = match entry.file_type() {
            Ok(kind) if kind.is_dir() => fs::remove_dir_all(&path),
            _ => fs::remove_file(&path),
        };
    }
}
