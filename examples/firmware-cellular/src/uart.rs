//! UART0 of QEMU's `mps2-an386`, an ARM CMSDK APB UART, as an `embedded_io_async` serial port: interrupt-driven
//! receive into a pipe, polled transmit. All of this firmware's `unsafe` is in this module.
//!
//! Registers (CMSDK APB UART, QEMU `hw/char/cmsdk-apb-uart.c`): DATA 0x00, STATE 0x04 (bit 0 TX full, bit 1 RX
//! full), CTRL 0x08 (bit 0 TX enable, bit 1 RX enable, bit 3 RX interrupt enable), INTCLEAR 0x0C (bit 1 RX),
//! BAUDDIV 0x10. UART0 is at 0x4000_4000; its RX interrupt is external line 0 (TX is line 1, unused).
//!
//! The UART holds one received byte. The interrupt handler moves bytes into a 512-byte pipe while it has room;
//! when it is full the handler masks the RX interrupt and leaves the byte in the UART, and QEMU holds the rest of
//! the stream back (its chardev delivers a byte only when RX full is clear), so nothing is lost. Each read from
//! the pipe drains the UART again and unmasks the interrupt.

use core::convert::Infallible;
use core::sync::atomic::{AtomicBool, Ordering};

use cortex_m_rt::exception;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::pipe::Pipe;
use embedded_io_async::{ErrorType, Read, Write};

/// UART0's register block.
const UART0_BASE: usize = 0x4000_4000;
/// External interrupt line of UART0's receive interrupt on AN385/AN386.
pub const UART0_RX_IRQ: u16 = 0;
/// The APB clock, for BAUDDIV (QEMU does not pace the line by it).
const PCLK_HZ: u32 = 25_000_000;
const BAUD: u32 = 115_200;

const DATA: usize = 0x00;
const STATE: usize = 0x04;
const CTRL: usize = 0x08;
const INTCLEAR: usize = 0x0c;
const BAUDDIV: usize = 0x10;
const STATE_TX_FULL: u32 = 1 << 0;
const STATE_RX_FULL: u32 = 1 << 1;
const CTRL_TX_EN: u32 = 1 << 0;
const CTRL_RX_EN: u32 = 1 << 1;
const CTRL_RX_INT_EN: u32 = 1 << 3;
const INT_RX: u32 = 1 << 1;
const INT_ALL: u32 = 0xf;

/// Received bytes on their way from the interrupt handler to the reader.
static RX: Pipe<CriticalSectionRawMutex, 512> = Pipe::new();
static TAKEN: AtomicBool = AtomicBool::new(false);

fn read_reg(offset: usize) -> u32 {
    // SAFETY: UART0's registers are at 0x4000_4000..0x4000_4014 on mps2-an386 (QEMU `info mtree`:
    // cmsdk-apb-uart), always mapped, 4-byte aligned; reading them has no side effect beyond the UART's (DATA
    // clears RX full). Only this module touches UART0.
    unsafe { ((UART0_BASE + offset) as *const u32).read_volatile() }
}

fn write_reg(offset: usize, value: u32) {
    // SAFETY: as in `read_reg`; the values written are the documented bits of each register.
    unsafe { ((UART0_BASE + offset) as *mut u32).write_volatile(value) }
}

/// Moves received bytes into the pipe while it has room; without room, masks the RX interrupt (see the module
/// docs). Runs in the interrupt handler and after each read, always inside a critical section.
fn drain_rx() {
    critical_section::with(|_| {
        write_reg(INTCLEAR, INT_RX);
        while read_reg(STATE) & STATE_RX_FULL != 0 {
            if RX.is_full() {
                write_reg(CTRL, read_reg(CTRL) & !CTRL_RX_INT_EN);
                return;
            }
            let byte = read_reg(DATA) as u8;
            // Cannot fail: the pipe had room, and only this function writes to it.
            let _ = RX.try_write(&[byte]);
        }
        write_reg(CTRL, read_reg(CTRL) | CTRL_RX_INT_EN);
    });
}

/// UART0, 115200 8N1 (QEMU passes bytes through at any rate).
pub struct Uart {
    _owned: (),
}

impl Uart {
    /// Sets UART0 up and unmasks its receive interrupt; `None` if it was taken already.
    pub fn take() -> Option<Self> {
        if TAKEN.swap(true, Ordering::AcqRel) {
            return None;
        }
        write_reg(CTRL, 0);
        write_reg(BAUDDIV, PCLK_HZ / BAUD);
        write_reg(INTCLEAR, INT_ALL);
        RX.clear();
        write_reg(CTRL, CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_INT_EN);
        firmware_common::irq::unmask(UART0_RX_IRQ);
        Some(Uart { _owned: () })
    }
}

impl ErrorType for Uart {
    type Error = Infallible;
}

impl Read for Uart {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        if buf.is_empty() {
            return Ok(0);
        }
        let n = RX.read(buf).await;
        drain_rx();
        Ok(n)
    }
}

impl Write for Uart {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        for &byte in buf {
            // QEMU sets TX full only while its chardev cannot take more.
            while read_reg(STATE) & STATE_TX_FULL != 0 {
                embassy_futures::yield_now().await;
            }
            write_reg(DATA, u32::from(byte));
        }
        Ok(buf.len())
    }

    async fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

/// cortex-m-rt sends every device interrupt here (no PAC, so no named vectors); `irqn` is the external line.
#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    if irqn == UART0_RX_IRQ as i16 {
        drain_rx();
    }
}
