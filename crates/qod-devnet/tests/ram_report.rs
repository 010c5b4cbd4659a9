//! RAM report: what one request costs beyond the socket buffers, measured with `size_of`/`size_of_val` on the real
//! types (client on an embassy-net `EmbassyConnector`, each operation's future before it is polled).
//! `cargo test -p qod-devnet --test ram_report -- --nocapture` prints the table. Host (x86_64) sizes: pointers
//! and `usize` are 8 bytes here and 4 on a Cortex-M, so the MCU figures are at most these.
use core::mem::{size_of, size_of_val};
use qod_client::Url;
use qod_client::{Client, Config, Poll};
use qod_core::model::{CreateSession, QosProfile, SessionInfo};
use qod_embassy::EmbassyConnector;

/// Request and response buffers that hold a session create and its answer from the simulator (checked by the e2e
/// tests, which use larger ones, and by the measured wire sizes: request ≤ 400 B, response ≤ 800 B).
const TX: usize = 512;
const RX: usize = 1024;

/// Size of a future (or any value), dropped right away.
fn sz<T>(v: T) -> usize {
    size_of_val(&v)
}

#[test]
fn report_static_ram_per_request() {
    let net = qod_devnet::DevNet::new();
    let url = Url::parse("http://10.42.0.1:9091/qod/v0").unwrap();
    let (mut srx, mut stx) = ([0u8; 1024], [0u8; 1024]);
    let (mut tx, mut rx) = ([0u8; TX], [0u8; RX]);
    let conn = EmbassyConnector::new(net.device, &mut srx, &mut stx);
    let conn_size = size_of_val(&conn);
    let mut client = Client::new(&conn, embassy_time::Delay, Config::new(url), &mut tx, &mut rx);
    let client_size = size_of_val(&client);
    let id = "123e4567-e89b-12d3-a456-426614174000";
    let mut s = SessionInfo::default();
    let body = CreateSession::default();
    let mut p = QosProfile::default();
    let mut rows: Vec<(&str, usize)> = vec![
        ("create_session", sz(client.create_session(&body, &mut s))),
        ("get_session", sz(client.get_session(id, &mut s))),
        ("extend_session", sz(client.extend_session(id, 60, &mut s))),
        ("delete_session", sz(client.delete_session(id))),
        ("qos_profile", sz(client.qos_profile("QOS_E", &mut p))),
    ];
    let poll = Poll {
        interval_ms: 500,
        deadline_ms: 1000,
    };
    rows.push((
        "wait_until_available",
        sz(client.wait_until_available(id, &mut s, poll)),
    ));
    let fut = rows.iter().map(|r| r.1).max().unwrap();
    println!("| item | bytes (x86_64) |");
    println!("|---|---|");
    println!("| `EmbassyConnector` (the socket, borrowed by the client) | {conn_size} |");
    println!("| `Client` (connector ref, open connection, `Delay`, config, buffer refs) | {client_size} |");
    for (name, n) in &rows {
        println!("| `{name}` future | {n} |");
    }
    println!("| request buffer `tx_buf` | {TX} |");
    println!("| response buffer `rx_buf` | {RX} |");
    let total = conn_size + client_size + fut + TX + RX;
    println!("| **connector + client + largest future + buffers** | **{total}** |");
    println!(
        "| `SessionInfo` (the caller's decoded answer) | {} |",
        size_of::<SessionInfo>()
    );
    println!(
        "| `CreateSession` (the caller's request) | {} |",
        size_of::<CreateSession>()
    );
    println!("| (socket buffers, not counted: 2 × 1024) | 2048 |");
    assert!(
        total <= 4096,
        "connector + client + largest future + buffers = {total} B > 4 KB"
    );
}
