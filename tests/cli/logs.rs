//! `amoe logs stats` against the exact figures of the deterministic log generator
//! (`../shared/bench/logs/gen_logs.py --stats`), with malformed lines mixed in, plain and gzip.

use crate::support::Env;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn generator() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/logs/gen_logs.py")
}

/// Writes `out` and its truth with the generator; `extra` flags after the common ones.
fn generate(out: &Path, format: &str, bad: Option<&str>, extra: &[&str]) -> Value {
    let truth = out.with_extension("truth.json");
    let mut cmd = Command::new("python3");
    cmd.arg(generator()).args(["-n", "6000", "-f", format, "--seed", "7", "-q", "--huge-max", "40000", "-o"]);
    cmd.arg(out).arg("--stats").arg(&truth).args(extra);
    if let Some(rate) = bad {
        cmd.args(["--bad-lines", rate]);
    }
    let st = cmd.status().expect("run gen_logs.py (python3)");
    assert!(st.success(), "gen_logs.py failed");
    serde_json::from_slice(&std::fs::read(&truth).expect("truth")).expect("truth JSON")
}

fn stats(env: &Env, args: &[&str]) -> Value {
    let mut all = vec!["logs", "stats", "--output", "json"];
    all.extend_from_slice(args);
    let run = env.run(&all);
    assert!(run.code == 0, "amoe {all:?}: exit {}\n{}", run.code, run.stderr);
    run.json()
}

fn num(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} missing in {v}"))
}

/// The status map with the generator's keys ("200", not "200" padded).
fn counts(v: &Value) -> HashMap<String, u64> {
    v.as_object()
        .map(|m| m.iter().map(|(k, n)| (k.trim_start_matches('0').to_owned(), n.as_u64().unwrap_or(0))).collect())
        .unwrap_or_default()
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < 2e-5, "{what}: {a} against {b}");
}

/// The lines of `bad` that are not in `clean` (the generator only inserts lines).
fn inserted(clean: &Path, bad: &Path) -> Vec<Vec<u8>> {
    let mut have: HashMap<Vec<u8>, i64> = HashMap::new();
    for l in std::fs::read(clean).expect("clean").split(|&b| b == b'\n') {
        *have.entry(l.to_vec()).or_default() += 1;
    }
    let mut out = Vec::new();
    for l in std::fs::read(bad).expect("bad").split(|&b| b == b'\n') {
        match have.get_mut(l) {
            Some(n) if *n > 0 => *n -= 1,
            _ => out.push(l.to_vec()),
        }
    }
    out
}

#[test]
fn stats_match_the_generators_truth_in_every_format() {
    let env = Env::bare();
    for (format, extra) in [("clf", &[][..]), ("combined", &["--extra"][..]), ("w3c", &[][..])] {
        // Clean files: every figure equals the truth.
        let clean = env.path(&format!("{format}.log"));
        let truth = generate(&clean, format, None, extra);
        let got = stats(&env, &[clean.to_str().unwrap_or_default()]);
        assert_eq!(num(&got, "requests"), num(&truth, "requests"), "{format}");
        assert_eq!(num(&got, "bytes"), num(&truth, "bytes"), "{format}");
        assert_eq!(num(&got, "bad_lines"), 0, "{format}");
        assert_eq!(num(&got, "unique_ips"), num(&truth, "unique_ips"), "{format}");
        assert_eq!(num(&got, "visitors"), num(&truth, "unique_visitors"), "{format}");
        assert_eq!(counts(&got["status"]), counts(&truth["status"]), "{format}");
        assert_eq!(counts(&got["methods"]), counts(&truth["methods"]), "{format}");
        let days: HashMap<String, u64> = got["periods"]
            .as_array()
            .map(|ps| ps.iter().map(|p| (p["period"].as_str().unwrap_or("").to_owned(), num(p, "requests"))).collect())
            .unwrap_or_default();
        assert_eq!(days, counts(&truth["requests_per_day"]), "{format}");
        if format == "clf" {
            assert!(got["cache"].is_null() && got["time_taken"].is_null(), "CLF has no cache or time field");
        } else {
            close(
                got["cache"]["hit_ratio_requests"].as_f64().unwrap_or(-1.0),
                truth["cache_hit_ratio_requests"].as_f64().unwrap_or(0.0),
                format,
            );
            close(
                got["cache"]["hit_ratio_bytes"].as_f64().unwrap_or(-1.0),
                truth["cache_hit_ratio_bytes"].as_f64().unwrap_or(0.0),
                format,
            );
            close(
                got["time_taken"]["share_under_2s"].as_f64().unwrap_or(-1.0),
                truth["share_under_2s"].as_f64().unwrap_or(0.0),
                format,
            );
            close(
                got["time_taken"]["mean_s"].as_f64().unwrap_or(-1.0),
                truth["time_taken_mean_s"].as_f64().unwrap_or(0.0),
                format,
            );
        }

        // The same traffic with malformed lines inserted, plain and gzip.
        let bad = env.path(&format!("{format}-bad.log"));
        let truth_bad = generate(&bad, format, Some("0.04"), extra);
        let gz = env.path(&format!("{format}-bad.log.gz"));
        let st = Command::new("sh")
            .arg("-c")
            .arg(format!("gzip -6 -c '{}' > '{}'", bad.display(), gz.display()))
            .status()
            .expect("gzip");
        assert!(st.success());
        // What the inserted lines alone count as: junk requests (status 400, well-formed) and
        // lines cut where the cut leaves a well-formed line (inside CLF's last number).
        let mut ins = inserted(&clean, &bad);
        if format == "w3c" {
            ins.insert(0, format!("#Fields: {}", amoe_fields()).into_bytes());
        }
        let ins_path = env.path(&format!("{format}-inserted.log"));
        std::fs::write(&ins_path, ins.join(&b'\n')).expect("write");
        let forced = if format == "combined" { "combined-extra" } else { format };
        let lone = stats(&env, &["--format", forced, ins_path.to_str().unwrap_or_default()]);
        let junk = num(&truth_bad["bad_by_kind"], "junk_request");
        assert!(junk > 0, "the generator inserted no junk request");
        assert_eq!(counts(&lone["status"]).get("400").copied().unwrap_or(0), junk, "{format}: junk requests");
        // Any other inserted line read as a request must be a good line cut short.
        let clean_text = std::fs::read(&clean).expect("read");
        let clean_lines: Vec<&[u8]> = clean_text.split(|&b| b == b'\n').collect();
        let cuts = ins
            .iter()
            .filter(|l| l.len() > 20 && clean_lines.iter().any(|c| c.len() > l.len() && c.starts_with(l)))
            .count();
        let cut_but_valid = num(&lone, "requests") - junk;
        assert!(
            cut_but_valid as usize <= cuts,
            "{format}: {cut_but_valid} inserted lines read as good, {cuts} are cuts"
        );

        for file in [&bad, &gz] {
            let got = stats(&env, &[file.to_str().unwrap_or_default()]);
            assert_eq!(
                num(&got, "requests") - num(&lone, "requests"),
                num(&truth_bad, "requests"),
                "{format} {file:?}"
            );
            assert_eq!(num(&got, "bytes") - num(&lone, "bytes"), num(&truth_bad, "bytes"), "{format} {file:?}");
            assert_eq!(
                num(&got, "bad_lines") + num(&lone, "requests"),
                num(&truth_bad, "bad_lines"),
                "{format} {file:?}"
            );
            let mut status = counts(&got["status"]);
            for (code, n) in counts(&lone["status"]) {
                *status.entry(code.clone()).or_default() -= n;
                status.retain(|_, n| *n > 0);
            }
            assert_eq!(status, counts(&truth_bad["status"]), "{format} {file:?}");
            let first_bad = got["files"][0]["bad_line_numbers"][0].as_u64().unwrap_or(0);
            assert!(first_bad > 0, "the first malformed line is named");
            // That line number really is a line the parser refused.
            let text = std::fs::read(&bad).expect("read");
            let line = text.split(|&b| b == b'\n').nth(first_bad as usize - 1).unwrap_or_default();
            assert!(ins.iter().any(|l| l.as_slice() == line), "line {first_bad} is not an inserted line");
        }
    }
}

/// The field list the generator writes for W3C.
fn amoe_fields() -> &'static str {
    "date time c-ip cs-method cs-uri-stem cs-uri-query sc-status sc-bytes time-taken cs(User-Agent) cs(Referer) cs-host x-cache"
}

#[test]
fn bad_files_are_named_and_the_rest_is_counted() {
    let env = Env::bare();
    let good = env.path("good.log");
    generate(&good, "combined", None, &[]);
    // A gzip cut in the middle: named, the lines before the damage counted, exit 3.
    let gz = env.path("cut.log.gz");
    let st = Command::new("sh")
        .arg("-c")
        .arg(format!("gzip -c '{0}' | head -c 60000 > '{1}'", good.display(), gz.display()))
        .status()
        .expect("gzip");
    assert!(st.success());
    let missing = env.path("missing.log");
    let run = env.run(&[
        "logs",
        "stats",
        "-o",
        "json",
        good.to_str().unwrap_or_default(),
        gz.to_str().unwrap_or_default(),
        missing.to_str().unwrap_or_default(),
    ]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("cut.log.gz") && run.stderr.contains("missing.log"), "{}", run.stderr);
    let v = run.json();
    let files = v["files"].as_array().cloned().unwrap_or_default();
    assert_eq!(files.len(), 3);
    assert!(files[0]["error"].is_null() && files[1]["error"].is_string() && files[2]["error"].is_string());
    assert!(num(&files[1], "requests") > 0, "lines before the damage count");
    assert_eq!(num(&v, "requests"), num(&files[0], "requests") + num(&files[1], "requests"));

    // Nothing readable at all: exit 1.
    let run = env.run(&["logs", "stats", missing.to_str().unwrap_or_default()]);
    assert_eq!(run.code, 1, "{}", run.stderr);

    // Binary, empty and NUL-filled files: all malformed, never fatal.
    let junk = env.path("junk.log");
    let mut bytes: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    bytes.extend_from_slice(b"\n\n\0\0\0\n");
    std::fs::write(&junk, &bytes).expect("write");
    let empty = env.path("empty.log");
    std::fs::write(&empty, b"").expect("write");
    let v = stats(&env, &[junk.to_str().unwrap_or_default(), empty.to_str().unwrap_or_default()]);
    assert_eq!(num(&v, "requests"), 0);
    assert!(num(&v, "bad_lines") >= 3);
}

#[test]
fn by_hour_csv_and_chart() {
    let env = Env::bare();
    let log = env.path("w.log");
    let truth = generate(&log, "w3c", None, &[]);
    let chart = env.path("hours.svg");
    let run = env.ok(&[
        "logs",
        "stats",
        "--by",
        "hour",
        "-o",
        "csv",
        "--chart",
        chart.to_str().unwrap_or_default(),
        log.to_str().unwrap_or_default(),
    ]);
    let mut lines = run.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("period,requests,bytes,visitors,hit_ratio_requests,hit_ratio_bytes,share_under_2s,errors")
    );
    let rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(str::to_owned).collect()).collect();
    assert_eq!(rows[0][0], "total");
    assert_eq!(rows[0][1].parse::<u64>().ok(), Some(num(&truth, "requests")));
    let hourly: u64 = rows[1..].iter().map(|r| r[1].parse::<u64>().unwrap_or(0)).sum();
    assert_eq!(hourly, num(&truth, "requests"), "hours add up");
    assert!(rows[1..].iter().all(|r| r[0].len() == 13 && r[0].as_bytes()[10] == b'T'), "YYYY-MM-DDTHH periods");
    let svg = std::fs::read_to_string(&chart).expect("chart written");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<rect x=").count(), rows.len() - 1, "one bar per hour");
    // The same as PNG.
    let png = env.path("hours.png");
    env.ok(&[
        "logs",
        "stats",
        "--by",
        "hour",
        "--chart",
        png.to_str().unwrap_or_default(),
        log.to_str().unwrap_or_default(),
    ]);
    let bytes = std::fs::read(&png).expect("png written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&bytes[12..16], b"IHDR");
    // A chart format that is not drawn is refused before any work.
    let run = env.fails(2, &["logs", "stats", "--chart", "x.pdf", log.to_str().unwrap_or_default()]);
    assert!(run.stderr.contains("SVG or PNG"), "{}", run.stderr);
}
