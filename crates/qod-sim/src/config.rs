//! [`Config`]: everything a simulator run can be told.
use crate::clock::{Clock, SystemClock};
use crate::conns::ConnLimits;
use crate::faults::FaultConfig;
use crate::jwt::JwtClient;
use crate::tls::TlsConfig;
use qod_core::model::QosProfile;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The id of the demo client that `qod demo` registers and uses. The simulator never accepts it implicitly: a
/// client must be registered ([`AuthConfig::clients`]) to get a token.
pub const DEFAULT_CLIENT_ID: &str = "demo-client";
/// The secret of [`DEFAULT_CLIENT_ID`] (a published development value; never use it anywhere real).
pub const DEFAULT_CLIENT_SECRET: &str = "demo-secret";

/// OAuth2 client credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    /// `client_id`.
    pub id: String,
    /// `client_secret` (never logged; `Debug` redacts it).
    pub secret: String,
}

impl ClientCredentials {
    /// Credentials from an id and a secret.
    pub fn new(id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            secret: secret.into(),
        }
    }
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl std::str::FromStr for ClientCredentials {
    type Err = String;

    /// Parses `ID:SECRET` (the id cannot contain `:`; the secret can). The error never quotes the input.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once(':') {
            Some((id, secret)) if !id.is_empty() && !secret.is_empty() => Ok(Self::new(id, secret)),
            _ => Err("expected ID:SECRET".into()),
        }
    }
}

impl ClientCredentials {
    /// Parses a client file: one `ID:SECRET` per line; empty lines and lines starting with `#` are skipped.
    ///
    /// # Errors
    /// A message naming the first bad line by its number (never its content).
    pub fn parse_file(text: &str) -> Result<Vec<Self>, String> {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            out.push(line.parse().map_err(|e| format!("line {}: {e}", i + 1))?);
        }
        Ok(out)
    }
}

/// Authentication settings.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Require `Authorization: Bearer <token>` on every API call.
    pub enabled: bool,
    /// Clients that authenticate with a secret (`client_secret_basic`, `client_secret_post`). None by default:
    /// with auth on and no client registered, every token request is refused.
    pub clients: Vec<ClientCredentials>,
    /// Clients that authenticate with a signed assertion (`private_key_jwt`, ES256 or RS256).
    pub jwt_clients: Vec<JwtClient>,
    /// Lifetime of issued access tokens (judged by the configured clock, so it runs in simulated time).
    pub token_lifetime: Duration,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            clients: Vec::new(),
            jwt_clients: Vec::new(),
            token_lifetime: Duration::from_secs(3600),
        }
    }
}

impl AuthConfig {
    /// Auth on with the one client `id`/`secret`.
    pub fn with_client(id: &str, secret: &str) -> Self {
        Self {
            clients: vec![ClientCredentials::new(id, secret)],
            ..Self::default()
        }
    }

    /// Whether any client is registered.
    pub fn has_clients(&self) -> bool {
        !self.clients.is_empty() || !self.jwt_clients.is_empty()
    }
}

/// Which sessions the simulated network terminates (`qosStatus` UNAVAILABLE, `statusInfo` NETWORK_TERMINATED).
#[derive(Debug, Clone)]
pub struct TerminationConfig {
    /// Every session of this QoS profile is terminated.
    pub profile: Option<String>,
    /// Besides, each new session is terminated with this probability (0.0–1.0), drawn from a RNG seeded with `seed`.
    pub probability: f64,
    /// Seed of the termination RNG (runs with the same seed and request order terminate the same sessions).
    pub seed: u64,
    /// `None`: the network fails to provide the session (REQUESTED → UNAVAILABLE when it would have become
    /// AVAILABLE). `Some(d)`: the session becomes AVAILABLE, then the network terminates it `d` after its start.
    pub after: Option<Duration>,
    /// With [`after`](Self::after): terminate at a time drawn uniformly from `after..=after_max` after the start
    /// (from the seeded RNG) instead of exactly at `after`.
    pub after_max: Option<Duration>,
    /// How long a terminated session stays readable before it is deleted (the spec: at earliest 360 s).
    pub retention: Duration,
}

impl Default for TerminationConfig {
    fn default() -> Self {
        Self {
            profile: None,
            probability: 0.0,
            seed: 0,
            after: None,
            after_max: None,
            retention: Duration::from_secs(360),
        }
    }
}

/// Notification delivery settings.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// Delivery attempts per event (at least 1).
    pub max_attempts: u32,
    /// Delay before the first retry; doubled for each further retry.
    pub initial_backoff: Duration,
    /// Upper bound of the retry delay.
    pub max_backoff: Duration,
    /// Timeout of one delivery attempt.
    pub timeout: Duration,
    /// CA certificates (PEM) trusted for `https://` receivers besides the system's (e.g. a test CA; 1.1.0 sinks
    /// are https only).
    pub extra_roots: Vec<String>,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            timeout: Duration::from_secs(5),
            extra_roots: Vec::new(),
        }
    }
}

/// A simulator run's settings. `Config::default()` listens on `127.0.0.1:0`, serves v0.10.1 under `/qod/v0` and
/// 1.1.0 under `/quality-on-demand/v1` and `/qos-profiles/v1`, with auth on.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port; [`RunningSim`](crate::RunningSim) tells which).
    pub listen: SocketAddr,
    /// Base path of the API (`/qod/v0`); `""` or `"/"` serves it at the root.
    pub base_path: String,
    /// The URL clients use to reach the base path, for CloudEvent `source`s; default `http://<bound address><base>`.
    pub public_url: Option<String>,
    /// Authentication.
    pub auth: AuthConfig,
    /// Time from REQUESTED to AVAILABLE (zero: sessions are AVAILABLE at once).
    pub requested_delay: Duration,
    /// Network-termination mode.
    pub termination: TerminationConfig,
    /// Webhook delivery.
    pub notify: NotifyConfig,
    /// Fault injection (off by default).
    pub faults: FaultConfig,
    /// The QoS profile catalogue ([`default_catalogue`](crate::profiles::default_catalogue) by default).
    pub profiles: Vec<QosProfile>,
    /// The clock every deadline is judged by ([`ScaledClock`](crate::ScaledClock) for a time scale).
    pub clock: Arc<dyn Clock>,
    /// HTTPS on the listener (`None`: plain HTTP).
    pub tls: Option<TlsConfig>,
    /// Connection cap, timeouts and request-size bounds.
    pub limits: ConnLimits,
    /// Serve quality-on-demand 1.1.0 and qos-profiles 1.1.0 at `/quality-on-demand/v1` and `/qos-profiles/v1`
    /// beside v0.10.1 (on by default).
    pub v1: bool,
    /// Serve the admin endpoints under `/_sim` (every client's sessions, forced termination). Test aid: never
    /// expose it.
    pub admin: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            base_path: "/qod/v0".into(),
            public_url: None,
            auth: AuthConfig::default(),
            requested_delay: Duration::ZERO,
            termination: TerminationConfig::default(),
            notify: NotifyConfig::default(),
            faults: FaultConfig::default(),
            profiles: crate::profiles::default_catalogue(),
            clock: Arc::new(SystemClock),
            tls: None,
            limits: ConnLimits::default(),
            admin: false,
            v1: true,
        }
    }
}

impl Config {
    /// The base path normalised: `""` for the root, else a leading `/` and no trailing `/`.
    pub fn normalized_base_path(&self) -> String {
        let t = self.base_path.trim_matches('/');
        if t.is_empty() {
            String::new()
        } else {
            format!("/{t}")
        }
    }

    /// Checks what [`serve`](crate::serve) cannot work with: the base path ([`validate_base_path`]), the
    /// termination window, the connection limits.
    ///
    /// # Errors
    /// A message naming the offending setting.
    pub fn validate(&self) -> Result<(), String> {
        validate_base_path(&self.base_path)?;
        let base = self.normalized_base_path();
        if self.v1
            && ["/quality-on-demand", "/qos-profiles"]
                .iter()
                .any(|v1| base == *v1 || base.starts_with(&format!("{v1}/")))
        {
            return Err(
                "the base path of v0.10.1 would overlap the 1.1.0 APIs (/quality-on-demand, /qos-profiles)".into(),
            );
        }
        if let (Some(a), Some(b)) = (self.termination.after, self.termination.after_max) {
            if b < a {
                return Err("termination after_max is before after".into());
            }
        }
        if self.limits.max_connections == 0 {
            return Err("max_connections must be at least 1".into());
        }
        if self.limits.idle_timeout.is_zero() || self.limits.request_timeout.is_zero() {
            return Err("idle and request timeouts must be positive".into());
        }
        Ok(())
    }
}

/// The longest base path accepted.
pub const MAX_BASE_PATH: usize = 128;

/// Checks a base path: at most [`MAX_BASE_PATH`] bytes of `/`-separated segments of ASCII letters, digits, `-`, `.`,
/// `_` and `~` (RFC 3986 unreserved characters), no empty, `.` or `..` segment. `""` and `"/"` are the root; leading
/// and trailing slashes are optional. Anything else (spaces, control characters, `?`, `#`, `%`, `{`, `:` …) would
/// break routing or the base-URL line, and is refused.
///
/// # Errors
/// A message saying what is wrong (it quotes no input).
pub fn validate_base_path(path: &str) -> Result<(), String> {
    if path.len() > MAX_BASE_PATH {
        return Err(format!("base path is longer than {MAX_BASE_PATH} bytes"));
    }
    let t = path.trim_matches('/');
    if t.is_empty() {
        return Ok(());
    }
    for seg in t.split('/') {
        if seg.is_empty() || seg == "." || seg == ".." {
            return Err("base path has an empty, `.` or `..` segment".into());
        }
        if !seg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
        {
            return Err(
                "base path may only hold ASCII letters, digits, `-`, `.`, `_`, `~` and `/` between segments".into(),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_base_path_rules() {
        for ok in ["", "/", "/qod/v0", "qod/v0", "/qod/v0/", "/a-b_c.d~e/v0.10"] {
            assert_eq!(validate_base_path(ok), Ok(()), "{ok:?}");
        }
        for bad in [
            "/qod v0", "/qod\nv0", "/q?x", "/q#x", "/q%20", "/{id}", "/:id", "/*x", "/a//b", "/../x", "/./x", "/qöd",
        ] {
            assert!(validate_base_path(bad).is_err(), "{bad:?}");
        }
        assert!(validate_base_path(&format!("/{}", "a".repeat(200))).is_err());
    }

    #[test]
    fn test_client_file() {
        let c = ClientCredentials::parse_file("# comment\n\ngw:s3cret:with:colons\n  other:x  \n").unwrap();
        assert_eq!(
            c,
            [
                ClientCredentials::new("gw", "s3cret:with:colons"),
                ClientCredentials::new("other", "x")
            ]
        );
        let e = ClientCredentials::parse_file("ok:1\nno-colon-secret\n").unwrap_err();
        assert_eq!(e, "line 2: expected ID:SECRET");
    }
}
