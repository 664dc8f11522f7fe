//! A site's statistics (003 §3.2.3.2): figures by day, week or month from the log archive,
//! as a table, a chart beside it (SVG, with the same figures in the table) and CSV / xlsx
//! downloads. Yesterday's figures are there once the night's `amoe logs collect` has run.
//! The figures are read by [`crate::logs::daily`], the reading of `amoe stats SITE`.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;

use super::pages::{self, Lang};
use super::{Shared, Signed, page};
use crate::logs::daily::{Figures, Grouping, Row};
use crate::ops::sheets::{SheetFormat, Table, Value};

/// The longest range a page adds up, days.
const MAX_DAYS: i64 = 731;

/// What the page was asked for.
#[derive(Debug, Clone, Copy)]
pub struct Range {
    pub from: Date,
    pub to: Date,
    pub by: Grouping,
}

/// The range of a query: `from`, `to` (`YYYY-MM-DD`), `by` (`day`, `week`, `month`). By
/// default the last 30 days (12 weeks, 6 months) up to yesterday, Paris time.
fn range(q: &HashMap<String, String>) -> Result<Range, pages::Msg> {
    let by = match q.get("by").map(String::as_str).filter(|s| !s.is_empty()) {
        None => Grouping::Day,
        Some(w) => Grouping::parse(w).ok_or(pages::Msg::BadRange)?,
    };
    let date = |k: &str| -> Result<Option<Date>, pages::Msg> {
        match q.get(k).map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => Date::strptime("%Y-%m-%d", s).map(Some).map_err(|_| pages::Msg::BadRange),
        }
    };
    let yesterday = jiff::Timestamp::now()
        .to_zoned(amoe_core::time::paris())
        .date()
        .yesterday()
        .map_err(|_| pages::Msg::BadRange)?;
    let to = date("to")?.unwrap_or(yesterday);
    let back = match by {
        Grouping::Day => 29,
        Grouping::Week => 83,
        Grouping::Month => 182,
    };
    let from = match date("from")? {
        Some(f) => f,
        None => to.checked_sub(jiff::Span::new().days(back)).map_err(|_| pages::Msg::BadRange)?,
    };
    let days = (to - from).get_days() as i64;
    if from > to || days >= MAX_DAYS {
        return Err(pages::Msg::BadRange);
    }
    Ok(Range { from, to, by })
}

/// The site's figures over the query's range, if the account may see the site; else the page
/// to answer (the sign-in page, a 404 like a missing site's, a bad range).
async fn figures(
    app: &Shared,
    lang: Lang,
    user: &amoe_store::tickets::User,
    q: &HashMap<String, String>,
    name: &str,
) -> Result<(Range, Figures), Response> {
    let rows = {
        let st = app.store.lock().map_err(|_| StatusCode::SERVICE_UNAVAILABLE.into_response())?;
        match crate::ops::access::visible_site(&*st, user, name) {
            Ok(Some(_)) => {}
            Ok(None) => return Err(page(StatusCode::NOT_FOUND, pages::message(lang, pages::Msg::NotFound))),
            Err(_) => return Err(StatusCode::SERVICE_UNAVAILABLE.into_response()),
        }
        crate::logs::daily::w3c_rows(&*st, name).map_err(|_| StatusCode::SERVICE_UNAVAILABLE.into_response())?
    };
    let r = range(q).map_err(|m| page(StatusCode::BAD_REQUEST, pages::message(lang, m)))?;
    let Some(archive) = app.settings.logs.archive.clone() else {
        return Ok((r, Figures { rows: Vec::new(), total: Row::default(), errors: Vec::new() }));
    };
    // Reading a day not read yet is work for a blocking thread.
    let (app2, name) = (app.clone(), name.to_owned());
    let f = tokio::task::spawn_blocking(move || app2.daily.figures(&rows, &archive, &name, r.from, r.to, r.by))
        .await
        .map_err(|_| StatusCode::SERVICE_UNAVAILABLE.into_response())?
        .map_err(|_| StatusCode::SERVICE_UNAVAILABLE.into_response())?;
    Ok((r, f))
}

pub async fn stats(
    State(app): State<Shared>,
    Path(name): Path<String>,
    Signed { lang, user, .. }: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match figures(&app, lang, &user, &q, &name).await {
        Ok((r, f)) => page(StatusCode::OK, pages::stats(lang, &name, &r, &f, &query_string(&r, lang))),
        Err(res) => res,
    }
}

fn query_string(r: &Range, lang: Lang) -> String {
    format!("from={}&to={}&by={}&lang={}", r.from, r.to, r.by.word(), lang.code())
}

pub async fn chart(
    State(app): State<Shared>,
    Path(name): Path<String>,
    Signed { lang, user, .. }: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match figures(&app, lang, &user, &q, &name).await {
        Ok((r, f)) => {
            let bars = amoe_logstats::chart::Bars {
                title: format!("{name}, {} – {}", r.from, r.to),
                bar_name: lang.t("requêtes", "requests").into(),
                bars: f.rows.iter().map(|x| (x.period.clone(), x.requests() as f64)).collect(),
                line_name: lang
                    .t("part servie par le CDN (échelle de droite)", "CDN share of requests (right scale)")
                    .into(),
                line: f.rows.iter().map(Row::cdn_requests).collect(),
            };
            ([(header::CONTENT_TYPE, "image/svg+xml")], amoe_logstats::chart::bars_svg(&bars)).into_response()
        }
        Err(res) => res,
    }
}

/// The figures as one table: the total, then one row per period. Titles are stable English
/// words (scripts read them), as `amoe stats` prints.
pub fn table(f: &Figures) -> Table {
    let share = |v: Option<f64>| v.map_or(Value::Empty, Value::Number);
    let rows = std::iter::once(&f.total)
        .chain(&f.rows)
        .map(|r| {
            let c = r.classes();
            let mut row = vec![
                Value::Text(r.period.clone()),
                Value::Number(f64::from(r.days)),
                Value::Number(r.requests() as f64),
                Value::Number(r.bytes() as f64),
                Value::Number(r.visitors as f64),
                share(r.cdn_requests()),
                share(r.cdn_bytes()),
                share(r.under_2s()),
            ];
            row.extend(c.iter().map(|n| Value::Number(*n as f64)));
            row
        })
        .collect();
    Table {
        name: "statistics".into(),
        headers: [
            "period",
            "days",
            "requests",
            "bytes",
            "visitors",
            "cdn_share_requests",
            "cdn_share_bytes",
            "share_under_2s",
            "1xx",
            "2xx",
            "3xx",
            "4xx",
            "5xx",
            "other",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }
}

async fn download(
    app: Shared,
    name: String,
    signed: Signed,
    q: HashMap<String, String>,
    format: SheetFormat,
) -> Response {
    let (r, f) = match figures(&app, signed.lang, &signed.user, &q, &name).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let (ext, mime) = match format {
        SheetFormat::Xlsx => ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        _ => ("csv", "text/csv; charset=utf-8"),
    };
    match crate::ops::sheets::bytes(&[table(&f)], format) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, mime.to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}-{}-{}-{}.{ext}\"", r.from, r.to, r.by.word()),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

pub async fn csv(
    State(app): State<Shared>,
    Path(name): Path<String>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    download(app, name, signed, q, SheetFormat::Csv).await
}

pub async fn xlsx(
    State(app): State<Shared>,
    Path(name): Path<String>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    download(app, name, signed, q, SheetFormat::Xlsx).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn ranges_are_checked() {
        let r = range(&q(&[("from", "2026-01-01"), ("to", "2026-01-31"), ("by", "week")])).ok();
        assert_eq!(
            r.map(|r| (r.from.to_string(), r.to.to_string(), r.by)),
            Some(("2026-01-01".into(), "2026-01-31".into(), Grouping::Week))
        );
        assert!(range(&q(&[("from", "2026-02-01"), ("to", "2026-01-31")])).is_err());
        assert!(range(&q(&[("from", "2024-01-01"), ("to", "2026-01-31")])).is_err());
        assert!(range(&q(&[("from", "yesterday")])).is_err());
        assert!(range(&q(&[("by", "year")])).is_err());
        let d = range(&q(&[("to", "2026-03-31")])).ok();
        assert_eq!(d.map(|r| r.from.to_string()), Some("2026-03-02".into()));
    }
}
