//! What the quality of service is judged on (seed 003 §3.2.10.1): incidents (QS-02 to QS-05),
//! change requests and when their push took effect on the last host (QS-06), and the writing
//! of a site's definition file (QS-07).
//!
//! A change request is fulfilled by the next push of its site's configuration: when a
//! `put_site` item is queued for a host, every change of that site not yet effective and not
//! yet pushed to that host is tied to it; when the host confirms, the tie records the time, and
//! the change is effective when its last tie is confirmed. The outbox row itself is deleted on
//! confirmation, as before: the time lives on here.

use crate::db::{OptionalExtension, params};
use crate::{Error, Reads, Result, Tx};
use serde::Serialize;

/// An incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Incident {
    pub id: i64,
    /// The site, when one is concerned (none: the whole service).
    pub site: Option<String>,
    /// Start of the unavailability or degradation (UTC).
    pub started_at: String,
    /// `us` or `customer` (QS-05).
    pub detected_by: String,
    /// On equipment under our responsibility (QS-04).
    pub ours: bool,
    /// Its nature (QS-05).
    pub nature: String,
    /// The measures taken (QS-05).
    pub measures: Option<String>,
    /// When the customer was told.
    pub told_at: Option<String>,
    /// When the service was restored (the site visible on the Internet again).
    pub restored_at: Option<String>,
    pub ticket: Option<i64>,
}

/// A change request and its push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ChangeRequest {
    pub id: i64,
    pub site: String,
    /// When the customer asked (UTC).
    pub asked_at: String,
    pub detail: String,
    pub ticket: Option<i64>,
    /// When the push carrying it was queued (its audit entry's time).
    pub pushed_at: Option<String>,
    /// When the last host confirmed it.
    pub effective_at: Option<String>,
    /// Hosts tied to it and not confirmed yet.
    pub waiting_hosts: Vec<String>,
}

/// A site's definition file, written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Dossier {
    pub id: i64,
    pub site: String,
    pub written_at: String,
    pub sha256: String,
    pub path: String,
}

const INCIDENT: &str = "id, site, started_at, detected_by, ours, nature, measures, told_at, restored_at, ticket";

fn incident_row(r: &crate::db::Row<'_>) -> crate::db::Result<Incident> {
    Ok(Incident {
        id: r.get(0)?,
        site: r.get(1)?,
        started_at: r.get(2)?,
        detected_by: r.get(3)?,
        ours: r.get::<_, i64>(4)? != 0,
        nature: r.get(5)?,
        measures: r.get(6)?,
        told_at: r.get(7)?,
        restored_at: r.get(8)?,
        ticket: r.get(9)?,
    })
}

/// Reading incidents, changes and definition files.
pub trait IncidentReads: Reads {
    /// Incidents that overlap `[from, to)` (UTC; open ones reach to now), in time order.
    fn incidents(&self, from: Option<&str>, to: Option<&str>) -> Result<Vec<Incident>> {
        let mut stmt = self
            .conn()
            .prepare_cached(&format!(
                "SELECT {INCIDENT} FROM incidents
                 WHERE (?2 IS NULL OR started_at < ?2) AND (?1 IS NULL OR restored_at IS NULL OR restored_at >= ?1)
                 ORDER BY started_at, id"
            ))
            .map_err(|e| self.sql(e))?;
        stmt.query_map(params![from, to], incident_row).and_then(|r| r.collect()).map_err(|e| self.sql(e))
    }

    /// One incident.
    fn incident(&self, id: i64) -> Result<Incident> {
        self.conn()
            .query_row(&format!("SELECT {INCIDENT} FROM incidents WHERE id = ?1"), [id], incident_row)
            .optional()
            .map_err(|e| self.sql(e))?
            .ok_or_else(|| Error::NotFound { kind: "incident", name: id.to_string() })
    }

    /// Change requests, of one site or all, by request time.
    fn changes(&self, site: Option<&str>) -> Result<Vec<ChangeRequest>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT c.id, c.site, c.asked_at, c.detail, c.ticket, c.pushed_at, c.effective_at,
                        (SELECT string_agg(host, ' ' ORDER BY host) FROM change_items i
                          WHERE i.change = c.id AND i.delivered_at IS NULL)
                 FROM change_requests c WHERE (?1 IS NULL OR c.site = ?1) ORDER BY c.asked_at, c.id",
            )
            .map_err(|e| self.sql(e))?;
        stmt.query_map([site], |r| {
            let waiting: Option<String> = r.get(7)?;
            Ok(ChangeRequest {
                id: r.get(0)?,
                site: r.get(1)?,
                asked_at: r.get(2)?,
                detail: r.get(3)?,
                ticket: r.get(4)?,
                pushed_at: r.get(5)?,
                effective_at: r.get(6)?,
                waiting_hosts: waiting.map(|w| w.split(' ').map(str::to_string).collect()).unwrap_or_default(),
            })
        })
        .and_then(|r| r.collect())
        .map_err(|e| self.sql(e))
    }

    /// One change request.
    fn change(&self, id: i64) -> Result<ChangeRequest> {
        self.changes(None)?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| Error::NotFound { kind: "change request", name: id.to_string() })
    }

    /// Definition files written, of one site or all, oldest first.
    fn dossiers(&self, site: Option<&str>) -> Result<Vec<Dossier>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT id, site, written_at, sha256, path FROM dossiers WHERE (?1 IS NULL OR site = ?1)
                 ORDER BY written_at, id",
            )
            .map_err(|e| self.sql(e))?;
        stmt.query_map([site], |r| {
            Ok(Dossier { id: r.get(0)?, site: r.get(1)?, written_at: r.get(2)?, sha256: r.get(3)?, path: r.get(4)? })
        })
        .and_then(|r| r.collect())
        .map_err(|e| self.sql(e))
    }
}

impl<T: Reads> IncidentReads for T {}

impl Tx<'_> {
    /// Records an incident; returns its id.
    pub fn add_incident(&self, i: &Incident) -> Result<i64> {
        self.conn()
            .insert_next_id(
                "incidents",
                INCIDENT.trim_start_matches("id, "),
                "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9",
                "",
                params![
                    i.site,
                    i.started_at,
                    i.detected_by,
                    i.ours as i64,
                    i.nature,
                    i.measures,
                    i.told_at,
                    i.restored_at,
                    i.ticket
                ],
            )
            .map_err(|e| self.sql(e))
    }

    /// Replaces an incident's record.
    pub fn update_incident(&self, i: &Incident) -> Result<()> {
        let n = self
            .conn()
            .execute(
                "UPDATE incidents SET site = ?2, started_at = ?3, detected_by = ?4, ours = ?5, nature = ?6, measures = ?7,
                 told_at = ?8, restored_at = ?9, ticket = ?10 WHERE id = ?1",
                params![
                    i.id,
                    i.site,
                    i.started_at,
                    i.detected_by,
                    i.ours as i64,
                    i.nature,
                    i.measures,
                    i.told_at,
                    i.restored_at,
                    i.ticket
                ],
            )
            .map_err(|e| self.sql(e))?;
        if n == 0 {
            return Err(Error::NotFound { kind: "incident", name: i.id.to_string() });
        }
        Ok(())
    }

    /// Records a change request; returns its id.
    pub fn add_change(&self, site: &str, asked_at: &str, detail: &str, ticket: Option<i64>) -> Result<i64> {
        self.conn()
            .insert_next_id(
                "change_requests",
                "site, asked_at, detail, ticket",
                "?1, ?2, ?3, ?4",
                "",
                params![site, asked_at, detail, ticket],
            )
            .map_err(|e| self.sql(e))
    }

    /// Changes a request's time, detail or ticket.
    pub fn update_change(
        &self,
        id: i64,
        asked_at: Option<&str>,
        detail: Option<&str>,
        ticket: Option<i64>,
    ) -> Result<()> {
        let n = self
            .conn()
            .execute(
                "UPDATE change_requests SET asked_at = COALESCE(?2, asked_at), detail = COALESCE(?3, detail),
                 ticket = COALESCE(?4, ticket) WHERE id = ?1",
                params![id, asked_at, detail, ticket],
            )
            .map_err(|e| self.sql(e))?;
        if n == 0 {
            return Err(Error::NotFound { kind: "change request", name: id.to_string() });
        }
        Ok(())
    }

    /// A push of `site`'s configuration was queued for `host` as outbox item `item`: ties it to
    /// the site's changes not effective yet and not yet pushed to that host.
    pub(crate) fn tie_changes(&self, site: &str, host: &str, item: &str, now: &str) -> Result<()> {
        self.conn()
            .execute(
                "INSERT INTO change_items (change, item, host)
                 SELECT c.id, ?3, ?2 FROM change_requests c
                 WHERE c.site = ?1 AND c.effective_at IS NULL
                   AND NOT EXISTS (SELECT 1 FROM change_items i WHERE i.change = c.id AND i.host = ?2)",
                params![site, host, item],
            )
            .map_err(|e| self.sql(e))?;
        self.conn()
            .execute(
                "UPDATE change_requests SET pushed_at = ?2
                 WHERE pushed_at IS NULL AND id IN (SELECT change FROM change_items WHERE item = ?1)",
                params![item, now],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Records a definition file written.
    pub fn add_dossier(&self, site: &str, written_at: &str, sha256: &str, path: &str) -> Result<i64> {
        self.conn()
            .insert_next_id(
                "dossiers",
                "site, written_at, sha256, path",
                "?1, ?2, ?3, ?4",
                "",
                params![site, written_at, sha256, path],
            )
            .map_err(|e| self.sql(e))
    }
}

/// Outbox item `item` was confirmed at `now`: its ties record it, and changes whose every tie
/// is confirmed become effective at their last confirmation.
pub(crate) fn confirm_ties(conn: &crate::db::Conn, item: &str, now: &str) -> crate::db::Result<()> {
    conn.execute(
        "UPDATE change_items SET delivered_at = ?2 WHERE item = ?1 AND delivered_at IS NULL",
        params![item, now],
    )?;
    conn.execute(
        "UPDATE change_requests SET effective_at =
            (SELECT MAX(delivered_at) FROM change_items WHERE change = change_requests.id)
         WHERE effective_at IS NULL
           AND id IN (SELECT change FROM change_items WHERE item = ?1)
           AND NOT EXISTS (SELECT 1 FROM change_items WHERE change = change_requests.id AND delivered_at IS NULL)",
        [item],
    )?;
    Ok(())
}
