//! The outbox: every operation owed to a host (a site configuration to push, a flush, a
//! revocation list) is written here before it is sent, and removed only when the host
//! confirmed it. A failed delivery is kept with its error and the time of the next attempt
//! (exponential backoff: 1 s, doubling, at most 1 h). Operations carry their id as idempotency key,
//! so that a retry is never applied twice.

use crate::db::{OptionalExtension, params};
use crate::{Reads, Result, Store, Tx};

/// What an outbox item asks of its host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A site's whole configuration (`PUT /v1/sites/{name}`).
    PutSite,
    /// A site removed from the host.
    DeleteSite,
    /// A purge.
    Flush,
    /// A site's HTTPS certificate (its key read from `CA_DIR/sites/` when sent).
    PutCert,
    /// The CA's revocation list.
    Crl,
    /// Make a release of a site current (`amoe deploy`, phase two, and its switch-back).
    Switch,
    /// A kind this version does not know (a row written by hand): parked, never sent.
    Unknown,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::PutSite => "put_site",
            ItemKind::DeleteSite => "delete_site",
            ItemKind::Flush => "flush",
            ItemKind::PutCert => "put_cert",
            ItemKind::Crl => "crl",
            ItemKind::Switch => "switch",
            ItemKind::Unknown => "unknown",
        }
    }

    /// The kind stored as `s`; [`ItemKind::Unknown`] for anything else.
    pub fn parse(s: &str) -> ItemKind {
        match s {
            "put_site" => ItemKind::PutSite,
            "delete_site" => ItemKind::DeleteSite,
            "flush" => ItemKind::Flush,
            "put_cert" => ItemKind::PutCert,
            "crl" => ItemKind::Crl,
            "switch" => ItemKind::Switch,
            _ => ItemKind::Unknown,
        }
    }
}

impl std::fmt::Display for ItemKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One operation owed to one host.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct OutboxItem {
    /// Also the idempotency key sent to the agent.
    pub id: String,
    /// Order of creation.
    pub seq: i64,
    pub host: String,
    pub site: Option<String>,
    pub kind: ItemKind,
    pub method: String,
    pub path: String,
    pub body: Option<String>,
    pub created_at: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    /// Certificate name of whoever queued it (`None` for items queued before this was recorded).
    pub queued_by: Option<String>,
    /// That certificate's role (`operator`, `ci`).
    pub queued_role: Option<String>,
    /// When the host refused it for good; a parked item is no longer delivered.
    pub parked_at: Option<String>,
    /// The queuing client certificate (DER, hexadecimal) and its key's signature of the call
    /// (hexadecimal), checked by the agent.
    #[serde(skip)]
    pub queued_cert: Option<String>,
    #[serde(skip)]
    pub signature: Option<String>,
}

/// What to enqueue.
#[derive(Debug, Clone)]
pub struct NewOutboxItem {
    pub id: String,
    pub host: String,
    pub site: Option<String>,
    pub kind: ItemKind,
    pub method: String,
    pub path: String,
    pub body: Option<String>,
    pub queued_by: String,
    pub queued_role: String,
    pub queued_cert: Option<String>,
    pub signature: Option<String>,
}

const COLUMNS: &str = "id, seq, host, site, kind, method, path, body, created_at, attempts, next_attempt_at, \
     last_error, queued_by, queued_role, parked_at, queued_cert, signature";

fn row(r: &crate::db::Row<'_>) -> crate::db::Result<OutboxItem> {
    Ok(OutboxItem {
        id: r.get(0)?,
        seq: r.get(1)?,
        host: r.get(2)?,
        site: r.get(3)?,
        kind: ItemKind::parse(&r.get::<_, String>(4)?),
        method: r.get(5)?,
        path: r.get(6)?,
        body: r.get(7)?,
        created_at: r.get(8)?,
        attempts: r.get(9)?,
        next_attempt_at: r.get(10)?,
        last_error: r.get(11)?,
        queued_by: r.get(12)?,
        queued_role: r.get(13)?,
        parked_at: r.get(14)?,
        queued_cert: r.get(15)?,
        signature: r.get(16)?,
    })
}

/// Reading the outbox.
pub trait OutboxReads: Reads {
    /// Everything still owed, parked items included, oldest first; only to `hosts` when given.
    fn outbox(&self, hosts: Option<&[String]>) -> Result<Vec<OutboxItem>> {
        let mut stmt = self
            .conn()
            .prepare_cached(&format!("SELECT {COLUMNS} FROM outbox ORDER BY seq"))
            .map_err(|e| self.sql(e))?;
        let all =
            stmt.query_map([], row).and_then(|r| r.collect::<crate::db::Result<Vec<_>>>()).map_err(|e| self.sql(e))?;
        Ok(match hosts {
            Some(h) => all.into_iter().filter(|i| h.contains(&i.host)).collect(),
            None => all,
        })
    }

    /// What is still to deliver to `host` (parked items left out), oldest first.
    fn owed(&self, host: &str) -> Result<Vec<OutboxItem>> {
        let mut stmt = self
            .conn()
            .prepare_cached(&format!("SELECT {COLUMNS} FROM outbox WHERE host = ?1 AND parked_at IS NULL ORDER BY seq"))
            .map_err(|e| self.sql(e))?;
        stmt.query_map([host], row).and_then(|r| r.collect::<crate::db::Result<Vec<_>>>()).map_err(|e| self.sql(e))
    }

    /// Items parked for `host`.
    fn parked(&self, host: &str) -> Result<usize> {
        let n: i64 = self
            .conn()
            .query_row("SELECT COUNT(*) FROM outbox WHERE host = ?1 AND parked_at IS NOT NULL", [host], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        Ok(n as usize)
    }

    /// One item.
    fn outbox_item(&self, id: &str) -> Result<Option<OutboxItem>> {
        self.conn()
            .query_row(&format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"), [id], row)
            .optional()
            .map_err(|e| self.sql(e))
    }
}

impl<T: Reads> OutboxReads for T {}

impl Tx<'_> {
    /// Queues an operation (in the same transaction as the command's audit entry).
    pub fn enqueue(&self, item: &NewOutboxItem) -> Result<()> {
        let now = amoe_core::time::now_utc();
        let seq: i64 = self
            .conn()
            .query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox", [], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        self.conn()
            .execute(
                &format!(
                    "INSERT INTO outbox ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?9, NULL, ?10, ?11, NULL, ?12, ?13)"
                ),
                params![
                    item.id,
                    seq,
                    item.host,
                    item.site,
                    item.kind.as_str(),
                    item.method,
                    item.path,
                    item.body,
                    now,
                    item.queued_by,
                    item.queued_role,
                    item.queued_cert,
                    item.signature
                ],
            )
            .map_err(|e| self.sql(e))?;
        if item.kind == ItemKind::PutSite
            && let Some(site) = &item.site
        {
            self.tie_changes(site, &item.host, &item.id, &now)?;
        }
        Ok(())
    }

    /// Removes one item (`amoe outbox drop`); `None` when there is no such item.
    pub fn drop_outbox_item(&self, id: &str) -> Result<Option<OutboxItem>> {
        let item = self.outbox_item(id)?;
        if item.is_some() {
            self.conn().execute("DELETE FROM outbox WHERE id = ?1", [id]).map_err(|e| self.sql(e))?;
        }
        Ok(item)
    }

    /// Removes what `name` queued (its certificates are being revoked: the agents would refuse
    /// it anyway), returning what was dropped.
    pub fn drop_items_queued_by(&self, name: &str) -> Result<Vec<OutboxItem>> {
        let items: Vec<OutboxItem> =
            self.outbox(None)?.into_iter().filter(|i| i.queued_by.as_deref() == Some(name)).collect();
        self.conn().execute("DELETE FROM outbox WHERE queued_by = ?1", [name]).map_err(|e| self.sql(e))?;
        Ok(items)
    }

    /// Removes everything owed to `host` (a host being removed), returning what was dropped.
    pub fn drop_host_items(&self, host: &str) -> Result<Vec<OutboxItem>> {
        let items = self.outbox(Some(&[host.to_string()]))?;
        self.conn().execute("DELETE FROM outbox WHERE host = ?1", [host]).map_err(|e| self.sql(e))?;
        self.conn().execute("DELETE FROM outbox_leases WHERE host = ?1", [host]).map_err(|e| self.sql(e))?;
        Ok(items)
    }
}

impl Store {
    /// The host confirmed: the operation is done.
    /// Change requests tied to it record the time (QS-06).
    pub fn outbox_delivered(&mut self, id: &str) -> Result<()> {
        let now = amoe_core::time::now_utc();
        self.write(|tx| {
            tx.execute("DELETE FROM outbox WHERE id = ?1", [id])?;
            crate::incidents::confirm_ties(tx, id, &now)
        })
    }

    /// The delivery failed: keep it, with the error and when to try again.
    pub fn outbox_failed(&mut self, id: &str, error: &str) -> Result<()> {
        let attempts: Option<i64> = self
            .conn
            .query_row("SELECT attempts FROM outbox WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(|e| self.sql(e))?;
        let Some(attempts) = attempts else { return Ok(()) };
        let backoff = (1u64 << attempts.clamp(0, 12)).min(3600);
        let next =
            amoe_core::time::format_utc(jiff::Timestamp::now() + jiff::SignedDuration::from_secs(backoff as i64));
        self.conn
            .execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 WHERE id = ?1",
                params![id, error, next],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// The host refused it for good: out of the queue, kept with the reason until dropped.
    pub fn outbox_parked(&mut self, id: &str, error: &str) -> Result<()> {
        let now = amoe_core::time::now_utc();
        self.conn
            .execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, parked_at = ?3 WHERE id = ?1",
                params![id, error, now],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Takes the lease on `host`'s queue for `holder` until `until` (UTC text), unless another
    /// holder has it and it has not run out. True when taken. One statement: two processes
    /// cannot both take it.
    pub fn take_lease(&mut self, host: &str, holder: &str, until: &str) -> Result<bool> {
        let now = amoe_core::time::now_utc();
        let changed = self
            .conn
            .execute(
                "INSERT INTO outbox_leases (host, holder, until) VALUES (?1, ?2, ?3)
                 ON CONFLICT (host) DO UPDATE SET holder = excluded.holder, until = excluded.until
                 WHERE outbox_leases.holder = excluded.holder OR outbox_leases.until < ?4",
                params![host, holder, until, now],
            )
            .map_err(|e| self.sql(e))?;
        Ok(changed == 1)
    }

    /// Gives the lease back (only when `holder` still has it).
    pub fn release_lease(&mut self, host: &str, holder: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM outbox_leases WHERE host = ?1 AND holder = ?2", params![host, holder])
            .map_err(|e| self.sql(e))?;
        Ok(())
    }
}
