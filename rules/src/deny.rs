//! Deny rules: requests the proxy refuses with 403 before any caching or forwarding.
//!
//! Why: a site owner needs a cheap way to block obvious probes (TRACE, `/wp-admin` on a site that
//! has none, SQL injection in the query string) at the edge. Each rule has up to three
//! conditions, and all those given must match; the first matching rule (in file order) wins so
//! the caller can log which one refused the request.
//!
//! What it deliberately does not do: allow rules or exceptions, rate limiting, header or body
//! matching, or decoding of the path or query before matching (patterns see them raw, as sent).
//! Methods are compared case-insensitively (HTTP says they are case-sensitive, but refusing
//! `trace` along with `TRACE` is the safer reading for a protection rule). A request without a
//! query string is matched as an empty query.

use regex::Regex;

use crate::Rules;

/// One compiled `[[deny]]` rule.
#[derive(Debug, Clone)]
pub(crate) struct DenyMatcher {
    /// 1-based line of the `[[deny]]` header.
    pub(crate) line: usize,
    /// Upper-case methods; `None` means any method.
    pub(crate) methods: Option<Vec<Box<str>>>,
    pub(crate) path: Option<Regex>,
    pub(crate) query: Option<Regex>,
}

impl DenyMatcher {
    fn matches(&self, method: &str, path: &str, query: &str) -> bool {
        if let Some(methods) = &self.methods
            && !methods.iter().any(|m| m.eq_ignore_ascii_case(method))
        {
            return false;
        }
        if let Some(re) = &self.path
            && !re.is_match(path)
        {
            return false;
        }
        self.query.as_ref().is_none_or(|re| re.is_match(query))
    }
}

impl Rules {
    /// The index of the first `[[deny]]` rule (file order) that refuses this request, if any.
    /// `query` is the raw query string without the leading "?".
    pub fn denied(&self, method: &str, path: &str, query: Option<&str>) -> Option<usize> {
        if self.deny.is_empty() {
            return None;
        }
        let query = query.unwrap_or("");
        self.deny.iter().position(|rule| rule.matches(method, path, query))
    }
}
