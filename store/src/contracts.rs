//! Support contracts (a daily rate, hours per day, a cap excluding tax, VAT, a period; seed 004
//! art. 3-2, 6 and 10) and the interventions counted against them (004 §9.3).

use crate::db::{OptionalExtension, params};
use crate::{Error, Reads, Result, Tx};
use serde::Serialize;

/// A contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Contract {
    pub id: i64,
    /// SIRET of the customer.
    pub beneficiary: String,
    pub label: String,
    /// Price of one day, excluding tax, in cents.
    pub daily_rate_cents: i64,
    /// Minutes in one day of intervention.
    pub minutes_per_day: i64,
    /// The cap excluding tax, in cents.
    pub cap_cents: i64,
    /// VAT in basis points (2000 = 20 %).
    pub vat_bp: i64,
    /// First and last Paris day it covers.
    pub starts_on: String,
    pub ends_on: String,
}

/// An intervention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Intervention {
    pub id: i64,
    pub contract: i64,
    pub beneficiary: String,
    /// Start (UTC).
    pub started_at: String,
    pub minutes: i64,
    pub detail: String,
    pub ticket: Option<i64>,
    /// Who did it.
    pub operator: String,
}

const CONTRACT: &str =
    "id, beneficiary, label, daily_rate_cents, minutes_per_day, cap_cents, vat_bp, starts_on, ends_on";

fn contract_row(r: &crate::db::Row<'_>) -> crate::db::Result<Contract> {
    Ok(Contract {
        id: r.get(0)?,
        beneficiary: r.get(1)?,
        label: r.get(2)?,
        daily_rate_cents: r.get(3)?,
        minutes_per_day: r.get(4)?,
        cap_cents: r.get(5)?,
        vat_bp: r.get(6)?,
        starts_on: r.get(7)?,
        ends_on: r.get(8)?,
    })
}

const INTERVENTION: &str = "id, contract, beneficiary, started_at, minutes, detail, ticket, operator";

fn intervention_row(r: &crate::db::Row<'_>) -> crate::db::Result<Intervention> {
    Ok(Intervention {
        id: r.get(0)?,
        contract: r.get(1)?,
        beneficiary: r.get(2)?,
        started_at: r.get(3)?,
        minutes: r.get(4)?,
        detail: r.get(5)?,
        ticket: r.get(6)?,
        operator: r.get(7)?,
    })
}

/// Reading contracts and interventions.
pub trait ContractReads: Reads {
    /// Contracts, of one beneficiary or all, by start.
    fn contracts(&self, beneficiary: Option<&str>) -> Result<Vec<Contract>> {
        let mut stmt = self
            .conn()
            .prepare_cached(&format!(
                "SELECT {CONTRACT} FROM contracts WHERE (?1 IS NULL OR beneficiary = ?1) ORDER BY starts_on, id"
            ))
            .map_err(|e| self.sql(e))?;
        stmt.query_map([beneficiary], contract_row).and_then(|r| r.collect()).map_err(|e| self.sql(e))
    }

    /// One contract.
    fn contract(&self, id: i64) -> Result<Contract> {
        self.conn()
            .query_row(&format!("SELECT {CONTRACT} FROM contracts WHERE id = ?1"), [id], contract_row)
            .optional()
            .map_err(|e| self.sql(e))?
            .ok_or_else(|| Error::NotFound { kind: "contract", name: id.to_string() })
    }

    /// The beneficiary's contract covering the Paris day `day`, if any.
    fn contract_on(&self, beneficiary: &str, day: &str) -> Result<Option<Contract>> {
        self.conn()
            .query_row(
                &format!(
                    "SELECT {CONTRACT} FROM contracts WHERE beneficiary = ?1 AND starts_on <= ?2 AND ends_on >= ?2
                     ORDER BY starts_on DESC, id DESC LIMIT 1"
                ),
                params![beneficiary, day],
                contract_row,
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Interventions started from `from` to before `to` (UTC instants), of one contract, one
    /// beneficiary or all, in time order.
    fn interventions(
        &self,
        from: Option<&str>,
        to: Option<&str>,
        beneficiary: Option<&str>,
        contract: Option<i64>,
    ) -> Result<Vec<Intervention>> {
        let mut stmt = self
            .conn()
            .prepare_cached(&format!(
                "SELECT {INTERVENTION} FROM interventions
                 WHERE (?1 IS NULL OR started_at >= ?1) AND (?2 IS NULL OR started_at < ?2)
                   AND (?3 IS NULL OR beneficiary = ?3) AND (?4 IS NULL OR contract = ?4)
                 ORDER BY started_at, id"
            ))
            .map_err(|e| self.sql(e))?;
        stmt.query_map(params![from, to, beneficiary, contract], intervention_row)
            .and_then(|r| r.collect())
            .map_err(|e| self.sql(e))
    }

    /// One intervention.
    fn intervention(&self, id: i64) -> Result<Intervention> {
        self.conn()
            .query_row(&format!("SELECT {INTERVENTION} FROM interventions WHERE id = ?1"), [id], intervention_row)
            .optional()
            .map_err(|e| self.sql(e))?
            .ok_or_else(|| Error::NotFound { kind: "intervention", name: id.to_string() })
    }
}

impl<T: Reads> ContractReads for T {}

impl Tx<'_> {
    /// Records a contract; returns its id.
    pub fn add_contract(&self, c: &Contract) -> Result<i64> {
        self.conn()
            .insert_next_id(
                "contracts",
                "beneficiary, label, daily_rate_cents, minutes_per_day, cap_cents, vat_bp, starts_on, ends_on",
                "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8",
                "",
                params![
                    c.beneficiary,
                    c.label,
                    c.daily_rate_cents,
                    c.minutes_per_day,
                    c.cap_cents,
                    c.vat_bp,
                    c.starts_on,
                    c.ends_on
                ],
            )
            .map_err(|e| self.sql(e))
    }

    /// Replaces a contract's terms (its customer stays).
    pub fn update_contract(&self, c: &Contract) -> Result<()> {
        let n = self
            .conn()
            .execute(
                "UPDATE contracts SET label = ?2, daily_rate_cents = ?3, minutes_per_day = ?4, cap_cents = ?5, vat_bp = ?6,
                 starts_on = ?7, ends_on = ?8 WHERE id = ?1",
                params![c.id, c.label, c.daily_rate_cents, c.minutes_per_day, c.cap_cents, c.vat_bp, c.starts_on, c.ends_on],
            )
            .map_err(|e| self.sql(e))?;
        if n == 0 {
            return Err(Error::NotFound { kind: "contract", name: c.id.to_string() });
        }
        Ok(())
    }

    /// Records an intervention; returns its id.
    pub fn add_intervention(&self, i: &Intervention) -> Result<i64> {
        self.conn()
            .insert_next_id(
                "interventions",
                "contract, beneficiary, started_at, minutes, detail, ticket, operator",
                "?1, ?2, ?3, ?4, ?5, ?6, ?7",
                "",
                params![i.contract, i.beneficiary, i.started_at, i.minutes, i.detail, i.ticket, i.operator],
            )
            .map_err(|e| self.sql(e))
    }

    /// Replaces an intervention's start, duration, detail or ticket (its contract follows the
    /// start: the caller passes it).
    pub fn update_intervention(&self, i: &Intervention) -> Result<()> {
        let n = self
            .conn()
            .execute(
                "UPDATE interventions SET contract = ?2, started_at = ?3, minutes = ?4, detail = ?5, ticket = ?6 WHERE id = ?1",
                params![i.id, i.contract, i.started_at, i.minutes, i.detail, i.ticket],
            )
            .map_err(|e| self.sql(e))?;
        if n == 0 {
            return Err(Error::NotFound { kind: "intervention", name: i.id.to_string() });
        }
        Ok(())
    }
}
