//! `amoe deploy` (DESIGN §10): a site's release sent to every host of the site, then made
//! current everywhere or nowhere.
//!
//! - Phase one: the bundle ([`bundle`]) is streamed to every host at once
//!   (`PUT /v1/sites/SITE/releases/ID`); each host checks its SHA-256 and unpacks it.
//! - Phase two, only when every host has it: each host is asked to make it current
//!   (`PUT /v1/sites/SITE/current`, idempotent). If one cannot, the hosts that switched are
//!   switched back to what they served before, and a host that could not be reached is owed its
//!   switch-back in the outbox (delivered first when it returns): all end on one release.
//! - One deploy at a time per site (a lock in the store, which expires after
//!   [`LOCK_SECS`] so that a killed run does not hold the site for ever); every deploy, switch
//!   and rollback is recorded (`deploys`) and journaled.

pub mod bundle;

use std::collections::BTreeMap;
use std::time::Instant;

use amoe_core::Host;
use amoe_proto::{ReleaseInfo, SwitchRequest, SwitchResult};
use amoe_store::Store;
use amoe_store::deploys::DeployReads;
use amoe_store::outbox::ItemKind;
use anyhow::Result;
use serde::Serialize;

use crate::error::Failure;
use crate::fleet::client::{Client, Progress, error_message};
use crate::fleet::{self, Caller};

/// Seconds a deploy lock lasts: a run killed while it held the lock frees the site after this.
pub const LOCK_SECS: i64 = 1800;

/// One host's part of a deploy.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HostDeploy {
    pub host: String,
    pub address: String,
    /// Phase one: the release is on the host, checked and unpacked.
    pub received: bool,
    /// Phase two: the release is current there now.
    pub switched: bool,
    /// What it served before.
    pub previous: Option<String>,
    /// The hooks `agent.toml` runs after a switch, with their output.
    pub hooks: Vec<amoe_proto::HookRun>,
    /// A switch (or switch-back) owed to it in the outbox.
    pub owed: bool,
    pub error: Option<String>,
    pub ms: f64,
}

/// What `amoe deploy` (or `switch`, `rollback`) did.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DeployReport {
    pub site: String,
    /// `deploy`, `stage`, `switch` or `rollback`.
    pub kind: String,
    pub release: String,
    pub sha256: Option<String>,
    pub size: Option<u64>,
    pub files: Option<u64>,
    pub dry_run: bool,
    /// Every host has the release.
    pub received: bool,
    /// Every host serves it now.
    pub switched: bool,
    /// A switch failed somewhere and the hosts were switched back.
    pub rolled_back: bool,
    pub hosts: Vec<HostDeploy>,
    pub total_ms: f64,
}

impl DeployReport {
    /// `ok`, `failed`, `rolled back`, or `partial` (a switch-back is owed).
    pub fn outcome(&self) -> &'static str {
        let wanted = if self.kind == "stage" { self.received } else { self.switched };
        if wanted {
            "ok"
        } else if self.hosts.iter().any(|h| h.owed) {
            "partial"
        } else if self.rolled_back {
            "rolled back"
        } else {
            "failed"
        }
    }
}

fn ms(t: Instant) -> f64 {
    (t.elapsed().as_secs_f64() * 1e5).round() / 100.0
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?)
}

/// The deploy lock of `site`, taken for `holder`; a refusal says who has it and since when.
pub fn lock(store: &mut Store, site: &str, holder: &str) -> Result<()> {
    let until = amoe_core::time::format_utc(jiff::Timestamp::now() + jiff::SignedDuration::from_secs(LOCK_SECS));
    if store.take_deploy_lock(site, holder, &until)? {
        return Ok(());
    }
    let held = store.deploy_lock(site)?;
    let (who, since, until) = held.map_or_else(
        || ("someone".into(), "?".into(), "?".into()),
        |l| (l.holder, amoe_core::time::display_local(&l.since), amoe_core::time::display_local(&l.until)),
    );
    Err(Failure::new(format!("site `{site}` is being deployed by {who} since {since}"))
        .hint(format!("wait for it to end; a lock left by a killed run expires at {until}"))
        .into())
}

/// Each host's releases of `site` (an error text for a host that did not answer).
pub fn releases(
    client: &Client,
    hosts: &[Host],
    site: &str,
) -> Result<BTreeMap<String, Result<Vec<ReleaseInfo>, String>>> {
    let asks = hosts.iter().map(|h| (h.name.to_string(), h.clone(), format!("/v1/sites/{site}/releases"))).collect();
    Ok(fleet::ask_all(client, asks)?
        .into_iter()
        .map(|(name, _, r)| {
            let v = match r {
                Ok(a) if a.status == 200 => {
                    serde_json::from_slice::<Vec<ReleaseInfo>>(&a.body).map_err(|e| e.to_string())
                }
                Ok(a) => Err(format!("HTTP {}: {}", a.status, error_message(&a.body))),
                Err(e) => Err(e.to_string()),
            };
            (name, v)
        })
        .collect())
}

/// One host's upload: its answer (or why not) and when it came (ms from the start).
pub type Uploaded = (Host, Result<ReleaseInfo, String>, f64);

/// Phase one: the bundle made once and streamed to every host at once, with a progress bar per
/// host on a terminal. Returns each host's result, and what was sent (`None` if every upload
/// failed first; an error if the bundle could not be made whole: then no host has it).
pub fn upload_all(
    client: &Client,
    hosts: &[Host],
    site: &str,
    id: &str,
    bundle: &bundle::Bundle,
    meta: &amoe_proto::ReleaseMeta,
    progress: bool,
) -> Result<(Vec<Uploaded>, Result<Option<bundle::Sent>>)> {
    let bars = indicatif::MultiProgress::with_draw_target(if progress {
        indicatif::ProgressDrawTarget::stderr()
    } else {
        indicatif::ProgressDrawTarget::hidden()
    });
    let mut headers = vec![(amoe_proto::RELEASE_META, serde_json::to_string(meta)?)];
    if let Some(sha) = &bundle.sha256 {
        headers.push((amoe_proto::RELEASE_SHA256, sha.clone()));
    }
    let path = format!("/v1/sites/{site}/releases/{id}");
    let started = Instant::now();
    let rt = runtime()?;
    let mut sinks = Vec::new();
    // The uploads are spawned on the runtime, then driven below.
    let _runtime = rt.enter();
    let mut set = tokio::task::JoinSet::new();
    for (i, h) in hosts.iter().enumerate() {
        let (client, host, mut headers, path) = (client.clone(), h.clone(), headers.clone(), path.clone());
        // An archive given is kept by one host, for `deploy promote`; a folder's bundle is
        // made again from the release when needed.
        if i == 0 && !bundle.packed {
            headers.push((amoe_proto::RELEASE_KEEP_BUNDLE, "1".into()));
        }
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        sinks.push(tx);
        let bar = bars.add(indicatif::ProgressBar::new(bundle.estimate));
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{prefix:>12} [{bar:30}] {bytes}/~{total_bytes} {msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(host.name.to_string());
        set.spawn(async move {
            let p = Progress::new();
            let watch = {
                let (p, bar) = (p.clone(), bar.clone());
                tokio::spawn(async move {
                    loop {
                        bar.set_position(p.sent.load(std::sync::atomic::Ordering::Relaxed));
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    }
                })
            };
            let r = client.upload(&host.address.to_string(), &path, rx, &headers, p).await;
            watch.abort();
            bar.finish_and_clear();
            let r = match r {
                Ok(a) if a.status == 200 => {
                    serde_json::from_slice::<ReleaseInfo>(&a.body).map_err(|e| format!("unreadable answer: {e}"))
                }
                Ok(a) => Err(format!("HTTP {}: {}", a.status, error_message(&a.body))),
                Err(e) => Err(e.to_string()),
            };
            (host, r, ms(started))
        });
    }
    // Made once, on a thread of its own, while this one drives the uploads.
    let sent = std::thread::scope(|scope| {
        let maker = scope.spawn(|| bundle.send(sinks));
        let uploads = rt.block_on(async {
            let mut out = Vec::new();
            while let Some(r) = set.join_next().await {
                if let Ok(r) = r {
                    out.push(r);
                }
            }
            out
        });
        let sent = maker.join().unwrap_or_else(|_| Err(anyhow::anyhow!("the bundle maker stopped")));
        (uploads, sent)
    });
    Ok(sent)
}

/// One switch of each host in `targets` (host → release), directly; the answers.
fn switch_direct(
    client: &Client,
    site: &str,
    targets: &[(Host, String)],
    keep: usize,
) -> Result<Vec<(Host, Result<SwitchResult, String>)>> {
    let rt = runtime()?;
    let path = format!("/v1/sites/{site}/current");
    Ok(rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for (h, release) in targets {
            let body =
                serde_json::to_vec(&SwitchRequest { release: release.clone(), keep: Some(keep) }).unwrap_or_default();
            let (client, host, path) = (client.clone(), h.clone(), path.clone());
            set.spawn(async move {
                let r = match client.call(&host.address.to_string(), http::Method::PUT, &path, Some(body)).await {
                    Ok(a) if a.status == 200 => {
                        serde_json::from_slice::<SwitchResult>(&a.body).map_err(|e| format!("unreadable answer: {e}"))
                    }
                    Ok(a) => Err(format!("HTTP {}: {}", a.status, error_message(&a.body))),
                    Err(e) => Err(e.to_string()),
                };
                (host, r)
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

/// Queues, signed by `caller`, a switch of `host` to `release` in the outbox.
fn owe_switch(
    store: &mut Store,
    draft: &amoe_store::AuditDraft,
    caller: &Caller,
    site: &str,
    host: &str,
    release: &str,
    keep: usize,
) -> Result<()> {
    let body = serde_json::to_string(&SwitchRequest { release: release.to_string(), keep: Some(keep) })?;
    let item = fleet::item(
        host,
        caller,
        Some(site),
        ItemKind::Switch,
        "PUT",
        &format!("/v1/sites/{site}/current"),
        Some(&body),
    );
    let mut d = draft.clone();
    d.command = format!("{} switch owed", draft.command);
    store.mutate(&d, |tx| tx.enqueue(&item))?;
    Ok(())
}

/// Phase two: every host of `hosts` made to serve `release`; if one cannot, the others are
/// switched back to what each served before (`previous`) and a host that could not be
/// reached is owed its switch-back. Fills the report's hosts.
#[allow(clippy::too_many_arguments)]
pub fn switch_all(
    store: &mut Store,
    client: &Client,
    caller: &Caller,
    draft: &amoe_store::AuditDraft,
    site: &str,
    release: &str,
    previous: &BTreeMap<String, Option<String>>,
    keep: usize,
    report: &mut DeployReport,
) -> Result<()> {
    let hosts: Vec<Host> = report_hosts(store, report)?;
    let started = Instant::now();
    let targets: Vec<(Host, String)> = hosts.iter().map(|h| (h.clone(), release.to_string())).collect();
    let answers = switch_direct(client, site, &targets, keep)?;
    let failed = answers.iter().any(|(_, r)| r.is_err()) || answers.len() != hosts.len();
    for (h, r) in &answers {
        let Some(row) = report.hosts.iter_mut().find(|x| x.host == h.name.as_str()) else { continue };
        row.previous = previous.get(h.name.as_str()).cloned().flatten();
        row.ms = ms(started);
        match r {
            Ok(s) => {
                row.switched = true;
                row.hooks = s.hooks.clone();
                if row.previous.is_none() {
                    row.previous = s.previous.clone();
                }
            }
            Err(e) => row.error = Some(format!("switch: {e}")),
        }
    }
    if !failed {
        report.switched = true;
        return Ok(());
    }
    // Back to what each served: directly where it answers, owed where it does not.
    report.rolled_back = true;
    let back: Vec<(Host, String)> =
        hosts.iter().filter_map(|h| previous.get(h.name.as_str()).cloned().flatten().map(|p| (h.clone(), p))).collect();
    let reverted = switch_direct(client, site, &back, keep)?;
    for (h, target) in &back {
        let Some(row) = report.hosts.iter_mut().find(|x| x.host == h.name.as_str()) else { continue };
        let ok = reverted.iter().any(|(x, r)| x.name == h.name && r.is_ok());
        if ok {
            row.switched = false;
        } else {
            owe_switch(store, draft, caller, site, h.name.as_str(), target, keep)?;
            row.owed = true;
            if row.error.is_none() {
                row.error = Some(format!("could not be switched back to `{target}`: owed in the outbox"));
            }
        }
    }
    Ok(())
}

fn report_hosts(store: &Store, report: &DeployReport) -> Result<Vec<Host>> {
    use amoe_store::hosts::HostReads;
    report.hosts.iter().map(|h| Ok(store.host(&h.host.parse::<amoe_core::Name>()?)?)).collect()
}

/// The deploy lock's holder name for this run.
pub fn holder(operator: &str) -> String {
    let host = std::fs::read_to_string("/etc/hostname").map(|s| s.trim().to_string()).unwrap_or_else(|_| "?".into());
    format!("{operator}@{host} (pid {})", std::process::id())
}

/// Every deploy recorded for `site`.
pub fn history(store: &Store, site: &str) -> Result<Vec<amoe_store::deploys::Deploy>> {
    Ok(store.deploys(Some(site))?)
}

/// The per-host outcomes as the store keeps them.
pub fn hosts_json(report: &DeployReport) -> serde_json::Value {
    serde_json::Value::Object(
        report
            .hosts
            .iter()
            .map(|h| {
                let state = if h.switched {
                    "switched".to_string()
                } else if h.received {
                    h.error.clone().map_or_else(|| "received".to_string(), |e| format!("received; {e}"))
                } else {
                    h.error.clone().unwrap_or_else(|| "not received".into())
                };
                (h.host.clone(), serde_json::Value::String(state))
            })
            .collect(),
    )
}
