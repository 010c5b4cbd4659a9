//! The HTTP surface: the API under the base path, the token endpoint, and the layers every answer passes through
//! (request log, `ErrorInfo` for every error status).
use crate::auth::{self, Auth, BoundDevice, ClientId};
use crate::clock::Clock;
use crate::error::ApiError;
use crate::faults::{self, Faults};
use crate::input;
use crate::notify::Target;
use crate::profiles::seconds;
use crate::routes_v1;
use crate::store::{device_keys, Api, NewSession, Record, Store};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use bytes::Bytes;
use qod_core::model::{QosProfile, QosProfileStatus, SessionInfo, Webhook};
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;

/// Shared by the API handlers.
pub(crate) struct AppState {
    pub store: Arc<Store>,
    pub profiles: Vec<QosProfile>,
    /// The same catalogue as qos-profiles 1.1.0 describes it.
    pub profiles_v1: Vec<qod_core::v1::model::QosProfile>,
    pub clock: Arc<dyn Clock>,
}

type Shared = Arc<AppState>;
type ApiResult = Result<Response, ApiError>;

/// Builds the whole application.
pub(crate) fn router(
    state: Shared,
    auth: Arc<Auth>,
    faults: Arc<Faults>,
    base_path: &str,
    config: &crate::Config,
) -> Router {
    // Full paths rather than `nest`: nesting rewrites every request's URI, which costs an allocation per request.
    let at = |path: &str| format!("{base_path}{path}");
    let api = Router::new()
        .route(&at("/sessions"), post(create_session))
        .route(&at("/sessions/{id}"), get(get_session).delete(delete_session))
        .route(&at("/sessions/{id}/extend"), post(extend_session))
        .route(&at("/qos-profiles"), get(list_profiles))
        .route(&at("/qos-profiles/{name}"), get(get_profile))
        .with_state(state.clone());
    let api = protect(api, &auth, &faults);
    // 1.1.0 beside it, under the root; the x-correlator layer outside auth, so that a 401 echoes it too.
    let v1 = if config.v1 {
        protect(routes_v1::router(state.clone()), &auth, &faults).layer(from_fn(routes_v1::correlator))
    } else {
        Router::new()
    };
    let state_for_admin = state;
    let admin = if config.admin {
        Router::new()
            .route("/_sim/sessions", get(admin_sessions))
            .route("/_sim/sessions/{id}/terminate", post(admin_terminate))
            .with_state(state_for_admin)
    } else {
        Router::new()
    };
    let router = Router::new()
        .route("/oauth/token", post(auth::token_endpoint))
        .with_state(auth)
        .merge(api)
        .merge(v1)
        .merge(admin)
        .fallback(unknown_route);
    // Under a time scale every answer's `Date` is the simulated time, like `startedAt`/`expiresAt`: a client places
    // those on its own clock through it (hyper adds the real time only where no `Date` is set).
    let router = if config.clock.rate() == 1.0 {
        router
    } else {
        router.layer(from_fn_with_state(config.clock.clone(), simulated_date))
    };
    router
        // Request bodies are read into memory up to this bound; a larger one is a 413 (`ErrorInfo` via `outer`).
        .layer(DefaultBodyLimit::max(config.limits.max_body_bytes))
        .layer(from_fn(outer))
}

/// Auth (or the anonymous client) and fault injection around a set of API routes.
fn protect(api: Router, auth: &Arc<Auth>, faults: &Arc<Faults>) -> Router {
    // Without auth every request belongs to the anonymous client with a two-legged identity: plain extensions, no
    // token check.
    let api = match auth.anonymous() {
        Some(anonymous) => api.layer(Extension(anonymous)).layer(Extension(BoundDevice(None))),
        None => api.layer(from_fn_with_state(auth.clone(), auth::middleware)),
    };
    // Without fault rules the layer is left out altogether.
    if faults.is_empty() {
        api
    } else {
        let faults = faults.clone();
        api.layer(from_fn(move |req: Request, next: Next| {
            faults::middleware(faults.clone(), req, next)
        }))
    }
}

/// A stored v0.10.1 session as its `SessionInfo`.
fn session_info(r: &Record) -> SessionInfo {
    qod_core::fill!(SessionInfo {
        device: r.device.clone().unwrap_or_default(),
        application_server: r.application_server.clone(),
        device_ports: r.device_ports.clone(),
        application_server_ports: r.application_server_ports.clone(),
        qos_profile: r.qos_profile.clone(),
        webhook: r.target.as_ref().map(|t| qod_core::fill!(Webhook {
            notification_url: crate::error::truncated(&t.url),
            notification_auth_token: t.token.as_deref().and_then(|t| qod_core::Secret::new(t).ok()),
        })),
        session_id: crate::error::truncated(&r.session_id.to_string()),
        duration: r.duration,
        started_at: r.started_at.unwrap_or(r.expires_at - i64::from(r.duration)),
        expires_at: r.expires_at,
        qos_status: r.qos_status,
        messages: heapless::Vec::new(),
    })
}

/// `GET /_sim/sessions` (admin): every stored session with its owner and deadlines, and the simulated time.
async fn admin_sessions(State(st): State<Shared>) -> ApiResult {
    let now = st.clock.now_ms();
    let sessions = st.store.admin_list(now)?;
    json(
        StatusCode::OK,
        &serde_json::json!({ "now": now.div_euclid(1000), "nowMs": now, "sessions": sessions }),
    )
}

/// `POST /_sim/sessions/{id}/terminate` (admin): the network terminates the session now.
async fn admin_terminate(State(st): State<Shared>, Path(id): Path<String>) -> ApiResult {
    let id = session_id(&id)?;
    if st.store.force_terminate(&id, st.clock.now_ms())? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::session_not_found())
    }
}

async fn simulated_date(State(clock): State<Arc<dyn Clock>>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&crate::clock::http_date(clock.now_ms())) {
        res.headers_mut().insert(header::DATE, v);
    }
    res
}

pub(crate) fn json<T: Serialize>(status: StatusCode, value: &T) -> ApiResult {
    let body = serde_json::to_vec(value).map_err(|e| {
        tracing::error!(error = %e, "cannot serialize a response");
        ApiError::for_status(StatusCode::INTERNAL_SERVER_ERROR)
    })?;
    let mut res = (status, body).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(res)
}

/// A request body must be JSON: another declared media type is 415. A body sent without any `Content-Type` is read as
/// JSON (small clients often omit the header, and the spec documents no 415 for these operations), so it is judged
/// by its content: an empty or malformed body is a 400.
pub(crate) fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let ok = value
        .to_str()
        .ok()
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if ok {
        Ok(())
    } else {
        Err(ApiError::for_status(StatusCode::UNSUPPORTED_MEDIA_TYPE))
    }
}

/// A session id in its one accepted form: the hyphenated 8-4-4-4-12 UUID text (RFC 9562 §4). Hex digits are
/// case-insensitive on input (RFC 9562), and the simulator always writes them lower-case; the simple (32 digits),
/// braced and `urn:uuid:` forms are refused with 400, so every session has exactly one spelling up to case.
pub(crate) fn session_id(raw: &str) -> Result<Uuid, ApiError> {
    let b = raw.as_bytes();
    let hyphenated = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        });
    hyphenated
        .then(|| Uuid::try_parse(raw).ok())
        .flatten()
        .ok_or_else(|| ApiError::invalid("Invalid value specified: sessionId is not a UUID"))
}

async fn create_session(
    State(st): State<Shared>,
    Extension(ClientId(owner)): Extension<ClientId>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    require_json(&headers)?;
    let request = input::create_session(&body)?;
    let Some(profile) = st.profiles.iter().find(|p| p.name == request.qos_profile) else {
        return Err(ApiError::invalid(
            "Invalid value specified: qosProfile names no known QoS profile",
        ));
    };
    if profile.status != QosProfileStatus::Active {
        return Err(ApiError::invalid(format!(
            "Invalid value specified: qosProfile {} is {} and cannot be used for new sessions",
            profile.name, profile.status
        )));
    }
    let min = profile.min_duration.as_ref().and_then(seconds).unwrap_or(1);
    let max = profile
        .max_duration
        .as_ref()
        .and_then(seconds)
        .unwrap_or(86_400)
        .min(86_400);
    // The spec's default is the maximum (24 h); a profile allowing less caps it.
    let duration = request.duration.unwrap_or(u32::try_from(max).unwrap_or(86_400));
    if !(min..=max).contains(&u64::from(duration)) {
        return Err(ApiError::out_of_range(
            "The requested duration is out of the allowed range for the specific QoS profile",
        ));
    }
    let target = request.webhook.as_ref().map(|w| Target {
        api: Api::V0,
        url: w.notification_url.to_string(),
        token: w.notification_auth_token.as_ref().map(|t| t.expose().to_owned()),
    });
    let record = st.store.create(
        NewSession {
            api: Api::V0,
            keys: device_keys(&request.device),
            device: Some(request.device),
            application_server: request.application_server,
            device_ports: request.device_ports,
            application_server_ports: request.application_server_ports,
            qos_profile: request.qos_profile,
            target,
            duration,
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
    json(
        StatusCode::OK,
        &session_info(&st.store.get(&id, &owner, Api::V0, st.clock.now_ms())?),
    )
}

async fn delete_session(
    State(st): State<Shared>,
    Extension(ClientId(owner)): Extension<ClientId>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = session_id(&id)?;
    st.store.delete(&id, &owner, Api::V0, st.clock.now_ms())?;
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
    let req = input::extend_session(&body)?;
    let r = st.store.extend(
        &id,
        &owner,
        Api::V0,
        req.requested_additional_duration,
        st.clock.now_ms(),
    )?;
    json(StatusCode::OK, &session_info(&r))
}

async fn list_profiles(State(st): State<Shared>, RawQuery(query): RawQuery) -> ApiResult {
    let (mut name, mut status) = (None, None);
    for (k, v) in form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()) {
        match &*k {
            "name" => name = Some(v.into_owned()),
            // An unknown status matches no profile (404), as the operation documents no 400.
            "status" => status = Some(QosProfileStatus::from_wire(&v)),
            _ => {}
        }
    }
    let found: Vec<&QosProfile> = st
        .profiles
        .iter()
        .filter(|p| name.as_deref().is_none_or(|n| p.name == n))
        .filter(|p| status.is_none_or(|s| s != QosProfileStatus::Unknown && p.status == s))
        .collect();
    if found.is_empty() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "No QoS Profiles found",
        ));
    }
    json(StatusCode::OK, &found)
}

async fn get_profile(State(st): State<Shared>, Path(name): Path<String>) -> ApiResult {
    if let Err(p) = qod_core::validate::qos_profile_name(&name) {
        return Err(ApiError::invalid(format!(
            "Invalid value specified: name {}",
            p.description()
        )));
    }
    match st.profiles.iter().find(|p| p.name == name.as_str()) {
        Some(p) => json(StatusCode::OK, p),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "QosProfile Id does not exist",
        )),
    }
}

async fn unknown_route() -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "The requested resource does not exist",
    )
    .into_response()
}

/// The outermost layer: logs each request (method, path, status, time taken; never headers, which carry tokens) and
/// gives every error answer an `ErrorInfo` body, including the framework's own (405, 413, rejected extractors).
async fn outer(req: Request, next: Next) -> Response {
    if !tracing::enabled!(tracing::Level::INFO) {
        return error_info(next.run(req).await);
    }
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let res = error_info(next.run(req).await);
    tracing::info!(
        %method,
        %path,
        status = res.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    res
}

fn error_info(res: Response) -> Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return res;
    }
    let (mut parts, _) = res.into_parts();
    let body = ApiError::for_status(status).body();
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}
