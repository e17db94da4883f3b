//! Every type in `ftp-client`'s public signatures can be named through
//! `ftp_client` alone: this file imports nothing else (std aside). Matches
//! are exhaustive, so a new error variant holding a new type fails to
//! compile here until that type is exported and named.

use std::net::SocketAddr;
use std::time::Duration;

use ftp_client::{
    ANONYMOUS_PASSWORD, ANONYMOUS_USER, Arg, Bytes, Client, Command, Config, DecodeError, Digest,
    Download, EntryType, Error, Facts, Failure, Features, FileStructure, FtpUrl, HashAlgorithm,
    InvalidArgument, Limits, ProtectionLevel, RESERVED_VERBS, Reply, ReplyClass, ReplyCode,
    ReplyError, Result, Timestamp, TlsMode, TlsVersion, TransferMode, TransferType, Trust, Upload,
    UsageError, Wait, facts_line,
};
use ftp_client::{Connector, HandshakeError, Proxy, ProxyFailure, ProxyKind, Target};
use ftp_client::{
    Entry, Kind, ListingFormat, Modified, NameError, Precision, Walk, WalkEntry, WalkOptions, Zone,
    check_component,
};

/// Names the type of every field of every [`ProxyFailure`] variant.
fn proxy_failure_parts(failure: &ProxyFailure) -> usize {
    match failure {
        ProxyFailure::Unreachable(e) | ProxyFailure::Io(e) => {
            let _: &std::io::Error = e;
            1
        }
        ProxyFailure::Handshake(e) => {
            let _: &HandshakeError = e;
            2
        }
        ProxyFailure::Timeout(after) => {
            let _: &Duration = after;
            3
        }
        ProxyFailure::ActiveOverHttp => 4,
        ProxyFailure::Stranger { got, expected } => {
            let _: (&SocketAddr, &std::net::IpAddr) = (got, expected);
            5
        }
    }
}

/// Names the type of every field of every [`Error`] variant.
fn error_parts(error: &Error) -> usize {
    match error {
        Error::Refused { command, reply } | Error::TlsRefused { command, reply } => {
            let _: (&String, &Reply) = (command, reply);
            1
        }
        Error::Tls { during, source } => {
            let _: (&String, &ftp_client::rustls::Error) = (during, source);
            11
        }
        Error::Truncated { received, expected } => {
            let _: (&u64, &Option<u64>) = (received, expected);
            12
        }
        Error::Timeout { during, after } => {
            let _: (&String, &Duration) = (during, after);
            2
        }
        Error::Closed { reply } => {
            let _: &Option<Reply> = reply;
            3
        }
        Error::Protocol(failure) => {
            let failure: &Failure = failure;
            10 + failure_parts(failure)
        }
        Error::InvalidArgument { what, source } => {
            let _: (&&'static str, &InvalidArgument) = (what, source);
            match *source {
                InvalidArgument::ForbiddenByte { byte, position } => {
                    let _: (u8, usize) = (byte, position);
                }
                InvalidArgument::Empty => {}
            }
            4
        }
        Error::Proxy {
            during,
            proxy,
            failure,
        } => {
            let _: (&String, &String) = (during, proxy);
            40 + proxy_failure_parts(failure)
        }
        Error::InvalidProxy { url, reason } => {
            let _: (&String, &String) = (url, reason);
            41
        }
        Error::InvalidUrl(text) => {
            let _: &String = text;
            5
        }
        Error::Resolve { host, source } => {
            let _: (&Option<String>, &std::io::Error) = (host, source);
            6
        }
        Error::Io { during, source } => {
            let _: (&String, &std::io::Error) = (during, source);
            7
        }
        Error::Internal(text) => {
            let _: &String = text;
            8
        }
        Error::Unsupported { feature } => {
            let _: &&'static str = feature;
            30
        }
        Error::NoHash { algorithm, reason } => {
            let _: (&HashAlgorithm, &&'static str) = (algorithm, reason);
            33
        }
        Error::UnsafeName { dir, name, reason } => {
            let _: (&String, &Vec<u8>, &NameError) = (dir, name, reason);
            31
        }
        Error::WalkLimit { path, what } => {
            let _: (&String, &String) = (path, what);
            32
        }
        Error::Usage(usage) => match *usage {
            UsageError::Busy
            | UsageError::Closed
            | UsageError::NoTransfer
            | UsageError::DataNotProtected
            | UsageError::NotRestartable
            | UsageError::AwayFromHome => 9,
            UsageError::UnexpectedEvent(what) | UsageError::ReservedVerb(what) => {
                let _: &'static str = what;
                9
            }
        },
    }
}

/// Names the type of every field of every [`Failure`] variant.
fn failure_parts(failure: &Failure) -> usize {
    match failure {
        Failure::Refused { command, reply }
        | Failure::Unexpected { command, reply }
        | Failure::TlsRefused { command, reply } => {
            let _: (&Command, &Reply) = (command, reply);
            command_parts(command)
        }
        Failure::Greeting(reply) | Failure::AccountRequired(reply) | Failure::NeedsTls12(reply) => {
            let _: &Reply = reply;
            1
        }
        Failure::Malformed(error) => match error {
            ReplyError::Malformed { line } => line.len(),
            ReplyError::LineTooLong { limit } | ReplyError::ReplyTooLong { limit } => *limit,
        },
        Failure::Decode { command, error } => {
            let _: &DecodeError = error;
            command_parts(command)
        }
        Failure::Closed(reply) => {
            let _: &Option<Reply> = reply;
            2
        }
        Failure::Unsupported { feature } => {
            let _: &&'static str = feature;
            feature.len()
        }
        Failure::NoHash { algorithm, reason } => {
            let _: (&HashAlgorithm, &&'static str) = (algorithm, reason);
            algorithm.digest_len() + reason.len()
        }
        Failure::TimedOut { waiting, after } => {
            let _: &Duration = after;
            usize::from(matches!(waiting, Wait::Reply | Wait::DataConnection))
        }
        Failure::DataConnectFailed | Failure::SecureControlFailed | Failure::ClearTextAfterAuth => {
            0
        }
    }
}

/// Names the type of every argument a [`Command`] can hold.
fn command_parts(command: &Command) -> usize {
    match command {
        Command::Type(t) => usize::from(matches!(t, TransferType::Ascii | TransferType::Binary)),
        Command::Mode(m) => usize::from(matches!(
            m,
            TransferMode::Stream | TransferMode::Block | TransferMode::Compressed
        )),
        Command::Stru(s) => usize::from(matches!(
            s,
            FileStructure::File | FileStructure::Record | FileStructure::Page
        )),
        Command::Prot(p) => usize::from(matches!(
            p,
            ProtectionLevel::Clear | ProtectionLevel::Private
        )),
        Command::Port(addr) => usize::from(addr.port()),
        Command::Eprt(addr) => {
            let _: &SocketAddr = addr;
            1
        }
        Command::List(a) | Command::Nlst(a) | Command::Mlsd(a) | Command::Mlst(a) => {
            let _: &Option<Arg> = a;
            1
        }
        Command::Retr(a) | Command::Site(a) | Command::Raw(a) => a.as_bytes().len(),
        other => other.verb().len(),
    }
}

#[test]
fn every_type_in_the_public_api_is_exported() {
    // Values of the exported types, built from ftp_client's names alone.
    let reply = Reply::new(
        ReplyCode::FILE_UNAVAILABLE,
        vec![Bytes::from("No such file")],
    );
    let class: ReplyClass = reply.class();
    assert_eq!(class, ReplyClass::PermanentNegative);
    let arg: Arg = Arg::new("a.txt").unwrap();
    let error = Error::Protocol(Box::new(Failure::Refused {
        command: Command::Retr(arg),
        reply: reply.clone(),
    }));
    assert_eq!(error.reply_code(), Some(ReplyCode::FILE_UNAVAILABLE));
    assert_eq!(error_parts(&error), 10 + 5);
    assert_eq!(
        error_parts(&Error::Usage(UsageError::ReservedVerb(RESERVED_VERBS[0]))),
        9
    );

    let config = Config::default();
    let limits: Limits = config.limits;
    let transfer_type: TransferType = config.transfer_type;
    assert!(limits.max_line_len > 0 && transfer_type == TransferType::Binary);
    let tls: TlsMode = config.tls;
    let max: TlsVersion = config.tls_max_version;
    let name: Option<String> = config.tls_server_name.clone();
    assert_eq!((tls, max, name), (TlsMode::Plain, TlsVersion::Tls13, None));
    match config.tls_trust {
        Trust::SystemRoots | Trust::AcceptAnyCertificate => {}
        Trust::CaFile(path) => {
            let _: std::path::PathBuf = path;
        }
        Trust::Custom(custom) => {
            let _: std::sync::Arc<ftp_client::rustls::ClientConfig> = custom;
        }
    }

    let proxy: Option<Proxy> = config.proxy.clone();
    let connector: Option<std::sync::Arc<dyn Connector>> = config.connector.clone();
    assert!(proxy.is_none() && connector.is_none());
    let proxy = Proxy::parse("socks5h://u:p@127.0.0.1:1080").unwrap();
    let kind: ProxyKind = proxy.kind();
    assert_eq!(kind, ProxyKind::Socks5h);
    let target = Target::Name {
        host: "ftp.example.net".to_owned(),
        port: 21,
    };
    assert_eq!(target.to_string(), "ftp.example.net:21");
    let refused = Error::Proxy {
        during: "connecting".to_owned(),
        proxy: proxy.to_string(),
        failure: ProxyFailure::Handshake(HandshakeError::Socks { code: 2 }),
    };
    assert_eq!(error_parts(&refused), 42);

    let facts: Facts = facts_line(b"type=file;modify=20260101000000; f").unwrap();
    let kind: Option<EntryType> = facts.entry_type.clone();
    let modify: Option<Timestamp> = facts.modify;
    assert_eq!(kind, Some(EntryType::File));
    assert!(modify.and_then(|t| t.to_system_time()).is_some());
    let bad: DecodeError = facts_line(b"nonsense").unwrap_err();
    assert!(!bad.to_string().is_empty());

    let url: FtpUrl = FtpUrl::parse("ftp://example.net/x").unwrap();
    assert_eq!(
        (url.user(), url.password()),
        (ANONYMOUS_USER, ANONYMOUS_PASSWORD)
    );

    // A client and its streams can move to another thread.
    fn assert_send<T: Send>() {}
    assert_send::<Client>();
    assert_send::<Download<'static>>();
    assert_send::<Upload<'static>>();
    assert_send::<Error>();

    // The types of Client's methods, named without calling them.
    let _connect: fn(SocketAddr, Config) -> Result<Client> = Client::connect;
    let _ = |c: &mut Client| -> Result<Features> { c.features() };
    let _ = |c: &mut Client| -> Result<Facts> { c.mlst("f") };
    let _ = |c: &mut Client| -> Result<Timestamp> { c.mdtm("f") };
    let _ = |c: &mut Client| -> Result<Reply> { c.site("IDLE 60") };
    let _welcome: fn(&Client) -> &Reply = Client::welcome;
    let _config: fn(&Client) -> &Config = Client::config;
    let _ = |c: &mut Client| -> TransferType { c.transfer_type() };
    let _ = |c: &mut Client| -> Result<Vec<Vec<u8>>> { c.nlst_bytes("") };
    let _ = |c: &mut Client| -> Result<()> { c.retrieve_stream("f").and_then(Download::abort) };
    let _ = |c: &mut Client| -> Result<u64> { c.store_stream("f").and_then(Upload::finish) };

    // Listings as data.
    let entry: Entry = Entry::with_kind("f", Kind::File);
    let _: Option<Modified> = entry.modified;
    let _: Result<&[u8], NameError> = entry.component(false);
    assert_eq!(check_component(b"..", false), Err(NameError::Dots));
    let _: (Precision, Zone) = (Precision::Minute, Zone::ServerLocal);
    let _ = |c: &mut Client| -> Result<Vec<Entry>> { c.entries("") };
    let _ = |c: &mut Client| -> Result<Entry> { c.stat("f") };
    let _ = |c: &mut Client| -> Result<ListingFormat> { c.listing_format() };
    let _ = |c: &mut Client| -> Result<()> { c.set_modified("f", modify.unwrap()) };
    let _ = |c: &mut Client| -> Result<Digest> { c.hash("f", HashAlgorithm::Sha256) };
    let _ = |c: &mut Client| -> Result<Vec<HashAlgorithm>> { c.hash_algorithms() };
    let digest: Digest = Digest::new(HashAlgorithm::Crc32, vec![0, 0, 0, 1]).unwrap();
    assert_eq!(digest.to_hex(), "00000001");
    let _ = |c: &mut Client| -> Option<Result<WalkEntry>> {
        let mut walk: Walk<'_> = c.walk_with("", WalkOptions::default().max_depth(3));
        walk.next()
    };
    assert_eq!(
        error_parts(&Error::UnsafeName {
            dir: "d".into(),
            name: b"..".to_vec(),
            reason: NameError::Dots
        }),
        31
    );
}

/// The async client's walks: the same names, options and item types as
/// the blocking ones.
#[cfg(feature = "tokio")]
#[allow(dead_code)]
async fn async_walks(c: &mut ftp_client::tokio::Client) -> Result<()> {
    use ftp_client::{WalkDir, tokio};
    let mut walk: tokio::Walk<'_> = c.walk_with("", WalkOptions::default().max_depth(3));
    let _: Option<Result<WalkEntry>> = walk.next().await;
    let _: tokio::Walk<'_> = c.walk("");
    let mut dirs: tokio::DirWalk<'_> = c.walk_dirs("", WalkOptions::default());
    let listing: Option<Result<WalkDir>> = dirs.next().await;
    dirs.retry();
    let _: &mut tokio::Client = dirs.client();
    if let Some(Ok(listing)) = listing {
        for found in listing.items.iter().flatten() {
            dirs.descend(found);
            dirs.follow(found)?;
        }
    }
    Ok(())
}
