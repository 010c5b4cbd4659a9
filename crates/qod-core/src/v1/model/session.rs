use crate::common::{ApplicationServer, Device, PortsSpec, QosProfileName, QosStatus, SessionId, StatusInfo};
use crate::schema::{int32_min1, model, wire_enum};
use crate::time::DateTime;
use crate::{limits, Secret};
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
    /// An `ACCESSTOKEN` credential: `token` (a bearer token), valid until `expires`; `None` when the token is longer
    /// than [`limits::SINK_ACCESS_TOKEN`].
    pub fn access_token(token: &str, expires: DateTime) -> Option<Self> {
        Some(SinkCredential {
            credential_type: CredentialType::AccessToken,
            access_token: Some(Secret::new(token)?),
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
