//! Tickets from the command line: people, rights, spaces, and every ticket verb checked for
//! every kind of user, so that nobody sees or changes what they must not.

use crate::support::{Env, Run};
use serde_json::Value;

/// `amoe --operator OP ARGS`.
fn as_op(env: &Env, op: &str, args: &[&str]) -> Run {
    let mut all = vec!["--operator", op];
    all.extend_from_slice(args);
    env.run(&all)
}

fn ok(env: &Env, op: &str, args: &[&str]) -> Run {
    let r = as_op(env, op, args);
    assert_eq!(r.code, 0, "{op} {args:?}: {}{}", r.stdout, r.stderr);
    r
}

fn id_of(r: &Run) -> String {
    r.json()["id"].as_i64().expect("id").to_string()
}

/// Users: admin, rep (no right, reports), reader (read on p1), writer (write on p1), none (no
/// right, no ticket), outsider (write on p1 but in space s2 only). Tickets: t1 by writer,
/// t2 opened by writer for rep, both p1/s1; t3 by admin in p2/s1; t4 by outsider in p1/s2.
fn world() -> (Env, [String; 4]) {
    let env = Env::new();
    // A beneficiary, hosts and the site `www` for the inventory links.
    env.seed();
    ok(
        &env,
        "admin",
        &["user", "add", "admin@ops.example", "--name", "Admin", "--admin", "--time", "--login", "admin"],
    );
    for u in ["rep", "reader", "writer", "none", "outsider"] {
        ok(&env, "admin", &["user", "add", &format!("{u}@cust.example"), "--name", u, "--login", u]);
    }
    for p in ["p1", "p2"] {
        ok(&env, "admin", &["project", "add", p, "--label", &format!("Project {p}")]);
    }
    ok(
        &env,
        "admin",
        &[
            "space",
            "add",
            "s1",
            "--member",
            "rep@cust.example",
            "--member",
            "reader@cust.example",
            "--member",
            "writer@cust.example",
            "--member",
            "none@cust.example",
        ],
    );
    ok(&env, "admin", &["space", "add", "s2", "--member", "outsider@cust.example"]);
    ok(&env, "admin", &["acl", "grant", "reader@cust.example", "p1", "read"]);
    ok(&env, "admin", &["acl", "grant", "writer@cust.example", "p1", "write"]);
    ok(&env, "admin", &["acl", "grant", "outsider@cust.example", "p1", "write"]);
    let new = |op: &str, project: &str, space: &str, extra: &[&str]| {
        let mut args = vec![
            "ticket",
            "new",
            "--project",
            project,
            "--space",
            space,
            "--type",
            "incident",
            "--title",
            "Pages en erreur",
            "-o",
            "json",
        ];
        args.extend_from_slice(extra);
        id_of(&ok(&env, op, &args))
    };
    let t1 = new("writer", "p1", "s1", &[]);
    let t2 = new("writer", "p1", "s1", &["--reporter", "rep@cust.example"]);
    let t3 = new("admin", "p2", "s1", &[]);
    let t4 = new("outsider", "p1", "s2", &[]);
    (env, [t1, t2, t3, t4])
}

fn listed(env: &Env, op: &str) -> Vec<String> {
    let r = ok(env, op, &["ticket", "list", "-o", "json"]);
    let mut ids: Vec<String> =
        r.json().as_array().expect("list").iter().filter_map(|t| t["id"].as_i64().map(|i| i.to_string())).collect();
    ids.sort();
    ids
}

#[test]
fn nobody_sees_or_changes_what_they_must_not() {
    let (env, [t1, t2, t3, t4]) = world();
    let all = |v: &[&String]| {
        let mut v: Vec<String> = v.iter().map(|s| (*s).clone()).collect();
        v.sort();
        v
    };
    // Who sees what.
    assert_eq!(listed(&env, "admin"), all(&[&t1, &t2, &t3, &t4]));
    assert_eq!(listed(&env, "rep"), all(&[&t2]));
    assert_eq!(listed(&env, "reader"), all(&[&t1, &t2]));
    assert_eq!(listed(&env, "writer"), all(&[&t1, &t2]));
    assert_eq!(listed(&env, "none"), Vec::<String>::new());
    assert_eq!(listed(&env, "outsider"), all(&[&t4]));

    let file = env.path("capture.txt");
    std::fs::write(&file, "trace").expect("write");
    let file = file.to_str().expect("utf8").to_owned();
    // (user, ticket, show, comment, status, attach): true = allowed.
    let expect: Vec<(&str, &String, bool, bool, bool, bool)> = vec![
        ("admin", &t4, true, true, true, true),
        ("rep", &t2, true, true, false, true),
        ("rep", &t1, false, false, false, false),
        ("reader", &t1, true, false, false, false),
        ("reader", &t3, false, false, false, false),
        ("writer", &t1, true, true, true, true),
        ("writer", &t3, false, false, false, false),
        ("writer", &t4, false, false, false, false),
        ("none", &t1, false, false, false, false),
        ("outsider", &t1, false, false, false, false),
        ("outsider", &t4, true, true, true, true),
    ];
    for (op, id, show, comment, status, attach) in expect {
        let checks: [(&str, Vec<&str>, bool); 4] = [
            ("show", vec!["ticket", "show", id], show),
            ("comment", vec!["ticket", "comment", id, "vu"], comment),
            ("status", vec!["ticket", "status", id, "in-progress"], status),
            ("attach", vec!["ticket", "attach", id, &file], attach),
        ];
        for (verb, args, allowed) in checks {
            let r = as_op(&env, op, &args);
            if allowed {
                assert_eq!(r.code, 0, "{op} may {verb} #{id}: {}", r.stderr);
            } else {
                assert_eq!(r.code, 1, "{op} may not {verb} #{id}: {}{}", r.stdout, r.stderr);
                if !show {
                    // What one may not see does not exist for them.
                    assert!(r.stderr.contains(&format!("no ticket #{id}")), "{op} {verb} #{id}: {}", r.stderr);
                } else {
                    assert!(r.stderr.contains("may read ticket"), "{op} {verb} #{id}: {}", r.stderr);
                }
            }
        }
    }
    // Opening needs the write right in a space one belongs to.
    for (op, project, space, allowed) in [
        ("rep", "p1", "s1", false),
        ("reader", "p1", "s1", false),
        ("writer", "p1", "s2", false),
        ("writer", "p2", "s1", false),
        ("writer", "p1", "s1", true),
    ] {
        let r = as_op(
            &env,
            op,
            &["ticket", "new", "--project", project, "--space", space, "--type", "request", "--title", "x"],
        );
        assert_eq!(r.code == 0, allowed, "{op} opens in {project}/{space}: {}", r.stderr);
    }
    // Statistics and exports count exactly what each one may see.
    for op in ["admin", "rep", "reader", "writer", "none", "outsider"] {
        let seen = listed(&env, op).len() as u64;
        assert_eq!(ok(&env, op, &["ticket", "stats", "-o", "json"]).json()["tickets"], seen, "{op} stats");
        let out = env.path(&format!("{op}.json"));
        ok(&env, op, &["ticket", "export", "--format", "json", "--out", out.to_str().expect("utf8")]);
        let rows: Value = serde_json::from_slice(&std::fs::read(&out).expect("export")).expect("json");
        assert_eq!(rows.as_array().map(|r| r.len() as u64), Some(seen), "{op} export");
    }
    // No account: refused, with what to do.
    let r = as_op(&env, "stranger", &["ticket", "list"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("has no account") && r.stderr.contains("amoe user add"), "{}", r.stderr);
    // Only administrators act as someone else, and then see what that user sees.
    let r = as_op(&env, "writer", &["ticket", "--as", "rep@cust.example", "list"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let r = ok(&env, "admin", &["ticket", "--as", "rep@cust.example", "list", "-o", "json"]);
    assert_eq!(r.json().as_array().map(Vec::len), Some(1));
    // Rights can be taken back: out of the space, the reader sees nothing; a former
    // administrator no longer sees everything; the last administrator stays one.
    ok(&env, "admin", &["space", "leave", "s1", "reader@cust.example"]);
    assert_eq!(listed(&env, "reader"), Vec::<String>::new());
    let before = listed(&env, "writer");
    ok(&env, "admin", &["user", "update", "writer@cust.example", "--admin", "true"]);
    assert_eq!(listed(&env, "writer"), listed(&env, "admin"), "an administrator sees all");
    assert!(listed(&env, "writer").len() > before.len());
    ok(&env, "admin", &["user", "update", "writer@cust.example", "--admin", "false"]);
    assert_eq!(listed(&env, "writer"), before);
    let r = as_op(&env, "admin", &["user", "update", "admin@ops.example", "--admin", "false"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("last administrator"), "{}", r.stderr);
    // Only administrators manage people and rights.
    for args in [
        vec!["user", "add", "x@cust.example", "--name", "X"],
        vec!["project", "add", "p3", "--label", "P3"],
        vec!["space", "add", "s3"],
        vec!["acl", "grant", "none@cust.example", "p1", "write"],
    ] {
        let r = as_op(&env, "writer", &args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("only administrators"), "{}", r.stderr);
    }
}

#[test]
fn history_sheet_links_attachments_and_bad_words() {
    let (env, [t1, t2, t3, _]) = world();
    // A link to a ticket the writer may not read shows neither the link nor its number.
    ok(&env, "admin", &["ticket", "link", &t1, &t3, "--kind", "cause"]);
    let v: Value = ok(&env, "writer", &["ticket", "show", &t1, "-o", "json"]).json();
    assert!(!v.to_string().contains(&format!("#{t3}")) && v["links"].as_array().is_some_and(Vec::is_empty), "{v}");
    let v: Value = ok(&env, "admin", &["ticket", "show", &t1, "-o", "json"]).json();
    assert!(v.to_string().contains(&format!("#{t3}")), "{v}");
    // A title is one line.
    let r = ok(
        &env,
        "writer",
        &[
            "ticket",
            "new",
            "--project",
            "p1",
            "--space",
            "s1",
            "--type",
            "request",
            "--title",
            "Two\r\nBcc: x@evil.example",
            "-o",
            "json",
        ],
    );
    assert_eq!(r.json()["title"], "Two Bcc: x@evil.example");
    ok(&env, "writer", &["ticket", "comment", &t1, "Relance du service", "--minutes", "45"]);
    ok(&env, "writer", &["ticket", "assign", &t1, "writer@cust.example"]);
    ok(&env, "writer", &["ticket", "status", &t1, "waiting"]);
    ok(&env, "writer", &["ticket", "status", &t1, "resolved"]);
    ok(&env, "writer", &["ticket", "link", &t1, &t2, "--kind", "duplicate"]);
    let big = env.path("big.bin");
    std::fs::write(&big, vec![0u8; 10 * 1024 * 1024 + 1]).expect("write");
    let r = as_op(&env, "writer", &["ticket", "attach", &t1, big.to_str().expect("utf8")]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("10485761 bytes") && r.stderr.contains("10485760 bytes"), "{}", r.stderr);
    let small = env.path("trace.txt");
    std::fs::write(&small, "GET / 502").expect("write");
    ok(&env, "writer", &["ticket", "attach", &t1, small.to_str().expect("utf8")]);
    ok(&env, "writer", &["ticket", "attach", &t2, small.to_str().expect("utf8")]);
    // Stored once, by SHA-256, in the store itself: no file beside it.
    let dir = env.files_anchor().parent().expect("dir").join("attachments");
    assert!(!dir.exists(), "no attachment files beside the store");
    assert_eq!(env.query("SELECT COUNT(*) FROM attachment_bytes"), "1");

    // The full history, with who and when; time spent only for users who see time.
    let v: Value = ok(&env, "admin", &["ticket", "show", &t1, "-o", "json"]).json();
    let kinds: Vec<&str> = v["events"].as_array().expect("events").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["created", "link", "comment", "assign", "status", "status", "link", "attach"]);
    assert_eq!(v["minutes"], 45);
    let v: Value = ok(&env, "writer", &["ticket", "show", &t1, "-o", "json"]).json();
    assert!(v["minutes"].is_null() && v["events"][1]["minutes"].is_null(), "{v}");
    let sheet = ok(&env, "admin", &["ticket", "show", &t1, "--format", "md"]).stdout;
    assert!(sheet.starts_with(&format!("# Fiche d'intervention — ticket #{t1}")), "{sheet}");
    for part in
        ["| Statut | résolu |", "Prise en charge", "Résolution", "statut → en attente", "trace.txt", "Temps passé"]
    {
        assert!(sheet.contains(part), "{part}: {sheet}");
    }
    // A site's history, and every filter.
    let r = ok(
        &env,
        "writer",
        &[
            "ticket",
            "new",
            "--project",
            "p1",
            "--space",
            "s1",
            "--type",
            "change",
            "--title",
            "Règle de cache",
            "--site",
            "www",
            "-o",
            "json",
        ],
    );
    let t5 = id_of(&r);
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["ticket", "list", "-o", "json"];
        all.extend_from_slice(args);
        ok(&env, "admin", &all)
            .json()
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|t| t["id"].as_i64().map(|i| i.to_string()))
            .collect()
    };
    assert_eq!(ids(&["--site", "www"]), vec![t5.clone()]);
    assert_eq!(ids(&["--status", "resolved"]), vec![t1.clone()]);
    assert_eq!(ids(&["--type", "change", "--project", "p1"]), vec![t5.clone()]);
    assert_eq!(ids(&["--reporter", "rep@cust.example"]), vec![t2.clone()]);
    assert_eq!(ids(&["--text", "cache"]), vec![t5]);
    // Inventory links name what exists.
    let r = as_op(
        &env,
        "writer",
        &[
            "ticket",
            "new",
            "--project",
            "p1",
            "--space",
            "s1",
            "--type",
            "incident",
            "--title",
            "x",
            "--site",
            "nosuchsite",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("nosuchsite"), "{}", r.stderr);
    let r = ok(
        &env,
        "writer",
        &[
            "ticket",
            "new",
            "--project",
            "p1",
            "--space",
            "s1",
            "--type",
            "incident",
            "--title",
            "x",
            "--beneficiary",
            "120 001 011 00010",
            "-o",
            "json",
        ],
    );
    assert_eq!(r.json()["beneficiary"], "12000101100010");
    // Unknown words are usage errors.
    for args in [
        vec!["ticket", "status", &t1, "finished"],
        vec!["ticket", "list", "--type", "bug"],
        vec![
            "ticket",
            "new",
            "--project",
            "p1",
            "--space",
            "s1",
            "--type",
            "incident",
            "--priority",
            "urgent",
            "--title",
            "x",
        ],
    ] {
        let r = as_op(&env, "writer", &args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.path().is_dir() {
                out.extend(walk(&e.path()));
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

#[test]
fn export_import_export_is_byte_identical_with_tickets_and_attachments() {
    let (env, [t1, _, _, _]) = world();
    let file = env.path("trace.txt");
    std::fs::write(&file, "GET / 502").expect("write");
    ok(&env, "writer", &["ticket", "attach", &t1, file.to_str().expect("utf8")]);
    ok(&env, "writer", &["ticket", "comment", &t1, "Cause trouvée", "--minutes", "20"]);
    let first = env.path("export-1");
    ok(&env, "admin", &["export", first.to_str().expect("utf8")]);
    assert_eq!(walk(&first.join("attachments")).len(), 1);
    std::fs::create_dir_all(env.path("r")).expect("dir");
    let restored = env.path("r").join("restored.db");
    let r = env.run_at(&restored, &["import", first.to_str().expect("utf8")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let second = env.path("export-2");
    let r = env.run_at(&restored, &["export", second.to_str().expect("utf8")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (a, b) = (walk(&first), walk(&second));
    assert_eq!(a.len(), b.len());
    for f in &a {
        let rel = f.strip_prefix(&first).expect("prefix");
        assert_eq!(std::fs::read(f).expect("a"), std::fs::read(second.join(rel)).expect("b"), "{rel:?}");
    }
    // The restored store holds the attachment itself (the second export read it from there).
    assert!(!env.path("r").join("attachments").exists());
    // An export of an earlier schema (before attachments were in the store) loads them too,
    // once the store is migrated.
    let older = env.path("export-14");
    std::fs::create_dir_all(older.join("attachments")).expect("dir");
    for f in &a {
        let rel = f.strip_prefix(&first).expect("prefix");
        std::fs::write(older.join(rel), std::fs::read(f).expect("read")).expect("write");
    }
    let manifest = std::fs::read_to_string(older.join("manifest.json")).expect("manifest");
    let latest = format!("\"schema_version\": {}", amoe_store::LATEST_VERSION);
    assert!(manifest.contains(&latest), "{manifest}");
    std::fs::write(older.join("manifest.json"), manifest.replace(&latest, "\"schema_version\": 14")).expect("write");
    let from_older = env.path("r14/restored.db");
    let r = env.run_at(&from_older, &["import", older.to_str().expect("utf8")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let third = env.path("export-3");
    let r = env.run_at(&from_older, &["export", third.to_str().expect("utf8")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(walk(&third).len(), a.len());
    for f in &a {
        let rel = f.strip_prefix(&first).expect("prefix");
        assert_eq!(std::fs::read(f).expect("a"), std::fs::read(third.join(rel)).expect("c"), "{rel:?}");
    }
    // An `attachments` row whose SHA-256 is a path is refused, sums updated or not.
    {
        use sha2::Digest;
        let table = first.join("attachments.json");
        let text = std::fs::read_to_string(&table).expect("read");
        let sha = walk(&first.join("attachments"))[0].file_name().and_then(|n| n.to_str()).expect("name").to_owned();
        let bent = text.replace(&sha, "../../../../etc/passwd");
        std::fs::write(&table, &bent).expect("write");
        let manifest_path = first.join("manifest.json");
        let manifest_text = std::fs::read(&manifest_path).expect("read");
        let mut manifest: Value = serde_json::from_slice(&manifest_text).expect("json");
        for t in manifest["tables"].as_array_mut().expect("tables") {
            if t["table"] == "attachments" {
                let sum: String = sha2::Sha256::digest(bent.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
                t["json_sha256"] = sum.into();
            }
        }
        std::fs::write(&manifest_path, serde_json::to_vec(&manifest).expect("json")).expect("write");
        let r = env.run_at(&env.path("bent.db"), &["import", first.to_str().expect("utf8")]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(r.stderr.contains("row 1: `sha256` is not 64 lowercase hexadecimal digits"), "{}", r.stderr);
        assert!(!env.path("bent.db").exists());
        std::fs::write(&table, text).expect("write");
        std::fs::write(&manifest_path, manifest_text).expect("write");
    }
    // A damaged attachment in an export is refused, nothing imported.
    std::fs::write(walk(&first.join("attachments"))[0].clone(), "tampered").expect("write");
    let r = env.run_at(&env.path("other.db"), &["import", first.to_str().expect("utf8")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("does not match"), "{}", r.stderr);
    assert!(!env.path("other.db").exists());
}

/// A store from before schema 15 kept attachments as files beside it: opening it moves them in
/// (a file that is missing or altered is named and left), the next command where the file is
/// sound again finishes the job (a backup then holds it), and then the store needs the files no
/// more. A backup holds the attachments.
#[test]
fn attachments_live_in_the_store_through_backups_and_upgrades() {
    let (env, [t1, _, _, _]) = world();
    let (a, b) = (env.path("a.txt"), env.path("b.txt"));
    std::fs::write(&a, "first trace").expect("write");
    std::fs::write(&b, "second trace").expect("write");
    ok(&env, "writer", &["ticket", "attach", &t1, a.to_str().expect("utf8")]);
    ok(&env, "writer", &["ticket", "attach", &t1, b.to_str().expect("utf8")]);
    let shown: Value = ok(&env, "admin", &["ticket", "show", &t1, "-o", "json"]).json();
    let sha = |i: usize| shown["attachments"][i][1].as_str().unwrap_or_default().to_owned();
    let (sha_a, sha_b) = (sha(0), sha(1));
    assert_eq!((sha_a.len(), sha_b.len()), (64, 64), "{shown}");
    let exported = |store: &std::path::Path, name: &str| -> Vec<(String, Vec<u8>)> {
        let dir = env.path(name);
        let r = env.run_at(store, &["export", dir.to_str().expect("utf8")]);
        assert_eq!(r.code, 0, "export: {}", r.stderr);
        let mut files: Vec<(String, Vec<u8>)> = walk(&dir.join("attachments"))
            .into_iter()
            .map(|f| {
                let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
                (name, std::fs::read(&f).expect("read"))
            })
            .collect();
        files.sort();
        files
    };
    let mut want = vec![(sha_a.clone(), b"first trace".to_vec()), (sha_b.clone(), b"second trace".to_vec())];
    want.sort();

    if !env.is_pg() {
        // The backup, in a folder of its own, holds the attachments.
        let backup = env.path("elsewhere/amoe.db");
        std::fs::create_dir_all(env.path("elsewhere")).expect("dir");
        ok(&env, "admin", &["backup", backup.to_str().expect("utf8")]);
        assert_eq!(exported(&backup, "export-backup"), want);
    }

    // The store as an earlier version left it: no bytes table, the files beside it; one file
    // altered.
    env.execute("DROP TABLE attachment_bytes");
    env.execute(if env.is_pg() { "UPDATE amoe_schema SET version = 14" } else { "PRAGMA user_version = 14" });
    let dir = env.files_anchor().parent().expect("dir").join("attachments");
    let file = |sha: &str| dir.join(&sha[..2]).join(sha);
    for (sha, bytes) in [(&sha_a, &b"first trace"[..]), (&sha_b, &b"altered"[..])] {
        std::fs::create_dir_all(file(sha).parent().expect("dir")).expect("dir");
        std::fs::write(file(sha), bytes).expect("write");
    }
    let r = ok(&env, "admin", &["ticket", "show", &t1]);
    assert!(r.stderr.contains("moved 1 attachment(s) from files into the store"), "{}", r.stderr);
    assert!(r.stderr.contains("warning: 1 attachment(s)") && r.stderr.contains(&sha_b), "{}", r.stderr);
    // Once the file is sound again, the next command moves it in (the store is at the latest
    // schema by now); a backup taken by that command holds it.
    std::fs::write(file(&sha_b), "second trace").expect("write");
    let backup = env.path("after/amoe.db");
    let r = if env.is_pg() {
        ok(&env, "admin", &["ticket", "show", &t1])
    } else {
        std::fs::create_dir_all(env.path("after")).expect("dir");
        ok(&env, "admin", &["backup", backup.to_str().expect("utf8")])
    };
    assert!(r.stderr.contains("moved 1 attachment(s)") && !r.stderr.contains("warning"), "{}", r.stderr);
    let r = ok(&env, "admin", &["init"]);
    assert!(r.stderr.is_empty(), "nothing left to move: {}", r.stderr);
    // Then the files can go.
    std::fs::remove_dir_all(&dir).expect("remove");
    assert_eq!(exported(&env.store, "export-upgraded"), want);
    if !env.is_pg() {
        assert_eq!(exported(&backup, "export-after"), want);
    }
    let r = env.run(&["audit", "verify"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// `amoe ticket import-mail ARGS` with `mail` on stdin.
fn pipe(env: &Env, mail: &str, args: &[&str]) -> Run {
    use std::io::Write;
    let mut all = vec!["ticket", "import-mail", "-o", "json"];
    all.extend_from_slice(args);
    let mut cmd = env.cmd(&all);
    cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    child.stdin.take().expect("stdin").write_all(mail.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("wait");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const NEW_ALTERNATIVE: &str = "From: Writer <writer@cust.example>\r
To: support@ops.example\r
Subject: =?UTF-8?Q?Pages_en_erreur_=C3=A0_9_h?=\r
Message-ID: <first@cust.example>\r
Date: Fri, 27 Nov 2026 09:12:00 +0100\r
MIME-Version: 1.0\r
Content-Type: multipart/alternative; boundary=\"b1\"\r
\r
--b1\r
Content-Type: text/plain; charset=UTF-8\r
Content-Transfer-Encoding: quoted-printable\r
\r
Bonjour,=0D=0Ales pages renvoient une erreur depuis 9 h. Merci de v=C3=A9rifier.\r
--b1\r
Content-Type: text/html; charset=UTF-8\r
\r
<p>Bonjour,</p><p>les pages renvoient une erreur</p>\r
--b1--\r
";

const REPLY_WITH_ATTACHMENT: &str = "From: writer@cust.example\r
Subject: RE: Pages en erreur\r
Message-ID: <second@cust.example>\r
In-Reply-To: <first@cust.example>\r
References: <first@cust.example>\r
MIME-Version: 1.0\r
Content-Type: multipart/mixed; boundary=\"b2\"\r
\r
--b2\r
Content-Type: text/plain; charset=ISO-8859-1\r
Content-Transfer-Encoding: base64\r
\r
Vm9pbOAgbGEgY2FwdHVyZSBkJ+ljcmFuLg==\r
--b2\r
Content-Type: text/plain; name=\"trace.txt\"\r
Content-Disposition: attachment; filename=\"trace.txt\"\r
Content-Transfer-Encoding: base64\r
\r
R0VUIC8gNTAy\r
--b2--\r
";

#[test]
fn mail_opens_and_follows_tickets_with_mta_exit_codes() {
    let (env, [_, t2, _, _]) = world();
    // multipart/alternative, quoted-printable French, an encoded-word subject.
    let r = pipe(&env, NEW_ALTERNATIVE, &["--project", "p1", "--type", "incident"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["action"], "opened");
    let id = v["ticket"].as_i64().expect("id").to_string();
    let t = ok(&env, "admin", &["ticket", "show", &id, "-o", "json"]).json();
    assert_eq!(t["title"], "Pages en erreur à 9 h");
    assert_eq!(t["kind"], "incident");
    assert_eq!(t["reporter"], "writer@cust.example");
    assert!(t["events"][1]["value"].as_str().is_some_and(|b| b.contains("Merci de vérifier")), "{t}");
    // The same message again (an MTA retry): nothing new.
    let r = pipe(&env, NEW_ALTERNATIVE, &["--project", "p1"]);
    assert_eq!((r.code, r.json()["action"].as_str()), (0, Some("already")));
    // A reply by In-Reply-To, base64 Latin-1 text and an attachment.
    let r = pipe(&env, REPLY_WITH_ATTACHMENT, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        (r.json()["action"].as_str(), r.json()["ticket"].as_i64().map(|i| i.to_string())),
        (Some("commented"), Some(id.clone()))
    );
    let t = ok(&env, "admin", &["ticket", "show", &id, "-o", "json"]).json();
    let comments: Vec<&str> = t["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "comment")
        .filter_map(|e| e["value"].as_str())
        .collect();
    assert!(comments.contains(&"Voilà la capture d'écran."), "{comments:?}");
    assert_eq!(t["attachments"][0][0], "trace.txt");
    // A reply by the subject's tag, from someone who may only read: refused, 67, nothing written.
    let tagged = format!(
        "From: reader@cust.example\r\nSubject: Re: [#{t2}] suite\r\nMessage-ID: <third@cust.example>\r\n\r\nJe relance.\r\n"
    );
    let before = ok(&env, "admin", &["ticket", "show", &t2, "-o", "json"]).json()["events"].as_array().map(Vec::len);
    let r = pipe(&env, &tagged, &[]);
    assert_eq!(r.code, 67, "{}", r.stderr);
    assert_eq!(
        ok(&env, "admin", &["ticket", "show", &t2, "-o", "json"]).json()["events"].as_array().map(Vec::len),
        before
    );
    // The reporter of #t2 may: the tag joins the ticket.
    let r = pipe(&env, &tagged.replace("reader@", "rep@").replace("third@", "fourth@"), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["ticket"].as_i64().map(|i| i.to_string()), Some(t2.clone()));
    // An HTML-only message is read as text.
    let html = "From: writer@cust.example\r\nSubject: Nouvelle demande\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<html><body><p>Merci <b>beaucoup</b></p></body></html>\r\n";
    let r = pipe(&env, html, &["--project", "p1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let nid = r.json()["ticket"].as_i64().expect("id").to_string();
    let t = ok(&env, "admin", &["ticket", "show", &nid, "-o", "json"]).json();
    assert!(t["events"][1]["value"].as_str().is_some_and(|b| b.contains("Merci") && !b.contains("<b>")), "{t}");
    // Unknown sender: 67. Not a message: 65. An attachment over the limit: 65, both sizes named.
    let r = pipe(&env, "From: nobody@elsewhere.example\r\nSubject: x\r\n\r\nx\r\n", &["--project", "p1"]);
    assert_eq!(r.code, 67, "{}", r.stderr);
    assert!(r.stderr.contains("nobody@elsewhere.example"), "{}", r.stderr);
    for junk in ["", "\u{0}\u{1}\u{2}binary garbage with no header at all"] {
        let r = pipe(&env, junk, &["--project", "p1"]);
        assert_eq!(r.code, 65, "{junk:?}: {}", r.stderr);
    }
    let big = format!(
        "From: writer@cust.example\r\nSubject: gros\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nvoir\r\n--b\r\nContent-Type: application/octet-stream; name=\"big.bin\"\r\nContent-Disposition: attachment; filename=\"big.bin\"\r\n\r\n{}\r\n--b--\r\n",
        "x".repeat(10 * 1024 * 1024 + 10)
    );
    let count = ok(&env, "admin", &["ticket", "list", "-o", "json"]).json().as_array().map(Vec::len);
    let r = pipe(&env, &big, &["--project", "p1"]);
    assert_eq!(r.code, 65, "{}", r.stderr);
    assert!(r.stderr.contains("10485760 bytes at most"), "{}", r.stderr);
    assert_eq!(ok(&env, "admin", &["ticket", "list", "-o", "json"]).json().as_array().map(Vec::len), count);
    // The store held by another writer past the time-out: 75, the MTA tries again later.
    // (The store's own write lock, taken by another connection: SQLite's or PostgreSQL's.)
    let conn = env.db();
    conn.begin(true).expect("lock");
    let mut cmd = env.cmd(&["ticket", "import-mail", "--project", "p1"]);
    cmd.env("AMOE_BUSY_TIMEOUT_MS", "300").stdin(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(b"From: writer@cust.example\r\nSubject: plus tard\r\n\r\nx\r\n")
            .expect("write");
    }
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(75), "{}", String::from_utf8_lossy(&out.stderr));
    conn.rollback().expect("unlock");
    drop(conn);
    let r = pipe(&env, "From: writer@cust.example\r\nSubject: plus tard\r\n\r\nx\r\n", &["--project", "p1"]);
    assert_eq!(r.code, 0, "once the store is free: {}", r.stderr);
    // A message may not take a notice's id to catch the replies to it.
    let claim =
        "From: writer@cust.example\r\nSubject: leurre\r\nMessage-ID: <amoe.ticket.99.1.abc@ops.example>\r\n\r\nx\r\n";
    let r = pipe(&env, claim, &["--project", "p1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let decoy = r.json()["ticket"].as_i64();
    let reply = "From: writer@cust.example\r\nSubject: Re: autre\r\nIn-Reply-To: <amoe.ticket.99.1.abc@ops.example>\r\n\r\ny\r\n";
    let r = pipe(&env, reply, &["--project", "p1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["action"], "opened");
    assert_ne!(r.json()["ticket"].as_i64(), decoy);
    // Two pasted images of the same name are both kept.
    let images = "From: writer@cust.example\r\nSubject: captures\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nvoir\r\n--b\r\nContent-Type: image/png; name=\"image.png\"\r\nContent-Disposition: attachment; filename=\"image.png\"\r\n\r\nAAA\r\n--b\r\nContent-Type: image/png; name=\"image.png\"\r\nContent-Disposition: attachment; filename=\"image.png\"\r\n\r\nBBB\r\n--b--\r\n";
    let r = pipe(&env, images, &["--project", "p1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = r.json()["ticket"].as_i64().expect("id").to_string();
    let names: Vec<String> = ok(&env, "admin", &["ticket", "show", &id, "-o", "json"]).json()["attachments"]
        .as_array()
        .expect("attachments")
        .iter()
        .filter_map(|a| a[0].as_str().map(str::to_owned))
        .collect();
    assert_eq!(names, ["image.png", "image (2).png"]);
    // Refusals are journaled.
    let audit = env.ok(&["audit", "list", "-o", "json"]).stdout;
    assert!(audit.contains("ticket import-mail") && audit.contains("refused: "), "{audit}");
}

#[test]
fn notices_go_to_reporter_and_followers_once_and_thread() {
    let (env, _) = world();
    let mut smtp = crate::servers::Smtp::start(&env.path("maildir"), crate::fleet::free_port());
    let config = env.path("config.toml");
    std::fs::write(
        &config,
        format!(
            "[mail]\nserver = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nsender = \"support@ops.example\"\n",
            smtp.port
        ),
    )
    .expect("config");
    let run = |op: &str, args: &[&str]| {
        let mut all = vec!["--operator", op];
        all.extend_from_slice(args);
        let out = env.cmd(&all).env("AMOE_CONFIG", &config).output().expect("run");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    };
    // Opened by the writer for rep: rep is told.
    let r = run(
        "writer",
        &[
            "ticket",
            "new",
            "--project",
            "p1",
            "--space",
            "s1",
            "--type",
            "incident",
            "--title",
            "Site lent",
            "--reporter",
            "rep@cust.example",
            "--body",
            "Depuis ce matin.",
            "-o",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = r.json()["id"].as_i64().expect("id").to_string();
    // rep answers: the writer (who wrote on it) is told; the reader, who only reads, is not.
    assert_eq!(run("rep", &["ticket", "comment", &id, "Toujours lent."]).code, 0);
    assert_eq!(run("writer", &["ticket", "status", &id, "in-progress"]).code, 0);
    let mails = smtp.messages();
    assert_eq!(mails.len(), 3, "{mails:?}");
    let header = |m: &str, name: &str| -> Option<String> {
        m.replace("\n ", " ").lines().find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_owned))
    };
    let first = mails
        .iter()
        .find(|m| header(m, "X-RcptTo").as_deref() == Some("rep@cust.example") && m.contains("Depuis ce matin"))
        .expect("opening notice");
    let first_id = header(first, "Message-ID").expect("message id");
    for m in &mails {
        assert!(header(m, "Subject").is_some_and(|s| s.contains(&format!("[#{id}]"))), "{m}");
        if *m != *first {
            assert_eq!(header(m, "In-Reply-To").as_deref(), Some(first_id.as_str()), "threaded: {m}");
        }
        assert!(!header(m, "X-RcptTo").unwrap_or_default().contains("reader@"), "{m}");
    }
    assert!(
        mails
            .iter()
            .any(|m| header(m, "X-RcptTo").as_deref() == Some("writer@cust.example") && m.contains("Toujours lent"))
    );
    // SMTP down: the change is made, the notice owed, then sent once.
    smtp.stop();
    let r = run("writer", &["ticket", "status", &id, "resolved"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("stays owed"), "{}", r.stderr);
    let smtp = crate::servers::Smtp::start(&env.path("maildir"), smtp.port);
    let r = run("writer", &["ticket", "notify"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("1 notices sent, 0 still owed"), "{}", r.stdout);
    assert_eq!(run("writer", &["ticket", "notify"]).stdout.trim(), "0 notices sent, 0 still owed");
    assert_eq!(smtp.messages().len(), 4);
    // A reply to a notice comes back to its ticket.
    let reply = format!(
        "From: rep@cust.example\r\nSubject: Re: notice\r\nIn-Reply-To: <{}>\r\nMessage-ID: <r1@cust.example>\r\n\r\nMerci !\r\n",
        first_id.trim_matches(['<', '>'])
    );
    let r = pipe(&env, &reply, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["ticket"].as_i64().map(|i| i.to_string()), Some(id));
}

#[test]
fn stats_and_spreadsheets_show_only_what_one_may_see() {
    let (env, [t1, t2, _, _]) = world();
    ok(&env, "writer", &["ticket", "status", &t1, "in-progress"]);
    ok(&env, "writer", &["ticket", "status", &t1, "resolved"]);
    ok(&env, "writer", &["ticket", "comment", &t2, "Analyse", "--minutes", "30"]);
    let s = ok(&env, "admin", &["ticket", "stats", "--by", "day", "-o", "json"]).json();
    assert_eq!(s["tickets"], 4);
    assert_eq!(s["by_type"]["incident"], 4);
    assert_eq!(s["by_status"]["resolved"], 1);
    assert_eq!(s["periods"][0]["opened"], 4);
    assert_eq!(s["periods"][0]["closed"], 1);
    let resolve = s["delays"].as_array().expect("delays").iter().find(|d| d["clock"] == "resolve").expect("resolve");
    assert_eq!(resolve["count"], 1);
    assert_eq!(ok(&env, "rep", &["ticket", "stats", "-o", "json"]).json()["tickets"], 1);
    assert_eq!(ok(&env, "none", &["ticket", "stats", "-o", "json"]).json()["tickets"], 0);

    // The same tickets in CSV, xlsx and ods: LibreOffice reads the spreadsheets back alike.
    let csv_file = env.path("t.csv");
    ok(&env, "admin", &["ticket", "export", "--format", "csv", "--out", csv_file.to_str().expect("utf8")]);
    let mut r = csv::Reader::from_path(&csv_file).expect("csv");
    let headers: Vec<String> = r.headers().expect("headers").iter().map(str::to_owned).collect();
    assert_eq!(headers[0], "numéro");
    assert_eq!(headers.last().map(String::as_str), Some("temps passé (min)"));
    let rows: Vec<Vec<String>> = r.records().map(|x| x.expect("row").iter().map(str::to_owned).collect()).collect();
    assert_eq!(rows.len(), 4);
    let opened = headers.iter().position(|h| h == "ouvert le").expect("column");
    for kind in ["xlsx", "ods"] {
        let f = env.path(&format!("t.{kind}"));
        ok(&env, "admin", &["ticket", "export", "--format", kind, "--out", f.to_str().expect("utf8")]);
        let lo = crate::support::libreoffice_sheet(&env, &f, 1);
        assert_eq!(lo[0], headers, "{kind}");
        assert_eq!(lo.len() - 1, rows.len(), "{kind}");
        for (a, b) in lo[1..].iter().zip(&rows) {
            for (c, (x, y)) in a.iter().zip(b).enumerate() {
                if c == opened || c == opened + 1 {
                    // A date cell, shown in Paris time as the sheet's format says.
                    let t: jiff::Timestamp = y.parse().expect("RFC 3339 in CSV");
                    let local = t
                        .to_zoned(jiff::tz::TimeZone::get("Europe/Paris").expect("tz"))
                        .strftime("%Y-%m-%d %H:%M")
                        .to_string();
                    assert_eq!(x, &local, "{kind} date");
                } else {
                    assert_eq!(x, y, "{kind} column {}", headers[c]);
                }
            }
        }
    }
    // A title a spreadsheet would run as a formula is written as text.
    ok(
        &env,
        "writer",
        &[
            "ticket",
            "new",
            "--project",
            "p1",
            "--space",
            "s1",
            "--type",
            "request",
            "--title",
            "=HYPERLINK(\"http://x\")",
        ],
    );
    let f = env.path("formula.csv");
    ok(&env, "writer", &["ticket", "export", "--format", "csv", "--out", f.to_str().expect("utf8")]);
    assert!(std::fs::read_to_string(&f).expect("csv").contains("'=HYPERLINK"), "escaped");
    // Time is recorded by those who handle the ticket.
    let r = as_op(&env, "rep", &["ticket", "comment", &t2, "merci", "--minutes", "5"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // Someone who may see one ticket exports one, without time spent.
    let mine = env.path("rep.csv");
    ok(&env, "rep", &["ticket", "export", "--format", "csv", "--out", mine.to_str().expect("utf8")]);
    let text = std::fs::read_to_string(&mine).expect("csv");
    assert_eq!(text.lines().count(), 2);
    assert!(!text.contains("temps passé"));
    // Statistics as a spreadsheet too.
    let f = env.path("stats.ods");
    ok(&env, "admin", &["ticket", "stats", "--format", "ods", "--out", f.to_str().expect("utf8")]);
    let lo = crate::support::libreoffice_sheet(&env, &f, 1);
    assert_eq!(lo[0], ["période", "ouverts", "clos"]);
    assert_eq!(lo[1][1], "5", "four tickets and the formula one");
}
