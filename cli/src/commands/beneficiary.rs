//! `amoe beneficiary add|list|show|update|remove`.

use super::Ctx;
use crate::cli::BeneficiaryCmd;
use crate::error::Exit;
use crate::ops::beneficiary as ops;
use crate::output::{Cell, Tabular};
use amoe_core::{Beneficiary, Siret};
use amoe_store::beneficiaries::BeneficiaryReads;
use anyhow::Result;

impl Tabular for Beneficiary {
    const HEADERS: &'static [&'static str] = &["siret", "name", "lot", "region", "emails"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.siret),
            Cell::text(&self.name),
            Cell::text(self.lot.map(|l| l.number().to_string()).unwrap_or_default()),
            Cell::text(self.region.as_deref().unwrap_or_default()),
            Cell::list(&self.emails),
        ]
    }
}

pub(super) fn run(ctx: &mut Ctx, cmd: BeneficiaryCmd) -> Result<Exit> {
    let target = |s: &str| Some(format!("beneficiary:{}", s.replace(' ', "")));
    match cmd {
        BeneficiaryCmd::Add { siret, name, lot, emails } => {
            let mut store = ctx.open()?;
            let b = ops::add(
                &mut store,
                &ctx.draft("beneficiary add", target(&siret)),
                &siret,
                &name,
                lot.as_deref(),
                &emails,
            )?;
            let lot = b.lot.map_or_else(|| "no lot".to_string(), |l| format!("lot {l}"));
            ctx.out.done(&format!("added beneficiary `{}` ({}), {lot}", b.siret, b.name), &b)?;
        }
        BeneficiaryCmd::List => {
            let store = ctx.open()?;
            ctx.out.list(&store.beneficiaries()?)?;
        }
        BeneficiaryCmd::Show { siret } => {
            let store = ctx.open()?;
            let b = store.beneficiary(&siret.parse::<Siret>()?)?;
            ctx.out.show(&b)?;
        }
        BeneficiaryCmd::Update { siret, name, lot, emails, add_emails, remove_emails } => {
            let mut store = ctx.open()?;
            let changes = ops::Changes {
                name: name.as_deref(),
                lot: lot.as_deref(),
                emails: &emails,
                add_emails: &add_emails,
                remove_emails: &remove_emails,
            };
            let b = ops::update(&mut store, &ctx.draft("beneficiary update", target(&siret)), &siret, &changes)?;
            ctx.out.done(&format!("updated beneficiary `{}`", b.siret), &b)?;
        }
        BeneficiaryCmd::Remove { siret, yes } => {
            let mut store = ctx.open()?;
            ctx.confirm(&format!("remove beneficiary `{siret}`"), yes)?;
            let s = ops::remove(&mut store, &ctx.draft("beneficiary remove", target(&siret)), &siret)?;
            ctx.out.line(&format!("removed beneficiary `{s}`"))?;
        }
    }
    Ok(Exit::Success)
}
