//! The session keeper's fault campaign: many keeper lifetimes against the simulator on an accelerated clock, through
//! a fault-injecting TCP proxy, with crashes and restarts from the store; the simulator's admin view is the judge.
//!
//! Faults: connections refused (the connector), resets before and after the request reached the server, responses
//! cut short, answers delayed past the client's timeout (the proxy, per request, seeded); the simulator's own 429 and
//! 503 with `Retry-After`, and network terminations at seeded random times; keepers killed at random moments (their
//! future dropped mid-flight, as SIGKILL or a power cut would) and restarted from their store.
//!
//! Reported: sessions alive at the end that no keeper owns (must be 0), orphan-seconds (simulated seconds that
//! sessions no keeper owned stayed alive; each bounded by one lease), QoS coverage (share of the wanted time with an
//! AVAILABLE session for the device) and requests per hour of kept QoS.
//!
//! ```sh
//! cargo test -p qod-client --release --test keeper_campaign -- --ignored --nocapture   # 1,008 lifetimes
//! QOD_CAMPAIGN_LIFETIMES=5000 QOD_CAMPAIGN_SEED=7 cargo test -p qod-client --release --test keeper_campaign \
//!     -- --ignored --nocapture
//! ```
//! The short run (`campaign_short`, 96 lifetimes, ~30 s in a debug build) is part of the normal test suite.

use qod_client::keeper::{
    Event, Failure, Keeper, KeeperConfig, Loss, Record, ScaledClock, ScaledDelay, SessionApi, SessionStore, Signal,
    Signals, V0Api,
};
use qod_client::qod_core::model::CreateSession;
use qod_client::tokio::{SystemClock, TokioConnection, TokioConnector, TokioDelay};
use qod_client::{Client, Config, Connect, RetryPolicy, Url};
use qod_sim::{FaultConfig, FaultKind, FaultRule, TerminationConfig, Trigger};
use std::collections::{HashMap, HashSet};
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Simulated seconds per real second.
const SCALE: u32 = 50;
/// The lease (simulated seconds).
const LEASE_S: u32 = 120;
/// The client's bound on each request (real).
const TIMEOUT_MS: u32 = 300;

/// SplitMix64.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ProxyFault {
    ResetBefore,
    ResetAfter,
    CutShort,
    Delay,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    refused: AtomicU64,
    faults: Mutex<HashMap<ProxyFault, u64>>,
}

/// Reads one HTTP message head (up to the blank line) and its `Content-Length` body; `None` at EOF or on error.
async fn read_message(s: &mut TcpStream, buf: &mut Vec<u8>, response: bool) -> Option<Vec<u8>> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head_len = end + 4;
            let head = String::from_utf8_lossy(&buf[..head_len]).to_ascii_lowercase();
            let mut len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if response && (head.starts_with("http/1.1 204") || head.starts_with("http/1.1 304")) {
                len = 0;
            }
            while buf.len() < head_len + len {
                let mut chunk = [0u8; 4096];
                let n = s.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let msg: Vec<u8> = buf.drain(..head_len + len).collect();
            return Some(msg);
        }
        let mut chunk = [0u8; 4096];
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn reset(s: TcpStream) {
    // Zero linger: the close sends an RST at once (it cannot block).
    #[allow(deprecated)]
    let _ = s.set_linger(Some(Duration::ZERO));
    drop(s);
}

/// One client connection through the proxy: each request gets its own fault draw.
async fn proxy_conn(
    mut client: TcpStream,
    upstream: std::net::SocketAddr,
    rng: Arc<Mutex<Rng>>,
    p_fault: f64,
    counters: Arc<Counters>,
) {
    let mut up: Option<TcpStream> = None;
    let (mut cbuf, mut ubuf) = (Vec::new(), Vec::new());
    loop {
        let Some(req) = read_message(&mut client, &mut cbuf, false).await else {
            return;
        };
        counters.requests.fetch_add(1, Ordering::Relaxed);
        let fault = {
            let mut r = rng.lock().unwrap();
            if r.unit() < p_fault {
                Some(match r.next() % 4 {
                    0 => ProxyFault::ResetBefore,
                    1 => ProxyFault::ResetAfter,
                    2 => ProxyFault::CutShort,
                    _ => ProxyFault::Delay,
                })
            } else {
                None
            }
        };
        if let Some(f) = fault {
            *counters.faults.lock().unwrap().entry(f).or_default() += 1;
        }
        if fault == Some(ProxyFault::ResetBefore) {
            reset(client);
            return;
        }
        if up.is_none() {
            match TcpStream::connect(upstream).await {
                Ok(s) => up = Some(s),
                Err(_) => return reset(client),
            }
        }
        let Some(u) = up.as_mut() else { return };
        if u.write_all(&req).await.is_err() {
            return reset(client);
        }
        let Some(res) = read_message(u, &mut ubuf, true).await else {
            return reset(client);
        };
        match fault {
            Some(ProxyFault::ResetAfter) => return reset(client),
            Some(ProxyFault::CutShort) => {
                let _ = client.write_all(&res[..res.len() / 2]).await;
                let _ = client.shutdown().await;
                return;
            }
            Some(ProxyFault::Delay) => {
                tokio::time::sleep(Duration::from_millis(u64::from(TIMEOUT_MS) * 2)).await;
            }
            _ => {}
        }
        if client.write_all(&res).await.is_err() {
            return;
        }
    }
}

async fn proxy(listener: TcpListener, upstream: std::net::SocketAddr, seed: u64, p: f64, counters: Arc<Counters>) {
    let rng = Arc::new(Mutex::new(Rng(seed)));
    loop {
        let Ok((s, _)) = listener.accept().await else { return };
        let _ = s.set_nodelay(true);
        tokio::spawn(proxy_conn(s, upstream, rng.clone(), p, counters.clone()));
    }
}

/// TCP through the proxy; some connections are refused outright.
struct FaultyConnector {
    inner: TokioConnector,
    rng: Arc<Mutex<Rng>>,
    p_refuse: f64,
    counters: Arc<Counters>,
}

impl Connect for FaultyConnector {
    type Error = io::Error;
    type Connection<'a> = TokioConnection;

    async fn connect(&self, to: &Url<'_>) -> io::Result<TokioConnection> {
        let refuse = self.rng.lock().unwrap().unit() < self.p_refuse;
        if refuse {
            self.counters.refused.fetch_add(1, Ordering::Relaxed);
            return Err(io::Error::new(io::ErrorKind::ConnectionRefused, "refused (campaign)"));
        }
        self.inner.connect(to).await
    }
}

/// A store that outlives the keeper using it (the device's flash across a crash).
#[derive(Clone, Default)]
struct SharedStore(Arc<Mutex<Option<Record>>>);

impl SessionStore for SharedStore {
    type Error = io::Error;

    async fn load(&mut self) -> io::Result<Option<Record>> {
        Ok(self.0.lock().unwrap().clone())
    }

    async fn save(&mut self, r: &Record) -> io::Result<()> {
        *self.0.lock().unwrap() = Some(r.clone());
        Ok(())
    }

    async fn clear(&mut self) -> io::Result<()> {
        *self.0.lock().unwrap() = None;
        Ok(())
    }
}

struct ChannelSignals(tokio::sync::mpsc::UnboundedReceiver<Signal>);

impl Signals for ChannelSignals {
    async fn next(&mut self) -> Signal {
        match self.0.recv().await {
            Some(s) => s,
            None => std::future::pending().await,
        }
    }
}

/// What the campaign knows of one device.
#[derive(Default)]
struct Slot {
    store: SharedStore,
    /// Sessions the running keeper announced (created or adopted) and has not deleted.
    live: Mutex<HashSet<String>>,
    wanted: AtomicBool,
}

impl Slot {
    fn owned(&self) -> HashSet<String> {
        let mut s = self.live.lock().unwrap().clone();
        if let Some(r) = self.store.0.lock().unwrap().as_ref() {
            s.extend(r.session.iter().chain(r.retiring.iter()).map(|i| i.to_string()));
        }
        s
    }
}

#[derive(Default, Debug)]
struct Tally {
    lifetimes: u64,
    crashes: u64,
    unclean_stops: u64,
    ambiguous_creates: u64,
    terminations_seen: u64,
    losses: u64,
    busy: u64,
    adopted: u64,
}

fn phone(slot: usize) -> String {
    format!("+43664100{slot:04}")
}

/// The API a campaign speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    V0,
    #[cfg_attr(not(feature = "v1"), allow(dead_code))]
    V1,
}

/// Slot `slot`'s keeper operations on v0.10.1.
fn v0_api(slot: usize) -> V0Api {
    let mut body = CreateSession::default();
    body.device.phone_number = Some(phone(slot).as_str().try_into().unwrap());
    body.application_server.ipv4_address = Some("198.51.100.0/24".try_into().unwrap());
    body.qos_profile = "QOS_L".try_into().unwrap();
    V0Api::new(body)
}

/// Slot `slot`'s keeper operations on quality-on-demand 1.1.0.
#[cfg(feature = "v1")]
fn v1_api(slot: usize) -> qod_client::keeper::V1Api {
    use qod_client::qod_core::v1::model::{CreateSession, Device};
    let mut body = qod_core::fill!(CreateSession {
        device: Some(qod_core::fill!(Device {
            phone_number: Some(phone(slot).as_str().try_into().unwrap()),
            ..Device::default()
        })),
        qos_profile: "QOS_L".try_into().unwrap(),
        duration: LEASE_S,
        ..CreateSession::default()
    });
    body.application_server.ipv4_address = Some("198.51.100.0/24".try_into().unwrap());
    qod_client::keeper::V1Api::new(body)
}

async fn admin(root: &str) -> serde_json::Value {
    let url = Url::parse(root).unwrap();
    let mut s = TcpStream::connect((url.host, url.port)).await.unwrap();
    let req = format!(
        "GET /_sim/sessions HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        url.authority
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let body = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    serde_json::from_slice(&out[body..]).unwrap()
}

/// One device's sequence of keeper lifetimes.
#[allow(clippy::too_many_arguments)]
async fn run_slot<A: SessionApi>(
    make: fn(usize) -> A,
    slot: usize,
    lifetimes: u64,
    seed: u64,
    server: String,
    connector: Arc<FaultyConnector>,
    state: Arc<Slot>,
    tally: Arc<Mutex<Tally>>,
) {
    let mut rng = Rng(seed ^ (slot as u64).wrapping_mul(0xA076_1D64_78BD_642F));
    let url = Url::parse(&server).unwrap();
    let (mut tx, mut rx) = (vec![0u8; 2048], vec![0u8; 8192]);
    for n in 0..=lifetimes {
        // The last lifetime is a short, clean one: whatever the others left is resolved.
        let last = n == lifetimes;
        let wanted_s = if last { 5 } else { rng.range(30, 400) };
        let crash_at_s = (!last && rng.unit() < 0.3).then(|| rng.range(0, wanted_s));
        let mut cfg = KeeperConfig::new(LEASE_S);
        cfg.poll_ms = 15_000;
        cfg.requested_poll_ms = 2_000;
        cfg.backoff_min_ms = 1_000;
        cfg.backoff_max_ms = 30_000;
        cfg.seed = rng.next();
        let mut keeper = Keeper::new(
            make(slot),
            state.store.clone(),
            ScaledClock::new(SystemClock::new(), SCALE),
            ScaledDelay::new(TokioDelay, SCALE),
            cfg,
        );
        let mut config = Config::new(url);
        config.timeout_ms = TIMEOUT_MS;
        config.close_timeout_ms = 100;
        config.retry = RetryPolicy::NONE;
        let mut client = Client::new(&*connector, TokioDelay, config, &mut tx, &mut rx);
        let (stx, srx) = tokio::sync::mpsc::unbounded_channel();
        let mut signals = ChannelSignals(srx);
        state.live.lock().unwrap().clear();
        state.wanted.store(true, Ordering::SeqCst);
        let real = |s: u64| Duration::from_millis(s * 1000 / u64::from(SCALE));
        let stopper = {
            let state = state.clone();
            tokio::spawn(async move {
                tokio::time::sleep(real(wanted_s)).await;
                state.wanted.store(false, Ordering::SeqCst);
                let _ = stx.send(Signal::Stop);
                // Keep the sender alive until the keeper is done.
                tokio::time::sleep(Duration::from_secs(3600)).await;
            })
        };
        let mut ambiguous = 0;
        let mut seen = Tally::default();
        let live = &state.live;
        let run = keeper.run(&mut client, &mut signals, |e| match e {
            Event::Requested { id } | Event::Adopted { id } => {
                live.lock().unwrap().insert(id.to_string());
                if let Event::Adopted { .. } = e {
                    seen.adopted += 1;
                }
            }
            Event::Deleted { id } => {
                live.lock().unwrap().remove(id.as_str());
            }
            Event::Lost { id, why } => {
                seen.losses += 1;
                // v0.10.1's SessionInfo has no statusInfo: a poll sees UNAVAILABLE, a notification says why.
                if matches!(why, Loss::NetworkTerminated | Loss::Unavailable) {
                    seen.terminations_seen += 1;
                }
                if *why == Loss::Gone {
                    live.lock().unwrap().remove(id.as_str());
                }
            }
            Event::Unresolved { .. } => ambiguous += 1,
            Event::Retrying {
                why: Failure::Busy { .. },
                ..
            } => seen.busy += 1,
            _ => {}
        });
        let outcome = match crash_at_s {
            Some(at) => tokio::time::timeout(real(at), run).await.ok(),
            // A stop is bounded by one lease and a minute (the keeper's own stop timeout); this bounds the test.
            None => Some(
                tokio::time::timeout(real(wanted_s + u64::from(LEASE_S) * 3 + 120), run)
                    .await
                    .expect("a keeper did not stop"),
            ),
        };
        stopper.abort();
        state.wanted.store(false, Ordering::SeqCst);
        // A crash: the keeper's memory is gone; only the store remains.
        state.live.lock().unwrap().clear();
        client.close().await;
        let mut t = tally.lock().unwrap();
        t.lifetimes += u64::from(!last);
        t.ambiguous_creates += ambiguous;
        t.losses += seen.losses;
        t.terminations_seen += seen.terminations_seen;
        t.busy += seen.busy;
        t.adopted += seen.adopted;
        match outcome {
            None => t.crashes += 1,
            Some(Ok(true)) => {}
            Some(_) => t.unclean_stops += 1,
        }
    }
}

#[derive(Debug)]
#[allow(dead_code)] // printed with `Debug`
struct Report {
    lifetimes: u64,
    crashes: u64,
    unclean_stops: u64,
    ambiguous_creates: u64,
    proxy_faults: HashMap<ProxyFault, u64>,
    refused: u64,
    sim_busy: u64,
    terminations_seen: u64,
    losses: u64,
    adopted: u64,
    requests: u64,
    orphans_alive_at_end: usize,
    unavailable_left_at_end: usize,
    orphan_seconds: f64,
    longest_orphan_s: f64,
    wanted_s: f64,
    covered_s: f64,
    coverage: f64,
    requests_per_qos_hour: f64,
    wall_s: f64,
}

async fn campaign(api: Api, lifetimes: u64, seed: u64, slots: usize) -> Report {
    let started = Instant::now();
    let mut config = qod_sim::Config {
        clock: qod_sim::ScaledClock::new(f64::from(SCALE)),
        admin: true,
        requested_delay: Duration::from_secs(1),
        termination: TerminationConfig {
            probability: 0.3,
            seed,
            after: Some(Duration::from_secs(10)),
            after_max: Some(Duration::from_secs(300)),
            ..TerminationConfig::default()
        },
        faults: FaultConfig {
            rules: vec![
                FaultRule {
                    kind: FaultKind::TooManyRequests { retry_after: 1 },
                    trigger: Trigger::Probability { p: 0.02, seed },
                },
                FaultRule {
                    kind: FaultKind::ServiceUnavailable { retry_after: 2 },
                    trigger: Trigger::Probability {
                        p: 0.02,
                        seed: seed ^ 1,
                    },
                },
            ],
        },
        ..Default::default()
    };
    config.auth.enabled = false;
    let sim = qod_sim::serve(config).await.unwrap();
    let root = sim.root_url().to_owned();
    let counters = Arc::new(Counters::default());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_addr = listener.local_addr().unwrap();
    tokio::spawn(proxy(listener, sim.local_addr(), seed ^ 2, 0.06, counters.clone()));
    let server = match api {
        Api::V0 => format!("http://{proxy_addr}/qod/v0"),
        // The API root: `/quality-on-demand/v1/…` is under it.
        Api::V1 => format!("http://{proxy_addr}"),
    };
    let connector = Arc::new(FaultyConnector {
        inner: TokioConnector::new(),
        rng: Arc::new(Mutex::new(Rng(seed ^ 3))),
        p_refuse: 0.02,
        counters: counters.clone(),
    });

    let states: Vec<Arc<Slot>> = (0..slots).map(|_| Arc::new(Slot::default())).collect();
    let tally = Arc::new(Mutex::new(Tally::default()));
    let done = Arc::new(AtomicBool::new(false));

    // The judge: the admin view every 20 ms real (1 simulated second).
    let monitor = {
        let states = states.clone();
        let root = root.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let devices: HashMap<String, usize> = (0..states.len()).map(|i| (phone(i), i)).collect();
            let mut prev: Option<i64> = None;
            let (mut wanted, mut covered, mut orphan_ms) = (0f64, 0f64, 0f64);
            let mut first_seen: HashMap<String, i64> = HashMap::new();
            let mut longest = 0i64;
            while !done.load(Ordering::SeqCst) {
                let v = admin(&root).await;
                let now = v["nowMs"].as_i64().unwrap();
                let dt = prev.map_or(0, |p| now - p) as f64;
                prev = Some(now);
                let mut available = vec![false; states.len()];
                let owned: Vec<HashSet<String>> = states.iter().map(|s| s.owned()).collect();
                let mut unowned_now = HashSet::new();
                for s in v["sessions"].as_array().unwrap() {
                    let Some(&slot) = s["device"]["phoneNumber"].as_str().and_then(|p| devices.get(p)) else {
                        continue;
                    };
                    let status = s["qosStatus"].as_str().unwrap();
                    if status == "AVAILABLE" {
                        available[slot] = true;
                    }
                    let id = s["sessionId"].as_str().unwrap().to_owned();
                    if status != "UNAVAILABLE" && !owned[slot].contains(&id) {
                        orphan_ms += dt;
                        let since = *first_seen.entry(id.clone()).or_insert(now);
                        longest = longest.max(now - since);
                        unowned_now.insert(id);
                    }
                }
                first_seen.retain(|id, _| unowned_now.contains(id));
                for (i, st) in states.iter().enumerate() {
                    if st.wanted.load(Ordering::SeqCst) {
                        wanted += dt;
                        if available[i] {
                            covered += dt;
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (
                wanted / 1000.0,
                covered / 1000.0,
                orphan_ms / 1000.0,
                longest as f64 / 1000.0,
            )
        })
    };

    // The client's engine is not `Send` (one non-generic state machine for every operation): the keepers share this
    // thread; the simulator, the proxy and the judge run on the runtime's workers.
    let per_slot = lifetimes.div_ceil(slots as u64);
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async {
            let mut tasks = Vec::new();
            for (i, st) in states.iter().enumerate() {
                let (server, connector, st, tally) = (server.clone(), connector.clone(), st.clone(), tally.clone());
                tasks.push(match api {
                    Api::V0 => {
                        tokio::task::spawn_local(run_slot(v0_api, i, per_slot, seed, server, connector, st, tally))
                    }
                    #[cfg(feature = "v1")]
                    Api::V1 => {
                        tokio::task::spawn_local(run_slot(v1_api, i, per_slot, seed, server, connector, st, tally))
                    }
                    #[cfg(not(feature = "v1"))]
                    Api::V1 => panic!("the 1.1.0 campaign needs qod-client's v1 feature"),
                });
            }
            for t in tasks {
                t.await.unwrap();
            }
        })
        .await;
    done.store(true, Ordering::SeqCst);
    let (wanted_s, covered_s, orphan_seconds, longest_orphan_s) = monitor.await.unwrap();

    // The end: every keeper has stopped; what is left for the campaign's devices?
    let v = admin(&root).await;
    let mut orphans_alive_at_end = 0;
    let mut unavailable_left_at_end = 0;
    for s in v["sessions"].as_array().unwrap() {
        let ours = s["device"]["phoneNumber"]
            .as_str()
            .is_some_and(|p| p.starts_with("+43664100"));
        if !ours {
            continue;
        }
        if s["qosStatus"] == "UNAVAILABLE" {
            unavailable_left_at_end += 1;
        } else {
            orphans_alive_at_end += 1;
        }
    }
    for st in &states {
        assert!(
            st.owned().is_empty(),
            "a store still holds {:?}",
            st.store.0.lock().unwrap()
        );
    }
    sim.shutdown().await;
    let t = tally.lock().unwrap();
    let requests = counters.requests.load(Ordering::Relaxed) + counters.refused.load(Ordering::Relaxed);
    let proxy_faults = counters.faults.lock().unwrap().clone();
    Report {
        lifetimes: t.lifetimes,
        crashes: t.crashes,
        unclean_stops: t.unclean_stops,
        ambiguous_creates: t.ambiguous_creates,
        proxy_faults,
        refused: counters.refused.load(Ordering::Relaxed),
        sim_busy: t.busy,
        terminations_seen: t.terminations_seen,
        losses: t.losses,
        adopted: t.adopted,
        requests,
        orphans_alive_at_end,
        unavailable_left_at_end,
        orphan_seconds,
        longest_orphan_s,
        wanted_s,
        covered_s,
        coverage: if wanted_s > 0.0 { covered_s / wanted_s } else { 0.0 },
        requests_per_qos_hour: if covered_s > 0.0 {
            requests as f64 / (covered_s / 3600.0)
        } else {
            f64::INFINITY
        },
        wall_s: started.elapsed().as_secs_f64(),
    }
}

fn print(r: &Report, api: Api, seed: u64) {
    println!("keeper fault campaign ({api:?}, seed {seed}, time scale {SCALE}x, lease {LEASE_S} s):");
    println!("{r:#?}");
    println!(
        "summary: {} lifetimes ({} killed and restarted), {} ambiguous creates; orphans alive at the end: {}; \
         orphan-seconds {:.0} (longest orphan {:.0} s, lease {LEASE_S} s; {:.1} s per ambiguous create); \
         coverage {:.2} %; {:.0} requests per hour of kept QoS; {:.0} s wall",
        r.lifetimes,
        r.crashes,
        r.ambiguous_creates,
        r.orphans_alive_at_end,
        r.orphan_seconds,
        r.longest_orphan_s,
        r.orphan_seconds / (r.ambiguous_creates.max(1) as f64),
        r.coverage * 100.0,
        r.requests_per_qos_hour,
        r.wall_s
    );
}

fn check(r: &Report) {
    assert_eq!(
        r.orphans_alive_at_end, 0,
        "sessions alive at the end that no keeper owns"
    );
    assert_eq!(r.unclean_stops, 0, "every stop confirmed");
    // One lease, plus the sampling step and the server's whole seconds.
    assert!(
        r.longest_orphan_s <= f64::from(LEASE_S) + 5.0,
        "an orphan lived {} s",
        r.longest_orphan_s
    );
    assert!(
        r.orphan_seconds <= (r.ambiguous_creates as f64 + r.crashes as f64) * f64::from(LEASE_S) + 5.0,
        "orphan-seconds {} beyond one lease per ambiguous create",
        r.orphan_seconds
    );
    assert!(r.coverage > 0.8, "coverage {}", r.coverage);
    assert!(
        r.proxy_faults.len() == 4 && r.refused > 0,
        "every fault happened: {r:?}"
    );
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaign_short() {
    let seed = env("QOD_CAMPAIGN_SEED", 1);
    let r = campaign(Api::V0, 96, seed, 16).await;
    print(&r, Api::V0, seed);
    check(&r);
}

#[cfg(feature = "v1")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaign_short_v1() {
    let seed = env("QOD_CAMPAIGN_SEED", 1);
    let r = campaign(Api::V1, 48, seed, 16).await;
    print(&r, Api::V1, seed);
    check(&r);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: 1,000 keeper lifetimes (QOD_CAMPAIGN_LIFETIMES, QOD_CAMPAIGN_SEED, QOD_CAMPAIGN_API=v0|v1)"]
async fn campaign_long() {
    let seed = env("QOD_CAMPAIGN_SEED", 1);
    let api = match std::env::var("QOD_CAMPAIGN_API").as_deref() {
        Ok("v1") => Api::V1,
        Ok("v0") | Err(_) => Api::V0,
        Ok(other) => panic!("QOD_CAMPAIGN_API={other}: v0 or v1"),
    };
    let r = campaign(api, env("QOD_CAMPAIGN_LIFETIMES", 1000), seed, 24).await;
    print(&r, api, seed);
    check(&r);
}
