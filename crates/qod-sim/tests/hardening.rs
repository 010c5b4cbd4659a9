//! The simulator holds up against hostile or sloppy clients (connection cap, idle / head / request timeouts, bounded
//! bodies, validated base paths, one session-id form, duplicate JSON members), and the session-keeper support
//! (admin view, forced and seeded random termination, time scale).
use qod_sim::{AuthConfig, ClientCredentials, Config, ConnLimits, ManualClock, RunningSim, ScaledClock};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn open(f: impl FnOnce(&mut Config)) -> RunningSim {
    let mut c = Config::default();
    c.auth.enabled = false;
    f(&mut c);
    qod_sim::serve(c).await.unwrap()
}

/// Reads until the peer closes (`Some(bytes)`) or `limit` passes (`None`).
async fn read_until_closed(s: &mut TcpStream, limit: Duration) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await.ok()? {
            Ok(0) | Err(_) => return Some(out),
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
}

async fn request(addr: SocketAddr, raw: &str) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(raw.as_bytes()).await.unwrap();
    let out = read_until_closed(&mut s, Duration::from_secs(5))
        .await
        .expect("no answer in 5 s");
    String::from_utf8_lossy(&out).into_owned()
}

const PROFILE: &str = "GET /qod/v0/qos-profiles/QOS_E HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";

#[tokio::test]
async fn request_bodies_are_bounded() {
    let sim = open(|_| {}).await;
    let big = format!("{{\"x\":\"{}\"}}", "a".repeat(100 * 1024));
    let raw = format!(
        "POST /qod/v0/sessions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{big}",
        big.len()
    );
    let res = request(sim.local_addr(), &raw).await;
    assert!(res.starts_with("HTTP/1.1 413"), "{}", &res[..res.len().min(200)]);
    assert!(res.contains("\"status\":413"), "ErrorInfo body: {res}");
    // Chunked, without a length up front: cut at the bound as well.
    let chunk = "a".repeat(8 * 1024);
    let mut raw = String::from(
        "POST /oauth/token HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
    );
    for _ in 0..12 {
        raw.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    raw.push_str("0\r\n\r\n");
    let res = request(sim.local_addr(), &raw).await;
    assert!(res.starts_with("HTTP/1.1 413"), "{}", &res[..res.len().min(200)]);
    // A configured bound.
    let sim = open(|c| c.limits.max_body_bytes = 64).await;
    let body = r#"{"device":{"phoneNumber":"+123456789"},"applicationServer":{"ipv4Address":"10.0.0.1"},"qosProfile":"QOS_E"}"#;
    let raw = format!(
        "POST /qod/v0/sessions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    assert!(request(sim.local_addr(), &raw).await.starts_with("HTTP/1.1 413"));
}

#[tokio::test]
async fn invalid_base_paths_are_configuration_errors_not_panics() {
    for bad in [
        "/{id}", "/qod v0", "/qod\nv0", "/a//b", "/*rest", "/:x", "/q?x=1", "/../up",
    ] {
        let r = qod_sim::serve(Config {
            base_path: bad.into(),
            ..Config::default()
        })
        .await;
        let e = r.err().unwrap_or_else(|| panic!("{bad:?} was accepted"));
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput, "{bad:?}: {e}");
    }
}

#[tokio::test]
async fn one_session_id_form_and_no_peeking_at_other_clients_sessions() {
    let sim = open(|_| {}).await;
    let http = reqwest::Client::new();
    let v: Value = http
        .post(format!("{}/sessions", sim.base_url()))
        .json(&json!({"device": {"phoneNumber": "+4911111"}, "applicationServer": {"ipv4Address": "10.0.0.1"}, "qosProfile": "QOS_E"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = v["sessionId"].as_str().unwrap().to_owned();
    // Written lower-case and hyphenated.
    assert_eq!(id, uuid::Uuid::parse_str(&id).unwrap().hyphenated().to_string());
    let get = |id: String| {
        let http = http.clone();
        let url = format!("{}/sessions/{id}", sim.base_url());
        async move { http.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(get(id.clone()).await, 200);
    assert_eq!(get(id.to_uppercase()).await, 200, "hex digits are case-insensitive");
    let u = uuid::Uuid::parse_str(&id).unwrap();
    for other in [
        u.simple().to_string(),
        u.braced().to_string(),
        u.urn().to_string(),
        format!("{id}x"),
        id.replace('-', "_"),
    ] {
        assert_eq!(get(other.clone()).await, 400, "{other}");
    }
}

#[tokio::test]
async fn duplicate_json_members_are_refused_naming_the_member() {
    let sim = open(|_| {}).await;
    let body = r#"{"device":{"phoneNumber":"+4911111","phoneNumber":"+4922222"},"applicationServer":{"ipv4Address":"10.0.0.1"},"qosProfile":"QOS_E"}"#;
    let res = reqwest::Client::new()
        .post(format!("{}/sessions", sim.base_url()))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["code"], "INVALID_ARGUMENT");
    assert_eq!(v["message"], "Duplicate member name: device.phoneNumber");
    assert_eq!(sim.session_count(), 0);
}

fn limits(idle_ms: u64, request_ms: u64) -> ConnLimits {
    ConnLimits {
        idle_timeout: Duration::from_millis(idle_ms),
        request_timeout: Duration::from_millis(request_ms),
        ..ConnLimits::default()
    }
}

#[tokio::test]
async fn idle_connections_and_stalled_heads_and_bodies_are_closed() {
    let sim = open(|c| c.limits = limits(200, 300)).await;
    let addr = sim.local_addr();
    // Connected, nothing sent.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    // Half a request head.
    let mut head = TcpStream::connect(addr).await.unwrap();
    head.write_all(b"GET /qod/v0/qos-profiles HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    // A body that stops after 10 of 100 bytes.
    let mut body = TcpStream::connect(addr).await.unwrap();
    body.write_all(b"POST /qod/v0/sessions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"device\":")
        .await
        .unwrap();
    // A keep-alive connection that was used once and then left alone.
    let mut used = TcpStream::connect(addr).await.unwrap();
    used.write_all(b"GET /qod/v0/qos-profiles/QOS_E HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let t = Instant::now();
    for (name, s) in [
        ("idle", &mut idle),
        ("head", &mut head),
        ("body", &mut body),
        ("used", &mut used),
    ] {
        let got = read_until_closed(s, Duration::from_secs(3)).await;
        assert!(got.is_some(), "{name}: still open after 3 s");
        if name == "used" {
            assert!(got.unwrap().starts_with(b"HTTP/1.1 200"));
        }
    }
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
}

#[tokio::test]
async fn at_the_connection_cap_idle_connections_make_room() {
    let sim = open(|c| c.limits.max_connections = 4).await;
    let addr = sim.local_addr();
    let mut idle = Vec::new();
    for _ in 0..20 {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    let t = Instant::now();
    let res = request(addr, PROFILE).await;
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    // The oldest idle connections were closed to make room.
    let closed = read_until_closed(&mut idle[0], Duration::from_secs(2)).await;
    assert_eq!(closed.as_deref(), Some(&b""[..]));
}

async fn token(sim: &RunningSim, id: &str, secret: &str) -> String {
    let v: Value = reqwest::Client::new()
        .post(sim.token_url())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

async fn create(sim: &RunningSim, token: Option<&str>, body: Value) -> Value {
    let mut r = reqwest::Client::new()
        .post(format!("{}/sessions", sim.base_url()))
        .json(&body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let res = r.send().await.unwrap();
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

fn session(phone: &str, duration: u32) -> Value {
    json!({"device": {"phoneNumber": phone}, "applicationServer": {"ipv4Address": "10.0.0.1"}, "qosProfile": "QOS_E", "duration": duration})
}

async fn admin(sim: &RunningSim) -> (u16, Value) {
    let root = sim.root_url().to_owned();
    let res = reqwest::Client::new()
        .get(format!("{root}/_sim/sessions"))
        .send()
        .await
        .unwrap();
    let st = res.status().as_u16();
    (st, res.json().await.unwrap())
}

#[tokio::test]
async fn admin_view_lists_every_clients_sessions_and_terminates_on_demand() {
    let clock = ManualClock::new(1_700_000_000_000);
    let mut auth = AuthConfig::with_client("alice", "a");
    auth.clients.push(ClientCredentials::new("bob", "b"));
    let sim = qod_sim::serve(Config {
        clock: clock.clone(),
        auth,
        admin: true,
        ..Config::default()
    })
    .await
    .unwrap();
    let (a, b) = (token(&sim, "alice", "a").await, token(&sim, "bob", "b").await);
    let sa = create(&sim, Some(&a), session("+4911111", 600)).await;
    clock.advance(Duration::from_secs(1));
    let sb = create(&sim, Some(&b), session("+4922222", 60)).await;
    let (st, v) = admin(&sim).await;
    assert_eq!(st, 200);
    assert_eq!(v["now"], 1_700_000_001);
    let list = v["sessions"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        (
            list[0]["sessionId"].as_str(),
            list[0]["owner"].as_str(),
            list[0]["expiresAt"].as_i64()
        ),
        (sa["sessionId"].as_str(), Some("alice"), Some(1_700_000_600))
    );
    assert_eq!(
        (list[1]["owner"].as_str(), list[1]["qosStatus"].as_str()),
        (Some("bob"), Some("AVAILABLE"))
    );
    // The network terminates bob's session on demand: bob sees UNAVAILABLE.
    let id = sb["sessionId"].as_str().unwrap();
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{}/_sim/sessions/{id}/terminate", sim.root_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let v: Value = http
        .get(format!("{}/sessions/{id}", sim.base_url()))
        .bearer_auth(&b)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["qosStatus"], "UNAVAILABLE");
    let res = http
        .post(format!(
            "{}/_sim/sessions/00000000-0000-4000-8000-000000000000/terminate",
            sim.root_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // Expired sessions leave the view.
    clock.advance(Duration::from_secs(600));
    let (_, v) = admin(&sim).await;
    let owners: Vec<&str> = v["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["owner"].as_str().unwrap())
        .collect();
    assert!(!owners.contains(&"alice"), "{v}");
    // Without `admin` the endpoints do not exist.
    let plain = open(|_| {}).await;
    assert_eq!(admin(&plain).await.0, 404);
}

#[tokio::test]
async fn seeded_random_termination_times_fall_in_the_window_and_repeat() {
    async fn run(seed: u64) -> Vec<i64> {
        let clock = ManualClock::new(1_700_000_000_000);
        let sim = open(|c| {
            c.clock = clock.clone();
            c.admin = true;
            c.termination.probability = 1.0;
            c.termination.seed = seed;
            c.termination.after = Some(Duration::from_secs(10));
            c.termination.after_max = Some(Duration::from_secs(100));
        })
        .await;
        for i in 0..12 {
            create(&sim, None, session(&format!("+49{i:06}"), 600)).await;
        }
        let (_, v) = admin(&sim).await;
        v["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["terminateAtMs"].as_i64().unwrap() - 1_700_000_000_000) / 1000)
            .collect()
    }
    let a = run(7).await;
    assert!(a.iter().all(|t| (10..=100).contains(t)), "{a:?}");
    assert!(a.iter().any(|t| *t != a[0]), "times vary: {a:?}");
    let mut sorted_a = a.clone();
    sorted_a.sort_unstable();
    let mut sorted_b = run(7).await;
    sorted_b.sort_unstable();
    assert_eq!(sorted_a, sorted_b, "same seed, same times");
}

#[tokio::test]
async fn time_scale_runs_delays_and_expiry_in_simulated_time() {
    // 600× : a 60 s session lives 100 ms, a 6 s requested delay takes 10 ms.
    let sim = open(|c| {
        c.clock = ScaledClock::new(600.0);
        c.requested_delay = Duration::from_secs(6);
    })
    .await;
    let t = Instant::now();
    let v = create(&sim, None, session("+4933333", 60)).await;
    assert_eq!(v["qosStatus"], "REQUESTED");
    let url = format!("{}/sessions/{}", sim.base_url(), v["sessionId"].as_str().unwrap());
    let http = reqwest::Client::new();
    // Every answer's `Date` is the simulated time, the clock of `startedAt`/`expiresAt`.
    let res = http.get(&url).send().await.unwrap();
    let date = res.headers()["date"].to_str().unwrap().to_owned();
    let date = qod_core::time::parse_http_date(date.as_bytes()).unwrap();
    let started = v["startedAt"].as_i64().unwrap();
    assert!(
        (started..started + 30).contains(&i64::from(date)),
        "{date} vs startedAt {started}"
    );
    let mut seen = Vec::new();
    while t.elapsed() < Duration::from_secs(3) {
        let res = http.get(&url).send().await.unwrap();
        let status = if res.status() == 404 {
            "gone".to_owned()
        } else {
            res.json::<Value>().await.unwrap()["qosStatus"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        if status == "gone" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(seen.last().map(String::as_str), Some("gone"), "{seen:?}");
    assert!(seen.contains(&"AVAILABLE".to_owned()), "{seen:?}");
    // 60 simulated seconds took about 100 ms real, far below 60 s.
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert!(t.elapsed() >= Duration::from_millis(80), "{:?}", t.elapsed());
}
