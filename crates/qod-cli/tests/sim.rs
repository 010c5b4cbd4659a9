//! `qod sim` as a process: the base URL is the first line of stdout, it serves, logs to stderr without secrets, and
//! stops cleanly on SIGTERM.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn spawn(args: &[&str], stderr: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qod"))
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

#[test]
fn sim_with_default_client_never_logs_secrets() {
    let log = std::env::temp_dir().join(format!("qod-sim-test-auth-{}.log", std::process::id()));
    let (child, base) = spawn(&["--requested-delay", "0"], &log);
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
    let body = r#"{"device":{"phoneNumber":"+123456789"},"applicationServer":{"ipv4Address":"10.0.0.1"},"qosProfile":"QOS_E","webhook":{"notificationUrl":"http://127.0.0.1:9/x","notificationAuthToken":"webhook-token-0123456789"}}"#;
    let res = http(&base, "POST", "/sessions", &auth, body);
    assert!(res.starts_with("HTTP/1.1 201"), "{res}");
    stop(child);
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("demo-client"), "the default client is announced: {log}");
    for secret in ["demo-secret", token.as_str(), "webhook-token-0123456789"] {
        assert!(!log.contains(secret), "{secret} leaked into the log");
    }
    assert!(log.contains("session created"), "{log}");
}
