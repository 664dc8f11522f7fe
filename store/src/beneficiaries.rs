//! Beneficiaries: the public bodies identified by SIRET, with their lot and contact e-mails.

use crate::db::{OptionalExtension, params};
use crate::{Error, Reads, Result, Tx};
use amoe_core::{Beneficiary, Email, Lot, Siret};
use std::collections::HashMap;

const KIND: &str = "beneficiary";

fn bad(problem: impl ToString) -> Error {
    Error::BadRow { table: "beneficiaries", problem: problem.to_string() }
}

/// Reading beneficiaries.
pub trait BeneficiaryReads: Reads {
    /// Every beneficiary, by SIRET.
    fn beneficiaries(&self) -> Result<Vec<Beneficiary>> {
        let mut emails = all_emails(self)?;
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT siret, name, lot FROM beneficiaries ORDER BY siret")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<u8>>(2)?)))
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (siret, name, lot) = row.map_err(|e| self.sql(e))?;
            let list = emails.remove(&siret).unwrap_or_default();
            out.push(build(siret, name, lot, list)?);
        }
        Ok(out)
    }

    /// One beneficiary.
    fn beneficiary(&self, siret: &Siret) -> Result<Beneficiary> {
        let row = self
            .conn()
            .query_row("SELECT name, lot FROM beneficiaries WHERE siret = ?1", [siret.as_str()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<u8>>(1)?))
            })
            .optional()
            .map_err(|e| self.sql(e))?;
        let (name, lot) = row.ok_or_else(|| Error::NotFound { kind: KIND, name: siret.to_string() })?;
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT email FROM beneficiary_emails WHERE siret = ?1 ORDER BY position")
            .map_err(|e| self.sql(e))?;
        let emails = stmt
            .query_map([siret.as_str()], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<crate::db::Result<Vec<_>>>())
            .map_err(|e| self.sql(e))?;
        build(siret.to_string(), name, lot, emails)
    }
}

impl<T: Reads> BeneficiaryReads for T {}

fn all_emails(db: &(impl Reads + ?Sized)) -> Result<HashMap<String, Vec<String>>> {
    let mut stmt = db
        .conn()
        .prepare_cached("SELECT siret, email FROM beneficiary_emails ORDER BY siret, position")
        .map_err(|e| db.sql(e))?;
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).map_err(|e| db.sql(e))?;
    for row in rows {
        let (siret, email) = row.map_err(|e| db.sql(e))?;
        map.entry(siret).or_default().push(email);
    }
    Ok(map)
}

fn build(siret: String, name: String, lot: Option<u8>, emails: Vec<String>) -> Result<Beneficiary> {
    let siret: Siret = siret.parse().map_err(bad)?;
    let lot = lot.map(|l| Lot::new(l).ok_or_else(|| bad(format!("lot {l}")))).transpose()?;
    let emails = emails.into_iter().map(|e| e.parse::<Email>()).collect::<Result<_, _>>().map_err(bad)?;
    Ok(Beneficiary::new(siret, name, lot, emails))
}

impl Tx<'_> {
    /// Adds a beneficiary; refuses a SIRET already known.
    pub fn add_beneficiary(&self, b: &Beneficiary) -> Result<()> {
        let inserted = self
            .conn()
            .execute(
                "INSERT INTO beneficiaries (siret, name, lot) VALUES (?1, ?2, ?3) ON CONFLICT (siret) DO NOTHING",
                params![b.siret.as_str(), b.name, b.lot.map(Lot::number)],
            )
            .map_err(|e| self.sql(e))?;
        if inserted == 0 {
            return Err(Error::Duplicate { kind: KIND, name: b.siret.to_string() });
        }
        self.write_emails(&b.siret, &b.emails)
    }

    /// Replaces a beneficiary's name, lot and e-mails.
    pub fn update_beneficiary(&self, b: &Beneficiary) -> Result<()> {
        let changed = self
            .conn()
            .execute(
                "UPDATE beneficiaries SET name = ?2, lot = ?3 WHERE siret = ?1",
                params![b.siret.as_str(), b.name, b.lot.map(Lot::number)],
            )
            .map_err(|e| self.sql(e))?;
        if changed == 0 {
            return Err(Error::NotFound { kind: KIND, name: b.siret.to_string() });
        }
        self.conn()
            .execute("DELETE FROM beneficiary_emails WHERE siret = ?1", [b.siret.as_str()])
            .map_err(|e| self.sql(e))?;
        self.write_emails(&b.siret, &b.emails)
    }

    /// Removes a beneficiary; refuses while sites belong to it.
    pub fn remove_beneficiary(&self, siret: &Siret) -> Result<()> {
        let sites = self.names_where("SELECT name FROM sites WHERE beneficiary = ?1 ORDER BY name", siret.as_str())?;
        if !sites.is_empty() {
            return Err(Error::InUse { kind: KIND, name: siret.to_string(), by: crate::sites::describe(&sites) });
        }
        // Its records stay: the contract reports are built on them.
        for (table, what) in
            [("orders", "orders"), ("quotes", "quotes"), ("contracts", "contracts"), ("interventions", "interventions")]
        {
            let n: i64 = self
                .conn()
                .query_row(&format!("SELECT COUNT(*) FROM {table} WHERE beneficiary = ?1"), [siret.as_str()], |r| {
                    r.get(0)
                })
                .map_err(|e| self.sql(e))?;
            if n > 0 {
                return Err(Error::InUse { kind: KIND, name: siret.to_string(), by: format!("{n} {what}") });
            }
        }
        let removed = self
            .conn()
            .execute("DELETE FROM beneficiaries WHERE siret = ?1", [siret.as_str()])
            .map_err(|e| self.sql(e))?;
        if removed == 0 {
            return Err(Error::NotFound { kind: KIND, name: siret.to_string() });
        }
        Ok(())
    }

    fn write_emails(&self, siret: &Siret, emails: &[Email]) -> Result<()> {
        let mut stmt = self
            .conn()
            .prepare_cached("INSERT INTO beneficiary_emails (siret, position, email) VALUES (?1, ?2, ?3)")
            .map_err(|e| self.sql(e))?;
        for (i, email) in emails.iter().enumerate() {
            stmt.execute(params![siret.as_str(), i as i64, email.as_str()]).map_err(|e| self.sql(e))?;
        }
        Ok(())
    }

    /// The first column of a one-parameter query, as strings.
    pub(crate) fn names_where(&self, sql: &str, param: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached(sql).map_err(|e| self.sql(e))?;
        stmt.query_map([param], |r| r.get::<_, String>(0)).and_then(|rows| rows.collect()).map_err(|e| self.sql(e))
    }
}
