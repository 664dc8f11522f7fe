//! `amoe host add|list|show|update|remove|enroll|renew` (the certificates: [`super::ca`]).

use super::Ctx;
use crate::cli::HostCmd;
use crate::error::Exit;
use crate::ops::host::{self as ops, HostPending, HostStatus};
use crate::output::{Cell, Tabular};
use amoe_core::{Host, Name};
use amoe_store::hosts::HostReads;
use anyhow::Result;

impl Tabular for Host {
    const HEADERS: &'static [&'static str] = &["name", "address", "location"];
    fn cells(&self) -> Vec<Cell> {
        vec![Cell::text(&self.name), Cell::text(&self.address), Cell::opt(self.location.as_deref())]
    }
}

pub(super) fn run(ctx: &mut Ctx, cmd: HostCmd) -> Result<Exit> {
    let target = |s: &str| Some(format!("host:{s}"));
    match cmd {
        HostCmd::Add { name, address, location } => {
            let mut store = ctx.open()?;
            let h = ops::add(&mut store, &ctx.draft("host add", target(&name)), &name, &address, location.as_deref())?;
            ctx.out.done(&format!("added host `{}` at {}", h.name, h.address), &h)?;
        }
        HostCmd::List => {
            let store = ctx.open()?;
            ctx.out.list(&store.hosts()?)?;
        }
        HostCmd::Show { name } => {
            let store = ctx.open()?;
            ctx.out.show(&store.host(&name.parse::<Name>()?)?)?;
        }
        HostCmd::Update { name, address, location, clear_location } => {
            let mut store = ctx.open()?;
            let draft = ctx.draft("host update", target(&name));
            let h = ops::update(&mut store, &draft, &name, address.as_deref(), location.as_deref(), clear_location)?;
            ctx.out.done(&format!("updated host `{}`", h.name), &h)?;
        }
        HostCmd::Status { name, pending: true } => {
            let store = ctx.open()?;
            ctx.out.list(&ops::pending(&store, name.as_deref())?)?;
        }
        HostCmd::Status { name, pending: false } => return status(ctx, name.as_deref()),
        HostCmd::Remove { name, yes } => {
            let mut store = ctx.open()?;
            ctx.confirm(&format!("remove host `{name}`"), yes)?;
            let n = ops::remove(&mut store, &ctx.draft("host remove", target(&name)), &name)?;
            ctx.out.line(&format!("removed host `{n}`"))?;
        }
        HostCmd::Enroll { name, out, days } => return super::ca::enroll(ctx, &name, out.as_deref(), days, false),
        HostCmd::Renew { name, out, days } => return super::ca::enroll(ctx, &name, out.as_deref(), days, true),
    }
    Ok(Exit::Success)
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

/// `amoe host status`, then warnings about the hosts' revocation lists.
fn status(ctx: &mut Ctx, name: Option<&str>) -> Result<Exit> {
    let store = ctx.open()?;
    let rows = ops::status(&store, &ctx.settings, name)?;
    let failed = rows.iter().filter(|r| r.error.is_some()).count();
    ctx.out.list(&rows)?;
    warn_about_revocation_lists(&rows);
    Ok(Exit::of_hosts(failed, rows.len()))
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
