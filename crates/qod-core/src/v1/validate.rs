//! Validation of the 1.1.0 request bodies (the shared checks are in [`crate::validate`]).
use super::model::{
    AccessTokenType, CreateSession, CredentialType, ExtendSessionDuration, QosProfileDeviceRequest,
    RetrieveSessionsInput, SinkCredential,
};
use crate::common::{Device, QosProfileStatus};
use crate::validate::{
    at, device_with, fail, http_url, named, phone_number_e164, ports, qos_profile_name, range, server, Fail, F,
};
use crate::{Problem, Validate, ValidationError};

/// A device, with 1.1.0's phone-number rule (`^\+[1-9][0-9]{4,14}$`).
pub(crate) fn device(d: &Option<Device>) -> Result<(), Fail> {
    match d {
        Some(d) => device_with(d, phone_number_e164),
        None => Ok(()),
    }
}

/// `sink`: `^https:\/\/.+$` and an absolute URL.
fn sink(s: &str) -> Result<(), Fail> {
    if !s.starts_with("https://") {
        return fail(F::Sink, Problem::Pattern);
    }
    at(F::Sink, http_url(s))
}

/// `sinkCredential`: only `ACCESSTOKEN` may be sent, with its token, expiry and type `bearer`.
fn sink_credential(c: &SinkCredential) -> Result<(), Fail> {
    match c.credential_type {
        CredentialType::AccessToken => {}
        CredentialType::Unknown => return fail(F::SinkCredentialType, Problem::UnknownValue),
        _ => return fail(F::SinkCredentialType, Problem::NotAllowed),
    }
    match &c.access_token {
        None => return fail(F::SinkAccessToken, Problem::Missing),
        Some(t) if t.expose().is_empty() => return fail(F::SinkAccessToken, Problem::TooShort),
        Some(_) => {}
    }
    if c.access_token_expires_utc.is_none() {
        return fail(F::SinkExpires, Problem::Missing);
    }
    match c.access_token_type {
        None => fail(F::SinkTokenType, Problem::Missing),
        Some(AccessTokenType::Bearer) => Ok(()),
        Some(_) => fail(F::SinkTokenType, Problem::UnknownValue),
    }
}

fn create_session(c: &CreateSession) -> Result<(), Fail> {
    device(&c.device)?;
    server(&c.application_server)?;
    ports(&c.device_ports, F::DevicePorts, F::DevicePortsRanges)?;
    ports(&c.application_server_ports, F::ServerPorts, F::ServerPortsRanges)?;
    at(F::QosProfile, qos_profile_name(&c.qos_profile))?;
    if let Some(s) = &c.sink {
        sink(s)?;
    }
    if let Some(cred) = &c.sink_credential {
        sink_credential(cred)?;
    }
    range(F::Duration, c.duration, 1, i32::MAX as u32)
}

impl Validate for CreateSession {
    fn validate(&self) -> Result<(), ValidationError> {
        named(create_session(self))
    }
}

impl Validate for ExtendSessionDuration {
    fn validate(&self) -> Result<(), ValidationError> {
        named(range(
            F::Additional,
            self.requested_additional_duration,
            1,
            i32::MAX as u32,
        ))
    }
}

impl Validate for RetrieveSessionsInput {
    fn validate(&self) -> Result<(), ValidationError> {
        named(device(&self.device))
    }
}

impl Validate for SinkCredential {
    fn validate(&self) -> Result<(), ValidationError> {
        named(sink_credential(self))
    }
}

impl Validate for QosProfileDeviceRequest {
    fn validate(&self) -> Result<(), ValidationError> {
        named((|| {
            device(&self.device)?;
            if let Some(n) = &self.name {
                at(F::Name, qos_profile_name(n))?;
            }
            if self.status == Some(QosProfileStatus::Unknown) {
                return fail(F::Status, Problem::UnknownValue);
            }
            Ok(())
        })())
    }
}
