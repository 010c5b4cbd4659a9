//! QEMU `mps2-an386` specifics of this firmware: the LAN9118's address and interrupt wiring. The time driver is
//! `firmware_common::time`.

use cortex_m_rt::exception;
use embassy_net_lan9118::{on_interrupt, Mmio, State};

/// Base address of the LAN9118 register window.
const LAN9118_BASE: usize = 0x4020_0000;
/// External interrupt line of the LAN9118 on AN385/AN386.
const LAN9118_IRQ: u16 = 13;

/// Register handle of the board's LAN9118, shared by the driver and its
/// interrupt handler.
// SAFETY: on mps2-an386 the LAN9118's 256-byte register window is at
// 0x4020_0000 (QEMU `info mtree`: lan9118-mmio), 4-byte aligned, always
// mapped; only the driver and `DefaultHandler` below use it.
pub static NIC_REGS: Mmio = unsafe { Mmio::new(LAN9118_BASE) };

/// State shared between the driver and its interrupt handler.
pub static NIC_STATE: State = State::new();

/// Lets the LAN9118 interrupt reach the CPU. Call after the driver is set up.
pub fn enable_nic_interrupt() {
    firmware_common::irq::unmask(LAN9118_IRQ);
}

/// cortex-m-rt sends every device interrupt here (no PAC, so no named
/// vectors); `irqn` is the external interrupt number.
#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    if irqn == LAN9118_IRQ as i16 {
        on_interrupt(&NIC_REGS, &NIC_STATE);
    }
}
