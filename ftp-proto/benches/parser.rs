//! Throughput of the reply parser, the passive-mode decoders and the
//! listing parsers (Unix, MLSD and DOS lines; the goal is at least 100 MB/s).
//!
//! `cargo bench -p ftp-proto` reports bytes/s for each; the `lines`
//! arguments show that the cost per byte stays flat as a reply grows from a
//! hundred to a hundred thousand lines (linear work, no rescanning).

use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use ftp_proto::{Limits, ReplyParser, decode, listing};

fn main() {
    divan::main();
}

/// A multi-line reply of `lines` lines, like a long banner or STAT output.
fn multi_line(lines: usize) -> Vec<u8> {
    let mut reply = b"211-Status of the server follows:\r\n".to_vec();
    for i in 0..lines {
        reply.extend_from_slice(
            format!(" -rw-r--r--   1 ftp ftp  {i:>10} Nov 22 10:00 file-{i:06}.dat\r\n").as_bytes(),
        );
    }
    reply.extend_from_slice(b"211 End of status\r\n");
    reply
}

fn parse_all(parser: &mut ReplyParser, mut data: &[u8]) -> usize {
    let mut replies = 0;
    while !data.is_empty() {
        match parser.feed(data) {
            Ok(progress) => {
                data = &data[progress.consumed..];
                replies += usize::from(progress.reply.is_some());
            }
            Err(_) => break,
        }
    }
    replies
}

#[divan::bench(args = [100, 1_000, 10_000, 100_000])]
fn multi_line_reply(bencher: Bencher, lines: usize) {
    let input = multi_line(lines);
    let limits = Limits {
        max_line_len: 1024,
        max_reply_len: 64 << 20,
    };
    bencher
        .counter(BytesCount::of_slice(&input))
        .bench_local(|| parse_all(&mut ReplyParser::new(limits), black_box(&input)));
}

#[divan::bench]
fn single_line_replies(bencher: Bencher) {
    let input: Vec<u8> = (0..10_000)
        .flat_map(|i| format!("226 Transfer complete, {i} bytes sent\r\n").into_bytes())
        .collect();
    bencher
        .counter(BytesCount::of_slice(&input))
        .bench_local(|| parse_all(&mut ReplyParser::default(), black_box(&input)));
}

#[divan::bench]
fn pure_ftpd_banner_byte_by_byte(bencher: Bencher) {
    let input = b"220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------\r\n\
220-You are user number 1 of 50 allowed.\r\n\
220-Local time is now 10:00. Server port: 21.\r\n\
220-This is a private system - No anonymous login\r\n\
220-IPv6 connections are also welcome on this server.\r\n\
220 You will be disconnected after 15 minutes of inactivity.\r\n";
    bencher
        .counter(BytesCount::of_slice(input))
        .bench_local(|| {
            let mut parser = ReplyParser::default();
            let mut replies = 0;
            for byte in black_box(input).chunks(1) {
                replies += parse_all(&mut parser, byte);
            }
            replies
        });
}

#[divan::bench]
fn pasv(bencher: Bencher) {
    let text = b"227 Entering Passive Mode (127,0,0,1,117,48).\r\n";
    let reply = ReplyParser::default()
        .feed(text)
        .ok()
        .and_then(|p| p.reply)
        .expect("valid 227");
    bencher
        .counter(BytesCount::of_slice(text))
        .bench_local(|| decode::pasv(black_box(&reply)));
}

#[divan::bench]
fn epsv(bencher: Bencher) {
    let text = b"229 Entering Extended Passive Mode (|||30001|)\r\n";
    let reply = ReplyParser::default()
        .feed(text)
        .ok()
        .and_then(|p| p.reply)
        .expect("valid 229");
    bencher
        .counter(BytesCount::of_slice(text))
        .bench_local(|| decode::epsv(black_box(&reply)));
}

/// A `LIST` listing of `lines` Unix lines, as vsftpd prints them.
fn unix_listing(lines: usize) -> Vec<u8> {
    let mut data = Vec::new();
    for i in 0..lines {
        let line = if i % 3 == 0 {
            format!(
                "drwxr-xr-x    2 1000     1000         4096 Nov {:>2} 09:30 dir {i}\r\n",
                i % 28 + 1
            )
        } else {
            format!(
                "-rw-r--r--    1 ftp      ftp      {:>10} Jan {:02}  2024 file-{i:06}.dat\r\n",
                i * 37,
                i % 28 + 1
            )
        };
        data.extend_from_slice(line.as_bytes());
    }
    data
}

/// An MLSD listing of `lines` lines, as proFTPD prints them.
fn mlsd_listing(lines: usize) -> Vec<u8> {
    let mut data = Vec::new();
    for i in 0..lines {
        data.extend_from_slice(
            format!(
                "modify=20261114093012;perm=adfrw;size={};type=file;unique=FD00U{i:X};UNIX.group=1001;UNIX.mode=0644;UNIX.owner=1001; file-{i:06}.dat\r\n",
                i * 37
            )
            .as_bytes(),
        );
    }
    data
}

/// A DOS listing of `lines` lines, as IIS prints them.
fn dos_listing(lines: usize) -> Vec<u8> {
    let mut data = Vec::new();
    for i in 0..lines {
        data.extend_from_slice(
            format!(
                "12-13-21  09:22AM             {:>8} file-{i:06}.dat\r\n",
                i * 37
            )
            .as_bytes(),
        );
    }
    data
}

fn now() -> decode::Timestamp {
    decode::Timestamp::new(2026, 11, 30, 10, 0, 0).expect("a valid date")
}

fn parse_listing(format: listing::Format, data: &[u8]) -> usize {
    listing::parse(format, data, now())
        .map(|entry| entry.name.len())
        .sum()
}

#[divan::bench]
fn listing_unix(bencher: Bencher) {
    let input = unix_listing(10_000);
    bencher
        .counter(BytesCount::of_slice(&input))
        .bench_local(|| parse_listing(listing::Format::List, black_box(&input)));
}

#[divan::bench]
fn listing_mlsd(bencher: Bencher) {
    let input = mlsd_listing(10_000);
    bencher
        .counter(BytesCount::of_slice(&input))
        .bench_local(|| parse_listing(listing::Format::Mlsd, black_box(&input)));
}

#[divan::bench]
fn listing_dos(bencher: Bencher) {
    let input = dos_listing(10_000);
    bencher
        .counter(BytesCount::of_slice(&input))
        .bench_local(|| parse_listing(listing::Format::List, black_box(&input)));
}
