//! Talking to the fleet: operations owed to hosts go through the outbox (written before they
//! are sent, removed when the host confirmed), are delivered to every host concurrently, and
//! come back as one result per host. What is still owed to a host is delivered first, in
//! order, before anything new.
//!
//! Rights: every item records who queued it ([`Caller`]); the CLI refuses to queue what that
//! role may not do, delivers only what its own role may do (the rest waits for an operator's
//! run), and tells the agent who queued each item, so that the agent checks both roles.
//! Order: a lease on each host's queue (taken before its items are read) lets one `amoe`
//! process at a time deliver to a host. A permanent refusal (4xx) parks the item with its
//! reason and the queue goes on.
//!
//! - [`caller`]: who a command acts as; [`client`]: mutual TLS to one agent;
//! - [`items`]: what hosts are owed, signed, and the bytes sent;
//! - [`deliver`]: each host's queue delivered in order, every host at once.
//!
//! Nothing here prints but the progress bar: the commands render the [`FleetReport`].

mod caller;
pub mod client;
mod deliver;
mod items;

pub use caller::Caller;
pub use deliver::{Run, deliver, journal_delivery};
pub use items::{QueuedCert, action_of, item, items_for, put_site_items, site_spec};

use amoe_core::Host;
use client::Client;
use serde::Serialize;
use sha2::{Digest, Sha256};

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
    /// Operations this host refused for good, parked until `amoe outbox drop`.
    pub parked: usize,
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

/// One host's answer to a read-only call, with the caller's tag.
pub type Asked<T> = (T, Host, Result<client::Answer, client::CallError>);

/// Read-only `GET`s to many hosts at once (`host status`, `site cert list`): each `(tag,
/// host, path)` with its answer, in no particular order. Nothing is queued.
pub fn ask_all<T: Send + 'static>(client: &Client, asks: Vec<(T, Host, String)>) -> anyhow::Result<Vec<Asked<T>>> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    Ok(rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for (tag, host, path) in asks {
            let client = client.clone();
            set.spawn(async move {
                let r = client.call(&host.address.to_string(), http::Method::GET, &path, None).await;
                (tag, host, r)
            });
        }
        let mut out = Vec::new();
        while let Some(r) = set.join_next().await {
            if let Ok(r) = r {
                out.push(r);
            }
        }
        out
    }))
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
