//! [`Config`]: everything a simulator run can be told.
use crate::clock::{Clock, SystemClock};
use crate::faults::FaultConfig;
use qod_core::model::QosProfile;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The client the simulator accepts when auth is on and no client was configured (a development default, documented
/// in the README; never use it anywhere real).
pub const DEFAULT_CLIENT_ID: &str = "demo-client";
/// The secret of [`DEFAULT_CLIENT_ID`].
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

    /// Parses `ID:SECRET`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once(':') {
            Some((id, secret)) if !id.is_empty() && !secret.is_empty() => Ok(Self::new(id, secret)),
            _ => Err("expected ID:SECRET".into()),
        }
    }
}

/// Authentication settings.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Require `Authorization: Bearer <token>` on every API call.
    pub enabled: bool,
    /// Registered clients; when empty and auth is on, [`DEFAULT_CLIENT_ID`]/[`DEFAULT_CLIENT_SECRET`] is used.
    pub clients: Vec<ClientCredentials>,
    /// Lifetime of issued access tokens (judged by the configured clock).
    pub token_lifetime: Duration,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            clients: Vec::new(),
            token_lifetime: Duration::from_secs(3600),
        }
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
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            timeout: Duration::from_secs(5),
        }
    }
}

/// A simulator run's settings. `Config::default()` listens on `127.0.0.1:0` under `/qod/v0` with auth on.
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
    /// The clock every deadline is judged by.
    pub clock: Arc<dyn Clock>,
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

    /// The registered clients, with the default client when auth is on and none was given.
    pub fn effective_clients(&self) -> Vec<ClientCredentials> {
        if self.auth.clients.is_empty() {
            vec![ClientCredentials::new(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)]
        } else {
            self.auth.clients.clone()
        }
    }
}
