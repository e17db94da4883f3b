//! Every fault scenario the library meets, written once: the scripted
//! server, what must hold after the library's operation (a check written
//! once against [`Driver`], run through the blocking and the async driver)
//! and, where the CLI has that operation, after an `ftp-cli` run.
//!
//! `tests/faults.rs` runs each library check through both drivers, one
//! trial each (`blocking::NAME`, `tokio::NAME`); `ftp-cli/tests/faults.rs`
//! runs each CLI check with the built binary. A scenario is
//! each fault a server can commit; the checks say what a client must do.

use std::io::{Read, Write};
use std::process::Output;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ftp_client::{Client, Config, Error};

use crate::driver::{DownloadStream, Driver, Tokio};
use crate::scenarios::{
    self, ActiveFault, DownloadFault, EPSV_FAULTS, FinalReply, UploadFault, UploadTarget,
};
use crate::{FaultServer, Peer, local_names};

/// Every timeout of the library's runs, and the CLI's `--timeout`.
pub const TIMEOUT: Duration = Duration::from_millis(1500);

/// A library check, through one driver.
pub type LibraryCheck = Arc<dyn Fn(&FaultServer) + Send + Sync>;
/// A CLI check, given a way to run `ftp-cli` with arguments (the runner
/// adds `--timeout 1.5` and bounds the run's time).
pub type CliCheck = Arc<dyn Fn(&FaultServer, &dyn Fn(&[&str]) -> Output) + Send + Sync>;

/// One fault scenario.
#[derive(Clone)]
pub struct Scenario {
    /// What the server does, as a test name.
    pub name: String,
    /// Starts the scripted server (one per run).
    pub server: Arc<dyn Fn() -> FaultServer + Send + Sync>,
    /// The check through the blocking driver.
    pub blocking: Option<LibraryCheck>,
    /// The check through the async driver.
    pub tokio: Option<LibraryCheck>,
    /// The check through `ftp-cli`, where it has the operation.
    pub cli: Option<CliCheck>,
}

impl Scenario {
    fn new(
        name: impl Into<String>,
        server: impl Fn() -> FaultServer + Send + Sync + 'static,
    ) -> Self {
        Scenario {
            name: name.into(),
            server: Arc::new(server),
            blocking: None,
            tokio: None,
            cli: None,
        }
    }

    /// The library check through both drivers.
    fn library(mut self, (blocking, tokio): (LibraryCheck, LibraryCheck)) -> Self {
        self.blocking = Some(blocking);
        self.tokio = Some(tokio);
        self
    }

    /// A check of the blocking driver's own API.
    fn blocking_only(mut self, check: impl Fn(&FaultServer) + Send + Sync + 'static) -> Self {
        self.blocking = Some(Arc::new(check));
        self
    }

    fn cli(
        mut self,
        check: impl Fn(&FaultServer, &dyn Fn(&[&str]) -> Output) + Send + Sync + 'static,
    ) -> Self {
        self.cli = Some(Arc::new(check));
        self
    }
}

/// `check::<D>(server, args…)` for the blocking and the async driver.
macro_rules! both {
    ($check:ident $(, $arg:expr)* $(,)?) => {
        (
            Arc::new(move |s: &FaultServer| $check::<Client>(s $(, $arg)*)) as LibraryCheck,
            Arc::new(move |s: &FaultServer| $check::<Tokio>(s $(, $arg)*)) as LibraryCheck,
        )
    };
}

/// Every scenario.
pub fn all() -> Vec<Scenario> {
    let mut all = replies();
    all.extend(passive());
    all.extend(transfers());
    all.extend(active());
    all
}

fn replies() -> Vec<Scenario> {
    vec![
        Scenario::new(
            "multi_line_replies_with_digit_lines_and_bare_lf_and_120",
            scenarios::odd_but_valid_replies,
        )
        .library(both!(odd_but_valid_replies))
        .cli(|s, cli| commands(cli, s, &["mkdir", "rm"], Expect::Success(b""))),
        Scenario::new(
            "garbage_instead_of_a_reply_is_a_protocol_error",
            scenarios::garbage_greeting,
        )
        .library(both!(garbage_greeting))
        .cli(|s, cli| {
            download(cli, s, Expect::Failure("malformed reply"));
            commands(cli, s, &["ls", "mkdir"], Expect::Failure("malformed reply"));
        }),
        Scenario::new(
            "endless_reply_line_is_bounded_and_fails_cleanly",
            scenarios::endless_greeting_line,
        )
        .library(both!(endless_greeting_line))
        .cli(|s, cli| {
            download(cli, s, Expect::Failure("reply line longer than"));
            commands(cli, s, &["ls"], Expect::Failure("reply line longer than"));
        }),
        Scenario::new(
            "service_closing_421_mid_command",
            scenarios::closes_with_421,
        )
        .library(both!(closes_with_421))
        .cli(|s, cli| {
            let expect = Expect::Failure("421 Timeout, closing control connection");
            download(cli, s, expect);
            commands(cli, s, &["mkdir", "rmdir", "rm", "ls"], expect);
        }),
        Scenario::new(
            "answers_200_where_250_or_257_are_expected",
            scenarios::answers_200_to_everything,
        )
        .library(both!(answers_200))
        .cli(|s, cli| commands(cli, s, &["mkdir", "rmdir", "rm"], Expect::Success(b""))),
        Scenario::new(
            "dropped_mid_multi_line_reply_is_an_error_not_a_loop",
            drops_mid_multi_line_reply,
        )
        .library(both!(dropped_mid_multi_line_reply)),
        Scenario::new(
            "nul_in_the_reply_to_pass_is_a_protocol_error",
            scenarios::nul_in_login_reply,
        )
        .library(both!(nul_in_login_reply))
        .cli(|s, cli| assert_failed(&cli(&["ls", &s.url("")]), 1, "malformed reply")),
        Scenario::new(
            "control_character_in_a_pwd_path_is_refused_and_never_sent_back",
            scenarios::control_character_in_pwd,
        )
        .library(both!(control_character_in_pwd))
        .cli(|s, cli| {
            assert_failed(&cli(&["ls", &s.url("d/")]), 1, "control character");
            never_sent_back(s);
        }),
        Scenario::new(
            "greeting_230_logs_in_without_user_and_pass",
            scenarios::greeting_230,
        )
        .library(both!(greeting_230))
        .cli(|s, cli| {
            download(cli, s, Expect::Success(scenarios::CONTENT));
            no_user_or_pass(s);
        }),
        Scenario::new(
            "silent_server_times_out_within_the_bound",
            scenarios::silent,
        )
        .library(both!(silent))
        .cli(|s, cli| {
            let expect = Expect::Failure("timed out after 1.5s waiting for the server's reply");
            download(cli, s, expect);
            commands(cli, s, &["rmdir"], expect);
        }),
    ]
}

fn passive() -> Vec<Scenario> {
    let mut all = Vec::new();
    // EPSV refused, then 227 replies (without parentheses, then with)
    // advertising `host`: the data must still come from 127.0.0.1.
    for (host, through_cli) in [("10,9,8,7", true), ("0,0,0,0", true), ("192,0,2,1", false)] {
        let name = format!(
            "pasv_fallback_ignores_an_advertised_private_host_{}",
            host.replace(',', "_")
        );
        let mut scenario = Scenario::new(name, move || scenarios::pasv_only(host))
            .library(both!(pasv_fallback, host));
        if through_cli {
            scenario =
                scenario.cli(|s, cli| download(cli, s, Expect::Success(scenarios::PASV_CONTENT)));
        }
        all.push(scenario);
    }
    // curl's tests 124 (EPSV answered 314) and 1233 (the EPSV port refuses
    // the connection), and their kin.
    for (i, (what, fault)) in EPSV_FAULTS.into_iter().enumerate() {
        all.push(
            Scenario::new(
                format!("epsv_that_fails_falls_back_to_pasv_once_for_the_session_{i}"),
                move || scenarios::epsv_fails(fault, "127,0,0,1"),
            )
            .library(both!(epsv_fallback, what))
            .cli(|s, cli| download(cli, s, Expect::Success(scenarios::PASV_CONTENT))),
        );
    }
    all.push(
        Scenario::new(
            "data_connection_refused_is_an_io_error_and_the_session_survives",
            scenarios::data_connection_refused,
        )
        .library(both!(data_connection_refused))
        .cli(|s, cli| {
            let expect = Expect::Failure("opening the data connection to 127.0.0.1:");
            download(cli, s, expect);
            commands(cli, s, &["ls"], expect);
        }),
    );
    all
}

fn transfers() -> Vec<Scenario> {
    let mut all = vec![
        Scenario::new(
            "refusal_while_the_data_connection_is_open_but_silent_does_not_hang",
            scenarios::refusal_with_data_open,
        )
        .library(both!(refusal_with_data_open))
        .cli(|s, cli| download(cli, s, Expect::Failure("RETR f.bin: 550 No such file"))),
        Scenario::new("final_reply_before_the_data", || {
            scenarios::download_with_final_reply(FinalReply::BeforeData)
        })
        .library(both!(downloads, scenarios::CONTENT))
        .cli(|s, cli| download(cli, s, Expect::Success(scenarios::CONTENT))),
        Scenario::new("final_reply_seconds_after_the_data", || {
            scenarios::download_with_final_reply(FinalReply::SecondAfterData)
        })
        .library(both!(downloads, scenarios::CONTENT))
        .cli(|s, cli| download(cli, s, Expect::Success(scenarios::CONTENT))),
        Scenario::new("half_the_data_then_426", || {
            scenarios::download_fault(DownloadFault::Abort426)
        })
        .library(both!(fails_with_426, false))
        .cli(|s, cli| {
            download(
                cli,
                s,
                Expect::Failure("426 Connection closed; transfer aborted"),
            )
        }),
        Scenario::new(
            "fewer_bytes_than_announced_then_226_is_reported_by_the_caller",
            || scenarios::download_fault(DownloadFault::Short),
        )
        .library(both!(short_download))
        .cli(|s, cli| {
            let expect = Expect::Failure("received 500000 bytes but the server announced 1000000");
            download(cli, s, expect);
        }),
        Scenario::new("control_connection_dropped_mid_transfer", || {
            scenarios::download_fault(DownloadFault::DropControl)
        })
        .library(both!(control_dropped))
        .cli(|s, cli| download(cli, s, Expect::Failure("server closed the connection"))),
        Scenario::new("data_connection_reset_mid_transfer", || {
            scenarios::download_fault(DownloadFault::ResetData)
        })
        .library(both!(fails_with_426, true))
        .cli(|s, cli| download(cli, s, Expect::Failure("426 Data connection lost"))),
        Scenario::new("stalled_transfer_times_out_within_the_bound", || {
            scenarios::download_fault(DownloadFault::Stall)
        })
        .library(both!(stalled))
        .cli(|s, cli| download(cli, s, Expect::Failure("timed out after 1.5s"))),
        Scenario::new(
            "finish_after_a_failed_read_reports_it_without_reading_again",
            || scenarios::download_fault(DownloadFault::Stall),
        )
        .library(both!(finish_after_a_failed_read)),
        Scenario::new("a_normal_download_through_the_fault_server", plain_download)
            .library(both!(downloads, b"plain")),
        Scenario::new(
            "local_write_failure_is_reported_as_such_and_abandoned_downloads_do_not_hang",
            pure_ftpd_150_after_an_abandoned_download,
        )
        .library(both!(local_write_failure_does_not_hang)),
        Scenario::new(
            "local_write_failure_wins_over_the_servers_426",
            answers_426_to_a_full_disk,
        )
        .library(both!(local_write_failure_wins)),
        Scenario::new(
            "the_data_connection_closes_for_good_while_a_canceller_is_held",
            final_reply_after_the_clients_fin,
        )
        .blocking_only(canceller_held),
    ];
    for target in [UploadTarget::New, UploadTarget::Existing] {
        for reply in ["552 Disk full", "452 Insufficient storage space"] {
            let name = format!(
                "upload_refused_after_the_data_disk_full_{}_{target:?}",
                &reply[..3]
            );
            let mut scenario = Scenario::new(name, move || {
                scenarios::upload_refused_after_data(reply, target)
            })
            .cli(move |s, cli| upload_refused_cli(cli, s, target, reply));
            // The library stores to a new name (no probe of the target).
            if target == UploadTarget::New {
                scenario = scenario.library(both!(upload_refused, reply));
            }
            all.push(scenario);
        }
        for (fault, needle) in [
            (
                UploadFault::Abort426,
                "426 Connection closed; transfer aborted",
            ),
            (UploadFault::DropControl, "server closed the connection"),
            (
                UploadFault::NoFinalReply,
                "timed out after 1.5s waiting for the server's reply",
            ),
        ] {
            let name =
                format!("uploads_broken_half_way_fail_within_the_bound_{fault:?}_{target:?}");
            let mut scenario = Scenario::new(name, move || scenarios::upload_fault(fault, target))
                .cli(move |s, cli| upload_broken_cli(cli, s, target, needle));
            if target == UploadTarget::New {
                scenario = scenario.library(both!(upload_broken, needle));
            }
            all.push(scenario);
        }
    }
    all
}

fn active() -> Vec<Scenario> {
    vec![
        Scenario::new(
            "active_server_that_never_connects_times_out_within_the_bound",
            || scenarios::active(ActiveFault::NeverConnects),
        )
        .library(both!(active_never_connects))
        .cli(active_never_connects_cli),
        Scenario::new("active_wait_ends_on_the_servers_425", || {
            scenarios::active(ActiveFault::RefusesAfter150)
        })
        .library(both!(active_refused))
        .cli(|s, cli| {
            let local = tempfile::tempdir().unwrap();
            let dir = local.path().to_str().unwrap();
            let out = cli(&["--active", "cp", &s.url("f.bin"), dir]);
            assert_failed(&out, 1, "425 Failed to establish connection.");
            assert!(local_names(local.path()).is_empty());
        }),
        Scenario::new("active_connection_from_another_host_is_refused", || {
            scenarios::active(ActiveFault::OtherHostOnly)
        })
        .library(both!(active_other_host))
        .cli(|s, cli| {
            let local = tempfile::tempdir().unwrap();
            let dir = local.path().to_str().unwrap();
            let out = cli(&["--active", "cp", &s.url("f.bin"), dir]);
            assert_failed(&out, 1, "a connection from 127.0.0.2:");
            assert!(local_names(local.path()).is_empty());
        }),
        Scenario::new(
            "active_thief_is_ignored_and_the_servers_connection_taken",
            || scenarios::active(ActiveFault::ThiefThenServer),
        )
        .library(both!(active_thief))
        .cli(|s, cli| {
            let local = tempfile::tempdir().unwrap();
            let dir = local.path().to_str().unwrap();
            let out = cli(&["--active=127.0.0.1", "cp", &s.url("f.bin"), dir]);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            let got = std::fs::read(local.path().join("f.bin")).unwrap();
            assert_eq!(got, scenarios::ACTIVE_CONTENT);
            assert_eq!(local_names(local.path()), ["f.bin"]);
        }),
    ]
}

// ------------------------------------------------------------- servers

/// FEAT's multi-line reply cut off by a close.
fn drops_mid_multi_line_reply() -> FaultServer {
    FaultServer::start(|peer| {
        peer.login()?;
        peer.expect("FEAT")?;
        peer.send(b"211-Features\r\n SIZE\r\n")?;
        peer.close();
        Ok(())
    })
}

/// Serves `plain` for one RETR after the usual login.
fn plain_download() -> FaultServer {
    FaultServer::start(|peer: &mut Peer| {
        peer.login()?;
        let mut stream = peer.answer_transfer("RETR", "150 Opening data connection")?;
        stream.write_all(b"plain")?;
        drop(stream);
        peer.reply("226 Transfer complete")?;
        peer.drain()
    })
}

/// Pure-FTPd answers a download the client abandons with one more 150
/// and nothing final.
fn pure_ftpd_150_after_an_abandoned_download() -> FaultServer {
    FaultServer::start(|peer| {
        peer.login()?;
        peer.type_and_epsv()?;
        peer.expect("RETR")?;
        let mut data = peer.accept_data()?;
        peer.send(b"150-Accepted data connection\r\n150 5120.0 kbytes to download\r\n")?;
        let _ = data.write_all(&[5u8; 5 << 20]);
        drop(data);
        peer.reply("150 0.001 seconds (measured here), 921.10 Mbytes per second")?;
        peer.drain()
    })
}

/// 4 MiB, then 426 (the client stopped reading), then NOOP answered.
fn answers_426_to_a_full_disk() -> FaultServer {
    FaultServer::start(|peer| {
        peer.login()?;
        let mut data = peer.answer_transfer("RETR", "150 Here")?;
        let _ = data.write_all(&[5u8; 4 << 20]);
        drop(data);
        peer.reply("426 Failure writing network stream.")?;
        peer.answer("NOOP", "200 Ok")?;
        peer.drain()
    })
}

/// A server that sends its final reply only once the client closed the
/// data connection (proFTPD).
fn final_reply_after_the_clients_fin() -> FaultServer {
    FaultServer::start(|peer| {
        peer.login()?;
        let mut data = peer.answer_transfer("RETR", "150 Opening data connection (5 bytes)")?;
        data.write_all(b"hello")?;
        data.shutdown(std::net::Shutdown::Write)?;
        // Waits for the client's FIN (bounded by the script's timeout).
        let mut rest = Vec::new();
        let _ = data.read_to_end(&mut rest);
        peer.reply("226 Transfer complete")?;
        peer.drain()
    })
}

// ------------------------------------------------------------- library

/// The timeouts of every library run.
pub fn config() -> Config {
    Config {
        connect_timeout: TIMEOUT,
        control_timeout: TIMEOUT,
        data_timeout: TIMEOUT,
        final_reply_timeout: TIMEOUT,
        ..Config::default()
    }
}

fn connect<D: Driver>(server: &FaultServer) -> Result<D, Error> {
    connect_with(server, config())
}

fn connect_with<D: Driver>(server: &FaultServer, config: Config) -> Result<D, Error> {
    let mut client = D::connect(server.addr(), config)?;
    client.login("user", "pw")?;
    Ok(client)
}

fn connect_active<D: Driver>(server: &FaultServer) -> D {
    let config = Config {
        data_mode: ftp_client::DataMode::Active { address: None },
        ..config()
    };
    connect_with(server, config).unwrap()
}

fn odd_but_valid_replies<D: Driver>(server: &FaultServer) {
    let mut client = connect::<D>(server).unwrap();
    client.mkdir("d").unwrap();
    client.noop().unwrap();
}

fn garbage_greeting<D: Driver>(server: &FaultServer) {
    let err = D::connect(server.addr(), config()).err().unwrap();
    assert!(matches!(err, Error::Protocol(_)), "{err}");
    assert!(err.to_string().contains("malformed reply"), "{err}");
}

fn endless_greeting_line<D: Driver>(server: &FaultServer) {
    let started = Instant::now();
    let err = D::connect(server.addr(), config()).err().unwrap();
    assert!(err.to_string().contains("reply line longer than"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

fn closes_with_421<D: Driver>(server: &FaultServer) {
    let mut client = connect::<D>(server).unwrap();
    let err = client.mkdir("d").unwrap_err();
    assert!(matches!(err, Error::Closed { .. }), "{err}");
    assert_eq!(err.code(), Some(421));
    assert!(client.is_closed());
    assert!(client.noop().is_err(), "the session is over");
}

fn answers_200<D: Driver>(server: &FaultServer) {
    let mut client = connect::<D>(server).unwrap();
    client.mkdir("d").unwrap();
    client.rmdir("d").unwrap();
    client.delete("f").unwrap();
    client.cwd("x").unwrap();
    client.rename("a", "b").unwrap_err(); // RNFR needs 350, not 200
}

fn dropped_mid_multi_line_reply<D: Driver>(server: &FaultServer) {
    let mut client = connect::<D>(server).unwrap();
    let err = client.features().unwrap_err();
    assert!(matches!(err, Error::Closed { reply: None }), "{err}");
}

fn nul_in_login_reply<D: Driver>(server: &FaultServer) {
    let err = connect::<D>(server).err().unwrap();
    assert!(err.to_string().contains("malformed reply"), "{err}");
    assert!(err.is_session_closed(), "{err}");
}

fn control_character_in_pwd<D: Driver>(server: &FaultServer) {
    let mut client = connect::<D>(server).unwrap();
    let err = client.pwd().unwrap_err();
    assert!(err.to_string().contains("control character"), "{err}");
    // A listing of a named directory asks PWD to know its way back.
    let err = client.list("d").unwrap_err();
    assert!(err.to_string().contains("control character"), "{err}");
    never_sent_back(server);
}

/// The PWD path's control character never went back to the server.
fn never_sent_back(server: &FaultServer) {
    let received = server.received();
    assert!(!received.iter().any(|l| l.contains('\x03')), "{received:?}");
}

fn greeting_230<D: Driver>(server: &FaultServer) {
    let mut client = connect::<D>(server).unwrap();
    let mut out = Vec::new();
    client.retrieve("f", &mut out).unwrap();
    assert_eq!(out, scenarios::CONTENT);
    no_user_or_pass(server);
}

/// A 230 greeting: USER and PASS would be refused.
fn no_user_or_pass(server: &FaultServer) {
    let received = server.received();
    assert!(
        !received
            .iter()
            .any(|l| l.starts_with("USER") || l.starts_with("PASS")),
        "{received:?}"
    );
}

fn silent<D: Driver>(server: &FaultServer) {
    let started = Instant::now();
    let err = D::connect(server.addr(), config()).err().unwrap();
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(
        elapsed >= TIMEOUT && elapsed < TIMEOUT + Duration::from_secs(1),
        "{elapsed:?}"
    );
}

fn pasv_fallback<D: Driver>(server: &FaultServer, host: &str) {
    let mut client = connect::<D>(server).unwrap();
    for _ in 0..2 {
        let mut out = Vec::new();
        client.retrieve("f", &mut out).unwrap();
        assert_eq!(out, scenarios::PASV_CONTENT, "{host}");
    }
    let received = server.received();
    assert_eq!(
        received.iter().filter(|l| *l == "EPSV").count(),
        1,
        "EPSV retried: {received:?}"
    );
}

/// PASV after the first EPSV, and no EPSV again in that session.
fn epsv_fallback<D: Driver>(server: &FaultServer, what: &str) {
    let mut client = connect::<D>(server).unwrap();
    for _ in 0..3 {
        let mut out = Vec::new();
        client.retrieve("f", &mut out).unwrap();
        assert_eq!(out, scenarios::PASV_CONTENT, "{what}");
    }
    let received = server.received();
    let count = |verb: &str| received.iter().filter(|l| *l == verb).count();
    assert_eq!(count("EPSV"), 1, "{what}: {received:?}");
    assert_eq!(count("PASV"), 3, "{what}: {received:?}");
}

fn data_connection_refused<D: Driver>(server: &FaultServer) {
    let mut client = connect::<D>(server).unwrap();
    let err = client.retrieve("f", &mut Vec::new()).unwrap_err();
    assert!(
        err.to_string()
            .contains("opening the data connection to 127.0.0.1:"),
        "{err}"
    );
    client.noop().unwrap();
    // The refused EPSV port was tried once, then PASV's.
    let received = server.received();
    assert_eq!(received[2..5], ["TYPE I", "EPSV", "PASV"], "{received:?}");
}

fn refusal_with_data_open<D: Driver>(server: &FaultServer) {
    let mut client = connect::<D>(server).unwrap();
    let started = Instant::now();
    let err = client.retrieve("missing", &mut Vec::new()).unwrap_err();
    assert_eq!(err.code(), Some(550), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

fn downloads<D: Driver>(server: &FaultServer, content: &[u8]) {
    let mut client = connect::<D>(server).unwrap();
    let mut out = Vec::new();
    client.retrieve("f", &mut out).unwrap();
    assert_eq!(out, content);
}

/// A 426 ends the download; `in_step`: the session then reads the
/// script's 502 to the next command (it is in step).
fn fails_with_426<D: Driver>(server: &FaultServer, in_step: bool) {
    let mut client = connect::<D>(server).unwrap();
    let err = client.retrieve("f", &mut Vec::new()).unwrap_err();
    assert_eq!(err.code(), Some(426), "{err}");
    if in_step {
        client.noop().unwrap_err(); // drained with 502: the session is in step
    }
}

/// The library reports what arrived and the server's 226; the 150's size
/// hint lets a caller (ftp-cli does) notice the shortfall.
fn short_download<D: Driver>(server: &FaultServer) {
    let mut client = connect::<D>(server).unwrap();
    let mut download = client.retrieve_stream("f").unwrap();
    assert_eq!(download.size_hint(), Some(scenarios::ANNOUNCED as u64));
    download.copy_to_end(&mut std::io::sink()).unwrap();
    let received = download.finish().unwrap();
    assert_eq!(received, scenarios::SENT_BEFORE_FAULT as u64);
}

fn control_dropped<D: Driver>(server: &FaultServer) {
    let mut client = connect::<D>(server).unwrap();
    let err = client.retrieve("f", &mut Vec::new()).unwrap_err();
    assert!(matches!(err, Error::Closed { .. }), "{err}");
}

fn stalled<D: Driver>(server: &FaultServer) {
    let mut client = connect::<D>(server).unwrap();
    let started = Instant::now();
    let err = client.retrieve("f", &mut Vec::new()).unwrap_err();
    let elapsed = started.elapsed();
    assert!(err.to_string().contains("timed out"), "{err}");
    // One data-read timeout, then at most one final-reply timeout.
    assert!(
        elapsed < 2 * TIMEOUT + Duration::from_secs(1),
        "{elapsed:?}"
    );
}

fn finish_after_a_failed_read<D: Driver>(server: &FaultServer) {
    let mut client = connect::<D>(server).unwrap();
    let mut download = client.retrieve_stream("f").unwrap();
    let started = Instant::now();
    let mut buf = vec![0u8; 64 << 10];
    let read_error = loop {
        match download.read(&mut buf) {
            Ok(0) => panic!("the stalled transfer ended"),
            Ok(_) => {}
            Err(e) => break e,
        }
    };
    // A blocking socket's timeout; the async driver's own timer.
    let kind = if D::SUFFIX.is_empty() {
        std::io::ErrorKind::WouldBlock
    } else {
        std::io::ErrorKind::TimedOut
    };
    assert_eq!(read_error.kind(), kind);
    let err = download.finish().unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    // The read's timeout, then at most one wait for the final reply; a
    // second read would add a third.
    let elapsed = started.elapsed();
    assert!(
        elapsed < 2 * TIMEOUT + Duration::from_millis(700),
        "{elapsed:?}"
    );
}

/// A writer that fails once `limit` bytes have been written, like a full
/// disk.
struct FullDisk {
    written: usize,
    limit: usize,
}

impl Write for FullDisk {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.written + buf.len() > self.limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "disk full",
            ));
        }
        self.written += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The client must not wait its full final-reply timeout for a 226 that
/// never comes.
fn local_write_failure_does_not_hang<D: Driver>(server: &FaultServer) {
    let mut client = connect_with::<D>(server, Config::default()).unwrap();
    let started = Instant::now();
    let mut disk = FullDisk {
        written: 0,
        limit: 1 << 20,
    };
    let err = client.retrieve("f", &mut disk).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("writing the downloaded data: disk full"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

fn local_write_failure_wins<D: Driver>(server: &FaultServer) {
    let mut client = connect::<D>(server).unwrap();
    let mut disk = FullDisk {
        written: 0,
        limit: 1 << 20,
    };
    let err = client.retrieve("f", &mut disk).unwrap_err();
    assert!(err.to_string().contains("disk full"), "{err}");
    client.noop().unwrap();
}

/// The download ends at once even while a `Canceller` (which holds a
/// duplicate of the socket) is alive.
fn canceller_held(server: &FaultServer) {
    let mut client = connect::<Client>(server).unwrap();
    let started = Instant::now();
    let mut download = client.retrieve_stream("f.bin").unwrap();
    let canceller = download.canceller();
    assert!(canceller.is_some());
    let mut got = Vec::new();
    download.read_to_end(&mut got).unwrap();
    assert_eq!(download.finish().unwrap(), 5);
    assert_eq!(got, b"hello");
    assert!(started.elapsed() < TIMEOUT, "took {:?}", started.elapsed());
    drop(canceller);
    client.noop().unwrap_err(); // the script is over: 502
}

fn upload_refused<D: Driver>(server: &FaultServer, reply: &str) {
    let mut client = connect::<D>(server).unwrap();
    let err = client.store("f", &mut &[0u8; 200_000][..]).unwrap_err();
    assert_eq!(err.code(), Some(reply[..3].parse().unwrap()), "{err}");
    assert_eq!(err.is_transient(), reply.starts_with('4'));
}

fn upload_broken<D: Driver>(server: &FaultServer, needle: &str) {
    let mut client = connect::<D>(server).unwrap();
    let started = Instant::now();
    let err = client
        .store("f", &mut std::io::repeat(7).take(4 << 20))
        .unwrap_err();
    assert!(err.to_string().contains(needle), "{err}");
    let elapsed = started.elapsed();
    assert!(
        elapsed < 2 * TIMEOUT + Duration::from_secs(1),
        "{elapsed:?}"
    );
}

fn active_never_connects<D: Driver>(server: &FaultServer) {
    let mut client = connect_active::<D>(server);
    let started = Instant::now();
    let mut got = Vec::new();
    let err = client.retrieve("f.bin", &mut got).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("to open the data connection (active mode)") && text.contains("127.0.0.1"),
        "{text}"
    );
    assert!(took >= TIMEOUT && took < TIMEOUT * 2, "took {took:?}");
    assert!(got.is_empty());
    // The server may still connect: the session is over.
    assert!(client.is_closed());
    let received = server.received();
    assert!(
        received.iter().any(|c| c.starts_with("EPRT |1|127.0.0.1|"))
            && received.iter().any(|c| c.starts_with("PORT 127,0,0,1,")),
        "no EPRT then PORT: {received:?}"
    );
}

fn active_refused<D: Driver>(server: &FaultServer) {
    let mut client = connect_active::<D>(server);
    let started = Instant::now();
    let mut got = Vec::new();
    let err = client.retrieve("f.bin", &mut got).unwrap_err();
    let took = started.elapsed();
    let text = err.to_string();
    assert!(
        text.contains("425 Failed to establish connection."),
        "{text}"
    );
    assert!(took < TIMEOUT, "took {took:?}");
    assert!(got.is_empty());
    // The session goes on.
    assert!(!client.is_closed());
    client.quit().unwrap();
}

fn active_other_host<D: Driver>(server: &FaultServer) {
    let mut client = connect_active::<D>(server);
    let mut got = Vec::new();
    let err = client.retrieve("f.bin", &mut got).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("a connection from 127.0.0.2:") && text.contains("was refused"),
        "{text}"
    );
    assert!(got.is_empty(), "the thief's bytes were taken: {got:?}");
}

fn active_thief<D: Driver>(server: &FaultServer) {
    let mut client = connect_active::<D>(server);
    let mut got = Vec::new();
    client.retrieve("f.bin", &mut got).unwrap();
    assert_eq!(got, scenarios::ACTIVE_CONTENT);
    // An upload the same way, in the same session.
    client.store("up.bin", &mut &b"uploaded"[..]).unwrap();
    client.quit().unwrap();
}

// ------------------------------------------------------------- CLI

/// How a run of `ftp-cli` against a fault must end.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// Exit 0; a download delivers this content.
    Success(&'static [u8]),
    /// Exit 1 with this in the one-line error.
    Failure(&'static str),
}

/// What the run printed on standard error.
fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Exit `code`, with one line on standard error that holds `needle` and
/// no password.
pub fn assert_failed(output: &Output, code: i32, needle: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(needle), "{needle:?} not in {err}");
    assert!(!err.contains(":pw@"), "password shown: {err}");
}

/// A download through `ftp-cli` from `server`, twice: `cp` into an empty
/// directory, then `mv` over an existing file. A failure leaves no file
/// behind, the existing file unchanged, and the remote source undeleted.
fn download(cli: &dyn Fn(&[&str]) -> Output, server: &FaultServer, expect: Expect) {
    let local = tempfile::tempdir().unwrap();
    let existing = local.path().join("f.bin");
    let out = cli(&["cp", &server.url("f.bin"), local.path().to_str().unwrap()]);
    match expect {
        Expect::Success(content) => {
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            assert_eq!(std::fs::read(&existing).unwrap(), content);
            // Over the file just written: replaced by the same content.
            let out = cli(&["cp", &server.url("f.bin"), existing.to_str().unwrap()]);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            assert_eq!(std::fs::read(&existing).unwrap(), content);
            assert_eq!(local_names(local.path()), ["f.bin"]);
        }
        Expect::Failure(needle) => {
            assert_failed(&out, 1, needle);
            assert!(local_names(local.path()).is_empty(), "a file was left");
            std::fs::write(&existing, b"precious").unwrap();
            let out = cli(&["mv", &server.url("f.bin"), existing.to_str().unwrap()]);
            assert_failed(&out, 1, needle);
            assert_eq!(std::fs::read(&existing).unwrap(), b"precious");
            assert_eq!(local_names(local.path()), ["f.bin"]);
            let received = server.received();
            assert!(
                !received.iter().any(|l| l.starts_with("DELE")),
                "mv deleted its source: {received:?}"
            );
        }
    }
}

/// Each of `ops` (on `d/`; `rm` on `f`) through `ftp-cli`.
fn commands(cli: &dyn Fn(&[&str]) -> Output, server: &FaultServer, ops: &[&str], expect: Expect) {
    for op in ops {
        let path = if *op == "rm" { "f" } else { "d/" };
        let out = cli(&[op, &server.url(path)]);
        match expect {
            Expect::Success(_) => {
                assert_eq!(out.status.code(), Some(0), "{op}: {}", stderr(&out));
            }
            Expect::Failure(needle) => assert_failed(&out, 1, needle),
        }
    }
}

/// `--active` against a server that never connects: a download and an
/// upload each fail with one line within the bound, no file changed on
/// either side.
fn active_never_connects_cli(server: &FaultServer, cli: &dyn Fn(&[&str]) -> Output) {
    let local = tempfile::tempdir().unwrap();
    let dir = local.path().to_str().unwrap();
    let out = cli(&["--active", "cp", &server.url("f.bin"), dir]);
    assert_failed(
        &out,
        1,
        "waiting for the server 127.0.0.1 to open the data connection (active mode)",
    );
    assert!(
        local_names(local.path()).is_empty(),
        "{:?}",
        local_names(local.path())
    );
    let src = local.path().join("src.bin");
    std::fs::write(&src, b"local source").unwrap();
    let out = cli(&[
        "--active",
        "mv",
        src.to_str().unwrap(),
        &server.url("up.bin"),
    ]);
    assert_failed(&out, 1, "(active mode)");
    assert_eq!(std::fs::read(&src).unwrap(), b"local source");
    assert_eq!(local_names(local.path()), ["src.bin"]);
}

/// A `mv` upload the server refuses after the data: it fails with the
/// reply, keeps its source, and cleans up the partial upload.
fn upload_refused_cli(
    cli: &dyn Fn(&[&str]) -> Output,
    server: &FaultServer,
    target: UploadTarget,
    reply: &str,
) {
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("up.bin");
    std::fs::write(&src, vec![3u8; 300_000]).unwrap();
    let out = cli(&["mv", src.to_str().unwrap(), &server.url("up.bin")]);
    assert_failed(&out, 1, reply);
    assert_eq!(
        std::fs::read(&src).unwrap().len(),
        300_000,
        "mv kept its source"
    );
    let received = server.received();
    let case = format!("{target:?} {reply}");
    check_failed_upload_commands(target, &received, &case);
    assert!(
        received.iter().any(|l| l.starts_with("DELE")),
        "{case}: the partial upload is cleaned up: {received:?}"
    );
}

/// A `mv` upload broken half way: it fails with `needle`, keeps its
/// source and never touches the target.
fn upload_broken_cli(
    cli: &dyn Fn(&[&str]) -> Output,
    server: &FaultServer,
    target: UploadTarget,
    needle: &str,
) {
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("up.bin");
    std::fs::write(&src, vec![3u8; 4 << 20]).unwrap();
    let out = cli(&["mv", src.to_str().unwrap(), &server.url("up.bin")]);
    assert_failed(&out, 1, needle);
    assert_eq!(
        std::fs::read(&src).unwrap().len(),
        4 << 20,
        "{target:?}: mv kept its source"
    );
    check_failed_upload_commands(target, &server.received(), &format!("{target:?}"));
}

/// What a failed `mv` upload must have sent: a replacement goes to a
/// temporary name that is never renamed over the target and is cleaned up;
/// a new file goes straight to its name, and the partial file is deleted.
fn check_failed_upload_commands(target: UploadTarget, received: &[String], case: &str) {
    let upload_name = match target {
        UploadTarget::Existing => "up.bin.",
        UploadTarget::New => "up.bin",
    };
    let stored = format!(
        "STOR {}{upload_name}",
        if target == UploadTarget::Existing {
            "."
        } else {
            ""
        }
    );
    let deleted = format!(
        "DELE {}{upload_name}",
        if target == UploadTarget::Existing {
            "."
        } else {
            ""
        }
    );
    assert!(
        received.iter().any(|l| l.starts_with("SIZE up.bin")),
        "{case}: {received:?}"
    );
    assert!(
        received.iter().any(|l| l.starts_with(&stored)),
        "{case}: {received:?}"
    );
    // At most the check of the target that it may be replaced (RNFR, then
    // RNTO onto the same name); never a rename of the upload.
    assert!(
        !received
            .iter()
            .any(|l| l.starts_with("RNFR .")
                || (l.starts_with("RNTO") && l.as_str() != "RNTO up.bin")),
        "{case}: {received:?}"
    );
    if target == UploadTarget::New {
        assert!(
            !received.iter().any(|l| l.starts_with("STOR .up.bin")),
            "{case}: {received:?}"
        );
    }
    // Where the control connection still works, the partial upload is
    // deleted (a dropped connection leaves nothing to send it on).
    if received.iter().any(|l| l.starts_with("DELE")) {
        assert!(
            received.iter().any(|l| l.starts_with(&deleted)),
            "{case}: {received:?}"
        );
    }
}
