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
//! Each step is printed as it happens (`--json`: one JSON document at the end). Exit 0 only if every step succeeded.
use embassy_futures::select::{select3, Either3};
use qod_client::tls::{TlsClock, TlsConnector};
use qod_client::{Client, ClientCredentials, ClientError, Config, Connect, Poll, Url};
use qod_core::model::{CreateSession, DeviceIpv4Addr, QosStatus, SessionInfo};
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
    fn step(&mut self, name: &str, ok: bool, detail: String, session: Option<&SessionInfo>) {
        self.ok &= ok;
        let ms = self.started.elapsed().as_millis();
        let n = self.steps.len() + 1;
        if !self.json {
            let mark = if ok { "ok  " } else { "FAIL" };
            println!("[{n}] {mark} {name:<28} {detail}  (t={ms} ms)");
        }
        let session: Option<serde_json::Value> = session
            .and_then(|s| qod_core::json::to_vec(s).ok())
            .and_then(|b| serde_json::from_slice(&b).ok());
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

fn create_body(net: &DevNet) -> CreateSession {
    let device_ip = net.device_ip.to_string();
    let mut c = CreateSession::default();
    c.device.ipv4_address = Some(DeviceIpv4Addr {
        public_address: device_ip.as_str().try_into().ok(),
        private_address: device_ip.as_str().try_into().ok(),
        public_port: None,
    });
    c.application_server.ipv4_address = format!("{}/32", net.host_ip).as_str().try_into().ok();
    c.qos_profile = "QOS_VC".try_into().unwrap_or_default();
    c.duration = Some(600);
    c
}

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
    body: &CreateSession,
    r: &mut Report,
) {
    let (mut sock_rx, mut sock_tx) = ([0u8; 2048], [0u8; 2048]);
    let tcp = EmbassyConnector::new(stack, &mut sock_rx, &mut sock_tx);
    match ca_der {
        None => device_flow(&tcp, url, body, r).await,
        Some(ca) => {
            // A record buffer for any server (16,640 bytes) and one for our requests.
            let (mut rec_rx, mut rec_tx) = (vec![0u8; 16_640], vec![0u8; 1024]);
            let tls = TlsConnector::new(&tcp, ca, &mut rec_rx, &mut rec_tx, rand_core::OsRng)
                .with_clock::<HostClock>()
                .with_server_name("localhost");
            device_flow(&tls, url, body, r).await;
        }
    }
}

/// The device's flow over `connector`.
async fn device_flow<C: Connect>(connector: &C, url: &str, body: &CreateSession, r: &mut Report)
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
    // The buffer sizes of the RAM report (crates/qod-devnet/tests/ram_report.rs): enough for every step here.
    let (mut tx, mut rx) = ([0u8; 512], [0u8; 1024]);
    let mut cfg = Config::new(server);
    cfg.timeout_ms = 5_000;
    let mut client = Client::new(connector, embassy_time::Delay, cfg, &mut tx, &mut rx).with_token_source(tokens);
    let mut s = SessionInfo::default();

    let res = client.refresh_token().await;
    let detail = match &res {
        Ok(()) => format!("client_credentials for {id} at {token_url}: a Bearer token, kept alive for the API calls"),
        Err(e) => e.to_string(),
    };
    r.step("device gets its OAuth2 token", res.is_ok(), detail, None);
    if res.is_err() {
        return;
    }

    let res = client.create_session(body, &mut s).await;
    let ok = res.is_ok() && s.qos_status != QosStatus::Unknown;
    let detail = match &res {
        Ok(()) => format!("201 {}", describe(&s)),
        Err(e) => e.to_string(),
    };
    r.step("create session (QOS_VC, 600 s)", ok, detail, res.is_ok().then_some(&s));
    if !ok {
        return;
    }
    let id = s.session_id.clone();

    let res = client
        .wait_until_available(
            &id,
            &mut s,
            Poll {
                interval_ms: 200,
                deadline_ms: 15_000,
            },
        )
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
    r.step("extend session by 300 s", ok, detail, res.is_ok().then_some(&s));
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
    client.close().await;
}

fn step_result<E: std::fmt::Display>(r: &mut Report, name: &str, res: Result<(), ClientError<E>>, s: &SessionInfo) {
    match res {
        Ok(()) => r.step(name, true, describe(s), Some(s)),
        Err(e) => r.step(name, false, e.to_string(), None),
    }
}

/// Runs the demo.
///
/// # Errors
/// "demo failed" when a step failed (the steps say which).
pub async fn run(args: Args, json: bool) -> Result<(), String> {
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
    r.step("start simulator", true, format!("{} (OAuth2 on)", sim.base_url()), None);

    let mut net = DevNet::new();
    let stats = Arc::new(BridgeStats::default());
    let scheme = if args.tls { "https" } else { "http" };
    let device_url = format!("{scheme}://{}:{BRIDGE_PORT}/qod/v0", net.host_ip);
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
    let body = create_body(&net);
    let (device, host) = (net.device, net.host);
    let ca_der = pki.as_ref().map(|(ca, _)| ca.as_slice());
    let flow = run_device(device, &device_url, ca_der, &body, &mut r);
    let all = select3(
        net.run(),
        bridge(host, BRIDGE_PORT, sim.local_addr(), stats.clone()),
        flow,
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
