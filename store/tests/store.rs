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

/// The bytes of attachments for a load: these dumps name none.
fn no_attachments(sha: &str) -> Result<Vec<u8>, String> {
    Err(format!("no attachment `{sha}` was expected"))
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
fn sites_read_back_as_written_with_their_settings_and_children() {
    use amoe_core::{AcmeSettings, SiteSettings};
    use amoe_store::Reads;
    on_each("sites", |mut store, _| {
        let mut busy = site("busy", "a.example.fr");
        busy.domains.push("b.example.fr".parse().expect("domain"));
        busy.origins.push("https://origin.example.fr/base/".parse().expect("origin"));
        busy.settings = SiteSettings {
            https_redirect: true,
            hsts_max_age_secs: Some(0),
            health_path: Some("/health".into()),
            origin_insecure: true,
            acme: Some(AcmeSettings { directory: "https://acme.example.fr/dir".into(), email: None }),
            ..SiteSettings::default()
        };
        // A site whose name sorts before the seeded one, and one after: the merge of children.
        let first = site("aaa", "aaa.example.fr");
        let mut written = vec![first.clone(), busy.clone()];
        store.mutate(&draft("site add"), |tx| written.iter().try_for_each(|s| tx.add_site(s))).expect("add");
        written.push(store.site(&"www".parse().expect("name")).expect("www"));
        written.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(store.sites().expect("sites"), written);
        assert_eq!(store.site(&"busy".parse().expect("name")).expect("busy"), busy);
        // Defaults are stored as `{}`; what is set is stored, and read back the same.
        let stored = |name: &str| -> String {
            store.conn().query_row("SELECT settings FROM sites WHERE name = ?1", [name], |r| r.get(0)).expect("row")
        };
        assert_eq!(stored("aaa"), "{}");
        assert!(stored("busy").contains("\"hsts_max_age_secs\":0"), "{}", stored("busy"));
        assert!(!stored("busy").contains("\"balance\"") && !stored("busy").contains("false"), "{}", stored("busy"));
        assert!(matches!(store.site(&"nope".parse().expect("name")), Err(Error::NotFound { .. })));
    });
}

#[test]
fn reads_sent_ahead_are_never_taken_after_a_write() {
    use amoe_store::db::Conn;
    let dir = tempfile::tempdir().expect("tempdir");
    for location in locations(&dir, "ahead") {
        let conn = Conn::open(&location).expect("open");
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)").expect("create");
        conn.execute("INSERT INTO t (id, v) VALUES (1, 'old')", []).expect("insert");
        let read = |conn: &Conn| -> String {
            conn.query_row("SELECT v FROM t WHERE id = ?1", [1], |r| r.get(0)).expect("read")
        };
        // Sent ahead, then a write: the read sees the write.
        conn.prefetch("SELECT v FROM t WHERE id = ?1", [1]).expect("ahead");
        conn.execute("UPDATE t SET v = 'new' WHERE id = 1", []).expect("update");
        assert_eq!(read(&conn), "new");
        // Sent ahead twice: the later answer is taken.
        conn.prefetch("SELECT v FROM t WHERE id = ?1", [1]).expect("ahead");
        conn.execute_batch("UPDATE t SET v = 'newer' WHERE id = 1").expect("update");
        conn.prefetch("SELECT v FROM t WHERE id = ?1", [1]).expect("ahead");
        assert_eq!(read(&conn), "newer");
        // A read not sent ahead drops those that were: they are not taken after it.
        conn.prefetch("SELECT v FROM t WHERE id = ?1", [1]).expect("ahead");
        let other = Conn::open(&location).expect("second connection");
        other.execute("UPDATE t SET v = 'by another' WHERE id = 1", []).expect("update");
        let n: i64 = conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).expect("count");
        assert_eq!((n, read(&conn)), (1, "by another".to_string()));
        // A read sent ahead that fails (no such table) and is never taken harms nothing after it.
        conn.prefetch("SELECT v FROM missing", []).expect("ahead");
        conn.prefetch("SELECT count(*) FROM t", []).expect("ahead");
        let n: i64 = conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).expect("count");
        assert_eq!(n, 1);
        // Inside a transaction nothing is sent ahead: a failing read cannot end it.
        conn.begin(true).expect("begin");
        conn.prefetch("SELECT v FROM missing", []).expect("ahead");
        conn.execute("UPDATE t SET v = 'in tx' WHERE id = 1", []).expect("update in tx");
        conn.commit().expect("commit");
        assert_eq!(read(&conn), "in tx");
        // Many reads at once, each answered with its own rows.
        for i in 2..=50 {
            conn.execute("INSERT INTO t (id, v) VALUES (?1, ?2)", amoe_store::params![i, format!("v{i}")])
                .expect("insert");
        }
        for i in 2..=50 {
            conn.prefetch("SELECT v FROM t WHERE id = ?1", [i]).expect("ahead");
        }
        for i in 2..=50 {
            let v: String = conn.query_row("SELECT v FROM t WHERE id = ?1", [i], |r| r.get(0)).expect("read");
            assert_eq!(v, format!("v{i}"));
        }
    }
}

#[test]
fn dump_loads_into_an_empty_store_identically() {
    // Every source into every target: SQLite and PostgreSQL dumps are the same.
    on_each("dumped", |store, dir| {
        let dump = store.dump().expect("dump");
        for target in locations(dir, "copy") {
            let (mut copy, _) = Store::create(&target).expect("create");
            copy.load(&dump, &mut no_attachments).expect("load");
            assert_eq!(copy.dump().expect("dump"), dump);
            assert!(matches!(copy.load(&dump, &mut no_attachments), Err(Error::Import(m)) if m.contains("not empty")));
            assert_eq!(copy.verify().expect("verify").first_bad, None);
        }
    });
}

#[test]
fn a_load_that_fails_names_the_row_and_leaves_the_store_empty() {
    // Many rows, so that on PostgreSQL the bad one is sent among others still unanswered.
    on_each("bulk", |store, dir| {
        let good = store.dump().expect("dump");
        let mut bad = good.clone();
        let journal = bad.tables.iter_mut().find(|t| t.table == "audit").expect("audit table");
        let id = journal.columns.iter().position(|c| c == "seq").expect("seq column");
        let template = journal.rows[0].clone();
        for n in 0..3000 {
            let mut row = template.clone();
            row[id] = serde_json::json!(1000 + n);
            journal.rows.push(row);
        }
        // Row 2001 of the table repeats a key.
        journal.rows[2000][id] = serde_json::json!(1500);
        for target in locations(dir, "bulk_target") {
            let (mut copy, _) = Store::create(&target).expect("create");
            let err = copy.load(&bad, &mut no_attachments).expect_err("duplicate key");
            assert!(err.to_string().contains("table `audit`, row 2001"), "{err}");
            assert!(copy.is_empty().expect("empty"), "nothing stays of a failed load");
            // The same connection goes on, and a good dump loads.
            copy.load(&good, &mut no_attachments).expect("load");
            assert_eq!(copy.dump().expect("dump"), good);
        }
    });
}

#[test]
fn a_bulk_insert_names_its_first_failed_row() {
    use amoe_store::db::{Conn, Error as DbError, Value};
    let dir = tempfile::tempdir().expect("tempdir");
    for location in locations(&dir, "many") {
        let conn = Conn::open(&location).expect("open");
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)").expect("create");
        let insert = "INSERT INTO t (id, n) VALUES (?1, ?2)";
        let rows = |bad: &dyn Fn(usize) -> Option<Vec<Value>>| -> Vec<Vec<Value>> {
            (0..600).map(|i| bad(i).unwrap_or_else(|| vec![Value::Int(i as i64 + 1), Value::Int(7)])).collect()
        };
        // Outside a transaction it is refused, and not as a lost connection.
        let err = conn.execute_many(insert, rows(&|_| None)).expect_err("outside a transaction");
        assert!(matches!(err, DbError::Usage(_)) && !err.is_connection_lost(), "{err}");
        // Row 300 repeats a key (refused by the database); row 500 holds a text where a number
        // goes (refused before it is sent, on PostgreSQL): the first one is named.
        conn.begin(true).expect("begin");
        let failed = conn
            .execute_many(
                insert,
                rows(&|i| match i {
                    300 => Some(vec![Value::Int(1), Value::Int(7)]),
                    500 => Some(vec![Value::Int(501), Value::Text("abc".into())]),
                    _ => None,
                }),
            )
            .expect("sent");
        assert_eq!(failed.map(|(i, _)| i), Some(300), "{location:?}");
        conn.rollback().expect("rollback");
        // A good run after it, and an empty one (prepared all the same: a wrong column is refused).
        conn.begin(true).expect("begin");
        assert!(conn.execute_many(insert, rows(&|_| None)).expect("sent").is_none());
        assert!(conn.execute_many("INSERT INTO t (id, nope) VALUES (?1, ?2)", Vec::new()).is_err());
        conn.rollback().expect("rollback");
    }
}

#[test]
fn an_empty_table_of_an_export_is_checked_too() {
    on_each("empty_table", |store, dir| {
        let mut dump = store.dump().expect("dump");
        let empty = dump.tables.iter_mut().find(|t| t.rows.is_empty()).expect("an empty table");
        empty.columns.push("no_such_column".into());
        let name = empty.table.clone();
        for target in locations(dir, "empty_target") {
            let (mut copy, _) = Store::create(&target).expect("create");
            let err = copy.load(&dump, &mut no_attachments).expect_err("unknown column");
            assert!(err.to_string().contains(&format!("table `{name}`")), "{err}");
            assert!(copy.is_empty().expect("empty"));
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
