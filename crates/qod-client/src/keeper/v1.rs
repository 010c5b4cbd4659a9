//! The keeper's quality-on-demand 1.1.0 operations ([`V1Api`]).
use super::driver::{classify, Dated, SessionApi};
use super::machine::{ApiVersion, Reply, Request, SessionView};
use crate::{Client, Connect, TokenSource};
use embedded_hal_async::delay::DelayNs;
use heapless::Vec;
use qod_core::v1::model::{CreateSession, ExtendSessionDuration, RetrieveSessionsInput, SessionInfo};
use qod_core::v1::op;

/// How many of a device's sessions one `retrieve-sessions` answer may report to the keeper. A list holds the
/// device's sessions, normally one or two; more than this are reported in part (the keeper lists again while it has
/// sessions to retire that did not fit its own bound of 4, so this bound is above it).
pub const LISTED: usize = 8;

/// The keeper's session on quality-on-demand 1.1.0: the application's `CreateSession` (its `duration` is set to the
/// lease at each create), room for one `SessionInfo` and the views of one listed page.
///
/// Paths are under the client's [`Config::server`](crate::Config::server) taken as the API root (see
/// [`Client::v1`]). A session in a list is the one the application wants when its application server, ports and
/// profile are the ones of the create request.
#[derive(Debug, Clone)]
pub struct V1Api {
    body: CreateSession,
    info: SessionInfo,
    listed: Vec<SessionView, LISTED>,
}

impl V1Api {
    /// The session `body` describes (device, application server, ports, profile, sink).
    pub fn new(body: CreateSession) -> Self {
        V1Api {
            body,
            info: SessionInfo::default(),
            listed: Vec::new(),
        }
    }

    /// The create request.
    pub fn body(&self) -> &CreateSession {
        &self.body
    }

    /// The last `SessionInfo` received (of a list: the last one in it).
    pub fn last_info(&self) -> &SessionInfo {
        &self.info
    }
}

fn view(info: &SessionInfo, date: Option<u32>, matches: bool) -> SessionView {
    SessionView {
        id: info.session_id.clone(),
        status: info.qos_status,
        reason: info.status_info,
        started_at: info.started_at.map(|t| t.unix()),
        expires_at: info.expires_at.map(|t| t.unix()),
        duration_s: Some(info.duration),
        server_time: date.map(i64::from),
        matches,
    }
}

/// Whether a listed session is the one `body` asks for.
fn wanted(body: &CreateSession, info: &SessionInfo) -> bool {
    info.application_server == body.application_server
        && info.qos_profile == body.qos_profile
        && info.device_ports == body.device_ports
        && info.application_server_ports == body.application_server_ports
}

impl SessionApi for V1Api {
    const VERSION: ApiVersion = ApiVersion::V1_1_0;

    async fn send<C: Connect, D: DelayNs, T: TokenSource>(
        &mut self,
        client: &mut Client<'_, C, D, T>,
        req: &Request,
    ) -> Reply<'_> {
        let info = &mut self.info;
        let got = match req {
            Request::Create { duration_s } => {
                self.body.duration = *duration_s;
                client.run(Dated(op::CreateSession::new(&self.body, info))).await
            }
            Request::Get { id } => client.run(Dated(op::GetSession::new(id, info))).await,
            Request::Extend { id, additional_s } => {
                let body = ExtendSessionDuration::new(*additional_s);
                client.run(Dated(op::ExtendSession::new(id, body, info))).await
            }
            Request::Delete { id } => {
                return match client.run(op::DeleteSession::new(id)).await {
                    Ok(()) => Reply::Deleted,
                    Err(e) => classify(&e),
                }
            }
            Request::List => {
                let input = match self.body.device.clone() {
                    Some(device) => RetrieveSessionsInput::for_device(device),
                    None => RetrieveSessionsInput::default(),
                };
                let body = &self.body;
                let listed = &mut self.listed;
                listed.clear();
                // The `Date` is known only once the whole answer is read: the views are dated after.
                let mut each = |s: &SessionInfo| {
                    let _ = listed.push(view(s, None, wanted(body, s)));
                };
                return match client
                    .run(Dated(op::RetrieveSessionsEach::new(&input, info, &mut each)))
                    .await
                {
                    Ok((_, date)) => {
                        for v in self.listed.iter_mut() {
                            v.server_time = date.map(i64::from);
                        }
                        Reply::Sessions(&self.listed)
                    }
                    Err(e) => classify(&e),
                };
            }
        };
        match got {
            Ok(((), date)) => Reply::Session(view(&self.info, date, true)),
            Err(e) => classify(&e),
        }
    }
}
