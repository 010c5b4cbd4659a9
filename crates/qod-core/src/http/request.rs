use super::response::move_down;
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
/// ([`Problem::ForbiddenCharacter`]), so no input can inject a header or split the request.
#[derive(Debug)]
pub struct RequestWriter<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

/// How a piece of the request target is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Written by us (`/sessions/`): trusted.
    Fixed,
    /// A configured path prefix: `/` and RFC 3986 `pchar`s, no `?`/`#`/space/controls.
    BasePath,
    /// One path segment from the caller or the server: unreserved characters only.
    Segment,
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn piece_ok(kind: Piece, s: &str) -> bool {
    match kind {
        Piece::Fixed => true,
        Piece::Segment => !s.is_empty() && s != "." && s != ".." && s.bytes().all(is_unreserved),
        Piece::BasePath => {
            (s.is_empty() || s.starts_with('/'))
                && s.bytes().all(|b| is_unreserved(b) || b"/!$&'()*+,;=:@%".contains(&b))
        }
    }
}

/// A header value may hold visible ASCII, spaces and tabs; never CR, LF or other controls.
fn value_ok(s: &str) -> bool {
    s.bytes().all(|b| b == b'\t' || (b' '..0x7f).contains(&b))
}

impl<'b> RequestWriter<'b> {
    /// A writer at the start of `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        RequestWriter { buf, pos: 0 }
    }

    fn raw(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let end = self.pos + bytes.len();
        self.buf
            .get_mut(self.pos..end)
            .ok_or(Error::BufferTooSmall)?
            .copy_from_slice(bytes);
        self.pos = end;
        Ok(())
    }

    /// `METHOD <target> HTTP/1.1\r\n`, where the target is the concatenation of the checked `pieces`; `field`
    /// names each piece in errors.
    pub(crate) fn request_line(&mut self, method: Method, pieces: &[(Piece, &'static str, &str)]) -> Result<(), Error> {
        for (kind, field, s) in pieces {
            if !piece_ok(*kind, s) {
                return Err(Error::Invalid(ValidationError {
                    field,
                    problem: Problem::ForbiddenCharacter,
                }));
            }
        }
        self.raw(method.as_str().as_bytes())?;
        self.raw(b" ")?;
        let mut empty = true;
        for (_, _, s) in pieces {
            empty &= s.is_empty();
            self.raw(s.as_bytes())?;
        }
        if empty {
            self.raw(b"/")?;
        }
        self.raw(b" HTTP/1.1\r\n")
    }

    /// `Name: value\r\n`. `name` is ours (a constant); `value` is checked.
    ///
    /// # Errors
    /// [`Problem::ForbiddenCharacter`] (named `field`), or [`Error::BufferTooSmall`].
    pub fn header(&mut self, name: &str, field: &'static str, value: &str) -> Result<(), Error> {
        if !value_ok(value) {
            return Err(Error::Invalid(ValidationError {
                field,
                problem: Problem::ForbiddenCharacter,
            }));
        }
        self.raw(name.as_bytes())?;
        self.raw(b": ")?;
        self.raw(value.as_bytes())?;
        self.raw(b"\r\n")
    }

    /// `Authorization: Bearer <token>\r\n`.
    ///
    /// # Errors
    /// As [`RequestWriter::header`]; an empty token is [`Problem::Missing`].
    pub fn bearer(&mut self, token: &str) -> Result<(), Error> {
        if token.is_empty() {
            return Err(Error::Invalid(ValidationError {
                field: "token",
                problem: Problem::Missing,
            }));
        }
        if !value_ok(token) || token.contains(' ') {
            return Err(Error::Invalid(ValidationError {
                field: "token",
                problem: Problem::ForbiddenCharacter,
            }));
        }
        self.raw(b"Authorization: Bearer ")?;
        self.raw(token.as_bytes())?;
        self.raw(b"\r\n")
    }

    /// Ends the head of a request without a body; returns the request's length.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn finish(mut self) -> Result<usize, Error> {
        self.raw(b"\r\n")?;
        Ok(self.pos)
    }

    /// Adds `Content-Type: application/json`, `Content-Length` and the body that `body` encodes into the slice it
    /// is given (returning its length), in one pass; returns the whole request's length.
    ///
    /// # Errors
    /// As `body`, or [`Error::BufferTooSmall`].
    pub fn finish_json(mut self, body: impl FnOnce(&mut [u8]) -> Result<usize, Error>) -> Result<usize, Error> {
        self.raw(b"Content-Type: application/json\r\nContent-Length: ")?;
        // Encode the body after room for the widest length the buffer could hold, then close the gap.
        let mut tmp = [0u8; 20];
        let body_at = self.pos + fmt_usize(self.buf.len(), &mut tmp).len() + 4;
        let n = body(self.buf.get_mut(body_at..).ok_or(Error::BufferTooSmall)?)?;
        let mut tmp = [0u8; 20];
        self.raw(fmt_usize(n, &mut tmp))?;
        self.raw(b"\r\n\r\n")?;
        if n > self.buf.len().saturating_sub(body_at) || body_at < self.pos {
            return Err(Error::BufferTooSmall);
        }
        move_down(self.buf, body_at, self.pos, n);
        Ok(self.pos + n)
    }
}

/// The decimal digits of `n`, at the end of `tmp` (not inlined: `finish_json` is generic, one copy per caller).
#[inline(never)]
fn fmt_usize(mut n: usize, tmp: &mut [u8; 20]) -> &[u8] {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_request_with_body() {
        let mut buf = [0u8; 256];
        let mut w = RequestWriter::new(&mut buf);
        w.request_line(
            Method::Post,
            &[
                (Piece::BasePath, "basePath", "/qod/v0"),
                (Piece::Fixed, "", "/sessions"),
            ],
        )
        .unwrap();
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
        assert!(w.bearer("tok\nen").is_err());
        assert!(w.bearer("").is_err());
        for bad in ["a/b", "a b", "..", "", "a%0d", "a?x", "é"] {
            let mut w = RequestWriter::new(&mut buf);
            let e = w
                .request_line(Method::Get, &[(Piece::Segment, "sessionId", bad)])
                .unwrap_err();
            assert_eq!(
                e,
                Error::Invalid(ValidationError {
                    field: "sessionId",
                    problem: Problem::ForbiddenCharacter
                })
            );
        }
        let mut w = RequestWriter::new(&mut buf);
        assert!(w
            .request_line(Method::Get, &[(Piece::BasePath, "basePath", "/x?y")])
            .is_err());
    }

    #[test]
    fn test_small_buffer() {
        let mut buf = [0u8; 40];
        let mut w = RequestWriter::new(&mut buf);
        w.request_line(Method::Post, &[(Piece::Fixed, "", "/s")]).unwrap();
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
                w.request_line(Method::Post, &[(Piece::Fixed, "", "/s")]).unwrap();
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
