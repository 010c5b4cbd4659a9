#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)
)]

pub mod at;
pub mod hdlc;
pub mod modem;
pub mod ppp;
pub mod serve;

pub use modem::{Config, Modem, Output, Stats};
pub use serve::{serve, Control, LinkShape, Network, Session};
