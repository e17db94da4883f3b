//! Commands the client sends, with arguments that cannot carry a line break
//! and cannot be missing.
//!
//! FTP is a line protocol: a CR or LF inside a path would end the command
//! early and let the rest of the path run as a second command (the CRLF
//! injection several clients shipped). Here an [`Arg`] holding CR, LF or NUL
//! cannot be constructed, so no [`Command`] can carry one.
//!
//! Nor can an [`Arg`] be empty: `SIZE `, `RETR ` or `DELE ` with nothing
//! after the space is a command without its argument, which servers answer
//! in their own ways (some take it as the working directory, some as a file
//! named by the rest of their state), so a path that went missing on the
//! way — the login directory's empty path, say — must never reach the
//! wire as one. A command whose argument is optional takes
//! `Option<Arg>` (`LIST`, `MLST`…). The one argument that may be empty,
//! the password, has its own type, [`Password`].

use std::fmt;
use std::net::{SocketAddr, SocketAddrV4};

use bytes::Bytes;

/// Why a byte string cannot be a command argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidArgument {
    /// It holds a byte that would end or cut the command line.
    #[error("argument contains {} at byte {position}", byte_name(*.byte))]
    ForbiddenByte {
        /// The offending byte: `\r`, `\n` or `\0`.
        byte: u8,
        /// Its index in the argument.
        position: usize,
    },
    /// It is empty, where the command needs an argument (every [`Arg`]).
    #[error("argument is empty (the command needs one)")]
    Empty,
}

/// Refuses CR, LF and NUL anywhere in `bytes`.
fn check_bytes(bytes: &[u8]) -> Result<(), InvalidArgument> {
    match memchr::memchr3(b'\r', b'\n', b'\0', bytes) {
        Some(position) => Err(InvalidArgument::ForbiddenByte {
            byte: bytes[position],
            position,
        }),
        None => Ok(()),
    }
}

fn byte_name(byte: u8) -> &'static str {
    match byte {
        b'\r' => "a carriage return (CR)",
        b'\n' => "a line feed (LF)",
        _ => "a NUL byte",
    }
}

/// A command argument: one or more bytes, none of them CR, LF or NUL.
///
/// Paths are bytes, not `str`, so a name that is not UTF-8 on the server
/// round-trips unchanged. An empty argument is refused: every command that
/// takes an `Arg` needs one (see [`InvalidArgument::Empty`]).
///
/// ```
/// use ftp_proto::{Arg, InvalidArgument};
/// assert!(Arg::new("reports/2026 Q1.csv").is_ok());
/// assert!(Arg::new("a.txt\r\nDELE b.txt").is_err());
/// assert_eq!(Arg::new(""), Err(InvalidArgument::Empty));
/// assert_eq!(Arg::new(&b"caf\xe9"[..]).unwrap().as_bytes(), b"caf\xe9");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Arg(Bytes);

impl Arg {
    /// Validates `bytes` as an argument: not empty, no CR, LF or NUL.
    pub fn new(bytes: impl Into<Bytes>) -> Result<Self, InvalidArgument> {
        let bytes = bytes.into();
        check_bytes(&bytes)?;
        if bytes.is_empty() {
            return Err(InvalidArgument::Empty);
        }
        Ok(Arg(bytes))
    }

    /// An argument the crate itself writes (`TLS` of `AUTH TLS`); the
    /// text must hold no CR, LF or NUL.
    pub(crate) const fn from_static(text: &'static str) -> Arg {
        Arg(Bytes::from_static(text.as_bytes()))
    }

    /// The argument's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// `word arg`, e.g. `XSHA256 path` or `HASH SHA-256`: a word the crate
    /// writes (no CR, LF or NUL), a space, then a valid argument, which
    /// makes a valid argument again.
    pub(crate) fn prefixed(word: &'static str, arg: &Arg) -> Arg {
        let mut line = Vec::with_capacity(word.len() + 1 + arg.0.len());
        line.extend_from_slice(word.as_bytes());
        line.push(b' ');
        line.extend_from_slice(&arg.0);
        Arg(Bytes::from(line))
    }
}

/// The argument of `PASS`: free of CR, LF and NUL like an [`Arg`], but it
/// may be empty, since an empty password is one some accounts have (RFC
/// 959 asks for a string; servers and clients such as curl accept and send
/// `PASS ` for `ftp://user:@host/`). Its `Debug` form is masked.
///
/// ```
/// use ftp_proto::{Arg, Command, Password};
/// assert_eq!(Command::Pass(Password::new("")?).to_string(), "PASS ");
/// assert_eq!(format!("{:?}", Password::new("s3cret")?), "Password(****)");
/// let from_arg: Password = Arg::new("pw")?.into();
/// assert_eq!(from_arg.as_bytes(), b"pw");
/// # Ok::<(), ftp_proto::InvalidArgument>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Password(Bytes);

impl Password {
    /// Validates `bytes` as a password: no CR, LF or NUL; empty allowed.
    pub fn new(bytes: impl Into<Bytes>) -> Result<Self, InvalidArgument> {
        let bytes = bytes.into();
        check_bytes(&bytes)?;
        Ok(Password(bytes))
    }

    /// The password's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Whether the password is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Arg> for Password {
    fn from(arg: Arg) -> Self {
        Password(arg.0)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(****)")
    }
}

impl fmt::Debug for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&String::from_utf8_lossy(&self.0), f)
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}

impl TryFrom<&str> for Arg {
    type Error = InvalidArgument;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Arg::new(Bytes::copy_from_slice(s.as_bytes()))
    }
}

impl TryFrom<String> for Arg {
    type Error = InvalidArgument;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Arg::new(s)
    }
}

impl TryFrom<&[u8]> for Arg {
    type Error = InvalidArgument;
    fn try_from(b: &[u8]) -> Result<Self, Self::Error> {
        Arg::new(Bytes::copy_from_slice(b))
    }
}

impl TryFrom<Vec<u8>> for Arg {
    type Error = InvalidArgument;
    fn try_from(b: Vec<u8>) -> Result<Self, Self::Error> {
        Arg::new(b)
    }
}

/// Representation type (RFC 959 3.1.1), the argument of `TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferType {
    /// `A`: text with CRLF line ends on the wire (RFC 959's default).
    Ascii,
    /// `I`: bytes exactly as stored; what every file transfer wants.
    Binary,
}

/// Transmission mode (RFC 959 3.4), the argument of `MODE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferMode {
    /// `S`: a byte stream ended by closing the connection.
    Stream,
    /// `B`: blocks with headers.
    Block,
    /// `C`: run-length compressed.
    Compressed,
}

/// File structure (RFC 959 3.1.2), the argument of `STRU`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStructure {
    /// `F`: no internal structure.
    File,
    /// `R`: a sequence of records.
    Record,
    /// `P`: independent indexed pages.
    Page,
}

/// Data channel protection level (RFC 4217 9), the argument of `PROT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtectionLevel {
    /// `C`: clear.
    Clear,
    /// `P`: private (TLS).
    Private,
}

/// A command the client sends on the control connection.
///
/// [`Command::encode`] writes it as `VERB arg\r\n`; its `Display` is the same
/// line without CRLF and with the password of `PASS` masked, fit for logs.
///
/// ```
/// use ftp_proto::{Arg, Command, Password};
/// let mut wire = Vec::new();
/// Command::Retr(Arg::new("docs/readme.txt")?).encode(&mut wire);
/// assert_eq!(wire, b"RETR docs/readme.txt\r\n");
/// assert_eq!(Command::Pass(Password::new("s3cret")?).to_string(), "PASS ****");
/// # Ok::<(), ftp_proto::InvalidArgument>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `USER name`
    User(Arg),
    /// `PASS password` (masked when displayed; may be empty)
    Pass(Password),
    /// `ACCT account`
    Acct(Arg),
    /// `TYPE A|I`
    Type(TransferType),
    /// `MODE S|B|C`
    Mode(TransferMode),
    /// `STRU F|R|P`
    Stru(FileStructure),
    /// `PASV`
    Pasv,
    /// `EPSV`
    Epsv,
    /// `PORT h1,h2,h3,h4,p1,p2`
    Port(SocketAddrV4),
    /// `EPRT |1|addr|port|` or `|2|…`
    Eprt(SocketAddr),
    /// `LIST [path]`
    List(Option<Arg>),
    /// `NLST [path]`
    Nlst(Option<Arg>),
    /// `MLSD [path]`
    Mlsd(Option<Arg>),
    /// `MLST [path]`
    Mlst(Option<Arg>),
    /// `RETR path`
    Retr(Arg),
    /// `STOR path`
    Stor(Arg),
    /// `APPE path`
    Appe(Arg),
    /// `REST offset`
    Rest(u64),
    /// `DELE path`
    Dele(Arg),
    /// `MKD path`
    Mkd(Arg),
    /// `RMD path`
    Rmd(Arg),
    /// `RNFR path`
    Rnfr(Arg),
    /// `RNTO path`
    Rnto(Arg),
    /// `CWD path`
    Cwd(Arg),
    /// `CDUP`
    Cdup,
    /// `PWD`
    Pwd,
    /// `SIZE path`
    Size(Arg),
    /// `MDTM path`
    Mdtm(Arg),
    /// `FEAT`
    Feat,
    /// `OPTS option`, e.g. `OPTS UTF8 ON`
    Opts(Arg),
    /// `SYST`
    Syst,
    /// `NOOP`
    Noop,
    /// `SITE command`: a server-specific command, e.g. `SITE CHMOD 644 f`
    Site(Arg),
    /// `ABOR`
    Abor,
    /// `QUIT`
    Quit,
    /// `AUTH mechanism`, e.g. `AUTH TLS`
    Auth(Arg),
    /// `PBSZ size`
    Pbsz(u32),
    /// `PROT C|P`
    Prot(ProtectionLevel),
    /// Any other command line, sent as given (still free of CR, LF and
    /// NUL, and not empty).
    Raw(Arg),
}

impl Command {
    /// The command's verb, such as `"RETR"` (for [`Command::Raw`], its first word).
    pub fn verb(&self) -> &str {
        match self {
            Command::User(_) => "USER",
            Command::Pass(_) => "PASS",
            Command::Acct(_) => "ACCT",
            Command::Type(_) => "TYPE",
            Command::Mode(_) => "MODE",
            Command::Stru(_) => "STRU",
            Command::Pasv => "PASV",
            Command::Epsv => "EPSV",
            Command::Port(_) => "PORT",
            Command::Eprt(_) => "EPRT",
            Command::List(_) => "LIST",
            Command::Nlst(_) => "NLST",
            Command::Mlsd(_) => "MLSD",
            Command::Mlst(_) => "MLST",
            Command::Retr(_) => "RETR",
            Command::Stor(_) => "STOR",
            Command::Appe(_) => "APPE",
            Command::Rest(_) => "REST",
            Command::Dele(_) => "DELE",
            Command::Mkd(_) => "MKD",
            Command::Rmd(_) => "RMD",
            Command::Rnfr(_) => "RNFR",
            Command::Rnto(_) => "RNTO",
            Command::Cwd(_) => "CWD",
            Command::Cdup => "CDUP",
            Command::Pwd => "PWD",
            Command::Size(_) => "SIZE",
            Command::Mdtm(_) => "MDTM",
            Command::Feat => "FEAT",
            Command::Opts(_) => "OPTS",
            Command::Syst => "SYST",
            Command::Noop => "NOOP",
            Command::Site(_) => "SITE",
            Command::Abor => "ABOR",
            Command::Quit => "QUIT",
            Command::Auth(_) => "AUTH",
            Command::Pbsz(_) => "PBSZ",
            Command::Prot(_) => "PROT",
            Command::Raw(line) => {
                let bytes = line.as_bytes();
                let end = memchr::memchr(b' ', bytes).unwrap_or(bytes.len());
                std::str::from_utf8(&bytes[..end]).unwrap_or("?")
            }
        }
    }

    /// Appends the command's wire form, `VERB[ arg]\r\n`, to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        self.write_line(out, false);
        out.extend_from_slice(b"\r\n");
    }

    fn write_line(&self, out: &mut Vec<u8>, mask: bool) {
        use std::io::Write as _;
        if let Command::Raw(line) = self {
            out.extend_from_slice(line.as_bytes());
            return;
        }
        out.extend_from_slice(self.verb().as_bytes());
        // Writing into a Vec cannot fail.
        let _ = match self {
            Command::User(a)
            | Command::Acct(a)
            | Command::Retr(a)
            | Command::Stor(a)
            | Command::Appe(a)
            | Command::Dele(a)
            | Command::Mkd(a)
            | Command::Rmd(a)
            | Command::Rnfr(a)
            | Command::Rnto(a)
            | Command::Cwd(a)
            | Command::Size(a)
            | Command::Mdtm(a)
            | Command::Opts(a)
            | Command::Site(a)
            | Command::Auth(a) => {
                out.push(b' ');
                out.write_all(a.as_bytes())
            }
            Command::Pass(p) if mask && !p.is_empty() => out.write_all(b" ****"),
            Command::Pass(p) => {
                out.push(b' ');
                out.write_all(p.as_bytes())
            }
            Command::List(a) | Command::Nlst(a) | Command::Mlsd(a) | Command::Mlst(a) => match a {
                Some(a) => {
                    out.push(b' ');
                    out.write_all(a.as_bytes())
                }
                None => Ok(()),
            },
            Command::Type(t) => out.write_all(match t {
                TransferType::Ascii => b" A",
                TransferType::Binary => b" I",
            }),
            Command::Mode(m) => out.write_all(match m {
                TransferMode::Stream => b" S",
                TransferMode::Block => b" B",
                TransferMode::Compressed => b" C",
            }),
            Command::Stru(s) => out.write_all(match s {
                FileStructure::File => b" F",
                FileStructure::Record => b" R",
                FileStructure::Page => b" P",
            }),
            Command::Prot(p) => out.write_all(match p {
                ProtectionLevel::Clear => b" C",
                ProtectionLevel::Private => b" P",
            }),
            Command::Port(addr) => {
                let [a, b, c, d] = addr.ip().octets();
                let port = addr.port();
                write!(out, " {a},{b},{c},{d},{},{}", port >> 8, port & 0xff)
            }
            Command::Eprt(addr) => {
                let family = if addr.is_ipv4() { 1 } else { 2 };
                write!(out, " |{family}|{}|{}|", addr.ip(), addr.port())
            }
            Command::Rest(offset) => write!(out, " {offset}"),
            Command::Pbsz(size) => write!(out, " {size}"),
            Command::Pasv
            | Command::Epsv
            | Command::Cdup
            | Command::Pwd
            | Command::Feat
            | Command::Syst
            | Command::Noop
            | Command::Abor
            | Command::Quit
            | Command::Raw(_) => Ok(()),
        };
    }
}

/// The command line without CRLF, with the `PASS` argument masked.
impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut line = Vec::new();
        self.write_line(&mut line, true);
        f.write_str(&String::from_utf8_lossy(&line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(cmd: Command) -> Vec<u8> {
        let mut out = Vec::new();
        cmd.encode(&mut out);
        out
    }

    fn arg(s: &str) -> Arg {
        Arg::new(s.to_owned()).unwrap()
    }

    #[test]
    fn rejects_line_breaks_and_nul_anywhere() {
        for (bad, byte, position) in [
            ("a\rb", b'\r', 1),
            ("\nDELE x", b'\n', 0),
            ("x\0", b'\0', 1),
            ("ok\r\n", b'\r', 2),
        ] {
            let refused = Err(InvalidArgument::ForbiddenByte { byte, position });
            assert_eq!(Arg::try_from(bad), refused, "{bad:?}");
            assert_eq!(Password::new(bad).map(drop), refused.map(drop), "{bad:?}");
        }
        assert_eq!(
            InvalidArgument::ForbiddenByte {
                byte: b'\n',
                position: 3
            }
            .to_string(),
            "argument contains a line feed (LF) at byte 3"
        );
    }

    #[test]
    fn no_command_can_carry_an_empty_argument() {
        assert_eq!(Arg::new(""), Err(InvalidArgument::Empty));
        assert_eq!(Arg::try_from(String::new()), Err(InvalidArgument::Empty));
        assert_eq!(Arg::try_from(&b""[..]), Err(InvalidArgument::Empty));
        assert_eq!(Arg::try_from(Vec::new()), Err(InvalidArgument::Empty));
        assert_eq!(
            InvalidArgument::Empty.to_string(),
            "argument is empty (the command needs one)"
        );
        // A command whose argument is optional goes without one.
        assert_eq!(wire(Command::Mlst(None)), b"MLST\r\n");
        assert_eq!(wire(Command::Nlst(None)), b"NLST\r\n");
        // The password alone may be empty.
        assert_eq!(
            wire(Command::Pass(Password::new("").unwrap())),
            b"PASS \r\n"
        );
    }

    #[test]
    fn encodes_every_form() {
        let cases: Vec<(Command, &[u8])> = vec![
            (Command::User(arg("anonymous")), b"USER anonymous\r\n"),
            (Command::Pass(arg("pw").into()), b"PASS pw\r\n"),
            (Command::Type(TransferType::Binary), b"TYPE I\r\n"),
            (Command::Type(TransferType::Ascii), b"TYPE A\r\n"),
            (Command::Mode(TransferMode::Stream), b"MODE S\r\n"),
            (Command::Stru(FileStructure::File), b"STRU F\r\n"),
            (Command::Epsv, b"EPSV\r\n"),
            (
                Command::Port("192.168.1.2:1027".parse().unwrap()),
                b"PORT 192,168,1,2,4,3\r\n",
            ),
            (
                Command::Eprt("[::1]:6446".parse().unwrap()),
                b"EPRT |2|::1|6446|\r\n",
            ),
            (Command::List(None), b"LIST\r\n"),
            (
                Command::Mlsd(Some(arg("dir with space"))),
                b"MLSD dir with space\r\n",
            ),
            (Command::Rest(1 << 40), b"REST 1099511627776\r\n"),
            (Command::Pbsz(0), b"PBSZ 0\r\n"),
            (Command::Prot(ProtectionLevel::Private), b"PROT P\r\n"),
            (Command::Opts(arg("UTF8 ON")), b"OPTS UTF8 ON\r\n"),
            (Command::Site(arg("CHMOD 644 f")), b"SITE CHMOD 644 f\r\n"),
            (Command::Abor, b"ABOR\r\n"),
            (Command::Mlst(Some(arg("a b"))), b"MLST a b\r\n"),
            (
                Command::Raw(arg("SITE CHMOD 644 f")),
                b"SITE CHMOD 644 f\r\n",
            ),
        ];
        for (cmd, expected) in cases {
            assert_eq!(wire(cmd.clone()), expected, "{cmd:?}");
        }
    }

    #[test]
    fn non_utf8_paths_round_trip() {
        let path = Arg::new(&b"r\xe9sum\xe9.txt"[..]).unwrap();
        assert_eq!(wire(Command::Retr(path)), b"RETR r\xe9sum\xe9.txt\r\n");
    }

    #[test]
    fn display_masks_only_the_password() {
        assert_eq!(
            Command::Pass(arg("hunter2").into()).to_string(),
            "PASS ****"
        );
        assert_eq!(Command::User(arg("bob")).to_string(), "USER bob");
        assert_eq!(Command::Raw(arg("SITE IDLE 60")).verb(), "SITE");
    }
}
