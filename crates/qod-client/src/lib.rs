#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
// No allocator: an `ApiError` (CAMARA `ErrorInfo`, ~360 B) is carried by value instead of boxed. The RAM report
// (tests/tests/ram_report.rs) accounts for it in the futures' sizes.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

#[macro_use]
mod fmt;
pub mod auth;
mod client;
mod error;
pub mod keeper;
mod transport;
#[cfg(feature = "v0")]
mod v0;
#[cfg(feature = "v1")]
mod v1;

#[cfg(feature = "tokio")]
pub mod tokio;

#[cfg(feature = "tls")]
pub mod tls;

#[cfg(feature = "es256")]
mod es256;
#[cfg(feature = "es256")]
pub use es256::{Es256Signer, KeyError};

pub use auth::{AssertionSigner, ClientCredentials, Clock, StaticToken, TokenSource, TokenState};
pub use client::{Client, Config, PollPolicy, RetryPolicy};
pub use error::ClientError;
pub use qod_core;
pub use qod_core::api::{ApiError, Endpoint, Operation};
pub use qod_core::http::Url;
pub use transport::{Connect, Connection};
#[cfg(feature = "v1")]
pub use v1::V1;
