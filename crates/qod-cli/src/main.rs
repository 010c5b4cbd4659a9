//! `qod`: command-line tools for the CAMARA Quality on Demand API.
//!
//! Each subcommand lives in its own module with an `Args` struct (clap derive) and an `async fn run(args)`; adding
//! one is a variant in [`Command`] plus one match arm in [`main`].
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod demo;
mod gateway;
mod gateway_v1;
mod keep;
mod pki;
mod sim;

/// Command-line tools for the CAMARA Quality on Demand API (v0.10.1, and quality-on-demand / qos-profiles 1.1.0
/// with `--api v1`).
#[derive(Debug, Parser)]
#[command(name = "qod", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    gateway: gateway::Global,
    /// The CAMARA API version the gateway commands and `demo` speak: v0 (QoD v0.10.1, the default) or v1
    /// (quality-on-demand and qos-profiles 1.1.0; `--server` is then the API root). `qod sim` serves both.
    #[arg(long, global = true, value_enum, value_name = "VERSION")]
    api: Option<Api>,
}

/// `--api`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Api {
    /// CAMARA QoD v0.10.1 (`/qod/v0`).
    V0,
    /// CAMARA quality-on-demand 1.1.0 and qos-profiles 1.1.0 (`/quality-on-demand/v1`, `/qos-profiles/v1`).
    V1,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run the QoD API simulator (prints its base URL as the first line of stdout).
    Sim(Box<sim::Args>),
    /// Run the whole QoD flow on a simulated device with its own embassy-net stack against an in-process simulator.
    Demo(demo::Args),
    /// Create, read, extend or delete a QoS session on `--server`, or list a device's sessions (`--api v1`); prints
    /// the answer as JSON.
    Session(gateway::SessionArgs),
    /// List the QoS profiles of `--server`, or show one.
    Profiles(gateway::ProfilesArgs),
    /// Write a test PKI to a directory: a CA (PEM and DER, for a device to build in) and server certificates for
    /// `qod sim --tls-cert/--tls-key` (valid, expired, for a wrong name).
    Pki(pki::Args),
}

/// Logs go to stderr (stdout is for results, e.g. the simulator's URL); `RUST_LOG` overrides the default level
/// (`warn` for `demo`, whose steps are its output, `info` otherwise).
fn init_logging(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(if matches!(cli.command, Command::Demo(_)) {
        "warn"
    } else {
        "info"
    });
    let api = cli.api.unwrap_or(Api::V0);
    let result = match cli.command {
        Command::Sim(_) if cli.api.is_some() => {
            Err("--api is for the gateway commands and demo: qod sim serves both versions".into())
        }
        Command::Sim(args) => sim::run(*args).await,
        Command::Demo(args) => demo::run(args, api).await,
        Command::Session(args) if api == Api::V1 => gateway_v1::run_session(cli.gateway, args).await,
        Command::Session(args) => gateway::run_session(cli.gateway, args).await,
        Command::Profiles(args) if api == Api::V1 => gateway_v1::run_profiles(cli.gateway, args).await,
        Command::Profiles(args) => gateway::run_profiles(cli.gateway, args).await,
        Command::Pki(args) => pki::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("qod: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_debug_of_the_options_redacts_every_credential() {
        let cli = Cli::try_parse_from([
            "qod",
            "--api",
            "v1",
            "--server",
            "http://127.0.0.1:9091",
            "--client-id",
            "gw",
            "--client-secret",
            "client-secret-1",
            "session",
            "create",
            "--phone-number",
            "+436641234567",
            "--as-ipv4",
            "198.51.100.1",
            "--profile",
            "QOS_E",
            "--duration",
            "60",
            "--sink",
            "https://app.example/cb",
            "--sink-token",
            "sink-token-1",
        ])
        .unwrap();
        let text = format!("{cli:?}");
        assert!(
            text.contains("\"gw\"") && text.contains("https://app.example/cb"),
            "{text}"
        );
        assert!(
            !text.contains("client-secret-1") && !text.contains("sink-token-1"),
            "{text}"
        );
        let cli = Cli::try_parse_from(["qod", "--token", "access-token-1", "profiles"]).unwrap();
        assert_eq!(
            cli.gateway.token.as_ref().map(gateway::SecretArg::expose),
            Some("access-token-1")
        );
        assert!(!format!("{cli:?}").contains("access-token-1"));
    }
}
