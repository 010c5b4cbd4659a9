use super::{list, missing, opt, req, R};
use crate::json::{Decode, Encode, Reader, Writer};
use crate::{limits, Error};
use heapless::{String, Vec};

/// `Device`: the end-user equipment. At least one identifier must be given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
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
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        *self = Device::default();
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match key.as_bytes() {
                b"phoneNumber" => opt(r, &mut self.phone_number, "device.phoneNumber")?,
                b"networkAccessIdentifier" => {
                    opt(r, &mut self.network_access_identifier, "device.networkAccessIdentifier")?
                }
                b"ipv4Address" => opt(r, &mut self.ipv4_address, "device.ipv4Address")?,
                b"ipv6Address" => opt(r, &mut self.ipv6_address, "device.ipv6Address")?,
                _ => r.skip()?,
            }
        }
        Ok(())
    }
}

impl Encode for Device {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let mut o = w.object()?;
        o.opt_str("phoneNumber", self.phone_number.as_deref())?;
        o.opt_str("networkAccessIdentifier", self.network_access_identifier.as_deref())?;
        o.opt("ipv4Address", self.ipv4_address.as_ref())?;
        o.opt_str("ipv6Address", self.ipv6_address.as_deref())?;
        o.end()
    }
}

impl Decode for DeviceIpv4Addr {
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        *self = DeviceIpv4Addr::default();
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match key.as_bytes() {
                b"publicAddress" => opt(r, &mut self.public_address, "device.ipv4Address.publicAddress")?,
                b"privateAddress" => opt(r, &mut self.private_address, "device.ipv4Address.privateAddress")?,
                b"publicPort" => opt(r, &mut self.public_port, "device.ipv4Address.publicPort")?,
                _ => r.skip()?,
            }
        }
        Ok(())
    }
}

impl Encode for DeviceIpv4Addr {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let mut o = w.object()?;
        o.opt_str("publicAddress", self.public_address.as_deref())?;
        o.opt_str("privateAddress", self.private_address.as_deref())?;
        o.opt_u64("publicPort", self.public_port.map(u64::from))?;
        o.end()
    }
}

impl Decode for ApplicationServer {
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        *self = ApplicationServer::default();
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match key.as_bytes() {
                b"ipv4Address" => opt(r, &mut self.ipv4_address, "applicationServer.ipv4Address")?,
                b"ipv6Address" => opt(r, &mut self.ipv6_address, "applicationServer.ipv6Address")?,
                _ => r.skip()?,
            }
        }
        Ok(())
    }
}

impl Encode for ApplicationServer {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let mut o = w.object()?;
        o.opt_str("ipv4Address", self.ipv4_address.as_deref())?;
        o.opt_str("ipv6Address", self.ipv6_address.as_deref())?;
        o.end()
    }
}

/// Member paths of one `PortsSpec` occurrence, for error messages.
pub(crate) struct PortsPaths {
    pub ranges: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub ports: &'static str,
}

pub(crate) const DEVICE_PORTS: PortsPaths = PortsPaths {
    ranges: "devicePorts.ranges",
    from: "devicePorts.ranges.from",
    to: "devicePorts.ranges.to",
    ports: "devicePorts.ports",
};
pub(crate) const SERVER_PORTS: PortsPaths = PortsPaths {
    ranges: "applicationServerPorts.ranges",
    from: "applicationServerPorts.ranges.from",
    to: "applicationServerPorts.ranges.to",
    ports: "applicationServerPorts.ports",
};
const BARE_PORTS: PortsPaths = PortsPaths { ranges: "ranges", from: "ranges.from", to: "ranges.to", ports: "ports" };

impl PortsSpec {
    pub(crate) fn decode_at(&mut self, r: &mut Reader<'_>, p: &'static PortsPaths) -> R {
        self.ranges.clear();
        self.ports.clear();
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match key.as_bytes() {
                b"ranges" => list(r, &mut self.ranges, p.ranges, |r, range| {
                    r.begin_object()?;
                    let mut seen = 0u8;
                    while let Some(key) = r.next_key()? {
                        match key.as_bytes() {
                            b"from" => seen |= u8::from(req(r, &mut range.from, p.from)?),
                            b"to" => seen |= u8::from(req(r, &mut range.to, p.to)?) << 1,
                            _ => r.skip()?,
                        }
                    }
                    match seen {
                        3 => Ok(()),
                        2 => Err(missing(r, p.from)),
                        _ => Err(missing(r, p.to)),
                    }
                })?,
                b"ports" => list(r, &mut self.ports, p.ports, |r, port| port.decode_from(r))?,
                _ => r.skip()?,
            }
        }
        Ok(())
    }
}

impl Decode for PortsSpec {
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        self.decode_at(r, &BARE_PORTS)
    }
}

impl Encode for PortsSpec {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let mut o = w.object()?;
        if !self.ranges.is_empty() {
            o.key("ranges")?.array(&self.ranges, |w, range| {
                let mut o = w.object()?;
                o.u64("from", u64::from(range.from))?;
                o.u64("to", u64::from(range.to))?;
                o.end()
            })?;
        }
        if !self.ports.is_empty() {
            o.key("ports")?.array(&self.ports, |w, port| w.u64(u64::from(*port)))?;
        }
        o.end()
    }
}
