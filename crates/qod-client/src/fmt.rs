//! The client's own log lines, through `defmt` or `log` (features of the same names; both, or neither, also build).
//! Only what the client does is logged (connections, re-sends, waits, timeouts, token fetches), never a token, a
//! secret or a body. Arguments must be both `Display` and `defmt::Format` (integers, `&str`).

/// A debug-level line.
macro_rules! debug {
    ($s:literal $(, $x:expr)* $(,)?) => {{
        #[cfg(feature = "defmt")]
        ::defmt::debug!($s $(, $x)*);
        #[cfg(feature = "log")]
        ::log::debug!(target: "qod_client", $s $(, $x)*);
        #[cfg(not(any(feature = "defmt", feature = "log")))]
        {
            let _ = ($(&$x,)*);
        }
    }};
}

/// A trace-level line.
macro_rules! trace {
    ($s:literal $(, $x:expr)* $(,)?) => {{
        #[cfg(feature = "defmt")]
        ::defmt::trace!($s $(, $x)*);
        #[cfg(feature = "log")]
        ::log::trace!(target: "qod_client", $s $(, $x)*);
        #[cfg(not(any(feature = "defmt", feature = "log")))]
        {
            let _ = ($(&$x,)*);
        }
    }};
}
