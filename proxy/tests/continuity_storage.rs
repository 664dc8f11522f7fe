//! Several origins (balancing, failover, health), and storage (memory budget, disk tier across
//! restarts, a 1 GiB object through bounded memory).
#![allow(clippy::unwrap_used)]

mod common;
use amoe_proxy::config::{Balance, ProxyConfig, StorageConfig};
use common::*;
use std::time::Duration;

fn two(a: &Origin, b: &Origin) -> amoe_proxy::config::SiteConfig {
    site(&[&a.url(), &b.url()])
}

async fn named(name: &'static str) -> Origin {
    Origin::start(move |_, _| resp(200, &[("cache-control", "no-store")], name)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_robin_spreads_requests() {
    let (a, b) = (named("a").await, named("b").await);
    let p = Running::start(config(vec![two(&a, &b)])).await;
    let c = Http::default();
    for _ in 0..10 {
        assert_eq!(c.get(p.addr, "/x").await.status.as_u16(), 200);
    }
    assert_eq!((a.hits(), b.hits()), (5, 5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn least_connections_prefers_the_idle_origin() {
    let (slow, fast) = (named("slow").await, named("fast").await);
    *slow.delay.lock().unwrap() = Duration::from_millis(400);
    let mut s = two(&slow, &fast);
    s.balance = Balance::LeastConnections;
    let p = Running::start(config(vec![s])).await;
    let c = Http::default();
    // Occupy the slow origin, then send more: they go to the fast one.
    let first = {
        let c = c.clone();
        let addr = p.addr;
        tokio::spawn(async move { (c.get(addr, "/1").await, c.get(addr, "/1b").await) })
    };
    eventually("one request reached the slow origin", || slow.hits() >= 1 || fast.hits() >= 1).await;
    for i in 0..6 {
        c.get(p.addr, &format!("/n{i}")).await;
    }
    first.await.unwrap();
    assert!(fast.hits() >= 6, "fast {} slow {}", fast.hits(), slow.hits());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_to_the_other_origin() {
    let a = named("a").await;
    let mut b = named("b").await;
    b.stop().await;
    let p = Running::start(config(vec![two(&a, &b)])).await;
    let c = Http::default();
    for _ in 0..6 {
        let r = c.get(p.addr, "/x").await;
        assert_eq!((r.status.as_u16(), r.text().as_str()), (200, "a"));
    }
    assert_eq!(a.hits(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_origin_is_retried_elsewhere_and_ejected() {
    let bad = Origin::start(|_, _| resp(503, &[], "bad")).await;
    let good = named("good").await;
    let p = Running::start(config(vec![two(&bad, &good)])).await;
    let c = Http::default();
    for _ in 0..10 {
        assert_eq!(c.get(p.addr, "/x").await.text(), "good");
    }
    // After 3 consecutive failures it is ejected and no longer tried.
    assert_eq!(bad.hits(), 3, "ejected after three failures");
    assert!(!p.proxy.sites.load().by_name("s").unwrap().upstream.is_available(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_is_not_retried() {
    let bad = Origin::start(|_, _| resp(502, &[], "bad")).await;
    let good = named("good").await;
    let mut s = two(&bad, &good);
    s.balance = Balance::RoundRobin;
    let p = Running::start(config(vec![s])).await;
    let c = Http::default();
    let mut statuses = Vec::new();
    for _ in 0..2 {
        statuses.push(c.send(p.addr, "POST", "/form", &[], "x=1").await.status.as_u16());
    }
    statuses.sort();
    assert_eq!(statuses, [200, 502], "the POST that reached the bad origin was not replayed");
    assert_eq!(bad.hits() + good.hits(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn active_health_checks_take_an_origin_out() {
    let sick = Origin::start(|s, _| {
        if s.path == "/health" { resp(500, &[], "no") } else { resp(200, &[("cache-control", "no-store")], "sick") }
    })
    .await;
    let well = Origin::start(|_, _| resp(200, &[("cache-control", "no-store")], "well")).await;
    let mut s = two(&sick, &well);
    s.health.path = Some("/health".into());
    s.health.interval = Duration::from_millis(50);
    let p = Running::start(config(vec![s])).await;
    let proxy = p.proxy.clone();
    eventually("the health check marks the sick origin down", || {
        !proxy.sites.load().by_name("s").unwrap().upstream.is_available(0)
    })
    .await;
    let before = sick.hits();
    let c = Http::default();
    for _ in 0..6 {
        assert_eq!(c.get(p.addr, "/x").await.text(), "well");
    }
    let health_only = sick.seen.lock().unwrap()[before..].iter().all(|s| s.path == "/health");
    assert!(health_only, "no request but health checks reached the sick origin");
}

fn storage(memory: u64, disk: Option<&std::path::Path>) -> StorageConfig {
    StorageConfig {
        memory_bytes: memory,
        memory_max_object: 1 << 20,
        disk: disk.map(|d| (d.to_path_buf(), 1 << 34)),
        ..StorageConfig::default()
    }
}

async fn sized_origin() -> Origin {
    Origin::start(|s, n| {
        let size: usize = s.path.trim_start_matches("/o").parse().unwrap_or(16 * 1024);
        resp(200, &[("cache-control", "max-age=600")], &format!("{n:08}{}", "x".repeat(size)))
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_memory_budget_evicts() {
    let origin = sized_origin().await;
    let cfg = ProxyConfig { storage: storage(200 * 1024, None), ..config(vec![site(&[&origin.url()])]) };
    let p = Running::start(cfg).await;
    let c = Http::default();
    for i in 0..40 {
        c.get(p.addr, &format!("/o{}", 16 * 1024 + i)).await;
    }
    let (objects, memory, _) = p.proxy.cache.usage();
    assert!(memory <= 200 * 1024, "memory {memory}");
    assert!(objects < 40 && objects > 0, "objects {objects}");
    assert_eq!(c.get(p.addr, &format!("/o{}", 16 * 1024)).await.cache(), "MISS", "the oldest was evicted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evicted_from_memory_still_served_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let origin = sized_origin().await;
    let cfg = ProxyConfig { storage: storage(100 * 1024, Some(dir.path())), ..config(vec![site(&[&origin.url()])]) };
    let p = Running::start(cfg).await;
    let c = Http::default();
    for i in 0..20 {
        c.get(p.addr, &format!("/o{}", 16 * 1024 + i)).await;
    }
    let first = c.get(p.addr, &format!("/o{}", 16 * 1024)).await;
    assert_eq!(first.cache(), "HIT");
    assert!(first.text().starts_with("00000001"));
    assert_eq!(origin.hits(), 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_disk_tier_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let origin = sized_origin().await;
    let make = || ProxyConfig { storage: storage(1 << 20, Some(dir.path())), ..config(vec![site(&[&origin.url()])]) };
    let p = Running::start(make()).await;
    let c = Http::default();
    let a = c.get(p.addr, "/o1000").await;
    assert_eq!(a.cache(), "MISS");
    eventually("the object is written", || p.proxy.cache.usage().2 > 1000).await;
    let proxy = p.stop().await;
    proxy.shutdown();
    drop(proxy);
    let p2 = Running::start(make()).await;
    p2.rebuilt().await;
    let b = Http::default().get(p2.addr, "/o1000").await;
    assert_eq!((b.cache(), b.text()), ("HIT", a.text()));
    assert_eq!(origin.hits(), 1);
    // A half-written file from a crash is ignored and removed.
    let shard = std::fs::read_dir(dir.path().join("objects")).unwrap().next().unwrap().unwrap().path();
    std::fs::write(shard.join("deadbeef.3.tmp"), b"partial").unwrap();
    std::fs::write(shard.join("garbage"), b"not an object").unwrap();
    let p2 = p2.stop().await;
    drop(p2);
    let p3 = Running::start(make()).await;
    p3.rebuilt().await;
    assert_eq!(Http::default().get(p3.addr, "/o1000").await.cache(), "HIT");
    assert!(!shard.join("garbage").exists() && !shard.join("deadbeef.3.tmp").exists());
}

fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)).unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_1_gib_object_passes_with_bounded_memory_and_is_cached_on_disk() {
    use http_body_util::BodyExt;
    const SIZE: u64 = 1 << 30;
    const CHUNK: usize = 256 * 1024;
    // An origin that streams 1 GiB without holding it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(|_req| async {
                    let chunk = bytes::Bytes::from(vec![b'z'; CHUNK]);
                    let stream = futures_stream(chunk, SIZE / CHUNK as u64);
                    let body = http_body_util::StreamBody::new(stream);
                    Ok::<_, std::convert::Infallible>(
                        http::Response::builder()
                            .header("cache-control", "max-age=600")
                            .header("content-length", SIZE.to_string())
                            .body(body)
                            .unwrap(),
                    )
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tcp), svc)
                    .await;
            });
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let cfg = ProxyConfig {
        storage: storage(64 << 20, Some(dir.path())),
        ..config(vec![site(&[&format!("http://{origin}")])])
    };
    let p = Running::start(cfg).await;
    let before = vm_hwm_kib();
    let client: hyper_util::client::legacy::Client<_, http_body_util::Empty<bytes::Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
    let req = http::Request::get(format!("http://{}/big", p.addr))
        .header("host", "www.example.test")
        .body(http_body_util::Empty::new())
        .unwrap();
    let res = client.request(req).await.unwrap();
    assert_eq!(res.headers().get("x-cache").unwrap(), "MISS");
    let mut body = res.into_body();
    let mut received = 0u64;
    while let Some(frame) = body.frame().await {
        if let Ok(d) = frame.unwrap().into_data() {
            received += d.len() as u64;
        }
    }
    assert_eq!(received, SIZE);
    let grown_mib = (vm_hwm_kib().saturating_sub(before)) / 1024;
    assert!(grown_mib < 200, "peak memory grew by {grown_mib} MiB for a 1 GiB object");
    eventually("the object is on disk", || p.proxy.cache.usage().2 >= SIZE).await;
    // The end of it, from the disk tier.
    let r = Http::default().get_with(p.addr, "/big", &[("range", "bytes=-10")]).await;
    assert_eq!((r.status.as_u16(), r.cache(), r.text().as_str()), (206, "HIT", "zzzzzzzzzz"));
}

/// `n` copies of `chunk` as a stream of body frames.
fn futures_stream(
    chunk: bytes::Bytes,
    n: u64,
) -> impl futures_core::Stream<Item = Result<http_body::Frame<bytes::Bytes>, std::convert::Infallible>> + Send {
    struct Repeat(bytes::Bytes, u64);
    impl futures_core::Stream for Repeat {
        type Item = Result<http_body::Frame<bytes::Bytes>, std::convert::Infallible>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            if self.1 == 0 {
                return std::task::Poll::Ready(None);
            }
            self.1 -= 1;
            std::task::Poll::Ready(Some(Ok(http_body::Frame::data(self.0.clone()))))
        }
    }
    Repeat(chunk, n)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refetching_a_url_counts_its_disk_file_once() {
    let dir = tempfile::tempdir().unwrap();
    // Always stale on arrival: every request fetches and stores the object again.
    let origin = Origin::start(|_, n| {
        resp(200, &[("cache-control", "max-age=1"), ("age", "1")], &format!("{n:08}{}", "x".repeat(10_000)))
    })
    .await;
    let cfg = ProxyConfig { storage: storage(1 << 20, Some(dir.path())), ..config(vec![site(&[&origin.url()])]) };
    let p = Running::start(cfg).await;
    let c = Http::default();
    for _ in 0..20 {
        c.get(p.addr, "/same").await;
    }
    eventually("twenty fetches", || origin.hits() == 20).await;
    let (objects, _, disk) = p.proxy.cache.usage();
    assert_eq!(objects, 1);
    assert!(disk < 20_000, "one file's worth, not twenty: {disk}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_smaller_disk_budget_at_restart_evicts_the_oldest() {
    let dir = tempfile::tempdir().unwrap();
    let origin = sized_origin().await;
    let with_budget = |disk: u64| ProxyConfig {
        storage: StorageConfig {
            memory_bytes: 1 << 20,
            memory_max_object: 1 << 20,
            disk: Some((dir.path().to_path_buf(), disk)),
            ..StorageConfig::default()
        },
        ..config(vec![site(&[&origin.url()])])
    };
    let p = Running::start(with_budget(1 << 30)).await;
    let c = Http::default();
    for i in 0..10 {
        c.get(p.addr, &format!("/o{}", 10_000 + i)).await;
        // Distinct arrival times, so that "oldest" is well defined.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    eventually("ten objects on disk", || p.proxy.cache.usage().2 > 100_000).await;
    let proxy = p.stop().await;
    proxy.shutdown();
    drop(proxy);
    let p2 = Running::start(with_budget(50_000)).await;
    p2.rebuilt().await;
    let (objects, _, disk) = p2.proxy.cache.usage();
    assert!(disk <= 50_000, "within the new budget: {disk}");
    assert!(objects > 0 && objects < 10, "{objects}");
    let files = walk_count(&dir.path().join("objects"));
    assert_eq!(files as u64, objects, "evicted files are deleted, kept ones indexed");
    let c = Http::default();
    assert_eq!(c.get(p2.addr, "/o10009").await.cache(), "HIT", "the newest is kept");
    assert_eq!(c.get(p2.addr, "/o10000").await.cache(), "MISS", "the oldest went");
}

fn walk_count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| if p.is_dir() { walk_count(&p) } else { 1 })
        .sum()
}
