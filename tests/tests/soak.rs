//! 1,000 sequential requests over the embassy link (its own test process, so that the descriptor count is this
//! test's alone).
mod common;
use common::*;
use qod_core::model::QosProfile;
use std::sync::atomic::Ordering;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map(|d| d.count()).unwrap_or(0)
}

#[test]
fn test_1000_sequential_requests_no_leaked_sockets() {
    let mut cfg = sim_config();
    cfg.auth.enabled = false;
    let ((before, after), stats) = with_device(cfg, |stack, _token, stats| async move {
        let no_token = String::new();
        device_client!(stack, no_token, cfg, client);
        client.set_token(None);
        let mut p = QosProfile::default();
        let before = open_fds();
        for i in 0..1000 {
            client
                .qos_profile("QOS_VC", &mut p)
                .await
                .unwrap_or_else(|e| panic!("request {i}: {e}"));
            if i % 2 == 1 {
                // Every other request on a fresh connection: 500 connects and graceful closes.
                client.close().await;
            }
        }
        client.close().await;
        // Let the bridge finish its last connection.
        for _ in 0..100 {
            if stats.finished.load(Ordering::Relaxed) == stats.accepted.load(Ordering::Relaxed) {
                break;
            }
            embassy_time::Timer::after_millis(10).await;
        }
        (before, open_fds())
    });
    let accepted = stats.accepted.load(Ordering::Relaxed);
    assert_eq!(accepted, 500, "one connection per two requests");
    assert_eq!(
        stats.finished.load(Ordering::Relaxed),
        accepted,
        "every bridged connection finished"
    );
    assert!(after <= before, "file descriptors leaked: {before} -> {after}");
}
