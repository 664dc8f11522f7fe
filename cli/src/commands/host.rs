//! `amoe host add|list|show|update|remove|enroll|renew` (the certificates: [`super::ca`]).

use super::Ctx;
use crate::cli::HostCmd;
use crate::error::Exit;
use crate::ops::host as ops;
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
        HostCmd::Status { name, pending: true } => return super::fleet::pending(ctx, name.as_deref()),
        HostCmd::Status { name, pending: false } => return super::fleet::status(ctx, name.as_deref()),
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
