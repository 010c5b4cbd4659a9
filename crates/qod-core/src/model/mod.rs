//! The CAMARA QoD v0.10.1 schemas, names verbatim from `qod-api.yaml` (Rust fields in snake_case, JSON in
//! camelCase). Strings are `heapless::String`s sized by [`crate::limits`]; lists are `heapless::Vec`s.
//!
//! Every model implements [`Decode`](crate::Decode) (in place, from untrusted bytes; never panics) and
//! [`Encode`](crate::Encode) (compact JSON, members in the spec's order), both from one declaration per model
//! (see `schema.rs`). With the `serde` feature they also implement `serde::Serialize`/`Deserialize` with the same
//! JSON names, for host tools that use `serde_json`.

mod device;
mod error_info;
mod event;
mod profile;
mod session;

pub use device::{ApplicationServer, Device, DeviceIpv4Addr, PortRange, PortsSpec};
pub use error_info::{ErrorCode, ErrorInfo};
pub use event::{
    DataContentType, EventQosStatus, QosStatusChanged, QosStatusChangedData, QosStatusChangedType, SpecVersion,
    StatusInfo, QOS_STATUS_CHANGED_TYPE,
};
pub use profile::{Duration, QosProfile, QosProfileList, QosProfileStatus, Rate, RateUnit, TimeUnit};
pub use session::{CreateSession, ExtendSessionDuration, Message, QosStatus, SessionInfo, Severity, Webhook};

use crate::limits;

/// A QoS profile name (`QosProfileName`): 3–256 of `[a-zA-Z0-9_.-]`.
pub type QosProfileName = heapless::String<{ limits::QOS_PROFILE }>;
/// A session id (`SessionId`, a UUID).
pub type SessionId = heapless::String<{ limits::SESSION_ID }>;
