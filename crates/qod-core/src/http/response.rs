use super::Status;
use crate::HttpError;

/// Header lines the reader accepts in one response.
pub const MAX_HEADERS: usize = 32;

/// What the reader learnt from a response head. `Copy`, so it outlives the borrow of the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ResponseHead {
    /// Status code.
    pub status: u16,
    /// Whether the connection may carry another request (HTTP/1.1 without `Connection: close`, or a keep-alive
    /// HTTP/1.0, and a body framed by length).
    pub keep_alive: bool,
    /// `Retry-After` in seconds, when given as a number (429, 503).
    pub retry_after: Option<u32>,
    /// `Content-Length`, when given.
    pub content_length: Option<usize>,
    /// Whether the body is `chunked`.
    pub chunked: bool,
    /// Length of the head in the buffer.
    pub head_len: usize,
}

#[derive(Debug, Clone, Copy)]
enum Chunk {
    /// Expecting a chunk-size line.
    Size,
    /// Inside chunk data, this many bytes to go.
    Data(usize),
    /// Expecting the CRLF after chunk data.
    DataEnd,
    /// After the last chunk: trailer lines until an empty line.
    Trailer,
}

#[derive(Debug, Clone, Copy)]
enum State {
    Head,
    /// Body framed by `Content-Length`.
    Length(ResponseHead, usize),
    /// Chunked body: decoded body ends at `out`, raw bytes not yet parsed start at `raw`.
    Chunked {
        head: ResponseHead,
        out: usize,
        raw: usize,
        chunk: Chunk,
    },
    /// Body delimited by the end of the connection.
    UntilClose(ResponseHead),
    /// Complete: body at `head.head_len..body_end`; response ends at `end` in the buffer.
    Done {
        head: ResponseHead,
        body_end: usize,
        end: usize,
    },
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
    state: State,
}

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

fn parse_u64(v: &[u8]) -> Option<u64> {
    let v = trim(v);
    if v.is_empty() || v.len() > 19 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    v.iter()
        .try_fold(0u64, |acc, &b| acc.checked_mul(10)?.checked_add(u64::from(b - b'0')))
}

impl<'b> ResponseReader<'b> {
    /// A reader using `buf` for the head and the whole body.
    pub fn new(buf: &'b mut [u8]) -> Self {
        ResponseReader {
            buf,
            filled: 0,
            state: State::Head,
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
        loop {
            match self.state {
                State::Head => match self.parse_head()? {
                    Some(next) => self.state = next,
                    None => return self.partial(),
                },
                State::Length(head, len) => {
                    let end = head.head_len + len;
                    if self.filled >= end {
                        self.state = State::Done {
                            head,
                            body_end: end,
                            end,
                        };
                    } else if end > self.buf.len() {
                        return Err(HttpError::TooLarge);
                    } else {
                        return Ok(Status::Partial);
                    }
                }
                State::Chunked { .. } => {
                    if !self.dechunk()? {
                        return self.partial();
                    }
                }
                State::UntilClose(_) => return self.partial(),
                State::Done { head, .. } => return Ok(Status::Complete(head)),
            }
        }
    }

    fn partial(&self) -> Result<Status<ResponseHead>, HttpError> {
        if self.filled >= self.buf.len() {
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
        match self.state {
            State::UntilClose(head) => {
                self.state = State::Done {
                    head,
                    body_end: self.filled,
                    end: self.filled,
                };
                Ok(head)
            }
            State::Done { head, .. } => Ok(head),
            _ => match self.poll()? {
                Status::Complete(head) => Ok(head),
                Status::Partial => match self.state {
                    State::UntilClose(head) => {
                        self.state = State::Done {
                            head,
                            body_end: self.filled,
                            end: self.filled,
                        };
                        Ok(head)
                    }
                    _ => Err(HttpError::Truncated),
                },
            },
        }
    }

    /// The body, once [`poll`](Self::poll) returned [`Status::Complete`] (empty before).
    pub fn body(&self) -> &[u8] {
        match self.state {
            State::Done { head, body_end, .. } => self.buf.get(head.head_len..body_end).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Bytes received beyond the end of the complete response (a server that sends them is misbehaving; do not
    /// reuse the connection).
    pub fn extra(&self) -> usize {
        match self.state {
            State::Done { end, .. } => self.filled.saturating_sub(end),
            _ => 0,
        }
    }

    fn parse_head(&mut self) -> Result<Option<State>, HttpError> {
        loop {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut res = httparse::Response::new(&mut headers);
            let data = self.buf.get(..self.filled).unwrap_or(&[]);
            let head_len = match res.parse(data) {
                Ok(httparse::Status::Complete(n)) => n,
                Ok(httparse::Status::Partial) => return Ok(None),
                Err(httparse::Error::TooManyHeaders) => return Err(HttpError::TooManyHeaders),
                Err(httparse::Error::Version) => return Err(HttpError::Version),
                Err(_) => return Err(HttpError::Head),
            };
            let status = res.code.ok_or(HttpError::Head)?;
            if (100..200).contains(&status) && status != 101 {
                // Interim response: drop it and parse what follows.
                self.buf.copy_within(head_len..self.filled, 0);
                self.filled -= head_len;
                continue;
            }
            let http11 = res.version == Some(1);
            let mut content_length: Option<u64> = None;
            let mut chunked = false;
            let mut conn_close = !http11;
            let mut retry_after = None;
            for h in res.headers.iter() {
                let name = h.name.as_bytes();
                if name.eq_ignore_ascii_case(b"content-length") {
                    let v = parse_u64(h.value).ok_or(HttpError::ContentLength)?;
                    if content_length.is_some_and(|old| old != v) {
                        return Err(HttpError::ContentLength);
                    }
                    content_length = Some(v);
                } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
                    if header_eq(h.value, b"chunked") && !chunked {
                        chunked = true;
                    } else if !header_eq(h.value, b"identity") {
                        return Err(HttpError::UnsupportedTransferEncoding);
                    }
                } else if name.eq_ignore_ascii_case(b"connection") {
                    if has_token(h.value, b"close") {
                        conn_close = true;
                    } else if has_token(h.value, b"keep-alive") {
                        conn_close = false;
                    }
                } else if name.eq_ignore_ascii_case(b"retry-after") {
                    retry_after = parse_u64(h.value).map(|v| v.min(u64::from(u32::MAX)) as u32);
                }
            }
            let no_body = status == 204 || status == 304;
            let content_length = if chunked { None } else { content_length };
            let content_length = match content_length {
                Some(v) => Some(usize::try_from(v).map_err(|_| HttpError::TooLarge)?),
                None => None,
            };
            let mut head = ResponseHead {
                status,
                keep_alive: !conn_close,
                retry_after,
                content_length,
                chunked,
                head_len,
            };
            return Ok(Some(if no_body {
                State::Done {
                    head,
                    body_end: head_len,
                    end: head_len,
                }
            } else if chunked {
                State::Chunked {
                    head,
                    out: head_len,
                    raw: head_len,
                    chunk: Chunk::Size,
                }
            } else if let Some(len) = content_length {
                State::Length(head, len)
            } else {
                head.keep_alive = false;
                State::UntilClose(head)
            }));
        }
    }

    /// Advances chunked decoding; `Ok(true)` when the body is complete.
    fn dechunk(&mut self) -> Result<bool, HttpError> {
        let State::Chunked {
            head,
            mut out,
            mut raw,
            mut chunk,
        } = self.state
        else {
            return Ok(false);
        };
        let done = loop {
            let avail = self.filled.saturating_sub(raw);
            match chunk {
                Chunk::Size => {
                    let data = self.buf.get(raw..self.filled).unwrap_or(&[]);
                    match httparse::parse_chunk_size(data) {
                        Ok(httparse::Status::Complete((used, size))) => {
                            raw += used;
                            let size = usize::try_from(size).map_err(|_| HttpError::TooLarge)?;
                            if size > self.buf.len() {
                                return Err(HttpError::TooLarge);
                            }
                            chunk = if size == 0 { Chunk::Trailer } else { Chunk::Data(size) };
                        }
                        Ok(httparse::Status::Partial) => break false,
                        Err(_) => return Err(HttpError::Chunked),
                    }
                }
                Chunk::Data(left) => {
                    if avail == 0 {
                        break false;
                    }
                    let n = left.min(avail);
                    self.buf.copy_within(raw..raw + n, out);
                    out += n;
                    raw += n;
                    chunk = if n == left {
                        Chunk::DataEnd
                    } else {
                        Chunk::Data(left - n)
                    };
                }
                Chunk::DataEnd => match self.buf.get(raw..self.filled) {
                    Some([b'\r', b'\n', ..]) => {
                        raw += 2;
                        chunk = Chunk::Size;
                    }
                    Some([] | [b'\r']) => break false,
                    _ => return Err(HttpError::Chunked),
                },
                Chunk::Trailer => {
                    let data = self.buf.get(raw..self.filled).unwrap_or(&[]);
                    match data.windows(2).position(|w| w == b"\r\n") {
                        Some(0) => {
                            raw += 2;
                            break true;
                        }
                        Some(line) => raw += line + 2,
                        None => break false,
                    }
                }
            }
        };
        if done {
            // Keep any extra bytes right after the body so that `extra()` reports them.
            let extra = self.filled - raw;
            self.buf.copy_within(raw..self.filled, out);
            self.filled = out + extra;
            self.state = State::Done {
                head,
                body_end: out,
                end: out,
            };
            return Ok(true);
        }
        // Reclaim the framing bytes already parsed so the receive window is as large as it can be.
        self.buf.copy_within(raw..self.filled, out);
        self.filled -= raw - out;
        raw = out;
        self.state = State::Chunked { head, out, raw, chunk };
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
