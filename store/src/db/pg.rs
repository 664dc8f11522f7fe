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
//! The synchronous `postgres` client drives a small Tokio runtime of its own, which cannot run
//! inside another one. It therefore lives on a thread of its own; each statement is sent to
//! it and its rows come back as [`Value`]s. Statements are prepared once and kept.

use super::{Error, Result, Value, numbered};
use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::Duration;

/// Taken by every writing transaction: writers take turns, as on SQLite, so the audit chain is
/// one total order and `MAX(id) + 1` keys cannot collide. Released at commit or rollback.
pub(crate) const WRITE_LOCK: &str = "SELECT pg_advisory_xact_lock(1634561893)";

/// The server's message for an error, with its SQLSTATE.
pub(crate) fn describe(e: &postgres::Error) -> String {
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
/// rather than one per cell (a list of 10,000 sites is 60,000 cells), and text is read back by
/// slicing, without checking it again.
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

    fn push(&mut self, row: &postgres::Row, i: usize) -> Result<()> {
        let cell = match *row.columns()[i].type_() {
            Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(Cell::Int),
            Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map(|n| Cell::Int(n.into())),
            Type::INT2 => row.try_get::<_, Option<i16>>(i)?.map(|n| Cell::Int(n.into())),
            Type::OID => row.try_get::<_, Option<u32>>(i)?.map(|n| Cell::Int(n.into())),
            Type::BOOL => row.try_get::<_, Option<bool>>(i)?.map(|b| Cell::Int(b.into())),
            Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map(Cell::Real),
            Type::FLOAT4 => row.try_get::<_, Option<f32>>(i)?.map(|x| Cell::Real(x.into())),
            Type::BYTEA => row.try_get::<_, Option<&[u8]>>(i)?.map(|b| {
                let start = self.bytes.len();
                self.bytes.extend_from_slice(b);
                Cell::Blob(start, self.bytes.len())
            }),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                row.try_get::<_, Option<&str>>(i)?.map(|t| {
                    let start = self.text.len();
                    self.text.push_str(t);
                    Cell::Text(start, self.text.len())
                })
            }
            ref other => {
                return Err(Error::Type {
                    index: i,
                    problem: format!("PostgreSQL type `{other}` is not read by the store (cast it)"),
                });
            }
        };
        self.cells.push(cell.unwrap_or(Cell::Null));
        Ok(())
    }
}

enum Job {
    Query(String, Vec<Value>, bool, mpsc::SyncSender<Result<Table>>),
    Execute(String, Vec<Value>, bool, mpsc::SyncSender<Result<usize>>),
    Batch(String, mpsc::SyncSender<Result<()>>),
}

/// A connection to PostgreSQL, served by its own thread.
#[derive(Debug)]
pub struct Client {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
    server: String,
    /// Inside `BEGIN` … `COMMIT`/`ROLLBACK`.
    in_tx: std::cell::Cell<bool>,
}

impl Client {
    /// Connects (password from the password file, TLS unless disabled on loopback). The error
    /// names the server and says what to check.
    pub fn connect(target: &Target) -> Result<Client, String> {
        let server = target.display();
        let mut config = postgres::Config::new();
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
            config.ssl_mode(postgres::config::SslMode::Require);
            Some(target.tls_config()?)
        } else {
            config.ssl_mode(postgres::config::SslMode::Disable);
            None
        };
        let (ready_tx, ready_rx) = mpsc::sync_channel(1);
        let (jobs_tx, jobs_rx) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("amoe-store-pg".into())
            .spawn(move || {
                let connected = match tls {
                    Some(tls) => config.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls)),
                    None => config.connect(postgres::NoTls),
                };
                match connected {
                    Ok(client) => {
                        let _ = ready_tx.send(Ok(()));
                        serve(client, jobs_rx);
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(describe(&e)));
                    }
                }
            })
            .map_err(|e| format!("cannot start the store's client thread: {e}"))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Client { jobs: Some(jobs_tx), thread: Some(thread), server, in_tx: false.into() }),
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

    fn call<T>(&self, job: impl FnOnce(mpsc::SyncSender<Result<T>>) -> Job) -> Result<T> {
        let (tx, rx) = mpsc::sync_channel(1);
        let lost = || Error::Connect(format!("the connection to {} is closed", self.server));
        self.jobs.as_ref().ok_or_else(lost)?.send(job(tx)).map_err(|_| lost())?;
        rx.recv().map_err(|_| lost())?
    }

    pub(crate) fn query(&self, sql: &str, params: Vec<Value>) -> Result<Table> {
        self.alone(sql, || self.call(|tx| Job::Query(sql.to_string(), params, self.in_tx.get(), tx)))
    }

    pub(crate) fn execute(&self, sql: &str, params: Vec<Value>) -> Result<usize> {
        self.alone(sql, || self.call(|tx| Job::Execute(sql.to_string(), params, self.in_tx.get(), tx)))
    }

    pub(crate) fn batch(&self, sql: &str) -> Result<()> {
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

fn serve(mut client: postgres::Client, jobs: mpsc::Receiver<Job>) {
    // Statements by their SQL and their parameters' types, prepared once.
    let mut statements: HashMap<(String, Vec<Type>), postgres::Statement> = HashMap::new();
    let mut prepare =
        |client: &mut postgres::Client, sql: &str, params: &[Value], in_tx: bool| -> Result<postgres::Statement> {
            let mut last = None;
            for typing in [Typing::Values, Typing::NullsAsText, Typing::NullsAsInt, Typing::Server] {
                let types = param_types(params, typing);
                let key = (sql.to_string(), types);
                if let Some(s) = statements.get(&key) {
                    return Ok(s.clone());
                }
                // An error inside a transaction ends it: a savepoint keeps it alive for the next try.
                if in_tx {
                    client.batch_execute("SAVEPOINT amoe_prepare")?;
                }
                match client.prepare_typed(&numbered(sql), &key.1) {
                    Ok(s) => {
                        if in_tx {
                            client.batch_execute("RELEASE SAVEPOINT amoe_prepare")?;
                        }
                        statements.insert(key, s.clone());
                        return Ok(s);
                    }
                    // Types the server could not settle or that do not fit: try the next way.
                    Err(e) if e.code().is_some_and(|c| c.code().starts_with("42")) => {
                        if in_tx {
                            client.batch_execute("ROLLBACK TO SAVEPOINT amoe_prepare")?;
                        }
                        last = Some(e);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Err(last.map_or(Error::NoRows, Error::from))
        };
    for job in jobs {
        match job {
            Job::Query(sql, params, in_tx, reply) => {
                let result = (|| {
                    let stmt = prepare(&mut client, &sql, &params, in_tx)?;
                    let params: Vec<Param> = params.into_iter().map(Param).collect();
                    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
                    use postgres::fallible_iterator::FallibleIterator;
                    let mut table = Table { width: stmt.columns().len(), ..Table::default() };
                    let mut rows = client.query_raw(&stmt, refs)?;
                    while let Some(row) = rows.next()? {
                        for i in 0..row.len() {
                            table.push(&row, i)?;
                        }
                    }
                    Ok(table)
                })();
                let _ = reply.send(result);
            }
            Job::Execute(sql, params, in_tx, reply) => {
                let result = (|| {
                    let stmt = prepare(&mut client, &sql, &params, in_tx)?;
                    let params: Vec<Param> = params.into_iter().map(Param).collect();
                    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
                    Ok(usize::try_from(client.execute(&stmt, &refs)?).unwrap_or(usize::MAX))
                })();
                let _ = reply.send(result);
            }
            Job::Batch(sql, reply) => {
                let _ = reply.send(client.batch_execute(&sql).map_err(Error::from));
            }
        }
    }
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
