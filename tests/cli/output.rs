//! Output formats: table, JSON, CSV; no colour off a terminal; a closed pipe is not an error.

use crate::support::{Env, SIRET};
use amoe_core::{Beneficiary, Category, Site};
use amoe_store::{AuditDraft, Store};
use std::io::{BufRead, BufReader};
use std::process::Stdio;

#[test]
fn table_json_and_csv_agree() {
    let env = Env::new();
    env.seed();
    let table = env.ok(&["site", "list"]).stdout;
    let mut lines = table.lines();
    let header = lines.next().expect("header");
    assert!(header.contains("NAME") && header.contains("DOMAINS") && header.contains("ACTIVE"), "{header}");
    assert!(lines.next().expect("row").contains("www.example.fr, example.fr"), "{table}");
    assert!(!table.contains('\x1b'), "no escape codes off a terminal");

    let csv = env.ok(&["site", "list", "--output", "csv"]).stdout;
    assert_eq!(
        csv,
        "name,domains,beneficiary,category,origins,hosts,active\n\
         www,www.example.fr example.fr,12000101100010,permanent,https://origin.example.fr/,pop1,yes\n"
    );
    let json = env.ok(&["site", "list", "--output", "json"]).json();
    assert_eq!(json[0]["name"], "www");
    // The documented shape: exactly these keys.
    let keys: Vec<&str> = json[0].as_object().expect("object").keys().map(String::as_str).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(sorted, ["active", "beneficiary", "category", "domains", "hosts", "name", "origins", "settings"]);
}

#[test]
fn json_matches_the_committed_schema_keys() {
    // Every property the site schema documents is present in the output, and nothing else.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/site.schema.json")).expect("schema"),
    )
    .expect("json");
    let env = Env::new();
    env.seed();
    let site = env.ok(&["site", "show", "www", "-o", "json"]).json();
    let mut documented: Vec<&String> = schema["properties"].as_object().expect("props").keys().collect();
    let mut produced: Vec<&String> = site.as_object().expect("object").keys().collect();
    documented.sort();
    produced.sort();
    assert_eq!(documented, produced);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let env = Env::new();
    // Enough sites to fill the pipe many times over.
    let (mut store, _) = Store::create(&env.store).expect("store");
    let draft = AuditDraft { operator: "seed".into(), command: "seed".into(), ..Default::default() };
    store
        .mutate(&draft, |tx| -> Result<(), amoe_store::Error> {
            tx.add_beneficiary(&Beneficiary::new(
                SIRET.parse().expect("siret"),
                "B".into(),
                Some("9".parse().expect("lot")),
                vec![],
            ))?;
            for i in 0..3000 {
                tx.add_site(&Site {
                    name: format!("site-{i:05}").parse().expect("name"),
                    domains: vec![format!("www.site-{i:05}.example.fr").parse().expect("domain")],
                    beneficiary: SIRET.parse().expect("siret"),
                    category: Category::Permanent,
                    origins: vec!["http://origin.example.fr".parse().expect("origin")],
                    hosts: vec![],
                    active: true,
                    settings: Default::default(),
                })?;
            }
            Ok(())
        })
        .expect("seed");
    drop(store);
    for format in ["table", "json", "csv"] {
        let mut child = env
            .cmd(&["site", "list", "-o", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut first).expect("read");
        // The reader is dropped here: the pipe is closed, as by `head -1`.
        let out = child.wait_with_output().expect("wait");
        assert!(!first.is_empty());
        assert_eq!(out.status.code(), Some(0), "{format}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{format}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn help_and_usage_errors() {
    let env = Env::bare();
    let r = env.ok(&["--help"]);
    assert!(r.stdout.contains("EXIT STATUS") && r.stdout.contains("amoe demo"), "{}", r.stdout);
    let r = env.ok(&["site", "add", "--help"]);
    assert!(r.stdout.contains("EXAMPLES"), "{}", r.stdout);
    let r = env.run(&["site", "frobnicate"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("error:"), "{}", r.stderr);
    let r = env.run(&["site", "list", "--output", "yaml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// Runs `amoe ARGS` on a pseudo-terminal (util-linux `script`) and returns what it printed.
fn on_terminal(env: &Env, args: &str, no_color: bool) -> String {
    let line = format!("{} --store '{}' {args}", crate::support::AMOE, env.store.display());
    let mut cmd = std::process::Command::new("script");
    crate::support::clean(&mut cmd, env.dir.path());
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let out = cmd.args(["-qec", &line, "/dev/null"]).stdin(Stdio::null()).output().expect("script (util-linux)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn box_drawing_only_on_a_terminal_without_no_color() {
    let env = Env::new();
    env.seed();
    let styled = on_terminal(&env, "site list", false);
    assert!(styled.contains('─'), "a terminal gets rules:\n{styled}");
    let plain = on_terminal(&env, "site list", true);
    assert!(!plain.contains('─') && !plain.contains('\x1b'), "NO_COLOR gets plain text:\n{plain}");
    assert!(plain.contains("www.example.fr"), "{plain}");
    let err = on_terminal(&env, "site show nosuch 2>&1; true", false);
    assert!(err.contains("\x1b[1;31merror\x1b[0m: site `nosuch` not found"), "{err:?}");
}
