//! The contract reports (DESIGN §9): each one a function from the store (and the log archive)
//! to a [`doc::Doc`], written by [`doc::Doc::write`] in the format asked.
//!
//! - [`canut`]: the semester report of the CANUT agreement (seed 002 art. 6);
//! - [`qos`]: QS-01 to QS-07 of a month (003 §3.2.10.1);
//! - [`monthly`]: the monthly activity report (003 §4.1.1, §4.1.4.2);
//! - [`interventions`]: the daily follow-up and the budget against the cap (004 §9.3, §10);
//! - [`weekly`]: a site's weekly statistics (003 §3.2.3.2);
//! - [`dossier`]: a site's definition file (003 §3.2.1.5), the evidence of QS-07.

pub mod canut;
pub mod doc;
pub mod dossier;
pub mod interventions;
pub mod monthly;
pub mod qos;
pub mod weekly;

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use crate::error::Failure;

/// A span of Paris days, `[first, next)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days {
    pub first: Date,
    /// The day after the last.
    pub next: Date,
}

impl Days {
    /// A month `YYYY-MM`.
    pub fn month(raw: &str) -> anyhow::Result<Days> {
        let first = (raw.len() == 7)
            .then(|| format!("{raw}-01").parse::<Date>().ok())
            .flatten()
            .ok_or_else(|| Failure::usage(format!("`{raw}` is not a month: expected YYYY-MM")))?;
        Ok(Days { first, next: first.saturating_add(1.month()) })
    }

    /// A semester `YYYY-S1` (January to June) or `YYYY-S2`.
    pub fn semester(raw: &str) -> anyhow::Result<Days> {
        let bad = || Failure::usage(format!("`{raw}` is not a semester: expected YYYY-S1 or YYYY-S2"));
        let (y, s) = raw.split_once(['-']).ok_or_else(bad)?;
        let year: i16 = y.parse().ok().filter(|y| (1990..=2100).contains(y)).ok_or_else(bad)?;
        let month = match s {
            "S1" | "s1" => 1,
            "S2" | "s2" => 7,
            _ => return Err(bad().into()),
        };
        let first = Date::new(year, month, 1).map_err(|_| bad())?;
        Ok(Days { first, next: first.saturating_add(6.months()) })
    }

    /// An ISO week `YYYY-Www`.
    pub fn week(raw: &str) -> anyhow::Result<Days> {
        let bad = || Failure::usage(format!("`{raw}` is not a week: expected YYYY-Www (2026-W43)"));
        let (y, w) = raw.split_once("-W").ok_or_else(bad)?;
        let year: i16 = y.parse().map_err(|_| bad())?;
        let week: i8 = w.parse().map_err(|_| bad())?;
        let monday = jiff::civil::ISOWeekDate::new(year, week, jiff::civil::Weekday::Monday).map_err(|_| bad())?.date();
        Ok(Days { first: monday, next: monday.saturating_add(7.days()) })
    }

    /// The instant of the first day's Paris midnight.
    pub fn start(&self) -> Timestamp {
        midnight(self.first)
    }

    /// The instant of the Paris midnight that ends the span.
    pub fn end(&self) -> Timestamp {
        midnight(self.next)
    }

    /// The days, in order.
    pub fn each(&self) -> impl Iterator<Item = Date> + '_ {
        self.first.series(1.day()).take_while(move |d| *d < self.next)
    }

    /// The last day.
    pub fn last(&self) -> Date {
        self.next.yesterday().unwrap_or(self.next)
    }

    /// `from 2026-10-01 to 2026-10-31` in words.
    pub fn words(&self, lang: doc::Lang) -> String {
        format!("{} {} {} {}", lang.t("Du", "From"), self.first, lang.t("au", "to"), self.last())
    }
}

/// The instant of a Paris midnight.
pub fn midnight(d: Date) -> Timestamp {
    d.to_zoned(amoe_core::time::paris()).map(|z| z.timestamp()).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A stored UTC instant.
pub fn ts(stored: &str) -> Option<Timestamp> {
    stored.parse().ok()
}

/// `YYYY-MM` of a date.
pub fn month_of(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// A duration in seconds as `1 h 05 min 03 s`.
pub fn duration(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, _) => format!("{m} min {s:02} s"),
        _ => format!("{h} h {m:02} min {s:02} s"),
    }
}
