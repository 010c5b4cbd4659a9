//! Firmware for QEMU's `mps2-an386` (Cortex-M4, 25 MHz, LAN9118 Ethernet at
//! 0x4020_0000 on IRQ 13).
//!
//! Brings up the LAN9118 with `embassy-net-lan9118`, starts embassy-net with
//! 10.0.2.15/24 (or DHCP with `--features dhcp`), then runs
//! [`probe::talk_to_server`] against 10.0.2.2:`QOD_SIM_PORT` (QEMU user-mode
//! networking maps 10.0.2.2 to the host's loopback), and exits through
//! semihosting with a status from [`exit::ExitCode`]. Logs are defmt over
//! semihosting.
//!
//! Run: `bash run.sh` (installs QEMU and tools, builds, starts a server,
//! boots QEMU in a private network namespace), or `cargo run --release` with
//! a server already listening on 127.0.0.1:9091.
#![no_std]
#![no_main]

mod board;
mod exit;
mod probe;

use defmt_semihosting as _;
use embassy_executor::Spawner;
use embassy_net::{IpEndpoint, Ipv4Address, Runner, StackResources};
use embassy_net_lan9118::{Config as NicConfig, Lan9118, Mmio};
use embassy_time::{with_timeout, Duration, Instant};
use static_cell::StaticCell;

use crate::board::{NIC_REGS, NIC_STATE};
use crate::exit::{exit, ExitCode};

/// The server's port on the host, fixed at build time (`QOD_SIM_PORT`,
/// default 9091; validated by build.rs).
const SERVER_PORT: u16 = parse_port(env!("QOD_SIM_PORT"));
/// QEMU user-mode networking's host alias.
const SERVER_ADDR: Ipv4Address = Ipv4Address::new(10, 0, 2, 2);
/// Link up plus an IPv4 address.
const NETWORK_TIMEOUT: Duration = Duration::from_secs(10);
/// The whole talk-to-the-server step.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(15);

type Nic = Lan9118<'static, Mmio>;

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let Some(mut core) = cortex_m::Peripherals::take() else {
        exit(ExitCode::Panic)
    };
    board::start_time(&mut core.SYST);
    defmt::info!(
        "firmware-mps2 {=str}: talking to 10.0.2.2:{=u16}",
        env!("CARGO_PKG_VERSION"),
        SERVER_PORT
    );

    let nic = match Lan9118::new(NIC_REGS, &NIC_STATE, NicConfig::default()) {
        Ok(nic) => nic,
        Err(e) => {
            defmt::error!("LAN9118 bring-up failed: {}", e);
            exit(ExitCode::NicInit)
        }
    };
    defmt::info!(
        "LAN9118 ID_REV {=u32:#010x}, MAC {=[u8]:02x}",
        nic.id_rev(),
        nic.mac_address()
    );
    board::enable_nic_interrupt();

    static RESOURCES: StaticCell<StackResources<3>> = StaticCell::new();
    // Not a security boundary here: TCP sequence numbers only need to differ
    // between runs, and QEMU's clock does that.
    let seed = 0x5EED_0FF1_12AA_u64 ^ Instant::now().as_ticks();
    let (stack, runner) = embassy_net::new(nic, net_config(), RESOURCES.init(StackResources::new()), seed);
    match net_task(runner) {
        Ok(token) => spawner.spawn(token),
        Err(_) => exit(ExitCode::Panic),
    }

    let up = with_timeout(NETWORK_TIMEOUT, async {
        stack.wait_link_up().await;
        stack.wait_config_up().await;
    });
    if up.await.is_err() {
        defmt::error!("no link or address after {=u64} ms", NETWORK_TIMEOUT.as_millis());
        exit(ExitCode::NoNetwork);
    }
    if let Some(config) = stack.config_v4() {
        defmt::info!("network up: {} via {}", config.address, config.gateway);
    }

    let server = IpEndpoint::new(SERVER_ADDR.into(), SERVER_PORT);
    let code = match with_timeout(EXCHANGE_TIMEOUT, probe::talk_to_server(stack, server)).await {
        Ok(Ok(())) => ExitCode::Success,
        Ok(Err(e)) => {
            defmt::error!("talking to the server failed: {}", e);
            match e {
                probe::ProbeError::Connect(_) => ExitCode::Connect,
                _ => ExitCode::Http,
            }
        }
        Err(_) => {
            defmt::error!("no answer within {=u64} ms", EXCHANGE_TIMEOUT.as_millis());
            ExitCode::Timeout
        }
    };
    defmt::info!("LAN9118 interrupts handled: {=u32}", NIC_STATE.interrupts());
    exit(code)
}

#[embassy_executor::task]
async fn net_task(mut runner: Runner<'static, Nic>) -> ! {
    runner.run().await
}

#[cfg(not(feature = "dhcp"))]
fn net_config() -> embassy_net::Config {
    use embassy_net::{Ipv4Cidr, StaticConfigV4};
    embassy_net::Config::ipv4_static(StaticConfigV4 {
        address: Ipv4Cidr::new(Ipv4Address::new(10, 0, 2, 15), 24),
        gateway: Some(SERVER_ADDR),
        dns_servers: Default::default(),
    })
}

#[cfg(feature = "dhcp")]
fn net_config() -> embassy_net::Config {
    embassy_net::Config::dhcpv4(Default::default())
}

/// Parses a decimal port at compile time (build.rs has validated it).
const fn parse_port(s: &str) -> u16 {
    let bytes = s.as_bytes();
    let mut value: u32 = 0;
    let mut i = 0;
    while i < bytes.len() {
        let d = bytes[i];
        assert!(d.is_ascii_digit(), "QOD_SIM_PORT is not a number");
        value = value * 10 + (d - b'0') as u32;
        assert!(value <= 65535, "QOD_SIM_PORT is out of range");
        i += 1;
    }
    assert!(value > 0, "QOD_SIM_PORT is zero");
    value as u16
}
