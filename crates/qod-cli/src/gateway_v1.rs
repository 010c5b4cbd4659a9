//! The gateway commands on CAMARA quality-on-demand / qos-profiles 1.1.0 (`qod --api v1 …`): the same commands as
//! [`crate::gateway`] (and its options), plus `session list` (retrieve-sessions), with the 1.1.0 models.
//!
//! `--server` is then the API root (`http://127.0.0.1:9091`): a URL ending in `/qod/v0`, `/quality-on-demand/v1` or
//! `/qos-profiles/v1` (what `qod sim` prints, or a 1.1.0 API's own URL) is taken as its root, so the same `--server`
//! serves both versions.
use crate::answer::Answer;
use crate::exit::Failure;
use crate::gateway::{
    field, host_run, print_answer, print_value, with_client, CreateArgs, DeviceArgs, Global, ProfilesArgs, SessionArgs,
    SessionCommand,
};
use qod_client::tokio::{SystemClock, TokioDelay};
use qod_client::{Client, ClientCredentials, Config, Url};
use qod_core::time::DateTime;
use qod_core::v1::model::{
    CreateSession, Device, ExtendSessionDuration, QosProfile, QosProfileDeviceRequest, RetrieveSessionsInput,
    SessionInfo, SinkCredential,
};
use qod_core::v1::op;

/// `qod --api v1 session list`: the device whose sessions to find (none: the access token's own device).
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    device: DeviceArgs,
}

/// Runs a 1.1.0 operation at host size, as the v0.10.1 commands do (`gateway::host_run!`); an API error also names
/// the `x-correlator` the server answered with, which identifies the request to the operator.
macro_rules! v1 {
    ($g:expr, $client:ident, $op:expr, $answer:expr, $what:expr, $changes:expr) => {{
        let result = host_run!($g, $client, $op, $answer, $what, $changes);
        result.map_err(|f| with_correlator(f, $client.last_correlator()))
    }};
}

/// `f`, naming `correlator` after an API error.
fn with_correlator(mut f: Failure, correlator: Option<&str>) -> Failure {
    if let (Some(c), Some(_)) = (correlator, f.status) {
        f.hint = Some(match f.hint.take() {
            Some(h) => format!("{h} (x-correlator {c})"),
            None => format!("x-correlator {c}"),
        });
    }
    f
}

/// The API root from `--server` (see the module docs). `with_client!` calls `server_url` where it is used, so
/// here this one.
pub(crate) fn server_url(g: &Global) -> Result<&str, String> {
    let server = crate::gateway::server_url(g)?;
    let trimmed = server.trim_end_matches('/');
    Ok(["/qod/v0", "/quality-on-demand/v1", "/qos-profiles/v1"]
        .iter()
        .find_map(|api| trimmed.strip_suffix(api))
        .unwrap_or(trimmed))
}

/// The 1.1.0 create body from the create options: the device only when one is named (none: the token's device),
/// `--duration` required (1.1.0 has no default), `--webhook-url` as the `sink` (https only) and `--webhook-token`
/// as its access-token credential, valid until an hour after the session would end.
fn create_body(c: &CreateArgs) -> Result<CreateSession, String> {
    let duration = c
        .duration
        .ok_or("--duration is required with --api v1 (quality-on-demand 1.1.0 has no default duration)")?;
    create_body_for(c, duration)
}

/// [`create_body`] with `duration` instead of `--duration` (the keeper's lease).
pub(crate) fn create_body_for(c: &CreateArgs, duration: u32) -> Result<CreateSession, String> {
    let v0 = c.body()?;
    if let Some(w) = &v0.webhook {
        if !w.notification_url.starts_with("https://") {
            return Err(format!(
                "--sink {}: quality-on-demand 1.1.0 sends notifications only to an https:// URL",
                w.notification_url
            ));
        }
    }
    let sink_credential = match &v0.webhook {
        Some(w) => match &w.notification_auth_token {
            Some(token) => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                let until = i64::try_from(now + u64::from(duration) + 3600).unwrap_or(i64::MAX);
                let expires = DateTime::from_unix(until).ok_or("--duration is too long")?;
                Some(SinkCredential::access_token(token.expose(), expires).map_err(|_| "--webhook-token is too long")?)
            }
            None => None,
        },
        None => None,
    };
    Ok(qod_core::fill!(CreateSession {
        device: (v0.device != Device::default()).then_some(v0.device),
        application_server: v0.application_server,
        device_ports: v0.device_ports,
        application_server_ports: v0.application_server_ports,
        qos_profile: v0.qos_profile,
        sink: v0
            .webhook
            .map(|w| field("--webhook-url", &w.notification_url))
            .transpose()?,
        sink_credential,
        duration,
    }))
}

/// Runs `qod --api v1 session …`.
///
/// # Errors
/// A [`Failure`] of its class (API errors with status, 1.1.0 code, message and the `x-correlator`).
pub async fn run_session(g: Global, args: SessionArgs) -> Result<(), Failure> {
    let mut info = SessionInfo::default();
    let mut answer = Answer::default();
    let a = &mut answer;
    match args.command {
        SessionCommand::Create(c) => {
            let body = create_body(&c)?;
            let op = op::CreateSession::new(&body, &mut info);
            with_client!(&g, client, v1!(g, client, op, a, "SessionInfo", true))?;
            print_answer(&answer, "SessionInfo")
        }
        SessionCommand::Get { id } => {
            let op = op::GetSession::new(&id, &mut info);
            with_client!(&g, client, v1!(g, client, op, a, "SessionInfo", false))?;
            print_answer(&answer, "SessionInfo")
        }
        SessionCommand::Extend { id, by } => {
            let body = ExtendSessionDuration::new(by);
            let op = op::ExtendSession::new(&id, body, &mut info);
            with_client!(&g, client, v1!(g, client, op, a, "SessionInfo", true))?;
            print_answer(&answer, "SessionInfo")
        }
        SessionCommand::Delete { id } => {
            let op = op::DeleteSession::new(&id);
            with_client!(&g, client, v1!(g, client, op, a, "answer", false))?;
            print_value(&serde_json::json!({ "deleted": id }))
        }
        SessionCommand::List(l) => {
            let device = l.device.device()?;
            let input = qod_core::fill!(RetrieveSessionsInput {
                device: (device != Device::default()).then_some(device),
            });
            // Streamed: any number of sessions, each checked by the device codec, shown as the API sent them.
            let mut each = |_: &SessionInfo| {};
            let op = op::RetrieveSessionsEach::new(&input, &mut info, &mut each);
            with_client!(&g, client, v1!(g, client, op, a, "SessionInfo list", false))?;
            print_answer(&answer, "SessionInfo list")
        }
        SessionCommand::Keep(k) => crate::keep::run(&g, *k, crate::Api::V1).await.map_err(Failure::from),
    }
}

/// Runs `qod --api v1 profiles [NAME]`: one profile (`GET /qos-profiles/{name}`), or every profile
/// (`POST /retrieve-qos-profiles`, streamed, so any number is shown).
///
/// # Errors
/// As [`run_session`].
pub async fn run_profiles(g: Global, args: ProfilesArgs) -> Result<(), Failure> {
    let mut p = QosProfile::default();
    let mut answer = Answer::default();
    let a = &mut answer;
    match args.name {
        Some(name) => {
            let op = op::GetQosProfile::new(&name, &mut p);
            with_client!(&g, client, v1!(g, client, op, a, "QosProfile", false))?;
            print_answer(&answer, "QosProfile")
        }
        None => {
            let mut each = |_: &QosProfile| {};
            let request = QosProfileDeviceRequest::default();
            let op = op::RetrieveQosProfilesEach::new(&request, &mut p, &mut each);
            with_client!(&g, client, v1!(g, client, op, a, "QosProfile list", false))?;
            print_answer(&answer, "QosProfile list")
        }
    }
}
