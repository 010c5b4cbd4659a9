//! The CAMARA quality-on-demand 1.1.0 and qos-profiles 1.1.0 schemas, names verbatim from
//! `quality-on-demand.yaml` / `qos-profiles.yaml` (Rust fields in snake_case, JSON in camelCase). Strings are
//! `heapless::String`s sized by [`crate::limits`]; lists are `heapless::Vec`s; date-times are
//! [`DateTime`]s (RFC 3339).
//!
//! Every model implements [`Decode`](crate::Decode) and [`Encode`](crate::Encode) from one declaration (see
//! `schema.rs`), and with the `serde` feature `serde::Serialize`/`Deserialize` with the same JSON names. The types
//! 1.1.0 shares with v0.10.1 (device and application server, ports, `ErrorInfo`, the status enums) are those of
//! [`common`](crate::common), re-exported here.
//!
//! What differs from v0.10.1: `device` is optional (a device-bound, three-legged token identifies it), `duration` is
//! required, `webhook` became `sink` (https only) and `sinkCredential`, `startedAt`/`expiresAt` are RFC 3339
//! date-times absent while `REQUESTED`, `SessionInfo` has `statusInfo`, sessions of a device are found with
//! `retrieve-sessions`, and profiles are read with `POST /retrieve-qos-profiles` (`QosProfileDeviceRequest`) from
//! the separate qos-profiles API, with `countryAvailability`, `l4sQueueType` and `serviceClass`.

mod event;
mod profile;
mod session;

pub use crate::common::{
    ApplicationServer, DataContentType, Device, DeviceIpv4Addr, Duration, ErrorCode, ErrorInfo, EventQosStatus,
    PortRange, PortsSpec, QosProfileName, QosProfileStatus, QosStatus, QosStatusChangedData, Rate, RateUnit, SessionId,
    SpecVersion, StatusInfo, TimeUnit,
};
pub use crate::time::DateTime;
pub use event::{QosStatusChanged, QosStatusChangedType, QOS_STATUS_CHANGED_TYPE};
pub use profile::{Availability, L4sQueueType, QosProfile, QosProfileDeviceRequest, QosProfileList, ServiceClass};
pub use session::{
    AccessTokenType, CreateSession, CredentialType, ExtendSessionDuration, RetrieveSessionsInput, SessionInfo,
    SessionList, SinkCredential, XCorrelator,
};
