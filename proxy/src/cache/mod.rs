//! The cache: an index of objects per site (ordered by [`Key`], path first, so that a URL purge
//! for every domain and a directory purge read a range), a tag index (a tag purge reads one set),
//! a memory tier with a byte budget and CLOCK eviction, an optional disk tier, and the registry
//! of fetches in flight that makes concurrent misses of one key share one origin request.
//!
//! **Purges and fills in flight.** A fetch notes the site's purge sequence when it starts
//! ([`Cache::mark`]); every purge appends its scope to a short log under the index lock; when
//! the fill is inserted, under the same lock, a purge logged since its mark that covers the
//! object's key (or tags) stores it as stale. Only fills of the keys a purge covers are affected
//! (a POST to `/form` does not touch a fill of `/page1`), and no purge can slip between the
//! check and the insert.
//!
//! The disk tier is write-through: every object that goes to disk keeps its file, and the
//! memory tier holds bodies of the small ones. Objects indexed here (in memory: key, headers,
//! tags) are counted in the memory budget, bodies or not; when one leaves, its file stays,
//! known to the disk tier's compact index by the hash of its key (see `disk.rs`), and the next
//! lookup reads it back. Purges reach those files by hash (a URL, a path on the hosts the site
//! has seen) or through the purge log (`purgelog.rs`: directories, tags), checked when a file
//! is read and by a background pass ([`Cache::lurk`]).

pub mod disk;
pub mod key;
pub mod object;
pub mod policy;
pub mod purgelog;

use disk::Disk;
use http::HeaderMap;
pub use key::Key;
use object::{Body, Object};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::watch;

/// Hard deletes, or soft marks stale (kept for revalidation and stale-if-error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PurgeMode {
    Hard,
    Soft,
}

/// What a purge covers, in key terms (see [`Key`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Scope {
    /// One normalised path and query, on every host and scheme of the site.
    Path(String),
    /// One normalised path and query on one host (both schemes).
    Url { path_and_query: String, host: String },
    /// Every path under a directory (see [`key::under_directory`]).
    Directory(String),
    /// Every object with this tag.
    Tag(String),
    /// The whole site.
    All,
}

impl Scope {
    pub fn covers(&self, key: &Key, tags: &[String]) -> bool {
        match self {
            Scope::Path(pq) => key.as_str().starts_with(&Key::url_prefix(pq)),
            Scope::Url { path_and_query, host } => {
                key.as_str().starts_with(&Key::url_host_prefix(path_and_query, host))
            }
            Scope::Directory(prefix) => key.is_under(prefix),
            Scope::Tag(tag) => tags.iter().any(|t| t == tag),
            Scope::All => true,
        }
    }
}

/// Purges remembered for fills in flight; older fills count as purged (conservative).
const PURGE_LOG: usize = 4096;

#[derive(Debug)]
struct Index {
    entries: BTreeMap<Key, Vec<Arc<Object>>>,
    tags: HashMap<String, HashSet<Key>>,
    /// Purges so far.
    purge_seq: u64,
    /// The last purges with their sequence number, oldest first.
    recent: VecDeque<(u64, Scope)>,
    /// The hosts objects of this site were stored for (a path purge reaches the files of each
    /// by hash); `None` once more than [`MAX_HOSTS`] (a catch-all site): such purges are logged.
    hosts: Option<HashSet<Box<str>>>,
}

/// Hosts remembered per site for path purges.
const MAX_HOSTS: usize = 4096;

impl Default for Index {
    fn default() -> Index {
        Index {
            entries: BTreeMap::new(),
            tags: HashMap::new(),
            purge_seq: 0,
            recent: VecDeque::new(),
            hosts: Some(HashSet::new()),
        }
    }
}

impl Index {
    fn note_host(&mut self, host: &str) {
        if let Some(hosts) = &mut self.hosts
            && !hosts.contains(host)
        {
            if hosts.len() >= MAX_HOSTS {
                self.hosts = None;
            } else {
                hosts.insert(host.into());
            }
        }
    }

    /// Whether a purge logged after `since` covers this key or these tags.
    fn purged_since(&self, since: u64, key: &Key, tags: &[String]) -> bool {
        if since >= self.purge_seq {
            return false;
        }
        match self.recent.front() {
            Some((oldest, _)) if *oldest <= since + 1 => {}
            _ => return true,
        }
        self.recent.iter().rev().take_while(|(seq, _)| *seq > since).any(|(_, scope)| scope.covers(key, tags))
    }

    fn log(&mut self, scope: Scope) {
        self.purge_seq += 1;
        self.recent.push_back((self.purge_seq, scope));
        if self.recent.len() > PURGE_LOG {
            self.recent.pop_front();
        }
    }

    fn keys_of(&self, scope: &Scope) -> Vec<Key> {
        let range = |prefix: String| -> Vec<Key> {
            self.entries
                .range::<str, _>((std::ops::Bound::Included(prefix.as_str()), std::ops::Bound::Unbounded))
                .take_while(|(k, _)| k.as_str().starts_with(prefix.as_str()))
                .map(|(k, _)| k.clone())
                .collect()
        };
        match scope {
            Scope::Path(pq) => range(Key::url_prefix(pq)),
            Scope::Url { path_and_query, host } => range(Key::url_host_prefix(path_and_query, host)),
            Scope::Directory(prefix) => {
                let mut keys = range(prefix.clone());
                keys.retain(|k| k.is_under(prefix));
                keys
            }
            Scope::Tag(tag) => self.tags.get(tag).map(|s| s.iter().cloned().collect()).unwrap_or_default(),
            Scope::All => self.entries.keys().cloned().collect(),
        }
    }

    /// Takes `gone`'s key out of the sets of its tags that no variant still indexed under that
    /// key carries.
    fn untag(&mut self, gone: &Object) {
        if gone.tags.is_empty() {
            return;
        }
        let still: Vec<&String> =
            self.entries.get(&gone.key).into_iter().flatten().flat_map(|v| v.tags.iter()).collect();
        let drop: Vec<&String> = gone.tags.iter().filter(|t| !still.contains(t)).collect();
        for t in drop {
            if let Some(set) = self.tags.get_mut(t) {
                set.remove(&gone.key);
                if set.is_empty() {
                    self.tags.remove(t);
                }
            }
        }
    }
}

#[derive(Debug, Default)]
struct SiteIndex(RwLock<Index>);

impl SiteIndex {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Index> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Index> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// The memory tier's CLOCK ring. Objects that left the index are flagged and skipped (their
/// bytes are uncounted at once); the ring is compacted when such leftovers dominate it.
#[derive(Debug, Default)]
struct Clock {
    ring: VecDeque<Arc<Object>>,
    bytes: u64,
    live: usize,
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
    damaged: AtomicU64,
    writes: std::sync::OnceLock<tokio::sync::mpsc::Sender<(Arc<Object>, bytes::Bytes)>>,
    write_skipped: AtomicU64,
    found: AtomicU64,
    rebuilt: AtomicBool,
    /// Bytes fills may gather in memory, all together, and what they hold now.
    pub inflight_limit: u64,
    gathered: AtomicU64,
}

/// Bytes a fill gathers in memory, counted against [`Cache::inflight_limit`]; released when
/// dropped.
#[derive(Debug)]
pub struct Gathering {
    cache: Arc<Cache>,
    held: u64,
}

impl Gathering {
    /// Takes `n` more bytes; `false` (and nothing taken) over the limit.
    pub fn take(&mut self, n: u64) -> bool {
        let now = self.cache.gathered.fetch_add(n, Ordering::Relaxed) + n;
        if now > self.cache.inflight_limit {
            self.cache.gathered.fetch_sub(n, Ordering::Relaxed);
            return false;
        }
        self.held += n;
        true
    }
}

impl Drop for Gathering {
    fn drop(&mut self) {
        self.cache.gathered.fetch_sub(self.held, Ordering::Relaxed);
    }
}

/// How often the purge log is applied to the disk tier in the background.
const LURK_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Threads that read the disk tier at start (I/O-bound: more than the cores).
const REBUILD_THREADS: usize = 8;

/// Small objects waiting for the disk writer thread.
const WRITE_QUEUE: usize = 2048;

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
            damaged: AtomicU64::new(0),
            writes: std::sync::OnceLock::new(),
            write_skipped: AtomicU64::new(0),
            found: AtomicU64::new(0),
            rebuilt: AtomicBool::new(false),
            inflight_limit: u64::MAX,
            gathered: AtomicU64::new(0),
        }
    }

    fn site(&self, site: &str) -> Option<Arc<SiteIndex>> {
        self.sites.read().unwrap_or_else(|e| e.into_inner()).get(site).cloned()
    }

    fn site_or_create(&self, site: &str) -> Arc<SiteIndex> {
        if let Some(s) = self.site(site) {
            return s;
        }
        self.sites.write().unwrap_or_else(|e| e.into_inner()).entry(Arc::from(site)).or_default().clone()
    }

    /// The variant of `key` that matches the request headers: from the memory index, else read
    /// back from its disk file (found by the hash of the key, checked against the purge log,
    /// indexed in memory again).
    pub fn lookup(&self, site: &str, key: &Key, req: &HeaderMap) -> Option<Arc<Object>> {
        if let Some(index) = self.site(site) {
            let index = index.read();
            if let Some(found) = index.entries.get(key).and_then(|v| v.iter().find(|o| o.matches(req)).cloned()) {
                found.accessed.store(true, Ordering::Relaxed);
                if !found.referenced.load(Ordering::Relaxed) {
                    found.referenced.store(true, Ordering::Relaxed);
                }
                return Some(found);
            }
        }
        self.lookup_disk(site, key, req)
    }

    /// The disk half of [`Cache::lookup`].
    fn lookup_disk(&self, site: &str, key: &Key, req: &HeaderMap) -> Option<Arc<Object>> {
        let disk = self.disk.as_ref()?;
        let candidates = disk.candidates(site, key);
        if candidates.is_empty() {
            return None;
        }
        // A purge between the read below and the insert stores the object as stale.
        let since = self.mark(site);
        for (id, path) in candidates {
            if disk.is_loaded(id) {
                // In the memory index already, as another variant than the one asked for.
                continue;
            }
            let (obj, written) = match disk::read(&path) {
                Ok(Some(found)) => found,
                Ok(None) => {
                    // Gone, truncated or rewritten by someone else: a miss, and the entry goes.
                    if disk.has(id) {
                        self.damaged.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(file = %path.display(), "cache file damaged: dropped");
                        disk.remove(id);
                    }
                    continue;
                }
                // Not readable now (out of descriptors, an I/O error): a miss; the file stays.
                Err(_) => continue,
            };
            if &*obj.site != site || obj.key != *key {
                continue;
            }
            match disk.log.verdict(site, key, &obj.tags, written) {
                Some(PurgeMode::Hard) => {
                    disk.remove(id);
                    continue;
                }
                Some(PurgeMode::Soft) if !obj.invalidated.swap(true, Ordering::Relaxed) => {
                    Disk::mark_invalidated(&path);
                }
                _ => {}
            }
            if !obj.matches(req) {
                continue;
            }
            disk.touch(id);
            obj.accessed.store(true, Ordering::Relaxed);
            let obj = Arc::new(obj);
            return match self.insert_arc(obj.clone(), Some(since), true) {
                Ok(()) => Some(obj),
                Err(indexed) => indexed.matches(req).then_some(indexed),
            };
        }
        None
    }
    /// The site's purge sequence now: a fill started now passes it to [`Cache::insert`].
    pub fn mark(&self, site: &str) -> u64 {
        self.site_or_create(site).read().purge_seq
    }

    /// Indexes an object, replacing the variant with the same `Vary` values. With `since` (a
    /// [`Cache::mark`] taken when its fetch started), a purge since then that covers the object
    /// makes it stored as stale (soft-purged).
    pub fn insert(&self, object: Object, since: Option<u64>) -> Arc<Object> {
        let object = Arc::new(object);
        let _ = self.insert_arc(object.clone(), since, false);
        object
    }

    /// Indexes an object; with `only_if_newer`, not when the variant is indexed with a response
    /// at least as recent: that one is returned instead.
    fn insert_arc(&self, object: Arc<Object>, since: Option<u64>, only_if_newer: bool) -> Result<(), Arc<Object>> {
        let index = self.site_or_create(&object.site);
        let (object, replaced) = {
            let mut ix = index.write();
            if let Some(since) = since
                && ix.purged_since(since, &object.key, &object.tags)
                && !object.invalidated.swap(true, Ordering::Relaxed)
                && let Some(loc) = object.disk_loc()
            {
                // Its file says so too: it may be read back after the object leaves memory.
                Disk::mark_invalidated(&loc.path);
            }
            let variants = ix.entries.entry(object.key.clone()).or_default();
            let same = variants.iter().position(|v| v.vary == object.vary);
            if only_if_newer
                && let Some(i) = same
                && variants[i].freshness.response_time >= object.freshness.response_time
            {
                return Err(variants[i].clone());
            }
            let old = same.map(|i| variants.remove(i));
            variants.push(object.clone());
            if let Some(old) = &old {
                ix.untag(old);
            }
            for t in &object.tags {
                ix.tags.entry(t.clone()).or_default().insert(object.key.clone());
            }
            ix.note_host(object.key.host());
            (object, old)
        };
        match &replaced {
            Some(old) => {
                let shared = matches!((old.disk_loc(), object.disk_loc()), (Some(a), Some(b)) if a.path == b.path);
                self.forget(old, !shared);
            }
            None => {
                self.objects.fetch_add(1, Ordering::Relaxed);
            }
        }
        if let (Some(disk), Some(loc)) = (&self.disk, object.disk_loc()) {
            disk.set_loaded(loc.id, &object);
        }
        // Counted in the memory budget whether its body is in memory or on disk: the headers
        // and key are.
        self.remember(object.clone());
        Ok(())
    }

    /// Counts a memory-resident object and evicts until the budget holds.
    fn remember(&self, object: Arc<Object>) {
        let mut victims = Vec::new();
        {
            let mut clock = self.memory.lock().unwrap_or_else(|e| e.into_inner());
            if object.gone.load(Ordering::Relaxed) {
                return;
            }
            object.in_memory.store(true, Ordering::Relaxed);
            let size = object.memory_size();
            object.counted.store(size, Ordering::Relaxed);
            clock.bytes += size;
            clock.live += 1;
            clock.ring.push_back(object);
            let mut budget = clock.ring.len() * 2;
            while clock.bytes > self.memory_limit && budget > 0 {
                budget -= 1;
                let Some(victim) = clock.ring.pop_front() else { break };
                if !victim.in_memory.load(Ordering::Relaxed) {
                    continue;
                }
                if victim.accessed.swap(false, Ordering::Relaxed) && budget > clock.ring.len() {
                    clock.ring.push_back(victim);
                    continue;
                }
                victim.in_memory.store(false, Ordering::Relaxed);
                clock.bytes = clock.bytes.saturating_sub(victim.counted.load(Ordering::Relaxed));
                clock.live -= 1;
                victims.push(victim);
            }
            if clock.ring.len() > clock.live + clock.live / 8 + 64 {
                clock.ring.retain(|o| o.in_memory.load(Ordering::Relaxed));
            }
        }
        for victim in victims {
            self.demote(&victim);
        }
    }

    /// Takes an object out of the memory index: its disk file, if it has one, stays (known to
    /// the disk tier by hash); without one, the object is gone.
    fn demote(&self, victim: &Arc<Object>) {
        let Some(index) = self.site(&victim.site) else { return };
        {
            let mut ix = index.write();
            let Some(variants) = ix.entries.get_mut(&victim.key) else { return };
            let Some(i) = variants.iter().position(|v| Arc::ptr_eq(v, victim)) else { return };
            variants.remove(i);
            if variants.is_empty() {
                ix.entries.remove(&victim.key);
            }
            ix.untag(victim);
        }
        victims_gone(victim);
        self.objects.fetch_sub(1, Ordering::Relaxed);
        if let (Some(disk), Some(loc)) = (&self.disk, victim.disk_loc()) {
            disk.unset_loaded(loc.id, victim);
            // Used while in memory: its file gets the second chance a hit on disk would give.
            if victim.referenced.swap(false, Ordering::Relaxed) {
                disk.touch(loc.id);
            }
        }
    }
    /// Drops an object that left the index: its memory and, if asked, its disk file.
    fn forget(&self, old: &Arc<Object>, delete_file: bool) {
        victims_gone(old);
        if old.in_memory.swap(false, Ordering::Relaxed) {
            let mut clock = self.memory.lock().unwrap_or_else(|e| e.into_inner());
            clock.bytes = clock.bytes.saturating_sub(old.counted.load(Ordering::Relaxed));
            clock.live = clock.live.saturating_sub(1);
        }
        if let (Some(disk), Some(loc)) = (&self.disk, old.disk_loc()) {
            disk.unset_loaded(loc.id, old);
            if delete_file {
                disk.remove(loc.id);
            }
        }
    }

    /// Brings a disk object's body into the memory tier (a hit on a small object after a
    /// restart or a demotion): the indexed object is replaced by one with the body in memory,
    /// which keeps its disk file. Returns the object to serve.
    pub fn promote(&self, obj: &Arc<Object>, body: bytes::Bytes) -> Arc<Object> {
        let promoted = Arc::new(obj.with_body(Body::Memory(body)));
        let Some(index) = self.site(&obj.site) else { return promoted };
        {
            let mut ix = index.write();
            let Some(variants) = ix.entries.get_mut(&obj.key) else { return promoted };
            let Some(i) = variants.iter().position(|v| Arc::ptr_eq(v, obj)) else { return promoted };
            variants[i] = promoted.clone();
        }
        self.forget(obj, false);
        if let (Some(disk), Some(loc)) = (&self.disk, promoted.disk_loc()) {
            disk.set_loaded(loc.id, &promoted);
        }
        self.remember(promoted.clone());
        promoted
    }

    /// Drops an object whose disk file is gone, truncated or damaged, and counts it.
    pub fn drop_damaged(&self, obj: &Arc<Object>) {
        self.damaged.fetch_add(1, Ordering::Relaxed);
        self.drop_object(obj);
    }

    /// Disk files found damaged (truncated, resized, wrong checksum, unreadable) so far.
    pub fn damaged(&self) -> u64 {
        self.damaged.load(Ordering::Relaxed)
    }

    /// Drops one stored object, if it is still indexed.
    pub fn drop_object(&self, obj: &Arc<Object>) {
        let Some(index) = self.site(&obj.site) else { return };
        let removed = {
            let mut ix = index.write();
            let Some(variants) = ix.entries.get_mut(&obj.key) else { return };
            let Some(i) = variants.iter().position(|v| Arc::ptr_eq(v, obj)) else { return };
            let o = variants.remove(i);
            if variants.is_empty() {
                ix.entries.remove(&obj.key);
            }
            ix.untag(&o);
            o
        };
        self.objects.fetch_sub(1, Ordering::Relaxed);
        self.forget(&removed, true);
    }

    /// Purges what `scope` covers and returns the number of objects affected. The scope is
    /// logged for the fills in flight (see the module documentation).
    pub fn purge(&self, site: &str, scope: Scope, mode: PurgeMode) -> usize {
        let index = self.site_or_create(site);
        let mut removed = Vec::new();
        let mut count = 0;
        let hosts: Option<Vec<Box<str>>> = index.read().hosts.as_ref().map(|h| h.iter().cloned().collect());
        // What the disk tier cannot find by hash is logged first, so that every file read from
        // now on is judged against it; while the start scan runs, everything is (the files not
        // counted yet are judged when the scan reads them).
        if let Some(disk) = &self.disk {
            let by_hash = match (&scope, &hosts) {
                (Scope::Url { .. }, _) | (Scope::Path(_), Some(_)) => true,
                (Scope::All, _) => mode == PurgeMode::Hard,
                _ => false,
            };
            if !by_hash || !self.rebuilt.load(Ordering::Acquire) {
                disk.log.append(site, scope.clone(), mode);
            }
        }
        {
            let mut ix = index.write();
            let keys = ix.keys_of(&scope);
            ix.log(scope.clone());
            for key in keys {
                match mode {
                    PurgeMode::Hard => {
                        if let Some(variants) = ix.entries.remove(&key) {
                            count += variants.len();
                            removed.extend(variants);
                        }
                    }
                    PurgeMode::Soft => {
                        for v in ix.entries.get(&key).into_iter().flatten() {
                            if !v.invalidated.swap(true, Ordering::Relaxed)
                                && let Some(loc) = v.disk_loc()
                            {
                                Disk::mark_invalidated(&loc.path);
                            }
                            count += 1;
                        }
                    }
                }
            }
            for o in &removed {
                ix.untag(o);
            }
        }
        if !removed.is_empty() {
            self.objects.fetch_sub(removed.len() as u64, Ordering::Relaxed);
            for o in &removed {
                self.forget(o, true);
            }
        }
        count + self.purge_disk(site, scope, mode, hosts)
    }

    /// The disk half of [`Cache::purge`]: a URL, or a path on every host the site has seen, by
    /// hash (each candidate's key checked in its file); a hard purge of the whole site by its
    /// file list. What is indexed in memory from those files meanwhile (a lookup racing the
    /// purge) is purged too. Directories and tags were logged by the caller. Returns the
    /// files affected now.
    fn purge_disk(&self, site: &str, scope: Scope, mode: PurgeMode, hosts: Option<Vec<Box<str>>>) -> usize {
        use key::Scheme;
        let Some(disk) = &self.disk else { return 0 };
        let keys: Vec<Key> = match (&scope, hosts) {
            (Scope::Url { path_and_query, host }, _) => {
                [Scheme::Http, Scheme::Https].into_iter().map(|s| Key::new(s, host, path_and_query)).collect()
            }
            (Scope::Path(pq), Some(hosts)) => hosts
                .iter()
                .flat_map(|h| [Scheme::Http, Scheme::Https].into_iter().map(move |s| Key::new(s, h, pq)))
                .collect(),
            (Scope::All, _) if mode == PurgeMode::Hard => {
                let mut n = 0;
                for id in disk.files_of(&[site]) {
                    self.purge_file(id, None, mode);
                    n += 1;
                }
                return n;
            }
            _ => return 0,
        };
        let mut n = 0;
        for key in keys {
            for (id, path) in disk.candidates(site, &key) {
                let Ok(Some((obj, _))) = disk::read(&path) else { continue };
                if &*obj.site != site || obj.key != key {
                    continue;
                }
                n += 1;
                self.purge_file(id, Some(&path), mode);
            }
        }
        n
    }

    /// Purges one disk file, and what is indexed in memory from it.
    fn purge_file(&self, id: u64, path: Option<&std::path::Path>, mode: PurgeMode) {
        let Some(disk) = &self.disk else { return };
        let loaded = disk.loaded_object(id);
        match mode {
            PurgeMode::Hard => {
                if let Some(o) = &loaded {
                    self.drop_object(o);
                }
                disk.remove(id);
            }
            PurgeMode::Soft => {
                if let Some(o) = &loaded {
                    o.invalidated.store(true, Ordering::Relaxed);
                }
                Disk::mark_invalidated(&path.map_or_else(|| disk.path_for_id(id), std::path::Path::to_path_buf));
            }
        }
    }
    /// Indexes an object found on disk by the background scan at start, by hash only (its
    /// headers stay in its file): the purges logged since it was written are applied first,
    /// and of two copies of one variant the newer response stays. Counts the file in the disk
    /// budget.
    pub fn insert_found(&self, object: Object, written: u64) {
        let (Some(loc), Some(disk)) = (object.disk_loc().cloned(), &self.disk) else { return };
        if !disk::id_fits(loc.id, &object.site, &object.key) {
            let _ = std::fs::remove_file(&loc.path);
            return;
        }
        match disk.log.verdict(&object.site, &object.key, &object.tags, written) {
            Some(PurgeMode::Hard) => {
                let _ = std::fs::remove_file(&loc.path);
                return;
            }
            Some(PurgeMode::Soft) if !object.invalidated.swap(true, Ordering::Relaxed) => {
                Disk::mark_invalidated(&loc.path);
            }
            _ => {}
        }
        let evicted = disk.account(&object, &loc);
        self.site_or_create(&object.site).write().note_host(object.key.host());
        self.evict(evicted);
        self.found.fetch_add(1, Ordering::Relaxed);
    }
    /// Runs the disk tier's scan (in the background at start: the proxy serves meanwhile),
    /// with [`REBUILD_THREADS`] threads so that a cold disk has reads queued in parallel.
    pub fn rebuild(&self) {
        if let Some(disk) = &self.disk {
            // Every file written before now is read below, the purge log checked for each.
            let checked_upto = disk.log.seq();
            let shards = disk.shards();
            let next = std::sync::atomic::AtomicUsize::new(0);
            std::thread::scope(|s| {
                for _ in 0..REBUILD_THREADS {
                    s.spawn(|| {
                        while let Some(shard) = shards.get(next.fetch_add(1, Ordering::Relaxed)) {
                            for (object, written) in Disk::scan_shard(shard) {
                                self.insert_found(object, written);
                            }
                        }
                    });
                }
            });
            disk.log.trim(checked_upto);
        }
        self.rebuilt.store(true, Ordering::Release);
    }

    pub fn lurk(&self) -> usize {
        let Some(disk) = &self.disk else { return 0 };
        if disk.log.is_empty() || !self.rebuilt.load(Ordering::Acquire) {
            return 0;
        }
        // Purges newer than a file being written stay: that file is judged when read.
        let upto = disk.trim_floor();
        let sites = disk.log.sites();
        let names: Vec<&str> = sites.iter().map(String::as_str).collect();
        let mut removed = 0;
        for id in disk.files_of(&names) {
            let path = disk.path_for_id(id);
            let Ok(Some((obj, written))) = disk::read(&path) else { continue };
            match disk.log.verdict(&obj.site, &obj.key, &obj.tags, written) {
                Some(PurgeMode::Hard) if disk.has(id) => {
                    self.purge_file(id, Some(&path), PurgeMode::Hard);
                    removed += 1;
                }
                Some(PurgeMode::Soft) => self.purge_file(id, Some(&path), PurgeMode::Soft),
                _ => {}
            }
        }
        disk.log.trim(upto);
        removed
    }
    /// Starts the background pass of the purge log (with a disk tier).
    pub fn start_lurker(self: &Arc<Self>) -> std::io::Result<()> {
        if self.disk.is_none() {
            return Ok(());
        }
        let cache = Arc::downgrade(self);
        std::thread::Builder::new().name("cache-lurker".into()).spawn(move || {
            loop {
                std::thread::sleep(LURK_EVERY);
                let Some(cache) = cache.upgrade() else { return };
                let removed = cache.lurk();
                if removed > 0 {
                    tracing::info!(files = removed, "purged disk files found by the purge log");
                }
            }
        })?;
        Ok(())
    }

    /// Objects found on disk at start so far, and whether the scan is over.
    pub fn rebuild_progress(&self) -> (u64, bool) {
        (self.found.load(Ordering::Relaxed), self.rebuilt.load(Ordering::Acquire))
    }

    /// Writes a small object's body to the disk tier off the request path (the disk writer
    /// thread): the object is already indexed and serving from memory; its file is attached
    /// when written. When the writer's queue is full (the disk takes less than the fills), the
    /// object is not written and counted: it stays in the memory tier while it is used. Waiting
    /// instead would hold every such fill in memory, without bound, since its client already
    /// has its answer.
    pub fn write_behind(&self, object: Arc<Object>, body: bytes::Bytes) {
        if let Some(tx) = self.writes.get()
            && tx.try_send((object, body)).is_err()
        {
            self.write_skipped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Starts the disk writer thread (with a disk tier).
    pub fn start_disk_writer(self: &Arc<Self>) -> std::io::Result<()> {
        if self.disk.is_none() {
            return Ok(());
        }
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(Arc<Object>, bytes::Bytes)>(WRITE_QUEUE);
        let _ = self.writes.set(tx);
        let cache = Arc::downgrade(self);
        std::thread::Builder::new().name("cache-disk-writer".into()).spawn(move || {
            while let Some((object, body)) = rx.blocking_recv() {
                let Some(cache) = cache.upgrade() else { return };
                cache.write_now(&object, &body);
            }
        })?;
        Ok(())
    }

    /// Writes one object's file and attaches it (see [`Cache::write_behind`]).
    pub fn write_now(&self, object: &Arc<Object>, body: &[u8]) {
        let Some(disk) = &self.disk else { return };
        if object.gone.load(Ordering::Relaxed) {
            return;
        }
        let loc = match disk.write_whole(object, body) {
            Ok(loc) => Arc::new(loc),
            Err(e) => {
                tracing::warn!(error = %e, "disk tier write failed; the object stays in memory only");
                return;
            }
        };
        if object.disk.set(loc.clone()).is_err() {
            let _ = std::fs::remove_file(&loc.path);
            return;
        }
        let evicted = disk.account(object, &loc);
        disk.set_loaded(loc.id, object);
        // Replaced, purged or evicted meanwhile (or a newer copy is on disk): its file goes.
        if object.gone.load(Ordering::Relaxed) || !disk.has(loc.id) {
            disk.unset_loaded(loc.id, object);
            disk.remove(loc.id);
        }
        self.evict(evicted);
    }

    /// Deletes the files the disk budget evicted and drops from the memory index the objects
    /// indexed from them (one still in the memory tier with its body stays there, without its
    /// file, until the memory tier lets it go).
    pub fn evict(&self, evicted: Vec<disk::Evicted>) {
        for e in evicted {
            let _ = std::fs::remove_file(&e.path);
            let Some(v) = e.loaded else { continue };
            let Some(index) = self.site(&v.site) else { continue };
            let mut ix = index.write();
            let Some(variants) = ix.entries.get_mut(&v.key) else { continue };
            let Some(i) = variants.iter().position(|o| Arc::ptr_eq(o, &v)) else { continue };
            if let Body::Memory(bytes) = &v.body
                && v.in_memory.load(Ordering::Relaxed)
            {
                let mut copy = v.with_body(Body::Memory(bytes.clone()));
                copy.disk = std::sync::OnceLock::new();
                let copy = Arc::new(copy);
                variants[i] = copy.clone();
                drop(ix);
                self.forget(&v, false);
                self.remember(copy);
            } else {
                variants.remove(i);
                if variants.is_empty() {
                    ix.entries.remove(&v.key);
                }
                ix.untag(&v);
                drop(ix);
                self.objects.fetch_sub(1, Ordering::Relaxed);
                self.forget(&v, false);
            }
        }
    }
    /// Small objects not written to disk because the writer's queue was full.
    pub fn writes_skipped(&self) -> u64 {
        self.write_skipped.load(Ordering::Relaxed)
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

    /// Starts counting what a fill gathers in memory.
    pub fn gathering(self: &Arc<Self>) -> Gathering {
        Gathering { cache: self.clone(), held: 0 }
    }

    /// Memory the index of disk objects takes (estimated), and bytes fills hold now.
    pub fn overheads(&self) -> (u64, u64) {
        (self.disk.as_ref().map_or(0, Disk::index_used), self.gathered.load(Ordering::Relaxed))
    }

    /// Objects stored (in the memory index, or on disk only) and bytes held (memory, disk).
    pub fn usage(&self) -> (u64, u64, u64) {
        let memory = self.memory.lock().unwrap_or_else(|e| e.into_inner()).bytes;
        let disk_only = self.disk.as_ref().map_or(0, |d| d.files().saturating_sub(d.loaded())) as u64;
        (self.objects.load(Ordering::Relaxed) + disk_only, memory, self.disk.as_ref().map_or(0, Disk::used))
    }
}

/// Marks an object as out of the index, so that a late [`Cache::remember`] does not count it.
fn victims_gone(o: &Object) {
    o.gone.store(true, Ordering::Relaxed);
}
