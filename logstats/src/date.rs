//! Strict timestamp parsing for the two log formats, cheap enough to run on every line.
//!
//! What: `[dd/Mon/yyyy:HH:MM:SS +zzzz]` (CLF, the logged local time) and `YYYY-MM-DD` +
//! `HH:MM:SS` (W3C, UTC). A date is checked once per distinct date string (the caller caches
//! it); the time of day is checked on every line.
//!
//! Why strict: a two-digit year, a 31st of February or a missing zone is a malformed line to
//! count, not a request to place on a made-up day (goaccess accepts some of these).

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

/// `(year, month, day)` of a day number from [`days_from_civil`].
pub fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY-MM-DD` of a day number.
pub fn day_string(day: i32) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

fn checked_day(y: u32, m: u32, d: u32) -> Option<i32> {
    if !(1..=9999).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y as i32, m) {
        return None;
    }
    Some(days_from_civil(y as i32, m, d))
}

const MONTHS: [&[u8; 3]; 12] =
    [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];

/// The day of a CLF date `dd/Mon/yyyy` (exactly 11 bytes).
pub fn clf_day(b: &[u8]) -> Option<i32> {
    if b.len() != 11 || b[2] != b'/' || b[6] != b'/' {
        return None;
    }
    let m = MONTHS.iter().position(|m| &b[3..6] == *m)? as u32 + 1;
    checked_day(digits(&b[7..11])?, m, digits(&b[0..2])?)
}

/// The hour of a time of day `HH:MM:SS` (exactly 8 bytes), checked.
pub fn hour_of(b: &[u8]) -> Option<u8> {
    if b.len() != 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let (h, m, s) = (digits(&b[0..2])?, digits(&b[3..5])?, digits(&b[6..8])?);
    (h < 24 && m < 60 && s < 61).then_some(h as u8)
}

/// Checks a CLF zone `+hhmm` / `-hhmm` (exactly 5 bytes).
pub fn zone_ok(b: &[u8]) -> bool {
    b.len() == 5
        && (b[0] == b'+' || b[0] == b'-')
        && digits(&b[1..3]).is_some_and(|h| h <= 14)
        && digits(&b[3..5]).is_some_and(|m| m < 60)
}

/// The day of a W3C date `YYYY-MM-DD` (exactly 10 bytes).
pub fn w3c_day(b: &[u8]) -> Option<i32> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    checked_day(digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_bad_ones_are_refused() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        for d in [-800_000, -1, 0, 19_812, 2_932_896] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(clf_day(b"30/Mar/2024"), Some(days_from_civil(2024, 3, 30)));
        assert_eq!(day_string(days_from_civil(2024, 2, 29)), "2024-02-29");
        for bad in [&b"31/Feb/2024"[..], b"30/Foo/2024", b"30/Mar/24:1", b"00/Mar/2024", b"29/Feb/2023"] {
            assert_eq!(clf_day(bad), None, "{}", String::from_utf8_lossy(bad));
        }
        for bad in [&b"2024-02-31"[..], b"2024-13-01", b"0000-00-00", b"30/03/2024", b"-"] {
            assert_eq!(w3c_day(bad), None, "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(hour_of(b"23:59:59"), Some(23));
        assert_eq!(hour_of(b"25:61:99"), None);
        assert!(zone_ok(b"+0100") && zone_ok(b"-0530") && !zone_ok(b"0100 ") && !zone_ok(b"+01:0"));
    }
}
