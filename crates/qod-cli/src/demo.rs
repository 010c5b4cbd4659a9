//! `qod demo`: the whole story in one process, no root and no setup.
//!
//! 1. The simulator (qod-sim) starts on `127.0.0.1:<free port>` with OAuth2 on.
//! 2. A simulated device gets its **own** embassy-net stack (`10.42.0.2`), linked in memory to a host-side
//!    embassy-net stack (`10.42.0.1`) whose bridge proxies TCP port 9091 to the simulator's socket (see `qod-devnet`).
//! 3. On the device, `qod-client` + `qod-embassy` get an OAuth2 token (client credentials) and run the QoD flow
//!    through its own stack, all on one kept-alive connection: create a QOS_VC session for 10 minutes (device and
//!    application-server addresses of the simulated device), wait for AVAILABLE, read it, extend it, delete it, and
//!    check that reading it again gives 404.
//!
//! With `--tls` the simulator serves HTTPS with a certificate from a CA made at start, and the device speaks TLS 1.3
//! with qod-client's embedded-tls connector (the same code a firmware links), verifying the certificate against that
//! CA under the name `localhost`.
//!
//! With `--api v1` the device speaks quality-on-demand 1.1.0 (with an `x-correlator`) and also finds its session by
//! the device (retrieve-sessions) before deleting it.
//!
//! Each step is printed as it happens (`--json`: one JSON document at the end). Exit 0 only if every step succeeded.
use crate::Api;
use embassy_futures::select::{select3, Either3};
use qod_client::tls::{TlsClock, TlsConnector};
use qod_client::{Client, ClientCredentials, ClientError, Config, Connect, PollPolicy, TokenSource, Url};
use qod_core::model::{ApplicationServer, CreateSession, Device, DeviceIpv4Addr, QosStatus, SessionInfo};
use qod_core::v1::model as v1;
use qod_devnet::{bridge, BridgeStats, DevNet};
use qod_embassy::{EmbassyClock, EmbassyConnector};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Options of `qod demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Milliseconds the simulator keeps a new session REQUESTED before it becomes AVAILABLE.
    #[arg(long, value_name = "MS", default_value_t = 800)]
    requested_delay: u64,
    /// HTTPS: the simulator with a fresh CA, the device on TLS 1.3 (embedded-tls) verifying it.
    #[arg(long)]
    tls: bool,
}

const BRIDGE_PORT: u16 = 9091;

struct Report {
    json: bool,
    steps: Vec<serde_json::Value>,
    ok: bool,
    started: Instant,
}

impl Report {
    fn step(&mut self, name: &str, ok: bool, detail: String, session: Option<&dyn qod_core::Encode>) {
        self.ok &= ok;
        let ms = self.started.elapsed().as_millis();
        let n = self.steps.len() + 1;
        if !self.json {
            let mark = if ok { "ok  " } else { "FAIL" };
            println!("[{n}] {mark} {name:<28} {detail}  (t={ms} ms)");
        }
        let session = session.and_then(|s| crate::gateway::json_value(s).ok());
        self.steps.push(serde_json::json!({
            "step": name, "ok": ok, "detail": detail, "t_ms": ms, "session": session,
        }));
    }
}

fn describe(s: &SessionInfo) -> String {
    format!(
        "id={} qosStatus={} duration={} s expiresAt={}",
        s.session_id, s.qos_status, s.duration, s.expires_at
    )
}

fn create_body(net: &DevNet) -> Result<CreateSession, qod_client::qod_core::CapacityError> {
    let device_ip = net.device_ip.to_string();
    let address = DeviceIpv4Addr::new(&device_ip)?.with_private_address(&device_ip)?;
    let device = Device::default().with_ipv4_address(address);
    let server = ApplicationServer::ipv4(&format!("{}/32", net.host_ip))?;
    Ok(CreateSession::new(device, server, "QOS_VC")?.with_duration(600))
}

/// The bodies the device sends to create its session, one per API version.
struct Bodies {
    v0: CreateSession,
    v1: v1::CreateSession,
}

/// The client the device's flows run on: its own embassy-net stack (in TLS or not), the buffer sizes of the RAM
/// report.
type DeviceClient<'c, C, T> = Client<'c, C, embassy_time::Delay, T>;

/// The device's clock for certificate validity: the host's (the demo runs on one).
struct HostClock;
impl TlsClock for HostClock {
    fn now() -> Option<u64> {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .map(|d| d.as_secs())
    }
}

/// The device: its embassy-net TCP connector, wrapped in TLS when `ca_der` is given, then the flow.
async fn run_device(
    stack: embassy_net::Stack<'static>,
    url: &str,
    ca_der: Option<&[u8]>,
    api: Api,
    bodies: &Bodies,
    r: &mut Report,
) {
    let (mut sock_rx, mut sock_tx) = ([0u8; 2048], [0u8; 2048]);
    let tcp = EmbassyConnector::new(stack, &mut sock_rx, &mut sock_tx);
    match ca_der {
        None => device_flow(&tcp, url, api, bodies, r).await,
        Some(ca) => {
            // A record buffer for any server (16,640 bytes) and one for our requests.
            let (mut rec_rx, mut rec_tx) = (vec![0u8; 16_640], vec![0u8; 1024]);
            let tls = TlsConnector::new(&tcp, ca, &mut rec_rx, &mut rec_tx, rand_core::OsRng)
                .with_clock::<HostClock>()
                .with_server_name("localhost");
            device_flow(&tls, url, api, bodies, r).await;
        }
    }
}

/// The device's flow over `connector`: its client and OAuth2 token (the same for both API versions), then the
/// session steps of `api`.
async fn device_flow<C: Connect>(connector: &C, url: &str, api: Api, bodies: &Bodies, r: &mut Report)
where
    C::Error: std::fmt::Display,
{
    let Ok(server) = Url::parse(url) else {
        return r.step("parse server URL", false, url.into(), None);
    };
    let token_url = crate::gateway::default_token_url(&server);
    let (id, secret) = (qod_sim::DEFAULT_CLIENT_ID, qod_sim::DEFAULT_CLIENT_SECRET);
    let clock = EmbassyClock::new();
    let tokens = match ClientCredentials::basic(&token_url, id, secret, clock) {
        Ok(t) => t,
        Err(e) => return r.step("parse token URL", false, e.to_string(), None),
    };
    // The buffer sizes of the RAM report (tests/tests/ram_report.rs): enough for every step here.
    let (mut tx, mut rx) = ([0u8; 512], [0u8; 1024]);
    let mut cfg = Config::new(server);
    cfg.timeout_ms = 5_000;
    if api == Api::V1 {
        cfg.correlator = Some("qod-demo-device-1");
    }
    let mut client = Client::new(connector, embassy_time::Delay, cfg, &mut tx, &mut rx).with_token_source(tokens);

    let res = client.refresh_token().await;
    let detail = match &res {
        Ok(()) => format!("client_credentials for {id} at {token_url}: a Bearer token, kept alive for the API calls"),
        Err(e) => e.to_string(),
    };
    r.step("device gets its OAuth2 token", res.is_ok(), detail, None);
    if res.is_ok() {
        match api {
            Api::V0 => session_steps(&mut client, &bodies.v0, r).await,
            Api::V1 => session_steps_v1(&mut client, &bodies.v1, r).await,
        }
    }
    client.close().await;
}

/// v0.10.1: create, wait until AVAILABLE, read, extend, delete, and 404 afterwards.
async fn session_steps<C: Connect, T: TokenSource>(
    client: &mut DeviceClient<'_, C, T>,
    body: &CreateSession,
    r: &mut Report,
) where
    C::Error: std::fmt::Display,
{
    let mut s = SessionInfo::default();
    let res = client.create_session(body, &mut s).await;
    let ok = res.is_ok() && s.qos_status != QosStatus::Unknown;
    let detail = match &res {
        Ok(()) => format!("201 {}", describe(&s)),
        Err(e) => e.to_string(),
    };
    r.step(
        "create session (QOS_VC, 600 s)",
        ok,
        detail,
        res.is_ok().then_some(&s as _),
    );
    if !ok {
        return;
    }
    let id = s.session_id.clone();

    let res = client
        .wait_until_available(&id, &mut s, PollPolicy::new(200, 15_000))
        .await;
    step_result(r, "wait until AVAILABLE", res, &s);
    let res = client.get_session(&id, &mut s).await;
    step_result(r, "read session", res, &s);
    let res = client.extend_session(&id, 300, &mut s).await;
    let ok = res.is_ok() && s.duration == 900;
    let detail = match &res {
        Ok(()) => format!("+300 s -> {}", describe(&s)),
        Err(e) => e.to_string(),
    };
    r.step("extend session by 300 s", ok, detail, res.is_ok().then_some(&s as _));
    let res = client.delete_session(&id).await;
    let detail = match &res {
        Ok(()) => "204 deleted".to_owned(),
        Err(e) => e.to_string(),
    };
    r.step("delete session", res.is_ok(), detail, None);
    match client.get_session(&id, &mut s).await {
        Err(ClientError::Api(e)) if e.status == 404 => r.step(
            "read deleted session -> 404",
            true,
            format!("404 {}: {}", e.info.code, e.info.message),
            None,
        ),
        Ok(()) => r.step(
            "read deleted session -> 404",
            false,
            "the session still exists".into(),
            Some(&s),
        ),
        Err(e) => r.step("read deleted session -> 404", false, e.to_string(), None),
    }
}

fn step_result<E: std::fmt::Display>(r: &mut Report, name: &str, res: Result<(), ClientError<E>>, s: &SessionInfo) {
    match res {
        Ok(()) => r.step(name, true, describe(s), Some(s)),
        Err(e) => r.step(name, false, e.to_string(), None),
    }
}

fn describe_v1(s: &v1::SessionInfo) -> String {
    let time = |t: Option<qod_core::time::DateTime>| t.map_or_else(|| "-".to_owned(), |t| t.to_string());
    format!(
        "id={} qosStatus={} duration={} s startedAt={} expiresAt={}{}",
        s.session_id,
        s.qos_status,
        s.duration,
        time(s.started_at),
        time(s.expires_at),
        s.status_info.map(|i| format!(" statusInfo={i}")).unwrap_or_default()
    )
}

fn create_body_v1(v0: &CreateSession) -> Result<v1::CreateSession, qod_client::qod_core::CapacityError> {
    Ok(v1::CreateSession::new(v0.application_server.clone(), &v0.qos_profile, 600)?.with_device(v0.device.clone()))
}

/// quality-on-demand 1.1.0: the same steps, with an `x-correlator`, plus finding the session by the device
/// (retrieve-sessions) before deleting it.
async fn session_steps_v1<C: Connect, T: TokenSource>(
    client: &mut DeviceClient<'_, C, T>,
    body: &v1::CreateSession,
    r: &mut Report,
) {
    let mut s = v1::SessionInfo::default();
    let res = client.v1().create_session(body, &mut s).await;
    let ok = res.is_ok() && s.qos_status != QosStatus::Unknown;
    let detail = match &res {
        Ok(()) => format!(
            "201 {} (x-correlator {})",
            describe_v1(&s),
            client.last_correlator().unwrap_or("-")
        ),
        Err(e) => e.to_string(),
    };
    r.step(
        "create session (QOS_VC, 600 s)",
        ok,
        detail,
        res.is_ok().then_some(&s as _),
    );
    if !ok {
        return;
    }
    let id = s.session_id.clone();
    let poll = PollPolicy::new(200, 15_000);
    let res = client.v1().wait_until_available(&id, &mut s, poll).await;
    step_result_v1(r, "wait until AVAILABLE", res, &s);
    let res = client.v1().get_session(&id, &mut s).await;
    step_result_v1(r, "read session", res, &s);
    let res = client.v1().extend_session(&id, 300, &mut s).await;
    let ok = res.is_ok() && s.duration == 900;
    let detail = match &res {
        Ok(()) => format!("+300 s -> {}", describe_v1(&s)),
        Err(e) => e.to_string(),
    };
    r.step("extend session by 300 s", ok, detail, res.is_ok().then_some(&s as _));
    let input = qod_core::fill!(v1::RetrieveSessionsInput {
        device: body.device.clone(),
    });
    let mut scratch = v1::SessionInfo::default();
    let mut found = 0;
    let mut found_ours = false;
    let res = client
        .v1()
        .retrieve_sessions_each(&input, &mut scratch, &mut |x| {
            found += 1;
            found_ours |= x.session_id == id;
        })
        .await;
    let detail = match &res {
        Ok(n) => format!("{n} session(s) of this device, ours among them: {found_ours}"),
        Err(e) => e.to_string(),
    };
    r.step(
        "find it by the device (retrieve-sessions)",
        res.is_ok() && found_ours && found == 1,
        detail,
        None,
    );
    let res = client.v1().delete_session(&id).await;
    let detail = match &res {
        Ok(()) => "204 deleted".to_owned(),
        Err(e) => e.to_string(),
    };
    r.step("delete session", res.is_ok(), detail, None);
    match client.v1().get_session(&id, &mut s).await {
        Err(ClientError::Api(e)) if e.status == 404 => r.step(
            "read deleted session -> 404",
            true,
            format!("404 {}: {}", e.info.code, e.info.message),
            None,
        ),
        Ok(()) => r.step(
            "read deleted session -> 404",
            false,
            "the session still exists".into(),
            Some(&s),
        ),
        Err(e) => r.step("read deleted session -> 404", false, e.to_string(), None),
    }
}

fn step_result_v1<E: std::fmt::Display>(
    r: &mut Report,
    name: &str,
    res: Result<(), ClientError<E>>,
    s: &v1::SessionInfo,
) {
    match res {
        Ok(()) => r.step(name, true, describe_v1(s), Some(s)),
        Err(e) => r.step(name, false, e.to_string(), None),
    }
}

/// Runs the demo, on v0.10.1 or (`--api v1`) quality-on-demand 1.1.0.
///
/// # Errors
/// "demo failed" when a step failed (the steps say which).
pub async fn run(args: Args, json: bool, api: Api) -> Result<(), String> {
    let mut r = Report {
        json,
        steps: Vec::new(),
        ok: true,
        started: Instant::now(),
    };
    // With --tls: a CA made now, a certificate for `localhost` (the name the device verifies; embedded-tls matches
    // DNS names only), the CA's DER built into the device.
    let pki = if args.tls {
        let ca = qod_sim::pki::TestCa::new("qod demo CA").map_err(|e| e.0)?;
        let leaf = ca
            .issue(&["localhost"], qod_sim::pki::Validity::current())
            .map_err(|e| e.0)?;
        Some((ca.cert_der().to_vec(), leaf.identity()))
    } else {
        None
    };
    let config = qod_sim::Config {
        requested_delay: Duration::from_millis(args.requested_delay),
        // The demo client is registered explicitly: the simulator accepts no client implicitly.
        auth: qod_sim::AuthConfig::with_client(qod_sim::DEFAULT_CLIENT_ID, qod_sim::DEFAULT_CLIENT_SECRET),
        tls: pki
            .as_ref()
            .map(|(_, id)| qod_sim::TlsConfig::with_identity(id.clone())),
        ..Default::default()
    };
    let sim = match qod_sim::serve(config).await {
        Ok(sim) => sim,
        Err(e) => return Err(format!("cannot start the simulator: {e}")),
    };
    let served = match api {
        Api::V0 => sim.base_url().to_owned(),
        Api::V1 => format!("{}/quality-on-demand/v1", sim.root_url()),
    };
    r.step("start simulator", true, format!("{served} (OAuth2 on)"), None);

    let mut net = DevNet::new();
    let stats = Arc::new(BridgeStats::default());
    // v0.10.1 at its base path; 1.1.0 under the API root.
    let scheme = if args.tls { "https" } else { "http" };
    let device_url = match api {
        Api::V0 => format!("{scheme}://{}:{BRIDGE_PORT}/qod/v0", net.host_ip),
        Api::V1 => format!("{scheme}://{}:{BRIDGE_PORT}", net.host_ip),
    };
    r.step(
        "start device network",
        true,
        format!(
            "device {} <-> host {} (in-memory IP link), bridge :{BRIDGE_PORT} -> {}",
            net.device_ip,
            net.host_ip,
            sim.local_addr()
        ),
        None,
    );
    // The device's and host's addresses are IPv4 literals: they fit the models' capacities.
    let v0 = create_body(&net).map_err(|e| format!("request body: {e}"))?;
    let v1 = create_body_v1(&v0).map_err(|e| format!("request body: {e}"))?;
    let bodies = Bodies { v0, v1 };
    let (device, host) = (net.device, net.host);
    let ca_der = pki.as_ref().map(|(ca, _)| ca.as_slice());
    let all = select3(
        net.run(),
        bridge(host, BRIDGE_PORT, sim.local_addr(), stats.clone()),
        run_device(device, &device_url, ca_der, api, &bodies, &mut r),
    );
    match tokio::time::timeout(Duration::from_secs(60), all).await {
        Ok(Either3::Third(())) => {}
        Ok(_) => unreachable!("the network tasks never end"),
        Err(_) => {
            r.ok = false;
            eprintln!("qod demo: the device flow did not finish within 60 s");
        }
    }
    let (conns, up, down) = (
        stats.accepted.load(Ordering::Relaxed),
        stats.up_bytes.load(Ordering::Relaxed),
        stats.down_bytes.load(Ordering::Relaxed),
    );
    r.step(
        "connections",
        conns == 1,
        format!(
            "{conns} {} connection(s) for the whole flow; {up} bytes up, {down} bytes down",
            if args.tls { "TLS" } else { "TCP" }
        ),
        None,
    );
    sim.shutdown().await;
    finish(r)
}

fn finish(r: Report) -> Result<(), String> {
    if r.json {
        println!("{}", serde_json::json!({ "ok": r.ok, "steps": r.steps }));
    } else {
        println!(
            "{}",
            if r.ok {
                "demo: every step succeeded"
            } else {
                "demo: FAILED"
            }
        );
    }
    if r.ok {
        Ok(())
    } else {
        Err("demo failed (see the steps above)".into())
    }
}
