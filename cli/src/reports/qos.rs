//! The quality of service of a month (seed 003 §3.2.10.1), each indicator with its value, its
//! target, pass or fail, and its evidence:
//!
//! - QS-01: at least 90 % of the requests answered in under 2 s (the month's collected logs);
//! - QS-02: availability over 99.99 % (strictly, as written), per day, month and year, from the
//!   incidents on our equipment; an incident still open counts up to now;
//! - QS-03: at most 4 incidents started in the month, each one described (the anomaly report);
//! - QS-04: service restored in under 4 hours (strictly), 24/7, for incidents on our equipment;
//! - QS-05: for incidents we detected, the customer told of the nature and the measures within
//!   4 hours (4 hours exactly is in time);
//! - QS-06: a change asked is effective (its last host confirmed the push) by the end of the
//!   next "jour ouvrable" (Monday to Saturday, holidays excepted) after the request's day;
//! - QS-07: the site's definition file is written within 2 working days ("jours ouvrés") of the
//!   day the change took effect (a change effective on a day off counts from the next working
//!   day, as quotes do).

use amoe_core::calendar::Calendar;
use amoe_store::Store;
use amoe_store::incidents::{ChangeRequest, Incident, IncidentReads};
use jiff::{Timestamp, ToSpan};

use super::doc::{Doc, Lang, Part, Val};
use super::{Days, duration, midnight, ts};
use crate::settings::Settings;

/// Four hours, in milliseconds.
pub const FOUR_HOURS_MS: i64 = 4 * 3600 * 1000;

/// Milliseconds of `[from, to)` covered by the union of `spans`.
pub fn covered_ms(spans: &[(Timestamp, Timestamp)], from: Timestamp, to: Timestamp) -> i64 {
    let mut v: Vec<(i64, i64)> = spans
        .iter()
        .map(|(a, b)| (a.max(&from).as_millisecond(), b.min(&to).as_millisecond()))
        .filter(|(a, b)| a < b)
        .collect();
    v.sort_unstable();
    let mut total = 0;
    let mut cur: Option<(i64, i64)> = None;
    for (a, b) in v {
        cur = match cur {
            Some((s, e)) if a <= e => Some((s, e.max(b))),
            Some((s, e)) => {
                total += e - s;
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    total + cur.map_or(0, |(s, e)| e - s)
}

/// QS-02's test: availability strictly over 99.99 %, that is downtime under 1/10,000 of the
/// period.
pub fn available_enough(down_ms: i64, total_ms: i64) -> bool {
    down_ms * 10_000 < total_ms
}

/// Availability in percent (to 6 decimals).
pub fn availability(down_ms: i64, total_ms: i64) -> f64 {
    if total_ms <= 0 {
        return 100.0;
    }
    ((total_ms - down_ms) as f64 * 100.0 / total_ms as f64 * 1e6).round() / 1e6
}

/// The end of an incident for the clocks: its restoration, or now.
fn end_of(i: &Incident, now: Timestamp) -> Option<(Timestamp, Timestamp)> {
    let s = ts(&i.started_at)?;
    Some((s, i.restored_at.as_deref().and_then(ts).unwrap_or(now).max(s)))
}

/// QS-06: the instant a change asked at `asked` must be effective by.
pub fn change_due(cal: &Calendar, asked: Timestamp) -> Timestamp {
    midnight(cal.next_ouvrable(cal.date_of(asked)).saturating_add(1.day()))
}

/// QS-07: the instant a definition file must be written by, for a change effective at `at`.
pub fn dossier_due(cal: &Calendar, at: Timestamp) -> Timestamp {
    midnight(cal.add_working_days(cal.date_of(at), 2).saturating_add(1.day()))
}

fn hours(ms: i64) -> f64 {
    (ms as f64 / 3_600_000.0 * 100.0).round() / 100.0
}

pub fn build(store: &Store, settings: &Settings, month: Days, lang: Lang) -> anyhow::Result<Doc> {
    let t = |fr, en| lang.t(fr, en).to_string();
    let cal = Calendar::default();
    let now = Timestamp::now();
    let (start, end) = (month.start(), month.end());
    let year = Days { first: jiff::civil::Date::new(month.first.year(), 1, 1)?, next: month.next };
    let incidents =
        store.incidents(Some(&amoe_core::time::format_utc(year.start())), Some(&amoe_core::time::format_utc(end)))?;
    let ours: Vec<(Timestamp, Timestamp)> =
        incidents.iter().filter(|i| i.ours).filter_map(|i| end_of(i, now.min(end))).collect();
    let in_month: Vec<&Incident> =
        incidents.iter().filter(|i| ts(&i.started_at).is_some_and(|s| s >= start && s < end)).collect();
    let touching: Vec<&Incident> = incidents
        .iter()
        .filter(|i| end_of(i, now).is_some_and(|(s, e)| s < end && (e > start || i.restored_at.is_none())))
        .collect();

    // QS-02: availability per day, month, year.
    let mut avail = Part::new("availability", t("Disponibilité (QS-02)", "Availability (QS-02)")).columns(&[
        ("period", lang.t("Période", "Period")),
        ("downtime_s", lang.t("Indisponibilité (s)", "Downtime (s)")),
        ("downtime", lang.t("Indisponibilité", "Downtime")),
        ("availability_percent", lang.t("Disponibilité (%)", "Availability (%)")),
        ("verdict", lang.t("Verdict", "Verdict")),
    ]);
    let mut row = |label: String, from: Timestamp, to: Timestamp| -> (i64, i64) {
        let total = (to.as_millisecond() - from.as_millisecond()).max(0);
        let down = covered_ms(&ours, from, to);
        avail.row(vec![
            Val::text(label),
            Val::Num(down as f64 / 1000.0),
            Val::text(duration(down / 1000)),
            Val::Num(availability(down, total)),
            Val::text(lang.verdict(Some(available_enough(down, total)))),
        ]);
        (down, total)
    };
    let (m_down, m_total) = row(super::month_of(month.first), start, end);
    let (y_down, y_total) = row(
        format!("{} {} ({} {})", t("Année", "Year"), month.first.year(), t("au", "to"), month.last()),
        year.start(),
        end,
    );
    for d in month.each() {
        row(d.to_string(), midnight(d), midnight(d.saturating_add(1.day())));
    }
    avail.say(format!(
        "{} {} ({} {}) ; {} {}.",
        lang.t("Mois :", "Month:"),
        availability(m_down, m_total),
        duration(m_down / 1000),
        lang.t("d'indisponibilité", "down"),
        lang.t("année :", "year:"),
        availability(y_down, y_total)
    ));

    // The incidents, described (QS-03's anomaly report), with QS-04 and QS-05 per incident.
    let mut list =
        Part::new("incidents", t("Incidents du mois (QS-03 à QS-05)", "Incidents of the month (QS-03 to QS-05)"))
            .columns(&[
                ("id", lang.t("N°", "No.")),
                ("site", lang.t("Site", "Site")),
                ("start", lang.t("Début", "Start")),
                ("restored", lang.t("Rétablissement", "Restored")),
                ("restore_hours", lang.t("Durée (h)", "Duration (h)")),
                ("detected_by", lang.t("Détecté par", "Detected by")),
                ("ours", lang.t("Équipement du titulaire", "Our equipment")),
                ("nature", lang.t("Nature", "Nature")),
                ("measures", lang.t("Mesures", "Measures")),
                ("told", lang.t("Client informé", "Customer told")),
                ("qs04", "QS-04"),
                ("qs05", "QS-05"),
            ]);
    let (mut qs04_n, mut qs04_ok, mut qs05_n, mut qs05_ok) = (0, 0, 0, 0);
    for i in &touching {
        let Some((s, e)) = end_of(i, now) else { continue };
        let restore_ms = e.as_millisecond() - s.as_millisecond();
        let qs04 = i.ours.then_some(restore_ms < FOUR_HOURS_MS);
        if let Some(ok) = qs04 {
            qs04_n += 1;
            qs04_ok += i64::from(ok);
        }
        let qs05 = (i.detected_by == "us").then(|| {
            let told = i.told_at.as_deref().and_then(ts);
            let limit = s + jiff::SignedDuration::from_millis(FOUR_HOURS_MS);
            told.is_some_and(|t| t <= limit) && i.measures.as_deref().is_some_and(|m| !m.trim().is_empty())
        });
        if let Some(ok) = qs05 {
            qs05_n += 1;
            qs05_ok += i64::from(ok);
        }
        list.row(vec![
            Val::Int(i.id),
            Val::text(i.site.clone().unwrap_or_else(|| t("(tous)", "(all)"))),
            Val::Instant(s),
            Val::at(i.restored_at.as_deref()),
            Val::Num(hours(restore_ms)),
            Val::text(if i.detected_by == "us" { t("titulaire", "us") } else { t("administration", "customer") }),
            Val::text(if i.ours { t("oui", "yes") } else { t("non", "no") }),
            Val::text(i.nature.clone()),
            Val::text(i.measures.clone().unwrap_or_default()),
            Val::at(i.told_at.as_deref()),
            Val::text(qs04.map_or(String::new(), |v| lang.verdict(Some(v)))),
            Val::text(qs05.map_or(String::new(), |v| lang.verdict(Some(v)))),
        ]);
    }

    // QS-06 and QS-07 over the change requests.
    let changes = store.changes(None)?;
    let dossiers = store.dossiers(None)?;
    let mut ch = Part::new("changes", t("Demandes de modification (QS-06)", "Change requests (QS-06)")).columns(&[
        ("id", lang.t("N°", "No.")),
        ("site", lang.t("Site", "Site")),
        ("asked", lang.t("Demandée le", "Asked")),
        ("due", lang.t("Échéance", "Due by")),
        ("effective", lang.t("Effective le", "Effective")),
        ("verdict", lang.t("Verdict", "Verdict")),
        ("detail", lang.t("Objet", "Detail")),
    ]);
    let (mut qs06_n, mut qs06_ok) = (0, 0);
    for c in changes.iter().filter(|c| ts(&c.asked_at).is_some_and(|a| a >= start && a < end)) {
        let Some(asked) = ts(&c.asked_at) else { continue };
        let due = change_due(&cal, asked);
        let eff = c.effective_at.as_deref().and_then(ts);
        let verdict = match eff {
            Some(e) => Some(e < due),
            None if now >= due => Some(false),
            None => None,
        };
        if let Some(v) = verdict {
            qs06_n += 1;
            qs06_ok += i64::from(v);
        }
        ch.row(vec![
            Val::Int(c.id),
            Val::text(c.site.clone()),
            Val::Instant(asked),
            Val::Instant(due - jiff::SignedDuration::from_secs(60)),
            eff.map_or(Val::Empty, Val::Instant),
            Val::text(verdict.map_or_else(|| t("en attente", "pending"), |v| lang.verdict(Some(v)))),
            Val::text(c.detail.clone()),
        ]);
    }
    let mut dos =
        Part::new("dossiers", t("Mises à jour du dossier de définition (QS-07)", "Definition file updates (QS-07)"))
            .columns(&[
                ("change", lang.t("Modification", "Change")),
                ("site", lang.t("Site", "Site")),
                ("effective", lang.t("Effective le", "Effective")),
                ("due", lang.t("Échéance", "Due by")),
                ("written", lang.t("Dossier mis à jour le", "File written")),
                ("verdict", lang.t("Verdict", "Verdict")),
            ]);
    let (mut qs07_n, mut qs07_ok) = (0, 0);
    let effective_in_month =
        |c: &&ChangeRequest| c.effective_at.as_deref().and_then(ts).is_some_and(|e| e >= start && e < end);
    for c in changes.iter().filter(effective_in_month) {
        let Some(eff) = c.effective_at.as_deref().and_then(ts) else { continue };
        let due = dossier_due(&cal, eff);
        let written =
            dossiers.iter().filter(|d| d.site == c.site).filter_map(|d| ts(&d.written_at)).find(|w| *w >= eff);
        let verdict = match written {
            Some(w) => Some(w < due),
            None if now >= due => Some(false),
            None => None,
        };
        if let Some(v) = verdict {
            qs07_n += 1;
            qs07_ok += i64::from(v);
        }
        dos.row(vec![
            Val::Int(c.id),
            Val::text(c.site.clone()),
            Val::Instant(eff),
            Val::Instant(due - jiff::SignedDuration::from_secs(60)),
            written.map_or(Val::Empty, Val::Instant),
            Val::text(verdict.map_or_else(|| t("en attente", "pending"), |v| lang.verdict(Some(v)))),
        ]);
    }

    // QS-01 from the month's collected logs, when there are some.
    let qs01 = match crate::logs::w3c_files(settings, store, None, &month.first.to_string(), &month.last().to_string())
    {
        Ok(files) if !files.is_empty() => {
            let opts = amoe_logstats::Options { paris: true, ..amoe_logstats::Options::default() };
            let r = amoe_logstats::report(&files, &opts, 0);
            r.time_taken.map(|tt| (tt.share_under_2s, tt.requests))
        }
        _ => None,
    };

    let mut summary = Part::new("summary", t("Indicateurs", "Indicators")).columns(&[
        ("indicator", lang.t("Indicateur", "Indicator")),
        ("label", lang.t("Libellé", "Label")),
        ("value", lang.t("Valeur", "Value")),
        ("target", lang.t("Cible", "Target")),
        ("verdict", lang.t("Verdict", "Verdict")),
    ]);
    let share = |ok: i64, n: i64| format!("{ok} / {n}");
    let all_ok = |ok: i64, n: i64| (n > 0).then_some(ok == n);
    let rows: Vec<(&str, String, String, String, Option<bool>)> = vec![
        (
            "QS-01",
            t("Temps de réponse < 2 s", "Response time < 2 s"),
            qs01.map_or_else(
                || t("pas de journaux", "no logs"),
                |(s, n)| format!("{:.2} % ({n} {})", s * 100.0, lang.t("requêtes", "requests")),
            ),
            "≥ 90 %".into(),
            qs01.map(|(s, _)| s >= 0.9),
        ),
        (
            "QS-02",
            t("Disponibilité mensuelle", "Monthly availability"),
            format!("{} %", availability(m_down, m_total)),
            "> 99.99 %".into(),
            Some(available_enough(m_down, m_total)),
        ),
        (
            "QS-03",
            t("Incidents du mois", "Incidents in the month"),
            in_month.len().to_string(),
            "≤ 4".into(),
            Some(in_month.len() <= 4),
        ),
        (
            "QS-04",
            t("Rétablissement < 4 h (nos équipements)", "Restored < 4 h (our equipment)"),
            share(qs04_ok, qs04_n),
            "100 %".into(),
            all_ok(qs04_ok, qs04_n),
        ),
        (
            "QS-05",
            t("Information ≤ 4 h (détectés par nous)", "Customer told ≤ 4 h (detected by us)"),
            share(qs05_ok, qs05_n),
            "100 %".into(),
            all_ok(qs05_ok, qs05_n),
        ),
        (
            "QS-06",
            t("Modification effective le jour ouvrable suivant", "Change effective by the next working day"),
            share(qs06_ok, qs06_n),
            "100 %".into(),
            all_ok(qs06_ok, qs06_n),
        ),
        (
            "QS-07",
            t("Dossier de définition ≤ 2 jours ouvrés", "Definition file ≤ 2 working days"),
            share(qs07_ok, qs07_n),
            "100 %".into(),
            all_ok(qs07_ok, qs07_n),
        ),
    ];
    for (k, label, value, target, verdict) in rows {
        summary.row(vec![
            Val::text(k),
            Val::text(label),
            Val::text(value),
            Val::text(target),
            Val::text(lang.verdict(verdict)),
        ]);
    }
    Ok(Doc {
        kind: "qos",
        title: t("Qualité de service", "Quality of service"),
        period: month.words(lang),
        lang,
        parts: vec![summary, avail, list, ch, dos],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().expect("instant")
    }

    #[test]
    fn downtime_is_the_union_of_incidents_clipped_to_the_period() {
        let spans = [
            (at("2026-10-31T22:00:00Z"), at("2026-11-01T01:00:00Z")),
            (at("2026-11-02T10:00:00Z"), at("2026-11-02T10:30:00Z")),
            (at("2026-11-02T10:20:00Z"), at("2026-11-02T11:00:00Z")),
        ];
        // November (Paris) starts at 2026-10-31T23:00Z: 2 h of the first, 1 h of the others.
        let (from, to) = (at("2026-10-31T23:00:00Z"), at("2026-11-30T23:00:00Z"));
        assert_eq!(covered_ms(&spans, from, to), 3 * 3_600_000);
    }

    #[test]
    fn availability_at_its_edge() {
        // November 2026: 30 days without a clock change, 2,592,000,000 ms; 0.01 % of it is
        // 259,200 ms (4 min 19.2 s). Exactly 99.99 % is not "over 99.99 %".
        let total = 30 * 86_400_000;
        assert!(!available_enough(259_200, total));
        assert!(available_enough(259_199, total));
        assert_eq!(availability(259_200, total), 99.99);
    }

    #[test]
    fn qs06_and_qs07_deadlines() {
        let cal = Calendar::default();
        // Asked Thursday 8 October 2026 16:20 Paris: due by the end of Friday 9 October.
        assert_eq!(change_due(&cal, at("2026-10-08T14:20:00Z")), at("2026-10-09T22:00:00Z"));
        // Asked Friday: Saturday is a "jour ouvrable".
        assert_eq!(change_due(&cal, at("2026-10-09T14:20:00Z")), at("2026-10-10T22:00:00Z"));
        // Asked Saturday 31 October: Sunday, then Sunday 1 November is a holiday anyway; Monday 2.
        assert_eq!(change_due(&cal, at("2026-10-31T10:00:00Z")), at("2026-11-02T23:00:00Z"));
        // Effective Friday 9 October: 2 working days, Monday 12 and Tuesday 13.
        assert_eq!(dossier_due(&cal, at("2026-10-09T10:00:00Z")), at("2026-10-13T22:00:00Z"));
        // Effective Tuesday 10 November: Wednesday 11 is a holiday, so Thursday 12, Friday 13.
        assert_eq!(dossier_due(&cal, at("2026-11-10T10:00:00Z")), at("2026-11-13T23:00:00Z"));
    }
}
