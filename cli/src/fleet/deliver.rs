//! Delivering what hosts are owed: each host's queue in order under a lease (one `amoe`
//! process at a time per host), every host at once, one result per host; a permanent refusal
//! parks the item and the queue goes on.

use super::client::{self, Client};
use super::items::{queued_headers, undeliverable, wire_body};
use super::{Caller, FleetReport, HostResult, action_of, new_id};
use amoe_core::Host;
use amoe_store::Store;
use amoe_store::outbox::{ItemKind, OutboxItem, OutboxReads};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

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

/// Takes the lease of each host's queue, waiting up to `timeout` for those another process
/// holds. Leases are waited for in one order, by host name, each only once those before it are
/// held: two runs wanting the same hosts can never each hold one the other waits for (they
/// did, and both gave up at the deadline with work undone). At the deadline, the hosts still
/// free are taken without waiting. `leased` says which were taken.
fn take_leases(
    store: &mut Store,
    hosts: &[Host],
    holder: &str,
    timeout: Duration,
    leased: &mut [bool],
) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    let mut order: Vec<usize> = (0..hosts.len()).collect();
    order.sort_by(|&a, &b| hosts[a].name.as_str().cmp(hosts[b].name.as_str()));
    for &i in &order {
        loop {
            leased[i] = store.take_lease(hosts[i].name.as_str(), holder, &lease_until(timeout, 0))?;
            if leased[i] || Instant::now() >= deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        if !leased[i] {
            break;
        }
    }
    for &i in &order {
        if !leased[i] {
            leased[i] = store.take_lease(hosts[i].name.as_str(), holder, &lease_until(timeout, 0))?;
        }
    }
    Ok(())
}

/// Whether an HTTP refusal is permanent: a 4xx other than time-out and rate limits.
fn permanent(status: u16) -> bool {
    (400..500).contains(&status) && status != 408 && status != 429
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
            latency_ms: millis(latency),
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
                latency_ms: millis(started.elapsed()),
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
        total_ms: millis(started.elapsed()),
    })
}

/// Milliseconds, rounded to a tenth (what a person or a script can use).
fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(name: &str) -> Host {
        Host { name: name.parse().expect("name"), address: "127.0.0.1:7443".parse().expect("address"), location: None }
    }

    /// Another run holds `pop1`: this one takes `pop0`, waits for `pop1` without reaching for
    /// `pop2` (which it would hold while waiting), and at the deadline takes `pop2`, still free.
    #[test]
    fn leases_are_waited_for_in_name_order_and_the_free_ones_taken_at_the_deadline() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut store, _) = Store::create(&dir.path().join("s.db")).expect("store");
        let far = amoe_core::time::format_utc(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1));
        assert!(store.take_lease("pop1", "other", &far).expect("lease"));
        let hosts = [host("pop2"), host("pop1"), host("pop0")];
        let mut leased = [false; 3];
        let (path, mine) = (dir.path().join("s.db"), "mine");
        let waiting = std::thread::spawn(move || {
            let mut store = Store::open(&path).expect("open");
            take_leases(&mut store, &hosts, mine, Duration::from_millis(800), &mut leased).expect("take");
            leased
        });
        // While it waits for pop1, pop2 is not held (the other run could take it).
        std::thread::sleep(Duration::from_millis(300));
        assert!(store.take_lease("pop2", "third", &far).expect("lease"), "pop2 was held while waiting");
        store.release_lease("pop2", "third").expect("release");
        let leased = waiting.join().expect("thread");
        assert_eq!(leased, [true, false, true], "pop2 and pop0 taken, pop1 the other run's");
    }
}
