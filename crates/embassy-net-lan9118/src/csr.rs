//! Indirect access to the MAC CSRs and, through them, to the PHY over MII.
//!
//! The MAC registers sit behind the MAC_CSR_CMD/MAC_CSR_DATA pair, and the
//! PHY registers behind the MAC's MII_ACC/MII_DATA pair. Every wait on a busy
//! flag is a bounded polling loop, so a dead chip yields an [`Error`] rather
//! than a hang.

use crate::regs::*;
use crate::{Error, RegisterAccess};

/// Upper bound on polls of a busy flag. One poll is at least one bus read
/// (an MII poll is a whole MAC CSR read), so this is well above the
/// datasheet's worst cases while still ending in milliseconds on a dead chip.
pub(crate) const POLL_LIMIT: u32 = 100_000;

/// Satisfies the datasheet's read-after-write spacing: a dummy read of
/// BYTE_TEST takes at least the minimum 45 ns a register needs before it
/// reflects a write (the same workaround the vendor drivers use).
pub(crate) fn settle<R: RegisterAccess>(regs: &R) {
    let _ = regs.read32(BYTE_TEST);
}

/// Polls `offset` until `(value & mask) == 0`, returning the last value read.
pub(crate) fn poll_clear<R: RegisterAccess>(regs: &R, offset: usize, mask: u32, err: Error) -> Result<u32, Error> {
    for _ in 0..POLL_LIMIT {
        let value = regs.read32(offset);
        if value & mask == 0 {
            return Ok(value);
        }
    }
    Err(err)
}

/// Polls `offset` until `(value & mask) != 0`.
pub(crate) fn poll_set<R: RegisterAccess>(regs: &R, offset: usize, mask: u32, err: Error) -> Result<u32, Error> {
    for _ in 0..POLL_LIMIT {
        let value = regs.read32(offset);
        if value & mask != 0 {
            return Ok(value);
        }
    }
    Err(err)
}

fn mac_csr_idle<R: RegisterAccess>(regs: &R) -> Result<(), Error> {
    poll_clear(regs, MAC_CSR_CMD, MAC_CSR_CMD_BUSY, Error::MacCsrTimeout).map(|_| ())
}

/// Reads MAC CSR `index`.
pub(crate) fn mac_read<R: RegisterAccess>(regs: &R, index: u8) -> Result<u32, Error> {
    mac_csr_idle(regs)?;
    regs.write32(MAC_CSR_CMD, MAC_CSR_CMD_BUSY | MAC_CSR_CMD_READ | u32::from(index));
    settle(regs);
    mac_csr_idle(regs)?;
    Ok(regs.read32(MAC_CSR_DATA))
}

/// Writes MAC CSR `index`.
pub(crate) fn mac_write<R: RegisterAccess>(regs: &R, index: u8, value: u32) -> Result<(), Error> {
    mac_csr_idle(regs)?;
    regs.write32(MAC_CSR_DATA, value);
    regs.write32(MAC_CSR_CMD, MAC_CSR_CMD_BUSY | u32::from(index));
    settle(regs);
    mac_csr_idle(regs)
}

fn mii_idle<R: RegisterAccess>(regs: &R) -> Result<(), Error> {
    for _ in 0..POLL_LIMIT {
        if mac_read(regs, MAC_MII_ACC)? & MII_ACC_BUSY == 0 {
            return Ok(());
        }
    }
    Err(Error::MiiTimeout)
}

fn mii_command(phy: u8, reg: u8) -> u32 {
    (u32::from(phy & 0x1F) << MII_ACC_PHY_SHIFT) | (u32::from(reg & 0x1F) << MII_ACC_REG_SHIFT) | MII_ACC_BUSY
}

/// Reads PHY register `reg` of the PHY at MII address `phy`.
pub(crate) fn phy_read<R: RegisterAccess>(regs: &R, phy: u8, reg: u8) -> Result<u16, Error> {
    mii_idle(regs)?;
    mac_write(regs, MAC_MII_ACC, mii_command(phy, reg))?;
    mii_idle(regs)?;
    // MII_DATA holds 16 significant bits.
    Ok((mac_read(regs, MAC_MII_DATA)? & 0xFFFF) as u16)
}

/// Writes PHY register `reg` of the PHY at MII address `phy`.
pub(crate) fn phy_write<R: RegisterAccess>(regs: &R, phy: u8, reg: u8, value: u16) -> Result<(), Error> {
    mii_idle(regs)?;
    mac_write(regs, MAC_MII_DATA, u32::from(value))?;
    mac_write(regs, MAC_MII_ACC, mii_command(phy, reg) | MII_ACC_WRITE)?;
    mii_idle(regs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::FakeChip;

    #[test]
    fn test_mac_write_then_read_roundtrip() {
        let chip = FakeChip::new();
        chip.with(|c| c.csr_busy_reads = Some(3));
        mac_write(&chip, MAC_ADDRL, 0x1234_5678).unwrap();
        assert_eq!(mac_read(&chip, MAC_ADDRL).unwrap(), 0x1234_5678);
    }

    #[test]
    fn test_mac_csr_busy_forever_times_out() {
        let chip = FakeChip::new();
        chip.with(|c| c.csr_busy_reads = None);
        // The first command is accepted; the chip then never leaves busy.
        assert_eq!(mac_write(&chip, MAC_CR, 0), Err(Error::MacCsrTimeout));
        assert_eq!(mac_read(&chip, MAC_CR), Err(Error::MacCsrTimeout));
    }

    #[test]
    fn test_mii_command_word() {
        assert_eq!(mii_command(1, PHY_BMSR), (1 << 11) | (1 << 6) | 1);
        assert_eq!(mii_command(31, 31) & !0xFFC3, 0, "only PHY, reg, write and busy bits");
    }

    #[test]
    fn test_phy_read_write_over_mii() {
        let chip = FakeChip::new();
        chip.with(|c| c.mii_busy_reads = Some(2));
        phy_write(&chip, 1, PHY_ANAR, 0x01E1).unwrap();
        assert_eq!(phy_read(&chip, 1, PHY_ANAR).unwrap(), 0x01E1);
        assert_eq!(phy_read(&chip, 1, PHY_ID1).unwrap(), 0x0007);
    }

    #[test]
    fn test_mii_busy_forever_times_out() {
        let chip = FakeChip::new();
        chip.with(|c| c.mii_busy_reads = None);
        assert_eq!(phy_read(&chip, 1, PHY_BMSR), Err(Error::MiiTimeout));
    }
}
