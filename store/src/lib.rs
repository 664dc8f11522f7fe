//! amoe's store: one SQLite file in WAL mode with foreign keys on (the default, for one
//! engineer, the demo and the tests), or one PostgreSQL database shared by a team (its
//! terminals, cron hosts, CI runners and the extranet). Ordered, versioned migrations
//! (`PRAGMA user_version` on SQLite, the `amoe_schema` table on PostgreSQL).
//!
//! Every SQL statement of the project lives in this crate, behind typed functions, one module
//! per aggregate ([`beneficiaries`], [`hosts`], [`sites`], [`certificates`], [`audit`],
//! [`dump`]). Callers never see SQL or driver types. The SQL is written once, in the subset
//! both databases understand ([`db`]): explicit keys, integer money, UTC timestamps in one text
//! form (see `amoe_core::time`); per-dialect SQL only where they differ.
//!
//! Writes go through [`Store::mutate`], which runs them in one short transaction holding the
//! store's write lock and appends the audit entry in that same transaction, or, when the write
//! is refused, journals the refusal on its own. A cron job and an engineer writing at the same
//! moment wait for each other rather than failing: SQLite's busy timeout, PostgreSQL's advisory
//! lock. Writers therefore take turns on both backends, which keeps the audit chain one total
//! order and lets new keys be `MAX(id) + 1` as SQLite's rowids are.

pub mod audit;
pub mod beneficiaries;
pub mod certificates;
pub mod contracts;
pub mod db;
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
pub use dump::{AttachmentSource, Dump, TableDump, is_sha256};
pub use error::Error;
pub use migrate::LATEST_VERSION;

use db::{Conn, Dialect};
use rusqlite::{Connection, OpenFlags};
use std::cell::Cell;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a writer waits for another one before giving up (SQLite).
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// [`BUSY_TIMEOUT`], or `AMOE_BUSY_TIMEOUT_MS` when set (an MTA pipe may prefer to give up
/// sooner and be called again).
fn busy_timeout() -> Duration {
    std::env::var("AMOE_BUSY_TIMEOUT_MS").ok().and_then(|v| v.parse().ok()).map_or(BUSY_TIMEOUT, Duration::from_millis)
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// True when `location` (a `--store` value) names a PostgreSQL database rather than a file.
pub fn is_url(location: &Path) -> bool {
    location.to_str().is_some_and(db::pg::is_url)
}

/// An open store.
#[derive(Debug)]
pub struct Store {
    conn: Conn,
    /// The file, or for PostgreSQL the URL without its options (what messages name).
    path: PathBuf,
}

/// A write transaction, handed to the closure of [`Store::mutate`]. The aggregate modules add
/// their write (and read) functions to it. Rolled back when dropped uncommitted.
#[derive(Debug)]
pub struct Tx<'a> {
    conn: &'a Conn,
    path: &'a Path,
    open: Cell<bool>,
}

impl<'a> Tx<'a> {
    fn begin(conn: &'a Conn, path: &'a Path, write: bool) -> Result<Tx<'a>> {
        conn.begin(write).map_err(|e| Error::from_db(path, e))?;
        Ok(Tx { conn, path, open: Cell::new(true) })
    }

    fn commit(self) -> Result<()> {
        self.open.set(false);
        self.conn.commit().map_err(|e| Error::from_db(self.path, e))
    }

    /// Appends one more audit entry in this transaction (beside the command's own), for a
    /// consequence worth its own line, such as the outbox items a host removal drops.
    pub fn journal(&self, draft: &AuditDraft, outcome: &str) -> Result<()> {
        audit::append(self.conn, draft, outcome).map_err(|e| self.sql(e))
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open.get() {
            let _ = self.conn.rollback();
        }
    }
}

/// Reading functions, available both on a [`Store`] and inside a write transaction ([`Tx`]).
/// The aggregate modules provide them as default methods.
pub trait Reads: sealed::Sealed {
    #[doc(hidden)]
    fn conn(&self) -> &Conn;
    #[doc(hidden)]
    fn path(&self) -> &Path;
    #[doc(hidden)]
    fn sql(&self, source: db::Error) -> Error {
        Error::from_db(self.path(), source)
    }
    /// Which database holds the store.
    fn dialect(&self) -> Dialect {
        self.conn().dialect()
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Store {}
    impl Sealed for super::Tx<'_> {}
}

impl Reads for Store {
    fn conn(&self) -> &Conn {
        &self.conn
    }
    fn path(&self) -> &Path {
        &self.path
    }
}

impl Reads for Tx<'_> {
    fn conn(&self) -> &Conn {
        self.conn
    }
    fn path(&self) -> &Path {
        self.path
    }
}

impl Store {
    /// Opens an existing store and brings its schema up to date. `location` is a file, or a
    /// `postgres://` URL ([`db::pg`] says what it takes).
    pub fn open(location: &Path) -> Result<Store> {
        if is_url(location) {
            let store = Self::connect_pg(location)?;
            migrate::migrate(&store.conn, LATEST_VERSION).map_err(|e| store.mig_err(e))?;
            return Ok(store);
        }
        let path = location;
        if !path.exists() {
            return Err(Error::Missing { path: path.to_path_buf() });
        }
        let store = Self::connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        migrate::migrate(&store.conn, LATEST_VERSION).map_err(|e| store.mig_err(e))?;
        Ok(store)
    }

    /// Creates the store (and its directory) if needed and brings its schema up to date.
    /// Returns the store and the schema version it had before (0 when new).
    pub fn create(location: &Path) -> Result<(Store, u32)> {
        Self::create_at(location, LATEST_VERSION)
    }

    /// Like [`Store::create`], stopping at schema `version` (for imports of older exports).
    pub fn create_at(location: &Path, version: u32) -> Result<(Store, u32)> {
        let store = if is_url(location) {
            Self::connect_pg(location)?
        } else {
            let path = location;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| Error::Io { path: dir.to_path_buf(), source })?;
            }
            Self::connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)?
        };
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

    /// Which database holds the store.
    pub fn backend(&self) -> Dialect {
        self.conn.dialect()
    }

    /// The file, or the URL without options for PostgreSQL.
    pub fn location(&self) -> &Path {
        &self.path
    }

    fn connect_pg(url: &Path) -> Result<Store> {
        let url = url.to_str().unwrap_or_default();
        let target = db::pg::Target::parse(url).map_err(|problem| Error::BadUrl { problem })?;
        let server = target.display();
        let client = db::pg::Client::connect(&target)
            .map_err(|problem| Error::Unreachable { server: server.clone(), problem })?;
        let store = Store { conn: Conn::Postgres(client), path: PathBuf::from(server) };
        // A writer waits for another as long as on SQLite, then gives up as busy. A `SET` rather
        // than a startup option, which connection poolers may refuse.
        store
            .conn
            .execute_batch(&format!("SET lock_timeout = {}", busy_timeout().as_millis()))
            .map_err(|e| store.err(e))?;
        Ok(store)
    }

    fn connect(path: &Path, flags: OpenFlags) -> Result<Store> {
        let flags = flags | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(|source| Error::from_db(path, source.into()))?;
        let setup = |conn: &Connection| -> rusqlite::Result<String> {
            conn.busy_timeout(busy_timeout())?;
            // The first statement that reads the file tells a corrupt or foreign file apart.
            let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
            conn.pragma_update(None, "foreign_keys", true)?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            // Reads of big stores (tickets, their events) from the page cache without a copy per page.
            conn.pragma_update(None, "mmap_size", 256_i64 << 20)?;
            Ok(mode)
        };
        let mode = setup(&conn).map_err(|e| Error::from_db(path, e.into()))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::ReadOnly { path: path.to_path_buf() });
        }
        Ok(Store { conn: Conn::Sqlite(conn), path: path.to_path_buf() })
    }

    fn mig_err(&self, e: migrate::MigrateError) -> Error {
        match e {
            migrate::MigrateError::Newer(found) => {
                Error::NewerSchema { path: self.path.clone(), found, known: LATEST_VERSION }
            }
            migrate::MigrateError::Foreign(table) => Error::Foreign { path: self.path.clone(), table },
            migrate::MigrateError::Sql(e) => self.err(e),
        }
    }

    /// Wraps a database error with the store's location.
    fn err(&self, source: db::Error) -> Error {
        Error::from_db(&self.path, source)
    }

    /// Runs `f` in one write transaction and journals it: on success the audit entry is
    /// appended in the same transaction (outcome `ok`); when `f` fails, its changes are rolled
    /// back and the refusal is journaled on its own (outcome `refused: <error>`).
    pub fn mutate<T, E>(&mut self, draft: &AuditDraft, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<Error> + fmt::Display,
    {
        let tx = Tx::begin(&self.conn, &self.path, true)?;
        match f(&tx) {
            Ok(value) => {
                audit::append(tx.conn, draft, "ok").map_err(|e| tx.sql(e))?;
                tx.commit()?;
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
        let tx = Tx::begin(&self.conn, &self.path, false)?;
        f(&tx)
    }

    /// Runs `f` in a write transaction that is not journaled (the extranet's sessions, an
    /// outbox item's delivery): committed if `f` succeeds, rolled back otherwise.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Conn) -> db::Result<T>) -> Result<T> {
        let tx = Tx::begin(&self.conn, &self.path, true)?;
        let value = f(tx.conn).map_err(|e| tx.sql(e))?;
        tx.commit()?;
        Ok(value)
    }

    /// Appends one audit entry on its own, for an attempt that changed nothing.
    pub fn journal(&mut self, draft: &AuditDraft, outcome: &str) -> Result<()> {
        let tx = Tx::begin(&self.conn, &self.path, true)?;
        audit::append(tx.conn, draft, outcome).map_err(|e| tx.sql(e))?;
        tx.commit()
    }

    /// Writes a consistent copy of the store to `dest` while others may be writing (a single
    /// read transaction sees one snapshot), then checks the copy's integrity. SQLite only: a
    /// PostgreSQL store is backed up by the server's own tools (`pg_dump`).
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        let Conn::Sqlite(conn) = &self.conn else {
            return Err(Error::Unsupported {
                what: "`amoe backup` of a PostgreSQL store".into(),
                instead: "back it up with `pg_dump` (docs/postgresql.md), or copy it to a file with `amoe store copy --to FILE`".into(),
            });
        };
        if dest.exists() {
            return Err(Error::Exists { path: dest.to_path_buf() });
        }
        if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty() && !d.is_dir()) {
            return Err(Error::Io {
                path: dir.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such folder: create it first (`mkdir -p`), the backup goes in it",
                ),
            });
        }
        let dest_str = dest.to_str().ok_or_else(|| Error::Io {
            path: dest.to_path_buf(),
            source: std::io::Error::other("the path is not valid UTF-8"),
        })?;
        conn.execute("VACUUM INTO ?1", [dest_str]).map_err(|e| Error::from_db(dest, e.into()))?;
        check_file(dest)?.map_or(Ok(()), |problem| Err(Error::Integrity { path: dest.to_path_buf(), problem }))
    }

    /// `PRAGMA integrity_check` on a SQLite store: `None` when sound. PostgreSQL checks its own
    /// pages; there, `None`.
    pub fn integrity_check(&self) -> Result<Option<String>> {
        match &self.conn {
            Conn::Sqlite(conn) => integrity_check(conn).map_err(|e| self.err(e.into())),
            Conn::Postgres(_) => Ok(None),
        }
    }
}

fn integrity_check(conn: &Connection) -> rusqlite::Result<Option<String>> {
    let result: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    Ok((result != "ok").then_some(result))
}

/// Opens `path` read-only and runs `PRAGMA integrity_check` (for checking a backup file).
pub fn check_file(path: &Path) -> Result<Option<String>> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| Error::from_db(path, e.into()))?;
    integrity_check(&conn).map_err(|e| Error::from_db(path, e.into()))
}
