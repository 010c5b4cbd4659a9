//! External interrupt lines of `mps2-an386`, for the NVIC (there is no PAC). cortex-m-rt sends every device
//! interrupt to the firmware's `DefaultHandler(irqn)`.

use cortex_m::interrupt::InterruptNumber;
use cortex_m::peripheral::NVIC;

/// An external interrupt line.
#[derive(Clone, Copy)]
struct Irq(u16);

// SAFETY: `number` returns the line the caller named, an external interrupt number of this device (QEMU's
// AN385/AN386 NVIC implements lines 0..=31; callers pass the board's documented lines).
unsafe impl InterruptNumber for Irq {
    fn number(self) -> u16 {
        self.0
    }
}

/// Lets external interrupt `line` reach the CPU. Call once its handler is ready to run.
pub fn unmask(line: u16) {
    // SAFETY: unmasking can break a critical section that relies on this line being masked; the firmwares use
    // `critical_section` (which disables all interrupts) for everything they share with their handlers.
    unsafe { NVIC::unmask(Irq(line)) };
}
