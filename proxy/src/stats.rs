//! Per-site statistics: requests, bytes, cache outcomes, status classes and a response-time
//! histogram (QS-01 asks for the share of requests answered under 2 s). Lock-free counters,
//! read as a [`Snapshot`].

use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the histogram buckets, in milliseconds; the last bucket is "more".
pub const BUCKETS_MS: [u64; 10] = [5, 10, 25, 50, 100, 250, 500, 1000, 2000, 5000];

/// How the cache answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Hit,
    Miss,
    Stale,
    Pass,
    Error,
}

impl Outcome {
    pub fn header(self) -> &'static str {
        match self {
            Outcome::Hit => "HIT",
            Outcome::Miss => "MISS",
            Outcome::Stale => "STALE",
            Outcome::Pass => "PASS",
            Outcome::Error => "ERROR",
        }
    }
}

#[derive(Debug, Default)]
pub struct Stats {
    requests: AtomicU64,
    bytes: AtomicU64,
    outcomes: [AtomicU64; 5],
    status: [AtomicU64; 5],
    histogram: [AtomicU64; BUCKETS_MS.len() + 1],
    /// Sum of the response times, in microseconds (the histogram's `_sum`).
    took_us: AtomicU64,
}

/// A copy of the counters.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Snapshot {
    pub requests: u64,
    pub bytes: u64,
    pub hit: u64,
    pub miss: u64,
    pub stale: u64,
    pub pass: u64,
    pub error: u64,
    /// Responses by status class: 1xx … 5xx.
    pub status: [u64; 5],
    /// Counts per bucket of [`BUCKETS_MS`], then beyond the last bound.
    pub histogram: Vec<u64>,
    /// Share of requests answered in under 2 s (0.0 to 1.0; 1.0 when there were none).
    pub under_2s: f64,
    /// Sum of the response times, in seconds.
    pub seconds_sum: f64,
}

impl Stats {
    pub fn record(&self, outcome: Outcome, status: u16, bytes: u64, took: Duration) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.outcomes[outcome as usize].fetch_add(1, Ordering::Relaxed);
        let class = usize::from((status / 100).clamp(1, 5) - 1);
        self.status[class].fetch_add(1, Ordering::Relaxed);
        let ms = took.as_millis() as u64;
        let bucket = BUCKETS_MS.iter().position(|b| ms < *b).unwrap_or(BUCKETS_MS.len());
        self.histogram[bucket].fetch_add(1, Ordering::Relaxed);
        self.took_us.fetch_add(took.as_micros().min(u128::from(u64::MAX)) as u64, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Snapshot {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let histogram: Vec<u64> = self.histogram.iter().map(get).collect();
        let total: u64 = histogram.iter().sum();
        let under: u64 = histogram[..=BUCKETS_MS.iter().position(|b| *b == 2000).unwrap_or(0)].iter().sum();
        Snapshot {
            requests: get(&self.requests),
            bytes: get(&self.bytes),
            hit: get(&self.outcomes[0]),
            miss: get(&self.outcomes[1]),
            stale: get(&self.outcomes[2]),
            pass: get(&self.outcomes[3]),
            error: get(&self.outcomes[4]),
            status: std::array::from_fn(|i| get(&self.status[i])),
            histogram,
            under_2s: if total == 0 { 1.0 } else { under as f64 / total as f64 },
            seconds_sum: get(&self.took_us) as f64 / 1e6,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_shares() {
        let s = Stats::default();
        s.record(Outcome::Hit, 200, 100, Duration::from_millis(3));
        s.record(Outcome::Miss, 404, 10, Duration::from_millis(1999));
        s.record(Outcome::Error, 502, 0, Duration::from_millis(2500));
        let snap = s.snapshot();
        assert_eq!((snap.requests, snap.bytes, snap.hit, snap.miss, snap.error), (3, 110, 1, 1, 1));
        assert_eq!(snap.status, [0, 1, 0, 1, 1]);
        assert_eq!(snap.histogram[0], 1);
        assert!((snap.under_2s - 2.0 / 3.0).abs() < 1e-9);
    }
}
