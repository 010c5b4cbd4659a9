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
        self.unescape(&mut cmp);
        cmp.equal && cmp.rest.is_empty()
    }

    /// Unescapes an escaped name (validated when it was read) into `sink`.
    #[inline(never)]
    fn unescape(&self, sink: &mut dyn Sink) {
        let _ = Reader::new(self.raw).string_body(sink);
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
    // `\t` (9), `\n` (10), `\r` (13) and space (32) as bits 0, 1, 4 and 23 of a mask starting at 9.
    let i = u32::from(b.wrapping_sub(9));
    i < 24 && (0x80_0013 >> i) & 1 != 0
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    #[inline(never)]
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

    #[inline(never)]
    fn err(&mut self, kind: K) -> Failed {
        self.fail(kind, self.pos)
    }

    #[inline(never)]
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

    /// Consumes the opening `open` of a container.
    fn begin(&mut self, open: u8) -> R<()> {
        self.value_start(open)?;
        self.pos += 1;
        if self.depth >= MAX_DEPTH {
            return Err(self.err(K::TooDeep));
        }
        self.depth += 1;
        self.need_comma = false;
        Ok(())
    }

    /// Consumes the closing byte of the current container.
    #[inline(never)]
    fn close(&mut self) {
        self.pos += 1;
        self.depth = self.depth.saturating_sub(1);
        self.need_comma = true;
    }

    /// Consumes `null` if it is next. Use before decoding an optional member.
    ///
    /// # Errors
    /// A malformed literal starting with `n`.
    #[inline]
    pub fn null(&mut self) -> R<bool> {
        if self.peek() != Some(b'n') {
            return Ok(false);
        }
        self.literal(b"null")?;
        Ok(true)
    }

    fn literal(&mut self, lit: &[u8]) -> R<()> {
        let mut at = self.pos;
        for &c in lit {
            match self.buf.get(at) {
                Some(&b) if b == c => at += 1,
                Some(_) => return Err(self.err(K::Syntax)),
                // A truncated prefix of the literal.
                None => {
                    self.pos = at;
                    return Err(self.err(K::Eof));
                }
            }
        }
        self.pos = at;
        Ok(())
    }

    /// Skips whitespace and checks that the next value starts with `want` (`b'0'`: a number), without consuming it.
    fn value_start(&mut self, want: u8) -> R<()> {
        match self.peek() {
            Some(b) if b == want || (want == b'0' && matches!(b, b'-' | b'1'..=b'9')) => Ok(()),
            next => Err(self.not_start(next)),
        }
    }

    /// The failure for a value that does not start as expected: another type, the end, or not a value.
    fn not_start(&mut self, next: Option<u8>) -> Failed {
        self.err(match next {
            None => K::Eof,
            Some(b'{' | b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9') => K::WrongType,
            Some(_) => K::Syntax,
        })
    }

    /// Consumes `{`.
    ///
    /// # Errors
    /// Not an object, or too deep.
    pub fn begin_object(&mut self) -> R<()> {
        self.begin(b'{')
    }

    /// Consumes `[`.
    ///
    /// # Errors
    /// Not an array, or too deep.
    pub fn begin_array(&mut self) -> R<()> {
        self.begin(b'[')
    }

    /// Before an object's next member: consumes the `,` (when one is due), or the closing `}` (`false`).
    #[inline(always)]
    fn member_separator(&mut self) -> R<bool> {
        match self.peek() {
            Some(b'}') => {
                self.close();
                Ok(false)
            }
            Some(b',') if self.need_comma => {
                self.pos += 1;
                self.skip_ws();
                Ok(true)
            }
            _ if self.need_comma => Err(self.eof_or_syntax()),
            _ => Ok(true),
        }
    }

    /// The next member name of the current object (and its `:`), or `None` after consuming the closing `}`.
    ///
    /// # Errors
    /// Malformed object syntax.
    pub fn next_key(&mut self) -> R<Option<Key<'a>>> {
        if !self.member_separator()? {
            return Ok(None);
        }
        let key = self.key()?;
        self.colon()?;
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
                self.close();
                Ok(false)
            }
            Some(b',') if self.need_comma => {
                self.pos += 1;
                if self.peek() == Some(b']') {
                    return Err(self.err(K::Syntax));
                }
                Ok(true)
            }
            Some(_) if !self.need_comma => {
                self.need_comma = true;
                Ok(true)
            }
            _ => Err(self.eof_or_syntax()),
        }
    }

    /// The next member of the current object, looked up in `keys` (each `,"name":`, as the models' tables hold
    /// them): its index, `keys.len()` for a member not in the table, or `None` after consuming the closing `}`.
    /// Consumes the name and its `:`.
    ///
    /// `hint` is the index expected next (members usually come in the spec's order): a name spelt exactly as
    /// `keys[hint]`'s, quotes included, is taken with its `:` in one comparison, without scanning; anything else
    /// (another member, an escaped name, a malformed one) goes through [`Reader::next_key`]'s path and a search of
    /// the table with [`Key::matches`], with the same result.
    ///
    /// # Errors
    /// Malformed object syntax.
    #[inline]
    pub(crate) fn next_member(&mut self, keys: &[&'static str], hint: usize) -> R<Option<usize>> {
        if !self.member_separator()? {
            return Ok(None);
        }
        if let Some(quoted) = keys.get(hint).and_then(|k| k.as_bytes().get(1..)) {
            // `"name":`: a spec name has no `"`, `\` or control character, so these bytes are exactly the name and
            // its colon.
            let end = self.pos + quoted.len();
            if eq_bytes(self.buf.get(self.pos..end).unwrap_or(&[]), quoted) {
                self.pos = end;
                self.need_comma = true;
                return Ok(Some(hint));
            }
        }
        let key = self.key()?;
        self.colon()?;
        self.need_comma = true;
        Ok(Some(lookup(&key, keys)))
    }

    /// A string (member name or enum value) as it appears in the input; one with escapes is validated.
    fn key(&mut self) -> R<Key<'a>> {
        if self.buf.get(self.pos) != Some(&b'"') {
            return Err(self.eof_or_syntax());
        }
        self.pos += 1;
        let start = self.pos;
        let mut end = self.scan_plain();
        // Names are compared byte-wise with the spec's ASCII names, and an unknown member is skipped unread, so a
        // plain name's encoding cannot affect the result and is not checked here.
        let escaped = self.buf.get(end) != Some(&b'"');
        if escaped {
            // Escaped (or malformed): validate it now, compare it unescaped later.
            self.string_body(&mut Discard)?;
            end = self.pos;
        } else {
            self.pos = end + 1;
        }
        Ok(Key {
            raw: self.buf.get(start..end).unwrap_or(&[]),
            escaped,
        })
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
        self.value_start(b'"')?;
        self.pos += 1;
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
        self.value_start(b'"')?;
        // Read it like a member name (escapes compared in place), then match.
        let at = self.pos + 1;
        let value = self.key()?;
        let found = variants.iter().position(|v| value.matches(v));
        // A value equal to a variant is UTF-8 already; only another one is checked (its error beats "unknown").
        if found.is_none() && !value.escaped && core::str::from_utf8(value.raw).is_err() {
            return Err(self.fail(K::InvalidUtf8, at));
        }
        Ok(found)
    }

    /// A string value without escapes, as its bytes in the input (not checked as UTF-8: the caller parses them as
    /// ASCII); `None`, with nothing consumed, for one with escapes (or malformed), which the caller reads with
    /// [`Reader::string_into`] instead.
    ///
    /// # Errors
    /// Not a string.
    pub(crate) fn plain_string(&mut self) -> R<Option<&'a [u8]>> {
        self.value_start(b'"')?;
        let start = self.pos + 1;
        let end = start + plain_run(self.buf.get(start..).unwrap_or(&[]));
        if self.buf.get(end) != Some(&b'"') {
            return Ok(None);
        }
        self.pos = end + 1;
        Ok(Some(self.buf.get(start..end).unwrap_or(&[])))
    }

    /// The string body from `pos` (after the opening quote), unescaped into `sink`.
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
                    sink.push(utf8(c, &mut tmp));
                }
                Some(_) => return Err(self.err(K::ControlCharacter)),
            }
        }
    }

    /// After a backslash: one escape, as a Unicode scalar value.
    fn escape(&mut self) -> R<u32> {
        let b = *self.buf.get(self.pos).ok_or_else(|| self.err(K::Eof))?;
        self.pos += 1;
        if let Some(i) = b"\"\\/bfnrt".iter().position(|&e| e == b) {
            return Ok(b"\"\\/\x08\x0c\n\r\t".get(i).map_or(0, |&c| u32::from(c)));
        }
        Ok(match b {
            b'u' => {
                let hi = self.hex4()?;
                if (0xD800..0xDC00).contains(&hi) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    match (self.buf.get(self.pos), self.buf.get(self.pos + 1)) {
                        (Some(b'\\'), Some(b'u')) => self.pos += 2,
                        (None, _) | (Some(b'\\'), None) => return Err(self.err(K::Eof)),
                        _ => return Err(self.err(K::InvalidEscape)),
                    }
                    let lo = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(self.err(K::InvalidEscape));
                    }
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else if (0xDC00..0xE000).contains(&hi) {
                    return Err(self.err(K::InvalidEscape));
                } else {
                    hi
                }
            }
            _ => return Err(self.fail(K::InvalidEscape, self.pos - 1)),
        })
    }

    fn hex4(&mut self) -> R<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let b = *self.buf.get(self.pos).ok_or_else(|| self.err(K::Eof))?;
            let d = char::from(b).to_digit(16).ok_or_else(|| self.err(K::InvalidEscape))?;
            v = (v << 4) | d;
            self.pos += 1;
        }
        Ok(v)
    }

    /// An integer value in `min..=max`; fractions, exponents and leading zeros are refused.
    #[inline(never)]
    fn int_in(&mut self, min: i64, max: i64) -> R<i64> {
        self.value_start(b'0')?;
        let start = self.pos;
        let neg = self.buf.get(self.pos) == Some(&b'-');
        if neg {
            self.pos += 1;
        }
        let digits_start = self.pos;
        let (ndigits, v) = self.digits();
        if ndigits == 0 {
            return Err(self.num_err(self.pos));
        }
        let leading_zero = ndigits > 1 && self.buf.get(digits_start) == Some(&b'0');
        if leading_zero || matches!(self.buf.get(self.pos), Some(b'.' | b'e' | b'E')) {
            return Err(self.fail(K::InvalidNumber, start));
        }
        // 19 digits cannot overflow the `u64`; more are beyond every field's range.
        let v = match ndigits {
            20.. => None,
            _ if neg => 0i64.checked_sub_unsigned(v),
            _ => i64::try_from(v).ok(),
        };
        match v {
            Some(v) if v >= min && v <= max => Ok(v),
            _ => Err(self.fail(K::OutOfRange, start)),
        }
    }

    /// An unsigned integer in `min..=max`.
    ///
    /// # Errors
    /// Not an integer, or out of range.
    #[inline(never)]
    pub fn u32_in(&mut self, min: u32, max: u32) -> R<u32> {
        self.int_in(min.into(), max.into()).map(|v| v as u32)
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

    /// A `u32` given as a number or as a string of decimal digits (`"3600"`: some OAuth2 servers send `expires_in`
    /// that way).
    ///
    /// # Errors
    /// Neither, or out of range.
    pub fn u32_or_digits(&mut self) -> R<u32> {
        if self.peek() != Some(b'"') {
            return self.u32();
        }
        let at = self.pos + 1;
        let mut s = heapless::String::<10>::new();
        self.string_into(&mut s).map_err(|_| self.fail(K::WrongType, at))?;
        match s.parse::<u32>() {
            Ok(v) if !s.starts_with('+') => Ok(v),
            _ => Err(self.fail(K::WrongType, at)),
        }
    }

    /// An `i64` (epoch seconds).
    ///
    /// # Errors
    /// Not an integer, or out of range.
    pub fn i64(&mut self) -> R<i64> {
        self.int_in(i64::MIN, i64::MAX)
    }

    /// Skips one complete value of any type, validating it, without recursion.
    ///
    /// # Errors
    /// Malformed JSON, or nesting beyond [`limits::DEPTH`].
    pub fn skip(&mut self) -> R<()> {
        // Bit 0 of `stack` is 1 when the innermost open container is an object; entering shifts left, leaving
        // shifts right. `level` open containers (relative to where we started).
        let mut stack: u64 = 0;
        let mut level: usize = 0;
        'value: loop {
            match self.peek() {
                Some(open @ (b'{' | b'[')) => {
                    self.pos += 1;
                    if self.depth + level >= MAX_DEPTH {
                        return Err(self.err(K::TooDeep));
                    }
                    let is_obj = open == b'{';
                    // `}` and `]` are two above `{` and `[`.
                    if self.peek() == Some(open + 2) {
                        self.pos += 1;
                    } else {
                        stack = (stack << 1) | u64::from(is_obj);
                        level += 1;
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
            while level > 0 {
                let is_obj = stack & 1 != 0;
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        if is_obj {
                            self.skip_member_name()?;
                        }
                        continue 'value;
                    }
                    Some(b'}') if is_obj => {}
                    Some(b']') if !is_obj => {}
                    _ => return Err(self.eof_or_syntax()),
                }
                self.pos += 1;
                level -= 1;
                stack >>= 1;
            }
            self.need_comma = true;
            return Ok(());
        }
    }

    fn skip_member_name(&mut self) -> R<()> {
        if self.peek() != Some(b'"') {
            return Err(self.eof_or_syntax());
        }
        self.pos += 1;
        self.string_body(&mut Discard)?;
        self.colon()
    }

    /// Consumes the `:` after a member name.
    fn colon(&mut self) -> R<()> {
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
        let n = self.digits().0;
        let mut ok = n != 0 && (n == 1 || self.buf.get(int_start) != Some(&b'0'));
        if ok && self.buf.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            ok = self.digits().0 != 0;
        }
        if ok && matches!(self.buf.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.buf.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            ok = self.digits().0 != 0;
        }
        if ok {
            Ok(())
        } else {
            Err(self.num_err(start))
        }
    }

    fn num_err(&mut self, start: usize) -> Failed {
        if self.pos >= self.buf.len() {
            self.err(K::Eof)
        } else {
            self.fail(K::InvalidNumber, start)
        }
    }

    /// Consumes a run of decimal digits: how many, and their value (wrapping; callers bound the count).
    #[inline(never)]
    fn digits(&mut self) -> (usize, u64) {
        let s = self.pos;
        let mut v: u64 = 0;
        while let Some(&b) = self.buf.get(self.pos) {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            v = v.wrapping_mul(10).wrapping_add(u64::from(d));
            self.pos += 1;
        }
        (self.pos - s, v)
    }
}

/// Index of the member named by `key` in `keys` (each `,"name":`; `keys.len()` when it is not there).
#[inline(never)]
fn lookup(key: &Key<'_>, keys: &[&'static str]) -> usize {
    keys.iter()
        .position(|k| key.matches(crate::schema::key_name(k)))
        .unwrap_or(keys.len())
}

/// `a == b` for the short slices of member names, inline (no call to `memcmp`): eight bytes at a time, the last
/// word overlapping the one before (four bytes for names shorter than eight).
#[inline]
fn eq_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return if n < 4 {
            a.iter().zip(b).all(|(x, y)| x == y)
        } else {
            word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4)
        };
    }
    let mut i = 0;
    while i + 8 < n {
        if word8(a, i) != word8(b, i) {
            return false;
        }
        i += 8;
    }
    word8(a, n - 8) == word8(b, n - 8)
}

/// The four bytes of `s` at `i` (callers keep `i + 4 <= s.len()`).
#[inline(always)]
fn word4(s: &[u8], i: usize) -> Option<[u8; 4]> {
    s.get(i..i + 4).and_then(|w| w.try_into().ok())
}

/// The eight bytes of `s` at `i` (callers keep `i + 8 <= s.len()`).
#[inline(always)]
fn word8(s: &[u8], i: usize) -> Option<[u8; 8]> {
    s.get(i..i + 8).and_then(|w| w.try_into().ok())
}

/// Length of the leading run of `bytes` without `"`, `\` or control characters: the bytes a JSON string can hold
/// unescaped. Scans a machine word at a time (SWAR): the strings of a QoD document are mostly long plain runs.
#[inline(never)]
pub(crate) fn plain_run(bytes: &[u8]) -> usize {
    const W: usize = core::mem::size_of::<usize>();
    const ONES: usize = usize::MAX / 0xFF;
    const HIGH: usize = ONES * 0x80;
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + W) {
        let mut word = [0u8; W];
        word.copy_from_slice(chunk);
        let w = usize::from_le_bytes(word);
        let quote = w ^ (ONES * usize::from(b'"'));
        let slash = w ^ (ONES * usize::from(b'\\'));
        // A byte is flagged when it is zero after the XOR (quote/backslash) or below 0x20 (control). The lowest
        // flagged byte is exact; higher flags may be spurious, which is fine since only the first is used.
        let hits = ((quote.wrapping_sub(ONES) & !quote)
            | (slash.wrapping_sub(ONES) & !slash)
            | (w.wrapping_sub(ONES * 0x20) & !w))
            & HIGH;
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += W;
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

/// `code` (a Unicode scalar value) as UTF-8, in `tmp`.
fn utf8(code: u32, tmp: &mut [u8; 4]) -> &str {
    let len = match code {
        0..=0x7f => 1,
        0x80..=0x7ff => 2,
        0x800..=0xffff => 3,
        _ => 4,
    };
    let mut c = code;
    let mut i = len;
    while i > 1 {
        i -= 1;
        if let Some(b) = tmp.get_mut(i) {
            *b = 0x80 | (c & 0x3f) as u8;
        }
        c >>= 6;
    }
    // The leading byte's length marker: none, 0xC0, 0xE0 or 0xF0.
    tmp[0] = c as u8 | (0xF0E0_C000u32 >> (8 * (len - 1))) as u8;
    core::str::from_utf8(tmp.get(..len).unwrap_or(&[])).unwrap_or_default()
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
    fn test_eq_bytes_every_length_and_position() {
        let a: Vec<u8> = (b'a'..=b'z').collect();
        for n in 0..=a.len() {
            let x = &a[..n];
            assert!(eq_bytes(x, x), "{n}");
            assert!(!eq_bytes(x, &a[..n.saturating_sub(1)]) || n == 0, "{n}: shorter");
            for i in 0..n {
                let mut y = x.to_vec();
                y[i] ^= 0x20;
                assert!(!eq_bytes(x, &y), "{n}: byte {i}");
            }
        }
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
    fn test_string_errors_point_at_the_string_and_the_reader_goes_on_after_it() {
        let read = |j: &[u8]| {
            let mut r = Reader::new(j);
            let mut s = heapless::String::<8>::new();
            match r.string_into(&mut s) {
                Ok(()) => Ok((s, r.offset())),
                Err(_) => Err((r.error().kind, r.error().offset)),
            }
        };
        // Plain (read in place) and escaped (unescaped through a sink): the same value and position after it.
        assert_eq!(read(br#" "abc","#), Ok(("abc".try_into().unwrap(), 6)));
        assert_eq!(read(br#" "a\u0062c","#), Ok(("abc".try_into().unwrap(), 11)));
        assert_eq!(read(br#""""#), Ok((heapless::String::new(), 2)));
        // Too long or not UTF-8: at the string's first byte, after the blanks and the quote, either way.
        assert_eq!(read(br#" "123456789""#), Err((K::TooLong, 2)));
        assert_eq!(read(br#" "12345678\u0041""#), Err((K::TooLong, 2)));
        assert_eq!(read(b"  \"ab\xff\""), Err((K::InvalidUtf8, 3)));
        assert_eq!(read(b" 1"), Err((K::WrongType, 1)));
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
