//! `qod session keep`: the session keeper on a gateway. QoS for as long as the command runs (or `--for`), with
//! leases extended before they end, losses noticed (polling, or at once from the session's CloudEvents with
//! `--notify-listen`) and recovered, and everything deleted and confirmed gone on SIGINT/SIGTERM. With `--state FILE`
//! a restart after a crash (SIGKILL, power loss) adopts or deletes what the previous run left: no second session,
//! no orphan.
//!
//! Each event is one JSON line on stdout (`{"event":"available","sessionId":…}`); the exit status is 0 after a
//! clean stop.
//!
//! With `--api v1` the keeper speaks quality-on-demand 1.1.0 (`V1Api`): after a create whose answer was lost it
//! finds the session by the device (retrieve-sessions) instead of waiting out the lease. 1.1.0 posts notifications
//! only to an `https://` sink, so `--notify-listen` (plain HTTP) is v0.10.1's; on 1.1.0 the keeper polls.
use crate::gateway::{self, CreateArgs, Credentials, Global};
use qod_client::keeper::{
    Event, Failure, FileStore, Keeper, KeeperConfig, MemoryStore, Notice, Record, ScaledClock, ScaledDelay, SessionApi,
    SessionStore, Signal, Signals, V0Api, V1Api,
};
use qod_client::qod_core::common::{EventQosStatus, QosStatus};
use qod_client::qod_core::model::{CreateSession, QosStatusChanged, Webhook};
use qod_client::tokio::{SystemClock, TokioConnector, TokioDelay};
use qod_client::{Client, ClientCredentials, Clock as _, Config, Es256Signer, RetryPolicy, TokenSource, Url};
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::sync::mpsc;

/// `qod session keep`.
#[derive(Debug, clap::Args)]
pub struct KeepArgs {
    #[command(flatten)]
    create: CreateArgs,
    /// Duration of each session and of each extension, in seconds; a session this gateway loses track of lives at
    /// most this long.
    #[arg(long, value_name = "SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u32).range(2..=86_400))]
    lease: u32,
    /// Extend when this little of the lease is left [default: a quarter of the lease].
    #[arg(long, value_name = "SECONDS")]
    margin: Option<u32>,
    /// Read the session's status this often, in seconds (a notification is acted on at once).
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..))]
    poll: u32,
    /// Keep the session this long, then stop [default: until SIGINT or SIGTERM].
    #[arg(long = "for", value_name = "SECONDS")]
    keep_for: Option<u64>,
    /// Remember the session here (replaced atomically), so that a restart after a crash cleans up.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Receive the session's CloudEvents on this address (HTTP; the bearer token is checked) and act on them at once.
    #[arg(long, value_name = "ADDR")]
    notify_listen: Option<SocketAddr>,
    /// The URL the server posts notifications to [default: http://ADDR/notifications of --notify-listen].
    #[arg(long, value_name = "URL", requires = "notify_listen")]
    notify_url: Option<String>,
    /// The server's clock runs this many times faster (a `qod sim --time-scale N`): leases, margins and polls are
    /// in its seconds.
    #[arg(long, value_name = "N", default_value_t = 1, hide = true)]
    time_scale: u32,
}

/// The store: a file with `--state`, else memory.
enum Store {
    File(FileStore),
    Memory(MemoryStore),
}

impl SessionStore for Store {
    type Error = std::io::Error;

    async fn load(&mut self) -> std::io::Result<Option<Record>> {
        match self {
            Store::File(f) => f.load().await,
            Store::Memory(m) => m.load().await.map_err(|e| match e {}),
        }
    }

    async fn save(&mut self, r: &Record) -> std::io::Result<()> {
        match self {
            Store::File(f) => f.save(r).await,
            Store::Memory(m) => m.save(r).await.map_err(|e| match e {}),
        }
    }

    async fn clear(&mut self) -> std::io::Result<()> {
        match self {
            Store::File(f) => f.clear().await,
            Store::Memory(m) => m.clear().await.map_err(|e| match e {}),
        }
    }
}

/// Signals from SIGINT/SIGTERM and the notification receiver.
struct Inbox(mpsc::UnboundedReceiver<Signal>);

impl Signals for Inbox {
    async fn next(&mut self) -> Signal {
        match self.0.recv().await {
            Some(s) => s,
            None => std::future::pending().await,
        }
    }
}

fn line(v: serde_json::Value) {
    println!("{v}");
}

fn event_json(e: &Event) -> serde_json::Value {
    match e {
        Event::Requested { id } => json!({ "event": "requested", "sessionId": id.as_str() }),
        Event::Available { id, expires_in_s } => {
            json!({ "event": "available", "sessionId": id.as_str(), "expiresInS": expires_in_s })
        }
        Event::Extended { id, expires_in_s } => {
            json!({ "event": "extended", "sessionId": id.as_str(), "expiresInS": expires_in_s })
        }
        Event::Lost { id, why } => json!({ "event": "lost", "sessionId": id.as_str(), "why": why.as_str() }),
        Event::Recovered { id, after_ms } => {
            json!({ "event": "recovered", "sessionId": id.as_str(), "afterMs": after_ms })
        }
        Event::Adopted { id } => json!({ "event": "adopted", "sessionId": id.as_str() }),
        Event::Deleted { id } => json!({ "event": "deleted", "sessionId": id.as_str() }),
        Event::Unresolved { .. } => json!({ "event": "unresolved" }),
        Event::Retrying { request, why, in_ms } => {
            let mut v = json!({ "event": "retrying", "request": request.as_str(), "inMs": in_ms });
            let (why, status, retry_after) = match why {
                Failure::Busy { retry_after_s } => ("busy", None, *retry_after_s),
                Failure::Refused { status } => ("refused", Some(*status), None),
                Failure::Conflict => ("conflict", Some(409), None),
                Failure::NotSent => ("not-sent", None, None),
                Failure::Ambiguous => ("no-answer", None, None),
                Failure::Store => ("store", None, None),
                _ => ("other", None, None),
            };
            v["why"] = json!(why);
            if let Some(s) = status {
                v["status"] = json!(s);
            }
            if let Some(r) = retry_after {
                v["retryAfterS"] = json!(r);
            }
            v
        }
        Event::Stopped { clean } => json!({ "event": "stopped", "clean": clean }),
        other => json!({ "event": "other", "detail": format!("{other:?}") }),
    }
}

/// A random token for the webhook (64 hex digits from the OS).
fn random_token() -> String {
    use rand_core::RngCore as _;
    let mut b = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The notification receiver: `POST` (any path) with `Authorization: Bearer <token>` and a v0.10.1
/// `qos-status-changed` CloudEvent; 204, or 401 / 400.
async fn serve_notifications(
    listener: tokio::net::TcpListener,
    token: String,
    tx: mpsc::UnboundedSender<Signal>,
) -> std::io::Result<()> {
    use axum::http::{header, HeaderMap, StatusCode};
    let expected = format!("Bearer {token}");
    let handler = move |headers: HeaderMap, body: axum::body::Bytes| {
        let tx = tx.clone();
        let expected = expected.clone();
        async move {
            let auth = headers
                .get(header::AUTHORIZATION)
                .map(|v| v.as_bytes())
                .unwrap_or_default();
            // Same length, then every byte compared whatever the first difference.
            let ok = auth.len() == expected.len()
                && auth
                    .iter()
                    .zip(expected.as_bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0;
            if !ok {
                tracing::warn!("notification refused: bad or missing bearer token");
                return StatusCode::UNAUTHORIZED;
            }
            let event: QosStatusChanged = match qod_client::qod_core::decode(&body) {
                Ok(e) => e,
                Err(e) => {
                    tracing::warn!(error = %e, "notification refused: not a qos-status-changed CloudEvent");
                    return StatusCode::BAD_REQUEST;
                }
            };
            let status = match event.data.qos_status {
                EventQosStatus::Available => QosStatus::Available,
                EventQosStatus::Unavailable => QosStatus::Unavailable,
                _ => return StatusCode::NO_CONTENT,
            };
            let _ = tx.send(Signal::Notice(Notice::new(
                event.data.session_id,
                status,
                event.data.status_info,
            )));
            StatusCode::NO_CONTENT
        }
    };
    let app = axum::Router::new().fallback(axum::routing::post(handler));
    axum::serve(listener, app).await
}

/// Runs `qod session keep`.
///
/// # Errors
/// A readable message: bad flags, an unreadable state file, or a stop that could not confirm every session gone.
pub async fn run(g: &Global, args: KeepArgs, api: crate::Api) -> Result<(), String> {
    if args.create.duration.is_some() {
        return Err("--duration: the keeper asks for --lease seconds at a time".into());
    }
    match api {
        crate::Api::V0 => {
            let mut body: CreateSession = args.create.body()?;
            let inbox = notifications(&args, &mut body).await?;
            keep_with(g, &args, V0Api::new(body), inbox, gateway::server_url(g)?).await
        }
        crate::Api::V1 => {
            if args.notify_listen.is_some() {
                return Err(
                    "--notify-listen: quality-on-demand 1.1.0 posts notifications only to an https:// sink; \
                            without it the keeper polls (--poll)"
                        .into(),
                );
            }
            let body = crate::gateway_v1::create_body_for(&args.create, args.lease)?;
            let (tx, rx) = mpsc::unbounded_channel();
            stop_on_signals(tx)?;
            keep_with(g, &args, V1Api::new(body), Inbox(rx), crate::gateway_v1::server_url(g)?).await
        }
    }
}

/// The keeper's inbox: SIGINT/SIGTERM, and with `--notify-listen` the session's notifications (the receiver's URL
/// and token go into `body`'s webhook).
async fn notifications(args: &KeepArgs, body: &mut CreateSession) -> Result<Inbox, String> {
    let (tx, rx) = mpsc::unbounded_channel();

    if let Some(addr) = args.notify_listen {
        if args.create.webhook_url.is_some() {
            return Err("--webhook-url and --notify-listen: give one (the keeper's receiver is the webhook)".into());
        }
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("--notify-listen {addr}: {e}"))?;
        let bound = listener.local_addr().map_err(|e| e.to_string())?;
        let url = args
            .notify_url
            .clone()
            .unwrap_or_else(|| format!("http://{bound}/notifications"));
        let token = random_token();
        let webhook = Webhook::new(&url)
            .and_then(|w| w.with_auth_token(&token))
            .map_err(|e| format!("--notify-url: {e}"))?;
        body.webhook = Some(webhook);
        line(json!({ "event": "listening", "notificationUrl": url }));
        let tx = tx.clone();
        tokio::spawn(async move {
            if let Err(e) = serve_notifications(listener, token, tx).await {
                tracing::error!(error = %e, "notification receiver stopped");
            }
        });
    }

    stop_on_signals(tx)?;
    Ok(Inbox(rx))
}

/// SIGINT / SIGTERM: stop (a second one is ignored by the keeper; SIGKILL ends it at once).
fn stop_on_signals(tx: mpsc::UnboundedSender<Signal>) -> Result<(), String> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut int = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
    let mut term = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            if tx.send(Signal::Stop).is_err() {
                return;
            }
        }
    });
    Ok(())
}

/// Runs the keeper with `api`'s operations against `server` until it stops.
async fn keep_with<A: SessionApi>(
    g: &Global,
    args: &KeepArgs,
    api: A,
    mut inbox: Inbox,
    server: &str,
) -> Result<(), String> {
    let store = match &args.state {
        Some(p) => Store::File(FileStore::new(p)),
        None => Store::Memory(MemoryStore::default()),
    };
    let mut config = KeeperConfig::new(args.lease);
    if let Some(m) = args.margin {
        config.margin_s = m;
    }
    config.poll_ms = args.poll.saturating_mul(1000);
    config.seed = {
        use rand_core::RngCore as _;
        rand_core::OsRng.next_u64()
    };
    let scale = args.time_scale.max(1);
    let clock = ScaledClock::new(SystemClock::new(), scale);
    let mut keeper = Keeper::new(api, store, clock, ScaledDelay::new(TokioDelay, scale), config);
    if let Some(s) = args.keep_for {
        let until = keeper.clock().now_ms().saturating_add(s.saturating_mul(1000));
        keeper.machine_mut().keep_until(until);
    }
    let url = Url::parse(server).map_err(|e| e.to_string())?;
    let mut cfg = Config::new(url);
    cfg.timeout_ms = g.timeout.saturating_mul(1000);
    cfg.retry = RetryPolicy::NONE;
    let (mut txb, mut rxb) = (vec![0u8; 8192], vec![0u8; 64 * 1024]);
    let connector: TokioConnector = gateway::connector(g)?;
    let token_clock = SystemClock::new();
    let token_url = g.token_url.clone().unwrap_or_else(|| gateway::default_token_url(&url));
    let client = Client::new(&connector, TokioDelay, cfg, &mut txb, &mut rxb);
    let clean = match gateway::credentials(g)? {
        Credentials::Token(token) => {
            let mut c = client;
            c.set_token(token.as_deref());
            keep(&mut keeper, c, &mut inbox).await?
        }
        Credentials::Secret { id, secret } => {
            let tokens = match g.auth_method {
                gateway::AuthMethod::Basic => ClientCredentials::basic(&token_url, &id, &secret, &token_clock),
                gateway::AuthMethod::Post => ClientCredentials::post(&token_url, &id, &secret, &token_clock),
            }
            .map_err(|e| format!("--token-url {token_url}: {e}"))?
            .with_capacity::<4096>();
            let tokens = match &g.scope {
                Some(s) => tokens.with_scope(s),
                None => tokens,
            };
            keep(&mut keeper, client.with_token_source(tokens), &mut inbox).await?
        }
        Credentials::Key { id, pem } => {
            let signer =
                Es256Signer::from_pem(&pem, rand_core::OsRng).map_err(|e| format!("--client-key-file: {e}"))?;
            let tokens = ClientCredentials::private_key_jwt(&token_url, &id, signer, g.key_id.as_deref(), &token_clock)
                .map_err(|e| format!("--token-url {token_url}: {e}"))?
                .with_capacity::<4096>();
            let tokens = match &g.scope {
                Some(s) => tokens.with_scope(s),
                None => tokens,
            };
            keep(&mut keeper, client.with_token_source(tokens), &mut inbox).await?
        }
    };
    if clean {
        Ok(())
    } else {
        Err("stopped without confirming that every session is gone (see the events above)".into())
    }
}

type CliKeeper<A> = Keeper<A, Store, ScaledClock<SystemClock>, ScaledDelay<TokioDelay>>;

async fn keep<A: SessionApi, T: TokenSource>(
    keeper: &mut CliKeeper<A>,
    mut client: Client<'_, TokioConnector, TokioDelay, T>,
    inbox: &mut Inbox,
) -> Result<bool, String> {
    let out = keeper
        .run(&mut client, inbox, |e| line(event_json(e)))
        .await
        .map_err(|e| format!("--state: {e}"));
    client.close().await;
    out
}
