//! Validation: every error, with its exact line, all reported at once.

use amoe_rules::{RuleError, Rules, RulesFile};

fn errors(text: &str) -> Vec<String> {
    match Rules::parse(text) {
        Ok(_) => panic!("expected errors for:\n{text}"),
        Err(e) => e.errors.iter().map(RuleError::to_string).collect(),
    }
}

fn one_error(text: &str) -> String {
    let all = errors(text);
    assert_eq!(all.len(), 1, "expected exactly one error, got {all:#?}");
    all.into_iter().next().unwrap_or_default()
}

#[test]
fn whitespace_and_comments_only_are_valid() {
    assert!(Rules::parse("# nothing here\n\n").is_ok_and(|r| r.is_empty()));
}

#[test]
fn unknown_key_names_the_table_and_the_expected_keys() {
    let text = "[default]\nttl = \"1h\"\n\n[[directory]]\npath = \"/a/\"\n\ntll = \"1h\"\n";
    assert_eq!(
        one_error(text),
        "line 7: unknown key \"tll\" in [[directory]] (expected cache, ttl, force, stale_if_error, statuses, path)"
    );
}

#[test]
fn bad_durations() {
    let text = "[default]\ncache = true\nttl = \"-5m\"\nstale_if_error = \"400d\"\n";
    assert_eq!(
        errors(text),
        [
            "line 3: ttl \"-5m\" is not a duration: expected a number followed by s, m, h or d",
            "line 4: stale_if_error \"400d\" is too long: at most 365d",
        ]
    );
    assert_eq!(one_error("[default]\nttl = 5\n"), "line 2: [default] ttl must be a string, found integer");
}

#[test]
fn unknown_group() {
    assert_eq!(
        one_error("\n\n[[group]]\nname = \"imgs\"\nttl = \"1d\"\n"),
        "line 4: unknown content-type group \"imgs\" (known: images, scripts, styles, fonts, video, audio, documents, html, json)"
    );
}

#[test]
fn invalid_deny_regexes() {
    let text = "[[deny]]\npath = \"^/(wp-admin\"\n\n[[deny]]\nquery = \"[z-a]\"\n";
    let all = errors(text);
    assert_eq!(all.len(), 2, "{all:#?}");
    assert!(all[0].starts_with("line 2: deny path pattern is not a valid regex: "), "{}", all[0]);
    assert!(all[1].starts_with("line 5: deny query pattern is not a valid regex: "), "{}", all[1]);
    assert!(all.iter().all(|e| !e.contains('\n')));
}

#[test]
fn deny_needs_a_condition_and_valid_methods() {
    assert_eq!(one_error("[[deny]]\n"), "line 1: [[deny]] needs at least one of methods, path, query");
    assert_eq!(
        errors("[[deny]]\nmethods = []\n[[deny]]\nmethods = [\"GET\", \"BAD METHOD\", 3]\n"),
        [
            "line 2: deny methods must not be empty (leave the key out instead)",
            "line 4: deny method \"BAD METHOD\" is not an HTTP method",
            "line 4: deny methods must be strings, found integer",
        ]
    );
    assert_eq!(
        errors("[[deny]]\nmethods = \"GET\"\ncache = true\n"),
        [
            "line 2: deny methods must be an array of strings, found string",
            "line 3: unknown key \"cache\" in [[deny]] (expected methods, path, query)",
        ]
    );
}

#[test]
fn paths_must_start_with_a_slash_and_have_no_query() {
    assert_eq!(
        errors("[[page]]\npath = \"index.html\"\ncache = false\n\n[[directory]]\npath = \"static/\"\nttl = \"1h\"\n"),
        ["line 2: page path must start with \"/\"", "line 6: directory path must start with \"/\""]
    );
    assert_eq!(
        one_error("[[page]]\npath = \"/a?b=1\"\ncache = false\n"),
        "line 2: page path \"/a?b=1\" must not contain a query string or fragment"
    );
}

#[test]
fn duplicates_are_errors() {
    let text = r#"[[page]]
path = "/a"
cache = false
[[page]]
path = "/a"
cache = true
[[directory]]
path = "/s"
ttl = "1h"
[[directory]]
path = "/s/"
ttl = "2h"
[[content_type]]
type = "text/css"
ttl = "1h"
[[content_type]]
type = "TEXT/CSS"
ttl = "1h"
[[group]]
name = "fonts"
ttl = "1d"
[[group]]
name = "fonts"
ttl = "2d"
"#;
    assert_eq!(
        errors(text),
        [
            "line 5: duplicate [[page]] path \"/a\" (first at line 2)",
            "line 11: duplicate [[directory]] path \"/s/\" (first at line 8)",
            "line 17: duplicate [[content_type]] type \"text/css\" (first at line 14)",
            "line 23: duplicate [[group]] \"fonts\" (first at line 20)",
        ]
    );
}

#[test]
fn unknown_top_level_tables_and_keys() {
    assert_eq!(
        errors("ttl = \"1h\"\n[pages]\npath = \"/\"\n"),
        [
            "line 1: unknown top-level key \"ttl\" (expected default, group, content_type, directory, page, deny)",
            "line 2: unknown top-level table \"pages\" (expected default, group, content_type, directory, page, deny)",
        ]
    );
    assert_eq!(one_error("\n[page]\npath = \"/\"\n"), "line 2: page must be an array of tables, written [[page]]");
    assert_eq!(one_error("[[default]]\nttl = \"1h\"\n"), "line 1: [default] must be a single table, written [default]");
}

#[test]
fn rule_must_set_something_and_have_its_key() {
    assert_eq!(
        errors("[[directory]]\npath = \"/a/\"\n\n[[page]]\ncache = false\n\n[default]\n"),
        [
            "line 1: [[directory]] \"/a/\" sets none of cache, ttl, force, stale_if_error, statuses",
            "line 4: [[page]] has no path",
            "line 7: [default] sets none of cache, ttl, force, stale_if_error, statuses",
        ]
    );
}

#[test]
fn wrong_value_types() {
    assert_eq!(
        errors("[default]\ncache = \"yes\"\nforce = 1\n"),
        ["line 2: cache must be true or false, found string", "line 3: force must be true or false, found integer"]
    );
}

#[test]
fn bad_content_types() {
    let text = "[[content_type]]\ntype = \"image/*\"\nttl = \"1h\"\n[[content_type]]\ntype = \"text/html; charset=utf-8\"\nttl = \"1h\"\n[[content_type]]\ntype = \"pdf\"\nttl = \"1h\"\n";
    assert_eq!(
        errors(text),
        [
            "line 2: content type \"image/*\" has a wildcard: use [[group]] for families of types",
            "line 5: content type \"text/html; charset=utf-8\" must not have parameters (they are ignored when matching)",
            "line 8: content type \"pdf\" is not a media type (expected type/subtype, such as application/pdf)",
        ]
    );
}

#[test]
fn several_errors_reported_at_once_in_line_order() {
    let text = r#"[default]
ttl = "forever"

[[group]]
name = "imgs"
ttl = "7d"

[[directory]]
path = "static"
tll = "1h"

[[deny]]
path = "("
"#;
    let err = Rules::parse(text).expect_err("four errors");
    let lines: Vec<usize> = err.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [2, 5, 9, 10, 13]);
    // One error per line in the display, and no trailing newline.
    assert_eq!(err.to_string().lines().count(), 5);
    assert!(err.to_string().starts_with("line 2: ttl \"forever\" is not a duration"));
    assert!(!err.to_string().ends_with('\n'));
}

#[test]
fn toml_syntax_errors_give_their_lines() {
    let all = errors("[default]\nttl = \"1h\"\nttl = \"2h\"\n\n[[page]]\npath = \n");
    assert_eq!(all.len(), 2, "{all:#?}");
    assert!(all[0].starts_with("line 3: invalid TOML: duplicate key"), "{}", all[0]);
    assert!(all[1].starts_with("line 6: invalid TOML: "), "{}", all[1]);
    let unclosed = one_error("[default]\nttl = \"1h\"\n[[directory\n");
    assert!(unclosed.starts_with("line 3: invalid TOML: "), "{unclosed}");
}

#[test]
fn valid_full_example_parses_and_agrees_with_serde() {
    let text = r#"
[default]
cache = true
ttl = "1h"

[[group]]
name = "images"
ttl = "7d"

[[content_type]]
type = "application/pdf"
ttl = "30d"

[[directory]]
path = "/static/"
ttl = "30d"
force = true
stale_if_error = "1d"

[[page]]
path = "/index.html"
cache = false

[[deny]]
methods = ["TRACE", "TRACK"]
path = "^/wp-admin"
query = "(?i)union.+select"
"#;
    let rules = Rules::parse(text).expect("the brief's example is valid");
    assert_eq!(rules.deny_line(0), Some(24));
    let file: RulesFile = toml::from_str(text).expect("serde types accept the same file");
    assert_eq!(file.directory[0].path, "/static/");
    assert_eq!(file.deny[0].methods.as_deref(), Some(&["TRACE".to_owned(), "TRACK".to_owned()][..]));
}

#[test]
fn json_schema_describes_every_field() {
    let schema = serde_json::to_value(amoe_rules::json_schema()).expect("schema is JSON");
    let mut checked = 0;
    let mut objects = vec![&schema];
    while let Some(object) = objects.pop() {
        if let Some(props) = object.get("properties").and_then(|p| p.as_object()) {
            for (name, prop) in props {
                assert!(prop.get("description").is_some_and(|d| d.is_string()), "{name} has no description");
                checked += 1;
            }
        }
        if let Some(defs) = object.get("$defs").and_then(|d| d.as_object()) {
            objects.extend(defs.values());
        }
    }
    // 6 top-level, 5 in default, 6 in each of group/content_type/directory/page, 3 in deny.
    assert_eq!(checked, 6 + 5 + 6 * 4 + 3);
    let text = schema.to_string();
    assert!(text.contains("^[0-9]+[smhd]$"), "duration pattern present");
    assert!(text.contains("\"documents\""), "group names listed");
}
