//! `qod sim` as a process: the base URL is the first line of stdout, it serves, logs to stderr without secrets, and
//! stops cleanly on SIGTERM.
#![cfg(feature = "sim")]
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn spawn(args: &[&str], stderr: &std::path::Path) -> (Child, String) {
    spawn_cmd(Command::new(env!("CARGO_BIN_EXE_qod")), args, stderr)
}

fn spawn_cmd(mut cmd: Command, args: &[&str], stderr: &std::path::Path) -> (Child, String) {
    let mut child = cmd
        .arg("sim")
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(stderr).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line.trim().to_owned())
}

fn http(base: &str, method: &str, path: &str, extra: &str, body: &str) -> String {
    let rest = base.strip_prefix("http://").unwrap();
    let (addr, prefix) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let req = format!(
        "{method} {prefix}{path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n{extra}\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn stop(mut child: Child) {
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let t = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            return;
        }
        assert!(t.elapsed() < Duration::from_secs(10), "qod sim did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sim_prints_its_url_serves_and_stops_on_sigterm() {
    let log = std::env::temp_dir().join(format!("qod-sim-test-{}.log", std::process::id()));
    let (child, base) = spawn(&["--no-auth", "--base-path", "/qod/v0"], &log);
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/qod/v0"),
        "{base}"
    );
    let res = http(&base, "GET", "/qos-profiles/QOS_E", "", "");
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    assert!(res.contains("\"name\":\"QOS_E\""), "{res}");
    stop(child);
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.contains("request") && log.contains("/qod/v0/qos-profiles/QOS_E"),
        "{log}"
    );
}

fn temp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("qod-sim-test-{}-{name}", std::process::id()))
}

/// Waits until `path` contains `text` (a log line written by a background task).
fn wait_for_log(path: &std::path::Path, text: &str) -> String {
    let t = Instant::now();
    loop {
        let log = std::fs::read_to_string(path).unwrap_or_default();
        if log.contains(text) || t.elapsed() > Duration::from_secs(10) {
            return log;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sim_with_a_client_file_never_logs_secrets() {
    let log = temp("auth.log");
    let clients = temp("clients");
    std::fs::write(&clients, "# test clients\ndemo-client:demo-secret\n").unwrap();
    let (child, base) = spawn(
        &[
            "--requested-delay",
            "0",
            "--notify-attempts",
            "1",
            "--client-file",
            clients.to_str().unwrap(),
        ],
        &log,
    );
    let root = base.trim_end_matches("/qod/v0");
    assert_eq!(
        http(&base, "GET", "/qos-profiles", "", "").lines().next(),
        Some("HTTP/1.1 401 Unauthorized")
    );
    let res = http(
        root,
        "POST",
        "/oauth/token",
        "content-type: application/x-www-form-urlencoded\r\n",
        "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret",
    );
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    let token = res
        .split("\"access_token\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let auth = format!("authorization: Bearer {token}\r\ncontent-type: application/json\r\n");
    // A webhook URL with credentials in its userinfo and query; nothing listens there, so delivery fails and is
    // logged.
    let body = r#"{"device":{"phoneNumber":"+123456789"},"applicationServer":{"ipv4Address":"10.0.0.1"},"qosProfile":"QOS_E","webhook":{"notificationUrl":"http://hookuser:hook-pass-77@127.0.0.1:9/x?sig=query-secret-88","notificationAuthToken":"webhook-token-0123456789"}}"#;
    let res = http(&base, "POST", "/sessions", &auth, body);
    assert!(res.starts_with("HTTP/1.1 201"), "{res}");
    let logged = wait_for_log(&log, "notification failed");
    assert!(
        logged.contains("http://<redacted>@127.0.0.1:9/x?<redacted>"),
        "{logged}"
    );
    stop(child);
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("demo-client"), "the client is announced: {log}");
    for secret in [
        "demo-secret",
        token.as_str(),
        "webhook-token-0123456789",
        "hook-pass-77",
        "query-secret-88",
        "hookuser",
    ] {
        assert!(!log.contains(secret), "{secret} leaked into the log: {log}");
    }
    assert!(log.contains("session created"), "{log}");
}

#[test]
fn sim_with_auth_needs_a_registered_client() {
    let out = Command::new(env!("CARGO_BIN_EXE_qod"))
        .args(["sim", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no URL line");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no client is registered"), "{err}");
    assert!(!err.contains("demo-secret"), "{err}");
}

#[test]
fn sim_refuses_a_bad_base_path_as_a_usage_error() {
    for bad in ["/qod v0", "/qod\nv0", "/{id}", "/a//b", "/q?x=1", "/../x"] {
        let out = Command::new(env!("CARGO_BIN_EXE_qod"))
            .args(["sim", "--no-auth", "--listen", "127.0.0.1:0", "--base-path", bad])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{bad:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{bad:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--base-path") && !err.contains("panicked"), "{err}");
    }
}

/// With a 1024 file-descriptor limit and more than 1,000 idle connections open, a normal request is still answered
/// promptly: the connection cap closes the connection idle the longest to make room.
#[test]
fn sim_answers_promptly_with_more_idle_connections_than_file_descriptors() {
    let log = temp("idle.log");
    let mut cmd = Command::new("sh");
    // `ulimit -n` in the shell lowers RLIMIT_NOFILE for the simulator only.
    cmd.args(["-c", "ulimit -n 1024 && exec \"$0\" \"$@\"", env!("CARGO_BIN_EXE_qod")]);
    let (child, base) = spawn_cmd(cmd, &["--no-auth"], &log);
    let addr = base
        .strip_prefix("http://")
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    // Opened from several threads: a connect that meets a momentarily full accept queue waits for a SYN retransmit
    // (1 s), and the threads overlap those waits.
    let idle: Vec<TcpStream> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..10)
            .map(|w| {
                let addr = &addr;
                scope.spawn(move || {
                    (0..110)
                        .map(|i| TcpStream::connect(addr).unwrap_or_else(|e| panic!("connection {w}/{i}: {e}")))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    assert_eq!(idle.len(), 1100);
    let t = Instant::now();
    let mut s = TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"GET /qod/v0/qos-profiles/QOS_E HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .unwrap();
    let mut res = String::new();
    let read = s.read_to_string(&mut res);
    let took = t.elapsed();
    assert!(read.is_ok(), "no answer within 5 s: {read:?}");
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    assert!(took < Duration::from_secs(2), "answered after {took:?}");
    drop(idle);
    stop(child);
}

fn tls_client(ca_pem: Option<&str>, only_tls13: bool) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .use_rustls_tls();
    if let Some(pem) = ca_pem {
        b = b.add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap());
    }
    if only_tls13 {
        b = b.min_tls_version(reqwest::tls::Version::TLS_1_3);
    }
    b.build().unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// `qod sim --tls --ca-out FILE`: the CA is written before the `https://` URL line; a client trusting it gets a token
/// (private_key_jwt from `--client-key`, and a secret from `--client-file`) and an answer, one that does not fails.
#[test]
fn sim_tls_writes_its_ca_and_serves_https_with_jwt_and_secret_clients() {
    let log = temp("tls.log");
    let ca = temp("ca.pem");
    let clients = temp("tls-clients");
    std::fs::write(&clients, "gw:gw-secret-123\n").unwrap();
    let key = qod_sim::pki::TestKey::generate_es256().unwrap();
    let pubkey = temp("dev.pub.pem");
    std::fs::write(&pubkey, key.public_key_pem()).unwrap();
    let (child, base) = spawn(
        &[
            "--tls",
            "--ca-out",
            ca.to_str().unwrap(),
            "--client-file",
            clients.to_str().unwrap(),
            "--client-key",
            &format!("dev:{}", pubkey.display()),
        ],
        &log,
    );
    assert!(
        base.starts_with("https://127.0.0.1:") && base.ends_with("/qod/v0"),
        "{base}"
    );
    let ca_pem = std::fs::read_to_string(&ca).unwrap();
    assert!(ca_pem.starts_with("-----BEGIN CERTIFICATE-----"), "{ca_pem}");
    let root = base.trim_end_matches("/qod/v0").to_owned();
    let token_url = format!("{root}/oauth/token");
    runtime().block_on(async {
        let c = tls_client(Some(&ca_pem), false);
        let assertion = key
            .client_assertion("dev", &token_url, Duration::from_secs(60))
            .unwrap();
        let res = c
            .post(&token_url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_assertion_type", qod_sim::JWT_BEARER),
                ("client_assertion", assertion.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let v: serde_json::Value = res.json().await.unwrap();
        let token = v["access_token"].as_str().unwrap().to_owned();
        let res = c
            .get(format!("{base}/qos-profiles/QOS_E"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let res = c
            .post(&token_url)
            .basic_auth("gw", Some("gw-secret-123"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        // Without the CA the handshake fails.
        let err = tls_client(None, false)
            .get(format!("{base}/qos-profiles"))
            .send()
            .await
            .unwrap_err();
        assert!(err.is_connect() || err.is_request(), "{err:?}");
    });
    stop(child);
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(!log.contains("gw-secret-123"), "{log}");
}

/// `--tls-versions 1.2` serves TLS 1.2 only: a client that insists on 1.3 fails, one that takes 1.2 succeeds.
#[test]
fn sim_tls_versions_flag_limits_the_protocol() {
    let log = temp("tls12.log");
    let ca = temp("ca12.pem");
    let (child, base) = spawn(
        &[
            "--no-auth",
            "--tls",
            "--tls-versions",
            "1.2",
            "--ca-out",
            ca.to_str().unwrap(),
        ],
        &log,
    );
    let ca_pem = std::fs::read_to_string(&ca).unwrap();
    runtime().block_on(async {
        let url = format!("{base}/qos-profiles/QOS_E");
        assert_eq!(
            tls_client(Some(&ca_pem), false)
                .get(&url)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        assert!(tls_client(Some(&ca_pem), true).get(&url).send().await.is_err());
    });
    stop(child);
}

/// `--admin` serves the admin view; `--time-scale` makes its simulated clock run ahead of the wall clock.
#[test]
fn sim_admin_view_and_time_scale() {
    let log = temp("admin.log");
    let (child, base) = spawn(&["--no-auth", "--admin", "--time-scale", "6000"], &log);
    let root = base.trim_end_matches("/qod/v0");
    let body = r#"{"device":{"phoneNumber":"+4912345"},"applicationServer":{"ipv4Address":"10.0.0.1"},"qosProfile":"QOS_E","duration":3600}"#;
    let res = http(&base, "POST", "/sessions", "content-type: application/json\r\n", body);
    assert!(res.starts_with("HTTP/1.1 201"), "{res}");
    let res = http(root, "GET", "/_sim/sessions", "", "");
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    let v: serde_json::Value = serde_json::from_str(res.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(v["sessions"][0]["owner"], "anonymous", "{v}");
    assert_eq!(
        v["sessions"][0]["expiresAt"].as_i64().unwrap() - v["sessions"][0]["startedAt"].as_i64().unwrap(),
        3600
    );
    // 3,600 simulated seconds pass in 0.6 real ones: the session expires and leaves the view.
    let t = Instant::now();
    loop {
        let res = http(root, "GET", "/_sim/sessions", "", "");
        if res.contains("\"sessions\":[]") {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(10), "{res}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let res = http(root, "GET", "/_sim/sessions", "", "");
    let v: serde_json::Value = serde_json::from_str(res.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert!(v["now"].as_i64().unwrap() > now + 3000, "{v}");
    stop(child);
    // Without --admin there is no admin view.
    let (child, base) = spawn(&["--no-auth"], &log);
    let res = http(base.trim_end_matches("/qod/v0"), "GET", "/_sim/sessions", "", "");
    assert!(res.starts_with("HTTP/1.1 404"), "{res}");
    stop(child);
}

/// `--tls-cert`/`--tls-key` serve a given certificate; `--ca-out` cannot go with them; a malformed `--client` is
/// refused without echoing the value.
#[test]
fn sim_tls_with_a_given_certificate_and_usage_errors() {
    let ca = qod_sim::pki::TestCa::new("given").unwrap();
    let cert = ca
        .issue(&["localhost", "127.0.0.1"], qod_sim::pki::Validity::current())
        .unwrap();
    let (cert_file, key_file) = (temp("given.pem"), temp("given.key"));
    std::fs::write(&cert_file, cert.cert_pem()).unwrap();
    std::fs::write(&key_file, cert.key_pem()).unwrap();
    let log = temp("given.log");
    let (cert_arg, key_arg) = (cert_file.to_str().unwrap(), key_file.to_str().unwrap());
    let (child, base) = spawn(&["--no-auth", "--tls-cert", cert_arg, "--tls-key", key_arg], &log);
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    runtime().block_on(async {
        let url = format!("{base}/qos-profiles/QOS_E");
        assert_eq!(
            tls_client(Some(ca.cert_pem()), false)
                .get(&url)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    });
    stop(child);
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_qod"))
            .args(["sim", "--listen", "127.0.0.1:0"])
            .args(args)
            .output()
            .unwrap()
    };
    // --ca-out with a given certificate: a usage error, and nothing is written.
    let unwritten = temp("unwritten-ca.pem");
    let out = run(&[
        "--no-auth",
        "--tls-cert",
        cert_arg,
        "--tls-key",
        key_arg,
        "--ca-out",
        unwritten.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!unwritten.exists());
    let out = run(&["--no-auth", "--tls-cert", cert_arg]);
    assert_eq!(out.status.code(), Some(2), "--tls-cert needs --tls-key");
    let out = run(&["--client", "only-a-secret-value-42"]);
    assert!(!out.status.success() && out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("expected ID:SECRET") && !err.contains("only-a-secret-value-42"),
        "{err}"
    );
}
