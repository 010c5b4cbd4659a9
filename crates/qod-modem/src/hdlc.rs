//! PPP in HDLC-like framing (RFC 1662): the frame check sequence (FCS-16), a byte-stream decoder and an encoder.
//!
//! A frame on the line is `7E | FF 03 | protocol (2) | information | FCS (2, LSB first) | 7E`, with `7E` and `7D`
//! in the content sent as `7D, byte ^ 0x20`, and every control character (< 0x20) whose bit is set in the
//! async-control-character map (ACCM) escaped the same way.
//!
//! # Untrusted input
//! [`Decoder::push`] accepts any byte sequence: it never panics, keeps at most [`MAX_FRAME`] bytes, and reports a
//! bad FCS, a too-short, over-long or aborted frame as a [`FrameError`] instead of a frame.

/// Largest frame content (address to FCS, unescaped) the decoder keeps: an MRU of 1500 plus header and FCS, with
/// room for peers that pad.
pub const MAX_FRAME: usize = 2048;

/// Flag sequence: starts and ends every frame.
pub const FLAG: u8 = 0x7e;
/// Control escape.
pub const ESCAPE: u8 = 0x7d;
/// The ACCM before LCP has negotiated one: every control character escaped.
pub const ACCM_ALL: u32 = 0xffff_ffff;

const FCS_INIT: u16 = 0xffff;
/// What [`fcs16`] over a whole frame *including* its FCS gives when the frame is intact.
const FCS_GOOD: u16 = 0xf0b8;

#[allow(clippy::indexing_slicing)] // i < 256 = the array's length
const fn fcs_table() -> [u16; 256] {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut v = i as u16;
        let mut bit = 0;
        while bit < 8 {
            v = if v & 1 != 0 { (v >> 1) ^ 0x8408 } else { v >> 1 };
            bit += 1;
        }
        table[i] = v;
        i += 1;
    }
    table
}
static FCS_TABLE: [u16; 256] = fcs_table();

/// Runs the FCS-16 (CRC-16/X.25 polynomial, reflected) over `data`, starting from `fcs`.
#[allow(clippy::indexing_slicing)] // a u8 index into a 256-entry table
pub fn fcs16(mut fcs: u16, data: &[u8]) -> u16 {
    for &b in data {
        fcs = (fcs >> 8) ^ FCS_TABLE[usize::from((fcs ^ u16::from(b)) as u8)];
    }
    fcs
}

/// Why bytes between two flags were not a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// Fewer bytes than address, control, protocol and FCS.
    TooShort,
    /// More than [`MAX_FRAME`] bytes before the closing flag.
    TooLong,
    /// The FCS does not match.
    BadFcs,
    /// Not `FF 03` (address-and-control-field compression is never negotiated here).
    BadHeader,
    /// `7D 7E`: the sender aborted the frame.
    Aborted,
}

/// One received frame: protocol and information field, borrowed from the decoder.
#[derive(Debug, PartialEq, Eq)]
pub struct Frame<'a> {
    /// PPP protocol number (a one-byte compressed protocol field is expanded).
    pub protocol: u16,
    /// The information field (without padding removal: control protocols carry their own length).
    pub info: &'a [u8],
}

/// Incremental decoder: push line bytes one at a time, get frames when their closing flag arrives.
#[derive(Debug)]
pub struct Decoder {
    buf: Vec<u8>,
    escape: bool,
    /// Bytes were dropped since the last flag because the frame got too long.
    overflow: bool,
    /// The last push returned a frame that borrowed `buf`: clear it on the next push.
    done: bool,
    /// A flag has been seen: bytes before the first one are not part of any frame.
    synced: bool,
    /// Line bytes since the last frame ended (flags and escapes included).
    raw: usize,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    /// An empty decoder, waiting for a flag.
    pub fn new() -> Self {
        Decoder {
            buf: Vec::with_capacity(MAX_FRAME),
            escape: false,
            overflow: false,
            done: false,
            synced: false,
            raw: 0,
        }
    }

    /// Forgets any partial frame (e.g. after the line went back to command mode).
    pub fn reset(&mut self) {
        self.buf.clear();
        self.escape = false;
        self.overflow = false;
        self.done = false;
        self.synced = false;
        self.raw = 0;
    }

    /// Line bytes consumed since the last completed (or failed) frame, closing flag included: what the result
    /// returned by the latest [`push`](Self::push) cost on the line.
    pub fn raw_len(&self) -> usize {
        self.raw
    }

    /// Takes one line byte. Returns `Some` when a flag closed a non-empty frame: the frame, or why it is invalid.
    /// Consecutive flags (an empty frame) and the bytes before the first flag (since [`new`](Self::new) or
    /// [`reset`](Self::reset)) yield nothing; those bytes count towards the next result's [`raw_len`](Self::raw_len).
    pub fn push(&mut self, byte: u8) -> Option<Result<Frame<'_>, FrameError>> {
        if self.done {
            self.done = false;
            self.buf.clear();
            self.raw = 0;
        }
        self.raw += 1;
        if byte == FLAG {
            self.synced = true;
            let aborted = core::mem::take(&mut self.escape);
            let overflow = core::mem::take(&mut self.overflow);
            if self.buf.is_empty() && !overflow && !aborted {
                return None;
            }
            self.done = true;
            let result = if aborted {
                Err(FrameError::Aborted)
            } else if overflow {
                Err(FrameError::TooLong)
            } else {
                check(&self.buf)
            };
            return Some(result.map(|(protocol, range)| Frame {
                protocol,
                info: self.buf.get(range).unwrap_or_default(),
            }));
        }
        if !self.synced {
            return None;
        }
        let byte = if self.escape {
            self.escape = false;
            byte ^ 0x20
        } else if byte == ESCAPE {
            self.escape = true;
            return None;
        } else {
            byte
        };
        if self.buf.len() >= MAX_FRAME {
            self.overflow = true;
        } else {
            self.buf.push(byte);
        }
        None
    }
}

/// Checks an unescaped frame (address to FCS) and finds its protocol and information field.
fn check(buf: &[u8]) -> Result<(u16, core::ops::Range<usize>), FrameError> {
    // Address, control, a one-byte protocol at least, FCS.
    if buf.len() < 5 {
        return Err(FrameError::TooShort);
    }
    if fcs16(FCS_INIT, buf) != FCS_GOOD {
        return Err(FrameError::BadFcs);
    }
    if buf.get(..2) != Some(&[0xff, 0x03][..]) {
        return Err(FrameError::BadHeader);
    }
    let end = buf.len() - 2;
    match buf.get(2..end) {
        // Protocol-field compression: an odd first byte is a one-byte protocol.
        Some([first, ..]) if first & 1 == 1 => Ok((u16::from(*first), 3..end)),
        Some([first, second, ..]) => Ok((u16::from_be_bytes([*first, *second]), 4..end)),
        _ => Err(FrameError::TooShort),
    }
}

/// Appends one frame to `out`: opening flag, `FF 03`, `protocol`, `info`, FCS, closing flag, escaping `7E`, `7D` and
/// every control character whose bit is set in `accm`. Returns the number of line bytes appended.
pub fn encode(protocol: u16, info: &[u8], accm: u32, out: &mut Vec<u8>) -> usize {
    let start = out.len();
    let header = [0xff, 0x03, (protocol >> 8) as u8, protocol as u8];
    let fcs = !fcs16(fcs16(FCS_INIT, &header), info);
    out.push(FLAG);
    for &b in header.iter().chain(info).chain(&fcs.to_le_bytes()) {
        if b == FLAG || b == ESCAPE || (b < 0x20 && accm & (1 << b) != 0) {
            out.extend_from_slice(&[ESCAPE, b ^ 0x20]);
        } else {
            out.push(b);
        }
    }
    out.push(FLAG);
    out.len() - start
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An LCP Configure-Request (id 1, ACCM 0), as sent by ppproto with every control character escaped (FCS
    /// 0x7b58, computed independently with RFC 1662's bitwise algorithm).
    static LCP_REQ_LINE: &[u8] = &[
        0x7e, 0xff, 0x7d, 0x23, 0xc0, 0x21, 0x7d, 0x21, 0x7d, 0x21, 0x7d, 0x20, 0x7d, 0x2a, 0x7d, 0x22, 0x7d, 0x26,
        0x7d, 0x20, 0x7d, 0x20, 0x7d, 0x20, 0x7d, 0x20, 0x58, 0x7b, 0x7e,
    ];
    static LCP_REQ_INFO: &[u8] = &[0x01, 0x01, 0x00, 0x0a, 0x02, 0x06, 0x00, 0x00, 0x00, 0x00];

    fn decode_all(line: &[u8]) -> Vec<Result<(u16, Vec<u8>), FrameError>> {
        let mut d = Decoder::new();
        line.iter()
            .filter_map(|&b| d.push(b).map(|r| r.map(|f| (f.protocol, f.info.to_vec()))))
            .collect()
    }

    #[test]
    fn test_fcs_of_check_string() {
        // CRC-16/X.25 check value of "123456789" is 0x906e (the complement of the raw register).
        assert_eq!(!fcs16(FCS_INIT, b"123456789"), 0x906e);
    }

    #[test]
    fn test_decode_lcp_request() {
        assert_eq!(decode_all(LCP_REQ_LINE), vec![Ok((0xc021, LCP_REQ_INFO.to_vec()))]);
    }

    #[test]
    fn test_encode_lcp_request_matches_line() {
        let mut out = Vec::new();
        let n = encode(0xc021, LCP_REQ_INFO, ACCM_ALL, &mut out);
        assert_eq!(out, LCP_REQ_LINE);
        assert_eq!(n, LCP_REQ_LINE.len());
    }

    #[test]
    fn test_encode_with_accm_zero_leaves_control_characters() {
        let mut out = Vec::new();
        encode(0x0021, &[0x01, 0x7e, 0x7d, 0x0d], 0, &mut out);
        assert!(out.contains(&0x01) && out.contains(&0x0d));
        assert_eq!(decode_all(&out), vec![Ok((0x0021, vec![0x01, 0x7e, 0x7d, 0x0d]))]);
        // Only the two flags are raw 7E.
        assert_eq!(out.iter().filter(|&&b| b == FLAG).count(), 2);
    }

    #[test]
    fn test_bad_fcs_short_and_aborted_frames() {
        let mut line = LCP_REQ_LINE.to_vec();
        let last = line.len() - 2;
        line[last] ^= 1;
        assert_eq!(decode_all(&line), vec![Err(FrameError::BadFcs)]);
        assert_eq!(decode_all(&[0x7e, 0xff, 0x03, 0x7e]), vec![Err(FrameError::TooShort)]);
        assert_eq!(
            decode_all(&[0x7e, 0xff, 0x03, 0xc0, 0x7d, 0x7e]),
            vec![Err(FrameError::Aborted)]
        );
        // Flags alone and text before the first flag are not frames.
        assert_eq!(decode_all(b"\r\nCONNECT\r\n~~~"), vec![]);
    }

    #[test]
    fn test_overlong_frame_is_dropped_and_the_next_one_decodes() {
        let mut line = vec![FLAG];
        line.extend(std::iter::repeat_n(0x41, MAX_FRAME + 10));
        line.extend_from_slice(LCP_REQ_LINE);
        assert_eq!(
            decode_all(&line),
            vec![Err(FrameError::TooLong), Ok((0xc021, LCP_REQ_INFO.to_vec()))]
        );
    }

    #[test]
    fn test_shared_flag_between_frames_and_raw_length() {
        let mut line = Vec::new();
        encode(0x0021, b"one", 0, &mut line);
        line.pop(); // the closing flag of the first frame opens the second
        let second = line.len();
        encode(0x0021, b"two", 0, &mut line);
        let mut d = Decoder::new();
        let mut lens = Vec::new();
        for &b in &line {
            if let Some(r) = d.push(b) {
                assert!(r.is_ok());
                lens.push(d.raw_len());
            }
        }
        assert_eq!(lens, vec![second + 1, line.len() - second - 1]);
    }

    proptest! {
        #[test]
        fn prop_roundtrip(protocol in any::<u16>().prop_map(|p| (p & 0xfeff) | 1), info in proptest::collection::vec(any::<u8>(), 0..1600), accm in any::<u32>()) {
            let mut line = Vec::new();
            encode(protocol, &info, accm, &mut line);
            for (i, &b) in line.iter().enumerate() {
                if i != 0 && i != line.len() - 1 {
                    prop_assert!(b != FLAG);
                }
                prop_assert!(!(b < 0x20 && accm & (1 << b) != 0), "control character {:#04x} not escaped", b);
            }
            prop_assert_eq!(decode_all(&line), vec![Ok((protocol, info))]);
        }

        #[test]
        fn prop_garbage_never_panics(line in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let mut d = Decoder::new();
            for b in line {
                if let Some(Ok(f)) = d.push(b) {
                    prop_assert!(f.info.len() <= MAX_FRAME);
                }
            }
        }
    }
}
