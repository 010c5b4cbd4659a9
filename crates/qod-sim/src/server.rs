//! The accept loop and the handle of a running simulator.
//!
//! The loop is hand-written (rather than `axum::serve`) so that each connection's socket can be wrapped in
//! [`FaultIo`], which is how a connection reset in the middle of a response is injected.
use crate::auth::Auth;
use crate::config::Config;
use crate::faults::{ConnFault, FaultIo, Faults};
use crate::routes::{self, AppState};
use crate::store::{run_timers, Store};
use crate::{notify, Clock};
use axum::body::Body;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tower::ServiceExt as _;

/// A simulator serving on a socket. Dropping it stops the server too; [`RunningSim::shutdown`] also waits for open
/// connections to finish (up to 5 s).
#[derive(Debug)]
pub struct RunningSim {
    addr: SocketAddr,
    root_url: String,
    base_url: String,
    clock: Arc<dyn Clock>,
    store: Arc<Store>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    notifier: Option<JoinHandle<()>>,
}

impl RunningSim {
    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`: where `/oauth/token` is.
    pub fn root_url(&self) -> &str {
        &self.root_url
    }

    /// `http://<addr><base path>`, e.g. `http://127.0.0.1:9091/qod/v0`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `http://<addr>/oauth/token`.
    pub fn token_url(&self) -> String {
        format!("{}/oauth/token", self.root_url)
    }

    /// The clock the simulator judges deadlines by.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Number of sessions currently stored (any status).
    pub fn session_count(&self) -> usize {
        self.store.len()
    }

    /// Stops accepting, lets open connections finish their current request (up to 5 s) and stops the timers and the
    /// notifier (notifications still being retried are dropped).
    pub async fn shutdown(mut self) {
        self.shutdown.send_replace(true);
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
        if let Some(n) = self.notifier.take() {
            n.abort();
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
        if let Some(n) = self.notifier.take() {
            n.abort();
        }
    }
}

/// Binds `config.listen` and serves the API in background tasks on the current tokio runtime.
///
/// # Errors
/// When the address cannot be bound.
///
/// # Panics
/// Never; it must be called within a tokio runtime (as any `async fn` using tokio I/O).
pub async fn serve(config: Config) -> io::Result<RunningSim> {
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let base = config.normalized_base_path();
    let root_url = format!("http://{addr}");
    let base_url = format!("{root_url}{base}");
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| base_url.clone())
        .trim_end_matches('/')
        .to_owned();
    let (events, notifier) = notify::spawn(config.notify.clone(), public_url);
    let store = Arc::new(Store::new(config.requested_delay, config.termination.clone(), events));
    let (shutdown, shutdown_rx) = watch::channel(false);
    let state = Arc::new(AppState {
        store: store.clone(),
        profiles: config.profiles.clone(),
        clock: config.clock.clone(),
    });
    let app = routes::router(
        state,
        Arc::new(Auth::new(&config)),
        Arc::new(Faults::new(&config.faults)),
        &base,
    );
    let timers = tokio::spawn(run_timers(store.clone(), config.clock.clone(), shutdown_rx.clone()));
    let faults_on = !config.faults.rules.is_empty();
    let accept = tokio::spawn(accept_loop(listener, app, faults_on, shutdown_rx));
    tracing::info!(%base_url, auth = config.auth.enabled, "qod-sim listening");
    Ok(RunningSim {
        addr,
        root_url,
        base_url,
        clock: config.clock,
        store,
        shutdown,
        tasks: vec![accept, timers],
        notifier: Some(notifier),
    })
}

async fn accept_loop(listener: TcpListener, app: Router, faults_on: bool, mut shutdown: watch::Receiver<bool>) {
    // Each connection holds a sender; when all are gone, `open.recv()` yields `None`.
    let (open_tx, mut open) = mpsc::channel::<()>(1);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    tokio::spawn(connection(stream, app.clone(), faults_on, shutdown.clone(), open_tx.clone()));
                }
                Err(e) => {
                    // E.g. out of file descriptors: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    drop(open_tx);
    let _ = tokio::time::timeout(Duration::from_secs(5), open.recv()).await;
}

async fn connection(
    stream: TcpStream,
    app: Router,
    faults_on: bool,
    mut shutdown: watch::Receiver<bool>,
    _open: mpsc::Sender<()>,
) {
    let _ = stream.set_nodelay(true);
    let fault = Arc::new(ConnFault::default());
    let io = TokioIo::new(FaultIo::new(stream, fault.clone()));
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        if faults_on {
            req.extensions_mut().insert(fault.clone());
        }
        app.clone().oneshot(req.map(Body::new))
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        // A simulator on loopback needs no slow-client protection, and the per-request timer costs throughput.
        .header_read_timeout(None)
        .serve_connection(io, service);
    tokio::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => {
            if let Err(e) = r {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        _ = shutdown.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}
