//! TLS 1.3 for devices (feature `tls`): [`TlsConnector`] wraps any [`Connect`] and yields TLS connections over the
//! inner connector's connections, with [embedded-tls] (no_std, no alloc).
//!
//! - **Verification**: the server's certificate chain must lead to the CA built into the firmware (one CA, DER),
//!   and name the host: the URL's host, or [`TlsConnector::with_server_name`] when the device dials an IP address
//!   (embedded-tls matches DNS names only). The name also goes out as SNI.
//! - **Validity dates** are checked when the clock type `Clk` knows the time (an [`embedded_tls::TlsClock`] the
//!   firmware implements over its RTC or SNTP); with the default [`NoClock`] they are not, and the docs of the
//!   firmware must say so. The server's own `Date` header is never used here (it would vouch for itself).
//! - **Randomness** comes from the board's `CryptoRng` (a TRNG). QEMU has none: the QEMU firmware seeds a ChaCha RNG
//!   from what it has and says plainly that a real device needs a real TRNG.
//! - **Keep-alive**: a connection stays open across requests like a TCP one; the handshake happens once per
//!   connection. Over TLS the client cannot see below the TLS layer whether an idle connection was closed by the
//!   server ([`Connection::peer_closed`] answers `false`): a `POST` on such a connection ends with
//!   `ClientError::ConnectionClosed` and is not re-sent (a `GET`/`DELETE` is retried once, as over TCP).
//! - **RAM**: the read record buffer must hold one whole TLS record: 16,640 bytes for any server (a server may be
//!   configured with a smaller `max_fragment_size`; the client's Maximum Fragment Length extension is ignored by
//!   rustls and most servers). The write buffer needs the largest record the client sends plus 128 bytes (the
//!   ClientHello is ~200 bytes; 1,024 is ample for API requests; larger requests go out in several records).
//!
//! Only `TLS_AES_128_GCM_SHA256` with `secp256r1` key exchange and ECDSA P-256 certificates (what embedded-tls
//! supports without alloc): a TLS-1.2-only server, or one without P-256, refuses the handshake with a typed
//! [`TlsError::Alert`].
//!
//! [embedded-tls]: https://crates.io/crates/embedded-tls

mod lease;

use crate::{Connect, Connection};
use core::cell::RefCell;
use core::fmt;
use core::marker::PhantomData;
use embedded_io::ErrorKind;
use embedded_tls::pki::CertVerifier;
pub use embedded_tls::{alert::AlertDescription, NoClock, TlsClock};
use embedded_tls::{Aes128GcmSha256, Certificate, CryptoProvider, CryptoRngCore, TlsConfig, TlsContext};
use lease::{Lease, Leased};
use qod_core::http::Url;

/// Why a TLS connection failed.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum TlsError<E> {
    /// The inner connector failed (DNS, TCP connect).
    Connect(E),
    /// The server's certificate is not trusted: not issued by the configured CA, not for this host name, outside its
    /// validity dates (when the clock knows the time), or not decodable.
    Certificate,
    /// The server aborted the handshake with this alert: `ProtocolVersion` from a server without TLS 1.3,
    /// `HandshakeFailure` when there is no common cipher suite or group.
    Alert(AlertDescription),
    /// The peer closed the connection (during the handshake, or `close_notify` after it).
    Closed,
    /// A record does not fit the record buffers (the read buffer must hold 16,640 bytes for most servers).
    BufferTooSmall,
    /// Another TLS failure (malformed or unexpected handshake message, bad record, crypto failure).
    Protocol(embedded_tls::TlsError),
    /// The transport below TLS failed while sending or receiving.
    Io(ErrorKind),
    /// An `http://` URL: this connector speaks TLS only.
    NotHttps,
    /// A connection of this connector is still open (it has one pair of record buffers).
    Busy,
}

impl<E: PartialEq> PartialEq for TlsError<E> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (TlsError::Connect(a), TlsError::Connect(b)) => a == b,
            (TlsError::Alert(a), TlsError::Alert(b)) => *a as u8 == *b as u8,
            (TlsError::Protocol(a), TlsError::Protocol(b)) => core::mem::discriminant(a) == core::mem::discriminant(b),
            (TlsError::Io(a), TlsError::Io(b)) => a == b,
            (a, b) => core::mem::discriminant(a) == core::mem::discriminant(b),
        }
    }
}

impl<E: Eq> Eq for TlsError<E> {}

impl<E> TlsError<E> {
    fn from_tls(e: embedded_tls::TlsError) -> Self {
        use embedded_tls::TlsError as T;
        match e {
            T::InvalidCertificate
            | T::InvalidCertificateEntry
            | T::InvalidSignature
            | T::InvalidSignatureScheme
            | T::HandshakeAborted(_, AlertDescription::BadCertificate) => TlsError::Certificate,
            T::HandshakeAborted(_, a) | T::AbortHandshake(_, a) => TlsError::Alert(a),
            T::ConnectionClosed => TlsError::Closed,
            T::InsufficientSpace | T::OutOfMemory => TlsError::BufferTooSmall,
            T::Io(k) => TlsError::Io(k),
            e => TlsError::Protocol(e),
        }
    }
}

impl<E: fmt::Display> fmt::Display for TlsError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::Connect(e) => fmt::Display::fmt(e, f),
            TlsError::Certificate => f.write_str(
                "TLS: the server's certificate is not trusted (not issued by the configured CA, not for this host name, or expired)",
            ),
            TlsError::Alert(AlertDescription::ProtocolVersion) => {
                f.write_str("TLS: the server does not speak TLS 1.3 (protocol_version alert)")
            }
            TlsError::Alert(a) => write!(f, "TLS: the server aborted the handshake ({a:?} alert)"),
            TlsError::Closed => f.write_str("TLS: the server closed the connection"),
            TlsError::BufferTooSmall => {
                f.write_str("TLS: a record does not fit the record buffers (the read buffer needs 16,640 bytes)")
            }
            TlsError::Protocol(e) => write!(f, "TLS: {e:?}"),
            TlsError::Io(k) => write!(f, "TLS: transport error {k:?}"),
            TlsError::NotHttps => f.write_str("this connector speaks TLS only: use an https:// URL"),
            TlsError::Busy => f.write_str("the TLS connector's record buffers are in use by another connection"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for TlsError<E> {}

impl<E: embedded_io::Error> embedded_io::Error for TlsError<E> {
    fn kind(&self) -> ErrorKind {
        match self {
            TlsError::Connect(e) => e.kind(),
            TlsError::Certificate | TlsError::Alert(_) => ErrorKind::PermissionDenied,
            TlsError::Closed => ErrorKind::ConnectionAborted,
            TlsError::BufferTooSmall => ErrorKind::OutOfMemory,
            TlsError::Io(k) => *k,
            TlsError::NotHttps => ErrorKind::Unsupported,
            TlsError::Busy => ErrorKind::AddrInUse,
            TlsError::Protocol(_) => ErrorKind::InvalidData,
        }
    }
}

#[cfg(feature = "defmt")]
impl<E: defmt::Format> defmt::Format for TlsError<E> {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self {
            TlsError::Connect(e) => defmt::write!(f, "Connect({})", e),
            TlsError::Certificate => defmt::write!(f, "Certificate"),
            TlsError::Alert(a) => defmt::write!(f, "Alert({})", a),
            TlsError::Closed => defmt::write!(f, "Closed"),
            TlsError::BufferTooSmall => defmt::write!(f, "BufferTooSmall"),
            TlsError::Protocol(e) => defmt::write!(f, "Protocol({})", e),
            TlsError::Io(k) => defmt::write!(f, "Io({})", k),
            TlsError::NotHttps => defmt::write!(f, "NotHttps"),
            TlsError::Busy => defmt::write!(f, "Busy"),
        }
    }
}

/// The crypto provider of one handshake: the board's RNG and a certificate verifier pinned to the CA.
struct Provider<'a, R, Clk: TlsClock, const CERT: usize> {
    rng: &'a mut R,
    verifier: CertVerifier<'a, Aes128GcmSha256, Clk, CERT>,
}

impl<R: CryptoRngCore, Clk: TlsClock, const CERT: usize> CryptoProvider for Provider<'_, R, Clk, CERT> {
    type CipherSuite = Aes128GcmSha256;
    type Signature = p256::ecdsa::DerSignature;

    fn rng(&mut self) -> impl CryptoRngCore {
        &mut *self.rng
    }

    fn verifier(&mut self) -> Result<&mut impl embedded_tls::TlsVerifier<Self::CipherSuite>, embedded_tls::TlsError> {
        Ok(&mut self.verifier)
    }
}

/// TLS 1.3 over any connector: see the [module docs](self).
///
/// `R` is the board's cryptographic RNG, `Clk` the clock for certificate validity ([`NoClock`]: not checked),
/// `CERT` the room for the server's certificate chain while it is verified (the leaf alone is ~500 bytes for a
/// P-256 certificate; a chain with an intermediate ~1.5 KB).
pub struct TlsConnector<'b, C, R, Clk = NoClock, const CERT: usize = 2048> {
    inner: C,
    bufs: Lease<'b>,
    rng: RefCell<R>,
    ca: &'b [u8],
    server_name: Option<&'b str>,
    _clock: PhantomData<Clk>,
}

impl<C, R, Clk, const CERT: usize> fmt::Debug for TlsConnector<'_, C, R, Clk, CERT> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConnector")
            .field("server_name", &self.server_name)
            .field("ca_der_len", &self.ca.len())
            .field("in_use", &self.bufs.in_use())
            .finish_non_exhaustive()
    }
}

impl<'b, C: Connect, R: CryptoRngCore> TlsConnector<'b, C, R> {
    /// TLS over `inner`, trusting the CA certificate `ca_der` (DER), with record buffers `read_buf` (≥ 16,640 bytes
    /// for most servers) and `write_buf`, and `rng` for the handshake. Certificate validity dates are not checked:
    /// see [`with_clock`](Self::with_clock).
    pub fn new(inner: C, ca_der: &'b [u8], read_buf: &'b mut [u8], write_buf: &'b mut [u8], rng: R) -> Self {
        TlsConnector {
            inner,
            bufs: Lease::new(read_buf, write_buf),
            rng: RefCell::new(rng),
            ca: ca_der,
            server_name: None,
            _clock: PhantomData,
        }
    }
}

impl<'b, C: Connect, R: CryptoRngCore, Clk: TlsClock, const CERT: usize> TlsConnector<'b, C, R, Clk, CERT> {
    /// Checks certificate validity dates with `Clk::now()` (seconds since the Unix epoch; `None` skips the check).
    pub fn with_clock<K: TlsClock>(self) -> TlsConnector<'b, C, R, K, CERT> {
        TlsConnector {
            inner: self.inner,
            bufs: self.bufs,
            rng: self.rng,
            ca: self.ca,
            server_name: self.server_name,
            _clock: PhantomData,
        }
    }

    /// Room for the server's certificate chain during verification (default 2,048 bytes).
    pub fn with_cert_capacity<const N: usize>(self) -> TlsConnector<'b, C, R, Clk, N> {
        TlsConnector {
            inner: self.inner,
            bufs: self.bufs,
            rng: self.rng,
            ca: self.ca,
            server_name: self.server_name,
            _clock: PhantomData,
        }
    }

    /// Sends `name` as SNI and requires the certificate to be for it, instead of the URL's host (needed when the
    /// device dials an IP address: embedded-tls matches DNS names only).
    pub fn with_server_name(mut self, name: &'b str) -> Self {
        self.server_name = Some(name);
        self
    }

    /// The inner connector.
    pub fn inner(&self) -> &C {
        &self.inner
    }
}

impl<'b, C: Connect, R: CryptoRngCore, Clk: TlsClock, const CERT: usize> Connect for TlsConnector<'b, C, R, Clk, CERT> {
    type Error = TlsError<C::Error>;
    type Connection<'a>
        = TlsConnection<'a, C::Connection<'a>>
    where
        Self: 'a;

    // The RNG's `RefCell` borrow is held across the handshake on purpose: only one handshake runs at a time (the
    // record buffers' lease already refused a second one).
    #[allow(clippy::await_holding_refcell_ref)]
    async fn connect<'a>(&'a self, to: &Url<'_>) -> Result<TlsConnection<'a, C::Connection<'a>>, Self::Error> {
        if !to.https {
            return Err(TlsError::NotHttps);
        }
        let loan = self.bufs.lend().ok_or(TlsError::Busy)?;
        let plain = Url { https: false, ..*to };
        let tcp = self.inner.connect(&plain).await.map_err(TlsError::Connect)?;
        let mut tls = lease::tls_connection(loan, tcp);
        let name = self.server_name.unwrap_or(to.host);
        let config = TlsConfig::new().with_server_name(name);
        let mut rng = self.rng.try_borrow_mut().map_err(|_| TlsError::Busy)?;
        let provider = Provider::<R, Clk, CERT> {
            rng: &mut rng,
            verifier: CertVerifier::new(Certificate::X509(self.ca)),
        };
        tls.open(TlsContext::new(&config, provider))
            .await
            .map_err(TlsError::from_tls)?;
        Ok(TlsConnection { tls })
    }
}

/// A TLS connection of a [`TlsConnector`]. Dropping it drops the inner connection (an abort, no `close_notify`).
pub struct TlsConnection<'a, T: Connection> {
    tls: embedded_tls::TlsConnection<'a, Leased<'a, T>, Aes128GcmSha256>,
}

impl<T: Connection> fmt::Debug for TlsConnection<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TlsConnection")
    }
}

impl<T: Connection> embedded_io_async::ErrorType for TlsConnection<'_, T> {
    type Error = TlsError<T::Error>;
}

impl<T: Connection> embedded_io_async::Read for TlsConnection<'_, T> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        match self.tls.read(buf).await {
            Ok(n) => Ok(n),
            // The server's close_notify (or its FIN): the end of the stream, as `Ok(0)` is over TCP.
            Err(embedded_tls::TlsError::ConnectionClosed) => Ok(0),
            Err(e) => Err(TlsError::from_tls(e)),
        }
    }
}

impl<T: Connection> embedded_io_async::Write for TlsConnection<'_, T> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.tls.write(buf).await.map_err(TlsError::from_tls)
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        self.tls.flush().await.map_err(TlsError::from_tls)
    }
}

impl<T: Connection> Connection for TlsConnection<'_, T> {
    async fn close(self) {
        // close_notify, then the inner connection's graceful close.
        if let Ok(socket) = self.tls.close().await {
            socket.inner.close().await;
        }
    }
}
