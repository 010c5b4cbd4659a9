//! One encode/decode pair per 1.1.0 operation, for the two APIs under one API root (the [`Endpoint`]'s
//! `base_path`): quality-on-demand at `{root}/quality-on-demand/v1` and qos-profiles at `{root}/qos-profiles/v1`.
//!
//! `encode_*` validates its inputs (the `x-correlator` against its pattern too), then writes the whole HTTP request
//! into the caller's buffer and returns its length. `decode_*` takes the response's status and body and maps the
//! spec's success status to the model, every 4xx/5xx with an `ErrorInfo` body to [`ResponseError::Api`], and
//! anything else to [`ResponseError::Codec`]. The [`op`](super::op) module wraps each pair as an
//! [`Operation`](crate::api::Operation), which also reads the response's `x-correlator`.
//!
//! | operationId | request | success |
//! |---|---|---|
//! | `createSession` | [`encode_create_session`] | 201 → [`decode_create_session`] |
//! | `getSession` | [`encode_get_session`] | 200 → [`decode_get_session`] |
//! | `deleteSession` | [`encode_delete_session`] | 204 → [`decode_delete_session`] |
//! | `extendQosSessionDuration` | [`encode_extend_session`] | 200 → [`decode_extend_session`] |
//! | `retrieveSessionsByDevice` | [`encode_retrieve_sessions`] | 200 → [`decode_retrieve_sessions`] (or streamed: [`decode_retrieve_sessions_each`]) |
//! | `getQosProfile` | [`encode_get_qos_profile`] | 200 → [`decode_get_qos_profile`] |
//! | `retrieveQoSProfiles` | [`encode_retrieve_qos_profiles`] | 200 → [`decode_retrieve_qos_profiles`] (or streamed: [`decode_retrieve_qos_profiles_each`]) |
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

use super::model::{
    CreateSession, ExtendSessionDuration, QosProfile, QosProfileDeviceRequest, QosProfileList, RetrieveSessionsInput,
    SessionInfo, SessionList,
};
use crate::api::{decode_each, decode_error, decode_model, head, session_id, Endpoint, ResponseError};
use crate::http::Method;
use crate::json;
use crate::{validate, Error, Validate, ValidationError};

/// Where the quality-on-demand API is under the API root.
pub const QOD_PATH: &str = "/quality-on-demand/v1";
/// Where the qos-profiles API is under the API root.
pub const PROFILES_PATH: &str = "/qos-profiles/v1";

/// The `x-correlator` the endpoint sends, checked against `^[a-zA-Z0-9-_:;.\/<>{}]{0,256}$`.
fn correlator(ep: &Endpoint<'_>) -> Result<(), Error> {
    match ep.correlator {
        Some(c) => validate::x_correlator(c).map_err(|problem| {
            Error::Invalid(ValidationError {
                field: "x-correlator",
                problem,
            })
        }),
        None => Ok(()),
    }
}

/// `POST {root}/quality-on-demand/v1/sessions` with `body` (validated first).
///
/// # Errors
/// [`Error::Invalid`] naming the offending field, or [`Error::BufferTooSmall`].
pub fn encode_create_session(ep: &Endpoint<'_>, body: &CreateSession, buf: &mut [u8]) -> Result<usize, Error> {
    correlator(ep)?;
    body.validate()?;
    head(buf, ep, Method::Post, "/quality-on-demand/v1/sessions", ("", ""), "").finish_json(|b| json::encode(body, b))
}

/// `GET {root}/quality-on-demand/v1/sessions/{id}`.
///
/// # Errors
/// [`Error::Invalid`] for a session id that is not a plain path segment, or [`Error::BufferTooSmall`].
pub fn encode_get_session(ep: &Endpoint<'_>, id: &str, buf: &mut [u8]) -> Result<usize, Error> {
    correlator(ep)?;
    session_id(id)?;
    head(
        buf,
        ep,
        Method::Get,
        "/quality-on-demand/v1/sessions/",
        ("sessionId", id),
        "",
    )
    .finish()
}

/// `DELETE {root}/quality-on-demand/v1/sessions/{id}`.
///
/// # Errors
/// As [`encode_get_session`].
pub fn encode_delete_session(ep: &Endpoint<'_>, id: &str, buf: &mut [u8]) -> Result<usize, Error> {
    correlator(ep)?;
    session_id(id)?;
    head(
        buf,
        ep,
        Method::Delete,
        "/quality-on-demand/v1/sessions/",
        ("sessionId", id),
        "",
    )
    .finish()
}

/// `POST {root}/quality-on-demand/v1/sessions/{id}/extend` with `body` (validated first).
///
/// # Errors
/// As [`encode_get_session`], or [`Error::Invalid`] for a duration below 1.
pub fn encode_extend_session(
    ep: &Endpoint<'_>,
    id: &str,
    body: &ExtendSessionDuration,
    buf: &mut [u8],
) -> Result<usize, Error> {
    correlator(ep)?;
    session_id(id)?;
    body.validate()?;
    head(
        buf,
        ep,
        Method::Post,
        "/quality-on-demand/v1/sessions/",
        ("sessionId", id),
        "/extend",
    )
    .finish_json(|b| json::encode(body, b))
}

/// `POST {root}/quality-on-demand/v1/retrieve-sessions` with `body` (validated first).
///
/// # Errors
/// As [`encode_create_session`].
pub fn encode_retrieve_sessions(
    ep: &Endpoint<'_>,
    body: &RetrieveSessionsInput,
    buf: &mut [u8],
) -> Result<usize, Error> {
    correlator(ep)?;
    body.validate()?;
    head(
        buf,
        ep,
        Method::Post,
        "/quality-on-demand/v1/retrieve-sessions",
        ("", ""),
        "",
    )
    .finish_json(|b| json::encode(body, b))
}

/// `GET {root}/qos-profiles/v1/qos-profiles/{name}`.
///
/// # Errors
/// [`Error::Invalid`] for a name that is not a `QosProfileName`, or [`Error::BufferTooSmall`].
pub fn encode_get_qos_profile(ep: &Endpoint<'_>, name: &str, buf: &mut [u8]) -> Result<usize, Error> {
    correlator(ep)?;
    validate::qos_profile_name(name).map_err(|problem| ValidationError { field: "name", problem })?;
    head(
        buf,
        ep,
        Method::Get,
        "/qos-profiles/v1/qos-profiles/",
        ("name", name),
        "",
    )
    .finish()
}

/// `POST {root}/qos-profiles/v1/retrieve-qos-profiles` with `body` (validated first; every member is a filter).
///
/// # Errors
/// As [`encode_create_session`].
pub fn encode_retrieve_qos_profiles(
    ep: &Endpoint<'_>,
    body: &QosProfileDeviceRequest,
    buf: &mut [u8],
) -> Result<usize, Error> {
    correlator(ep)?;
    body.validate()?;
    head(
        buf,
        ep,
        Method::Post,
        "/qos-profiles/v1/retrieve-qos-profiles",
        ("", ""),
        "",
    )
    .finish_json(|b| json::encode(body, b))
}

/// `createSession` response: 201 with a `SessionInfo`, decoded into `out`.
///
/// # Errors
/// [`ResponseError::Api`] for an `ErrorInfo` (400, 401, 403, 404, 409, 422, 429), otherwise
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
/// As [`decode_create_session`] (409 `QUALITY_ON_DEMAND.SESSION_EXTENSION_NOT_ALLOWED` when not `AVAILABLE`).
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

/// `retrieveSessionsByDevice` response: 200 with an array of `SessionInfo` (empty when the device has none).
///
/// # Errors
/// As [`decode_create_session`]; more sessions than [`limits::SESSIONS`](crate::limits::SESSIONS) is a decode
/// error (stream them with [`decode_retrieve_sessions_each`]).
pub fn decode_retrieve_sessions(status: u16, body: &[u8], out: &mut SessionList) -> Result<(), ResponseError> {
    decode_model(200, status, body, out)
}

/// `retrieveSessionsByDevice` response, streamed: each session of the 200 array is decoded into `scratch` in turn
/// and handed to `each`, so any number costs the RAM of one. Returns how many there were.
///
/// # Errors
/// As [`decode_create_session`].
pub fn decode_retrieve_sessions_each(
    status: u16,
    body: &[u8],
    scratch: &mut SessionInfo,
    each: &mut dyn FnMut(&SessionInfo),
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

/// `retrieveQoSProfiles` response: 200 with an array of `QosProfile`.
///
/// # Errors
/// As [`decode_create_session`]; more profiles than [`limits::PROFILES`](crate::limits::PROFILES) is a decode
/// error (stream them with [`decode_retrieve_qos_profiles_each`]).
pub fn decode_retrieve_qos_profiles(status: u16, body: &[u8], out: &mut QosProfileList) -> Result<(), ResponseError> {
    decode_model(200, status, body, out)
}

/// `retrieveQoSProfiles` response, streamed (see [`decode_retrieve_sessions_each`]).
///
/// # Errors
/// As [`decode_create_session`].
pub fn decode_retrieve_qos_profiles_each(
    status: u16,
    body: &[u8],
    scratch: &mut QosProfile,
    each: &mut dyn FnMut(&QosProfile),
) -> Result<usize, ResponseError> {
    decode_each(status, body, scratch, each)
}
