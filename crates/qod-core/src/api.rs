//! The operation seam both API versions share: where requests go ([`Endpoint`]), what a refusal is ([`ApiError`],
//! [`ResponseError`]), and the request-head writer and response mapping every operation uses.
//!
//! With the `v0` feature this module also re-exports the v0.10.1 encode/decode functions of
//! [`v0::api`](crate::v0::api) under their old paths (`qod_core::api::encode_create_session`, …).
// An API error carries the server's `ErrorInfo` (code and message, ~330 bytes with the default limits) by value:
// there is no heap to box it in, the `Result` is returned through the caller's stack slot anyway, and callers want
// the message. Shrink it with `QOD_LIMIT_ERROR_MESSAGE` if RAM is tight.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

use crate::common::{ErrorCode, ErrorInfo};
use crate::http::{Method, RequestWriter, Response};
use crate::json::{self, Decode};
use crate::{limits, Error, Problem, ValidationError};
use core::fmt;

#[cfg(feature = "v0")]
pub use crate::v0::api::*;

/// Where and how requests go: the `Host` header value, the API's base path, credentials.
#[derive(Clone, Copy)]
#[non_exhaustive]
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

    /// The same endpoint with an `x-correlator` header value.
    pub const fn with_correlator(mut self, correlator: &'a str) -> Self {
        self.correlator = Some(correlator);
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
#[non_exhaustive]
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

/// One API operation: how its request is written and how its response is read.
///
/// The engine that runs operations (qod-client's `Client::run`) knows nothing of any version: it asks the operation
/// to write its request for an [`Endpoint`] (again after a token refresh), sends it, reads one complete
/// [`Response`] and hands it, head included, to [`decode`](Operation::decode). Decoded models go into buffers the
/// operation borrows, so nothing large travels through the engine.
pub trait Operation {
    /// What a successful response yields.
    type Output;

    /// Whether the request may be sent once more when a kept-alive connection turns out to be closed before any
    /// answer: reads and deletes, and the spec's `POST` queries (`retrieve-sessions`); never a `POST` that creates
    /// or changes something.
    const IDEMPOTENT: bool;

    /// Validates the inputs and writes the whole request for `ep` into `buf`; returns its length.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the offending field (nothing is sent), or [`Error::BufferTooSmall`].
    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, Error>;

    /// Reads the response: the success status into the output, an `ErrorInfo` into [`ResponseError::Api`].
    ///
    /// # Errors
    /// [`ResponseError`].
    fn decode(&mut self, res: &Response<'_>) -> Result<Self::Output, ResponseError>;
}

/// The request head up to the body: `METHOD {base}{path}{id}{tail} HTTP/1.1`, Host, Authorization, x-correlator.
/// `id` (named `field` in errors) must be one plain path segment; pass `("", "")` for none.
#[inline(never)]
pub(crate) fn head<'b>(
    buf: &'b mut [u8],
    ep: &Endpoint<'_>,
    method: Method,
    path: &'static str,
    (field, id): (&'static str, &str),
    tail: &str,
) -> RequestWriter<'b> {
    let mut w = RequestWriter::new(buf);
    // `http://host/` and `http://host` are the same root.
    let base = ep.base_path.strip_suffix('/').unwrap_or(ep.base_path);
    w.request_line(method, base, path, (field, id), tail);
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

pub(crate) fn session_id(id: &str) -> Result<(), Error> {
    if id.len() > limits::SESSION_ID {
        return Err(Error::Invalid(ValidationError {
            field: "sessionId",
            problem: Problem::TooLong,
        }));
    }
    Ok(())
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

/// Decodes each item of a 200 array into `scratch` in turn and calls `each` with it; returns how many there were.
pub(crate) fn decode_each<T: Decode>(
    status: u16,
    body: &[u8],
    scratch: &mut T,
    each: &mut dyn FnMut(&T),
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

#[inline(never)]
pub(crate) fn decode_model(expected: u16, status: u16, body: &[u8], out: &mut dyn Decode) -> Result<(), ResponseError> {
    if status != expected {
        return Err(decode_error(status, body, None));
    }
    let mut r = json::Reader::new(body);
    match out.decode_from(&mut r).and_then(|()| r.finish()) {
        Ok(()) => Ok(()),
        Err(json::Failed) => Err(ResponseError::Codec(Error::Decode(r.error()))),
    }
}
