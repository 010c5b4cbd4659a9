//! Local codec errors. An API's *decision* (a CAMARA `ErrorInfo`) is not here: see [`crate::api::ApiError`].
use core::fmt;

/// Everything that can go wrong in this crate, locally. `Copy` and small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error {
    /// The caller's output buffer cannot hold the encoded request or JSON.
    BufferTooSmall,
    /// A JSON document could not be decoded into the model.
    Decode(DecodeError),
    /// A value the device was about to send breaks the spec (caught before any byte leaves).
    Invalid(ValidationError),
    /// The HTTP response (or a request part) is malformed or unsupported.
    Http(HttpError),
    /// The server answered with a status the operation does not define, or an error status without an `ErrorInfo`
    /// body.
    UnexpectedStatus(u16),
}

impl Error {
    fn description(&self) -> &'static str {
        match self {
            Error::BufferTooSmall => "buffer too small",
            Error::Decode(_) => "invalid JSON document",
            Error::Invalid(_) => "invalid value",
            Error::Http(_) => "HTTP error",
            Error::UnexpectedStatus(_) => "unexpected HTTP status",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Decode(e) => fmt::Display::fmt(e, f),
            Error::Invalid(e) => fmt::Display::fmt(e, f),
            Error::Http(e) => write!(f, "HTTP: {}", e.description()),
            Error::UnexpectedStatus(s) => write!(f, "unexpected HTTP status {s}"),
            e => f.write_str(e.description()),
        }
    }
}

impl core::error::Error for Error {}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e)
    }
}
impl From<ValidationError> for Error {
    fn from(e: ValidationError) -> Self {
        Error::Invalid(e)
    }
}
impl From<HttpError> for Error {
    fn from(e: HttpError) -> Self {
        Error::Http(e)
    }
}

/// What was wrong with a JSON document, where (`path`, e.g. `device.ipv4Address.publicPort`), and at which byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DecodeError {
    /// What was wrong.
    pub kind: DecodeErrorKind,
    /// The member's path in the document (empty for the document itself).
    pub path: MemberPath,
    /// Byte offset in the input where the problem was seen.
    pub offset: usize,
}

impl DecodeError {
    pub(crate) const fn new(kind: DecodeErrorKind, offset: usize) -> Self {
        DecodeError {
            kind,
            path: MemberPath::EMPTY,
            offset,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.description())?;
        if !self.path.is_empty() {
            write!(f, " at `{}`", self.path)?;
        }
        write!(f, " (byte {})", self.offset)
    }
}

impl core::error::Error for DecodeError {}

/// The member path of a [`DecodeError`]: the names of the members the decoder was inside, outermost first, shown
/// joined by `.` (`applicationServerPorts.ranges.from`). List items add no segment. Compares equal to that string.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct MemberPath {
    /// Innermost first (segments are added as the error leaves each member).
    segs: [&'static str; MemberPath::DEPTH],
    len: u8,
}

impl MemberPath {
    /// The most segments a path keeps (the v0.10.1 models nest three deep); outer segments beyond it are dropped.
    pub const DEPTH: usize = 4;
    pub(crate) const EMPTY: MemberPath = MemberPath {
        segs: [""; MemberPath::DEPTH],
        len: 0,
    };

    /// Whether the error concerns the document itself rather than a member.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The segments, outermost first.
    pub fn segments(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.segs.iter().take(usize::from(self.len)).rev().copied()
    }

    /// Adds the member an error is leaving (the next-outer segment).
    pub(crate) fn push_outer(&mut self, name: &'static str) {
        if let Some(slot) = self.segs.get_mut(usize::from(self.len)) {
            *slot = name;
            self.len += 1;
        }
    }
}

impl fmt::Display for MemberPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.segments().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            f.write_str(s)?;
        }
        Ok(())
    }
}

impl fmt::Debug for MemberPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for MemberPath {
    fn format(&self, f: defmt::Formatter<'_>) {
        for (i, s) in self.segments().enumerate() {
            if i > 0 {
                defmt::write!(f, ".");
            }
            defmt::write!(f, "{=str}", s);
        }
    }
}

impl PartialEq<str> for MemberPath {
    fn eq(&self, other: &str) -> bool {
        let mut rest = other.as_bytes();
        for (i, s) in self.segments().enumerate() {
            if i > 0 {
                match rest.strip_prefix(b".") {
                    Some(r) => rest = r,
                    None => return false,
                }
            }
            match rest.strip_prefix(s.as_bytes()) {
                Some(r) => rest = r,
                None => return false,
            }
        }
        rest.is_empty()
    }
}

impl PartialEq<&str> for MemberPath {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

/// Kinds of [`DecodeError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input ended inside a value.
    Eof,
    /// A byte that JSON does not allow here.
    Syntax,
    /// Non-whitespace after the document.
    TrailingCharacters,
    /// A malformed `\` escape, or a lone UTF-16 surrogate.
    InvalidEscape,
    /// A string that is not valid UTF-8.
    InvalidUtf8,
    /// A raw control character inside a string.
    ControlCharacter,
    /// A number where the spec wants an integer (fraction, exponent, leading zero) or a malformed number.
    InvalidNumber,
    /// An integer outside the range of its field (e.g. a port above 65535).
    OutOfRange,
    /// A string longer than its capacity (see [`crate::limits`]).
    TooLong,
    /// More list items than the capacity (see [`crate::limits`]).
    TooMany,
    /// Nesting deeper than [`crate::limits::DEPTH`].
    TooDeep,
    /// A required member is absent (or `null`).
    Missing,
    /// A value of the wrong JSON type (e.g. a string where an object is expected).
    WrongType,
    /// A value outside the fixed set the spec allows here (CloudEvent `type`, `specversion`, `datacontenttype`).
    UnexpectedValue,
    /// A member name that appears twice in one object (a second value would give the document two readings).
    DuplicateMember,
    /// A string that is not an RFC 3339 date-time (see [`crate::time::DateTime`]).
    InvalidDateTime,
}

impl DecodeErrorKind {
    /// A short English description.
    pub fn description(&self) -> &'static str {
        match self {
            DecodeErrorKind::Eof => "unexpected end of input",
            DecodeErrorKind::Syntax => "syntax error",
            DecodeErrorKind::TrailingCharacters => "trailing characters after the document",
            DecodeErrorKind::InvalidEscape => "invalid escape sequence",
            DecodeErrorKind::InvalidUtf8 => "invalid UTF-8",
            DecodeErrorKind::ControlCharacter => "control character in string",
            DecodeErrorKind::InvalidNumber => "not an integer",
            DecodeErrorKind::OutOfRange => "integer out of range",
            DecodeErrorKind::TooLong => "string longer than its capacity",
            DecodeErrorKind::TooMany => "more items than the list's capacity",
            DecodeErrorKind::TooDeep => "nesting too deep",
            DecodeErrorKind::Missing => "required member missing",
            DecodeErrorKind::WrongType => "wrong JSON type",
            DecodeErrorKind::UnexpectedValue => "value not allowed here",
            DecodeErrorKind::DuplicateMember => "duplicate member name",
            DecodeErrorKind::InvalidDateTime => "not an RFC 3339 date-time",
        }
    }
}

/// A value that breaks the spec, found by [`crate::Validate`] before anything is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ValidationError {
    /// The offending field's path, e.g. `device.ipv4Address.publicPort`.
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: Problem,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.field, self.problem.description())
    }
}

impl core::error::Error for ValidationError {}

/// Kinds of [`ValidationError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Problem {
    /// Required but absent.
    Missing,
    /// Shorter than the spec's minimum length.
    TooShort,
    /// Longer than the spec's maximum length.
    TooLong,
    /// Does not match the spec's pattern.
    Pattern,
    /// A number outside the spec's range.
    OutOfRange,
    /// A port range whose `from` is greater than its `to`.
    RangeReversed,
    /// Not an IP address literal of the right family (or a bad `/mask`).
    NotAnAddress,
    /// Not an absolute `http://` or `https://` URL.
    NotAUrl,
    /// An object that needs at least one of its members.
    Empty,
    /// `ipv4Address` needs `publicAddress` plus `privateAddress` or `publicPort`.
    Ipv4Incomplete,
    /// An enum value this crate decoded as unknown cannot be sent back.
    UnknownValue,
    /// A byte that cannot appear in an HTTP header value or path segment (CR, LF, other controls, or a reserved
    /// character in a path segment).
    ForbiddenCharacter,
    /// A value the spec defines but this API version does not allow to be sent (a v1 `sinkCredential` other than
    /// `ACCESSTOKEN`).
    NotAllowed,
}

impl Problem {
    /// A short English description.
    pub fn description(&self) -> &'static str {
        match self {
            Problem::Missing => "is required",
            Problem::TooShort => "is shorter than allowed",
            Problem::TooLong => "is longer than allowed",
            Problem::Pattern => "does not match the allowed pattern",
            Problem::OutOfRange => "is out of range",
            Problem::RangeReversed => "has `from` greater than `to`",
            Problem::NotAnAddress => "is not a valid IP address",
            Problem::NotAUrl => "is not an absolute http(s) URL",
            Problem::Empty => "needs at least one member",
            Problem::Ipv4Incomplete => "needs `publicAddress` and `privateAddress` or `publicPort`",
            Problem::UnknownValue => "holds an unknown value that cannot be sent",
            Problem::ForbiddenCharacter => "contains a forbidden character",
            Problem::NotAllowed => "is not allowed in this API version",
        }
    }
}

/// HTTP-level problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HttpError {
    /// Malformed status line or header (httparse refused it).
    Head,
    /// More header lines than the reader accepts.
    TooManyHeaders,
    /// Response head or body larger than the caller's buffer.
    TooLarge,
    /// A malformed or conflicting `Content-Length`.
    ContentLength,
    /// Malformed chunked framing.
    Chunked,
    /// A `Transfer-Encoding` other than `chunked` (e.g. `gzip`), which we never ask for.
    UnsupportedTransferEncoding,
    /// The peer closed the connection before the body was complete.
    Truncated,
    /// Not HTTP/1.x.
    Version,
    /// Framing that would have to be guessed at: `Transfer-Encoding` and `Content-Length` together, `chunked` twice,
    /// or `chunked` in an HTTP/1.0 response (RFC 9112 §6).
    Framing,
}

impl HttpError {
    /// A short English description.
    pub fn description(&self) -> &'static str {
        match self {
            HttpError::Head => "malformed response head",
            HttpError::TooManyHeaders => "too many response headers",
            HttpError::TooLarge => "response larger than the buffer",
            HttpError::ContentLength => "malformed Content-Length",
            HttpError::Chunked => "malformed chunked body",
            HttpError::UnsupportedTransferEncoding => "unsupported Transfer-Encoding",
            HttpError::Truncated => "connection closed before the response was complete",
            HttpError::Version => "not an HTTP/1.x response",
            HttpError::Framing => {
                "ambiguous message framing (Transfer-Encoding with Content-Length, or chunked in HTTP/1.0)"
            }
        }
    }
}

impl core::error::Error for HttpError {}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// A value does not fit the capacity this crate gives its field (see [`crate::limits`], set at build time): returned by
/// the constructors and `with_…` methods of the models instead of truncating the value or dropping it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct CapacityError {
    /// The field's path in the model, e.g. `device.phoneNumber`.
    pub field: &'static str,
    /// Its capacity in bytes (or entries, for a list).
    pub max: usize,
}

impl CapacityError {
    pub(crate) const fn new(field: &'static str, max: usize) -> Self {
        CapacityError { field, max }
    }
}

impl fmt::Display for CapacityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: longer than its capacity of {}", self.field, self.max)
    }
}

impl core::error::Error for CapacityError {}

/// As [`Error::Invalid`] with [`Problem::TooLong`], so that `?` works in functions returning this crate's [`Error`].
impl From<CapacityError> for Error {
    fn from(e: CapacityError) -> Self {
        Error::Invalid(ValidationError {
            field: e.field,
            problem: Problem::TooLong,
        })
    }
}

/// Copies `value` into a string of capacity `N`, or names `field` in the error.
pub(crate) fn fit<const N: usize>(field: &'static str, value: &str) -> Result<heapless::String<N>, CapacityError> {
    heapless::String::try_from(value).map_err(|_| CapacityError::new(field, N))
}

/// Copies `items` into a list of capacity `N`, or names `field` in the error.
pub(crate) fn fit_list<T: Clone, const N: usize>(
    field: &'static str,
    items: &[T],
) -> Result<heapless::Vec<T, N>, CapacityError> {
    heapless::Vec::from_slice(items).map_err(|_| CapacityError::new(field, N))
}
