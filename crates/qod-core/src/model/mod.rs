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

        $crate::model::model_member!($name);

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

/// Where one member's value is decoded to. A member's [`FieldFn`] only says *where* (a few instructions); the
/// decoding itself exists once, in [`object`].
pub(crate) enum Slot<'a> {
    /// A string of any capacity.
    Str(&'a mut heapless::string::StringView),
    /// A `u16` (ports, statuses).
    U16(&'a mut u16),
    /// A `u32`.
    U32(&'a mut u32),
    /// A `duration`: an int32 with minimum 1.
    Duration(&'a mut u32),
    /// An `i64` (epoch seconds).
    I64(&'a mut i64),
    /// A nested model, enum or list.
    Model(&'a mut dyn Decode),
    /// A string that must equal this constant (CloudEvent `type`, `specversion`, `datacontenttype`).
    Expect(&'static str),
}

/// A member's place in its struct, as a [`Slot`] (optional members are set to `Some(default)` first; `null` never
/// gets here and leaves the member absent).
pub(crate) type FieldFn<T> = for<'a> fn(&'a mut T) -> Slot<'a>;

/// Types a member can have, and their [`Slot`].
pub(crate) trait Member {
    fn slot(&mut self) -> Slot<'_>;
}

impl<const N: usize> Member for heapless::String<N> {
    #[inline]
    fn slot(&mut self) -> Slot<'_> {
        Slot::Str(self.as_mut_view())
    }
}
impl<const N: usize> Member for crate::Secret<N> {
    #[inline]
    fn slot(&mut self) -> Slot<'_> {
        Slot::Str(self.inner_mut().as_mut_view())
    }
}
impl Member for u16 {
    #[inline]
    fn slot(&mut self) -> Slot<'_> {
        Slot::U16(self)
    }
}
impl Member for u32 {
    #[inline]
    fn slot(&mut self) -> Slot<'_> {
        Slot::U32(self)
    }
}
impl Member for i64 {
    #[inline]
    fn slot(&mut self) -> Slot<'_> {
        Slot::I64(self)
    }
}
impl<T: Member + Default> Member for Option<T> {
    #[inline]
    fn slot(&mut self) -> Slot<'_> {
        some(self).slot()
    }
}
impl<T: Decode + Default, const N: usize> Member for heapless::Vec<T, N> {
    #[inline]
    fn slot(&mut self) -> Slot<'_> {
        Slot::Model(self)
    }
}

/// Models (structs and enums) are members through their [`Decode`].
macro_rules! model_member {
    ($($t:ty),+) => {
        $(impl $crate::model::Member for $t {
            #[inline]
            fn slot(&mut self) -> $crate::model::Slot<'_> {
                $crate::model::Slot::Model(self)
            }
        })+
    };
}
pub(crate) use model_member;

/// The members of one object: wire names (also the segments of error paths) and the bit set of required members
/// (bit `i` for `names[i]`).
pub(crate) struct Schema {
    pub names: &'static [&'static str],
    pub required: u32,
}

/// An object being decoded: its value and its members' places.
trait Members {
    fn slot(&mut self, i: usize) -> Option<Slot<'_>>;
}

struct Object<'v, T: 'static> {
    v: &'v mut T,
    fields: &'static [FieldFn<T>],
}

impl<T: 'static> Members for Object<'_, T> {
    fn slot(&mut self, i: usize) -> Option<Slot<'_>> {
        let f = self.fields.get(i)?;
        Some(f(self.v))
    }
}

/// Decodes an object into `v`: each known member into the [`Slot`] its `fields[i]` gives, unknown members skipped,
/// `null` members left absent, then the required members checked.
///
/// Table-driven on purpose: the per-type part is a table and tiny functions, the decoding loop exists once in flash.
#[inline]
pub(crate) fn object<T: 'static>(r: &mut Reader<'_>, v: &mut T, schema: &Schema, fields: &'static [FieldFn<T>]) -> R {
    object_dyn(r, schema, &mut Object { v, fields })
}

#[inline(never)]
fn object_dyn(r: &mut Reader<'_>, schema: &Schema, v: &mut dyn Members) -> R {
    r.begin_object()?;
    let mut seen = 0u32;
    // Servers usually send members in the spec's order: try the one after the last match first.
    let mut guess = 0;
    while let Some(key) = r.next_key()? {
        let found = match schema.names.get(guess) {
            Some(n) if key.matches(n) => Some(guess),
            _ => schema.names.iter().position(|n| key.matches(n)),
        };
        let Some(i) = found else {
            r.skip()?;
            continue;
        };
        guess = i + 1;
        let done = match r.null() {
            Ok(true) => continue,
            Ok(false) => match v.slot(i) {
                Some(Slot::Str(s)) => r.string_into_view(s),
                Some(Slot::U16(p)) => r.u16().map(|x| *p = x),
                Some(Slot::U32(p)) => r.u32().map(|x| *p = x),
                Some(Slot::Duration(p)) => r.u32_in(1, i32::MAX as u32).map(|x| *p = x),
                Some(Slot::I64(p)) => r.i64().map(|x| *p = x),
                Some(Slot::Model(m)) => m.decode_from(r),
                Some(Slot::Expect(s)) => r.expect_string(s),
                None => r.skip(),
            },
            Err(e) => Err(e),
        };
        if done.is_err() {
            return Err(r.in_member(schema.names.get(i).copied().unwrap_or("")));
        }
        seen |= 1 << i;
    }
    let missing = schema.required & !seen;
    if missing != 0 {
        r.fail(DecodeErrorKind::Missing, r.offset());
        let name = schema.names.get(missing.trailing_zeros() as usize).copied();
        return Err(r.in_member(name.unwrap_or("")));
    }
    Ok(())
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

impl<T: Decode + Default, const N: usize> Decode for heapless::Vec<T, N> {
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        list(r, self.as_mut_view(), &mut |r, item| item.decode_from(r))
    }
}

#[cfg(feature = "serde")]
pub(crate) fn is_empty<T, const N: usize>(v: &heapless::Vec<T, N>) -> bool {
    v.is_empty()
}
