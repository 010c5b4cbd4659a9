use super::device::{DEVICE_PORTS, SERVER_PORTS};
use super::{list, missing, opt, req, wire_enum, QosProfileName, SessionId, R};
use super::{ApplicationServer, Device, PortsSpec};
use crate::json::{Decode, Encode, Reader, Writer};
use crate::{limits, Error, Secret};
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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct ExtendSessionDuration {
    /// `requestedAdditionalDuration` in seconds, 1–86399.
    pub requested_additional_duration: u32,
}

impl Decode for Webhook {
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        self.notification_url.clear();
        self.notification_auth_token = None;
        r.begin_object()?;
        let mut seen = false;
        while let Some(key) = r.next_key()? {
            match key.as_bytes() {
                b"notificationUrl" => seen = req(r, &mut self.notification_url, "webhook.notificationUrl")?,
                b"notificationAuthToken" => {
                    opt(r, &mut self.notification_auth_token, "webhook.notificationAuthToken")?
                }
                _ => r.skip()?,
            }
        }
        if !seen {
            return Err(missing(r, "webhook.notificationUrl"));
        }
        Ok(())
    }
}

impl Encode for Webhook {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let mut o = w.object()?;
        o.str("notificationUrl", &self.notification_url)?;
        o.opt_str("notificationAuthToken", self.notification_auth_token.as_ref().map(|t| t.expose()))?;
        o.end()
    }
}

impl Decode for Message {
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        r.begin_object()?;
        let mut seen = 0u8;
        while let Some(key) = r.next_key()? {
            match key.as_bytes() {
                b"severity" => seen |= u8::from(req(r, &mut self.severity, "messages.severity")?),
                b"description" => seen |= u8::from(req(r, &mut self.description, "messages.description")?) << 1,
                _ => r.skip()?,
            }
        }
        match seen {
            3 => Ok(()),
            2 => Err(missing(r, "messages.severity")),
            _ => Err(missing(r, "messages.description")),
        }
    }
}

impl Encode for Message {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let mut o = w.object()?;
        o.value("severity", &self.severity)?;
        o.str("description", &self.description)?;
        o.end()
    }
}

/// Bits of the required members seen while decoding.
const DEVICE: u8 = 1;
const SERVER: u8 = 2;
const PROFILE: u8 = 4;
const ID: u8 = 8;
const DURATION: u8 = 16;
const STARTED: u8 = 32;
const EXPIRES: u8 = 64;
const STATUS: u8 = 128;

/// Decodes the members `SessionInfo` and `CreateSession` share; returns whether `key` was one of them.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn base_member(
    r: &mut Reader<'_>,
    key: &[u8],
    seen: &mut u8,
    device: &mut Device,
    server: &mut ApplicationServer,
    device_ports: &mut Option<PortsSpec>,
    server_ports: &mut Option<PortsSpec>,
    profile: &mut QosProfileName,
    webhook: &mut Option<Webhook>,
) -> Result<bool, crate::DecodeError> {
    match key {
        b"device" => {
            if req(r, device, "device")? {
                *seen |= DEVICE;
            }
        }
        b"applicationServer" => {
            if req(r, server, "applicationServer")? {
                *seen |= SERVER;
            }
        }
        b"devicePorts" => ports(r, device_ports, &DEVICE_PORTS)?,
        b"applicationServerPorts" => ports(r, server_ports, &SERVER_PORTS)?,
        b"qosProfile" => {
            if req(r, profile, "qosProfile")? {
                *seen |= PROFILE;
            }
        }
        b"webhook" => opt(r, webhook, "webhook")?,
        _ => return Ok(false),
    }
    Ok(true)
}

fn ports(r: &mut Reader<'_>, v: &mut Option<PortsSpec>, p: &'static super::device::PortsPaths) -> R {
    if r.null().map_err(|e| e.at(p.ranges))? {
        *v = None;
        return Ok(());
    }
    let root = match p.ranges.split_once('.') {
        Some((root, _)) => root,
        None => p.ranges,
    };
    v.get_or_insert_with(PortsSpec::default).decode_at(r, p).map_err(|e| e.at(root))
}

fn check_base(r: &Reader<'_>, seen: u8) -> R {
    if seen & DEVICE == 0 {
        return Err(missing(r, "device"));
    }
    if seen & SERVER == 0 {
        return Err(missing(r, "applicationServer"));
    }
    if seen & PROFILE == 0 {
        return Err(missing(r, "qosProfile"));
    }
    Ok(())
}

impl Decode for SessionInfo {
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        self.device_ports = None;
        self.application_server_ports = None;
        self.webhook = None;
        self.messages.clear();
        r.begin_object()?;
        let mut seen = 0u8;
        while let Some(key) = r.next_key()? {
            let key = key.as_bytes();
            if base_member(
                r,
                key,
                &mut seen,
                &mut self.device,
                &mut self.application_server,
                &mut self.device_ports,
                &mut self.application_server_ports,
                &mut self.qos_profile,
                &mut self.webhook,
            )? {
                continue;
            }
            match key {
                b"sessionId" => seen |= ID * u8::from(req(r, &mut self.session_id, "sessionId")?),
                b"duration" => {
                    // int32, minimum 1.
                    if !r.null()? {
                        self.duration = r.u64_in(1, i32::MAX as u64).map_err(|e| e.at("duration"))? as u32;
                        seen |= DURATION;
                    }
                }
                b"startedAt" => seen |= STARTED * u8::from(req(r, &mut self.started_at, "startedAt")?),
                b"expiresAt" => seen |= EXPIRES * u8::from(req(r, &mut self.expires_at, "expiresAt")?),
                b"qosStatus" => seen |= STATUS * u8::from(req(r, &mut self.qos_status, "qosStatus")?),
                b"messages" => list(r, &mut self.messages, "messages", |r, m| m.decode_from(r))?,
                _ => r.skip()?,
            }
        }
        check_base(r, seen)?;
        for (bit, name) in [
            (ID, "sessionId"),
            (DURATION, "duration"),
            (STARTED, "startedAt"),
            (EXPIRES, "expiresAt"),
            (STATUS, "qosStatus"),
        ] {
            if seen & bit == 0 {
                return Err(missing(r, name));
            }
        }
        Ok(())
    }
}

impl Decode for CreateSession {
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        self.device_ports = None;
        self.application_server_ports = None;
        self.webhook = None;
        self.duration = None;
        r.begin_object()?;
        let mut seen = 0u8;
        while let Some(key) = r.next_key()? {
            let key = key.as_bytes();
            if base_member(
                r,
                key,
                &mut seen,
                &mut self.device,
                &mut self.application_server,
                &mut self.device_ports,
                &mut self.application_server_ports,
                &mut self.qos_profile,
                &mut self.webhook,
            )? {
                continue;
            }
            match key {
                b"duration" => {
                    self.duration = if r.null()? {
                        None
                    } else {
                        Some(r.u64_in(1, i32::MAX as u64).map_err(|e| e.at("duration"))? as u32)
                    }
                }
                _ => r.skip()?,
            }
        }
        check_base(r, seen)
    }
}

impl Decode for ExtendSessionDuration {
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        r.begin_object()?;
        let mut seen = false;
        while let Some(key) = r.next_key()? {
            match key.as_bytes() {
                b"requestedAdditionalDuration" => {
                    if !r.null()? {
                        self.requested_additional_duration =
                            r.u64_in(1, i32::MAX as u64).map_err(|e| e.at("requestedAdditionalDuration"))? as u32;
                        seen = true;
                    }
                }
                _ => r.skip()?,
            }
        }
        if !seen {
            return Err(missing(r, "requestedAdditionalDuration"));
        }
        Ok(())
    }
}

impl Encode for SessionInfo {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let mut o = w.object()?;
        o.value("device", &self.device)?;
        o.value("applicationServer", &self.application_server)?;
        o.opt("devicePorts", self.device_ports.as_ref())?;
        o.opt("applicationServerPorts", self.application_server_ports.as_ref())?;
        o.str("qosProfile", &self.qos_profile)?;
        o.opt("webhook", self.webhook.as_ref())?;
        o.str("sessionId", &self.session_id)?;
        o.u64("duration", u64::from(self.duration))?;
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
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let mut o = w.object()?;
        o.value("device", &self.device)?;
        o.value("applicationServer", &self.application_server)?;
        o.opt("devicePorts", self.device_ports.as_ref())?;
        o.opt("applicationServerPorts", self.application_server_ports.as_ref())?;
        o.str("qosProfile", &self.qos_profile)?;
        o.opt("webhook", self.webhook.as_ref())?;
        o.opt_u64("duration", self.duration.map(u64::from))?;
        o.end()
    }
}

impl Encode for ExtendSessionDuration {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let mut o = w.object()?;
        o.u64("requestedAdditionalDuration", u64::from(self.requested_additional_duration))?;
        o.end()
    }
}
