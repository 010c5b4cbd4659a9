//! Host transport (feature `tokio`): the same client over `tokio::net::TcpStream`, for gateways and tools.
//!
//! [`TokioConnector`] implements [`Connect`] through `embedded-io-adapters`' `FromTokio`; [`TokioDelay`] implements
//! `DelayNs` with `tokio::time::sleep`. Needs a tokio runtime with the `time` and `net` drivers enabled.
use crate::Connect;
use embedded_io_adapters::tokio_1::FromTokio;
use std::io;
use std::string::String;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Connects to `addr` (`host:port`, resolved by tokio on every connect) with `TCP_NODELAY`.
pub struct TokioConnector {
    addr: String,
    stream: Option<FromTokio<TcpStream>>,
    connects: u32,
}

impl std::fmt::Debug for TokioConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokioConnector")
            .field("addr", &self.addr)
            .field("connected", &self.stream.is_some())
            .field("connects", &self.connects)
            .finish()
    }
}

impl TokioConnector {
    /// A connector for `addr` (`host:port`); nothing happens until the client's first request.
    pub fn new(addr: impl Into<String>) -> Self {
        TokioConnector {
            addr: addr.into(),
            stream: None,
            connects: 0,
        }
    }

    /// TCP connections opened so far (to check connection reuse).
    pub fn connects(&self) -> u32 {
        self.connects
    }

    fn stream(&mut self) -> io::Result<&mut FromTokio<TcpStream>> {
        self.stream
            .as_mut()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotConnected))
    }
}

impl embedded_io_async::ErrorType for TokioConnector {
    type Error = io::Error;
}

impl embedded_io_async::Read for TokioConnector {
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        embedded_io_async::Read::read(self.stream()?, buf).await
    }
}

impl embedded_io_async::Write for TokioConnector {
    async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        embedded_io_async::Write::write(self.stream()?, buf).await
    }

    async fn flush(&mut self) -> io::Result<()> {
        embedded_io_async::Write::flush(self.stream()?).await
    }
}

impl Connect for TokioConnector {
    async fn connect(&mut self) -> io::Result<()> {
        let s = TcpStream::connect(self.addr.as_str()).await?;
        s.set_nodelay(true)?;
        self.stream = Some(FromTokio::new(s));
        self.connects += 1;
        Ok(())
    }

    async fn close(&mut self) {
        if let Some(s) = self.stream.take() {
            let mut s = s.into_inner();
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
    }

    fn abort(&mut self) {
        self.stream = None;
    }

    /// Peeks without blocking: EOF, an error or unsolicited bytes (e.g. a `408` before the server closes) all mean
    /// that the idle connection cannot carry the next request.
    fn peer_closed(&mut self) -> bool {
        let Some(s) = self.stream.as_ref() else { return true };
        let mut b = [0u8; 1];
        let mut buf = tokio::io::ReadBuf::new(&mut b);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        !s.inner().poll_peek(&mut cx, &mut buf).is_pending()
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
