//! `amoe report canut|qos|monthly|interventions|weekly|dossier`.

use super::Ctx;
use crate::cli::{ReportCmd, ReportOut};
use crate::error::{Exit, Failure};
use crate::reports::doc::{Doc, Lang, Val};
use crate::reports::{self, Days};
use amoe_logstats::chart::Bars;
use amoe_store::beneficiaries::BeneficiaryReads;
use amoe_store::sites::SiteReads;
use anyhow::Result;

/// A chart of one numeric column of a part, by its first column.
fn bars_of(doc: &Doc, part: &str, column: &str, name: &str, rows: impl Fn(&[Val]) -> bool) -> Bars {
    let p = doc.part(part);
    let col = p.and_then(|p| p.columns.iter().position(|(k, _)| *k == column)).unwrap_or(0);
    let bars = p
        .map(|p| {
            p.rows
                .iter()
                .filter(|r| rows(r))
                .map(|r| {
                    let label = match &r[0] {
                        Val::Text(s) | Val::Date(s) => s.clone(),
                        other => format!("{other:?}"),
                    };
                    let v = match &r[col] {
                        Val::Int(n) => *n as f64,
                        Val::Money(c) => *c as f64 / 100.0,
                        Val::Num(x) => *x,
                        _ => 0.0,
                    };
                    (label, v)
                })
                .collect()
        })
        .unwrap_or_default();
    Bars {
        title: format!("{} — {}", doc.title, doc.period),
        bar_name: name.into(),
        bars,
        line_name: String::new(),
        line: Vec::new(),
    }
}

fn finish(doc: &Doc, out: &ReportOut, chart: Option<Bars>) -> Result<Exit> {
    if let Some(path) = &out.chart {
        crate::ops::chart_kind(path)?;
    }
    doc.write(out.format, out.out.as_deref())?;
    if let (Some(path), Some(bars)) = (&out.chart, chart) {
        crate::ops::write_chart(path, &bars)?;
    }
    if let Some(path) = &out.out {
        eprintln!("wrote {}", path.display());
    }
    Ok(Exit::Success)
}

pub(super) fn run(ctx: &mut Ctx, cmd: ReportCmd) -> Result<Exit> {
    let mut store = ctx.open()?;
    match cmd {
        ReportCmd::Canut { semester, notes, out } => {
            let days = Days::semester(&semester)?;
            let text = notes
                .as_deref()
                .map(|p| {
                    std::fs::read_to_string(p)
                        .map_err(|e| Failure::new(format!("cannot read the notes `{}`: {e}", p.display())))
                })
                .transpose()?;
            let doc = reports::canut::build(&store, days, text.as_deref(), Lang::of(&out.lang))?;
            let chart = bars_of(&doc, "volume", "amount_ht_cents", "EUR HT", |r| matches!(r[0], Val::Date(_)));
            finish(&doc, &out, Some(chart))
        }
        ReportCmd::Qos { month, out } => {
            let days = Days::month(&month)?;
            let doc = reports::qos::build(&store, &ctx.settings, days, Lang::of(&out.lang))?;
            let mut chart = bars_of(
                &doc,
                "availability",
                "availability_percent",
                "%",
                |r| matches!(&r[0], Val::Text(s) if s.len() == 10),
            );
            // Availability sits near 100 %: draw the downtime in seconds instead.
            chart.bars =
                bars_of(&doc, "availability", "downtime_s", "s", |r| matches!(&r[0], Val::Text(s) if s.len() == 10))
                    .bars;
            chart.bar_name = "s".into();
            finish(&doc, &out, Some(chart))
        }
        ReportCmd::Monthly { month, beneficiary, out } => {
            let days = Days::month(&month)?;
            let b = beneficiary.map(|b| b.parse::<amoe_core::Siret>()).transpose()?;
            if let Some(b) = &b {
                store.beneficiary(b)?;
            }
            let doc = reports::monthly::build(&store, days, b.as_ref().map(|s| s.as_str()), Lang::of(&out.lang))?;
            finish(&doc, &out, None)
        }
        ReportCmd::Interventions { month, beneficiary, out } => {
            let days = Days::month(&month)?;
            let b = beneficiary.map(|b| b.parse::<amoe_core::Siret>()).transpose()?;
            if let Some(b) = &b {
                store.beneficiary(b)?;
            }
            let doc = reports::interventions::build(&store, days, b.as_ref().map(|s| s.as_str()), Lang::of(&out.lang))?;
            let chart = bars_of(&doc, "per_day", "minutes", "min", |r| matches!(r[0], Val::Date(_)));
            finish(&doc, &out, Some(chart))
        }
        ReportCmd::Weekly { site, week, mail, metrics, out } => {
            let days = Days::week(&week)?;
            let s = store.site(&site.parse::<amoe_core::Name>()?)?;
            let files = crate::logs::w3c_files(
                &ctx.settings,
                &store,
                Some(&site),
                &days.first.to_string(),
                &days.last().to_string(),
            )?;
            let report = (!files.is_empty()).then(|| {
                let opts = amoe_logstats::Options { paris: true, ..amoe_logstats::Options::default() };
                amoe_logstats::report(&files, &opts, 10)
            });
            let lang = Lang::of(&out.lang);
            let doc = reports::weekly::build(&site, days, &week, report.as_ref(), &metrics, lang);
            if let Some(path) = &out.chart {
                crate::ops::chart_kind(path)?;
            }
            doc.write(out.format, out.out.as_deref())?;
            if let (Some(path), Some(r)) = (&out.chart, &report) {
                crate::ops::write_chart(path, &Bars::of(r, &doc.title))?;
            }
            if mail {
                let cfg = ctx.settings.mail.as_ref().ok_or_else(|| {
                    Failure::new("no [mail] in config.toml: the report was written, not mailed")
                        .hint("configure [mail]")
                })?;
                let b = store.beneficiary(&s.beneficiary)?;
                let to: Vec<String> = b.emails.iter().map(ToString::to_string).collect();
                let subject = format!("[amoe] {}", doc.title);
                let body = doc.markdown();
                crate::mail::send(
                    cfg,
                    &crate::mail::Envelope {
                        to: &to,
                        subject: &subject,
                        body: &body,
                        message_id: None,
                        in_reply_to: None,
                    },
                )?;
                store.mutate(&ctx.draft("report weekly mailed", Some(format!("site:{site}"))), |_| {
                    Ok::<_, amoe_store::Error>(())
                })?;
                eprintln!("mailed to {}", to.join(", "));
            }
            Ok(Exit::Success)
        }
        ReportCmd::Dossier { site, out } => {
            let s = store.site(&site.parse::<amoe_core::Name>()?)?;
            let now = amoe_core::time::now_utc();
            let text = reports::dossier::markdown(&store, &s, &now)?;
            crate::ops::replace_file(&out, text.as_bytes(), 0o644)
                .map_err(|e| Failure::new(format!("cannot write `{}`: {e}", out.display())))?;
            let sha = crate::ops::sha256_hex(text.as_bytes());
            let path = std::fs::canonicalize(&out).unwrap_or(out.clone()).display().to_string();
            let id = store.mutate(&ctx.draft("report dossier", Some(format!("site:{site}"))), |tx| {
                tx.add_dossier(&site, &now, &sha, &path)
            })?;
            ctx.out.line(&format!("wrote the definition file of `{site}` to {path} (record {id}, sha256 {sha})"))?;
            Ok(Exit::Success)
        }
    }
}
