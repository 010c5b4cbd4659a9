//! Gateway commands: `qod --server URL [--token T | --client-id ID --client-secret S] session …` and `qod profiles`.
//! The secret and the token can come from the environment instead (`QOD_CLIENT_SECRET`, `QOD_TOKEN`), off the
//! command line that other local users can read.
//!
//! They run the same `qod-client` as the devices, over tokio TCP (`qod_client::tokio`), and print the API's answer as
//! JSON on stdout. An API error prints its status, CAMARA code and message (plus what to do) and exits non-zero.
use qod_client::tokio::{SystemClock, TokioConnector, TokioDelay};
use qod_client::Url;
use qod_client::{Client, ClientCredentials, ClientError, Config};
use qod_core::model::{
    CreateSession, Device, DeviceIpv4Addr, PortRange, PortsSpec, QosProfile, QosProfileList, SessionInfo, Webhook,
};

/// A credential given as an option (`--token`, `--client-secret`, `--webhook-token`): `Debug` shows `<redacted>`,
/// so printing the parsed options never prints it.
#[derive(Clone)]
pub struct SecretArg(String);

impl SecretArg {
    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for SecretArg {
    fn from(s: String) -> Self {
        SecretArg(s)
    }
}

impl core::fmt::Debug for SecretArg {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Options shared by the gateway commands (given before the subcommand).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Global {
    /// API base URL, e.g. `http://127.0.0.1:9091/qod/v0`; with `--api v1` the API root, e.g.
    /// `http://127.0.0.1:9091` (http only; https is refused).
    #[arg(long, global = true, value_name = "URL")]
    pub server: Option<String>,
    /// OAuth2 access token, sent as `Authorization: Bearer`. Other local users can read a command line: prefer
    /// `QOD_TOKEN` in the environment (used when neither `--token` nor `--client-id` is given).
    #[arg(long, global = true, value_name = "T", conflicts_with_all = ["client_id", "client_secret"])]
    pub token: Option<SecretArg>,
    /// OAuth2 client id: fetch a token from `{origin}/oauth/token` (client_credentials) first.
    #[arg(long, global = true, value_name = "ID")]
    pub client_id: Option<String>,
    /// OAuth2 client secret (with `--client-id`). Other local users can read a command line: prefer
    /// `QOD_CLIENT_SECRET` in the environment (used when `--client-id` comes without `--client-secret`).
    #[arg(long, global = true, value_name = "S", requires = "client_id")]
    pub client_secret: Option<SecretArg>,
    /// Timeout of each request in seconds.
    #[arg(long, global = true, value_name = "S", default_value_t = 10)]
    pub timeout: u32,
    /// `x-correlator` to send with every request (with `--api v1`; v0.10.1 has no such header): the server echoes
    /// it, and an error names it.
    #[arg(long, global = true, value_name = "ID")]
    pub correlator: Option<String>,
}

/// Where the gateway commands' token comes from.
pub(crate) enum Credentials<'a> {
    /// A static token (`--token`, `QOD_TOKEN`), or none.
    Token(Option<SecretArg>),
    /// OAuth2 client credentials: id and secret (`--client-secret`, `QOD_CLIENT_SECRET`).
    Client(&'a str, SecretArg),
}

impl Global {
    /// The credentials of the options, completed from the environment (`QOD_CLIENT_SECRET`, `QOD_TOKEN`) where the
    /// command line leaves them out.
    pub(crate) fn credentials(&self) -> Result<Credentials<'_>, String> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty()).map(SecretArg);
        match (&self.client_id, &self.client_secret) {
            (Some(id), Some(secret)) => Ok(Credentials::Client(id, secret.clone())),
            (Some(id), None) => env("QOD_CLIENT_SECRET")
                .map(|secret| Credentials::Client(id, secret))
                .ok_or_else(|| "--client-id needs --client-secret or QOD_CLIENT_SECRET in the environment".into()),
            (None, _) => Ok(Credentials::Token(self.token.clone().or_else(|| env("QOD_TOKEN")))),
        }
    }
}

/// `qod session …`.
#[derive(Debug, clap::Args)]
pub struct SessionArgs {
    #[command(subcommand)]
    pub(crate) command: SessionCommand,
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum SessionCommand {
    /// Create a QoS session (`POST /sessions`).
    Create(Box<CreateArgs>),
    /// Read a session (`GET /sessions/{id}`).
    Get {
        /// Session id.
        id: String,
    },
    /// Extend a session (`POST /sessions/{id}/extend`).
    Extend {
        /// Session id.
        id: String,
        /// Seconds to add.
        #[arg(long, value_name = "SECONDS")]
        by: u32,
    },
    /// Delete a session (`DELETE /sessions/{id}`).
    Delete {
        /// Session id.
        id: String,
    },
    /// Find the sessions of a device (`POST /retrieve-sessions`; with --api v1).
    List(crate::gateway_v1::ListArgs),
}

/// Every field of `Device`.
#[derive(Debug, clap::Args)]
pub(crate) struct DeviceArgs {
    /// Device phone number (E.164, e.g. +436641234567).
    #[arg(long)]
    phone_number: Option<String>,
    /// Device network access identifier (user@domain).
    #[arg(long = "nai", value_name = "NAI")]
    nai: Option<String>,
    /// Device public IPv4 address, optionally with the public port: `PUBLIC[:PORT]`.
    #[arg(long, value_name = "PUBLIC[:PORT]")]
    device_ipv4: Option<String>,
    /// Device private IPv4 address (with `--device-ipv4`).
    #[arg(long, value_name = "IPV4")]
    device_private_ipv4: Option<String>,
    /// Device IPv6 address.
    #[arg(long, value_name = "IPV6")]
    device_ipv6: Option<String>,
}

impl DeviceArgs {
    /// The device the options name (`Device::default()` when they name none).
    pub(crate) fn device(&self) -> Result<Device, String> {
        let mut d = Device {
            phone_number: self
                .phone_number
                .as_deref()
                .map(|v| field("--phone-number", v))
                .transpose()?,
            network_access_identifier: self.nai.as_deref().map(|v| field("--nai", v)).transpose()?,
            ipv6_address: self
                .device_ipv6
                .as_deref()
                .map(|v| field("--device-ipv6", v))
                .transpose()?,
            ..Device::default()
        };
        if self.device_ipv4.is_some() || self.device_private_ipv4.is_some() {
            let mut a = DeviceIpv4Addr::default();
            if let Some(v) = &self.device_ipv4 {
                let (addr, port) = match v.rsplit_once(':') {
                    Some((a, p)) => (
                        a,
                        Some(p.parse::<u16>().map_err(|_| format!("--device-ipv4: bad port `{p}`"))?),
                    ),
                    None => (v.as_str(), None),
                };
                a.public_address = Some(field("--device-ipv4", addr)?);
                a.public_port = port;
            }
            a.private_address = self
                .device_private_ipv4
                .as_deref()
                .map(|v| field("--device-private-ipv4", v))
                .transpose()?;
            d.ipv4_address = Some(a);
        }
        Ok(d)
    }
}

/// Every field of `CreateSession`.
#[derive(Debug, clap::Args)]
pub(crate) struct CreateArgs {
    #[command(flatten)]
    device: DeviceArgs,
    /// Application server IPv4 address or CIDR.
    #[arg(long = "as-ipv4", value_name = "IPV4[/MASK]")]
    as_ipv4: Option<String>,
    /// Application server IPv6 address or prefix.
    #[arg(long = "as-ipv6", value_name = "IPV6[/PREFIX]")]
    as_ipv6: Option<String>,
    /// QoS profile name, e.g. QOS_VC.
    #[arg(long)]
    profile: String,
    /// Session duration in seconds.
    #[arg(long, value_name = "SECONDS")]
    pub(crate) duration: Option<u32>,
    /// Device ports, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "PORT,..")]
    device_ports: Vec<u16>,
    /// Device port ranges, comma-separated `FROM-TO`.
    #[arg(long, value_delimiter = ',', value_name = "FROM-TO,..", value_parser = parse_range)]
    device_port_ranges: Vec<PortRange>,
    /// Application server ports, comma-separated.
    #[arg(long = "as-ports", value_delimiter = ',', value_name = "PORT,..")]
    as_ports: Vec<u16>,
    /// Application server port ranges, comma-separated `FROM-TO`.
    #[arg(long = "as-port-ranges", value_delimiter = ',', value_name = "FROM-TO,..", value_parser = parse_range)]
    as_port_ranges: Vec<PortRange>,
    /// Webhook URL for QoS status notifications (with `--api v1`: the `sink`, an https:// URL).
    #[arg(long, visible_alias = "sink", value_name = "URL")]
    webhook_url: Option<String>,
    /// Token the server sends with each notification (with `--webhook-url`; with `--api v1`: the `sinkCredential`
    /// access token). Other local users can read a command line: prefer `QOD_SINK_TOKEN` in the environment (used
    /// when `--webhook-url` comes without `--webhook-token`).
    #[arg(long, visible_alias = "sink-token", value_name = "TOKEN", requires = "webhook_url")]
    webhook_token: Option<SecretArg>,
}

/// `qod profiles [NAME]`.
#[derive(Debug, clap::Args)]
pub struct ProfilesArgs {
    /// One profile's name; without it, every profile.
    pub(crate) name: Option<String>,
}

fn parse_range(s: &str) -> Result<PortRange, String> {
    let (a, b) = s.split_once('-').ok_or("expected FROM-TO")?;
    let from = a.trim().parse().map_err(|_| format!("bad port `{a}`"))?;
    let to = b.trim().parse().map_err(|_| format!("bad port `{b}`"))?;
    Ok(PortRange { from, to })
}

pub(crate) fn field<const N: usize>(flag: &str, v: &str) -> Result<heapless::String<N>, String> {
    heapless::String::try_from(v).map_err(|_| format!("{flag} is longer than {N} characters"))
}

fn ports(flag: &str, ports: &[u16], ranges: &[PortRange]) -> Result<Option<PortsSpec>, String> {
    if ports.is_empty() && ranges.is_empty() {
        return Ok(None);
    }
    let mut p = PortsSpec::default();
    for x in ports {
        p.ports
            .push(*x)
            .map_err(|_| format!("too many {flag} ports (at most {})", p.ports.capacity()))?;
    }
    for r in ranges {
        p.ranges
            .push(*r)
            .map_err(|_| format!("too many {flag} ranges (at most {})", p.ranges.capacity()))?;
    }
    Ok(Some(p))
}

impl CreateArgs {
    pub(crate) fn body(&self) -> Result<CreateSession, String> {
        let mut c = CreateSession {
            device: self.device.device()?,
            ..CreateSession::default()
        };
        c.application_server.ipv4_address = self.as_ipv4.as_deref().map(|v| field("--as-ipv4", v)).transpose()?;
        c.application_server.ipv6_address = self.as_ipv6.as_deref().map(|v| field("--as-ipv6", v)).transpose()?;
        c.qos_profile = field("--profile", &self.profile)?;
        c.duration = self.duration;
        c.device_ports = ports("--device", &self.device_ports, &self.device_port_ranges)?;
        c.application_server_ports = ports("--as", &self.as_ports, &self.as_port_ranges)?;
        if let Some(url) = &self.webhook_url {
            let env = std::env::var("QOD_SINK_TOKEN")
                .ok()
                .filter(|v| !v.is_empty())
                .map(SecretArg);
            let token = match self.webhook_token.clone().or(env) {
                Some(t) => Some(qod_core::Secret::new(t.expose()).ok_or("--webhook-token is too long")?),
                None => None,
            };
            c.webhook = Some(Webhook {
                notification_url: field("--webhook-url", url)?,
                notification_auth_token: token,
            });
        }
        Ok(c)
    }
}

/// The API base URL from `--server`.
pub(crate) fn server_url(g: &Global) -> Result<&str, String> {
    let server = g
        .server
        .as_deref()
        .ok_or("--server URL is required (e.g. --server http://127.0.0.1:9091/qod/v0)")?;
    let url = Url::parse(server).map_err(|e| format!("--server {server}: {e}"))?;
    if url.https {
        return Err(format!(
            "--server {server}: https is not supported yet: use an http:// URL"
        ));
    }
    Ok(server)
}

/// The token endpoint on the server's origin: `{scheme}://{authority}/oauth/token`.
pub fn default_token_url(server: &Url<'_>) -> String {
    let scheme = if server.https { "https" } else { "http" };
    format!("{scheme}://{}/oauth/token", server.authority)
}

fn api_error(e: ClientError<std::io::Error>) -> String {
    e.to_string()
}

/// Prints `v` as pretty JSON, members in the spec's order. A webhook's `notificationAuthToken` is a credential: it
/// is shown as `<redacted>`, never printed.
pub(crate) fn print_json<T: qod_core::Encode + ?Sized>(v: &T) -> Result<(), String> {
    let mut value = json_value(v)?;
    if let Some(token) = value.pointer_mut("/webhook/notificationAuthToken") {
        *token = serde_json::Value::from("<redacted>");
    }
    print_value(&value)
}

/// Prints `value` as pretty JSON on stdout. A reader that has gone (`qod … | head`) is not an error.
pub(crate) fn print_value(value: &serde_json::Value) -> Result<(), String> {
    use std::io::Write;
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    match writeln!(std::io::stdout().lock(), "{text}") {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("cannot write the answer: {e}")),
        _ => Ok(()),
    }
}

/// `v` as a JSON value, members in the spec's order (qod-core's encoder, read back by serde_json).
pub(crate) fn json_value<T: qod_core::Encode + ?Sized>(v: &T) -> Result<serde_json::Value, String> {
    let bytes = qod_core::json::to_vec(v).map_err(|e| format!("cannot encode the answer: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

/// Runs `$body` with `$client`: a client on tokio TCP for `--server`, with the static `--token` or an OAuth2
/// client-credentials source for `--client-id`/`--client-secret` (the same token fetch as the devices').
macro_rules! with_client {
    ($g:expr, $client:ident, $body:expr) => {{
        let server = server_url($g)?;
        let url = Url::parse(server).map_err(|e| e.to_string())?;
        let mut config = Config::new(url);
        config.timeout_ms = $g.timeout.saturating_mul(1000);
        config.correlator = $g.correlator.as_deref();
        let (mut tx, mut rx) = (vec![0u8; 4096], vec![0u8; 64 * 1024]);
        let connector = TokioConnector::new();
        let clock = SystemClock::new();
        let token_url = default_token_url(&url);
        match $g.credentials()? {
            $crate::gateway::Credentials::Client(id, secret) => {
                let tokens = ClientCredentials::post(&token_url, id, secret.expose(), &clock)
                    .map_err(|e| format!("token URL {token_url}: {e}"))?
                    .with_capacity::<4096>();
                let mut $client =
                    Client::new(&connector, TokioDelay, config, &mut tx, &mut rx).with_token_source(tokens);
                let out = $body;
                $client.close().await;
                out
            }
            $crate::gateway::Credentials::Token(token) => {
                let mut $client = Client::new(&connector, TokioDelay, config, &mut tx, &mut rx);
                $client.set_token(token.as_ref().map($crate::gateway::SecretArg::expose));
                let out = $body;
                $client.close().await;
                out
            }
        }
    }};
}

pub(crate) use with_client;

/// v0.10.1 defines no `x-correlator`: `--correlator` is refused rather than sent unchecked.
fn no_correlator(g: &Global) -> Result<(), String> {
    match g.correlator {
        Some(_) => Err("--correlator is the 1.1.0 x-correlator header: add --api v1".into()),
        None => Ok(()),
    }
}

/// Runs `qod session …`.
///
/// # Errors
/// A readable message (API errors with status, code and message).
pub async fn run_session(g: Global, args: SessionArgs) -> Result<(), String> {
    no_correlator(&g)?;
    let mut info = SessionInfo::default();
    match args.command {
        SessionCommand::Create(c) => {
            let body = c.body()?;
            with_client!(
                &g,
                client,
                client.create_session(&body, &mut info).await.map_err(api_error)
            )?;
            print_json(&info)
        }
        SessionCommand::Get { id } => {
            with_client!(&g, client, client.get_session(&id, &mut info).await.map_err(api_error))?;
            print_json(&info)
        }
        SessionCommand::Extend { id, by } => {
            with_client!(
                &g,
                client,
                client.extend_session(&id, by, &mut info).await.map_err(api_error)
            )?;
            print_json(&info)
        }
        SessionCommand::Delete { id } => {
            with_client!(&g, client, client.delete_session(&id).await.map_err(api_error))?;
            print_value(&serde_json::json!({ "deleted": id }))
        }
        SessionCommand::List(_) => Err("session list is retrieve-sessions, a 1.1.0 operation: add --api v1".into()),
    }
}

/// Runs `qod profiles [NAME]`: one profile, or the whole catalogue (up to `qod_core::limits::PROFILES`).
///
/// # Errors
/// As [`run_session`].
pub async fn run_profiles(g: Global, args: ProfilesArgs) -> Result<(), String> {
    no_correlator(&g)?;
    match args.name {
        Some(name) => {
            let mut p = QosProfile::default();
            with_client!(&g, client, client.qos_profile(&name, &mut p).await.map_err(api_error))?;
            print_json(&p)
        }
        None => {
            let mut list = QosProfileList::new();
            with_client!(&g, client, {
                match client.qos_profiles(None, None, &mut list).await {
                    Ok(()) => Ok(()),
                    // The spec answers 404 when no profile matches: an empty catalogue.
                    Err(e) if e.status() == Some(404) => Ok(()),
                    Err(e) => Err(api_error(e)),
                }
            })?;
            print_json(&list)
        }
    }
}
