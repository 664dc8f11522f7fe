//! Certificates issued by the project's CA: what was issued to whom, when it expires, its
//! fingerprint and whether it was revoked. Only metadata: keys never enter the store. Also the
//! number of the last revocation list (`meta` key `crl_number`).

use crate::db::{OptionalExtension, params};
use crate::{Error, Reads, Result, Tx};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

const COLUMNS: &str = "serial, name, kind, not_before, not_after, fingerprint, revoked_at";

/// What a certificate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CertKind {
    /// The CA itself.
    Ca,
    /// A host's server certificate (its agent's control API).
    Host,
    /// A client certificate with the `operator` role.
    Operator,
    /// A client certificate with the `ci` role.
    Ci,
}

impl CertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CertKind::Ca => "ca",
            CertKind::Host => "host",
            CertKind::Operator => "operator",
            CertKind::Ci => "ci",
        }
    }
}

impl fmt::Display for CertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CertKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "ca" => CertKind::Ca,
            "host" => CertKind::Host,
            "operator" => CertKind::Operator,
            "ci" => CertKind::Ci,
            other => return Err(format!("unknown certificate kind `{other}`")),
        })
    }
}

/// One issued certificate. Times are in the stored UTC form (`amoe_core::time`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Certificate {
    /// Serial number, lowercase hex.
    pub serial: String,
    /// Whom it was issued to: the CA's name, a host's name or a client's name.
    pub name: String,
    pub kind: CertKind,
    /// Valid from (UTC, RFC 3339).
    pub not_before: String,
    /// Valid until (UTC, RFC 3339).
    pub not_after: String,
    /// SHA-256 of the certificate (DER), lowercase hex.
    pub fingerprint: String,
    /// When it was revoked (UTC, RFC 3339), if it was.
    pub revoked_at: Option<String>,
}

type Row = (String, String, String, String, String, String, Option<String>);

fn row(r: &crate::db::Row<'_>) -> crate::db::Result<Row> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
}

fn build((serial, name, kind, not_before, not_after, fingerprint, revoked_at): Row) -> Result<Certificate> {
    let kind = kind.parse().map_err(|problem| Error::BadRow { table: "certificates", problem })?;
    Ok(Certificate { serial, name, kind, not_before, not_after, fingerprint, revoked_at })
}

fn query(db: &(impl Reads + ?Sized), sql: &str, params: impl crate::db::Params) -> Result<Vec<Certificate>> {
    let mut stmt = db.conn().prepare_cached(sql).map_err(|e| db.sql(e))?;
    let rows = stmt
        .query_map(params, row)
        .and_then(|rows| rows.collect::<crate::db::Result<Vec<_>>>())
        .map_err(|e| db.sql(e))?;
    rows.into_iter().map(build).collect()
}

/// Reading certificates.
pub trait CertificateReads: Reads {
    /// Every certificate, by name, then oldest first.
    fn certificates(&self) -> Result<Vec<Certificate>> {
        query(self, &format!("SELECT {COLUMNS} FROM certificates ORDER BY name, not_before, serial"), [])
    }

    /// Every certificate issued to `name`, oldest first.
    fn certificates_of(&self, name: &str) -> Result<Vec<Certificate>> {
        query(self, &format!("SELECT {COLUMNS} FROM certificates WHERE name = ?1 ORDER BY not_before, serial"), [name])
    }

    /// The latest certificate of `name` (of `kind`, when given) that is not revoked: the one
    /// that expires last.
    fn latest_certificate(&self, name: &str, kind: Option<CertKind>) -> Result<Option<Certificate>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM certificates
             WHERE name = ?1 AND revoked_at IS NULL AND (?2 IS NULL OR kind = ?2)
             ORDER BY not_after DESC, serial DESC LIMIT 1"
        );
        Ok(query(self, &sql, params![name, kind.map(CertKind::as_str)])?.into_iter().next())
    }

    /// The revoked certificates as `(serial, revoked_at)`, by serial: what the revocation list
    /// holds.
    fn revoked_certificates(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT serial, revoked_at FROM certificates WHERE revoked_at IS NOT NULL ORDER BY serial")
            .map_err(|e| self.sql(e))?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).and_then(|rows| rows.collect()).map_err(|e| self.sql(e))
    }

    /// The number of the last revocation list written (0: none yet).
    fn crl_number(&self) -> Result<u64> {
        let value: Option<String> = self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = 'crl_number'", [], |r| r.get(0))
            .optional()
            .map_err(|e| self.sql(e))?;
        value.map_or(Ok(0), |v| {
            v.parse().map_err(|_| Error::BadRow { table: "meta", problem: format!("crl_number is `{v}`") })
        })
    }
}

impl<T: Reads> CertificateReads for T {}

impl Tx<'_> {
    /// Records an issued certificate; refuses a serial already known.
    pub fn add_certificate(&self, c: &Certificate) -> Result<()> {
        let inserted = self
            .conn()
            .execute(
                &format!("INSERT INTO certificates ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (serial) DO NOTHING"),
                params![c.serial, c.name, c.kind.as_str(), c.not_before, c.not_after, c.fingerprint, c.revoked_at],
            )
            .map_err(|e| self.sql(e))?;
        if inserted == 0 {
            return Err(Error::Duplicate { kind: "certificate", name: c.serial.clone() });
        }
        Ok(())
    }

    /// Marks every certificate of `name` that is not revoked yet (the CA's own excepted) as
    /// revoked at `at`; returns their serials (none when there was nothing to revoke).
    pub fn revoke_certificates(&self, name: &str, at: &str) -> Result<Vec<String>> {
        let serials = self.names_where(
            "SELECT serial FROM certificates WHERE name = ?1 AND revoked_at IS NULL AND kind <> 'ca' ORDER BY serial",
            name,
        )?;
        let mut stmt = self
            .conn()
            .prepare_cached("UPDATE certificates SET revoked_at = ?2 WHERE serial = ?1")
            .map_err(|e| self.sql(e))?;
        for serial in &serials {
            stmt.execute(params![serial, at]).map_err(|e| self.sql(e))?;
        }
        Ok(serials)
    }

    /// Increments the revocation list number and returns the new one.
    pub fn next_crl_number(&self) -> Result<u64> {
        let next = self.crl_number()? + 1;
        self.conn()
            .execute(
                "INSERT INTO meta (key, value) VALUES ('crl_number', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [next.to_string()],
            )
            .map_err(|e| self.sql(e))?;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AuditDraft, Store};

    fn cert(serial: &str, name: &str, kind: CertKind, not_after: &str) -> Certificate {
        Certificate {
            serial: serial.into(),
            name: name.into(),
            kind,
            not_before: "2026-01-01T00:00:00.000Z".into(),
            not_after: not_after.into(),
            fingerprint: "ab".repeat(32),
            revoked_at: None,
        }
    }

    fn draft() -> AuditDraft {
        AuditDraft { operator: "t".into(), command: "test".into(), ..Default::default() }
    }

    #[test]
    fn add_list_latest_revoke() {
        let dir = tempfile::tempdir().expect("dir");
        let (mut store, _) = Store::create(&dir.path().join("s.db")).expect("store");
        store
            .mutate(&draft(), |tx| {
                tx.add_certificate(&cert("01", "root", CertKind::Ca, "2036-01-01T00:00:00.000Z"))?;
                tx.add_certificate(&cert("0a", "pop1", CertKind::Host, "2026-04-01T00:00:00.000Z"))?;
                tx.add_certificate(&cert("0b", "pop1", CertKind::Host, "2026-07-01T00:00:00.000Z"))?;
                tx.add_certificate(&cert("0c", "ci1", CertKind::Ci, "2027-01-01T00:00:00.000Z"))?;
                Ok::<_, Error>(())
            })
            .expect("add");
        let dup = store.mutate(&draft(), |tx| tx.add_certificate(&cert("0c", "x", CertKind::Ci, "2027")));
        assert!(matches!(dup, Err(Error::Duplicate { .. })));
        assert_eq!(store.certificates().expect("list").len(), 4);
        let latest = store.latest_certificate("pop1", Some(CertKind::Host)).expect("latest").expect("some");
        assert_eq!(latest.serial, "0b");
        assert!(store.latest_certificate("pop1", Some(CertKind::Ci)).expect("latest").is_none());

        let revoked =
            store.mutate(&draft(), |tx| tx.revoke_certificates("pop1", "2026-02-01T00:00:00.000Z")).expect("r");
        assert_eq!(revoked, ["0a", "0b"]);
        assert!(store.mutate(&draft(), |tx| tx.revoke_certificates("root", "2026")).expect("r").is_empty());
        assert!(store.latest_certificate("pop1", None).expect("latest").is_none());
        assert_eq!(store.revoked_certificates().expect("revoked").len(), 2);
        assert_eq!(
            store.certificates_of("pop1").expect("of")[0].revoked_at.as_deref(),
            Some("2026-02-01T00:00:00.000Z")
        );

        assert_eq!(store.crl_number().expect("n"), 0);
        assert_eq!(store.mutate(&draft(), |tx| tx.next_crl_number()).expect("n"), 1);
        assert_eq!(store.mutate(&draft(), |tx| tx.next_crl_number()).expect("n"), 2);
        assert_eq!(store.crl_number().expect("n"), 2);
    }
}
