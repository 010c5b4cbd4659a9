//! The CAMARA QoD v0.10.1 schemas, names verbatim from `qod-api.yaml` (Rust fields in snake_case, JSON in
//! camelCase). Strings are `heapless::String`s sized by [`crate::limits`]; lists are `heapless::Vec`s.
//!
//! Every model implements [`Decode`](crate::Decode) (in place, from untrusted bytes; never panics) and
//! [`Encode`](crate::Encode) (compact JSON, members in the spec's order), both from one declaration per model
//! (see `schema.rs`). With the `serde` feature they also implement `serde::Serialize`/`Deserialize` with the same
//! JSON names, for host tools that use `serde_json`. The types both versions share come from
//! [`common`](crate::common).

mod event;
mod profile;
mod session;

pub use crate::common::{
    ApplicationServer, DataContentType, Device, DeviceIpv4Addr, Duration, ErrorCode, ErrorInfo, EventQosStatus,
    PortRange, PortsSpec, QosProfileName, QosProfileStatus, QosStatus, QosStatusChangedData, Rate, RateUnit, SessionId,
    SpecVersion, StatusInfo, TimeUnit,
};
pub use event::{QosStatusChanged, QosStatusChangedType, QOS_STATUS_CHANGED_TYPE};
pub use profile::{QosProfile, QosProfileList};
pub use session::{CreateSession, ExtendSessionDuration, Message, SessionInfo, Severity, Webhook};
