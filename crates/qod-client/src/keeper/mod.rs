//! The session keeper: QoS for as long as the application wants it, across faults and reboots, and no session left
//! behind.
//!
//! - [`SessionKeeper`]: the sans-IO state machine (no I/O, no clock, no allocation): feed it the time, the answers
//!   and the application's signals, and it says what to do next ([`Action`]) and what happened ([`Event`]).
//! - [`Keeper`]: the async driver over a [`Client`](crate::Client), a [`SessionStore`], a [`Clock`](crate::Clock)
//!   and a timer, with one API version's operations ([`SessionApi`]: `V0Api` for v0.10.1, `V1Api` for 1.1.0).
//! - [`SessionStore`]: where the one [`Record`] lives across reboots: [`MemoryStore`], `FlashStore` (feature
//!   `flash-store`, NOR flash through sequential-storage), `FileStore` (feature `std`, atomic file replacement).
//!
//! # Choices
//! - **Leases.** Sessions are created for a short lease and extended before it ends, so a session the keeper
//!   loses track of (a create whose answer was lost, then a reboot that lost the store) lives at most one lease.
//! - **Replacement.** On v0.10.1 a live session is replaced break-before-make (the device may hold one session: a
//!   second create is a 409; extensions have no overall cap, so this happens only after a refused extension). On
//!   1.1.0 make-before-break, falling back to break-before-make after a 409.
//! - **Reconciliation after an ambiguous create.** 1.1.0: `retrieve-sessions` for the device, adopt the match,
//!   delete the others. v0.10.1 cannot list: the lease bounds the unnamed session; a create is retried (409 while it
//!   lives), a notification that names it gets it adopted at once, and a stop waits it out.
//! - **Time.** The keeper counts on the local monotonic clock; the server's `expiresAt` is placed on it through the
//!   HTTP `Date` of each answer (or a create's `startedAt`), always rounding towards earlier, so extensions are
//!   never late. A session adopted from a server that sends no `Date` is replaced rather than kept blind.
mod driver;
#[cfg(feature = "std")]
mod file;
#[cfg(feature = "flash-store")]
mod flash;
mod machine;
mod store;
#[cfg(feature = "v0")]
mod v0;
#[cfg(feature = "v1")]
mod v1;

pub use driver::{classify, Keeper, NoSignals, ScaledClock, ScaledDelay, SessionApi, Signal, Signals};
#[cfg(feature = "std")]
pub use file::FileStore;
#[cfg(feature = "flash-store")]
pub use flash::{FlashStore, FlashStoreError};
pub use machine::{
    Action, ApiVersion, Event, Failure, KeeperConfig, KeeperStats, Loss, Notice, Replace, Reply, Request, RequestKind,
    SessionKeeper, SessionView,
};
pub use store::{MemoryStore, Record, RecordError, SessionStore};
#[cfg(feature = "v0")]
pub use v0::V0Api;
#[cfg(feature = "v1")]
pub use v1::{V1Api, LISTED};
