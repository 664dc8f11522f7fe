//! Access logs: where hosts keep them ([`HostSsh`]), what was collected ([`ArchivedLog`]),
//! what was delivered to beneficiaries ([`Delivery`]) and where ([`DeliveryAccount`]).
//!
//! The files themselves live in the local archive folder, never in the store; a row here is
//! written only once its file is complete under its final name, so a row always means a whole,
//! checked file.

use crate::db::{OptionalExtension, params};
use crate::{Error, Reads, Result, Tx};

/// A host's SFTP side: endpoint (`host:port`), user and log folder; `None` for the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostSsh {
    /// `HOST[:PORT]`; default: the control address's host, port 22.
    pub endpoint: Option<String>,
    /// User; default from the configuration (`logs.ssh_user`).
    pub user: Option<String>,
    /// The agent's `proxy.log_dir` as the SFTP server shows it (chrooted: often `/`).
    pub log_dir: Option<String>,
}

/// One collected daily file of one site from one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedLog {
    /// Site (or `_unknown`).
    pub site: String,
    /// Host it came from.
    pub host: String,
    /// Paris day, `YYYY-MM-DD`.
    pub day: String,
    /// `clf` or `w3c`.
    pub format: String,
    /// Size of the `.gz`, bytes.
    pub size: u64,
    /// SHA-256 of the `.gz`, hex.
    pub sha256: String,
    /// Lines in the file.
    pub lines: u64,
    /// When it was collected (UTC, RFC 3339).
    pub collected_at: String,
}

/// One delivery of a site's day to its beneficiary (attempt 1, then re-deliveries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Site.
    pub site: String,
    /// Paris day.
    pub day: String,
    /// 1 for the first delivery, then one more per `--again`.
    pub attempt: u32,
    /// Asked for again (`logs deliver --again`).
    pub again: bool,
    /// Delivered without every host's files (`--allow-incomplete`).
    pub incomplete: bool,
    /// Hosts whose files were merged.
    pub hosts: Vec<String>,
    /// The manifest of what was uploaded (JSON).
    pub files: String,
    /// When every file was in place under its final name.
    pub uploaded_at: Option<String>,
    /// When the notice was sent.
    pub notified_at: Option<String>,
}

/// An SFTP account logs are delivered to (`beneficiary:SIRET` or `site:NAME`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryAccount {
    /// `beneficiary:SIRET` or `site:NAME`.
    pub owner: String,
    /// SFTP server.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// Account.
    pub user: String,
    /// Path of the private key on the operator's machine (the key never enters the store).
    pub key_file: String,
    /// Folder on the account.
    pub folder: String,
    /// The server's pinned public key (`TYPE BASE64`), once known.
    pub host_key: Option<String>,
}

fn bad(table: &'static str, problem: impl ToString) -> Error {
    Error::BadRow { table, problem: problem.to_string() }
}

/// Reading the logs' records.
pub trait LogReads: Reads {
    /// A host's SFTP settings.
    fn host_ssh(&self, host: &str) -> Result<HostSsh> {
        self.conn()
            .query_row("SELECT ssh, ssh_user, log_dir FROM hosts WHERE name = ?1", [host], |r| {
                Ok(HostSsh { endpoint: r.get(0)?, user: r.get(1)?, log_dir: r.get(2)? })
            })
            .optional()
            .map_err(|e| self.sql(e))?
            .ok_or_else(|| Error::NotFound { kind: "host", name: host.to_owned() })
    }

    /// Collected files, filtered by site, host and day range (inclusive), in order.
    fn archived_logs(
        &self,
        site: Option<&str>,
        host: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<ArchivedLog>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT site, host, day, format, size, sha256, lines, collected_at FROM log_archive
                 WHERE (?1 IS NULL OR site = ?1) AND (?2 IS NULL OR host = ?2)
                   AND (?3 IS NULL OR day >= ?3) AND (?4 IS NULL OR day <= ?4)
                 ORDER BY site, day, host, format",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![site, host, from, to], |r| {
                Ok(ArchivedLog {
                    site: r.get(0)?,
                    host: r.get(1)?,
                    day: r.get(2)?,
                    format: r.get(3)?,
                    size: r.get::<_, i64>(4)? as u64,
                    sha256: r.get(5)?,
                    lines: r.get::<_, i64>(6)? as u64,
                    collected_at: r.get(7)?,
                })
            })
            .and_then(|rows| rows.collect::<crate::db::Result<Vec<_>>>())
            .map_err(|e| self.sql(e))?;
        Ok(rows)
    }

    /// Deliveries of a site (or all), by site, day and attempt.
    fn deliveries(&self, site: Option<&str>, day: Option<&str>) -> Result<Vec<Delivery>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT site, day, attempt, again, incomplete, hosts, files, uploaded_at, notified_at
                 FROM log_deliveries WHERE (?1 IS NULL OR site = ?1) AND (?2 IS NULL OR day = ?2)
                 ORDER BY site, day, attempt",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![site, day], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                ))
            })
            .and_then(|rows| rows.collect::<crate::db::Result<Vec<_>>>())
            .map_err(|e| self.sql(e))?;
        rows.into_iter()
            .map(|(site, day, attempt, again, incomplete, hosts, files, uploaded_at, notified_at)| {
                Ok(Delivery {
                    site,
                    day,
                    attempt: attempt as u32,
                    again: again != 0,
                    incomplete: incomplete != 0,
                    hosts: serde_json::from_str(&hosts).map_err(|e| bad("log_deliveries", e))?,
                    files,
                    uploaded_at,
                    notified_at,
                })
            })
            .collect()
    }

    /// The account of `owner` (`beneficiary:SIRET` or `site:NAME`).
    fn delivery_account(&self, owner: &str) -> Result<Option<DeliveryAccount>> {
        Ok(self.delivery_accounts()?.into_iter().find(|a| a.owner == owner))
    }

    /// Every delivery account.
    fn delivery_accounts(&self) -> Result<Vec<DeliveryAccount>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT owner, host, port, \"user\", key_file, folder, host_key FROM delivery_accounts ORDER BY owner",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(DeliveryAccount {
                    owner: r.get(0)?,
                    host: r.get(1)?,
                    port: r.get::<_, i64>(2)? as u16,
                    user: r.get(3)?,
                    key_file: r.get(4)?,
                    folder: r.get(5)?,
                    host_key: r.get(6)?,
                })
            })
            .and_then(|rows| rows.collect::<crate::db::Result<Vec<_>>>())
            .map_err(|e| self.sql(e))?;
        Ok(rows)
    }
}

impl<T: Reads> LogReads for T {}

impl Tx<'_> {
    /// Sets a host's SFTP settings.
    pub fn set_host_ssh(&self, host: &str, ssh: &HostSsh) -> Result<()> {
        let n = self
            .conn()
            .execute(
                "UPDATE hosts SET ssh = ?2, ssh_user = ?3, log_dir = ?4 WHERE name = ?1",
                params![host, ssh.endpoint, ssh.user, ssh.log_dir],
            )
            .map_err(|e| self.sql(e))?;
        if n == 0 {
            return Err(Error::NotFound { kind: "host", name: host.to_owned() });
        }
        Ok(())
    }

    /// Records a collected file (replacing an earlier record of the same file).
    pub fn record_archived(&self, a: &ArchivedLog) -> Result<()> {
        self.conn()
            .execute(
                "INSERT INTO log_archive (site, host, day, format, size, sha256, lines, collected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (site, host, day, format) DO UPDATE SET size = excluded.size, sha256 = excluded.sha256,
                   lines = excluded.lines, collected_at = excluded.collected_at",
                params![a.site, a.host, a.day, a.format, a.size as i64, a.sha256, a.lines as i64, a.collected_at],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Forgets collected files (pruned, or found damaged: collected again next run).
    pub fn forget_archived(&self, site: &str, host: &str, day: &str, format: &str) -> Result<()> {
        self.conn()
            .execute(
                "DELETE FROM log_archive WHERE site = ?1 AND host = ?2 AND day = ?3 AND format = ?4",
                params![site, host, day, format],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Records a delivery (new attempt, or its progress).
    pub fn record_delivery(&self, d: &Delivery) -> Result<()> {
        let hosts = serde_json::to_string(&d.hosts).map_err(|e| bad("log_deliveries", e))?;
        self.conn()
            .execute(
                "INSERT INTO log_deliveries
                   (site, day, attempt, again, incomplete, hosts, files, uploaded_at, notified_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (site, day, attempt) DO UPDATE SET again = excluded.again, incomplete = excluded.incomplete,
                   hosts = excluded.hosts, files = excluded.files, uploaded_at = excluded.uploaded_at,
                   notified_at = excluded.notified_at",
                params![
                    d.site,
                    d.day,
                    i64::from(d.attempt),
                    i64::from(d.again),
                    i64::from(d.incomplete),
                    hosts,
                    d.files,
                    d.uploaded_at,
                    d.notified_at
                ],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Creates or replaces a delivery account.
    pub fn set_delivery_account(&self, a: &DeliveryAccount) -> Result<()> {
        self.conn()
            .execute(
                "INSERT INTO delivery_accounts (owner, host, port, \"user\", key_file, folder, host_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (owner) DO UPDATE SET host = excluded.host, port = excluded.port, \"user\" = excluded.\"user\",
                   key_file = excluded.key_file, folder = excluded.folder, host_key = excluded.host_key",
                params![a.owner, a.host, i64::from(a.port), a.user, a.key_file, a.folder, a.host_key],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }
}
