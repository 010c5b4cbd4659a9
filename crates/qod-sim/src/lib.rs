#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod auth;
pub mod clock;
pub mod config;
mod error;
pub mod faults;
mod input;
pub mod notify;
pub mod profiles;
mod routes;
mod server;
mod store;

pub use auth::ANONYMOUS;
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{
    AuthConfig, ClientCredentials, Config, NotifyConfig, TerminationConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET,
};
pub use error::ApiError;
pub use faults::{FaultConfig, FaultKind, FaultRule, Trigger};
pub use server::{serve, RunningSim};
pub use store::MAX_REMAINING_S;
