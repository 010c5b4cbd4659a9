//! The keeper's v0.10.1 operations ([`V0Api`]).
use super::driver::{classify, Dated, SessionApi};
use super::machine::{ApiVersion, Reply, Request, SessionView};
use crate::{Client, Connect, TokenSource};
use embedded_hal_async::delay::DelayNs;
use qod_core::v0::model::{CreateSession, ExtendSessionDuration, SessionInfo};
use qod_core::v0::op;

/// The keeper's session on QoD v0.10.1: the application's `CreateSession` (its `duration` is set to the lease at
/// each create) and room for one `SessionInfo` (about 2.7 KB together with the default limits).
#[derive(Debug, Clone, Default)]
pub struct V0Api {
    body: CreateSession,
    info: SessionInfo,
}

impl V0Api {
    /// The session `body` describes (device, application server, ports, profile, webhook).
    pub fn new(body: CreateSession) -> Self {
        V0Api {
            body,
            info: SessionInfo::default(),
        }
    }

    /// The create request.
    pub fn body(&self) -> &CreateSession {
        &self.body
    }

    /// The last `SessionInfo` received.
    pub fn last_info(&self) -> &SessionInfo {
        &self.info
    }
}

fn view(info: &SessionInfo, date: Option<u32>) -> SessionView {
    SessionView {
        id: info.session_id.clone(),
        status: info.qos_status,
        reason: None,
        started_at: Some(info.started_at),
        expires_at: Some(info.expires_at),
        duration_s: Some(info.duration),
        server_time: date.map(i64::from),
        matches: true,
    }
}

impl SessionApi for V0Api {
    const VERSION: ApiVersion = ApiVersion::V0_10_1;

    async fn send<C: Connect, D: DelayNs, T: TokenSource>(
        &mut self,
        client: &mut Client<'_, C, D, T>,
        req: &Request,
    ) -> Reply<'_> {
        let info = &mut self.info;
        let got = match req {
            Request::Create { duration_s } => {
                self.body.duration = Some(*duration_s);
                client
                    .run(Dated(op::CreateSession {
                        body: &self.body,
                        out: info,
                    }))
                    .await
            }
            Request::Get { id } => client.run(Dated(op::GetSession { id, out: info })).await,
            Request::Extend { id, additional_s } => {
                let body = ExtendSessionDuration::new(*additional_s);
                client.run(Dated(op::ExtendSession { id, body, out: info })).await
            }
            Request::Delete { id } => {
                return match client.run(op::DeleteSession { id }).await {
                    Ok(()) => Reply::Deleted,
                    Err(e) => classify(&e),
                }
            }
            // v0.10.1 cannot list; the keeper never asks it to.
            Request::List => return Reply::NotSent,
        };
        match got {
            Ok(((), date)) => Reply::Session(view(&self.info, date)),
            Err(e) => classify(&e),
        }
    }
}
