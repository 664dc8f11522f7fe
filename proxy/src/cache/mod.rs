//! The cache: an index of objects per site (ordered by key, so that a directory purge reads a
//! range and a URL purge one entry), a tag index (a tag purge reads one set), a memory tier with
//! a byte budget and CLOCK eviction, an optional disk tier, and the registry of fetches in
//! flight that makes concurrent misses of one key share one origin request.
//!
//! The disk tier is write-through: every object that goes to disk keeps its file, and the
//! memory tier holds bodies of the small ones. When a body leaves memory, the object stays
//! indexed on disk.

pub mod disk;
pub mod object;
pub mod policy;

use bytes::Bytes;
use disk::Disk;
use http::HeaderMap;
use object::{Body, Object};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::watch;

/// Hard deletes, or soft marks stale (kept for revalidation and stale-if-error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurgeMode {
    Hard,
    Soft,
}

#[derive(Debug, Default)]
struct SiteIndex {
    entries: RwLock<BTreeMap<Arc<str>, Vec<Arc<Object>>>>,
    tags: Mutex<HashMap<String, HashSet<Arc<str>>>>,
}

/// The memory tier's CLOCK ring.
#[derive(Debug, Default)]
struct Clock {
    ring: VecDeque<Arc<Object>>,
    bytes: u64,
}

/// Whether a caller leads a fetch or waits for the one in flight.
#[derive(Debug)]
pub enum Flight {
    /// Fetch, then drop the guard (it wakes the followers).
    Leader(FlightGuard),
    /// Wait with [`FlightWait::wait`], then look up again.
    Follower(FlightWait),
}

#[derive(Debug)]
pub struct FlightGuard {
    cache: Arc<Cache>,
    key: String,
    _tx: watch::Sender<()>,
}

impl Drop for FlightGuard {
    fn drop(&mut self) {
        self.cache.inflight.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.key);
    }
}

#[derive(Debug)]
pub struct FlightWait(watch::Receiver<()>);

impl FlightWait {
    /// Returns when the leader is done (or gone).
    pub async fn wait(mut self) {
        while self.0.changed().await.is_ok() {}
    }
}

/// The cache of one proxy.
#[derive(Debug)]
pub struct Cache {
    sites: RwLock<HashMap<Arc<str>, Arc<SiteIndex>>>,
    memory: Mutex<Clock>,
    memory_limit: u64,
    pub memory_max_object: u64,
    pub disk: Option<Disk>,
    inflight: Mutex<HashMap<String, watch::Receiver<()>>>,
    objects: AtomicU64,
    /// Purges so far, per site: a fetch that saw another count at its start stores its object
    /// as stale (the purge may have been meant for what it was fetching).
    purges: Mutex<HashMap<String, u64>>,
}

impl Cache {
    pub fn new(memory_limit: u64, memory_max_object: u64, disk: Option<Disk>) -> Cache {
        Cache {
            sites: RwLock::default(),
            memory: Mutex::default(),
            memory_limit,
            memory_max_object,
            disk,
            inflight: Mutex::default(),
            objects: AtomicU64::new(0),
            purges: Mutex::default(),
        }
    }

    fn site(&self, site: &str) -> Option<Arc<SiteIndex>> {
        self.sites.read().unwrap_or_else(|e| e.into_inner()).get(site).cloned()
    }

    fn site_or_create(&self, site: &Arc<str>) -> Arc<SiteIndex> {
        if let Some(s) = self.site(site) {
            return s;
        }
        self.sites.write().unwrap_or_else(|e| e.into_inner()).entry(site.clone()).or_default().clone()
    }

    /// The variant of `key` that matches the request headers.
    pub fn lookup(&self, site: &str, key: &str, req: &HeaderMap) -> Option<Arc<Object>> {
        let index = self.site(site)?;
        let entries = index.entries.read().unwrap_or_else(|e| e.into_inner());
        let found = entries.get(key)?.iter().find(|o| o.matches(req)).cloned()?;
        found.accessed.store(true, Ordering::Relaxed);
        Some(found)
    }

    /// Indexes an object, replacing the variant with the same `Vary` values.
    pub fn insert(&self, object: Object) -> Arc<Object> {
        let object = Arc::new(object);
        let index = self.site_or_create(&object.site);
        let replaced = {
            let mut entries = index.entries.write().unwrap_or_else(|e| e.into_inner());
            let variants = entries.entry(object.key.clone()).or_default();
            let old = variants.iter().position(|v| v.vary == object.vary).map(|i| variants.remove(i));
            variants.push(object.clone());
            old
        };
        if let Some(old) = &replaced {
            self.forget(&index, old, old.disk_file != object.disk_file);
            Self::untag(&index, old);
        } else {
            self.objects.fetch_add(1, Ordering::Relaxed);
        }
        if !object.tags.is_empty() {
            let mut tags = index.tags.lock().unwrap_or_else(|e| e.into_inner());
            for t in &object.tags {
                tags.entry(t.clone()).or_default().insert(object.key.clone());
            }
        }
        if let Body::Memory(_) = object.body {
            self.remember(object.clone());
        }
        object
    }

    /// Counts a memory-resident object and evicts until the budget holds.
    fn remember(&self, object: Arc<Object>) {
        let mut clock = self.memory.lock().unwrap_or_else(|e| e.into_inner());
        clock.bytes += object.memory_size();
        clock.ring.push_back(object);
        let mut budget = clock.ring.len() * 2;
        while clock.bytes > self.memory_limit && budget > 0 {
            budget -= 1;
            let Some(victim) = clock.ring.pop_front() else { break };
            if victim.accessed.swap(false, Ordering::Relaxed) && budget > clock.ring.len() {
                clock.ring.push_back(victim);
                continue;
            }
            clock.bytes = clock.bytes.saturating_sub(victim.memory_size());
            self.demote(&victim);
        }
    }

    /// Takes an object's body out of memory: it stays indexed from its disk file, or goes.
    fn demote(&self, victim: &Arc<Object>) {
        let Some(index) = self.site(&victim.site) else { return };
        let mut entries = index.entries.write().unwrap_or_else(|e| e.into_inner());
        let Some(variants) = entries.get_mut(&victim.key) else { return };
        let Some(i) = variants.iter().position(|v| Arc::ptr_eq(v, victim)) else { return };
        match (&victim.disk_file, &victim.body) {
            (Some(path), Body::Memory(bytes)) => {
                let offset = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0).saturating_sub(bytes.len() as u64);
                variants[i] = Arc::new(Object {
                    site: victim.site.clone(),
                    key: victim.key.clone(),
                    status: victim.status,
                    headers: victim.headers.clone(),
                    vary: victim.vary.clone(),
                    freshness: victim.freshness.clone(),
                    tags: victim.tags.clone(),
                    body: Body::Disk { path: path.clone(), offset, len: bytes.len() as u64 },
                    disk_file: Some(path.clone()),
                    invalidated: AtomicBool::new(victim.invalidated.load(Ordering::Relaxed)),
                    accessed: AtomicBool::new(false),
                });
            }
            _ => {
                variants.remove(i);
                if variants.is_empty() {
                    entries.remove(&victim.key);
                }
                self.objects.fetch_sub(1, Ordering::Relaxed);
                drop(entries);
                Self::untag(&index, victim);
            }
        }
    }

    /// Takes `gone`'s key out of the sets of its tags that no variant still indexed under that
    /// key carries (so that the tag index does not grow with objects that left).
    fn untag(index: &SiteIndex, gone: &Object) {
        if gone.tags.is_empty() {
            return;
        }
        let still: Vec<String> = {
            let entries = index.entries.read().unwrap_or_else(|e| e.into_inner());
            entries.get(&gone.key).into_iter().flatten().flat_map(|v| v.tags.iter().cloned()).collect()
        };
        let mut tags = index.tags.lock().unwrap_or_else(|e| e.into_inner());
        for t in gone.tags.iter().filter(|t| !still.contains(t)) {
            if let Some(set) = tags.get_mut(t) {
                set.remove(&gone.key);
                if set.is_empty() {
                    tags.remove(t);
                }
            }
        }
    }

    /// Drops an object that left the index: its memory and, if asked, its disk file.
    fn forget(&self, _index: &SiteIndex, old: &Arc<Object>, delete_file: bool) {
        if let Body::Memory(_) = old.body {
            let mut clock = self.memory.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(i) = clock.ring.iter().position(|o| Arc::ptr_eq(o, old)) {
                clock.ring.remove(i);
                clock.bytes = clock.bytes.saturating_sub(old.memory_size());
            }
        }
        if delete_file && let (Some(disk), Some(path)) = (&self.disk, &old.disk_file) {
            disk.remove(path);
        }
    }

    /// Removes every variant of the keys chosen by `select` from the site's index.
    /// How many purges a site has had.
    pub fn purge_epoch(&self, site: &str) -> u64 {
        self.purges.lock().unwrap_or_else(|e| e.into_inner()).get(site).copied().unwrap_or(0)
    }

    fn count_purge(&self, site: &str) {
        *self.purges.lock().unwrap_or_else(|e| e.into_inner()).entry(site.to_string()).or_insert(0) += 1;
    }

    fn purge_keys(&self, site: &str, keys: Vec<Arc<str>>, mode: PurgeMode) -> usize {
        let Some(index) = self.site(site) else { return 0 };
        let mut count = 0;
        let mut removed = Vec::new();
        {
            let mut entries = index.entries.write().unwrap_or_else(|e| e.into_inner());
            for key in keys {
                match mode {
                    PurgeMode::Hard => {
                        if let Some(variants) = entries.remove(&key) {
                            count += variants.len();
                            removed.extend(variants);
                        }
                    }
                    PurgeMode::Soft => {
                        for v in entries.get(&key).into_iter().flatten() {
                            if !v.invalidated.swap(true, Ordering::Relaxed)
                                && let Some(path) = &v.disk_file
                            {
                                Disk::mark_invalidated(path);
                            }
                            count += 1;
                        }
                    }
                }
            }
        }
        if !removed.is_empty() {
            self.objects.fetch_sub(removed.len() as u64, Ordering::Relaxed);
            let mut tags = index.tags.lock().unwrap_or_else(|e| e.into_inner());
            for o in &removed {
                for t in &o.tags {
                    if let Some(set) = tags.get_mut(t) {
                        set.remove(&o.key);
                        if set.is_empty() {
                            tags.remove(t);
                        }
                    }
                }
            }
            drop(tags);
            for o in &removed {
                self.forget(&index, o, true);
            }
        }
        count
    }

    /// Purges one URL (every variant): `key` is host + path and query.
    pub fn purge_url(&self, site: &str, key: &str, mode: PurgeMode) -> usize {
        self.count_purge(site);
        self.purge_keys(site, vec![Arc::from(key)], mode)
    }

    /// Purges every key that starts with one of `prefixes` (host + path prefix): a range read
    /// of the ordered index per prefix.
    pub fn purge_prefix(&self, site: &str, prefixes: &[String], mode: PurgeMode) -> usize {
        self.count_purge(site);
        let Some(index) = self.site(site) else { return 0 };
        let keys: Vec<Arc<str>> = {
            let entries = index.entries.read().unwrap_or_else(|e| e.into_inner());
            prefixes
                .iter()
                .flat_map(|p| {
                    entries
                        .range::<str, _>((std::ops::Bound::Included(p.as_str()), std::ops::Bound::Unbounded))
                        .take_while(move |(k, _)| k.starts_with(p.as_str()))
                        .map(|(k, _)| k.clone())
                })
                .collect()
        };
        self.purge_keys(site, keys, mode)
    }

    /// Purges every object tagged `tag`.
    pub fn purge_tag(&self, site: &str, tag: &str, mode: PurgeMode) -> usize {
        self.count_purge(site);
        let Some(index) = self.site(site) else { return 0 };
        let keys: Vec<Arc<str>> = {
            let tags = index.tags.lock().unwrap_or_else(|e| e.into_inner());
            tags.get(tag).map(|s| s.iter().cloned().collect()).unwrap_or_default()
        };
        self.purge_keys(site, keys, mode)
    }

    /// Purges a whole site.
    pub fn purge_site(&self, site: &str, mode: PurgeMode) -> usize {
        self.count_purge(site);
        let Some(index) = self.site(site) else { return 0 };
        let keys: Vec<Arc<str>> = index.entries.read().unwrap_or_else(|e| e.into_inner()).keys().cloned().collect();
        self.purge_keys(site, keys, mode)
    }

    /// Joins the fetch in flight for `key`, or becomes its leader.
    pub fn flight(self: &Arc<Self>, key: String) -> Flight {
        let mut inflight = self.inflight.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(rx) = inflight.get(&key) {
            return Flight::Follower(FlightWait(rx.clone()));
        }
        let (tx, rx) = watch::channel(());
        inflight.insert(key.clone(), rx);
        Flight::Leader(FlightGuard { cache: self.clone(), key, _tx: tx })
    }

    /// Objects indexed and bytes held (memory, disk).
    pub fn usage(&self) -> (u64, u64, u64) {
        let memory = self.memory.lock().unwrap_or_else(|e| e.into_inner()).bytes;
        (self.objects.load(Ordering::Relaxed), memory, self.disk.as_ref().map_or(0, Disk::used))
    }

    /// A memory body for a new object.
    pub fn memory_body(bytes: Bytes) -> Body {
        Body::Memory(bytes)
    }
}
