//! Getting everything out of the store and back in: `export` (JSON + CSV per table and a
//! manifest of SHA-256 sums), `import` (into a new or empty store, all or nothing) and `backup`
//! (a consistent copy of the SQLite file).
//!
//! An export directory holds `TABLE.json` and `TABLE.csv` for every table and `manifest.json`,
//! written last, so that an interrupted export is recognisable (no manifest). The JSON files are
//! the source of truth for `import`; the CSV files are for spreadsheets. Nothing in an export
//! depends on the time it was made: the same store always exports to the same bytes.

use crate::error::Failure;
use amoe_store::{Dump, LATEST_VERSION, Store, TableDump};
use anyhow::{Context, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};

const FORMAT: &str = "amoe-export";
const FORMAT_VERSION: u32 = 1;

/// `manifest.json` of an export directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `amoe-export`.
    pub format: String,
    /// Version of this directory layout (1).
    pub format_version: u32,
    /// Schema version of the store that was exported.
    pub schema_version: u32,
    /// One entry per table, by table name.
    pub tables: Vec<ManifestTable>,
    /// Ticket attachments, as `attachments/SHA256` files (none: the key is absent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<ManifestFile>,
}

/// One attachment file of an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// SHA-256 (hex), also the file's name under `attachments/`.
    pub sha256: String,
    /// Bytes.
    pub size: u64,
}

/// One table of an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManifestTable {
    pub table: String,
    pub rows: usize,
    /// `TABLE.json` and its SHA-256 (hex).
    pub json: String,
    pub json_sha256: String,
    /// `TABLE.csv` and its SHA-256 (hex).
    pub csv: String,
    pub csv_sha256: String,
}

/// What `export` and `import` report.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TransferReport {
    pub dir: PathBuf,
    pub store: PathBuf,
    pub schema_version: u32,
    pub tables: usize,
    pub rows: usize,
}

/// A table as JSON, one row per line so that exports diff well.
fn table_json(t: &TableDump) -> Result<Vec<u8>> {
    let mut out = format!(
        "{{\"table\":{},\"columns\":{},\"rows\":[",
        serde_json::to_string(&t.table)?,
        serde_json::to_string(&t.columns)?
    );
    for (i, row) in t.rows.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        out.push_str(&serde_json::to_string(row)?);
    }
    out.push_str("\n]}\n");
    Ok(out.into_bytes())
}

fn table_csv(t: &TableDump) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&t.columns)?;
    for row in &t.rows {
        w.write_record(row.iter().map(|v| match v {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }))?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    fs::write(path, bytes).with_context(|| format!("cannot write `{}`", path.display()))
}

pub fn export(store: &Store, files_anchor: &Path, dir: &Path) -> Result<TransferReport> {
    if dir.exists() {
        let mut entries = fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))?;
        if entries.next().is_some() {
            return Err(Failure::new(format!("`{}` is not empty", dir.display()))
                .hint("export into a new directory; amoe never mixes two exports")
                .into());
        }
    }
    fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let dump = store.dump()?;
    let mut tables = Vec::new();
    let mut rows = 0;
    for t in &dump.tables {
        let (json, csv) = (table_json(t)?, table_csv(t)?);
        let entry = ManifestTable {
            table: t.table.clone(),
            rows: t.rows.len(),
            json: format!("{}.json", t.table),
            json_sha256: crate::ops::sha256_hex(&json),
            csv: format!("{}.csv", t.table),
            csv_sha256: crate::ops::sha256_hex(&csv),
        };
        write(&dir.join(&entry.json), &json)?;
        write(&dir.join(&entry.csv), &csv)?;
        rows += t.rows.len();
        tables.push(entry);
    }
    let mut attachments = Vec::new();
    let shas = dump.attachment_shas()?;
    if !shas.is_empty() {
        let into = dir.join("attachments");
        fs::create_dir_all(&into).with_context(|| format!("cannot create `{}`", into.display()))?;
        for sha in shas {
            let bytes = crate::ops::tickets::attachment_bytes(store, files_anchor, &sha)?;
            crate::ops::replace_file(&into.join(&sha), &bytes, 0o600)?;
            attachments.push(ManifestFile { sha256: sha, size: bytes.len() as u64 });
        }
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        schema_version: dump.schema_version,
        tables,
        attachments,
    };
    let mut text = serde_json::to_vec_pretty(&manifest)?;
    text.push(b'\n');
    write(&dir.join("manifest.json"), &text)?;
    Ok(TransferReport {
        dir: dir.to_path_buf(),
        store: store_path(store),
        schema_version: dump.schema_version,
        tables: manifest.tables.len(),
        rows,
    })
}

fn store_path(store: &Store) -> PathBuf {
    amoe_store::Reads::path(store).to_path_buf()
}

fn corrupt(dir: &Path, what: String) -> anyhow::Error {
    Failure::new(format!("`{}` is not a usable export: {what}", dir.display()))
        .hint("nothing was imported; export again from the source store, or use another copy")
        .into()
}

/// Reads and checks an export directory completely before anything is written.
pub fn read_export(dir: &Path) -> Result<Dump> {
    let manifest_path = dir.join("manifest.json");
    let text = fs::read(&manifest_path).map_err(|e| corrupt(dir, format!("cannot read manifest.json ({e})")))?;
    let manifest: Manifest =
        serde_json::from_slice(&text).map_err(|e| corrupt(dir, format!("manifest.json is invalid ({e})")))?;
    if manifest.format != FORMAT || manifest.format_version != FORMAT_VERSION {
        return Err(corrupt(dir, format!("unknown format `{}` version {}", manifest.format, manifest.format_version)));
    }
    if manifest.schema_version > LATEST_VERSION {
        return Err(Failure::new(format!(
            "the export has schema version {}, newer than this amoe knows ({LATEST_VERSION})",
            manifest.schema_version
        ))
        .hint("import it with a newer amoe")
        .into());
    }
    let mut tables = Vec::new();
    for entry in &manifest.tables {
        for (file, sum) in [(&entry.json, &entry.json_sha256), (&entry.csv, &entry.csv_sha256)] {
            if file.contains(['/', '\\']) || file.starts_with('.') {
                return Err(corrupt(dir, format!("the manifest names a file outside the export: `{file}`")));
            }
            let bytes = fs::read(dir.join(file)).map_err(|e| corrupt(dir, format!("cannot read `{file}` ({e})")))?;
            if crate::ops::sha256_hex(&bytes) != *sum {
                return Err(corrupt(dir, format!("`{file}` does not match its SHA-256 in the manifest")));
            }
        }
        let bytes = fs::read(dir.join(&entry.json))?;
        let table: TableDump =
            serde_json::from_slice(&bytes).map_err(|e| corrupt(dir, format!("`{}` is invalid ({e})", entry.json)))?;
        if table.table != entry.table || table.rows.len() != entry.rows {
            return Err(corrupt(dir, format!("`{}` does not hold what the manifest says", entry.json)));
        }
        tables.push(table);
    }
    for a in &manifest.attachments {
        if a.sha256.len() != 64 || !a.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(corrupt(
                dir,
                format!("the manifest names an attachment that is not a SHA-256: `{}`", a.sha256),
            ));
        }
        let bytes = fs::read(dir.join("attachments").join(&a.sha256))
            .map_err(|e| corrupt(dir, format!("cannot read the attachment `{}` ({e})", a.sha256)))?;
        if crate::ops::sha256_hex(&bytes) != a.sha256 || bytes.len() as u64 != a.size {
            return Err(corrupt(dir, format!("the attachment `{}` does not match the manifest", a.sha256)));
        }
    }
    let dump = Dump { schema_version: manifest.schema_version, tables };
    // Every attachment the tables name must be one the manifest lists (and so was checked).
    for sha in dump.attachment_shas().map_err(|e| corrupt(dir, e.to_string()))? {
        if !manifest.attachments.iter().any(|a| a.sha256 == sha) {
            return Err(corrupt(dir, format!("the attachment `{sha}` is named by the tables but not by the manifest")));
        }
    }
    Ok(dump)
}

/// Restores an export into `store_path` (a new or empty file, or an empty PostgreSQL database):
/// a new store is created at the export's schema version, loaded with the attachments' bytes,
/// then migrated; an existing store must be empty. On failure a store file created here is
/// removed again.
pub fn import(dir: &Path, store_path: &Path) -> Result<TransferReport> {
    let dump = read_export(dir)?;
    let rows = dump.tables.iter().map(|t| t.rows.len()).sum();
    let created = !store_path.exists();
    // The attachments were checked by `read_export`, and are checked again as they are read.
    let mut source = |sha: &str| -> Result<Vec<u8>, String> {
        let bytes = fs::read(dir.join("attachments").join(sha)).map_err(|e| format!("cannot read it ({e})"))?;
        if crate::ops::sha256_hex(&bytes) != sha {
            return Err("it does not match its SHA-256".into());
        }
        Ok(bytes)
    };
    let result = (|| -> Result<()> {
        let mut store =
            if created { Store::create_at(store_path, dump.schema_version)?.0 } else { Store::open(store_path)? };
        store.load(&dump, &mut source).map_err(|e| match e {
            amoe_store::Error::Import(m) if m.contains("not empty") => Failure::new(format!("cannot import: {m}"))
                .hint("import into a new store path: `amoe --store NEW.db import DIR`")
                .into(),
            other => anyhow::Error::from(other),
        })?;
        store.migrate_to_latest()?;
        if dump.schema_version < LATEST_VERSION {
            // An older export: the store had no room for the bytes until it was migrated.
            store.load_attachment_bytes(&dump, &mut source)?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        if created && !amoe_store::is_url(store_path) {
            remove_sqlite_files(store_path);
        }
        return Err(e);
    }
    Ok(TransferReport {
        dir: dir.to_path_buf(),
        store: store_path.to_path_buf(),
        schema_version: dump.schema_version,
        tables: dump.tables.len(),
        rows,
    })
}

/// What `amoe init --output json` prints.
#[derive(Debug, Serialize, JsonSchema)]
pub struct InitReport {
    pub store: PathBuf,
    /// Schema version before (0: the store was created).
    pub previous_version: u32,
    pub schema_version: u32,
}

/// What `amoe store copy --output json` prints.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CopyReport {
    /// The store copied (its file, or its URL without options).
    pub from: PathBuf,
    /// The new store (likewise).
    pub to: PathBuf,
    pub schema_version: u32,
    pub tables: usize,
    pub rows: usize,
    /// Attachments copied into the new store.
    pub attachments: usize,
    /// Always true: the new store's export is identical to the old one's.
    pub identical: bool,
}

/// Copies the whole store into `to` (a new or empty SQLite file, or an empty PostgreSQL
/// database), attachments included, and checks that both give the same export. Nothing is
/// changed in the source. A target that is not empty is refused; a copy that fails leaves the
/// target as empty as it was.
pub fn copy(store: &Store, from_files: &Path, to: &Path) -> Result<CopyReport> {
    let dump = store.dump()?;
    let created = !amoe_store::is_url(to) && !to.exists();
    let result = (|| -> Result<usize> {
        let (mut target, _) = Store::create_at(to, dump.schema_version)?;
        if !target.is_empty()? {
            return Err(Failure::new(format!("`{}` is not empty", target.location().display()))
                .hint("copy into a new file or an empty database; amoe never merges two stores")
                .into());
        }
        if target.schema_version()? != dump.schema_version {
            return Err(Failure::new(format!(
                "`{}` has schema version {}, the store {}",
                target.location().display(),
                target.schema_version()?,
                dump.schema_version
            ))
            .hint("copy into a new file or an empty database")
            .into());
        }
        let mut source = |sha: &str| -> Result<Vec<u8>, String> {
            crate::ops::tickets::attachment_bytes(store, from_files, sha).map_err(|e| e.to_string())
        };
        target.load(&dump, &mut source)?;
        if target.dump()? != dump {
            return Err(Failure::new(format!(
                "the copy in `{}` does not read back as the store: nothing else was changed",
                target.location().display()
            ))
            .into());
        }
        Ok(dump.attachment_shas()?.len())
    })();
    let attachments = match result {
        Ok(n) => n,
        Err(e) => {
            if created {
                remove_sqlite_files(to);
            }
            return Err(e);
        }
    };
    Ok(CopyReport {
        from: store.location().to_path_buf(),
        to: redacted(to),
        schema_version: dump.schema_version,
        tables: dump.tables.len(),
        rows: dump.tables.iter().map(|t| t.rows.len()).sum(),
        attachments,
        identical: true,
    })
}

/// Removes a SQLite store this command created and could not fill: the file, its WAL and shared
/// memory.
fn remove_sqlite_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = fs::remove_file(PathBuf::from(p));
    }
}

/// A store location as it may be shown: a URL loses its options.
fn redacted(location: &Path) -> PathBuf {
    match location.to_str() {
        Some(s) if amoe_store::is_url(location) => PathBuf::from(s.split('?').next().unwrap_or(s)),
        _ => location.to_path_buf(),
    }
}

/// What `amoe backup --output json` prints.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BackupReport {
    pub store: PathBuf,
    pub file: PathBuf,
    pub bytes: u64,
    /// Always true: the copy passed `PRAGMA integrity_check`.
    pub integrity_ok: bool,
    /// The extranet's key (which seals second factors), copied beside the file when the store
    /// has one: without it a restored store's second factors cannot be read.
    pub extranet_key: Option<PathBuf>,
}
