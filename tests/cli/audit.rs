//! The audit journal: filters, and tampering detected by `amoe audit verify`.

use crate::support::Env;

fn journal() -> Env {
    let env = Env::new();
    env.seed();
    env.ok(&["--operator", "alice", "host", "update", "pop2", "--location", "Lyon"]);
    env.run(&["site", "show", "nosuch"]); // a read: not journaled
    env.fails(2, &["--operator", "bob", "site", "update", "www", "--category", "forever"]);
    env
}

#[test]
fn entries_record_who_what_and_the_outcome() {
    let env = journal();
    let all = env.ok(&["audit", "list", "-o", "json"]).json();
    let all = all.as_array().expect("array");
    // init, 4 seed commands, the update and the refused update.
    assert_eq!(all.len(), 7);
    let last = &all[6];
    assert_eq!(last["operator"], "bob");
    assert_eq!(last["command"], "site update");
    assert_eq!(last["target"], "site:www");
    assert!(last["outcome"].as_str().is_some_and(|o| o.starts_with("refused: `forever` is not a site category")));
    assert!(last["args"].as_array().is_some_and(|a| a.iter().any(|x| x == "forever")));
    for (i, e) in all.iter().enumerate() {
        assert_eq!(e["seq"].as_i64(), Some(i as i64 + 1));
    }
    assert_eq!(all[1]["prev_hash"], all[0]["hash"]);

    let alice = env.ok(&["audit", "list", "--operator", "alice", "-o", "json"]).json();
    assert_eq!(alice.as_array().map(Vec::len), Some(1));
    let sites = env.ok(&["audit", "list", "--target", "site:", "-o", "json"]).json();
    assert_eq!(sites.as_array().map(Vec::len), Some(2));
    let hosts = env.ok(&["audit", "list", "--target", "host:pop2", "-o", "json"]).json();
    assert_eq!(hosts.as_array().map(Vec::len), Some(2));
    assert_eq!(env.ok(&["audit", "list", "--since", "2999-01-01", "-o", "json"]).json(), serde_json::json!([]));
    assert_eq!(
        env.ok(&["audit", "list", "--since", "2000-01-01", "-o", "json"]).json().as_array().map(Vec::len),
        Some(7)
    );
    env.fails(2, &["audit", "list", "--since", "last tuesday"]);
}

#[test]
fn secrets_are_redacted_from_the_journal() {
    let env = Env::new();
    env.seed();
    // A password in an origin URL is refused, and the journaled arguments do not hold it.
    let r = env.fails(2, &["site", "update", "www", "--add-origin", "https://user:hunter2@o.example.fr"]);
    assert!(r.stderr.contains("credentials in the URL are refused"), "{}", r.stderr);
    let all = env.ok(&["audit", "list", "-o", "json"]).stdout;
    assert!(all.contains("https://user:***@o.example.fr"), "{all}");
    assert!(!all.contains("hunter2"), "{all}");
    if env.is_pg() {
        return; // the file check is SQLite's; the journal's text was checked above
    }
    let raw = std::fs::read(&env.store).expect("read");
    let wal = std::fs::read(env.path("amoe.db-wal")).unwrap_or_default();
    let find = |hay: &[u8]| hay.windows(7).any(|w| w == b"hunter2");
    assert!(!find(&raw) && !find(&wal), "the password reached the store file");
}

#[test]
fn an_intact_journal_verifies() {
    let env = journal();
    let r = env.ok(&["audit", "verify"]);
    assert!(r.stdout.starts_with("journal intact: 7 entries, head "), "{}", r.stdout);
    let v = env.ok(&["audit", "verify", "-o", "json"]).json();
    assert_eq!((v["intact"].as_bool(), v["entries"].as_i64()), (Some(true), Some(7)));
}

fn broken_at(env: &Env, seq: i64) -> String {
    let r = env.fails(1, &["audit", "verify"]);
    assert!(r.stderr.contains(&format!("audit journal broken at entry {seq}")), "{}", r.stderr);
    let v = env.run(&["audit", "verify", "-o", "json"]);
    assert_eq!(v.code, 1);
    assert_eq!(v.json()["first_bad"].as_i64(), Some(seq));
    r.stderr
}

#[test]
fn an_edited_entry_is_detected() {
    let env = journal();
    env.execute("UPDATE audit SET operator = 'mallory' WHERE seq = 3");
    let msg = broken_at(&env, 3);
    assert!(msg.contains("it was edited"), "{msg}");
}

#[test]
fn an_edited_outcome_is_detected() {
    let env = journal();
    env.execute("UPDATE audit SET outcome = 'ok' WHERE seq = 7");
    broken_at(&env, 7);
}

#[test]
fn a_deleted_entry_is_detected() {
    let env = journal();
    env.execute("DELETE FROM audit WHERE seq = 4");
    let msg = broken_at(&env, 5);
    assert!(msg.contains("deleted or reordered"), "{msg}");
}

#[test]
fn a_deleted_tail_is_detected() {
    let env = journal();
    env.execute("DELETE FROM audit WHERE seq >= 6");
    let msg = broken_at(&env, 6);
    assert!(msg.contains("the last entries were deleted"), "{msg}");
}

#[test]
fn reordered_entries_are_detected() {
    let env = journal();
    env.execute(
        "UPDATE audit SET seq = -1 WHERE seq = 2;
         UPDATE audit SET seq = 2 WHERE seq = 3;
         UPDATE audit SET seq = 3 WHERE seq = -1;",
    );
    let msg = broken_at(&env, 2);
    assert!(msg.contains("deleted or reordered") || msg.contains("edited"), "{msg}");
}
