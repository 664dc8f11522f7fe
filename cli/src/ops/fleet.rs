//! The fleet's operations, apart from printing: who a command acts as, the queue-and-deliver
//! of a change (store change, items and audit entry in one transaction, then delivery and the
//! outcome per host journaled), the outbox's own verbs, and the backlog as metrics. The
//! delivery engine itself is `crate::fleet`; the commands render what these return.

use crate::error::Failure;
use crate::fleet::client::{Client, Credentials};
use crate::fleet::{self, Caller, FleetReport};
use crate::settings::Settings;
use amoe_core::{Host, Name, Site};
use amoe_store::hosts::HostReads;
use amoe_store::outbox::{NewOutboxItem, OutboxItem, OutboxReads};
use amoe_store::sites::SiteReads;
use amoe_store::{AuditDraft, Store, Tx};
use anyhow::Result;
use std::time::{Duration, Instant};

/// The client for the control API, and who it acts as (its certificate's name and role),
/// from the settings.
pub fn client(settings: &Settings) -> Result<(Client, Caller)> {
    let need = |what: &str, var: &str, key: &str| {
        Failure::new(format!("no {what} for the hosts' control API")).hint(format!(
            "set `{var}` or `{key}` in the configuration file (issue one with `amoe ca issue NAME --role operator`)"
        ))
    };
    let cert =
        settings.client_cert.clone().ok_or_else(|| need("client certificate", "AMOE_CLIENT_CERT", "client_cert"))?;
    let key = settings.client_key.clone().ok_or_else(|| need("client key", "AMOE_CLIENT_KEY", "client_key"))?;
    let ca_dir = settings.ca_dir.clone().ok_or_else(|| Failure::new("no CA directory").hint("set `AMOE_CA_DIR`"))?;
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
pub fn inventory_caller(settings: &Settings) -> Result<Option<Caller>> {
    if settings.client_cert.is_none() {
        return Ok(None);
    }
    Ok(Some(client(settings)?.1))
}

/// How long a host may take to answer: `AMOE_HOST_TIMEOUT_MS`, default 10 s.
fn host_timeout() -> Duration {
    std::env::var("AMOE_HOST_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(10), Duration::from_millis)
}

/// The site and its hosts.
pub fn site_and_hosts(store: &Store, name: &str) -> Result<(Site, Vec<Host>)> {
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
#[derive(Debug)]
pub struct Operation<'a> {
    pub command: &'a str,
    pub site: &'a str,
    pub hosts: &'a [Host],
    pub dry_run: bool,
    pub timing: bool,
}

/// Refuses what `caller`'s role may not ask of a host, before anything is queued.
pub fn check_role(caller: &Caller, items: &[NewOutboxItem], command: &str) -> Result<()> {
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

/// Makes the store change and queues the items `prepare` returns in one transaction with the
/// audit entry (`draft`, completed with the client certificate), delivers at once, and
/// journals the outcome per host. The role is checked before anything is queued.
pub fn queue_and_deliver(
    store: &mut Store,
    settings: &Settings,
    mut draft: AuditDraft,
    op: &Operation<'_>,
    prepare: impl FnOnce(&Tx<'_>, &Caller) -> Result<Vec<NewOutboxItem>>,
) -> Result<FleetReport> {
    let (client, caller) = client(settings)?;
    let started = Instant::now();
    draft.identity = Some(caller.identity());
    let fresh = store.mutate(&draft, |tx| -> Result<Vec<String>> {
        let items = prepare(tx, &caller)?;
        check_role(&caller, &items, op.command)?;
        for item in &items {
            tx.enqueue(item)?;
        }
        Ok(items.into_iter().map(|i| i.id).collect())
    })?;
    let run = fleet::Run { operation: op.command, site: Some(op.site), fresh: Some(&fresh) };
    let report = fleet::deliver(store, &client, &caller, op.hosts, started, run)?;
    fleet::journal_delivery(store, &draft, &report)?;
    Ok(report)
}

/// What `prepare` would queue, rehearsed and rolled back: as the configured certificate (its
/// role checked), or as an operator when none is configured.
pub fn rehearse(
    store: &mut Store,
    settings: &Settings,
    op: &Operation<'_>,
    prepare: impl FnOnce(&Tx<'_>, &Caller) -> Result<Vec<NewOutboxItem>>,
) -> Result<Vec<NewOutboxItem>> {
    let caller = match &settings.client_cert {
        Some(_) => Some(client(settings)?.1),
        None => None,
    };
    let as_operator = Caller::rehearsal(&settings.operator);
    let items = store.rehearse(|tx| prepare(tx, caller.as_ref().unwrap_or(&as_operator)))?;
    if let Some(c) = &caller {
        check_role(c, &items, op.command)?;
    }
    Ok(items)
}

/// Delivers, at once, what an inventory command just queued (`ids`) to the hosts they are
/// for; the outcome per host is journaled beside `draft`.
pub fn deliver_queued(
    store: &mut Store,
    settings: &Settings,
    mut draft: AuditDraft,
    command: &str,
    site: &str,
    ids: &[String],
) -> Result<FleetReport> {
    let mut names: Vec<String> =
        store.outbox(None)?.into_iter().filter(|i| ids.contains(&i.id)).map(|i| i.host).collect();
    names.sort();
    names.dedup();
    let hosts = names.iter().map(|n| Ok(store.host(&n.parse::<Name>()?)?)).collect::<Result<Vec<Host>>>()?;
    let (client, caller) = client(settings)?;
    let run = fleet::Run { operation: command, site: Some(site), fresh: Some(ids) };
    let report = fleet::deliver(store, &client, &caller, &hosts, Instant::now(), run)?;
    draft.identity = Some(caller.identity());
    fleet::journal_delivery(store, &draft, &report)?;
    Ok(report)
}

/// What `outbox run` did: the delivery (none when nothing was due) and the items dropped
/// because their host left the inventory (host, item count).
#[derive(Debug)]
pub struct OutboxRun {
    pub report: Option<FleetReport>,
    pub dropped: Vec<(String, usize)>,
}

/// `amoe outbox run`: every host whose first owed item is due (or every host owing something,
/// with `all`) gets its queue, in order. Items owed to a host no longer in the inventory are
/// dropped with an audit entry, so that they cannot stall the run.
pub fn outbox_run(store: &mut Store, settings: &Settings, draft: &AuditDraft, all: bool) -> Result<OutboxRun> {
    let now = amoe_core::time::now_utc();
    // A host is due when the first operation it owes is; parked items are out of the queue.
    let mut owed = store.outbox(None)?;
    owed.retain(|i| i.parked_at.is_none());
    let mut seen = std::collections::HashSet::new();
    owed.retain(|i| seen.insert(i.host.clone()));
    owed.retain(|i| all || i.next_attempt_at <= now);
    let mut names: Vec<String> = owed.iter().map(|i| i.host.clone()).collect();
    names.sort();
    names.dedup();
    let mut hosts = Vec::new();
    let mut dropped = Vec::new();
    for n in &names {
        match n.parse::<Name>().map(|name| store.host(&name)) {
            Ok(Ok(h)) => hosts.push(h),
            Ok(Err(amoe_store::Error::NotFound { .. })) | Err(_) => {
                let ids: Vec<String> = store
                    .outbox(Some(std::slice::from_ref(n)))?
                    .iter()
                    .map(|i| format!("{} {}", i.id, i.kind))
                    .collect();
                let d =
                    AuditDraft { command: "outbox drop".into(), target: Some(format!("host:{n}")), ..draft.clone() };
                store.mutate(&d, |tx| tx.drop_host_items(n))?;
                store.journal(
                    &d,
                    &format!("ok: {} items owed to a host no longer in the inventory: {}", ids.len(), ids.join(", ")),
                )?;
                dropped.push((n.clone(), ids.len()));
            }
            Ok(Err(e)) => return Err(e.into()),
        }
    }
    if hosts.is_empty() {
        return Ok(OutboxRun { report: None, dropped });
    }
    let (client, caller) = client(settings)?;
    let report = fleet::deliver(
        store,
        &client,
        &caller,
        &hosts,
        Instant::now(),
        fleet::Run { operation: "outbox run", site: None, fresh: None },
    )?;
    let delivered: usize = report.hosts.iter().map(|h| h.delivered).sum();
    let pending: usize = report.hosts.iter().map(|h| h.pending).sum();
    let mut d = draft.clone();
    d.identity = Some(caller.identity());
    store.journal(&d, &format!("ok: {delivered} delivered, {pending} still owed"))?;
    Ok(OutboxRun { report: Some(report), dropped })
}

/// `amoe outbox drop`: the items removed, all or none (an unknown id refuses the lot).
pub fn drop_items(store: &mut Store, draft: &AuditDraft, ids: &[String]) -> Result<Vec<OutboxItem>> {
    store.mutate(draft, |tx| -> Result<Vec<OutboxItem>> {
        let mut dropped = Vec::new();
        for id in ids {
            let item = tx.drop_outbox_item(id)?.ok_or_else(|| {
                Failure::new(format!("no outbox item `{id}`"))
                    .hint("`amoe outbox list` shows them; nothing was dropped")
            })?;
            dropped.push(item);
        }
        Ok(dropped)
    })
}

/// Flush targets that can match nothing are usage errors: a prefix is a path (`/static`), a URL
/// is a path or an http(s) URL on a domain of the site.
pub fn check_flush_targets(site: &Site, urls: &[String], prefixes: &[String]) -> Result<()> {
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

/// What one host owes (`amoe outbox metrics`).
#[derive(Debug, Default, serde::Serialize, schemars::JsonSchema)]
pub struct HostBacklog {
    pub host: String,
    /// Operations still to deliver.
    pub pending: u64,
    /// Operations refused for good (`amoe outbox drop` removes them).
    pub parked: u64,
    /// Age of the oldest operation still to deliver, in seconds (0 when none).
    pub oldest_age_seconds: u64,
    /// When the oldest operation still to deliver was queued, in Unix seconds (0 when none):
    /// `time() - amoe_outbox_oldest_created_timestamp_seconds` keeps ageing in a file that
    /// stopped being rewritten.
    pub oldest_created_timestamp_seconds: i64,
    /// Most delivery attempts of an operation still to deliver.
    pub attempts_max: i64,
}

/// The backlog per host: every host of the inventory (zeros when it owes nothing, so that an
/// alert sees the series), then hosts that only the outbox still names.
pub fn backlog(hosts: &[String], items: &[OutboxItem], now: jiff::Timestamp) -> Vec<HostBacklog> {
    use std::collections::BTreeMap;
    let mut by_host: BTreeMap<&str, HostBacklog> =
        hosts.iter().map(|h| (h.as_str(), HostBacklog { host: h.clone(), ..HostBacklog::default() })).collect();
    for i in items {
        let b = by_host
            .entry(i.host.as_str())
            .or_insert_with(|| HostBacklog { host: i.host.clone(), ..HostBacklog::default() });
        if i.parked_at.is_some() {
            b.parked += 1;
            continue;
        }
        b.pending += 1;
        b.attempts_max = b.attempts_max.max(i.attempts);
        if let Ok(t) = i.created_at.parse::<jiff::Timestamp>() {
            b.oldest_age_seconds = b.oldest_age_seconds.max(now.duration_since(t).as_secs().max(0) as u64);
            let created = t.as_second();
            if b.oldest_created_timestamp_seconds == 0 || created < b.oldest_created_timestamp_seconds {
                b.oldest_created_timestamp_seconds = created;
            }
        }
    }
    by_host.into_values().collect()
}

/// The backlog in Prometheus' text format (for node_exporter's textfile collector).
pub fn prometheus(rows: &[HostBacklog]) -> String {
    use std::fmt::Write;
    let label = |h: &str| h.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    let mut t = String::new();
    let _ = writeln!(t, "# HELP amoe_outbox_items Operations a host owes (pending) or refused for good (parked).");
    let _ = writeln!(t, "# TYPE amoe_outbox_items gauge");
    for b in rows {
        let _ = writeln!(t, "amoe_outbox_items{{host=\"{}\",state=\"pending\"}} {}", label(&b.host), b.pending);
        let _ = writeln!(t, "amoe_outbox_items{{host=\"{}\",state=\"parked\"}} {}", label(&b.host), b.parked);
    }
    let _ = writeln!(t, "# HELP amoe_outbox_oldest_age_seconds Age of the oldest operation a host still owes.");
    let _ = writeln!(t, "# TYPE amoe_outbox_oldest_age_seconds gauge");
    for b in rows {
        let _ = writeln!(t, "amoe_outbox_oldest_age_seconds{{host=\"{}\"}} {}", label(&b.host), b.oldest_age_seconds);
    }
    let _ = writeln!(
        t,
        "# HELP amoe_outbox_oldest_created_timestamp_seconds When the oldest operation a host owes was queued (0: none)."
    );
    let _ = writeln!(t, "# TYPE amoe_outbox_oldest_created_timestamp_seconds gauge");
    for b in rows {
        let _ = writeln!(
            t,
            "amoe_outbox_oldest_created_timestamp_seconds{{host=\"{}\"}} {}",
            label(&b.host),
            b.oldest_created_timestamp_seconds
        );
    }
    let _ = writeln!(t, "# HELP amoe_outbox_attempts_max Most delivery attempts of an operation a host owes.");
    let _ = writeln!(t, "# TYPE amoe_outbox_attempts_max gauge");
    for b in rows {
        let _ = writeln!(t, "amoe_outbox_attempts_max{{host=\"{}\"}} {}", label(&b.host), b.attempts_max);
    }
    t
}
