//! End-to-end tests of the simulator over real HTTP on loopback: every endpoint, transition, error and notification.
//! Time-dependent behaviour (expiry, extension, delays, token lifetime, termination) runs on a `ManualClock`.
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use qod_sim::{Config, FaultRule, ManualClock, RunningSim};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(5);
const HOOK_TOKEN: &str = "c8974e592c2fa383d4a3960714";

/// A test's simulator plus a client for it.
struct Sim {
    sim: Arc<RunningSim>,
    clock: Arc<ManualClock>,
    http: reqwest::Client,
    token: Option<String>,
}

fn config(clock: &Arc<ManualClock>) -> Config {
    let mut c = Config {
        clock: clock.clone(),
        ..Config::default()
    };
    c.auth.enabled = false;
    c.notify.initial_backoff = Duration::from_millis(10);
    c
}

async fn start(f: impl FnOnce(&mut Config)) -> Sim {
    let clock = ManualClock::new(1_700_000_000_000);
    let mut c = config(&clock);
    f(&mut c);
    let auth = c.auth.enabled;
    let default_client = !c.auth.has_clients();
    if default_client {
        // Registered explicitly: the simulator accepts no client implicitly.
        c.auth.clients = vec![qod_sim::ClientCredentials::new("demo-client", "demo-secret")];
    }
    let sim = qod_sim::serve(c).await.expect("serve");
    let mut s = Sim {
        sim: Arc::new(sim),
        clock,
        http: reqwest::Client::new(),
        token: None,
    };
    if auth && default_client {
        s.token = Some(s.token_for("demo-client", "demo-secret").await);
    }
    s
}

impl Sim {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.base_url())
    }

    async fn token_for(&self, id: &str, secret: &str) -> String {
        let res = self
            .http
            .post(self.sim.token_url())
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        res.json::<Value>().await.unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let r = self.http.request(method, self.url(path));
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    async fn send(&self, r: reqwest::RequestBuilder) -> (u16, Value) {
        let res = r.send().await.unwrap();
        let status = res.status().as_u16();
        if status != 204 {
            assert_eq!(res.headers()["content-type"], "application/json", "status {status}");
        }
        let bytes = res.bytes().await.unwrap();
        let v = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        if status >= 400 {
            assert_error_info(&v, status);
        }
        (status, v)
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(self.req(reqwest::Method::POST, path).json(body)).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.req(reqwest::Method::GET, path)).await
    }

    async fn delete(&self, path: &str) -> (u16, Value) {
        self.send(self.req(reqwest::Method::DELETE, path)).await
    }

    async fn create(&self, body: &Value) -> Value {
        let (s, v) = self.post("/sessions", body).await;
        assert_eq!(s, 201, "{v}");
        v
    }

    fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }
}

fn assert_error_info(v: &Value, status: u16) {
    assert_eq!(v["status"], status, "{v}");
    assert!(v["code"].as_str().is_some_and(|c| !c.is_empty()), "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
}

fn session(phone: &str, profile: &str) -> Value {
    json!({
        "device": {"phoneNumber": phone},
        "applicationServer": {"ipv4Address": "198.51.100.1/32"},
        "qosProfile": profile,
    })
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    v[key] = value;
    v
}

/// A webhook receiver: records each delivery; answers 500 to the first `fail_first` requests, then 204.
struct Receiver {
    url: String,
    rx: mpsc::UnboundedReceiver<(HeaderMap, Value)>,
    hits: Arc<AtomicUsize>,
}

async fn receiver(fail_first: usize) -> Receiver {
    #[derive(Clone)]
    struct St(mpsc::UnboundedSender<(HeaderMap, Value)>, Arc<AtomicUsize>, usize);
    async fn hook(State(st): State<St>, headers: HeaderMap, body: axum::body::Bytes) -> StatusCode {
        let n = st.1.fetch_add(1, Ordering::SeqCst);
        if n < st.2 {
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
        let _ =
            st.0.send((headers, serde_json::from_slice(&body).unwrap_or(Value::Null)));
        StatusCode::NO_CONTENT
    }
    let (tx, rx) = mpsc::unbounded_channel();
    let hits = Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(hook))
        .with_state(St(tx, hits.clone(), fail_first));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver { url, rx, hits }
}

impl Receiver {
    async fn next(&mut self) -> (HeaderMap, Value) {
        tokio::time::timeout(WAIT, self.rx.recv())
            .await
            .expect("no notification in time")
            .unwrap()
    }

    async fn none_within(&mut self, d: Duration) {
        if let Ok(Some((_, v))) = tokio::time::timeout(d, self.rx.recv()).await {
            panic!("unexpected notification {v}");
        }
    }

    fn webhook(&self) -> Value {
        json!({"notificationUrl": self.url, "notificationAuthToken": HOOK_TOKEN})
    }
}

/// Checks a CloudEvent's envelope and returns (qosStatus, statusInfo).
fn check_event(sim: &Sim, headers: &HeaderMap, e: &Value, id: &str) -> (String, Option<String>) {
    assert_eq!(headers["content-type"], "application/cloudevents+json");
    assert_eq!(headers["authorization"], format!("Bearer {HOOK_TOKEN}"));
    assert_eq!(e["specversion"], "1.0");
    assert_eq!(e["type"], "org.camaraproject.qod.v0.qos-status-changed");
    assert_eq!(e["datacontenttype"], "application/json");
    assert_eq!(e["source"], sim.url(&format!("/sessions/{id}")));
    assert!(uuid::Uuid::parse_str(e["id"].as_str().unwrap()).is_ok());
    let time = e["time"].as_str().unwrap();
    assert!(
        time.len() >= 20 && time.ends_with('Z') && &time[10..11] == "T",
        "{time}"
    );
    assert_eq!(e["data"]["sessionId"], id);
    let info = e["data"].get("statusInfo").and_then(Value::as_str).map(str::to_owned);
    (e["data"]["qosStatus"].as_str().unwrap().to_owned(), info)
}

#[tokio::test]
async fn create_get_delete_round_trip() {
    let s = start(|_| {}).await;
    let body = json!({
        "device": {"ipv4Address": {"publicAddress": "84.125.93.10", "publicPort": 59765}, "phoneNumber": "+123456789"},
        "applicationServer": {"ipv4Address": "192.168.0.1/24"},
        "devicePorts": {"ranges": [{"from": 5010, "to": 5020}], "ports": [5060, 5070]},
        "applicationServerPorts": {"ports": [443]},
        "qosProfile": "QOS_E",
        "webhook": {"notificationUrl": "http://127.0.0.1:9/unused"},
        "duration": 3600,
    });
    let v = s.create(&body).await;
    let id = v["sessionId"].as_str().unwrap().to_owned();
    assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 4);
    for k in [
        "device",
        "applicationServer",
        "devicePorts",
        "applicationServerPorts",
        "qosProfile",
        "webhook",
    ] {
        assert_eq!(v[k], body[k], "{k} echoed");
    }
    assert_eq!(v["duration"], 3600);
    assert_eq!(v["startedAt"], 1_700_000_000);
    assert_eq!(v["expiresAt"], 1_700_003_600);
    assert_eq!(v["qosStatus"], "AVAILABLE");
    let (st, got) = s.get(&format!("/sessions/{id}")).await;
    assert_eq!((st, &got), (200, &v));
    assert_eq!(s.delete(&format!("/sessions/{id}")).await.0, 204);
    let (st, e) = s.get(&format!("/sessions/{id}")).await;
    assert_eq!(
        (st, e["code"].as_str(), e["message"].as_str()),
        (404, Some("NOT_FOUND"), Some("Session Id does not exist"))
    );
    assert_eq!(s.delete(&format!("/sessions/{id}")).await.0, 404);
    assert_eq!(s.sim.session_count(), 0);
}

#[tokio::test]
async fn webhook_without_token_gets_no_authorization_header() {
    let s = start(|_| {}).await;
    let mut hook = receiver(0).await;
    let v = s
        .create(&with(
            session("+4912345", "QOS_S"),
            "webhook",
            json!({"notificationUrl": hook.url}),
        ))
        .await;
    let (h, e) = hook.next().await;
    assert!(h.get("authorization").is_none());
    assert_eq!(h["content-type"], "application/cloudevents+json");
    assert_eq!(e["data"]["sessionId"], v["sessionId"]);
    assert_eq!(e["data"]["qosStatus"], "AVAILABLE");
    assert!(e["data"].get("statusInfo").is_none());
}

#[tokio::test]
async fn default_duration_is_24h_or_profile_max() {
    let s = start(|_| {}).await;
    let v = s.create(&session("+4911111", "QOS_E")).await;
    assert_eq!(v["duration"], 86_400);
    assert_eq!(
        v["expiresAt"].as_i64().unwrap() - v["startedAt"].as_i64().unwrap(),
        86_400
    );
    // QOS_VC allows at most 8 hours.
    let v = s.create(&session("+4922222", "QOS_VC")).await;
    assert_eq!(v["duration"], 8 * 3600);
}

#[tokio::test]
async fn conflict_for_any_shared_device_identifier() {
    let s = start(|_| {}).await;
    let a = s
        .create(&json!({
            "device": {"ipv4Address": {"publicAddress": "84.125.93.10", "publicPort": 1000}, "phoneNumber": "+3611111"},
            "applicationServer": {"ipv6Address": "2001:db8::1"}, "qosProfile": "QOS_M",
        }))
        .await;
    for device in [
        json!({"phoneNumber": "3611111"}),
        json!({"ipv4Address": {"publicAddress": "84.125.93.10", "publicPort": 1000}}),
    ] {
        let (st, e) = s
            .post("/sessions", &with(session("0", "QOS_M"), "device", device))
            .await;
        assert_eq!((st, e["code"].as_str()), (409, Some("CONFLICT")));
        assert_eq!(e["message"], "Another session is created for the same device");
    }
    // Same public address, other port: another device behind the NAT.
    s.create(&with(
        session("0", "QOS_M"),
        "device",
        json!({"ipv4Address": {"publicAddress": "84.125.93.10", "publicPort": 1001}}),
    ))
    .await;
    s.delete(&format!("/sessions/{}", a["sessionId"].as_str().unwrap()))
        .await;
    s.create(&session("+3611111", "QOS_M")).await;
}

#[tokio::test]
async fn validation_errors_name_the_field() {
    let s = start(|_| {}).await;
    let ok = session("+4912345", "QOS_E");
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (
            json!({"applicationServer": {"ipv4Address": "1.2.3.4"}, "qosProfile": "QOS_E"}),
            400,
            "INVALID_ARGUMENT",
            "Expected property is missing: device",
        ),
        (
            with(ok.clone(), "applicationServer", Value::Null),
            400,
            "INVALID_ARGUMENT",
            "Expected property is missing: applicationServer",
        ),
        (
            json!({"device": {"phoneNumber": "+4912345"}, "applicationServer": {"ipv4Address": "1.2.3.4"}}),
            400,
            "INVALID_ARGUMENT",
            "Expected property is missing: qosProfile",
        ),
        (
            with(ok.clone(), "device", json!({})),
            400,
            "INVALID_ARGUMENT",
            "Insufficient properties specified: device",
        ),
        (
            with(
                ok.clone(),
                "device",
                json!({"ipv4Address": {"publicAddress": "84.125.93.10", "publicPort": 65536}}),
            ),
            400,
            "OUT_OF_RANGE",
            "Invalid port value specified: device.ipv4Address.publicPort",
        ),
        (
            with(
                ok.clone(),
                "device",
                json!({"ipv4Address": {"publicAddress": "84.125.93.10"}}),
            ),
            400,
            "INVALID_ARGUMENT",
            "Insufficient properties specified: device.ipv4Address",
        ),
        (
            with(
                ok.clone(),
                "devicePorts",
                json!({"ranges": [{"from": 5020, "to": 5010}]}),
            ),
            400,
            "OUT_OF_RANGE",
            "Invalid port ranges specified: devicePorts",
        ),
        (
            with(ok.clone(), "applicationServerPorts", json!({"ports": [-1]})),
            400,
            "OUT_OF_RANGE",
            "Invalid port value specified: applicationServerPorts.ports",
        ),
        (
            with(ok.clone(), "qosProfile", json!("QOS_UNKNOWN")),
            400,
            "INVALID_ARGUMENT",
            "Invalid value specified: qosProfile names no known QoS profile",
        ),
        (
            with(ok.clone(), "qosProfile", json!("QOS_LEGACY")),
            400,
            "INVALID_ARGUMENT",
            "Invalid value specified: qosProfile QOS_LEGACY is DEPRECATED and cannot be used for new sessions",
        ),
        (
            with(ok.clone(), "qosProfile", json!("QOS_TEST_INACTIVE")),
            400,
            "INVALID_ARGUMENT",
            "Invalid value specified: qosProfile QOS_TEST_INACTIVE is INACTIVE and cannot be used for new sessions",
        ),
        (
            with(ok.clone(), "duration", json!(0)),
            400,
            "OUT_OF_RANGE",
            "Out of range value specified: duration (allowed 1 to 86400)",
        ),
        (
            with(ok.clone(), "duration", json!(86_401)),
            400,
            "OUT_OF_RANGE",
            "Out of range value specified: duration (allowed 1 to 86400)",
        ),
        (
            with(with(ok.clone(), "qosProfile", json!("QOS_VC")), "duration", json!(30)),
            400,
            "OUT_OF_RANGE",
            "The requested duration is out of the allowed range for the specific QoS profile",
        ),
        (
            with(
                with(ok.clone(), "qosProfile", json!("QOS_XR")),
                "duration",
                json!(5 * 3600),
            ),
            400,
            "OUT_OF_RANGE",
            "The requested duration is out of the allowed range for the specific QoS profile",
        ),
        (
            with(ok.clone(), "webhook", json!({"notificationUrl": "ftp://x"})),
            400,
            "INVALID_ARGUMENT",
            "Invalid value specified: webhook.notificationUrl is not an absolute http(s) URL",
        ),
        (
            with(
                ok.clone(),
                "webhook",
                json!({"notificationUrl": "http://x", "notificationAuthToken": "short"}),
            ),
            400,
            "INVALID_ARGUMENT",
            "Invalid value specified: webhook.notificationAuthToken is shorter than allowed",
        ),
        (
            with(ok.clone(), "applicationServer", json!({"ipv4Address": "300.1.1.1"})),
            400,
            "INVALID_ARGUMENT",
            "Invalid value specified: applicationServer.ipv4Address is not a valid IP address",
        ),
    ];
    for (body, status, code, message) in cases {
        let (st, e) = s.post("/sessions", &body).await;
        assert_eq!(
            (st, e["code"].as_str().unwrap(), e["message"].as_str().unwrap()),
            (status, code, message),
            "{body}"
        );
    }
    // Type errors and over-long strings name the path.
    let (st, e) = s
        .post("/sessions", &with(ok.clone(), "device", json!({"phoneNumber": 5})))
        .await;
    assert_eq!(st, 400);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("Schema validation failed at device.phoneNumber"),
        "{e}"
    );
    let (st, e) = s
        .post(
            "/sessions",
            &with(
                ok.clone(),
                "device",
                json!({"networkAccessIdentifier": format!("{}@x.com", "a".repeat(300))}),
            ),
        )
        .await;
    assert_eq!(st, 400);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("device.networkAccessIdentifier"),
        "{e}"
    );
    // Malformed JSON and a non-object.
    for raw in ["{\"device\":", "[1,2]", ""] {
        let r = s
            .req(reqwest::Method::POST, "/sessions")
            .header("content-type", "application/json")
            .body(raw);
        let (st, e) = s.send(r).await;
        assert_eq!((st, e["code"].as_str()), (400, Some("INVALID_ARGUMENT")), "{raw}");
    }
    // Nothing was created by any of this.
    assert_eq!(s.sim.session_count(), 0);
}

#[tokio::test]
async fn error_info_on_every_error() {
    let s = start(|_| {}).await;
    let r = s
        .req(reqwest::Method::POST, "/sessions")
        .header("content-type", "text/plain")
        .body("{}");
    assert_eq!(s.send(r).await.0, 415);
    let r = s
        .req(reqwest::Method::POST, "/sessions")
        .header("content-type", "application/xml")
        .body("<x/>");
    assert_eq!(s.send(r).await.1["code"], "UNSUPPORTED_MEDIA_TYPE");
    // Without a Content-Type the body is read as JSON.
    let r = s
        .req(reqwest::Method::POST, "/sessions")
        .body(serde_json::to_vec(&session("+4912345", "QOS_E")).unwrap());
    assert_eq!(s.send(r).await.0, 201, "no content type, JSON body");
    let (st, e) = s.send(s.req(reqwest::Method::POST, "/sessions")).await;
    assert_eq!(
        (st, e["code"].as_str()),
        (400, Some("INVALID_ARGUMENT")),
        "no content type, no body"
    );
    let (st, e) = s.send(s.req(reqwest::Method::PUT, "/sessions")).await;
    assert_eq!((st, e["code"].as_str()), (405, Some("METHOD_NOT_ALLOWED")));
    assert_eq!(s.send(s.req(reqwest::Method::PATCH, "/qos-profiles")).await.0, 405);
    assert_eq!(s.get("/nothing/here").await.0, 404);
    let res = s
        .http
        .get(s.sim.token_url().replace("/oauth/token", "/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_error_info(&res.json().await.unwrap(), 404);
    let (st, e) = s.get("/sessions/not-a-uuid").await;
    assert_eq!(
        (st, e["message"].as_str()),
        (400, Some("Invalid value specified: sessionId is not a UUID"))
    );
    assert_eq!(
        s.post(
            "/sessions/not-a-uuid/extend",
            &json!({"requestedAdditionalDuration": 5})
        )
        .await
        .0,
        400
    );
    let unknown = uuid::Uuid::new_v4();
    assert_eq!(s.delete(&format!("/sessions/{unknown}")).await.0, 404);
    assert_eq!(
        s.post(
            &format!("/sessions/{unknown}/extend"),
            &json!({"requestedAdditionalDuration": 5})
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn oauth_tokens_and_ownership() {
    let s = start(|c| {
        c.auth.enabled = true;
        c.auth.clients = vec!["alice:a-secret".parse().unwrap(), "bob:b-secret".parse().unwrap()];
        c.auth.token_lifetime = Duration::from_secs(600);
    })
    .await;
    let token_url = s.sim.token_url();
    // Credentials in the form body.
    let res = s
        .http
        .post(&token_url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "alice"),
            ("client_secret", "a-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let t: Value = res.json().await.unwrap();
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 600);
    let alice = Sim {
        token: t["access_token"].as_str().map(str::to_owned),
        ..clone_sim(&s)
    };
    let bob = Sim {
        token: Some(s.token_for("bob", "b-secret").await),
        ..clone_sim(&s)
    };
    // Bad credentials, grant type, content type.
    for (form, basic, status, error) in [
        (
            vec![("grant_type", "client_credentials")],
            Some(("alice", "wrong")),
            401,
            "invalid_client",
        ),
        (vec![("grant_type", "client_credentials")], None, 401, "invalid_client"),
        (
            vec![("grant_type", "password")],
            Some(("alice", "a-secret")),
            400,
            "unsupported_grant_type",
        ),
        (vec![], Some(("alice", "a-secret")), 400, "invalid_request"),
    ] {
        let mut r = s.http.post(&token_url).form(&form);
        if let Some((u, p)) = basic {
            r = r.basic_auth(u, Some(p));
        }
        let res = r.send().await.unwrap();
        assert_eq!(res.status().as_u16(), status);
        let v: Value = res.json().await.unwrap();
        assert_error_info(&v, status);
        assert_eq!(v["error"], error);
    }
    let res = s
        .http
        .post(&token_url)
        .basic_auth("alice", Some("a-secret"))
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    // No token, a bad token, a wrong scheme.
    let anon = clone_sim(&s);
    let (st, e) = anon.get("/qos-profiles").await;
    assert_eq!((st, e["code"].as_str()), (401, Some("UNAUTHENTICATED")));
    let forged = Sim {
        token: Some("forged".into()),
        ..clone_sim(&s)
    };
    assert_eq!(forged.get("/qos-profiles").await.0, 401);
    let r = s.http.get(s.url("/qos-profiles")).basic_auth("alice", Some("a-secret"));
    assert_eq!(s.send(r).await.0, 401);
    // Ownership: another client's session is answered exactly as one that does not exist.
    let v = alice.create(&session("+4455555", "QOS_S")).await;
    let path = format!("/sessions/{}", v["sessionId"].as_str().unwrap());
    let missing = "/sessions/00000000-0000-4000-8000-000000000000";
    for (theirs, nobodys) in [
        (bob.get(&path).await, bob.get(missing).await),
        (bob.delete(&path).await, bob.delete(missing).await),
        (
            bob.post(&format!("{path}/extend"), &json!({"requestedAdditionalDuration": 10}))
                .await,
            bob.post(
                &format!("{missing}/extend"),
                &json!({"requestedAdditionalDuration": 10}),
            )
            .await,
        ),
    ] {
        assert_eq!(theirs.0, 404, "{}", theirs.1);
        assert_eq!(theirs, nobodys);
        assert_eq!(theirs.1["message"], "Session Id does not exist");
    }
    assert_eq!(alice.get(&path).await.0, 200);
    // Tokens expire by the simulator's clock.
    s.advance(599);
    assert_eq!(alice.get(&path).await.0, 200);
    s.advance(1);
    let (st, e) = alice.get(&path).await;
    assert_eq!(
        (st, e["message"].as_str()),
        (401, Some("Authorization failed: access token expired"))
    );
}

fn clone_sim(s: &Sim) -> Sim {
    Sim {
        sim: s.sim.clone(),
        clock: s.clock.clone(),
        http: s.http.clone(),
        token: None,
    }
}

#[tokio::test]
async fn requested_then_available_after_delay_with_event() {
    let s = start(|c| c.requested_delay = Duration::from_secs(5)).await;
    let mut hook = receiver(0).await;
    let v = s
        .create(&with(session("+4912345", "QOS_E"), "webhook", hook.webhook()))
        .await;
    let id = v["sessionId"].as_str().unwrap().to_owned();
    assert_eq!(v["qosStatus"], "REQUESTED");
    // Extending a REQUESTED session is refused.
    let (st, e) = s
        .post(
            &format!("/sessions/{id}/extend"),
            &json!({"requestedAdditionalDuration": 10}),
        )
        .await;
    assert_eq!(
        (st, e["message"].as_str()),
        (400, Some("The target session is inactive"))
    );
    s.advance(4);
    assert_eq!(s.get(&format!("/sessions/{id}")).await.1["qosStatus"], "REQUESTED");
    hook.none_within(Duration::from_millis(100)).await;
    s.advance(1);
    // The timer task delivers the event without any API call.
    let (h, e) = hook.next().await;
    assert_eq!(check_event(&s, &h, &e, &id), ("AVAILABLE".into(), None));
    assert_eq!(s.get(&format!("/sessions/{id}")).await.1["qosStatus"], "AVAILABLE");
}

#[tokio::test]
async fn expiry_sends_duration_expired_and_deletes() {
    let s = start(|_| {}).await;
    let mut hook = receiver(0).await;
    let v = s
        .create(&with(
            with(session("+4912345", "QOS_E"), "webhook", hook.webhook()),
            "duration",
            json!(60),
        ))
        .await;
    let id = v["sessionId"].as_str().unwrap().to_owned();
    let (h, e) = hook.next().await;
    assert_eq!(check_event(&s, &h, &e, &id), ("AVAILABLE".into(), None));
    s.advance(59);
    assert_eq!(s.get(&format!("/sessions/{id}")).await.0, 200);
    s.advance(1);
    let (h, e) = hook.next().await;
    assert_eq!(
        check_event(&s, &h, &e, &id),
        ("UNAVAILABLE".into(), Some("DURATION_EXPIRED".into()))
    );
    assert_eq!(
        e["time"], "2023-11-14T22:14:20.000Z",
        "the event time is the expiry time"
    );
    assert_eq!(s.get(&format!("/sessions/{id}")).await.0, 404);
    assert_eq!(s.sim.session_count(), 0);
    // The device is free again.
    s.create(&session("+4912345", "QOS_E")).await;
}

#[tokio::test]
async fn delete_sends_delete_requested_only_when_available() {
    let s = start(|c| c.requested_delay = Duration::from_secs(10)).await;
    let mut hook = receiver(0).await;
    // REQUESTED session: deleted without an event.
    let v = s
        .create(&with(session("+4910000", "QOS_E"), "webhook", hook.webhook()))
        .await;
    assert_eq!(v["qosStatus"], "REQUESTED");
    assert_eq!(
        s.delete(&format!("/sessions/{}", v["sessionId"].as_str().unwrap()))
            .await
            .0,
        204
    );
    hook.none_within(Duration::from_millis(150)).await;
    // AVAILABLE session: UNAVAILABLE / DELETE_REQUESTED, after its AVAILABLE event, each with a unique id.
    let v = s
        .create(&with(session("+4920000", "QOS_E"), "webhook", hook.webhook()))
        .await;
    let id = v["sessionId"].as_str().unwrap().to_owned();
    s.advance(10);
    let (h1, e1) = hook.next().await;
    assert_eq!(check_event(&s, &h1, &e1, &id).0, "AVAILABLE");
    assert_eq!(s.delete(&format!("/sessions/{id}")).await.0, 204);
    let (h2, e2) = hook.next().await;
    assert_eq!(
        check_event(&s, &h2, &e2, &id),
        ("UNAVAILABLE".into(), Some("DELETE_REQUESTED".into()))
    );
    assert_ne!(e1["id"], e2["id"]);
}

#[tokio::test]
async fn extend_follows_the_spec_example() {
    let s = start(|_| {}).await;
    let v = s
        .create(&with(session("+4912345", "QOS_E"), "duration", json!(80_000)))
        .await;
    let id = v["sessionId"].as_str().unwrap().to_owned();
    let started = v["startedAt"].as_i64().unwrap();
    s.advance(10_000);
    let (st, v) = s
        .post(
            &format!("/sessions/{id}/extend"),
            &json!({"requestedAdditionalDuration": 20_000}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["duration"], 96_400);
    assert_eq!(v["startedAt"], started);
    assert_eq!(v["expiresAt"], started + 10_000 + 86_400);
    assert_eq!(s.get(&format!("/sessions/{id}")).await.1, v);
    // Below the cap the durations simply add up; expiry follows the new expiresAt.
    s.advance(86_400 - 100);
    let (_, v) = s
        .post(
            &format!("/sessions/{id}/extend"),
            &json!({"requestedAdditionalDuration": 50}),
        )
        .await;
    assert_eq!(v["duration"], 96_450);
    s.advance(149);
    assert_eq!(s.get(&format!("/sessions/{id}")).await.0, 200);
    s.advance(1);
    assert_eq!(s.get(&format!("/sessions/{id}")).await.0, 404);
    // Body validation.
    let v = s.create(&session("+4999999", "QOS_E")).await;
    let path = format!("/sessions/{}/extend", v["sessionId"].as_str().unwrap());
    for (body, code, msg) in [
        (
            json!({}),
            "INVALID_ARGUMENT",
            "Expected property is missing: requestedAdditionalDuration",
        ),
        (
            json!({"requestedAdditionalDuration": 0}),
            "OUT_OF_RANGE",
            "Out of range value specified: requestedAdditionalDuration (allowed 1 to 86399)",
        ),
        (
            json!({"requestedAdditionalDuration": 86_400}),
            "OUT_OF_RANGE",
            "Out of range value specified: requestedAdditionalDuration (allowed 1 to 86399)",
        ),
        (
            json!({"requestedAdditionalDuration": "60"}),
            "INVALID_ARGUMENT",
            "Schema validation failed at requestedAdditionalDuration: expected an integer",
        ),
    ] {
        let (st, e) = s.post(&path, &body).await;
        assert_eq!(
            (st, e["code"].as_str().unwrap(), e["message"].as_str().unwrap()),
            (400, code, msg)
        );
    }
}

#[tokio::test]
async fn network_termination_of_a_profile_keeps_the_session_readable_for_360_s() {
    let s = start(|c| c.termination.profile = Some("QOS_L".into())).await;
    let mut hook = receiver(0).await;
    let v = s
        .create(&with(session("+4912345", "QOS_L"), "webhook", hook.webhook()))
        .await;
    let id = v["sessionId"].as_str().unwrap().to_owned();
    assert_eq!(v["qosStatus"], "REQUESTED");
    let (h, e) = hook.next().await;
    assert_eq!(
        check_event(&s, &h, &e, &id),
        ("UNAVAILABLE".into(), Some("NETWORK_TERMINATED".into()))
    );
    let path = format!("/sessions/{id}");
    assert_eq!(s.get(&path).await.1["qosStatus"], "UNAVAILABLE");
    let (st, e) = s
        .post(&format!("{path}/extend"), &json!({"requestedAdditionalDuration": 10}))
        .await;
    assert_eq!(
        (st, e["message"].as_str()),
        (400, Some("The target session is inactive"))
    );
    // Still blocks its device until deleted.
    assert_eq!(s.post("/sessions", &session("+4912345", "QOS_E")).await.0, 409);
    s.advance(359);
    assert_eq!(s.get(&path).await.0, 200);
    s.advance(1);
    assert_eq!(s.get(&path).await.0, 404);
    hook.none_within(Duration::from_millis(100)).await;
    // Other profiles are untouched.
    assert_eq!(s.create(&session("+4912345", "QOS_E")).await["qosStatus"], "AVAILABLE");
}

#[tokio::test]
async fn network_termination_after_a_while_and_delete_of_unavailable_sends_nothing() {
    let s = start(|c| {
        c.termination.probability = 1.0;
        c.termination.after = Some(Duration::from_secs(30));
    })
    .await;
    let mut hook = receiver(0).await;
    let v = s
        .create(&with(session("+4912345", "QOS_M"), "webhook", hook.webhook()))
        .await;
    let id = v["sessionId"].as_str().unwrap().to_owned();
    assert_eq!(v["qosStatus"], "AVAILABLE");
    let (h, e) = hook.next().await;
    assert_eq!(check_event(&s, &h, &e, &id).0, "AVAILABLE");
    s.advance(29);
    hook.none_within(Duration::from_millis(100)).await;
    s.advance(1);
    let (h, e) = hook.next().await;
    assert_eq!(
        check_event(&s, &h, &e, &id),
        ("UNAVAILABLE".into(), Some("NETWORK_TERMINATED".into()))
    );
    assert_eq!(s.delete(&format!("/sessions/{id}")).await.0, 204);
    hook.none_within(Duration::from_millis(150)).await;
}

#[tokio::test]
async fn seeded_termination_probability_is_reproducible() {
    async fn run() -> Vec<String> {
        let s = start(|c| {
            c.termination.probability = 0.5;
            c.termination.seed = 1234;
        })
        .await;
        let mut out = Vec::new();
        for i in 0..16 {
            out.push(
                s.create(&session(&format!("+49{i:06}"), "QOS_E")).await["qosStatus"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        out
    }
    let a = run().await;
    assert_eq!(a, run().await);
    let doomed = a.iter().filter(|s| *s == "REQUESTED").count();
    assert!((3..=13).contains(&doomed), "{a:?}");
}

#[tokio::test]
async fn notifications_are_retried_with_backoff_and_never_delay_responses() {
    let s = start(|_| {}).await;
    let mut hook = receiver(2).await;
    let started = Instant::now();
    let v = s
        .create(&with(session("+4912345", "QOS_E"), "webhook", hook.webhook()))
        .await;
    let id = v["sessionId"].as_str().unwrap().to_owned();
    let (h, e) = hook.next().await;
    assert_eq!(check_event(&s, &h, &e, &id).0, "AVAILABLE");
    assert_eq!(hook.hits.load(Ordering::SeqCst), 3, "two failures, then delivered");
    assert!(started.elapsed() >= Duration::from_millis(30), "10 ms + 20 ms backoff");

    // A receiver that never answers in time does not slow the API down.
    let slow = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let slow_url = format!("http://{}/hook", slow.local_addr().unwrap());
    let t = Instant::now();
    let body = with(
        session("+4900001", "QOS_E"),
        "webhook",
        json!({"notificationUrl": slow_url}),
    );
    s.create(&body).await;
    // Far below the 5 s delivery timeout the create would wait for if delivery were synchronous.
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    drop(slow);
}

#[tokio::test]
async fn qos_profiles_catalogue_and_filters() {
    let s = start(|_| {}).await;
    let (st, all) = s.get("/qos-profiles").await;
    assert_eq!(st, 200);
    let names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for n in [
        "QOS_E",
        "QOS_S",
        "QOS_M",
        "QOS_L",
        "QOS_VC",
        "QOS_XR",
        "QOS_RVM",
        "QOS_POSALE",
        "QOS_BROADCAST",
    ] {
        assert!(names.contains(&n), "{n}");
    }
    let count = |v: &Value| v.as_array().map_or(0, Vec::len);
    let (_, active) = s.get("/qos-profiles?status=ACTIVE").await;
    assert_eq!(count(&active), 9);
    assert!(active.as_array().unwrap().iter().all(|p| p["status"] == "ACTIVE"));
    assert_eq!(
        s.get("/qos-profiles?status=DEPRECATED").await.1[0]["name"],
        "QOS_LEGACY"
    );
    assert_eq!(
        s.get("/qos-profiles?status=INACTIVE").await.1[0]["name"],
        "QOS_TEST_INACTIVE"
    );
    let (st, one) = s.get("/qos-profiles?name=QOS_XR&status=ACTIVE").await;
    assert_eq!((st, count(&one)), (200, 1));
    let xr = &one[0];
    assert_eq!(xr["packetDelayBudget"], json!({"value": 10, "unit": "Milliseconds"}));
    assert_eq!(xr["maxDuration"], json!({"value": 4, "unit": "Hours"}));
    for q in ["?name=QOS_XR&status=INACTIVE", "?name=NOPE", "?status=BOGUS"] {
        let (st, e) = s.get(&format!("/qos-profiles{q}")).await;
        assert_eq!((st, e["message"].as_str()), (404, Some("No QoS Profiles found")), "{q}");
    }
    let (st, p) = s.get("/qos-profiles/QOS_E").await;
    assert_eq!(
        (st, p["name"].as_str(), p["status"].as_str()),
        (200, Some("QOS_E"), Some("ACTIVE"))
    );
    assert_eq!(
        &p,
        all.as_array().unwrap().iter().find(|p| p["name"] == "QOS_E").unwrap()
    );
    let (st, e) = s.get("/qos-profiles/QOS_NOPE").await;
    assert_eq!((st, e["message"].as_str()), (404, Some("QosProfile Id does not exist")));
    assert_eq!(s.get("/qos-profiles/a%20b").await.0, 400);
}

#[tokio::test]
async fn base_path_is_configurable() {
    let s = start(|c| c.base_path = "/api/qod/".into()).await;
    assert!(s.sim.base_url().ends_with("/api/qod"));
    assert_eq!(s.get("/qos-profiles/QOS_E").await.0, 200);
    let res = s
        .http
        .get(s.sim.base_url().replace("/api/qod", "/qod/v0/qos-profiles"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

// ----- fault injection -----

/// Sends one raw HTTP/1.1 request and reads until the peer closes or errors; returns the bytes and whether the read
/// ended with an error (a reset).
async fn raw(addr: std::net::SocketAddr, request: &str) -> (Vec<u8>, bool) {
    raw_within(addr, request, WAIT).await.expect("read timed out")
}

/// [`raw`], giving up (`None`) when the server neither answers nor closes within `limit`.
async fn raw_within(addr: std::net::SocketAddr, request: &str, limit: Duration) -> Option<(Vec<u8>, bool)> {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(limit, tcp.read(&mut buf)).await.ok()? {
            Ok(0) => return Some((out, false)),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(_) => return Some((out, true)),
        }
    }
}

fn get_profiles(base_path: &str) -> String {
    format!("GET {base_path}/qos-profiles HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
}

fn faulty(rules: &[&str]) -> impl FnOnce(&mut Config) {
    let rules: Vec<FaultRule> = rules.iter().map(|r| r.parse().unwrap()).collect();
    move |c: &mut Config| c.faults.rules = rules
}

#[tokio::test]
async fn fault_503_and_429_with_retry_after_every_nth() {
    let s = start(faulty(&["503=7,every=3", "429=2,every=4"])).await;
    let mut seen = Vec::new();
    for _ in 0..6 {
        let res = s.req(reqwest::Method::GET, "/qos-profiles/QOS_E").send().await.unwrap();
        let status = res.status().as_u16();
        let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
        if status != 200 {
            assert_error_info(&res.json().await.unwrap(), status);
        }
        seen.push((status, retry));
    }
    let r = |s: &str| Some(s.to_owned());
    assert_eq!(
        seen,
        [
            (200, None),
            (200, None),
            (503, r("7")),
            (429, r("2")),
            (200, None),
            (503, r("7"))
        ]
    );
    // The token endpoint is neither faulted nor counted: the next API request is the 7th (200), not the 8th (429).
    for _ in 0..4 {
        s.token_for("demo-client", "demo-secret").await;
    }
    assert_eq!(s.get("/qos-profiles/QOS_E").await.0, 200);
    assert_eq!(s.get("/qos-profiles/QOS_E").await.0, 429);
}

#[tokio::test]
async fn fault_latency() {
    // A large latency keeps the undelayed request clearly apart even on a loaded machine.
    let s = start(faulty(&["latency=1200,every=2"])).await;
    let t = Instant::now();
    assert_eq!(s.get("/qos-profiles/QOS_E").await.0, 200);
    assert!(t.elapsed() < Duration::from_millis(900), "{:?}", t.elapsed());
    let t = Instant::now();
    assert_eq!(s.get("/qos-profiles/QOS_E").await.0, 200);
    assert!(t.elapsed() >= Duration::from_millis(1200));
}

#[tokio::test]
async fn fault_chunked_response() {
    let s = start(faulty(&["chunked=4"])).await;
    let (bytes, reset) = raw(s.sim.local_addr(), &get_profiles("/qod/v0")).await;
    assert!(!reset);
    let text = String::from_utf8(bytes).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let head = head.to_ascii_lowercase();
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    assert!(!head.contains("content-length"), "{head}");
    // Decode the chunks: four data chunks, then the last-chunk.
    let (mut rest, mut chunks, mut json_text) = (body, 0, String::new());
    loop {
        let (size, after) = rest.split_once("\r\n").unwrap();
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        json_text.push_str(&after[..n]);
        rest = &after[n + 2..];
        chunks += 1;
    }
    assert_eq!(chunks, 4);
    let v: Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 11);
    // An ordinary client reads it as usual.
    assert_eq!(s.get("/qos-profiles/QOS_E").await.1["name"], "QOS_E");
}

#[tokio::test]
async fn fault_connection_reset_mid_response() {
    let s = start(faulty(&["reset,every=2"])).await;
    let (ok, reset) = raw(s.sim.local_addr(), &get_profiles("/qod/v0")).await;
    assert!(!reset);
    let full = String::from_utf8(ok).unwrap();
    let body_len = full.split_once("\r\n\r\n").unwrap().1.len();
    let (cut, _) = raw(s.sim.local_addr(), &get_profiles("/qod/v0")).await;
    let cut = String::from_utf8_lossy(&cut).into_owned();
    let (head, body) = cut.split_once("\r\n\r\n").expect("the head is sent whole");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains(&format!("content-length: {body_len}")),
        "{head}"
    );
    assert_eq!(
        body.len(),
        body_len / 2,
        "half of the body, then the connection is reset"
    );
    // reqwest sees a transport error, and the next request works.
    let _ = s.get("/qos-profiles/QOS_E").await;
    let err = s.req(reqwest::Method::GET, "/qos-profiles/QOS_E").send().await;
    if let Ok(res) = err {
        assert!(res.bytes().await.is_err(), "the body must fail");
    }
    assert_eq!(s.get("/qos-profiles/QOS_E").await.0, 200);
}

#[tokio::test]
async fn malformed_http_never_takes_the_server_down() {
    let s = start(|_| {}).await;
    for junk in [
        "GARBAGE\r\n\r\n",
        "GET / HTTP/9.9\r\n\r\n",
        "POST /qod/v0/sessions HTTP/1.1\r\ncontent-length: 5\r\ncontent-type: application/json\r\n\r\n\x7f\x01{{{",
        "\0\0\0\0",
    ] {
        if let Some((answer, _)) = raw_within(s.sim.local_addr(), junk, Duration::from_millis(300)).await {
            let text = String::from_utf8_lossy(&answer);
            assert!(text.is_empty() || text.starts_with("HTTP/1.1 4"), "{text}");
        }
    }
    assert_eq!(s.get("/qos-profiles/QOS_E").await.0, 200);
}

// ----- cross-check with the device codec -----

/// Raw body of a request.
async fn raw_body(r: reqwest::RequestBuilder) -> (u16, Vec<u8>) {
    let res = r.send().await.unwrap();
    (res.status().as_u16(), res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn responses_decode_with_the_device_codec() {
    use qod_core::model::{ErrorInfo, QosProfile, QosProfileList, QosStatus, QosStatusChanged, SessionInfo};
    let s = start(|c| c.profiles = qod_sim::profiles::active_catalogue()).await;
    let mut hook = receiver(0).await;
    let body = json!({
        "device": {"ipv4Address": {"publicAddress": "84.125.93.10", "privateAddress": "10.0.0.2"}, "ipv6Address": "2001:db8::2"},
        "applicationServer": {"ipv6Address": "2001:db8:85a3:8d3::/64"},
        "devicePorts": {"ranges": [{"from": 5010, "to": 5020}]},
        "qosProfile": "QOS_M",
        "webhook": hook.webhook(),
        "duration": 600,
    });
    let (st, bytes) = raw_body(s.req(reqwest::Method::POST, "/sessions").json(&body)).await;
    assert_eq!(st, 201);
    let info: SessionInfo = qod_core::decode(&bytes).expect("SessionInfo decodes");
    assert_eq!(info.qos_status, QosStatus::Available);
    assert_eq!(info.duration, 600);
    assert_eq!(info.device.ipv6_address.as_deref(), Some("2001:db8::2"));
    let id = info.session_id.to_string();
    let (_, bytes) = raw_body(s.req(reqwest::Method::GET, &format!("/sessions/{id}"))).await;
    assert_eq!(qod_core::decode::<SessionInfo>(&bytes).unwrap(), info);
    let (_, bytes) = raw_body(s.req(reqwest::Method::GET, "/qos-profiles")).await;
    let list: QosProfileList = qod_core::decode(&bytes).expect("the ACTIVE catalogue fits a QosProfileList");
    assert_eq!(list.len(), 9);
    let (_, bytes) = raw_body(s.req(reqwest::Method::GET, "/qos-profiles/QOS_RVM")).await;
    let p: QosProfile = qod_core::decode(&bytes).unwrap();
    assert_eq!(p.priority, Some(1));
    let (st, bytes) = raw_body(s.req(reqwest::Method::GET, &format!("/sessions/{}", uuid::Uuid::new_v4()))).await;
    let e: ErrorInfo = qod_core::decode(&bytes).unwrap();
    assert_eq!((st, e.status, e.code.as_str()), (404, 404, "NOT_FOUND"));
    // The CloudEvent, as a device receiving notifications would read it.
    let (_, event) = hook.next().await;
    let ev: QosStatusChanged = qod_core::decode(event.to_string().as_bytes()).expect("CloudEvent decodes");
    assert_eq!(ev.data.session_id.as_str(), id);
}

#[tokio::test]
async fn device_identifiers_conflict_by_ipv6_and_network_access_identifier() {
    let s = start(|_| {}).await;
    s.create(&with(
        session("0", "QOS_E"),
        "device",
        json!({"ipv6Address": "2001:db8::1", "networkAccessIdentifier": "dev@example.com"}),
    ))
    .await;
    for device in [
        json!({"ipv6Address": "2001:0db8:0:0::1"}),
        json!({"networkAccessIdentifier": "DEV@example.com"}),
    ] {
        assert_eq!(
            s.post("/sessions", &with(session("0", "QOS_E"), "device", device))
                .await
                .0,
            409
        );
    }
    s.create(&with(
        session("0", "QOS_E"),
        "device",
        json!({"ipv6Address": "2001:db8::2"}),
    ))
    .await;
}
