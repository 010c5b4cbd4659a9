//! The 1.1.0 operations (quality-on-demand and qos-profiles) as methods of [`V1`], which [`Client::v1`] gives: each
//! is [`Client::run`] with the operation of `qod_core::v1::op`.
use crate::{Client, ClientError, Connect, PollPolicy, TokenSource};
use embedded_hal_async::delay::DelayNs;
use qod_core::v1::model::{
    CreateSession, ExtendSessionDuration, QosProfile, QosProfileDeviceRequest, QosProfileList, QosStatus,
    RetrieveSessionsInput, SessionInfo, SessionList,
};
use qod_core::v1::op;

impl<'c, C: Connect, D: DelayNs, T: TokenSource> Client<'c, C, D, T> {
    /// The CAMARA quality-on-demand 1.1.0 and qos-profiles 1.1.0 operations. Their paths are under the
    /// [`Config::server`](crate::Config::server) URL taken as the API root: `{root}/quality-on-demand/v1/…` and
    /// `{root}/qos-profiles/v1/…` (so `http://host:9091`, not `…/qod/v0`).
    pub fn v1(&mut self) -> V1<'_, 'c, C, D, T> {
        V1 { client: self }
    }
}

/// The 1.1.0 operations of a [`Client`] (see [`Client::v1`]). The `x-correlator` of
/// [`Config::correlator`](crate::Config::correlator) goes with every request (checked against the spec's pattern
/// first); the server's comes back in [`Client::last_correlator`].
pub struct V1<'a, 'c, C: Connect, D, T> {
    client: &'a mut Client<'c, C, D, T>,
}

impl<C: Connect, D, T: core::fmt::Debug> core::fmt::Debug for V1<'_, '_, C, D, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("V1").field(&self.client).finish()
    }
}

impl<'c, C: Connect, D: DelayNs, T: TokenSource> V1<'_, 'c, C, D, T> {
    /// `createSession`: `POST /sessions`; the server's `SessionInfo` is decoded into `out`.
    ///
    /// # Errors
    /// [`ClientError`]; the body is validated before anything is sent. Never re-sent on a stale connection. A
    /// device-bound (three-legged) token with a `device` is 422 `UNNECESSARY_IDENTIFIER`, a two-legged one without
    /// 422 `MISSING_IDENTIFIER`.
    pub async fn create_session(
        &mut self,
        body: &CreateSession,
        out: &mut SessionInfo,
    ) -> Result<(), ClientError<C::Error>> {
        self.client.run(op::CreateSession::new(body, out)).await
    }

    /// `getSession`: `GET /sessions/{id}` into `out`.
    ///
    /// # Errors
    /// [`ClientError`] (a 404 is [`ClientError::Api`]).
    pub async fn get_session(&mut self, id: &str, out: &mut SessionInfo) -> Result<(), ClientError<C::Error>> {
        self.client.run(op::GetSession::new(id, out)).await
    }

    /// `extendQosSessionDuration`: `POST /sessions/{id}/extend` by `additional_s` seconds (the overall duration is
    /// capped by the profile's `maxDuration`); the result into `out`.
    ///
    /// # Errors
    /// [`ClientError`]; 409 `QUALITY_ON_DEMAND.SESSION_EXTENSION_NOT_ALLOWED` when the session is not `AVAILABLE`.
    /// Never re-sent on a stale connection.
    pub async fn extend_session(
        &mut self,
        id: &str,
        additional_s: u32,
        out: &mut SessionInfo,
    ) -> Result<(), ClientError<C::Error>> {
        let body = ExtendSessionDuration::new(additional_s);
        self.client.run(op::ExtendSession::new(id, body, out)).await
    }

    /// `deleteSession`: `DELETE /sessions/{id}`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn delete_session(&mut self, id: &str) -> Result<(), ClientError<C::Error>> {
        self.client.run(op::DeleteSession::new(id)).await
    }

    /// `retrieveSessionsByDevice`: `POST /retrieve-sessions`; the device's sessions into `out` (empty when it has
    /// none). The way to find sessions without their ids, e.g. to clean up after a create whose answer was lost.
    ///
    /// # Errors
    /// [`ClientError`]; more sessions than `out` holds is a [`ClientError::Codec`] (see
    /// [`retrieve_sessions_each`](Self::retrieve_sessions_each)).
    pub async fn retrieve_sessions(
        &mut self,
        input: &RetrieveSessionsInput,
        out: &mut SessionList,
    ) -> Result<(), ClientError<C::Error>> {
        self.client.run(op::RetrieveSessions::new(input, out)).await
    }

    /// `retrieveSessionsByDevice`, streamed: each session is decoded into `scratch` and handed to `each`, so any
    /// number costs the RAM of one. Returns how many there were.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn retrieve_sessions_each(
        &mut self,
        input: &RetrieveSessionsInput,
        scratch: &mut SessionInfo,
        each: &mut dyn FnMut(&SessionInfo),
    ) -> Result<usize, ClientError<C::Error>> {
        self.client
            .run(op::RetrieveSessionsEach::new(input, scratch, each))
            .await
    }

    /// `getQosProfile`: `GET {root}/qos-profiles/v1/qos-profiles/{name}` into `out`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn qos_profile(&mut self, name: &str, out: &mut QosProfile) -> Result<(), ClientError<C::Error>> {
        self.client.run(op::GetQosProfile::new(name, out)).await
    }

    /// `retrieveQoSProfiles`: `POST {root}/qos-profiles/v1/retrieve-qos-profiles` with the filters of `request`
    /// (a device, a name, a status; all optional) into `out`.
    ///
    /// # Errors
    /// [`ClientError`]; more profiles than `out` holds is a [`ClientError::Codec`].
    pub async fn retrieve_qos_profiles(
        &mut self,
        request: &QosProfileDeviceRequest,
        out: &mut QosProfileList,
    ) -> Result<(), ClientError<C::Error>> {
        self.client.run(op::RetrieveQosProfiles::new(request, out)).await
    }

    /// `retrieveQoSProfiles`, streamed (see [`retrieve_sessions_each`](Self::retrieve_sessions_each)).
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn retrieve_qos_profiles_each(
        &mut self,
        request: &QosProfileDeviceRequest,
        scratch: &mut QosProfile,
        each: &mut dyn FnMut(&QosProfile),
    ) -> Result<usize, ClientError<C::Error>> {
        self.client
            .run(op::RetrieveQosProfilesEach::new(request, scratch, each))
            .await
    }

    /// Polls `getSession` every `poll.interval_ms` until the session is `AVAILABLE` (the last `SessionInfo` is in
    /// `out`).
    ///
    /// # Errors
    /// [`ClientError::SessionUnavailable`] with the session's `statusInfo` when it goes `UNAVAILABLE`
    /// (`NETWORK_TERMINATED`: the network could not provide it or ended it), [`ClientError::DeadlineExceeded`] when
    /// it is still `REQUESTED` after `poll.deadline_ms` of waiting, or any error of
    /// [`get_session`](Self::get_session).
    pub async fn wait_until_available(
        &mut self,
        id: &str,
        out: &mut SessionInfo,
        poll: PollPolicy,
    ) -> Result<(), ClientError<C::Error>> {
        let mut waited: u32 = 0;
        loop {
            self.get_session(id, out).await?;
            match out.qos_status {
                QosStatus::Available => return Ok(()),
                QosStatus::Unavailable => return Err(ClientError::SessionUnavailable(out.status_info)),
                _ => {}
            }
            if waited >= poll.deadline_ms {
                return Err(ClientError::DeadlineExceeded);
            }
            let step = poll.interval_ms.max(1).min(poll.deadline_ms - waited);
            self.client.sleep_ms(step).await;
            waited += step;
        }
    }
}
