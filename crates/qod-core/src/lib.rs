// The README's examples use the v0.10.1 models (feature `v0`, on by default); without it the front page is the line
// below, so that `cargo test --no-default-features --features v1` runs the remaining doctests.
#![cfg_attr(feature = "v0", doc = include_str!("../README.md"))]
#![cfg_attr(
    not(feature = "v0"),
    doc = "`no_std`, allocation-free, sans-IO codec for the CAMARA Quality on Demand API: models, JSON, HTTP/1.1. \
           The README (the crate's front page with the default features) shows it with the v0.10.1 models."
)]
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
// Flash budget: the `#[inline(never)]` marks in this crate are each a measured saving on thumbv7em (`bash
// scripts/size-report.sh`, codec + HTTP <= 20 KiB); remove or add one only with that report (and the codec bench) in hand.
#![deny(missing_docs)]
// With no API version enabled the crate is the shared layer alone (JSON, HTTP, OAuth2, time): the helpers the
// versions' operations use are then unused.
#![cfg_attr(not(any(feature = "v0", feature = "v1")), allow(dead_code, unused_imports))]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)
)]

/// Builds a `#[non_exhaustive]` model (or any `Default` struct) in struct-literal syntax: `Default::default()` (or
/// the base after `..`) with the named fields assigned. Fields keep their types, so bounded strings and lists still
/// go through their own fallible conversions (`"QOS_E".try_into()?`) or the models' constructors.
///
/// ```
/// # #[cfg(feature = "v0")] {
/// use qod_core::model::{QosStatus, SessionInfo};
/// let session = qod_core::fill!(SessionInfo { duration: 600, qos_status: QosStatus::Available });
/// assert_eq!(session.duration, 600);
/// # }
/// ```
#[macro_export]
macro_rules! fill {
    ($ty:path { $($field:ident $(: $value:expr)?),* $(, ..$base:expr)? $(,)? }) => {{
        #[allow(unused_mut, clippy::needless_update)]
        let mut v: $ty = $crate::fill!(@base $($base)?);
        $(v.$field = $crate::fill!(@value $field $(: $value)?);)*
        v
    }};
    (@base) => { ::core::default::Default::default() };
    (@base $base:expr) => { $base };
    (@value $field:ident : $value:expr) => { $value };
    (@value $field:ident) => { $field };
}

pub mod api;
pub mod common;
mod error;
pub mod http;
pub mod json;
pub mod limits;
pub mod oauth;
mod schema;
mod secret;
pub mod time;
pub mod validate;

#[cfg(feature = "v0")]
#[cfg_attr(docsrs, doc(cfg(feature = "v0")))]
pub mod v0;

#[cfg(feature = "v1")]
#[cfg_attr(docsrs, doc(cfg(feature = "v1")))]
pub mod v1;

/// The v0.10.1 models under the path they had before the crate was versioned: [`v0::model`].
#[cfg(feature = "v0")]
#[cfg_attr(docsrs, doc(cfg(feature = "v0")))]
pub mod model {
    pub use crate::v0::model::*;
}

#[cfg(feature = "_fuzzing")]
#[doc(hidden)]
pub mod fuzzing;

pub use error::{CapacityError, DecodeError, DecodeErrorKind, Error, HttpError, MemberPath, Problem, ValidationError};
pub use json::{decode, decode_into, encode, Decode, Encode};
pub use secret::Secret;
pub use validate::Validate;

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
