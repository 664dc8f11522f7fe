//! Protection of the proxy and the origins (seed 003 §3.2.8): a token bucket per client IP
//! (429 when empty) and a cap on open connections per client IP. Header and body time-outs and
//! size limits are enforced by the server (`server.rs`) and the request lifecycle.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

const SHARDS: usize = 16;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Token buckets per client IP, sharded to keep contention low.
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    shards: Vec<Mutex<HashMap<IpAddr, Bucket>>>,
}

impl RateLimiter {
    pub fn new(rate: f64, burst: f64) -> RateLimiter {
        RateLimiter { rate, burst: burst.max(1.0), shards: (0..SHARDS).map(|_| Mutex::default()).collect() }
    }

    fn shard(&self, ip: &IpAddr) -> &Mutex<HashMap<IpAddr, Bucket>> {
        let h = match ip {
            IpAddr::V4(v4) => u32::from(*v4) as usize,
            IpAddr::V6(v6) => (u128::from(*v6) as usize) ^ ((u128::from(*v6) >> 64) as usize),
        };
        &self.shards[h % SHARDS]
    }

    /// Takes a token; `Err(seconds)` until the next one when the bucket is empty.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let mut map = self.shard(&ip).lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            // Forget idle clients rather than grow without bound.
            map.retain(|_, b| now.duration_since(b.last).as_secs_f64() * self.rate < self.burst);
        }
        let b = map.entry(ip).or_insert(Bucket { tokens: self.burst, last: now });
        b.tokens = (b.tokens + now.duration_since(b.last).as_secs_f64() * self.rate).min(self.burst);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.tokens) / self.rate).ceil().max(1.0) as u64)
        }
    }
}

/// Open connections per client IP.
#[derive(Debug)]
pub struct ConnLimiter {
    max: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// Releases a connection slot when dropped.
#[derive(Debug)]
pub struct ConnSlot(Arc<ConnLimiter>, IpAddr);

impl Drop for ConnSlot {
    fn drop(&mut self) {
        let mut open = self.0.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.1) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.1);
            }
        }
    }
}

impl ConnLimiter {
    pub fn new(max: usize) -> ConnLimiter {
        ConnLimiter { max, open: Mutex::default() }
    }

    /// A slot for a new connection, or `None` when the client has too many open.
    pub fn acquire(self: &Arc<Self>, ip: IpAddr) -> Option<ConnSlot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(ip).or_insert(0);
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(ConnSlot(self.clone(), ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bucket_refills_at_the_rate() {
        let rl = RateLimiter::new(10.0, 2.0);
        let ip: IpAddr = "192.0.2.1".parse().expect("ip");
        let t0 = Instant::now();
        assert!(rl.check(ip, t0).is_ok());
        assert!(rl.check(ip, t0).is_ok());
        assert!(rl.check(ip, t0).is_err());
        assert!(rl.check(ip, t0 + Duration::from_millis(110)).is_ok());
        let other: IpAddr = "192.0.2.2".parse().expect("ip");
        assert!(rl.check(other, t0).is_ok(), "buckets are per IP");
    }

    #[test]
    fn connection_slots_are_released() {
        let cl = Arc::new(ConnLimiter::new(2));
        let ip: IpAddr = "192.0.2.1".parse().expect("ip");
        let a = cl.acquire(ip).expect("first");
        let _b = cl.acquire(ip).expect("second");
        assert!(cl.acquire(ip).is_none());
        drop(a);
        assert!(cl.acquire(ip).is_some());
    }
}
