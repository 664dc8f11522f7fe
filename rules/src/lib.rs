//! amoe-rules: per-site cache rules and deny rules for the amoe agent's caching reverse proxy.
//!
//! What: one TOML file per site says how long responses may be cached, per page, directory,
//! content type, content-type group, or site-wide default, and which requests are refused with
//! 403. [`Rules::parse`] validates a file and reports every mistake with its line;
//! [`Rules::decide`] answers per request which rule applies; [`Rules::explain`] tells a person
//! why; [`Rules::denied`] checks the deny rules.
//!
//! Why: per-request lookups must be cheap, so parsing compiles everything into hash tables and
//! compiled regexes once; [`Rules::decide`] allocates nothing.
//!
//! What it deliberately does not do: read files, watch for changes, evaluate `Cache-Control` or
//! any other HTTP header (RFC 9111 is the proxy's job; a [`Decision`] only says what the site's
//! rules add to it), percent-decode or normalise paths (`/a/../b` and `/%61` are taken as
//! written), or serialise rules back to TOML.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod decide;
mod deny;
pub mod duration;
mod explain;
pub mod format;
pub mod groups;
mod parse;
mod status;

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

pub use decide::{Decision, Level, Source};
pub use explain::{Considered, Explanation, FieldOrigins};
pub use format::RulesFile;
pub use status::StatusSet;

/// A site's validated and compiled rules.
#[derive(Debug, Default)]
pub struct Rules {
    default: Option<Rule>,
    /// Indexed by [`groups::Group::index`].
    groups: [Option<Rule>; 9],
    /// Keyed by lower-case media type.
    content_types: HashMap<Box<str>, Rule>,
    /// Keyed by path prefix, always ending in "/".
    directories: HashMap<Box<str>, Rule>,
    /// Keyed by exact path.
    pages: HashMap<Box<str>, Rule>,
    deny: Vec<deny::DenyMatcher>,
}

/// One compiled cache rule.
#[derive(Debug, Clone)]
struct Rule {
    /// The page or directory path, media type or group name ("" for the default).
    key: Box<str>,
    /// 1-based line of the rule's table header.
    line: usize,
    settings: Settings,
}

/// The settings a rule may give; `None` means "not set here".
#[derive(Debug, Clone, Copy, Default)]
struct Settings {
    cache: Option<bool>,
    ttl: Option<Duration>,
    force: Option<bool>,
    stale_if_error: Option<Duration>,
    statuses: Option<StatusSet>,
}

impl Rules {
    /// Parses and validates a rule file. Empty text is valid and gives no rules.
    pub fn parse(text: &str) -> Result<Rules, RulesError> {
        parse::parse(text)
    }

    /// Whether the file had no cache rules and no deny rules.
    pub fn is_empty(&self) -> bool {
        self.default.is_none()
            && self.groups.iter().all(Option::is_none)
            && self.content_types.is_empty()
            && self.directories.is_empty()
            && self.pages.is_empty()
            && self.deny.is_empty()
    }

    /// The 1-based line of the `[[deny]]` rule with this index (as returned by [`Rules::denied`]).
    pub fn deny_line(&self, index: usize) -> Option<usize> {
        self.deny.get(index).map(|d| d.line)
    }
}

/// One problem in a rule file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct RuleError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong, on one line.
    pub message: String,
}

/// Every problem found in a rule file, sorted by line; displayed one per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RulesError {
    /// The problems, at least one.
    pub errors: Vec<RuleError>,
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

/// The JSON Schema of the rule file format.
pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(RulesFile)
}

/// Fuzzing entry point: parses arbitrary bytes (lossy UTF-8) and, when they are valid rules,
/// exercises every query on a few inputs. Must never panic.
pub fn fuzz_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(rules) = Rules::parse(&text) else { return };
    let paths = ["/", "", "/index.html", "/static/", "/static/app.js?v=1", "https://example.com/a/b", "a", "//"];
    let types = [None, Some("text/html; charset=utf-8"), Some("IMAGE/PNG"), Some(""), Some(";"), Some("x/y+json")];
    for path in paths {
        for content_type in types {
            let decision = rules.decide(path, content_type);
            let explanation = rules.explain(path, content_type);
            let _ = (decision.source, explanation.to_string());
        }
        for method in ["GET", "trace", ""] {
            let _ = rules.denied(method, path, Some("id=1 union select"));
            if let Some(index) = rules.denied(method, path, None) {
                let _ = rules.deny_line(index);
            }
        }
    }
}
