//! Host transport (feature `tokio`): the same client over `tokio::net::TcpStream`, for gateways and tools.
//!
//! [`TokioConnector`] implements [`Connect`]; its connections ([`TokioConnection`]) go through
//! `embedded-io-adapters`' `FromTokio`. [`TokioDelay`] implements `DelayNs` with `tokio::time::sleep`. Needs a tokio
//! runtime with the `time` and `net` drivers enabled.
use crate::{Connect, Connection};
use embedded_io_adapters::tokio_1::FromTokio;
use qod_core::http::Url;
use std::io;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Connects with `TCP_NODELAY` to the URL's host (resolved by tokio on every connect) and port. Plain TCP only:
/// an `https://` URL is refused with [`io::ErrorKind::Unsupported`].
#[derive(Debug, Default)]
pub struct TokioConnector {
    connects: AtomicU32,
}

impl TokioConnector {
    /// A connector; nothing happens until the client's first request.
    pub fn new() -> Self {
        Self::default()
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
        if to.https {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "an https:// server needs a TLS connector",
            ));
        }
        let s = TcpStream::connect((to.host, to.port)).await?;
        s.set_nodelay(true)?;
        self.connects.fetch_add(1, Ordering::Relaxed);
        Ok(TokioConnection(FromTokio::new(s)))
    }
}

/// One TCP connection of a [`TokioConnector`]. Dropping it closes the socket at once.
pub struct TokioConnection(FromTokio<TcpStream>);

impl std::fmt::Debug for TokioConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TokioConnection").field(self.0.inner()).finish()
    }
}

impl embedded_io_async::ErrorType for TokioConnection {
    type Error = io::Error;
}

impl embedded_io_async::Read for TokioConnection {
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).await
    }
}

impl embedded_io_async::Write for TokioConnection {
    async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf).await
    }

    async fn flush(&mut self) -> io::Result<()> {
        self.0.flush().await
    }
}

impl Connection for TokioConnection {
    async fn close(self) {
        let mut s = self.0.into_inner();
        // FIN, then drain until the peer's FIN so that neither side sees a reset.
        if s.shutdown().await.is_ok() {
            let mut sink = [0u8; 256];
            while let Ok(n) = s.read(&mut sink).await {
                if n == 0 {
                    break;
                }
            }
        }
    }

    /// Peeks without blocking: EOF, an error or unsolicited bytes (e.g. a `408` before the server closes) all mean
    /// that the idle connection cannot carry the next request.
    fn peer_closed(&mut self) -> bool {
        let mut b = [0u8; 1];
        let mut buf = tokio::io::ReadBuf::new(&mut b);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        !self.0.inner().poll_peek(&mut cx, &mut buf).is_pending()
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
