//! `Range: bytes=…` requests answered from a stored full response (RFC 9110 §14). One range
//! is served as a 206; several ranges get the whole response (allowed, and simpler for every
//! client); an unsatisfiable range gets 416.

/// What to send for a `Range` header on a body of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeAnswer {
    /// Ignore the header: send everything.
    Full,
    /// Send bytes `start..=end`.
    Partial { start: u64, end: u64 },
    /// 416.
    Unsatisfiable,
}

pub fn answer(range: &str, len: u64) -> RangeAnswer {
    let Some(spec) = range.trim().strip_prefix("bytes=") else { return RangeAnswer::Full };
    let parts: Vec<&str> = spec.split(',').map(str::trim).collect();
    if parts.len() != 1 {
        return RangeAnswer::Full;
    }
    let Some((a, b)) = parts[0].split_once('-') else { return RangeAnswer::Full };
    let (a, b) = (a.trim(), b.trim());
    let parse = |s: &str| s.parse::<u64>().ok();
    let (start, end) = match (a.is_empty(), b.is_empty()) {
        (true, true) => return RangeAnswer::Full,
        // Suffix: the last `b` bytes.
        (true, false) => match parse(b) {
            Some(0) => return RangeAnswer::Unsatisfiable,
            Some(n) => (len.saturating_sub(n), len.saturating_sub(1)),
            None => return RangeAnswer::Full,
        },
        (false, true) => match parse(a) {
            Some(s) => (s, len.saturating_sub(1)),
            None => return RangeAnswer::Full,
        },
        (false, false) => match (parse(a), parse(b)) {
            (Some(s), Some(e)) if s <= e => (s, e.min(len.saturating_sub(1))),
            _ => return RangeAnswer::Full,
        },
    };
    if len == 0 || start >= len {
        return RangeAnswer::Unsatisfiable;
    }
    RangeAnswer::Partial { start, end }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(answer("bytes=0-99", 1000), RangeAnswer::Partial { start: 0, end: 99 });
        assert_eq!(answer("bytes=900-", 1000), RangeAnswer::Partial { start: 900, end: 999 });
        assert_eq!(answer("bytes=-100", 1000), RangeAnswer::Partial { start: 900, end: 999 });
        assert_eq!(answer("bytes=990-2000", 1000), RangeAnswer::Partial { start: 990, end: 999 });
        assert_eq!(answer("bytes=1000-", 1000), RangeAnswer::Unsatisfiable);
        assert_eq!(answer("bytes=0-1,5-6", 1000), RangeAnswer::Full);
        assert_eq!(answer("items=0-1", 1000), RangeAnswer::Full);
        assert_eq!(answer("bytes=5-1", 1000), RangeAnswer::Full);
    }
}
