//! Test PKI minted at run time: certificate authorities, server certificates (ECDSA P-256, rcgen) with a chosen
//! validity window and names, and client signing keys for `private_key_jwt` (ES256, RS256).
//!
//! Everything here is for tests and development: keys live in memory, nothing is password-protected, and the CA is
//! trusted by nobody unless a test hands its certificate to a client.
//!
//! ```
//! use qod_sim::pki::{TestCa, Validity};
//! let ca = TestCa::new("test CA").unwrap();
//! let good = ca.issue(&["localhost", "127.0.0.1"], Validity::current()).unwrap();
//! let expired = ca.issue(&["localhost"], Validity::expired()).unwrap();
//! let wrong_host = ca.issue(&["example.com"], Validity::current()).unwrap();
//! assert!(good.cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
//! # let _ = (expired, wrong_host);
//! ```
use crate::tls::TlsIdentity;
use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SerialNumber,
};
use std::fmt;
use std::time::{Duration, SystemTime};

/// The names of the simulator's generated server certificate: `localhost` as a DNS name (the only kind of name
/// embedded-tls matches; a device dialling `10.0.2.2` or `127.0.0.1` uses `localhost` as its server name), and
/// `127.0.0.1` and `10.0.2.2` (QEMU user networking's host address) as IP addresses for rustls clients.
pub const SIM_NAMES: &[&str] = &["localhost", "127.0.0.1", "10.0.2.2"];

/// A PKI failure (key generation, certificate encoding, a key that cannot be read). Never contains key material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkiError(pub String);

impl fmt::Display for PkiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PkiError {}

fn err(what: &str) -> impl Fn(rcgen::Error) -> PkiError + '_ {
    move |e| PkiError(format!("{what}: {e}"))
}

const DAY: Duration = Duration::from_secs(86_400);

/// A certificate's validity window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// Not valid before this time.
    pub not_before: SystemTime,
    /// Not valid after this time.
    pub not_after: SystemTime,
}

impl Validity {
    /// From one day ago until a year from now.
    pub fn current() -> Self {
        let now = SystemTime::now();
        Self {
            not_before: now - DAY,
            not_after: now + 365 * DAY,
        }
    }

    /// From 30 days ago until yesterday: an expired certificate.
    pub fn expired() -> Self {
        let now = SystemTime::now();
        Self {
            not_before: now - 30 * DAY,
            not_after: now - DAY,
        }
    }

    /// From tomorrow for 30 days: a certificate that is not valid yet.
    pub fn not_yet_valid() -> Self {
        let now = SystemTime::now();
        Self {
            not_before: now + DAY,
            not_after: now + 30 * DAY,
        }
    }

    fn apply(&self, p: &mut CertificateParams) {
        p.not_before = self.not_before.into();
        p.not_after = self.not_after.into();
    }
}

fn serial() -> SerialNumber {
    // Positive 16-byte serial numbers (RFC 5280 allows up to 20 octets).
    let mut b = *uuid::Uuid::new_v4().as_bytes();
    b[0] &= 0x7f;
    SerialNumber::from_slice(&b)
}

/// A certificate authority that issues [`TestCert`]s.
pub struct TestCa {
    params: CertificateParams,
    key: KeyPair,
    cert_pem: String,
    cert_der: Vec<u8>,
}

impl fmt::Debug for TestCa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestCa")
            .field("key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl TestCa {
    /// A new CA (ECDSA P-256) named `common_name`, valid from one day ago for ten years.
    ///
    /// # Errors
    /// When key generation or encoding fails.
    pub fn new(common_name: &str) -> Result<Self, PkiError> {
        let now = SystemTime::now();
        Self::with_validity(
            common_name,
            Validity {
                not_before: now - DAY,
                not_after: now + 3650 * DAY,
            },
        )
    }

    /// A new CA valid during `validity`.
    ///
    /// # Errors
    /// When key generation or encoding fails.
    pub fn with_validity(common_name: &str, validity: Validity) -> Result<Self, PkiError> {
        let key = KeyPair::generate().map_err(err("CA key"))?;
        let mut params = CertificateParams::default();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, common_name);
        dn.push(DnType::OrganizationName, "qod-sim test PKI");
        params.distinguished_name = dn;
        params.serial_number = Some(serial());
        validity.apply(&mut params);
        let cert = params.self_signed(&key).map_err(err("CA certificate"))?;
        Ok(Self {
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
            params,
            key,
        })
    }

    /// The CA certificate, PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The CA certificate, DER.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// A server certificate (new ECDSA P-256 key) for `names`, signed by this CA. Each name that parses as an IP
    /// address becomes an IP-address SAN, every other one a DNS-name SAN; the first name is also the subject's
    /// common name. The certificate allows TLS server authentication.
    ///
    /// # Errors
    /// When `names` is empty or holds a name that is not a valid DNS name, or when encoding fails.
    pub fn issue(&self, names: &[&str], validity: Validity) -> Result<TestCert, PkiError> {
        let Some(first) = names.first() else {
            return Err(PkiError("a server certificate needs at least one name".into()));
        };
        let key = KeyPair::generate().map_err(err("server key"))?;
        let mut params = CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
            .map_err(err("server certificate names"))?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, *first);
        params.distinguished_name = dn;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        params.serial_number = Some(serial());
        validity.apply(&mut params);
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params.signed_by(&key, &issuer).map_err(err("server certificate"))?;
        Ok(TestCert {
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
            key_pem: key.serialize_pem(),
            key_der: key.serialize_der(),
            ca_pem: self.cert_pem.clone(),
        })
    }
}

/// A certificate and its private key (PKCS#8), as PEM and DER. `Debug` redacts the key.
#[derive(Clone)]
pub struct TestCert {
    cert_pem: String,
    cert_der: Vec<u8>,
    key_pem: String,
    key_der: Vec<u8>,
    ca_pem: String,
}

impl fmt::Debug for TestCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestCert")
            .field("cert_der_len", &self.cert_der.len())
            .field("key", &"<redacted>")
            .finish()
    }
}

impl TestCert {
    /// The certificate, PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The certificate, DER.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// The private key, PKCS#8 PEM.
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// The private key, PKCS#8 DER.
    pub fn key_der(&self) -> &[u8] {
        &self.key_der
    }

    /// The issuing CA's certificate, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// A server identity that sends only this certificate (what a device that pins the CA wants: the smallest
    /// handshake).
    pub fn identity(&self) -> TlsIdentity {
        TlsIdentity::new(self.cert_pem.clone(), self.key_pem.clone())
    }

    /// A server identity that sends this certificate followed by its CA's.
    pub fn identity_with_ca(&self) -> TlsIdentity {
        TlsIdentity::new(format!("{}{}", self.cert_pem, self.ca_pem), self.key_pem.clone())
    }
}

/// A CA and a server certificate for [`SIM_NAMES`] plus `extra_names`, both valid now: what `qod sim --tls` makes
/// at start.
///
/// # Errors
/// As [`TestCa::issue`].
pub fn sim_certificate(extra_names: &[String]) -> Result<(TestCa, TestCert), PkiError> {
    let ca = TestCa::new("qod-sim test CA")?;
    let mut names: Vec<&str> = SIM_NAMES.to_vec();
    for n in extra_names {
        if !names.contains(&n.as_str()) {
            names.push(n);
        }
    }
    let cert = ca.issue(&names, Validity::current())?;
    Ok((ca, cert))
}

/// The JWS algorithm of a client key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtAlg {
    /// ECDSA P-256 with SHA-256.
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
}

impl JwtAlg {
    /// The JOSE name (`ES256`, `RS256`).
    pub fn as_str(self) -> &'static str {
        match self {
            JwtAlg::Es256 => "ES256",
            JwtAlg::Rs256 => "RS256",
        }
    }
}

enum Signer {
    Ec(ring::signature::EcdsaKeyPair),
    Rsa(ring::signature::RsaKeyPair),
}

/// A client's signing key for `private_key_jwt` (ES256 or RS256), for tests: signs client assertions the simulator
/// accepts once [`public_key_pem`](Self::public_key_pem) is registered. `Debug` redacts the key.
pub struct TestKey {
    signer: Signer,
    private_pem: String,
    public_pem: String,
}

impl fmt::Debug for TestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestKey")
            .field("alg", &self.alg())
            .field("key", &"<redacted>")
            .finish()
    }
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl TestKey {
    /// A new ECDSA P-256 key (ES256).
    ///
    /// # Errors
    /// When key generation fails.
    pub fn generate_es256() -> Result<Self, PkiError> {
        let key = KeyPair::generate().map_err(err("client key"))?;
        Self::from_pkcs8_pem(&key.serialize_pem())
    }

    /// A key from a PKCS#8 PEM private key: ECDSA P-256 (ES256) or RSA 2048–8192 bits (RS256).
    ///
    /// # Errors
    /// When the PEM holds no such key.
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, PkiError> {
        let bad = || PkiError("not a PKCS#8 ECDSA P-256 or RSA private key".into());
        let parsed = KeyPair::from_pem(pem).map_err(|_| bad())?;
        let der = parsed.serialize_der();
        let rng = ring::rand::SystemRandom::new();
        let signer = if let Ok(k) =
            ring::signature::EcdsaKeyPair::from_pkcs8(&ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING, &der, &rng)
        {
            Signer::Ec(k)
        } else if let Ok(k) = ring::signature::RsaKeyPair::from_pkcs8(&der) {
            Signer::Rsa(k)
        } else {
            return Err(bad());
        };
        Ok(Self {
            signer,
            private_pem: parsed.serialize_pem(),
            public_pem: parsed.public_key_pem(),
        })
    }

    /// The algorithm the key signs with.
    pub fn alg(&self) -> JwtAlg {
        match self.signer {
            Signer::Ec(_) => JwtAlg::Es256,
            Signer::Rsa(_) => JwtAlg::Rs256,
        }
    }

    /// The public key (SubjectPublicKeyInfo PEM), what the simulator registers (`--client-key ID:FILE`).
    pub fn public_key_pem(&self) -> &str {
        &self.public_pem
    }

    /// The private key, PKCS#8 PEM.
    pub fn private_key_pem(&self) -> &str {
        &self.private_pem
    }

    /// A compact JWS of `claims` with the header `{"alg":…,"typ":"JWT"}`.
    ///
    /// # Errors
    /// When signing fails.
    pub fn sign_jwt(&self, claims: &serde_json::Value) -> Result<String, PkiError> {
        let header = serde_json::json!({ "alg": self.alg().as_str(), "typ": "JWT" });
        self.sign_parts(&header.to_string(), &claims.to_string())
    }

    /// A compact JWS of the given header and claims JSON texts, exactly as given (for tests of malformed tokens).
    ///
    /// # Errors
    /// When signing fails.
    pub fn sign_parts(&self, header_json: &str, claims_json: &str) -> Result<String, PkiError> {
        let input = format!("{}.{}", b64url(header_json.as_bytes()), b64url(claims_json.as_bytes()));
        let rng = ring::rand::SystemRandom::new();
        let sig = match &self.signer {
            Signer::Ec(k) => k
                .sign(&rng, input.as_bytes())
                .map_err(|_| PkiError("signing failed".into()))?
                .as_ref()
                .to_vec(),
            Signer::Rsa(k) => {
                let mut sig = vec![0; k.public().modulus_len()];
                k.sign(&ring::signature::RSA_PKCS1_SHA256, &rng, input.as_bytes(), &mut sig)
                    .map_err(|_| PkiError("signing failed".into()))?;
                sig
            }
        };
        Ok(format!("{input}.{}", b64url(&sig)))
    }

    /// An RFC 7523 client assertion: `iss` = `sub` = `client_id`, `aud` = `audience` (the token endpoint URL),
    /// `iat` = now, `exp` = now + `lifetime`, a random `jti`.
    ///
    /// # Errors
    /// When signing fails.
    pub fn client_assertion(&self, client_id: &str, audience: &str, lifetime: Duration) -> Result<String, PkiError> {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.sign_jwt(&serde_json::json!({
            "iss": client_id,
            "sub": client_id,
            "aud": audience,
            "iat": now,
            "exp": now + lifetime.as_secs(),
            "jti": uuid::Uuid::new_v4().to_string(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_ca_issues_certificates_for_names_and_windows() {
        let ca = TestCa::new("t").unwrap();
        let c = ca.issue(&["localhost", "127.0.0.1"], Validity::current()).unwrap();
        assert!(c.cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(c.key_pem().starts_with("-----BEGIN PRIVATE KEY-----"));
        assert_eq!(c.ca_pem(), ca.cert_pem());
        assert!(!format!("{c:?}").contains("PRIVATE"));
        assert!(ca.issue(&[], Validity::current()).is_err());
        // Leaf-only identity is one certificate; with the CA, two.
        assert_eq!(c.identity().cert_chain_pem.matches("BEGIN CERTIFICATE").count(), 1);
        assert_eq!(
            c.identity_with_ca().cert_chain_pem.matches("BEGIN CERTIFICATE").count(),
            2
        );
    }

    #[test]
    fn test_es256_key_signs() {
        let k = TestKey::generate_es256().unwrap();
        assert_eq!(k.alg(), JwtAlg::Es256);
        assert!(k.public_key_pem().starts_with("-----BEGIN PUBLIC KEY-----"));
        let jwt = k
            .client_assertion("c", "https://x/oauth/token", Duration::from_secs(60))
            .unwrap();
        assert_eq!(jwt.split('.').count(), 3);
        assert!(!format!("{k:?}").contains("PRIVATE"));
        assert!(TestKey::from_pkcs8_pem("nope").is_err());
    }
}
