//! Validation of a rule file: TOML text in, compiled [`Rules`] or every error with its line out.
//!
//! Why: a site owner editing rules wants all mistakes at once, each pointing at a line, rather
//! than fixing them one run at a time. So this walks the span-carrying `toml::de::DeTable` by hand
//! instead of stopping at the first serde error, checks every value (durations, paths, media
//! types, group names, regexes, duplicates) and then compiles the lookup tables used per request.
//!
//! What it deliberately does not do: when the TOML itself is malformed, only the syntax errors are
//! reported (all of them), because checking a half-parsed document gives misleading follow-up
//! errors. Errors are sorted by line; their wording is for people, not a stable API.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::deny::DenyMatcher;
use crate::duration::{DurationError, HumanDuration, MAX_DURATION, parse_duration};
use crate::groups::{Group, MAX_MEDIA_TYPE, is_valid_media_type, normalize_media_type};
use crate::{Rule, RuleError, Rules, RulesError, Settings};

type Value<'i> = Spanned<DeValue<'i>>;
type Fields<'t, 'i> = HashMap<&'t str, &'t Value<'i>>;

const SETTINGS: [&str; 5] = ["cache", "ttl", "force", "stale_if_error", "statuses"];
const TOP_LEVEL: &str = "default, group, content_type, directory, page, deny";

/// Parses and validates a whole rule file.
pub(crate) fn parse(text: &str) -> Result<Rules, RulesError> {
    let mut cx = Checker { text, errors: Vec::new() };
    let (doc, syntax_errors) = DeTable::parse_recoverable(text);
    if !syntax_errors.is_empty() {
        for error in syntax_errors {
            let span = error.span().unwrap_or(0..0);
            cx.error(span, format!("invalid TOML: {}", one_line(error.message())));
        }
        return Err(cx.finish());
    }
    let mut rules = Rules::default();
    let mut seen = Seen::default();
    for (key, value) in doc.get_ref() {
        let name: &str = key.get_ref();
        match name {
            "default" => match value.get_ref() {
                DeValue::Table(table) => {
                    let fields = cx.fields(table, "[default]", &[]);
                    rules.default = cx.rule(&fields, table, value.span(), "[default]".into(), "");
                }
                _ => cx.error(value.span(), "[default] must be a single table, written [default]".into()),
            },
            "group" | "content_type" | "directory" | "page" | "deny" => {
                for (span, table) in cx.tables(name, value) {
                    match name {
                        "group" => cx.group(&mut rules, &mut seen, table, span),
                        "content_type" => cx.content_type(&mut rules, &mut seen, table, span),
                        "directory" => cx.directory(&mut rules, &mut seen, table, span),
                        "page" => cx.page(&mut rules, &mut seen, table, span),
                        _ => cx.deny(&mut rules, table, span),
                    }
                }
            }
            other => {
                let what = if value.get_ref().is_table() { "table" } else { "key" };
                cx.error(key.span(), format!("unknown top-level {what} \"{other}\" (expected {TOP_LEVEL})"));
            }
        }
    }
    if cx.errors.is_empty() { Ok(rules) } else { Err(cx.finish()) }
}

/// First line of each rule key, for duplicate messages.
#[derive(Default)]
struct Seen {
    groups: HashMap<String, usize>,
    content_types: HashMap<String, usize>,
    directories: HashMap<String, usize>,
    pages: HashMap<String, usize>,
}

struct Checker<'t> {
    text: &'t str,
    errors: Vec<RuleError>,
}

impl<'t> Checker<'t> {
    fn line(&self, span: Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        1 + self.text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count()
    }

    fn error(&mut self, span: Range<usize>, message: String) {
        let line = self.line(span);
        self.errors.push(RuleError { line, message });
    }

    fn finish(mut self) -> RulesError {
        self.errors.sort_by_key(|e| e.line);
        RulesError { errors: self.errors }
    }

    /// The tables of an array of tables such as `[[page]]`.
    fn tables<'v, 'i>(&mut self, name: &str, value: &'v Value<'i>) -> Vec<(Range<usize>, &'v DeTable<'i>)> {
        let DeValue::Array(array) = value.get_ref() else {
            self.error(value.span(), format!("{name} must be an array of tables, written [[{name}]]"));
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in array.iter() {
            match item.get_ref() {
                DeValue::Table(table) => out.push((item.span(), table)),
                other => self.error(item.span(), format!("{name} entries must be tables, found {}", other.type_str())),
            }
        }
        out
    }

    /// Collects a table's keys, reporting those that are neither settings nor in `own`.
    fn fields<'v, 'i>(&mut self, table: &'v DeTable<'i>, section: &str, own: &[&str]) -> Fields<'v, 'i> {
        let settings: &[&str] = if section == "[[deny]]" { &[] } else { &SETTINGS };
        let mut fields = HashMap::new();
        for (key, value) in table {
            let name: &str = key.get_ref();
            if settings.contains(&name) || own.contains(&name) {
                fields.insert(name, value);
            } else {
                let expected: Vec<&str> = settings.iter().chain(own).copied().collect();
                let expected = expected.join(", ");
                self.error(key.span(), format!("unknown key \"{name}\" in {section} (expected {expected})"));
            }
        }
        fields
    }

    fn bool(&mut self, fields: &Fields<'_, '_>, key: &str) -> Option<bool> {
        let value = fields.get(key)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                self.error(value.span(), format!("{key} must be true or false, found {}", other.type_str()));
                None
            }
        }
    }

    fn string<'v>(&mut self, fields: &Fields<'v, '_>, key: &str, section: &str) -> Option<(&'v str, Range<usize>)> {
        let value = fields.get(key)?;
        match value.get_ref() {
            DeValue::String(s) => Some((s.as_ref(), value.span())),
            other => {
                self.error(value.span(), format!("{section} {key} must be a string, found {}", other.type_str()));
                None
            }
        }
    }

    fn duration(&mut self, fields: &Fields<'_, '_>, key: &str, section: &str) -> Option<std::time::Duration> {
        let (text, span) = self.string(fields, key, section)?;
        match parse_duration(text) {
            Ok(d) => Some(d),
            Err(DurationError::Syntax) => {
                self.error(span, format!("{key} \"{text}\" is not a duration: {}", DurationError::Syntax));
                None
            }
            Err(DurationError::TooLong) => {
                let max = HumanDuration(MAX_DURATION);
                self.error(span, format!("{key} \"{text}\" is too long: at most {max}"));
                None
            }
        }
    }

    /// A list of HTTP statuses (integers 100–599).
    fn statuses(&mut self, fields: &Fields<'_, '_>, label: &str) -> Option<crate::StatusSet> {
        let value = fields.get("statuses")?;
        let DeValue::Array(items) = value.get_ref() else {
            self.error(value.span(), format!("{label} statuses must be a list of HTTP statuses, such as [200, 404]"));
            return None;
        };
        let mut set = crate::StatusSet::default();
        let mut ok = true;
        for item in items.iter() {
            let status = match item.get_ref() {
                DeValue::Integer(i) => i.as_str().parse::<u16>().ok().filter(|s| set.insert(*s)),
                _ => None,
            };
            if status.is_none() {
                ok = false;
                self.error(item.span(), format!("{label} statuses: not an HTTP status (an integer from 100 to 599)"));
            }
        }
        if items.is_empty() {
            ok = false;
            self.error(value.span(), format!("{label} statuses is empty"));
        }
        ok.then_some(set)
    }

    /// Reads the shared settings of a rule; `None` when it sets nothing (reported) or is invalid.
    /// An unknown key (likely a misspelt setting) already reported on the table silences the
    /// "sets none" error.
    fn rule(
        &mut self,
        fields: &Fields<'_, '_>,
        table: &DeTable<'_>,
        span: Range<usize>,
        label: String,
        key: &str,
    ) -> Option<Rule> {
        let errors_before = self.errors.len();
        let settings = Settings {
            cache: self.bool(fields, "cache"),
            ttl: self.duration(fields, "ttl", &label),
            force: self.bool(fields, "force"),
            stale_if_error: self.duration(fields, "stale_if_error", &label),
            statuses: self.statuses(fields, &label),
        };
        let had_unknown_key = table.len() > fields.len();
        if !had_unknown_key && !SETTINGS.iter().any(|s| fields.contains_key(s)) {
            self.error(span.clone(), format!("{label} sets none of cache, ttl, force, stale_if_error, statuses"));
        }
        let line = self.line(span);
        (self.errors.len() == errors_before).then(|| Rule { key: key.into(), line, settings })
    }

    /// The required identifying string of a rule (`name`, `type` or `path`).
    fn required<'v>(
        &mut self,
        fields: &Fields<'v, '_>,
        key: &str,
        section: &str,
        span: &Range<usize>,
    ) -> Option<(&'v str, Range<usize>)> {
        if !fields.contains_key(key) {
            self.error(span.clone(), format!("{section} has no {key}"));
        }
        self.string(fields, key, section)
    }

    /// Reports a duplicate, or records the first line of `key`. Returns whether it is new.
    fn first(&mut self, seen: &mut HashMap<String, usize>, key: &str, span: Range<usize>, what: &str) -> bool {
        let line = self.line(span.clone());
        match seen.entry(key.to_owned()) {
            Entry::Occupied(first) => {
                let first = *first.get();
                self.error(span, format!("duplicate {what} \"{key}\" (first at line {first})"));
                false
            }
            Entry::Vacant(slot) => {
                slot.insert(line);
                true
            }
        }
    }

    fn group(&mut self, rules: &mut Rules, seen: &mut Seen, table: &DeTable<'_>, span: Range<usize>) {
        let fields = self.fields(table, "[[group]]", &["name"]);
        let name = self.required(&fields, "name", "[[group]]", &span);
        let group = name.clone().and_then(|(name, name_span)| {
            let group = Group::from_name(name);
            if group.is_none() {
                self.error(
                    name_span.clone(),
                    format!("unknown content-type group \"{name}\" (known: {})", Group::NAMES),
                );
            }
            group.filter(|_| self.first(&mut seen.groups, name, name_span, "[[group]]"))
        });
        let label = format!("[[group]] \"{}\"", name.map_or("", |n| n.0));
        let rule = self.rule(&fields, table, span, label, group.map_or("", Group::name));
        if let (Some(group), Some(rule)) = (group, rule) {
            rules.groups[group.index()] = Some(rule);
        }
    }

    fn content_type(&mut self, rules: &mut Rules, seen: &mut Seen, table: &DeTable<'_>, span: Range<usize>) {
        let fields = self.fields(table, "[[content_type]]", &["type"]);
        let mut buf = [0u8; MAX_MEDIA_TYPE];
        let mut media_type = None;
        if let Some((raw, type_span)) = self.required(&fields, "type", "[[content_type]]", &span) {
            let problem = if raw.contains(';') {
                Some("must not have parameters (they are ignored when matching)")
            } else if raw.contains('*') {
                Some("has a wildcard: use [[group]] for families of types")
            } else if !normalize_media_type(raw, &mut buf).is_some_and(is_valid_media_type) {
                Some("is not a media type (expected type/subtype, such as application/pdf)")
            } else {
                None
            };
            match problem {
                Some(problem) => self.error(type_span, format!("content type \"{raw}\" {problem}")),
                None => {
                    let normal = normalize_media_type(raw, &mut buf).unwrap_or_default();
                    if self.first(&mut seen.content_types, normal, type_span, "[[content_type]] type") {
                        media_type = Some(normal.to_owned());
                    }
                }
            }
        }
        let label = format!("[[content_type]] \"{}\"", media_type.as_deref().unwrap_or(""));
        let rule = self.rule(&fields, table, span, label, media_type.as_deref().unwrap_or(""));
        if let (Some(media_type), Some(rule)) = (media_type, rule) {
            rules.content_types.insert(media_type.into(), rule);
        }
    }

    /// Checks a page or directory path, returning it (with a trailing "/" for directories).
    fn path(&mut self, fields: &Fields<'_, '_>, section: &str, span: &Range<usize>) -> Option<(String, Range<usize>)> {
        let (raw, path_span) = self.required(fields, "path", section, span)?;
        let what = if section == "[[page]]" { "page" } else { "directory" };
        if !raw.starts_with('/') {
            self.error(path_span, format!("{what} path must start with \"/\""));
            return None;
        }
        if raw.contains(['?', '#']) {
            self.error(path_span, format!("{what} path \"{raw}\" must not contain a query string or fragment"));
            return None;
        }
        let mut path = raw.to_owned();
        if what == "directory" && !path.ends_with('/') {
            path.push('/');
        }
        Some((path, path_span))
    }

    fn directory(&mut self, rules: &mut Rules, seen: &mut Seen, table: &DeTable<'_>, span: Range<usize>) {
        let fields = self.fields(table, "[[directory]]", &["path"]);
        let path = self.path(&fields, "[[directory]]", &span);
        let path = path.filter(|(p, s)| self.first(&mut seen.directories, p, s.clone(), "[[directory]] path"));
        let path = path.map(|(p, _)| p);
        let label = format!("[[directory]] \"{}\"", path.as_deref().unwrap_or(""));
        let rule = self.rule(&fields, table, span, label, path.as_deref().unwrap_or(""));
        if let (Some(path), Some(rule)) = (path, rule) {
            rules.directories.insert(path.into(), rule);
        }
    }

    fn page(&mut self, rules: &mut Rules, seen: &mut Seen, table: &DeTable<'_>, span: Range<usize>) {
        let fields = self.fields(table, "[[page]]", &["path"]);
        let path = self.path(&fields, "[[page]]", &span);
        let path = path.filter(|(p, s)| self.first(&mut seen.pages, p, s.clone(), "[[page]] path"));
        let path = path.map(|(p, _)| p);
        let label = format!("[[page]] \"{}\"", path.as_deref().unwrap_or(""));
        let rule = self.rule(&fields, table, span, label, path.as_deref().unwrap_or(""));
        if let (Some(path), Some(rule)) = (path, rule) {
            rules.pages.insert(path.into(), rule);
        }
    }

    fn deny(&mut self, rules: &mut Rules, table: &DeTable<'_>, span: Range<usize>) {
        let errors_before = self.errors.len();
        let fields = self.fields(table, "[[deny]]", &["methods", "path", "query"]);
        if fields.is_empty() {
            self.error(span.clone(), "[[deny]] needs at least one of methods, path, query".into());
        }
        let methods = fields.get("methods").and_then(|value| self.methods(value));
        let path = self.regex(&fields, "path");
        let query = self.regex(&fields, "query");
        if self.errors.len() == errors_before {
            let line = self.line(span);
            rules.deny.push(DenyMatcher { line, methods, path, query });
        }
    }

    fn methods(&mut self, value: &Value<'_>) -> Option<Vec<Box<str>>> {
        let DeValue::Array(array) = value.get_ref() else {
            let found = value.get_ref().type_str();
            self.error(value.span(), format!("deny methods must be an array of strings, found {found}"));
            return None;
        };
        if array.is_empty() {
            self.error(value.span(), "deny methods must not be empty (leave the key out instead)".into());
        }
        let mut methods = Vec::new();
        for item in array.iter() {
            match item.get_ref() {
                DeValue::String(m)
                    if !m.is_empty() && m.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b)) =>
                {
                    methods.push(m.to_ascii_uppercase().into_boxed_str());
                }
                DeValue::String(m) => self.error(item.span(), format!("deny method \"{m}\" is not an HTTP method")),
                other => self.error(item.span(), format!("deny methods must be strings, found {}", other.type_str())),
            }
        }
        Some(methods)
    }

    fn regex(&mut self, fields: &Fields<'_, '_>, key: &str) -> Option<regex::Regex> {
        let (pattern, span) = self.string(fields, key, "deny")?;
        match regex::Regex::new(pattern) {
            Ok(regex) => Some(regex),
            Err(err) => {
                self.error(span, format!("deny {key} pattern is not a valid regex: {}", regex_message(&err)));
                None
            }
        }
    }
}

/// The one-line gist of a regex error (its multi-line display points at the pattern with a caret).
fn regex_message(err: &regex::Error) -> String {
    let text = err.to_string();
    match text.lines().find_map(|l| l.strip_prefix("error: ")) {
        Some(gist) => gist.to_owned(),
        None => one_line(&text),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
