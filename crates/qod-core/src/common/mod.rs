//! Wire types both API versions share, with the same JSON in v0.10.1 and 1.1.0: the device and application-server
//! identifiers, port specs, `ErrorInfo`, and the enums whose values did not change. [`v0::model`](crate::v0::model)
//! and `v1::model` re-export them, so code never needs this module by name.

mod device;
mod error_info;
mod event;
mod profile;

pub use device::{ApplicationServer, Device, DeviceIpv4Addr, PortRange, PortsSpec};
pub use error_info::{ErrorCode, ErrorInfo};
pub(crate) use event::known_content_type;
pub use event::{DataContentType, EventQosStatus, QosStatusChangedData, SpecVersion, StatusInfo};
pub use profile::{Duration, QosProfileStatus, Rate, RateUnit, TimeUnit};

use crate::limits;
use crate::schema::wire_enum;

/// A QoS profile name (`QosProfileName`): 3–256 of `[a-zA-Z0-9_.-]`.
pub type QosProfileName = heapless::String<{ limits::QOS_PROFILE }>;
/// A session id (`SessionId`, a UUID).
pub type SessionId = heapless::String<{ limits::SESSION_ID }>;

wire_enum! {
    /// `QosStatus`: the state of a QoS session.
    QosStatus, "qosStatus" {
        /// `REQUESTED`: asked for, not yet provided by the network.
        Requested = "REQUESTED",
        /// `AVAILABLE`: the network provides the requested QoS.
        Available = "AVAILABLE",
        /// `UNAVAILABLE`: the QoS cannot be (or is no longer) provided.
        Unavailable = "UNAVAILABLE",
    }
}
