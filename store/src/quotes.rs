//! Quotes asked by beneficiaries and when they were sent (002 §5.4.2: within 10 working days).

use crate::db::{OptionalExtension, params};
use crate::{Error, Reads, Result, Tx};
use serde::Serialize;

/// A quote request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Quote {
    /// Number.
    pub id: i64,
    /// The beneficiary (SIRET).
    pub beneficiary: String,
    /// When it was asked (UTC).
    pub requested_at: String,
    /// The day it is due (Paris date).
    pub due_on: String,
    /// When it was sent (UTC), if it was.
    pub sent_at: Option<String>,
    /// The ticket it came with.
    pub ticket: Option<i64>,
    /// A note.
    pub note: Option<String>,
}

fn row(r: &crate::db::Row<'_>) -> crate::db::Result<Quote> {
    Ok(Quote {
        id: r.get(0)?,
        beneficiary: r.get(1)?,
        requested_at: r.get(2)?,
        due_on: r.get(3)?,
        sent_at: r.get(4)?,
        ticket: r.get(5)?,
        note: r.get(6)?,
    })
}

/// Reading quotes.
pub trait QuoteReads: Reads {
    /// Quotes, oldest request first (of one beneficiary, or all).
    fn quotes(&self, beneficiary: Option<&str>) -> Result<Vec<Quote>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT id, beneficiary, requested_at, due_on, sent_at, ticket, note FROM quotes
                 WHERE (?1 IS NULL OR beneficiary = ?1) ORDER BY requested_at, id",
            )
            .map_err(|e| self.sql(e))?;
        stmt.query_map([beneficiary], row).and_then(|rows| rows.collect()).map_err(|e| self.sql(e))
    }

    /// One quote.
    fn quote(&self, id: i64) -> Result<Quote> {
        self.conn()
            .query_row(
                "SELECT id, beneficiary, requested_at, due_on, sent_at, ticket, note FROM quotes WHERE id = ?1",
                [id],
                row,
            )
            .optional()
            .map_err(|e| self.sql(e))?
            .ok_or_else(|| Error::NotFound { kind: "quote", name: id.to_string() })
    }
}

impl<T: Reads> QuoteReads for T {}

impl Tx<'_> {
    /// Records a request; returns its number.
    pub fn add_quote(&self, q: &Quote) -> Result<i64> {
        self.conn()
            .insert_next_id(
                "quotes",
                "beneficiary, requested_at, due_on, sent_at, ticket, note",
                "?1, ?2, ?3, ?4, ?5, ?6",
                "",
                params![q.beneficiary, q.requested_at, q.due_on, q.sent_at, q.ticket, q.note],
            )
            .map_err(|e| self.sql(e))
    }

    /// Records when a quote was sent.
    pub fn quote_sent(&self, id: i64, at: &str) -> Result<()> {
        let n = self
            .conn()
            .execute("UPDATE quotes SET sent_at = ?2 WHERE id = ?1", params![id, at])
            .map_err(|e| self.sql(e))?;
        if n == 0 {
            return Err(Error::NotFound { kind: "quote", name: id.to_string() });
        }
        Ok(())
    }
}
