//! Wall-clock time on the wire, without floats or a clock: HTTP dates (`Date`, `Retry-After`) to Unix seconds, and
//! the civil-calendar arithmetic they need.
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
}
