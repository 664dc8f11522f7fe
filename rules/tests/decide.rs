//! Precedence, field fallback and matching details of `Rules::decide`.

use std::time::Duration;

use amoe_rules::{Decision, Rules, Source};

const HOUR: Duration = Duration::from_secs(3_600);
const DAY: Duration = Duration::from_secs(86_400);

fn rules(text: &str) -> Rules {
    Rules::parse(text).unwrap_or_else(|e| panic!("rules should parse:\n{e}"))
}

#[test]
fn empty_file_decides_nothing() {
    let r = rules("");
    assert!(r.is_empty());
    let d = r.decide("/x", Some("text/html"));
    assert_eq!(
        d,
        Decision { cache: true, ttl: None, force: false, stale_if_error: None, statuses: None, source: Source::None }
    );
}

#[test]
fn default_alone() {
    let r = rules("[default]\nttl = \"1h\"\nstale_if_error = \"1d\"\n");
    let d = r.decide("/anything", None);
    assert_eq!((d.ttl, d.stale_if_error, d.cache, d.source), (Some(HOUR), Some(DAY), true, Source::Default));
}

#[test]
fn group_alone() {
    let r = rules("[[group]]\nname = \"images\"\nttl = \"7d\"\n");
    assert_eq!(r.decide("/a.png", Some("image/png")).source, Source::Group("images"));
    assert_eq!(r.decide("/a.png", Some("image/png")).ttl, Some(7 * DAY));
    assert_eq!(r.decide("/a.css", Some("text/css")).source, Source::None);
    assert_eq!(r.decide("/a.png", None).source, Source::None);
}

#[test]
fn content_type_alone_ignores_parameters_and_case() {
    let r = rules("[[content_type]]\ntype = \"Text/HTML\"\nttl = \"1h\"\n");
    for ct in ["text/html", "TEXT/html", "text/html; charset=utf-8", " text/html ;q=1"] {
        let d = r.decide("/", Some(ct));
        assert_eq!((d.source, d.ttl), (Source::ContentType("text/html"), Some(HOUR)), "{ct}");
    }
    assert_eq!(r.decide("/", Some("text/htmlx")).source, Source::None);
}

#[test]
fn directory_alone_and_trailing_slash_semantics() {
    let r = rules("[[directory]]\npath = \"/static\"\nttl = \"30d\"\n");
    assert_eq!(r.decide("/static/x.js", None).source, Source::Directory("/static/"));
    assert_eq!(r.decide("/static/", None).source, Source::Directory("/static/"));
    assert_eq!(r.decide("/static/a/b/c", None).ttl, Some(30 * DAY));
    assert_eq!(r.decide("/staticfoo", None).source, Source::None);
    assert_eq!(r.decide("/static", None).source, Source::None);
    assert_eq!(r.decide("/other/static/x", None).source, Source::None);
}

#[test]
fn root_directory_matches_everything() {
    let r = rules("[[directory]]\npath = \"/\"\nforce = true\n");
    assert!(r.decide("/", None).force);
    assert!(r.decide("/a/b", None).force);
}

#[test]
fn page_alone_is_exact_and_ignores_query() {
    let r = rules("[[page]]\npath = \"/index.html\"\ncache = false\n");
    let d = r.decide("/index.html?utm=1", None);
    assert_eq!((d.cache, d.source), (false, Source::Page("/index.html")));
    assert_eq!(r.decide("/index.html#top", None).source, Source::Page("/index.html"));
    assert_eq!(r.decide("/index.htm", None).source, Source::None);
    assert_eq!(r.decide("/index.html/", None).source, Source::None);
}

const ALL_LEVELS: &str = r#"
[default]
ttl = "1m"

[[group]]
name = "scripts"
ttl = "2m"

[[content_type]]
type = "application/javascript"
ttl = "3m"

[[directory]]
path = "/static/"
ttl = "4m"

[[directory]]
path = "/static/vendor/"
ttl = "5m"

[[page]]
path = "/static/vendor/app.js"
ttl = "6m"
"#;

fn ttl_minutes(r: &Rules, path: &str, ct: Option<&str>) -> u64 {
    r.decide(path, ct).ttl.map_or(0, |t| t.as_secs() / 60)
}

#[test]
fn page_beats_directory() {
    let r = rules(ALL_LEVELS);
    assert_eq!(ttl_minutes(&r, "/static/vendor/app.js", Some("application/javascript")), 6);
    assert_eq!(r.decide("/static/vendor/app.js", None).source, Source::Page("/static/vendor/app.js"));
}

#[test]
fn longer_directory_beats_shorter() {
    let r = rules(ALL_LEVELS);
    assert_eq!(ttl_minutes(&r, "/static/vendor/lib.js", None), 5);
    assert_eq!(ttl_minutes(&r, "/static/lib.js", None), 4);
    assert_eq!(r.decide("/static/vendor/x", None).source, Source::Directory("/static/vendor/"));
}

#[test]
fn directory_beats_content_type() {
    let r = rules(ALL_LEVELS);
    assert_eq!(ttl_minutes(&r, "/static/x.js", Some("application/javascript")), 4);
}

#[test]
fn content_type_beats_group() {
    let r = rules(ALL_LEVELS);
    assert_eq!(ttl_minutes(&r, "/x.js", Some("application/javascript")), 3);
    assert_eq!(r.decide("/x.js", Some("application/javascript")).source, Source::ContentType("application/javascript"));
}

#[test]
fn group_beats_default() {
    let r = rules(ALL_LEVELS);
    assert_eq!(ttl_minutes(&r, "/x.js", Some("text/javascript")), 2);
    assert_eq!(r.decide("/x.js", Some("text/javascript")).source, Source::Group("scripts"));
    assert_eq!(ttl_minutes(&r, "/x.txt", Some("text/plain")), 1);
}

#[test]
fn fields_fall_back_to_less_specific_rules() {
    let r = rules(
        r#"
[default]
cache = false
stale_if_error = "1h"

[[group]]
name = "images"
force = true
ttl = "7d"

[[directory]]
path = "/img/"
ttl = "30d"

[[page]]
path = "/img/logo.png"
force = false
"#,
    );
    let d = r.decide("/img/logo.png", Some("image/png"));
    assert_eq!(d.source, Source::Page("/img/logo.png"));
    assert!(!d.force, "the page's explicit force = false wins over the group's true");
    assert_eq!(d.ttl, Some(30 * DAY), "ttl from the directory");
    assert!(!d.cache, "cache = false inherited from the default");
    assert_eq!(d.stale_if_error, Some(HOUR));
    let d = r.decide("/img/other.png", Some("image/png"));
    assert!(d.force, "force from the group");
}

#[test]
fn shorter_directories_take_part_in_fallback() {
    let r = rules("[[directory]]\npath = \"/a/\"\nttl = \"1h\"\n[[directory]]\npath = \"/a/b/\"\nforce = true\n");
    let d = r.decide("/a/b/c", None);
    assert_eq!((d.source, d.ttl, d.force), (Source::Directory("/a/b/"), Some(HOUR), true));
}

#[test]
fn explicit_cache_true_overrides_default_false() {
    let r = rules("[default]\ncache = false\n[[directory]]\npath = \"/pub/\"\ncache = true\n");
    assert!(r.decide("/pub/x", None).cache);
    assert!(!r.decide("/priv/x", None).cache);
}

#[test]
fn many_directories_pick_the_longest() {
    let mut text = String::new();
    for i in 0..500 {
        text.push_str(&format!("[[directory]]\npath = \"/d{i}/\"\nttl = \"{i}s\"\n"));
    }
    text.push_str("[[directory]]\npath = \"/d7/sub/\"\nttl = \"1d\"\n");
    let r = rules(&text);
    assert_eq!(r.decide("/d7/sub/x", None).ttl, Some(DAY));
    assert_eq!(r.decide("/d7/x", None).ttl, Some(Duration::from_secs(7)));
    assert_eq!(r.decide("/d499/x", None).ttl, Some(Duration::from_secs(499)));
}
