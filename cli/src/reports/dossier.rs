//! A site's definition file (seed 003 §3.2.1.5), written from the store: its beneficiary,
//! domains, origins, hosts and their locations, serving settings, the version of its
//! configuration (the SHA-256 of the record pushed to the hosts) and the changes that took
//! effect. Writing it is recorded (`dossiers`, audit journal): QS-07 measures from a change's
//! effect to the next file written.

use std::fmt::Write as _;

use amoe_core::Site;
use amoe_store::Store;
use amoe_store::beneficiaries::BeneficiaryReads;
use amoe_store::hosts::HostReads;
use amoe_store::incidents::IncidentReads;

/// The file's Markdown.
pub fn markdown(store: &Store, site: &Site, now: &str) -> anyhow::Result<String> {
    let b = store.beneficiary(&site.beneficiary)?;
    let config = serde_json::to_vec(site)?;
    let mut s = format!("# Dossier de définition — {}\n\n", site.name);
    let _ = writeln!(s, "Rédigé le {} à partir du registre amoe.\n", amoe_core::time::display_local(now));
    let _ = writeln!(s, "## Bénéficiaire\n");
    let _ = writeln!(s, "- SIRET : {}", b.siret);
    let _ = writeln!(s, "- Nom : {}", b.name);
    if let Some(lot) = b.lot {
        let _ = writeln!(s, "- Lot : {lot}");
    }
    let _ = writeln!(s, "- Contacts : {}\n", b.emails.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "));
    let _ = writeln!(s, "## Site\n");
    let _ = writeln!(s, "- Catégorie : {:?}", site.category);
    let _ = writeln!(s, "- Actif : {}", if site.active { "oui" } else { "non (transmis à l'origine sans cache)" });
    let _ = writeln!(s, "- Version de la configuration (SHA-256) : `{}`\n", crate::ops::sha256_hex(&config));
    let _ = writeln!(s, "## Domaines\n");
    for d in &site.domains {
        let _ = writeln!(s, "- {d}");
    }
    let _ = writeln!(s, "\n## Origines\n");
    for o in &site.origins {
        let _ = writeln!(s, "- {o}");
    }
    let _ = writeln!(s, "\n## Serveurs et emplacements\n");
    let _ = writeln!(s, "| Serveur | Adresse | Emplacement |\n|---|---|---|");
    for h in &site.hosts {
        let host = store.host(h)?;
        let _ = writeln!(s, "| {} | {} | {} |", host.name, host.address, host.location.as_deref().unwrap_or("—"));
    }
    let _ =
        writeln!(s, "\n## Paramètres de service\n\n```json\n{}\n```\n", serde_json::to_string_pretty(&site.settings)?);
    let changes: Vec<_> =
        store.changes(Some(site.name.as_str()))?.into_iter().filter(|c| c.effective_at.is_some()).collect();
    let _ = writeln!(s, "## Modifications en service\n");
    if changes.is_empty() {
        let _ = writeln!(s, "Aucune.");
    }
    for c in changes.iter().rev().take(20) {
        let _ = writeln!(
            s,
            "- n°{} demandée le {}, effective le {} : {}",
            c.id,
            amoe_core::time::display_local(&c.asked_at),
            c.effective_at.as_deref().map(amoe_core::time::display_local).unwrap_or_default(),
            c.detail.replace('\n', " ")
        );
    }
    Ok(s)
}
