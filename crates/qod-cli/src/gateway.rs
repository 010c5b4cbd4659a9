//! Gateway commands: `qod --server URL [credentials] session …` and `qod profiles`.
//!
//! They run the same `qod-client` as the devices, over tokio TCP or rustls (`qod_client::tokio`), get their OAuth2
//! token with the same token source, and print the API's answer as JSON on stdout. An API error prints its status,
//! CAMARA code and message (plus what to do) and exits with the status of its class (`crate::exit`).
//!
//! Operations run at host size (`crate::answer`): the answer is shown as the server sent it, checked by the device
//! codec but not cut to a device's capacities.
use crate::answer::Answer;
use crate::exit::{Class, Failure};
use qod_client::tokio::{tls_config, SystemClock, TokioConnector, TokioDelay};
use qod_client::Url;
use qod_client::{Client, ClientCredentials, Config};
use qod_core::model::{
    CreateSession, Device, DeviceIpv4Addr, ExtendSessionDuration, PortRange, PortsSpec, QosProfile, SessionInfo,
    Webhook,
};
use qod_core::v0::op;

/// `--help` heading of the options every gateway command shares: connection.
pub const CONNECTION: &str = "Global connection options";
/// `--help` heading of the options every gateway command shares: credentials.
pub const CREDENTIALS: &str = "Global credential options";

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

/// How the client authenticates at the token endpoint with a secret.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMethod {
    /// `client_secret_basic`: HTTP Basic (RFC 6749's default).
    #[default]
    Basic,
    /// `client_secret_post`: id and secret in the form body.
    Post,
}

/// Options shared by the gateway commands (given before or after the subcommand).
///
/// Secrets never have to be on the command line (where other local users can read them): the token comes from
/// `QOD_TOKEN`, the client secret from `QOD_CLIENT_SECRET` or `--client-secret-file`, the signing key from
/// `--client-key-file`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Global {
    /// API base URL, e.g. `https://qod.example/qod/v0` [env: QOD_SERVER]. `http://` only to a loopback address,
    /// unless `--allow-http`.
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "QOD_SERVER",
        help_heading = CONNECTION
    )]
    pub server: Option<String>,
    /// Trust the CA certificate(s) in this PEM file besides the usual web roots.
    #[arg(long, global = true, value_name = "PEM", help_heading = CONNECTION)]
    pub ca_file: Option<std::path::PathBuf>,
    /// Allow plain `http://` to a server that is not on this machine (tokens and secrets then travel in clear).
    #[arg(long, global = true, help_heading = CONNECTION)]
    pub allow_http: bool,
    /// Time limit in seconds for the whole command's network exchanges (token, request and any retry on a fresh
    /// connection); at least 1.
    #[arg(
        long,
        global = true,
        value_name = "S",
        default_value_t = 10,
        value_parser = clap::value_parser!(u32).range(1..),
        help_heading = CONNECTION
    )]
    pub timeout: u32,
    /// A ready OAuth2 access token [env: QOD_TOKEN, preferred: a command line is visible to other local users].
    #[arg(
        long,
        global = true,
        value_name = "T",
        env = "QOD_TOKEN",
        hide_env_values = true,
        help_heading = CREDENTIALS
    )]
    pub token: Option<SecretArg>,
    /// OAuth2 client id: get a token with the client-credentials grant first.
    #[arg(long, global = true, value_name = "ID", help_heading = CREDENTIALS)]
    pub client_id: Option<String>,
    /// The client secret [env: QOD_CLIENT_SECRET, preferred; or --client-secret-file]. Visible to other local users
    /// when given on the command line.
    #[arg(
        long,
        global = true,
        value_name = "S",
        env = "QOD_CLIENT_SECRET",
        hide_env_values = true,
        help_heading = CREDENTIALS
    )]
    pub client_secret: Option<SecretArg>,
    /// Read the client secret from this file (its first line).
    #[arg(long, global = true, value_name = "FILE", help_heading = CREDENTIALS)]
    pub client_secret_file: Option<std::path::PathBuf>,
    /// Authenticate with `private_key_jwt`: sign an ES256 client assertion with this P-256 private key (PEM).
    #[arg(long, global = true, value_name = "PEM", help_heading = CREDENTIALS)]
    pub client_key_file: Option<std::path::PathBuf>,
    /// `kid` to put in the client assertion's header (with --client-key-file).
    #[arg(long, global = true, value_name = "KID", help_heading = CREDENTIALS)]
    pub key_id: Option<String>,
    /// How a client secret is sent.
    #[arg(long, global = true, value_enum, default_value_t, help_heading = CREDENTIALS)]
    pub auth_method: AuthMethod,
    /// Token endpoint [default: {scheme}://{host}/oauth/token of --server].
    #[arg(long, global = true, value_name = "URL", help_heading = CREDENTIALS)]
    pub token_url: Option<String>,
    /// Scope to ask for (space-separated).
    #[arg(long, global = true, value_name = "SCOPE", help_heading = CREDENTIALS)]
    pub scope: Option<String>,
    /// `x-correlator` to send with every request (with `--api v1`; v0.10.1 has no such header): the server echoes
    /// it, and an error names it.
    #[arg(long, global = true, value_name = "ID", help_heading = CONNECTION)]
    pub correlator: Option<String>,
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
    /// Keep a session for as long as wanted: leases, extensions, recovery, cleanup (one JSON line per event).
    Keep(Box<crate::keep::KeepArgs>),
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
        let mut d = qod_core::fill!(Device {
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
        });
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
    pub(crate) webhook_url: Option<String>,
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
    Ok(PortRange::new(from, to))
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
        let mut c = qod_core::fill!(CreateSession {
            device: self.device.device()?,
            ..CreateSession::default()
        });
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
                Some(t) => Some(qod_core::Secret::new(t.expose()).map_err(|_| "--webhook-token is too long")?),
                None => None,
            };
            c.webhook = Some(qod_core::fill!(Webhook {
                notification_url: field("--webhook-url", url)?,
                notification_auth_token: token,
            }));
        }
        Ok(c)
    }
}

/// The API base URL from `--server`, checked: https, or http to loopback (or with `--allow-http`).
pub(crate) fn server_url(g: &Global) -> Result<&str, String> {
    let server = g
        .server
        .as_deref()
        .ok_or("--server URL is required (e.g. --server https://qod.example/qod/v0, or QOD_SERVER)")?;
    let url = Url::parse(server).map_err(|e| format!("--server {server}: {e}"))?;
    if !url.https && !url.is_loopback() && !g.allow_http {
        return Err(format!(
            "--server {server}: refusing plain http:// to a server that is not on this machine (tokens would travel in clear): use https://, or --allow-http"
        ));
    }
    Ok(server)
}

/// The token endpoint on the server's origin: `{scheme}://{authority}/oauth/token`.
pub fn default_token_url(server: &Url<'_>) -> String {
    let scheme = if server.https { "https" } else { "http" };
    format!("{scheme}://{}/oauth/token", server.authority)
}

/// The connector: tokio TCP, with rustls (web roots + `--ca-file`) for https.
pub(crate) fn connector(g: &Global) -> Result<TokioConnector, String> {
    let ca = match &g.ca_file {
        Some(path) => Some(std::fs::read(path).map_err(|e| format!("--ca-file {}: {e}", path.display()))?),
        None => None,
    };
    let config = tls_config(ca.as_deref()).map_err(|e| match &g.ca_file {
        Some(path) => format!("--ca-file {}: {e}", path.display()),
        None => e.to_string(),
    })?;
    Ok(TokioConnector::with_tls(config))
}

/// The credentials the flags ask for.
pub(crate) enum Credentials {
    /// `--token` / `QOD_TOKEN`, or none.
    Token(Option<String>),
    /// Client id and secret.
    Secret { id: String, secret: String },
    /// Client id and a PEM signing key.
    Key { id: String, pem: String },
}

pub(crate) fn credentials(g: &Global) -> Result<Credentials, String> {
    let Some(id) = g.client_id.clone() else {
        if g.client_secret_file.is_some() || g.client_key_file.is_some() {
            return Err("--client-secret-file and --client-key-file need --client-id".into());
        }
        return Ok(Credentials::Token(g.token.as_ref().map(|t| t.expose().to_owned())));
    };
    if let Some(path) = &g.client_key_file {
        let pem = std::fs::read_to_string(path).map_err(|e| format!("--client-key-file {}: {e}", path.display()))?;
        return Ok(Credentials::Key { id, pem });
    }
    let secret =
        match (&g.client_secret_file, &g.client_secret) {
            (Some(path), _) => std::fs::read_to_string(path)
                .map_err(|e| format!("--client-secret-file {}: {e}", path.display()))?
                .lines()
                .next()
                .unwrap_or("")
                .to_owned(),
            (None, Some(s)) => s.expose().to_owned(),
            (None, None) => return Err(
                "--client-id needs a secret (QOD_CLIENT_SECRET or --client-secret-file) or a key (--client-key-file)"
                    .into(),
            ),
        };
    Ok(Credentials::Secret { id, secret })
}

/// Prints the answer as pretty JSON, members as the server sent them. A webhook's `notificationAuthToken` is a
/// credential: it is shown as `<redacted>`, never printed.
pub(crate) fn print_answer(answer: &Answer, what: &str) -> Result<(), Failure> {
    let mut value = answer.json(what)?;
    // Credentials a server may echo: v0.10.1's webhook token, 1.1.0's sink access token.
    for pointer in ["/webhook/notificationAuthToken", "/sinkCredential/accessToken"] {
        if let Some(token) = value.pointer_mut(pointer) {
            *token = serde_json::Value::from("<redacted>");
        }
    }
    let text = serde_json::to_string_pretty(&value).map_err(|e| Failure::new(Class::Other, e.to_string()))?;
    println!("{text}");
    Ok(())
}

/// Prints `value` as pretty JSON on stdout. A reader that has gone (`qod … | head`) is not an error.
pub(crate) fn print_value(value: &serde_json::Value) -> Result<(), Failure> {
    use std::io::Write;
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure::new(Class::Other, e.to_string()))?;
    match writeln!(std::io::stdout().lock(), "{text}") {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::new(Class::Other, format!("cannot write the answer: {e}")))
        }
        _ => Ok(()),
    }
}

/// `v` as a JSON value, members in the spec's order (qod-core's encoder, read back by serde_json).
#[cfg(feature = "demo")]
pub(crate) fn json_value<T: qod_core::Encode + ?Sized>(v: &T) -> Result<serde_json::Value, String> {
    let bytes = qod_core::json::to_vec(v).map_err(|e| format!("cannot encode the answer: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

/// Runs `op` at host size with `client` and words a failure in the tool's terms.
macro_rules! host_run {
    ($g:expr, $client:expr, $op:expr, $answer:expr, $what:expr, $changes:expr) => {{
        let cx = $crate::answer::Context {
            what: $what,
            timeout_s: $g.timeout,
            changes: $changes,
        };
        match $client
            .run($crate::answer::Host {
                op: $op,
                answer: &mut *$answer,
            })
            .await
        {
            Ok(()) => Ok(()),
            Err(e) => Err($crate::answer::failure(e, $answer, cx)),
        }
    }};
}

/// Runs `$body` with `$client`: a client on tokio TCP/TLS for `--server`, with the static token or an OAuth2
/// client-credentials source (secret or `private_key_jwt`), the same token fetch as the devices'.
macro_rules! with_client {
    ($g:expr, $client:ident, $body:expr) => {{
        let g: &$crate::gateway::Global = $g;
        let server = server_url(g)?;
        let url = Url::parse(server).map_err(|e| e.to_string())?;
        let mut config = Config::new(url);
        config.timeout_ms = g.timeout.saturating_mul(1000);
        config.correlator = g.correlator.as_deref();
        let (mut tx, mut rx) = (vec![0u8; $crate::answer::TX_BYTES], vec![0u8; $crate::answer::RX_BYTES]);
        let connector = $crate::gateway::connector(g)?;
        let clock = SystemClock::new();
        let token_url = g
            .token_url
            .clone()
            .unwrap_or_else(|| $crate::gateway::default_token_url(&url));
        let client = Client::new(&connector, TokioDelay, config, &mut tx, &mut rx);
        macro_rules! run {
            ($c:expr) => {{
                let mut $client = $c;
                // Each attempt is bounded by the client's timeout; the whole command by the same limit.
                let limit = std::time::Duration::from_secs(u64::from(g.timeout));
                let out = match tokio::time::timeout(limit, async { $body }).await {
                    Ok(out) => out,
                    Err(_) => Err($crate::exit::Failure::new(
                        $crate::exit::Class::Network,
                        format!("no complete answer in time (--timeout {} s)", g.timeout),
                    )
                    .hint("check --server and the network, or raise --timeout")),
                };
                $client.close().await;
                out
            }};
        }
        match $crate::gateway::credentials(g)? {
            $crate::gateway::Credentials::Token(token) => {
                let mut c = client;
                c.set_token(token.as_deref());
                run!(c)
            }
            $crate::gateway::Credentials::Secret { id, secret } => {
                let bad_url = |e| format!("--token-url {token_url}: {e}");
                let tokens = match g.auth_method {
                    $crate::gateway::AuthMethod::Basic => ClientCredentials::basic(&token_url, &id, &secret, &clock),
                    $crate::gateway::AuthMethod::Post => ClientCredentials::post(&token_url, &id, &secret, &clock),
                }
                .map_err(bad_url)?
                .with_capacity::<4096>();
                let tokens = match &g.scope {
                    Some(s) => tokens.with_scope(s),
                    None => tokens,
                };
                run!(client.with_token_source(tokens))
            }
            $crate::gateway::Credentials::Key { id, pem } => {
                let signer = qod_client::Es256Signer::from_pem(&pem, rand_core::OsRng)
                    .map_err(|e| format!("--client-key-file: {e}"))?;
                let tokens = ClientCredentials::private_key_jwt(&token_url, &id, signer, g.key_id.as_deref(), &clock)
                    .map_err(|e| format!("--token-url {token_url}: {e}"))?
                    .with_capacity::<4096>();
                let tokens = match &g.scope {
                    Some(s) => tokens.with_scope(s),
                    None => tokens,
                };
                run!(client.with_token_source(tokens))
            }
        }
    }};
}

pub(crate) use host_run;
pub(crate) use with_client;

/// v0.10.1 defines no `x-correlator`: `--correlator` is refused rather than sent unchecked.
fn no_correlator(g: &Global) -> Result<(), Failure> {
    match g.correlator {
        Some(_) => Err(Failure::new(
            Class::Usage,
            "--correlator is the 1.1.0 x-correlator header: add --api v1",
        )),
        None => Ok(()),
    }
}

/// Runs `qod session …`.
///
/// # Errors
/// A [`Failure`] of its class (API errors with status, code and message).
pub async fn run_session(g: Global, args: SessionArgs) -> Result<(), Failure> {
    no_correlator(&g)?;
    let mut info = SessionInfo::default();
    let mut answer = Answer::default();
    let a = &mut answer;
    match args.command {
        SessionCommand::Create(c) => {
            let body = c.body()?;
            let op = op::CreateSession {
                body: &body,
                out: &mut info,
            };
            with_client!(&g, client, host_run!(g, client, op, a, "SessionInfo", true))?;
            print_answer(&answer, "SessionInfo")
        }
        SessionCommand::Get { id } => {
            let op = op::GetSession {
                id: &id,
                out: &mut info,
            };
            with_client!(&g, client, host_run!(g, client, op, a, "SessionInfo", false))?;
            print_answer(&answer, "SessionInfo")
        }
        SessionCommand::Extend { id, by } => {
            let op = op::ExtendSession {
                id: &id,
                body: ExtendSessionDuration::new(by),
                out: &mut info,
            };
            with_client!(&g, client, host_run!(g, client, op, a, "SessionInfo", true))?;
            print_answer(&answer, "SessionInfo")
        }
        SessionCommand::Delete { id } => {
            let op = op::DeleteSession { id: &id };
            with_client!(&g, client, host_run!(g, client, op, a, "answer", false))?;
            print_value(&serde_json::json!({ "deleted": id }))
        }
        SessionCommand::Keep(k) => crate::keep::run(&g, *k, crate::Api::V0).await.map_err(Failure::from),
        SessionCommand::List(_) => Err(Failure::new(
            Class::Usage,
            "session list is retrieve-sessions, a 1.1.0 operation: add --api v1",
        )),
    }
}

/// Runs `qod profiles [NAME]`: one profile, or the whole catalogue (any number: each profile is checked by the
/// device codec in turn, and the list is shown from its JSON).
///
/// # Errors
/// As [`run_session`].
pub async fn run_profiles(g: Global, args: ProfilesArgs) -> Result<(), Failure> {
    no_correlator(&g)?;
    let mut answer = Answer::default();
    let a = &mut answer;
    let mut scratch = QosProfile::default();
    match args.name {
        Some(name) => {
            let op = op::GetQosProfile {
                name: &name,
                out: &mut scratch,
            };
            with_client!(&g, client, host_run!(g, client, op, a, "QosProfile", false))?;
            print_answer(&answer, "QosProfile")
        }
        None => {
            let mut each = |_: &QosProfile| {};
            let op = op::GetQosProfilesEach {
                name: None,
                status: None,
                scratch: &mut scratch,
                each: &mut each,
            };
            match with_client!(&g, client, host_run!(g, client, op, a, "QosProfile list", false)) {
                Ok(()) => print_answer(&answer, "QosProfile list"),
                // The spec answers 404 when no profile matches: an empty catalogue.
                Err(f) if f.status == Some(404) => {
                    println!("[]");
                    Ok(())
                }
                Err(f) => Err(f),
            }
        }
    }
}
