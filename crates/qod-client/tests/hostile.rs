//! The client's time bound against servers that misbehave on purpose (qod-devnet's hostile server on loopback), over
//! the tokio transport: `Config::timeout_ms` bounds the whole exchange, whatever the server sends; memory is bounded
//! by `rx_buf`. The same cases run over the embassy transport in tests/tests/hostile.rs.
#![cfg(feature = "tokio")]
use qod_client::tokio::{TokioConnector, TokioDelay};
use qod_client::{Client, ClientError, Config, Url};
use qod_core::model::QosProfile;
use qod_core::HttpError;
use qod_devnet::hostile::{serve, Misbehaviour};
use std::time::{Duration, Instant};

const TIMEOUT_MS: u32 = 300;

/// One request against a server doing `what`: the error and how long it took.
async fn against(what: Misbehaviour) -> (ClientError<std::io::Error>, Duration) {
    let addr = serve(what).await;
    let connector = TokioConnector::new();
    let url = format!("http://{addr}/qod/v0");
    let mut config = Config::new(Url::parse(&url).unwrap());
    config.timeout_ms = TIMEOUT_MS;
    let (mut tx, mut rx) = (vec![0u8; 1024], vec![0u8; 64 * 1024]);
    let mut c = Client::new(&connector, TokioDelay, config, &mut tx, &mut rx);
    let t = Instant::now();
    let e = c.qos_profile("QOS_VC", &mut QosProfile::default()).await.unwrap_err();
    (e, t.elapsed())
}

/// The bound: the timeout, plus generous slack for a loaded machine (the point is "returns", not "how fast").
fn within_bound(d: Duration) -> bool {
    d < Duration::from_millis(u64::from(TIMEOUT_MS)) + Duration::from_secs(3)
}

#[tokio::test]
async fn test_interim_flood_slow_drip_silence_and_endless_headers_time_out() {
    for what in [
        Misbehaviour::InterimFlood,
        Misbehaviour::Drip { ms: 50 },
        Misbehaviour::Silence,
    ] {
        let (e, took) = against(what).await;
        assert!(matches!(e, ClientError::Timeout), "{what:?}: {e:?}");
        assert!(within_bound(took), "{what:?} took {took:?}");
    }
}

#[tokio::test]
async fn test_endless_headers_chunks_and_trailers_stop_at_the_buffer_or_the_timeout() {
    for what in [
        Misbehaviour::EndlessHeaders,
        Misbehaviour::EndlessChunks,
        Misbehaviour::EndlessTrailer,
    ] {
        let (e, took) = against(what).await;
        let bounded = matches!(
            e,
            ClientError::Timeout
                | ClientError::Codec(qod_core::Error::Http(HttpError::TooLarge | HttpError::TooManyHeaders))
        );
        assert!(bounded, "{what:?}: {e:?}");
        assert!(within_bound(took), "{what:?} took {took:?}");
    }
}
