#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
//! Micro-benchmark: logs 1M records (CLF + W3C) through one handle and prints records/s,
//! measured from the first `log` to the end of `shutdown` (everything on disk).
//!
//! Run with `cargo run --release --example throughput [DIR]`.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant, SystemTime};

use amoe_accesslog::{CacheStatus, Logger, LoggerConfig, Record};

fn main() -> std::io::Result<()> {
    let dir = std::env::args().nth(1).map_or_else(
        || std::env::temp_dir().join(format!("amoe-accesslog-bench-{}", std::process::id())),
        std::path::PathBuf::from,
    );
    let n: u64 = 1_000_000;
    let logger = Logger::start(LoggerConfig::new(&dir))?;
    let handle = logger.handle();
    let base = SystemTime::now();
    let start = Instant::now();
    let mut retries = 0u64;
    for i in 0..n {
        let mut rec = Box::new(Record {
            site: format!("site{}", i % 4),
            time: base + Duration::from_micros(i),
            client_ip: IpAddr::V4(Ipv4Addr::new(192, 0, 2, (i % 250) as u8)),
            method: "GET".into(),
            target: format!("/page/{i}?q=test"),
            protocol: "HTTP/1.1".into(),
            status: 200,
            bytes: i % 50_000,
            duration: Duration::from_micros(i % 100_000),
            cache: CacheStatus::Hit,
            host: "www.example.gouv.fr".into(),
            referer: Some("https://www.example.gouv.fr/".into()),
            user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0".into()),
        });
        // Back-pressure for the benchmark only: the proxy uses `log`, which drops instead.
        while let Err(back) = handle.try_log(rec) {
            rec = back;
            retries += 1;
            std::thread::yield_now();
        }
    }
    let queued = start.elapsed();
    logger.shutdown();
    let total = start.elapsed();
    println!(
        "{n} records: queued in {:.2?}, written and flushed in {:.2?} => {:.0} records/s (queue-full retries: {retries}, errors: {})",
        queued,
        total,
        n as f64 / total.as_secs_f64(),
        handle.errors()
    );
    std::fs::remove_dir_all(&dir)
}
