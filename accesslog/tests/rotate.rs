#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
//! Crash-safe compression and file-name parsing.

mod common;

use amoe_accesslog::rotate::{FileKind, parse_file_name};
use amoe_accesslog::{Format, compress_file, log_path, sweep};
use common::{TempDir, gunzip, gzip, names};
use jiff::civil::date;

#[test]
fn compress_after_crash_between_rename_and_remove_keeps_one_copy() {
    let dir = TempDir::new("crash-rename");
    let p = dir.path().join("s-2024-01-10.log");
    std::fs::write(&p, "a\nb\n").unwrap();
    gzip(dir.path().join("s-2024-01-10.log.gz"), "a\nb\n");
    compress_file(&p).unwrap();
    assert_eq!(names(dir.path()), ["s-2024-01-10.log.gz"]);
    assert_eq!(gunzip(dir.path().join("s-2024-01-10.log.gz")), "a\nb\n");
}

#[test]
fn compress_with_different_existing_gz_concatenates_without_loss() {
    let dir = TempDir::new("concat");
    let p = dir.path().join("s-2024-01-10.log");
    gzip(dir.path().join("s-2024-01-10.log.gz"), "old\n");
    std::fs::write(&p, "new\n").unwrap();
    compress_file(&p).unwrap();
    assert_eq!(names(dir.path()), ["s-2024-01-10.log.gz"]);
    assert_eq!(gunzip(dir.path().join("s-2024-01-10.log.gz")), "old\nnew\n");
}

#[test]
fn file_names_round_trip() {
    let d = date(2024, 1, 10);
    let p = log_path(std::path::Path::new("/logs"), "s.fr", d, Format::W3c);
    assert_eq!(p, std::path::Path::new("/logs/s.fr/s.fr-2024-01-10.w3c.log"));
    assert_eq!(parse_file_name("s.fr", "s.fr-2024-01-10.log"), Some((d, Format::Clf, FileKind::Plain)));
    assert_eq!(parse_file_name("s.fr", "s.fr-2024-01-10.w3c.log.gz"), Some((d, Format::W3c, FileKind::Gz)));
    assert_eq!(parse_file_name("s.fr", "s.fr-2024-01-10.log.gz.tmp"), Some((d, Format::Clf, FileKind::Tmp)));
    for foreign in ["s.fr-2024-13-10.log", "s.fr-2024-01-10.txt", "other-2024-01-10.log", "s.fr-2024-01-10.log.bak"] {
        assert_eq!(parse_file_name("s.fr", foreign), None, "{foreign}");
    }
}

#[test]
fn sweep_reports_what_it_did() {
    let dir = TempDir::new("sweep");
    let site = dir.path().join("s");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("s-2024-01-01.log"), "x\n").unwrap();
    gzip(site.join("s-2023-01-01.log.gz"), "y\n");
    let r = sweep(dir.path(), date(2024, 1, 12), date(2024, 1, 12), 183);
    assert_eq!(r.compressed, [site.join("s-2024-01-01.log")]);
    assert_eq!(r.deleted, [site.join("s-2023-01-01.log.gz")]);
    assert!(r.errors.is_empty());
    let r = sweep(dir.path(), date(2024, 1, 12), date(2030, 1, 1), 0);
    assert!(r.deleted.is_empty(), "retention 0 keeps everything");
}
