//! Validation of everything a device sends, against the spec's patterns and ranges, before any byte leaves it.
//!
//! Errors name the offending field's path (`device.ipv4Address.publicPort`).
use crate::model::{
    ApplicationServer, CreateSession, Device, DeviceIpv4Addr, ExtendSessionDuration, PortsSpec, Webhook,
};
use crate::{Problem, ValidationError};

/// Checks a value against the spec.
pub trait Validate {
    /// # Errors
    /// The first offending field and what is wrong with it.
    fn validate(&self) -> Result<(), ValidationError>;
}

#[inline]
fn fail(field: &'static str, problem: Problem) -> Result<(), ValidationError> {
    Err(ValidationError { field, problem })
}

/// `^\+?[0-9]{5,15}$`.
pub fn phone_number(s: &str) -> Result<(), Problem> {
    let digits = s.strip_prefix('+').unwrap_or(s);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem::Pattern);
    }
    match digits.len() {
        0..=4 => Err(Problem::TooShort),
        5..=15 => Ok(()),
        _ => Err(Problem::TooLong),
    }
}

/// `QosProfileName`: 3–256 of `[a-zA-Z0-9_.-]`.
pub fn qos_profile_name(s: &str) -> Result<(), Problem> {
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        return Err(Problem::Pattern);
    }
    match s.len() {
        0..=2 => Err(Problem::TooShort),
        3..=256 => Ok(()),
        _ => Err(Problem::TooLong),
    }
}

/// A network access identifier: `local@domain`, both parts non-empty, printable ASCII without spaces.
pub fn network_access_identifier(s: &str) -> Result<(), Problem> {
    let (local, domain) = s.split_once('@').ok_or(Problem::Pattern)?;
    let printable = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_graphic() && b != b'@');
    if printable(local) && printable(domain) {
        Ok(())
    } else {
        Err(Problem::Pattern)
    }
}

/// A decimal number at `b[*i..]`: 1+ digits, no leading zero unless it is `0`, at most `max`. Advances `*i`.
#[inline(never)]
fn dec(b: &[u8], i: &mut usize, max: u32) -> bool {
    let start = *i;
    let mut v = 0u32;
    while let Some(&c) = b.get(*i) {
        if !c.is_ascii_digit() {
            break;
        }
        if *i > start && v == 0 {
            return false;
        }
        v = v * 10 + u32::from(c - b'0');
        if v > max {
            return false;
        }
        *i += 1;
    }
    *i > start
}

/// A dotted-quad IPv4 address at `b[*i..]`, as `core::net::Ipv4Addr` reads it. Advances `*i`.
fn v4(b: &[u8], i: &mut usize) -> bool {
    let mut k = 0;
    loop {
        if !dec(b, i, 255) {
            return false;
        }
        k += 1;
        if k == 4 {
            return true;
        }
        if b.get(*i) != Some(&b'.') {
            return false;
        }
        *i += 1;
    }
}

/// An IPv6 address at `b[*i..]`, as `core::net::Ipv6Addr` reads it: 8 groups of 1–4 hex digits, or fewer with one
/// `::` standing for at least one zero group; the last two groups may be a dotted quad. Advances `*i`.
fn v6(b: &[u8], i: &mut usize) -> bool {
    let mut groups = 0u32;
    let mut gap = false;
    let mut n = 0; // hex digits of the current group
    let mut colons = 0; // `:`s just read
    let c = loop {
        let c = b.get(*i).copied().unwrap_or(0); // 0: the end, like any byte that cannot be in an address
        if c.is_ascii_hexdigit() {
            n += 1;
            if n > 4 {
                return false;
            }
            colons = 0;
        } else if c == b':' {
            colons += 1;
            if n > 0 {
                groups += 1;
                n = 0;
            } else if colons == 2 && !gap {
                gap = true;
            } else if colons != 1 || b.get(*i + 1) != Some(&b':') {
                // A third `:`, a second `::`, or a leading `:` that does not start a `::`.
                return false;
            }
        } else {
            break c;
        }
        *i += 1;
    };
    if c == b'.' {
        // The last two groups as a dotted quad.
        *i -= n;
        if !v4(b, i) {
            return false;
        }
        groups += 2;
    } else if n > 0 {
        groups += 1;
    } else if colons == 1 {
        return false;
    }
    if gap {
        groups <= 7
    } else {
        groups == 8
    }
}

/// An IPv4 or (if `six`) IPv6 literal, with an optional `/mask` of at most `mask` if that is not 0.
fn ip(s: &str, six: bool, mask: u32) -> Result<(), Problem> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut ok = if six { v6(b, &mut i) } else { v4(b, &mut i) };
    if mask > 0 && b.get(i) == Some(&b'/') {
        i += 1;
        ok &= dec(b, &mut i, mask);
    }
    if ok && i == b.len() {
        Ok(())
    } else {
        Err(Problem::NotAnAddress)
    }
}

/// A single IPv4 literal (`SingleIpv4Addr`).
pub fn ipv4(s: &str) -> Result<(), Problem> {
    ip(s, false, 0)
}

/// A single IPv6 literal.
pub fn ipv6(s: &str) -> Result<(), Problem> {
    ip(s, true, 0)
}

/// An IPv4 literal with an optional `/mask` (0–32).
pub fn ipv4_cidr(s: &str) -> Result<(), Problem> {
    ip(s, false, 32)
}

/// An IPv6 literal with an optional `/prefix` (0–128).
pub fn ipv6_cidr(s: &str) -> Result<(), Problem> {
    ip(s, true, 128)
}

/// An absolute `http://` or `https://` URL with a non-empty host and no whitespace or control characters.
pub fn http_url(s: &str) -> Result<(), Problem> {
    let b = s.as_bytes();
    if b.iter().any(|&c| c <= b' ' || c == 0x7f) {
        return Err(Problem::NotAUrl);
    }
    // The scheme, case-insensitively (the `s` is optional). Controls are out, so `c | 0x20` equals a letter of
    // the pattern only for that letter in either case, and `:` or `/` only for itself.
    let mut i = 0;
    for &p in b"https://" {
        if b.get(i).is_some_and(|&c| c | 0x20 == p) {
            i += 1;
        } else if p != b's' {
            return Err(Problem::NotAUrl);
        }
    }
    // The authority ends at the first `/`, `?` or `#`; the host follows any `userinfo@`.
    let mut host = i;
    while let Some(&c) = b.get(i) {
        if matches!(c, b'/' | b'?' | b'#') {
            break;
        }
        i += 1;
        if c == b'@' {
            host = i;
        }
    }
    match b.get(host..i) {
        None | Some([] | [b':', ..] | [b'[', b']', ..] | [b'[']) => Err(Problem::NotAUrl),
        _ => Ok(()),
    }
}

fn check(field: &'static str, r: Result<(), Problem>) -> Result<(), ValidationError> {
    r.map_err(|problem| ValidationError { field, problem })
}

impl Validate for DeviceIpv4Addr {
    fn validate(&self) -> Result<(), ValidationError> {
        let Some(public) = &self.public_address else {
            return fail("device.ipv4Address.publicAddress", Problem::Missing);
        };
        check("device.ipv4Address.publicAddress", ipv4(public))?;
        if let Some(private) = &self.private_address {
            check("device.ipv4Address.privateAddress", ipv4(private))?;
        }
        if self.private_address.is_none() && self.public_port.is_none() {
            return fail("device.ipv4Address", Problem::Ipv4Incomplete);
        }
        Ok(())
    }
}

impl Validate for Device {
    fn validate(&self) -> Result<(), ValidationError> {
        if self.phone_number.is_none()
            && self.network_access_identifier.is_none()
            && self.ipv4_address.is_none()
            && self.ipv6_address.is_none()
        {
            return fail("device", Problem::Empty);
        }
        if let Some(p) = &self.phone_number {
            check("device.phoneNumber", phone_number(p))?;
        }
        if let Some(n) = &self.network_access_identifier {
            check("device.networkAccessIdentifier", network_access_identifier(n))?;
        }
        if let Some(v4) = &self.ipv4_address {
            v4.validate()?;
        }
        if let Some(v6) = &self.ipv6_address {
            check("device.ipv6Address", ipv6(v6))?;
        }
        Ok(())
    }
}

impl Validate for ApplicationServer {
    fn validate(&self) -> Result<(), ValidationError> {
        if self.ipv4_address.is_none() && self.ipv6_address.is_none() {
            return fail("applicationServer", Problem::Empty);
        }
        if let Some(a) = &self.ipv4_address {
            check("applicationServer.ipv4Address", ipv4_cidr(a))?;
        }
        if let Some(a) = &self.ipv6_address {
            check("applicationServer.ipv6Address", ipv6_cidr(a))?;
        }
        Ok(())
    }
}

fn ports(p: &PortsSpec, root: &'static str, ranges: &'static str) -> Result<(), ValidationError> {
    if p.ranges.is_empty() && p.ports.is_empty() {
        return fail(root, Problem::Empty);
    }
    if p.ranges.iter().any(|r| r.from > r.to) {
        return fail(ranges, Problem::RangeReversed);
    }
    Ok(())
}

impl Validate for Webhook {
    fn validate(&self) -> Result<(), ValidationError> {
        check("webhook.notificationUrl", http_url(&self.notification_url))?;
        if let Some(t) = &self.notification_auth_token {
            // Characters: the bytes that do not continue a UTF-8 sequence.
            let len = t.expose().bytes().filter(|&c| c & 0xc0 != 0x80).count();
            if len < 20 {
                return fail("webhook.notificationAuthToken", Problem::TooShort);
            }
            if len > 256 {
                return fail("webhook.notificationAuthToken", Problem::TooLong);
            }
        }
        Ok(())
    }
}

impl Validate for CreateSession {
    fn validate(&self) -> Result<(), ValidationError> {
        self.device.validate()?;
        self.application_server.validate()?;
        if let Some(p) = &self.device_ports {
            ports(p, "devicePorts", "devicePorts.ranges")?;
        }
        if let Some(p) = &self.application_server_ports {
            ports(p, "applicationServerPorts", "applicationServerPorts.ranges")?;
        }
        check("qosProfile", qos_profile_name(&self.qos_profile))?;
        if let Some(w) = &self.webhook {
            w.validate()?;
        }
        if let Some(d) = self.duration {
            if !(1..=86_400).contains(&d) {
                return fail("duration", Problem::OutOfRange);
            }
        }
        Ok(())
    }
}

impl Validate for ExtendSessionDuration {
    fn validate(&self) -> Result<(), ValidationError> {
        if !(1..=86_399).contains(&self.requested_additional_duration) {
            return fail("requestedAdditionalDuration", Problem::OutOfRange);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_patterns() {
        assert!(phone_number("+436641234567").is_ok());
        assert!(phone_number("12345").is_ok());
        assert_eq!(phone_number("1234"), Err(Problem::TooShort));
        assert_eq!(phone_number("+1234567890123456"), Err(Problem::TooLong));
        assert_eq!(phone_number("+43 664"), Err(Problem::Pattern));
        assert_eq!(phone_number("++12345"), Err(Problem::Pattern));
        assert!(qos_profile_name("QOS_E").is_ok());
        assert!(qos_profile_name("a.b-c").is_ok());
        assert_eq!(qos_profile_name("QO"), Err(Problem::TooShort));
        assert_eq!(qos_profile_name("QOS E"), Err(Problem::Pattern));
        assert_eq!(qos_profile_name(&"a".repeat(257)), Err(Problem::TooLong));
        assert!(qos_profile_name(&"a".repeat(256)).is_ok());
        assert!(network_access_identifier("123456789@domain.com").is_ok());
        assert_eq!(network_access_identifier("nodomain"), Err(Problem::Pattern));
        assert_eq!(network_access_identifier("a@b@c"), Err(Problem::Pattern));
        assert_eq!(network_access_identifier("@b"), Err(Problem::Pattern));
    }

    #[test]
    fn test_addresses() {
        assert!(ipv4("84.125.93.10").is_ok());
        assert!(ipv4("256.1.1.1").is_err());
        assert!(ipv4("1.2.3").is_err());
        assert!(ipv4("1.2.3.4/24").is_err());
        assert!(ipv4_cidr("192.168.0.1/24").is_ok());
        assert!(ipv4_cidr("192.168.0.1/33").is_err());
        assert!(ipv4_cidr("192.168.0.1/").is_err());
        assert!(ipv4_cidr("192.168.0.1/024").is_err());
        assert!(ipv6("2001:db8:85a3:8d3:1319:8a2e:370:7344").is_ok());
        assert!(ipv6("::ffff:1.2.3.4").is_ok());
        assert!(ipv6("2001:db8::g").is_err());
        assert!(ipv6_cidr("2001:db8:85a3:8d3::/64").is_ok());
        assert!(ipv6_cidr("2001:db8::/129").is_err());
    }

    #[test]
    fn test_urls() {
        assert!(http_url("https://application-server.com").is_ok());
        assert!(http_url("http://10.0.2.2:8080/notify?x=1").is_ok());
        assert!(http_url("HTTPS://[2001:db8::1]:443/cb").is_ok());
        assert_eq!(http_url("ftp://x"), Err(Problem::NotAUrl));
        assert_eq!(http_url("https://"), Err(Problem::NotAUrl));
        assert_eq!(http_url("https:///path"), Err(Problem::NotAUrl));
        assert_eq!(http_url("https://a b"), Err(Problem::NotAUrl));
        assert_eq!(http_url("/relative"), Err(Problem::NotAUrl));
    }
}
