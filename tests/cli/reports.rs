//! `amoe report …` against fixtures whose figures were computed by hand (written here, never
//! taken from the code under test), the spreadsheets read back by LibreOffice, the edges of
//! the quality indicators, and bad input refused without a trace.

use crate::support::{Env, SIRET, SIRET2, libreoffice_sheet};
use serde_json::Value;

/// A SIRET with a valid key that the fixtures never add.
const UNKNOWN: &str = "21750001600019";

fn report(env: &Env, args: &[&str]) -> Value {
    let mut a = vec!["report"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--format", "json"]);
    let r = env.ok(&a);
    serde_json::from_str(&r.stdout).expect("report json")
}

/// The rows of part `key`.
fn part<'a>(doc: &'a Value, key: &str) -> &'a Vec<Value> {
    doc["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .find(|p| p["key"] == key)
        .unwrap_or_else(|| panic!("no part {key} in {doc}"))["rows"]
        .as_array()
        .expect("rows")
}

fn text<'a>(doc: &'a Value, key: &str) -> Vec<&'a str> {
    doc["parts"].as_array().expect("parts").iter().find(|p| p["key"] == key).expect("part")["text"]
        .as_array()
        .expect("text")
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

fn contract_world() -> Env {
    let env = Env::new();
    env.ok(&["beneficiary", "add", "--siret", UNKNOWN, "--name", "Ville de Paris", "--email", "dsi@paris.example"]);
    env.ok(&[
        "contract",
        "add",
        "--beneficiary",
        UNKNOWN,
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
    let log = |start: &str, duration: &str, detail: &str| {
        env.ok(&[
            "--operator",
            "j.dupont",
            "intervention",
            "log",
            "--beneficiary",
            UNKNOWN,
            "--start",
            start,
            "--duration",
            duration,
            "--detail",
            detail,
        ]);
    };
    log("2026-09-01 09:00", "252h", "Migration du portail");
    log("2026-10-05 09:00", "3h30", "Mise à jour du module de paiement");
    log("2026-10-05 14:30", "1h30", "Recette");
    log("2026-10-06 22:00", "45m", "Astreinte : redémarrage PHP-FPM");
    log("2026-10-10 10:00", "2h", "Samedi : restauration d'une sauvegarde");
    let r = env.ok(&[
        "intervention",
        "log",
        "--beneficiary",
        UNKNOWN,
        "--start",
        "2026-11-02 09:00",
        "--duration",
        "56h",
        "--detail",
        "Refonte des gabarits",
    ]);
    assert!(r.stderr.contains("over its cap: 29319.64 of 29000.00 HT"), "logged and flagged: {}", r.stderr);
    env
}

#[test]
fn interventions_are_followed_by_day_and_priced_against_the_cap() {
    let env = contract_world();
    let doc = report(&env, &["interventions", "--month", "2026-10"]);
    // Four interventions; the Tuesday night and the Saturday are out of hours.
    let rows = part(&doc, "interventions");
    let minutes: Vec<i64> = rows.iter().map(|r| r["minutes"].as_i64().expect("minutes")).collect();
    assert_eq!(minutes, [210, 90, 45, 120]);
    let off: Vec<&str> = rows.iter().map(|r| r["out_of_hours"].as_str().expect("flag")).collect();
    assert_eq!(off, ["", "", "oui", "oui"]);
    assert!(rows.iter().all(|r| r["operator"] == "j.dupont"));
    // Per day: 5 October 300 min, 6 October 45, 10 October 120; the month 465, 2 out of hours.
    let days = part(&doc, "per_day");
    let got: Vec<(String, i64, i64)> = days
        .iter()
        .map(|r| {
            (
                r["date"].as_str().expect("d").to_owned(),
                r["interventions"].as_i64().expect("n"),
                r["minutes"].as_i64().expect("m"),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("2026-10-05".into(), 2, 300),
            ("2026-10-06".into(), 1, 45),
            ("2026-10-10".into(), 1, 120),
            ("Total du mois".into(), 4, 465)
        ]
    );
    assert_eq!(days[3]["out_of_hours"], 2);
    // 465 min at 650 € for 420 min = 719.642… → 719.64 € HT; VAT 20 % 143.928 → 143.93 €;
    // TTC 863.57 €. Since January: 15,120 + 465 = 15,585 min = 2,411,964.28… → 24,119.64 €,
    // 83.17 % of 29,000 €: the warning from 80 %.
    let b = &part(&doc, "budget")[0];
    assert_eq!(b["month_ht_cents"], 71_964);
    assert_eq!(b["month_vat_cents"], 14_393);
    assert_eq!(b["month_ttc_cents"], 86_357);
    assert_eq!(b["month_days"], 1.107);
    assert_eq!(b["consumed_ht_cents"], 2_411_964);
    assert_eq!(b["consumed_days"], 37.107);
    assert_eq!(b["consumed_percent"], 83.17);
    assert_eq!(b["cap_ht_cents"], 2_900_000);
    assert!(b["state"].as_str().expect("state").starts_with("ALERTE"), "{b}");
    // November: 56 h = 8 days = 5,200 € HT, 1,040 € VAT, 6,240 € TTC; since January 18,945 min
    // = 29,319.64 €: over the cap, flagged, never blocked (the intervention was recorded).
    let nov = report(&env, &["interventions", "--month", "2026-11", "--lang", "en"]);
    let b = &part(&nov, "budget")[0];
    assert_eq!(
        (b["month_ht_cents"].as_i64(), b["month_vat_cents"].as_i64(), b["month_ttc_cents"].as_i64()),
        (Some(520_000), Some(104_000), Some(624_000))
    );
    assert_eq!(b["consumed_ht_cents"], 2_931_964);
    assert_eq!(b["state"], "CAP EXCEEDED");
    assert!(text(&nov, "budget").iter().any(|t| t.starts_with("CAP EXCEEDED")), "{nov}");
    // August: nothing done, within budget; a month without data is an empty report.
    let aug = report(&env, &["interventions", "--month", "2026-08"]);
    assert!(part(&aug, "interventions").is_empty());
    assert_eq!(part(&aug, "budget")[0]["month_ht_cents"], 0);
    assert_eq!(part(&aug, "budget")[0]["state"], "dans le budget");
    let empty = report(&env, &["interventions", "--month", "2025-03"]);
    assert!(part(&empty, "budget").is_empty() && part(&empty, "per_day").is_empty());

    // The spreadsheets, read by LibreOffice: the per-day sheet and the budget sheet.
    for kind in ["xlsx", "ods"] {
        let f = env.path(&format!("interv.{kind}"));
        env.ok(&[
            "report",
            "interventions",
            "--month",
            "2026-10",
            "--format",
            kind,
            "--out",
            f.to_str().expect("utf8"),
        ]);
        let per_day = libreoffice_sheet(&env, &f, 3);
        assert_eq!(per_day[0], ["Date", "Interventions", "Minutes", "Durée", "Hors heures ouvrées"], "{kind}");
        assert_eq!(per_day[1], ["2026-10-05", "2", "300", "5:00", "0"], "{kind}");
        assert_eq!(per_day[4], ["Total du mois", "4", "465", "7:45", "2"], "{kind}");
        let budget = libreoffice_sheet(&env, &f, 4);
        let row = &budget[1];
        for v in ["650", "1.107", "719.64", "143.93", "863.57", "24119.64", "29000", "83.17"] {
            assert!(row.iter().any(|c| c == v), "{kind}: {v} in {row:?}");
        }
    }
    // The Markdown and the chart.
    let md = env.path("interv.md");
    let svg = env.path("interv.svg");
    env.ok(&[
        "report",
        "interventions",
        "--month",
        "2026-10",
        "--out",
        md.to_str().expect("utf8"),
        "--chart",
        svg.to_str().expect("utf8"),
    ]);
    let md = std::fs::read_to_string(md).expect("md");
    assert!(md.contains("| 2026-10-05 | 09:00 | 210 | 3:30 |") && md.contains("719,64\u{a0}€"), "{md}");
    let svg = std::fs::read_to_string(svg).expect("svg");
    assert_eq!(svg.matches("<rect x=").count(), 3, "one bar per day with interventions");

    // Bad input: no contract that day, a duration that is not one, an unknown ticket.
    let r = env.fails(
        1,
        &[
            "intervention",
            "log",
            "--beneficiary",
            UNKNOWN,
            "--start",
            "2027-01-04 10:00",
            "--duration",
            "1h",
            "--detail",
            "x",
        ],
    );
    assert!(r.stderr.contains("no contract covering 2027-01-04"), "{}", r.stderr);
    env.fails(
        2,
        &[
            "intervention",
            "log",
            "--beneficiary",
            UNKNOWN,
            "--start",
            "2026-10-07 10:00",
            "--duration",
            "1h-5",
            "--detail",
            "x",
        ],
    );
    env.fails(
        1,
        &[
            "intervention",
            "log",
            "--beneficiary",
            UNKNOWN,
            "--start",
            "2026-10-07 10:00",
            "--duration",
            "1h",
            "--detail",
            "x",
            "--ticket",
            "9",
        ],
    );
    env.fails(
        2,
        &[
            "contract",
            "add",
            "--beneficiary",
            UNKNOWN,
            "--daily-rate",
            "650.005",
            "--hours-per-day",
            "7",
            "--cap",
            "1",
            "--vat",
            "20",
            "--from",
            "2027-01-01",
            "--to",
            "2027-12-31",
        ],
    );
    assert_eq!(env.ok(&["contract", "list", "-o", "json"]).json().as_array().map(Vec::len), Some(1));
}

fn canut_world() -> Env {
    let env = Env::new();
    env.ok(&["beneficiary", "add", "--siret", SIRET, "--name", "INSEE", "--lot", "9"]);
    env.ok(&["beneficiary", "add", "--siret", SIRET2, "--name", "CNRS", "--lot", "9"]);
    let bpu = env.path("bpu.csv");
    std::fs::write(
        &bpu,
        "code,label,unit,price,reference_price\nHEB-01,Hébergement mensuel,mois,120.00,150\nJOUR,Journée expert,jour,650,\nCDN-TB,Trafic CDN,To,\"8,50\",10\n",
    )
    .expect("bpu");
    env.ok(&["bpu", "import", bpu.to_str().expect("utf8"), "--lot", "9"]);
    let order = |b: &str, n: &str, d: &str, lines: &[&str]| {
        let mut a = vec!["order", "add", "--beneficiary", b, "--number", n, "--date", d];
        for l in lines {
            a.extend(["--line", l]);
        }
        env.ok(&a);
    };
    order(SIRET, "BC-1", "2026-02-10", &["HEB-01:12", "JOUR:2.5", "CDN-TB:40:8.25"]);
    order(SIRET2, "C-7", "2026-05-31", &["HEB-01:3", "CDN-TB:0.333"]);
    order(SIRET, "BC-2", "2026-07-01", &["JOUR:1"]);
    order(SIRET, "BC-0", "2025-12-31", &["JOUR:1"]);
    // Monday 2 March 2026: due Monday 16; one sent on Wednesday 18 (2 days late), one in time.
    for sent in ["2026-03-18T11:00:00+01:00", "2026-03-16T17:00:00+01:00"] {
        let q = env
            .ok(&["quote", "add", "--beneficiary", SIRET, "--requested-at", "2026-03-02T10:00:00+01:00", "-o", "json"])
            .json();
        let id = q["id"].as_i64().expect("id").to_string();
        env.ok(&["quote", "sent", &id, "--at", sent]);
    }
    env
}

#[test]
fn the_canut_report_adds_up_by_hand() {
    let env = canut_world();
    let notes = env.path("notes.md");
    std::fs::write(&notes, "# Notes\n\n## Actions commerciales et résultats\nDeux salons,\ntrois rendez-vous.\n\n## Bonnes pratiques\nRevue mensuelle.\n## Autre\nTexte libre.\n").expect("notes");
    let doc = report(&env, &["canut", "--semester", "2026-S1", "--notes", notes.to_str().expect("utf8")]);
    // By month: February 3,395.00 (1,440 + 1,625 + 330), May 362.83 (360 + 0.333 × 8.50 =
    // 2.8305 → 2.83); quarters; semester 3,757.83; the year to June the same (BC-0 is 2025).
    let vol: Vec<(String, i64, i64)> = part(&doc, "volume")
        .iter()
        .map(|r| {
            (
                r["period"].as_str().expect("p").to_owned(),
                r["orders"].as_i64().expect("n"),
                r["amount_ht_cents"].as_i64().expect("c"),
            )
        })
        .collect();
    assert_eq!(
        vol,
        [
            ("2026-01".into(), 0, 0),
            ("2026-02".into(), 1, 339_500),
            ("2026-03".into(), 0, 0),
            ("2026-04".into(), 0, 0),
            ("2026-05".into(), 1, 36_283),
            ("2026-06".into(), 0, 0),
            ("2026-T1".into(), 1, 339_500),
            ("2026-T2".into(), 1, 36_283),
            ("Semestre".into(), 2, 375_783),
            ("Année 2026 (au 2026-06-30)".into(), 2, 375_783),
        ]
    );
    let by_b = part(&doc, "by_beneficiary");
    assert_eq!(by_b.len(), 2);
    let insee = by_b.iter().find(|r| r["siret"] == SIRET).expect("insee");
    assert_eq!(
        (insee["month_2_cents"].as_i64(), insee["quarter_1_cents"].as_i64(), insee["year_cents"].as_i64()),
        (Some(339_500), Some(339_500), Some(339_500))
    );
    let cnrs = by_b.iter().find(|r| r["siret"] == SIRET2).expect("cnrs");
    assert_eq!(
        (cnrs["name"].as_str(), cnrs["month_5_cents"].as_i64(), cnrs["quarter_2_cents"].as_i64()),
        (Some("CNRS"), Some(36_283), Some(36_283))
    );
    let numbers: Vec<&str> = part(&doc, "orders").iter().filter_map(|r| r["number"].as_str()).collect();
    assert_eq!(numbers, ["BC-1", "C-7"]);
    // Over the BPU lines: CDN-TB 40.333 To, 330.00 + 2.83 = 332.83 (8.86 %); HEB-01 15 months
    // 1,800.00 (47.90 %); JOUR 2.5 days 1,625.00 (43.24 %).
    let lines: Vec<(String, f64, i64, f64)> = part(&doc, "bpu_lines")
        .iter()
        .map(|r| {
            (
                r["code"].as_str().expect("c").to_owned(),
                r["quantity"].as_f64().expect("q"),
                r["amount_ht_cents"].as_i64().expect("a"),
                r["share_percent"].as_f64().expect("s"),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("CDN-TB".into(), 40.333, 33_283, 8.86),
            ("HEB-01".into(), 15.0, 180_000, 47.9),
            ("JOUR".into(), 2.5, 162_500, 43.24)
        ]
    );
    // Gains where a reference price exists: CDN-TB 403.33 − 332.83 = 70.50; HEB-01 2,250 − 1,800.
    let gains: Vec<(i64, i64, i64)> = part(&doc, "gains")
        .iter()
        .map(|r| {
            (
                r["reference_cents"].as_i64().expect("r"),
                r["paid_cents"].as_i64().expect("p"),
                r["gain_cents"].as_i64().expect("g"),
            )
        })
        .collect();
    assert_eq!(gains, [(40_333, 33_283, 7_050), (225_000, 180_000, 45_000), (265_333, 213_283, 52_050)]);
    // One quote of two answered late, by 2 working days.
    let late = part(&doc, "late_quotes");
    assert_eq!(late.len(), 1);
    assert_eq!((late[0]["due"].as_str(), late[0]["late_days"].as_i64()), (Some("2026-03-16"), Some(2)));
    assert_eq!(text(&doc, "late_quotes"), ["1 en retard sur 2 devis demandés."]);
    // The notes, in the expected order; a missing section says so; others follow.
    assert_eq!(text(&doc, "commercial_actions"), ["Deux salons, trois rendez-vous."]);
    assert_eq!(text(&doc, "good_practice"), ["Revue mensuelle."]);
    assert_eq!(text(&doc, "return_on_investment"), ["Non renseigné (--notes)."]);
    assert_eq!(text(&doc, "other_notes"), ["Texte libre."]);

    // The second semester: July 650.00; the year to December 4,407.83.
    let s2 = report(&env, &["canut", "--semester", "2026-S2", "--lang", "en"]);
    let vol = part(&s2, "volume");
    assert_eq!(vol[0]["amount_ht_cents"], 65_000);
    let year = vol.last().expect("year");
    assert_eq!(
        (year["period"].as_str(), year["orders"].as_i64(), year["amount_ht_cents"].as_i64()),
        (Some("Year 2026 (to 2026-12-31)"), Some(3), Some(440_783))
    );
    // The spreadsheet as LibreOffice reads it: the volume sheet.
    for kind in ["xlsx", "ods"] {
        let f = env.path(&format!("canut.{kind}"));
        env.ok(&["report", "canut", "--semester", "2026-S1", "--format", kind, "--out", f.to_str().expect("utf8")]);
        let sheet = libreoffice_sheet(&env, &f, 2);
        assert_eq!(sheet[0], ["Période", "Commandes", "Montant HT"], "{kind}");
        assert_eq!(sheet[2], ["2026-02", "1", "3395"], "{kind}");
        assert_eq!(sheet[5], ["2026-05", "1", "362.83"], "{kind}");
    }
    // CSV: every part under its title; amounts as plain decimals.
    let r = env.ok(&["report", "canut", "--semester", "2026-S1", "--format", "csv"]);
    assert!(
        r.stdout.contains("Volume d'affaires\nPériode,Commandes,Montant HT\n2026-01,0,0.00\n2026-02,1,3395.00\n"),
        "{}",
        r.stdout
    );
    // An empty semester is a report, not an error.
    let old = report(&env, &["canut", "--semester", "2024-S2"]);
    assert!(part(&old, "orders").is_empty() && part(&old, "volume")[0]["amount_ht_cents"] == 0);
    env.fails(2, &["report", "canut", "--semester", "2026-S3"]);
}

#[test]
fn orders_and_price_schedules_refuse_bad_input_whole() {
    let env = canut_world();
    let before = env.ok(&["bpu", "list", "-o", "json"]).json();
    let line = env.ok(&["bpu", "show", "--lot", "9", "CDN-TB", "-o", "json"]).json();
    assert_eq!((line["price_cents"].as_i64(), line["reference_cents"].as_i64()), (Some(850), Some(1000)));
    env.fails(1, &["bpu", "show", "--lot", "9", "NOPE"]);
    let bad = env.path("bad.csv");
    std::fs::write(&bad, "code,label,unit,price\nA,Ok,u,1.00\nB,,u,2.00\nC,Bad,u,1.234\nA,Dup,u,3\n").expect("csv");
    let r = env.fails(1, &["bpu", "import", bad.to_str().expect("utf8"), "--lot", "9"]);
    for needle in ["3 bad line(s)", "line 3", "line 4", "line 5", "whole cents", "appears twice"] {
        assert!(r.stderr.contains(needle), "{needle}: {}", r.stderr);
    }
    assert_eq!(env.ok(&["bpu", "list", "-o", "json"]).json(), before, "nothing was imported");
    let r = env.fails(
        1,
        &["order", "add", "--beneficiary", UNKNOWN, "--number", "X", "--date", "2026-03-01", "--line", "JOUR:1"],
    );
    assert!(r.stderr.contains(UNKNOWN), "{}", r.stderr);
    let r = env.fails(
        1,
        &["order", "add", "--beneficiary", SIRET, "--number", "X", "--date", "2026-03-01", "--line", "NOPE:1"],
    );
    assert!(r.stderr.contains("`NOPE` is not a price line of lot 9"), "{}", r.stderr);
    let r = env.fails(
        2,
        &["order", "add", "--beneficiary", SIRET, "--number", "X", "--date", "2026-03-01", "--line", "JOUR:1:12.345"],
    );
    assert!(r.stderr.contains("whole cents"), "{}", r.stderr);
    env.fails(
        2,
        &["order", "add", "--beneficiary", SIRET, "--number", "X", "--date", "2026-13-01", "--line", "JOUR:1"],
    );
    let r = env.fails(
        1,
        &["order", "add", "--beneficiary", SIRET, "--number", "BC-1", "--date", "2026-03-01", "--line", "JOUR:1"],
    );
    assert!(r.stderr.contains("BC-1"), "{}", r.stderr);
    // A customer without a lot orders nothing over a BPU.
    env.ok(&["beneficiary", "update", SIRET2, "--lot", "none"]);
    let r = env.fails(
        1,
        &["order", "add", "--beneficiary", SIRET2, "--number", "Z", "--date", "2026-03-01", "--line", "JOUR:1"],
    );
    assert!(r.stderr.contains("holds no CANUT lot"), "{}", r.stderr);
    assert_eq!(env.ok(&["order", "list", "-o", "json"]).json().as_array().map(Vec::len), Some(4));
    let r = env.fails(1, &["beneficiary", "remove", SIRET, "--yes"]);
    assert!(r.stderr.contains("orders"), "its orders keep it: {}", r.stderr);
    // Prices of the day are kept: a new schedule does not change past orders.
    let newer = env.path("newer.csv");
    std::fs::write(&newer, "code;label;unit;price\nJOUR;Journée expert;jour;700\n").expect("csv");
    env.ok(&["bpu", "import", newer.to_str().expect("utf8"), "--lot", "9"]);
    let o = env.ok(&["order", "show", "1", "-o", "json"]).json();
    assert_eq!(o["lines"][1]["price_cents"], 65_000);
    assert_eq!(o["total_cents"], 339_500);
    env.ok(&["order", "update", "1", "--note", "reçue par courrier"]);
    assert_eq!(env.ok(&["order", "show", "1", "-o", "json"]).json()["note"], "reçue par courrier");
    let audit = env.ok(&["audit", "list", "-o", "json"]).stdout;
    assert!(audit.contains("\"bpu import\"") && audit.contains("\"order add\"") && audit.contains("\"order update\""));
}

fn with_archive(env: &Env) {
    let dir = env.path(".config/amoe");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("config.toml"), format!("[logs]\narchive = {:?}\n", env.path("archive"))).expect("config");
}

fn qs<'a>(doc: &'a Value, k: &str) -> &'a Value {
    part(doc, "summary").iter().find(|r| r["indicator"] == k).expect("indicator")
}

#[test]
fn quality_indicators_at_their_edges() {
    let env = Env::new();
    env.seed();
    with_archive(&env);
    let open = |extra: &[&str]| -> String {
        let mut a = vec!["incident", "open", "--site", "www", "--no-mail", "--nature", "Panne", "-o", "json"];
        a.extend_from_slice(extra);
        env.ok(&a).json()["id"].as_i64().expect("id").to_string()
    };
    // November 2026: 30 days without a clock change, 2,592,000 s; 0.01 % is 259.2 s.
    let i1 = open(&[
        "--start",
        "2026-11-03T10:00:00Z",
        "--restored-at",
        "2026-11-03T10:04:19.200Z",
        "--detected-by",
        "us",
        "--ours",
        "--told-at",
        "2026-11-03T14:00:00Z",
        "--measures",
        "Bascule sur pop2",
    ]);
    let doc = report(&env, &["qos", "--month", "2026-11"]);
    assert_eq!(qs(&doc, "QS-02")["value"], "99.99 %");
    assert_eq!(qs(&doc, "QS-02")["verdict"], "non conforme", "exactly 99.99 % is not over 99.99 %");
    assert_eq!(qs(&doc, "QS-04")["verdict"], "conforme");
    assert_eq!(qs(&doc, "QS-05")["verdict"], "conforme", "told exactly 4 h later is in time");
    assert_eq!(qs(&doc, "QS-01")["verdict"], "sans objet", "no logs, no verdict");
    let day = part(&doc, "availability").iter().find(|r| r["period"] == "2026-11-03").expect("day");
    assert_eq!(day["downtime_s"], 259.2);
    env.ok(&["incident", "update", &i1, "--restored-at", "2026-11-03T10:04:19.199Z"]);
    let doc = report(&env, &["qos", "--month", "2026-11"]);
    assert_eq!(qs(&doc, "QS-02")["verdict"], "conforme");
    // Not ours: no downtime of ours, no QS-04. Ours for exactly 4 h: QS-04 fails. Ours for
    // 4 h less a millisecond, told 4 h and a second later: QS-04 passes, QS-05 fails.
    open(&[
        "--start",
        "2026-11-05T08:00:00Z",
        "--restored-at",
        "2026-11-05T20:00:00Z",
        "--detected-by",
        "customer",
        "--not-ours",
    ]);
    open(&[
        "--start",
        "2026-11-10T00:00:00Z",
        "--restored-at",
        "2026-11-10T04:00:00Z",
        "--detected-by",
        "customer",
        "--ours",
    ]);
    open(&[
        "--start",
        "2026-11-12T00:00:00Z",
        "--restored-at",
        "2026-11-12T03:59:59.999Z",
        "--detected-by",
        "us",
        "--ours",
        "--told-at",
        "2026-11-12T04:00:01Z",
        "--measures",
        "Redémarrage",
    ]);
    let doc = report(&env, &["qos", "--month", "2026-11"]);
    assert_eq!(
        (qs(&doc, "QS-03")["value"].as_str(), qs(&doc, "QS-03")["verdict"].as_str()),
        (Some("4"), Some("conforme"))
    );
    assert_eq!(
        (qs(&doc, "QS-04")["value"].as_str(), qs(&doc, "QS-04")["verdict"].as_str()),
        (Some("2 / 3"), Some("non conforme"))
    );
    assert_eq!(
        (qs(&doc, "QS-05")["value"].as_str(), qs(&doc, "QS-05")["verdict"].as_str()),
        (Some("1 / 2"), Some("non conforme"))
    );
    let list = part(&doc, "incidents");
    assert_eq!(list.len(), 4, "every incident described");
    assert_eq!(list[2]["qs04"], "non conforme");
    assert_eq!(list[2]["restore_hours"], 4.0);
    assert_eq!(list[1]["qs04"], "", "not our equipment");
    open(&[
        "--start",
        "2026-11-20T00:00:00Z",
        "--restored-at",
        "2026-11-20T00:01:00Z",
        "--detected-by",
        "customer",
        "--not-ours",
    ]);
    let doc = report(&env, &["qos", "--month", "2026-11"]);
    assert_eq!(
        (qs(&doc, "QS-03")["value"].as_str(), qs(&doc, "QS-03")["verdict"].as_str()),
        (Some("5"), Some("non conforme"))
    );

    // QS-06 and QS-07 edges (the effect times as the outbox writes them; `fleet.rs` measures the
    // real path). Asked Thursday 5 November 16:20 Paris: due by the end of Friday 6. Asked
    // Friday 6: Saturday 7 is a "jour ouvrable".
    let change = |asked: &str| {
        env.ok(&["change", "add", "--site", "www", "--asked-at", asked, "--detail", "TTL", "-o", "json"]).json()["id"]
            .as_i64()
            .expect("id")
    };
    let c1 = change("2026-11-05T16:20");
    let c2 = change("2026-11-05T16:20");
    let c3 = change("2026-11-06T16:20");
    let db = env.db();
    for (id, eff) in
        [(c1, "2026-11-06T22:59:59.999Z"), (c2, "2026-11-06T23:00:00.000Z"), (c3, "2026-11-07T22:59:59.999Z")]
    {
        db.execute(
            "UPDATE change_requests SET pushed_at = ?2, effective_at = ?2 WHERE id = ?1",
            amoe_store::params![id, eff],
        )
        .expect("effect");
    }
    // Definition files: c1 took effect on Friday 6 (Paris) → 2 working days, Monday 9 and
    // Tuesday 10; c2 and c3 on Saturday 7 → counted from Monday 9: Tuesday 10, then Wednesday 11
    // is a holiday → Thursday 12.
    db.execute(
        "INSERT INTO dossiers (id, site, written_at, sha256, path)
         VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM dossiers), 'www', '2026-11-10T22:59:59.999Z', 'x', '/d')",
        [],
    )
    .expect("dossier");
    let doc = report(&env, &["qos", "--month", "2026-11"]);
    let verdicts = |doc: &Value, key: &str, col: &str| -> Vec<(i64, String)> {
        part(doc, key)
            .iter()
            .map(|r| (r[col].as_i64().expect("id"), r["verdict"].as_str().expect("v").to_owned()))
            .collect()
    };
    assert_eq!(
        verdicts(&doc, "changes", "id"),
        [(c1, "conforme".into()), (c2, "non conforme".into()), (c3, "conforme".into())]
    );
    assert_eq!(qs(&doc, "QS-06")["value"], "2 / 3");
    assert_eq!(
        verdicts(&doc, "dossiers", "change"),
        [(c1, "conforme".into()), (c2, "conforme".into()), (c3, "conforme".into())]
    );
    db.execute("UPDATE dossiers SET written_at = '2026-11-10T23:00:00.000Z'", []).expect("later");
    let doc = report(&env, &["qos", "--month", "2026-11"]);
    assert_eq!(
        verdicts(&doc, "dossiers", "change"),
        [(c1, "non conforme".into()), (c2, "conforme".into()), (c3, "conforme".into())]
    );
    assert_eq!(qs(&doc, "QS-07")["verdict"], "non conforme");

    // QS-01 from the month's collected logs: 9 of 10 answers under 2 s is 90 %: in target.
    let mut lines = vec![("/a", "0.120", "HIT"); 9];
    lines.push(("/slow", "2.000", "MISS"));
    env.archive_w3c("www", "2026-11-02", &lines);
    let doc = report(&env, &["qos", "--month", "2026-11"]);
    assert_eq!(qs(&doc, "QS-01")["value"], "90.00 % (10 requêtes)");
    assert_eq!(qs(&doc, "QS-01")["verdict"], "conforme");

    // The weekly statistics of the site from the same logs (week 45: 2 to 8 November).
    let w = report(&env, &["weekly", "www", "--week", "2026-W45", "--metrics", "top-urls,times"]);
    let days = part(&w, "days");
    assert_eq!(days.len(), 1);
    assert_eq!(
        (days[0]["day"].as_str(), days[0]["requests"].as_i64(), days[0]["visitors"].as_i64()),
        (Some("2026-11-02"), Some(10), Some(10))
    );
    assert_eq!(days[0]["cdn_requests_percent"], 90.0);
    assert_eq!(part(&w, "top_urls")[0]["path"], "/a");
    assert_eq!(part(&w, "top_urls")[0]["requests"], 9);
    assert!(w["parts"].as_array().expect("parts").iter().all(|p| p["key"] != "status"), "only the chosen figures");
    let empty = report(&env, &["weekly", "www", "--week", "2026-W40"]);
    assert!(part(&empty, "days").is_empty());

    // The spreadsheet of the QoS report opens in LibreOffice with the indicators.
    let f = env.path("qos.ods");
    env.ok(&["report", "qos", "--month", "2026-11", "--format", "ods", "--out", f.to_str().expect("utf8")]);
    let sheet = libreoffice_sheet(&env, &f, 2);
    assert_eq!(sheet[0][0], "Indicateur");
    assert_eq!(sheet[1], ["QS-01", "Temps de réponse < 2 s", "90.00 % (10 requêtes)", "≥ 90 %", "conforme"]);
    assert_eq!(sheet[3][4], "non conforme");
}

#[test]
fn the_monthly_report_lists_the_month_and_its_tickets() {
    let env = Env::new();
    env.seed();
    let month = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Europe/Paris").expect("tz"))
        .strftime("%Y-%m")
        .to_string();
    env.ok(&[
        "--operator",
        "admin",
        "user",
        "add",
        "admin@ops.example",
        "--name",
        "Admin",
        "--admin",
        "--login",
        "admin",
    ]);
    env.ok(&["--operator", "admin", "project", "add", "p1", "--label", "Portail"]);
    env.ok(&["--operator", "admin", "space", "add", "s1", "--member", "admin@ops.example"]);
    let new = |title: &str| -> String {
        env.ok(&[
            "--operator",
            "admin",
            "ticket",
            "new",
            "--project",
            "p1",
            "--space",
            "s1",
            "--type",
            "incident",
            "--title",
            title,
            "--site",
            "www",
            "-o",
            "json",
        ])
        .json()["id"]
            .as_i64()
            .expect("id")
            .to_string()
    };
    let t1 = new("Pages en erreur");
    new("Lenteurs");
    env.ok(&["--operator", "admin", "ticket", "status", &t1, "resolved"]);
    env.ok(&[
        "incident",
        "open",
        "--site",
        "www",
        "--start",
        &format!("{month}-01T10:00"),
        "--detected-by",
        "customer",
        "--not-ours",
        "--nature",
        "Origine en panne",
        "--no-mail",
    ]);
    let doc = report(&env, &["monthly", "--month", &month, "--beneficiary", SIRET]);
    let counts: Vec<(String, i64)> = part(&doc, "event_counts")
        .iter()
        .map(|r| (r["command"].as_str().expect("c").to_owned(), r["count"].as_i64().expect("n")))
        .collect();
    // The beneficiary and its site were added, an incident opened on the site; the hosts and
    // the tickets' own records are not about this beneficiary.
    assert_eq!(counts, [("beneficiary add".into(), 1), ("incident open".into(), 1), ("site add".into(), 1)], "{doc}");
    assert_eq!(part(&doc, "incidents").len(), 1);
    let closed = part(&doc, "tickets_closed");
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0]["title"], "Pages en erreur");
    assert_eq!(closed[0]["status"], "résolu");
    assert_eq!(part(&doc, "tickets_open").len(), 1);
    // Without --beneficiary, every event of the month is there.
    let all = report(&env, &["monthly", "--month", &month]);
    assert!(part(&all, "events").len() > part(&doc, "events").len());
    // A month before anything: empty, not an error.
    let before = report(&env, &["monthly", "--month", "2020-01"]);
    assert!(part(&before, "events").is_empty() && part(&before, "tickets_open").is_empty());
    env.fails(2, &["report", "monthly", "--month", "2026-13"]);
}

#[test]
fn a_sites_definition_file_is_written_and_recorded() {
    let env = Env::new();
    env.seed();
    let out = env.path("dossier-www.md");
    let r = env.ok(&["report", "dossier", "www", "--out", out.to_str().expect("utf8")]);
    let text = std::fs::read_to_string(&out).expect("dossier");
    for needle in [
        "# Dossier de définition — www",
        "12000101100010",
        "www.example.fr",
        "https://origin.example.fr",
        "| pop1 | 127.0.0.1:7443 | Paris |",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    let sha = {
        use sha2::Digest;
        sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    assert!(r.stdout.contains(&sha), "{}", r.stdout);
    let recorded: String =
        env.db().query_row("SELECT sha256 FROM dossiers WHERE site = 'www'", [], |r| r.get(0)).expect("row");
    assert_eq!(recorded, sha);
    assert!(env.ok(&["audit", "list", "--target", "site:www", "-o", "json"]).stdout.contains("report dossier"));
    env.fails(1, &["report", "dossier", "nosuch", "--out", out.to_str().expect("utf8")]);
}

/// QS-06 on real agents: a change is effective when the last host of the site confirmed the
/// push that carries it, one host confirming late through `amoe outbox run`.
#[test]
fn a_change_is_effective_when_the_last_host_confirms_its_push() {
    use crate::fleet::Fleet;
    let mut fleet = Fleet::new(2);
    let now = jiff::Timestamp::now();
    let long_ago = (now - jiff::SignedDuration::from_hours(8 * 24)).to_string();
    fn add(fleet: &Fleet, asked: Option<&str>) -> i64 {
        let mut a = vec!["change", "add", "--site", "www", "--detail", "Nouveau domaine m.", "-o", "json"];
        if let Some(t) = asked {
            a.extend(["--asked-at", t]);
        }
        fleet.ok(&a).json()["id"].as_i64().expect("id")
    }
    let late = add(&fleet, Some(&long_ago));
    let fresh = add(&fleet, None);
    fn show(fleet: &Fleet, id: i64) -> Value {
        fleet.ok(&["change", "show", &id.to_string(), "-o", "json"]).json()
    }
    assert!(show(&fleet, fresh)["pushed_at"].is_null(), "nothing pushed yet");

    fleet.agents[1].stop();
    let r = fleet.run(&["site", "update", "www", "--add-domain", "m.example.test"]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let c = show(&fleet, fresh);
    assert!(c["pushed_at"].is_string() && c["effective_at"].is_null(), "{c}");
    assert_eq!(c["waiting_hosts"], serde_json::json!(["pop1"]));
    // A change recorded after that push waits for the next one.
    let after = add(&fleet, None);

    fleet.agents[1].start();
    let owed = fleet.ok(&["outbox", "list", "-o", "json"]).json();
    let due: jiff::Timestamp = owed[0]["next_attempt_at"].as_str().expect("time").parse().expect("timestamp");
    let wait = due.duration_since(jiff::Timestamp::now());
    if wait.is_positive() {
        std::thread::sleep(std::time::Duration::from_millis(wait.as_millis() as u64 + 50));
    }
    let before = jiff::Timestamp::now();
    fleet.ok(&["outbox", "run"]);
    for id in [late, fresh] {
        let c = show(&fleet, id);
        let eff: jiff::Timestamp = c["effective_at"].as_str().expect("effective").parse().expect("ts");
        assert!(eff >= before, "effective at the late host's confirmation: {c}");
        assert_eq!(c["waiting_hosts"], serde_json::json!([]));
    }
    assert!(show(&fleet, after)["effective_at"].is_null(), "not carried by the earlier push");
    let served = std::fs::read_to_string(fleet.agents[1].state.join("sites/www.json")).expect("site");
    assert!(served.contains("m.example.test"));

    // The QoS report: the fresh one in time, the one asked 8 days ago late.
    let month_of = |t: &str| {
        t.parse::<jiff::Timestamp>()
            .expect("ts")
            .to_zoned(jiff::tz::TimeZone::get("Europe/Paris").expect("tz"))
            .strftime("%Y-%m")
            .to_string()
    };
    for (id, asked, verdict) in [(fresh, now.to_string(), "conforme"), (late, long_ago.clone(), "non conforme")] {
        let r = fleet.ok(&["report", "qos", "--month", &month_of(&asked), "--format", "json"]);
        let doc: Value = serde_json::from_str(&r.stdout).expect("json");
        let row = part(&doc, "changes").iter().find(|r| r["id"] == id).cloned().expect("change row");
        assert_eq!(row["verdict"], verdict, "{row}");
    }
}

/// `incident open` tells the site's contacts by mail and records when; without a mail server
/// the incident is kept and the command says what to do (exit 3).
#[test]
fn opening_an_incident_mails_the_contacts() {
    let env = Env::new();
    env.seed();
    let port = crate::fleet::free_port();
    env.mail_config(port);
    let args = [
        "incident",
        "open",
        "--site",
        "www",
        "--start",
        "2026-11-03 03:10",
        "--detected-by",
        "us",
        "--ours",
        "--nature",
        "Disque plein",
        "-o",
        "json",
    ];
    // No server yet: recorded, not told, exit 3.
    let r = env.run(&args);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("not told") && r.stderr.contains("--told-at"), "{}", r.stderr);
    let first: Value = serde_json::from_str(&r.stdout).expect("json");
    assert!(first["told_at"].is_null());
    let smtp = crate::servers::Smtp::start(&env.path("maildir"), port);
    let told = env.ok(&args).json();
    assert!(told["told_at"].is_string(), "{told}");
    let mails = smtp.messages();
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].contains("dsi@insee.fr")
            && mails[0].contains("Disque plein")
            && mails[0].contains("[amoe] Incident ")
            && mails[0].contains("sur www"),
        "{}",
        mails[0]
    );
    assert_eq!(env.ok(&["incident", "list", "-o", "json"]).json().as_array().map(Vec::len), Some(2));
    // The weekly statistics go to the same contacts (a week without logs is an empty report).
    let out = env.path("week.md");
    env.ok(&["report", "weekly", "www", "--week", "2026-W45", "--mail", "--out", out.to_str().expect("utf8")]);
    let mails = smtp.messages();
    let weekly = mails.iter().find(|m| m.contains("Statistiques hebdomadaires de www")).expect("weekly mail");
    assert!(weekly.contains("To: dsi@insee.fr"), "{weekly}");
    assert!(std::fs::read_to_string(&out).expect("md").contains("Statistiques hebdomadaires de www"));
    // Bad input: neither --ours nor --not-ours; restored before it began.
    env.fails(
        2,
        &[
            "incident",
            "open",
            "--site",
            "www",
            "--start",
            "2026-11-03",
            "--detected-by",
            "us",
            "--nature",
            "x",
            "--no-mail",
        ],
    );
    env.fails(
        2,
        &[
            "incident",
            "open",
            "--site",
            "www",
            "--start",
            "2026-11-03",
            "--restored-at",
            "2026-11-02",
            "--detected-by",
            "us",
            "--ours",
            "--nature",
            "x",
            "--no-mail",
        ],
    );
    assert_eq!(env.ok(&["incident", "list", "-o", "json"]).json().as_array().map(Vec::len), Some(2));
}
