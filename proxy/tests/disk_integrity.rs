//! The disk tier under bad input (issue 20): a cache file truncated or overwritten with junk
//! while the proxy runs is never served, neither a small body (read whole, checked, kept in
//! memory) nor a large one (streamed, its checksum checked before the last chunk); the object
//! is dropped, counted, and fetched again. A small disk object hit once is served from memory.
#![allow(clippy::unwrap_used)]

mod common;
use amoe_proxy::cache::Key;
use amoe_proxy::cache::key::Scheme;
use amoe_proxy::config::{ProxyConfig, StorageConfig};
use common::*;
use http_body_util::BodyExt;
use std::path::{Path, PathBuf};

const SMALL: usize = 10_000;
const LARGE: usize = 3 << 20;

async fn origin() -> Origin {
    Origin::start(|s, _| {
        let size = if s.path.starts_with("/large") { LARGE } else { SMALL };
        resp(200, &[("cache-control", "max-age=3600")], &"o".repeat(size))
    })
    .await
}

fn cfg(origin: &Origin, dir: &Path) -> ProxyConfig {
    ProxyConfig {
        storage: StorageConfig {
            memory_bytes: 64 << 20,
            memory_max_object: 1 << 20,
            disk: Some((dir.to_path_buf(), 1 << 34)),
            ..StorageConfig::default()
        },
        ..config(vec![site(&[&origin.url()])])
    }
}

fn file_of(p: &Running, path: &str) -> PathBuf {
    let key = Key::new(Scheme::Http, "www.example.test", path);
    let obj = p.proxy.cache.lookup("s", &key, &http::HeaderMap::new()).expect("stored");
    obj.disk_loc().map(|l| l.path.clone()).expect("on disk")
}

/// Fills the objects, then restarts on the same directory so that they are on disk only.
async fn filled_then_restarted(origin: &Origin, dir: &Path, paths: &[&str]) -> Running {
    let p = Running::start(cfg(origin, dir)).await;
    let c = Http::default();
    for path in paths {
        c.get(p.addr, path).await;
    }
    eventually("written to disk", || {
        paths.iter().all(|path| {
            let key = Key::new(Scheme::Http, "www.example.test", path);
            p.proxy.cache.lookup("s", &key, &http::HeaderMap::new()).is_some_and(|o| o.disk_loc().is_some())
        })
    })
    .await;
    let proxy = p.stop().await;
    proxy.shutdown();
    drop(proxy);
    let p = Running::start(cfg(origin, dir)).await;
    p.rebuilt().await;
    p
}

fn damage(file: &Path, how: &str) {
    let len = std::fs::metadata(file).unwrap().len();
    match how {
        "truncated" => std::fs::OpenOptions::new().write(true).open(file).unwrap().set_len(len - 100).unwrap(),
        // The same length, the last bytes of the body changed (the header still valid).
        _ => {
            use std::os::unix::fs::FileExt;
            std::fs::OpenOptions::new().write(true).open(file).unwrap().write_all_at(b"JUNKJUNK", len - 8).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_disk_object_is_kept_in_memory_once_hit() {
    let dir = tempfile::tempdir().unwrap();
    let origin = origin().await;
    let p = filled_then_restarted(&origin, dir.path(), &["/small"]).await;
    let c = Http::default();
    let file = file_of(&p, "/small");
    let r = c.get(p.addr, "/small").await;
    assert_eq!((r.cache(), r.body.len()), ("HIT", SMALL));
    std::fs::remove_file(&file).unwrap();
    let r = c.get(p.addr, "/small").await;
    assert_eq!((r.cache(), r.body.len()), ("HIT", SMALL), "served from memory now");
    assert_eq!(origin.hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_small_files_are_never_served() {
    let dir = tempfile::tempdir().unwrap();
    let origin = origin().await;
    let p = filled_then_restarted(&origin, dir.path(), &["/small-t", "/small-j"]).await;
    damage(&file_of(&p, "/small-t"), "truncated");
    damage(&file_of(&p, "/small-j"), "junk");
    let c = Http::default();
    for path in ["/small-t", "/small-j"] {
        let r = c.get(p.addr, path).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.cache(), "MISS", "{path}: fetched again");
        assert!(r.body.iter().all(|&b| b == b'o') && r.body.len() == SMALL, "{path}: a torn body");
    }
    assert_eq!(p.proxy.cache.damaged(), 2);
    assert_eq!(origin.hits(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_large_files_are_never_served_whole() {
    let dir = tempfile::tempdir().unwrap();
    let origin = origin().await;
    let p = filled_then_restarted(&origin, dir.path(), &["/large-t", "/large-j", "/large-ok"]).await;
    let whole = Http::default().get(p.addr, "/large-ok").await;
    assert_eq!((whole.cache(), whole.body.len()), ("HIT", LARGE), "the whole body was stored");
    damage(&file_of(&p, "/large-t"), "truncated");
    damage(&file_of(&p, "/large-j"), "junk");
    let c = Http::default();
    // Truncated: seen before the answer starts, fetched again.
    let r = c.get(p.addr, "/large-t").await;
    assert_eq!((r.cache(), r.body.len()), ("MISS", LARGE));
    // Junk of the same length: the stream fails before its last chunk.
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
    let req = http::Request::get(format!("http://{}/large-j", p.addr))
        .header("host", "www.example.test")
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
    let res: http::Response<hyper::body::Incoming> = client.request(req).await.unwrap();
    assert_eq!(res.headers().get("x-cache").unwrap(), "HIT");
    assert!(res.into_body().collect().await.is_err(), "a complete body with junk in it");
    eventually("counted", || p.proxy.cache.damaged() == 2).await;
    let r = c.get(p.addr, "/large-j").await;
    assert_eq!(r.cache(), "MISS");
    assert!(r.body.len() == LARGE && r.body.iter().all(|&b| b == b'o'));
}

/// The re-indexing at start may reach a file written by a fill since the start: it keeps it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_scan_keeps_the_files_of_fills() {
    let dir = tempfile::tempdir().unwrap();
    let origin = origin().await;
    let p = Running::start(cfg(&origin, dir.path())).await;
    p.rebuilt().await;
    let c = Http::default();
    c.get(p.addr, "/fresh").await;
    eventually("written", || {
        let key = Key::new(Scheme::Http, "www.example.test", "/fresh");
        p.proxy.cache.lookup("s", &key, &http::HeaderMap::new()).is_some_and(|o| o.disk_loc().is_some())
    })
    .await;
    let file = file_of(&p, "/fresh");
    // As if the background scan reached the shard only now.
    let proxy = p.proxy.clone();
    tokio::task::spawn_blocking(move || proxy.cache.rebuild()).await.unwrap();
    assert!(file.exists(), "the fill's file was deleted by the scan");
    assert_eq!(c.get(p.addr, "/fresh").await.cache(), "HIT");
    assert_eq!(p.proxy.cache.disk.as_ref().unwrap().files(), 1);
}
