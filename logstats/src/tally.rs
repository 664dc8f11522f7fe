//! The running figures of one worker, and how two are merged.
//!
//! What: counters, exact distinct sets (64-bit hashes of addresses and visitors), an exact
//! millisecond histogram of time-taken, per-period buckets and per-URL counts. Each worker
//! fills its own; [`Tally::merge`] adds them up at the end.
//!
//! Memory: 16 bytes per distinct address or visitor-day, about 32 bytes plus the path per
//! distinct URL up to [`MAX_URLS`] per worker (further new URLs are counted in `other_urls`
//! and the top list says it is approximate). A 64-bit hash collision among a few million
//! keys has a probability near 10⁻⁷: the counts are exact in practice.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use crate::line::Entry;

/// Distinct URLs tracked per worker before new ones are only counted.
pub const MAX_URLS: usize = 1 << 20;

/// Milliseconds kept one by one in the time-taken histogram (65.5 s); slower ones by second.
const HIST_MS: usize = 1 << 16;

/// Hasher for keys that are already 64-bit hashes.
#[derive(Debug, Default, Clone, Copy)]
pub struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// A set of 64-bit hashes.
pub type HashSet64 = HashSet<u64, BuildHasherDefault<Prehashed>>;
type HashMap64<V> = HashMap<u64, V, BuildHasherDefault<Prehashed>>;

/// Figures of one period (a day, or an hour of a day).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    /// Requests.
    pub requests: u64,
    /// Bytes sent.
    pub bytes: u64,
    /// Requests with a cache field, and those the CDN served.
    pub cache_known: u64,
    /// Requests served by the CDN.
    pub cdn_requests: u64,
    /// Bytes of requests with a cache field.
    pub cache_known_bytes: u64,
    /// Bytes the CDN served.
    pub cdn_bytes: u64,
    /// Requests with a time-taken, and those under 2 s.
    pub timed: u64,
    /// Requests under 2 s.
    pub under_2s: u64,
    /// Status classes 1xx to 5xx (index 0 to 4), other at 5.
    pub classes: [u64; 6],
}

impl Bucket {
    /// Adds `o`'s figures into `self`.
    pub fn add(&mut self, o: &Bucket) {
        // Byte counts come from the logs: absurd values saturate rather than wrap.
        self.requests += o.requests;
        self.bytes = self.bytes.saturating_add(o.bytes);
        self.cache_known += o.cache_known;
        self.cdn_requests += o.cdn_requests;
        self.cache_known_bytes = self.cache_known_bytes.saturating_add(o.cache_known_bytes);
        self.cdn_bytes = self.cdn_bytes.saturating_add(o.cdn_bytes);
        self.timed += o.timed;
        self.under_2s += o.under_2s;
        for (a, b) in self.classes.iter_mut().zip(o.classes) {
            *a += b;
        }
    }
}

/// One URL's counts; the path is in the tally's arena.
#[derive(Debug, Clone, Copy)]
struct UrlCount {
    requests: u64,
    bytes: u64,
    at: u32,
    len: u32,
}

/// Per-period key: day number and hour (255 when counting by day).
pub type PeriodKey = (i32, u8);

/// The figures of a worker, or of a whole run once merged.
#[derive(Debug)]
pub struct Tally {
    /// All requests together.
    pub total: Bucket,
    /// Sum of time-taken, µs.
    pub time_sum_us: u128,
    hist_ms: Vec<u64>,
    /// Seconds above the histogram → count.
    hist_slow: BTreeMap<u64, u64>,
    /// Requests by status code (0–999).
    pub status: Vec<u64>,
    /// Requests by method (at most 64 distinct; then `other`).
    pub methods: Vec<(Vec<u8>, u64)>,
    /// Distinct client addresses.
    pub ips: HashSet64,
    /// Distinct visitors per day: (address, user agent) hashes, 4xx excluded.
    pub visitors: BTreeMap<i32, HashSet64>,
    /// Figures per period.
    pub periods: BTreeMap<PeriodKey, Bucket>,
    urls: HashMap64<UrlCount>,
    arena: Vec<u8>,
    /// Requests whose URL was not tracked (over [`MAX_URLS`]).
    pub other_urls: u64,
    hasher: foldhash::fast::FixedState,
    by_hour: bool,
    last_period: Option<(PeriodKey, Bucket)>,
}

impl Tally {
    /// An empty tally; `by_hour` splits periods by hour.
    pub fn new(by_hour: bool) -> Tally {
        Tally {
            total: Bucket::default(),
            time_sum_us: 0,
            hist_ms: vec![0; HIST_MS],
            hist_slow: BTreeMap::new(),
            status: vec![0; 1000],
            methods: Vec::new(),
            ips: HashSet64::default(),
            visitors: BTreeMap::new(),
            periods: BTreeMap::new(),
            urls: HashMap64::default(),
            arena: Vec::new(),
            other_urls: 0,
            hasher: foldhash::fast::FixedState::with_seed(0x616d_6f65),
            by_hour,
            last_period: None,
        }
    }

    fn hash(&self, parts: &[&[u8]]) -> u64 {
        let mut h = self.hasher.build_hasher();
        for p in parts {
            h.write(p);
            h.write_u8(0xff);
        }
        h.finish()
    }

    /// Counts one request.
    pub fn add(&mut self, e: &Entry<'_>) {
        let mut b = Bucket { requests: 1, bytes: e.bytes, ..Bucket::default() };
        if let Some(cdn) = e.cdn {
            b.cache_known = 1;
            b.cache_known_bytes = e.bytes;
            if cdn {
                b.cdn_requests = 1;
                b.cdn_bytes = e.bytes;
            }
        }
        if let Some(us) = e.time_taken_us {
            b.timed = 1;
            b.under_2s = u64::from(us < 2_000_000);
            self.time_sum_us += u128::from(us);
            let ms = (us / 1000) as usize;
            match self.hist_ms.get_mut(ms) {
                Some(c) => *c += 1,
                None => *self.hist_slow.entry(us / 1_000_000).or_default() += 1,
            }
        }
        let class = match e.status {
            100..=599 => usize::from(e.status / 100 - 1),
            _ => 5,
        };
        b.classes[class] = 1;
        self.status[usize::from(e.status).min(999)] += 1;
        self.total.add(&b);

        let key = (e.day, if self.by_hour { e.hour } else { 255 });
        match &mut self.last_period {
            Some((k, acc)) if *k == key => acc.add(&b),
            slot => {
                if let Some((k, acc)) = slot.take() {
                    self.periods.entry(k).or_default().add(&acc);
                }
                *slot = Some((key, b));
            }
        }

        let room = self.methods.len() < 64;
        let method: &[u8] =
            if room || self.methods.iter().any(|(m, _)| m.as_slice() == e.method) { e.method } else { b"other" };
        match self.methods.iter_mut().find(|(m, _)| m.as_slice() == method) {
            Some((_, c)) => *c += 1,
            None => self.methods.push((method.to_vec(), 1)),
        }

        let ip = self.hash(&[e.ip]);
        self.ips.insert(ip);
        if !(400..500).contains(&e.status) {
            let v = match e.ua {
                Some(ua) => self.hash(&[e.ip, ua]),
                None => ip,
            };
            self.visitors.entry(e.day).or_default().insert(v);
        }

        let u = self.hash(&[e.path]);
        let room = self.urls.len() < MAX_URLS && self.arena.len() + e.path.len() <= u32::MAX as usize;
        match self.urls.get_mut(&u) {
            Some(c) => {
                c.requests += 1;
                c.bytes = c.bytes.saturating_add(e.bytes);
            }
            None if room => {
                let at = self.arena.len() as u32;
                self.arena.extend_from_slice(e.path);
                self.urls.insert(u, UrlCount { requests: 1, bytes: e.bytes, at, len: e.path.len() as u32 });
            }
            None => self.other_urls += 1,
        }
    }

    /// Folds the pending period into the map (call before reading `periods`).
    pub fn settle(&mut self) {
        if let Some((k, acc)) = self.last_period.take() {
            self.periods.entry(k).or_default().add(&acc);
        }
    }

    /// Adds `o` into `self`.
    pub fn merge(&mut self, mut o: Tally) {
        self.settle();
        o.settle();
        self.total.add(&o.total);
        self.time_sum_us += o.time_sum_us;
        for (a, b) in self.hist_ms.iter_mut().zip(&o.hist_ms) {
            *a += b;
        }
        for (k, v) in o.hist_slow {
            *self.hist_slow.entry(k).or_default() += v;
        }
        for (a, b) in self.status.iter_mut().zip(&o.status) {
            *a += b;
        }
        for (m, c) in o.methods {
            match self.methods.iter_mut().find(|(x, _)| *x == m) {
                Some((_, n)) => *n += c,
                None => self.methods.push((m, c)),
            }
        }
        if self.ips.len() < o.ips.len() {
            std::mem::swap(&mut self.ips, &mut o.ips);
        }
        self.ips.extend(o.ips);
        for (day, mut set) in o.visitors {
            let mine = self.visitors.entry(day).or_default();
            if mine.len() < set.len() {
                std::mem::swap(mine, &mut set);
            }
            mine.extend(set);
        }
        for (k, b) in o.periods {
            self.periods.entry(k).or_default().add(&b);
        }
        self.other_urls += o.other_urls;
        for (h, c) in o.urls {
            let room = self.urls.len() < MAX_URLS;
            match self.urls.get_mut(&h) {
                Some(mine) => {
                    mine.requests += c.requests;
                    mine.bytes = mine.bytes.saturating_add(c.bytes);
                }
                None if room && self.arena.len() + (c.len as usize) <= u32::MAX as usize => {
                    let at = self.arena.len() as u32;
                    self.arena.extend_from_slice(&o.arena[c.at as usize..(c.at + c.len) as usize]);
                    self.urls.insert(h, UrlCount { at, ..c });
                }
                None => self.other_urls += c.requests,
            }
        }
    }

    /// The time-taken (µs) below which `q` (0–1) of the timed requests fall, to the millisecond.
    pub fn quantile_us(&self, q: f64) -> Option<u64> {
        let n = self.total.timed;
        if n == 0 {
            return None;
        }
        let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0;
        for (ms, c) in self.hist_ms.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(ms as u64 * 1000);
            }
        }
        for (s, c) in &self.hist_slow {
            seen += c;
            if seen >= rank {
                return Some(s * 1_000_000);
            }
        }
        None
    }

    /// The `n` most requested paths: (path, requests, bytes), most first, ties by path.
    pub fn top_urls(&self, n: usize) -> Vec<(String, u64, u64)> {
        let mut all: Vec<&UrlCount> = self.urls.values().collect();
        let path = |c: &UrlCount| &self.arena[c.at as usize..(c.at + c.len) as usize];
        let order = |a: &&UrlCount, b: &&UrlCount| b.requests.cmp(&a.requests).then_with(|| path(a).cmp(path(b)));
        if all.len() > n && n > 0 {
            all.select_nth_unstable_by(n - 1, order);
            all.truncate(n);
        }
        all.sort_unstable_by(order);
        all.into_iter().take(n).map(|c| (String::from_utf8_lossy(path(c)).into_owned(), c.requests, c.bytes)).collect()
    }

    /// Distinct visitors over all days (a visitor is per day, as GoAccess counts).
    pub fn visitor_count(&self) -> u64 {
        self.visitors.values().map(|s| s.len() as u64).sum()
    }
}
