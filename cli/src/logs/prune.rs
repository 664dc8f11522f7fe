//! `amoe logs prune`: the archive keeps at least 183 days (six months, 003 §3.2.3.2); older
//! days are removed, files and records together.

use std::path::Path;

use amoe_store::logs::LogReads;
use amoe_store::{AuditDraft, Store};

/// The least the archive keeps, in days.
pub const MIN_KEEP_DAYS: u32 = 183;

/// Removes days older than `keep` days before `today`; returns (site, day) removed.
pub fn prune(
    store: &mut Store,
    archive: &Path,
    draft: &AuditDraft,
    keep: u32,
    today: jiff::civil::Date,
) -> anyhow::Result<Vec<(String, String)>> {
    let keep = keep.max(MIN_KEEP_DAYS);
    let cutoff = today.checked_sub(jiff::Span::new().days(i64::from(keep)))?.to_string();
    let old = store
        .archived_logs(None, None, None, None)?
        .into_iter()
        .filter(|a| a.day < cutoff && super::safe_row(a))
        .collect::<Vec<_>>();
    let mut removed: Vec<(String, String)> = Vec::new();
    for a in &old {
        let mut d = draft.clone();
        d.target = Some(format!("{}/{}/{}/{}", a.site, a.host, a.day, a.format));
        let path =
            super::day_dir(archive, &a.site, &a.day).join(&a.host).join(super::file_name(&a.site, &a.day, &a.format));
        store.mutate(&d, |tx| tx.forget_archived(&a.site, &a.host, &a.day, &a.format))?;
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        if !removed.iter().any(|(s, day)| *s == a.site && *day == a.day) {
            removed.push((a.site.clone(), a.day.clone()));
        }
    }
    // Only known files go, then the folders if they are empty.
    for (site, day) in &removed {
        let dir = super::day_dir(archive, site, day);
        let delivery = dir.join("delivery");
        for suffix in [".log.gz", ".w3c.log.gz", ".stats.csv", ".stats.svg", ".manifest.json"] {
            let _ = std::fs::remove_file(delivery.join(format!("{site}-{day}{suffix}")));
        }
        let _ = std::fs::remove_dir(&delivery);
        if let Ok(rd) = std::fs::read_dir(&dir) {
            for host in rd.flatten() {
                let _ = std::fs::remove_dir(host.path());
            }
        }
        let _ = std::fs::remove_dir(&dir);
    }
    Ok(removed)
}
