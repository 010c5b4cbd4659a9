use super::Failed;
use crate::{Error, Problem, ValidationError};

type W = Result<(), Failed>;

/// Writes compact JSON into a caller-owned buffer.
///
/// A step that cannot be done returns [`Failed`]; [`Writer::error`] says why (the buffer is full, or a value cannot
/// be sent). Zero-sized, so the encoders' `Result`s travel in registers.
#[derive(Debug)]
pub struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
    /// Set when a value cannot be encoded (an `Unknown` enum value): the member's path.
    unknown: Option<&'static str>,
}

impl<'b> Writer<'b> {
    /// A writer at the start of `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Writer {
            buf,
            pos: 0,
            unknown: None,
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.pos
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.pos == 0
    }

    /// Why a step returned [`Failed`]: [`Error::BufferTooSmall`], or [`Error::Invalid`] naming a value that cannot
    /// be encoded.
    #[inline(never)]
    pub fn error(&self) -> Error {
        match self.unknown {
            Some(field) => Error::Invalid(ValidationError {
                field,
                problem: Problem::UnknownValue,
            }),
            None => Error::BufferTooSmall,
        }
    }

    /// Records that the value of `field` cannot be encoded (an enum's `Unknown`).
    #[cold]
    pub fn unknown_value(&mut self, field: &'static str) -> Failed {
        self.unknown = Some(field);
        Failed
    }

    /// Appends raw bytes (already valid JSON).
    ///
    /// # Errors
    /// [`Failed`] when the buffer is full.
    #[inline(never)]
    pub fn raw(&mut self, bytes: &[u8]) -> W {
        self.put(bytes)
    }

    /// [`Writer::raw`] inline, for the hot callers (keys and integers).
    #[inline]
    fn put(&mut self, bytes: &[u8]) -> W {
        let end = self.pos + bytes.len();
        let dst = self.buf.get_mut(self.pos..end).ok_or(Failed)?;
        dst.copy_from_slice(bytes);
        self.pos = end;
        Ok(())
    }

    fn byte(&mut self, b: u8) -> W {
        let dst = self.buf.get_mut(self.pos).ok_or(Failed)?;
        *dst = b;
        self.pos += 1;
        Ok(())
    }

    /// Writes `s` as a JSON string, escaping `"`, `\\` and control characters (runs without them are copied whole).
    ///
    /// # Errors
    /// [`Failed`] when the buffer is full.
    #[inline(never)]
    pub fn string(&mut self, s: &str) -> W {
        let mut rest = s.as_bytes();
        if super::reader::plain_run(rest) >= rest.len() {
            // Nothing to escape (the common case): one copy.
            return self.plain(rest);
        }
        self.byte(b'"')?;
        loop {
            let run = super::reader::plain_run(rest);
            let (plain, tail) = rest.split_at(run.min(rest.len()));
            self.raw(plain)?;
            let Some((&b, tail)) = tail.split_first() else { break };
            rest = tail;
            self.escape(b)?;
        }
        self.byte(b'"')
    }

    /// Writes `s` quoted, without looking for characters to escape: for values known to have none (the spec's enum
    /// values, fixed strings, date-times as [`DateTime::write`](crate::time::DateTime::write) gives them).
    ///
    /// # Errors
    /// [`Failed`] when the buffer is full.
    #[inline]
    pub(crate) fn plain_string(&mut self, s: &str) -> W {
        self.plain(s.as_bytes())
    }

    /// [`Writer::plain_string`] for bytes that are known to be UTF-8 with nothing to escape.
    #[inline(never)]
    pub(crate) fn plain(&mut self, s: &[u8]) -> W {
        let end = self.pos + s.len() + 2;
        let dst = self.buf.get_mut(self.pos..end).ok_or(Failed)?;
        if let [open, middle @ .., close] = dst {
            *open = b'"';
            middle.copy_from_slice(s);
            *close = b'"';
        }
        self.pos = end;
        Ok(())
    }

    #[inline(never)]
    fn escape(&mut self, b: u8) -> W {
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0x08 => b'b',
            0x0c => b'f',
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
                let lo = HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0');
                return self.raw(&[b'\\', b'u', b'0', b'0', hi, lo]);
            }
        };
        self.raw(&[b'\\', short])
    }

    /// Writes a `u32` (ports, durations, statuses: everything a device sends).
    ///
    /// # Errors
    /// [`Failed`] when the buffer is full.
    #[inline(never)]
    pub fn u32(&mut self, v: u32) -> W {
        // The digits go straight into the buffer, last first (no scratch copy: a call to `memcpy` per number).
        let (mut len, mut rest) = (1, v / 10);
        while rest > 0 {
            len += 1;
            rest /= 10;
        }
        let end = self.pos + len;
        let dst = self.buf.get_mut(self.pos..end).ok_or(Failed)?;
        let mut n = v;
        for slot in dst.iter_mut().rev() {
            *slot = b'0' + (n % 10) as u8;
            n /= 10;
        }
        self.pos = end;
        Ok(())
    }

    /// Writes a `u64`.
    ///
    /// Split by 10^9 into `u32` limbs first, so no 64-bit division routine is linked.
    ///
    /// # Errors
    /// [`Failed`] when the buffer is full.
    pub fn u64(&mut self, v: u64) -> W {
        // Epoch seconds fit a `u32` until 2106.
        if let Ok(v) = u32::try_from(v) {
            return self.u32(v);
        }
        let (hi, low) = div_1e9(v);
        if hi == 0 {
            return self.u32(low);
        }
        let (top, mid) = div_1e9(hi);
        if top == 0 {
            self.u32(mid)?;
        } else {
            self.u32(top as u32)?;
            self.limb(mid)?;
        }
        self.limb(low)
    }

    /// Nine digits, zero-padded.
    fn limb(&mut self, mut v: u32) -> W {
        let mut tmp = [0u8; 9];
        for slot in tmp.iter_mut().rev() {
            *slot = b'0' + (v % 10) as u8;
            v /= 10;
        }
        self.raw(&tmp)
    }

    /// Writes a signed integer.
    ///
    /// # Errors
    /// [`Failed`] when the buffer is full.
    pub fn i64(&mut self, v: i64) -> W {
        if v < 0 {
            self.byte(b'-')?;
        }
        self.u64(v.unsigned_abs())
    }

    /// Starts an object (`{`); close it with [`ObjectWriter::end`].
    ///
    /// # Errors
    /// [`Failed`] when the buffer is full.
    #[inline(never)]
    pub fn object(&mut self) -> Result<ObjectWriter<'_, 'b>, Failed> {
        self.byte(b'{')?;
        Ok(ObjectWriter { w: self, first: true })
    }

    /// Writes an array of `items`, each with `f`.
    ///
    /// # Errors
    /// As `f`, or [`Failed`] when the buffer is full.
    pub fn array<T>(&mut self, items: &[T], mut f: impl FnMut(&mut Self, &T) -> W) -> W {
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

/// The decimal digits of `n`, at the end of `tmp` (the request's `Content-Length`, counted before it is written).
#[inline(never)]
pub(crate) fn decimal(mut n: usize, tmp: &mut [u8; 20]) -> &[u8] {
    let mut i = tmp.len();
    loop {
        i -= 1;
        if let Some(slot) = tmp.get_mut(i) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    tmp.get(i..).unwrap_or(&[])
}

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
    /// [`Failed`] when the buffer is full.
    #[inline(never)]
    pub fn key(&mut self, name: &str) -> Result<&mut Writer<'b>, Failed> {
        let comma = usize::from(!self.first);
        self.first = false;
        let start = self.w.pos;
        let end = start + comma + name.len() + 3;
        let dst = self.w.buf.get_mut(start..end).ok_or(Failed)?;
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

    /// Writes a key given as written after another member, `,"name":` (the models' key tables hold them so), without
    /// the comma for the first member, and returns the writer for the value: one copy.
    ///
    /// # Errors
    /// [`Failed`] when the buffer is full.
    #[inline(never)]
    pub(crate) fn quoted(&mut self, key: &str) -> Result<&mut Writer<'b>, Failed> {
        let key = key.as_bytes();
        let key = if self.first { key.get(1..).unwrap_or(key) } else { key };
        self.first = false;
        self.w.put(key)?;
        Ok(self.w)
    }

    /// `"name":"value"`.
    ///
    /// # Errors
    /// [`Failed`] when the buffer is full.
    #[inline(never)]
    pub fn str(&mut self, name: &str, value: &str) -> W {
        self.key(name)?.string(value)
    }

    /// `"name":"value"` when `value` is `Some`.
    ///
    /// # Errors
    /// [`Failed`] when the buffer is full.
    pub fn opt_str(&mut self, name: &str, value: Option<&str>) -> W {
        match value {
            Some(v) => self.str(name, v),
            None => Ok(()),
        }
    }

    /// `"name":value` for a `u32`.
    ///
    /// # Errors
    /// [`Failed`] when the buffer is full.
    #[inline(never)]
    pub fn u32(&mut self, name: &str, value: u32) -> W {
        self.key(name)?.u32(value)
    }

    /// `"name":value` for a signed integer.
    ///
    /// # Errors
    /// [`Failed`] when the buffer is full.
    pub fn i64(&mut self, name: &str, value: i64) -> W {
        self.key(name)?.i64(value)
    }

    /// `"name":value` when `value` is `Some`.
    ///
    /// # Errors
    /// [`Failed`] when the buffer is full.
    #[inline(never)]
    pub fn opt_u32(&mut self, name: &str, value: Option<u32>) -> W {
        match value {
            Some(v) => self.u32(name, v),
            None => Ok(()),
        }
    }

    /// `"name":<encoded value>` when `value` is `Some`.
    ///
    /// # Errors
    /// As the value's [`Encode`](super::Encode).
    #[inline]
    pub fn opt<T: super::Encode>(&mut self, name: &str, value: Option<&T>) -> W {
        self.opt_dyn(name, value.map(|v| v as &dyn super::Encode))
    }

    fn opt_dyn(&mut self, name: &str, value: Option<&dyn super::Encode>) -> W {
        match value {
            Some(v) => v.encode_to(self.key(name)?),
            None => Ok(()),
        }
    }

    /// `"name":<encoded value>`.
    ///
    /// # Errors
    /// As the value's [`Encode`](super::Encode).
    pub fn value(&mut self, name: &str, value: &dyn super::Encode) -> W {
        value.encode_to(self.key(name)?)
    }

    /// `"name":<encoded value>` (monomorphic: the value's encoder is called directly).
    ///
    /// # Errors
    /// As the value's [`Encode`](super::Encode).
    #[inline]
    pub fn member<T: super::Encode + ?Sized>(&mut self, name: &str, value: &T) -> W {
        value.encode_to(self.key(name)?)
    }

    /// Closes the object (`}`).
    ///
    /// # Errors
    /// [`Failed`] when the buffer is full.
    #[inline(never)]
    pub fn end(self) -> W {
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
    fn test_decimal_against_to_string() {
        let mut tmp = [0u8; 20];
        let edges = (0..20).flat_map(|e| {
            let p = 10usize.checked_pow(e).unwrap_or(usize::MAX);
            [p - 1, p, p + 1]
        });
        for n in (0..100_000).chain(edges).chain([usize::MAX, usize::MAX - 1]) {
            assert_eq!(decimal(n, &mut tmp), n.to_string().as_bytes(), "{n}");
        }
    }

    #[test]
    fn test_u32_against_to_string_and_a_full_buffer() {
        let edges = (0..10).flat_map(|e| {
            let p = 10u32.pow(e);
            [p - 1, p, p + 1]
        });
        for v in (0..100_000).chain(edges).chain([u32::MAX - 1, u32::MAX]) {
            let mut buf = [b'x'; 12];
            let mut w = Writer::new(&mut buf[..11]);
            w.raw(b"[").unwrap();
            w.u32(v).unwrap();
            let n = w.len();
            assert_eq!(&buf[..n], format!("[{v}").as_bytes(), "{v}");
            assert_eq!(buf[n..], [b'x'; 12][n..], "{v}: nothing written past the number");
            // One byte short of room: refused, nothing written, the position kept.
            let digits = n - 1;
            let mut small = vec![b'x'; digits];
            let mut w = Writer::new(&mut small[..digits - 1]);
            assert!(w.u32(v).is_err(), "{v}");
            assert_eq!(w.len(), 0);
            assert!(small.iter().all(|&b| b == b'x'), "{v}: nothing written when refused");
        }
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
        assert_eq!(w.string("abcd"), Err(Failed));
        assert_eq!(w.error(), Error::BufferTooSmall);
    }
}
