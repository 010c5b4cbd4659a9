//! [`Connect`]: what the client needs from a transport.

/// A reconnectable byte stream to the QoD server: an `embedded_io_async::{Read, Write}` connection that the client
/// can (re)open and close.
///
/// The transport holds at most one connection, which the client opens with [`connect`](Self::connect), reuses while
/// the server keeps it alive, and ends with [`close`](Self::close) (graceful) or [`abort`](Self::abort). Reads and
/// writes are only issued between a successful `connect` and the next `close`/`abort`. Adapters: `qod-embassy`
/// (embassy-net `TcpSocket`), [`tokio`](crate::tokio) (std/tokio TCP, feature `tokio`), or any mock.
///
/// Holding the connection inside the transport (rather than returning a connection object) lets an embassy-net
/// adapter reuse **one** socket and its buffers for every connection: nothing is allocated per request, and no
/// socket can leak.
#[allow(async_fn_in_trait)]
pub trait Connect: embedded_io_async::Read + embedded_io_async::Write {
    /// Opens a new connection to the server (DNS, TCP handshake). Only called when no connection is open.
    ///
    /// # Errors
    /// The transport's error; the client reports it as [`ClientError::Transport`](crate::ClientError::Transport).
    async fn connect(&mut self) -> Result<(), Self::Error>;

    /// Closes the connection gracefully: send FIN and wait until the peer acknowledged it (embassy-net: `close()` then
    /// `flush()`). The client bounds this with [`Config::close_timeout_ms`](crate::Config::close_timeout_ms) and calls
    /// [`abort`](Self::abort) when it takes longer, so it may wait indefinitely.
    async fn close(&mut self);

    /// Drops the connection at once (after a timeout, an error, or a slow close). Must not block.
    fn abort(&mut self);

    /// Whether the peer has already closed the open, idle connection, as far as can be told locally without I/O.
    /// Checked before a non-idempotent request is sent on a kept-alive connection. Default: `false` (unknown).
    fn peer_closed(&mut self) -> bool {
        false
    }
}
