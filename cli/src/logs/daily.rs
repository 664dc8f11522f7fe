//! A site's figures per day from the log archive, kept between requests (the extranet's
//! statistics pages; DESIGN §11).
//!
//! The archive's W3C files are read by `amoe-logstats`, the same reading as `amoe stats SITE`,
//! once per archived day: a day's figures are kept with the list of files they came from
//! (host and SHA-256), and read again only when that list changes (a late host, a re-collect).
//! A page then only adds kept figures, whatever the range: 180 days cost no reading.
//!
//! Week and month figures add the days' figures. Visitors are counted as `amoe stats` counts
//! them: distinct (address, user agent) per day, summed over the days.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use amoe_logstats::tally::{Bucket, HashSet64};
use amoe_store::logs::{ArchivedLog, LogReads};
use jiff::civil::Date;

/// How figures are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// One row per day.
    Day,
    /// One row per ISO week (`2026-W48`).
    Week,
    /// One row per month (`2026-11`).
    Month,
}

impl Grouping {
    /// From its word (`day`, `week`, `month`).
    pub fn parse(word: &str) -> Option<Grouping> {
        match word {
            "day" => Some(Grouping::Day),
            "week" => Some(Grouping::Week),
            "month" => Some(Grouping::Month),
            _ => None,
        }
    }

    /// Its word.
    pub fn word(self) -> &'static str {
        match self {
            Grouping::Day => "day",
            Grouping::Week => "week",
            Grouping::Month => "month",
        }
    }

    fn key(self, d: Date) -> String {
        match self {
            Grouping::Day => d.to_string(),
            Grouping::Week => {
                let w = d.iso_week_date();
                format!("{}-W{:02}", w.year(), w.week())
            }
            Grouping::Month => format!("{}-{:02}", d.year(), d.month()),
        }
    }
}

/// One row of figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Row {
    /// `YYYY-MM-DD`, `YYYY-Www` or `YYYY-MM`.
    pub period: String,
    /// Days of the period that have figures.
    pub days: u32,
    /// The period's counts.
    #[serde(skip)]
    pub bucket: Bucket,
    /// Visitors: distinct (address, user agent) per day, summed over the days.
    pub visitors: u64,
}

impl Row {
    fn share(a: u64, b: u64) -> Option<f64> {
        (b > 0).then(|| a as f64 / b as f64)
    }
    /// Requests.
    pub fn requests(&self) -> u64 {
        self.bucket.requests
    }
    /// Bytes sent.
    pub fn bytes(&self) -> u64 {
        self.bucket.bytes
    }
    /// The CDN's share of requests (of those with a cache field).
    pub fn cdn_requests(&self) -> Option<f64> {
        Row::share(self.bucket.cdn_requests, self.bucket.cache_known)
    }
    /// The CDN's share of bytes.
    pub fn cdn_bytes(&self) -> Option<f64> {
        Row::share(self.bucket.cdn_bytes, self.bucket.cache_known_bytes)
    }
    /// Share answered in under 2 s (of those with a time taken).
    pub fn under_2s(&self) -> Option<f64> {
        Row::share(self.bucket.under_2s, self.bucket.timed)
    }
    /// Requests by status class: 1xx to 5xx, then other.
    pub fn classes(&self) -> [u64; 6] {
        self.bucket.classes
    }
}

/// One archived day's reading: the files it came from, and figures per Paris day (a file
/// holds its own day, and a few lines of the next or the last when a host's clock or
/// rotation is late).
#[derive(Debug)]
struct ArchiveDay {
    files: Vec<(String, String)>,
    days: Vec<(i32, Bucket, HashSet64)>,
    /// Why a file was not read to its end.
    errors: Vec<String>,
}

/// A site's days, as last added up.
#[derive(Debug)]
struct SiteDays {
    files: Vec<(String, String, String)>,
    days: Arc<BTreeMap<Date, (Bucket, u64)>>,
    errors: Arc<Vec<String>>,
}

/// The kept figures of every site shown so far.
#[derive(Debug, Default)]
pub struct Cache {
    archive_days: Mutex<HashMap<(String, String), Arc<ArchiveDay>>>,
    sites: Mutex<HashMap<String, Arc<SiteDays>>>,
}

/// A site's figures over a range.
#[derive(Debug, Clone)]
pub struct Figures {
    /// One row per period, in time order (periods with no figures are left out).
    pub rows: Vec<Row>,
    /// The whole range.
    pub total: Row,
    /// Files of the archive that could not be read whole (their figures stop where they broke).
    pub errors: Vec<String>,
}

/// The archived W3C files of `site`, every day (what [`Cache::figures`] reads).
pub fn w3c_rows(store: &impl LogReads, site: &str) -> anyhow::Result<Vec<ArchivedLog>> {
    super::w3c_rows(store, Some(site), None, None)
}

fn read_day(archive: &Path, rows: &[&ArchivedLog]) -> ArchiveDay {
    let paths: Vec<PathBuf> = rows.iter().map(|a| super::archived_path(archive, a)).collect();
    let opts = amoe_logstats::Options { paris: true, threads: 1, ..amoe_logstats::Options::default() };
    let (mut tally, outcomes) = amoe_logstats::analyze(&paths, &opts);
    let days =
        tally.periods.iter().map(|(&(d, _), b)| (d, *b, tally.visitors.remove(&d).unwrap_or_default())).collect();
    ArchiveDay {
        files: rows.iter().map(|a| (a.host.clone(), a.sha256.clone())).collect(),
        days,
        errors: outcomes
            .iter()
            .filter_map(|o| o.error.as_ref().map(|e| format!("{}: {e}", o.path.display())))
            .collect(),
    }
}

impl Cache {
    /// `site`'s figures from `from` to `to` (Paris days, included), grouped by `by`, from its
    /// archived files `rows` ([`w3c_rows`]). Reads only the archived days it has not read yet,
    /// or whose files changed.
    pub fn figures(
        &self,
        rows: &[ArchivedLog],
        archive: &Path,
        site: &str,
        from: Date,
        to: Date,
        by: Grouping,
    ) -> anyhow::Result<Figures> {
        let site_days = self.site_days(rows, archive, site)?;
        let mut rows: Vec<Row> = Vec::new();
        let mut total = Row { period: "total".into(), ..Row::default() };
        for (d, (b, visitors)) in site_days.days.range(from..=to) {
            let key = by.key(*d);
            if rows.last().is_none_or(|r| r.period != key) {
                rows.push(Row { period: key, ..Row::default() });
            }
            for r in [rows.last_mut(), Some(&mut total)].into_iter().flatten() {
                r.bucket.add(b);
                r.visitors += visitors;
                r.days += 1;
            }
        }
        Ok(Figures { rows, total, errors: site_days.errors.to_vec() })
    }

    /// Reads what is not read yet of `site`'s archive (`rows`, [`w3c_rows`]), so that the next
    /// page finds it ready: the number of days it has figures for.
    pub fn warm(&self, rows: &[ArchivedLog], archive: &Path, site: &str) -> anyhow::Result<usize> {
        Ok(self.site_days(rows, archive, site)?.days.len())
    }

    fn site_days(&self, rows: &[ArchivedLog], archive: &Path, site: &str) -> anyhow::Result<Arc<SiteDays>> {
        let files: Vec<(String, String, String)> =
            rows.iter().map(|a| (a.day.clone(), a.host.clone(), a.sha256.clone())).collect();
        if let Some(kept) = self.sites.lock().map_err(|_| anyhow::anyhow!("statistics cache poisoned"))?.get(site)
            && kept.files == files
        {
            return Ok(kept.clone());
        }
        // Read what changed, one archived day at a time, outside any lock but this day's.
        let mut by_day: BTreeMap<&str, Vec<&ArchivedLog>> = BTreeMap::new();
        for a in rows {
            by_day.entry(a.day.as_str()).or_default().push(a);
        }
        let mut read = Vec::new();
        for (day, rows) in &by_day {
            let want: Vec<(String, String)> = rows.iter().map(|a| (a.host.clone(), a.sha256.clone())).collect();
            let key = (site.to_owned(), (*day).to_owned());
            let kept = self.archive_days.lock().ok().and_then(|m| m.get(&key).cloned());
            let day_figures = match kept {
                Some(k) if k.files == want => k,
                _ => {
                    let fresh = Arc::new(read_day(archive, rows));
                    if let Ok(mut m) = self.archive_days.lock() {
                        m.insert(key, fresh.clone());
                    }
                    fresh
                }
            };
            read.push(day_figures);
        }
        // Add up per Paris day: buckets add, visitor sets join (a day may span two files).
        let mut merged: BTreeMap<i32, (Bucket, HashSet64)> = BTreeMap::new();
        let mut errors = Vec::new();
        for ad in &read {
            errors.extend(ad.errors.iter().cloned());
            for (d, b, v) in &ad.days {
                let e = merged.entry(*d).or_default();
                e.0.add(b);
                e.1.extend(v.iter().copied());
            }
        }
        let days = merged
            .into_iter()
            .filter_map(|(d, (b, v))| {
                let (y, m, dd) = amoe_logstats::date::civil_from_days(d);
                let date = Date::new(i16::try_from(y).ok()?, i8::try_from(m).ok()?, i8::try_from(dd).ok()?).ok()?;
                Some((date, (b, v.len() as u64)))
            })
            .collect();
        let fresh = Arc::new(SiteDays { files, days: Arc::new(days), errors: Arc::new(errors) });
        if let Ok(mut m) = self.sites.lock() {
            m.insert(site.to_owned(), fresh.clone());
        }
        Ok(fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_named_by_day_iso_week_and_month() {
        let d = jiff::civil::date(2026, 1, 1);
        assert_eq!(Grouping::Day.key(d), "2026-01-01");
        // 1 January 2026 is a Thursday: ISO week 1 of 2026.
        assert_eq!(Grouping::Week.key(d), "2026-W01");
        assert_eq!(Grouping::Week.key(jiff::civil::date(2027, 1, 1)), "2026-W53");
        assert_eq!(Grouping::Month.key(d), "2026-01");
        for g in [Grouping::Day, Grouping::Week, Grouping::Month] {
            assert_eq!(Grouping::parse(g.word()), Some(g));
        }
        assert_eq!(Grouping::parse("year"), None);
    }
}
