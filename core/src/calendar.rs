//! Working days and working hours of the French calendar, for SLA clocks and contract delays
//! (quotes within 10 working days, intervention and restoration times).
//!
//! What: the 11 national public holidays (Easter Monday, Ascension and Whit Monday computed
//! from Easter), the Alsace-Moselle variant (Good Friday and 26 December too), weekends, and
//! configurable business hours in Europe/Paris time. [`Calendar::add_working_days`],
//! [`Calendar::working_seconds`] between two instants, [`Calendar::in_hours`].
//!
//! Why here: the tickets' SLA clocks and the contract reports must count the same way; one
//! implementation, pure, no I/O.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// Which public holidays apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Region {
    /// The national holidays.
    #[default]
    France,
    /// Bas-Rhin, Haut-Rhin and Moselle: Good Friday and 26 December as well.
    AlsaceMoselle,
}

/// Business hours, the same on every working day (local time, `start < end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    /// Opening.
    pub start: Time,
    /// Closing.
    pub end: Time,
}

impl Default for Hours {
    /// 9:00 to 18:00.
    fn default() -> Self {
        Hours { start: Time::constant(9, 0, 0, 0), end: Time::constant(18, 0, 0, 0) }
    }
}

/// A working calendar: holidays, weekends, business hours, in Europe/Paris time.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// Holidays of this region.
    pub region: Region,
    /// Business hours.
    pub hours: Hours,
    tz: TimeZone,
    /// Holidays of 1990–2100, sorted, computed once (clocks of many tickets ask often).
    known: Vec<Date>,
    /// Business seconds of every day of 1990–2100 and their running sum, made on first need:
    /// long spans (a ticket open for months) are then two look-ups, not a walk over the days.
    table: std::sync::Arc<std::sync::OnceLock<DayTable>>,
}

/// Per-day opening and closing instants (seconds; equal on days off) and the running sum of
/// business seconds before each day.
#[derive(Debug)]
struct DayTable {
    /// Paris midnight of each day (seconds), and of the day after the last.
    midnights: Vec<i64>,
    hours: Vec<(i64, i64)>,
    before: Vec<i64>,
}

impl DayTable {
    /// The day (index) an instant falls on, if the table covers it.
    fn day_of(&self, t: i64) -> Option<usize> {
        if t < *self.midnights.first()? || t >= *self.midnights.last()? {
            return None;
        }
        Some(self.midnights.partition_point(|&m| m <= t) - 1)
    }
}

const TABLE_FROM: i16 = 1990;
const TABLE_TO: i16 = 2100;

/// The region and hours of this process, when configured (the CLI's `[calendar]`).
static CONFIGURED: std::sync::OnceLock<(Region, Hours)> = std::sync::OnceLock::new();

/// Sets the region and business hours that [`Calendar::default`] uses in this process (the
/// CLI reads them from `[calendar]` in config.toml before any command runs). The first call
/// wins; false when the calendar was configured already.
pub fn configure(region: Region, hours: Hours) -> bool {
    CONFIGURED.set((region, hours)).is_ok()
}

impl Default for Calendar {
    /// The configured calendar (see [`configure`]), else France with 9:00–18:00.
    fn default() -> Self {
        let (region, hours) = CONFIGURED.get().copied().unwrap_or_default();
        Calendar::new(region, hours)
    }
}

/// Easter Sunday of `year` (Gregorian; the anonymous algorithm of 1876).
pub fn easter(year: i16) -> Date {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, month as i8, day as i8).unwrap_or(Date::constant(2000, 4, 23))
}

impl Calendar {
    /// A calendar for `region` with `hours`, in Europe/Paris time.
    pub fn new(region: Region, hours: Hours) -> Calendar {
        let tz = crate::time::paris();
        let mut c = Calendar { region, hours, tz, known: Vec::new(), table: Default::default() };
        c.known = (1990..=2100).flat_map(|y| c.holidays(y)).collect();
        c
    }

    /// The public holidays of `year`, in date order.
    pub fn holidays(&self, year: i16) -> Vec<Date> {
        let d = |m: i8, day: i8| Date::constant(year, m, day);
        let e = easter(year);
        let shift = |days: i64| e.checked_add(days.days()).unwrap_or(e);
        let mut v = vec![
            d(1, 1),
            shift(1), // Easter Monday
            d(5, 1),
            d(5, 8),
            shift(39), // Ascension
            shift(50), // Whit Monday
            d(7, 14),
            d(8, 15),
            d(11, 1),
            d(11, 11),
            d(12, 25),
        ];
        if self.region == Region::AlsaceMoselle {
            v.push(shift(-2)); // Good Friday
            v.push(d(12, 26));
        }
        v.sort();
        v
    }

    /// Whether `date` is a public holiday.
    pub fn is_holiday(&self, date: Date) -> bool {
        if (1990..=2100).contains(&date.year()) {
            self.known.binary_search(&date).is_ok()
        } else {
            self.holidays(date.year()).contains(&date)
        }
    }

    /// Whether `date` is a working day: Monday to Friday, not a holiday.
    pub fn is_working_day(&self, date: Date) -> bool {
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) && !self.is_holiday(date)
    }

    /// The `n`-th working day after `date` (`n = 0`: `date` itself if it works, else the next).
    pub fn add_working_days(&self, date: Date, n: u32) -> Date {
        let mut d = date;
        while !self.is_working_day(d) {
            d = d.tomorrow().unwrap_or(d);
        }
        let mut left = n;
        while left > 0 {
            d = d.tomorrow().unwrap_or(d);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Whether `date` is a "jour ouvrable" (Monday to Saturday, not a holiday): the unit of
    /// QS-06, where "jours ouvrés" (Monday to Friday) are [`Calendar::is_working_day`].
    pub fn is_ouvrable(&self, date: Date) -> bool {
        date.weekday() != Weekday::Sunday && !self.is_holiday(date)
    }

    /// The first "jour ouvrable" after `date`.
    pub fn next_ouvrable(&self, date: Date) -> Date {
        let mut d = date.tomorrow().unwrap_or(date);
        while !self.is_ouvrable(d) {
            d = d.tomorrow().unwrap_or(d);
        }
        d
    }

    /// Working days after `due` up to `day` included (0 when `day <= due`): how late.
    pub fn working_days_late(&self, due: Date, day: Date) -> u32 {
        let mut n = 0;
        let mut d = due;
        while d < day {
            d = match d.tomorrow() {
                Ok(x) => x,
                Err(_) => break,
            };
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }

    /// The Paris date of an instant.
    pub fn date_of(&self, t: Timestamp) -> Date {
        t.to_zoned(self.tz.clone()).date()
    }

    /// Whether `t` falls in business hours of a working day.
    pub fn in_hours(&self, t: Timestamp) -> bool {
        let table = self.table();
        if let Some(i) = table.day_of(t.as_second()) {
            let (o, c) = table.hours[i];
            return o <= t.as_second() && t.as_second() < c;
        }
        let z = t.to_zoned(self.tz.clone());
        let time = z.time();
        self.is_working_day(z.date()) && time >= self.hours.start && time < self.hours.end
    }

    /// Opening and closing instants of `day` (equal when it is not a working day).
    fn day_hours(&self, day: Date) -> (i64, i64) {
        if !self.is_working_day(day) {
            return (0, 0);
        }
        let at = |t: Time| day.to_datetime(t).to_zoned(self.tz.clone()).map(|z| z.timestamp().as_second());
        match (at(self.hours.start), at(self.hours.end)) {
            (Ok(a), Ok(b)) if b > a => (a, b),
            _ => (0, 0),
        }
    }

    fn table(&self) -> &DayTable {
        self.table.get_or_init(|| {
            let first = Date::constant(TABLE_FROM, 1, 1);
            let midnight = |d: Date| d.to_zoned(self.tz.clone()).map(|z| z.timestamp().as_second()).unwrap_or(0);
            let mut midnights = Vec::with_capacity(40_601);
            let mut hours = Vec::with_capacity(40_600);
            let mut before = Vec::with_capacity(40_601);
            let mut sum = 0;
            let mut d = first;
            while d.year() <= TABLE_TO {
                midnights.push(midnight(d));
                let h = self.day_hours(d);
                before.push(sum);
                sum += h.1 - h.0;
                hours.push(h);
                match d.tomorrow() {
                    Ok(n) => d = n,
                    Err(_) => break,
                }
            }
            midnights.push(midnight(d));
            before.push(sum);
            DayTable { midnights, hours, before }
        })
    }

    /// Seconds of business hours between `from` and `to` (0 when `to <= from`).
    pub fn working_seconds(&self, from: Timestamp, to: Timestamp) -> i64 {
        if to <= from {
            return 0;
        }
        // The day table: two partial days and a difference of running sums.
        let t = self.table();
        if let (Some(ia), Some(ib)) = (t.day_of(from.as_second()), t.day_of(to.as_second())) {
            let clip = |i: usize| {
                let (o, c) = t.hours[i];
                (c.min(to.as_second()) - o.max(from.as_second())).max(0)
            };
            if ia == ib {
                return clip(ia);
            }
            return clip(ia) + (t.before[ib] - t.before[ia + 1]) + clip(ib);
        }
        self.walk(from, to)
    }

    /// [`Calendar::working_seconds`] day by day (outside the table's years, and as the
    /// reference the table is checked against).
    fn walk(&self, from: Timestamp, to: Timestamp) -> i64 {
        if to <= from {
            return 0;
        }
        // Outside the table the walk goes day by day: past a century it is not a ticket.
        if to.as_second() - from.as_second() > 100 * 366 * 86_400 {
            return 0;
        }
        let (a, b) = (from.to_zoned(self.tz.clone()), to.to_zoned(self.tz.clone()));
        let mut total = 0;
        let mut day = a.date();
        while day <= b.date() {
            if self.is_working_day(day) {
                let open = day.to_datetime(self.hours.start).to_zoned(self.tz.clone()).map(|z| z.timestamp());
                let close = day.to_datetime(self.hours.end).to_zoned(self.tz.clone()).map(|z| z.timestamp());
                if let (Ok(open), Ok(close)) = (open, close) {
                    let s = open.max(from);
                    let e = close.min(to);
                    if e > s {
                        total += e.as_second() - s.as_second();
                    }
                }
            }
            match day.tomorrow() {
                Ok(n) => day = n,
                Err(_) => break,
            }
        }
        total
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A Paris local time (also for the SLA tests).
    pub(crate) fn ts(s: &str) -> Timestamp {
        s.parse::<jiff::civil::DateTime>()
            .and_then(|dt| dt.to_zoned(crate::time::paris()))
            .map(|z| z.timestamp())
            .expect("time")
    }

    #[test]
    fn easter_of_known_years() {
        for (y, m, d) in [(2024, 3, 31), (2025, 4, 20), (2026, 4, 5), (2027, 3, 28), (2000, 4, 23), (2038, 4, 25)] {
            assert_eq!(easter(y), Date::constant(y, m, d), "{y}");
        }
    }

    #[test]
    fn holidays_of_2026() {
        let c = Calendar::default();
        let h: Vec<String> = c.holidays(2026).iter().map(ToString::to_string).collect();
        assert_eq!(
            h,
            [
                "2026-01-01",
                "2026-04-06",
                "2026-05-01",
                "2026-05-08",
                "2026-05-14",
                "2026-05-25",
                "2026-07-14",
                "2026-08-15",
                "2026-11-01",
                "2026-11-11",
                "2026-12-25"
            ]
        );
        let am = Calendar::new(Region::AlsaceMoselle, Hours::default());
        assert!(am.is_holiday(Date::constant(2026, 4, 3)) && am.is_holiday(Date::constant(2026, 12, 26)));
        assert!(!c.is_holiday(Date::constant(2026, 4, 3)));
    }

    #[test]
    fn official_holidays_2024_to_2030() {
        // The dates as published (service-public), written out by hand.
        let official: [(i16, [&str; 11]); 7] = [
            (2024, ["01-01", "04-01", "05-01", "05-08", "05-09", "05-20", "07-14", "08-15", "11-01", "11-11", "12-25"]),
            (2025, ["01-01", "04-21", "05-01", "05-08", "05-29", "06-09", "07-14", "08-15", "11-01", "11-11", "12-25"]),
            (2026, ["01-01", "04-06", "05-01", "05-08", "05-14", "05-25", "07-14", "08-15", "11-01", "11-11", "12-25"]),
            (2027, ["01-01", "03-29", "05-01", "05-06", "05-08", "05-17", "07-14", "08-15", "11-01", "11-11", "12-25"]),
            (2028, ["01-01", "04-17", "05-01", "05-08", "05-25", "06-05", "07-14", "08-15", "11-01", "11-11", "12-25"]),
            (2029, ["01-01", "04-02", "05-01", "05-08", "05-10", "05-21", "07-14", "08-15", "11-01", "11-11", "12-25"]),
            (2030, ["01-01", "04-22", "05-01", "05-08", "05-30", "06-10", "07-14", "08-15", "11-01", "11-11", "12-25"]),
        ];
        let c = Calendar::default();
        for (year, days) in official {
            let got: Vec<String> = c.holidays(year).iter().map(|d| d.strftime("%m-%d").to_string()).collect();
            assert_eq!(got, days, "{year}");
        }
    }

    #[test]
    fn due_dates_counted_by_hand() {
        let c = Calendar::default();
        let d = |y, m, day| Date::constant(y, m, day);
        // A quote asked on Friday 19 December 2025, due 10 working days later: 22, 23, 24,
        // (25 off) 26, 29, 30, 31, (1 January off) 2, 5, 6 January 2026.
        assert_eq!(c.add_working_days(d(2025, 12, 19), 10), d(2026, 1, 6));
        // Wednesday 24 May 2028 + 3: (Ascension 25 off) 26, 29, 30.
        assert_eq!(c.add_working_days(d(2028, 5, 24), 3), d(2028, 5, 30));
        // Friday 29 March 2024 + 1: (weekend, Easter Monday 1 April) Tuesday 2 April.
        assert_eq!(c.add_working_days(d(2024, 3, 29), 1), d(2024, 4, 2));
        // Thursday 31 December 2026 + 1 (1 January 2027 is a Friday): Monday 4 January.
        assert_eq!(c.add_working_days(d(2026, 12, 31), 1), d(2027, 1, 4));
    }

    #[test]
    fn lateness_in_working_days() {
        let c = Calendar::default();
        let d = |y, m, day| Date::constant(y, m, day);
        // Due Tuesday 6 January 2026, sent Thursday 8: 7 and 8 January.
        assert_eq!(c.working_days_late(d(2026, 1, 6), d(2026, 1, 8)), 2);
        // Due Friday 24 December 2027 (Christmas is Saturday), sent Monday 27: one day.
        assert_eq!(c.working_days_late(d(2027, 12, 24), d(2027, 12, 27)), 1);
        assert_eq!(c.working_days_late(d(2026, 1, 6), d(2026, 1, 6)), 0);
        assert_eq!(c.working_days_late(d(2026, 1, 6), d(2026, 1, 2)), 0);
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let c = Calendar::default();
        // Thursday 2 April 2026 + 2 working days: Friday 3, (weekend, Easter Monday 6) Tuesday 7.
        assert_eq!(c.add_working_days(Date::constant(2026, 4, 2), 2), Date::constant(2026, 4, 7));
        // 10 working days from Monday 4 May 2026 (8 May and Ascension 14 May off).
        assert_eq!(c.add_working_days(Date::constant(2026, 5, 4), 10), Date::constant(2026, 5, 20));
        // A Saturday counts from the Monday.
        assert_eq!(c.add_working_days(Date::constant(2026, 11, 28), 0), Date::constant(2026, 11, 30));
    }

    #[test]
    fn working_time_between_instants() {
        let c = Calendar::default();
        // Friday 17:00 → Monday 10:00: 1 h Friday + 1 h Monday.
        assert_eq!(c.working_seconds(ts("2026-11-27T17:00"), ts("2026-11-30T10:00")), 2 * 3600);
        // Thursday 13 May 2026 16:00 → Friday 15 May 10:00 across Ascension: 2 h + 1 h.
        assert_eq!(c.working_seconds(ts("2026-05-13T16:00"), ts("2026-05-15T10:00")), 3 * 3600);
        // Outside hours entirely.
        assert_eq!(c.working_seconds(ts("2026-11-27T19:00"), ts("2026-11-27T23:00")), 0);
        assert!(c.in_hours(ts("2026-11-27T09:00")) && !c.in_hours(ts("2026-11-27T18:00")));
        assert!(!c.in_hours(ts("2026-04-06T10:00")), "Easter Monday");
        // Across the change to summer time: business hours are local, a full day is 9 h.
        assert_eq!(c.working_seconds(ts("2026-03-27T09:00"), ts("2026-03-30T18:00")), 2 * 9 * 3600);
        // Long spans (the day table) agree with the walk over the days, whatever the ends.
        for (a, b) in [
            ("2026-01-01T00:00", "2026-12-31T23:59"),
            ("2025-12-24T10:30", "2026-02-03T17:15"),
            ("2026-03-20T19:00", "2026-04-10T08:00"),
            ("2026-04-06T12:00", "2026-05-15T12:00"),
            ("2026-03-28T08:00", "2026-03-30T09:30"),
            ("2026-10-23T17:59", "2026-10-26T09:01"),
            ("2026-11-27T10:00", "2026-11-27T10:00"),
            ("2026-11-27T12:00", "2026-11-27T13:30"),
        ] {
            let (a, b) = (ts(a), ts(b));
            assert_eq!(c.working_seconds(a, b), c.walk(a, b), "{a} → {b}");
        }
        let far = ts("2150-01-05T10:00");
        assert_eq!(c.working_seconds(far, far + jiff::SignedDuration::from_hours(3)), 3 * 3600, "outside the table");
        // 2026: 261 weekdays, 9 holidays on weekdays (15 August and 1 November are on a
        // weekend): 252 working days of 9 h.
        assert_eq!(c.working_seconds(ts("2026-01-01T00:00"), ts("2027-01-01T00:00")), 252 * 9 * 3600);
    }
}
