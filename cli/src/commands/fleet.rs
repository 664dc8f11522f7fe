//! Rendering what the fleet did: `amoe flush`, and the shared way every command that changes
//! what hosts serve (site push and rules, certificates, inventory changes) runs and prints its
//! operation. The work is in `crate::ops::fleet`; delivery in `crate::fleet`.

use super::Ctx;
use crate::cli::FlushArgs;
use crate::error::{Exit, Failure};
use crate::fleet::{self, Caller, FleetReport, HostResult};
use crate::ops::fleet as ops;
use crate::output::{Cell, Format, Tabular};
use amoe_proto::FlushRequest;
use amoe_store::outbox::NewOutboxItem;
use amoe_store::{Store, Tx};
use anyhow::Result;

pub(super) use ops::{Operation, client, inventory_caller, site_and_hosts};

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
    if op.dry_run {
        let items = ops::rehearse(store, &ctx.settings, &op, prepare)?;
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
    let draft = ctx.draft(op.command, Some(format!("site:{}", op.site)));
    let report = ops::queue_and_deliver(store, &ctx.settings, draft, &op, prepare)?;
    render(ctx, &report, op.timing)
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
    let draft = ctx.draft(command, Some(format!("site:{site}")));
    let report = ops::deliver_queued(store, &ctx.settings, draft, command, site, ids)?;
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

pub(super) fn render(ctx: &mut Ctx, report: &FleetReport, timing: bool) -> Result<Exit> {
    match ctx.out.format {
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
    ops::check_flush_targets(&site, &args.urls, &args.prefixes)?;
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
