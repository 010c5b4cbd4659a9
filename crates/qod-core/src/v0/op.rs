//! The v0.10.1 operations as [`Operation`]s, for an engine that runs any operation (qod-client's `Client::run`).
//! Each borrows its inputs and the model its response is decoded into, and calls the matching pair of
//! [`api`] functions.
use super::api;
use super::model::{self, ExtendSessionDuration, QosProfile, QosProfileList, QosProfileStatus, SessionInfo};
use crate::api::{Endpoint, Operation, ResponseError};
use crate::http::Response;
use crate::Error;

/// `createSession`: `POST /sessions`, 201 with a `SessionInfo` into `out`.
#[derive(Debug)]
pub struct CreateSession<'a> {
    /// The request body (validated before anything is written).
    pub body: &'a model::CreateSession,
    /// Where the created session goes.
    pub out: &'a mut SessionInfo,
}

impl Operation for CreateSession<'_> {
    type Output = ();
    const IDEMPOTENT: bool = false;

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        api::encode_create_session(ep, self.body, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<(), ResponseError> {
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
}

impl Operation for GetSession<'_> {
    type Output = ();
    const IDEMPOTENT: bool = true;

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        api::encode_get_session(ep, self.id, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<(), ResponseError> {
        api::decode_get_session(res.status(), res.body, self.out)
    }
}

/// `extendQosSessionDuration`: `POST /sessions/{id}/extend`, 200 with a `SessionInfo` into `out`.
#[derive(Debug)]
pub struct ExtendSession<'a> {
    /// The session id.
    pub id: &'a str,
    /// The request body (1–86399 s).
    pub body: ExtendSessionDuration,
    /// Where the extended session goes.
    pub out: &'a mut SessionInfo,
}

impl Operation for ExtendSession<'_> {
    type Output = ();
    const IDEMPOTENT: bool = false;

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        api::encode_extend_session(ep, self.id, &self.body, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<(), ResponseError> {
        api::decode_extend_session(res.status(), res.body, self.out)
    }
}

/// `deleteSession`: `DELETE /sessions/{id}`, 204.
#[derive(Debug, Clone, Copy)]
pub struct DeleteSession<'a> {
    /// The session id.
    pub id: &'a str,
}

impl Operation for DeleteSession<'_> {
    type Output = ();
    const IDEMPOTENT: bool = true;

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        api::encode_delete_session(ep, self.id, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<(), ResponseError> {
        api::decode_delete_session(res.status(), res.body)
    }
}

/// `getQosProfiles`: `GET /qos-profiles[?name=&status=]`, 200 with a list into `out`.
#[derive(Debug)]
pub struct GetQosProfiles<'a> {
    /// Only the profile of this name.
    pub name: Option<&'a str>,
    /// Only the profiles in this status.
    pub status: Option<QosProfileStatus>,
    /// Where the profiles go (more than it holds is a decode error; see [`GetQosProfilesEach`]).
    pub out: &'a mut QosProfileList,
}

impl Operation for GetQosProfiles<'_> {
    type Output = ();
    const IDEMPOTENT: bool = true;

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        api::encode_get_qos_profiles(ep, self.name, self.status, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<(), ResponseError> {
        api::decode_get_qos_profiles(res.status(), res.body, self.out)
    }
}

/// `getQosProfiles`, streamed: each profile is decoded into `scratch` and handed to `each`, so any number of
/// profiles costs the RAM of one. Yields how many there were.
pub struct GetQosProfilesEach<'a> {
    /// Only the profile of this name.
    pub name: Option<&'a str>,
    /// Only the profiles in this status.
    pub status: Option<QosProfileStatus>,
    /// Room for one profile.
    pub scratch: &'a mut QosProfile,
    /// Called with each profile in turn.
    pub each: &'a mut dyn FnMut(&QosProfile),
}

impl core::fmt::Debug for GetQosProfilesEach<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("GetQosProfilesEach")
            .field("name", &self.name)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Operation for GetQosProfilesEach<'_> {
    type Output = usize;
    const IDEMPOTENT: bool = true;

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        api::encode_get_qos_profiles(ep, self.name, self.status, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<usize, ResponseError> {
        api::decode_get_qos_profiles_each(res.status(), res.body, self.scratch, self.each)
    }
}

/// `getQosProfile`: `GET /qos-profiles/{name}`, 200 with a `QosProfile` into `out`.
#[derive(Debug)]
pub struct GetQosProfile<'a> {
    /// The profile's name.
    pub name: &'a str,
    /// Where the profile goes.
    pub out: &'a mut QosProfile,
}

impl Operation for GetQosProfile<'_> {
    type Output = ();
    const IDEMPOTENT: bool = true;

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, Error> {
        api::encode_get_qos_profile(ep, self.name, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<(), ResponseError> {
        api::decode_get_qos_profile(res.status(), res.body, self.out)
    }
}
