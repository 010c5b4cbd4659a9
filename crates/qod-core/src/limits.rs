//! Every fixed capacity of the crate, in one place.
//!
//! Capacities follow the spec's `maxLength` where it has one (`qosProfile` 256, `notificationAuthToken` 256) and
//! reasoned defaults elsewhere (each constant says why). They are build-time configurable without forking the crate,
//! the way smoltcp sizes its tables: set `QOD_LIMIT_<NAME>` in the environment of the build, for example
//! `QOD_LIMIT_MESSAGES=4 QOD_LIMIT_NOTIFICATION_URL=128 cargo build`. A value that does not fit a capacity is a decode
//! error ([`DecodeErrorKind::TooLong`](crate::DecodeErrorKind::TooLong) /
//! [`TooMany`](crate::DecodeErrorKind::TooMany)), never a silent truncation.
//!
//! With the defaults a decoded `SessionInfo` (of either version) takes under 2 KB of RAM (checked by a
//! test, and printed by the size report).

include!(concat!(env!("OUT_DIR"), "/limits.rs"));
