//! Shared harness of the end-to-end tests: qod-client + qod-embassy on the simulated device's own embassy-net stack, through the in-memory link
//! and the host bridge, against the real simulator (qod-sim) on loopback.
#![allow(dead_code, unused_imports, unused_macros)]

pub use embassy_futures::select::{select3, Either3};
pub use qod_client::{Client, ClientError, Config, PollPolicy, RetryPolicy, Url};
pub use qod_core::model::{CreateSession, ErrorCode, QosProfile, QosProfileList, QosStatus, SessionInfo};
pub use qod_devnet::{bridge, BridgeStats, DevNet};
pub use qod_embassy::EmbassyConnector;
use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

pub const PORT: u16 = 9091;

/// A token for the device, fetched on the host side with the same client and token source the device uses
/// (OAuth2 client credentials against the simulator).
pub async fn token(sim: &qod_sim::RunningSim) -> String {
    use qod_client::tokio::{SystemClock, TokioConnector, TokioDelay};
    use qod_client::TokenSource;
    let url = Url::parse(sim.base_url()).unwrap();
    let token_url = format!("http://{}/oauth/token", url.authority);
    let clock = SystemClock::new();
    let tokens = qod_client::ClientCredentials::post(
        &token_url,
        qod_sim::DEFAULT_CLIENT_ID,
        qod_sim::DEFAULT_CLIENT_SECRET,
        clock,
    )
    .unwrap();
    let connector = TokioConnector::new();
    let (mut tx, mut rx) = ([0u8; 1024], [0u8; 4096]);
    let mut client = Client::new(&connector, TokioDelay, Config::new(url), &mut tx, &mut rx).with_token_source(tokens);
    client.refresh_token().await.unwrap();
    client.close().await;
    client.tokens().bearer().unwrap().to_owned()
}

pub fn sim_config() -> qod_sim::Config {
    qod_sim::Config {
        requested_delay: Duration::from_millis(300),
        auth: qod_sim::AuthConfig::with_client("demo-client", "demo-secret"),
        ..Default::default()
    }
}

/// Runs `flow(device stack, token, bridge stats)` on the device while the link, the bridge and the simulator run.
pub fn with_device<F, Fut, T>(sim_cfg: qod_sim::Config, flow: F) -> (T, Arc<BridgeStats>)
where
    F: FnOnce(embassy_net::Stack<'static>, String, Arc<BridgeStats>) -> Fut,
    Fut: Future<Output = T>,
{
    with_stacks(sim_cfg, |device, _host, token, stats| flow(device, token, stats))
}

/// As [`with_device`], also handing over the host-side stack (to run more services on it).
pub fn with_stacks<F, Fut, T>(sim_cfg: qod_sim::Config, flow: F) -> (T, Arc<BridgeStats>)
where
    F: FnOnce(embassy_net::Stack<'static>, embassy_net::Stack<'static>, String, Arc<BridgeStats>) -> Fut,
    Fut: Future<Output = T>,
{
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let sim = qod_sim::serve(sim_cfg).await.unwrap();
        let token = token(&sim).await;
        let mut net = DevNet::new();
        let stats = Arc::new(BridgeStats::default());
        let (device, host) = (net.device, net.host);
        let run = tokio::time::timeout(
            Duration::from_secs(30),
            select3(
                net.run(),
                bridge(host, PORT, sim.local_addr(), stats.clone()),
                flow(device, host, token, stats.clone()),
            ),
        );
        let out = match run.await.expect("device flow timed out") {
            Either3::Third(v) => v,
            _ => unreachable!("the network never ends"),
        };
        sim.shutdown().await;
        (out, stats)
    })
}

pub const URL: &str = "http://10.42.0.1:9091/qod/v0";

pub fn create_body(phone: &str, profile: &str) -> CreateSession {
    let mut c = CreateSession::default();
    c.device.phone_number = Some(phone.try_into().unwrap());
    c.device.ipv4_address = Some(qod_core::fill!(qod_core::model::DeviceIpv4Addr {
        public_address: Some("10.42.0.2".try_into().unwrap()),
        private_address: Some("10.42.0.2".try_into().unwrap()),
        public_port: None,
    }));
    c.application_server.ipv4_address = Some("10.42.0.1/32".try_into().unwrap());
    c.qos_profile = profile.try_into().unwrap();
    c.duration = Some(600);
    c
}

/// A device-side `Client` named `$client` with config `$cfg`, over `$stack`, with bearer `$token`.
#[macro_export]
macro_rules! device_client {
    ($stack:expr, $token:expr, $cfg:ident, $client:ident) => {
        let url = Url::parse(URL).unwrap();
        let (mut srx, mut stx) = ([0u8; 2048], [0u8; 2048]);
        let (mut tx, mut rx) = ([0u8; 1024], [0u8; 16384]);
        let conn = EmbassyConnector::new($stack, &mut srx, &mut stx);
        #[allow(unused_mut)]
        let mut $cfg = Config::new(url);
        $cfg.timeout_ms = 5_000;
        let mut $client = Client::new(&conn, embassy_time::Delay, $cfg, &mut tx, &mut rx).with_token(&$token);
    };
}
