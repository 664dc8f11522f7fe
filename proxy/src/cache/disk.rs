//! The disk tier: one file per stored object under `DIR/objects/xx/`, written to a temporary
//! name while the body streams in, then renamed, so a crash never leaves a half object visible.
//! Each write gets a file of its own (`HASH-UNIQUE`, the hash naming the variant): a reader that
//! holds the previous copy of a variant keeps reading the previous file, never the new one at
//! the old offset. At start the directory is scanned and every complete object is indexed
//! again (the newest copy of each variant; older copies left by a crash are removed): the cache
//! survives a restart. Files of another format version are removed.
//!
//! **The compact index.** An object on disk only is known by a few numbers, not by its key and
//! headers: its file id, the hash of its site and key, the hash of its `Vary` values, its size
//! and its place in the eviction order (about 95 bytes with the maps' own slots, counted in
//! the index budget as [`FILE_INDEX_BYTES`]). A lookup that finds no object in memory looks up
//! the hash here and reads the candidate files' metadata (a few hundred bytes, from the page
//! cache when warm), checks the key it holds (a hash collision is a miss), and indexes the
//! object in memory again; purges that cannot be resolved among hashes are logged
//! ([`super::purgelog`]) and checked at that read. Files are named by their id.
//!
//! Accounting is by file: a map from id to what is known of it and the age order for eviction,
//! so adding and removing a file costs O(log n) whatever the number of files.
//!
//! File layout: `AMOEOBJ3` (8 bytes), flags (1 byte, bit 0 = soft-purged), body length
//! (8 bytes BE), metadata length (4 bytes BE), CRC-32 of the body (4 bytes BE), metadata
//! (JSON, with the purge-log sequence at the writing), body. The length and the checksum are checked when a body is read: a file truncated
//! or overwritten while indexed is never served (see `handler.rs`).

use super::Key;
use super::object::{Body, DiskLoc, Object};
use super::policy::Freshness;
use super::purgelog::PurgeLog;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, UNIX_EPOCH};

const MAGIC: &[u8; 8] = b"AMOEOBJ3";
const FLAGS_AT: u64 = 8;
const BODY_LEN_AT: u64 = 9;
const CRC_AT: u64 = 21;
const HEADER_LEN: u64 = 25;

/// Index memory counted per file: its record in the map by id and its slot in the age order
/// (measured at about 95 bytes; see `tests/index_cost.rs`).
pub const FILE_INDEX_BYTES: u64 = 128;

#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    site: String,
    key: String,
    status: u16,
    headers: Vec<(String, Vec<u8>)>,
    vary: Vec<(String, Option<Vec<u8>>)>,
    lifetime_ms: u64,
    initial_age_ms: u64,
    response_time_ms: u64,
    swr_ms: u64,
    sie_ms: Option<u64>,
    must_revalidate: bool,
    no_cache: bool,
    tags: Vec<String>,
    /// The purge log's sequence when the file was written: later purges apply to it.
    written: u64,
}

fn ms(d: Duration) -> u64 {
    d.as_millis().min(u128::from(u64::MAX)) as u64
}

impl Meta {
    fn of(o: &Object, written: u64) -> Meta {
        let f = &o.freshness;
        Meta {
            site: o.site.to_string(),
            key: o.key.as_str().to_string(),
            status: o.status.as_u16(),
            headers: o.headers.iter().map(|(k, v)| (k.as_str().to_string(), v.as_bytes().to_vec())).collect(),
            vary: o
                .vary
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), v.as_ref().map(|v| v.as_bytes().to_vec())))
                .collect(),
            lifetime_ms: ms(f.lifetime),
            initial_age_ms: ms(f.initial_age),
            response_time_ms: ms(f.response_time.duration_since(UNIX_EPOCH).unwrap_or_default()),
            swr_ms: ms(f.stale_while_revalidate),
            sie_ms: f.stale_if_error.map(ms),
            must_revalidate: f.must_revalidate,
            no_cache: f.no_cache,
            tags: o.tags.clone(),
            written,
        }
    }

    fn into_object(self, loc: Arc<DiskLoc>, invalidated: bool) -> Option<Object> {
        let mut headers = HeaderMap::new();
        for (k, v) in self.headers {
            headers.append(HeaderName::from_bytes(k.as_bytes()).ok()?, HeaderValue::from_bytes(&v).ok()?);
        }
        let mut vary = Vec::new();
        for (k, v) in self.vary {
            vary.push((HeaderName::from_bytes(k.as_bytes()).ok()?, v.and_then(|v| HeaderValue::from_bytes(&v).ok())));
        }
        Some(Object {
            site: self.site.into(),
            key: Key::from_stored(&self.key)?,
            status: StatusCode::from_u16(self.status).ok()?,
            headers,
            vary,
            freshness: Freshness {
                lifetime: Duration::from_millis(self.lifetime_ms),
                initial_age: Duration::from_millis(self.initial_age_ms),
                response_time: UNIX_EPOCH + Duration::from_millis(self.response_time_ms),
                stale_while_revalidate: Duration::from_millis(self.swr_ms),
                stale_if_error: self.sie_ms.map(Duration::from_millis),
                must_revalidate: self.must_revalidate,
                no_cache: self.no_cache,
            },
            tags: self.tags,
            body: Body::Disk(loc.clone()),
            disk: {
                let cell = std::sync::OnceLock::new();
                let _ = cell.set(loc);
                cell
            },
            invalidated: AtomicBool::new(invalidated),
            ..Object::default()
        })
    }
}

/// The disk tier.
#[derive(Debug)]
pub struct Disk {
    dir: PathBuf,
    limit: u64,
    used: AtomicU64,
    /// The memory the index of disk objects may take, and what it takes.
    index_limit: u64,
    index_used: AtomicU64,
    files: Mutex<Files>,
    /// Purges not yet applied to the objects on disk only.
    pub log: PurgeLog,
}

/// What the index knows of a file (see the module documentation): 24 bytes. The file's id
/// carries the hash of its site and key ([`entry_hash`]) in all but its last [`SLOT_BITS`]
/// bits, which tell the copies of one key apart (variants, or another key with the same hash).
#[derive(Debug)]
struct FileInfo {
    /// Place in the age order: the response's time ([`order_time`], high 40 bits), then a
    /// counter.
    order: u64,
    size: u64,
    /// Hash of the `Vary` values ([`variant_hash`]).
    variant: u32,
    site: u16,
    /// Used since the eviction hand last passed (CLOCK's second chance).
    referenced: bool,
}

/// A response's time in the age order: milliseconds since 2020 (40 bits: until 2054).
fn order_time(t: std::time::SystemTime) -> u64 {
    const Y2020: u64 = 1_577_836_800_000;
    let ms = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    ms.saturating_sub(Y2020).min((1 << 40) - 1)
}

/// An age-order key: the time, then a counter (24 bits) for responses of the same millisecond.
fn order_key(time: u64, seq: u32) -> u64 {
    (time << 24) | u64::from(seq & 0xff_ffff)
}

/// Bits of a file id that tell the copies of one key hash apart.
const SLOT_BITS: u32 = 4;
const SLOTS: u64 = 1 << SLOT_BITS;

/// The id of slot `slot` of a key hash.
fn slot_id(entry: u64, slot: u64) -> u64 {
    (entry & !(SLOTS - 1)) | slot
}

/// A file evicted to keep the budget: deleted by the caller, which also drops the object
/// indexed in memory from it, if any.
#[derive(Debug, Clone)]
pub struct Evicted {
    pub path: PathBuf,
    pub loaded: Option<Arc<Object>>,
}

/// The files counted, by id and from the oldest response to the newest (eviction order).
#[derive(Debug, Default)]
struct Files {
    seq: u32,
    by_id: HashMap<u64, FileInfo>,
    order: BTreeMap<u64, u64>,
    sites: Vec<Arc<str>>,
    site_ids: HashMap<Arc<str>, u16>,
    /// Ids taken by files being written (not counted yet): when, and the purge log's sequence
    /// their metadata records (purges after it must stay logged until they are counted).
    reserved: HashMap<u64, (std::time::Instant, u64)>,
    /// Files whose object is indexed in memory now (the object is found from its file on
    /// eviction); as many as the memory tier holds.
    loaded: HashMap<u64, Weak<Object>>,
}

/// A reservation older than this is taken to be a writer that went away.
const RESERVATION: Duration = Duration::from_secs(600);

impl Files {
    fn site_id(&mut self, site: &Arc<str>) -> u16 {
        if let Some(id) = self.site_ids.get(site) {
            return *id;
        }
        // More sites than a u16 counts share the last id (the key in the file is checked).
        let id = u16::try_from(self.sites.len()).unwrap_or(u16::MAX);
        if usize::from(id) == self.sites.len() {
            self.sites.push(site.clone());
        }
        self.site_ids.insert(site.clone(), id);
        id
    }

    /// The counted files of a key hash.
    fn ids_of(&self, entry: u64) -> impl Iterator<Item = u64> + '_ {
        (0..SLOTS).map(move |s| slot_id(entry, s)).filter(|id| self.by_id.contains_key(id))
    }

    /// A free id for a new file of `entry`, reserved until counted; `None` when all its slots
    /// are counted or being written (a 17th copy of one key is not stored on disk).
    fn reserve(&mut self, entry: u64, written: u64) -> Option<u64> {
        let now = std::time::Instant::now();
        if self.reserved.len() > 1024 {
            self.reserved.retain(|_, (t, _)| now.duration_since(*t) <= RESERVATION);
        }
        let id = (0..SLOTS).map(|s| slot_id(entry, s)).find(|id| {
            !self.by_id.contains_key(id)
                && self.reserved.get(id).is_none_or(|(t, _)| now.duration_since(*t) > RESERVATION)
        })?;
        self.reserved.insert(id, (now, written));
        Some(id)
    }

    /// Takes a file out of every map.
    fn take(&mut self, id: u64) -> Option<(FileInfo, Option<Weak<Object>>)> {
        let info = self.by_id.remove(&id)?;
        self.order.remove(&info.order);
        Some((info, self.loaded.remove(&id)))
    }
}

/// The id of the first slot of a site and key (tests and tools; files get theirs from
/// [`Disk::writer`] and [`Disk::write_whole`]).
pub fn first_id(site: &str, key: &Key) -> u64 {
    slot_id(entry_hash(site, key), 0)
}

/// Whether a file's id fits its site and key (a file renamed by hand does not).
pub fn id_fits(id: u64, site: &str, key: &Key) -> bool {
    slot_id(entry_hash(site, key), 0) == slot_id(id, 0)
}

/// The hash of a site and a key (the compact index's key).
pub fn entry_hash(site: &str, key: &Key) -> u64 {
    // A hash with a fixed definition: file names outlive the toolchain that made them.
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(site.as_bytes());
    h.update([0]);
    h.update(key.as_str().as_bytes());
    let d = h.finalize();
    u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// The hash of a variant's `Vary` values.
fn variant_hash(o: &Object) -> u32 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (k, v) in &o.vary {
        k.as_str().hash(&mut h);
        v.as_ref().map(HeaderValue::as_bytes).hash(&mut h);
    }
    h.finish() as u32
}

/// A body being written to the disk tier.
#[derive(Debug)]
pub struct Writer {
    id: u64,
    file: std::fs::File,
    tmp: PathBuf,
    path: PathBuf,
    meta_len: u64,
    written: u64,
    crc: crc32fast::Hasher,
}

impl Writer {
    pub fn append(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        self.file.write_all(chunk)?;
        self.crc.update(chunk);
        self.written += chunk.len() as u64;
        Ok(())
    }

    pub fn written(&self) -> u64 {
        self.written
    }

    /// Completes the file and moves it into place; returns where the body is.
    pub fn finish(mut self) -> std::io::Result<DiskLoc> {
        let crc = self.crc.clone().finalize();
        let done = (|| {
            self.file.seek(SeekFrom::Start(BODY_LEN_AT))?;
            self.file.write_all(&self.written.to_be_bytes())?;
            self.file.seek(SeekFrom::Start(CRC_AT))?;
            self.file.write_all(&crc.to_be_bytes())?;
            self.file.flush()?;
            std::fs::rename(&self.tmp, &self.path)
        })();
        if let Err(e) = done {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(e);
        }
        Ok(DiskLoc { id: self.id, path: self.path.clone(), offset: HEADER_LEN + self.meta_len, len: self.written, crc })
    }

    /// Gives up: the temporary file is removed.
    pub fn abort(self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}

impl Disk {
    /// Opens the tier in `dir` (creating it). What it holds is found by [`Disk::scan`], which
    /// the proxy runs in the background while it already serves.
    pub fn open(dir: &Path, limit: u64, index_limit: u64) -> std::io::Result<Disk> {
        let objects_dir = dir.join("objects");
        private_dir(&objects_dir)?;
        let log = PurgeLog::open(dir)?;
        // Sized once for what the index budget allows (up to 16 million files): the maps never
        // grow by doubling, which would hold the old and the new table at once. Memory is
        // touched as files are counted.
        let capacity = usize::try_from(index_limit / FILE_INDEX_BYTES).unwrap_or(usize::MAX).min(1 << 24);
        let files = Files { by_id: HashMap::with_capacity(capacity), ..Files::default() };
        Ok(Disk {
            dir: objects_dir,
            limit,
            used: AtomicU64::new(0),
            index_limit,
            index_used: AtomicU64::new(0),
            files: Mutex::new(files),
            log,
        })
    }

    /// Every complete object in the tier, read lazily, shard by shard; half-written, foreign
    /// and other-version files are removed on the way.
    pub fn scan(&self) -> impl Iterator<Item = (Object, u64)> + use<> {
        self.shards().into_iter().flat_map(|shard| Self::scan_shard(&shard))
    }

    /// The shard directories, for scanning them in parallel with [`Disk::scan_shard`].
    pub fn shards(&self) -> Vec<PathBuf> {
        std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .collect()
    }

    /// The complete objects of one shard (see [`Disk::scan`]).
    pub fn scan_shard(shard: &Path) -> impl Iterator<Item = (Object, u64)> + use<> {
        std::fs::read_dir(shard).into_iter().flatten().flatten().filter_map(|entry| {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "tmp") {
                let _ = std::fs::remove_file(&path);
                return None;
            }
            match read(&path) {
                Ok(Some(found)) => Some(found),
                Ok(None) => {
                    let _ = std::fs::remove_file(&path);
                    None
                }
                // Unreadable now: kept for the next start.
                Err(_) => None,
            }
        })
    }

    /// A new file id and its path: `objects/XX/ID` (hexadecimal, `XX` its first byte).
    fn new_path(&self, object: &Object, written: u64) -> std::io::Result<(u64, PathBuf)> {
        let entry = entry_hash(&object.site, &object.key);
        let id = self
            .files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .reserve(entry, written)
            .ok_or_else(|| std::io::Error::other("every file slot of this key is in use"))?;
        Ok((id, self.path_of(id)))
    }

    /// The purge sequence below which every purge may be trimmed: the oldest sequence a file
    /// being written records, or now.
    pub fn trim_floor(&self) -> u64 {
        let now = self.log.seq();
        let files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.reserved.values().map(|(_, w)| *w).min().map_or(now, |w| w.min(now))
    }

    /// Gives back an id reserved for a file that was not written.
    pub fn release(&self, id: u64) {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).reserved.remove(&id);
    }

    fn path_of(&self, id: u64) -> PathBuf {
        self.dir.join(format!("{:02x}", id >> 56)).join(format!("{id:016x}"))
    }

    /// Starts writing an object's file; the body follows with [`Writer::append`].
    pub fn writer(&self, object: &Object) -> std::io::Result<Writer> {
        let written = self.log.seq();
        let (id, path) = self.new_path(object, written)?;
        let tmp = path.with_extension("tmp");
        let started = (|| {
            let meta = serde_json::to_vec(&Meta::of(object, written)).map_err(std::io::Error::other)?;
            let mut file = create(&tmp)?;
            file.write_all(&head(object, 0, meta.len(), 0, &meta))?;
            Ok::<_, std::io::Error>((file, meta))
        })();
        let (file, meta) = match started {
            Ok(started) => started,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                self.release(id);
                return Err(e);
            }
        };
        Ok(Writer { id, file, tmp, path, meta_len: meta.len() as u64, written: 0, crc: crc32fast::Hasher::new() })
    }

    /// Writes a whole body (a small object already serving from memory) to a new file: one
    /// write and a rename.
    pub fn write_whole(&self, object: &Object, body: &[u8]) -> std::io::Result<DiskLoc> {
        let written = self.log.seq();
        let (id, path) = self.new_path(object, written)?;
        let tmp = path.with_extension("tmp");
        let meta = match serde_json::to_vec(&Meta::of(object, written)) {
            Ok(m) => m,
            Err(e) => {
                self.release(id);
                return Err(std::io::Error::other(e));
            }
        };
        let crc = crc32fast::hash(body);
        let mut bytes = head(object, body.len() as u64, meta.len(), crc, &meta);
        bytes.extend_from_slice(body);
        let done = create(&tmp).and_then(|mut f| f.write_all(&bytes)).and_then(|()| std::fs::rename(&tmp, &path));
        if let Err(e) = done {
            let _ = std::fs::remove_file(&tmp);
            self.release(id);
            return Err(e);
        }
        Ok(DiskLoc { id, path, offset: HEADER_LEN + meta.len() as u64, len: body.len() as u64, crc })
    }

    /// Counts a new file backing `object` and returns the files to delete to stay within the
    /// disk and index budgets: the ones with the oldest responses (O(log n) each, whatever the
    /// file count), and an older copy of the same variant (a crash left it, or the variant was
    /// written again): of two copies the newer response stays.
    pub fn account(&self, object: &Object, loc: &DiskLoc) -> Vec<Evicted> {
        let size = loc.offset + loc.len;
        let time = order_time(object.freshness.response_time);
        let variant = variant_hash(object);
        let mut evicted = Vec::new();
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.reserved.remove(&loc.id);
        if let Some((old, _)) = files.take(loc.id) {
            self.used.fetch_sub(old.size, Ordering::Relaxed);
            self.index_used.fetch_sub(FILE_INDEX_BYTES, Ordering::Relaxed);
        }
        let site = files.site_id(&object.site);
        let copies: Vec<(u64, u64)> = files
            .ids_of(loc.id)
            .filter_map(|id| {
                files.by_id.get(&id).filter(|i| i.variant == variant && i.site == site).map(|i| (id, i.order))
            })
            .collect();
        if copies.iter().any(|(_, other)| other >> 24 > time) {
            // A counted copy holds a newer response: this file goes (`has` tells the caller).
            return vec![Evicted { path: loc.path.clone(), loaded: None }];
        }
        for (id, _) in copies {
            if let Some((info, loaded)) = files.take(id) {
                self.used.fetch_sub(info.size, Ordering::Relaxed);
                self.index_used.fetch_sub(FILE_INDEX_BYTES, Ordering::Relaxed);
                evicted.push(Evicted { path: self.path_of(id), loaded: loaded.and_then(|w| w.upgrade()) });
            }
        }
        files.seq = files.seq.wrapping_add(1);
        let order = order_key(time, files.seq);
        files.order.insert(order, loc.id);
        files.by_id.insert(loc.id, FileInfo { order, size, variant, site, referenced: false });
        let mut used = self.used.fetch_add(size, Ordering::Relaxed) + size;
        let mut index_used = self.index_used.fetch_add(FILE_INDEX_BYTES, Ordering::Relaxed) + FILE_INDEX_BYTES;
        let mut second_chances = files.order.len();
        while (used > self.limit || index_used > self.index_limit) && files.order.len() > 1 {
            let Some((&oldest, &id)) = files.order.first_key_value() else { break };
            // Second chance (CLOCK over the age order): a file used since the hand last passed
            // goes to the back instead; see `examples/eviction.rs` for what it is worth.
            // A hit on disk sets the bit; a hit on the object in memory counts too.
            let in_memory = files
                .loaded
                .get(&id)
                .and_then(Weak::upgrade)
                .is_some_and(|o| o.referenced.swap(false, Ordering::Relaxed));
            let referenced = files.by_id.get_mut(&id).is_some_and(|i| std::mem::take(&mut i.referenced)) || in_memory;
            if second_chances > 0 && referenced {
                second_chances -= 1;
                files.seq = files.seq.wrapping_add(1);
                let again = order_key(time.max(oldest >> 24), files.seq);
                files.order.remove(&oldest);
                files.order.insert(again, id);
                if let Some(i) = files.by_id.get_mut(&id) {
                    i.order = again;
                }
                continue;
            }
            let Some((info, loaded)) = files.take(id) else {
                files.order.remove(&oldest);
                continue;
            };
            used = self.used.fetch_sub(info.size, Ordering::Relaxed) - info.size;
            index_used = self.index_used.fetch_sub(FILE_INDEX_BYTES, Ordering::Relaxed) - FILE_INDEX_BYTES;
            evicted.push(Evicted { path: self.path_of(id), loaded: loaded.and_then(|w| w.upgrade()) });
        }
        evicted
    }

    /// The files that may hold `key` of `site` (by hash: the caller checks the key in the
    /// file), with their paths.
    pub fn candidates(&self, site: &str, key: &Key) -> Vec<(u64, PathBuf)> {
        let entry = entry_hash(site, key);
        let files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        let ids: Vec<u64> = files.ids_of(entry).collect();
        drop(files);
        ids.into_iter().map(|id| (id, self.path_of(id))).collect()
    }

    /// Notes a hit on a file (its second chance at eviction).
    pub fn touch(&self, id: u64) {
        if let Some(i) = self.files.lock().unwrap_or_else(|e| e.into_inner()).by_id.get_mut(&id) {
            i.referenced = true;
        }
    }

    /// Whether the object of this file is indexed in memory now.
    pub fn is_loaded(&self, id: u64) -> bool {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).loaded.get(&id).is_some_and(|w| w.strong_count() > 0)
    }

    /// Notes that `object`, from file `id`, is indexed in memory (found from the file on
    /// eviction). Nothing when the file is no longer counted.
    pub fn set_loaded(&self, id: u64, object: &Arc<Object>) {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        if files.by_id.contains_key(&id) {
            files.loaded.insert(id, Arc::downgrade(object));
        }
    }

    /// The object indexed in memory from file `id`, if any.
    pub fn loaded_object(&self, id: u64) -> Option<Arc<Object>> {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).loaded.get(&id).and_then(Weak::upgrade)
    }

    /// Notes that `object` left the memory index (its file stays, known by its hash).
    pub fn unset_loaded(&self, id: u64, object: &Object) {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        if files.loaded.get(&id).is_some_and(|w| std::ptr::eq(w.as_ptr(), object)) {
            files.loaded.remove(&id);
        }
    }

    /// Whether file `id` is counted.
    pub fn has(&self, id: u64) -> bool {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).by_id.contains_key(&id)
    }

    /// The files of these sites (by id; the path is [`Disk::path_for_id`]), for the purges
    /// and the background pass.
    pub fn files_of(&self, sites: &[&str]) -> Vec<u64> {
        let files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        let wanted: Vec<u16> = sites.iter().filter_map(|s| files.site_ids.get(*s).copied()).collect();
        if wanted.is_empty() {
            return Vec::new();
        }
        files.by_id.iter().filter(|(_, i)| wanted.contains(&i.site)).map(|(id, _)| *id).collect()
    }

    /// Where file `id` is.
    pub fn path_for_id(&self, id: u64) -> PathBuf {
        self.path_of(id)
    }

    /// Memory the index of disk objects takes now (estimated).
    pub fn index_used(&self) -> u64 {
        self.index_used.load(Ordering::Relaxed)
    }

    /// Deletes a file (purge, replacement, damage), and drops what the index knew of it.
    pub fn remove(&self, id: u64) {
        let taken = self.files.lock().unwrap_or_else(|e| e.into_inner()).take(id);
        if let Some((info, _)) = taken {
            self.used.fetch_sub(info.size, Ordering::Relaxed);
            self.index_used.fetch_sub(FILE_INDEX_BYTES, Ordering::Relaxed);
        }
        let _ = std::fs::remove_file(self.path_of(id));
    }

    /// Files counted now, and those of them whose object is indexed in memory.
    pub fn files(&self) -> usize {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).by_id.len()
    }

    /// Files whose object is indexed in memory now.
    pub fn loaded(&self) -> usize {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).loaded.len()
    }

    /// Persists a soft purge.
    pub fn mark_invalidated(path: &Path) {
        if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(path)
            && f.seek(SeekFrom::Start(FLAGS_AT)).is_ok()
        {
            let _ = f.write_all(&[1]);
        }
    }

    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }
}

/// A file's header and metadata.
fn head(object: &Object, body_len: u64, meta_len: usize, crc: u32, meta: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN as usize + meta_len + body_len.min(1 << 20) as usize);
    out.extend_from_slice(MAGIC);
    out.push(u8::from(object.invalidated.load(Ordering::Relaxed)));
    out.extend_from_slice(&body_len.to_be_bytes());
    out.extend_from_slice(&(meta_len as u32).to_be_bytes());
    out.extend_from_slice(&crc.to_be_bytes());
    out.extend_from_slice(meta);
    out
}

/// Creates `dir` and missing parents owner-only: cached bodies can hold personal data.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// Creates a file owner-only (0600), and its shard directory when missing.
fn create(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let open = || std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path);
    match open() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                private_dir(parent)?;
            }
            open()
        }
        other => other,
    }
}

/// Reads an object's header and metadata, with the purge-log sequence at its writing:
/// `Ok(None)` for a file that is not a complete object of this version (or is gone), `Err` when
/// it could not be read now (out of descriptors, an I/O error): such a file is kept.
pub fn read(path: &Path) -> std::io::Result<Option<(Object, u64)>> {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let size = f.metadata()?.len();
    let mut head = [0u8; HEADER_LEN as usize];
    if f.read_exact(&mut head).is_err() {
        return Ok(None);
    }
    Ok(parse(path, &mut f, &head, size))
}

fn parse(path: &Path, f: &mut std::fs::File, head: &[u8; HEADER_LEN as usize], size: u64) -> Option<(Object, u64)> {
    if &head[..8] != MAGIC {
        return None;
    }
    let invalidated = head[8] & 1 == 1;
    let body_len = u64::from_be_bytes(head[9..17].try_into().ok()?);
    let meta_len = u64::from(u32::from_be_bytes(head[17..21].try_into().ok()?));
    let crc = u32::from_be_bytes(head[21..25].try_into().ok()?);
    if HEADER_LEN + meta_len + body_len != size {
        return None;
    }
    let mut meta = vec![0u8; meta_len as usize];
    f.read_exact(&mut meta).ok()?;
    let meta: Meta = serde_json::from_slice(&meta).ok()?;
    let id = path.file_name().and_then(|n| n.to_str()).and_then(|n| u64::from_str_radix(n, 16).ok())?;
    let loc = Arc::new(DiskLoc { id, path: path.to_path_buf(), offset: HEADER_LEN + meta_len, len: body_len, crc });
    let written = meta.written;
    Some((meta.into_object(loc, invalidated)?, written))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(path: &str, secs: u64) -> Object {
        Object {
            site: "s".into(),
            key: Key::new(crate::cache::key::Scheme::Http, "h", path),
            freshness: Freshness {
                response_time: UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs),
                ..Freshness::default()
            },
            ..Object::default()
        }
    }

    /// Each write of one variant gets its own file: a reader of the previous copy never reads
    /// the new one at the old offset. A scan finds both copies (the index keeps the newer).
    #[test]
    fn each_write_has_its_own_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let disk = Disk::open(dir.path(), 1 << 30, 1 << 30).expect("open");
        assert_eq!(disk.scan().count(), 0);
        let old = disk.write_whole(&object("/a", 1), b"old body").expect("write");
        assert_eq!(old.crc, crc32fast::hash(b"old body"));
        let mut reader = std::fs::File::open(&old.path).expect("open old");
        let new = disk.write_whole(&object("/a", 2), b"NEW BODY, longer").expect("write");
        assert_ne!(old.path, new.path);
        reader.seek(SeekFrom::Start(old.offset)).expect("seek");
        let mut body = String::new();
        reader.read_to_string(&mut body).expect("read");
        assert_eq!(body, "old body");
        let mut found: Vec<Object> =
            Disk::open(dir.path(), 1 << 30, 1 << 30).expect("reopen").scan().map(|(o, _)| o).collect();
        found.sort_by_key(|o| o.freshness.response_time);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].disk_loc().map(|l| (**l).clone()), Some(new.clone()));
        // Counted: of the two copies of the variant, the newer stays, whatever the order.
        let disk = Disk::open(dir.path(), 1 << 30, 1 << 30).expect("reopen");
        assert!(disk.account(&found[1], &new).is_empty());
        let evicted = disk.account(&found[0], &old);
        assert_eq!(evicted.iter().map(|e| e.path.clone()).collect::<Vec<_>>(), std::slice::from_ref(&old.path));
        assert_eq!(disk.files(), 1);
        let key = found[1].key.clone();
        assert_eq!(disk.candidates("s", &key).iter().map(|c| c.0).collect::<Vec<_>>(), [new.id]);
    }

    /// Half-written, foreign and other-version files are removed by the scan.
    #[test]
    fn the_scan_removes_what_is_not_a_complete_object() {
        let dir = tempfile::tempdir().expect("tempdir");
        let disk = Disk::open(dir.path(), 1 << 30, 1 << 30).expect("open");
        let good = disk.write_whole(&object("/a", 1), b"body").expect("write");
        let shard = good.path.parent().expect("shard").to_path_buf();
        let junk = [
            ("x.tmp", &b"half"[..]),
            ("foreign", b"hello"),
            ("00000000000000aa", b"AMOEOBJ2\0\0\0\0\0\0\0\0\0\0\0\0\0"),
        ];
        for (name, bytes) in junk {
            std::fs::write(shard.join(name), bytes).expect("write");
        }
        let truncated = disk.write_whole(&object("/b", 1), b"a longer body").expect("write");
        let f = std::fs::OpenOptions::new().write(true).open(&truncated.path).expect("open");
        f.set_len(truncated.offset + 3).expect("truncate");
        let found: Vec<(Object, u64)> = disk.scan().collect();
        assert_eq!(found.len(), 1);
        let left: Vec<_> = std::fs::read_dir(&shard).expect("dir").flatten().map(|e| e.path()).collect();
        assert!(left.iter().all(|p| *p == good.path || p.parent() != Some(&shard)), "{left:?}");
        assert!(!truncated.path.exists());
    }

    /// Where `object("/{i}", …)` is counted.
    fn loc(dir: &Path, i: u64) -> DiskLoc {
        let id = first_id("s", &object(&format!("/{i}"), 0).key);
        DiskLoc { id, path: dir.join(format!("{id:016x}")), offset: 0, len: 100, crc: 0 }
    }

    /// Accounting and eviction by the age of the response, whatever the order files are
    /// counted in; removing a file uncounts it.
    #[test]
    fn the_budget_evicts_the_oldest_responses() {
        let dir = tempfile::tempdir().expect("tempdir");
        let disk = Disk::open(dir.path(), 250, 1 << 30).expect("open");
        let loc = |i| loc(dir.path(), i);
        // Counted newest first (as a background scan may find them).
        assert!(disk.account(&object("/3", 30), &loc(3)).is_empty());
        assert!(disk.account(&object("/2", 20), &loc(2)).is_empty());
        let evicted = disk.account(&object("/1", 10), &loc(1));
        assert_eq!(evicted.len(), 1);
        assert!(evicted[0].path.ends_with(format!("{:016x}", loc(1).id)), "{evicted:?}");
        assert_eq!(disk.used(), 200);
        disk.remove(loc(2).id);
        assert_eq!((disk.used(), disk.files()), (100, 1));
        assert!(disk.account(&object("/3", 30), &DiskLoc { len: 120, ..loc(3) }).is_empty(), "counted again: replaced");
        assert_eq!(disk.used(), 120);
        assert_eq!(disk.index_used(), FILE_INDEX_BYTES);
    }

    /// A file used since the hand passed gets a second chance: the next oldest goes instead.
    #[test]
    fn a_used_file_gets_a_second_chance() {
        let dir = tempfile::tempdir().expect("tempdir");
        let disk = Disk::open(dir.path(), 250, 1 << 30).expect("open");
        let loc = |i| loc(dir.path(), i);
        let name = |e: &[Evicted]| e.iter().map(|e| e.path.file_name().map(|n| n.to_owned())).collect::<Vec<_>>();
        let file = |i: u64| Some(std::ffi::OsString::from(format!("{:016x}", loc(i).id)));
        assert!(disk.account(&object("/1", 10), &loc(1)).is_empty());
        assert!(disk.account(&object("/2", 20), &loc(2)).is_empty());
        disk.touch(loc(1).id);
        assert_eq!(name(&disk.account(&object("/3", 30), &loc(3))), [file(2)]);
        // It went to the back: /3 is older now; then its chance is spent and it goes.
        assert_eq!(name(&disk.account(&object("/4", 40), &loc(4))), [file(3)]);
        assert_eq!(name(&disk.account(&object("/5", 50), &loc(5))), [file(1)]);
    }

    /// One key has 16 file slots: a 17th copy (a 17th variant) is not stored, and no slot is
    /// given to two writers.
    #[test]
    fn a_key_has_sixteen_slots() {
        let dir = tempfile::tempdir().expect("tempdir");
        let disk = Disk::open(dir.path(), 1 << 30, 1 << 30).expect("open");
        let variant = |i: u32| Object {
            vary: vec![(http::header::ACCEPT_LANGUAGE, Some(HeaderValue::from(i)))],
            ..object("/a", 1)
        };
        let mut ids = Vec::new();
        for i in 0..16 {
            let loc = disk.write_whole(&variant(i), b"body").expect("a free slot");
            assert!(disk.account(&variant(i), &loc).is_empty());
            ids.push(loc.id);
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 16, "sixteen distinct files");
        assert!(disk.write_whole(&variant(16), b"body").is_err(), "no slot left");
        // A writer holds its slot until counted: another write takes the next one.
        disk.remove(ids[0]);
        let w = disk.writer(&variant(20)).expect("the freed slot");
        assert!(disk.write_whole(&variant(21), b"body").is_err(), "the slot being written is not given twice");
        w.abort();
    }

    /// The index budget holds whatever the number of files: FILE_INDEX_BYTES each.
    #[test]
    fn the_index_budget_caps_the_file_count() {
        let dir = tempfile::tempdir().expect("tempdir");
        let disk = Disk::open(dir.path(), u64::MAX, 10 * FILE_INDEX_BYTES).expect("open");
        for i in 1..=25 {
            let _ = disk.account(&object(&format!("/{i}"), i), &loc(dir.path(), i));
        }
        assert_eq!(disk.files(), 10);
        assert!(disk.index_used() <= 10 * FILE_INDEX_BYTES);
    }
}
