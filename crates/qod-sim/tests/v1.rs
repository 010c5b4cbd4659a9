//! quality-on-demand 1.1.0 and qos-profiles 1.1.0 over real HTTP on loopback, beside v0.10.1: the device rules of
//! two-legged and device-bound tokens, `maxDuration` with extensions, 409 when not AVAILABLE, `statusInfo` after the
//! end, sink and credential errors, x-correlator, notifications to an https sink with its access token.
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use qod_sim::pki::{TestCa, Validity};
use qod_sim::{Config, ManualClock, RunningSim};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(5);
const CORRELATOR: &str = "b4333c46-49c0-4f62-80d7-f0ef930f1c46";
const SINK_TOKEN: &str = "sink-access-token-1234567890";

struct Sim {
    sim: RunningSim,
    clock: Arc<ManualClock>,
    http: reqwest::Client,
    token: Option<String>,
}

async fn start(f: impl FnOnce(&mut Config)) -> Sim {
    let clock = ManualClock::new(1_700_000_000_000);
    let mut c = Config {
        clock: clock.clone(),
        ..Config::default()
    };
    c.auth.enabled = false;
    c.notify.initial_backoff = Duration::from_millis(10);
    f(&mut c);
    if c.auth.enabled {
        c.auth.clients = vec![qod_sim::ClientCredentials::new("gw", "gw-secret")];
    }
    let auth = c.auth.enabled;
    let sim = qod_sim::serve(c).await.expect("serve");
    let mut s = Sim {
        sim,
        clock,
        http: reqwest::Client::new(),
        token: None,
    };
    if auth {
        s.token = Some(s.token_with(&[]).await.1["access_token"].as_str().unwrap().to_owned());
    }
    s
}

impl Sim {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.root_url())
    }

    /// A token of client `gw`, with extra form parameters (`login_hint` makes it device-bound).
    async fn token_with(&self, extra: &[(&str, &str)]) -> (u16, Value) {
        let mut form = vec![("grant_type", "client_credentials")];
        form.extend_from_slice(extra);
        let res = self
            .http
            .post(self.sim.token_url())
            .basic_auth("gw", Some("gw-secret"))
            .form(&form)
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.json().await.unwrap())
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        token: Option<&str>,
    ) -> (u16, HeaderMap, Value) {
        let mut r = self
            .http
            .request(method, self.url(path))
            .header("x-correlator", CORRELATOR);
        if let Some(t) = token.or(self.token.as_deref()) {
            r = r.bearer_auth(t);
        }
        if let Some(b) = body {
            r = r.json(b);
        }
        let res = r.send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.unwrap();
        let v = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        // Every 1.1.0 answer echoes the x-correlator and is what the device codec reads.
        assert_eq!(
            headers.get("x-correlator").map(|v| v.to_str().unwrap()),
            Some(CORRELATOR),
            "{path} {status}"
        );
        if status >= 400 {
            assert_eq!(v["status"], status, "{v}");
            qod_core::decode::<qod_core::v1::model::ErrorInfo>(&bytes).unwrap();
        } else if path.ends_with("/retrieve-sessions") {
            qod_core::decode::<qod_core::v1::model::SessionList>(&bytes).unwrap();
        } else if path.contains("/sessions") && status != 204 {
            qod_core::decode::<qod_core::v1::model::SessionInfo>(&bytes).unwrap_or_else(|e| panic!("{e}: {v}"));
        }
        (status, headers, v)
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let (s, _, v) = self.call(reqwest::Method::POST, path, Some(body), None).await;
        (s, v)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let (s, _, v) = self.call(reqwest::Method::GET, path, None, None).await;
        (s, v)
    }

    async fn delete(&self, path: &str) -> u16 {
        self.call(reqwest::Method::DELETE, path, None, None).await.0
    }

    async fn create(&self, body: &Value) -> Value {
        let (s, v) = self.post("/quality-on-demand/v1/sessions", body).await;
        assert_eq!(s, 201, "{v}");
        v
    }

    fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }
}

fn session(phone: &str, profile: &str, duration: u32) -> Value {
    json!({
        "device": {"phoneNumber": phone},
        "applicationServer": {"ipv4Address": "198.51.100.0/24"},
        "qosProfile": profile,
        "duration": duration,
    })
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    v[key] = value;
    v
}

#[tokio::test]
async fn v1_lifecycle_times_and_correlator() {
    let s = start(|c| c.requested_delay = Duration::from_secs(2)).await;
    let created = s.create(&session("+436641234567", "QOS_VC", 600)).await;
    // REQUESTED: no startedAt/expiresAt yet; the device comes back as given.
    assert_eq!(created["qosStatus"], "REQUESTED");
    assert!(
        created.get("startedAt").is_none() && created.get("expiresAt").is_none(),
        "{created}"
    );
    assert_eq!(created["device"], json!({"phoneNumber": "+436641234567"}));
    assert_eq!(created["duration"], 600);
    let id = created["sessionId"].as_str().unwrap().to_owned();
    let path = format!("/quality-on-demand/v1/sessions/{id}");
    s.advance(2);
    let (st, v) = s.get(&path).await;
    assert_eq!((st, v["qosStatus"].as_str()), (200, Some("AVAILABLE")));
    // startedAt is when it became AVAILABLE; expiresAt = startedAt + duration.
    assert_eq!(v["startedAt"], "2023-11-14T22:13:22Z");
    assert_eq!(v["expiresAt"], "2023-11-14T22:23:22Z");
    // Extension: the overall duration grows, capped by QOS_VC's maxDuration (8 h).
    let (st, v) = s
        .post(&format!("{path}/extend"), &json!({"requestedAdditionalDuration": 1800}))
        .await;
    assert_eq!((st, v["duration"].as_u64()), (200, Some(2400)), "{v}");
    assert_eq!(v["expiresAt"], "2023-11-14T22:53:22Z");
    let (_, v) = s
        .post(
            &format!("{path}/extend"),
            &json!({"requestedAdditionalDuration": 86_400}),
        )
        .await;
    assert_eq!(v["duration"], 8 * 3600, "capped at maxDuration, extensions included");
    assert_eq!(s.delete(&path).await, 204);
    let (st, v) = s.get(&path).await;
    assert_eq!((st, v["code"].as_str()), (404, Some("NOT_FOUND")));
    // An x-correlator outside the pattern is refused.
    let res = s
        .http
        .get(s.url(&path))
        .header("x-correlator", "spaces are not allowed")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.headers().get("x-correlator").is_none());
}

#[tokio::test]
async fn v1_duration_profile_and_extension_rules() {
    let s = start(|c| c.requested_delay = Duration::from_secs(5)).await;
    let (st, v) = s
        .post(
            "/quality-on-demand/v1/sessions",
            &session("+431111111", "QOS_VC", 9 * 3600),
        )
        .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (400, Some("QUALITY_ON_DEMAND.DURATION_OUT_OF_RANGE")),
        "{v}"
    );
    let (st, v) = s
        .post("/quality-on-demand/v1/sessions", &session("+431111111", "QOS_VC", 30))
        .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (400, Some("QUALITY_ON_DEMAND.DURATION_OUT_OF_RANGE")),
        "below minDuration"
    );
    let (st, v) = s
        .post(
            "/quality-on-demand/v1/sessions",
            &session("+431111111", "QOS_LEGACY", 60),
        )
        .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (422, Some("QUALITY_ON_DEMAND.QOS_PROFILE_NOT_APPLICABLE"))
    );
    let (st, v) = s
        .post(
            "/quality-on-demand/v1/sessions",
            &with(session("+431111111", "QOS_E", 60), "duration", json!(null)),
        )
        .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (400, Some("INVALID_ARGUMENT")),
        "duration is required: {v}"
    );
    let created = s.create(&session("+431111111", "QOS_E", 60)).await;
    let path = format!(
        "/quality-on-demand/v1/sessions/{}",
        created["sessionId"].as_str().unwrap()
    );
    // Not AVAILABLE yet: 409.
    let (st, v) = s
        .post(&format!("{path}/extend"), &json!({"requestedAdditionalDuration": 60}))
        .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (409, Some("QUALITY_ON_DEMAND.SESSION_EXTENSION_NOT_ALLOWED"))
    );
    assert!(v["message"].as_str().unwrap().contains("(REQUESTED)"), "{v}");
    let (st, _) = s
        .post(&format!("{path}/extend"), &json!({"requestedAdditionalDuration": 0}))
        .await;
    assert_eq!(st, 400);
}

#[tokio::test]
async fn v1_status_info_is_kept_after_the_end() {
    let s = start(|c| {
        c.termination.profile = Some("QOS_L".into());
        c.termination.after = Some(Duration::from_secs(10));
    })
    .await;
    // Expiry: UNAVAILABLE / DURATION_EXPIRED stays readable; the device is free at once.
    let a = s.create(&session("+432222222", "QOS_E", 60)).await;
    let a_path = format!("/quality-on-demand/v1/sessions/{}", a["sessionId"].as_str().unwrap());
    s.advance(61);
    let (st, v) = s.get(&a_path).await;
    assert_eq!(
        (st, v["qosStatus"].as_str(), v["statusInfo"].as_str()),
        (200, Some("UNAVAILABLE"), Some("DURATION_EXPIRED"))
    );
    assert_eq!(
        (v["duration"].as_u64(), v["expiresAt"].as_str()),
        (Some(60), Some("2023-11-14T22:14:20Z"))
    );
    s.create(&session("+432222222", "QOS_E", 60)).await;
    // Network termination: UNAVAILABLE / NETWORK_TERMINATED with the effective duration and the end as expiresAt;
    // the device stays held until the session is deleted.
    let b = s.create(&session("+433333333", "QOS_L", 3600)).await;
    let b_path = format!("/quality-on-demand/v1/sessions/{}", b["sessionId"].as_str().unwrap());
    s.advance(10);
    let (_, v) = s.get(&b_path).await;
    assert_eq!(
        (v["qosStatus"].as_str(), v["statusInfo"].as_str()),
        (Some("UNAVAILABLE"), Some("NETWORK_TERMINATED"))
    );
    assert_eq!(v["duration"], 10);
    let (st, v) = s
        .post("/quality-on-demand/v1/sessions", &session("+433333333", "QOS_E", 60))
        .await;
    assert_eq!((st, v["code"].as_str()), (409, Some("CONFLICT")));
    // Both are still found by device, then deleted after the retention time.
    let (_, list) = s
        .post(
            "/quality-on-demand/v1/retrieve-sessions",
            &json!({"device": {"phoneNumber": "+433333333"}}),
        )
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    s.advance(360);
    assert_eq!(s.get(&a_path).await.0, 404);
    assert_eq!(s.get(&b_path).await.0, 404);
}

#[tokio::test]
async fn v1_device_rules_of_two_legged_and_device_bound_tokens() {
    let s = start(|c| c.auth.enabled = true).await;
    // Two-legged: the device must be named.
    let no_device = json!({"applicationServer": {"ipv4Address": "10.0.0.1"}, "qosProfile": "QOS_E", "duration": 60});
    let (st, v) = s.post("/quality-on-demand/v1/sessions", &no_device).await;
    assert_eq!((st, v["code"].as_str()), (422, Some("MISSING_IDENTIFIER")));
    let (st, v) = s.post("/quality-on-demand/v1/retrieve-sessions", &json!({})).await;
    assert_eq!((st, v["code"].as_str()), (422, Some("MISSING_IDENTIFIER")));
    let nai = with(
        no_device.clone(),
        "device",
        json!({"networkAccessIdentifier": "123@example.com"}),
    );
    let (st, v) = s.post("/quality-on-demand/v1/sessions", &nai).await;
    assert_eq!((st, v["code"].as_str()), (422, Some("UNSUPPORTED_IDENTIFIER")));
    // A device-bound token (login_hint: the simulator's three-legged stand-in): the device must not be named.
    let (st, t) = s.token_with(&[("login_hint", "tel:+436649999999")]).await;
    assert_eq!(st, 200, "{t}");
    let bound = t["access_token"].as_str().unwrap().to_owned();
    let (st, _, v) = s
        .call(
            reqwest::Method::POST,
            "/quality-on-demand/v1/sessions",
            Some(&session("+436649999999", "QOS_E", 60)),
            Some(&bound),
        )
        .await;
    assert_eq!((st, v["code"].as_str()), (422, Some("UNNECESSARY_IDENTIFIER")));
    let (st, _, created) = s
        .call(
            reqwest::Method::POST,
            "/quality-on-demand/v1/sessions",
            Some(&no_device),
            Some(&bound),
        )
        .await;
    assert_eq!(st, 201, "{created}");
    assert!(created.get("device").is_none(), "no device was named: none is shown");
    // The token's device holds the session: a two-legged create for it conflicts, and it is found by it.
    let (st, _) = s
        .post("/quality-on-demand/v1/sessions", &session("+436649999999", "QOS_E", 60))
        .await;
    assert_eq!(st, 409);
    let (st, _, list) = s
        .call(
            reqwest::Method::POST,
            "/quality-on-demand/v1/retrieve-sessions",
            Some(&json!({})),
            Some(&bound),
        )
        .await;
    assert_eq!((st, list.as_array().unwrap().len()), (200, 1));
    let (_, list) = s
        .post(
            "/quality-on-demand/v1/retrieve-sessions",
            &json!({"device": {"phoneNumber": "+436649999999"}}),
        )
        .await;
    assert_eq!(list[0]["sessionId"], created["sessionId"]);
    let (_, list) = s
        .post(
            "/quality-on-demand/v1/retrieve-sessions",
            &json!({"device": {"phoneNumber": "+4310000000"}}),
        )
        .await;
    assert_eq!(list, json!([]), "no session: an empty list");
    // qos-profiles: a device-bound token with a device filter is 422 too.
    let (st, _, v) = s
        .call(
            reqwest::Method::POST,
            "/qos-profiles/v1/retrieve-qos-profiles",
            Some(&json!({"device": {"phoneNumber": "+436649999999"}})),
            Some(&bound),
        )
        .await;
    assert_eq!((st, v["code"].as_str()), (422, Some("UNNECESSARY_IDENTIFIER")));
    // Bad login hints are refused; other formats work.
    assert_eq!(s.token_with(&[("login_hint", "mailto:x@y")]).await.0, 400);
    assert_eq!(s.token_with(&[("login_hint", "tel:0664")]).await.0, 400);
    assert_eq!(s.token_with(&[("login_hint", "ipport:203.0.113.5:5678")]).await.0, 200);
    assert_eq!(s.token_with(&[("login_hint", "ip:2001:db8::1")]).await.0, 200);
    // Without a token, 401 (echoing the correlator).
    let res = s
        .http
        .get(s.url("/quality-on-demand/v1/sessions/123e4567-e89b-12d3-a456-426614174000"))
        .header("x-correlator", CORRELATOR)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (res.status().as_u16(), res.headers()["x-correlator"].to_str().unwrap()),
        (401, CORRELATOR)
    );
}

#[tokio::test]
async fn v1_sink_and_credential_errors() {
    let s = start(|_| {}).await;
    let base = session("+434444444", "QOS_E", 60);
    let cases = [
        (json!({"sink": "http://insecure.example/cb"}), "INVALID_SINK"),
        (json!({"sink": "https://"}), "INVALID_SINK"),
        (
            json!({"sink": "https://ok.example/cb", "sinkCredential": {"credentialType": "PLAIN", "identifier": "a", "secret": "b"}}),
            "INVALID_CREDENTIAL",
        ),
        (
            json!({"sink": "https://ok.example/cb", "sinkCredential": {"credentialType": "REFRESHTOKEN"}}),
            "INVALID_CREDENTIAL",
        ),
        (
            json!({"sink": "https://ok.example/cb", "sinkCredential": {"credentialType": "ACCESSTOKEN", "accessToken": "t", "accessTokenExpiresUtc": "2030-01-01T00:00:00Z", "accessTokenType": "mac"}}),
            "INVALID_TOKEN",
        ),
        (
            json!({"sink": "https://ok.example/cb", "sinkCredential": {"credentialType": "ACCESSTOKEN", "accessToken": "t", "accessTokenType": "bearer"}}),
            "INVALID_ARGUMENT",
        ),
        (
            json!({"sink": "https://ok.example/cb", "sinkCredential": {"credentialType": "ACCESSTOKEN", "accessToken": "t", "accessTokenExpiresUtc": "soon", "accessTokenType": "bearer"}}),
            "INVALID_ARGUMENT",
        ),
    ];
    for (extra, code) in cases {
        let mut body = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (st, v) = s.post("/quality-on-demand/v1/sessions", &body).await;
        assert_eq!((st, v["code"].as_str()), (400, Some(code)), "{body}: {v}");
    }
    // A v0.10.1 session is not seen through 1.1.0 (and vice versa), but its device conflicts.
    let res = s
        .http
        .post(s.sim.base_url().to_owned() + "/sessions")
        .json(&json!({"device": {"phoneNumber": "+434444444"}, "applicationServer": {"ipv4Address": "1.2.3.4"}, "qosProfile": "QOS_E"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let v0: Value = res.json().await.unwrap();
    let (st, _) = s
        .get(&format!(
            "/quality-on-demand/v1/sessions/{}",
            v0["sessionId"].as_str().unwrap()
        ))
        .await;
    assert_eq!(st, 404);
    let (st, v) = s.post("/quality-on-demand/v1/sessions", &base).await;
    assert_eq!((st, v["code"].as_str()), (409, Some("CONFLICT")));
}

#[tokio::test]
async fn v1_profiles() {
    let s = start(|_| {}).await;
    let (st, v) = s.get("/qos-profiles/v1/qos-profiles/QOS_VC").await;
    assert_eq!(st, 200);
    assert_eq!(v["serviceClass"], "real_time_interactive");
    assert_eq!(v["countryAvailability"][0]["countryName"], "AT");
    assert_eq!(v["maxDuration"], json!({"value": 8, "unit": "Hours"}));
    qod_core::decode::<qod_core::v1::model::QosProfile>(v.to_string().as_bytes()).unwrap();
    assert_eq!(s.get("/qos-profiles/v1/qos-profiles/QOS_NONE").await.0, 404);
    assert_eq!(s.get("/qos-profiles/v1/qos-profiles/Q!").await.0, 400);
    let (st, all) = s.post("/qos-profiles/v1/retrieve-qos-profiles", &json!({})).await;
    assert_eq!((st, all.as_array().unwrap().len()), (200, 11));
    let (_, active) = s
        .post(
            "/qos-profiles/v1/retrieve-qos-profiles",
            &json!({"status": "ACTIVE", "device": {"phoneNumber": "+431234567"}}),
        )
        .await;
    assert_eq!(active.as_array().unwrap().len(), 9);
    let (_, one) = s
        .post("/qos-profiles/v1/retrieve-qos-profiles", &json!({"name": "QOS_E"}))
        .await;
    assert_eq!(one.as_array().unwrap().len(), 1);
    let (_, none) = s
        .post(
            "/qos-profiles/v1/retrieve-qos-profiles",
            &json!({"name": "QOS_E", "status": "INACTIVE"}),
        )
        .await;
    assert_eq!(none, json!([]));
    for bad in [
        json!({"status": "GONE"}),
        json!({"name": "x"}),
        json!({"device": {}}),
        json!({"device": {"phoneNumber": "0664"}}),
    ] {
        assert_eq!(
            s.post("/qos-profiles/v1/retrieve-qos-profiles", &bad).await.0,
            400,
            "{bad}"
        );
    }
    let list = qod_core::decode::<qod_core::v1::model::QosProfileList>(all.to_string().as_bytes());
    assert!(list.is_ok(), "{list:?}");
}

/// An https receiver for notifications, with a certificate of a test CA the simulator is told to trust.
async fn https_sink() -> (String, String, mpsc::UnboundedReceiver<(HeaderMap, Value)>) {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let ca = TestCa::new("sink CA").unwrap();
    let cert = ca.issue(&["127.0.0.1"], Validity::current()).unwrap();
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert.cert_pem().as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(cert.key_pem().as_bytes()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (tx, rx) = mpsc::unbounded_channel();
    async fn hook(
        State(tx): State<mpsc::UnboundedSender<(HeaderMap, Value)>>,
        headers: HeaderMap,
        body: axum::body::Bytes,
    ) -> StatusCode {
        let _ = tx.send((headers, serde_json::from_slice(&body).unwrap_or(Value::Null)));
        StatusCode::NO_CONTENT
    }
    let app = axum::Router::new()
        .route("/sink", axum::routing::post(hook))
        .with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/sink", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else { return };
                let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    tower::ServiceExt::oneshot(app.clone(), req.map(axum::body::Body::new))
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    (url, ca.cert_pem().to_owned(), rx)
}

#[tokio::test]
async fn v1_notifications_go_to_the_https_sink_with_its_access_token() {
    let (sink, ca, mut rx) = https_sink().await;
    let s = start(|c| {
        c.requested_delay = Duration::from_secs(1);
        c.notify.extra_roots = vec![ca];
    })
    .await;
    let body = with(
        with(session("+435555555", "QOS_E", 60), "sink", json!(sink)),
        "sinkCredential",
        json!({"credentialType": "ACCESSTOKEN", "accessToken": SINK_TOKEN, "accessTokenExpiresUtc": "2030-01-01T00:00:00Z", "accessTokenType": "bearer"}),
    );
    let created = s.create(&body).await;
    assert_eq!(created["sink"], json!(sink));
    assert!(
        created.get("sinkCredential").is_none(),
        "the credential is never echoed"
    );
    let id = created["sessionId"].as_str().unwrap().to_owned();
    s.advance(1);
    let (headers, e) = tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("no notification")
        .unwrap();
    assert_eq!(headers["authorization"], format!("Bearer {SINK_TOKEN}"));
    assert_eq!(headers["content-type"], "application/cloudevents+json");
    assert_eq!(e["type"], "org.camaraproject.quality-on-demand.v1.qos-status-changed");
    assert_eq!(
        e["source"],
        format!("{}/quality-on-demand/v1/sessions/{id}", s.sim.root_url())
    );
    assert_eq!(
        (e["data"]["sessionId"].as_str(), e["data"]["qosStatus"].as_str()),
        (Some(id.as_str()), Some("AVAILABLE"))
    );
    assert_eq!(e["time"], "2023-11-14T22:13:21Z");
    let event = qod_core::decode::<qod_core::v1::model::QosStatusChanged>(e.to_string().as_bytes()).unwrap();
    assert_eq!(event.time.unix(), 1_700_000_001);
    s.advance(60);
    let (_, e) = tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("no expiry notification")
        .unwrap();
    assert_eq!(
        (e["data"]["qosStatus"].as_str(), e["data"]["statusInfo"].as_str()),
        (Some("UNAVAILABLE"), Some("DURATION_EXPIRED"))
    );
}

#[tokio::test]
async fn v1_refuses_null_anywhere() {
    let s = start(|_| {}).await;
    // No 1.1.0 schema is nullable: a null anywhere is refused, naming where.
    let (st, v) = s
        .post(
            "/quality-on-demand/v1/retrieve-sessions",
            &json!({"device": {"phoneNumber": "+431111111", "ipv6Address": null}}),
        )
        .await;
    assert_eq!(
        (st, v["message"].as_str()),
        (
            400,
            Some("Schema validation failed at device.ipv6Address: null is not allowed")
        )
    );
    let (st, _) = s
        .post("/qos-profiles/v1/retrieve-qos-profiles", &json!({"status": null}))
        .await;
    assert_eq!(st, 400);
    let (st, v) = s
        .post(
            "/quality-on-demand/v1/sessions",
            &with(session("+431111111", "QOS_E", 60), "sink", json!(null)),
        )
        .await;
    assert_eq!(
        (st, v["message"].as_str()),
        (400, Some("Schema validation failed at sink: null is not allowed"))
    );
}
