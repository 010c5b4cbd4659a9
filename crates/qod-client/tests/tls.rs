//! Device TLS (embedded-tls, feature `tls`) over the host's TCP, against the real simulator's rustls listener: the
//! whole OAuth2 + session lifecycle on one TLS connection, `private_key_jwt` with ES256 and no clock, and every
//! certificate and protocol failure with its typed error.
#![cfg(all(feature = "tls", feature = "tokio", feature = "es256"))]
use qod_client::tls::{AlertDescription, TlsClock, TlsConnector, TlsError};
use qod_client::tokio::{SystemClock, TokioConnector, TokioDelay};
use qod_client::{Client, ClientCredentials, ClientError, Config, Es256Signer, TokenSource, Url};
use qod_core::model::{CreateSession, QosStatus, SessionInfo};
use qod_sim::pki::{TestCa, TestKey, Validity};
use qod_sim::{AuthConfig, JwtClient, TlsConfig, TlsVersions};
use rand_core::OsRng;

const SECRET: &str = "device-secret-0123456789";

struct Server {
    sim: qod_sim::RunningSim,
    ca_der: Vec<u8>,
}

/// The simulator over HTTPS with a certificate for `names` issued by a fresh CA, valid for `validity`.
async fn server(names: &[&str], validity: Validity, versions: TlsVersions, auth: AuthConfig) -> Server {
    let ca = TestCa::new("qod test CA").unwrap();
    let leaf = ca.issue(names, validity).unwrap();
    let mut tls = TlsConfig::with_identity(leaf.identity());
    tls.versions = versions;
    let sim = qod_sim::serve(qod_sim::Config {
        tls: Some(tls),
        auth,
        ..Default::default()
    })
    .await
    .unwrap();
    Server {
        sim,
        ca_der: ca.cert_der().to_vec(),
    }
}

fn create_body() -> CreateSession {
    let mut c = CreateSession::default();
    c.device.phone_number = Some("+436641234567".try_into().unwrap());
    c.application_server.ipv4_address = Some("198.51.100.0/24".try_into().unwrap());
    c.qos_profile = "QOS_VC".try_into().unwrap();
    c.duration = Some(600);
    c
}

/// The URL of the simulator under the name `localhost` (the certificate's DNS name).
fn localhost(sim: &qod_sim::RunningSim, path: &str) -> String {
    format!("https://localhost:{}{path}", sim.local_addr().port())
}

#[tokio::test]
async fn test_whole_lifecycle_with_oauth2_on_one_tls_connection() {
    let s = server(
        &["localhost"],
        Validity::current(),
        TlsVersions::Both,
        AuthConfig::with_client("dev", SECRET),
    )
    .await;
    let (api, token_url) = (localhost(&s.sim, "/qod/v0"), localhost(&s.sim, "/oauth/token"));
    let tcp = TokioConnector::new();
    let (mut rec_rx, mut rec_tx) = (vec![0u8; 16_640], vec![0u8; 2048]);
    let tls = TlsConnector::new(&tcp, &s.ca_der, &mut rec_rx, &mut rec_tx, OsRng);
    let clock = SystemClock::new();
    let tokens = ClientCredentials::basic(&token_url, "dev", SECRET, clock).unwrap();
    let (mut tx, mut rx) = ([0u8; 1024], [0u8; 4096]);
    let mut c = Client::new(
        &tls,
        TokioDelay,
        Config::new(Url::parse(&api).unwrap()),
        &mut tx,
        &mut rx,
    )
    .with_token_source(tokens);
    let mut info = SessionInfo::default();
    c.create_session(&create_body(), &mut info).await.unwrap();
    let id = info.session_id.clone();
    c.get_session(&id, &mut info).await.unwrap();
    assert_eq!(info.qos_status, QosStatus::Available);
    c.delete_session(&id).await.unwrap();
    let e = c.get_session(&id, &mut info).await.unwrap_err();
    assert_eq!(e.status(), Some(404));
    c.close().await;
    assert_eq!(
        tcp.connects(),
        1,
        "token, create, get, delete, get: one TCP connection, one TLS handshake"
    );
    s.sim.shutdown().await;
}

#[tokio::test]
async fn test_private_key_jwt_es256_without_a_clock_on_the_device() {
    let key = TestKey::generate_es256().unwrap();
    let mut auth = AuthConfig::default();
    auth.jwt_clients
        .push(JwtClient::from_public_key_pem("dev-jwt", key.public_key_pem()).unwrap());
    let s = server(&["localhost"], Validity::current(), TlsVersions::Both, auth).await;
    let (api, token_url) = (localhost(&s.sim, "/qod/v0"), localhost(&s.sim, "/oauth/token"));
    let tcp = TokioConnector::new();
    let (mut rec_rx, mut rec_tx) = (vec![0u8; 16_640], vec![0u8; 2048]);
    let tls = TlsConnector::new(&tcp, &s.ca_der, &mut rec_rx, &mut rec_tx, OsRng);

    /// A device clock without wall-clock time: the time comes from the server's `Date`.
    struct Monotonic(std::time::Instant);
    impl qod_client::Clock for Monotonic {
        fn now_ms(&self) -> u64 {
            self.0.elapsed().as_millis() as u64
        }
    }
    let signer = Es256Signer::from_pem(key.private_key_pem(), OsRng).unwrap();
    assert!(!format!("{signer:?}").contains("PRIVATE"), "the key is never printed");
    let tokens = ClientCredentials::private_key_jwt(
        &token_url,
        "dev-jwt",
        signer,
        None,
        Monotonic(std::time::Instant::now()),
    )
    .unwrap();
    let (mut tx, mut rx) = ([0u8; 1024], [0u8; 4096]);
    let mut c = Client::new(
        &tls,
        TokioDelay,
        Config::new(Url::parse(&api).unwrap()),
        &mut tx,
        &mut rx,
    )
    .with_token_source(tokens);
    let mut info = SessionInfo::default();
    c.create_session(&create_body(), &mut info).await.unwrap();
    c.delete_session(&info.session_id.clone()).await.unwrap();
    assert!(c.tokens().bearer().is_some());
    c.close().await;
    assert_eq!(tcp.connects(), 1, "Date probe, token, create, delete on one connection");
    s.sim.shutdown().await;
}

/// The device's first request against `s` at `url`, with `connector` settings applied by `setup`.
async fn first_request<K: TlsClock>(
    s: &Server,
    url: &str,
    server_name: Option<&str>,
) -> ClientError<TlsError<std::io::Error>> {
    let tcp = TokioConnector::new();
    let (mut rec_rx, mut rec_tx) = (vec![0u8; 16_640], vec![0u8; 2048]);
    let mut tls = TlsConnector::new(&tcp, &s.ca_der, &mut rec_rx, &mut rec_tx, OsRng).with_clock::<K>();
    if let Some(n) = server_name {
        tls = tls.with_server_name(n);
    }
    let (mut tx, mut rx) = ([0u8; 1024], [0u8; 4096]);
    let mut c = Client::new(
        &tls,
        TokioDelay,
        Config::new(Url::parse(url).unwrap()),
        &mut tx,
        &mut rx,
    )
    .with_token("t");
    c.get_session("123e4567-e89b-12d3-a456-426614174000", &mut SessionInfo::default())
        .await
        .unwrap_err()
}

/// The host's clock, for certificate validity.
struct Now;
impl TlsClock for Now {
    fn now() -> Option<u64> {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .map(|d| d.as_secs())
    }
}

fn is_certificate_error(e: &ClientError<TlsError<std::io::Error>>) -> bool {
    matches!(e, ClientError::Transport(TlsError::Certificate)) && e.to_string().contains("certificate is not trusted")
}

#[tokio::test]
async fn test_untrusted_ca_wrong_host_and_expired_certificates_are_refused() {
    let no_auth = AuthConfig {
        enabled: false,
        ..Default::default()
    };
    // A server whose certificate another CA issued.
    let s = server(&["localhost"], Validity::current(), TlsVersions::Both, no_auth.clone()).await;
    let other = TestCa::new("someone else").unwrap();
    let untrusting = Server {
        sim: qod_sim::serve(qod_sim::Config {
            tls: Some(TlsConfig::with_identity(
                other.issue(&["localhost"], Validity::current()).unwrap().identity(),
            )),
            auth: no_auth.clone(),
            ..Default::default()
        })
        .await
        .unwrap(),
        ca_der: s.ca_der.clone(),
    };
    let e = first_request::<Now>(&untrusting, &localhost(&untrusting.sim, "/qod/v0"), None).await;
    assert!(is_certificate_error(&e), "untrusted CA: {e:?} {e}");

    // The right CA, but the name does not match (an IP dialled without `with_server_name`, or another name).
    let ip = format!("https://127.0.0.1:{}/qod/v0", s.sim.local_addr().port());
    let e = first_request::<Now>(&s, &ip, None).await;
    assert!(is_certificate_error(&e), "IP without a server name: {e:?}");
    let e = first_request::<Now>(&s, &ip, Some("qod.example")).await;
    assert!(is_certificate_error(&e), "wrong name: {e:?}");
    // With the certificate's name it works (the 404/401 of the API, not a TLS error).
    let e = first_request::<Now>(&s, &ip, Some("localhost")).await;
    assert!(matches!(e, ClientError::Api(_)), "{e:?}");

    // Expired: refused when the device knows the time, accepted (documented) when it does not.
    let expired = server(&["localhost"], Validity::expired(), TlsVersions::Both, no_auth.clone()).await;
    let url = localhost(&expired.sim, "/qod/v0");
    let e = first_request::<Now>(&expired, &url, None).await;
    assert!(is_certificate_error(&e), "expired: {e:?}");
    let e = first_request::<qod_client::tls::NoClock>(&expired, &url, None).await;
    assert!(matches!(e, ClientError::Api(_)), "no clock, no date check: {e:?}");
    for s in [s, untrusting, expired] {
        s.sim.shutdown().await;
    }
}

#[tokio::test]
async fn test_tls12_only_server_and_plain_http_url_are_typed_errors() {
    let no_auth = AuthConfig {
        enabled: false,
        ..Default::default()
    };
    let s = server(&["localhost"], Validity::current(), TlsVersions::Tls12, no_auth).await;
    let e = first_request::<Now>(&s, &localhost(&s.sim, "/qod/v0"), None).await;
    assert!(
        matches!(
            e,
            ClientError::Transport(TlsError::Alert(AlertDescription::ProtocolVersion))
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("TLS 1.3"), "{e}");
    let e = first_request::<Now>(
        &s,
        &format!("http://localhost:{}/qod/v0", s.sim.local_addr().port()),
        None,
    )
    .await;
    assert!(matches!(e, ClientError::Transport(TlsError::NotHttps)), "{e:?}");
    s.sim.shutdown().await;
}
