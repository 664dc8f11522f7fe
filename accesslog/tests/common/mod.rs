//! Shared test helpers: temp dirs, Paris times, records, a manual clock.
#![allow(dead_code)]

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use amoe_accesslog::{CacheStatus, Clock, Record};
use jiff::civil::datetime;
use jiff::tz::TimeZone;

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("amoe-accesslog-{}-{n}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Europe/Paris local time (compatible disambiguation), with milliseconds.
pub fn paris(y: i16, mo: i8, d: i8, h: i8, mi: i8, s: i8, ms: i32) -> SystemTime {
    let tz = TimeZone::get("Europe/Paris").unwrap();
    let z = datetime(y, mo, d, h, mi, s, ms * 1_000_000).to_zoned(tz).unwrap();
    SystemTime::from(z.timestamp())
}

/// A UTC instant given as RFC 3339 with offset, e.g. "2024-10-27T02:30:00+01:00".
pub fn at(s: &str) -> SystemTime {
    SystemTime::from(s.parse::<jiff::Timestamp>().unwrap())
}

pub fn rec(site: &str, time: SystemTime) -> Record {
    Record {
        site: site.to_owned(),
        time,
        client_ip: "192.0.2.1".parse::<IpAddr>().unwrap(),
        method: "GET".into(),
        target: "/index.html?q=1".into(),
        protocol: "HTTP/1.1".into(),
        status: 200,
        bytes: 1234,
        duration: Duration::from_millis(42),
        cache: CacheStatus::Hit,
        host: "www.example.fr".into(),
        referer: None,
        user_agent: Some("curl/8.5.0".into()),
    }
}

/// A clock the test moves by hand.
#[derive(Clone)]
pub struct ManualClock(pub Arc<Mutex<SystemTime>>);

impl ManualClock {
    pub fn new(t: SystemTime) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(t)))
    }
    pub fn set(&self, t: SystemTime) {
        *self.0.lock().unwrap() = t;
    }
    pub fn clock(&self) -> Clock {
        let c = self.0.clone();
        Arc::new(move || *c.lock().unwrap())
    }
}

pub fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", p.as_ref().display()))
}

pub fn gunzip(p: impl AsRef<Path>) -> String {
    use std::io::Read;
    let f = std::fs::File::open(p.as_ref()).unwrap();
    let mut s = String::new();
    flate2::read::MultiGzDecoder::new(f).read_to_string(&mut s).unwrap();
    s
}

pub fn gzip(p: impl AsRef<Path>, content: &str) {
    use std::io::Write;
    let f = std::fs::File::create(p.as_ref()).unwrap();
    let mut e = flate2::write::GzEncoder::new(f, flate2::Compression::default());
    e.write_all(content.as_bytes()).unwrap();
    e.finish().unwrap();
}

/// Sorted file names in a directory.
pub fn names(dir: impl AsRef<Path>) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.as_ref())
        .map(|rd| rd.map(|e| e.unwrap().file_name().into_string().unwrap()).collect())
        .unwrap_or_default();
    v.sort();
    v
}
