#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// Declared first so that its macros are visible in the other modules.
#[macro_use]
mod fmt;

mod access;
mod csr;
mod mmio;
pub mod regs;
mod rx;
mod tx;
mod waker;

#[cfg(test)]
mod mock;

use core::cell::Cell;
use core::task::Context;

use critical_section::Mutex;
use embassy_net_driver::{Capabilities, HardwareAddress, LinkState};

pub use access::RegisterAccess;
pub use mmio::Mmio;

use regs::*;
use rx::{Discard, RxStatus, Verdict};
use tx::TxStatus;
use waker::WakerSlot;

/// Size of the driver's receive buffer: the largest frame it delivers,
/// FCS excluded. Longer frames are discarded and counted in
/// [`Stats::rx_too_long`].
pub const RX_BUFFER_LEN: usize = 1536;
/// Size of the driver's transmit buffer.
pub const TX_BUFFER_LEN: usize = 1536;
/// The MTU reported to embassy-net: an untagged Ethernet frame without FCS.
pub const MTU: usize = 1514;

/// Free TX FIFO bytes required before a transmit token is handed out: room
/// for the largest frame the stack may send, since the token cannot fail later.
const TX_SPACE_NEEDED: usize = tx::fifo_bytes(MTU);
/// TX FIFO size programmed into HW_CFG.TX_FIF_SZ, in KiB (the reset default).
/// 5 KiB leaves 4608 bytes for data: three full-size frames.
const TX_FIFO_KIB: u32 = 5;
/// Interrupts the driver always wants.
const BASE_INT_MASK: u32 = INT_RSFL | INT_RXDF | INT_RXE | INT_TXE | INT_TDFO | INT_TXSO | INT_PHY;
/// Error interrupts that only need to be counted and acknowledged.
const TX_ERROR_INTS: u32 = INT_TXE | INT_TDFO | INT_TXSO;

/// Errors of the bring-up sequence and of register handshakes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error {
    /// BYTE_TEST never read 0x8765_4321 (it held this value): no chip, a
    /// wrong base address, or a bus width/endianness mismatch.
    ByteTest(u32),
    /// PMT_CTRL.READY never came up.
    NotReady,
    /// The soft reset did not complete (HW_CFG.SRST stuck or SRST_TO set).
    ResetTimeout,
    /// A MAC CSR access stayed busy.
    MacCsrTimeout,
    /// An MII (PHY register) access stayed busy.
    MiiTimeout,
    /// The PHY did not come out of reset (BMCR.RESET stuck).
    PhyResetTimeout,
    /// The RX fast-forward did not complete.
    RxFastForwardTimeout,
    /// The RX FIFO dump did not complete.
    RxDumpTimeout,
    /// The MAC address (configured or read from the chip's EEPROM) is zero,
    /// broadcast or multicast.
    InvalidMacAddress([u8; 6]),
}

impl Error {
    fn description(&self) -> &'static str {
        match self {
            Error::ByteTest(_) => "BYTE_TEST mismatch: no LAN9118 at this address or wrong bus setup",
            Error::NotReady => "chip never became ready (PMT_CTRL.READY)",
            Error::ResetTimeout => "soft reset did not complete",
            Error::MacCsrTimeout => "MAC CSR access timed out",
            Error::MiiTimeout => "MII access timed out",
            Error::PhyResetTimeout => "PHY reset did not complete",
            Error::RxFastForwardTimeout => "RX fast-forward timed out",
            Error::RxDumpTimeout => "RX FIFO dump timed out",
            Error::InvalidMacAddress(_) => "invalid MAC address",
        }
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::ByteTest(v) => write!(f, "{} (read {:#010x})", self.description(), v),
            Error::InvalidMacAddress(m) => write!(
                f,
                "{} {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                self.description(),
                m[0],
                m[1],
                m[2],
                m[3],
                m[4],
                m[5]
            ),
            _ => f.write_str(self.description()),
        }
    }
}

impl core::error::Error for Error {}

/// Driver configuration. Start from [`Config::default`] and change fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct Config {
    /// MAC address to program. `None` keeps the address the chip loaded from
    /// its EEPROM at reset (QEMU's model emulates that EEPROM).
    pub mac_address: Option<[u8; 6]>,
    /// MII address of the PHY: 1 for the internal PHY.
    pub phy_address: u8,
    /// IRQ pin polarity: active high (`true`) or active low.
    pub irq_active_high: bool,
    /// IRQ pin type: push-pull (`true`) or open drain.
    pub irq_push_pull: bool,
    /// Minimum IRQ de-assertion time, in units of 10 µs (IRQ_CFG.INT_DEAS).
    pub irq_deassert_interval: u8,
    /// Receive every frame regardless of destination address.
    pub promiscuous: bool,
    /// Receive all multicast frames (needed by IPv6 and mDNS; the chip has
    /// only a hash filter otherwise).
    pub all_multicast: bool,
}

impl Default for Config {
    /// Internal PHY, active-high push-pull IRQ (what QEMU's `mps2-an386`
    /// needs to see a rising interrupt), MAC address from the chip, unicast +
    /// broadcast + all multicast.
    fn default() -> Self {
        Self {
            mac_address: None,
            phy_address: 1,
            irq_active_high: true,
            irq_push_pull: true,
            irq_deassert_interval: 0,
            promiscuous: false,
            all_multicast: true,
        }
    }
}

/// Counters kept by the driver. They wrap on overflow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct Stats {
    /// Frames handed to the stack.
    pub rx_frames: u32,
    /// Frames the chip flagged as bad (CRC, runt, too long, collision, MII error, watchdog).
    pub rx_errors: u32,
    /// Frames longer than [`RX_BUFFER_LEN`], discarded.
    pub rx_too_long: u32,
    /// Frames too short for an Ethernet header, or that failed the address filter.
    pub rx_malformed: u32,
    /// Frames the chip dropped because its RX FIFO was full (RX_DROP).
    pub rx_dropped: u32,
    /// RX FIFO resynchronisations: receiver errors or a stuck fast-forward
    /// made the driver dump both RX FIFOs.
    pub rx_fifo_resets: u32,
    /// Frames written to the TX FIFO.
    pub tx_frames: u32,
    /// TX status words with the error flag, plus transmitter error interrupts.
    pub tx_errors: u32,
    /// Times a transmit had to wait for TX FIFO space.
    pub tx_fifo_full: u32,
    /// Device interrupts that had work for the driver.
    pub interrupts: u32,
}

/// State shared between the driver and the interrupt handler.
///
/// Put it in a `static` and pass it to both [`Lan9118::new`] and
/// [`on_interrupt`]:
///
/// ```
/// static NIC_STATE: embassy_net_lan9118::State = embassy_net_lan9118::State::new();
/// ```
pub struct State {
    waker: WakerSlot,
    /// Written by the interrupt handler, taken by the driver.
    events: Mutex<Cell<Events>>,
}

#[derive(Clone, Copy, Default)]
struct Events {
    /// INT_STS bits acknowledged by the interrupt handler, not yet handled.
    pending: u32,
    /// Interrupts since the driver last took the events.
    new_interrupts: u32,
    /// Interrupts since start.
    total_interrupts: u32,
}

impl State {
    /// Creates the state. `const`, so it can initialise a `static`.
    pub const fn new() -> Self {
        Self {
            waker: WakerSlot::new(),
            events: Mutex::new(Cell::new(Events {
                pending: 0,
                new_interrupts: 0,
                total_interrupts: 0,
            })),
        }
    }

    /// Number of device interrupts [`on_interrupt`] found work in (it wraps).
    /// Useful to check that reception is interrupt-driven.
    pub fn interrupts(&self) -> u32 {
        critical_section::with(|cs| self.events.borrow(cs).get().total_interrupts)
    }

    /// Takes the pending INT_STS bits and the count of new interrupts.
    fn take_events(&self) -> (u32, u32) {
        critical_section::with(|cs| {
            let cell = self.events.borrow(cs);
            let events = cell.get();
            cell.set(Events {
                pending: 0,
                new_interrupts: 0,
                ..events
            });
            (events.pending, events.new_interrupts)
        })
    }
}

impl Default for State {
    fn default() -> Self {
        Self::new()
    }
}

/// The interrupt handler's half of the driver: call it from the handler of
/// the chip's IRQ line, with a register handle for the same chip.
///
/// It masks the interrupt sources that fired (INT_EN), acknowledges them
/// (INT_STS), records them in `state` and wakes the driver. The driver
/// handles the events and unmasks the sources on its next poll. Masking
/// first keeps a level-triggered source (the PHY interrupt, or an RX status
/// FIFO that stays above its threshold) from re-entering the handler in a
/// loop. It returns quickly and never blocks.
pub fn on_interrupt<R: RegisterAccess>(regs: &R, state: &State) {
    let enabled = regs.read32(INT_EN);
    let pending = regs.read32(INT_STS) & enabled;
    if pending == 0 {
        return;
    }
    regs.write32(INT_EN, enabled & !pending);
    regs.write32(INT_STS, pending);
    critical_section::with(|cs| {
        let cell = state.events.borrow(cs);
        let events = cell.get();
        cell.set(Events {
            pending: events.pending | pending,
            new_interrupts: events.new_interrupts.wrapping_add(1),
            total_interrupts: events.total_interrupts.wrapping_add(1),
        });
    });
    state.waker.wake();
}

/// An `embassy_net_driver::Driver` for one LAN9118/LAN9220 chip.
///
/// `R` is the register access: [`Mmio`] on hardware, anything implementing
/// [`RegisterAccess`] in tests.
pub struct Lan9118<'s, R: RegisterAccess> {
    regs: R,
    state: &'s State,
    config: Config,
    mac: [u8; 6],
    id_rev: u32,
    link_up: bool,
    int_mask: u32,
    tx_tag: u16,
    stats: Stats,
    rx_buf: [u8; RX_BUFFER_LEN],
    tx_buf: [u8; TX_BUFFER_LEN],
}

impl<'s, R: RegisterAccess> Lan9118<'s, R> {
    /// Resets and configures the chip, and starts PHY auto-negotiation.
    ///
    /// Returns once the MAC is enabled; it does not wait for the link, which
    /// on real hardware takes seconds ([`embassy_net_driver::Driver::link_state`]
    /// reports it). Enable the chip's interrupt line in the interrupt
    /// controller only after this returns.
    ///
    /// # Errors
    ///
    /// Any [`Error`] from the bring-up sequence: no chip, a stuck reset or
    /// register handshake, or an invalid MAC address.
    pub fn new(regs: R, state: &'s State, config: Config) -> Result<Self, Error> {
        let mut nic = Self {
            regs,
            state,
            config,
            mac: [0; 6],
            id_rev: 0,
            link_up: false,
            int_mask: BASE_INT_MASK,
            tx_tag: 0,
            stats: Stats::default(),
            rx_buf: [0; RX_BUFFER_LEN],
            tx_buf: [0; TX_BUFFER_LEN],
        };
        nic.bring_up()?;
        Ok(nic)
    }

    /// The MAC address in use.
    pub fn mac_address(&self) -> [u8; 6] {
        self.mac
    }

    /// The ID_REV register: chip ID in bits 31:16 (0x0118 for a LAN9118,
    /// 0x9220 for a LAN9220), revision in bits 15:0.
    pub fn id_rev(&self) -> u32 {
        self.id_rev
    }

    /// The driver's counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    fn bring_up(&mut self) -> Result<(), Error> {
        let regs = &self.regs;
        // The host interface is usable once BYTE_TEST reads back correctly;
        // other registers are valid only after PMT_CTRL.READY.
        let mut byte_test = 0;
        for _ in 0..csr::POLL_LIMIT {
            byte_test = regs.read32(BYTE_TEST);
            if byte_test == BYTE_TEST_VALUE {
                break;
            }
        }
        if byte_test != BYTE_TEST_VALUE {
            return Err(Error::ByteTest(byte_test));
        }
        csr::poll_set(regs, PMT_CTRL, PMT_CTRL_READY, Error::NotReady)?;
        self.id_rev = regs.read32(ID_REV);
        info!("lan9118: ID_REV {:#010x}", self.id_rev);

        // Soft reset: returns every register, FIFO and the PHY to defaults.
        regs.write32(HW_CFG, HW_CFG_SRST);
        csr::settle(regs);
        let hw_cfg = csr::poll_clear(regs, HW_CFG, HW_CFG_SRST, Error::ResetTimeout)?;
        if hw_cfg & HW_CFG_SRST_TO != 0 {
            return Err(Error::ResetTimeout);
        }
        csr::poll_set(regs, PMT_CTRL, PMT_CTRL_READY, Error::NotReady)?;
        regs.write32(HW_CFG, HW_CFG_MBO | (TX_FIFO_KIB << HW_CFG_TX_FIF_SZ_SHIFT));

        self.mac = match self.config.mac_address {
            Some(mac) => {
                check_mac(mac)?;
                csr::mac_write(regs, MAC_ADDRL, u32::from_le_bytes([mac[0], mac[1], mac[2], mac[3]]))?;
                csr::mac_write(regs, MAC_ADDRH, u32::from(u16::from_le_bytes([mac[4], mac[5]])))?;
                mac
            }
            None => {
                let lo = csr::mac_read(regs, MAC_ADDRL)?.to_le_bytes();
                let hi = csr::mac_read(regs, MAC_ADDRH)?.to_le_bytes();
                let mac = [lo[0], lo[1], lo[2], lo[3], hi[0], hi[1]];
                check_mac(mac)?;
                mac
            }
        };

        self.phy_bring_up()?;

        let regs = &self.regs;
        let mut mac_cr = MAC_CR_TXEN | MAC_CR_RXEN;
        if self.config.promiscuous {
            mac_cr |= MAC_CR_PRMS;
        }
        if self.config.all_multicast {
            mac_cr |= MAC_CR_MCPAS;
        }
        csr::mac_write(regs, MAC_CR, mac_cr)?;

        // RX_CFG keeps its defaults (no offset, 4-byte end alignment): the
        // word arithmetic in `rx` relies on that.
        regs.write32(RX_CFG, 0);
        regs.write32(TX_CFG, TX_CFG_TX_ON);
        // Interrupt as soon as one RX status word is queued; TX data level
        // for the "space available" interrupt, used only while waiting.
        regs.write32(FIFO_INT, tx_level(TX_SPACE_NEEDED));

        regs.write32(INT_STS, INT_ALL);
        regs.write32(INT_EN, self.int_mask);
        let mut irq_cfg = IRQ_CFG_EN | (u32::from(self.config.irq_deassert_interval) << IRQ_CFG_INT_DEAS_SHIFT);
        if self.config.irq_active_high {
            irq_cfg |= IRQ_CFG_POL;
        }
        if self.config.irq_push_pull {
            irq_cfg |= IRQ_CFG_TYPE;
        }
        regs.write32(IRQ_CFG, irq_cfg);

        self.update_link()?;
        Ok(())
    }

    fn phy_bring_up(&mut self) -> Result<(), Error> {
        let (regs, phy) = (&self.regs, self.config.phy_address);
        csr::phy_write(regs, phy, PHY_BMCR, BMCR_RESET)?;
        let mut reset_done = false;
        for _ in 0..csr::POLL_LIMIT {
            if csr::phy_read(regs, phy, PHY_BMCR)? & BMCR_RESET == 0 {
                reset_done = true;
                break;
            }
        }
        if !reset_done {
            return Err(Error::PhyResetTimeout);
        }
        let id1 = csr::phy_read(regs, phy, PHY_ID1)?;
        debug!("lan9118: PHY ID1 {:#06x}", id1);
        csr::phy_write(regs, phy, PHY_ANAR, ANAR_10_100_ALL)?;
        // Reading the source register clears stale events; then ask for an
        // interrupt on link down and on auto-negotiation complete.
        let _ = csr::phy_read(regs, phy, PHY_INT_SRC)?;
        csr::phy_write(regs, phy, PHY_INT_MASK, PHY_INT_LINK_DOWN | PHY_INT_ANEG_DONE)?;
        csr::phy_write(regs, phy, PHY_BMCR, BMCR_ANEG_EN | BMCR_ANEG_RESTART)
    }

    /// Re-reads the PHY state after a PHY interrupt (or at start), and keeps
    /// MAC_CR.FDPX in step with the negotiated duplex.
    fn update_link(&mut self) -> Result<(), Error> {
        let (regs, phy) = (&self.regs, self.config.phy_address);
        // Reading the source register acknowledges the PHY interrupt.
        let _ = csr::phy_read(regs, phy, PHY_INT_SRC)?;
        // The link bit latches low: the second read is the current state.
        let _ = csr::phy_read(regs, phy, PHY_BMSR)?;
        let bmsr = csr::phy_read(regs, phy, PHY_BMSR)?;
        let up = bmsr & BMSR_LINK != 0 && bmsr & BMSR_ANEG_DONE != 0;
        if up && !self.link_up {
            let common = csr::phy_read(regs, phy, PHY_ANAR)? & csr::phy_read(regs, phy, PHY_ANLPAR)?;
            let full = full_duplex(common);
            let mac_cr = csr::mac_read(regs, MAC_CR)?;
            let new_cr = if full {
                mac_cr | MAC_CR_FDPX
            } else {
                mac_cr & !MAC_CR_FDPX
            };
            if new_cr != mac_cr {
                csr::mac_write(regs, MAC_CR, new_cr)?;
            }
            info!("lan9118: link up, {} duplex", if full { "full" } else { "half" });
        } else if !up && self.link_up {
            info!("lan9118: link down");
        }
        self.link_up = up;
        Ok(())
    }

    /// Common entry of every driver call: register the waker first (so an
    /// interrupt after this point wakes us), then handle recorded events.
    fn service(&mut self, cx: &Context<'_>) {
        self.state.waker.register(cx.waker());
        let (events, count) = self.state.take_events();
        self.stats.interrupts = self.stats.interrupts.wrapping_add(count);
        let status = self.regs.read32(INT_STS) | events;
        let ack = status & (INT_RXDF | INT_RXE | TX_ERROR_INTS);
        if ack != 0 {
            self.regs.write32(INT_STS, ack);
        }
        if status & INT_RXDF != 0 {
            let dropped = self.regs.read32(RX_DROP);
            self.stats.rx_dropped = self.stats.rx_dropped.wrapping_add(dropped);
            warn!("lan9118: RX FIFO full, {} frames dropped", dropped);
        }
        if status & TX_ERROR_INTS != 0 {
            self.stats.tx_errors = self.stats.tx_errors.wrapping_add(1);
            warn!("lan9118: TX error interrupt {:#x}", status & TX_ERROR_INTS);
        }
        if status & INT_RXE != 0 {
            // A receiver error means the data and status FIFOs may no longer
            // agree: start over with empty FIFOs.
            warn!("lan9118: RX error, dumping RX FIFOs");
            self.reset_rx();
        }
        if status & INT_PHY != 0 {
            if let Err(e) = self.update_link() {
                warn!("lan9118: PHY access failed: {}", e);
                self.link_up = false;
            }
        }
    }

    /// Unmasks the driver's interrupt sources again (the handler masks the
    /// ones that fired).
    fn rearm(&self) {
        self.regs.write32(INT_EN, self.int_mask);
    }

    fn reset_rx(&mut self) {
        self.stats.rx_fifo_resets = self.stats.rx_fifo_resets.wrapping_add(1);
        if let Err(e) = rx::dump(&self.regs) {
            warn!("lan9118: {}", e);
        }
    }

    /// Pops TX status words, counting failed transmissions. Keeps the TX
    /// status FIFO from filling up, which would stop the transmitter.
    fn drain_tx_status(&mut self) {
        let used = tx_status_used(self.regs.read32(TX_FIFO_INF));
        for _ in 0..used {
            let status = TxStatus(self.regs.read32(TX_STATUS_FIFO));
            if status.is_error() {
                self.stats.tx_errors = self.stats.tx_errors.wrapping_add(1);
                warn!("lan9118: TX failed, tag {} status {:#010x}", status.tag(), status.0);
            }
        }
    }

    /// Whether a full-size frame fits in the TX FIFO now. If not, enables the
    /// "TX data FIFO available" interrupt to be woken when it does.
    fn tx_ready(&mut self) -> bool {
        self.drain_tx_status();
        let free = tx_data_free(self.regs.read32(TX_FIFO_INF)) as usize;
        if free >= TX_SPACE_NEEDED {
            self.int_mask &= !INT_TDFA;
            true
        } else {
            if self.int_mask & INT_TDFA == 0 {
                self.stats.tx_fifo_full = self.stats.tx_fifo_full.wrapping_add(1);
            }
            self.int_mask |= INT_TDFA;
            false
        }
    }

    /// Pops RX status words until one describes a deliverable frame, which
    /// is read into `rx_buf`. Returns its length.
    fn pop_frame(&mut self, cx: &Context<'_>) -> Option<usize> {
        let pending = rx_status_used(self.regs.read32(RX_FIFO_INF));
        for _ in 0..pending {
            let status = RxStatus(self.regs.read32(RX_STATUS_FIFO));
            match status.verdict(RX_BUFFER_LEN) {
                Verdict::Deliver(len) => {
                    rx::read_frame(&self.regs, status, &mut self.rx_buf, len);
                    self.stats.rx_frames = self.stats.rx_frames.wrapping_add(1);
                    // The RX interrupt is only guaranteed for the first frame
                    // queued after the FIFO was seen empty: ask to be polled
                    // again while frames remain.
                    if rx_status_used(self.regs.read32(RX_FIFO_INF)) > 0 {
                        cx.waker().wake_by_ref();
                    }
                    return Some(len);
                }
                Verdict::Discard(reason) => {
                    let counter = match reason {
                        Discard::Error => &mut self.stats.rx_errors,
                        Discard::TooLong => &mut self.stats.rx_too_long,
                        Discard::TooShort | Discard::Filtered => &mut self.stats.rx_malformed,
                    };
                    *counter = counter.wrapping_add(1);
                    debug!("lan9118: RX discard, status {:#010x}", status.0);
                    if let Err(e) = rx::discard_frame(&self.regs, status) {
                        warn!("lan9118: {}", e);
                        self.reset_rx();
                        return None;
                    }
                }
            }
        }
        None
    }

    fn next_tag(&mut self) -> u16 {
        self.tx_tag = self.tx_tag.wrapping_add(1);
        self.tx_tag
    }
}

/// FIFO_INT value: RX status level 0 (interrupt on the first status word),
/// TX data available level for `bytes` of free space.
fn tx_level(bytes: usize) -> u32 {
    let level = bytes.div_ceil(64).min(0xFF) as u32;
    level << FIFO_INT_TX_DATA_LEVEL_SHIFT
}

/// Whether the best mode both ends advertise is full duplex (IEEE 802.3
/// priority: 100 full, 100 half, 10 full, 10 half).
fn full_duplex(common: u16) -> bool {
    if common & (AN_100_FULL | AN_100_HALF) != 0 {
        common & AN_100_FULL != 0
    } else {
        common & AN_10_FULL != 0
    }
}

fn check_mac(mac: [u8; 6]) -> Result<(), Error> {
    // Multicast bit set (this also covers broadcast), or all zero.
    if mac[0] & 1 != 0 || mac == [0; 6] {
        Err(Error::InvalidMacAddress(mac))
    } else {
        Ok(())
    }
}

/// Receive token: the frame has already been read out of the chip.
pub struct RxToken<'d> {
    frame: &'d mut [u8],
}

impl embassy_net_driver::RxToken for RxToken<'_> {
    fn consume<T, F>(self, f: F) -> T
    where
        F: FnOnce(&mut [u8]) -> T,
    {
        f(self.frame)
    }
}

/// Transmit token: TX FIFO space for a full-size frame was checked when it
/// was handed out.
pub struct TxToken<'d, R: RegisterAccess> {
    regs: &'d R,
    buf: &'d mut [u8; TX_BUFFER_LEN],
    tag: u16,
    stats: &'d mut Stats,
}

impl<R: RegisterAccess> embassy_net_driver::TxToken for TxToken<'_, R> {
    /// Builds the frame in the driver's buffer and writes it to the TX FIFO.
    /// `len` is capped at [`TX_BUFFER_LEN`] (embassy-net never asks for more
    /// than [`MTU`]).
    fn consume<T, F>(self, len: usize, f: F) -> T
    where
        F: FnOnce(&mut [u8]) -> T,
    {
        let frame = &mut self.buf[..len.min(TX_BUFFER_LEN)];
        let result = f(frame);
        // Space was checked for a full-size frame when the token was made and
        // only this driver writes the FIFO, so this check cannot fail unless
        // the chip misbehaves; never overrun the FIFO if it does.
        let free = tx_data_free(self.regs.read32(TX_FIFO_INF)) as usize;
        if free >= tx::fifo_bytes(frame.len()) {
            tx::write_frame(self.regs, self.tag, frame);
            self.stats.tx_frames = self.stats.tx_frames.wrapping_add(1);
        } else {
            self.stats.tx_errors = self.stats.tx_errors.wrapping_add(1);
            warn!("lan9118: TX FIFO unexpectedly full, frame dropped");
        }
        result
    }
}

impl<R: RegisterAccess> embassy_net_driver::Driver for Lan9118<'_, R> {
    type RxToken<'a>
        = RxToken<'a>
    where
        Self: 'a;
    type TxToken<'a>
        = TxToken<'a, R>
    where
        Self: 'a;

    fn receive(&mut self, cx: &mut Context<'_>) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        self.service(cx);
        // A reply may be sent with the TX token, so both must be available.
        let len = if self.tx_ready() { self.pop_frame(cx) } else { None };
        self.rearm();
        let len = len?;
        let tag = self.next_tag();
        let Self {
            regs,
            rx_buf,
            tx_buf,
            stats,
            ..
        } = self;
        Some((
            RxToken {
                frame: &mut rx_buf[..len],
            },
            TxToken {
                regs,
                buf: tx_buf,
                tag,
                stats,
            },
        ))
    }

    fn transmit(&mut self, cx: &mut Context<'_>) -> Option<Self::TxToken<'_>> {
        self.service(cx);
        let ready = self.tx_ready();
        self.rearm();
        if !ready {
            return None;
        }
        let tag = self.next_tag();
        let Self {
            regs, tx_buf, stats, ..
        } = self;
        Some(TxToken {
            regs,
            buf: tx_buf,
            tag,
            stats,
        })
    }

    fn link_state(&mut self, cx: &mut Context<'_>) -> LinkState {
        self.service(cx);
        self.rearm();
        if self.link_up {
            LinkState::Up
        } else {
            LinkState::Down
        }
    }

    fn capabilities(&self) -> Capabilities {
        // No checksum offload on the LAN9118 (all checksums default to "both").
        let mut caps = Capabilities::default();
        caps.max_transmission_unit = MTU;
        caps
    }

    fn hardware_address(&self) -> HardwareAddress {
        HardwareAddress::Ethernet(self.mac)
    }
}

#[cfg(test)]
mod tests;
