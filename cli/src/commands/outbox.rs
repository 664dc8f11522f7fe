//! `amoe outbox list|run|metrics|drop`: what hosts are still owed, delivered by cron, watched
//! by monitoring, or dropped by hand.

use super::Ctx;
use super::fleet::render;
use crate::cli::OutboxCmd;
use crate::error::{Exit, Failure};
use crate::fleet::FleetReport;
use crate::ops::fleet::{self as ops, HostBacklog};
use crate::output::{Cell, Format, Tabular};
use amoe_store::hosts::HostReads;
use amoe_store::outbox::{OutboxItem, OutboxReads};
use anyhow::Result;

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

pub(super) fn run(ctx: &mut Ctx, cmd: OutboxCmd) -> Result<Exit> {
    let mut store = ctx.open()?;
    match cmd {
        OutboxCmd::List => {
            ctx.out.list(&store.outbox(None)?)?;
            Ok(Exit::Success)
        }
        OutboxCmd::Run { all } => {
            let draft = ctx.draft("outbox run", None);
            let run = ops::outbox_run(&mut store, &ctx.settings, &draft, all)?;
            for (host, n) in &run.dropped {
                eprintln!("warning: dropped {n} items owed to `{host}`, which is no longer a host");
            }
            match run.report {
                Some(report) => render(ctx, &report, false),
                None if ctx.out.format == Format::Table => {
                    ctx.out.line("nothing owed")?;
                    Ok(Exit::Success)
                }
                None => {
                    let empty = FleetReport {
                        operation: "outbox run".into(),
                        site: None,
                        dry_run: false,
                        hosts: vec![],
                        total_ms: 0.0,
                    };
                    ctx.out.json(&empty)?;
                    Ok(Exit::Success)
                }
            }
        }
        OutboxCmd::Metrics { out } => {
            let hosts: Vec<String> = store.hosts()?.into_iter().map(|h| h.name.to_string()).collect();
            let rows = ops::backlog(&hosts, &store.outbox(None)?, jiff::Timestamp::now());
            match out {
                // Prometheus' format unless another one is asked for.
                None if ctx.settings.output_explicit => ctx.out.list(&rows)?,
                None => ctx.out.line(ops::prometheus(&rows).trim_end())?,
                Some(path) => {
                    crate::ops::replace_file(&path, ops::prometheus(&rows).as_bytes(), 0o644).map_err(|e| {
                        Failure::new(format!("cannot write `{}`: {e}", path.display()))
                            .hint("check that the folder exists and is writable")
                    })?
                }
            }
            Ok(Exit::Success)
        }
        OutboxCmd::Drop { ids } => {
            let dropped = ops::drop_items(&mut store, &ctx.draft("outbox drop", None), &ids)?;
            ctx.out.list(&dropped)?;
            Ok(Exit::Success)
        }
    }
}

impl Tabular for HostBacklog {
    const HEADERS: &'static [&'static str] = &["host", "pending", "parked", "oldest_age_s", "attempts_max"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.host),
            Cell::text(self.pending),
            Cell::text(self.parked),
            Cell::text(self.oldest_age_seconds),
            Cell::text(self.attempts_max),
        ]
    }
}
