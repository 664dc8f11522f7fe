//! RFC 9111 behaviours checked against origins written for them (issue 12, item 10): headers
//! updated from a 304, partial content stored, reused and completed, heuristic freshness for
//! every heuristically cacheable status, `Age` parsing, `Vary` normalisation.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use std::time::{Duration, SystemTime};

/// §3.2 / §4.3.4: a 304 replaces the stored headers (ETag included) for this and later answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_304_updates_the_stored_headers() {
    let origin = Origin::start(|s, n| {
        if let Some(inm) = s.headers.get("if-none-match") {
            // Each revalidation hands out a new tag; the next one must use it.
            let expect = if n == 2 { "\"a\"" } else { "\"b\"" };
            assert_eq!(inm.to_str().unwrap(), expect, "revalidation {n} used the stored tag");
            return resp(
                304,
                &[
                    ("etag", "\"b\""),
                    ("x-version", &format!("{n}")),
                    ("cache-control", "max-age=1"),
                    ("content-type", "text/x-new"),
                ],
                "",
            );
        }
        resp(
            200,
            &[("etag", "\"a\""), ("x-version", "1"), ("cache-control", "max-age=0"), ("content-type", "text/plain")],
            "body",
        )
    })
    .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    assert_eq!(c.get(p.addr, "/r").await.header("x-version"), Some("1"));
    let second = c.get(p.addr, "/r").await;
    assert_eq!((second.status.as_u16(), second.text().as_str()), (200, "body"));
    assert_eq!(second.header("x-version"), Some("2"));
    assert_eq!(second.header("etag"), Some("\"b\""));
    assert_eq!(second.header("content-type"), Some("text/x-new"));
    let third = c.get(p.addr, "/r").await;
    assert_eq!((third.cache(), third.header("x-version"), third.header("etag")), ("HIT", Some("2"), Some("\"b\"")));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let fourth = c.get(p.addr, "/r").await;
    assert_eq!((fourth.text().as_str(), fourth.header("x-version")), ("body", Some("3")));
}

/// §3.3, §3.4: a 206 is stored and answers the same range; a second part that touches it
/// completes the response, which then answers a request without `Range`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_content_is_stored_reused_and_completed() {
    let origin = Origin::start(|_, n| {
        let (range, body) = if n == 1 { ("bytes 4-9/10", "456789") } else { ("bytes 0-4/10", "01234") };
        resp(206, &[("content-range", range), ("etag", "\"whole\""), ("cache-control", "max-age=3600")], body)
    })
    .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    let a = c.get_with(p.addr, "/f", &[("range", "bytes=-6")]).await;
    assert_eq!(
        (a.status.as_u16(), a.text().as_str(), a.header("content-range")),
        (206, "456789", Some("bytes 4-9/10"))
    );
    let b = c.get_with(p.addr, "/f", &[("range", "bytes=5-7")]).await;
    assert_eq!((b.status.as_u16(), b.cache(), b.text().as_str()), (206, "HIT", "567"));
    assert_eq!(b.header("content-range"), Some("bytes 5-7/10"));
    assert_eq!(origin.hits(), 1);
    // A range outside the stored part goes to the origin, whose part completes the object.
    let c2 = c.get_with(p.addr, "/f", &[("range", "bytes=0-4")]).await;
    assert_eq!((c2.status.as_u16(), c2.text().as_str()), (206, "01234"));
    let whole = c.get(p.addr, "/f").await;
    assert_eq!((whole.status.as_u16(), whole.cache(), whole.text().as_str()), (200, "HIT", "0123456789"));
    assert_eq!(origin.hits(), 2);
}

/// RFC 9110 §15.1 lists the heuristically cacheable statuses; each is stored with a
/// `Last-Modified` heuristic, a 302 is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heuristic_freshness_for_every_cacheable_status() {
    let lm = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(100_000));
    let origin = Origin::start(move |s, _| {
        let status: u16 = s.path.trim_start_matches('/').parse().unwrap();
        resp(status, &[("last-modified", &lm), ("date", &httpdate::fmt_http_date(SystemTime::now()))], "")
    })
    .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    for status in [200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501] {
        let path = format!("/{status}");
        assert_eq!(c.get(p.addr, &path).await.status.as_u16(), status);
        assert_eq!(c.get(p.addr, &path).await.cache(), "HIT", "{status}");
    }
    c.get(p.addr, "/302").await;
    assert_ne!(c.get(p.addr, "/302").await.cache(), "HIT");
}

/// §5.1: the first member of `Age` counts; invalid values are ignored; clients get one `Age`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn age_values_are_parsed_as_the_rfc_says() {
    let origin = Origin::start(|s, _| {
        let mut r = resp(200, &[("cache-control", "max-age=3600")], "x");
        let h = r.headers_mut();
        let ages: &[&str] = match s.path.as_str() {
            "/dup-young" => &["0", "7200"],
            "/dup-old" => &["7200", "0"],
            "/list-old" => &["7200, 0"],
            "/negative" => &["-7200"],
            "/float" => &["7200.0"],
            "/param" => &["7200;x=1"],
            _ => &["junk"],
        };
        for a in ages {
            h.append("age", a.parse().unwrap());
        }
        r
    })
    .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    for (path, fresh) in [
        ("/dup-young", true),
        ("/dup-old", false),
        ("/list-old", false),
        ("/negative", true),
        ("/float", true),
        ("/param", true),
        ("/junk", true),
    ] {
        let first = c.get(p.addr, path).await;
        assert_eq!(first.headers.get_all("age").iter().count(), 1, "{path}: {:?}", first.headers);
        let again = c.get(p.addr, path).await;
        assert_eq!(again.cache() == "HIT", fresh, "{path}");
        if fresh {
            let age: u64 = again.header("age").unwrap().parse().unwrap();
            assert!(age < 10, "{path}: age {age}");
        }
    }
}

/// §4.1: `Accept-Language` values differing only in case, spacing or order select one variant.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vary_normalises_negotiation_headers() {
    let origin = Origin::start(|s, n| {
        let lang = s.headers.get("accept-language").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        resp(200, &[("cache-control", "max-age=3600"), ("vary", "Accept-Language")], &format!("{lang} v{n}"))
    })
    .await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    c.get_with(p.addr, "/v", &[("accept-language", "en-US, fr;q=0.5")]).await;
    for same in ["en-us,fr;q=0.5", "fr;q=0.5, en-US", "EN-US ,  FR; q=0.5"] {
        assert_eq!(c.get_with(p.addr, "/v", &[("accept-language", same)]).await.cache(), "HIT", "{same}");
    }
    assert_eq!(c.get_with(p.addr, "/v", &[("accept-language", "de")]).await.cache(), "MISS");
}
