//! The accept loop and the handle of a running simulator.
//!
//! The loop is hand-written (rather than `axum::serve`) so that each connection's socket can be wrapped in
//! [`FaultIo`], which is how a connection reset in the middle of a response is injected.
use crate::auth::Auth;
use crate::config::Config;
use crate::conns::{ConnGuard, Registry};
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
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt as _;

/// A simulator serving on a socket. Dropping it stops the server too; [`RunningSim::shutdown`] also waits for open
/// connections to finish (up to 5 s).
#[derive(Debug)]
pub struct RunningSim {
    addr: SocketAddr,
    root_url: String,
    ca_cert_pem: Option<String>,
    base_url: String,
    clock: Arc<dyn Clock>,
    store: Arc<Store>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    notifier: Option<JoinHandle<()>>,
    sweeper: Option<JoinHandle<()>>,
}

impl RunningSim {
    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>` (`https://` with TLS): where `/oauth/token` is, and the API root of the 1.1.0 APIs
    /// (`{root}/quality-on-demand/v1`, `{root}/qos-profiles/v1`).
    pub fn root_url(&self) -> &str {
        &self.root_url
    }

    /// `http://<addr><base path>` (`https://` with TLS), e.g. `http://127.0.0.1:9091/qod/v0`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `http://<addr>/oauth/token` (`https://` with TLS).
    pub fn token_url(&self) -> String {
        format!("{}/oauth/token", self.root_url)
    }

    /// Whether the simulator serves HTTPS.
    pub fn is_tls(&self) -> bool {
        self.root_url.starts_with("https:")
    }

    /// With TLS and a generated certificate: the CA certificate (PEM) that clients must trust.
    pub fn ca_cert_pem(&self) -> Option<&str> {
        self.ca_cert_pem.as_deref()
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
        for t in [self.notifier.take(), self.sweeper.take()].into_iter().flatten() {
            t.abort();
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
        for t in [self.notifier.take(), self.sweeper.take()].into_iter().flatten() {
            t.abort();
        }
    }
}

/// Binds `config.listen` and serves the API in background tasks on the current tokio runtime.
///
/// # Errors
/// When the configuration is invalid ([`Config::validate`]; `InvalidInput`), the TLS certificate cannot be made or
/// read, or the address cannot be bound.
///
/// # Panics
/// Never; it must be called within a tokio runtime (as any `async fn` using tokio I/O).
pub async fn serve(config: Config) -> io::Result<RunningSim> {
    config
        .validate()
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let (tls, ca_cert_pem) = match &config.tls {
        Some(t) => {
            let (server, ca) = crate::tls::server_config(t)?;
            (Some(TlsAcceptor::from(server)), ca)
        }
        None => (None, None),
    };
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let base = config.normalized_base_path();
    let scheme = if tls.is_some() { "https" } else { "http" };
    let root_url = format!("{scheme}://{addr}");
    let base_url = format!("{root_url}{base}");
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| base_url.clone())
        .trim_end_matches('/')
        .to_owned();
    let (events, notifier) = notify::spawn(config.notify.clone(), public_url, root_url.clone());
    let store = Arc::new(Store::new(config.requested_delay, config.termination.clone(), events));
    let (shutdown, shutdown_rx) = watch::channel(false);
    let state = Arc::new(AppState {
        store: store.clone(),
        profiles: config.profiles.clone(),
        profiles_v1: crate::profiles::v1_catalogue(&config.profiles),
        clock: config.clock.clone(),
    });
    let app = routes::router(
        state,
        Arc::new(Auth::new(&config, scheme)),
        Arc::new(Faults::new(&config.faults)),
        &base,
        &config,
    );
    let timers = tokio::spawn(run_timers(store.clone(), config.clock.clone(), shutdown_rx.clone()));
    let registry = Registry::new(config.limits);
    let sweeper = tokio::spawn(registry.clone().sweep());
    let server = Server {
        app,
        faults_on: !config.faults.rules.is_empty(),
        tls,
        limits: config.limits,
        registry,
    };
    let accept = tokio::spawn(accept_loop(listener, Arc::new(server), shutdown_rx));
    tracing::info!(%base_url, auth = config.auth.enabled, tls = config.tls.is_some(), "qod-sim listening");
    Ok(RunningSim {
        addr,
        root_url,
        ca_cert_pem,
        base_url,
        clock: config.clock,
        store,
        shutdown,
        tasks: vec![accept, timers],
        notifier: Some(notifier),
        sweeper: Some(sweeper),
    })
}

/// What every connection task needs.
struct Server {
    app: Router,
    faults_on: bool,
    tls: Option<TlsAcceptor>,
    limits: crate::ConnLimits,
    registry: Arc<Registry>,
}

async fn accept_loop(listener: TcpListener, server: Arc<Server>, mut shutdown: watch::Receiver<bool>) {
    // Each connection holds a sender; when all are gone, `open.recv()` yields `None`.
    let (open_tx, mut open) = mpsc::channel::<()>(1);
    loop {
        // At the connection cap: make room (close the connection idle the longest) or wait for it.
        tokio::select! {
            () = server.registry.wait_for_room() => {}
            _ = shutdown.changed() => break,
        }
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let guard = server.registry.register();
                    tokio::spawn(connection(stream, server.clone(), guard, shutdown.clone(), open_tx.clone()));
                }
                Err(e) => {
                    // E.g. out of file descriptors: free one held by an idle connection and back off instead of
                    // spinning.
                    tracing::warn!(error = %e, "accept failed");
                    server.registry.evict_oldest_idle();
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

/// A plain TCP or a TLS connection.
pub(crate) enum Conn {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

impl Conn {
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Conn::Plain(s) => s,
            Conn::Tls(s) => s.get_ref().0,
        }
    }
}

impl AsyncRead for Conn {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

async fn connection(
    stream: TcpStream,
    server: Arc<Server>,
    guard: ConnGuard,
    mut shutdown: watch::Receiver<bool>,
    _open: mpsc::Sender<()>,
) {
    let _ = stream.set_nodelay(true);
    let state = guard.state.clone();
    let conn = match &server.tls {
        None => Conn::Plain(stream),
        Some(acceptor) => {
            // The handshake counts as idle time: the sweeper closes a connection that stalls in it.
            tokio::select! {
                r = acceptor.accept(stream) => match r {
                    Ok(s) => Conn::Tls(Box::new(s)),
                    Err(e) => {
                        tracing::info!(error = %e, "TLS handshake failed");
                        return;
                    }
                },
                () = state.close.notified() => return,
            }
        }
    };
    let fault = Arc::new(ConnFault::default());
    let io = TokioIo::new(FaultIo::new(conn, fault.clone()));
    let faults_on = server.faults_on;
    let app = server.app.clone();
    let registry = guard.registry().clone();
    let busy_state = state.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        let busy = ConnGuard::busy(&registry, &busy_state);
        if faults_on {
            req.extensions_mut().insert(fault.clone());
        }
        let fut = app.clone().oneshot(req.map(Body::new));
        async move {
            let res = fut.await;
            drop(busy);
            res
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        // Head-read and idle time are bounded by the connection registry's sweeper (no timer per request).
        .header_read_timeout(None)
        .max_buf_size(server.limits.max_head_bytes.max(8192))
        .serve_connection(io, service);
    tokio::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => {
            if let Err(e) = r {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        () = state.close.notified() => {
            tracing::debug!("connection closed: idle or request timeout, or room made for another");
        }
        _ = shutdown.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
    drop(guard);
}
