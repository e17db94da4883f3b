//! Whether a server lets a TLS 1.3 session with one-use tickets last.
//!
//! FTPS servers that require session reuse (vsftpd, proFTPD) refuse a data
//! connection that does not resume the control connection's TLS session.
//! Under TLS 1.3 a session is resumed with a ticket the server issued, and
//! a client that follows RFC 8446 appendix C.4 (rustls does, and offers no
//! way to do otherwise) presents each ticket once. Such a client keeps
//! going only while the server issues a new ticket on each data connection
//! it resumes.
//!
//! proFTPD 1.3.8 (mod_tls 2.9.2) does not: it deliberately issues no ticket
//! on the data connection of an upload (`STOR`, `APPE`, `STOU`; its issue
//! 959), so the two tickets of the control handshake last two uploads, and
//! the third data connection, with no ticket left, is refused with `425`.
//! OpenSSL and GnuTLS clients present one ticket again and again and never
//! notice. Under TLS 1.2 a session is resumed by its ID or ticket as often
//! as needed, so the session offers TLS 1.2 at most to such a server.
//!
//! The greeting is the only word a server says before the TLS handshake,
//! so that is what names it. A proFTPD whose greeting hides its name
//! (`ServerIdent off`) is not recognised: the third upload's data
//! connection is refused, and `tls_max_version`/`--tls-max 1.2` is the
//! remedy.

use crate::reply::Reply;

/// Why a session offers TLS 1.2 at most: said in the driver's log.
pub const REASON: &str = "proFTPD issues no TLS 1.3 session ticket on upload data connections, \
     and each ticket resumes one connection: TLS 1.2 sessions resume without limit";

/// Whether the server that sent `greeting` issues no TLS 1.3 session
/// ticket on upload data connections (proFTPD).
pub(crate) fn runs_out_of_tickets(greeting: &Reply) -> bool {
    greeting
        .lines()
        .next()
        .is_some_and(|line| memchr::memmem::find(line, b"ProFTPD").is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ReplyCode;
    use bytes::Bytes;

    fn greeting(text: &'static str) -> Reply {
        Reply::new(
            ReplyCode::SERVICE_READY,
            vec![Bytes::from_static(text.as_bytes())],
        )
    }

    #[test]
    fn proftpd_greetings_are_recognised() {
        assert!(runs_out_of_tickets(&greeting(
            "ProFTPD Server (ProFTPD interop) [127.0.0.1]"
        )));
        assert!(runs_out_of_tickets(&greeting(
            "ProFTPD 1.3.8 Server (Debian) [::ffff:10.0.0.1]"
        )));
    }

    #[test]
    fn other_greetings_are_not() {
        for text in [
            "(vsFTPd 3.0.3)",
            "---------- Welcome to Pure-FTPd [privsep] [TLS] ----------",
            "pyftpdlib 2.2.0 ready.",
            "proftpd-like but lower case",
            "",
        ] {
            assert!(!runs_out_of_tickets(&greeting(text)), "{text:?}");
        }
    }
}
