//! `amoe logs collect`: every host's closed daily files, over SFTP, into the local archive.
//!
//! One thread per host (libssh2 sessions block); each file is fetched to `NAME.part` (resumed
//! after an interruption), read whole (gzip's CRC and a line count), hashed, renamed, and only
//! then recorded in the store by the main thread, in its own audited transaction. A damaged
//! file is fetched again once from the start; a file already archived with the same size is
//! skipped, so a rerun fetches only what is missing.

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use amoe_store::hosts::HostReads;
use amoe_store::logs::{ArchivedLog, LogReads};
use amoe_store::sites::SiteReads;
use amoe_store::{AuditDraft, Store};
use serde::Serialize;

use super::ssh::{self, Pin};
use super::{UNKNOWN_SITE, check_gz, day_dir, file_name, parse_name};
use crate::settings::Settings;

/// What to collect.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Only this day (default: every closed file not yet archived).
    pub day: Option<String>,
    /// Only this site.
    pub site: Option<String>,
    /// Only this host.
    pub host: Option<String>,
    /// Pin unknown host keys instead of refusing them.
    pub accept_new_host_key: bool,
    /// Show progress bars (a terminal, not `--quiet`).
    pub progress: bool,
}

/// One host's outcome.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HostCollect {
    /// Host.
    pub host: String,
    /// Files fetched by this run.
    pub fetched: usize,
    /// Bytes fetched.
    pub bytes: u64,
    /// Files already in the archive.
    pub already: usize,
    /// Why the host failed, if it did (its files fetched before the failure are kept).
    pub error: Option<String>,
}

/// The run's outcome, per host.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CollectReport {
    /// Hosts, by name.
    pub hosts: Vec<HostCollect>,
}

enum Msg {
    Fetched(ArchivedLog),
    /// The file names found in a site's folder on a host (a host that could list it).
    Listed {
        host: String,
        site: String,
        names: Vec<String>,
    },
    Done(HostCollect),
}

/// An archived file: day, format, size.
type Known = (String, String, u64);

struct Job {
    host: String,
    host_addr: String,
    port: u16,
    user: String,
    log_dir: String,
    /// Sites to look for, whether the host serves them (else only a folder found there is
    /// read: a site the host served earlier), and the archived (day, format, size) known.
    sites: Vec<(String, bool, Vec<Known>)>,
}

fn endpoint(raw: &str) -> (String, u16) {
    if let Some(rest) = raw.strip_prefix('[')
        && let Some((h, p)) = rest.split_once("]:")
    {
        return (h.to_owned(), p.parse().unwrap_or(22));
    }
    match raw.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h.to_owned(), p.parse().unwrap_or(22)),
        _ => (raw.trim_matches(|c| c == '[' || c == ']').to_owned(), 22),
    }
}

/// Runs a collection; the store records every file as it lands.
pub fn collect(
    store: &mut Store,
    settings: &Settings,
    archive: &Path,
    draft: &AuditDraft,
    req: &Request,
) -> anyhow::Result<CollectReport> {
    let key = settings.logs.ssh_key.clone().unwrap_or_else(|| PathBuf::from("id_ed25519"));
    let known_hosts = settings.logs.known_hosts.clone().unwrap_or_else(|| archive.join("known_hosts"));
    let default_user = settings.logs.ssh_user.clone().unwrap_or_else(|| "amoe-logs".into());
    let sites = store.sites()?;
    let mut jobs = Vec::new();
    for host in store.hosts()? {
        let name = host.name.to_string();
        if req.host.as_ref().is_some_and(|h| *h != name) {
            continue;
        }
        let ssh = store.host_ssh(&name)?;
        let (addr, port) = match &ssh.endpoint {
            Some(e) => endpoint(e),
            None => (host.address.host().trim_matches(|c| c == '[' || c == ']').to_owned(), 22),
        };
        let mut names: Vec<(String, bool)> =
            sites.iter().map(|s| (s.name.to_string(), s.hosts.iter().any(|h| h.as_str() == name))).collect();
        names.push((UNKNOWN_SITE.to_owned(), true));
        names.retain(|(s, _)| req.site.as_ref().is_none_or(|want| want == s));
        let mut with_known = Vec::new();
        for (site, served) in names {
            let known = store
                .archived_logs(Some(&site), Some(&name), req.day.as_deref(), req.day.as_deref())?
                .into_iter()
                .map(|a| (a.day, a.format, a.size))
                .collect();
            with_known.push((site, served, known));
        }
        if with_known.is_empty() {
            continue;
        }
        jobs.push(Job {
            host: name,
            host_addr: addr,
            port,
            user: ssh.user.unwrap_or_else(|| default_user.clone()),
            log_dir: ssh.log_dir.unwrap_or_else(|| "/".into()),
            sites: with_known,
        });
    }
    let bars = indicatif::MultiProgress::with_draw_target(if req.progress {
        indicatif::ProgressDrawTarget::stderr()
    } else {
        indicatif::ProgressDrawTarget::hidden()
    });
    let (tx, rx) = mpsc::channel::<Msg>();
    let mut report = CollectReport { hosts: Vec::new() };
    let mut listed: Vec<(String, String, Vec<String>)> = Vec::new();
    let mut record_error = None;
    std::thread::scope(|s| {
        for job in &jobs {
            let tx = tx.clone();
            let bar = bars.add(indicatif::ProgressBar::new(0));
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{prefix:>12} [{bar:30}] {bytes}/{total_bytes} {msg}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(job.host.clone());
            let (key, known_hosts) = (&key, &known_hosts);
            s.spawn(move || {
                let outcome = run_host(job, key, known_hosts, archive, req, &bar, &tx);
                bar.finish_and_clear();
                let _ = tx.send(Msg::Done(outcome));
            });
        }
        drop(tx);
        // The store is written here only, one file at a time, as each lands.
        for msg in rx {
            match msg {
                Msg::Fetched(a) => {
                    let mut d = draft.clone();
                    d.target = Some(format!("{}/{}/{}/{}", a.site, a.host, a.day, a.format));
                    if let Err(e) = store.mutate(&d, |tx| tx.record_archived(&a)) {
                        record_error.get_or_insert(e);
                    }
                }
                Msg::Listed { host, site, names } => listed.push((host, site, names)),
                Msg::Done(h) => {
                    if let Some(e) = &h.error {
                        let mut d = draft.clone();
                        d.target = Some(h.host.clone());
                        let _ = store.journal(&d, &format!("failed: {e}"));
                    }
                    report.hosts.push(h);
                }
            }
        }
    });
    if let Some(e) = record_error {
        return Err(e.into());
    }
    record_quiet_days(store, draft, req, &listed)?;
    report.hosts.sort_by(|a, b| a.host.cmp(&b.host));
    Ok(report)
}

/// Whether the hosts have closed `day` by now (a minute after Paris midnight; ten here).
fn closed(day: &str) -> bool {
    let paris = amoe_core::time::paris();
    let Ok(d) = jiff::civil::Date::strptime("%Y-%m-%d", day) else { return false };
    let Ok(next) = d.tomorrow() else { return false };
    next.to_datetime(jiff::civil::Time::constant(0, 10, 0, 0))
        .to_zoned(paris)
        .is_ok_and(|z| z.timestamp() <= jiff::Timestamp::now())
}

/// A host that served no request of a site on a closed day writes no file for it. When a
/// host's folder was listed after the day closed and holds neither the closed file nor an open
/// one for a day other hosts have, the day is recorded for it as empty (size 0), so that the
/// day is not waited for forever.
fn record_quiet_days(
    store: &mut Store,
    draft: &AuditDraft,
    req: &Request,
    listed: &[(String, String, Vec<String>)],
) -> anyhow::Result<()> {
    let mut sites: Vec<&str> = listed.iter().map(|(_, s, _)| s.as_str()).collect();
    sites.sort_unstable();
    sites.dedup();
    for site in sites {
        let mut days: Vec<String> = listed
            .iter()
            .filter(|(_, s, _)| s == site)
            .flat_map(|(_, _, names)| names.iter().filter_map(|n| parse_name(site, n).map(|(d, _)| d)))
            .chain(
                store
                    .archived_logs(Some(site), None, req.day.as_deref(), req.day.as_deref())?
                    .into_iter()
                    .map(|a| a.day),
            )
            .filter(|d| req.day.as_ref().is_none_or(|want| want == d) && closed(d))
            .collect();
        days.sort();
        days.dedup();
        for (host, _, names) in listed.iter().filter(|(_, s, _)| s == site) {
            let have = store.archived_logs(Some(site), Some(host), None, None)?;
            for day in &days {
                let open = |suffix: &str| names.iter().any(|n| n.starts_with(&format!("{site}-{day}{suffix}")));
                if open(".log") || open(".w3c.log") {
                    continue;
                }
                for (format, _) in super::FORMATS {
                    let name = file_name(site, day, format);
                    if names.contains(&name) || have.iter().any(|a| a.day == *day && a.format == format) {
                        continue;
                    }
                    let empty = ArchivedLog {
                        site: site.to_owned(),
                        host: host.clone(),
                        day: day.clone(),
                        format: format.to_owned(),
                        size: 0,
                        sha256: String::new(),
                        lines: 0,
                        collected_at: super::now(),
                    };
                    let mut d = draft.clone();
                    d.command = "logs collect (no request that day)".into();
                    d.target = Some(format!("{site}/{host}/{day}/{format}"));
                    store.mutate(&d, |tx| tx.record_archived(&empty))?;
                }
            }
        }
    }
    Ok(())
}

fn run_host(
    job: &Job,
    key: &Path,
    known_hosts: &Path,
    archive: &Path,
    req: &Request,
    bar: &indicatif::ProgressBar,
    tx: &mpsc::Sender<Msg>,
) -> HostCollect {
    let mut out = HostCollect { host: job.host.clone(), fetched: 0, bytes: 0, already: 0, error: None };
    let conn = match ssh::connect(
        &job.host_addr,
        job.port,
        &job.user,
        key,
        Pin::KnownHosts(known_hosts),
        req.accept_new_host_key,
    ) {
        Ok((c, _)) => c,
        Err(e) => {
            out.error = Some(e.to_string());
            return out;
        }
    };
    // What is there to fetch.
    let mut todo = Vec::new();
    let folders = match conn.list_dirs(&job.log_dir) {
        Ok(f) => f,
        Err(e) => {
            out.error = Some(e.to_string());
            return out;
        }
    };
    for (site, served, known) in &job.sites {
        if !served && !folders.contains(site) {
            continue;
        }
        let dir = format!("{}/{site}", job.log_dir.trim_end_matches('/'));
        let listing = match conn.list(&dir) {
            Ok(l) => l,
            Err(e) => {
                out.error = Some(e.to_string());
                return out;
            }
        };
        let _ = tx.send(Msg::Listed {
            host: job.host.clone(),
            site: site.clone(),
            names: listing.iter().map(|(n, _)| n.clone()).collect(),
        });
        for (name, size) in listing {
            let Some((day, format)) = parse_name(site, &name) else { continue };
            if req.day.as_ref().is_some_and(|d| *d != day) {
                continue;
            }
            if known.iter().any(|(d, f, s)| *d == day && f == format && *s == size) {
                out.already += 1;
                continue;
            }
            todo.push((site.clone(), day, format, format!("{dir}/{name}"), size));
        }
    }
    bar.set_length(todo.iter().map(|t| t.4).sum());
    for (site, day, format, remote, size) in todo {
        let folder = day_dir(archive, &site, &day).join(&job.host);
        if let Err(e) = super::private_dir(&folder) {
            out.error = Some(format!("cannot create {}: {e}", folder.display()));
            return out;
        }
        let final_path = folder.join(file_name(&site, &day, format));
        let part = folder.join(format!("{}.part", file_name(&site, &day, format)));
        bar.set_message(file_name(&site, &day, format));
        let mut checked = None;
        for attempt in 0..2 {
            if let Err(e) = conn.download(&remote, &part, &|n| bar.inc(n)) {
                out.error = Some(e.to_string());
                return out;
            }
            match check_gz(&part) {
                Ok((sha, lines, len)) if len == size => {
                    checked = Some((sha, lines, len));
                    break;
                }
                Ok((_, _, len)) if attempt == 0 => {
                    tracing_note(&format!("{remote}: {len} bytes fetched, {size} on the host; fetching again"));
                }
                Err(e) if attempt == 0 => tracing_note(&format!("{remote}: {e}; fetching again")),
                Ok((_, _, len)) => {
                    out.error = Some(format!("{remote}: {len} bytes fetched, {size} on the host"));
                }
                Err(e) => out.error = Some(format!("{remote} is damaged on the host: {e}")),
            }
            let _ = std::fs::remove_file(&part);
        }
        let Some((sha256, lines, len)) = checked else { continue };
        if let Err(e) = std::fs::rename(&part, &final_path) {
            out.error = Some(format!("cannot rename {}: {e}", part.display()));
            return out;
        }
        out.fetched += 1;
        out.bytes += len;
        let _ = tx.send(Msg::Fetched(ArchivedLog {
            site,
            host: job.host.clone(),
            day,
            format: format.to_owned(),
            size: len,
            sha256,
            lines,
            collected_at: super::now(),
        }));
    }
    out
}

fn tracing_note(msg: &str) {
    eprintln!("warning: {msg}");
}
