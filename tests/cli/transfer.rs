//! Export, import and backup.

use crate::support::{Env, SIRET};
use std::collections::BTreeMap;
use std::path::Path;

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            let e = e.expect("entry");
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).expect("read"))
        })
        .collect()
}

fn seeded() -> Env {
    let env = Env::new();
    env.seed();
    env.fails(2, &["beneficiary", "add", "--siret", "1", "--name", "x", "--lot", "1"]);
    env.ok(&["beneficiary", "add", "--siret", "35600000049837", "--name", "La Poste, \"Bureau\"", "--lot", "1"]);
    env
}

#[test]
fn export_import_export_is_byte_identical() {
    let env = seeded();
    let first = env.path("export-1");
    let r = env.ok(&["export", first.to_str().expect("utf8"), "-o", "json"]).json();
    let exported = files(&first);
    // Every table of the store, as JSON and CSV, plus the manifest; attachments' bytes are
    // files of their own, not a table of the export.
    let tables: i64 = env
        .db()
        .query_row(
            match env.is_pg() {
                true => {
                    "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()
                     AND tablename NOT IN ('amoe_schema', 'attachment_bytes')"
                }
                false => "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name <> 'attachment_bytes'",
            },
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(r["tables"].as_i64(), Some(tables));
    assert_eq!(exported.len() as i64, 2 * tables + 1);
    assert!(
        exported.contains_key("manifest.json")
            && exported.contains_key("sites.csv")
            && exported.contains_key("audit.json")
    );

    let restored = env.path("restored.db");
    let r = env.run_at(&restored, &["import", first.to_str().expect("utf8")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let second = env.path("export-2");
    let r = env.run_at(&restored, &["export", second.to_str().expect("utf8")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(files(&second), exported);
    // The restored store works and its journal is intact.
    let r = env.run_at(&restored, &["audit", "verify"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run_at(&restored, &["site", "show", "www", "-o", "json"]);
    assert_eq!(r.json()["beneficiary"], SIRET);
}

#[test]
fn csv_files_open_as_tables() {
    let env = seeded();
    let dir = env.path("export");
    env.ok(&["export", dir.to_str().expect("utf8")]);
    let text = std::fs::read_to_string(dir.join("beneficiaries.csv")).expect("csv");
    assert_eq!(text.lines().next(), Some("siret,name,lot"));
    assert!(text.contains("\"La Poste, \"\"Bureau\"\"\""), "{text}");
}

#[test]
fn export_refuses_a_non_empty_directory() {
    let env = seeded();
    let dir = env.path("busy");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(dir.join("keep.txt"), "mine").expect("write");
    let r = env.fails(1, &["export", dir.to_str().expect("utf8")]);
    assert!(r.stderr.contains("is not empty"), "{}", r.stderr);
    assert_eq!(files(&dir).len(), 1);
}

#[test]
fn import_refuses_a_non_empty_store_and_changes_nothing() {
    let env = seeded();
    let dir = env.path("export");
    env.ok(&["export", dir.to_str().expect("utf8")]);
    let before = env.ok(&["audit", "list", "-o", "json"]).stdout;
    let r = env.fails(1, &["import", dir.to_str().expect("utf8")]);
    assert!(
        r.stderr.contains("is not empty") && r.stderr.contains("hint: import into a new store path"),
        "{}",
        r.stderr
    );
    assert_eq!(env.ok(&["audit", "list", "-o", "json"]).stdout, before);
}

#[test]
fn import_refuses_a_corrupt_export_and_creates_nothing() {
    let env = seeded();
    let dir = env.path("export");
    env.ok(&["export", dir.to_str().expect("utf8")]);
    let restored = env.path("restored.db");

    // A tampered table file.
    let sites = dir.join("sites.json");
    let original = std::fs::read_to_string(&sites).expect("read");
    std::fs::write(&sites, original.replace("www", "wxw")).expect("write");
    let r = env.run_at(&restored, &["import", dir.to_str().expect("utf8")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("`sites.json` does not match its SHA-256"), "{}", r.stderr);
    assert!(!restored.exists());
    std::fs::write(&sites, original).expect("restore");

    // A missing manifest (an interrupted export).
    std::fs::rename(dir.join("manifest.json"), env.path("manifest.json")).expect("move");
    let r = env.run_at(&restored, &["import", dir.to_str().expect("utf8")]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("cannot read manifest.json"), "{}", r.stderr);
    std::fs::rename(env.path("manifest.json"), dir.join("manifest.json")).expect("move back");

    // Rows that do not hold together (a site whose beneficiary is missing), sums updated.
    let beneficiaries = dir.join("beneficiaries.json");
    let text = std::fs::read_to_string(&beneficiaries).expect("read");
    let table: serde_json::Value = serde_json::from_str(&text).expect("json");
    let mut table = table;
    table["rows"] = serde_json::json!([]);
    let emptied = serde_json::to_vec(&table).expect("json");
    std::fs::write(&beneficiaries, &emptied).expect("write");
    let manifest_path = dir.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).expect("read")).expect("json");
    for t in manifest["tables"].as_array_mut().expect("tables") {
        if t["table"] == "beneficiaries" {
            t["rows"] = 0.into();
            t["json_sha256"] = sha256(&emptied).into();
        }
    }
    std::fs::write(&manifest_path, serde_json::to_vec(&manifest).expect("json")).expect("write");
    let r = env.run_at(&restored, &["import", dir.to_str().expect("utf8")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("do not hold together"), "{}", r.stderr);
    assert!(!restored.exists(), "a failed import leaves no half store behind");
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn backup_under_concurrent_writes_is_consistent() {
    if crate::support::pg_pass() {
        return; // `amoe backup` is SQLite's (pg_dump for PostgreSQL)
    }
    let env = Env::new();
    env.seed();
    let writers: Vec<std::process::Command> =
        (0..60).map(|i| env.cmd(&["host", "add", &format!("w{i}"), "--address", "127.0.0.1:7443"])).collect();
    let writer = std::thread::spawn(move || writers.into_iter().all(|mut c| c.output().expect("run").status.success()));
    let mut counts = Vec::new();
    for n in 0..6 {
        let file = env.path(&format!("backup-{n}.db"));
        let r = env.ok(&["backup", file.to_str().expect("utf8"), "-o", "json"]).json();
        assert_eq!(r["integrity_ok"].as_bool(), Some(true));
        let copy = rusqlite::Connection::open(&file).expect("open backup");
        let check: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("check");
        assert_eq!(check, "ok");
        let hosts: i64 = copy.query_row("SELECT count(*) FROM hosts", [], |r| r.get(0)).expect("count");
        let journaled: i64 =
            copy.query_row("SELECT count(*) FROM audit WHERE command = 'host add'", [], |r| r.get(0)).expect("count");
        // A consistent snapshot: every host in it has its audit entry, and nothing more.
        assert_eq!(hosts, journaled, "backup {n}");
        counts.push(hosts);
    }
    assert!(writer.join().expect("thread"), "every concurrent write succeeded");
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    let r = env.fails(1, &["backup", env.path("backup-0.db").to_str().expect("utf8")]);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
    // A folder that is not there is named, and nothing is made.
    let r = env.fails(1, &["backup", env.path("no/such/amoe.db").to_str().expect("utf8")]);
    assert!(r.stderr.contains("no/such`") && r.stderr.contains("no such folder: create it first"), "{}", r.stderr);
    assert!(!env.path("no").exists());
}
