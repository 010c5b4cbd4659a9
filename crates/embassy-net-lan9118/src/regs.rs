//! Register map of the LAN9118/LAN9220 family (32-bit bus mode).
//!
//! Offsets are byte offsets into the chip's 256-byte register window. Names
//! follow the datasheet ("System Control and Status Registers" and "MAC
//! Control and Status Registers"). Only what the driver uses is listed.

// ---- System CSRs, directly addressable ------------------------------------

/// RX data FIFO port (any address in 0x00..0x20 aliases the port).
pub const RX_DATA_FIFO: usize = 0x00;
/// TX data FIFO port (any address in 0x20..0x40 aliases the port).
pub const TX_DATA_FIFO: usize = 0x20;
/// RX status FIFO port (reading pops one status word).
pub const RX_STATUS_FIFO: usize = 0x40;
/// TX status FIFO port (reading pops one status word).
pub const TX_STATUS_FIFO: usize = 0x48;
/// Chip ID (bits 31:16) and revision (bits 15:0).
pub const ID_REV: usize = 0x50;
/// Interrupt pin configuration.
pub const IRQ_CFG: usize = 0x54;
/// Interrupt status, write 1 to clear.
pub const INT_STS: usize = 0x58;
/// Interrupt enable.
pub const INT_EN: usize = 0x5C;
/// Always reads 0x8765_4321 once the bus interface works.
pub const BYTE_TEST: usize = 0x64;
/// FIFO level interrupt thresholds.
pub const FIFO_INT: usize = 0x68;
/// Receive configuration.
pub const RX_CFG: usize = 0x6C;
/// Transmit configuration.
pub const TX_CFG: usize = 0x70;
/// Hardware configuration (soft reset, FIFO sizes).
pub const HW_CFG: usize = 0x74;
/// RX datapath control (fast-forward).
pub const RX_DP_CTRL: usize = 0x78;
/// RX FIFO information (used status entries and data bytes).
pub const RX_FIFO_INF: usize = 0x7C;
/// TX FIFO information (used status entries and free data bytes).
pub const TX_FIFO_INF: usize = 0x80;
/// Power management control; bit 0 is the READY flag.
pub const PMT_CTRL: usize = 0x84;
/// RX dropped frames counter, cleared on read.
pub const RX_DROP: usize = 0xA0;
/// MAC CSR indirect access: command.
pub const MAC_CSR_CMD: usize = 0xA4;
/// MAC CSR indirect access: data.
pub const MAC_CSR_DATA: usize = 0xA8;

/// The value [`BYTE_TEST`] reads once the host bus interface is working.
pub const BYTE_TEST_VALUE: u32 = 0x8765_4321;

// ---- IRQ_CFG ----------------------------------------------------------------

/// Push-pull IRQ output (0 = open drain).
pub const IRQ_CFG_TYPE: u32 = 1 << 0;
/// Active-high IRQ output (0 = active low).
pub const IRQ_CFG_POL: u32 = 1 << 4;
/// Master interrupt enable of the IRQ pin.
pub const IRQ_CFG_EN: u32 = 1 << 8;
/// Shift of the interrupt de-assertion interval (units of 10 µs).
pub const IRQ_CFG_INT_DEAS_SHIFT: u32 = 24;

// ---- INT_STS / INT_EN ---------------------------------------------------------

/// RX status FIFO level reached.
pub const INT_RSFL: u32 = 1 << 3;
/// RX dropped frame (RX_DROP counter incremented).
pub const INT_RXDF: u32 = 1 << 6;
/// TX status FIFO full.
pub const INT_TSFF: u32 = 1 << 8;
/// TX data FIFO available (free space above the FIFO_INT TX data level).
pub const INT_TDFA: u32 = 1 << 9;
/// TX data FIFO overrun.
pub const INT_TDFO: u32 = 1 << 10;
/// Transmitter error.
pub const INT_TXE: u32 = 1 << 13;
/// Receiver error (e.g. RX data FIFO underrun).
pub const INT_RXE: u32 = 1 << 14;
/// TX status FIFO overflow.
pub const INT_TXSO: u32 = 1 << 16;
/// Internal PHY interrupt. Level: cleared by reading PHY register 29.
pub const INT_PHY: u32 = 1 << 18;
/// All status bits.
pub const INT_ALL: u32 = 0xFFFF_FFFF;

// ---- FIFO_INT ----------------------------------------------------------------

/// Mask of the RX status level (interrupt when more entries than this).
pub const FIFO_INT_RX_STS_LEVEL_MASK: u32 = 0xFF;
/// Shift of the TX data available level (units of 64 bytes).
pub const FIFO_INT_TX_DATA_LEVEL_SHIFT: u32 = 24;

// ---- RX_CFG / TX_CFG / HW_CFG / RX_DP_CTRL ------------------------------------

/// RX_CFG: dump the whole RX data and status FIFOs (self-clearing).
pub const RX_CFG_RX_DUMP: u32 = 1 << 15;
/// TX_CFG: enable the transmitter.
pub const TX_CFG_TX_ON: u32 = 1 << 1;
/// HW_CFG: soft reset, self-clearing.
pub const HW_CFG_SRST: u32 = 1 << 0;
/// HW_CFG: soft reset timed out (the PHY did not come out of reset).
pub const HW_CFG_SRST_TO: u32 = 1 << 1;
/// HW_CFG: shift of TX_FIF_SZ, the TX FIFO size in KiB.
pub const HW_CFG_TX_FIF_SZ_SHIFT: u32 = 16;
/// HW_CFG bit 20: "must be one" on LAN9220, store-and-forward on LAN9118.
pub const HW_CFG_MBO: u32 = 1 << 20;
/// RX_DP_CTRL: fast-forward past the current RX frame (self-clearing).
pub const RX_DP_CTRL_FFWD: u32 = 1 << 31;

// ---- PMT_CTRL ------------------------------------------------------------------

/// PMT_CTRL: the device is ready to be accessed.
pub const PMT_CTRL_READY: u32 = 1 << 0;

// ---- MAC_CSR_CMD ----------------------------------------------------------------

/// MAC_CSR_CMD: start / busy.
pub const MAC_CSR_CMD_BUSY: u32 = 1 << 31;
/// MAC_CSR_CMD: read (1) or write (0).
pub const MAC_CSR_CMD_READ: u32 = 1 << 30;

// ---- MAC CSRs (indices for MAC_CSR_CMD) ---------------------------------------

/// MAC control register.
pub const MAC_CR: u8 = 1;
/// MAC address bytes 4..6.
pub const MAC_ADDRH: u8 = 2;
/// MAC address bytes 0..4.
pub const MAC_ADDRL: u8 = 3;
/// MII access (PHY address, register index, busy, write).
pub const MAC_MII_ACC: u8 = 6;
/// MII data.
pub const MAC_MII_DATA: u8 = 7;

/// MAC_CR: enable the receiver.
pub const MAC_CR_RXEN: u32 = 1 << 2;
/// MAC_CR: enable the transmitter.
pub const MAC_CR_TXEN: u32 = 1 << 3;
/// MAC_CR: pass all multicast frames.
pub const MAC_CR_MCPAS: u32 = 1 << 19;
/// MAC_CR: promiscuous mode (set by reset).
pub const MAC_CR_PRMS: u32 = 1 << 18;
/// MAC_CR: full-duplex mode.
pub const MAC_CR_FDPX: u32 = 1 << 20;

/// MII_ACC: busy.
pub const MII_ACC_BUSY: u32 = 1 << 0;
/// MII_ACC: write (1) or read (0).
pub const MII_ACC_WRITE: u32 = 1 << 1;
/// MII_ACC: shift of the register index.
pub const MII_ACC_REG_SHIFT: u32 = 6;
/// MII_ACC: shift of the PHY address.
pub const MII_ACC_PHY_SHIFT: u32 = 11;

// ---- Internal PHY (IEEE 802.3 clause 22 plus vendor registers) -----------------

/// Basic control register.
pub const PHY_BMCR: u8 = 0;
/// Basic status register.
pub const PHY_BMSR: u8 = 1;
/// PHY identifier 1.
pub const PHY_ID1: u8 = 2;
/// Auto-negotiation advertisement.
pub const PHY_ANAR: u8 = 4;
/// Auto-negotiation link partner ability.
pub const PHY_ANLPAR: u8 = 5;
/// Vendor: interrupt source flags, cleared on read.
pub const PHY_INT_SRC: u8 = 29;
/// Vendor: interrupt mask.
pub const PHY_INT_MASK: u8 = 30;

/// BMCR: reset, self-clearing.
pub const BMCR_RESET: u16 = 1 << 15;
/// BMCR: auto-negotiation enable.
pub const BMCR_ANEG_EN: u16 = 1 << 12;
/// BMCR: restart auto-negotiation.
pub const BMCR_ANEG_RESTART: u16 = 1 << 9;
/// BMSR: link is up (latched low: read twice for the current state).
pub const BMSR_LINK: u16 = 1 << 2;
/// BMSR: auto-negotiation complete.
pub const BMSR_ANEG_DONE: u16 = 1 << 5;
/// ANAR: IEEE 802.3 selector plus 10/100 half/full duplex.
pub const ANAR_10_100_ALL: u16 = 0x01E1;
/// ANAR/ANLPAR: 100BASE-TX full duplex.
pub const AN_100_FULL: u16 = 1 << 8;
/// ANAR/ANLPAR: 100BASE-TX half duplex.
pub const AN_100_HALF: u16 = 1 << 7;
/// ANAR/ANLPAR: 10BASE-T full duplex.
pub const AN_10_FULL: u16 = 1 << 6;
/// PHY interrupt: link down.
pub const PHY_INT_LINK_DOWN: u16 = 1 << 4;
/// PHY interrupt: auto-negotiation complete.
pub const PHY_INT_ANEG_DONE: u16 = 1 << 6;

// ---- RX status word -----------------------------------------------------------

/// RX status: shift of the frame length (bytes, including the 4-byte FCS).
pub const RX_STS_LEN_SHIFT: u32 = 16;
/// RX status: mask of the frame length after shifting (14 bits).
pub const RX_STS_LEN_MASK: u32 = 0x3FFF;
/// RX status: the frame failed the address filter (only seen with RXALL).
pub const RX_STS_FILTER_FAIL: u32 = 1 << 30;
/// RX status: error summary (CRC error, runt, too long or late collision).
pub const RX_STS_ES: u32 = 1 << 15;
/// RX status: receive watchdog timeout (frame longer than 2048 bytes).
pub const RX_STS_WATCHDOG: u32 = 1 << 4;
/// RX status: MII error during reception.
pub const RX_STS_MII_ERR: u32 = 1 << 3;

// ---- TX command and status words -------------------------------------------------

/// TX command A: first segment of a frame.
pub const TX_CMD_A_FIRST: u32 = 1 << 13;
/// TX command A: last segment of a frame.
pub const TX_CMD_A_LAST: u32 = 1 << 12;
/// TX command A/B: mask of the buffer size / frame length (11 bits).
pub const TX_CMD_LEN_MASK: u32 = 0x7FF;
/// TX command B: shift of the packet tag echoed in the TX status.
pub const TX_CMD_B_TAG_SHIFT: u32 = 16;
/// TX status: error summary.
pub const TX_STS_ES: u32 = 1 << 15;

// ---- RX_FIFO_INF / TX_FIFO_INF ---------------------------------------------------

/// Extracts RXSUSED (entries in the RX status FIFO) from RX_FIFO_INF.
pub const fn rx_status_used(rx_fifo_inf: u32) -> u32 {
    (rx_fifo_inf >> 16) & 0xFF
}

/// Extracts TXSUSED (entries in the TX status FIFO) from TX_FIFO_INF.
pub const fn tx_status_used(tx_fifo_inf: u32) -> u32 {
    (tx_fifo_inf >> 16) & 0xFF
}

/// Extracts TDFREE (free bytes in the TX data FIFO) from TX_FIFO_INF.
pub const fn tx_data_free(tx_fifo_inf: u32) -> u32 {
    tx_fifo_inf & 0xFFFF
}
