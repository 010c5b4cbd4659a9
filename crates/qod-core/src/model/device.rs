use super::{list, object, opt, FieldFn, Schema, R};
use crate::json::{Decode, Encode, Failed, Reader, Writer};
use crate::limits;
use heapless::{String, Vec};

/// `Device`: the end-user equipment. At least one identifier must be given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase")
)]
pub struct Device {
    /// `phoneNumber`: E.164, optionally with `+`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub phone_number: Option<String<{ limits::PHONE_NUMBER }>>,
    /// `networkAccessIdentifier`: `local@domain`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub network_access_identifier: Option<String<{ limits::NETWORK_ACCESS_IDENTIFIER }>>,
    /// `ipv4Address`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub ipv4_address: Option<DeviceIpv4Addr>,
    /// `ipv6Address`: a single IPv6 address.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub ipv6_address: Option<String<{ limits::IPV6 }>>,
}

/// `DeviceIpv4Addr`: `publicAddress` plus `privateAddress` or `publicPort`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase")
)]
pub struct DeviceIpv4Addr {
    /// `publicAddress`: a single IPv4 address.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub public_address: Option<String<{ limits::IPV4 }>>,
    /// `privateAddress`: a single IPv4 address.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub private_address: Option<String<{ limits::IPV4 }>>,
    /// `publicPort`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub public_port: Option<u16>,
}

/// `ApplicationServer`: at least one of its addresses, each optionally with a `/mask`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase")
)]
pub struct ApplicationServer {
    /// `ipv4Address`: `a.b.c.d` or `a.b.c.d/mask`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub ipv4_address: Option<String<{ limits::IPV4_CIDR }>>,
    /// `ipv6Address`: an IPv6 address, optionally `/prefix`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub ipv6_address: Option<String<{ limits::IPV6_CIDR }>>,
}

/// One entry of `PortsSpec.ranges`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PortRange {
    /// `from` (inclusive).
    pub from: u16,
    /// `to` (inclusive).
    pub to: u16,
}

/// `PortsSpec`: port ranges and single ports. An empty list is absent on the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PortsSpec {
    /// `ranges`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "super::is_empty"))]
    pub ranges: Vec<PortRange, { limits::PORT_RANGES }>,
    /// `ports`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "super::is_empty"))]
    pub ports: Vec<u16, { limits::PORTS }>,
}

impl Decode for Device {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        const SCHEMA: Schema = Schema {
            names: &["phoneNumber", "networkAccessIdentifier", "ipv4Address", "ipv6Address"],
            required: 0,
        };
        const FIELDS: &[FieldFn<Device>] = &[
            |v, r| opt(&mut v.phone_number, r),
            |v, r| opt(&mut v.network_access_identifier, r),
            |v, r| opt(&mut v.ipv4_address, r),
            |v, r| opt(&mut v.ipv6_address, r),
        ];
        *self = Device::default();
        object(r, self, &SCHEMA, FIELDS)
    }
}

impl Encode for Device {
    #[inline(never)]
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        let mut o = w.object()?;
        o.opt_str("phoneNumber", self.phone_number.as_deref())?;
        o.opt_str("networkAccessIdentifier", self.network_access_identifier.as_deref())?;
        o.opt("ipv4Address", self.ipv4_address.as_ref())?;
        o.opt_str("ipv6Address", self.ipv6_address.as_deref())?;
        o.end()
    }
}

impl Decode for DeviceIpv4Addr {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        const SCHEMA: Schema = Schema {
            names: &["publicAddress", "privateAddress", "publicPort"],
            required: 0,
        };
        const FIELDS: &[FieldFn<DeviceIpv4Addr>] = &[
            |v, r| opt(&mut v.public_address, r),
            |v, r| opt(&mut v.private_address, r),
            |v, r| opt(&mut v.public_port, r),
        ];
        *self = DeviceIpv4Addr::default();
        object(r, self, &SCHEMA, FIELDS)
    }
}

impl Encode for DeviceIpv4Addr {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        let mut o = w.object()?;
        o.opt_str("publicAddress", self.public_address.as_deref())?;
        o.opt_str("privateAddress", self.private_address.as_deref())?;
        o.opt_u32("publicPort", self.public_port.map(u32::from))?;
        o.end()
    }
}

impl Decode for ApplicationServer {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        const SCHEMA: Schema = Schema {
            names: &["ipv4Address", "ipv6Address"],
            required: 0,
        };
        const FIELDS: &[FieldFn<ApplicationServer>] =
            &[|v, r| opt(&mut v.ipv4_address, r), |v, r| opt(&mut v.ipv6_address, r)];
        *self = ApplicationServer::default();
        object(r, self, &SCHEMA, FIELDS)
    }
}

impl Encode for ApplicationServer {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        let mut o = w.object()?;
        o.opt_str("ipv4Address", self.ipv4_address.as_deref())?;
        o.opt_str("ipv6Address", self.ipv6_address.as_deref())?;
        o.end()
    }
}

const PORTS_SCHEMA: Schema = Schema {
    names: &["ranges", "ports"],
    required: 0,
};

const RANGE_SCHEMA: Schema = Schema {
    names: &["from", "to"],
    required: 0b11,
};

const RANGE_FIELDS: &[FieldFn<PortRange>] = &[|v, r| v.from.decode_from(r), |v, r| v.to.decode_from(r)];

const PORTS_FIELDS: &[FieldFn<PortsSpec>] = &[
    |v, r| {
        list(r, v.ranges.as_mut_view(), &mut |r, range| {
            object(r, range, &RANGE_SCHEMA, RANGE_FIELDS)
        })
    },
    |v, r| list(r, v.ports.as_mut_view(), &mut |r, port| port.decode_from(r)),
];

impl Decode for PortsSpec {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        self.ranges.clear();
        self.ports.clear();
        object(r, self, &PORTS_SCHEMA, PORTS_FIELDS)
    }
}

impl Encode for PortsSpec {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        let mut o = w.object()?;
        if !self.ranges.is_empty() {
            let w = o.key("ranges")?;
            let mut open = b"[{\"from\":".as_slice();
            for range in &self.ranges {
                w.raw(open)?;
                open = b",{\"from\":";
                w.u32(u32::from(range.from))?;
                w.raw(b",\"to\":")?;
                w.u32(u32::from(range.to))?;
                w.raw(b"}")?;
            }
            w.raw(b"]")?;
        }
        if !self.ports.is_empty() {
            let w = o.key("ports")?;
            let mut open = b"[".as_slice();
            for port in &self.ports {
                w.raw(open)?;
                open = b",";
                w.u32(u32::from(*port))?;
            }
            w.raw(b"]")?;
        }
        o.end()
    }
}
