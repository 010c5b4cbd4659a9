//! Sans-IO HTTP/1.1: a [`RequestWriter`] into a caller buffer and an incremental [`ResponseReader`] built on
//! `httparse`.
//!
//! Neither touches I/O or a clock: the caller moves bytes and decides timeouts. Neither panics on any input;
//! every buffer is the caller's and bounded.

pub(crate) mod request;
mod response;
mod url;

pub use request::{Method, RequestWriter};
pub use response::{Response, ResponseHead, ResponseReader, MAX_HEADERS};
pub use url::{Url, UrlError};

/// Result of feeding bytes to an incremental parser: done, or more bytes needed. Incomplete input is not an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Status<T> {
    /// Parsing is done.
    Complete(T),
    /// More bytes are needed.
    Partial,
}

impl<T> Status<T> {
    /// Whether parsing is done.
    pub fn is_complete(&self) -> bool {
        matches!(self, Status::Complete(_))
    }
}
