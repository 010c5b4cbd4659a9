//! Driver-level tests over the simulated chip in `mock`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Wake, Waker};

use embassy_net_driver::{Driver, LinkState, RxToken as _, TxToken as _};

use super::*;
use crate::mock::FakeChip;

struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn waker() -> (Arc<CountingWaker>, Waker) {
    let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
    (counter.clone(), Waker::from(counter))
}

fn wakes(counter: &CountingWaker) -> usize {
    counter.0.load(Ordering::SeqCst)
}

fn up<'s>(chip: &'s FakeChip, state: &'s State) -> Lan9118<'s, &'s FakeChip> {
    Lan9118::new(chip, state, Config::default()).expect("bring-up")
}

fn recv(nic: &mut Lan9118<'_, &FakeChip>, cx: &mut Context<'_>) -> Option<Vec<u8>> {
    let (rx, _tx) = nic.receive(cx)?;
    Some(rx.consume(|frame| frame.to_vec()))
}

#[test]
fn test_bring_up_programs_the_chip() {
    let chip = FakeChip::new();
    let state = State::new();
    let nic = up(&chip, &state);
    assert_eq!(
        nic.mac_address(),
        [0x52, 0x54, 0x00, 0x12, 0x34, 0x56],
        "kept the EEPROM address"
    );
    assert_eq!(nic.id_rev(), 0x0118_0001);
    assert_eq!(nic.hardware_address(), HardwareAddress::Ethernet(nic.mac_address()));
    assert_eq!(nic.capabilities().max_transmission_unit, 1514);
    chip.with(|c| {
        assert_eq!(c.writes.first(), Some(&(HW_CFG, HW_CFG_SRST)), "soft reset comes first");
        assert_eq!(c.hw_cfg, HW_CFG_MBO | (5 << 16));
        assert_eq!(c.mac_cr & (MAC_CR_TXEN | MAC_CR_RXEN), MAC_CR_TXEN | MAC_CR_RXEN);
        assert_eq!(c.mac_cr & MAC_CR_PRMS, 0, "promiscuous mode left by reset is cleared");
        assert_ne!(c.mac_cr & MAC_CR_MCPAS, 0);
        assert_ne!(c.mac_cr & MAC_CR_FDPX, 0, "100 full duplex negotiated");
        assert_eq!(c.tx_cfg, TX_CFG_TX_ON);
        assert_eq!(c.int_en, BASE_INT_MASK);
        assert_eq!(c.irq_cfg, IRQ_CFG_EN | IRQ_CFG_POL | IRQ_CFG_TYPE);
        assert_eq!(c.fifo_int & 0xFF, 0, "RX interrupt on the first status word");
        assert_eq!(c.anar, ANAR_10_100_ALL);
        assert_eq!(c.bmcr & BMCR_ANEG_EN, BMCR_ANEG_EN);
        assert_eq!(c.phy_int_mask, PHY_INT_LINK_DOWN | PHY_INT_ANEG_DONE);
        // Interrupts are enabled only after the MAC is configured.
        let pos = |off: usize| c.writes.iter().rposition(|&(o, _)| o == off).unwrap();
        assert!(pos(IRQ_CFG) > pos(MAC_CSR_CMD) || pos(IRQ_CFG) > pos(TX_CFG));
        assert!(!c.irq_asserted(), "no stale interrupt after bring-up");
    });
    let (_, w) = waker();
    let mut nic = nic;
    assert!(nic.link_state(&mut Context::from_waker(&w)) == LinkState::Up);
}

#[test]
fn test_bring_up_writes_configured_mac() {
    let chip = FakeChip::new();
    let state = State::new();
    let config = Config {
        mac_address: Some([0x02, 0, 0, 0xAB, 0xCD, 0xEF]),
        irq_active_high: false,
        irq_push_pull: false,
        promiscuous: true,
        ..Config::default()
    };
    let nic = Lan9118::new(&chip, &state, config).unwrap();
    assert_eq!(nic.mac_address(), [0x02, 0, 0, 0xAB, 0xCD, 0xEF]);
    chip.with(|c| {
        assert_eq!(c.mac_addr, [0x02, 0, 0, 0xAB, 0xCD, 0xEF]);
        assert_eq!(c.irq_cfg, IRQ_CFG_EN);
        assert_ne!(c.mac_cr & MAC_CR_PRMS, 0);
    });
}

#[test]
fn test_bring_up_rejects_bad_mac() {
    let state = State::new();
    let chip = FakeChip::new();
    let config = Config {
        mac_address: Some([0x01, 0, 0x5E, 0, 0, 1]),
        ..Config::default()
    };
    assert!(matches!(
        Lan9118::new(&chip, &state, config),
        Err(Error::InvalidMacAddress(_))
    ));
    let chip = FakeChip::new();
    chip.with(|c| c.mac_addr = [0; 6]);
    assert_eq!(
        Lan9118::new(&chip, &state, Config::default()).err(),
        Some(Error::InvalidMacAddress([0; 6]))
    );
}

#[test]
fn test_bring_up_failures_are_reported_not_hung() {
    let state = State::new();
    type Setup = fn(&mut mock::Inner);
    let cases: [(Setup, Error); 7] = [
        (|c| c.byte_test = 0x4321_8765, Error::ByteTest(0x4321_8765)),
        (|c| c.ready_after = None, Error::NotReady),
        (|c| c.srst_reads = None, Error::ResetTimeout),
        (|c| c.srst_timeout_flag = true, Error::ResetTimeout),
        (|c| c.csr_busy_reads = None, Error::MacCsrTimeout),
        (|c| c.mii_busy_reads = None, Error::MiiTimeout),
        (|c| c.phy_reset_reads = None, Error::PhyResetTimeout),
    ];
    for (setup, expected) in cases {
        let chip = FakeChip::new();
        chip.with(setup);
        assert_eq!(Lan9118::new(&chip, &state, Config::default()).err(), Some(expected));
    }
}

#[test]
fn test_error_display() {
    assert_eq!(
        Error::ByteTest(0x1234).to_string(),
        "BYTE_TEST mismatch: no LAN9118 at this address or wrong bus setup (read 0x00001234)"
    );
    assert_eq!(
        Error::InvalidMacAddress([1, 2, 3, 4, 5, 0xff]).to_string(),
        "invalid MAC address 01:02:03:04:05:ff"
    );
}

#[test]
fn test_receive_delivers_frames_in_order_and_keeps_polling_while_queued() {
    let chip = FakeChip::new();
    let state = State::new();
    let mut nic = up(&chip, &state);
    let (count, w) = waker();
    let mut cx = Context::from_waker(&w);
    assert_eq!(recv(&mut nic, &mut cx), None);

    let a: Vec<u8> = (0..60).collect();
    let b: Vec<u8> = (0..1514).map(|i| i as u8).collect();
    chip.push_rx_frame(&a);
    chip.push_rx_frame(&b);
    assert_eq!(recv(&mut nic, &mut cx).as_deref(), Some(&a[..]));
    assert_eq!(wakes(&count), 1, "woken because a second frame is queued");
    assert_eq!(recv(&mut nic, &mut cx).as_deref(), Some(&b[..]));
    assert_eq!(wakes(&count), 1, "nothing left: wait for the interrupt");
    assert_eq!(recv(&mut nic, &mut cx), None);
    assert_eq!(nic.stats().rx_frames, 2);
    chip.with(|c| assert_eq!(c.rx_underruns, 0));
}

#[test]
fn test_receive_discards_bad_frames_and_counts_them() {
    let chip = FakeChip::new();
    let state = State::new();
    let mut nic = up(&chip, &state);
    let (_, w) = waker();
    let mut cx = Context::from_waker(&w);
    chip.push_rx_frame_with_status(&[1; 60], RX_STS_ES | (1 << 1)); // CRC error
    chip.push_rx_frame(&[2; 1600]); // larger than the buffer: fast-forward
    chip.push_rx_frame(&[3; 8]); // shorter than an Ethernet header: drained
    chip.push_rx_frame_with_status(&[4; 60], RX_STS_FILTER_FAIL);
    chip.push_rx_frame(&[5; 42]);
    assert_eq!(recv(&mut nic, &mut cx), Some(vec![5; 42]));
    let s = nic.stats();
    assert_eq!((s.rx_errors, s.rx_too_long, s.rx_malformed, s.rx_frames), (1, 1, 2, 1));
    chip.with(|c| {
        assert_eq!(c.ffwd_count, 3, "every frame of 4 words or more is fast-forwarded");
        assert_eq!(c.rx_underruns, 0);
        assert_eq!(c.rx_frames_queued(), 0);
    });
}

#[test]
fn test_rx_drop_counter_is_collected() {
    let chip = FakeChip::new();
    let state = State::new();
    let mut nic = up(&chip, &state);
    let (_, w) = waker();
    let mut cx = Context::from_waker(&w);
    chip.drop_frames(3);
    on_interrupt(&chip, &state);
    assert_eq!(recv(&mut nic, &mut cx), None);
    assert_eq!(nic.stats().rx_dropped, 3);
    chip.with(|c| assert_eq!(c.int_sts & INT_RXDF, 0, "acknowledged"));
    // The counter clears on read: no double counting.
    assert_eq!(recv(&mut nic, &mut cx), None);
    assert_eq!(nic.stats().rx_dropped, 3);
}

#[test]
fn test_receiver_error_dumps_rx_fifos() {
    let chip = FakeChip::new();
    let state = State::new();
    let mut nic = up(&chip, &state);
    let (_, w) = waker();
    let mut cx = Context::from_waker(&w);
    chip.push_rx_frame(&[7; 100]);
    chip.with(|c| c.int_sts |= INT_RXE);
    assert_eq!(recv(&mut nic, &mut cx), None);
    assert_eq!(nic.stats().rx_fifo_resets, 1);
    chip.with(|c| assert_eq!((c.dump_count, c.rx_frames_queued()), (1, 0)));
}

#[test]
fn test_stuck_fast_forward_resyncs_with_a_dump() {
    let chip = FakeChip::new();
    let state = State::new();
    let mut nic = up(&chip, &state);
    let (_, w) = waker();
    let mut cx = Context::from_waker(&w);
    chip.with(|c| c.ffwd_stuck = true);
    chip.push_rx_frame(&[1; 1700]);
    chip.push_rx_frame(&[2; 60]);
    assert_eq!(recv(&mut nic, &mut cx), None);
    assert_eq!(nic.stats().rx_fifo_resets, 1);
    chip.with(|c| c.ffwd_stuck = false);
    chip.push_rx_frame(&[3; 60]);
    assert_eq!(recv(&mut nic, &mut cx), Some(vec![3; 60]));
}

#[test]
fn test_transmit_writes_frame_and_checks_status() {
    let chip = FakeChip::new();
    let state = State::new();
    let mut nic = up(&chip, &state);
    let (_, w) = waker();
    let mut cx = Context::from_waker(&w);
    let frame: Vec<u8> = (0..61).collect();
    let tx = nic.transmit(&mut cx).expect("space for a frame");
    tx.consume(frame.len(), |buf| buf.copy_from_slice(&frame));
    chip.with(|c| c.tx_fail_next = true);
    nic.transmit(&mut cx).unwrap().consume(42, |buf| buf.fill(0xEE));
    // The next call drains the TX status FIFO and counts the failure.
    assert!(nic.transmit(&mut cx).is_some());
    let s = nic.stats();
    assert_eq!((s.tx_frames, s.tx_errors), (2, 1));
    chip.with(|c| {
        assert_eq!(c.tx_sent, vec![frame.clone(), vec![0xEE; 42]]);
        assert_eq!(c.tx_overruns, 0);
        // Tags increase, so a status word can be matched to its frame.
        // Command B of the first frame, then of the second (after 2 + 16 words).
        let w = &c.tx_fifo_writes;
        assert_eq!((w[1] >> 16, w[2 + 16 + 1] >> 16), (1, 2));
    });
}

#[test]
fn test_reply_token_from_receive() {
    let chip = FakeChip::new();
    let state = State::new();
    let mut nic = up(&chip, &state);
    let (_, w) = waker();
    let mut cx = Context::from_waker(&w);
    chip.push_rx_frame(&[9; 98]);
    let (rx, tx) = nic.receive(&mut cx).unwrap();
    let echo = rx.consume(|f| f.to_vec());
    tx.consume(echo.len(), |buf| buf.copy_from_slice(&echo));
    chip.with(|c| assert_eq!(c.tx_sent, vec![vec![9; 98]]));
}

#[test]
fn test_full_tx_fifo_blocks_tokens_until_space_interrupt() {
    let chip = FakeChip::new();
    let state = State::new();
    let mut nic = up(&chip, &state);
    let (count, w) = waker();
    let mut cx = Context::from_waker(&w);
    chip.with(|c| c.tx_free = 1500); // less than a full frame plus commands
    chip.push_rx_frame(&[1; 60]);
    assert!(nic.transmit(&mut cx).is_none());
    assert!(nic.receive(&mut cx).is_none(), "no RX token without a TX token");
    assert_eq!(nic.stats().tx_fifo_full, 1);
    chip.with(|c| {
        assert_ne!(c.int_en & INT_TDFA, 0, "space interrupt armed");
        assert!(((c.fifo_int >> 24) * 64) as usize >= tx::fifo_bytes(MTU));
        assert!(c.tx_sent.is_empty());
        // Space frees up: the chip raises TDFA.
        c.tx_free = 4608;
        c.int_sts |= INT_TDFA;
        assert!(c.irq_asserted());
    });
    on_interrupt(&chip, &state);
    assert_eq!(wakes(&count), 1);
    assert!(nic.transmit(&mut cx).is_some());
    chip.with(|c| assert_eq!(c.int_en & INT_TDFA, 0, "space interrupt disarmed again"));
    assert_eq!(recv(&mut nic, &mut cx), Some(vec![1; 60]));
}

#[test]
fn test_interrupt_masks_acks_and_wakes() {
    let chip = FakeChip::new();
    let state = State::new();
    let mut nic = up(&chip, &state);
    let (count, w) = waker();
    let mut cx = Context::from_waker(&w);
    // Nothing pending: a shared or spurious interrupt is ignored.
    on_interrupt(&chip, &state);
    assert!(recv(&mut nic, &mut cx).is_none());
    assert_eq!(wakes(&count), 0);
    chip.push_rx_frame(&[1; 60]);
    chip.with(|c| assert!(c.irq_asserted()));
    on_interrupt(&chip, &state);
    assert_eq!(wakes(&count), 1);
    chip.with(|c| {
        assert!(!c.irq_asserted(), "line released");
        assert_eq!(c.int_en & INT_RSFL, 0, "RX interrupt masked until the driver runs");
        assert_eq!(c.int_sts & INT_RSFL, 0, "acknowledged");
    });
    assert_eq!(recv(&mut nic, &mut cx), Some(vec![1; 60]));
    chip.with(|c| assert_eq!(c.int_en, BASE_INT_MASK, "re-armed"));
    assert_eq!(nic.stats().interrupts, 1);
    assert_eq!(state.interrupts(), 1);
}

#[test]
fn test_link_changes_follow_phy_interrupts() {
    let chip = FakeChip::new();
    let state = State::new();
    let mut nic = up(&chip, &state);
    let (count, w) = waker();
    let mut cx = Context::from_waker(&w);
    assert!(nic.link_state(&mut cx) == LinkState::Up);

    chip.set_link(false);
    chip.with(|c| assert!(c.irq_asserted()));
    on_interrupt(&chip, &state);
    assert_eq!(wakes(&count), 1);
    chip.with(|c| assert!(!c.irq_asserted(), "PHY interrupt masked: it is level-triggered"));
    assert!(nic.link_state(&mut cx) == LinkState::Down);
    chip.with(|c| {
        assert_eq!(c.int_en & INT_PHY, INT_PHY, "re-armed");
        assert!(!c.irq_asserted(), "PHY source cleared by reading register 29");
    });

    // Back up with a half-duplex partner: MAC_CR follows.
    chip.with(|c| c.partner = 0x00A1); // 100BASE-TX half + 10BASE-T half
    chip.set_link(true);
    on_interrupt(&chip, &state);
    assert!(nic.link_state(&mut cx) == LinkState::Up);
    chip.with(|c| assert_eq!(c.mac_cr & MAC_CR_FDPX, 0));
}

#[test]
fn test_link_down_at_start() {
    let chip = FakeChip::new();
    chip.with(|c| c.link_up = false);
    let state = State::new();
    let mut nic = up(&chip, &state);
    let (_, w) = waker();
    assert!(nic.link_state(&mut Context::from_waker(&w)) == LinkState::Down);
}

#[test]
fn test_duplex_resolution() {
    assert!(full_duplex(AN_100_FULL | AN_100_HALF | AN_10_FULL));
    assert!(!full_duplex(AN_100_HALF | AN_10_FULL), "100 half beats 10 full");
    assert!(full_duplex(AN_10_FULL));
    assert!(!full_duplex(0));
}
