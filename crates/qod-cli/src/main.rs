//! `qod`: command-line tools for the CAMARA Quality on Demand API.
//!
//! Each subcommand lives in its own module with an `Args` struct (clap derive) and an `async fn run(args)`; adding
//! one is a variant in [`Command`] plus one match arm in [`main`].
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod demo;
mod gateway;
mod pki;
mod sim;

/// Command-line tools for the CAMARA Quality on Demand API v0.10.1.
#[derive(Debug, Parser)]
#[command(name = "qod", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    gateway: gateway::Global,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run the QoD API simulator (prints its base URL as the first line of stdout).
    Sim(Box<sim::Args>),
    /// Run the whole QoD flow on a simulated device with its own embassy-net stack against an in-process simulator.
    Demo(demo::Args),
    /// Create, read, extend or delete a QoS session on `--server` (prints the SessionInfo as JSON).
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
    let result = match cli.command {
        Command::Sim(args) => sim::run(*args).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Session(args) => gateway::run_session(cli.gateway, args).await,
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
