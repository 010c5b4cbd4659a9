//! `qod sim`: runs the simulator until Ctrl-C or SIGTERM.
use qod_sim::{ClientCredentials, Config, FaultRule, DEFAULT_CLIENT_ID};
use std::io::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

/// Options of `qod sim`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:9091")]
    listen: SocketAddr,
    /// Base path of the API.
    #[arg(long, default_value = "/qod/v0")]
    base_path: String,
    /// Serve without authentication (no token needed; all sessions belong to one anonymous client).
    #[arg(long)]
    no_auth: bool,
    /// An OAuth2 client as ID:SECRET (repeatable). Default: the development client `demo-client:demo-secret`.
    #[arg(long = "client", value_name = "ID:SECRET")]
    clients: Vec<ClientCredentials>,
    /// Milliseconds a new session stays REQUESTED before it becomes AVAILABLE (0: AVAILABLE at once).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    requested_delay: u64,
    /// Lifetime of access tokens in seconds.
    #[arg(long, value_name = "S", default_value_t = 3600)]
    token_lifetime: u64,
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
    /// Seconds a terminated session stays readable before deletion.
    #[arg(long, value_name = "S", default_value_t = 360)]
    terminated_retention: u64,
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
}

impl Args {
    fn config(self) -> Config {
        let mut c = Config {
            listen: self.listen,
            base_path: self.base_path,
            ..Config::default()
        };
        c.auth.enabled = !self.no_auth;
        c.auth.clients = self.clients;
        c.auth.token_lifetime = Duration::from_secs(self.token_lifetime);
        c.requested_delay = Duration::from_millis(self.requested_delay);
        c.termination.profile = self.terminate_profile;
        c.termination.probability = self.terminate_probability.clamp(0.0, 1.0);
        c.termination.seed = self.terminate_seed;
        c.termination.after = self.terminate_after.map(Duration::from_secs);
        c.termination.retention = Duration::from_secs(self.terminated_retention);
        c.faults.rules = self.faults;
        c.notify.max_attempts = self.notify_attempts.max(1);
        if self.no_test_profiles {
            c.profiles = qod_sim::profiles::active_catalogue();
        }
        c
    }
}

/// Runs the simulator; prints the base URL as the first line of stdout once it accepts connections.
pub async fn run(args: Args) -> Result<(), String> {
    let config = args.config();
    if config.auth.enabled {
        if config.auth.clients.is_empty() {
            tracing::warn!(
                client_id = DEFAULT_CLIENT_ID,
                "no --client given: accepting the documented development client (see `qod sim --help`)"
            );
        } else {
            let ids: Vec<&str> = config.auth.clients.iter().map(|c| c.id.as_str()).collect();
            tracing::info!(clients = ?ids, "accepting clients");
        }
    }
    // Install the signal handlers before announcing the URL: a script may send SIGTERM as soon as it reads it.
    let stop = Signals::install();
    let sim = qod_sim::serve(config)
        .await
        .map_err(|e| format!("cannot start the simulator: {e}"))?;
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
