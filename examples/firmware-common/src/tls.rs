//! The job over HTTPS (feature `tls`): TLS 1.3 with qod-client's embedded-tls connector around the TCP connector,
//! and an OAuth2 access token (client credentials, `client_secret_basic`) fetched first, all on one kept-alive TLS
//! connection.
//!
//! - **Trust**: the CA certificate is built in (DER, [`CA_DER`]; build.rs takes it from `QOD_FW_CA_DER`, written by
//!   `qod pki`). The device dials 10.0.2.2 but verifies, and sends as SNI, the name [`SERVER_NAME`] (`localhost`):
//!   embedded-tls matches DNS names only, never an IP address.
//! - **Time**: certificate validity dates and the token source's wall clock come from the host's clock through
//!   semihosting `SYS_TIME`, read once at start ([`WallClock`]). A real board reads its RTC or asks SNTP instead;
//!   without any time the dates cannot be checked (embedded-tls's `NoClock`).
//! - **Randomness**: QEMU's board has **no TRNG**. [`seeded_rng`] seeds a ChaCha20 generator from what the emulated
//!   board has: the host's time (`SYS_TIME`, `SYS_CLOCK`) and the jitter of SysTick wake-ups against the free-running
//!   clocks. That is enough for a test against a local simulator and **not for a product**: a real device must seed
//!   from (or use directly) its hardware TRNG.
//! - **Secrets**: the client id and secret are baked in at build time (`QOD_FW_CLIENT_ID`, `QOD_FW_CLIENT_SECRET`,
//!   from run.sh: a test secret made for the test PKI). Neither the secret nor the token is ever logged: the token
//!   source's `defmt` output redacts them and nothing here prints them.
//! - **RAM**: the read record buffer holds a whole TLS record of any server (16,640 bytes); the write buffer one
//!   record of the largest request the client sends (its 768-byte buffer + 128).

use core::cell::Cell;
use core::sync::atomic::{AtomicU32, Ordering};

use cortex_m::peripheral::SYST;
use embassy_time::{Instant, Timer};
use qod_client::qod_core::http::Url;
use qod_client::qod_core::model::CreateSession;
use qod_client::tls::{AlertDescription, TlsClock, TlsConnector, TlsError};
use qod_client::{ClientCredentials, Config, Connect};
use qod_embassy::{EmbassyClock, EmbassyConnector};
use rand_chacha::rand_core::SeedableRng as _;
use rand_chacha::ChaCha20Rng;
use sha2::{Digest as _, Sha256};
use static_cell::ConstStaticCell;

use crate::exit::ExitCode;
use crate::session::{self, TransportExit};

/// The CA certificate (DER) the server's certificate must chain to: the test CA from `qod pki`, built in by
/// build.rs (`QOD_FW_CA_DER`).
pub const CA_DER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ca.der"));
/// The name the server's certificate must carry (a DNS name: embedded-tls matches no IP addresses).
pub const SERVER_NAME: &str = "localhost";
/// The simulator's token endpoint, on the API's origin (so the token request shares the API's connection).
pub const TOKEN_URL: &str = concat!("https://10.0.2.2:", env!("QOD_SIM_PORT"), "/oauth/token");
/// The OAuth2 client id (build time, `QOD_FW_CLIENT_ID`).
pub const CLIENT_ID: &str = env!("QOD_FW_CLIENT_ID");
/// The OAuth2 client secret (build time, `QOD_FW_CLIENT_SECRET`; a test secret). Never logged.
const CLIENT_SECRET: &str = env!("QOD_FW_CLIENT_SECRET");

/// Room for one whole TLS record of any server: 2^14 bytes of plaintext plus the largest expansion TLS 1.3 allows
/// (16,640 bytes). Smaller only in the measurement variant for a server limited to smaller records
/// (`QOD_FW_TLS_READ_RECORD`, build.rs).
const READ_RECORD_LEN: usize = decimal(env!("QOD_FW_TLS_READ_RECORD"));
/// One record of the largest request: the client's 768-byte transmit buffer plus 128 bytes of record overhead.
const WRITE_RECORD_LEN: usize = 768 + 128;
/// Room for the server's certificate chain while it is verified: the simulator sends its leaf only (443 bytes with
/// the `qod pki` test PKI); 1,024 also holds leaf + CA (885 bytes).
const CERT_CAPACITY: usize = 1024;

/// A decimal number (validated by build.rs).
const fn decimal(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    let mut n = 0;
    while i < b.len() {
        n = n * 10 + (b[i] - b'0') as usize;
        i += 1;
    }
    n
}

/// The record buffers, in static RAM (too large for the stack or a task's future to carry by value).
static READ_RECORD: ConstStaticCell<[u8; READ_RECORD_LEN]> = ConstStaticCell::new([0; READ_RECORD_LEN]);
static WRITE_RECORD: ConstStaticCell<[u8; WRITE_RECORD_LEN]> = ConstStaticCell::new([0; WRITE_RECORD_LEN]);

/// Unix seconds at embassy-time's zero, 0 until [`WallClock::set_from_host`] ran.
static UNIX_AT_ZERO: AtomicU32 = AtomicU32::new(0);

/// The firmware's wall clock for certificate dates: the host's time read once through semihosting `SYS_TIME`, then
/// advanced by embassy-time. On a real board: the RTC, or SNTP.
pub struct WallClock;

impl WallClock {
    /// Reads the host's time (semihosting `SYS_TIME`, seconds since the Unix epoch) and returns it.
    pub fn set_from_host() -> Option<u64> {
        let now = semihosting::sys::arm_compat::sys_time().ok()?;
        // SYS_TIME is 32-bit (good until 2106); 0 would mean "no time".
        let now = u32::try_from(now).ok().filter(|&t| t > 0)?;
        let zero = u64::from(now).saturating_sub(Instant::now().as_secs());
        UNIX_AT_ZERO.store(u32::try_from(zero).ok()?, Ordering::Relaxed);
        Some(u64::from(now))
    }
}

impl TlsClock for WallClock {
    fn now() -> Option<u64> {
        match UNIX_AT_ZERO.load(Ordering::Relaxed) {
            0 => None,
            zero => Some(u64::from(zero) + Instant::now().as_secs()),
        }
    }
}

/// A ChaCha20 generator seeded from what QEMU's board has. **Not a TRNG** (see the module docs): a real device
/// seeds from its hardware RNG.
///
/// SHA-256 over the host time (`SYS_TIME`, seconds), the host's process clock (`SYS_CLOCK`, centiseconds), and 64
/// samples of the SysTick counter and embassy-time's clock taken as the task wakes on each of 64 SysTick ticks (QEMU
/// derives both counters from the host's clock, so the wake-up jitter of the emulation lands in their low bits).
/// Takes at most about 64 ms.
pub async fn seeded_rng() -> ChaCha20Rng {
    let mut h = Sha256::new();
    h.update(b"qod firmware-mps2 QEMU seed v1");
    if let Ok(t) = semihosting::sys::arm_compat::sys_time() {
        h.update(t.to_le_bytes());
    }
    if let Ok(c) = semihosting::sys::arm_compat::sys_clock() {
        h.update(c.to_le_bytes());
    }
    for _ in 0..64 {
        // Until the next SysTick tick (1 kHz): where in its period the task resumes is the jitter.
        Timer::after_ticks(1).await;
        h.update(SYST::get_current().to_le_bytes());
        h.update(Instant::now().as_ticks().to_le_bytes());
    }
    ChaCha20Rng::from_seed(h.finalize().into())
}

/// Counts and times the connections of the connector it wraps, and logs each (to show the TLS handshake's cost
/// and that the whole job used one connection).
pub struct Timed<C> {
    inner: C,
    what: &'static str,
    connects: Cell<u32>,
}

impl<C> Timed<C> {
    fn new(inner: C, what: &'static str) -> Self {
        Timed {
            inner,
            what,
            connects: Cell::new(0),
        }
    }
}

impl<C: Connect> Connect for Timed<C> {
    type Error = C::Error;
    type Connection<'a>
        = C::Connection<'a>
    where
        Self: 'a;

    async fn connect<'a>(&'a self, to: &Url<'_>) -> Result<C::Connection<'a>, C::Error> {
        let t = Instant::now();
        let conn = self.inner.connect(to).await;
        let us = t.elapsed().as_micros();
        self.connects.set(self.connects.get() + 1);
        match conn {
            Ok(_) => defmt::info!(
                "{=str} connection {=u32} up in {=u64} us",
                self.what,
                self.connects.get(),
                us
            ),
            Err(_) => defmt::warn!(
                "{=str} connection {=u32} failed after {=u64} us",
                self.what,
                self.connects.get(),
                us
            ),
        }
        conn
    }
}

impl<E: TransportExit> TransportExit for TlsError<E> {
    fn exit_code(&self) -> Option<ExitCode> {
        match self {
            TlsError::Connect(e) => e.exit_code(),
            TlsError::Certificate => Some(ExitCode::TlsCertificate),
            TlsError::Alert(AlertDescription::ProtocolVersion) => Some(ExitCode::TlsVersion),
            TlsError::Alert(_) | TlsError::Protocol(_) | TlsError::BufferTooSmall => Some(ExitCode::TlsHandshake),
            // The transport below TLS failed, or the peer closed: as over TCP, the step's status.
            _ => None,
        }
    }
}

/// The job over HTTPS with an OAuth2 token: see the module docs.
pub(crate) async fn run(
    tcp: EmbassyConnector<'_>,
    config: Config<'_>,
    tx: &mut [u8],
    rx: &mut [u8],
    request: &CreateSession,
) -> ExitCode {
    let (Some(read_record), Some(write_record)) = (READ_RECORD.try_take(), WRITE_RECORD.try_take()) else {
        defmt::error!("TLS record buffers already in use");
        return ExitCode::Config;
    };
    let clock = match WallClock::set_from_host() {
        Some(now) => {
            defmt::info!(
                "wall clock from the host (semihosting SYS_TIME): {=u64} s since 1970",
                now
            );
            EmbassyClock::with_unix_time(now)
        }
        None => {
            defmt::warn!("no wall-clock time: certificate dates are not checked");
            EmbassyClock::new()
        }
    };
    let t = Instant::now();
    let rng = seeded_rng().await;
    defmt::info!(
        "RNG: ChaCha20 seeded from host time and SysTick jitter in {=u64} ms (QEMU has no TRNG; a device uses its own)",
        t.elapsed().as_millis()
    );

    let tcp = Timed::new(tcp, "TCP");
    let tls = TlsConnector::new(&tcp, CA_DER, read_record, write_record, rng)
        .with_clock::<WallClock>()
        .with_cert_capacity::<CERT_CAPACITY>()
        .with_server_name(SERVER_NAME);
    let tls = Timed::new(tls, "TLS (TCP + handshake)");
    let tokens = match ClientCredentials::basic(TOKEN_URL, CLIENT_ID, CLIENT_SECRET, clock) {
        Ok(tokens) => tokens,
        Err(e) => {
            defmt::error!("token URL {=str}: {}", TOKEN_URL, e);
            return ExitCode::Config;
        }
    };
    defmt::info!(
        "TLS 1.3 to {=str} as {=str}, CA built in ({=usize} B DER); OAuth2 client_credentials for {=str} at {=str}",
        session::SERVER_URL,
        SERVER_NAME,
        CA_DER.len(),
        CLIENT_ID,
        TOKEN_URL
    );
    let mut client = qod_client::Client::new(&tls, embassy_time::Delay, config, tx, rx).with_token_source(tokens);
    let code = session::lifecycle(&mut client, request).await;
    drop(client);
    defmt::info!(
        "TLS connections: {=u32}; TCP connections: {=u32}",
        tls.connects.get(),
        tcp.connects.get()
    );
    code
}
