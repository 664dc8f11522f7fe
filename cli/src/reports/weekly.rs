//! A site's weekly statistics (seed 003 §3.2.3.2): attendance (visitors, requests), volume,
//! cache performance, response times, per day of the ISO week, and the figures the
//! beneficiary chose (top paths, status codes, methods, time percentiles), from the logs
//! collected from every host of the site. A week without logs gives an empty report.

use amoe_logstats::Report;

use super::Days;
use super::doc::{Doc, Lang, Part, Val};
use crate::cli::WeeklyMetric;

fn pct(r: Option<f64>) -> Val {
    r.map_or(Val::Empty, |v| Val::Num((v * 10_000.0).round() / 100.0))
}

pub fn build(
    site: &str,
    week: Days,
    label: &str,
    report: Option<&Report>,
    metrics: &[WeeklyMetric],
    lang: Lang,
) -> Doc {
    let t = |fr, en| lang.t(fr, en).to_string();
    let mut summary = Part::new("summary", t("Synthèse de la semaine", "The week"))
        .columns(&[("figure", lang.t("Indicateur", "Figure")), ("value", lang.t("Valeur", "Value"))]);
    let mut days = Part::new("days", t("Par jour", "Per day")).columns(&[
        ("day", lang.t("Jour", "Day")),
        ("requests", lang.t("Requêtes", "Requests")),
        ("visitors", lang.t("Visiteurs", "Visitors")),
        ("bytes", lang.t("Octets", "Bytes")),
        ("cdn_requests_percent", lang.t("Requêtes servies par le CDN (%)", "Requests served by the CDN (%)")),
        ("cdn_bytes_percent", lang.t("Octets servis par le CDN (%)", "Bytes served by the CDN (%)")),
        ("under_2s_percent", lang.t("Réponses < 2 s (%)", "Answers < 2 s (%)")),
        ("errors", lang.t("Erreurs 4xx/5xx", "4xx/5xx errors")),
    ]);
    let mut parts = Vec::new();
    match report {
        None => summary.say(t("Aucun journal collecté pour cette semaine.", "No log collected for this week.")),
        Some(r) => {
            let total = r.total();
            let rows: Vec<(&str, Val)> = vec![
                (lang.t("Requêtes", "Requests"), Val::Int(r.requests as i64)),
                (lang.t("Visiteurs", "Visitors"), Val::Int(r.visitors as i64)),
                (lang.t("Adresses distinctes", "Unique addresses"), Val::Int(r.unique_ips as i64)),
                (lang.t("Octets envoyés", "Bytes sent"), Val::Int(r.bytes as i64)),
                (
                    lang.t("Requêtes servies par le CDN (%)", "Requests served by the CDN (%)"),
                    pct(total.hit_ratio_requests),
                ),
                (lang.t("Octets servis par le CDN (%)", "Bytes served by the CDN (%)"), pct(total.hit_ratio_bytes)),
                (lang.t("Réponses < 2 s (%)", "Answers < 2 s (%)"), pct(total.share_under_2s)),
                (lang.t("Erreurs 4xx/5xx", "4xx/5xx errors"), Val::Int(total.errors as i64)),
            ];
            for (k, v) in rows {
                summary.row(vec![Val::text(k), v]);
            }
            for p in &r.periods {
                days.row(vec![
                    Val::Date(p.period.clone()),
                    Val::Int(p.requests as i64),
                    p.visitors.map_or(Val::Empty, |v| Val::Int(v as i64)),
                    Val::Int(p.bytes as i64),
                    pct(p.hit_ratio_requests),
                    pct(p.hit_ratio_bytes),
                    pct(p.share_under_2s),
                    Val::Int(p.errors as i64),
                ]);
            }
            for m in metrics {
                match m {
                    WeeklyMetric::TopUrls => {
                        let mut p = Part::new("top_urls", t("Pages les plus demandées", "Most requested paths"))
                            .columns(&[
                                ("path", lang.t("Chemin", "Path")),
                                ("requests", lang.t("Requêtes", "Requests")),
                                ("bytes", lang.t("Octets", "Bytes")),
                            ]);
                        for u in &r.top_urls {
                            p.row(vec![
                                Val::text(u.url.clone()),
                                Val::Int(u.requests as i64),
                                Val::Int(u.bytes as i64),
                            ]);
                        }
                        parts.push(p);
                    }
                    WeeklyMetric::Status | WeeklyMetric::Methods => {
                        let (key, title, map) = if *m == WeeklyMetric::Status {
                            ("status", t("Codes de réponse", "Status codes"), &r.status)
                        } else {
                            ("methods", t("Méthodes", "Methods"), &r.methods)
                        };
                        let mut p = Part::new(key, title).columns(&[
                            ("value", lang.t("Valeur", "Value")),
                            ("requests", lang.t("Requêtes", "Requests")),
                        ]);
                        for (k, n) in map {
                            p.row(vec![Val::text(k.clone()), Val::Int(*n as i64)]);
                        }
                        parts.push(p);
                    }
                    WeeklyMetric::Times => {
                        let mut p = Part::new("times", t("Temps de réponse", "Response times")).columns(&[
                            ("figure", lang.t("Indicateur", "Figure")),
                            ("seconds", lang.t("Secondes", "Seconds")),
                        ]);
                        if let Some(tt) = &r.time_taken {
                            for (k, v) in [("mean", tt.mean_s), ("p50", tt.p50_s), ("p90", tt.p90_s), ("p99", tt.p99_s)]
                            {
                                p.row(vec![Val::text(k), Val::Num(v)]);
                            }
                        }
                        parts.push(p);
                    }
                }
            }
        }
    }
    let mut all = vec![summary, days];
    all.extend(parts);
    Doc {
        kind: "weekly",
        title: format!("{} {site} — {label}", lang.t("Statistiques hebdomadaires de", "Weekly statistics of")),
        period: week.words(lang),
        lang,
        parts: all,
    }
}
