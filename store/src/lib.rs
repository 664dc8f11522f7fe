//! amoe's local store: one SQLite file in WAL mode with foreign keys on and ordered, versioned
//! migrations (`PRAGMA user_version`).
//!
//! Every SQL statement of the project lives in this crate, behind typed functions, one module
//! per aggregate ([`beneficiaries`], [`hosts`], [`sites`], [`certificates`], [`audit`],
//! [`dump`]). Callers never see SQL or rusqlite types, so that the store can later move to
//! PostgreSQL without touching the commands. The SQL stays portable where that costs nothing:
//! explicit keys, integer money, UTC timestamps in one text form (see `amoe_core::time`).
//!
//! Writes go through [`Store::mutate`], which runs them in one short `IMMEDIATE` transaction and
//! appends the audit entry in that same transaction, or, when the write is refused, journals the
//! refusal on its own. A cron job and an engineer writing at the same moment wait for each other
//! (busy timeout) rather than failing with "database is locked".

pub mod audit;
pub mod beneficiaries;
pub mod certificates;
pub mod contracts;
pub mod deploys;
pub mod dump;
mod error;
pub mod hosts;
pub mod incidents;
pub mod logs;
mod migrate;
pub mod orders;
pub mod outbox;
pub mod quotes;
pub mod sites;
pub mod tickets;
pub mod web;

pub use audit::{AuditDraft, AuditFilter, VerifyReport};
pub use dump::{Dump, TableDump};
pub use error::Error;
pub use migrate::LATEST_VERSION;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a writer waits for another one before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// [`BUSY_TIMEOUT`], or `AMOE_BUSY_TIMEOUT_MS` when set (an MTA pipe may prefer to give up
/// sooner and be called again).
fn busy_timeout() -> Duration {
    std::env::var("AMOE_BUSY_TIMEOUT_MS").ok().and_then(|v| v.parse().ok()).map_or(BUSY_TIMEOUT, Duration::from_millis)
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An open store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// A write transaction, handed to the closure of [`Store::mutate`]. The aggregate modules add
/// their write (and read) functions to it.
#[derive(Debug)]
pub struct Tx<'a> {
    tx: rusqlite::Transaction<'a>,
    path: &'a Path,
}

impl Tx<'_> {
    /// Appends one more audit entry in this transaction (beside the command's own), for a
    /// consequence worth its own line, such as the outbox items a host removal drops.
    pub fn journal(&self, draft: &AuditDraft, outcome: &str) -> Result<()> {
        audit::append(&self.tx, draft, outcome).map_err(|e| self.sql(e))
    }
}

/// Reading functions, available both on a [`Store`] and inside a write transaction ([`Tx`]).
/// The aggregate modules provide them as default methods.
pub trait Reads: sealed::Sealed {
    #[doc(hidden)]
    fn conn(&self) -> &Connection;
    #[doc(hidden)]
    fn path(&self) -> &Path;
    #[doc(hidden)]
    fn sql(&self, source: rusqlite::Error) -> Error {
        Error::from_sqlite(self.path(), source)
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Store {}
    impl Sealed for super::Tx<'_> {}
}

impl Reads for Store {
    fn conn(&self) -> &Connection {
        &self.conn
    }
    fn path(&self) -> &Path {
        &self.path
    }
}

impl Reads for Tx<'_> {
    fn conn(&self) -> &Connection {
        &self.tx
    }
    fn path(&self) -> &Path {
        self.path
    }
}

impl Store {
    /// Opens an existing store and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(Error::Missing { path: path.to_path_buf() });
        }
        let store = Self::connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        migrate::migrate(&store.conn, LATEST_VERSION).map_err(|e| store.mig_err(e))?;
        Ok(store)
    }

    /// Creates the store (and its directory) if needed and brings its schema up to date.
    /// Returns the store and the schema version it had before (0 when new).
    pub fn create(path: &Path) -> Result<(Store, u32)> {
        Self::create_at(path, LATEST_VERSION)
    }

    /// Like [`Store::create`], stopping at schema `version` (for imports of older exports).
    pub fn create_at(path: &Path, version: u32) -> Result<(Store, u32)> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io { path: dir.to_path_buf(), source })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
        let store = Self::connect(path, flags)?;
        let before = migrate::version(&store.conn).map_err(|e| store.err(e))?;
        migrate::migrate(&store.conn, version).map_err(|e| store.mig_err(e))?;
        Ok((store, before))
    }

    /// Brings the schema to the latest version (after an import at an older one).
    pub fn migrate_to_latest(&self) -> Result<()> {
        migrate::migrate(&self.conn, LATEST_VERSION).map_err(|e| self.mig_err(e))
    }

    /// The schema version of the open store.
    pub fn schema_version(&self) -> Result<u32> {
        migrate::version(&self.conn).map_err(|e| self.err(e))
    }

    fn connect(path: &Path, flags: OpenFlags) -> Result<Store> {
        let flags = flags | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(|source| Error::from_sqlite(path, source))?;
        let store = Store { conn, path: path.to_path_buf() };
        store.conn.busy_timeout(busy_timeout()).map_err(|e| store.err(e))?;
        // The first statement that reads the file tells a corrupt or foreign file apart.
        let mode: String =
            store.conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(|e| store.err(e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::ReadOnly { path: path.to_path_buf() });
        }
        store.conn.pragma_update(None, "foreign_keys", true).map_err(|e| store.err(e))?;
        store.conn.pragma_update(None, "synchronous", "NORMAL").map_err(|e| store.err(e))?;
        // Reads of big stores (tickets, their events) from the page cache without a copy per page.
        store.conn.pragma_update(None, "mmap_size", 256_i64 << 20).map_err(|e| store.err(e))?;
        Ok(store)
    }

    fn mig_err(&self, e: migrate::MigrateError) -> Error {
        match e {
            migrate::MigrateError::Newer(found) => {
                Error::NewerSchema { path: self.path.clone(), found, known: LATEST_VERSION }
            }
            migrate::MigrateError::Sql(e) => self.err(e),
        }
    }

    /// Wraps a SQLite error with the store's path.
    fn err(&self, source: rusqlite::Error) -> Error {
        Error::from_sqlite(&self.path, source)
    }

    /// Runs `f` in one write transaction and journals it: on success the audit entry is
    /// appended in the same transaction (outcome `ok`); when `f` fails, its changes are rolled
    /// back and the refusal is journaled on its own (outcome `refused: <error>`).
    pub fn mutate<T, E>(&mut self, draft: &AuditDraft, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<Error> + fmt::Display,
    {
        let path = self.path.clone();
        let wrap = |e| Error::from_sqlite(&path, e);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(wrap)?;
        let tx = Tx { tx, path: &path };
        match f(&tx) {
            Ok(value) => {
                audit::append(&tx.tx, draft, "ok").map_err(wrap)?;
                tx.tx.commit().map_err(wrap)?;
                Ok(value)
            }
            Err(e) => {
                drop(tx);
                self.journal(draft, &format!("refused: {e}"))?;
                Err(e)
            }
        }
    }

    /// Runs `f` in a write transaction that is always rolled back: what a command would do,
    /// for dry runs. Nothing is journaled.
    pub fn rehearse<T, E: From<Error>>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(|e| Error::from_sqlite(&path, e))?;
        let tx = Tx { tx, path: &path };
        f(&tx)
    }

    /// Appends one audit entry on its own, for an attempt that changed nothing.
    pub fn journal(&mut self, draft: &AuditDraft, outcome: &str) -> Result<()> {
        let path = &self.path;
        let wrap = |e| Error::from_sqlite(path, e);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(wrap)?;
        audit::append(&tx, draft, outcome).map_err(wrap)?;
        tx.commit().map_err(wrap)
    }

    /// Writes a consistent copy of the store to `dest` while others may be writing (a single
    /// read transaction sees one snapshot), then checks the copy's integrity.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        if dest.exists() {
            return Err(Error::Exists { path: dest.to_path_buf() });
        }
        let dest_str = dest.to_str().ok_or_else(|| Error::Io {
            path: dest.to_path_buf(),
            source: std::io::Error::other("the path is not valid UTF-8"),
        })?;
        self.conn.execute("VACUUM INTO ?1", [dest_str]).map_err(|e| Error::from_sqlite(dest, e))?;
        let copy = Connection::open_with_flags(dest, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| Error::from_sqlite(dest, e))?;
        integrity_check(&copy)
            .map_err(|e| Error::from_sqlite(dest, e))?
            .map_or(Ok(()), |problem| Err(Error::Integrity { path: dest.to_path_buf(), problem }))
    }

    /// `PRAGMA integrity_check` on this store: `None` when sound.
    pub fn integrity_check(&self) -> Result<Option<String>> {
        integrity_check(&self.conn).map_err(|e| self.err(e))
    }
}

fn integrity_check(conn: &Connection) -> rusqlite::Result<Option<String>> {
    let result: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    Ok((result != "ok").then_some(result))
}

/// Opens `path` read-only and runs `PRAGMA integrity_check` (for checking a backup file).
pub fn check_file(path: &Path) -> Result<Option<String>> {
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| Error::from_sqlite(path, e))?;
    integrity_check(&conn).map_err(|e| Error::from_sqlite(path, e))
}
