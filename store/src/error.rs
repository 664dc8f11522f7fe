//! The store's errors. Each names the file or the record involved; the CLI adds the hint.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no store at `{}`", path.display())]
    Missing { path: PathBuf },
    #[error("`{}` is not an amoe store (not a SQLite database, or corrupt)", path.display())]
    NotADatabase { path: PathBuf },
    #[error("the store `{}` cannot be written", path.display())]
    ReadOnly { path: PathBuf },
    #[error("the store `{}` cannot be opened", path.display())]
    CannotOpen {
        path: PathBuf,
        #[source]
        source: crate::db::Error,
    },
    #[error("the store `{}` has schema version {found}, newer than this amoe knows ({known})", path.display())]
    NewerSchema { path: PathBuf, found: u32, known: u32 },
    #[error("store `{}`", path.display())]
    Database {
        path: PathBuf,
        #[source]
        source: crate::db::Error,
    },
    #[error("`{}`", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` already exists", path.display())]
    Exists { path: PathBuf },
    #[error("integrity check of `{}` failed: {problem}", path.display())]
    Integrity { path: PathBuf, problem: String },
    #[error("cannot reach the store's PostgreSQL server {server}: {problem}")]
    Unreachable { server: String, problem: String },
    #[error("the store URL is not usable: {problem}")]
    BadUrl { problem: String },
    #[error("the database {} holds tables of another application (`{table}`), not an amoe store", path.display())]
    Foreign { path: PathBuf, table: String },
    #[error("{what} is not offered")]
    Unsupported { what: String, instead: String },
    #[error("{kind} `{name}` not found")]
    NotFound { kind: &'static str, name: String },
    #[error("{kind} `{name}` already exists")]
    Duplicate { kind: &'static str, name: String },
    #[error("domain `{domain}` already belongs to site `{site}`")]
    DomainTaken { domain: String, site: String },
    #[error("{kind} `{name}` is still referenced by {by}")]
    InUse { kind: &'static str, name: String, by: String },
    #[error("the store holds an invalid value in {table}: {problem}")]
    BadRow { table: &'static str, problem: String },
    #[error("cannot import: {0}")]
    Import(String),
}

impl Error {
    /// The store stayed locked by another writer past the busy time-out.
    pub fn is_busy(&self) -> bool {
        match self {
            Error::Database { source: crate::db::Error::Sqlite(source), .. } => matches!(
                source.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ),
            // lock_not_available: the write lock stayed taken past `lock_timeout`.
            Error::Database { source, .. } => source.sqlstate() == Some("55P03"),
            _ => false,
        }
    }

    /// Classifies a database error on the store at `path`.
    pub(crate) fn from_db(path: &Path, source: crate::db::Error) -> Error {
        use rusqlite::ErrorCode;
        let path = path.to_path_buf();
        let code = match &source {
            crate::db::Error::Sqlite(e) => e.sqlite_error_code(),
            _ => None,
        };
        match code {
            Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => Error::NotADatabase { path },
            Some(ErrorCode::ReadOnly) => Error::ReadOnly { path },
            Some(ErrorCode::CannotOpen) | Some(ErrorCode::PermissionDenied) => Error::CannotOpen { path, source },
            _ => Error::Database { path, source },
        }
    }
}
