//! [`CarrierWatch`]: the serial port as embassy-net-ppp sees it, ending the PPP session when the modem says
//! `NO CARRIER`.
//!
//! A modem that loses the call mid-PPP (an abrupt hang-up: no LCP Terminate-Request) goes back to command mode and
//! sends `\r\nNO CARRIER\r\n`. PPP ignores bytes outside frames, so without help the device would notice only when
//! its requests time out. Real boards watch the modem's DCD line; this adapter watches the byte stream instead and
//! reports end-of-file once the text passes, which makes `embassy_net_ppp::Runner::run` return at once.
//!
//! The pattern starts with a raw carriage return, which cannot occur inside a frame when the modem escapes it
//! (`qod-modem` always does; RFC 1662 allows escaping more than the ACCM asks). With a modem that sends raw carriage
//! returns inside frames, a payload containing `\r\nNO CARRIER\r\n` could end the session early: use DCD there.

use embedded_io_async::{BufRead, ErrorType, Read, Write};

/// What a modem sends when the call ends.
pub(crate) const NO_CARRIER: &[u8] = b"\r\nNO CARRIER\r\n";

/// Finds [`NO_CARRIER`] in a byte stream fed in pieces.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Matcher {
    matched: usize,
}

impl Matcher {
    /// Feeds bytes; returns the index just past the pattern's last byte when it completes in `data`.
    pub(crate) fn feed(&mut self, data: &[u8]) -> Option<usize> {
        for (i, &b) in data.iter().enumerate() {
            if NO_CARRIER.get(self.matched) == Some(&b) {
                self.matched += 1;
            } else {
                // The pattern's only repeated prefix is its first byte (`\r`).
                self.matched = usize::from(NO_CARRIER.first() == Some(&b));
            }
            if self.matched == NO_CARRIER.len() {
                self.matched = 0;
                return Some(i + 1);
            }
        }
        None
    }
}

/// Buffered serial port for the PPP runner that reports end-of-file after `NO CARRIER`: a modem that loses the
/// call mid-PPP sends it instead of an LCP Terminate-Request, and this stands in for the DCD line. The pattern
/// starts with a raw carriage return, which a modem that escapes it in frames (`qod-modem` does) never sends
/// inside one; with a modem that does not, a payload containing `\r\nNO CARRIER\r\n` could end the session
/// early: use DCD there.
pub struct CarrierWatch<'a, S> {
    serial: &'a mut S,
    buf: [u8; 256],
    start: usize,
    end: usize,
    matcher: Matcher,
    lost: bool,
}

impl<'a, S: Read + Write> CarrierWatch<'a, S> {
    /// Wraps the port for one PPP session.
    pub fn new(serial: &'a mut S) -> Self {
        CarrierWatch {
            serial,
            buf: [0; 256],
            start: 0,
            end: 0,
            matcher: Matcher::default(),
            lost: false,
        }
    }

    /// Whether `NO CARRIER` has been seen.
    pub fn carrier_lost(&self) -> bool {
        self.lost
    }

    /// Reads and discards until `NO CARRIER` passes (or has passed). Unbounded: wrap it in a timeout.
    ///
    /// # Errors
    /// The port's read error.
    pub async fn wait_carrier_lost(&mut self) -> Result<(), S::Error> {
        while !self.lost {
            self.start = self.end;
            self.fill_buf().await?;
        }
        Ok(())
    }
}

impl<S: ErrorType> ErrorType for CarrierWatch<'_, S> {
    type Error = S::Error;
}

impl<S: Read + Write> BufRead for CarrierWatch<'_, S> {
    async fn fill_buf(&mut self) -> Result<&[u8], Self::Error> {
        if self.start >= self.end {
            if self.lost {
                return Ok(&[]);
            }
            let n = self.serial.read(&mut self.buf).await?;
            self.start = 0;
            self.end = n;
            if let Some(past) = self.matcher.feed(self.buf.get(..n).unwrap_or_default()) {
                self.lost = true;
                // Deliver what came before the text; nothing after it belongs to this session.
                self.end = past.saturating_sub(NO_CARRIER.len());
            }
        }
        Ok(self.buf.get(self.start..self.end).unwrap_or_default())
    }

    fn consume(&mut self, amt: usize) {
        self.start = (self.start + amt).min(self.end);
    }
}

impl<S: Read + Write> Read for CarrierWatch<'_, S> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let data = self.fill_buf().await?;
        let n = data.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), data.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.consume(n);
        Ok(n)
    }
}

impl<S: Read + Write> Write for CarrierWatch<'_, S> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.serial.write(buf).await
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        self.serial.flush().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_matcher_finds_the_pattern_across_pieces() {
        let mut m = Matcher::default();
        assert_eq!(m.feed(b"~\xff\x03\r\nNO CA"), None);
        assert_eq!(m.feed(b"RRIER\r\nAT"), Some(7));
        // A carriage return inside a partial match restarts it.
        let mut m = Matcher::default();
        assert_eq!(m.feed(b"\r\nNO\r\r\nNO CARRIER\r\n"), Some(19));
        assert_eq!(Matcher::default().feed(b"\r\nNO CARRIER\r"), None);
    }
}
