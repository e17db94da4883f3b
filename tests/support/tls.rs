//! Certificates for the FTPS tests, made at test time: a test CA, and
//! server certificates it issues (CA:FALSE, with the loopback addresses as
//! IP SANs: rustls refuses a CA certificate used as a server's), plus the
//! bad ones the fault tests need.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The names a good server certificate carries.
pub const LOOPBACK_NAMES: [&str; 3] = ["127.0.0.1", "::1", "localhost"];

/// Which server certificate to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaf {
    /// Issued by the test CA for the loopback names, valid now.
    Good,
    /// Issued by the test CA for `ftp.example.net` only.
    OtherName,
    /// Issued by the test CA for the loopback names, expired in 2020.
    Expired,
    /// Issued for the loopback names by another CA, which nobody trusts.
    UntrustedIssuer,
}

/// A test CA with its PEM file, and the server certificates it made, in a
/// temporary directory.
pub struct TestPki {
    dir: tempfile::TempDir,
    ca_cert: rcgen::Certificate,
    ca_key: KeyPair,
}

/// A server certificate chain and key, as PEM files.
#[derive(Debug, Clone)]
pub struct LeafFiles {
    /// The certificate chain (leaf first).
    pub cert: PathBuf,
    /// The private key.
    pub key: PathBuf,
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

fn ca(name: &str) -> io::Result<(rcgen::Certificate, KeyPair)> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(other)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, name);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = KeyPair::generate().map_err(other)?;
    let cert = params.self_signed(&key).map_err(other)?;
    Ok((cert, key))
}

impl TestPki {
    /// A new CA, its certificate written to [`TestPki::ca_file`].
    ///
    /// # Panics
    /// If the keys or files cannot be made: the tests cannot run without.
    pub fn new() -> TestPki {
        let dir = tempfile::tempdir().expect("create the PKI directory");
        let (ca_cert, ca_key) = ca("ftp-suite test CA").expect("make the test CA");
        std::fs::write(dir.path().join("ca.pem"), ca_cert.pem()).expect("write the CA file");
        TestPki {
            dir,
            ca_cert,
            ca_key,
        }
    }

    /// The CA certificate, PEM: what `--cacert` takes.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// The directory holding the files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Makes a server certificate of `kind` and writes it with its key.
    ///
    /// # Panics
    /// If it cannot be made or written.
    pub fn leaf(&self, kind: Leaf) -> LeafFiles {
        let names: Vec<String> = match kind {
            Leaf::OtherName => vec!["ftp.example.net".to_owned()],
            _ => LOOPBACK_NAMES.iter().map(|n| (*n).to_owned()).collect(),
        };
        let mut params = CertificateParams::new(names).expect("leaf names");
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "ftp-suite test server");
        params.distinguished_name = dn;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        if kind == Leaf::Expired {
            params.not_before = rcgen::date_time_ymd(2019, 1, 1);
            params.not_after = rcgen::date_time_ymd(2020, 1, 1);
        }
        let key = KeyPair::generate().expect("leaf key");
        let cert = match kind {
            Leaf::UntrustedIssuer => {
                let (other_ca, other_key) = ca("nobody's CA").expect("make another CA");
                params.signed_by(&key, &other_ca, &other_key)
            }
            _ => params.signed_by(&key, &self.ca_cert, &self.ca_key),
        }
        .expect("sign the leaf");
        let stem = format!("{kind:?}").to_lowercase();
        let files = LeafFiles {
            cert: self.dir.path().join(format!("{stem}.pem")),
            key: self.dir.path().join(format!("{stem}.key")),
        };
        std::fs::write(&files.cert, cert.pem()).expect("write the leaf");
        std::fs::write(&files.key, key.serialize_pem()).expect("write the key");
        files
    }

    /// A rustls server configuration for `leaf`, TLS 1.2 only or 1.2 and
    /// 1.3, with session resumption (IDs and tickets).
    ///
    /// # Panics
    /// If the files do not load.
    pub fn server_config(&self, leaf: &LeafFiles, tls13: bool) -> Arc<rustls::ServerConfig> {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&leaf.cert)
            .expect("open the leaf")
            .collect::<Result<_, _>>()
            .expect("read the leaf");
        let key = PrivateKeyDer::from_pem_file(&leaf.key).expect("read the key");
        let versions: &[&rustls::SupportedProtocolVersion] = if tls13 {
            &[&rustls::version::TLS13, &rustls::version::TLS12]
        } else {
            &[&rustls::version::TLS12]
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .expect("the leaf and its key");
        config.session_storage = rustls::server::ServerSessionMemoryCache::new(256);
        Arc::new(config)
    }
}

impl Default for TestPki {
    fn default() -> Self {
        TestPki::new()
    }
}
