//! Transmit path: command words, FIFO space and TX status.
//!
//! A frame goes into the TX data FIFO as TX command A, TX command B, then
//! the frame bytes in little-endian 32-bit words. The driver always sends a
//! frame as a single buffer (first and last segment), with no data offset
//! and 4-byte end alignment.

use crate::regs::*;
use crate::RegisterAccess;

/// Bytes of TX data FIFO a frame of `len` bytes occupies: two command words
/// plus the data rounded up to whole words.
pub(crate) const fn fifo_bytes(len: usize) -> usize {
    8 + len.div_ceil(4) * 4
}

/// TX command A for a single-buffer frame of `len` bytes.
pub(crate) const fn command_a(len: usize) -> u32 {
    TX_CMD_A_FIRST | TX_CMD_A_LAST | (len as u32 & TX_CMD_LEN_MASK)
}

/// TX command B: `tag` comes back in the frame's TX status word.
pub(crate) const fn command_b(tag: u16, len: usize) -> u32 {
    ((tag as u32) << TX_CMD_B_TAG_SHIFT) | (len as u32 & TX_CMD_LEN_MASK)
}

/// Writes one frame into the TX data FIFO. The caller has checked that
/// [`fifo_bytes`]`(frame.len())` bytes are free.
pub(crate) fn write_frame<R: RegisterAccess>(regs: &R, tag: u16, frame: &[u8]) {
    regs.write32(TX_DATA_FIFO, command_a(frame.len()));
    regs.write32(TX_DATA_FIFO, command_b(tag, frame.len()));
    let mut words = frame.chunks_exact(4);
    for w in &mut words {
        regs.write32(TX_DATA_FIFO, u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut last = [0u8; 4];
        last[..rest.len()].copy_from_slice(rest);
        regs.write32(TX_DATA_FIFO, u32::from_le_bytes(last));
    }
}

/// A popped TX status word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TxStatus(pub(crate) u32);

impl TxStatus {
    /// The tag the frame was sent with.
    pub(crate) fn tag(self) -> u16 {
        (self.0 >> TX_CMD_B_TAG_SHIFT) as u16
    }

    /// Whether the transmission failed (collisions, carrier loss, underrun...).
    pub(crate) fn is_error(self) -> bool {
        self.0 & TX_STS_ES != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::FakeChip;

    #[test]
    fn test_command_words() {
        assert_eq!(command_a(60), 0x0000_303C);
        assert_eq!(command_b(0xBEEF, 60), 0xBEEF_003C);
        assert_eq!(command_a(1514) & TX_CMD_LEN_MASK, 1514);
        assert_eq!(fifo_bytes(0), 8);
        assert_eq!(fifo_bytes(1), 12);
        assert_eq!(fifo_bytes(1514), 8 + 1516);
    }

    #[test]
    fn test_write_frame_little_endian_with_padding() {
        let chip = FakeChip::new();
        let frame: Vec<u8> = (1u8..=7).collect();
        write_frame(&chip, 5, &frame);
        let writes = chip.with(|c| c.tx_fifo_writes.clone());
        assert_eq!(writes, vec![command_a(7), command_b(5, 7), 0x0403_0201, 0x0007_0605]);
        let sent = chip.with(|c| c.tx_sent.clone());
        assert_eq!(sent, vec![frame]);
    }

    #[test]
    fn test_tx_status_fields() {
        let ok = TxStatus(0x0007_0000);
        assert_eq!(ok.tag(), 7);
        assert!(!ok.is_error());
        assert!(TxStatus(0x0007_8000 | 1 << 8).is_error());
    }
}
