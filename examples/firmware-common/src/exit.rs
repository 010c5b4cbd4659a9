//! Process exit through semihosting, with one status per failure.
//!
//! QEMU (`-semihosting-config enable=on`) exits with the code passed to
//! SYS_EXIT_EXTENDED, so run.sh and CI see exactly what went wrong.

use cortex_m_rt::{exception, ExceptionFrame};

/// Exit statuses of the firmware (the table is in README.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, defmt::Format)]
#[repr(i32)]
pub enum ExitCode {
    /// The session was created, became AVAILABLE, was read, deleted, and a
    /// GET afterwards answered 404.
    Success = 0,
    /// The LAN9118 was not found or did not come up.
    NicInit = 2,
    /// No link or no IPv4 address in time.
    NoNetwork = 3,
    /// The TCP connection to the server could not be opened.
    Connect = 4,
    /// `createSession` failed: API error (ErrorInfo), bad response, broken connection.
    Create = 5,
    /// A request got no complete answer in time, or the whole job overran.
    Timeout = 6,
    /// The session was still REQUESTED when the polling deadline passed.
    NotAvailable = 7,
    /// `getSession` failed (while waiting for AVAILABLE or reading it).
    Get = 8,
    /// `deleteSession` failed.
    Delete = 9,
    /// After the DELETE the session could still be read (or the check failed).
    StillThere = 10,
    /// The session went UNAVAILABLE instead of AVAILABLE.
    Unavailable = 11,
    /// The build-time configuration cannot be used (server URL, address).
    Config = 12,
    /// Keeper mode: the stop was clean, but the run missed its extensions or its recovery after the termination.
    Keep = 13,
    /// Cellular: the modem answered nothing (to `AT`, or to a later bring-up command).
    ModemSilent = 20,
    /// Cellular: the modem answered `ERROR` to a bring-up command, or the SIM is not ready.
    ModemError = 21,
    /// Cellular: not registered with the network within the registration timeout.
    NotRegistered = 22,
    /// Cellular: `ATD*99#` failed on every attempt (`NO CARRIER`, `ERROR`, no answer).
    DialFailed = 23,
    /// Cellular: the carrier was lost during the job and the job failed because of it (the session was cleaned up
    /// after the redial), or the link could not be re-established.
    CarrierLost = 24,
    /// TLS (`tls` build): the server's certificate is not trusted (not issued by the built-in CA, not for
    /// `localhost`, or outside its validity dates).
    TlsCertificate = 30,
    /// TLS: the server does not speak TLS 1.3 (it answered with a `protocol_version` alert).
    TlsVersion = 31,
    /// TLS: the handshake failed otherwise (another alert, a malformed message, a record too large).
    TlsHandshake = 32,
    /// OAuth2 (`tls` build): the token endpoint refused the client credentials or gave no usable token.
    Token = 33,
    /// The CPU took a HardFault.
    HardFault = 100,
    /// The firmware panicked.
    Panic = 101,
}

/// Ends the QEMU process with `code`.
pub fn exit(code: ExitCode) -> ! {
    defmt::info!("stack high-water mark: {=usize} B", stack_used());
    defmt::info!("exit {} ({=i32})", code, code as i32);
    semihosting::process::exit(code as i32)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    defmt::error!("panic: {}", defmt::Display2Format(info));
    exit(ExitCode::Panic)
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    defmt::error!("HardFault at pc={=u32:#010x} lr={=u32:#010x}", frame.pc(), frame.lr());
    exit(ExitCode::HardFault)
}

/// Bytes of stack used so far: cortex-m-rt (`paint-stack`) filled everything
/// between `_stack_end` and `_stack_start` with [`STACK_PAINT_VALUE`] at boot;
/// the lowest word that no longer holds it is the deepest the stack got.
fn stack_used() -> usize {
    use cortex_m_rt::STACK_PAINT_VALUE;
    extern "C" {
        static _stack_start: u32;
        static _stack_end: u32;
    }
    let top = core::ptr::addr_of!(_stack_start) as usize;
    let mut p = core::ptr::addr_of!(_stack_end) as usize;
    while p < top {
        // SAFETY: `_stack_end..._stack_start` is RAM reserved for the stack
        // (cortex-m-rt's link.x), 4-byte aligned; reading it is harmless.
        if unsafe { core::ptr::read_volatile(p as *const u32) } != STACK_PAINT_VALUE {
            break;
        }
        p += 4;
    }
    top - p
}
