//! `amoe logs …` and `amoe stats`: figures of log files and of a site's collected days
//! (summary and tables for people, JSON or CSV for scripts, SVG or PNG charts), collection,
//! delivery, the archive's listing and retention, hosts' SFTP side and delivery accounts.

use super::Ctx;
use crate::cli::{AccountCmd, LogFormat, LogStatsArgs, LogsCmd, StatsPeriod, TimeUnit};
use crate::error::{Exit, Failure};
use crate::logs::{self, collect, deliver, prune};
use crate::output::{Cell, Format, Tabular};
use amoe_logstats::report::{Period, UrlFigures};
use amoe_logstats::{Options, Report};
use amoe_store::beneficiaries::BeneficiaryReads;
use amoe_store::logs::{DeliveryAccount, LogReads};
use amoe_store::sites::SiteReads;
use anyhow::Result;
use serde::Serialize;
use std::io::IsTerminal;

pub(super) fn run(ctx: &mut Ctx, cmd: LogsCmd) -> Result<Exit> {
    match cmd {
        LogsCmd::Stats(args) => stats(ctx, &args),
        LogsCmd::Collect { day, site, host, accept_new_host_key, quiet } => {
            let req = collect::Request {
                day: day.as_deref().map(logs::parse_day).transpose()?,
                site,
                host,
                accept_new_host_key,
                progress: !quiet && std::io::stderr().is_terminal(),
            };
            collect_cmd(ctx, &req, quiet)
        }
        LogsCmd::Deliver { site, day, from, to, again, allow_incomplete, accept_new_host_key, lang, quiet } => {
            let (from, to) = match (day, from, to) {
                (Some(d), _, _) => {
                    let d = logs::parse_day(&d)?;
                    (Some(d.clone()), Some(d))
                }
                (None, Some(f), Some(t)) => (Some(logs::parse_day(&f)?), Some(logs::parse_day(&t)?)),
                _ => (None, None),
            };
            if again && from.is_none() {
                return Err(Failure::usage("--again needs the days: --day D, or --from D --to D").into());
            }
            let req = deliver::Request { site, from, to, again, allow_incomplete, accept_new_host_key, lang };
            deliver_cmd(ctx, &req, quiet)
        }
        LogsCmd::List { site } => list(ctx, site.as_deref()),
        LogsCmd::Prune { keep_days } => {
            let archive = logs::archive_dir(&ctx.settings)?;
            let _lock = logs::RunLock::take(&archive)?;
            let keep = keep_days.or(ctx.settings.logs.keep_days).unwrap_or(prune::MIN_KEEP_DAYS);
            if keep < prune::MIN_KEEP_DAYS {
                eprintln!("warning: keeping {} days, the least the contract allows, not {keep}", prune::MIN_KEEP_DAYS);
            }
            let mut store = ctx.open()?;
            let today = jiff::Zoned::now().date();
            let removed = prune::prune(&mut store, &archive, &ctx.draft("logs prune", None), keep, today)?;
            ctx.out.line(&format!(
                "removed {} site-days older than {} days",
                removed.len(),
                keep.max(prune::MIN_KEEP_DAYS)
            ))?;
            Ok(Exit::Success)
        }
        LogsCmd::Host { name, ssh, user, log_dir } => {
            let mut store = ctx.open()?;
            let mut cur = store.host_ssh(&name)?;
            if ssh.is_some() || user.is_some() || log_dir.is_some() {
                cur.endpoint = ssh.or(cur.endpoint);
                cur.user = user.or(cur.user);
                cur.log_dir = log_dir.or(cur.log_dir);
                store.mutate(&ctx.draft("logs host", Some(name.clone())), |tx| tx.set_host_ssh(&name, &cur))?;
            }
            let show = HostSshRow { host: name, ssh: cur.endpoint, user: cur.user, log_dir: cur.log_dir };
            ctx.out.show(&show)?;
            Ok(Exit::Success)
        }
        LogsCmd::Account(AccountCmd::Set { beneficiary, site, sftp, key, folder, host_key }) => {
            let mut store = ctx.open()?;
            let owner = match (&beneficiary, &site) {
                (Some(b), _) => {
                    let siret: amoe_core::Siret = b.parse()?;
                    store.beneficiary(&siret)?;
                    format!("beneficiary:{siret}")
                }
                (None, Some(s)) => {
                    store.site(&s.parse::<amoe_core::Name>()?)?;
                    format!("site:{s}")
                }
                (None, None) => return Err(Failure::usage("give --beneficiary SIRET or --site NAME").into()),
            };
            let (user, rest) =
                sftp.split_once('@').ok_or_else(|| Failure::usage(format!("`{sftp}`: expected USER@HOST[:PORT]")))?;
            let (host, port) = match rest.rsplit_once(':') {
                Some((h, p)) if !h.contains(':') || h.ends_with(']') => (
                    h.trim_matches(|c| c == '[' || c == ']').to_owned(),
                    p.parse::<u16>().map_err(|_| Failure::usage(format!("`{p}` is not a port")))?,
                ),
                _ => (rest.trim_matches(|c| c == '[' || c == ']').to_owned(), 22),
            };
            // A pinned key stays pinned unless the server changes or a key is given.
            let host_key = host_key.or_else(|| {
                store
                    .delivery_account(&owner)
                    .ok()
                    .flatten()
                    .filter(|a| a.host == host && a.port == port)
                    .and_then(|a| a.host_key)
            });
            let key = std::path::absolute(&key)?;
            logs::ssh::check_key_file(&key).map_err(|e| Failure::new(e.to_string()))?;
            let account = DeliveryAccount {
                owner: owner.clone(),
                host,
                port,
                user: user.to_owned(),
                key_file: key.display().to_string(),
                folder,
                host_key,
            };
            store
                .mutate(&ctx.draft("logs account set", Some(owner.clone())), |tx| tx.set_delivery_account(&account))?;
            ctx.out.done(
                &format!("logs of `{owner}` go to {}@{}:{}", account.user, account.host, account.folder),
                &AccountRow(account),
            )?;
            Ok(Exit::Success)
        }
        LogsCmd::Account(AccountCmd::List) => {
            let store = ctx.open()?;
            let rows: Vec<AccountRow> = store.delivery_accounts()?.into_iter().map(AccountRow).collect();
            ctx.out.list(&rows)?;
            Ok(Exit::Success)
        }
    }
}

#[derive(Debug, Serialize)]
struct HostSshRow {
    host: String,
    ssh: Option<String>,
    user: Option<String>,
    log_dir: Option<String>,
}

impl Tabular for HostSshRow {
    const HEADERS: &'static [&'static str] = &["host", "ssh", "user", "log_dir"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.host),
            Cell::text(self.ssh.as_deref().unwrap_or("(address host, port 22)")),
            Cell::text(self.user.as_deref().unwrap_or("(ssh_user of [logs])")),
            Cell::text(self.log_dir.as_deref().unwrap_or("/")),
        ]
    }
}

#[derive(Debug, Serialize)]
struct AccountRow(DeliveryAccount);

impl Tabular for AccountRow {
    const HEADERS: &'static [&'static str] = &["owner", "sftp", "key_file", "folder", "host_key"];
    fn cells(&self) -> Vec<Cell> {
        let a = &self.0;
        vec![
            Cell::text(&a.owner),
            Cell::text(format!("{}@{}:{}", a.user, a.host, a.port)),
            Cell::text(&a.key_file),
            Cell::text(&a.folder),
            Cell::text(
                a.host_key
                    .as_deref()
                    .map(|k| k.split_whitespace().next().unwrap_or(""))
                    .unwrap_or("(pinned at first use)"),
            ),
        ]
    }
}

fn collect_cmd(ctx: &mut Ctx, req: &collect::Request, quiet: bool) -> Result<Exit> {
    let archive = logs::archive_dir(&ctx.settings)?;
    let _lock = logs::RunLock::take(&archive)?;
    let mut store = ctx.open()?;
    let draft = ctx.draft("logs collect", None);
    let report = collect::collect(&mut store, &ctx.settings, &archive, &draft, req)?;
    let failed = report.hosts.iter().filter(|h| h.error.is_some()).count();
    for h in &report.hosts {
        if let Some(e) = &h.error {
            eprintln!("error: {}: {e}", h.host);
        }
    }
    if !quiet || ctx.out.format != Format::Table {
        match ctx.out.format {
            Format::Table => {
                for h in &report.hosts {
                    ctx.out.line(&format!(
                        "{}: {} fetched ({} bytes), {} already archived{}",
                        h.host,
                        h.fetched,
                        h.bytes,
                        h.already,
                        if h.error.is_some() { ", FAILED" } else { "" }
                    ))?;
                }
            }
            _ => ctx.out.json(&report)?,
        }
    }
    Ok(Exit::of_hosts(failed, report.hosts.len()))
}

fn deliver_cmd(ctx: &mut Ctx, req: &deliver::Request, quiet: bool) -> Result<Exit> {
    let archive = logs::archive_dir(&ctx.settings)?;
    let _lock = logs::RunLock::take(&archive)?;
    let mut store = ctx.open()?;
    let draft = ctx.draft("logs deliver", None);
    let outcomes = deliver::deliver(&mut store, &ctx.settings, &archive, &draft, req)?;
    let bad = outcomes.iter().filter(|o| o.state == "failed" || o.state == "waiting").count();
    for o in outcomes.iter().filter(|o| o.state == "failed" || o.state == "waiting") {
        eprintln!("{}: {} {}: {}", if o.state == "failed" { "error" } else { "warning" }, o.site, o.day, o.detail);
    }
    if !quiet || ctx.out.format != Format::Table {
        match ctx.out.format {
            Format::Table => {
                for o in &outcomes {
                    ctx.out.line(&format!("{} {}: {} ({})", o.site, o.day, o.state, o.detail))?;
                }
            }
            _ => ctx.out.json(&outcomes)?,
        }
    }
    let failed_all = !outcomes.is_empty() && outcomes.iter().all(|o| o.state == "failed");
    Ok(if bad == 0 {
        Exit::Success
    } else if failed_all {
        Exit::Failure
    } else {
        Exit::Partial
    })
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct ListRow {
    site: String,
    day: String,
    host: String,
    format: String,
    size: u64,
    lines: u64,
    sha256: String,
    collected_at: String,
    delivered_at: Option<String>,
    notified_at: Option<String>,
}

impl Tabular for ListRow {
    const HEADERS: &'static [&'static str] =
        &["site", "day", "host", "format", "size", "lines", "sha256", "collected", "delivered", "notified"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.site),
            Cell::text(&self.day),
            Cell::text(&self.host),
            Cell::text(&self.format),
            Cell::text(self.size),
            Cell::text(self.lines),
            Cell::text(&self.sha256[..self.sha256.len().min(12)]),
            Cell::text(amoe_core::time::display_local(&self.collected_at)),
            Cell::text(self.delivered_at.as_deref().map(amoe_core::time::display_local).unwrap_or_default()),
            Cell::text(self.notified_at.as_deref().map(amoe_core::time::display_local).unwrap_or_default()),
        ]
    }
}

fn list(ctx: &mut Ctx, site: Option<&str>) -> Result<Exit> {
    let store = ctx.open()?;
    let deliveries = store.deliveries(site, None)?;
    let rows: Vec<ListRow> = store
        .archived_logs(site, None, None, None)?
        .into_iter()
        .map(|a| {
            let last =
                deliveries.iter().rev().find(|d| d.site == a.site && d.day == a.day && d.hosts.contains(&a.host));
            ListRow {
                delivered_at: last.and_then(|d| d.uploaded_at.clone()),
                notified_at: last.and_then(|d| d.notified_at.clone()),
                site: a.site,
                day: a.day,
                host: a.host,
                format: a.format,
                size: a.size,
                lines: a.lines,
                sha256: a.sha256,
                collected_at: a.collected_at,
            }
        })
        .collect();
    ctx.out.list(&rows)?;
    Ok(Exit::Success)
}

/// `amoe stats SITE`: the collected W3C files of the site's days, read as one.
pub(super) fn site_stats(
    ctx: &mut Ctx,
    site: &str,
    from: &str,
    to: &str,
    by: StatsPeriod,
    top: usize,
    chart: Option<&std::path::Path>,
) -> Result<Exit> {
    let (from, to) = (logs::parse_day(from)?, logs::parse_day(to)?);
    if let Some(chart) = chart {
        crate::ops::chart_kind(chart)?;
    }
    let store = ctx.open()?;
    store.site(&site.parse::<amoe_core::Name>()?)?;
    let files = logs::w3c_files(&ctx.settings, &store, Some(site), &from, &to)?;
    if files.is_empty() {
        return Err(Failure::new(format!("no collected logs of `{site}` from {from} to {to}"))
            .hint("`amoe logs collect` fetches them; `amoe logs list` shows what is archived")
            .into());
    }
    let opts = Options { by_hour: by == StatsPeriod::Hour, paris: true, ..Options::default() };
    let report = amoe_logstats::report(&files, &opts, top);
    if let Some(chart) = chart {
        crate::ops::write_chart(chart, &amoe_logstats::chart::Bars::of(&report, &format!("{site}, {from} to {to}")))?;
    }
    render(ctx, &report)?;
    Ok(if report.files.iter().any(|f| f.error.is_some()) { Exit::Partial } else { Exit::Success })
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
    if let Some(chart) = &args.chart {
        crate::ops::chart_kind(chart)?;
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
        crate::ops::write_chart(chart, &amoe_logstats::chart::Bars::of(&report, &title))?;
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

/// Shows a report: JSON as is, CSV one row per period after a total row, tables for people.
pub(crate) fn render(ctx: &mut Ctx, report: &Report) -> Result<()> {
    match ctx.out.format {
        Format::Json => ctx.out.json(report)?,
        Format::Csv => ctx.out.line(report.csv().trim_end())?,
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
