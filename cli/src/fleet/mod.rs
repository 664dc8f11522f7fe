//! Talking to the fleet: operations owed to hosts go through the outbox (written before they
//! are sent, removed when the host confirmed), are delivered to every host concurrently, and
//! come back as one result per host. What is still owed to a host is delivered first, in
//! order, before anything new.

pub mod client;

use amoe_core::Host;
use amoe_store::Store;
use amoe_store::outbox::{NewOutboxItem, OutboxItem, OutboxReads};
use client::Client;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The result of one host.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HostResult {
    pub host: String,
    pub address: String,
    /// True when every operation owed to this host was confirmed.
    pub ok: bool,
    /// Operations confirmed in this run (older ones owed first, then the new one).
    pub delivered: usize,
    /// Operations still owed (kept in the outbox for `amoe outbox run`).
    pub pending: usize,
    /// Objects purged, for a flush.
    pub objects: Option<u64>,
    /// Milliseconds from the start of the command to this host's last confirmation.
    pub latency_ms: f64,
    pub error: Option<String>,
}

/// A fleet command's report.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FleetReport {
    pub operation: String,
    pub site: Option<String>,
    pub dry_run: bool,
    pub hosts: Vec<HostResult>,
    /// Milliseconds from the command's start to the last confirmation.
    pub total_ms: f64,
}

impl FleetReport {
    pub fn failed(&self) -> usize {
        self.hosts.iter().filter(|h| !h.ok).count()
    }
}

/// A fresh operation id (also its idempotency key).
pub fn new_id(host: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let mut h = Sha256::new();
    h.update(format!("{:?}", std::time::SystemTime::now()));
    h.update(std::process::id().to_be_bytes());
    h.update(N.fetch_add(1, Ordering::Relaxed).to_be_bytes());
    h.update(host.as_bytes());
    h.finalize().iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// An operation for every host of a list.
pub fn items_for(
    hosts: &[Host],
    site: Option<&str>,
    kind: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Vec<NewOutboxItem> {
    hosts
        .iter()
        .map(|h| NewOutboxItem {
            id: new_id(h.name.as_str()),
            host: h.name.to_string(),
            site: site.map(str::to_string),
            kind: kind.into(),
            method: method.into(),
            path: path.into(),
            body: body.map(str::to_string),
        })
        .collect()
}

/// The body actually sent: a flush carries its outbox id as idempotency key.
fn wire_body(item: &OutboxItem) -> Option<Vec<u8>> {
    let body = item.body.as_ref()?;
    if item.kind == "flush"
        && let Ok(mut v) = serde_json::from_str::<serde_json::Value>(body)
    {
        v["idempotency_key"] = serde_json::Value::String(item.id.clone());
        return serde_json::to_vec(&v).ok();
    }
    Some(body.clone().into_bytes())
}

/// Per host: what each operation got, and when the last answer came.
type HostOutcome = (Host, Vec<(String, Delivery)>, Duration);

/// What one host said to one operation.
enum Delivery {
    Done(Option<u64>),
    Failed(String),
}

/// A progress bar on stderr when it is a terminal (and colour is allowed), else nothing.
fn progress(hosts: usize, operation: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    let quiet = !std::io::stderr().is_terminal() || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if quiet || hosts < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(hosts as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} hosts") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(operation.to_string());
    bar
}

/// Delivers everything owed to `hosts` (oldest first per host; hosts concurrently) and
/// records the outcome in the store.
pub fn deliver(
    store: &mut Store,
    client: &Client,
    hosts: &[Host],
    started: Instant,
    operation: &str,
    site: Option<&str>,
) -> anyhow::Result<FleetReport> {
    let names: Vec<String> = hosts.iter().map(|h| h.name.to_string()).collect();
    let owed = store.outbox(Some(&names))?;
    let mut per_host: BTreeMap<String, Vec<OutboxItem>> = BTreeMap::new();
    for item in owed {
        per_host.entry(item.host.clone()).or_default().push(item);
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let bar = progress(hosts.len(), operation);
    let outcomes: Vec<HostOutcome> = rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for host in hosts {
            let items = per_host.remove(host.name.as_str()).unwrap_or_default();
            let client = client.clone();
            let host = host.clone();
            set.spawn(async move {
                let address = host.address.to_string();
                let mut done = Vec::new();
                for item in items {
                    let method = http::Method::from_bytes(item.method.as_bytes()).unwrap_or(http::Method::POST);
                    let outcome = match client.call(&address, method, &item.path, wire_body(&item)).await {
                        Ok(a) if (200..300).contains(&a.status) || (item.kind == "delete_site" && a.status == 404) => {
                            let objects =
                                serde_json::from_slice::<amoe_proto::FlushResult>(&a.body).ok().map(|r| r.objects);
                            Delivery::Done(objects)
                        }
                        Ok(a) => Delivery::Failed(format!("HTTP {}: {}", a.status, client::error_message(&a.body))),
                        Err(e) => Delivery::Failed(e.to_string()),
                    };
                    let stop = matches!(outcome, Delivery::Failed(_));
                    done.push((item.id.clone(), outcome));
                    // Order matters per host: stop at the first failure, keep the rest owed.
                    if stop {
                        break;
                    }
                }
                (host, done, started.elapsed())
            });
        }
        let mut all = Vec::new();
        while let Some(r) = set.join_next().await {
            bar.inc(1);
            if let Ok(r) = r {
                all.push(r);
            }
        }
        all
    });
    bar.finish_and_clear();
    let mut results = Vec::new();
    for (host, done, latency) in outcomes {
        let mut delivered = 0;
        let mut objects = None;
        let mut error = None;
        for (id, outcome) in done {
            match outcome {
                Delivery::Done(o) => {
                    store.outbox_delivered(&id)?;
                    delivered += 1;
                    objects = o.or(objects);
                }
                Delivery::Failed(e) => {
                    store.outbox_failed(&id, &e)?;
                    error = Some(e);
                }
            }
        }
        let pending = store.outbox(Some(std::slice::from_ref(&host.name.to_string())))?.len();
        results.push(HostResult {
            host: host.name.to_string(),
            address: host.address.to_string(),
            ok: pending == 0 && error.is_none(),
            delivered,
            pending,
            objects,
            latency_ms: latency.as_secs_f64() * 1000.0,
            error,
        });
    }
    // A host whose delivery task died is a failure too, never a silent success.
    for host in hosts {
        if !results.iter().any(|r| r.host == host.name.as_str()) {
            let pending = store.outbox(Some(std::slice::from_ref(&host.name.to_string())))?.len();
            results.push(HostResult {
                host: host.name.to_string(),
                address: host.address.to_string(),
                ok: false,
                delivered: 0,
                pending,
                objects: None,
                latency_ms: started.elapsed().as_secs_f64() * 1000.0,
                error: Some("the delivery task failed".into()),
            });
        }
    }
    results.sort_by(|a, b| a.host.cmp(&b.host));
    Ok(FleetReport {
        operation: operation.to_string(),
        site: site.map(str::to_string),
        dry_run: false,
        hosts: results,
        total_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}
