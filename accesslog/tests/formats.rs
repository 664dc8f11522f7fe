#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
//! Byte-exact CLF and W3C lines, escaping, parsing back, site names.

mod common;

use std::time::{Duration, SystemTime};

use amoe_accesslog::{CacheStatus, clf_line, parse_clf_line, site_dir_name, w3c_header, w3c_line};
use common::{at, paris, rec};

#[test]
fn clf_winter_line_is_exact() {
    let r = rec("mairie", paris(2024, 1, 15, 10, 30, 45, 250));
    assert_eq!(clf_line(&r), "192.0.2.1 - - [15/Jan/2024:10:30:45 +0100] \"GET /index.html?q=1 HTTP/1.1\" 200 1234\n");
}

#[test]
fn clf_summer_line_has_plus_0200() {
    let mut r = rec("mairie", paris(2024, 7, 4, 0, 5, 9, 0));
    r.status = 404;
    r.bytes = 0;
    r.method = "HEAD".into();
    r.target = "/".into();
    r.protocol = "HTTP/2.0".into();
    assert_eq!(clf_line(&r), "192.0.2.1 - - [04/Jul/2024:00:05:09 +0200] \"HEAD / HTTP/2.0\" 404 0\n");
}

#[test]
fn clf_dst_transitions_change_offset_within_one_second() {
    // Spring forward: 2024-03-31 01:59:59 +0100 is followed by 03:00:00 +0200.
    let before = at("2024-03-31T00:59:59Z");
    let after = before + Duration::from_secs(1);
    assert!(clf_line(&rec("s", before)).contains("[31/Mar/2024:01:59:59 +0100]"));
    assert!(clf_line(&rec("s", after)).contains("[31/Mar/2024:03:00:00 +0200]"));
    // Fall back: 02:30 happens twice on 2024-10-27.
    assert!(clf_line(&rec("s", at("2024-10-27T02:30:00+02:00"))).contains("[27/Oct/2024:02:30:00 +0200]"));
    assert!(clf_line(&rec("s", at("2024-10-27T02:30:00+01:00"))).contains("[27/Oct/2024:02:30:00 +0100]"));
}

#[test]
fn clf_escapes_quote_newline_backslash_and_non_ascii() {
    let mut r = rec("s", paris(2024, 1, 15, 10, 30, 45, 0));
    r.target = "/a\"b\nc\\d/é\x7f".into();
    let line = clf_line(&r);
    assert_eq!(
        line,
        "192.0.2.1 - - [15/Jan/2024:10:30:45 +0100] \"GET /a\\\"b\\x0ac\\\\d/\\xc3\\xa9\\x7f HTTP/1.1\" 200 1234\n"
    );
    assert_eq!(line.matches('\n').count(), 1, "never split");
    let p = parse_clf_line(line.trim_end_matches('\n')).unwrap();
    assert_eq!(p.request, format!("GET {} HTTP/1.1", r.target));
    assert_eq!(p.target(), r.target);
}

#[test]
fn clf_parses_back_every_field() {
    let mut r = rec("s", paris(2024, 7, 14, 23, 59, 58, 999));
    r.client_ip = "2001:db8::1".parse().unwrap();
    r.target = "/with space?x=\"y\"".into();
    let line = clf_line(&r);
    assert!(line.starts_with("2001:db8::1 - - [14/Jul/2024:23:59:58 +0200] "));
    let p = parse_clf_line(line.trim_end()).unwrap();
    assert_eq!(p.remotehost, r.client_ip);
    assert_eq!((p.rfc931.as_str(), p.authuser.as_str()), ("-", "-"));
    assert_eq!(p.date, "14/Jul/2024:23:59:58 +0200");
    assert_eq!(p.offset_seconds, 7200);
    assert_eq!(p.time, paris(2024, 7, 14, 23, 59, 58, 0));
    assert_eq!((p.method(), p.target(), p.protocol()), ("GET", "/with space?x=\"y\"", "HTTP/1.1"));
    assert_eq!((p.status, p.bytes), (200, Some(1234)));
}

#[test]
fn clf_status_is_three_digits() {
    let mut r = rec("s", paris(2024, 1, 15, 10, 30, 45, 0));
    r.status = 1000;
    assert!(clf_line(&r).ends_with("\" 000 1234\n"));
    r.status = 99;
    assert!(clf_line(&r).ends_with("\" 099 1234\n"));
}

#[test]
fn clf_parser_is_strict() {
    let good = "192.0.2.1 - - [15/Jan/2024:10:30:45 +0100] \"GET / HTTP/1.1\" 200 -";
    assert_eq!(parse_clf_line(good).unwrap().bytes, None);
    for bad in [
        "",
        "192.0.2.1 - - [15/Jan/2024:10:30:45 +0100] \"GET / HTTP/1.1\" 200",
        "192.0.2.1 - - [15/Jan/2024:10:30:45 +0100] \"GET / HTTP/1.1\" 20 5",
        "192.0.2.1 - - [15/Foo/2024:10:30:45 +0100] \"GET / HTTP/1.1\" 200 5",
        "192.0.2.1 - - [15/Jan/2024:10:30:45] \"GET / HTTP/1.1\" 200 5",
        "192.0.2.1 - - [15/Jan/2024:10:30:45 +0100] \"GET /\\q HTTP/1.1\" 200 5",
        "192.0.2.1 - - [15/Jan/2024:10:30:45 +0100] \"GET /\\x4 HTTP/1.1\" 200 5",
        "192.0.2.1 - - [15/Jan/2024:10:30:45 +0100] \"GET /\t HTTP/1.1\" 200 5",
        "192.0.2.1 - - [15/Jan/2024:10:30:45 +0100] \"GET / HTTP/1.1 200 5",
        "192.0.2.1 - - [15/Jan/2024:10:30:45 +0100] \"GET / HTTP/1.1\" 200 5 extra",
        "not-an-ip - - [15/Jan/2024:10:30:45 +0100] \"GET / HTTP/1.1\" 200 5",
    ] {
        assert_eq!(parse_clf_line(bad), None, "{bad:?}");
    }
}

#[test]
fn w3c_header_is_exact() {
    // 2024-01-15 10:30:45 Paris is 09:30:45 UTC.
    assert_eq!(
        w3c_header(paris(2024, 1, 15, 10, 30, 45, 500)),
        "#Version: 1.0\n#Date: 2024-01-15 09:30:45\n#Software: amoe-agent\n\
         #Fields: date time c-ip cs-method cs-uri-stem cs-uri-query sc-status sc-bytes time-taken \
         cs(Host) cs(User-Agent) cs(Referer) x-cache\n"
    );
}

#[test]
fn w3c_line_is_exact_and_utc() {
    let mut r = rec("s", paris(2024, 1, 1, 0, 30, 0, 0));
    r.duration = Duration::from_micros(1_234_567);
    r.user_agent = Some("Mozilla/5.0 (X11; Linux)".into());
    r.cache = CacheStatus::Miss;
    assert_eq!(
        w3c_line(&r),
        "2023-12-31 23:30:00 192.0.2.1 GET /index.html q=1 200 1234 1.234 www.example.fr \
         \"Mozilla/5.0 (X11; Linux)\" - MISS\n"
    );
}

#[test]
fn w3c_quotes_escapes_and_missing_values() {
    let mut r = rec("s", paris(2024, 7, 14, 12, 0, 0, 0));
    r.target = "/a b\"c\n".into();
    r.duration = Duration::from_millis(5);
    r.host = String::new();
    r.user_agent = None;
    r.referer = Some("say \"hi\"\tnow".into());
    r.status = 502;
    r.bytes = 0;
    r.cache = CacheStatus::Error;
    assert_eq!(
        w3c_line(&r),
        "2024-07-14 10:00:00 192.0.2.1 GET /a%20b%22c%0A - 502 0 0.005 - - \"say \"\"hi\"\"%09now\" ERROR\n"
    );
    r.target = "/?".into();
    r.referer = Some("-".into());
    r.user_agent = Some(String::new());
    let line = w3c_line(&r);
    assert!(line.contains(" / - 502 "), "{line}");
    assert!(line.ends_with(" \"\" \"-\" ERROR\n"), "{line}");
}

#[test]
fn cache_status_names() {
    let all = [
        (CacheStatus::Hit, "HIT"),
        (CacheStatus::Miss, "MISS"),
        (CacheStatus::Stale, "STALE"),
        (CacheStatus::Pass, "PASS"),
        (CacheStatus::Expired, "EXPIRED"),
        (CacheStatus::Revalidated, "REVALIDATED"),
        (CacheStatus::Error, "ERROR"),
    ];
    for (c, s) in all {
        assert_eq!(c.as_str(), s);
    }
}

#[test]
fn unsafe_site_names_map_to_unknown() {
    for bad in ["", "../etc", "..", ".hidden", "a/b", "Mairie", "-x", "_unknown", "é", &"a".repeat(101)] {
        assert_eq!(site_dir_name(bad), "_unknown", "{bad:?}");
    }
    for good in ["mairie-paris.fr", "0site", "a_b", "a..b"] {
        assert_eq!(site_dir_name(good), good);
    }
}

#[test]
fn pre_epoch_or_far_time_does_not_panic() {
    let r = rec("s", SystemTime::UNIX_EPOCH - Duration::from_secs(86_400));
    assert!(clf_line(&r).contains("[31/Dec/1969:01:00:00 +0100]"));
}
