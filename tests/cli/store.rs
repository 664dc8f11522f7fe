//! The store file: creation, migrations, bad files, concurrent writers.

use crate::support::{Env, SIRET};
use std::process::Command;

#[test]
fn init_creates_then_is_idempotent() {
    let env = Env::bare();
    let r = env.ok(&["init"]);
    assert!(r.stdout.starts_with("created store"), "{}", r.stdout);
    let r = env.ok(&["init", "-o", "json"]).json();
    assert_eq!(r["previous_version"], r["schema_version"]);
    if !env.is_pg() {
        let mode: String = env.sqlite().query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("mode");
        assert_eq!(mode, "wal");
    }
}

#[test]
fn a_missing_store_says_to_run_init() {
    let env = Env::bare();
    let r = env.fails(1, &["site", "list"]);
    assert!(r.stderr.contains("no store at") && r.stderr.contains("hint: create it with `amoe init`"), "{}", r.stderr);
    assert!(!env.store.exists(), "a read must not create the store");
}

#[test]
fn a_corrupt_store_is_reported_and_left_alone() {
    let env = Env::bare();
    let garbage = b"this is not a database, it is a shopping list\n".repeat(100);
    std::fs::write(&env.store, &garbage).expect("write");
    let r = env.fails(1, &["site", "list"]);
    assert!(r.stderr.contains("is not an amoe store"), "{}", r.stderr);
    assert!(r.stderr.contains("hint: "), "{}", r.stderr);
    env.fails(1, &["host", "add", "h", "--address", "127.0.0.1:1"]);
    assert_eq!(std::fs::read(&env.store).expect("read"), garbage, "the file is untouched");
}

#[test]
fn an_unwritable_store_location_is_reported() {
    let env = Env::bare();
    // The parent "directory" is a regular file.
    std::fs::write(env.path("file"), "x").expect("write");
    let mut cmd = Command::new(crate::support::AMOE);
    crate::support::clean(&mut cmd, env.dir.path());
    let out = cmd.arg("--store").arg(env.path("file/amoe.db")).arg("init").output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error: ") && stderr.contains("file/amoe.db") || stderr.contains("`"), "{stderr}");
    // The store path is a directory.
    std::fs::create_dir(&env.store).expect("mkdir");
    env.fails(1, &["init"]);
    env.fails(1, &["site", "list"]);
}

/// Makes a file unwritable even for root when the filesystem allows it (`chattr +i`), else
/// with permissions (effective when not root). Returns false when neither works here.
fn make_read_only(path: &std::path::Path) -> bool {
    let chattr = Command::new("chattr").arg("+i").arg(path).output().is_ok_and(|o| o.status.success());
    if chattr {
        return true;
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    std::fs::OpenOptions::new().append(true).open(path).is_err()
}

#[test]
fn a_read_only_store_is_reported_and_unchanged() {
    let env = Env::new();
    if env.is_pg() {
        return; // a file's permissions
    }
    env.seed();
    let before = std::fs::read(&env.store).expect("read");
    if !make_read_only(&env.store) {
        eprintln!("note: cannot make a file read-only here (root without chattr); covered by the other cases");
        return;
    }
    let r = env.run(&["host", "add", "h9", "--address", "127.0.0.1:1"]);
    let _ = Command::new("chattr").arg("-i").arg(&env.store).status();
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("cannot be written") || r.stderr.contains("cannot be opened"), "{}", r.stderr);
    assert!(r.stderr.contains("hint: check the permissions"), "{}", r.stderr);
    assert_eq!(std::fs::read(&env.store).expect("read"), before);
}

#[test]
fn an_older_store_is_migrated_on_open() {
    let env = Env::bare();
    let (store, _) = amoe_store::Store::create_at(&env.store, 1).expect("create at v1");
    assert_eq!(store.schema_version().expect("v"), 1);
    drop(store);
    env.ok(&["beneficiary", "add", "--siret", SIRET, "--name", "X", "--lot", "1"]);
    let version: u32 = env.sqlite().query_row("PRAGMA user_version", [], |r| r.get(0)).expect("v");
    assert_eq!(version, amoe_store::LATEST_VERSION);
    env.ok(&["audit", "verify"]);
}

#[test]
fn a_newer_store_is_refused() {
    let env = Env::new();
    match env.is_pg() {
        true => env.db().execute_batch("UPDATE amoe_schema SET version = 999").expect("set"),
        false => env.sqlite().pragma_update(None, "user_version", 999).expect("set"),
    }
    let r = env.fails(1, &["site", "list"]);
    assert!(r.stderr.contains("newer than this amoe knows") && r.stderr.contains("upgrade amoe"), "{}", r.stderr);
}

#[test]
fn two_processes_writing_at_once_never_hit_a_locked_database() {
    let env = Env::new();
    const EACH: usize = 40;
    let writers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|who| {
            let cmds: Vec<Command> = (0..EACH)
                .map(|i| {
                    env.cmd(&["--operator", who, "host", "add", &format!("{who}-{i}"), "--address", "127.0.0.1:7443"])
                })
                .collect();
            std::thread::spawn(move || {
                cmds.into_iter()
                    .map(|mut c| c.output().expect("run"))
                    .filter(|o| !o.status.success())
                    .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let failures: Vec<String> = writers.into_iter().flat_map(|w| w.join().expect("thread")).collect();
    assert!(failures.is_empty(), "{failures:?}");
    let hosts = env.ok(&["host", "list", "-o", "json"]).json();
    assert_eq!(hosts.as_array().map(Vec::len), Some(2 * EACH));
    let v = env.ok(&["audit", "verify", "-o", "json"]).json();
    assert_eq!(v["entries"].as_i64(), Some(2 * EACH as i64 + 1));
}
