//! File digests: `Client::hash` through both drivers, `ftp-cli hash`, and
//! verified copies (`FileDownload::verify`, `FileUpload::verify`, `cp
//! --verify`, `cp -r --verify`, `mv --verify`) both ways. Where the server computes digests (proFTPD with
//! mod_digest) every algorithm is checked against one computed here;
//! elsewhere the typed error and the fallback to sizes are.

use std::fs;
use std::process::Command;

use ftp_client::engine::{Cancel, FileDownload, FileUpload, Hasher, Verified};
use ftp_client::{Digest, Error, HashAlgorithm};

use crate::ctx::{Ctx, absent, has_content, no_temporary_files, pattern};
use crate::driver::{ConnectCtx, Driver};
use crate::harness::{Case, Group, Need, Outcome};
use crate::target::Family;

/// Not a round number, more than one buffer.
const LEN: usize = 300_007;

pub fn group<D: Driver + 'static>() -> Group {
    Group {
        name: if D::SUFFIX.is_empty() {
            "hash"
        } else {
            "hash-tokio"
        },
        families: &[Family::V4],
        cases: vec![
            Case::new("every_algorithm", every_algorithm::<D>).needs(Need::ServerHash),
            Case::new("refused_for_a_missing_file", missing_file::<D>).needs(Need::ServerHash),
            Case::new("no_hash_is_a_typed_error", no_hash::<D>).needs(Need::NoServerHash),
        ],
    }
}

pub fn verify_group() -> Group {
    Group {
        name: "verify",
        families: &[Family::V4],
        cases: vec![
            Case::new("cli_hash_lines_pass_sha256sum_c", cli_hash_lines).needs(Need::ServerHash),
            Case::new("cli_hash_without_server_hash", cli_hash_without).needs(Need::NoServerHash),
            Case::new("engine_download_and_upload", engine_both_ways),
            Case::new("engine_falls_back_to_size_only", engine_size_only).needs(Need::NoServerHash),
            Case::new("cli_cp_verify_both_ways", cli_cp_verify),
            Case::new("cli_cp_r_verify_both_ways", cli_cp_r_verify),
            Case::new("cli_mv_verify_file_and_tree", cli_mv_verify),
        ],
    }
}

/// The digest of `bytes` computed here.
fn local_digest(algorithm: HashAlgorithm, bytes: &[u8]) -> Digest {
    let mut hasher = Hasher::new(algorithm);
    hasher.update(bytes);
    hasher.finish()
}

fn every_algorithm<D: Driver>(c: &Ctx) -> Outcome {
    let content = pattern(LEN, 23);
    c.put("f.bin", &content);
    c.put("a b.txt", b"abc");
    c.put("empty", b"");
    let mut ftp = D::connect_ctx(c)?;
    let offered = ftp.hash_algorithms()?;
    ensure!(
        offered == HashAlgorithm::ALL,
        "the server offers {offered:?}"
    );
    // Twice round: each algorithm selected (OPTS HASH) after another.
    for _ in 0..2 {
        for algorithm in HashAlgorithm::ALL {
            let digest = ftp.hash(c.path("f.bin"), algorithm)?;
            let expected = local_digest(algorithm, &content);
            ensure!(
                digest.matches(&expected) && digest.covers(LEN as u64),
                "{algorithm}: the server's {digest} {:?}, here {expected}",
                digest.range()
            );
        }
    }
    // A name with a space goes through HASH, which takes it whole.
    let digest = ftp.hash(c.path("a b.txt"), HashAlgorithm::Sha256)?;
    ensure!(
        digest.to_string() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "a b.txt: {digest}"
    );
    let digest = ftp.hash(c.path("empty"), HashAlgorithm::Md5)?;
    ensure!(
        digest.matches(&local_digest(HashAlgorithm::Md5, b"")) && digest.covers(0),
        "empty: {digest} {:?}",
        digest.range()
    );
    ftp.quit()?;
    Ok(())
}

fn missing_file<D: Driver>(c: &Ctx) -> Outcome {
    let mut ftp = D::connect_ctx(c)?;
    match ftp.hash(c.path("missing.bin"), HashAlgorithm::Sha256) {
        Err(Error::Refused { command, reply }) => ensure!(
            command.contains("missing.bin") && reply.code().get() >= 500,
            "{command}: {reply}"
        ),
        other => return Err(format!("not refused: {other:?}").into()),
    }
    // The session goes on.
    ftp.noop()?;
    ftp.quit()?;
    Ok(())
}

fn no_hash<D: Driver>(c: &Ctx) -> Outcome {
    c.put("f.bin", b"data");
    let mut ftp = D::connect_ctx(c)?;
    let offered = ftp.hash_algorithms()?;
    ensure!(offered.is_empty(), "the server offers {offered:?}");
    for algorithm in HashAlgorithm::ALL {
        match ftp.hash(c.path("f.bin"), algorithm) {
            Err(Error::NoHash {
                algorithm: named, ..
            }) if named == algorithm => {}
            other => return Err(format!("{algorithm}: not NoHash: {other:?}").into()),
        }
    }
    ftp.noop()?;
    ftp.quit()?;
    Ok(())
}

/// The coreutils tool that checks `algorithm`'s lines.
fn checker(algorithm: &str) -> Option<&'static str> {
    match algorithm {
        "sha256" => Some("sha256sum"),
        "sha512" => Some("sha512sum"),
        "sha1" => Some("sha1sum"),
        "md5" => Some("md5sum"),
        _ => None,
    }
}

fn cli_hash_lines(c: &Ctx) -> Outcome {
    let content = pattern(LEN, 29);
    c.put("f.bin", &content);
    c.put("g h.txt", b"abc");
    // The local copies `sha256sum -c` checks.
    c.write_local("f.bin", &content);
    c.write_local("g h.txt", b"abc");
    let (f, g) = (c.url("f.bin"), c.url("g%20h.txt"));
    for (algo, algorithm) in [
        ("sha256", HashAlgorithm::Sha256),
        ("sha512", HashAlgorithm::Sha512),
        ("sha1", HashAlgorithm::Sha1),
        ("md5", HashAlgorithm::Md5),
        ("crc32", HashAlgorithm::Crc32),
    ] {
        let run = c.cli(&["hash", "--algo", algo, &f, &g])?;
        run.expect_ok()?;
        let (hf, hg) = (
            local_digest(algorithm, &content).to_string(),
            local_digest(algorithm, b"abc").to_string(),
        );
        let expected = match algorithm {
            HashAlgorithm::Crc32 => format!(
                "f.bin {}\ng h.txt {}\n",
                hf.to_uppercase(),
                hg.to_uppercase()
            ),
            _ => format!("{hf}  f.bin\n{hg}  g h.txt\n"),
        };
        ensure!(run.out() == expected, "{algo}: {:?}", run.out());
        let Some(tool) = checker(algo) else { continue };
        let lines = c.write_local(format!("SUMS.{algo}"), &run.stdout);
        let checked = Command::new(tool)
            .arg("-c")
            .arg(&lines)
            .current_dir(c.local_dir())
            .output()?;
        ensure!(
            checked.status.success(),
            "{tool} -c: {}{}",
            String::from_utf8_lossy(&checked.stdout),
            String::from_utf8_lossy(&checked.stderr)
        );
    }
    // A missing file fails alone: the others are printed, exit 1.
    let run = c.cli(&["hash", &c.url("missing.bin"), &f])?;
    run.expect_code(1)?;
    ensure!(
        run.out() == format!("{}  f.bin\n", local_digest(HashAlgorithm::Sha256, &content)),
        "{:?}",
        run.out()
    );
    ensure!(run.err().contains("missing.bin"), "{}", run.err());
    // A directory is a usage error, before any connection.
    c.cli(&["hash", &c.url("")])?.expect_code(2)?;
    Ok(())
}

fn cli_hash_without(c: &Ctx) -> Outcome {
    c.put("f.bin", b"data");
    let run = c.cli(&["hash", &c.url("f.bin")])?;
    run.expect_code(1)?;
    ensure!(run.out().is_empty(), "{:?}", run.out());
    let line = run.error_line().unwrap_or_default();
    ensure!(
        line.contains("f.bin") && line.contains("has no SHA-256 hash"),
        "{line}"
    );
    Ok(())
}

/// The verification a transfer of `content` must report on `c`'s target.
fn expect_verified(c: &Ctx, verified: Option<&Verified>, content: &[u8]) -> Outcome {
    match verified {
        Some(Verified::Digest(digest)) if c.target.profile.hash => {
            let expected = local_digest(HashAlgorithm::Sha256, content);
            ensure!(digest.matches(&expected), "{digest} vs {expected}");
        }
        Some(Verified::SizeOnly(size)) if !c.target.profile.hash => {
            ensure!(*size == content.len() as u64, "size only: {size}");
        }
        other => return Err(format!("verified: {other:?}").into()),
    }
    Ok(())
}

fn engine_both_ways(c: &Ctx) -> Outcome {
    let content = pattern(LEN, 31);
    c.put("src.bin", &content);
    let dst = c.local("dst.bin");
    let mut ftp = c.connect()?;
    let done = FileDownload::new(c.path("src.bin"), &dst)
        .verify(true)
        .run(&mut ftp, &(), &Cancel::new())?;
    expect_verified(c, done.verified.as_ref(), &content)?;
    has_content(&dst, &content)?;
    // Up: to a new name, then over the file (temporary name and rename).
    let local = c.write_local("up.bin", &content);
    for _ in 0..2 {
        let done = FileUpload::new(&local, c.path("up.bin")).verify(true).run(
            &mut ftp,
            &(),
            &Cancel::new(),
        )?;
        expect_verified(c, done.verified.as_ref(), &content)?;
    }
    has_content(&c.on_server("up.bin"), &content)?;
    // Not verified unless asked.
    let done = FileDownload::new(c.path("src.bin"), &dst).run(&mut ftp, &(), &Cancel::new())?;
    ensure!(done.verified.is_none(), "{:?}", done.verified);
    no_temporary_files(&[c.local_dir(), &c.on_server("")])?;
    ftp.quit()?;
    Ok(())
}

fn engine_size_only(c: &Ctx) -> Outcome {
    c.put("src.bin", b"twelve bytes");
    let dst = c.local("dst.bin");
    let mut ftp = c.connect()?;
    let done = FileDownload::new(c.path("src.bin"), &dst)
        .verify(true)
        .run(&mut ftp, &(), &Cancel::new())?;
    ensure!(
        done.verified == Some(Verified::SizeOnly(12)),
        "{:?}",
        done.verified
    );
    ensure!(
        done.verified
            .as_ref()
            .is_some_and(|v| v.to_string().contains("size only")),
        "{:?}",
        done.verified
    );
    let local = c.write_local("up.bin", b"twelve bytes");
    let done = FileUpload::new(&local, c.path("up.bin")).verify(true).run(
        &mut ftp,
        &(),
        &Cancel::new(),
    )?;
    ensure!(
        done.verified == Some(Verified::SizeOnly(12)),
        "{:?}",
        done.verified
    );
    ftp.quit()?;
    Ok(())
}

fn cli_cp_verify(c: &Ctx) -> Outcome {
    let content = pattern(LEN, 37);
    c.put("src.bin", &content);
    let dst = c.local("dst.bin");
    let dst_text = dst.display().to_string();
    let said = |run: &crate::ctx::Run| -> Outcome {
        let err = run.err();
        let expected = if c.target.profile.hash {
            format!(
                "verified: SHA-256 {}",
                local_digest(HashAlgorithm::Sha256, &content)
            )
        } else {
            "verified: size only".to_owned()
        };
        ensure!(err.contains(&expected), "no {expected:?} in {err}");
        Ok(())
    };
    let run = c.cli(&["cp", "--verify", &c.url("src.bin"), &dst_text])?;
    run.expect_ok()?;
    said(&run)?;
    has_content(&dst, &content)?;
    // Up, new then replacing.
    for _ in 0..2 {
        let run = c.cli(&["cp", "--verify", &dst_text, &c.url("up.bin")])?;
        run.expect_ok()?;
        said(&run)?;
    }
    has_content(&c.on_server("up.bin"), &content)?;
    // Standard output cannot be verified: a usage error, nothing fetched.
    let out = c.cli(&["cp", "--verify", &c.url("src.bin"), "-"])?;
    out.expect_code(2)?;
    ensure!(
        out.stdout.is_empty(),
        "{} bytes on stdout",
        out.stdout.len()
    );
    // With -C: a usage error.
    c.cli(&["cp", "--verify", "-C", &c.url("src.bin"), &dst_text])?
        .expect_code(2)?;
    no_temporary_files(&[c.local_dir(), &c.on_server("")])?;
    fs::remove_file(&dst)?;
    absent(&dst)
}

/// The tree `cp -r --verify` and `mv -r --verify` copy: three files, one
/// empty, one in a subdirectory, one more than a buffer.
const TREE: [(&str, usize, u32); 3] = [("a.txt", 6, 41), ("empty", 0, 42), ("sub/b.bin", LEN, 43)];

/// `tree` under `dir` on the server.
fn put_tree(c: &Ctx, dir: &str) {
    for (name, len, seed) in TREE {
        c.put(format!("{dir}/{name}"), &pattern(len, seed));
    }
}

/// The tree's files, each with its content, under `dir`.
fn same_tree(dir: &std::path::Path) -> Outcome {
    for (name, len, seed) in TREE {
        has_content(&dir.join(name), &pattern(len, seed))?;
    }
    Ok(())
}

/// A tree copy's summary: every file verified, by digest where the server
/// has HASH, "size only" where not.
fn tree_verified(c: &Ctx, run: &crate::ctx::Run) -> Outcome {
    run.expect_ok()?;
    let err = run.err();
    let n = TREE.len();
    ensure!(err.contains(&format!("{n} files")), "{err}");
    ensure!(err.contains(&format!(", {n} verified")), "{err}");
    let size_only = format!("({n} size only)");
    if c.target.profile.hash {
        ensure!(!err.contains("size only"), "{err}");
    } else {
        ensure!(err.contains(&size_only), "no {size_only:?} in {err}");
    }
    Ok(())
}

/// `cp -r --verify` both ways: each file checked as it streams, the
/// summary saying how; up twice (new, then replacing each file).
fn cli_cp_r_verify(c: &Ctx) -> Outcome {
    put_tree(c, "top");
    let dst = c.local("mirror");
    let dst_text = dst.display().to_string();
    let down = c.cli(&["cp", "-r", "--verify", &c.url("top"), &dst_text])?;
    tree_verified(c, &down)?;
    same_tree(&dst)?;
    for _ in 0..2 {
        let up = c.cli(&["cp", "-r", "--verify", &dst_text, &c.url("back")])?;
        tree_verified(c, &up)?;
    }
    same_tree(&c.on_server("back"))?;
    no_temporary_files(&[c.local_dir(), &c.on_server("")])
}

/// `mv --verify` of a file and of a tree (`-r`), both ways: the copy
/// checked, then the source gone.
fn cli_mv_verify(c: &Ctx) -> Outcome {
    let content = pattern(LEN, 47);
    c.put("m.bin", &content);
    let local = c.local("m.bin");
    let local_text = local.display().to_string();
    let down = c.cli(&["mv", "--verify", &c.url("m.bin"), &local_text])?;
    down.expect_ok()?;
    let expected = if c.target.profile.hash {
        "verified: SHA-256"
    } else {
        "verified: size only"
    };
    ensure!(
        down.err().contains(expected),
        "no {expected:?} in {}",
        down.err()
    );
    has_content(&local, &content)?;
    absent(&c.on_server("m.bin"))?;
    let up = c.cli(&["mv", "--verify", &local_text, &c.url("m2.bin")])?;
    up.expect_ok()?;
    ensure!(
        up.err().contains(expected),
        "no {expected:?} in {}",
        up.err()
    );
    has_content(&c.on_server("m2.bin"), &content)?;
    absent(&local)?;
    put_tree(c, "top");
    let dst = c.local("moved");
    let dst_text = dst.display().to_string();
    let down = c.cli(&["mv", "-r", "--verify", &c.url("top"), &dst_text])?;
    tree_verified(c, &down)?;
    same_tree(&dst)?;
    absent(&c.on_server("top"))?;
    let up = c.cli(&["mv", "-r", "--verify", &dst_text, &c.url("back")])?;
    tree_verified(c, &up)?;
    same_tree(&c.on_server("back"))?;
    absent(&dst)?;
    no_temporary_files(&[c.local_dir(), &c.on_server("")])
}
