//! Wall-clock time on the wire, without floats or a clock: HTTP dates (`Date`, `Retry-After`) to Unix seconds,
//! RFC 3339 date-times ([`DateTime`], the v1 API's `startedAt`, `expiresAt`, CloudEvent `time`) to Unix seconds and
//! back, and the civil-calendar arithmetic they need, all in 32-bit divisions (no 64-bit division routine is linked
//! on a 32-bit MCU).
//!
//! The device learns the time from the server's `Date` header when it has no RTC or SNTP (see qod-client's OAuth2
//! sources); everything here is pure conversion.

/// Days since 1970-01-01 of a proleptic Gregorian date in years 0–9999 (`month` 1–12, `day` 1–31, not checked here).
///
/// Howard Hinnant's `days_from_civil`, in 32-bit integers (no 64-bit division is linked on a 32-bit MCU).
pub const fn days_from_civil(year: u32, month: u32, day: u32) -> i32 {
    // Years count from March, so that the leap day is the last of the year; shifted by 400 so nothing is negative.
    let y = if month <= 2 { year + 399 } else { year + 400 };
    let era = y / 400;
    let yoe = y % 400;
    let m = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe) as i32 - (719_468 + 146_097)
}

/// The proleptic Gregorian date `(year, month, day)` of `days` since 1970-01-01; the inverse of
/// [`days_from_civil`] for years 0–9999.
///
/// Howard Hinnant's `civil_from_days`, shifted by 400 years so that it runs in unsigned 32-bit integers.
pub const fn civil_from_days(days: i32) -> (u32, u32, u32) {
    let z = (days + 719_468 + 146_097) as u32;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + (month <= 2) as u32 - 400;
    (year, month, day)
}

/// The number of days in `month` (1–12) of `year`.
pub const fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Two ASCII digits.
fn two(b: &[u8]) -> Option<u32> {
    match b {
        [a @ b'0'..=b'9', c @ b'0'..=b'9'] => Some(u32::from(a - b'0') * 10 + u32::from(c - b'0')),
        _ => None,
    }
}

/// Parses an HTTP date in the preferred IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7) into
/// seconds since the Unix epoch. The obsolete RFC 850 and asctime forms, dates before 1970 and after 2105 are `None`.
///
/// # Panics
/// Never.
pub fn parse_http_date(value: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
    ];
    // "Sun, 06 Nov 1994 08:49:37 GMT": 29 bytes, fixed positions.
    let v: &[u8; 29] = value.try_into().ok()?;
    if v.get(3..5)? != b", " || v[7] != b' ' || v[11] != b' ' || v[16] != b' ' || &v[25..] != b" GMT" {
        return None;
    }
    if v[19] != b':' || v[22] != b':' {
        return None;
    }
    let day = two(&v[5..7])?;
    let month = MONTHS.iter().position(|m| m[..] == v[8..11])? as u32 + 1;
    let year = two(&v[12..14])? * 100 + two(&v[14..16])?;
    let (h, m, s) = (two(&v[17..19])?, two(&v[20..22])?, two(&v[23..25])?);
    // A leap second (60) is accepted and counts as the next second, as POSIX time does.
    if !(1970..=2105).contains(&year) || day == 0 || day > days_in_month(year, month) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day) as u32;
    days.checked_mul(86_400)?.checked_add(h * 3600 + m * 60 + s)
}

/// Seconds from 0000-01-01T00:00:00 to the Unix epoch.
const YEAR_0: i64 = 719_528 * 86_400;
/// The last second of 9999-12-31, in Unix seconds.
const YEAR_9999_END: i64 = (days_from_civil(9999, 12, 31) as i64) * 86_400 + 86_399;

/// An RFC 3339 `date-time` (§5.6), as the v1 API writes `startedAt`, `expiresAt` and CloudEvent `time`: an instant
/// (Unix seconds and nanoseconds) and the UTC offset it is written with.
///
/// Parsing checks the calendar (days per month, leap years), hours, minutes, seconds (`60` only for a leap second,
/// 23:59:60 UTC, counted as the next second as POSIX time does), offsets up to ±23:59 and 1–9 fraction digits; `T`
/// and `Z` may be lower case. Writing gives the canonical form: upper case, the offset as `Z` when it is zero, the
/// fraction without trailing zeros (none when whole), so `decode(encode(x)) == x`. Years 0000–9999 only. Values with
/// the same instant but different offsets are different values.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DateTime {
    unix: i64,
    nanos: u32,
    offset: i16,
}

/// The longest canonical date-time: `9999-12-31T23:59:59.999999999+23:59`.
pub const DATE_TIME_MAX_LEN: usize = 35;

impl DateTime {
    /// The instant `unix` seconds after the epoch, in UTC; `None` outside years 0000–9999.
    pub const fn from_unix(unix: i64) -> Option<Self> {
        if unix < -YEAR_0 || unix > YEAR_9999_END {
            return None;
        }
        Some(DateTime {
            unix,
            nanos: 0,
            offset: 0,
        })
    }

    /// The same instant plus `nanos` (below 10⁹) nanoseconds; `None` for more.
    pub const fn with_nanos(mut self, nanos: u32) -> Option<Self> {
        if nanos >= 1_000_000_000 {
            return None;
        }
        self.nanos = nanos;
        Some(self)
    }

    /// The same instant written with a UTC offset of `minutes` (at most ±23:59); `None` beyond, or when the local
    /// time would leave years 0000–9999.
    pub const fn with_offset(mut self, minutes: i16) -> Option<Self> {
        if minutes <= -24 * 60 || minutes >= 24 * 60 {
            return None;
        }
        let local = self.unix + minutes as i64 * 60;
        if local < -YEAR_0 || local > YEAR_9999_END {
            return None;
        }
        self.offset = minutes;
        Some(self)
    }

    /// Seconds since the Unix epoch (negative before 1970).
    pub const fn unix(&self) -> i64 {
        self.unix
    }

    /// Nanoseconds past [`unix`](Self::unix).
    pub const fn nanos(&self) -> u32 {
        self.nanos
    }

    /// The UTC offset it is written with, in minutes (east positive).
    pub const fn offset_minutes(&self) -> i16 {
        self.offset
    }

    /// Parses an RFC 3339 `date-time` (see the type's docs for what is checked).
    ///
    /// # Panics
    /// Never.
    #[inline(never)]
    pub fn parse(text: &[u8]) -> Option<Self> {
        // YYYY-MM-DDTHH:MM:SS: digits where the template has `0`, the template's byte elsewhere (`T` or `t`).
        const TEMPLATE: &[u8; 19] = b"0000-00-00T00:00:00";
        let (head, mut rest) = text.split_at_checked(19)?;
        for (&b, &t) in head.iter().zip(TEMPLATE) {
            let ok = if t == b'0' {
                b.is_ascii_digit()
            } else {
                b == t || b == t | 0x20
            };
            if !ok {
                return None;
            }
        }
        let year = two_at(head, 0) * 100 + two_at(head, 2);
        let (month, day) = (two_at(head, 5), two_at(head, 8));
        let (hour, minute, second) = (two_at(head, 11), two_at(head, 14), two_at(head, 17));
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) || hour > 23 || minute > 59 {
            return None;
        }
        // .fraction: 1–9 digits.
        let mut nanos = 0u32;
        if let [b'.', tail @ ..] = rest {
            let n = tail.iter().take_while(|b| b.is_ascii_digit()).count();
            if n == 0 || n > 9 {
                return None;
            }
            nanos = digits_at(tail, 0, n) * 10u32.pow(9 - n as u32);
            rest = tail.get(n..)?;
        }
        let offset: i32 = match rest {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1 @ b'0'..=b'9', h2 @ b'0'..=b'9', b':', m1 @ b'0'..=b'9', m2 @ b'0'..=b'9'] => {
                let (h, m) = (two_at(&[*h1, *h2], 0), two_at(&[*m1, *m2], 0));
                if h > 23 || m > 59 {
                    return None;
                }
                let v = (h * 60 + m) as i32;
                if *sign == b'-' {
                    -v
                } else {
                    v
                }
            }
            _ => return None,
        };
        if second > 59 {
            // A leap second: 23:59:60 UTC only.
            let utc_minute = (hour * 60 + minute) as i32 - offset;
            if second != 60 || utc_minute.rem_euclid(1440) != 1439 {
                return None;
            }
        }
        let local =
            i64::from(days_from_civil(year, month, day)) * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
        DateTime::from_unix(local - i64::from(offset) * 60)?
            .with_nanos(nanos)?
            .with_offset(offset as i16)
    }

    /// Writes the canonical form into `buf`; returns it.
    pub fn write<'b>(&self, buf: &'b mut [u8; DATE_TIME_MAX_LEN]) -> &'b str {
        let n = self.write_ascii(buf);
        core::str::from_utf8(buf.get(..n).unwrap_or(&[])).unwrap_or("")
    }

    /// Writes the canonical form (ASCII) into `buf`; returns its length.
    #[inline(never)]
    fn write_ascii(&self, buf: &mut [u8; DATE_TIME_MAX_LEN]) -> usize {
        // Local time, counted from 0000-01-01 so that it is not negative: below 2^39, so `>> 7` leaves 32 bits and
        // 86400 = 128 * 675 divides in 32-bit steps.
        let local = (self.unix + i64::from(self.offset) * 60 + YEAR_0).max(0) as u64;
        let q = (local >> 7) as u32;
        let secs = (q % 675) * 128 + (local & 127) as u32;
        let (year, month, day) = civil_from_days((q / 675) as i32 - 719_528);
        *buf = *b"0000-00-00T00:00:00.000000000+00:00";
        // Two digits per division (constant indices: no bounds checks, no loop).
        let (hh, mm) = (secs / 3600, secs / 60 % 60);
        for (at, v) in [
            (0, year / 100),
            (2, year % 100),
            (5, month),
            (8, day),
            (11, hh),
            (14, mm),
            (17, secs % 60),
        ] {
            put2(buf, at, v);
        }
        // The fraction without trailing zeros, then the offset right after it.
        let mut n = 19;
        if self.nanos > 0 {
            put_digits(buf, 20, self.nanos, 9);
            n = 29;
            while buf.get(n - 1) == Some(&b'0') {
                n -= 1;
            }
        }
        if self.offset == 0 {
            if let Some(b) = buf.get_mut(n) {
                *b = b'Z';
            }
            n += 1;
        } else {
            let m = u32::from(self.offset.unsigned_abs());
            let sign = if self.offset < 0 { b'-' } else { b'+' };
            let ([h1, h2], [m1, m2]) = (digits2(m / 60), digits2(m % 60));
            let tail = [sign, h1, h2, b':', m1, m2];
            if let Some(dst) = buf.get_mut(n..n + 6) {
                dst.copy_from_slice(&tail);
            }
            n += 6;
        }
        n
    }
}

/// The value of the two ASCII digits at `b[at..]` (checked to be digits by the caller).
#[inline(never)]
fn two_at(b: &[u8], at: usize) -> u32 {
    match b.get(at..at + 2) {
        Some(&[tens, ones]) => u32::from(tens.wrapping_sub(b'0')) * 10 + u32::from(ones.wrapping_sub(b'0')),
        _ => 0,
    }
}

/// The value of the `width` ASCII digits at `b[at..]` (checked to be digits by the caller; others count as 0).
#[inline(never)]
fn digits_at(b: &[u8], at: usize, width: usize) -> u32 {
    b.iter()
        .skip(at)
        .take(width)
        .fold(0, |v, &d| v * 10 + u32::from(d.wrapping_sub(b'0')).min(9))
}

/// `v` (below 100) as two ASCII digits.
#[inline(always)]
fn digits2(v: u32) -> [u8; 2] {
    let tens = v / 10;
    [b'0' + tens as u8, b'0' + (v - tens * 10) as u8]
}

/// Writes `v` (below 100) as two digits at `buf[at..]`.
#[inline(always)]
fn put2(buf: &mut [u8; DATE_TIME_MAX_LEN], at: usize, v: u32) {
    if let Some(dst) = buf.get_mut(at..at + 2) {
        dst.copy_from_slice(&digits2(v));
    }
}

/// Writes `v` as `width` decimal digits (zero-padded) at `buf[at..]`.
#[inline(never)]
fn put_digits(buf: &mut [u8], at: usize, mut v: u32, width: usize) {
    for i in (at..at + width).rev() {
        if let Some(b) = buf.get_mut(i) {
            *b = b'0' + (v % 10) as u8;
        }
        v /= 10;
    }
}

impl core::fmt::Display for DateTime {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.write(&mut [0; DATE_TIME_MAX_LEN]))
    }
}

impl core::fmt::Debug for DateTime {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "DateTime({self})")
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for DateTime {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{=str}", self.write(&mut [0; DATE_TIME_MAX_LEN]))
    }
}

impl crate::json::Decode for DateTime {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut crate::json::Reader<'_>) -> Result<(), crate::json::Failed> {
        use crate::DecodeErrorKind as K;
        let at = r.offset();
        // The common case, a string without escapes, is parsed where it lies; bytes that are not a date-time are
        // then checked as UTF-8, so that they fail as `string_into` would have them fail.
        let parsed = if let Some(raw) = r.plain_string()? {
            let v = DateTime::parse(raw);
            if v.is_none() && core::str::from_utf8(raw).is_err() {
                return Err(r.fail(K::InvalidUtf8, r.offset() - raw.len() - 1));
            }
            v
        } else {
            // Longer than any valid date-time is not one either.
            let mut s = heapless::String::<40>::new();
            if let Err(e) = r.string_into(&mut s) {
                return Err(if r.error().kind == K::TooLong {
                    r.fail(K::InvalidDateTime, at)
                } else {
                    e
                });
            }
            DateTime::parse(s.as_bytes())
        };
        match parsed {
            Some(v) => {
                *self = v;
                Ok(())
            }
            None => Err(r.fail(K::InvalidDateTime, at)),
        }
    }
}

impl crate::json::Encode for DateTime {
    fn encode_to(&self, w: &mut crate::json::Writer<'_>) -> Result<(), crate::json::Failed> {
        let mut buf = [0; DATE_TIME_MAX_LEN];
        let n = self.write_ascii(&mut buf);
        w.plain(buf.get(..n).unwrap_or(&[]))
    }
}

impl crate::schema::Member for DateTime {}

#[cfg(feature = "serde")]
impl serde::Serialize for DateTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.write(&mut [0; DATE_TIME_MAX_LEN]))
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for DateTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v: heapless::String<64> = serde::Deserialize::deserialize(d)?;
        DateTime::parse(v.as_bytes()).ok_or_else(|| serde::de::Error::custom("not an RFC 3339 date-time"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_days_from_civil() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(2026, 12, 1), 20_788);
        assert_eq!(days_from_civil(0, 1, 1), -719_528);
        assert_eq!(days_from_civil(9999, 12, 31), 2_932_896);
        // Against a day-by-day walk over 10,000 years.
        let mut n = -719_528;
        for y in 0..10_000 {
            for m in 1..=12 {
                for d in 1..=days_in_month(y, m) {
                    assert_eq!(days_from_civil(y, m, d), n, "{y}-{m}-{d}");
                    n += 1;
                }
            }
        }
    }

    #[test]
    fn test_parse_http_date() {
        assert_eq!(parse_http_date(b"Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_http_date(b"Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse_http_date(b"Tue, 01 Dec 2026 11:11:30 GMT"), Some(1_796_123_490));
        assert_eq!(parse_http_date(b"Tue, 29 Feb 2028 23:59:60 GMT"), Some(1_835_481_600));
        for bad in [
            &b"Sun, 06 Nov 1994 08:49:37 UTC"[..],
            b"Sun, 31 Nov 1994 08:49:37 GMT",
            b"Sun, 29 Feb 2027 08:49:37 GMT",
            b"Sun, 06 Nov 1994 24:49:37 GMT",
            b"Sun, 06 Foo 1994 08:49:37 GMT",
            b"Sunday, 06-Nov-94 08:49:37 GMT",
            b"Sun Nov  6 08:49:37 1994",
            b"Sun, 06 Nov 1969 08:49:37 GMT",
            b"Sun, 06 Nov 1994 08:49:37 GMT ",
            b"Sun, 0x Nov 1994 08:49:37 GMT",
            b"",
        ] {
            assert_eq!(parse_http_date(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn test_civil_from_days_inverts_days_from_civil() {
        for days in days_from_civil(0, 1, 1)..=days_from_civil(9999, 12, 31) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
            assert!((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m));
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    fn dt(s: &str) -> Option<DateTime> {
        DateTime::parse(s.as_bytes())
    }

    #[test]
    fn test_rfc3339_parse() {
        let v = dt("2024-06-01T12:00:00Z").unwrap();
        assert_eq!((v.unix(), v.nanos(), v.offset_minutes()), (1_717_243_200, 0, 0));
        let v = dt("2023-07-03T12:27:08.312Z").unwrap();
        assert_eq!((v.unix(), v.nanos()), (1_688_387_228, 312_000_000));
        // An offset: the same instant written in another zone.
        let v = dt("2024-06-01T14:30:00+02:30").unwrap();
        assert_eq!((v.unix(), v.offset_minutes()), (1_717_243_200, 150));
        let v = dt("2024-06-01t06:00:00.000000001-06:00").unwrap();
        assert_eq!((v.unix(), v.nanos(), v.offset_minutes()), (1_717_243_200, 1, -360));
        assert_eq!(dt("1970-01-01T00:00:00z").unwrap().unix(), 0);
        assert_eq!(dt("0000-01-01T00:00:00Z").unwrap().unix(), -YEAR_0);
        assert_eq!(dt("9999-12-31T23:59:59Z").unwrap().unix(), YEAR_9999_END);
        assert_eq!(dt("1969-12-31T23:59:59Z").unwrap().unix(), -1);
        // Leap days, and leap seconds (23:59:60 UTC, in any zone) as the next second.
        assert!(dt("2028-02-29T00:00:00Z").is_some() && dt("2000-02-29T00:00:00Z").is_some());
        assert_eq!(
            dt("2016-12-31T23:59:60Z").unwrap().unix(),
            dt("2017-01-01T00:00:00Z").unwrap().unix()
        );
        assert_eq!(
            dt("2016-12-31T18:59:60-05:00").unwrap().unix(),
            dt("2017-01-01T00:00:00Z").unwrap().unix()
        );
        for bad in [
            "2024-06-01T12:00:00",             // no offset
            "2024-06-01 12:00:00Z",            // space
            "2024-06-01T12:00Z",               // no seconds
            "2024-6-01T12:00:00Z",             // one-digit month
            "2024-13-01T12:00:00Z",            // month 13
            "2024-00-01T12:00:00Z",            // month 0
            "2024-04-31T12:00:00Z",            // 31 April
            "2023-02-29T12:00:00Z",            // not a leap year
            "1900-02-29T12:00:00Z",            // not a leap year either
            "2024-06-00T12:00:00Z",            // day 0
            "2024-06-01T24:00:00Z",            // hour 24
            "2024-06-01T12:60:00Z",            // minute 60
            "2024-06-01T12:00:60Z",            // a leap second at the wrong time
            "2024-06-01T12:00:61Z",            // second 61
            "2024-06-01T12:00:00.Z",           // empty fraction
            "2024-06-01T12:00:00.1234567890Z", // 10 fraction digits
            "2024-06-01T12:00:00+24:00",       // offset hour 24
            "2024-06-01T12:00:00+02:60",       // offset minute 60
            "2024-06-01T12:00:00+0200",        // no colon
            "2024-06-01T12:00:00+02",          // no minutes
            "2024-06-01T12:00:00Zx",           // trailing
            "2024-06-01T12:00:00ZZ",
            "+2024-06-01T12:00:00Z",
            "2024-06-01T12:00:00.5",
            "２024-06-01T12:00:00Z",
            "",
            "0000-01-01T00:00:00+00:01", // before year 0 in UTC
            "9999-12-31T23:59:59-00:01", // after year 9999 in UTC
        ] {
            assert_eq!(dt(bad), None, "{bad}");
        }
    }

    #[test]
    fn test_rfc3339_write_is_canonical() {
        for (input, canonical) in [
            ("2024-06-01T12:00:00Z", "2024-06-01T12:00:00Z"),
            ("2024-06-01t12:00:00z", "2024-06-01T12:00:00Z"),
            ("2024-06-01T12:00:00+00:00", "2024-06-01T12:00:00Z"),
            ("2024-06-01T12:00:00-00:00", "2024-06-01T12:00:00Z"),
            ("2023-07-03T12:27:08.312Z", "2023-07-03T12:27:08.312Z"),
            ("2023-07-03T12:27:08.3120Z", "2023-07-03T12:27:08.312Z"),
            ("2023-07-03T12:27:08.000Z", "2023-07-03T12:27:08Z"),
            (
                "2023-07-03T12:27:08.000000001+05:45",
                "2023-07-03T12:27:08.000000001+05:45",
            ),
            ("1969-12-31T23:59:59.5-10:00", "1969-12-31T23:59:59.5-10:00"),
            ("0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"),
            (
                "9999-12-31T23:59:59.999999999+23:59",
                "9999-12-31T23:59:59.999999999+23:59",
            ),
            ("2016-12-31T23:59:60Z", "2017-01-01T00:00:00Z"),
        ] {
            let v = dt(input).unwrap();
            let mut buf = [0; DATE_TIME_MAX_LEN];
            assert_eq!(v.write(&mut buf), canonical, "{input}");
            assert_eq!(dt(canonical), Some(v), "{canonical}");
        }
    }

    #[test]
    fn test_decode_date_time_plain_and_escaped_alike() {
        use crate::json::{Decode, Reader};
        use crate::DecodeErrorKind as K;
        let decode = |doc: &[u8]| {
            let mut r = Reader::new(doc);
            let mut v = DateTime::default();
            match v.decode_from(&mut r) {
                Ok(()) => Ok((v, r.offset())),
                Err(_) => Err((r.error().kind, r.error().offset)),
            }
        };
        let want = DateTime::parse(b"2024-06-01T12:40:28.5+02:00").unwrap();
        // Parsed in place (no escapes), or unescaped first: the same value, the reader after the string either way.
        assert_eq!(decode(br#" "2024-06-01T12:40:28.5+02:00","#), Ok((want, 30)));
        assert_eq!(decode(br#""2024-06-01T12:40:28.5\u002b02:00""#), Ok((want, 34)));
        assert_eq!(decode(br#""\u0032024-06-01T12:40:28.5+02:00""#), Ok((want, 34)));
        // Failures: where the value starts for a date-time that is not one (escaped or not, of any length), where
        // the string's bytes start for bytes that are not UTF-8, as `Reader::string_into` reports them.
        assert_eq!(decode(br#" "2024-06-01T12:40:61Z""#), Err((K::InvalidDateTime, 0)));
        assert_eq!(decode(br#""2024-06-01T12:40:61\u005a""#), Err((K::InvalidDateTime, 0)));
        let long = format!("\"2024-06-01T12:40:28.{}Z\"", "1".repeat(40));
        assert_eq!(decode(long.as_bytes()), Err((K::InvalidDateTime, 0)));
        assert_eq!(
            decode(format!("{}\\u005a\"", &long[..long.len() - 2]).as_bytes()),
            Err((K::InvalidDateTime, 0))
        );
        assert_eq!(decode(b" \"2024-06-01T12:40:28\xffZ\""), Err((K::InvalidUtf8, 2)));
        assert_eq!(decode(b"\"2024-06-01T12:40:28Z\xff\""), Err((K::InvalidUtf8, 1)));
        assert_eq!(decode(b"1717245628"), Err((K::WrongType, 0)));
        assert_eq!(decode(br#""2024-06-01T12:40:28Z"#), Err((K::Eof, 21)));
    }

    #[test]
    fn test_rfc3339_round_trips_every_day_and_offset() {
        // Every 11th day of 10,000 years at a varying second, with offsets of both signs.
        let mut buf = [0; DATE_TIME_MAX_LEN];
        for (i, days) in (days_from_civil(0, 1, 2)..days_from_civil(9999, 12, 31))
            .step_by(11)
            .enumerate()
        {
            let unix = i64::from(days) * 86_400 + 86_399 - (i as i64 % 86_400);
            let offset = ((i % 97) as i16 - 48) * 29;
            let v = DateTime::from_unix(unix)
                .unwrap()
                .with_nanos((i % 1000) as u32 * 7)
                .unwrap();
            let v = v.with_offset(offset).unwrap();
            let text = v.write(&mut buf);
            assert_eq!(DateTime::parse(text.as_bytes()), Some(v), "{text}");
        }
        assert!(DateTime::from_unix(YEAR_9999_END + 1).is_none());
        assert!(DateTime::from_unix(-YEAR_0 - 1).is_none());
        assert!(DateTime::from_unix(0).unwrap().with_offset(-1).is_some());
        assert!(DateTime::from_unix(-YEAR_0).unwrap().with_offset(-1).is_none());
        assert!(DateTime::from_unix(0).unwrap().with_offset(24 * 60).is_none());
        assert!(DateTime::from_unix(0).unwrap().with_nanos(1_000_000_000).is_none());
    }
}
