//! The `qod` tool by the conventions of gh, curl and aws (issue 12 item 7) and as a host tool (issue 14 item 5):
//! exit statuses by class, `--json` failures, completions, global options apart, host-sized answers, server text
//! escaped, hints in flags, ignored options refused. Scripted servers on loopback play the odd answers the
//! simulator never gives.
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_qod");

/// `qod args` with none of the caller's `QOD_*` variables.
fn qod(args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    for v in ["QOD_SERVER", "QOD_TOKEN", "QOD_CLIENT_SECRET"] {
        cmd.env_remove(v);
    }
    cmd.args(args).env("RUST_LOG", "warn").output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited, not killed")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The `--json` failure object on stderr.
fn json_error(o: &Output) -> serde_json::Value {
    let text = stderr(o);
    let line = text
        .lines()
        .last()
        .unwrap_or_else(|| panic!("no stderr; stdout {:?}", o.stdout));
    let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(v["error"]["exitCode"], code(o), "{v}");
    v["error"].clone()
}

/// A loopback HTTP server that answers every request (up to 16 connections, one request each, `Connection:
/// close`) with `status` and `body`; its base URL.
fn scripted(status: &str, body: impl Into<Vec<u8>>) -> String {
    let body = body.into();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let status = status.to_owned();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(16) {
            let Ok(mut s) = stream else { return };
            s.set_read_timeout(Some(std::time::Duration::from_secs(5))).ok();
            // Read the head and any Content-Length body before answering.
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
                if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if got.len() >= end + 4 + len {
                        break;
                    }
                }
            }
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&body);
            let _ = s.flush();
        }
    });
    format!("http://{addr}/qod/v0")
}

const ID: &str = "123e4567-e89b-12d3-a456-426614174000";

fn profile(i: usize, description: &str) -> serde_json::Value {
    serde_json::json!({ "name": format!("QOS_P{i}"), "description": description, "status": "ACTIVE" })
}

// ---------------------------------------------------------------------------------------------------------------
// Exit statuses by class, and `--json` failures

#[test]
fn test_exit_status_by_class_with_json_errors() {
    // 2 usage: no server.
    let o = qod(&["--json", "profiles"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(json_error(&o)["class"], "usage");
    // 2 usage: a command-line error, as JSON too.
    let o = qod(&["--json", "sesion"]);
    assert_eq!(code(&o), 2);
    assert!(json_error(&o)["message"].as_str().unwrap().contains("sesion"));
    // 3 auth: 401.
    let url = scripted(
        "401 Unauthorized",
        r#"{"status":401,"code":"UNAUTHENTICATED","message":"Authorization failed"}"#,
    );
    let o = qod(&["--json", "--server", &url, "--token", "t", "session", "get", ID]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let e = json_error(&o);
    assert_eq!((e["class"].as_str(), e["status"].as_u64()), (Some("auth"), Some(401)));
    assert_eq!(e["code"], "UNAUTHENTICATED");
    // 3 auth: the token endpoint refuses the client.
    let url = scripted(
        "401 Unauthorized",
        r#"{"error":"invalid_client","error_description":"unknown client"}"#,
    );
    let o = qod(&[
        "--json",
        "--server",
        &url,
        "--client-id",
        "c",
        "--client-secret",
        "s",
        "profiles",
    ]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert_eq!(json_error(&o)["code"], "invalid_client");
    // 4 api: 404 with an ErrorInfo.
    let url = scripted(
        "404 Not Found",
        r#"{"status":404,"code":"NOT_FOUND","message":"Session Id does not exist"}"#,
    );
    let o = qod(&["--server", &url, "--token", "t", "session", "get", ID]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("404 NOT_FOUND: Session Id does not exist"),
        "{}",
        stderr(&o)
    );
    // 5 server: 500.
    let url = scripted(
        "500 Internal Server Error",
        r#"{"status":500,"code":"INTERNAL","message":"Server error"}"#,
    );
    let o = qod(&["--json", "--server", &url, "--token", "t", "session", "get", ID]);
    assert_eq!(code(&o), 5, "{}", stderr(&o));
    assert_eq!(json_error(&o)["class"], "server");
    // 6 network: nothing listens.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let o = qod(&[
        "--json",
        "--server",
        &format!("http://127.0.0.1:{port}/qod/v0"),
        "--token",
        "t",
        "profiles",
    ]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    assert_eq!(json_error(&o)["class"], "network");
    // 7 response: a 404 that is not an ErrorInfo (a wrong base path, say).
    let url = scripted("404 Not Found", "<html>no such page</html>");
    let o = qod(&["--json", "--server", &url, "--token", "t", "profiles", "QOS_E"]);
    assert_eq!(code(&o), 7, "{}", stderr(&o));
    let e = json_error(&o);
    assert_eq!(e["class"], "response");
    assert!(e["hint"].as_str().unwrap().contains("--server"), "{e}");
    // The exit statuses are documented in --help.
    let help = String::from_utf8(qod(&["--help"]).stdout).unwrap();
    for line in [
        "2  usage",
        "3  authentication",
        "4  the API refused",
        "5  the API failed",
        "6  network",
        "7  the answer",
    ] {
        assert!(help.contains(line), "--help lacks {line:?}:\n{help}");
    }
}

#[test]
fn test_timeout_hint_names_the_flag() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let addr = rt.block_on(qod_devnet::hostile::serve(qod_devnet::hostile::Misbehaviour::Drip {
        ms: 300,
    }));
    let o = qod(&[
        "--server",
        &format!("http://{addr}/qod/v0"),
        "--timeout",
        "1",
        "--token",
        "t",
        "profiles",
    ]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("raise --timeout"), "{err}");
    assert!(!err.contains("Config") && !err.contains("timeout_ms"), "{err}");
}

// ---------------------------------------------------------------------------------------------------------------
// Completions and help

#[test]
fn test_completions_for_bash_zsh_fish() {
    for (shell, marker) in [
        ("bash", "complete -F _qod"),
        ("zsh", "#compdef qod"),
        ("fish", "complete -c qod"),
    ] {
        let o = qod(&["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}: {}", stderr(&o));
        let script = String::from_utf8(o.stdout).unwrap();
        assert!(script.contains(marker), "{shell}: no {marker:?}");
        for word in ["session", "profiles", "--client-secret-file"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let o = qod(&["completions", "tcsh"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn test_global_options_are_listed_apart_from_the_commands() {
    let full = String::from_utf8(qod(&["session", "create", "--help"]).stdout).unwrap();
    // From the option lists on (the usage line names --profile too).
    let help = &full[full.find("\nOptions:").expect("an Options: list")..];
    let at = |s: &str| help.find(s).unwrap_or_else(|| panic!("no {s:?} in:\n{help}"));
    assert!(at("--profile <PROFILE>") < at("Global connection options:"), "{help}");
    assert!(at("Global connection options:") < at("--server <URL>"));
    assert!(at("Global credential options:") < at("--client-id <ID>"));
    assert!(at("Global output options:") < at("--json"));
    // The command's own options are not under a global heading, and vice versa.
    let own = &help[..at("Global")];
    assert!(!own.contains("--server") && !own.contains("--client-id"), "{own}");
}

// ---------------------------------------------------------------------------------------------------------------
// Host-sized answers (issue 14 item 5)

#[test]
fn test_every_profile_and_long_descriptions_are_shown() {
    // 40 profiles (a device decodes 16) with 600-character descriptions (a device holds 128).
    let long = "d".repeat(600);
    let list: Vec<_> = (0..40).map(|i| profile(i, &long)).collect();
    let url = scripted("200 OK", serde_json::to_vec(&list).unwrap());
    let o = qod(&["--server", &url, "--token", "t", "profiles"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let got: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(got.as_array().unwrap().len(), 40);
    assert_eq!(got[39]["description"], long.as_str());
    // An invalid profile is still refused, as on the device: the codec checks every one.
    let mut list = list;
    list[30] = serde_json::json!({ "name": 7 });
    let url = scripted("200 OK", serde_json::to_vec(&list).unwrap());
    let o = qod(&["--server", &url, "--token", "t", "profiles"]);
    assert_eq!(code(&o), 7, "{}", stderr(&o));
    assert!(stderr(&o).contains("not a valid QosProfile list"), "{}", stderr(&o));
}

#[test]
fn test_long_session_messages_and_error_messages_are_shown() {
    let messages: Vec<_> = (0..5)
        .map(|i| serde_json::json!({ "severity": "INFO", "description": format!("{i}:{}", "m".repeat(400)) }))
        .collect();
    let session = serde_json::json!({
        "sessionId": ID, "duration": 600, "qosProfile": "QOS_VC",
        "device": { "phoneNumber": "+436641234567" },
        "applicationServer": { "ipv4Address": "198.51.100.0/24" },
        "startedAt": 1_700_000_000, "expiresAt": 1_700_000_600,
        "qosStatus": "AVAILABLE", "messages": messages,
    });
    let url = scripted("200 OK", serde_json::to_vec(&session).unwrap());
    let o = qod(&["--server", &url, "--token", "t", "session", "get", ID]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let got: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(got["messages"].as_array().unwrap().len(), 5);
    assert_eq!(got["messages"][4], messages[4]);
    // A 2,000-character error message: an API error with its whole message, not "check the URL".
    let long = "x".repeat(2000);
    let url = scripted(
        "409 Conflict",
        format!(r#"{{"status":409,"code":"CONFLICT","message":"{long}"}}"#),
    );
    let o = qod(&["--json", "--server", &url, "--token", "t", "session", "get", ID]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    let e = json_error(&o);
    assert!(e["message"].as_str().unwrap().ends_with(&long));
    assert!(!e["hint"].as_str().unwrap().contains("URL"), "{e}");
}

#[test]
fn test_a_too_large_answer_is_reported_as_such() {
    let url = scripted("200 OK", vec![b' '; 2 * 1024 * 1024]);
    let o = qod(&["--server", &url, "--token", "t", "profiles"]);
    assert_eq!(code(&o), 7, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("larger than the tool accepts (1024 KiB)"), "{err}");
    assert!(!err.contains("base path"), "{err}");
}

// ---------------------------------------------------------------------------------------------------------------
// Server text is escaped

#[test]
fn test_control_characters_from_a_server_are_escaped() {
    let url = scripted(
        "400 Bad Request",
        r#"{"status":400,"code":"INVALID_ARGUMENT","message":"bad\u001b[2J\u001b]0;pwned\u0007\nqod: fake line\u202e"}"#,
    );
    let o = qod(&["--server", &url, "--token", "t", "session", "get", ID]);
    assert_eq!(code(&o), 4);
    let err = stderr(&o);
    assert!(!err.bytes().any(|b| b == 0x1b || b == 0x07), "{err:?}");
    assert!(!err.contains('\u{202e}'), "{err:?}");
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(
        err.contains(r"bad\u{1b}[2J\u{1b}]0;pwned\u{7}\nqod: fake line\u{202e}"),
        "{err:?}"
    );
    // OAuth2 error fields too.
    let url = scripted(
        "400 Bad Request",
        r#"{"error":"invalid_scope","error_description":"no\u001b[31m red"}"#,
    );
    let o = qod(&[
        "--server",
        &url,
        "--client-id",
        "c",
        "--client-secret",
        "s",
        "--scope",
        "x",
        "profiles",
    ]);
    let err = stderr(&o);
    assert_eq!(code(&o), 3, "{err}");
    assert!(!err.bytes().any(|b| b == 0x1b), "{err:?}");
    assert!(err.contains(r"no\u{1b}[31m red"), "{err:?}");
}

// ---------------------------------------------------------------------------------------------------------------
// Options a command would ignore are refused

#[test]
fn test_ignored_options_are_refused() {
    let url = "http://127.0.0.1:9/qod/v0";
    for (args, says) in [
        (
            vec!["--server", url, "completions", "bash"],
            "--server is an option of the gateway commands",
        ),
        (
            vec!["completions", "bash", "--json"],
            "--json: qod completions has no JSON output",
        ),
        (
            vec!["--server", url, "--token", "t", "--client-id", "c", "profiles"],
            "--client-id is for fetching a token",
        ),
        (
            vec!["--server", url, "--token", "t", "--scope", "s", "profiles"],
            "--scope is for fetching a token",
        ),
        (
            vec!["--server", url, "--scope", "s", "profiles"],
            "--scope needs --client-id",
        ),
        (
            vec!["--server", url, "--token-url", "http://127.0.0.1:9/t", "profiles"],
            "--token-url needs --client-id",
        ),
        (
            vec![
                "--server",
                url,
                "--client-id",
                "c",
                "--client-key-file",
                "k.pem",
                "--client-secret",
                "s",
                "profiles",
            ],
            "--client-secret is for a client secret",
        ),
        (
            vec![
                "--server",
                url,
                "--client-id",
                "c",
                "--client-key-file",
                "k.pem",
                "--auth-method",
                "post",
                "profiles",
            ],
            "--auth-method is for a client secret",
        ),
        (
            vec![
                "--server",
                url,
                "--client-id",
                "c",
                "--client-secret",
                "s",
                "--key-id",
                "k",
                "profiles",
            ],
            "--key-id names the key",
        ),
        (
            vec![
                "--server",
                url,
                "--client-id",
                "c",
                "--client-secret",
                "s",
                "--client-secret-file",
                "f",
                "profiles",
            ],
            "use one",
        ),
    ] {
        let o = qod(&args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
    // With --json the refusal is a usage failure object.
    let o = qod(&["--json", "--server", url, "--token", "t", "--key-id", "k", "profiles"]);
    assert_eq!(code(&o), 2);
    assert_eq!(json_error(&o)["class"], "usage");
    // The environment is ambient: QOD_TOKEN does not make --client-id an error (nor the reverse).
    let o = Command::new(BIN)
        .args(["--server", url, "--client-id", "c", "--timeout", "1", "profiles"])
        .env("QOD_TOKEN", "t")
        .env_remove("QOD_CLIENT_SECRET")
        .output()
        .unwrap();
    assert!(stderr(&o).contains("--client-id needs a secret"), "{}", stderr(&o));
}

/// `--api v1` refuses `--notify-listen`: 1.1.0 posts notifications only to an https sink.
#[test]
fn test_keep_on_v1_refuses_a_plain_http_receiver() {
    let out = qod(&[
        "--api",
        "v1",
        "--server",
        "http://127.0.0.1:9",
        "session",
        "keep",
        "--phone-number",
        "+436641234567",
        "--as-ipv4",
        "198.51.100.0/24",
        "--profile",
        "QOS_VC",
        "--notify-listen",
        "127.0.0.1:0",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--notify-listen") && err.contains("https"), "{err}");
}

/// The simulator and the demo refuse the gateway's options (built with the default features).
#[cfg(all(feature = "sim", feature = "demo"))]
#[test]
fn test_sim_and_demo_refuse_gateway_options() {
    for args in [
        vec!["sim", "--server", "http://127.0.0.1:9/qod/v0"],
        vec!["--ca-file", "ca.pem", "sim"],
        vec!["demo", "--client-id", "c"],
        vec!["demo", "--timeout", "5"],
    ] {
        let o = qod(&args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("is an option of the gateway commands"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    let o = qod(&["sim", "--json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}
