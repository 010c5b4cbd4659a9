//! What the QEMU `mps2-an386` firmwares share, whatever their link (LAN9118 Ethernet in `firmware-mps2`, a
//! cellular modem over PPP in `firmware-cellular`):
//!
//! - [`session`]: the job, one QoS session for the device through qod-client over any embassy-net stack, from
//!   create to a confirmed delete, with one exit status per failure and the cleanup;
//! - [`exit`]: the exit statuses, exit through semihosting, the panic and HardFault handlers, the stack high-water
//!   mark;
//! - [`time`]: the embassy-time driver on the board's CMSDK timer 0 and SysTick;
//! - [`irq`]: unmasking the board's external interrupt lines;
//! - `keep` (feature `keep`): keeper mode, the session kept with qod-client's session keeper (`run.sh --keep`).
//! - `tls` (feature `tls`): the job over HTTPS with an OAuth2 token, the built-in CA, the wall clock and the
//!   QEMU stand-in for a TRNG.
#![no_std]

pub mod exit;
pub mod irq;
#[cfg(feature = "keep")]
pub mod keep;
pub mod session;
pub mod time;
#[cfg(feature = "tls")]
pub mod tls;
