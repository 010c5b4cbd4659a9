//! The v0.10.1 operations as methods: each is [`Client::run`] with the operation of `qod_core::v0::op`.
use crate::{Client, ClientError, Connect, PollPolicy, TokenSource};
use embedded_hal_async::delay::DelayNs;
use qod_core::v0::model::{
    CreateSession, ExtendSessionDuration, QosProfile, QosProfileList, QosProfileStatus, QosStatus, SessionInfo,
};
use qod_core::v0::op;

impl<'c, C: Connect, D: DelayNs, T: TokenSource> Client<'c, C, D, T> {
    /// `createSession`: `POST /sessions`; the server's `SessionInfo` is decoded into `out`.
    ///
    /// # Errors
    /// [`ClientError`]; the body is validated before anything is sent. Never re-sent on a stale connection.
    pub async fn create_session(
        &mut self,
        body: &CreateSession,
        out: &mut SessionInfo,
    ) -> Result<(), ClientError<C::Error>> {
        self.run(op::CreateSession { body, out }).await
    }

    /// `getSession`: `GET /sessions/{id}` into `out`.
    ///
    /// # Errors
    /// [`ClientError`] (a 404 is [`ClientError::Api`]).
    pub async fn get_session(&mut self, id: &str, out: &mut SessionInfo) -> Result<(), ClientError<C::Error>> {
        self.run(op::GetSession { id, out }).await
    }

    /// `extendQosSessionDuration`: `POST /sessions/{id}/extend` by `additional_s` seconds; the result into `out`.
    ///
    /// # Errors
    /// [`ClientError`]. Never re-sent on a stale connection (it is not idempotent).
    pub async fn extend_session(
        &mut self,
        id: &str,
        additional_s: u32,
        out: &mut SessionInfo,
    ) -> Result<(), ClientError<C::Error>> {
        let body = ExtendSessionDuration::new(additional_s);
        self.run(op::ExtendSession { id, body, out }).await
    }

    /// `deleteSession`: `DELETE /sessions/{id}`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn delete_session(&mut self, id: &str) -> Result<(), ClientError<C::Error>> {
        self.run(op::DeleteSession { id }).await
    }

    /// `getQosProfiles`: `GET /qos-profiles[?name=&status=]` into `out`.
    ///
    /// # Errors
    /// [`ClientError`]; more profiles than `out` holds is a [`ClientError::Codec`].
    pub async fn qos_profiles(
        &mut self,
        name: Option<&str>,
        status: Option<QosProfileStatus>,
        out: &mut QosProfileList,
    ) -> Result<(), ClientError<C::Error>> {
        self.run(op::GetQosProfiles { name, status, out }).await
    }

    /// `getQosProfile`: `GET /qos-profiles/{name}` into `out`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn qos_profile(&mut self, name: &str, out: &mut QosProfile) -> Result<(), ClientError<C::Error>> {
        self.run(op::GetQosProfile { name, out }).await
    }

    /// Polls `getSession` every `poll.interval_ms` until the session is `AVAILABLE` (the last `SessionInfo` is in
    /// `out`).
    ///
    /// # Errors
    /// [`ClientError::SessionUnavailable`] when it goes `UNAVAILABLE`, [`ClientError::DeadlineExceeded`] when it is
    /// still `REQUESTED` after `poll.deadline_ms` of waiting, or any error of [`get_session`](Self::get_session).
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
                QosStatus::Unavailable => return Err(ClientError::SessionUnavailable(None)),
                _ => {}
            }
            if waited >= poll.deadline_ms {
                return Err(ClientError::DeadlineExceeded);
            }
            let step = poll.interval_ms.max(1).min(poll.deadline_ms - waited);
            self.sleep_ms(step).await;
            waited += step;
        }
    }
}
