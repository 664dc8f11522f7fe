//! Deployments of sites' releases (`amoe deploy`, DESIGN §10): every deploy, stage, switch,
//! rollback and promotion with its hosts' outcomes, for the monthly and interventions reports
//! (004 §9.3); and the per-site lock that lets one deploy run at a time.

use crate::db::{OptionalExtension, params};
use crate::{Reads, Result, Store};
use serde::Serialize;

/// One deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Deploy {
    pub id: i64,
    pub site: String,
    /// `deploy`, `stage`, `switch`, `rollback` or `promote`.
    pub kind: String,
    pub release: String,
    pub sha256: Option<String>,
    pub operator: String,
    pub message: Option<String>,
    pub ticket: Option<i64>,
    pub started_at: String,
    pub ended_at: Option<String>,
    /// Per host: its outcome (JSON object host → text).
    pub hosts: serde_json::Value,
    /// `ok`, `partial`, `failed`, `rolled back` or `running`.
    pub outcome: String,
}

/// Who holds a site's deploy lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    pub holder: String,
    pub since: String,
    pub until: String,
}

fn row(r: &crate::db::Row<'_>) -> crate::db::Result<Deploy> {
    let hosts: String = r.get(10)?;
    Ok(Deploy {
        id: r.get(0)?,
        site: r.get(1)?,
        kind: r.get(2)?,
        release: r.get(3)?,
        sha256: r.get(4)?,
        operator: r.get(5)?,
        message: r.get(6)?,
        ticket: r.get(7)?,
        started_at: r.get(8)?,
        ended_at: r.get(9)?,
        hosts: serde_json::from_str(&hosts).unwrap_or(serde_json::Value::Null),
        outcome: r.get(11)?,
    })
}

const COLUMNS: &str =
    "id, site, kind, release, sha256, operator, message, ticket, started_at, ended_at, hosts, outcome";

/// Reading deployments.
pub trait DeployReads: Reads {
    /// A site's deployments (or all), oldest first.
    fn deploys(&self, site: Option<&str>) -> Result<Vec<Deploy>> {
        let mut stmt = self
            .conn()
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM deploys WHERE (?1 IS NULL OR site = ?1) ORDER BY started_at, id"
            ))
            .map_err(|e| self.sql(e))?;
        stmt.query_map([site], row).and_then(|r| r.collect()).map_err(|e| self.sql(e))
    }

    /// Who holds the lock of `site`, if anyone (expired locks included).
    fn deploy_lock(&self, site: &str) -> Result<Option<Lock>> {
        self.conn()
            .query_row("SELECT holder, since, until FROM deploy_locks WHERE site = ?1", [site], |r| {
                Ok(Lock { holder: r.get(0)?, since: r.get(1)?, until: r.get(2)? })
            })
            .optional()
            .map_err(|e| self.sql(e))
    }
}

impl<T: Reads> DeployReads for T {}

impl Store {
    /// Takes the deploy lock of `site` for `holder` until `until`, unless someone else holds
    /// it and it has not expired; one statement, so two processes cannot both take it.
    pub fn take_deploy_lock(&mut self, site: &str, holder: &str, until: &str) -> Result<bool> {
        let now = amoe_core::time::now_utc();
        let n = self
            .conn
            .execute(
                "INSERT INTO deploy_locks (site, holder, since, until) VALUES (?1, ?2, ?4, ?3)
                 ON CONFLICT (site) DO UPDATE SET holder = excluded.holder, since = excluded.since, until = excluded.until
                 WHERE deploy_locks.until < ?4",
                params![site, holder, until, now],
            )
            .map_err(|e| self.sql(e))?;
        Ok(n == 1)
    }

    /// Gives the lock back (only when `holder` has it).
    pub fn release_deploy_lock(&mut self, site: &str, holder: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM deploy_locks WHERE site = ?1 AND holder = ?2", params![site, holder])
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Records a deployment as it starts; returns its id.
    pub fn start_deploy(&mut self, d: &Deploy) -> Result<i64> {
        self.conn
            .insert_next_id(
                "deploys",
                "site, kind, release, sha256, operator, message, ticket, started_at, ended_at, hosts, outcome",
                "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9, 'running'",
                "",
                params![
                    d.site,
                    d.kind,
                    d.release,
                    d.sha256,
                    d.operator,
                    d.message,
                    d.ticket,
                    d.started_at,
                    d.hosts.to_string()
                ],
            )
            .map_err(|e| self.sql(e))
    }

    /// Records how a deployment ended, and the bundle's SHA-256 if it was known only once sent.
    pub fn end_deploy(
        &mut self,
        id: i64,
        sha256: Option<&str>,
        hosts: &serde_json::Value,
        outcome: &str,
    ) -> Result<()> {
        self.conn
            .execute(
                "UPDATE deploys SET ended_at = ?2, hosts = ?3, outcome = ?4, sha256 = COALESCE(?5, sha256) WHERE id = ?1",
                params![id, amoe_core::time::now_utc(), hosts.to_string(), outcome, sha256],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }
}
