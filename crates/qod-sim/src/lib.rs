#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod auth;
pub mod clock;
pub mod config;
mod conns;
mod error;
pub mod faults;
mod input;
pub mod jwt;
pub mod notify;
pub mod pki;
pub mod profiles;
mod routes;
mod routes_v1;
mod server;
mod store;
pub mod tls;

pub use auth::{ANONYMOUS, JWT_BEARER};
pub use clock::{Clock, ManualClock, ScaledClock, SystemClock};
pub use config::{
    validate_base_path, AuthConfig, ClientCredentials, Config, NotifyConfig, TerminationConfig, DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
};
pub use conns::ConnLimits;
pub use error::ApiError;
pub use faults::{FaultConfig, FaultKind, FaultRule, Trigger};
pub use jwt::JwtClient;
pub use server::{serve, RunningSim};
pub use store::MAX_REMAINING_S;
pub use tls::{TlsConfig, TlsIdentity, TlsVersions};
