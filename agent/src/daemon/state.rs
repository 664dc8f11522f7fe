//! What the agent was told, kept on the host so that a restart keeps it: one JSON file per
//! site under `STATE/sites/`, the flush idempotency keys already applied
//! (`STATE/applied-flushes.jsonl`), the revocation list (`STATE/crl.pem`) and the journal of
//! control-API calls (`STATE/control-journal.jsonl`). Files are written to a temporary name and
//! renamed.

use amoe_proto::{FlushResult, SiteSpec};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct State {
    dir: PathBuf,
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(tmp, path)
}

impl State {
    pub fn open(dir: &Path) -> std::io::Result<State> {
        std::fs::create_dir_all(dir.join("sites"))?;
        Ok(State { dir: dir.to_path_buf() })
    }

    pub fn crl_path(&self) -> PathBuf {
        self.dir.join("crl.pem")
    }

    pub fn save_crl(&self, pem: &[u8]) -> std::io::Result<()> {
        write_atomic(&self.crl_path(), pem)
    }

    pub fn sites(&self) -> std::io::Result<BTreeMap<String, SiteSpec>> {
        let mut out = BTreeMap::new();
        for entry in std::fs::read_dir(self.dir.join("sites"))? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "json") {
                let bytes = std::fs::read(&path)?;
                match serde_json::from_slice::<SiteSpec>(&bytes) {
                    Ok(spec) => {
                        out.insert(spec.name.clone(), spec);
                    }
                    Err(e) => tracing::warn!(file = %path.display(), error = %e, "ignoring an unreadable site file"),
                }
            }
        }
        Ok(out)
    }

    pub fn save_site(&self, spec: &SiteSpec) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(spec).map_err(std::io::Error::other)?;
        write_atomic(&self.dir.join("sites").join(format!("{}.json", spec.name)), &bytes)
    }

    pub fn delete_site(&self, name: &str) -> std::io::Result<()> {
        std::fs::remove_file(self.dir.join("sites").join(format!("{name}.json")))
    }

    /// The flush keys already applied, with their results.
    pub fn applied(&self) -> HashMap<String, FlushResult> {
        let Ok(text) = std::fs::read_to_string(self.dir.join("applied-flushes.jsonl")) else { return HashMap::new() };
        text.lines().filter_map(|l| serde_json::from_str::<(String, FlushResult)>(l).ok()).collect()
    }

    pub fn record_applied(&self, key: &str, result: &FlushResult) -> std::io::Result<()> {
        let mut f =
            std::fs::OpenOptions::new().create(true).append(true).open(self.dir.join("applied-flushes.jsonl"))?;
        let line = serde_json::to_string(&(key, result)).map_err(std::io::Error::other)?;
        f.write_all(format!("{line}\n").as_bytes())?;
        f.sync_data()
    }

    /// Appends one entry to the control-API journal.
    pub fn journal(&self, entry: &serde_json::Value) {
        let path = self.dir.join("control-journal.jsonl");
        // One write per entry, so that a reader never sees half a line.
        let line = format!("{entry}\n");
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(e) = written {
            tracing::error!(file = %path.display(), error = %e, "cannot write the control journal");
        }
    }
}
