use super::{list, object, opt, wire_enum, FieldFn, QosProfileName, Schema, SessionId, R};
use super::{ApplicationServer, Device, PortsSpec};
use crate::json::{Decode, Encode, Failed, Reader, Writer};
use crate::{limits, Secret};
use heapless::{String, Vec};

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

wire_enum! {
    /// `Message.severity`.
    Severity, "messages.severity" {
        /// `INFO`.
        Info = "INFO",
        /// `WARNING`.
        Warning = "WARNING",
    }
}

/// `webhook`: where status-change notifications go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase")
)]
pub struct Webhook {
    /// `notificationUrl`: an absolute http(s) URL.
    pub notification_url: String<{ limits::NOTIFICATION_URL }>,
    /// `notificationAuthToken`: 20–256 characters; redacted in `Debug`/`defmt`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub notification_auth_token: Option<Secret<{ limits::NOTIFICATION_AUTH_TOKEN }>>,
}

/// `Message`: a note from the server about a session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Message {
    /// `severity`.
    pub severity: Severity,
    /// `description`.
    pub description: String<{ limits::MESSAGE_DESCRIPTION }>,
}

/// `SessionInfo`: a QoS session as the server reports it (responses of create, get and extend).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase")
)]
pub struct SessionInfo {
    /// `device`.
    pub device: Device,
    /// `applicationServer`.
    pub application_server: ApplicationServer,
    /// `devicePorts`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub device_ports: Option<PortsSpec>,
    /// `applicationServerPorts`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub application_server_ports: Option<PortsSpec>,
    /// `qosProfile`.
    pub qos_profile: QosProfileName,
    /// `webhook`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub webhook: Option<Webhook>,
    /// `sessionId`.
    pub session_id: SessionId,
    /// `duration` in seconds (may exceed 86400 after an extension).
    pub duration: u32,
    /// `startedAt`, seconds since the Unix epoch.
    pub started_at: i64,
    /// `expiresAt`, seconds since the Unix epoch.
    pub expires_at: i64,
    /// `qosStatus`.
    pub qos_status: QosStatus,
    /// `messages` (absent on the wire when empty).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "super::is_empty"))]
    pub messages: Vec<Message, { limits::MESSAGES }>,
}

/// `CreateSession`: the body of `POST /sessions`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase")
)]
pub struct CreateSession {
    /// `device`.
    pub device: Device,
    /// `applicationServer`.
    pub application_server: ApplicationServer,
    /// `devicePorts`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub device_ports: Option<PortsSpec>,
    /// `applicationServerPorts`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub application_server_ports: Option<PortsSpec>,
    /// `qosProfile`.
    pub qos_profile: QosProfileName,
    /// `webhook`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub webhook: Option<Webhook>,
    /// `duration` in seconds, 1–86400; the server applies 86400 when absent.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub duration: Option<u32>,
}

/// `ExtendSessionDuration`: the body of `POST /sessions/{id}/extend`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase")
)]
pub struct ExtendSessionDuration {
    /// `requestedAdditionalDuration` in seconds, 1–86399.
    pub requested_additional_duration: u32,
}

impl Decode for Webhook {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        const SCHEMA: Schema = Schema {
            names: &["notificationUrl", "notificationAuthToken"],
            required: 0b1,
        };
        const FIELDS: &[FieldFn<Webhook>] = &[
            |v, r| v.notification_url.decode_from(r),
            |v, r| opt(&mut v.notification_auth_token, r),
        ];
        self.notification_url.clear();
        self.notification_auth_token = None;
        object(r, self, &SCHEMA, FIELDS)
    }
}

impl Encode for Webhook {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        let mut o = w.object()?;
        o.str("notificationUrl", &self.notification_url)?;
        o.opt_str(
            "notificationAuthToken",
            self.notification_auth_token.as_ref().map(|t| t.expose()),
        )?;
        o.end()
    }
}

impl Decode for Message {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        const SCHEMA: Schema = Schema {
            names: &["severity", "description"],
            required: 0b11,
        };
        const FIELDS: &[FieldFn<Message>] = &[|v, r| v.severity.decode_from(r), |v, r| v.description.decode_from(r)];
        object(r, self, &SCHEMA, FIELDS)
    }
}

impl Encode for Message {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        let mut o = w.object()?;
        o.value("severity", &self.severity)?;
        o.str("description", &self.description)?;
        o.end()
    }
}

/// `duration` is an int32 with minimum 1.
fn duration(r: &mut Reader<'_>) -> Result<u32, crate::json::Failed> {
    r.u32_in(1, i32::MAX as u32)
}

/// The members `SessionInfo` and `CreateSession` share come first in both schemas, in this order.
macro_rules! base_names {
    ($($more:literal),*) => {
        &["device", "applicationServer", "devicePorts", "applicationServerPorts", "qosProfile", "webhook", $($more),*]
    };
}

/// Required: device, applicationServer, qosProfile.
const BASE_REQUIRED: u32 = 0b1_0011;

macro_rules! base_fields {
    ($t:ty; $($more:expr),*) => {
        &[
            |v: &mut $t, r: &mut Reader<'_>| v.device.decode_from(r),
            |v, r| v.application_server.decode_from(r),
            |v, r| opt(&mut v.device_ports, r),
            |v, r| opt(&mut v.application_server_ports, r),
            |v, r| v.qos_profile.decode_from(r),
            |v, r| opt(&mut v.webhook, r),
            $($more),*
        ]
    };
}

impl Decode for SessionInfo {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        const SCHEMA: Schema = Schema {
            names: base_names![
                "sessionId",
                "duration",
                "startedAt",
                "expiresAt",
                "qosStatus",
                "messages"
            ],
            required: BASE_REQUIRED | 0b01_1111 << 6,
        };
        const FIELDS: &[FieldFn<SessionInfo>] = base_fields![SessionInfo;
            |v, r| v.session_id.decode_from(r),
            |v, r| {
                v.duration = duration(r)?;
                Ok(())
            },
            |v, r| v.started_at.decode_from(r),
            |v, r| v.expires_at.decode_from(r),
            |v, r| v.qos_status.decode_from(r),
            |v, r| list(r, v.messages.as_mut_view(), &mut |r, m| m.decode_from(r))
        ];
        self.device_ports = None;
        self.application_server_ports = None;
        self.webhook = None;
        self.messages.clear();
        object(r, self, &SCHEMA, FIELDS)
    }
}

impl Decode for CreateSession {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        const SCHEMA: Schema = Schema {
            names: base_names!["duration"],
            required: BASE_REQUIRED,
        };
        const FIELDS: &[FieldFn<CreateSession>] = base_fields![CreateSession;
            |v, r| {
                v.duration = Some(duration(r)?);
                Ok(())
            }
        ];
        self.device_ports = None;
        self.application_server_ports = None;
        self.webhook = None;
        self.duration = None;
        object(r, self, &SCHEMA, FIELDS)
    }
}

impl Decode for ExtendSessionDuration {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        const SCHEMA: Schema = Schema {
            names: &["requestedAdditionalDuration"],
            required: 1,
        };
        const FIELDS: &[FieldFn<ExtendSessionDuration>] = &[|v, r| {
            v.requested_additional_duration = duration(r)?;
            Ok(())
        }];
        object(r, self, &SCHEMA, FIELDS)
    }
}

impl Encode for SessionInfo {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        let mut o = w.object()?;
        o.value("device", &self.device)?;
        o.value("applicationServer", &self.application_server)?;
        o.opt("devicePorts", self.device_ports.as_ref())?;
        o.opt("applicationServerPorts", self.application_server_ports.as_ref())?;
        o.str("qosProfile", &self.qos_profile)?;
        o.opt("webhook", self.webhook.as_ref())?;
        o.str("sessionId", &self.session_id)?;
        o.u32("duration", self.duration)?;
        o.i64("startedAt", self.started_at)?;
        o.i64("expiresAt", self.expires_at)?;
        o.value("qosStatus", &self.qos_status)?;
        if !self.messages.is_empty() {
            o.key("messages")?.array(&self.messages, |w, m| m.encode_to(w))?;
        }
        o.end()
    }
}

impl Encode for CreateSession {
    #[inline(never)]
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        let mut o = w.object()?;
        o.value("device", &self.device)?;
        o.value("applicationServer", &self.application_server)?;
        o.opt("devicePorts", self.device_ports.as_ref())?;
        o.opt("applicationServerPorts", self.application_server_ports.as_ref())?;
        o.str("qosProfile", &self.qos_profile)?;
        o.opt("webhook", self.webhook.as_ref())?;
        o.opt_u32("duration", self.duration)?;
        o.end()
    }
}

impl Encode for ExtendSessionDuration {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        let mut o = w.object()?;
        o.u32("requestedAdditionalDuration", self.requested_additional_duration)?;
        o.end()
    }
}
