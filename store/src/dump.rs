//! The whole store as plain tables, for `amoe export` and `amoe import` (reversibility, seed
//! 002 §5.8, 003 §4.1.4.3).
//!
//! Generic over the schema: every table of the store (read from the catalogue), its columns in
//! order and its rows ordered by primary key, values as JSON (null, integer, text). The same
//! store always gives the same dump, so export → import → export is byte-identical. Importing
//! inserts the rows as they are (audit hashes included) into an empty store at the dump's schema
//! version, with foreign keys checked at commit.

use crate::db::{Dialect, ValueRef};
use crate::{Error, Reads, Result, Store, Tx};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One table of an export (`TABLE.json`): its columns, and its rows ordered by primary key, each
/// an array of values (null, integer or string) in column order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableDump {
    pub table: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// Every table of a store.
#[derive(Debug, Clone, PartialEq)]
pub struct Dump {
    pub schema_version: u32,
    pub tables: Vec<TableDump>,
}

/// The table of attachments' bytes: an export keeps them as files (`attachments/SHA256`), so
/// it is not one of a dump's tables; [`Store::load`] fills it from the files.
const BYTES_TABLE: &str = "attachment_bytes";
/// The first schema version with [`BYTES_TABLE`]: stores before it kept attachments as files.
const BYTES_SINCE: u32 = 15;

/// Whether `s` is a SHA-256 as the store writes one: 64 lowercase hexadecimal digits.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Dump {
    /// The SHA-256 of every attachment the `attachments` table names. A value that is not one
    /// is refused with its row: it would name no file of an export, or a file outside it.
    pub fn attachment_shas(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for t in self.tables.iter().filter(|t| t.table == "attachments") {
            let col = t.columns.iter().position(|c| c == "sha256");
            for (i, row) in t.rows.iter().enumerate() {
                match col.and_then(|c| row.get(c)).and_then(|v| v.as_str()) {
                    Some(sha) if is_sha256(sha) => out.push(sha.to_owned()),
                    _ => {
                        return Err(Error::Import(format!(
                            "table `attachments`, row {}: `sha256` is not 64 lowercase hexadecimal digits",
                            i + 1
                        )));
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Stores an attachment's bytes once (a second insert of the same SHA-256 does nothing).
pub(crate) fn put_attachment_bytes(tx: &Tx<'_>, sha256: &str, content: &[u8]) -> Result<()> {
    tx.conn()
        .execute(
            "INSERT INTO attachment_bytes (sha256, content) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            crate::db::params![sha256, content],
        )
        .map(drop)
        .map_err(|e| tx.sql(e))
}

/// Where a load finds the bytes of an attachment, by SHA-256; an error is said as it is.
pub type AttachmentSource<'a> = dyn FnMut(&str) -> std::result::Result<Vec<u8>, String> + 'a;

fn table_names(db: &(impl Reads + ?Sized)) -> Result<Vec<String>> {
    let sql = match db.dialect() {
        Dialect::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Dialect::Postgres => {
            "SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = current_schema()
             AND tablename <> 'amoe_schema' ORDER BY CAST(tablename AS TEXT) COLLATE \"C\""
        }
    };
    let mut stmt = db.conn().prepare(sql).map_err(|e| db.sql(e))?;
    let names: Vec<String> = stmt.query_map([], |r| r.get(0)).and_then(|rows| rows.collect()).map_err(|e| db.sql(e))?;
    Ok(names.into_iter().filter(|n| n != BYTES_TABLE).collect())
}

/// Column names and primary-key columns (in key order) of a table.
fn columns(db: &(impl Reads + ?Sized), table: &str) -> Result<(Vec<String>, Vec<String>)> {
    let sql = match db.dialect() {
        Dialect::Sqlite => "SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid",
        Dialect::Postgres => {
            "SELECT CAST(c.column_name AS TEXT), CAST(COALESCE(k.ordinal_position, 0) AS BIGINT)
             FROM information_schema.columns c
             LEFT JOIN information_schema.table_constraints t
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.constraint_type = 'PRIMARY KEY'
             LEFT JOIN information_schema.key_column_usage k
               ON k.constraint_schema = t.constraint_schema AND k.constraint_name = t.constraint_name
              AND k.column_name = c.column_name
             WHERE c.table_schema = current_schema() AND c.table_name = ?1
             ORDER BY c.ordinal_position"
        }
    };
    let mut stmt = db.conn().prepare(sql).map_err(|e| db.sql(e))?;
    let cols: Vec<(String, i64)> = stmt
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|rows| rows.collect())
        .map_err(|e| db.sql(e))?;
    let mut pk: Vec<(i64, String)> = cols.iter().filter(|(_, k)| *k > 0).map(|(n, k)| (*k, n.clone())).collect();
    pk.sort();
    let names = cols.into_iter().map(|(n, _)| n).collect();
    Ok((names, pk.into_iter().map(|(_, n)| n).collect()))
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

impl Store {
    /// Every table of the store.
    pub fn dump(&self) -> Result<Dump> {
        let schema_version = self.schema_version()?;
        let mut tables = Vec::new();
        for table in table_names(self)? {
            let (cols, pk) = columns(self, &table)?;
            let order = if pk.is_empty() { cols.clone() } else { pk };
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {}",
                cols.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", "),
                quote(&table),
                order.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ")
            );
            let mut stmt = self.conn.prepare(&sql).map_err(|e| self.sql(e))?;
            let mut rows = stmt.query([]).map_err(|e| self.sql(e))?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(|e| self.sql(e))? {
                let mut values = Vec::with_capacity(cols.len());
                for i in 0..cols.len() {
                    values.push(match row.get_ref(i).map_err(|e| self.sql(e))? {
                        ValueRef::Null => Value::Null,
                        ValueRef::Int(n) => Value::from(n),
                        ValueRef::Text(t) => Value::from(t),
                        ValueRef::Real(_) | ValueRef::Blob(_) => {
                            return Err(Error::BadRow {
                                table: "dump",
                                problem: format!("{table}: unsupported value type"),
                            });
                        }
                    });
                }
                out.push(values);
            }
            tables.push(TableDump { table, columns: cols, rows: out });
        }
        Ok(Dump { schema_version, tables })
    }

    /// True when no table holds a row.
    pub fn is_empty(&self) -> Result<bool> {
        let bytes = (self.schema_version()? >= BYTES_SINCE).then(|| BYTES_TABLE.to_owned());
        for table in table_names(self)?.into_iter().chain(bytes) {
            let any: Option<i64> = crate::db::OptionalExtension::optional(self.conn.query_row(
                &format!("SELECT 1 FROM {} LIMIT 1", quote(&table)),
                [],
                |r| r.get(0),
            ))
            .map_err(|e| self.sql(e))?;
            if any.is_some() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Loads a dump into this store, which must be empty and at the dump's schema version, with
    /// the bytes of the attachments it names, which `source` gives. All or nothing: one
    /// transaction, foreign keys checked at its end. A store older than schema version 15 has no
    /// room for the bytes: [`Store::load_attachment_bytes`] puts them in once it is migrated.
    pub fn load(&mut self, dump: &Dump, source: &mut AttachmentSource<'_>) -> Result<()> {
        let version = self.schema_version()?;
        if version != dump.schema_version {
            return Err(Error::Import(format!(
                "the export has schema version {}, the store {version}; import into a new store path",
                dump.schema_version
            )));
        }
        if !self.is_empty()? {
            return Err(Error::Import(format!("the store `{}` is not empty", self.path.display())));
        }
        let known = table_names(self)?;
        let tx = Tx::begin(&self.conn, &self.path, true)?;
        let defer = match self.conn.dialect() {
            Dialect::Sqlite => "PRAGMA defer_foreign_keys = ON",
            Dialect::Postgres => "SET CONSTRAINTS ALL DEFERRED",
        };
        self.conn.execute_batch(defer).map_err(|e| tx.sql(e))?;
        for t in &dump.tables {
            if !known.contains(&t.table) {
                return Err(Error::Import(format!("unknown table `{}`", t.table)));
            }
            let insert = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                quote(&t.table),
                t.columns.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", "),
                (1..=t.columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ")
            );
            // Sent in slices: a bulk load on PostgreSQL waits for no answer row by row, and
            // holds one slice of parameters at a time. An empty table gets one empty slice: the
            // statement is prepared all the same, so a column the table lacks is refused.
            const SLICE: usize = 10_000;
            let empty = t.rows.is_empty().then_some(&[][..]);
            for (s, slice) in t.rows.chunks(SLICE).chain(empty).enumerate() {
                let mut rows = Vec::with_capacity(slice.len());
                for (k, row) in slice.iter().enumerate() {
                    let n = s * SLICE + k + 1;
                    if row.len() != t.columns.len() {
                        return Err(Error::Import(format!("table `{}`, row {n}: wrong number of values", t.table)));
                    }
                    let values = row
                        .iter()
                        .map(|v| match v {
                            Value::Null => Ok(crate::db::Value::Null),
                            Value::Number(n) => n.as_i64().map(crate::db::Value::Int).ok_or(()),
                            Value::String(s) => Ok(crate::db::Value::Text(s.clone())),
                            _ => Err(()),
                        })
                        .collect::<Result<Vec<_>, ()>>()
                        .map_err(|()| Error::Import(format!("table `{}`, row {n}: unsupported value", t.table)))?;
                    rows.push(values);
                }
                let failed = self
                    .conn
                    .execute_many(&insert, rows)
                    .map_err(|e| Error::Import(format!("table `{}`: {e}", t.table)))?;
                if let Some((k, e)) = failed {
                    return Err(Error::Import(format!("table `{}`, row {}: {e}", t.table, s * SLICE + k + 1)));
                }
            }
        }
        if version >= BYTES_SINCE {
            put_all_bytes(&tx, dump, source)?;
        }
        tx.commit().map_err(|e| Error::Import(format!("the rows do not hold together: {e}")))?;
        // After a bulk load, the planner's statistics, as after `pg_restore`: until autovacuum
        // comes by, reads would be planned for empty tables. The rows are in whatever happens
        // here: a table another session holds is skipped, and a failure is not the load's.
        if self.conn.dialect() == Dialect::Postgres {
            let _ = self.conn.execute_batch("ANALYZE (SKIP_LOCKED)");
        }
        Ok(())
    }
}

impl Store {
    /// Puts in the bytes of the attachments `dump` names that the store lacks, in one
    /// transaction: for a dump of a version before 15, loaded and then migrated.
    pub fn load_attachment_bytes(&mut self, dump: &Dump, source: &mut AttachmentSource<'_>) -> Result<()> {
        let tx = Tx::begin(&self.conn, &self.path, true)?;
        put_all_bytes(&tx, dump, source)?;
        tx.commit()
    }
}

fn put_all_bytes(tx: &Tx<'_>, dump: &Dump, source: &mut AttachmentSource<'_>) -> Result<()> {
    for sha in dump.attachment_shas()? {
        let content = source(&sha).map_err(|e| Error::Import(format!("attachment `{sha}`: {e}")))?;
        put_attachment_bytes(tx, &sha, &content)?;
    }
    Ok(())
}
