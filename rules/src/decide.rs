//! Which rule applies to a request, and why: precedence, field fallback and explanations.
//!
//! Precedence, most specific first: the `[[page]]` with exactly this path; every `[[directory]]`
//! whose prefix matches, longest first; the `[[content_type]]` for the response's media type;
//! the `[[group]]` containing that media type; the `[default]`.
//!
//! Field fallback: each field (`cache`, `ttl`, `force`, `stale_if_error`) is taken from the most
//! specific *matching* rule that sets it; a field no matching rule sets gets its built-in
//! default: `cache` true, `force` false, `ttl` and `stale_if_error` none. So a `[[directory]]`
//! giving only `ttl` still inherits `cache = false` from a matching `[default]`; to override it,
//! the directory says `cache = true`. Shorter matching directories take part in the fallback too.
//! [`Decision::source`] names the most specific matching rule.
//!
//! Why: this runs for every proxied response, so [`Rules::decide`] does a fixed number of hash
//! lookups (one per "/" in the path for directories, whatever the number of rules), borrows the
//! rule names in [`Source`] and allocates nothing. [`Rules::explain`] is the slow, owning twin
//! for people (`amoe site explain SITE URL`), built on the same lookups so the two cannot differ.
//!
//! What it deliberately does not do: look at HTTP headers (the proxy combines a [`Decision`] with
//! RFC 9111), percent-decode or normalise paths, or match a directory's own path without its
//! trailing slash: "/static/" matches "/static/" and "/static/x" but not "/static".

use std::time::Duration;

use serde::Serialize;

use crate::groups::{Group, MAX_MEDIA_TYPE, normalize_media_type};
use crate::{Rule, Rules};

/// What the site's rules say about one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision<'a> {
    /// Whether the response may be cached at all.
    pub cache: bool,
    /// The TTL the rules give; `None` lets the origin's headers decide.
    pub ttl: Option<Duration>,
    /// Whether to store despite `private`, `no-store`, `Set-Cookie` or a request `Authorization`.
    pub force: bool,
    /// How long a stale copy may be served when the origin fails.
    pub stale_if_error: Option<Duration>,
    /// The statuses `ttl` applies to; `None`: the heuristically cacheable ones (RFC 9110 §15.1).
    pub statuses: Option<crate::StatusSet>,
    /// The most specific matching rule.
    pub source: Source<'a>,
}

/// The most specific rule that matched, borrowing its key from the [`Rules`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Source<'a> {
    /// A `[[page]]` with this exact path.
    Page(&'a str),
    /// A `[[directory]]` with this prefix (always ending in "/").
    Directory(&'a str),
    /// A `[[content_type]]` with this lower-case media type.
    ContentType(&'a str),
    /// A `[[group]]` with this name.
    Group(&'a str),
    /// The `[default]`.
    Default,
    /// No rule matched.
    None,
}

/// A level of precedence, most specific first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// `[[page]]`
    Page,
    /// `[[directory]]`
    Directory,
    /// `[[content_type]]`
    ContentType,
    /// `[[group]]`
    Group,
    /// `[default]`
    Default,
}

impl Level {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Level::Page => "page",
            Level::Directory => "directory",
            Level::ContentType => "content type",
            Level::Group => "group",
            Level::Default => "default",
        }
    }

    pub(crate) fn label(self, rule: &Rule) -> String {
        match self {
            Level::Page => format!("[[page]] \"{}\" (line {})", rule.key, rule.line),
            Level::Directory => format!("[[directory]] \"{}\" (line {})", rule.key, rule.line),
            Level::ContentType => format!("[[content_type]] \"{}\" (line {})", rule.key, rule.line),
            Level::Group => format!("[[group]] \"{}\" (line {})", rule.key, rule.line),
            Level::Default => format!("[default] (line {})", rule.line),
        }
    }

    fn source(self, rule: &Rule) -> Source<'_> {
        match self {
            Level::Page => Source::Page(&rule.key),
            Level::Directory => Source::Directory(&rule.key),
            Level::ContentType => Source::ContentType(&rule.key),
            Level::Group => Source::Group(&rule.key),
            Level::Default => Source::Default,
        }
    }
}

/// Accumulates fields from matching rules, most specific first.
#[derive(Default)]
pub(crate) struct Fallback<'a> {
    pub(crate) source: Option<Source<'a>>,
    pub(crate) cache: Option<(bool, Level, &'a Rule)>,
    pub(crate) ttl: Option<(Duration, Level, &'a Rule)>,
    pub(crate) force: Option<(bool, Level, &'a Rule)>,
    pub(crate) stale_if_error: Option<(Duration, Level, &'a Rule)>,
    pub(crate) statuses: Option<(crate::StatusSet, Level, &'a Rule)>,
}

impl<'a> Fallback<'a> {
    fn take(&mut self, level: Level, rule: &'a Rule) {
        let s = rule.settings;
        self.source = self.source.or(Some(level.source(rule)));
        self.cache = self.cache.or(s.cache.map(|v| (v, level, rule)));
        self.ttl = self.ttl.or(s.ttl.map(|v| (v, level, rule)));
        self.force = self.force.or(s.force.map(|v| (v, level, rule)));
        self.stale_if_error = self.stale_if_error.or(s.stale_if_error.map(|v| (v, level, rule)));
        self.statuses = self.statuses.or(s.statuses.map(|v| (v, level, rule)));
    }

    pub(crate) fn decision(&self) -> Decision<'a> {
        Decision {
            cache: self.cache.is_none_or(|c| c.0),
            ttl: self.ttl.map(|t| t.0),
            force: self.force.is_some_and(|f| f.0),
            stale_if_error: self.stale_if_error.map(|s| s.0),
            statuses: self.statuses.map(|s| s.0),
            source: self.source.unwrap_or(Source::None),
        }
    }
}

/// The path part of a request target: query string and fragment removed.
pub(crate) fn bare_path(path: &str) -> &str {
    path.split(['?', '#']).next().unwrap_or_default()
}

impl Rules {
    pub(crate) fn page_rule(&self, path: &str) -> Option<&Rule> {
        self.pages.get(path)
    }

    /// Matching directories, longest prefix first: one lookup per "/" in the path.
    pub(crate) fn directory_rules<'a, 'p>(&'a self, path: &'p str) -> impl Iterator<Item = &'a Rule> + use<'a, 'p> {
        let any = !self.directories.is_empty();
        path.rmatch_indices('/').filter(move |_| any).filter_map(move |(i, _)| self.directories.get(&path[..=i]))
    }

    pub(crate) fn content_type_rule(&self, media_type: &str) -> Option<&Rule> {
        self.content_types.get(media_type)
    }

    pub(crate) fn group_rule(&self, group: Option<Group>) -> Option<&Rule> {
        group.and_then(|g| self.groups[g.index()].as_ref())
    }

    pub(crate) fn fallback<'a>(&'a self, path: &str, media_type: Option<&str>) -> Fallback<'a> {
        let mut fallback = Fallback::default();
        if let Some(rule) = self.page_rule(path) {
            fallback.take(Level::Page, rule);
        }
        for rule in self.directory_rules(path) {
            fallback.take(Level::Directory, rule);
        }
        if let Some(media_type) = media_type {
            if let Some(rule) = self.content_type_rule(media_type) {
                fallback.take(Level::ContentType, rule);
            }
            if let Some(rule) = self.group_rule(Group::of(media_type)) {
                fallback.take(Level::Group, rule);
            }
        }
        if let Some(rule) = &self.default {
            fallback.take(Level::Default, rule);
        }
        fallback
    }

    /// What the rules say for a response to `path` with this `Content-Type` header value.
    /// A query string or fragment on `path` is ignored; `content_type` may carry parameters and
    /// any case ("Text/HTML; charset=utf-8"). Allocates nothing.
    pub fn decide<'a>(&'a self, path: &str, content_type: Option<&str>) -> Decision<'a> {
        let mut buf = [0u8; MAX_MEDIA_TYPE];
        let media_type = content_type.and_then(|ct| normalize_media_type(ct, &mut buf));
        self.fallback(bare_path(path), media_type).decision()
    }
}
