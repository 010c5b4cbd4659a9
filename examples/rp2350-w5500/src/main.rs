//! # RP2350 + WIZnet W5500: a QoS session over Ethernet
//!
//! Board: WIZnet **W5500-EVB-Pico2** (an RP2350A with a W5500 on SPI0), or a Raspberry Pi Pico 2 wired to a W5500
//! module the same way:
//!
//! | W5500 | RP2350 |
//! |---|---|
//! | MISO | GP16 (SPI0 RX) |
//! | CS | GP17 |
//! | SCK | GP18 (SPI0 SCK) |
//! | MOSI | GP19 (SPI0 TX) |
//! | RST | GP20 |
//! | INT | GP21 |
//!
//! What it does: DHCP on the W5500 (embassy-net-wiznet, MAC 02:00:00:00:00:01), then `board_job::run`: an OAuth2
//! token, `POST /sessions` for the address it got, wait until `AVAILABLE`, read it, delete it, all over TLS 1.3
//! (embedded-tls) verified against the CA that was set, with randomness from the RP2350's TRNG.
//!
//! Set (at build time, never in a source file): `QOD_SERVER_URL`, `QOD_TOKEN_URL`, `QOD_CLIENT_ID`,
//! `QOD_CLIENT_SECRET`, `QOD_CA_DER` (the DER file of the CA that signed the server's certificate), in the
//! environment or the gitignored `board.env`: see `../board-job/README.md`. Build: `cargo build --release --locked`;
//! flash and watch the log: `cargo run --release` (probe-rs through a debug probe).
//!
//! Flash and RAM (`bash examples/boards.sh rp2350-w5500`; rustc 1.95.0, release profile: `opt-level = "s"`, LTO):
//! **210,060 B flash** (205.1 KiB of 2 MiB), **56,328 B RAM** of statics (55.0 KiB of 512 KiB; the stack takes the
//! rest).
//!
//! **Compiled in CI, not run**: no board is attached there, and this firmware has not been run on hardware.
#![no_std]
#![no_main]

use defmt::{error, info, unwrap};
use embassy_executor::Spawner;
use embassy_net::StackResources;
use embassy_net_wiznet::chip::W5500;
use embassy_net_wiznet::{Device, Runner, State};
use embassy_rp::gpio::{Input, Level, Output, Pull};
use embassy_rp::peripherals::{DMA_CH0, DMA_CH1, SPI0, TRNG};
use embassy_rp::spi::{Async, Config as SpiConfig, Spi};
use embassy_rp::trng::Trng;
use embassy_rp::{bind_interrupts, dma, trng};
use embassy_time::Delay;
use embedded_hal_bus::spi::ExclusiveDevice;
use rand_core::RngCore;
use static_cell::StaticCell;
use {defmt_rtt as _, panic_probe as _};

/// The boot ROM's image definition: a secure Arm executable.
#[link_section = ".start_block"]
#[used]
pub static IMAGE_DEF: embassy_rp::block::ImageDef = embassy_rp::block::ImageDef::secure_exe();

bind_interrupts!(struct Irqs {
    TRNG_IRQ => trng::InterruptHandler<TRNG>;
    DMA_IRQ_0 => dma::InterruptHandler<DMA_CH0>, dma::InterruptHandler<DMA_CH1>;
});

type Spi0 = ExclusiveDevice<Spi<'static, SPI0, Async>, Output<'static>, Delay>;

#[embassy_executor::task]
async fn ethernet_task(runner: Runner<'static, W5500, Spi0, Input<'static>, Output<'static>>) -> ! {
    runner.run().await
}

#[embassy_executor::task]
async fn net_task(mut runner: embassy_net::Runner<'static, Device<'static>>) -> ! {
    runner.run().await
}

/// Server, credentials and CA, set at build time (README: "What to set").
static SETTINGS: board_job::Settings = board_job::settings!();

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    let mut rng = Trng::new(p.TRNG, Irqs, trng::Config::default());

    let mut spi_cfg = SpiConfig::default();
    spi_cfg.frequency = 50_000_000;
    let spi = Spi::new(
        p.SPI0, p.PIN_18, p.PIN_19, p.PIN_16, p.DMA_CH0, p.DMA_CH1, Irqs, spi_cfg,
    );
    let cs = Output::new(p.PIN_17, Level::High);
    let int = Input::new(p.PIN_21, Pull::Up);
    let reset = Output::new(p.PIN_20, Level::High);

    static STATE: StaticCell<State<4, 4>> = StaticCell::new();
    let mac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
    let spi = unwrap!(ExclusiveDevice::new(spi, cs, Delay));
    let Ok((device, runner)) =
        embassy_net_wiznet::new::<4, 4, W5500, _, _, _>(mac, STATE.init(State::new()), spi, int, reset).await
    else {
        defmt::panic!("no W5500 answers on SPI0");
    };
    spawner.spawn(unwrap!(ethernet_task(runner)));

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
