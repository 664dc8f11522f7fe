//! Beneficiaries, hosts and sites: add, list, show, update, remove, and every refusal.

use crate::support::{Env, SIRET, SIRET2};

#[test]
fn beneficiary_lifecycle() {
    let env = Env::new();
    let r = env.ok(&[
        "beneficiary",
        "add",
        "--siret",
        "120 001 011 00010",
        "--name",
        "INSEE",
        "--lot",
        "9",
        "--email",
        "a@insee.fr",
    ]);
    assert!(r.stdout.contains("lot 9 (Île-de-France)"), "{}", r.stdout);
    let b = env.ok(&["beneficiary", "show", SIRET, "-o", "json"]).json();
    assert_eq!(b["siret"], SIRET);
    assert_eq!(b["siren"], "120001011");
    assert_eq!(b["region"], "Île-de-France");
    assert_eq!(b["emails"], serde_json::json!(["a@insee.fr"]));

    env.ok(&[
        "beneficiary",
        "update",
        SIRET,
        "--lot",
        "4",
        "--add-email",
        "b@insee.fr",
        "--remove-email",
        "a@insee.fr",
    ]);
    let b = env.ok(&["beneficiary", "show", SIRET, "-o", "json"]).json();
    assert_eq!((b["lot"].as_i64(), b["region"].as_str()), (Some(4), Some("Bretagne")));
    assert_eq!(b["emails"], serde_json::json!(["b@insee.fr"]));

    // La Poste's establishments follow the digit-sum rule.
    env.ok(&["beneficiary", "add", "--siret", "35600000049837", "--name", "La Poste", "--lot", "1"]);
    let list = env.ok(&["beneficiary", "list", "-o", "json"]).json();
    assert_eq!(list.as_array().map(Vec::len), Some(2));

    env.ok(&["beneficiary", "remove", "35600000049837", "--yes"]);
    env.fails(1, &["beneficiary", "show", "35600000049837"]);
}

#[test]
fn invalid_siret_is_a_usage_error_and_changes_nothing() {
    let env = Env::new();
    let r = env.fails(2, &["beneficiary", "add", "--siret", "12000101100011", "--name", "X", "--lot", "9"]);
    assert!(r.stderr.contains("`12000101100011` is not a SIRET: its check key is wrong"), "{}", r.stderr);
    env.fails(2, &["beneficiary", "add", "--siret", "1200010110001", "--name", "X", "--lot", "9"]);
    env.fails(2, &["beneficiary", "add", "--siret", SIRET, "--name", "X", "--lot", "15"]);
    env.fails(2, &["beneficiary", "add", "--siret", SIRET, "--name", "X", "--lot", "9", "--email", "not-an-address"]);
    env.fails(2, &["beneficiary", "add", "--siret", SIRET, "--name", " ", "--lot", "9"]);
    assert_eq!(env.ok(&["beneficiary", "list", "-o", "json"]).json(), serde_json::json!([]));
    // Each refusal is journaled.
    let audit = env.ok(&["audit", "list", "-o", "json", "--target", "beneficiary:"]).json();
    let outcomes: Vec<&str> = audit.as_array().expect("array").iter().filter_map(|e| e["outcome"].as_str()).collect();
    assert_eq!(outcomes.len(), 5);
    assert!(outcomes.iter().all(|o| o.starts_with("refused: ")), "{outcomes:?}");
}

#[test]
fn duplicate_beneficiary_is_refused_with_a_hint() {
    let env = Env::new();
    env.seed();
    let r = env.fails(1, &["beneficiary", "add", "--siret", SIRET, "--name", "Again", "--lot", "9"]);
    assert!(r.stderr.contains("beneficiary `12000101100010` already exists"), "{}", r.stderr);
    assert!(r.stderr.contains("hint: to change it, use `amoe beneficiary update`"), "{}", r.stderr);
}

#[test]
fn host_lifecycle_and_bad_addresses() {
    let env = Env::new();
    env.ok(&["host", "add", "pop1", "--address", "pop1.cdn.example.net:7443", "--location", "Paris"]);
    env.fails(2, &["host", "add", "pop2", "--address", "pop2.cdn.example.net"]);
    env.fails(2, &["host", "add", "Pop 2", "--address", "127.0.0.1:1"]);
    env.fails(2, &["host", "add", "pop2", "--address", "::1:7443"]);
    env.ok(&["host", "update", "pop1", "--address", "[::1]:7443", "--clear-location"]);
    let h = env.ok(&["host", "show", "pop1", "-o", "json"]).json();
    assert_eq!(h, serde_json::json!({"name": "pop1", "address": "[::1]:7443", "location": null}));
    env.ok(&["host", "remove", "pop1", "--yes"]);
    let r = env.fails(1, &["host", "show", "pop1"]);
    assert!(r.stderr.contains("host `pop1` not found") && r.stderr.contains("hint: `amoe host list`"), "{}", r.stderr);
}

#[test]
fn site_lifecycle() {
    let env = Env::new();
    env.seed();
    let s = env.ok(&["site", "show", "www", "-o", "json"]).json();
    assert_eq!(s["domains"], serde_json::json!(["www.example.fr", "example.fr"]));
    assert_eq!(s["origins"], serde_json::json!(["https://origin.example.fr/"]));
    assert_eq!((s["category"].as_str(), s["active"].as_bool()), (Some("permanent"), Some(true)));

    env.ok(&[
        "site",
        "update",
        "www",
        "--add-domain",
        "m.example.fr",
        "--remove-domain",
        "example.fr",
        "--add-host",
        "pop2",
        "--add-origin",
        "http://10.0.0.2:8080",
        "--category",
        "recurring",
        "--active",
        "false",
    ]);
    let s = env.ok(&["site", "show", "www", "-o", "json"]).json();
    assert_eq!(s["domains"], serde_json::json!(["www.example.fr", "m.example.fr"]));
    assert_eq!(s["hosts"], serde_json::json!(["pop1", "pop2"]));
    assert_eq!(s["origins"].as_array().map(Vec::len), Some(2));
    assert_eq!((s["category"].as_str(), s["active"].as_bool()), (Some("recurring"), Some(false)));

    // Filters.
    assert_eq!(env.ok(&["site", "list", "--host", "pop2", "-o", "json"]).json().as_array().map(Vec::len), Some(1));
    env.ok(&["beneficiary", "add", "--siret", SIRET2, "--name", "Other", "--lot", "2"]);
    assert_eq!(env.ok(&["site", "list", "--beneficiary", SIRET2, "-o", "json"]).json(), serde_json::json!([]));

    // Its hosts are owed a signed removal: without a client certificate, nothing changes.
    let r = env.fails(1, &["site", "remove", "www", "--yes"]);
    assert!(r.stderr.contains("client certificate") && r.stderr.contains("nothing was changed"), "{}", r.stderr);
    env.ok(&["ca", "init"]);
    let certs = env.path("certs");
    env.ok(&["ca", "issue", "op", "--role", "operator", "--out", certs.to_str().expect("utf8")]);
    let out = env
        .cmd(&["site", "remove", "www", "--yes", "--no-push"])
        .env("AMOE_CLIENT_CERT", certs.join("op.pem"))
        .env("AMOE_CLIENT_KEY", certs.join("op.key"))
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let owed = env.ok(&["outbox", "list", "-o", "json"]).json();
    assert_eq!(owed.as_array().map(Vec::len), Some(2), "a removal owed to each host: {owed}");
    assert_eq!(env.ok(&["site", "list", "-o", "json"]).json(), serde_json::json!([]));
    // Its domains are free again.
    env.ok(&[
        "site",
        "add",
        "new",
        "--domain",
        "www.example.fr",
        "--beneficiary",
        SIRET,
        "--origin",
        "http://o.example.fr",
    ]);
}

#[test]
fn site_refusals() {
    let env = Env::new();
    env.seed();
    let add = |name: &str, domain: &str, beneficiary: &str, origin: &str, extra: &[&str]| {
        let mut args = vec!["site", "add", name, "--domain", domain, "--beneficiary", beneficiary, "--origin", origin];
        args.extend_from_slice(extra);
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let run = |code, args: Vec<String>| env.fails(code, &args.iter().map(String::as_str).collect::<Vec<_>>());

    let r = run(1, add("other", "WWW.example.fr", SIRET, "http://o.fr", &[]));
    assert!(r.stderr.contains("domain `www.example.fr` already belongs to site `www`"), "{}", r.stderr);
    assert!(r.stderr.contains("hint: remove it from that site first"), "{}", r.stderr);
    run(2, add("other", "bad_domain.fr", SIRET, "http://o.fr", &[]));
    run(2, add("other", "o.example.fr", SIRET, "ftp://o.fr", &[]));
    run(2, add("other", "o.example.fr", SIRET, "https://user:secret@o.fr", &[]));
    run(2, add("other", "o.example.fr", SIRET, "http://o.fr", &["--category", "forever"]));
    let r = run(1, add("other", "o.example.fr", SIRET2, "http://o.fr", &[]));
    assert!(r.stderr.contains("beneficiary `73282932000074` not found"), "{}", r.stderr);
    let r = run(1, add("other", "o.example.fr", SIRET, "http://o.fr", &["--host", "nowhere"]));
    assert!(r.stderr.contains("host `nowhere` not found"), "{}", r.stderr);
    run(1, add("www", "o.example.fr", SIRET, "http://o.fr", &[]));
    // Missing required flags is a usage error from the parser.
    let r = env.run(&["site", "add", "x", "--domain", "x.fr", "--beneficiary", SIRET]);
    assert_eq!(r.code, 2, "{}", r.stderr);

    let r = env.fails(1, &["site", "show", "nosuch"]);
    assert!(r.stderr.contains("site `nosuch` not found"), "{}", r.stderr);
    env.fails(1, &["site", "update", "nosuch", "--active", "false"]);
    let r = env.fails(1, &["site", "update", "www", "--remove-origin", "https://origin.example.fr"]);
    assert!(r.stderr.contains("would have no origin"), "{}", r.stderr);
    let r = env.fails(1, &["site", "update", "www", "--remove-domain", "nope.example.fr"]);
    assert!(r.stderr.contains("domain `nope.example.fr` is not on site `www`"), "{}", r.stderr);
    // Nothing above changed the site.
    let s = env.ok(&["site", "show", "www", "-o", "json"]).json();
    assert_eq!(s["domains"], serde_json::json!(["www.example.fr", "example.fr"]));
    assert_eq!(env.ok(&["site", "list", "-o", "json"]).json().as_array().map(Vec::len), Some(1));
}

#[test]
fn removing_what_is_referenced_names_the_referrers() {
    let env = Env::new();
    env.seed();
    let r = env.fails(1, &["host", "remove", "pop1", "--yes"]);
    assert!(r.stderr.contains("host `pop1` is still referenced by site `www`"), "{}", r.stderr);
    let r = env.fails(1, &["beneficiary", "remove", SIRET, "--yes"]);
    assert!(r.stderr.contains("beneficiary `12000101100010` is still referenced by site `www`"), "{}", r.stderr);
    env.ok(&["host", "show", "pop1"]);
    // Without a terminal and without --yes, destructive commands refuse.
    let r = env.fails(2, &["host", "remove", "pop2"]);
    assert!(r.stderr.contains("confirmation needed") && r.stderr.contains("--yes"), "{}", r.stderr);
    env.ok(&["host", "show", "pop2"]);
}
