use crate::limits;
use crate::schema::model;
use heapless::{String, Vec};

model! {
    /// `Device`: the end-user equipment. At least one identifier must be given.
    pub struct Device {
        /// `phoneNumber`: E.164, optionally with `+`.
        opt phone_number: Option<String<{ limits::PHONE_NUMBER }>> = "phoneNumber";
        /// `networkAccessIdentifier`: `local@domain`.
        opt network_access_identifier: Option<String<{ limits::NETWORK_ACCESS_IDENTIFIER }>> = "networkAccessIdentifier";
        /// `ipv4Address`.
        opt ipv4_address: Option<DeviceIpv4Addr> = "ipv4Address";
        /// `ipv6Address`: a single IPv6 address.
        opt ipv6_address: Option<String<{ limits::IPV6 }>> = "ipv6Address";
    }
}

model! {
    /// `DeviceIpv4Addr`: `publicAddress` plus `privateAddress` or `publicPort`.
    pub struct DeviceIpv4Addr {
        /// `publicAddress`: a single IPv4 address.
        opt public_address: Option<String<{ limits::IPV4 }>> = "publicAddress";
        /// `privateAddress`: a single IPv4 address.
        opt private_address: Option<String<{ limits::IPV4 }>> = "privateAddress";
        /// `publicPort`.
        opt public_port: Option<u16> = "publicPort";
    }
}

model! {
    /// `ApplicationServer`: at least one of its addresses, each optionally with a `/mask`.
    pub struct ApplicationServer {
        /// `ipv4Address`: `a.b.c.d` or `a.b.c.d/mask`.
        opt ipv4_address: Option<String<{ limits::IPV4_CIDR }>> = "ipv4Address";
        /// `ipv6Address`: an IPv6 address, optionally `/prefix`.
        opt ipv6_address: Option<String<{ limits::IPV6_CIDR }>> = "ipv6Address";
    }
}

model! {
    /// One entry of `PortsSpec.ranges`.
    pub struct PortRange {
        /// `from` (inclusive).
        req from: u16 = "from";
        /// `to` (inclusive).
        req to: u16 = "to";
    }
}

impl Copy for PortRange {}

model! {
    /// `PortsSpec`: port ranges and single ports. An empty list is absent on the wire.
    pub struct PortsSpec {
        /// `ranges`.
        list ranges: Vec<PortRange, { limits::PORT_RANGES }> = "ranges";
        /// `ports`.
        list ports: Vec<u16, { limits::PORTS }> = "ports";
    }
}
