//! SLA clocks of a ticket, from its history (002 §5.2.6, 003 §3.2.3.1).
//!
//! Three clocks, each against a project's target:
//! - **take charge**: from opening to the first status other than `new`;
//! - **restore** (incidents) and **resolve** (every type): from opening until `resolved` or
//!   `closed`; a reopening starts the clock again where it stopped, so the time counted is the
//!   sum of the open periods.
//!
//! Time in `waiting` is never counted. Each target counts either working hours of the
//! [`Calendar`] or every hour (24/7), and may be shorter when the request came in business
//! hours (a cache-rule change within 1 h in hours, 2 h outside: 003 §3.2.3.1).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::tickets::{Kind, Status};

/// How a target's time is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Clock {
    /// Business hours of working days.
    #[default]
    Business,
    /// Every hour of every day.
    Always,
}

/// One target, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Minutes allowed.
    pub minutes: i64,
    /// Minutes allowed when the request came outside business hours (default: `minutes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside_hours_minutes: Option<i64>,
    /// How time is counted.
    #[serde(default)]
    pub clock: Clock,
}

/// A project's targets (the `sla` JSON of a project).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// Opening → taken in charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub take_charge: Option<Target>,
    /// Opening → service restored (incidents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore: Option<Target>,
    /// Opening → resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolve: Option<Target>,
}

/// One clock's reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Reading {
    /// `take_charge`, `restore` or `resolve`.
    pub clock: &'static str,
    /// Seconds counted so far (or in all, once stopped).
    pub elapsed_s: i64,
    /// The target, seconds (absent: no target).
    pub target_s: Option<i64>,
    /// Still running.
    pub running: bool,
    /// Over the target.
    pub breached: bool,
}

fn counted(cal: &Calendar, clock: Clock, from: Timestamp, to: Timestamp) -> i64 {
    match clock {
        Clock::Business => cal.working_seconds(from, to),
        Clock::Always => (to.as_second() - from.as_second()).max(0),
    }
}

/// Reads a ticket's clocks at `now`, from its opening and its status changes in order.
pub fn read_clocks(
    kind: Kind,
    opened: Timestamp,
    changes: &[(Timestamp, Status)],
    targets: &Targets,
    cal: &Calendar,
    now: Timestamp,
) -> Vec<Reading> {
    let in_hours = cal.in_hours(opened);
    let target_s = |t: Option<&Target>| {
        t.map(|t| if in_hours { t.minutes } else { t.outside_hours_minutes.unwrap_or(t.minutes) } * 60)
    };
    // Periods: (from, to, status during it).
    let mut periods = Vec::new();
    let mut at = opened;
    let mut status = Status::New;
    for &(t, s) in changes {
        if t > at {
            periods.push((at, t, status));
        }
        at = at.max(t);
        status = s;
    }
    periods.push((at, now.max(at), status));
    let final_status = status;

    let mut out = Vec::new();
    // Take charge: time in `new` until the first other status.
    {
        let t = targets.take_charge.as_ref();
        let clock = t.map(|t| t.clock).unwrap_or_default();
        let taken = changes.iter().any(|(_, s)| *s != Status::New);
        let elapsed: i64 =
            periods.iter().take_while(|(_, _, s)| *s == Status::New).map(|(a, b, _)| counted(cal, clock, *a, *b)).sum();
        out.push(reading("take_charge", elapsed, target_s(t), !taken));
    }
    let open = |s: Status| matches!(s, Status::New | Status::InProgress);
    let mut clock_for = |name: &'static str, t: Option<&Target>| {
        let clock = t.map(|t| t.clock).unwrap_or_default();
        let elapsed: i64 =
            periods.iter().filter(|(_, _, s)| open(*s)).map(|(a, b, _)| counted(cal, clock, *a, *b)).sum();
        let running = !matches!(final_status, Status::Resolved | Status::Closed);
        out.push(reading(name, elapsed, target_s(t), running));
    };
    if kind == Kind::Incident {
        clock_for("restore", targets.restore.as_ref());
    }
    clock_for("resolve", targets.resolve.as_ref());
    out
}

fn reading(name: &'static str, elapsed: i64, target: Option<i64>, running: bool) -> Reading {
    Reading {
        clock: name,
        elapsed_s: elapsed,
        target_s: target,
        running,
        breached: target.is_some_and(|t| elapsed > t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::calendar::tests::ts;

    fn target(minutes: i64, clock: Clock) -> Option<Target> {
        Some(Target { minutes, outside_hours_minutes: None, clock })
    }

    fn find<'a>(r: &'a [Reading], name: &str) -> &'a Reading {
        r.iter().find(|x| x.clock == name).expect("clock")
    }

    #[test]
    fn clocks_across_a_weekend_a_holiday_waiting_and_a_reopening() {
        let cal = Calendar::default();
        let targets = Targets {
            take_charge: target(60, Clock::Business),
            restore: target(4 * 60, Clock::Always),
            resolve: target(2 * 9 * 60, Clock::Business),
        };
        // Thursday 2 April 2026 17:00 an incident; taken Friday 3 at 9:30 (1 h + 30 min of
        // business time); waiting from Friday 11:00 to Tuesday 7 (Easter Monday) 10:00;
        // resolved Tuesday 12:00; reopened Wednesday 8 at 9:00; resolved again at 10:00.
        let changes = [
            (ts("2026-04-03T09:30"), Status::InProgress),
            (ts("2026-04-03T11:00"), Status::Waiting),
            (ts("2026-04-07T10:00"), Status::InProgress),
            (ts("2026-04-07T12:00"), Status::Resolved),
            (ts("2026-04-08T09:00"), Status::InProgress),
            (ts("2026-04-08T10:00"), Status::Resolved),
        ];
        let r = read_clocks(Kind::Incident, ts("2026-04-02T17:00"), &changes, &targets, &cal, ts("2026-04-09T12:00"));
        let take = find(&r, "take_charge");
        assert_eq!((take.elapsed_s, take.breached, take.running), (90 * 60, true, false));
        // Business: Thu 17–18 (1 h) + Fri 9–11 (2 h) + Tue 10–12 (2 h) + Wed 9–10 (1 h) = 6 h.
        let resolve = find(&r, "resolve");
        assert_eq!((resolve.elapsed_s, resolve.breached, resolve.running), (6 * 3600, false, false));
        // 24/7: Thu 17:00 → Fri 11:00 (18 h) + Tue 10–12 (2 h) + Wed 9–10 (1 h) = 21 h.
        let restore = find(&r, "restore");
        assert_eq!((restore.elapsed_s, restore.breached), (21 * 3600, true));
    }

    #[test]
    fn a_target_can_depend_on_when_the_request_came() {
        let cal = Calendar::default();
        let t = Target { minutes: 60, outside_hours_minutes: Some(120), clock: Clock::Always };
        let targets = Targets { take_charge: Some(t), ..Targets::default() };
        // Ascension Thursday 14 May 2026, 10:00: out of hours, so 2 h; taken at 11:30.
        let r = read_clocks(
            Kind::Change,
            ts("2026-05-14T10:00"),
            &[(ts("2026-05-14T11:30"), Status::InProgress)],
            &targets,
            &cal,
            ts("2026-05-15T00:00"),
        );
        assert_eq!((r[0].target_s, r[0].breached), (Some(7200), false));
        // The same on Friday 15 at 10:00, in hours: 1 h, breached.
        let r = read_clocks(
            Kind::Change,
            ts("2026-05-15T10:00"),
            &[(ts("2026-05-15T11:30"), Status::InProgress)],
            &targets,
            &cal,
            ts("2026-05-16T00:00"),
        );
        assert_eq!((r[0].target_s, r[0].breached), (Some(3600), true));
        // Still open: the clock runs to now.
        let r = read_clocks(Kind::Request, ts("2026-05-15T10:00"), &[], &targets, &cal, ts("2026-05-15T10:30"));
        assert_eq!((r[0].elapsed_s, r[0].running), (1800, true));
    }
}
