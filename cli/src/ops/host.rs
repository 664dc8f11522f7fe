//! Hosts: add, update, remove; what they owe (`host status --pending`) and say (`host status`).

use amoe_core::{Host, HostAddress, Name};
use amoe_store::hosts::HostReads;
use amoe_store::outbox::{OutboxItem, OutboxReads};
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

/// Hosts by name, or every host.
fn chosen(store: &Store, name: Option<&str>) -> Result<Vec<Host>> {
    Ok(match name {
        Some(n) => vec![store.host(&n.parse::<Name>()?)?],
        None => store.hosts()?,
    })
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

/// `amoe host status --pending`: what each host still owes, from the store only.
pub fn pending(store: &Store, name: Option<&str>) -> Result<Vec<HostPending>> {
    let items = store.outbox(None)?;
    Ok(chosen(store, name)?
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
        .collect())
}

/// One host's answer to `status`.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct HostStatus {
    pub host: String,
    pub address: String,
    pub status: Option<amoe_proto::Status>,
    pub error: Option<String>,
}

/// `amoe host status`: each host's own answer (read-only, straight to the agents), by name.
pub fn status(store: &Store, settings: &crate::settings::Settings, name: Option<&str>) -> Result<Vec<HostStatus>> {
    let hosts = chosen(store, name)?;
    let (client, _) = super::fleet::client(settings)?;
    let asks = hosts.into_iter().map(|h| ((), h, "/v1/status".to_string())).collect();
    let mut rows: Vec<HostStatus> = crate::fleet::ask_all(&client, asks)?
        .into_iter()
        .map(|((), h, r)| {
            let (status, error) = match r {
                Ok(a) if a.status == 200 => (serde_json::from_slice::<amoe_proto::Status>(&a.body).ok(), None),
                Ok(a) => (None, Some(format!("HTTP {}: {}", a.status, crate::fleet::client::error_message(&a.body)))),
                Err(e) => (None, Some(e.to_string())),
            };
            HostStatus { host: h.name.to_string(), address: h.address.to_string(), status, error }
        })
        .collect();
    rows.sort_by(|a, b| a.host.cmp(&b.host));
    Ok(rows)
}
