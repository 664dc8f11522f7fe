//! RFC 9111 behaviour of the cache against real origin servers: freshness, age, heuristics,
//! validation, Vary, what is never stored, invalidation, ranges, coalescing, stale content.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use std::time::Duration;

fn counting(cc: &'static str) -> impl Fn(&Seen, usize) -> http::Response<http_body_util::Full<bytes::Bytes>> {
    move |_, n| resp(200, &[("cache-control", cc)], &format!("v{n}"))
}

async fn two_gets(origin_cc: &'static str) -> (Reply, Reply, usize) {
    let origin = Origin::start(counting(origin_cc)).await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    let a = c.get(p.addr, "/r").await;
    let b = c.get(p.addr, "/r").await;
    (a, b, origin.hits())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_age_makes_a_hit_with_an_age_header() {
    let (a, b, hits) = two_gets("max-age=60").await;
    assert_eq!((a.cache(), b.cache(), hits), ("MISS", "HIT", 1));
    assert_eq!(b.text(), "v1");
    assert_eq!(b.header("age"), Some("0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s_maxage_wins_over_max_age() {
    // max-age=0 alone would not be reused; s-maxage applies to shared caches.
    let (_, b, hits) = two_gets("max-age=0, s-maxage=60").await;
    assert_eq!((b.cache(), hits), ("HIT", 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_age_at_arrival_counts() {
    // Age equal to max-age: already stale when it arrives, so the next request goes to the origin.
    let origin =
        Origin::start(|_, n| resp(200, &[("cache-control", "max-age=100"), ("age", "100")], &format!("v{n}"))).await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    c.get(p.addr, "/r").await;
    let b = c.get(p.addr, "/r").await;
    assert_eq!((b.text().as_str(), origin.hits()), ("v2", 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expires_gives_freshness() {
    let origin = Origin::start(|_, n| {
        let now = std::time::SystemTime::now();
        let date = httpdate::fmt_http_date(now);
        let exp = httpdate::fmt_http_date(now + Duration::from_secs(120));
        resp(200, &[("date", &date), ("expires", &exp)], &format!("v{n}"))
    })
    .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    c.get(p.addr, "/e").await;
    assert_eq!(c.get(p.addr, "/e").await.cache(), "HIT");
    assert_eq!(origin.hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heuristic_freshness_only_with_last_modified() {
    let lm = httpdate::fmt_http_date(std::time::SystemTime::now() - Duration::from_secs(86_400));
    let origin = Origin::start(move |s, n| {
        if s.path == "/lm" {
            resp(200, &[("last-modified", &lm)], &format!("v{n}"))
        } else {
            resp(200, &[], &format!("v{n}"))
        }
    })
    .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    c.get(p.addr, "/lm").await;
    assert_eq!(c.get(p.addr, "/lm").await.cache(), "HIT");
    // No freshness information and no rule: never reused, no default TTL.
    assert_eq!(c.get(p.addr, "/plain").await.cache(), "PASS");
    assert_eq!(c.get(p.addr, "/plain").await.cache(), "PASS");
    assert_eq!(origin.hits(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_stored_no_store_private_set_cookie() {
    for cc in ["no-store, max-age=60", "private, max-age=60"] {
        let (_, b, hits) = two_gets(cc).await;
        assert_eq!((b.cache(), hits), ("PASS", 2), "{cc}");
    }
    let origin =
        Origin::start(|_, n| resp(200, &[("cache-control", "max-age=60"), ("set-cookie", "id=1")], &format!("v{n}")))
            .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    c.get(p.addr, "/c").await;
    c.get(p.addr, "/c").await;
    assert_eq!(origin.hits(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_requests_are_not_stored_unless_public() {
    let origin = Origin::start(|s, n| {
        let cc = if s.path == "/pub" { "public, max-age=60" } else { "max-age=60" };
        resp(200, &[("cache-control", cc)], &format!("v{n}"))
    })
    .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    let auth = [("authorization", "Bearer t")];
    c.get_with(p.addr, "/priv", &auth).await;
    c.get_with(p.addr, "/priv", &auth).await;
    assert_eq!(origin.hits(), 2);
    c.get_with(p.addr, "/pub", &auth).await;
    assert_eq!(c.get_with(p.addr, "/pub", &auth).await.cache(), "HIT");
    assert_eq!(origin.hits(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_with_etag_and_304_updates_stored_headers() {
    let origin = Origin::start(|s, n| {
        if s.headers.get("if-none-match").is_some_and(|v| v == "\"e1\"") {
            resp(304, &[("etag", "\"e1\""), ("cache-control", "max-age=0"), ("x-version", &format!("{n}"))], "")
        } else {
            resp(200, &[("etag", "\"e1\""), ("cache-control", "max-age=0"), ("x-version", "1")], "body-1")
        }
    })
    .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    assert_eq!(c.get(p.addr, "/v").await.text(), "body-1");
    let b = c.get(p.addr, "/v").await;
    assert_eq!(origin.last().headers.get("if-none-match").unwrap(), "\"e1\"");
    assert_eq!(b.status, 200);
    assert_eq!(b.text(), "body-1", "the stored body is served after a 304");
    assert_eq!(b.header("x-version"), Some("2"), "the 304 updated the stored headers");
    assert_eq!(origin.hits(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_with_last_modified() {
    let lm = "Tue, 01 Sep 2026 10:00:00 GMT";
    let origin = Origin::start(move |s, _| {
        if s.headers.get("if-modified-since").is_some_and(|v| v == lm) {
            resp(304, &[("cache-control", "no-cache")], "")
        } else {
            resp(200, &[("last-modified", lm), ("cache-control", "no-cache")], "lm-body")
        }
    })
    .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    c.get(p.addr, "/m").await;
    let b = c.get(p.addr, "/m").await;
    assert_eq!(b.text(), "lm-body");
    assert_eq!(origin.last().headers.get("if-modified-since").unwrap(), lm);
    // no-cache: revalidated every time, never served without asking.
    c.get(p.addr, "/m").await;
    assert_eq!(origin.hits(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_conditional_requests_get_304_from_cache() {
    let origin = Origin::start(|_, _| resp(200, &[("etag", "\"x\""), ("cache-control", "max-age=60")], "data")).await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    c.get(p.addr, "/c").await;
    let r = c.get_with(p.addr, "/c", &[("if-none-match", "\"x\"")]).await;
    assert_eq!((r.status.as_u16(), r.body.len()), (304, 0));
    assert_eq!(origin.hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vary_keeps_one_variant_per_header_value() {
    let origin = Origin::start(|s, _| {
        let lang = s.headers.get("accept-language").and_then(|v| v.to_str().ok()).unwrap_or("none").to_string();
        resp(200, &[("cache-control", "max-age=60"), ("vary", "Accept-Language")], &lang)
    })
    .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    assert_eq!(c.get_with(p.addr, "/v", &[("accept-language", "fr")]).await.text(), "fr");
    assert_eq!(c.get_with(p.addr, "/v", &[("accept-language", "en")]).await.text(), "en");
    let fr = c.get_with(p.addr, "/v", &[("accept-language", "fr")]).await;
    let en = c.get_with(p.addr, "/v", &[("accept-language", "en")]).await;
    assert_eq!((fr.text().as_str(), fr.cache(), en.text().as_str(), en.cache()), ("fr", "HIT", "en", "HIT"));
    assert_eq!(c.get(p.addr, "/v").await.text(), "none");
    assert_eq!(origin.hits(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_successful_unsafe_method_invalidates_the_url() {
    let origin = Origin::start(|s, n| {
        if s.method == "POST" {
            resp(201, &[("location", "/other")], "")
        } else {
            resp(200, &[("cache-control", "max-age=60")], &format!("v{n}"))
        }
    })
    .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    c.get(p.addr, "/doc").await;
    c.get(p.addr, "/other").await;
    assert_eq!(c.get(p.addr, "/doc").await.cache(), "HIT");
    let post = c.send(p.addr, "POST", "/doc", &[("content-type", "text/plain")], "new").await;
    assert_eq!((post.status.as_u16(), post.cache()), (201, "PASS"));
    assert_eq!(c.get(p.addr, "/doc").await.cache(), "MISS");
    assert_eq!(c.get(p.addr, "/other").await.cache(), "MISS", "Location is invalidated too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ranges_are_answered_from_the_cached_full_response() {
    let body: String = (0..1000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    let b2 = body.clone();
    let origin =
        Origin::start(move |_, _| resp(200, &[("cache-control", "max-age=60"), ("etag", "\"r1\"")], &b2)).await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    c.get(p.addr, "/big").await;
    let r = c.get_with(p.addr, "/big", &[("range", "bytes=10-19")]).await;
    assert_eq!(r.status.as_u16(), 206);
    assert_eq!(r.header("content-range"), Some("bytes 10-19/1000"));
    assert_eq!(r.text(), &body[10..20]);
    let tail = c.get_with(p.addr, "/big", &[("range", "bytes=-5")]).await;
    assert_eq!(tail.text(), &body[995..]);
    let bad = c.get_with(p.addr, "/big", &[("range", "bytes=5000-")]).await;
    assert_eq!((bad.status.as_u16(), bad.header("content-range")), (416, Some("bytes */1000")));
    // If-Range with another validator: the whole response.
    let full = c.get_with(p.addr, "/big", &[("range", "bytes=0-1"), ("if-range", "\"old\"")]).await;
    assert_eq!((full.status.as_u16(), full.body.len()), (200, 1000));
    assert_eq!(origin.hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_misses_make_one_origin_request() {
    let origin = Origin::start(counting("max-age=60")).await;
    *origin.delay.lock().unwrap() = Duration::from_millis(300);
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let c = c.clone();
            let addr = p.addr;
            tokio::spawn(async move { c.get(addr, "/hot").await })
        })
        .collect();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!((r.status.as_u16(), r.text().as_str()), (200, "v1"));
    }
    assert_eq!(origin.hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coalescing_respects_vary() {
    let origin = Origin::start(|s, _| {
        let v = s.headers.get("accept-language").and_then(|v| v.to_str().ok()).unwrap_or("-").to_string();
        resp(200, &[("cache-control", "max-age=60"), ("vary", "accept-language")], &v)
    })
    .await;
    *origin.delay.lock().unwrap() = Duration::from_millis(200);
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let c = c.clone();
            let addr = p.addr;
            let lang = if i % 2 == 0 { "fr" } else { "de" };
            tokio::spawn(async move { (lang, c.get_with(addr, "/v", &[("accept-language", lang)]).await) })
        })
        .collect();
    for t in tasks {
        let (lang, r) = t.await.unwrap();
        assert_eq!(r.text(), lang, "each client gets its own variant");
    }
    assert!(origin.hits() <= 4, "one fetch per variant, not per client: {}", origin.hits());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_while_revalidate_serves_stale_and_refreshes_in_background() {
    let origin = Origin::start(|_, n| {
        resp(200, &[("cache-control", "max-age=1, stale-while-revalidate=60"), ("age", "1")], &format!("v{n}"))
    })
    .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    assert_eq!(c.get(p.addr, "/s").await.text(), "v1");
    let stale = c.get(p.addr, "/s").await;
    assert_eq!((stale.cache(), stale.text().as_str()), ("STALE", "v1"));
    eventually("the background revalidation reached the origin", || origin.hits() == 2).await;
    eventually("the refreshed copy is stored", || p.proxy.cache.usage().0 == 1).await;
    let mut latest = String::new();
    for _ in 0..50 {
        latest = c.get(p.addr, "/s").await.text();
        if latest == "v2" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(latest == "v2" || latest == "v3", "served {latest}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_if_error_with_the_origin_stopped() {
    let mut origin = Origin::start(|_, n| {
        resp(200, &[("cache-control", "max-age=1, stale-if-error=3600"), ("age", "1")], &format!("v{n}"))
    })
    .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    c.get(p.addr, "/e").await;
    origin.stop().await;
    let r = Http::default().get(p.addr, "/e").await;
    assert_eq!((r.status.as_u16(), r.cache(), r.text().as_str()), (200, "STALE", "v1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn must_revalidate_forbids_stale_on_error() {
    let mut origin =
        Origin::start(|_, _| resp(200, &[("cache-control", "max-age=1, must-revalidate"), ("age", "1")], "x")).await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    Http::default().get(p.addr, "/m").await;
    origin.stop().await;
    let r = Http::default().get(p.addr, "/m").await;
    assert_eq!(r.status.as_u16(), 502);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_content_within_the_site_limit_when_every_origin_fails() {
    // No stale-if-error from the origin: the site's stale limit (default 24 h) applies; a 503
    // from the origin counts as a failure too.
    let origin = Origin::start(|_, n| {
        if n == 1 { resp(200, &[("cache-control", "max-age=1"), ("age", "1")], "good") } else { resp(503, &[], "down") }
    })
    .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    c.get(p.addr, "/l").await;
    let r = c.get(p.addr, "/l").await;
    assert_eq!((r.status.as_u16(), r.cache(), r.text().as_str()), (200, "STALE", "good"));
    let mut short = site(&[&origin.url()]);
    short.stale_limit = Duration::ZERO;
    p.proxy.set_sites(vec![short]).unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = c.get(p.addr, "/l").await;
    assert_eq!(r.status.as_u16(), 503, "beyond the limit the origin's answer is passed on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_is_answered_from_the_cache() {
    let origin = Origin::start(counting("max-age=60")).await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    c.get(p.addr, "/h").await;
    let r = c.send(p.addr, "HEAD", "/h", &[], "").await;
    assert_eq!((r.status.as_u16(), r.cache(), r.body.len()), (200, "HIT", 0));
    assert_eq!(r.header("content-length"), Some("2"));
    assert_eq!(origin.hits(), 1);
}
