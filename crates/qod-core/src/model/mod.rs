//! The CAMARA QoD v0.10.1 schemas, names verbatim from `qod-api.yaml` (Rust fields in snake_case, JSON in
//! camelCase). Strings are `heapless::String`s sized by [`crate::limits`]; lists are `heapless::Vec`s.
//!
//! Every model implements [`Decode`] (in place, from untrusted bytes; never panics) and
//! [`Encode`] (compact JSON, members in the spec's order). With the `serde` feature they also
//! implement `serde::Serialize`/`Deserialize` with the same JSON names, for host tools that use `serde_json`.

mod device;
mod error_info;
mod event;
mod profile;
mod session;

pub use device::{ApplicationServer, Device, DeviceIpv4Addr, PortRange, PortsSpec};
pub use error_info::{ErrorCode, ErrorInfo};
pub use event::{
    DataContentType, EventQosStatus, QosStatusChanged, QosStatusChangedData, StatusInfo, QOS_STATUS_CHANGED_TYPE,
};
pub use profile::{Duration, QosProfile, QosProfileList, QosProfileStatus, Rate, RateUnit, TimeUnit};
pub use session::{CreateSession, ExtendSessionDuration, Message, QosStatus, SessionInfo, Severity, Webhook};

use crate::json::{Decode, Encode, Failed, Reader, Writer};
use crate::{limits, DecodeErrorKind};

/// A QoS profile name (`QosProfileName`): 3–256 of `[a-zA-Z0-9_.-]`.
pub type QosProfileName = heapless::String<{ limits::QOS_PROFILE }>;
/// A session id (`SessionId`, a UUID).
pub type SessionId = heapless::String<{ limits::SESSION_ID }>;

type R = Result<(), Failed>;

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
            fn decode_from(&mut self, r: &mut $crate::json::Reader<'_>) -> Result<(), $crate::json::Failed> {
                *self = match r.enum_index(Self::WIRE)? {
                    Some(i) => Self::ALL.get(i).copied().unwrap_or(Self::Unknown),
                    None => Self::Unknown,
                };
                Ok(())
            }
        }

        impl $crate::json::Encode for $name {
            fn encode_to(&self, w: &mut $crate::json::Writer<'_>) -> Result<(), $crate::json::Failed> {
                match self.as_str() {
                    Some(s) => w.string(s),
                    None => Err(w.unknown_value($field)),
                }
            }
        }
    };
}
pub(crate) use wire_enum;

impl<const N: usize> Decode for heapless::String<N> {
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        r.string_into(self)
    }
}

impl<const N: usize> Encode for heapless::String<N> {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        w.string(self)
    }
}

impl<const N: usize> Decode for crate::Secret<N> {
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        r.string_into(self.inner_mut())
    }
}

impl<const N: usize> Encode for crate::Secret<N> {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        w.string(self.expose())
    }
}

impl Decode for u16 {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        *self = r.u16()?;
        Ok(())
    }
}
impl Decode for u32 {
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        *self = r.u32()?;
        Ok(())
    }
}
impl Decode for i64 {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        *self = r.i64()?;
        Ok(())
    }
}
impl Encode for u16 {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        w.u32(u32::from(*self))
    }
}
impl Encode for u32 {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        w.u32(*self)
    }
}

/// Decodes one member's value (never called for `null`, which leaves the member absent).
pub(crate) type FieldFn<T> = fn(&mut T, &mut Reader<'_>) -> R;

/// The members of one object: wire names (also the segments of error paths) and the bit set of required members
/// (bit `i` for `names[i]`).
pub(crate) struct Schema {
    pub names: &'static [&'static str],
    pub required: u32,
}

/// Decodes an object into `v`: each known member with its `fields[i]`, unknown members skipped, `null` members left
/// absent, then the required members checked.
///
/// Table-driven on purpose: the per-type part is a table and small thunks, the loop exists once in flash.
#[inline]
pub(crate) fn object<T>(r: &mut Reader<'_>, v: &mut T, schema: &Schema, fields: &[FieldFn<T>]) -> R {
    object_dyn(r, schema, &mut |i, r| match fields.get(i) {
        Some(f) => f(v, r),
        None => r.skip(),
    })
}

#[inline(never)]
pub(crate) fn object_dyn(r: &mut Reader<'_>, schema: &Schema, f: &mut dyn FnMut(usize, &mut Reader<'_>) -> R) -> R {
    r.begin_object()?;
    // Members met (null or not), and those met with `null` (absent, as the spec reads them).
    let mut seen = 0u32;
    let mut nulls = 0u32;
    while let Some(key) = r.next_key()? {
        let Some(i) = schema.names.iter().position(|n| key.matches(n)) else {
            r.skip()?;
            continue;
        };
        let bit = 1u32 << i;
        let done = if seen & bit != 0 {
            // A second value for a member would give the document two readings: refused, whatever the values.
            Err(r.fail(DecodeErrorKind::DuplicateMember, r.offset()))
        } else {
            seen |= bit;
            match r.null() {
                Ok(true) => {
                    nulls |= bit;
                    Ok(())
                }
                Ok(false) => f(i, r),
                Err(e) => Err(e),
            }
        };
        if done.is_err() {
            return Err(r.in_member(schema.names.get(i).copied().unwrap_or("")));
        }
    }
    let missing = schema.required & !(seen & !nulls);
    if missing != 0 {
        r.fail(DecodeErrorKind::Missing, r.offset());
        let name = schema.names.get(missing.trailing_zeros() as usize).copied();
        return Err(r.in_member(name.unwrap_or("")));
    }
    Ok(())
}

/// Decodes an optional member's value (set to `Some(default)` first). One copy per member type, shared by every
/// member of that type.
#[inline(never)]
pub(crate) fn opt<T: Decode + Default>(o: &mut Option<T>, r: &mut Reader<'_>) -> R {
    some(o).decode_from(r)
}

/// The value inside an optional member, inserting a default first.
#[inline]
pub(crate) fn some<T: Default>(o: &mut Option<T>) -> &mut T {
    o.get_or_insert_with(T::default)
}

/// Decodes an array into `v` (cleared first), each item with `item`.
pub(crate) fn list<T: Default>(
    r: &mut Reader<'_>,
    v: &mut heapless::vec::VecView<T>,
    item: &mut dyn FnMut(&mut Reader<'_>, &mut T) -> R,
) -> R {
    v.clear();
    r.begin_array()?;
    while r.next_element()? {
        let at = r.offset();
        if v.push(T::default()).is_err() {
            return Err(r.fail(DecodeErrorKind::TooMany, at));
        }
        if let Some(last) = v.last_mut() {
            item(r, last)?;
        }
    }
    Ok(())
}

#[cfg(feature = "serde")]
pub(crate) fn is_empty<T, const N: usize>(v: &heapless::Vec<T, N>) -> bool {
    v.is_empty()
}
