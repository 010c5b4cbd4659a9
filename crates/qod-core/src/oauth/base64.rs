//! Base64 (RFC 4648) written byte by byte into a caller buffer: the standard alphabet with padding for HTTP Basic
//! credentials, the URL-safe one without padding for JWTs.
//!
//! Hand-written rather than the `base64` crate because the input is produced on the fly (form-encoded credentials,
//! JSON written in place): that crate encodes whole slices, or streams only through `std::io::Write`.

/// Which RFC 4648 alphabet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alphabet {
    /// §4, `+/`, padded with `=`.
    Standard,
    /// §5, `-_`, no padding (JWS, RFC 7515 §2).
    UrlSafe,
}

const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn symbol(alphabet: Alphabet, six: u32) -> u8 {
    let c = STD.get((six & 63) as usize).copied().unwrap_or(b'A');
    match (alphabet, c) {
        (Alphabet::UrlSafe, b'+') => b'-',
        (Alphabet::UrlSafe, b'/') => b'_',
        _ => c,
    }
}

/// Encodes pushed bytes into `out`; `overflow` once something did not fit.
pub(crate) struct Encoder<'o> {
    alphabet: Alphabet,
    out: &'o mut [u8],
    pos: usize,
    acc: u32,
    n: u8,
    pub(crate) overflow: bool,
}

impl<'o> Encoder<'o> {
    pub(crate) fn new(alphabet: Alphabet, out: &'o mut [u8]) -> Self {
        Encoder {
            alphabet,
            out,
            pos: 0,
            acc: 0,
            n: 0,
            overflow: false,
        }
    }

    fn put(&mut self, c: u8) {
        match self.out.get_mut(self.pos) {
            Some(d) => {
                *d = c;
                self.pos += 1;
            }
            None => self.overflow = true,
        }
    }

    pub(crate) fn push(&mut self, b: u8) {
        self.acc = (self.acc << 8) | u32::from(b);
        self.n += 1;
        if self.n == 3 {
            for shift in [18, 12, 6, 0] {
                self.put(symbol(self.alphabet, self.acc >> shift));
            }
            self.acc = 0;
            self.n = 0;
        }
    }

    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.push(b);
        }
    }

    /// Flushes the last group; returns the length written, `None` if `out` was too small.
    pub(crate) fn finish(mut self) -> Option<usize> {
        let n = self.n;
        if n > 0 {
            let acc = self.acc << (8 * (3 - u32::from(n)));
            for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
                if i <= usize::from(n) {
                    self.put(symbol(self.alphabet, acc >> shift));
                } else if self.alphabet == Alphabet::Standard {
                    self.put(b'=');
                }
            }
        }
        (!self.overflow).then_some(self.pos)
    }
}

/// Encodes `input` into `out` with `alphabet`; returns the length, `None` if `out` is too small.
pub fn encode_into(alphabet: Alphabet, input: &[u8], out: &mut [u8]) -> Option<usize> {
    let mut e = Encoder::new(alphabet, out);
    e.extend(input);
    e.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(a: Alphabet, s: &[u8]) -> String {
        let mut out = [0u8; 64];
        let n = encode_into(a, s, &mut out).unwrap();
        String::from_utf8(out[..n].to_vec()).unwrap()
    }

    #[test]
    fn test_rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(enc(Alphabet::Standard, i.as_bytes()), o);
            assert_eq!(enc(Alphabet::UrlSafe, i.as_bytes()), o.trim_end_matches('='));
        }
        assert_eq!(enc(Alphabet::Standard, &[0xfb, 0xff]), "+/8=");
        assert_eq!(enc(Alphabet::UrlSafe, &[0xfb, 0xff]), "-_8");
        let mut small = [0u8; 3];
        assert_eq!(encode_into(Alphabet::Standard, b"f", &mut small), None);
        assert_eq!(encode_into(Alphabet::UrlSafe, b"f", &mut small), Some(2));
    }
}
