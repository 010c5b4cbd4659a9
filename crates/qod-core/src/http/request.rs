use super::response::move_down;
use crate::json::decimal;
use crate::validate::{all_in, set, Set, ALNUM};
use crate::{Error, Problem, ValidationError};

/// The methods the QoD API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's token.
    pub fn as_str(&self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// Writes one HTTP/1.1 request into a caller buffer: request line, headers, then an optional body.
///
/// Every piece is checked: a header value or path piece holding CR, LF or another control byte is refused
/// ([`Problem::ForbiddenCharacter`]), so no input can inject a header or split the request. The first error (a
/// refused piece, or a buffer too small) sticks: every later step returns it and writes nothing more.
#[derive(Debug)]
pub struct RequestWriter<'b> {
    buf: &'b mut [u8],
    /// Past `buf.len()` once something did not fit.
    pos: usize,
    /// The first refused piece.
    bad: Option<ValidationError>,
}

/// RFC 3986 unreserved characters: what a path segment may hold.
const UNRESERVED: Set = set(ALNUM, b"-._~");
/// A base path: `/` and `pchar`s (percent escapes allowed).
const BASE_PATH: Set = set(ALNUM, b"-._~/!$&'()*+,;=:@%");
/// A header value: visible ASCII, spaces and tabs; never CR, LF or other controls.
const VALUE: Set = set(&[(b' ', b'~')], b"\t");
/// A bearer token: as a header value, without spaces.
const TOKEN: Set = set(&[(b'!', b'~')], b"\t");

impl<'b> RequestWriter<'b> {
    /// A writer at the start of `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        RequestWriter { buf, pos: 0, bad: None }
    }

    /// Whether no error happened so far.
    fn ok(&self) -> bool {
        self.bad.is_none() && self.pos <= self.buf.len()
    }

    /// Records that the piece named `field` has `problem`, unless an error happened before.
    #[inline(never)]
    pub(crate) fn refuse(&mut self, field: &'static str, problem: Problem) {
        if self.ok() {
            self.bad = Some(ValidationError { field, problem });
        }
    }

    /// Appends `bytes` if no error happened and they fit, else moves past the end of the buffer for good.
    #[inline(never)]
    fn raw(&mut self, bytes: &[u8]) {
        if self.bad.is_some() {
            return;
        }
        match self.buf.get_mut(self.pos..).and_then(|r| r.get_mut(..bytes.len())) {
            Some(d) => {
                d.copy_from_slice(bytes);
                self.pos += bytes.len();
            }
            None => self.pos = self.buf.len() + 1,
        }
    }

    /// The first error so far.
    fn result(&self) -> Result<(), Error> {
        match self.bad {
            Some(e) => Err(Error::Invalid(e)),
            None if self.pos > self.buf.len() => Err(Error::BufferTooSmall),
            None => Ok(()),
        }
    }

    /// `METHOD {base}{path}{id}{tail} HTTP/1.1\r\n` (target `/` if all are empty). `base` must be empty or an
    /// absolute path of `pchar`s (named `basePath` in errors); `id` (named `field`) one path segment of unreserved
    /// characters, unless `field` is empty; `path` and `tail` are ours.
    pub(crate) fn request_line(
        &mut self,
        method: Method,
        base: &str,
        path: &str,
        (field, id): (&'static str, &str),
        tail: &str,
    ) {
        if !((base.is_empty() || base.starts_with('/')) && all_in(&BASE_PATH, base)) {
            return self.refuse("basePath", Problem::ForbiddenCharacter);
        }
        if !field.is_empty() && (id.is_empty() || id == "." || id == ".." || !all_in(&UNRESERVED, id)) {
            return self.refuse(field, Problem::ForbiddenCharacter);
        }
        self.raw(method.as_str().as_bytes());
        self.raw(b" ");
        for s in [base, path, id, tail] {
            self.raw(s.as_bytes());
        }
        if base.is_empty() && path.is_empty() && id.is_empty() && tail.is_empty() {
            self.raw(b"/");
        }
        self.raw(b" HTTP/1.1\r\n");
    }

    /// `{name}: {value}\r\n`, or `{name}: Bearer {value}\r\n` for a `token`; a value with a byte not allowed there
    /// is refused (named `field`).
    #[inline(never)]
    pub(crate) fn line(&mut self, name: &str, field: &'static str, token: bool, value: &str) {
        if !all_in(if token { &TOKEN } else { &VALUE }, value) {
            return self.refuse(field, Problem::ForbiddenCharacter);
        }
        self.raw(name.as_bytes());
        self.raw(b": ");
        if token {
            self.raw(b"Bearer ");
        }
        self.raw(value.as_bytes());
        self.raw(b"\r\n");
    }

    /// `Name: value\r\n`. `name` is ours (a constant); `value` is checked.
    ///
    /// # Errors
    /// The first error so far, [`Problem::ForbiddenCharacter`] (named `field`), or [`Error::BufferTooSmall`].
    pub fn header(&mut self, name: &str, field: &'static str, value: &str) -> Result<(), Error> {
        self.line(name, field, false, value);
        self.result()
    }

    /// `Authorization: Bearer <token>\r\n`; an empty token is refused as [`Problem::Missing`].
    pub(crate) fn token(&mut self, token: &str) {
        if token.is_empty() {
            return self.refuse("token", Problem::Missing);
        }
        self.line("Authorization", "token", true, token);
    }

    /// `Authorization: Bearer <token>\r\n`.
    ///
    /// # Errors
    /// As [`RequestWriter::header`]; an empty token is [`Problem::Missing`].
    pub fn bearer(&mut self, token: &str) -> Result<(), Error> {
        self.token(token);
        self.result()
    }

    /// `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))\r\n`: OAuth2 `client_secret_basic`
    /// (RFC 6749 §2.3.1 form-encodes both before joining them).
    pub(crate) fn basic(&mut self, id: &str, secret: &str) {
        use crate::oauth::form;
        self.raw(b"Authorization: Basic ");
        if !self.ok() {
            return;
        }
        let out = self.buf.get_mut(self.pos..).unwrap_or(&mut []);
        let mut e = crate::oauth::base64::Encoder::new(crate::oauth::Alphabet::Standard, out);
        form::encode(id, &mut |b| e.push(b));
        e.push(b':');
        form::encode(secret, &mut |b| e.push(b));
        match e.finish() {
            Some(n) => self.pos += n,
            None => self.pos = self.buf.len() + 1,
        }
        self.raw(b"\r\n");
    }

    /// Ends the head of a request without a body; returns the request's length.
    ///
    /// # Errors
    /// The first error so far, or [`Error::BufferTooSmall`].
    #[inline(never)]
    pub fn finish(mut self) -> Result<usize, Error> {
        self.raw(b"\r\n");
        self.result()?;
        Ok(self.pos)
    }

    /// Adds `Content-Type: application/json`, `Content-Length` and the body that `body` encodes into the slice it
    /// is given (returning its length), in one pass; returns the whole request's length.
    ///
    /// # Errors
    /// The first error so far, as `body`, or [`Error::BufferTooSmall`].
    pub fn finish_json(self, body: impl FnOnce(&mut [u8]) -> Result<usize, Error>) -> Result<usize, Error> {
        self.finish_body("application/json", body)
    }

    /// As [`finish_json`](Self::finish_json), with another `Content-Type` (one of ours, not checked).
    ///
    /// # Errors
    /// As [`finish_json`](Self::finish_json).
    pub fn finish_body(
        mut self,
        content_type: &str,
        body: impl FnOnce(&mut [u8]) -> Result<usize, Error>,
    ) -> Result<usize, Error> {
        self.result()?;
        self.raw(b"Content-Type: ");
        self.raw(content_type.as_bytes());
        self.raw(b"\r\nContent-Length: ");
        // Encode the body after room for the widest length the buffer could hold, then close the gap.
        let mut tmp = [0u8; 20];
        let body_at = self.pos + decimal(self.buf.len(), &mut tmp).len() + 4;
        let n = body(self.buf.get_mut(body_at..).ok_or(Error::BufferTooSmall)?)?;
        self.raw(decimal(n, &mut tmp));
        self.raw(b"\r\n\r\n");
        if n > self.buf.len().saturating_sub(body_at) || body_at < self.pos {
            return Err(Error::BufferTooSmall);
        }
        move_down(self.buf, body_at, self.pos, n);
        Ok(self.pos + n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_request_with_body() {
        let mut buf = [0u8; 256];
        let mut w = RequestWriter::new(&mut buf);
        w.request_line(Method::Post, "/qod/v0", "/sessions", ("", ""), "");
        w.header("Host", "host", "127.0.0.1:9091").unwrap();
        let n = w
            .finish_json(|b| {
                b[..2].copy_from_slice(b"{}");
                Ok(2)
            })
            .unwrap();
        assert_eq!(
            core::str::from_utf8(&buf[..n]).unwrap(),
            "POST /qod/v0/sessions HTTP/1.1\r\nHost: 127.0.0.1:9091\r\nContent-Type: application/json\r\n\
             Content-Length: 2\r\n\r\n{}"
        );
    }

    #[test]
    fn test_refuses_injection() {
        let mut buf = [0u8; 256];
        let mut w = RequestWriter::new(&mut buf);
        let e = w.header("Host", "host", "a\r\nX-Evil: 1").unwrap_err();
        assert_eq!(
            e,
            Error::Invalid(ValidationError {
                field: "host",
                problem: Problem::ForbiddenCharacter
            })
        );
        // The first error sticks.
        assert_eq!(w.bearer("token"), Err(e));
        assert_eq!(w.finish(), Err(e));
        for (token, problem) in [
            ("tok\nen", Problem::ForbiddenCharacter),
            ("tok en", Problem::ForbiddenCharacter),
            ("", Problem::Missing),
        ] {
            let mut w = RequestWriter::new(&mut buf);
            let e = Error::Invalid(ValidationError {
                field: "token",
                problem,
            });
            assert_eq!(w.bearer(token), Err(e));
        }
        let mut w = RequestWriter::new(&mut buf);
        w.bearer("tok\ten").unwrap();
        assert_eq!(w.finish(), Ok(32));
        assert!(buf.starts_with(b"Authorization: Bearer tok\ten\r\n\r\n"));
        for bad in ["a/b", "a b", "..", "", "a%0d", "a?x", "é"] {
            let mut w = RequestWriter::new(&mut buf);
            w.request_line(Method::Get, "", "/s/", ("sessionId", bad), "");
            let e = w.finish().unwrap_err();
            assert_eq!(
                e,
                Error::Invalid(ValidationError {
                    field: "sessionId",
                    problem: Problem::ForbiddenCharacter
                })
            );
        }
        let mut w = RequestWriter::new(&mut buf);
        w.request_line(Method::Get, "/x?y", "", ("", ""), "");
        assert!(w.finish().is_err());
    }

    #[test]
    fn test_small_buffer() {
        let mut buf = [0u8; 40];
        let mut w = RequestWriter::new(&mut buf);
        w.request_line(Method::Post, "", "/s", ("", ""), "");
        let e = w.finish_json(|b| {
            if b.len() < 30 {
                Err(Error::BufferTooSmall)
            } else {
                Ok(30)
            }
        });
        assert_eq!(e, Err(Error::BufferTooSmall));
    }

    #[test]
    fn test_finish_json_lengths_across_digit_widths() {
        const JSON: &str = "Content-Type: application/json\r\nContent-Length: ";
        let digits = |n: usize| n.to_string().len();
        for n in 0..=1100usize {
            let body: Vec<u8> = (0..n).map(|i| b"{}ab\"9"[i % 6]).collect();
            let want = format!(
                "POST /s HTTP/1.1\r\n{JSON}{n}\r\n\r\n{}",
                core::str::from_utf8(&body).unwrap()
            );
            // The body is encoded after room for the widest length the buffer could hold, so a buffer may be a
            // few bytes larger than the request needs; one byte less than that is too small.
            for cap in want.len() - 2..=want.len() + 3 {
                let mut buf = vec![0u8; cap];
                let mut w = RequestWriter::new(&mut buf);
                w.request_line(Method::Post, "", "/s", ("", ""), "");
                let got = w.finish_json(|b| {
                    b.get_mut(..n).ok_or(Error::BufferTooSmall)?.copy_from_slice(&body);
                    Ok(n)
                });
                let need = "POST /s HTTP/1.1\r\n".len() + JSON.len() + digits(cap) + 4 + n;
                if need <= cap {
                    assert_eq!(got, Ok(want.len()), "n {n} cap {cap}");
                    assert_eq!(&buf[..want.len()], want.as_bytes(), "n {n} cap {cap}");
                } else {
                    assert_eq!(got, Err(Error::BufferTooSmall), "n {n} cap {cap}");
                }
            }
        }
    }

    #[test]
    fn test_finish_json_bad_body_lengths() {
        let mut buf = [0u8; 128];
        for n in [129, usize::MAX] {
            let w = RequestWriter::new(&mut buf);
            assert_eq!(w.finish_json(|_| Ok(n)), Err(Error::BufferTooSmall));
        }
        // The room the body is given ends with the buffer; a body as long as that room fits.
        let w = RequestWriter::new(&mut buf);
        let n = w.finish_json(|b| Ok(b.len())).unwrap();
        assert_eq!(n, 48 + 2 + 4 + 73);
        assert!(buf.starts_with(b"Content-Type: application/json\r\nContent-Length: 73\r\n\r\n"));
        let w = RequestWriter::new(&mut buf);
        let e = Error::Invalid(ValidationError {
            field: "x",
            problem: Problem::Missing,
        });
        assert_eq!(w.finish_json(|_| Err(e)), Err(e));
    }
}
