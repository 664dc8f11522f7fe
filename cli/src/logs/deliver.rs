//! `amoe logs deliver`: a site's day, merged from every host, to the beneficiary's SFTP
//! account, then the notice by e-mail.
//!
//! Steps for one site and day, each recorded so that an interrupted run is finished by the
//! next one and nothing is sent twice:
//! 1. every host serving the site must have both closed files in the archive (else the day
//!    waits, unless `--allow-incomplete`, which the record and the notice say);
//! 2. the archived files are checked against their recorded SHA-256 (a damaged one is dropped
//!    from the archive, to be collected again);
//! 3. merge into `SITE-DAY.log.gz` and `SITE-DAY.w3c.log.gz` (same inputs, same bytes), the
//!    day's figures by hour (`.stats.csv`, `.stats.svg`) and `.manifest.json`;
//! 4. the attempt is recorded, then each file is uploaded as `NAME.part`, its size checked,
//!    renamed (the manifest last); `uploaded_at` is recorded;
//! 5. the notice is sent and `notified_at` recorded. SMTP down: the files stay delivered and
//!    the notice is owed; the next run sends it, once.

use std::path::{Path, PathBuf};

use amoe_core::Name;
use amoe_store::beneficiaries::BeneficiaryReads;
use amoe_store::logs::{Delivery, DeliveryAccount, LogReads};
use amoe_store::sites::SiteReads;
use amoe_store::{AuditDraft, Store};
use serde::Serialize;

use super::mail::{self, FileLine, Notice};
use super::merge::merge;
use super::ssh::{self, Pin};
use super::{check_gz, day_dir, file_name};
use crate::settings::Settings;

/// What to deliver.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Sites (default: every site).
    pub site: Option<String>,
    /// Days, inclusive (default: every archived day not yet delivered).
    pub from: Option<String>,
    /// Last day.
    pub to: Option<String>,
    /// Deliver again days already delivered.
    pub again: bool,
    /// Deliver without every host's files.
    pub allow_incomplete: bool,
    /// Pin an account's unknown SSH key.
    pub accept_new_host_key: bool,
    /// `fr` or `en`.
    pub lang: String,
}

/// One site-day's outcome.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DayOutcome {
    /// Site.
    pub site: String,
    /// Day.
    pub day: String,
    /// `delivered`, `notified`, `already`, `waiting` or `failed`.
    pub state: String,
    /// Why (waiting, failed), or what was done.
    pub detail: String,
}

/// The manifest uploaded beside the files.
#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Manifest {
    /// Site.
    pub site: String,
    /// Paris day.
    pub day: String,
    /// Delivery attempt (1, then one more per re-delivery).
    pub attempt: u32,
    /// Hosts whose files are merged.
    pub hosts: Vec<String>,
    /// Hosts serving the site whose files are missing.
    pub missing_hosts: Vec<String>,
    /// Lines that came later than the merge window could reorder.
    pub late_lines: u64,
    /// The files.
    pub files: Vec<FileLine>,
}

fn account_for(store: &Store, site: &str, beneficiary: &str) -> anyhow::Result<Option<DeliveryAccount>> {
    Ok(match store.delivery_account(&format!("site:{site}"))? {
        Some(a) => Some(a),
        None => store.delivery_account(&format!("beneficiary:{beneficiary}"))?,
    })
}

/// Runs deliveries; one outcome per site and day considered.
pub fn deliver(
    store: &mut Store,
    settings: &Settings,
    archive: &Path,
    draft: &AuditDraft,
    req: &Request,
) -> anyhow::Result<Vec<DayOutcome>> {
    let mut outcomes = Vec::new();
    for site in store.sites()? {
        let name = site.name.to_string();
        if req.site.as_ref().is_some_and(|s| *s != name) {
            continue;
        }
        let archived = store.archived_logs(Some(&name), None, req.from.as_deref(), req.to.as_deref())?;
        let mut days: Vec<String> = archived.iter().map(|a| a.day.clone()).collect();
        // A day asked for by name is considered even when nothing of it is archived.
        if let (Some(f), Some(t)) = (&req.from, &req.to)
            && f == t
        {
            days.push(f.clone());
        }
        for d in store.deliveries(Some(&name), None)? {
            if d.notified_at.is_none()
                && req.from.as_ref().is_none_or(|f| d.day >= *f)
                && req.to.as_ref().is_none_or(|t| d.day <= *t)
            {
                days.push(d.day.clone());
            }
        }
        days.sort();
        days.dedup();
        for day in days {
            let outcome = match deliver_day(store, settings, archive, draft, req, &site, &day) {
                Ok(o) => o,
                Err(e) => DayOutcome {
                    site: name.clone(),
                    day: day.clone(),
                    state: "failed".into(),
                    detail: format!("{e:#}"),
                },
            };
            if outcome.state == "failed" {
                let mut d = draft.clone();
                d.target = Some(format!("{name}/{day}"));
                let _ = store.journal(&d, &format!("failed: {}", outcome.detail));
            }
            outcomes.push(outcome);
        }
    }
    Ok(outcomes)
}

#[allow(clippy::too_many_arguments)]
fn deliver_day(
    store: &mut Store,
    settings: &Settings,
    archive: &Path,
    draft: &AuditDraft,
    req: &Request,
    site: &amoe_core::Site,
    day: &str,
) -> anyhow::Result<DayOutcome> {
    let name = site.name.to_string();
    let outcome = |state: &str, detail: String| DayOutcome {
        site: name.clone(),
        day: day.to_owned(),
        state: state.into(),
        detail,
    };
    let past = store.deliveries(Some(&name), Some(day))?;
    let last = past.last().cloned();
    let mut d = draft.clone();
    d.target = Some(format!("{name}/{day}"));

    // What is owed from an earlier run comes first.
    if let Some(prev) = &last
        && !req.again
    {
        if prev.notified_at.is_some() {
            return Ok(outcome("already", format!("delivered and notified (attempt {})", prev.attempt)));
        }
        if prev.uploaded_at.is_some() {
            return notify(store, settings, &d, req, site, prev)
                .map(|()| outcome("notified", "the owed notice was sent".into()));
        }
    }

    // 1. Every host's files.
    let archived: Vec<_> =
        store.archived_logs(Some(&name), None, Some(day), Some(day))?.into_iter().filter(super::safe_row).collect();
    let serving: Vec<String> = site.hosts.iter().map(Name::to_string).collect();
    let complete = |h: &str| ["clf", "w3c"].iter().all(|f| archived.iter().any(|a| a.host == h && a.format == *f));
    let missing: Vec<String> = serving.iter().filter(|h| !complete(h)).cloned().collect();
    let hosts: Vec<String> = {
        let mut h: Vec<String> = archived.iter().map(|a| a.host.clone()).filter(|h| complete(h)).collect();
        h.dedup();
        h
    };
    if !missing.is_empty() && !req.allow_incomplete {
        return Ok(outcome("waiting", format!("waiting for the files of {}", missing.join(", "))));
    }
    if hosts.is_empty() {
        return Ok(outcome("waiting", "no host's files are collected for this day".into()));
    }
    let account = account_for(store, &name, site.beneficiary.as_str())?.ok_or_else(|| {
        crate::error::Failure::new(format!("no SFTP account to deliver `{name}`'s logs to")).hint(format!(
            "set one with `amoe logs account set --beneficiary {} …` (or `--site {name}`)",
            site.beneficiary
        ))
    })?;

    // 2. The archive is what was collected.
    let dir = day_dir(archive, &name, day);
    let mut inputs: Vec<(String, PathBuf)> = Vec::new();
    // Rows of size 0: the host served no request that day (nothing to check or merge).
    for a in archived.iter().filter(|a| hosts.contains(&a.host) && a.size > 0) {
        let path = dir.join(&a.host).join(file_name(&name, day, &a.format));
        let ok = matches!(check_gz(&path), Ok((sha, _, _)) if sha == a.sha256);
        if !ok {
            let mut dd = d.clone();
            dd.command = "logs deliver (damaged archive file dropped)".into();
            store.mutate(&dd, |tx| tx.forget_archived(&a.site, &a.host, &a.day, &a.format))?;
            let _ = std::fs::remove_file(&path);
            anyhow::bail!(
                "{} from {} is damaged in the archive (SHA-256 differs); it was dropped and `amoe logs collect` fetches it again",
                file_name(&name, day, &a.format),
                a.host
            );
        }
        inputs.push((a.format.clone(), path));
    }

    // 3. Merge, figures, manifest.
    let attempt = if req.again || last.is_none() {
        last.as_ref().map_or(1, |l| l.attempt + 1)
    } else {
        last.as_ref().map_or(1, |l| l.attempt)
    };
    let out = dir.join("delivery");
    super::private_dir(&out)?;
    let mut files = Vec::new();
    let mut late = 0;
    for (format, w3c) in [("clf", false), ("w3c", true)] {
        let ins: Vec<PathBuf> = inputs.iter().filter(|(f, _)| f == format).map(|(_, p)| p.clone()).collect();
        let fname = file_name(&name, day, format);
        let m = merge(&ins, w3c, "amoe", &out.join(&fname))?;
        late += m.late;
        files.push(FileLine { name: fname, size: m.size, lines: Some(m.lines), sha256: m.sha256 });
    }
    let w3c_path = out.join(file_name(&name, day, "w3c"));
    let opts = amoe_logstats::Options { by_hour: true, paris: true, ..Default::default() };
    let report = amoe_logstats::report(&[w3c_path], &opts, 20);
    for (suffix, bytes) in [
        (".stats.csv", report.csv().into_bytes()),
        (".stats.svg", amoe_logstats::chart::svg(&report, &format!("{name} — {day}")).into_bytes()),
    ] {
        let fname = format!("{name}-{day}{suffix}");
        let path = out.join(&fname);
        crate::ops::replace_file(&path, &bytes, 0o600)?;
        files.push(FileLine {
            name: fname,
            size: bytes.len() as u64,
            lines: None,
            sha256: crate::ops::sha256_hex(&bytes),
        });
    }
    let manifest = Manifest {
        site: name.clone(),
        day: day.to_owned(),
        attempt,
        hosts: hosts.clone(),
        missing_hosts: missing.clone(),
        late_lines: late,
        files: files.clone(),
    };
    let manifest_text = serde_json::to_string_pretty(&manifest)? + "\n";
    let manifest_name = format!("{name}-{day}.manifest.json");
    crate::ops::replace_file(&out.join(&manifest_name), manifest_text.as_bytes(), 0o600)?;

    // 4. Record the attempt, upload, record the upload.
    let mut delivery = Delivery {
        site: name.clone(),
        day: day.to_owned(),
        attempt,
        again: req.again && last.is_some(),
        incomplete: !missing.is_empty(),
        hosts,
        files: manifest_text.clone(),
        uploaded_at: None,
        notified_at: None,
    };
    store.mutate(&d, |tx| tx.record_delivery(&delivery))?;
    let (conn, new_pin) = ssh::connect(
        &account.host,
        account.port,
        &account.user,
        &ssh::key_path(&account.key_file),
        Pin::Stored(account.host_key.as_deref()),
        req.accept_new_host_key,
    )?;
    if let Some(pin) = new_pin {
        let pinned = DeliveryAccount { host_key: Some(pin), ..account.clone() };
        let mut dd = d.clone();
        dd.command = "logs deliver (SSH key pinned)".into();
        dd.target = Some(account.owner.clone());
        store.mutate(&dd, |tx| tx.set_delivery_account(&pinned))?;
    }
    conn.ensure_dir(&account.folder)?;
    // Resuming the same attempt with the same content: files already whole under their final
    // name are kept. Anything else is sent again.
    let previous: Option<Manifest> = last
        .as_ref()
        .filter(|l| l.attempt == attempt && l.uploaded_at.is_none())
        .and_then(|l| serde_json::from_str(&l.files).ok());
    let same = |name: &str, sha: &str| {
        previous.as_ref().is_some_and(|p| p.files.iter().any(|f| f.name == name && f.sha256 == sha))
    };
    for f in &files {
        conn.upload(&out.join(&f.name), &account.folder, &f.name, &f.sha256, same(&f.name, &f.sha256))?;
    }
    let manifest_sha = crate::ops::sha256_hex(manifest_text.as_bytes());
    let manifest_same = last.as_ref().is_some_and(|l| l.attempt == attempt && l.files == manifest_text);
    conn.upload(&out.join(&manifest_name), &account.folder, &manifest_name, &manifest_sha, manifest_same)?;
    delivery.uploaded_at = Some(super::now());
    store.mutate(&d, |tx| tx.record_delivery(&delivery))?;

    // 5. The notice.
    match notify(store, settings, &d, req, site, &delivery) {
        Ok(()) => Ok(outcome(
            "delivered",
            format!("{} files to {}@{}:{}", files.len() + 1, account.user, account.host, account.folder),
        )),
        Err(e) => Ok(outcome(
            "failed",
            format!("files delivered; the notice is owed and will be sent by the next run: {e:#}"),
        )),
    }
}

fn notify(
    store: &mut Store,
    settings: &Settings,
    draft: &AuditDraft,
    req: &Request,
    site: &amoe_core::Site,
    delivery: &Delivery,
) -> anyhow::Result<()> {
    let cfg = settings.mail.as_ref().ok_or_else(|| {
        crate::error::Failure::new("no SMTP server to send the notice")
            .hint("add a [mail] table (server, sender, …) to config.toml; the notice stays owed")
    })?;
    let manifest: Manifest = serde_json::from_str(&delivery.files)?;
    let beneficiary = store.beneficiary(&site.beneficiary)?;
    let to: Vec<String> = beneficiary.emails.iter().map(ToString::to_string).collect();
    let account = account_for(store, &delivery.site, site.beneficiary.as_str())?;
    let folder = account.map(|a| a.folder).unwrap_or_default();
    let mut files = manifest.files.clone();
    files.push(FileLine {
        name: format!("{}-{}.manifest.json", delivery.site, delivery.day),
        size: delivery.files.len() as u64,
        lines: None,
        sha256: crate::ops::sha256_hex(delivery.files.as_bytes()),
    });
    let (subject, body) = mail::compose(&Notice {
        site: &delivery.site,
        day: &delivery.day,
        folder: &folder,
        files: &files,
        hosts: &manifest.hosts,
        missing: &manifest.missing_hosts,
        again: delivery.again,
        lang: &req.lang,
    });
    mail::send(cfg, &to, &subject, &body)?;
    let done = Delivery { notified_at: Some(super::now()), ..delivery.clone() };
    let mut d = draft.clone();
    d.command = "logs deliver (notice sent)".into();
    store.mutate(&d, |tx| tx.record_delivery(&done))?;
    Ok(())
}
