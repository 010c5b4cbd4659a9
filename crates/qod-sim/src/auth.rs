//! OAuth2 client-credentials: the token endpoint (`POST /oauth/token`) and bearer-token checks on API calls.
//!
//! Client authentication (RFC 6749 §2.3, RFC 7523 §2.2), exactly one method per request:
//! * `client_secret_basic`: `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))`, where the id and
//!   the secret are each application/x-www-form-urlencoded before the join, as RFC 6749 §2.3.1 says (so `+` is a
//!   space, `%2B` a plus, and a literal `&` or `=` is just a character);
//! * `client_secret_post`: `client_id` and `client_secret` form parameters;
//! * `private_key_jwt`: `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` and a
//!   `client_assertion` signed with the client's registered key (checks in [`crate::jwt`]).
//!
//! Tokens are random (two v4 UUIDs' worth of entropy), expire after the configured lifetime as judged by the
//! simulator's [`Clock`](crate::Clock), and map to the client that obtained them: that client owns the sessions it
//! creates. Neither tokens, secrets nor assertions are ever logged or put into an error message.
use crate::clock::Clock;
use crate::config::{ClientCredentials, Config};
use crate::error::ApiError;
use crate::jwt::{self, JwtClient, ReplayCache};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use bytes::Bytes;
use qod_core::common::{Device, DeviceIpv4Addr};
use qod_core::Validate;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The owner of sessions created without auth.
pub const ANONYMOUS: &str = "anonymous";

/// The authenticated client of a request, put into the request's extensions by [`middleware`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientId(pub Arc<str>);

/// The device a device-bound token (the simulator's stand-in for a three-legged token) identifies; `None` for a
/// two-legged token. Put into the request's extensions by [`middleware`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundDevice(pub Option<Arc<Device>>);

/// The device a token request's `login_hint` names, in CAMARA's formats: `tel:+<E.164>` (phone number),
/// `ipport:<IPv4>:<port>` (public address and port), `ip:<IPv4>` (public = private address) or `ip:<IPv6>`.
/// `None` when it is none of these or breaks 1.1.0's identifier rules.
pub(crate) fn login_hint_device(hint: &str) -> Option<Device> {
    let mut d = Device::default();
    if let Some(phone) = hint.strip_prefix("tel:") {
        d.phone_number = Some(phone.try_into().ok()?);
    } else if let Some(rest) = hint.strip_prefix("ipport:") {
        let (addr, port) = rest.rsplit_once(':')?;
        d.ipv4_address = Some(qod_core::fill!(DeviceIpv4Addr {
            public_address: Some(addr.try_into().ok()?),
            private_address: None,
            public_port: Some(port.parse().ok()?),
        }));
    } else if let Some(ip) = hint.strip_prefix("ip:") {
        if ip.contains(':') {
            d.ipv6_address = Some(ip.try_into().ok()?);
        } else {
            d.ipv4_address = Some(qod_core::fill!(DeviceIpv4Addr {
                public_address: Some(ip.try_into().ok()?),
                private_address: Some(ip.try_into().ok()?),
                public_port: None,
            }));
        }
    } else {
        return None;
    }
    qod_core::fill!(qod_core::v1::model::RetrieveSessionsInput {
        device: Some(d.clone()),
    })
    .validate()
    .ok()
    .map(|()| d)
}

/// What an issued token stands for: (client, expiry in ms, the device a device-bound token identifies).
type Issued = (Arc<str>, i64, Option<Arc<Device>>);

/// Registered clients and issued tokens.
pub(crate) struct Auth {
    enabled: bool,
    clients: Vec<ClientCredentials>,
    jwt_clients: Vec<JwtClient>,
    /// `http` or `https`: the scheme of the token endpoint's URL (a client assertion's `aud`).
    scheme: &'static str,
    replay: ReplayCache,
    lifetime_ms: i64,
    clock: Arc<dyn Clock>,
    tokens: Mutex<HashMap<String, Issued>>,
    anonymous: Arc<str>,
}

impl Auth {
    pub(crate) fn new(config: &Config, scheme: &'static str) -> Self {
        Self {
            enabled: config.auth.enabled,
            clients: config.auth.clients.clone(),
            jwt_clients: config.auth.jwt_clients.clone(),
            scheme,
            replay: ReplayCache::default(),
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

    /// The client a bearer token belongs to (and the device it is bound to), if it is known and not expired.
    fn check(&self, token: &str) -> Result<(Arc<str>, Option<Arc<Device>>), &'static str> {
        let now = self.clock.now_ms();
        let tokens = self.tokens.lock().map_err(|_| "token store unavailable")?;
        match tokens.get(token) {
            Some((client, expires, device)) if now < *expires => Ok((client.clone(), device.clone())),
            Some(_) => Err("access token expired"),
            None => Err("invalid access token"),
        }
    }

    fn issue(&self, client: &str, device: Option<Device>) -> (String, u64) {
        let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        let now = self.clock.now_ms();
        let expires = now.saturating_add(self.lifetime_ms);
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.retain(|_, (_, e, _)| *e > now);
            tokens.insert(token.clone(), (Arc::from(client), expires, device.map(Arc::new)));
        }
        (token, u64::try_from(self.lifetime_ms / 1000).unwrap_or(0))
    }

    fn client_matches(&self, id: &str, secret: &str) -> bool {
        // Constant-time per byte of the secret, so a wrong guess reveals nothing by its timing.
        self.clients.iter().any(|c| {
            c.id == id
                && c.secret.len() == secret.len()
                && c.secret
                    .bytes()
                    .zip(secret.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        })
    }
}

/// Checks `Authorization: Bearer <token>` and records the client in the request's extensions.
pub(crate) async fn middleware(State(auth): State<Arc<Auth>>, mut req: Request, next: Next) -> Response {
    let (client, device) = if auth.enabled {
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
        (auth.anonymous.clone(), None)
    };
    req.extensions_mut().insert(ClientId(client));
    req.extensions_mut().insert(BoundDevice(device));
    next.run(req).await
}

/// An OAuth2 error (RFC 6749 §5.2): `error` and `error_description`, plus the members of a CAMARA `ErrorInfo`
/// (`status`, `code`, `message`) so clients that expect either can read it. A 401 carries `WWW-Authenticate: Basic`.
fn oauth_error(status: StatusCode, error: &str, message: &str) -> Response {
    let code = match status {
        StatusCode::UNAUTHORIZED => "UNAUTHENTICATED",
        _ => "INVALID_ARGUMENT",
    };
    let body = serde_json::json!({
        "error": error,
        "error_description": message,
        "status": status.as_u16(),
        "code": code,
        "message": message,
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

fn invalid_client(message: &str) -> Response {
    oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", message)
}

fn invalid_request(message: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", message)
}

/// Decodes one application/x-www-form-urlencoded value: `+` is a space, `%XX` a byte, every other byte itself. `None`
/// for a bad `%` escape or a result that is not UTF-8.
pub(crate) fn form_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = b.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(
                    u8::from_str_radix(hex, 16)
                        .ok()
                        .filter(|_| hex.bytes().all(|c| c.is_ascii_hexdigit()))?,
                );
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// What the `Authorization` header of a token request holds.
enum BasicAuth {
    /// No `Authorization: Basic` header.
    Absent,
    /// A Basic header that does not decode (base64, the `:`, the form-encoding).
    Malformed,
    /// The decoded client id and secret.
    Credentials(String, String),
}

/// Decodes `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> BasicAuth {
    let Some(v) = headers.get(header::AUTHORIZATION) else {
        return BasicAuth::Absent;
    };
    let Some((scheme, b64)) = v.to_str().ok().and_then(|v| v.split_once(' ')) else {
        return BasicAuth::Malformed;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return BasicAuth::Malformed;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()
        .and_then(|raw| String::from_utf8(raw).ok());
    let Some(raw) = decoded else {
        return BasicAuth::Malformed;
    };
    // The encoded id cannot hold a `:` (it would be %3A), so the first `:` separates id and secret.
    let Some((id, secret)) = raw.split_once(':') else {
        return BasicAuth::Malformed;
    };
    match (form_decode(id), form_decode(secret)) {
        (Some(id), Some(secret)) if !id.is_empty() => BasicAuth::Credentials(id, secret),
        _ => BasicAuth::Malformed,
    }
}

/// The token endpoint's URL as the client reached it: this listener's scheme, the request's `Host`.
fn endpoint_url(scheme: &str, headers: &HeaderMap, uri: &axum::http::Uri) -> Option<String> {
    let host = uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| headers.get(header::HOST)?.to_str().ok().map(str::to_owned))?;
    Some(format!("{scheme}://{host}/oauth/token"))
}

/// The `client_assertion_type` of RFC 7523 client authentication.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The `iss` of an assertion, read without verifying it (only to find the client's key).
fn unverified_issuer(assertion: &str) -> Option<String> {
    let claims = assertion.split('.').nth(1)?;
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&claims).ok()?;
    v.get("iss")?.as_str().map(str::to_owned)
}

fn wall_clock_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `scope` as RFC 6749 §3.3 allows: space-separated tokens of %x21 / %x23-5B / %x5D-7E.
fn scope_ok(scope: &str) -> bool {
    !scope.is_empty()
        && scope.split(' ').all(|t| {
            !t.is_empty()
                && t.bytes()
                    .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
        })
}

/// `POST /oauth/token`: the client-credentials grant.
pub(crate) async fn token_endpoint(
    State(auth): State<Arc<Auth>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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
    let mut params: HashMap<String, String> = HashMap::new();
    for (k, v) in form_urlencoded::parse(&body) {
        if params.contains_key(&*k) {
            // RFC 6749 §3.2: parameters MUST NOT be included more than once. Only the name is quoted (values may be
            // secrets); names longer than a known parameter are not worth echoing.
            let name: String = k.chars().take(32).collect();
            return invalid_request(&format!("Parameter {name:?} is repeated"));
        }
        params.insert(k.into_owned(), v.into_owned());
    }
    match params.get("grant_type").map(String::as_str) {
        None => return invalid_request("Expected property is missing: grant_type"),
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Only grant_type=client_credentials is supported",
            )
        }
    }
    if let Some(scope) = params.get("scope") {
        if !scope_ok(scope) {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", "The scope is malformed");
        }
    }
    let basic = basic_credentials(&headers);
    let body_id = params.get("client_id");
    let body_secret = params.get("client_secret");
    let assertion = params.get("client_assertion");
    let assertion_type = params.get("client_assertion_type");
    let methods = usize::from(!matches!(basic, BasicAuth::Absent))
        + usize::from(body_secret.is_some())
        + usize::from(assertion.is_some() || assertion_type.is_some());
    if methods > 1 {
        return invalid_request("Use exactly one client authentication method");
    }
    let (client, method) = match basic {
        BasicAuth::Malformed => return invalid_client("Malformed HTTP Basic client credentials"),
        BasicAuth::Credentials(id, secret) => {
            if body_id.is_some_and(|b| *b != id) {
                return invalid_request("client_id differs from the HTTP Basic client id");
            }
            if !auth.client_matches(&id, &secret) {
                tracing::warn!(client_id = ?id, method = "client_secret_basic", "token request with unknown client or wrong secret");
                return invalid_client("Client authentication failed");
            }
            (id, "client_secret_basic")
        }
        BasicAuth::Absent => match (assertion_type, assertion, body_id, body_secret) {
            (Some(t), _, _, _) if t != JWT_BEARER => return invalid_request("Unsupported client_assertion_type"),
            (Some(_), None, _, _) => return invalid_request("Expected property is missing: client_assertion"),
            (None, Some(_), _, _) => return invalid_request("Expected property is missing: client_assertion_type"),
            (Some(_), Some(a), id, _) => {
                let Some(iss) = unverified_issuer(a) else {
                    return invalid_client("client assertion is not a JWT with an iss");
                };
                if id.is_some_and(|id| *id != iss) {
                    return invalid_client("client_id differs from the client assertion's iss");
                }
                let Some(client) = auth.jwt_clients.iter().find(|c| c.id == iss) else {
                    tracing::warn!(client_id = ?iss, method = "private_key_jwt", "token request from an unknown client");
                    return invalid_client("Client authentication failed");
                };
                let Some(url) = endpoint_url(auth.scheme, &headers, &uri) else {
                    return invalid_request("The token request has no Host");
                };
                if let Err(why) = jwt::verify(a, client, &url, wall_clock_s(), &auth.replay) {
                    tracing::warn!(client_id = ?iss, method = "private_key_jwt", reason = why, "client assertion refused");
                    return invalid_client(why);
                }
                (iss, "private_key_jwt")
            }
            (None, None, Some(id), Some(secret)) => {
                if !auth.client_matches(id, secret) {
                    tracing::warn!(client_id = ?id, method = "client_secret_post", "token request with unknown client or wrong secret");
                    return invalid_client("Client authentication failed");
                }
                (id.clone(), "client_secret_post")
            }
            _ => return invalid_client("Client authentication failed: no client credentials"),
        },
    };
    // A `login_hint` makes a device-bound token: the simulator's stand-in for a three-legged one.
    let device = match params.get("login_hint") {
        None => None,
        Some(hint) => match login_hint_device(hint) {
            Some(d) => Some(d),
            None => {
                return invalid_request("login_hint must be tel:+<E.164>, ipport:<IPv4>:<port>, ip:<IPv4> or ip:<IPv6>")
            }
        },
    };
    let bound = device.is_some();
    let (token, expires_in) = auth.issue(&client, device);
    tracing::info!(client_id = ?client, method, expires_in, device_bound = bound, "issued access token");
    let mut body = serde_json::json!({ "access_token": token, "token_type": "Bearer", "expires_in": expires_in });
    if let Some(scope) = params.get("scope") {
        body["scope"] = serde_json::Value::from(scope.as_str());
    }
    let mut res = (StatusCode::OK, body.to_string()).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_form_decode() {
        assert_eq!(form_decode("a+b%2B%25c").as_deref(), Some("a b+%c"));
        assert_eq!(form_decode("a&b=c").as_deref(), Some("a&b=c"));
        assert_eq!(form_decode("%C3%A9").as_deref(), Some("é"));
        assert_eq!(form_decode("%zz"), None);
        assert_eq!(form_decode("%4"), None);
        assert_eq!(form_decode("%+1"), None);
        assert_eq!(form_decode("%FF"), None);
    }

    #[test]
    fn test_basic_credentials() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::AUTHORIZATION, HeaderValue::from_str(v).unwrap());
            m
        };
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        match basic_credentials(&h(&format!("Basic {}", b64("a%26b%3Dc:s+p%2B%3A")))) {
            BasicAuth::Credentials(id, secret) => assert_eq!((id.as_str(), secret.as_str()), ("a&b=c", "s p+:")),
            _ => panic!("not decoded"),
        }
        match basic_credentials(&h(&format!("basic {}", b64("a&b=c:x:y")))) {
            BasicAuth::Credentials(id, secret) => assert_eq!((id.as_str(), secret.as_str()), ("a&b=c", "x:y")),
            _ => panic!("not decoded"),
        }
        for bad in [
            "Basic !!!",
            "Basic",
            &format!("Basic {}", b64("nocolon")),
            &format!("Basic {}", b64("a:%zz")),
        ] {
            assert!(matches!(basic_credentials(&h(bad)), BasicAuth::Malformed), "{bad}");
        }
        assert!(matches!(basic_credentials(&HeaderMap::new()), BasicAuth::Absent));
    }

    #[test]
    fn test_scope_syntax() {
        assert!(scope_ok("qod:sessions:create qod:sessions:read"));
        assert!(!scope_ok("a  b"));
        assert!(!scope_ok("a\"b"));
        assert!(!scope_ok(""));
    }
}
