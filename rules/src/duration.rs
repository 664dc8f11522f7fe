//! Durations as written in rule files: an integer followed by one unit letter.
//!
//! Why: TTLs and `stale_if_error` windows are written by people ("90s", "15m", "1h", "7d"),
//! so the syntax is deliberately tiny and unambiguous: digits then exactly one of `s`, `m`, `h`, `d`.
//! `"0s"` is allowed (a zero TTL: store, but always revalidate).
//!
//! What it deliberately does not do: no fractions ("1.5h"), no compound forms ("1h30m"), no
//! whitespace, no sign, no other units (weeks, months, milliseconds), and nothing above
//! [`MAX_DURATION`] (365 days), so a typo cannot pin a response in the cache for years.

use std::fmt;
use std::time::Duration;

/// The longest duration a rule may give: 365 days.
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 86_400);

/// Why a duration string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Not `<digits><s|m|h|d>`.
    #[error("expected a number followed by s, m, h or d")]
    Syntax,
    /// Well formed but longer than [`MAX_DURATION`].
    #[error("longer than the maximum of 365d")]
    TooLong,
}

/// Parses `"90s"`, `"15m"`, `"1h"`, `"7d"`, `"0s"`.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let Some(unit) = text.chars().last() else {
        return Err(DurationError::Syntax);
    };
    let seconds_per_unit: u64 = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        _ => return Err(DurationError::Syntax),
    };
    let digits = &text[..text.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DurationError::Syntax);
    }
    // Overflowing u64 is certainly longer than the maximum.
    let count: u64 = digits.parse().map_err(|_| DurationError::TooLong)?;
    let seconds = count.checked_mul(seconds_per_unit).ok_or(DurationError::TooLong)?;
    let duration = Duration::from_secs(seconds);
    if duration > MAX_DURATION {
        return Err(DurationError::TooLong);
    }
    Ok(duration)
}

/// Displays a duration in the largest unit that divides it exactly ("7d", "90s", "0s").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.as_secs();
        let (count, unit) = match secs {
            0 => (0, 's'),
            s if s % 86_400 == 0 => (s / 86_400, 'd'),
            s if s % 3_600 == 0 => (s / 3_600, 'h'),
            s if s % 60 == 0 => (s / 60, 'm'),
            s => (s, 's'),
        };
        write!(f, "{count}{unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_unit_and_zero() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3_600)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("365d"), Ok(MAX_DURATION));
    }

    #[test]
    fn refuses_malformed_negative_and_too_long() {
        for bad in ["", "s", "5", "-5m", "+5m", "1.5h", "1h30m", " 1h", "1H", "5w", "٣s", "1 h"] {
            assert_eq!(parse_duration(bad), Err(DurationError::Syntax), "{bad:?}");
        }
        for long in ["366d", "8761h", "99999999999999999999999s", "999999999999999999d"] {
            assert_eq!(parse_duration(long), Err(DurationError::TooLong), "{long:?}");
        }
    }

    #[test]
    fn displays_in_largest_exact_unit() {
        let show = |s| HumanDuration(Duration::from_secs(s)).to_string();
        assert_eq!(show(0), "0s");
        assert_eq!(show(90), "90s");
        assert_eq!(show(900), "15m");
        assert_eq!(show(7_200), "2h");
        assert_eq!(show(2_592_000), "30d");
    }
}
