//! Beneficiaries: add, update, remove.

use super::{dedup, parse_all};
use crate::error::Failure;
use amoe_core::{Beneficiary, Email, Lot, Siret};
use amoe_store::beneficiaries::BeneficiaryReads;
use amoe_store::{AuditDraft, Store};
use anyhow::Result;

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Failure::usage("the name is empty").into());
    }
    Ok(name.to_string())
}

pub fn add(
    store: &mut Store,
    draft: &AuditDraft,
    siret: &str,
    name: &str,
    lot: Option<&str>,
    emails: &[String],
) -> Result<Beneficiary> {
    store.mutate(draft, |tx| {
        let siret: Siret = siret.parse()?;
        let lot = lot.map(str::parse::<Lot>).transpose()?;
        let emails: Vec<Email> = dedup(parse_all(emails)?);
        let b = Beneficiary::new(siret, check_name(name)?, lot, emails);
        tx.add_beneficiary(&b)?;
        Ok(b)
    })
}

/// What `beneficiary update` changes; `None` / empty leaves a field as it is.
#[derive(Debug, Default)]
pub struct Changes<'a> {
    pub name: Option<&'a str>,
    pub lot: Option<&'a str>,
    pub emails: &'a [String],
    pub add_emails: &'a [String],
    pub remove_emails: &'a [String],
}

pub fn update(store: &mut Store, draft: &AuditDraft, siret: &str, ch: &Changes<'_>) -> Result<Beneficiary> {
    store.mutate(draft, |tx| {
        let siret: Siret = siret.parse()?;
        let current = tx.beneficiary(&siret)?;
        let name = ch.name.map(check_name).transpose()?.unwrap_or(current.name);
        let lot = match ch.lot {
            Some("none") => None,
            Some(l) => Some(l.parse::<Lot>()?),
            None => current.lot,
        };
        let mut emails = if ch.emails.is_empty() { current.emails } else { parse_all(ch.emails)? };
        emails.extend(parse_all::<Email>(ch.add_emails)?);
        for gone in parse_all::<Email>(ch.remove_emails)? {
            if !emails.contains(&gone) {
                return Err(Failure::new(format!("`{gone}` is not a contact of `{siret}`")).into());
            }
            emails.retain(|e| *e != gone);
        }
        let b = Beneficiary::new(siret, name, lot, dedup(emails));
        tx.update_beneficiary(&b)?;
        Ok(b)
    })
}

pub fn remove(store: &mut Store, draft: &AuditDraft, siret: &str) -> Result<Siret> {
    store.mutate(draft, |tx| {
        let siret: Siret = siret.parse()?;
        tx.remove_beneficiary(&siret)?;
        Ok(siret)
    })
}
