//! A stored response: status, headers, the request headers it varies on, its freshness, its
//! tags and where its body is (memory or a disk file).

use super::Key;
use super::policy::Freshness;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

/// A body in a disk-tier file: it starts at `offset`, is `len` bytes long and has this CRC-32.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskLoc {
    /// The file's id in the disk tier (its name).
    pub id: u64,
    pub path: PathBuf,
    pub offset: u64,
    pub len: u64,
    pub crc: u32,
}

/// Where a body is.
#[derive(Debug, Clone)]
pub enum Body {
    Memory(Bytes),
    /// In its disk file only.
    Disk(Arc<DiskLoc>),
}

impl Body {
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn len(&self) -> u64 {
        match self {
            Body::Memory(b) => b.len() as u64,
            Body::Disk(loc) => loc.len,
        }
    }
}

impl Default for Body {
    fn default() -> Self {
        Body::Memory(Bytes::new())
    }
}

/// A stored partial response (RFC 9111 §3.3): the body holds bytes `start..start + len` of a
/// representation of `total` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partial {
    pub start: u64,
    pub total: u64,
}

/// One cached response (one variant of a URL).
#[derive(Debug, Default)]
pub struct Object {
    pub site: Arc<str>,
    pub key: Key,
    pub status: StatusCode,
    /// Response headers as stored (hop-by-hop fields removed).
    pub headers: HeaderMap,
    /// The request header values this variant was selected by (`Vary`).
    pub vary: Vec<(HeaderName, Option<HeaderValue>)>,
    pub freshness: Freshness,
    /// Purge tags from `Surrogate-Key` / `Cache-Tag`.
    pub tags: Vec<String>,
    pub body: Body,
    /// The disk tier's file for this object, once written (set once, by the disk writer for an
    /// object already serving from memory).
    pub disk: OnceLock<Arc<DiskLoc>>,
    /// Set for a stored partial response.
    pub partial: Option<Partial>,
    /// Set by a soft purge: treated as stale, kept for revalidation and stale-if-error.
    pub invalidated: AtomicBool,
    /// CLOCK bit: used since the eviction hand last passed.
    pub accessed: AtomicBool,
    /// Used since the disk tier's eviction last passed its file: shared by every copy of the
    /// object (in memory or not) and by the disk tier's record of its file.
    pub referenced: Arc<AtomicBool>,
    /// Counted in the memory tier now.
    pub in_memory: AtomicBool,
    /// Left the index (replaced, purged or evicted).
    pub gone: AtomicBool,
    /// Bytes counted in the memory tier for it (its size when counted: a disk file attached
    /// later does not change what is uncounted).
    pub counted: std::sync::atomic::AtomicU64,
}

impl Object {
    pub fn is_fresh(&self, now: SystemTime) -> bool {
        !self.invalidated.load(Ordering::Relaxed) && self.freshness.is_fresh(now)
    }

    /// Whether this variant answers a request with these headers (RFC 9111 §4.1).
    pub fn matches(&self, req: &HeaderMap) -> bool {
        self.vary.iter().all(|(name, stored)| {
            let now = joined(req, name);
            match (stored, now) {
                (None, None) => true,
                (Some(a), Some(b)) => normalize(name, a.as_bytes()) == normalize(name, b.as_bytes()),
                _ => false,
            }
        })
    }

    /// A copy with another body: the same response, flags and disk file (demotion, promotion).
    pub fn with_body(&self, body: Body) -> Object {
        Object {
            site: self.site.clone(),
            key: self.key.clone(),
            status: self.status,
            headers: self.headers.clone(),
            vary: self.vary.clone(),
            freshness: self.freshness.clone(),
            tags: self.tags.clone(),
            body,
            disk: self.disk_copy(),
            partial: self.partial,
            invalidated: AtomicBool::new(self.invalidated.load(Ordering::Relaxed)),
            accessed: AtomicBool::new(self.accessed.load(Ordering::Relaxed)),
            referenced: self.referenced.clone(),
            ..Object::default()
        }
    }

    /// The disk file, if written.
    pub fn disk_loc(&self) -> Option<&Arc<DiskLoc>> {
        self.disk.get()
    }

    /// An object's disk location as a new object's, for copies (promotion, demotion, 304).
    pub fn disk_copy(&self) -> OnceLock<Arc<DiskLoc>> {
        let cell = OnceLock::new();
        if let Some(loc) = self.disk.get() {
            let _ = cell.set(loc.clone());
        }
        cell
    }

    pub fn etag(&self) -> Option<&HeaderValue> {
        self.headers.get(header::ETAG)
    }

    pub fn last_modified(&self) -> Option<&HeaderValue> {
        self.headers.get(header::LAST_MODIFIED)
    }

    /// Bytes this object holds in memory, its body included when it is there.
    pub fn memory_size(&self) -> u64 {
        let body = match &self.body {
            Body::Memory(b) => b.len() as u64,
            Body::Disk(_) => 0,
        };
        self.index_size() + body
    }

    /// Bytes of its index entry: the object itself, key, headers, variants, tags, and the
    /// index's own slot (an estimate that errs on the high side).
    pub fn index_size(&self) -> u64 {
        let headers: usize = self.headers.iter().map(|(k, v)| k.as_str().len() + v.len() + 176).sum();
        let vary: usize =
            self.vary.iter().map(|(k, v)| k.as_str().len() + v.as_ref().map_or(0, HeaderValue::len) + 48).sum();
        let tags: usize = self.tags.iter().map(|t| t.len() + 48).sum();
        let disk = self.disk.get().map_or(0, |l| l.path.as_os_str().len() + 64);
        (size_of::<Object>() + 352 + headers + vary + tags + disk + 2 * self.key.as_str().len()) as u64
    }
}

/// All values of a request header, joined as one field value.
pub fn joined(req: &HeaderMap, name: &HeaderName) -> Option<HeaderValue> {
    let mut values = req.get_all(name).iter();
    let first = values.next()?.clone();
    let rest: Vec<&HeaderValue> = values.collect();
    if rest.is_empty() {
        return Some(first);
    }
    let mut all = first.as_bytes().to_vec();
    for v in rest {
        all.extend_from_slice(b", ");
        all.extend_from_slice(v.as_bytes());
    }
    HeaderValue::from_bytes(&all).ok()
}

/// Whitespace around commas does not make two values differ; for the `Accept-*` fields
/// (content negotiation, whose members are case-insensitive tokens with weights) neither do case
/// and order.
fn normalize(name: &HeaderName, v: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(v);
    let mut members: Vec<String> = text.split(',').map(str::trim).filter(|m| !m.is_empty()).map(String::from).collect();
    if name.as_str().starts_with("accept") {
        for m in &mut members {
            *m = m.to_ascii_lowercase().split(';').map(str::trim).collect::<Vec<_>>().join(";");
        }
        members.sort();
    }
    members.join(",").into_bytes()
}

/// The request headers a response varies on, with the request's values.
pub fn vary_of(resp: &HeaderMap, req: &HeaderMap) -> Vec<(HeaderName, Option<HeaderValue>)> {
    let mut out = Vec::new();
    for v in resp.get_all(header::VARY) {
        let Ok(text) = v.to_str() else { continue };
        for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if let Ok(name) = HeaderName::from_bytes(name.as_bytes())
                && !out.iter().any(|(n, _)| *n == name)
            {
                // Owned bytes: not a slice of the client connection's buffer.
                let value = joined(req, &name).and_then(|v| HeaderValue::from_bytes(v.as_bytes()).ok());
                out.push((name, value));
            }
        }
    }
    out
}

/// Tags from `Surrogate-Key` (space-separated) and `Cache-Tag` (comma-separated).
pub fn tags_of(resp: &HeaderMap) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for v in resp.get_all("surrogate-key") {
        tags.extend(v.to_str().unwrap_or("").split_whitespace().map(str::to_string));
    }
    for v in resp.get_all("cache-tag") {
        tags.extend(v.to_str().unwrap_or("").split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string));
    }
    tags.sort();
    tags.dedup();
    tags
}
