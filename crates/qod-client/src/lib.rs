#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod client;
mod error;
mod transport;

#[cfg(feature = "tokio")]
pub mod tokio;

pub use client::{Client, Config, Poll, RetryPolicy};
pub use error::ClientError;
pub use qod_core;
pub use qod_core::api::{ApiError, Endpoint};
pub use transport::Connect;
