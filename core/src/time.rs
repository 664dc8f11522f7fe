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

/// An instant typed by a person: RFC 3339, a Paris date and time (`2026-10-05T14:30`,
/// `2026-10-05 14:30`), or a Paris date (its midnight).
pub fn parse_instant(raw: &str) -> Result<Timestamp, String> {
    if let Ok(ts) = raw.parse::<Timestamp>() {
        return Ok(ts);
    }
    let civil = raw
        .replacen(' ', "T", 1)
        .parse::<jiff::civil::DateTime>()
        .or_else(|_| raw.parse::<jiff::civil::Date>().map(|d| d.to_datetime(jiff::civil::Time::midnight())))
        .map_err(|_| format!("`{raw}` is not a time: expected 2026-10-05T14:30 (Paris), RFC 3339 or a date"))?;
    civil.to_zoned(paris()).map(|z| z.timestamp()).map_err(|e| format!("`{raw}`: {e}"))
}

/// A duration typed by a person (`1h30`, `45m`, `2h`, `90`: minutes) in minutes, above zero.
pub fn parse_minutes(raw: &str) -> Result<i64, String> {
    let bad = || format!("`{raw}` is not a duration: expected 1h30, 45m, 2h or minutes");
    let s = raw.trim().to_ascii_lowercase();
    let (h, m) = match s.split_once('h') {
        Some((h, m)) => (h.trim(), m.trim().trim_end_matches("min").trim_end_matches('m')),
        None => ("0", s.trim_end_matches("min").trim_end_matches('m')),
    };
    if !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let h: i64 = if h.is_empty() { return Err(bad()) } else { h.parse().map_err(|_| bad())? };
    let m: i64 = if m.is_empty() { 0 } else { m.parse().map_err(|_| bad())? };
    let total = h.checked_mul(60).and_then(|x| x.checked_add(m)).ok_or_else(bad)?;
    if total <= 0 || total > 100_000 {
        return Err(format!("`{raw}`: a duration is 1 minute to 100,000 minutes"));
    }
    Ok(total)
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
    fn instants_and_durations_as_people_type_them() {
        let t = |s: &str| parse_instant(s).map(format_utc);
        assert_eq!(t("2026-10-05T14:30").as_deref(), Ok("2026-10-05T12:30:00.000Z"));
        assert_eq!(t("2026-12-05 14:30").as_deref(), Ok("2026-12-05T13:30:00.000Z"));
        assert_eq!(t("2026-12-05").as_deref(), Ok("2026-12-04T23:00:00.000Z"));
        assert_eq!(t("2026-12-05T14:30:00Z").as_deref(), Ok("2026-12-05T14:30:00.000Z"));
        assert!(t("tomorrow").is_err());
        assert_eq!(parse_minutes("1h30"), Ok(90));
        assert_eq!(parse_minutes("2h"), Ok(120));
        assert_eq!(parse_minutes("45m"), Ok(45));
        assert_eq!(parse_minutes("45"), Ok(45));
        assert!(parse_minutes("0").is_err());
        assert!(parse_minutes("h").is_err());
        assert!(parse_minutes("1h-5").is_err());
    }

    #[test]
    fn since_accepts_dates_in_paris() {
        assert_eq!(parse_since("2026-11-01").as_deref(), Ok("2026-10-31T23:00:00.000Z"));
        assert_eq!(parse_since("2026-11-01T00:00:00Z").as_deref(), Ok("2026-11-01T00:00:00.000Z"));
        assert!(parse_since("yesterday").is_err());
    }
}
