//! Hosts: add, update, remove.

use amoe_core::{Host, HostAddress, Name};
use amoe_store::hosts::HostReads;
use amoe_store::{AuditDraft, Store};
use anyhow::Result;

fn location(raw: Option<&str>) -> Option<String> {
    raw.map(str::trim).filter(|l| !l.is_empty()).map(str::to_string)
}

pub fn add(store: &mut Store, draft: &AuditDraft, name: &str, address: &str, loc: Option<&str>) -> Result<Host> {
    store.mutate(draft, |tx| {
        let host = Host { name: name.parse()?, address: address.parse()?, location: location(loc) };
        tx.add_host(&host)?;
        Ok(host)
    })
}

pub fn update(
    store: &mut Store,
    draft: &AuditDraft,
    name: &str,
    address: Option<&str>,
    loc: Option<&str>,
    clear_location: bool,
) -> Result<Host> {
    store.mutate(draft, |tx| {
        let mut host = tx.host(&name.parse::<Name>()?)?;
        if let Some(a) = address {
            host.address = a.parse::<HostAddress>()?;
        }
        if clear_location {
            host.location = None;
        } else if loc.is_some() {
            host.location = location(loc);
        }
        tx.update_host(&host)?;
        Ok(host)
    })
}

/// Removes a host, and drops what the outbox still owed it (journaled on its own line with
/// the ids and kinds): a host that is gone must not block `amoe outbox run`.
pub fn remove(store: &mut Store, draft: &AuditDraft, name: &str) -> Result<Name> {
    store.mutate(draft, |tx| {
        let name: Name = name.parse()?;
        tx.remove_host(&name)?;
        let dropped = tx.drop_host_items(name.as_str())?;
        if !dropped.is_empty() {
            let list: Vec<String> = dropped.iter().map(|i| format!("{} {}", i.id, i.kind)).collect();
            let outbox =
                AuditDraft { command: "outbox drop".into(), target: Some(format!("host:{name}")), ..draft.clone() };
            tx.journal(
                &outbox,
                &format!("ok: {} items owed to the removed host dropped: {}", dropped.len(), list.join(", ")),
            )?;
        }
        Ok(name)
    })
}
