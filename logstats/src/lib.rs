//! `amoe-logstats`: attendance, volume, cache and response-time figures from access logs.
//!
//! What: reads CLF, combined (with Apache `%D` and a cache word after the user agent) and W3C
//! extended files with any `#Fields:` order, plain or gzip, on every core, and gives one
//! [`Report`]: requests, distinct addresses and visitors, bytes, CDN / origin shares, status
//! classes, the share under 2 s and time-taken percentiles, top paths, figures per day or hour,
//! and the malformed lines (counted, with their first line numbers, never fatal).
//! [`chart::svg`] draws a report's periods.
//!
//! Why a crate of its own: `amoe logs stats`, `amoe stats SITE` and the contract reports call
//! the same function, and none of this belongs in the agent.
//!
//! Deliberately not here: fetching or delivering files, the store.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod chart;
pub mod date;
pub mod line;
pub mod report;
pub mod run;
pub mod tally;

pub use report::Report;
pub use run::{FileOutcome, Format, Options, analyze};

/// Reads `paths` and builds their report with the `top` most requested paths.
pub fn report(paths: &[std::path::PathBuf], opts: &Options, top: usize) -> Report {
    let (tally, files) = analyze(paths, opts);
    Report::new(&tally, &files, top)
}
