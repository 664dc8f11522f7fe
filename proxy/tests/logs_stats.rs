//! Access logs (CLF and W3C extended, per site and per Paris day) and per-site statistics, after
//! a MISS, a HIT and a request for an unknown host.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/extra.rs"]
mod extra;

use amoe_proxy::accesslog::{self, CacheStatus, Record};
use amoe_proxy::config::ProxyConfig;
use common::*;
use extra::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const BODY: &str = "hello page";
const UNKNOWN_BODY: &str = "unknown site: no site of this proxy answers for this host\n";

struct Run {
    dir: tempfile::TempDir,
    proxy: std::sync::Arc<amoe_proxy::Proxy>,
    before: SystemTime,
    after: SystemTime,
    _origin: Origin,
}

/// A MISS and a HIT on `/page` of site `s`, and a GET on an unknown host; the log is then
/// flushed and closed.
async fn run() -> Run {
    let dir = tempfile::tempdir().unwrap();
    let origin = Origin::start(|_, _| resp(200, &[("cache-control", "max-age=60")], BODY)).await;
    let cfg = ProxyConfig { log_dir: Some(dir.path().to_path_buf()), ..config(vec![site(&[&origin.url()])]) };
    let p = Running::start(cfg).await;
    let before = SystemTime::now();
    let c = Http::default();
    let a = c.get(p.addr, "/page").await;
    assert_eq!((a.status.as_u16(), a.cache(), a.text().as_str()), (200, "MISS", BODY));
    let b = c.get(p.addr, "/page").await;
    assert_eq!((b.status.as_u16(), b.cache(), b.text().as_str()), (200, "HIT", BODY));
    let u = raw_exchange(p.addr, &get_close("/", "nobody.example.test")).await.expect("an answer");
    assert_eq!(u.status, 404);
    // Lines are written when a response body ends, which may be just after the client has it.
    let proxy = p.proxy.clone();
    eventually("three requests accounted", || {
        proxy.stats("s").is_some_and(|s| s.requests == 2) && proxy.unknown.snapshot().requests == 1
    })
    .await;
    let after = SystemTime::now();
    let proxy = p.stop().await;
    proxy.shutdown();
    Run { dir, proxy, before, after, _origin: origin }
}

/// The one file of `site`'s directory whose name ends with `suffix` but not `not`.
fn log_file(dir: &Path, site: &str, suffix: &str, not: Option<&str>) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(dir.join(site))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.ends_with(suffix) && not.is_none_or(|x| !n.ends_with(x))
        })
        .collect();
    assert_eq!(files.len(), 1, "one {suffix} file for {site}: {files:?}");
    files.into_iter().next().unwrap()
}

/// `DD/Mon/YYYY:HH:MM:SS +hhmm`, checked character by character.
fn is_clf_date(d: &str) -> bool {
    let b = d.as_bytes();
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    b.len() == 26
        && digits(0..2)
        && b[2] == b'/'
        && months.contains(&&d[3..6])
        && b[6] == b'/'
        && digits(7..11)
        && b[11] == b':'
        && digits(12..14)
        && b[14] == b':'
        && digits(15..17)
        && b[17] == b':'
        && digits(18..20)
        && b[20] == b' '
        && (b[21] == b'+' || b[21] == b'-')
        && digits(22..26)
}

fn record(time: SystemTime, site: &str, target: &str, status: u16, bytes: u64, cache: CacheStatus) -> Record {
    Record {
        site: site.to_string(),
        time,
        client_ip: "127.0.0.1".parse().unwrap(),
        method: "GET".to_string(),
        target: target.to_string(),
        protocol: "HTTP/1.1".to_string(),
        status,
        bytes,
        duration: Duration::ZERO,
        cache,
        host: String::new(),
        referer: None,
        user_agent: None,
    }
}

/// Checks a CLF line against the grammar and against `clf_line` of the expected record.
fn check_clf(line: &str, run: &Run, site: &str, target: &str, status: u16, bytes: u64) {
    let parsed = accesslog::parse_clf_line(line).unwrap_or_else(|| panic!("not a CLF line: {line:?}"));
    assert!(is_clf_date(&parsed.date), "date {:?}", parsed.date);
    let whole = |t: SystemTime| t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
    let t = whole(parsed.time);
    assert!(whole(run.before) <= t && t <= whole(run.after), "time of {line:?} outside the run");
    let expected = accesslog::clf_line(&record(parsed.time, site, target, status, bytes, CacheStatus::Miss));
    assert_eq!(format!("{line}\n"), expected, "byte for byte");
    let day = accesslog::local_day(parsed.time);
    let name = format!("{site}-{day}.log");
    assert!(run.dir.path().join(site).join(&name).exists(), "the line is in {name}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clf_lines_are_exact_for_miss_hit_and_unknown_host() {
    let run = run().await;
    let clf = std::fs::read_to_string(log_file(run.dir.path(), "s", ".log", Some(".w3c.log"))).unwrap();
    assert!(clf.ends_with('\n'));
    let lines: Vec<&str> = clf.lines().collect();
    assert_eq!(lines.len(), 2, "one line per request of site s: {clf:?}");
    for line in &lines {
        check_clf(line, &run, "s", "/page", 200, BODY.len() as u64);
    }
    let unknown = std::fs::read_to_string(log_file(run.dir.path(), "_unknown", ".log", Some(".w3c.log"))).unwrap();
    let lines: Vec<&str> = unknown.lines().collect();
    assert_eq!(lines.len(), 1, "the unknown host is logged once under _unknown: {unknown:?}");
    check_clf(lines[0], &run, "_unknown", "/", 404, UNKNOWN_BODY.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn w3c_file_has_the_header_and_one_line_per_request() {
    let run = run().await;
    let w3c = std::fs::read_to_string(log_file(run.dir.path(), "s", ".w3c.log", None)).unwrap();
    let (directives, lines): (Vec<&str>, Vec<&str>) = w3c.lines().partition(|l| l.starts_with('#'));
    assert_eq!(directives.first().copied(), Some("#Version: 1.0"));
    let fields: Vec<&str> =
        directives.iter().find_map(|d| d.strip_prefix("#Fields: ")).expect("a #Fields: directive").split(' ').collect();
    for f in ["date", "time", "c-ip", "cs-method", "cs-uri-stem", "sc-status", "sc-bytes", "time-taken", "x-cache"] {
        assert!(fields.contains(&f), "field {f} in {fields:?}");
    }
    assert_eq!(lines.len(), 2, "one line per request: {w3c:?}");
    let col = |name: &str| fields.iter().position(|f| *f == name).unwrap();
    let mut caches = Vec::new();
    for line in &lines {
        let v: Vec<&str> = line.split(' ').collect();
        assert_eq!(v.len(), fields.len(), "as many values as fields: {line:?}");
        assert_eq!(v[col("c-ip")], "127.0.0.1");
        assert_eq!(v[col("cs-method")], "GET");
        assert_eq!(v[col("cs-uri-stem")], "/page");
        assert_eq!(v[col("sc-status")], "200");
        assert_eq!(v[col("sc-bytes")], BODY.len().to_string());
        let taken = v[col("time-taken")];
        let (secs, millis) = taken.split_once('.').expect("seconds.millis");
        assert!(secs.parse::<u64>().is_ok() && millis.len() == 3 && millis.parse::<u32>().is_ok(), "{taken}");
        caches.push(v[col("x-cache")].to_string());
    }
    assert_eq!(caches, ["MISS", "HIT"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_count_requests_outcomes_bytes_and_status_classes() {
    let run = run().await;
    let s = run.proxy.stats("s").expect("site s");
    assert_eq!((s.requests, s.hit, s.miss, s.stale, s.pass, s.error), (2, 1, 1, 0, 0, 0));
    assert_eq!(s.bytes, 2 * BODY.len() as u64);
    assert_eq!(s.status, [0, 2, 0, 0, 0]);
    assert_eq!(s.histogram.iter().sum::<u64>(), 2);
    assert_eq!(s.under_2s, 1.0);
    let u = run.proxy.unknown.snapshot();
    assert_eq!((u.requests, u.error, u.status), (1, 1, [0, 0, 0, 1, 0]));
    assert_eq!(u.bytes, UNKNOWN_BODY.len() as u64);
    assert!(run.proxy.stats("nope").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_requests_are_logged_too() {
    let dir = tempfile::tempdir().unwrap();
    let origin = Origin::start(|_, _| resp(200, &[("cache-control", "max-age=60")], BODY)).await;
    let mut s = site(&[&origin.url()]);
    s.rules = std::sync::Arc::new(amoe_rules::Rules::parse("[[deny]]\npath = \"^/admin\"\n").unwrap());
    let limits = amoe_proxy::config::Limits { max_header_bytes: 16 * 1024, ..amoe_proxy::config::Limits::default() };
    let cfg = ProxyConfig { log_dir: Some(dir.path().to_path_buf()), limits, ..config(vec![s]) };
    let p = Running::start(cfg).await;
    let c = Http::default();
    assert_eq!(c.get(p.addr, "/admin/x").await.status.as_u16(), 403);
    let big = "x".repeat(20 * 1024);
    assert_eq!(c.get_with(p.addr, "/page", &[("x-big", &big)]).await.status.as_u16(), 431);
    let proxy = p.proxy.clone();
    eventually("two refusals accounted", || proxy.stats("s").is_some_and(|s| s.requests == 2)).await;
    let proxy = p.stop().await;
    proxy.shutdown();
    let clf = std::fs::read_to_string(log_file(dir.path(), "s", ".log", Some(".w3c.log"))).unwrap();
    let statuses: Vec<u16> = clf.lines().map(|l| accesslog::parse_clf_line(l).expect("CLF").status).collect();
    assert_eq!(statuses, [403, 431], "{clf}");
}
