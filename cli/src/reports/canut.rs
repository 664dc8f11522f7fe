//! The CANUT report of a semester (seed 002 art. 6): business volume in total and per
//! beneficiary by month, quarter and year (the calendar year up to the semester's end); every
//! order of the semester; the year's orders over the price lines; quotes answered late (over 10
//! working days, 002 §5.4.2); purchase gains where reference prices exist; and the semester's
//! notes (commercial actions, return on investment, good practice…) from a Markdown file.

use std::collections::BTreeMap;

use amoe_core::calendar::Calendar;
use amoe_store::Store;
use amoe_store::beneficiaries::BeneficiaryReads;
use amoe_store::orders::OrderReads;
use amoe_store::quotes::QuoteReads;
use jiff::civil::Date;

use super::doc::{Doc, Lang, Part, Val};
use super::{Days, month_of, ts};

/// The sections a semester's notes are expected to have (002 art. 6), French and English.
const NOTE_SECTIONS: &[(&str, &str)] = &[
    ("Actions commerciales et résultats", "Commercial actions and results"),
    ("Retour sur investissement des projets", "Projects' return on investment"),
    ("Bonnes pratiques", "Good practice"),
    ("Manquements aux bonnes pratiques", "Failures to apply good practice"),
    ("Mesures correctrices", "Corrective measures"),
];

/// The `## ` sections of a Markdown file: (title, paragraphs).
pub fn note_sections(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut para = String::new();
    let flush = |out: &mut Vec<(String, Vec<String>)>, para: &mut String| {
        let p = para.trim().to_string();
        if !p.is_empty()
            && let Some(last) = out.last_mut()
        {
            last.1.push(p);
        }
        para.clear();
    };
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            flush(&mut out, &mut para);
            out.push((title.trim().to_string(), Vec::new()));
        } else if line.trim().is_empty() {
            flush(&mut out, &mut para);
        } else if !line.starts_with("# ") {
            if !para.is_empty() {
                para.push(' ');
            }
            para.push_str(line.trim());
        }
    }
    flush(&mut out, &mut para);
    out
}

/// One price line's orders over the year.
#[derive(Debug, Default)]
struct LineSum {
    label: String,
    quantity_milli: i64,
    lines: i64,
    amount: i64,
    /// The same quantities at the reference price, where there is one.
    reference: i64,
    has_reference: bool,
}

pub fn build(store: &Store, semester: Days, notes: Option<&str>, lang: Lang) -> anyhow::Result<Doc> {
    let t = |fr, en| lang.t(fr, en).to_string();
    let year_start = Date::new(semester.first.year(), 1, 1)?;
    let last = semester.last().to_string();
    // The year's orders up to the semester's end: the semester's are a part of them.
    let year = store.orders(Some(&year_start.to_string()), Some(&last), None)?;
    let first_day = semester.first.to_string();
    let in_semester = |d: &str| d >= first_day.as_str();
    let names: BTreeMap<String, String> =
        store.beneficiaries()?.into_iter().map(|b| (b.siret.to_string(), b.name)).collect();
    let months: Vec<String> = semester.each().filter(|d| d.day() == 1).map(month_of).collect();
    let q = lang.t("T", "Q");
    let quarter = |m: &str| format!("{}-{q}{}", &m[..4], (m[5..7].parse::<u32>().unwrap_or(1) - 1) / 3 + 1);

    // Volume by month, quarter and year; per beneficiary.
    let mut by_month: BTreeMap<String, (i64, i64)> = months.iter().map(|m| (m.clone(), (0, 0))).collect();
    let mut per_b: BTreeMap<String, (BTreeMap<String, i64>, i64)> = BTreeMap::new();
    let mut year_total = (0i64, 0i64);
    for o in &year {
        year_total.0 += 1;
        year_total.1 += o.total_cents;
        let e = per_b.entry(o.beneficiary.clone()).or_default();
        e.1 += o.total_cents;
        if in_semester(&o.ordered_on) {
            let m = o.ordered_on[..7].to_string();
            let v = by_month.entry(m.clone()).or_default();
            v.0 += 1;
            v.1 += o.total_cents;
            *e.0.entry(m).or_default() += o.total_cents;
        }
    }
    let mut volume = Part::new("volume", t("Volume d'affaires", "Business volume")).columns(&[
        ("period", lang.t("Période", "Period")),
        ("orders", lang.t("Commandes", "Orders")),
        ("amount_ht_cents", lang.t("Montant HT", "Amount excl. VAT")),
    ]);
    let mut quarters: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (m, (n, c)) in &by_month {
        volume.row(vec![Val::Date(m.clone()), Val::Int(*n), Val::Money(*c)]);
        let q = quarters.entry(quarter(m)).or_default();
        q.0 += n;
        q.1 += c;
    }
    for (q, (n, c)) in &quarters {
        volume.row(vec![Val::text(q.clone()), Val::Int(*n), Val::Money(*c)]);
    }
    let sem_total = by_month.values().fold((0, 0), |a, v| (a.0 + v.0, a.1 + v.1));
    volume.row(vec![Val::text(t("Semestre", "Semester")), Val::Int(sem_total.0), Val::Money(sem_total.1)]);
    volume.row(vec![
        Val::text(format!("{} {} ({} {})", t("Année", "Year"), year_start.year(), t("au", "to"), last)),
        Val::Int(year_total.0),
        Val::Money(year_total.1),
    ]);

    let mut cols: Vec<(&'static str, String)> =
        vec![("siret", t("SIRET", "SIRET")), ("name", t("Bénéficiaire", "Beneficiary"))];
    const MONTH_KEYS: [&str; 6] =
        ["month_1_cents", "month_2_cents", "month_3_cents", "month_4_cents", "month_5_cents", "month_6_cents"];
    for (k, m) in MONTH_KEYS.iter().zip(&months) {
        cols.push((k, m.clone()));
    }
    let qnames: Vec<String> = quarters.keys().cloned().collect();
    for (k, q) in ["quarter_1_cents", "quarter_2_cents"].iter().zip(&qnames) {
        cols.push((k, q.clone()));
    }
    cols.push(("semester_cents", t("Semestre", "Semester")));
    cols.push(("year_cents", format!("{} {}", t("Année", "Year"), year_start.year())));
    let mut by_b = Part::new("by_beneficiary", t("Volume par bénéficiaire", "Volume per beneficiary"));
    by_b.columns = cols;
    for (siret, (m, y)) in &per_b {
        let mut r = vec![Val::text(siret.clone()), Val::text(names.get(siret).cloned().unwrap_or_default())];
        r.extend(months.iter().map(|mm| Val::Money(m.get(mm).copied().unwrap_or(0))));
        for q in &qnames {
            r.push(Val::Money(m.iter().filter(|(mm, _)| &quarter(mm) == q).map(|(_, v)| v).sum()));
        }
        r.push(Val::Money(m.values().sum()));
        r.push(Val::Money(*y));
        by_b.row(r);
    }

    // Every order of the semester.
    let mut orders = Part::new("orders", t("Commandes du semestre", "Orders of the semester")).columns(&[
        ("date", lang.t("Date", "Date")),
        ("number", lang.t("Numéro", "Number")),
        ("siret", lang.t("SIRET", "SIRET")),
        ("name", lang.t("Bénéficiaire", "Beneficiary")),
        ("lot", lang.t("Lot", "Lot")),
        ("lines", lang.t("Lignes", "Lines")),
        ("amount_ht_cents", lang.t("Montant HT", "Amount excl. VAT")),
    ]);
    for o in year.iter().filter(|o| in_semester(&o.ordered_on)) {
        orders.row(vec![
            Val::Date(o.ordered_on.clone()),
            Val::text(o.number.clone()),
            Val::text(o.beneficiary.clone()),
            Val::text(names.get(&o.beneficiary).cloned().unwrap_or_default()),
            Val::Int(i64::from(o.lot)),
            Val::Int(o.lines.len() as i64),
            Val::Money(o.total_cents),
        ]);
    }

    // The year's orders over the price lines, and the purchase gains.
    let mut lines: BTreeMap<(u8, String), LineSum> = BTreeMap::new();
    for o in &year {
        for l in &o.lines {
            let e = lines
                .entry((o.lot, l.code.clone()))
                .or_insert_with(|| LineSum { label: l.label.clone(), ..LineSum::default() });
            e.quantity_milli += l.quantity_milli;
            e.lines += 1;
            e.amount += l.amount_cents;
            if let Some(r) = l.reference_cents {
                e.reference += amoe_core::money::line_amount(l.quantity_milli, r);
                e.has_reference = true;
            }
        }
    }
    let mut bpu =
        Part::new("bpu_lines", t("Répartition de l'année par ligne du BPU", "The year's orders per BPU line")).columns(
            &[
                ("lot", lang.t("Lot", "Lot")),
                ("code", lang.t("Code", "Code")),
                ("label", lang.t("Libellé", "Label")),
                ("quantity", lang.t("Quantité", "Quantity")),
                ("order_lines", lang.t("Lignes de commande", "Order lines")),
                ("amount_ht_cents", lang.t("Montant HT", "Amount excl. VAT")),
                ("share_percent", lang.t("Part (%)", "Share (%)")),
            ],
        );
    let mut gains = Part::new("gains", t("Gains achats", "Purchase gains")).columns(&[
        ("lot", lang.t("Lot", "Lot")),
        ("code", lang.t("Code", "Code")),
        ("label", lang.t("Libellé", "Label")),
        ("reference_cents", lang.t("Au prix de référence", "At reference price")),
        ("paid_cents", lang.t("Payé", "Paid")),
        ("gain_cents", lang.t("Gain", "Gain")),
    ]);
    let (mut ref_total, mut paid_total) = (0, 0);
    for ((lot, code), sum) in &lines {
        let LineSum { label, quantity_milli: qty, lines: n, amount, reference, has_reference: has_ref } = sum;
        let share =
            if year_total.1 == 0 { 0.0 } else { (*amount as f64 * 10_000.0 / year_total.1 as f64).round() / 100.0 };
        bpu.row(vec![
            Val::Int(i64::from(*lot)),
            Val::text(code.clone()),
            Val::text(label.clone()),
            Val::Num(*qty as f64 / 1000.0),
            Val::Int(*n),
            Val::Money(*amount),
            Val::Num(share),
        ]);
        if *has_ref {
            ref_total += reference;
            paid_total += amount;
            gains.row(vec![
                Val::Int(i64::from(*lot)),
                Val::text(code.clone()),
                Val::text(label.clone()),
                Val::Money(*reference),
                Val::Money(*amount),
                Val::Money(reference - amount),
            ]);
        }
    }
    if !gains.rows.is_empty() {
        gains.row(vec![
            Val::Empty,
            Val::Empty,
            Val::text(t("Total", "Total")),
            Val::Money(ref_total),
            Val::Money(paid_total),
            Val::Money(ref_total - paid_total),
        ]);
    }

    // Quotes asked in the semester and answered late (or still unanswered past their due day).
    let cal = Calendar::default();
    let today = cal.date_of(jiff::Timestamp::now()).min(semester.last());
    let mut late = Part::new("late_quotes", t("Devis remis en retard", "Quotes answered late")).columns(&[
        ("id", lang.t("Devis", "Quote")),
        ("siret", lang.t("SIRET", "SIRET")),
        ("name", lang.t("Bénéficiaire", "Beneficiary")),
        ("requested", lang.t("Demandé le", "Requested")),
        ("due", lang.t("Dû le", "Due")),
        ("sent", lang.t("Remis le", "Sent")),
        ("late_days", lang.t("Jours ouvrés de retard", "Working days late")),
    ]);
    let (start, end) = (semester.start(), semester.end());
    let mut asked = 0;
    for q in store.quotes(None)? {
        let Some(at) = ts(&q.requested_at).filter(|a| *a >= start && *a < end) else { continue };
        asked += 1;
        let Ok(due) = q.due_on.parse::<Date>() else { continue };
        let done = q.sent_at.as_deref().and_then(ts).map_or(today, |s| cal.date_of(s));
        let n = cal.working_days_late(due, done);
        if n > 0 {
            late.row(vec![
                Val::Int(q.id),
                Val::text(q.beneficiary.clone()),
                Val::text(names.get(&q.beneficiary).cloned().unwrap_or_default()),
                Val::Instant(at),
                Val::Date(q.due_on.clone()),
                Val::at(q.sent_at.as_deref()),
                Val::Int(i64::from(n)),
            ]);
        }
    }
    late.say(format!(
        "{} {} {asked} {}.",
        late.rows.len(),
        lang.t("en retard sur", "late out of"),
        lang.t("devis demandés", "quotes asked")
    ));

    let mut parts = vec![volume, by_b, orders, bpu, late, gains];
    // The notes, in the expected order; missing sections are said to be missing.
    let sections = notes.map(note_sections).unwrap_or_default();
    const NOTE_KEYS: [&str; 5] =
        ["commercial_actions", "return_on_investment", "good_practice", "failures", "corrective_measures"];
    for (key, (fr, en)) in NOTE_KEYS.iter().zip(NOTE_SECTIONS) {
        let found = sections.iter().find(|(title, _)| title.eq_ignore_ascii_case(fr) || title.eq_ignore_ascii_case(en));
        let mut p = Part::new(key, lang.t(fr, en));
        match found {
            Some((_, paras)) if !paras.is_empty() => paras.iter().for_each(|x| p.say(x.clone())),
            _ => p.say(t("Non renseigné (--notes).", "Not given (--notes).")),
        }
        parts.push(p);
    }
    for (title, paras) in sections.iter().filter(|(title, _)| {
        !NOTE_SECTIONS.iter().any(|(fr, en)| title.eq_ignore_ascii_case(fr) || title.eq_ignore_ascii_case(en))
    }) {
        let mut p = Part::new("other_notes", title.clone());
        paras.iter().for_each(|x| p.say(x.clone()));
        parts.push(p);
    }
    Ok(Doc {
        kind: "canut",
        title: format!(
            "{} {}-S{}",
            lang.t("Rapport CANUT", "CANUT report"),
            semester.first.year(),
            if semester.first.month() == 1 { 1 } else { 2 }
        ),
        period: semester.words(lang),
        lang,
        parts,
    })
}
