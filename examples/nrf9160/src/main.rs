//! # nRF9160: a QoS session over LTE-M / NB-IoT
//!
//! Board: an **nRF9160 DK** (or any nRF9160 board, e.g. a Thingy:91) with a SIM for LTE-M or NB-IoT. No wiring:
//! the modem is on the chip; the application core talks to it through 64 KiB of shared RAM (IPC), with
//! embassy-net-nrf91. The firmware runs in the secure domain (no TF-M/SPM), flashed at address 0.
//!
//! What it does: attaches to the APN that was set, takes the address and DNS servers the network gives the PDP
//! context, then `board_job::run`: an OAuth2 token, `POST /sessions` for that address, wait until `AVAILABLE`,
//! read it, delete it, all over TLS 1.3 (embedded-tls) verified against the CA that was set, with randomness
//! from the CryptoCell's RNG. This is the device QoD is made for: a cellular device asking its own network for
//! QoS.
//!
//! Set (at build time, never in a source file): `QOD_SERVER_URL`, `QOD_TOKEN_URL`, `QOD_CLIENT_ID`,
//! `QOD_CLIENT_SECRET`, `QOD_CA_DER` (the DER file of the CA that signed the server's certificate), `QOD_APN`
//! (and `QOD_APN_USER`, `QOD_APN_PASSWORD` for PAP), in the environment or the gitignored `board.env`: see
//! `../board-job/README.md`. Build: `cargo build --release --locked`; flash and watch the log:
//! `cargo run --release` (probe-rs through the DK's debugger).
//!
//! Flash and RAM (`bash examples/boards.sh nrf9160`; rustc 1.95.0, release profile: `opt-level = "s"`, LTO):
//! **209,260 B flash** (204.4 KiB of 1 MiB), **56,380 B RAM** of statics (55.1 KiB of the 192 KiB above the modem's
//! IPC area; the stack takes the rest).
//!
//! **Compiled in CI, not run**: no board is attached there, and this firmware has not been run on hardware.
#![no_std]
#![no_main]

use core::mem::MaybeUninit;
use core::net::IpAddr;

use defmt::{error, info, unwrap, warn};
use embassy_executor::Spawner;
use embassy_net::{Ipv4Cidr, Stack, StackResources};
use embassy_net_nrf91::context::{self, Status};
use embassy_net_nrf91::{NetDriver, Runner, State};
use embassy_nrf::cryptocell_rng::CcRng;
use embassy_nrf::interrupt;
use rand_core::RngCore;
use static_cell::StaticCell;
use {defmt_rtt as _, panic_probe as _};

#[interrupt]
fn IPC() {
    embassy_net_nrf91::on_ipc_irq();
}

#[embassy_executor::task]
async fn modem_task(runner: Runner<'static>) -> ! {
    runner.run().await
}

#[embassy_executor::task]
async fn net_task(mut runner: embassy_net::Runner<'static, NetDriver<'static>>) -> ! {
    runner.run().await
}

/// Attaches, and keeps the stack's address in step with the PDP context (re-attaching when the network drops it).
#[embassy_executor::task]
async fn control_task(control: &'static context::Control<'static>, stack: Stack<'static>) {
    let config = context::Config {
        apn: APN,
        auth_prot: if APN_AUTH.is_some() {
            context::AuthProt::Pap
        } else {
            context::AuthProt::None
        },
        auth: APN_AUTH,
        pin: None,
    };
    unwrap!(control.configure(&config).await);
    let result = control
        .run(|status| match ipv4_config(status) {
            Some(c) => stack.set_config_v4(c),
            None => warn!("no IPv4 address in the PDP context: {}", status),
        })
        .await;
    error!("modem control ended: {}", result);
}

/// The stack configuration for the context's address (a /32: the modem routes everything), gateway and DNS.
fn ipv4_config(status: &Status) -> Option<embassy_net::ConfigV4> {
    let Some(IpAddr::V4(address)) = status.ip else {
        return None;
    };
    let gateway = match status.gateway {
        Some(IpAddr::V4(g)) => Some(g),
        _ => None,
    };
    let mut dns_servers = heapless::Vec::new();
    for dns in status.dns.iter() {
        if let IpAddr::V4(ip) = dns {
            let _ = dns_servers.push(*ip);
        }
    }
    Some(embassy_net::ConfigV4::Static(embassy_net::StaticConfigV4 {
        address: Ipv4Cidr::new(address, 32),
        gateway,
        dns_servers,
    }))
}

extern "C" {
    static __start_ipc: u8;
    static __end_ipc: u8;
}

/// The cellular network's APN (`QOD_APN`), set at build time like the rest.
const APN: &[u8] = env!("QOD_APN").as_bytes();
/// PAP user and password for the APN (`QOD_APN_USER`, `QOD_APN_PASSWORD`), if the operator wants them.
const APN_AUTH: Option<(&[u8], &[u8])> = if env!("QOD_APN_USER").is_empty() {
    None
} else {
    Some((env!("QOD_APN_USER").as_bytes(), env!("QOD_APN_PASSWORD").as_bytes()))
};

/// Server, credentials and CA, set at build time (README: "What to set").
static SETTINGS: board_job::Settings = board_job::settings!();

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let p = embassy_nrf::init(Default::default());

    // SAFETY: `__start_ipc..__end_ipc` is the IPC region of memory.x, used by nothing else; it is handed out once,
    // here, to the modem driver, for the life of the program.
    let ipc: &'static mut [MaybeUninit<u8>] = unsafe {
        let start = core::ptr::addr_of!(__start_ipc) as *mut MaybeUninit<u8>;
        let end = core::ptr::addr_of!(__end_ipc) as *mut MaybeUninit<u8>;
        core::slice::from_raw_parts_mut(start, end.offset_from(start) as usize)
    };
    static STATE: StaticCell<State> = StaticCell::new();
    let (device, control, runner) = embassy_net_nrf91::new(STATE.init(State::new()), ipc).await;
    spawner.spawn(unwrap!(modem_task(runner)));

    let mut rng = CcRng::new_blocking(p.CC_RNG);
    // Sockets: the client's TCP socket and DNS.
    static RESOURCES: StaticCell<StackResources<2>> = StaticCell::new();
    let (stack, runner) = embassy_net::new(
        device,
        embassy_net::Config::default(),
        RESOURCES.init(StackResources::new()),
        rng.next_u64(),
    );
    spawner.spawn(unwrap!(net_task(runner)));

    static CONTROL: StaticCell<context::Control<'static>> = StaticCell::new();
    let control = CONTROL.init(context::Control::new(control, 0).await);
    spawner.spawn(unwrap!(control_task(control, stack)));

    info!("attaching to {=[u8]:a}", APN);
    stack.wait_config_up().await;

    static TLS: StaticCell<board_job::TlsBuffers> = StaticCell::new();
    let tls = TLS.init(board_job::TlsBuffers::new());
    match board_job::run(stack, &SETTINGS, tls, rng).await {
        Ok(()) => info!("done"),
        Err(step) => error!("failed at {}", step),
    }
}
