//! The daily follow-up of interventions and the budget (seed 004 §9.3, art. 3-2 and 6, §10):
//! every intervention by day, out-of-hours ones flagged (the on-call report, 003 §3.2.3.4.1),
//! totals per day and month, days consumed × daily rate against the cap (a warning from 80 %,
//! a flag over it, never a block), and the month's amount HT, VAT and TTC.
//!
//! Amounts: a contract's minutes are summed first, then priced once, `minutes × daily rate /
//! minutes per day`, rounded half away from zero to the cent; VAT is computed on that amount.

use std::collections::BTreeMap;

use amoe_core::calendar::Calendar;
use amoe_core::money::{Amounts, mul_div};
use amoe_store::Store;
use amoe_store::beneficiaries::BeneficiaryReads;
use amoe_store::contracts::{Contract, ContractReads, Intervention};

use super::doc::{Doc, Lang, Part, Val};
use super::{Days, ts};

/// Where the budget stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    Ok,
    /// 80 % of the cap or more.
    Warning,
    /// Over the cap.
    Over,
}

/// The budget state of `consumed` against `cap` (cents).
pub fn budget(consumed: i64, cap: i64) -> Budget {
    if consumed > cap {
        Budget::Over
    } else if consumed * 10 >= cap * 8 {
        Budget::Warning
    } else {
        Budget::Ok
    }
}

/// Whether an intervention ran outside business hours, wholly or partly.
pub fn out_of_hours(cal: &Calendar, i: &Intervention) -> bool {
    let Some(start) = ts(&i.started_at) else { return false };
    let last = start + jiff::SignedDuration::from_secs(i.minutes * 60 - 1);
    !cal.in_hours(start) || !cal.in_hours(last) || cal.date_of(start) != cal.date_of(last)
}

fn hm(minutes: i64) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

/// Days of `minutes` for a contract, as a decimal.
fn days(minutes: i64, c: &Contract) -> f64 {
    (minutes as f64 / c.minutes_per_day as f64 * 1000.0).round() / 1000.0
}

pub fn build(store: &Store, month: Days, beneficiary: Option<&str>, lang: Lang) -> anyhow::Result<Doc> {
    let cal = Calendar::default();
    let (from, to) = (amoe_core::time::format_utc(month.start()), amoe_core::time::format_utc(month.end()));
    let list = store.interventions(Some(&from), Some(&to), beneficiary, None)?;
    let contracts: BTreeMap<i64, Contract> = store.contracts(beneficiary)?.into_iter().map(|c| (c.id, c)).collect();
    let names: BTreeMap<String, String> =
        store.beneficiaries()?.into_iter().map(|b| (b.siret.to_string(), b.name)).collect();
    let t = |fr, en| lang.t(fr, en).to_string();

    let mut detail = Part::new("interventions", t("Interventions", "Interventions")).columns(&[
        ("date", lang.t("Date", "Date")),
        ("start", lang.t("Heure", "Time")),
        ("minutes", lang.t("Durée (min)", "Duration (min)")),
        ("duration", lang.t("Durée", "Duration")),
        ("out_of_hours", lang.t("Hors heures ouvrées", "Out of hours")),
        ("beneficiary", lang.t("Bénéficiaire", "Beneficiary")),
        ("operator", lang.t("Intervenant", "Operator")),
        ("ticket", lang.t("Ticket", "Ticket")),
        ("detail", lang.t("Détail", "Detail")),
    ]);
    let mut per_day: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    let mut per_contract: BTreeMap<i64, i64> = BTreeMap::new();
    let mut off_hours = 0;
    for i in &list {
        let Some(start) = ts(&i.started_at) else { continue };
        let local = start.to_zoned(amoe_core::time::paris());
        let date = local.date().to_string();
        let off = out_of_hours(&cal, i);
        off_hours += i64::from(off);
        detail.row(vec![
            Val::Date(date.clone()),
            Val::text(local.strftime("%H:%M").to_string()),
            Val::Int(i.minutes),
            Val::text(hm(i.minutes)),
            Val::text(if off { lang.t("oui", "yes") } else { "" }),
            Val::text(names.get(&i.beneficiary).cloned().unwrap_or_else(|| i.beneficiary.clone())),
            Val::text(&*i.operator),
            i.ticket.map_or(Val::Empty, |n| Val::text(format!("#{n}"))),
            Val::text(&*i.detail),
        ]);
        let d = per_day.entry(date).or_default();
        d.0 += 1;
        d.1 += i.minutes;
        d.2 += i64::from(off);
        *per_contract.entry(i.contract).or_default() += i.minutes;
    }
    let total_minutes: i64 = list.iter().map(|i| i.minutes).sum();
    detail.say(format!(
        "{} {}, {} {} ({} {}).",
        list.len(),
        lang.t("interventions", "interventions"),
        hm(total_minutes),
        lang.t("au total", "in all"),
        off_hours,
        lang.t("hors heures ouvrées", "out of hours")
    ));

    let mut daily = Part::new("per_day", t("Totaux par jour", "Totals per day")).columns(&[
        ("date", lang.t("Date", "Date")),
        ("interventions", lang.t("Interventions", "Interventions")),
        ("minutes", lang.t("Minutes", "Minutes")),
        ("duration", lang.t("Durée", "Duration")),
        ("out_of_hours", lang.t("Hors heures ouvrées", "Out of hours")),
    ]);
    for (d, (n, m, off)) in &per_day {
        daily.row(vec![Val::Date(d.clone()), Val::Int(*n), Val::Int(*m), Val::text(hm(*m)), Val::Int(*off)]);
    }
    if !per_day.is_empty() {
        let n: i64 = per_day.values().map(|v| v.0).sum();
        daily.row(vec![
            Val::text(lang.t("Total du mois", "Month total")),
            Val::Int(n),
            Val::Int(total_minutes),
            Val::text(hm(total_minutes)),
            Val::Int(off_hours),
        ]);
    }

    let mut money = Part::new("budget", t("Budget", "Budget")).columns(&[
        ("contract", lang.t("Contrat", "Contract")),
        ("beneficiary", lang.t("Bénéficiaire", "Beneficiary")),
        ("daily_rate_cents", lang.t("Prix de journée HT", "Daily rate excl. VAT")),
        ("month_days", lang.t("Jours du mois", "Days this month")),
        ("month_ht_cents", lang.t("Montant du mois HT", "Month excl. VAT")),
        ("month_vat_cents", lang.t("TVA", "VAT")),
        ("month_ttc_cents", lang.t("Montant du mois TTC", "Month incl. VAT")),
        ("consumed_days", lang.t("Jours consommés", "Days consumed")),
        ("consumed_ht_cents", lang.t("Consommé HT", "Consumed excl. VAT")),
        ("cap_ht_cents", lang.t("Plafond HT", "Cap excl. VAT")),
        ("consumed_percent", lang.t("Part du plafond (%)", "Share of cap (%)")),
        ("state", lang.t("État", "State")),
    ]);
    // Every contract that was running this month, even without intervention.
    let first = month.first.to_string();
    let last = month.last().to_string();
    let mut month_total = Amounts { ht_cents: 0, vat_cents: 0, ttc_cents: 0 };
    for c in contracts.values().filter(|c| c.starts_on <= last && c.ends_on >= first) {
        let minutes = per_contract.get(&c.id).copied().unwrap_or(0);
        let amounts = Amounts::of(mul_div(minutes, c.daily_rate_cents, c.minutes_per_day), c.vat_bp);
        month_total.ht_cents += amounts.ht_cents;
        month_total.vat_cents += amounts.vat_cents;
        month_total.ttc_cents += amounts.ttc_cents;
        // Consumed since the contract began, to the end of this month.
        let cumulative: i64 = store.interventions(None, Some(&to), None, Some(c.id))?.iter().map(|i| i.minutes).sum();
        let consumed = mul_div(cumulative, c.daily_rate_cents, c.minutes_per_day);
        let share =
            if c.cap_cents == 0 { 0.0 } else { (consumed as f64 * 10_000.0 / c.cap_cents as f64).round() / 100.0 };
        let state = budget(consumed, c.cap_cents);
        let word = match state {
            Budget::Ok => lang.t("dans le budget", "within budget"),
            Budget::Warning => lang.t("ALERTE : 80 % du plafond atteints", "WARNING: 80 % of the cap reached"),
            Budget::Over => lang.t("DÉPASSEMENT DU PLAFOND", "CAP EXCEEDED"),
        };
        if state != Budget::Ok {
            money.say(format!(
                "{} {} ({}) : {} / {} HT.",
                word,
                c.label,
                c.beneficiary,
                amoe_core::money::display(consumed, !lang.english),
                amoe_core::money::display(c.cap_cents, !lang.english)
            ));
        }
        money.row(vec![
            Val::text(if c.label.is_empty() { format!("#{}", c.id) } else { c.label.clone() }),
            Val::text(names.get(&c.beneficiary).cloned().unwrap_or_else(|| c.beneficiary.clone())),
            Val::Money(c.daily_rate_cents),
            Val::Num(days(minutes, c)),
            Val::Money(amounts.ht_cents),
            Val::Money(amounts.vat_cents),
            Val::Money(amounts.ttc_cents),
            Val::Num(days(cumulative, c)),
            Val::Money(consumed),
            Val::Money(c.cap_cents),
            Val::Num(share),
            Val::text(word),
        ]);
    }
    money.say(format!(
        "{} {} HT, {} {}, {} TTC.",
        lang.t("Montant du mois :", "Amount of the month:"),
        amoe_core::money::display(month_total.ht_cents, !lang.english),
        amoe_core::money::display(month_total.vat_cents, !lang.english),
        lang.t("de TVA", "VAT"),
        amoe_core::money::display(month_total.ttc_cents, !lang.english),
    ));
    Ok(Doc {
        kind: "interventions",
        title: t("Suivi des interventions", "Interventions follow-up"),
        period: month.words(lang),
        lang,
        parts: vec![detail, daily, money],
    })
}
