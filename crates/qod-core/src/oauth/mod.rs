//! OAuth2 client credentials, sans-IO: the token request (RFC 6749 §4.4, client authentication by
//! `client_secret_basic`, `client_secret_post` or RFC 7523 `private_key_jwt`), the token response (§5.1) and the error
//! response (§5.2), and JWT client assertions ([`jwt`]).
//!
//! Like [`api`](crate::api), nothing here does I/O or reads a clock: the caller passes the time and moves the bytes.
//! The device client (qod-client's token sources), the `qod` gateway tool and the tests all use these functions, so
//! there is one token fetch in the project.
//!
//! # Secrets
//! Client secrets, assertions and access tokens are written into the caller's buffers and never into an error,
//! `Debug` or `defmt` output: [`ClientAuth`]'s `Debug` redacts them, and [`TokenError`] carries none.

// A refusal carries the endpoint's `error_description` (~270 bytes) by value, as `api::ApiError` does: there is no heap
// to box it in, and callers want the description.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

pub(crate) mod base64;
pub(crate) mod form;
pub mod jwt;

pub use base64::{encode_into as base64_encode, Alphabet};

use crate::http::{Method, RequestWriter, Url};
use crate::json::{self, Failed, Reader};
use crate::schema::{object_dyn, wire_enum, Schema};
use crate::{limits, DecodeError, DecodeErrorKind, Error, Problem, ValidationError};
use core::fmt;
use form::Form;

/// `client_assertion_type` of RFC 7523 §2.2.
pub const JWT_BEARER_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How the client authenticates at the token endpoint.
#[derive(Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientAuth<'a> {
    /// `client_secret_basic`: `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1).
    SecretBasic {
        /// `client_id`.
        id: &'a str,
        /// `client_secret`. Never printed.
        secret: &'a str,
    },
    /// `client_secret_post`: `client_id` and `client_secret` in the form body.
    SecretPost {
        /// `client_id`.
        id: &'a str,
        /// `client_secret`. Never printed.
        secret: &'a str,
    },
    /// `private_key_jwt` (RFC 7523 §2.2): `client_id`, `client_assertion_type` and a signed `client_assertion` (see
    /// [`jwt::write_assertion`]).
    PrivateKeyJwt {
        /// `client_id` (also the assertion's `iss` and `sub`).
        id: &'a str,
        /// The compact JWS. Never printed.
        assertion: &'a str,
    },
}

impl ClientAuth<'_> {
    /// The `client_id`.
    pub fn id(&self) -> &str {
        match self {
            ClientAuth::SecretBasic { id, .. }
            | ClientAuth::SecretPost { id, .. }
            | ClientAuth::PrivateKeyJwt { id, .. } => id,
        }
    }

    fn method(&self) -> &'static str {
        match self {
            ClientAuth::SecretBasic { .. } => "client_secret_basic",
            ClientAuth::SecretPost { .. } => "client_secret_post",
            ClientAuth::PrivateKeyJwt { .. } => "private_key_jwt",
        }
    }
}

impl fmt::Debug for ClientAuth<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientAuth")
            .field("method", &self.method())
            .field("id", &self.id())
            .field("credential", &"<redacted>")
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for ClientAuth<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "ClientAuth {{ method: {=str}, id: {=str}, credential: <redacted> }}",
            self.method(),
            self.id()
        )
    }
}

/// Writes the client-credentials token request: `POST {url.path}` to `url`'s authority with a form body
/// `grant_type=client_credentials[&scope=…]` and the client authentication of `auth`; returns its length.
///
/// # Errors
/// [`Error::Invalid`] for an empty client id, secret or assertion (named `client_id`, `client_secret`,
/// `client_assertion`), a scope with characters RFC 6749 §3.3 does not allow (`scope`), a token URL path that is not
/// a plain path (`basePath`); [`Error::BufferTooSmall`].
///
/// # Panics
/// Never.
pub fn encode_token_request(
    url: &Url<'_>,
    auth: &ClientAuth<'_>,
    scope: Option<&str>,
    buf: &mut [u8],
) -> Result<usize, Error> {
    let refuse = |field| {
        Err(Error::Invalid(ValidationError {
            field,
            problem: Problem::Missing,
        }))
    };
    if auth.id().is_empty() {
        return refuse("client_id");
    }
    match auth {
        ClientAuth::SecretBasic { secret, .. } | ClientAuth::SecretPost { secret, .. } if secret.is_empty() => {
            return refuse("client_secret")
        }
        ClientAuth::PrivateKeyJwt { assertion: "", .. } => return refuse("client_assertion"),
        _ => {}
    }
    // scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), space separated.
    if let Some(s) = scope {
        let ok = !s.is_empty()
            && s.split(' ')
                .all(|t| !t.is_empty() && t.bytes().all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E)));
        if !ok {
            return Err(Error::Invalid(ValidationError {
                field: "scope",
                problem: Problem::ForbiddenCharacter,
            }));
        }
    }
    let mut w = RequestWriter::new(buf);
    w.request_line(Method::Post, url.path, "", ("", ""), "");
    w.line("Host", "host", false, url.authority);
    if let ClientAuth::SecretBasic { id, secret } = auth {
        w.basic(id, secret);
    }
    w.finish_body("application/x-www-form-urlencoded", |b| {
        let mut f = Form::new(b);
        f.field("grant_type", "client_credentials");
        if let Some(s) = scope {
            f.field("scope", s);
        }
        match auth {
            ClientAuth::SecretBasic { .. } => {}
            ClientAuth::SecretPost { id, secret } => {
                f.field("client_id", id);
                f.field("client_secret", secret);
            }
            ClientAuth::PrivateKeyJwt { id, assertion } => {
                f.field("client_id", id);
                f.field("client_assertion_type", JWT_BEARER_ASSERTION_TYPE);
                f.field("client_assertion", assertion);
            }
        }
        f.finish()
    })
}

/// Writes `GET {url.path}` to `url`'s authority: a request whose only purpose is the answer's `Date` header (any
/// status will do), for a device that must sign a JWT and knows no wall-clock time yet.
///
/// # Errors
/// [`Error::Invalid`] for a URL path that is not a plain path, [`Error::BufferTooSmall`].
pub fn encode_time_probe(url: &Url<'_>, buf: &mut [u8]) -> Result<usize, Error> {
    let mut w = RequestWriter::new(buf);
    w.request_line(Method::Get, url.path, "", ("", ""), "");
    w.line("Host", "host", false, url.authority);
    w.finish()
}

wire_enum! {
    /// `error` of an OAuth2 error response (RFC 6749 §5.2).
    OAuthErrorCode, "error" {
        /// `invalid_request`: a parameter is missing, repeated or malformed.
        InvalidRequest = "invalid_request",
        /// `invalid_client`: client authentication failed (unknown client, wrong secret, bad assertion).
        InvalidClient = "invalid_client",
        /// `invalid_grant`: the grant (or the assertion) is invalid, expired or revoked.
        InvalidGrant = "invalid_grant",
        /// `unauthorized_client`: this client may not use this grant type.
        UnauthorizedClient = "unauthorized_client",
        /// `unsupported_grant_type`: the server does not support client credentials.
        UnsupportedGrantType = "unsupported_grant_type",
        /// `invalid_scope`: the requested scope is invalid or exceeds what the client may have.
        InvalidScope = "invalid_scope",
    }
}

/// The token endpoint said no: an RFC 6749 §5.2 error response with its HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct OAuthError {
    /// HTTP status (400, or 401 for `invalid_client`).
    pub status: u16,
    /// `error`.
    pub error: OAuthErrorCode,
    /// `error_description`, when given (empty otherwise).
    pub description: heapless::String<{ limits::ERROR_MESSAGE }>,
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            self.status,
            self.error.as_str().unwrap_or("(unknown error code)")
        )?;
        if !self.description.is_empty() {
            write!(f, ": {}", self.description)?;
        }
        Ok(())
    }
}

/// Why no token came out of a token request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum TokenError {
    /// The token endpoint refused, with an OAuth2 error response.
    Refused(OAuthError),
    /// A status without an OAuth2 error body (a wrong token URL, a proxy page).
    UnexpectedStatus(u16),
    /// The 200 body is not a token response.
    Decode(DecodeError),
    /// `token_type` is not `Bearer` (RFC 6750), so the token cannot be sent as one.
    NotBearer,
    /// `access_token` is empty or has characters a bearer token cannot have (RFC 6750 §2.1).
    InvalidToken,
    /// `access_token` is longer than the token cache.
    TooLong,
    /// No `expires_in`, and no lifetime to assume was configured.
    NoExpiry,
    /// The request could not be written (invalid credentials or scope, buffer too small).
    Encode(Error),
    /// A JWT client assertion must be signed, but the wall-clock time is unknown.
    NoClock,
    /// Signing the JWT client assertion failed.
    Signing,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Refused(e) => {
                let what = match e.error {
                    OAuthErrorCode::InvalidClient
                    | OAuthErrorCode::InvalidGrant
                    | OAuthErrorCode::UnauthorizedClient => "the client credentials",
                    _ => "the token request",
                };
                write!(f, "the token endpoint refused {what}: {e}")
            }
            TokenError::UnexpectedStatus(s) => {
                write!(
                    f,
                    "the token endpoint answered HTTP {s} without an OAuth2 error: check the token URL"
                )
            }
            TokenError::Decode(e) => write!(f, "the token endpoint's answer is not a token response: {e}"),
            TokenError::NotBearer => f.write_str("the token endpoint issued a token that is not a Bearer token"),
            TokenError::InvalidToken => f.write_str("the token endpoint issued an empty or malformed access token"),
            TokenError::TooLong => f.write_str("the access token does not fit the token cache: give it more room"),
            TokenError::NoExpiry => {
                f.write_str("the token endpoint sent no expires_in: configure a lifetime to assume for such tokens")
            }
            TokenError::Encode(e) => write!(f, "cannot write the token request: {e}"),
            TokenError::NoClock => f.write_str(
                "a JWT client assertion needs the wall-clock time, and none is known (no RTC/SNTP, no server Date yet)",
            ),
            TokenError::Signing => f.write_str("signing the JWT client assertion failed"),
        }
    }
}

impl core::error::Error for TokenError {}

impl From<Error> for TokenError {
    fn from(e: Error) -> Self {
        TokenError::Encode(e)
    }
}

/// RFC 6750 §2.1 `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(t: &str) -> bool {
    let body = t.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// What a successful token response says besides the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct TokenInfo {
    /// `expires_in` in seconds, when given (as a number, or as a string of digits as some servers send it).
    pub expires_in: Option<u32>,
}

/// Decodes a token endpoint's response: on 200 the `access_token` goes into `token` (cleared first) and the rest is
/// returned; an OAuth2 error body becomes [`TokenError::Refused`].
///
/// # Errors
/// [`TokenError`]: `Refused`, `UnexpectedStatus`, `Decode`, `NotBearer`, `InvalidToken`, `TooLong`.
///
/// # Panics
/// Never.
pub fn decode_token_response(
    status: u16,
    body: &[u8],
    token: &mut heapless::string::StringView,
) -> Result<TokenInfo, TokenError> {
    token.clear();
    if status != 200 {
        return Err(decode_token_error(status, body));
    }
    const SCHEMA: Schema = Schema {
        keys: &[",\"access_token\":", ",\"token_type\":", ",\"expires_in\":"],
        required: 0b11,
    };
    let mut r = Reader::new(body);
    let mut bearer = false;
    let mut expires_in = None;
    let res = object_dyn(&mut r, &SCHEMA, &mut |i, r| match i {
        0 => r.string_into_view(token),
        1 => {
            // Compared without case (RFC 6749 §5.1).
            let mut t = heapless::String::<32>::new();
            r.string_into(&mut t)?;
            bearer = t.eq_ignore_ascii_case("bearer");
            Ok(())
        }
        _ => {
            expires_in = Some(r.u32_or_digits()?);
            Ok(())
        }
    })
    .and_then(|()| r.finish());
    if let Err(Failed) = res {
        let e = r.error();
        token.clear();
        return Err(if e.kind == DecodeErrorKind::TooLong && e.path == "access_token" {
            TokenError::TooLong
        } else {
            TokenError::Decode(e)
        });
    }
    if !bearer {
        token.clear();
        return Err(TokenError::NotBearer);
    }
    if !is_b64token(token) {
        token.clear();
        return Err(TokenError::InvalidToken);
    }
    Ok(TokenInfo { expires_in })
}

/// Maps a non-200 token response: an RFC 6749 §5.2 body → [`TokenError::Refused`], else `UnexpectedStatus`.
fn decode_token_error(status: u16, body: &[u8]) -> TokenError {
    let mut e = OAuthError {
        status,
        error: OAuthErrorCode::Unknown,
        description: heapless::String::new(),
    };
    const SCHEMA: Schema = Schema {
        keys: &[",\"error\":", ",\"error_description\":"],
        required: 0b1,
    };
    let mut r = Reader::new(body);
    let res = object_dyn(&mut r, &SCHEMA, &mut |i, r| match i {
        0 => json::Decode::decode_from(&mut e.error, r),
        _ => r.string_into(&mut e.description),
    })
    .and_then(|()| r.finish());
    match res {
        Ok(()) if (400..600).contains(&status) => TokenError::Refused(e),
        _ => TokenError::UnexpectedStatus(status),
    }
}
