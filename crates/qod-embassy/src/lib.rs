#![doc = include_str!("../README.md")]
//! embassy-net transport for [`qod_client`]: one reusable `TcpSocket` (TCP + DNS), timeouts, graceful close.
//!
//! [`EmbassyConnector`] implements [`qod_client::Connect`] on **one** `TcpSocket` that it reconnects for every new
//! connection, so a firmware spends exactly one socket of its `StackResources` (plus one for DNS) and the buffers it
//! passes in, whatever the number of requests. Host names are resolved with `Stack::dns_query` (feature `dns`); IP
//! literals never cause a query. The close is graceful: `close()` (FIN) then `flush()` until the FIN is
//! acknowledged, bounded by the client's `close_timeout_ms`, because dropping an embassy-net connection sends no
//! FIN. Use `embassy_time::Delay` as the client's `DelayNs`. TLS is not supported: [`ServerUrl::parse`] refuses
//! `https://`.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use core::fmt;
use embassy_net::tcp::{self, ConnectError, TcpSocket};
#[cfg(not(feature = "dns"))]
use embassy_net::IpAddress;
use embassy_net::{IpEndpoint, Stack};
use embassy_time::Duration;

/// A client on this transport with `embassy_time::Delay`.
pub type Client<'a> = qod_client::Client<'a, EmbassyConnector<'a>, embassy_time::Delay>;

/// Where the server is: an address, or a host name resolved on each connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Remote<'a> {
    /// An IP address and port.
    Addr(IpEndpoint),
    /// A host name (or IP literal) and port.
    Host(&'a str, u16),
}

/// A parsed `http://host[:port][/base]` server URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ServerUrl<'a> {
    /// Host name or IP literal, without brackets.
    pub host: &'a str,
    /// TCP port (80 when absent).
    pub port: u16,
    /// `Host` header value: the URL's authority (`host[:port]`, brackets kept).
    pub authority: &'a str,
    /// API base path, e.g. `/qod/v0` (empty when absent; no trailing `/`).
    pub base_path: &'a str,
}

/// Why a server URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum UrlError {
    /// `https://`: this transport has no TLS. Use `http://` to a local gateway or terminate TLS elsewhere.
    HttpsUnsupported,
    /// Not an `http://` URL.
    NotHttp,
    /// Empty host, bad brackets, or a query/fragment/userinfo part.
    BadHost,
    /// A port that is not a number in 1-65535.
    BadPort,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlError::HttpsUnsupported => "https is not supported by qod-embassy (no TLS): use an http:// URL",
            UrlError::NotHttp => "the server URL must start with http://",
            UrlError::BadHost => "the server URL has no valid host (expected http://host[:port][/base])",
            UrlError::BadPort => "the server URL's port must be a number from 1 to 65535",
        })
    }
}

impl core::error::Error for UrlError {}

impl<'a> ServerUrl<'a> {
    /// Parses `http://host[:port][/base/path]` (IPv6 as `[::1]`).
    ///
    /// # Errors
    /// [`UrlError`]; `https://` is [`UrlError::HttpsUnsupported`].
    pub fn parse(url: &'a str) -> Result<Self, UrlError> {
        let rest = match (url.get(..8), url.get(..7)) {
            (Some(s), _) if s.eq_ignore_ascii_case("https://") => return Err(UrlError::HttpsUnsupported),
            (_, Some(s)) if s.eq_ignore_ascii_case("http://") => &url[7..],
            _ => return Err(UrlError::NotHttp),
        };
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if authority.is_empty() || authority.contains(['@', '?', '#']) || path.contains(['?', '#']) {
            return Err(UrlError::BadHost);
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, tail) = v6.split_once(']').ok_or(UrlError::BadHost)?;
            match tail {
                "" => (h, None),
                t => (h, Some(t.strip_prefix(':').ok_or(UrlError::BadHost)?)),
            }
        } else {
            match authority.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        let port = match port {
            None => 80,
            Some(p) => p.parse::<u16>().ok().filter(|p| *p != 0).ok_or(UrlError::BadPort)?,
        };
        if host.is_empty() {
            return Err(UrlError::BadHost);
        }
        Ok(ServerUrl {
            host,
            port,
            authority,
            base_path: path.trim_end_matches('/'),
        })
    }

    /// The [`Remote`] to connect to.
    pub fn remote(&self) -> Remote<'a> {
        Remote::Host(self.host, self.port)
    }

    /// A `qod_client` endpoint (Host header and base path) for this URL, without credentials.
    pub fn endpoint(&self) -> qod_client::Endpoint<'a> {
        qod_client::Endpoint::new(self.authority, self.base_path)
    }
}

/// Transport errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
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
            Error::NoDns => K::Unsupported,
        }
    }
}

/// [`qod_client::Connect`] on one reusable embassy-net `TcpSocket`.
pub struct EmbassyConnector<'a> {
    #[cfg_attr(not(feature = "dns"), allow(dead_code))]
    stack: Stack<'a>,
    socket: TcpSocket<'a>,
    remote: Remote<'a>,
}

impl fmt::Debug for EmbassyConnector<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbassyConnector")
            .field("remote", &self.remote)
            .field("state", &self.socket.state())
            .finish()
    }
}

impl<'a> EmbassyConnector<'a> {
    /// A connector to `remote` using `rx`/`tx` as the socket's buffers (the rx size bounds the TCP window). Sets a
    /// socket inactivity timeout of 30 s with 10 s keep-alives; change with [`socket`](Self::socket).
    pub fn new(stack: Stack<'a>, rx: &'a mut [u8], tx: &'a mut [u8], remote: Remote<'a>) -> Self {
        let mut socket = TcpSocket::new(stack, rx, tx);
        socket.set_timeout(Some(Duration::from_secs(30)));
        socket.set_keep_alive(Some(Duration::from_secs(10)));
        EmbassyConnector { stack, socket, remote }
    }

    /// The socket, e.g. for `set_timeout`, `set_keep_alive`, `set_nagle_enabled`, `state`.
    pub fn socket(&mut self) -> &mut TcpSocket<'a> {
        &mut self.socket
    }

    async fn resolve(&self) -> Result<IpEndpoint, Error> {
        match self.remote {
            Remote::Addr(ep) => Ok(ep),
            #[cfg(feature = "dns")]
            Remote::Host(host, port) => {
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
            Remote::Host(host, port) => {
                let ip: IpAddress = host.parse().map_err(|_| Error::NoDns)?;
                Ok(IpEndpoint::new(ip, port))
            }
        }
    }
}

impl embedded_io_async::ErrorType for EmbassyConnector<'_> {
    type Error = Error;
}

impl embedded_io_async::Read for EmbassyConnector<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.socket.read(buf).await.map_err(Error::Tcp)
    }
}

impl embedded_io_async::Write for EmbassyConnector<'_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        self.socket.write(buf).await.map_err(Error::Tcp)
    }

    async fn flush(&mut self) -> Result<(), Error> {
        self.socket.flush().await.map_err(Error::Tcp)
    }
}

impl qod_client::Connect for EmbassyConnector<'_> {
    async fn connect(&mut self) -> Result<(), Error> {
        let ep = self.resolve().await?;
        // From Closed or TimeWait (after our own FIN) smoltcp reconnects on a fresh ephemeral port.
        if !matches!(self.socket.state(), tcp::State::Closed | tcp::State::TimeWait) {
            self.socket.abort();
        }
        self.socket.connect(ep).await.map_err(Error::Connect)
    }

    async fn close(&mut self) {
        self.socket.close();
        // Waits until the FIN is acknowledged; the client bounds it and aborts when it takes too long.
        let _ = self.socket.flush().await;
    }

    fn abort(&mut self) {
        // smoltcp sends the RST on the stack's next poll; the socket is not dropped, so it is not lost.
        self.socket.abort();
    }

    fn peer_closed(&mut self) -> bool {
        !self.socket.may_recv()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_parse_url() {
        let u = ServerUrl::parse("http://127.0.0.1:9091/qod/v0/").unwrap();
        assert_eq!(
            (u.host, u.port, u.authority, u.base_path),
            ("127.0.0.1", 9091, "127.0.0.1:9091", "/qod/v0")
        );
        let u = ServerUrl::parse("HTTP://qod.example").unwrap();
        assert_eq!(
            (u.host, u.port, u.authority, u.base_path),
            ("qod.example", 80, "qod.example", "")
        );
        let u = ServerUrl::parse("http://[fd00::1]:8080/x").unwrap();
        assert_eq!((u.host, u.port, u.authority), ("fd00::1", 8080, "[fd00::1]:8080"));
        assert_eq!(
            ServerUrl::parse("https://qod.example/qod/v0"),
            Err(UrlError::HttpsUnsupported)
        );
        assert_eq!(ServerUrl::parse("ftp://x"), Err(UrlError::NotHttp));
        assert_eq!(ServerUrl::parse("http://x:0"), Err(UrlError::BadPort));
        assert_eq!(ServerUrl::parse("http://x:99999"), Err(UrlError::BadPort));
        assert_eq!(ServerUrl::parse("http://:80"), Err(UrlError::BadHost));
        assert_eq!(ServerUrl::parse("http://u@x/"), Err(UrlError::BadHost));
        assert_eq!(ServerUrl::parse("http://x/a?b"), Err(UrlError::BadHost));
    }
}
