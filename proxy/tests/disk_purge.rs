//! Purges of objects that are on disk only, known to the index by the hash of their key (issue
//! 20's compact index): a URL or a path is found by hash at once; a directory, a tag or a soft
//! purge of the site is logged, applied when the file is next read or by the background pass,
//! and survives a restart. A purged object is never served.
#![allow(clippy::unwrap_used)]

mod common;
use amoe_proxy::Purge;
use amoe_proxy::cache::PurgeMode;
use amoe_proxy::cache::key::{Key, Scheme};
use amoe_proxy::config::{ProxyConfig, StorageConfig};
use common::*;
use std::path::Path;

async fn origin() -> Origin {
    Origin::start(|s, n| {
        let tag = if s.path.starts_with("/news/") { "news" } else { "other" };
        resp(200, &[("cache-control", "max-age=3600"), ("surrogate-key", tag)], &format!("{} #{n}", s.path))
    })
    .await
}

fn cfg(origin: &Origin, dir: &Path) -> ProxyConfig {
    ProxyConfig {
        storage: StorageConfig {
            memory_bytes: 64 << 20,
            memory_max_object: 1 << 20,
            disk: Some((dir.to_path_buf(), 1 << 30)),
            ..StorageConfig::default()
        },
        ..config(vec![site(&[&origin.url()])])
    }
}

const PATHS: [&str; 6] = ["/news/a", "/news/b", "/news/c", "/about", "/contact", "/soft/x"];

/// Fills `PATHS` (unless already on disk), then restarts on the same directory: every object
/// is on disk only, indexed by hash.
async fn restarted(origin: &Origin, dir: &Path, fill: bool) -> Running {
    let p = Running::start(cfg(origin, dir)).await;
    p.rebuilt().await;
    if fill {
        let c = Http::default();
        for path in PATHS {
            c.get(p.addr, path).await;
        }
        eventually("written to disk", || p.proxy.cache.disk.as_ref().unwrap().files() == PATHS.len()).await;
    }
    let proxy = p.stop().await;
    proxy.shutdown();
    drop(proxy);
    let p = Running::start(cfg(origin, dir)).await;
    p.rebuilt().await;
    p
}

fn on_disk(p: &Running) -> usize {
    p.proxy.cache.disk.as_ref().unwrap().files()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purges_reach_objects_on_disk_only() {
    let origin = origin().await;
    let dir = tempfile::tempdir().unwrap();
    let p = restarted(&origin, dir.path(), true).await;
    let c = Http::default();
    assert_eq!(on_disk(&p), PATHS.len());
    assert_eq!(p.proxy.cache.disk.as_ref().unwrap().loaded(), 0, "nothing indexed in memory after a restart");

    // A URL and a path: found by hash, counted, gone at once.
    assert_eq!(p.proxy.purge("s", &[Purge::Url("http://www.example.test/about".into())], PurgeMode::Hard).unwrap(), 1);
    assert_eq!(p.proxy.purge("s", &[Purge::Url("/contact".into())], PurgeMode::Hard).unwrap(), 1);
    assert_eq!(on_disk(&p), PATHS.len() - 2);

    // A directory: logged, never served again, and the file goes when read.
    p.proxy.purge("s", &[Purge::Prefix("/news/".into())], PurgeMode::Hard).unwrap();
    let r = c.get(p.addr, "/news/a").await;
    assert_eq!(r.cache(), "MISS", "a purged object is not served");
    assert_eq!(r.text(), "/news/a #7", "fetched again");
    // A soft purge of the whole site marks what is on disk stale.
    p.proxy.purge("s", &[Purge::All], PurgeMode::Soft).unwrap();
    let key = Key::new(Scheme::Http, "www.example.test", "/soft/x");
    let stale = p.proxy.cache.lookup("s", &key, &http::HeaderMap::new()).expect("kept for revalidation");
    assert!(stale.invalidated.load(std::sync::atomic::Ordering::Relaxed), "stale");

    // Across a restart: /news/b and /news/c were never read; the log still stands.
    let p = restarted(&origin, dir.path(), false).await;
    for path in ["/news/b", "/news/c", "/about", "/contact"] {
        assert_eq!(c.get(p.addr, path).await.cache(), "MISS", "{path} stays purged after a restart");
    }
    let stale = p.proxy.cache.lookup("s", &key, &http::HeaderMap::new()).expect("kept for revalidation");
    assert!(stale.invalidated.load(std::sync::atomic::Ordering::Relaxed), "still stale after a restart");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_pass_applies_logged_purges_to_files_never_read() {
    let origin = origin().await;
    let dir = tempfile::tempdir().unwrap();
    let p = restarted(&origin, dir.path(), true).await;
    // A tag purge cannot be resolved by hash: logged.
    assert_eq!(p.proxy.purge("s", &[Purge::Tag("news".into())], PurgeMode::Hard).unwrap(), 0);
    assert_eq!(on_disk(&p), PATHS.len(), "nothing removed yet");
    assert_eq!(p.proxy.cache.lurk(), 3, "the pass finds the three tagged files");
    assert_eq!(on_disk(&p), PATHS.len() - 3);
    assert_eq!(p.proxy.cache.lurk(), 0, "the log is empty now");
    let log = std::fs::read_to_string(dir.path().join("purges.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 1, "only the sequence is kept: {log}");
    let c = Http::default();
    assert_eq!(c.get(p.addr, "/about").await.cache(), "HIT", "untagged objects stay");
    assert_eq!(c.get(p.addr, "/news/b").await.cache(), "MISS");
}
