//! `qod sim`: runs the simulator until Ctrl-C or SIGTERM.
use qod_sim::{
    ClientCredentials, Config, ConnLimits, FaultRule, JwtClient, ScaledClock, TlsConfig, TlsIdentity, TlsVersions,
};
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Options of `qod sim`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:9091")]
    listen: SocketAddr,
    /// Base path of the API: `/`-separated segments of ASCII letters, digits, `-`, `.`, `_`, `~`.
    #[arg(long, default_value = "/qod/v0", value_parser = base_path)]
    base_path: String,
    /// Serve without authentication (no token needed; all sessions belong to one anonymous client).
    #[arg(long)]
    no_auth: bool,
    /// An OAuth2 client with a secret, as ID:SECRET (repeatable). Visible to other local users in the process
    /// list: prefer --client-file. With auth on, at least one client (--client, --client-file or --client-key) is
    /// required; none is accepted implicitly.
    #[arg(long = "client", value_name = "ID:SECRET")]
    clients: Vec<String>,
    /// A file of OAuth2 clients with secrets: one ID:SECRET per line, `#` comments (repeatable).
    #[arg(long = "client-file", value_name = "FILE")]
    client_files: Vec<PathBuf>,
    /// A `private_key_jwt` client (RFC 7523): its id and a file with its public key, SubjectPublicKeyInfo PEM,
    /// ECDSA P-256 (ES256) or RSA (RS256) (repeatable).
    #[arg(long = "client-key", value_name = "ID:PUBLIC_KEY_PEM_FILE")]
    client_keys: Vec<String>,
    /// Lifetime of access tokens in (simulated) seconds; an expired token gets 401 UNAUTHENTICATED.
    #[arg(
        long = "token-ttl",
        alias = "token-lifetime",
        value_name = "SECONDS",
        default_value_t = 3600
    )]
    token_ttl: u64,
    /// Serve HTTPS (TLS 1.2 and 1.3): with a CA and a server certificate (ECDSA P-256) made at start for
    /// localhost, 127.0.0.1 and 10.0.2.2, unless --tls-cert/--tls-key are given.
    #[arg(long)]
    tls: bool,
    /// Write the generated CA certificate (PEM) to FILE before the base URL is printed.
    #[arg(long, value_name = "FILE", requires = "tls", conflicts_with = "tls_cert")]
    ca_out: Option<PathBuf>,
    /// Serve this certificate chain (PEM, leaf first) instead of a generated one (implies --tls).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// TLS versions to accept: 1.2, 1.3 or 1.2,1.3.
    #[arg(long, value_name = "VERSIONS", default_value = "1.2,1.3")]
    tls_versions: TlsVersions,
    /// Another name (DNS name or IP address) for the generated certificate (repeatable).
    #[arg(long = "tls-name", value_name = "NAME", conflicts_with = "tls_cert")]
    tls_names: Vec<String>,
    /// Largest TLS record plaintext the server sends (32..=16384; default 16384). Devices with small TLS receive
    /// buffers need e.g. 4096.
    #[arg(long, value_name = "BYTES")]
    tls_max_fragment: Option<usize>,
    /// Milliseconds a new session stays REQUESTED before it becomes AVAILABLE (0: AVAILABLE at once).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    requested_delay: u64,
    /// The network terminates every session of this QoS profile (UNAVAILABLE, NETWORK_TERMINATED).
    #[arg(long, value_name = "NAME")]
    terminate_profile: Option<String>,
    /// The network also terminates each new session with this probability (0..=1).
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    terminate_probability: f64,
    /// Seed of the termination RNG.
    #[arg(long, value_name = "SEED", default_value_t = 0)]
    terminate_seed: u64,
    /// Terminate sessions this many seconds after their start (default: the network fails to provide them, so they
    /// go REQUESTED → UNAVAILABLE).
    #[arg(long, value_name = "S")]
    terminate_after: Option<u64>,
    /// With --terminate-after: terminate at a random time (seeded) between --terminate-after and this many seconds
    /// after the start.
    #[arg(long, value_name = "S", requires = "terminate_after")]
    terminate_after_max: Option<u64>,
    /// Seconds a terminated session stays readable before deletion.
    #[arg(long, value_name = "S", default_value_t = 360)]
    terminated_retention: u64,
    /// Simulated time runs N times as fast as real time (durations, expiries, requested delay, token lifetimes).
    #[arg(long, value_name = "N", default_value_t = 1.0, value_parser = time_scale)]
    time_scale: f64,
    /// Serve the admin endpoints: GET /_sim/sessions (every live session with its owner and expiry) and
    /// POST /_sim/sessions/{id}/terminate. No authentication: a test aid, never expose it.
    #[arg(long)]
    admin: bool,
    /// Fault injection rule (repeatable): KIND[=ARG][,every=N | ,p=P[,seed=S]] with KIND one of latency (ARG ms),
    /// 503 / 429 (ARG Retry-After seconds), reset, chunked (ARG chunks). E.g. `--fault 503=2,every=5`.
    #[arg(long = "fault", value_name = "RULE")]
    faults: Vec<FaultRule>,
    /// Leave out the two test profiles (QOS_LEGACY, DEPRECATED; QOS_TEST_INACTIVE, INACTIVE): only the 9 ACTIVE ones.
    #[arg(long)]
    no_test_profiles: bool,
    /// Webhook delivery attempts per event.
    #[arg(long, value_name = "N", default_value_t = 5)]
    notify_attempts: u32,
    /// Most connections open at once; at the cap the connection idle the longest is closed to make room.
    #[arg(long, value_name = "N", default_value_t = ConnLimits::default().max_connections)]
    max_connections: usize,
    /// Seconds a connection may stay without a request in progress (also bounds a request head and a TLS handshake).
    #[arg(long, value_name = "S", default_value_t = ConnLimits::default().idle_timeout.as_secs())]
    idle_timeout: u64,
    /// Largest request body in bytes (a larger one gets 413).
    #[arg(long, value_name = "BYTES", default_value_t = ConnLimits::default().max_body_bytes)]
    max_body: usize,
}

fn base_path(s: &str) -> Result<String, String> {
    qod_sim::validate_base_path(s).map(|()| s.to_owned())
}

fn time_scale(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 1e6 => Ok(v),
        _ => Err("expected a number greater than 0 and at most 1000000".into()),
    }
}

impl Args {
    fn config(self) -> Result<Config, String> {
        let mut c = Config {
            listen: self.listen,
            base_path: self.base_path,
            admin: self.admin,
            ..Config::default()
        };
        c.auth.enabled = !self.no_auth;
        for (i, spec) in self.clients.iter().enumerate() {
            // Parsed here rather than by clap, whose error would quote the value (a secret).
            let client = spec
                .parse::<ClientCredentials>()
                .map_err(|e| format!("--client (occurrence {}): {e}; the value is not shown", i + 1))?;
            c.auth.clients.push(client);
        }
        for f in &self.client_files {
            let text = std::fs::read_to_string(f).map_err(|e| format!("--client-file {}: {e}", f.display()))?;
            let clients =
                ClientCredentials::parse_file(&text).map_err(|e| format!("--client-file {}: {e}", f.display()))?;
            c.auth.clients.extend(clients);
        }
        for spec in &self.client_keys {
            let Some((id, file)) = spec.split_once(':').filter(|(id, f)| !id.is_empty() && !f.is_empty()) else {
                return Err(format!("--client-key {spec}: expected ID:PUBLIC_KEY_PEM_FILE"));
            };
            let pem = std::fs::read_to_string(file).map_err(|e| format!("--client-key {id}: {file}: {e}"))?;
            let client =
                JwtClient::from_public_key_pem(id, &pem).map_err(|e| format!("--client-key {id}: {file}: {e}"))?;
            c.auth.jwt_clients.push(client);
        }
        c.auth.token_lifetime = Duration::from_secs(self.token_ttl);
        if self.tls || self.tls_cert.is_some() {
            let identity = match (&self.tls_cert, &self.tls_key) {
                (Some(cert), Some(key)) => Some(TlsIdentity::from_pem_files(cert, key).map_err(|e| e.to_string())?),
                _ => None,
            };
            c.tls = Some(TlsConfig {
                identity,
                extra_names: self.tls_names,
                versions: self.tls_versions,
                max_fragment_size: self.tls_max_fragment,
            });
        }
        c.requested_delay = Duration::from_millis(self.requested_delay);
        c.termination.profile = self.terminate_profile;
        c.termination.probability = self.terminate_probability.clamp(0.0, 1.0);
        c.termination.seed = self.terminate_seed;
        c.termination.after = self.terminate_after.map(Duration::from_secs);
        c.termination.after_max = self.terminate_after_max.map(Duration::from_secs);
        c.termination.retention = Duration::from_secs(self.terminated_retention);
        c.faults.rules = self.faults;
        c.notify.max_attempts = self.notify_attempts.max(1);
        if self.no_test_profiles {
            c.profiles = qod_sim::profiles::active_catalogue();
        }
        if self.time_scale != 1.0 {
            c.clock = ScaledClock::new(self.time_scale);
        }
        c.limits.max_connections = self.max_connections.max(1);
        c.limits.idle_timeout = Duration::from_secs(self.idle_timeout.max(1));
        c.limits.max_body_bytes = self.max_body;
        c.validate()?;
        Ok(c)
    }
}

/// Runs the simulator; prints the base URL as the first line of stdout once it accepts connections.
pub async fn run(args: Args) -> Result<(), String> {
    let ca_out = args.ca_out.clone();
    let config = args.config()?;
    if config.auth.enabled {
        if !config.auth.has_clients() {
            return Err(
                "auth is on but no client is registered: give --client-file FILE, --client ID:SECRET or \
                 --client-key ID:PEM_FILE (or --no-auth)"
                    .into(),
            );
        }
        let ids: Vec<&str> = config.auth.clients.iter().map(|c| c.id.as_str()).collect();
        let jwt: Vec<&str> = config.auth.jwt_clients.iter().map(|c| c.id.as_str()).collect();
        tracing::info!(clients = ?ids, jwt_clients = ?jwt, "accepting clients");
    }
    // Install the signal handlers before announcing the URL: a script may send SIGTERM as soon as it reads it.
    let stop = Signals::install();
    let sim = qod_sim::serve(config)
        .await
        .map_err(|e| format!("cannot start the simulator: {e}"))?;
    if let (Some(path), Some(pem)) = (&ca_out, sim.ca_cert_pem()) {
        std::fs::write(path, pem).map_err(|e| format!("--ca-out {}: {e}", path.display()))?;
        tracing::info!(path = %path.display(), "wrote the CA certificate");
    }
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", sim.base_url())
            .and_then(|_| out.flush())
            .map_err(|e| format!("stdout: {e}"))?;
    }
    tracing::info!(token_url = %sim.token_url(), "ready; Ctrl-C or SIGTERM stops");
    stop.wait().await;
    tracing::info!("shutting down");
    sim.shutdown().await;
    Ok(())
}

/// Ctrl-C (SIGINT) and, on Unix, SIGTERM, registered up front.
struct Signals {
    #[cfg(unix)]
    streams: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Signals {
    fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let streams = signal(SignalKind::interrupt()).and_then(|i| Ok((i, signal(SignalKind::terminate())?)));
            Signals { streams: streams.ok() }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    async fn wait(self) {
        #[cfg(unix)]
        if let Some((mut int, mut term)) = self.streams {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
