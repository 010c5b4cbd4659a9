//! # Nucleo-H743ZI: a QoS session over the STM32's own Ethernet
//!
//! Board: ST **NUCLEO-H743ZI** / **NUCLEO-H743ZI2** (STM32H743ZI, Cortex-M7, 2 MiB flash, 1 MiB RAM), its RJ45 to
//! a network with DHCP and a way to the operator's API. No wiring: the board connects the MAC's RMII pins to its
//! LAN8742A PHY (REF_CLK PA1, MDIO PA2, MDC PC1, CRS_DV PA7, RXD0 PC4, RXD1 PC5, TXD0 PG13, TXD1 PB13, TX_EN PG11;
//! solder bridges as shipped).
//!
//! What it does: DHCP on the MAC (embassy-stm32 `eth`, MAC 02:00:00:00:00:02), then `board_job::run`: an OAuth2
//! token, `POST /sessions` for the address it got, wait until `AVAILABLE`, read it, delete it, all over TLS 1.3
//! (embedded-tls) verified against the CA that was set, with randomness from the STM32's RNG.
//!
//! Set (at build time, never in a source file): `QOD_SERVER_URL`, `QOD_TOKEN_URL`, `QOD_CLIENT_ID`,
//! `QOD_CLIENT_SECRET`, `QOD_CA_DER` (the DER file of the CA that signed the server's certificate), in the
//! environment or the gitignored `board.env`: see `../board-job/README.md`. Build: `cargo build --release --locked`;
//! flash and watch the log: `cargo run --release` (probe-rs through the on-board ST-LINK).
//!
//! Flash and RAM (`bash examples/boards.sh nucleo-h743zi`; rustc 1.95.0, release profile: `opt-level = "s"`, LTO):
//! **204,528 B flash** (199.7 KiB of 2 MiB), **55,676 B RAM** of statics (54.4 KiB of the 512 KiB AXI SRAM; the stack
//! takes the rest).
//!
//! **Compiled in CI, not run**: no board is attached there, and this firmware has not been run on hardware.
#![no_std]
#![no_main]

use defmt::{error, info, unwrap};
use embassy_executor::Spawner;
use embassy_net::StackResources;
use embassy_stm32::eth::{Ethernet, GenericPhy, PacketQueue, Sma};
use embassy_stm32::peripherals::{ETH, ETH_SMA, RNG};
use embassy_stm32::rng::Rng;
use embassy_stm32::{bind_interrupts, eth, rng, Config};
use static_cell::StaticCell;
use {defmt_rtt as _, panic_probe as _};

bind_interrupts!(struct Irqs {
    ETH => eth::InterruptHandler;
    RNG => rng::InterruptHandler<RNG>;
});

type Device = Ethernet<'static, ETH, GenericPhy<Sma<'static, ETH_SMA>>>;

#[embassy_executor::task]
async fn net_task(mut runner: embassy_net::Runner<'static, Device>) -> ! {
    runner.run().await
}

/// 400 MHz from the HSI through PLL1; HSI48 for the RNG.
fn clocks() -> Config {
    use embassy_stm32::rcc::{
        AHBPrescaler, APBPrescaler, HSIPrescaler, Pll, PllDiv, PllMul, PllPreDiv, PllSource, Sysclk, VoltageScale,
    };
    let mut config = Config::default();
    config.rcc.hsi = Some(HSIPrescaler::DIV1);
    config.rcc.csi = true;
    config.rcc.hsi48 = Some(Default::default());
    config.rcc.pll1 = Some(Pll {
        source: PllSource::HSI,
        prediv: PllPreDiv::DIV4,
        mul: PllMul::MUL50,
        fracn: None,
        divp: Some(PllDiv::DIV2),
        divq: None,
        divr: None,
    });
    config.rcc.sys = Sysclk::PLL1_P;
    config.rcc.ahb_pre = AHBPrescaler::DIV2;
    config.rcc.apb1_pre = APBPrescaler::DIV2;
    config.rcc.apb2_pre = APBPrescaler::DIV2;
    config.rcc.apb3_pre = APBPrescaler::DIV2;
    config.rcc.apb4_pre = APBPrescaler::DIV2;
    config.rcc.voltage_scale = VoltageScale::Scale1;
    config
}

/// Server, credentials and CA, set at build time (README: "What to set").
static SETTINGS: board_job::Settings = board_job::settings!();

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let p = embassy_stm32::init(clocks());
    let mut rng = Rng::new(p.RNG, Irqs);

    static PACKETS: StaticCell<PacketQueue<4, 4>> = StaticCell::new();
    let device = Ethernet::new(
        PACKETS.init(PacketQueue::new()),
        p.ETH,
        Irqs,
        p.PA1,
        p.PA7,
        p.PC4,
        p.PC5,
        p.PG13,
        p.PB13,
        p.PG11,
        [0x02, 0x00, 0x00, 0x00, 0x00, 0x02],
        p.ETH_SMA,
        p.PA2,
        p.PC1,
    );

    // Sockets: the client's TCP socket, DNS, DHCP.
    static RESOURCES: StaticCell<StackResources<3>> = StaticCell::new();
    let config = embassy_net::Config::dhcpv4(Default::default());
    let (stack, runner) = embassy_net::new(device, config, RESOURCES.init(StackResources::new()), rng.next_u64());
    spawner.spawn(unwrap!(net_task(runner)));

    info!("waiting for DHCP");
    stack.wait_config_up().await;

    static TLS: StaticCell<board_job::TlsBuffers> = StaticCell::new();
    let tls = TLS.init(board_job::TlsBuffers::new());
    match board_job::run(stack, &SETTINGS, tls, rng).await {
        Ok(()) => info!("done"),
        Err(step) => error!("failed at {}", step),
    }
}
