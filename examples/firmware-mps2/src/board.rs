//! QEMU `mps2-an386` specifics: addresses, interrupt wiring, time driver.

use core::cell::RefCell;
use core::task::Waker;

use cortex_m::interrupt::InterruptNumber;
use cortex_m::peripheral::{NVIC, SYST};
use cortex_m_rt::exception;
use critical_section::Mutex;
use embassy_net_lan9118::{on_interrupt, Mmio, State};
use embassy_time_queue_utils::Queue;
use systick_timer::Timer;

/// Base address of the LAN9118 register window.
const LAN9118_BASE: usize = 0x4020_0000;
/// External interrupt line of the LAN9118 on AN385/AN386.
const LAN9118_IRQ: u16 = 13;
/// SysTick runs from the 25 MHz core clock.
const SYSCLK_HZ: u64 = 25_000_000;
/// SysTick interrupts at 1 kHz; embassy-time still counts in microseconds.
const SYSTICK_RELOAD: u32 = (SYSCLK_HZ / 1_000 - 1) as u32;

/// Register handle of the board's LAN9118, shared by the driver and its
/// interrupt handler.
// SAFETY: on mps2-an386 the LAN9118's 256-byte register window is at
// 0x4020_0000 (QEMU `info mtree`: lan9118-mmio), 4-byte aligned, always
// mapped; only the driver and `DefaultHandler` below use it.
pub static NIC_REGS: Mmio = unsafe { Mmio::new(LAN9118_BASE) };

/// State shared between the driver and its interrupt handler.
pub static NIC_STATE: State = State::new();

/// embassy-time driver: `systick-timer`'s 64-bit SysTick clock plus
/// embassy's timer queue.
///
/// `systick_timer::SystickDriver` is not used: it keeps 4 wake slots and
/// frees one only when its deadline passes, and embassy-net's runner asks for
/// a new deadline on most polls, so it panicked ("No free wakeup slots")
/// 20 ms into the first TCP exchange. `embassy_time_queue_utils::Queue`
/// keeps one entry per executor task (the earliest deadline).
struct TimeDriver {
    clock: Timer,
    queue: Mutex<RefCell<Queue>>,
}

impl TimeDriver {
    /// SysTick interrupt: advance the clock, wake the tasks whose deadline passed.
    fn on_systick(&self) {
        self.clock.systick_handler();
        let now = self.clock.now();
        critical_section::with(|cs| {
            let _next = self.queue.borrow_ref_mut(cs).next_expiration(now);
        });
    }
}

impl embassy_time_driver::Driver for TimeDriver {
    fn now(&self) -> u64 {
        self.clock.now()
    }

    fn schedule_wake(&self, at: u64, waker: &Waker) {
        if at <= self.clock.now() {
            waker.wake_by_ref();
            return;
        }
        // Checked on every 1 ms tick, so no alarm needs reprogramming.
        critical_section::with(|cs| {
            let _changed = self.queue.borrow_ref_mut(cs).schedule_wake(at, waker);
        });
    }
}

embassy_time_driver::time_driver_impl!(static TIME_DRIVER: TimeDriver = TimeDriver {
    clock: Timer::new(embassy_time_driver::TICK_HZ, SYSTICK_RELOAD, SYSCLK_HZ),
    queue: Mutex::new(RefCell::new(Queue::new())),
});

/// Starts the SysTick clock (1 kHz interrupt).
pub fn start_time(syst: &mut SYST) {
    TIME_DRIVER.clock.start(syst);
}

#[exception]
fn SysTick() {
    TIME_DRIVER.on_systick();
}

/// An external interrupt line, for the NVIC API (there is no PAC).
#[derive(Clone, Copy)]
struct Irq(u16);

// SAFETY: `number` returns a fixed, valid external interrupt number of this
// device (the NVIC of the AN386 implements lines 0..=31 and more).
unsafe impl InterruptNumber for Irq {
    fn number(self) -> u16 {
        self.0
    }
}

/// Lets the LAN9118 interrupt reach the CPU. Call after the driver is set up.
pub fn enable_nic_interrupt() {
    // SAFETY: unmasking can break a critical section that relies on this
    // line being masked; nothing does, and the handler is ready to run.
    unsafe { NVIC::unmask(Irq(LAN9118_IRQ)) };
}

/// cortex-m-rt sends every device interrupt here (no PAC, so no named
/// vectors); `irqn` is the external interrupt number.
#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    if irqn == LAN9118_IRQ as i16 {
        on_interrupt(&NIC_REGS, &NIC_STATE);
    }
}
