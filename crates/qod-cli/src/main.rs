//! `qod`: command-line tools for the CAMARA Quality on Demand API.
//!
//! Each subcommand lives in its own module with an `Args` struct (clap derive) and an `async fn run(args)`; adding
//! one is a variant in [`Command`] plus one match arm in [`main`]. The simulator and the demo are cargo features
//! (`sim`, `demo`, both on by default): `--no-default-features` builds the gateway tool alone.
#![forbid(unsafe_code)]

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

mod answer;
#[cfg(feature = "demo")]
mod demo;
mod exit;
mod gateway;
mod gateway_v1;
mod keep;
#[cfg(feature = "sim")]
mod pki;
#[cfg(feature = "sim")]
mod sim;
mod usage;

use exit::{Class, Failure};

/// Command-line tools for the CAMARA Quality on Demand API (v0.10.1, and quality-on-demand / qos-profiles 1.1.0
/// with `--api v1`).
#[derive(Debug, Parser)]
#[command(name = "qod", version, about, after_help = exit::HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    output: Output,
    #[command(flatten)]
    gateway: gateway::Global,
    /// The CAMARA API version the gateway commands and `demo` speak: v0 (QoD v0.10.1, the default) or v1
    /// (quality-on-demand and qos-profiles 1.1.0; `--server` is then the API root). `qod sim` serves both.
    #[arg(long, global = true, value_enum, value_name = "VERSION", help_heading = gateway::CONNECTION)]
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

/// Options of every command.
#[derive(Debug, clap::Args)]
struct Output {
    /// Machine-readable output: results are JSON on stdout (as always), and a failure is one JSON object on stderr
    /// (`qod demo`: one JSON document with every step).
    #[arg(long, global = true, help_heading = "Global output options")]
    json: bool,
    /// Show what the client does on stderr (connections, re-sends, waits, token fetches; never a token): `-v`
    /// debug, `-vv` trace. `RUST_LOG` overrides it.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = "Global output options")]
    verbose: u8,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run the QoD API simulator (prints its base URL as the first line of stdout).
    #[cfg(feature = "sim")]
    Sim(Box<sim::Args>),
    /// Run the whole QoD flow on a simulated device with its own embassy-net stack against an in-process simulator.
    #[cfg(feature = "demo")]
    Demo(demo::Args),
    /// Create, read, extend, delete or keep a QoS session on `--server`, or list a device's sessions (`--api v1`);
    /// prints the answer as JSON.
    Session(gateway::SessionArgs),
    /// List the QoS profiles of `--server`, or show one.
    Profiles(gateway::ProfilesArgs),
    /// Write a test PKI to a directory: a CA (PEM and DER, for a device to build in) and server certificates for
    /// `qod sim --tls-cert/--tls-key` (valid, expired, for a wrong name).
    #[cfg(feature = "sim")]
    Pki(pki::Args),
    /// Print a shell completion script, e.g. `qod completions bash > /etc/bash_completion.d/qod`.
    Completions {
        /// The shell.
        shell: Shell,
    },
}

/// The shells `qod completions` writes for.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Shell {
    /// bash (bash-completion).
    Bash,
    /// zsh (put the output in a directory of `$fpath` as `_qod`).
    Zsh,
    /// fish (`~/.config/fish/completions/qod.fish`).
    Fish,
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

/// A command-line error: clap's own text, or with `--json` a usage failure object; exit status 2.
fn usage_error(e: clap::Error, json: bool) -> ExitCode {
    if !json || !e.use_stderr() {
        e.exit();
    }
    let text = e.render().to_string();
    let first = text
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches("error: ")
        .to_owned();
    Failure::new(Class::Usage, first).report(true)
}

#[tokio::main]
async fn main() -> ExitCode {
    // `--json` is known before parsing, so that even a command-line error can be reported as JSON.
    let json = std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json");
    let matches = match Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => return usage_error(e, json),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => return usage_error(e, json),
    };
    if let Err(message) = usage::check(usage::Kind::of(&cli.command), &matches) {
        let e = Cli::command().error(clap::error::ErrorKind::ArgumentConflict, message);
        return usage_error(e, json);
    }
    #[cfg(feature = "demo")]
    let demo = matches!(cli.command, Command::Demo(_));
    #[cfg(not(feature = "demo"))]
    let demo = false;
    let base = if demo { "warn" } else { "info" };
    init_logging(&match cli.output.verbose {
        0 => base.to_owned(),
        1 => format!("{base},qod_client=debug"),
        _ => format!("{base},qod_client=trace"),
    });
    let api = cli.api.unwrap_or(Api::V0);
    let result: Result<(), Failure> = match cli.command {
        #[cfg(feature = "sim")]
        Command::Sim(args) => sim::run(*args).await.map_err(|e| Failure::new(Class::Other, e)),
        #[cfg(feature = "demo")]
        Command::Demo(args) => demo::run(args, cli.output.json, api)
            .await
            .map_err(|e| Failure::new(Class::Other, e)),
        Command::Session(args) if api == Api::V1 => gateway_v1::run_session(cli.gateway, args).await,
        Command::Session(args) => gateway::run_session(cli.gateway, args).await,
        Command::Profiles(args) if api == Api::V1 => gateway_v1::run_profiles(cli.gateway, args).await,
        Command::Profiles(args) => gateway::run_profiles(cli.gateway, args).await,
        #[cfg(feature = "sim")]
        Command::Pki(args) => pki::run(args).map_err(|e| Failure::new(Class::Other, e)),
        Command::Completions { shell } => {
            let shell = match shell {
                Shell::Bash => clap_complete::Shell::Bash,
                Shell::Zsh => clap_complete::Shell::Zsh,
                Shell::Fish => clap_complete::Shell::Fish,
            };
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "qod", &mut script);
            std::io::Write::write_all(&mut std::io::stdout().lock(), &script)
                .map_err(|e| Failure::new(Class::Other, format!("cannot write the script: {e}")))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => f.report(cli.output.json),
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
