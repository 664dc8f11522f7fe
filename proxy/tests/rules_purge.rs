//! Per-site rules applied by the proxy, activation, and every kind of purge.
#![allow(clippy::unwrap_used)]

mod common;
use amoe_proxy::Purge;
use amoe_proxy::cache::PurgeMode;
use common::*;
use std::sync::Arc;

fn ruled(origin: &Origin, rules: &str) -> amoe_proxy::config::SiteConfig {
    let mut s = site(&[&origin.url()]);
    s.rules = Arc::new(amoe_rules::Rules::parse(rules).unwrap());
    s
}

/// An origin that sends no freshness at all, typed by extension.
async fn bare_origin() -> Origin {
    Origin::start(|s, n| {
        let ct = if s.path.ends_with(".png") {
            "image/png"
        } else if s.path.ends_with(".css") {
            "text/css"
        } else if s.path.ends_with(".json") {
            "application/json"
        } else {
            "text/html; charset=utf-8"
        };
        let mut headers = vec![("content-type", ct)];
        if s.path.contains("cookie") {
            headers.push(("set-cookie", "session=1"));
        }
        resp(200, &headers, &format!("v{n}"))
    })
    .await
}

async fn cached(p: &Running, c: &Http, path: &str) -> bool {
    c.get(p.addr, path).await;
    c.get(p.addr, path).await.cache() == "HIT"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_rule_level_applies_and_the_most_specific_wins() {
    let origin = bare_origin().await;
    let rules = r#"
[default]
ttl = "1h"

[[group]]
name = "images"
cache = false

[[content_type]]
type = "image/png"
cache = true

[[directory]]
path = "/private/"
cache = false

[[directory]]
path = "/private/public/"
cache = true

[[page]]
path = "/private/public/secret.html"
cache = false
"#;
    let p = Running::start(config(vec![ruled(&origin, rules)])).await;
    let c = Http::default();
    assert!(cached(&p, &c, "/index.html").await, "global default TTL caches a response without freshness");
    assert!(cached(&p, &c, "/a.png").await, "content type beats its group");
    assert!(!cached(&p, &c, "/private/x.html").await, "directory beats the default");
    assert!(cached(&p, &c, "/private/public/x.html").await, "longest directory wins");
    assert!(!cached(&p, &c, "/private/public/secret.html").await, "page beats directory");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_rule_applies_without_a_more_specific_one() {
    let origin = bare_origin().await;
    let p = Running::start(config(vec![ruled(&origin, "[[group]]\nname = \"styles\"\nttl = \"10m\"\n")])).await;
    let c = Http::default();
    assert!(cached(&p, &c, "/site.css").await);
    assert!(!cached(&p, &c, "/page.html").await, "no rule, no freshness: not cached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_does_not_store_what_set_cookie_forbids_unless_forced() {
    let origin = bare_origin().await;
    let rules = "[default]\nttl = \"1h\"\n\n[[directory]]\npath = \"/forced/\"\nforce = true\n";
    let p = Running::start(config(vec![ruled(&origin, rules)])).await;
    let c = Http::default();
    assert!(!cached(&p, &c, "/cookie.html").await);
    assert!(cached(&p, &c, "/forced/cookie.html").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_ttl_replaces_the_origin_freshness() {
    let origin = Origin::start(|_, n| resp(200, &[("cache-control", "max-age=0")], &format!("v{n}"))).await;
    let p = Running::start(config(vec![ruled(&origin, "[[page]]\npath = \"/p\"\nttl = \"5m\"\n")])).await;
    let c = Http::default();
    assert!(cached(&p, &c, "/p").await);
    assert!(!cached(&p, &c, "/q").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_site_is_passed_through() {
    let origin = Origin::start(|_, n| resp(200, &[("cache-control", "max-age=60")], &format!("v{n}"))).await;
    let mut s = site(&[&origin.url()]);
    s.active = false;
    let p = Running::start(config(vec![s])).await;
    let c = Http::default();
    let a = c.get(p.addr, "/x").await;
    let b = c.get(p.addr, "/x").await;
    assert_eq!((a.cache(), b.cache(), b.text().as_str()), ("PASS", "PASS", "v2"));
    // Activated again: cached.
    p.proxy.set_sites(vec![site(&[&origin.url()])]).unwrap();
    c.get(p.addr, "/x").await;
    assert_eq!(c.get(p.addr, "/x").await.cache(), "HIT");
}

async fn tagged_origin() -> Origin {
    Origin::start(|s, n| {
        let tag = if s.path.starts_with("/news/") { "news" } else { "other" };
        let lang = s.headers.get("accept-language").and_then(|v| v.to_str().ok()).unwrap_or("-").to_string();
        resp(
            200,
            &[
                ("cache-control", "max-age=600"),
                ("vary", "accept-language"),
                ("surrogate-key", &format!("{tag} all")),
                ("cache-tag", "ct"),
            ],
            &format!("{lang}-{n}"),
        )
    })
    .await
}

async fn fill(p: &Running, c: &Http, paths: &[&str]) {
    for path in paths {
        c.get(p.addr, path).await;
        c.get_with(p.addr, path, &[("accept-language", "fr")]).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_by_url_takes_every_variant() {
    let origin = tagged_origin().await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    fill(&p, &c, &["/news/a", "/news/b"]).await;
    let n = p.proxy.purge("s", &[Purge::Url("http://www.example.test/news/a".into())], PurgeMode::Hard).unwrap();
    assert_eq!(n, 2, "both Vary variants");
    assert_eq!(c.get(p.addr, "/news/a").await.cache(), "MISS");
    assert_eq!(c.get(p.addr, "/news/b").await.cache(), "HIT");
    assert_eq!(
        p.proxy.purge("s", &[Purge::Url("/news/b".into())], PurgeMode::Hard).unwrap(),
        2,
        "a path purges on every domain"
    );
    // Tags are not shown to clients.
    assert!(c.get(p.addr, "/news/b").await.header("surrogate-key").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_by_prefix_tag_and_site() {
    let origin = tagged_origin().await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    fill(&p, &c, &["/news/a", "/news/b", "/newsletter", "/about"]).await;
    assert_eq!(p.proxy.purge("s", &[Purge::Prefix("/news/".into())], PurgeMode::Hard).unwrap(), 4);
    assert_eq!(c.get(p.addr, "/newsletter").await.cache(), "HIT", "a directory prefix is not a string prefix");
    fill(&p, &c, &["/news/a"]).await;
    assert_eq!(p.proxy.purge("s", &[Purge::Tag("news".into())], PurgeMode::Hard).unwrap(), 2);
    assert_eq!(p.proxy.purge("s", &[Purge::Tag("ct".into())], PurgeMode::Hard).unwrap(), 4, "Cache-Tag header");
    fill(&p, &c, &["/a", "/b"]).await;
    assert_eq!(p.proxy.purge("s", &[Purge::All], PurgeMode::Hard).unwrap(), 4);
    assert_eq!(p.proxy.cache.usage().0, 0);
    assert!(p.proxy.purge("nosuch", &[Purge::All], PurgeMode::Hard).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soft_purge_keeps_stale_content_for_errors() {
    let origin = Origin::start(|_, n| {
        if n == 1 { resp(200, &[("cache-control", "max-age=600")], "old") } else { resp(503, &[], "down") }
    })
    .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    c.get(p.addr, "/s").await;
    assert_eq!(p.proxy.purge("s", &[Purge::Url("/s".into())], PurgeMode::Soft).unwrap(), 1);
    let r = c.get(p.addr, "/s").await;
    assert_eq!(
        (r.cache(), r.text().as_str()),
        ("STALE", "old"),
        "marked stale: revalidated, then served stale on error"
    );
    assert_eq!(origin.hits(), 2);
    assert_eq!(p.proxy.purge("s", &[Purge::Url("/s".into())], PurgeMode::Hard).unwrap(), 1);
    assert_eq!(c.get(p.addr, "/s").await.status.as_u16(), 503);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_keys_match_the_catch_all_site() {
    let origin = Origin::start(|_, n| resp(200, &[("cache-control", "max-age=600")], &format!("v{n}"))).await;
    let mut s = site(&[&origin.url()]);
    s.domains = vec!["*".into(), "www.example.test".into()];
    let p = Running::start(config(vec![s])).await;
    let c = Http::default();
    c.get(p.addr, "/a/1").await;
    c.get(p.addr, "/a/2").await;
    assert_eq!(p.proxy.purge("s", &[Purge::Url("https://www.example.test/a/1".into())], PurgeMode::Hard).unwrap(), 1);
    assert_eq!(p.proxy.purge("s", &[Purge::Prefix("/a/".into())], PurgeMode::Hard).unwrap(), 1);
    assert_eq!(p.proxy.cache.usage().0, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purge_during_a_fetch_is_not_undone_by_it() {
    let origin = Origin::start(|_, n| resp(200, &[("cache-control", "max-age=600")], &format!("v{n}"))).await;
    *origin.delay.lock().unwrap() = std::time::Duration::from_millis(300);
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    let slow = {
        let (c, addr) = (c.clone(), p.addr);
        tokio::spawn(async move { c.get(addr, "/doc").await })
    };
    eventually("the fetch reached the origin", || origin.hits() == 1).await;
    p.proxy.purge("s", &[Purge::All], PurgeMode::Hard).unwrap();
    assert_eq!(slow.await.unwrap().text(), "v1");
    *origin.delay.lock().unwrap() = std::time::Duration::ZERO;
    let after = c.get(p.addr, "/doc").await;
    assert_eq!(after.text(), "v2", "the flushed content is not served from the fetch that raced the purge");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replaced_object_leaves_its_old_tags() {
    // Stale on arrival, so every request stores a new copy; the tag changes between copies.
    let origin = Origin::start(|_, n| {
        let tag = if n == 1 { "old" } else { "new" };
        resp(200, &[("cache-control", "max-age=1"), ("age", "1"), ("surrogate-key", tag)], &format!("v{n}"))
    })
    .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    c.get(p.addr, "/t").await;
    c.get(p.addr, "/t").await;
    eventually("two copies fetched", || origin.hits() == 2).await;
    eventually("the second copy is stored", || {
        p.proxy
            .cache
            .lookup(
                "s",
                &amoe_proxy::cache::Key::new(amoe_proxy::cache::key::Scheme::Http, "www.example.test", "/t"),
                &http::HeaderMap::new(),
            )
            .is_some_and(|o| o.tags == ["new"])
    })
    .await;
    assert_eq!(
        p.proxy.purge("s", &[Purge::Tag("old".into())], PurgeMode::Hard).unwrap(),
        0,
        "the old tag no longer names it"
    );
    assert_eq!(p.proxy.purge("s", &[Purge::Tag("new".into())], PurgeMode::Hard).unwrap(), 1);
}
