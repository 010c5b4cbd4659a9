//! The 1.1.0 operations as [`Operation`]s, for an engine that runs any operation (qod-client's `Client::run`).
//!
//! Each borrows its inputs and the model its response is decoded into, and calls the matching pair of
//! [`api`] functions. Each can also keep the response's `x-correlator`
//! ([`with_correlator`](CreateSession::with_correlator)): it is read from every answer, errors included, and kept
//! when it matches the spec's pattern (`^[a-zA-Z0-9-_:;.\/<>{}]{0,256}$`); otherwise the slot is left empty.
use super::api;
use super::model::{
    self, ExtendSessionDuration, QosProfile, QosProfileDeviceRequest, QosProfileList, RetrieveSessionsInput,
    SessionInfo, SessionList, XCorrelator,
};
use crate::api::{Endpoint, Operation, ResponseError};
use crate::http::Response;
use crate::{validate, Error};

/// Stores the response's `x-correlator` in `slot` (cleared first) when the caller asked for it and it is valid.
fn keep_correlator(res: &Response<'_>, slot: &mut Option<&mut XCorrelator>) {
    if let Some(out) = slot {
        out.clear();
        if let Some(c) = res.correlator() {
            if validate::x_correlator(c).is_ok() {
                let _ = out.push_str(c);
            }
        }
    }
}

/// `with_correlator` for each operation: they all keep the response's `x-correlator` in their `correlator` field.
macro_rules! with_correlator {
    ($($op:ident),+) => {$(
        impl<'a> $op<'a> {
            /// The same operation keeping the response's `x-correlator` in `slot`.
            pub fn with_correlator(mut self, slot: &'a mut XCorrelator) -> Self {
                self.correlator = Some(slot);
                self
            }
        }
    )+};
}

with_correlator!(
    CreateSession,
    GetSession,
    ExtendSession,
    DeleteSession,
    RetrieveSessions,
    RetrieveSessionsEach,
    GetQosProfile,
    RetrieveQosProfiles,
    RetrieveQosProfilesEach
);

/// `createSession`: `POST /sessions`, 201 with a `SessionInfo` into `out`.
#[derive(Debug)]
pub struct CreateSession<'a> {
    /// The request body (validated before anything is written).
    pub body: &'a model::CreateSession,
    /// Where the created session goes.
    pub out: &'a mut SessionInfo,
    /// Where the response's `x-correlator` goes, when wanted.
    pub correlator: Option<&'a mut XCorrelator>,
}

impl<'a> CreateSession<'a> {
    /// The operation, without keeping the response's `x-correlator`.
    pub fn new(body: &'a model::CreateSession, out: &'a mut SessionInfo) -> Self {
        CreateSession {
            body,
            out,
            correlator: None,
        }
    }
}

impl Operation for CreateSession<'_> {
    type Output = ();
    const IDEMPOTENT: bool = false;

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        api::encode_create_session(ep, self.body, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<(), ResponseError> {
        keep_correlator(res, &mut self.correlator);
        api::decode_create_session(res.status(), res.body, self.out)
    }
}

/// `getSession`: `GET /sessions/{id}`, 200 with a `SessionInfo` into `out`.
#[derive(Debug)]
pub struct GetSession<'a> {
    /// The session id.
    pub id: &'a str,
    /// Where the session goes.
    pub out: &'a mut SessionInfo,
    /// Where the response's `x-correlator` goes, when wanted.
    pub correlator: Option<&'a mut XCorrelator>,
}

impl<'a> GetSession<'a> {
    /// The operation, without keeping the response's `x-correlator`.
    pub fn new(id: &'a str, out: &'a mut SessionInfo) -> Self {
        GetSession {
            id,
            out,
            correlator: None,
        }
    }
}

impl Operation for GetSession<'_> {
    type Output = ();
    const IDEMPOTENT: bool = true;

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        api::encode_get_session(ep, self.id, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<(), ResponseError> {
        keep_correlator(res, &mut self.correlator);
        api::decode_get_session(res.status(), res.body, self.out)
    }
}

/// `extendQosSessionDuration`: `POST /sessions/{id}/extend`, 200 with a `SessionInfo` into `out`.
#[derive(Debug)]
pub struct ExtendSession<'a> {
    /// The session id.
    pub id: &'a str,
    /// The request body (≥ 1 s).
    pub body: ExtendSessionDuration,
    /// Where the extended session goes.
    pub out: &'a mut SessionInfo,
    /// Where the response's `x-correlator` goes, when wanted.
    pub correlator: Option<&'a mut XCorrelator>,
}

impl<'a> ExtendSession<'a> {
    /// The operation, without keeping the response's `x-correlator`.
    pub fn new(id: &'a str, body: ExtendSessionDuration, out: &'a mut SessionInfo) -> Self {
        ExtendSession {
            id,
            body,
            out,
            correlator: None,
        }
    }
}

impl Operation for ExtendSession<'_> {
    type Output = ();
    const IDEMPOTENT: bool = false;

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        api::encode_extend_session(ep, self.id, &self.body, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<(), ResponseError> {
        keep_correlator(res, &mut self.correlator);
        api::decode_extend_session(res.status(), res.body, self.out)
    }
}

/// `deleteSession`: `DELETE /sessions/{id}`, 204.
#[derive(Debug)]
pub struct DeleteSession<'a> {
    /// The session id.
    pub id: &'a str,
    /// Where the response's `x-correlator` goes, when wanted.
    pub correlator: Option<&'a mut XCorrelator>,
}

impl<'a> DeleteSession<'a> {
    /// The operation, without keeping the response's `x-correlator`.
    pub fn new(id: &'a str) -> Self {
        DeleteSession { id, correlator: None }
    }
}

impl Operation for DeleteSession<'_> {
    type Output = ();
    const IDEMPOTENT: bool = true;

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        api::encode_delete_session(ep, self.id, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<(), ResponseError> {
        keep_correlator(res, &mut self.correlator);
        api::decode_delete_session(res.status(), res.body)
    }
}

/// `retrieveSessionsByDevice`: `POST /retrieve-sessions`, 200 with the device's sessions into `out` (a read: re-sent
/// once on a stale connection).
#[derive(Debug)]
pub struct RetrieveSessions<'a> {
    /// The request body (the device, unless the token is bound to one).
    pub body: &'a RetrieveSessionsInput,
    /// Where the sessions go (more than it holds is a decode error; see [`RetrieveSessionsEach`]).
    pub out: &'a mut SessionList,
    /// Where the response's `x-correlator` goes, when wanted.
    pub correlator: Option<&'a mut XCorrelator>,
}

impl<'a> RetrieveSessions<'a> {
    /// The operation, without keeping the response's `x-correlator`.
    pub fn new(body: &'a RetrieveSessionsInput, out: &'a mut SessionList) -> Self {
        RetrieveSessions {
            body,
            out,
            correlator: None,
        }
    }
}

impl Operation for RetrieveSessions<'_> {
    type Output = ();
    const IDEMPOTENT: bool = true;

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        api::encode_retrieve_sessions(ep, self.body, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<(), ResponseError> {
        keep_correlator(res, &mut self.correlator);
        api::decode_retrieve_sessions(res.status(), res.body, self.out)
    }
}

/// `retrieveSessionsByDevice`, streamed: each session is decoded into `scratch` and handed to `each`, so any
/// number costs the RAM of one. Yields how many there were.
pub struct RetrieveSessionsEach<'a> {
    /// The request body.
    pub body: &'a RetrieveSessionsInput,
    /// Room for one session.
    pub scratch: &'a mut SessionInfo,
    /// Called with each session in turn.
    pub each: &'a mut dyn FnMut(&SessionInfo),
    /// Where the response's `x-correlator` goes, when wanted.
    pub correlator: Option<&'a mut XCorrelator>,
}

impl<'a> RetrieveSessionsEach<'a> {
    /// The operation, without keeping the response's `x-correlator`.
    pub fn new(
        body: &'a RetrieveSessionsInput,
        scratch: &'a mut SessionInfo,
        each: &'a mut dyn FnMut(&SessionInfo),
    ) -> Self {
        RetrieveSessionsEach {
            body,
            scratch,
            each,
            correlator: None,
        }
    }
}

impl Operation for RetrieveSessionsEach<'_> {
    type Output = usize;
    const IDEMPOTENT: bool = true;

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        api::encode_retrieve_sessions(ep, self.body, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<usize, ResponseError> {
        keep_correlator(res, &mut self.correlator);
        api::decode_retrieve_sessions_each(res.status(), res.body, self.scratch, self.each)
    }
}

impl core::fmt::Debug for RetrieveSessionsEach<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RetrieveSessionsEach")
            .field("body", &self.body)
            .finish_non_exhaustive()
    }
}

/// `getQosProfile`: `GET {root}/qos-profiles/v1/qos-profiles/{name}`, 200 with a `QosProfile` into `out`.
#[derive(Debug)]
pub struct GetQosProfile<'a> {
    /// The profile's name.
    pub name: &'a str,
    /// Where the profile goes.
    pub out: &'a mut QosProfile,
    /// Where the response's `x-correlator` goes, when wanted.
    pub correlator: Option<&'a mut XCorrelator>,
}

impl<'a> GetQosProfile<'a> {
    /// The operation, without keeping the response's `x-correlator`.
    pub fn new(name: &'a str, out: &'a mut QosProfile) -> Self {
        GetQosProfile {
            name,
            out,
            correlator: None,
        }
    }
}

impl Operation for GetQosProfile<'_> {
    type Output = ();
    const IDEMPOTENT: bool = true;

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        api::encode_get_qos_profile(ep, self.name, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<(), ResponseError> {
        keep_correlator(res, &mut self.correlator);
        api::decode_get_qos_profile(res.status(), res.body, self.out)
    }
}

/// `retrieveQoSProfiles`: `POST {root}/qos-profiles/v1/retrieve-qos-profiles`, 200 with the matching profiles into
/// `out` (a read: re-sent once on a stale connection).
#[derive(Debug)]
pub struct RetrieveQosProfiles<'a> {
    /// The filters.
    pub body: &'a QosProfileDeviceRequest,
    /// Where the profiles go (more than it holds is a decode error; see [`RetrieveQosProfilesEach`]).
    pub out: &'a mut QosProfileList,
    /// Where the response's `x-correlator` goes, when wanted.
    pub correlator: Option<&'a mut XCorrelator>,
}

impl<'a> RetrieveQosProfiles<'a> {
    /// The operation, without keeping the response's `x-correlator`.
    pub fn new(body: &'a QosProfileDeviceRequest, out: &'a mut QosProfileList) -> Self {
        RetrieveQosProfiles {
            body,
            out,
            correlator: None,
        }
    }
}

impl Operation for RetrieveQosProfiles<'_> {
    type Output = ();
    const IDEMPOTENT: bool = true;

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        api::encode_retrieve_qos_profiles(ep, self.body, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<(), ResponseError> {
        keep_correlator(res, &mut self.correlator);
        api::decode_retrieve_qos_profiles(res.status(), res.body, self.out)
    }
}

/// `retrieveQoSProfiles`, streamed: each profile is decoded into `scratch` and handed to `each`. Yields how many
/// there were.
pub struct RetrieveQosProfilesEach<'a> {
    /// The filters.
    pub body: &'a QosProfileDeviceRequest,
    /// Room for one profile.
    pub scratch: &'a mut QosProfile,
    /// Called with each profile in turn.
    pub each: &'a mut dyn FnMut(&QosProfile),
    /// Where the response's `x-correlator` goes, when wanted.
    pub correlator: Option<&'a mut XCorrelator>,
}

impl<'a> RetrieveQosProfilesEach<'a> {
    /// The operation, without keeping the response's `x-correlator`.
    pub fn new(
        body: &'a QosProfileDeviceRequest,
        scratch: &'a mut QosProfile,
        each: &'a mut dyn FnMut(&QosProfile),
    ) -> Self {
        RetrieveQosProfilesEach {
            body,
            scratch,
            each,
            correlator: None,
        }
    }
}

impl Operation for RetrieveQosProfilesEach<'_> {
    type Output = usize;
    const IDEMPOTENT: bool = true;

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        api::encode_retrieve_qos_profiles(ep, self.body, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<usize, ResponseError> {
        keep_correlator(res, &mut self.correlator);
        api::decode_retrieve_qos_profiles_each(res.status(), res.body, self.scratch, self.each)
    }
}

impl core::fmt::Debug for RetrieveQosProfilesEach<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RetrieveQosProfilesEach")
            .field("body", &self.body)
            .finish_non_exhaustive()
    }
}
