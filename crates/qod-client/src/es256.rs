//! ES256 signing of OAuth2 `private_key_jwt` client assertions (feature `es256`) with the RustCrypto `p256` crate:
//! no alloc, deterministic signatures (RFC 6979), the key never printed.
use crate::auth::AssertionSigner;
use core::fmt;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use rand_core::CryptoRngCore;

/// A P-256 private key that signs client assertions, and the RNG that makes their `jti`s.
pub struct Es256Signer<R> {
    key: SigningKey,
    rng: R,
}

/// The key could not be read (wrong curve, not a key, malformed encoding). Says nothing about the key's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct KeyError;

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a P-256 (ES256) private key")
    }
}

impl core::error::Error for KeyError {}

impl<R: CryptoRngCore> Es256Signer<R> {
    /// From the 32-byte private scalar (big-endian), e.g. kept in the device's protected flash.
    ///
    /// # Errors
    /// [`KeyError`] for zero or a value not below the curve order.
    pub fn from_bytes(secret: &[u8; 32], rng: R) -> Result<Self, KeyError> {
        let key = SigningKey::from_bytes(secret.into()).map_err(|_| KeyError)?;
        Ok(Es256Signer { key, rng })
    }

    /// From a PKCS#8 DER private key (`openssl pkcs8 -topk8 -nocrypt -outform der`).
    ///
    /// # Errors
    /// [`KeyError`].
    pub fn from_pkcs8_der(der: &[u8], rng: R) -> Result<Self, KeyError> {
        use p256::pkcs8::DecodePrivateKey;
        let key = SigningKey::from_pkcs8_der(der).map_err(|_| KeyError)?;
        Ok(Es256Signer { key, rng })
    }

    /// From a PEM private key: PKCS#8 (`-----BEGIN PRIVATE KEY-----`) or SEC1 (`-----BEGIN EC PRIVATE KEY-----`).
    ///
    /// # Errors
    /// [`KeyError`].
    #[cfg(feature = "std")]
    pub fn from_pem(pem: &str, rng: R) -> Result<Self, KeyError> {
        use p256::pkcs8::DecodePrivateKey;
        let key = match SigningKey::from_pkcs8_pem(pem) {
            Ok(k) => k,
            Err(_) => p256::SecretKey::from_sec1_pem(pem)
                .map(SigningKey::from)
                .map_err(|_| KeyError)?,
        };
        Ok(Es256Signer { key, rng })
    }

    /// The public key as an uncompressed SEC1 point (65 bytes), e.g. to register the device.
    pub fn public_key_sec1(&self) -> [u8; 65] {
        let point = self.key.verifying_key().to_encoded_point(false);
        let mut out = [0u8; 65];
        if let Some(bytes) = point.as_bytes().get(..65) {
            out.copy_from_slice(bytes);
        }
        out
    }
}

impl<R> fmt::Debug for Es256Signer<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Es256Signer(<private key redacted>)")
    }
}

#[cfg(feature = "defmt")]
impl<R> defmt::Format for Es256Signer<R> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "Es256Signer(<private key redacted>)")
    }
}

impl<R: CryptoRngCore> AssertionSigner for Es256Signer<R> {
    fn sign_es256(&mut self, input: &[u8]) -> Option<[u8; 64]> {
        let sig: Signature = self.key.try_sign(input).ok()?;
        let mut out = [0u8; 64];
        out.copy_from_slice(&sig.to_bytes());
        Some(out)
    }

    fn nonce(&mut self, out: &mut [u8; 16]) {
        self.rng.fill_bytes(out);
    }
}
