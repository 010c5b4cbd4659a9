//! `application/x-www-form-urlencoded` (WHATWG URL §5, as RFC 6749 Appendix B uses it), written into a caller buffer.

use crate::Error;

/// Whether `b` goes through unescaped: the RFC 3986 unreserved characters (everything else is `%XX`; a space too,
/// which is as valid as `+`).
pub(crate) fn plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Calls `out` with the form-encoding of `s`, byte by byte.
pub(crate) fn encode(s: &str, out: &mut dyn FnMut(u8)) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if plain(b) {
            out(b);
        } else {
            out(b'%');
            out(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
            out(HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0'));
        }
    }
}

/// `name=value&name=value` into a buffer.
pub(crate) struct Form<'b> {
    buf: &'b mut [u8],
    pos: usize,
    overflow: bool,
}

impl<'b> Form<'b> {
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        Form {
            buf,
            pos: 0,
            overflow: false,
        }
    }

    fn push(&mut self, b: u8) {
        match self.buf.get_mut(self.pos) {
            Some(d) => {
                *d = b;
                self.pos += 1;
            }
            None => self.overflow = true,
        }
    }

    /// Appends `name=value` (`name` is ours and plain; `value` is encoded).
    pub(crate) fn field(&mut self, name: &str, value: &str) {
        if self.pos > 0 {
            self.push(b'&');
        }
        for b in name.bytes() {
            self.push(b);
        }
        self.push(b'=');
        encode(value, &mut |b| self.push(b));
    }

    pub(crate) fn finish(self) -> Result<usize, Error> {
        if self.overflow {
            Err(Error::BufferTooSmall)
        } else {
            Ok(self.pos)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_form() {
        let mut buf = [0u8; 128];
        let mut f = Form::new(&mut buf);
        f.field("grant_type", "client_credentials");
        f.field("client_secret", "a b&c=d/é%+");
        let n = f.finish().unwrap();
        assert_eq!(
            core::str::from_utf8(&buf[..n]).unwrap(),
            "grant_type=client_credentials&client_secret=a%20b%26c%3Dd%2F%C3%A9%25%2B"
        );
        let mut small = [0u8; 5];
        let mut f = Form::new(&mut small);
        f.field("abc", "def");
        assert_eq!(f.finish(), Err(Error::BufferTooSmall));
    }
}
