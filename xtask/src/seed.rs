//! `cargo xtask seed-store PATH SITES BENEFICIARIES`: a store of the given size for benchmarks
//! (`bench/store/`). Beneficiaries get valid generated SIRETs; each site has two domains, one
//! origin and two of ten hosts.

use amoe_core::{Beneficiary, Category, Host, Siret, Site};
use amoe_store::{AuditDraft, Store};
use anyhow::{Context, Result};
use std::path::Path;

/// The `n`-th generated SIRET: 13 digits from `n`, then the Luhn check digit.
pub fn siret(n: u64) -> Siret {
    let base = format!("9{:012}", n);
    (0..10).find_map(|d| format!("{base}{d}").parse::<Siret>().ok()).expect("one of ten check digits is valid")
}

pub fn seed(path: &Path, sites: usize, beneficiaries: usize) -> Result<()> {
    anyhow::ensure!(!path.exists(), "`{}` exists; seed a new path", path.display());
    anyhow::ensure!(beneficiaries > 0, "at least one beneficiary");
    let (mut store, _) = Store::create(path)?;
    let draft = AuditDraft { operator: "xtask".into(), command: "seed-store".into(), ..Default::default() };
    store
        .mutate(&draft, |tx| -> Result<()> {
            for b in 0..beneficiaries {
                let email = format!("contact{b}@beneficiary{b}.example.fr").parse()?;
                let lot = amoe_core::Lot::new((b % 14) as u8 + 1).context("lot")?;
                tx.add_beneficiary(&Beneficiary::new(siret(b as u64), format!("Beneficiary {b}"), lot, vec![email]))?;
            }
            for h in 0..10 {
                let name = format!("pop{h}").parse()?;
                tx.add_host(&Host { name, address: format!("127.0.0.1:{}", 7443 + h).parse()?, location: None })?;
            }
            for s in 0..sites {
                tx.add_site(&Site {
                    name: format!("site-{s:06}").parse()?,
                    domains: vec![format!("www.site{s}.example.fr").parse()?, format!("site{s}.example.fr").parse()?],
                    beneficiary: siret((s % beneficiaries) as u64),
                    category: Category::Permanent,
                    origins: vec![format!("https://origin.site{s}.example.fr").parse()?],
                    hosts: vec![format!("pop{}", s % 10).parse()?, format!("pop{}", (s + 1) % 10).parse()?],
                    active: s % 7 != 0,
                    settings: Default::default(),
                })?;
            }
            Ok(())
        })
        .with_context(|| format!("seeding `{}`", path.display()))
}
