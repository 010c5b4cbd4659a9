//! Validation of the v0.10.1 request bodies (the shared checks are in [`crate::validate`]).
use super::model::{CreateSession, ExtendSessionDuration, Webhook};
use crate::validate::{at, device, http_url, length, named, ports, qos_profile_name, range, server, Fail, F};
use crate::{Validate, ValidationError};

pub(crate) fn webhook(w: &Webhook) -> Result<(), Fail> {
    at(F::WebhookUrl, http_url(&w.notification_url))?;
    if let Some(t) = &w.notification_auth_token {
        // Characters: the bytes that do not continue a UTF-8 sequence.
        let len = t.expose().bytes().filter(|&c| c & 0xc0 != 0x80).count();
        at(F::WebhookToken, length(len, 20, 256))?;
    }
    Ok(())
}

fn create_session(c: &CreateSession) -> Result<(), Fail> {
    device(&c.device)?;
    server(&c.application_server)?;
    ports(&c.device_ports, F::DevicePorts, F::DevicePortsRanges)?;
    ports(&c.application_server_ports, F::ServerPorts, F::ServerPortsRanges)?;
    at(F::QosProfile, qos_profile_name(&c.qos_profile))?;
    if let Some(w) = &c.webhook {
        webhook(w)?;
    }
    if let Some(d) = c.duration {
        range(F::Duration, d, 1, 86_400)?;
    }
    Ok(())
}

impl Validate for Webhook {
    fn validate(&self) -> Result<(), ValidationError> {
        named(webhook(self))
    }
}

impl Validate for CreateSession {
    fn validate(&self) -> Result<(), ValidationError> {
        named(create_session(self))
    }
}

impl Validate for ExtendSessionDuration {
    fn validate(&self) -> Result<(), ValidationError> {
        named(range(F::Additional, self.requested_additional_duration, 1, 86_399))
    }
}
