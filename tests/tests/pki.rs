//! `qod pki`: the files it writes are what the TLS firmware and `qod sim --tls-cert/--tls-key` need. Checked the way
//! the firmware uses them: the device's embedded-tls connector trusts `ca.der` only, dials an IP address and
//! verifies the name `localhost`, with a clock for the validity dates.
use qod_client::tls::{TlsClock, TlsConnector, TlsError};
use qod_client::tokio::{TokioConnector, TokioDelay};
use qod_client::{Client, ClientError, Config, Url};
use qod_core::model::SessionInfo;
use qod_sim::{AuthConfig, TlsConfig, TlsIdentity};
use qod_tests::qod_bin;
use rand_core::OsRng;
use std::path::{Path, PathBuf};
use std::process::Command;

fn pki(dir: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(qod_bin())
        .args(["pki", "--out", dir.to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qod-pki-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

struct Now;
impl TlsClock for Now {
    fn now() -> Option<u64> {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .map(|d| d.as_secs())
    }
}

/// The simulator serving `DIR/STEM.pem` with `DIR/STEM.key`, and the device's first request to it through the
/// embedded-tls connector that trusts `DIR/ca.der`, dialling 127.0.0.1 under the name `localhost`.
async fn device_request(dir: &Path, stem: &str) -> ClientError<TlsError<std::io::Error>> {
    let identity =
        TlsIdentity::from_pem_files(&dir.join(format!("{stem}.pem")), &dir.join(format!("{stem}.key"))).unwrap();
    let sim = qod_sim::serve(qod_sim::Config {
        tls: Some(TlsConfig::with_identity(identity)),
        auth: AuthConfig {
            enabled: false,
            ..Default::default()
        },
        ..Default::default()
    })
    .await
    .unwrap();
    let ca_der = std::fs::read(dir.join("ca.der")).unwrap();
    let tcp = TokioConnector::new();
    let (mut rec_rx, mut rec_tx) = (vec![0u8; 16_640], vec![0u8; 1024]);
    let tls = TlsConnector::new(&tcp, &ca_der, &mut rec_rx, &mut rec_tx, OsRng)
        .with_clock::<Now>()
        .with_server_name("localhost");
    let url = format!("https://127.0.0.1:{}/qod/v0", sim.local_addr().port());
    let (mut tx, mut rx) = ([0u8; 1024], [0u8; 4096]);
    let mut c = Client::new(
        &tls,
        TokioDelay,
        Config::new(Url::parse(&url).unwrap()),
        &mut tx,
        &mut rx,
    );
    let e = c
        .get_session("123e4567-e89b-12d3-a456-426614174000", &mut SessionInfo::default())
        .await
        .unwrap_err();
    c.close().await;
    sim.shutdown().await;
    e
}

#[tokio::test]
async fn pki_writes_a_ca_for_devices_and_certificates_for_the_simulator() {
    let dir = temp_dir("ok");
    let out = pki(&dir, &["--name", "qod.test"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listing = String::from_utf8_lossy(&out.stdout);
    for f in [
        "ca.pem",
        "ca.der",
        "server.pem",
        "server.key",
        "expired.pem",
        "wrong-name.key",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
        assert!(listing.contains(f), "{listing}");
    }
    let ca_der = std::fs::read(dir.join("ca.der")).unwrap();
    assert_eq!(ca_der.first(), Some(&0x30), "DER SEQUENCE");
    assert!(std::fs::read_to_string(dir.join("server.key"))
        .unwrap()
        .starts_with("-----BEGIN PRIVATE KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.join("server.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "keys are private: {mode:o}");
    }

    // The valid certificate passes the device's checks: the simulator's own answer (404, no such session) comes back.
    let e = device_request(&dir, "server").await;
    assert!(matches!(&e, ClientError::Api(a) if a.status == 404), "{e:?}");
    // The expired one and the one for another name are refused as certificate problems.
    for stem in ["expired", "wrong-name"] {
        let e = device_request(&dir, stem).await;
        assert!(
            matches!(e, ClientError::Transport(TlsError::Certificate)),
            "{stem}: {e:?}"
        );
    }

    // An existing PKI is kept unless --force.
    let before = std::fs::read(dir.join("ca.der")).unwrap();
    let again = pki(&dir, &[]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(std::fs::read(dir.join("ca.der")).unwrap(), before);
    let forced = pki(&dir, &["--force"]);
    assert!(forced.status.success());
    assert_ne!(std::fs::read(dir.join("ca.der")).unwrap(), before, "a new CA");
    // The old CA does not trust the new server certificate (what the firmware's untrusted-CA case relies on).
    std::fs::write(dir.join("ca.der"), &before).unwrap();
    let e = device_request(&dir, "server").await;
    assert!(matches!(e, ClientError::Transport(TlsError::Certificate)), "{e:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
