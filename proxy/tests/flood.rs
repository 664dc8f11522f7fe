//! A flood of unique URLs (crawlers, cache-busting query strings) against small budgets
//! (issue 20): the memory tier, the index of the disk tier and the fills in flight stay within
//! what is configured, the process does not grow with the number of URLs, and a hot set keeps
//! its hit ratio during the flood.
#![allow(clippy::unwrap_used)]

mod common;
use amoe_proxy::config::{ProxyConfig, StorageConfig};
use common::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const MEMORY: u64 = 4 << 20;
const INDEX: u64 = 4 << 20;
const HOT: usize = 20;

fn vm_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).unwrap().parse().unwrap()
}

/// `count` unique URLs from 16 clients; every 25th request is one of the hot pages.
async fn flood(p: &Running, from: usize, count: usize, hot_hits: &Arc<AtomicU64>, hot_asked: &Arc<AtomicU64>) {
    let mut tasks = Vec::new();
    for t in 0..16 {
        let (addr, hits, asked) = (p.addr, hot_hits.clone(), hot_asked.clone());
        tasks.push(tokio::spawn(async move {
            let c = Http::default();
            for i in (from + t..from + count).step_by(16) {
                let r = c.get(addr, &format!("/crawl?page={i}&utm_source=x{}", i * 7919)).await;
                assert_eq!(r.status, 200);
                if i % 25 == 0 {
                    let r = c.get(addr, &format!("/hot/{}", i % HOT)).await;
                    asked.fetch_add(1, Ordering::Relaxed);
                    hits.fetch_add(u64::from(r.cache() == "HIT"), Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

/// An origin that keeps nothing of what it served (the shared test origin records every
/// request, which would count in this process's memory).
async fn lean_origin() -> std::net::SocketAddr {
    use http_body_util::Full;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(|req: http::Request<hyper::body::Incoming>| async move {
                    let body = format!("{:>1024}", req.uri().path_and_query().map_or("/", |p| p.as_str()));
                    Ok::<_, std::convert::Infallible>(
                        http::Response::builder()
                            .header("cache-control", "max-age=3600")
                            .header("content-type", "text/html")
                            .body(Full::new(bytes::Bytes::from(body)))
                            .unwrap(),
                    )
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tcp), svc)
                    .await;
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_unique_urls_stays_within_the_budgets() {
    let origin = lean_origin().await;
    let dir = tempfile::tempdir().unwrap();
    let config = ProxyConfig {
        storage: StorageConfig {
            memory_bytes: MEMORY,
            memory_max_object: 1 << 20,
            disk: Some((dir.path().to_path_buf(), 1 << 30)),
            index_bytes: INDEX,
            inflight_bytes: 8 << 20,
        },
        ..config(vec![site(&[&format!("http://{origin}")])])
    };
    let p = Running::start(config).await;
    p.rebuilt().await;
    let c = Http::default();
    for i in 0..HOT {
        c.get(p.addr, &format!("/hot/{i}")).await;
    }
    let (hits, asked) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    flood(&p, 0, 6_000, &hits, &asked).await;
    let rss_before = vm_rss_kib();
    flood(&p, 6_000, 30_000, &hits, &asked).await;
    let rss_after = vm_rss_kib();
    let (objects, memory, _disk) = p.proxy.cache.usage();
    let (index, gathered) = p.proxy.cache.overheads();
    let files = p.proxy.cache.disk.as_ref().unwrap().files();
    println!(
        "objects {objects}, files {files}, memory {memory} B, index {index} B, RSS {rss_before} → {rss_after} KiB, \
         hot hits {}/{}",
        hits.load(Ordering::Relaxed),
        asked.load(Ordering::Relaxed)
    );
    assert!(memory <= MEMORY, "memory tier {memory} over its budget");
    assert!(index <= INDEX, "index {index} over its budget");
    assert_eq!(gathered, 0, "no fill in flight holds memory now");
    let per_file = amoe_proxy::cache::disk::FILE_INDEX_BYTES;
    assert!(files as u64 <= INDEX / per_file, "the index budget holds the file count ({files} files)");
    let grown_mib = rss_after.saturating_sub(rss_before) / 1024;
    assert!(grown_mib < 16, "the process grew by {grown_mib} MiB over 30,000 more unique URLs");
    let ratio = hits.load(Ordering::Relaxed) as f64 / asked.load(Ordering::Relaxed).max(1) as f64;
    assert!(ratio > 0.95, "hot set hit ratio {ratio:.3} during the flood");
}
