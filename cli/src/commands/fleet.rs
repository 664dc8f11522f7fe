//! The fleet commands: `amoe flush`, `amoe site push|activate|deactivate|rules|explain`,
//! `amoe host status`, `amoe outbox list|run`. Operations owed to hosts are queued in the
//! outbox with the command's audit entry, then delivered (see `crate::fleet`).

use super::Ctx;
use crate::cli::{FlushArgs, OutboxCmd};
use crate::error::{Exit, Failure};
use crate::fleet::client::{Client, Credentials};
use crate::fleet::{self, Caller, FleetReport, HostResult};
use crate::output::{Cell, Format, Tabular};
use amoe_core::{Host, Name, Site};
use amoe_proto::FlushRequest;
use amoe_store::hosts::HostReads;
use amoe_store::outbox::{NewOutboxItem, OutboxItem, OutboxReads};
use amoe_store::sites::{RulesReads, SiteReads};
use amoe_store::{Store, Tx};
use anyhow::{Context, Result};
use std::time::{Duration, Instant};

impl Tabular for HostResult {
    const HEADERS: &'static [&'static str] =
        &["host", "address", "result", "objects", "latency_ms", "pending", "parked", "error"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.host),
            Cell::text(&self.address),
            Cell::text(if self.ok { "ok" } else { "FAILED" }),
            Cell::text(self.objects.map_or(String::new(), |o| o.to_string())),
            Cell::text(format!("{:.1}", self.latency_ms)),
            Cell::text(self.pending),
            Cell::text(self.parked),
            Cell::opt(self.error.as_deref()),
        ]
    }
}

impl Tabular for OutboxItem {
    const HEADERS: &'static [&'static str] =
        &["id", "host", "site", "kind", "queued_by", "state", "attempts", "next_attempt", "last_error"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::text(&self.host),
            Cell::opt(self.site.as_deref()),
            Cell::text(self.kind.as_str()),
            Cell::opt(self.queued_by.as_deref()),
            Cell::text(if self.parked_at.is_some() { "PARKED" } else { "owed" }),
            Cell::text(self.attempts),
            Cell::text(amoe_core::time::display_local(&self.next_attempt_at)),
            Cell::opt(self.last_error.as_deref()),
        ]
    }
}

/// The client for the control API, and who it acts as (its certificate's name and role),
/// from the settings.
pub(super) fn client(ctx: &Ctx) -> Result<(Client, Caller)> {
    let need = |what: &str, var: &str, key: &str| {
        Failure::new(format!("no {what} for the hosts' control API")).hint(format!(
            "set `{var}` or `{key}` in the configuration file (issue one with `amoe ca issue NAME --role operator`)"
        ))
    };
    let cert = ctx
        .settings
        .client_cert
        .clone()
        .ok_or_else(|| need("client certificate", "AMOE_CLIENT_CERT", "client_cert"))?;
    let key = ctx.settings.client_key.clone().ok_or_else(|| need("client key", "AMOE_CLIENT_KEY", "client_key"))?;
    let ca_dir =
        ctx.settings.ca_dir.clone().ok_or_else(|| Failure::new("no CA directory").hint("set `AMOE_CA_DIR`"))?;
    let crl = Some(ca_dir.join("crl.pem")).filter(|p| p.exists());
    let caller = Caller::from_files(&cert, &key, &ca_dir.join("ca.pem"), crl.as_deref())
        .map_err(|e| Failure::new(e).hint("use a certificate and key from `amoe ca issue NAME --role operator|ci`"))?;
    let creds = Credentials { ca: ca_dir.join("ca.pem"), cert, key, crl };
    let client = Client::new(&creds, host_timeout())
        .map_err(|e| Failure::new(e).hint("check the paths of the CA and of your certificate"))?;
    Ok((client, caller))
}

/// Who an inventory command (`site update --remove-host`, `site remove`) queues the removal
/// from hosts as: the configured client certificate, which signs the items (the agents check
/// that signature); without one, the removal cannot be queued and the command says so.
pub(super) fn inventory_caller(ctx: &Ctx) -> Result<Option<Caller>> {
    if ctx.settings.client_cert.is_none() {
        return Ok(None);
    }
    Ok(Some(client(ctx)?.1))
}

/// How long a host may take to answer: `AMOE_HOST_TIMEOUT_MS`, default 10 s.
fn host_timeout() -> Duration {
    std::env::var("AMOE_HOST_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(10), Duration::from_millis)
}

/// The site and its hosts.
pub(super) fn site_and_hosts(store: &Store, name: &str) -> Result<(Site, Vec<Host>)> {
    let site = store.site(&name.parse::<Name>()?)?;
    let hosts = site.hosts.iter().map(|h| store.host(h)).collect::<Result<Vec<_>, _>>()?;
    if hosts.is_empty() {
        return Err(Failure::new(format!("site `{name}` has no host"))
            .hint(format!("add one with `amoe site update {name} --add-host HOST`"))
            .into());
    }
    Ok((site, hosts))
}

/// An operation for the hosts of a site.
pub(super) struct Operation<'a> {
    pub command: &'a str,
    pub site: &'a str,
    pub hosts: &'a [Host],
    pub dry_run: bool,
    pub timing: bool,
}

/// Refuses what `caller`'s role may not ask of a host, before anything is queued.
fn check_role(caller: &Caller, items: &[NewOutboxItem], command: &str) -> Result<()> {
    if let Some(item) = items.iter().find(|i| !caller.role.allows(fleet::action_of(i.kind))) {
        return Err(Failure::new(format!(
            "`{}` (role {}) may not `{command}` ({} on host `{}`)",
            caller.name, caller.role, item.kind, item.host
        ))
        .hint("a ci certificate may only flush; use an operator certificate. Nothing was changed or queued")
        .into());
    }
    Ok(())
}

/// Makes the store change and queues the items in one transaction with the audit entry (the
/// client certificate beside the operator), then delivers, renders; the exit code says who
/// failed. `prepare` makes the change and says what each host is owed; a dry run rehearses it
/// and rolls it back.
pub(super) fn run_operation(
    ctx: &mut Ctx,
    store: &mut Store,
    op: Operation<'_>,
    prepare: impl FnOnce(&Tx<'_>, &Caller) -> Result<Vec<NewOutboxItem>>,
) -> Result<Exit> {
    let Operation { command, site, hosts, dry_run, timing } = op;
    if dry_run {
        // Without a certificate, rehearsed as an operator; a configured one must be readable.
        let caller = match &ctx.settings.client_cert {
            Some(_) => Some(client(ctx)?.1),
            None => None,
        };
        let as_operator = Caller::rehearsal(&ctx.settings.operator);
        let items = store.rehearse(|tx| prepare(tx, caller.as_ref().unwrap_or(&as_operator)))?;
        if let Some(c) = &caller {
            check_role(c, &items, command)?;
        }
        let shown: Vec<serde_json::Value> = items
            .iter()
            .map(|i| serde_json::json!({"host": i.host, "method": i.method, "path": i.path, "body": i.body.as_deref().and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())}))
            .collect();
        if ctx.out.format == Format::Table {
            for s in &shown {
                ctx.out.line(&format!(
                    "would send to {}: {} {} {}",
                    s["host"].as_str().unwrap_or(""),
                    s["method"].as_str().unwrap_or(""),
                    s["path"].as_str().unwrap_or(""),
                    s["body"]
                ))?;
            }
        } else {
            ctx.out.json(&shown)?;
        }
        return Ok(Exit::Success);
    }
    let report = queue_and_deliver(ctx, store, Operation { command, site, hosts, dry_run, timing }, prepare)?;
    render(ctx, &report, timing)
}

/// The queue-and-deliver half of [`run_operation`], printing nothing: the items `prepare`
/// makes are queued with the audit entry in one transaction, delivered at once, and the
/// outcome per host journaled.
pub(super) fn queue_and_deliver(
    ctx: &mut Ctx,
    store: &mut Store,
    op: Operation<'_>,
    prepare: impl FnOnce(&Tx<'_>, &Caller) -> Result<Vec<NewOutboxItem>>,
) -> Result<FleetReport> {
    let Operation { command, site, hosts, .. } = op;
    let (client, caller) = client(ctx)?;
    let started = Instant::now();
    let mut draft = ctx.draft(command, Some(format!("site:{site}")));
    draft.identity = Some(caller.identity());
    let fresh = store.mutate(&draft, |tx| -> Result<Vec<String>> {
        let items = prepare(tx, &caller)?;
        check_role(&caller, &items, command)?;
        for item in &items {
            tx.enqueue(item)?;
        }
        Ok(items.into_iter().map(|i| i.id).collect())
    })?;
    let run = fleet::Run { operation: command, site: Some(site), fresh: Some(&fresh) };
    let report = fleet::deliver(store, &client, &caller, hosts, started, run)?;
    fleet::journal_delivery(store, &draft, &report)?;
    Ok(report)
}

/// What an inventory command just queued for a site's hosts.
pub(super) struct Owed<'a> {
    pub command: &'a str,
    pub site: &'a str,
    pub ids: &'a [String],
    /// `--no-push`: record and queue only.
    pub no_push: bool,
    /// Whether a client certificate signed the items (without one nothing was queued).
    pub signed: bool,
}

/// Delivers what an inventory command (`site add|update|remove`) queued, at once, and says on
/// stderr how it went (stdout keeps the command's own output). The exit code is a fleet
/// command's: 0 every host confirmed, 3 some did not, 1 none did. `has_hosts`: the site has
/// hosts that were not told because there was no certificate to sign with.
pub(super) fn deliver_owed(ctx: &mut Ctx, store: &mut Store, owed: Owed<'_>, has_hosts: bool) -> Result<Exit> {
    let Owed { command, site, ids, no_push, signed } = owed;
    if ids.is_empty() {
        if has_hosts && !signed {
            eprintln!("note: site `{site}` was recorded but not pushed: no client certificate to sign the push with");
            eprintln!("hint: set `AMOE_CLIENT_CERT` and `AMOE_CLIENT_KEY`, then `amoe site push {site}`");
        }
        return Ok(Exit::Success);
    }
    if no_push {
        eprintln!("staged: {} operations queued for the hosts of `{site}`", ids.len());
        eprintln!("hint: `amoe outbox run` (or `amoe site push {site}`) delivers them");
        return Ok(Exit::Success);
    }
    let mut names: Vec<String> =
        store.outbox(None)?.into_iter().filter(|i| ids.contains(&i.id)).map(|i| i.host).collect();
    names.sort();
    names.dedup();
    let hosts = names.iter().map(|n| Ok(store.host(&n.parse::<Name>()?)?)).collect::<Result<Vec<Host>>>()?;
    let (client, caller) = client(ctx)?;
    let run = fleet::Run { operation: command, site: Some(site), fresh: Some(ids) };
    let report = fleet::deliver(store, &client, &caller, &hosts, Instant::now(), run)?;
    let mut draft = ctx.draft(command, Some(format!("site:{site}")));
    draft.identity = Some(caller.identity());
    fleet::journal_delivery(store, &draft, &report)?;
    let failed = report.failed();
    eprintln!("{command}: {} of {} hosts confirmed", report.hosts.len() - failed, report.hosts.len());
    for h in report.hosts.iter().filter(|h| !h.ok) {
        eprintln!("  {}: {}", h.host, h.error.as_deref().unwrap_or("not confirmed"));
    }
    if failed > 0 {
        eprintln!("hint: what was not confirmed stays in the outbox; `amoe outbox run` retries it");
    }
    Ok(Exit::of_hosts(failed, report.hosts.len()))
}

/// Fleet commands print a table on a terminal and JSON otherwise, unless told.
fn fleet_format(ctx: &Ctx) -> Format {
    use std::io::IsTerminal;
    if ctx.settings.output_explicit || std::io::stdout().is_terminal() { ctx.out.format } else { Format::Json }
}

pub(super) fn render(ctx: &mut Ctx, report: &FleetReport, timing: bool) -> Result<Exit> {
    match fleet_format(ctx) {
        Format::Table => {
            ctx.out.list(&report.hosts)?;
            let failed = report.failed();
            let summary = format!(
                "{}: {} of {} hosts confirmed{}",
                report.operation,
                report.hosts.len() - failed,
                report.hosts.len(),
                if failed > 0 { "; the rest stays in the outbox (`amoe outbox run` retries)" } else { "" }
            );
            ctx.out.line(&summary)?;
            if timing {
                ctx.out.line(&format!("timing: {:.1} ms from start to the last confirmation", report.total_ms))?;
            }
        }
        _ => ctx.out.json(report)?,
    }
    let failed = report.failed();
    Ok(Exit::of_hosts(failed, report.hosts.len()))
}

pub(super) fn flush(ctx: &mut Ctx, args: FlushArgs) -> Result<Exit> {
    if args.urls.is_empty() && args.prefixes.is_empty() && args.tags.is_empty() && !args.all {
        return Err(Failure::usage("nothing to flush").hint("give --url, --prefix, --tag or --all").into());
    }
    let mut store = ctx.open()?;
    let (site, hosts) = site_and_hosts(&store, &args.site)?;
    check_flush_targets(&site, &args.urls, &args.prefixes)?;
    let req = FlushRequest {
        urls: args.urls,
        prefixes: args.prefixes,
        tags: args.tags,
        all: args.all,
        soft: args.soft,
        idempotency_key: None,
    };
    let body = serde_json::to_string(&req)?;
    let path = format!("/v1/sites/{}/flush", site.name);
    run_operation(
        ctx,
        &mut store,
        Operation {
            command: "flush",
            site: site.name.as_str(),
            hosts: &hosts,
            dry_run: args.dry_run,
            timing: args.timing,
        },
        |_, caller| {
            Ok(fleet::items_for(
                &hosts,
                caller,
                Some(site.name.as_str()),
                amoe_store::outbox::ItemKind::Flush,
                "POST",
                &path,
                Some(&body),
            ))
        },
    )
}

/// Flush targets that can match nothing are usage errors: a prefix is a path (`/static`), a URL
/// is a path or an http(s) URL on a domain of the site.
fn check_flush_targets(site: &Site, urls: &[String], prefixes: &[String]) -> Result<()> {
    for p in prefixes {
        if !p.starts_with('/') || p.contains('?') {
            return Err(Failure::usage(format!("--prefix `{p}` is not a directory path"))
                .hint("a prefix starts with `/` and has no query string, such as `--prefix /static`")
                .into());
        }
    }
    for u in urls {
        if u.starts_with('/') {
            continue;
        }
        let host = u
            .split_once("://")
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"))
            .map(|(_, rest)| rest.split(['/', '?']).next().unwrap_or_default())
            .map(|h| h.rsplit_once(':').map_or(h, |(h, _)| h).trim_end_matches('.').to_ascii_lowercase());
        match host {
            None => {
                return Err(Failure::usage(format!("--url `{u}` is neither a path nor an http(s) URL"))
                    .hint("give a path such as `/index.html` (every domain of the site) or a full URL")
                    .into());
            }
            Some(h) if !site.domains.iter().any(|d| d.as_str().eq_ignore_ascii_case(&h)) => {
                let domains: Vec<&str> = site.domains.iter().map(|d| d.as_str()).collect();
                return Err(Failure::usage(format!("--url `{u}`: `{h}` is not a domain of site `{}`", site.name))
                    .hint(format!("its domains: {}", domains.join(", ")))
                    .into());
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// `site push`, `activate`, `deactivate`: the site's full configuration to every host.
pub(super) fn push(ctx: &mut Ctx, name: &str, active: Option<bool>, dry_run: bool) -> Result<Exit> {
    let mut store = ctx.open()?;
    let (site, hosts) = site_and_hosts(&store, name)?;
    let command = match active {
        Some(true) => "site activate",
        Some(false) => "site deactivate",
        None => "site push",
    };
    run_operation(
        ctx,
        &mut store,
        Operation { command, site: site.name.as_str(), hosts: &hosts, dry_run, timing: false },
        |tx, caller| {
            let mut site = tx.site(&site.name)?;
            if let Some(a) = active {
                site.active = a;
                tx.update_site(&site)?;
            }
            fleet::put_site_items(tx, &site, caller)
        },
    )
}

pub(super) fn rules(ctx: &mut Ctx, name: &str, file: &std::path::Path, dry_run: bool) -> Result<Exit> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read `{}`", file.display()))?;
    if let Err(e) = amoe_rules::Rules::parse(&text) {
        return Err(Failure::usage(format!("`{}` is not a valid rules file:\n{e}", file.display()))
            .hint("the format is in docs/rules.md; nothing was changed or sent")
            .into());
    }
    if dry_run {
        ctx.out.line(&format!("`{}` is valid", file.display()))?;
        return Ok(Exit::Success);
    }
    let mut store = ctx.open()?;
    push_rules(ctx, &mut store, name, "site rules", &text, false)
}

/// Keeps `text` as the site's newest rules version and pushes it, in one transaction; the
/// audit entry records the rules' SHA-256 (as `--rules-sha256=…` after the arguments).
fn push_rules(ctx: &mut Ctx, store: &mut Store, name: &str, command: &str, text: &str, dry_run: bool) -> Result<Exit> {
    let (site, hosts) = site_and_hosts(store, name)?;
    let operator = ctx.settings.operator.clone();
    let digest = amoe_pki::sha256_hex(text.as_bytes());
    ctx.args.push(format!("--rules-sha256={digest}"));
    run_operation(
        ctx,
        store,
        Operation { command, site: site.name.as_str(), hosts: &hosts, dry_run, timing: false },
        |tx, caller| {
            tx.add_site_rules(&site.name, text, &operator)?;
            fleet::put_site_items(tx, &site, caller)
        },
    )
}

/// `site rules NAME --show`: the rules in force (text), or every kept version (JSON).
pub(super) fn show_rules(ctx: &mut Ctx, name: &str) -> Result<Exit> {
    let store = ctx.open()?;
    let site = store.site(&name.parse::<Name>()?)?;
    let versions = amoe_store::sites::rules_versions(&store, &site.name)?;
    if ctx.out.format == Format::Json {
        ctx.out.json(&versions)?;
        return Ok(Exit::Success);
    }
    match versions.last() {
        Some(v) => {
            ctx.out.line(&format!(
                "# site `{}`, rules version {} ({}, {})",
                site.name, v.version, v.created_at, v.operator
            ))?;
            ctx.out.line(v.rules.trim_end())?;
        }
        None => ctx.out.line(&format!("site `{}` has no rules: RFC 9111 defaults apply", site.name))?,
    }
    Ok(Exit::Success)
}

/// `site rules NAME --rollback`: the version before the newest, kept again as the newest and
/// pushed.
pub(super) fn rollback_rules(ctx: &mut Ctx, name: &str, dry_run: bool) -> Result<Exit> {
    let mut store = ctx.open()?;
    let site = store.site(&name.parse::<Name>()?)?;
    let versions = amoe_store::sites::rules_versions(&store, &site.name)?;
    let Some(previous) = versions.len().checked_sub(2).map(|i| versions[i].clone()) else {
        return Err(Failure::new(format!("site `{name}` has no earlier rules version to roll back to"))
            .hint(format!("`amoe site rules {name} --show -o json` lists the versions"))
            .into());
    };
    eprintln!("rolling back site `{name}` to the rules of version {}", previous.version);
    push_rules(ctx, &mut store, name, "site rules rollback", &previous.rules, dry_run)
}

pub(super) fn explain(ctx: &mut Ctx, name: &str, url: &str, content_type: Option<&str>) -> Result<Exit> {
    let store = ctx.open()?;
    let site = store.site(&name.parse::<Name>()?)?;
    let rules = match store.site_rules(&site.name)? {
        Some(r) => amoe_rules::Rules::parse(&r.rules)
            .map_err(|e| Failure::new(format!("the stored rules are invalid:\n{e}")))?,
        None => amoe_rules::Rules::default(),
    };
    let explanation = rules.explain(url, content_type);
    if ctx.out.format == Format::Table {
        ctx.out.line(&explanation.to_string())?;
    } else {
        ctx.out.json(&explanation)?;
    }
    Ok(Exit::Success)
}

/// `amoe host status`: read-only, straight to the agents.
pub(super) fn status(ctx: &mut Ctx, name: Option<&str>) -> Result<Exit> {
    let store = ctx.open()?;
    let hosts = match name {
        Some(n) => vec![store.host(&n.parse::<Name>()?)?],
        None => store.hosts()?,
    };
    let (client, _) = client(ctx)?;
    let asks = hosts.into_iter().map(|h| ((), h, "/v1/status".to_string())).collect();
    let mut rows: Vec<HostStatus> = fleet::ask_all(&client, asks)?
        .into_iter()
        .map(|((), h, r)| {
            let (status, error) = match r {
                Ok(a) if a.status == 200 => (serde_json::from_slice::<amoe_proto::Status>(&a.body).ok(), None),
                Ok(a) => (None, Some(format!("HTTP {}: {}", a.status, fleet::client::error_message(&a.body)))),
                Err(e) => (None, Some(e.to_string())),
            };
            HostStatus { host: h.name.to_string(), address: h.address.to_string(), status, error }
        })
        .collect();
    rows.sort_by(|a, b| a.host.cmp(&b.host));
    let failed = rows.iter().filter(|r| r.error.is_some()).count();
    ctx.out.list(&rows)?;
    warn_about_revocation_lists(&rows);
    Ok(Exit::of_hosts(failed, rows.len()))
}

/// What one host is still owed (`host status --pending`).
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct HostPending {
    pub host: String,
    /// Operations still to deliver.
    pub owed: usize,
    /// Operations the host refused for good (`amoe outbox drop` removes them).
    pub parked: usize,
    /// When the oldest owed operation was queued (UTC).
    pub since: Option<String>,
    pub next_attempt: Option<String>,
    pub last_error: Option<String>,
}

impl Tabular for HostPending {
    const HEADERS: &'static [&'static str] = &["host", "owed", "parked", "since", "next_attempt", "last_error"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.host),
            Cell::text(self.owed),
            Cell::text(self.parked),
            Cell::text(self.since.as_deref().map(amoe_core::time::display_local).unwrap_or_default()),
            Cell::text(self.next_attempt.as_deref().map(amoe_core::time::display_local).unwrap_or_default()),
            Cell::opt(self.last_error.as_deref()),
        ]
    }
}

/// `amoe host status --pending`: from the store only.
pub(super) fn pending(ctx: &mut Ctx, name: Option<&str>) -> Result<Exit> {
    let store = ctx.open()?;
    let hosts = match name {
        Some(n) => vec![store.host(&n.parse::<Name>()?)?],
        None => store.hosts()?,
    };
    let items = store.outbox(None)?;
    let rows: Vec<HostPending> = hosts
        .iter()
        .map(|h| {
            let mine: Vec<&OutboxItem> = items.iter().filter(|i| i.host == h.name.as_str()).collect();
            let owed: Vec<&&OutboxItem> = mine.iter().filter(|i| i.parked_at.is_none()).collect();
            HostPending {
                host: h.name.to_string(),
                owed: owed.len(),
                parked: mine.len() - owed.len(),
                since: owed.first().map(|i| i.created_at.clone()),
                next_attempt: owed.first().map(|i| i.next_attempt_at.clone()),
                last_error: mine.iter().rev().find_map(|i| i.last_error.clone()),
            }
        })
        .collect();
    ctx.out.list(&rows)?;
    Ok(Exit::Success)
}

/// Days before a host's revocation list expires when `host status` warns.
const CRL_WARN_DAYS: i64 = 14;

/// Warns (stderr) about hosts with no revocation list, or one that expires soon.
fn warn_about_revocation_lists(rows: &[HostStatus]) {
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * CRL_WARN_DAYS);
    for r in rows {
        let Some(s) = &r.status else { continue };
        let next = s.crl_next_update.as_deref().and_then(|t| t.parse::<jiff::Timestamp>().ok());
        match (s.crl_number, next) {
            (None, _) => {
                eprintln!("warning: host `{}` has no revocation list installed", r.host);
                eprintln!("hint: issue and push one with `amoe ca crl`");
            }
            (Some(_), Some(t)) if t < soon => {
                eprintln!(
                    "warning: the revocation list on host `{}` expires {}",
                    r.host,
                    amoe_core::time::display_local(&t.to_string())
                );
                eprintln!("hint: issue and push a new one with `amoe ca crl`");
            }
            _ => {}
        }
    }
}

/// One host's answer to `status`.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct HostStatus {
    pub host: String,
    pub address: String,
    pub status: Option<amoe_proto::Status>,
    pub error: Option<String>,
}

impl Tabular for HostStatus {
    const HEADERS: &'static [&'static str] =
        &["host", "address", "version", "uptime_s", "sites", "objects", "cert_expires", "error"];
    fn cells(&self) -> Vec<Cell> {
        let s = self.status.as_ref();
        vec![
            Cell::text(&self.host),
            Cell::text(&self.address),
            Cell::text(s.map_or("", |s| s.version.as_str())),
            Cell::text(s.map_or(String::new(), |s| s.uptime_secs.to_string())),
            Cell::list(&s.map(|s| s.sites.clone()).unwrap_or_default()),
            Cell::text(s.map_or(String::new(), |s| s.cache_objects.to_string())),
            Cell::text(
                s.and_then(|s| s.certificate_not_after.as_deref())
                    .map(amoe_core::time::display_local)
                    .unwrap_or_default(),
            ),
            Cell::opt(self.error.as_deref()),
        ]
    }
}

pub(super) fn outbox(ctx: &mut Ctx, cmd: OutboxCmd) -> Result<Exit> {
    let mut store = ctx.open()?;
    match cmd {
        OutboxCmd::List => {
            ctx.out.list(&store.outbox(None)?)?;
            Ok(Exit::Success)
        }
        OutboxCmd::Run { all } => {
            let now = amoe_core::time::now_utc();
            // A host is due when the first operation it owes is; order per host is kept. Parked
            // items are out of the queue.
            let mut owed = store.outbox(None)?;
            owed.retain(|i| i.parked_at.is_none());
            let mut seen = std::collections::HashSet::new();
            owed.retain(|i| seen.insert(i.host.clone()));
            owed.retain(|i| all || i.next_attempt_at <= now);
            let mut names: Vec<String> = owed.iter().map(|i| i.host.clone()).collect();
            names.sort();
            names.dedup();
            // Items of a host no longer in the inventory (queued by an older amoe, which kept
            // them on `host remove`) are dropped with an audit entry: they must not stall the run.
            let mut hosts = Vec::new();
            for n in &names {
                match n.parse::<Name>().map(|name| store.host(&name)) {
                    Ok(Ok(h)) => hosts.push(h),
                    Ok(Err(amoe_store::Error::NotFound { .. })) | Err(_) => {
                        let ids: Vec<String> = store
                            .outbox(Some(std::slice::from_ref(n)))?
                            .iter()
                            .map(|i| format!("{} {}", i.id, i.kind))
                            .collect();
                        let draft = ctx.draft("outbox drop", Some(format!("host:{n}")));
                        store.mutate(&draft, |tx| tx.drop_host_items(n))?;
                        store.journal(
                            &draft,
                            &format!(
                                "ok: {} items owed to a host no longer in the inventory: {}",
                                ids.len(),
                                ids.join(", ")
                            ),
                        )?;
                        eprintln!("warning: dropped {} items owed to `{n}`, which is no longer a host", ids.len());
                    }
                    Ok(Err(e)) => return Err(e.into()),
                }
            }
            if hosts.is_empty() {
                if ctx.out.format == Format::Table {
                    ctx.out.line("nothing owed")?;
                } else {
                    ctx.out.json(&FleetReport {
                        operation: "outbox run".into(),
                        site: None,
                        dry_run: false,
                        hosts: vec![],
                        total_ms: 0.0,
                    })?;
                }
                return Ok(Exit::Success);
            }
            let (client, caller) = client(ctx)?;
            let report = fleet::deliver(
                &mut store,
                &client,
                &caller,
                &hosts,
                Instant::now(),
                fleet::Run { operation: "outbox run", site: None, fresh: None },
            )?;
            let delivered: usize = report.hosts.iter().map(|h| h.delivered).sum();
            let pending: usize = report.hosts.iter().map(|h| h.pending).sum();
            let mut draft = ctx.draft("outbox run", None);
            draft.identity = Some(caller.identity());
            store.journal(&draft, &format!("ok: {delivered} delivered, {pending} still owed"))?;
            render(ctx, &report, false)
        }
        OutboxCmd::Metrics { out } => {
            let hosts: Vec<String> = store.hosts()?.into_iter().map(|h| h.name.to_string()).collect();
            let text = outbox_metrics(&hosts, &store.outbox(None)?, jiff::Timestamp::now());
            match out {
                None => ctx.out.line(text.trim_end())?,
                Some(path) => write_public(&path, text.as_bytes()).map_err(|e| {
                    Failure::new(format!("cannot write `{}`: {e}", path.display()))
                        .hint("check that the folder exists and is writable")
                })?,
            }
            Ok(Exit::Success)
        }
        OutboxCmd::Drop { ids } => {
            let draft = ctx.draft("outbox drop", None);
            let dropped = store.mutate(&draft, |tx| -> Result<Vec<OutboxItem>> {
                let mut dropped = Vec::new();
                for id in &ids {
                    let item = tx.drop_outbox_item(id)?.ok_or_else(|| {
                        Failure::new(format!("no outbox item `{id}`"))
                            .hint("`amoe outbox list` shows them; nothing was dropped")
                    })?;
                    dropped.push(item);
                }
                Ok(dropped)
            })?;
            ctx.out.list(&dropped)?;
            Ok(Exit::Success)
        }
    }
}

/// After a revocation: the new list to every host, through the outbox. Without a client
/// certificate it stays queued for `amoe outbox run`.
/// Delivers a revocation list already queued for every host (in the transaction of `ca revoke`
/// or `ca crl`).
pub(super) fn push_crl(ctx: &mut Ctx) -> Result<Exit> {
    let mut store = ctx.open()?;
    let hosts = store.hosts()?;
    if hosts.is_empty() {
        return Ok(Exit::Success);
    }
    let (client, caller) = match client(ctx) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("warning: the revocation list is queued for {} hosts but not sent: {e}", hosts.len());
            eprintln!("hint: send it with `amoe outbox run` and a client certificate");
            return Ok(Exit::Partial);
        }
    };
    let report = fleet::deliver(
        &mut store,
        &client,
        &caller,
        &hosts,
        Instant::now(),
        fleet::Run { operation: "revocation list", site: None, fresh: None },
    )?;
    render(ctx, &report, false)
}

/// The outbox backlog in Prometheus' text format: every host of the inventory (zeros when it
/// owes nothing, so that an alert sees the series), then hosts that only the outbox still
/// names.
pub(crate) fn outbox_metrics(hosts: &[String], items: &[OutboxItem], now: jiff::Timestamp) -> String {
    use std::collections::BTreeMap;
    use std::fmt::Write;
    #[derive(Default)]
    struct Backlog {
        pending: u64,
        parked: u64,
        oldest: f64,
        attempts: i64,
    }
    let mut by_host: BTreeMap<&str, Backlog> = hosts.iter().map(|h| (h.as_str(), Backlog::default())).collect();
    for i in items {
        let b = by_host.entry(i.host.as_str()).or_default();
        if i.parked_at.is_some() {
            b.parked += 1;
            continue;
        }
        b.pending += 1;
        b.attempts = b.attempts.max(i.attempts);
        if let Ok(t) = i.created_at.parse::<jiff::Timestamp>() {
            b.oldest = b.oldest.max(now.duration_since(t).as_secs_f64().max(0.0));
        }
    }
    let label = |h: &str| h.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    let mut t = String::new();
    let _ = writeln!(t, "# HELP amoe_outbox_items Operations a host owes (pending) or refused for good (parked).");
    let _ = writeln!(t, "# TYPE amoe_outbox_items gauge");
    for (h, b) in &by_host {
        let _ = writeln!(t, "amoe_outbox_items{{host=\"{}\",state=\"pending\"}} {}", label(h), b.pending);
        let _ = writeln!(t, "amoe_outbox_items{{host=\"{}\",state=\"parked\"}} {}", label(h), b.parked);
    }
    let _ = writeln!(t, "# HELP amoe_outbox_oldest_age_seconds Age of the oldest operation a host still owes.");
    let _ = writeln!(t, "# TYPE amoe_outbox_oldest_age_seconds gauge");
    for (h, b) in &by_host {
        let _ = writeln!(t, "amoe_outbox_oldest_age_seconds{{host=\"{}\"}} {:.0}", label(h), b.oldest);
    }
    let _ = writeln!(t, "# HELP amoe_outbox_attempts_max Most delivery attempts of an operation a host owes.");
    let _ = writeln!(t, "# TYPE amoe_outbox_attempts_max gauge");
    for (h, b) in &by_host {
        let _ = writeln!(t, "amoe_outbox_attempts_max{{host=\"{}\"}} {}", label(h), b.attempts);
    }
    t
}

/// Replaces `path` with `bytes` (0644) through a temporary file in the same folder.
fn write_public(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o644).open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}
