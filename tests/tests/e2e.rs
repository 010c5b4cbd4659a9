//! End to end: qod-client + qod-embassy on the simulated device's own embassy-net stack, through the in-memory link
//! and the host bridge, against the real simulator (qod-sim) on loopback.
mod common;
use common::*;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[test]
fn test_every_operation_over_the_embassy_link() {
    let (log, stats) = with_device(sim_config(), |stack, token, _| async move {
        device_client!(stack, token, cfg, client);
        let mut log = Vec::new();
        let mut list = QosProfileList::new();
        client.qos_profiles(Some("QOS_VC"), None, &mut list).await.unwrap();
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(list[0].name, "QOS_VC");
        let mut p = QosProfile::default();
        client.qos_profile("QOS_VC", &mut p).await.unwrap();
        assert_eq!(p.name, "QOS_VC");

        let mut s = SessionInfo::default();
        client
            .create_session(&create_body("+436641234567", "QOS_VC"), &mut s)
            .await
            .unwrap();
        assert_eq!(s.qos_status, QosStatus::Requested);
        assert_eq!(s.duration, 600);
        let id = s.session_id.clone();
        client
            .wait_until_available(&id, &mut s, PollPolicy::new(100, 5_000))
            .await
            .unwrap();
        assert_eq!(s.qos_status, QosStatus::Available);
        client.get_session(&id, &mut s).await.unwrap();
        assert_eq!(s.session_id, id);
        client.extend_session(&id, 60, &mut s).await.unwrap();
        assert_eq!(s.duration, 660);
        client.delete_session(&id).await.unwrap();
        let e = client.get_session(&id, &mut s).await.unwrap_err();
        assert_eq!(
            (e.status(), e.api_code()),
            (Some(404), Some(ErrorCode::NotFound)),
            "{e}"
        );
        log.push(client.connection().unwrap().socket().state());
        client.close().await;
        log.push(client.connector().socket().unwrap().state());
        log
    });
    assert!(
        matches!(log[0], embassy_net::tcp::State::Established),
        "kept alive across requests: {log:?}"
    );
    assert!(
        matches!(
            log[1],
            embassy_net::tcp::State::FinWait2 | embassy_net::tcp::State::TimeWait | embassy_net::tcp::State::Closed
        ),
        "graceful close: FIN sent and acknowledged: {log:?}"
    );
    assert_eq!(
        stats.accepted.load(Ordering::Relaxed),
        1,
        "all requests on one kept-alive connection"
    );
}

#[test]
fn test_api_error_paths_400_401_404_409() {
    with_device(sim_config(), |stack, token, _| async move {
        device_client!(stack, token, cfg, client);
        let mut s = SessionInfo::default();
        // 400: a well-formed request naming a profile the server does not know.
        let e = client
            .create_session(&create_body("+436641234567", "QOS_NOPE"), &mut s)
            .await
            .unwrap_err();
        assert_eq!(
            (e.status(), e.api_code()),
            (Some(400), Some(ErrorCode::InvalidArgument)),
            "{e}"
        );
        // 409: a second session for the same device.
        client
            .create_session(&create_body("+436641234567", "QOS_VC"), &mut s)
            .await
            .unwrap();
        let e = client
            .create_session(&create_body("+436641234567", "QOS_VC"), &mut s)
            .await
            .unwrap_err();
        assert_eq!(
            (e.status(), e.api_code()),
            (Some(409), Some(ErrorCode::Conflict)),
            "{e}"
        );
        // 404: an unknown id.
        let e = client
            .delete_session("123e4567-e89b-12d3-a456-426614174000")
            .await
            .unwrap_err();
        assert_eq!(e.status(), Some(404));
        // 401: a wrong token.
        client.set_token(Some("not-a-valid-token-0123456789"));
        let e = client.get_session(&s.session_id.clone(), &mut s).await.unwrap_err();
        assert_eq!(
            (e.status(), e.api_code()),
            (Some(401), Some(ErrorCode::Unauthenticated)),
            "{e}"
        );
        assert!(e.to_string().contains("token"), "{e}");
    });
}

#[test]
fn test_chunked_responses_from_the_simulator() {
    let mut cfg = sim_config();
    cfg.requested_delay = Duration::ZERO;
    cfg.faults.rules = vec!["chunked=7".parse().unwrap()];
    with_device(cfg, |stack, token, _| async move {
        device_client!(stack, token, cfg, client);
        let mut s = SessionInfo::default();
        client
            .create_session(&create_body("+436641234567", "QOS_VC"), &mut s)
            .await
            .unwrap();
        let id = s.session_id.clone();
        client.get_session(&id, &mut s).await.unwrap();
        assert_eq!(s.qos_status, QosStatus::Available);
        client.extend_session(&id, 30, &mut s).await.unwrap();
        assert_eq!(s.duration, 630);
        client.delete_session(&id).await.unwrap();
        assert!(client.is_connected(), "chunked responses keep the connection alive");
    });
}

#[test]
fn test_simulator_faults_503_reset_latency() {
    let mut cfg = sim_config();
    cfg.requested_delay = Duration::ZERO;
    // Requests 2, 6: 503 Retry-After 1; 4, 8: reset in the middle of the body; 5: 1.5 s late.
    cfg.faults.rules = vec![
        "reset,every=4".parse().unwrap(),
        "503=1,every=2".parse().unwrap(),
        "latency=1500,every=5".parse().unwrap(),
    ];
    with_device(cfg, |stack, token, _| async move {
        device_client!(stack, token, cfg, client);
        let mut s = SessionInfo::default();
        // #1
        client
            .create_session(&create_body("+436641234567", "QOS_VC"), &mut s)
            .await
            .unwrap();
        let id = s.session_id.clone();
        // #2 503 Retry-After 1 without a retry policy: a typed error carrying Retry-After.
        match client.get_session(&id, &mut s).await.unwrap_err() {
            ClientError::Api(a) => assert_eq!((a.status, a.retry_after), (503, Some(1))),
            e => panic!("{e:?}"),
        }
        // #3
        client.get_session(&id, &mut s).await.unwrap();
        // #4 reset in the middle of the body of a POST: reported, never re-sent (it may have taken effect).
        let e = client.extend_session(&id, 10, &mut s).await.unwrap_err();
        assert!(
            matches!(e, ClientError::Transport(_) | ClientError::ConnectionClosed),
            "{e:?}"
        );
        assert!(!client.is_connected());
        // #5 1.5 s late, with a 500 ms timeout.
        client.config_mut().timeout_ms = 500;
        assert_eq!(client.get_session(&id, &mut s).await.unwrap_err(), ClientError::Timeout);
        assert!(!client.is_connected(), "a timed-out connection is not reused");
        // #6 503 again, retried after Retry-After with a policy; #7 answers.
        client.config_mut().timeout_ms = 5_000;
        client.config_mut().retry = RetryPolicy::new(2, 2_000, 100);
        client.get_session(&id, &mut s).await.unwrap();
        assert_eq!(s.session_id, id);
        // #8 reset on a GET: the kernel drops the partial response with the RST, so the device sees a reset before
        // any byte, like a stale kept-alive connection, and the idempotent GET is re-sent once (#9) and succeeds.
        client.get_session(&id, &mut s).await.unwrap();
        assert_eq!(
            s.duration, 610,
            "the reset extend (#4) had been applied by the server before the reset"
        );
    });
}

#[test]
fn test_host_name_resolved_through_the_device_stack_dns() {
    use embassy_futures::select::{select, Either};
    let mut cfg = sim_config();
    cfg.requested_delay = Duration::ZERO;
    with_stacks(cfg, |stack, host, token, _| async move {
        // The host side answers DNS for one name (the device's DNS server is the host side).
        let dns = qod_devnet::dns_responder(host, "qod-sim.test", embassy_net::Ipv4Address::new(10, 42, 0, 1));
        let flow = async {
            let url = Url::parse("http://qod-sim.test:9091/qod/v0").unwrap();
            assert_eq!(Config::new(url).endpoint(None).host, "qod-sim.test:9091");
            let (mut srx, mut stx) = ([0u8; 2048], [0u8; 2048]);
            let (mut tx, mut rx) = ([0u8; 1024], [0u8; 2048]);
            let conn = EmbassyConnector::new(stack, &mut srx, &mut stx);
            let mut client =
                Client::new(&conn, embassy_time::Delay, Config::new(url), &mut tx, &mut rx).with_token(&token);
            let mut s = SessionInfo::default();
            client
                .create_session(&create_body("+436641234567", "QOS_VC"), &mut s)
                .await
                .unwrap();
            client.delete_session(&s.session_id.clone()).await.unwrap();
            client.close().await;
            drop(client);

            let url = Url::parse("http://no-such-host.test:9091/qod/v0").unwrap();
            let (mut srx, mut stx) = ([0u8; 2048], [0u8; 2048]);
            let conn = EmbassyConnector::new(stack, &mut srx, &mut stx);
            let mut client = Client::new(&conn, embassy_time::Delay, Config::new(url), &mut tx, &mut rx);
            let e = client.delete_session(&s.session_id.clone()).await.unwrap_err();
            assert!(matches!(e, ClientError::Transport(qod_embassy::Error::Dns(_))), "{e:?}");
            assert!(e.to_string().contains("DNS"), "{e}");
        };
        match select(dns, flow).await {
            Either::Second(()) => {}
            Either::First(()) => unreachable!(),
        }
    });
}
