//! The job: one QoS session for this device, through qod-client over the
//! qod-embassy transport, on whatever link the embassy-net stack runs over
//! (Ethernet in firmware-mps2, PPP over a cellular modem in firmware-cellular).
//!
//! create (`POST /sessions`) → wait until `AVAILABLE` (polling
//! `GET /sessions/{id}`) → read it (`GET`) → delete it (`DELETE`) → confirm
//! that a `GET` now answers 404. Every failure maps to its own
//! [`ExitCode`]; once a session exists, every failure path tries to delete
//! it before the firmware exits, so no session is left behind.
//!
//! The job is generic over the connector and the token source: plain TCP
//! without a token (the default), or, with the `tls` feature, HTTPS with an
//! OAuth2 token fetched first on the same kept-alive connection
//! ([`crate::tls`]).

use core::fmt::Write as _;

use embassy_net::Stack;
use embassy_time::{with_timeout, Duration, Instant};
#[cfg(not(feature = "v1"))]
use qod_client::qod_core::model::{ApplicationServer, CreateSession, Device, DeviceIpv4Addr, SessionId, SessionInfo};
#[cfg(feature = "v1")]
use qod_client::qod_core::v1::model::{
    ApplicationServer, CreateSession, Device, DeviceIpv4Addr, SessionId, SessionInfo,
};
use qod_client::{ClientError, Config, Connect, PollPolicy, RetryPolicy, TokenSource, Url};
use qod_embassy::EmbassyConnector;

use crate::exit::ExitCode;

/// The simulator as both firmwares see it: QEMU user-mode networking maps
/// 10.0.2.2 to the host's loopback, and the simulated modem's network side has
/// the same address. The port is fixed at build time (`QOD_SIM_PORT`,
/// validated by build.rs). A constant, not a parameter: parsed at compile
/// time, the URL links no string-slicing panic paths (measured: 8 KiB).
#[cfg(not(any(feature = "tls", feature = "v1")))]
pub const SERVER_URL: &str = concat!("http://10.0.2.2:", env!("QOD_SIM_PORT"), "/qod/v0");
/// With the `v1` feature: the API root, under which `/quality-on-demand/v1` is.
#[cfg(all(not(feature = "tls"), feature = "v1"))]
pub const SERVER_URL: &str = concat!("http://10.0.2.2:", env!("QOD_SIM_PORT"));
/// The simulator over HTTPS (`tls` feature): the same address, verified under
/// the name `localhost` ([`crate::tls`]).
#[cfg(all(feature = "tls", not(feature = "v1")))]
pub const SERVER_URL: &str = concat!("https://10.0.2.2:", env!("QOD_SIM_PORT"), "/qod/v0");
/// HTTPS and 1.1.0: the API root over TLS.
#[cfg(all(feature = "tls", feature = "v1"))]
pub const SERVER_URL: &str = concat!("https://10.0.2.2:", env!("QOD_SIM_PORT"));

/// The API the firmware speaks: v0.10.1, or quality-on-demand 1.1.0 with the `v1` feature (the same calls).
#[cfg(not(feature = "v1"))]
macro_rules! api {
    ($client:expr) => {
        $client
    };
}
#[cfg(feature = "v1")]
macro_rules! api {
    ($client:expr) => {
        $client.v1()
    };
}
/// `applicationServer.ipv4Address`: the host we talk to.
const APPLICATION_SERVER: &str = "10.0.2.2";
/// `qosProfile` (a CAMARA use-case profile the simulator offers).
const QOS_PROFILE: &str = "QOS_VC";
/// `duration` in seconds.
const DURATION_S: u32 = 600;
/// Bound on each request (connect + send + whole response).
const REQUEST_TIMEOUT_MS: u32 = 5_000;
/// How `wait_until_available` polls.
const POLL: PollPolicy = PollPolicy::new(250, 10_000);
/// 429/503: retry twice when the server asks for at most 5 s.
const RETRY: RetryPolicy = RetryPolicy::new(2, 5_000, 1_000);
/// Watchdog over the whole job, behind the per-request timeouts.
const JOB_TIMEOUT: Duration = Duration::from_secs(45);

type Error<E> = ClientError<E>;
type Client<'c, C, T> = qod_client::Client<'c, C, embassy_time::Delay, T>;

/// A transport error's own exit status, whatever the step that met it
/// (`None`: the step's status).
pub trait TransportExit: defmt::Format {
    /// The status, or `None`.
    fn exit_code(&self) -> Option<ExitCode>;
}

impl TransportExit for qod_embassy::Error {
    fn exit_code(&self) -> Option<ExitCode> {
        match self {
            qod_embassy::Error::Connect(_) => Some(ExitCode::Connect),
            _ => None,
        }
    }
}

/// Which step failed.
#[derive(Clone, Copy, defmt::Format)]
enum Step {
    Token,
    Create,
    Wait,
    Get,
    Delete,
    Verify,
}

/// Runs the job against the simulator and returns the firmware's exit status.
pub async fn run(stack: Stack<'_>) -> ExitCode {
    let url = match Url::parse(SERVER_URL) {
        Ok(url) => url,
        Err(e) => {
            defmt::error!("server URL {=str}: {}", SERVER_URL, e);
            return ExitCode::Config;
        }
    };
    let Some(request) = create_request(stack) else {
        defmt::error!("no IPv4 address to put in the request");
        return ExitCode::Config;
    };

    let mut sock_rx = [0u8; 1536];
    let mut sock_tx = [0u8; 1024];
    let mut tx = [0u8; 768];
    let mut rx = [0u8; 1536];
    let conn = EmbassyConnector::new(stack, &mut sock_rx, &mut sock_tx);
    let mut config = Config::new(url);
    config.timeout_ms = REQUEST_TIMEOUT_MS;
    config.retry = RETRY;
    #[cfg(not(feature = "tls"))]
    {
        let mut client = qod_client::Client::new(&conn, embassy_time::Delay, config, &mut tx, &mut rx);
        lifecycle(&mut client, &request).await
    }
    #[cfg(feature = "tls")]
    {
        crate::tls::run(conn, config, &mut tx, &mut rx, &request).await
    }
}

/// Runs the job with `client` and closes its connection: the exit status.
pub(crate) async fn lifecycle<C, T>(client: &mut Client<'_, C, T>, request: &CreateSession) -> ExitCode
where
    C: Connect,
    C::Error: TransportExit,
    T: TokenSource,
{
    defmt::info!("QoD server {=str}", SERVER_URL);

    let mut info = SessionInfo::default();
    // Set as soon as the server has created the session, so that every
    // failure after that point cleans up.
    let mut created: Option<SessionId> = None;
    let start = Instant::now();
    let result = match with_timeout(JOB_TIMEOUT, job(client, request, &mut info, &mut created)).await {
        Ok(result) => result,
        Err(_) => {
            defmt::error!("job not done within {=u64} s", JOB_TIMEOUT.as_secs());
            // The request in flight was dropped half way: start the cleanup
            // on a fresh connection.
            client.close().await;
            Err(ExitCode::Timeout)
        }
    };
    let code = match result {
        Ok(()) => {
            defmt::info!("session lifecycle done in {=u64} ms", start.elapsed().as_millis());
            ExitCode::Success
        }
        Err(code) => {
            if let Some(id) = created {
                cleanup(client, &id).await;
            }
            code
        }
    };
    client.close().await;
    code
}

/// The `createSession` body: this device by its IPv4 address (public and
/// private are the same: there is no NAT between it and the server),
/// towards the application server, with profile and duration.
pub(crate) fn create_request(stack: Stack<'_>) -> Option<CreateSession> {
    let address = stack.config_v4()?.address.address();
    let mut own: heapless::String<{ qod_client::qod_core::limits::IPV4 }> = heapless::String::new();
    write!(own, "{address}").ok()?;
    let mut request = CreateSession::default();
    let address = DeviceIpv4Addr::new(&own)
        .and_then(|a| a.with_private_address(&own))
        .ok()?;
    let device = Device::default().with_ipv4_address(address);
    request.application_server = ApplicationServer::ipv4(APPLICATION_SERVER).ok()?;
    request.qos_profile = QOS_PROFILE.try_into().ok()?;
    #[cfg(not(feature = "v1"))]
    {
        request.device = device;
        request.duration = Some(DURATION_S);
    }
    #[cfg(feature = "v1")]
    {
        request.device = Some(device);
        request.duration = DURATION_S;
    }
    Some(request)
}

async fn job<C, T>(
    client: &mut Client<'_, C, T>,
    request: &CreateSession,
    info: &mut SessionInfo,
    created: &mut Option<SessionId>,
) -> Result<(), ExitCode>
where
    C: Connect,
    C::Error: TransportExit,
    T: TokenSource,
{
    if client.tokens().token_url().is_some() {
        // At start, so that bad credentials fail early and alone; later
        // requests reuse the token (and the connection).
        let t = Instant::now();
        client.refresh_token().await.map_err(|e| failed(Step::Token, &e))?;
        defmt::info!("token: got an access token in {=u64} ms", t.elapsed().as_millis());
    }
    #[cfg(not(feature = "v1"))]
    let device = Some(&request.device);
    #[cfg(feature = "v1")]
    let device = request.device.as_ref();
    let device = device
        .and_then(|d| d.ipv4_address.as_ref())
        .and_then(|a| a.public_address.as_deref());
    defmt::info!(
        "create: device {=str}, server {=str}, profile {=str}, {=u32} s",
        device.unwrap_or("?"),
        APPLICATION_SERVER,
        QOS_PROFILE,
        DURATION_S
    );
    api!(client)
        .create_session(request, info)
        .await
        .map_err(|e| failed(Step::Create, &e))?;
    *created = Some(info.session_id.clone());
    log_session("created", info);
    let id = info.session_id.clone();

    let t = Instant::now();
    api!(client)
        .wait_until_available(&id, info, POLL)
        .await
        .map_err(|e| failed(Step::Wait, &e))?;
    defmt::info!("AVAILABLE after {=u64} ms", t.elapsed().as_millis());

    api!(client)
        .get_session(&id, info)
        .await
        .map_err(|e| failed(Step::Get, &e))?;
    log_session("read", info);

    api!(client)
        .delete_session(&id)
        .await
        .map_err(|e| failed(Step::Delete, &e))?;
    *created = None;
    defmt::info!("deleted {=str}", id.as_str());

    match api!(client).get_session(&id, info).await {
        Err(ClientError::Api(e)) if e.status == 404 => {
            defmt::info!("confirmed: GET after DELETE answers 404 {=str}", e.info.code.as_str());
            Ok(())
        }
        Ok(()) => {
            log_session("still there after DELETE", info);
            // It is still there: clean up again before exiting.
            *created = Some(id);
            Err(ExitCode::StillThere)
        }
        Err(e) => Err(failed(Step::Verify, &e)),
    }
}

fn log_session(what: &str, info: &SessionInfo) {
    defmt::info!(
        "{=str}: session {=str} status {} profile {=str} duration {=u32} s startedAt {} expiresAt {}",
        what,
        info.session_id.as_str(),
        info.qos_status,
        info.qos_profile.as_str(),
        info.duration,
        info.started_at,
        info.expires_at
    );
}

/// Logs a failed step and picks its exit status: the transport's and the
/// client's own failures (no connection, timeout, not available) have one
/// status whatever the step, anything else is the step's status.
fn failed<E: TransportExit>(step: Step, e: &Error<E>) -> ExitCode {
    match e {
        ClientError::Api(api) => defmt::error!(
            "{}: API error {=u16} {=str}: {=str}",
            step,
            api.status,
            api.info.code.as_str(),
            api.info.message.as_str()
        ),
        _ => defmt::error!("{}: {}", step, e),
    }
    if let Some(code) = match e {
        ClientError::Transport(t) => t.exit_code(),
        _ => None,
    } {
        return code;
    }
    match (step, e) {
        (_, ClientError::Token(_)) => ExitCode::Token,
        (_, ClientError::Timeout) => ExitCode::Timeout,
        (_, ClientError::DeadlineExceeded) => ExitCode::NotAvailable,
        (_, ClientError::SessionUnavailable(_)) => ExitCode::Unavailable,
        (Step::Token, _) => ExitCode::Token,
        (Step::Create, _) => ExitCode::Create,
        (Step::Wait | Step::Get, _) => ExitCode::Get,
        (Step::Delete, _) => ExitCode::Delete,
        (Step::Verify, _) => ExitCode::StillThere,
    }
}

/// Deletes a session a failed job left behind: two attempts; a 404 means it
/// is already gone.
async fn cleanup<C, T>(client: &mut Client<'_, C, T>, id: &SessionId)
where
    C: Connect,
    C::Error: TransportExit,
    T: TokenSource,
{
    for attempt in 1..=2u8 {
        match api!(client).delete_session(id).await {
            Ok(()) => {
                defmt::warn!("cleanup: deleted {=str}", id.as_str());
                return;
            }
            Err(ClientError::Api(e)) if e.status == 404 => {
                defmt::warn!("cleanup: {=str} is already gone", id.as_str());
                return;
            }
            Err(e) => defmt::error!("cleanup: delete attempt {=u8} failed: {}", attempt, e),
        }
    }
    defmt::error!("cleanup: session {=str} may be left on the server", id.as_str());
}
