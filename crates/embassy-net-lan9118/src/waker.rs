//! A waker slot shared between the driver task and the interrupt handler.
//!
//! Built on `critical-section` rather than atomics, so it works on cores
//! without compare-and-swap (thumbv6m).

use core::cell::RefCell;
use core::task::Waker;

use critical_section::Mutex;

/// Holds at most one waker; registering replaces it.
pub(crate) struct WakerSlot {
    waker: Mutex<RefCell<Option<Waker>>>,
}

impl WakerSlot {
    pub(crate) const fn new() -> Self {
        Self {
            waker: Mutex::new(RefCell::new(None)),
        }
    }

    /// Stores `waker` unless an equivalent one is already stored.
    pub(crate) fn register(&self, waker: &Waker) {
        critical_section::with(|cs| {
            let mut slot = self.waker.borrow_ref_mut(cs);
            match slot.as_ref() {
                Some(current) if current.will_wake(waker) => {}
                _ => *slot = Some(waker.clone()),
            }
        });
    }

    /// Wakes the stored waker, if any, and keeps it stored.
    pub(crate) fn wake(&self) {
        critical_section::with(|cs| {
            if let Some(waker) = self.waker.borrow_ref(cs).as_ref() {
                waker.wake_by_ref();
            }
        });
    }
}
