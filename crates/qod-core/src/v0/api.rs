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
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

use super::model::{CreateSession, ExtendSessionDuration, QosProfile, QosProfileList, QosProfileStatus, SessionInfo};
use crate::api::{decode_each, decode_error, decode_model, head, session_id, Endpoint, ResponseError};
use crate::http::Method;
use crate::json;
use crate::{validate, Error, Problem, Validate, ValidationError};

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
/// As [`decode_create_session`]; more profiles than [`limits::PROFILES`](crate::limits::PROFILES) is a decode error.
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
    decode_each(status, body, scratch, each)
}

/// `getQosProfile` response: 200 with a `QosProfile`.
///
/// # Errors
/// As [`decode_create_session`].
pub fn decode_get_qos_profile(status: u16, body: &[u8], out: &mut QosProfile) -> Result<(), ResponseError> {
    decode_model(200, status, body, out)
}
