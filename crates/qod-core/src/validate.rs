//! Validation of everything a device sends, against the spec's patterns and ranges, before any byte leaves it.
//!
//! Errors name the offending field's path (`device.ipv4Address.publicPort`). This module holds the checks both API
//! versions share (patterns, addresses, URLs, the device and application-server objects); each version's
//! `validate` module composes them for its request bodies.
use crate::common::{ApplicationServer, Device, DeviceIpv4Addr, PortsSpec};
use crate::{Problem, ValidationError};

/// Checks a value against the spec.
pub trait Validate {
    /// # Errors
    /// The first offending field and what is wrong with it.
    fn validate(&self) -> Result<(), ValidationError>;
}

/// A set of ASCII bytes: bit `b & 7` of byte `b >> 3`.
pub(crate) type Set = [u8; 16];

/// The set of the bytes in the inclusive `ranges` and in `extra`.
pub(crate) const fn set(ranges: &[(u8, u8)], extra: &[u8]) -> Set {
    let mut m = 0u128;
    let mut r = ranges;
    while let [(lo, hi), rest @ ..] = r {
        let mut b = *lo;
        while b <= *hi {
            m |= 1 << b;
            b += 1;
        }
        r = rest;
    }
    let mut e = extra;
    while let [b, rest @ ..] = e {
        m |= 1 << *b;
        e = rest;
    }
    m.to_le_bytes()
}

/// ASCII letters and digits.
pub(crate) const ALNUM: &[(u8, u8)] = &[(b'0', b'9'), (b'A', b'Z'), (b'a', b'z')];
const DIGITS: Set = set(&[(b'0', b'9')], b"");
const PROFILE_NAME: Set = set(ALNUM, b"_.-");
const GRAPHIC: Set = set(&[(b'!', b'~')], b"");
const CORRELATOR: Set = set(ALNUM, b"-_:;./<>{}");

/// Whether every byte of `s` is in `set`.
#[inline(never)]
pub(crate) fn all_in(set: &Set, s: &str) -> bool {
    for &b in s.as_bytes() {
        match set.get(usize::from(b >> 3)) {
            Some(m) if m >> (b & 7) & 1 != 0 => {}
            _ => return false,
        }
    }
    true
}

/// [`Problem::Pattern`] unless every byte of `s` is in `set`, then [`Problem::TooShort`] or [`Problem::TooLong`]
/// unless `s` holds `min..=max` bytes.
#[inline(never)]
fn pattern(set: &Set, s: &str, min: usize, max: usize) -> Result<(), Problem> {
    if !all_in(set, s) {
        return Err(Problem::Pattern);
    }
    length(s.len(), min, max)
}

/// [`Problem::TooShort`] or [`Problem::TooLong`] unless `min <= n <= max`.
pub(crate) fn length(n: usize, min: usize, max: usize) -> Result<(), Problem> {
    if n < min {
        Err(Problem::TooShort)
    } else if n > max {
        Err(Problem::TooLong)
    } else {
        Ok(())
    }
}

/// `^\+?[0-9]{5,15}$`.
pub fn phone_number(s: &str) -> Result<(), Problem> {
    pattern(&DIGITS, s.strip_prefix('+').unwrap_or(s), 5, 15)
}

/// `^\+[1-9][0-9]{4,14}$` (v1: E.164 with the `+`).
pub fn phone_number_e164(s: &str) -> Result<(), Problem> {
    match s.strip_prefix('+') {
        Some(digits) if !digits.starts_with('0') => pattern(&DIGITS, digits, 5, 15),
        _ => Err(Problem::Pattern),
    }
}

/// `QosProfileName`: 3–256 of `[a-zA-Z0-9_.-]`.
#[inline(never)]
pub fn qos_profile_name(s: &str) -> Result<(), Problem> {
    pattern(&PROFILE_NAME, s, 3, 256)
}

/// `x-correlator`: `^[a-zA-Z0-9-_:;.\/<>{}]{0,256}$` (v1).
pub fn x_correlator(s: &str) -> Result<(), Problem> {
    pattern(&CORRELATOR, s, 0, 256)
}

/// A network access identifier: `local@domain`, both parts non-empty, printable ASCII without spaces.
pub fn network_access_identifier(s: &str) -> Result<(), Problem> {
    // Printable, with exactly one `@`, neither first nor last.
    let ats = s.bytes().filter(|&c| c == b'@').count();
    if ats == 1 && all_in(&GRAPHIC, s) && !s.starts_with('@') && !s.ends_with('@') {
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
#[inline(never)]
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

/// A field path: an index into [`FIELDS`], so that checks return their errors in a register.
#[derive(Clone, Copy)]
#[cfg_attr(not(all(feature = "v0", feature = "v1")), allow(dead_code))]
pub(crate) enum F {
    Device,
    PhoneNumber,
    Nai,
    Ipv4,
    Ipv4Public,
    Ipv4Private,
    Ipv6,
    Server,
    ServerIpv4,
    ServerIpv6,
    DevicePorts,
    DevicePortsRanges,
    ServerPorts,
    ServerPortsRanges,
    QosProfile,
    WebhookUrl,
    WebhookToken,
    Duration,
    Additional,
    Sink,
    SinkCredentialType,
    SinkAccessToken,
    SinkExpires,
    SinkTokenType,
    Name,
    Status,
}

/// The path of each [`F`] (the members of both versions' request bodies).
const FIELDS: [&str; 26] = [
    "device",
    "device.phoneNumber",
    "device.networkAccessIdentifier",
    "device.ipv4Address",
    "device.ipv4Address.publicAddress",
    "device.ipv4Address.privateAddress",
    "device.ipv6Address",
    "applicationServer",
    "applicationServer.ipv4Address",
    "applicationServer.ipv6Address",
    "devicePorts",
    "devicePorts.ranges",
    "applicationServerPorts",
    "applicationServerPorts.ranges",
    "qosProfile",
    "webhook.notificationUrl",
    "webhook.notificationAuthToken",
    "duration",
    "requestedAdditionalDuration",
    "sink",
    "sinkCredential.credentialType",
    "sinkCredential.accessToken",
    "sinkCredential.accessTokenExpiresUtc",
    "sinkCredential.accessTokenType",
    "name",
    "status",
];

/// A check's failure: which field, what is wrong.
pub(crate) type Fail = (F, Problem);

/// The [`ValidationError`] of a check's result.
pub(crate) fn named(r: Result<(), Fail>) -> Result<(), ValidationError> {
    r.map_err(|(f, problem)| ValidationError {
        field: FIELDS.get(f as usize).copied().unwrap_or(""),
        problem,
    })
}

pub(crate) fn at(f: F, r: Result<(), Problem>) -> Result<(), Fail> {
    r.map_err(|p| (f, p))
}

pub(crate) fn fail(f: F, p: Problem) -> Result<(), Fail> {
    Err((f, p))
}

fn device_ipv4(a: &DeviceIpv4Addr) -> Result<(), Fail> {
    let Some(public) = &a.public_address else {
        return fail(F::Ipv4Public, Problem::Missing);
    };
    at(F::Ipv4Public, ipv4(public))?;
    if let Some(private) = &a.private_address {
        at(F::Ipv4Private, ipv4(private))?;
    }
    if a.private_address.is_none() && a.public_port.is_none() {
        return fail(F::Ipv4, Problem::Ipv4Incomplete);
    }
    Ok(())
}

/// The v0.10.1 device rules ([`phone_number`]).
pub(crate) fn device(d: &Device) -> Result<(), Fail> {
    device_with(d, phone_number)
}

/// A device with the phone-number rule of its version.
#[inline(never)]
pub(crate) fn device_with(d: &Device, phone: fn(&str) -> Result<(), Problem>) -> Result<(), Fail> {
    if d.phone_number.is_none()
        && d.network_access_identifier.is_none()
        && d.ipv4_address.is_none()
        && d.ipv6_address.is_none()
    {
        return fail(F::Device, Problem::Empty);
    }
    if let Some(p) = &d.phone_number {
        at(F::PhoneNumber, phone(p))?;
    }
    if let Some(n) = &d.network_access_identifier {
        at(F::Nai, network_access_identifier(n))?;
    }
    if let Some(v4) = &d.ipv4_address {
        device_ipv4(v4)?;
    }
    if let Some(v6) = &d.ipv6_address {
        at(F::Ipv6, ipv6(v6))?;
    }
    Ok(())
}

pub(crate) fn server(a: &ApplicationServer) -> Result<(), Fail> {
    if a.ipv4_address.is_none() && a.ipv6_address.is_none() {
        return fail(F::Server, Problem::Empty);
    }
    if let Some(a) = &a.ipv4_address {
        at(F::ServerIpv4, ipv4_cidr(a))?;
    }
    if let Some(a) = &a.ipv6_address {
        at(F::ServerIpv6, ipv6_cidr(a))?;
    }
    Ok(())
}

/// `root` names the spec, `ranges` its ranges.
pub(crate) fn ports(p: &Option<PortsSpec>, root: F, ranges: F) -> Result<(), Fail> {
    let Some(p) = p else {
        return Ok(());
    };
    if p.ranges.is_empty() && p.ports.is_empty() {
        return fail(root, Problem::Empty);
    }
    if p.ranges.iter().any(|r| r.from > r.to) {
        return fail(ranges, Problem::RangeReversed);
    }
    Ok(())
}

/// [`Problem::OutOfRange`] unless `min <= n <= max`.
pub(crate) fn range(f: F, n: u32, min: u32, max: u32) -> Result<(), Fail> {
    if n < min || n > max {
        return fail(f, Problem::OutOfRange);
    }
    Ok(())
}

impl Validate for DeviceIpv4Addr {
    fn validate(&self) -> Result<(), ValidationError> {
        named(device_ipv4(self))
    }
}

/// The v0.10.1 rules (`phoneNumber` `^\+?[0-9]{5,15}$`); a v1 request checks its device with v1's.
impl Validate for Device {
    fn validate(&self) -> Result<(), ValidationError> {
        named(device(self))
    }
}

impl Validate for ApplicationServer {
    fn validate(&self) -> Result<(), ValidationError> {
        named(server(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_v1_patterns() {
        assert!(phone_number_e164("+436641234567").is_ok());
        assert!(phone_number_e164("+12345").is_ok());
        assert!(phone_number_e164("+123456789012345").is_ok());
        assert_eq!(phone_number_e164("+1234567890123456"), Err(Problem::TooLong));
        assert_eq!(phone_number_e164("+1234"), Err(Problem::TooShort));
        assert_eq!(
            phone_number_e164("436641234567"),
            Err(Problem::Pattern),
            "the + is required"
        );
        assert_eq!(
            phone_number_e164("+0436641234"),
            Err(Problem::Pattern),
            "no leading zero"
        );
        assert_eq!(phone_number_e164("+43 664"), Err(Problem::Pattern));
        assert!(x_correlator("b4333c46-49c0-4f62-80d7-f0ef930f1c46").is_ok());
        assert!(x_correlator("").is_ok());
        assert!(x_correlator("a_b:c;d.e/f<g>{h}").is_ok());
        assert!(x_correlator(&"a".repeat(256)).is_ok());
        assert_eq!(x_correlator(&"a".repeat(257)), Err(Problem::TooLong));
        for bad in ["a b", "a\r\nb", "a,b", "é", "a\"b", "a=b", "a?b"] {
            assert_eq!(x_correlator(bad), Err(Problem::Pattern), "{bad}");
        }
    }

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
