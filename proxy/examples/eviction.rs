//! Hit ratios of eviction policies on a Zipf-distributed trace (issue 20): the proxy's (CLOCK:
//! the memory tier's ring, and the disk tier's second chance over the age order), beside plain
//! LRU, plain FIFO (the disk tier without its second chance) and S3-FIFO. Unit-size objects;
//! the cache holds a fraction of them.
//!
//!   cargo run --release -p amoe-proxy --example eviction -- [OBJECTS] [REQUESTS] [ALPHA] [PERCENT]
//!
//! Defaults: 1,000,000 objects, 10,000,000 requests, α = 0.8, a cache of 5 % of the objects.
//! The trace is deterministic (xorshift seeded with 1), so runs are comparable.

use std::collections::{HashMap, VecDeque};

struct XorShift(u64);

impl XorShift {
    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A Zipf(α) trace over `n` objects by inverse transform on the cumulative weights.
fn trace(n: usize, requests: usize, alpha: f64) -> Vec<u32> {
    let mut cdf = Vec::with_capacity(n);
    let mut total = 0.0;
    for k in 1..=n {
        total += 1.0 / (k as f64).powf(alpha);
        cdf.push(total);
    }
    let mut rng = XorShift(1);
    // Ranks are shuffled onto ids so that popularity does not follow the id order.
    let scramble = |r: usize| ((r as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) % n as u64) as u32;
    (0..requests)
        .map(|_| {
            let u = rng.next_f64() * total;
            scramble(cdf.partition_point(|&c| c < u))
        })
        .collect()
}

trait Policy {
    /// Whether `key` was cached; caches it.
    fn access(&mut self, key: u32) -> bool;
}

/// Exact LRU: a doubly linked list over a slab, and a map from key to slot.
struct Lru {
    cap: usize,
    map: HashMap<u32, usize>,
    slots: Vec<(u32, usize, usize)>,
    head: usize,
    tail: usize,
}

const NIL: usize = usize::MAX;

impl Lru {
    fn new(cap: usize) -> Lru {
        Lru { cap, map: HashMap::with_capacity(cap), slots: Vec::with_capacity(cap), head: NIL, tail: NIL }
    }

    fn unlink(&mut self, i: usize) {
        let (_, prev, next) = self.slots[i];
        if prev == NIL {
            self.head = next
        } else {
            self.slots[prev].2 = next
        }
        if next == NIL { self.tail = prev } else { self.slots[next].1 = prev }
    }

    fn push_front(&mut self, i: usize) {
        self.slots[i].1 = NIL;
        self.slots[i].2 = self.head;
        if self.head != NIL {
            self.slots[self.head].1 = i;
        }
        self.head = i;
        if self.tail == NIL {
            self.tail = i;
        }
    }
}

impl Policy for Lru {
    fn access(&mut self, key: u32) -> bool {
        if let Some(&i) = self.map.get(&key) {
            self.unlink(i);
            self.push_front(i);
            return true;
        }
        let i = if self.slots.len() < self.cap {
            self.slots.push((key, NIL, NIL));
            self.slots.len() - 1
        } else {
            let victim = self.tail;
            self.unlink(victim);
            self.map.remove(&self.slots[victim].0);
            self.slots[victim].0 = key;
            victim
        };
        self.map.insert(key, i);
        self.push_front(i);
        false
    }
}

/// FIFO: oldest first, hits change nothing (the disk tier without its second chance).
struct Fifo {
    cap: usize,
    set: std::collections::HashSet<u32>,
    queue: VecDeque<u32>,
}

impl Policy for Fifo {
    fn access(&mut self, key: u32) -> bool {
        if self.set.contains(&key) {
            return true;
        }
        if self.queue.len() == self.cap
            && let Some(old) = self.queue.pop_front()
        {
            self.set.remove(&old);
        }
        self.queue.push_back(key);
        self.set.insert(key);
        false
    }
}

/// CLOCK (second chance): the memory tier's ring, and the disk tier's order (a file used since
/// the hand passed goes to the back).
struct Clock {
    cap: usize,
    bits: HashMap<u32, bool>,
    ring: VecDeque<u32>,
}

impl Policy for Clock {
    fn access(&mut self, key: u32) -> bool {
        if let Some(b) = self.bits.get_mut(&key) {
            *b = true;
            return true;
        }
        while self.ring.len() == self.cap {
            let Some(k) = self.ring.pop_front() else { break };
            if self.bits.get(&k).copied().unwrap_or(false) {
                self.bits.insert(k, false);
                self.ring.push_back(k);
            } else {
                self.bits.remove(&k);
            }
        }
        self.ring.push_back(key);
        self.bits.insert(key, false);
        false
    }
}

/// S3-FIFO (Yang et al., SOSP 2023): a small FIFO (10 %) that filters one-hit wonders, a main
/// FIFO with reinsertion, and a ghost FIFO of keys recently evicted from the small one.
struct S3Fifo {
    small_cap: usize,
    main_cap: usize,
    freq: HashMap<u32, u8>,
    small: VecDeque<u32>,
    main: VecDeque<u32>,
    ghost: VecDeque<u32>,
    ghost_set: std::collections::HashSet<u32>,
}

impl S3Fifo {
    fn new(cap: usize) -> S3Fifo {
        let small_cap = (cap / 10).max(1);
        S3Fifo {
            small_cap,
            main_cap: cap - small_cap,
            freq: HashMap::new(),
            small: VecDeque::new(),
            main: VecDeque::new(),
            ghost: VecDeque::new(),
            ghost_set: Default::default(),
        }
    }

    fn evict_main(&mut self) {
        while let Some(k) = self.main.pop_front() {
            let f = self.freq.get(&k).copied().unwrap_or(0);
            if f > 0 {
                self.freq.insert(k, f - 1);
                self.main.push_back(k);
            } else {
                self.freq.remove(&k);
                return;
            }
        }
    }

    fn evict_small(&mut self) {
        while let Some(k) = self.small.pop_front() {
            if self.freq.get(&k).copied().unwrap_or(0) > 0 {
                if self.main.len() >= self.main_cap {
                    self.evict_main();
                }
                self.freq.insert(k, 0);
                self.main.push_back(k);
            } else {
                self.freq.remove(&k);
                self.ghost.push_back(k);
                self.ghost_set.insert(k);
                if self.ghost.len() > self.main_cap
                    && let Some(g) = self.ghost.pop_front()
                {
                    self.ghost_set.remove(&g);
                }
                return;
            }
        }
    }
}

impl Policy for S3Fifo {
    fn access(&mut self, key: u32) -> bool {
        if let Some(f) = self.freq.get_mut(&key) {
            *f = (*f + 1).min(3);
            return true;
        }
        if self.ghost_set.remove(&key) {
            if self.main.len() >= self.main_cap {
                self.evict_main();
            }
            self.main.push_back(key);
        } else {
            if self.small.len() >= self.small_cap {
                self.evict_small();
            }
            self.small.push_back(key);
        }
        self.freq.insert(key, 0);
        false
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: f64| args.get(i).and_then(|a| a.parse::<f64>().ok()).unwrap_or(default);
    let (n, requests, alpha, percent) = (arg(0, 1e6) as usize, arg(1, 1e7) as usize, arg(2, 0.8), arg(3, 5.0));
    let cap = ((n as f64 * percent / 100.0) as usize).max(1);
    let trace = trace(n, requests, alpha);
    println!("{n} objects, {requests} requests, Zipf α = {alpha}, cache of {cap} objects ({percent} %)");
    println!("{:<34} {:>9}", "policy", "hit ratio");
    let policies: Vec<(&str, Box<dyn Policy>)> = vec![
        ("LRU", Box::new(Lru::new(cap))),
        ("FIFO (no second chance)", Box::new(Fifo { cap, set: Default::default(), queue: VecDeque::new() })),
        ("CLOCK (memory and disk tiers)", Box::new(Clock { cap, bits: HashMap::new(), ring: VecDeque::new() })),
        ("S3-FIFO", Box::new(S3Fifo::new(cap))),
    ];
    for (name, mut p) in policies {
        let hits = trace.iter().filter(|&&k| p.access(k)).count();
        println!("{name:<34} {:>8.2} %", 100.0 * hits as f64 / requests as f64);
    }
}
