//! `amoe audit list|verify`.

use super::Ctx;
use crate::cli::AuditCmd;
use crate::error::{Exit, Failure};
use crate::ops::audit as ops;
use crate::output::{Cell, Format, Tabular};
use amoe_core::AuditEntry;
use anyhow::Result;

impl Tabular for AuditEntry {
    const HEADERS: &'static [&'static str] = &["seq", "at", "operator", "command", "target", "outcome"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(self.seq),
            Cell::text(amoe_core::time::display_local(&self.at)),
            Cell::text(&self.operator),
            Cell::text(&self.command),
            Cell::opt(self.target.as_deref()),
            Cell::text(&self.outcome),
        ]
    }
}

pub(super) fn run(ctx: &mut Ctx, cmd: AuditCmd) -> Result<Exit> {
    let store = ctx.open()?;
    match cmd {
        AuditCmd::List { since, operator, target } => {
            let entries = ops::list(&store, since.as_deref(), operator.as_deref(), target.as_deref())?;
            ctx.out.list(&entries)?;
            Ok(Exit::Success)
        }
        AuditCmd::Verify => {
            let v = ops::verify(&store)?;
            if ctx.out.format == Format::Table {
                if v.intact {
                    ctx.out.line(&format!("journal intact: {} entries, head {}", v.entries, v.head))?;
                }
            } else {
                ctx.out.json(&v)?;
            }
            match (v.first_bad, v.problem) {
                (Some(seq), Some(problem)) => {
                    Err(Failure::new(format!("audit journal broken at entry {seq}: {problem}"))
                        .hint(
                            "the journal was changed outside amoe; compare with your last backup or export to see what",
                        )
                        .into())
                }
                _ => Ok(Exit::Success),
            }
        }
    }
}
