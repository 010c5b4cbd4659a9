//! Receive path: RX status words, frame reads and discards.
//!
//! The chip keeps two FIFOs: one status word per received frame, and the
//! frame data (padded to whole 32-bit words, FCS included). The driver pops a
//! status word, then either reads exactly that frame's data words or skips
//! them, so the two FIFOs never get out of step.

use crate::csr::{poll_clear, settle};
use crate::regs::*;
use crate::{Error, RegisterAccess};

/// Ethernet header (14 bytes) plus FCS (4 bytes): anything shorter is garbage.
const MIN_FRAME_WITH_FCS: usize = 18;
/// Length of the frame check sequence the chip leaves at the end of a frame.
pub(crate) const FCS_LEN: usize = 4;
/// The datasheet forbids fast-forwarding frames shorter than this many words;
/// they are drained by reading instead.
const FFWD_MIN_WORDS: usize = 4;

/// Why a received frame was not handed to the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Discard {
    /// The chip flagged an error (CRC, runt, too long, collision, MII error, watchdog).
    Error,
    /// The frame is longer than the driver's receive buffer.
    TooLong,
    /// The frame is too short to hold an Ethernet header.
    TooShort,
    /// The frame failed the address filter (only delivered in pass-all modes).
    Filtered,
}

/// What to do with the frame an RX status word describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Read it: the payload (FCS excluded) is this many bytes.
    Deliver(usize),
    /// Skip it.
    Discard(Discard),
}

/// A popped RX status word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RxStatus(pub(crate) u32);

impl RxStatus {
    /// Frame length in bytes as received, FCS included.
    pub(crate) fn len_with_fcs(self) -> usize {
        ((self.0 >> RX_STS_LEN_SHIFT) & RX_STS_LEN_MASK) as usize
    }

    /// Number of 32-bit words the frame occupies in the RX data FIFO
    /// (RX_CFG keeps the reset defaults: no offset, 4-byte end alignment).
    pub(crate) fn words(self) -> usize {
        self.len_with_fcs().div_ceil(4)
    }

    /// Decides whether a frame fits a buffer of `capacity` payload bytes.
    pub(crate) fn verdict(self, capacity: usize) -> Verdict {
        let len = self.len_with_fcs();
        if self.0 & (RX_STS_ES | RX_STS_MII_ERR | RX_STS_WATCHDOG) != 0 {
            Verdict::Discard(Discard::Error)
        } else if self.0 & RX_STS_FILTER_FAIL != 0 {
            Verdict::Discard(Discard::Filtered)
        } else if len < MIN_FRAME_WITH_FCS {
            Verdict::Discard(Discard::TooShort)
        } else if len - FCS_LEN > capacity {
            Verdict::Discard(Discard::TooLong)
        } else {
            Verdict::Deliver(len - FCS_LEN)
        }
    }
}

/// Reads the data of the frame described by `status` into `buf`, keeping the
/// first `payload` bytes and dropping the FCS. Reads every data word of the
/// frame, so the FIFO is left at the start of the next frame.
///
/// `payload` must be at most `buf.len()`; extra bytes are dropped, never
/// written out of bounds.
pub(crate) fn read_frame<R: RegisterAccess>(regs: &R, status: RxStatus, buf: &mut [u8], payload: usize) {
    let payload = payload.min(buf.len());
    let mut chunks = buf[..payload].chunks_mut(4);
    for _ in 0..status.words() {
        let word = regs.read32(RX_DATA_FIFO).to_le_bytes();
        if let Some(chunk) = chunks.next() {
            let n = chunk.len();
            chunk.copy_from_slice(&word[..n]);
        }
    }
}

/// Skips the data of the frame described by `status`: fast-forward for
/// frames of at least four words, reads otherwise (datasheet rule).
///
/// # Errors
///
/// [`Error::RxFastForwardTimeout`] if RX_DP_CTRL never clears; the caller
/// must then resynchronise the FIFOs (RX dump).
pub(crate) fn discard_frame<R: RegisterAccess>(regs: &R, status: RxStatus) -> Result<(), Error> {
    let words = status.words();
    if words >= FFWD_MIN_WORDS {
        regs.write32(RX_DP_CTRL, RX_DP_CTRL_FFWD);
        settle(regs);
        poll_clear(regs, RX_DP_CTRL, RX_DP_CTRL_FFWD, Error::RxFastForwardTimeout)?;
    } else {
        for _ in 0..words {
            let _ = regs.read32(RX_DATA_FIFO);
        }
    }
    Ok(())
}

/// Throws away everything in both RX FIFOs (RX_CFG.RX_DUMP).
///
/// # Errors
///
/// [`Error::RxDumpTimeout`] if RX_DUMP never clears.
pub(crate) fn dump<R: RegisterAccess>(regs: &R) -> Result<(), Error> {
    let rx_cfg = regs.read32(RX_CFG);
    regs.write32(RX_CFG, rx_cfg | RX_CFG_RX_DUMP);
    settle(regs);
    poll_clear(regs, RX_CFG, RX_CFG_RX_DUMP, Error::RxDumpTimeout).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::FakeChip;

    const CAP: usize = 1532;

    fn status(len_with_fcs: usize, flags: u32) -> RxStatus {
        RxStatus(((len_with_fcs as u32) << 16) | flags)
    }

    #[test]
    fn test_parse_length_includes_fcs() {
        let s = RxStatus(0x0040_0000); // 64 bytes on the wire
        assert_eq!(s.len_with_fcs(), 64);
        assert_eq!(s.words(), 16);
        assert_eq!(s.verdict(CAP), Verdict::Deliver(60));
        // Lengths that are not a multiple of 4 round up to whole words.
        assert_eq!(status(65, 0).words(), 17);
        // The length field is 14 bits; bit 30 (filter fail) is not part of it.
        assert_eq!(RxStatus(0x7FFF_0000).len_with_fcs(), 0x3FFF);
    }

    #[test]
    fn test_verdicts() {
        assert_eq!(
            status(64, RX_STS_ES | 1 << 1).verdict(CAP),
            Verdict::Discard(Discard::Error)
        );
        assert_eq!(
            status(64, RX_STS_MII_ERR).verdict(CAP),
            Verdict::Discard(Discard::Error)
        );
        assert_eq!(
            status(2100, RX_STS_WATCHDOG).verdict(CAP),
            Verdict::Discard(Discard::Error)
        );
        assert_eq!(
            status(64, RX_STS_FILTER_FAIL).verdict(CAP),
            Verdict::Discard(Discard::Filtered)
        );
        assert_eq!(status(17, 0).verdict(CAP), Verdict::Discard(Discard::TooShort));
        assert_eq!(status(0, 0).verdict(CAP), Verdict::Discard(Discard::TooShort));
        assert_eq!(status(18, 0).verdict(CAP), Verdict::Deliver(14));
        assert_eq!(status(CAP + 4, 0).verdict(CAP), Verdict::Deliver(CAP));
        assert_eq!(status(CAP + 5, 0).verdict(CAP), Verdict::Discard(Discard::TooLong));
    }

    #[test]
    fn test_read_frame_strips_fcs_and_consumes_all_words() {
        let chip = FakeChip::new();
        let payload: Vec<u8> = (0u8..61).collect();
        chip.push_rx_frame(&payload);
        chip.push_rx_frame(&[0xAA; 20]);
        let st = RxStatus(chip.pop_rx_status());
        assert_eq!(st.verdict(CAP), Verdict::Deliver(61));
        let mut buf = [0u8; CAP];
        read_frame(&chip, st, &mut buf, 61);
        assert_eq!(&buf[..61], &payload[..]);
        assert!(buf[61..].iter().all(|&b| b == 0), "FCS not copied");
        assert_eq!(chip.with(|c| c.rx_words_left_in_current()), 0);
        // The next frame starts on a clean boundary.
        let st = RxStatus(chip.pop_rx_status());
        read_frame(&chip, st, &mut buf, 20);
        assert_eq!(&buf[..20], &[0xAA; 20]);
        assert_eq!(chip.with(|c| c.rx_underruns), 0);
    }

    #[test]
    fn test_discard_long_frame_uses_fast_forward() {
        let chip = FakeChip::new();
        chip.push_rx_frame(&[1; 2000]);
        chip.push_rx_frame(&[2; 30]);
        let st = RxStatus(chip.pop_rx_status());
        assert_eq!(st.verdict(CAP), Verdict::Discard(Discard::TooLong));
        discard_frame(&chip, st).unwrap();
        assert_eq!(chip.with(|c| c.ffwd_count), 1);
        let st = RxStatus(chip.pop_rx_status());
        let mut buf = [0u8; CAP];
        read_frame(&chip, st, &mut buf, 30);
        assert_eq!(&buf[..30], &[2; 30]);
    }

    #[test]
    fn test_discard_short_frame_is_drained_by_reads() {
        let chip = FakeChip::new();
        // 8 payload + 4 FCS = 12 bytes = 3 words: below the fast-forward minimum.
        chip.push_rx_frame_with_status(&[9; 8], RX_STS_ES);
        chip.push_rx_frame(&[3; 16]);
        let st = RxStatus(chip.pop_rx_status());
        assert_eq!(st.words(), 3);
        discard_frame(&chip, st).unwrap();
        assert_eq!(chip.with(|c| c.ffwd_count), 0);
        let st = RxStatus(chip.pop_rx_status());
        let mut buf = [0u8; CAP];
        read_frame(&chip, st, &mut buf, 16);
        assert_eq!(&buf[..16], &[3; 16]);
    }

    #[test]
    fn test_fast_forward_stuck_times_out() {
        let chip = FakeChip::new();
        chip.with(|c| c.ffwd_stuck = true);
        chip.push_rx_frame(&[1; 100]);
        let st = RxStatus(chip.pop_rx_status());
        assert_eq!(discard_frame(&chip, st), Err(Error::RxFastForwardTimeout));
        dump(&chip).unwrap();
        assert_eq!(chip.with(|c| c.rx_frames_queued()), 0);
    }
}
