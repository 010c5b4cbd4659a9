#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)
)]

// This module must go first: the others use its macros.
#[macro_use]
mod fmt;

mod carrier;
pub mod commands;
mod link;
mod modem;

pub use carrier::CarrierWatch;
pub use link::{run, Link, Status};
pub use modem::{connect, Config, Error, Registered, Step};
