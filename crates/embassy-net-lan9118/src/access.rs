//! The seam between register logic and the bus.

/// 32-bit access to the chip's register window, by byte offset.
///
/// Everything in this crate except [`crate::Mmio`] is written against this
/// trait, so the bring-up sequence, the FIFO handling and the error paths can
/// be tested on the host with a simulated register file.
///
/// Both methods take `&self`: registers are shared hardware state, and an
/// interrupt handler holds its own handle next to the driver's (see
/// [`crate::on_interrupt`]).
///
/// Implementations must perform exactly one bus access per call, in program
/// order: reads of the FIFO ports pop data and are not idempotent.
pub trait RegisterAccess {
    /// Reads the 32-bit register at byte `offset` (a multiple of 4, below 0x100).
    fn read32(&self, offset: usize) -> u32;
    /// Writes the 32-bit register at byte `offset` (a multiple of 4, below 0x100).
    fn write32(&self, offset: usize, value: u32);
}

impl<T: RegisterAccess + ?Sized> RegisterAccess for &T {
    fn read32(&self, offset: usize) -> u32 {
        T::read32(self, offset)
    }

    fn write32(&self, offset: usize, value: u32) {
        T::write32(self, offset, value)
    }
}
