//! The built `qod` binary (default features: `sim`, `demo`; see `qod_tests::qod_bin`): `qod demo --json`, and the
//! gateway commands against a loopback simulator.
use qod_tests::qod_bin;
use std::process::{Command, Output};

struct Sim {
    base_url: String,
    _sim: qod_sim::RunningSim,
    _rt: tokio::runtime::Runtime,
}

impl Sim {
    /// `--server` and the client credentials of the one client the simulator knows.
    fn login(&self) -> [&str; 6] {
        [
            "--server",
            &self.base_url,
            "--client-id",
            "demo-client",
            "--client-secret",
            "demo-secret",
        ]
    }
}

fn sim() -> Sim {
    sim_with(qod_sim::Config::default())
}

/// A simulator with `config` and the one client the tests use.
fn sim_with(config: qod_sim::Config) -> Sim {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let config = qod_sim::Config {
        auth: qod_sim::AuthConfig::with_client("demo-client", "demo-secret"),
        ..config
    };
    let sim = rt.block_on(qod_sim::serve(config)).unwrap();
    Sim {
        base_url: sim.base_url().to_owned(),
        _sim: sim,
        _rt: rt,
    }
}

fn qod(args: &[&str]) -> Output {
    qod_env(args, &[])
}

/// `qod` with `env` set and none of the caller's `QOD_*` variables.
fn qod_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(qod_bin());
    for v in ["QOD_SERVER", "QOD_TOKEN", "QOD_CLIENT_SECRET", "QOD_SINK_TOKEN"] {
        cmd.env_remove(v);
    }
    cmd.args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn stdout_json(o: &Output) -> serde_json::Value {
    assert!(
        o.status.success(),
        "exit {:?}, stderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// The step names of a `qod demo --json` result, in order.
fn step_names(v: &serde_json::Value) -> Vec<&str> {
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect()
}

/// The step named `name` of a `qod demo --json` result.
fn step<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    let steps = v["steps"].as_array().unwrap();
    steps
        .iter()
        .find(|s| s["step"] == name)
        .unwrap_or_else(|| panic!("no step {name:?}: {v:#}"))
}

fn failed_with(o: &Output, text: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success(),
        "expected failure, got success: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(err.contains(text), "stderr lacks {text:?}: {err}");
}

/// `qod demo --tls`: the device speaks TLS 1.3 (embedded-tls) to the HTTPS simulator, token and every API call on
/// one connection.
#[test]
fn test_demo_over_tls_runs_every_step_on_one_connection() {
    let v = stdout_json(&qod(&["demo", "--tls", "--json", "--requested-delay", "200"]));
    assert_eq!(v["ok"], true, "{v:#}");
    let steps = v["steps"].as_array().unwrap();
    assert!(steps[0]["detail"].as_str().unwrap().starts_with("https://"), "{v:#}");
    let token = step(&v, "device gets its OAuth2 token");
    assert!(
        token["detail"]
            .as_str()
            .unwrap()
            .contains("https://10.42.0.1:9091/oauth/token"),
        "{token}"
    );
    let conns = step(&v, "connections");
    assert!(
        conns["detail"].as_str().unwrap().starts_with("1 TLS connection"),
        "{conns}"
    );
}

#[test]
fn test_demo_json_runs_every_step() {
    let o = qod(&["demo", "--json", "--requested-delay", "200"]);
    let v = stdout_json(&o);
    assert_eq!(v["ok"], true, "{v:#}");
    let steps = step_names(&v);
    assert_eq!(steps.len(), 10, "{steps:?}");
    assert!(v["steps"].as_array().unwrap().iter().all(|s| s["ok"] == true));
    let wait = step(&v, "wait until AVAILABLE");
    assert_eq!(wait["session"]["qosStatus"], "AVAILABLE");
    let extend = step(&v, "extend session by 300 s");
    assert_eq!(extend["session"]["duration"], 900);
    assert_eq!(extend["session"]["device"]["ipv4Address"]["publicAddress"], "10.42.0.2");
    assert!(steps[steps.len() - 2].contains("404"), "{steps:?}");
    assert_eq!(steps.last(), Some(&"connections"), "{steps:?}");
}

#[test]
fn test_session_lifecycle_with_client_credentials() {
    let s = sim();
    let a = s.login();
    let run = |extra: &[&str]| qod(&[&a[..], extra].concat());
    let created = stdout_json(&run(&[
        "session",
        "create",
        "--phone-number",
        "+436641234567",
        "--nai",
        "dev@example.com",
        "--device-ipv4",
        "84.125.93.10:59765",
        "--device-ipv6",
        "2001:db8:85a3::8a2e:370:7334",
        "--as-ipv4",
        "198.51.100.0/24",
        "--as-ipv6",
        "2001:db8::/64",
        "--profile",
        "QOS_VC",
        "--duration",
        "600",
        "--device-ports",
        "5060,5061",
        "--device-port-ranges",
        "7000-7010",
        "--as-ports",
        "443",
        "--as-port-ranges",
        "8000-8010,9000-9010",
        "--webhook-url",
        "https://app.example/cb",
        "--webhook-token",
        "c8974e592c2fa383d4a3960714",
    ]));
    assert_eq!(created["qosProfile"], "QOS_VC");
    assert_eq!(created["duration"], 600);
    assert_eq!(created["device"]["ipv4Address"]["publicPort"], 59765);
    assert_eq!(created["device"]["networkAccessIdentifier"], "dev@example.com");
    assert_eq!(created["devicePorts"]["ports"], serde_json::json!([5060, 5061]));
    assert_eq!(created["applicationServerPorts"]["ranges"][1]["from"], 9000);
    assert_eq!(created["webhook"]["notificationUrl"], "https://app.example/cb");
    // The webhook credential is never printed.
    assert_eq!(created["webhook"]["notificationAuthToken"], "<redacted>");
    let id = created["sessionId"].as_str().unwrap().to_owned();

    let got = run(&["session", "get", &id]);
    assert!(!String::from_utf8_lossy(&got.stdout).contains("c8974e592c2fa383d4a3960714"));
    let got = stdout_json(&got);
    assert_eq!(got["sessionId"], id.as_str());
    let extended = stdout_json(&run(&["session", "extend", &id, "--by", "60"]));
    assert_eq!(extended["duration"], 660);
    // 409: the same device again.
    failed_with(
        &run(&[
            "session",
            "create",
            "--phone-number",
            "+436641234567",
            "--as-ipv4",
            "198.51.100.0/24",
            "--profile",
            "QOS_VC",
        ]),
        "409 CONFLICT",
    );
    let deleted = stdout_json(&run(&["session", "delete", &id]));
    assert_eq!(deleted["deleted"], id.as_str());
    failed_with(&run(&["session", "get", &id]), "404 NOT_FOUND");
}

#[test]
fn test_errors_are_reported_and_exit_non_zero() {
    let s = sim();
    failed_with(
        &qod(&[
            "--server",
            &s.base_url,
            "--token",
            "wrong-token",
            "session",
            "get",
            "123e4567-e89b-12d3-a456-426614174000",
        ]),
        "401 UNAUTHENTICATED",
    );
    failed_with(
        &qod(&[
            "--server",
            &s.base_url,
            "--client-id",
            "demo-client",
            "--client-secret",
            "nope",
            "profiles",
        ]),
        "refused the client credentials",
    );
    let a = s.login();
    failed_with(
        &qod(&[
            &a[..],
            &[
                "session",
                "create",
                "--phone-number",
                "+436641234567",
                "--as-ipv4",
                "198.51.100.0/24",
                "--profile",
                "QOS_NOPE",
            ],
        ]
        .concat()),
        "400 INVALID_ARGUMENT",
    );
    // Refused locally, before anything is sent.
    failed_with(
        &qod(&[
            &a[..],
            &[
                "session",
                "create",
                "--phone-number",
                "12",
                "--as-ipv4",
                "198.51.100.0/24",
                "--profile",
                "QOS_VC",
            ],
        ]
        .concat()),
        "nothing was sent: `device.phoneNumber`",
    );
    failed_with(
        &qod(&["--server", "http://qod.example/qod/v0", "profiles"]),
        "refusing plain http:// to a server that is not on this machine",
    );
    failed_with(
        &qod(&["--server", &s.base_url, "--client-id", "demo-client", "profiles"]),
        "--client-id needs a secret",
    );
    failed_with(&qod(&["profiles"]), "--server URL is required");
}

#[test]
fn test_profiles() {
    let s = sim();
    let a = s.login();
    let all = stdout_json(&qod(&[&a[..], &["profiles"]].concat()));
    let names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"QOS_VC") && names.contains(&"QOS_TEST_INACTIVE"),
        "{names:?}"
    );
    assert_eq!(names.len(), qod_sim::profiles::default_catalogue().len());
    let one = stdout_json(&qod(&[&a[..], &["profiles", "QOS_E"]].concat()));
    assert_eq!(one["name"], "QOS_E");
    failed_with(&qod(&[&a[..], &["profiles", "QOS_NONE"]].concat()), "404");
}

/// `qod sim` as a child process with `args`; its base URL (first stdout line) and the child.
fn spawn_sim(args: &[&str]) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = Command::new(qod_bin())
        .args(["sim", "--listen", "127.0.0.1:0"])
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line.trim().to_owned())
}

fn create_args() -> Vec<&'static str> {
    vec![
        "session",
        "create",
        "--phone-number",
        "+436641234567",
        "--as-ipv4",
        "198.51.100.0/24",
        "--profile",
        "QOS_VC",
    ]
}

/// The acceptance: `qod sim --tls --ca-out ca.pem --client gw:SECRET`, then the gateway over HTTPS with the
/// secret from the environment; without `--ca-file` the error names the certificate problem.
#[test]
fn test_https_with_client_secret_from_the_environment() {
    let dir = std::env::temp_dir().join(format!("qod-gw-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    let secret = "gw-secret-0123456789";
    let (mut child, base) = spawn_sim(&[
        "--tls",
        "--ca-out",
        ca.to_str().unwrap(),
        "--client",
        &format!("gw:{secret}"),
    ]);
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let a = [
        "--server",
        &base,
        "--ca-file",
        ca.to_str().unwrap(),
        "--client-id",
        "gw",
    ];
    let env = [("QOD_CLIENT_SECRET", secret)];
    let created = stdout_json(&qod_env(&[&a[..], &create_args()].concat(), &env));
    let id = created["sessionId"].as_str().unwrap().to_owned();
    // client_secret_post and a secret file work as well.
    let secret_file = dir.join("secret");
    std::fs::write(&secret_file, format!("{secret}\n")).unwrap();
    let got = stdout_json(&qod(&[
        &a[..],
        &[
            "--client-secret-file",
            secret_file.to_str().unwrap(),
            "--auth-method",
            "post",
            "session",
            "get",
            &id,
        ],
    ]
    .concat()));
    assert_eq!(got["sessionId"], id.as_str());
    let deleted = stdout_json(&qod_env(&[&a[..], &["session", "delete", &id]].concat(), &env));
    assert_eq!(deleted["deleted"], id.as_str());
    // QOD_SERVER and QOD_TOKEN instead of flags are read too: a wrong token is refused by the API.
    failed_with(
        &qod_env(
            &["--ca-file", ca.to_str().unwrap(), "profiles"],
            &[("QOD_SERVER", base.as_str()), ("QOD_TOKEN", "not-a-token")],
        ),
        "401 UNAUTHENTICATED",
    );
    // Without the CA: the certificate problem is named, and nothing is sent.
    let o = qod_env(&["--server", &base, "--client-id", "gw", "profiles"], &env);
    failed_with(&o, "UnknownIssuer");
    failed_with(&o, "--ca-file");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// `private_key_jwt` through the gateway tool: the sim knows the client's public key (`--client-key`), the tool
/// signs an ES256 assertion with the private key (`--client-key-file`).
#[test]
fn test_https_with_private_key_jwt() {
    let dir = std::env::temp_dir().join(format!("qod-gw-jwt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = qod_sim::pki::TestKey::generate_es256().unwrap();
    let (public, private, ca) = (dir.join("pub.pem"), dir.join("key.pem"), dir.join("ca.pem"));
    std::fs::write(&public, key.public_key_pem()).unwrap();
    std::fs::write(&private, key.private_key_pem()).unwrap();
    let (mut child, base) = spawn_sim(&[
        "--tls",
        "--ca-out",
        ca.to_str().unwrap(),
        "--client-key",
        &format!("device-7:{}", public.display()),
    ]);
    let a = [
        "--server",
        &base,
        "--ca-file",
        ca.to_str().unwrap(),
        "--client-id",
        "device-7",
        "--client-key-file",
        private.to_str().unwrap(),
    ];
    let created = stdout_json(&qod(&[&a[..], &create_args()].concat()));
    let id = created["sessionId"].as_str().unwrap().to_owned();
    assert_eq!(
        stdout_json(&qod(&[&a[..], &["session", "delete", &id]].concat()))["deleted"],
        id.as_str()
    );
    // Another key is refused by the token endpoint: a typed OAuth2 error.
    let other = qod_sim::pki::TestKey::generate_es256().unwrap();
    std::fs::write(&private, other.private_key_pem()).unwrap();
    failed_with(&qod(&[&a[..], &["profiles"]].concat()), "invalid_client");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--timeout` bounds the whole command against a server that drips its answer, and `--timeout 0` is refused.
#[test]
fn test_timeout_bounds_the_command_against_a_dripping_server() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let addr = rt.block_on(qod_devnet::hostile::serve(qod_devnet::hostile::Misbehaviour::Drip {
        ms: 200,
    }));
    let url = format!("http://{addr}/qod/v0");
    let t = std::time::Instant::now();
    let o = qod(&["--server", &url, "--timeout", "1", "profiles"]);
    failed_with(&o, "--timeout 1 s");
    assert_eq!(o.status.code(), Some(6), "a timeout is of the network class");
    assert!(
        t.elapsed() < std::time::Duration::from_secs(8),
        "took {:?}",
        t.elapsed()
    );
    failed_with(
        &qod(&["--server", &url, "--timeout", "0", "profiles"]),
        "0 is not in 1..",
    );
}

/// Credentials kept off the command line: `QOD_CLIENT_SECRET` completes `--client-id`, `QOD_TOKEN` stands in for
/// `--token`; the command line wins.
#[test]
fn test_credentials_from_the_environment() {
    let s = sim();
    let get = ["--server", &s.base_url, "profiles", "QOS_E"];
    let with_id = [&get[..2], &["--client-id", "demo-client"], &get[2..]].concat();
    let secret = [("QOD_CLIENT_SECRET", "demo-secret")];
    assert_eq!(stdout_json(&qod_env(&with_id, &secret))["name"], "QOS_E");
    failed_with(
        &qod(&with_id),
        "--client-id needs a secret (QOD_CLIENT_SECRET or --client-secret-file)",
    );
    failed_with(
        &qod_env(&with_id, &[("QOD_CLIENT_SECRET", "nope")]),
        "refused the client credentials",
    );
    let wrong = [&with_id[..4], &["--client-secret", "nope"], &with_id[4..]].concat();
    failed_with(&qod_env(&wrong, &secret), "refused the client credentials");
    failed_with(&qod(&get), "missing bearer token");
    failed_with(
        &qod_env(&get, &[("QOD_TOKEN", "not-a-token")]),
        "401 UNAUTHENTICATED: Authorization failed: invalid access token",
    );
    // With client credentials on the command line, QOD_TOKEN is not used.
    let both = [("QOD_TOKEN", "not-a-token"), ("QOD_CLIENT_SECRET", "demo-secret")];
    assert_eq!(stdout_json(&qod_env(&with_id, &both))["name"], "QOS_E");
    // QOD_SINK_TOKEN is the webhook's (sink's) token when --webhook-url/--sink comes without one.
    let create = |phone: &str, env: &[(&str, &str)]| {
        let args = [
            &with_id[..4],
            &[
                "session",
                "create",
                "--phone-number",
                phone,
                "--as-ipv4",
                "198.51.100.1",
                "--profile",
                "QOS_E",
                "--webhook-url",
                "https://app.example/cb",
            ],
        ]
        .concat();
        stdout_json(&qod_env(&args, &[&secret[..], env].concat()))
    };
    let with_token = create(
        "+436641230001",
        &[("QOD_SINK_TOKEN", "sink-token-from-the-environment")],
    );
    assert_eq!(with_token["webhook"]["notificationAuthToken"], "<redacted>");
    let without = create("+436641230002", &[]);
    assert_eq!(
        without["webhook"],
        serde_json::json!({"notificationUrl": "https://app.example/cb"})
    );
}

/// `--api v1`: the same commands on quality-on-demand 1.1.0 against the same simulator (and the same `--server`,
/// taken as the API root), and `session list` finds a session by its device.
#[test]
fn test_v1_session_lifecycle_and_list() {
    let s = sim();
    let a = [&["--api", "v1"][..], &s.login()].concat();
    let run = |extra: &[&str]| qod(&[&a[..], extra].concat());
    let create = [
        "session",
        "create",
        "--phone-number",
        "+436641234567",
        "--as-ipv4",
        "198.51.100.0/24",
        "--profile",
        "QOS_VC",
    ];
    failed_with(&run(&create), "--duration is required with --api v1");
    let created = stdout_json(&run(&[
        &create[..],
        &[
            "--duration",
            "600",
            "--webhook-url",
            "https://app.example/cb",
            "--webhook-token",
            "c8974e592c2fa383d4a3960714",
        ],
    ]
    .concat()));
    assert_eq!(
        (created["qosStatus"].as_str(), created["duration"].as_u64()),
        (Some("AVAILABLE"), Some(600))
    );
    assert_eq!(created["device"], serde_json::json!({"phoneNumber": "+436641234567"}));
    assert_eq!(created["sink"], "https://app.example/cb");
    assert!(created["startedAt"].as_str().unwrap().ends_with('Z'), "{created}");
    let id = created["sessionId"].as_str().unwrap().to_owned();
    let listed = stdout_json(&run(&["session", "list", "--phone-number", "+436641234567"]));
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["sessionId"], id.as_str());
    let none = stdout_json(&run(&["session", "list", "--phone-number", "+436640000000"]));
    assert_eq!(none, serde_json::json!([]));
    // A two-legged token must name the device.
    failed_with(&run(&["session", "list"]), "422 MISSING_IDENTIFIER");
    let extended = stdout_json(&run(&["session", "extend", &id, "--by", "60"]));
    assert_eq!(extended["duration"], 660);
    // A v1 session is not seen through v0 (and the device is held across versions).
    let v0 = s.login();
    failed_with(&qod(&[&v0[..], &["session", "get", &id]].concat()), "404");
    failed_with(&qod(&[&v0[..], &["session", "list"]].concat()), "add --api v1");
    assert_eq!(stdout_json(&run(&["session", "delete", &id]))["deleted"], id.as_str());
    failed_with(&run(&["session", "get", &id]), "404 NOT_FOUND");
    // Profiles: one, and all of them (retrieve-qos-profiles).
    let one = stdout_json(&run(&["profiles", "QOS_E"]));
    assert_eq!(one["serviceClass"], "real_time_interactive");
    let all = stdout_json(&run(&["profiles"]));
    assert_eq!(all.as_array().unwrap().len(), 11);
    assert!(all[0]["countryAvailability"].is_array());
    failed_with(&qod(&["--api", "v1", "sim"]), "qod sim serves both versions");
}

/// `--api v1` create with a `sink` and its credential (`--sink`/`--sink-token`), errors with their 1.1.0 codes and
/// hints, and the `x-correlator` of `--correlator` named in them.
#[test]
fn test_v1_sink_errors_and_correlator() {
    let s = sim_with(qod_sim::Config {
        requested_delay: std::time::Duration::from_secs(3600),
        ..Default::default()
    });
    let a = [&["--api", "v1"][..], &s.login(), &["--correlator", "gw-test-7"]].concat();
    let run = |extra: &[&str]| qod(&[&a[..], extra].concat());
    let create = [
        "session",
        "create",
        "--phone-number",
        "+436641234577",
        "--as-ipv6",
        "2001:db8::/64",
        "--profile",
        "QOS_L",
        "--duration",
        "120",
        "--device-ports",
        "5060,5070",
        "--as-port-ranges",
        "8000-8010",
    ];
    failed_with(
        &run(&[&create[..], &["--sink", "http://app.example/cb"]].concat()),
        "--sink http://app.example/cb: quality-on-demand 1.1.0 sends notifications only to an https:// URL",
    );
    let created = stdout_json(&run(&[
        &create[..],
        &["--sink", "https://app.example/cb", "--sink-token", "sink-secret-1"],
    ]
    .concat()));
    assert_eq!(created["qosStatus"], "REQUESTED");
    assert_eq!(created["device"], serde_json::json!({"phoneNumber": "+436641234577"}));
    assert_eq!(created["applicationServer"]["ipv6Address"], "2001:db8::/64");
    assert_eq!(created["devicePorts"], serde_json::json!({"ports": [5060, 5070]}));
    assert_eq!(
        created["applicationServerPorts"],
        serde_json::json!({"ranges": [{"from": 8000, "to": 8010}]})
    );
    assert_eq!(created["sink"], "https://app.example/cb");
    assert!(created.get("startedAt").is_none(), "{created}");
    assert!(!created.to_string().contains("sink-secret-1"), "{created}");
    let id = created["sessionId"].as_str().unwrap();
    // Only an AVAILABLE session can be extended: the 1.1.0 code, its own hint, and the correlator.
    failed_with(
        &run(&["session", "extend", id, "--by", "60"]),
        "409 QUALITY_ON_DEMAND.SESSION_EXTENSION_NOT_ALLOWED",
    );
    failed_with(
        &run(&["session", "extend", id, "--by", "60"]),
        "only an AVAILABLE session can be extended: read its qosStatus, or create a new session (x-correlator gw-test-7)",
    );
    failed_with(
        &run(&[
            "session",
            "create",
            "--phone-number",
            "+436641234567",
            "--as-ipv4",
            "198.51.100.1",
            "--profile",
            "QOS_L",
            "--duration",
            "999999",
        ]),
        "400 QUALITY_ON_DEMAND.DURATION_OUT_OF_RANGE",
    );
    let other = |flags: &[&str]| {
        let base = ["session", "create", "--as-ipv4", "198.51.100.1", "--duration", "60"];
        run(&[&base[..], flags].concat())
    };
    failed_with(
        &other(&["--nai", "device-7@example.com", "--profile", "QOS_L"]),
        "422 UNSUPPORTED_IDENTIFIER: The identifier provided is not supported. - identify the device another way",
    );
    failed_with(
        &other(&["--phone-number", "+436641234588", "--profile", "QOS_TEST_INACTIVE"]),
        "422 QUALITY_ON_DEMAND.QOS_PROFILE_NOT_APPLICABLE",
    );
    failed_with(
        &run(&["session", "get", id, "--correlator", "no spaces"]),
        "`x-correlator`",
    );
    assert_eq!(stdout_json(&run(&["session", "delete", id]))["deleted"], id);
    // v0.10.1 has no x-correlator.
    failed_with(
        &qod(&["--server", &s.base_url, "--correlator", "gw-test-7", "profiles"]),
        "--correlator is the 1.1.0 x-correlator header: add --api v1",
    );
}

#[test]
fn test_demo_v1_json_runs_every_step() {
    let o = qod(&["demo", "--api", "v1", "--json", "--requested-delay", "200"]);
    let v = stdout_json(&o);
    assert_eq!(v["ok"], true, "{v}");
    let steps = step_names(&v);
    assert!(
        steps.contains(&"find it by the device (retrieve-sessions)"),
        "{steps:?}"
    );
    let created = &v["steps"][3]["session"];
    assert_eq!(created["qosStatus"], "REQUESTED");
    assert!(created.get("startedAt").is_none(), "{created}");
    assert!(v["steps"][4]["session"]["startedAt"].as_str().unwrap().ends_with('Z'));
}

/// `-v` shows what the client does (its `log` lines, through the tool's subscriber), and never a credential.
#[test]
fn test_verbose_shows_the_client_at_work_without_credentials() {
    let s = sim();
    let args = [
        "-v",
        "--server",
        &s.base_url,
        "--client-id",
        "demo-client",
        "profiles",
        "QOS_E",
    ];
    // RUST_LOG would override -v: this run has none.
    let run = |args: &[&str]| {
        Command::new(qod_bin())
            .args(args)
            .env_remove("RUST_LOG")
            .env_remove("QOD_SERVER")
            .env_remove("QOD_TOKEN")
            .env("QOD_CLIENT_SECRET", "demo-secret")
            .output()
            .unwrap()
    };
    let o = run(&args);
    assert_eq!(stdout_json(&o)["name"], "QOS_E");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("fetching an access token"), "{err}");
    assert!(err.contains("connecting to 127.0.0.1:"), "{err}");
    assert!(!err.contains("demo-secret") && !err.contains("Bearer"), "{err}");
    // Without -v the client is quiet.
    let quiet = run(&args[1..]);
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("connecting to"));
}
