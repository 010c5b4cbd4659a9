//! `private_key_jwt` (RFC 7523 §2.2, OpenID Connect Core §9): verifying a client assertion against a registered
//! public key (ES256 on P-256, RS256 on RSA 2048–8192 bits) with `ring`, the crypto provider rustls uses here too.
//!
//! The checks, each failure an `invalid_client` whose description names the check and never quotes the assertion:
//! a compact JWS with three base64url parts; header `alg` matching the registered key (`ES256` for an EC key,
//! `RS256` for RSA; `none`, HMAC and anything else refused); a valid signature; `iss` = `sub` = the client id;
//! `aud` (a string, or an array holding one) equal to the token endpoint URL as the client reached it (see
//! [`audience_matches`]); `exp` a number in the future and at most [`MAX_LIFETIME_S`] (+ [`SKEW_S`]) ahead; `nbf`, if
//! present, not in the future (beyond [`SKEW_S`]); a `jti` string never seen before from that client while its
//! assertion could still be valid. Times are judged by the wall clock (the client's clock is a real one), not by the
//! simulator's possibly scaled or manual clock.
use base64::Engine as _;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::SubjectPublicKeyInfoDer;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

/// The longest an assertion may be valid for: `exp` at most this far ahead.
pub const MAX_LIFETIME_S: i64 = 300;
/// Clock skew allowed on `exp`'s upper bound and on `nbf`.
pub const SKEW_S: i64 = 5;

/// A registered public key.
#[derive(Clone, PartialEq, Eq)]
enum Key {
    /// Uncompressed P-256 point (65 bytes).
    P256(Vec<u8>),
    /// PKCS#1 RSAPublicKey DER.
    Rsa(Vec<u8>),
}

/// A client that authenticates with `private_key_jwt`: its id and public key.
#[derive(Clone, PartialEq, Eq)]
pub struct JwtClient {
    /// `client_id`.
    pub id: String,
    key: Key,
}

impl fmt::Debug for JwtClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtClient")
            .field("id", &self.id)
            .field("alg", &self.alg())
            .finish()
    }
}

impl JwtClient {
    /// A client with a public key in SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`): ECDSA P-256 (the
    /// client signs ES256) or RSA (RS256).
    ///
    /// # Errors
    /// When the PEM holds no such key.
    pub fn from_public_key_pem(id: impl Into<String>, pem: &str) -> Result<Self, String> {
        let id = id.into();
        if id.is_empty() {
            return Err("empty client id".into());
        }
        let spki = SubjectPublicKeyInfoDer::from_pem_slice(pem.as_bytes())
            .map_err(|_| "no PUBLIC KEY (SubjectPublicKeyInfo) in the PEM".to_owned())?;
        let key = parse_spki(spki.as_ref()).ok_or("not an ECDSA P-256 or RSA public key")?;
        Ok(Self { id, key })
    }

    /// The JWS algorithm the client must use (`ES256` or `RS256`).
    pub fn alg(&self) -> &'static str {
        match self.key {
            Key::P256(_) => "ES256",
            Key::Rsa(_) => "RS256",
        }
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED, RSA_PKCS1_2048_8192_SHA256};
        match &self.key {
            Key::P256(k) => UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, k)
                .verify(message, signature)
                .is_ok(),
            Key::Rsa(k) => UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, k)
                .verify(message, signature)
                .is_ok(),
        }
    }
}

/// One DER TLV: (tag, contents, rest).
fn tlv(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, b| (a << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// `SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }`.
fn parse_spki(der: &[u8]) -> Option<Key> {
    let (0x30, spki, []) = tlv(der)? else { return None };
    let (0x30, alg, rest) = tlv(spki)? else { return None };
    let (0x03, bits, []) = tlv(rest)? else { return None };
    let (0, key) = bits.split_first()? else { return None };
    let (0x06, oid, params) = tlv(alg)? else { return None };
    if oid == OID_EC_PUBLIC_KEY {
        let (0x06, curve, []) = tlv(params)? else { return None };
        (curve == OID_P256 && key.len() == 65 && key[0] == 4).then(|| Key::P256(key.to_vec()))
    } else if oid == OID_RSA {
        // The key must itself be a DER SEQUENCE (RSAPublicKey); ring checks the rest.
        let (0x30, _, []) = tlv(key)? else { return None };
        Some(Key::Rsa(key.to_vec()))
    } else {
        None
    }
}

/// Whether `aud` names the token endpoint `expected` (`scheme://authority/path`): scheme and host compared without
/// regard to case, an explicit default port (`:443` for https, `:80` for http) equal to none, the path exactly.
pub fn audience_matches(aud: &str, expected: &str) -> bool {
    fn norm(url: &str) -> Option<(String, String, String)> {
        let (scheme, rest) = url.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        if authority.contains('@') || path.contains(['?', '#']) {
            return None;
        }
        let mut authority = authority.to_ascii_lowercase();
        let default = match scheme.as_str() {
            "https" => ":443",
            "http" => ":80",
            _ => return None,
        };
        if let Some(a) = authority.strip_suffix(default) {
            authority = a.to_owned();
        }
        Some((scheme, authority, path.to_owned()))
    }
    matches!((norm(aud), norm(expected)), (Some(a), Some(b)) if a == b)
}

/// Seen `jti`s per client, each kept until its assertion's `exp`.
#[derive(Debug, Default)]
pub(crate) struct ReplayCache {
    seen: Mutex<HashMap<(String, String), i64>>,
}

/// Why an assertion was refused (the `error_description`).
pub(crate) type Refusal = &'static str;

fn b64(part: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).ok()
}

/// Checks `assertion` from `client` for the token endpoint `token_url` at wall-clock time `now` (seconds);
/// the `jti` is recorded on success.
pub(crate) fn verify(
    assertion: &str,
    client: &JwtClient,
    token_url: &str,
    now: i64,
    replay: &ReplayCache,
) -> Result<(), Refusal> {
    let mut parts = assertion.split('.');
    let (Some(h), Some(c), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err("client assertion is not a compact JWS");
    };
    let header: Value = b64(h)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("client assertion header is not base64url JSON")?;
    if header.get("alg").and_then(Value::as_str) != Some(client.alg()) {
        return Err("client assertion alg does not match the registered key");
    }
    if header.get("crit").is_some() {
        return Err("client assertion has critical header parameters");
    }
    let signature = b64(s).ok_or("client assertion signature is not base64url")?;
    let signed = &assertion[..h.len() + 1 + c.len()];
    if !client.verify(signed.as_bytes(), &signature) {
        return Err("client assertion signature is invalid");
    }
    let claims: Value = b64(c)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("client assertion claims are not base64url JSON")?;
    let claims = claims.as_object().ok_or("client assertion claims are not an object")?;
    let text = |k: &str| claims.get(k).and_then(Value::as_str);
    if text("iss") != Some(client.id.as_str()) || text("sub") != Some(client.id.as_str()) {
        return Err("client assertion iss and sub must both be the client id");
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => audience_matches(a, token_url),
        Some(Value::Array(list)) => list
            .iter()
            .any(|a| a.as_str().is_some_and(|a| audience_matches(a, token_url))),
        _ => false,
    };
    if !aud_ok {
        return Err("client assertion aud is not this token endpoint's URL");
    }
    // NumericDate may have a fraction (RFC 7519 §2); whole seconds are compared.
    let seconds = |v: &Value| {
        v.as_i64()
            .or_else(|| v.as_f64().filter(|f| f.is_finite()).map(|f| f.floor() as i64))
    };
    let exp = claims
        .get("exp")
        .and_then(seconds)
        .ok_or("client assertion has no numeric exp")?;
    if exp <= now {
        return Err("client assertion has expired");
    }
    if exp > now + MAX_LIFETIME_S + SKEW_S {
        return Err("client assertion exp is more than 300 s ahead");
    }
    if let Some(nbf) = claims.get("nbf") {
        if seconds(nbf).is_none_or(|n| n > now + SKEW_S) {
            return Err("client assertion is not valid yet (nbf)");
        }
    }
    let jti = text("jti")
        .filter(|j| !j.is_empty())
        .ok_or("client assertion has no jti")?;
    let mut seen = replay.seen.lock().map_err(|_| "replay cache unavailable")?;
    seen.retain(|_, e| *e > now);
    let key = (client.id.clone(), jti.to_owned());
    if seen.contains_key(&key) {
        return Err("client assertion jti was already used");
    }
    seen.insert(key, exp);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::TestKey;
    use serde_json::json;

    const URL: &str = "https://127.0.0.1:9443/oauth/token";

    fn now() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    }

    #[test]
    fn test_audience_rule() {
        assert!(audience_matches(URL, URL));
        assert!(audience_matches("HTTPS://127.0.0.1:9443/oauth/token", URL));
        assert!(audience_matches(
            "https://localhost/oauth/token",
            "https://LOCALHOST:443/oauth/token"
        ));
        assert!(!audience_matches("https://127.0.0.1:9443/oauth/token/", URL));
        assert!(!audience_matches("http://127.0.0.1:9443/oauth/token", URL));
        assert!(!audience_matches("https://10.0.2.2:9443/oauth/token", URL));
        assert!(!audience_matches("https://127.0.0.1:9443/oauth/token?x", URL));
        assert!(!audience_matches("https://u@127.0.0.1:9443/oauth/token", URL));
    }

    #[test]
    fn test_claims_checks() {
        let key = TestKey::generate_es256().unwrap();
        let client = JwtClient::from_public_key_pem("dev", key.public_key_pem()).unwrap();
        let cache = ReplayCache::default();
        let n = now();
        let good = json!({"iss": "dev", "sub": "dev", "aud": URL, "exp": n + 60, "jti": "1"});
        let sign = |v: &Value| key.sign_jwt(v).unwrap();
        assert_eq!(verify(&sign(&good), &client, URL, n, &cache), Ok(()));
        // Replay.
        assert_eq!(
            verify(&sign(&good), &client, URL, n, &cache),
            Err("client assertion jti was already used")
        );
        let cases: &[(&str, Value, &str)] = &[
            ("iss", json!("other"), "iss and sub"),
            ("sub", json!("other"), "iss and sub"),
            ("aud", json!("https://example.com/oauth/token"), "aud"),
            ("aud", json!(["x", URL]), ""),
            ("exp", json!(n as f64 + 60.5), ""),
            ("exp", json!(n - 1), "expired"),
            ("exp", json!(n + 400), "300 s"),
            ("exp", json!("soon"), "numeric exp"),
            ("nbf", json!(n + 100), "nbf"),
            ("jti", json!(""), "jti"),
        ];
        for (i, (k, v, why)) in cases.iter().enumerate() {
            let mut c = good.clone();
            c[*k] = v.clone();
            if *k != "jti" {
                c["jti"] = json!(format!("case-{i}"));
            }
            let r = verify(&sign(&c), &client, URL, n, &cache);
            if why.is_empty() {
                assert_eq!(r, Ok(()), "{k}");
            } else {
                assert!(r.unwrap_err().contains(why), "{k}: {r:?}");
            }
        }
        // alg none, HS256, a tampered signature, a signature by another key.
        let claims = json!({"iss": "dev", "sub": "dev", "aud": URL, "exp": n + 60, "jti": "t"}).to_string();
        let none = format!(
            "{}.{}.",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&claims)
        );
        assert!(verify(&none, &client, URL, n, &cache).unwrap_err().contains("alg"));
        let hs = key.sign_parts(r#"{"alg":"HS256"}"#, &claims).unwrap();
        assert!(verify(&hs, &client, URL, n, &cache).unwrap_err().contains("alg"));
        let mut tampered = key.sign_parts(r#"{"alg":"ES256"}"#, &claims).unwrap();
        tampered.push('A');
        assert!(verify(&tampered, &client, URL, n, &cache).is_err());
        let other = TestKey::generate_es256().unwrap();
        let forged = other.sign_parts(r#"{"alg":"ES256"}"#, &claims).unwrap();
        assert_eq!(
            verify(&forged, &client, URL, n, &cache),
            Err("client assertion signature is invalid")
        );
        assert!(verify("a.b", &client, URL, n, &cache).is_err());
        assert!(JwtClient::from_public_key_pem("x", "junk").is_err());
        assert!(!format!("{client:?}").contains("BEGIN"));
    }
}
