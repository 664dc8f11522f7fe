//! `amoe quote add|sent|list`: quote requests, their due day (10 working days, 002 §5.4.2) and
//! their lateness in working days.

use super::Ctx;
use crate::cli::QuoteCmd;
use crate::error::{Exit, Failure};
use crate::output::{Cell, Tabular};
use amoe_core::calendar::Calendar;
use amoe_store::beneficiaries::BeneficiaryReads;
use amoe_store::quotes::{Quote, QuoteReads};
use amoe_store::tickets::TicketReads;
use anyhow::Result;
use serde::Serialize;

/// Working days a quote may take.
pub const QUOTE_DAYS: u32 = 10;

/// A quote with its lateness.
#[derive(Debug, Serialize)]
struct QuoteRow {
    #[serde(flatten)]
    quote: Quote,
    /// Working days past the due day: at sending, or until today while not sent.
    late_days: u32,
}

impl Tabular for QuoteRow {
    const HEADERS: &'static [&'static str] = &["id", "beneficiary", "requested", "due", "sent", "late_days", "ticket"];
    fn cells(&self) -> Vec<Cell> {
        let q = &self.quote;
        vec![
            Cell::text(q.id),
            Cell::text(&q.beneficiary),
            Cell::text(amoe_core::time::display_local(&q.requested_at)),
            Cell::text(&q.due_on),
            Cell::text(q.sent_at.as_deref().map(amoe_core::time::display_local).unwrap_or_default()),
            Cell::text(self.late_days),
            Cell::text(q.ticket.map(|t| format!("#{t}")).unwrap_or_default()),
        ]
    }
}

fn instant(raw: &str) -> Result<jiff::Timestamp> {
    let stored = amoe_core::time::parse_since(raw).map_err(Failure::usage)?;
    Ok(stored.parse::<jiff::Timestamp>().map_err(|e| Failure::usage(e.to_string()))?)
}

fn late(cal: &Calendar, q: &Quote, today: jiff::civil::Date) -> u32 {
    let Ok(due) = q.due_on.parse::<jiff::civil::Date>() else { return 0 };
    let done = q.sent_at.as_deref().and_then(|s| s.parse::<jiff::Timestamp>().ok()).map_or(today, |t| cal.date_of(t));
    cal.working_days_late(due, done)
}

pub(super) fn run(ctx: &mut Ctx, cmd: QuoteCmd) -> Result<Exit> {
    let mut store = ctx.open()?;
    let cal = Calendar::default();
    match cmd {
        QuoteCmd::Add { beneficiary, requested_at, ticket, note } => {
            let siret: amoe_core::Siret = beneficiary.parse()?;
            store.beneficiary(&siret)?;
            if let Some(t) = ticket
                && store.ticket(t)?.is_none()
            {
                return Err(Failure::new(format!("no ticket #{t}")).into());
            }
            let at = instant(&requested_at)?;
            let due = cal.add_working_days(cal.date_of(at), QUOTE_DAYS);
            let mut q = Quote {
                id: 0,
                beneficiary: siret.to_string(),
                requested_at: amoe_core::time::format_utc(at),
                due_on: due.to_string(),
                sent_at: None,
                ticket,
                note,
            };
            q.id =
                store.mutate(&ctx.draft("quote add", Some(format!("beneficiary:{siret}"))), |tx| tx.add_quote(&q))?;
            let row = QuoteRow { late_days: 0, quote: q };
            ctx.out.done(&format!("quote {} is due on {due}", row.quote.id), &row)?;
        }
        QuoteCmd::Sent { id, at } => {
            let at = instant(&at)?;
            let q = store.quote(id)?;
            if q.requested_at.parse::<jiff::Timestamp>().is_ok_and(|asked| at < asked) {
                return Err(Failure::usage(format!(
                    "quote {id} was asked at {}: it cannot be sent before",
                    q.requested_at
                ))
                .into());
            }
            let stored = amoe_core::time::format_utc(at);
            store.mutate(&ctx.draft("quote sent", Some(id.to_string())), |tx| tx.quote_sent(id, &stored))?;
            let q = store.quote(id)?;
            let today = cal.date_of(jiff::Timestamp::now());
            let row = QuoteRow { late_days: late(&cal, &q, today), quote: q };
            let sentence = if row.late_days == 0 {
                format!("quote {id} sent in time (due {})", row.quote.due_on)
            } else {
                format!("quote {id} sent {} working days late (due {})", row.late_days, row.quote.due_on)
            };
            ctx.out.done(&sentence, &row)?;
        }
        QuoteCmd::Show { id } => {
            let q = store.quote(id)?;
            let today = cal.date_of(jiff::Timestamp::now());
            ctx.out.show(&QuoteRow { late_days: late(&cal, &q, today), quote: q })?;
        }
        QuoteCmd::List { beneficiary, late: only_late } => {
            let b = beneficiary.map(|b| b.parse::<amoe_core::Siret>().map(|s| s.to_string())).transpose()?;
            let today = cal.date_of(jiff::Timestamp::now());
            let rows: Vec<QuoteRow> = store
                .quotes(b.as_deref())?
                .into_iter()
                .map(|q| QuoteRow { late_days: late(&cal, &q, today), quote: q })
                .filter(|r| !only_late || r.late_days > 0)
                .collect();
            ctx.out.list(&rows)?;
        }
    }
    Ok(Exit::Success)
}
