//! `amoe-accesslog`: per-site, per-day access logs for the amoe agent's caching reverse
//! proxy, in the Common Logfile Format and the W3C Extended Log File Format.
//!
//! What: the proxy fills a [`Record`] for every request (errors included) and hands it to
//! a [`LogHandle`], which never blocks. A background thread writes
//! `{dir}/{site}/{site}-{YYYY-MM-DD}.log` (CLF) and `….w3c.log` (W3C), the day being the
//! Europe/Paris local day of the request; at local midnight the day's files are closed
//! and gzip-compressed, and compressed files older than the retention are deleted.
//!
//! Why: French public-sector sites must keep access logs for months, readable by
//! standard tools; the proxy must never be slowed down by them.
//!
//! Deliberately not here: log shipping, parsing W3C files, blocking back-pressure.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod clf;
mod config;
pub mod record;
pub mod retention;
pub mod rotate;
pub mod w3c;
mod writer;

pub use clf::{ParsedClf, clf_line, parse_clf_line, write_clf_line};
pub use config::{Clock, DEFAULT_CHANNEL_CAPACITY, DEFAULT_RETENTION_DAYS, Formats, LoggerConfig, system_clock};
pub use record::{CacheStatus, Record, is_valid_site, local_day, site_dir_name};
pub use retention::{FileError, SweepReport, sweep};
pub use rotate::{Format, compress_file, log_path};
pub use w3c::{w3c_header, w3c_line, write_w3c_line};
pub use writer::{LogHandle, Logger};
