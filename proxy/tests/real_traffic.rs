//! The proxy under the traffic a public site sends (issue 12, items 1–9): hits that survive
//! concurrent writes and purges of other URLs, no framing or unkeyed headers towards the
//! origin, no errors stored for a rule TTL, cookies never replayed, normalised paths, keys on
//! `Host` in quick mode, purges that stop at a directory.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/extra.rs"]
mod extra;

use amoe_proxy::Purge;
use amoe_proxy::cache::PurgeMode;
use amoe_proxy::config::SiteConfig;
use common::*;
use extra::{get_close, raw_exchange};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn ruled(origin: &Origin, rules: &str) -> SiteConfig {
    let mut s = site(&[&origin.url()]);
    s.rules = Arc::new(amoe_rules::Rules::parse(rules).unwrap());
    s
}

/// Item 1: while a client POSTs to `/form`, fills of other pages are stored fresh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_posts_leave_other_fills_alone() {
    let origin = Origin::start(|s, n| {
        if s.method == "POST" {
            resp(200, &[], "posted")
        } else {
            resp(200, &[("cache-control", "max-age=3600")], &format!("{} v{n}", s.path))
        }
    })
    .await;
    *origin.delay.lock().unwrap() = Duration::from_millis(50);
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let stop = Arc::new(AtomicBool::new(false));
    let mut posters = Vec::new();
    for _ in 0..2 {
        let (stop, addr) = (stop.clone(), p.addr);
        posters.push(tokio::spawn(async move {
            let c = Http::default();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                assert_eq!(c.send(addr, "POST", "/form", &[], "a=1").await.status, 200);
                n += 1;
            }
            n
        }));
    }
    let c = Http::default();
    let mut hits = 0;
    for i in 1..=30 {
        let path = format!("/page{i}");
        assert_eq!(c.get(p.addr, &path).await.status, 200);
        if c.get(p.addr, &path).await.cache() == "HIT" {
            hits += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let mut posts = 0;
    for t in posters {
        posts += t.await.unwrap();
    }
    assert!(posts >= 30, "the POST loop ran alongside ({posts} POSTs)");
    assert_eq!(hits, 30, "second requests that were hits while POSTs went on");
    // The POSTed URL itself is invalidated (RFC 9111 §4.4).
    assert_eq!(c.get(p.addr, "/form").await.cache(), "MISS");
}

/// Item 1, the race: a purge of a URL while its fill streams in stores it stale; a purge of
/// another URL does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purge_during_a_fill_covers_that_key_only() {
    let origin =
        Origin::start(|s, n| resp(200, &[("cache-control", "max-age=3600")], &format!("{} v{n}", s.path))).await;
    *origin.delay.lock().unwrap() = Duration::from_millis(300);
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    for (n, (purged, expect)) in [("/slow", "MISS"), ("/other", "HIT")].into_iter().enumerate() {
        let target = format!("/fill-{}", purged.trim_start_matches('/'));
        let (c2, addr, t2) = (c.clone(), p.addr, target.clone());
        let fill = tokio::spawn(async move { c2.get(addr, &t2).await });
        // The fetch has started (the origin holds it 300 ms): purge now.
        eventually("the fill reached the origin", || origin.hits() == n + 1).await;
        let what = if purged == "/slow" { target.clone() } else { purged.to_string() };
        p.proxy.purge("s", &[Purge::Url(what)], PurgeMode::Hard).unwrap();
        assert_eq!(fill.await.unwrap().status, 200);
        assert_eq!(
            c.get(p.addr, &target).await.cache(),
            expect,
            "after a purge of {purged} during the fill of {target}"
        );
    }
}

/// A tiny origin on a raw socket that records each request head and answers a cacheable 200.
async fn raw_origin() -> (std::net::SocketAddr, Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let heads = Arc::new(std::sync::Mutex::new(Vec::new()));
    let h2 = heads.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut tcp, _)) = listener.accept().await else { return };
            let heads = h2.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                        buf.drain(..end + 4);
                        heads.lock().unwrap().push(head);
                        let answer = "HTTP/1.1 200 OK\r\ncache-control: max-age=60\r\ncontent-length: 2\r\n\r\nok";
                        if tcp.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                    match tcp.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
            });
        }
    });
    (addr, heads)
}

/// Item 2: a GET with a declared body reaches the origin without `Content-Length` or
/// `Transfer-Encoding`, so the origin cannot read the next request as its body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_less_origin_requests_carry_no_framing() {
    let (origin, heads) = raw_origin().await;
    let p = Running::start(config(vec![site(&[&format!("http://{origin}")])])).await;
    let req = "GET /x HTTP/1.1\r\nHost: www.example.test\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
    let r = raw_exchange(p.addr, req.as_bytes()).await.expect("an answer");
    assert_eq!(r.status, 200);
    let req = "GET /y HTTP/1.1\r\nHost: www.example.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
    let r = raw_exchange(p.addr, req.as_bytes()).await.expect("an answer");
    assert_eq!(r.status, 200);
    let heads = heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 2, "{heads:?}");
    for h in &heads {
        assert!(!h.contains("content-length") && !h.contains("transfer-encoding"), "framing forwarded: {h}");
    }
}

/// Item 3: headers that some origins take as the host or URL never reach the origin; the
/// `X-Forwarded-Host` it sees is the request's own host.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unkeyed_headers_cannot_poison_the_cache() {
    let origin = Origin::start(|s, _| {
        let reflect = |n: &str| s.headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("-").to_string();
        let body = format!(
            "xfh={} orig={} rewrite={} scheme={} port={}",
            reflect("x-forwarded-host"),
            reflect("x-original-url"),
            reflect("x-rewrite-url"),
            reflect("x-forwarded-scheme"),
            reflect("x-forwarded-port")
        );
        resp(200, &[("cache-control", "max-age=3600")], &body)
    })
    .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    let attack = [
        ("x-forwarded-host", "evil.test"),
        ("x-original-url", "/admin"),
        ("x-rewrite-url", "/admin"),
        ("x-forwarded-scheme", "nothttps"),
        ("x-forwarded-port", "666"),
    ];
    let first = c.get_with(p.addr, "/home", &attack).await;
    assert_eq!(first.text(), "xfh=www.example.test orig=- rewrite=- scheme=- port=-");
    let visitor = c.get(p.addr, "/home").await;
    assert_eq!(visitor.cache(), "HIT");
    assert!(!visitor.text().contains("evil") && !visitor.text().contains("admin"), "{}", visitor.text());
    for (name, _) in attack.iter().skip(1) {
        assert!(!origin.last().headers.contains_key(*name), "{name} reached the origin");
    }
}

/// Item 4: a rule TTL stores pages, not errors or temporary redirects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_ttl_does_not_store_errors_or_redirects() {
    let origin = Origin::start(|s, n| {
        let status = s.path.rsplit_once("/s").and_then(|(_, n)| n.parse::<u16>().ok()).unwrap_or(200);
        let mut headers = vec![];
        if status == 302 {
            headers.push(("location", "/elsewhere"));
        }
        resp(status, &headers, &format!("v{n}"))
    })
    .await;
    let p = Running::start(config(vec![ruled(&origin, "[default]\nttl = \"7d\"\n")])).await;
    let c = Http::default();
    for status in [400, 403, 500, 502, 302] {
        let path = format!("/s{status}");
        let a = c.get(p.addr, &path).await;
        assert_eq!(a.status.as_u16(), status);
        let b = c.get(p.addr, &path).await;
        assert_ne!(b.cache(), "HIT", "{status} stored under a rule TTL");
    }
    // Pages and heuristically cacheable statuses are.
    for path in ["/s200", "/s404", "/s301"] {
        c.get(p.addr, path).await;
        assert_eq!(c.get(p.addr, path).await.cache(), "HIT", "{path}");
    }
    // A rule may list the statuses its TTL covers (short negative caching of errors).
    let p2 = Running::start(config(vec![ruled(
        &origin,
        "[default]\nttl = \"7d\"\n[[directory]]\npath = \"/api/\"\nttl = \"30s\"\nstatuses = [200, 500]\n",
    )]))
    .await;
    c.get(p2.addr, "/api/s500").await;
    assert_eq!(c.get(p2.addr, "/api/s500").await.cache(), "HIT");
    c.get(p2.addr, "/api/s404").await;
    assert_ne!(c.get(p2.addr, "/api/s404").await.cache(), "HIT", "404 is not in the listed statuses");
}

/// Item 5: a 304 with `Set-Cookie` refreshes the stored copy and answers 200 (the cookie for
/// that client only); `force` never replays one visitor's cookie to the next.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_are_never_stored() {
    let origin = Origin::start(|s, n| {
        if s.path == "/forced" {
            return resp(200, &[("set-cookie", &format!("session=visitor{n}"))], "page");
        }
        if s.headers.contains_key("if-none-match") {
            return resp(304, &[("etag", "\"v1\""), ("set-cookie", "lb=node2"), ("cache-control", "max-age=0")], "");
        }
        resp(200, &[("etag", "\"v1\""), ("cache-control", "max-age=0")], "the body")
    })
    .await;
    let p = Running::start(config(vec![ruled(&origin, "[[page]]\npath = \"/forced\"\nforce = true\nttl = \"1h\"\n")]))
        .await;
    let c = Http::default();
    assert_eq!(c.get(p.addr, "/lb").await.text(), "the body");
    for _ in 0..3 {
        let r = c.get(p.addr, "/lb").await;
        assert_eq!((r.status.as_u16(), r.text().as_str()), (200, "the body"));
        assert_eq!(r.header("set-cookie"), Some("lb=node2"), "the 304's cookie for the client that caused it");
    }
    let first = c.get(p.addr, "/forced").await;
    assert!(first.header("set-cookie").is_some_and(|v| v.starts_with("session=visitor")), "{first:?}");
    let second = c.get(p.addr, "/forced").await;
    assert_eq!(second.cache(), "HIT");
    assert_eq!(second.header("set-cookie"), None, "one visitor's cookie replayed to another");
}

/// Item 6: encoded, doubled and dotted paths meet the deny rules as their normal form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn normalised_paths_hit_the_deny_rules() {
    let origin = Origin::start(|_, _| resp(200, &[], "admin page")).await;
    let p = Running::start(config(vec![ruled(&origin, "[[deny]]\npath = \"^/wp-admin\"\n")])).await;
    for path in ["/wp-admin", "/%77p-admin", "//wp-admin", "/x/../wp-admin", "/%2e/wp-admin", "/./wp-admin/"] {
        let r = raw_exchange(p.addr, &get_close(path, "www.example.test")).await.expect("an answer");
        assert_eq!(r.status, 403, "{path}");
    }
    assert_eq!(origin.hits(), 0);
    // What the origin is asked for is the normal form too, and one object serves both spellings.
    let c = Http::default();
    let a = raw_exchange(p.addr, &get_close("/a//b/%7Ec", "www.example.test")).await.unwrap();
    assert_eq!(a.status, 200);
    assert_eq!(origin.last().path, "/a/b/~c");
    assert!(c.get(p.addr, "/a/b/~c").await.status.is_success());
}

/// Item 7: quick mode (the catch-all site) keys on `Host` as it forwards it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catch_all_site_keys_on_host() {
    let origin = Origin::start(|s, _| {
        let host = s.headers.get("host").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        resp(200, &[("cache-control", "max-age=3600")], &format!("for {host}"))
    })
    .await;
    let p = Running::start(config(vec![SiteConfig::new("default", &["*"], &[&origin.url()])])).await;
    let a = raw_exchange(p.addr, &get_close("/", "a.test")).await.unwrap();
    let b = raw_exchange(p.addr, &get_close("/", "b.test")).await.unwrap();
    assert_eq!((a.text().as_str(), b.text().as_str()), ("for a.test", "for b.test"));
    let a2 = raw_exchange(p.addr, &get_close("/", "A.test:80")).await.unwrap();
    assert_eq!((a2.text().as_str(), a2.header("x-cache")), ("for a.test", Some("HIT")));
    // A path purge covers every host of the catch-all site.
    assert_eq!(p.proxy.purge("default", &[Purge::Url("/".into())], PurgeMode::Hard).unwrap(), 2);
}

/// Item 9: a directory purge stops at a segment; purges are checked before any applies; URL
/// purges normalise like requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purges_match_what_requests_key() {
    let origin = Origin::start(|_, n| resp(200, &[("cache-control", "max-age=3600")], &format!("v{n}"))).await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    for path in ["/news", "/news?page=2", "/news/a", "/newsletter", "/a/b"] {
        c.get(p.addr, path).await;
    }
    assert_eq!(p.proxy.purge("s", &[Purge::Prefix("/news".into())], PurgeMode::Hard).unwrap(), 3);
    assert_eq!(c.get(p.addr, "/newsletter").await.cache(), "HIT");
    for bad in [Purge::Prefix(String::new()), Purge::Prefix("news".into()), Purge::Url("https://other.test/a".into())] {
        let e = p.proxy.purge("s", &[Purge::Url("/a/b".into()), bad.clone()], PurgeMode::Hard);
        assert!(e.is_err(), "{bad:?} accepted");
    }
    assert_eq!(c.get(p.addr, "/a/b").await.cache(), "HIT", "a refused batch purges nothing");
    let n = p.proxy.purge("s", &[Purge::Url("http://WWW.Example.test:80/a//b".into())], PurgeMode::Hard).unwrap();
    assert_eq!(n, 1);
    assert_eq!(c.get(p.addr, "/a/b").await.cache(), "MISS");
}
