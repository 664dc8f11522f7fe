//! The two backends behind one small interface, shaped like rusqlite's so that the aggregate
//! modules read the same whichever database holds the store.
//!
//! - [`Conn::Sqlite`]: the local file, through rusqlite, statements cached per connection.
//! - [`Conn::Postgres`]: a shared database, through `tokio-postgres` driven by a runtime on a
//!   thread of its own ([`pg`]), so that the store can be called from inside an async runtime
//!   (the extranet) as from a plain command.
//!
//! SQL is written once, in the portable subset both understand, with `?N` placeholders (turned
//! into `$N` for PostgreSQL). Where the dialects really differ, the caller asks
//! [`Conn::dialect`]. Values cross the boundary as [`Value`]: null, 64-bit integer, double,
//! text or bytes, which is all the schema uses.

pub mod pg;

use std::fmt;

/// Which SQL dialect a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// An owned value (a parameter sent to PostgreSQL, or a column read from it).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A borrowed value: what a parameter or a column is, without a copy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl ValueRef<'_> {
    pub fn into_owned(self) -> Value {
        match self {
            ValueRef::Null => Value::Null,
            ValueRef::Int(n) => Value::Int(n),
            ValueRef::Real(x) => Value::Real(x),
            ValueRef::Text(t) => Value::Text(t.to_string()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        }
    }
}

impl<'a> ValueRef<'a> {
    /// The text, or an error naming what the value is.
    pub fn as_str(self) -> Result<&'a str, String> {
        match self {
            ValueRef::Text(t) => Ok(t),
            v => Err(wrong(v, "text")),
        }
    }
}

impl Value {
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Int(n) => ValueRef::Int(*n),
            Value::Real(x) => ValueRef::Real(*x),
            Value::Text(t) => ValueRef::Text(t),
            Value::Blob(b) => ValueRef::Blob(b),
        }
    }
}

/// A database error, from either backend.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("{}", pg::describe(.0))]
    Postgres(#[from] tokio_postgres::Error),
    #[error("{0}")]
    Connect(String),
    #[error("the query returned no row")]
    NoRows,
    /// A function of the store called where it does not apply (a mistake in amoe, not a
    /// failure to retry).
    #[error("{0}")]
    Usage(&'static str),
    #[error("column {index}: {problem}")]
    Type { index: usize, problem: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The connection to the server was lost (or refused mid-way): the transaction did not
    /// commit, and the command may simply be run again.
    pub fn is_connection_lost(&self) -> bool {
        match self {
            Error::Postgres(e) => {
                e.is_closed() || e.code().is_some_and(|c| c.code().starts_with("08") || c.code() == "57P01")
            }
            Error::Connect(_) => true,
            _ => false,
        }
    }

    /// The PostgreSQL SQLSTATE of the error, when it came from the server.
    pub fn sqlstate(&self) -> Option<&str> {
        match self {
            Error::Postgres(e) => e.code().map(|c| c.code()),
            _ => None,
        }
    }
}

/// `Result<T>` → `Result<Option<T>>`, with "no row" as `None` (as rusqlite's extension).
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Something that can be a statement's parameter.
pub trait ToValue {
    fn to_value(&self) -> ValueRef<'_>;
}

macro_rules! int_params {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> ValueRef<'_> {
                ValueRef::Int(*self as i64)
            }
        }
    )*};
}
int_params!(i64, i32, i16, i8, u32, u16, u8);

impl ToValue for u64 {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl ToValue for usize {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl ToValue for bool {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Int(i64::from(*self))
    }
}
impl ToValue for f64 {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Real(*self)
    }
}
impl ToValue for str {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}
impl ToValue for String {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}
impl ToValue for [u8] {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}
impl ToValue for Vec<u8> {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}
impl ToValue for Value {
    fn to_value(&self) -> ValueRef<'_> {
        self.as_ref()
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> ValueRef<'_> {
        self.as_ref().map_or(ValueRef::Null, ToValue::to_value)
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> ValueRef<'_> {
        (**self).to_value()
    }
}

/// A statement's parameters, in order (`?1` is the first).
pub trait Params {
    fn values(&self) -> Vec<ValueRef<'_>>;
}

impl Params for &[&dyn ToValue] {
    fn values(&self) -> Vec<ValueRef<'_>> {
        self.iter().map(|p| p.to_value()).collect()
    }
}
impl Params for [&dyn ToValue; 0] {
    fn values(&self) -> Vec<ValueRef<'_>> {
        Vec::new()
    }
}
impl Params for Vec<Value> {
    fn values(&self) -> Vec<ValueRef<'_>> {
        self.iter().map(Value::as_ref).collect()
    }
}
macro_rules! array_params {
    ($($n:literal),*) => {$(
        impl<T: ToValue> Params for [T; $n] {
            fn values(&self) -> Vec<ValueRef<'_>> {
                self.iter().map(ToValue::to_value).collect()
            }
        }
    )*};
}
array_params!(1, 2, 3, 4, 5, 6, 7, 8);

/// Parameters from a list of values of one type.
pub fn params_from_iter<T: ToValue>(values: impl IntoIterator<Item = T>) -> Vec<Value> {
    values.into_iter().map(|v| v.to_value().into_owned()).collect()
}

/// `params![a, b, c]`: parameters of mixed types.
#[macro_export]
macro_rules! params {
    () => { [] as [&dyn $crate::db::ToValue; 0] };
    ($($p:expr),+ $(,)?) => { &[$(&$p as &dyn $crate::db::ToValue),+] as &[&dyn $crate::db::ToValue] };
}
pub use crate::params;

/// Something a column can be read as.
pub trait FromValue: Sized {
    fn from_value(v: ValueRef<'_>) -> Result<Self, String>;
}

fn wrong(v: ValueRef<'_>, wanted: &str) -> String {
    let found = match v {
        ValueRef::Null => "null",
        ValueRef::Int(_) => "an integer",
        ValueRef::Real(_) => "a real",
        ValueRef::Text(_) => "text",
        ValueRef::Blob(_) => "bytes",
    };
    format!("expected {wanted}, found {found}")
}

impl FromValue for i64 {
    fn from_value(v: ValueRef<'_>) -> Result<Self, String> {
        match v {
            ValueRef::Int(n) => Ok(n),
            _ => Err(wrong(v, "an integer")),
        }
    }
}
macro_rules! narrow_ints {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: ValueRef<'_>) -> Result<Self, String> {
                let n = i64::from_value(v)?;
                <$t>::try_from(n).map_err(|_| format!("{n} is out of range for {}", stringify!($t)))
            }
        }
    )*};
}
narrow_ints!(i32, u32, u16, u8, u64, usize);

impl FromValue for bool {
    fn from_value(v: ValueRef<'_>) -> Result<Self, String> {
        i64::from_value(v).map(|n| n != 0)
    }
}
impl FromValue for f64 {
    fn from_value(v: ValueRef<'_>) -> Result<Self, String> {
        match v {
            ValueRef::Real(x) => Ok(x),
            ValueRef::Int(n) => Ok(n as f64),
            _ => Err(wrong(v, "a number")),
        }
    }
}
impl FromValue for String {
    fn from_value(v: ValueRef<'_>) -> Result<Self, String> {
        match v {
            ValueRef::Text(t) => Ok(t.to_string()),
            _ => Err(wrong(v, "text")),
        }
    }
}
impl FromValue for Vec<u8> {
    fn from_value(v: ValueRef<'_>) -> Result<Self, String> {
        match v {
            ValueRef::Blob(b) => Ok(b.to_vec()),
            ValueRef::Text(t) => Ok(t.as_bytes().to_vec()),
            _ => Err(wrong(v, "bytes")),
        }
    }
}
impl FromValue for Value {
    fn from_value(v: ValueRef<'_>) -> Result<Self, String> {
        Ok(v.into_owned())
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: ValueRef<'_>) -> Result<Self, String> {
        match v {
            ValueRef::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// A column index (only positions: the store names no column when reading).
pub trait RowIndex {
    fn index(self) -> usize;
}
impl RowIndex for usize {
    fn index(self) -> usize {
        self
    }
}

/// One row of a result.
#[allow(missing_debug_implementations)]
pub enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    /// A row of a PostgreSQL result, by its number.
    Postgres(&'a pg::Table, usize),
}

impl Row<'_> {
    /// The column at `idx`, converted.
    pub fn get<I: RowIndex, T: FromValue>(&self, idx: I) -> Result<T> {
        let index = idx.index();
        T::from_value(self.get_ref(index)?).map_err(|problem| Error::Type { index, problem })
    }

    /// A text column, borrowed (no copy).
    pub fn text(&self, index: usize) -> Result<&str> {
        self.get_ref(index)?.as_str().map_err(|problem| Error::Type { index, problem })
    }

    /// The column at `idx` as it is.
    pub fn get_ref(&self, index: usize) -> Result<ValueRef<'_>> {
        match self {
            Row::Sqlite(r) => Ok(match r.get_ref(index)? {
                rusqlite::types::ValueRef::Null => ValueRef::Null,
                rusqlite::types::ValueRef::Integer(n) => ValueRef::Int(n),
                rusqlite::types::ValueRef::Real(x) => ValueRef::Real(x),
                rusqlite::types::ValueRef::Text(t) => ValueRef::Text(
                    std::str::from_utf8(t)
                        .map_err(|e| Error::Type { index, problem: format!("text is not UTF-8: {e}") })?,
                ),
                rusqlite::types::ValueRef::Blob(b) => ValueRef::Blob(b),
            }),
            Row::Postgres(table, row) => {
                table.get(*row, index).ok_or_else(|| Error::Type { index, problem: "no such column".into() })
            }
        }
    }
}

struct Lite<'a>(ValueRef<'a>);

impl rusqlite::ToSql for Lite<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef as R};
        Ok(ToSqlOutput::Borrowed(match self.0 {
            ValueRef::Null => R::Null,
            ValueRef::Int(n) => R::Integer(n),
            ValueRef::Real(x) => R::Real(x),
            ValueRef::Text(t) => R::Text(t.as_bytes()),
            ValueRef::Blob(b) => R::Blob(b),
        }))
    }
}

fn lite<'a>(values: &'a [ValueRef<'a>]) -> impl rusqlite::Params + 'a {
    rusqlite::params_from_iter(values.iter().map(|v| Lite(*v)))
}

fn owned(values: &[ValueRef<'_>]) -> Vec<Value> {
    values.iter().map(|v| v.into_owned()).collect()
}

/// A connection to either backend.
pub enum Conn {
    Sqlite(rusqlite::Connection),
    Postgres(pg::Client),
}

impl fmt::Debug for Conn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conn::Sqlite(_) => f.write_str("Conn::Sqlite"),
            Conn::Postgres(c) => write!(f, "Conn::Postgres({})", c.server()),
        }
    }
}

impl Conn {
    /// A plain connection to a store's database, without migrating it: for tools and tests
    /// that look under the store's functions. Most code wants [`crate::Store::open`].
    pub fn open(location: &std::path::Path) -> Result<Conn> {
        match location.to_str().filter(|s| pg::is_url(s)) {
            Some(url) => {
                let target = pg::Target::parse(url).map_err(Error::Connect)?;
                Ok(Conn::Postgres(pg::Client::connect(&target).map_err(Error::Connect)?))
            }
            None => Ok(Conn::Sqlite(rusqlite::Connection::open(location)?)),
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            Conn::Sqlite(_) => Dialect::Sqlite,
            Conn::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs one statement; returns how many rows it changed.
    pub fn execute(&self, sql: &str, params: impl Params) -> Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    /// Runs statements separated by `;`, without parameters.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match self {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Postgres(c) => c.batch(sql),
        }
    }

    /// Runs one statement per row of parameters, inside the transaction under way (a bulk
    /// load). On PostgreSQL the rows are sent without waiting for each answer. Returns the first
    /// row that failed and why; the transaction should then be rolled back.
    pub fn execute_many(&self, sql: &str, rows: Vec<Vec<Value>>) -> Result<Option<(usize, Error)>> {
        match self {
            Conn::Sqlite(c) => {
                if c.is_autocommit() {
                    return Err(Error::Usage("execute_many runs inside a transaction"));
                }
                let mut stmt = c.prepare_cached(sql)?;
                for (i, row) in rows.iter().enumerate() {
                    let values: Vec<ValueRef<'_>> = row.iter().map(Value::as_ref).collect();
                    if let Err(e) = stmt.execute(lite(&values)) {
                        return Ok(Some((i, e.into())));
                    }
                }
                Ok(None)
            }
            Conn::Postgres(c) => c.execute_many(sql, rows),
        }
    }

    /// Sends a read ahead: on PostgreSQL, outside a transaction, reads sent ahead are
    /// pipelined, and a later query with the same SQL and parameters takes its answer; any
    /// other statement (a write, a read not sent ahead) drops the answers not taken. On SQLite
    /// there is nothing to gain and nothing is done.
    pub fn prefetch(&self, sql: &str, params: impl Params) -> Result<()> {
        match self {
            Conn::Sqlite(_) => Ok(()),
            Conn::Postgres(c) => c.prefetch(sql, owned(&params.values())),
        }
    }

    /// The first row of a query, mapped; [`Error::NoRows`] when there is none.
    pub fn query_row<T>(&self, sql: &str, params: impl Params, f: impl FnOnce(&Row<'_>) -> Result<T>) -> Result<T> {
        let mut stmt = self.prepare_cached(sql)?;
        let mut rows = stmt.query(params)?;
        match rows.next()? {
            Some(row) => f(&row),
            None => Err(Error::NoRows),
        }
    }

    /// Inserts a row keyed by the next `id` (`MAX(id) + 1`, which is what SQLite gives a rowid)
    /// and returns it. `columns` and `values` leave the id out; `conflict` is an optional
    /// `ON CONFLICT …` clause, after which [`Error::NoRows`] means nothing was inserted.
    /// Writers take turns (see [`Conn::begin`]), so two cannot take the same id.
    pub fn insert_next_id(
        &self,
        table: &str,
        columns: &str,
        values: &str,
        conflict: &str,
        params: impl Params,
    ) -> Result<i64> {
        let sql = format!(
            "INSERT INTO {table} (id, {columns}) VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), {values}) {conflict} RETURNING id"
        );
        self.query_row(&sql, params, |r| r.get(0))
    }

    /// A statement (kept in the connection's cache).
    pub fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_>> {
        match self {
            Conn::Sqlite(c) => Ok(Stmt::Sqlite(c.prepare_cached(sql)?)),
            Conn::Postgres(c) => Ok(Stmt::Postgres(c, sql.to_string())),
        }
    }

    /// Same as [`Conn::prepare_cached`] (for one-off statements).
    pub fn prepare(&self, sql: &str) -> Result<Stmt<'_>> {
        self.prepare_cached(sql)
    }

    /// Starts a transaction. A writing one holds the store's one write lock until it ends
    /// (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a transaction-scoped advisory lock), so that
    /// writers take turns and the audit chain stays one total order.
    pub fn begin(&self, write: bool) -> Result<()> {
        match (self, write) {
            (Conn::Sqlite(c), true) => Ok(c.execute_batch("BEGIN IMMEDIATE")?),
            (Conn::Sqlite(c), false) => Ok(c.execute_batch("BEGIN DEFERRED")?),
            (Conn::Postgres(c), true) => {
                c.batch("BEGIN")?;
                c.batch(pg::WRITE_LOCK)
            }
            (Conn::Postgres(c), false) => c.batch("BEGIN"),
        }
    }

    pub fn commit(&self) -> Result<()> {
        self.execute_batch("COMMIT")
    }

    pub fn rollback(&self) -> Result<()> {
        self.execute_batch("ROLLBACK")
    }
}

/// A prepared statement.
#[allow(missing_debug_implementations)]
pub enum Stmt<'c> {
    Sqlite(rusqlite::CachedStatement<'c>),
    Postgres(&'c pg::Client, String),
}

impl Stmt<'_> {
    /// Runs the statement; returns how many rows it changed.
    pub fn execute(&mut self, params: impl Params) -> Result<usize> {
        let values = params.values();
        match self {
            Stmt::Sqlite(s) => Ok(s.execute(lite(&values))?),
            Stmt::Postgres(c, sql) => c.execute(sql, owned(&values)),
        }
    }

    /// Runs the query and walks its rows.
    pub fn query(&mut self, params: impl Params) -> Result<Rows<'_>> {
        let values = params.values();
        match self {
            Stmt::Sqlite(s) => Ok(Rows::Sqlite(s.query(lite(&values))?)),
            Stmt::Postgres(c, sql) => Ok(Rows::Postgres { rows: c.query(sql, owned(&values))?, next: 0 }),
        }
    }

    /// Runs the query and maps every row (read whole: callers collect them anyway).
    pub fn query_map<T>(
        &mut self,
        params: impl Params,
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<std::vec::IntoIter<Result<T>>> {
        let mut rows = self.query(params)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(f(&row));
        }
        Ok(out.into_iter())
    }
}

/// The rows of a query.
#[allow(missing_debug_implementations)]
pub enum Rows<'s> {
    Sqlite(rusqlite::Rows<'s>),
    Postgres { rows: pg::Table, next: usize },
}

impl Rows<'_> {
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        match self {
            Rows::Sqlite(rows) => Ok(rows.next()?.map(Row::Sqlite)),
            Rows::Postgres { rows, next } => {
                let row = (*next < rows.rows()).then_some(Row::Postgres(rows, *next));
                *next += 1;
                Ok(row)
            }
        }
    }
}

/// `(?N IS NULL OR condition)` → `(condition OR ?N IS NULL)`: the same filter, in the order
/// PostgreSQL needs to type the parameter (from the condition, before it meets `IS NULL`).
fn nulls_last(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find("(?") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let digits = tail[1..].bytes().take_while(u8::is_ascii_digit).count();
        let test = &tail[..1 + digits];
        let Some(cond) = tail[1 + digits..].strip_prefix(" IS NULL OR ") else {
            out.push('(');
            rest = tail;
            continue;
        };
        // The condition runs to the parenthesis that closes this one.
        let mut depth = 0;
        let mut quote = None;
        let mut end = None;
        for (i, c) in cond.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '(') => depth += 1,
                (None, ')') if depth == 0 => {
                    end = Some(i);
                    break;
                }
                (None, ')') => depth -= 1,
                _ => {}
            }
        }
        let Some(end) = end else {
            out.push('(');
            rest = tail;
            continue;
        };
        out.push_str(&format!("({} OR {test} IS NULL)", &cond[..end]));
        rest = &cond[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Turns `?N` (and bare `?`) placeholders into PostgreSQL's `$N`, leaving quoted text and
/// identifiers alone.
pub(crate) fn numbered(sql: &str) -> String {
    let sql = &nulls_last(sql);
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    let mut bare = 0;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                out.push(c);
            }
            (Some(_), c) => out.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                out.push(c);
            }
            (None, '?') => {
                out.push('$');
                let mut digits = false;
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    out.push(d);
                    chars.next();
                    digits = true;
                }
                if !digits {
                    bare += 1;
                    out.push_str(&bare.to_string());
                }
            }
            (None, c) => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_outside_quotes() {
        assert_eq!(numbered("SELECT a FROM t WHERE b = ?1 AND c = ?12"), "SELECT a FROM t WHERE b = $1 AND c = $12");
        assert_eq!(numbered("SELECT '?1', \"a?\" FROM t WHERE x = ?"), "SELECT '?1', \"a?\" FROM t WHERE x = $1");
        assert_eq!(numbered("LIKE ?4 ESCAPE '\\'"), "LIKE $4 ESCAPE '\\'");
        assert_eq!(
            numbered(
                "WHERE (?1 IS NULL OR at >= ?1) AND (?12 IS NULL OR lower(t) LIKE '%)' || ?12) AND (?3 IS NOT NULL)"
            ),
            "WHERE (at >= $1 OR $1 IS NULL) AND (lower(t) LIKE '%)' || $12 OR $12 IS NULL) AND ($3 IS NOT NULL)"
        );
    }

    #[test]
    fn sqlite_rows_read_through_the_common_interface() {
        let conn = Conn::Sqlite(rusqlite::Connection::open_in_memory().expect("db"));
        conn.execute_batch("CREATE TABLE t (a INTEGER, b TEXT)").expect("table");
        conn.execute("INSERT INTO t VALUES (?1, ?2)", params![7_i64, "x"]).expect("row");
        conn.execute("INSERT INTO t VALUES (?1, ?2)", params![8_i64, None::<String>]).expect("row");
        let rows: Vec<(i64, Option<String>)> = conn
            .prepare_cached("SELECT a, b FROM t ORDER BY a")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .expect("rows");
        assert_eq!(rows, vec![(7, Some("x".into())), (8, None)]);
        let none = conn.query_row("SELECT a FROM t WHERE a = ?1", [9_i64], |r| r.get::<_, i64>(0)).optional();
        assert!(matches!(none, Ok(None)));
        let bad = conn.query_row("SELECT b FROM t WHERE a = 7", [], |r| r.get::<_, i64>(0));
        assert!(matches!(bad, Err(Error::Type { index: 0, .. })), "{bad:?}");
    }
}
