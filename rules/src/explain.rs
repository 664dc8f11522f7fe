//! Explanations: why a rule applies to a URL, for people (`amoe site explain SITE URL`) and JSON.
//!
//! Why: with five levels of precedence and per-field fallback, "why is this cached for 30 days?"
//! needs an answer that lists every level, whether it matched and why not, which rule won and
//! where each field came from. It is computed with the same lookups as [`Rules::decide`], so an
//! explanation cannot disagree with the decision.
//!
//! What it deliberately does not do: explain deny rules or HTTP headers, or try to be fast: it
//! owns its strings so it can be serialised and printed. It accepts a full URL
//! (`https://host/path?q`) or a path; it does not resolve relative or scheme-less URLs.

use std::fmt;

use serde::Serialize;

use crate::Rules;
use crate::decide::{Level, bare_path};
use crate::duration::HumanDuration;
use crate::groups::{Group, MAX_MEDIA_TYPE, normalize_media_type};

/// The full story of one decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The path that was looked up (scheme, host, query string and fragment removed).
    pub path: String,
    /// The media type that was looked up (lower case, no parameters), if any.
    pub content_type: Option<String>,
    /// The built-in group of that media type, if any.
    pub group: Option<&'static str>,
    /// Every level considered, most specific first (one entry per matching directory).
    pub considered: Vec<Considered>,
    /// The most specific matching rule, or `None` when no rule matched.
    pub winner: Option<String>,
    /// The resulting `cache`.
    pub cache: bool,
    /// The resulting TTL in seconds; `None` lets the origin's headers decide.
    pub ttl_secs: Option<u64>,
    /// The resulting `force`.
    pub force: bool,
    /// The resulting `stale_if_error` in seconds.
    pub stale_if_error_secs: Option<u64>,
    /// The statuses `ttl` applies to; `None`: the heuristically cacheable ones.
    pub statuses: Option<Vec<u16>>,
    /// Which rule each field came from.
    pub fields: FieldOrigins,
}

/// One level of precedence as considered for this request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Considered {
    /// The level.
    pub level: Level,
    /// Whether a rule of this level matched.
    pub matched: bool,
    /// The matching rule, with its line.
    pub rule: Option<String>,
    /// Why it matched, or why nothing matched.
    pub reason: String,
}

/// For each field, the rule that set it; `None` means the built-in default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldOrigins {
    /// Origin of `cache` (built-in default: true).
    pub cache: Option<String>,
    /// Origin of `ttl` (built-in default: none).
    pub ttl: Option<String>,
    /// Origin of `force` (built-in default: false).
    pub force: Option<String>,
    /// Origin of `stale_if_error` (built-in default: none).
    pub stale_if_error: Option<String>,
    /// Origin of `statuses` (built-in default: the heuristically cacheable statuses).
    pub statuses: Option<String>,
}

/// The path of a full URL or request target, without query string or fragment; "/" if empty.
fn path_of(target: &str) -> &str {
    let mut rest = target;
    if let Some((scheme, after)) = target.split_once("://")
        && !scheme.is_empty()
        && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        rest = after.find('/').map_or("", |i| &after[i..]);
        // A "?" or "#" right after the host leaves no path.
        if after.find(['?', '#']).is_some_and(|q| after.find('/').is_none_or(|s| q < s)) {
            rest = "";
        }
    }
    let path = bare_path(rest);
    if path.is_empty() { "/" } else { path }
}

fn entry(level: Level, rule: Option<String>, reason: String) -> Considered {
    Considered { level, matched: rule.is_some(), rule, reason }
}

impl Rules {
    /// Explains [`Rules::decide`] for a full URL or a path and an optional `Content-Type` value.
    pub fn explain(&self, url_or_path: &str, content_type: Option<&str>) -> Explanation {
        let path = path_of(url_or_path);
        let mut buf = [0u8; MAX_MEDIA_TYPE];
        let media_type = content_type.and_then(|ct| normalize_media_type(ct, &mut buf));
        let group = media_type.and_then(Group::of);
        let mut considered = Vec::new();

        let page = self.page_rule(path).map(|r| Level::Page.label(r));
        let reason = match (&page, self.pages.is_empty()) {
            (Some(_), _) => "exact path match".to_owned(),
            (None, true) => "the file has no [[page]] rules".to_owned(),
            (None, false) => format!("no [[page]] rule for \"{path}\""),
        };
        considered.push(entry(Level::Page, page, reason));

        let directories: Vec<String> = self.directory_rules(path).map(|r| Level::Directory.label(r)).collect();
        if directories.is_empty() {
            let reason = if self.directories.is_empty() {
                "the file has no [[directory]] rules".to_owned()
            } else {
                format!("no [[directory]] prefix matches \"{path}\"")
            };
            considered.push(entry(Level::Directory, None, reason));
        }
        for (i, label) in directories.into_iter().enumerate() {
            let reason = if i == 0 { "longest matching prefix" } else { "shorter matching prefix" };
            considered.push(entry(Level::Directory, Some(label), reason.to_owned()));
        }

        let (content_rule, reason) = match media_type {
            None => (None, "no content type given".to_owned()),
            Some(mt) => match self.content_type_rule(mt) {
                Some(rule) => (Some(Level::ContentType.label(rule)), format!("media type is \"{mt}\"")),
                None => (None, format!("no [[content_type]] rule for \"{mt}\"")),
            },
        };
        considered.push(entry(Level::ContentType, content_rule, reason));

        let (group_rule, reason) = match (media_type, group) {
            (None, _) => (None, "no content type given".to_owned()),
            (Some(mt), None) => (None, format!("\"{mt}\" is in no built-in group")),
            (Some(mt), Some(g)) => match self.group_rule(Some(g)) {
                Some(rule) => (Some(Level::Group.label(rule)), format!("\"{mt}\" is in group \"{}\"", g.name())),
                None => (None, format!("\"{mt}\" is in group \"{}\", which has no [[group]] rule", g.name())),
            },
        };
        considered.push(entry(Level::Group, group_rule, reason));

        let (default, reason) = match &self.default {
            Some(rule) => (Some(Level::Default.label(rule)), "site-wide default".to_owned()),
            None => (None, "the file has no [default]".to_owned()),
        };
        considered.push(entry(Level::Default, default, reason));

        let fallback = self.fallback(path, media_type);
        let decision = fallback.decision();
        let winner = considered.iter().find_map(|c| c.rule.clone());
        let fields = FieldOrigins {
            cache: fallback.cache.map(|(_, level, rule)| level.label(rule)),
            ttl: fallback.ttl.map(|(_, level, rule)| level.label(rule)),
            force: fallback.force.map(|(_, level, rule)| level.label(rule)),
            stale_if_error: fallback.stale_if_error.map(|(_, level, rule)| level.label(rule)),
            statuses: fallback.statuses.map(|(_, level, rule)| level.label(rule)),
        };
        Explanation {
            path: path.to_owned(),
            content_type: media_type.map(str::to_owned),
            group: group.map(Group::name),
            considered,
            winner,
            cache: decision.cache,
            ttl_secs: decision.ttl.map(|d| d.as_secs()),
            force: decision.force,
            stale_if_error_secs: decision.stale_if_error.map(|d| d.as_secs()),
            statuses: decision.statuses.map(|s| s.to_vec()),
            fields,
        }
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "path {}", self.path)?;
        match (&self.content_type, self.group) {
            (Some(ct), Some(group)) => writeln!(f, ", content type {ct} (group {group})")?,
            (Some(ct), None) => writeln!(f, ", content type {ct}")?,
            (None, _) => writeln!(f, ", no content type")?,
        }
        let mut won = false;
        for c in &self.considered {
            let verdict = match (c.matched, won) {
                (false, _) => "no match",
                (true, false) => "WINS",
                (true, true) => "matches",
            };
            won |= c.matched;
            let rule = c.rule.as_deref().map(|r| format!("{r}: ")).unwrap_or_default();
            writeln!(f, "  {:<13} {verdict:<9} {rule}{}", c.level.name(), c.reason)?;
        }
        match &self.winner {
            Some(winner) => writeln!(f, "winner: {winner}")?,
            None => writeln!(f, "winner: none (no rule matched; the origin's headers decide)")?,
        }
        let secs = |s: Option<u64>| {
            s.map_or("none".to_owned(), |s| HumanDuration(std::time::Duration::from_secs(s)).to_string())
        };
        let mut rows = vec![
            ("cache", self.cache.to_string(), &self.fields.cache),
            ("ttl", secs(self.ttl_secs), &self.fields.ttl),
            ("force", self.force.to_string(), &self.fields.force),
            ("stale_if_error", secs(self.stale_if_error_secs), &self.fields.stale_if_error),
        ];
        if let Some(statuses) = &self.statuses {
            let list: Vec<String> = statuses.iter().map(u16::to_string).collect();
            rows.push(("statuses", list.join(","), &self.fields.statuses));
        }
        for (i, (name, value, origin)) in rows.iter().enumerate() {
            let origin = origin.as_deref().unwrap_or("built-in default");
            write!(f, "  {name:<15} {value:<6} from {origin}")?;
            if i + 1 < rows.len() {
                writeln!(f)?;
            }
        }
        Ok(())
    }
}
