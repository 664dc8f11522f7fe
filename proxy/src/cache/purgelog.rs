//! The purges that objects indexed on disk only (by the hash of their key, see `disk.rs`) have
//! not been checked against yet: a directory, a tag or a soft purge of a whole site cannot be
//! found among hashes, so it is logged here and applied when such an object is next read (a
//! hit, the scan at start) or by the background pass ([`crate::cache::Cache::lurk`]), after
//! which the entry is dropped. Like Varnish's ban list and its lurker.
//!
//! Sequence numbers are microseconds since the epoch, or the last one plus one when the clock
//! did not move: every file records the sequence at its writing, and a logged purge applies
//! to the files written before it, across restarts even if this log was lost. The log is kept
//! in `DIR/purges.jsonl` (one purge per line, the first line the current sequence), appended
//! to on each purge and rewritten when trimmed.

use super::{Key, PurgeMode, Scope};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    seq: u64,
    site: String,
    scope: Scope,
    hard: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct Head {
    next_after: u64,
}

#[derive(Debug)]
struct Inner {
    seq: u64,
    entries: VecDeque<Entry>,
    file: Option<std::fs::File>,
}

/// The log (see the module documentation).
#[derive(Debug)]
pub struct PurgeLog {
    path: PathBuf,
    inner: Mutex<Inner>,
}

fn now_micros() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64)
}

impl PurgeLog {
    /// Opens (or starts) the log in `dir`; unreadable lines are skipped.
    pub fn open(dir: &Path) -> std::io::Result<PurgeLog> {
        let path = dir.join("purges.jsonl");
        let mut seq = 0;
        let mut entries = VecDeque::new();
        if let Ok(f) = std::fs::File::open(&path) {
            for line in std::io::BufReader::new(f).lines() {
                let Ok(line) = line else { break };
                if let Ok(e) = serde_json::from_str::<Entry>(&line) {
                    seq = seq.max(e.seq);
                    entries.push_back(e);
                } else if let Ok(h) = serde_json::from_str::<Head>(&line) {
                    seq = seq.max(h.next_after);
                }
            }
        }
        let log = PurgeLog { path, inner: Mutex::new(Inner { seq: seq.max(now_micros()), entries, file: None }) };
        log.rewrite(&mut log.lock())?;
        Ok(log)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The sequence now: a file written now records it.
    pub fn seq(&self) -> u64 {
        self.lock().seq
    }

    /// Purges logged and not yet trimmed.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Logs a purge of `site`; it applies to files written before it.
    pub fn append(&self, site: &str, scope: Scope, mode: PurgeMode) {
        let mut inner = self.lock();
        inner.seq = (inner.seq + 1).max(now_micros());
        let e = Entry { seq: inner.seq, site: site.to_string(), scope, hard: mode == PurgeMode::Hard };
        if let (Some(f), Ok(mut line)) = (inner.file.as_mut(), serde_json::to_vec(&e)) {
            line.push(b'\n');
            if let Err(err) = f.write_all(&line) {
                tracing::warn!(error = %err, "cannot append to the purge log; it is kept in memory");
            }
        }
        inner.entries.push_back(e);
    }

    /// What the purges logged after `written` say of an object of `site` with this key and
    /// these tags: `Hard` (it must go), `Soft` (it is stale) or nothing.
    pub fn verdict(&self, site: &str, key: &Key, tags: &[String], written: u64) -> Option<PurgeMode> {
        let inner = self.lock();
        let mut verdict = None;
        for e in inner.entries.iter().rev().take_while(|e| e.seq > written) {
            if e.site == site && e.scope.covers(key, tags) {
                if e.hard {
                    return Some(PurgeMode::Hard);
                }
                verdict = Some(PurgeMode::Soft);
            }
        }
        verdict
    }

    /// Whether a purge of `site` is logged after `written` (a cheap test before reading a
    /// file's metadata).
    pub fn pending_for(&self, site: &str, written: u64) -> bool {
        self.lock().entries.iter().rev().take_while(|e| e.seq > written).any(|e| e.site == site)
    }

    /// The sites with logged purges.
    pub fn sites(&self) -> Vec<String> {
        let mut v: Vec<String> = self.lock().entries.iter().map(|e| e.site.clone()).collect();
        v.sort();
        v.dedup();
        v
    }

    /// Drops the purges up to `upto`, every file written before them having been checked.
    pub fn trim(&self, upto: u64) {
        let mut inner = self.lock();
        let before = inner.entries.len();
        inner.entries.retain(|e| e.seq > upto);
        if inner.entries.len() != before
            && let Err(e) = self.rewrite(&mut inner)
        {
            tracing::warn!(error = %e, "cannot rewrite the purge log");
        }
    }

    /// Writes the whole log again (the sequence first), through a temporary file.
    fn rewrite(&self, inner: &mut Inner) -> std::io::Result<()> {
        let tmp = self.path.with_extension("tmp");
        let mut out = serde_json::to_vec(&Head { next_after: inner.seq }).map_err(std::io::Error::other)?;
        out.push(b'\n');
        for e in &inner.entries {
            out.extend(serde_json::to_vec(e).map_err(std::io::Error::other)?);
            out.push(b'\n');
        }
        {
            use std::os::unix::fs::OpenOptionsExt;
            let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp)?;
            f.write_all(&out)?;
        }
        std::fs::rename(&tmp, &self.path)?;
        inner.file = Some(std::fs::OpenOptions::new().append(true).open(&self.path)?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::key::Scheme;

    #[test]
    fn purges_apply_to_files_written_before_them_across_restarts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = Key::new(Scheme::Http, "h", "/news/a");
        let log = PurgeLog::open(dir.path()).expect("open");
        let before = log.seq();
        log.append("s", Scope::Directory("/news".into()), PurgeMode::Soft);
        let between = log.seq();
        log.append("s", Scope::Tag("t".into()), PurgeMode::Hard);
        assert_eq!(log.verdict("s", &key, &[], before), Some(PurgeMode::Soft));
        assert_eq!(log.verdict("s", &key, &["t".into()], before), Some(PurgeMode::Hard));
        assert_eq!(log.verdict("s", &key, &[], between), None, "written after the directory purge");
        assert_eq!(log.verdict("other", &key, &["t".into()], before), None);
        assert!(log.pending_for("s", before) && !log.pending_for("other", before));
        drop(log);
        let log = PurgeLog::open(dir.path()).expect("reopen");
        assert_eq!(log.len(), 2);
        assert_eq!(log.verdict("s", &key, &["t".into()], before), Some(PurgeMode::Hard));
        let now = log.seq();
        log.trim(now);
        assert!(log.is_empty());
        drop(log);
        // Trimmed to nothing, the sequence still goes on from where it was.
        let log = PurgeLog::open(dir.path()).expect("reopen");
        assert!(log.is_empty());
        assert!(log.seq() >= now);
    }
}
