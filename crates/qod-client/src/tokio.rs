//! Host transport (feature `tokio`): the same client over `tokio::net::TcpStream`, for gateways and tools.
//!
//! [`TokioConnector`] implements [`Connect`]; its connections ([`TokioConnection`]) go through
//! `embedded-io-adapters`' `FromTokio`. With the `rustls` feature, [`TokioConnector::with_tls`] serves `https://`
//! URLs over rustls (TLS 1.2 and 1.3, certificates checked against the web roots and any CA added with
//! [`tls_config`]). [`TokioDelay`] implements `DelayNs` with `tokio::time::sleep`. Needs a tokio runtime with the
//! `time` and `net` drivers enabled.
use crate::{Connect, Connection};
use embedded_io_adapters::tokio_1::FromTokio;
use qod_core::http::Url;
use std::io;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Connects with `TCP_NODELAY` to the URL's host (resolved by tokio on every connect) and port; `https://` URLs
/// over rustls when made [`with_tls`](Self::with_tls), else refused with [`io::ErrorKind::Unsupported`].
#[derive(Default)]
pub struct TokioConnector {
    connects: AtomicU32,
    #[cfg(feature = "rustls")]
    tls: Option<tokio_rustls::TlsConnector>,
}

impl std::fmt::Debug for TokioConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("TokioConnector");
        d.field("connects", &self.connects());
        #[cfg(feature = "rustls")]
        d.field("tls", &self.tls.is_some());
        d.finish()
    }
}

impl TokioConnector {
    /// A connector; nothing happens until the client's first request.
    pub fn new() -> Self {
        Self::default()
    }

    /// A connector that also serves `https://` URLs with `config` (see [`tls_config`]).
    #[cfg(feature = "rustls")]
    pub fn with_tls(config: std::sync::Arc<rustls::ClientConfig>) -> Self {
        TokioConnector {
            connects: AtomicU32::new(0),
            tls: Some(tokio_rustls::TlsConnector::from(config)),
        }
    }

    /// TCP connections opened so far (to check connection reuse).
    pub fn connects(&self) -> u32 {
        self.connects.load(Ordering::Relaxed)
    }
}

impl Connect for TokioConnector {
    type Error = io::Error;
    type Connection<'a> = TokioConnection;

    async fn connect(&self, to: &Url<'_>) -> io::Result<TokioConnection> {
        #[cfg(feature = "rustls")]
        let tls = match (&self.tls, to.https) {
            (Some(tls), true) => {
                let name = rustls_pki_types::ServerName::try_from(to.host.to_owned()).map_err(|e| {
                    io::Error::new(io::ErrorKind::InvalidInput, format!("TLS server name {}: {e}", to.host))
                })?;
                Some((tls, name))
            }
            _ => None,
        };
        #[cfg(not(feature = "rustls"))]
        let tls: Option<((), ())> = None;
        if to.https && tls.is_none() {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "an https:// server needs a TLS connector",
            ));
        }
        let s = TcpStream::connect((to.host, to.port)).await?;
        s.set_nodelay(true)?;
        self.connects.fetch_add(1, Ordering::Relaxed);
        match tls {
            #[cfg(feature = "rustls")]
            Some((tls, name)) => {
                let stream = tls.connect(name, s).await.map_err(|e| tls_error(to, e))?;
                Ok(TokioConnection(Stream::Tls(Box::new(FromTokio::new(stream)))))
            }
            _ => Ok(TokioConnection(Stream::Plain(FromTokio::new(s)))),
        }
    }
}

/// A rustls handshake error with what to do about it (the certificate problem is named by rustls).
#[cfg(feature = "rustls")]
fn tls_error(to: &Url<'_>, e: io::Error) -> io::Error {
    let text = e.to_string();
    let hint = if text.contains("UnknownIssuer") || text.contains("invalid peer certificate") {
        " (the server's certificate is not trusted: pass its CA with --ca-file / tls_config)"
    } else {
        ""
    };
    io::Error::new(
        e.kind(),
        format!("TLS handshake with {}:{} failed: {text}{hint}", to.host, to.port),
    )
}

/// A rustls client configuration trusting the web roots (Mozilla's, from `webpki-roots`) and the CA certificates
/// in `extra_ca_pem` (PEM, any number), TLS 1.2 and 1.3, with the ring provider.
///
/// # Errors
/// [`io::ErrorKind::InvalidData`] for PEM without a certificate or with one rustls refuses.
#[cfg(feature = "rustls")]
pub fn tls_config(extra_ca_pem: Option<&[u8]>) -> io::Result<std::sync::Arc<rustls::ClientConfig>> {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = extra_ca_pem {
        let mut n = 0;
        for cert in rustls_pki_types::CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("CA file: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("CA file: {e}")))?;
            n += 1;
        }
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "CA file: no PEM certificate in it",
            ));
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| io::Error::other(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(std::sync::Arc::new(config))
}

enum Stream {
    Plain(FromTokio<TcpStream>),
    #[cfg(feature = "rustls")]
    Tls(Box<FromTokio<tokio_rustls::client::TlsStream<TcpStream>>>),
}

/// One connection of a [`TokioConnector`], TCP or TLS. Dropping it closes the socket at once.
pub struct TokioConnection(Stream);

impl TokioConnection {
    fn tcp(&self) -> &TcpStream {
        match &self.0 {
            Stream::Plain(s) => s.inner(),
            #[cfg(feature = "rustls")]
            Stream::Tls(s) => s.inner().get_ref().0,
        }
    }

    /// Whether this is a TLS connection.
    pub fn is_tls(&self) -> bool {
        !matches!(self.0, Stream::Plain(_))
    }
}

impl std::fmt::Debug for TokioConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokioConnection")
            .field("tcp", self.tcp())
            .field("tls", &self.is_tls())
            .finish()
    }
}

impl embedded_io_async::ErrorType for TokioConnection {
    type Error = io::Error;
}

impl embedded_io_async::Read for TokioConnection {
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.0 {
            Stream::Plain(s) => s.read(buf).await,
            #[cfg(feature = "rustls")]
            Stream::Tls(s) => match s.read(buf).await {
                // A peer that closes without close_notify: the end of the response (the HTTP framing decides
                // whether it was complete), as over plain TCP.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
                r => r,
            },
        }
    }
}

impl embedded_io_async::Write for TokioConnection {
    async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.0 {
            Stream::Plain(s) => s.write(buf).await,
            #[cfg(feature = "rustls")]
            Stream::Tls(s) => s.write(buf).await,
        }
    }

    async fn flush(&mut self) -> io::Result<()> {
        match &mut self.0 {
            Stream::Plain(s) => s.flush().await,
            #[cfg(feature = "rustls")]
            Stream::Tls(s) => s.flush().await,
        }
    }
}

impl Connection for TokioConnection {
    async fn close(self) {
        // FIN (after close_notify for TLS), then drain until the peer's FIN so that neither side sees a reset.
        match self.0 {
            Stream::Plain(s) => drain(s.into_inner()).await,
            #[cfg(feature = "rustls")]
            Stream::Tls(s) => drain(s.into_inner()).await,
        }
    }

    /// Peeks without blocking: EOF, an error or unsolicited bytes (e.g. a `408` before the server closes) all mean
    /// that the idle connection cannot carry the next request.
    fn peer_closed(&mut self) -> bool {
        let mut b = [0u8; 1];
        let mut buf = tokio::io::ReadBuf::new(&mut b);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        !self.tcp().poll_peek(&mut cx, &mut buf).is_pending()
    }
}

async fn drain<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(mut s: S) {
    if s.shutdown().await.is_ok() {
        let mut sink = [0u8; 256];
        while let Ok(n) = s.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    }
}

/// [`Clock`](crate::Clock) on the host: `std::time::Instant` since creation, and the system's wall-clock time.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock(std::time::Instant);

impl SystemClock {
    /// A clock starting now.
    pub fn new() -> Self {
        SystemClock(std::time::Instant::now())
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl crate::Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.0.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn unix_time(&self) -> Option<u64> {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .map(|d| d.as_secs())
    }
}

/// `DelayNs` on `tokio::time::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioDelay;

impl embedded_hal_async::delay::DelayNs for TokioDelay {
    async fn delay_ns(&mut self, ns: u32) {
        tokio::time::sleep(std::time::Duration::from_nanos(u64::from(ns))).await;
    }

    async fn delay_ms(&mut self, ms: u32) {
        tokio::time::sleep(std::time::Duration::from_millis(u64::from(ms))).await;
    }
}
