//! The whole store as plain tables, for `amoe export` and `amoe import` (reversibility, seed
//! 002 §5.8, 003 §4.1.4.3).
//!
//! Generic over the schema: every table of the store (read from the catalogue), its columns in
//! order and its rows ordered by primary key, values as JSON (null, integer, text). The same
//! store always gives the same dump, so export → import → export is byte-identical. Importing
//! inserts the rows as they are (audit hashes included) into an empty store at the dump's schema
//! version, with foreign keys checked at commit.

use crate::{Error, Reads, Result, Store};
use rusqlite::types::{Value as SqlValue, ValueRef};
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

fn table_names(db: &(impl Reads + ?Sized)) -> Result<Vec<String>> {
    let mut stmt = db
        .conn()
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .map_err(|e| db.sql(e))?;
    stmt.query_map([], |r| r.get(0)).and_then(|rows| rows.collect()).map_err(|e| db.sql(e))
}

/// Column names and primary-key columns (in key order) of a table.
fn columns(db: &(impl Reads + ?Sized), table: &str) -> Result<(Vec<String>, Vec<String>)> {
    let mut stmt =
        db.conn().prepare("SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid").map_err(|e| db.sql(e))?;
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
                        ValueRef::Integer(n) => Value::from(n),
                        ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
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
        for table in table_names(self)? {
            let any: Option<i64> = rusqlite::OptionalExtension::optional(self.conn.query_row(
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

    /// Loads a dump into this store, which must be empty and at the dump's schema version.
    /// All or nothing: one transaction, foreign keys checked at its end.
    pub fn load(&mut self, dump: &Dump) -> Result<()> {
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
        let path = self.path.clone();
        let sql = |e| Error::from_sqlite(&path, e);
        let tx = self.conn.transaction().map_err(sql)?;
        tx.pragma_update(None, "defer_foreign_keys", true).map_err(sql)?;
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
            let mut stmt = tx.prepare(&insert).map_err(|e| Error::Import(format!("table `{}`: {e}", t.table)))?;
            for (n, row) in t.rows.iter().enumerate() {
                if row.len() != t.columns.len() {
                    return Err(Error::Import(format!("table `{}`, row {}: wrong number of values", t.table, n + 1)));
                }
                let values = row
                    .iter()
                    .map(|v| match v {
                        Value::Null => Ok(SqlValue::Null),
                        Value::Number(n) => n.as_i64().map(SqlValue::Integer).ok_or(()),
                        Value::String(s) => Ok(SqlValue::Text(s.clone())),
                        _ => Err(()),
                    })
                    .collect::<Result<Vec<_>, ()>>()
                    .map_err(|()| Error::Import(format!("table `{}`, row {}: unsupported value", t.table, n + 1)))?;
                stmt.execute(rusqlite::params_from_iter(values))
                    .map_err(|e| Error::Import(format!("table `{}`, row {}: {e}", t.table, n + 1)))?;
            }
        }
        tx.commit().map_err(|e| Error::Import(format!("the rows do not hold together: {e}")))
    }
}
