//! The disk tier: one file per stored object under `DIR/objects/xx/`, written to a temporary
//! name while the body streams in, then renamed, so a crash never leaves a half object visible.
//! Each write gets a file of its own (`HASH-UNIQUE`, the hash naming the variant): a reader that
//! holds the previous copy of a variant keeps reading the previous file, never the new one at
//! the old offset. At start the directory is scanned and every complete object is indexed
//! again (the newest copy of each variant; older copies left by a crash are removed): the cache
//! survives a restart. Files of another format version are removed.
//!
//! Accounting is by file: a map from path to (sequence, size) and the sequence order for
//! eviction, so adding and removing a file costs O(log n) whatever the number of files.
//!
//! File layout: `AMOEOBJ2` (8 bytes), flags (1 byte, bit 0 = soft-purged), body length
//! (8 bytes BE), metadata length (4 bytes BE), CRC-32 of the body (4 bytes BE), metadata
//! (JSON), body. The length and the checksum are checked when a body is read: a file truncated
//! or overwritten while indexed is never served (see `handler.rs`).

use super::Key;
use super::object::{Body, DiskLoc, Object};
use super::policy::Freshness;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

const MAGIC: &[u8; 8] = b"AMOEOBJ2";
const FLAGS_AT: u64 = 8;
const BODY_LEN_AT: u64 = 9;
const CRC_AT: u64 = 21;
const HEADER_LEN: u64 = 25;

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
}

fn ms(d: Duration) -> u64 {
    d.as_millis().min(u128::from(u64::MAX)) as u64
}

impl Meta {
    fn of(o: &Object) -> Meta {
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
}

/// A file counted in the budget, with the index entry it backs (to drop it on eviction).
#[derive(Debug)]
struct FileInfo {
    order: (u64, u64),
    size: u64,
    index: u64,
    referenced: Arc<AtomicBool>,
    site: Arc<str>,
    key: Key,
}

/// A file evicted to keep the budget: deleted by the caller, which also drops its entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evicted {
    pub path: PathBuf,
    pub site: Arc<str>,
    pub key: Key,
}

/// The files counted, by path and from the oldest response to the newest (eviction order).
#[derive(Debug, Default)]
struct Files {
    seq: u64,
    by_path: HashMap<PathBuf, FileInfo>,
    order: BTreeMap<(u64, u64), PathBuf>,
}

/// A body being written to the disk tier.
#[derive(Debug)]
pub struct Writer {
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
        Ok(DiskLoc { path: self.path.clone(), offset: HEADER_LEN + self.meta_len, len: self.written, crc })
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
        Ok(Disk {
            dir: objects_dir,
            limit,
            used: AtomicU64::new(0),
            index_limit,
            index_used: AtomicU64::new(0),
            files: Mutex::default(),
        })
    }

    /// Every complete object in the tier, read lazily, shard by shard; half-written, foreign
    /// and other-version files are removed on the way.
    pub fn scan(&self) -> impl Iterator<Item = Object> + use<> {
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
    pub fn scan_shard(shard: &Path) -> impl Iterator<Item = Object> + use<> {
        std::fs::read_dir(shard).into_iter().flatten().flatten().filter_map(|entry| {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "tmp") {
                let _ = std::fs::remove_file(&path);
                return None;
            }
            let found = read_object(&path);
            if found.is_none() {
                let _ = std::fs::remove_file(&path);
            }
            found
        })
    }

    fn path_for(&self, object: &Object) -> PathBuf {
        let mut h = Sha256::new();
        h.update(object.site.as_bytes());
        h.update([0]);
        h.update(object.key.as_str().as_bytes());
        for (k, v) in &object.vary {
            h.update([0]);
            h.update(k.as_str().as_bytes());
            h.update([1]);
            h.update(v.as_ref().map_or(&b""[..], |v| v.as_bytes()));
        }
        let hex: String = h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect();
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let unique = SEQ.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        self.dir.join(&hex[..2]).join(format!("{hex}-{nanos:x}{unique:x}"))
    }

    /// Starts writing an object's file; the body follows with [`Writer::append`].
    pub fn writer(&self, object: &Object) -> std::io::Result<Writer> {
        let path = self.path_for(object);
        let tmp = path.with_extension("tmp");
        let meta = serde_json::to_vec(&Meta::of(object)).map_err(std::io::Error::other)?;
        let mut file = create(&tmp)?;
        file.write_all(&head(object, 0, meta.len(), 0, &meta))?;
        Ok(Writer { file, tmp, path, meta_len: meta.len() as u64, written: 0, crc: crc32fast::Hasher::new() })
    }

    /// Writes a whole body (a small object already serving from memory) to a new file: one
    /// write and a rename.
    pub fn write_whole(&self, object: &Object, body: &[u8]) -> std::io::Result<DiskLoc> {
        let path = self.path_for(object);
        let tmp = path.with_extension("tmp");
        let meta = serde_json::to_vec(&Meta::of(object)).map_err(std::io::Error::other)?;
        let crc = crc32fast::hash(body);
        let mut bytes = head(object, body.len() as u64, meta.len(), crc, &meta);
        bytes.extend_from_slice(body);
        let done = create(&tmp).and_then(|mut f| f.write_all(&bytes)).and_then(|()| std::fs::rename(&tmp, &path));
        if let Err(e) = done {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        Ok(DiskLoc { path, offset: HEADER_LEN + meta.len() as u64, len: body.len() as u64, crc })
    }

    /// Counts a new file backing `object` and returns the files to delete to stay within the
    /// disk and index budgets: the ones with the oldest responses (O(log n) each, whatever the
    /// file count).
    pub fn account(&self, object: &Object, loc: &DiskLoc) -> Vec<Evicted> {
        let size = loc.offset + loc.len;
        let index = object.index_size() + (size_of::<FileInfo>() + 2 * loc.path.as_os_str().len() + 96) as u64;
        let time = object.freshness.response_time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = files.by_path.remove(&loc.path) {
            files.order.remove(&old.order);
            self.used.fetch_sub(old.size, Ordering::Relaxed);
            self.index_used.fetch_sub(old.index, Ordering::Relaxed);
        }
        files.seq += 1;
        let order = (time, files.seq);
        files.order.insert(order, loc.path.clone());
        let info = FileInfo {
            order,
            size,
            index,
            referenced: object.referenced.clone(),
            site: object.site.clone(),
            key: object.key.clone(),
        };
        files.by_path.insert(loc.path.clone(), info);
        let mut used = self.used.fetch_add(size, Ordering::Relaxed) + size;
        let mut index_used = self.index_used.fetch_add(index, Ordering::Relaxed) + index;
        let mut evicted = Vec::new();
        let mut second_chances = files.order.len();
        while (used > self.limit || index_used > self.index_limit) && files.order.len() > 1 {
            let Some((_, path)) = files.order.pop_first() else { break };
            // Second chance (CLOCK over the age order): a file used since the hand last passed
            // goes to the back instead; see `examples/eviction.rs` for what it is worth.
            let chance =
                files.by_path.get(&path).filter(|i| i.referenced.swap(false, Ordering::Relaxed)).map(|i| i.order);
            if second_chances > 0
                && let Some(old) = chance
            {
                second_chances -= 1;
                files.seq += 1;
                let order = (time.max(old.0), files.seq);
                if let Some(info) = files.by_path.get_mut(&path) {
                    info.order = order;
                }
                files.order.insert(order, path);
                continue;
            }
            let Some(info) = files.by_path.remove(&path) else { continue };
            used = self.used.fetch_sub(info.size, Ordering::Relaxed) - info.size;
            index_used = self.index_used.fetch_sub(info.index, Ordering::Relaxed) - info.index;
            evicted.push(Evicted { path, site: info.site, key: info.key });
        }
        evicted
    }

    /// Memory the index of disk objects takes now (estimated).
    pub fn index_used(&self) -> u64 {
        self.index_used.load(Ordering::Relaxed)
    }

    /// Deletes a file (purge, replacement, eviction).
    pub fn remove(&self, path: &Path) {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(info) = files.by_path.remove(path) {
            files.order.remove(&info.order);
            self.used.fetch_sub(info.size, Ordering::Relaxed);
            self.index_used.fetch_sub(info.index, Ordering::Relaxed);
        }
        drop(files);
        let _ = std::fs::remove_file(path);
    }

    /// Files counted now.
    pub fn files(&self) -> usize {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).by_path.len()
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

/// Reads an object's header; `None` for a file that is not a complete object.
fn read_object(path: &Path) -> Option<Object> {
    let mut f = std::fs::File::open(path).ok()?;
    let size = f.metadata().ok()?.len();
    let mut head = [0u8; HEADER_LEN as usize];
    f.read_exact(&mut head).ok()?;
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
    let loc = Arc::new(DiskLoc { path: path.to_path_buf(), offset: HEADER_LEN + meta_len, len: body_len, crc });
    meta.into_object(loc, invalidated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(path: &str, secs: u64) -> Object {
        Object {
            site: "s".into(),
            key: Key::new(crate::cache::key::Scheme::Http, "h", path),
            freshness: Freshness { response_time: UNIX_EPOCH + Duration::from_secs(secs), ..Freshness::default() },
            ..Object::default()
        }
    }

    /// Each write of one variant gets its own file: a reader of the previous copy never reads
    /// the new one at the old offset. A scan finds both copies (the cache keeps the newer).
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
        let mut found: Vec<Object> = Disk::open(dir.path(), 1 << 30, 1 << 30).expect("reopen").scan().collect();
        found.sort_by_key(|o| o.freshness.response_time);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].disk_loc().map(|l| (**l).clone()), Some(new));
    }

    /// Half-written, foreign and other-version files are removed by the scan.
    #[test]
    fn the_scan_removes_what_is_not_a_complete_object() {
        let dir = tempfile::tempdir().expect("tempdir");
        let disk = Disk::open(dir.path(), 1 << 30, 1 << 30).expect("open");
        let good = disk.write_whole(&object("/a", 1), b"body").expect("write");
        let shard = good.path.parent().expect("shard").to_path_buf();
        let junk = [("x.tmp", &b"half"[..]), ("foreign", b"hello"), ("old", b"AMOEOBJ1\0\0\0\0\0\0\0\0\0\0\0\0\0")];
        for (name, bytes) in junk {
            std::fs::write(shard.join(name), bytes).expect("write");
        }
        let truncated = disk.write_whole(&object("/b", 1), b"a longer body").expect("write");
        let f = std::fs::OpenOptions::new().write(true).open(&truncated.path).expect("open");
        f.set_len(truncated.offset + 3).expect("truncate");
        let found: Vec<Object> = disk.scan().collect();
        assert_eq!(found.len(), 1);
        let left: Vec<_> = std::fs::read_dir(&shard).expect("dir").flatten().map(|e| e.path()).collect();
        assert!(left.iter().all(|p| *p == good.path || p.parent() != Some(&shard)), "{left:?}");
        assert!(!truncated.path.exists());
    }

    /// Accounting and eviction by the age of the response, whatever the order files are
    /// counted in; removing a file uncounts it.
    #[test]
    fn the_budget_evicts_the_oldest_responses() {
        let dir = tempfile::tempdir().expect("tempdir");
        let disk = Disk::open(dir.path(), 250, 1 << 30).expect("open");
        let loc = |i: u64| DiskLoc { path: dir.path().join(format!("f{i}")), offset: 0, len: 100, crc: 0 };
        // Counted newest first (as a background scan may find them).
        assert!(disk.account(&object("/3", 30), &loc(3)).is_empty());
        assert!(disk.account(&object("/2", 20), &loc(2)).is_empty());
        let evicted = disk.account(&object("/1", 10), &loc(1));
        assert_eq!(evicted.iter().map(|e| e.key.path_and_query()).collect::<Vec<_>>(), ["/1"]);
        assert_eq!(disk.used(), 200);
        disk.remove(&loc(2).path);
        assert_eq!((disk.used(), disk.files()), (100, 1));
        assert!(disk.account(&object("/3", 30), &DiskLoc { len: 120, ..loc(3) }).is_empty(), "counted again: replaced");
        assert_eq!(disk.used(), 120);
    }

    /// A file used since the hand passed gets a second chance: the next oldest goes instead.
    #[test]
    fn a_used_file_gets_a_second_chance() {
        let dir = tempfile::tempdir().expect("tempdir");
        let disk = Disk::open(dir.path(), 250, 1 << 30).expect("open");
        let loc = |i: u64| DiskLoc { path: dir.path().join(format!("f{i}")), offset: 0, len: 100, crc: 0 };
        let old = object("/1", 10);
        assert!(disk.account(&old, &loc(1)).is_empty());
        assert!(disk.account(&object("/2", 20), &loc(2)).is_empty());
        old.referenced.store(true, Ordering::Relaxed);
        let evicted = disk.account(&object("/3", 30), &loc(3));
        assert_eq!(evicted.iter().map(|e| e.key.path_and_query()).collect::<Vec<_>>(), ["/2"]);
        // It went to the back: /3 is older now; then its chance is spent and it goes.
        let evicted = disk.account(&object("/4", 40), &loc(4));
        assert_eq!(evicted.iter().map(|e| e.key.path_and_query()).collect::<Vec<_>>(), ["/3"]);
        let evicted = disk.account(&object("/5", 50), &loc(5));
        assert_eq!(evicted.iter().map(|e| e.key.path_and_query()).collect::<Vec<_>>(), ["/1"]);
    }
}
