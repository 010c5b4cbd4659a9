//! The CAMARA QoD v0.10.1 schemas, names verbatim from `qod-api.yaml` (Rust fields in snake_case, JSON in
//! camelCase). Strings are `heapless::String`s sized by [`crate::limits`]; lists are `heapless::Vec`s.
//!
//! Every model implements [`Decode`](crate::Decode) (in place, from untrusted bytes; never panics) and
//! [`Encode`](crate::Encode) (compact JSON, members in the spec's order). With the `serde` feature they also
//! implement `serde::Serialize`/`Deserialize` with the same JSON names, for host tools that use `serde_json`.

mod device;
mod error_info;
mod event;
mod profile;
mod session;

pub use device::{ApplicationServer, Device, DeviceIpv4Addr, PortRange, PortsSpec};
pub use error_info::{ErrorCode, ErrorInfo};
pub use event::{DataContentType, EventQosStatus, QosStatusChanged, QosStatusChangedData, StatusInfo, QOS_STATUS_CHANGED_TYPE};
pub use profile::{Duration, QosProfile, QosProfileList, QosProfileStatus, Rate, RateUnit, TimeUnit};
pub use session::{CreateSession, ExtendSessionDuration, Message, QosStatus, SessionInfo, Severity, Webhook};

use crate::json::{Decode, Encode, Reader, Writer};
use crate::{limits, DecodeError, DecodeErrorKind, Error};

/// A QoS profile name (`QosProfileName`): 3–256 of `[a-zA-Z0-9_.-]`.
pub type QosProfileName = heapless::String<{ limits::QOS_PROFILE }>;
/// A session id (`SessionId`, a UUID).
pub type SessionId = heapless::String<{ limits::SESSION_ID }>;

type R = Result<(), DecodeError>;

/// Declares a string enum of the spec with an `Unknown` catch-all (see the [`json`](crate::json) docs).
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident, $field:literal { $($(#[$vm:meta])* $var:ident = $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub enum $name {
            $($(#[$vm])* #[cfg_attr(feature = "serde", serde(rename = $wire))] $var,)+
            /// A value this version does not know (e.g. sent by a newer server). It cannot be encoded.
            #[default]
            #[cfg_attr(feature = "serde", serde(other))]
            Unknown,
        }

        impl $name {
            /// The spec's spellings, in declaration order.
            pub const WIRE: &'static [&'static str] = &[$($wire),+];
            const ALL: &'static [Self] = &[$(Self::$var),+];

            /// The spec's spelling; `None` for [`Self::Unknown`].
            pub fn as_str(&self) -> Option<&'static str> {
                match self {
                    $(Self::$var => Some($wire),)+
                    Self::Unknown => None,
                }
            }

            /// Parses the spec's spelling; anything else is [`Self::Unknown`].
            pub fn from_wire(s: &str) -> Self {
                Self::WIRE.iter().position(|w| *w == s).and_then(|i| Self::ALL.get(i).copied()).unwrap_or(Self::Unknown)
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str().unwrap_or("(unknown)"))
            }
        }

        impl $crate::json::Decode for $name {
            fn decode_from(&mut self, r: &mut $crate::json::Reader<'_>) -> Result<(), $crate::DecodeError> {
                *self = match r.enum_index(Self::WIRE)? {
                    Some(i) => Self::ALL.get(i).copied().unwrap_or(Self::Unknown),
                    None => Self::Unknown,
                };
                Ok(())
            }
        }

        impl $crate::json::Encode for $name {
            fn encode_to(&self, w: &mut $crate::json::Writer<'_>) -> Result<(), $crate::Error> {
                match self.as_str() {
                    Some(s) => w.string(s),
                    None => Err($crate::Error::Invalid($crate::ValidationError {
                        field: $field,
                        problem: $crate::Problem::UnknownValue,
                    })),
                }
            }
        }
    };
}
pub(crate) use wire_enum;

impl<const N: usize> Decode for heapless::String<N> {
    #[inline]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        r.string_into(self)
    }
}

impl<const N: usize> Encode for heapless::String<N> {
    #[inline]
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.string(self)
    }
}

impl<const N: usize> Decode for crate::Secret<N> {
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        r.string_into(self.inner_mut())
    }
}

impl<const N: usize> Encode for crate::Secret<N> {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.string(self.expose())
    }
}

impl Decode for u16 {
    #[inline]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        *self = r.u16()?;
        Ok(())
    }
}
impl Decode for u32 {
    #[inline]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        *self = r.u32()?;
        Ok(())
    }
}
impl Decode for i64 {
    #[inline]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        *self = r.i64()?;
        Ok(())
    }
}
impl Encode for u16 {
    #[inline]
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u64(u64::from(*self))
    }
}
impl Encode for u32 {
    #[inline]
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u64(u64::from(*self))
    }
}

/// Decodes a required member's value; `Ok(false)` for `null` (treated as absent).
#[inline]
pub(crate) fn req<T: Decode>(r: &mut Reader<'_>, v: &mut T, path: &'static str) -> Result<bool, DecodeError> {
    if r.null().map_err(|e| e.at(path))? {
        return Ok(false);
    }
    v.decode_from(r).map_err(|e| e.at(path))?;
    Ok(true)
}

/// Decodes an optional member's value in place; `null` leaves it `None`.
#[inline]
pub(crate) fn opt<T: Decode + Default>(r: &mut Reader<'_>, v: &mut Option<T>, path: &'static str) -> R {
    if r.null().map_err(|e| e.at(path))? {
        *v = None;
        return Ok(());
    }
    v.get_or_insert_with(T::default).decode_from(r).map_err(|e| e.at(path))
}

/// Decodes an array member into `v` (cleared first); `null` leaves it empty.
#[inline]
pub(crate) fn list<T: Default, const N: usize>(
    r: &mut Reader<'_>,
    v: &mut heapless::Vec<T, N>,
    path: &'static str,
    mut item: impl FnMut(&mut Reader<'_>, &mut T) -> R,
) -> R {
    v.clear();
    if r.null().map_err(|e| e.at(path))? {
        return Ok(());
    }
    r.begin_array().map_err(|e| e.at(path))?;
    while r.next_element().map_err(|e| e.at(path))? {
        let at = r.offset();
        if v.push(T::default()).is_err() {
            return Err(DecodeError::new(DecodeErrorKind::TooMany, at).at(path));
        }
        if let Some(last) = v.last_mut() {
            item(r, last).map_err(|e| e.at(path))?;
        }
    }
    Ok(())
}

/// The error for a required member that never came.
#[inline]
pub(crate) fn missing(r: &Reader<'_>, path: &'static str) -> DecodeError {
    DecodeError::new(DecodeErrorKind::Missing, r.offset()).at(path)
}

#[cfg(feature = "serde")]
pub(crate) fn is_empty<T, const N: usize>(v: &heapless::Vec<T, N>) -> bool {
    v.is_empty()
}
