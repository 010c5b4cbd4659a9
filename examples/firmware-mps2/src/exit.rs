//! Process exit through semihosting, with one status per failure.
//!
//! QEMU (`-semihosting-config enable=on`) exits with the code passed to
//! SYS_EXIT_EXTENDED, so run.sh and CI see exactly what went wrong.

use cortex_m_rt::{exception, ExceptionFrame};

/// Exit statuses of the firmware.
#[derive(Debug, Clone, Copy, PartialEq, Eq, defmt::Format)]
#[repr(i32)]
pub enum ExitCode {
    /// The server answered with a well-formed, expected HTTP response.
    Success = 0,
    /// The LAN9118 was not found or did not come up.
    NicInit = 2,
    /// No link or no IPv4 address in time.
    NoNetwork = 3,
    /// The TCP connection to the server failed.
    Connect = 4,
    /// The HTTP exchange failed: I/O error, malformed or unexpected response.
    Http = 5,
    /// The exchange with the server did not finish in time.
    Timeout = 6,
    /// The CPU took a HardFault.
    HardFault = 100,
    /// The firmware panicked.
    Panic = 101,
}

/// Ends the QEMU process with `code`.
pub fn exit(code: ExitCode) -> ! {
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
