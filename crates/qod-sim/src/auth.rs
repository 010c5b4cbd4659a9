//! OAuth2 client-credentials: the token endpoint (`POST /oauth/token`) and bearer-token checks on API calls.
//!
//! Tokens are random (two v4 UUIDs' worth of entropy), expire after the configured lifetime as judged by the
//! simulator's [`Clock`](crate::Clock), and map to the client that obtained them: that client owns the sessions it
//! creates. Neither tokens nor secrets are ever logged.
use crate::clock::Clock;
use crate::config::{ClientCredentials, Config};
use crate::error::ApiError;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The owner of sessions created without auth.
pub const ANONYMOUS: &str = "anonymous";

/// The authenticated client of a request, put into the request's extensions by [`middleware`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientId(pub Arc<str>);

/// Registered clients and issued tokens.
pub(crate) struct Auth {
    enabled: bool,
    clients: Vec<ClientCredentials>,
    lifetime_ms: i64,
    clock: Arc<dyn Clock>,
    tokens: Mutex<HashMap<String, (Arc<str>, i64)>>,
    anonymous: Arc<str>,
}

impl Auth {
    pub(crate) fn new(config: &Config) -> Self {
        Self {
            enabled: config.auth.enabled,
            clients: config.effective_clients(),
            lifetime_ms: i64::try_from(config.auth.token_lifetime.as_millis()).unwrap_or(i64::MAX),
            clock: config.clock.clone(),
            tokens: Mutex::new(HashMap::new()),
            anonymous: Arc::from(ANONYMOUS),
        }
    }

    /// With auth off, the identity every request gets; `None` when tokens are checked.
    pub(crate) fn anonymous(&self) -> Option<ClientId> {
        (!self.enabled).then(|| ClientId(self.anonymous.clone()))
    }

    /// The client a bearer token belongs to, if it is known and not expired.
    fn check(&self, token: &str) -> Result<Arc<str>, &'static str> {
        let now = self.clock.now_ms();
        let tokens = self.tokens.lock().map_err(|_| "token store unavailable")?;
        match tokens.get(token) {
            Some((client, expires)) if now < *expires => Ok(client.clone()),
            Some(_) => Err("access token expired"),
            None => Err("invalid access token"),
        }
    }

    fn issue(&self, client: &str) -> (String, u64) {
        let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        let now = self.clock.now_ms();
        let expires = now.saturating_add(self.lifetime_ms);
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.retain(|_, (_, e)| *e > now);
            tokens.insert(token.clone(), (Arc::from(client), expires));
        }
        (token, u64::try_from(self.lifetime_ms / 1000).unwrap_or(0))
    }

    fn client_matches(&self, id: &str, secret: &str) -> bool {
        self.clients.iter().any(|c| c.id == id && c.secret == secret)
    }
}

/// Checks `Authorization: Bearer <token>` and records the client in the request's extensions.
pub(crate) async fn middleware(State(auth): State<Arc<Auth>>, mut req: Request, next: Next) -> Response {
    let client = if auth.enabled {
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim());
        let Some(token) = token else {
            return ApiError::unauthenticated("missing bearer token").into_response();
        };
        match auth.check(token) {
            Ok(c) => c,
            Err(why) => return ApiError::unauthenticated(why).into_response(),
        }
    } else {
        auth.anonymous.clone()
    };
    req.extensions_mut().insert(ClientId(client));
    next.run(req).await
}

/// An OAuth2 error (RFC 6749 §5.2), sent as an `ErrorInfo` that also carries the RFC's `error` member.
fn oauth_error(status: StatusCode, error: &str, message: &str) -> Response {
    let code = match status {
        StatusCode::UNAUTHORIZED => "UNAUTHENTICATED",
        _ => "INVALID_ARGUMENT",
    };
    let body = serde_json::json!({
        "status": status.as_u16(),
        "code": code,
        "message": message,
        "error": error,
        "error_description": message,
    });
    let mut res = (status, body.to_string()).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::UNAUTHORIZED {
        h.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"qod-sim\""),
        );
    }
    res
}

/// Decodes `Authorization: Basic base64(urlencode(id):urlencode(secret))`.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, b64) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()?;
    let raw = String::from_utf8(raw).ok()?;
    let (id, secret) = raw.split_once(':')?;
    let decode = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((decode(id)?, decode(secret)?))
}

/// `POST /oauth/token`: the client-credentials grant.
pub(crate) async fn token_endpoint(State(auth): State<Arc<Auth>>, headers: HeaderMap, body: Bytes) -> Response {
    let form_ok = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !form_ok {
        return oauth_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_request",
            "The token request must be application/x-www-form-urlencoded",
        );
    }
    let mut grant = None;
    let (mut id, mut secret) = (None, None);
    for (k, v) in form_urlencoded::parse(&body) {
        match &*k {
            "grant_type" => grant = Some(v.into_owned()),
            "client_id" => id = Some(v.into_owned()),
            "client_secret" => secret = Some(v.into_owned()),
            _ => {}
        }
    }
    match grant.as_deref() {
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Expected property is missing: grant_type",
            )
        }
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Only grant_type=client_credentials is supported",
            )
        }
    }
    let (id, secret) = match (basic_credentials(&headers), id, secret) {
        (Some(basic), _, _) => basic,
        (None, Some(id), Some(secret)) => (id, secret),
        _ => {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Client authentication failed",
            )
        }
    };
    if !auth.client_matches(&id, &secret) {
        tracing::warn!(client_id = ?id, "token request with unknown client or wrong secret");
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        );
    }
    let (token, expires_in) = auth.issue(&id);
    tracing::info!(client_id = %id, expires_in, "issued access token");
    let body = serde_json::json!({ "access_token": token, "token_type": "Bearer", "expires_in": expires_in });
    let mut res = (StatusCode::OK, body.to_string()).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
