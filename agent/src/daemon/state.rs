//! What the agent was told, kept on the host so that a restart keeps it: one JSON file per
//! site under `STATE/sites/`, the flush idempotency keys already applied
//! (`STATE/applied-flushes.jsonl`), the revocation list (`STATE/crl.pem`), the sites' HTTPS certificates and keys
//! (`STATE/certs/`) and the journal of
//! control-API calls (`STATE/control-journal.jsonl`). Files are written to a temporary name and
//! renamed.
//!
//! Everything here is the agent's alone (the journal holds client addresses): directories are
//! created 0700 and files 0600, whatever the umask.

use amoe_proto::SiteSpec;
use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct State {
    dir: PathBuf,
}

/// Mode of the files the agent writes.
pub const FILE_MODE: u32 = 0o600;
/// Mode of the directories it creates.
pub const DIR_MODE: u32 = 0o700;

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(FILE_MODE).open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_data()?;
    std::fs::rename(tmp, path)
}

/// Opens `path` for appending, creating it owner-only.
fn append(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().create(true).append(true).mode(FILE_MODE).open(path)
}

/// Creates `dir` and its missing parents owner-only.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new().recursive(true).mode(DIR_MODE).create(dir)
}

impl State {
    pub fn open(dir: &Path) -> std::io::Result<State> {
        create_private_dir(&dir.join("sites"))?;
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

    /// Where a site's HTTPS certificate chain and key are kept (`STATE/certs/NAME.pem`,
    /// `NAME.key`, 0600).
    pub fn cert_paths(&self, site: &str) -> (PathBuf, PathBuf) {
        let dir = self.dir.join("certs");
        (dir.join(format!("{site}.pem")), dir.join(format!("{site}.key")))
    }

    /// Saves a site's certificate and key (each replaced atomically, the key first).
    pub fn save_cert(&self, site: &str, cert: &[u8], key: &[u8]) -> std::io::Result<()> {
        create_private_dir(&self.dir.join("certs"))?;
        let (c, k) = self.cert_paths(site);
        write_atomic(&k, key)?;
        write_atomic(&c, cert)
    }

    /// Forgets a site's certificate (a site removed); no certificate is not an error.
    pub fn delete_cert(&self, site: &str) -> std::io::Result<()> {
        let (c, k) = self.cert_paths(site);
        for p in [c, k] {
            match std::fs::remove_file(p) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    fn applied_path(&self) -> PathBuf {
        self.dir.join("applied-flushes.jsonl")
    }

    /// The record of applied flush keys (see `idempotency`), as written.
    pub fn applied_lines(&self) -> String {
        std::fs::read_to_string(self.applied_path()).unwrap_or_default()
    }

    pub fn append_applied(&self, line: &str) -> std::io::Result<()> {
        let mut f = append(&self.applied_path())?;
        f.write_all(format!("{line}\n").as_bytes())?;
        f.sync_data()
    }

    pub fn rewrite_applied(&self, text: &[u8]) -> std::io::Result<()> {
        write_atomic(&self.applied_path(), text)
    }

    /// Appends one entry to the control-API journal.
    pub fn journal(&self, entry: &serde_json::Value) {
        let path = self.dir.join("control-journal.jsonl");
        // One write per entry, so that a reader never sees half a line.
        let line = format!("{entry}\n");
        let written = append(&path).and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(e) = written {
            tracing::error!(file = %path.display(), error = %e, "cannot write the control journal");
        }
    }
}
