use crate::common::{ApplicationServer, Device, PortsSpec, QosProfileName, QosStatus, SessionId};
use crate::schema::{int32_min1, model, opt_int32_min1, wire_enum};
use crate::{limits, Secret};
use heapless::{String, Vec};

wire_enum! {
    /// `Message.severity`.
    Severity, "messages.severity" {
        /// `INFO`.
        Info = "INFO",
        /// `WARNING`.
        Warning = "WARNING",
    }
}

model! {
    /// `webhook`: where status-change notifications go.
    pub struct Webhook {
        /// `notificationUrl`: an absolute http(s) URL.
        req notification_url: String<{ limits::NOTIFICATION_URL }> = "notificationUrl";
        /// `notificationAuthToken`: 20–256 characters; redacted in `Debug`/`defmt`.
        opt notification_auth_token: Option<Secret<{ limits::NOTIFICATION_AUTH_TOKEN }>> = "notificationAuthToken";
    }
}

model! {
    /// `Message`: a note from the server about a session.
    pub struct Message {
        /// `severity`.
        req severity: Severity = "severity";
        /// `description`.
        req description: String<{ limits::MESSAGE_DESCRIPTION }> = "description";
    }
}

model! {
    /// `SessionInfo`: a QoS session as the server reports it (responses of create, get and extend).
    pub struct SessionInfo {
        /// `device`.
        req device: Device = "device";
        /// `applicationServer`.
        req application_server: ApplicationServer = "applicationServer";
        /// `devicePorts`.
        opt device_ports: Option<PortsSpec> = "devicePorts";
        /// `applicationServerPorts`.
        opt application_server_ports: Option<PortsSpec> = "applicationServerPorts";
        /// `qosProfile`.
        req qos_profile: QosProfileName = "qosProfile";
        /// `webhook`.
        opt webhook: Option<Webhook> = "webhook";
        /// `sessionId`.
        req session_id: SessionId = "sessionId";
        /// `duration` in seconds (may exceed 86400 after an extension).
        req duration: u32 = "duration" => int32_min1;
        /// `startedAt`, seconds since the Unix epoch.
        req started_at: i64 = "startedAt";
        /// `expiresAt`, seconds since the Unix epoch.
        req expires_at: i64 = "expiresAt";
        /// `qosStatus`.
        req qos_status: QosStatus = "qosStatus";
        /// `messages` (absent on the wire when empty).
        list messages: Vec<Message, { limits::MESSAGES }> = "messages";
    }
}

model! {
    /// `CreateSession`: the body of `POST /sessions`.
    pub struct CreateSession {
        /// `device`.
        req device: Device = "device";
        /// `applicationServer`.
        req application_server: ApplicationServer = "applicationServer";
        /// `devicePorts`.
        opt device_ports: Option<PortsSpec> = "devicePorts";
        /// `applicationServerPorts`.
        opt application_server_ports: Option<PortsSpec> = "applicationServerPorts";
        /// `qosProfile`.
        req qos_profile: QosProfileName = "qosProfile";
        /// `webhook`.
        opt webhook: Option<Webhook> = "webhook";
        /// `duration` in seconds, 1–86400; the server applies 86400 when absent.
        opt duration: Option<u32> = "duration" => opt_int32_min1;
    }
}

model! {
    /// `ExtendSessionDuration`: the body of `POST /sessions/{id}/extend`.
    pub struct ExtendSessionDuration {
        /// `requestedAdditionalDuration` in seconds, 1–86399.
        req requested_additional_duration: u32 = "requestedAdditionalDuration" => int32_min1;
    }
}

impl Copy for ExtendSessionDuration {}
