//! The monthly activity report (seed 003 §4.1.1, §4.1.4.2; the basis of billing control):
//! every event of the month from the audit journal (sites, rules, flushes, deploys, records),
//! the incidents and interventions, the tickets closed in the month and those still open at
//! its end, and the SLA figures of those tickets read at the month's end.

use std::collections::{BTreeMap, HashMap, HashSet};

use amoe_core::calendar::Calendar;
use amoe_core::sla::{Targets, read_clocks};
use amoe_core::tickets::Status;
use amoe_store::AuditFilter;
use amoe_store::Store;
use amoe_store::audit::AuditReads;
use amoe_store::contracts::ContractReads;
use amoe_store::incidents::IncidentReads;
use amoe_store::sites::SiteReads;
use amoe_store::tickets::{TicketFilter, TicketReads};

use super::doc::{Doc, Lang, Part, Val};
use super::{Days, ts};

pub fn build(store: &Store, month: Days, beneficiary: Option<&str>, lang: Lang) -> anyhow::Result<Doc> {
    let t = |fr, en| lang.t(fr, en).to_string();
    let (start, end) = (month.start(), month.end());
    let (from, to) = (amoe_core::time::format_utc(start), amoe_core::time::format_utc(end));
    // What belongs to the beneficiary: its sites, and entries naming it.
    let sites: Option<HashSet<String>> = beneficiary.map(|b| {
        store
            .sites()
            .map(|all| all.into_iter().filter(|s| s.beneficiary.as_str() == b).map(|s| s.name.to_string()).collect())
            .unwrap_or_default()
    });
    let mine = |target: Option<&str>| -> bool {
        let (Some(b), Some(sites)) = (beneficiary, &sites) else { return true };
        match target.and_then(|x| x.split_once(':')) {
            Some(("beneficiary", s)) => s == b,
            Some(("site", s)) => sites.contains(s),
            _ => false,
        }
    };
    let site_mine = |site: Option<&str>| sites.as_ref().is_none_or(|s| site.is_none_or(|x| s.contains(x)));

    let mut events = Part::new("events", t("Événements du mois", "Events of the month")).columns(&[
        ("at", lang.t("Date", "Time")),
        ("operator", lang.t("Opérateur", "Operator")),
        ("command", lang.t("Action", "Action")),
        ("target", lang.t("Objet", "Target")),
        ("outcome", lang.t("Résultat", "Outcome")),
    ]);
    let entries = store.audit_entries(&AuditFilter { since: Some(from.clone()), operator: None, target: None })?;
    let mut by_command: BTreeMap<String, i64> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.at < to && mine(e.target.as_deref())) {
        *by_command.entry(e.command.clone()).or_default() += 1;
        events.row(vec![
            Val::at(Some(&e.at)),
            Val::text(e.operator.clone()),
            Val::text(e.command.clone()),
            Val::text(e.target.clone().unwrap_or_default()),
            Val::text(e.outcome.clone()),
        ]);
    }
    let mut kinds = Part::new("event_counts", t("Actions par type", "Actions by kind"))
        .columns(&[("command", lang.t("Action", "Action")), ("count", lang.t("Nombre", "Count"))]);
    for (c, n) in by_command {
        kinds.row(vec![Val::text(c), Val::Int(n)]);
    }

    let mut incidents = Part::new("incidents", t("Incidents", "Incidents")).columns(&[
        ("id", lang.t("N°", "No.")),
        ("site", lang.t("Site", "Site")),
        ("start", lang.t("Début", "Start")),
        ("restored", lang.t("Rétablissement", "Restored")),
        ("nature", lang.t("Nature", "Nature")),
        ("measures", lang.t("Mesures", "Measures")),
    ]);
    for i in store.incidents(Some(&from), Some(&to))?.iter().filter(|i| site_mine(i.site.as_deref())) {
        incidents.row(vec![
            Val::Int(i.id),
            Val::text(i.site.clone().unwrap_or_default()),
            Val::at(Some(&i.started_at)),
            Val::at(i.restored_at.as_deref()),
            Val::text(i.nature.clone()),
            Val::text(i.measures.clone().unwrap_or_default()),
        ]);
    }

    let mut work = Part::new("interventions", t("Interventions", "Interventions")).columns(&[
        ("start", lang.t("Début", "Start")),
        ("minutes", lang.t("Durée (min)", "Duration (min)")),
        ("operator", lang.t("Intervenant", "Operator")),
        ("ticket", lang.t("Ticket", "Ticket")),
        ("detail", lang.t("Détail", "Detail")),
    ]);
    for i in store.interventions(Some(&from), Some(&to), beneficiary, None)? {
        work.row(vec![
            Val::at(Some(&i.started_at)),
            Val::Int(i.minutes),
            Val::text(i.operator),
            i.ticket.map_or(Val::Empty, |n| Val::text(format!("#{n}"))),
            Val::text(i.detail),
        ]);
    }

    // Tickets: the state of each at the month's end, from its status changes.
    let all = store.tickets(&TicketFilter::default())?;
    let mut changes: HashMap<i64, Vec<(jiff::Timestamp, Status)>> = HashMap::new();
    for (id, at, s) in store.status_changes()? {
        if at < end {
            changes.entry(id).or_default().push((at, s));
        }
    }
    let targets: HashMap<String, Targets> =
        store.projects()?.into_iter().map(|p| (p.name, serde_json::from_str(&p.sla).unwrap_or_default())).collect();
    let cal = Calendar::default();
    let cols: &[(&'static str, &str)] = &[
        ("id", lang.t("N°", "No.")),
        ("title", lang.t("Titre", "Title")),
        ("type", lang.t("Type", "Type")),
        ("priority", lang.t("Priorité", "Priority")),
        ("opened", lang.t("Ouvert le", "Opened")),
        ("status", lang.t("Statut en fin de mois", "Status at month end")),
        ("closed", lang.t("Résolu le", "Resolved")),
    ];
    let mut closed =
        Part::new("tickets_closed", t("Tickets résolus dans le mois", "Tickets resolved in the month")).columns(cols);
    let mut open =
        Part::new("tickets_open", t("Tickets ouverts en fin de mois", "Tickets open at month end")).columns(cols);
    let mut sla: BTreeMap<&'static str, (i64, i64, i64)> = BTreeMap::new();
    for tk in all.iter().filter(|tk| {
        beneficiary.is_none_or(|b| {
            tk.beneficiary.as_deref() == Some(b) || tk.site.as_deref().is_some_and(|s| site_mine(Some(s)))
        })
    }) {
        let Some(opened) = ts(&tk.created_at).filter(|o| *o < end) else { continue };
        let ch = changes.get(&tk.id).map(Vec::as_slice).unwrap_or_default();
        let status = ch.last().map_or(Status::New, |(_, s)| *s);
        let done = matches!(status, Status::Resolved | Status::Closed);
        let resolved_at =
            ch.iter().rev().find(|(_, s)| matches!(s, Status::Resolved | Status::Closed)).map(|(a, _)| *a);
        let part = if done && resolved_at.is_some_and(|a| a >= start) {
            &mut closed
        } else if !done {
            &mut open
        } else {
            continue;
        };
        part.row(vec![
            Val::Int(tk.id),
            Val::text(tk.title.clone()),
            Val::text(lang.t(tk.kind.label_fr(), tk.kind.as_str())),
            Val::text(lang.t(tk.priority.label_fr(), tk.priority.as_str())),
            Val::Instant(opened),
            Val::text(lang.t(status.label_fr(), status.as_str())),
            resolved_at.filter(|_| done).map_or(Val::Empty, Val::Instant),
        ]);
        let tg = targets.get(&tk.project).cloned().unwrap_or_default();
        for r in read_clocks(tk.kind, opened, ch, &tg, &cal, end) {
            let e = sla.entry(r.clock).or_default();
            e.0 += 1;
            e.1 += i64::from(!r.running);
            e.2 += i64::from(r.breached);
        }
    }
    let mut figures = Part::new("sla", t("Engagements de service (SLA)", "Service levels (SLA)")).columns(&[
        ("clock", lang.t("Délai", "Clock")),
        ("tickets", lang.t("Tickets", "Tickets")),
        ("stopped", lang.t("Arrêtés", "Stopped")),
        ("breaches", lang.t("Dépassements", "Breaches")),
    ]);
    for (clock, (n, stopped, breaches)) in sla {
        let name = match clock {
            "take_charge" => lang.t("prise en charge", "take charge"),
            "restore" => lang.t("rétablissement", "restore"),
            "resolve" => lang.t("résolution", "resolve"),
            other => other,
        };
        figures.row(vec![Val::text(name), Val::Int(n), Val::Int(stopped), Val::Int(breaches)]);
    }
    let title = match beneficiary {
        Some(b) => format!("{} — {b}", lang.t("Rapport mensuel d'activité", "Monthly activity report")),
        None => t("Rapport mensuel d'activité", "Monthly activity report"),
    };
    Ok(Doc {
        kind: "monthly",
        title,
        period: month.words(lang),
        lang,
        parts: vec![kinds, events, incidents, work, closed, open, figures],
    })
}
