//! HTTPS: [`TlsConfig`] (which certificate, which protocol versions) and the rustls server configuration built from
//! it. rustls runs on the `ring` crypto provider, passed explicitly, so no process-wide default provider is needed.
use crate::pki;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::fmt;
use std::io;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

/// A server certificate chain (leaf first) and its private key, both PEM. `Debug` redacts the key.
#[derive(Clone, PartialEq, Eq)]
pub struct TlsIdentity {
    /// The certificate chain, PEM, leaf first.
    pub cert_chain_pem: String,
    /// The private key (PKCS#8, PKCS#1 or SEC1), PEM.
    pub key_pem: String,
}

impl fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsIdentity")
            .field(
                "certificates",
                &self.cert_chain_pem.matches("-----BEGIN CERTIFICATE-----").count(),
            )
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

impl TlsIdentity {
    /// An identity from PEM texts.
    pub fn new(cert_chain_pem: impl Into<String>, key_pem: impl Into<String>) -> Self {
        Self {
            cert_chain_pem: cert_chain_pem.into(),
            key_pem: key_pem.into(),
        }
    }

    /// Reads the chain and the key from PEM files.
    ///
    /// # Errors
    /// When a file cannot be read (the error names the file, never its content).
    pub fn from_pem_files(cert: &Path, key: &Path) -> io::Result<Self> {
        let read = |p: &Path| {
            std::fs::read_to_string(p).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))
        };
        Ok(Self::new(read(cert)?, read(key)?))
    }
}

/// The TLS protocol versions the server accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsVersions {
    /// TLS 1.2 only (for tests of clients that require 1.3).
    Tls12,
    /// TLS 1.3 only.
    Tls13,
    /// TLS 1.2 and 1.3.
    #[default]
    Both,
}

impl FromStr for TlsVersions {
    type Err = String;

    /// `1.2`, `1.3`, or `1.2,1.3` (either order).
    fn from_str(s: &str) -> Result<Self, String> {
        let (mut v12, mut v13) = (false, false);
        for part in s.split(',') {
            match part.trim() {
                "1.2" => v12 = true,
                "1.3" => v13 = true,
                _ => return Err("expected 1.2, 1.3 or 1.2,1.3".into()),
            }
        }
        Ok(match (v12, v13) {
            (true, true) => Self::Both,
            (true, false) => Self::Tls12,
            _ => Self::Tls13,
        })
    }
}

impl TlsVersions {
    fn rustls(self) -> &'static [&'static rustls::SupportedProtocolVersion] {
        static BOTH: [&rustls::SupportedProtocolVersion; 2] = [&rustls::version::TLS13, &rustls::version::TLS12];
        static V12: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
        static V13: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
        match self {
            Self::Both => &BOTH,
            Self::Tls12 => &V12,
            Self::Tls13 => &V13,
        }
    }
}

/// HTTPS settings ([`Config::tls`](crate::Config::tls)).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsConfig {
    /// The certificate to serve. `None`: at start the simulator makes a CA and a server certificate (ECDSA P-256)
    /// for [`pki::SIM_NAMES`] plus [`extra_names`](Self::extra_names); the CA certificate is then
    /// [`RunningSim::ca_cert_pem`](crate::RunningSim::ca_cert_pem).
    pub identity: Option<TlsIdentity>,
    /// More names (DNS names or IP addresses) for the generated certificate.
    pub extra_names: Vec<String>,
    /// Accepted protocol versions.
    pub versions: TlsVersions,
    /// Largest plaintext fragment of a TLS record the server sends (rustls `max_fragment_size`; `None`: 16 KB).
    /// A device with a small receive buffer needs it: embedded-tls must hold a whole record (fragment + ~17 bytes),
    /// and rustls ignores the client's max-fragment-length extension.
    pub max_fragment_size: Option<usize>,
}

impl TlsConfig {
    /// A generated certificate, TLS 1.2 and 1.3.
    pub fn generated() -> Self {
        Self::default()
    }

    /// Serve `identity`, TLS 1.2 and 1.3.
    pub fn with_identity(identity: TlsIdentity) -> Self {
        Self {
            identity: Some(identity),
            ..Self::default()
        }
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// The rustls configuration and, when the certificate was generated, the CA certificate (PEM).
pub(crate) fn server_config(tls: &TlsConfig) -> io::Result<(Arc<rustls::ServerConfig>, Option<String>)> {
    let (identity, ca_pem) = match &tls.identity {
        Some(id) => (id.clone(), None),
        None => {
            let (ca, cert) = pki::sim_certificate(&tls.extra_names)
                .map_err(|e| invalid(format!("cannot make the TLS certificate: {e}")))?;
            (cert.identity(), Some(ca.cert_pem().to_owned()))
        }
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(identity.cert_chain_pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| invalid(format!("TLS certificate chain: {e}")))?;
    if chain.is_empty() {
        return Err(invalid("TLS certificate chain: no certificate in the PEM".into()));
    }
    // The key's error never quotes the key.
    let key = PrivateKeyDer::from_pem_slice(identity.key_pem.as_bytes())
        .map_err(|_| invalid("TLS private key: no PKCS#8, PKCS#1 or SEC1 private key in the PEM".into()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(tls.versions.rustls())
        .map_err(|e| invalid(format!("TLS versions: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| invalid(format!("TLS certificate and key: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    if let Some(f) = tls.max_fragment_size {
        if !(32..=16_384).contains(&f) {
            return Err(invalid(format!("TLS max fragment size {f} is outside 32..=16384")));
        }
        config.max_fragment_size = Some(f);
    }
    Ok((Arc::new(config), ca_pem))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_versions_parse() {
        assert_eq!("1.2".parse::<TlsVersions>(), Ok(TlsVersions::Tls12));
        assert_eq!("1.3".parse::<TlsVersions>(), Ok(TlsVersions::Tls13));
        assert_eq!("1.2,1.3".parse::<TlsVersions>(), Ok(TlsVersions::Both));
        assert_eq!("1.3, 1.2".parse::<TlsVersions>(), Ok(TlsVersions::Both));
        assert!("1.1".parse::<TlsVersions>().is_err());
        assert!("".parse::<TlsVersions>().is_err());
    }

    #[test]
    fn test_bad_identity_is_an_error_that_never_quotes_the_key() {
        let secretish = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n";
        let cert = pki::TestCa::new("t")
            .unwrap()
            .issue(&["localhost"], pki::Validity::current())
            .unwrap();
        let tls = TlsConfig::with_identity(TlsIdentity::new(cert.cert_pem(), secretish));
        let e = server_config(&tls).unwrap_err().to_string();
        assert!(!e.contains("c2VjcmV0"), "{e}");
        let tls = TlsConfig::with_identity(TlsIdentity::new("", cert.key_pem()));
        assert!(server_config(&tls).is_err());
        assert!(!format!("{:?}", cert.identity()).contains("PRIVATE"));
        assert!(server_config(&TlsConfig::with_identity(cert.identity())).is_ok());
        let (_, ca) = server_config(&TlsConfig::generated()).unwrap();
        assert!(ca.unwrap().starts_with("-----BEGIN CERTIFICATE-----"));
    }
}
