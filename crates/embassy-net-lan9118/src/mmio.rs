//! Memory-mapped access to the chip: the only module with `unsafe` code.
#![allow(unsafe_code)]

use crate::RegisterAccess;

/// Size of the register window in bytes.
const WINDOW: usize = 0x100;

/// Volatile 32-bit access to a LAN9118 register window at a fixed address.
///
/// A `Mmio` is a plain address, so it is `Copy`: the driver owns one and the
/// interrupt handler builds another from the same base address.
#[derive(Debug, Clone, Copy)]
pub struct Mmio {
    base: usize,
}

impl Mmio {
    /// Creates a handle for the register window starting at `base`.
    ///
    /// # Safety
    ///
    /// `base` must be 4-byte aligned, and the 256 bytes from `base` must be
    /// the register window of a LAN9118-family chip (or memory that stands in
    /// for it), valid for volatile 32-bit reads and writes for as long as any
    /// copy of this handle is used, and not accessed by anything other than
    /// `Mmio` handles. Volatile reads of the FIFO ports have side effects, so
    /// the caller must also ensure that only this crate's driver and
    /// [`crate::on_interrupt`] use the handles.
    pub const unsafe fn new(base: usize) -> Self {
        Self { base }
    }

    /// The address of the register at `offset`, forced inside the window and
    /// onto a word boundary so that a bad offset cannot leave the window.
    fn addr(&self, offset: usize) -> usize {
        self.base + (offset & (WINDOW - 4))
    }
}

impl RegisterAccess for Mmio {
    fn read32(&self, offset: usize) -> u32 {
        let addr = self.addr(offset);
        // SAFETY: `Mmio::new`'s contract makes the whole 256-byte window at
        // `base` valid and 4-byte aligned for volatile 32-bit access; `addr`
        // masks the offset to an aligned word inside that window.
        unsafe { core::ptr::read_volatile(addr as *const u32) }
    }

    fn write32(&self, offset: usize, value: u32) {
        let addr = self.addr(offset);
        // SAFETY: as in `read32`: the aligned word at `addr` lies inside the
        // window that `Mmio::new`'s caller vouched for.
        unsafe { core::ptr::write_volatile(addr as *mut u32, value) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_volatile_roundtrip_stays_inside_window() {
        let mut window = [0u32; WINDOW / 4];
        let base = window.as_mut_ptr() as usize;
        // SAFETY: `window` is a 256-byte, 4-byte aligned array that outlives
        // `mmio`, and nothing else touches it while `mmio` is in use.
        let mmio = unsafe { Mmio::new(base) };
        mmio.write32(0x64, 0x8765_4321);
        assert_eq!(mmio.read32(0x64), 0x8765_4321);
        // Out-of-window and unaligned offsets wrap onto an aligned word inside.
        mmio.write32(0x100 + 0x08, 7);
        assert_eq!(mmio.read32(0x0B), 7);
        assert_eq!(window[0x64 / 4], 0x8765_4321);
        assert_eq!(window[2], 7);
    }
}
