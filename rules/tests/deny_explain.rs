//! Deny matching, explanations, and the fuzz entry point.

use amoe_rules::{Level, Rules};

fn rules(text: &str) -> Rules {
    Rules::parse(text).unwrap_or_else(|e| panic!("rules should parse:\n{e}"))
}

#[test]
fn no_deny_rules_deny_nothing() {
    assert_eq!(rules("[default]\nttl = \"1h\"\n").denied("TRACE", "/wp-admin", Some("union select")), None);
}

#[test]
fn deny_by_methods_only() {
    let r = rules("[[deny]]\nmethods = [\"TRACE\", \"TRACK\"]\n");
    assert_eq!(r.denied("TRACE", "/", None), Some(0));
    assert_eq!(r.denied("track", "/x", Some("a=1")), Some(0), "methods compare case-insensitively");
    assert_eq!(r.denied("GET", "/", None), None);
}

#[test]
fn deny_by_path_only() {
    let r = rules("[[deny]]\npath = \"^/wp-admin\"\n");
    assert_eq!(r.denied("GET", "/wp-admin/x.php", None), Some(0));
    assert_eq!(r.denied("POST", "/wp-admin", None), Some(0));
    assert_eq!(r.denied("GET", "/blog/wp-admin", None), None, "anchored pattern");
}

#[test]
fn deny_by_query_only() {
    let r = rules("[[deny]]\nquery = \"(?i)union.+select\"\n");
    assert_eq!(r.denied("GET", "/item", Some("id=1%20UNION%20SELECT%20pw")), Some(0));
    assert_eq!(r.denied("GET", "/item", Some("id=1")), None);
    assert_eq!(r.denied("GET", "/union/select", None), None, "the path is not the query");
    let empty = rules("[[deny]]\nquery = \"^$\"\n");
    assert_eq!(empty.denied("GET", "/", None), Some(0), "no query matches as the empty query");
}

#[test]
fn deny_combined_needs_every_condition_and_first_rule_wins() {
    let r = rules(
        "[[deny]]\nmethods = [\"POST\"]\npath = \"^/login\"\nquery = \"debug\"\n\n[[deny]]\npath = \"^/login\"\nquery = \"debug\"\n",
    );
    assert_eq!(r.denied("POST", "/login", Some("debug=1")), Some(0));
    assert_eq!(r.denied("GET", "/login", Some("debug=1")), Some(1), "method fails rule 0, rule 1 still matches");
    assert_eq!(r.denied("POST", "/login", Some("x=1")), None);
    assert_eq!(r.denied("POST", "/logout", Some("debug=1")), None);
    assert_eq!(r.deny_line(1), Some(6));
    assert_eq!(r.deny_line(2), None);
}

const CONFLICT: &str = r#"[default]
cache = false
stale_if_error = "1h"

[[group]]
name = "scripts"
ttl = "7d"

[[directory]]
path = "/static/"
ttl = "30d"
"#;

#[test]
fn explain_a_conflict_lists_every_level_and_field_origins() {
    let r = rules(CONFLICT);
    let e = r.explain("https://example.com/static/app.js?v=3", Some("Application/JavaScript; charset=utf-8"));
    assert_eq!(e.path, "/static/app.js");
    assert_eq!(e.content_type.as_deref(), Some("application/javascript"));
    assert_eq!(e.group, Some("scripts"));
    let levels: Vec<(Level, bool)> = e.considered.iter().map(|c| (c.level, c.matched)).collect();
    assert_eq!(
        levels,
        [
            (Level::Page, false),
            (Level::Directory, true),
            (Level::ContentType, false),
            (Level::Group, true),
            (Level::Default, true),
        ]
    );
    assert_eq!(e.winner.as_deref(), Some("[[directory]] \"/static/\" (line 9)"));
    assert_eq!(e.fields.ttl.as_deref(), Some("[[directory]] \"/static/\" (line 9)"));
    assert_eq!(e.fields.cache.as_deref(), Some("[default] (line 1)"));
    assert_eq!(e.fields.force, None);
    assert_eq!((e.cache, e.ttl_secs, e.force, e.stale_if_error_secs), (false, Some(30 * 86_400), false, Some(3_600)));

    let text = e.to_string();
    let expected = r#"path /static/app.js, content type application/javascript (group scripts)
  page          no match  the file has no [[page]] rules
  directory     WINS      [[directory]] "/static/" (line 9): longest matching prefix
  content type  no match  no [[content_type]] rule for "application/javascript"
  group         matches   [[group]] "scripts" (line 5): "application/javascript" is in group "scripts"
  default       matches   [default] (line 1): site-wide default
winner: [[directory]] "/static/" (line 9)
  cache           false  from [default] (line 1)
  ttl             30d    from [[directory]] "/static/" (line 9)
  force           false  from built-in default
  stale_if_error  1h     from [default] (line 1)"#;
    assert_eq!(text, expected);
}

#[test]
fn explain_agrees_with_decide_and_serialises() {
    let r = rules(CONFLICT);
    for (url, ct) in [("/static/x", None), ("/x.js", Some("text/javascript")), ("/y", Some("text/plain")), ("/", None)]
    {
        let e = r.explain(url, ct);
        let d = r.decide(url, ct);
        assert_eq!((e.cache, e.ttl_secs, e.force), (d.cache, d.ttl.map(|t| t.as_secs()), d.force), "{url}");
    }
    let json = serde_json::to_value(r.explain("/static/x", None)).expect("serialisable");
    assert_eq!(json["considered"][1]["level"], "directory");
    assert_eq!(json["ttl_secs"], 30 * 86_400);
}

#[test]
fn explain_accepts_urls_and_paths_and_reports_no_match() {
    let r = rules("[[page]]\npath = \"/a\"\ncache = false\n");
    assert_eq!(r.explain("http://h:8080/a?x#y", None).path, "/a");
    assert_eq!(r.explain("https://host", None).path, "/");
    assert_eq!(r.explain("https://host?q=/a", None).path, "/");
    assert_eq!(r.explain("/a?x", None).path, "/a");
    assert_eq!(r.explain("", None).path, "/");
    let e = r.explain("/b", Some("text/plain"));
    assert_eq!(e.winner, None);
    assert_eq!(e.considered[0].reason, "no [[page]] rule for \"/b\"");
    assert_eq!(e.considered[3].reason, "\"text/plain\" is in no built-in group");
    assert!(e.to_string().contains("winner: none (no rule matched; the origin's headers decide)"));
}

#[test]
fn fuzz_entry_point_survives_odd_inputs() {
    let inputs: [&[u8]; 8] = [
        b"",
        b"\xff\xfe[default]\nttl = \"1h\"",
        b"[[deny]]\npath = \"\"\n[[directory]]\npath = \"/\"\nttl = \"0s\"\n",
        b"[[page]]\npath = \"/\"\nforce = true\n[[group]]\nname = \"json\"\nttl = \"365d\"\n",
        b"[default\n",
        b"a.b.c = [[[]]]\n",
        b"[[content_type]]\ntype = \"X/Y+JSON\"\ncache = false\n",
        b"[[directory]]\npath = \"//\"\nttl = \"1s\"\n[[page]]\npath = \"//\"\nttl = \"2s\"\n",
    ];
    for input in inputs {
        amoe_rules::fuzz_parse(input);
    }
    // Every prefix of a valid file, so truncated input is exercised too.
    let text = CONFLICT.as_bytes();
    for end in 0..text.len() {
        amoe_rules::fuzz_parse(&text[..end]);
    }
}

#[test]
fn fuzz_entry_point_survives_mutated_files() {
    // A tiny deterministic generator (no extra dependency): flip, insert and delete bytes.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let alphabet = b"[]\"=/\n#*?.;0sdhm-+(){}\\ \xff";
    let seed =
        format!("{CONFLICT}[[page]]\npath = \"/p\"\nforce = true\n[[deny]]\nmethods = [\"GET\"]\nquery = \"a+\"\n");
    for _ in 0..1_500 {
        let mut data = seed.clone().into_bytes();
        for _ in 0..1 + next() % 4 {
            let at = next() % data.len();
            let byte = alphabet[next() % alphabet.len()];
            match next() % 3 {
                0 => data[at] = byte,
                1 => data.insert(at, byte),
                _ => {
                    data.remove(at);
                }
            }
        }
        amoe_rules::fuzz_parse(&data);
    }
}
