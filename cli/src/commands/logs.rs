//! `amoe logs stats`: the figures of access-log files, as a summary and tables for people,
//! JSON or CSV (one row per period) for scripts, and an SVG chart.

use super::Ctx;
use crate::cli::{LogFormat, LogStatsArgs, LogsCmd, StatsPeriod, TimeUnit};
use crate::error::{Exit, Failure};
use crate::output::{Cell, Format, Tabular};
use amoe_logstats::report::{Period, UrlFigures};
use amoe_logstats::{Options, Report};
use anyhow::Result;
use serde::Serialize;

pub(super) fn run(ctx: &mut Ctx, cmd: LogsCmd) -> Result<Exit> {
    match cmd {
        LogsCmd::Stats(args) => stats(ctx, &args),
    }
}

fn options(args: &LogStatsArgs) -> Options {
    Options {
        by_hour: args.by == StatsPeriod::Hour,
        w3c_ms: args.w3c_time_unit == TimeUnit::Ms,
        paris: false,
        threads: args.threads.unwrap_or(0),
        format: args.format.map(|f| match f {
            LogFormat::Clf => amoe_logstats::Format::Clf,
            LogFormat::Combined => amoe_logstats::Format::Combined,
            LogFormat::CombinedExtra => amoe_logstats::Format::CombinedExtra,
            LogFormat::W3c => amoe_logstats::Format::W3c,
        }),
    }
}

fn stats(ctx: &mut Ctx, args: &LogStatsArgs) -> Result<Exit> {
    if let Some(chart) = &args.chart
        && chart.extension().and_then(|e| e.to_str()) != Some("svg")
    {
        return Err(Failure::usage(format!("cannot draw `{}`: charts are SVG files", chart.display()))
            .hint("name the chart FILE.svg (browsers, LibreOffice and Inkscape open it)")
            .into());
    }
    let report = amoe_logstats::report(&args.files, &options(args), args.top);
    let failed = report.files.iter().filter(|f| f.error.is_some()).count();
    for f in &report.files {
        if let Some(e) = &f.error {
            eprintln!("error: {}: {e}", f.path);
        }
        if f.bad_lines > 0 {
            let first: Vec<String> = f.bad_line_numbers.iter().map(u64::to_string).collect();
            eprintln!("warning: {}: {} malformed lines (first: line {})", f.path, f.bad_lines, first.join(", "));
        }
    }
    if let Some(chart) = &args.chart {
        let title = match report.periods.first().zip(report.periods.last()) {
            Some((a, b)) => format!("Requests, {} to {}", a.period, b.period),
            None => "Requests".to_owned(),
        };
        crate::ops::replace_file(chart, amoe_logstats::chart::svg(&report, &title).as_bytes(), 0o644)
            .map_err(|e| Failure::new(format!("cannot write the chart `{}`: {e}", chart.display())))?;
    }
    render(ctx, &report)?;
    Ok(if failed == 0 {
        Exit::Success
    } else if failed == report.files.len() {
        Exit::Failure
    } else {
        Exit::Partial
    })
}

/// A period (or the whole run) as a CSV / table row.
#[derive(Debug, Serialize)]
struct Row<'a>(&'a Period);

fn pct(r: Option<f64>) -> String {
    r.map(|r| format!("{:.1} %", r * 100.0)).unwrap_or_default()
}

impl Tabular for Row<'_> {
    const HEADERS: &'static [&'static str] = &[
        "period",
        "requests",
        "bytes",
        "visitors",
        "hit_ratio_requests",
        "hit_ratio_bytes",
        "share_under_2s",
        "errors",
    ];
    fn cells(&self) -> Vec<Cell> {
        let p = self.0;
        vec![
            Cell::text(&p.period),
            Cell::text(p.requests),
            Cell::text(p.bytes),
            Cell::text(p.visitors.map(|v| v.to_string()).unwrap_or_default()),
            Cell::text(p.hit_ratio_requests.map(|r| r.to_string()).unwrap_or_default()),
            Cell::text(p.hit_ratio_bytes.map(|r| r.to_string()).unwrap_or_default()),
            Cell::text(p.share_under_2s.map(|r| r.to_string()).unwrap_or_default()),
            Cell::text(p.errors),
        ]
    }
}

#[derive(Debug, Serialize)]
struct UrlRow<'a>(&'a UrlFigures);

impl Tabular for UrlRow<'_> {
    const HEADERS: &'static [&'static str] = &["url", "requests", "bytes"];
    fn cells(&self) -> Vec<Cell> {
        vec![Cell::text(&self.0.url), Cell::text(self.0.requests), Cell::text(self.0.bytes)]
    }
}

/// The whole run as one period row (the CSV's first line).
fn total_row(r: &Report) -> Period {
    Period {
        period: "total".into(),
        requests: r.requests,
        bytes: r.bytes,
        visitors: Some(r.visitors),
        hit_ratio_requests: r.cache.as_ref().map(|c| c.hit_ratio_requests),
        hit_ratio_bytes: r.cache.as_ref().map(|c| c.hit_ratio_bytes),
        share_under_2s: r.time_taken.as_ref().map(|t| t.share_under_2s),
        errors: r.status_classes.get("4xx").copied().unwrap_or(0) + r.status_classes.get("5xx").copied().unwrap_or(0),
    }
}

/// Shows a report: JSON as is, CSV one row per period after a total row, tables for people.
pub(crate) fn render(ctx: &mut Ctx, report: &Report) -> Result<()> {
    match ctx.out.format {
        Format::Json => ctx.out.json(report)?,
        Format::Csv => {
            let total = total_row(report);
            let rows: Vec<Row<'_>> = std::iter::once(&total).chain(&report.periods).map(Row).collect();
            ctx.out.list(&rows)?;
        }
        Format::Table => {
            let mut lines = vec![
                format!("requests          {}", report.requests),
                format!("bytes             {} ({})", report.bytes, human_bytes(report.bytes)),
                format!("unique addresses  {}", report.unique_ips),
                format!("visitors          {}", report.visitors),
            ];
            if let Some(c) = &report.cache {
                lines.push(format!(
                    "served by CDN     {} of requests, {} of bytes",
                    pct(Some(c.hit_ratio_requests)),
                    pct(Some(c.hit_ratio_bytes))
                ));
            }
            if let Some(t) = &report.time_taken {
                lines.push(format!(
                    "time taken        {} under 2 s; p50 {:.3} s, p90 {:.3} s, p99 {:.3} s",
                    pct(Some(t.share_under_2s)),
                    t.p50_s,
                    t.p90_s,
                    t.p99_s
                ));
            }
            let classes: Vec<String> = report.status_classes.iter().map(|(k, v)| format!("{k} {v}")).collect();
            lines.push(format!("status            {}", classes.join(", ")));
            lines.push(format!("malformed lines   {}", report.bad_lines));
            for l in lines {
                ctx.out.line(&l)?;
            }
            if !report.periods.is_empty() {
                ctx.out.line("")?;
                let rows: Vec<Row<'_>> = report.periods.iter().map(Row).collect();
                ctx.out.list(&rows)?;
            }
            if !report.top_urls.is_empty() {
                ctx.out.line("")?;
                let rows: Vec<UrlRow<'_>> = report.top_urls.iter().map(UrlRow).collect();
                ctx.out.list(&rows)?;
            }
        }
    }
    Ok(())
}

fn human_bytes(b: u64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB", "PB"];
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1000.0 && i + 1 < units.len() {
        v /= 1000.0;
        i += 1;
    }
    if i == 0 { format!("{b} B") } else { format!("{v:.2} {}", units[i]) }
}
