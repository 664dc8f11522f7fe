//! The price schedule (BPU) of each lot and the orders drawn on it (seed 002 art. 3, 4.3 and 6).
//! An order line keeps the price and reference price of the day it was placed.

use crate::db::{OptionalExtension, params};
use crate::{Error, Reads, Result, Tx};
use serde::Serialize;

/// One line of a lot's price schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BpuLine {
    pub lot: u8,
    pub code: String,
    pub label: String,
    pub unit: String,
    /// Unit price excluding tax, in cents.
    pub price_cents: i64,
    /// The reference (market) price, when known: purchase gains are counted against it.
    pub reference_cents: Option<i64>,
}

/// An order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Order {
    pub id: i64,
    /// SIRET of the ordering beneficiary.
    pub beneficiary: String,
    pub lot: u8,
    /// The beneficiary's order number.
    pub number: String,
    /// Paris date of the order.
    pub ordered_on: String,
    pub note: Option<String>,
    pub lines: Vec<OrderLine>,
    /// The sum of the lines, excluding tax, in cents.
    pub total_cents: i64,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct OrderLine {
    pub code: String,
    pub label: String,
    /// Quantity in thousandths.
    pub quantity_milli: i64,
    pub price_cents: i64,
    pub reference_cents: Option<i64>,
    /// quantity × price, rounded to the cent.
    pub amount_cents: i64,
}

fn bpu_row(r: &crate::db::Row<'_>) -> crate::db::Result<BpuLine> {
    Ok(BpuLine {
        lot: r.get(0)?,
        code: r.get(1)?,
        label: r.get(2)?,
        unit: r.get(3)?,
        price_cents: r.get(4)?,
        reference_cents: r.get(5)?,
    })
}

/// Reading the schedule and the orders.
pub trait OrderReads: Reads {
    /// A lot's schedule (or every lot's), by lot and code.
    fn bpu(&self, lot: Option<u8>) -> Result<Vec<BpuLine>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT lot, code, label, unit, price_cents, reference_cents FROM bpu_lines
                 WHERE (?1 IS NULL OR lot = ?1) ORDER BY lot, code",
            )
            .map_err(|e| self.sql(e))?;
        stmt.query_map([lot], bpu_row).and_then(|r| r.collect()).map_err(|e| self.sql(e))
    }

    /// Orders placed from `from` to `to` (Paris dates, included), of one beneficiary or all,
    /// by date then number, with their lines.
    fn orders(&self, from: Option<&str>, to: Option<&str>, beneficiary: Option<&str>) -> Result<Vec<Order>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT o.id, o.beneficiary, o.lot, o.number, o.ordered_on, o.note,
                        l.code, l.label, l.quantity_milli, l.price_cents, l.reference_cents, l.amount_cents
                 FROM orders o JOIN order_lines l ON l.order_id = o.id
                 WHERE (?1 IS NULL OR o.ordered_on >= ?1) AND (?2 IS NULL OR o.ordered_on <= ?2)
                   AND (?3 IS NULL OR o.beneficiary = ?3)
                 ORDER BY o.ordered_on, o.id, l.position",
            )
            .map_err(|e| self.sql(e))?;
        let mut rows = stmt.query(params![from, to, beneficiary]).map_err(|e| self.sql(e))?;
        let mut out: Vec<Order> = Vec::new();
        while let Some(r) = rows.next().map_err(|e| self.sql(e))? {
            let id: i64 = r.get(0).map_err(|e| self.sql(e))?;
            let line = (|| {
                Ok::<_, crate::db::Error>(OrderLine {
                    code: r.get(6)?,
                    label: r.get(7)?,
                    quantity_milli: r.get(8)?,
                    price_cents: r.get(9)?,
                    reference_cents: r.get(10)?,
                    amount_cents: r.get(11)?,
                })
            })()
            .map_err(|e| self.sql(e))?;
            match out.last_mut() {
                Some(o) if o.id == id => {
                    o.total_cents += line.amount_cents;
                    o.lines.push(line);
                }
                _ => {
                    let head = (|| {
                        Ok::<_, crate::db::Error>(Order {
                            id,
                            beneficiary: r.get(1)?,
                            lot: r.get(2)?,
                            number: r.get(3)?,
                            ordered_on: r.get(4)?,
                            note: r.get(5)?,
                            total_cents: line.amount_cents,
                            lines: vec![line],
                        })
                    })()
                    .map_err(|e| self.sql(e))?;
                    out.push(head);
                }
            }
        }
        Ok(out)
    }

    /// One order.
    fn order(&self, id: i64) -> Result<Order> {
        let date: Option<String> = self
            .conn()
            .query_row("SELECT ordered_on FROM orders WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(|e| self.sql(e))?;
        let date = date.ok_or_else(|| Error::NotFound { kind: "order", name: id.to_string() })?;
        self.orders(Some(&date), Some(&date), None)?
            .into_iter()
            .find(|o| o.id == id)
            .ok_or_else(|| Error::NotFound { kind: "order", name: id.to_string() })
    }
}

impl<T: Reads> OrderReads for T {}

impl Tx<'_> {
    /// Replaces a lot's schedule with `lines`. Lines that orders used stay valid: orders keep
    /// their own copy of label and prices.
    pub fn replace_bpu(&self, lot: u8, lines: &[BpuLine]) -> Result<()> {
        self.conn().execute("DELETE FROM bpu_lines WHERE lot = ?1", [lot]).map_err(|e| self.sql(e))?;
        let mut stmt = self
            .conn()
            .prepare_cached(
                "INSERT INTO bpu_lines (lot, code, label, unit, price_cents, reference_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(|e| self.sql(e))?;
        for l in lines {
            stmt.execute(params![lot, l.code, l.label, l.unit, l.price_cents, l.reference_cents])
                .map_err(|e| self.sql(e))?;
        }
        Ok(())
    }

    /// Records an order and its lines; returns its id. Refuses a number already used in the lot.
    pub fn add_order(&self, o: &Order) -> Result<i64> {
        let id = self
            .conn()
            .insert_next_id(
                "orders",
                "beneficiary, lot, number, ordered_on, note",
                "?1, ?2, ?3, ?4, ?5",
                "ON CONFLICT (lot, number) DO NOTHING",
                params![o.beneficiary, o.lot, o.number, o.ordered_on, o.note],
            )
            .optional()
            .map_err(|e| self.sql(e))?
            .ok_or_else(|| Error::Duplicate { kind: "order", name: format!("{} (lot {})", o.number, o.lot) })?;
        let mut stmt = self
            .conn()
            .prepare_cached(
                "INSERT INTO order_lines (order_id, position, code, label, quantity_milli, price_cents, reference_cents, amount_cents)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(|e| self.sql(e))?;
        for (i, l) in o.lines.iter().enumerate() {
            stmt.execute(params![
                id,
                i as i64,
                l.code,
                l.label,
                l.quantity_milli,
                l.price_cents,
                l.reference_cents,
                l.amount_cents
            ])
            .map_err(|e| self.sql(e))?;
        }
        Ok(id)
    }

    /// Changes an order's date, number or note.
    pub fn update_order(&self, id: i64, number: Option<&str>, date: Option<&str>, note: Option<&str>) -> Result<()> {
        let n = self
            .conn()
            .execute(
                "UPDATE orders SET number = COALESCE(?2, number), ordered_on = COALESCE(?3, ordered_on),
                 note = COALESCE(?4, note) WHERE id = ?1",
                params![id, number, date, note],
            )
            .map_err(|e| self.sql(e))?;
        if n == 0 {
            return Err(Error::NotFound { kind: "order", name: id.to_string() });
        }
        Ok(())
    }
}
