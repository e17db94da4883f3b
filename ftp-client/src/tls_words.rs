//! What a TLS error means, in one line: the words [`Error::Tls`](crate::Error)
//! prints. Apart from [`crate::tls`], which returns those errors, so that
//! the error type does not depend on the module that makes the streams.

use rustls::CertificateError;
use rustls::pki_types::ServerName;

/// What a TLS error means, in one line.
pub(crate) fn explain(error: &rustls::Error) -> String {
    use rustls::Error as E;
    match error {
        E::InvalidCertificate(cert) => match cert {
            CertificateError::UnknownIssuer => {
                "certificate verification failed: unknown issuer (not signed by a trusted root)"
                    .to_owned()
            }
            CertificateError::NotValidForName => {
                "certificate verification failed: name mismatch (the certificate is for another host)"
                    .to_owned()
            }
            CertificateError::NotValidForNameContext { expected, presented } => format!(
                "certificate verification failed: name mismatch (expected {}, the certificate names {})",
                server_name_text(expected),
                if presented.is_empty() { "nothing".to_owned() } else { presented.join(", ") }
            ),
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "certificate verification failed: expired".to_owned()
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "certificate verification failed: not valid yet".to_owned()
            }
            CertificateError::Revoked => "certificate verification failed: revoked".to_owned(),
            other => format!("certificate verification failed: {other:?}"),
        },
        E::InvalidMessage(_) => {
            "the server did not answer in TLS (a clear-text reply where a TLS record was expected?)"
                .to_owned()
        }
        E::AlertReceived(alert) => format!("the server ended TLS with the alert {alert:?}"),
        E::PeerIncompatible(why) => format!("no TLS version or cipher suite in common ({why:?})"),
        other => other.to_string(),
    }
}

fn server_name_text(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(dns) => dns.as_ref().to_owned(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    }
}
