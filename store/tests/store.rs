//! The store's behaviour on a real SQLite file: writes journaled atomically, refusals
//! journaled, references enforced, the journal verifiable, dumps loadable.

use amoe_core::{Beneficiary, Category, Host, Site};
use amoe_store::audit::AuditReads;
use amoe_store::beneficiaries::BeneficiaryReads;
use amoe_store::sites::SiteReads;
use amoe_store::{AuditDraft, AuditFilter, Error, Store};

fn draft(command: &str) -> AuditDraft {
    AuditDraft { operator: "tester".into(), command: command.into(), ..Default::default() }
}

fn beneficiary() -> Beneficiary {
    Beneficiary::new("12000101100010".parse().expect("siret"), "INSEE".into(), Some("9".parse().expect("lot")), vec![])
}

fn site(name: &str, domain: &str) -> Site {
    Site {
        name: name.parse().expect("name"),
        domains: vec![domain.parse().expect("domain")],
        beneficiary: "12000101100010".parse().expect("siret"),
        category: Category::Permanent,
        origins: vec!["http://127.0.0.1:8080".parse().expect("origin")],
        hosts: vec!["pop1".parse().expect("host")],
        active: true,
        settings: Default::default(),
    }
}

fn seeded() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, before) = Store::create(&dir.path().join("amoe.db")).expect("create");
    assert_eq!(before, 0);
    store
        .mutate(&draft("seed"), |tx| -> Result<(), Error> {
            tx.add_beneficiary(&beneficiary())?;
            tx.add_host(&Host {
                name: "pop1".parse().expect("n"),
                address: "127.0.0.1:7443".parse().expect("a"),
                location: None,
            })?;
            tx.add_site(&site("www", "www.example.fr"))
        })
        .expect("seed");
    (dir, store)
}

#[test]
fn a_refused_write_changes_nothing_and_is_journaled() {
    let (_dir, mut store) = seeded();
    let err =
        store.mutate(&draft("site add"), |tx| tx.add_site(&site("other", "www.example.fr"))).expect_err("domain taken");
    assert!(matches!(&err, Error::DomainTaken { site, .. } if site == "www"), "{err}");
    assert_eq!(store.sites().expect("sites").len(), 1);
    let entries = store.audit_entries(&AuditFilter::default()).expect("entries");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].outcome, "ok");
    assert!(
        entries[1].outcome.starts_with("refused: domain `www.example.fr` already belongs"),
        "{}",
        entries[1].outcome
    );
    let report = store.verify().expect("verify");
    assert_eq!((report.entries, report.first_bad), (2, None));
}

#[test]
fn removing_a_referenced_beneficiary_names_the_sites() {
    let (_dir, mut store) = seeded();
    let err = store
        .mutate(&draft("beneficiary remove"), |tx| tx.remove_beneficiary(&beneficiary().siret))
        .expect_err("in use");
    assert_eq!(err.to_string(), "beneficiary `12000101100010` is still referenced by site `www`");
    assert!(store.beneficiary(&beneficiary().siret).is_ok());
}

#[test]
fn dump_loads_into_an_empty_store_identically() {
    let (dir, store) = seeded();
    let dump = store.dump().expect("dump");
    let (mut copy, _) = Store::create(&dir.path().join("copy.db")).expect("create");
    copy.load(&dump).expect("load");
    assert_eq!(copy.dump().expect("dump"), dump);
    assert!(matches!(copy.load(&dump), Err(Error::Import(m)) if m.contains("not empty")));
    assert_eq!(copy.verify().expect("verify").first_bad, None);
}
