use crate::error::{fit, fit_list};
use crate::schema::model;
use crate::{limits, CapacityError};
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

impl Device {
    /// A device identified by its `phoneNumber` (E.164, optionally with `+`).
    ///
    /// # Errors
    /// [`CapacityError`] when it is longer than [`limits::PHONE_NUMBER`].
    pub fn with_phone_number(mut self, phone_number: &str) -> Result<Self, CapacityError> {
        self.phone_number = Some(fit("device.phoneNumber", phone_number)?);
        Ok(self)
    }

    /// Adds the `networkAccessIdentifier` (`local@domain`).
    ///
    /// # Errors
    /// [`CapacityError`] when it is longer than [`limits::NETWORK_ACCESS_IDENTIFIER`].
    pub fn with_network_access_identifier(mut self, identifier: &str) -> Result<Self, CapacityError> {
        self.network_access_identifier = Some(fit("device.networkAccessIdentifier", identifier)?);
        Ok(self)
    }

    /// Adds the `ipv4Address`.
    pub fn with_ipv4_address(mut self, address: DeviceIpv4Addr) -> Self {
        self.ipv4_address = Some(address);
        self
    }

    /// Adds the `ipv6Address` (a single IPv6 address).
    ///
    /// # Errors
    /// [`CapacityError`] when it is longer than [`limits::IPV6`].
    pub fn with_ipv6_address(mut self, address: &str) -> Result<Self, CapacityError> {
        self.ipv6_address = Some(fit("device.ipv6Address", address)?);
        Ok(self)
    }
}

impl DeviceIpv4Addr {
    /// An address with its `publicAddress` only; add [`privateAddress`](Self::with_private_address) or
    /// [`publicPort`](Self::with_public_port) (validation requires one).
    ///
    /// # Errors
    /// [`CapacityError`] when it is longer than [`limits::IPV4`].
    pub fn new(public_address: &str) -> Result<Self, CapacityError> {
        Ok(DeviceIpv4Addr {
            public_address: Some(fit("device.ipv4Address.publicAddress", public_address)?),
            ..DeviceIpv4Addr::default()
        })
    }

    /// Adds the `privateAddress`.
    ///
    /// # Errors
    /// [`CapacityError`] when it is longer than [`limits::IPV4`].
    pub fn with_private_address(mut self, private_address: &str) -> Result<Self, CapacityError> {
        self.private_address = Some(fit("device.ipv4Address.privateAddress", private_address)?);
        Ok(self)
    }

    /// Adds the `publicPort`.
    pub fn with_public_port(mut self, public_port: u16) -> Self {
        self.public_port = Some(public_port);
        self
    }
}

impl ApplicationServer {
    /// A server at `ipv4Address` (`a.b.c.d` or `a.b.c.d/mask`).
    ///
    /// # Errors
    /// [`CapacityError`] when it is longer than [`limits::IPV4_CIDR`].
    pub fn ipv4(address: &str) -> Result<Self, CapacityError> {
        ApplicationServer::default().with_ipv4_address(address)
    }

    /// A server at `ipv6Address` (an IPv6 address, optionally `/prefix`).
    ///
    /// # Errors
    /// [`CapacityError`] when it is longer than [`limits::IPV6_CIDR`].
    pub fn ipv6(address: &str) -> Result<Self, CapacityError> {
        ApplicationServer::default().with_ipv6_address(address)
    }

    /// Sets the `ipv4Address`.
    ///
    /// # Errors
    /// [`CapacityError`] when it is longer than [`limits::IPV4_CIDR`].
    pub fn with_ipv4_address(mut self, address: &str) -> Result<Self, CapacityError> {
        self.ipv4_address = Some(fit("applicationServer.ipv4Address", address)?);
        Ok(self)
    }

    /// Sets the `ipv6Address`.
    ///
    /// # Errors
    /// [`CapacityError`] when it is longer than [`limits::IPV6_CIDR`].
    pub fn with_ipv6_address(mut self, address: &str) -> Result<Self, CapacityError> {
        self.ipv6_address = Some(fit("applicationServer.ipv6Address", address)?);
        Ok(self)
    }
}

impl PortRange {
    /// The ports `from..=to`.
    pub const fn new(from: u16, to: u16) -> Self {
        PortRange { from, to }
    }
}

impl PortsSpec {
    /// Single ports.
    ///
    /// # Errors
    /// [`CapacityError`] when there are more than [`limits::PORTS`].
    pub fn ports(ports: &[u16]) -> Result<Self, CapacityError> {
        Ok(PortsSpec {
            ports: fit_list("ports", ports)?,
            ..PortsSpec::default()
        })
    }

    /// Port ranges.
    ///
    /// # Errors
    /// [`CapacityError`] when there are more than [`limits::PORT_RANGES`].
    pub fn ranges(ranges: &[PortRange]) -> Result<Self, CapacityError> {
        Ok(PortsSpec {
            ranges: fit_list("ranges", ranges)?,
            ..PortsSpec::default()
        })
    }

    /// Adds one port.
    ///
    /// # Errors
    /// [`CapacityError`] when the list is full ([`limits::PORTS`]).
    pub fn with_port(mut self, port: u16) -> Result<Self, CapacityError> {
        self.ports
            .push(port)
            .map_err(|_| CapacityError::new("ports", limits::PORTS))?;
        Ok(self)
    }

    /// Adds one range.
    ///
    /// # Errors
    /// [`CapacityError`] when the list is full ([`limits::PORT_RANGES`]).
    pub fn with_range(mut self, range: PortRange) -> Result<Self, CapacityError> {
        self.ranges
            .push(range)
            .map_err(|_| CapacityError::new("ranges", limits::PORT_RANGES))?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_constructors_report_capacity_errors() {
        let long = "9".repeat(limits::PHONE_NUMBER + 1);
        assert_eq!(
            Device::default().with_phone_number(&long),
            Err(CapacityError {
                field: "device.phoneNumber",
                max: limits::PHONE_NUMBER
            })
        );
        let d = Device::default().with_phone_number("+123456789").unwrap();
        assert_eq!(d.phone_number.as_deref(), Some("+123456789"));

        assert_eq!(
            DeviceIpv4Addr::new("1.2.3.4")
                .unwrap()
                .with_private_address("10.0.0.1/32999999"),
            Err(CapacityError {
                field: "device.ipv4Address.privateAddress",
                max: limits::IPV4
            })
        );
        let a = DeviceIpv4Addr::new("1.2.3.4").unwrap().with_public_port(80);
        assert_eq!(
            (a.public_address.as_deref(), a.public_port),
            (Some("1.2.3.4"), Some(80))
        );

        let v6 = "1:2:3:4:5:6:7:8/128".repeat(3);
        assert_eq!(
            ApplicationServer::ipv6(&v6),
            Err(CapacityError {
                field: "applicationServer.ipv6Address",
                max: limits::IPV6_CIDR
            })
        );
        assert_eq!(
            ApplicationServer::ipv4("10.0.0.0/8").unwrap().ipv4_address.as_deref(),
            Some("10.0.0.0/8")
        );

        let many = [1u16; limits::PORTS + 1];
        assert_eq!(
            PortsSpec::ports(&many),
            Err(CapacityError {
                field: "ports",
                max: limits::PORTS
            })
        );
        let full = PortsSpec::ports(&many[..limits::PORTS]).unwrap();
        assert_eq!(
            full.with_port(2),
            Err(CapacityError {
                field: "ports",
                max: limits::PORTS
            })
        );
        let r = PortsSpec::ranges(&[PortRange::new(1, 2)]).unwrap();
        assert_eq!(r.ranges.as_slice(), &[PortRange::new(1, 2)]);
    }

    #[test]
    fn test_capacity_error_is_an_invalid_too_long_value() {
        let e = CapacityError::new("qosProfile", 256);
        assert_eq!(e.to_string(), "`qosProfile`: longer than its capacity of 256");
        assert_eq!(
            crate::Error::from(e),
            crate::Error::Invalid(crate::ValidationError {
                field: "qosProfile",
                problem: crate::Problem::TooLong
            })
        );
    }
}
