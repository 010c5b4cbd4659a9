//! Load generator: create → get → delete loops from many concurrent keep-alive clients, each with its own device.
//!
//! ```sh
//! cargo run --release -p qod-sim --example loadgen -- --clients 64 --seconds 10
//! cargo run --release -p qod-sim --example loadgen -- --url http://127.0.0.1:9091/qod/v0 --no-auth   # external sim
//! ```
//!
//! Without `--url` it starts the simulator in-process on 127.0.0.1:0 (same runtime, same 2 cores as the clients).
//! Each client is one HTTP/1.1 connection (hyper's low-level client) doing the three requests in sequence. It prints
//! operations (HTTP requests) per second and latency percentiles. The run is bounded by `--seconds` and only talks to
//! loopback.
use bytes::Bytes;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

#[derive(Debug, Parser)]
struct Args {
    /// Concurrent clients (connections).
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Run time in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Base URL of a running simulator (e.g. `http://127.0.0.1:9091/qod/v0`); default: one in-process.
    #[arg(long)]
    url: Option<String>,
    /// Use auth: get one token for all clients from `<root>/oauth/token` with the demo client (`demo-client`, which
    /// the in-process simulator registers; start an external `qod sim` with `--client demo-client:demo-secret`).
    #[arg(long)]
    auth: bool,
}

#[derive(Default)]
struct Stats {
    ops: u64,
    errors: u64,
    micros: Vec<u32>,
}

async fn request(
    tx: &mut http1::SendRequest<Full<Bytes>>,
    method: Method,
    host: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Bytes>,
) -> Result<(StatusCode, Bytes), Box<dyn std::error::Error + Send + Sync>> {
    let mut b = Request::builder().method(method).uri(path).header("host", host);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    if body.is_some() {
        b = b.header("content-type", "application/json");
    }
    let req = b.body(Full::new(body.unwrap_or_default()))?;
    tx.ready().await?;
    let res = tx.send_request(req).await?;
    let status = res.status();
    let bytes = res.into_body().collect().await?.to_bytes();
    Ok((status, bytes))
}

async fn client(
    n: usize,
    addr: String,
    path: String,
    token: Option<String>,
    deadline: Instant,
) -> Result<Stats, Box<dyn std::error::Error + Send + Sync>> {
    let stream = TcpStream::connect(&addr).await?;
    stream.set_nodelay(true)?;
    let (mut tx, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let body = Bytes::from(format!(
        r#"{{"device":{{"phoneNumber":"+4915{n:07}"}},"applicationServer":{{"ipv4Address":"198.51.100.7"}},"qosProfile":"QOS_E","duration":600}}"#
    ));
    let token = token.as_deref();
    let sessions = format!("{path}/sessions");
    let mut st = Stats {
        micros: Vec::with_capacity(1 << 16),
        ..Stats::default()
    };
    while Instant::now() < deadline {
        let t = Instant::now();
        let (s, b) = request(&mut tx, Method::POST, &addr, &sessions, token, Some(body.clone())).await?;
        st.micros.push(t.elapsed().as_micros() as u32);
        st.ops += 1;
        if s != StatusCode::CREATED {
            st.errors += 1;
            continue;
        }
        // The id is the only thing needed from the body: find it without a full JSON parse (cheaper for the client,
        // which shares the CPU with the server).
        let id = session_id(&b).ok_or("no sessionId in the create response")?;
        let one = format!("{sessions}/{id}");
        for method in [Method::GET, Method::DELETE] {
            let t = Instant::now();
            let (s, _) = request(&mut tx, method, &addr, &one, token, None).await?;
            st.micros.push(t.elapsed().as_micros() as u32);
            st.ops += 1;
            if !s.is_success() {
                st.errors += 1;
            }
        }
    }
    Ok(st)
}

fn session_id(body: &[u8]) -> Option<&str> {
    const KEY: &[u8] = b"\"sessionId\":\"";
    let at = body.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    std::str::from_utf8(body.get(at..at + 36)?).ok()
}

async fn fetch_token(addr: &str) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let stream = TcpStream::connect(addr).await?;
    let (mut tx, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let req = Request::builder()
        .method(Method::POST)
        .uri("/oauth/token")
        .header("host", addr)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            qod_sim::DEFAULT_CLIENT_ID,
            qod_sim::DEFAULT_CLIENT_SECRET
        ))))?;
    let res = tx.send_request(req).await?;
    let body = res.into_body().collect().await?.to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&body)?;
    Ok(v["access_token"].as_str().ok_or("no access_token")?.to_owned())
}

/// CPU time (user + system) this process has used, from `/proc/self/stat` (Linux; `None` elsewhere). On a shared
/// machine `ops / cpu_seconds` says what the code achieves per core, whatever else competes for the cores.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the `(comm)`, which may contain spaces: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    // USER_HZ is 100 on every mainstream Linux target.
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args = Args::parse();
    let (_sim, base) = match &args.url {
        Some(u) => (None, u.trim_end_matches('/').to_owned()),
        None => {
            let mut c = qod_sim::Config::default();
            c.auth.enabled = args.auth;
            c.auth.clients = vec![qod_sim::ClientCredentials::new(
                qod_sim::DEFAULT_CLIENT_ID,
                qod_sim::DEFAULT_CLIENT_SECRET,
            )];
            let sim = qod_sim::serve(c).await?;
            let base = sim.base_url().to_owned();
            (Some(sim), base)
        }
    };
    let rest = base.strip_prefix("http://").ok_or("only http:// URLs")?;
    let (addr, path) = match rest.find('/') {
        Some(i) => (rest[..i].to_owned(), rest[i..].to_owned()),
        None => (rest.to_owned(), String::new()),
    };
    let token = if args.auth {
        Some(fetch_token(&addr).await?)
    } else {
        None
    };
    eprintln!(
        "loadgen: {} clients for {} s against {base}{}",
        args.clients,
        args.seconds,
        if args.auth { " (auth)" } else { "" }
    );
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let tasks: Vec<_> = (0..args.clients)
        .map(|n| tokio::spawn(client(n, addr.clone(), path.clone(), token.clone(), deadline)))
        .collect();
    let mut total = Stats::default();
    for t in tasks {
        match t.await? {
            Ok(st) => {
                total.ops += st.ops;
                total.errors += st.errors;
                total.micros.extend(st.micros);
            }
            Err(e) => {
                eprintln!("client failed: {e}");
                total.errors += 1;
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    total.micros.sort_unstable();
    let pct = |p: f64| {
        total
            .micros
            .get(((total.micros.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0)
    };
    println!(
        "ops={} errors={} seconds={secs:.2} ops_per_sec={:.0} loops_per_sec={:.0} latency_us p50={} p90={} p99={} max={}",
        total.ops,
        total.errors,
        total.ops as f64 / secs,
        total.ops as f64 / secs / 3.0,
        pct(0.5),
        pct(0.9),
        pct(0.99),
        total.micros.last().copied().unwrap_or(0)
    );
    if let (Some(a), Some(b)) = (cpu_before, cpu_seconds()) {
        let cpu = b - a;
        println!(
            "cpu_seconds={cpu:.2} (of {:.0} available on {} cores) ops_per_cpu_second={:.0}",
            secs * std::thread::available_parallelism().map_or(1, |n| n.get()) as f64,
            std::thread::available_parallelism().map_or(1, |n| n.get()),
            total.ops as f64 / cpu.max(0.01)
        );
    }
    if total.errors > 0 {
        return Err(format!("{} errors", total.errors).into());
    }
    Ok(())
}
