//! PostgreSQL: the store's URL, the password file, TLS, and the client's own thread.
//!
//! A store URL is `postgres://USER@HOST[:PORT]/DATABASE[?OPTIONS]`. It never holds a password
//! (one in it is refused): the password comes from a file in the standard `.pgpass` format,
//! named by `passfile=` or `PGPASSFILE`, or `~/.pgpass`. Options:
//!
//! - `sslmode=verify-full` (the default): TLS with rustls, the server's certificate checked
//!   against `sslrootcert=FILE` (default `~/.postgresql/root.crt`) and its name against HOST.
//! - `sslmode=disable`: no TLS, accepted only for a server on loopback.
//! - `connect_timeout=SECONDS` (default 10), `application_name=NAME` (default `amoe`).
//!
//! The client (`tokio-postgres`) runs on a thread of its own with a small Tokio runtime, so that
//! the store works the same from a plain command and from inside another runtime (the
//! extranet). Each statement is sent to that thread and its rows come back as one [`Table`].
//! Statements are prepared once and kept; reads sent ahead ([`Client::prefetch`]) are
//! pipelined.

use super::{Error, Result, Value, numbered};
use bytes::BytesMut;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::Duration;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

/// Taken by every writing transaction: writers take turns, as on SQLite, so the audit chain is
/// one total order and `MAX(id) + 1` keys cannot collide. Released at commit or rollback.
pub(crate) const WRITE_LOCK: &str = "SELECT pg_advisory_xact_lock(1634561893)";

/// The server's message for an error, with its SQLSTATE.
pub(crate) fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text.push_str(&format!(": {s}"));
                source = s.source();
            }
            text
        }
    }
}

/// True for a store location that names a PostgreSQL database rather than a file.
pub fn is_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// A parsed store URL.
#[derive(Debug, Clone)]
pub struct Target {
    host: String,
    port: u16,
    user: String,
    dbname: String,
    tls: bool,
    root_cert: Option<PathBuf>,
    passfile: Option<PathBuf>,
    connect_timeout: Duration,
    application_name: String,
}

impl Target {
    /// Parses `postgres://USER@HOST[:PORT]/DATABASE[?OPTIONS]`; the error says what to fix.
    pub fn parse(url: &str) -> Result<Target, String> {
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .ok_or("a PostgreSQL store URL starts with `postgres://`")?;
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, dbname) = rest.split_once('/').ok_or("name the database: `postgres://USER@HOST/DATABASE`")?;
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        if userinfo.is_some_and(|u| u.contains(':')) {
            return Err("the URL holds a password: remove it and put it in a password file \
                        (`passfile=FILE` or PGPASSFILE, `.pgpass` format), so that it never shows in \
                        the journal, the store or a process listing"
                .into());
        }
        let user = match userinfo.filter(|u| !u.is_empty()) {
            Some(u) => decode(u)?,
            None => std::env::var("USER").map_err(|_| "name the role: `postgres://USER@HOST/DATABASE`")?,
        };
        let (host, port) = split_host_port(hostport)?;
        let dbname = decode(dbname)?;
        if dbname.is_empty() {
            return Err("name the database: `postgres://USER@HOST/DATABASE`".into());
        }
        let mut target = Target {
            host,
            port,
            user,
            dbname,
            tls: true,
            root_cert: None,
            passfile: None,
            connect_timeout: Duration::from_secs(10),
            application_name: "amoe".into(),
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').ok_or_else(|| format!("option `{pair}` has no value"))?;
            let value = decode(value)?;
            match key {
                "sslmode" => match value.as_str() {
                    "verify-full" => target.tls = true,
                    "disable" => target.tls = false,
                    other => {
                        return Err(format!(
                            "sslmode `{other}` is not offered: `verify-full` (the default) checks the \
                             server's certificate and name; `disable` is accepted on loopback only"
                        ));
                    }
                },
                "sslrootcert" => target.root_cert = Some(PathBuf::from(value)),
                "passfile" => target.passfile = Some(PathBuf::from(value)),
                "connect_timeout" => {
                    let secs: u64 =
                        value.parse().map_err(|_| format!("connect_timeout `{value}` is not a number of seconds"))?;
                    target.connect_timeout = Duration::from_secs(secs.max(1));
                }
                "application_name" => target.application_name = value,
                other => {
                    return Err(format!(
                        "unknown option `{other}`: the store URL takes sslmode, sslrootcert, passfile, \
                         connect_timeout and application_name"
                    ));
                }
            }
        }
        if !target.tls && !is_loopback(&target.host) {
            return Err(format!(
                "sslmode=disable is refused for `{}`, which is not on loopback: use TLS (sslmode=verify-full, \
                 with sslrootcert=FILE)",
                target.host
            ));
        }
        Ok(target)
    }

    /// The URL without options, safe to print: `postgres://USER@HOST:PORT/DATABASE`.
    pub fn display(&self) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        format!("postgres://{}@{host}:{}/{}", self.user, self.port, self.dbname)
    }

    fn password(&self) -> Result<Option<String>, String> {
        let file = match (&self.passfile, std::env::var_os("PGPASSFILE")) {
            (Some(f), _) => Some((f.clone(), true)),
            (None, Some(f)) => Some((PathBuf::from(f), true)),
            (None, None) => std::env::var_os("HOME").map(|h| (Path::new(&h).join(".pgpass"), false)),
        };
        let Some((file, named)) = file else { return Ok(None) };
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => return Ok(None),
            Err(e) => return Err(format!("cannot read the password file `{}`: {e}", file.display())),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).map(|m| m.permissions().mode()).unwrap_or(0);
            if mode & 0o077 != 0 {
                return Err(format!(
                    "the password file `{}` can be read by others (mode {:o}): `chmod 600` it",
                    file.display(),
                    mode & 0o777
                ));
            }
        }
        Ok(pgpass_lookup(&text, &self.host, self.port, &self.dbname, &self.user))
    }

    fn tls_config(&self) -> Result<rustls::ClientConfig, String> {
        use rustls_pki_types::CertificateDer;
        use rustls_pki_types::pem::PemObject;
        let file = match &self.root_cert {
            Some(f) => f.clone(),
            None => std::env::var_os("HOME")
                .map(|h| Path::new(&h).join(".postgresql/root.crt"))
                .ok_or("name the CA of the server's certificate with `sslrootcert=FILE`")?,
        };
        let pem = std::fs::read(&file).map_err(|e| {
            format!(
                "cannot read the CA file `{}` ({e}): name the CA of the server's certificate with \
                 `sslrootcert=FILE`",
                file.display()
            )
        })?;
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(&pem) {
            let cert = cert.map_err(|e| format!("the CA file `{}` is not PEM: {e}", file.display()))?;
            roots.add(cert).map_err(|e| format!("the CA file `{}`: {e}", file.display()))?;
        }
        if roots.is_empty() {
            return Err(format!("the CA file `{}` holds no certificate", file.display()));
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        Ok(rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth())
    }
}

fn decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3).ok_or_else(|| format!("bad percent-encoding in `{s}`"))?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| format!("bad percent-encoding in `{s}`"))?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("`{s}` is not UTF-8 once decoded"))
}

fn split_host_port(hostport: &str) -> Result<(String, u16), String> {
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or("an IPv6 address needs its closing `]`")?;
        (h.to_string(), after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (hostport.to_string(), None),
        }
    };
    if host.is_empty() {
        return Err("name the server: `postgres://USER@HOST/DATABASE`".into());
    }
    let port = match port {
        Some(p) => p.parse().map_err(|_| format!("port `{p}` is not a number"))?,
        None => 5432,
    };
    Ok((decode(&host)?, port))
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The password for a connection from `.pgpass` text (`host:port:database:user:password`
/// lines, `*` for any, `\:` and `\\` escaped), as libpq reads it.
fn pgpass_lookup(text: &str, host: &str, port: u16, dbname: &str, user: &str) -> Option<String> {
    let port = port.to_string();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => field.extend(chars.next()),
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut field)),
                c => field.push(c),
            }
        }
        fields.push(field);
        if fields.len() != 5 {
            continue;
        }
        let matches = |pattern: &str, value: &str| pattern == "*" || pattern == value;
        if matches(&fields[0], host)
            && matches(&fields[1], &port)
            && matches(&fields[2], dbname)
            && matches(&fields[3], user)
        {
            return fields.pop();
        }
    }
    None
}

/// Creates database `name` on the server of `url` (whose role may create databases) and returns
/// `url` naming it instead: a new empty store for a test, or for `amoe store copy`.
pub fn create_database(url: &str, name: &str) -> Result<String, String> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        return Err(format!("database name `{name}`: lowercase letters, digits and `_` only"));
    }
    let target = Target::parse(url)?;
    let client = Client::connect(&target)?;
    client.batch(&format!("CREATE DATABASE {name}")).map_err(|e| e.to_string())?;
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let (server, _) = base.rsplit_once('/').ok_or("no database in the URL")?;
    Ok(match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    })
}

/// Drops the database a store URL names (`WITH (FORCE)`: its sessions are ended), from the
/// server's `postgres` database: the end of a test's store.
pub fn drop_database(url: &str) -> Result<(), String> {
    let mut target = Target::parse(url)?;
    let name = std::mem::replace(&mut target.dbname, "postgres".into());
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        return Err(format!("database name `{name}`: lowercase letters, digits and `_` only"));
    }
    let client = Client::connect(&target)?;
    client.batch(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).map_err(|e| e.to_string())
}

/// A parameter as PostgreSQL wants it for the type it inferred.
#[derive(Debug)]
struct Param(Value);

impl ToSql for Param {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match &self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(n) => match *ty {
                Type::INT8 => n.to_sql(ty, out),
                Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
                Type::FLOAT8 => (*n as f64).to_sql(ty, out),
                Type::FLOAT4 => (*n as f32).to_sql(ty, out),
                Type::BOOL => (*n != 0).to_sql(ty, out),
                _ => n.to_string().to_sql(ty, out),
            },
            Value::Real(x) => match *ty {
                Type::FLOAT4 => (*x as f32).to_sql(ty, out),
                Type::FLOAT8 => x.to_sql(ty, out),
                _ => x.to_string().to_sql(ty, out),
            },
            Value::Text(t) => match *ty {
                Type::INT8 => t.parse::<i64>()?.to_sql(ty, out),
                Type::INT4 => t.parse::<i32>()?.to_sql(ty, out),
                Type::BYTEA => t.as_bytes().to_sql(ty, out),
                _ => t.as_str().to_sql(ty, out),
            },
            Value::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A query's rows, read on the client's thread into two buffers (text, bytes), each cell a
/// fixed-size entry pointing into them. Rows cross to the caller's thread as a few allocations
/// rather than one per cell (a list of 10,000 sites is 60,000 cells). Text is copied as the
/// server sent it and checked as UTF-8 once, whole, when the last row is in; it is then read
/// back by slicing.
#[derive(Debug, Default)]
pub struct Table {
    width: usize,
    text: String,
    bytes: Vec<u8>,
    cells: Vec<Cell>,
}

#[derive(Debug, Clone, Copy)]
enum Cell {
    Null,
    Int(i64),
    Real(f64),
    /// A range of `text`.
    Text(usize, usize),
    /// A range of `bytes`.
    Blob(usize, usize),
}

/// A column's value as the server sent it (binary format), whatever its type.
struct Raw<'a>(&'a [u8]);

impl<'a> tokio_postgres::types::FromSql<'a> for Raw<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(raw))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Builds a [`Table`] row by row.
struct TableBuilder {
    table: Table,
    /// The text of the cells read so far, checked as UTF-8 at the end.
    text: Vec<u8>,
}

impl TableBuilder {
    fn new(width: usize) -> TableBuilder {
        TableBuilder { table: Table { width, ..Table::default() }, text: Vec::new() }
    }

    fn push(&mut self, row: &tokio_postgres::Row, i: usize) -> Result<()> {
        let bytes = &mut self.table.bytes;
        let text = &mut self.text;
        let cell = match *row.columns()[i].type_() {
            Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(Cell::Int),
            Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map(|n| Cell::Int(n.into())),
            Type::INT2 => row.try_get::<_, Option<i16>>(i)?.map(|n| Cell::Int(n.into())),
            Type::OID => row.try_get::<_, Option<u32>>(i)?.map(|n| Cell::Int(n.into())),
            Type::BOOL => row.try_get::<_, Option<bool>>(i)?.map(|b| Cell::Int(b.into())),
            Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map(Cell::Real),
            Type::FLOAT4 => row.try_get::<_, Option<f32>>(i)?.map(|x| Cell::Real(x.into())),
            Type::BYTEA => row.try_get::<_, Option<Raw<'_>>>(i)?.map(|Raw(b)| {
                let start = bytes.len();
                bytes.extend_from_slice(b);
                Cell::Blob(start, bytes.len())
            }),
            // Text is sent as its bytes in the client encoding, UTF-8.
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                row.try_get::<_, Option<Raw<'_>>>(i)?.map(|Raw(t)| {
                    let start = text.len();
                    text.extend_from_slice(t);
                    Cell::Text(start, text.len())
                })
            }
            ref other => {
                return Err(Error::Type {
                    index: i,
                    problem: format!("PostgreSQL type `{other}` is not read by the store (cast it)"),
                });
            }
        };
        self.table.cells.push(cell.unwrap_or(Cell::Null));
        Ok(())
    }

    fn finish(self) -> Result<Table> {
        let TableBuilder { mut table, text } = self;
        table.text = String::from_utf8(text).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let cell = table.cells.iter().position(|c| matches!(*c, Cell::Text(a, b) if a <= at && at < b));
            Error::Type {
                index: cell.map_or(0, |c| c % table.width.max(1)),
                problem: "the server sent text that is not UTF-8".into(),
            }
        })?;
        // A range ends on a character boundary only if the whole text is UTF-8 and each cell
        // was: every cell's ends are checked too, so that slicing cannot panic.
        let boundaries = table.cells.iter().all(|c| match *c {
            Cell::Text(a, b) => table.text.is_char_boundary(a) && table.text.is_char_boundary(b),
            _ => true,
        });
        if !boundaries {
            return Err(Error::Type { index: 0, problem: "the server sent text that is not UTF-8".into() });
        }
        Ok(table)
    }
}

impl Table {
    pub(crate) fn rows(&self) -> usize {
        self.cells.len().checked_div(self.width).unwrap_or(0)
    }

    pub(crate) fn get(&self, row: usize, index: usize) -> Option<super::ValueRef<'_>> {
        use super::ValueRef;
        if index >= self.width {
            return None;
        }
        Some(match *self.cells.get(row * self.width + index)? {
            Cell::Null => ValueRef::Null,
            Cell::Int(n) => ValueRef::Int(n),
            Cell::Real(x) => ValueRef::Real(x),
            Cell::Text(a, b) => ValueRef::Text(&self.text[a..b]),
            Cell::Blob(a, b) => ValueRef::Blob(&self.bytes[a..b]),
        })
    }
}

type Reply<T> = mpsc::SyncSender<Result<T>>;

enum Job {
    Query(String, Vec<Value>, bool, Reply<Table>),
    Execute(String, Vec<Value>, bool, Reply<usize>),
    /// One statement over many rows of parameters, inside a transaction; the answer is the
    /// first row that failed, if any.
    ExecuteMany(String, Vec<Vec<Value>>, Reply<Option<(usize, Error)>>),
    Batch(String, Reply<()>),
}

/// A query sent ahead by [`Client::prefetch`], its answer not read yet.
type Ahead = (String, Vec<Value>, mpsc::Receiver<Result<Table>>);

/// A connection to PostgreSQL, served by its own thread.
#[derive(Debug)]
pub struct Client {
    jobs: Option<tokio::sync::mpsc::UnboundedSender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
    server: String,
    /// Inside `BEGIN` … `COMMIT`/`ROLLBACK`.
    in_tx: std::cell::Cell<bool>,
    ahead: std::cell::RefCell<Vec<Ahead>>,
}

impl Client {
    /// Connects (password from the password file, TLS unless disabled on loopback). The error
    /// names the server and says what to check.
    pub fn connect(target: &Target) -> Result<Client, String> {
        let server = target.display();
        let mut config = tokio_postgres::Config::new();
        config
            .host(&target.host)
            .port(target.port)
            .user(&target.user)
            .dbname(&target.dbname)
            .application_name(&target.application_name)
            .connect_timeout(target.connect_timeout)
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(30));
        if let Some(password) = target.password()? {
            config.password(password);
        }
        let tls = if target.tls {
            config.ssl_mode(tokio_postgres::config::SslMode::Require);
            Some(target.tls_config()?)
        } else {
            config.ssl_mode(tokio_postgres::config::SslMode::Disable);
            None
        };
        let (ready_tx, ready_rx) = mpsc::sync_channel(1);
        let (jobs_tx, jobs_rx) = tokio::sync::mpsc::unbounded_channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("amoe-store-pg".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready_tx.send(Err(format!("cannot start the store's client runtime: {e}")));
                        return;
                    }
                };
                runtime.block_on(async move {
                    // The connection's own task reads and writes the socket; when it ends (the
                    // server went away), every pending call fails as "closed".
                    let connected = match tls {
                        Some(tls) => config.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls)).await.map(
                            |(client, connection)| {
                                tokio::spawn(connection);
                                client
                            },
                        ),
                        None => config.connect(tokio_postgres::NoTls).await.map(|(client, connection)| {
                            tokio::spawn(connection);
                            client
                        }),
                    };
                    match connected {
                        Ok(client) => {
                            let _ = ready_tx.send(Ok(()));
                            serve(client, jobs_rx).await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(describe(&e)));
                        }
                    }
                });
            })
            .map_err(|e| format!("cannot start the store's client thread: {e}"))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Client {
                jobs: Some(jobs_tx),
                thread: Some(thread),
                server,
                in_tx: false.into(),
                ahead: Default::default(),
            }),
            Ok(Err(problem)) => {
                let _ = thread.join();
                Err(problem)
            }
            Err(_) => Err("the store's client thread stopped".into()),
        }
    }

    /// `postgres://USER@HOST:PORT/DATABASE`.
    pub fn server(&self) -> &str {
        &self.server
    }

    fn send<T>(&self, job: impl FnOnce(Reply<T>) -> Job) -> Result<mpsc::Receiver<Result<T>>> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.jobs.as_ref().ok_or_else(|| self.lost())?.send(job(tx)).map_err(|_| self.lost())?;
        Ok(rx)
    }

    fn lost(&self) -> Error {
        Error::Connect(format!("the connection to {} is closed", self.server))
    }

    fn call<T>(&self, job: impl FnOnce(Reply<T>) -> Job) -> Result<T> {
        self.send(job)?.recv().map_err(|_| self.lost())?
    }

    /// Sends a read ahead of its [`Client::query`]: reads sent together are pipelined (the
    /// server runs the next while the rows of the one before are read), and the caller can work
    /// on the first answer while the others come. Any other statement drops the answers not
    /// taken yet (a write, or a read that was not sent ahead), and so does sending the same read
    /// again: none is taken after the store changed. Inside a transaction, nothing is sent
    /// ahead.
    pub(crate) fn prefetch(&self, sql: &str, params: Vec<Value>) -> Result<()> {
        // Inside a transaction a failed read would end it: nothing is sent ahead there.
        if self.in_tx.get() {
            return Ok(());
        }
        let rx = self.send(|tx| Job::Query(sql.to_string(), params.clone(), self.in_tx.get(), tx))?;
        let mut ahead = self.ahead.borrow_mut();
        ahead.retain(|(s, p, _)| !(s == sql && *p == params));
        ahead.push((sql.to_string(), params, rx));
        Ok(())
    }

    pub(crate) fn query(&self, sql: &str, params: Vec<Value>) -> Result<Table> {
        // The answer sent ahead for this read; a read that was not sent ahead drops the others
        // (left by a caller that stopped half-way), so that none is taken long after.
        let sent = {
            let mut ahead = self.ahead.borrow_mut();
            match ahead.iter().position(|(s, p, _)| s == sql && *p == params) {
                Some(i) => Some(ahead.remove(i).2),
                None => {
                    ahead.clear();
                    None
                }
            }
        };
        if let Some(rx) = sent {
            return rx.recv().map_err(|_| self.lost())?;
        }
        self.alone(sql, || self.call(|tx| Job::Query(sql.to_string(), params, self.in_tx.get(), tx)))
    }

    pub(crate) fn execute(&self, sql: &str, params: Vec<Value>) -> Result<usize> {
        self.ahead.borrow_mut().clear();
        self.alone(sql, || self.call(|tx| Job::Execute(sql.to_string(), params, self.in_tx.get(), tx)))
    }

    /// Runs `sql` once per row of `rows`, inside the transaction under way: the rows are sent
    /// without waiting for each answer (a bulk load costs no round trip per row). Returns the
    /// index of the first row that failed and why; the transaction is then aborted.
    pub(crate) fn execute_many(&self, sql: &str, rows: Vec<Vec<Value>>) -> Result<Option<(usize, Error)>> {
        if !self.in_tx.get() {
            return Err(Error::Usage("execute_many runs inside a transaction"));
        }
        self.ahead.borrow_mut().clear();
        self.call(|tx| Job::ExecuteMany(sql.to_string(), rows, tx))
    }

    pub(crate) fn batch(&self, sql: &str) -> Result<()> {
        self.ahead.borrow_mut().clear();
        let first = sql.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        let result = self.call(|tx| Job::Batch(sql.to_string(), tx));
        match first.as_str() {
            "BEGIN" if result.is_ok() => self.in_tx.set(true),
            "COMMIT" | "ROLLBACK" => self.in_tx.set(false),
            _ => {}
        }
        result
    }

    /// A write outside a transaction takes the write lock for itself, as SQLite's autocommit
    /// writes do: writers keep taking turns.
    fn alone<T>(&self, sql: &str, run: impl FnOnce() -> Result<T>) -> Result<T> {
        let first = sql.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        if self.in_tx.get() || !matches!(first.as_str(), "INSERT" | "UPDATE" | "DELETE") {
            return run();
        }
        self.batch("BEGIN")?;
        let outcome = self.batch(WRITE_LOCK).and_then(|()| run());
        match outcome {
            Ok(v) => self.batch("COMMIT").map(|()| v),
            Err(e) => {
                let _ = self.batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.ahead.get_mut().clear();
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// How a statement's parameters are typed when it is prepared.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Typing {
    /// As the values are (integer, text…), nulls left to the server.
    Values,
    /// The same, nulls as text: PostgreSQL cannot type `?1 IS NULL` alone.
    NullsAsText,
    /// The same, nulls as integers (`?1 IS NULL OR ticket = ?1`).
    NullsAsInt,
    /// Everything left to the server (a text value compared with an integer column).
    Server,
}

fn param_types(params: &[Value], typing: Typing) -> Vec<Type> {
    params
        .iter()
        .map(|v| match (typing, v) {
            (Typing::Server, _) => Type::UNKNOWN,
            (_, Value::Int(_)) => Type::INT8,
            (_, Value::Real(_)) => Type::FLOAT8,
            (_, Value::Text(_)) => Type::TEXT,
            (_, Value::Blob(_)) => Type::BYTEA,
            (Typing::NullsAsText, Value::Null) => Type::TEXT,
            (Typing::NullsAsInt, Value::Null) => Type::INT8,
            (Typing::Values, Value::Null) => Type::UNKNOWN,
        })
        .collect()
}

/// An error class 42 (syntax or access rule) that typing the parameters another way may avoid.
fn retyping_may_help(sqlstate: &str) -> bool {
    sqlstate.starts_with("42") && !matches!(sqlstate, "42P01" | "42703" | "42601" | "42501" | "42P07")
}

/// The client thread's side: the connection and its prepared statements.
struct Session {
    client: tokio_postgres::Client,
    /// Statements by their SQL and their parameters' types, prepared once.
    statements: std::cell::RefCell<HashMap<(String, Vec<Type>), tokio_postgres::Statement>>,
}

impl Session {
    async fn prepare(&self, sql: &str, params: &[Value], in_tx: bool) -> Result<tokio_postgres::Statement> {
        let mut last = None;
        for typing in [Typing::Values, Typing::NullsAsText, Typing::NullsAsInt, Typing::Server] {
            let key = (sql.to_string(), param_types(params, typing));
            if let Some(s) = self.statements.borrow().get(&key) {
                return Ok(s.clone());
            }
            // An error inside a transaction ends it: a savepoint keeps it alive for the next try.
            if in_tx {
                self.client.batch_execute("SAVEPOINT amoe_prepare").await?;
            }
            match self.client.prepare_typed(&numbered(sql), &key.1).await {
                Ok(s) => {
                    if in_tx {
                        self.client.batch_execute("RELEASE SAVEPOINT amoe_prepare").await?;
                    }
                    self.statements.borrow_mut().insert(key, s.clone());
                    return Ok(s);
                }
                // Types the server could not settle or that do not fit: try the next way. A
                // missing table or column, or a syntax error, no typing can fix.
                Err(e) if !params.is_empty() && e.code().is_some_and(|c| retyping_may_help(c.code())) => {
                    if in_tx {
                        self.client.batch_execute("ROLLBACK TO SAVEPOINT amoe_prepare").await?;
                    }
                    last = Some(e);
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(last.map_or(Error::NoRows, Error::from))
    }

    async fn query(&self, sql: &str, params: Vec<Value>, in_tx: bool) -> Result<Table> {
        let stmt = self.prepare(sql, &params, in_tx).await?;
        let params: Vec<Param> = params.into_iter().map(Param).collect();
        let rows = self.client.query_raw(&stmt, params.iter().map(|p| p as &(dyn ToSql + Sync))).await?;
        let mut rows = std::pin::pin!(rows);
        let mut table = TableBuilder::new(stmt.columns().len());
        while let Some(row) = std::future::poll_fn(|cx| futures_core::Stream::poll_next(rows.as_mut(), cx)).await {
            let row = row?;
            for i in 0..row.len() {
                table.push(&row, i)?;
            }
        }
        table.finish()
    }

    async fn execute(&self, sql: &str, params: Vec<Value>, in_tx: bool) -> Result<usize> {
        let stmt = self.prepare(sql, &params, in_tx).await?;
        let params: Vec<Param> = params.into_iter().map(Param).collect();
        let changed = self.client.execute_raw(&stmt, params.iter().map(|p| p as &(dyn ToSql + Sync))).await?;
        Ok(usize::try_from(changed).unwrap_or(usize::MAX))
    }

    async fn run(&self, job: Job) {
        match job {
            Job::Query(sql, params, in_tx, reply) => {
                let _ = reply.send(self.query(&sql, params, in_tx).await);
            }
            Job::Execute(sql, params, in_tx, reply) => {
                let _ = reply.send(self.execute(&sql, params, in_tx).await);
            }
            Job::Batch(sql, reply) => {
                let _ = reply.send(self.client.batch_execute(&sql).await.map_err(Error::from));
            }
            Job::ExecuteMany(sql, rows, reply) => {
                let _ = reply.send(self.execute_many(&sql, rows).await);
            }
        }
    }

    async fn execute_many(&self, sql: &str, rows: Vec<Vec<Value>>) -> Result<Option<(usize, Error)>> {
        // Typed by the server from the statement (an INSERT's columns), whatever each row holds.
        let types = vec![Type::UNKNOWN; rows.first().map_or(0, Vec::len)];
        let stmt = self.client.prepare_typed(&numbered(sql), &types).await?;
        let rows: Vec<Vec<Param>> = rows.into_iter().map(|row| row.into_iter().map(Param).collect()).collect();
        type Exec<'a> = std::pin::Pin<Box<dyn Future<Output = Result<u64, tokio_postgres::Error>> + 'a>>;
        let mut running: Vec<(usize, Exec<'_>)> = Vec::new();
        let mut rows = rows.iter().enumerate();
        let mut failed: Option<(usize, Error)> = None;
        // A window of rows in flight: each is sent when first polled, their answers come back in
        // order, and the next rows go out as the first ones are answered. After a failure no row
        // is sent, and the ones already sent are waited for, so that the first failed row is
        // the one named (a row refused before it is sent can fail before an earlier one does).
        const WINDOW: usize = 256;
        loop {
            while failed.is_none() && running.len() < WINDOW {
                let Some((i, row)) = rows.next() else { break };
                let stmt = &stmt;
                let exec: Exec<'_> =
                    Box::pin(self.client.execute_raw(stmt, row.iter().map(|p| p as &(dyn ToSql + Sync))));
                running.push((i, exec));
            }
            if running.is_empty() {
                return Ok(failed);
            }
            let done = std::future::poll_fn(|cx| {
                let mut done = Vec::new();
                running.retain_mut(|(i, exec)| match exec.as_mut().poll(cx) {
                    std::task::Poll::Ready(r) => {
                        done.push((*i, r));
                        false
                    }
                    std::task::Poll::Pending => true,
                });
                if done.is_empty() { std::task::Poll::Pending } else { std::task::Poll::Ready(done) }
            })
            .await;
            for (i, result) in done {
                if let Err(e) = result
                    && failed.as_ref().is_none_or(|(first, _)| i < *first)
                {
                    failed = Some((i, e.into()));
                }
            }
        }
    }
}

/// A read running on the client thread, its answer sent to its caller when whole.
type Read<'a> = std::pin::Pin<Box<dyn Future<Output = ()> + 'a>>;

/// Runs the jobs in order. Reads outside a transaction do not wait for the ones before them:
/// their requests go out at once (tokio-postgres pipelines them on the connection), the answers
/// come back in order, and each goes to its caller as soon as it is whole. Any other job waits
/// for the reads before it, and the reads after it wait for it.
async fn serve(client: tokio_postgres::Client, mut jobs: tokio::sync::mpsc::UnboundedReceiver<Job>) {
    let session = Session { client, statements: Default::default() };
    let mut running: Vec<Read<'_>> = Vec::new();
    loop {
        let next = std::future::poll_fn(|cx| {
            running.retain_mut(|read| read.as_mut().poll(cx).is_pending());
            jobs.poll_recv(cx)
        })
        .await;
        match next {
            Some(Job::Query(sql, params, false, reply)) => {
                let session = &session;
                running.push(Box::pin(async move {
                    let _ = reply.send(session.query(&sql, params, false).await);
                }));
            }
            Some(job) => {
                finish(&mut running).await;
                session.run(job).await;
            }
            None => {
                finish(&mut running).await;
                return;
            }
        }
    }
}

/// Waits for the reads running.
async fn finish(running: &mut Vec<Read<'_>>) {
    std::future::poll_fn(|cx| {
        running.retain_mut(|read| read.as_mut().poll(cx).is_pending());
        if running.is_empty() { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_parsed_and_passwords_refused() {
        let t = Target::parse("postgres://amoe@db.example:5433/ops?sslrootcert=/etc/ca.pem").expect("url");
        assert_eq!(t.display(), "postgres://amoe@db.example:5433/ops");
        assert!(t.tls);
        let t = Target::parse("postgresql://amoe@[::1]/ops?sslmode=disable").expect("loopback");
        assert_eq!(t.display(), "postgres://amoe@[::1]:5432/ops");
        assert!(!t.tls);
        let e = Target::parse("postgres://amoe:secret@db.example/ops").expect_err("password");
        assert!(e.contains("password file"), "{e}");
        let e = Target::parse("postgres://amoe@db.example/ops?sslmode=disable").expect_err("no TLS far away");
        assert!(e.contains("loopback"), "{e}");
        let e = Target::parse("postgres://amoe@db.example/ops?sslmode=require").expect_err("weak mode");
        assert!(e.contains("verify-full"), "{e}");
        let e = Target::parse("postgres://amoe@db.example/ops?password=x").expect_err("option");
        assert!(e.contains("unknown option"), "{e}");
        assert!(Target::parse("postgres://amoe@db.example").is_err());
    }

    #[test]
    fn pgpass_lines_match_as_libpq_reads_them() {
        let text = "# comment\nother:5432:ops:amoe:no\n*:5432:ops:amoe:pa\\:ss\\\\\n*:*:*:*:any\n";
        assert_eq!(pgpass_lookup(text, "db", 5432, "ops", "amoe").as_deref(), Some("pa:ss\\"));
        assert_eq!(pgpass_lookup(text, "db", 5433, "ops", "amoe").as_deref(), Some("any"));
        assert_eq!(pgpass_lookup("db:5432:ops:amoe:x\n", "db", 5432, "ops", "root"), None);
    }
}
