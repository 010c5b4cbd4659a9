//! Keeper mode (`run.sh --keep`, feature `keep`): instead of one create →
//! delete lifecycle, the device keeps a QoS session with qod-client's session
//! keeper on a simulator whose clock runs [`SCALE`]× faster, across a network
//! termination and a reboot:
//!
//! 1. first boot: a short lease ([`LEASE_S`]) extended again and again; a
//!    network termination (forced by run.sh through the simulator's admin
//!    endpoint) noticed by polling and recovered with a new session; then, at
//!    [`CRASH_AT_S`], a simulated crash: the keeper is dropped wherever it is
//!    and the CPU resets (`SYSRESETREQ`) with the session alive;
//! 2. second boot: the keeper loads its record from the store, adopts the
//!    session it left, keeps extending it until [`KEEP_S`] in all, then stops:
//!    it deletes the session and confirms the 404.
//!
//! The firmware exits 0 only if all of that happened (13 otherwise; 10 if the
//! stop could not confirm the session gone).
//!
//! **The store is emulated.** QEMU's mps2-an386 has no writable flash, so the
//! record lives in qod-client's `FlashStore` (sequential-storage) over
//! [`RamFlash`]: NOR flash semantics (erase to 0xFF, writes only clear bits)
//! on 4 KiB of RAM in the `.uninit` section, which cortex-m-rt does not touch
//! at boot and QEMU keeps across a system reset. It survives the reset, not a
//! power cycle (a new QEMU process starts with it erased). On a board with
//! NOR flash, the same `FlashStore` goes over the flash driver instead.

use core::mem::MaybeUninit;

use embassy_net::Stack;
use embedded_storage_async::nor_flash::{ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash};
use qod_client::keeper::{Event, FlashStore, Keeper, KeeperConfig, NoSignals, ScaledClock, ScaledDelay, V0Api};
use qod_client::{Clock as _, Config, RetryPolicy, Url};
use qod_embassy::{EmbassyClock, EmbassyConnector};

use crate::exit::ExitCode;
use crate::session::{create_request, SERVER_URL};

/// The simulator's time scale (`qod sim --time-scale 10`, set by run.sh).
pub const SCALE: u32 = 10;
/// The lease (simulated seconds): an extension every 40 s or so.
pub const LEASE_S: u32 = 60;
/// When the first boot crashes (simulated seconds after its keeper started): after run.sh's termination (12 s of
/// real time after the session appears) and its recovery.
pub const CRASH_AT_S: u64 = 180;
/// How long the session is kept over both boots (simulated seconds).
pub const KEEP_S: u64 = 300;
/// Bound on each request (real).
const REQUEST_TIMEOUT_MS: u32 = 1_500;
/// Extensions the run must see (both boots together).
const MIN_EXTENSIONS: u32 = 3;

/// Erase page of the emulated flash.
const PAGE: usize = 1024;
/// Pages of the emulated flash.
const PAGES: usize = 4;
/// "KEEP": the RAM below holds this run's state (anything else: a cold start).
const MAGIC: u32 = 0x4B45_4550;

/// What the first boot tells the second (RAM that survives the reset).
#[derive(Clone, Copy)]
#[repr(C)]
struct Persist {
    magic: u32,
    boot: u32,
    extended: u32,
    lost: u32,
    recovered: u32,
    adopted: u32,
    requests: u32,
}

#[link_section = ".uninit.qod_keep"]
static mut PERSIST: MaybeUninit<Persist> = MaybeUninit::uninit();
#[link_section = ".uninit.qod_keep"]
static mut FLASH: MaybeUninit<[u8; PAGE * PAGES]> = MaybeUninit::uninit();

/// NOR flash emulated in RAM: erase sets a page to 0xFF, a write can only clear bits (the result is the AND of old
/// and new, as on real NOR), word-aligned 4-byte writes.
pub struct RamFlash {
    mem: &'static mut [u8; PAGE * PAGES],
}

/// A request outside the emulated flash or not aligned to its word or page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, defmt::Format)]
pub enum RamFlashError {
    /// Outside the flash.
    OutOfBounds,
    /// Not aligned to the write word or the erase page.
    NotAligned,
}

impl NorFlashError for RamFlashError {
    fn kind(&self) -> NorFlashErrorKind {
        match self {
            RamFlashError::OutOfBounds => NorFlashErrorKind::OutOfBounds,
            RamFlashError::NotAligned => NorFlashErrorKind::NotAligned,
        }
    }
}

impl ErrorType for RamFlash {
    type Error = RamFlashError;
}

impl RamFlash {
    fn range(&self, offset: u32, len: usize, align: usize) -> Result<core::ops::Range<usize>, RamFlashError> {
        let from = offset as usize;
        let to = from.checked_add(len).ok_or(RamFlashError::OutOfBounds)?;
        if to > self.mem.len() {
            return Err(RamFlashError::OutOfBounds);
        }
        if !from.is_multiple_of(align) || !len.is_multiple_of(align) {
            return Err(RamFlashError::NotAligned);
        }
        Ok(from..to)
    }
}

impl ReadNorFlash for RamFlash {
    const READ_SIZE: usize = 1;

    async fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Self::Error> {
        let r = self.range(offset, bytes.len(), 1)?;
        bytes.copy_from_slice(&self.mem[r]);
        Ok(())
    }

    fn capacity(&self) -> usize {
        self.mem.len()
    }
}

impl NorFlash for RamFlash {
    const WRITE_SIZE: usize = 4;
    const ERASE_SIZE: usize = PAGE;

    async fn erase(&mut self, from: u32, to: u32) -> Result<(), Self::Error> {
        let len = (to as usize)
            .checked_sub(from as usize)
            .ok_or(RamFlashError::OutOfBounds)?;
        let r = self.range(from, len, PAGE)?;
        self.mem[r].fill(0xFF);
        Ok(())
    }

    async fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        let r = self.range(offset, bytes.len(), 4)?;
        for (cell, bits) in self.mem[r].iter_mut().zip(bytes) {
            *cell &= bits;
        }
        Ok(())
    }
}

/// This boot's state and the emulated flash. A cold start (no [`MAGIC`]) erases the flash, as a new board's would
/// be; a warm one (after the reset below) keeps both. Called once.
fn boot_state() -> (&'static mut Persist, RamFlash) {
    // SAFETY: called once per boot, before anything else touches these statics, so the references are unique.
    // `.uninit` RAM holds whatever it held (QEMU: zero at power-on, the previous boot's values after a reset); it
    // is read through a volatile u32 load first and only trusted with the magic. Every field is a plain integer,
    // valid for any bits.
    let (persist, mem) = unsafe {
        let p = (&raw mut PERSIST).cast::<Persist>();
        let warm = (&raw const (*p).magic).read_volatile() == MAGIC;
        if !warm {
            p.write(Persist {
                magic: MAGIC,
                boot: 0,
                extended: 0,
                lost: 0,
                recovered: 0,
                adopted: 0,
                requests: 0,
            });
            (&raw mut FLASH)
                .cast::<[u8; PAGE * PAGES]>()
                .write([0xFF; PAGE * PAGES]);
        }
        (&mut *p, &mut *(&raw mut FLASH).cast::<[u8; PAGE * PAGES]>())
    };
    persist.boot += 1;
    (persist, RamFlash { mem })
}

/// Keeps the session (over a reboot), then returns the firmware's exit status.
pub async fn run(stack: Stack<'_>) -> ExitCode {
    let (persist, flash) = boot_state();
    let Ok(url) = Url::parse(SERVER_URL) else {
        return ExitCode::Config;
    };
    let Some(request) = create_request(stack) else {
        defmt::error!("no IPv4 address to put in the request");
        return ExitCode::Config;
    };
    let Ok(store) = FlashStore::new(flash, 0..(PAGE * PAGES) as u32) else {
        return ExitCode::Config;
    };
    let mut sock_rx = [0u8; 1536];
    let mut sock_tx = [0u8; 1024];
    let mut tx = [0u8; 768];
    let mut rx = [0u8; 1536];
    let conn = EmbassyConnector::new(stack, &mut sock_rx, &mut sock_tx);
    let mut config = Config::new(url);
    config.timeout_ms = REQUEST_TIMEOUT_MS;
    // The keeper honours 429/503 itself.
    config.retry = RetryPolicy::NONE;
    let mut client = qod_embassy::Client::new(&conn, embassy_time::Delay, config, &mut tx, &mut rx);

    let mut cfg = KeeperConfig::new(LEASE_S);
    cfg.margin_s = 20;
    cfg.poll_ms = 10_000;
    cfg.seed = embassy_time::Instant::now().as_ticks() ^ u64::from(persist.boot);
    let clock = ScaledClock::new(EmbassyClock::new(), SCALE);
    let mut keeper = Keeper::new(
        V0Api::new(request),
        store,
        clock,
        ScaledDelay::new(embassy_time::Delay, SCALE),
        cfg,
    );
    let first = persist.boot == 1;
    let keep_ms = if first { KEEP_S } else { KEEP_S - CRASH_AT_S } * 1000;
    let until = keeper.clock().now_ms() + keep_ms;
    keeper.machine_mut().keep_until(until);
    defmt::info!(
        "keeper: boot {=u32}, lease {=u32} s, keep {=u64} s (simulated, {=u32}x); record in FlashStore over {=usize} B of emulated NOR flash in RAM ({=str})",
        persist.boot,
        LEASE_S,
        keep_ms / 1000,
        SCALE,
        PAGE * PAGES,
        if first { "erased at power-on" } else { "kept across the reset" }
    );

    let mut on_event = |e: &Event| {
        match e {
            Event::Extended { .. } => persist.extended += 1,
            Event::Lost { .. } => persist.lost += 1,
            Event::Recovered { .. } => persist.recovered += 1,
            Event::Adopted { .. } => persist.adopted += 1,
            _ => {}
        }
        defmt::info!("keeper: {}", e);
    };
    let result = if first {
        let crash = embassy_time::Duration::from_millis(CRASH_AT_S * 1000 / u64::from(SCALE));
        match embassy_time::with_timeout(crash, keeper.run(&mut client, &mut NoSignals, &mut on_event)).await {
            Ok(done) => done,
            Err(_) => {
                persist.requests += keeper.machine().stats().requests;
                defmt::warn!(
                    "simulated crash at {=u64} s: the keeper is dropped mid-flight, the CPU resets",
                    CRASH_AT_S
                );
                cortex_m::peripheral::SCB::sys_reset()
            }
        }
    } else {
        keeper.run(&mut client, &mut NoSignals, &mut on_event).await
    };
    client.close().await;
    persist.requests += keeper.machine().stats().requests;
    let p = *persist;
    defmt::info!(
        "keeper: {=u32} boots, {=u32} requests, {=u32} extensions, {=u32} lost, {=u32} recovered, {=u32} adopted",
        p.boot,
        p.requests,
        p.extended,
        p.lost,
        p.recovered,
        p.adopted
    );
    match result {
        Ok(true)
            if p.boot == 2 && p.adopted >= 1 && p.extended >= MIN_EXTENSIONS && p.lost >= 1 && p.recovered >= 1 =>
        {
            ExitCode::Success
        }
        Ok(true) => {
            defmt::error!(
                "keeper: stopped clean, but wanted >= {=u32} extensions, a recovered loss and the session adopted after the reset",
                MIN_EXTENSIONS
            );
            ExitCode::Keep
        }
        Ok(false) => {
            defmt::error!("keeper: the stop could not confirm the session gone");
            ExitCode::StillThere
        }
        Err(e) => {
            defmt::error!("keeper: the store failed: {}", e);
            ExitCode::Keep
        }
    }
}
