//! The client's time bound against servers that misbehave on purpose, over the embassy transport: the device's own
//! embassy-net stack, the in-memory link and the bridge to qod-devnet's hostile server on loopback. The same cases
//! run over tokio in crates/qod-client/tests/hostile.rs.
use embassy_futures::select::{select3, Either3};
use qod_client::{Client, ClientError, Config, Url};
use qod_core::model::QosProfile;
use qod_core::HttpError;
use qod_devnet::hostile::{serve, Misbehaviour};
use qod_devnet::{bridge, BridgeStats, DevNet};
use qod_embassy::EmbassyConnector;
use std::sync::Arc;
use std::time::{Duration, Instant};

const TIMEOUT_MS: u32 = 300;

fn against(what: Misbehaviour) -> (ClientError<qod_embassy::Error>, Duration) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let addr = serve(what).await;
        let mut net = DevNet::new();
        let (device, host) = (net.device, net.host);
        let flow = async move {
            let (mut srx, mut stx) = ([0u8; 2048], [0u8; 2048]);
            let conn = EmbassyConnector::new(device, &mut srx, &mut stx);
            let mut config = Config::new(Url::parse("http://10.42.0.1:9091/qod/v0").unwrap());
            config.timeout_ms = TIMEOUT_MS;
            let (mut tx, mut rx) = (vec![0u8; 1024], vec![0u8; 16 * 1024]);
            let mut c = Client::new(&conn, embassy_time::Delay, config, &mut tx, &mut rx);
            let t = Instant::now();
            let e = c.qos_profile("QOS_VC", &mut QosProfile::default()).await.unwrap_err();
            (e, t.elapsed())
        };
        let all = select3(
            net.run(),
            bridge(host, 9091, addr, Arc::new(BridgeStats::default())),
            flow,
        );
        match tokio::time::timeout(Duration::from_secs(30), all)
            .await
            .expect("no bound at all")
        {
            Either3::Third(r) => r,
            _ => unreachable!(),
        }
    })
}

fn within_bound(d: Duration) -> bool {
    d < Duration::from_millis(u64::from(TIMEOUT_MS)) + Duration::from_secs(3)
}

#[test]
fn test_every_misbehaviour_is_bounded_by_the_timeout_or_the_buffer() {
    for what in [
        Misbehaviour::InterimFlood,
        Misbehaviour::Drip { ms: 50 },
        Misbehaviour::Silence,
        Misbehaviour::EndlessHeaders,
        Misbehaviour::EndlessChunks,
        Misbehaviour::EndlessTrailer,
    ] {
        let (e, took) = against(what);
        let bounded = matches!(
            e,
            ClientError::Timeout
                | ClientError::Codec(qod_core::Error::Http(HttpError::TooLarge | HttpError::TooManyHeaders))
        );
        assert!(bounded, "{what:?}: {e:?}");
        assert!(within_bound(took), "{what:?} took {took:?}");
        if matches!(
            what,
            Misbehaviour::InterimFlood | Misbehaviour::Drip { .. } | Misbehaviour::Silence
        ) {
            assert!(matches!(e, ClientError::Timeout), "{what:?}: {e:?}");
        }
    }
}
