use super::Failed;
use crate::{limits, DecodeError, DecodeErrorKind as K};

type R<T> = Result<T, Failed>;

/// The most container levels [`Reader`] tracks (its skip stack is a `u64` bit set).
const MAX_DEPTH: usize = if limits::DEPTH < 64 { limits::DEPTH } else { 64 };

/// A member name as it appears in the input. Names are compared with [`Key::matches`]; one with escapes is
/// unescaped during the comparison (rare on the wire, so that path stays out of the common one).
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    /// Without escapes: the bytes between the quotes. With escapes: those bytes and the closing quote.
    raw: &'a [u8],
    escaped: bool,
}

impl Key<'_> {
    /// Whether the name, unescaped, equals `name`.
    pub fn matches(&self, name: &str) -> bool {
        if !self.escaped {
            return self.raw == name.as_bytes();
        }
        let mut cmp = Compare {
            rest: name.as_bytes(),
            equal: true,
        };
        let mut r = Reader::new(self.raw);
        r.string_body(&mut cmp).is_ok() && cmp.equal && cmp.rest.is_empty()
    }
}

/// Compares unescaped pieces with the rest of an expected name.
struct Compare<'n> {
    rest: &'n [u8],
    equal: bool,
}

impl Sink for Compare<'_> {
    fn push(&mut self, s: &str) {
        match self.rest.strip_prefix(s.as_bytes()) {
            Some(rest) => self.rest = rest,
            None => self.equal = false,
        }
    }
}

/// A pull parser over one JSON document in `&[u8]`. See the [module docs](super) for its guarantees.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    depth: usize,
    /// A value was just consumed inside the current container, so a `,` must come before the next one.
    need_comma: bool,
    /// The last failure, completed with member names as it leaves each member.
    error: DecodeError,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            pos: 0,
            depth: 0,
            need_comma: false,
            error: DecodeError::new(K::Syntax, 0),
        }
    }

    /// Current byte offset.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// What went wrong, where, once a step returned [`Failed`].
    pub fn error(&self) -> DecodeError {
        self.error
    }

    /// Records a failure of `kind` at byte `at`.
    #[cold]
    #[inline(never)]
    pub(crate) fn fail(&mut self, kind: K, at: usize) -> Failed {
        self.error = DecodeError::new(kind, at);
        Failed
    }

    /// Adds `name` to the failure's member path, as the failure leaves that member.
    #[cold]
    #[inline(never)]
    pub(crate) fn in_member(&mut self, name: &'static str) -> Failed {
        self.error.path.push_outer(name);
        Failed
    }

    fn err(&mut self, kind: K) -> Failed {
        self.fail(kind, self.pos)
    }

    fn eof_or_syntax(&mut self) -> Failed {
        if self.pos >= self.buf.len() {
            self.err(K::Eof)
        } else {
            self.err(K::Syntax)
        }
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.buf.get(self.pos) {
            if !is_ws(b) {
                break;
            }
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.buf.get(self.pos).copied()
    }

    /// Checks that only whitespace follows the document.
    ///
    /// # Errors
    /// [`K::TrailingCharacters`].
    pub fn finish(&mut self) -> R<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.err(K::TrailingCharacters)),
        }
    }

    fn enter(&mut self) -> R<()> {
        if self.depth >= MAX_DEPTH {
            return Err(self.err(K::TooDeep));
        }
        self.depth += 1;
        self.need_comma = false;
        Ok(())
    }

    /// Consumes `null` if it is next. Use before decoding an optional member.
    ///
    /// # Errors
    /// A malformed literal starting with `n`.
    pub fn null(&mut self) -> R<bool> {
        if self.peek() != Some(b'n') {
            return Ok(false);
        }
        self.literal(b"null")?;
        Ok(true)
    }

    fn literal(&mut self, lit: &[u8]) -> R<()> {
        let end = self.pos + lit.len();
        match self.buf.get(self.pos..end) {
            Some(s) if s == lit => {
                self.pos = end;
                Ok(())
            }
            _ => {
                // Report EOF if the input is a truncated prefix of the literal.
                let rest = self.buf.get(self.pos..).unwrap_or(&[]);
                if rest.len() < lit.len() && lit.starts_with(rest) {
                    self.pos = self.buf.len();
                    Err(self.err(K::Eof))
                } else {
                    Err(self.err(K::Syntax))
                }
            }
        }
    }

    fn expect_value_start(&mut self, want: u8) -> R<()> {
        match self.peek() {
            Some(b) if b == want => {
                self.pos += 1;
                Ok(())
            }
            None => Err(self.err(K::Eof)),
            Some(b'{' | b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9') => Err(self.err(K::WrongType)),
            Some(_) => Err(self.err(K::Syntax)),
        }
    }

    /// Consumes `{`.
    ///
    /// # Errors
    /// Not an object, or too deep.
    pub fn begin_object(&mut self) -> R<()> {
        self.expect_value_start(b'{')?;
        self.enter()
    }

    /// Consumes `[`.
    ///
    /// # Errors
    /// Not an array, or too deep.
    pub fn begin_array(&mut self) -> R<()> {
        self.expect_value_start(b'[')?;
        self.enter()
    }

    /// The next member name of the current object (and its `:`), or `None` after consuming the closing `}`.
    ///
    /// # Errors
    /// Malformed object syntax.
    pub fn next_key(&mut self) -> R<Option<Key<'a>>> {
        match self.peek() {
            Some(b'}') => {
                self.pos += 1;
                self.depth = self.depth.saturating_sub(1);
                self.need_comma = true;
                return Ok(None);
            }
            Some(b',') if self.need_comma => {
                self.pos += 1;
                self.skip_ws();
            }
            _ if self.need_comma => return Err(self.eof_or_syntax()),
            _ => {}
        }
        let key = self.key()?;
        match self.peek() {
            Some(b':') => self.pos += 1,
            _ => return Err(self.eof_or_syntax()),
        }
        self.need_comma = true;
        Ok(Some(key))
    }

    /// Whether the current array has another element (consuming the `,`), or `false` after consuming `]`.
    ///
    /// # Errors
    /// Malformed array syntax.
    pub fn next_element(&mut self) -> R<bool> {
        match self.peek() {
            Some(b']') => {
                self.pos += 1;
                self.depth = self.depth.saturating_sub(1);
                self.need_comma = true;
                Ok(false)
            }
            Some(b',') if self.need_comma => {
                self.pos += 1;
                if self.peek() == Some(b']') {
                    return Err(self.err(K::Syntax));
                }
                Ok(true)
            }
            _ if self.need_comma => Err(self.eof_or_syntax()),
            None => Err(self.err(K::Eof)),
            Some(_) => {
                self.need_comma = true;
                Ok(true)
            }
        }
    }

    fn key(&mut self) -> R<Key<'a>> {
        if self.buf.get(self.pos) != Some(&b'"') {
            return Err(self.eof_or_syntax());
        }
        self.pos += 1;
        let start = self.pos;
        let end = self.scan_plain();
        match self.buf.get(end) {
            Some(b'"') => {
                // Names are compared byte-wise with the spec's ASCII names, and an unknown member is skipped unread,
                // so a name's encoding cannot affect the result and is not checked here.
                self.pos = end + 1;
                Ok(Key {
                    raw: self.buf.get(start..end).unwrap_or(&[]),
                    escaped: false,
                })
            }
            _ => {
                // Escaped (or malformed) name: validate it now, compare it unescaped later.
                self.pos = start;
                self.string_body(&mut Discard)?;
                Ok(Key {
                    raw: self.buf.get(start..self.pos).unwrap_or(&[]),
                    escaped: true,
                })
            }
        }
    }

    /// Index of the first byte at or after `pos` that is `"`, `\` or a control character (or the end).
    #[inline]
    fn scan_plain(&self) -> usize {
        self.pos + plain_run(self.buf.get(self.pos..).unwrap_or(&[]))
    }

    /// Decodes a string value into `out` (cleared first).
    ///
    /// # Errors
    /// Not a string, malformed, invalid UTF-8, or longer than `N`.
    #[inline]
    pub fn string_into<const N: usize>(&mut self, out: &mut heapless::String<N>) -> R<()> {
        self.string_into_view(out.as_mut_view())
    }

    /// [`Reader::string_into`] for any capacity, through heapless's unsized view (one copy of the code for all
    /// capacities, which matters for flash).
    ///
    /// # Errors
    /// As [`Reader::string_into`].
    pub fn string_into_view(&mut self, out: &mut heapless::string::StringView) -> R<()> {
        out.clear();
        self.expect_value_start(b'"')?;
        let start = self.pos;
        let end = self.scan_plain();
        if self.buf.get(end) == Some(&b'"') {
            // Fast path: no escapes.
            let raw = self.buf.get(start..end).unwrap_or(&[]);
            let s = core::str::from_utf8(raw).map_err(|_| self.err(K::InvalidUtf8))?;
            out.push_str(s).map_err(|_| self.err(K::TooLong))?;
            self.pos = end + 1;
            return Ok(());
        }
        let mut sink = StringSink(out, false);
        self.string_body(&mut sink)?;
        if sink.1 {
            return Err(self.fail(K::TooLong, start));
        }
        Ok(())
    }

    /// Decodes a string value into `out`, then checks it equals `expected`.
    ///
    /// # Errors
    /// As [`Reader::string_into`], or [`K::UnexpectedValue`].
    pub fn expect_string(&mut self, expected: &str) -> R<()> {
        let start = self.pos;
        let mut s = heapless::String::<64>::new();
        self.string_into(&mut s).map_err(|e| {
            if self.error.kind == K::TooLong {
                self.err(K::UnexpectedValue)
            } else {
                e
            }
        })?;
        if s.as_str() == expected {
            Ok(())
        } else {
            Err(self.fail(K::UnexpectedValue, start))
        }
    }

    /// Decodes a string value and matches it against `variants` (spec spelling, index = result); `None` for a value
    /// not in the list.
    ///
    /// # Errors
    /// Not a (well-formed) string.
    pub fn enum_index(&mut self, variants: &[&str]) -> R<Option<usize>> {
        self.expect_value_start(b'"')?;
        // Read it like a member name (escapes compared in place), then match.
        self.pos -= 1;
        let at = self.pos + 1;
        let value = self.key()?;
        if !value.escaped && core::str::from_utf8(value.raw).is_err() {
            return Err(self.fail(K::InvalidUtf8, at));
        }
        Ok(variants.iter().position(|v| value.matches(v)))
    }

    /// Slow path: the string body from `pos` (after the opening quote) with escapes, into `sink`.
    fn string_body(&mut self, sink: &mut dyn Sink) -> R<()> {
        loop {
            let run_start = self.pos;
            let end = self.scan_plain();
            let run = self.buf.get(run_start..end).unwrap_or(&[]);
            if !run.is_empty() {
                let s = core::str::from_utf8(run).map_err(|_| self.err(K::InvalidUtf8))?;
                sink.push(s);
            }
            self.pos = end;
            match self.buf.get(end) {
                None => return Err(self.err(K::Eof)),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = self.escape()?;
                    let mut tmp = [0u8; 4];
                    sink.push(c.encode_utf8(&mut tmp));
                }
                Some(_) => return Err(self.err(K::ControlCharacter)),
            }
        }
    }

    /// After a backslash: one escape, as a char.
    fn escape(&mut self) -> R<char> {
        let b = *self.buf.get(self.pos).ok_or_else(|| self.err(K::Eof))?;
        self.pos += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    let rest = self.buf.get(self.pos..).unwrap_or(&[]);
                    if !rest.starts_with(b"\\u") {
                        let truncated = rest.len() < 2 && b"\\u".starts_with(rest);
                        return Err(self.err(if truncated { K::Eof } else { K::InvalidEscape }));
                    }
                    self.pos += 2;
                    let lo = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(self.err(K::InvalidEscape));
                    }
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else {
                    hi
                };
                char::from_u32(code).ok_or_else(|| self.err(K::InvalidEscape))?
            }
            _ => return Err(self.fail(K::InvalidEscape, self.pos - 1)),
        })
    }

    fn hex4(&mut self) -> R<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let b = *self.buf.get(self.pos).ok_or_else(|| self.err(K::Eof))?;
            let d = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => return Err(self.err(K::InvalidEscape)),
            };
            v = (v << 4) | u32::from(d);
            self.pos += 1;
        }
        Ok(v)
    }

    /// Decodes an integer value as `(negative, magnitude)`; fractions, exponents and leading zeros are refused, and
    /// more than 19 digits (beyond every field's range) is [`K::OutOfRange`].
    fn integer(&mut self) -> R<(bool, u64)> {
        self.expect_value_start_num()?;
        let start = self.pos;
        let neg = self.buf.get(self.pos) == Some(&b'-');
        if neg {
            self.pos += 1;
        }
        let digits_start = self.pos;
        let mut v: u64 = 0;
        while let Some(&b) = self.buf.get(self.pos) {
            if !b.is_ascii_digit() {
                break;
            }
            // Cannot overflow within 19 digits; longer numbers are refused below.
            v = v.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
            self.pos += 1;
        }
        let ndigits = self.pos - digits_start;
        if ndigits == 0 {
            return Err(self.num_err(self.pos));
        }
        let leading_zero = ndigits > 1 && self.buf.get(digits_start) == Some(&b'0');
        if leading_zero || matches!(self.buf.get(self.pos), Some(b'.' | b'e' | b'E')) {
            return Err(self.fail(K::InvalidNumber, start));
        }
        if ndigits > 19 {
            return Err(self.fail(K::OutOfRange, start));
        }
        Ok((neg, v))
    }

    fn expect_value_start_num(&mut self) -> R<()> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => Ok(()),
            None => Err(self.err(K::Eof)),
            Some(b'{' | b'[' | b'"' | b't' | b'f' | b'n') => Err(self.err(K::WrongType)),
            Some(_) => Err(self.err(K::Syntax)),
        }
    }

    /// An unsigned integer in `min..=max`.
    ///
    /// # Errors
    /// Not an integer, or out of range.
    #[inline(never)]
    pub fn u32_in(&mut self, min: u32, max: u32) -> R<u32> {
        let start = self.peek_pos();
        let (neg, v) = self.integer()?;
        match u32::try_from(v) {
            Ok(v) if (!neg || v == 0) && v >= min && v <= max => Ok(v),
            _ => Err(self.fail(K::OutOfRange, start)),
        }
    }

    /// A `u16` (ports, HTTP statuses).
    ///
    /// # Errors
    /// Not an integer, or out of range.
    pub fn u16(&mut self) -> R<u16> {
        self.u32_in(0, u32::from(u16::MAX)).map(|v| v as u16)
    }

    /// A `u32`.
    ///
    /// # Errors
    /// Not an integer, or out of range.
    pub fn u32(&mut self) -> R<u32> {
        self.u32_in(0, u32::MAX)
    }

    /// An `i64` (epoch seconds).
    ///
    /// # Errors
    /// Not an integer, or out of range.
    pub fn i64(&mut self) -> R<i64> {
        let start = self.peek_pos();
        let (neg, v) = self.integer()?;
        if neg {
            if v > (i64::MAX as u64) + 1 {
                return Err(self.fail(K::OutOfRange, start));
            }
            Ok((v as i64).wrapping_neg())
        } else {
            i64::try_from(v).map_err(|_| self.fail(K::OutOfRange, start))
        }
    }

    fn peek_pos(&mut self) -> usize {
        self.skip_ws();
        self.pos
    }

    /// Skips one complete value of any type, validating it, without recursion.
    ///
    /// # Errors
    /// Malformed JSON, or nesting beyond [`limits::DEPTH`].
    pub fn skip(&mut self) -> R<()> {
        // Bit i of `stack` is 1 when level i (relative to where we started) is an object.
        let mut stack: u64 = 0;
        let mut level: usize = 0;
        'value: loop {
            match self.peek() {
                Some(b'{') | Some(b'[') => {
                    let is_obj = self.buf.get(self.pos) == Some(&b'{');
                    self.pos += 1;
                    if self.depth + level >= MAX_DEPTH {
                        return Err(self.err(K::TooDeep));
                    }
                    if is_obj {
                        stack |= 1 << level;
                    } else {
                        stack &= !(1 << level);
                    }
                    level += 1;
                    let close = if is_obj { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.pos += 1;
                        level -= 1;
                    } else {
                        if is_obj {
                            self.skip_member_name()?;
                        }
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    self.pos += 1;
                    self.string_body(&mut Discard)?;
                }
                Some(b't') => self.literal(b"true")?,
                Some(b'f') => self.literal(b"false")?,
                Some(b'n') => self.literal(b"null")?,
                Some(b'-' | b'0'..=b'9') => self.skip_number()?,
                None => return Err(self.err(K::Eof)),
                Some(_) => return Err(self.err(K::Syntax)),
            }
            // After a value: close containers or move to the next element.
            loop {
                if level == 0 {
                    self.need_comma = true;
                    return Ok(());
                }
                let is_obj = stack & (1 << (level - 1)) != 0;
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        if is_obj {
                            self.skip_ws();
                            self.skip_member_name()?;
                        }
                        continue 'value;
                    }
                    Some(b'}') if is_obj => {
                        self.pos += 1;
                        level -= 1;
                    }
                    Some(b']') if !is_obj => {
                        self.pos += 1;
                        level -= 1;
                    }
                    _ => return Err(self.eof_or_syntax()),
                }
            }
        }
    }

    fn skip_member_name(&mut self) -> R<()> {
        if self.peek() != Some(b'"') {
            return Err(self.eof_or_syntax());
        }
        self.pos += 1;
        self.string_body(&mut Discard)?;
        match self.peek() {
            Some(b':') => {
                self.pos += 1;
                Ok(())
            }
            _ => Err(self.eof_or_syntax()),
        }
    }

    fn skip_number(&mut self) -> R<()> {
        let start = self.pos;
        if self.buf.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        let n = self.digits();
        if n == 0 || (n > 1 && self.buf.get(int_start) == Some(&b'0')) {
            return Err(self.num_err(start));
        }
        if self.buf.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.num_err(start));
            }
        }
        if matches!(self.buf.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.buf.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.num_err(start));
            }
        }
        Ok(())
    }

    fn num_err(&mut self, start: usize) -> Failed {
        if self.pos >= self.buf.len() {
            self.err(K::Eof)
        } else {
            self.fail(K::InvalidNumber, start)
        }
    }

    fn digits(&mut self) -> usize {
        let s = self.pos;
        while matches!(self.buf.get(self.pos), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - s
    }
}

/// Length of the leading run of `bytes` without `"`, `\` or control characters: the bytes a JSON string can hold
/// unescaped. Scans eight bytes at a time (SWAR): the strings of a QoD document are mostly long plain runs.
#[inline(never)]
pub(crate) fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let quote = w ^ (ONES * u64::from(b'"'));
        let slash = w ^ (ONES * u64::from(b'\\'));
        // A byte is flagged when it is zero after the XOR (quote/backslash) or below 0x20 (control). The lowest
        // flagged byte is exact; higher flags may be spurious, which is fine since only the first is used.
        let hits = ((quote.wrapping_sub(ONES) & !quote)
            | (slash.wrapping_sub(ONES) & !slash)
            | (w.wrapping_sub(ONES * 0x20) & !w))
            & HIGH;
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

/// Where unescaped string pieces go.
trait Sink {
    fn push(&mut self, s: &str);
}

struct Discard;
impl Sink for Discard {
    fn push(&mut self, _: &str) {}
}

/// Pushes into a heapless string, remembering overflow (reported once the string is fully parsed).
struct StringSink<'s>(&'s mut heapless::string::StringView, bool);
impl Sink for StringSink<'_> {
    fn push(&mut self, s: &str) {
        if self.0.push_str(s).is_err() {
            self.1 = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string<const N: usize>(json: &str) -> R<heapless::String<N>> {
        let mut r = Reader::new(json.as_bytes());
        let mut s = heapless::String::new();
        r.string_into(&mut s)?;
        r.finish()?;
        Ok(s)
    }

    #[test]
    fn test_decode_escapes() {
        assert_eq!(string::<32>(r#""a\/b\"c\\d""#).unwrap(), "a/b\"c\\d");
        assert_eq!(string::<32>(r#""\b\f\n\r\t""#).unwrap(), "\u{8}\u{c}\n\r\t");
        assert_eq!(string::<32>(r#""caf\u00e9 \u00E9""#).unwrap(), "café é");
        assert_eq!(string::<32>(r#""\ud83d\ude00!""#).unwrap(), "😀!");
        assert_eq!(string::<32>("\"raw é 😀\"").unwrap(), "raw é 😀");
        assert_eq!(string::<32>(r#""QOS\u005fVC""#).unwrap(), "QOS_VC");
    }

    #[test]
    fn test_decode_bad_strings() {
        let kind = |j: &[u8]| {
            let mut r = Reader::new(j);
            let mut s = heapless::String::<8>::new();
            r.string_into(&mut s).unwrap_err();
            r.error().kind
        };
        assert_eq!(kind(br#""\ud83d""#), K::InvalidEscape, "lone high surrogate");
        assert_eq!(kind(br#""\ud83dx""#), K::InvalidEscape);
        assert_eq!(kind(br#""\ude00""#), K::InvalidEscape, "lone low surrogate");
        assert_eq!(kind(br#""\ud83d\u0041""#), K::InvalidEscape);
        assert_eq!(kind(br#""\x""#), K::InvalidEscape);
        assert_eq!(kind(br#""\u12g4""#), K::InvalidEscape);
        assert_eq!(kind(b"\"a\nb\""), K::ControlCharacter);
        assert_eq!(kind(b"\"\xff\""), K::InvalidUtf8);
        assert_eq!(kind(b"\"a\\\xff\""), K::InvalidEscape);
        assert_eq!(kind(b"\"abc"), K::Eof);
        assert_eq!(kind(b"\"abc\\"), K::Eof);
        assert_eq!(kind(b"\"\\u12"), K::Eof);
        assert_eq!(kind(b"\"123456789\""), K::TooLong);
        assert_eq!(kind(b"\"12345678\\u0041\""), K::TooLong);
        assert_eq!(kind(b"12"), K::WrongType);
    }

    #[test]
    fn test_integers() {
        let int = |j: &str| {
            let mut r = Reader::new(j.as_bytes());
            r.i64().map_err(|_| r.error().kind)
        };
        let u16 = |j: &[u8]| {
            let mut r = Reader::new(j);
            r.u16().map_err(|_| r.error().kind)
        };
        assert_eq!(int("0").unwrap(), 0);
        assert_eq!(int(" -12 ").unwrap(), -12);
        assert_eq!(int("9223372036854775807").unwrap(), i64::MAX);
        assert_eq!(int("-9223372036854775808").unwrap(), i64::MIN);
        assert_eq!(int("9223372036854775808").unwrap_err(), K::OutOfRange);
        assert_eq!(int("99999999999999999999999").unwrap_err(), K::OutOfRange);
        assert_eq!(int("01").unwrap_err(), K::InvalidNumber);
        assert_eq!(int("1.0").unwrap_err(), K::InvalidNumber);
        assert_eq!(int("1e3").unwrap_err(), K::InvalidNumber);
        assert_eq!(int("-").unwrap_err(), K::Eof);
        assert_eq!(int("\"1\"").unwrap_err(), K::WrongType);
        assert_eq!(u16(b"65535").unwrap(), 65535);
        assert_eq!(u16(b"65536").unwrap_err(), K::OutOfRange);
        assert_eq!(u16(b"-1").unwrap_err(), K::OutOfRange);
        assert_eq!(u16(b"-0").unwrap(), 0);
    }

    fn skip_all(j: &[u8]) -> Result<(), DecodeError> {
        let mut r = Reader::new(j);
        r.skip().and_then(|()| r.finish()).map_err(|_| r.error())
    }

    #[test]
    fn test_skip_valid() {
        for j in [
            "1",
            "-0.5e+10",
            "\"a\\\"b\"",
            "true",
            "null",
            "[]",
            "{}",
            r#"{"a":[1,{"b":null},"x\"]"],"c":{"d":{}}}"#,
            " [ 1 , 2 ] ",
        ] {
            skip_all(j.as_bytes()).unwrap_or_else(|e| panic!("{j}: {e}"));
        }
    }

    #[test]
    fn test_skip_invalid() {
        for j in [
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "[1 2]",
            "{1:2}",
            "[}",
            "{]",
            "tru",
            "nul",
            "01",
            "1.",
            "1e",
            "-",
            "[",
            "{\"a\":",
            "\"",
            "]",
            ",",
        ] {
            assert!(skip_all(j.as_bytes()).is_err(), "{j} should fail");
        }
    }

    #[test]
    fn test_skip_deep_nesting_is_refused_without_recursion() {
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes();
        assert_eq!(skip_all(&deep).unwrap_err().kind, K::TooDeep);
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH)).into_bytes();
        skip_all(&ok).unwrap();
    }

    #[test]
    fn test_object_iteration() {
        let mut r = Reader::new(br#" { "a" : 1 , "b\u0063" : [ 2 , 3 ] , "c" : {} } "#);
        r.begin_object().unwrap();
        let k = r.next_key().unwrap().unwrap();
        assert!(k.matches("a") && !k.matches("b") && !k.matches(""));
        assert_eq!(r.u32().unwrap(), 1);
        let k = r.next_key().unwrap().unwrap();
        assert!(k.matches("bc") && !k.matches("b") && !k.matches("bcd") && !k.matches("bd"));
        r.begin_array().unwrap();
        let mut items = vec![];
        while r.next_element().unwrap() {
            items.push(r.u32().unwrap());
        }
        assert_eq!(items, [2, 3]);
        assert!(r.next_key().unwrap().unwrap().matches("c"));
        r.skip().unwrap();
        assert!(r.next_key().unwrap().is_none());
        r.finish().unwrap();
    }

    #[test]
    fn test_trailing_characters() {
        let mut r = Reader::new(b"{} x");
        r.skip().unwrap();
        r.finish().unwrap_err();
        assert_eq!(r.error().kind, K::TrailingCharacters);
    }
}
