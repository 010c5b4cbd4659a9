//! A simulated LAN9118 register file for host tests.
//!
//! It follows the datasheet rather than QEMU's lenient model: busy flags
//! stay set for a configurable number of polls (or forever), the TX FIFO has
//! a finite free space the test controls, the link comes and goes, the RX
//! data FIFO is consumed word by word per status entry, and RX_DROP clears
//! on read.

use std::cell::RefCell;
use std::collections::VecDeque;

use crate::regs::*;
use crate::RegisterAccess;

pub(crate) struct FakeChip {
    inner: RefCell<Inner>,
}

#[derive(Default)]
pub(crate) struct Inner {
    // ---- knobs -------------------------------------------------------------
    pub byte_test: u32,
    /// Reads of PMT_CTRL before READY shows; `None`: never ready.
    pub ready_after: Option<u32>,
    /// Reads of HW_CFG before SRST clears; `None`: never clears.
    pub srst_reads: Option<u32>,
    /// Soft reset ends with SRST_TO set.
    pub srst_timeout_flag: bool,
    /// Reads of MAC_CSR_CMD that still show BUSY after a command; `None`: forever.
    pub csr_busy_reads: Option<u32>,
    /// MAC CSR reads of MII_ACC that still show BUSY after a command; `None`: forever.
    pub mii_busy_reads: Option<u32>,
    /// PHY reads of BMCR that still show RESET after a reset; `None`: forever.
    pub phy_reset_reads: Option<u32>,
    pub ffwd_stuck: bool,
    /// Free bytes in the TX data FIFO (TDFREE).
    pub tx_free: u32,
    /// The next TX status gets the error flag.
    pub tx_fail_next: bool,
    pub link_up: bool,
    /// Link partner abilities (ANLPAR).
    pub partner: u16,

    // ---- system CSRs ---------------------------------------------------------
    pub id_rev: u32,
    pub irq_cfg: u32,
    pub int_sts: u32,
    pub int_en: u32,
    pub fifo_int: u32,
    pub rx_cfg: u32,
    pub tx_cfg: u32,
    pub hw_cfg: u32,
    pub rx_drop: u32,
    pmt_reads: u32,
    srst_left: Option<u32>,
    csr_cmd: u32,
    csr_data: u32,
    csr_busy_left: Option<u32>,

    // ---- MAC and PHY ---------------------------------------------------------
    pub mac_cr: u32,
    pub mac_addr: [u8; 6],
    mii_acc: u32,
    mii_data: u32,
    mii_busy_left: Option<u32>,
    pub bmcr: u16,
    bmcr_reset_left: Option<u32>,
    pub anar: u16,
    pub phy_int_src: u16,
    pub phy_int_mask: u16,
    /// Link-down seen since the last BMSR read (BMSR.LINK latches low).
    link_latched_down: bool,

    // ---- FIFOs ---------------------------------------------------------------
    rx_status: VecDeque<u32>,
    rx_data: VecDeque<VecDeque<u32>>,
    /// Data words of the frame whose status was popped last.
    rx_current: VecDeque<u32>,
    pub rx_underruns: u32,
    pub ffwd_count: u32,
    pub dump_count: u32,
    pub tx_fifo_writes: Vec<u32>,
    tx_pending: Vec<u32>,
    pub tx_sent: Vec<Vec<u8>>,
    pub tx_overruns: u32,
    tx_status: VecDeque<u32>,
    pub writes: Vec<(usize, u32)>,
}

impl Inner {
    pub fn rx_words_left_in_current(&self) -> usize {
        self.rx_current.len()
    }

    pub fn rx_frames_queued(&self) -> usize {
        self.rx_status.len()
    }

    fn int_sts_value(&self) -> u32 {
        let phy = if self.phy_int_src & self.phy_int_mask != 0 {
            INT_PHY
        } else {
            0
        };
        self.int_sts | phy
    }

    /// Level of the IRQ line as the interrupt controller would see it.
    pub fn irq_asserted(&self) -> bool {
        self.irq_cfg & IRQ_CFG_EN != 0 && self.int_sts_value() & self.int_en != 0
    }

    fn phy_read(&mut self, reg: u8) -> u16 {
        match reg {
            PHY_BMCR => {
                if self.bmcr & BMCR_RESET != 0 {
                    match &mut self.bmcr_reset_left {
                        Some(0) => self.bmcr &= !BMCR_RESET,
                        Some(n) => *n -= 1,
                        None => {}
                    }
                }
                self.bmcr
            }
            PHY_BMSR => {
                let link = self.link_up && !self.link_latched_down;
                self.link_latched_down = false;
                let aneg = self.link_up && self.bmcr & BMCR_ANEG_EN != 0;
                0x7809 | if link { BMSR_LINK } else { 0 } | if aneg { BMSR_ANEG_DONE } else { 0 }
            }
            PHY_ID1 => 0x0007,
            PHY_ANAR => self.anar,
            PHY_ANLPAR => self.partner,
            PHY_INT_SRC => std::mem::take(&mut self.phy_int_src),
            PHY_INT_MASK => self.phy_int_mask,
            _ => 0,
        }
    }

    fn phy_write(&mut self, reg: u8, value: u16) {
        match reg {
            PHY_BMCR => {
                self.bmcr = value & !BMCR_ANEG_RESTART;
                if value & BMCR_RESET != 0 {
                    self.bmcr_reset_left = self.phy_reset_reads;
                    self.anar = ANAR_10_100_ALL;
                    self.phy_int_mask = 0;
                }
                if value & BMCR_ANEG_RESTART != 0 && self.link_up {
                    self.phy_int_src |= PHY_INT_ANEG_DONE;
                }
            }
            PHY_ANAR => self.anar = value,
            PHY_INT_MASK => self.phy_int_mask = value,
            _ => {}
        }
    }

    fn mac_read(&mut self, index: u8) -> u32 {
        match index {
            MAC_CR => self.mac_cr,
            MAC_ADDRL => u32::from_le_bytes([self.mac_addr[0], self.mac_addr[1], self.mac_addr[2], self.mac_addr[3]]),
            MAC_ADDRH => u32::from(self.mac_addr[4]) | u32::from(self.mac_addr[5]) << 8,
            MAC_MII_ACC => {
                let mut acc = self.mii_acc;
                if acc & MII_ACC_BUSY != 0 {
                    match &mut self.mii_busy_left {
                        Some(0) => {
                            acc &= !MII_ACC_BUSY;
                            self.mii_acc = acc;
                        }
                        Some(n) => *n -= 1,
                        None => {}
                    }
                }
                acc
            }
            MAC_MII_DATA => self.mii_data,
            _ => 0,
        }
    }

    fn mac_write(&mut self, index: u8, value: u32) {
        match index {
            MAC_CR => self.mac_cr = value,
            MAC_ADDRL => self.mac_addr[..4].copy_from_slice(&value.to_le_bytes()),
            MAC_ADDRH => self.mac_addr[4..].copy_from_slice(&value.to_le_bytes()[..2]),
            MAC_MII_ACC => {
                assert_eq!(self.mii_acc & MII_ACC_BUSY, 0, "MII_ACC written while busy");
                let phy = ((value >> MII_ACC_PHY_SHIFT) & 0x1F) as u8;
                let reg = ((value >> MII_ACC_REG_SHIFT) & 0x1F) as u8;
                assert_eq!(phy, 1, "internal PHY address");
                if value & MII_ACC_WRITE != 0 {
                    self.phy_write(reg, self.mii_data as u16);
                } else {
                    self.mii_data = u32::from(self.phy_read(reg));
                }
                self.mii_acc = value;
                self.mii_busy_left = self.mii_busy_reads;
            }
            MAC_MII_DATA => self.mii_data = value & 0xFFFF,
            _ => {}
        }
    }

    fn soft_reset(&mut self) {
        self.int_sts = 0;
        self.int_en = 0;
        self.irq_cfg &= IRQ_CFG_POL | IRQ_CFG_TYPE;
        self.fifo_int = 0x4800_0000;
        self.rx_cfg = 0;
        self.tx_cfg = 0;
        self.mac_cr = MAC_CR_PRMS;
        self.rx_status.clear();
        self.rx_data.clear();
        self.rx_current.clear();
        self.tx_pending.clear();
        self.tx_status.clear();
        self.bmcr = 0x3000;
        self.phy_int_mask = 0;
        self.srst_left = self.srst_reads;
        self.hw_cfg = HW_CFG_SRST;
    }

    fn tx_push(&mut self, value: u32) {
        self.tx_fifo_writes.push(value);
        self.tx_pending.push(value);
        let cmd_a = self.tx_pending[0];
        assert_eq!(cmd_a & (TX_CMD_A_FIRST | TX_CMD_A_LAST), TX_CMD_A_FIRST | TX_CMD_A_LAST);
        let len = (cmd_a & TX_CMD_LEN_MASK) as usize;
        if self.tx_pending.len() == 1 && (crate::tx::fifo_bytes(len) as u32) > self.tx_free {
            self.tx_overruns += 1;
            self.int_sts |= INT_TDFO;
        }
        if self.tx_pending.len() == 2 {
            assert_eq!(self.tx_pending[1] & TX_CMD_LEN_MASK, len as u32, "command B length");
        }
        if self.tx_pending.len() == 2 + len.div_ceil(4) {
            let bytes: Vec<u8> = self.tx_pending[2..]
                .iter()
                .flat_map(|w| w.to_le_bytes())
                .take(len)
                .collect();
            let tag = self.tx_pending[1] >> TX_CMD_B_TAG_SHIFT;
            let mut status = tag << 16;
            if std::mem::take(&mut self.tx_fail_next) {
                status |= TX_STS_ES | (1 << 8);
            }
            self.tx_status.push_back(status);
            self.tx_sent.push(bytes);
            self.tx_pending.clear();
        }
    }
}

impl FakeChip {
    /// A chip that answers like a healthy LAN9118 with the link up.
    pub fn new() -> Self {
        let inner = Inner {
            byte_test: BYTE_TEST_VALUE,
            ready_after: Some(2),
            srst_reads: Some(3),
            csr_busy_reads: Some(1),
            mii_busy_reads: Some(1),
            phy_reset_reads: Some(2),
            tx_free: 4608,
            link_up: true,
            partner: 0x45E1,
            id_rev: 0x0118_0001,
            hw_cfg: 0x0005_0000,
            mac_cr: MAC_CR_PRMS,
            mac_addr: [0x52, 0x54, 0x00, 0x12, 0x34, 0x56],
            bmcr: 0x3000,
            anar: ANAR_10_100_ALL,
            fifo_int: 0x4800_0000,
            ..Default::default()
        };
        Self {
            inner: RefCell::new(inner),
        }
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.borrow_mut())
    }

    /// Queues a received frame: `payload` plus a 4-byte FCS, status as the
    /// chip reports it (length includes the FCS), extra status `flags`.
    pub fn push_rx_frame_with_status(&self, payload: &[u8], flags: u32) {
        let mut bytes = payload.to_vec();
        bytes.extend_from_slice(&[0xDE, 0xAD, 0xBE, 0xEF]);
        let words: VecDeque<u32> = bytes
            .chunks(4)
            .map(|c| {
                let mut w = [0u8; 4];
                w[..c.len()].copy_from_slice(c);
                u32::from_le_bytes(w)
            })
            .collect();
        self.with(|c| {
            c.rx_status
                .push_back(((bytes.len() as u32) << RX_STS_LEN_SHIFT) | flags);
            c.rx_data.push_back(words);
            c.int_sts |= INT_RSFL;
        });
    }

    pub fn push_rx_frame(&self, payload: &[u8]) {
        self.push_rx_frame_with_status(payload, 0);
    }

    pub fn pop_rx_status(&self) -> u32 {
        self.read32(RX_STATUS_FIFO)
    }

    /// The cable is plugged or unplugged; the PHY raises its interrupt.
    pub fn set_link(&self, up: bool) {
        self.with(|c| {
            c.link_up = up;
            if up {
                c.phy_int_src |= PHY_INT_ANEG_DONE;
            } else {
                c.link_latched_down = true;
                c.phy_int_src |= PHY_INT_LINK_DOWN;
            }
        });
    }

    /// The chip dropped `n` frames because its RX FIFO was full.
    pub fn drop_frames(&self, n: u32) {
        self.with(|c| {
            c.rx_drop += n;
            c.int_sts |= INT_RXDF;
        });
    }
}

impl RegisterAccess for FakeChip {
    fn read32(&self, offset: usize) -> u32 {
        assert_eq!(offset % 4, 0, "unaligned offset {offset:#x}");
        assert!(offset < 0x100, "offset {offset:#x} outside the window");
        let mut c = self.inner.borrow_mut();
        match offset {
            o if o < 0x20 => match c.rx_current.pop_front() {
                Some(w) => w,
                None => {
                    c.rx_underruns += 1;
                    c.int_sts |= INT_RXE;
                    0
                }
            },
            RX_STATUS_FIFO => {
                assert!(
                    c.rx_current.is_empty(),
                    "RX status popped before the previous frame was consumed"
                );
                match c.rx_status.pop_front() {
                    Some(s) => {
                        c.rx_current = c.rx_data.pop_front().unwrap_or_default();
                        s
                    }
                    None => 0,
                }
            }
            TX_STATUS_FIFO => c.tx_status.pop_front().unwrap_or(0),
            ID_REV => c.id_rev,
            IRQ_CFG => c.irq_cfg,
            INT_STS => c.int_sts_value(),
            INT_EN => c.int_en,
            BYTE_TEST => c.byte_test,
            FIFO_INT => c.fifo_int,
            RX_CFG => c.rx_cfg,
            TX_CFG => c.tx_cfg,
            HW_CFG => {
                if c.hw_cfg & HW_CFG_SRST != 0 {
                    match &mut c.srst_left {
                        Some(0) => {
                            c.hw_cfg = 0x0005_0000 | if c.srst_timeout_flag { HW_CFG_SRST_TO } else { 0 };
                        }
                        Some(n) => *n -= 1,
                        None => {}
                    }
                }
                c.hw_cfg
            }
            RX_DP_CTRL => {
                if c.ffwd_stuck {
                    RX_DP_CTRL_FFWD
                } else {
                    0
                }
            }
            RX_FIFO_INF => {
                let words: usize = c.rx_data.iter().map(|f| f.len()).sum::<usize>() + c.rx_current.len();
                ((c.rx_status.len() as u32) << 16) | (words as u32 * 4)
            }
            TX_FIFO_INF => ((c.tx_status.len() as u32) << 16) | c.tx_free,
            PMT_CTRL => {
                c.pmt_reads += 1;
                match c.ready_after {
                    Some(n) if c.pmt_reads > n => PMT_CTRL_READY,
                    _ => 0,
                }
            }
            RX_DROP => std::mem::take(&mut c.rx_drop),
            MAC_CSR_CMD => {
                if c.csr_cmd & MAC_CSR_CMD_BUSY != 0 {
                    match &mut c.csr_busy_left {
                        Some(0) => c.csr_cmd &= !MAC_CSR_CMD_BUSY,
                        Some(n) => *n -= 1,
                        None => {}
                    }
                }
                c.csr_cmd
            }
            MAC_CSR_DATA => c.csr_data,
            _ => panic!("read of unmodelled register {offset:#x}"),
        }
    }

    fn write32(&self, offset: usize, value: u32) {
        assert_eq!(offset % 4, 0, "unaligned offset {offset:#x}");
        let mut c = self.inner.borrow_mut();
        c.writes.push((offset, value));
        match offset {
            o if (0x20..0x40).contains(&o) => c.tx_push(value),
            IRQ_CFG => c.irq_cfg = value,
            INT_STS => c.int_sts &= !value,
            INT_EN => c.int_en = value,
            FIFO_INT => c.fifo_int = value,
            RX_CFG => {
                if value & RX_CFG_RX_DUMP != 0 {
                    c.dump_count += 1;
                    c.rx_status.clear();
                    c.rx_data.clear();
                    c.rx_current.clear();
                }
                c.rx_cfg = value & !RX_CFG_RX_DUMP;
            }
            TX_CFG => c.tx_cfg = value,
            HW_CFG => {
                if value & HW_CFG_SRST != 0 {
                    c.soft_reset();
                } else {
                    assert_eq!(c.hw_cfg & HW_CFG_SRST, 0, "HW_CFG written during reset");
                    c.hw_cfg = value;
                }
            }
            RX_DP_CTRL => {
                if value & RX_DP_CTRL_FFWD != 0 {
                    assert!(c.rx_current.len() >= 4, "fast-forward of a frame shorter than 4 words");
                    c.ffwd_count += 1;
                    if !c.ffwd_stuck {
                        c.rx_current.clear();
                    }
                }
            }
            MAC_CSR_CMD => {
                assert_eq!(c.csr_cmd & MAC_CSR_CMD_BUSY, 0, "MAC_CSR_CMD written while busy");
                let index = (value & 0xFF) as u8;
                if value & MAC_CSR_CMD_BUSY != 0 {
                    if value & MAC_CSR_CMD_READ != 0 {
                        c.csr_data = c.mac_read(index);
                    } else {
                        let data = c.csr_data;
                        c.mac_write(index, data);
                    }
                    c.csr_busy_left = c.csr_busy_reads;
                }
                c.csr_cmd = value;
            }
            MAC_CSR_DATA => {
                assert_eq!(c.csr_cmd & MAC_CSR_CMD_BUSY, 0, "MAC_CSR_DATA written while busy");
                c.csr_data = value;
            }
            PMT_CTRL => {}
            _ => panic!("write of unmodelled register {offset:#x} = {value:#x}"),
        }
    }
}
