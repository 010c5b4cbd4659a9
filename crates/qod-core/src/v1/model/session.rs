use crate::common::{ApplicationServer, Device, PortsSpec, QosProfileName, QosStatus, SessionId, StatusInfo};
use crate::error::fit;
use crate::schema::{int32_min1, model, ports_setters, wire_enum};
use crate::time::DateTime;
use crate::{limits, CapacityError, Secret};
use heapless::{String, Vec};

/// An `x-correlator` value read back from a response (`^[a-zA-Z0-9-_:;.\/<>{}]{0,256}$`).
pub type XCorrelator = String<{ limits::X_CORRELATOR }>;

wire_enum! {
    /// `SinkCredential.credentialType`. Only `ACCESSTOKEN` may be sent in 1.1.0.
    CredentialType, "sinkCredential.credentialType" {
        /// `PLAIN`: an identifier and a secret (not allowed in 1.1.0).
        Plain = "PLAIN",
        /// `ACCESSTOKEN`: a bearer access token.
        AccessToken = "ACCESSTOKEN",
        /// `REFRESHTOKEN`: an access token with a refresh token (not allowed in 1.1.0).
        RefreshToken = "REFRESHTOKEN",
    }
}

wire_enum! {
    /// `accessTokenType`: `bearer` is the only value.
    AccessTokenType, "sinkCredential.accessTokenType" {
        /// `bearer`.
        Bearer = "bearer",
    }
}

model! {
    /// `SinkCredential` as an `AccessTokenCredential`: how the API provider authenticates to the `sink` when it sends
    /// notifications (as `Authorization: Bearer <accessToken>`). The token is redacted in `Debug`/`defmt`.
    pub struct SinkCredential {
        /// `credentialType`: must be `ACCESSTOKEN`.
        req credential_type: CredentialType = "credentialType";
        /// `accessToken` (required with `ACCESSTOKEN`).
        opt access_token: Option<Secret<{ limits::SINK_ACCESS_TOKEN }>> = "accessToken";
        /// `accessTokenExpiresUtc`: when the token expires (required with `ACCESSTOKEN`).
        opt access_token_expires_utc: Option<DateTime> = "accessTokenExpiresUtc";
        /// `accessTokenType`: `bearer` (required with `ACCESSTOKEN`).
        opt access_token_type: Option<AccessTokenType> = "accessTokenType";
    }
}

impl SinkCredential {
    /// An `ACCESSTOKEN` credential: `token` (a bearer token), valid until `expires`.
    ///
    /// # Errors
    /// [`CapacityError`] when the token is longer than [`limits::SINK_ACCESS_TOKEN`].
    pub fn access_token(token: &str, expires: DateTime) -> Result<Self, CapacityError> {
        let token = Secret::new(token).map_err(|e| CapacityError::new("sinkCredential.accessToken", e.max))?;
        Ok(SinkCredential {
            credential_type: CredentialType::AccessToken,
            access_token: Some(token),
            access_token_expires_utc: Some(expires),
            access_token_type: Some(AccessTokenType::Bearer),
        })
    }
}

model! {
    /// `CreateSession`: the body of `POST /sessions`.
    pub struct CreateSession {
        /// `device`: required with a two-legged token, refused with a device-bound (three-legged) one.
        opt device: Option<Device> = "device";
        /// `applicationServer`.
        req application_server: ApplicationServer = "applicationServer";
        /// `devicePorts`.
        opt device_ports: Option<PortsSpec> = "devicePorts";
        /// `applicationServerPorts`.
        opt application_server_ports: Option<PortsSpec> = "applicationServerPorts";
        /// `qosProfile`.
        req qos_profile: QosProfileName = "qosProfile";
        /// `sink`: where notifications go, an `https://` URL.
        opt sink: Option<String<{ limits::SINK }>> = "sink";
        /// `sinkCredential`: how the provider authenticates to the `sink`.
        opt sink_credential: Option<SinkCredential> = "sinkCredential";
        /// `duration` in seconds (≥ 1; the profile's `maxDuration` caps it).
        req duration: u32 = "duration" => int32_min1;
    }
}

model! {
    /// `SessionInfo`: a QoS session as the server reports it (create, get, extend and retrieve-sessions).
    ///
    /// A `sinkCredential` the server may echo is not kept: it is the caller's own secret, the spec lets a server
    /// leave it out, and an echoed long token would not fit a device's buffers. It is skipped like an unknown member.
    pub struct SessionInfo {
        /// `device`: which identifier the session applies to, when the request named a device.
        opt device: Option<Device> = "device";
        /// `applicationServer`.
        req application_server: ApplicationServer = "applicationServer";
        /// `devicePorts`.
        opt device_ports: Option<PortsSpec> = "devicePorts";
        /// `applicationServerPorts`.
        opt application_server_ports: Option<PortsSpec> = "applicationServerPorts";
        /// `qosProfile`.
        req qos_profile: QosProfileName = "qosProfile";
        /// `sink`.
        opt sink: Option<String<{ limits::SINK }>> = "sink";
        /// `sessionId`.
        req session_id: SessionId = "sessionId";
        /// `duration` in seconds: granted while `REQUESTED`, overall since `startedAt` while `AVAILABLE` (grows with
        /// extensions), the effective duration once `UNAVAILABLE`.
        req duration: u32 = "duration" => int32_min1;
        /// `startedAt`: when the session became `AVAILABLE` (absent while `REQUESTED`).
        opt started_at: Option<DateTime> = "startedAt";
        /// `expiresAt`: when it ends (or ended); absent while `REQUESTED`.
        opt expires_at: Option<DateTime> = "expiresAt";
        /// `qosStatus`.
        req qos_status: QosStatus = "qosStatus";
        /// `statusInfo`: why it is `UNAVAILABLE`.
        opt status_info: Option<StatusInfo> = "statusInfo";
    }
}

model! {
    /// `ExtendSessionDuration`: the body of `POST /sessions/{id}/extend`.
    pub struct ExtendSessionDuration {
        /// `requestedAdditionalDuration` in seconds (≥ 1; the profile's `maxDuration` caps the overall duration).
        req requested_additional_duration: u32 = "requestedAdditionalDuration" => int32_min1;
    }
}

impl Copy for ExtendSessionDuration {}

model! {
    /// `RetrieveSessionsInput`: the body of `POST /retrieve-sessions`.
    pub struct RetrieveSessionsInput {
        /// `device`: required with a two-legged token, refused with a device-bound one.
        opt device: Option<Device> = "device";
    }
}

/// `RetrieveSessionsOutput`: the sessions of a device (an empty list when there are none).
pub type SessionList = Vec<SessionInfo, { limits::SESSIONS }>;

impl CreateSession {
    /// A request for `qos_profile` to `application_server` for `duration` seconds, for the device the access token
    /// identifies; add the `device` (two-legged token) and the optional members with the `with_…` methods.
    ///
    /// # Errors
    /// [`CapacityError`] when `qos_profile` is longer than [`limits::QOS_PROFILE`].
    pub fn new(application_server: ApplicationServer, qos_profile: &str, duration: u32) -> Result<Self, CapacityError> {
        Ok(CreateSession {
            device: None,
            application_server,
            device_ports: None,
            application_server_ports: None,
            qos_profile: fit("qosProfile", qos_profile)?,
            sink: None,
            sink_credential: None,
            duration,
        })
    }

    /// Sets the `device` (required with a two-legged token).
    pub fn with_device(mut self, device: Device) -> Self {
        self.device = Some(device);
        self
    }

    /// Sets the `sink` (an `https://` URL for notifications).
    ///
    /// # Errors
    /// [`CapacityError`] when it is longer than [`limits::SINK`].
    pub fn with_sink(mut self, sink: &str) -> Result<Self, CapacityError> {
        self.sink = Some(fit("sink", sink)?);
        Ok(self)
    }

    /// Sets the `sinkCredential`.
    pub fn with_sink_credential(mut self, credential: SinkCredential) -> Self {
        self.sink_credential = Some(credential);
        self
    }

    ports_setters!();
}

impl ExtendSessionDuration {
    /// `requestedAdditionalDuration` in seconds (≥ 1).
    pub const fn new(seconds: u32) -> Self {
        ExtendSessionDuration {
            requested_additional_duration: seconds,
        }
    }
}

impl RetrieveSessionsInput {
    /// The sessions of `device` (with a two-legged token); `RetrieveSessionsInput::default()` asks for those of the
    /// device the access token identifies.
    pub fn for_device(device: Device) -> Self {
        RetrieveSessionsInput { device: Some(device) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_create_session_builder() {
        let server = ApplicationServer::ipv4("10.0.0.1").unwrap();
        let c = CreateSession::new(server.clone(), "QOS_E", 600)
            .unwrap()
            .with_sink("https://a.example/n")
            .unwrap();
        assert_eq!(
            (c.qos_profile.as_str(), c.duration, c.device.is_none()),
            ("QOS_E", 600, true)
        );
        assert_eq!(c.sink.as_deref(), Some("https://a.example/n"));
        let long = "s".repeat(limits::SINK + 1);
        assert_eq!(
            CreateSession::new(server, "QOS_E", 600).unwrap().with_sink(&long),
            Err(CapacityError {
                field: "sink",
                max: limits::SINK
            })
        );
        let token = "t".repeat(limits::SINK_ACCESS_TOKEN + 1);
        assert_eq!(
            SinkCredential::access_token(&token, DateTime::default()),
            Err(CapacityError {
                field: "sinkCredential.accessToken",
                max: limits::SINK_ACCESS_TOKEN
            })
        );
        assert!(SinkCredential::access_token("token", DateTime::default()).is_ok());
    }
}
