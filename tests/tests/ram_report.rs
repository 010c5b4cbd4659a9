//! RAM report: what one request costs beyond the socket buffers, measured with `size_of`/`size_of_val` on the real
//! types (client on an embassy-net `EmbassyConnector`, each operation's future before it is polled).
//! `cargo test -p qod-tests --test ram_report -- --nocapture` prints the table. Host (x86_64) sizes: pointers
//! and `usize` are 8 bytes here and 4 on a Cortex-M, so the MCU figures are at most these.
use core::mem::{size_of, size_of_val};
use qod_client::Url;
use qod_client::{Client, Config, PollPolicy};
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
    let poll = PollPolicy::new(500, 1000);
    rows.push((
        "wait_until_available",
        sz(client.wait_until_available(id, &mut s, poll)),
    ));
    // 1.1.0 (`client.v1()`): the same engine, so the same futures plus the operation's borrows; the same rows in the
    // same order, then the operations v0.10.1 does not have.
    use qod_core::v1::model as v1;
    let mut s1 = v1::SessionInfo::default();
    let body1 = v1::CreateSession::default();
    let mut p1 = v1::QosProfile::default();
    let input = v1::RetrieveSessionsInput::default();
    let request = v1::QosProfileDeviceRequest::default();
    let mut scratch = v1::SessionInfo::default();
    let mut each = |_: &v1::SessionInfo| {};
    let mut each_profile = |_: &v1::QosProfile| {};
    let v1_rows: Vec<(&str, usize)> = vec![
        ("create_session", sz(client.v1().create_session(&body1, &mut s1))),
        ("get_session", sz(client.v1().get_session(id, &mut s1))),
        ("extend_session", sz(client.v1().extend_session(id, 60, &mut s1))),
        ("delete_session", sz(client.v1().delete_session(id))),
        ("qos_profile", sz(client.v1().qos_profile("QOS_E", &mut p1))),
        (
            "wait_until_available",
            sz(client.v1().wait_until_available(id, &mut s1, poll)),
        ),
        (
            "retrieve_sessions_each",
            sz(client.v1().retrieve_sessions_each(&input, &mut scratch, &mut each)),
        ),
        (
            "retrieve_qos_profiles_each",
            sz(client
                .v1()
                .retrieve_qos_profiles_each(&request, &mut p1, &mut each_profile)),
        ),
    ];
    let largest = |rows: &[(&str, usize)]| rows.iter().map(|r| r.1).max().unwrap();
    let (fut, fut1) = (largest(&rows), largest(&v1_rows));
    let (info, info1) = (size_of::<SessionInfo>(), size_of::<v1::SessionInfo>());
    println!("| item | v0.10.1 bytes (x86_64) | 1.1.0 bytes (x86_64) |");
    println!("|---|---|---|");
    println!("| `EmbassyConnector` (the socket, borrowed by the client) | {conn_size} | {conn_size} |");
    println!(
        "| `Client` (connector ref, open connection, `Delay`, config, buffer refs) | {client_size} | {client_size} |"
    );
    for ((name, n), (name1, n1)) in rows.iter().zip(&v1_rows) {
        assert_eq!(name, name1);
        println!("| `{name}` future | {n} | {n1} |");
    }
    for (name, n1) in &v1_rows[rows.len()..] {
        println!("| `{name}` future | - | {n1} |");
    }
    println!("| request buffer `tx_buf` | {TX} | {TX} |");
    println!("| response buffer `rx_buf` | {RX} | {RX} |");
    let client = conn_size + client_size;
    let (per_request, per_request1) = (client + fut + TX + RX, client + fut1 + TX + RX);
    println!("| **client RAM per request: connector + client + largest future + buffers** | **{per_request}** | **{per_request1}** |");
    println!("| `SessionInfo` (the caller's decoded answer) | {info} | {info1} |");
    println!(
        "| **with the decoded `SessionInfo`** | **{}** | **{}** |",
        per_request + info,
        per_request1 + info1
    );
    println!(
        "| `CreateSession` (the caller's request) | {} | {} |",
        size_of::<CreateSession>(),
        size_of::<v1::CreateSession>()
    );
    println!("| (socket buffers, not counted: 2 × 1024) | 2048 | 2048 |");
    for (api, per_request, info) in [("v0.10.1", per_request, info), ("1.1.0", per_request1, info1)] {
        let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
        println!(
            "TARGETS {api}: client per request {per_request} B (<= 2048 without the caller's buffers: {}; <= 4096 \
             with them: {}), SessionInfo {info} B (<= 2048: {}), both {} B (<= 4096: {})",
            verdict(per_request - TX - RX <= 2048),
            verdict(per_request <= 4096),
            verdict(info <= 2048),
            per_request + info,
            verdict(per_request + info <= 4096),
        );
        assert!(
            per_request - TX - RX <= 2048 && per_request <= 4096,
            "{api}: connector + client + largest future (+ buffers) = {per_request} B is over its bound"
        );
        assert!(info <= 2048, "{api}: SessionInfo takes {info} B > 2 KB");
    }
}
