//! JWT client assertions for `private_key_jwt` (RFC 7523 §3), signed with ES256 (RFC 7518 §3.4), built in place in
//! a caller buffer. The signature comes from the caller (qod-client signs with the `p256` crate), so this module has
//! no cryptography and no clock: the caller passes the time and a unique `jti`.

use super::base64::Encoder;
use super::{Alphabet, TokenError};
use crate::json::Writer;
use crate::Error;

/// `alg` of the assertions this module writes.
pub const ES256: &str = "ES256";

/// The claims of a client assertion (RFC 7523 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Claims<'a> {
    /// `iss` and `sub`: the `client_id`.
    pub client_id: &'a str,
    /// `aud`: the token endpoint's URL.
    pub audience: &'a str,
    /// `jti`: unique per assertion (the server refuses a replay).
    pub jti: &'a str,
    /// `iat`: seconds since the Unix epoch.
    pub issued_at: u64,
    /// `exp`: seconds since the Unix epoch (servers accept a few minutes ahead at most).
    pub expires_at: u64,
}

/// Writes the JSON that `json` produces at `pos`, base64url-encoded; returns the new end. The JSON is written after
/// the encoded part's room, then encoded down into place.
fn b64_json(
    buf: &mut [u8],
    pos: usize,
    json: impl FnOnce(&mut Writer<'_>) -> Result<(), crate::json::Failed>,
) -> Result<usize, Error> {
    let len = buf.len();
    let tail = buf.get_mut(pos..).ok_or(Error::BufferTooSmall)?;
    let mut w = Writer::new(tail);
    json(&mut w).map_err(|_| w.error())?;
    let n = w.len();
    let encoded = n.div_ceil(3) * 4;
    // Move the JSON to the end of the buffer, then encode it from there towards `pos`: the encoder writes at most
    // 4 bytes per 3 it has read, so it never reaches bytes it has yet to read.
    if pos + encoded + n > len {
        return Err(Error::BufferTooSmall);
    }
    buf.copy_within(pos..pos + n, len - n);
    let (out, json) = buf.split_at_mut(len - n);
    let mut e = Encoder::new(Alphabet::UrlSafe, out.get_mut(pos..).unwrap_or(&mut []));
    e.extend(json);
    e.finish().map(|k| pos + k).ok_or(Error::BufferTooSmall)
}

/// Writes a compact JWS client assertion, `BASE64URL(header).BASE64URL(claims).BASE64URL(signature)`, into `buf` and
/// returns its length. The header is `{"alg":"ES256","typ":"JWT"}` (with `"kid"` when given); `sign` receives the
/// signing input (the first two parts) and returns the 64-byte `r ‖ s` ES256 signature, or `None` on failure.
///
/// # Errors
/// [`TokenError::Encode`] with [`Error::BufferTooSmall`], or [`TokenError::Signing`].
///
/// # Panics
/// Never.
pub fn write_assertion(
    buf: &mut [u8],
    kid: Option<&str>,
    claims: &Claims<'_>,
    sign: &mut dyn FnMut(&[u8]) -> Option<[u8; 64]>,
) -> Result<usize, TokenError> {
    let mut pos = b64_json(buf, 0, |w| {
        let mut o = w.object()?;
        o.str("alg", ES256)?;
        o.str("typ", "JWT")?;
        o.opt_str("kid", kid)?;
        o.end()
    })?;
    *buf.get_mut(pos).ok_or(Error::BufferTooSmall)? = b'.';
    pos = b64_json(buf, pos + 1, |w| {
        let mut o = w.object()?;
        o.str("iss", claims.client_id)?;
        o.str("sub", claims.client_id)?;
        o.str("aud", claims.audience)?;
        o.str("jti", claims.jti)?;
        o.key("iat")?.u64(claims.issued_at)?;
        o.key("exp")?.u64(claims.expires_at)?;
        o.end()
    })?;
    let sig = sign(buf.get(..pos).unwrap_or(&[])).ok_or(TokenError::Signing)?;
    *buf.get_mut(pos).ok_or(Error::BufferTooSmall)? = b'.';
    let mut e = Encoder::new(Alphabet::UrlSafe, buf.get_mut(pos + 1..).unwrap_or(&mut []));
    e.extend(&sig);
    let n = e.finish().ok_or(Error::BufferTooSmall)?;
    Ok(pos + 1 + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64url_decode(s: &str) -> Vec<u8> {
        let map = |c: u8| match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => panic!("not base64url: {c}"),
        };
        let mut bits = 0u32;
        let mut n = 0;
        let mut out = Vec::new();
        for c in s.bytes() {
            bits = (bits << 6) | u32::from(map(c));
            n += 6;
            if n >= 8 {
                n -= 8;
                out.push((bits >> n) as u8);
            }
        }
        out
    }

    #[test]
    fn test_assertion_layout() {
        let claims = Claims {
            client_id: "dev-42",
            audience: "https://auth.example/oauth/token",
            jti: "6d1a0c5e4f3b2a19",
            issued_at: 1_796_123_490,
            expires_at: 1_796_123_550,
        };
        let mut buf = [0u8; 512];
        let mut seen = Vec::new();
        let n = write_assertion(&mut buf, Some("k1"), &claims, &mut |input| {
            seen = input.to_vec();
            Some([7u8; 64])
        })
        .unwrap();
        let jws = core::str::from_utf8(&buf[..n]).unwrap();
        let parts: Vec<&str> = jws.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(
            seen,
            format!("{}.{}", parts[0], parts[1]).as_bytes(),
            "signed exactly the signing input"
        );
        assert_eq!(b64url_decode(parts[0]), br#"{"alg":"ES256","typ":"JWT","kid":"k1"}"#);
        assert_eq!(
            String::from_utf8(b64url_decode(parts[1])).unwrap(),
            r#"{"iss":"dev-42","sub":"dev-42","aud":"https://auth.example/oauth/token","jti":"6d1a0c5e4f3b2a19","iat":1796123490,"exp":1796123550}"#
        );
        assert_eq!(b64url_decode(parts[2]), [7u8; 64]);
        assert!(!jws.contains('='), "no padding in a JWS");
    }

    #[test]
    fn test_small_buffers_and_signing_failure() {
        let claims = Claims {
            client_id: "c",
            audience: "https://a/t",
            jti: "j",
            issued_at: 1,
            expires_at: 2,
        };
        let mut big = [0u8; 512];
        let full = write_assertion(&mut big, None, &claims, &mut |_| Some([1; 64])).unwrap();
        for cap in 0..full {
            let mut buf = vec![0u8; cap];
            assert_eq!(
                write_assertion(&mut buf, None, &claims, &mut |_| Some([1; 64])),
                Err(TokenError::Encode(Error::BufferTooSmall)),
                "cap {cap}"
            );
        }
        assert_eq!(
            write_assertion(&mut big, None, &claims, &mut |_| None),
            Err(TokenError::Signing)
        );
    }
}
