//! A parameterised group: file sizes at the edges of the buffers the client
//! and servers use, each a round trip through the library and through
//! `ftp-cli`. One row per size; each row becomes two cases.
//!
//! A table of names × operations is built the same way: rows of
//! `(label, name bytes)`, one case per row and operation; the name reaches
//! the server's disk as `c.put(OsStr::from_bytes(name), ..)`, the library
//! as `c.path_bytes(name)`, and the CLI inside `c.url(&encode(name))`.

use crate::ctx::{Ctx, has_content, pattern};
use crate::harness::{Case, Group, Outcome};
use crate::target::Family;

/// (label, size in bytes): the label names the cases.
const SIZES: &[(&str, usize)] = &[
    ("1_byte", 1),
    ("4095_bytes", 4095),
    ("4096_bytes", 4096),
    ("65537_bytes", 65537),
    ("1_mib_plus_1", (1 << 20) + 1),
];

pub fn group() -> Group {
    let cases = SIZES
        .iter()
        .flat_map(|&(label, len)| {
            [
                Case::new(format!("library_{label}"), move |c| {
                    library_round_trip(c, len)
                }),
                Case::new(format!("cli_{label}"), move |c| cli_round_trip(c, len)),
            ]
        })
        .collect();
    Group {
        name: "sizes",
        families: &[Family::V4],
        cases,
    }
}

fn library_round_trip(c: &Ctx, len: usize) -> Outcome {
    let content = pattern(len, len as u32);
    let mut ftp = c.connect()?;
    let sent = ftp.store(c.path("up.bin"), &mut &content[..])?;
    ensure!(sent == len as u64, "sent {sent} of {len}");
    has_content(&c.on_server("up.bin"), &content)?;
    let mut back = Vec::new();
    let received = ftp.retrieve(c.path("up.bin"), &mut back)?;
    ensure!(
        received == len as u64 && back == content,
        "received {received} of {len}, or different bytes"
    );
    ftp.quit()?;
    Ok(())
}

fn cli_round_trip(c: &Ctx, len: usize) -> Outcome {
    let content = pattern(len, len as u32 + 1);
    let src = c.write_local("up.bin", &content);
    let src = src.to_str().ok_or("a UTF-8 scratch path")?;
    c.cli(&["cp", src, &c.url("up.bin")])?.expect_ok()?;
    has_content(&c.on_server("up.bin"), &content)?;
    let dst = c.local("down.bin");
    c.cli(&[
        "cp",
        &c.url("up.bin"),
        dst.to_str().ok_or("a UTF-8 scratch path")?,
    ])?
    .expect_ok()?;
    has_content(&dst, &content)
}
