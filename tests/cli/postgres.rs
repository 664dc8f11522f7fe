//! A shared store on PostgreSQL (`--store postgres://…`), against the throwaway cluster that
//! `scripts/test.sh` starts (`AMOE_TEST_PG`): the same commands as on a file, copies between
//! backends that export byte for byte alike, concurrent writers, and the errors of a server
//! that cannot be used.

use crate::support::{Env, SIRET};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::support::{new_database as database, pg_cluster as server};

/// The port and the password file of a store URL of the test cluster.
fn port_and_passfile(url: &str) -> (u16, String) {
    let port = url.split("127.0.0.1:").nth(1).and_then(|p| p.split('/').next()).and_then(|p| p.parse().ok());
    let passfile = url.split("passfile=").nth(1).and_then(|p| p.split('&').next());
    (port.expect("port"), passfile.expect("passfile").to_owned())
}

/// An environment whose store is a new database.
fn pg_env(server: &str, name: &str) -> Env {
    let mut env = Env::bare();
    env.store = database(server, name);
    env.ok(&["init"]);
    env
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).expect("read dir") {
        let e = e.expect("entry");
        if e.path().is_dir() {
            for (k, v) in files(&e.path()) {
                out.insert(format!("{}/{k}", e.file_name().to_string_lossy()), v);
            }
        } else {
            out.insert(e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).expect("read"));
        }
    }
    out
}

fn export(env: &Env, store: &Path, name: &str) -> BTreeMap<String, Vec<u8>> {
    let dir = env.path(name);
    let r = env.run_at(store, &["export", dir.to_str().expect("utf8")]);
    assert_eq!(r.code, 0, "export of {}: {}", store.display(), r.stderr);
    files(&dir)
}

#[test]
fn the_same_commands_give_the_same_answers_on_both_backends() {
    let Some(server) = server() else { return };
    let file = Env::new();
    let pg = pg_env(&server, "same");
    for env in [&file, &pg] {
        env.seed();
        env.fails(
            1,
            &[
                "site",
                "add",
                "dup",
                "--domain",
                "www.example.fr",
                "--beneficiary",
                SIRET,
                "--host",
                "pop1",
                "--origin",
                "https://o.example.fr",
            ],
        );
        env.ok(&["host", "update", "pop2", "--address", "[::1]:7445"]);
    }
    for args in [
        &["site", "list", "-o", "json"][..],
        &["host", "list", "-o", "json"],
        &["beneficiary", "list", "-o", "json"],
        &["site", "show", "www", "-o", "json"],
    ] {
        assert_eq!(file.ok(args).stdout, pg.ok(args).stdout, "amoe {args:?}");
    }
    // The journal: the same commands and outcomes (times differ), intact on both.
    let outcomes = |env: &Env| -> Vec<(String, String)> {
        let list = env.ok(&["audit", "list", "-o", "json"]).json();
        list.as_array()
            .expect("entries")
            .iter()
            .map(|e| (e["command"].as_str().unwrap_or("").to_owned(), e["outcome"].as_str().unwrap_or("").to_owned()))
            .collect()
    };
    assert_eq!(outcomes(&file), outcomes(&pg));
    assert!(outcomes(&pg).iter().any(|(_, o)| o.starts_with("refused: ")), "the refusal is journaled");
    let v = pg.ok(&["audit", "verify", "-o", "json"]).json();
    assert_eq!(v["intact"], true, "{v}");
}

/// A file store with rows in every table: what the commands make, and rows written directly
/// for what needs a fleet, a mail server or a browser to make.
fn every_kind_of_record() -> Env {
    let env = Env::bare();
    env.ok(&["init"]);
    env.seed();
    let admin = |args: &[&str]| {
        let mut all = vec!["--operator", "admin"];
        all.extend_from_slice(args);
        env.ok(&all);
    };
    env.ok(&["ca", "init"]);
    env.ok(&["ca", "issue", "alice", "--role", "operator", "--out", env.path("certs").to_str().expect("utf8")]);
    admin(&["user", "add", "admin@ops.example", "--name", "Admin", "--admin", "--time", "--login", "admin"]);
    admin(&["user", "add", "rep@cust.example", "--name", "Rep", "--login", "rep"]);
    admin(&["project", "add", "p1", "--label", "Portail"]);
    admin(&["space", "add", "s1", "--member", "rep@cust.example"]);
    admin(&["space", "link", "s1", SIRET]);
    admin(&["acl", "grant", "rep@cust.example", "p1", "write"]);
    admin(&["ticket", "new", "--project", "p1", "--space", "s1", "--type", "incident", "--title", "Pages en erreur"]);
    let trace = env.path("trace.txt");
    std::fs::write(&trace, "GET / 502\n").expect("write");
    admin(&["ticket", "attach", "1", trace.to_str().expect("utf8")]);
    env.ok(&["quote", "add", "--beneficiary", SIRET, "--requested-at", "2026-03-02T10:00:00+01:00"]);
    env.ok(&["quote", "sent", "1", "--at", "2026-03-16T17:00:00+01:00"]);
    let bpu = env.path("bpu.csv");
    std::fs::write(&bpu, "code,label,unit,price,reference_price\nJOUR,Journée expert,jour,650,\n").expect("bpu");
    env.ok(&["bpu", "import", bpu.to_str().expect("utf8"), "--lot", "9"]);
    env.ok(&["order", "add", "--beneficiary", SIRET, "--number", "BC-1", "--date", "2026-02-10", "--line", "JOUR:2.5"]);
    env.ok(&[
        "contract",
        "add",
        "--beneficiary",
        SIRET,
        "--daily-rate",
        "650",
        "--hours-per-day",
        "7",
        "--cap",
        "29000",
        "--vat",
        "20",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--label",
        "Marché 2026-004",
    ]);
    env.ok(&[
        "intervention",
        "log",
        "--beneficiary",
        SIRET,
        "--start",
        "2026-10-05 09:00",
        "--duration",
        "3h30",
        "--detail",
        "Mise à jour",
        "--ticket",
        "1",
    ]);
    env.run(&[
        "incident",
        "open",
        "--site",
        "www",
        "--start",
        "2026-10-05 09:00",
        "--detected-by",
        "us",
        "--ours",
        "--nature",
        "Panne d'origine",
        "--ticket",
        "1",
    ]);
    env.ok(&[
        "change",
        "add",
        "--site",
        "www",
        "--asked-at",
        "2026-10-05 09:00",
        "--detail",
        "TTL 1 h",
        "--ticket",
        "1",
    ]);
    env.ok(&["report", "dossier", "www", "--out", env.path("dossier.pdf").to_str().expect("utf8")]);
    let t = "'2026-11-01T00:00:00.000Z'";
    env.execute(&format!(
        "INSERT INTO meta (key, value) VALUES ('crl_number', '3');
         INSERT INTO outbox (id, seq, host, site, kind, method, path, body, created_at, attempts, next_attempt_at, queued_by, queued_role)
           VALUES ('a1a1a1a1a1a1a1a1a1a1a1a1', 1, 'pop1', 'www', 'flush', 'POST', '/v1/sites/www/flush', '{{}}', {t}, 0, {t}, 'op', 'operator');
         INSERT INTO site_rules (site, version, rules, created_at, operator) VALUES ('www', 1, '{{\"rules\":[]}}', {t}, 'op');
         INSERT INTO outbox_leases (host, holder, until) VALUES ('pop1', 'cron@ops (pid 1)', {t});
         INSERT INTO log_archive (site, host, day, format, size, sha256, lines, collected_at) VALUES ('www', 'pop1', '2026-11-01', 'w3c', 100, 'ab', 3, {t});
         INSERT INTO log_deliveries (site, day, attempt, again, incomplete, hosts, files, uploaded_at, notified_at)
           VALUES ('www', '2026-11-01', 1, 0, 0, '[\"pop1\"]', '[]', {t}, NULL);
         INSERT INTO delivery_accounts (owner, host, port, \"user\", key_file, folder, host_key)
           VALUES ('{SIRET}', 'sftp.example.fr', 22, 'insee', '/etc/amoe/k', '/in', NULL);
         INSERT INTO ticket_links (ticket, other, kind) VALUES (1, 1, 'duplicate');
         INSERT INTO ticket_notices (ticket, seq, recipients, message_id, sent_at, last_error) VALUES (1, 1, 'rep@cust.example', '<m1@amoe>', {t}, NULL);
         INSERT INTO change_items (change, item, host, delivered_at) VALUES (1, 'a1a1a1a1a1a1a1a1a1a1a1a1', 'pop1', NULL);
         INSERT INTO deploys (id, site, kind, release, sha256, operator, message, ticket, started_at, ended_at, hosts, outcome)
           VALUES (1, 'www', 'deploy', 'r1', 'ab', 'op', 'v1 « été »', 1, {t}, {t}, '[\"pop1\"]', 'ok');
         INSERT INTO deploy_locks (site, holder, since, until) VALUES ('www', 'op@build (pid 2)', {t}, {t});
         INSERT INTO web_passwords (email, hash, set_at) VALUES ('rep@cust.example', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', {t});
         INSERT INTO web_links (token_sha256, email, created_at, expires_at, used_at) VALUES ('0a', 'rep@cust.example', {t}, {t}, NULL);
         INSERT INTO web_sessions (id_sha256, email, csrf, created_at, seen_at, stage) VALUES ('0b', 'rep@cust.example', 'c', {t}, {t}, 'code');
         INSERT INTO web_failures (id, email, address, at) VALUES (1, 'rep@cust.example', '192.0.2.1', {t});
         INSERT INTO web_totp (email, sealed, created_at, enabled_at, last_step) VALUES ('admin@ops.example', 'sealed', {t}, NULL, 0);"
    ));
    env
}

#[test]
fn store_copy_to_postgresql_and_back_exports_byte_for_byte_alike() {
    let Some(server) = server() else { return };
    let env = every_kind_of_record();
    let source = env.store.clone();
    let before = export(&env, &source, "export-file");
    let empty: Vec<&String> = before
        .iter()
        .filter(|(k, v)| {
            k.ends_with(".json") && *k != "manifest.json" && !k.contains('/') && {
                let t: serde_json::Value = serde_json::from_slice(v).expect("table json");
                t["rows"].as_array().is_none_or(|r| r.is_empty())
            }
        })
        .map(|(k, _)| k)
        .collect();
    assert!(empty.is_empty(), "tables without rows: {empty:?}");
    assert!(before.keys().any(|k| k.starts_with("attachments/")), "with an attachment");

    let pg = database(&server, "copy");
    let r = env.run_at(&source, &["store", "copy", "--to", pg.to_str().expect("utf8"), "-o", "json"]);
    assert_eq!(r.code, 0, "copy to PostgreSQL: {}{}", r.stdout, r.stderr);
    let report = r.json();
    assert_eq!(report["identical"], true);
    assert_eq!(report["attachments"], 1);
    assert!(!report["to"].as_str().unwrap_or("").contains('?'), "options are not shown: {report}");

    // A second copy into the same database is refused and changes nothing.
    let r = env.run_at(&source, &["store", "copy", "--to", pg.to_str().expect("utf8")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.starts_with("error: ") && r.stderr.contains("is not empty"), "{}", r.stderr);

    let back = env.path("back/amoe.db");
    let r = env.run_at(&pg, &["store", "copy", "--to", back.to_str().expect("utf8")]);
    assert_eq!(r.code, 0, "copy back: {}", r.stderr);
    assert_eq!(export(&env, &pg, "export-pg"), before, "PostgreSQL exports what the file does");
    assert_eq!(export(&env, &back, "export-back"), before, "file → PostgreSQL → file");
    let r = env.run_at(&pg, &["audit", "verify"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // An export of schema 14 (attachments were files then) imports into PostgreSQL with its
    // attachment: the rows at 14, the migration, then the bytes.
    let older = env.path("export-file");
    let manifest = std::fs::read_to_string(older.join("manifest.json")).expect("manifest");
    let latest = format!("\"schema_version\": {}", amoe_store::LATEST_VERSION);
    assert!(manifest.contains(&latest), "{manifest}");
    std::fs::write(older.join("manifest.json"), manifest.replace(&latest, "\"schema_version\": 14")).expect("write");
    let pg14 = database(&server, "from14");
    let r = env.run_at(&pg14, &["import", older.to_str().expect("utf8")]);
    assert_eq!(r.code, 0, "import of an older export: {}", r.stderr);
    assert_eq!(export(&env, &pg14, "export-from14"), before, "the older export's data, attachment included");
}

#[test]
fn concurrent_writers_lose_nothing_and_keep_the_journal_whole() {
    let Some(server) = server() else { return };
    let env = pg_env(&server, "writers");
    env.seed();
    const WRITERS: usize = 8;
    const CHANGES: usize = 50;
    let children: Vec<_> = (0..WRITERS)
        .map(|w| {
            let env = &env;
            let mut script = String::new();
            for c in 0..CHANGES {
                script.push_str(&format!(
                    "\"$AMOE\" --store \"$STORE\" host add w{w}c{c} --address 127.0.0.{}:{} || exit 1\n",
                    w + 1,
                    7000 + c
                ));
            }
            let mut cmd = std::process::Command::new("sh");
            crate::support::clean(&mut cmd, env.dir.path());
            cmd.args(["-c", &script])
                .env("AMOE", crate::support::AMOE)
                .env("STORE", &env.store)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn writer")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("writer");
        assert!(out.status.success(), "a writer failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let hosts = env.ok(&["host", "list", "-o", "json"]).json();
    assert_eq!(hosts.as_array().map(Vec::len), Some(WRITERS * CHANGES + 2), "every change is there");
    let v = env.ok(&["audit", "verify", "-o", "json"]).json();
    assert_eq!(v["intact"], true, "{v}");
    assert_eq!(v["entries"].as_u64(), Some((1 + 4 + WRITERS * CHANGES) as u64), "{v}");
}

#[test]
fn a_server_that_cannot_be_used_is_named_with_what_to_do() {
    let Some(server) = server() else { return };
    let env = Env::bare();
    let run = |url: &str| env.run_at(Path::new(url), &["site", "list"]);
    // A password in the URL is refused before anything is sent.
    let r = run("postgres://amoe:secret@127.0.0.1:1/x?sslmode=disable");
    assert_eq!(r.code, 1);
    assert!(r.stderr.starts_with("error: ") && r.stderr.contains("password file"), "{}", r.stderr);
    assert!(!r.stderr.contains("secret"), "the password is not echoed: {}", r.stderr);
    // No TLS is refused off loopback.
    let r = run("postgres://amoe@db.example.fr/amoe?sslmode=disable");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("loopback"), "{}", r.stderr);
    // Nothing listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let r = run(&format!("postgres://amoe@127.0.0.1:{closed}/amoe?sslmode=disable"));
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.starts_with("error: cannot reach the store's PostgreSQL server postgres://amoe@127.0.0.1:")
            && r.stderr.contains("hint: "),
        "{}",
        r.stderr
    );
    // A wrong password (a password file that does not match the server's).
    let wrong = env.path("wrong.pgpass");
    std::fs::write(&wrong, "*:*:*:*:not-the-password\n").expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrong, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let url = server.split('?').next().unwrap_or(&server).to_owned();
    let r = run(&format!("{url}?sslmode=disable&passfile={}", wrong.display()));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("password authentication failed"), "{}", r.stderr);
    // A password file others can read is refused.
    std::fs::set_permissions(&wrong, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let r = run(&format!("{url}?sslmode=disable&passfile={}", wrong.display()));
    assert!(r.code == 1 && r.stderr.contains("chmod 600"), "{}", r.stderr);
    // TLS: the cluster speaks none, and verify-full is the default.
    let ca = env.path("ca.pem");
    std::fs::write(&ca, "not a certificate").expect("write");
    let r = run(&format!("{url}?sslrootcert={}", ca.display()));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("holds no certificate"), "{}", r.stderr);
    // A database holding another application's tables is not taken over.
    let foreign = database(&server, "foreign");
    let r = Env::bare().run_at(&foreign, &["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let other = database(&server, "other");
    let psql_url = other.to_str().expect("utf8").to_owned();
    let status = std::process::Command::new("psql")
        .arg(psql_url.replace("postgres://", "postgresql://"))
        .args(["-qc", "CREATE TABLE invoices (id integer)"])
        .status()
        .expect("psql");
    assert!(status.success());
    let r = env.run_at(&other, &["init"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("another application") && r.stderr.contains("invoices"), "{}", r.stderr);
    // A store written by a newer amoe is refused, untouched.
    let status = std::process::Command::new("psql")
        .arg(foreign.to_str().expect("utf8").replace("postgres://", "postgresql://"))
        .args(["-qc", "UPDATE amoe_schema SET version = 99"])
        .status()
        .expect("psql");
    assert!(status.success());
    let r = env.run_at(&foreign, &["site", "list"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("schema version 99, newer than this amoe knows"), "{}", r.stderr);
    // Backups of a PostgreSQL store are pg_dump's.
    let fresh = pg_env(&server, "backup");
    let r = fresh.run(&["backup", env.path("b.db").to_str().expect("utf8")]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("pg_dump"), "{}", r.stderr);
}

/// A TCP relay to the cluster that, once armed, cuts a connection where the client sends
/// `COMMIT` (the connection is plain on loopback, so the query is visible): the server never
/// receives it.
struct Cutter {
    port: u16,
    armed: std::sync::Arc<std::sync::atomic::AtomicBool>,
    cuts: std::sync::Arc<AtomicU32>,
}

impl Cutter {
    fn start(server_port: u16) -> Cutter {
        use std::io::{Read, Write};
        use std::sync::Arc;
        use std::sync::atomic::AtomicBool;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let armed = Arc::new(AtomicBool::new(false));
        let cuts = Arc::new(AtomicU32::new(0));
        let (a, c) = (armed.clone(), cuts.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(mut client) = client else { return };
                let Ok(mut upstream) = std::net::TcpStream::connect(("127.0.0.1", server_port)) else { return };
                let (mut client_r, mut upstream_w) =
                    (client.try_clone().expect("clone"), upstream.try_clone().expect("clone"));
                let (a, c) = (a.clone(), c.clone());
                std::thread::spawn(move || {
                    let mut buf = [0u8; 65536];
                    loop {
                        let n = match client_r.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        if a.load(Ordering::SeqCst) && buf[..n].windows(6).any(|w| w == b"COMMIT") {
                            c.fetch_add(1, Ordering::SeqCst);
                            let _ = client_r.shutdown(std::net::Shutdown::Both);
                            let _ = upstream_w.shutdown(std::net::Shutdown::Both);
                            break;
                        }
                        if upstream_w.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                });
                std::thread::spawn(move || {
                    let mut buf = [0u8; 65536];
                    while let Ok(n) = upstream.read(&mut buf) {
                        if n == 0 || client.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = client.shutdown(std::net::Shutdown::Both);
                });
            }
        });
        Cutter { port, armed, cuts }
    }
}

#[test]
fn a_connection_cut_inside_a_write_leaves_nothing_half_written() {
    let Some(server) = server() else { return };
    let env = pg_env(&server, "cut");
    env.seed();
    let url = env.store.to_str().expect("utf8").to_owned();
    let (port, passfile) = port_and_passfile(&url);
    let passfile = passfile.as_str();
    let cutter = Cutter::start(port);
    // The relay's port needs its line in the password file too.
    let lines = std::fs::read_to_string(passfile).expect("pgpass").replacen(&format!(":{port}:"), ":*:", 1);
    let relay_pass = env.path("relay.pgpass");
    std::fs::write(&relay_pass, lines).expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&relay_pass, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let through = PathBuf::from(url.replacen(&format!(":{port}/"), &format!(":{}/", cutter.port), 1).replacen(
        passfile,
        relay_pass.to_str().expect("utf8"),
        1,
    ));
    // Through the relay, unarmed: it works.
    let r = env.run_at(&through, &["host", "add", "relayed", "--address", "127.0.0.1:7450"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Armed: the site's change, its hosts and its audit entry are all written, then the
    // connection goes before COMMIT.
    cutter.armed.store(true, Ordering::SeqCst);
    let r = env.run_at(&through, &["site", "update", "www", "--add-host", "relayed", "--add-domain", "cut.example.fr"]);
    assert_eq!(cutter.cuts.load(Ordering::SeqCst), 1, "the relay cut at COMMIT: {}", r.stderr);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.starts_with("error: ") && !r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(r.stderr.contains("nothing was half-written"), "{}", r.stderr);
    // Directly: nothing of it is there, and the journal is whole.
    let site = env.ok(&["site", "show", "www", "-o", "json"]).json();
    assert_eq!(site["hosts"], serde_json::json!(["pop1"]), "{site}");
    assert!(!site["domains"].to_string().contains("cut.example.fr"), "{site}");
    let v = env.ok(&["audit", "verify", "-o", "json"]).json();
    assert_eq!(v["intact"], true, "{v}");
    assert!(!env.ok(&["audit", "list", "-o", "json"]).stdout.contains("cut.example.fr"));
    // And the same change, once the network is back, goes through.
    cutter.armed.store(false, Ordering::SeqCst);
    let r = env.run_at(&through, &["site", "update", "www", "--add-host", "relayed", "--add-domain", "cut.example.fr"]);
    assert!(r.code == 0 || r.code == 3, "{}", r.stderr);
    let site = env.ok(&["site", "show", "www", "-o", "json"]).json();
    assert!(site["domains"].to_string().contains("cut.example.fr"), "{site}");
}

#[test]
fn tls_checks_the_servers_certificate_and_its_name() {
    let Some(server) = server() else { return };
    // The cluster's CA and password file sit side by side (scripts/pg-cluster.sh); its
    // certificate is issued for `localhost` only.
    let (port, passfile) = port_and_passfile(&server);
    let ca = Path::new(&passfile).with_file_name("ca.pem");
    let env = Env::bare();
    let url = |host: &str, ca: &Path| {
        PathBuf::from(format!(
            "postgres://amoe@{host}:{port}/postgres?sslrootcert={}&passfile={passfile}",
            ca.display()
        ))
    };
    // verify-full is the default: the right CA and the right name.
    let r = env.run_at(&url("localhost", &ca), &["site", "list", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The same server by its address: the certificate does not name it.
    let r = env.run_at(&url("127.0.0.1", &ca), &["site", "list"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("not valid for name \"127.0.0.1\""), "{}", r.stderr);
    assert!(r.stderr.contains("hint: ") && r.stderr.contains("sslrootcert"), "{}", r.stderr);
    // Another CA: the certificate is not trusted.
    let other = env.path("other-ca.pem");
    let status = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1"])
        .args(["-subj", "/CN=someone else", "-keyout"])
        .arg(env.path("other-ca.key"))
        .arg("-out")
        .arg(&other)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl");
    assert!(status.success());
    let r = env.run_at(&url("localhost", &other), &["site", "list"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("UnknownIssuer"), "{}", r.stderr);
}
