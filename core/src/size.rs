//! Sizes as operators write them: a number of bytes, or with a `K`, `M` or `G` suffix (powers
//! of 1024), for the agent's budgets and a site's body limit.

/// `512`, `512K`, `10M`, `1G` (either case) in bytes; `None` for anything else.
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, 'K' | 'k')) => (&s[..i], 1u64 << 10),
        Some((i, 'M' | 'm')) => (&s[..i], 1 << 20),
        Some((i, 'G' | 'g')) => (&s[..i], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>().ok().map(|n| n.saturating_mul(mult))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn suffixes_and_refusals() {
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size("10M"), Some(10 << 20));
        assert_eq!(parse_size(" 1g "), Some(1 << 30));
        assert_eq!(parse_size("-1"), None);
        assert_eq!(parse_size("M"), None);
        assert_eq!(parse_size("1T"), None);
    }
}
