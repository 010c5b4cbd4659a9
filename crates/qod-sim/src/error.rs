//! [`ApiError`]: every error the simulator answers, rendered as a CAMARA `ErrorInfo` body.
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use qod_core::model::ErrorInfo;

/// An error answer: HTTP status, CAMARA `code` and a message naming the offending field where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// CAMARA error code (`INVALID_ARGUMENT`, `NOT_FOUND`, …).
    pub code: &'static str,
    /// Human-readable detail.
    pub message: String,
    /// `Retry-After` seconds (429, 503).
    pub retry_after: Option<u32>,
}

impl ApiError {
    /// An error with the given status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400 `INVALID_ARGUMENT`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", message)
    }

    /// 400 `OUT_OF_RANGE`.
    pub fn out_of_range(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "OUT_OF_RANGE", message)
    }

    /// 401 `UNAUTHENTICATED`.
    pub fn unauthenticated(detail: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            format!("Authorization failed: {detail}"),
        )
    }

    /// 403 `PERMISSION_DENIED`.
    pub fn forbidden(detail: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "PERMISSION_DENIED",
            format!("Operation not allowed: {detail}"),
        )
    }

    /// 404 `NOT_FOUND` "Session Id does not exist".
    pub fn session_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", "Session Id does not exist")
    }

    /// 409 `CONFLICT` "Another session is created for the same device".
    pub fn conflict() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "CONFLICT",
            "Another session is created for the same device",
        )
    }

    /// 409 `QUALITY_ON_DEMAND.SESSION_EXTENSION_NOT_ALLOWED` (1.1.0): the session is not AVAILABLE.
    pub fn extension_not_allowed(status: qod_core::common::QosStatus) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "QUALITY_ON_DEMAND.SESSION_EXTENSION_NOT_ALLOWED",
            format!(
                "Extending the session duration is not allowed in the current state ({status}). The session must be in the AVAILABLE state."
            ),
        )
    }

    /// 422 with a 1.1.0 code (`MISSING_IDENTIFIER`, `UNNECESSARY_IDENTIFIER`, …).
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// The `ErrorInfo` for any status without a more specific error (used to normalise framework rejections).
    pub fn for_status(status: StatusCode) -> Self {
        let (code, message) = match status.as_u16() {
            400 => ("INVALID_ARGUMENT", "Schema validation failed: malformed request"),
            401 => (
                "UNAUTHENTICATED",
                "Authorization failed: missing or invalid access token",
            ),
            403 => ("PERMISSION_DENIED", "Operation not allowed"),
            404 => ("NOT_FOUND", "The requested resource does not exist"),
            405 => (
                "METHOD_NOT_ALLOWED",
                "The requested method is not allowed for this resource",
            ),
            406 => ("NOT_ACCEPTABLE", "The requested response format is not supported"),
            408 => ("TIMEOUT", "Request timed out"),
            409 => ("CONFLICT", "Conflict"),
            413 => ("INVALID_ARGUMENT", "Request body too large"),
            415 => (
                "UNSUPPORTED_MEDIA_TYPE",
                "The request's Content-Type is not supported; use application/json",
            ),
            429 => ("TOO_MANY_REQUESTS", "Too many requests"),
            501 => ("NOT_IMPLEMENTED", "Not implemented"),
            503 => ("UNAVAILABLE", "Service unavailable"),
            s if s >= 500 => ("INTERNAL", "Internal server error"),
            _ => ("INVALID_ARGUMENT", "Invalid request"),
        };
        Self::new(status, code, message)
    }

    /// The wire body.
    pub fn to_error_info(&self) -> ErrorInfo {
        qod_core::fill!(ErrorInfo {
            status: self.status.as_u16(),
            code: truncated(self.code),
            message: truncated(&self.message),
        })
    }

    /// The serialized `ErrorInfo` JSON.
    pub fn body(&self) -> Vec<u8> {
        // Serializing a struct of integers and strings into a Vec cannot fail.
        serde_json::to_vec(&self.to_error_info()).unwrap_or_default()
    }
}

/// Copies `s` into a `heapless::String`, cutting it at a character boundary if it is too long.
pub(crate) fn truncated<const N: usize>(s: &str) -> heapless::String<N> {
    let mut out = heapless::String::new();
    for c in s.chars() {
        if out.push(c).is_err() {
            break;
        }
    }
    out
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status, self.body()).into_response();
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(s) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}
