//! The job every board example runs, whatever its link (a W5500 over SPI, the nRF9160's LTE-M modem, an STM32's
//! Ethernet MAC): one QoS session for this device through qod-client over TLS 1.3, with an OAuth2 token from the
//! operator's token endpoint.
//!
//! token (client credentials) → create (`POST /sessions`) → wait until `AVAILABLE` → read (`GET`) → delete
//! (`DELETE`). Once a session exists, a failure deletes it before [`run`] returns, so none is left behind.
//!
//! What a board sets is [`Settings`]: the server URL, the client id and secret, the CA that signed the server's
//! certificate (DER), the QoS profile and the application server, all at build time ([`settings!`], from the
//! environment or the board's gitignored `board.env`, never from a committed file). The board brings the
//! embassy-net stack and a cryptographic random number generator.
#![no_std]

use core::fmt::Write as _;

use embassy_net::Stack;
use embassy_time::Instant;
use qod_client::qod_core::model::{ApplicationServer, CreateSession, Device, DeviceIpv4Addr, SessionId, SessionInfo};
use qod_client::tls::TlsConnector;
use qod_client::{ClientCredentials, ClientError, Config, Connect, PollPolicy, RetryPolicy, Url};
use qod_embassy::{EmbassyClock, EmbassyConnector};
use rand_core::CryptoRngCore;

/// What a board sets: at build time, through [`settings!`] (see each board's README).
pub struct Settings {
    /// The API base URL, e.g. `https://qod.operator.example/qod/v0`.
    pub server_url: &'static str,
    /// The OAuth2 token endpoint, e.g. `https://auth.operator.example/oauth/token`.
    pub token_url: &'static str,
    /// The OAuth2 client id the operator gave this device.
    pub client_id: &'static str,
    /// Its client secret (provision it per device; not in the source of a product).
    pub client_secret: &'static str,
    /// The certificate (DER) of the CA that signed the server's certificate.
    pub ca_der: &'static [u8],
    /// `qosProfile`, e.g. `QOS_VC`.
    pub profile: &'static str,
    /// `applicationServer.ipv4Address`: the address (or CIDR) of the server the QoS is for.
    pub application_server: &'static str,
    /// `duration` in seconds.
    pub duration_s: u32,
}

/// The [`Settings`] the board's build script put into the build (`examples/board-job/settings.rs`, included by
/// each board's `build.rs`): from the environment of `cargo build`, the board's gitignored `board.env`, or
/// placeholders.
#[macro_export]
macro_rules! settings {
    () => {
        $crate::Settings {
            server_url: env!("QOD_SERVER_URL"),
            token_url: env!("QOD_TOKEN_URL"),
            client_id: env!("QOD_CLIENT_ID"),
            client_secret: env!("QOD_CLIENT_SECRET"),
            ca_der: include_bytes!(concat!(env!("OUT_DIR"), "/ca.der")),
            profile: env!("QOD_PROFILE"),
            application_server: env!("QOD_APP_SERVER"),
            duration_s: $crate::parse_u32(env!("QOD_DURATION_S")),
        }
    };
}

/// A decimal `u32` at compile time (for [`settings!`]); a build error if it is not one.
pub const fn parse_u32(s: &str) -> u32 {
    let b = s.as_bytes();
    assert!(!b.is_empty(), "QOD_DURATION_S: empty");
    let mut n: u32 = 0;
    let mut i = 0;
    while i < b.len() {
        assert!(b[i].is_ascii_digit(), "QOD_DURATION_S: not a decimal number");
        n = match n.checked_mul(10) {
            Some(v) => match v.checked_add((b[i] - b'0') as u32) {
                Some(v) => v,
                None => panic!("QOD_DURATION_S: too large"),
            },
            None => panic!("QOD_DURATION_S: too large"),
        };
        i += 1;
    }
    n
}

/// Which step failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, defmt::Format)]
pub enum Failed {
    /// A setting does not parse (URL, profile, address).
    Config,
    /// The stack has no IPv4 address yet.
    NoAddress,
    /// No access token.
    Token,
    /// The create was refused or failed.
    Create,
    /// The session did not become AVAILABLE.
    Wait,
    /// Reading it back failed.
    Get,
    /// Deleting it failed.
    Delete,
}

/// TLS record buffers: 16,640 bytes for any server's records, 2 KiB for ours.
pub struct TlsBuffers {
    /// The read record buffer.
    pub read: [u8; 16_640],
    /// The write record buffer.
    pub write: [u8; 2048],
}

impl TlsBuffers {
    /// Zeroed buffers (put them in a `static` through `static_cell`).
    pub const fn new() -> Self {
        TlsBuffers {
            read: [0; 16_640],
            write: [0; 2048],
        }
    }
}

impl Default for TlsBuffers {
    fn default() -> Self {
        Self::new()
    }
}

/// Runs the job once on `stack`, over TLS with `rng`.
pub async fn run<R: CryptoRngCore>(
    stack: Stack<'_>,
    settings: &Settings,
    tls: &mut TlsBuffers,
    rng: R,
) -> Result<(), Failed> {
    let request = create_request(stack, settings)?;
    let (mut sock_rx, mut sock_tx) = ([0u8; 2048], [0u8; 2048]);
    let tcp = EmbassyConnector::new(stack, &mut sock_rx, &mut sock_tx);
    let connector = TlsConnector::new(&tcp, settings.ca_der, &mut tls.read, &mut tls.write, rng);
    lifecycle(&connector, settings, &request).await
}

fn create_request(stack: Stack<'_>, s: &Settings) -> Result<CreateSession, Failed> {
    let address = stack.config_v4().ok_or(Failed::NoAddress)?.address.address();
    let mut own: heapless::String<{ qod_client::qod_core::limits::IPV4 }> = heapless::String::new();
    write!(own, "{address}").map_err(|_| Failed::Config)?;
    let address = DeviceIpv4Addr::new(&own)
        .and_then(|a| a.with_private_address(&own))
        .map_err(|_| Failed::Config)?;
    let device = Device::default().with_ipv4_address(address);
    let server = ApplicationServer::ipv4(s.application_server).map_err(|_| Failed::Config)?;
    let request = CreateSession::new(device, server, s.profile).map_err(|_| Failed::Config)?;
    Ok(request.with_duration(s.duration_s))
}

async fn lifecycle<C: Connect>(connector: &C, s: &Settings, request: &CreateSession) -> Result<(), Failed>
where
    C::Error: defmt::Format,
{
    let url = Url::parse(s.server_url).map_err(|_| Failed::Config)?;
    let tokens = ClientCredentials::basic(s.token_url, s.client_id, s.client_secret, EmbassyClock::new())
        .map_err(|_| Failed::Config)?;
    let mut config = Config::new(url);
    config.timeout_ms = 10_000;
    config.retry = RetryPolicy::new(2, 5_000, 1_000);
    let (mut tx, mut rx) = ([0u8; 1024], [0u8; 2048]);
    let mut client =
        qod_client::Client::new(connector, embassy_time::Delay, config, &mut tx, &mut rx).with_token_source(tokens);
    let start = Instant::now();
    client.refresh_token().await.map_err(|e| failed(Failed::Token, &e))?;

    let mut info = SessionInfo::default();
    client
        .create_session(request, &mut info)
        .await
        .map_err(|e| failed(Failed::Create, &e))?;
    let id: SessionId = info.session_id.clone();
    defmt::info!("created session {=str}", id.as_str());
    let result = async {
        let poll = PollPolicy::new(500, 30_000);
        client
            .wait_until_available(&id, &mut info, poll)
            .await
            .map_err(|e| failed(Failed::Wait, &e))?;
        client
            .get_session(&id, &mut info)
            .await
            .map_err(|e| failed(Failed::Get, &e))?;
        defmt::info!("session {=str} AVAILABLE, {=u32} s", id.as_str(), info.duration);
        Ok(())
    }
    .await;
    // Whatever happened after the create, the session is deleted.
    let deleted = client.delete_session(&id).await.map_err(|e| failed(Failed::Delete, &e));
    client.close().await;
    result.and(deleted)?;
    defmt::info!("session lifecycle done in {=u64} ms", start.elapsed().as_millis());
    Ok(())
}

fn failed<E: defmt::Format>(step: Failed, e: &ClientError<E>) -> Failed {
    defmt::error!("{}: {}", step, e);
    step
}
