//! Logger configuration, including the injectable clock used by tests.
//!
//! What: [`LoggerConfig`] (directory, retention, formats, channel size, flush interval,
//! rotation grace, clock) and [`Formats`].
//!
//! Why a clock: rotation happens at Europe/Paris midnight, driven by the record times
//! *and* by a periodic tick that reads the clock; tests inject a clock to cross
//! midnight and DST changes without sleeping.
//!
//! Deliberately not here: reading configuration files or the environment.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The source of "now" for the periodic rotation check and the W3C `#Date` header.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(SystemTime::now)
}

/// Which formats are written (both by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    /// Common Logfile Format, `{site}-{day}.log`.
    pub clf: bool,
    /// W3C extended, `{site}-{day}.w3c.log`.
    pub w3c: bool,
}

impl Default for Formats {
    fn default() -> Self {
        Formats { clf: true, w3c: true }
    }
}

/// Default retention: 183 days, at least six months.
pub const DEFAULT_RETENTION_DAYS: u32 = 183;

/// Default channel capacity, in records.
pub const DEFAULT_CHANNEL_CAPACITY: usize = 65_536;

/// Configuration of a [`crate::Logger`].
#[derive(Clone)]
pub struct LoggerConfig {
    /// Root directory; files go to `{dir}/{site}/`.
    pub dir: PathBuf,
    /// Compressed files whose day is more than this many days before today are deleted
    /// (default 183). `0` disables deletion.
    pub retention_days: u32,
    /// Formats written.
    pub formats: Formats,
    /// "Now" for the periodic tick and the W3C `#Date` (default: the system clock).
    pub clock: Clock,
    /// Records queued between [`crate::LogHandle::log`] and the writer thread
    /// (default 65 536; at least 1). Beyond it, records are dropped and counted.
    pub channel_capacity: usize,
    /// Buffered lines are flushed to the OS at least this often (default 1 s).
    pub flush_interval: Duration,
    /// A day's files are closed and compressed once the newest of (clock, newest record
    /// time) is this long past the following local midnight (default 60 s), so that a
    /// request received at 23:59:59 and finished just after midnight still lands in its
    /// own day's file. Later records of a closed day go to the current day's file (their
    /// own timestamp is kept in the line).
    pub rotation_grace: Duration,
}

impl LoggerConfig {
    /// Defaults for everything but the directory.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        LoggerConfig {
            dir: dir.into(),
            retention_days: DEFAULT_RETENTION_DAYS,
            formats: Formats::default(),
            clock: system_clock(),
            channel_capacity: DEFAULT_CHANNEL_CAPACITY,
            flush_interval: Duration::from_secs(1),
            rotation_grace: Duration::from_secs(60),
        }
    }
}

impl fmt::Debug for LoggerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoggerConfig")
            .field("dir", &self.dir)
            .field("retention_days", &self.retention_days)
            .field("formats", &self.formats)
            .field("channel_capacity", &self.channel_capacity)
            .field("flush_interval", &self.flush_interval)
            .field("rotation_grace", &self.rotation_grace)
            .finish_non_exhaustive()
    }
}
