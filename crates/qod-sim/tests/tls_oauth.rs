//! HTTPS and the token endpoint's client authentication, in process over loopback: the generated and the given
//! certificates (expired, wrong host, TLS 1.2 only), `client_secret_basic` as RFC 6749 §2.3.1 encodes it,
//! `client_secret_post`, `private_key_jwt` (ES256, RS256, every refusal), token expiry, and that no secret, token or
//! assertion reaches the log or `Debug` output.
use qod_sim::pki::{TestCa, TestKey, Validity};
use qod_sim::{AuthConfig, ClientCredentials, Config, JwtClient, ManualClock, RunningSim, TlsConfig, TlsVersions};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A PKCS#8 RSA 2048 key made for these tests only (RS256 client assertions).
const RSA_TEST_KEY: &str = include_str!("fixtures/rs256-test-key.pem");

const SECRET: &str = "s3cr3t-Basic+Value";

fn client(ca_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap())
        .build()
        .unwrap()
}

async fn tls_sim(f: impl FnOnce(&mut Config)) -> RunningSim {
    let mut c = Config {
        tls: Some(TlsConfig::generated()),
        ..Config::default()
    };
    f(&mut c);
    qod_sim::serve(c).await.unwrap()
}

/// A rustls client handshake with `versions`, trusting `ca_pem`, for `server_name`; the negotiated version.
async fn handshake(
    sim: &RunningSim,
    ca_pem: &str,
    server_name: &str,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Result<rustls::ProtocolVersion, std::io::Error> {
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(sim.local_addr()).await?;
    let name = rustls::pki_types::ServerName::try_from(server_name.to_owned()).unwrap();
    let mut tls = connector.connect(name, tcp).await?;
    let version = tls.get_ref().1.protocol_version().unwrap();
    tls.write_all(b"GET /qod/v0/qos-profiles/QOS_E HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await?;
    let mut out = Vec::new();
    let _ = tls.read_to_end(&mut out).await;
    assert!(out.starts_with(b"HTTP/1.1 401"), "{}", String::from_utf8_lossy(&out));
    Ok(version)
}

#[tokio::test]
async fn https_with_a_generated_ca_for_localhost_and_the_ip_addresses() {
    let sim = tls_sim(|_| {}).await;
    assert!(sim.is_tls());
    assert!(sim.base_url().starts_with("https://127.0.0.1:"), "{}", sim.base_url());
    let ca = sim.ca_cert_pem().unwrap().to_owned();
    let c = client(&ca);
    let res = c.get(format!("{}/qos-profiles", sim.base_url())).send().await.unwrap();
    assert_eq!(res.status(), 401);
    // The same certificate is valid for localhost (DNS SAN), 127.0.0.1 and 10.0.2.2 (IP SANs).
    for name in ["localhost", "127.0.0.1", "10.0.2.2"] {
        let v = handshake(&sim, &ca, name, rustls::DEFAULT_VERSIONS).await.unwrap();
        assert_eq!(v, rustls::ProtocolVersion::TLSv1_3, "{name}");
    }
    let v = handshake(&sim, &ca, "localhost", &[&rustls::version::TLS12])
        .await
        .unwrap();
    assert_eq!(v, rustls::ProtocolVersion::TLSv1_2);
    // Another name, or another CA: refused.
    let e = handshake(&sim, &ca, "example.com", rustls::DEFAULT_VERSIONS)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not valid for name"), "{e}");
    let other = TestCa::new("other").unwrap();
    let e = handshake(&sim, other.cert_pem(), "localhost", rustls::DEFAULT_VERSIONS)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("UnknownIssuer"), "{e}");
}

#[tokio::test]
async fn tls12_only_server_refuses_a_tls13_only_client() {
    let sim = tls_sim(|c| c.tls.as_mut().unwrap().versions = TlsVersions::Tls12).await;
    let ca = sim.ca_cert_pem().unwrap().to_owned();
    assert!(handshake(&sim, &ca, "localhost", &[&rustls::version::TLS13])
        .await
        .is_err());
    let v = handshake(&sim, &ca, "localhost", rustls::DEFAULT_VERSIONS)
        .await
        .unwrap();
    assert_eq!(v, rustls::ProtocolVersion::TLSv1_2);
    let sim = tls_sim(|c| c.tls.as_mut().unwrap().versions = TlsVersions::Tls13).await;
    let ca = sim.ca_cert_pem().unwrap().to_owned();
    assert!(handshake(&sim, &ca, "localhost", &[&rustls::version::TLS12])
        .await
        .is_err());
}

#[tokio::test]
async fn given_certificates_expired_or_for_another_host_are_refused_by_clients() {
    let ca = TestCa::new("given").unwrap();
    for (cert, expect) in [
        (
            ca.issue(&["localhost", "127.0.0.1"], Validity::current()).unwrap(),
            None,
        ),
        (
            ca.issue(&["localhost", "127.0.0.1"], Validity::expired()).unwrap(),
            Some("certificate expired"),
        ),
        (
            ca.issue(&["localhost", "127.0.0.1"], Validity::not_yet_valid())
                .unwrap(),
            Some("not valid yet"),
        ),
        (
            ca.issue(&["example.com"], Validity::current()).unwrap(),
            Some("not valid for name"),
        ),
    ] {
        let sim = tls_sim(|c| c.tls = Some(TlsConfig::with_identity(cert.identity()))).await;
        assert_eq!(sim.ca_cert_pem(), None);
        let r = handshake(&sim, ca.cert_pem(), "localhost", rustls::DEFAULT_VERSIONS).await;
        match expect {
            None => assert!(r.is_ok(), "{r:?}"),
            Some(why) => {
                let e = r.unwrap_err().to_string();
                assert!(e.contains(why), "{why}: {e}");
            }
        }
        // The chain with the CA in it works too.
        if expect.is_none() {
            let sim = tls_sim(|c| c.tls = Some(TlsConfig::with_identity(cert.identity_with_ca()))).await;
            assert!(handshake(&sim, ca.cert_pem(), "localhost", rustls::DEFAULT_VERSIONS)
                .await
                .is_ok());
        }
    }
}

/// Sends a raw token request; returns status, headers and JSON body.
async fn token_request(
    c: &reqwest::Client,
    url: &str,
    basic: Option<&str>,
    form: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut r = c.post(url).form(form);
    if let Some(b) = basic {
        r = r.header("authorization", b);
    }
    let res = r.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.json().await.unwrap())
}

fn basic(raw: &str) -> String {
    use base64::Engine as _;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw))
}

const GRANT: (&str, &str) = ("grant_type", "client_credentials");

#[tokio::test]
async fn client_secret_basic_is_form_urlencoded_and_post_works_too() {
    // An id and a secret with characters that form-encoding changes.
    let sim = tls_sim(|c| {
        c.auth = AuthConfig::with_client("dev&id=1", "p@ss w+rd:%");
    })
    .await;
    let c = client(sim.ca_cert_pem().unwrap());
    let url = sim.token_url();
    // Encoded as RFC 6749 §2.3.1 says: id and secret form-urlencoded, then joined with ':'.
    let rfc = basic("dev%26id%3D1:p%40ss+w%2Brd%3A%25");
    let (st, h, v) = token_request(&c, &url, Some(&rfc), &[GRANT]).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(v["token_type"], "Bearer");
    // `&` and `=` need no encoding in a single value; an unencoded `+` is a space, so the raw secret fails.
    assert_eq!(
        token_request(&c, &url, Some(&basic("dev&id=1:p%40ss+w%2Brd%3A%25")), &[GRANT])
            .await
            .0,
        200
    );
    let (st, h, v) = token_request(&c, &url, Some(&basic("dev%26id%3D1:p@ss w+rd:%")), &[GRANT]).await;
    assert_eq!((st, v["error"].as_str()), (401, Some("invalid_client")), "{v}");
    assert_eq!(h["www-authenticate"], "Basic realm=\"qod-sim\"");
    // client_secret_post: the form values are plain.
    let form = [GRANT, ("client_id", "dev&id=1"), ("client_secret", "p@ss w+rd:%")];
    assert_eq!(token_request(&c, &url, None, &form).await.0, 200);
    // Two methods at once, a repeated parameter, a malformed Basic header, no credentials.
    let (st, _, v) = token_request(&c, &url, Some(&rfc), &form).await;
    assert_eq!((st, v["error"].as_str()), (400, Some("invalid_request")), "{v}");
    let (st, _, v) = token_request(&c, &url, Some(&rfc), &[GRANT, GRANT]).await;
    assert_eq!((st, v["error"].as_str()), (400, Some("invalid_request")), "{v}");
    assert_eq!(v["error_description"], "Parameter \"grant_type\" is repeated");
    let (st, _, v) = token_request(&c, &url, Some("Basic %%%"), &[GRANT]).await;
    assert_eq!((st, v["error"].as_str()), (401, Some("invalid_client")), "{v}");
    let (st, h, v) = token_request(&c, &url, None, &[GRANT]).await;
    assert_eq!((st, v["error"].as_str()), (401, Some("invalid_client")), "{v}");
    assert!(h.contains_key("www-authenticate"));
    // Scope is echoed when well-formed, refused when not.
    let (st, _, v) = token_request(&c, &url, Some(&rfc), &[GRANT, ("scope", "qod:read qod:write")]).await;
    assert_eq!((st, v["scope"].as_str()), (200, Some("qod:read qod:write")));
    let (st, _, v) = token_request(&c, &url, Some(&rfc), &[GRANT, ("scope", "a\"b")]).await;
    assert_eq!((st, v["error"].as_str()), (400, Some("invalid_scope")));
}

fn now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn jwt_form(assertion: &str) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "client_credentials".into()),
        ("client_assertion_type", qod_sim::JWT_BEARER.into()),
        ("client_assertion", assertion.into()),
    ]
}

async fn jwt_token(c: &reqwest::Client, url: &str, assertion: &str) -> (u16, Value) {
    let res = c.post(url).form(&jwt_form(assertion)).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test]
async fn private_key_jwt_es256_and_rs256_with_every_refusal() {
    let es = TestKey::generate_es256().unwrap();
    let rs = TestKey::from_pkcs8_pem(RSA_TEST_KEY).unwrap();
    assert_eq!(rs.alg().as_str(), "RS256");
    let sim = tls_sim(|c| {
        c.auth.jwt_clients = vec![
            JwtClient::from_public_key_pem("dev-es", es.public_key_pem()).unwrap(),
            JwtClient::from_public_key_pem("dev-rs", rs.public_key_pem()).unwrap(),
        ];
    })
    .await;
    let c = client(sim.ca_cert_pem().unwrap());
    let url = sim.token_url();
    let ttl = Duration::from_secs(120);
    for (id, key) in [("dev-es", &es), ("dev-rs", &rs)] {
        let a = key.client_assertion(id, &url, ttl).unwrap();
        let (st, v) = jwt_token(&c, &url, &a).await;
        assert_eq!(st, 200, "{id}: {v}");
        let token = v["access_token"].as_str().unwrap();
        let res = c
            .get(format!("{}/qos-profiles/QOS_E", sim.base_url()))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        // The same assertion again: a replayed jti.
        let (st, v) = jwt_token(&c, &url, &a).await;
        assert_eq!((st, v["error"].as_str()), (401, Some("invalid_client")));
        assert_eq!(v["error_description"], "client assertion jti was already used");
    }
    // The audience is the token URL as the client reaches it: through `localhost` it is https://localhost:PORT/...
    let port = sim.local_addr().port();
    let via_localhost = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(sim.ca_cert_pem().unwrap().as_bytes()).unwrap())
        .resolve("localhost", sim.local_addr())
        .build()
        .unwrap();
    let local_url = format!("https://localhost:{port}/oauth/token");
    let a = es.client_assertion("dev-es", &local_url, ttl).unwrap();
    assert_eq!(jwt_token(&via_localhost, &local_url, &a).await.0, 200);
    // ... and an assertion for 127.0.0.1 sent through localhost is refused.
    let a = es.client_assertion("dev-es", &url, ttl).unwrap();
    let (st, v) = jwt_token(&via_localhost, &local_url, &a).await;
    assert_eq!(
        (st, v["error_description"].as_str()),
        (401, Some("client assertion aud is not this token endpoint's URL"))
    );
    // Each broken claim.
    let n = now_s();
    let claims = |f: &dyn Fn(&mut Value)| {
        let mut v = json!({"iss": "dev-es", "sub": "dev-es", "aud": url, "exp": n + 60, "jti": uuid()});
        f(&mut v);
        es.sign_jwt(&v).unwrap()
    };
    let cases: Vec<(String, &str)> = vec![
        (claims(&|v| v["exp"] = json!(n - 10)), "client assertion has expired"),
        (
            claims(&|v| v["exp"] = json!(n + 900)),
            "client assertion exp is more than 300 s ahead",
        ),
        (
            claims(&|v| v["aud"] = json!("https://10.0.2.2:1/oauth/token")),
            "client assertion aud is not this token endpoint's URL",
        ),
        (
            claims(&|v| v["sub"] = json!("someone")),
            "client assertion iss and sub must both be the client id",
        ),
        (
            claims(&|v| v.as_object_mut().unwrap().remove("jti").map(drop).unwrap_or(())),
            "client assertion has no jti",
        ),
        (
            rs.client_assertion("dev-es", &url, ttl).unwrap(),
            "client assertion alg does not match the registered key",
        ),
        (
            es.sign_parts(r#"{"alg":"ES256"}"#, "not json").unwrap(),
            "client assertion is not a JWT with an iss",
        ),
        (
            TestKey::generate_es256()
                .unwrap()
                .client_assertion("dev-es", &url, ttl)
                .unwrap(),
            "client assertion signature is invalid",
        ),
    ];
    for (a, why) in cases {
        let (st, v) = jwt_token(&c, &url, &a).await;
        assert_eq!((st, v["error"].as_str()), (401, Some("invalid_client")), "{why}: {v}");
        assert_eq!(v["error_description"], why);
        assert!(!v.to_string().contains(&a), "the assertion is echoed");
    }
    // An unknown client, a client_id that differs from iss, a wrong assertion type, a missing assertion.
    let a = es.client_assertion("nobody", &url, ttl).unwrap();
    assert_eq!(jwt_token(&c, &url, &a).await.0, 401);
    let a = es.client_assertion("dev-es", &url, ttl).unwrap();
    let mut form = jwt_form(&a);
    form.push(("client_id", "dev-rs".into()));
    let res = c.post(&url).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let mut form = jwt_form(&a);
    form[1].1 = "urn:example:other".into();
    let res = c.post(&url).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let res = c.post(&url).form(&jwt_form(&a)[..2]).send().await.unwrap();
    assert_eq!(res.status(), 400);
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[tokio::test]
async fn expired_tokens_get_401_unauthenticated() {
    let clock = ManualClock::new(1_700_000_000_000);
    let sim = qod_sim::serve(Config {
        clock: clock.clone(),
        auth: AuthConfig {
            token_lifetime: Duration::from_secs(60),
            ..AuthConfig::with_client("gw", SECRET)
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let c = reqwest::Client::new();
    let res = c
        .post(sim.token_url())
        .form(&[GRANT, ("client_id", "gw"), ("client_secret", SECRET)])
        .send()
        .await
        .unwrap();
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["expires_in"], 60);
    let token = v["access_token"].as_str().unwrap().to_owned();
    let get = || {
        c.get(format!("{}/qos-profiles/QOS_E", sim.base_url()))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(get().await.unwrap().status(), 200);
    clock.advance(Duration::from_secs(60));
    let res = get().await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers().contains_key("www-authenticate"));
    let v: Value = res.json().await.unwrap();
    assert_eq!(
        (v["code"].as_str(), v["status"].as_u64()),
        (Some("UNAUTHENTICATED"), Some(401))
    );
}

/// A `tracing` writer that keeps everything written.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_tokens_and_assertions_never_reach_logs_or_debug() {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let es = TestKey::generate_es256().unwrap();
    let mut config = Config {
        tls: Some(TlsConfig::generated()),
        auth: AuthConfig::with_client("gw", SECRET),
        ..Config::default()
    };
    config.auth.jwt_clients = vec![JwtClient::from_public_key_pem("dev", es.public_key_pem()).unwrap()];
    let debug = format!("{config:?}");
    assert!(!debug.contains(SECRET), "{debug}");
    let sim = qod_sim::serve(config).await.unwrap();
    let c = client(sim.ca_cert_pem().unwrap());
    let url = sim.token_url();
    let a = es.client_assertion("dev", &url, Duration::from_secs(60)).unwrap();
    let (st, v) = jwt_token(&c, &url, &a).await;
    assert_eq!(st, 200);
    let token = v["access_token"].as_str().unwrap().to_owned();
    // Refusals log too: a replay, a wrong secret.
    assert_eq!(jwt_token(&c, &url, &a).await.0, 401);
    let wrong = [GRANT, ("client_id", "gw"), ("client_secret", "wrong-secret-xyz")];
    assert_eq!(token_request(&c, &url, None, &wrong).await.0, 401);
    let good = [GRANT, ("client_id", "gw"), ("client_secret", SECRET)];
    let (_, _, v) = token_request(&c, &url, None, &good).await;
    let token2 = v["access_token"].as_str().unwrap().to_owned();
    let res = c
        .get(format!("{}/qos-profiles/QOS_E", sim.base_url()))
        .bearer_auth(&token2)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    sim.shutdown().await;
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("issued access token"), "{text}");
    assert!(text.contains("client assertion refused"), "{text}");
    let signature = a.rsplit('.').next().unwrap();
    for s in [SECRET, "wrong-secret-xyz", &token, &token2, &a, signature] {
        assert!(!text.contains(s), "leaked {s}: {text}");
    }
}

#[tokio::test]
async fn plain_config_debug_and_client_parsing_keep_secrets_out() {
    let c: ClientCredentials = "id:very-secret".parse().unwrap();
    assert!(!format!("{c:?}").contains("very-secret"));
    let e = "no-colon-very-secret".parse::<ClientCredentials>().unwrap_err();
    assert!(!e.contains("very-secret"));
}

/// Fault injection works over TLS too: a chunked answer arrives whole, a reset cuts the response.
#[tokio::test]
async fn faults_over_tls() {
    let sim = tls_sim(|c| {
        c.auth.enabled = false;
        c.faults.rules = vec!["chunked=3,every=2".parse().unwrap(), "reset,every=3".parse().unwrap()];
    })
    .await;
    let c = client(sim.ca_cert_pem().unwrap());
    let url = format!("{}/qos-profiles/QOS_E", sim.base_url());
    let first = c.get(&url).send().await.unwrap();
    assert_eq!(first.headers().get("transfer-encoding"), None);
    let first: Value = first.json().await.unwrap();
    let chunked = c.get(&url).send().await.unwrap();
    assert_eq!(chunked.headers()["transfer-encoding"], "chunked");
    assert_eq!(chunked.json::<Value>().await.unwrap(), first);
    let cut = match c.get(&url).send().await {
        Ok(res) => res.bytes().await.is_err(),
        Err(_) => true,
    };
    assert!(cut, "the third response was not cut");
}
