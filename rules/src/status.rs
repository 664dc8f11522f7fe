//! A set of HTTP status codes (100–599) as a fixed bitset: `Copy`, no allocation per request.

/// The statuses a rule's `ttl` applies to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusSet([u64; 8]);

impl StatusSet {
    /// Adds a status; `false` when it is outside 100–599.
    pub fn insert(&mut self, status: u16) -> bool {
        if !(100..=599).contains(&status) {
            return false;
        }
        let i = usize::from(status - 100);
        self.0[i / 64] |= 1 << (i % 64);
        true
    }

    /// Whether the set holds `status`.
    pub fn contains(&self, status: u16) -> bool {
        if !(100..=599).contains(&status) {
            return false;
        }
        let i = usize::from(status - 100);
        self.0[i / 64] & (1 << (i % 64)) != 0
    }

    /// The statuses, in order.
    pub fn to_vec(&self) -> Vec<u16> {
        (100..=599).filter(|s| self.contains(*s)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_what_was_inserted() {
        let mut s = StatusSet::default();
        assert!(s.insert(404) && s.insert(100) && s.insert(599));
        assert!(!s.insert(99) && !s.insert(600));
        assert_eq!(s.to_vec(), [100, 404, 599]);
        assert!(s.contains(404) && !s.contains(403) && !s.contains(700));
    }
}
