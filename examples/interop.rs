//! The library against a real FTP server: every `Client` operation, checked.
//!
//! ```text
//! cargo run --example interop -- ftp://user:password@127.0.0.1:2121/
//! ```
//!
//! Connects with [`Client::connect_url`], works in a fresh directory
//! `lib-<pid>` under the login directory, and prints one line per check,
//! `ok - <check>` or `FAIL - <check>: <why>`. Exits with 1 if any check
//! failed (or the first connection could not be made), 0 otherwise; the
//! password never appears in the output. Used by
//! `tests/interop/run.sh` against vsftpd, proftpd, pure-ftpd and pyftpdlib.

use std::fmt::Display;
use std::io::{Read, Seek, SeekFrom, Write};
use std::net::SocketAddr;

use ftp_client::{Client, Config, Error, FtpUrl};

type BoxError = Box<dyn std::error::Error>;

fn main() {
    match run() {
        Ok(0) => {}
        Ok(failed) => {
            eprintln!("interop: {failed} check(s) failed");
            std::process::exit(1);
        }
        Err(error) => {
            eprintln!("interop: {error}");
            std::process::exit(1);
        }
    }
}

/// Prints one line per check and counts the failures.
#[derive(Default)]
struct Checks {
    failed: usize,
}

impl Checks {
    /// Records `name` as passed if `outcome` is `Ok`, failed with the
    /// error's message otherwise; returns the value on success.
    fn check<T>(&mut self, name: &str, outcome: Result<T, String>) -> Option<T> {
        match outcome {
            Ok(value) => {
                println!("ok - {name}");
                Some(value)
            }
            Err(why) => {
                println!("FAIL - {name}: {}", why.replace('\n', " | "));
                self.failed += 1;
                None
            }
        }
    }
}

/// A library error as a check's failure text.
fn text(error: impl Display) -> String {
    error.to_string()
}

/// `Ok` if `cond`, else the given failure text.
fn ensure(cond: bool, why: impl FnOnce() -> String) -> Result<(), String> {
    if cond { Ok(()) } else { Err(why()) }
}

/// The error must be a 5xx refusal; `Ok` with its code.
fn expect_refused_5xx<T: std::fmt::Debug>(outcome: Result<T, Error>) -> Result<u16, String> {
    match outcome {
        Err(error @ Error::Refused { .. }) => {
            let code = error.code().unwrap_or(0);
            ensure((500..600).contains(&code), || {
                format!("expected a 5xx refusal, got: {error}")
            })?;
            Ok(code)
        }
        Err(other) => Err(format!("expected Error::Refused, got: {other} ({other:?})")),
        Ok(value) => Err(format!("expected a refusal, but it succeeded: {value:?}")),
    }
}

/// Content with every byte value, CR and LF included (binary mode must
/// keep it as is).
fn pattern(len: usize, seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect()
}

fn run() -> Result<usize, BoxError> {
    let usage = "usage: interop ftp://user:password@host:port/";
    let mut args = std::env::args().skip(1);
    let (Some(url), None) = (args.next(), args.next()) else {
        return Err(usage.into());
    };
    let url = FtpUrl::parse(&url)?;
    let mut checks = Checks::default();
    let dir = format!("lib-{}", std::process::id());
    let path = |name: &str| format!("{dir}/{name}");

    let mut ftp = Client::connect_url(&url, Config::default())?;
    checks.check("connect_url", Ok(()));
    let peer: SocketAddr = ftp.peer_addr();

    checks.check(
        "pwd",
        ftp.pwd().map_err(text).and_then(|pwd| {
            ensure(pwd.starts_with(b"/"), || {
                format!("PWD {:?} is not absolute", String::from_utf8_lossy(&pwd))
            })
        }),
    );
    checks.check(
        "features",
        ftp.features().map_err(text).and_then(|features| {
            let names: Vec<&str> = features.iter().map(|(name, _)| name).collect();
            ensure(features.supports("SIZE"), || {
                format!("FEAT lists no SIZE: {names:?}")
            })
        }),
    );
    checks.check("noop", ftp.noop().map_err(text));
    checks.check("mkdir", ftp.mkdir(&dir).map_err(text));

    // store from memory
    let mem = pattern(300_000, 1);
    checks.check(
        "store from memory",
        ftp.store(path("mem.bin"), &mut &mem[..])
            .map_err(text)
            .and_then(|sent| {
                ensure(sent == mem.len() as u64, || {
                    format!("sent {sent} of {}", mem.len())
                })
            }),
    );

    // store from a File (sendfile path)
    let disk = pattern(1_234_567, 2);
    let mut local = tempfile::tempfile()?;
    local.write_all(&disk)?;
    local.seek(SeekFrom::Start(0))?;
    checks.check(
        "store from File",
        ftp.store(path("file.bin"), &mut local)
            .map_err(text)
            .and_then(|sent| {
                ensure(sent == disk.len() as u64, || {
                    format!("sent {sent} of {}", disk.len())
                })
            }),
    );

    // store_stream through std::io::Write, then finish()
    let streamed = pattern(70_000, 3);
    checks.check(
        "store_stream + Write + finish",
        ftp.store_stream(path("stream.bin"))
            .map_err(text)
            .and_then(|mut upload| {
                for chunk in streamed.chunks(4096) {
                    upload.write_all(chunk).map_err(text)?;
                }
                upload.finish().map_err(text)
            })
            .and_then(|sent| {
                ensure(sent == streamed.len() as u64, || {
                    format!("finish() says {sent} bytes, wrote {}", streamed.len())
                })
            }),
    );

    // an empty file and a UTF-8 name with a space
    checks.check(
        "store empty file",
        ftp.store(path("empty.bin"), &mut &b""[..])
            .map_err(text)
            .and_then(|sent| ensure(sent == 0, || format!("sent {sent}"))),
    );
    let utf8_name = path("my file ü.txt");
    let utf8_body = "grüße\r\nline two\n".as_bytes();
    checks.check(
        "store UTF-8 name",
        ftp.store(&utf8_name, &mut &utf8_body[..]).map_err(text),
    );

    for (name, want) in [
        ("mem.bin", mem.len()),
        ("file.bin", disk.len()),
        ("stream.bin", streamed.len()),
        ("empty.bin", 0),
    ] {
        checks.check(
            &format!("size {name}"),
            ftp.size(path(name)).map_err(text).and_then(|size| {
                ensure(size == want as u64, || {
                    format!("SIZE {size}, expected {want}")
                })
            }),
        );
    }

    let names = [
        "mem.bin",
        "file.bin",
        "stream.bin",
        "empty.bin",
        "my file ü.txt",
    ];
    checks.check(
        "list",
        ftp.list(&dir).map_err(text).and_then(|lines| {
            let missing: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| !lines.iter().any(|l| l.ends_with(&format!(" {n}"))))
                .collect();
            ensure(missing.is_empty(), || {
                format!("LIST lacks {missing:?}; got {lines:?}")
            })
        }),
    );
    checks.check(
        "nlst",
        ftp.nlst(&dir).map_err(text).and_then(|entries| {
            // Some servers prefix the directory: compare the last component.
            let base = |e: &String| e.rsplit('/').next().unwrap_or(e).to_owned();
            let got: Vec<String> = entries.iter().map(base).collect();
            let missing: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| !got.iter().any(|g| g == n))
                .collect();
            ensure(missing.is_empty(), || {
                format!("NLST lacks {missing:?}; got {entries:?}")
            })
        }),
    );

    for (name, want) in [
        ("mem.bin", &mem[..]),
        ("file.bin", &disk[..]),
        ("stream.bin", &streamed[..]),
        ("empty.bin", &b""[..]),
        ("my file ü.txt", utf8_body),
    ] {
        let mut got = Vec::new();
        checks.check(
            &format!("retrieve {name}"),
            ftp.retrieve(path(name), &mut got)
                .map_err(text)
                .and_then(|n| {
                    ensure(n == want.len() as u64 && got == want, || {
                        format!(
                            "got {n} bytes (buffer {}), expected {} identical bytes",
                            got.len(),
                            want.len()
                        )
                    })
                }),
        );
    }

    checks.check(
        "retrieve_stream + Read + finish",
        ftp.retrieve_stream(path("file.bin"))
            .map_err(text)
            .and_then(|mut download| {
                let mut got = Vec::new();
                // Small reads on purpose: many calls through Read.
                let mut buf = [0u8; 1000];
                loop {
                    let n = download.read(&mut buf).map_err(text)?;
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
                let n = download.finish().map_err(text)?;
                ensure(n == disk.len() as u64 && got == disk, || {
                    format!(
                        "finish() {n}, read {} bytes, expected {}",
                        got.len(),
                        disk.len()
                    )
                })
            }),
    );

    checks.check(
        "rename",
        ftp.rename(path("mem.bin"), path("renamed.bin"))
            .map_err(text)
            .and_then(|()| ftp.size(path("renamed.bin")).map_err(text))
            .and_then(|size| {
                ensure(size == mem.len() as u64, || {
                    format!("renamed file SIZE {size}")
                })
            }),
    );
    checks.check(
        "old name gone after rename (SIZE 5xx)",
        expect_refused_5xx(ftp.size(path("mem.bin"))).map(drop),
    );

    // Errors: a refusal leaves the session usable.
    let mut sink = Vec::new();
    checks.check(
        "retrieve missing file -> Error::Refused 5xx",
        expect_refused_5xx(ftp.retrieve(path("missing.bin"), &mut sink)).and_then(|code| {
            ensure(sink.is_empty(), || {
                format!("{code}, but {} bytes written", sink.len())
            })
        }),
    );
    checks.check("noop after refused RETR", ftp.noop().map_err(text));
    checks.check(
        "retrieve_stream missing file -> Error::Refused 5xx",
        expect_refused_5xx(ftp.retrieve_stream(path("missing.bin")).map(drop)).map(drop),
    );
    checks.check(
        "mkdir existing -> Error::Refused 5xx",
        expect_refused_5xx(ftp.mkdir(&dir)).map(drop),
    );
    checks.check(
        "rmdir non-empty -> Error::Refused 5xx",
        expect_refused_5xx(ftp.rmdir(&dir)).map(drop),
    );
    checks.check(
        "store into missing directory -> Error::Refused 5xx",
        expect_refused_5xx(ftp.store(path("no-such-dir/x.bin"), &mut &b"x"[..])).map(drop),
    );
    checks.check(
        "delete missing -> Error::Refused 5xx",
        expect_refused_5xx(ftp.delete(path("missing.bin"))).map(drop),
    );
    checks.check("noop after refusals", ftp.noop().map_err(text));

    // A Download dropped half read ends promptly. Most servers answer the
    // closed data connection (426 or 226) and the session goes on;
    // pure-ftpd answers with one more 150 and nothing final, so the client
    // gives the session up after a short bound rather than hang. On its
    // own connection so that the other checks do not depend on it.
    let started = std::time::Instant::now();
    let outcome = Client::connect_url(&url, Config::default())
        .map_err(text)
        .and_then(|mut other| {
            match other.retrieve_stream(path("file.bin")) {
                Ok(mut download) => {
                    let mut buf = [0u8; 10];
                    download.read_exact(&mut buf).map_err(text)?;
                    // dropped here, unfinished
                }
                Err(error) => return Err(text(error)),
            }
            let after = other.noop();
            if started.elapsed() > std::time::Duration::from_secs(10) {
                return Err(format!("took {:?}", started.elapsed()));
            }
            match after {
                Ok(()) => other.quit().map_err(text),
                Err(error) if error.to_string().contains("closed") => Ok(()),
                Err(error) => Err(text(error)),
            }
        });
    checks.check("drop unfinished download: ends within 10 s", outcome);

    // PASV only (no EPSV), over IPv4: the client must connect to the
    // control connection's peer, whatever address the 227 reply names
    // (vsftpd here advertises 192.0.2.1).
    if peer.is_ipv4() {
        let pasv = Config {
            use_epsv: false,
            ..Config::default()
        };
        checks.check(
            "PASV-only client retrieve",
            Client::connect_url(&url, pasv)
                .map_err(text)
                .and_then(|mut plain| {
                    let mut got = Vec::new();
                    let n = plain.retrieve(path("file.bin"), &mut got).map_err(text)?;
                    let listed = plain.list(&dir).map_err(text)?;
                    plain.quit().map_err(text)?;
                    ensure(got == disk && !listed.is_empty(), || {
                        format!("got {n} bytes, listing {} lines", listed.len())
                    })
                }),
        );
    }

    // Clean up.
    for name in [
        "renamed.bin",
        "file.bin",
        "stream.bin",
        "empty.bin",
        "my file ü.txt",
    ] {
        checks.check(
            &format!("delete {name}"),
            ftp.delete(path(name)).map_err(text),
        );
    }
    checks.check("rmdir", ftp.rmdir(&dir).map_err(text));
    checks.check(
        "directory gone",
        ftp.nlst("").map_err(text).and_then(|entries| {
            ensure(
                !entries
                    .iter()
                    .any(|e| e.trim_start_matches("./").trim_start_matches('/') == dir),
                || format!("{dir} still listed: {entries:?}"),
            )
        }),
    );
    checks.check("quit", ftp.quit().map_err(text));
    Ok(checks.failed)
}
