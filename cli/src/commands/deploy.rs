//! `amoe deploy SITE PATH`, `amoe deploy switch|list|rollback`.

use std::collections::BTreeMap;
use std::time::Instant;

use super::Ctx;
use crate::cli::{DeployArgs, DeployCmd};
use crate::deploy::{self, DeployReport, HostDeploy, bundle};
use crate::error::{Exit, Failure};
use crate::ops::fleet::{Operation, client, queue_and_deliver, site_and_hosts};
use crate::output::{Cell, Format, Tabular};
use amoe_core::Host;
use amoe_store::Store;
use amoe_store::deploys::Deploy;
use amoe_store::tickets::TicketReads;
use anyhow::Result;

impl Tabular for HostDeploy {
    const HEADERS: &'static [&'static str] = &["host", "received", "switched", "previous", "owed", "ms", "error"];
    fn cells(&self) -> Vec<Cell> {
        let yes = |b: bool| if b { "yes" } else { "no" };
        vec![
            Cell::text(&self.host),
            Cell::text(yes(self.received)),
            Cell::text(yes(self.switched)),
            Cell::text(self.previous.as_deref().unwrap_or("-")),
            Cell::text(yes(self.owed)),
            Cell::text(self.ms),
            Cell::text(self.error.as_deref().unwrap_or_default()),
        ]
    }
}

fn exit_of(report: &DeployReport) -> Exit {
    match report.outcome() {
        "ok" => Exit::Success,
        "partial" => Exit::Partial,
        _ => Exit::Failure,
    }
}

fn render(ctx: &mut Ctx, report: &DeployReport) -> Result<()> {
    if ctx.out.format == Format::Json {
        ctx.out.json(report)?;
        return Ok(());
    }
    let what = match (report.kind.as_str(), report.outcome()) {
        (_, _) if report.dry_run => format!(
            "would send release {} of `{}` ({} bytes{}, sha256 {}) to {} hosts",
            report.release,
            report.site,
            report.size.unwrap_or(0),
            report.files.map(|f| format!(", {f} files")).unwrap_or_default(),
            report.sha256.as_deref().unwrap_or("?"),
            report.hosts.len()
        ),
        ("stage", "ok") => {
            format!("release {} of `{}` staged on {} hosts", report.release, report.site, report.hosts.len())
        }
        (_, "ok") => {
            format!("release {} of `{}` is current on {} hosts", report.release, report.site, report.hosts.len())
        }
        (_, "partial") => format!(
            "release {} of `{}` was not switched everywhere: switched back, a switch-back is owed (`amoe outbox run`)",
            report.release, report.site
        ),
        (_, "rolled back") => format!(
            "release {} of `{}` could not be switched on every host: every host serves what it served before",
            report.release, report.site
        ),
        _ => format!(
            "release {} of `{}` was not received by every host: nothing was switched",
            report.release, report.site
        ),
    };
    ctx.out.list(&report.hosts)?;
    for h in &report.hosts {
        for hook in &h.hooks {
            ctx.out.line(&format!(
                "hook on {} ({}): exit {}\n{}",
                h.host,
                hook.command.join(" "),
                hook.code.map_or_else(|| "none".into(), |c| c.to_string()),
                hook.output.trim_end()
            ))?;
        }
    }
    eprintln!("{what}");
    Ok(())
}

fn blank(hosts: &[Host]) -> Vec<HostDeploy> {
    hosts
        .iter()
        .map(|h| HostDeploy {
            host: h.name.to_string(),
            address: h.address.to_string(),
            received: false,
            switched: false,
            previous: None,
            hooks: Vec::new(),
            owed: false,
            error: None,
            ms: 0.0,
        })
        .collect()
}

/// The release the site's last complete deploy, switch or rollback left on every host.
fn last_everywhere(store: &Store, site: &str) -> Result<Option<String>> {
    use amoe_store::deploys::DeployReads;
    Ok(store.deploys(Some(site))?.into_iter().rev().find(|d| d.outcome == "ok" && d.kind != "stage").map(|d| d.release))
}

/// What each host serves now: what it says, or, for a host that does not answer, what the last
/// complete deploy left everywhere (its switch-back target).
fn previous_of(
    store: &Store,
    site: &str,
    lists: &BTreeMap<String, Result<Vec<amoe_proto::ReleaseInfo>, String>>,
) -> Result<BTreeMap<String, Option<String>>> {
    let fallback = last_everywhere(store, site)?;
    Ok(lists
        .iter()
        .map(|(h, r)| {
            let p = match r {
                Ok(v) => v.iter().find(|x| x.current).map(|x| x.id.clone()),
                Err(_) => fallback.clone(),
            };
            (h.clone(), p)
        })
        .collect())
}

pub(super) fn run(ctx: &mut Ctx, args: DeployArgs) -> Result<Exit> {
    match args.cmd {
        Some(DeployCmd::List { site }) => list(ctx, &site),
        Some(DeployCmd::Promote { site, from, id, message, flush, ticket, keep }) => {
            promote(ctx, &site, &from, &id, message, flush, ticket, keep)
        }
        Some(DeployCmd::Switch { site, id, keep }) => switch(ctx, &site, &id, keep, "switch"),
        Some(DeployCmd::Rollback { site, to, keep }) => rollback(ctx, &site, to, keep),
        None => {
            let (Some(site), Some(path)) = (args.site.clone(), args.path.clone()) else {
                return Err(Failure::usage("give the site and the folder to deploy").into());
            };
            send(ctx, &site, &path, &args)
        }
    }
}

/// The lock taken, `work` run, the record and the journal written, the lock given back.
fn locked(
    ctx: &mut Ctx,
    store: &mut Store,
    site: &str,
    record: Deploy,
    work: impl FnOnce(&mut Ctx, &mut Store) -> Result<DeployReport>,
) -> Result<DeployReport> {
    let holder = deploy::holder(&ctx.settings.operator);
    deploy::lock(store, site, &holder)?;
    let id = store.start_deploy(&record);
    let result = id.map_err(anyhow::Error::from).and_then(|id| {
        let r = work(ctx, store);
        match &r {
            Ok(report) => {
                store.end_deploy(id, report.sha256.as_deref(), &deploy::hosts_json(report), report.outcome())?
            }
            Err(e) => store.end_deploy(id, None, &serde_json::json!({}), &format!("failed: {e}"))?,
        }
        r
    });
    let _ = store.release_deploy_lock(site, &holder);
    let report = result?;
    let d = ctx.draft(&format!("deploy {}", record.kind), Some(format!("site:{site}")));
    store.journal(&d, &format!("{}: release {}", report.outcome(), report.release))?;
    Ok(report)
}

fn record(
    ctx: &Ctx,
    site: &str,
    kind: &str,
    release: &str,
    sha: Option<&str>,
    message: Option<&str>,
    ticket: Option<i64>,
) -> Deploy {
    Deploy {
        id: 0,
        site: site.to_string(),
        kind: kind.to_string(),
        release: release.to_string(),
        sha256: sha.map(str::to_string),
        operator: ctx.settings.operator.clone(),
        message: message.map(str::to_string),
        ticket,
        started_at: amoe_core::time::now_utc(),
        ended_at: None,
        hosts: serde_json::json!({}),
        outcome: "running".into(),
    }
}

/// How a bundle is shipped.
struct Ship<'a> {
    kind: &'a str,
    release: String,
    message: Option<String>,
    flush: bool,
    ticket: Option<i64>,
    keep: usize,
    dry_run: bool,
}

fn send(ctx: &mut Ctx, site_name: &str, path: &std::path::Path, args: &DeployArgs) -> Result<Exit> {
    let store = ctx.open()?;
    let b = match path.to_str().and_then(|p| p.strip_prefix("ticket:")) {
        Some(spec) => ticket_bundle(ctx, &store, spec)?,
        None => bundle::bundle(path, &path.to_string_lossy())?,
    };
    let ship = Ship {
        kind: if args.stage { "stage" } else { "deploy" },
        release: bundle::release_id(path),
        message: args.message.clone(),
        flush: args.flush,
        ticket: args.ticket,
        keep: args.keep,
        dry_run: args.dry_run,
    };
    drop(store);
    ship_bundle(ctx, site_name, &b, ship)
}

/// `amoe deploy promote SITE --from SITE2 ID`: the bundle fetched from a host of SITE2 that has
/// it, checked against its SHA-256, and deployed under the same id.
#[allow(clippy::too_many_arguments)]
fn promote(
    ctx: &mut Ctx,
    site_name: &str,
    from: &str,
    id: &str,
    message: Option<String>,
    flush: bool,
    ticket: Option<i64>,
    keep: usize,
) -> Result<Exit> {
    let store = ctx.open()?;
    let (_, source_hosts) = site_and_hosts(&store, from)?;
    let (client, _) = client(&ctx.settings)?;
    let lists = deploy::releases(&client, &source_hosts, from)?;
    let found = source_hosts.iter().find_map(|h| {
        lists
            .get(h.name.as_str())
            .and_then(|r| r.as_ref().ok())
            .and_then(|v| v.iter().find(|x| x.id == id))
            .map(|x| (h.clone(), x.sha256.clone(), x.meta.packed))
    });
    let Some((_, sha, packed)) = found else {
        return Err(Failure::new(format!("no host of `{from}` has release `{id}`"))
            .hint(format!("`amoe deploy list {from}` shows its releases"))
            .into());
    };
    // A host that can send the bundle as received: the one that kept an archive, or any for a
    // folder's canonical pack.
    let keeper = source_hosts.iter().find(|h| {
        lists
            .get(h.name.as_str())
            .and_then(|r| r.as_ref().ok())
            .is_some_and(|v| v.iter().any(|x| x.id == id && x.bundle))
    });
    let Some(host) = keeper.cloned() else {
        return Err(Failure::new(format!("no reachable host of `{from}` keeps the bundle of release `{id}`"))
            .hint(format!(
                "the host that kept it is down or left the site (`amoe deploy list {from}`); deploy the same files to `{site_name}` instead"
            ))
            .into());
    };
    let tmp = tempfile::Builder::new().prefix("amoe-promote").tempdir()?;
    let path = tmp.path().join("bundle");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (status, body) = rt
        .block_on(client.download(&host.address.to_string(), &format!("/v1/sites/{from}/releases/{id}/bundle"), &path))
        .map_err(|e| Failure::new(format!("cannot fetch release `{id}` from {}: {e}", host.name)))?;
    if status != 200 {
        return Err(Failure::new(format!(
            "{} refused release `{id}`: HTTP {status}: {}",
            host.name,
            crate::fleet::client::error_message(&body)
        ))
        .into());
    }
    let b = bundle::fetched(tmp, path, &sha, packed)?;
    drop(store);
    let ship = Ship { kind: "promote", release: id.to_string(), message, flush, ticket, keep, dry_run: false };
    ship_bundle(ctx, site_name, &b, ship)
}

fn ship_bundle(ctx: &mut Ctx, site_name: &str, b: &bundle::Bundle, ship: Ship<'_>) -> Result<Exit> {
    let mut store = ctx.open()?;
    let (site, hosts) = site_and_hosts(&store, site_name)?;
    if let Some(t) = ship.ticket
        && store.ticket(t)?.is_none()
    {
        return Err(Failure::new(format!("no ticket #{t}")).into());
    }
    let (client, caller) = client(&ctx.settings)?;
    if !caller.role.allows(amoe_pki::Action::Deploy) {
        return Err(Failure::new(format!("`{}` (role {}) may not deploy", caller.name, caller.role)).into());
    }
    let (kind, release) = (ship.kind, ship.release.clone());
    let mut report = DeployReport {
        site: site.name.to_string(),
        kind: kind.into(),
        release: release.clone(),
        sha256: b.sha256.clone(),
        size: None,
        files: None,
        dry_run: ship.dry_run,
        received: false,
        switched: false,
        rolled_back: false,
        hosts: blank(&hosts),
        total_ms: 0.0,
    };
    if ship.dry_run {
        // Made and hashed as a deploy would send it, sent nowhere.
        if let Some(sent) = b.send(Vec::new())? {
            (report.sha256, report.size, report.files) = (Some(sent.sha256), Some(sent.size), sent.files);
        }
        render(ctx, &report)?;
        return Ok(Exit::Success);
    }
    let started = Instant::now();
    let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let rec = record(ctx, site_name, kind, &release, b.sha256.as_deref(), ship.message.as_deref(), ship.ticket);
    let (keep, flush, message) = (ship.keep, ship.flush, ship.message.clone());
    let report = locked(ctx, &mut store, site_name, rec, |ctx, store| {
        let lists = deploy::releases(&client, &hosts, site_name)?;
        let previous = previous_of(store, site_name, &lists)?;
        // A host that has this very release already (a promotion sent again) is not sent it.
        let has = |h: &Host| {
            lists.get(h.name.as_str()).and_then(|r| r.as_ref().ok()).is_some_and(|v| {
                v.iter().any(|x| x.id == release && b.sha256.as_ref().is_some_and(|s| x.sha256.eq_ignore_ascii_case(s)))
            })
        };
        let missing: Vec<Host> = hosts.iter().filter(|h| !has(h)).cloned().collect();
        for row in report.hosts.iter_mut() {
            row.previous = previous.get(&row.host).cloned().flatten();
            row.received = !missing.iter().any(|h| h.name.as_str() == row.host);
        }
        let meta = amoe_proto::ReleaseMeta { by: caller.name.clone(), message, packed: b.packed };
        let (uploads, sent) = if missing.is_empty() {
            (Vec::new(), Ok(None))
        } else {
            deploy::upload_all(&client, &missing, site_name, &release, b, &meta, progress)?
        };
        for (h, r, t) in uploads {
            if let Some(row) = report.hosts.iter_mut().find(|x| x.host == h.name.as_str()) {
                row.ms = t;
                match r {
                    Ok(info) => {
                        row.received = true;
                        report.sha256.get_or_insert(info.sha256);
                    }
                    Err(e) => row.error = Some(format!("upload: {e}")),
                }
            }
        }
        // A bundle that could not be made whole reached no host whole: the reason is the
        // answer.
        if let Some(sent) = sent? {
            (report.sha256, report.size, report.files) = (Some(sent.sha256), Some(sent.size), sent.files);
        }
        report.received = report.hosts.iter().all(|h| h.received);
        if report.received && kind != "stage" {
            let draft = ctx.draft("deploy", Some(format!("site:{site_name}")));
            deploy::switch_all(store, &client, &caller, &draft, site_name, &release, &previous, keep, &mut report)?;
            if report.switched && flush {
                flush_site(ctx, store, site_name, &hosts)?;
            }
        }
        report.total_ms = (started.elapsed().as_secs_f64() * 1e5).round() / 100.0;
        Ok(report)
    })?;
    note_on_ticket(ctx, &mut store, ship.ticket, &report)?;
    render(ctx, &report)?;
    Ok(exit_of(&report))
}

/// `ticket:N:FILE`: a bundle deposited on ticket N (003 §4.1.4.3), if the operator's account
/// may read the ticket.
fn ticket_bundle(ctx: &Ctx, store: &Store, spec: &str) -> Result<bundle::Bundle> {
    let bad = || Failure::usage(format!("`ticket:{spec}` is not TICKET:FILE (ticket:42:site.tar.gz)"));
    let (n, file) = spec.split_once(':').ok_or_else(bad)?;
    let id: i64 = n.parse().map_err(|_| bad())?;
    let who = crate::ops::tickets::acting(store, &ctx.settings.operator, None)?;
    crate::ops::tickets::show(store, &who, id)?;
    let (_, sha, _) = store.attachments(id)?.into_iter().find(|(name, _, _)| name == file).ok_or_else(|| {
        Failure::new(format!("ticket #{id} has no attachment `{file}`"))
            .hint(format!("`amoe ticket show {id}` lists them"))
    })?;
    let bytes = crate::ops::tickets::attachment_bytes(store, ctx.settings.beside_store(), &sha)?;
    bundle::from_attachment(&bytes, file, &sha)
}

fn flush_site(ctx: &Ctx, store: &mut Store, site: &str, hosts: &[Host]) -> Result<()> {
    let req = amoe_proto::FlushRequest { all: true, soft: true, ..Default::default() };
    let body = serde_json::to_string(&req)?;
    let path = format!("/v1/sites/{site}/flush");
    let op = Operation { command: "deploy --flush", site, hosts, dry_run: false, timing: false };
    let r = queue_and_deliver(
        store,
        &ctx.settings,
        ctx.draft("deploy --flush", Some(format!("site:{site}"))),
        &op,
        |_, caller| {
            Ok(crate::fleet::items_for(
                hosts,
                caller,
                Some(site),
                amoe_store::outbox::ItemKind::Flush,
                "POST",
                &path,
                Some(&body),
            ))
        },
    )?;
    if r.failed() > 0 {
        eprintln!("warning: the purge after the switch waits in the outbox for {} host(s)", r.failed());
    }
    Ok(())
}

fn note_on_ticket(ctx: &Ctx, store: &mut Store, ticket: Option<i64>, report: &DeployReport) -> Result<()> {
    let Some(id) = ticket else { return Ok(()) };
    let who = crate::ops::tickets::acting(store, &ctx.settings.operator, None)?;
    let text = format!(
        "{} of release {} of site {}: {} ({} hosts)",
        report.kind,
        report.release,
        report.site,
        report.outcome(),
        report.hosts.len()
    );
    crate::ops::tickets::comment(
        store,
        &who,
        &ctx.draft("ticket comment", Some(format!("#{id}"))),
        id,
        &text,
        None,
        None,
    )?;
    Ok(())
}

fn switch(ctx: &mut Ctx, site_name: &str, id: &str, keep: usize, kind: &str) -> Result<Exit> {
    let mut store = ctx.open()?;
    let (_, hosts) = site_and_hosts(&store, site_name)?;
    let (client, caller) = client(&ctx.settings)?;
    let lists = deploy::releases(&client, &hosts, site_name)?;
    // An unknown release: exit 1, listing the ones there are. A host that does not answer is
    // tried in phase two (and switched back with the others if it cannot switch).
    let answered = lists.values().filter(|r| r.is_ok()).count();
    if answered == 0 {
        return Err(Failure::new(format!("no host of `{site_name}` answered"))
            .hint("check them with `amoe host status`")
            .into());
    }
    let missing: Vec<&String> =
        lists.iter().filter(|(_, r)| r.as_ref().is_ok_and(|v| !v.iter().any(|x| x.id == id))).map(|(h, _)| h).collect();
    if !missing.is_empty() {
        let mut known: Vec<String> = lists.values().flatten().flatten().map(|x| x.id.clone()).collect();
        known.sort();
        known.dedup();
        return Err(Failure::new(format!(
            "release `{id}` of `{site_name}` is not on every host (missing on {})",
            missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        ))
        .hint(if known.is_empty() {
            "no release was sent: `amoe deploy SITE PATH`".into()
        } else {
            format!("releases there: {}", known.join(", "))
        })
        .into());
    }
    let previous = previous_of(&store, site_name, &lists)?;
    let sha = lists.values().flatten().flatten().find(|x| x.id == id).map(|x| x.sha256.clone());
    let mut report = DeployReport {
        site: site_name.to_string(),
        kind: kind.into(),
        release: id.to_string(),
        sha256: sha.clone(),
        size: None,
        files: None,
        dry_run: false,
        received: true,
        switched: false,
        rolled_back: false,
        hosts: blank(&hosts),
        total_ms: 0.0,
    };
    for h in &mut report.hosts {
        h.received = true;
    }
    let started = Instant::now();
    let rec = record(ctx, site_name, kind, id, sha.as_deref(), None, None);
    let report = locked(ctx, &mut store, site_name, rec, |ctx, store| {
        let draft = ctx.draft(&format!("deploy {kind}"), Some(format!("site:{site_name}")));
        deploy::switch_all(store, &client, &caller, &draft, site_name, id, &previous, keep, &mut report)?;
        report.total_ms = (started.elapsed().as_secs_f64() * 1e5).round() / 100.0;
        Ok(report)
    })?;
    render(ctx, &report)?;
    Ok(exit_of(&report))
}

fn rollback(ctx: &mut Ctx, site_name: &str, to: Option<String>, keep: usize) -> Result<Exit> {
    let target = match to {
        Some(t) => t,
        None => {
            let store = ctx.open()?;
            let (_, hosts) = site_and_hosts(&store, site_name)?;
            let (client, _) = client(&ctx.settings)?;
            let lists = deploy::releases(&client, &hosts, site_name)?;
            // The release last made current before the current one, on the first host that answers.
            let list = lists.values().find_map(|r| r.as_ref().ok()).cloned().unwrap_or_default();
            let mut before: Vec<&amoe_proto::ReleaseInfo> =
                list.iter().filter(|r| !r.current && r.switched_at.is_some()).collect();
            before.sort_by(|a, b| a.switched_at.cmp(&b.switched_at));
            before.last().map(|r| r.id.clone()).ok_or_else(|| {
                Failure::new(format!("`{site_name}` has no earlier release to go back to"))
                    .hint("`amoe deploy list SITE` shows the releases; `--to ID` names one")
            })?
        }
    };
    switch(ctx, site_name, &target, keep, "rollback")
}

/// A release as `deploy list` shows it, across hosts.
#[derive(Debug, serde::Serialize)]
struct ReleaseRow {
    id: String,
    sha256: String,
    size: u64,
    files: u64,
    received_at: String,
    by: String,
    message: Option<String>,
    /// Hosts that have it.
    hosts: Vec<String>,
    /// Hosts where it is current.
    current_on: Vec<String>,
    /// Hosts that keep its bundle (one, for `deploy promote`).
    bundle_on: Vec<String>,
    /// Never made current anywhere.
    staged: bool,
}

impl Tabular for ReleaseRow {
    const HEADERS: &'static [&'static str] =
        &["release", "current_on", "staged", "hosts", "received", "by", "message", "sha256"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::list(&self.current_on),
            Cell::text(if self.staged { "yes" } else { "no" }),
            Cell::list(&self.hosts),
            Cell::text(&self.received_at),
            Cell::text(&self.by),
            Cell::text(self.message.as_deref().unwrap_or_default()),
            Cell::text(&self.sha256),
        ]
    }
}

fn list(ctx: &mut Ctx, site_name: &str) -> Result<Exit> {
    let store = ctx.open()?;
    let (_, hosts) = site_and_hosts(&store, site_name)?;
    let (client, _) = client(&ctx.settings)?;
    let mut rows: BTreeMap<String, ReleaseRow> = BTreeMap::new();
    let mut failed = 0;
    for (host, r) in deploy::releases(&client, &hosts, site_name)? {
        match r {
            Ok(v) => {
                for x in v {
                    let row = rows.entry(x.id.clone()).or_insert_with(|| ReleaseRow {
                        id: x.id.clone(),
                        sha256: x.sha256.clone(),
                        size: x.size,
                        files: x.files,
                        received_at: x.received_at.clone(),
                        by: x.meta.by.clone(),
                        message: x.meta.message.clone(),
                        hosts: Vec::new(),
                        current_on: Vec::new(),
                        bundle_on: Vec::new(),
                        staged: true,
                    });
                    row.hosts.push(host.clone());
                    if x.bundle {
                        row.bundle_on.push(host.clone());
                    }
                    if x.current {
                        row.current_on.push(host.clone());
                    }
                    row.staged &= x.switched_at.is_none();
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("warning: {host}: {e}");
            }
        }
    }
    ctx.out.list(&rows.into_values().collect::<Vec<_>>())?;
    Ok(Exit::of_hosts(failed, hosts.len()))
}
