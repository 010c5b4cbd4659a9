//! One encode/decode pair per v0.10.1 operation.
//!
//! `encode_*` validates its inputs, then writes the whole HTTP request into the caller's buffer and returns its
//! length. `decode_*` takes the response's status and body (from [`http::ResponseReader`](crate::http::ResponseReader))
//! and maps the spec's success status to the model, every 4xx/5xx with an `ErrorInfo` body to
//! [`ResponseError::Api`], and anything else to [`ResponseError::Codec`].
//!
//! | operationId | request | success |
//! |---|---|---|
//! | `createSession` | [`encode_create_session`] | 201 → [`decode_create_session`] |
//! | `getSession` | [`encode_get_session`] | 200 → [`decode_get_session`] |
//! | `deleteSession` | [`encode_delete_session`] | 204 → [`decode_delete_session`] |
//! | `extendQosSessionDuration` | [`encode_extend_session`] | 200 → [`decode_extend_session`] |
//! | `getQosProfiles` | [`encode_get_qos_profiles`] | 200 → [`decode_get_qos_profiles`] (or streamed: [`decode_get_qos_profiles_each`]) |
//! | `getQosProfile` | [`encode_get_qos_profile`] | 200 → [`decode_get_qos_profile`] |
// An API error carries the server's `ErrorInfo` (code and message, ~330 bytes with the default limits) by value:
// there is no heap to box it in, the `Result` is returned through the caller's stack slot anyway, and callers want
// the message. Shrink it with `QOD_LIMIT_ERROR_MESSAGE` if RAM is tight.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

use crate::http::{Method, RequestWriter};
use crate::json::{self, Decode};
use crate::model::{
    CreateSession, ErrorCode, ErrorInfo, ExtendSessionDuration, QosProfile, QosProfileList, QosProfileStatus,
    SessionInfo,
};
use crate::{limits, validate, Error, Problem, Validate, ValidationError};
use core::fmt;

/// Where and how requests go: the `Host` header value, the API's base path, credentials.
#[derive(Clone, Copy)]
pub struct Endpoint<'a> {
    /// `Host` header value: `host` or `host:port`.
    pub host: &'a str,
    /// Path prefix of the API, e.g. `/qod/v0` (may be empty).
    pub base_path: &'a str,
    /// OAuth2 access token, sent as `Authorization: Bearer`. Never printed.
    pub token: Option<&'a str>,
    /// Optional `x-correlator` header value.
    pub correlator: Option<&'a str>,
}

impl<'a> Endpoint<'a> {
    /// An endpoint without credentials or correlator.
    pub const fn new(host: &'a str, base_path: &'a str) -> Self {
        Endpoint {
            host,
            base_path,
            token: None,
            correlator: None,
        }
    }

    /// The same endpoint with a bearer token.
    pub const fn with_token(mut self, token: &'a str) -> Self {
        self.token = Some(token);
        self
    }
}

impl fmt::Debug for Endpoint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("host", &self.host)
            .field("base_path", &self.base_path)
            .field("token", &self.token.map(|_| "<redacted>"))
            .field("correlator", &self.correlator)
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Endpoint<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Endpoint {{ host: {=str}, base_path: {=str}, token: <redacted> }}",
            self.host,
            self.base_path
        )
    }
}

/// The server said no: a CAMARA `ErrorInfo` with the HTTP status it came with. An outcome, not a bug.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ApiError {
    /// HTTP status of the response.
    pub status: u16,
    /// The `ErrorInfo` body.
    pub info: ErrorInfo,
    /// `Retry-After` seconds, when the server sent one (429/503).
    pub retry_after: Option<u32>,
}

impl ApiError {
    /// `ErrorInfo.code` as an [`ErrorCode`].
    pub fn code(&self) -> ErrorCode {
        self.info.error_code()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.info.code, self.info.message)
    }
}

impl core::error::Error for ApiError {}

/// Why a response did not yield the operation's model.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ResponseError {
    /// The API refused, with an `ErrorInfo`.
    Api(ApiError),
    /// The response was not what the operation defines (status, body).
    Codec(Error),
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseError::Api(e) => write!(f, "API error {e}"),
            ResponseError::Codec(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl core::error::Error for ResponseError {}

impl From<Error> for ResponseError {
    fn from(e: Error) -> Self {
        ResponseError::Codec(e)
    }
}

/// The request head up to the body: `METHOD {base}{path}{id}{tail} HTTP/1.1`, Host, Authorization, x-correlator.
/// `id` (named `field` in errors) must be one plain path segment; pass `("", "")` for none.
#[inline(never)]
fn head<'b>(
    buf: &'b mut [u8],
    ep: &Endpoint<'_>,
    method: Method,
    path: &'static str,
    (field, id): (&'static str, &str),
    tail: &str,
) -> RequestWriter<'b> {
    let mut w = RequestWriter::new(buf);
    w.request_line(method, ep.base_path, path, (field, id), tail);
    w.line("Host", "host", false, ep.host);
    if ep.host.is_empty() {
        w.refuse("host", Problem::Missing);
    }
    if let Some(t) = ep.token {
        w.token(t);
    }
    if let Some(c) = ep.correlator {
        w.line("x-correlator", "x-correlator", false, c);
    }
    w
}

fn session_id(id: &str) -> Result<(), Error> {
    if id.len() > limits::SESSION_ID {
        return Err(Error::Invalid(ValidationError {
            field: "sessionId",
            problem: Problem::TooLong,
        }));
    }
    Ok(())
}

/// `POST {base}/sessions` with `body` (validated first).
///
/// # Errors
/// [`Error::Invalid`] naming the offending field, or [`Error::BufferTooSmall`].
pub fn encode_create_session(ep: &Endpoint<'_>, body: &CreateSession, buf: &mut [u8]) -> Result<usize, Error> {
    body.validate()?;
    head(buf, ep, Method::Post, "/sessions", ("", ""), "").finish_json(|b| json::encode(body, b))
}

/// `GET {base}/sessions/{id}`.
///
/// # Errors
/// [`Error::Invalid`] for a session id that is not a plain path segment, or [`Error::BufferTooSmall`].
pub fn encode_get_session(ep: &Endpoint<'_>, id: &str, buf: &mut [u8]) -> Result<usize, Error> {
    session_id(id)?;
    head(buf, ep, Method::Get, "/sessions/", ("sessionId", id), "").finish()
}

/// `DELETE {base}/sessions/{id}`.
///
/// # Errors
/// As [`encode_get_session`].
pub fn encode_delete_session(ep: &Endpoint<'_>, id: &str, buf: &mut [u8]) -> Result<usize, Error> {
    session_id(id)?;
    head(buf, ep, Method::Delete, "/sessions/", ("sessionId", id), "").finish()
}

/// `POST {base}/sessions/{id}/extend` with `body` (validated first).
///
/// # Errors
/// As [`encode_get_session`], or [`Error::Invalid`] for a duration out of 1–86399.
pub fn encode_extend_session(
    ep: &Endpoint<'_>,
    id: &str,
    body: &ExtendSessionDuration,
    buf: &mut [u8],
) -> Result<usize, Error> {
    session_id(id)?;
    body.validate()?;
    head(buf, ep, Method::Post, "/sessions/", ("sessionId", id), "/extend").finish_json(|b| json::encode(body, b))
}

/// `GET {base}/qos-profiles[?name=..][&status=..]`.
///
/// # Errors
/// [`Error::Invalid`] for a name that is not a `QosProfileName`, an `Unknown` status, or [`Error::BufferTooSmall`].
pub fn encode_get_qos_profiles(
    ep: &Endpoint<'_>,
    name: Option<&str>,
    status: Option<QosProfileStatus>,
    buf: &mut [u8],
) -> Result<usize, Error> {
    if let Some(n) = name {
        validate::qos_profile_name(n).map_err(|problem| ValidationError { field: "name", problem })?;
    }
    // `(after "?name=…", alone)` for each status; the name is checked above (`[a-zA-Z0-9_.-]`, 3 or more).
    let status = match status {
        None => None,
        Some(QosProfileStatus::Active) => Some(("&status=ACTIVE", "?status=ACTIVE")),
        Some(QosProfileStatus::Inactive) => Some(("&status=INACTIVE", "?status=INACTIVE")),
        Some(QosProfileStatus::Deprecated) => Some(("&status=DEPRECATED", "?status=DEPRECATED")),
        Some(QosProfileStatus::Unknown) => {
            return Err(Error::Invalid(ValidationError {
                field: "status",
                problem: Problem::UnknownValue,
            }))
        }
    };
    let (path, name, tail) = match (name, status) {
        (Some(n), Some((after, _))) => ("/qos-profiles?name=", n, after),
        (Some(n), None) => ("/qos-profiles?name=", n, ""),
        (None, Some((_, alone))) => ("/qos-profiles", "", alone),
        (None, None) => ("/qos-profiles", "", ""),
    };
    let field = if name.is_empty() { "" } else { "name" };
    head(buf, ep, Method::Get, path, (field, name), tail).finish()
}

/// `GET {base}/qos-profiles/{name}`.
///
/// # Errors
/// [`Error::Invalid`] for a name that is not a `QosProfileName`, or [`Error::BufferTooSmall`].
pub fn encode_get_qos_profile(ep: &Endpoint<'_>, name: &str, buf: &mut [u8]) -> Result<usize, Error> {
    validate::qos_profile_name(name).map_err(|problem| ValidationError { field: "name", problem })?;
    head(buf, ep, Method::Get, "/qos-profiles/", ("name", name), "").finish()
}

/// Maps a non-success status: 4xx/5xx with an `ErrorInfo` body → [`ResponseError::Api`]; else unexpected.
pub fn decode_error(status: u16, body: &[u8], retry_after: Option<u32>) -> ResponseError {
    if (400..600).contains(&status) {
        let mut info = ErrorInfo::default();
        let mut r = json::Reader::new(body);
        if info.decode_from(&mut r).and_then(|()| r.finish()).is_ok() {
            return ResponseError::Api(ApiError {
                status,
                info,
                retry_after,
            });
        }
    }
    ResponseError::Codec(Error::UnexpectedStatus(status))
}

#[inline(never)]
fn decode_model(expected: u16, status: u16, body: &[u8], out: &mut dyn Decode) -> Result<(), ResponseError> {
    if status != expected {
        return Err(decode_error(status, body, None));
    }
    let mut r = json::Reader::new(body);
    match out.decode_from(&mut r).and_then(|()| r.finish()) {
        Ok(()) => Ok(()),
        Err(json::Failed) => Err(ResponseError::Codec(Error::Decode(r.error()))),
    }
}

/// `createSession` response: 201 with a `SessionInfo`, decoded into `out`.
///
/// # Errors
/// [`ResponseError::Api`] for an `ErrorInfo` (400, 401, 403, 409, 500, 501, 503), otherwise
/// [`ResponseError::Codec`].
pub fn decode_create_session(status: u16, body: &[u8], out: &mut SessionInfo) -> Result<(), ResponseError> {
    decode_model(201, status, body, out)
}

/// `getSession` response: 200 with a `SessionInfo`.
///
/// # Errors
/// As [`decode_create_session`] (404 when the session does not exist).
pub fn decode_get_session(status: u16, body: &[u8], out: &mut SessionInfo) -> Result<(), ResponseError> {
    decode_model(200, status, body, out)
}

/// `extendQosSessionDuration` response: 200 with a `SessionInfo`.
///
/// # Errors
/// As [`decode_create_session`].
pub fn decode_extend_session(status: u16, body: &[u8], out: &mut SessionInfo) -> Result<(), ResponseError> {
    decode_model(200, status, body, out)
}

/// `deleteSession` response: 204, no body.
///
/// # Errors
/// As [`decode_create_session`].
pub fn decode_delete_session(status: u16, body: &[u8]) -> Result<(), ResponseError> {
    if status == 204 {
        Ok(())
    } else {
        Err(decode_error(status, body, None))
    }
}

/// `getQosProfiles` response: 200 with an array of `QosProfile`.
///
/// # Errors
/// As [`decode_create_session`]; more profiles than [`limits::PROFILES`] is a decode error.
pub fn decode_get_qos_profiles(status: u16, body: &[u8], out: &mut QosProfileList) -> Result<(), ResponseError> {
    decode_model(200, status, body, out)
}

/// `getQosProfiles` response, streamed: decodes each profile of the 200 array into `scratch` in turn and calls `each`
/// with it, so any number of profiles costs the RAM of one. Returns how many there were.
///
/// # Errors
/// As [`decode_create_session`].
pub fn decode_get_qos_profiles_each(
    status: u16,
    body: &[u8],
    scratch: &mut QosProfile,
    each: &mut dyn FnMut(&QosProfile),
) -> Result<usize, ResponseError> {
    if status != 200 {
        return Err(decode_error(status, body, None));
    }
    let mut r = json::Reader::new(body);
    let mut n = 0;
    let mut run = || {
        r.begin_array()?;
        while r.next_element()? {
            scratch.decode_from(&mut r)?;
            each(scratch);
            n += 1;
        }
        r.finish()
    };
    match run() {
        Ok(()) => Ok(n),
        Err(json::Failed) => Err(ResponseError::Codec(Error::Decode(r.error()))),
    }
}

/// `getQosProfile` response: 200 with a `QosProfile`.
///
/// # Errors
/// As [`decode_create_session`].
pub fn decode_get_qos_profile(status: u16, body: &[u8], out: &mut QosProfile) -> Result<(), ResponseError> {
    decode_model(200, status, body, out)
}
