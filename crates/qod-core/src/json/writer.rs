use crate::Error;

/// `(v / 10^9, v % 10^9)` without a 64-bit division routine: binary long division, one bit at a time.
fn div_1e9(v: u64) -> (u64, u32) {
    const D: u64 = 1_000_000_000;
    if v < D {
        return (0, v as u32);
    }
    let mut q = 0u64;
    let mut r = 0u64;
    for bit in (0..64).rev() {
        r = (r << 1) | ((v >> bit) & 1);
        if r >= D {
            r -= D;
            q |= 1 << bit;
        }
    }
    (q, r as u32)
}

/// Writes compact JSON into a caller-owned buffer.
#[derive(Debug)]
pub struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl<'b> Writer<'b> {
    /// A writer at the start of `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Writer { buf, pos: 0 }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.pos
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.pos == 0
    }

    /// Appends raw bytes (already valid JSON).
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn raw(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let end = self.pos + bytes.len();
        let dst = self.buf.get_mut(self.pos..end).ok_or(Error::BufferTooSmall)?;
        dst.copy_from_slice(bytes);
        self.pos = end;
        Ok(())
    }

    fn byte(&mut self, b: u8) -> Result<(), Error> {
        let dst = self.buf.get_mut(self.pos).ok_or(Error::BufferTooSmall)?;
        *dst = b;
        self.pos += 1;
        Ok(())
    }

    /// Writes `s` as a JSON string, escaping `"`, `\` and control characters (runs without them are copied whole).
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn string(&mut self, s: &str) -> Result<(), Error> {
        self.byte(b'"')?;
        let mut rest = s.as_bytes();
        loop {
            let run = super::reader::plain_run(rest);
            let (plain, tail) = rest.split_at(run.min(rest.len()));
            self.raw(plain)?;
            let Some((&b, tail)) = tail.split_first() else { break };
            rest = tail;
            match b {
                b'"' => self.raw(b"\\\"")?,
                b'\\' => self.raw(b"\\\\")?,
                b'\n' => self.raw(b"\\n")?,
                b'\r' => self.raw(b"\\r")?,
                b'\t' => self.raw(b"\\t")?,
                0x08 => self.raw(b"\\b")?,
                0x0c => self.raw(b"\\f")?,
                _ => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    let hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
                    let lo = HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0');
                    self.raw(&[b'\\', b'u', b'0', b'0', hi, lo])?;
                }
            }
        }
        self.byte(b'"')
    }

    /// Writes an unsigned integer.
    ///
    /// Values that fit 32 bits (ports, durations, statuses) use 32-bit division, which MCUs do in hardware or a
    /// small routine; wider values (epoch seconds are `i64`) are split by 10^9 first, so no 64-bit division
    /// routine is linked.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn u64(&mut self, v: u64) -> Result<(), Error> {
        // Base-10^9 limbs, most significant last; at most three for a u64.
        let (hi, low) = div_1e9(v);
        let (top, mid) = div_1e9(hi);
        let limbs = [low, mid, top as u32];
        let used = if hi == 0 {
            1
        } else if top == 0 {
            2
        } else {
            3
        };
        let mut tmp = [0u8; 27];
        let mut i = tmp.len();
        for (n, &limb) in limbs.iter().take(used).enumerate() {
            let mut x = limb;
            let last = n + 1 == used;
            for _ in 0..9 {
                i -= 1;
                if let Some(slot) = tmp.get_mut(i) {
                    *slot = b'0' + (x % 10) as u8;
                }
                x /= 10;
                if last && x == 0 {
                    break;
                }
            }
        }
        self.raw(tmp.get(i..).unwrap_or(&[]))
    }

    /// Writes a signed integer.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn i64(&mut self, v: i64) -> Result<(), Error> {
        if v < 0 {
            self.byte(b'-')?;
        }
        self.u64(v.unsigned_abs())
    }

    /// Starts an object (`{`); close it with [`ObjectWriter::end`].
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn object(&mut self) -> Result<ObjectWriter<'_, 'b>, Error> {
        self.byte(b'{')?;
        Ok(ObjectWriter { w: self, first: true })
    }

    /// Writes an array of `items`, each with `f`.
    ///
    /// # Errors
    /// As `f`, or [`Error::BufferTooSmall`].
    pub fn array<T>(
        &mut self,
        items: &[T],
        mut f: impl FnMut(&mut Self, &T) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.byte(b'[')?;
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.byte(b',')?;
            }
            f(self, item)?;
        }
        self.byte(b']')
    }
}

/// Writes the members of one object; keys are written pre-quoted in one copy.
#[derive(Debug)]
pub struct ObjectWriter<'w, 'b> {
    w: &'w mut Writer<'b>,
    first: bool,
}

impl<'b> ObjectWriter<'_, 'b> {
    /// Writes `"name":` (with a leading comma when needed) and returns the writer for the value.
    ///
    /// `name` must not need escaping (member names of the spec never do).
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn key(&mut self, name: &str) -> Result<&mut Writer<'b>, Error> {
        let comma = usize::from(!self.first);
        self.first = false;
        let start = self.w.pos;
        let end = start + comma + name.len() + 3;
        let dst = self.w.buf.get_mut(start..end).ok_or(Error::BufferTooSmall)?;
        let (head, rest) = dst.split_at_mut(comma + 1);
        let (middle, tail) = rest.split_at_mut(name.len());
        if let Some(first) = head.first_mut() {
            *first = b',';
        }
        if let Some(last) = head.last_mut() {
            *last = b'"';
        }
        middle.copy_from_slice(name.as_bytes());
        tail.copy_from_slice(b"\":");
        self.w.pos = end;
        Ok(self.w)
    }

    /// `"name":"value"`.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn str(&mut self, name: &str, value: &str) -> Result<(), Error> {
        self.key(name)?.string(value)
    }

    /// `"name":"value"` when `value` is `Some`.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn opt_str(&mut self, name: &str, value: Option<&str>) -> Result<(), Error> {
        match value {
            Some(v) => self.str(name, v),
            None => Ok(()),
        }
    }

    /// `"name":value` for an unsigned integer.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn u64(&mut self, name: &str, value: u64) -> Result<(), Error> {
        self.key(name)?.u64(value)
    }

    /// `"name":value` for a signed integer.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn i64(&mut self, name: &str, value: i64) -> Result<(), Error> {
        self.key(name)?.i64(value)
    }

    /// `"name":value` when `value` is `Some`.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn opt_u64(&mut self, name: &str, value: Option<u64>) -> Result<(), Error> {
        match value {
            Some(v) => self.u64(name, v),
            None => Ok(()),
        }
    }

    /// `"name":<encoded value>` when `value` is `Some`.
    ///
    /// # Errors
    /// As the value's [`Encode`](super::Encode).
    #[inline]
    pub fn opt<T: super::Encode>(&mut self, name: &str, value: Option<&T>) -> Result<(), Error> {
        self.opt_dyn(name, value.map(|v| v as &dyn super::Encode))
    }

    fn opt_dyn(&mut self, name: &str, value: Option<&dyn super::Encode>) -> Result<(), Error> {
        match value {
            Some(v) => v.encode_to(self.key(name)?),
            None => Ok(()),
        }
    }

    /// `"name":<encoded value>`.
    ///
    /// # Errors
    /// As the value's [`Encode`](super::Encode).
    pub fn value(&mut self, name: &str, value: &dyn super::Encode) -> Result<(), Error> {
        value.encode_to(self.key(name)?)
    }

    /// Closes the object (`}`).
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn end(self) -> Result<(), Error> {
        self.w.byte(b'}')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_encode_string_escapes() {
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        w.string("a\"b\\c\n\u{1}\u{8}é/").unwrap();
        let n = w.len();
        assert_eq!(core::str::from_utf8(&buf[..n]).unwrap(), r#""a\"b\\c\n\u0001\bé/""#);
    }

    #[test]
    fn test_encode_integers() {
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        w.u64(0).unwrap();
        w.raw(b",").unwrap();
        w.u64(u64::MAX).unwrap();
        w.raw(b",").unwrap();
        w.i64(i64::MIN).unwrap();
        let n = w.len();
        assert_eq!(
            core::str::from_utf8(&buf[..n]).unwrap(),
            "0,18446744073709551615,-9223372036854775808"
        );
        for v in [
            1,
            9,
            10,
            999_999_999,
            1_000_000_000,
            1_000_000_001,
            1_639_479_600,
            10_000_000_000_000_000_000,
            123_000_000_000_000_456,
        ] {
            let mut buf = [0u8; 20];
            let mut w = Writer::new(&mut buf);
            w.u64(v).unwrap();
            let n = w.len();
            assert_eq!(core::str::from_utf8(&buf[..n]).unwrap(), v.to_string());
        }
    }

    #[test]
    fn test_buffer_too_small() {
        let mut buf = [0u8; 4];
        let mut w = Writer::new(&mut buf);
        assert_eq!(w.string("abcd"), Err(Error::BufferTooSmall));
    }
}
