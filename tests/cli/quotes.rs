//! `amoe quote`: due days counted in working days of the French calendar, lateness at sending
//! and while waiting, bad input refused.

use crate::support::{Env, SIRET};

fn add(env: &Env, at: &str) -> serde_json::Value {
    env.ok(&["quote", "add", "--beneficiary", SIRET, "--requested-at", at, "-o", "json"]).json()
}

#[test]
fn quotes_are_due_ten_working_days_later_and_late_days_are_counted() {
    let env = Env::new();
    env.seed();
    // Friday 19 December 2025, 10:00 in Paris: 22, 23, 24, (25 off) 26, 29, 30, 31,
    // (1 January off) 2, 5, 6 January 2026. Counted by hand.
    let q = add(&env, "2025-12-19T10:00:00+01:00");
    assert_eq!(q["due_on"], "2026-01-06");
    let id = q["id"].as_i64().expect("id").to_string();
    // Sent Thursday 8 January: two working days late (7 and 8).
    let r = env.ok(&["quote", "sent", &id, "--at", "2026-01-08T16:00:00+01:00"]);
    assert!(r.stdout.contains("2 working days late"), "{}", r.stdout);
    let shown = env.ok(&["quote", "show", &id, "-o", "json"]).json();
    assert_eq!((shown["late_days"].as_i64(), shown["due_on"].as_str()), (Some(2), Some("2026-01-06")));
    // A request on Saturday 28 November 2026 counts from Monday 30: due Monday 14 December.
    let q2 = add(&env, "2026-11-28");
    assert_eq!(q2["due_on"], "2026-12-14");
    let id2 = q2["id"].as_i64().expect("id").to_string();
    let r = env.ok(&["quote", "sent", &id2, "--at", "2026-12-14T17:59:00+01:00"]);
    assert!(r.stdout.contains("in time"), "{}", r.stdout);
    // A request late at night in UTC is on the Paris day: Thursday 31 December 2026 23:30 UTC
    // is Friday 1 January 2027 (off) in Paris, so it counts from Monday 4 January: 5, 6, 7,
    // 8, 11, 12, 13, 14, 15, 18.
    assert_eq!(add(&env, "2026-12-31T23:30:00Z")["due_on"], "2027-01-18");
    // An old one never sent is late today; `--late` lists only the late ones.
    let old = add(&env, "2020-01-06")["id"].as_i64().expect("id");
    let late: Vec<i64> = env
        .ok(&["quote", "list", "--late", "-o", "json"])
        .json()
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|q| q["id"].as_i64())
        .collect();
    assert!(late.contains(&old) && late.contains(&id.parse().expect("n")), "{late:?}");
    assert!(!late.contains(&id2.parse().expect("n")));
    // Bad input: unknown SIRET, unknown ticket, a time that is not one, sent before asked.
    let r = env.fails(1, &["quote", "add", "--beneficiary", "73282932000074", "--requested-at", "2026-11-27"]);
    assert!(r.stderr.contains("73282932000074"), "{}", r.stderr);
    env.fails(1, &["quote", "add", "--beneficiary", SIRET, "--requested-at", "2026-11-27", "--ticket", "99"]);
    env.fails(2, &["quote", "add", "--beneficiary", SIRET, "--requested-at", "next week"]);
    env.fails(2, &["quote", "sent", &id, "--at", "2025-12-01"]);
}

#[test]
fn the_calendar_is_configured_in_config_toml() {
    let env = Env::new();
    env.seed();
    // Thursday 25 March 2027; Good Friday is the 26th, Easter Monday the 29th. Counted by hand:
    // France 26, 30, 31, 1, 2, 5, 6, 7, 8, 9 April; Alsace-Moselle loses the 26th: 12 April.
    let due = |env: &Env| {
        env.ok(&["quote", "add", "--beneficiary", SIRET, "--requested-at", "2027-03-25T10:00", "-o", "json"]).json()["due_on"].clone()
    };
    assert_eq!(due(&env), "2027-04-09");
    let dir = env.path(".config/amoe");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("config.toml"),
        "[calendar]\nregion = \"alsace-moselle\"\nopens = \"08:30\"\ncloses = \"17:30\"\n",
    )
    .expect("config");
    assert_eq!(due(&env), "2027-04-12");
    std::fs::write(dir.join("config.toml"), "[calendar]\nregion = \"bretagne\"\n").expect("config");
    let r = env.fails(1, &["quote", "list"]);
    assert!(r.stderr.contains("bretagne"), "{}", r.stderr);
    std::fs::write(dir.join("config.toml"), "[calendar]\nopens = \"18:00\"\ncloses = \"09:00\"\n").expect("config");
    env.fails(1, &["quote", "list"]);
}
