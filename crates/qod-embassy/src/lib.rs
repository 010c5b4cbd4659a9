#![doc = include_str!("../README.md")]
//! embassy-net transport for [`qod_client`]: one reusable `TcpSocket` (TCP + DNS), graceful close.
//!
//! [`EmbassyConnector`] implements [`qod_client::Connect`] on **one** `TcpSocket` that it reconnects for every new
//! connection, so a firmware spends exactly one socket of its `StackResources` (plus one for DNS) and the buffers it
//! passes in, whatever the number of requests; it hands out one [`EmbassyConnection`] at a time. Host names are
//! resolved with `Stack::dns_query` (feature `dns`); IP literals never cause a query. The close is graceful:
//! `close()` (FIN) then `flush()` until the FIN is acknowledged, bounded by the client's `close_timeout_ms`, because
//! dropping an embassy-net connection sends no FIN. Use `embassy_time::Delay` as the client's `DelayNs`. This
//! connector is plain TCP: it refuses `https://` URLs; wrap it in qod-client's TLS connector for those.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use core::cell::{RefCell, RefMut};
use core::fmt;
use embassy_net::tcp::{self, ConnectError, TcpSocket};
#[cfg(not(feature = "dns"))]
use embassy_net::IpAddress;
use embassy_net::{IpEndpoint, Stack};
use embassy_time::Duration;
use qod_client::qod_core::http::Url;

/// A client on this transport with `embassy_time::Delay`: it borrows the connector for `'c`; the connector's
/// socket and buffers live for `'a`.
pub type Client<'c, 'a> = qod_client::Client<'c, EmbassyConnector<'a>, embassy_time::Delay>;

/// Transport errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error {
    /// The TCP handshake failed (refused, timed out, no route).
    Connect(ConnectError),
    /// The connection was reset or timed out while sending or receiving.
    Tcp(tcp::Error),
    /// The host name could not be resolved.
    #[cfg(feature = "dns")]
    Dns(embassy_net::dns::Error),
    /// A host name, but the `dns` feature is off.
    NoDns,
    /// An `https://` URL: this connector is plain TCP (wrap it in a TLS connector).
    TlsRequired,
    /// A connection of this connector is still open (it has one socket).
    Busy,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Connect(ConnectError::ConnectionReset) => {
                f.write_str("connection refused: is the server listening?")
            }
            Error::Connect(ConnectError::TimedOut) => {
                f.write_str("connect timed out: check the server address and link")
            }
            Error::Connect(ConnectError::NoRoute) => f.write_str("no route to the server: check IP config/gateway"),
            Error::Connect(e) => write!(f, "connect failed: {e:?}"),
            Error::Tcp(e) => write!(f, "TCP error: {e:?}"),
            #[cfg(feature = "dns")]
            Error::Dns(e) => write!(f, "DNS lookup failed ({e:?}): check the DNS server in the stack config"),
            Error::NoDns => f.write_str("a host name needs the `dns` feature; or use an IP address"),
            Error::TlsRequired => f.write_str("an https:// server needs a TLS connector around this TCP connector"),
            Error::Busy => f.write_str("the connector's one socket is still in use by another connection"),
        }
    }
}

impl core::error::Error for Error {}

impl embedded_io::Error for Error {
    fn kind(&self) -> embedded_io::ErrorKind {
        use embedded_io::ErrorKind as K;
        match self {
            Error::Connect(ConnectError::ConnectionReset) => K::ConnectionRefused,
            Error::Connect(ConnectError::TimedOut) => K::TimedOut,
            Error::Connect(_) => K::NotConnected,
            Error::Tcp(_) => K::ConnectionReset,
            #[cfg(feature = "dns")]
            Error::Dns(_) => K::AddrNotAvailable,
            Error::NoDns | Error::TlsRequired => K::Unsupported,
            Error::Busy => K::AddrInUse,
        }
    }
}

/// [`qod_client::Clock`] on `embassy_time::Instant`, with the wall-clock time when the firmware knows it (an RTC
/// read at boot, or SNTP): [`EmbassyClock::with_unix_time`]. Without it, OAuth2 `private_key_jwt` takes the time from
/// the server's `Date` header (see `qod_client::auth`).
#[derive(Debug, Clone, Copy, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct EmbassyClock {
    /// Unix seconds at `Instant` zero.
    unix_at_zero: Option<u64>,
}

impl EmbassyClock {
    /// A clock without wall-clock time.
    pub const fn new() -> Self {
        EmbassyClock { unix_at_zero: None }
    }

    /// A clock that knows it is `unix_now` (seconds since the Unix epoch) at this instant.
    pub fn with_unix_time(unix_now: u64) -> Self {
        EmbassyClock {
            unix_at_zero: Some(unix_now.saturating_sub(embassy_time::Instant::now().as_secs())),
        }
    }
}

impl qod_client::Clock for EmbassyClock {
    fn now_ms(&self) -> u64 {
        embassy_time::Instant::now().as_millis()
    }

    fn unix_time(&self) -> Option<u64> {
        self.unix_at_zero.map(|z| z + embassy_time::Instant::now().as_secs())
    }
}

/// [`qod_client::Connect`] on one reusable embassy-net `TcpSocket`.
pub struct EmbassyConnector<'a> {
    #[cfg_attr(not(feature = "dns"), allow(dead_code))]
    stack: Stack<'a>,
    socket: RefCell<TcpSocket<'a>>,
}

impl fmt::Debug for EmbassyConnector<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("EmbassyConnector");
        match self.socket.try_borrow() {
            Ok(s) => d.field("state", &s.state()),
            Err(_) => d.field("state", &"in use"),
        };
        d.finish()
    }
}

impl<'a> EmbassyConnector<'a> {
    /// A connector using `rx`/`tx` as the socket's buffers (the rx size bounds the TCP window). Sets a socket
    /// inactivity timeout of 30 s with 10 s keep-alives; change with [`socket`](Self::socket).
    pub fn new(stack: Stack<'a>, rx: &'a mut [u8], tx: &'a mut [u8]) -> Self {
        let mut socket = TcpSocket::new(stack, rx, tx);
        socket.set_timeout(Some(Duration::from_secs(30)));
        socket.set_keep_alive(Some(Duration::from_secs(10)));
        EmbassyConnector {
            stack,
            socket: RefCell::new(socket),
        }
    }

    /// The socket, e.g. for `set_timeout`, `set_keep_alive`, `set_nagle_enabled`, `state`; `None` while a
    /// connection holds it.
    pub fn socket(&self) -> Option<RefMut<'_, TcpSocket<'a>>> {
        self.socket.try_borrow_mut().ok()
    }

    async fn resolve(&self, host: &str, port: u16) -> Result<IpEndpoint, Error> {
        #[cfg(feature = "dns")]
        {
            #[cfg(feature = "proto-ipv4")]
            let qtype = embassy_net::dns::DnsQueryType::A;
            #[cfg(not(feature = "proto-ipv4"))]
            let qtype = embassy_net::dns::DnsQueryType::Aaaa;
            // `dns_query` answers IP literals itself, without a query.
            let addrs = self.stack.dns_query(host, qtype).await.map_err(Error::Dns)?;
            let ip = addrs
                .first()
                .copied()
                .ok_or(Error::Dns(embassy_net::dns::Error::Failed))?;
            Ok(IpEndpoint::new(ip, port))
        }
        #[cfg(not(feature = "dns"))]
        {
            let ip: IpAddress = host.parse().map_err(|_| Error::NoDns)?;
            Ok(IpEndpoint::new(ip, port))
        }
    }
}

impl<'a> qod_client::Connect for EmbassyConnector<'a> {
    type Error = Error;
    type Connection<'c>
        = EmbassyConnection<'c, 'a>
    where
        Self: 'c;

    #[allow(clippy::await_holding_refcell_ref)]
    async fn connect<'c>(&'c self, to: &Url<'_>) -> Result<EmbassyConnection<'c, 'a>, Error> {
        if to.https {
            return Err(Error::TlsRequired);
        }
        let ep = self.resolve(to.host, to.port).await?;
        // Held across the connect on purpose: the borrow is the connection's exclusive use of the one socket, and a
        // second `connect` meanwhile is refused with `Busy` instead of panicking.
        let mut socket = self.socket.try_borrow_mut().map_err(|_| Error::Busy)?;
        // From Closed or TimeWait (after our own FIN) smoltcp reconnects on a fresh ephemeral port.
        if !matches!(socket.state(), tcp::State::Closed | tcp::State::TimeWait) {
            socket.abort();
        }
        socket.connect(ep).await.map_err(Error::Connect)?;
        Ok(EmbassyConnection { socket, closed: false })
    }
}

/// The connection of an [`EmbassyConnector`]: its socket, borrowed until this is dropped. Dropping it without
/// [`close`](qod_client::Connection::close) aborts the TCP connection (smoltcp sends the RST on the stack's next
/// poll; the socket itself stays with the connector).
pub struct EmbassyConnection<'c, 'a> {
    socket: RefMut<'c, TcpSocket<'a>>,
    closed: bool,
}

impl fmt::Debug for EmbassyConnection<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbassyConnection")
            .field("state", &self.socket.state())
            .finish()
    }
}

impl<'a> EmbassyConnection<'_, 'a> {
    /// The socket (e.g. for `state`, or `set_timeout` on this connection).
    pub fn socket(&mut self) -> &mut TcpSocket<'a> {
        &mut self.socket
    }
}

impl Drop for EmbassyConnection<'_, '_> {
    #[inline(never)]
    fn drop(&mut self) {
        if !self.closed {
            self.socket.abort();
        }
    }
}

impl embedded_io_async::ErrorType for EmbassyConnection<'_, '_> {
    type Error = Error;
}

impl embedded_io_async::Read for EmbassyConnection<'_, '_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.socket.read(buf).await.map_err(Error::Tcp)
    }
}

impl embedded_io_async::Write for EmbassyConnection<'_, '_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        self.socket.write(buf).await.map_err(Error::Tcp)
    }

    async fn flush(&mut self) -> Result<(), Error> {
        self.socket.flush().await.map_err(Error::Tcp)
    }
}

impl qod_client::Connection for EmbassyConnection<'_, '_> {
    async fn close(mut self) {
        self.socket.close();
        // Waits until the FIN is acknowledged; the client bounds it and drops this future (aborting) when it
        // takes too long.
        let _ = self.socket.flush().await;
        self.closed = true;
    }

    fn peer_closed(&mut self) -> bool {
        !self.socket.may_recv()
    }
}
