use core::mem::MaybeUninit;

use super::Status;
use crate::HttpError;

/// Header lines the reader accepts in one response.
pub const MAX_HEADERS: usize = 32;

/// What the reader learnt from a response head. `Copy`, so it outlives the borrow of the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct ResponseHead {
    /// Status code.
    pub status: u16,
    /// Whether the connection may carry another request (HTTP/1.1 without `Connection: close`, or a keep-alive
    /// HTTP/1.0, and a body framed by length).
    pub keep_alive: bool,
    /// `Retry-After` in seconds, when given as a number or as an HTTP date after the response's `Date` (429, 503).
    pub retry_after: Option<u32>,
    /// `Date`: the server's clock when it answered, in seconds since the Unix epoch (IMF-fixdate only).
    pub date: Option<u32>,
    /// `Content-Length`, when given.
    pub content_length: Option<usize>,
    /// Whether the body is `chunked`.
    pub chunked: bool,
    /// Length of the head in the buffer.
    pub head_len: usize,
}

/// A complete response as an operation decodes it: the parsed [`ResponseHead`], the raw head (status line and
/// header lines, already checked by the parser) for any other header, and the body.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Response<'a> {
    /// What the reader learnt from the head.
    pub head: ResponseHead,
    /// The head as received (for [`Response::header`]).
    pub head_bytes: &'a [u8],
    /// The body (de-chunked).
    pub body: &'a [u8],
}

impl<'a> Response<'a> {
    /// A response from its parts (e.g. in tests).
    pub fn new(head: ResponseHead, head_bytes: &'a [u8], body: &'a [u8]) -> Self {
        Response { head, head_bytes, body }
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.head.status
    }

    /// The value of the first header called `name` (compared without case), trimmed of blanks.
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        // The status line first, then `name: value` lines; the parser accepted `\r\n` and bare `\n` endings.
        self.head_bytes.split(|&b| b == b'\n').skip(1).find_map(|line| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let colon = line.iter().position(|&b| b == b':')?;
            let (n, v) = line.split_at(colon);
            n.eq_ignore_ascii_case(name.as_bytes())
                .then(|| trim(v.get(1..).unwrap_or(&[])))
        })
    }

    /// `x-correlator`, when the server sent one that is text.
    pub fn correlator(&self) -> Option<&'a str> {
        core::str::from_utf8(self.header("x-correlator")?).ok()
    }
}

impl ResponseHead {
    /// A head with nothing in it (status 0), e.g. to look at raw header lines with [`Response::header`].
    pub const EMPTY: ResponseHead = NO_HEAD;
}

/// The head before one is parsed.
const NO_HEAD: ResponseHead = ResponseHead {
    status: 0,
    keep_alive: false,
    retry_after: None,
    date: None,
    content_length: None,
    chunked: false,
    head_len: 0,
};

/// Where the reader is. The head, once parsed, is kept once in the reader's `head` (not in every phase), and how far
/// the body has got in its `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Head,
    /// Body framed by `Content-Length`, ending at `end`.
    Length,
    /// Body delimited by the end of the connection.
    UntilClose,
    /// Chunked body (de-chunked up to `end`, raw bytes from there): expecting a chunk-size line.
    Size,
    /// Chunked body: inside chunk data, this many bytes to go.
    Data(usize),
    /// Chunked body: expecting the CRLF after chunk data.
    DataEnd,
    /// Chunked body: after the last chunk, trailer lines until an empty line.
    Trailer,
    /// Complete: body at `head.head_len..end`, which is also where the response ends in the buffer.
    Done,
}

/// Incremental HTTP/1.1 response reader over a caller buffer, in the style of minimq's packet reader:
/// write into [`receive_buffer`](Self::receive_buffer), [`commit`](Self::commit) the count, then
/// [`poll`](Self::poll) until [`Status::Complete`].
///
/// Handles `Content-Length`, `chunked` (de-chunked in place, extensions and trailers skipped) and
/// read-until-close bodies; skips interim `1xx` responses; bodies of `204`/`304` are empty. The head and the whole
/// body must fit the buffer ([`HttpError::TooLarge`] otherwise).
///
/// # Panics
/// Never, whatever bytes are committed.
#[derive(Debug)]
pub struct ResponseReader<'b> {
    buf: &'b mut [u8],
    filled: usize,
    /// Where the body ends (`Length`), has been de-chunked to (chunked phases) or ended (`Done`).
    end: usize,
    phase: Phase,
    head: ResponseHead,
}

/// The header names the reader looks at.
const NAMES: [&[u8]; 5] = [
    b"content-length",
    b"transfer-encoding",
    b"connection",
    b"retry-after",
    b"date",
];

fn header_eq(value: &[u8], want: &[u8]) -> bool {
    trim(value).eq_ignore_ascii_case(want)
}

fn trim(mut v: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    v
}

fn has_token(value: &[u8], token: &[u8]) -> bool {
    value.split(|&b| b == b',').any(|t| header_eq(t, token))
}

/// A decimal number of at most 19 digits (so it fits `u64` without overflow checks), blanks around allowed.
fn parse_u64(v: &[u8]) -> Option<u64> {
    let v = trim(v);
    if v.is_empty() || v.len() > 19 {
        return None;
    }
    let mut n = 0u64;
    for &b in v {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n.wrapping_mul(10).wrapping_add(u64::from(d));
    }
    Some(n)
}

/// Moves `buf[from..from + len]` down to `buf[to..]` (`to <= from`), front to back; what lies outside `buf` is
/// left alone.
///
/// A byte loop rather than `copy_within`, which would link `memmove` (about 1.6 KB of thumb code) for moves that are
/// short (what follows an interim head, unparsed chunk framing) or move each byte of a body once (de-chunking, the
/// body of a request after its `Content-Length`): a few cycles a byte.
#[inline(never)]
pub(crate) fn move_down(buf: &mut [u8], from: usize, to: usize, len: usize) {
    #[cfg(test)]
    tests::MOVED.with(|m| m.set(m.get() + len));
    for i in 0..len {
        let Some(&b) = buf.get(from + i) else {
            return;
        };
        let Some(d) = buf.get_mut(to + i) else {
            return;
        };
        *d = b;
        // An empty barrier: keeps the optimiser from turning the loop back into a `memmove` call.
        core::hint::black_box(());
    }
}

impl<'b> ResponseReader<'b> {
    /// A reader using `buf` for the head and the whole body.
    pub fn new(buf: &'b mut [u8]) -> Self {
        ResponseReader {
            buf,
            filled: 0,
            end: 0,
            phase: Phase::Head,
            head: NO_HEAD,
        }
    }

    /// Where the next received bytes go. Empty when the buffer is full.
    pub fn receive_buffer(&mut self) -> &mut [u8] {
        self.buf.get_mut(self.filled..).unwrap_or(&mut [])
    }

    /// Records that `n` bytes were written into [`receive_buffer`](Self::receive_buffer).
    pub fn commit(&mut self, n: usize) {
        self.filled = (self.filled + n).min(self.buf.len());
    }

    /// Parses what has arrived.
    ///
    /// # Errors
    /// A malformed or unsupported response, or one larger than the buffer.
    pub fn poll(&mut self) -> Result<Status<ResponseHead>, HttpError> {
        if self.phase == Phase::Head {
            self.parse_head()?;
        }
        match self.phase {
            Phase::Length if self.filled >= self.end => self.phase = Phase::Done,
            Phase::Size | Phase::Data(_) | Phase::DataEnd | Phase::Trailer => self.dechunk()?,
            _ => {}
        }
        if self.phase == Phase::Done {
            Ok(Status::Complete(self.head))
        } else if self.filled >= self.buf.len() {
            Err(HttpError::TooLarge)
        } else {
            Ok(Status::Partial)
        }
    }

    /// The peer closed the connection: completes a read-until-close body.
    ///
    /// # Errors
    /// [`HttpError::Truncated`] when the response was not complete.
    pub fn finish_eof(&mut self) -> Result<ResponseHead, HttpError> {
        if self.phase != Phase::UntilClose {
            if let Status::Complete(head) = self.poll()? {
                return Ok(head);
            }
            if self.phase != Phase::UntilClose {
                return Err(HttpError::Truncated);
            }
        }
        self.end = self.filled;
        self.phase = Phase::Done;
        Ok(self.head)
    }

    /// The body, once [`poll`](Self::poll) returned [`Status::Complete`] (empty before).
    pub fn body(&self) -> &[u8] {
        match self.phase {
            Phase::Done => self.buf.get(self.head.head_len..self.end).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The complete response (head, its raw header lines and the body), once [`poll`](Self::poll) returned
    /// [`Status::Complete`] (or [`finish_eof`](Self::finish_eof) succeeded).
    pub fn response(&self) -> Option<Response<'_>> {
        match self.phase {
            Phase::Done => Some(Response {
                head: self.head,
                head_bytes: self.buf.get(..self.head.head_len).unwrap_or(&[]),
                body: self.body(),
            }),
            _ => None,
        }
    }

    /// Bytes received beyond the end of the complete response (a server that sends them is misbehaving; do not
    /// reuse the connection).
    pub fn extra(&self) -> usize {
        match self.phase {
            Phase::Done => self.filled.saturating_sub(self.end),
            _ => 0,
        }
    }

    /// Parses the head once it is complete (skipping interim responses) and sets the phase its framing calls for;
    /// leaves the phase at [`Phase::Head`] while the head is partial.
    #[inline(never)]
    fn parse_head(&mut self) -> Result<(), HttpError> {
        // Where the head being parsed starts: interim responses are stepped over, and the bytes after them moved down
        // once per call (not once per interim response, which would make a flood of them quadratic).
        let mut skip = 0;
        loop {
            let mut headers = [MaybeUninit::uninit(); MAX_HEADERS];
            let mut res = httparse::Response::new(&mut []);
            let data = self.buf.get(skip..self.filled).unwrap_or(&[]);
            let parsed =
                httparse::ParserConfig::default().parse_response_with_uninit_headers(&mut res, data, &mut headers);
            let head_len = match parsed {
                Ok(httparse::Status::Complete(n)) => n,
                Ok(httparse::Status::Partial) => {
                    self.drop_front(skip);
                    return Ok(());
                }
                Err(httparse::Error::TooManyHeaders) => return Err(HttpError::TooManyHeaders),
                Err(httparse::Error::Version) => return Err(HttpError::Version),
                Err(_) => return Err(HttpError::Head),
            };
            let status = res.code.ok_or(HttpError::Head)?;
            if (100..200).contains(&status) && status != 101 {
                // Interim response: step over it and parse what follows.
                skip += head_len;
                continue;
            }
            if skip > 0 {
                // The final head, behind interim ones: move it to the front, then parse it there.
                self.drop_front(skip);
                skip = 0;
                continue;
            }
            let mut head = ResponseHead {
                status,
                keep_alive: res.version == Some(1),
                head_len,
                ..NO_HEAD
            };
            let mut content_length: Option<u64> = None;
            let mut retry_at = None;
            for h in res.headers.iter() {
                let value = h.value;
                match NAMES.iter().position(|n| h.name.as_bytes().eq_ignore_ascii_case(n)) {
                    Some(0) => {
                        let v = parse_u64(value).ok_or(HttpError::ContentLength)?;
                        if content_length.is_some_and(|old| old != v) {
                            return Err(HttpError::ContentLength);
                        }
                        content_length = Some(v);
                    }
                    Some(1) => {
                        // Exactly one `chunked` (RFC 9112 §6.1): anything else is a coding we never asked for, or
                        // framing we would have to guess at.
                        if !header_eq(value, b"chunked") {
                            return Err(HttpError::UnsupportedTransferEncoding);
                        }
                        if head.chunked {
                            return Err(HttpError::Framing);
                        }
                        head.chunked = true;
                    }
                    Some(2) => {
                        if has_token(value, b"close") {
                            head.keep_alive = false;
                        } else if has_token(value, b"keep-alive") {
                            head.keep_alive = true;
                        }
                    }
                    Some(3) => match parse_u64(value) {
                        Some(v) => head.retry_after = Some(u32::try_from(v).unwrap_or(u32::MAX)),
                        None => retry_at = crate::time::parse_http_date(value),
                    },
                    Some(_) => head.date = crate::time::parse_http_date(value),
                    None => {}
                }
            }
            // `Retry-After: <HTTP-date>` counts from the response's own `Date` (a device has no clock to compare
            // with); without a `Date` it is ignored.
            if let (Some(at), Some(date)) = (retry_at, head.date) {
                head.retry_after = Some(at.saturating_sub(date));
            }
            // RFC 9112 §6.1/§6.3: `Transfer-Encoding` with `Content-Length` is how requests are smuggled, and chunked
            // is not HTTP/1.0; a client refuses both rather than pick one reading.
            if head.chunked && (content_length.is_some() || res.version != Some(1)) {
                return Err(HttpError::Framing);
            }
            if let Some(v) = content_length {
                head.content_length = Some(usize::try_from(v).map_err(|_| HttpError::TooLarge)?);
            }
            self.end = head_len;
            self.phase = if status == 204 || status == 304 {
                Phase::Done
            } else if head.chunked {
                Phase::Size
            } else if let Some(len) = head.content_length {
                if len > self.buf.len().saturating_sub(head_len) {
                    return Err(HttpError::TooLarge);
                }
                self.end = head_len + len;
                Phase::Length
            } else {
                head.keep_alive = false;
                Phase::UntilClose
            };
            self.head = head;
            return Ok(());
        }
    }

    /// Drops the first `n` received bytes (interim responses), moving the rest to the front.
    fn drop_front(&mut self, n: usize) {
        if n > 0 {
            let rest = self.filled.saturating_sub(n);
            move_down(self.buf, n, 0, rest);
            self.filled = rest;
        }
    }

    /// Advances chunked decoding as far as the received bytes allow, then moves the bytes not yet parsed down to
    /// the end of the decoded body, so that the receive window is as large as it can be (and, once complete,
    /// bytes beyond the response lie right after the body, for [`extra`](Self::extra)).
    #[inline(never)]
    fn dechunk(&mut self) -> Result<(), HttpError> {
        let mut out = self.end;
        let mut raw = out;
        let mut phase = self.phase;
        loop {
            let data = self.buf.get(raw..self.filled).unwrap_or(&[]);
            match phase {
                Phase::Size => match httparse::parse_chunk_size(data) {
                    Ok(httparse::Status::Complete((used, size))) => {
                        raw += used;
                        phase = match usize::try_from(size) {
                            Ok(0) => Phase::Trailer,
                            Ok(size) if size <= self.buf.len() => Phase::Data(size),
                            _ => return Err(HttpError::TooLarge),
                        };
                    }
                    Ok(httparse::Status::Partial) => break,
                    Err(_) => return Err(HttpError::Chunked),
                },
                Phase::Data(left) => {
                    let n = left.min(data.len());
                    if n == 0 {
                        break;
                    }
                    move_down(self.buf, raw, out, n);
                    out += n;
                    raw += n;
                    phase = if n == left {
                        Phase::DataEnd
                    } else {
                        Phase::Data(left - n)
                    };
                }
                Phase::DataEnd => match data {
                    [b'\r', b'\n', ..] => {
                        raw += 2;
                        phase = Phase::Size;
                    }
                    [] | [b'\r'] => break,
                    _ => return Err(HttpError::Chunked),
                },
                // Trailer (only chunked phases get here).
                _ => match data.windows(2).position(|w| w == b"\r\n") {
                    Some(0) => {
                        raw += 2;
                        phase = Phase::Done;
                        break;
                    }
                    Some(line) => raw += line + 2,
                    None => break,
                },
            }
        }
        let rest = self.filled.saturating_sub(raw);
        move_down(self.buf, raw, out, rest);
        self.filled = out + rest;
        self.end = out;
        self.phase = phase;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    std::thread_local! {
        /// Bytes `move_down` moved on this thread.
        pub(super) static MOVED: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
    }

    #[test]
    fn test_a_flood_of_interim_responses_costs_linear_work() {
        // 4,000 interim heads (104 KB) and then the response, received in 1,500-byte reads into a 4 KB buffer.
        let mut wire = b"HTTP/1.1 100 Continue\r\nX: y\r\n\r\n".repeat(4000);
        let interim = wire.len();
        wire.extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        let mut buf = vec![0u8; 4096];
        let mut r = ResponseReader::new(&mut buf);
        MOVED.with(|m| m.set(0));
        let mut at = 0;
        let head = loop {
            let room = r.receive_buffer();
            let n = room.len().min(1500).min(wire.len() - at);
            room[..n].copy_from_slice(&wire[at..at + n]);
            at += n;
            r.commit(n);
            if let Status::Complete(h) = r.poll().unwrap() {
                break h;
            }
        };
        assert_eq!((head.status, r.body()), (200, &b"ok"[..]));
        let moved = MOVED.with(|m| m.get());
        // Each read moves at most the partial head left over (and the final head once): far below the bytes received,
        // where moving the rest after every interim head moved ~ (reads × buffer) bytes.
        assert!(
            moved < interim,
            "moved {moved} bytes for {interim} bytes of interim heads"
        );
    }

    /// Feeds `input` whole and one byte at a time; both must give the same head and body.
    fn read_all(input: &[u8], eof: bool) -> Result<(ResponseHead, Vec<u8>), HttpError> {
        let mut whole = [0u8; 512];
        let mut r = ResponseReader::new(&mut whole);
        r.receive_buffer()[..input.len()].copy_from_slice(input);
        r.commit(input.len());
        let a = match r.poll()? {
            Status::Complete(h) => h,
            Status::Partial if eof => r.finish_eof()?,
            Status::Partial => return Err(HttpError::Truncated),
        };
        let body_a = r.body().to_vec();

        let mut bytewise = [0u8; 512];
        let mut r = ResponseReader::new(&mut bytewise);
        let mut got = None;
        for (i, b) in input.iter().enumerate() {
            r.receive_buffer()[0] = *b;
            r.commit(1);
            match r.poll()? {
                Status::Complete(h) => {
                    got = Some(h);
                    assert_eq!(i + 1, input.len(), "complete before the last byte");
                    break;
                }
                Status::Partial => {}
            }
        }
        let b = match got {
            Some(h) => h,
            None if eof => r.finish_eof()?,
            None => return Err(HttpError::Truncated),
        };
        assert_eq!(a.status, b.status);
        assert_eq!(body_a, r.body(), "bytewise body differs");
        Ok((a, body_a))
    }

    #[test]
    fn test_content_length() {
        let (h, body) = read_all(
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: application/json\r\n\r\nhello",
            false,
        )
        .unwrap();
        assert_eq!(h.status, 200);
        assert!(h.keep_alive);
        assert_eq!(body, b"hello");
    }

    #[test]
    fn test_chunked_with_extensions_and_trailers() {
        let (h, body) = read_all(
            b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: 1\r\n\r\n",
            false,
        )
        .unwrap();
        assert_eq!(h.status, 201);
        assert_eq!(body, b"Wikipedia in\r\n\r\nchunks.");
    }

    #[test]
    fn test_no_body_statuses_and_interim() {
        let (h, body) = read_all(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", false).unwrap();
        assert_eq!(h.status, 204);
        assert!(body.is_empty());
    }

    #[test]
    fn test_until_close() {
        let (h, body) = read_all(b"HTTP/1.0 200 OK\r\n\r\n{\"a\":1}", true).unwrap();
        assert!(!h.keep_alive);
        assert_eq!(body, b"{\"a\":1}");
        assert_eq!(
            read_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true),
            Err(HttpError::Truncated)
        );
    }

    #[test]
    fn test_connection_close_and_retry_after() {
        let (h, _) = read_all(
            b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n",
            false,
        )
        .unwrap();
        assert!(!h.keep_alive);
        assert_eq!(h.retry_after, Some(7));
        assert_eq!(h.date, None);
    }

    #[test]
    fn test_response_headers_survive_interim_heads_and_dechunking() {
        let wire = b"HTTP/1.1 100 Continue\r\nx-correlator: interim\r\n\r\nHTTP/1.1 200 OK\r\nServer: t\r\n\
            X-Correlator:  b4333c46-49c0:4f62 \r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n2\r\n\":\r\n2\r\n1}\r\n0\r\n\r\n";
        for step in [1, 3, wire.len()] {
            let mut buf = [0u8; 256];
            let mut r = ResponseReader::new(&mut buf);
            let mut fed = 0;
            while r.response().is_none() {
                let n = step.min(wire.len() - fed);
                r.receive_buffer()[..n].copy_from_slice(&wire[fed..fed + n]);
                r.commit(n);
                fed += n;
                r.poll().unwrap();
            }
            let res = r.response().unwrap();
            assert_eq!((res.status(), res.body), (200, &b"{\"a\":1}"[..]), "step {step}");
            assert_eq!(res.correlator(), Some("b4333c46-49c0:4f62"));
            assert_eq!(res.header("server"), Some(&b"t"[..]));
            assert_eq!(res.header("SERVER"), Some(&b"t"[..]));
            assert_eq!(res.header("serve"), None);
            assert_eq!(res.header("HTTP/1.1 200 OK"), None, "the status line is not a header");
        }
        // Bare `\n` line endings, and no such header.
        let (_, body) = read_all(b"HTTP/1.1 204 No Content\nA: b\n\n", false).unwrap();
        assert!(body.is_empty());
        let mut buf = [0u8; 64];
        let mut r = ResponseReader::new(&mut buf);
        let wire = b"HTTP/1.1 204 No Content\nA: b\n\n";
        r.receive_buffer()[..wire.len()].copy_from_slice(wire);
        r.commit(wire.len());
        r.poll().unwrap();
        let res = r.response().unwrap();
        assert_eq!(res.header("a"), Some(&b"b"[..]));
        assert_eq!(res.correlator(), None);
    }

    #[test]
    fn test_date_and_retry_after_as_a_date() {
        let (h, _) = read_all(
            b"HTTP/1.1 429 Too Many
Date: Tue, 01 Dec 2026 11:11:30 GMT
Retry-After: Tue, 01 Dec 2026 11:12:00 GMT
Content-Length: 0

",
            false,
        )
        .unwrap();
        assert_eq!((h.date, h.retry_after), (Some(1_796_123_490), Some(30)));
        // A Retry-After date without a Date to count from is ignored; a date in the past means now.
        let (h, _) = read_all(
            b"HTTP/1.1 503 X\r\nRetry-After: Tue, 01 Dec 2026 11:12:00 GMT\r\nContent-Length: 0\r\n\r\n",
            false,
        )
        .unwrap();
        assert_eq!((h.date, h.retry_after), (None, None));
        let (h, _) = read_all(
            b"HTTP/1.1 503 X\r\nRetry-After: Tue, 01 Dec 2026 11:00:00 GMT\r\ndate: Tue, 01 Dec 2026 11:11:30 GMT\r\nContent-Length: 0\r\n\r\n",
            false,
        )
        .unwrap();
        assert_eq!(h.retry_after, Some(0));
        // A malformed Date is absent, not an error.
        let (h, _) = read_all(
            b"HTTP/1.1 200 OK\r\nDate: yesterday\r\nContent-Length: 0\r\n\r\n",
            false,
        )
        .unwrap();
        assert_eq!(h.date, None);
    }

    #[test]
    fn test_bad_responses() {
        assert_eq!(
            read_all(
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                false
            ),
            Err(HttpError::ContentLength)
        );
        assert_eq!(
            read_all(b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false),
            Err(HttpError::ContentLength)
        );
        assert_eq!(
            read_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", false),
            Err(HttpError::UnsupportedTransferEncoding)
        );
        assert_eq!(
            read_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false),
            Err(HttpError::Chunked)
        );
        assert_eq!(
            read_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY", false),
            Err(HttpError::Chunked)
        );
        assert_eq!(read_all(b"HTTP/2 200 OK\r\n\r\n", false), Err(HttpError::Version));
        assert_eq!(read_all(b"garbage\r\n\r\n", false), Err(HttpError::Version));
        assert_eq!(read_all(b"HTTP/1.1 2x0 OK\r\n\r\n", false), Err(HttpError::Head));
        assert_eq!(
            read_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", false),
            Err(HttpError::TooLarge)
        );
    }

    #[test]
    fn test_too_large_when_buffer_fills() {
        let mut buf = [0u8; 16];
        let mut r = ResponseReader::new(&mut buf);
        let input = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
        let n = r.receive_buffer().len();
        r.receive_buffer().copy_from_slice(&input[..n]);
        r.commit(n);
        assert_eq!(r.poll(), Err(HttpError::TooLarge));
    }

    /// Feeds `input` in pieces of the sizes in `steps` (cycled) into a reader over `cap` bytes; returns the head,
    /// the body and `extra()`, or the first error.
    fn feed(input: &[u8], cap: usize, steps: &[usize]) -> Result<(ResponseHead, Vec<u8>, usize), HttpError> {
        let mut buf = vec![0u8; cap];
        let mut r = ResponseReader::new(&mut buf);
        let mut pos = 0;
        let mut steps = steps.iter().cycle();
        loop {
            if let Status::Complete(h) = r.poll()? {
                return Ok((h, r.body().to_vec(), r.extra()));
            }
            let n = (*steps.next().unwrap()).min(input.len() - pos);
            if n == 0 {
                let h = r.finish_eof()?;
                return Ok((h, r.body().to_vec(), r.extra()));
            }
            let dst = r.receive_buffer();
            let n = n.min(dst.len());
            dst[..n].copy_from_slice(&input[pos..pos + n]);
            r.commit(n);
            pos += n;
        }
    }

    /// A plain de-chunker for chunk lines of the form `<hex>[;ext]\r\n`, as a reference.
    fn dechunk_reference(mut raw: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let line_end = raw.windows(2).position(|w| w == b"\r\n").unwrap();
            let line = core::str::from_utf8(&raw[..line_end]).unwrap();
            let size = usize::from_str_radix(line.split(';').next().unwrap().trim(), 16).unwrap();
            raw = &raw[line_end + 2..];
            if size == 0 {
                return out;
            }
            out.extend_from_slice(&raw[..size]);
            assert_eq!(&raw[size..size + 2], b"\r\n");
            raw = &raw[size + 2..];
        }
    }

    /// A deterministic pseudo-random sequence (xorshift), so the tests need no generator crate.
    struct Lcg(u64);
    impl Lcg {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    #[test]
    fn test_many_small_chunks_in_odd_pieces() {
        let mut rng = Lcg(0x2545_f491_4f6c_dd1d);
        for round in 0..40 {
            let body: Vec<u8> = (0..1500 + round * 13).map(|i| b"\r\n{}abc0123"[i % 11]).collect();
            let mut wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
            let head_len = wire.len();
            let mut i = 0;
            while i < body.len() {
                let n = (1 + rng.below(if round % 2 == 0 { 4 } else { 90 })).min(body.len() - i);
                let line = match rng.below(3) {
                    0 => format!("{n:x}\r\n"),
                    1 => format!("{n:X};name=value\r\n"),
                    _ => format!("{n:04x}\r\n"),
                };
                wire.extend_from_slice(line.as_bytes());
                wire.extend_from_slice(&body[i..i + n]);
                wire.extend_from_slice(b"\r\n");
                i += n;
            }
            wire.extend_from_slice(b"0\r\nX-Trailer: yes\r\n\r\n");
            assert_eq!(dechunk_reference(&wire[head_len..]), body);
            // The raw response is far larger than the buffer: framing is reclaimed as it is parsed.
            let cap = head_len + body.len() + 40;
            for steps in [&[1][..], &[7], &[3, 11, 2, 64, 5], &[4096]] {
                let (h, got, extra) =
                    feed(&wire, cap, steps).unwrap_or_else(|e| panic!("round {round} {steps:?}: {e:?}"));
                assert!(h.chunked && h.keep_alive);
                assert_eq!(h.head_len, head_len);
                assert_eq!(got, body, "round {round} steps {steps:?}");
                assert_eq!(extra, 0);
            }
        }
    }

    #[test]
    fn test_chunked_extra_bytes_and_tight_buffer() {
        let wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\nXYZ";
        // Bytes that arrive with the end of the response are reported; in separate pieces they are not read.
        for (steps, want) in [(&[1][..], 0), (&[2][..], 1), (&[100][..], 3)] {
            let (_, body, extra) = feed(wire, 128, steps).unwrap();
            assert_eq!(body, b"abcde");
            assert_eq!(extra, want, "{steps:?}");
        }
        // A chunk larger than the whole buffer, and a chunk size beyond any buffer.
        let big = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n81\r\n";
        assert_eq!(feed(big, 128, &[7]), Err(HttpError::TooLarge));
        let huge = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n";
        assert_eq!(feed(huge, 128, &[7]), Err(HttpError::TooLarge));
        let bad = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000001\r\n";
        assert_eq!(feed(bad, 128, &[7]), Err(HttpError::Chunked));
    }

    #[test]
    fn test_interim_responses_in_pieces() {
        let wire = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n\
                     HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbodyZ";
        for steps in [&[1][..], &[3], &[40, 1], &[200]] {
            let (h, body, extra) = feed(wire, 100, steps).unwrap();
            assert_eq!((h.status, h.head_len, h.content_length), (200, 38, Some(4)));
            assert_eq!(body, b"body");
            if let [1 | 200] = steps {
                assert_eq!(extra, usize::from(steps == [200]));
            }
        }
        // 101 is final: its head is the response.
        let (h, body, _) = feed(b"HTTP/1.1 101 Switching\r\nContent-Length: 0\r\n\r\n", 64, &[9]).unwrap();
        assert_eq!((h.status, body.len()), (101, 0));
    }

    #[test]
    fn test_length_bounds_and_headers() {
        let head = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
        let mut wire = head.to_vec();
        wire.extend_from_slice(b"0123456789");
        // The body fits exactly; one byte less of buffer and it is too large.
        assert_eq!(feed(&wire, wire.len(), &[3]).unwrap().1, b"0123456789");
        assert_eq!(feed(&wire, wire.len() - 1, &[3]), Err(HttpError::TooLarge));
        let (h, _, _) = feed(
            b"HTTP/1.0 429 Too Many\r\nConnection: foo, Keep-Alive\r\nRetry-After: 99999999999\r\n\
              Content-Length: 0\r\nContent-Length: 0\r\n\r\n",
            128,
            &[5],
        )
        .unwrap();
        assert!(h.keep_alive);
        assert_eq!(h.retry_after, Some(u32::MAX));
        let (h, _, _) = feed(
            b"HTTP/1.1 503 x\r\nConnection: close\r\nConnection: keep-alive\r\nRetry-After: 12345678901234567890\r\n\
              Content-Length: 0\r\n\r\n",
            256,
            &[5],
        )
        .unwrap();
        assert!(h.keep_alive);
        assert_eq!(h.retry_after, None);
        // RFC 9112 §6: framing a reader would have to guess at is refused: Transfer-Encoding with Content-Length
        // (either order), chunked in HTTP/1.0, `identity` (no longer a coding).
        for wire in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nA\r\n0\r\n\r\n"[..],
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n1\r\nA\r\n0\r\n\r\n",
            b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nA\r\n0\r\n\r\n",
        ] {
            assert_eq!(
                feed(wire, 128, &[2]),
                Err(HttpError::Framing),
                "{}",
                String::from_utf8_lossy(wire)
            );
        }
        assert_eq!(
            feed(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\nContent-Length: 0\r\n\r\n",
                128,
                &[5]
            ),
            Err(HttpError::UnsupportedTransferEncoding)
        );
        // 304 has no body whatever it says.
        let (h, body, _) = feed(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n", 128, &[2]).unwrap();
        assert_eq!((h.content_length, body.len()), (Some(99), 0));
        assert_eq!(
            feed(
                b"HTTP/1.1 200 OK\r\nContent-Length: 12345678901234567890\r\n\r\n",
                128,
                &[64]
            ),
            Err(HttpError::ContentLength)
        );
        assert_eq!(
            feed(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                128,
                &[64]
            ),
            Err(HttpError::Framing)
        );
    }

    #[test]
    fn test_move_down_matches_copy_within() {
        for len_buf in 0..12 {
            for from in 0..14 {
                for to in 0..=from {
                    for len in 0..14 {
                        let orig: Vec<u8> = (0..len_buf as u8).collect();
                        let mut got = orig.clone();
                        move_down(&mut got, from, to, len);
                        if from + len <= len_buf {
                            let mut want = orig.clone();
                            want.copy_within(from..from + len, to);
                            assert_eq!(got, want, "{len_buf} {from} {to} {len}");
                        }
                    }
                }
            }
        }
    }
}
