//! The gateway commands on CAMARA quality-on-demand / qos-profiles 1.1.0 (`qod --api v1 …`): the same commands as
//! [`crate::gateway`] (and its options), plus `session list` (retrieve-sessions), with the 1.1.0 models.
//!
//! `--server` is then the API root (`http://127.0.0.1:9091`): a URL ending in `/qod/v0`, `/quality-on-demand/v1` or
//! `/qos-profiles/v1` (what `qod sim` prints, or a 1.1.0 API's own URL) is taken as its root, so the same `--server`
//! serves both versions.
use crate::gateway::{
    field, json_value, print_json, print_value, with_client, CreateArgs, DeviceArgs, Global, ProfilesArgs, SessionArgs,
    SessionCommand,
};
use qod_client::tokio::{SystemClock, TokioDelay};
use qod_client::{Client, ClientCredentials, ClientError, Config, Url};
use qod_core::time::DateTime;
use qod_core::v1::model::{
    CreateSession, Device, QosProfile, QosProfileDeviceRequest, RetrieveSessionsInput, SessionInfo, SinkCredential,
};

/// `qod --api v1 session list`: the device whose sessions to find (none: the access token's own device).
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    device: DeviceArgs,
}

/// An error as [`crate::gateway`] prints it; an API error also names the `x-correlator` the server answered with,
/// which identifies the request to the operator.
fn error(e: ClientError<std::io::Error>, correlator: Option<&str>) -> String {
    match correlator {
        Some(c) if matches!(e, ClientError::Api(_)) => format!("{e} (x-correlator {c})"),
        _ => e.to_string(),
    }
}

/// `v1!(client.op(args))`: runs a 1.1.0 operation of `client` and maps its error with [`error`].
macro_rules! v1 {
    ($client:ident . $($op:tt)+) => {{
        let result = $client.v1().$($op)+.await;
        result.map_err(|e| error(e, $client.last_correlator()))
    }};
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
                Some(SinkCredential::access_token(token.expose(), expires).ok_or("--webhook-token is too long")?)
            }
            None => None,
        },
        None => None,
    };
    Ok(CreateSession {
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
    })
}

/// Runs `qod --api v1 session …`.
///
/// # Errors
/// A readable message (API errors with status, code and message).
pub async fn run_session(g: Global, args: SessionArgs) -> Result<(), String> {
    let mut info = SessionInfo::default();
    match args.command {
        SessionCommand::Create(c) => {
            let body = create_body(&c)?;
            with_client!(&g, client, v1!(client.create_session(&body, &mut info)))?;
            print_json(&info)
        }
        SessionCommand::Get { id } => {
            with_client!(&g, client, v1!(client.get_session(&id, &mut info)))?;
            print_json(&info)
        }
        SessionCommand::Extend { id, by } => {
            with_client!(&g, client, v1!(client.extend_session(&id, by, &mut info)))?;
            print_json(&info)
        }
        SessionCommand::Delete { id } => {
            with_client!(&g, client, v1!(client.delete_session(&id)))?;
            print_value(&serde_json::json!({ "deleted": id }))
        }
        SessionCommand::List(l) => {
            let device = l.device.device()?;
            let input = RetrieveSessionsInput {
                device: (device != Device::default()).then_some(device),
            };
            // Streamed: any number of sessions, each printed as the API sent it.
            let mut found = Vec::new();
            let mut each = |s: &SessionInfo| found.push(json_value(s));
            with_client!(
                &g,
                client,
                v1!(client.retrieve_sessions_each(&input, &mut info, &mut each))
            )?;
            print_list(found)
        }
        SessionCommand::Keep(k) => crate::keep::run(&g, *k, crate::Api::V1).await,
    }
}

/// Prints a streamed list as one pretty JSON array.
fn print_list(items: Vec<Result<serde_json::Value, String>>) -> Result<(), String> {
    let items = items.into_iter().collect::<Result<Vec<_>, _>>()?;
    print_value(&serde_json::Value::Array(items))
}

/// Runs `qod --api v1 profiles [NAME]`: one profile (`GET /qos-profiles/{name}`), or every profile
/// (`POST /retrieve-qos-profiles`, streamed, so any number is shown).
///
/// # Errors
/// As [`run_session`].
pub async fn run_profiles(g: Global, args: ProfilesArgs) -> Result<(), String> {
    let mut p = QosProfile::default();
    match args.name {
        Some(name) => {
            with_client!(&g, client, v1!(client.qos_profile(&name, &mut p)))?;
            print_json(&p)
        }
        None => {
            let mut all = Vec::new();
            let mut each = |p: &QosProfile| all.push(json_value(p));
            let request = QosProfileDeviceRequest::default();
            with_client!(
                &g,
                client,
                v1!(client.retrieve_qos_profiles_each(&request, &mut p, &mut each))
            )?;
            print_list(all)
        }
    }
}
