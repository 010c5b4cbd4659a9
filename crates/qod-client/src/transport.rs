//! [`Connect`] and [`Connection`]: what the client needs from a transport.
//!
//! The shape is that of `embedded-nal-async`'s `TcpConnect` (which embassy-net's `TcpClient` implements): a
//! connector is shared (`&self`) and each [`connect`](Connect::connect) yields a connection that borrows it. The
//! client keeps that connection for as long as the server keeps it alive and asks the connector for a new one when
//! it must; the connector decides what a connection costs (one reused embassy-net socket, a pool, a tokio stream).
//!
//! Because a connection is a value of its own, a layer is an ordinary wrapper: a TLS connector wraps any connector
//! and yields TLS connections over the connections of the inner one (see the `tls` module with the `tls` feature,
//! and `qod-client`'s tokio transport for rustls on hosts).
use qod_core::http::Url;

/// Opens connections to a server.
///
/// `connect` takes `&self` so that the client can hold the connector by shared reference and the connection it
/// yields at the same time, and reconnect without giving either up. Connectors with one set of buffers (one socket,
/// one pair of TLS record buffers) hand out one connection at a time and refuse a second until the first is
/// dropped.
#[allow(async_fn_in_trait)]
pub trait Connect {
    /// The transport's error.
    type Error: embedded_io::Error;
    /// An open connection; dropping it aborts it (no graceful close), which must not block.
    type Connection<'a>: Connection<Error = Self::Error>
    where
        Self: 'a;

    /// Opens a new connection to `to`'s host and port (DNS, TCP handshake; for a TLS connector also the TLS
    /// handshake). A connector that cannot serve `to`'s scheme (plain TCP asked for `https://`) refuses with an
    /// error instead of connecting.
    ///
    /// # Errors
    /// The transport's error; the client reports it as [`ClientError::Transport`](crate::ClientError::Transport).
    async fn connect<'a>(&'a self, to: &Url<'_>) -> Result<Self::Connection<'a>, Self::Error>;
}

/// One open connection: bytes both ways, a graceful close, and a cheap local check whether the peer left.
#[allow(async_fn_in_trait)]
pub trait Connection: embedded_io_async::Read + embedded_io_async::Write {
    /// Closes the connection gracefully: send FIN (and a TLS `close_notify` first) and wait until the peer
    /// acknowledged it (embassy-net: `close()` then `flush()`). The client bounds this with
    /// [`Config::close_timeout_ms`](crate::Config::close_timeout_ms) and drops the future (and with it the
    /// connection, which aborts it) when it takes longer, so it may wait indefinitely.
    async fn close(self)
    where
        Self: Sized;

    /// Whether the peer has already closed this open, idle connection, as far as can be told locally without I/O.
    /// Checked before a non-idempotent request is sent on a kept-alive connection. Default: `false` (unknown).
    fn peer_closed(&mut self) -> bool {
        false
    }
}

/// A borrowed connector is a connector (e.g. a TLS connector over `&tcp`, keeping `tcp` for inspection).
impl<C: Connect + ?Sized> Connect for &C {
    type Error = C::Error;
    type Connection<'a>
        = C::Connection<'a>
    where
        Self: 'a;

    async fn connect<'a>(&'a self, to: &Url<'_>) -> Result<Self::Connection<'a>, Self::Error> {
        (**self).connect(to).await
    }
}
