//! `qod`: command-line tools for the CAMARA Quality on Demand API.
//!
//! Each subcommand lives in its own module with an `Args` struct (clap derive) and an `async fn run(args)`; adding
//! one is a variant in [`Command`] plus one match arm in [`main`].
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod sim;

/// Command-line tools for the CAMARA Quality on Demand API v0.10.1.
#[derive(Debug, Parser)]
#[command(name = "qod", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run the QoD API simulator (prints its base URL as the first line of stdout).
    Sim(sim::Args),
}

/// Logs go to stderr (stdout is for results, e.g. the simulator's URL); `RUST_LOG` overrides the default `info`.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let result = match cli.command {
        Command::Sim(args) => sim::run(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("qod: {e}");
            ExitCode::FAILURE
        }
    }
}
