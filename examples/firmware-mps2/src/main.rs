//! Firmware for QEMU's `mps2-an386` (Cortex-M4, 25 MHz, LAN9118 Ethernet at
//! 0x4020_0000 on IRQ 13).
//!
//! Brings up the LAN9118 with `embassy-net-lan9118`, starts embassy-net with
//! 10.0.2.15/24 (or DHCP with `--features dhcp`), then runs
//! `firmware_common::session::run`:
//! a QoS session for this device on the QoD simulator at
//! 10.0.2.2:`QOD_SIM_PORT` (QEMU user-mode networking maps 10.0.2.2 to the
//! host's loopback) through qod-client and qod-embassy, from create to a
//! confirmed delete. Exits through semihosting with a status from
//! `firmware_common::exit::ExitCode`. Logs are defmt over semihosting.
//!
//! Run: `bash run.sh` (installs QEMU and tools, builds the simulator and the
//! firmware, starts `qod sim`, boots QEMU in a private network namespace),
//! or `cargo run --release` with `qod sim --listen 127.0.0.1:9091 --no-auth`
//! already running.
#![no_std]
#![no_main]

mod board;

use defmt_semihosting as _;
use embassy_executor::{Executor, Spawner};
use embassy_net::{Ipv4Address, Runner, Stack, StackResources};
use embassy_net_lan9118::{Config as NicConfig, Lan9118, Mmio};
use embassy_time::{with_timeout, Duration, Instant};
use static_cell::StaticCell;

use firmware_common::exit::{exit, ExitCode};
use firmware_common::session::SERVER_URL;

use crate::board::{NIC_REGS, NIC_STATE};

/// QEMU user-mode networking's gateway, which is also the host alias.
const GATEWAY: Ipv4Address = Ipv4Address::new(10, 0, 2, 2);
/// Link up plus an IPv4 address.
const NETWORK_TIMEOUT: Duration = Duration::from_secs(10);

type Nic = Lan9118<'static, Mmio>;

#[cortex_m_rt::entry]
fn main() -> ! {
    let Some(mut core) = cortex_m::Peripherals::take() else {
        exit(ExitCode::Panic)
    };
    firmware_common::time::start_time(&mut core.SYST);
    defmt::info!(
        "firmware-mps2 {=str}: QoS session on the QoD simulator at {=str}",
        env!("CARGO_PKG_VERSION"),
        SERVER_URL
    );

    // The network comes up before any task runs: its bring-up frame is gone
    // before the job's deepest calls (the TLS build's certificate check) run.
    static EXECUTOR: StaticCell<Executor> = StaticCell::new();
    EXECUTOR.init(Executor::new()).run(|spawner| {
        let stack = start_network(spawner);
        match main_task(stack) {
            Ok(token) => spawner.spawn(token),
            Err(_) => exit(ExitCode::Panic),
        }
    })
}

/// Waits for the network, then runs the job and exits with its status.
#[embassy_executor::task]
async fn main_task(stack: Stack<'static>) {
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

    #[cfg(not(feature = "keep"))]
    let code = firmware_common::session::run(stack).await;
    #[cfg(feature = "keep")]
    let code = firmware_common::keep::run(stack).await;
    defmt::info!("LAN9118 interrupts handled: {=u32}", NIC_STATE.interrupts());
    exit(code)
}

/// Brings up the LAN9118 and embassy-net and spawns the stack's runner.
///
/// Called before any task runs, and kept out of line: the driver and the
/// runner move by value through its frame (about 12 KiB), which is gone once
/// the network is up. Inlined into an async `main`'s `poll` (as it was),
/// that frame stayed on the stack below everything the job awaits, the TLS
/// handshake's ~23 KiB of certificate parsing included.
#[inline(never)]
fn start_network(spawner: Spawner) -> Stack<'static> {
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

    static RESOURCES: StaticCell<StackResources<2>> = StaticCell::new();
    // Not a security boundary here: TCP sequence numbers only need to differ
    // between runs, and QEMU's clock does that.
    let seed = 0x5EED_0FF1_12AA_u64 ^ Instant::now().as_ticks();
    let (stack, runner) = embassy_net::new(nic, net_config(), RESOURCES.init(StackResources::new()), seed);
    match net_task(runner) {
        Ok(token) => spawner.spawn(token),
        Err(_) => exit(ExitCode::Panic),
    }
    stack
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
        gateway: Some(GATEWAY),
        dns_servers: Default::default(),
    })
}

#[cfg(feature = "dhcp")]
fn net_config() -> embassy_net::Config {
    embassy_net::Config::dhcpv4(Default::default())
}
