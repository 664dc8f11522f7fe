#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
//! The logger on real files: layout, rotation, retention, recovery, shutdown, drops.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use amoe_accesslog::{Formats, LogHandle, Logger, LoggerConfig, clf_line, parse_clf_line, w3c_header, w3c_line};
use common::{ManualClock, TempDir, gunzip, gzip, names, paris, read, rec};

fn config(dir: &TempDir, clock: &ManualClock) -> LoggerConfig {
    let mut c = LoggerConfig::new(dir.path());
    c.clock = clock.clock();
    c.rotation_grace = Duration::ZERO;
    c
}

#[test]
fn writes_clf_and_w3c_files_in_site_directory() {
    let dir = TempDir::new("layout");
    let now = paris(2024, 1, 15, 10, 0, 0, 0);
    let clock = ManualClock::new(now);
    let logger = Logger::start(config(&dir, &clock)).unwrap();
    let r = rec("mairie.fr", paris(2024, 1, 15, 10, 30, 45, 0));
    logger.handle().log(r.clone());
    logger.shutdown();
    let site = dir.path().join("mairie.fr");
    assert_eq!(names(&site), ["mairie.fr-2024-01-15.log", "mairie.fr-2024-01-15.w3c.log"]);
    assert_eq!(read(site.join("mairie.fr-2024-01-15.log")), clf_line(&r));
    assert_eq!(read(site.join("mairie.fr-2024-01-15.w3c.log")), w3c_header(now) + &w3c_line(&r));
}

#[test]
fn last_millisecond_and_midnight_land_in_different_files() {
    let dir = TempDir::new("midnight");
    let clock = ManualClock::new(paris(2024, 3, 1, 12, 0, 0, 0));
    let mut cfg = config(&dir, &clock);
    cfg.rotation_grace = Duration::from_secs(3600);
    let logger = Logger::start(cfg).unwrap();
    let h = logger.handle();
    h.log(rec("s", paris(2024, 3, 1, 23, 59, 59, 999)));
    h.log(rec("s", paris(2024, 3, 2, 0, 0, 0, 0)));
    logger.shutdown();
    let site = dir.path().join("s");
    assert!(read(site.join("s-2024-03-01.log")).contains("[01/Mar/2024:23:59:59 +0100]"));
    assert!(read(site.join("s-2024-03-02.log")).contains("[02/Mar/2024:00:00:00 +0100]"));
    assert_eq!(read(site.join("s-2024-03-01.log")).lines().count(), 1);
    assert_eq!(read(site.join("s-2024-03-02.log")).lines().count(), 1);
}

#[test]
fn midnight_rotation_by_record_time_compresses_previous_day() {
    let dir = TempDir::new("rot-record");
    let clock = ManualClock::new(paris(2024, 5, 10, 8, 0, 0, 0));
    let logger = Logger::start(config(&dir, &clock)).unwrap();
    let h = logger.handle();
    let day1: Vec<_> = (0..100).map(|i| rec("s", paris(2024, 5, 10, 23, 0, i % 60, 0))).collect();
    for r in &day1 {
        h.log(r.clone());
    }
    h.log(rec("s", paris(2024, 5, 11, 0, 0, 1, 0)));
    logger.sync();
    let site = dir.path().join("s");
    assert_eq!(
        names(&site),
        ["s-2024-05-10.log.gz", "s-2024-05-10.w3c.log.gz", "s-2024-05-11.log", "s-2024-05-11.w3c.log"]
    );
    let expected: String = day1.iter().map(clf_line).collect();
    assert_eq!(gunzip(site.join("s-2024-05-10.log.gz")), expected);
    let w3c = gunzip(site.join("s-2024-05-10.w3c.log.gz"));
    assert!(w3c.starts_with("#Version: 1.0\n"));
    assert_eq!(w3c.lines().filter(|l| !l.starts_with('#')).count(), 100);
    logger.shutdown();
    assert!(site.join("s-2024-05-11.log").exists(), "today's file stays uncompressed");
}

#[test]
fn tick_rotates_without_traffic() {
    let dir = TempDir::new("rot-tick");
    let clock = ManualClock::new(paris(2024, 5, 10, 23, 59, 0, 0));
    let logger = Logger::start(config(&dir, &clock)).unwrap();
    logger.handle().log(rec("s", paris(2024, 5, 10, 23, 59, 30, 0)));
    logger.sync();
    let site = dir.path().join("s");
    assert!(site.join("s-2024-05-10.log").exists());
    clock.set(paris(2024, 5, 11, 0, 0, 5, 0));
    logger.sync();
    assert_eq!(names(&site), ["s-2024-05-10.log.gz", "s-2024-05-10.w3c.log.gz"]);
    logger.shutdown();
}

#[test]
fn rotation_grace_keeps_previous_day_open_then_closes_it() {
    let dir = TempDir::new("grace");
    let clock = ManualClock::new(paris(2024, 5, 10, 23, 59, 0, 0));
    let mut cfg = config(&dir, &clock);
    cfg.rotation_grace = Duration::from_secs(60);
    let logger = Logger::start(cfg).unwrap();
    let h = logger.handle();
    h.log(rec("s", paris(2024, 5, 11, 0, 0, 30, 0)));
    h.log(rec("s", paris(2024, 5, 10, 23, 59, 59, 0))); // finished after midnight, still in grace
    logger.sync();
    let site = dir.path().join("s");
    assert_eq!(read(site.join("s-2024-05-10.log")).lines().count(), 1);
    clock.set(paris(2024, 5, 11, 0, 1, 1, 0));
    logger.sync();
    assert!(site.join("s-2024-05-10.log.gz").exists());
    // A record for the closed day now goes to the current day's file, with its own time.
    h.log(rec("s", paris(2024, 5, 10, 23, 59, 58, 0)));
    logger.shutdown();
    let today = read(site.join("s-2024-05-11.log"));
    assert_eq!(today.lines().count(), 2);
    assert!(today.contains("[10/May/2024:23:59:58 +0200]"));
    assert_eq!(gunzip(site.join("s-2024-05-10.log.gz")).lines().count(), 1);
}

#[test]
fn dst_fall_back_day_is_one_file_of_25_hours() {
    let dir = TempDir::new("dst");
    let clock = ManualClock::new(paris(2024, 10, 26, 12, 0, 0, 0));
    let logger = Logger::start(config(&dir, &clock)).unwrap();
    let h = logger.handle();
    for t in [
        "2024-10-27T00:00:00+02:00",
        "2024-10-27T02:30:00+02:00",
        "2024-10-27T02:30:00+01:00",
        "2024-10-27T23:59:59+01:00",
    ] {
        h.log(rec("s", common::at(t)));
    }
    h.log(rec("s", common::at("2024-10-28T00:00:00+01:00")));
    logger.shutdown();
    let site = dir.path().join("s");
    let day = gunzip(site.join("s-2024-10-27.log.gz"));
    assert_eq!(day.lines().count(), 4);
    assert!(day.contains("27/Oct/2024:02:30:00 +0200") && day.contains("27/Oct/2024:02:30:00 +0100"));
    assert_eq!(read(site.join("s-2024-10-28.log")).lines().count(), 1);
}

#[test]
fn dst_spring_forward_midnight_rotation() {
    let dir = TempDir::new("dst-spring");
    let clock = ManualClock::new(paris(2024, 3, 30, 22, 0, 0, 0));
    let logger = Logger::start(config(&dir, &clock)).unwrap();
    logger.handle().log(rec("s", paris(2024, 3, 30, 23, 0, 0, 0)));
    logger.handle().log(rec("s", common::at("2024-03-31T03:00:00+02:00")));
    logger.sync(); // records are written before the clock moves on
    clock.set(common::at("2024-04-01T00:00:00+02:00"));
    logger.sync();
    let site = dir.path().join("s");
    assert!(site.join("s-2024-03-30.log.gz").exists());
    assert!(site.join("s-2024-03-31.log.gz").exists());
    assert!(gunzip(site.join("s-2024-03-31.log.gz")).contains("[31/Mar/2024:03:00:00 +0200]"));
    logger.shutdown();
}

#[test]
fn retention_deletes_old_compressed_files_and_keeps_recent_ones() {
    let dir = TempDir::new("retention");
    let site = dir.path().join("s");
    std::fs::create_dir_all(&site).unwrap();
    gzip(site.join("s-2023-06-01.log.gz"), "old\n"); // > 183 days before 2024-01-15
    gzip(site.join("s-2023-06-01.w3c.log.gz"), "old\n");
    gzip(site.join("s-2023-07-16.log.gz"), "edge\n"); // exactly 183 days before: kept
    gzip(site.join("s-2024-01-05.log.gz"), "recent\n");
    std::fs::write(site.join("notes.txt"), "foreign").unwrap();
    std::fs::create_dir_all(dir.path().join("Not A Site")).unwrap();
    gzip(dir.path().join("Not A Site").join("Not A Site-2000-01-01.log.gz"), "x\n");
    let clock = ManualClock::new(paris(2024, 1, 15, 12, 0, 0, 0));
    let logger = Logger::start(config(&dir, &clock)).unwrap();
    logger.shutdown();
    assert_eq!(names(&site), ["notes.txt", "s-2023-07-16.log.gz", "s-2024-01-05.log.gz"]);
    assert_eq!(names(dir.path().join("Not A Site")).len(), 1);
}

#[test]
fn retention_runs_again_at_rotation() {
    let dir = TempDir::new("retention-rot");
    let site = dir.path().join("s");
    std::fs::create_dir_all(&site).unwrap();
    gzip(site.join("s-2023-07-16.log.gz"), "edge\n");
    let clock = ManualClock::new(paris(2024, 1, 15, 12, 0, 0, 0));
    let mut cfg = config(&dir, &clock);
    cfg.retention_days = 183;
    let logger = Logger::start(cfg).unwrap();
    logger.sync();
    assert!(site.join("s-2023-07-16.log.gz").exists());
    clock.set(paris(2024, 1, 16, 0, 0, 1, 0));
    logger.sync();
    assert!(!site.join("s-2023-07-16.log.gz").exists());
    logger.shutdown();
}

#[test]
fn recovery_compresses_stale_files_and_removes_tmp() {
    let dir = TempDir::new("recovery");
    let site = dir.path().join("s");
    std::fs::create_dir_all(&site).unwrap();
    let stale = clf_line(&rec("s", paris(2024, 1, 10, 9, 0, 0, 0)));
    std::fs::write(site.join("s-2024-01-10.log"), &stale).unwrap();
    std::fs::write(site.join("s-2024-01-10.w3c.log.gz.tmp"), "partial").unwrap();
    std::fs::write(site.join("s-2024-01-10.w3c.log"), "#Version: 1.0\n").unwrap();
    std::fs::write(site.join("s-2024-01-12.log"), "today\n").unwrap();
    let clock = ManualClock::new(paris(2024, 1, 12, 12, 0, 0, 0));
    let logger = Logger::start(config(&dir, &clock)).unwrap();
    logger.sync();
    assert_eq!(names(&site), ["s-2024-01-10.log.gz", "s-2024-01-10.w3c.log.gz", "s-2024-01-12.log"]);
    assert_eq!(gunzip(site.join("s-2024-01-10.log.gz")), stale);
    assert_eq!(gunzip(site.join("s-2024-01-10.w3c.log.gz")), "#Version: 1.0\n");
    logger.handle().log(rec("s", paris(2024, 1, 12, 13, 0, 0, 0)));
    logger.shutdown();
    assert!(read(site.join("s-2024-01-12.log")).starts_with("today\n192.0.2.1 "), "append mode");
}

#[test]
fn restart_appends_to_todays_files_without_second_header() {
    let dir = TempDir::new("restart");
    let clock = ManualClock::new(paris(2024, 1, 12, 12, 0, 0, 0));
    for minute in [1, 2] {
        let logger = Logger::start(config(&dir, &clock)).unwrap();
        logger.handle().log(rec("s", paris(2024, 1, 12, 12, minute, 0, 0)));
        logger.shutdown();
    }
    let site = dir.path().join("s");
    assert_eq!(read(site.join("s-2024-01-12.log")).lines().count(), 2);
    let w3c = read(site.join("s-2024-01-12.w3c.log"));
    assert_eq!(w3c.matches("#Version").count(), 1);
    assert_eq!(w3c.lines().count(), 6);
}

#[test]
fn shutdown_loses_nothing_100k_records_from_4_threads() {
    let dir = TempDir::new("shutdown");
    let clock = ManualClock::new(paris(2024, 2, 1, 12, 0, 0, 0));
    let mut cfg = config(&dir, &clock);
    cfg.formats = Formats { clf: true, w3c: false };
    let logger = Logger::start(cfg).unwrap();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let h = logger.handle();
            std::thread::spawn(move || {
                for i in 0..25_000u64 {
                    let mut r = Box::new(rec("s", paris(2024, 2, 1, 12, 0, 0, 0) + Duration::from_micros(i)));
                    r.bytes = t * 1_000_000 + i;
                    while let Err(back) = h.try_log(r) {
                        r = back;
                        std::thread::yield_now();
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let h = logger.handle();
    logger.shutdown();
    assert_eq!(h.dropped(), 0);
    let content = read(dir.path().join("s").join("s-2024-02-01.log"));
    let mut seen: Vec<u64> = content.lines().map(|l| parse_clf_line(l).unwrap().bytes.unwrap()).collect();
    assert_eq!(seen.len(), 100_000);
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 100_000);
}

#[test]
fn unsafe_site_goes_to_unknown_directory() {
    let dir = TempDir::new("unknown");
    let clock = ManualClock::new(paris(2024, 2, 1, 12, 0, 0, 0));
    let logger = Logger::start(config(&dir, &clock)).unwrap();
    logger.handle().log(rec("../evil", paris(2024, 2, 1, 12, 0, 0, 0)));
    logger.handle().log(rec("", paris(2024, 2, 1, 12, 0, 1, 0)));
    logger.shutdown();
    assert_eq!(names(dir.path()), ["_unknown"]);
    assert_eq!(read(dir.path().join("_unknown").join("_unknown-2024-02-01.log")).lines().count(), 2);
    assert!(!dir.path().parent().unwrap().join("evil").exists());
}

#[test]
fn dropped_counter_counts_records_refused_by_a_full_channel() {
    let dir = TempDir::new("dropped");
    let gate = Arc::new(Mutex::new(()));
    let mut cfg = LoggerConfig::new(dir.path());
    cfg.channel_capacity = 4;
    let g = gate.clone();
    cfg.clock = Arc::new(move || {
        let _held = g.lock().unwrap();
        paris(2024, 2, 1, 12, 0, 0, 0)
    });
    let logger = Logger::start(cfg).unwrap();
    let h: LogHandle = logger.handle();
    {
        // The writer's next clock read blocks, so it takes at most one record off the queue.
        let _closed = gate.lock().unwrap();
        for i in 0..100 {
            h.log(rec("s", paris(2024, 2, 1, 12, 0, 0, 0) + Duration::from_secs(i)));
        }
        assert!(h.dropped() >= 95, "dropped {}", h.dropped());
    }
    logger.shutdown();
    let lines = read(dir.path().join("s").join("s-2024-02-01.log")).lines().count() as u64;
    assert_eq!(lines + h.dropped(), 100);
    h.log(rec("s", paris(2024, 2, 1, 12, 0, 0, 0)));
    assert_eq!(lines + h.dropped(), 101, "logging after shutdown counts as dropped");
}

#[test]
fn formats_can_be_disabled() {
    let dir = TempDir::new("formats");
    let clock = ManualClock::new(paris(2024, 2, 1, 12, 0, 0, 0));
    let mut cfg = config(&dir, &clock);
    cfg.formats = Formats { clf: false, w3c: true };
    let logger = Logger::start(cfg).unwrap();
    logger.handle().log(rec("s", paris(2024, 2, 1, 12, 0, 0, 0)));
    logger.shutdown();
    assert_eq!(names(dir.path().join("s")), ["s-2024-02-01.w3c.log"]);
}

#[test]
fn zero_capacity_is_rejected() {
    let dir = TempDir::new("cap0");
    let mut cfg = LoggerConfig::new(dir.path());
    cfg.channel_capacity = 0;
    assert!(Logger::start(cfg).is_err());
}
