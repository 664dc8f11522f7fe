//! Ordered, versioned migrations: migration `i` (from 0) brings the schema from version `i` to
//! `i + 1`. Each runs in its own transaction; running them again is a no-op. Migrations are
//! only ever appended, never edited.
//!
//! One list serves both backends. It is written in SQLite's words; [`postgres_sql`] turns it
//! into PostgreSQL's (64-bit integers, byte-wise text order as SQLite's, foreign keys that an
//! import may check at commit, the reserved word `user` quoted), and [`POSTGRES_ONLY`] replaces
//! what SQLite does its own way (rebuilding a table to change a column). The version is
//! `PRAGMA user_version` on SQLite and the one row of `amoe_schema` on PostgreSQL.

use crate::db::{Conn, Dialect, OptionalExtension};
use rusqlite::Connection;

/// The migrations, in order. Keep the SQL portable: explicit primary keys on every table
/// (exports order rows by them), TEXT times in UTC, INTEGER booleans and money in cents.
const MIGRATIONS: &[&str] = &[
    // 1: the inventory.
    "CREATE TABLE beneficiaries (
        siret TEXT PRIMARY KEY NOT NULL CHECK (length(siret) = 14),
        name TEXT NOT NULL,
        lot INTEGER NOT NULL CHECK (lot BETWEEN 1 AND 14)
    );
    CREATE TABLE beneficiary_emails (
        siret TEXT NOT NULL REFERENCES beneficiaries (siret) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        email TEXT NOT NULL,
        PRIMARY KEY (siret, position)
    );
    CREATE TABLE hosts (
        name TEXT PRIMARY KEY NOT NULL,
        address TEXT NOT NULL,
        location TEXT
    );
    CREATE TABLE sites (
        name TEXT PRIMARY KEY NOT NULL,
        beneficiary TEXT NOT NULL REFERENCES beneficiaries (siret),
        category TEXT NOT NULL CHECK (category IN ('permanent', 'ephemeral', 'recurring')),
        active INTEGER NOT NULL CHECK (active IN (0, 1))
    );
    CREATE INDEX sites_beneficiary ON sites (beneficiary);
    CREATE TABLE site_domains (
        domain TEXT PRIMARY KEY NOT NULL,
        site TEXT NOT NULL REFERENCES sites (name) ON DELETE CASCADE,
        position INTEGER NOT NULL
    );
    CREATE INDEX site_domains_site ON site_domains (site, position);
    CREATE TABLE site_origins (
        site TEXT NOT NULL REFERENCES sites (name) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        url TEXT NOT NULL,
        PRIMARY KEY (site, position)
    );
    CREATE TABLE site_hosts (
        site TEXT NOT NULL REFERENCES sites (name) ON DELETE CASCADE,
        host TEXT NOT NULL REFERENCES hosts (name),
        PRIMARY KEY (site, host)
    );
    CREATE INDEX site_hosts_host ON site_hosts (host);",
    // 2: the audit journal, hash-chained; `audit_head` remembers the last entry so that a
    // deleted tail is noticed too.
    "CREATE TABLE audit (
        seq INTEGER PRIMARY KEY NOT NULL,
        at TEXT NOT NULL,
        operator TEXT NOT NULL,
        command TEXT NOT NULL,
        target TEXT,
        args TEXT NOT NULL,
        outcome TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX audit_at ON audit (at);
    CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
    );",
    // 3: the certificates issued by the project's CA (metadata and fingerprints only: keys
    // never enter the store), and `meta`, small named counters such as the CRL number.
    "CREATE TABLE certificates (
        serial TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('ca', 'host', 'operator', 'ci')),
        not_before TEXT NOT NULL,
        not_after TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE INDEX certificates_name ON certificates (name);
    CREATE TABLE meta (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    );",
    // 4: the outbox of operations owed to hosts until each confirmed, and the versions of each
    // site's cache rules.
    "CREATE TABLE outbox (
        id TEXT PRIMARY KEY NOT NULL,
        seq INTEGER NOT NULL UNIQUE,
        host TEXT NOT NULL,
        site TEXT,
        kind TEXT NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        body TEXT,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT
    );
    CREATE INDEX outbox_host ON outbox (host, seq);
    CREATE TABLE site_rules (
        site TEXT NOT NULL REFERENCES sites (name) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        rules TEXT NOT NULL,
        created_at TEXT NOT NULL,
        operator TEXT NOT NULL,
        PRIMARY KEY (site, version)
    );",
    // 5: who queued each outbox item (certificate name, role, the certificate itself and its
    // key's signature of the call: an item is delivered with the rights of both whoever queued
    // it and whoever delivers it), items parked after a
    // permanent refusal, one lease per host's queue (one delivering process at a time), and the
    // certificate identity of each audit entry beside the declared operator.
    "ALTER TABLE outbox ADD COLUMN queued_by TEXT;
    ALTER TABLE outbox ADD COLUMN queued_role TEXT;
    ALTER TABLE outbox ADD COLUMN parked_at TEXT;
    ALTER TABLE outbox ADD COLUMN queued_cert TEXT;
    ALTER TABLE outbox ADD COLUMN signature TEXT;
    CREATE TABLE outbox_leases (
        host TEXT PRIMARY KEY NOT NULL,
        holder TEXT NOT NULL,
        until TEXT NOT NULL
    );
    ALTER TABLE audit ADD COLUMN identity TEXT;",
    // 6: a site's serving settings (HTTPS redirect, HSTS, health checks, limits), as JSON.
    "ALTER TABLE sites ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';",
    // 7: access logs. Each host's SSH endpoint and log folder (NULL: the address's host, port
    // 22, `/`); the local archive of the closed daily files collected from hosts; the merged
    // files delivered to beneficiaries; the SFTP accounts they are delivered to (per
    // beneficiary, or per site to override it; key files are paths, never keys).
    "ALTER TABLE hosts ADD COLUMN ssh TEXT;
    ALTER TABLE hosts ADD COLUMN ssh_user TEXT;
    ALTER TABLE hosts ADD COLUMN log_dir TEXT;
    CREATE TABLE log_archive (
        site TEXT NOT NULL,
        host TEXT NOT NULL,
        day TEXT NOT NULL,
        format TEXT NOT NULL CHECK (format IN ('clf', 'w3c')),
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        lines INTEGER NOT NULL,
        collected_at TEXT NOT NULL,
        PRIMARY KEY (site, host, day, format)
    );
    CREATE INDEX log_archive_day ON log_archive (day, site);
    CREATE TABLE log_deliveries (
        site TEXT NOT NULL,
        day TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        again INTEGER NOT NULL CHECK (again IN (0, 1)),
        incomplete INTEGER NOT NULL CHECK (incomplete IN (0, 1)),
        hosts TEXT NOT NULL,
        files TEXT NOT NULL,
        uploaded_at TEXT,
        notified_at TEXT,
        PRIMARY KEY (site, day, attempt)
    );
    CREATE TABLE delivery_accounts (
        owner TEXT PRIMARY KEY NOT NULL,
        host TEXT NOT NULL,
        port INTEGER NOT NULL,
        user TEXT NOT NULL,
        key_file TEXT NOT NULL,
        folder TEXT NOT NULL,
        host_key TEXT
    );",
    // 8: tickets. People (one account per e-mail, optionally the login of an operator),
    // projects with their contacts and SLA targets (JSON), isolated spaces and their members,
    // rights per user and project; tickets, their full history (every event: who, when, what),
    // links between tickets, attachments stored once by SHA-256 as files beside the store,
    // and the notices owed by e-mail.
    "CREATE TABLE users (
        email TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        admin INTEGER NOT NULL CHECK (admin IN (0, 1)),
        see_time INTEGER NOT NULL CHECK (see_time IN (0, 1)),
        operator TEXT UNIQUE
    );
    CREATE TABLE projects (
        name TEXT PRIMARY KEY NOT NULL,
        label TEXT NOT NULL,
        moa TEXT,
        moe TEXT,
        amoa TEXT,
        sla TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE spaces (
        name TEXT PRIMARY KEY NOT NULL,
        label TEXT NOT NULL
    );
    CREATE TABLE space_members (
        space TEXT NOT NULL REFERENCES spaces (name) ON DELETE CASCADE,
        user TEXT NOT NULL REFERENCES users (email) ON DELETE CASCADE,
        PRIMARY KEY (space, user)
    );
    CREATE TABLE acl (
        user TEXT NOT NULL REFERENCES users (email) ON DELETE CASCADE,
        project TEXT NOT NULL REFERENCES projects (name) ON DELETE CASCADE,
        level TEXT NOT NULL CHECK (level IN ('read', 'write')),
        PRIMARY KEY (user, project)
    );
    CREATE TABLE tickets (
        id INTEGER PRIMARY KEY NOT NULL,
        title TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        priority TEXT NOT NULL,
        project TEXT NOT NULL REFERENCES projects (name),
        space TEXT NOT NULL REFERENCES spaces (name),
        reporter TEXT NOT NULL REFERENCES users (email),
        assignee TEXT REFERENCES users (email),
        site TEXT,
        host TEXT,
        beneficiary TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX tickets_project ON tickets (project, status);
    CREATE INDEX tickets_site ON tickets (site);
    CREATE INDEX tickets_reporter ON tickets (reporter);
    CREATE TABLE ticket_events (
        ticket INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        kind TEXT NOT NULL,
        value TEXT,
        minutes INTEGER,
        message_id TEXT,
        PRIMARY KEY (ticket, seq)
    );
    CREATE INDEX ticket_events_message ON ticket_events (message_id);
    CREATE INDEX ticket_events_kind ON ticket_events (kind, ticket, seq, at, value);
    CREATE TABLE ticket_links (
        ticket INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
        other INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        PRIMARY KEY (ticket, other)
    );
    CREATE TABLE attachments (
        sha256 TEXT PRIMARY KEY NOT NULL,
        size INTEGER NOT NULL
    );
    CREATE TABLE ticket_attachments (
        ticket INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL REFERENCES attachments (sha256),
        seq INTEGER NOT NULL,
        PRIMARY KEY (ticket, name)
    );
    CREATE TABLE ticket_notices (
        ticket INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        recipients TEXT NOT NULL,
        message_id TEXT NOT NULL,
        sent_at TEXT,
        last_error TEXT,
        PRIMARY KEY (ticket, seq)
    );",
    // 9: quotes asked by beneficiaries, due 10 working days after the request (002 §5.4.2).
    "CREATE TABLE quotes (
        id INTEGER PRIMARY KEY NOT NULL,
        beneficiary TEXT NOT NULL REFERENCES beneficiaries (siret),
        requested_at TEXT NOT NULL,
        due_on TEXT NOT NULL,
        sent_at TEXT,
        ticket INTEGER REFERENCES tickets (id),
        note TEXT
    );
    CREATE INDEX quotes_beneficiary ON quotes (beneficiary, requested_at);",
    // 10: the contract records (orders over a lot's BPU, contracts and interventions,
    // incidents, change requests and their pushes, the sites' definition files); the lot of a
    // beneficiary becomes optional (a customer outside the CANUT agreement holds none), which
    // SQLite can only do by rebuilding the table (foreign keys are off while migrating).
    "CREATE TABLE beneficiaries_new (
        siret TEXT PRIMARY KEY NOT NULL CHECK (length(siret) = 14),
        name TEXT NOT NULL,
        lot INTEGER CHECK (lot IS NULL OR lot BETWEEN 1 AND 14)
    );
    INSERT INTO beneficiaries_new (siret, name, lot) SELECT siret, name, lot FROM beneficiaries;
    DROP TABLE beneficiaries;
    ALTER TABLE beneficiaries_new RENAME TO beneficiaries;
    CREATE TABLE bpu_lines (
        lot INTEGER NOT NULL CHECK (lot BETWEEN 1 AND 14),
        code TEXT NOT NULL,
        label TEXT NOT NULL,
        unit TEXT NOT NULL,
        price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
        reference_cents INTEGER CHECK (reference_cents >= 0),
        PRIMARY KEY (lot, code)
    );
    CREATE TABLE orders (
        id INTEGER PRIMARY KEY NOT NULL,
        beneficiary TEXT NOT NULL REFERENCES beneficiaries (siret),
        lot INTEGER NOT NULL,
        number TEXT NOT NULL,
        ordered_on TEXT NOT NULL,
        note TEXT,
        UNIQUE (lot, number)
    );
    CREATE INDEX orders_date ON orders (ordered_on, id);
    CREATE TABLE order_lines (
        order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        code TEXT NOT NULL,
        label TEXT NOT NULL,
        quantity_milli INTEGER NOT NULL CHECK (quantity_milli > 0),
        price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
        reference_cents INTEGER,
        amount_cents INTEGER NOT NULL,
        PRIMARY KEY (order_id, position)
    );
    CREATE TABLE contracts (
        id INTEGER PRIMARY KEY NOT NULL,
        beneficiary TEXT NOT NULL REFERENCES beneficiaries (siret),
        label TEXT NOT NULL,
        daily_rate_cents INTEGER NOT NULL CHECK (daily_rate_cents >= 0),
        minutes_per_day INTEGER NOT NULL CHECK (minutes_per_day > 0),
        cap_cents INTEGER NOT NULL CHECK (cap_cents >= 0),
        vat_bp INTEGER NOT NULL CHECK (vat_bp BETWEEN 0 AND 10000),
        starts_on TEXT NOT NULL,
        ends_on TEXT NOT NULL
    );
    CREATE TABLE interventions (
        id INTEGER PRIMARY KEY NOT NULL,
        contract INTEGER NOT NULL REFERENCES contracts (id),
        beneficiary TEXT NOT NULL REFERENCES beneficiaries (siret),
        started_at TEXT NOT NULL,
        minutes INTEGER NOT NULL CHECK (minutes > 0),
        detail TEXT NOT NULL,
        ticket INTEGER REFERENCES tickets (id),
        operator TEXT NOT NULL
    );
    CREATE INDEX interventions_start ON interventions (started_at);
    CREATE TABLE incidents (
        id INTEGER PRIMARY KEY NOT NULL,
        site TEXT,
        started_at TEXT NOT NULL,
        detected_by TEXT NOT NULL CHECK (detected_by IN ('us', 'customer')),
        ours INTEGER NOT NULL CHECK (ours IN (0, 1)),
        nature TEXT NOT NULL,
        measures TEXT,
        told_at TEXT,
        restored_at TEXT,
        ticket INTEGER REFERENCES tickets (id)
    );
    CREATE INDEX incidents_start ON incidents (started_at);
    CREATE TABLE change_requests (
        id INTEGER PRIMARY KEY NOT NULL,
        site TEXT NOT NULL,
        asked_at TEXT NOT NULL,
        detail TEXT NOT NULL,
        ticket INTEGER REFERENCES tickets (id),
        pushed_at TEXT,
        effective_at TEXT
    );
    CREATE TABLE change_items (
        change INTEGER NOT NULL REFERENCES change_requests (id) ON DELETE CASCADE,
        item TEXT NOT NULL,
        host TEXT NOT NULL,
        delivered_at TEXT,
        PRIMARY KEY (change, item)
    );
    CREATE INDEX change_items_item ON change_items (item);
    CREATE TABLE dossiers (
        id INTEGER PRIMARY KEY NOT NULL,
        site TEXT NOT NULL,
        written_at TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        path TEXT NOT NULL
    );
    CREATE INDEX dossiers_site ON dossiers (site, written_at);",
    // 11: deployments of sites' releases (`amoe deploy`): every deploy, switch and rollback
    // with its outcome per host; one deploy at a time per site.
    "CREATE TABLE deploys (
        id INTEGER PRIMARY KEY NOT NULL,
        site TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('deploy', 'stage', 'switch', 'rollback', 'promote')),
        release TEXT NOT NULL,
        sha256 TEXT,
        operator TEXT NOT NULL,
        message TEXT,
        ticket INTEGER REFERENCES tickets (id),
        started_at TEXT NOT NULL,
        ended_at TEXT,
        hosts TEXT NOT NULL,
        outcome TEXT NOT NULL
    );
    CREATE INDEX deploys_site ON deploys (site, started_at);
    CREATE TABLE deploy_locks (
        site TEXT PRIMARY KEY NOT NULL,
        holder TEXT NOT NULL,
        since TEXT NOT NULL,
        until TEXT NOT NULL
    );",
    // 12: the extranet's sign-in (DESIGN §11): a password per account (argon2id, PHC string),
    // one-time links to set it, sessions, and failed attempts for the rate limit. Tokens and
    // session ids are kept as their SHA-256 only.
    "CREATE TABLE web_passwords (
        email TEXT PRIMARY KEY NOT NULL REFERENCES users (email) ON DELETE CASCADE,
        hash TEXT NOT NULL,
        set_at TEXT NOT NULL
    );
    CREATE TABLE web_links (
        token_sha256 TEXT PRIMARY KEY NOT NULL,
        email TEXT NOT NULL REFERENCES users (email) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    );
    CREATE TABLE web_sessions (
        id_sha256 TEXT PRIMARY KEY NOT NULL,
        email TEXT NOT NULL REFERENCES users (email) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        seen_at TEXT NOT NULL
    );
    CREATE INDEX web_sessions_email ON web_sessions (email);
    CREATE TABLE web_failures (
        id INTEGER PRIMARY KEY NOT NULL,
        email TEXT NOT NULL,
        address TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX web_failures_email ON web_failures (email, at);
    CREATE INDEX web_failures_address ON web_failures (address, at);",
    // 13: which beneficiaries a space stands for: its members see their sites on the extranet.
    "CREATE TABLE space_beneficiaries (
        space TEXT NOT NULL REFERENCES spaces (name) ON DELETE CASCADE,
        siret TEXT NOT NULL REFERENCES beneficiaries (siret) ON DELETE CASCADE,
        PRIMARY KEY (space, siret)
    );
    CREATE INDEX space_beneficiaries_siret ON space_beneficiaries (siret);",
    // 14: the extranet's second factor (RFC 6238): each account's TOTP secret, sealed with the
    // server's key (never in clear here), enabled once a first code was given, and the last
    // time step used (a code works once); a session's stage: `full`, `code` (password given,
    // code awaited) or `enrol` (an administrator who must set a second factor up first).
    "CREATE TABLE web_totp (
        email TEXT PRIMARY KEY NOT NULL REFERENCES users (email) ON DELETE CASCADE,
        sealed TEXT NOT NULL,
        created_at TEXT NOT NULL,
        enabled_at TEXT,
        last_step INTEGER NOT NULL DEFAULT 0
    );
    ALTER TABLE web_sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full' CHECK (stage IN ('full', 'code', 'enrol'));",
    // 15: the bytes of ticket attachments, in the store itself rather than in files beside it:
    // a backup (`amoe backup`, `pg_dump`) holds them, and every host sharing a PostgreSQL store
    // reads them without a shared mount. Exports keep them as files (`attachments/SHA256`), so
    // this table is not one of an export's tables.
    "CREATE TABLE attachment_bytes (
        sha256 TEXT PRIMARY KEY NOT NULL REFERENCES attachments (sha256) ON DELETE CASCADE,
        content BLOB NOT NULL
    );",
];
/// The schema version this build writes.
pub const LATEST_VERSION: u32 = MIGRATIONS.len() as u32;

/// Migrations that PostgreSQL does differently: (index in [`MIGRATIONS`], what replaces the
/// SQL before the given marker).
const POSTGRES_ONLY: &[(usize, &str, &str)] = &[(
    9,
    "CREATE TABLE bpu_lines",
    "ALTER TABLE beneficiaries ALTER COLUMN lot DROP NOT NULL;
    ALTER TABLE beneficiaries DROP CONSTRAINT beneficiaries_lot_check;
    ALTER TABLE beneficiaries ADD CONSTRAINT beneficiaries_lot_check CHECK (lot IS NULL OR lot BETWEEN 1 AND 14);
    ",
)];

/// Migration `index` in PostgreSQL's words.
pub(crate) fn postgres_sql(index: usize) -> String {
    let mut sql = MIGRATIONS[index].to_string();
    for (i, marker, replacement) in POSTGRES_ONLY {
        if *i == index
            && let Some(at) = sql.find(marker)
        {
            sql = format!("{replacement}{}", &sql[at..]);
        }
    }
    let mut out = String::with_capacity(sql.len() * 2);
    let mut rest = sql.as_str();
    while !rest.is_empty() {
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let (word, after) =
            if end == 0 { rest.split_at(rest.chars().next().map_or(0, char::len_utf8)) } else { rest.split_at(end) };
        match word {
            "INTEGER" => out.push_str("BIGINT"),
            "BLOB" => out.push_str("BYTEA"),
            "TEXT" => out.push_str("TEXT COLLATE \"C\""),
            "user" => out.push_str("\"user\""),
            "REFERENCES" => {
                // `REFERENCES t (c) [ON DELETE CASCADE]` + DEFERRABLE, so that an import checks
                // the rows as a whole at commit.
                let close = after.find(')').map_or(after.len(), |c| c + 1);
                let (target, tail) = after.split_at(close);
                out.push_str(word);
                out.push_str(target);
                let cascade = " ON DELETE CASCADE";
                if let Some(t) = tail.strip_prefix(cascade) {
                    out.push_str(cascade);
                    out.push_str(" DEFERRABLE");
                    rest = t;
                } else {
                    out.push_str(" DEFERRABLE");
                    rest = tail;
                }
                continue;
            }
            w => out.push_str(w),
        }
        rest = after;
    }
    out
}

pub(crate) fn version(conn: &Conn) -> crate::db::Result<u32> {
    match conn {
        Conn::Sqlite(c) => Ok(sqlite_version(c)?),
        Conn::Postgres(_) => {
            // Both reads go at once (outside a transaction); the second fails on a database
            // without the table, and is only taken when the table is there.
            const EXISTS: &str = "SELECT to_regclass('amoe_schema') IS NOT NULL";
            const VERSION: &str = "SELECT version FROM amoe_schema WHERE id = 1";
            conn.prefetch(EXISTS, [])?;
            conn.prefetch(VERSION, [])?;
            let exists: bool = conn.query_row(EXISTS, [], |r| r.get(0))?;
            if !exists {
                return Ok(0);
            }
            Ok(conn.query_row(VERSION, [], |r| r.get(0)).optional()?.unwrap_or(0))
        }
    }
}

fn sqlite_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Applies the migrations from the store's version up to `target`. A store newer than this
/// build is refused rather than touched, and so is a PostgreSQL database holding another
/// application's tables.
pub(crate) fn migrate(conn: &Conn, target: u32) -> Result<(), MigrateError> {
    match conn {
        Conn::Sqlite(c) => migrate_sqlite(c, target),
        Conn::Postgres(_) => migrate_postgres(conn, target),
    }
}

fn migrate_postgres(conn: &Conn, target: u32) -> Result<(), MigrateError> {
    debug_assert_eq!(conn.dialect(), Dialect::Postgres);
    let current = version(conn)?;
    if current > LATEST_VERSION {
        return Err(MigrateError::Newer(current));
    }
    if current >= target.min(LATEST_VERSION) {
        return Ok(());
    }
    let in_tx = |f: &dyn Fn() -> Result<(), MigrateError>| -> Result<(), MigrateError> {
        conn.begin(true)?;
        match f() {
            Ok(()) => Ok(conn.commit()?),
            Err(e) => {
                let _ = conn.rollback();
                Err(e)
            }
        }
    };
    in_tx(&|| {
        let exists: bool = conn.query_row("SELECT to_regclass('amoe_schema') IS NOT NULL", [], |r| r.get(0))?;
        if !exists {
            let other: Option<String> = conn
                .query_row(
                    "SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1 LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(table) = other {
                return Err(MigrateError::Foreign(table));
            }
            conn.execute_batch(
                "CREATE TABLE amoe_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
            )?;
        }
        Ok(())
    })?;
    for v in current..target.min(LATEST_VERSION) {
        in_tx(&|| {
            // Another process may have migrated while we waited for the lock.
            if version(conn)? > v {
                return Ok(());
            }
            conn.execute_batch(&postgres_sql(v as usize))?;
            conn.execute(
                "INSERT INTO amoe_schema (id, version) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET version = excluded.version",
                [v + 1],
            )?;
            Ok(())
        })?;
    }
    Ok(())
}

fn migrate_sqlite(conn: &Connection, target: u32) -> Result<(), MigrateError> {
    use rusqlite::{OptionalExtension, TransactionBehavior};
    let current = sqlite_version(conn)?;
    if current > LATEST_VERSION {
        return Err(MigrateError::Newer(current));
    }
    if current >= target.min(LATEST_VERSION) {
        return Ok(());
    }
    // SQLite's way to change a table: foreign keys off while it is rebuilt (the pragma is a
    // no-op inside a transaction), checked whole before each migration commits.
    let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let outcome = (|| {
        for v in current..target.min(LATEST_VERSION) {
            let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
            // Another process may have migrated while we waited for the lock.
            if sqlite_version(&tx)? > v {
                continue;
            }
            tx.execute_batch(MIGRATIONS[v as usize])?;
            let broken: Option<String> =
                tx.query_row("SELECT \"table\" FROM pragma_foreign_key_check LIMIT 1", [], |r| r.get(0)).optional()?;
            if let Some(table) = broken {
                return Err(MigrateError::Sql(crate::db::Error::Sqlite(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
                    Some(format!("migration {} leaves rows of `{table}` without their parent", v + 1)),
                ))));
            }
            tx.pragma_update(None, "user_version", v + 1)?;
            tx.commit()?;
        }
        Ok(())
    })();
    conn.pragma_update(None, "foreign_keys", enforced)?;
    outcome
}

#[derive(Debug)]
pub(crate) enum MigrateError {
    Newer(u32),
    Foreign(String),
    Sql(crate::db::Error),
}

impl From<crate::db::Error> for MigrateError {
    fn from(e: crate::db::Error) -> Self {
        MigrateError::Sql(e)
    }
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sql(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt =
            conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").expect("query");
        stmt.query_map([], |r| r.get(0)).expect("rows").collect::<Result<_, _>>().expect("names")
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let conn = Connection::open_in_memory().expect("db");
        migrate_sqlite(&conn, LATEST_VERSION).expect("first");
        let first = tables(&conn);
        migrate_sqlite(&conn, LATEST_VERSION).expect("second");
        assert_eq!(sqlite_version(&conn).expect("v"), LATEST_VERSION);
        assert_eq!(tables(&conn), first);
    }

    #[test]
    fn migrates_from_every_older_version() {
        let fresh = Connection::open_in_memory().expect("db");
        migrate_sqlite(&fresh, LATEST_VERSION).expect("fresh");
        for start in 0..LATEST_VERSION {
            let conn = Connection::open_in_memory().expect("db");
            migrate_sqlite(&conn, start).expect("partial");
            assert_eq!(sqlite_version(&conn).expect("v"), start);
            migrate_sqlite(&conn, LATEST_VERSION).expect("rest");
            assert_eq!(sqlite_version(&conn).expect("v"), LATEST_VERSION, "from {start}");
            assert_eq!(tables(&conn), tables(&fresh), "from {start}");
        }
    }

    #[test]
    fn the_lot_becomes_optional_and_rows_keep_their_parents() {
        let conn = Connection::open_in_memory().expect("db");
        conn.pragma_update(None, "foreign_keys", true).expect("fk");
        migrate_sqlite(&conn, 9).expect("to 9");
        conn.execute_batch(
            "INSERT INTO beneficiaries VALUES ('12000101100010', 'INSEE', 9);
             INSERT INTO beneficiary_emails VALUES ('12000101100010', 0, 'dsi@insee.fr');
             INSERT INTO sites (name, beneficiary, category, active) VALUES ('www', '12000101100010', 'permanent', 1);",
        )
        .expect("rows");
        migrate_sqlite(&conn, LATEST_VERSION).expect("to latest");
        let fk: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).expect("pragma");
        assert!(fk, "foreign keys are enforced again");
        let lot: Option<i64> = conn.query_row("SELECT lot FROM beneficiaries", [], |r| r.get(0)).expect("lot");
        assert_eq!(lot, Some(9));
        conn.execute("INSERT INTO beneficiaries VALUES ('21750001600019', 'Ville', NULL)", []).expect("no lot");
        assert!(conn.execute("INSERT INTO beneficiaries VALUES ('21750001600027', 'X', 15)", []).is_err());
        // The site still points at its beneficiary, and the parent cannot go while it does.
        assert!(conn.execute("DELETE FROM beneficiaries WHERE siret = '12000101100010'", []).is_err());
        let broken: i64 =
            conn.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).expect("check");
        assert_eq!(broken, 0);
    }

    #[test]
    fn refuses_a_newer_store() {
        let conn = Connection::open_in_memory().expect("db");
        conn.pragma_update(None, "user_version", LATEST_VERSION + 1).expect("set");
        assert!(matches!(migrate_sqlite(&conn, LATEST_VERSION), Err(MigrateError::Newer(_))));
    }
}
