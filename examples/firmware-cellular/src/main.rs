//! Firmware for QEMU's `mps2-an386` (Cortex-M4, 25 MHz) as a cellular device: a modem on UART0.
//!
//! A `modem` task brings the modem up with AT commands (`atat`: `AT`, `ATE0`, `AT+CPIN?`, `AT+CGDCONT`,
//! `AT+CEREG?` until registered, `AT+CSQ`), dials `ATD*99#`, and runs PPP over the same UART (`embassy-net-ppp`)
//! until the carrier is lost, then redials (`qod_cellular::run`). Once IPCP gives the device its address, `main`
//! runs the QoS session job shared with the Ethernet firmware (`firmware_common::session`): create, wait until
//! AVAILABLE, read, delete, confirm the 404, through qod-client over embassy-net. Exits through semihosting with
//! the Ethernet firmware's statuses plus the modem's (`firmware_common::exit::ExitCode`, README.md). Logs are
//! defmt over semihosting.
//!
//! Run: `bash run.sh` (builds `qod`, `qod-modem` and this firmware, starts `qod sim` and the modem simulator,
//! boots QEMU with `-serial tcp:` to the modem).
#![no_std]
#![no_main]

mod uart;

use defmt_semihosting as _;
use embassy_executor::Spawner;
use embassy_net::{Runner, Stack, StackResources};
use embassy_time::{with_timeout, Duration, Instant};
use firmware_common::exit::{exit, ExitCode};
use firmware_common::session::{self, SERVER_URL};
use qod_cellular::{Error as LinkError, Link};
use static_cell::StaticCell;

use crate::uart::Uart;

/// The modem's settings: APN, PAP credentials (used only if the network asks), waits.
const MODEM: qod_cellular::Config<'static> = {
    let mut config = qod_cellular::Config::new("iot.qod");
    config.pap = ("qod", "qod");
    config.registration_timeout = Duration::from_secs(15);
    config
};
/// Bound on the first bring-up, behind the modem's own per-step timeouts.
const LINK_TIMEOUT: Duration = Duration::from_secs(60);

type PppDevice = embassy_net_ppp::Device<'static>;

/// Shared by the modem task and `main`.
static LINK: Link = Link::new();

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let Some(mut core) = cortex_m::Peripherals::take() else {
        exit(ExitCode::Panic)
    };
    firmware_common::time::start_time(&mut core.SYST);
    defmt::info!(
        "firmware-cellular {=str}: QoS session on the QoD simulator at {=str}, over a cellular modem on UART0",
        env!("CARGO_PKG_VERSION"),
        SERVER_URL
    );
    let Some(uart) = Uart::take() else {
        exit(ExitCode::Panic)
    };

    // Two packets each way: the PPP runner waits for a free RX slot before it
    // reads on (no loss), and smoltcp waits for a TX slot; more buys nothing
    // on a 200 kbit/s link and costs 1.5 KiB each.
    static PPP: StaticCell<embassy_net_ppp::State<2, 2>> = StaticCell::new();
    let (device, ppp_runner) = embassy_net_ppp::new(PPP.init(embassy_net_ppp::State::new()));
    static RESOURCES: StaticCell<StackResources<2>> = StaticCell::new();
    // Not a security boundary here: TCP sequence numbers only need to differ
    // between runs, and QEMU's clock does that.
    let seed = 0x5EED_CE11_u64 ^ Instant::now().as_ticks();
    // No address until IPCP assigns one (qod_cellular::run sets it).
    let (stack, net_runner) = embassy_net::new(
        device,
        embassy_net::Config::default(),
        RESOURCES.init(StackResources::new()),
        seed,
    );
    match net_task(net_runner) {
        Ok(token) => spawner.spawn(token),
        Err(_) => exit(ExitCode::Panic),
    }
    match modem_task(uart, ppp_runner, stack) {
        Ok(token) => spawner.spawn(token),
        Err(_) => exit(ExitCode::Panic),
    }

    let started = Instant::now();
    match with_timeout(LINK_TIMEOUT, LINK.wait_up()).await {
        Ok(Ok(address)) => defmt::info!(
            "network up after {=u64} ms: {} over PPP",
            started.elapsed().as_millis(),
            address
        ),
        Ok(Err(e)) => {
            let code = exit_code(e);
            defmt::error!("no link: {}: exit {}", e, code);
            exit(code)
        }
        Err(_) => {
            defmt::error!("no link after {=u64} s", LINK_TIMEOUT.as_secs());
            exit(ExitCode::NoNetwork)
        }
    }

    let losses_before = LINK.carrier_losses();
    let code = session::run(stack).await;
    let losses = LINK.carrier_losses() - losses_before;
    let code = match (code, losses) {
        (ExitCode::Success, 0) => code,
        (ExitCode::Success, n) => {
            defmt::info!("the job carried on through {=u16} carrier loss(es)", n);
            code
        }
        (failed, 0) => failed,
        (failed, n) => {
            defmt::error!(
                "the carrier was lost {=u16} time(s) during the job, which then failed ({}): exit CarrierLost",
                n,
                failed
            );
            ExitCode::CarrierLost
        }
    };
    exit(code)
}

/// The exit status for a link that never came up.
fn exit_code(e: LinkError) -> ExitCode {
    match e {
        LinkError::NoAnswer | LinkError::Timeout(_) => ExitCode::ModemSilent,
        LinkError::Refused(_) | LinkError::SimNotReady => ExitCode::ModemError,
        LinkError::NotRegistered { .. } => ExitCode::NotRegistered,
        LinkError::DialFailed => ExitCode::DialFailed,
        LinkError::PppFailed => ExitCode::NoNetwork,
        LinkError::BadApn => ExitCode::Config,
        _ => ExitCode::NicInit,
    }
}

#[embassy_executor::task]
async fn net_task(mut runner: Runner<'static, PppDevice>) -> ! {
    runner.run().await
}

/// Keeps the cellular link up; ends when it cannot (the error is in [`LINK`]'s status, which `main` waits on).
#[embassy_executor::task]
async fn modem_task(mut uart: Uart, mut runner: embassy_net_ppp::Runner<'static>, stack: Stack<'static>) {
    let e = qod_cellular::run(&mut uart, &mut runner, stack, &MODEM, &LINK).await;
    defmt::error!("modem: link given up: {}", e);
}
