//! Where a server is, how to see its files, how to log in, what it supports.
//!
//! A [`Target`] is everything a case may ask about the server it runs
//! against. The in-process libunftp server is one ([`Target::in_process`]);
//! a real server started by `tests/interop/servers.sh` is another, described
//! by `FTP_TARGET_*` environment variables ([`Target::from_env`]). What a
//! kind of server supports and how it deviates is its [`Profile`], looked up
//! by name: adding a server or a mode (FTPS on vsftpd, an anonymous
//! upload-only area) is one more profile here plus one start function in
//! `servers.sh`, never new cases.

use std::env;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::{FtpsSetup, Leaf, TestPki, TestServer};
use ftp_client::{FtpUrl, TlsMode, TlsVersion};

/// The address family a trial connects over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

/// TLS on the control and data connections: the modes a kind of server
/// offers ([`Profile::tls`]); a target runs in one ([`Target::tls`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tls {
    /// Plain FTP.
    None,
    /// `AUTH TLS` after the greeting (`ftpes://`).
    Explicit,
    /// TLS from the first byte (`ftps://`).
    Implicit,
}

/// How a target's connections are secured, and what the client trusts.
#[derive(Clone, Debug)]
pub struct TargetTls {
    pub mode: Tls,
    /// The test CA that issued the server's certificate (`--cacert`).
    pub ca_file: PathBuf,
    /// The newest TLS version the client offers.
    pub max: TlsVersion,
}

impl TargetTls {
    /// The library's mode.
    pub fn client_mode(&self) -> TlsMode {
        match self.mode {
            Tls::None => TlsMode::Plain,
            Tls::Explicit => TlsMode::Explicit,
            Tls::Implicit => TlsMode::Implicit,
        }
    }

    /// The URL scheme.
    pub fn scheme(&self) -> &'static str {
        match self.mode {
            Tls::None => "ftp",
            Tls::Explicit => "ftpes",
            Tls::Implicit => "ftps",
        }
    }

    /// The CLI's options for it (global: placed before the command).
    pub fn cli_options(&self) -> Vec<String> {
        let mut options = vec!["--cacert".to_owned(), self.ca_file.display().to_string()];
        if self.max == TlsVersion::Tls12 {
            options.extend(["--tls-max".to_owned(), "1.2".to_owned()]);
        }
        options
    }
}

/// A proxy in front of the target: every library client and CLI run of
/// the matrix goes through it.
#[derive(Clone, Debug)]
pub struct TargetProxy {
    /// Its URL (`socks5h://…`, `http://…`), password included.
    pub url: String,
    /// Its password, if the URL has one (no output may show it).
    pub password: Option<String>,
    /// Whether it accepts active-mode data connections (SOCKS5 BIND).
    pub bind: bool,
}

/// A user name and password.
#[derive(Clone, Debug)]
pub struct Login {
    pub user: String,
    pub password: String,
}

/// The anonymous area, where the target has one.
#[derive(Clone, Debug)]
pub struct Anonymous {
    /// The anonymous user's `/` on disk (the login root itself on the
    /// in-process server).
    pub root: PathBuf,
    /// Whether anonymous STOR succeeds (libunftp) or is refused (the real
    /// servers as `servers.sh` configures them).
    pub upload: bool,
    /// An upload-only directory in the anonymous area (path relative to its
    /// `/`): STOR of a new file allowed, RNFR/RNTO/DELE and overwrites
    /// refused, as vsftpd's `anon_upload_enable` makes `incoming/`.
    pub drop_box: Option<String>,
}

/// What LIST of a directory that does not exist gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissingDirListing {
    /// 150, no data, 226: an empty listing (vsftpd, Pure-FTPd).
    Empty,
    /// 150, then a 4xx/5xx final reply (proFTPD: 450).
    RefusedAfterStart,
    /// A 4xx/5xx instead of the 150 (pyftpdlib, libunftp: 550).
    Refused,
}

/// The known ways a server departs from the common path, for the cases to
/// expect precisely rather than loosely.
#[derive(Clone, Debug)]
pub struct Quirks {
    /// proFTPD: the final 226 of a download comes only after the client
    /// closed the data connection.
    pub final_reply_after_data_close: bool,
    /// Pure-FTPd: a download the client closes early is answered with one
    /// more 150 and no final reply, so the client gives the session up.
    pub no_final_reply_after_early_close: bool,
    /// proFTPD over TLS: a download the client closes early may end the
    /// whole session (the control connection closes, or no final reply
    /// comes), depending on how far its TLS writes had got.
    pub tls_early_close_may_end_session: bool,
    /// libunftp: RETR of a missing file is answered 150, then 550 (the
    /// others refuse before any 1xx).
    pub missing_file_refused_after_start: bool,
    /// Pure-FTPd: NLST lists `.` and `..` too (the library drops them;
    /// `nlst_names_exactly_the_stored_files` proves it).
    pub nlst_lists_dot_entries: bool,
    /// LIST of a missing directory.
    pub missing_dir_listing: MissingDirListing,
    /// The 530 for a wrong password comes after a delay of seconds:
    /// Pure-FTPd (about 3.5 s), vsftpd (PAM's pam_unix, about 2 s).
    pub slow_failed_login: bool,
    /// vsftpd: the (unreachable) address its 227 replies name; the client
    /// must connect to the control connection's peer instead.
    pub pasv_address: Option<String>,
    /// Names the server will not give a new directory (proFTPD: `*`,
    /// "Invalid directory name"), though files may have them.
    pub refused_directory_names: &'static [&'static [u8]],
    /// Pure-FTPd over TLS 1.3: data connections do not resume the control
    /// connection's TLS session (it issues no ticket; it does not require
    /// resumption either). Over TLS 1.2 they do.
    pub no_tls13_resumption: bool,
    /// pyftpdlib 2.2: while active-mode data connections open and close,
    /// a new control connection may never be read (its 220 comes, the
    /// answer to USER or the TLS handshake never does); curl -P shows the
    /// same. Active-mode cases run alone on it, with one session each.
    pub active_stalls_new_sessions: bool,
    /// proFTPD: its greeting names it, so the client offers it TLS 1.2 at
    /// most; over implicit TLS the greeting comes after a TLS 1.3
    /// handshake, and the client connects once more before the login.
    pub greeting_names_proftpd: bool,
}

/// What a kind of server supports and its quirks, by name.
#[derive(Clone, Debug)]
pub struct Profile {
    /// MLSD/MLST (RFC 3659).
    pub mlsd: bool,
    /// REST before RETR/STOR (resumed transfers).
    pub rest: bool,
    /// Active mode (PORT) as configured.
    pub port: bool,
    /// EPRT (active mode over IPv6).
    pub eprt: bool,
    /// Anonymous STOR accepted (where anonymous login exists at all).
    pub anonymous_upload: bool,
    /// File names that are not UTF-8 reach the disk byte for byte.
    pub non_utf8_names: bool,
    /// A symbolic link on the server's file system is listed as a link.
    pub lists_symlinks: bool,
    /// The server computes file digests: `HASH` (draft-bryan-ftpext-hash)
    /// and `XSHA256`, `XSHA512`, `XSHA1`, `XMD5`, `XCRC`, every algorithm
    /// (proFTPD with mod_digest, as `servers.sh` loads it).
    pub hash: bool,
    /// TLS modes offered.
    pub tls: Vec<Tls>,
    pub quirks: Quirks,
}

impl Profile {
    /// The profile of a known server, by the name `servers.sh` uses.
    pub fn named(name: &str) -> Option<Profile> {
        let plain = Quirks {
            final_reply_after_data_close: false,
            no_final_reply_after_early_close: false,
            tls_early_close_may_end_session: false,
            missing_file_refused_after_start: false,
            nlst_lists_dot_entries: false,
            missing_dir_listing: MissingDirListing::Refused,
            slow_failed_login: false,
            pasv_address: None,
            refused_directory_names: &[],
            no_tls13_resumption: false,
            active_stalls_new_sessions: false,
            greeting_names_proftpd: false,
        };
        let common = Profile {
            mlsd: true,
            rest: true,
            port: true,
            eprt: true,
            anonymous_upload: false,
            non_utf8_names: true,
            lists_symlinks: true,
            hash: false,
            tls: vec![Tls::None],
            quirks: plain,
        };
        Some(match name {
            // libunftp 0.24, local-filesystem back end; anonymous users
            // share the login root, with full rights.
            // PORT, as tests/support configures it; libunftp 0.24 has no
            // EPRT (500), so no active mode over IPv6.
            "in-process" => Profile {
                eprt: false,
                anonymous_upload: true,
                // libunftp decodes command lines as UTF-8.
                non_utf8_names: false,
                // Its MLSD says `type=file` for every symbolic link, with
                // the link's own size.
                lists_symlinks: false,
                quirks: Quirks {
                    missing_file_refused_after_start: true,
                    ..common.quirks.clone()
                },
                ..common
            },
            "vsftpd" => Profile {
                mlsd: false,
                quirks: Quirks {
                    missing_dir_listing: MissingDirListing::Empty,
                    slow_failed_login: true,
                    pasv_address: env::var("FTP_TARGET_PASV_ADDRESS")
                        .ok()
                        .filter(|a| !a.is_empty()),
                    ..common.quirks.clone()
                },
                ..common
            },
            // mod_digest loaded, every algorithm on (servers.sh).
            "proftpd" => Profile {
                hash: true,
                quirks: Quirks {
                    tls_early_close_may_end_session: true,
                    final_reply_after_data_close: true,
                    refused_directory_names: &[b"*"],
                    missing_dir_listing: MissingDirListing::RefusedAfterStart,
                    greeting_names_proftpd: true,
                    ..common.quirks.clone()
                },
                ..common
            },
            "pureftpd" => Profile {
                quirks: Quirks {
                    no_tls13_resumption: true,
                    no_final_reply_after_early_close: true,
                    nlst_lists_dot_entries: true,
                    missing_dir_listing: MissingDirListing::Empty,
                    slow_failed_login: true,
                    ..common.quirks.clone()
                },
                ..common
            },
            // pyftpdlib decodes command lines as UTF-8, replacing bytes
            // that are not (its default `unicode_errors = "replace"`).
            "pyftpdlib" => Profile {
                non_utf8_names: false,
                quirks: Quirks {
                    active_stalls_new_sessions: true,
                    ..common.quirks.clone()
                },
                // Its MLSD describes what a link leads to (`type=dir`).
                lists_symlinks: false,
                ..common
            },
            _ => return None,
        })
    }

    /// Applies `FTP_TARGET_FEATURES`, a comma-separated list of `+name` or
    /// `-name` (names: mlsd, rest, port, eprt, anonymous-upload, non-utf8-names, hash), so a start
    /// function can say what its configuration changed.
    fn adjust(&mut self, spec: &str) -> Result<(), String> {
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (on, name) = match item.split_at(1) {
                ("+", name) => (true, name),
                ("-", name) => (false, name),
                _ => return Err(format!("FTP_TARGET_FEATURES: '{item}' lacks + or -")),
            };
            match name {
                "mlsd" => self.mlsd = on,
                "rest" => self.rest = on,
                "port" => self.port = on,
                "eprt" => self.eprt = on,
                "anonymous-upload" => self.anonymous_upload = on,
                "non-utf8-names" => self.non_utf8_names = on,
                "hash" => self.hash = on,
                _ => return Err(format!("FTP_TARGET_FEATURES: unknown feature '{name}'")),
            }
        }
        Ok(())
    }
}

/// One server (and mode) the cases run against.
pub struct Target {
    /// Short name: a column of the summary table, the first part of each
    /// trial's name.
    pub name: String,
    /// Server version, for the reader.
    pub version: String,
    /// The control connection's address over IPv4.
    pub addr: SocketAddr,
    /// The same server over IPv6, if it listens there.
    pub addr6: Option<SocketAddr>,
    /// The login user's `/` on disk: cases check results there.
    pub root: PathBuf,
    pub login: Login,
    pub anonymous: Option<Anonymous>,
    pub profile: Profile,
    /// Whether the server process can be denied a file (it runs as another
    /// user than the tests, or the tests do not run as root): needed to
    /// test a download the server refuses for lack of permission.
    pub can_be_denied_a_file: bool,
    /// Owner given to files the cases create on the server's disk: the
    /// owner of the root directory, so the server may change them.
    pub owner: (u32, u32),
    /// TLS, for an FTPS target.
    pub tls: Option<TargetTls>,
    /// The proxy every connection goes through (`FTP_TARGET_PROXY`), if any.
    pub proxy: Option<TargetProxy>,
    /// A second server, of another kind where the suite has one, for the
    /// copies between two servers (the cross-server group): in `cargo
    /// test` a second in-process server, in the interop suite the server
    /// `FTP_PEER_*` describes (see [`Target::from_env`]).
    pub peer: Option<Box<Target>>,
    /// Keeps the in-process server running.
    _server: Option<TestServer>,
    /// Keeps the in-process FTPS server's certificates.
    _pki: Option<TestPki>,
}

impl Target {
    /// The in-process libunftp server, on 127.0.0.1 and [::1].
    pub fn in_process() -> Target {
        let mut target = Target::in_process_on(TestServer::start_dual_stack());
        let mut peer = Target::in_process_on(TestServer::start_dual_stack());
        peer.name = "in-process-peer".into();
        target.peer = Some(Box::new(peer));
        target
    }

    /// The in-process libunftp server requiring explicit TLS on control
    /// and data connections; TLS 1.3 offered if `tls13`, else 1.2 only.
    pub fn in_process_ftps(tls13: bool) -> Target {
        let pki = TestPki::new();
        let server = TestServer::start_ftps_dual_stack(FtpsSetup {
            leaf: pki.leaf(Leaf::Good),
            tls13,
        });
        let mut target = Target::in_process_on(server);
        target.name = format!("ftpes-tls1.{}", if tls13 { 3 } else { 2 });
        target.version = format!("libunftp 0.24, TLS 1.{}", if tls13 { 3 } else { 2 });
        target.profile.tls = vec![Tls::Explicit];
        target.tls = Some(TargetTls {
            mode: Tls::Explicit,
            ca_file: pki.ca_file(),
            max: TlsVersion::Tls13,
        });
        target._pki = Some(pki);
        target
    }

    fn in_process_on(server: TestServer) -> Target {
        let root = server.root().to_owned();
        let owner = owner_of(&root).expect("read the in-process root's owner");
        Target {
            name: "in-process".into(),
            version: "libunftp 0.24".into(),
            addr: server.addr(),
            addr6: server.addr6(),
            can_be_denied_a_file: !runs_as_root(&root),
            anonymous: Some(Anonymous {
                root: root.clone(),
                upload: true,
                drop_box: None,
            }),
            root,
            login: Login {
                user: crate::USER.into(),
                password: crate::PASSWORD.into(),
            },
            profile: Profile::named("in-process").expect("the in-process profile"),
            owner,
            tls: None,
            proxy: None,
            peer: None,
            _server: Some(server),
            _pki: None,
        }
    }

    /// A running server described by the environment, if `FTP_TARGET` is
    /// set:
    ///
    /// | variable | meaning |
    /// | --- | --- |
    /// | `FTP_TARGET` | profile name: vsftpd, proftpd, pureftpd, pyftpdlib |
    /// | `FTP_TARGET_URL` | `ftp://user:password@127.0.0.1:port/` |
    /// | `FTP_TARGET_URL6` | the same over `[::1]` (optional) |
    /// | `FTP_TARGET_ROOT` | the user's `/` on disk |
    /// | `FTP_TARGET_ANON_ROOT` | anonymous `/` on disk (optional: no anonymous login) |
    /// | `FTP_TARGET_ANON_DROP_BOX` | an upload-only directory under it (optional) |
    /// | `FTP_TARGET_VERSION` | shown in the table header (optional) |
    /// | `FTP_TARGET_FEATURES` | `+x,-y` changes to the profile (optional) |
    /// | `FTP_TARGET_PASV_ADDRESS` | the address in 227 replies (optional) |
    /// | `FTP_TARGET_TLS` | `explicit` or `implicit` (optional: plain FTP) |
    /// | `FTP_TARGET_CA` | the CA file that issued the server's certificate (with TLS) |
    /// | `FTP_TARGET_TLS_MAX` | `1.2` to keep the client at TLS 1.2 (optional) |
    /// | `FTP_TARGET_PROXY` | a proxy URL every connection goes through (optional) |
    /// | `FTP_TARGET_PROXY_NAME` | its name in the summary table (`socks5`, `http`…) |
    /// | `FTP_TARGET_PROXY_BIND` | `1` if it accepts active-mode connections (SOCKS5 BIND) |
    /// | `FTP_PEER`, `FTP_PEER_URL`, `FTP_PEER_ROOT`, `FTP_PEER_VERSION` | a second server, in clear, for the cross-server cases (optional) |
    pub fn from_env() -> Result<Option<Target>, String> {
        let Ok(name) = env::var("FTP_TARGET") else {
            return Ok(None);
        };
        let var = |key: &str| env::var(key).ok().filter(|v| !v.is_empty());
        let need = |key: &str| var(key).ok_or(format!("FTP_TARGET is set but {key} is not"));
        let mut profile = Profile::named(&name)
            .ok_or(format!("FTP_TARGET={name}: no such profile in target.rs"))?;
        if let Some(spec) = var("FTP_TARGET_FEATURES") {
            profile.adjust(&spec)?;
        }
        let url = need("FTP_TARGET_URL")?;
        let (addr, login) = parse_url(&url)?;
        let addr6 = match var("FTP_TARGET_URL6") {
            Some(url6) => Some(parse_url(&url6)?.0),
            None => None,
        };
        let root = PathBuf::from(need("FTP_TARGET_ROOT")?);
        let owner = owner_of(&root)?;
        let anonymous = var("FTP_TARGET_ANON_ROOT").map(|root| Anonymous {
            root: root.into(),
            upload: profile.anonymous_upload,
            drop_box: var("FTP_TARGET_ANON_DROP_BOX"),
        });
        let mode = match var("FTP_TARGET_TLS").as_deref() {
            None | Some("none" | "plain") => Tls::None,
            Some("explicit") => Tls::Explicit,
            Some("implicit") => Tls::Implicit,
            Some(other) => return Err(format!("FTP_TARGET_TLS={other}: explicit or implicit")),
        };
        let max = match var("FTP_TARGET_TLS_MAX").as_deref() {
            None | Some("1.3") => TlsVersion::Tls13,
            Some("1.2") => TlsVersion::Tls12,
            Some(other) => return Err(format!("FTP_TARGET_TLS_MAX={other}: 1.2 or 1.3")),
        };
        let tls = match mode {
            Tls::None => None,
            mode => Some(TargetTls {
                mode,
                ca_file: need("FTP_TARGET_CA")?.into(),
                max,
            }),
        };
        // One column per server and mode in the summary table.
        let name = match &tls {
            None => name,
            Some(tls) => format!(
                "{name}-{}-tls1.{}",
                tls.scheme(),
                if tls.max == TlsVersion::Tls12 { 2 } else { 3 }
            ),
        };
        if let Some(tls) = &tls {
            profile.tls = vec![tls.mode];
        }
        let proxy = var("FTP_TARGET_PROXY").map(|url| TargetProxy {
            password: url
                .split_once("://")
                .and_then(|(_, rest)| rest.rsplit_once('@'))
                .and_then(|(userinfo, _)| userinfo.split_once(':'))
                .map(|(_, password)| password.to_owned()),
            bind: var("FTP_TARGET_PROXY_BIND").is_some_and(|v| v == "1"),
            url,
        });
        // One column per proxy too.
        let name = match var("FTP_TARGET_PROXY_NAME") {
            Some(via) if proxy.is_some() => format!("{name}-via-{via}"),
            _ => name,
        };
        // And one for the cross step, the peer named.
        let peer = Target::peer_from_env()?.map(Box::new);
        let name = match &peer {
            Some(peer) => format!("{name}+{}", peer.name),
            None => name,
        };
        Ok(Some(Target {
            version: var("FTP_TARGET_VERSION").unwrap_or_else(|| "?".into()),
            name,
            tls,
            _pki: None,
            addr,
            addr6,
            can_be_denied_a_file: owner.0 != 0,
            root,
            login,
            anonymous,
            profile,
            owner,
            proxy,
            peer,
            _server: None,
        }))
    }

    /// The second server of the cross-server cases, in clear, if `FTP_PEER`
    /// (its profile name) is set: `FTP_PEER_URL`, `FTP_PEER_ROOT` and
    /// `FTP_PEER_VERSION` (optional) as `FTP_TARGET_*`'s.
    fn peer_from_env() -> Result<Option<Target>, String> {
        let Ok(name) = env::var("FTP_PEER") else {
            return Ok(None);
        };
        let var = |key: &str| env::var(key).ok().filter(|v| !v.is_empty());
        let need = |key: &str| var(key).ok_or(format!("FTP_PEER is set but {key} is not"));
        let profile = Profile::named(&name)
            .ok_or(format!("FTP_PEER={name}: no such profile in target.rs"))?;
        let (addr, login) = parse_url(&need("FTP_PEER_URL")?)?;
        let root = PathBuf::from(need("FTP_PEER_ROOT")?);
        let owner = owner_of(&root)?;
        Ok(Some(Target {
            version: var("FTP_PEER_VERSION").unwrap_or_else(|| "?".into()),
            name,
            tls: None,
            _pki: None,
            addr,
            addr6: None,
            can_be_denied_a_file: owner.0 != 0,
            root,
            login,
            anonymous: None,
            profile,
            owner,
            proxy: None,
            peer: None,
            _server: None,
        }))
    }

    /// The control address for `family`, if the target listens there.
    pub fn addr_for(&self, family: Family) -> Option<SocketAddr> {
        match family {
            Family::V4 => Some(self.addr),
            Family::V6 => self.addr6,
        }
    }

    /// The control connections a session opens: two where the client
    /// connects again offering TLS 1.2 (a proFTPD greeting seen only after
    /// an implicit TLS 1.3 handshake), one otherwise.
    pub fn control_connections_per_session(&self) -> usize {
        match &self.tls {
            Some(tls)
                if tls.mode == Tls::Implicit
                    && tls.max == TlsVersion::Tls13
                    && self.profile.quirks.greeting_names_proftpd =>
            {
                2
            }
            _ => 1,
        }
    }

    /// One paragraph saying what this target is, printed before the run.
    pub fn describe(&self) -> String {
        let p = &self.profile;
        let mut s = format!(
            "target {} ({}): {}{}, root {}, user {}",
            self.name,
            self.version,
            self.addr,
            self.addr6.map(|a| format!(" and {a}")).unwrap_or_default(),
            self.root.display(),
            self.login.user,
        );
        match &self.anonymous {
            Some(a) => {
                let _ = write!(
                    s,
                    ", anonymous at {} ({})",
                    a.root.display(),
                    if a.upload { "read/write" } else { "read-only" }
                );
            }
            None => s.push_str(", no anonymous login"),
        }
        let _ = write!(
            s,
            "\n  supports: mlsd={} rest={} port={} eprt={} tls={:?}",
            p.mlsd, p.rest, p.port, p.eprt, p.tls
        );
        let q = &p.quirks;
        for (has, what) in [
            (
                q.final_reply_after_data_close,
                "a transfer's final reply only after the data connection closes",
            ),
            (
                q.no_final_reply_after_early_close,
                "no final reply to a download closed early",
            ),
            (
                q.missing_file_refused_after_start,
                "RETR of a missing file: 150, then 550",
            ),
            (
                q.nlst_lists_dot_entries,
                "NLST lists . and .. (dropped by the library)",
            ),
            (q.slow_failed_login, "a 530 only after a delay of seconds"),
            (
                q.active_stalls_new_sessions,
                "new sessions may stall while active-mode data connections come and go",
            ),
        ] {
            if has {
                let _ = write!(s, "\n  quirk: {what}");
            }
        }
        let _ = write!(
            s,
            "\n  quirk: LIST of a missing directory: {:?}",
            q.missing_dir_listing
        );
        if let Some(address) = &q.pasv_address {
            let _ = write!(s, "\n  quirk: 227 replies name {address}");
        }
        if !self.can_be_denied_a_file {
            s.push_str("\n  the server reads every file the tests can create (it runs as root)");
        }
        s
    }
}

fn parse_url(url: &str) -> Result<(SocketAddr, Login), String> {
    let parsed = FtpUrl::parse(url).map_err(|e| format!("{url}: {e}"))?;
    let host = parsed.host().trim_start_matches('[').trim_end_matches(']');
    let ip: std::net::IpAddr = host
        .parse()
        .map_err(|_| format!("{url}: the host must be an IP address"))?;
    let login = Login {
        user: parsed.user().to_owned(),
        password: parsed.password().to_owned(),
    };
    let url_safe = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    };
    if !url_safe(&login.user) || !url_safe(&login.password) {
        return Err(format!(
            "{url}: user and password must need no percent-encoding"
        ));
    }
    Ok((SocketAddr::new(ip, parsed.port()), login))
}

fn owner_of(path: &Path) -> Result<(u32, u32), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((meta.uid(), meta.gid()))
}

/// Whether this process reads files whatever their mode (root): then a
/// server in this process cannot be denied a file.
fn runs_as_root(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let probe = dir.join(".mode-000-probe");
    let readable = std::fs::write(&probe, b"x").is_ok()
        && std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o000)).is_ok()
        && std::fs::read(&probe).is_ok();
    let _ = std::fs::remove_file(&probe);
    readable
}
