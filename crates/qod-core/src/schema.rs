//! How a model is declared once and read and written from that one declaration.
//!
//! Each schema of a spec version is one [`model!`] invocation: the struct with its documentation, the JSON name and
//! the kind of every member (`req`uired, `opt`ional, `list` left out when empty). From it come the struct (with
//! serde attributes naming the same members, for host tools), the key table (`,"name":` per member: what the
//! encoder writes, what the decoder matches the input against, and the segments of error paths), the set of required members (computed from the members' types, and
//! checked against the declared kinds at compile time), the table-driven decoder and the encoder. Nothing is kept
//! twice, and nothing is tied to a member's position by hand.
//!
//! The decoder of every model is one loop in flash ([`object_dyn`]); a model adds a key table and one dispatch
//! function (member index to the member's decoder). Members share out-of-line helpers per member type ([`opt`], [`list`]).
use crate::json::{Decode, Encode, Failed, ObjectWriter, Reader, Writer};
use crate::DecodeErrorKind;

pub(crate) type R = Result<(), Failed>;

/// How a value behaves as a member of an object.
///
/// Required members are plain values; an `Option` is a member that may be absent (or `null`), a `heapless::Vec` a
/// list that is left out when empty.
pub(crate) trait Member: Decode + Encode {
    /// The member may be absent.
    const OPTIONAL: bool = false;

    /// Makes an optional member absent before a decode (required ones are overwritten, or the decode fails).
    #[inline]
    fn reset(&mut self) {}

    /// Decodes the member's value (never called for `null`, which leaves the member absent).
    #[inline]
    fn decode_member(&mut self, r: &mut Reader<'_>) -> R {
        self.decode_from(r)
    }

    /// Writes `"name":value`; `key` is the member's key as written, `,"name":` ([`ObjectWriter::quoted`]).
    #[inline]
    fn encode_present(&self, o: &mut ObjectWriter<'_, '_>, key: &'static str) -> R {
        self.encode_to(o.quoted(key)?)
    }

    /// Writes `"name":value`, unless the member is left out (`None`, an empty list).
    #[inline]
    fn encode_member(&self, o: &mut ObjectWriter<'_, '_>, key: &'static str) -> R {
        self.encode_present(o, key)
    }
}

/// The bit set of required members: bit `i` when member `i` is not optional.
pub(crate) const fn required(optional: &[bool]) -> u32 {
    assert!(optional.len() <= 32, "a model has at most 32 members");
    let mut mask = 0u32;
    let mut bit = 1u32;
    let mut rest = optional;
    while let [first, tail @ ..] = rest {
        if !*first {
            mask |= bit;
        }
        bit <<= 1;
        rest = tail;
    }
    mask
}

/// Declares a model: see the [module docs](self). Members are `kind name: Type = "wireName"`, optionally with
/// `=> path` naming a decoder of the member's value with a narrower range than its type (`fn(&mut Type, &mut
/// Reader) -> Result<(), Failed>`), each ended by `;`.
macro_rules! model {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($body:tt)* }
    ) => {
        $crate::schema::model!(@struct [$(#[$meta])*] $name [] $($body)*);
        $crate::schema::model!(@impls $name $($body)*);
    };

    // The struct, one member at a time (each kind has its own serde attributes).
    (@struct [$($meta:tt)*] $name:ident [$($acc:tt)*]
        $(#[$fm:meta])* req $field:ident : $ty:ty = $wire:literal $(=> $dec:path)? ; $($rest:tt)*) => {
        $crate::schema::model!(@struct [$($meta)*] $name [$($acc)*
            $(#[$fm])*
            #[cfg_attr(feature = "serde", serde(rename = $wire))]
            pub $field: $ty,
        ] $($rest)*);
    };
    (@struct [$($meta:tt)*] $name:ident [$($acc:tt)*]
        $(#[$fm:meta])* opt $field:ident : $ty:ty = $wire:literal $(=> $dec:path)? ; $($rest:tt)*) => {
        $crate::schema::model!(@struct [$($meta)*] $name [$($acc)*
            $(#[$fm])*
            #[cfg_attr(feature = "serde", serde(rename = $wire, default, skip_serializing_if = "Option::is_none"))]
            pub $field: $ty,
        ] $($rest)*);
    };
    (@struct [$($meta:tt)*] $name:ident [$($acc:tt)*]
        $(#[$fm:meta])* list $field:ident : $ty:ty = $wire:literal $(=> $dec:path)? ; $($rest:tt)*) => {
        $crate::schema::model!(@struct [$($meta)*] $name [$($acc)*
            $(#[$fm])*
            #[cfg_attr(feature = "serde", serde(rename = $wire, default, skip_serializing_if = "crate::schema::is_empty"))]
            pub $field: $ty,
        ] $($rest)*);
    };
    (@struct [$($meta:tt)*] $name:ident [$($acc:tt)*]) => {
        $($meta)*
        // Later spec versions add members: build a model with `Default` (or its constructor) and assign fields.
        #[non_exhaustive]
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub struct $name { $($acc)* }
    };

    (@optional req) => { false };
    (@optional opt) => { true };
    (@optional list) => { true };
    (@decode $v:expr, $r:expr) => { $crate::schema::Member::decode_member(&mut $v, $r) };
    (@decode $v:expr, $r:expr, $dec:path) => { $dec(&mut $v, $r) };

    (@impls $name:ident $($(#[$fm:meta])* $kind:ident $field:ident : $ty:ty = $wire:literal $(=> $dec:path)? ;)*) => {
        impl $name {
            /// The JSON names of the members, in the spec's order.
            pub const MEMBERS: &'static [&'static str] = &[$($wire),*];
            /// The members' keys as written, `,"name":` (see [`Schema`]).
            const KEYS: &'static [&'static str] = &[$(concat!(",\"", $wire, "\":")),*];
        }

        // The declared kind of every member agrees with its type.
        const _: () = {
            $(assert!(
                <$ty as $crate::schema::Member>::OPTIONAL == $crate::schema::model!(@optional $kind),
                concat!(stringify!($name), ".", $wire, ": the kind does not match the type"),
            );)*
        };

        impl $crate::json::Decode for $name {
            #[inline(never)]
            fn decode_from(&mut self, r: &mut $crate::json::Reader<'_>) -> Result<(), $crate::json::Failed> {
                const SCHEMA: $crate::schema::Schema = $crate::schema::Schema {
                    keys: $name::KEYS,
                    required: $crate::schema::required(&[$(<$ty as $crate::schema::Member>::OPTIONAL),*]),
                };
                $($crate::schema::Member::reset(&mut self.$field);)*
                // Member `i`'s decoder: one function per model (a jump table), not a function per member.
                $crate::schema::object_dyn(r, &SCHEMA, &mut |i, r| {
                    let mut n = 0;
                    $(
                        if i == n {
                            return $crate::schema::model!(@decode self.$field, r $(, $dec)?);
                        }
                        n += 1;
                    )*
                    let _ = n;
                    r.skip()
                })
            }
        }

        impl $crate::json::Encode for $name {
            #[inline(never)]
            fn encode_to(&self, w: &mut $crate::json::Writer<'_>) -> Result<(), $crate::json::Failed> {
                let mut o = w.object()?;
                $($crate::schema::Member::encode_member(&self.$field, &mut o, concat!(",\"", $wire, "\":"))?;)*
                o.end()
            }
        }

        impl $crate::schema::Member for $name {}
    };
}
pub(crate) use model;

/// Declares a string enum of the spec with an `Unknown` catch-all (see the [`json`](crate::json) docs).
/// `$field` names the member in the error when an `Unknown` value is encoded.
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident, $field:literal { $($(#[$vm:meta])* $var:ident = $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        // Later spec versions add values: a `match` needs a wildcard arm.
        #[non_exhaustive]
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
                    Some(s) => w.plain_string(s),
                    None => Err(w.unknown_value($field)),
                }
            }
        }

        impl $crate::schema::Member for $name {}
    };
}
pub(crate) use wire_enum;

/// Declares a zero-sized type for a member whose value the spec fixes (a CloudEvent's `type`, `specversion`):
/// decoding checks the value ([`DecodeErrorKind::UnexpectedValue`] otherwise), encoding writes it.
macro_rules! fixed_string {
    ($(#[$m:meta])* $name:ident = $value:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub struct $name;

        impl $name {
            /// The value.
            pub const VALUE: &'static str = $value;
        }

        impl $crate::json::Decode for $name {
            fn decode_from(&mut self, r: &mut $crate::json::Reader<'_>) -> Result<(), $crate::json::Failed> {
                r.expect_string($value)
            }
        }

        impl $crate::json::Encode for $name {
            fn encode_to(&self, w: &mut $crate::json::Writer<'_>) -> Result<(), $crate::json::Failed> {
                w.plain_string($value)
            }
        }

        impl $crate::schema::Member for $name {}

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($value)
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v: heapless::String<64> = serde::Deserialize::deserialize(d)?;
                if v.as_str() == $value {
                    Ok($name)
                } else {
                    Err(serde::de::Error::custom(concat!("expected ", $value)))
                }
            }
        }
    };
}
pub(crate) use fixed_string;

impl<const N: usize> Decode for heapless::String<N> {
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        r.string_into(self)
    }
}

impl<const N: usize> Encode for heapless::String<N> {
    fn encode_to(&self, w: &mut Writer<'_>) -> R {
        w.string(self)
    }
}

impl<const N: usize> Member for heapless::String<N> {
    #[inline]
    fn encode_present(&self, o: &mut ObjectWriter<'_, '_>, key: &'static str) -> R {
        o.quoted(key)?.string(self)
    }
}

impl<const N: usize> Decode for crate::Secret<N> {
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        r.string_into(self.inner_mut())
    }
}

impl<const N: usize> Encode for crate::Secret<N> {
    fn encode_to(&self, w: &mut Writer<'_>) -> R {
        w.string(self.expose())
    }
}

impl<const N: usize> Member for crate::Secret<N> {
    #[inline]
    fn encode_present(&self, o: &mut ObjectWriter<'_, '_>, key: &'static str) -> R {
        o.quoted(key)?.string(self.expose())
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
    fn encode_to(&self, w: &mut Writer<'_>) -> R {
        w.u32(u32::from(*self))
    }
}
impl Encode for u32 {
    fn encode_to(&self, w: &mut Writer<'_>) -> R {
        w.u32(*self)
    }
}
impl Encode for i64 {
    fn encode_to(&self, w: &mut Writer<'_>) -> R {
        w.i64(*self)
    }
}
impl Member for u16 {
    #[inline]
    fn encode_present(&self, o: &mut ObjectWriter<'_, '_>, key: &'static str) -> R {
        o.quoted(key)?.u32(u32::from(*self))
    }
}
impl Member for u32 {
    #[inline]
    fn encode_present(&self, o: &mut ObjectWriter<'_, '_>, key: &'static str) -> R {
        o.quoted(key)?.u32(*self)
    }
}
impl Member for i64 {}

/// An optional value: `null` is `None`; otherwise the value is decoded into `Some`.
impl<T: Member + Default> Decode for Option<T> {
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        if r.null()? {
            *self = None;
            return Ok(());
        }
        opt(self, r)
    }
}

/// `None` is `null` (a member that is `None` is left out instead).
impl<T: Encode> Encode for Option<T> {
    fn encode_to(&self, w: &mut Writer<'_>) -> R {
        match self {
            Some(v) => v.encode_to(w),
            None => w.raw(b"null"),
        }
    }
}

impl<T: Member + Default> Member for Option<T> {
    const OPTIONAL: bool = true;

    #[inline]
    fn decode_member(&mut self, r: &mut Reader<'_>) -> R {
        opt(self, r)
    }

    #[inline]
    fn encode_member(&self, o: &mut ObjectWriter<'_, '_>, key: &'static str) -> R {
        match self {
            Some(v) => v.encode_present(o, key),
            None => Ok(()),
        }
    }

    #[inline]
    fn reset(&mut self) {
        *self = None;
    }
}

/// A JSON array (more items than `N` is [`DecodeErrorKind::TooMany`]).
impl<T: Member + Default, const N: usize> Decode for heapless::Vec<T, N> {
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        list(r, self.as_mut_view(), &mut |r, item| item.decode_member(r))
    }
}

impl<T: Encode, const N: usize> Encode for heapless::Vec<T, N> {
    fn encode_to(&self, w: &mut Writer<'_>) -> R {
        w.array(self, |w, item| item.encode_to(w))
    }
}

/// A list member is left out when empty.
impl<T: Member + Default, const N: usize> Member for heapless::Vec<T, N> {
    const OPTIONAL: bool = true;

    #[inline]
    fn encode_member(&self, o: &mut ObjectWriter<'_, '_>, key: &'static str) -> R {
        if self.is_empty() {
            return Ok(());
        }
        self.encode_to(o.quoted(key)?)
    }

    #[inline]
    fn reset(&mut self) {
        self.clear();
    }
}

/// The members of one object: their keys as written, `,"name":` (the encoder writes them whole, without the comma
/// for the first member; the decoder compares `"name"` with the input; `name` is the segment of error paths), and
/// the bit set of required members (bit `i` for `keys[i]`).
pub(crate) struct Schema {
    pub keys: &'static [&'static str],
    pub required: u32,
}

/// The name in a key `,"name":`.
pub(crate) fn key_name(key: &'static str) -> &'static str {
    key.get(2..key.len().saturating_sub(2)).unwrap_or("")
}

/// Decodes an object, once for every model: `f(i, r)` decodes the value of member `i` (each known member with its
/// decoder; unknown members are skipped, `null` members left absent), then the required members are checked.
///
/// Table-driven on purpose: the per-type part is a key table and one dispatch function, the loop exists once in
/// flash.
#[inline(never)]
pub(crate) fn object_dyn(r: &mut Reader<'_>, schema: &Schema, f: &mut dyn FnMut(usize, &mut Reader<'_>) -> R) -> R {
    r.begin_object()?;
    // Members met (null or not), and those met with `null` (absent, as the spec reads them).
    let mut seen = 0u32;
    let mut nulls = 0u32;
    // The member expected next: the one after the last met (servers write them in the spec's order).
    let mut hint = 0;
    while let Some(i) = r.next_member(schema.keys, hint)? {
        if i >= schema.keys.len() {
            r.skip()?;
            continue;
        }
        hint = i + 1;
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
            return Err(r.in_member(key_name(schema.keys.get(i).copied().unwrap_or(""))));
        }
    }
    let missing = schema.required & !(seen & !nulls);
    if missing != 0 {
        r.fail(DecodeErrorKind::Missing, r.offset());
        let key = schema.keys.get(missing.trailing_zeros() as usize).copied();
        return Err(r.in_member(key_name(key.unwrap_or(""))));
    }
    Ok(())
}

/// Decodes an optional member's value (set to `Some(default)` first). One copy per member type, shared by every
/// member of that type.
#[inline(never)]
pub(crate) fn opt<T: Member + Default>(o: &mut Option<T>, r: &mut Reader<'_>) -> R {
    some(o).decode_member(r)
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

/// `int32` with `minimum: 1` (durations).
pub(crate) fn int32_min1(v: &mut u32, r: &mut Reader<'_>) -> R {
    *v = r.u32_in(1, i32::MAX as u32)?;
    Ok(())
}

/// [`int32_min1`] for an optional member.
#[cfg(feature = "v0")]
pub(crate) fn opt_int32_min1(v: &mut Option<u32>, r: &mut Reader<'_>) -> R {
    *v = Some(r.u32_in(1, i32::MAX as u32)?);
    Ok(())
}

/// serde: a list member is left out when empty.
#[cfg(feature = "serde")]
pub(crate) fn is_empty<T, const N: usize>(v: &heapless::Vec<T, N>) -> bool {
    v.is_empty()
}

/// The `with_device_ports` / `with_application_server_ports` setters of a create-session request (both versions
/// have the two optional `PortsSpec` members), inside its `impl` block.
#[cfg(any(feature = "v0", feature = "v1"))]
macro_rules! ports_setters {
    () => {
        /// Sets `devicePorts`.
        pub fn with_device_ports(mut self, ports: $crate::common::PortsSpec) -> Self {
            self.device_ports = Some(ports);
            self
        }

        /// Sets `applicationServerPorts`.
        pub fn with_application_server_ports(mut self, ports: $crate::common::PortsSpec) -> Self {
            self.application_server_ports = Some(ports);
            self
        }
    };
}
#[cfg(any(feature = "v0", feature = "v1"))]
pub(crate) use ports_setters;
