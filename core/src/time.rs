//! Time as amoe stores and shows it: stored in UTC as RFC 3339 with millisecond precision and a
//! `Z` (`2026-11-25T10:15:00.123Z`, which sorts as text), shown in Europe/Paris.

use jiff::{Timestamp, tz::TimeZone};

/// The zone every time is shown in.
pub const DISPLAY_ZONE: &str = "Europe/Paris";

/// Europe/Paris (the bundled time zone data has it; UTC only if it were ever missing).
pub fn paris() -> TimeZone {
    TimeZone::get(DISPLAY_ZONE).unwrap_or(TimeZone::UTC)
}

/// Now, in the stored form.
pub fn now_utc() -> String {
    format_utc(Timestamp::now())
}

/// A timestamp in the stored form.
pub fn format_utc(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A stored time shown in Europe/Paris (`2026-11-25 11:15:00 CET`); unparsable input is
/// returned as it is.
pub fn display_local(stored: &str) -> String {
    match (stored.parse::<Timestamp>(), TimeZone::get(DISPLAY_ZONE)) {
        (Ok(ts), Ok(tz)) => ts.to_zoned(tz).strftime("%Y-%m-%d %H:%M:%S %Z").to_string(),
        _ => stored.to_string(),
    }
}

/// Parses a `--since` bound: an RFC 3339 time, or a date `YYYY-MM-DD` taken as midnight in
/// Europe/Paris. Returns the stored form.
pub fn parse_since(raw: &str) -> Result<String, String> {
    if let Ok(ts) = raw.parse::<Timestamp>() {
        return Ok(format_utc(ts));
    }
    let date: jiff::civil::Date =
        raw.parse().map_err(|_| format!("`{raw}` is neither a date (2026-11-01) nor an RFC 3339 time"))?;
    let tz = TimeZone::get(DISPLAY_ZONE).map_err(|e| format!("time zone {DISPLAY_ZONE}: {e}"))?;
    let zoned = date.to_zoned(tz).map_err(|e| format!("`{raw}`: {e}"))?;
    Ok(format_utc(zoned.timestamp()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_form_sorts_and_displays_in_paris() {
        let ts: Timestamp = "2026-07-01T10:00:00Z".parse().expect("valid");
        assert_eq!(format_utc(ts), "2026-07-01T10:00:00.000Z");
        assert_eq!(display_local("2026-07-01T10:00:00.000Z"), "2026-07-01 12:00:00 CEST");
        assert_eq!(display_local("2026-12-01T10:00:00.000Z"), "2026-12-01 11:00:00 CET");
    }

    #[test]
    fn since_accepts_dates_in_paris() {
        assert_eq!(parse_since("2026-11-01").as_deref(), Ok("2026-10-31T23:00:00.000Z"));
        assert_eq!(parse_since("2026-11-01T00:00:00Z").as_deref(), Ok("2026-11-01T00:00:00.000Z"));
        assert!(parse_since("yesterday").is_err());
    }
}
