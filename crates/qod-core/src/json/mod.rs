//! Allocation-free JSON for the QoD models: [`decode_into`]/[`decode`] from `&[u8]` and [`encode`] into `&mut [u8]`,
//! for every type that implements [`Decode`]/[`Encode`] (the models of `v0` and `v1`).
//!
//! The pull reader and the writer behind them are internal: they are not part of the public API (their shape changes
//! with the decoder's optimisations), and [`Decode`]/[`Encode`] cannot be implemented outside this crate.
//!
//! # Design
//! The models are decoded *in place* (`decode_into(&[u8], &mut SessionInfo)`) by hand-written member dispatch, and
//! encoded by writing pre-quoted keys and copying unescaped runs. This is what lets a heapless decode beat
//! `serde_json` into `String`/`Vec` (see the README's benchmark table; serde-json-core is slower there, because it
//! moves multi-kilobyte values through `Result`s and visitors, recurses without bound on ignored members, and needs a
//! separate scratch buffer to unescape).
//!
//! # Guarantees
//! - Never panics, whatever the input (fuzzed; see `fuzz/`). No recursion on untrusted structure: unknown members are
//!   skipped by an iterative, validating skipper; nesting beyond [`limits::DEPTH`](crate::limits::DEPTH) is refused.
//! - Strings are unescaped (`\/`, `\"`, `\uXXXX` including surrogate pairs) and checked as UTF-8; raw control
//!   characters are refused.
//! - Unknown members are ignored at any depth (newer servers add fields); `null` optional members are absent.
//! - A member the model reads may appear once per object: a second occurrence (even after a `null`, even spelt with
//!   escapes) is [`DuplicateMember`](crate::DecodeErrorKind::DuplicateMember), so a document has one reading.
//! - Integers are range-checked into their field's type; fractions and exponents are refused (the v0.10.1 wire has no
//!   floats, so no float tables are linked).
//! - Unknown *enum values* (e.g. a future `qosStatus`) decode to the enum's `Unknown` variant instead of failing the
//!   whole document, so an old device keeps working with a newer server; such a value cannot be encoded back
//!   ([`Problem::UnknownValue`](crate::Problem::UnknownValue)).
//! - Trailing non-whitespace after the document is refused.

mod reader;
mod writer;

// The reader and writer are `pub` in private modules: nameable inside the crate only (they appear in the signatures
// of `Decode`/`Encode`, which seals those traits).
pub(crate) use reader::Reader;
pub(crate) use writer::decimal;
pub(crate) use writer::{ObjectWriter, Writer};

use crate::{DecodeError, Error};

/// A decode or encode step failed; what, where and in which member is kept by the internal reader or writer.
///
/// Zero-sized on purpose: a `Result` of it travels in registers, which keeps the decoders small and fast; the
/// [`DecodeError`] is built once, by whoever started the decode.
///
/// Internal: part of the signatures of [`Decode`]/[`Encode`] only, not covered by semver.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failed;

/// A model that can be decoded in place from JSON (with [`decode_into`] or [`decode`]). Implemented by this crate's
/// models; it cannot be implemented outside the crate (its method is internal, not covered by semver).
pub trait Decode {
    /// Decodes one JSON value from `r` into `self`, overwriting every field (optional members absent from the input
    /// become `None`). On error `self` holds a partial value.
    ///
    /// # Errors
    /// [`Failed`]; the reader then names the member path and byte offset.
    #[doc(hidden)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> Result<(), Failed>;
}

/// A model that can be encoded as compact JSON, members in the spec's order (with [`encode`]). Implemented by this
/// crate's models; it cannot be implemented outside the crate (its method is internal, not covered by semver).
pub trait Encode {
    /// Writes `self` as one JSON value.
    ///
    /// # Errors
    /// [`Failed`]; the writer then says why ([`Error::BufferTooSmall`], or [`Error::Invalid`] for an `Unknown` enum
    /// value).
    #[doc(hidden)]
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed>;
}

/// Decodes the whole of `bytes` (one JSON document, optionally surrounded by whitespace) into `out`, reusing its
/// storage.
///
/// # Errors
/// A [`DecodeError`] naming what is wrong, where.
///
/// # Panics
/// Never.
pub fn decode_into<T: Decode>(bytes: &[u8], out: &mut T) -> Result<(), DecodeError> {
    let mut r = Reader::new(bytes);
    match out.decode_from(&mut r).and_then(|()| r.finish()) {
        Ok(()) => Ok(()),
        Err(Failed) => Err(r.error()),
    }
}

/// Decodes the whole of `bytes` into a new `T`. Prefer [`decode_into`] for large models on small stacks.
///
/// # Errors
/// As [`decode_into`].
pub fn decode<T: Decode + Default>(bytes: &[u8]) -> Result<T, DecodeError> {
    let mut out = T::default();
    decode_into(bytes, &mut out)?;
    Ok(out)
}

/// Encodes `value` into `buf`, returning the number of bytes written.
///
/// # Errors
/// [`Error::BufferTooSmall`] when `buf` is too short.
///
/// # Panics
/// Never.
pub fn encode<T: Encode + ?Sized>(value: &T, buf: &mut [u8]) -> Result<usize, Error> {
    let mut w = Writer::new(buf);
    match value.encode_to(&mut w) {
        Ok(()) => Ok(w.len()),
        Err(Failed) => Err(w.error()),
    }
}

/// Encodes `value` into a new `Vec` (host convenience).
///
/// # Errors
/// [`Error::Invalid`] for an `Unknown` enum value.
#[cfg(feature = "std")]
pub fn to_vec<T: Encode + ?Sized>(value: &T) -> Result<std::vec::Vec<u8>, Error> {
    let mut buf = std::vec![0u8; 1024];
    loop {
        match encode(value, &mut buf) {
            Ok(n) => {
                buf.truncate(n);
                return Ok(buf);
            }
            Err(Error::BufferTooSmall) => {
                let len = buf.len() * 2;
                buf.resize(len, 0);
            }
            Err(e) => return Err(e),
        }
    }
}

impl<T: Encode> Encode for &T {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        (**self).encode_to(w)
    }
}
