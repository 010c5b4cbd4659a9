//! embassy-time driver for QEMU `mps2-an386`: CMSDK timer 0 is the clock, a 1 kHz SysTick runs the timer queue.
//! Call [`start_time`] first thing in `main`.

use core::cell::{Cell, RefCell};
use core::task::Waker;

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;
use cortex_m_rt::exception;
use critical_section::Mutex;
use embassy_time_driver::TICK_HZ;
use embassy_time_queue_utils::Queue;

/// SysTick and the CMSDK timers run from the 25 MHz system clock.
const SYSCLK_HZ: u64 = 25_000_000;
/// SysTick interrupts at 1 kHz: it only wakes the timer queue.
const SYSTICK_RELOAD: u32 = (SYSCLK_HZ / 1_000 - 1) as u32;
/// CMSDK APB timer 0: the clock (a free-running 32-bit down-counter).
const TIMER0_BASE: usize = 0x4000_0000;
const TIMER_CTRL: usize = 0x0;
const TIMER_VALUE: usize = 0x4;
const TIMER_RELOAD: usize = 0x8;
/// System clock cycles per embassy-time tick (1 MHz by default).
const CYCLES_PER_TICK: u64 = SYSCLK_HZ / TICK_HZ;
const _: () = assert!(
    SYSCLK_HZ.is_multiple_of(TICK_HZ),
    "TICK_HZ must divide the 25 MHz system clock"
);

/// embassy-time driver: the clock is CMSDK timer 0 counting system clock
/// cycles (it wraps every 171 s; every read extends it to 64 bits), and a
/// 1 kHz SysTick interrupt runs embassy's timer queue.
///
/// The clock used to be SysTick wraps counted in its interrupt
/// (`systick-timer`), but QEMU drops SysTick periods when its vCPU thread
/// is descheduled, so on a loaded host guest time ran at 55-70 % of real
/// time. A read of the timer's VALUE is computed from QEMU's virtual clock,
/// so it loses nothing; the 1 ms interrupt reads it, so no 171 s wrap is
/// missed. `systick_timer::SystickDriver` was not usable either: it keeps 4
/// wake slots and embassy-net's runner ran out of them ("No free wakeup
/// slots"); `embassy_time_queue_utils::Queue` keeps one entry per task.
struct TimeDriver {
    /// (cycles elapsed in the current 2^32 period, completed periods).
    clock: Mutex<Cell<(u32, u32)>>,
    queue: Mutex<RefCell<Queue>>,
}

fn timer0(offset: usize) -> *mut u32 {
    (TIMER0_BASE + offset) as *mut u32
}

impl TimeDriver {
    /// System clock cycles since `start_time`.
    fn cycles(&self) -> u64 {
        critical_section::with(|cs| {
            // SAFETY: CMSDK APB timer 0's VALUE register, always mapped on
            // mps2-an386; only this driver uses timer 0.
            let value = unsafe { timer0(TIMER_VALUE).read_volatile() };
            let low = u32::MAX - value;
            let cell = self.clock.borrow(cs);
            let (last, mut periods) = cell.get();
            if low < last {
                periods = periods.wrapping_add(1);
            }
            cell.set((low, periods));
            (u64::from(periods) << 32) | u64::from(low)
        })
    }

    /// SysTick interrupt: wake the tasks whose deadline passed.
    fn on_systick(&self) {
        let now = embassy_time_driver::Driver::now(self);
        critical_section::with(|cs| {
            let _next = self.queue.borrow_ref_mut(cs).next_expiration(now);
        });
    }
}

impl embassy_time_driver::Driver for TimeDriver {
    fn now(&self) -> u64 {
        self.cycles() / CYCLES_PER_TICK
    }

    fn schedule_wake(&self, at: u64, waker: &Waker) {
        if at <= self.now() {
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
    clock: Mutex::new(Cell::new((0, 0))),
    queue: Mutex::new(RefCell::new(Queue::new())),
});

/// Starts the clock (CMSDK timer 0, free-running) and the 1 kHz SysTick.
pub fn start_time(syst: &mut SYST) {
    // SAFETY: CMSDK APB timer 0's registers (QEMU `info mtree`:
    // cmsdk-apb-timer at 0x4000_0000); nothing else uses timer 0. Enable
    // without its interrupt: a down-counter from 2^32 - 1 that reloads.
    unsafe {
        timer0(TIMER_CTRL).write_volatile(0);
        timer0(TIMER_RELOAD).write_volatile(u32::MAX);
        timer0(TIMER_VALUE).write_volatile(u32::MAX);
        timer0(TIMER_CTRL).write_volatile(1);
    }
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(SYSTICK_RELOAD);
    syst.clear_current();
    syst.enable_interrupt();
    syst.enable_counter();
}

#[exception]
fn SysTick() {
    TIME_DRIVER.on_systick();
}
