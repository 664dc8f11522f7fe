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
use super::object::{Body, Object};
use super::policy::Freshness;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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

    fn into_object(self, path: PathBuf, offset: u64, len: u64, invalidated: bool) -> Option<Object> {
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
            body: Body::Disk { path: path.clone(), offset, len },
            disk_file: Some(path),
            disk_offset: offset,
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
    files: Mutex<Files>,
}

/// The files counted, by path and in the order they were added (for eviction).
#[derive(Debug, Default)]
struct Files {
    seq: u64,
    by_path: HashMap<PathBuf, (u64, u64)>,
    order: BTreeMap<u64, PathBuf>,
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

    /// Completes the file and moves it into place; returns its path, body offset and length
    /// and the body's CRC-32.
    pub fn finish(mut self) -> std::io::Result<(PathBuf, u64, u64, u32)> {
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
        Ok((self.path.clone(), HEADER_LEN + self.meta_len, self.written, crc))
    }

    /// Gives up: the temporary file is removed.
    pub fn abort(self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}

impl Disk {
    /// Opens the tier in `dir` and returns it with every complete object found there.
    pub fn open(dir: &Path, limit: u64) -> std::io::Result<(Disk, Vec<Object>)> {
        let objects_dir = dir.join("objects");
        std::fs::create_dir_all(&objects_dir)?;
        let disk = Disk { dir: objects_dir, limit, used: AtomicU64::new(0), files: Mutex::default() };
        let mut found = Vec::new();
        for shard in std::fs::read_dir(&disk.dir)? {
            let shard = shard?;
            if !shard.file_type()?.is_dir() {
                continue;
            }
            for entry in std::fs::read_dir(shard.path())? {
                let path = entry?.path();
                if path.extension().is_some_and(|e| e == "tmp") {
                    let _ = std::fs::remove_file(&path);
                    continue;
                }
                match read_object(&path) {
                    Some((object, size)) => found.push((object, size)),
                    None => {
                        let _ = std::fs::remove_file(&path);
                    }
                }
            }
        }
        // Newest copy of each variant (a crash between a rename and the removal of the previous
        // copy leaves two); then oldest first, so that the budget evicts the oldest.
        found.sort_by_key(|(o, _)| std::cmp::Reverse(o.freshness.response_time));
        let mut variants = std::collections::HashSet::new();
        found.retain(|(o, _)| {
            let variant = o.disk_file.as_ref().and_then(|p| variant_of(p)).unwrap_or_default();
            let first = variants.insert(variant);
            if !first && let Some(p) = &o.disk_file {
                let _ = std::fs::remove_file(p);
            }
            first
        });
        found.reverse();
        let mut evicted = std::collections::HashSet::new();
        for (object, size) in &found {
            if let Some(path) = &object.disk_file {
                for gone in disk.account(path.clone(), *size) {
                    let _ = std::fs::remove_file(&gone);
                    evicted.insert(gone);
                }
            }
        }
        let kept = found
            .into_iter()
            .map(|(o, _)| o)
            .filter(|o| o.disk_file.as_ref().is_none_or(|p| !evicted.contains(p)))
            .collect();
        Ok((disk, kept))
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
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let tmp = path.with_extension("tmp");
        let meta = serde_json::to_vec(&Meta::of(object)).map_err(std::io::Error::other)?;
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(MAGIC)?;
        file.write_all(&[u8::from(object.invalidated.load(Ordering::Relaxed))])?;
        file.write_all(&0u64.to_be_bytes())?;
        file.write_all(&(meta.len() as u32).to_be_bytes())?;
        file.write_all(&0u32.to_be_bytes())?;
        file.write_all(&meta)?;
        Ok(Writer { file, tmp, path, meta_len: meta.len() as u64, written: 0, crc: crc32fast::Hasher::new() })
    }

    /// Counts a new file and returns the files to delete to stay within the budget.
    pub fn account(&self, path: PathBuf, size: u64) -> Vec<PathBuf> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((seq, old)) = files.by_path.remove(&path) {
            files.order.remove(&seq);
            self.used.fetch_sub(old, Ordering::Relaxed);
        }
        files.seq += 1;
        let seq = files.seq;
        files.order.insert(seq, path.clone());
        files.by_path.insert(path, (seq, size));
        let mut used = self.used.fetch_add(size, Ordering::Relaxed) + size;
        let mut evicted = Vec::new();
        while used > self.limit && files.order.len() > 1 {
            let Some((_, p)) = files.order.pop_first() else { break };
            let s = files.by_path.remove(&p).map_or(0, |(_, s)| s);
            used = self.used.fetch_sub(s, Ordering::Relaxed) - s;
            evicted.push(p);
        }
        evicted
    }

    /// Deletes a file (purge, replacement, eviction).
    pub fn remove(&self, path: &Path) {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((seq, size)) = files.by_path.remove(path) {
            files.order.remove(&seq);
            self.used.fetch_sub(size, Ordering::Relaxed);
        }
        drop(files);
        let _ = std::fs::remove_file(path);
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

/// The variant part of a file name (`HASH` of `HASH-UNIQUE`).
fn variant_of(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    Some(name.split_once('-').map_or(name, |(v, _)| v).to_string())
}

/// Reads an object's header; `None` for a file that is not a complete object.
fn read_object(path: &Path) -> Option<(Object, u64)> {
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
    let mut object = meta.into_object(path.to_path_buf(), HEADER_LEN + meta_len, body_len, invalidated)?;
    object.checksum = Some(crc);
    Some((object, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object() -> Object {
        Object {
            site: "s".into(),
            key: Key::new(crate::cache::key::Scheme::Http, "h", "/a"),
            freshness: Freshness { response_time: std::time::SystemTime::now(), ..Freshness::default() },
            ..Object::default()
        }
    }

    fn write(disk: &Disk, body: &[u8]) -> (PathBuf, u64, u64, u32) {
        let mut w = disk.writer(&object()).expect("writer");
        w.append(body).expect("append");
        w.finish().expect("finish")
    }

    /// Each write of one variant gets its own file: a reader of the previous copy never reads
    /// the new one at the old offset; a restart keeps only the newest copy.
    #[test]
    fn each_write_has_its_own_file_and_a_restart_keeps_the_newest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (disk, found) = Disk::open(dir.path(), 1 << 30).expect("open");
        assert!(found.is_empty());
        let (old, offset, _, crc) = write(&disk, b"old body");
        assert_eq!(crc, crc32fast::hash(b"old body"));
        let mut reader = std::fs::File::open(&old).expect("open old");
        std::thread::sleep(Duration::from_millis(5));
        let (new, _, _, _) = write(&disk, b"NEW BODY, longer");
        assert_ne!(old, new);
        reader.seek(SeekFrom::Start(offset)).expect("seek");
        let mut body = String::new();
        reader.read_to_string(&mut body).expect("read");
        assert_eq!(body, "old body");
        drop(disk);
        let (_disk, found) = Disk::open(dir.path(), 1 << 30).expect("reopen");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].disk_file.as_ref(), Some(&new));
        assert_eq!(found[0].checksum, Some(crc32fast::hash(b"NEW BODY, longer")));
        assert!(!old.exists(), "the older copy is removed at start");
    }

    /// Accounting and eviction by file, oldest first; removing a file uncounts it.
    #[test]
    fn the_budget_evicts_the_oldest_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (disk, _) = Disk::open(dir.path(), 250).expect("open");
        let paths: Vec<PathBuf> = (0..3).map(|i| dir.path().join(format!("f{i}"))).collect();
        assert!(disk.account(paths[0].clone(), 100).is_empty());
        assert!(disk.account(paths[1].clone(), 100).is_empty());
        assert_eq!(disk.account(paths[2].clone(), 100), vec![paths[0].clone()]);
        assert_eq!(disk.used(), 200);
        disk.remove(&paths[1]);
        assert_eq!(disk.used(), 100);
        assert!(disk.account(paths[2].clone(), 120).is_empty(), "a file counted again replaces its size");
        assert_eq!(disk.used(), 120);
    }
}
