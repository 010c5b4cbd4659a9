use crate::common::{ApplicationServer, Device, PortsSpec, QosProfileName, QosStatus, SessionId};
use crate::error::fit;
use crate::schema::{int32_min1, model, opt_int32_min1, ports_setters, wire_enum};
use crate::{limits, CapacityError, Secret};
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

impl Webhook {
    /// Notifications to `notification_url` (an absolute http(s) URL), without an auth token.
    ///
    /// # Errors
    /// [`CapacityError`] when it is longer than [`limits::NOTIFICATION_URL`].
    pub fn new(notification_url: &str) -> Result<Self, CapacityError> {
        Ok(Webhook {
            notification_url: fit("webhook.notificationUrl", notification_url)?,
            notification_auth_token: None,
        })
    }

    /// Adds the `notificationAuthToken` (20–256 characters).
    ///
    /// # Errors
    /// [`CapacityError`] when it is longer than [`limits::NOTIFICATION_AUTH_TOKEN`].
    pub fn with_auth_token(mut self, token: &str) -> Result<Self, CapacityError> {
        let token = Secret::new(token).map_err(|e| CapacityError::new("webhook.notificationAuthToken", e.max))?;
        self.notification_auth_token = Some(token);
        Ok(self)
    }
}

impl CreateSession {
    /// A request for `qos_profile` between `device` and `application_server`, for the server's default duration; add
    /// the optional members with the `with_…` methods.
    ///
    /// # Errors
    /// [`CapacityError`] when `qos_profile` is longer than [`limits::QOS_PROFILE`].
    pub fn new(
        device: Device,
        application_server: ApplicationServer,
        qos_profile: &str,
    ) -> Result<Self, CapacityError> {
        Ok(CreateSession {
            device,
            application_server,
            device_ports: None,
            application_server_ports: None,
            qos_profile: fit("qosProfile", qos_profile)?,
            webhook: None,
            duration: None,
        })
    }

    /// Sets `duration` in seconds (1–86400).
    pub fn with_duration(mut self, seconds: u32) -> Self {
        self.duration = Some(seconds);
        self
    }

    /// Sets the `webhook`.
    pub fn with_webhook(mut self, webhook: Webhook) -> Self {
        self.webhook = Some(webhook);
        self
    }

    ports_setters!();
}

impl ExtendSessionDuration {
    /// `requestedAdditionalDuration` in seconds (1–86399).
    pub const fn new(seconds: u32) -> Self {
        ExtendSessionDuration {
            requested_additional_duration: seconds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_create_session_builder() {
        let device = Device::default().with_phone_number("+123456789").unwrap();
        let server = ApplicationServer::ipv4("10.0.0.1").unwrap();
        let c = CreateSession::new(device.clone(), server.clone(), "QOS_E")
            .unwrap()
            .with_duration(600)
            .with_webhook(Webhook::new("https://a.example/n").unwrap());
        assert_eq!((c.qos_profile.as_str(), c.duration), ("QOS_E", Some(600)));
        assert_eq!(c.device, device);
        let long = "Q".repeat(limits::QOS_PROFILE + 1);
        assert_eq!(
            CreateSession::new(device, server, &long),
            Err(CapacityError {
                field: "qosProfile",
                max: limits::QOS_PROFILE
            })
        );
        let token = "t".repeat(limits::NOTIFICATION_AUTH_TOKEN + 1);
        assert_eq!(
            Webhook::new("https://a.example/n").unwrap().with_auth_token(&token),
            Err(CapacityError {
                field: "webhook.notificationAuthToken",
                max: limits::NOTIFICATION_AUTH_TOKEN
            })
        );
        let url = "h".repeat(limits::NOTIFICATION_URL + 1);
        assert_eq!(
            Webhook::new(&url),
            Err(CapacityError {
                field: "webhook.notificationUrl",
                max: limits::NOTIFICATION_URL
            })
        );
        assert_eq!(ExtendSessionDuration::new(60).requested_additional_duration, 60);
    }
}
