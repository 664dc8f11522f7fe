//! The figures as they are shown and exported: one [`Report`], stable in JSON.
//!
//! JSON keeps `requests`, `bytes` and `bad_lines` at the top level (scripts read those);
//! ratios are fractions (0–1) rounded to six decimals, times are seconds.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::date::day_string;
use crate::run::FileOutcome;
use crate::tally::{Bucket, Tally};

/// Figures of a set of log files.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Report {
    /// Requests counted (well-formed lines; a status-400 junk request is one).
    pub requests: u64,
    /// Bytes sent.
    pub bytes: u64,
    /// Malformed lines, never counted as requests.
    pub bad_lines: u64,
    /// W3C directive lines (`#…`).
    pub directive_lines: u64,
    /// Distinct client addresses.
    pub unique_ips: u64,
    /// Distinct (address, user agent, day), 4xx excluded; (address, day) for CLF.
    pub visitors: u64,
    /// CDN / origin split; absent when no line has a cache field.
    pub cache: Option<CacheFigures>,
    /// Response times; absent when no line has a time taken.
    pub time_taken: Option<TimeFigures>,
    /// Requests by status class: `1xx` … `5xx`, `other`.
    pub status_classes: BTreeMap<String, u64>,
    /// Requests by status code.
    pub status: BTreeMap<String, u64>,
    /// Requests by method.
    pub methods: BTreeMap<String, u64>,
    /// The most requested paths.
    pub top_urls: Vec<UrlFigures>,
    /// Requests whose path was not tracked (more distinct paths than kept); the top list is
    /// exact when this is 0.
    pub untracked_url_requests: u64,
    /// Figures per day or hour, in time order.
    pub periods: Vec<Period>,
    /// What was read of each file.
    pub files: Vec<FileFigures>,
}

/// Cache performance (CDN against origin).
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct CacheFigures {
    /// Requests with a cache field.
    pub requests: u64,
    /// Requests the CDN served.
    pub cdn_requests: u64,
    /// Bytes the CDN served.
    pub cdn_bytes: u64,
    /// Bytes the origin served.
    pub origin_bytes: u64,
    /// CDN share of requests.
    pub hit_ratio_requests: f64,
    /// CDN share of bytes.
    pub hit_ratio_bytes: f64,
}

/// Response-time figures.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct TimeFigures {
    /// Requests with a time taken.
    pub requests: u64,
    /// Mean, seconds.
    pub mean_s: f64,
    /// Share answered in under 2 s (QS-01).
    pub share_under_2s: f64,
    /// Median, seconds (to the millisecond).
    pub p50_s: f64,
    /// 90th percentile, seconds.
    pub p90_s: f64,
    /// 99th percentile, seconds.
    pub p99_s: f64,
}

/// One path's figures.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct UrlFigures {
    /// The path, without its query.
    pub url: String,
    /// Requests.
    pub requests: u64,
    /// Bytes.
    pub bytes: u64,
}

/// One day's (or hour's) figures.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Period {
    /// `YYYY-MM-DD`, or `YYYY-MM-DDTHH` by hour.
    pub period: String,
    /// Requests.
    pub requests: u64,
    /// Bytes.
    pub bytes: u64,
    /// Visitors of the day (by day only).
    pub visitors: Option<u64>,
    /// CDN share of requests, when known.
    pub hit_ratio_requests: Option<f64>,
    /// CDN share of bytes, when known.
    pub hit_ratio_bytes: Option<f64>,
    /// Share under 2 s, when known.
    pub share_under_2s: Option<f64>,
    /// 4xx and 5xx answers.
    pub errors: u64,
}

/// One file's reading.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct FileFigures {
    /// The file as given.
    pub path: String,
    /// `clf`, `combined` or `w3c`.
    pub format: String,
    /// Lines read.
    pub lines: u64,
    /// Requests counted.
    pub requests: u64,
    /// Malformed lines.
    pub bad_lines: u64,
    /// First malformed line numbers (1-based).
    pub bad_line_numbers: Vec<u64>,
    /// Why the file was not read to its end.
    pub error: Option<String>,
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { (a as f64 / b as f64 * 1e6).round() / 1e6 }
}

fn secs(us: Option<u64>) -> f64 {
    us.map_or(0.0, |v| v as f64 / 1e6)
}

impl Report {
    /// The whole run as one period, `total`.
    pub fn total(&self) -> Period {
        let class = |k: &str| self.status_classes.get(k).copied().unwrap_or(0);
        Period {
            period: "total".into(),
            requests: self.requests,
            bytes: self.bytes,
            visitors: Some(self.visitors),
            hit_ratio_requests: self.cache.as_ref().map(|c| c.hit_ratio_requests),
            hit_ratio_bytes: self.cache.as_ref().map(|c| c.hit_ratio_bytes),
            share_under_2s: self.time_taken.as_ref().map(|t| t.share_under_2s),
            errors: class("4xx") + class("5xx"),
        }
    }

    /// CSV: a title line, the total, then one line per period (`amoe logs stats -o csv` and the
    /// delivered `.stats.csv`). Fields are numbers and dates: nothing to quote.
    pub fn csv(&self) -> String {
        let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        let mut out =
            String::from("period,requests,bytes,visitors,hit_ratio_requests,hit_ratio_bytes,share_under_2s,errors\n");
        for p in std::iter::once(&self.total()).chain(&self.periods) {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                p.period,
                p.requests,
                p.bytes,
                p.visitors.map(|v| v.to_string()).unwrap_or_default(),
                opt(p.hit_ratio_requests),
                opt(p.hit_ratio_bytes),
                opt(p.share_under_2s),
                p.errors
            ));
        }
        out
    }

    /// Builds the report of a finished tally (`top`: how many paths to list).
    pub fn new(t: &Tally, files: &[FileOutcome], top: usize) -> Report {
        let total: &Bucket = &t.total;
        let cache = (total.cache_known > 0).then(|| CacheFigures {
            requests: total.cache_known,
            cdn_requests: total.cdn_requests,
            cdn_bytes: total.cdn_bytes,
            origin_bytes: total.cache_known_bytes - total.cdn_bytes,
            hit_ratio_requests: ratio(total.cdn_requests, total.cache_known),
            hit_ratio_bytes: ratio(total.cdn_bytes, total.cache_known_bytes),
        });
        let time_taken = (total.timed > 0).then(|| TimeFigures {
            requests: total.timed,
            mean_s: ((t.time_sum_us as f64 / total.timed as f64) / 1e6 * 1e6).round() / 1e6,
            share_under_2s: ratio(total.under_2s, total.timed),
            p50_s: secs(t.quantile_us(0.50)),
            p90_s: secs(t.quantile_us(0.90)),
            p99_s: secs(t.quantile_us(0.99)),
        });
        let class_names = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"];
        let status_classes =
            class_names.iter().zip(total.classes).filter(|(_, n)| *n > 0).map(|(k, n)| ((*k).to_owned(), n)).collect();
        let status =
            t.status.iter().enumerate().filter(|(_, n)| **n > 0).map(|(code, n)| (format!("{code:03}"), *n)).collect();
        let methods = t.methods.iter().map(|(m, n)| (String::from_utf8_lossy(m).into_owned(), *n)).collect();
        let periods = t
            .periods
            .iter()
            .map(|(&(day, hour), b)| Period {
                period: if hour == 255 { day_string(day) } else { format!("{}T{hour:02}", day_string(day)) },
                requests: b.requests,
                bytes: b.bytes,
                visitors: (hour == 255).then(|| t.visitors.get(&day).map_or(0, |s| s.len() as u64)),
                hit_ratio_requests: (b.cache_known > 0).then(|| ratio(b.cdn_requests, b.cache_known)),
                hit_ratio_bytes: (b.cache_known_bytes > 0).then(|| ratio(b.cdn_bytes, b.cache_known_bytes)),
                share_under_2s: (b.timed > 0).then(|| ratio(b.under_2s, b.timed)),
                errors: b.classes[3] + b.classes[4],
            })
            .collect();
        Report {
            requests: total.requests,
            bytes: total.bytes,
            bad_lines: files.iter().map(|f| f.bad_lines).sum(),
            directive_lines: files.iter().map(|f| f.directives).sum(),
            unique_ips: t.ips.len() as u64,
            visitors: t.visitor_count(),
            cache,
            time_taken,
            status_classes,
            status,
            methods,
            top_urls: t
                .top_urls(top)
                .into_iter()
                .map(|(url, requests, bytes)| UrlFigures { url, requests, bytes })
                .collect(),
            untracked_url_requests: t.other_urls,
            periods,
            files: files
                .iter()
                .map(|f| FileFigures {
                    path: f.path.display().to_string(),
                    format: f.format.clone(),
                    lines: f.lines,
                    requests: f.requests,
                    bad_lines: f.bad_lines,
                    bad_line_numbers: f.bad_samples.clone(),
                    error: f.error.clone(),
                })
                .collect(),
        }
    }
}
