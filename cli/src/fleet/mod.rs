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

pub mod client;

use amoe_core::Host;
use amoe_pki::{Action, Role};
use amoe_store::Store;
use amoe_store::outbox::{ItemKind, NewOutboxItem, OutboxItem, OutboxReads};
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

/// Who a fleet command acts as: the name and role of its client certificate, checked against
/// the project CA, and what it signs the items it queues with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub role: Role,
    /// The certificate (DER) and its private key (PEM); `None` for the CA itself.
    signer: Option<(Vec<u8>, Vec<u8>)>,
    /// The CA directory (where the sites' certificates are kept), when known.
    pub ca_dir: Option<std::path::PathBuf>,
}

impl Caller {
    /// Read from the certificate and key files the command will use; the certificate must be
    /// one the project CA (`ca_pem`) issued, so that its role is not the caller's say-so.
    pub fn from_files(
        cert: &std::path::Path,
        key: &std::path::Path,
        ca_pem: &std::path::Path,
        crl: Option<&std::path::Path>,
    ) -> Result<Caller, String> {
        use rustls_pki_types::CertificateDer;
        use rustls_pki_types::pem::PemObject;
        let der = CertificateDer::from_pem_file(cert).map_err(|e| format!("certificate `{}`: {e}", cert.display()))?;
        let ca = CertificateDer::from_pem_file(ca_pem).map_err(|e| format!("CA `{}`: {e}", ca_pem.display()))?;
        let key_pem = std::fs::read(key).map_err(|e| format!("key `{}`: {e}", key.display()))?;
        // The key signs, the CA's check of the certificate tells who signs.
        let probe = amoe_pki::item_sig::message("", "GET", "/", b"");
        let sig = amoe_pki::item_sig::sign(&key_pem, &probe).map_err(|e| format!("key `{}`: {e}", key.display()))?;
        // Revoked certificates queue nothing (the agents would refuse what they queued).
        let revoked = match crl {
            Some(path) => {
                let ca_text = std::fs::read_to_string(ca_pem).map_err(|e| format!("CA `{}`: {e}", ca_pem.display()))?;
                let list = std::fs::read(path).map_err(|e| format!("revocation list `{}`: {e}", path.display()))?;
                amoe_pki::check_crl(&ca_text, &list)
                    .map_err(|e| format!("revocation list `{}`: {e}", path.display()))?
                    .revoked
            }
            None => Vec::new(),
        };
        let is_revoked = |s: &str| revoked.iter().any(|r| r == s);
        let id = amoe_pki::item_sig::verify(&ca, &der, &probe, &sig, &is_revoked, jiff::Timestamp::now())
            .map_err(|e| format!("certificate `{}`: {e}", cert.display()))?;
        Ok(Caller {
            name: id.name,
            role: id.role,
            signer: Some((der.to_vec(), key_pem)),
            ca_dir: ca_pem.parent().map(std::path::Path::to_path_buf),
        })
    }

    /// The CA itself, for revocation lists queued by `ca revoke` / `ca crl`: the list is signed
    /// by the CA and checked by the agent, so the item itself is not signed.
    pub fn ca() -> Caller {
        Caller { name: "ca".into(), role: Role::Operator, signer: None, ca_dir: None }
    }

    /// An operator without a certificate, for dry runs only (nothing is queued).
    pub fn rehearsal(name: &str) -> Caller {
        Caller { name: name.into(), role: Role::Operator, signer: None, ca_dir: None }
    }

    /// `name (role)`, for the audit journal.
    pub fn identity(&self) -> String {
        format!("{} ({})", self.name, self.role)
    }
}

/// What the agents get for a site: its whole configuration.
pub fn site_spec(store: &impl amoe_store::Reads, site: &amoe_core::Site) -> anyhow::Result<amoe_proto::SiteSpec> {
    use amoe_store::sites::RulesReads;
    Ok(amoe_proto::SiteSpec {
        name: site.name.to_string(),
        domains: site.domains.iter().map(ToString::to_string).collect(),
        origins: site.origins.iter().map(ToString::to_string).collect(),
        active: site.active,
        rules: store.site_rules(&site.name)?.map(|r| r.rules),
        balance: site.settings.balance.clone(),
        stale_limit_secs: site.settings.stale_limit_secs,
        https_redirect: site.settings.https_redirect,
        hsts_max_age_secs: site.settings.hsts_max_age_secs,
        hsts_include_subdomains: site.settings.hsts_include_subdomains,
        health_path: site.settings.health_path.clone(),
        health_interval_secs: site.settings.health_interval_secs,
        health_failures: site.settings.health_failures,
        max_body_bytes: site.settings.max_body_bytes,
        origin_insecure: site.settings.origin_insecure,
        origin_ca_pem: site.settings.origin_ca_pem.clone(),
        origin_sni: site.settings.origin_sni.clone(),
    })
}

/// The site's whole configuration, owed to each of its hosts (an idempotent `PUT`).
pub fn put_site_items(
    store: &impl amoe_store::Reads,
    site: &amoe_core::Site,
    caller: &Caller,
) -> anyhow::Result<Vec<NewOutboxItem>> {
    let body = serde_json::to_string(&site_spec(store, site)?)?;
    let path = format!("/v1/sites/{}", site.name);
    let mut items: Vec<NewOutboxItem> = site
        .hosts
        .iter()
        .map(|h| item(h.as_str(), caller, Some(site.name.as_str()), ItemKind::PutSite, "PUT", &path, Some(&body)))
        .collect();
    // Its certificate goes with it (a host added later must serve HTTPS too).
    if let (Some(stem), Some(ca_dir)) = (&site.settings.certificate, &caller.ca_dir) {
        let dir = ca_dir.join("sites").join(site.name.as_str());
        let cert_pem = std::fs::read_to_string(dir.join(format!("{stem}.pem"))).map_err(|e| {
            anyhow::anyhow!("the certificate of site `{}` is missing from `{}`: {e}", site.name, dir.display())
        })?;
        let queued = crate::commands::QueuedCert { cert_pem, key_file: dir.join(format!("{stem}.key")) };
        let body = serde_json::to_string(&queued)?;
        let path = format!("/v1/sites/{}/cert", site.name);
        items.extend(
            site.hosts.iter().map(|h| {
                item(h.as_str(), caller, Some(site.name.as_str()), ItemKind::PutCert, "PUT", &path, Some(&body))
            }),
        );
    }
    Ok(items)
}

/// Journals how a delivery went, host by host, beside the command's own entry (which says the
/// change was recorded): a push every host refused is not `ok`.
pub fn journal_delivery(store: &mut Store, draft: &amoe_store::AuditDraft, report: &FleetReport) -> anyhow::Result<()> {
    let failed: Vec<String> = report
        .hosts
        .iter()
        .filter(|h| !h.ok)
        .map(|h| format!("{}: {}", h.host, h.error.as_deref().unwrap_or("not confirmed")))
        .collect();
    let outcome = if failed.is_empty() {
        format!("ok: {} of {} hosts confirmed", report.hosts.len(), report.hosts.len())
    } else {
        format!(
            "failed: {} of {} hosts confirmed; {}",
            report.hosts.len() - failed.len(),
            report.hosts.len(),
            failed.join("; ")
        )
    };
    let d = amoe_store::AuditDraft { command: format!("{} delivery", draft.command), ..draft.clone() };
    store.journal(&d, &outcome)?;
    Ok(())
}

/// What an outbox item asks of a host, for the role check.
pub fn action_of(kind: ItemKind) -> Action {
    if kind == ItemKind::Flush { Action::Flush } else { Action::Change }
}

/// An operation for every host of a list, queued by `caller`.
pub fn items_for(
    hosts: &[Host],
    caller: &Caller,
    site: Option<&str>,
    kind: ItemKind,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Vec<NewOutboxItem> {
    hosts.iter().map(|h| item(h.name.as_str(), caller, site, kind, method, path, body)).collect()
}

/// One operation for one host, queued by `caller`.
pub fn item(
    host: &str,
    caller: &Caller,
    site: Option<&str>,
    kind: ItemKind,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> NewOutboxItem {
    let id = new_id(host);
    // Signed as it will be sent (a flush carries its id, a certificate its key).
    let (queued_cert, signature) = match &caller.signer {
        Some((cert, key)) => {
            let sent = wire_bytes(kind, &id, body).ok().flatten().unwrap_or_default();
            let msg = amoe_pki::item_sig::message(host, method, path, &sent);
            match amoe_pki::item_sig::sign(key, &msg) {
                Ok(sig) => (Some(amoe_pki::hex(cert)), Some(amoe_pki::hex(&sig))),
                Err(_) => (None, None),
            }
        }
        None => (None, None),
    };
    NewOutboxItem {
        id,
        host: host.to_string(),
        site: site.map(str::to_string),
        kind,
        method: method.into(),
        path: path.into(),
        body: body.map(str::to_string),
        queued_by: caller.name.clone(),
        queued_role: caller.role.to_string(),
        queued_cert,
        signature,
    }
}

/// The body actually sent: a flush carries its outbox id as idempotency key; a certificate
/// its key, read from the file it was queued with (keys never enter the store). `Err` when
/// that file is gone.
fn wire_body(item: &OutboxItem, key_dir: Option<&std::path::Path>) -> Result<Option<Vec<u8>>, String> {
    if item.kind == ItemKind::PutCert {
        // A key is read only from where `site cert` keeps that site's keys: a row written into
        // the store by hand must not make this CLI read (and send) another file.
        let queued: crate::commands::QueuedCert = serde_json::from_str(item.body.as_deref().unwrap_or(""))
            .map_err(|e| format!("unreadable certificate item: {e}"))?;
        let site = item.site.as_deref().unwrap_or("");
        let allowed = key_dir.map(|d| d.join("sites").join(site)).and_then(|d| d.canonicalize().ok());
        let actual = queued.key_file.canonicalize().ok();
        match (allowed, actual) {
            (Some(dir), Some(file)) if file.parent() == Some(dir.as_path()) => {}
            _ => {
                return Err(format!(
                    "the key `{}` is not one `amoe site cert` keeps for site `{site}`",
                    queued.key_file.display()
                ));
            }
        }
    }
    wire_bytes(item.kind, &item.id, item.body.as_deref())
}

fn wire_bytes(kind: ItemKind, id: &str, body: Option<&str>) -> Result<Option<Vec<u8>>, String> {
    let Some(body) = body else { return Ok(None) };
    if kind == ItemKind::Flush
        && let Ok(mut v) = serde_json::from_str::<serde_json::Value>(body)
    {
        v["idempotency_key"] = serde_json::Value::String(id.to_string());
        return Ok(serde_json::to_vec(&v).ok());
    }
    if kind == ItemKind::PutCert {
        let queued: crate::commands::QueuedCert =
            serde_json::from_str(body).map_err(|e| format!("unreadable certificate item: {e}"))?;
        let key_pem = std::fs::read_to_string(&queued.key_file).map_err(|e| {
            format!("the key `{}` is gone ({e}): run `amoe site cert` again", queued.key_file.display())
        })?;
        let wire = amoe_proto::SiteCert { cert_pem: queued.cert_pem, key_pem };
        return serde_json::to_vec(&wire).map(Some).map_err(|e| e.to_string());
    }
    Ok(Some(body.as_bytes().to_vec()))
}

/// Per host: what each operation got, and when the last answer came.
type HostOutcome = (Host, Vec<(String, Delivery)>, Duration, Option<String>);

/// What one host said to one operation.
enum Delivery {
    Done(Option<u64>),
    /// Worth another attempt later (network, time-out, 5xx, 408, 429).
    Failed(String),
    /// Refused for good (4xx), or never deliverable: out of the queue, with the reason.
    Parked(String),
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

/// How long a lease lasts: until the outcomes are recorded, which is after the longest
/// host's queue (`items` calls, each of which may take the whole time-out), plus a margin; at
/// most a day.
fn lease_until(timeout: Duration, items: usize) -> String {
    let calls = u32::try_from(items).unwrap_or(u32::MAX).saturating_add(1);
    let ttl = timeout.saturating_mul(calls).saturating_add(Duration::from_secs(30)).min(Duration::from_secs(86_400));
    let ttl = jiff::SignedDuration::try_from(ttl).unwrap_or(jiff::SignedDuration::from_hours(24));
    amoe_core::time::format_utc(jiff::Timestamp::now() + ttl)
}

/// Takes the lease of each host's queue, waiting up to `wait` for those another process
/// holds. Returns the hosts leased.
fn take_leases(
    store: &mut Store,
    hosts: &[Host],
    holder: &str,
    timeout: Duration,
    leased: &mut [bool],
) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        for (host, got) in hosts.iter().zip(leased.iter_mut()) {
            if !*got {
                *got = store.take_lease(host.name.as_str(), holder, &lease_until(timeout, 0))?;
            }
        }
        if leased.iter().all(|l| *l) || Instant::now() >= deadline {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Whether an HTTP refusal is permanent: a 4xx other than time-out and rate limits.
fn permanent(status: u16) -> bool {
    (400..500).contains(&status) && status != 408 && status != 429
}

/// The headers telling the agent who queued an item: its certificate and signature (the
/// agent takes the role from the certificate, checked against its CA), and the name.
fn queued_headers(item: &OutboxItem) -> Vec<(&'static str, String)> {
    let (Some(cert), Some(sig)) = (&item.queued_cert, &item.signature) else { return Vec::new() };
    let printable = |s: &str| s.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').take(64).collect::<String>();
    vec![
        ("amoe-queued-by", printable(item.queued_by.as_deref().unwrap_or("?"))),
        ("amoe-queued-cert", cert.clone()),
        ("amoe-queued-sig", sig.clone()),
    ]
}

/// Why an item can never be delivered, whoever runs the outbox.
fn undeliverable(item: &OutboxItem) -> Option<String> {
    if item.kind == ItemKind::Unknown {
        return Some("an item of a kind this amoe does not know: drop it with `amoe outbox drop`".into());
    }
    // A revocation list is signed by the CA and checked by the agent: whoever queued it, it
    // may go (a list owed at an upgrade must not be lost).
    if item.kind == ItemKind::Crl {
        // Only the list's own call: a row of kind `crl` is sent unsigned, so it must not
        // carry anything else.
        let pem = item.body.as_deref().unwrap_or("");
        if item.method == "PUT" && item.path == "/v1/crl" && pem.trim_start().starts_with("-----BEGIN X509 CRL-----") {
            return None;
        }
        return Some("a revocation-list item that is not one (`PUT /v1/crl` with a PEM list)".into());
    }
    let Some(role) = item.queued_role.as_deref() else {
        return Some(
            "queued before amoe recorded who queues items: run the command that queued it again, then drop this one"
                .into(),
        );
    };
    let signed = item
        .queued_cert
        .as_deref()
        .zip(item.signature.as_deref())
        .is_some_and(|(c, s)| amoe_pki::from_hex(c).is_some() && amoe_pki::from_hex(s).is_some());
    if !signed {
        return Some(format!(
            "not signed by whoever queued it (`{}`): run the command that queued it again, then drop this one",
            item.queued_by.as_deref().unwrap_or("?")
        ));
    }
    match role.parse::<Role>() {
        Ok(r) if r.allows(action_of(item.kind)) => None,
        _ => Some(format!(
            "queued by `{}` (role {role}), which may not {}",
            item.queued_by.as_deref().unwrap_or("?"),
            item.kind
        )),
    }
}

/// What a delivery is for: the command, its site, and the items it queued (`None`: every
/// item counts as its own, as for `outbox run`). An older item parked on the way is reported
/// but does not fail the command's host.
#[derive(Debug, Clone, Copy)]
pub struct Run<'a> {
    pub operation: &'a str,
    pub site: Option<&'a str>,
    pub fresh: Option<&'a [String]>,
}

/// Delivers everything owed to `hosts` (oldest first per host; hosts concurrently) as
/// `caller`, and records the outcome in the store.
pub fn deliver(
    store: &mut Store,
    client: &Client,
    caller: &Caller,
    hosts: &[Host],
    started: Instant,
    run: Run<'_>,
) -> anyhow::Result<FleetReport> {
    let Run { operation, site, fresh } = run;
    let holder = new_id("lease");
    let mut leased = vec![false; hosts.len()];
    let taken = take_leases(store, hosts, &holder, client.timeout, &mut leased);
    let result = taken.and_then(|()| {
        deliver_leased(store, client, caller, hosts, &leased, &holder, started, Run { operation, site, fresh })
    });
    // Every lease taken is given back, whatever happened.
    let mut released = Ok(());
    for (host, got) in hosts.iter().zip(&leased) {
        if *got && let Err(e) = store.release_lease(host.name.as_str(), &holder) {
            released = Err(e);
        }
    }
    let report = result?;
    released?;
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
fn deliver_leased(
    store: &mut Store,
    client: &Client,
    caller: &Caller,
    hosts: &[Host],
    leased: &[bool],
    holder: &str,
    started: Instant,
    run: Run<'_>,
) -> anyhow::Result<FleetReport> {
    let Run { operation, site, fresh } = run;
    // Read only once leased: what another process delivered meanwhile is gone.
    let mut per_host: BTreeMap<String, Vec<OutboxItem>> = BTreeMap::new();
    for (host, got) in hosts.iter().zip(leased) {
        if *got {
            per_host.insert(host.name.to_string(), store.owed(host.name.as_str())?);
        }
    }
    // Outcomes are recorded once every host is done: each lease lasts for the longest queue.
    let longest = per_host.values().map(Vec::len).max().unwrap_or(0);
    for name in per_host.keys() {
        if !store.take_lease(name, holder, &lease_until(client.timeout, longest))? {
            anyhow::bail!("the lease on host `{name}`'s queue was lost; nothing was sent");
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let bar = progress(hosts.len(), operation);
    let outcomes: Vec<HostOutcome> = rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for host in hosts {
            let Some(items) = per_host.remove(host.name.as_str()) else { continue };
            let client = client.clone();
            let host = host.clone();
            let caller = caller.clone();
            set.spawn(async move {
                let address = host.address.to_string();
                let mut done = Vec::new();
                let mut waiting = None;
                for item in items {
                    if let Some(why) = undeliverable(&item) {
                        done.push((item.id.clone(), Delivery::Parked(why)));
                        continue;
                    }
                    if !caller.role.allows(action_of(item.kind)) {
                        // Order matters per host: what follows waits too.
                        waiting = Some(format!(
                            "a {} queued by `{}` waits for an operator certificate (`amoe outbox run`)",
                            item.kind,
                            item.queued_by.as_deref().unwrap_or("?")
                        ));
                        break;
                    }
                    let method = http::Method::from_bytes(item.method.as_bytes()).unwrap_or(http::Method::POST);
                    let headers = queued_headers(&item);
                    let body = match wire_body(&item, client.key_dir.as_deref()) {
                        Ok(b) => b,
                        Err(why) => {
                            done.push((item.id.clone(), Delivery::Parked(why)));
                            continue;
                        }
                    };
                    let outcome = match client.call_with(&address, method, &item.path, body, &headers).await {
                        Ok(a)
                            if (200..300).contains(&a.status)
                                || (item.kind == ItemKind::DeleteSite && a.status == 404) =>
                        {
                            let objects =
                                serde_json::from_slice::<amoe_proto::FlushResult>(&a.body).ok().map(|r| r.objects);
                            Delivery::Done(objects)
                        }
                        Ok(a) if permanent(a.status) => {
                            Delivery::Parked(format!("HTTP {}: {}", a.status, client::error_message(&a.body)))
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
                (host, done, started.elapsed(), waiting)
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
    for (host, done, latency, waiting) in outcomes {
        let mut delivered = 0;
        let mut objects = None;
        let mut error = None;
        let mut failed = false;
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
                    failed = true;
                }
                Delivery::Parked(e) => {
                    store.outbox_parked(&id, &e)?;
                    error = Some(format!("parked {id}: {e}"));
                    failed |= fresh.is_none_or(|f| f.contains(&id));
                }
            }
        }
        failed |= waiting.is_some();
        let error = error.or(waiting);
        let pending = store.owed(host.name.as_str())?.len();
        results.push(HostResult {
            host: host.name.to_string(),
            address: host.address.to_string(),
            ok: pending == 0 && !failed,
            delivered,
            pending,
            parked: store.parked(host.name.as_str())?,
            objects,
            latency_ms: latency.as_secs_f64() * 1000.0,
            error,
        });
    }
    // A host not leased, or whose delivery task died, is a failure too, never a silent success.
    for (host, got) in hosts.iter().zip(leased) {
        if !results.iter().any(|r| r.host == host.name.as_str()) {
            results.push(HostResult {
                host: host.name.to_string(),
                address: host.address.to_string(),
                ok: false,
                delivered: 0,
                pending: store.owed(host.name.as_str())?.len(),
                parked: store.parked(host.name.as_str())?,
                objects: None,
                latency_ms: started.elapsed().as_secs_f64() * 1000.0,
                error: Some(if *got {
                    "the delivery task failed".into()
                } else {
                    "another amoe process is delivering to this host; what is owed stays queued".into()
                }),
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
