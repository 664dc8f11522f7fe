//! The access-log record and the time/site helpers shared by both formats.
//!
//! What: [`Record`] is what the proxy fills for every request (errors included),
//! [`CacheStatus`] is the cache outcome, [`site_dir_name`] turns an untrusted site
//! name into a safe file-name component, and `Stamp` pre-formats a record's time
//! (Europe/Paris local time for CLF and file names, UTC for W3C).
//!
//! Why: both formats and the file layout need the same time conversions; doing them
//! once per second (the writer caches the last `Stamp`) keeps the hot path cheap.
//!
//! Deliberately not here: any I/O, any formatting of whole lines (see `clf` and
//! `w3c`), any validation of HTTP syntax (the proxy already parsed the request).

use std::fmt::Write as _;
use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// Site name used for records whose site name is empty or unsafe.
pub const UNKNOWN_SITE: &str = "_unknown";

/// Longest site name accepted as a directory/file-name component.
pub const MAX_SITE_LEN: usize = 100;

/// Cache outcome of a request, written as the `x-cache` W3C field.
///
/// Names follow nginx's `$upstream_cache_status` vocabulary, upper case:
/// `HIT`, `MISS`, `STALE`, `PASS` (nginx says `BYPASS`), `EXPIRED`,
/// `REVALIDATED`, `ERROR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CacheStatus {
    /// Served from cache, fresh.
    Hit,
    /// Not in cache; fetched from the origin.
    Miss,
    /// Served stale from cache (origin down or update in progress).
    Stale,
    /// Not cacheable; passed through to the origin.
    Pass,
    /// In cache but expired; fetched again from the origin.
    Expired,
    /// In cache, expired, revalidated with the origin (304) and served.
    Revalidated,
    /// The proxy failed (origin unreachable, timeout, internal error).
    Error,
}

impl CacheStatus {
    /// The upper-case token written in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            CacheStatus::Hit => "HIT",
            CacheStatus::Miss => "MISS",
            CacheStatus::Stale => "STALE",
            CacheStatus::Pass => "PASS",
            CacheStatus::Expired => "EXPIRED",
            CacheStatus::Revalidated => "REVALIDATED",
            CacheStatus::Error => "ERROR",
        }
    }
}

/// One request, as seen by the proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Site name: `[a-z0-9][a-z0-9._-]*`; anything else is logged under `_unknown`.
    pub site: String,
    /// When the request was received.
    pub time: SystemTime,
    /// Client address.
    pub client_ip: IpAddr,
    /// Request method as received.
    pub method: String,
    /// Request-target as received (path and query).
    pub target: String,
    /// Protocol, e.g. `HTTP/1.1`.
    pub protocol: String,
    /// Response status code.
    pub status: u16,
    /// Body bytes sent to the client.
    pub bytes: u64,
    /// Time taken to serve the request.
    pub duration: Duration,
    /// Cache outcome.
    pub cache: CacheStatus,
    /// `Host` header.
    pub host: String,
    /// `Referer` header.
    pub referer: Option<String>,
    /// `User-Agent` header.
    pub user_agent: Option<String>,
}

/// True when `name` is a safe site name: `[a-z0-9][a-z0-9._-]*`, at most
/// [`MAX_SITE_LEN`] bytes. Such a name cannot contain `/` and cannot start with `.`.
pub fn is_valid_site(name: &str) -> bool {
    let b = name.as_bytes();
    let Some(&first) = b.first() else { return false };
    b.len() <= MAX_SITE_LEN
        && (first.is_ascii_lowercase() || first.is_ascii_digit())
        && b.iter().all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'_' | b'-'))
}

/// The directory/file-name component used for `site`: the name itself when valid,
/// [`UNKNOWN_SITE`] otherwise (which can never collide with a valid name).
pub fn site_dir_name(site: &str) -> &str {
    if is_valid_site(site) { site } else { UNKNOWN_SITE }
}

/// The Europe/Paris time zone, from jiff's bundled tz database (so it works without
/// `/usr/share/zoneinfo`). Should the bundle lack it, the current French POSIX rule
/// (`CET-1CEST,M3.5.0,M10.5.0/3`) is used.
pub fn paris() -> &'static TimeZone {
    static TZ: OnceLock<TimeZone> = OnceLock::new();
    TZ.get_or_init(|| {
        TimeZone::get("Europe/Paris")
            .or_else(|_| TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3"))
            .unwrap_or(TimeZone::UTC)
    })
}

/// Converts a `SystemTime` to a jiff timestamp; times outside jiff's range
/// (years -9999..=9999) are clamped to the Unix epoch.
pub(crate) fn to_timestamp(t: SystemTime) -> Timestamp {
    Timestamp::try_from(t).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The Europe/Paris local day of `t`.
pub fn local_day(t: SystemTime) -> Date {
    paris().to_datetime(to_timestamp(t)).date()
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A record time, pre-formatted (whole seconds).
#[derive(Debug, Clone)]
pub(crate) struct Stamp {
    /// Whole Unix seconds this stamp stands for (cache key).
    pub secs: i64,
    /// Europe/Paris local day (selects the file).
    pub day: Date,
    /// `DD/Mon/YYYY:HH:MM:SS +hhmm`, Europe/Paris local time.
    pub clf: String,
    /// `YYYY-MM-DD HH:MM:SS`, UTC (the W3C `date` and `time` fields).
    pub w3c: String,
}

impl Stamp {
    pub fn new(t: SystemTime) -> Stamp {
        let ts = to_timestamp(t);
        let secs = ts.as_second();
        let whole = Timestamp::from_second(secs).unwrap_or(ts);
        let tz = paris();
        let local = tz.to_datetime(whole);
        let off = tz.to_offset(whole).seconds();
        let (sign, off) = if off < 0 { ('-', -off) } else { ('+', off) };
        let month = MONTHS.get((local.month() as usize).wrapping_sub(1)).copied().unwrap_or("???");
        let mut clf = String::with_capacity(26);
        let _ = write!(
            clf,
            "{:02}/{}/{:04}:{:02}:{:02}:{:02} {}{:02}{:02}",
            local.day(),
            month,
            local.year(),
            local.hour(),
            local.minute(),
            local.second(),
            sign,
            off / 3600,
            (off % 3600) / 60
        );
        let utc = TimeZone::UTC.to_datetime(whole);
        let mut w3c = String::with_capacity(19);
        let _ = write!(
            w3c,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            utc.year(),
            utc.month(),
            utc.day(),
            utc.hour(),
            utc.minute(),
            utc.second()
        );
        Stamp { secs, day: local.date(), clf, w3c }
    }
}

/// Caches the last [`Stamp`]: records arrive roughly in time order, so most lookups hit.
#[derive(Debug, Default)]
pub(crate) struct StampCache {
    last: Option<Stamp>,
}

impl StampCache {
    /// The stamp for `t`, and whether it was freshly computed (a new second).
    pub fn get(&mut self, t: SystemTime) -> (&Stamp, bool) {
        let secs = to_timestamp(t).as_second();
        let fresh = self.last.as_ref().is_none_or(|s| s.secs != secs);
        if fresh {
            self.last = None;
        }
        let stamp = self.last.get_or_insert_with(|| Stamp::new(t));
        (stamp, fresh)
    }
}
