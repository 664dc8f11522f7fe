//! A bounded load test with the traffic of a public site (issue 12): 32 clients GET 1,000
//! pages (a skewed popularity), 5 % of requests POST to the site's forms, and the operator
//! purges a page every 100 ms; the proxy runs as a host does (disk tier and access logs on).
//! The same mix without the POSTs must give the same hit ratio within 2 points, and no request
//! may fail. Each phase lasts `AMOE_LOAD_SECS` seconds (default 4); the figures are printed
//! (`cargo test --release -p amoe-proxy --test mixed_load -- --nocapture`, with
//! `AMOE_LOAD_SECS=60` for the figures in `docs/decisions.md`).
#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/extra.rs"]
mod extra;

use amoe_proxy::Purge;
use amoe_proxy::cache::PurgeMode;
use amoe_proxy::config::{ProxyConfig, StorageConfig};
use common::*;
use extra::XorShift;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const PAGES: u64 = 1000;
const CLIENTS: usize = 32;

#[derive(Debug, Default)]
struct Tally {
    gets: u64,
    hits: u64,
    posts: u64,
    errors: u64,
    latencies_us: Vec<u32>,
}

impl Tally {
    fn hit_ratio(&self) -> f64 {
        100.0 * self.hits as f64 / self.gets.max(1) as f64
    }

    fn p99_ms(&mut self) -> f64 {
        self.latencies_us.sort_unstable();
        let i = (self.latencies_us.len() * 99 / 100).min(self.latencies_us.len().saturating_sub(1));
        f64::from(self.latencies_us.get(i).copied().unwrap_or(0)) / 1000.0
    }
}

/// A page index with a skewed popularity (the square of a uniform draw favours low indexes).
fn page(rng: &mut XorShift) -> u64 {
    let u = rng.below(1 << 20) as u64;
    (((u * u) >> 20) * PAGES) >> 20
}

async fn phase(p: &Running, secs: u64, post_percent: usize, seed: u64) -> Tally {
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for i in 0..CLIENTS {
        let (stop, addr) = (stop.clone(), p.addr);
        tasks.push(tokio::spawn(async move {
            let c = Http::default();
            let mut rng = XorShift::new(seed * 1000 + i as u64 + 1);
            let mut t = Tally::default();
            while !stop.load(Ordering::Relaxed) {
                let post = rng.below(100) < post_percent;
                let start = Instant::now();
                let r = if post {
                    c.send(addr, "POST", &format!("/form/{}", rng.below(20)), &[], "name=x&message=y").await
                } else {
                    c.get(addr, &format!("/page/{}", page(&mut rng))).await
                };
                t.latencies_us.push(start.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                if r.status != 200 || r.body.is_empty() {
                    t.errors += 1;
                }
                if post {
                    t.posts += 1;
                } else {
                    t.gets += 1;
                    t.hits += u64::from(r.cache() == "HIT");
                }
            }
            t
        }));
    }
    let proxy = p.proxy.clone();
    let purger_stop = stop.clone();
    let purger = tokio::spawn(async move {
        let mut rng = XorShift::new(seed);
        let mut n = 0;
        while !purger_stop.load(Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let what = Purge::Url(format!("/page/{}", page(&mut rng)));
            proxy.purge("s", &[what], PurgeMode::Hard).unwrap();
            n += 1;
        }
        n
    });
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Tally::default();
    for t in tasks {
        let t = t.await.unwrap();
        all.gets += t.gets;
        all.hits += t.hits;
        all.posts += t.posts;
        all.errors += t.errors;
        all.latencies_us.extend(t.latencies_us);
    }
    assert!(purger.await.unwrap() > 0);
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_and_purges_leave_the_hit_ratio_alone() {
    let secs: u64 = std::env::var("AMOE_LOAD_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(4);
    let origin = Origin::start(|s, n| {
        if s.method == "POST" {
            resp(200, &[], "thank you")
        } else {
            resp(200, &[("cache-control", "max-age=3600"), ("content-type", "text/html")], &format!("{} v{n}", s.path))
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let config = ProxyConfig {
        sites: vec![site(&[&origin.url()])],
        storage: StorageConfig { disk: Some((dir.path().join("cache"), 1 << 30)), ..StorageConfig::default() },
        log_dir: Some(dir.path().join("logs")),
        ..ProxyConfig::default()
    };
    let p = Running::start(config).await;
    // Warm the cache, then measure the two mixes, each after the same warm-up.
    let c = Http::default();
    for i in 0..PAGES {
        c.get(p.addr, &format!("/page/{i}")).await;
    }
    let mut with_posts = phase(&p, secs, 5, 1).await;
    let mut without = phase(&p, secs, 0, 1).await;
    for (name, t) in [("with 5 % POSTs", &mut with_posts), ("GETs only", &mut without)] {
        let p99 = t.p99_ms();
        println!(
            "{name}: {} GETs, {} POSTs, hit ratio {:.2} %, errors {}, p99 {p99:.2} ms",
            t.gets,
            t.posts,
            t.hit_ratio(),
            t.errors,
        );
    }
    assert_eq!((with_posts.errors, without.errors), (0, 0));
    assert!(with_posts.posts * 100 >= (with_posts.gets + with_posts.posts) * 3, "the POSTs ran");
    let gap = (with_posts.hit_ratio() - without.hit_ratio()).abs();
    assert!(gap <= 2.0, "hit ratio {:.2} % with POSTs, {:.2} % without", with_posts.hit_ratio(), without.hit_ratio());
    assert!(without.hit_ratio() > 90.0, "purges of one page in 1,000 every 100 ms leave most hits");
}
