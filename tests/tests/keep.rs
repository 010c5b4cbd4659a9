//! `qod session keep`, the real binary against an in-process simulator on a 20× clock, checked through the
//! simulator's admin view: extensions, SIGKILL and a restart from `--state` (no second session, no orphan), a
//! network termination noticed through the keeper's own notification receiver, and a clean stop.
use qod_tests::qod_bin;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const SCALE: u32 = 20;

struct Sim {
    base_url: String,
    root: String,
    sim: Option<qod_sim::RunningSim>,
    rt: tokio::runtime::Runtime,
}

impl Sim {
    fn start() -> Sim {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let mut config = qod_sim::Config {
            clock: qod_sim::ScaledClock::new(f64::from(SCALE)),
            admin: true,
            ..Default::default()
        };
        config.auth.enabled = false;
        config.notify.initial_backoff = Duration::from_millis(20);
        let sim = rt.block_on(qod_sim::serve(config)).unwrap();
        Sim {
            base_url: sim.base_url().to_owned(),
            root: sim.root_url().to_owned(),
            sim: Some(sim),
            rt,
        }
    }

    /// The admin view's sessions.
    fn sessions(&self) -> Vec<Value> {
        let url = format!("{}/_sim/sessions", self.root.trim_end_matches('/'));
        let v: Value = self
            .rt
            .block_on(async { reqwest::get(&url).await.unwrap().json().await.unwrap() });
        v["sessions"].as_array().unwrap().clone()
    }

    fn terminate(&self, id: &str) {
        let url = format!("{}/_sim/sessions/{id}/terminate", self.root.trim_end_matches('/'));
        let status = self
            .rt
            .block_on(async { reqwest::Client::new().post(&url).send().await.unwrap().status() });
        assert_eq!(status, 204);
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(sim) = self.sim.take() {
            self.rt.block_on(sim.shutdown());
        }
    }
}

struct Keep {
    child: Child,
    lines: mpsc::Receiver<Value>,
    seen: Vec<Value>,
}

impl Keep {
    fn start(sim: &Sim, extra: &[&str]) -> Keep {
        let scale = SCALE.to_string();
        let mut args = vec![
            "--server",
            &sim.base_url,
            "--timeout",
            "2",
            "session",
            "keep",
            "--phone-number",
            "+436641234567",
            "--as-ipv4",
            "198.51.100.0/24",
            "--profile",
            "QOS_VC",
            "--lease",
            "60",
            "--time-scale",
            &scale,
        ];
        args.extend_from_slice(extra);
        let mut child = Command::new(qod_bin())
            .args(&args)
            .env_remove("QOD_SERVER")
            .env_remove("QOD_TOKEN")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                let v: Value = serde_json::from_str(&l).unwrap_or_else(|e| panic!("{e}: {l}"));
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Keep {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits (up to `limit`) for an event named `name`.
    fn wait_for(&mut self, name: &str, limit: Duration) -> Value {
        let end = Instant::now() + limit;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(v) => {
                    self.seen.push(v.clone());
                    if v["event"] == name {
                        return v;
                    }
                }
                Err(_) => panic!("no {name:?} event within {limit:?}; seen: {:#?}", self.seen),
            }
        }
    }

    fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }
}

impl Drop for Keep {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ids(sessions: &[Value]) -> Vec<String> {
    sessions
        .iter()
        .map(|s| s["sessionId"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn test_keep_survives_sigkill_and_stops_clean() {
    let sim = Sim::start();
    let dir = std::env::temp_dir().join(format!("qod-keep-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state");
    let state_arg = state.to_str().unwrap();

    let mut k = Keep::start(&sim, &["--state", state_arg, "--poll", "10"]);
    let id = k.wait_for("available", Duration::from_secs(10))["sessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    // An extension: a lease of 60 simulated seconds (3 s) with 15 s of margin.
    k.wait_for("extended", Duration::from_secs(10));
    assert_eq!(ids(&sim.sessions()), std::slice::from_ref(&id));

    // SIGKILL: nothing runs to clean up; the session stays, the state file names it.
    k.signal("-KILL");
    let _ = k.child.wait();
    assert_eq!(ids(&sim.sessions()), std::slice::from_ref(&id));
    assert!(std::fs::read_to_string(&state).unwrap().contains(&id));

    // Restarted on the same state: the session is adopted, not doubled, and kept.
    let mut k = Keep::start(&sim, &["--state", state_arg, "--poll", "10"]);
    let adopted = k.wait_for("adopted", Duration::from_secs(10));
    assert_eq!(adopted["sessionId"], id.as_str());
    k.wait_for("extended", Duration::from_secs(10));
    assert_eq!(
        ids(&sim.sessions()),
        std::slice::from_ref(&id),
        "no second session, no orphan"
    );
    assert!(!k.seen.iter().any(|v| v["event"] == "requested"), "{:#?}", k.seen);

    // SIGTERM: deleted, confirmed, exit 0, nothing left, state cleared.
    k.signal("-TERM");
    let stopped = k.wait_for("stopped", Duration::from_secs(10));
    assert_eq!(stopped["clean"], true);
    assert!(k.child.wait().unwrap().success());
    assert!(k
        .seen
        .iter()
        .any(|v| v["event"] == "deleted" && v["sessionId"] == id.as_str()));
    assert!(sim.sessions().is_empty(), "{:#?}", sim.sessions());
    assert!(!state.exists(), "the state file is removed after a clean stop");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A network termination reaches the keeper through its notification receiver and is recovered at once, long
/// before the next poll (600 simulated seconds away); `--for` ends the run cleanly.
#[test]
fn test_keep_acts_on_notifications_and_stops_after_for() {
    let sim = Sim::start();
    let mut k = Keep::start(
        &sim,
        &["--poll", "600", "--notify-listen", "127.0.0.1:0", "--for", "200"],
    );
    k.wait_for("listening", Duration::from_secs(10));
    let id = k.wait_for("available", Duration::from_secs(10))["sessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let t = Instant::now();
    sim.terminate(&id);
    let lost = k.wait_for("lost", Duration::from_secs(5));
    assert_eq!(lost["why"], "NETWORK_TERMINATED");
    assert!(t.elapsed() < Duration::from_secs(5));
    let recovered = k.wait_for("recovered", Duration::from_secs(5));
    assert_ne!(recovered["sessionId"], id.as_str());
    // The terminated session was deleted (it held the device); one session remains, the new one.
    assert_eq!(
        ids(&sim.sessions()),
        [recovered["sessionId"].as_str().unwrap().to_owned()]
    );
    // --for 200 simulated seconds = 10 s real from the start.
    let stopped = k.wait_for("stopped", Duration::from_secs(20));
    assert_eq!(stopped["clean"], true);
    assert!(k.child.wait().unwrap().success());
    assert!(sim.sessions().is_empty());
}

/// `--api v1`: the keeper on quality-on-demand 1.1.0 (retrieve-sessions after a lost create; here the plain path):
/// extended, a network termination noticed by polling and recovered, then a clean stop that leaves nothing.
#[test]
fn test_keep_on_v1_extends_recovers_and_stops_clean() {
    let sim = Sim::start();
    let mut k = Keep::start(&sim, &["--poll", "10", "--api", "v1"]);
    let id = k.wait_for("available", Duration::from_secs(10))["sessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    k.wait_for("extended", Duration::from_secs(10));
    assert_eq!(ids(&sim.sessions()), std::slice::from_ref(&id));
    sim.terminate(&id);
    let lost = k.wait_for("lost", Duration::from_secs(5));
    assert_eq!(lost["sessionId"], id.as_str());
    // Found by polling, yet with the reason: 1.1.0's SessionInfo has `statusInfo` (v0.10.1's poll says only
    // UNAVAILABLE), so this also shows the keeper spoke 1.1.0.
    assert_eq!(lost["why"], "NETWORK_TERMINATED");
    let recovered = k.wait_for("recovered", Duration::from_secs(10));
    assert_ne!(recovered["sessionId"], id.as_str());
    k.signal("-TERM");
    let stopped = k.wait_for("stopped", Duration::from_secs(10));
    assert_eq!(stopped["clean"], true);
    assert!(k.child.wait().unwrap().success());
    // 1.1.0 keeps an ended session readable for a while (statusInfo): nothing may be left that is not UNAVAILABLE.
    let left: Vec<_> = sim
        .sessions()
        .into_iter()
        .filter(|s| s["qosStatus"] != "UNAVAILABLE")
        .collect();
    assert!(left.is_empty(), "{left:#?}");
}
