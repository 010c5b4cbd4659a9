//! Bytes on the wire and round trips of one session lifecycle, plaintext against TLS: OAuth2 token + create + wait
//! (one GET: the session is AVAILABLE at once) + get + delete, by the device through its own embassy-net stack and
//! the bridge to the simulator, with the device client exactly as a firmware links it (qod-embassy TCP, qod-client's
//! embedded-tls connector for TLS).
//!
//! `cargo test -p qod-tests --test wire_report -- --nocapture` prints the table the README quotes. Bytes are TCP
//! payload bytes counted by the bridge (TLS: records, handshake included); a few bytes vary between runs with TLS
//! (ECDSA signatures in the handshake are DER of varying length).

use embassy_futures::select::{select3, Either3};
use qod_client::tls::TlsConnector;
use qod_client::{Client, ClientCredentials, Config, Connect, PollPolicy, Url};
use qod_core::model::{CreateSession, QosStatus, SessionInfo};
use qod_devnet::{bridge, BridgeStats, DevNet};
use qod_embassy::{EmbassyClock, EmbassyConnector};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

const PORT: u16 = 9091;
const ID: &str = "wire-report";
const SECRET: &str = "wire-report-secret-0123";

/// HTTP exchanges of the lifecycle: token, create, wait (one GET), get, delete.
const EXCHANGES: usize = 5;

#[derive(Debug)]
struct Wire {
    connections: usize,
    turns: usize,
    up: usize,
    down: usize,
}

async fn lifecycle<C: Connect>(connector: &C, url: &str) -> usize
where
    C::Error: std::fmt::Debug,
{
    let server = Url::parse(url).unwrap();
    let token_url = format!(
        "{}://{}/oauth/token",
        if server.https { "https" } else { "http" },
        server.authority
    );
    let tokens = ClientCredentials::basic(&token_url, ID, SECRET, EmbassyClock::new()).unwrap();
    let (mut tx, mut rx) = ([0u8; 512], [0u8; 1024]);
    let mut c =
        Client::new(connector, embassy_time::Delay, Config::new(server), &mut tx, &mut rx).with_token_source(tokens);
    let mut body = CreateSession::default();
    body.device.ipv4_address = Some(qod_core::fill!(qod_core::model::DeviceIpv4Addr {
        public_address: Some("10.42.0.2".try_into().unwrap()),
        private_address: Some("10.42.0.2".try_into().unwrap()),
        public_port: None,
    }));
    body.application_server.ipv4_address = Some("10.42.0.1/32".try_into().unwrap());
    body.qos_profile = "QOS_VC".try_into().unwrap();
    body.duration = Some(600);
    let mut s = SessionInfo::default();
    c.create_session(&body, &mut s).await.unwrap();
    let id = s.session_id.clone();
    let poll = PollPolicy::new(100, 1000);
    c.wait_until_available(&id, &mut s, poll).await.unwrap();
    assert_eq!(s.qos_status, QosStatus::Available);
    c.get_session(&id, &mut s).await.unwrap();
    c.delete_session(&id).await.unwrap();
    c.close().await;
    EXCHANGES
}

fn run(tls: bool) -> Wire {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let ca = qod_sim::pki::TestCa::new("wire report CA").unwrap();
        let leaf = ca.issue(&["localhost"], qod_sim::pki::Validity::current()).unwrap();
        let sim = qod_sim::serve(qod_sim::Config {
            auth: qod_sim::AuthConfig::with_client(ID, SECRET),
            tls: tls.then(|| qod_sim::TlsConfig::with_identity(leaf.identity())),
            ..Default::default()
        })
        .await
        .unwrap();
        let mut net = DevNet::new();
        let stats = Arc::new(BridgeStats::default());
        let (device, host) = (net.device, net.host);
        let ca_der = ca.cert_der().to_vec();
        let flow = async move {
            let (mut srx, mut stx) = ([0u8; 2048], [0u8; 2048]);
            let tcp = EmbassyConnector::new(device, &mut srx, &mut stx);
            if tls {
                let (mut rec_rx, mut rec_tx) = (vec![0u8; 16_640], vec![0u8; 1024]);
                let tls = TlsConnector::new(&tcp, &ca_der, &mut rec_rx, &mut rec_tx, rand_core::OsRng)
                    .with_server_name("localhost");
                lifecycle(&tls, &format!("https://10.42.0.1:{PORT}/qod/v0")).await
            } else {
                lifecycle(&tcp, &format!("http://10.42.0.1:{PORT}/qod/v0")).await
            }
        };
        let all = select3(net.run(), bridge(host, PORT, sim.local_addr(), stats.clone()), flow);
        match tokio::time::timeout(Duration::from_secs(30), all)
            .await
            .expect("lifecycle timed out")
        {
            Either3::Third(n) => assert_eq!(n, EXCHANGES),
            _ => unreachable!(),
        }
        // Let the bridge count the close.
        tokio::time::sleep(Duration::from_millis(50)).await;
        sim.shutdown().await;
        Wire {
            connections: stats.accepted.load(Ordering::Relaxed),
            turns: stats.turns.load(Ordering::Relaxed),
            up: stats.up_bytes.load(Ordering::Relaxed),
            down: stats.down_bytes.load(Ordering::Relaxed),
        }
    })
}

#[test]
fn report_bytes_and_round_trips_plain_vs_tls() {
    let plain = run(false);
    let tls = run(true);
    assert_eq!(
        (plain.connections, tls.connections),
        (1, 1),
        "one connection per lifecycle: {plain:?} {tls:?}"
    );
    assert!(tls.up > plain.up && tls.down > plain.down, "{plain:?} {tls:?}");
    // Round trips the device waits for: the TCP handshake, the TLS 1.3 full handshake (one: the client's Finished
    // goes out right before the token request), one per HTTP exchange. The bridge sees the server speak after the
    // device exactly once per exchange in plaintext; with TLS also after the ClientHello, and twice more without
    // anyone waiting (rustls's session tickets after the handshake, its close_notify answering ours).
    assert_eq!(plain.turns, EXCHANGES, "{plain:?}");
    assert!(tls.turns > EXCHANGES, "{tls:?}");
    let (rt_plain, rt_tls) = (1 + EXCHANGES, 2 + EXCHANGES);
    println!("| one lifecycle (token + create + wait + get + delete) | plaintext | TLS 1.3 | TLS / plaintext |");
    println!("|---|---|---|---|");
    println!(
        "| TCP connections (TLS handshakes) | {} | {} ({}) | |",
        plain.connections, tls.connections, tls.connections
    );
    println!(
        "| bytes device → server | {} | {} | {:.2} |",
        plain.up,
        tls.up,
        tls.up as f64 / plain.up as f64
    );
    println!(
        "| bytes server → device | {} | {} | {:.2} |",
        plain.down,
        tls.down,
        tls.down as f64 / plain.down as f64
    );
    let (pt, tt) = (plain.up + plain.down, tls.up + tls.down);
    println!(
        "| **bytes in all** | **{pt}** | **{tt}** | **{:.2}** |",
        tt as f64 / pt as f64
    );
    println!(
        "| round trips the device waits for (TCP + TLS handshakes + {EXCHANGES} exchanges) | {rt_plain} | {rt_tls} | |"
    );
    println!(
        "| server-after-device turns seen by the bridge | {} | {} (session tickets, close_notify) | |",
        plain.turns, tls.turns
    );
}
