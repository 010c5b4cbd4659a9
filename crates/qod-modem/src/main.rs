//! `qod-modem`: a simulated LTE-M/NB-IoT modem on a TCP serial line (QEMU: `-serial tcp:HOST:PORT`).
//!
//! Prints `listening on ADDR` as the first line of stdout once it accepts connections; serves one serial session per
//! connection (only the first with `--once`) and prints the session's counters when it ends. SIGUSR1 drops the
//! carrier of the running session; SIGTERM or Ctrl-C ends it (counters printed) and exits.
#![forbid(unsafe_code)]

use clap::Parser;
use qod_modem::{at, modem, ppp, serve, Control, LinkShape, Network, Stats};
use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;
use tokio::sync::mpsc;

/// A simulated LTE-M/NB-IoT modem: AT commands, then PPP, with the device's TCP traffic proxied to host sockets.
#[derive(Debug, Parser)]
#[command(name = "qod-modem", version, about)]
struct Args {
    /// Where the serial line connects (QEMU: `-serial tcp:ADDR`).
    #[arg(long, default_value = "127.0.0.1:7000")]
    listen: SocketAddr,
    /// Serve one serial session, then exit.
    #[arg(long)]
    once: bool,
    /// TCP port of the network side and the host address it is proxied to (repeatable), e.g. `9091=127.0.0.1:9091`.
    #[arg(long = "forward", value_name = "PORT=HOST:PORT", value_parser = parse_forward)]
    forwards: Vec<(u16, SocketAddr)>,
    /// The network side's address: the device's gateway and the address its servers live at.
    #[arg(long, default_value = "10.0.2.2")]
    network_ip: Ipv4Addr,
    /// The address the first call gives the device (IPCP).
    #[arg(long, default_value = "10.0.2.15")]
    device_ip: Ipv4Addr,
    /// DNS servers offered through IPCP (up to 2; default: the network address).
    #[arg(long, value_name = "IP")]
    dns: Vec<Ipv4Addr>,
    /// Require PAP with these credentials (default: no authentication phase).
    #[arg(long, value_name = "USER:PASSWORD")]
    pap: Option<String>,
    /// The APN the network accepts (default: any).
    #[arg(long)]
    apn: Option<String>,
    /// Milliseconds from power-on (the serial connection) until the modem is registered.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    register_delay: u64,
    /// Milliseconds from `ATD*99#` to `CONNECT`.
    #[arg(long, value_name = "MS", default_value_t = 200)]
    connect_delay: u64,
    /// `AT+CSQ` signal quality (0-31).
    #[arg(long, default_value_t = 20)]
    rssi: u8,
    /// One-way latency of the radio link in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency: u64,
    /// Bandwidth of the radio link in kbit/s per direction (0: unlimited).
    #[arg(long, value_name = "KBIT/S", default_value_t = 0)]
    bandwidth: u64,
    /// Drop the carrier once (LCP Terminate-Request, NO CARRIER) right after the device's N-th HTTP request.
    #[arg(long, value_name = "N")]
    drop_carrier_at: Option<u32>,
    /// Fault (repeatable): `error[=CMD]` answers ERROR (to commands starting with CMD, e.g. `+CGDCONT`; to all
    /// without), `silent[=CMD]` answers nothing, `no-register` never registers, `hangup=N` hangs up abruptly on the
    /// device's N-th HTTP request (lost) and gives the next call a new address, `calls=N` accepts only N calls
    /// (later dials get NO CARRIER: the network is gone).
    #[arg(long = "fault", value_name = "FAULT")]
    faults: Vec<String>,
    /// Also write the counters as JSON to this file when a session ends.
    #[arg(long, value_name = "FILE")]
    stats_json: Option<std::path::PathBuf>,
}

fn parse_forward(s: &str) -> Result<(u16, SocketAddr), String> {
    let (port, target) = s.split_once('=').ok_or("expected PORT=HOST:PORT")?;
    let port = port.parse().map_err(|e| format!("port {port:?}: {e}"))?;
    let target = target.parse().map_err(|e| format!("target {target:?}: {e}"))?;
    Ok((port, target))
}

fn config(args: &Args) -> Result<modem::Config, String> {
    let mut at = at::Config {
        registration_delay: Duration::from_millis(args.register_delay),
        rssi: args.rssi,
        ..at::Config::default()
    };
    let mut config = modem::Config {
        connect_delay: Duration::from_millis(args.connect_delay),
        apn: args.apn.clone(),
        drop_carrier_at: args.drop_carrier_at,
        ..modem::Config::default()
    };
    for fault in &args.faults {
        let (kind, arg) = fault
            .split_once('=')
            .map_or((fault.as_str(), None), |(k, a)| (k, Some(a)));
        match (kind, arg) {
            ("error", arg) => at.error = Some(arg.unwrap_or_default().to_owned()),
            ("silent", arg) => at.silent = Some(arg.unwrap_or_default().to_owned()),
            ("no-register", None) => at.never_register = true,
            ("hangup", Some(n)) => config.hangup_at = Some(n.parse().map_err(|e| format!("--fault {fault}: {e}"))?),
            ("calls", Some(n)) => config.max_calls = Some(n.parse().map_err(|e| format!("--fault {fault}: {e}"))?),
            _ => return Err(format!("--fault {fault}: unknown (see --help)")),
        }
    }
    config.at = at;
    let mut link = ppp::Config::new(args.network_ip, args.device_ip);
    for (slot, dns) in link.dns.iter_mut().zip(&args.dns) {
        *slot = *dns;
    }
    if let Some(pap) = &args.pap {
        let (user, password) = pap.split_once(':').ok_or("--pap: expected USER:PASSWORD")?;
        link.auth = ppp::Auth::Pap {
            user: user.to_owned(),
            password: password.to_owned(),
        };
    }
    config.ppp = link;
    Ok(config)
}

fn report(stats: &Stats, json: Option<&std::path::Path>) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "serial bytes: device->modem {} (AT {}, PPP control {}, IP {}, other {}); modem->device {} (AT {}, PPP control {}, IP {}); total {}",
        stats.serial_rx(),
        stats.serial_at_rx,
        stats.serial_ppp_control_rx,
        stats.serial_ip_rx,
        stats.serial_other_rx,
        stats.serial_tx(),
        stats.serial_at_tx,
        stats.serial_ppp_control_tx,
        stats.serial_ip_tx,
        stats.serial_rx() + stats.serial_tx()
    );
    let _ = writeln!(
        out,
        "IP: up {} packets {} B (TCP payload {} B), down {} packets {} B (TCP payload {} B), {} dropped for the device",
        stats.ip_packets_up,
        stats.ip_bytes_up,
        stats.tcp_payload_up,
        stats.ip_packets_down,
        stats.ip_bytes_down,
        stats.tcp_payload_down,
        stats.ip_dropped_down
    );
    let _ = writeln!(
        out,
        "calls {}, links up {}, TCP connections {}, HTTP requests {}, carrier drops {}, hang-ups {}",
        stats.calls, stats.links_up, stats.tcp_connects, stats.http_requests, stats.carrier_drops, stats.hangups
    );
    let _ = out.flush();
    if let Some(path) = json {
        if let Err(e) = serde_json::to_string_pretty(stats)
            .map_err(|e| e.to_string())
            .and_then(|s| std::fs::write(path, s + "\n").map_err(|e| e.to_string()))
        {
            tracing::error!("--stats-json {}: {e}", path.display());
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let config = match config(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("qod-modem: {e}");
            return ExitCode::from(2);
        }
    };
    let network = Network {
        forwards: args.forwards.clone(),
        shape: LinkShape {
            latency: Duration::from_millis(args.latency),
            bandwidth: (args.bandwidth > 0).then_some(args.bandwidth * 1000),
        },
    };
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("qod-modem: cannot listen on {}: {e}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    println!("listening on {}", listener.local_addr().unwrap_or(args.listen));
    let _ = std::io::stdout().flush();

    let (tx, mut rx) = mpsc::unbounded_channel();
    let signals = tokio::spawn(forward_signals(tx));
    let local = tokio::task::LocalSet::new();
    let code = local
        .run_until(async {
            loop {
                let stream = tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok((stream, peer)) => {
                            tracing::info!("serial line connected from {peer}: modem powered on");
                            stream
                        }
                        Err(e) => {
                            tracing::error!("accept: {e}");
                            return ExitCode::FAILURE;
                        }
                    },
                    command = rx.recv() => match command {
                        Some(Control::Shutdown) | None => return ExitCode::SUCCESS,
                        Some(Control::DropCarrier) => continue,
                    },
                };
                let _ = stream.set_nodelay(true);
                let session = serve(stream, config.clone(), network.clone(), &mut rx).await;
                tracing::info!("serial line closed");
                report(&session.stats, args.stats_json.as_deref());
                if args.once || session.shutdown {
                    return ExitCode::SUCCESS;
                }
            }
        })
        .await;
    signals.abort();
    code
}

async fn forward_signals(tx: mpsc::UnboundedSender<Control>) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut usr1), Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::user_defined1()),
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::warn!("signal handlers not installed");
        return;
    };
    loop {
        let command = tokio::select! {
            _ = usr1.recv() => Control::DropCarrier,
            _ = term.recv() => Control::Shutdown,
            _ = int.recv() => Control::Shutdown,
        };
        if tx.send(command).is_err() {
            return;
        }
    }
}
