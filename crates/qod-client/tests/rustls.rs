//! The tokio transport over rustls (feature `rustls`), as the `qod` gateway uses it: HTTPS with the simulator's CA
//! added to the web roots, keep-alive across the OAuth2 token and the API calls, and a clear error naming the
//! certificate problem without the CA.
use qod_client::tokio::{tls_config, SystemClock, TokioConnector, TokioDelay};
use qod_client::{Client, ClientCredentials, ClientError, Config, Url};
use qod_core::model::SessionInfo;
use qod_sim::{AuthConfig, TlsConfig};

async fn https_sim() -> qod_sim::RunningSim {
    qod_sim::serve(qod_sim::Config {
        tls: Some(TlsConfig::generated()),
        auth: AuthConfig::with_client("gw", "gw-secret-0123456789"),
        ..Default::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn test_https_with_the_simulators_ca_keeps_one_connection() {
    let sim = https_sim().await;
    assert!(sim.base_url().starts_with("https://"), "{}", sim.base_url());
    let ca = sim.ca_cert_pem().unwrap().as_bytes().to_vec();
    let connector = TokioConnector::with_tls(tls_config(Some(&ca)).unwrap());
    let url = Url::parse(sim.base_url()).unwrap();
    let token_url = format!("https://{}/oauth/token", url.authority);
    let tokens = ClientCredentials::basic(&token_url, "gw", "gw-secret-0123456789", SystemClock::new()).unwrap();
    let (mut tx, mut rx) = ([0u8; 2048], [0u8; 16384]);
    let mut c = Client::new(&connector, TokioDelay, Config::new(url), &mut tx, &mut rx).with_token_source(tokens);
    let mut list = qod_core::model::QosProfileList::new();
    c.qos_profiles(None, None, &mut list).await.unwrap();
    assert!(!list.is_empty());
    let e = c
        .get_session("123e4567-e89b-12d3-a456-426614174000", &mut SessionInfo::default())
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(404));
    assert!(c.connection().is_some_and(|c| c.is_tls()));
    c.close().await;
    assert_eq!(connector.connects(), 1, "token and API calls on one TLS connection");
    sim.shutdown().await;
}

#[tokio::test]
async fn test_without_the_ca_the_error_names_the_certificate_problem() {
    let sim = https_sim().await;
    let connector = TokioConnector::with_tls(tls_config(None).unwrap());
    let (mut tx, mut rx) = ([0u8; 2048], [0u8; 4096]);
    let mut c = Client::new(
        &connector,
        TokioDelay,
        Config::new(Url::parse(sim.base_url()).unwrap()),
        &mut tx,
        &mut rx,
    )
    .with_token("t");
    let e = c
        .get_session("123e4567-e89b-12d3-a456-426614174000", &mut SessionInfo::default())
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::Transport(_)), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("UnknownIssuer") && text.contains("--ca-file"), "{text}");
    // Plain TCP connectors refuse https outright.
    let plain = TokioConnector::new();
    let mut c = Client::new(
        &plain,
        TokioDelay,
        Config::new(Url::parse(sim.base_url()).unwrap()),
        &mut tx,
        &mut rx,
    );
    let e = c
        .delete_session("123e4567-e89b-12d3-a456-426614174000")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("needs a TLS connector"), "{e}");
    assert!(tls_config(Some(b"not a certificate")).is_err());
    sim.shutdown().await;
}
