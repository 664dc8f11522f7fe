//! The store's behaviour on a real SQLite file and, when `AMOE_TEST_PG` names a PostgreSQL
//! server (`scripts/test.sh` starts one), on a fresh database of it: writes journaled
//! atomically, refusals journaled, references enforced, the journal verifiable, dumps loadable.

use amoe_core::{Beneficiary, Category, Host, Site};
use amoe_store::audit::AuditReads;
use amoe_store::beneficiaries::BeneficiaryReads;
use amoe_store::sites::SiteReads;
use amoe_store::{AuditDraft, AuditFilter, Error, Store};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// New empty store locations: a file in `dir`, and a new PostgreSQL database when the tests
/// have a server. In CI the server is required.
fn locations(dir: &tempfile::TempDir, name: &str) -> Vec<PathBuf> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut out = vec![dir.path().join(format!("{name}{n}.db"))];
    match std::env::var("AMOE_TEST_PG") {
        Ok(url) => {
            let db = format!("t{}_{n}_{name}", std::process::id());
            out.push(PathBuf::from(amoe_store::db::pg::create_database(&url, &db).expect("database")));
        }
        Err(_) => {
            assert!(std::env::var_os("CI").is_none(), "CI runs the store's tests on PostgreSQL too: set AMOE_TEST_PG")
        }
    }
    out
}

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

fn seeded(location: &std::path::Path) -> Store {
    let (mut store, before) = Store::create(location).expect("create");
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
    store
}

/// Runs `check` on a seeded store of every backend.
fn on_each(name: &str, check: impl Fn(Store, &tempfile::TempDir)) {
    let dir = tempfile::tempdir().expect("tempdir");
    for location in locations(&dir, name) {
        check(seeded(&location), &dir);
    }
}

#[test]
fn a_refused_write_changes_nothing_and_is_journaled() {
    on_each("refused", |mut store, _| {
        let err = store
            .mutate(&draft("site add"), |tx| tx.add_site(&site("other", "www.example.fr")))
            .expect_err("domain taken");
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
    });
}

#[test]
fn removing_a_referenced_beneficiary_names_the_sites() {
    on_each("referenced", |mut store, _| {
        let err = store
            .mutate(&draft("beneficiary remove"), |tx| tx.remove_beneficiary(&beneficiary().siret))
            .expect_err("in use");
        assert_eq!(err.to_string(), "beneficiary `12000101100010` is still referenced by site `www`");
        assert!(store.beneficiary(&beneficiary().siret).is_ok());
    });
}

#[test]
fn dump_loads_into_an_empty_store_identically() {
    // Every source into every target: SQLite and PostgreSQL dumps are the same.
    on_each("dumped", |store, dir| {
        let dump = store.dump().expect("dump");
        for target in locations(dir, "copy") {
            let (mut copy, _) = Store::create(&target).expect("create");
            copy.load(&dump).expect("load");
            assert_eq!(copy.dump().expect("dump"), dump);
            assert!(matches!(copy.load(&dump), Err(Error::Import(m)) if m.contains("not empty")));
            assert_eq!(copy.verify().expect("verify").first_bad, None);
        }
    });
}

#[test]
fn every_older_schema_migrates_to_the_same_latest_one_on_both_backends() {
    let dir = tempfile::tempdir().expect("tempdir");
    for fresh in locations(&dir, "fresh") {
        let (latest, _) = Store::create(&fresh).expect("create");
        let want = latest.dump().expect("dump");
        for start in [0, 1, 7, 9, 10, 13] {
            for old in locations(&dir, &format!("v{start}"))
                .into_iter()
                .filter(|l| amoe_store::is_url(l) == amoe_store::is_url(&fresh))
            {
                let (store, _) = Store::create_at(&old, start).expect("create at an older version");
                assert_eq!(store.schema_version().expect("v"), start);
                drop(store);
                let store = Store::open(&old).expect("open migrates");
                assert_eq!(store.schema_version().expect("v"), amoe_store::LATEST_VERSION, "from {start}");
                let got = store.dump().expect("dump");
                let columns = |d: &amoe_store::Dump| {
                    d.tables.iter().map(|t| (t.table.clone(), t.columns.clone())).collect::<Vec<_>>()
                };
                assert_eq!(columns(&got), columns(&want), "from {start} on {}", old.display());
            }
        }
    }
}

/// One writer of [`eight_processes_writing_at_once_lose_nothing`]: run by it as a child
/// process, never on its own.
#[test]
#[ignore = "a child process of eight_processes_writing_at_once_lose_nothing"]
fn writer_process() {
    let (Ok(location), Ok(id), Ok(count)) =
        (std::env::var("AMOE_WRITER_STORE"), std::env::var("AMOE_WRITER_ID"), std::env::var("AMOE_WRITER_CHANGES"))
    else {
        panic!("run by eight_processes_writing_at_once_lose_nothing only");
    };
    let count: u32 = count.parse().expect("count");
    let mut store = Store::open(std::path::Path::new(&location)).expect("open");
    for c in 0..count {
        let host = Host {
            name: format!("w{id}c{c}").parse().expect("name"),
            address: format!("127.0.0.1:{}", 1024 + c).parse().expect("address"),
            location: None,
        };
        store.mutate(&draft("host add"), |tx| tx.add_host(&host)).expect("write");
    }
}

#[test]
fn eight_processes_writing_at_once_lose_nothing() {
    const WRITERS: u32 = 8;
    const CHANGES: u32 = 1000;
    let dir = tempfile::tempdir().expect("tempdir");
    for location in locations(&dir, "writers") {
        let (store, _) = Store::create(&location).expect("create");
        drop(store);
        let children: Vec<_> = (0..WRITERS)
            .map(|w| {
                std::process::Command::new(std::env::current_exe().expect("test binary"))
                    .args(["--exact", "writer_process", "--ignored", "--quiet", "--test-threads", "1"])
                    .env("AMOE_WRITER_STORE", &location)
                    .env("AMOE_WRITER_ID", w.to_string())
                    .env("AMOE_WRITER_CHANGES", CHANGES.to_string())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn a writer")
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("writer");
            assert!(
                out.status.success(),
                "a writer failed on {}: {}{}",
                location.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let store = Store::open(&location).expect("open");
        use amoe_store::hosts::HostReads;
        assert_eq!(store.hosts().expect("hosts").len(), (WRITERS * CHANGES) as usize, "every change is there");
        let report = store.verify().expect("verify");
        assert_eq!((report.entries, report.first_bad), (i64::from(WRITERS * CHANGES), None), "{}", location.display());
    }
}
