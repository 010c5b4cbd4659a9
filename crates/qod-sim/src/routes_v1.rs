//! The 1.1.0 APIs: quality-on-demand at `/quality-on-demand/v1` and qos-profiles at `/qos-profiles/v1`, under the
//! origin's root, beside v0.10.1 (served under the configured base path).
//!
//! What 1.1.0 changes is here: the device rules of two-legged and device-bound tokens, `duration` within the
//! profile's range, 422 for a profile that cannot be used, `sink`/`sinkCredential` with their own error codes,
//! sessions found by device (`retrieve-sessions`), profiles filtered by a request body, `x-correlator` checked and
//! echoed (see [`correlator`]). The session life cycle itself is the store's.
use crate::auth::{BoundDevice, ClientId};
use crate::error::{truncated, ApiError};
use crate::input;
use crate::notify::Target;
use crate::routes::{json, require_json, session_id, AppState};
use crate::store::{device_keys, Api, NewSession, Record};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use bytes::Bytes;
use qod_core::common::{Device, QosProfileStatus, QosStatus};
use qod_core::time::DateTime;
use qod_core::v1::model as v1;
use std::sync::Arc;

type Shared = Arc<AppState>;
type ApiResult = Result<Response, ApiError>;

/// Where quality-on-demand 1.1.0 is under the root.
pub const QOD_V1: &str = "/quality-on-demand/v1";
/// Where qos-profiles 1.1.0 is under the root.
pub const PROFILES_V1: &str = "/qos-profiles/v1";

/// The 1.1.0 routes (without auth, faults or the correlator layer: the caller adds them).
pub(crate) fn router(state: Shared) -> Router {
    Router::new()
        .route(&format!("{QOD_V1}/sessions"), post(create_session))
        .route(
            &format!("{QOD_V1}/sessions/{{id}}"),
            get(get_session).delete(delete_session),
        )
        .route(&format!("{QOD_V1}/sessions/{{id}}/extend"), post(extend_session))
        .route(&format!("{QOD_V1}/retrieve-sessions"), post(retrieve_sessions))
        .route(&format!("{PROFILES_V1}/retrieve-qos-profiles"), post(retrieve_profiles))
        .route(&format!("{PROFILES_V1}/qos-profiles/{{name}}"), get(get_profile))
        .with_state(state)
}

/// `x-correlator` on the 1.1.0 APIs: a request's value must match `^[a-zA-Z0-9-_:;.\/<>{}]{0,256}$` (else 400
/// `INVALID_ARGUMENT`), and every answer, errors included, carries it back.
pub(crate) async fn correlator(req: Request, next: Next) -> Response {
    let value = match req.headers().get("x-correlator") {
        None => None,
        Some(v) => match v.to_str().ok().filter(|s| qod_core::validate::x_correlator(s).is_ok()) {
            Some(_) => Some(v.clone()),
            None => {
                return ApiError::invalid(
                    "Invalid value specified: x-correlator does not match ^[a-zA-Z0-9-_:;.\\/<>{}]{0,256}$",
                )
                .into_response()
            }
        },
    };
    let mut res = next.run(req).await;
    if let Some(v) = value {
        res.headers_mut().insert("x-correlator", v);
    }
    res
}

/// The device of a 1.1.0 request, as the spec's access-token rules decide it: with a two-legged token the request
/// must name it (422 `MISSING_IDENTIFIER`), with a device-bound one it must not (422 `UNNECESSARY_IDENTIFIER`).
/// A device named only by a `networkAccessIdentifier` is 422 `UNSUPPORTED_IDENTIFIER` (the spec keeps it for the
/// future).
fn subject(bound: &BoundDevice, requested: Option<&Device>) -> Result<Device, ApiError> {
    match (&bound.0, requested) {
        (Some(_), Some(_)) => Err(ApiError::unprocessable(
            "UNNECESSARY_IDENTIFIER",
            "The device is already identified by the access token.",
        )),
        (None, None) => Err(ApiError::unprocessable(
            "MISSING_IDENTIFIER",
            "The device cannot be identified.",
        )),
        (Some(d), None) => Ok((**d).clone()),
        (None, Some(d)) => {
            let only_nai = d.network_access_identifier.is_some()
                && d.phone_number.is_none()
                && d.ipv4_address.is_none()
                && d.ipv6_address.is_none();
            if only_nai {
                return Err(ApiError::unprocessable(
                    "UNSUPPORTED_IDENTIFIER",
                    "The identifier provided is not supported.",
                ));
            }
            Ok(d.clone())
        }
    }
}

/// The one identifier a `SessionInfo.device` (`DeviceResponse`, at most one member) shows: the first the request
/// gave of phone number, IPv4, IPv6, network access identifier.
fn one_identifier(d: &Device) -> Device {
    let mut out = Device::default();
    if let Some(p) = &d.phone_number {
        out.phone_number = Some(p.clone());
    } else if let Some(a) = &d.ipv4_address {
        out.ipv4_address = Some(a.clone());
    } else if let Some(a) = &d.ipv6_address {
        out.ipv6_address = Some(a.clone());
    } else {
        out.network_access_identifier = d.network_access_identifier.clone();
    }
    out
}

/// A stored session as 1.1.0's `SessionInfo`: `startedAt`/`expiresAt` only once it is no longer REQUESTED.
pub(crate) fn session_info(r: &Record) -> v1::SessionInfo {
    let requested = r.qos_status == QosStatus::Requested;
    qod_core::fill!(v1::SessionInfo {
        device: r.device.as_ref().map(one_identifier),
        application_server: r.application_server.clone(),
        device_ports: r.device_ports.clone(),
        application_server_ports: r.application_server_ports.clone(),
        qos_profile: r.qos_profile.clone(),
        sink: r.target.as_ref().map(|t| truncated(&t.url)),
        session_id: truncated(&r.session_id.to_string()),
        duration: r.duration.max(1),
        started_at: r.started_at.filter(|_| !requested).and_then(DateTime::from_unix),
        expires_at: (!requested).then(|| DateTime::from_unix(r.expires_at)).flatten(),
        qos_status: r.qos_status,
        status_info: r.status_info,
    })
}

async fn create_session(
    State(st): State<Shared>,
    Extension(ClientId(owner)): Extension<ClientId>,
    Extension(bound): Extension<BoundDevice>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    require_json(&headers)?;
    let request = input::create_session_v1(&body)?;
    let device = subject(&bound, request.device.as_ref())?;
    let Some(profile) = st.profiles.iter().find(|p| p.name == request.qos_profile) else {
        return Err(ApiError::invalid(
            "Invalid value specified: qosProfile names no known QoS profile",
        ));
    };
    if profile.status != QosProfileStatus::Active {
        return Err(ApiError::unprocessable(
            "QUALITY_ON_DEMAND.QOS_PROFILE_NOT_APPLICABLE",
            format!(
                "The requested QoS Profile is currently not available for session creation ({} is {}).",
                profile.name, profile.status
            ),
        ));
    }
    let min = profile.min_duration.as_ref().and_then(|d| d.seconds()).unwrap_or(1);
    let max = profile
        .max_duration
        .as_ref()
        .and_then(|d| d.seconds())
        .unwrap_or(i32::MAX as u64);
    if !(min..=max).contains(&u64::from(request.duration)) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "QUALITY_ON_DEMAND.DURATION_OUT_OF_RANGE",
            format!(
                "The requested duration is out of the allowed range for the specific QoS profile ({min} to {max} s)"
            ),
        ));
    }
    let target = request.sink.as_ref().map(|url| Target {
        api: Api::V1,
        url: url.to_string(),
        token: request
            .sink_credential
            .as_ref()
            .and_then(|c| c.access_token.as_ref())
            .map(|t| t.expose().to_owned()),
    });
    let record = st.store.create(
        NewSession {
            api: Api::V1,
            keys: device_keys(&device),
            // The response names the device only when the request did.
            device: request.device,
            application_server: request.application_server,
            device_ports: request.device_ports,
            application_server_ports: request.application_server_ports,
            qos_profile: request.qos_profile,
            target,
            duration: request.duration,
            max_duration_s: u32::try_from(max).unwrap_or(u32::MAX),
            owner,
        },
        st.clock.now_ms(),
    )?;
    json(StatusCode::CREATED, &session_info(&record))
}

async fn get_session(
    State(st): State<Shared>,
    Extension(ClientId(owner)): Extension<ClientId>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = session_id(&id)?;
    let r = st.store.get(&id, &owner, Api::V1, st.clock.now_ms())?;
    json(StatusCode::OK, &session_info(&r))
}

async fn delete_session(
    State(st): State<Shared>,
    Extension(ClientId(owner)): Extension<ClientId>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = session_id(&id)?;
    st.store.delete(&id, &owner, Api::V1, st.clock.now_ms())?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn extend_session(
    State(st): State<Shared>,
    Extension(ClientId(owner)): Extension<ClientId>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let id = session_id(&id)?;
    require_json(&headers)?;
    let req = input::extend_session_v1(&body)?;
    let r = st.store.extend(
        &id,
        &owner,
        Api::V1,
        req.requested_additional_duration,
        st.clock.now_ms(),
    )?;
    json(StatusCode::OK, &session_info(&r))
}

async fn retrieve_sessions(
    State(st): State<Shared>,
    Extension(ClientId(owner)): Extension<ClientId>,
    Extension(bound): Extension<BoundDevice>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    require_json(&headers)?;
    let req = input::retrieve_sessions_v1(&body)?;
    let device = subject(&bound, req.device.as_ref())?;
    let found = st.store.retrieve(&owner, &device_keys(&device), st.clock.now_ms())?;
    let list: Vec<v1::SessionInfo> = found.iter().map(session_info).collect();
    json(StatusCode::OK, &list)
}

async fn retrieve_profiles(
    State(st): State<Shared>,
    Extension(bound): Extension<BoundDevice>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    require_json(&headers)?;
    let req = input::retrieve_profiles_v1(&body)?;
    if bound.0.is_some() && req.device.is_some() {
        return Err(ApiError::unprocessable(
            "UNNECESSARY_IDENTIFIER",
            "The device is already identified by the access token.",
        ));
    }
    // Every profile is offered to every device here; the device is only checked.
    let found: Vec<&v1::QosProfile> = st
        .profiles_v1
        .iter()
        .filter(|p| req.name.as_ref().is_none_or(|n| p.name == *n))
        .filter(|p| req.status.is_none_or(|s| p.status == s))
        .collect();
    json(StatusCode::OK, &found)
}

async fn get_profile(State(st): State<Shared>, Path(name): Path<String>) -> ApiResult {
    if let Err(p) = qod_core::validate::qos_profile_name(&name) {
        return Err(ApiError::invalid(format!(
            "Invalid value specified: name {}",
            p.description()
        )));
    }
    match st.profiles_v1.iter().find(|p| p.name == name.as_str()) {
        Some(p) => json(StatusCode::OK, p),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The specified resource is not found.",
        )),
    }
}
