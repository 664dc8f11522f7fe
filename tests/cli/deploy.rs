//! `amoe deploy` on three real agents: all switch or none, rollback, staging, the lock,
//! crafted bundles refused without a byte outside the release, hooks.

use crate::fleet::Fleet;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A site folder whose index says `version`.
fn site_dir(fleet: &Fleet, version: &str) -> PathBuf {
    let dir = fleet.env.path(&format!("src-{version}"));
    std::fs::create_dir_all(dir.join("assets")).expect("dir");
    std::fs::write(dir.join("index.html"), format!("<h1>{version}</h1>\n")).expect("index");
    std::fs::write(dir.join("assets/app.js"), format!("console.log('{version}');\n")).expect("js");
    let _ = std::os::unix::fs::symlink("index.html", dir.join("home.html"));
    dir
}

fn current(fleet: &Fleet, i: usize) -> Option<String> {
    std::fs::read_link(fleet.agents[i].state.join("releases/www/current")).ok().map(|p| p.display().to_string())
}

fn served(fleet: &Fleet, i: usize) -> String {
    std::fs::read_to_string(fleet.agents[i].state.join("releases/www/current/index.html")).unwrap_or_default()
}

fn deploy(fleet: &Fleet, dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let mut a = vec!["deploy", "www", dir.to_str().expect("utf8"), "-o", "json"];
    a.extend_from_slice(extra);
    let r = fleet.run(&a);
    let v = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
    (r.code, v, r.stderr)
}

#[test]
fn a_deploy_switches_every_host_and_rolls_back() {
    let fleet = Fleet::new(3);
    let v1 = site_dir(&fleet, "v1");
    // A dry run sends nothing.
    let (code, dry, _) = deploy(&fleet, &v1, &["--dry-run"]);
    assert_eq!(code, 0);
    assert_eq!((dry["dry_run"].as_bool(), dry["files"].as_u64()), (Some(true), Some(2)), "{dry}");
    assert!(current(&fleet, 0).is_none() && !fleet.agents[0].state.join("releases/www").exists());

    let (code, r1, err) = deploy(&fleet, &v1, &["--message", "v1"]);
    assert_eq!(code, 0, "{r1}{err}");
    let id1 = r1["release"].as_str().expect("id").to_owned();
    // Packed while sent, the same bytes as the dry run hashed.
    assert_eq!((r1["sha256"].as_str().map(str::len), &r1["sha256"]), (Some(64), &dry["sha256"]), "{r1}");
    for i in 0..3 {
        assert_eq!(current(&fleet, i).as_deref(), Some(id1.as_str()));
        assert_eq!(served(&fleet, i), "<h1>v1</h1>\n");
        let link = fleet.agents[i].state.join("releases/www").join(&id1).join("home.html");
        assert_eq!(std::fs::read_link(link).expect("link kept").display().to_string(), "index.html");
    }
    // A cached page of the site (it still has an origin) is soft-purged by `--flush`.
    let cache = |i: usize| {
        let (_, h, _) = raw(fleet.agents[i].proxy, "GET", "/page", "www.example.test", &[]);
        header(&h, "x-cache").unwrap_or_default().to_string()
    };
    cache(0);
    assert_eq!(cache(0), "HIT");
    let v2 = site_dir(&fleet, "v2");
    let (code, r2, err) = deploy(&fleet, &v2, &["--message", "v2", "--flush"]);
    assert_ne!(cache(0), "HIT", "purged after the switch");
    assert_eq!(code, 0, "{r2}{err}");
    let id2 = r2["release"].as_str().expect("id").to_owned();
    assert!((0..3).all(|i| served(&fleet, i) == "<h1>v2</h1>\n"));
    assert!(r2["hosts"].as_array().expect("hosts").iter().all(|h| h["previous"] == id1.as_str()), "{r2}");

    // The list: both releases on the three hosts, v2 current everywhere.
    let list = fleet.ok(&["deploy", "list", "www", "-o", "json"]).json();
    let rows = list.as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    let row2 = rows.iter().find(|r| r["id"] == id2.as_str()).expect("v2");
    assert_eq!(row2["current_on"].as_array().map(Vec::len), Some(3));
    assert_eq!((row2["by"].as_str(), row2["message"].as_str()), (Some("op"), Some("v2")));
    assert_eq!(row2["sha256"], r2["sha256"]);
    // A folder's bundle is kept by no host: any can make it again from the release.
    assert_eq!(row2["bundle_on"], serde_json::json!(["pop0", "pop1", "pop2"]), "{row2}");
    assert!((0..3).all(|i| !fleet.agents[i].state.join(format!("releases/www/{id2}.bundle")).exists()));

    // Rollback: v1 everywhere again.
    let r = fleet.run(&["deploy", "rollback", "www", "-o", "json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!((0..3).all(|i| current(&fleet, i).as_deref() == Some(id1.as_str())));
    assert!((0..3).all(|i| served(&fleet, i) == "<h1>v1</h1>\n"));

    // Staged, then switched at the agreed time (by a ci certificate: it may deploy).
    let v3 = site_dir(&fleet, "v3");
    let r = fleet.run_as("pipeline", &["deploy", "www", v3.to_str().expect("utf8"), "--stage", "-o", "json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let id3 = serde_json::from_str::<Value>(&r.stdout).expect("json")["release"].as_str().expect("id").to_owned();
    assert!((0..3).all(|i| current(&fleet, i).as_deref() == Some(id1.as_str())), "staging switches nothing");
    let staged = fleet.ok(&["deploy", "list", "www", "-o", "json"]).json();
    assert!(staged.as_array().expect("rows").iter().any(|r| r["id"] == id3.as_str() && r["staged"] == true));
    let r = fleet.run_as("pipeline", &["deploy", "switch", "www", &id3]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!((0..3).all(|i| served(&fleet, i) == "<h1>v3</h1>\n"));
    // An unknown release: exit 1, naming those there are.
    let r = fleet.run(&["deploy", "switch", "www", "nosuch"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains(&id1) && r.stderr.contains(&id3), "{}", r.stderr);

    // Every deploy, switch and rollback is recorded and journaled.
    let kinds: Vec<String> = {
        let db = fleet.env.db();
        let mut st = db.prepare("SELECT kind || ':' || outcome FROM deploys ORDER BY id").expect("query");
        st.query_map([], |r| r.get(0)).expect("rows").collect::<Result<_, _>>().expect("kinds")
    };
    assert_eq!(kinds, ["deploy:ok", "deploy:ok", "rollback:ok", "stage:ok", "switch:ok"]);
    let audit = fleet.ok(&["audit", "list", "--target", "site:www", "-o", "json"]).stdout;
    assert!(audit.contains("deploy rollback") && audit.contains("deploy stage"), "{audit}");
    let journal = fleet.agents[0].journal();
    assert!(
        journal
            .iter()
            .any(|j| j["path"].as_str().is_some_and(|p| p.ends_with("/current")) && j["client"] == "pipeline")
    );
}

#[test]
fn none_switches_when_one_host_misses_the_release() {
    let mut fleet = Fleet::new(3);
    let v1 = site_dir(&fleet, "v1");
    let (code, r1, _) = deploy(&fleet, &v1, &[]);
    assert_eq!(code, 0);
    let id1 = r1["release"].as_str().expect("id").to_owned();
    fleet.agents[2].stop();
    let v2 = site_dir(&fleet, "v2");
    let (code, r2, err) = deploy(&fleet, &v2, &[]);
    assert_eq!(code, 1, "{r2}{err}");
    assert_eq!(r2["switched"], false);
    assert_eq!(r2["received"], false);
    let pop2 = r2["hosts"].as_array().expect("hosts").iter().find(|h| h["host"] == "pop2").expect("pop2");
    assert!(pop2["error"].as_str().is_some_and(|e| e.starts_with("upload: cannot connect")), "{pop2}");
    assert!((0..2).all(|i| current(&fleet, i).as_deref() == Some(id1.as_str())), "no host switched");
    fleet.agents[2].start();

    // A switch that fails on one host: the others are switched back.
    let (code, r3, _) = deploy(&fleet, &v2, &["--stage"]);
    assert_eq!(code, 0, "{r3}");
    let id3 = r3["release"].as_str().expect("id").to_owned();
    let link = fleet.agents[1].state.join("releases/www/current");
    std::fs::remove_file(&link).expect("unlink");
    std::fs::create_dir_all(link.join("blocker")).expect("a folder where the link goes");
    let r = fleet.run(&["deploy", "switch", "www", &id3, "-o", "json"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let rep: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(rep["rolled_back"], true, "{rep}");
    assert_eq!(current(&fleet, 0).as_deref(), Some(id1.as_str()), "switched back");
    assert_eq!(current(&fleet, 2).as_deref(), Some(id1.as_str()), "switched back");
}

#[test]
fn one_deploy_at_a_time() {
    let fleet = Fleet::new(1);
    let v1 = site_dir(&fleet, "v1");
    let until = (jiff::Timestamp::now() + jiff::SignedDuration::from_secs(600)).to_string();
    fleet
        .env
        .db()
        .execute(
            "INSERT INTO deploy_locks (site, holder, since, until) VALUES ('www', 'alice@build (pid 7)', '2026-11-27T10:00:00.000Z', ?1)",
            [&until],
        )
        .expect("lock");
    let (code, _, err) = deploy(&fleet, &v1, &[]);
    assert_eq!(code, 1);
    assert!(err.contains("being deployed by alice@build (pid 7)") && err.contains("expires"), "{err}");
    assert!(current(&fleet, 0).is_none());
    // A lock left by a killed run expires.
    fleet.env.db().execute("UPDATE deploy_locks SET until = '2026-11-27T10:30:00.000Z'", []).expect("expire");
    let (code, _, err) = deploy(&fleet, &v1, &[]);
    assert_eq!(code, 0, "{err}");
    let locks: i64 = fleet.env.db().query_row("SELECT COUNT(*) FROM deploy_locks", [], |r| r.get(0)).expect("n");
    assert_eq!(locks, 0, "given back");
}

/// A tar with one crafted entry after a harmless one.
fn crafted(path: &Path, kind: &str) {
    let mut b = tar::Builder::new(std::fs::File::create(path).expect("tar"));
    let mut ok = tar::Header::new_gnu();
    ok.set_size(3);
    ok.set_mode(0o644);
    ok.set_entry_type(tar::EntryType::Regular);
    ok.set_path("ok.txt").expect("path");
    ok.set_cksum();
    b.append(&ok, &b"ok\n"[..]).expect("ok");
    let mut h = tar::Header::new_gnu();
    h.set_mode(0o644);
    let raw = |h: &mut tar::Header, name: &str| {
        let n = &mut h.as_gnu_mut().expect("gnu").name;
        n.fill(0);
        n[..name.len()].copy_from_slice(name.as_bytes());
    };
    match kind {
        "dotdot" => {
            h.set_entry_type(tar::EntryType::Regular);
            h.set_size(4);
            raw(&mut h, "../escape.txt");
        }
        "absolute" => {
            h.set_entry_type(tar::EntryType::Regular);
            h.set_size(4);
            raw(&mut h, "/tmp/amoe-escape.txt");
        }
        "symlink" => {
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_size(0);
            raw(&mut h, "evil");
            h.set_link_name("../../../../..").expect("link");
        }
        "device" => {
            h.set_entry_type(tar::EntryType::Char);
            h.set_size(0);
            raw(&mut h, "null");
        }
        "hardlink" => {
            h.set_entry_type(tar::EntryType::Link);
            h.set_size(0);
            raw(&mut h, "hard");
            h.set_link_name("ok.txt").expect("link");
        }
        _ => unreachable!(),
    }
    h.set_cksum();
    let data: &[u8] = if h.entry_type() == tar::EntryType::Regular { b"bad\n" } else { b"" };
    b.append(&h, data).expect("append");
    b.finish().expect("finish");
}

#[test]
fn crafted_bundles_are_refused_without_writing_outside() {
    let mut fleet = Fleet::new(1);
    // This host takes bundles of 64 KiB at most.
    let cfg = fleet.agents[0].config.clone();
    let mut text = std::fs::read_to_string(&cfg).expect("config");
    text.push_str("[deploy]\nmax_bundle_bytes = 65536\n");
    std::fs::write(&cfg, text).expect("config");
    fleet.agents[0].stop();
    fleet.agents[0].start();
    let releases = fleet.agents[0].state.join("releases/www");
    for (kind, needle) in [
        ("dotdot", "`../escape.txt` climbs out"),
        ("absolute", "is an absolute path"),
        ("symlink", "`evil` links out of the release"),
        ("device", "`null` is a Char entry"),
        ("hardlink", "`hard` is a hard link"),
    ] {
        let bundle = fleet.env.path(&format!("{kind}.tar"));
        crafted(&bundle, kind);
        let r = fleet.run(&["deploy", "www", bundle.to_str().expect("utf8")]);
        assert_eq!(r.code, 1, "{kind}: {}{}", r.stdout, r.stderr);
        let text = format!("{}{}", r.stdout, r.stderr);
        assert!(text.contains(needle), "{kind}: {text}");
        // Nothing left: no release, no partial folder, no upload, nothing beside the state.
        let left: Vec<String> = std::fs::read_dir(&releases)
            .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "{kind}: {left:?}");
    }
    assert!(!fleet.agents[0].state.join("releases/escape.txt").exists());
    assert!(!Path::new("/tmp/amoe-escape.txt").exists());
    // Too big for this host.
    let big = fleet.env.path("big");
    std::fs::create_dir_all(&big).expect("dir");
    std::fs::write(big.join("blob.bin"), vec![7u8; 200_000]).expect("blob");
    let r = fleet.run(&["deploy", "www", big.to_str().expect("utf8")]);
    assert_eq!(r.code, 1);
    assert!(
        format!("{}{}", r.stdout, r.stderr).contains("over this host's limit of 65536 bytes"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert!(current(&fleet, 0).is_none());
    // A folder that is not one.
    let r = fleet.run(&["deploy", "www", "/nonexistent/site"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn hooks_from_agent_toml_run_after_the_switch() {
    let mut fleet = Fleet::new(1);
    let cfg = fleet.agents[0].config.clone();
    let mut text = std::fs::read_to_string(&cfg).expect("config");
    text.push_str("[[deploy.hooks.www]]\ncommand = [\"/bin/sh\", \"-c\", \"echo reloaded $AMOE_SITE $AMOE_RELEASE\"]\ntimeout_secs = 5\n");
    std::fs::write(&cfg, text).expect("config");
    fleet.agents[0].stop();
    fleet.agents[0].start();
    let v1 = site_dir(&fleet, "v1");
    let (code, r, err) = deploy(&fleet, &v1, &[]);
    assert_eq!(code, 0, "{r}{err}");
    let id = r["release"].as_str().expect("id");
    let hook = &r["hosts"][0]["hooks"][0];
    assert_eq!(hook["code"], 0);
    assert_eq!(hook["output"].as_str().map(str::trim), Some(format!("reloaded www {id}").as_str()));
    assert!(fleet.agents[0].journal().iter().any(|j| j["hook"].is_array() && j["release"] == id));
}

/// A bundle deposited on a ticket (003 §4.1.4.3) is deployed from there, and the deploy is
/// recorded on the ticket.
#[test]
fn a_bundle_deposited_on_a_ticket_is_deployed() {
    let fleet = Fleet::new(1);
    fleet.ok(&["user", "add", "admin@ops.example", "--name", "Admin", "--admin", "--login", "tester"]);
    fleet.ok(&["project", "add", "p1", "--label", "Portail"]);
    fleet.ok(&["space", "add", "s1", "--member", "admin@ops.example"]);
    let t = fleet
        .ok(&["ticket", "new", "--project", "p1", "--space", "s1", "--type", "release", "--title", "v4", "-o", "json"])
        .json();
    let id = t["id"].as_i64().expect("id").to_string();
    let v4 = site_dir(&fleet, "v4");
    let tgz = fleet.env.path("site-v4.tar.gz");
    let st = std::process::Command::new("tar").arg("-czf").arg(&tgz).arg("-C").arg(&v4).arg(".").status().expect("tar");
    assert!(st.success());
    fleet.ok(&["ticket", "attach", &id, tgz.to_str().expect("utf8")]);
    let source = format!("ticket:{id}:site-v4.tar.gz");
    // The same as .tar.zst, deployed directly.
    let zst = fleet.env.path("site-v4.tar.zst");
    let st = std::process::Command::new("tar")
        .arg("--zstd")
        .arg("-cf")
        .arg(&zst)
        .arg("-C")
        .arg(&v4)
        .arg(".")
        .status()
        .expect("tar");
    assert!(st.success(), "tar --zstd (scripts/test.sh installs zstd)");
    let (code, r, err) = deploy(&fleet, &zst, &[]);
    assert_eq!(code, 0, "{r}{err}");
    assert_eq!(served(&fleet, 0), "<h1>v4</h1>\n");
    let (code, r, err) = deploy(&fleet, Path::new(&source), &["--ticket", &id]);
    assert_eq!(code, 0, "{r}{err}");
    assert_eq!(served(&fleet, 0), "<h1>v4</h1>\n");
    let shown = fleet.ok(&["ticket", "show", &id, "-o", "json"]).stdout;
    assert!(shown.contains(r["release"].as_str().expect("release")), "{shown}");
    // Another name, or a ticket that does not exist: refused, nothing sent.
    let (code, _, err) = deploy(&fleet, Path::new(&format!("ticket:{id}:nosuch.tar")), &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no attachment `nosuch.tar`"), "{err}");
    let (code, _, _) = deploy(&fleet, Path::new("ticket:999:x.tar"), &[]);
    assert_eq!(code, 1);
}

/// The very release accepted on pre-production (same SHA-256, same id) promoted to production.
#[test]
fn a_release_accepted_on_preproduction_is_promoted() {
    let fleet = Fleet::new(2);
    fleet.ok(&[
        "site",
        "add",
        "pre",
        "--domain",
        "pre.example.test",
        "--beneficiary",
        crate::support::SIRET,
        "--origin",
        "http://127.0.0.1:9",
        "--host",
        "pop0",
    ]);
    let v5 = site_dir(&fleet, "v5");
    let r = fleet.run(&["deploy", "pre", v5.to_str().expect("utf8"), "-o", "json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let pre: Value = serde_json::from_str(&r.stdout).expect("json");
    let id = pre["release"].as_str().expect("id");
    let r = fleet.run(&["deploy", "promote", "www", "--from", "pre", id, "-o", "json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let prod: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(
        (prod["release"].as_str(), prod["sha256"].as_str(), prod["kind"].as_str()),
        (Some(id), pre["sha256"].as_str(), Some("promote"))
    );
    assert!((0..2).all(|i| served(&fleet, i) == "<h1>v5</h1>\n"));
    let r = fleet.run(&["deploy", "promote", "www", "--from", "pre", "nosuch"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no host of `pre` has release `nosuch`"), "{}", r.stderr);

    // An archive is kept as it came by one host, and promoted as it is.
    let v6 = site_dir(&fleet, "v6");
    let tgz = fleet.env.path("v6.tar.gz");
    let st = std::process::Command::new("tar").arg("-czf").arg(&tgz).arg("-C").arg(&v6).arg(".").status().expect("tar");
    assert!(st.success());
    let r = fleet.run(&["deploy", "pre", tgz.to_str().expect("utf8"), "-o", "json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let pre6: Value = serde_json::from_str(&r.stdout).expect("json");
    let id6 = pre6["release"].as_str().expect("id");
    let kept = std::fs::read(fleet.agents[0].state.join(format!("releases/pre/{id6}.bundle"))).expect("kept");
    assert_eq!(kept, std::fs::read(&tgz).expect("tgz"), "the archive as sent");
    let r = fleet.run(&["deploy", "promote", "www", "--from", "pre", id6, "-o", "json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let prod6: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(prod6["sha256"], pre6["sha256"]);
    assert!((0..2).all(|i| served(&fleet, i) == "<h1>v6</h1>\n"));

    // A folder's release changed on the host no longer packs to its SHA-256: refused, and
    // nothing switches.
    let v7 = site_dir(&fleet, "v7");
    let r = fleet.run(&["deploy", "pre", v7.to_str().expect("utf8"), "-o", "json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let id7 = serde_json::from_str::<Value>(&r.stdout).expect("json")["release"].as_str().expect("id").to_owned();
    let changed = fleet.agents[0].state.join(format!("releases/pre/{id7}/index.html"));
    std::fs::write(&changed, "<h1>tampered</h1>\n").expect("tamper");
    let r = fleet.run(&["deploy", "promote", "www", "--from", "pre", &id7]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("not sent") || r.stderr.contains("checksum mismatch"), "{}", r.stderr);
    assert!((0..2).all(|i| served(&fleet, i) == "<h1>v6</h1>\n"), "still v6");
}

/// One raw request to a proxy port; (status, headers lowercased, body).
fn raw(port: u16, method: &str, path: &str, host: &str, extra: &[&str]) -> (u16, Vec<(String, String)>, Vec<u8>) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect proxy");
    s.set_read_timeout(Some(std::time::Duration::from_secs(5))).expect("timeout");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for h in extra {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).expect("write");
    let mut all = Vec::new();
    let _ = s.read_to_end(&mut all);
    let split = all.windows(4).position(|w| w == b"\r\n\r\n").expect("a response head");
    let text = String::from_utf8_lossy(&all[..split]).into_owned();
    let mut lines = text.lines();
    let status = lines.next().and_then(|l| l.get(9..12)).and_then(|c| c.parse().ok()).unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string())))
        .collect();
    (status, headers, all[split + 4..].to_vec())
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A static site served by the proxy from its current release: types, validators and 304,
/// ranges, precompressed variants, folders, its 404 page, and nothing outside the release.
#[test]
fn a_static_site_is_served_from_its_current_release() {
    let fleet = Fleet::new(1);
    let r = fleet.run(&[
        "site",
        "add",
        "doc",
        "--domain",
        "doc.example.test",
        "--beneficiary",
        crate::support::SIRET,
        "--static",
        "--not-found-page",
        "/404.html",
        "--host",
        "pop0",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let port = fleet.agents[0].proxy;
    let get = |path: &str, extra: &[&str]| raw(port, "GET", path, "doc.example.test", extra);
    assert_eq!(get("/", &[]).0, 503, "nothing deployed yet");

    let dir = fleet.env.path("doc");
    std::fs::create_dir_all(dir.join("guide")).expect("dir");
    std::fs::write(dir.join("index.html"), "<h1>doc</h1>").expect("index");
    std::fs::write(dir.join("style.css"), "body{}").expect("css");
    let big: Vec<u8> = (0..1000u32).map(|i| b'a' + (i % 26) as u8).collect();
    std::fs::write(dir.join("big.txt"), &big).expect("big");
    std::fs::write(dir.join("big.txt.gz"), b"GZIP-VARIANT").expect("gz");
    std::fs::write(dir.join("big.txt.br"), b"BROTLI-VARIANT").expect("br");
    std::fs::write(dir.join("404.html"), "<h1>perdu</h1>").expect("404");
    std::fs::write(dir.join("guide/index.html"), "<h1>guide</h1>").expect("guide");
    let r = fleet.run(&["deploy", "doc", dir.to_str().expect("utf8")]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    let (status, h, body) = get("/", &[]);
    assert_eq!((status, body.as_slice()), (200, &b"<h1>doc</h1>"[..]));
    assert_eq!(header(&h, "content-type"), Some("text/html; charset=utf-8"));
    let etag = header(&h, "etag").expect("etag").to_string();
    let lm = header(&h, "last-modified").expect("last-modified").to_string();
    assert_eq!(get("/", &[&format!("If-None-Match: {etag}")]).0, 304);
    assert_eq!(get("/", &[&format!("If-Modified-Since: {lm}")]).0, 304);
    assert_eq!(get("/", &["If-None-Match: \"other\""]).0, 200);
    assert_eq!(header(&get("/style.css", &[]).1, "content-type"), Some("text/css; charset=utf-8"));
    // Ranges.
    let (status, h, body) = get("/big.txt", &["Range: bytes=10-19"]);
    assert_eq!((status, header(&h, "content-range")), (206, Some("bytes 10-19/1000")));
    assert_eq!(body, &big[10..20]);
    let (status, h, _) = get("/big.txt", &["Range: bytes=5000-"]);
    assert_eq!((status, header(&h, "content-range")), (416, Some("bytes */1000")));
    // Precompressed variants by Accept-Encoding, the file itself otherwise.
    let (_, h, body) = get("/big.txt", &["Accept-Encoding: gzip, br"]);
    assert_eq!((header(&h, "content-encoding"), body.as_slice()), (Some("br"), &b"BROTLI-VARIANT"[..]));
    let (_, h, body) = get("/big.txt", &["Accept-Encoding: gzip"]);
    assert_eq!((header(&h, "content-encoding"), body.as_slice()), (Some("gzip"), &b"GZIP-VARIANT"[..]));
    let (_, h, body) = get("/big.txt", &["Accept-Encoding: br;q=0, identity"]);
    assert_eq!((header(&h, "content-encoding"), body.len()), (None, 1000));
    assert_eq!(header(&h, "vary"), Some("Accept-Encoding"));
    // Folders, the 404 page, methods, and paths that try to leave the release.
    let (status, h, _) = get("/guide", &[]);
    assert_eq!((status, header(&h, "location")), (301, Some("/guide/")));
    assert_eq!(get("/guide/", &[]).2, b"<h1>guide</h1>");
    let (status, _, body) = get("/nope.html", &[]);
    assert_eq!((status, body.as_slice()), (404, &b"<h1>perdu</h1>"[..]));
    for evil in
        ["/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/guide/..%2f..%2f404.html", "/..%5c..%5cetc%5cpasswd"]
    {
        let (status, _, body) = get(evil, &[]);
        assert!(matches!(status, 400 | 404), "{evil}: {status}");
        assert!(!String::from_utf8_lossy(&body).contains("root:"), "{evil}");
    }
    assert_eq!(raw(port, "POST", "/", "doc.example.test", &["Content-Length: 0"]).0, 405);
    assert_eq!(raw(port, "HEAD", "/big.txt", "doc.example.test", &[]).2.len(), 0);
    // Pushing the site's configuration never changes which release is current.
    let before = std::fs::read_link(fleet.agents[0].state.join("releases/doc/current")).expect("current");
    fleet.ok(&["site", "push", "doc"]);
    assert_eq!(std::fs::read_link(fleet.agents[0].state.join("releases/doc/current")).expect("current"), before);
    assert_eq!(get("/", &[]).0, 200);
}

/// A bundle whose bytes are not the announced SHA-256 is refused before anything is unpacked;
/// old releases go beyond `--keep`, never the current one nor a staged one.
#[test]
fn checksums_are_checked_and_old_releases_go() {
    let fleet = Fleet::new(1);
    let tar = fleet.env.path("one.tar");
    crafted_ok(&tar);
    let body = std::fs::read(&tar).expect("tar");
    let head = format!(
        "PUT /v1/sites/www/releases/r1 HTTP/1.1\r\nHost: 127.0.0.1\r\namoe-release-sha256: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        "0".repeat(64),
        body.len()
    );
    let (status, text) = fleet.raw_call(0, "op", &head, &body);
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("checksum mismatch"), "{text}");
    let releases = fleet.agents[0].state.join("releases/www");
    let left: Vec<String> = std::fs::read_dir(&releases)
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
    // The same release sent twice (a retry): the second is answered, after its body is read,
    // with what the host has; nothing is unpacked again.
    let sha: String = {
        use sha2::Digest;
        sha2::Sha256::digest(&body).iter().map(|b| format!("{b:02x}")).collect()
    };
    let head = head.replace(&"0".repeat(64), &sha);
    for _ in 0..2 {
        let (status, text) = fleet.raw_call(0, "op", &head, &body);
        assert_eq!(status, 200, "{text}");
        assert!(text.contains(&sha), "{text}");
    }
    let (code, _, err) = deploy(&fleet, &site_dir(&fleet, "twice"), &[]);
    assert_eq!(code, 0, "{err}");
    let again = fleet.env.path("src-twice");
    let (code, _, err) = deploy(&fleet, &again, &[]);
    assert_eq!(code, 0, "the same folder again: {err}");

    // Keep 2: after four deploys, the current and the one before; a staged one stays.
    let r1_gone = fleet.run(&["deploy", "switch", "www", "r1", "--keep", "1"]);
    assert_eq!(r1_gone.code, 0, "{}{}", r1_gone.stdout, r1_gone.stderr);
    let ids: Vec<String> = (1..=4)
        .map(|v| {
            let d = site_dir(&fleet, &format!("k{v}"));
            let (code, r, err) = deploy(&fleet, &d, &["--keep", "2"]);
            assert_eq!(code, 0, "{r}{err}");
            r["release"].as_str().expect("id").to_owned()
        })
        .collect();
    let on_host = || -> Vec<String> {
        let mut v: Vec<String> = fleet
            .ok(&["deploy", "list", "www", "-o", "json"])
            .json()
            .as_array()
            .expect("rows")
            .iter()
            .filter_map(|r| r["id"].as_str().map(str::to_owned))
            .collect();
        v.sort();
        v
    };
    let mut kept = ids[2..].to_vec();
    kept.sort();
    assert_eq!(on_host(), kept);
    let staged = site_dir(&fleet, "k5");
    let (_, s, _) = deploy(&fleet, &staged, &["--stage"]);
    let sid = s["release"].as_str().expect("id").to_owned();
    let last = site_dir(&fleet, "k6");
    let (code, r, _) = deploy(&fleet, &last, &["--keep", "1"]);
    assert_eq!(code, 0);
    let mut want = vec![sid, r["release"].as_str().expect("id").to_owned()];
    want.sort();
    assert_eq!(on_host(), want, "the current one and the staged one");
    // Removed ones left the list at once; their files go in the background (bounded wait).
    let dir = fleet.agents[0].state.join("releases/www");
    let names = || -> Vec<String> {
        std::fs::read_dir(&dir)
            .expect("releases")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while names().iter().any(|n| n.starts_with(".trash-")) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let mut folders: Vec<String> = names().into_iter().filter(|n| dir.join(n).is_dir() && n != "current").collect();
    folders.sort();
    assert_eq!(folders, want, "only the kept releases are on disk");
}

/// A chunked upload of `body` to agent 0 as release `id`, its SHA-256 given in a trailer (and
/// in a header if `header` is set): (status, answer).
fn upload_with_trailer(
    fleet: &Fleet,
    id: &str,
    body: &[u8],
    header: Option<&str>,
    trailer: Option<&str>,
) -> (u16, String) {
    let mut head = format!(
        "PUT /v1/sites/www/releases/{id} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nTrailer: amoe-release-sha256\r\nConnection: close\r\n"
    );
    if let Some(h) = header {
        head.push_str(&format!("amoe-release-sha256: {h}\r\n"));
    }
    head.push_str("\r\n");
    let mut chunked = Vec::new();
    for part in body.chunks(3000) {
        chunked.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        chunked.extend_from_slice(part);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n");
    if let Some(t) = trailer {
        chunked.extend_from_slice(format!("amoe-release-sha256: {t}\r\n").as_bytes());
    }
    chunked.extend_from_slice(b"\r\n");
    fleet.raw_call(0, "op", &head, &chunked)
}

#[test]
fn a_checksum_sent_after_the_bundle_is_checked() {
    let fleet = Fleet::new(1);
    let tar = fleet.env.path("one.tar");
    crafted_ok(&tar);
    let body = std::fs::read(&tar).expect("tar");
    let sha: String = {
        use sha2::Digest;
        sha2::Sha256::digest(&body).iter().map(|b| format!("{b:02x}")).collect()
    };
    let zeros = "0".repeat(64);
    let refused = [
        ("t1", None, Some(zeros.as_str()), "checksum mismatch"),
        ("t2", None, None, "SHA-256 is missing"),
        ("t3", Some(sha.as_str()), Some(zeros.as_str()), "announced as"),
        ("t4", None, Some("abc"), "not 64 hexadecimal digits"),
    ];
    for (id, header, trailer, why) in refused {
        let (status, text) = upload_with_trailer(&fleet, id, &body, header, trailer);
        assert_eq!(status, 400, "{id}: {text}");
        assert!(text.contains(why), "{id}: {text}");
    }
    let dir = fleet.agents[0].state.join("releases/www");
    let left: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "nothing kept of refused uploads: {left:?}");
    let (status, text) = upload_with_trailer(&fleet, "t5", &body, None, Some(&sha));
    assert_eq!(status, 200, "{text}");
    assert!(text.contains(&sha) && dir.join("t5/ok.txt").is_file(), "{text}");
    // Sent again with the right trailer: answered as it is.
    let (status, text) = upload_with_trailer(&fleet, "t5", &body, None, Some(&sha));
    assert_eq!(status, 200, "{text}");
}

#[test]
fn a_folder_that_cannot_be_packed_reaches_no_host() {
    let fleet = Fleet::new(2);
    let good = site_dir(&fleet, "good");
    let (code, r, err) = deploy(&fleet, &good, &[]);
    assert_eq!(code, 0, "{r}{err}");
    // Sorted, `a.html` and its 2 MB go out before the FIFO in `z/` is met.
    let bad = site_dir(&fleet, "bad");
    std::fs::write(bad.join("a.html"), vec![b'a'; 2 << 20]).expect("big");
    std::fs::create_dir_all(bad.join("z")).expect("z");
    let made = std::process::Command::new("mkfifo").arg(bad.join("z/pipe")).status().expect("mkfifo");
    assert!(made.success());
    let (code, _, err) = deploy(&fleet, &bad, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("z/pipe") && err.contains("neither a file"), "{err}");
    let list = fleet.ok(&["deploy", "list", "www", "-o", "json"]).json();
    assert_eq!(list.as_array().map(Vec::len), Some(1), "only the good release: {list}");
    assert!((0..2).all(|i| served(&fleet, i) == "<h1>good</h1>\n"));
    // The cut uploads leave nothing behind (the agents clean up as the connection breaks).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let partial = |i: usize| {
        std::fs::read_dir(fleet.agents[i].state.join("releases/www"))
            .expect("releases")
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with('.'))
    };
    while (0..2).any(partial) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(!(0..2).any(partial), "no partial release left");
}

/// A harmless one-file tar.
fn crafted_ok(path: &Path) {
    let mut b = tar::Builder::new(std::fs::File::create(path).expect("tar"));
    let mut h = tar::Header::new_gnu();
    h.set_size(3);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_path("ok.txt").expect("path");
    h.set_cksum();
    b.append(&h, &b"ok\n"[..]).expect("ok");
    b.finish().expect("finish");
}
